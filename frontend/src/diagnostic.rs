//! Compile-time errors shown to users: a code, a message, a labelled span, notes.

use std::sync::Arc;

use crate::span::{SourceFile, Span};

/// Which Python exception a diagnostic becomes (see `pymod/src/errors.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DiagnosticKind {
    /// Python syntax the compiler does not support (`try`, `with`, generators...).
    Unsupported,
    /// An operation with no meaning for the inferred types, or an unknown name.
    Typing,
    /// A bug in ferrojit.
    Internal,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub kind: DiagnosticKind,
    /// Stable code, `E0xxx`, listed in docs/errors.md.
    pub code: &'static str,
    /// One phrase: "cannot index a 2-d array with 1 index".
    pub message: String,
    pub span: Span,
    /// The file `span` points into.
    pub source: Arc<SourceFile>,
    /// Shown under the caret: "`a` is array(float64, 2d, C)".
    pub label: String,
    /// `= help: ...` / `= note: ...` lines.
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn new(
        kind: DiagnosticKind,
        code: &'static str,
        message: impl Into<String>,
        source: &Arc<SourceFile>,
        span: Span,
    ) -> Diagnostic {
        Diagnostic {
            kind,
            code,
            message: message.into(),
            span,
            source: source.clone(),
            label: String::new(),
            notes: Vec::new(),
        }
    }
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }
}
