//! Rewrites that make results more accurate, on by default since they only
//! bring them closer to exact: `log(1 + x)` becomes `log1p(x)` and
//! `exp(x) - 1` becomes `expm1(x)` (for `math.` and `np.`, numbers and arrays),
//! which keep the digits of a tiny `x` that `1 + x` and `exp(x) - 1` lose.
//!
//! A pass over the typed IR: the rewritten expression keeps its id, span and
//! type, so every consumer of it (and every side table that names it) is
//! unchanged, and `lower` sees a call it already knows how to lower.

use frontend::hir::{BinOp, Callee, Constant, Dtype, ExprId, ExprKind, KnownFunction, LibFn};

use crate::{Type, TypedFunction};

pub(crate) fn rewrite(tf: &mut TypedFunction) {
    // Operands precede their expression in the arena, so a rewrite inside
    // `x` is already done when the expression around it is looked at.
    for i in 0..tf.hir.exprs.len() {
        let e = ExprId(i as u32);
        if let Some((g, x, conversion)) = accurate_form(tf, e) {
            let call = ExprKind::Call {
                callee: Callee::Known(KnownFunction::Library(g)),
                args: vec![x],
                kwargs: Vec::new(),
            };
            tf.replace_expr(e, call);
            tf.set_coercion(x, conversion);
        }
    }
}

/// The float dtype of a number or of an array's elements.
fn float_dtype(tf: &TypedFunction, e: ExprId) -> Option<Dtype> {
    let d = match tf.expr_type(e) {
        Type::Scalar(d) => *d,
        Type::Array(a) => a.dtype,
        _ => return None,
    };
    d.is_float().then_some(d)
}

fn is_one(tf: &TypedFunction, e: ExprId) -> bool {
    match &tf.hir.expr(e).kind {
        ExprKind::Const(c) | ExprKind::Global { value: c, .. } => {
            matches!(c, Constant::Int(1) | Constant::Bool(true))
                || matches!(c, Constant::Float(f) if *f == 1.0)
        }
        _ => false,
    }
}

/// The registry's function `name` in `f`'s namespace.
fn sibling(f: LibFn, name: &str) -> Option<LibFn> {
    library::functions(f.namespace()).find_map(|(n, g)| (n == name).then_some(g))
}

/// `Some((g, x, conversion))` when `e` is `log(1 + x)` (`g` is `log1p`) or
/// `exp(x) - 1` (`g` is `expm1`), `x` of the same float type as the
/// expression it replaces, so that nothing but the rounding changes;
/// `conversion` is what the call reads `x` as (the replaced argument's).
fn accurate_form(tf: &TypedFunction, e: ExprId) -> Option<(LibFn, ExprId, Option<Type>)> {
    let hir = &tf.hir;
    let is_call_of = |c: ExprId, name: &str| match &hir.expr(c).kind {
        ExprKind::Call {
            callee: Callee::Known(KnownFunction::Library(f)),
            args,
            kwargs,
        } if f.function().names[0] == name && kwargs.is_empty() && args.len() == 1 => {
            Some((*f, args[0]))
        }
        _ => None,
    };
    match &hir.expr(e).kind {
        ExprKind::Call { .. } => {
            let (f, arg) = is_call_of(e, "log")?;
            let ExprKind::Binary {
                op: BinOp::Add,
                lhs,
                rhs,
                ..
            } = hir.expr(arg).kind
            else {
                return None;
            };
            let x = match (is_one(tf, lhs), is_one(tf, rhs)) {
                (true, _) => rhs,
                (_, true) => lhs,
                _ => return None,
            };
            let same = float_dtype(tf, x)? == float_dtype(tf, arg)?;
            let conversion = tf.coercions.get(&arg).cloned();
            same.then(|| sibling(f, "log1p").map(|g| (g, x, conversion)))?
        }
        ExprKind::Binary {
            op: BinOp::Sub,
            lhs,
            rhs,
            ..
        } if is_one(tf, *rhs) => {
            let (f, x) = is_call_of(*lhs, "exp")?;
            let same = float_dtype(tf, x)? == float_dtype(tf, e)?
                && float_dtype(tf, *lhs)? == float_dtype(tf, e)?;
            let conversion = tf.coercions.get(&x).cloned();
            same.then(|| sibling(f, "expm1").map(|g| (g, x, conversion)))?
        }
        _ => None,
    }
}
