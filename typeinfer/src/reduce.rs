//! Typing of whole-array reductions (`library::Reduction`): `a.sum()`,
//! `np.max(a)`, builtin `sum(a)`... of an array or an array expression.

use frontend::hir::{ExprId, Keyword, ReduceFn};

use crate::infer::{report, FnCx, Ty};
use crate::{ArrayType, Layout, Type};

/// Why a reduction's arguments are not (array, axis).
enum AxisArgument<'k> {
    /// An argument beyond the axis.
    Extra(ExprId),
    /// A keyword other than `axis=`.
    Keyword(&'k Keyword),
}

/// The `axis` of a reduction call: the second positional argument or
/// `axis=` (`None` when absent). Lower reads it through this one function too.
pub fn reduction_axis_argument(extra: &[ExprId], kwargs: &[Keyword]) -> Option<ExprId> {
    axis_argument(extra, kwargs).ok().flatten()
}

fn axis_argument<'k>(
    extra: &[ExprId],
    kwargs: &'k [Keyword],
) -> Result<Option<ExprId>, AxisArgument<'k>> {
    if let Some(x) = extra.get(1) {
        return Err(AxisArgument::Extra(*x));
    }
    let mut axis = extra.first().copied();
    for k in kwargs {
        if k.name != "axis" {
            return Err(AxisArgument::Keyword(k));
        }
        if axis.is_some() {
            return Err(AxisArgument::Extra(k.value));
        }
        axis = Some(k.value);
    }
    Ok(axis)
}

impl FnCx<'_, '_> {
    /// The axis an `axis` argument names, normalized (`Some(None)`: `axis=None`,
    /// the whole array); `None` after reporting a bad one.
    pub(crate) fn reduction_axis(&mut self, x: ExprId, a: &ArrayType) -> Option<Option<usize>> {
        self.expr(x);
        if matches!(
            self.f.expr(x).kind,
            frontend::hir::ExprKind::Const(frontend::hir::Constant::None)
        ) {
            return Some(None);
        }
        let Some(k) = self.constant_int(x) else {
            self.emit(
                self.span(x),
                report(
                    "E0206",
                    "a reduction's axis must be a constant integer so far",
                    format!("{} is not a constant", self.expr_text(x)),
                )
                .help("write the axis as a number, e.g. axis=0"),
            );
            return None;
        };
        let n = i64::from(a.ndim);
        if !(-n..n).contains(&k) {
            self.emit(
                self.span(x),
                report(
                    "E0238",
                    format!("axis {k} is out of bounds for array of dimension {n}"),
                    format!("the array is {a}"),
                )
                .help(format!(
                    "NumPy raises AxisError here; use an axis from {} to {}",
                    -n,
                    n - 1
                )),
            );
            return None;
        }
        Some(Some(k.rem_euclid(n.max(1)) as usize))
    }

    /// `name` (as the user wrote it) of `array`; `extra` and `kwargs` are the
    /// call's other arguments, none supported yet.
    pub(crate) fn reduce_call(
        &mut self,
        e: ExprId,
        r: ReduceFn,
        name: &str,
        (array, ty): (ExprId, &Ty),
        extra: &[ExprId],
        kwargs: &[Keyword],
    ) -> Ty {
        let reduction = r.reduction();
        let builtin = reduction.name.starts_with("builtin ");
        let axis = match axis_argument(extra, kwargs) {
            Ok(None) => None,
            Ok(Some(x)) if !builtin => Some(x),
            Ok(Some(x)) | Err(AxisArgument::Extra(x)) => {
                let at = self.span(x);
                self.emit(
                    at,
                    report(
                        "E0219",
                        format!("`{name}` takes only the array and `axis`"),
                        "an extra argument",
                    )
                    .help("no out=, dtype=, keepdims= or initial value so far"),
                );
                return Ty::Error;
            }
            Err(AxisArgument::Keyword(k)) => {
                self.unsupported_keyword(name, k, "reductions take the array and axis= so far");
                return Ty::Error;
            }
        };
        let a = match ty {
            Ty::Known(Type::Array(a)) => *a,
            t if t.is_pending() => return t.clone(),
            t => {
                self.bad_argument(name, array, t, "an array", "pass an array");
                return Ty::Error;
            }
        };
        if reduction.name.starts_with("builtin ") && a.ndim != 1 {
            self.emit(
                self.span(e),
                report(
                    "E0220",
                    format!("`{name}` of a {}-d array is not supported", a.ndim),
                    format!("{} is {a}", self.expr_text(array)),
                )
                .help(format!(
                    "Python's {name} iterates the rows of a 2-d array; use np.{} for all elements",
                    reduction.name.trim_start_matches("builtin ")
                )),
            );
            return Ty::Error;
        }
        let axis = match axis {
            Some(x) => match self.reduction_axis(x, &a) {
                Some(k) => k,
                None => return Ty::Error,
            },
            None => None,
        };
        let running = matches!(reduction.combine, library::Combine::Running { .. });
        match (reduction.typing)(a.dtype) {
            // Every partial value: the array's shape along an axis, else flattened.
            Ok(sig) if running => Ty::Known(Type::Array(ArrayType {
                dtype: sig.result,
                ndim: if axis.is_some() { a.ndim } else { 1 },
                layout: Layout::C,
                writable: true,
            })),
            Ok(sig) => match axis {
                Some(_) if a.ndim > 1 => Ty::Known(Type::Array(ArrayType {
                    dtype: sig.result,
                    ndim: a.ndim - 1,
                    layout: Layout::C,
                    writable: true,
                })),
                _ => Ty::Known(Type::Scalar(sig.result)),
            },
            Err(rej) => {
                self.bad_argument(
                    name,
                    array,
                    &Ty::Known(Type::Scalar(a.dtype)),
                    rej.needs,
                    rej.help,
                );
                Ty::Error
            }
        }
    }
}
