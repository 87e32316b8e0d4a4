//! Rewrites that make results more accurate, on by default since they only
//! bring them closer to exact: `log(1 + x)` is computed as `log1p(x)` and
//! `exp(x) - 1` as `expm1(x)` (for `math.` and `np.`, numbers and arrays),
//! which keep the digits of a tiny `x` that `1 + x` and `exp(x) - 1` lose.

use frontend::hir::{BinOp, Callee, Dtype, ExprId, ExprKind, KnownFunction, LibFn};
use typeinfer::Type;

use crate::func::FnLower;

/// The registry's function `name` in `f`'s namespace.
fn sibling(f: LibFn, name: &str) -> Option<LibFn> {
    library::functions(f.namespace()).find_map(|(n, g)| (n == name).then_some(g))
}

impl FnLower<'_> {
    /// The float dtype of a number or of an array's elements.
    fn float_dtype(&self, e: ExprId) -> Option<Dtype> {
        let d = match self.tf.expr_type(e) {
            Type::Scalar(d) => *d,
            Type::Array(a) => a.dtype,
            _ => return None,
        };
        d.is_float().then_some(d)
    }

    fn is_one(&self, e: ExprId) -> bool {
        self.const_float(e) == Some(1.0)
    }

    /// `Some((g, x))` when `e` is `log(1 + x)` (`g` is `log1p`) or
    /// `exp(x) - 1` (`g` is `expm1`), `x` of the same float type as the
    /// expression it replaces, so that nothing but the rounding changes.
    pub(crate) fn accurate_form(&self, e: ExprId) -> Option<(LibFn, ExprId)> {
        let hir = &self.tf.hir;
        match &hir.expr(e).kind {
            ExprKind::Call {
                callee: Callee::Known(KnownFunction::Library(f)),
                args,
                kwargs,
            } if f.function().names[0] == "log" && kwargs.is_empty() && args.len() == 1 => {
                let ExprKind::Binary {
                    op: BinOp::Add,
                    lhs,
                    rhs,
                } = hir.expr(args[0]).kind
                else {
                    return None;
                };
                let x = match (self.is_one(lhs), self.is_one(rhs)) {
                    (true, _) => rhs,
                    (_, true) => lhs,
                    _ => return None,
                };
                let same = self.float_dtype(x)? == self.float_dtype(args[0])?;
                same.then(|| sibling(*f, "log1p").map(|g| (g, x)))?
            }
            ExprKind::Binary {
                op: BinOp::Sub,
                lhs,
                rhs,
            } if self.is_one(*rhs) => {
                let ExprKind::Call {
                    callee: Callee::Known(KnownFunction::Library(f)),
                    args,
                    kwargs,
                } = &hir.expr(*lhs).kind
                else {
                    return None;
                };
                if f.function().names[0] != "exp" || !kwargs.is_empty() || args.len() != 1 {
                    return None;
                }
                let x = args[0];
                let same = self.float_dtype(x)? == self.float_dtype(e)?
                    && self.float_dtype(*lhs)? == self.float_dtype(e)?;
                same.then(|| sibling(*f, "expm1").map(|g| (g, x)))?
            }
            _ => None,
        }
    }
}
