//! Definite assignment: the reads of a local that may run before anything was
//! assigned to it (CPython raises `UnboundLocalError` there); and, for the
//! parameters passed `None`, which reads may see that `None`.
//!
//! A forward "must" analysis over HIR's structured control flow: the state at a
//! point is the set of locals assigned on every path reaching it. Assignments
//! only add to the set, so what reaches a loop's head along its back edges
//! always contains what reaches it on entry, and the head's state is the entry's:
//! one walk is the fixed point. A read in iteration 2 of a local assigned later
//! in iteration 1 is therefore "may be unbound" (it is on the first iteration's
//! path), which costs one flag test at run time and raises only if it really is.
//!
//! A parameter passed `None` (`none_flow`) starts "unassigned" too: its `None`
//! binding is left out of its type, so a read must see either only that `None`
//! or only assigned values. That takes a "may" set beside the "must" one (the
//! locals assigned on some path); at a loop's head it also holds every local the
//! loop body assigns anywhere (the back edges), a syntactic bound. An `if p is
//! None:` (or `is not`) on a parameter `p` is decided where `p` is surely `None`
//! or surely assigned; the walk then follows only the branch that runs, as the
//! specialization will (`prune`).

use std::collections::HashMap;

use frontend::hir::visit::{walk_block, walk_expr, walk_target, Visitor};
use frontend::hir::{self, ExprId, ExprKind, LocalId, Stmt, StmtKind, Target};

use crate::LocalRead;

/// What a read of a parameter passed `None` sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SeesNone {
    /// Only the `None` it was passed: the read is `None`.
    Only,
    /// That `None` on some paths, an assigned value on others: an error.
    Maybe,
}

/// What `none_flow` found.
#[derive(Debug, Default)]
pub(crate) struct NoneFlow {
    /// The reads of a parameter passed `None` that may see that `None`; the
    /// other reads of it see only values assigned to it.
    pub(crate) reads: HashMap<LocalRead, SeesNone>,
    /// The test of each `if` (or `x if test else y`) that is `p is None` or
    /// `p is not None` on a parameter `p` known there to be `None` or not:
    /// whether its body (rather than its `else`) runs.
    pub(crate) decided: HashMap<ExprId, bool>,
}

#[derive(Clone, Debug)]
struct Facts {
    /// Assigned on every path to the point.
    must: Vec<bool>,
    /// Assigned on some path to the point.
    may: Vec<bool>,
}

/// `None` where no path reaches a point (after `return`, `raise`, `break`,
/// `continue`, or in a branch decided never to run): the identity of `meet`.
type State = Option<Facts>;

/// The reads of `f` that may find their local unassigned, each with its local.
pub(crate) fn maybe_unbound(f: &hir::Function) -> HashMap<LocalRead, LocalId> {
    walk(f, &[]).found
}

/// The reads of the parameters in `none_params` (those passed `None`) that
/// may see that `None`, and the `if`s on `p is None` that are decided.
pub(crate) fn none_flow(f: &hir::Function, none_params: &[LocalId]) -> NoneFlow {
    let w = walk(f, none_params);
    NoneFlow {
        reads: w.none_reads,
        decided: w.decided,
    }
}

/// The reads in `body` (a loop's body) of the locals in `fresh` that may run
/// before the body assigns them, each with its local: such a read sees a
/// value from before the iteration.
pub(crate) fn reads_before_assignment(
    f: &hir::Function,
    body: &[Stmt],
    fresh: &[LocalId],
) -> HashMap<LocalRead, LocalId> {
    let mut entry = vec![true; f.locals.len()];
    for l in fresh {
        entry[l.0 as usize] = false;
    }
    walk_from(f, body, entry, vec![false; f.locals.len()]).found
}

fn walk<'f>(f: &'f hir::Function, none_params: &[LocalId]) -> Walk<'f> {
    let mut entry = vec![false; f.locals.len()];
    for p in &f.params {
        entry[p.0 as usize] = true;
    }
    let mut passed_none = vec![false; f.locals.len()];
    for p in none_params {
        entry[p.0 as usize] = false;
        passed_none[p.0 as usize] = true;
    }
    walk_from(f, &f.body, entry, passed_none)
}

/// Walks `body` from a state where exactly the locals `assigned` says are.
fn walk_from<'f>(
    f: &'f hir::Function,
    body: &[Stmt],
    assigned: Vec<bool>,
    passed_none: Vec<bool>,
) -> Walk<'f> {
    let mut walk = Walk {
        f,
        passed_none,
        found: HashMap::new(),
        none_reads: HashMap::new(),
        decided: HashMap::new(),
        breaks: Vec::new(),
    };
    let facts = Facts {
        may: assigned.clone(),
        must: assigned,
    };
    walk.block(body, Some(facts));
    walk
}

struct Walk<'f> {
    f: &'f hir::Function,
    /// Indexed by local: a parameter passed `None`.
    passed_none: Vec<bool>,
    found: HashMap<LocalRead, LocalId>,
    none_reads: HashMap<LocalRead, SeesNone>,
    decided: HashMap<ExprId, bool>,
    /// For each enclosing loop, the meet of the states at its `break`s.
    breaks: Vec<State>,
}

/// The locals assigned on both paths (`must`), on either (`may`).
fn meet(a: State, b: State) -> State {
    match (a, b) {
        (None, s) | (s, None) => s,
        (Some(mut a), Some(b)) => {
            for (x, y) in a.must.iter_mut().zip(b.must) {
                *x &= y;
            }
            for (x, y) in a.may.iter_mut().zip(b.may) {
                *x |= y;
            }
            Some(a)
        }
    }
}

/// Records a read of `l` in `st`: one that may find it unassigned, or, for
/// a parameter passed `None`, one that may see that `None`.
fn record_read(
    st: &Facts,
    passed_none: &[bool],
    l: LocalId,
    read: LocalRead,
    found: &mut HashMap<LocalRead, LocalId>,
    none_reads: &mut HashMap<LocalRead, SeesNone>,
) {
    let i = l.0 as usize;
    if st.must[i] {
        return;
    }
    if !passed_none[i] {
        found.insert(read, l);
    } else if st.may[i] {
        none_reads.insert(read, SeesNone::Maybe);
    } else {
        none_reads.insert(read, SeesNone::Only);
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

    fn stmt(&mut self, s: &Stmt, mut st: Facts) -> State {
        let f = self.f;
        match &s.kind {
            StmtKind::Assign { target, value } => {
                let mut reads = self.reads(&mut st);
                reads.visit_expr(f, *value);
                reads.visit_target(f, target);
            }
            StmtKind::AugAssign { target, value, .. } => {
                match target {
                    Target::Local(l) => record_read(
                        &st,
                        &self.passed_none,
                        *l,
                        LocalRead::AugAssign(*value),
                        &mut self.found,
                        &mut self.none_reads,
                    ),
                    Target::Subscript { .. } => self.reads(&mut st).visit_target(f, target),
                    Target::Tuple(_) => {}
                }
                // The local is assigned after the value is read.
                self.reads(&mut st).visit_expr(f, *value);
                if let Target::Local(l) = target {
                    st.must[l.0 as usize] = true;
                    st.may[l.0 as usize] = true;
                }
            }
            StmtKind::Expr(e) => self.reads(&mut st).visit_expr(f, *e),
            StmtKind::If { test, body, orelse } => {
                let runs_body = decide(f, *test, &st);
                self.reads(&mut st).visit_expr(f, *test);
                if let Some(runs_body) = runs_body {
                    self.decided.insert(*test, runs_body);
                }
                let then_state = match runs_body {
                    Some(false) => None,
                    _ => self.block(body, Some(st.clone())),
                };
                let else_state = match runs_body {
                    Some(true) => None,
                    _ => self.block(orelse, Some(st)),
                };
                return meet(then_state, else_state);
            }
            StmtKind::While { test, body } => {
                widen_to_loop(f, body, &mut st);
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
                widen_to_loop(f, body, &mut st);
                let mut inside = st.clone();
                inside.must[var.0 as usize] = true;
                inside.may[var.0 as usize] = true;
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
    fn loop_body(&mut self, body: &[Stmt], st: Facts) -> State {
        self.breaks.push(None);
        self.block(body, Some(st));
        self.breaks.pop().flatten()
    }

    fn reads<'s>(&'s mut self, st: &'s mut Facts) -> Reads<'s> {
        Reads {
            st,
            passed_none: &self.passed_none,
            found: &mut self.found,
            none_reads: &mut self.none_reads,
            decided: &mut self.decided,
        }
    }
}

/// For a test `p is None` / `p is not None` (of an `if` or an `x if test
/// else y`) on a parameter `p` surely `None` or surely assigned in `st`:
/// whether the body runs.
fn decide(f: &hir::Function, test: ExprId, st: &Facts) -> Option<bool> {
    let ExprKind::IsNone { value, negated } = f.expr(test).kind else {
        return None;
    };
    let ExprKind::Local(p) = f.expr(value).kind else {
        return None;
    };
    if !f.params.contains(&p) {
        return None;
    }
    let is_none = match (st.must[p.0 as usize], st.may[p.0 as usize]) {
        (true, _) => false,
        (false, false) => true,
        (false, true) => return None,
    };
    Some(is_none != negated)
}

/// At a loop's head: every local its body assigns (anywhere, a syntactic
/// bound; `x op= v` and a nested loop's variable are targets too) may have
/// been assigned by an earlier iteration.
fn widen_to_loop(f: &hir::Function, body: &[Stmt], st: &mut Facts) {
    struct Assigned<'s>(&'s mut [bool]);
    impl Visitor for Assigned<'_> {
        fn visit_target(&mut self, f: &hir::Function, target: &Target) {
            if let Target::Local(l) = target {
                self.0[l.0 as usize] = true;
            }
            walk_target(self, f, target);
        }
    }
    walk_block(&mut Assigned(&mut st.may), f, body);
}

/// Over the expressions and targets of one statement, never its body (no
/// expression assigns, so `st` holds throughout an expression): records the
/// reads of locals not assigned in `st`, and assigns the targets.
struct Reads<'s> {
    st: &'s mut Facts,
    passed_none: &'s [bool],
    found: &'s mut HashMap<LocalRead, LocalId>,
    none_reads: &'s mut HashMap<LocalRead, SeesNone>,
    decided: &'s mut HashMap<ExprId, bool>,
}

impl Visitor for Reads<'_> {
    fn visit_expr(&mut self, f: &hir::Function, e: ExprId) {
        // A decided `x if p is None else y` evaluates one branch (`prune`).
        if let ExprKind::IfExp { test, body, orelse } = f.expr(e).kind {
            if let Some(runs_body) = decide(f, test, self.st) {
                self.decided.insert(test, runs_body);
                self.visit_expr(f, test);
                return self.visit_expr(f, if runs_body { body } else { orelse });
            }
        }
        if let ExprKind::Local(l) = f.expr(e).kind {
            record_read(
                self.st,
                self.passed_none,
                l,
                LocalRead::Expr(e),
                self.found,
                self.none_reads,
            );
        }
        walk_expr(self, f, e);
    }

    /// Assigns left to right: `i, a[i] = ...` indexes with the new `i`.
    fn visit_target(&mut self, f: &hir::Function, target: &Target) {
        if let Target::Local(l) = target {
            self.st.must[l.0 as usize] = true;
            self.st.may[l.0 as usize] = true;
        }
        walk_target(self, f, target);
    }
}
