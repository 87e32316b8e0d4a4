//! A typed function as text (`Dispatcher.inspect_types`): its signature, the
//! type of every local, and its source with the locals each line assigns.
//! Read by people only; nothing parses it.

use std::collections::BTreeSet;
use std::fmt::Write;

use frontend::hir::visit::{walk_stmt, walk_target, Visitor};
use frontend::hir::{Function, LocalId, Stmt, StmtKind, Target};

use crate::TypedFunction;

/// Code lines longer than this get their comment after one space, not aligned.
const ALIGN_WIDTH: usize = 48;

/// `f`'s signature and local types, then each source line followed by a
/// comment with the types of the locals it assigns (`# s: float64`), and of
/// the value it returns (`# return float64`). Hidden locals (a `for` over an
/// array's counters, named `$...`) are left out: no Python code names them.
pub fn annotate(f: &TypedFunction) -> String {
    let hir = &f.hir;
    let mut out = String::new();
    let params: Vec<String> = hir
        .params
        .iter()
        .zip(&f.arg_types)
        .map(|(&p, t)| format!("{}: {t}", hir.local(p).name))
        .collect();
    let _ = writeln!(
        out,
        "# {}({}) -> {}",
        hir.name,
        params.join(", "),
        f.return_type
    );
    let _ = writeln!(out, "# File: {}", hir.source.path);
    let _ = writeln!(out, "# Locals:");
    for (i, local) in hir.locals.iter().enumerate() {
        if local.name.starts_with('$') {
            continue;
        }
        let id = LocalId(i as u32);
        let role = if hir.params.contains(&id) {
            "  (argument)"
        } else {
            ""
        };
        let _ = writeln!(out, "#   {}: {}{role}", local.name, f.local_type(id));
    }
    out.push('\n');

    let lines = LineIndex::new(&hir.source.text);
    let mut notes = Notes {
        lines: &lines,
        line: 0,
        by_line: vec![Vec::new(); lines.starts.len()],
    };
    for stmt in &hir.body {
        notes.visit_stmt(hir, stmt);
    }
    let first = hir.source.first_line as usize;
    for (i, code) in hir.source.text.lines().enumerate() {
        let mut seen = BTreeSet::new();
        let comments: Vec<String> = notes.by_line[i]
            .iter()
            .filter_map(|note| match *note {
                Note::Assigns(id) if seen.insert(id) => {
                    Some(format!("{}: {}", hir.local(id).name, f.local_type(id)))
                }
                Note::Assigns(_) => None,
                Note::Returns => Some(format!("return {}", f.return_type)),
            })
            .collect();
        let code = code.trim_end();
        if comments.is_empty() {
            let _ = writeln!(out, "{:>5}  {code}", first + i);
        } else {
            let width = ALIGN_WIDTH.max(code.len());
            let _ = writeln!(
                out,
                "{:>5}  {code:<width$}  # {}",
                first + i,
                comments.join(", ")
            );
        }
    }
    out
}

/// Where each line of a text starts, to find the line of a byte offset in
/// O(log lines) (`SourceFile::line_col` scans from the start).
struct LineIndex {
    starts: Vec<u32>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        );
        LineIndex { starts }
    }

    /// 0-based line of byte `offset`.
    fn line(&self, offset: u32) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }
}

#[derive(Clone, Copy)]
enum Note {
    Assigns(LocalId),
    Returns,
}

/// Collects, per line, the locals assigned by the statement starting there.
struct Notes<'a> {
    lines: &'a LineIndex,
    /// The line of the statement being visited.
    line: usize,
    by_line: Vec<Vec<Note>>,
}

impl Visitor for Notes<'_> {
    fn visit_stmt(&mut self, f: &Function, stmt: &Stmt) {
        let outer = self.line;
        self.line = self.lines.line(stmt.span.start);
        if let StmtKind::Return(Some(_)) = stmt.kind {
            self.by_line[self.line].push(Note::Returns);
        }
        walk_stmt(self, f, stmt);
        self.line = outer;
    }

    fn visit_target(&mut self, f: &Function, target: &Target) {
        if let Target::Local(id) = *target {
            if !f.local(id).name.starts_with('$') {
                self.by_line[self.line].push(Note::Assigns(id));
            }
        }
        walk_target(self, f, target);
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn line_index_finds_the_line_of_each_offset() {
        let index = LineIndex::new("ab\ncd\n\ne");
        let lines: Vec<usize> = (0..8).map(|o| index.line(o)).collect();
        assert_eq!(lines, [0, 0, 0, 1, 1, 1, 2, 3]);
    }
}
