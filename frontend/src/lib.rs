//! Python source -> HIR.
//!
//! The only crate that names rustpython-parser types. It parses one function's
//! source, resolves every name (local, builtin, or module-level through the
//! caller's `Resolver`), and reports unsupported syntax as diagnostics.

mod diagnostic;
pub mod hir;
mod span;

pub use diagnostic::{Diagnostic, DiagnosticKind};
pub use span::{SourceFile, Span};

use std::sync::Arc;

use hir::GlobalValue;

/// Answers what a module-level (or closure) name refers to; implemented by
/// `pymod` over the function's `__globals__`, by tests over a fixed table.
pub trait Resolver {
    /// `None` when the name is not defined at all.
    fn resolve(&mut self, name: &str) -> Option<GlobalValue>;
}

/// Parses the one function defined in `source.text` (decorators and a common
/// indentation allowed) into HIR. Reports every error found, not just the first.
pub fn parse(source: Arc<SourceFile>, resolver: &mut dyn Resolver) -> Result<hir::Function, Vec<Diagnostic>> {
    let _ = (source, resolver);
    unimplemented!("frontend::parse: being written")
}
