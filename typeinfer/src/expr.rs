//! Expressions other than calls: operators, attributes, subscripts, tuples.

use frontend::hir::{
    BinOp, BoolOp, CmpOp, Constant, Dtype, ExprId, ExprKind, KnownFunction, UnaryOp,
};
use frontend::Span;

use crate::infer::{join_ty, promote_numbers, report, FnCx, Ty};
use crate::views::selects_view;
use crate::{ArrayType, LocalRead, OpaqueType, Type};
use library::promotion::{int_fits, promote_dtype, python_default, Kind};

/// The type of a constant; Python numbers are weak (NEP 50).
fn constant_ty(c: &Constant) -> Ty {
    match c {
        Constant::Int(_) => Ty::Weak(Kind::Int),
        Constant::Float(_) => Ty::Weak(Kind::Float),
        Constant::Complex { .. } => Ty::Weak(Kind::Complex),
        other => Ty::Known(constant_type(other)),
    }
}

/// The strong type of a constant (inside a tuple, a number is no longer weak).
pub(crate) fn constant_type(c: &Constant) -> Type {
    match c {
        Constant::None => Type::None,
        Constant::Bool(_) => Type::BOOL,
        Constant::Int(_) => Type::INT,
        Constant::Float(_) => Type::FLOAT,
        Constant::Complex { .. } => Type::Scalar(python_default(Kind::Complex)),
        Constant::Str(_) => Type::Opaque(OpaqueType::Str),
        Constant::Tuple(items) => Type::Tuple(items.iter().map(constant_type).collect()),
    }
}

/// How users spell a known function, for messages.
pub(crate) fn known_name(kf: KnownFunction) -> String {
    match kf {
        KnownFunction::Range => "range".into(),
        KnownFunction::Prange => "prange".into(),
        KnownFunction::Enumerate => "enumerate".into(),
        KnownFunction::Zip => "zip".into(),
        KnownFunction::Len => "len".into(),
        KnownFunction::Abs => "abs".into(),
        KnownFunction::Min => "min".into(),
        KnownFunction::Max => "max".into(),
        KnownFunction::Int => "int".into(),
        KnownFunction::Float => "float".into(),
        KnownFunction::Bool => "bool".into(),
        KnownFunction::Complex => "complex".into(),
        KnownFunction::Round => "round".into(),
        KnownFunction::Library(f) => f.qualified_name(),
        KnownFunction::Reduce(r) => r.qualified_name(),
        KnownFunction::Scalar(d) => format!("np.{d}"),
        KnownFunction::Alloc(a) => format!("np.{}", a.name()),
        KnownFunction::Create(c) => format!("np.{}", c.name()),
        KnownFunction::View(v) => format!("np.{}", v.name()),
        KnownFunction::Linalg(f) => format!("np.{}", f.name()),
        KnownFunction::Sorting(f) => format!("np.{}", f.name()),
        KnownFunction::Joining(f) => format!("np.{}", f.name()),
        KnownFunction::Nonzero(f) => format!("np.{}", f.name()),
        KnownFunction::Operator(o) => format!("np.{}", o.name()),
        KnownFunction::Exception(k) => k.name().into(),
    }
}

fn shown(ty: &Ty) -> Type {
    ty.concrete().unwrap_or(Type::None)
}

impl FnCx<'_, '_> {
    /// Types `e`, records its type, and returns it.
    pub(crate) fn expr(&mut self, e: ExprId) -> Ty {
        let ty = self.expr_kind(e);
        self.expr_types[e.0 as usize] = ty.concrete();
        ty
    }

    // Its own recursion, not `hir::visit`'s: each arm types its children as its rule needs.
    fn expr_kind(&mut self, e: ExprId) -> Ty {
        let f = self.f;
        let expr = f.expr(e);
        match &expr.kind {
            ExprKind::Const(c) | ExprKind::Global { value: c, .. } => constant_ty(c),
            // Frozen at compile time: a C-ordered copy no kernel may write.
            ExprKind::GlobalArray { array, .. } => Ty::Known(Type::Array(ArrayType {
                dtype: array.dtype,
                ndim: array.shape.len() as u8,
                layout: crate::Layout::C,
                writable: false,
            })),
            ExprKind::Local(l) => self.read_local(*l, LocalRead::Expr(e), expr.span),
            // Known from the type: `None`'s is `Type::None`, no other value's is.
            ExprKind::IsNone { value, .. } => match self.expr(*value) {
                t if t.is_pending() => t,
                _ => Ty::Known(Type::BOOL),
            },
            ExprKind::Function(kf) => self.function_value(*kf, expr.span),
            ExprKind::Unary { op, operand } => self.unary(*op, *operand, expr.span),
            ExprKind::Binary {
                op,
                lhs,
                rhs,
                ufunc,
            } => {
                let l = self.expr(*lhs);
                let r = self.expr(*rhs);
                let fast = match &l {
                    Ty::Known(Type::Array(a)) if !*ufunc && *op == BinOp::Pow => {
                        crate::elementwise::operator_power(f, *rhs, a.dtype)
                    }
                    _ => None,
                };
                if let Some(g) = fast {
                    return self
                        .elementwise_library_call(g, &[*lhs], &[l])
                        .unwrap_or(Ty::Error);
                }
                let text = self.expr_text(*lhs);
                self.binary(*op, &l, Some(*lhs), &text, &r, *rhs, expr.span)
            }
            ExprKind::Compare { left, comparisons } => self.compare(*left, comparisons, expr.span),
            ExprKind::BoolOp { op, values } => self.bool_op(*op, values, expr.span),
            ExprKind::IfExp { test, body, orelse } => {
                self.test(*test);
                let b = self.expr(*body);
                let o = self.expr(*orelse);
                match join_ty(&b, &o) {
                    Some(result) => {
                        if let Some(t) = result.concrete() {
                            self.coerce(*body, &b, &t);
                            self.coerce(*orelse, &o, &t);
                        }
                        result
                    }
                    None => {
                        self.emit(
                            expr.span,
                            report(
                                "E0234",
                                "the branches of `if`/`else` have incompatible types",
                                format!(
                                    "{} is {}, {} is {}",
                                    self.expr_text(*body),
                                    shown(&b),
                                    self.expr_text(*orelse),
                                    shown(&o)
                                ),
                            )
                            .help("make both branches the same kind of value"),
                        );
                        Ty::Error
                    }
                }
            }
            ExprKind::Call {
                callee,
                args,
                kwargs,
            } => self.call(e, callee, args, kwargs),
            ExprKind::Attribute { value, attr } => self.attribute(*value, attr, expr.span),
            ExprKind::Subscript { value, indices } => self.subscript(*value, indices, expr.span),
            ExprKind::Slice { lower, upper, step } => self.slice([*lower, *upper, *step]),
            ExprKind::Ellipsis => Ty::Known(Type::None),
            ExprKind::Out { value, out } => self.ufunc_out(*value, *out, expr.span),
            ExprKind::Tuple(items) => {
                let tys: Vec<Ty> = items.iter().map(|i| self.expr(*i)).collect();
                if tys.contains(&Ty::Error) {
                    Ty::Error
                } else if tys.contains(&Ty::Unknown) {
                    Ty::Unknown
                } else {
                    Ty::Known(Type::Tuple(tys.iter().map(shown).collect()))
                }
            }
        }
    }

    /// A known function named without calling it: valid only as a `dtype=`.
    fn function_value(&mut self, kf: KnownFunction, span: Span) -> Ty {
        let dtype = match kf {
            KnownFunction::Scalar(d) => d,
            KnownFunction::Float => Dtype::Float64,
            KnownFunction::Int => Dtype::Int64,
            KnownFunction::Bool => Dtype::Bool,
            KnownFunction::Complex => Dtype::Complex128,
            KnownFunction::Exception(k) => {
                self.exception_outside_raise(k.name(), span);
                return Ty::Error;
            }
            other => {
                let name = known_name(other);
                self.emit(
                    span,
                    report(
                        "E0226",
                        format!("`{name}` cannot be used as a value"),
                        format!("`{name}` is a function"),
                    )
                    .help(format!("call it: {name}(...)")),
                );
                return Ty::Error;
            }
        };
        Ty::Known(Type::Opaque(OpaqueType::DtypeObject(dtype)))
    }

    pub(crate) fn exception_outside_raise(&mut self, name: &str, span: Span) {
        self.emit(
            span,
            report(
                "E0225",
                "exception classes can only be raised",
                format!("`{name}` is an exception class"),
            )
            .help(format!("write `raise {name}(\"message\")`")),
        );
    }

    /// A binary operation; both operands are read as the operation's type,
    /// which is also its result type. `lhs` is `None` for `x op= v`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn binary(
        &mut self,
        op: BinOp,
        l: &Ty,
        lhs: Option<ExprId>,
        ltext: &str,
        r: &Ty,
        rhs: ExprId,
        span: Span,
    ) -> Ty {
        if *l == Ty::Error || *r == Ty::Error {
            return Ty::Error;
        }
        if l.is_pending() || r.is_pending() {
            return Ty::Unknown;
        }
        if let Some(t) = self.elementwise_binary(op, l, lhs, ltext, r, rhs, span) {
            return t;
        }
        let sym = op.symbol();
        let rtext = self.expr_text(rhs);
        let (Some(lk), Some(rk), Some(p)) =
            (l.number_kind(), r.number_kind(), promote_numbers(l, r))
        else {
            let label = format!("{ltext} is {}, {rtext} is {}", shown(l), shown(r));
            let rep = if matches!(shown(l), Type::Array(_)) || matches!(shown(r), Type::Array(_)) {
                report(
                    "E0206",
                    format!("array arithmetic (`{sym}` on arrays) is not supported yet"),
                    label,
                )
                .help("write a loop over the elements")
            } else {
                report(
                    "E0205",
                    format!("unsupported operand types for `{sym}`"),
                    label,
                )
                .help("use numbers on both sides")
            };
            self.emit(span, rep);
            return Ty::Error;
        };
        let both_weak = matches!((l, r), (Ty::Weak(_), Ty::Weak(_)));
        let pk = p.number_kind().unwrap_or(Kind::Int);
        let int_like = |k: Kind| k <= Kind::Int;
        let is_bool = p == Ty::Known(Type::BOOL);
        let op_ty = match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul if is_bool => Ty::Known(Type::INT),
            BinOp::Add | BinOp::Sub | BinOp::Mul => p,
            BinOp::Div if int_like(pk) => {
                if both_weak {
                    Ty::Weak(Kind::Float)
                } else {
                    Ty::Known(Type::FLOAT)
                }
            }
            BinOp::Div => p,
            BinOp::FloorDiv | BinOp::Mod if pk == Kind::Complex => {
                let what = if op == BinOp::Mod {
                    "take the remainder of"
                } else {
                    "floor-divide"
                };
                self.emit(
                    span,
                    report(
                        "E0205",
                        format!("cannot {what} complex numbers"),
                        format!("{ltext} is {}, {rtext} is {}", shown(l), shown(r)),
                    )
                    .help("use the real parts, z.real"),
                );
                return Ty::Error;
            }
            BinOp::FloorDiv | BinOp::Mod if is_bool => Ty::Known(Type::INT),
            BinOp::FloorDiv | BinOp::Mod => p,
            BinOp::Pow if int_like(lk) && int_like(rk) => {
                if both_weak {
                    Ty::Weak(Kind::Int)
                } else {
                    Ty::Known(Type::INT)
                }
            }
            BinOp::Pow => p,
            BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor | BinOp::LShift | BinOp::RShift => {
                if !int_like(lk) || !int_like(rk) {
                    self.emit(
                        span,
                        report(
                            "E0208",
                            format!("`{sym}` needs integers or bools"),
                            format!("{ltext} is {}, {rtext} is {}", shown(l), shown(r)),
                        )
                        .help("convert the operands with int(...)"),
                    );
                    return Ty::Error;
                }
                if !int_like(pk) {
                    self.emit(
                        span,
                        report(
                            "E0208",
                            format!("`{sym}` cannot mix {} and {}", shown(l), shown(r)),
                            "no integer type holds both",
                        )
                        .help("convert one side with np.int64(...) or np.uint64(...)"),
                    );
                    return Ty::Error;
                }
                if is_bool && matches!(op, BinOp::LShift | BinOp::RShift) {
                    Ty::Known(Type::INT)
                } else {
                    p
                }
            }
        };
        if let Some(t) = op_ty.concrete() {
            if let Some(lhs) = lhs {
                self.coerce(lhs, l, &t);
                self.check_int_literal(lhs, l, &t);
            }
            self.coerce(rhs, r, &t);
            self.check_int_literal(rhs, r, &t);
        }
        op_ty
    }

    /// NumPy 2 raises OverflowError where a Python int literal does not fit the
    /// integer type it is converted to (`np.int8(1) + 1000`); so do we, earlier.
    pub(crate) fn check_int_literal(&mut self, e: ExprId, ty: &Ty, to: &Type) {
        let (Ty::Weak(Kind::Int), Type::Scalar(d)) = (ty, to) else {
            return;
        };
        let Some(v) = self.constant_int(e) else {
            return;
        };
        if !int_fits(*d, v) {
            self.emit(
                self.span(e),
                report(
                    "E0235",
                    format!("Python integer {v} is out of bounds for {d}"),
                    format!("converted to {d} here"),
                )
                .help(format!("NumPy raises OverflowError here; use a value that fits {d}, or widen the other operand first, e.g. np.int64(x)")),
            );
        }
    }

    fn unary(&mut self, op: UnaryOp, operand: ExprId, span: Span) -> Ty {
        if op == UnaryOp::Not {
            self.test(operand);
            return Ty::Known(Type::BOOL);
        }
        let t = self.expr(operand);
        if let Some(t) = self.elementwise_unary(op, operand, &t, span) {
            return t;
        }
        let sym = match op {
            UnaryOp::Neg => "-",
            UnaryOp::Pos => "+",
            _ => "~",
        };
        match t.number_kind() {
            // Python's `-True` and `~True` are ints.
            Some(Kind::Bool) => {
                self.coerce(operand, &t, &Type::INT);
                Ty::Known(Type::INT)
            }
            Some(Kind::Float | Kind::Complex) if op == UnaryOp::Invert => {
                self.emit(
                    span,
                    report(
                        "E0209",
                        "`~` needs an integer or a bool",
                        format!("{} is {}", self.expr_text(operand), shown(&t)),
                    )
                    .help("`~` flips the bits of an integer; for a condition use `not`"),
                );
                Ty::Error
            }
            Some(_) => t,
            None if t.is_pending() => t,
            None => {
                let s = shown(&t);
                let rep = if matches!(s, Type::Array(_)) {
                    report(
                        "E0206",
                        format!(
                            "array arithmetic (unary `{sym}` on an array) is not supported yet"
                        ),
                        format!("{} is {s}", self.expr_text(operand)),
                    )
                    .help("write a loop over the elements")
                } else {
                    report(
                        "E0209",
                        format!("bad operand type for unary `{sym}`"),
                        format!("{} is {s}", self.expr_text(operand)),
                    )
                    .help("use a number")
                };
                self.emit(span, rep);
                Ty::Error
            }
        }
    }

    fn compare(&mut self, left: ExprId, comparisons: &[(CmpOp, ExprId)], span: Span) -> Ty {
        let mut operands = vec![(left, self.expr(left))];
        for (_, e) in comparisons {
            operands.push((*e, self.expr(*e)));
        }
        // Not known yet: an operand still to be typed (a call's result) may be an
        // array, which makes the comparison a bool array, not a bool.
        if operands.iter().any(|(_, t)| *t == Ty::Error) {
            return Ty::Error;
        }
        if operands.iter().any(|(_, t)| t.is_pending()) {
            return Ty::Unknown;
        }
        if let Some(t) = self.elementwise_compare(comparisons, &operands, span) {
            return t;
        }
        if let Some((e, t)) = operands.iter().find(|(_, t)| t.number_kind().is_none()) {
            let s = shown(t);
            let rep = if matches!(s, Type::Array(_)) {
                report(
                    "E0206",
                    "array comparisons are not supported yet",
                    format!("{} is {s}", self.expr_text(*e)),
                )
                .help("compare elements in a loop")
            } else {
                report(
                    "E0207",
                    format!("cannot compare {s}"),
                    format!("{} is {s}", self.expr_text(*e)),
                )
                .help("compare numbers")
            };
            self.emit(span, rep);
            return Ty::Known(Type::BOOL);
        }
        let ordered = comparisons
            .iter()
            .any(|(op, _)| !matches!(op, CmpOp::Eq | CmpOp::NotEq));
        if ordered {
            if let Some((e, t)) = operands
                .iter()
                .find(|(_, t)| t.number_kind() == Some(Kind::Complex))
            {
                self.emit(
                    span,
                    report(
                        "E0207",
                        "complex numbers cannot be ordered",
                        format!("{} is {}", self.expr_text(*e), shown(t)),
                    )
                    .help("compare abs(z) or z.real instead"),
                );
                return Ty::Known(Type::BOOL);
            }
        }
        // One type for the whole chain, so the middle operand converts once.
        let mut common = operands[1..]
            .iter()
            .try_fold(operands[0].1.clone(), |acc, (_, t)| {
                promote_numbers(&acc, t)
            });
        // NumPy 2 compares with a Python int the narrow type cannot hold
        // (`u8 < 300`, `u8 > -1`) exactly: widen instead of wrapping the literal.
        if let Some(Ty::Known(Type::Scalar(d))) = &common {
            let overflows = operands.iter().any(|(e, t)| {
                *t == Ty::Weak(Kind::Int) && self.constant_int(*e).is_some_and(|v| !int_fits(*d, v))
            });
            if overflows {
                common = Some(Ty::Known(Type::Scalar(promote_dtype(*d, Dtype::Int64))));
            }
        }
        if let Some(t) = common.and_then(|c| c.concrete()) {
            for (e, ty) in &operands {
                // A 64-bit integer stays one: lower compares it with a float64
                // exactly, as CPython does, where converting it would round.
                let wide_int = matches!(
                    ty.concrete(),
                    Some(Type::Scalar(Dtype::Int64 | Dtype::UInt64))
                );
                if wide_int && t == Type::FLOAT {
                    continue;
                }
                self.coerce(*e, ty, &t);
            }
        }
        Ty::Known(Type::BOOL)
    }

    fn bool_op(&mut self, op: BoolOp, values: &[ExprId], span: Span) -> Ty {
        let mut tys = Vec::new();
        let mut ok = true;
        for (k, v) in values.iter().enumerate() {
            let t = self.expr(*v);
            // Python never tests the last operand: `n or a` just returns `a`.
            if k + 1 < values.len() {
                ok &= self.check_truth(*v, &t) || t == Ty::Unknown;
            } else if t == Ty::Error {
                ok = false;
            }
            tys.push(t);
        }
        if !ok {
            return Ty::Error;
        }
        let Some((first, rest)) = tys.split_first() else {
            return Ty::Error;
        };
        let Some(result) = rest
            .iter()
            .try_fold(first.clone(), |acc, t| join_ty(&acc, t))
        else {
            let word = if op == BoolOp::And { "and" } else { "or" };
            let label = values
                .iter()
                .zip(&tys)
                .map(|(v, t)| format!("{} is {}", self.expr_text(*v), shown(t)))
                .collect::<Vec<_>>();
            self.emit(
                span,
                report(
                    "E0234",
                    format!("the operands of `{word}` have incompatible types"),
                    label.join(", "),
                )
                .help("`and`/`or` return one of their operands: make them the same kind of value"),
            );
            return Ty::Error;
        };
        if let Some(t) = result.concrete() {
            for (v, ty) in values.iter().zip(&tys) {
                self.coerce(*v, ty, &t);
            }
        }
        result
    }

    fn attribute(&mut self, value: ExprId, attr: &str, span: Span) -> Ty {
        let t = self.expr(value);
        match &t {
            Ty::Known(Type::Array(a)) => match attr {
                "shape" => return Ty::Known(Type::Tuple(vec![Type::INT; a.ndim as usize])),
                "size" | "ndim" => return Ty::Known(Type::INT),
                "dtype" => return Ty::Known(Type::Opaque(OpaqueType::DtypeObject(a.dtype))),
                _ => {
                    let a = *a;
                    if let Some(view) = self.view_attribute(value, &a, attr) {
                        return view;
                    }
                }
            },
            Ty::Known(Type::Scalar(d)) if attr == "real" || attr == "imag" => {
                return Ty::Known(Type::Scalar(d.real()));
            }
            Ty::Weak(k) if attr == "real" || attr == "imag" => {
                return Ty::Weak(if *k == Kind::Complex { Kind::Float } else { *k });
            }
            Ty::Unknown | Ty::Error => return t,
            _ => {}
        }
        let s = shown(&t);
        let rep = if matches!(s, Type::Array(_)) && attr == "flat" {
            report(
                "E0215",
                format!("`.{attr}` of an array is not supported yet"),
                format!("{} is {s}", self.expr_text(value)),
            )
            .help("index the elements instead")
        } else {
            report(
                "E0215",
                format!("{s} has no attribute `{attr}`"),
                format!("{} is {s}", self.expr_text(value)),
            )
            .help("arrays have .shape, .size, .ndim and .dtype; numbers have .real and .imag")
        };
        self.emit(span, rep);
        Ty::Error
    }

    fn subscript(&mut self, value: ExprId, indices: &[ExprId], span: Span) -> Ty {
        let t = self.expr(value);
        match &t {
            Ty::Known(Type::Array(a)) => {
                let a = *a;
                let tys = self.index_types(indices);
                // Whether an index is an array decides what the subscript is
                // (the final sweep has no unknown index left to wait for).
                if tys.contains(&Ty::Unknown) && !self.final_pass {
                    return Ty::Unknown;
                }
                let typed = if tys.iter().any(|t| matches!(t, Ty::Known(Type::Array(_)))) {
                    self.advanced_type(value, &a, indices, &tys, span)
                        .map(Type::Array)
                } else if selects_view(self.f, a.ndim, indices) {
                    self.view_type(value, &a, indices, &tys, span)
                        .map(Type::Array)
                } else {
                    self.array_indices(value, &a, indices, &tys, span)
                        .then_some(Type::Scalar(a.dtype))
                };
                typed.map_or(Ty::Error, Ty::Known)
            }
            Ty::Known(Type::Tuple(items)) => {
                let items = items.clone();
                self.tuple_index(value, &items, indices, span)
            }
            _ => {
                for i in indices {
                    self.expr(*i);
                }
                if t.is_pending() {
                    return t;
                }
                let s = shown(&t);
                self.emit(
                    span,
                    report(
                        "E0213",
                        format!("{s} cannot be indexed"),
                        format!("{} is {s}", self.expr_text(value)),
                    )
                    .help("only arrays and tuples can be indexed"),
                );
                Ty::Error
            }
        }
    }

    /// Types each index of a subscript, once, in order.
    pub(crate) fn index_types(&mut self, indices: &[ExprId]) -> Vec<Ty> {
        indices.iter().map(|&i| self.expr(i)).collect()
    }

    /// Checks the indices (of types `tys`) of `array[indices]`; false when
    /// one is not an integer or their count is wrong.
    pub(crate) fn array_indices(
        &mut self,
        array: ExprId,
        a: &ArrayType,
        indices: &[ExprId],
        tys: &[Ty],
        span: Span,
    ) -> bool {
        for (i, t) in indices.iter().zip(tys) {
            self.index(*i, t);
        }
        let ndim = a.ndim as usize;
        if indices.len() == ndim {
            return true;
        }
        let name = self.expr_text(array);
        let raw = name.trim_matches('`');
        let raw = if name == "this" { "a" } else { raw };
        let n = indices.len();
        let rep = if ndim == 0 {
            report(
                "E0211",
                "cannot index a 0-d array",
                format!("{name} is {a}"),
            )
            .help("a 0-d array has no axes to index")
        } else {
            let names = ["i", "j", "k", "l"];
            let wanted: Vec<String> = (0..ndim)
                .map(|k| {
                    names
                        .get(k)
                        .map_or_else(|| format!("i{k}"), |s| s.to_string())
                })
                .collect();
            report(
                "E0211",
                format!(
                    "cannot index a {ndim}-d array with {n} {}",
                    if n == 1 { "index" } else { "indices" }
                ),
                format!("{name} is {a}"),
            )
            .help(format!("write {raw}[{}]", wanted.join(", ")))
        };
        self.emit(span, rep);
        false
    }

    /// An array index: any integer, read as int64.
    fn index(&mut self, e: ExprId, t: &Ty) {
        let s = shown(t);
        let label = format!("{} is {s}", self.expr_text(e));
        let rep = match t.number_kind() {
            Some(Kind::Int) => {
                self.coerce(e, t, &Type::INT);
                return;
            }
            None if t.is_pending() => return,
            Some(Kind::Bool) => report("E0212", "a bool cannot be used as an array index", label)
                .help("convert it with int(...)"),
            Some(_) => report("E0212", "array indices must be integers", label)
                .help("convert it with int(...)"),
            None if matches!(s, Type::Tuple(_)) => {
                report("E0212", "array indices must be integers", label)
                    .help("write one integer per axis: a[i, j]")
            }
            None => report("E0212", "array indices must be integers", label)
                .help("index with one integer per axis"),
        };
        self.emit(self.span(e), rep);
    }

    fn tuple_index(&mut self, value: ExprId, items: &[Type], indices: &[ExprId], span: Span) -> Ty {
        let tys: Vec<Ty> = indices.iter().map(|i| self.expr(*i)).collect();
        let n = items.len();
        let label = format!(
            "{} is {}",
            self.expr_text(value),
            Type::Tuple(items.to_vec())
        );
        if indices.len() != 1 {
            self.emit(
                span,
                report("E0214", "a tuple takes exactly one index", label).help("write t[k]"),
            );
            return Ty::Error;
        }
        if tys[0] == Ty::Error {
            return Ty::Error;
        }
        let Some(k) = self.constant_int(indices[0]) else {
            return self.run_time_tuple_index(indices[0], &tys[0], items, label);
        };
        let at = if k < 0 {
            k.checked_add(n as i64)
        } else {
            Some(k)
        };
        match at.filter(|i| *i >= 0 && (*i as usize) < n) {
            Some(i) => Ty::Known(items[i as usize].clone()),
            None => {
                self.emit(
                    self.span(indices[0]),
                    report(
                        "E0214",
                        format!("tuple index {k} is out of range for a tuple of {n} items"),
                        label,
                    )
                    .help(format!(
                        "use an index from {} to {}",
                        -(n as i64),
                        n as i64 - 1
                    )),
                );
                Ty::Error
            }
        }
    }

    /// `t[i]` with `i` known only at run time: like Numba, only a tuple whose
    /// items all have one type can be indexed so, since the result needs one type.
    fn run_time_tuple_index(
        &mut self,
        index: ExprId,
        ty: &Ty,
        items: &[Type],
        label: String,
    ) -> Ty {
        let item = items
            .split_first()
            .filter(|(first, rest)| rest.iter().all(|t| t == *first))
            .map(|(first, _)| first.clone());
        let rep = match (item, ty.number_kind()) {
            (Some(item), Some(Kind::Int)) => {
                self.coerce(index, ty, &Type::INT);
                return Ty::Known(item);
            }
            (Some(item), None) if ty.is_pending() => return Ty::Known(item),
            (Some(_), Some(Kind::Bool)) => {
                let s = shown(ty);
                report(
                    "E0214",
                    "a bool cannot be used as a tuple index",
                    format!("{} is {s}", self.expr_text(index)),
                )
                .help("convert it with int(...)")
            }
            (Some(_), _) => {
                let s = shown(ty);
                report(
                    "E0214",
                    "tuple indices must be integers",
                    format!("{} is {s}", self.expr_text(index)),
                )
                .help("convert it with int(...)")
            }
            (None, _) => report("E0214", "a tuple index must be a constant integer", label).help(
                "index tuples with a constant such as t[0]; only a tuple whose items all have one type can be indexed with a variable",
            ),
        };
        self.emit(self.span(index), rep);
        Ty::Error
    }
}
