//! Typing of whole-array reductions (`library::Reduction`): `a.sum()`,
//! `np.max(a)`, builtin `sum(a)`... of an array or an array expression.

use frontend::hir::{ExprId, Keyword, ReduceFn};

use crate::infer::{report, FnCx, Ty};
use crate::Type;

impl FnCx<'_, '_> {
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
        if let Some(k) = kwargs.first() {
            self.emit(
                k.span,
                report(
                    "E0206",
                    format!("`{name}` with `{}=` is not supported yet", k.name),
                    format!("`{}=` given here", k.name),
                )
                .help("reductions of whole arrays only so far; loop over an axis and reduce its slices"),
            );
            return Ty::Error;
        }
        if let Some(x) = extra.first() {
            self.emit(
                self.span(*x),
                report(
                    "E0219",
                    format!("`{name}` takes only the array"),
                    "an extra argument",
                )
                .help("reductions of whole arrays only so far (no axis, no initial value)"),
            );
            return Ty::Error;
        }
        let reduction = r.reduction();
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
        match (reduction.typing)(a.dtype) {
            Ok(sig) => Ty::Known(Type::Scalar(sig.result)),
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
