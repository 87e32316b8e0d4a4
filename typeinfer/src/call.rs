//! Calls: builtins, `math`/`np` functions, array allocation, methods, `@jit` functions.

use crate::bind::{bind, CallArg};
use crate::expr::{constant_type, known_name};
use crate::infer::{promote_numbers, report, FnCx, Ty};
use crate::signature::dtype_from_name;
use crate::sorting::sorting_method;
use crate::{ArrayType, JitCall, Layout, OpaqueType, Type};
use frontend::hir::{
    AllocFn, Callee, Constant, Dtype, ExprId, ExprKind, FuncId, Keyword, KnownFunction, LibFn,
    ViewFn,
};
use library::promotion::{python_default, Kind};
use library::Arg;

/// NumPy's limit on the number of dimensions.
const MAX_NDIM: usize = 64;

/// The type of each argument of a call, by its expression.
fn typed_args<'t>(
    args: &'t [ExprId],
    tys: &'t [Ty],
    kwargs: &'t [Keyword],
    kw_tys: &'t [Ty],
) -> impl Fn(ExprId) -> Ty + 't {
    move |e| {
        args.iter()
            .zip(tys)
            .chain(kwargs.iter().map(|k| &k.value).zip(kw_tys))
            .find(|(a, _)| **a == e)
            .map_or(Ty::Error, |(_, t)| t.clone())
    }
}

fn shown(ty: &Ty) -> Type {
    ty.concrete().unwrap_or(Type::None)
}

impl FnCx<'_, '_> {
    pub(crate) fn call(
        &mut self,
        e: ExprId,
        callee: &Callee,
        args: &[ExprId],
        kwargs: &[Keyword],
    ) -> Ty {
        match callee {
            Callee::Known(kf) => self.known_call(e, *kf, args, kwargs),
            Callee::Jit(g) => self.jit_call(e, *g, args, kwargs),
            Callee::Method { receiver, name } => self.method_call(e, *receiver, name, args, kwargs),
        }
    }

    pub(crate) fn arity(
        &mut self,
        e: ExprId,
        name: &str,
        given: usize,
        min: usize,
        max: usize,
    ) -> bool {
        if (min..=max).contains(&given) {
            return true;
        }
        let wanted = match (min, max) {
            (a, b) if a == b => format!("{a} argument{}", if a == 1 { "" } else { "s" }),
            (a, usize::MAX) => format!("at least {a} arguments"),
            (a, b) => format!("{a} to {b} arguments"),
        };
        self.emit(
            self.span(e),
            report(
                "E0219",
                format!("`{name}` takes {wanted} but {given} were given"),
                format!("{given} given here"),
            )
            .help(format!("pass {wanted}")),
        );
        false
    }

    /// E0206 for a keyword argument a function does not take yet.
    pub(crate) fn unsupported_keyword(&mut self, name: &str, k: &Keyword, help: &str) {
        self.emit(
            k.span,
            report(
                "E0206",
                format!("`{name}` with `{}=` is not supported yet", k.name),
                format!("`{}=` given here", k.name),
            )
            .help(help.to_string()),
        );
    }

    pub(crate) fn no_kwargs(&mut self, name: &str, kwargs: &[Keyword]) -> bool {
        for k in kwargs {
            self.emit(
                k.span,
                report(
                    "E0221",
                    format!("`{name}` takes no keyword arguments"),
                    format!("unexpected `{}=`", k.name),
                )
                .help("pass the arguments by position"),
            );
        }
        kwargs.is_empty()
    }

    /// Reports a number argument of the wrong kind; `what` says what is accepted.
    pub(crate) fn bad_argument(
        &mut self,
        name: &str,
        arg: ExprId,
        ty: &Ty,
        what: &str,
        help: &str,
    ) {
        let s = shown(ty);
        let rep = if matches!(s, Type::Array(_)) {
            report(
                "E0206",
                format!("`{name}` of an array is not supported yet"),
                format!("{} is {s}", self.expr_text(arg)),
            )
            .help("write a loop over the elements")
        } else {
            report(
                "E0220",
                format!("`{name}` needs {what}"),
                format!("{} is {s}", self.expr_text(arg)),
            )
            .help(help.to_string())
        };
        self.emit(self.span(arg), rep);
    }

    fn known_call(
        &mut self,
        e: ExprId,
        kf: KnownFunction,
        args: &[ExprId],
        kwargs: &[Keyword],
    ) -> Ty {
        if let KnownFunction::View(op) = kf {
            return self.view_function(e, op, args, kwargs);
        }
        if let KnownFunction::Sorting(f) = kf {
            return self.sorting_call(e, f, None, args, kwargs);
        }
        if let KnownFunction::Joining(f) = kf {
            return self.joining_call(e, f, args, kwargs);
        }
        let tys: Vec<Ty> = args.iter().map(|a| self.expr(*a)).collect();
        let kw_tys: Vec<Ty> = kwargs.iter().map(|k| self.expr(k.value)).collect();
        let name = known_name(kf);
        if let KnownFunction::Alloc(a) = kf {
            return self.alloc_call(e, a, args, &tys, kwargs, &kw_tys);
        }
        if let KnownFunction::Reduce(r) = kf {
            let Some((first, rest)) = args.split_first() else {
                self.arity(e, &name, 0, 1, 1);
                return Ty::Error;
            };
            return self.reduce_call(e, r, &name, (*first, &tys[0]), rest, kwargs);
        }
        if let KnownFunction::Create(c) = kf {
            let arg_ty = typed_args(args, &tys, kwargs, &kw_tys);
            return self.create_call(e, c, args, kwargs, &arg_ty);
        }
        if let KnownFunction::Linalg(f) = kf {
            return self.linalg_call(e, f, args, &tys, kwargs, &kw_tys);
        }
        if let KnownFunction::Nonzero(f) = kf {
            return self.nonzero_call(e, f, &tys, kwargs);
        }
        match kf {
            KnownFunction::Range
            | KnownFunction::Prange
            | KnownFunction::Enumerate
            | KnownFunction::Zip => {
                self.emit(
                    self.span(e),
                    report(
                        "E0224",
                        format!("`{name}` can only be the iterable of a `for` loop"),
                        format!("`{name}(...)` used as a value"),
                    )
                    .help(format!("write `for i in {name}(...):`")),
                );
                return Ty::Error;
            }
            KnownFunction::Exception(k) => {
                self.exception_outside_raise(k.name(), self.span(e));
                return Ty::Error;
            }
            _ => {}
        }
        let kw_ok = self.no_kwargs(&name, kwargs);
        let (min, max) = match kf {
            KnownFunction::Min | KnownFunction::Max => (1, usize::MAX),
            KnownFunction::Complex | KnownFunction::Round => (1, 2),
            KnownFunction::Library(f) => (f.function().arity, f.function().arity),
            KnownFunction::Operator(o) => (o.arity(), o.arity()),
            _ => (1, 1),
        };
        if !self.arity(e, &name, args.len(), min, max) || !kw_ok {
            return Ty::Error;
        }
        if tys.contains(&Ty::Error) {
            return Ty::Error;
        }
        if tys.contains(&Ty::Unknown) {
            return Ty::Unknown;
        }
        match kf {
            KnownFunction::Len => self.len_call(args[0], &tys[0]),
            KnownFunction::Abs => match tys[0].number_kind() {
                Some(Kind::Bool) => {
                    self.coerce(args[0], &tys[0], &Type::INT);
                    Ty::Known(Type::INT)
                }
                Some(Kind::Complex) => match &tys[0] {
                    Ty::Known(Type::Scalar(Dtype::Complex64)) => {
                        Ty::Known(Type::Scalar(Dtype::Float32))
                    }
                    Ty::Weak(_) => Ty::Weak(Kind::Float),
                    _ => Ty::Known(Type::FLOAT),
                },
                Some(_) => tys[0].clone(),
                None => {
                    self.bad_argument(&name, args[0], &tys[0], "a number", "pass a number");
                    Ty::Error
                }
            },
            KnownFunction::Min | KnownFunction::Max
                if matches!(tys[0], Ty::Known(Type::Array(_))) && args.len() == 1 =>
            {
                match library::builtin_reduction(&name) {
                    Some(r) => self.reduce_call(e, r, &name, (args[0], &tys[0]), &[], kwargs),
                    None => Ty::Error,
                }
            }
            KnownFunction::Min | KnownFunction::Max => self.min_max(e, &name, args, &tys),
            KnownFunction::Int | KnownFunction::Float | KnownFunction::Scalar(_) => {
                let target = match kf {
                    KnownFunction::Int => Dtype::Int64,
                    KnownFunction::Float => Dtype::Float64,
                    KnownFunction::Scalar(d) => d,
                    _ => Dtype::Int64,
                };
                match tys[0].number_kind() {
                    Some(Kind::Complex) if !target.is_complex() => {
                        self.bad_argument(
                            &name,
                            args[0],
                            &tys[0],
                            "a real number",
                            "use z.real or abs(z)",
                        );
                        Ty::Error
                    }
                    Some(_) => Ty::Known(Type::Scalar(target)),
                    None => {
                        self.bad_argument(&name, args[0], &tys[0], "a number", "pass a number");
                        Ty::Error
                    }
                }
            }
            KnownFunction::Bool => {
                if tys[0].number_kind().is_none() {
                    self.bad_argument(&name, args[0], &tys[0], "a number", "compare it instead");
                    return Ty::Error;
                }
                Ty::Known(Type::BOOL)
            }
            KnownFunction::Complex => {
                let c128 = Type::Scalar(Dtype::Complex128);
                for (a, t) in args.iter().zip(&tys) {
                    match t.number_kind() {
                        Some(Kind::Complex) if args.len() == 1 => self.coerce(*a, t, &c128),
                        Some(Kind::Complex) => {
                            self.bad_argument(
                                &name,
                                *a,
                                t,
                                "real parts",
                                "pass the real and imaginary parts as real numbers",
                            );
                            return Ty::Error;
                        }
                        Some(_) => self.coerce(*a, t, &Type::FLOAT),
                        None => {
                            self.bad_argument(&name, *a, t, "numbers", "pass numbers");
                            return Ty::Error;
                        }
                    }
                }
                Ty::Known(c128)
            }
            KnownFunction::Round => {
                if !matches!(
                    tys[0].number_kind(),
                    Some(Kind::Bool | Kind::Int | Kind::Float)
                ) {
                    self.bad_argument(&name, args[0], &tys[0], "a real number", "round z.real");
                    return Ty::Error;
                }
                if args.len() == 1 {
                    return Ty::Known(Type::INT);
                }
                if !matches!(tys[1].number_kind(), Some(Kind::Bool | Kind::Int)) {
                    self.bad_argument(
                        &name,
                        args[1],
                        &tys[1],
                        "an integer number of digits",
                        "pass an integer",
                    );
                    return Ty::Error;
                }
                // CPython's int.__round__ returns an int, NumPy's scalars keep their dtype.
                let result = match (tys[0].number_kind(), tys[0].concrete()) {
                    (Some(Kind::Int | Kind::Float), Some(t)) => t,
                    _ => Type::INT,
                };
                self.coerce(args[0], &tys[0], &result);
                self.coerce(args[1], &tys[1], &Type::INT);
                Ty::Known(result)
            }
            KnownFunction::Library(f) => self.library_call(f, args, &tys),
            KnownFunction::Range
            | KnownFunction::Prange
            | KnownFunction::Enumerate
            | KnownFunction::Zip
            | KnownFunction::Exception(_)
            | KnownFunction::Alloc(_)
            | KnownFunction::Create(_)
            | KnownFunction::Reduce(_)
            | KnownFunction::View(_)
            | KnownFunction::Linalg(_)
            | KnownFunction::Sorting(_)
            | KnownFunction::Joining(_)
            | KnownFunction::Nonzero(_)
            | KnownFunction::Operator(_) => Ty::Error,
        }
    }

    /// A function of the library registry: its typing rule picks the
    /// parameter types the arguments convert to, and the result type.
    fn library_call(&mut self, f: LibFn, args: &[ExprId], tys: &[Ty]) -> Ty {
        if let Some(t) = self.elementwise_library_call(f, args, tys) {
            return t;
        }
        let name = f.qualified_name();
        let mut given = Vec::new();
        for (a, t) in args.iter().zip(tys) {
            given.push(match t {
                Ty::Weak(k) => Arg::Weak(*k),
                Ty::Known(Type::Scalar(d)) => Arg::Typed(*d),
                _ => {
                    self.bad_argument(&name, *a, t, "numbers", "pass numbers");
                    return Ty::Error;
                }
            });
        }
        match (f.function().typing)(&given) {
            Ok(sig) => {
                for ((a, t), p) in args.iter().zip(tys).zip(&sig.params) {
                    self.coerce(*a, t, &Type::Scalar(*p));
                }
                Ty::Known(Type::Scalar(sig.result))
            }
            Err(r) => {
                self.bad_argument(&name, args[r.arg], &tys[r.arg], r.needs, r.help);
                Ty::Error
            }
        }
    }

    fn len_call(&mut self, arg: ExprId, ty: &Ty) -> Ty {
        match ty {
            Ty::Known(Type::Array(a)) if a.ndim == 0 => {
                let a = *a;
                self.emit(
                    self.span(arg),
                    report(
                        "E0216",
                        "len() of a 0-d array",
                        format!("{} is {a}", self.expr_text(arg)),
                    )
                    .help("a 0-d array has no length; use .size"),
                );
                Ty::Error
            }
            Ty::Known(Type::Array(_) | Type::Tuple(_)) => Ty::Known(Type::INT),
            _ => {
                let s = shown(ty);
                self.emit(
                    self.span(arg),
                    report(
                        "E0216",
                        format!("{s} has no len()"),
                        format!("{} is {s}", self.expr_text(arg)),
                    )
                    .help("len() takes an array or a tuple"),
                );
                Ty::Error
            }
        }
    }

    fn min_max(&mut self, e: ExprId, name: &str, args: &[ExprId], tys: &[Ty]) -> Ty {
        if args.len() == 1 {
            let s = shown(&tys[0]);
            self.emit(
                self.span(e),
                report(
                    "E0220",
                    format!("`{name}` of a single value is not supported yet"),
                    format!("{} is {s}", self.expr_text(args[0])),
                )
                .help(format!("pass two or more numbers: {name}(a, b)")),
            );
            return Ty::Error;
        }
        for (a, t) in args.iter().zip(tys) {
            match t.number_kind() {
                Some(Kind::Complex) => {
                    self.bad_argument(
                        name,
                        *a,
                        t,
                        "real numbers",
                        "complex numbers cannot be ordered; compare abs(z)",
                    );
                    return Ty::Error;
                }
                Some(_) => {}
                None => {
                    self.bad_argument(name, *a, t, "numbers", "pass numbers");
                    return Ty::Error;
                }
            }
        }
        let Some(result) = tys[1..]
            .iter()
            .try_fold(tys[0].clone(), |acc, t| promote_numbers(&acc, t))
        else {
            return Ty::Error;
        };
        if let Some(t) = result.concrete() {
            for (a, ty) in args.iter().zip(tys) {
                self.coerce(*a, ty, &t);
            }
        }
        result
    }

    /// `np.empty(shape, dtype)`, `np.full(shape, fill, dtype)`, `np.empty_like(a, dtype)`...
    fn alloc_call(
        &mut self,
        e: ExprId,
        a: AllocFn,
        args: &[ExprId],
        tys: &[Ty],
        kwargs: &[Keyword],
        kw_tys: &[Ty],
    ) -> Ty {
        let name = known_name(KnownFunction::Alloc(a));
        let like = matches!(
            a,
            AllocFn::EmptyLike | AllocFn::ZerosLike | AllocFn::OnesLike
        );
        // Positional arguments before the optional dtype.
        let fixed = if a == AllocFn::Full { 2 } else { 1 };
        let mut dtype_arg = args.get(fixed).map(|d| (*d, tys[fixed].clone()));
        let mut ok = self.arity(e, &name, args.len(), fixed, fixed + 1);
        for (k, t) in kwargs.iter().zip(kw_tys) {
            if k.name == "dtype" && dtype_arg.is_none() {
                dtype_arg = Some((k.value, t.clone()));
            } else {
                let help = if k.name == "dtype" {
                    "give dtype once"
                } else {
                    "only dtype= is supported"
                };
                self.emit(
                    k.span,
                    report(
                        "E0221",
                        format!("`{name}` does not accept `{}=` here", k.name),
                        format!("unexpected `{}=`", k.name),
                    )
                    .help(help),
                );
                ok = false;
            }
        }
        if !ok {
            return Ty::Error;
        }
        let given = match dtype_arg {
            Some((d, t)) => match self.dtype_of(d, &t) {
                Some(dtype) => Some(dtype),
                None => return Ty::Error,
            },
            None => None,
        };
        let mut layout = Layout::C;
        let (dtype, ndim) = if like {
            match &tys[0] {
                Ty::Known(Type::Array(src)) => {
                    layout = src.kept_order();
                    (given.unwrap_or(src.dtype), src.ndim as usize)
                }
                t if t.is_pending() => return t.clone(),
                t => {
                    let s = shown(t);
                    self.emit(
                        self.span(args[0]),
                        report(
                            "E0220",
                            format!("`{name}` needs an array"),
                            format!("{} is {s}", self.expr_text(args[0])),
                        )
                        .help(format!(
                            "pass an array, or use np.{}(shape)",
                            a.name().trim_end_matches("_like")
                        )),
                    );
                    return Ty::Error;
                }
            }
        } else {
            let Some(ndim) = self.shape(&name, args[0], &tys[0]) else {
                return if tys[0].is_pending() {
                    tys[0].clone()
                } else {
                    Ty::Error
                };
            };
            let dtype = if a == AllocFn::Full {
                let fill = &tys[1];
                let default = match fill {
                    Ty::Weak(k) => python_default(*k),
                    Ty::Known(Type::Scalar(d)) => *d,
                    t if t.is_pending() => return t.clone(),
                    t => {
                        self.bad_argument(
                            &name,
                            args[1],
                            t,
                            "a number to fill with",
                            "pass a number",
                        );
                        return Ty::Error;
                    }
                };
                let dtype = given.unwrap_or(default);
                if fill.number_kind() == Some(Kind::Complex) && !dtype.is_complex() {
                    self.emit(
                        self.span(args[1]),
                        report(
                            "E0218",
                            format!("cannot fill a {dtype} array with a complex number"),
                            format!("this is {}", shown(fill)),
                        )
                        .help("pass a real number, or a complex dtype"),
                    );
                    return Ty::Error;
                }
                self.coerce(args[1], fill, &Type::Scalar(dtype));
                dtype
            } else {
                given.unwrap_or(Dtype::Float64)
            };
            (dtype, ndim)
        };
        Ty::Known(Type::Array(ArrayType {
            dtype,
            ndim: ndim as u8,
            layout,
            writable: true,
        }))
    }

    /// The number of dimensions a shape argument gives; reads it as int64s.
    fn shape(&mut self, name: &str, arg: ExprId, ty: &Ty) -> Option<usize> {
        let int_like = |t: &Type| matches!(t, Type::Scalar(d) if *d == Dtype::Bool || d.is_int());
        let ndim = match ty {
            _ if matches!(ty.number_kind(), Some(Kind::Bool | Kind::Int)) => {
                self.coerce(arg, ty, &Type::INT);
                return Some(1);
            }
            Ty::Known(Type::Tuple(items)) if items.iter().all(int_like) => items.len(),
            t if t.is_pending() => return None,
            t => {
                let s = shown(t);
                self.emit(
                    self.span(arg),
                    report(
                        "E0223",
                        format!(
                            "the shape given to `{name}` must be an integer or a tuple of integers"
                        ),
                        format!("{} is {s}", self.expr_text(arg)),
                    )
                    .help("pass n, or (n, m)"),
                );
                return None;
            }
        };
        if ndim > MAX_NDIM {
            self.emit(
                self.span(arg),
                report(
                    "E0223",
                    format!("an array can have at most {MAX_NDIM} dimensions"),
                    format!("this shape has {ndim}"),
                )
                .help("use fewer dimensions"),
            );
            return None;
        }
        self.coerce(arg, ty, &Type::Tuple(vec![Type::INT; ndim]));
        Some(ndim)
    }

    /// The dtype a `dtype=` argument names.
    pub(crate) fn dtype_of(&mut self, e: ExprId, ty: &Ty) -> Option<Dtype> {
        match ty {
            Ty::Known(Type::Opaque(OpaqueType::DtypeObject(d))) => return Some(*d),
            Ty::Known(Type::Opaque(OpaqueType::Str)) => {
                if let ExprKind::Const(Constant::Str(s))
                | ExprKind::Global {
                    value: Constant::Str(s),
                    ..
                } = &self.f.expr(e).kind
                {
                    if let Some(d) = dtype_from_name(s) {
                        return Some(d);
                    }
                    let s = s.clone();
                    self.emit(
                        self.span(e),
                        report(
                            "E0222",
                            format!("unknown dtype '{s}'"),
                            "not a NumPy dtype name",
                        )
                        .help("use a name such as 'float64', 'int32' or 'bool'"),
                    );
                    return None;
                }
            }
            t if t.is_pending() => return None,
            _ => {}
        }
        let s = shown(ty);
        self.emit(
            self.span(e),
            report(
                "E0222",
                "invalid dtype",
                format!("{} is {s}", self.expr_text(e)),
            )
            .help("pass a NumPy type such as np.float64, a name such as 'int32', or a.dtype"),
        );
        None
    }

    fn method_call(
        &mut self,
        e: ExprId,
        receiver: ExprId,
        name: &str,
        args: &[ExprId],
        kwargs: &[Keyword],
    ) -> Ty {
        let recv = self.expr(receiver);
        if let (Ty::Known(Type::Array(_)), Some(f)) = (&recv, sorting_method(name)) {
            return self.sorting_call(e, f, Some(receiver), args, kwargs);
        }
        if let Ty::Known(Type::Array(a)) = &recv {
            if let Some(op) = ViewFn::METHODS.into_iter().find(|v| v.name() == name) {
                let a = *a;
                let method = format!("{}.{name}", self.expr_text(receiver).trim_matches('`'));
                return self.view_call(e, op, receiver, &a, args, kwargs, method);
            }
        }
        let tys: Vec<Ty> = args.iter().map(|a| self.expr(*a)).collect();
        let kw_tys: Vec<Ty> = kwargs.iter().map(|k| self.expr(k.value)).collect();
        if let (Ty::Known(Type::Array(_)), Some(r)) = (&recv, library::reduction_method(name)) {
            let method = format!("{}.{name}", self.expr_text(receiver).trim_matches('`'));
            return self.reduce_call(e, r, &method, (receiver, &recv), args, kwargs);
        }
        match &recv {
            Ty::Known(Type::Array(a)) if name == "astype" => {
                let method = format!("{}.astype", self.expr_text(receiver).trim_matches('`'));
                let arg_ty = typed_args(args, &tys, kwargs, &kw_tys);
                self.astype_call(e, *a, &method, args, kwargs, &arg_ty)
            }
            Ty::Known(Type::Array(a)) if name == "copy" => {
                let a = *a;
                let method = format!("{}.copy", self.expr_text(receiver).trim_matches('`'));
                if !self.no_kwargs(&method, kwargs) || !self.arity(e, &method, args.len(), 0, 0) {
                    return Ty::Error;
                }
                Ty::Known(Type::Array(ArrayType {
                    layout: Layout::C,
                    writable: true,
                    ..a
                }))
            }
            t if t.is_pending() => t.clone(),
            t => {
                let s = shown(t);
                let help = if matches!(s, Type::Array(_)) {
                    "arrays support .copy(), .astype(dtype), .sort(), .argsort(), views (.reshape, .ravel, .transpose) and reductions (.sum, .mean, .min, .argmax...) so far"
                } else {
                    "only arrays have methods so far"
                };
                self.emit(
                    self.span(e),
                    report(
                        "E0227",
                        format!("{s} has no supported method `{name}`"),
                        format!("{} is {s}", self.expr_text(receiver)),
                    )
                    .help(help),
                );
                Ty::Error
            }
        }
    }

    fn jit_call(&mut self, e: ExprId, g: FuncId, args: &[ExprId], kwargs: &[Keyword]) -> Ty {
        let tys: Vec<Ty> = args.iter().map(|a| self.expr(*a)).collect();
        let kw_tys: Vec<Ty> = kwargs.iter().map(|k| self.expr(k.value)).collect();
        let Some(callee) = self.engine.function(g).cloned() else {
            self.emit(
                self.span(e),
                report(
                    "E0299",
                    format!(
                        "call to unknown function {g}; this is a bug in ferrojit, please report it"
                    ),
                    "this call",
                ),
            );
            return Ty::Error;
        };
        let name = callee.name.clone();
        let bound = match bind(&callee, args, kwargs) {
            Ok(bound) => bound,
            Err(message) => {
                self.emit(
                    self.span(e),
                    report("E0219", message, "in this call").help(format!(
                        "pass each parameter of `{name}` once, by position or by name"
                    )),
                );
                return Ty::Error;
            }
        };
        if tys.contains(&Ty::Error) || kw_tys.contains(&Ty::Error) {
            return Ty::Error;
        }
        if tys.contains(&Ty::Unknown) || kw_tys.contains(&Ty::Unknown) {
            return Ty::Unknown;
        }
        let mut arg_types = Vec::new();
        for b in &bound {
            let a = match b {
                CallArg::Expr(a) => *a,
                CallArg::Default(c) => {
                    arg_types.push(constant_type(c));
                    continue;
                }
            };
            let t = match args.iter().position(|x| *x == a) {
                Some(i) => shown(&tys[i]),
                None => kwargs
                    .iter()
                    .position(|k| k.value == a)
                    .map_or(Type::None, |i| shown(&kw_tys[i])),
            };
            // `None` is passed (a parameter passed `None` is typed by `none_flow`).
            if matches!(t, Type::Opaque(_)) {
                self.emit(
                    self.span(a),
                    report(
                        "E0233",
                        format!("cannot pass {t} to @jit function `{name}`"),
                        format!("{} is {t}", self.expr_text(a)),
                    )
                    .help("pass numbers, arrays, tuples or None"),
                );
                return Ty::Error;
            }
            arg_types.push(t);
        }
        let Some(spec) = self.engine.spec_for(g, arg_types) else {
            self.emit(
                self.span(e),
                report("E0232", format!("too many specializations of `{name}`"), "called here with yet another set of argument types")
                    .help("the argument types of a recursive call keep changing; convert them to fixed types"),
            );
            return Ty::Error;
        };
        self.calls.insert(e, JitCall { spec, args: bound });
        let ret = if spec == self.spec {
            self.ret.clone()
        } else {
            self.engine.return_state(spec).clone()
        };
        match ret.ty {
            Some(t) => Ty::Known(t),
            None if ret.poisoned => Ty::Error,
            None if self.final_pass => {
                self.emit(
                    self.span(e),
                    report(
                        "E0202",
                        format!("cannot infer the return type of recursive function `{name}`"),
                        format!("the return type of `{name}` is not known here"),
                    )
                    .help("add a base case `return` before the recursive call"),
                );
                Ty::Error
            }
            None => Ty::Unknown,
        }
    }
}
