//! Symbolic range analysis: proves indices in range so their checks can go.
//!
//! Values are affine forms `c + sum(k * sym)` over loop-invariant symbols:
//! array extents, locals assigned once at the top level of the function, and
//! the variables of the enclosing `for` loops. Each symbol carries facts
//! (lower and upper bounds, themselves affine). `x >= 0` is proved by
//! replacing symbols with their bounds (a lower bound where the coefficient is
//! positive, an upper bound where it is negative) until only a constant is
//! left; that is how `i + a` with `i in [r, n-r-1]`, `a in [-r, r]` cancels
//! to `[0, n-1]`.
//!
//! Affine forms are exact integers, while int64 arithmetic wraps: the index
//! the program computes is only congruent to its form modulo 2**64. A proof
//! that the form lies in `[0, extent)` makes the two equal, provided every
//! fact it used is true of the values the program computed. So a bound is only
//! a fact when its form provably stays within int64 (`fits`, from the
//! intervals of its symbols): `range(c + 5)` with a huge `c` gives none.
//! Facts are also flow-sensitive: a once-assigned local is known (`define`)
//! only after its assignment ran. An int64 local assigned more than once has
//! facts where it is read, from a forward dataflow over the statements
//! (`flow.rs`): each assignment and branch condition bounds it, and a join
//! keeps the bounds every path reaching the read proves (`if k >= n: k = n - 1`
//! leaves `k <= n - 1`).

use std::collections::{BTreeMap, HashMap, HashSet};

use frontend::hir::visit::{walk_block, walk_stmt, walk_target, Visitor};
use frontend::hir::{
    AllocFn, BinOp, Callee, Constant, Dtype, ExprId, ExprKind, Function, KnownFunction, LocalId,
    Stmt, StmtKind, Target, UnaryOp,
};
use typeinfer::{Type, TypedFunction};

mod flow;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Sym {
    /// Extent `axis` of an array local that is never reassigned.
    Extent(LocalId, u8),
    /// An int64 local that is invariant where it is used.
    Local(LocalId),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Affine {
    pub(crate) c: i64,
    pub(crate) terms: BTreeMap<Sym, i64>,
}

impl Affine {
    pub(crate) fn constant(c: i64) -> Affine {
        Affine {
            c,
            terms: BTreeMap::new(),
        }
    }
    pub(crate) fn sym(s: Sym) -> Affine {
        Affine {
            c: 0,
            terms: BTreeMap::from([(s, 1)]),
        }
    }
    pub(crate) fn coeff(&self, s: Sym) -> i64 {
        self.terms.get(&s).copied().unwrap_or(0)
    }
    pub(crate) fn as_const(&self) -> Option<i64> {
        self.terms.is_empty().then_some(self.c)
    }
    /// `self + k * other`, `None` on overflow.
    pub(crate) fn add_scaled(&self, other: &Affine, k: i64) -> Option<Affine> {
        let mut out = self.clone();
        out.c = out.c.checked_add(other.c.checked_mul(k)?)?;
        for (s, v) in &other.terms {
            let e = out.terms.entry(*s).or_insert(0);
            *e = e.checked_add(v.checked_mul(k)?)?;
            if *e == 0 {
                out.terms.remove(s);
            }
        }
        Some(out)
    }
    pub(crate) fn add(&self, other: &Affine) -> Option<Affine> {
        self.add_scaled(other, 1)
    }
    pub(crate) fn sub(&self, other: &Affine) -> Option<Affine> {
        self.add_scaled(other, -1)
    }
    pub(crate) fn scale(&self, k: i64) -> Option<Affine> {
        Affine::constant(0).add_scaled(self, k)
    }
    pub(crate) fn offset(&self, k: i64) -> Option<Affine> {
        self.add(&Affine::constant(k))
    }
    /// `self` with `s` replaced by `value`.
    pub(crate) fn substitute(&self, s: Sym, value: &Affine) -> Option<Affine> {
        let k = self.coeff(s);
        let mut rest = self.clone();
        rest.terms.remove(&s);
        rest.add_scaled(value, k)
    }
}

/// Lower and upper bounds of a symbol.
#[derive(Clone, Debug, Default)]
pub(crate) struct Facts {
    pub(crate) lower: Vec<Affine>,
    pub(crate) upper: Vec<Affine>,
}

/// Where a local that is assigned once gets its value.
#[derive(Clone, Copy, Debug)]
enum Source {
    Param,
    Expr(ExprId),
    Extent(LocalId, u8),
    Opaque,
}

struct LoopScope {
    var: LocalId,
    /// `None` when the loop variable is reassigned in the body.
    facts: Option<Facts>,
    /// The values the variable can take whatever the bounds: a range stops
    /// before its int64 stop (`range(1, n)` never reaches `2**63 - 1`).
    values: Interval,
    /// The locals the body assigns: an array among them may be another array
    /// from one iteration to the next.
    assigned: HashSet<LocalId>,
}

/// How far substitution goes looking for a proof; each step removes one symbol
/// occurrence, and real kernels need three or four.
const PROOF_DEPTH: u32 = 6;
/// Guards recursion through definitions (`n = m + 1`, `m = ...`).
const DEF_DEPTH: u32 = 16;

/// The values an int64 can take, as an interval of exact integers.
type Interval = (i128, i128);
const FULL: Interval = (i64::MIN as i128, i64::MAX as i128);

pub(crate) struct Ranges<'a> {
    tf: &'a TypedFunction,
    /// Locals that never change once assigned, with where their value comes from.
    stable: HashMap<LocalId, Source>,
    /// The stable locals whose assignment has run where lowering is: a fact
    /// about a value must not reach reads before it (`a[n - i]` ahead of `n = ...`).
    defined: HashSet<LocalId>,
    loops: Vec<LoopScope>,
    /// Inside the fast copy of a versioned loop or loop nest: the checks
    /// (array, axis, index expression) its condition established.
    assumed: Assumed,
    /// The extent expression of each axis of an array local assigned once, by
    /// `np.empty`/`zeros`/`ones`/`full`: the array any read of it sees.
    allocated: HashMap<(LocalId, u8), ExprId>,
    /// Bounds of a local assigned more than once where it is read (the read's
    /// expression), from the flow analysis; none for a local with a symbol.
    reads: HashMap<ExprId, Facts>,
    /// While the flow analysis runs only: bounds of locals that hold where it
    /// is (`if k >= n` in its branch, `n >= 0` after `np.zeros(n)`).
    current: HashMap<LocalId, Facts>,
}

/// Array accesses (array, axis, index expression) whose checks a version
/// condition established, each with whether the condition showed the index in
/// `[-extent, extent)` only, so that it is in bounds once wrapped around
/// (`true`), or in `[0, extent)` (`false`).
pub(crate) type Assumed = HashMap<(LocalId, u8, ExprId), bool>;

impl<'a> Ranges<'a> {
    pub(crate) fn new(tf: &'a TypedFunction) -> Ranges<'a> {
        let hir = &tf.hir;
        let mut count = Assignments::default();
        walk_block(&mut count, hir, &hir.body);
        let count = count.0;
        let mut stable = HashMap::new();
        let mut defined = HashSet::new();
        for p in &hir.params {
            if !count.contains_key(p) {
                stable.insert(*p, Source::Param);
                defined.insert(*p);
            }
        }
        for stmt in &hir.body {
            if let StmtKind::Assign { target, value } = &stmt.kind {
                collect_sources(tf, target, Some(*value), &count, &mut stable);
            }
        }
        let mut allocations = Allocations {
            tf,
            count: &count,
            out: HashMap::new(),
        };
        walk_block(&mut allocations, hir, &hir.body);
        let allocated = allocations.out;
        let mut ranges = Ranges {
            tf,
            stable,
            defined,
            loops: Vec::new(),
            assumed: HashMap::new(),
            allocated,
            reads: HashMap::new(),
            current: HashMap::new(),
        };
        ranges.analyse_flow();
        ranges
    }

    /// Records that the assignment to `target` has run: its stable locals are known from here on.
    pub(crate) fn define(&mut self, target: &Target) {
        let mut bound = Assignments::default();
        bound.visit_target(&self.tf.hir, target);
        let stable = &self.stable;
        self.defined
            .extend(bound.0.into_keys().filter(|l| stable.contains_key(l)));
    }

    /// The source of a stable local, once its assignment has run.
    fn source(&self, l: LocalId) -> Option<&Source> {
        self.stable.get(&l).filter(|_| self.defined.contains(&l))
    }

    /// Whether array local `l` is one array wherever the code being lowered
    /// can see it from here: assigned once in the function (and already), or
    /// not assigned in the body of the innermost loop entered, so that its
    /// extents are the same from that loop's start to its end (`u, v = v, u`
    /// in an outer loop leaves both stable within the inner ones). Facts
    /// about an extent only come from loops entered while it was stable, so
    /// a fact never speaks of an earlier array of the same name.
    pub(crate) fn is_stable_array(&self, l: LocalId) -> bool {
        matches!(self.tf.local_type(l), Type::Array(_))
            && (self.source(l).is_some()
                || self.loops.last().is_some_and(|s| !s.assigned.contains(&l)))
    }

    /// Whether array local `l` is one array throughout the loop over `var`
    /// (entered): what a condition tested before that loop may assume.
    pub(crate) fn is_array_invariant_in(&self, l: LocalId, var: LocalId) -> bool {
        matches!(self.tf.local_type(l), Type::Array(_))
            && (self.source(l).is_some()
                || self
                    .loops
                    .iter()
                    .rev()
                    .find(|s| s.var == var)
                    .is_some_and(|s| !s.assigned.contains(&l)))
    }

    fn is_int64(&self, e: ExprId) -> bool {
        self.tf.coerced_type(e) == &Type::INT && self.tf.expr_type(e) == &Type::INT
    }

    /// The exact value of the int64 expression `e` as an affine form, if it is one.
    pub(crate) fn exact(&self, e: ExprId) -> Option<Affine> {
        self.exact_at(e, DEF_DEPTH)
    }

    fn exact_at(&self, e: ExprId, depth: u32) -> Option<Affine> {
        if depth == 0 || !self.is_int64(e) {
            return None;
        }
        let hir = &self.tf.hir;
        match &hir.expr(e).kind {
            ExprKind::Const(Constant::Int(v))
            | ExprKind::Global {
                value: Constant::Int(v),
                ..
            } => Some(Affine::constant(*v)),
            ExprKind::Local(l) => self.local_value(*l, depth),
            ExprKind::Unary {
                op: UnaryOp::Neg,
                operand,
            } => self.exact_at(*operand, depth - 1)?.scale(-1),
            ExprKind::Unary {
                op: UnaryOp::Pos,
                operand,
            } => self.exact_at(*operand, depth - 1),
            ExprKind::Binary { op, lhs, rhs, .. } => {
                let l = self.exact_at(*lhs, depth - 1);
                let r = self.exact_at(*rhs, depth - 1);
                match op {
                    BinOp::Add => l?.add(&r?),
                    BinOp::Sub => l?.sub(&r?),
                    BinOp::Mul => {
                        let (l, r) = (l?, r?);
                        match (l.as_const(), r.as_const()) {
                            (Some(k), _) => r.scale(k),
                            (_, Some(k)) => l.scale(k),
                            _ => None,
                        }
                    }
                    _ => None,
                }
            }
            ExprKind::Call {
                callee: Callee::Known(KnownFunction::Len),
                args,
                ..
            } => self.extent_of(*args.first()?, 0),
            ExprKind::Subscript { value, indices } if indices.len() == 1 => {
                let ExprKind::Attribute { value: arr, attr } = &hir.expr(*value).kind else {
                    return None;
                };
                let ExprKind::Const(Constant::Int(k)) = hir.expr(indices[0]).kind else {
                    return None;
                };
                if attr != "shape" {
                    return None;
                }
                let ndim = self.tf.expr_type(*arr).as_array()?.ndim as i64;
                let k = if k < 0 { k + ndim } else { k };
                if !(0..ndim).contains(&k) {
                    return None;
                }
                self.extent_of(*arr, k as u8)
            }
            ExprKind::Attribute { value, attr } if attr == "size" => {
                let arr = self.tf.expr_type(*value).as_array()?;
                if arr.ndim == 1 {
                    self.extent_of(*value, 0)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    fn extent_of(&self, arr: ExprId, axis: u8) -> Option<Affine> {
        match self.tf.hir.expr(arr).kind {
            ExprKind::Local(l) if self.is_stable_array(l) => {
                Some(Affine::sym(Sym::Extent(l, axis)))
            }
            _ => None,
        }
    }

    fn local_value(&self, l: LocalId, depth: u32) -> Option<Affine> {
        if self.tf.local_type(l) != &Type::INT {
            return None;
        }
        if let Some(scope) = self.loops.iter().rev().find(|s| s.var == l) {
            return scope.facts.as_ref().map(|_| Affine::sym(Sym::Local(l)));
        }
        match self.source(l)? {
            // The extent of the array the local was assigned from, which only
            // a once-assigned array keeps being.
            Source::Extent(arr, k) if self.source(*arr).is_some() => {
                Some(Affine::sym(Sym::Extent(*arr, *k)))
            }
            Source::Expr(e) => self
                .exact_at(*e, depth - 1)
                .or(Some(Affine::sym(Sym::Local(l)))),
            _ => Some(Affine::sym(Sym::Local(l))),
        }
    }

    /// What is known about a symbol.
    fn facts(&self, s: Sym) -> Facts {
        match s {
            Sym::Extent(arr, axis) => {
                let mut facts = Facts {
                    lower: vec![Affine::constant(0)],
                    upper: Vec::new(),
                };
                if let Some(n) = self.allocated_extent(arr, axis) {
                    facts.lower.push(n.clone());
                    facts.upper.push(n);
                }
                facts
            }
            Sym::Local(l) => {
                if let Some(scope) = self.loops.iter().rev().find(|s| s.var == l) {
                    return scope.facts.clone().unwrap_or_default();
                }
                let mut facts = match self.source(l) {
                    Some(Source::Expr(e)) => self.definition_facts(*e),
                    _ => Facts::default(),
                };
                if let Some(here) = self.current.get(&l) {
                    facts.lower.extend(here.lower.iter().cloned());
                    facts.upper.extend(here.upper.iter().cloned());
                }
                facts
            }
        }
    }

    /// The extent `axis` of array local `arr` as the form of the shape it was
    /// allocated with (`np.zeros(n)` has extent `n`: the allocation raised
    /// otherwise). Only a form in symbols that never change once bound is
    /// the same where the array is read as where it was allocated.
    fn allocated_extent(&self, arr: LocalId, axis: u8) -> Option<Affine> {
        let item = *self.allocated.get(&(arr, axis))?;
        let n = self.exact(item).filter(|f| self.fits(f))?;
        n.terms
            .keys()
            .all(|s| match s {
                Sym::Local(l) | Sym::Extent(l, _) => self.stable.contains_key(l),
            })
            .then_some(n)
    }

    /// Whether the exact value of `f` is within int64 for all values its
    /// symbols can take, so that the wrapping arithmetic computing it gives it.
    pub(crate) fn fits(&self, f: &Affine) -> bool {
        self.interval(f, DEF_DEPTH)
            .is_some_and(|(lo, hi)| lo >= FULL.0 && hi <= FULL.1)
    }

    /// The values an int64 expression takes, from its affine form and from
    /// what it computes (`i % 13` is in [0, 12], `i % 5 - 2` in [-2, 2]).
    pub(crate) fn value_interval(&self, e: ExprId) -> (i64, i64) {
        let (lo, hi) = self.computed_interval(e);
        // Within FULL: it converts exactly.
        (lo as i64, hi as i64)
    }

    fn computed_interval(&self, e: ExprId) -> Interval {
        let (alo, ahi) = self.expr_interval(e, DEF_DEPTH);
        let (dlo, dhi) = self.definition_interval(e, DEF_DEPTH);
        let (mut lo, mut hi) = (alo.max(dlo), ahi.min(dhi));
        if let ExprKind::Binary {
            op: op @ (BinOp::Add | BinOp::Sub),
            lhs,
            rhs,
            ..
        } = &self.tf.hir.expr(e).kind
        {
            let shift = self.exact(*rhs).and_then(|a| a.as_const()).map(i128::from);
            if let Some(c) = shift.map(|c| if *op == BinOp::Sub { -c } else { c }) {
                let (llo, lhi) = self.computed_interval(*lhs);
                // Where the shifted interval leaves int64, the arithmetic wrapped.
                if llo + c >= FULL.0 && lhi + c <= FULL.1 {
                    (lo, hi) = (lo.max(llo + c), hi.min(lhi + c));
                }
            }
        }
        (lo, hi)
    }

    /// The exact values `f` can take; `None` when even i128 cannot hold them.
    fn interval(&self, f: &Affine, depth: u32) -> Option<Interval> {
        let (mut lo, mut hi) = (i128::from(f.c), i128::from(f.c));
        for (s, k) in &f.terms {
            let (slo, shi) = self.sym_interval(*s, depth);
            let k = i128::from(*k);
            let (a, b) = (slo.checked_mul(k)?, shi.checked_mul(k)?);
            lo = lo.checked_add(a.min(b))?;
            hi = hi.checked_add(a.max(b))?;
        }
        Some((lo, hi))
    }

    /// The values an int64 expression takes: those of its form when that fits,
    /// else any (it wrapped).
    fn expr_interval(&self, e: ExprId, depth: u32) -> Interval {
        self.exact_at(e, depth)
            .and_then(|f| self.interval(&f, depth))
            .filter(|(lo, hi)| *lo >= FULL.0 && *hi <= FULL.1)
            .unwrap_or(FULL)
    }

    fn sym_interval(&self, s: Sym, depth: u32) -> Interval {
        if depth == 0 {
            return FULL;
        }
        let l = match s {
            Sym::Extent(..) => return (0, FULL.1),
            Sym::Local(l) => l,
        };
        if let Some(scope) = self.loops.iter().rev().find(|s| s.var == l) {
            return match &scope.facts {
                Some(facts) => {
                    let (lo, hi) = self.facts_interval(facts, depth);
                    (lo.max(scope.values.0), hi.min(scope.values.1))
                }
                None => FULL,
            };
        }
        let (lo, hi) = match self.source(l) {
            Some(Source::Expr(e)) => self.definition_interval(*e, depth - 1),
            _ => FULL,
        };
        match self.current.get(&l) {
            Some(here) => {
                let (hlo, hhi) = self.facts_interval(here, depth);
                (lo.max(hlo), hi.min(hhi))
            }
            None => (lo, hi),
        }
    }

    /// The values a symbol with these bounds takes: facts are true bounds, so
    /// each one bounds it.
    fn facts_interval(&self, facts: &Facts, depth: u32) -> Interval {
        let bound = |f: &Affine| self.interval(f, depth - 1).unwrap_or(FULL);
        let lo = facts
            .lower
            .iter()
            .map(|f| bound(f).0)
            .fold(FULL.0, i128::max);
        let hi = facts
            .upper
            .iter()
            .map(|f| bound(f).1)
            .fold(FULL.1, i128::min);
        (lo, hi)
    }

    /// The values of a non-affine definition such as `k.shape[0] // 2`.
    fn definition_interval(&self, e: ExprId, depth: u32) -> Interval {
        let hir = &self.tf.hir;
        let divisor = |rhs: ExprId| {
            self.exact(rhs)
                .and_then(|a| a.as_const())
                .filter(|d| *d > 0)
                .map(i128::from)
        };
        let args = |args: &[ExprId]| -> Vec<Interval> {
            args.iter().map(|a| self.expr_interval(*a, depth)).collect()
        };
        match &hir.expr(e).kind {
            ExprKind::Binary {
                op: BinOp::FloorDiv,
                lhs,
                rhs,
                ..
            } => match divisor(*rhs) {
                Some(d) => {
                    let (lo, hi) = self.expr_interval(*lhs, depth);
                    (lo.div_euclid(d), hi.div_euclid(d))
                }
                None => FULL,
            },
            ExprKind::Binary {
                op: BinOp::Mod,
                rhs,
                ..
            } => divisor(*rhs).map_or(FULL, |d| (0, d - 1)),
            ExprKind::Call {
                callee: Callee::Known(KnownFunction::Min),
                args: a,
                ..
            } if !a.is_empty() => args(a)
                .into_iter()
                .reduce(|x, y| (x.0.min(y.0), x.1.min(y.1)))
                .unwrap_or(FULL),
            ExprKind::Call {
                callee: Callee::Known(KnownFunction::Max),
                args: a,
                ..
            } if !a.is_empty() => args(a)
                .into_iter()
                .reduce(|x, y| (x.0.max(y.0), x.1.max(y.1)))
                .unwrap_or(FULL),
            ExprKind::Attribute { attr, .. } if attr == "size" => (0, FULL.1),
            _ => FULL,
        }
    }

    /// Bounds of a non-affine definition such as `k.shape[0] // 2` or `min(len(a), len(b))`.
    fn definition_facts(&self, e: ExprId) -> Facts {
        let hir = &self.tf.hir;
        let mut facts = Facts::default();
        let zero = Affine::constant(0);
        match &hir.expr(e).kind {
            ExprKind::Binary {
                op: BinOp::FloorDiv,
                lhs,
                rhs,
                ..
            } => {
                let divisor = self.exact(*rhs).and_then(|a| a.as_const());
                if let (Some(x), Some(d)) = (self.exact(*lhs), divisor) {
                    if d > 0 && self.fits(&x) && self.nonneg(&x) {
                        facts.lower.push(zero);
                        facts.upper.push(x);
                    }
                }
            }
            ExprKind::Binary {
                op: BinOp::Mod,
                rhs,
                ..
            } => {
                if let Some(d) = self
                    .exact(*rhs)
                    .and_then(|a| a.as_const())
                    .filter(|d| *d > 0)
                {
                    facts.lower.push(zero);
                    facts.upper.push(Affine::constant(d - 1));
                }
            }
            ExprKind::Call {
                callee: Callee::Known(KnownFunction::Min),
                args,
                ..
            } => {
                // An argument that may wrap says nothing about the value computed.
                let exact: Vec<Option<Affine>> = args
                    .iter()
                    .map(|a| self.exact(*a).filter(|f| self.fits(f)))
                    .collect();
                if exact
                    .iter()
                    .all(|a| a.as_ref().is_some_and(|a| self.nonneg(a)))
                {
                    facts.lower.push(zero);
                }
                facts.upper.extend(exact.into_iter().flatten());
            }
            ExprKind::Call {
                callee: Callee::Known(KnownFunction::Max),
                args,
                ..
            } => {
                facts.lower.extend(
                    args.iter()
                        .filter_map(|a| self.exact(*a))
                        .filter(|f| self.fits(f)),
                );
            }
            ExprKind::Call {
                callee: Callee::Known(KnownFunction::Abs),
                args,
                ..
            } => {
                // `abs(-2**63)` wraps to itself.
                let arg = args
                    .first()
                    .map_or(FULL, |a| self.expr_interval(*a, DEF_DEPTH));
                if arg.0 > FULL.0 {
                    facts.lower.push(zero);
                }
            }
            ExprKind::Attribute { attr, .. } if attr == "size" => facts.lower.push(zero),
            _ => {}
        }
        facts
    }

    /// Proves `f >= 0`.
    pub(crate) fn nonneg(&self, f: &Affine) -> bool {
        self.nonneg_at(f, PROOF_DEPTH)
    }

    fn nonneg_at(&self, f: &Affine, depth: u32) -> bool {
        if f.terms.is_empty() {
            return f.c >= 0;
        }
        if depth == 0 {
            return false;
        }
        let options: Vec<(Sym, Vec<Affine>)> = f
            .terms
            .iter()
            .map(|(s, k)| {
                let facts = self.facts(*s);
                (*s, if *k > 0 { facts.lower } else { facts.upper })
            })
            .collect();
        // A symbol with no bound in the needed direction is eliminated only
        // by another one's bound cancelling it (an extent `n` allocated as
        // `np.zeros(n)` cancels `n`, which has none).
        let stuck = |s: &Sym| {
            !options
                .iter()
                .any(|(_, bounds)| bounds.iter().any(|b| b.coeff(*s) != 0))
        };
        if options
            .iter()
            .any(|(s, bounds)| bounds.is_empty() && stuck(s))
        {
            return false;
        }
        options.iter().any(|(s, bounds)| {
            bounds.iter().any(|b| {
                // A bound mentioning its own symbol would not make progress.
                b.coeff(*s) == 0
                    && f.substitute(*s, b)
                        .is_some_and(|g| self.nonneg_at(&g, depth - 1))
            })
        })
    }

    /// Enters the body of `for var in range(start, stop, step)`; `step` is the
    /// step when it is a constant.
    pub(crate) fn enter_loop(
        &mut self,
        var: LocalId,
        start: ExprId,
        stop: ExprId,
        step: Option<i64>,
        body: &[Stmt],
    ) {
        let mut count = Assignments::default();
        walk_block(&mut count, &self.tf.hir, body);
        let assigned: HashSet<LocalId> = count.0.into_keys().collect();
        let invariant = !assigned.contains(&var) && self.tf.local_type(var) == &Type::INT;
        // The scope is entered before the bounds are read, so that they may
        // speak of the arrays the body keeps (`is_stable_array`): the bounds
        // are computed just before the body runs.
        let values = match step {
            Some(s) if s > 0 => (FULL.0, FULL.1 - 1),
            Some(s) if s < 0 => (FULL.0 + 1, FULL.1),
            _ => FULL,
        };
        self.loops.push(LoopScope {
            var,
            facts: None,
            values,
            assigned,
        });
        let facts = invariant.then(|| {
            // A bound that may have wrapped is not a bound of the values taken.
            let start = self.exact(start).filter(|f| self.fits(f));
            let stop = self.exact(stop).filter(|f| self.fits(f));
            let (lower, upper) = match step {
                Some(s) if s > 0 => (start, stop.and_then(|s| s.offset(-1))),
                Some(s) if s < 0 => (stop.and_then(|s| s.offset(1)), start),
                _ => (None, None),
            };
            // The bounds were computed before the loop: one that mentions the
            // loop variable speaks of its previous value.
            let own = Sym::Local(var);
            let keep = |a: Option<Affine>| a.filter(|a| a.coeff(own) == 0).into_iter().collect();
            Facts {
                lower: keep(lower),
                upper: keep(upper),
            }
        });
        if let Some(scope) = self.loops.last_mut() {
            scope.facts = facts;
        }
    }

    pub(crate) fn exit_loop(&mut self) {
        self.loops.pop();
    }

    /// Replaces the checks a version condition proved (`index_proof` takes
    /// them as proven) and gives back the previous ones, to restore after the
    /// fast copy.
    pub(crate) fn set_assumed(&mut self, checks: Assumed) -> Assumed {
        std::mem::replace(&mut self.assumed, checks)
    }

    /// The checks taken as proven where lowering is (in a fast copy).
    pub(crate) fn assumed(&self) -> &Assumed {
        &self.assumed
    }

    /// Whether a version condition showed the index of this access in
    /// `[-extent, extent)`: wrapped around, it needs no bounds check.
    pub(crate) fn assumed_wrapping(&self, arr: Option<LocalId>, axis: u8, idx: ExprId) -> bool {
        arr.is_some_and(|a| self.assumed.get(&(a, axis, idx)) == Some(&true))
    }

    /// The least (or greatest, when `max`) value `x` takes while the loops over
    /// `nest` (outermost first, all entered) run, in symbols defined before the
    /// nest; `None` when a loop variable cannot be eliminated. Substituting the
    /// innermost variable first is exact: an affine form is extreme at an end of
    /// each range, and inner bounds may mention outer variables.
    pub(crate) fn extreme(&self, x: &Affine, nest: &[LocalId], max: bool) -> Option<Affine> {
        let mut f = x.clone();
        for &v in nest.iter().rev() {
            let s = Sym::Local(v);
            let k = f.coeff(s);
            if k == 0 {
                continue;
            }
            let scope = self.loops.iter().rev().find(|l| l.var == v)?;
            let facts = scope.facts.as_ref()?;
            let bound = if (k > 0) == max {
                facts.upper.first()?
            } else {
                facts.lower.first()?
            };
            f = f.substitute(s, bound)?;
        }
        nest.iter()
            .all(|v| f.coeff(Sym::Local(*v)) == 0)
            .then_some(f)
    }

    /// Which parts of the check of index `idx` on `axis` of array `arr` are
    /// proven: (`idx >= 0`, `idx <= extent - 1`).
    pub(crate) fn index_proof(&self, arr: Option<LocalId>, axis: u8, idx: ExprId) -> (bool, bool) {
        let Some(arr) = arr.filter(|a| self.is_stable_array(*a)) else {
            return (false, false);
        };
        // Exactly the accesses a version condition tested: not every index of
        // the same form (`a[0:n, 1] = x` in a versioned loop is on an axis no
        // condition tested).
        match self.assumed.get(&(arr, axis, idx)) {
            Some(false) => return (true, true),
            // In bounds once wrapped: its lower check is the wraparound.
            Some(true) => return (false, true),
            None => {}
        }
        let extent = Affine::sym(Sym::Extent(arr, axis));
        let Some(x) = self.exact(idx) else {
            if let Some((facts, rest)) = self.read_plus(idx) {
                return self.read_proof(facts, &rest, &extent);
            }
            return self.modulo_proof(idx, &extent);
        };
        let upper = extent.offset(-1).and_then(|e| e.sub(&x));
        let (lower, upper) = (self.nonneg(&x), upper.is_some_and(|u| self.nonneg(&u)));
        // Each side is proven of the exact value, which int64 arithmetic
        // computes only where it fits: `v * -(2**63 - 1)` at `v = -2` wraps to -2.
        let computed = (lower && upper) || self.fits(&x);
        (lower && computed, upper && computed)
    }

    /// Proves index `idx` negative where it is read (`a[-1]`, `a[-i]` for
    /// `i >= 1`): its form is at most -1 and within int64, so the value
    /// computed is that form, and its wraparound always adds the extent.
    pub(crate) fn counts_from_end(&self, idx: ExprId) -> bool {
        self.exact(idx).is_some_and(|x| {
            self.fits(&x)
                && x.scale(-1)
                    .and_then(|x| x.offset(-1))
                    .is_some_and(|f| self.nonneg(&f))
        })
    }

    /// The index as `k + rest`: a read of a local the flow analysis bounded
    /// there (its bounds) plus an exact form, when it is one.
    fn read_plus(&self, idx: ExprId) -> Option<(&Facts, Affine)> {
        if !self.is_int64(idx) {
            return None;
        }
        let read = |e: ExprId| self.reads.get(&e).filter(|_| self.is_int64(e));
        match self.tf.hir.expr(idx).kind {
            ExprKind::Local(_) => Some((read(idx)?, Affine::constant(0))),
            ExprKind::Binary {
                op: BinOp::Add,
                lhs,
                rhs,
                ..
            } => match read(lhs) {
                Some(facts) => Some((facts, self.exact(rhs)?)),
                None => Some((read(rhs)?, self.exact(lhs)?)),
            },
            ExprKind::Binary {
                op: BinOp::Sub,
                lhs,
                rhs,
                ..
            } => Some((read(lhs)?, self.exact(rhs)?.scale(-1)?)),
            _ => None,
        }
    }

    /// `index_proof` of `k + rest` from `k`'s bounds: the exact sum lying in
    /// the axis makes it the value computed, as for any affine index. One side
    /// alone holds of the computed sum only where the sum cannot wrap past the
    /// other side: `k - 1` at `k = -2**63` wraps to `2**63 - 1`.
    fn read_proof(&self, facts: &Facts, rest: &Affine, extent: &Affine) -> (bool, bool) {
        let lower = facts
            .lower
            .iter()
            .any(|b| b.add(rest).is_some_and(|f| self.nonneg(&f)));
        let last = extent.offset(-1).and_then(|e| e.sub(rest));
        let upper = facts.upper.iter().any(|b| {
            last.as_ref()
                .and_then(|l| l.sub(b))
                .is_some_and(|f| self.nonneg(&f))
        });
        let (rest_lo, rest_hi) = self.interval(rest, DEF_DEPTH).unwrap_or(FULL);
        let below_max = upper || rest_hi <= 0;
        let above_min = lower || rest_lo >= 0;
        (lower && below_max, upper && above_min)
    }

    /// `index_proof` of an index `x % m` (int64, `m` affine), whatever `x`:
    /// Python's modulo by `m >= 0` is in `[0, m - 1]`, or raises for `m == 0`,
    /// where NumPy's error model gives 0, which no extent `>= 0` contains for
    /// sure; so the upper side needs `m >= 1` and `m <= extent`. This is
    /// `grid[(i + 1) % n, j]` of a torus stencil.
    fn modulo_proof(&self, idx: ExprId, extent: &Affine) -> (bool, bool) {
        let ExprKind::Binary {
            op: BinOp::Mod,
            rhs,
            ..
        } = self.tf.hir.expr(idx).kind
        else {
            return (false, false);
        };
        let Some(m) = self
            .exact(rhs)
            .filter(|m| self.is_int64(idx) && self.fits(m))
        else {
            return (false, false);
        };
        let below_extent = extent.sub(&m).is_some_and(|f| self.nonneg(&f));
        (self.nonneg(&m), below_extent && self.positive(&m))
    }

    /// Proves `f >= 1`, also from a loop being entered: in the body of a loop
    /// with bounds `lo <= var <= hi`, `lo <= hi`, so `f - 1 >= hi - lo` is
    /// enough (`m >= 1` inside `for j in range(m)`, which `nonneg` alone
    /// cannot see: it never combines the bounds of two symbols).
    pub(crate) fn positive(&self, f: &Affine) -> bool {
        let Some(f1) = f.offset(-1) else {
            return false;
        };
        if self.nonneg(&f1) {
            return true;
        }
        self.loops
            .iter()
            .filter_map(|s| s.facts.as_ref())
            .any(|facts| {
                facts.lower.iter().any(|lo| {
                    facts.upper.iter().any(|hi| {
                        hi.sub(lo)
                            .and_then(|span| f1.sub(&span))
                            .is_some_and(|g| self.nonneg(&g))
                    })
                })
            })
    }

    /// The index as `var + c` (or `c`) with `c` invariant in the loop over `var`,
    /// when its check can be hoisted out of that loop.
    pub(crate) fn versioned_index(
        &self,
        arr: LocalId,
        idx: ExprId,
        var: LocalId,
    ) -> Option<Affine> {
        if !self.is_stable_array(arr) {
            return None;
        }
        let x = self.exact(idx)?;
        matches!(x.coeff(Sym::Local(var)), 0 | 1).then_some(x)
    }
}

/// Whether `body` assigns `var` anywhere (including as a nested loop variable).
pub(crate) fn assigns(f: &Function, body: &[Stmt], var: LocalId) -> bool {
    let mut count = Assignments::default();
    walk_block(&mut count, f, body);
    count.0.contains_key(&var)
}

/// How many times what it visits assigns each local. Parameters that no
/// statement assigns borrow the caller's reference (`FnLower::bind_params`),
/// so every local a statement binds must be counted: the walk visits each as
/// a target, a loop variable included.
#[derive(Default)]
struct Assignments(HashMap<LocalId, u32>);

impl Visitor for Assignments {
    fn visit_stmt(&mut self, f: &Function, stmt: &Stmt) {
        if let StmtKind::ForRange { var, .. } = &stmt.kind {
            // Counted once more so a loop variable is never taken for a once-assigned local.
            *self.0.entry(*var).or_insert(0) += 1;
        }
        walk_stmt(self, f, stmt);
    }
    fn visit_target(&mut self, f: &Function, target: &Target) {
        if let Target::Local(l) = target {
            *self.0.entry(*l).or_insert(0) += 1;
        }
        walk_target(self, f, target);
    }
    // No expression assigns a local.
    fn visit_expr(&mut self, _: &Function, _: ExprId) {}
}

/// The shape item of each axis of the array locals assigned once (anywhere)
/// from `np.empty`/`zeros`/`ones`/`full`, parameters excluded (their first
/// array is the caller's).
struct Allocations<'t> {
    tf: &'t TypedFunction,
    count: &'t HashMap<LocalId, u32>,
    out: HashMap<(LocalId, u8), ExprId>,
}

impl Visitor for Allocations<'_> {
    fn visit_stmt(&mut self, f: &Function, stmt: &Stmt) {
        if let StmtKind::Assign {
            target: Target::Local(l),
            value,
        } = &stmt.kind
        {
            if self.count.get(l) == Some(&1) && !f.params.contains(l) {
                for (axis, item) in shape_items(self.tf, *value).into_iter().enumerate() {
                    self.out.insert((*l, axis as u8), item);
                }
            }
        }
        walk_stmt(self, f, stmt);
    }
    fn visit_expr(&mut self, _: &Function, _: ExprId) {}
}

/// The extent expressions of the array `np.empty`/`zeros`/`ones`/`full` call
/// `e` makes (a shape int or a tuple of them); empty for anything else.
fn shape_items(tf: &TypedFunction, e: ExprId) -> Vec<ExprId> {
    let ExprKind::Call {
        callee: Callee::Known(KnownFunction::Alloc(f)),
        args,
        kwargs,
    } = &tf.hir.expr(e).kind
    else {
        return Vec::new();
    };
    if !matches!(
        f,
        AllocFn::Empty | AllocFn::Zeros | AllocFn::Ones | AllocFn::Full
    ) {
        return Vec::new();
    }
    let shape = args
        .first()
        .copied()
        .or_else(|| kwargs.iter().find(|k| k.name == "shape").map(|k| k.value));
    match shape.map(|s| (s, &tf.hir.expr(s).kind)) {
        Some((_, ExprKind::Tuple(items))) => items.clone(),
        Some((s, _)) if matches!(tf.coerced_type(s), Type::Scalar(_)) => vec![s],
        _ => Vec::new(),
    }
}

/// Records where each once-assigned local bound by a top-level `target = value` gets its value.
// Its own recursion: it pairs each part of the target with the same part of the value.
fn collect_sources(
    tf: &TypedFunction,
    target: &Target,
    value: Option<ExprId>,
    count: &HashMap<LocalId, u32>,
    out: &mut HashMap<LocalId, Source>,
) {
    match target {
        Target::Local(l) => {
            if count.get(l) == Some(&1) && !tf.hir.params.contains(l) {
                out.insert(*l, value.map_or(Source::Opaque, Source::Expr));
            }
        }
        Target::Tuple(items) => {
            let kind = value.map(|v| &tf.hir.expr(v).kind);
            for (k, item) in items.iter().enumerate() {
                match (kind, item) {
                    (Some(ExprKind::Tuple(elems)), _) => {
                        collect_sources(tf, item, elems.get(k).copied(), count, out)
                    }
                    (Some(ExprKind::Attribute { value: arr, attr }), Target::Local(l))
                        if attr == "shape" && count.get(l) == Some(&1) =>
                    {
                        let source = match tf.hir.expr(*arr).kind {
                            ExprKind::Local(a) => Source::Extent(a, k as u8),
                            _ => Source::Opaque,
                        };
                        out.insert(*l, source);
                    }
                    _ => collect_sources(tf, item, None, count, out),
                }
            }
        }
        Target::Subscript { .. } => {}
    }
}

/// Whether `d` is an integer type whose values are never negative.
pub(crate) fn never_negative(d: Dtype) -> bool {
    d.is_unsigned_int() || d == Dtype::Bool
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(i: u32) -> Sym {
        Sym::Local(LocalId(i))
    }

    #[test]
    fn affine_arithmetic_cancels_terms() {
        let i = Affine::sym(l(0));
        let r = Affine::sym(l(1));
        let sum = i.add(&r).unwrap().sub(&r).unwrap();
        assert_eq!(sum, i);
        assert_eq!(r.scale(3).unwrap().coeff(l(1)), 3);
        assert_eq!(r.scale(0).unwrap(), Affine::constant(0));
        let sub = i
            .add(&r)
            .unwrap()
            .substitute(l(0), &Affine::constant(5))
            .unwrap();
        assert_eq!(sub, r.offset(5).unwrap());
    }

    struct Builtins;

    impl frontend::Resolver for Builtins {
        fn resolve(&mut self, name: &str) -> Option<frontend::hir::GlobalValue> {
            use frontend::hir::GlobalValue::Function;
            match name {
                "range" => Some(Function(KnownFunction::Range)),
                "len" => Some(Function(KnownFunction::Len)),
                "min" => Some(Function(KnownFunction::Min)),
                "max" => Some(Function(KnownFunction::Max)),
                "abs" => Some(Function(KnownFunction::Abs)),
                "np" => Some(frontend::hir::GlobalValue::Module(
                    frontend::hir::KnownModule::Numpy,
                )),
                _ => None,
            }
        }
    }

    /// For every element access in the innermost loop of `src`, in source
    /// order, which of (`index >= 0`, `index < extent`) is proven per axis.
    fn proofs(src: &str, signature: &str) -> Vec<(bool, bool)> {
        let source = std::sync::Arc::new(frontend::SourceFile {
            path: "t.py".into(),
            text: src.into(),
            first_line: 1,
        });
        let hir = frontend::parse(source, &mut Builtins).expect("parses");
        let program = frontend::hir::Program {
            functions: vec![std::sync::Arc::new(hir)],
        };
        let (_, args) = typeinfer::parse_signature(signature).expect("signature");
        let typed = typeinfer::infer(&program, frontend::hir::FuncId(0), &args).expect("types");
        let tf = &typed.functions[0];
        let mut ranges = Ranges::new(tf);
        let mut out = Vec::new();
        innermost(tf, &mut ranges, &tf.hir.body, &mut out);
        out
    }

    fn innermost(
        tf: &TypedFunction,
        ranges: &mut Ranges,
        body: &[Stmt],
        out: &mut Vec<(bool, bool)>,
    ) {
        for stmt in body {
            if let StmtKind::Assign { target, .. } = &stmt.kind {
                ranges.define(target);
            }
            if let StmtKind::ForRange {
                var,
                start,
                stop,
                step,
                body,
                ..
            } = &stmt.kind
            {
                let step = match tf.hir.expr(*step).kind {
                    ExprKind::Const(Constant::Int(k)) => Some(k),
                    _ => None,
                };
                ranges.enter_loop(*var, *start, *stop, step, body);
                if body
                    .iter()
                    .any(|s| matches!(s.kind, StmtKind::ForRange { .. }))
                {
                    innermost(tf, ranges, body, out);
                } else {
                    for e in 0..tf.hir.exprs.len() {
                        if let ExprKind::Subscript { value, indices } = &tf.hir.exprs[e].kind {
                            let ExprKind::Local(arr) = tf.hir.expr(*value).kind else {
                                continue;
                            };
                            for (axis, idx) in indices.iter().enumerate() {
                                out.push(ranges.index_proof(Some(arr), axis as u8, *idx));
                            }
                        }
                    }
                }
                ranges.exit_loop();
            }
        }
    }

    #[test]
    fn arrays_swapped_by_an_outer_loop_are_stable_inside_it() {
        // `u` and `v` change from one sweep to the next, but within the inner
        // loop each is one array, whose extent bounds the loop.
        let src = "def f(u, v):\n    for t in range(3):\n        for i in range(u.shape[0]):\n            v[i] = u[i]\n        u, v = v, u\n";
        assert_eq!(proofs(src, "(float64[:], float64[:])"), vec![(true, true)]);
        // An array the loop itself reassigns proves nothing.
        let src =
            "def f(u, v):\n    for i in range(u.shape[0]):\n        v[i] = u[i]\n        u = v\n";
        assert_eq!(
            proofs(src, "(float64[:], float64[:])"),
            vec![(false, false)]
        );
    }

    #[test]
    fn loop_over_len_is_in_range() {
        let src = "def f(a):\n    s = 0.0\n    for i in range(len(a)):\n        s += a[i]\n    return s\n";
        assert_eq!(proofs(src, "(float64[:],)"), vec![(true, true)]);
    }

    #[test]
    fn shape_locals_are_extents() {
        let src = "def f(a):\n    n, m = a.shape\n    s = 0.0\n    for i in range(n):\n        for j in range(m):\n            s += a[i, j]\n    return s\n";
        assert_eq!(
            proofs(src, "(float64[:, :],)"),
            vec![(true, true), (true, true)]
        );
    }

    #[test]
    fn convolution_indices_cancel() {
        let src = "def f(img, k):\n    n, m = img.shape\n    r = k.shape[0] // 2\n    s = 0.0\n    for i in range(r, n - r):\n        for a in range(-r, r + 1):\n            s += img[i + a, 0] * k[r + a, 0]\n    return s\n";
        let p = proofs(src, "(float64[:, :], float64[:, :])");
        // img[i + a]: both sides proven; k[r + a]: non-negative, but an even
        // kernel size makes `2r` out of range, so the upper check stays.
        assert_eq!(p[0], (true, true));
        assert_eq!(p[2], (true, false));
        // The constant 0 is non-negative but may exceed an empty axis.
        assert_eq!(p[1], (true, false));
    }

    #[test]
    fn min_of_lengths_bounds_both_arrays() {
        let src = "def f(x, y):\n    n = min(len(x), len(y))\n    s = 0.0\n    for i in range(n):\n        s += x[i] * y[i]\n    return s\n";
        assert_eq!(
            proofs(src, "(float64[:], float64[:])"),
            vec![(true, true), (true, true)]
        );
    }

    #[test]
    fn reassigned_or_unrelated_bounds_prove_nothing() {
        let src =
            "def f(a, n):\n    s = 0.0\n    for i in range(n):\n        s += a[i]\n    return s\n";
        assert_eq!(proofs(src, "(float64[:], int64)"), vec![(true, false)]);
        let src = "def f(a):\n    s = 0.0\n    for i in range(len(a)):\n        i = i + 1\n        s += a[i]\n    return s\n";
        assert_eq!(proofs(src, "(float64[:],)"), vec![(false, false)]);
        let src = "def f(a):\n    s = 0.0\n    for i in range(len(a)):\n        s += a[-i]\n    return s\n";
        // `-i <= len(a) - 1` needs `len(a) >= 1`, which only the loop running
        // implies; the prover does not combine bounds of different symbols.
        assert_eq!(proofs(src, "(float64[:],)"), vec![(false, false)]);
    }

    #[test]
    fn negative_step_bounds() {
        let src = "def f(a):\n    s = 0.0\n    for i in range(len(a) - 1, -1, -1):\n        s += a[i]\n    return s\n";
        assert_eq!(proofs(src, "(float64[:],)"), vec![(true, true)]);
    }

    #[test]
    fn bounds_that_may_wrap_are_no_facts() {
        // With c = 2**63 - 1 both bounds wrap: the loop runs from -2**63 + 4 and
        // `i - c - 5` wraps to 0, 1, 2, ... past the end.
        let src = "def f(a, x):\n    c = max(x, 0)\n    s = 0.0\n    for i in range(c + 5, -c - 10):\n        s += a[i - c - 5]\n    return s\n";
        assert_eq!(proofs(src, "(float64[:], int64)"), vec![(false, false)]);
        // Bounds that stay within int64 are still facts.
        let src = "def f(a):\n    c = len(a) // 2\n    s = 0.0\n    for i in range(len(a) - c):\n        s += a[i + c]\n    return s\n";
        assert_eq!(proofs(src, "(float64[:],)"), vec![(true, true)]);
        // `abs(-2**63)` is -2**63.
        let src = "def f(a, x):\n    c = abs(x)\n    s = 0.0\n    for i in range(len(a)):\n        s += a[i + c]\n    return s\n";
        assert_eq!(proofs(src, "(float64[:], int64)"), vec![(false, false)]);
    }

    #[test]
    fn a_local_is_known_only_after_its_assignment() {
        let src = "def f(a):\n    s = 0.0\n    for i in range(1, len(a)):\n        s += a[n - i]\n    n = len(a) - 1\n    return s\n";
        assert_eq!(proofs(src, "(float64[:],)"), vec![(false, false)]);
        let src = "def f(a):\n    n = len(a) - 1\n    s = 0.0\n    for i in range(1, len(a)):\n        s += a[n - i]\n    return s\n";
        assert_eq!(proofs(src, "(float64[:],)"), vec![(true, true)]);
    }

    #[test]
    fn a_modulo_by_a_positive_extent_is_in_range() {
        // Whatever the left operand, `x % n` is in `[0, n)` once `n >= 1`,
        // which the loop over `range(n)` running shows.
        let src = "def f(g, k):\n    n = g.shape[0]\n    s = 0.0\n    for i in range(n):\n        s += g[(i + 1) % n] + g[(i + k) % n] + g[i % 2] + g[i % k]\n    return s\n";
        assert_eq!(
            proofs(src, "(float64[:], int64)"),
            vec![(true, true), (true, true), (true, false), (false, false)]
        );
        // Outside such a loop `n` may be 0: `i % 0` raises, or is 0 under
        // NumPy's error model, an index that an empty axis does not contain.
        let src = "def f(g, k):\n    n = len(g)\n    s = 0.0\n    for i in range(k):\n        s += g[i % n]\n    return s\n";
        assert_eq!(proofs(src, "(float64[:], int64)"), vec![(true, false)]);
    }

    /// `proofs` of a histogram-like kernel whose index `k` is bounded by the
    /// statements `clamp` (indented for the loop body, `n` is `len(h)`).
    fn clamped(clamp: &str) -> Vec<(bool, bool)> {
        let src = format!(
            "def f(h, x):\n    n = len(h)\n    s = 0\n    for i in range(len(x)):\n        k = x[i]\n{clamp}        s += h[k]\n    return s\n"
        );
        // `x[i]`, then `h[k]`.
        let p = proofs(&src, "(int64[:], int64[:])");
        assert_eq!(p[0], (true, true));
        p[1..].to_vec()
    }

    #[test]
    fn a_clamped_index_is_in_range() {
        let upper = [
            "        if k >= n:\n            k = n - 1\n",
            "        if k > n - 1:\n            k = n - 1\n",
            "        if not k < n:\n            k = n - 2\n",
            "        k = min(k, n - 1)\n",
            "        if k >= n:\n            continue\n",
            "        if k >= n:\n            k = n - 1\n        elif k < -5:\n            k = -1\n",
        ];
        for clamp in upper {
            assert_eq!(clamped(clamp), vec![(false, true)], "{clamp}");
        }
        // Bounds on both sides: each case with what is proven. An empty `h`
        // (`n` of 0) has no index at all, so a clamp that assigns `0` or
        // `n - 1` cannot prove the side that needs `n >= 1`.
        let both = [
            ("        if 0 <= k < n:\n            pass\n        else:\n            return -1\n", (true, true)),
            ("        if k < 0 or k >= n:\n            continue\n", (true, true)),
            ("        if k < 0:\n            k = 0\n        if k > n - 1:\n            k = n - 1\n", (false, true)),
            ("        k = max(0, min(k, n - 1))\n", (true, false)),
            ("        if k < 0 or k >= n:\n            k = 0\n", (true, false)),
            // `k = 0` is out of range for `n` of 0, and `k = n - 1` below 0.
            ("        if k < 0:\n            k = 0\n        elif k >= n:\n            k = n - 1\n", (false, false)),
        ];
        for (clamp, expected) in both {
            assert_eq!(clamped(clamp), vec![expected], "{clamp}");
        }
        // `min(max(k, 0), n - 1)` is `n - 1` when `n` is 0: no lower bound.
        assert_eq!(
            clamped("        k = min(max(k, 0), n - 1)\n"),
            vec![(false, true)]
        );
    }

    #[test]
    fn a_clamp_that_misses_a_path_or_is_undone_proves_nothing() {
        let none = [
            // Only one branch clamps.
            "        if k >= n:\n            k = n - 1\n        else:\n            k = k + 1\n",
            "        if i > 3:\n            if k >= n:\n                k = n - 1\n",
            // Reassigned after the clamp.
            "        if k >= n:\n            k = n - 1\n        k = k * 3\n",
            "        k = min(k, n - 1)\n        k += 1\n",
            // A bound of another array.
            "        if k >= len(x):\n            k = len(x) - 1\n",
            // A chain that is false: only one link is.
            "        if 0 <= k < n:\n            pass\n        else:\n            k = k\n",
        ];
        for clamp in none {
            assert_eq!(clamped(clamp), vec![(false, false)], "{clamp}");
        }
        // The clamp of an earlier iteration says nothing of this one's `k`.
        let src = "def f(h, x):\n    n = len(h)\n    s = 0\n    k = 0\n    for i in range(len(x)):\n        s += h[k]\n        k = x[i]\n        if k >= n:\n            k = n - 1\n    return s\n";
        assert_eq!(
            proofs(src, "(int64[:], int64[:])"),
            vec![(false, false), (true, true)]
        );
    }

    #[test]
    fn an_allocated_extent_is_its_shape() {
        // `local`'s extent is `bins`, and `bins - 1` cannot wrap once
        // `np.zeros(bins)` ran: the parallel histogram's clamp.
        let src = "def f(x, bins):\n    s = 0\n    for b in range(4):\n        local = np.zeros(bins, np.int64)\n        for i in range(len(x)):\n            k = x[i]\n            if k >= bins:\n                k = bins - 1\n            s += local[k]\n    return s\n";
        assert_eq!(
            proofs(src, "(int64[:], int64)"),
            vec![(true, true), (false, true)]
        );
        // Without the allocation before it, `bins - 1` may wrap (`bins` of
        // -2**63 gives 2**63 - 1): no bound from the branch that assigns it.
        let src = "def f(x, bins, h):\n    s = 0\n    for i in range(len(x)):\n        k = x[i]\n        if k >= bins:\n            k = bins - 1\n        s += h[k]\n    return s\n";
        assert_eq!(
            proofs(src, "(int64[:], int64, int64[:])"),
            vec![(true, true), (false, false)]
        );
    }

    #[test]
    fn a_bound_that_may_wrap_is_no_fact() {
        // `c + 1` wraps to -2**63 for c = 2**63 - 1, so `k = c + 1` bounds
        // nothing even below `n`.
        let src = "def f(h, x, c):\n    n = len(h)\n    s = 0\n    for i in range(len(x)):\n        k = x[i]\n        if k < 0:\n            k = c + 1\n        s += h[k]\n    return s\n";
        assert_eq!(
            proofs(src, "(int64[:], int64[:], int64)"),
            vec![(true, true), (false, false)]
        );
    }

    #[test]
    fn affine_overflow_is_none() {
        let big = Affine::constant(i64::MAX);
        assert!(big.offset(1).is_none());
        assert!(Affine::sym(l(0))
            .scale(i64::MAX)
            .unwrap()
            .scale(2)
            .is_none());
    }
}
