//! The facts of int64 locals assigned more than once, where they are read: a
//! forward dataflow over the structured statements, run once before lowering.
//!
//! The state maps a local to bounds (affine forms in symbols, which never
//! mention such a local) that hold where the walk is. An assignment replaces
//! the local's bounds with its value's; a branch condition adds bounds in its
//! branch; after an `if` the state is the join of the branches that fall
//! through, keeping a bound only when each branch proves it. A loop forgets
//! what its body assigns, on entry (every iteration starts from the state
//! before the loop, less those) and after it, so no fact of an iteration
//! reaches another. Each read records the bounds of its local there
//! (`Ranges::reads`), whatever order lowering later asks in.
//!
//! Bounds are exact integers: an assigned value gives its form only when the
//! form fits in int64 (else the program's value wrapped), a comparison of two
//! int64 values gives its bound as it is (the comparison was exact).

use std::collections::HashMap;

use frontend::hir::visit::{walk_block, walk_expr, Visitor};
use frontend::hir::{
    BoolOp, Callee, CmpOp, ExprId, ExprKind, Function, KnownFunction, LocalId, Stmt, StmtKind,
    Target, UnaryOp,
};
use typeinfer::Type;

use super::{shape_items, Affine, Assignments, Facts, Ranges, Sym};

type State = HashMap<LocalId, Facts>;

impl Ranges<'_> {
    /// Fills `reads`, walking the function as lowering will (loops entered,
    /// once-assigned locals defined), then leaves the analysis as it found it.
    pub(super) fn analyse_flow(&mut self) {
        let defined = self.defined.clone();
        let tf = self.tf;
        self.flow_block(&tf.hir.body);
        self.defined = defined;
        self.current.clear();
    }

    /// Walks `body`; whether its end is reached (no `return`, `raise`,
    /// `break` or `continue` left it).
    fn flow_block(&mut self, body: &[Stmt]) -> bool {
        body.iter().all(|stmt| self.flow_stmt(stmt))
    }

    // Its own recursion over statements, like lowering's: it enters loops and
    // joins branches on the way.
    fn flow_stmt(&mut self, stmt: &Stmt) -> bool {
        match &stmt.kind {
            StmtKind::Assign { target, value } => {
                self.record_reads(*value);
                self.record_target_reads(target);
                let facts = match target {
                    Target::Local(l) if self.flow_local(*l) => Some(self.value_facts(*value)),
                    _ => None,
                };
                let allocated = self.allocation_facts(*value);
                self.kill_target(target);
                if let (Target::Local(l), Some(facts)) = (target, facts) {
                    if !(facts.lower.is_empty() && facts.upper.is_empty()) {
                        self.current.insert(*l, facts);
                    }
                }
                for (l, lower) in allocated {
                    add_bound(&mut self.current.entry(l).or_default().lower, lower, false);
                }
                self.define(target);
                true
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.record_target_reads(target);
                self.record_reads(*value);
                self.kill_target(target);
                true
            }
            StmtKind::Expr(e) => {
                self.record_reads(*e);
                true
            }
            StmtKind::Return(value) => {
                if let Some(e) = value {
                    self.record_reads(*e);
                }
                false
            }
            StmtKind::Raise { .. } | StmtKind::Break | StmtKind::Continue => false,
            StmtKind::Pass => true,
            StmtKind::If { test, body, orelse } => {
                self.record_reads(*test);
                let before = self.current.clone();
                self.refine(*test, true);
                let then_falls = self.flow_block(body);
                let after_then = std::mem::replace(&mut self.current, before);
                self.refine(*test, false);
                let else_falls = self.flow_block(orelse);
                let after_else = std::mem::take(&mut self.current);
                self.current = match (then_falls, else_falls) {
                    (true, true) => self.join(after_then, after_else),
                    (true, false) => after_then,
                    (false, true) => after_else,
                    (false, false) => State::new(),
                };
                then_falls || else_falls
            }
            StmtKind::While { test, body } => {
                self.forget_assigned(body, None);
                let before = self.current.clone();
                self.record_reads(*test);
                self.refine(*test, true);
                self.flow_block(body);
                self.current = before;
                true
            }
            StmtKind::ForRange {
                var,
                start,
                stop,
                step,
                body,
                ..
            } => {
                for e in [start, stop, step] {
                    self.record_reads(*e);
                }
                self.forget_assigned(body, Some(*var));
                let before = self.current.clone();
                let step = self.exact(*step).and_then(|s| s.as_const());
                self.enter_loop(*var, *start, *stop, step, body);
                self.flow_block(body);
                self.exit_loop();
                self.current = before;
                true
            }
        }
    }

    /// Whether the state may hold bounds of local `l`: an int64 local that is
    /// not the variable of a loop being run (whose bounds its scope has).
    fn flow_local(&self, l: LocalId) -> bool {
        self.tf.local_type(l) == &Type::INT
            && !self.loops.iter().any(|s| s.var == l && s.facts.is_some())
            && !self.stable.contains_key(&l)
    }

    /// Records the bounds of each read in `e` of a local without a symbol.
    fn record_reads(&mut self, e: ExprId) {
        let mut reads = Reads(Vec::new());
        reads.visit_expr(&self.tf.hir, e);
        self.record(reads.0);
    }

    /// The reads of a target: a subscript's array and indices.
    fn record_target_reads(&mut self, target: &Target) {
        let mut reads = Reads(Vec::new());
        reads.visit_target(&self.tf.hir, target);
        self.record(reads.0);
    }

    fn record(&mut self, reads: Vec<(ExprId, LocalId)>) {
        for (e, l) in reads {
            if !self.flow_local(l) {
                continue;
            }
            let facts = self.current.get(&l).cloned().unwrap_or_default();
            // An expression met twice (`a = b = v` shares `v`) keeps the
            // bounds both walks saw.
            let facts = match self.reads.remove(&e) {
                Some(seen) => Facts {
                    lower: common(&seen.lower, &facts.lower),
                    upper: common(&seen.upper, &facts.upper),
                },
                None => facts,
            };
            self.reads.insert(e, facts);
        }
    }

    /// Bounds of the value of int64 expression `e` where the walk is.
    fn value_facts(&self, e: ExprId) -> Facts {
        if !self.is_int64(e) {
            return Facts::default();
        }
        if let Some(f) = self.exact(e).filter(|f| self.fits(f)) {
            return Facts {
                lower: vec![f.clone()],
                upper: vec![f],
            };
        }
        match &self.tf.hir.expr(e).kind {
            ExprKind::Local(l) => self.current.get(l).cloned().unwrap_or_default(),
            ExprKind::Call {
                callee: Callee::Known(f @ (KnownFunction::Min | KnownFunction::Max)),
                args,
                ..
            } if args.len() >= 2 => {
                let min = *f == KnownFunction::Min;
                let each: Vec<Facts> = args.iter().map(|a| self.value_facts(*a)).collect();
                // `min(a, b) <= a`: each argument's upper bound bounds it; a
                // lower bound must bound every argument.
                let (sides, shared): (Vec<&Vec<Affine>>, Vec<&Vec<Affine>>) = each
                    .iter()
                    .map(|f| {
                        if min {
                            (&f.upper, &f.lower)
                        } else {
                            (&f.lower, &f.upper)
                        }
                    })
                    .unzip();
                let mut one: Vec<Affine> = Vec::new();
                for b in sides.into_iter().flatten() {
                    if !one.contains(b) {
                        one.push(b.clone());
                    }
                }
                let mut all: Vec<Affine> = Vec::new();
                for c in shared.iter().copied().flatten() {
                    let bounds_every = shared.iter().all(|bounds| {
                        bounds.iter().any(|b| {
                            let gap = if min { b.sub(c) } else { c.sub(b) };
                            gap.is_some_and(|g| self.nonneg(&g))
                        })
                    });
                    if bounds_every && !all.contains(c) {
                        all.push(c.clone());
                    }
                }
                one.truncate(MAX_BOUNDS);
                all.truncate(MAX_BOUNDS);
                if min {
                    Facts {
                        lower: all,
                        upper: one,
                    }
                } else {
                    Facts {
                        lower: one,
                        upper: all,
                    }
                }
            }
            _ => self.definition_facts(e),
        }
    }

    /// What a successful `x = np.zeros(n + c)` shows: `n >= -c`, for a local
    /// `n` the state may bound (NumPy raised for a negative extent).
    fn allocation_facts(&self, value: ExprId) -> Vec<(LocalId, Affine)> {
        shape_items(self.tf, value)
            .into_iter()
            .filter_map(|item| {
                let f = self.exact(item).filter(|f| self.fits(f))?;
                let (s, k) = f.terms.iter().next().filter(|_| f.terms.len() == 1)?;
                match s {
                    Sym::Local(l) if *k == 1 && self.state_bounds(*l) => {
                        Some((*l, Affine::constant(f.c.checked_neg()?)))
                    }
                    _ => None,
                }
            })
            .collect()
    }

    /// Whether `facts(Sym::Local(l))` reads the state for `l`: any local but
    /// the variable of a loop being run.
    fn state_bounds(&self, l: LocalId) -> bool {
        self.tf.local_type(l) == &Type::INT && !self.loops.iter().any(|s| s.var == l)
    }

    /// Adds the bounds `test` having this truth value gives.
    fn refine(&mut self, test: ExprId, truth: bool) {
        let tf = self.tf;
        match &tf.hir.expr(test).kind {
            ExprKind::Unary {
                op: UnaryOp::Not,
                operand,
            } => self.refine(*operand, !truth),
            ExprKind::BoolOp { op, values } if (*op == BoolOp::And) == truth => {
                for v in values {
                    self.refine(*v, truth);
                }
            }
            // A chain that is false says only that one link is.
            ExprKind::Compare { left, comparisons } if truth || comparisons.len() == 1 => {
                let mut lhs = *left;
                for &(op, rhs) in comparisons {
                    let op = if truth { op } else { negated(op) };
                    self.refine_compare(lhs, op, rhs);
                    self.refine_compare(rhs, flipped(op), lhs);
                    lhs = rhs;
                }
            }
            _ => {}
        }
    }

    /// Adds the bound `x op y` gives `x`, a local read, when both are int64
    /// and `y`'s form fits (then the comparison compared exact values).
    fn refine_compare(&mut self, x: ExprId, op: CmpOp, y: ExprId) {
        let ExprKind::Local(l) = self.tf.hir.expr(x).kind else {
            return;
        };
        if !(self.is_int64(x) && self.is_int64(y) && self.state_bounds(l)) {
            return;
        }
        let Some(f) = self
            .exact(y)
            .filter(|f| self.fits(f) && f.coeff(Sym::Local(l)) == 0)
        else {
            return;
        };
        let (lower, upper) = match op {
            CmpOp::Lt => (None, f.offset(-1)),
            CmpOp::LtE => (None, Some(f)),
            CmpOp::Gt => (f.offset(1), None),
            CmpOp::GtE => (Some(f), None),
            CmpOp::Eq => (Some(f.clone()), Some(f)),
            CmpOp::NotEq => (None, None),
        };
        let facts = self.current.entry(l).or_default();
        if let Some(f) = lower {
            add_bound(&mut facts.lower, f, false);
        }
        if let Some(f) = upper {
            add_bound(&mut facts.upper, f, true);
        }
    }

    /// The bounds that hold after either state: those each proves.
    fn join(&mut self, a: State, b: State) -> State {
        // Each candidate is a bound of one side; tested in `a`, then in `b`.
        let mut candidates: Vec<(LocalId, Facts)> = a
            .iter()
            .filter_map(|(l, fa)| {
                let fb = b.get(l)?;
                let union = |x: &[Affine], y: &[Affine]| {
                    let mut out = x.to_vec();
                    out.extend(y.iter().filter(|f| !x.contains(f)).cloned());
                    out
                };
                Some((
                    *l,
                    Facts {
                        lower: union(&fa.lower, &fb.lower),
                        upper: union(&fa.upper, &fb.upper),
                    },
                ))
            })
            .collect();
        let here = std::mem::replace(&mut self.current, a);
        self.keep_implied(&mut candidates);
        self.current = b;
        self.keep_implied(&mut candidates);
        self.current = here;
        candidates
            .into_iter()
            .filter(|(_, f)| !(f.lower.is_empty() && f.upper.is_empty()))
            .map(|(l, mut f)| {
                f.lower.truncate(MAX_BOUNDS);
                f.upper.truncate(MAX_BOUNDS);
                (l, f)
            })
            .collect()
    }

    /// Keeps the candidate bounds of each local that its bounds in the state imply.
    fn keep_implied(&self, candidates: &mut [(LocalId, Facts)]) {
        let empty = Facts::default();
        for (l, c) in candidates {
            let have = self.current.get(l).unwrap_or(&empty);
            let implied = |bounds: &[Affine], c: &Affine, upper: bool| {
                bounds.iter().any(|b| {
                    let gap = if upper { c.sub(b) } else { b.sub(c) };
                    gap.is_some_and(|g| self.nonneg(&g))
                })
            };
            c.lower.retain(|f| implied(&have.lower, f, false));
            c.upper.retain(|f| implied(&have.upper, f, true));
        }
    }

    /// Forgets the bounds of what a statement assigns, and those that speak
    /// of it.
    fn kill_target(&mut self, target: &Target) {
        let mut bound = Assignments::default();
        bound.visit_target(&self.tf.hir, target);
        for l in bound.0.into_keys() {
            self.kill(l);
        }
    }

    /// Forgets what a loop's body (and its variable) assigns: the state on
    /// entry then holds at the start of every iteration, and after the loop.
    fn forget_assigned(&mut self, body: &[Stmt], var: Option<LocalId>) {
        let mut bound = Assignments::default();
        walk_block(&mut bound, &self.tf.hir, body);
        for l in bound.0.into_keys().chain(var) {
            self.kill(l);
        }
    }

    fn kill(&mut self, l: LocalId) {
        self.current.remove(&l);
        let mentions = |f: &Affine| {
            f.terms.keys().any(|s| match s {
                Sym::Local(m) | Sym::Extent(m, _) => *m == l,
            })
        };
        for facts in self.current.values_mut() {
            facts.lower.retain(|f| !mentions(f));
            facts.upper.retain(|f| !mentions(f));
        }
    }
}

/// How many bounds a local keeps on each side: proofs try each, and a chain
/// of `if x > d` nested 90 deep would otherwise give 90.
const MAX_BOUNDS: usize = 4;

/// Adds bound `f` (an upper one when `upper`): a constant replaces a weaker
/// constant, and past `MAX_BOUNDS` a new bound is dropped (fewer facts).
fn add_bound(bounds: &mut Vec<Affine>, f: Affine, upper: bool) {
    if let Some(k) = f.as_const() {
        if let Some(old) = bounds.iter_mut().find(|b| b.as_const().is_some()) {
            let c = old.c;
            old.c = if upper { c.min(k) } else { c.max(k) };
            return;
        }
    }
    if bounds.len() < MAX_BOUNDS && !bounds.contains(&f) {
        bounds.push(f);
    }
}

/// The bounds in both lists.
fn common(a: &[Affine], b: &[Affine]) -> Vec<Affine> {
    a.iter().filter(|f| b.contains(f)).cloned().collect()
}

/// `not (x op y)` as `x op' y`.
fn negated(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::GtE,
        CmpOp::LtE => CmpOp::Gt,
        CmpOp::Gt => CmpOp::LtE,
        CmpOp::GtE => CmpOp::Lt,
        CmpOp::Eq => CmpOp::NotEq,
        CmpOp::NotEq => CmpOp::Eq,
    }
}

/// `x op y` as `y op' x`.
fn flipped(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::LtE => CmpOp::GtE,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::GtE => CmpOp::LtE,
        CmpOp::Eq => CmpOp::Eq,
        CmpOp::NotEq => CmpOp::NotEq,
    }
}

/// The reads of locals in an expression, each with its expression.
struct Reads(Vec<(ExprId, LocalId)>);

impl Visitor for Reads {
    fn visit_expr(&mut self, f: &Function, e: ExprId) {
        if let ExprKind::Local(l) = f.expr(e).kind {
            self.0.push((e, l));
        }
        walk_expr(self, f, e);
    }
}
