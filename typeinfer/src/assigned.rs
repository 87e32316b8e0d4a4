//! Definite assignment: the reads of a local that may run before anything was
//! assigned to it (CPython raises `UnboundLocalError` there).
//!
//! A forward "must" analysis over HIR's structured control flow: the state at a
//! point is the set of locals assigned on every path reaching it. Assignments
//! only add to the set, so what reaches a loop's head along its back edges
//! always contains what reaches it on entry, and the head's state is the entry's:
//! one walk is the fixed point. A read in iteration 2 of a local assigned later
//! in iteration 1 is therefore "may be unbound" (it is on the first iteration's
//! path), which costs one flag test at run time and raises only if it really is.

use std::collections::HashMap;

use frontend::hir::{self, Callee, ExprId, ExprKind, LocalId, Stmt, StmtKind, Target};

use crate::LocalRead;

/// Locals assigned on every path to a point; `None` where no path reaches it
/// (after `return`, `raise`, `break`, `continue`), which is the identity of `meet`.
type State = Option<Vec<bool>>;

/// The reads of `f` that may find their local unassigned, each with its local.
pub(crate) fn maybe_unbound(f: &hir::Function) -> HashMap<LocalRead, LocalId> {
    let mut entry = vec![false; f.locals.len()];
    for p in &f.params {
        entry[p.0 as usize] = true;
    }
    let mut walk = Walk {
        f,
        found: HashMap::new(),
        breaks: Vec::new(),
    };
    walk.block(&f.body, Some(entry));
    walk.found
}

struct Walk<'f> {
    f: &'f hir::Function,
    found: HashMap<LocalRead, LocalId>,
    /// For each enclosing loop, the meet of the states at its `break`s.
    breaks: Vec<State>,
}

/// The locals assigned on both paths.
fn meet(a: State, b: State) -> State {
    match (a, b) {
        (None, s) | (s, None) => s,
        (Some(mut a), Some(b)) => {
            for (x, y) in a.iter_mut().zip(b) {
                *x &= y;
            }
            Some(a)
        }
    }
}

impl Walk<'_> {
    fn block(&mut self, stmts: &[Stmt], mut state: State) -> State {
        for s in stmts {
            state = self.stmt(s, state?);
        }
        state
    }

    fn stmt(&mut self, s: &Stmt, mut st: Vec<bool>) -> State {
        match &s.kind {
            StmtKind::Assign { target, value } => {
                self.expr(*value, &st);
                self.target(target, &mut st);
            }
            StmtKind::AugAssign { target, value, .. } => {
                match target {
                    Target::Local(l) => {
                        if !st[l.0 as usize] {
                            self.found.insert(LocalRead::AugAssign(*value), *l);
                        }
                    }
                    Target::Subscript {
                        value: array,
                        indices,
                    } => {
                        self.expr(*array, &st);
                        self.exprs(indices, &st);
                    }
                    Target::Tuple(_) => {}
                }
                self.expr(*value, &st);
                if let Target::Local(l) = target {
                    st[l.0 as usize] = true;
                }
            }
            StmtKind::Expr(e) => self.expr(*e, &st),
            StmtKind::If { test, body, orelse } => {
                self.expr(*test, &st);
                let then_state = self.block(body, Some(st.clone()));
                let else_state = self.block(orelse, Some(st));
                return meet(then_state, else_state);
            }
            StmtKind::While { test, body } => {
                self.expr(*test, &st);
                let breaks = self.loop_body(body, st.clone());
                // `while True:` is left only through a `break`.
                return if crate::flow::is_always_true(self.f, *test) {
                    breaks
                } else {
                    meet(Some(st), breaks)
                };
            }
            StmtKind::ForRange {
                var,
                start,
                stop,
                step,
                body,
                ..
            } => {
                self.exprs(&[*start, *stop, *step], &st);
                let mut inside = st.clone();
                inside[var.0 as usize] = true;
                // An empty range leaves the loop variable as it was.
                let breaks = self.loop_body(body, inside);
                return meet(Some(st), breaks);
            }
            StmtKind::Return(value) => {
                if let Some(e) = value {
                    self.expr(*e, &st);
                }
                return None;
            }
            StmtKind::Break => {
                if let Some(top) = self.breaks.pop() {
                    self.breaks.push(meet(top, Some(st)));
                }
                return None;
            }
            StmtKind::Continue | StmtKind::Raise { .. } => return None,
            StmtKind::Pass => {}
        }
        Some(st)
    }

    /// Walks a loop body entered with `st`; the meet of the states at its `break`s.
    fn loop_body(&mut self, body: &[Stmt], st: Vec<bool>) -> State {
        self.breaks.push(None);
        self.block(body, Some(st));
        self.breaks.pop().flatten()
    }

    /// Assigns `target` left to right: `i, a[i] = ...` indexes with the new `i`.
    fn target(&mut self, target: &Target, st: &mut [bool]) {
        match target {
            Target::Local(l) => st[l.0 as usize] = true,
            Target::Tuple(items) => {
                for t in items {
                    self.target(t, st);
                }
            }
            Target::Subscript { value, indices } => {
                self.expr(*value, st);
                self.exprs(indices, st);
            }
        }
    }

    fn exprs(&mut self, es: &[ExprId], st: &[bool]) {
        for e in es {
            self.expr(*e, st);
        }
    }

    /// Records the reads in `e`; no expression assigns, so one state holds throughout.
    fn expr(&mut self, e: ExprId, st: &[bool]) {
        match &self.f.expr(e).kind {
            ExprKind::Local(l) => {
                if !st[l.0 as usize] {
                    self.found.insert(LocalRead::Expr(e), *l);
                }
            }
            ExprKind::Const(_)
            | ExprKind::Global { .. }
            | ExprKind::GlobalArray { .. }
            | ExprKind::Function(_) => {}
            ExprKind::Unary { operand, .. } => self.expr(*operand, st),
            ExprKind::Binary { lhs, rhs, .. } => self.exprs(&[*lhs, *rhs], st),
            ExprKind::Compare { left, comparisons } => {
                self.expr(*left, st);
                for (_, e) in comparisons {
                    self.expr(*e, st);
                }
            }
            ExprKind::BoolOp { values, .. } => self.exprs(values, st),
            ExprKind::IfExp { test, body, orelse } => self.exprs(&[*test, *body, *orelse], st),
            ExprKind::Call {
                callee,
                args,
                kwargs,
            } => {
                if let Callee::Method { receiver, .. } = callee {
                    self.expr(*receiver, st);
                }
                self.exprs(args, st);
                for k in kwargs {
                    self.expr(k.value, st);
                }
            }
            ExprKind::Attribute { value, .. } => self.expr(*value, st),
            ExprKind::Subscript { value, indices } => {
                self.expr(*value, st);
                self.exprs(indices, st);
            }
            ExprKind::Tuple(items) => self.exprs(items, st),
            ExprKind::Slice { lower, upper, step } => {
                let parts: Vec<ExprId> = [lower, upper, step]
                    .into_iter()
                    .flatten()
                    .copied()
                    .collect();
                self.exprs(&parts, st)
            }
            ExprKind::Ellipsis => {}
        }
    }
}
