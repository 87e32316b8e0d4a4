//! Typing of sorting, searching and counting (`np.sort`, `a.sort()`,
//! `np.argsort`, `a.argsort()`, `np.median`, `np.unique`, `np.searchsorted`,
//! `np.histogram`, `np.bincount`); lower's `sorting.rs` follows these rules.
//!
//! What `lower` relies on: the array argument is an array of a real dtype
//! (complex values are refused, E0280); `axis` is absent, the constant `None`
//! or a constant integer in range; `kind`/`side` are constant strings of
//! NumPy's choices; `np.searchsorted`'s operands are coerced to their common
//! dtype (the array's coerced type names it, no conversion is implied);
//! `np.histogram`'s integer `bins` is coerced to int64 and `range` to two
//! float64s; `np.bincount`'s array holds bools or integers, its `weights`
//! (if any) real numbers, its `minlength` is coerced to int64.

use frontend::hir::{Constant, Dtype, ExprId, ExprKind, Keyword, SortFn};

use crate::creation::bind;
use crate::infer::{promote_numbers, report, FnCx, Ty};
use crate::{ArrayType, Layout, Type};
use library::promotion::Kind;

/// The parameters of `f` in NumPy's positional order and how many may be
/// passed by position; for the method (`a.sort()`, `a.argsort()`) the array
/// is the receiver, so the first parameter is dropped.
pub fn params(f: SortFn, method: bool) -> (&'static [&'static str], usize) {
    let (names, positional): (&'static [&'static str], usize) = match f {
        SortFn::Sort | SortFn::Argsort => (&["a", "axis", "kind"], 3),
        SortFn::Median => (&["a", "axis"], 2),
        SortFn::Unique => (&["ar"], 1),
        SortFn::Searchsorted => (&["a", "v", "side"], 3),
        SortFn::Histogram => (&["a", "bins", "range"], 3),
        SortFn::Bincount => (&["x", "weights", "minlength"], 3),
    };
    if method {
        (&names[1..], positional - 1)
    } else {
        (names, positional)
    }
}

/// The arguments of a call of `f` by parameter (`params`), the receiver of a
/// method first; `None` when they do not bind (typeinfer reported it).
pub fn bound_arguments(
    f: SortFn,
    receiver: Option<ExprId>,
    args: &[ExprId],
    kwargs: &[Keyword],
) -> Option<Vec<Option<ExprId>>> {
    let p = bind(params(f, receiver.is_some()), args, kwargs).ok()?;
    Some(match receiver {
        Some(r) => std::iter::once(Some(r)).chain(p).collect(),
        None => p,
    })
}

/// The sorting functions that are also array methods: `a.sort()` (in place), `a.argsort()`.
pub fn sorting_method(name: &str) -> Option<SortFn> {
    [SortFn::Sort, SortFn::Argsort]
        .into_iter()
        .find(|f| f.name() == name)
}

/// The dtype of `np.histogram`'s edges (for an integer `bins`) of an array of `d`.
pub fn edge_dtype(d: Dtype) -> Dtype {
    match d {
        Dtype::Float32 => Dtype::Float32,
        _ => Dtype::Float64,
    }
}

/// NumPy's sort kinds, all of which ferrojit's stable sort satisfies.
const SORT_KINDS: [&str; 4] = ["quicksort", "mergesort", "heapsort", "stable"];

/// The axis of `f` of an array of `ndim` dimensions, from its `axis`
/// argument (absent: `None`; the constant `None`: `Some(None)`; a constant
/// integer: `Some(Some(k))`): `Some(None)` for the flattened array, `None`
/// when out of range.
pub fn sort_axis(f: SortFn, axis: Option<Option<i64>>, ndim: u8) -> Option<Option<usize>> {
    let k = match axis {
        None if f == SortFn::Median => return Some(None),
        None => -1,
        Some(None) => return Some(None),
        Some(Some(k)) => k,
    };
    let n = i64::from(ndim);
    (-n..n).contains(&k).then(|| Some(k.rem_euclid(n) as usize))
}

/// The dtype `np.median` of an array of `d` computes in and returns (NumPy's `mean`).
pub fn median_dtype(d: Dtype) -> Dtype {
    match d {
        Dtype::Float32 => Dtype::Float32,
        _ => Dtype::Float64,
    }
}

fn c_array(dtype: Dtype, ndim: u8) -> Type {
    Type::Array(ArrayType {
        dtype,
        ndim,
        layout: Layout::C,
        writable: true,
    })
}

impl FnCx<'_, '_> {
    /// `np.f(...)` (`receiver` is `None`) or the method `receiver.f(...)`.
    pub(crate) fn sorting_call(
        &mut self,
        e: ExprId,
        f: SortFn,
        receiver: Option<ExprId>,
        args: &[ExprId],
        kwargs: &[Keyword],
    ) -> Ty {
        let name = match receiver {
            Some(r) => format!("{}.{}", self.expr_text(r).trim_matches('`'), f.name()),
            None => format!("np.{}", f.name()),
        };
        let recv_ty = receiver.map(|r| self.expr(r));
        let tys: Vec<Ty> = args.iter().map(|a| self.expr(*a)).collect();
        let kw_tys: Vec<Ty> = kwargs.iter().map(|k| self.expr(k.value)).collect();
        if self
            .bind_args(e, &name, params(f, receiver.is_some()), args, kwargs)
            .is_none()
        {
            return Ty::Error;
        }
        let Some(p) = bound_arguments(f, receiver, args, kwargs) else {
            return Ty::Error;
        };
        let (names, _) = params(f, false);
        let get = |n: &str| names.iter().position(|x| *x == n).and_then(|i| p[i]);
        let typed = |a: ExprId| -> Ty {
            args.iter()
                .zip(&tys)
                .chain(kwargs.iter().map(|k| &k.value).zip(&kw_tys))
                .find(|(x, _)| **x == a)
                .map_or(Ty::Error, |(_, t)| t.clone())
        };
        let ty_of = |_: &Self, a: ExprId| -> Ty {
            match (receiver, &recv_ty) {
                (Some(r), Some(t)) if r == a => t.clone(),
                _ => typed(a),
            }
        };
        let Some(array) = p[0] else {
            return self.missing(e, &name, names[0]);
        };
        if let Some(t) = p
            .iter()
            .flatten()
            .map(|a| ty_of(self, *a))
            .find(|t| t.is_pending())
        {
            return t;
        }
        let at = match ty_of(self, array) {
            Ty::Known(Type::Array(a)) => a,
            t => {
                self.bad_argument(&name, array, &t, "an array", "pass an array");
                return Ty::Error;
            }
        };
        if at.dtype.is_complex() {
            return self.complex_refused(&name, array, &at);
        }
        if let Some(kind) = get("kind") {
            if !self.constant_choice(&name, kind, "kind", &SORT_KINDS) {
                return Ty::Error;
            }
        }
        match f {
            SortFn::Sort | SortFn::Argsort | SortFn::Median => {
                let axis = get("axis");
                let Some(axis) = self.checked_axis(e, f, axis, &at) else {
                    return Ty::Error;
                };
                let dtype = match f {
                    SortFn::Sort => at.dtype,
                    SortFn::Argsort => Dtype::Int64,
                    _ => median_dtype(at.dtype),
                };
                match (f, axis) {
                    (SortFn::Sort, None) if receiver.is_some() => {
                        let at_axis = get("axis").unwrap_or(e);
                        self.emit(
                            self.span(at_axis),
                            report(
                                "E0283",
                                format!("`{name}` needs an integer axis"),
                                "`axis=None` here",
                            )
                            .help("NumPy raises TypeError here; sort the flattened copy with np.sort(a, axis=None)"),
                        );
                        Ty::Error
                    }
                    (SortFn::Sort, _) if receiver.is_some() => {
                        if !at.writable {
                            self.emit(
                                self.span(array),
                                report(
                                    "E0217",
                                    "cannot write to a read-only array",
                                    format!("{} is {at}", self.expr_text(array)),
                                )
                                .help("sort a copy: np.sort(a)"),
                            );
                            return Ty::Error;
                        }
                        Ty::Known(Type::None)
                    }
                    (SortFn::Median, None) => Ty::Known(Type::Scalar(dtype)),
                    (SortFn::Median, Some(_)) if at.ndim == 1 => Ty::Known(Type::Scalar(dtype)),
                    (SortFn::Median, Some(_)) => Ty::Known(c_array(dtype, at.ndim - 1)),
                    (_, None) => Ty::Known(c_array(dtype, 1)),
                    (_, Some(_)) => Ty::Known(c_array(dtype, at.ndim)),
                }
            }
            SortFn::Unique => Ty::Known(c_array(at.dtype, 1)),
            SortFn::Histogram => {
                self.histogram(&name, array, &at, get("bins"), get("range"), &ty_of)
            }
            SortFn::Bincount => {
                self.bincount(&name, array, &at, get("weights"), get("minlength"), &ty_of)
            }
            SortFn::Searchsorted => {
                if at.ndim != 1 {
                    self.emit(
                        self.span(array),
                        report(
                            "E0282",
                            format!("`{name}` needs a 1-d sorted array"),
                            format!("{} is {at}", self.expr_text(array)),
                        )
                        .help("NumPy raises `ValueError: object too deep for desired array`; search a row, e.g. a[i]"),
                    );
                    return Ty::Error;
                }
                if let Some(side) = get("side") {
                    if !self.constant_choice(&name, side, "side", &["left", "right"]) {
                        return Ty::Error;
                    }
                }
                let Some(v) = get("v") else {
                    return self.missing(e, &name, "v");
                };
                let vt = ty_of(self, v);
                let (elem, result) = match &vt {
                    Ty::Known(Type::Array(va)) => (
                        Ty::Known(Type::Scalar(va.dtype)),
                        c_array(Dtype::Int64, va.ndim),
                    ),
                    t if t.number_kind().is_some() => (t.clone(), Type::Scalar(Dtype::Int64)),
                    t => {
                        self.bad_argument(
                            &name,
                            v,
                            t,
                            "a number or an array",
                            "pass the values to find",
                        );
                        return Ty::Error;
                    }
                };
                let common = promote_numbers(&Ty::Known(Type::Scalar(at.dtype)), &elem)
                    .and_then(|t| t.concrete());
                let common = match common {
                    Some(Type::Scalar(d)) if !d.is_complex() => d,
                    _ => {
                        let shown = elem.concrete().unwrap_or(Type::None);
                        self.emit(
                            self.span(v),
                            report(
                                "E0280",
                                format!("`{name}` of complex values is not supported"),
                                format!("{} holds {shown}", self.expr_text(v)),
                            )
                            .help("search the real parts: v.real"),
                        );
                        return Ty::Error;
                    }
                };
                self.coerce(array, &Ty::Known(Type::Array(at)), &c_array(common, 1));
                match &vt {
                    Ty::Known(Type::Array(va)) => {
                        let to = Type::Array(ArrayType {
                            dtype: common,
                            ..*va
                        });
                        self.coerce(v, &vt, &to);
                    }
                    _ => self.coerce(v, &vt, &Type::Scalar(common)),
                }
                Ty::Known(result)
            }
        }
    }

    /// `np.histogram(a, bins, range)`: (counts, edges).
    fn histogram(
        &mut self,
        name: &str,
        array: ExprId,
        at: &ArrayType,
        bins: Option<ExprId>,
        range: Option<ExprId>,
        ty_of: &dyn Fn(&Self, ExprId) -> Ty,
    ) -> Ty {
        if at.dtype == Dtype::Bool {
            return self.wrong_dtype(
                name,
                array,
                at,
                "numbers",
                "NumPy converts bools to uint8 with a warning: pass a.astype(np.uint8)",
            );
        }
        let counts = c_array(Dtype::Int64, 1);
        let edges = match bins.map(|b| (b, ty_of(self, b))) {
            None => c_array(edge_dtype(at.dtype), 1),
            Some((b, t)) if matches!(t.number_kind(), Some(Kind::Bool | Kind::Int)) => {
                self.coerce(b, &t, &Type::INT);
                c_array(edge_dtype(at.dtype), 1)
            }
            Some((_, Ty::Known(Type::Array(e))))
                if e.ndim == 1 && !e.dtype.is_complex() && e.dtype != Dtype::Bool =>
            {
                Type::Array(e)
            }
            Some((b, t)) => {
                self.bad_argument(
                    name,
                    b,
                    &t,
                    "an integer or a 1-d array of edges",
                    "pass bins=10 or an array of edges",
                );
                return Ty::Error;
            }
        };
        if let Some(r) = range {
            if !matches!(self.f.expr(r).kind, ExprKind::Const(Constant::None)) {
                let t = ty_of(self, r);
                let pair = Type::Tuple(vec![Type::FLOAT, Type::FLOAT]);
                match &t {
                    Ty::Known(Type::Tuple(items))
                        if items.len() == 2
                            && items
                                .iter()
                                .all(|i| matches!(i, Type::Scalar(d) if !d.is_complex())) =>
                    {
                        self.coerce(r, &t, &pair)
                    }
                    _ => {
                        self.bad_argument(
                            name,
                            r,
                            &t,
                            "a range of two numbers",
                            "pass range=(lo, hi)",
                        );
                        return Ty::Error;
                    }
                }
            }
        }
        Ty::Known(Type::Tuple(vec![counts, edges]))
    }

    /// `np.bincount(x, weights, minlength)`.
    fn bincount(
        &mut self,
        name: &str,
        array: ExprId,
        at: &ArrayType,
        weights: Option<ExprId>,
        minlength: Option<ExprId>,
        ty_of: &dyn Fn(&Self, ExprId) -> Ty,
    ) -> Ty {
        if at.dtype.is_float() {
            return self.wrong_dtype(
                name,
                array,
                at,
                "integers",
                "NumPy raises TypeError (no safe cast to int64); convert with a.astype(np.int64)",
            );
        }
        if at.ndim != 1 {
            self.emit(
                self.span(array),
                report(
                    "E0282",
                    format!("`{name}` needs a 1-d array"),
                    format!("{} is {at}", self.expr_text(array)),
                )
                .help("NumPy raises ValueError here; count a.ravel()"),
            );
            return Ty::Error;
        }
        if let Some(m) = minlength {
            let t = ty_of(self, m);
            if !matches!(t.number_kind(), Some(Kind::Bool | Kind::Int)) {
                self.bad_argument(name, m, &t, "an integer minlength", "pass minlength=0");
                return Ty::Error;
            }
            self.coerce(m, &t, &Type::INT);
        }
        let Some(w) =
            weights.filter(|w| !matches!(self.f.expr(*w).kind, ExprKind::Const(Constant::None)))
        else {
            return Ty::Known(c_array(Dtype::Int64, 1));
        };
        match ty_of(self, w) {
            Ty::Known(Type::Array(wt)) if wt.ndim == 1 && !wt.dtype.is_complex() => {
                Ty::Known(c_array(Dtype::Float64, 1))
            }
            t => {
                self.bad_argument(
                    name,
                    w,
                    &t,
                    "a 1-d array of real weights",
                    "pass weights of the same length as x",
                );
                Ty::Error
            }
        }
    }

    fn wrong_dtype(
        &mut self,
        name: &str,
        array: ExprId,
        at: &ArrayType,
        needs: &str,
        help: &str,
    ) -> Ty {
        self.emit(
            self.span(array),
            report(
                "E0284",
                format!("`{name}` needs an array of {needs}"),
                format!("{} is {at}", self.expr_text(array)),
            )
            .help(help.to_string()),
        );
        Ty::Error
    }

    fn complex_refused(&mut self, name: &str, array: ExprId, at: &ArrayType) -> Ty {
        self.emit(
            self.span(array),
            report(
                "E0280",
                format!("`{name}` of complex values is not supported"),
                format!("{} is {at}", self.expr_text(array)),
            )
            .help(
                "NumPy orders complex numbers by real then imaginary part; sort a.real or abs(a)",
            ),
        );
        Ty::Error
    }

    /// The normalized axis of a sort, argsort or median (`Some(None)`: the
    /// flattened array); `None` after reporting a bad one.
    fn checked_axis(
        &mut self,
        e: ExprId,
        f: SortFn,
        axis: Option<ExprId>,
        at: &ArrayType,
    ) -> Option<Option<usize>> {
        let given = match axis {
            None => None,
            Some(x) if matches!(self.f.expr(x).kind, ExprKind::Const(Constant::None)) => Some(None),
            Some(x) => match self.constant_int(x) {
                Some(k) => Some(Some(k)),
                None => {
                    self.emit(
                        self.span(x),
                        report(
                            "E0283",
                            format!(
                                "the axis of `np.{}` must be a constant integer or None",
                                f.name()
                            ),
                            format!("{} is not a constant", self.expr_text(x)),
                        )
                        .help("write the axis as a number, e.g. axis=0"),
                    );
                    return None;
                }
            },
        };
        if let Some(a) = sort_axis(f, given, at.ndim) {
            return Some(a);
        }
        let k = given.flatten().unwrap_or(-1);
        let n = i64::from(at.ndim);
        let help = match n {
            0 => "NumPy raises AxisError here; a 0-d array has no axis".to_string(),
            _ => format!(
                "NumPy raises AxisError here; use an axis from {} to {}",
                -n,
                n - 1
            ),
        };
        self.emit(
            self.span(axis.unwrap_or(e)),
            report(
                "E0238",
                format!("axis {k} is out of bounds for array of dimension {n}"),
                format!("the array is {at}"),
            )
            .help(help),
        );
        None
    }

    /// Whether `arg` is a constant string among `choices` (or `None`);
    /// reports E0281 when not.
    pub(crate) fn constant_choice(
        &mut self,
        name: &str,
        arg: ExprId,
        param: &str,
        choices: &[&str],
    ) -> bool {
        let text = match &self.f.expr(arg).kind {
            ExprKind::Const(Constant::None) => return true,
            ExprKind::Const(Constant::Str(s))
            | ExprKind::Global {
                value: Constant::Str(s),
                ..
            } => Some(s.clone()),
            _ => None,
        };
        if text.as_deref().is_some_and(|s| choices.contains(&s)) {
            return true;
        }
        let quoted: Vec<String> = choices.iter().map(|c| format!("'{c}'")).collect();
        let label = match text {
            Some(s) => format!("'{s}' is not one of them"),
            None => format!("{} is not a constant string", self.expr_text(arg)),
        };
        self.emit(
            self.span(arg),
            report(
                "E0281",
                format!("`{name}` needs `{param}=` as one of {}", quoted.join(", ")),
                label,
            )
            .help(format!(
                "write the {param} as a string constant, e.g. {param}={}",
                quoted[0]
            )),
        );
        false
    }
}
