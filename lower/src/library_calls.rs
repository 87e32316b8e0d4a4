//! Calls of library functions (`library::Function`): lower's side of the
//! registry. The arguments arrive converted to the typing rule's parameter
//! types (typeinfer's coercions); the function's own lowering emits the rest
//! through [`library::Emit`], implemented here on the low IR builder.

use frontend::hir::{Dtype, ExprId, LibFn};
use library::{Arith, Emit, Order, Signature, Value};

use crate::builder::ltype;
use crate::func::FnLower;
use crate::ir::{BinaryOp, CmpOp, Const, Inst, Primitive, UnaryOp, ValueId};

impl FnLower<'_> {
    pub(crate) fn library_call(&mut self, f: LibFn, args: &[ExprId], result: Dtype) -> ValueId {
        let mut params = Vec::new();
        let mut values = Vec::new();
        for a in args {
            let (v, d) = self.scalar_expr(*a);
            params.push(d);
            values.push(Value(v.0));
        }
        let sig = Signature { params, result };
        let r = f.function().lower(self, &sig, &values);
        ValueId(r.0)
    }
}

fn id(v: Value) -> ValueId {
    ValueId(v.0)
}

impl Emit for FnLower<'_> {
    fn constant(&mut self, dtype: Dtype, value: f64) -> Value {
        let ty = ltype(dtype);
        let v = if dtype.is_float() {
            self.b.float(ty, value)
        } else if dtype.is_complex() {
            self.b.emit(Inst::Const(Const::Complex(ty, value, 0.0)))
        } else if dtype == Dtype::Bool {
            self.b.boolc(value != 0.0)
        } else {
            self.b.int(ty, value as i64)
        };
        Value(v.0)
    }

    fn cast(&mut self, value: Value, from: Dtype, to: Dtype) -> Value {
        Value(self.cast_scalar(id(value), from, to).0)
    }

    fn primitive(&mut self, op: Primitive, _dtype: Dtype, args: &[Value]) -> Value {
        Value(
            self.b
                .emit(Inst::Math(op, args.iter().map(|a| id(*a)).collect()))
                .0,
        )
    }

    fn arith(&mut self, op: Arith, dtype: Dtype, a: Value, b: Value) -> Value {
        let op = match (op, dtype.is_float()) {
            (Arith::Add, _) if dtype.is_complex() => BinaryOp::CAdd,
            (Arith::Sub, _) if dtype.is_complex() => BinaryOp::CSub,
            (Arith::Mul, _) if dtype.is_complex() => BinaryOp::CMul,
            (Arith::Div, _) if dtype.is_complex() => BinaryOp::CDiv,
            (Arith::Add, true) => BinaryOp::FAdd,
            (Arith::Sub, true) => BinaryOp::FSub,
            (Arith::Mul, true) => BinaryOp::FMul,
            (Arith::Div, _) => BinaryOp::FDiv,
            (Arith::Add, false) => BinaryOp::IAdd,
            (Arith::Sub, false) => BinaryOp::ISub,
            (Arith::Mul, false) => BinaryOp::IMul,
        };
        Value(self.b.bin(op, id(a), id(b)).0)
    }

    fn magnitude(&mut self, a: Value) -> Value {
        Value(self.b.unary(UnaryOp::CAbs, id(a)).0)
    }

    fn negate(&mut self, dtype: Dtype, a: Value) -> Value {
        Value(self.negate_value(id(a), dtype).0)
    }

    fn compare(&mut self, op: Order, dtype: Dtype, a: Value, b: Value) -> Value {
        let signed = dtype.is_signed_int();
        if dtype.is_complex() {
            let op = match op {
                Order::Eq => CmpOp::CEq,
                _ => CmpOp::CNe,
            };
            return Value(self.b.cmp(op, id(a), id(b)).0);
        }
        let op = match (op, dtype.is_float()) {
            (Order::Eq, true) => CmpOp::FEq,
            (Order::Ne, true) => CmpOp::FNe,
            (Order::Lt, true) => CmpOp::FLt,
            (Order::Le, true) => CmpOp::FLe,
            (Order::Gt, true) => CmpOp::FGt,
            (Order::Ge, true) => CmpOp::FGe,
            (Order::Eq, false) => CmpOp::Eq,
            (Order::Ne, false) => CmpOp::Ne,
            (Order::Lt, false) if signed => CmpOp::SLt,
            (Order::Le, false) if signed => CmpOp::SLe,
            (Order::Gt, false) if signed => CmpOp::SGt,
            (Order::Ge, false) if signed => CmpOp::SGe,
            (Order::Lt, false) => CmpOp::ULt,
            (Order::Le, false) => CmpOp::ULe,
            (Order::Gt, false) => CmpOp::UGt,
            (Order::Ge, false) => CmpOp::UGe,
        };
        Value(self.b.cmp(op, id(a), id(b)).0)
    }

    fn select(&mut self, cond: Value, if_true: Value, if_false: Value) -> Value {
        Value(self.b.select(id(cond), id(if_true), id(if_false)).0)
    }

    fn parts(&mut self, z: Value) -> (Value, Value) {
        let re = self.b.emit(crate::ir::Inst::Real(id(z)));
        let im = self.b.emit(crate::ir::Inst::Imag(id(z)));
        (Value(re.0), Value(im.0))
    }

    fn complex_call(&mut self, f: library::ComplexFn, _: Dtype, args: &[Value]) -> Value {
        let args = args.iter().map(|a| id(*a)).collect();
        Value(self.b.emit(Inst::ComplexCall(f, args)).0)
    }

    fn complex(&mut self, _: Dtype, re: Value, im: Value) -> Value {
        let z = self.b.emit(crate::ir::Inst::MakeComplex {
            re: id(re),
            im: id(im),
        });
        Value(z.0)
    }
}
