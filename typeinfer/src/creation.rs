//! Typing of the functions that make an array from values (`np.arange`,
//! `np.linspace`, `np.eye`, `np.identity`, `np.full_like`, `np.copy`,
//! `np.asarray`, `np.array`) and of `a.astype(dtype)`: one match on the
//! function. Their lowering is `lower/src/creation.rs`.
//!
//! What `lower` relies on: `arange`'s bounds are coerced to the type its
//! length and values are computed in (int64, or float64 when one is a
//! float); `linspace`'s ends to the float type it computes in, `num` to int64
//! and `endpoint` to bool; `eye`'s integers to int64; `full_like`'s fill to
//! the result dtype. `np.array`/`np.asarray` of an array with its own dtype
//! and no `dtype=` is that array (`asarray`) or a copy (`array`).

use frontend::hir::{CreateFn, Dtype, ExprId, Keyword};

use crate::infer::{promote_numbers, report, FnCx, Ty};
use crate::{ArrayType, Layout, Type};
use library::promotion::{promote_dtype, Kind};

/// The parameters of `c`, in NumPy's positional order, and how many of them
/// may be given by position (the others only by name).
pub fn params(c: CreateFn) -> (&'static [&'static str], usize) {
    match c {
        CreateFn::Arange => (&["start", "stop", "step", "dtype"], 4),
        // NumPy's 5th positional parameter is `retstep`, not supported.
        CreateFn::Linspace => (&["start", "stop", "num", "endpoint", "dtype"], 4),
        CreateFn::Eye => (&["N", "M", "k", "dtype"], 4),
        CreateFn::Identity => (&["n", "dtype"], 2),
        CreateFn::FullLike => (&["a", "fill_value", "dtype"], 3),
        CreateFn::Copy => (&["a"], 1),
        CreateFn::Asarray => (&["a", "dtype"], 2),
        CreateFn::Array => (&["object", "dtype"], 2),
        // NumPy's `prepend=` and `append=` are not supported.
        CreateFn::Diff => (&["a", "n", "axis"], 3),
    }
}

/// The parameters of `a.astype(...)`.
pub const ASTYPE_PARAMS: (&[&str], usize) = (&["dtype"], 1);

/// Why arguments do not fit a parameter list.
#[derive(Clone, Debug, PartialEq)]
pub enum BindError {
    TooManyPositional {
        given: usize,
        max: usize,
    },
    /// Index into the keywords.
    UnknownKeyword(usize),
    /// Index into the keywords.
    GivenTwice(usize),
}

/// Matches positional and keyword arguments to `params`: the argument given
/// for each parameter, if any. typeinfer and lower both call it, so they read
/// the same argument for each parameter.
pub fn bind(
    (names, positional): (&[&str], usize),
    args: &[ExprId],
    kwargs: &[Keyword],
) -> Result<Vec<Option<ExprId>>, BindError> {
    if args.len() > positional {
        return Err(BindError::TooManyPositional {
            given: args.len(),
            max: positional,
        });
    }
    let mut bound: Vec<Option<ExprId>> = vec![None; names.len()];
    bound[..args.len()].copy_from_slice(&args.iter().map(|a| Some(*a)).collect::<Vec<_>>());
    for (k, kw) in kwargs.iter().enumerate() {
        let Some(i) = names.iter().position(|n| *n == kw.name) else {
            return Err(BindError::UnknownKeyword(k));
        };
        if bound[i].is_some() {
            return Err(BindError::GivenTwice(k));
        }
        bound[i] = Some(kw.value);
    }
    Ok(bound)
}

/// NumPy's dtype of a (nested) sequence of numbers and its shape; `Err` says
/// why it is not a rectangular sequence of numbers. Python numbers count as
/// their default dtypes here (`np.array([np.float32(1), 2.0])` is float64).
pub fn literal_shape(ty: &Type) -> Result<(Vec<usize>, Dtype), String> {
    let Type::Tuple(items) = ty else {
        return Err(format!("{ty} is not a sequence"));
    };
    let Some(first) = items.first() else {
        return Ok((vec![0], Dtype::Float64));
    };
    match first {
        Type::Scalar(_) => {
            let mut dtype = None;
            for item in items {
                let Type::Scalar(d) = item else {
                    return Err(format!(
                        "the sequence mixes numbers and {item}: its shape is inhomogeneous"
                    ));
                };
                dtype = Some(dtype.map_or(*d, |x| promote_dtype(x, *d)));
            }
            Ok((vec![items.len()], dtype.unwrap_or(Dtype::Float64)))
        }
        _ => {
            let (inner, mut dtype) = literal_shape(first)?;
            for item in &items[1..] {
                let (shape, d) = literal_shape(item)?;
                if shape != inner {
                    return Err("its rows differ in length: the shape is inhomogeneous".to_string());
                }
                dtype = promote_dtype(dtype, d);
            }
            Ok((std::iter::once(items.len()).chain(inner).collect(), dtype))
        }
    }
}

fn new_array(dtype: Dtype, ndim: usize) -> Ty {
    Ty::Known(Type::Array(ArrayType {
        dtype,
        ndim: ndim as u8,
        layout: Layout::C,
        writable: true,
    }))
}

/// A new array of `dtype` made like `src` (in its kept order).
fn array_like(src: &ArrayType, dtype: Dtype) -> Ty {
    Ty::Known(Type::Array(ArrayType {
        dtype,
        layout: src.kept_order(),
        writable: true,
        ..*src
    }))
}

impl FnCx<'_, '_> {
    /// `np.arange(...)`, `np.linspace(...)`...: `tys`/`kw_tys` are the types of `args`/`kwargs`.
    pub(crate) fn create_call(
        &mut self,
        e: ExprId,
        c: CreateFn,
        args: &[ExprId],
        kwargs: &[Keyword],
        arg_ty: &dyn Fn(ExprId) -> Ty,
    ) -> Ty {
        let name = format!("np.{}", c.name());
        let Some(p) = self.bind_args(e, &name, params(c), args, kwargs) else {
            return Ty::Error;
        };
        let (names, _) = params(c);
        let get = |n: &str| names.iter().position(|x| *x == n).and_then(|i| p[i]);
        let with_ty = |n: &str| get(n).map(|a| (a, arg_ty(a)));
        // Pending argument types: typed again on the next sweep.
        if let Some(t) = p
            .iter()
            .flatten()
            .map(|a| arg_ty(*a))
            .find(|t| t.is_pending())
        {
            return t;
        }
        let dtype = match with_ty("dtype") {
            Some((d, t)) if !matches!(t, Ty::Known(Type::None)) => match self.dtype_of(d, &t) {
                Some(d) => Some(d),
                None => return Ty::Error,
            },
            _ => None,
        };
        if c == CreateFn::Arange {
            if get("start").is_none() && get("stop").is_none() {
                return self.missing(e, &name, "stop");
            }
            let bounds: Vec<(ExprId, Ty)> = ["start", "stop", "step"]
                .iter()
                .filter_map(|n| with_ty(n))
                .collect();
            return self.arange(&name, &bounds, dtype, e);
        }
        let first = names[0];
        let Some((a0, t0)) = with_ty(first) else {
            return self.missing(e, &name, first);
        };
        match c {
            CreateFn::Arange => unreachable!("typed above"),

            CreateFn::Linspace => {
                let Some((stop, stop_ty)) = with_ty("stop") else {
                    return self.missing(e, &name, "stop");
                };
                let dt = match promote_numbers(&t0, &stop_ty).and_then(|t| t.concrete()) {
                    Some(Type::Scalar(Dtype::Float32)) => Dtype::Float32,
                    Some(Type::Scalar(d)) if !d.is_complex() => Dtype::Float64,
                    _ => {
                        let bad = if matches!(t0.number_kind(), Some(Kind::Complex) | None) {
                            (a0, t0)
                        } else {
                            (stop, stop_ty)
                        };
                        self.bad_argument(
                            &name,
                            bad.0,
                            &bad.1,
                            "real numbers",
                            "pass ints or floats",
                        );
                        return Ty::Error;
                    }
                };
                self.coerce(a0, &t0, &Type::Scalar(dt));
                self.coerce(stop, &stop_ty, &Type::Scalar(dt));
                if let Some((num, t)) = with_ty("num") {
                    if !self.int_argument(&name, num, &t, "an integer number of samples") {
                        return Ty::Error;
                    }
                }
                if let Some((endpoint, t)) = with_ty("endpoint") {
                    if !matches!(t.number_kind(), Some(Kind::Bool | Kind::Int)) {
                        self.bad_argument(
                            &name,
                            endpoint,
                            &t,
                            "a bool `endpoint`",
                            "pass True or False",
                        );
                        return Ty::Error;
                    }
                    self.coerce(endpoint, &t, &Type::Scalar(Dtype::Bool));
                }
                let result = dtype.unwrap_or(dt);
                if result == Dtype::Bool || result.is_complex() {
                    return self.unsupported_dtype(e, &name, result);
                }
                new_array(result, 1)
            }
            CreateFn::Eye | CreateFn::Identity => {
                let ints: Vec<(ExprId, Ty)> = ["N", "M", "k", "n"]
                    .iter()
                    .filter(|n| names.contains(n))
                    .filter_map(|n| with_ty(n))
                    .filter(|(_, t)| !matches!(t, Ty::Known(Type::None)))
                    .collect();
                for (a, t) in &ints {
                    if !self.int_argument(&name, *a, t, "integers") {
                        return Ty::Error;
                    }
                }
                new_array(dtype.unwrap_or(Dtype::Float64), 2)
            }
            CreateFn::FullLike => {
                let Ty::Known(Type::Array(src)) = t0 else {
                    self.bad_argument(&name, a0, &t0, "an array", "pass an array");
                    return Ty::Error;
                };
                let Some((fill, fill_ty)) = with_ty("fill_value") else {
                    return self.missing(e, &name, "fill_value");
                };
                let result = dtype.unwrap_or(src.dtype);
                match fill_ty.number_kind() {
                    Some(Kind::Complex) if !result.is_complex() => {
                        self.emit(
                            self.span(fill),
                            report(
                                "E0218",
                                format!("cannot fill a {result} array with a complex number"),
                                format!("this is {}", fill_ty.concrete().unwrap_or(Type::None)),
                            )
                            .help("pass a real number, or a complex dtype"),
                        );
                        return Ty::Error;
                    }
                    Some(_) => self.coerce(fill, &fill_ty, &Type::Scalar(result)),
                    None => {
                        self.bad_argument(
                            &name,
                            fill,
                            &fill_ty,
                            "a number to fill with",
                            "pass a number",
                        );
                        return Ty::Error;
                    }
                }
                array_like(&src, result)
            }
            CreateFn::Copy => match t0 {
                Ty::Known(Type::Array(src)) => array_like(&src, src.dtype),
                t => {
                    self.bad_argument(&name, a0, &t, "an array", "pass an array");
                    Ty::Error
                }
            },
            CreateFn::Asarray | CreateFn::Array => match t0 {
                // `np.asarray(a)` is `a` itself; with another dtype, a converted copy.
                Ty::Known(Type::Array(src))
                    if c == CreateFn::Asarray && dtype.is_none_or(|d| d == src.dtype) =>
                {
                    Ty::Known(Type::Array(src))
                }
                Ty::Known(Type::Array(src)) => array_like(&src, dtype.unwrap_or(src.dtype)),
                Ty::Known(t @ Type::Tuple(_)) => match literal_shape(&t) {
                    Ok((shape, d)) => new_array(dtype.unwrap_or(d), shape.len()),
                    Err(why) => {
                        self.emit(
                            self.span(a0),
                            report(
                                "E0220",
                                format!("`{name}` needs a rectangular sequence of numbers"),
                                why,
                            )
                            .help("give every row the same length, and only numbers"),
                        );
                        Ty::Error
                    }
                },
                t => {
                    self.bad_argument(
                        &name,
                        a0,
                        &t,
                        "an array or a list of numbers",
                        "pass an array, or a list literal such as [1.0, 2.0]",
                    );
                    Ty::Error
                }
            },
            CreateFn::Diff => match t0 {
                Ty::Known(Type::Array(src)) => {
                    self.diff(&name, a0, &src, with_ty("n"), with_ty("axis"))
                }
                t => {
                    self.bad_argument(&name, a0, &t, "an array", "pass an array");
                    Ty::Error
                }
            },
        }
    }

    /// `np.diff(a, n=1, axis=-1)`: `n` a constant of at least 1, `axis` a
    /// constant in range; the result has `a`'s dtype and number of dimensions.
    fn diff(
        &mut self,
        name: &str,
        a0: ExprId,
        src: &ArrayType,
        n: Option<(ExprId, Ty)>,
        axis: Option<(ExprId, Ty)>,
    ) -> Ty {
        if src.ndim == 0 {
            self.emit(
                self.span(a0),
                report(
                    "E0220",
                    "diff requires input that is at least one dimensional",
                    format!("{} is {src}", self.expr_text(a0)),
                )
                .help("NumPy raises ValueError here; pass an array of one or more dimensions"),
            );
            return Ty::Error;
        }
        if let Some((n, _)) = n {
            if !self.constant_int(n).is_some_and(|k| k >= 1) {
                self.emit(
                    self.span(n),
                    report(
                        "E0206",
                        format!("`{name}`'s `n` must be a constant integer of at least 1 so far"),
                        format!("{} is not", self.expr_text(n)),
                    )
                    .help("write n as a number, e.g. n=2"),
                );
                return Ty::Error;
            }
        }
        if let Some((x, _)) = axis {
            match self.reduction_axis(x, src) {
                Some(Some(_)) => {}
                Some(None) => {
                    self.bad_argument(
                        name,
                        x,
                        &Ty::Known(Type::None),
                        "an integer axis",
                        "pass axis=k",
                    );
                    return Ty::Error;
                }
                None => return Ty::Error,
            }
        }
        Ty::Known(Type::Array(ArrayType {
            layout: Layout::C,
            writable: true,
            ..*src
        }))
    }

    /// `np.arange`: computed in int64, or float64 when a bound is a float.
    fn arange(
        &mut self,
        name: &str,
        bounds: &[(ExprId, Ty)],
        dtype: Option<Dtype>,
        e: ExprId,
    ) -> Ty {
        let mut domain = Kind::Int;
        for (a, t) in bounds {
            match t.number_kind() {
                Some(Kind::Bool | Kind::Int)
                    if !matches!(t, Ty::Known(Type::Scalar(Dtype::UInt64))) => {}
                // `np.arange(np.uint64(3))` is float64 in NumPy (uint64 with int64).
                Some(Kind::Int) | Some(Kind::Float) => domain = Kind::Float,
                _ => {
                    self.bad_argument(name, *a, t, "real numbers", "pass ints or floats");
                    return Ty::Error;
                }
            }
        }
        let arith = if domain == Kind::Float {
            Type::FLOAT
        } else {
            Type::INT
        };
        for (a, t) in bounds {
            self.coerce(*a, t, &arith);
        }
        let result = dtype.unwrap_or(arith.as_scalar().unwrap_or(Dtype::Float64));
        if result == Dtype::Bool || result.is_complex() {
            return self.unsupported_dtype(e, name, result);
        }
        new_array(result, 1)
    }

    /// `a.astype(dtype)`: always a new C-ordered array.
    pub(crate) fn astype_call(
        &mut self,
        e: ExprId,
        src: ArrayType,
        method: &str,
        args: &[ExprId],
        kwargs: &[Keyword],
        arg_ty: &dyn Fn(ExprId) -> Ty,
    ) -> Ty {
        let Some(p) = self.bind_args(e, method, ASTYPE_PARAMS, args, kwargs) else {
            return Ty::Error;
        };
        let Some(d) = p[0] else {
            return self.missing(e, method, "dtype");
        };
        let t = arg_ty(d);
        if t.is_pending() {
            return t;
        }
        match self.dtype_of(d, &t) {
            Some(dtype) => array_like(&src, dtype),
            None => Ty::Error,
        }
    }

    pub(crate) fn bind_args(
        &mut self,
        e: ExprId,
        name: &str,
        params: (&[&str], usize),
        args: &[ExprId],
        kwargs: &[Keyword],
    ) -> Option<Vec<Option<ExprId>>> {
        match bind(params, args, kwargs) {
            Ok(p) => Some(p),
            Err(BindError::TooManyPositional { given, max }) => {
                let s = if max == 1 { "" } else { "s" };
                self.emit(
                    self.span(e),
                    report(
                        "E0219",
                        format!("`{name}` takes at most {max} positional argument{s} but {given} were given"),
                        format!("{given} given here"),
                    )
                    .help(format!("its parameters are {}", params.0.join(", "))),
                );
                None
            }
            Err(BindError::UnknownKeyword(k) | BindError::GivenTwice(k)) => {
                let kw = &kwargs[k];
                let twice = params.0.contains(&kw.name.as_str());
                let (message, help) = if twice {
                    (
                        format!("`{name}` got `{}` twice", kw.name),
                        "give each argument once".to_string(),
                    )
                } else {
                    (
                        format!("`{name}` does not accept `{}=`", kw.name),
                        format!("its parameters are {}", params.0.join(", ")),
                    )
                };
                self.emit(
                    kw.span,
                    report("E0221", message, format!("`{}=` here", kw.name)).help(help),
                );
                None
            }
        }
    }

    pub(crate) fn missing(&mut self, e: ExprId, name: &str, param: &str) -> Ty {
        self.emit(
            self.span(e),
            report(
                "E0219",
                format!("`{name}` is missing its argument `{param}`"),
                "called here",
            )
            .help(format!("pass `{param}`")),
        );
        Ty::Error
    }

    fn unsupported_dtype(&mut self, e: ExprId, name: &str, d: Dtype) -> Ty {
        self.emit(
            self.span(e),
            report(
                "E0222",
                format!("`{name}` does not support dtype {d}"),
                "called here",
            )
            .help("use an integer or float dtype"),
        );
        Ty::Error
    }

    /// Coerces an integer argument to int64, or reports it.
    fn int_argument(&mut self, name: &str, a: ExprId, t: &Ty, what: &str) -> bool {
        if matches!(t.number_kind(), Some(Kind::Bool | Kind::Int))
            && !matches!(t, Ty::Known(Type::Scalar(Dtype::UInt64)))
        {
            self.coerce(a, t, &Type::INT);
            true
        } else {
            self.bad_argument(name, a, t, what, "pass an int");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_literals_have_numpy_shape_and_dtype() {
        let i = Type::Scalar(Dtype::Int64);
        let f = Type::Scalar(Dtype::Float64);
        let b = Type::Scalar(Dtype::Bool);
        let row = |items: Vec<Type>| Type::Tuple(items);
        assert_eq!(
            literal_shape(&row(vec![i.clone(), f.clone()])),
            Ok((vec![2], Dtype::Float64))
        );
        assert_eq!(
            literal_shape(&row(vec![b.clone(), i.clone()])),
            Ok((vec![2], Dtype::Int64))
        );
        assert_eq!(
            literal_shape(&row(vec![
                row(vec![i.clone(), i.clone(), i.clone()]),
                row(vec![b.clone(), f.clone(), i.clone()]),
            ])),
            Ok((vec![2, 3], Dtype::Float64))
        );
        assert_eq!(literal_shape(&row(vec![])), Ok((vec![0], Dtype::Float64)));
        assert!(literal_shape(&row(vec![row(vec![i.clone()]), row(vec![])])).is_err());
        assert!(literal_shape(&row(vec![i.clone(), row(vec![i.clone()])])).is_err());
    }

    #[test]
    fn binding_follows_positions_then_names() {
        let (a, b, c) = (ExprId(0), ExprId(1), ExprId(2));
        let kw = |name: &str, value| Keyword {
            name: name.into(),
            value,
            span: frontend::Span::new(0, 0),
        };
        assert_eq!(
            bind(params(CreateFn::Arange), &[a], &[kw("dtype", b)]),
            Ok(vec![Some(a), None, None, Some(b)])
        );
        assert_eq!(
            bind(params(CreateFn::Linspace), &[a, b, c, a, b], &[]),
            Err(BindError::TooManyPositional { given: 5, max: 4 })
        );
        assert_eq!(
            bind(params(CreateFn::Eye), &[a], &[kw("N", b)]),
            Err(BindError::GivenTwice(0))
        );
        assert_eq!(
            bind(params(CreateFn::Eye), &[a], &[kw("order", b)]),
            Err(BindError::UnknownKeyword(0))
        );
    }
}
