//! Whether control can reach the end of a block (Python then returns `None`).

use frontend::hir::{self, Constant, ExprKind, Stmt, StmtKind};

/// True when every path through `stmts` ends in `return` or `raise`.
pub(crate) fn terminates(f: &hir::Function, stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match &s.kind {
        StmtKind::Return(_) | StmtKind::Raise { .. } => true,
        StmtKind::If { body, orelse, .. } => terminates(f, body) && terminates(f, orelse),
        // `while True:` without a `break` only leaves through return or raise.
        StmtKind::While { test, body } => is_always_true(f, *test) && !breaks(body),
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
fn breaks(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match &s.kind {
        StmtKind::Break => true,
        StmtKind::If { body, orelse, .. } => breaks(body) || breaks(orelse),
        _ => false,
    })
}
