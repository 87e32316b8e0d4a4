//! The one traversal of the HIR: every pass that collects, counts or searches
//! overrides the `Visitor` methods it cares about and lets the `walk_*`
//! functions reach the rest.
//!
//! The walks match every node exhaustively (no `_ =>`, every field named), so
//! a new statement, expression, target or field is added here once and no pass
//! can forget it.
//! They visit every child exactly once, in Python's evaluation order:
//!
//! - `Assign`: the value, then the target; `AugAssign`: the target (its array
//!   and indices), then the value; `If`: the test, the body, the `else` body;
//!   `While`: the test, the body; `ForRange`: start, stop, step, its variable
//!   (as a `Target::Local`: every local a statement binds is a target), the body.
//! - A tuple target: its items left to right; a subscript target: the array,
//!   then the indices.
//! - `Compare`: the left operand, then each right one; `BoolOp`, `Tuple`: the
//!   items in order; `IfExp`: the test, the body, the `else` value (all three,
//!   although one of the last two runs); `Call`: the receiver of a method, the
//!   positional arguments, the keyword arguments; `Subscript`: the value, then
//!   the indices; `Slice`: lower, upper, step (those present).
//!
//! An expression is an `ExprId` into its function's arena, so every method and
//! walk takes the `Function` that resolves it. A visitor that overrides a
//! method calls the matching `walk_*` to go on into the children, or not to
//! prune them.

use super::{Callee, ExprId, ExprKind, Function, Stmt, StmtKind, Target};

pub trait Visitor {
    fn visit_stmt(&mut self, f: &Function, stmt: &Stmt) {
        walk_stmt(self, f, stmt)
    }
    fn visit_expr(&mut self, f: &Function, expr: ExprId) {
        walk_expr(self, f, expr)
    }
    /// A place a statement assigns to (not the value assigned).
    fn visit_target(&mut self, f: &Function, target: &Target) {
        walk_target(self, f, target)
    }
}

/// Visits each statement of `body` in order.
pub fn walk_block<V: Visitor + ?Sized>(v: &mut V, f: &Function, body: &[Stmt]) {
    for stmt in body {
        v.visit_stmt(f, stmt);
    }
}

pub fn walk_stmt<V: Visitor + ?Sized>(v: &mut V, f: &Function, stmt: &Stmt) {
    match &stmt.kind {
        StmtKind::Assign { target, value } => {
            v.visit_expr(f, *value);
            v.visit_target(f, target);
        }
        StmtKind::AugAssign {
            target,
            op: _,
            value,
        } => {
            v.visit_target(f, target);
            v.visit_expr(f, *value);
        }
        StmtKind::Expr(e) | StmtKind::Return(Some(e)) => v.visit_expr(f, *e),
        StmtKind::If { test, body, orelse } => {
            v.visit_expr(f, *test);
            walk_block(v, f, body);
            walk_block(v, f, orelse);
        }
        StmtKind::While { test, body } => {
            v.visit_expr(f, *test);
            walk_block(v, f, body);
        }
        StmtKind::ForRange {
            var,
            start,
            stop,
            step,
            parallel: _,
            body,
        } => {
            for e in [start, stop, step] {
                v.visit_expr(f, *e);
            }
            v.visit_target(f, &Target::Local(*var));
            walk_block(v, f, body);
        }
        StmtKind::Break
        | StmtKind::Continue
        | StmtKind::Return(None)
        | StmtKind::Raise {
            kind: _,
            message: _,
        }
        | StmtKind::Pass => {}
    }
}

pub fn walk_target<V: Visitor + ?Sized>(v: &mut V, f: &Function, target: &Target) {
    match target {
        Target::Local(_) => {}
        Target::Tuple(items) => {
            for t in items {
                v.visit_target(f, t);
            }
        }
        Target::Subscript { value, indices } => {
            v.visit_expr(f, *value);
            for i in indices {
                v.visit_expr(f, *i);
            }
        }
    }
}

pub fn walk_expr<V: Visitor + ?Sized>(v: &mut V, f: &Function, expr: ExprId) {
    let mut visit = |e: &ExprId| v.visit_expr(f, *e);
    match &f.expr(expr).kind {
        ExprKind::Const(_)
        | ExprKind::Local(_)
        | ExprKind::Global { name: _, value: _ }
        | ExprKind::GlobalArray { name: _, array: _ }
        | ExprKind::Function(_)
        | ExprKind::Ellipsis => {}
        ExprKind::Unary { op: _, operand }
        | ExprKind::IsNone {
            value: operand,
            negated: _,
        } => visit(operand),
        ExprKind::Binary { lhs, rhs, .. } => {
            visit(lhs);
            visit(rhs);
        }
        ExprKind::Compare { left, comparisons } => {
            visit(left);
            comparisons.iter().for_each(|(_, right)| visit(right));
        }
        ExprKind::BoolOp {
            op: _,
            values: items,
        }
        | ExprKind::Tuple(items) => items.iter().for_each(visit),
        ExprKind::IfExp { test, body, orelse } => [test, body, orelse].into_iter().for_each(visit),
        ExprKind::Call {
            callee,
            args,
            kwargs,
        } => {
            match callee {
                Callee::Method { receiver, name: _ } => visit(receiver),
                Callee::Known(_) | Callee::Jit(_) => {}
            }
            args.iter().for_each(&mut visit);
            kwargs.iter().for_each(|k| visit(&k.value));
        }
        ExprKind::Attribute { value, attr: _ } => visit(value),
        ExprKind::Subscript { value, indices } => {
            visit(value);
            indices.iter().for_each(visit);
        }
        ExprKind::Slice { lower, upper, step } => {
            [lower, upper, step].into_iter().flatten().for_each(visit)
        }
        ExprKind::Out { value, out } => {
            visit(value);
            visit(out);
        }
    }
}
