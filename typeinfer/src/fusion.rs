//! Fusion of array temporaries: `t = <array expression>` followed by a
//! statement that reads `t`, where nothing else reads or assigns `t`, becomes
//! that statement with the expression in place of the read, so lower computes
//! both in one loop nest and never makes `t`. Read twice (`d * d`), a cheap
//! expression of locals and constants is computed twice rather than stored:
//!
//! ```python
//! d = x - mu            # no array is made for d
//! s = np.sum(d * d)     # one loop: np.sum((x - mu) * (x - mu))
//! ```
//!
//! A pass over the typed IR. Moving the expression must change nothing a
//! program can see, so the statement may only evaluate, before the moved
//! expression, what cannot fail or act (locals and constants), and around it
//! only what fails after it would have (array operators, whose shapes are
//! checked inside out, and a reduction or number operations over the result):
//! the same exception comes first, from the same expression (whose span, the
//! temporary's line, it keeps).

use std::collections::HashMap;

use frontend::hir::visit::{self, Visitor};
use frontend::hir::{
    Callee, Constant, ExprId, ExprKind, Function, KnownFunction, LocalId, Stmt, StmtKind, Target,
};

use crate::{Type, TypedFunction};

pub(crate) fn fuse(tf: &mut TypedFunction) {
    let uses = Uses::of(&tf.hir);
    let candidate = |(l, n): (&LocalId, &usize)| {
        *n == 1
            && uses.read.get(l).is_some_and(|r| (1..=2).contains(r))
            && matches!(tf.local_type(*l), Type::Array(_))
    };
    // The function is copied (from the program's) only when it may change.
    if !uses.assigned.iter().any(candidate) {
        return;
    }
    let mut body = tf.take_body();
    fuse_block(tf, &uses, &mut body);
    tf.set_body(body);
}

/// Fuses the temporaries of `block` and of the blocks it holds.
fn fuse_block(tf: &mut TypedFunction, uses: &Uses, block: &mut Vec<Stmt>) {
    for stmt in block.iter_mut() {
        match &mut stmt.kind {
            StmtKind::If { body, orelse, .. } => {
                fuse_block(tf, uses, body);
                fuse_block(tf, uses, orelse);
            }
            StmtKind::While { body, .. } | StmtKind::ForRange { body, .. } => {
                fuse_block(tf, uses, body);
            }
            _ => {}
        }
    }
    let mut i = 0;
    // A fused statement may read another temporary made just before it
    // (`t = a * b; u = t + 1; c = u * 2`), so each is tried again.
    while i + 1 < block.len() {
        match temporary(tf, uses, &block[i]).and_then(|(t, e, reads)| {
            let at = fusable_reads(tf, &block[i + 1], t, e, reads)?;
            Some((e, at))
        }) {
            Some((e, at)) => {
                for (k, read) in at.into_iter().enumerate() {
                    // Each expression id appears once in the tree: a second
                    // place gets a copy.
                    let root = if k == 0 { e } else { copy(tf, e) };
                    tf.move_expr(root, read);
                }
                block.remove(i);
            }
            None => i += 1,
        }
    }
}

/// `Some((t, e, reads))` when `stmt` is `t = e`, `e` an array expression
/// computed element by element into a new array of `t`'s type, `t` a local
/// assigned only there and read `reads` times (once, or twice if `e` is cheap
/// to compute again).
fn temporary(tf: &TypedFunction, uses: &Uses, stmt: &Stmt) -> Option<(LocalId, ExprId, usize)> {
    let StmtKind::Assign {
        target: Target::Local(t),
        value,
    } = stmt.kind
    else {
        return None;
    };
    let reads = *uses.read.get(&t)?;
    let fits =
        uses.assigned.get(&t) == Some(&1) && (reads == 1 || reads == 2 && is_cheap(tf, value));
    let own_type = tf.local_type(t) == tf.expr_type(value) && !tf.coercions.contains_key(&value);
    let parameter = tf.hir.params.contains(&t);
    (fits && own_type && !parameter && tf.is_elementwise(value)).then_some((t, value, reads))
}

/// The `reads` reads of `t` in `stmt` (the statement right after `t = e`)
/// when `e` may be computed in their place: `stmt` assigns to a local or a
/// slice of one, updates one, or returns, and its value reads `t` along paths
/// of array operators, reductions and number operations whose other operands
/// are locals and constants.
fn fusable_reads(
    tf: &TypedFunction,
    stmt: &Stmt,
    t: LocalId,
    e: ExprId,
    reads: usize,
) -> Option<Vec<ExprId>> {
    let value = match &stmt.kind {
        StmtKind::Assign { target, value } | StmtKind::AugAssign { target, value, .. } => {
            cannot_fail(tf, target).then_some(*value)?
        }
        StmtKind::Return(Some(value)) => *value,
        _ => return None,
    };
    let paths = paths_to(tf, value, t);
    if paths.len() != reads {
        return None;
    }
    let element_errors = raises_per_element(tf, e);
    let fusable = |path: &Vec<ExprId>| fusable_path(tf, path, element_errors);
    paths
        .iter()
        .all(fusable)
        .then(|| paths.iter().filter_map(|p| p.last().copied()).collect())
}

/// Whether the read at the end of `path` may become the temporary's
/// expression: see `fusable_reads`.
fn fusable_path(tf: &TypedFunction, path: &[ExprId], element_errors: bool) -> bool {
    for pair in path.windows(2) {
        let (node, on_path) = (pair[0], pair[1]);
        let others_are_leaves = children(tf, node)
            .into_iter()
            .filter(|c| *c != on_path)
            .all(|c| is_leaf(tf, c));
        // Two operators that may raise on an element would interleave their
        // errors element by element, where the temporary raised all its own first.
        let ordered = !(element_errors && tf.raises_per_element(node));
        let kind_allowed = tf.is_elementwise(node)
            || is_reduction_of(tf, node, on_path)
            || matches!(tf.expr_type(node), Type::Scalar(_)) && is_computation(tf, node);
        if !(others_are_leaves && ordered && kind_allowed) {
            return false;
        }
    }
    true
}

/// The expressions from `root` down to each read of `t` in it.
fn paths_to(tf: &TypedFunction, root: ExprId, t: LocalId) -> Vec<Vec<ExprId>> {
    struct Find {
        t: LocalId,
        stack: Vec<ExprId>,
        found: Vec<Vec<ExprId>>,
    }
    impl Visitor for Find {
        fn visit_expr(&mut self, f: &Function, e: ExprId) {
            self.stack.push(e);
            if matches!(f.expr(e).kind, ExprKind::Local(l) if l == self.t) {
                self.found.push(self.stack.clone());
            }
            visit::walk_expr(self, f, e);
            self.stack.pop();
        }
    }
    let mut find = Find {
        t,
        stack: Vec::new(),
        found: Vec::new(),
    };
    find.visit_expr(&tf.hir, root);
    find.found
}

/// Operators on locals and constants: computing it twice costs less than
/// storing it and reads nothing that could change or fail.
fn is_cheap(tf: &TypedFunction, e: ExprId) -> bool {
    is_leaf(tf, e)
        || is_operator(tf, e)
            && !tf.raises_per_element(e)
            && children(tf, e).into_iter().all(|c| is_cheap(tf, c))
}

/// A copy of the cheap expression `e` (`is_cheap`) with new ids, typed and
/// read as `e` is.
fn copy(tf: &mut TypedFunction, e: ExprId) -> ExprId {
    let mut kind = tf.hir.expr(e).kind.clone();
    match &mut kind {
        ExprKind::Binary { lhs, rhs, .. } => {
            *lhs = copy(tf, *lhs);
            *rhs = copy(tf, *rhs);
        }
        ExprKind::Unary { operand, .. } => *operand = copy(tf, *operand),
        ExprKind::Compare { left, comparisons } => {
            *left = copy(tf, *left);
            for (_, c) in comparisons.iter_mut() {
                *c = copy(tf, *c);
            }
        }
        _ => {}
    }
    tf.add_expr_like(e, kind)
}

/// The operands of a node on the path, in the order lower evaluates them.
fn children(tf: &TypedFunction, e: ExprId) -> Vec<ExprId> {
    match &tf.hir.expr(e).kind {
        ExprKind::Binary { lhs, rhs, .. } => vec![*lhs, *rhs],
        ExprKind::Unary { operand, .. } => vec![*operand],
        ExprKind::Compare { left, comparisons } => std::iter::once(*left)
            .chain(comparisons.iter().map(|(_, c)| *c))
            .collect(),
        ExprKind::Call {
            callee,
            args,
            kwargs,
        } => {
            let receiver = match callee {
                Callee::Method { receiver, .. } => Some(*receiver),
                _ => None,
            };
            receiver
                .into_iter()
                .chain(args.iter().copied())
                .chain(kwargs.iter().map(|k| k.value))
                .collect()
        }
        _ => Vec::new(),
    }
}

/// A value that is there without computing anything: a local, a constant.
fn is_leaf(tf: &TypedFunction, e: ExprId) -> bool {
    matches!(
        tf.hir.expr(e).kind,
        ExprKind::Local(_) | ExprKind::Const(_) | ExprKind::Global { .. }
    )
}

fn is_operator(tf: &TypedFunction, e: ExprId) -> bool {
    matches!(
        tf.hir.expr(e).kind,
        ExprKind::Binary { .. } | ExprKind::Unary { .. } | ExprKind::Compare { .. }
    )
}

/// An operator or a library function (`np.sqrt`, `math.exp`): of numbers,
/// it fails only after its operands are computed.
fn is_computation(tf: &TypedFunction, e: ExprId) -> bool {
    is_operator(tf, e)
        || matches!(
            tf.hir.expr(e).kind,
            ExprKind::Call {
                callee: Callee::Known(KnownFunction::Library(_)),
                ..
            }
        )
}

/// Whether `e` reduces `source` (`np.sum(source, ...)`, `source.sum(...)`).
fn is_reduction_of(tf: &TypedFunction, e: ExprId, source: ExprId) -> bool {
    match &tf.hir.expr(e).kind {
        ExprKind::Call {
            callee: Callee::Known(KnownFunction::Reduce(_)),
            args,
            ..
        } => args.first() == Some(&source),
        ExprKind::Call {
            callee: Callee::Method { receiver, name },
            ..
        } => *receiver == source && library::reduction_method(name).is_some(),
        _ => false,
    }
}

/// Whether computing `e` may raise at some element: an integer power of an
/// array whose exponent may be negative (NumPy's `ValueError`).
fn raises_per_element(tf: &TypedFunction, e: ExprId) -> bool {
    tf.raises_per_element(e)
        || (tf.is_elementwise(e)
            && children(tf, e)
                .into_iter()
                .any(|c| raises_per_element(tf, c)))
}

/// Whether assigning to `target` cannot fail before the value is stored: a
/// local, or a slice (`a[:]`, `a[1:]`, `a[...]`) of a local array, whose
/// bounds are clipped and whose step is not a possible zero.
fn cannot_fail(tf: &TypedFunction, target: &Target) -> bool {
    match target {
        Target::Local(_) => true,
        Target::Subscript { value, indices } => {
            is_leaf(tf, *value)
                && indices.iter().all(|i| match tf.hir.expr(*i).kind {
                    ExprKind::Ellipsis => true,
                    ExprKind::Slice { lower, upper, step } => {
                        lower.into_iter().chain(upper).all(|b| is_leaf(tf, b))
                            && step.is_none_or(|s| {
                                matches!(tf.hir.expr(s).kind, ExprKind::Const(Constant::Int(k)) if k != 0)
                            })
                    }
                    _ => false,
                })
        }
        Target::Tuple(_) => false,
    }
}

/// How many times each local is assigned and read in the whole function.
#[derive(Default)]
struct Uses {
    assigned: HashMap<LocalId, usize>,
    read: HashMap<LocalId, usize>,
}

impl Uses {
    fn of(f: &Function) -> Uses {
        let mut uses = Uses::default();
        visit::walk_block(&mut uses, f, &f.body);
        uses
    }
}

impl Visitor for Uses {
    fn visit_stmt(&mut self, f: &Function, stmt: &Stmt) {
        // `t op= v` reads `t` too.
        if let StmtKind::AugAssign {
            target: Target::Local(l),
            ..
        } = stmt.kind
        {
            *self.read.entry(l).or_default() += 1;
        }
        visit::walk_stmt(self, f, stmt)
    }
    fn visit_expr(&mut self, f: &Function, e: ExprId) {
        if let ExprKind::Local(l) = f.expr(e).kind {
            *self.read.entry(l).or_default() += 1;
        }
        visit::walk_expr(self, f, e)
    }
    fn visit_target(&mut self, f: &Function, target: &Target) {
        if let Target::Local(l) = target {
            *self.assigned.entry(*l).or_default() += 1;
        }
        visit::walk_target(self, f, target)
    }
}
