//! Python source -> HIR.
//!
//! The only crate that names rustpython-parser types. It parses one function's
//! source, resolves every name (local, builtin, or module-level through the
//! caller's `Resolver`), and reports unsupported syntax as diagnostics.

mod codes;
mod diagnostic;
mod display;
pub mod hir;
pub mod known;
mod lower_ast;
mod resolve;
mod span;

pub use diagnostic::{render_all, Diagnostic, DiagnosticKind};
pub use span::{SourceFile, Span};

use std::sync::Arc;

use rustpython_parser::ast::{self, Ranged};
use rustpython_parser::text_size::TextSize;
use rustpython_parser::Parse;

use hir::GlobalValue;
use lower_ast::Builder;

/// Answers what a module-level (or closure) name refers to; implemented by
/// `pymod` over the function's `__globals__`, by tests over a fixed table.
pub trait Resolver {
    /// `None` when the name is not defined at all.
    fn resolve(&mut self, name: &str) -> Option<GlobalValue>;
}

/// Parses the one function defined in `source.text` (decorators and a common
/// indentation allowed) into HIR. Reports every error found, not just the first.
pub fn parse(
    source: Arc<SourceFile>,
    resolver: &mut dyn Resolver,
) -> Result<hir::Function, Vec<Diagnostic>> {
    // An indented function (a method, a nested def) is not a valid module on its
    // own; under `if 1:` it is, and offsets shift by the wrapper's length.
    let indented = source
        .text
        .lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.starts_with([' ', '\t']));
    let (text, prefix) = if indented {
        (
            format!("{INDENT_WRAPPER}{}", source.text),
            INDENT_WRAPPER.len() as u32,
        )
    } else {
        (source.text.clone(), 0)
    };
    let suite = ast::Suite::parse(&text, &source.path)
        .map_err(|e| vec![syntax_error(&source, &e, prefix)])?;
    let top = match suite.as_slice() {
        [ast::Stmt::If(wrapper)] if indented => wrapper.body.as_slice(),
        other => other,
    };
    match top {
        [ast::Stmt::FunctionDef(def)] => Builder::new(&source, prefix, resolver).function(def),
        [ast::Stmt::AsyncFunctionDef(def)] => {
            let start = u32::from(def.range.start()).saturating_sub(prefix);
            let span = Span::new(start, start + "async".len() as u32);
            Err(vec![Diagnostic::new(
                DiagnosticKind::Unsupported,
                codes::STATEMENT,
                "`async` functions are not supported",
                &source,
                span,
            )
            .with_label("coroutines cannot be compiled")
            .with_note(
                "remove `async` and call the compiled function from your coroutine",
            )])
        }
        _ => Err(vec![not_one_function(&source, top, prefix)]),
    }
}

/// Parses the lambda expression at `span` of `source.text` (the line or lines
/// `inspect` gives for a lambda) into HIR: a function named `<lambda>` whose
/// body returns the lambda's body. Spans stay relative to the whole text, so
/// carets point into the real line.
pub fn parse_lambda(
    source: Arc<SourceFile>,
    span: Span,
    resolver: &mut dyn Resolver,
) -> Result<hir::Function, Vec<Diagnostic>> {
    let text = source
        .text
        .get(span.start as usize..span.end as usize)
        .unwrap_or_default();
    let expr = ast::Expr::parse_starts_at(text, &source.path, TextSize::from(span.start))
        .map_err(|e| vec![syntax_error(&source, &e, 0)])?;
    match expr {
        ast::Expr::Lambda(lambda) => Builder::new(&source, 0, resolver).lambda(&lambda),
        _ => Err(vec![Diagnostic::new(
            DiagnosticKind::Internal,
            codes::NOT_ONE_FUNCTION,
            "expected the source of a lambda expression",
            &source,
            span,
        )
        .with_label("this is not a lambda")
        .with_note("note: this is a bug in ferrojit; please report it")]),
    }
}

const INDENT_WRAPPER: &str = "if 1:\n";

fn syntax_error(
    source: &Arc<SourceFile>,
    error: &rustpython_parser::ParseError,
    prefix: u32,
) -> Diagnostic {
    // An error at the end of the text (an unclosed bracket) is shown just after the
    // last token rather than on the empty line past the final newline.
    let len = source.text.trim_end().len() as u32;
    let start = u32::from(error.offset).saturating_sub(prefix).min(len);
    // One character wide, so the caret is visible even at a line end.
    let end = source.text[start as usize..]
        .chars()
        .next()
        .map_or(start, |c| start + c.len_utf8() as u32);
    Diagnostic::new(
        DiagnosticKind::Unsupported,
        codes::SYNTAX,
        "invalid Python syntax",
        source,
        Span::new(start, end),
    )
    .with_label(error.error.to_string())
    .with_note("fix the syntax error; the function must run in plain Python too")
}

fn not_one_function(source: &Arc<SourceFile>, top: &[ast::Stmt], prefix: u32) -> Diagnostic {
    let offending = top
        .iter()
        .find(|s| !matches!(s, ast::Stmt::FunctionDef(_)))
        .or(top.get(1));
    let span = offending.map_or(Span::new(0, 0), |s| {
        let r = s.range();
        Span::new(
            u32::from(r.start()).saturating_sub(prefix),
            u32::from(r.end()).saturating_sub(prefix),
        )
    });
    let found = match top {
        [] => "no function definition".to_string(),
        _ => format!("{} top-level statements", top.len()),
    };
    Diagnostic::new(
        DiagnosticKind::Internal,
        codes::NOT_ONE_FUNCTION,
        "expected the source of exactly one function definition",
        source,
        span,
    )
    .with_label(format!("found {found}"))
    .with_note(
        "ferrojit compiles functions defined with `def` whose source `inspect.getsource` can find",
    )
    .with_note(
        "note: this is a bug in ferrojit if the function was an ordinary `def`; please report it",
    )
}
