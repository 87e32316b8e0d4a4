//! Lowering of expressions: conversions, arithmetic with Python's rules,
//! comparisons, short-circuit operators, builtins, allocation and calls.

use frontend::hir::{
    AllocFn, BinOp, BoolOp, Callee, CmpOp as PyCmp, Constant, Dtype, ExceptionKind, ExprId,
    ExprKind, Keyword, KnownFunction, UnaryOp as PyUnary, ViewFn,
};
use typeinfer::sorting::sorting_method;
use typeinfer::{CallArg, Type};

use crate::builder::ltype;
use crate::func::{unsigned_index, FnLower};
use crate::ir::{
    BinaryOp, CastOp, CmpOp, Const, FuncIndex, Inst, LType, Primitive, Stmt, UnaryOp, ValueId,
};
use crate::ranges::{self, Affine};
use crate::values::{ArrayVal, Slot, Val};

/// The float type holding the parts of a complex type, or the type itself.
fn real_dtype(d: Dtype) -> Dtype {
    match d {
        Dtype::Complex64 | Dtype::Float32 => Dtype::Float32,
        _ => Dtype::Float64,
    }
}

/// `ValueError` of a negative exponent of an integer `**` on numbers (the
/// fuzzer's reference words it so); arrays use NumPy's (`elementwise.rs`).
const SCALAR_NEGATIVE_POWER: &str = "integers to negative integer powers are not allowed";
/// The most exponents `power_of_constant` tabulates.
const POWER_TABLE_LEN: i64 = 16;

/// 2**63, the first float beyond int64.
const TWO_63: f64 = (1u64 << 63) as f64;

/// The operator that gives the same answer with the operands swapped.
fn mirrored(op: PyCmp) -> PyCmp {
    match op {
        PyCmp::Lt => PyCmp::Gt,
        PyCmp::LtE => PyCmp::GtE,
        PyCmp::Gt => PyCmp::Lt,
        PyCmp::GtE => PyCmp::LtE,
        other => other,
    }
}

fn bits(d: Dtype) -> i64 {
    match d {
        Dtype::Bool => 1,
        other => other.itemsize() as i64 * 8,
    }
}

/// How `x % m` is computed without a division (`mod_without_division`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum ModForm {
    /// `0 <= x < m`: `x` itself.
    Itself,
    /// `0 <= x <= m`: 0 at `x == m`, else `x`.
    ZeroAtM,
    /// `0 <= x < 2 * m`: `x - m` from `x >= m` on, else `x`.
    SubtractOnce,
}

impl<'a> FnLower<'a> {
    /// Lowers `e` and converts it to the type its consumer reads it as.
    pub(crate) fn expr(&mut self, e: ExprId) -> Val {
        let v = self.expr_raw(e);
        let from = self.tf.expr_type(e).clone();
        let to = self.tf.coerced_type(e).clone();
        self.convert(v, &from, &to)
    }

    pub(crate) fn convert(&mut self, v: Val, from: &Type, to: &Type) -> Val {
        match (v, from, to) {
            (Val::Scalar(v), Type::Scalar(a), Type::Scalar(b)) => {
                Val::Scalar(self.cast_scalar(v, *a, *b))
            }
            (Val::Tuple(items), Type::Tuple(fs), Type::Tuple(ts)) if fs.len() == ts.len() => {
                Val::Tuple(
                    items
                        .into_iter()
                        .zip(fs.iter().zip(ts))
                        .map(|(v, (f, t))| self.convert(v, f, t))
                        .collect(),
                )
            }
            (v, _, _) => v,
        }
    }

    /// Converts a scalar between dtypes with NumPy's casting rules.
    pub(crate) fn cast_scalar(&mut self, v: ValueId, from: Dtype, to: Dtype) -> ValueId {
        if from == to {
            return v;
        }
        let ty = ltype(to);
        if to == Dtype::Bool {
            let zero = self.zero(from);
            let op = if from.is_float() {
                CmpOp::FNe
            } else if from.is_complex() {
                CmpOp::CNe
            } else {
                CmpOp::Ne
            };
            return self.b.cmp(op, v, zero);
        }
        if to.is_complex() {
            let part = real_dtype(to);
            let v = if from.is_complex() {
                v
            } else {
                self.cast_scalar(v, from, part)
            };
            return self.b.cast(CastOp::ToComplex, v, ty);
        }
        if from.is_complex() {
            // NumPy discards the imaginary part.
            let re = self.b.emit(Inst::Real(v));
            return self.cast_scalar(re, real_dtype(from), to);
        }
        let from_signed = from.is_signed_int();
        match (from.is_float(), to.is_float()) {
            (true, true) => {
                let op = if from.itemsize() < to.itemsize() {
                    CastOp::FPExt
                } else {
                    CastOp::FPTrunc
                };
                self.b.cast(op, v, ty)
            }
            (false, true) => self.b.cast(
                if from_signed {
                    CastOp::SIToFP
                } else {
                    CastOp::UIToFP
                },
                v,
                ty,
            ),
            (true, false) => self.float_to_int(v, from, to),
            (false, false) => {
                let (fb, tb) = (bits(from), bits(to));
                if fb == tb {
                    v
                } else if fb > tb {
                    self.b.cast(CastOp::Trunc, v, ty)
                } else {
                    self.b.cast(
                        if from_signed {
                            CastOp::SExt
                        } else {
                            CastOp::ZExt
                        },
                        v,
                        ty,
                    )
                }
            }
        }
    }

    /// How the int64 `x % m` goes without a division, if the range analysis
    /// proves `m >= 1` and `0 <= x < 2 * m` (`(j + 1) % m` for `j` in
    /// `range(m)`): the result is `x` or `x - m`. A division per element kept
    /// a torus stencil at twice Numba's time (LLVM 20 reduces such a remainder
    /// of an induction variable itself; the LLVM 19 ferrojit links does not).
    fn mod_without_division(&self, lhs: ExprId, rhs: ExprId) -> Option<ModForm> {
        let x = self.ranges.exact(lhs)?;
        let m = self.ranges.exact(rhs)?;
        let r = &self.ranges;
        let proven = |f: Option<Affine>| f.is_some_and(|f| r.nonneg(&f));
        if !(r.fits(&x) && r.fits(&m) && r.nonneg(&x)) {
            return None;
        }
        // `0 <= x < m` gives `m >= 1` by itself.
        if proven(m.sub(&x).and_then(|f| f.offset(-1))) {
            return Some(ModForm::Itself);
        }
        // Else `x < 2m` and `m >= 1`, which `1 <= x < 2m` gives too: inside
        // such a loop nothing bounds `m` but the loop's facts about `j`.
        let at_most_m = proven(m.sub(&x));
        let below_2m = at_most_m
            || proven(
                m.scale(2)
                    .and_then(|f| f.sub(&x))
                    .and_then(|f| f.offset(-1)),
            );
        let m_positive = proven(m.offset(-1)) || proven(x.offset(-1));
        match (below_2m && m_positive, at_most_m) {
            (false, _) => None,
            (true, true) => Some(ModForm::ZeroAtM),
            (true, false) => Some(ModForm::SubtractOnce),
        }
    }

    /// Truncates a float toward zero, defined for every input: values in the
    /// range of int64 (of uint64 for uint64) convert exactly, everything else,
    /// NaN and infinities included, gives INT64_MIN; narrower integers wrap
    /// from int64.
    fn float_to_int(&mut self, v: ValueId, from: Dtype, to: Dtype) -> ValueId {
        let mut r = self.b.cast(CastOp::FPToSIOrMin, v, LType::I64);
        if to == Dtype::UInt64 {
            let ft = ltype(from);
            let hi = self.b.float(ft, TWO_63);
            let zero = self.b.float(ft, 0.0);
            let top = self.b.float(ft, 2.0 * TWO_63);
            let above_hi = self.b.cmp(CmpOp::FGe, v, hi);
            let below_top = self.b.cmp(CmpOp::FLt, v, top);
            let upper = self.b.bin(BinaryOp::And, above_hi, below_top);
            let safe = self.b.select(upper, v, zero);
            let u = self.b.cast(CastOp::FPToUI, safe, LType::I64);
            r = self.b.select(upper, u, r);
        }
        if bits(to) < 64 {
            self.b.cast(CastOp::Trunc, r, ltype(to))
        } else {
            r
        }
    }

    // Its own recursion, not `hir::visit`'s: a translation evaluates children as each node needs.
    pub(crate) fn expr_raw(&mut self, e: ExprId) -> Val {
        if self.tf.is_elementwise(e) {
            return self.elementwise(e);
        }
        let tf = self.tf;
        let ex = tf.hir.expr(e);
        let saved = self.b.span;
        self.b.span = ex.span;
        let ty = tf.expr_type(e).clone();
        let v = match &ex.kind {
            ExprKind::Const(c) | ExprKind::Global { value: c, .. } => self.constant(c, &ty),
            // A parameter read where it holds the `None` it was passed; its
            // variable holds what is assigned to it (typeinfer's `none_flow`).
            ExprKind::Local(_) if ty == Type::None => Val::Unit,
            ExprKind::Local(l) => {
                self.check_assigned(typeinfer::LocalRead::Expr(e));
                self.locals[l.0 as usize].clone().read(&mut self.b)
            }
            ExprKind::IsNone { value, negated } => {
                self.expr(*value);
                let is_none = *tf.expr_type(*value) == Type::None;
                Val::Scalar(self.b.boolc(is_none != *negated))
            }
            ExprKind::GlobalArray { array, .. } => Val::Array(self.frozen_array(array)),
            ExprKind::Function(_) => Val::Unit,
            ExprKind::Unary { op, operand } => self.unary(*op, *operand, &ty),
            ExprKind::Binary {
                op: BinOp::Mod,
                lhs,
                rhs,
                ..
            } if self.mod_without_division(*lhs, *rhs).is_some() => {
                let form = self.mod_without_division(*lhs, *rhs);
                let (x, _) = self.scalar_expr(*lhs);
                let (m, _) = self.scalar_expr(*rhs);
                Val::Scalar(match form {
                    Some(ModForm::ZeroAtM) => {
                        // A select of 0 or `x` itself: as an index of a
                        // vector loop's lanes, a compare and a conditional
                        // move each, where `x - (x < m ? 0 : m)` (what LLVM
                        // makes of the general form) took two more.
                        let at_m = self.b.cmp(CmpOp::Eq, x, m);
                        let zero = self.b.i64c(0);
                        self.b.select(at_m, zero, x)
                    }
                    Some(ModForm::SubtractOnce) => {
                        let wraps = self.b.cmp(CmpOp::SGe, x, m);
                        let less = self.b.bin(BinaryOp::ISub, x, m);
                        self.b.select(wraps, less, x)
                    }
                    Some(ModForm::Itself) | None => x,
                })
            }
            ExprKind::Binary {
                op,
                lhs,
                rhs,
                ufunc,
            } => {
                let (l, lt) = self.scalar_expr(*lhs);
                let (r, rt) = self.scalar_expr(*rhs);
                let res = ty
                    .as_scalar()
                    .unwrap_or_else(|| self.binop_result(*op, lt, rt));
                if *ufunc && *op == BinOp::Mul && res.is_complex() {
                    // `np.multiply` of numbers runs NumPy's array loop, whose
                    // product is not CPython's.
                    let a = self.cast_scalar(l, lt, res);
                    let b = self.cast_scalar(r, rt, res);
                    Val::Scalar(self.b.bin(BinaryOp::CMulLoop, a, b))
                } else if let Some(p) = self.power_of_constant(*op, *lhs, r, *rhs, res) {
                    Val::Scalar(p)
                } else {
                    let ints = self.is_integral(self.tf.expr_type(*lhs))
                        && self.is_integral(self.tf.expr_type(*rhs));
                    Val::Scalar(self.binary_op(*op, (l, lt), (r, rt), res, Some(*rhs), ints))
                }
            }
            ExprKind::Compare { left, comparisons } => {
                Val::Scalar(self.compare_chain(*left, comparisons))
            }
            ExprKind::BoolOp { op, values } => self.bool_op(*op, values, &ty),
            ExprKind::IfExp { test, body, orelse } => {
                let slot = Slot::new(&mut self.b, &ty, "ifexp");
                let cond = self.truth_of(*test);
                let branch = |this: &mut Self, e: ExprId| {
                    this.b.begin();
                    let v = this.expr(e);
                    let from = this.tf.coerced_type(e).clone();
                    let v = this.convert(v, &from, &ty);
                    slot.write(&mut this.b, &v);
                    this.b.end()
                };
                let then_body = branch(self, *body);
                let else_body = branch(self, *orelse);
                self.b.stmt(Stmt::If {
                    cond,
                    then_body,
                    else_body,
                });
                slot.read_for_statement(&mut self.b)
            }
            ExprKind::Call {
                callee,
                args,
                kwargs,
            } => self.call(e, callee, args, kwargs, &ty),
            ExprKind::Attribute { value, attr } => self.attribute(*value, attr, &ty),
            ExprKind::Subscript { value, indices } => self.subscript(*value, indices),
            ExprKind::Tuple(items) => Val::Tuple(items.iter().map(|i| self.expr(*i)).collect()),
            // Only ever an index, which `views` reads part by part.
            ExprKind::Slice { .. } | ExprKind::Ellipsis => Val::Unit,
            ExprKind::Out { value, out } => self.ufunc_out(*value, *out),
        };
        self.b.span = saved;
        v
    }

    fn constant(&mut self, c: &Constant, ty: &Type) -> Val {
        match (c, ty) {
            (Constant::Tuple(items), Type::Tuple(tys)) => Val::Tuple(
                items
                    .iter()
                    .zip(tys)
                    .map(|(c, t)| self.constant(c, t))
                    .collect(),
            ),
            (_, Type::Scalar(d)) => {
                let (re, im, int) = match c {
                    Constant::Bool(b) => (*b as i64 as f64, 0.0, *b as i64),
                    Constant::Int(i) => (*i as f64, 0.0, *i),
                    Constant::Float(f) => (*f, 0.0, *f as i64),
                    Constant::Complex { re, im } => (*re, *im, *re as i64),
                    _ => return Val::Unit,
                };
                let t = ltype(*d);
                let k = match d {
                    Dtype::Bool => Const::Bool(re != 0.0 || im != 0.0),
                    _ if d.is_float() => Const::Float(t, re),
                    _ if d.is_complex() => Const::Complex(t, re, im),
                    _ => Const::Int(t, int),
                };
                Val::Scalar(self.b.emit(Inst::Const(k)))
            }
            _ => Val::Unit,
        }
    }

    /// The integer value of a constant expression (`3`, `-1`, a module constant).
    pub(crate) fn const_int(&self, e: ExprId) -> Option<i64> {
        const_int(&self.tf.hir, e)
    }

    pub(crate) fn const_float(&self, e: ExprId) -> Option<f64> {
        match &self.tf.hir.expr(e).kind {
            ExprKind::Const(Constant::Float(f))
            | ExprKind::Global {
                value: Constant::Float(f),
                ..
            } => Some(*f),
            ExprKind::Unary {
                op: PyUnary::Neg,
                operand,
            } => self.const_float(*operand).map(|f| -f),
            _ => self.const_int(e).map(|i| i as f64),
        }
    }

    fn unary(&mut self, op: PyUnary, operand: ExprId, ty: &Type) -> Val {
        let (v, od) = self.scalar_expr(operand);
        let d = ty.as_scalar().unwrap_or(od);
        let r = match op {
            PyUnary::Pos => self.cast_scalar(v, od, d),
            PyUnary::Neg => {
                let x = self.cast_scalar(v, od, d);
                self.negate_value(x, d)
            }
            PyUnary::Not => {
                let t = self.cast_scalar(v, od, Dtype::Bool);
                let n = self.b.unary(UnaryOp::Not, t);
                self.cast_scalar(n, Dtype::Bool, d)
            }
            PyUnary::Invert => {
                let x = self.cast_scalar(v, od, d);
                self.b.unary(UnaryOp::Not, x)
            }
        };
        Val::Scalar(r)
    }

    fn promote_dtype(&self, a: Dtype, b: Dtype) -> Dtype {
        if a == b {
            return a;
        }
        typeinfer::promote(&Type::Scalar(a), &Type::Scalar(b))
            .and_then(|t| t.as_scalar())
            .unwrap_or_else(|| {
                let rank = |d: Dtype| (d.is_complex(), d.is_float(), d.itemsize());
                if rank(a) >= rank(b) {
                    a
                } else {
                    b
                }
            })
    }

    /// The dtype of `l op r` for scalars (used where HIR has no expression for the result).
    pub(crate) fn binop_result(&self, op: BinOp, lt: Dtype, rt: Dtype) -> Dtype {
        let p = self.promote_dtype(lt, rt);
        match op {
            BinOp::Div if !(p.is_float() || p.is_complex()) => Dtype::Float64,
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::FloorDiv | BinOp::Mod | BinOp::Pow
                if p == Dtype::Bool =>
            {
                Dtype::Int64
            }
            _ => p,
        }
    }

    /// Whether a value of type `t` is a bool or an integer (before any coercion).
    pub(crate) fn is_integral(&self, t: &Type) -> bool {
        t.as_scalar()
            .is_some_and(|d| !(d.is_float() || d.is_complex()))
    }

    /// `l op r` with Python's rules; the result has dtype `res`. `rhs` is the
    /// divisor's expression, to skip checks for non-zero constants; `ints` says
    /// both operands were integers before coercion (CPython's messages differ).
    pub(crate) fn binary_op(
        &mut self,
        op: BinOp,
        (l, lt): (ValueId, Dtype),
        (r, rt): (ValueId, Dtype),
        res: Dtype,
        rhs: Option<ExprId>,
        ints: bool,
    ) -> ValueId {
        match op {
            BinOp::Div => {
                let ft = if res.is_float() || res.is_complex() {
                    res
                } else {
                    Dtype::Float64
                };
                let a = self.cast_scalar(l, lt, ft);
                let b = self.cast_scalar(r, rt, ft);
                let nonzero = rhs
                    .and_then(|e| self.const_float(e))
                    .is_some_and(|c| c != 0.0);
                let q = self.true_div(a, b, ft, ints, nonzero);
                self.cast_scalar(q, ft, res)
            }
            BinOp::Pow => self.power(l, lt, r, rt, res, rhs, SCALAR_NEGATIVE_POWER),
            BinOp::LShift | BinOp::RShift => {
                let a = self.cast_scalar(l, lt, res);
                let b = self.cast_scalar(r, rt, res);
                self.shift(op, a, b, res)
            }
            _ => {
                let ot = self.binop_result(op, lt, rt);
                let a = self.cast_scalar(l, lt, ot);
                let b = self.cast_scalar(r, rt, ot);
                let v = self.arith(op, a, b, ot, rhs);
                self.cast_scalar(v, ot, res)
            }
        }
    }

    fn arith(
        &mut self,
        op: BinOp,
        a: ValueId,
        b: ValueId,
        d: Dtype,
        rhs: Option<ExprId>,
    ) -> ValueId {
        let kind = if d.is_complex() {
            2
        } else if d.is_float() {
            1
        } else {
            0
        };
        let pick = |ops: [BinaryOp; 3]| ops[kind];
        match op {
            BinOp::Add => self
                .b
                .bin(pick([BinaryOp::IAdd, BinaryOp::FAdd, BinaryOp::CAdd]), a, b),
            BinOp::Sub => self
                .b
                .bin(pick([BinaryOp::ISub, BinaryOp::FSub, BinaryOp::CSub]), a, b),
            BinOp::Mul => self
                .b
                .bin(pick([BinaryOp::IMul, BinaryOp::FMul, BinaryOp::CMul]), a, b),
            BinOp::BitAnd => self.b.bin(BinaryOp::And, a, b),
            BinOp::BitOr => self.b.bin(BinaryOp::Or, a, b),
            BinOp::BitXor => self.b.bin(BinaryOp::Xor, a, b),
            BinOp::FloorDiv | BinOp::Mod if kind == 1 => {
                let c = rhs.and_then(|e| self.const_float(e));
                self.float_divmod(op, a, b, d, c)
            }
            BinOp::FloorDiv | BinOp::Mod if kind == 0 => {
                let c = rhs.and_then(|e| self.const_int(e));
                self.int_divmod(op, a, b, d, c)
            }
            _ => {
                self.bug("an arithmetic operator with no meaning for its operand types");
                self.zero(d)
            }
        }
    }

    fn true_div(
        &mut self,
        a: ValueId,
        b: ValueId,
        d: Dtype,
        int_operands: bool,
        nonzero: bool,
    ) -> ValueId {
        if d.is_complex() {
            if !self.opts.numpy_error_model && !nonzero {
                let zero = self.zero(d);
                let is_zero = self.b.cmp(CmpOp::CEq, b, zero);
                self.raise_if(
                    is_zero,
                    ExceptionKind::ZeroDivisionError,
                    "complex division by zero",
                );
            }
            return self.b.bin(BinaryOp::CDiv, a, b);
        }
        if !self.opts.numpy_error_model && !nonzero {
            let zero = self.zero(d);
            let is_zero = self.b.cmp(CmpOp::FEq, b, zero);
            let message = if int_operands {
                "division by zero"
            } else {
                "float division by zero"
            };
            self.raise_if(is_zero, ExceptionKind::ZeroDivisionError, message);
        }
        self.b.bin(BinaryOp::FDiv, a, b)
    }

    /// Integer `//` and `%` with Python's floor semantics.
    fn int_divmod(
        &mut self,
        op: BinOp,
        n: ValueId,
        d: ValueId,
        dt: Dtype,
        divisor: Option<i64>,
    ) -> ValueId {
        let ty = ltype(dt);
        let zero = self.b.int(ty, 0);
        let one = self.b.int(ty, 1);
        let known_nonzero = divisor.is_some_and(|c| c != 0);
        let mut is_zero = None;
        let mut d1 = d;
        if !known_nonzero {
            let z = self.b.cmp(CmpOp::Eq, d, zero);
            if self.opts.numpy_error_model {
                // NumPy gives 0; divide by 1 meanwhile to stay defined.
                d1 = self.b.select(z, one, d);
                is_zero = Some(z);
            } else {
                let message = match op {
                    BinOp::FloorDiv => "integer division or modulo by zero",
                    _ => "integer modulo by zero",
                };
                self.raise_if(z, ExceptionKind::ZeroDivisionError, message);
            }
        }
        let result = if dt.is_unsigned_int() {
            let o = if op == BinOp::FloorDiv {
                BinaryOp::UDiv
            } else {
                BinaryOp::URem
            };
            self.b.bin(o, n, d1)
        } else {
            let (q, r) = if divisor.is_none_or(|c| c == -1) {
                // MIN / -1 overflows the machine division; dividing by 1 and
                // negating gives NumPy's wrapped result.
                let minus_one = self.b.int(ty, -1);
                let is_m1 = self.b.cmp(CmpOp::Eq, d1, minus_one);
                let d2 = self.b.select(is_m1, one, d1);
                let q = self.b.bin(BinaryOp::SDiv, n, d2);
                let r = self.b.bin(BinaryOp::SRem, n, d2);
                let neg = self.b.unary(UnaryOp::INeg, q);
                (self.b.select(is_m1, neg, q), r)
            } else {
                (
                    self.b.bin(BinaryOp::SDiv, n, d1),
                    self.b.bin(BinaryOp::SRem, n, d1),
                )
            };
            // Truncation rounds toward zero; floor differs when the remainder is
            // non-zero and its sign differs from the divisor's.
            let r_nonzero = self.b.cmp(CmpOp::Ne, r, zero);
            let signs = self.b.bin(BinaryOp::Xor, r, d1);
            let differ = self.b.cmp(CmpOp::SLt, signs, zero);
            let adjust = self.b.bin(BinaryOp::And, r_nonzero, differ);
            match op {
                BinOp::FloorDiv => {
                    let q1 = self.b.bin(BinaryOp::ISub, q, one);
                    self.b.select(adjust, q1, q)
                }
                _ => {
                    let r1 = self.b.bin(BinaryOp::IAdd, r, d1);
                    self.b.select(adjust, r1, r)
                }
            }
        };
        match is_zero {
            Some(z) => self.b.select(z, zero, result),
            None => result,
        }
    }

    /// Float `//` and `%` as CPython's `float_divmod` computes them.
    /// `-x` of a value of dtype `d` (integers wrap).
    pub(crate) fn negate_value(&mut self, x: ValueId, d: Dtype) -> ValueId {
        let op = if d.is_float() {
            UnaryOp::FNeg
        } else if d.is_complex() {
            UnaryOp::CNeg
        } else {
            UnaryOp::INeg
        };
        self.b.unary(op, x)
    }

    /// `//` or `%` of two values of dtype `dt` with Python's (or, under
    /// the NumPy error model, NumPy's) rules.
    pub(crate) fn divmod(&mut self, op: BinOp, a: ValueId, b: ValueId, dt: Dtype) -> ValueId {
        if dt.is_float() {
            self.float_divmod(op, a, b, dt, None)
        } else {
            self.int_divmod(op, a, b, dt, None)
        }
    }

    /// Runs `f` under NumPy's error model: array operations never raise
    /// Python's ZeroDivisionError (`a // 0` is 0, `x % 0.0` is NaN).
    pub(crate) fn with_numpy_errors<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = self.opts.numpy_error_model;
        self.opts.numpy_error_model = true;
        let r = f(self);
        self.opts.numpy_error_model = saved;
        r
    }

    fn float_divmod(
        &mut self,
        op: BinOp,
        vx: ValueId,
        wx: ValueId,
        dt: Dtype,
        divisor: Option<f64>,
    ) -> ValueId {
        let ty = ltype(dt);
        let zero = self.b.float(ty, 0.0);
        if !self.opts.numpy_error_model && divisor.is_none_or(|c| c == 0.0) {
            let z = self.b.cmp(CmpOp::FEq, wx, zero);
            let message = match op {
                BinOp::FloorDiv => "float floor division by zero",
                _ => "float modulo",
            };
            self.raise_if(z, ExceptionKind::ZeroDivisionError, message);
        }
        let m = self.b.bin(BinaryOp::FRem, vx, wx);
        // `!=` is true for NaN, like C's `if (mod)`.
        let m_nonzero = self.b.cmp(CmpOp::FNe, m, zero);
        let w_neg = self.b.cmp(CmpOp::FLt, wx, zero);
        let m_neg = self.b.cmp(CmpOp::FLt, m, zero);
        let differ = self.b.bin(BinaryOp::Xor, w_neg, m_neg);
        let adjust = self.b.bin(BinaryOp::And, m_nonzero, differ);
        match op {
            BinOp::Mod => {
                let shifted = self.b.bin(BinaryOp::FAdd, m, wx);
                let m2 = self.b.select(adjust, shifted, m);
                // A zero remainder takes the divisor's sign.
                let signed_zero = self.b.bin(BinaryOp::FCopySign, zero, wx);
                self.b.select(m_nonzero, m2, signed_zero)
            }
            _ => {
                let one = self.b.float(ty, 1.0);
                let half = self.b.float(ty, 0.5);
                let diff = self.b.bin(BinaryOp::FSub, vx, m);
                let div = self.b.bin(BinaryOp::FDiv, diff, wx);
                let div_minus = self.b.bin(BinaryOp::FSub, div, one);
                let div = self.b.select(adjust, div_minus, div);
                let fl = self.b.emit(Inst::Math(Primitive::Floor, vec![div]));
                let frac = self.b.bin(BinaryOp::FSub, div, fl);
                let round_up = self.b.cmp(CmpOp::FGt, frac, half);
                let fl_up = self.b.bin(BinaryOp::FAdd, fl, one);
                let fl = self.b.select(round_up, fl_up, fl);
                let div_nonzero = self.b.cmp(CmpOp::FNe, div, zero);
                if self.opts.numpy_error_model {
                    // A zero quotient takes the sign of vx / wx, which is
                    // also the result of a division by zero.
                    let q = self.b.bin(BinaryOp::FDiv, vx, wx);
                    let signed_zero = self.b.bin(BinaryOp::FCopySign, zero, q);
                    let r = self.b.select(div_nonzero, fl, signed_zero);
                    let w_zero = self.b.cmp(CmpOp::FEq, wx, zero);
                    self.b.select(w_zero, q, r)
                } else {
                    // A zero quotient takes the sign of vx / wx: vx's sign,
                    // flipped when wx < 0 (wx is neither zero nor NaN where
                    // the quotient is zero). No second division per element:
                    // `x // 1.5` paid two where Numba pays one.
                    let vx_zero = self.b.bin(BinaryOp::FCopySign, zero, vx);
                    let flipped = self.b.unary(UnaryOp::FNeg, vx_zero);
                    let signed_zero = self.b.select(w_neg, flipped, vx_zero);
                    self.b.select(div_nonzero, fl, signed_zero)
                }
            }
        }
    }

    /// `l ** r` in `res`; a negative integer exponent raises `ValueError(negative)`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn power(
        &mut self,
        l: ValueId,
        lt: Dtype,
        r: ValueId,
        rt: Dtype,
        res: Dtype,
        rhs: Option<ExprId>,
        negative: &str,
    ) -> ValueId {
        let exponent = rhs.and_then(|e| self.const_int(e));
        let base = self.cast_scalar(l, lt, res);
        if res.is_float() {
            if rhs.and_then(|e| self.const_float(e)) == Some(2.0) {
                return self.b.bin(BinaryOp::FMul, base, base);
            }
            let e = self.cast_scalar(r, rt, res);
            let exponent_nonneg = rhs
                .and_then(|x| self.const_float(x))
                .is_some_and(|c| c >= 0.0);
            if !self.opts.numpy_error_model && !exponent_nonneg {
                // CPython raises for a finite negative exponent (`0.0 ** -inf` is inf).
                let zero = self.b.float(ltype(res), 0.0);
                let minus_inf = self.b.float(ltype(res), f64::NEG_INFINITY);
                let zero_base = self.b.cmp(CmpOp::FEq, base, zero);
                let negative = self.b.cmp(CmpOp::FLt, e, zero);
                let finite = self.b.cmp(CmpOp::FGt, e, minus_inf);
                let negative = self.b.bin(BinaryOp::And, negative, finite);
                let raises = self.b.bin(BinaryOp::And, zero_base, negative);
                self.raise_if(
                    raises,
                    ExceptionKind::ZeroDivisionError,
                    "0.0 cannot be raised to a negative power",
                );
            }
            return self.b.emit(Inst::Math(Primitive::Pow, vec![base, e]));
        }
        if res.is_complex() {
            if !self.opts.numpy_error_model && !exponent.is_some_and(|k| k >= 0) {
                // CPython raises for a zero base unless the exponent's real
                // part is >= 0 and its imaginary part 0 (NumPy gives NaN).
                let e = self.cast_scalar(r, rt, res);
                let zero = self.zero(res);
                let part_zero = self.b.float(ltype(real_dtype(res)), 0.0);
                let base_zero = self.b.cmp(CmpOp::CEq, base, zero);
                let (u, v) = (self.b.emit(Inst::Real(e)), self.b.emit(Inst::Imag(e)));
                let negative = self.b.cmp(CmpOp::FLt, u, part_zero);
                let complex = self.b.cmp(CmpOp::FNe, v, part_zero);
                let refused = self.b.bin(BinaryOp::Or, negative, complex);
                let raises = self.b.bin(BinaryOp::And, base_zero, refused);
                self.raise_if(
                    raises,
                    ExceptionKind::ZeroDivisionError,
                    "0.0 to a negative or complex power",
                );
            }
            // CPython's, as float powers are; complex64 (no Python type) as
            // NumPy's scalars. A constant exponent's tests fold away.
            let e = self.cast_scalar(r, rt, res);
            let (base, e) = (library::Value(base.0), library::Value(e.0));
            let power = match res {
                Dtype::Complex128 => library::complex::python_power,
                _ => library::complex::power,
            };
            return ValueId(power(self, res, base, e).0);
        }
        let ty = ltype(res);
        let one = self.b.int(ty, 1);
        if let Some(k) = exponent.filter(|k| *k >= 0) {
            return self.pow_const(base, k as u64, BinaryOp::IMul, one);
        }
        let e = self.cast_scalar(r, rt, res);
        let zero = self.b.int(ty, 0);
        if res.is_signed_int() {
            let negative_message = negative;
            let negative = self.b.cmp(CmpOp::SLt, e, zero);
            self.raise_if(negative, ExceptionKind::ValueError, negative_message);
        }
        // Exponentiation by squaring.
        let acc = self.b.var(ty, "pow.acc");
        let bv = self.b.var(ty, "pow.base");
        let ev = self.b.var(ty, "pow.exp");
        self.b.set(acc, one);
        self.b.set(bv, base);
        self.b.set(ev, e);
        self.b.begin();
        let ecur = self.b.get(ev);
        let done = self.b.cmp(CmpOp::Eq, ecur, zero);
        self.b.stmt(Stmt::If {
            cond: done,
            then_body: vec![Stmt::Break],
            else_body: Vec::new(),
        });
        let low = self.b.bin(BinaryOp::And, ecur, one);
        let odd = self.b.cmp(CmpOp::Ne, low, zero);
        self.b.begin();
        let a = self.b.get(acc);
        let bb = self.b.get(bv);
        let m = self.b.bin(BinaryOp::IMul, a, bb);
        self.b.set(acc, m);
        let then_body = self.b.end();
        self.b.stmt(Stmt::If {
            cond: odd,
            then_body,
            else_body: Vec::new(),
        });
        let bb = self.b.get(bv);
        let sq = self.b.bin(BinaryOp::IMul, bb, bb);
        self.b.set(bv, sq);
        let next = self.b.bin(BinaryOp::LShr, ecur, one);
        self.b.set(ev, next);
        let body = self.b.end();
        self.b.stmt(Stmt::Loop { body });
        self.b.get(acc)
    }

    /// `c ** k` for a constant float `c` and an int64 `k` that takes at most
    /// `POWER_TABLE_LEN` values (`1.0001 ** (i % 13)`): C's `pow(c, k)`, as the
    /// run-time call computes it, for each of them, in a table that `k - lo`
    /// indexes: one load instead of a call to `pow`. (A chain of compares and
    /// selects, one per value, kept `float_powers` at 1.25x Numba's time.)
    fn power_of_constant(
        &mut self,
        op: BinOp,
        lhs: ExprId,
        k: ValueId,
        rhs: ExprId,
        res: Dtype,
    ) -> Option<ValueId> {
        let int_exponent = self.tf.expr_type(rhs).as_scalar() == Some(Dtype::Int64);
        if op != BinOp::Pow || res != Dtype::Float64 || !int_exponent {
            return None;
        }
        let c = self.const_float(lhs)?;
        let (lo, hi) = self.ranges.value_interval(rhs);
        // A zero base to a negative power raises: left to `power`'s check.
        // Past 2**53 the exponent as a float (what `pow` gets) is not exact.
        const EXACT: i64 = 1 << 53;
        let exact = -EXACT <= lo && hi <= EXACT;
        if hi.checked_sub(lo)? >= POWER_TABLE_LEN || (c == 0.0 && lo < 0) || !exact {
            return None;
        }
        let ty = ltype(res);
        // Rust's `powf` is the same C library `pow` the compiled call reaches.
        let values: Vec<f64> = (lo..=hi).map(|e| c.powf(e as f64)).collect();
        if lo == hi {
            return Some(self.b.float(ty, values[0]));
        }
        // `k` comes converted to the float the power takes (exactly: see above).
        let k = match self.tf.coerced_type(rhs).as_scalar()? {
            t if t.is_float() => self.b.cast(CastOp::FPToSI, k, LType::I64),
            t => self.cast_scalar(k, t, Dtype::Int64),
        };
        let table = self.b.emit(Inst::Table { ty, values });
        let first = self.b.i64c(lo);
        let index = self.b.bin(BinaryOp::ISub, k, first);
        let size = self.b.i64c(res.itemsize() as i64);
        let offset = self.b.bin(BinaryOp::IMul, index, size);
        let addr = self.b.emit(Inst::PtrOffset {
            addr: table,
            offset,
        });
        Some(self.b.emit(Inst::Load { ty, addr }))
    }

    /// `base ** k` for a constant `k`, by squaring at compile time.
    fn pow_const(&mut self, base: ValueId, mut k: u64, mul: BinaryOp, one: ValueId) -> ValueId {
        let mut acc: Option<ValueId> = None;
        let mut sq = base;
        while k > 0 {
            if k & 1 == 1 {
                acc = Some(match acc {
                    Some(a) => self.b.bin(mul, a, sq),
                    None => sq,
                });
            }
            k >>= 1;
            if k > 0 {
                sq = self.b.bin(mul, sq, sq);
            }
        }
        acc.unwrap_or(one)
    }

    fn shift(&mut self, op: BinOp, a: ValueId, b: ValueId, d: Dtype) -> ValueId {
        let ty = ltype(d);
        let zero = self.b.int(ty, 0);
        if d.is_signed_int() {
            let negative = self.b.cmp(CmpOp::SLt, b, zero);
            self.raise_if(negative, ExceptionKind::ValueError, "negative shift count");
        }
        // The machine shift is undefined from the bit width on: shifting that
        // far gives 0 (or the sign for an arithmetic right shift).
        let width = self.b.int(ty, bits(d));
        let too_far = self.b.cmp(CmpOp::UGe, b, width);
        match (op, d.is_signed_int()) {
            (BinOp::RShift, true) => {
                let max = self.b.int(ty, bits(d) - 1);
                let count = self.b.select(too_far, max, b);
                self.b.bin(BinaryOp::AShr, a, count)
            }
            _ => {
                let o = if op == BinOp::LShift {
                    BinaryOp::Shl
                } else {
                    BinaryOp::LShr
                };
                let s = self.b.bin(o, a, b);
                self.b.select(too_far, zero, s)
            }
        }
    }

    fn compare(&mut self, op: PyCmp, l: ValueId, lt: Dtype, r: ValueId, rt: Dtype) -> ValueId {
        let d = self.promote_dtype(lt, rt);
        let wide_int = |t: Dtype| t.is_int() && t.itemsize() == 8;
        if d == Dtype::Float64 && wide_int(lt) && rt.is_float() {
            let f = self.cast_scalar(r, rt, d);
            return self.compare_int_float(op, l, lt, f);
        }
        if d == Dtype::Float64 && lt.is_float() && wide_int(rt) {
            let f = self.cast_scalar(l, lt, d);
            return self.compare_int_float(mirrored(op), r, rt, f);
        }
        if lt == Dtype::UInt64 && rt.is_signed_int() {
            return self.compare_uint64_signed(op, l, r, rt);
        }
        if lt.is_signed_int() && rt == Dtype::UInt64 {
            return self.compare_uint64_signed(mirrored(op), r, l, lt);
        }
        let a = self.cast_scalar(l, lt, d);
        let b = self.cast_scalar(r, rt, d);
        let (signed, unsigned, float) = (
            [CmpOp::SLt, CmpOp::SLe, CmpOp::SGt, CmpOp::SGe],
            [CmpOp::ULt, CmpOp::ULe, CmpOp::UGt, CmpOp::UGe],
            [CmpOp::FLt, CmpOp::FLe, CmpOp::FGt, CmpOp::FGe],
        );
        let order = |ops: [CmpOp; 4]| match op {
            PyCmp::Lt => Some(ops[0]),
            PyCmp::LtE => Some(ops[1]),
            PyCmp::Gt => Some(ops[2]),
            PyCmp::GtE => Some(ops[3]),
            _ => None,
        };
        let cmp = match op {
            PyCmp::Eq if d.is_float() => Some(CmpOp::FEq),
            PyCmp::NotEq if d.is_float() => Some(CmpOp::FNe),
            PyCmp::Eq if d.is_complex() => Some(CmpOp::CEq),
            PyCmp::NotEq if d.is_complex() => Some(CmpOp::CNe),
            PyCmp::Eq => Some(CmpOp::Eq),
            PyCmp::NotEq => Some(CmpOp::Ne),
            _ if d.is_float() => order(float),
            _ if d.is_complex() => None,
            _ if d.is_signed_int() => order(signed),
            _ => order(unsigned),
        };
        match cmp {
            Some(c) => self.b.cmp(c, a, b),
            None => {
                self.bug("an ordering comparison of complex numbers");
                self.b.boolc(false)
            }
        }
    }

    /// `i op f` for a 64-bit integer and a float64, exact as in CPython (which
    /// compares the mathematical values): converting `i` to float64 rounds
    /// from 2**53 on, so `2**53 + 1 == 2.0**53` would be true.
    fn compare_int_float(&mut self, op: PyCmp, i: ValueId, it: Dtype, f: ValueId) -> ValueId {
        let signed = it.is_signed_int();
        // Rounding is monotonic and no float lies strictly between `i` and its
        // rounding, so where they differ the float comparison decides; where
        // they are equal `f` is an integer that can be compared as one.
        let fi = self.cast_scalar(i, it, Dtype::Float64);
        let by_float = self.compare(op, fi, Dtype::Float64, f, Dtype::Float64);
        let same = self.b.cmp(CmpOp::FEq, fi, f);
        // 2**63 (2**64 unsigned) is the one such integer `i` cannot reach.
        let limit = self
            .b
            .float(LType::F64, if signed { TWO_63 } else { 2.0 * TWO_63 });
        let beyond = self.b.cmp(CmpOp::FGe, f, limit);
        let zero = self.b.float(LType::F64, 0.0);
        let in_range = self.b.select(beyond, zero, f);
        let exact = self.b.cast(
            if signed {
                CastOp::FPToSI
            } else {
                CastOp::FPToUI
            },
            in_range,
            LType::I64,
        );
        let by_int = self.compare(op, i, it, exact, it);
        let i_below = matches!(op, PyCmp::Lt | PyCmp::LtE | PyCmp::NotEq);
        let below = self.b.boolc(i_below);
        let integral = self.b.select(beyond, below, by_int);
        self.b.select(same, integral, by_float)
    }

    /// `u op s` for a uint64 and a signed integer, exact as NumPy compares them
    /// (their common type, float64, would round both from 2**53 on).
    fn compare_uint64_signed(&mut self, op: PyCmp, u: ValueId, s: ValueId, st: Dtype) -> ValueId {
        let s = self.cast_scalar(s, st, Dtype::Int64);
        let zero = self.b.i64c(0);
        let negative = self.b.cmp(CmpOp::SLt, s, zero);
        // A non-negative int64 has the same bits as that uint64.
        let by_bits = self.compare(op, u, Dtype::UInt64, s, Dtype::UInt64);
        let u_above = matches!(op, PyCmp::Gt | PyCmp::GtE | PyCmp::NotEq);
        let above = self.b.boolc(u_above);
        self.b.select(negative, above, by_bits)
    }

    /// `a < b <= c`: each operand evaluated once, stopping at the first false comparison.
    fn compare_chain(&mut self, left: ExprId, comparisons: &[(PyCmp, ExprId)]) -> ValueId {
        let (mut cur, mut cur_t) = self.scalar_expr(left);
        if let [(op, rhs)] = comparisons {
            let (r, rt) = self.scalar_expr(*rhs);
            return self.compare(*op, cur, cur_t, r, rt);
        }
        // Straight-line when the operands Python may skip can run anyway
        // (`speculable`): `lo <= v < hi` is two comparisons and an `and`.
        if comparisons
            .iter()
            .skip(1)
            .all(|(_, rhs)| self.speculable(*rhs))
        {
            let mut all = None;
            for (op, rhs) in comparisons {
                let (r, rt) = self.scalar_expr(*rhs);
                let c = self.compare(*op, cur, cur_t, r, rt);
                all = Some(match all {
                    Some(so_far) => self.b.bin(BinaryOp::And, so_far, c),
                    None => c,
                });
                (cur, cur_t) = (r, rt);
            }
            if let Some(all) = all {
                return all;
            }
        }
        let result = self.b.var(LType::I1, "cmp");
        let mut open = Vec::new();
        for (k, (op, rhs)) in comparisons.iter().enumerate() {
            let (r, rt) = self.scalar_expr(*rhs);
            let c = self.compare(*op, cur, cur_t, r, rt);
            self.b.set(result, c);
            if k + 1 < comparisons.len() {
                open.push(c);
                self.b.begin();
            }
            (cur, cur_t) = (r, rt);
        }
        for cond in open.into_iter().rev() {
            let then_body = self.b.end();
            self.b.stmt(Stmt::If {
                cond,
                then_body,
                else_body: Vec::new(),
            });
        }
        self.b.get(result)
    }

    /// `a and b` / `a or b` with Python's value semantics: branches, or, when
    /// every operand after the first may be evaluated regardless
    /// (`speculable`), selects.
    fn bool_op(&mut self, op: BoolOp, values: &[ExprId], ty: &Type) -> Val {
        let d = ty.as_scalar().unwrap_or(Dtype::Bool);
        if values.iter().skip(1).all(|e| self.speculable(*e)) {
            let operands: Vec<(ValueId, ValueId)> = values
                .iter()
                .map(|e| {
                    let (v, vt) = self.scalar_expr(*e);
                    (
                        self.cast_scalar(v, vt, d),
                        self.cast_scalar(v, vt, Dtype::Bool),
                    )
                })
                .collect();
            // From the last operand back: `a or r` is `a if a else r`.
            let Some(((last, _), rest)) = operands.split_last() else {
                return self.bad_call("an empty `and`/`or`");
            };
            let mut result = *last;
            for &(value, truth) in rest.iter().rev() {
                result = match op {
                    BoolOp::And => self.b.select(truth, result, value),
                    BoolOp::Or => self.b.select(truth, value, result),
                };
            }
            return Val::Scalar(result);
        }
        let result = self.b.var(ltype(d), "boolop");
        let mut open = Vec::new();
        for (k, e) in values.iter().enumerate() {
            let (v, vt) = self.scalar_expr(*e);
            let as_result = self.cast_scalar(v, vt, d);
            self.b.set(result, as_result);
            if k + 1 < values.len() {
                let t = self.cast_scalar(v, vt, Dtype::Bool);
                let go_on = match op {
                    BoolOp::And => t,
                    BoolOp::Or => self.b.unary(UnaryOp::Not, t),
                };
                open.push(go_on);
                self.b.begin();
            }
        }
        for cond in open.into_iter().rev() {
            let then_body = self.b.end();
            self.b.stmt(Stmt::If {
                cond,
                then_body,
                else_body: Vec::new(),
            });
        }
        Val::Scalar(self.b.get(result))
    }

    fn attribute(&mut self, value: ExprId, attr: &str, ty: &Type) -> Val {
        let vt = self.tf.coerced_type(value).clone();
        let v = self.expr(value);
        match (v, &vt) {
            (Val::Array(a), Type::Array(at)) => match attr {
                "shape" => Val::Tuple(a.extents.iter().map(|e| Val::Scalar(*e)).collect()),
                "size" => Val::Scalar(self.product(&a.extents)),
                "ndim" => Val::Scalar(self.b.i64c(at.ndim as i64)),
                _ => self.view_attribute(&a, at, attr),
            },
            (Val::Scalar(v), Type::Scalar(d)) => {
                let out = ty.as_scalar().unwrap_or(*d);
                let part = match (attr, d.is_complex()) {
                    ("real", true) => self.b.emit(Inst::Real(v)),
                    ("imag", true) => self.b.emit(Inst::Imag(v)),
                    ("imag", false) => return Val::Scalar(self.zero(out)),
                    _ => v,
                };
                let from = if d.is_complex() { real_dtype(*d) } else { *d };
                Val::Scalar(self.cast_scalar(part, from, out))
            }
            _ => Val::Unit,
        }
    }

    fn subscript(&mut self, value: ExprId, indices: &[ExprId]) -> Val {
        match self.tf.coerced_type(value) {
            Type::Tuple(items) => {
                let n = items.len() as i64;
                let v = self.expr(value);
                let k = indices.first().and_then(|i| self.const_int(*i)).map(|k| {
                    if k < 0 {
                        k + n
                    } else {
                        k
                    }
                });
                match (v, k, indices) {
                    (Val::Tuple(vals), Some(k), _) if (0..n).contains(&k) => {
                        vals[k as usize].clone()
                    }
                    (Val::Tuple(vals), None, [index]) => self.tuple_item_at(vals, *index),
                    _ => {
                        self.bug(
                            "a tuple index that is neither an in-range constant nor an integer",
                        );
                        Val::Unit
                    }
                }
            }
            Type::Array(_) if self.advanced(value, indices).is_some() => {
                match self.advanced(value, indices) {
                    Some(adv) => self.advanced_read(value, indices, adv),
                    None => Val::Unit,
                }
            }
            Type::Array(_) if self.selects_view(value, indices) => {
                match self.view(value, indices) {
                    Some((view, _)) => Val::Array(view),
                    None => Val::Unit,
                }
            }
            _ => match self.element_address(value, indices) {
                Some((addr, dtype)) => Val::Scalar(self.load_elem(addr, dtype)),
                None => Val::Unit,
            },
        }
    }

    /// `t[i]` for a run-time `i` (typeinfer allows it only when every item has
    /// one type): wraps and checks `i` like CPython, then picks the item with
    /// a chain of selects, which LLVM folds when `i` becomes known.
    fn tuple_item_at(&mut self, mut vals: Vec<Val>, index: ExprId) -> Val {
        let len = vals.len() as i64;
        let Some(last) = vals.pop() else {
            self.bug("an item of an empty tuple");
            return Val::Unit;
        };
        let mut i = self.int64(index);
        if self.opts.wraparound || self.opts.boundscheck {
            let n = self.b.i64c(len);
            if self.opts.boundscheck && self.tf.expr_type(index).as_scalar() == Some(Dtype::UInt64)
            {
                // CPython's conversion to Py_ssize_t: 2**63 and above do not fit.
                let zero = self.b.i64c(0);
                let too_big = self.b.cmp(CmpOp::SLt, i, zero);
                self.raise_if(
                    too_big,
                    ExceptionKind::IndexError,
                    "cannot fit 'numpy.uint64' into an index-sized integer",
                );
            }
            if self.opts.wraparound && !unsigned_index(self.tf, index) {
                let zero = self.b.i64c(0);
                let negative = self.b.cmp(CmpOp::SLt, i, zero);
                let from_end = self.b.bin(BinaryOp::IAdd, i, n);
                i = self.b.select(negative, from_end, i);
            }
            if self.opts.boundscheck {
                // Unsigned, so that an index still negative counts as out of range.
                let out = self.b.cmp(CmpOp::UGe, i, n);
                self.raise_if(out, ExceptionKind::IndexError, "tuple index out of range");
            }
        }
        vals.into_iter()
            .enumerate()
            .rev()
            .fold(last, |rest, (k, item)| {
                let k = self.b.i64c(k as i64);
                let hit = self.b.cmp(CmpOp::Eq, i, k);
                self.select_val(hit, item, rest)
            })
    }

    /// `cond ? a : b` for values of one type, part by part.
    fn select_val(&mut self, cond: ValueId, a: Val, b: Val) -> Val {
        match (a, b) {
            (Val::Scalar(x), Val::Scalar(y)) => Val::Scalar(self.b.select(cond, x, y)),
            (Val::Array(x), Val::Array(y)) => Val::Array(ArrayVal {
                owner: self.b.select(cond, x.owner, y.owner),
                data: self.b.select(cond, x.data, y.data),
                extents: self.select_all(cond, &x.extents, &y.extents),
                strides: self.select_all(cond, &x.strides, &y.strides),
            }),
            (Val::Tuple(xs), Val::Tuple(ys)) => Val::Tuple(
                xs.into_iter()
                    .zip(ys)
                    .map(|(x, y)| self.select_val(cond, x, y))
                    .collect(),
            ),
            (a, _) => a,
        }
    }

    pub(crate) fn select_all(
        &mut self,
        cond: ValueId,
        xs: &[ValueId],
        ys: &[ValueId],
    ) -> Vec<ValueId> {
        xs.iter()
            .zip(ys)
            .map(|(x, y)| self.b.select(cond, *x, *y))
            .collect()
    }

    fn call(
        &mut self,
        e: ExprId,
        callee: &Callee,
        args: &[ExprId],
        kwargs: &[Keyword],
        ty: &Type,
    ) -> Val {
        match callee {
            Callee::Known(f) => self.known_call(*f, args, kwargs, ty),
            Callee::Jit(_) => self.jit_call(e, args, kwargs),
            Callee::Method { receiver, name }
                if ViewFn::METHODS.iter().any(|v| v.name() == name) =>
            {
                match ViewFn::METHODS.into_iter().find(|v| v.name() == name) {
                    Some(op) => self.view_call(op, *receiver, args, ty),
                    None => Val::Unit,
                }
            }
            Callee::Method { receiver, name } if sorting_method(name).is_some() => {
                match sorting_method(name) {
                    Some(f) => self.sorting_call(f, Some(*receiver), args, kwargs, ty),
                    None => self.bad_call("a sorting method"),
                }
            }
            Callee::Method { receiver, name } if name == "copy" => {
                let at = self.tf.coerced_type(*receiver).as_array().copied();
                match (self.expr(*receiver), at) {
                    (Val::Array(src), Some(at)) => Val::Array(self.copy_array(&src, &at)),
                    _ => {
                        self.bug("copy() of a value that is not an array");
                        Val::Unit
                    }
                }
            }
            Callee::Method { receiver, name } if library::reduction_method(name).is_some() => {
                match library::reduction_method(name) {
                    Some(r) => self.reduce_call(r, *receiver, args, kwargs, ty),
                    None => self.bad_call("a reduction method"),
                }
            }
            Callee::Method { receiver, name } if name == "astype" => {
                self.astype(*receiver, args, kwargs, ty)
            }
            Callee::Method { .. } => {
                self.bug("a method call typeinfer accepted but lower does not know");
                Val::Unit
            }
        }
    }

    /// Evaluates the arguments in source order (positional, then keyword),
    /// then passes them in parameter order, defaults filled in.
    fn jit_call(&mut self, e: ExprId, args: &[ExprId], kwargs: &[Keyword]) -> Val {
        let Some(call) = self.tf.calls.get(&e).cloned() else {
            self.bug("a call to a @jit function without a specialization");
            return Val::Unit;
        };
        let program = self.program;
        let target = &program.functions[call.spec.0 as usize];
        let written = args.iter().copied().chain(kwargs.iter().map(|k| k.value));
        let values: Vec<(ExprId, Val)> = written.map(|a| (a, self.expr(a))).collect();
        let mut flat = Vec::new();
        for (bound, to) in call.args.iter().zip(&target.arg_types) {
            let v = match bound {
                CallArg::Expr(a) => {
                    let v = values.iter().find(|(x, _)| x == a).map(|(_, v)| v.clone());
                    let from = self.tf.coerced_type(*a).clone();
                    self.convert(v.unwrap_or(Val::Unit), &from, to)
                }
                CallArg::Default(c) => self.constant(c, to),
            };
            v.flatten(&mut flat);
        }
        let slot = Slot::new(
            &mut self.b,
            &target.return_type,
            &format!("{}.ret", target.hir.name),
        );
        let mut results = Vec::new();
        slot.flatten(&mut results);
        let mut owner_vars = Vec::new();
        slot.owner_vars(&mut owner_vars);
        for &var in &owner_vars {
            // Null unless a loop inside the statement runs this call again.
            let previous = self.b.get(var);
            self.b.stmt(Stmt::Release(previous));
        }
        let span = self.b.span;
        self.b.stmt(Stmt::Call {
            callee: FuncIndex(call.spec.0),
            args: flat,
            results,
            span,
        });
        // Each returned array comes with a reference the statement holds.
        slot.read_for_statement(&mut self.b)
    }

    fn known_call(
        &mut self,
        f: KnownFunction,
        args: &[ExprId],
        kwargs: &[Keyword],
        ty: &Type,
    ) -> Val {
        let d = ty.as_scalar().unwrap_or(Dtype::Float64);
        let v =
            match f {
                KnownFunction::Len => match args.first().map(|a| self.expr(*a)) {
                    Some(Val::Array(a)) => a.extents[0],
                    Some(Val::Tuple(items)) => self.b.i64c(items.len() as i64),
                    _ => {
                        self.bug("len() of a value without a length");
                        self.b.i64c(0)
                    }
                },
                KnownFunction::Abs => {
                    let Some(arg) = args.first() else {
                        return self.bad_call("abs");
                    };
                    let (x, xd) = self.scalar_expr(*arg);
                    if xd.is_complex() {
                        let a = self.b.unary(UnaryOp::CAbs, x);
                        self.cast_scalar(a, real_dtype(xd), d)
                    } else {
                        let x = self.cast_scalar(x, xd, d);
                        if d.is_float() {
                            self.b.emit(Inst::Math(Primitive::Fabs, vec![x]))
                        } else if d.is_signed_int() {
                            let zero = self.b.int(ltype(d), 0);
                            let negative = self.b.cmp(CmpOp::SLt, x, zero);
                            let neg = self.b.unary(UnaryOp::INeg, x);
                            self.b.select(negative, neg, x)
                        } else {
                            x
                        }
                    }
                }
                KnownFunction::Min | KnownFunction::Max
                    if args.len() == 1 && self.tf.expr_type(args[0]).as_array().is_some() =>
                {
                    let name = if f == KnownFunction::Min {
                        "min"
                    } else {
                        "max"
                    };
                    match library::builtin_reduction(name) {
                        Some(r) => return self.reduce_call(r, args[0], &[], &[], ty),
                        None => return self.bad_call(name),
                    }
                }
                KnownFunction::Min | KnownFunction::Max => {
                    self.min_max(f == KnownFunction::Min, args, d)
                }
                KnownFunction::Reduce(r) => match args.split_first() {
                    Some((a, extra)) => return self.reduce_call(r, *a, extra, kwargs, ty),
                    None => return self.bad_call("a reduction without its array"),
                },
                KnownFunction::Int
                | KnownFunction::Float
                | KnownFunction::Bool
                | KnownFunction::Complex
                | KnownFunction::Scalar(_) => match args {
                    [] => self.zero(d),
                    [re, im] if d.is_complex() => {
                        let part = real_dtype(d);
                        let (r, rt) = self.scalar_expr(*re);
                        let (i, it) = self.scalar_expr(*im);
                        let re = self.cast_scalar(r, rt, part);
                        let im = self.cast_scalar(i, it, part);
                        self.b.emit(Inst::MakeComplex { re, im })
                    }
                    [x, ..] => {
                        let (v, vd) = self.scalar_expr(*x);
                        self.cast_scalar(v, vd, d)
                    }
                },
                KnownFunction::Round => match args {
                    [x] => {
                        let (v, vd) = self.scalar_expr(*x);
                        if vd.is_float() {
                            let r = self.round_half_even(v, vd);
                            self.cast_scalar(r, vd, d)
                        } else {
                            self.cast_scalar(v, vd, d)
                        }
                    }
                    [x, n] => {
                        let (v, vd) = self.scalar_expr(*x);
                        let n = self.int64(*n);
                        self.round_digits(v, vd, n)
                    }
                    _ => return self.bad_call("round"),
                },
                KnownFunction::Library(f) => self.library_call(f, args, d),
                KnownFunction::Alloc(a) => return self.alloc(a, args, kwargs, ty),
                KnownFunction::Create(c) => return self.create(c, args, kwargs, ty),
                KnownFunction::Linalg(f) => return self.linalg_call(f, args, kwargs, ty),
                KnownFunction::Sorting(f) => return self.sorting_call(f, None, args, kwargs, ty),
                KnownFunction::Joining(f) => return self.joining_call(f, args, kwargs, ty),
                KnownFunction::Nonzero(f) => return self.nonzero_call(f, args),
                KnownFunction::View(op) => match args.split_first() {
                    Some((array, rest)) => return self.view_call(op, *array, rest, ty),
                    None => return self.bad_call("a view function without its array"),
                },
                KnownFunction::Range
                | KnownFunction::Prange
                | KnownFunction::Enumerate
                | KnownFunction::Zip
                | KnownFunction::Exception(_) => return self.bad_call(
                    "range(), prange(), enumerate(), zip() or an exception outside its statement",
                ),
                // The frontend made every valid call of one the operator's node.
                KnownFunction::Operator(_) => {
                    return self.bad_call("an operator's ufunc of the wrong number of arguments")
                }
            };
        Val::Scalar(v)
    }

    fn bad_call(&mut self, what: &str) -> Val {
        self.bug(&format!(
            "a call of {what} that typeinfer should have rejected"
        ));
        Val::Unit
    }

    fn min_max(&mut self, is_min: bool, args: &[ExprId], d: Dtype) -> ValueId {
        let mut items: Vec<(ValueId, Dtype)> = Vec::new();
        for a in args {
            let v = self.expr(*a);
            match (v, self.tf.coerced_type(*a).clone()) {
                (Val::Scalar(v), Type::Scalar(t)) => items.push((v, t)),
                (Val::Tuple(vals), Type::Tuple(tys)) => {
                    for (v, t) in vals.into_iter().zip(tys) {
                        if let (Val::Scalar(v), Type::Scalar(t)) = (v, t) {
                            items.push((v, t));
                        }
                    }
                }
                _ => {}
            }
        }
        let op = match (is_min, d) {
            (true, Dtype::Bool) => BinaryOp::And,
            (false, Dtype::Bool) => BinaryOp::Or,
            (true, _) if d.is_float() => BinaryOp::FMin,
            (false, _) if d.is_float() => BinaryOp::FMax,
            (true, _) if d.is_signed_int() => BinaryOp::SMin,
            (false, _) if d.is_signed_int() => BinaryOp::SMax,
            (true, _) => BinaryOp::UMin,
            (false, _) => BinaryOp::UMax,
        };
        let mut acc = None;
        for (v, t) in items {
            let v = self.cast_scalar(v, t, d);
            acc = Some(match acc {
                Some(a) => self.b.bin(op, a, v),
                None => v,
            });
        }
        acc.unwrap_or_else(|| {
            self.bug("min() or max() of nothing");
            self.zero(d)
        })
    }

    /// Rounds half to even, from `floor` (the float result; NaN and inf pass through).
    fn round_half_even(&mut self, x: ValueId, d: Dtype) -> ValueId {
        let ty = ltype(d);
        let half = self.b.float(ty, 0.5);
        let one = self.b.float(ty, 1.0);
        let two = self.b.float(ty, 2.0);
        let fl = self.b.emit(Inst::Math(Primitive::Floor, vec![x]));
        let diff = self.b.bin(BinaryOp::FSub, x, fl);
        let up = self.b.bin(BinaryOp::FAdd, fl, one);
        let halved = self.b.bin(BinaryOp::FMul, fl, half);
        let halved_floor = self.b.emit(Inst::Math(Primitive::Floor, vec![halved]));
        let twice = self.b.bin(BinaryOp::FMul, halved_floor, two);
        let even = self.b.cmp(CmpOp::FEq, twice, fl);
        let tie = self.b.select(even, fl, up);
        let below = self.b.cmp(CmpOp::FLt, diff, half);
        let above = self.b.cmp(CmpOp::FGt, diff, half);
        let not_above = self.b.select(below, fl, tie);
        self.b.select(above, up, not_above)
    }

    /// `round(x, n)` as CPython rounds floats and ints (NumPy's float32 too,
    /// through float64, which holds it exactly).
    fn round_digits(&mut self, x: ValueId, xd: Dtype, digits: ValueId) -> ValueId {
        let wide = if xd.is_float() {
            Dtype::Float64
        } else {
            Dtype::Int64
        };
        let value = self.cast_scalar(x, xd, wide);
        let r = self.b.emit(Inst::RoundDecimal { value, digits });
        if xd.is_float() {
            let inf = self.b.float(LType::F64, f64::INFINITY);
            let r_abs = self.b.emit(Inst::Math(Primitive::Fabs, vec![r]));
            let x_abs = self.b.emit(Inst::Math(Primitive::Fabs, vec![value]));
            let r_inf = self.b.cmp(CmpOp::FEq, r_abs, inf);
            let x_finite = self.b.cmp(CmpOp::FLt, x_abs, inf);
            let overflow = self.b.bin(BinaryOp::And, r_inf, x_finite);
            self.raise_if(
                overflow,
                ExceptionKind::OverflowError,
                "rounded value too large to represent",
            );
        }
        self.cast_scalar(r, wide, xd)
    }

    fn alloc(&mut self, f: AllocFn, args: &[ExprId], kwargs: &[Keyword], ty: &Type) -> Val {
        let Some(at) = ty.as_array().copied() else {
            return self.bad_call(f.name());
        };
        let kwarg = |name: &str| kwargs.iter().find(|k| k.name == name).map(|k| k.value);
        let like = matches!(
            f,
            AllocFn::EmptyLike | AllocFn::ZerosLike | AllocFn::OnesLike
        );
        let first = args
            .first()
            .copied()
            .or_else(|| kwarg(if like { "prototype" } else { "shape" }));
        let Some(first) = first else {
            return self.bad_call(f.name());
        };
        let mut like_src = None;
        let (extents, maybe_negative) = if like {
            let sat = self.tf.coerced_type(first).as_array().copied();
            match (self.expr(first), sat) {
                (Val::Array(src), Some(sat)) => {
                    let n = src.extents.len();
                    let extents = src.extents.clone();
                    like_src = Some((src, sat));
                    (extents, vec![false; n])
                }
                _ => return self.bad_call(f.name()),
            }
        } else {
            self.shape_extents(first)
        };
        if extents.len() != at.ndim as usize {
            return self.bad_call(f.name());
        }
        let fill = match f {
            AllocFn::Ones | AllocFn::OnesLike => Some(self.one(at.dtype)),
            AllocFn::Full => {
                let Some(e) = args.get(1).copied().or_else(|| kwarg("fill_value")) else {
                    return self.bad_call("full");
                };
                let (v, vd) = self.scalar_expr(e);
                Some(self.cast_scalar(v, vd, at.dtype))
            }
            _ => None,
        };
        // Checked here, after every argument was evaluated, and not in
        // `alloc_array`: the size of a copy cannot overflow, since its source
        // array exists.
        self.check_shape(&extents, &maybe_negative, at.dtype.itemsize());
        let zeroed = matches!(f, AllocFn::Zeros | AllocFn::ZerosLike);
        let (arr, total) = match like_src {
            Some((src, sat)) => self.alloc_like(&src, &sat, &at, zeroed),
            None => self.alloc_array(&at, extents, zeroed),
        };
        if let Some(v) = fill {
            self.fill(&arr, total, at.dtype, v);
        }
        Val::Array(arr)
    }

    /// The extents given by a shape argument (an int or a tuple of ints), each
    /// with whether it may be negative (what `check_shape` must test).
    fn shape_extents(&mut self, shape: ExprId) -> (Vec<ValueId>, Vec<bool>) {
        let hir = &self.tf.hir;
        let item_exprs: Vec<Option<ExprId>> =
            match (&hir.expr(shape).kind, self.tf.coerced_type(shape)) {
                (ExprKind::Tuple(items), _) => items.iter().map(|i| Some(*i)).collect(),
                (_, Type::Scalar(_)) => vec![Some(shape)],
                (ExprKind::Attribute { attr, .. }, Type::Tuple(items)) if attr == "shape" => {
                    vec![None; items.len()]
                }
                (_, Type::Tuple(items)) => vec![Some(shape); items.len()],
                _ => Vec::new(),
            };
        let v = self.expr(shape);
        let (vals, types): (Vec<Val>, Vec<Type>) = match (v, self.tf.coerced_type(shape).clone()) {
            (Val::Tuple(vals), Type::Tuple(tys)) => (vals, tys),
            (v, t) => (vec![v], vec![t]),
        };
        let mut extents = Vec::new();
        let mut maybe_negative = Vec::new();
        for ((v, t), item) in vals.into_iter().zip(types).zip(item_exprs) {
            let d = t.as_scalar().unwrap_or(Dtype::Int64);
            let v = self.scalar_of(v);
            let v = self.cast_scalar(v, d, Dtype::Int64);
            // `item == shape` for a tuple-valued shape: nothing is known per element.
            let known = match item {
                None => true,
                Some(e) if e == shape && matches!(self.tf.coerced_type(shape), Type::Tuple(_)) => {
                    false
                }
                // Non-negative as computed: the exact value must also fit in
                // int64 (`v + v` with `v` near 2**62 wraps to a negative extent).
                Some(e) => {
                    ranges::never_negative(d)
                        || self
                            .ranges
                            .exact(e)
                            .filter(|x| self.ranges.fits(x))
                            .is_some_and(|x| self.ranges.nonneg(&x))
                }
            };
            extents.push(v);
            maybe_negative.push(!known);
        }
        (extents, maybe_negative)
    }

    pub(crate) fn one(&mut self, d: Dtype) -> ValueId {
        let ty = ltype(d);
        match d {
            Dtype::Bool => self.b.boolc(true),
            _ if d.is_float() => self.b.float(ty, 1.0),
            _ if d.is_complex() => self.b.emit(Inst::Const(Const::Complex(ty, 1.0, 0.0))),
            _ => self.b.int(ty, 1),
        }
    }
}

/// The integer value of a constant expression (`3`, `-1`, a module constant).
pub(crate) fn const_int(f: &frontend::hir::Function, e: ExprId) -> Option<i64> {
    match &f.expr(e).kind {
        ExprKind::Const(Constant::Bool(b))
        | ExprKind::Global {
            value: Constant::Bool(b),
            ..
        } => Some(*b as i64),
        _ => f.constant_int(e),
    }
}
