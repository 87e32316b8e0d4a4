//! Linear algebra (`np.dot`, `np.matmul` and `a @ b`): the types of the
//! products of vectors and matrices, with NumPy's shape rules; lower's
//! `linalg.rs` follows them.
//!
//! Both operands are 1-d or 2-d arrays of floats or complex numbers (NumPy 2
//! promotes them to one dtype, which lower converts to); a product of two
//! vectors is a number, any other a new C-ordered array whose axes are the
//! rows of the left operand then the columns of the right one.

use frontend::hir::{Dtype, ExprId, Keyword, LinalgFn};
use library::promotion::promote_dtype;

use crate::infer::{report, FnCx, Ty};
use crate::{ArrayType, Layout, Type};

/// The type of the product of arrays of types `a` and `b` (each 1-d or 2-d),
/// in dtype `dtype`: a number for two vectors, else a C array.
fn product_type(a: &ArrayType, b: &ArrayType, dtype: Dtype) -> Type {
    match a.ndim + b.ndim - 2 {
        0 => Type::Scalar(dtype),
        ndim => Type::Array(ArrayType {
            dtype,
            ndim,
            layout: Layout::C,
            writable: true,
        }),
    }
}

impl FnCx<'_, '_> {
    pub(crate) fn linalg_call(
        &mut self,
        e: ExprId,
        f: LinalgFn,
        args: &[ExprId],
        tys: &[Ty],
        kwargs: &[Keyword],
    ) -> Ty {
        // `a @ b` is `np.matmul(a, b)` here (the frontend made it so).
        let name = format!("np.{}", f.name());
        let kw_ok = self.no_kwargs(&name, kwargs);
        if !self.arity(e, &name, args.len(), 2, 2) || !kw_ok {
            return Ty::Error;
        }
        if let Some(t) = tys.iter().find(|t| t.is_pending()) {
            return t.clone();
        }
        let mut arrays = Vec::new();
        for (&arg, t) in args.iter().zip(tys) {
            let Ty::Known(Type::Array(a)) = t else {
                let shown = t.concrete().unwrap_or(Type::None);
                self.emit(
                    self.span(arg),
                    report(
                        "E0206",
                        format!("`{name}` of a number is not supported yet"),
                        format!("{} is {shown}", self.expr_text(arg)),
                    )
                    .help("multiply with `*`"),
                );
                return Ty::Error;
            };
            if !(1..=2).contains(&a.ndim) {
                self.emit(
                    self.span(arg),
                    report(
                        "E0206",
                        format!("`{name}` of a {}-d array is not supported yet", a.ndim),
                        format!("{} is {a}", self.expr_text(arg)),
                    )
                    .help("vectors and matrices only so far (1-d and 2-d arrays); loop over the others"),
                );
                return Ty::Error;
            }
            arrays.push(*a);
        }
        let dtype = promote_dtype(arrays[0].dtype, arrays[1].dtype);
        if !(dtype.is_float() || dtype.is_complex()) {
            self.emit(
                self.span(e),
                report(
                    "E0206",
                    format!("`{name}` of {dtype} arrays is not supported yet"),
                    format!(
                        "{} and {} are arrays of {} and {}",
                        self.expr_text(args[0]),
                        self.expr_text(args[1]),
                        arrays[0].dtype,
                        arrays[1].dtype
                    ),
                )
                .help("floats and complex numbers only so far: convert with .astype(np.float64)"),
            );
            return Ty::Error;
        }
        Ty::Known(product_type(&arrays[0], &arrays[1], dtype))
    }
}
