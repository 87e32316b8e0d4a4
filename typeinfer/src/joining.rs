//! Typing of arrays built from arrays: `np.concatenate`, `np.stack`,
//! `np.hstack`, `np.vstack` (of a tuple of arrays) and `np.triu`, `np.tril`;
//! lower's `joining.rs` follows `plan`, the one decision of how arrays join.
//!
//! What `lower` relies on: the tuple holds at least one array, all of one
//! number of dimensions once raised as `plan` says (NumPy's errors about
//! numbers of dimensions are compile-time errors, E0286, since ndims are
//! types); the axis is a constant; the result is a new C array of the
//! promoted dtype. `triu`/`tril` take an array of 2 or more dimensions and
//! an int64 `k`; `np.convolve` two 1-d arrays of numbers and a constant `mode`.

use frontend::hir::{Constant, Dtype, ExprId, ExprKind, JoinFn, Keyword};
use library::promotion::{promote_dtype, Kind};

use crate::creation::bind;
use crate::infer::{report, FnCx, Ty};
use crate::{ArrayType, Layout, Type};

/// The parameters of `f` in NumPy's positional order and how many may be passed by position.
pub fn params(f: JoinFn) -> (&'static [&'static str], usize) {
    match f {
        JoinFn::Concatenate | JoinFn::Stack => (&["arrays", "axis"], 2),
        JoinFn::Hstack | JoinFn::Vstack => (&["tup"], 1),
        JoinFn::Triu | JoinFn::Tril => (&["m", "k"], 2),
        JoinFn::Convolve => (&["a", "v", "mode"], 3),
    }
}

/// The arguments of a call of `f` by parameter (`params`); `None` when they
/// do not bind (typeinfer reported it).
pub fn bound_arguments(
    f: JoinFn,
    args: &[ExprId],
    kwargs: &[Keyword],
) -> Option<Vec<Option<ExprId>>> {
    bind(params(f), args, kwargs).ok()
}

/// How the arrays join.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Join {
    /// End to end along this axis (`concatenate`, `hstack`, `vstack`).
    Along(usize),
    /// Each flattened, end to end (`concatenate(..., axis=None)`).
    Flat,
    /// Each as one slice of a new axis at this position (`stack`).
    Stack(usize),
}

/// How a joining function treats arrays of these numbers of dimensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Each array is first given leading axes of extent 1 up to this many
    /// (NumPy's `atleast_1d` for `hstack`, `atleast_2d` for `vstack`; a 1-d
    /// array becomes one row).
    pub raise_to: u8,
    pub join: Join,
    /// The result's number of dimensions.
    pub ndim: u8,
}

/// Why arrays cannot join: NumPy's `ValueError` text, or an axis out of range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanError {
    Shapes(String),
    Axis { axis: i64, ndim: u8 },
}

/// The plan of `f` for arrays of `ndims` dimensions and an axis argument
/// (absent: `None`; the constant `None`: `Some(None)`; a constant integer).
pub fn plan(f: JoinFn, ndims: &[u8], axis: Option<Option<i64>>) -> Result<Plan, PlanError> {
    let raised: Vec<u8> = match f {
        JoinFn::Hstack => ndims.iter().map(|&n| n.max(1)).collect(),
        JoinFn::Vstack => ndims.iter().map(|&n| n.max(2)).collect(),
        _ => ndims.to_vec(),
    };
    let first = raised.first().copied().unwrap_or(1);
    if f == JoinFn::Stack {
        if raised.iter().any(|&n| n != first) {
            return Err(PlanError::Shapes(
                "all input arrays must have the same shape".into(),
            ));
        }
        let k = axis.flatten().unwrap_or(0);
        let n = i64::from(first) + 1;
        if !(-n..n).contains(&k) {
            return Err(PlanError::Axis {
                axis: k,
                ndim: first + 1,
            });
        }
        return Ok(Plan {
            raise_to: first,
            join: Join::Stack(k.rem_euclid(n) as usize),
            ndim: first + 1,
        });
    }
    if raised.contains(&0) {
        return Err(PlanError::Shapes(
            "zero-dimensional arrays cannot be concatenated".into(),
        ));
    }
    if let Some(k) = raised.iter().position(|&n| n != first) {
        return Err(PlanError::Shapes(format!(
            "all the input arrays must have same number of dimensions, but the array at index 0 \
             has {first} dimension(s) and the array at index {k} has {} dimension(s)",
            raised[k]
        )));
    }
    let k = match (f, axis) {
        (JoinFn::Hstack, _) => i64::from(first != 1),
        (JoinFn::Concatenate, Some(None)) => {
            return Ok(Plan {
                raise_to: first,
                join: Join::Flat,
                ndim: 1,
            })
        }
        (_, axis) => axis.flatten().unwrap_or(0),
    };
    let n = i64::from(first);
    if !(-n..n).contains(&k) {
        return Err(PlanError::Axis {
            axis: k,
            ndim: first,
        });
    }
    Ok(Plan {
        raise_to: first,
        join: Join::Along(k.rem_euclid(n) as usize),
        ndim: first,
    })
}

impl FnCx<'_, '_> {
    pub(crate) fn joining_call(
        &mut self,
        e: ExprId,
        f: JoinFn,
        args: &[ExprId],
        kwargs: &[Keyword],
    ) -> Ty {
        let name = format!("np.{}", f.name());
        let tys: Vec<Ty> = args.iter().map(|a| self.expr(*a)).collect();
        let kw_tys: Vec<Ty> = kwargs.iter().map(|k| self.expr(k.value)).collect();
        let Some(p) = self.bind_args(e, &name, params(f), args, kwargs) else {
            return Ty::Error;
        };
        let ty_of = |a: ExprId| -> Ty {
            args.iter()
                .zip(&tys)
                .chain(kwargs.iter().map(|k| &k.value).zip(&kw_tys))
                .find(|(x, _)| **x == a)
                .map_or(Ty::Error, |(_, t)| t.clone())
        };
        let (names, _) = params(f);
        let Some(first) = p[0] else {
            return self.missing(e, &name, names[0]);
        };
        if let Some(t) = p
            .iter()
            .flatten()
            .map(|a| ty_of(*a))
            .find(|t| t.is_pending())
        {
            return t;
        }
        if f == JoinFn::Convolve {
            return self.convolve(
                &name,
                (first, ty_of(first)),
                p[1].map(|v| (v, ty_of(v))),
                p[2],
            );
        }
        if matches!(f, JoinFn::Triu | JoinFn::Tril) {
            return self.triangle(&name, first, ty_of(first), p[1].map(|k| (k, ty_of(k))));
        }
        let items = match ty_of(first) {
            Ty::Known(Type::Tuple(items)) if !items.is_empty() => items,
            t => {
                let shown = t.concrete().unwrap_or(Type::None);
                self.emit(
                    self.span(first),
                    report(
                        "E0285",
                        format!("`{name}` needs a tuple of arrays"),
                        format!("{} is {shown}", self.expr_text(first)),
                    )
                    .help("pass the arrays as a tuple: (a, b)"),
                );
                return Ty::Error;
            }
        };
        let mut arrays = Vec::new();
        for (k, item) in items.iter().enumerate() {
            let Type::Array(a) = item else {
                self.emit(
                    self.span(first),
                    report(
                        "E0285",
                        format!("`{name}` needs a tuple of arrays"),
                        format!("item {k} is {item}"),
                    )
                    .help("make numbers arrays first, e.g. np.array([x])"),
                );
                return Ty::Error;
            };
            arrays.push(*a);
        }
        let axis = match p.get(1).copied().flatten() {
            None => None,
            Some(x) if matches!(self.f.expr(x).kind, ExprKind::Const(Constant::None)) => Some(None),
            Some(x) => match self.constant_int(x) {
                Some(k) => Some(Some(k)),
                None => {
                    self.emit(
                        self.span(x),
                        report(
                            "E0283",
                            format!("the axis of `{name}` must be a constant integer"),
                            format!("{} is not a constant", self.expr_text(x)),
                        )
                        .help("write the axis as a number, e.g. axis=0"),
                    );
                    return Ty::Error;
                }
            },
        };
        let ndims: Vec<u8> = arrays.iter().map(|a| a.ndim).collect();
        let plan = match plan(f, &ndims, axis) {
            Ok(plan) => plan,
            Err(PlanError::Shapes(message)) => {
                self.emit(
                    self.span(first),
                    report("E0286", message, "NumPy raises ValueError for these arrays")
                        .help("give the arrays one number of dimensions (reshape, or np.newaxis)"),
                );
                return Ty::Error;
            }
            Err(PlanError::Axis { axis: k, ndim }) => {
                let at = p.get(1).copied().flatten().unwrap_or(e);
                self.emit(
                    self.span(at),
                    report(
                        "E0238",
                        format!("axis {k} is out of bounds for array of dimension {ndim}"),
                        format!("the result has {ndim} dimension(s)"),
                    )
                    .help("NumPy raises AxisError here"),
                );
                return Ty::Error;
            }
        };
        let dtype = arrays
            .iter()
            .map(|a| a.dtype)
            .reduce(promote_dtype)
            .unwrap_or(Dtype::Float64);
        // NumPy orders the result by all the parts' strides (lower's
        // `alloc_joined`): C when each part is C or has one axis (which can
        // never put one axis outside another), else known only at run time.
        let c = arrays.iter().all(|a| a.layout == Layout::C || a.ndim <= 1);
        Ty::Known(Type::Array(ArrayType {
            dtype,
            ndim: plan.ndim,
            layout: if c || plan.ndim <= 1 {
                Layout::C
            } else {
                Layout::Any
            },
            writable: true,
        }))
    }

    /// `np.convolve(a, v, mode)`: a 1-d C array of the promoted dtype.
    fn convolve(
        &mut self,
        name: &str,
        a: (ExprId, Ty),
        v: Option<(ExprId, Ty)>,
        mode: Option<ExprId>,
    ) -> Ty {
        let Some(v) = v else {
            return self.missing(a.0, name, "v");
        };
        let mut dtypes = Vec::new();
        for (x, t) in [a, v] {
            match t {
                Ty::Known(Type::Array(at)) if at.ndim == 1 && at.dtype != Dtype::Bool => {
                    dtypes.push(at.dtype)
                }
                t => {
                    let shown = t.concrete().unwrap_or(Type::None);
                    self.emit(
                        self.span(x),
                        report(
                            "E0285",
                            format!("`{name}` needs 1-d arrays of numbers"),
                            format!("{} is {shown}", self.expr_text(x)),
                        )
                        .help("pass 1-d arrays (bools converted with .astype(np.int64))"),
                    );
                    return Ty::Error;
                }
            }
        }
        if let Some(m) = mode {
            if !self.constant_choice(name, m, "mode", &["full", "same", "valid"]) {
                return Ty::Error;
            }
        }
        Ty::Known(Type::Array(ArrayType {
            dtype: promote_dtype(dtypes[0], dtypes[1]),
            ndim: 1,
            layout: Layout::C,
            writable: true,
        }))
    }

    /// `np.triu(m, k)` / `np.tril(m, k)`: an array like `m`, C-ordered.
    fn triangle(&mut self, name: &str, m: ExprId, mt: Ty, k: Option<(ExprId, Ty)>) -> Ty {
        let a = match mt {
            Ty::Known(Type::Array(a)) if a.ndim >= 2 => a,
            t => {
                let shown = t.concrete().unwrap_or(Type::None);
                self.emit(
                    self.span(m),
                    report(
                        "E0285",
                        format!("`{name}` needs an array of 2 or more dimensions"),
                        format!("{} is {shown}", self.expr_text(m)),
                    )
                    .help("pass a matrix (or a stack of matrices)"),
                );
                return Ty::Error;
            }
        };
        if let Some((k, kt)) = k {
            if !matches!(kt.number_kind(), Some(Kind::Bool | Kind::Int)) {
                self.bad_argument(
                    name,
                    k,
                    &kt,
                    "an integer diagonal `k`",
                    "pass k=0, 1, -1...",
                );
                return Ty::Error;
            }
            self.coerce(k, &kt, &Type::INT);
        }
        Ty::Known(Type::Array(ArrayType {
            layout: Layout::C,
            writable: true,
            ..a
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_follow_numpy() {
        let along = |k, n| {
            Ok(Plan {
                raise_to: n,
                join: Join::Along(k),
                ndim: n,
            })
        };
        assert_eq!(
            plan(JoinFn::Concatenate, &[2, 2], Some(Some(-1))),
            along(1, 2)
        );
        assert_eq!(plan(JoinFn::Hstack, &[1, 0], None), along(0, 1));
        assert_eq!(plan(JoinFn::Hstack, &[2, 2], None), along(1, 2));
        assert_eq!(plan(JoinFn::Vstack, &[1, 2], None), along(0, 2));
        assert_eq!(
            plan(JoinFn::Stack, &[1, 1], Some(Some(-1))),
            Ok(Plan {
                raise_to: 1,
                join: Join::Stack(1),
                ndim: 2
            })
        );
        assert_eq!(
            plan(JoinFn::Concatenate, &[2, 1], None),
            Err(PlanError::Shapes(
                "all the input arrays must have same number of dimensions, but the array at \
                 index 0 has 2 dimension(s) and the array at index 1 has 1 dimension(s)"
                    .into()
            ))
        );
        assert_eq!(
            plan(JoinFn::Concatenate, &[2, 2], Some(Some(2))),
            Err(PlanError::Axis { axis: 2, ndim: 2 })
        );
    }
}
