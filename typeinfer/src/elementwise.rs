//! Array expressions: arithmetic and library functions applied element by
//! element with NumPy's broadcasting. The element type follows the scalar
//! rules (NumPy 2 promotion, Python numbers weak); the result is a new
//! C-ordered array of the broadcast shape, whose number of dimensions is the
//! largest of the operands'. An array operand whose dtype differs from the
//! element type gets an array coercion (`Array` of the element dtype): lower
//! converts element by element.

use frontend::hir::{
    self, BinOp, Callee, CmpOp, Constant, Dtype, ExprId, ExprKind, KnownFunction, LibFn,
    OperatorFn, UnaryOp,
};
use frontend::Span;
use library::promotion::{int_fits, kind, promote_dtype, Kind};
use library::Arg;

use crate::infer::{promote_numbers, report, FnCx, Ty};
use crate::{ArrayType, Layout, Type};

/// The binary operators lower computes element by element with NumPy's
/// meaning (so far: those whose element result needs no error check).
fn is_elementwise_binary(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Add
            | BinOp::Sub
            | BinOp::Mul
            | BinOp::Div
            | BinOp::FloorDiv
            | BinOp::Mod
            | BinOp::Pow
            | BinOp::BitAnd
            | BinOp::BitOr
            | BinOp::BitXor
    )
}

/// The function NumPy's `**` operator calls for `array ** rhs` (its
/// `fast_scalar_power`) where that is not `np.power`: `square` for the Python
/// int 2, `reciprocal` for -1 and `sqrt` for the Python float 0.5, the last
/// two on float and complex arrays only. Only an exact Python number counts,
/// as in NumPy (not `True`, not `np.int64(2)`), and ferrojit sees one only as
/// a constant (a literal or a module constant): an int variable is int64 by
/// then, whether Python's or NumPy's, so it takes `np.power`'s loop.
pub fn operator_power(f: &hir::Function, rhs: ExprId, base: Dtype) -> Option<LibFn> {
    fn number(f: &hir::Function, e: ExprId) -> Option<Constant> {
        match &f.expr(e).kind {
            ExprKind::Const(c) | ExprKind::Global { value: c, .. } => Some(c.clone()),
            ExprKind::Unary {
                op: UnaryOp::Pos,
                operand,
            } => number(f, *operand),
            ExprKind::Unary {
                op: UnaryOp::Neg,
                operand,
            } => match number(f, *operand)? {
                Constant::Int(i) => i.checked_neg().map(Constant::Int),
                Constant::Float(x) => Some(Constant::Float(-x)),
                _ => None,
            },
            _ => None,
        }
    }
    let inexact = base.is_float() || base.is_complex();
    let name = match number(f, rhs)? {
        Constant::Int(2) => "square",
        Constant::Int(-1) if inexact => "reciprocal",
        Constant::Float(x) if x == 0.5 && inexact => "sqrt",
        _ => return None,
    };
    library::functions(library::Namespace::Numpy).find_map(|(n, g)| (n == name).then_some(g))
}

/// NumPy's `same_kind` casting: within a kind or to a higher one (bool <
/// integers < floats < complex numbers), never down.
fn same_kind(from: Dtype, to: Dtype) -> bool {
    kind(from) <= kind(to)
}

fn array_of(ty: &Ty) -> Option<ArrayType> {
    match ty {
        Ty::Known(Type::Array(a)) => Some(*a),
        _ => None,
    }
}

/// An array's element type, or the number itself.
fn element(ty: &Ty) -> Ty {
    match ty {
        Ty::Known(Type::Array(a)) => Ty::Known(Type::Scalar(a.dtype)),
        other => other.clone(),
    }
}

fn result_array(dtype: frontend::hir::Dtype, ndim: u8) -> Ty {
    Ty::Known(Type::Array(ArrayType {
        dtype,
        ndim,
        layout: Layout::C,
        writable: true,
    }))
}

impl FnCx<'_, '_> {
    /// Records that array operand `e` is read as elements of `to`'s dtype.
    fn coerce_elements(&mut self, e: ExprId, ty: &Ty, to: &Type) {
        let Some(a) = array_of(ty) else {
            return;
        };
        self.coercions.remove(&e);
        if let Type::Scalar(d) = to {
            if *d != a.dtype {
                self.coercions
                    .insert(e, Type::Array(ArrayType { dtype: *d, ..a }));
            }
        }
    }

    /// Records that operand `e` (an array or a number) is read as `to`,
    /// replacing the scalar rule's conversion (an integer `**` of arrays keeps
    /// a narrower type than Python's int ** int).
    fn coerce_operand(&mut self, e: ExprId, ty: &Ty, to: &Type) {
        if array_of(ty).is_some() {
            self.coerce_elements(e, ty, to);
        } else {
            self.coercions.remove(&e);
            self.coerce(e, ty, to);
        }
    }

    /// `l op r` where either side is an array; `None` when neither is.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn elementwise_binary(
        &mut self,
        op: BinOp,
        l: &Ty,
        lhs: Option<ExprId>,
        ltext: &str,
        r: &Ty,
        rhs: ExprId,
        span: Span,
    ) -> Option<Ty> {
        let (la, ra) = (array_of(l), array_of(r));
        if la.is_none() && ra.is_none() {
            return None;
        }
        let sym = op.symbol();
        let Some(lhs) = lhs else {
            self.emit(
                span,
                report(
                    "E0206",
                    format!("`{sym}=` on an array is not supported yet"),
                    format!("{ltext} is {}", l.concrete().unwrap_or(Type::None)),
                )
                .help(format!(
                    "write `a[...] = a {sym} b`, or a loop over the elements"
                )),
            );
            return Some(Ty::Error);
        };
        if !is_elementwise_binary(op) {
            self.emit(
                span,
                report(
                    "E0206",
                    format!("`{sym}` on arrays is not supported yet"),
                    format!("{ltext} is {}", l.concrete().unwrap_or(Type::None)),
                )
                .help("array expressions support + - * / // % ** & | ^, comparisons and NumPy's functions so far; write a loop over the elements"),
            );
            return Some(Ty::Error);
        }
        let (el, er) = (element(l), element(r));
        let both_bool =
            el.number_kind() == Some(Kind::Bool) && er.number_kind() == Some(Kind::Bool);
        let arithmetic = matches!(
            op,
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::FloorDiv | BinOp::Mod | BinOp::Pow
        );
        if both_bool && arithmetic {
            // NumPy's bool loops differ from Python's (True + True is True there).
            self.emit(
                span,
                report(
                    "E0206",
                    format!("`{sym}` of two bool arrays is not supported"),
                    format!("{ltext} is {}", l.concrete().unwrap_or(Type::None)),
                )
                .help("use | & ^ on bool arrays, or convert with .astype(np.int64)"),
            );
            return Some(Ty::Error);
        }
        let t = self.binary(op, &el, Some(lhs), ltext, &er, rhs, span);
        let Some(Type::Scalar(d)) = t.concrete() else {
            return Some(t);
        };
        let d = self.integer_power_type(op, d, &el, &er);
        let to = Type::Scalar(d);
        self.coerce_operand(lhs, l, &to);
        self.coerce_operand(rhs, r, &to);
        let ndim = la.map_or(0, |a| a.ndim).max(ra.map_or(0, |a| a.ndim));
        Some(result_array(d, ndim))
    }

    /// `a < b` where either side is an array: a bool array, the operands
    /// compared in their common type (NumPy's rule; a Python int beyond the
    /// other side's type widens it, as for numbers). `None` when no operand
    /// is an array.
    pub(crate) fn elementwise_compare(
        &mut self,
        comparisons: &[(CmpOp, ExprId)],
        operands: &[(ExprId, Ty)],
        span: Span,
    ) -> Option<Ty> {
        let ndim = operands
            .iter()
            .filter_map(|(_, t)| array_of(t))
            .map(|a| a.ndim)
            .max()?;
        if comparisons.len() > 1 {
            self.emit(
                span,
                report(
                    "E0210",
                    "a chained comparison of arrays needs the truth value of an array",
                    "`a < b < c` is `(a < b) and (b < c)`, and an array has no truth value",
                )
                .help("write (a < b) & (b < c)"),
            );
            return Some(Ty::Error);
        }
        let elements: Vec<Ty> = operands.iter().map(|(_, t)| element(t)).collect();
        if let Some(((e, t), _)) = operands
            .iter()
            .zip(&elements)
            .find(|(_, el)| el.number_kind().is_none())
        {
            let s = t.concrete().unwrap_or(Type::None);
            self.emit(
                span,
                report(
                    "E0207",
                    format!("cannot compare {s}"),
                    format!("{} is {s}", self.expr_text(*e)),
                )
                .help("compare numbers or arrays of numbers"),
            );
            return Some(Ty::Error);
        }
        let ordered = !matches!(comparisons[0].0, CmpOp::Eq | CmpOp::NotEq);
        if ordered
            && elements
                .iter()
                .any(|t| t.number_kind() == Some(Kind::Complex))
        {
            self.emit(
                span,
                report(
                    "E0207",
                    "complex numbers cannot be ordered",
                    "a complex operand",
                )
                .help("compare abs(z) or z.real instead"),
            );
            return Some(Ty::Error);
        }
        let mut common = promote_numbers(&elements[0], &elements[1])?;
        if let Ty::Known(Type::Scalar(d)) = &common {
            let overflows = operands.iter().any(|(e, t)| {
                *t == Ty::Weak(Kind::Int) && self.constant_int(*e).is_some_and(|v| !int_fits(*d, v))
            });
            if overflows {
                common = Ty::Known(Type::Scalar(promote_dtype(*d, Dtype::Int64)));
            }
        }
        let to = common.concrete()?;
        for (e, t) in operands {
            if array_of(t).is_some() {
                self.coerce_elements(*e, t, &to);
            } else {
                self.coerce(*e, t, &to);
            }
        }
        Some(result_array(Dtype::Bool, ndim))
    }

    /// `a op= value` on an array (or a view) `a`: computed element by element
    /// and stored back into `a`, whose dtype must hold the result under
    /// NumPy's `same_kind` rule.
    pub(crate) fn update_in_place(
        &mut self,
        op: BinOp,
        a: &ArrayType,
        text: &str,
        value: ExprId,
        rhs: &Ty,
        span: Span,
    ) {
        if !a.writable {
            self.emit(
                span,
                report(
                    "E0217",
                    "cannot write to a read-only array",
                    format!("{text} is {a}"),
                )
                .help("pass a writable array, e.g. a.copy()"),
            );
            return;
        }
        let sym = op.symbol();
        if !is_elementwise_binary(op) {
            self.emit(
                span,
                report(
                    "E0206",
                    format!("`{sym}=` on an array is not supported yet"),
                    format!("{text} is {a}"),
                )
                .help("array expressions support + - * / & | ^ so far; write a loop over the elements"),
            );
            return;
        }
        let current = Ty::Known(Type::Scalar(a.dtype));
        let t = self.binary(op, &current, None, text, &element(rhs), value, span);
        let Some(Type::Scalar(d)) = t.concrete() else {
            return;
        };
        let d = self.integer_power_type(op, d, &current, &element(rhs));
        self.coerce_operand(value, rhs, &Type::Scalar(d));
        if !same_kind(d, a.dtype) {
            let ufunc = OperatorFn::Binary(op).name();
            self.emit(
                span,
                report(
                    "E0218",
                    format!(
                        "Cannot cast ufunc '{ufunc}' output from dtype('{d}') to dtype('{}') with casting rule 'same_kind'",
                        a.dtype
                    ),
                    format!("{text} is {a}"),
                )
                .help(format!("NumPy raises UFuncTypeError here; write `{text} = ({text} {sym} ...).astype(...)` into a new array")),
            );
        }
    }

    /// The element type of an integer `**` of arrays: NumPy's power keeps the
    /// operands' common integer type, where the scalar rule (Python's `int **
    /// int`) gives int64. `d` otherwise.
    fn integer_power_type(&mut self, op: BinOp, d: Dtype, l: &Ty, r: &Ty) -> Dtype {
        if op != BinOp::Pow || !(d.is_int() || d == Dtype::Bool) {
            return d;
        }
        match promote_numbers(l, r).and_then(|p| p.concrete()) {
            Some(Type::Scalar(p)) if p.is_int() => p,
            _ => d,
        }
    }

    /// `value` (a ufunc's call, or its operator) computed into the array `out`
    /// (`np.add(a, b, out=c)`), which is the result: its dtype must hold the
    /// ufunc's under NumPy's `same_kind` rule; its shape is checked at run time.
    pub(crate) fn ufunc_out(&mut self, value: ExprId, out: ExprId, span: Span) -> Ty {
        let v = self.expr(value);
        let o = self.expr(out);
        if v.is_pending() {
            return v;
        }
        if o.is_pending() {
            return o;
        }
        let name = self.ufunc_name(value);
        let Some(a) = array_of(&o) else {
            let s = o.concrete().unwrap_or(Type::None);
            self.emit(
                self.span(out),
                report(
                    "E0240",
                    format!("the output of `np.{name}` must be an array"),
                    format!("{} is {s}", self.expr_text(out)),
                )
                .help("pass a writable array as out=, or leave out= away and use the result"),
            );
            return Ty::Error;
        };
        let text = self.expr_text(out);
        if !a.writable {
            self.emit(
                self.span(out),
                report(
                    "E0217",
                    "cannot write to a read-only array",
                    format!("{text} is {a}"),
                )
                .help("pass a writable array, e.g. a.copy()"),
            );
            return Ty::Error;
        }
        let d = match &v {
            Ty::Known(Type::Array(x)) => x.dtype,
            Ty::Known(Type::Scalar(d)) => *d,
            // A Python number is weak: it takes the output's type when that is of its kind or higher.
            Ty::Weak(k) if *k <= kind(a.dtype) => a.dtype,
            Ty::Weak(k) => library::promotion::python_default(*k),
            _ => {
                self.emit(
                    span,
                    report(
                        "E0299",
                        "a ufunc whose result is neither a number nor an array; this is a bug in ferrojit, please report it",
                        "this call",
                    ),
                );
                return Ty::Error;
            }
        };
        if !same_kind(d, a.dtype) {
            self.emit(
                span,
                report(
                    "E0218",
                    format!(
                        "Cannot cast ufunc '{name}' output from dtype('{d}') to dtype('{}') with casting rule 'same_kind'",
                        a.dtype
                    ),
                    format!("{text} is {a}"),
                )
                .help("NumPy raises UFuncTypeError here; pass an output of the result's kind (or higher), or convert the result with .astype"),
            );
            return Ty::Error;
        }
        if array_of(&v).is_none() {
            self.coerce(value, &v, &Type::Scalar(d));
        }
        o
    }

    /// The NumPy name of the ufunc `e` is (a call, or the operator node of one).
    fn ufunc_name(&self, e: ExprId) -> String {
        match &self.f.expr(e).kind {
            ExprKind::Binary { op, .. } => OperatorFn::Binary(*op).name().to_string(),
            ExprKind::Compare { comparisons, .. } => {
                OperatorFn::Compare(comparisons[0].0).name().to_string()
            }
            ExprKind::Unary {
                op: UnaryOp::Invert,
                ..
            } => OperatorFn::Invert.name().to_string(),
            ExprKind::Unary { .. } => "negative".to_string(),
            ExprKind::Call {
                callee: Callee::Known(KnownFunction::Library(f)),
                ..
            } => f.function().names[0].to_string(),
            _ => "?".to_string(),
        }
    }

    /// `-a` of an array.
    pub(crate) fn elementwise_unary(
        &mut self,
        op: UnaryOp,
        operand: ExprId,
        t: &Ty,
        span: Span,
    ) -> Option<Ty> {
        let a = array_of(t)?;
        let negates_number = op == UnaryOp::Neg && a.dtype != Dtype::Bool;
        let inverts_bits = op == UnaryOp::Invert && (a.dtype == Dtype::Bool || a.dtype.is_int());
        if !(negates_number || inverts_bits) {
            let sym = match op {
                UnaryOp::Neg => "-",
                UnaryOp::Pos => "+",
                _ => "~",
            };
            self.emit(
                span,
                report(
                    "E0206",
                    format!("unary `{sym}` on a {} array is not supported yet", a.dtype),
                    format!("{} is {a}", self.expr_text(operand)),
                )
                .help("write a loop over the elements"),
            );
            return Some(Ty::Error);
        }
        Some(result_array(a.dtype, a.ndim))
    }

    /// A library function with an array argument: its typing rule on the
    /// element types, applied element by element.
    pub(crate) fn elementwise_library_call(
        &mut self,
        f: LibFn,
        args: &[ExprId],
        tys: &[Ty],
    ) -> Option<Ty> {
        let ndim = tys.iter().filter_map(array_of).map(|a| a.ndim).max()?;
        let name = f.qualified_name();
        let mut given = Vec::new();
        for (a, t) in args.iter().zip(tys) {
            given.push(match element(t) {
                Ty::Weak(k) => Arg::Weak(k),
                Ty::Known(Type::Scalar(d)) => Arg::Typed(d),
                other => {
                    self.bad_argument(
                        &name,
                        *a,
                        &other,
                        "numbers or arrays",
                        "pass numbers or arrays",
                    );
                    return Some(Ty::Error);
                }
            });
        }
        match (f.function().typing)(&given) {
            Ok(sig) => {
                for ((a, t), p) in args.iter().zip(tys).zip(&sig.params) {
                    let to = Type::Scalar(*p);
                    if array_of(t).is_some() {
                        self.coerce_elements(*a, t, &to);
                    } else {
                        self.coerce(*a, t, &to);
                    }
                }
                Some(result_array(sig.result, ndim))
            }
            Err(r) => {
                self.bad_argument(&name, args[r.arg], &element(&tys[r.arg]), r.needs, r.help);
                Some(Ty::Error)
            }
        }
    }
}
