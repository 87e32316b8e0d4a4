//! Compile-time errors shown to users: a code, a message, a labelled span, notes.

use std::sync::Arc;

use annotate_snippets::{Level, Renderer, Snippet};

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
    /// `= help: ...` / `= note: ...` lines: a note starting with `note: ` renders as a
    /// note, any other as help (a leading `help: ` is optional).
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

impl Diagnostic {
    /// The diagnostic as rustc prints it: code, message, `--> file:line:col`, the
    /// source line with a caret under the span, then the notes.
    ///
    /// Only the span's first line is shown; a span running over several lines is
    /// cut at that line's end. A note starting with `note: ` prints as a note,
    /// every other note as `help:`.
    pub fn render(&self) -> String {
        let text = self.source.text.as_str();
        let start = floor_char_boundary(text, self.span.start as usize);
        let end = floor_char_boundary(text, (self.span.end as usize).max(start));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = &text[line_start..line_end];
        let (line_number, _) = self.source.line_col(start as u32);
        let range = (start - line_start)..(end.min(line_end) - line_start);

        let mut annotation = Level::Error.span(range);
        if !self.label.is_empty() {
            annotation = annotation.label(&self.label);
        }
        let snippet = Snippet::source(line)
            .line_start(line_number as usize)
            .origin(&self.source.path)
            .annotation(annotation);
        let footers = self
            .notes
            .iter()
            .map(|note| match note.strip_prefix("note: ") {
                Some(note) => Level::Note.title(note),
                None => Level::Help.title(note.strip_prefix("help: ").unwrap_or(note)),
            });
        let message = Level::Error
            .title(&self.message)
            .id(self.code)
            .snippet(snippet)
            .footers(footers);
        Renderer::plain().render(message).to_string()
    }
}

/// Every diagnostic rendered, separated by blank lines.
pub fn render_all(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(Diagnostic::render)
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The largest char boundary at or before `offset`, so a stray span never splits a character.
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
