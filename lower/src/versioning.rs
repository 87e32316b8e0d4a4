//! Loop versioning, as a pass: which loops run as two copies, a fast one
//! without the checks a condition tested once before the loop, and the checked
//! one the condition falls back to.
//!
//! `plan` decides, over the typed HIR and before translation: a loop nest is
//! versioned as a whole when some of its checks have index bounds expressible
//! before the nest (`NestCheck`: the least and greatest index over all its
//! loops' ranges), an innermost step-1 loop when its indices are `var + c`
//! (`HoistedCheck`: tested at the first and the last iteration). The
//! translation (`func.rs`) follows the `VersionPlan`: at each loop it looks the
//! plan up, emits the condition (`nest_condition`, `version_condition`, at the
//! end of this file) and lowers both copies, the fast one with the plan's
//! `Assumed` accesses taken as checked.
//!
//! The plan must be made from the range facts the translation sees at each
//! loop, so the pass drives a `Ranges` of its own as the translation drives its
//! own: assignments defined, loops entered and left, each copy of a versioned
//! nest walked in turn with its assumptions.

use std::collections::HashMap;

use frontend::hir::visit::{walk_block, walk_expr, walk_stmt, walk_target, Visitor};
use frontend::hir::{self, ExprId, ExprKind, LocalId, StmtKind, Target};
use library::Dtype;
use typeinfer::TypedFunction;

use crate::expr::const_int;
use crate::func::{index_needs, unsigned_index, FnLower};
use crate::ir::{BinaryOp, CmpOp, UnaryOp, ValueId};
use crate::ranges::{self, Affine, Assumed, Ranges, Sym};
use crate::speculate::speculable;
use crate::values::Slot;
use crate::LowerOptions;

/// Which copy of a versioned loop nest a loop is lowered in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum NestCopy {
    Outside,
    /// Its inner loops are not versioned as nests again.
    Fast,
    /// Cold: its loops are not versioned at all, which would only add code.
    Checked,
}

/// How one loop, in one copy, is versioned.
#[derive(Clone, Debug)]
pub(crate) enum Version {
    /// The whole nest: the checks whose indices stay within bounds computed
    /// before the nest are tested once, so neither the per-iteration checks of
    /// outer loops nor the conditions of versioned inner loops are evaluated
    /// again. A condition that is false (perhaps only because some loop is
    /// empty) runs the nest as it is, which raises where Python would.
    Nest {
        checks: Vec<NestCheck>,
        /// What the fast copy takes as checked.
        assumed: Assumed,
    },
    /// An innermost step-1 loop: when every check holds at the first and the
    /// last iteration it holds at all of them (the indices are `var + c`), so
    /// the loop runs without checks; otherwise the checked loop runs and raises
    /// at the same iteration as Python would.
    Innermost {
        checks: Vec<HoistedCheck>,
        /// What the fast copy takes as checked: these checks, and inside a
        /// versioned nest's fast copy the nest's too.
        assumed: Assumed,
    },
    /// An innermost step-1 loop with a check whose index comes from data
    /// (`a[idx[i]]`), which no condition before the loop can bound: the loop
    /// runs in chunks of `CHUNK` iterations, each preceded by a pass that
    /// computes every index of the chunk (they read nothing the loop writes,
    /// and cannot raise) and ORs "out of range" over them, a loop LLVM
    /// vectorizes. A chunk whose indices are all in range runs without these
    /// checks (and, when none is negative, without their wraparound); another
    /// runs the checked body, which raises at the iteration Python would,
    /// after the stores of the iterations before it.
    Chunked {
        /// The checks an innermost version would hoist (`var + c`): tested
        /// at the first and the last iteration of each chunk.
        hoisted: Vec<HoistedCheck>,
        /// The others: tested at every iteration of the pass.
        checks: Vec<ChunkCheck>,
        /// (array read by an index, array the body stores into): locals
        /// that may share memory at run time, where a store could change an
        /// index the pass computed; when they overlap every chunk is checked.
        overlaps: Vec<(LocalId, LocalId)>,
        /// As `Innermost::assumed`.
        assumed: Assumed,
    },
}

/// The iterations of one chunk of a `Version::Chunked` loop: the indices a
/// chunk computes twice stay in the L1 cache, and the pass is long enough to
/// vectorize.
pub(crate) const CHUNK: i64 = 512;

/// One check that a chunked loop makes in its pass: `index` on `axis` of array
/// local `array`, wrapped around when negative if `wraps`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ChunkCheck {
    pub(crate) array: LocalId,
    pub(crate) axis: u8,
    pub(crate) index: ExprId,
    pub(crate) wraps: bool,
}

/// One index check that nest versioning hoists: the least value of the index
/// when it must be shown non-negative, the greatest when it must be shown below
/// the extent of `axis` of array local `array`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct NestCheck {
    array: LocalId,
    axis: u8,
    least: Option<Affine>,
    greatest: Option<Affine>,
    /// The least value need only be `-extent` or more: the fast copy keeps
    /// the wraparound (so `a[j - 1]` at `j = 0` does not send the whole nest
    /// to the checked copy).
    wraps: bool,
}

/// One index check that loop versioning hoists: `index` on `axis` of array local `array`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct HoistedCheck {
    array: LocalId,
    axis: u8,
    index: Affine,
    /// As `NestCheck::wraps`.
    wraps: bool,
}

/// The versioned loops of one function, each keyed by its `stop` expression
/// (one per loop, the key of `TypedFunction::parallel_loops` too) and the copy
/// it is lowered in. A loop not in the plan runs as it is.
#[derive(Debug, Default)]
pub(crate) struct VersionPlan(HashMap<(ExprId, NestCopy), Version>);

impl VersionPlan {
    pub(crate) fn get(&self, stop: ExprId, copy: NestCopy) -> Option<&Version> {
        self.0.get(&(stop, copy))
    }
}

/// Plans the versioning of every loop of `tf`, lowered with `opts`.
pub(crate) fn plan(tf: &TypedFunction, opts: LowerOptions) -> VersionPlan {
    let mut planner = Planner {
        tf,
        opts,
        ranges: Ranges::new(tf),
        plan: VersionPlan::default(),
    };
    planner.block(&tf.hir.body, NestCopy::Outside);
    planner.plan
}

struct Planner<'a> {
    tf: &'a TypedFunction,
    opts: LowerOptions,
    ranges: Ranges<'a>,
    plan: VersionPlan,
}

impl Planner<'_> {
    /// Plans the loops of `body`, lowered in `copy`. Statements that the
    /// translation skips (after a `return` in the same block) are planned all
    /// the same: their entries are never looked up, and no range fact comes
    /// from a statement nested in a block (`Ranges::define` knows only
    /// top-level assignments), so those after the block see the same facts.
    // Its own recursion over statements, not `hir::visit`'s: it defines
    // assignments and enters loops in the range analysis on the way, in the
    // translation's order.
    fn block(&mut self, body: &[hir::Stmt], copy: NestCopy) {
        for stmt in body {
            match &stmt.kind {
                StmtKind::Assign { target, .. } => self.ranges.define(target),
                StmtKind::If { body, orelse, .. } => {
                    self.block(body, copy);
                    self.block(orelse, copy);
                }
                StmtKind::While { body, .. } => self.block(body, copy),
                StmtKind::ForRange {
                    var,
                    start,
                    stop,
                    step,
                    body,
                    ..
                } => self.for_range(*var, [*start, *stop, *step], body, copy),
                StmtKind::AugAssign { .. }
                | StmtKind::Expr(_)
                | StmtKind::Break
                | StmtKind::Continue
                | StmtKind::Return(_)
                | StmtKind::Raise { .. }
                | StmtKind::Pass => {}
            }
        }
    }

    fn for_range(
        &mut self,
        var: LocalId,
        [start, stop, step]: [ExprId; 3],
        body: &[hir::Stmt],
        copy: NestCopy,
    ) {
        let step_const = const_int(&self.tf.hir, step);
        if step_const == Some(0) {
            // `range()` raises before the loop: its body is never lowered.
            return;
        }
        self.ranges.enter_loop(var, start, stop, step_const, body);
        let version = self.version(var, step_const, stop, body, copy);
        match &version {
            Some(Version::Nest { assumed, .. }) => {
                let outside = self.ranges.set_assumed(assumed.clone());
                self.block(body, NestCopy::Fast);
                self.ranges.set_assumed(outside);
                self.block(body, NestCopy::Checked);
            }
            // An innermost loop's body has no loop to plan.
            Some(Version::Innermost { .. } | Version::Chunked { .. }) | None => {
                self.block(body, copy)
            }
        }
        if let Some(version) = version {
            let planned = self.plan.0.insert((stop, copy), version);
            debug_assert!(planned.is_none(), "two loops with one `stop` expression");
        }
        self.ranges.exit_loop();
    }

    /// How the loop over `var` (entered) is versioned in `copy`, if it is.
    fn version(
        &mut self,
        var: LocalId,
        step_const: Option<i64>,
        stop: ExprId,
        body: &[hir::Stmt],
        copy: NestCopy,
    ) -> Option<Version> {
        if copy == NestCopy::Outside && contains_loop(&self.tf.hir, body) {
            let mut nest = vec![var];
            let mut checks = Vec::new();
            let mut assumed = Assumed::new();
            self.nest_checks(body, &mut nest, &mut checks, &mut assumed);
            if !checks.is_empty() {
                return Some(Version::Nest { checks, assumed });
            }
        }
        if step_const != Some(1) || copy == NestCopy::Checked {
            return None;
        }
        let (checks, covered) = self.hoistable_checks(var, body)?;
        // Inside a versioned nest's fast copy, its checks stay assumed.
        let mut assumed = self.ranges.assumed().clone();
        if !self.tf.parallel_loops.contains_key(&stop) {
            if let Some((chunk, overlaps, chunk_covered)) = self.chunk_checks(var, body, &covered) {
                assumed.extend(covered);
                assumed.extend(chunk_covered);
                return Some(Version::Chunked {
                    hoisted: checks,
                    checks: chunk,
                    overlaps,
                    assumed,
                });
            }
        }
        if checks.is_empty() {
            return None;
        }
        assumed.extend(covered);
        Some(Version::Innermost { checks, assumed })
    }

    /// The checks a chunked loop over `var` (an innermost step-1 loop that
    /// `hoistable_checks` accepted) makes in its pass, the pairs of arrays it
    /// tests for overlap and the accesses it covers; `None` unless some index
    /// comes from data. Those `hoisted` covers are tested per chunk instead.
    /// The body may write memory only by storing into local arrays (no call
    /// that could, no `break` or `return`, which would leave only the chunk),
    /// and an index may read only locals the body does not assign.
    fn chunk_checks(
        &self,
        var: LocalId,
        body: &[hir::Stmt],
        hoisted: &Assumed,
    ) -> Option<(Vec<ChunkCheck>, Vec<(LocalId, LocalId)>, Assumed)> {
        if !self.opts.boundscheck {
            return None;
        }
        let hir = &self.tf.hir;
        let mut effects = Effects::default();
        walk_block(&mut effects, hir, body);
        if effects.other {
            return None;
        }
        let mut accesses = Accesses::default();
        walk_block(&mut accesses, hir, body);
        let mut checks = Vec::new();
        let mut covered = Assumed::new();
        let mut reads = Vec::new();
        // A loop that only stores through such indices (a scatter) is not
        // worth the pass: no copy vectorizes stores in the order of the data,
        // and `scatter_add` of bench/corpus.py measured the same either way,
        // at twice the compile time.
        let mut loads = false;
        for (arr, indices) in accesses.0 {
            let ExprKind::Local(array) = hir.expr(arr).kind else {
                continue;
            };
            if self.tf.expr_type(arr).as_array().is_none()
                || !self.ranges.is_array_invariant_in(array, var)
            {
                continue;
            }
            for (axis, idx) in indices.iter().enumerate() {
                let axis = axis as u8;
                let (wrap, checked) =
                    index_needs(self.tf, &self.ranges, self.opts, Some(array), axis, *idx);
                if !checked {
                    continue;
                }
                let mut index_reads = IndexReads {
                    tf: self.tf,
                    locals: Vec::new(),
                    arrays: Vec::new(),
                    unsigned: false,
                };
                index_reads.visit_expr(hir, *idx);
                // An index that reads no element (`a[-i - 1]`) gains nothing
                // from the pass (measured: `negative_index_sum` the same, its
                // compile time doubled): it stays checked in the loop.
                if index_reads.arrays.is_empty()
                    || index_reads.unsigned
                    || !speculable(self.tf, &self.ranges, *idx)
                    || index_reads
                        .locals
                        .iter()
                        .any(|&l| ranges::assigns(hir, body, l))
                {
                    continue;
                }
                if hoisted.contains_key(&(array, axis, *idx)) {
                    continue;
                }
                let wraps = wrap;
                let check = ChunkCheck {
                    array,
                    axis,
                    index: *idx,
                    wraps,
                };
                if !checks.contains(&check) {
                    checks.push(check);
                }
                loads |= !effects.targets.contains(&arr);
                covered.insert((array, axis, *idx), wraps);
                reads.extend(index_reads.arrays);
            }
        }
        if !loads {
            return None;
        }
        let mut overlaps = Vec::new();
        for &r in &reads {
            for &w in &effects.stored {
                if r == w {
                    // The body stores into an array an index reads.
                    return None;
                }
                if !overlaps.contains(&(r, w)) {
                    overlaps.push((r, w));
                }
            }
        }
        Some((checks, overlaps, covered))
    }

    /// The checks left in the body of an innermost step-1 loop over `var` that
    /// can be hoisted (their indices are `var + c`), with the accesses (array,
    /// axis, index) they cover; the others stay in the loop. `None` when the
    /// loop cannot be versioned at all.
    fn hoistable_checks(
        &self,
        var: LocalId,
        body: &[hir::Stmt],
    ) -> Option<(Vec<HoistedCheck>, Assumed)> {
        if !(self.opts.boundscheck || self.opts.wraparound)
            || contains_loop(&self.tf.hir, body)
            || ranges::assigns(&self.tf.hir, body, var)
        {
            return None;
        }
        let mut accesses = Accesses::default();
        walk_block(&mut accesses, &self.tf.hir, body);
        let mut checks = Vec::new();
        let mut covered = Assumed::new();
        for (arr, indices) in accesses.0 {
            if self.tf.expr_type(arr).as_array().is_none() {
                continue;
            }
            let local = match self.tf.hir.expr(arr).kind {
                ExprKind::Local(l) => Some(l),
                _ => None,
            };
            for (axis, idx) in indices.iter().enumerate() {
                let axis = axis as u8;
                let (wrap, checked) =
                    index_needs(self.tf, &self.ranges, self.opts, local, axis, *idx);
                if !(wrap || checked) || self.ranges.assumed_wrapping(local, axis, *idx) {
                    continue;
                }
                // One that cannot be hoisted (`a[idx[i]]`) stays in both copies.
                let Some(array) = local else {
                    continue;
                };
                let Some(index) = self.ranges.versioned_index(array, *idx, var) else {
                    continue;
                };
                // A checked index that may be negative by design stays
                // wrapped (not checked) in the fast copy; any other is hoisted
                // to drop its wraparound. One only wrapped (`boundscheck=False`)
                // and negative by design has nothing to hoist: tested `>= 0`
                // it would send the whole loop to the checked copy (scalar),
                // and `a[i - k]` ran 1.1-2x slower than with checks on.
                let wraps = wrap && self.negative_by_design(&index, var);
                if wraps && !checked {
                    continue;
                }
                let check = HoistedCheck {
                    array,
                    axis,
                    index,
                    wraps,
                };
                if !checks.contains(&check) {
                    checks.push(check);
                }
                covered.insert((array, axis, *idx), wraps);
            }
        }
        Some((checks, covered))
    }

    /// Whether index `index` (`var + c` or `c`) of an innermost loop over
    /// `var` may be negative by design: its least value is a form with a
    /// negative constant or term (`a[j - 1]` from `j = 0`, `a[i - k]`), so
    /// the fast copy keeps the wraparound and its condition only asks for
    /// `-extent <= first`. Where the least value is a sum of non-negative
    /// terms (`a[i + k]`, `range(lo, hi)` with a parameter `lo`) or the loop
    /// starts at a value no form gives (`range(b * n // blocks, ...)`, a
    /// value read from data) a negative index would be an accident: the
    /// condition asks for `0 <= first` and the fast copy never wraps (the
    /// wrap's compare, select and add per access made the chunked loop of
    /// bench/kernels.py's `histogram_reduction` about 1.15x slower).
    fn negative_by_design(&self, index: &Affine, var: LocalId) -> bool {
        self.ranges
            .extreme(index, &[var], false)
            .is_some_and(|least| negative_form(&least))
    }

    /// Walks `body`, inside the loops over `nest` (outermost first, entered in
    /// the range analysis), collecting the checks that are left whose index
    /// bounds are expressible before the nest.
    // Its own recursion over statements: it enters each loop in the range analysis on the way.
    fn nest_checks(
        &mut self,
        body: &[hir::Stmt],
        nest: &mut Vec<LocalId>,
        checks: &mut Vec<NestCheck>,
        assumed: &mut Assumed,
    ) {
        let hir = &self.tf.hir;
        for stmt in body {
            let mut accesses = Accesses::default();
            match &stmt.kind {
                StmtKind::If { test, body, orelse } => {
                    accesses.visit_expr(hir, *test);
                    self.add_nest_checks(&accesses.0, nest, checks, assumed);
                    self.nest_checks(body, nest, checks, assumed);
                    self.nest_checks(orelse, nest, checks, assumed);
                }
                StmtKind::While { test, body } => {
                    accesses.visit_expr(hir, *test);
                    self.add_nest_checks(&accesses.0, nest, checks, assumed);
                    self.nest_checks(body, nest, checks, assumed);
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
                        accesses.visit_expr(hir, *e);
                    }
                    self.add_nest_checks(&accesses.0, nest, checks, assumed);
                    let step_const = const_int(hir, *step);
                    self.ranges
                        .enter_loop(*var, *start, *stop, step_const, body);
                    nest.push(*var);
                    self.nest_checks(body, nest, checks, assumed);
                    nest.pop();
                    self.ranges.exit_loop();
                }
                _ => {
                    accesses.visit_stmt(hir, stmt);
                    self.add_nest_checks(&accesses.0, nest, checks, assumed);
                }
            }
        }
    }

    fn add_nest_checks(
        &self,
        accesses: &[Access],
        nest: &[LocalId],
        checks: &mut Vec<NestCheck>,
        assumed: &mut Assumed,
    ) {
        for (arr, indices) in accesses {
            if self.tf.expr_type(*arr).as_array().is_none() {
                continue;
            }
            let ExprKind::Local(array) = self.tf.hir.expr(*arr).kind else {
                continue;
            };
            // The condition is tested once before the nest: the array must
            // be the same one throughout it.
            if !self.ranges.is_array_invariant_in(array, nest[0]) {
                continue;
            }
            for (axis, idx) in indices.iter().enumerate() {
                let axis = axis as u8;
                let needs = index_needs(self.tf, &self.ranges, self.opts, Some(array), axis, *idx);
                if needs == (false, false) {
                    continue;
                }
                let Some(x) = self.ranges.exact(*idx) else {
                    continue;
                };
                let (lo, hi) = self.ranges.index_proof(Some(array), axis, *idx);
                let lo = lo || unsigned_index(self.tf, *idx);
                let hi = hi || !self.opts.boundscheck;
                let least = if lo {
                    None
                } else {
                    match self.ranges.extreme(&x, nest, false) {
                        Some(f) => Some(f),
                        None => continue,
                    }
                };
                // Only wrapped (`boundscheck=False`) and negative by design
                // (`grid[i - 1, j]`): it stays wrapped in the loop, as in
                // `hoistable_checks` (tested `>= 0`, the torus stencil's
                // whole nest ran in the checked copy, 2x slower).
                if !self.opts.boundscheck && least.as_ref().is_some_and(negative_form) {
                    continue;
                }
                let greatest = if hi {
                    None
                } else {
                    match self.ranges.extreme(&x, nest, true) {
                        Some(f) => Some(f),
                        None => continue,
                    }
                };
                let wraps = !lo && self.opts.wraparound && self.opts.boundscheck;
                let check = NestCheck {
                    array,
                    axis,
                    least,
                    greatest,
                    wraps,
                };
                if !checks.contains(&check) {
                    checks.push(check);
                }
                assumed.insert((array, axis, *idx), wraps);
            }
        }
    }
}

/// Whether the least value `least` of an index has a negative constant or
/// term (`j - 1` from `j = 0`, `i - k`): negative by design, not by accident.
fn negative_form(least: &Affine) -> bool {
    least.c < 0 || least.terms.values().any(|k| *k < 0)
}

/// The memory a loop body may write: the array locals it stores elements or
/// parts of into (`stored`), and whether it may write any other way or leave
/// the loop (`other`: a call of a `@jit` function or a method, `out=`,
/// `break`, `return`, a store into a part of a value that is not a local).
/// `targets` are the array expressions of the subscripts stored into.
#[derive(Default)]
struct Effects {
    stored: Vec<LocalId>,
    targets: Vec<ExprId>,
    other: bool,
}

impl Visitor for Effects {
    fn visit_stmt(&mut self, f: &hir::Function, stmt: &hir::Stmt) {
        match &stmt.kind {
            StmtKind::Break
            | StmtKind::Return(_)
            | StmtKind::While { .. }
            | StmtKind::ForRange { .. } => self.other = true,
            _ => walk_stmt(self, f, stmt),
        }
    }
    fn visit_expr(&mut self, f: &hir::Function, e: ExprId) {
        match &f.expr(e).kind {
            ExprKind::Call {
                callee: hir::Callee::Known(known),
                ..
            } if pure_call(known) => {}
            ExprKind::Call { .. } | ExprKind::Out { .. } => self.other = true,
            _ => {}
        }
        walk_expr(self, f, e);
    }
    fn visit_target(&mut self, f: &hir::Function, t: &Target) {
        if let Target::Subscript { value, .. } = t {
            self.targets.push(*value);
            match f.expr(*value).kind {
                ExprKind::Local(l) => self.stored.push(l),
                _ => self.other = true,
            }
        }
        walk_target(self, f, t);
    }
}

/// Whether a call of `known` writes no memory the caller can see (it may
/// allocate its result).
fn pure_call(known: &hir::KnownFunction) -> bool {
    use hir::KnownFunction as K;
    matches!(
        known,
        K::Len
            | K::Abs
            | K::Min
            | K::Max
            | K::Int
            | K::Float
            | K::Bool
            | K::Complex
            | K::Round
            | K::Library(_)
            | K::Scalar(_)
    )
}

/// What an index expression reads: the locals (arrays included) and the
/// arrays whose elements it reads, and whether some subscript in it has an
/// unsigned 64-bit index (whose conversion may raise `OverflowError`).
struct IndexReads<'t> {
    tf: &'t TypedFunction,
    locals: Vec<LocalId>,
    arrays: Vec<LocalId>,
    unsigned: bool,
}

impl Visitor for IndexReads<'_> {
    fn visit_expr(&mut self, f: &hir::Function, e: ExprId) {
        match &f.expr(e).kind {
            ExprKind::Local(l) => self.locals.push(*l),
            ExprKind::Subscript { value, indices } => {
                if let ExprKind::Local(l) = f.expr(*value).kind {
                    self.arrays.push(l);
                }
                // Only the conversion of a uint64 index raises (`element_address`).
                self.unsigned |= indices
                    .iter()
                    .any(|&i| self.tf.expr_type(i).as_scalar() == Some(Dtype::UInt64));
            }
            _ => {}
        }
        walk_expr(self, f, e);
    }
}

/// Whether `body` has a loop, at any depth.
fn contains_loop(hir: &hir::Function, body: &[hir::Stmt]) -> bool {
    struct FindLoop(bool);
    impl Visitor for FindLoop {
        fn visit_stmt(&mut self, f: &hir::Function, stmt: &hir::Stmt) {
            match stmt.kind {
                StmtKind::While { .. } | StmtKind::ForRange { .. } => self.0 = true,
                _ if !self.0 => walk_stmt(self, f, stmt),
                _ => {}
            }
        }
        // Only statements are loops.
        fn visit_expr(&mut self, _: &hir::Function, _: ExprId) {}
    }
    let mut find = FindLoop(false);
    walk_block(&mut find, hir, body);
    find.0
}

/// An element access: the array expression and its checked indices.
type Access = (ExprId, Vec<ExprId>);

/// The element accesses of what it visits. Their order is the order of a
/// versioning condition's tests, kept as it was before `hir::visit` (not quite
/// evaluation order): an expression's after those in its parts, a subscript
/// target's before those in its parts, an augmented assignment's value before
/// its target.
#[derive(Default)]
struct Accesses(Vec<Access>);

impl Visitor for Accesses {
    fn visit_stmt(&mut self, f: &hir::Function, stmt: &hir::Stmt) {
        match &stmt.kind {
            StmtKind::AugAssign { target, value, .. } => {
                self.visit_expr(f, *value);
                self.visit_target(f, target);
            }
            _ => walk_stmt(self, f, stmt),
        }
    }
    fn visit_expr(&mut self, f: &hir::Function, e: ExprId) {
        walk_expr(self, f, e);
        if let ExprKind::Subscript { value, indices } = &f.expr(e).kind {
            self.0.push((*value, checked_indices(f, indices)));
        }
    }
    fn visit_target(&mut self, f: &hir::Function, t: &Target) {
        if let Target::Subscript { value, indices } = t {
            self.0.push((*value, checked_indices(f, indices)));
        }
        walk_target(self, f, t);
    }
}

/// The leading indices of a subscript that are integers on the axes of their
/// position: up to the first slice, `...` or `None` (the checks of those after
/// it stay where they are).
fn checked_indices(hir: &hir::Function, indices: &[ExprId]) -> Vec<ExprId> {
    indices
        .iter()
        .take_while(|&&i| typeinfer::index_kind(hir, i) == typeinfer::IndexKind::Integer)
        .copied()
        .collect()
}

// The conditions of a plan, emitted by the translation before the loop.

/// An affine form computed in int64, and an `I1` that is true when some step
/// of the computation wrapped (then `value` is not the form's exact value);
/// `None` when no step can.
#[derive(Clone, Copy)]
struct Materialized {
    value: ValueId,
    wrapped: Option<ValueId>,
}

/// The int64 values `s` for which `s * k` does not overflow: `[lo, hi]`.
fn fitting_factors(k: i64) -> (i64, i64) {
    let (min, max) = (i128::from(i64::MIN), i128::from(i64::MAX));
    if k == 0 {
        return (i64::MIN, i64::MAX);
    }
    // `s * k` in `[min, max]` is `s * |k|` in `[a, b]`, rounded inwards.
    let (a, b) = if k > 0 { (min, max) } else { (-max, -min) };
    let d = i128::from(k).abs();
    let lo = -(-a).div_euclid(d);
    let hi = b.div_euclid(d);
    (lo.max(min) as i64, hi.min(max) as i64)
}

impl FnLower<'_> {
    /// `all(least index >= 0 and greatest index < extent)`, computed exactly.
    pub(crate) fn nest_condition(&mut self, checks: &[NestCheck]) -> ValueId {
        let mut parts = Vec::new();
        for check in checks {
            if let Some(least) = &check.least {
                let v = self.materialize(least, None);
                let floor = self.least_allowed(check.array, check.axis, check.wraps);
                parts.push(self.exactly(v, CmpOp::SGe, floor));
            }
            if let Some(greatest) = &check.greatest {
                let v = self.materialize(greatest, None);
                let ext = self.extent(check.array, check.axis);
                parts.push(self.exactly(v, CmpOp::SLt, ext));
            }
        }
        self.all(parts)
    }

    /// `all(first index >= 0 and last index < extent)`, computed exactly.
    pub(crate) fn version_condition(
        &mut self,
        var: LocalId,
        checks: &[HoistedCheck],
        start: ValueId,
        stop: ValueId,
    ) -> ValueId {
        // `stop - 1` wraps only for an empty loop, which the checked copy runs as well.
        let (last, last_wrapped) = self.add_const_overflow(stop, -1);
        let mut parts: Vec<ValueId> = last_wrapped
            .map(|w| self.b.unary(UnaryOp::Not, w))
            .into_iter()
            .collect();
        for check in checks {
            let first = self.materialize(&check.index, Some((var, start)));
            let final_ = self.materialize(&check.index, Some((var, last)));
            let ext = self.extent(check.array, check.axis);
            let floor = self.least_allowed(check.array, check.axis, check.wraps);
            parts.push(self.exactly(first, CmpOp::SGe, floor));
            parts.push(self.exactly(final_, CmpOp::SLt, ext));
        }
        self.all(parts)
    }

    /// The least index a version condition allows on `axis` of `array`: 0, or
    /// `-extent` when the fast copy wraps negative indices around.
    fn least_allowed(&mut self, array: LocalId, axis: u8, wraps: bool) -> ValueId {
        let zero = self.b.i64c(0);
        if !wraps {
            return zero;
        }
        let ext = self.extent(array, axis);
        self.b.bin(BinaryOp::ISub, zero, ext)
    }

    fn all(&mut self, parts: Vec<ValueId>) -> ValueId {
        parts
            .into_iter()
            .reduce(|a, b| self.b.bin(BinaryOp::And, a, b))
            .unwrap_or_else(|| self.b.boolc(true))
    }

    fn extent(&mut self, array: LocalId, axis: u8) -> ValueId {
        self.materialize(&Affine::sym(Sym::Extent(array, axis)), None)
            .value
    }

    /// `value op rhs` where `value` is the exact value of its form: false when it wrapped.
    fn exactly(&mut self, v: Materialized, op: CmpOp, rhs: ValueId) -> ValueId {
        let holds = self.b.cmp(op, v.value, rhs);
        match v.wrapped {
            Some(w) => {
                let exact = self.b.unary(UnaryOp::Not, w);
                self.b.bin(BinaryOp::And, exact, holds)
            }
            None => holds,
        }
    }

    /// Computes an affine form, with `var` taken as `value` when given. The
    /// int64 arithmetic may wrap where the form's exact value does not fit,
    /// so it also says whether some step overflowed: a versioning condition
    /// must hold for the exact index, which is what the checks in the loop see
    /// whenever it lies within an axis.
    fn materialize(&mut self, f: &Affine, var: Option<(LocalId, ValueId)>) -> Materialized {
        let mut acc = None;
        let mut wrapped = Vec::new();
        for (sym, k) in &f.terms {
            let s = match (*sym, var) {
                (Sym::Local(l), Some((v, value))) if l == v => value,
                (Sym::Local(l), _) => match &self.locals[l.0 as usize] {
                    Slot::Scalar(v) => self.b.get(*v),
                    _ => self.b.i64c(0),
                },
                (Sym::Extent(l, axis), _) => match &self.locals[l.0 as usize] {
                    Slot::Array { extents, .. } => self.b.get(extents[axis as usize]),
                    _ => self.b.i64c(0),
                },
            };
            let term = if *k == 1 {
                s
            } else {
                let (term, w) = self.mul_overflow(s, *k);
                wrapped.extend(w);
                term
            };
            acc = Some(match acc {
                Some(a) => {
                    let (sum, w) = self.add_overflow(a, term);
                    wrapped.push(w);
                    sum
                }
                None => term,
            });
        }
        let value = match acc {
            Some(a) => {
                let (sum, w) = self.add_const_overflow(a, f.c);
                wrapped.extend(w);
                sum
            }
            None => self.b.i64c(f.c),
        };
        let wrapped = self.any(wrapped);
        Materialized { value, wrapped }
    }

    /// `a + b` and whether it overflowed: `b < 0` exactly when the true sum is below `a`.
    fn add_overflow(&mut self, a: ValueId, b: ValueId) -> (ValueId, ValueId) {
        let sum = self.b.bin(BinaryOp::IAdd, a, b);
        let zero = self.b.i64c(0);
        let negative = self.b.cmp(CmpOp::SLt, b, zero);
        let below = self.b.cmp(CmpOp::SLt, sum, a);
        (sum, self.b.bin(BinaryOp::Xor, negative, below))
    }

    /// `a + c` and, unless `c` is 0, whether it overflowed.
    fn add_const_overflow(&mut self, a: ValueId, c: i64) -> (ValueId, Option<ValueId>) {
        if c == 0 {
            return (a, None);
        }
        let cv = self.b.i64c(c);
        let sum = self.b.bin(BinaryOp::IAdd, a, cv);
        let wrapped = if c > 0 {
            let limit = self.b.i64c(i64::MAX - c);
            self.b.cmp(CmpOp::SGt, a, limit)
        } else {
            let limit = self.b.i64c(i64::MIN - c);
            self.b.cmp(CmpOp::SLt, a, limit)
        };
        (sum, Some(wrapped))
    }

    /// `s * k` and, unless it cannot, whether it overflowed: whether `s` lies
    /// outside the int64 values whose product with `k` fits.
    fn mul_overflow(&mut self, s: ValueId, k: i64) -> (ValueId, Option<ValueId>) {
        let kv = self.b.i64c(k);
        let product = self.b.bin(BinaryOp::IMul, s, kv);
        let (lo, hi) = fitting_factors(k);
        let mut out = Vec::new();
        if lo > i64::MIN {
            let lo = self.b.i64c(lo);
            out.push(self.b.cmp(CmpOp::SLt, s, lo));
        }
        if hi < i64::MAX {
            let hi = self.b.i64c(hi);
            out.push(self.b.cmp(CmpOp::SGt, s, hi));
        }
        let wrapped = self.any(out);
        (product, wrapped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use corpus_tests::TestFile;
    use frontend::hir::FuncId;

    /// The plan of the entry (the last `def`) of `text`, with default options:
    /// one line per versioned loop, in source order, `loop var, copy: kind`
    /// then each check `array[axis]` with its index (innermost) or its least
    /// and greatest value (nest, `_` where proven), and how many accesses the
    /// fast copy takes as checked.
    fn plan_of(text: &str) -> Vec<String> {
        let file = TestFile::split(text);
        let (_, args) = typeinfer::parse_signature(file.signature.as_deref().unwrap()).unwrap();
        let program = file.program("t.py");
        let entry = FuncId(program.functions.len() as u32 - 1);
        let typed = typeinfer::infer(&program, entry, &args).expect("types");
        let tf = &typed.functions[0];
        let mut loops: Vec<_> = plan(tf, LowerOptions::default()).0.into_iter().collect();
        loops.sort_by_key(|((stop, copy), _)| (tf.hir.expr(*stop).span.start, *copy as u8));
        let name = |l: LocalId| tf.hir.local(l).name.clone();
        let show = |f: &Affine| {
            let mut out = String::new();
            let terms = f.terms.iter().map(|(sym, k)| {
                let sym = match sym {
                    Sym::Local(l) => name(*l),
                    Sym::Extent(a, axis) => format!("{}.shape[{axis}]", name(*a)),
                };
                (*k, sym)
            });
            for (k, term) in terms.chain((f.c != 0).then(|| (f.c, String::new()))) {
                let sign = match (out.is_empty(), k < 0) {
                    (true, false) => "",
                    (true, true) => "-",
                    (false, false) => " + ",
                    (false, true) => " - ",
                };
                let times = if term.is_empty() { "" } else { "*" };
                out += &match k.unsigned_abs() {
                    1 if !term.is_empty() => format!("{sign}{term}"),
                    k => format!("{sign}{k}{times}{term}"),
                };
            }
            if out.is_empty() {
                out.push('0');
            }
            out
        };
        let wraps = |w: bool| if w { " wrapping" } else { "" };
        let at = |array: LocalId, axis: u8, index: &Affine, wrapping: bool| {
            format!(
                "{}[{axis}] at {}{}",
                name(array),
                show(index),
                wraps(wrapping)
            )
        };
        loops
            .into_iter()
            .map(|((stop, copy), version)| {
                let var = loop_var(&tf.hir, stop);
                let (kind, checks, assumed) = match &version {
                    Version::Nest { checks, assumed } => {
                        let bound = |f: &Option<Affine>| f.as_ref().map_or("_".to_string(), show);
                        let checks: Vec<String> = checks
                            .iter()
                            .map(|c| {
                                let (lo, hi) = (bound(&c.least), bound(&c.greatest));
                                format!(
                                    "{}[{}] in [{lo}, {hi}]{}",
                                    name(c.array),
                                    c.axis,
                                    wraps(c.wraps)
                                )
                            })
                            .collect();
                        ("nest", checks, assumed.len())
                    }
                    Version::Innermost { checks, assumed } => {
                        let checks: Vec<String> = checks
                            .iter()
                            .map(|c| at(c.array, c.axis, &c.index, c.wraps))
                            .collect();
                        ("innermost", checks, assumed.len())
                    }
                    Version::Chunked {
                        hoisted,
                        checks,
                        overlaps,
                        assumed,
                    } => {
                        let mut checks: Vec<String> = hoisted
                            .iter()
                            .map(|c| at(c.array, c.axis, &c.index, c.wraps))
                            .chain(checks.iter().map(|c| {
                                format!("{}[{}]{}", name(c.array), c.axis, wraps(c.wraps))
                            }))
                            .collect();
                        checks.extend(
                            overlaps
                                .iter()
                                .map(|(r, w)| format!("{} apart from {}", name(*r), name(*w))),
                        );
                        ("chunks", checks, assumed.len())
                    }
                };
                format!(
                    "{var}, {copy:?}: {kind} on {}; assumes {assumed}",
                    checks.join(", ")
                )
            })
            .collect()
    }

    /// The variable of the loop whose `stop` expression is `stop`.
    fn loop_var(hir: &hir::Function, stop: ExprId) -> String {
        struct Find(ExprId, Option<LocalId>);
        impl Visitor for Find {
            fn visit_stmt(&mut self, f: &hir::Function, stmt: &hir::Stmt) {
                if let StmtKind::ForRange { var, stop, .. } = &stmt.kind {
                    if *stop == self.0 {
                        self.1 = Some(*var);
                    }
                }
                walk_stmt(self, f, stmt);
            }
        }
        let mut find = Find(stop, None);
        walk_block(&mut find, hir, &hir.body);
        hir.local(find.1.expect("a loop of the function"))
            .name
            .clone()
    }

    #[test]
    fn a_nest_is_versioned_on_bounds_known_before_it() {
        // `n` and `m` say nothing of the extents: the nest tests them once,
        // in the order of the accesses (the value's before the target's), each
        // distinct check once; `a[i, j - 1]` may be -1, which the fast copy
        // wraps around. Each of the six accesses is assumed in the fast copy.
        let text = "# signature: (float64[:, :], float64[:, :], int64, int64)\n\
                    def f(a, out, n, m):\n    for i in range(n):\n        for j in range(m):\n            out[i, j] = a[i, j - 1] + a[i, j]\n";
        assert_eq!(
            plan_of(text),
            vec![
                "i, Outside: nest on a[0] in [_, n - 1], a[1] in [-1, m - 2] wrapping, \
                 a[1] in [_, m - 1], out[0] in [_, n - 1], out[1] in [_, m - 1]; assumes 6"
            ]
        );
    }

    #[test]
    fn an_inner_loop_over_data_is_versioned_in_the_fast_copy() {
        // `range(b[i])` has no bound before the nest: the nest is versioned on
        // `b[i]` alone, and in its fast copy the inner loop on `a[j + 1]` (its
        // first and last iteration), assuming the nest's check too. The
        // checked copy versions nothing.
        let text = "# signature: (float64[:], int64[:], int64)\n\
                    def g(a, b, n):\n    s = 0.0\n    for i in range(n):\n        for j in range(b[i]):\n            s += a[j + 1]\n    return s\n";
        assert_eq!(
            plan_of(text),
            vec![
                "i, Outside: nest on b[0] in [_, n - 1]; assumes 1",
                "j, Fast: innermost on a[0] at j + 1; assumes 2",
            ]
        );
    }

    #[test]
    fn only_an_index_negative_by_design_stays_wrapped() {
        // `a[j - 1]` at `j = 0` means the last element: the fast copy wraps
        // it. A start that is a parameter or no form at all (a chunk's bounds
        // `b * n // m`) is tested `>= 0`, so its fast copy never wraps.
        let loop_over = |range: &str, index: &str| {
            let text = format!(
                "# signature: (float64[:], int64, int64, int64)\n\
                 def f(a, lo, hi, m):\n    s = 0.0\n    n = a.shape[0]\n    \
                 for i in range({range}):\n        s += a[{index}]\n    return s\n"
            );
            plan_of(&text)
        };
        assert_eq!(
            loop_over("hi", "i - 1"),
            vec!["i, Outside: innermost on a[0] at i - 1 wrapping; assumes 1"]
        );
        assert_eq!(
            loop_over("lo, hi", "i - m"),
            vec!["i, Outside: innermost on a[0] at -m + i wrapping; assumes 1"]
        );
        assert_eq!(
            loop_over("lo, hi", "i"),
            vec!["i, Outside: innermost on a[0] at i; assumes 1"]
        );
        assert_eq!(
            loop_over("lo, hi", "i + m"),
            vec!["i, Outside: innermost on a[0] at m + i; assumes 1"]
        );
        assert_eq!(
            loop_over("lo * n // m, hi", "i"),
            vec!["i, Outside: innermost on a[0] at i; assumes 1"]
        );
    }

    #[test]
    fn an_index_read_from_data_is_checked_a_chunk_at_a_time() {
        // `a[idx[i]]` has no bound before the loop: each chunk's pass checks
        // it, wrapped around; `out[i]` is tested at the chunk's ends; `idx`
        // and `out` may share memory, which the loop tests once.
        let text = "# signature: (float64[:], int64[:], float64[:])\n\
                    def gather(a, idx, out):\n    for i in range(idx.shape[0]):\n        out[i] = a[idx[i]]\n";
        assert_eq!(
            plan_of(text),
            vec!["i, Outside: chunks on out[0] at i, a[0] wrapping, idx apart from out; assumes 2"]
        );
    }

    #[test]
    fn a_chunk_pass_reads_nothing_the_loop_may_change() {
        // The body stores into the array the index reads, calls a function
        // that might write it, leaves the loop, assigns a local of the index,
        // or only stores through it: the index stays checked in the loop.
        for body in [
            "idx[idx[i]] = 0",
            "out[idx[i]] = 1.0\n        out.sort()",
            "out[idx[i]] = 1.0\n        if out[0] > 1.0:\n            break",
            "out[idx[i] + k] = 1.0\n        k = 1",
            // A scatter: only stores use the index.
            "out[idx[i]] += 1.0",
            // An index computed from the loop's variable alone.
            "out[i] = out[-i - 1]",
        ] {
            let text = format!(
                "# signature: (int64[:], float64[:])\n\
                 def f(idx, out):\n    k = 0\n    for i in range(idx.shape[0]):\n        {body}\n"
            );
            assert!(
                !plan_of(&text).iter().any(|p| p.contains("chunks")),
                "{body}: {:?}",
                plan_of(&text)
            );
        }
    }

    #[test]
    fn proven_indices_need_no_version() {
        let text = "# signature: (float64[:],)\n\
                    def h(a):\n    s = 0.0\n    for i in range(len(a)):\n        s += a[i]\n    return s\n";
        assert!(plan_of(text).is_empty());
    }

    #[test]
    fn fitting_factors_are_exactly_those_whose_product_fits() {
        for k in [1, 2, 3, 7, -1, -2, -3, i64::MAX, i64::MIN, i64::MIN + 1] {
            let (lo, hi) = fitting_factors(k);
            let fits = |s: i64| s.checked_mul(k).is_some();
            assert!(fits(lo) && fits(hi), "k = {k}");
            assert!(lo == i64::MIN || !fits(lo - 1), "k = {k}");
            assert!(hi == i64::MAX || !fits(hi + 1), "k = {k}");
        }
        assert_eq!(fitting_factors(1), (i64::MIN, i64::MAX));
        assert_eq!(fitting_factors(-1), (i64::MIN + 1, i64::MAX));
        assert_eq!(fitting_factors(2), (i64::MIN / 2, i64::MAX / 2));
    }
}
