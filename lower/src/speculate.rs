//! Which expressions may run although Python would not run them: the right
//! operands of `and`/`or` that lower evaluates eagerly and combines with
//! selects, so that a condition such as `s == 3 or (s == 2 and g[i, j] == 1)`
//! is straight-line code that LLVM if-converts and vectorizes, rather than
//! branches (which LLVM 19 even turns into a `switch` its vectorizer rejects).
//!
//! Speculating is only allowed for what cannot raise, allocate or touch
//! memory out of bounds whatever the values: number arithmetic without
//! division, comparisons, reads of locals that are surely bound, and array
//! element reads whose indices the range analysis proves in bounds (a proof,
//! not `boundscheck=False`: `i < n and a[i] > 0` must not read `a[n]`).

use frontend::hir::visit::{walk_expr, Visitor};
use frontend::hir::{BinOp, ExprId, ExprKind, Function};
use typeinfer::{LocalRead, Type, TypedFunction};

use crate::func::{unsigned_index, FnLower};
use crate::ranges::Ranges;

impl FnLower<'_> {
    /// Whether `e` can be evaluated where Python would not evaluate it.
    pub(crate) fn speculable(&self, e: ExprId) -> bool {
        speculable(self.tf, &self.ranges, e)
    }
}

/// Whether `e` can be evaluated where Python would not evaluate it, given what
/// `ranges` proves there (versioning's planner asks with its own `Ranges`).
pub(crate) fn speculable(tf: &TypedFunction, ranges: &Ranges, e: ExprId) -> bool {
    let mut check = Speculable {
        tf,
        ranges,
        ok: true,
    };
    check.visit_expr(&tf.hir, e);
    check.ok
}

struct Speculable<'l, 'a> {
    tf: &'l TypedFunction,
    ranges: &'l Ranges<'a>,
    ok: bool,
}

impl Visitor for Speculable<'_, '_> {
    fn visit_expr(&mut self, f: &Function, e: ExprId) {
        if !self.ok {
            return;
        }
        let tf = self.tf;
        // Only numbers: an array or tuple value would be an allocation or a view.
        if !matches!(tf.expr_type(e), Type::Scalar(_)) {
            self.ok = false;
            return;
        }
        let kind = &f.expr(e).kind;
        match kind {
            // Their array is read as a whole (an element, a part), not evaluated.
            ExprKind::Subscript { value, indices } => {
                self.ok = self.element_in_bounds(f, *value, indices);
                return;
            }
            ExprKind::Attribute { value, attr } if matches!(attr.as_str(), "real" | "imag") => {
                self.visit_expr(f, *value);
                return;
            }
            _ => {}
        }
        self.ok = match kind {
            ExprKind::Const(_) | ExprKind::Global { .. } | ExprKind::IsNone { .. } => true,
            ExprKind::Local(_) => !tf.maybe_unbound.contains_key(&LocalRead::Expr(e)),
            ExprKind::Unary { .. } | ExprKind::Compare { .. } => true,
            ExprKind::BoolOp { .. } | ExprKind::IfExp { .. } => true,
            // Division and powers may raise; shifts by a negative count too.
            ExprKind::Binary { op, .. } => matches!(
                op,
                BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor
            ),
            _ => false,
        };
        if self.ok {
            walk_expr(self, f, e);
        }
    }
}

impl Speculable<'_, '_> {
    /// `value[indices]` reads an element of a local array at indices proven in bounds.
    fn element_in_bounds(&mut self, f: &Function, value: ExprId, indices: &[ExprId]) -> bool {
        let ExprKind::Local(array) = f.expr(value).kind else {
            return false;
        };
        let tf = self.tf;
        let Type::Array(at) = tf.expr_type(value) else {
            return false;
        };
        if indices.len() != at.ndim as usize
            || tf.maybe_unbound.contains_key(&LocalRead::Expr(value))
        {
            return false;
        }
        indices.iter().enumerate().all(|(axis, &idx)| {
            let (lo, hi) = self.ranges.index_proof(Some(array), axis as u8, idx);
            (lo || unsigned_index(tf, idx)) && hi
        }) && {
            // The indices themselves, not the array (read as a whole above).
            for &idx in indices {
                self.visit_expr(f, idx);
            }
            true
        }
    }
}
