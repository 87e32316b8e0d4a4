//! What a `prange` loop shares between its iterations: which locals are
//! reductions, which are private to an iteration, and the races that make a
//! loop's result depend on the threads (errors) or probably do (warnings).
//!
//! Only the outermost `prange` of a nest runs in parallel (an inner one runs
//! sequentially inside its iteration, as in Numba), so only it is analysed.

use std::collections::{HashMap, HashSet};

use frontend::hir::visit::{walk_block, walk_expr, walk_stmt, walk_target, Visitor};
use frontend::hir::{
    self, BinOp, Callee, ExprId, ExprKind, KnownFunction, LocalId, Stmt, StmtKind, Target,
};
use frontend::{Diagnostic, DiagnosticKind, Span};

use crate::assigned::reads_before_assignment;
use crate::{LocalRead, Type};

/// A `prange` loop that runs in parallel (keyed by its `stop` expression in
/// `TypedFunction::parallel_loops`): the reductions its body makes. Every other
/// local assigned in the body is private to an iteration.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParallelLoop {
    pub reductions: Vec<Reduction>,
}

/// A local defined before the loop that the body only updates with `op`:
/// each worker starts from the identity of `op` and the partials are combined
/// into the local after the loop, in iteration order. For an array local
/// (`h += e`, `h[:] += e`) each chunk updates a private array of its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reduction {
    pub local: LocalId,
    pub op: ReduceOp,
}

/// How partials combine. `x -= e` accumulates the negated terms, so it
/// combines with `Add` like `x += e`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    Add,
    Mul,
    And,
    Or,
    Xor,
    Min,
    Max,
}

pub(crate) const RACE: &str = "E0250";
pub(crate) const LEAVES_PRANGE: &str = "E0251";
pub(crate) const SHARED_WRITE: &str = "W0252";
pub(crate) const ARRAY_REDUCTION_USE: &str = "E0260";

/// The analysis of every parallel loop of `f`: the loops, the errors, the warnings.
pub(crate) fn analyze(
    f: &hir::Function,
    local_types: &[Type],
    maybe_unbound: &HashMap<LocalRead, LocalId>,
) -> (
    HashMap<ExprId, ParallelLoop>,
    Vec<Diagnostic>,
    Vec<Diagnostic>,
) {
    let mut a = Analysis {
        f,
        local_types,
        unbound: maybe_unbound.values().copied().collect(),
        loops: HashMap::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    a.block(&f.body);
    (a.loops, a.errors, a.warnings)
}

struct Analysis<'f> {
    f: &'f hir::Function,
    local_types: &'f [Type],
    /// Locals with an "assigned" flag: they are never reductions.
    unbound: HashSet<LocalId>,
    loops: HashMap<ExprId, ParallelLoop>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

// Its own recursion over statements: it stops at the first `prange` of a nest.
impl Analysis<'_> {
    fn block(&mut self, body: &[Stmt]) {
        for stmt in body {
            match &stmt.kind {
                StmtKind::If { body, orelse, .. } => {
                    self.block(body);
                    self.block(orelse);
                }
                StmtKind::While { body, .. } => self.block(body),
                StmtKind::ForRange {
                    var,
                    stop,
                    parallel: true,
                    body,
                    ..
                } => self.parallel_loop(stmt, *var, *stop, body),
                StmtKind::ForRange { body, .. } => self.block(body),
                _ => {}
            }
        }
    }

    fn parallel_loop(&mut self, stmt: &Stmt, var: LocalId, stop: ExprId, body: &[Stmt]) {
        let f = self.f;
        let mut scan = BodyScan::default();
        walk_block(&mut scan, f, body);
        self.leaving(body, false);
        let mut assigned: Vec<LocalId> = scan.assigned.iter().copied().collect();
        assigned.push(var);
        assigned.sort();
        assigned.dedup();
        let mut reductions = Vec::new();
        for &l in &assigned {
            if let Some(op) = self.reduction_op(l, var, &scan) {
                reductions.push(Reduction { local: l, op });
            }
        }
        // Array reductions, and the arrays refused as such (their other use
        // is diagnosed once, not again as a race below).
        let mut arrays: Vec<LocalId> = scan
            .array_updates
            .iter()
            .map(|u| u.local)
            .filter(|l| *l != var)
            .collect();
        arrays.sort();
        arrays.dedup();
        let mut refused = HashSet::new();
        for l in arrays {
            match self.array_reduction(l, var, &scan, stmt.span) {
                Some(Ok(op)) => reductions.push(Reduction { local: l, op }),
                Some(Err(error)) => {
                    self.errors.push(error);
                    refused.insert(l);
                }
                None => {}
            }
        }
        let reduced: HashSet<LocalId> = reductions.iter().map(|r| r.local).chain(refused).collect();
        // A private local read after the loop would see one iteration's value,
        // whichever thread ran last: refused rather than racy.
        for &l in &assigned {
            if reduced.contains(&l) {
                continue;
            }
            let mut after = After {
                f,
                local: l,
                the_loop: stmt.span,
                stale: false,
                found: None,
            };
            after.block(&f.body);
            if let Some(span) = after.found {
                self.errors.push(self.race_error(l, var, span, stmt.span));
            }
        }
        // A private local read before the iteration assigns it would see
        // another iteration's value, from whichever thread ran it last.
        let private: Vec<LocalId> = assigned
            .iter()
            .copied()
            .filter(|l| *l != var && !reduced.contains(l))
            .collect();
        let mut carried: Vec<(LocalRead, LocalId)> = reads_before_assignment(f, body, &private)
            .into_iter()
            .collect();
        carried.sort_by_key(|(read, _)| self.read_span(*read).start);
        if let Some((read, l)) = carried.first() {
            self.errors
                .push(self.carried_error(*l, self.read_span(*read), stmt.span));
        }
        self.shared_writes(body, var, &scan.assigned, &reduced);
        self.loops.insert(stop, ParallelLoop { reductions });
    }

    /// The reduction `l` is, if every assignment of it in the body is `l op= e`,
    /// `l = l op e` or `l = min(l, e)`/`max` (one `op`, `e` not reading `l`) and
    /// the body reads it nowhere else.
    fn reduction_op(&self, l: LocalId, var: LocalId, scan: &BodyScan) -> Option<ReduceOp> {
        if l == var || self.unbound.contains(&l) || scan.other_assign.contains(&l) {
            return None;
        }
        let Some(Type::Scalar(_)) = self.local_types.get(l.0 as usize) else {
            return None;
        };
        let updates = scan.updates.get(&l)?;
        let op = updates[0].0;
        if updates.iter().any(|(o, _)| *o != op) {
            return None;
        }
        // The only reads allowed are the `l` of `l op e` and `min(l, e)`.
        let allowed: HashSet<ExprId> = updates.iter().filter_map(|(_, e)| *e).collect();
        let reads = scan.reads.get(&l).map_or(&[][..], |r| &r[..]);
        reads.iter().all(|e| allowed.contains(e)).then_some(op)
    }

    /// The operation of the array reduction `l` is, when the body updates it
    /// in place (`l op= e`, `l[:] op= e`, `l[...] op= e`, `l[1:] op= e`: indices
    /// that are slices or `...` not depending on the iteration); `Err` when it
    /// also uses `l` otherwise (its shape aside: `l.shape`, `l.size`...); `None` when it never updates `l` so, or when
    /// `l` is private (assigned in the body).
    fn array_reduction(
        &self,
        l: LocalId,
        var: LocalId,
        scan: &BodyScan,
        loop_span: Span,
    ) -> Option<Result<ReduceOp, Diagnostic>> {
        let f = self.f;
        if self.unbound.contains(&l) || scan.other_assign.contains(&l) {
            return None;
        }
        let Some(Type::Array(_)) = self.local_types.get(l.0 as usize) else {
            return None;
        };
        // An update whose view depends on the iteration writes a part of its
        // own (`acc[i:i + 1] += 1`): an ordinary shared store, no reduction.
        let varying = |u: &ArrayUpdate| {
            let mut reads = Reads::default();
            for i in &u.indices {
                reads.visit_expr(f, *i);
            }
            reads
                .of
                .keys()
                .any(|r| *r == var || scan.assigned.contains(r))
        };
        let updates: Vec<&ArrayUpdate> = scan
            .array_updates
            .iter()
            .filter(|u| u.local == l && !varying(u))
            .collect();
        let first = updates.first()?;
        let error = |span: Span, label: String| {
            Some(Err(self.array_use_error(
                l,
                first.op_text,
                span,
                loop_span,
                label,
            )))
        };
        if let Some(other) = updates.iter().find(|u| u.op != first.op) {
            return error(
                other.span,
                format!(
                    "`{}` is updated with `{}` above and with `{}` here",
                    f.local(l).name,
                    first.op_text,
                    other.op_text
                ),
            );
        }
        // `l = l + e` replaces the array rather than update it.
        if let Some(own) = scan
            .updates
            .get(&l)
            .and_then(|u| u.iter().find_map(|(_, own)| *own))
        {
            return error(
                f.expr(own).span,
                "this makes a new array each iteration".into(),
            );
        }
        let allowed: HashSet<ExprId> = updates.iter().filter_map(|u| u.read).collect();
        let reads = scan.reads.get(&l).map_or(&[][..], |r| &r[..]);
        if let Some(read) = reads
            .iter()
            .find(|e| !allowed.contains(e) && !scan.shape_reads.contains(e))
        {
            return error(
                f.expr(*read).span,
                format!("`{}` is used here", f.local(l).name),
            );
        }
        Some(Ok(first.op))
    }

    fn array_use_error(
        &self,
        l: LocalId,
        op: &str,
        use_span: Span,
        loop_span: Span,
        label: String,
    ) -> Diagnostic {
        let name = &self.f.local(l).name;
        let (line, _) = self.f.source.line_col(loop_span.start);
        Diagnostic::new(
            DiagnosticKind::Typing,
            ARRAY_REDUCTION_USE,
            format!("`{name}` is an array reduction of the prange loop at line {line} and may only be updated in it"),
            &self.f.source,
            use_span,
        )
        .with_label(label)
        .with_note(format!("note: each chunk of iterations updates a private copy of `{name}`, combined into `{name}` after the loop, so inside the loop `{name}` holds no iteration's value"))
        .with_note(format!("in the loop, either only update `{name}` in place with one operator (`{name} {op} e`, `{name}[:] {op} e`; `+=`, `-=`, `*=`, `&=`, `|=`, `^=`), or only store into its elements at indices that depend on the loop variable"))
    }

    fn is_array(&self, l: LocalId) -> bool {
        matches!(self.local_types.get(l.0 as usize), Some(Type::Array(_)))
    }

    fn read_span(&self, read: LocalRead) -> Span {
        match read {
            LocalRead::Expr(e) | LocalRead::AugAssign(e) => self.f.expr(e).span,
        }
    }

    fn carried_error(&self, l: LocalId, read: Span, loop_span: Span) -> Diagnostic {
        let name = &self.f.local(l).name;
        let (line, _) = self.f.source.line_col(loop_span.start);
        Diagnostic::new(
            DiagnosticKind::Typing,
            RACE,
            format!("`{name}` is read in the prange loop at line {line} before the iteration assigns it"),
            &self.f.source,
            read,
        )
        .with_label(format!("this may read `{name}` from another iteration"))
        .with_note(format!("note: each iteration has its own `{name}`; a value carried from one iteration to the next would depend on which thread ran the previous one"))
        .with_note(if self.is_array(l) {
            format!("assign `{name}` at the start of each iteration, update it in place as an array reduction (`{name} += ...`, `{name}[:] += ...`), or use `range`")
        } else {
            format!("assign `{name}` at the start of each iteration, make it a reduction (`{name} += ...`), or use `range`")
        })
    }

    fn race_error(&self, l: LocalId, var: LocalId, read: Span, loop_span: Span) -> Diagnostic {
        let name = &self.f.local(l).name;
        let (line, _) = self.f.source.line_col(loop_span.start);
        let what = if l == var {
            format!("the variable of the prange loop at line {line}")
        } else {
            format!("assigned in the prange loop at line {line}")
        };
        let help = if l == var {
            "compute the last value from the loop's bounds, or use `range`".to_string()
        } else if self.is_array(l) {
            format!("update `{name}` in place, an array reduction (`{name} += ...`, `{name}[:] += ...`), or store each iteration's values at indices that depend on the loop variable")
        } else {
            format!("make `{name}` a reduction (`{name} += ...`, `{name} = max({name}, ...)`), or store each iteration's value in an array indexed by the loop variable")
        };
        Diagnostic::new(
            DiagnosticKind::Typing,
            RACE,
            format!("`{name}` is {what} and read after it"),
            &self.f.source,
            read,
        )
        .with_label(format!("`{name}` is read here"))
        .with_note(format!("note: each iteration has its own `{name}`, so after the loop its value would depend on which thread ran last"))
        .with_note(help)
    }

    /// `break` out of, or `return` from, the parallel loop's body.
    fn leaving(&mut self, body: &[Stmt], in_inner_loop: bool) {
        for stmt in body {
            let what = match &stmt.kind {
                StmtKind::If { body, orelse, .. } => {
                    self.leaving(body, in_inner_loop);
                    self.leaving(orelse, in_inner_loop);
                    continue;
                }
                StmtKind::While { body, .. } | StmtKind::ForRange { body, .. } => {
                    self.leaving(body, true);
                    continue;
                }
                StmtKind::Break if !in_inner_loop => "break",
                StmtKind::Return(_) => "return",
                _ => continue,
            };
            self.errors.push(
                Diagnostic::new(
                    DiagnosticKind::Typing,
                    LEAVES_PRANGE,
                    format!("`{what}` cannot leave a prange loop"),
                    &self.f.source,
                    stmt.span,
                )
                .with_label("the iterations of a prange loop all run, in any order")
                .with_note("compute a flag or a result per iteration and act on it after the loop, or use `range`"),
            );
        }
    }

    /// Warns about stores into an array shared by the iterations at an index
    /// that does not depend on the loop variable: every iteration writes the
    /// same element, in an order that depends on the threads.
    fn shared_writes(
        &mut self,
        body: &[Stmt],
        var: LocalId,
        assigned: &HashSet<LocalId>,
        reduced: &HashSet<LocalId>,
    ) {
        struct Stores<'s> {
            var: LocalId,
            assigned: &'s HashSet<LocalId>,
            found: Vec<(ExprId, Vec<ExprId>)>,
        }
        impl Visitor for Stores<'_> {
            fn visit_target(&mut self, f: &hir::Function, target: &Target) {
                if let Target::Subscript { value, indices } = target {
                    let shared = match f.expr(*value).kind {
                        ExprKind::Local(a) => !self.assigned.contains(&a) && a != self.var,
                        _ => false,
                    };
                    if shared {
                        self.found.push((*value, indices.clone()));
                    }
                }
                walk_target(self, f, target)
            }
        }
        let f = self.f;
        let mut stores = Stores {
            var,
            assigned,
            found: Vec::new(),
        };
        walk_block(&mut stores, f, body);
        for (array, indices) in stores.found {
            let mut reads = Reads::default();
            for i in &indices {
                reads.visit_expr(f, *i);
            }
            let varying = reads.of.keys().any(|l| *l == var || assigned.contains(l));
            if varying {
                continue;
            }
            let ExprKind::Local(a) = f.expr(array).kind else {
                continue;
            };
            if reduced.contains(&a) {
                continue;
            }
            let name = &f.local(a).name;
            let span = indices.last().map_or(f.expr(array).span, |last| Span {
                start: f.expr(array).span.start,
                end: f.expr(*last).span.end,
            });
            self.warnings.push(
                Diagnostic::new(
                    DiagnosticKind::Typing,
                    SHARED_WRITE,
                    format!("every iteration of the prange loop writes the same element of `{name}`"),
                    &f.source,
                    span,
                )
                .with_label("the index does not depend on the loop variable")
                .with_note("note: the iterations run on several threads: which write is last depends on them"),
            );
        }
    }
}

/// Locals assigned in a loop body, and how.
#[derive(Default)]
struct BodyScan {
    assigned: HashSet<LocalId>,
    /// `x op= e`, `x = x op e` and `x = min(x, e)`: the op, and the `x` read on the right.
    updates: HashMap<LocalId, Vec<(ReduceOp, Option<ExprId>)>>,
    /// Locals assigned otherwise.
    other_assign: HashSet<LocalId>,
    /// Every read of a local (`ExprKind::Local`).
    reads: HashMap<LocalId, Vec<ExprId>>,
    /// In-place updates of arrays that may be array reductions.
    array_updates: Vec<ArrayUpdate>,
    /// Reads of a local whose shape only is used (`a.shape`, `a.size`,
    /// `a.ndim`, `a.dtype`, `len(a)`): a private array of the same shape gives the same.
    shape_reads: HashSet<ExprId>,
}

/// `a op= e` or `a[<slices or ...>] op= e` with `op` a reduction's.
struct ArrayUpdate {
    local: LocalId,
    op: ReduceOp,
    /// The operator as written (`+=`), for messages.
    op_text: &'static str,
    /// The read of `a` in `a[...]` (none for `a op= e`).
    read: Option<ExprId>,
    indices: Vec<ExprId>,
    span: Span,
}

fn aug_op(op: BinOp) -> Option<(ReduceOp, &'static str)> {
    Some(match op {
        BinOp::Add => (ReduceOp::Add, "+="),
        BinOp::Sub => (ReduceOp::Add, "-="),
        BinOp::Mul => (ReduceOp::Mul, "*="),
        BinOp::BitAnd => (ReduceOp::And, "&="),
        BinOp::BitOr => (ReduceOp::Or, "|="),
        BinOp::BitXor => (ReduceOp::Xor, "^="),
        _ => return None,
    })
}

impl Visitor for BodyScan {
    fn visit_stmt(&mut self, f: &hir::Function, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::AugAssign {
                target: Target::Local(l),
                op,
                value,
            } => {
                self.assigned.insert(*l);
                match aug_op(*op) {
                    Some((op, op_text)) => {
                        self.updates.entry(*l).or_default().push((op, None));
                        self.array_updates.push(ArrayUpdate {
                            local: *l,
                            op,
                            op_text,
                            read: None,
                            indices: Vec::new(),
                            span: stmt.span,
                        });
                    }
                    None => {
                        self.other_assign.insert(*l);
                    }
                }
                self.visit_expr(f, *value);
            }
            StmtKind::AugAssign {
                target:
                    Target::Subscript {
                        value: array,
                        indices,
                    },
                op,
                ..
            } => {
                let whole = indices.iter().all(|i| {
                    matches!(f.expr(*i).kind, ExprKind::Slice { .. } | ExprKind::Ellipsis)
                });
                if let (ExprKind::Local(l), Some((op, op_text)), true) =
                    (&f.expr(*array).kind, aug_op(*op), whole)
                {
                    self.array_updates.push(ArrayUpdate {
                        local: *l,
                        op,
                        op_text,
                        read: Some(*array),
                        indices: indices.clone(),
                        span: stmt.span,
                    });
                }
                walk_stmt(self, f, stmt)
            }
            StmtKind::Assign {
                target: Target::Local(l),
                value,
            } if update_of(f, *l, *value).is_some() => {
                let (op, own) = update_of(f, *l, *value).expect("checked by the guard");
                self.assigned.insert(*l);
                self.updates.entry(*l).or_default().push((op, Some(own)));
                self.visit_expr(f, *value);
            }
            _ => walk_stmt(self, f, stmt),
        }
    }

    fn visit_target(&mut self, f: &hir::Function, target: &Target) {
        if let Target::Local(l) = target {
            self.assigned.insert(*l);
            self.other_assign.insert(*l);
        }
        walk_target(self, f, target)
    }

    fn visit_expr(&mut self, f: &hir::Function, expr: ExprId) {
        match &f.expr(expr).kind {
            ExprKind::Local(l) => self.reads.entry(*l).or_default().push(expr),
            ExprKind::Attribute { value, attr }
                if matches!(attr.as_str(), "shape" | "size" | "ndim" | "dtype") =>
            {
                self.shape_reads.insert(*value);
            }
            ExprKind::Call {
                callee: Callee::Known(KnownFunction::Len),
                args,
                ..
            } if args.len() == 1 => {
                self.shape_reads.insert(args[0]);
            }
            _ => {}
        }
        walk_expr(self, f, expr)
    }
}

/// `(op, the x read)` when `value` updates `x` as a reduction: `min(x, e)` or
/// `min(e, x)` (`max` alike), `x + e` or `e + x` (`*`, `&`, `|`, `^` alike), `x - e`.
fn update_of(f: &hir::Function, x: LocalId, value: ExprId) -> Option<(ReduceOp, ExprId)> {
    let is_x = |e: ExprId| matches!(f.expr(e).kind, ExprKind::Local(l) if l == x);
    if let ExprKind::Binary { op, lhs, rhs, .. } = f.expr(value).kind {
        let op = match op {
            BinOp::Add => ReduceOp::Add,
            BinOp::Sub if is_x(lhs) => ReduceOp::Add,
            BinOp::Mul => ReduceOp::Mul,
            BinOp::BitAnd => ReduceOp::And,
            BinOp::BitOr => ReduceOp::Or,
            BinOp::BitXor => ReduceOp::Xor,
            _ => return None,
        };
        return match (is_x(lhs), is_x(rhs)) {
            (true, false) => Some((op, lhs)),
            (false, true) => Some((op, rhs)),
            _ => None,
        };
    }
    let ExprKind::Call {
        callee: Callee::Known(known),
        args,
        kwargs,
    } = &f.expr(value).kind
    else {
        return None;
    };
    let op = match known {
        KnownFunction::Min => ReduceOp::Min,
        KnownFunction::Max => ReduceOp::Max,
        _ => return None,
    };
    if !kwargs.is_empty() || args.len() != 2 {
        return None;
    }
    match (is_x(args[0]), is_x(args[1])) {
        (true, false) => Some((op, args[0])),
        (false, true) => Some((op, args[1])),
        _ => None,
    }
}

/// Where each local is read (an `x op= e` reads `x` too), by span.
#[derive(Default)]
struct Reads {
    of: HashMap<LocalId, Vec<Span>>,
}

impl Visitor for Reads {
    fn visit_stmt(&mut self, f: &hir::Function, stmt: &Stmt) {
        if let StmtKind::AugAssign {
            target: Target::Local(l),
            ..
        } = &stmt.kind
        {
            self.of.entry(*l).or_default().push(stmt.span);
        }
        walk_stmt(self, f, stmt)
    }

    fn visit_expr(&mut self, f: &hir::Function, expr: ExprId) {
        if let ExprKind::Local(l) = f.expr(expr).kind {
            self.of.entry(l).or_default().push(f.expr(expr).span);
        }
        walk_expr(self, f, expr)
    }
}

/// Finds a read of `local` that may see the value a parallel loop left in it:
/// one reached after the loop (through the end of an enclosing loop too)
/// before an assignment that replaces that value on every path.
struct After<'f> {
    f: &'f hir::Function,
    local: LocalId,
    the_loop: Span,
    /// Whether the value the loop left may still be there.
    stale: bool,
    found: Option<Span>,
}

// Its own recursion over statements: the state splits at branches and joins after them.
impl After<'_> {
    fn block(&mut self, body: &[Stmt]) {
        for stmt in body {
            self.stmt(stmt);
        }
    }

    fn reads(&mut self, exprs: &[ExprId]) {
        if !self.stale || self.found.is_some() {
            return;
        }
        let mut reads = Reads::default();
        for e in exprs {
            reads.visit_expr(self.f, *e);
        }
        if let Some(span) = reads.of.get(&self.local).and_then(|s| s.first()) {
            self.found = Some(*span);
        }
    }

    /// A loop's body, run zero or more times: twice, so that a read early in
    /// the body sees what the end of the previous iteration left.
    fn looped(&mut self, body: &[Stmt]) {
        let before = self.stale;
        self.block(body);
        self.block(body);
        self.stale |= before;
    }

    fn stmt(&mut self, stmt: &Stmt) {
        if stmt.span == self.the_loop {
            self.stale = true;
            return;
        }
        match &stmt.kind {
            StmtKind::Assign { target, value } => {
                self.reads(&[*value]);
                let mut reads = Reads::default();
                reads.visit_target(self.f, target);
                if self.stale && reads.of.contains_key(&self.local) {
                    self.found = self.found.or(reads.of[&self.local].first().copied());
                }
                if matches!(target, Target::Local(l) if *l == self.local) {
                    self.stale = false;
                }
            }
            StmtKind::AugAssign { target, value, .. } => {
                if matches!(target, Target::Local(l) if *l == self.local) && self.stale {
                    self.found = self.found.or(Some(stmt.span));
                }
                let mut reads = Reads::default();
                reads.visit_target(self.f, target);
                if self.stale {
                    if let Some(span) = reads.of.get(&self.local).and_then(|s| s.first()) {
                        self.found = self.found.or(Some(*span));
                    }
                }
                self.reads(&[*value]);
            }
            StmtKind::Expr(e) | StmtKind::Return(Some(e)) => self.reads(&[*e]),
            StmtKind::If { test, body, orelse } => {
                self.reads(&[*test]);
                let before = self.stale;
                self.block(body);
                let then_stale = self.stale;
                self.stale = before;
                self.block(orelse);
                self.stale |= then_stale;
            }
            StmtKind::While { test, body } => {
                self.reads(&[*test]);
                self.looped(body);
                self.reads(&[*test]);
            }
            StmtKind::ForRange {
                var,
                start,
                stop,
                step,
                body,
                ..
            } => {
                self.reads(&[*start, *stop, *step]);
                if *var == self.local {
                    // Each iteration assigns it first; after the loop it holds
                    // the last value, or the old one when the loop ran none.
                    let before = self.stale;
                    self.stale = false;
                    self.looped(body);
                    self.stale = before;
                } else {
                    self.looped(body);
                }
            }
            StmtKind::Break
            | StmtKind::Continue
            | StmtKind::Return(None)
            | StmtKind::Raise { .. }
            | StmtKind::Pass => {}
        }
    }
}
