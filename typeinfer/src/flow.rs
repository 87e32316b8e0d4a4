//! Whether control can reach the end of a block (Python then returns `None`).

use frontend::hir::visit::{walk_block, walk_stmt, Visitor};
use frontend::hir::{self, Constant, ExprKind, Stmt, StmtKind};

/// True when every path through `stmts` ends in `return` or `raise`.
// Its own recursion: "every path" is an `and` over the branches of an `if`, not a search.
pub(crate) fn terminates(f: &hir::Function, stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match &s.kind {
        StmtKind::Return(_) | StmtKind::Raise { .. } => true,
        StmtKind::If { body, orelse, .. } => terminates(f, body) && terminates(f, orelse),
        // `while True:` without a `break` only leaves through return or raise.
        StmtKind::While { test, body } => is_always_true(f, *test) && !breaks(f, body),
        _ => false,
    })
}

pub(crate) fn is_always_true(f: &hir::Function, test: hir::ExprId) -> bool {
    match &f.expr(test).kind {
        ExprKind::Const(c) | ExprKind::Global { value: c, .. } => match c {
            Constant::Bool(b) => *b,
            Constant::Int(i) => *i != 0,
            _ => false,
        },
        _ => false,
    }
}

/// A `break` that leaves this loop (not one of a nested loop).
fn breaks(f: &hir::Function, stmts: &[Stmt]) -> bool {
    struct FindBreak(bool);
    impl Visitor for FindBreak {
        fn visit_stmt(&mut self, f: &hir::Function, stmt: &Stmt) {
            match stmt.kind {
                StmtKind::Break => self.0 = true,
                // Its `break`s leave the nested loop.
                StmtKind::While { .. } | StmtKind::ForRange { .. } => {}
                _ if !self.0 => walk_stmt(self, f, stmt),
                _ => {}
            }
        }
        // Only statements break.
        fn visit_expr(&mut self, _: &hir::Function, _: hir::ExprId) {}
    }
    let mut find = FindBreak(false);
    walk_block(&mut find, f, stmts);
    find.0
}
