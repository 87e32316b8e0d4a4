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

use frontend::hir::visit::{walk_expr, walk_target, Visitor};
use frontend::hir::{self, ExprId, ExprKind, LocalId, Stmt, StmtKind, Target};

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

// Its own recursion over statements: the state splits at branches and meets at joins.
impl Walk<'_> {
    fn block(&mut self, stmts: &[Stmt], mut state: State) -> State {
        for s in stmts {
            state = self.stmt(s, state?);
        }
        state
    }

    fn stmt(&mut self, s: &Stmt, mut st: Vec<bool>) -> State {
        let f = self.f;
        match &s.kind {
            StmtKind::Assign { target, value } => {
                let mut reads = self.reads(&mut st);
                reads.visit_expr(f, *value);
                reads.visit_target(f, target);
            }
            StmtKind::AugAssign { target, value, .. } => {
                match target {
                    Target::Local(l) => {
                        if !st[l.0 as usize] {
                            self.found.insert(LocalRead::AugAssign(*value), *l);
                        }
                    }
                    Target::Subscript { .. } => self.reads(&mut st).visit_target(f, target),
                    Target::Tuple(_) => {}
                }
                // The local is assigned after the value is read.
                self.reads(&mut st).visit_expr(f, *value);
                if let Target::Local(l) = target {
                    st[l.0 as usize] = true;
                }
            }
            StmtKind::Expr(e) => self.reads(&mut st).visit_expr(f, *e),
            StmtKind::If { test, body, orelse } => {
                self.reads(&mut st).visit_expr(f, *test);
                let then_state = self.block(body, Some(st.clone()));
                let else_state = self.block(orelse, Some(st));
                return meet(then_state, else_state);
            }
            StmtKind::While { test, body } => {
                self.reads(&mut st).visit_expr(f, *test);
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
                let mut reads = self.reads(&mut st);
                for e in [start, stop, step] {
                    reads.visit_expr(f, *e);
                }
                let mut inside = st.clone();
                inside[var.0 as usize] = true;
                // An empty range leaves the loop variable as it was.
                let breaks = self.loop_body(body, inside);
                return meet(Some(st), breaks);
            }
            StmtKind::Return(value) => {
                if let Some(e) = value {
                    self.reads(&mut st).visit_expr(f, *e);
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

    fn reads<'s>(&'s mut self, st: &'s mut [bool]) -> Reads<'s> {
        Reads {
            st,
            found: &mut self.found,
        }
    }
}

/// Over the expressions and targets of one statement, never its body (no
/// expression assigns, so `st` holds throughout an expression): records the
/// reads of locals not assigned in `st`, and assigns the targets.
struct Reads<'s> {
    st: &'s mut [bool],
    found: &'s mut HashMap<LocalRead, LocalId>,
}

impl Visitor for Reads<'_> {
    fn visit_expr(&mut self, f: &hir::Function, e: ExprId) {
        if let ExprKind::Local(l) = f.expr(e).kind {
            if !self.st[l.0 as usize] {
                self.found.insert(LocalRead::Expr(e), l);
            }
        }
        walk_expr(self, f, e);
    }

    /// Assigns left to right: `i, a[i] = ...` indexes with the new `i`.
    fn visit_target(&mut self, f: &hir::Function, target: &Target) {
        if let Target::Local(l) = target {
            self.st[l.0 as usize] = true;
        }
        walk_target(self, f, target);
    }
}
