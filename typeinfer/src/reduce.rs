//! Typing of whole-array reductions (`library::Reduction`): `a.sum()`,
//! `np.max(a)`, builtin `sum(a)`... of an array or an array expression.

use frontend::hir::{Constant, Dtype, ExprId, ExprKind, Keyword, ReduceFn};

use crate::infer::{report, FnCx, Ty};
use crate::{ArrayType, Layout, Type};

/// The arguments of a reduction call besides the array: `axis` (the second
/// positional argument or `axis=`) and NumPy's keywords. Lower reads them
/// through `reduce_arguments` too.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReduceArguments {
    pub axis: Option<ExprId>,
    pub dtype: Option<ExprId>,
    pub keepdims: Option<ExprId>,
    pub ddof: Option<ExprId>,
}

/// Why a reduction's arguments are not `ReduceArguments`.
enum BadArgument<'k> {
    /// An argument beyond the axis, or one given twice.
    Extra(ExprId),
    /// A keyword this reduction does not take.
    Keyword(&'k Keyword),
}

/// The arguments of a call of `r` that typeinfer accepted.
pub fn reduce_arguments(r: ReduceFn, extra: &[ExprId], kwargs: &[Keyword]) -> ReduceArguments {
    parse_arguments(r, extra, kwargs).unwrap_or_default()
}

fn parse_arguments<'k>(
    r: ReduceFn,
    extra: &[ExprId],
    kwargs: &'k [Keyword],
) -> Result<ReduceArguments, BadArgument<'k>> {
    if let Some(x) = extra.get(1) {
        return Err(BadArgument::Extra(*x));
    }
    let reduction = r.reduction();
    let mut args = ReduceArguments {
        axis: extra.first().copied(),
        ..ReduceArguments::default()
    };
    for k in kwargs {
        let slot = match k.name.as_str() {
            "axis" if !reduction.name.starts_with("builtin ") => &mut args.axis,
            "dtype" if reduction.given_dtype.is_some() => &mut args.dtype,
            "keepdims" if reduction.takes_keepdims() => &mut args.keepdims,
            "ddof" if reduction.takes_ddof() => &mut args.ddof,
            _ => return Err(BadArgument::Keyword(k)),
        };
        if slot.is_some() {
            return Err(BadArgument::Extra(k.value));
        }
        *slot = Some(k.value);
    }
    Ok(args)
}

/// The keywords `reduction` takes, for a help line.
fn keywords_taken(reduction: &library::Reduction) -> String {
    let mut names = vec!["axis="];
    if reduction.given_dtype.is_some() {
        names.push("dtype=");
    }
    if reduction.takes_keepdims() {
        names.push("keepdims=");
    }
    if reduction.takes_ddof() {
        names.push("ddof=");
    }
    names.join(", ")
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
    /// call's other arguments (`ReduceArguments`).
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
        let args = match parse_arguments(r, extra, kwargs) {
            Ok(args) if builtin && args.axis.is_some() => {
                self.only_the_array(name, args.axis.unwrap_or(array));
                return Ty::Error;
            }
            Ok(args) => args,
            Err(BadArgument::Extra(x)) if builtin => {
                self.only_the_array(name, x);
                return Ty::Error;
            }
            Err(BadArgument::Extra(x)) => {
                let at = self.span(x);
                self.emit(
                    at,
                    report(
                        "E0219",
                        format!("`{name}` takes the array, `axis` and keywords"),
                        "an extra argument",
                    )
                    .help(format!(
                        "pass the other arguments by keyword ({}); out= is not supported",
                        keywords_taken(reduction)
                    )),
                );
                return Ty::Error;
            }
            Err(BadArgument::Keyword(k)) => {
                let help = if builtin {
                    "Python's builtin takes only the array here".to_string()
                } else {
                    format!("`{name}` takes {}", keywords_taken(reduction))
                };
                self.unsupported_keyword(name, k, &help);
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
        let axis = match args.axis {
            Some(x) => match self.reduction_axis(x, &a) {
                Some(k) => k,
                None => return Ty::Error,
            },
            None => None,
        };
        let keepdims = match args.keepdims {
            Some(x) => match self.constant_flag(x, "keepdims") {
                Some(k) => k,
                None => return Ty::Error,
            },
            None => false,
        };
        if let Some(x) = args.ddof {
            let t = self.expr(x);
            match t.concrete() {
                Some(Type::Scalar(d)) if d.is_int() || d == Dtype::Bool => {
                    self.coerce(x, &t, &Type::INT)
                }
                _ if t.is_pending() => return t,
                _ => {
                    self.bad_argument(name, x, &t, "an integer ddof", "pass ddof=1 or another int");
                    return Ty::Error;
                }
            }
        }
        // `parse_arguments` took a `dtype=` only for a reduction with a rule for it.
        let given = match args.dtype {
            Some(x) => {
                let t = self.expr(x);
                let Some(d) = self.dtype_of(x, &t) else {
                    return Ty::Error;
                };
                Some((x, t, d))
            }
            None => None,
        };
        let typing = reduction.types(a.dtype, given.as_ref().map(|g| g.2));
        let running = matches!(reduction.combine, library::Combine::Running { .. });
        let array_of = |dtype, ndim| {
            Ty::Known(Type::Array(ArrayType {
                dtype,
                ndim,
                layout: Layout::C,
                writable: true,
            }))
        };
        match typing {
            // Every partial value: the array's shape along an axis, else flattened.
            Ok(sig) if running => array_of(sig.result, if axis.is_some() { a.ndim } else { 1 }),
            // The reduced axes kept, of length 1.
            Ok(sig) if keepdims => array_of(sig.result, a.ndim),
            Ok(sig) => match axis {
                Some(_) if a.ndim > 1 => array_of(sig.result, a.ndim - 1),
                _ => Ty::Known(Type::Scalar(sig.result)),
            },
            // The dtype given is refused, else the array's elements.
            Err(rej) => {
                match given {
                    Some((x, t, _)) => self.bad_argument(name, x, &t, rej.needs, rej.help),
                    None => self.bad_argument(
                        name,
                        array,
                        &Ty::Known(Type::Scalar(a.dtype)),
                        rej.needs,
                        rej.help,
                    ),
                }
                Ty::Error
            }
        }
    }

    /// A builtin reduction given more than its array.
    fn only_the_array(&mut self, name: &str, extra: ExprId) {
        self.emit(
            self.span(extra),
            report(
                "E0219",
                format!("`{name}` takes only the array here"),
                "an extra argument",
            )
            .help(format!(
                "a start value or key is not supported: use np.{} for axis= and NumPy's keywords",
                name
            )),
        );
    }

    /// The value of a constant `True`/`False` argument (`keepdims=True`).
    fn constant_flag(&mut self, x: ExprId, keyword: &str) -> Option<bool> {
        self.expr(x);
        match &self.f.expr(x).kind {
            ExprKind::Const(Constant::Bool(b))
            | ExprKind::Global {
                value: Constant::Bool(b),
                ..
            } => Some(*b),
            _ => {
                self.emit(
                    self.span(x),
                    report(
                        "E0206",
                        format!("`{keyword}=` must be a constant True or False so far"),
                        format!("{} is not a constant", self.expr_text(x)),
                    )
                    .help(format!("write {keyword}=True or {keyword}=False")),
                );
                None
            }
        }
    }
}
