//! Source positions. Spans are byte ranges into `SourceFile::text`; line and
//! column are worked out only when a diagnostic is printed.

/// A byte range `start..end` in a `SourceFile`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: u32, end: u32) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub(crate) fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// The text a function was parsed from, and where it sits in its file.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Path of the file, as Python reports it (`inspect.getsourcefile`), or `<unknown>`.
    pub path: String,
    /// The function's source as `inspect.getsource` returned it (decorators included,
    /// original indentation kept).
    pub text: String,
    /// 1-based line number in `path` of the first line of `text`.
    pub first_line: u32,
}

impl SourceFile {
    /// 1-based (line in the file, column in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let offset = (offset as usize).min(self.text.len());
        let before = &self.text[..offset];
        let line_index = before.matches('\n').count() as u32;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = self.text[line_start..offset].chars().count() as u32 + 1;
        (self.first_line + line_index, column)
    }
}
