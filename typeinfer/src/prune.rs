//! Branch pruning on `None` parameters, as Numba does: the function a
//! specialization types and lowers is its HIR with each `if p is None:` (or
//! `is not`) on a parameter `p`, where the specialization knows whether `p`
//! is `None` (`assigned::none_flow`), replaced by the branch that runs. The
//! other branch is neither typed nor lowered, so it may hold code that would
//! not type-check for these arguments (`out[...] = 0` when `out` is `None`).
//! A decided `x if p is None else y` becomes the expression that runs.

use std::collections::HashMap;
use std::sync::Arc;

use frontend::hir::{self, ExprId, ExprKind, Stmt, StmtKind};

use crate::assigned::NoneFlow;
use crate::LocalRead;

/// `f` with its decided `if`s and `if`-expressions replaced by the branch
/// that runs (`flow.decided`: test -> whether the body runs); `f` itself when
/// none is decided. `flow.reads` follows the reads that move.
pub(crate) fn prune(f: &Arc<hir::Function>, flow: &mut NoneFlow) -> Arc<hir::Function> {
    if flow.decided.is_empty() {
        return f.clone();
    }
    let mut pruned = (**f).clone();
    // An expression's operands come before it in the arena, so a decided
    // branch that is itself a decided `if`-expression is replaced first.
    for i in 0..pruned.exprs.len() {
        let ExprKind::IfExp { test, body, orelse } = pruned.exprs[i].kind else {
            continue;
        };
        let Some(&runs_body) = flow.decided.get(&test) else {
            continue;
        };
        let live = if runs_body { body } else { orelse };
        pruned.exprs[i] = pruned.exprs[live.0 as usize].clone();
        if let Some(&seen) = flow.reads.get(&LocalRead::Expr(live)) {
            flow.reads.insert(LocalRead::Expr(ExprId(i as u32)), seen);
        }
    }
    pruned.body = block(f, &f.body, &flow.decided);
    Arc::new(pruned)
}

// Its own recursion: it rebuilds the statement tree.
fn block(f: &hir::Function, stmts: &[Stmt], decided: &HashMap<ExprId, bool>) -> Vec<Stmt> {
    let mut out = Vec::with_capacity(stmts.len());
    for s in stmts {
        match &s.kind {
            StmtKind::If { test, body, orelse } => match decided.get(test) {
                // The test (a read of a parameter) has no effect: only the
                // branch that runs is kept, in place of the `if`.
                Some(&runs_body) => {
                    let live = block(f, if runs_body { body } else { orelse }, decided);
                    let ends = crate::flow::terminates(f, &live);
                    out.extend(live);
                    // What follows a branch that returns or raises never runs.
                    if ends {
                        break;
                    }
                }
                None => out.push(Stmt {
                    kind: StmtKind::If {
                        test: *test,
                        body: block(f, body, decided),
                        orelse: block(f, orelse, decided),
                    },
                    span: s.span,
                }),
            },
            StmtKind::While { test, body } => out.push(Stmt {
                kind: StmtKind::While {
                    test: *test,
                    body: block(f, body, decided),
                },
                span: s.span,
            }),
            StmtKind::ForRange {
                var,
                start,
                stop,
                step,
                parallel,
                body,
            } => out.push(Stmt {
                kind: StmtKind::ForRange {
                    var: *var,
                    start: *start,
                    stop: *stop,
                    step: *step,
                    parallel: *parallel,
                    body: block(f, body, decided),
                },
                span: s.span,
            }),
            StmtKind::Assign { .. }
            | StmtKind::AugAssign { .. }
            | StmtKind::Expr(_)
            | StmtKind::Return(_)
            | StmtKind::Break
            | StmtKind::Continue
            | StmtKind::Raise { .. }
            | StmtKind::Pass => out.push(s.clone()),
        }
    }
    out
}
