//! Whole-array reductions (`library::Reduction`): one pass over the elements
//! of an array or an array expression, in C order, combining them in an
//! accumulator as the registry entry says; the expression is never stored.

use frontend::hir::{Dtype, ExceptionKind, ExprId};
use library::{Combine, Emit, Order, Primitive, ReduceFn, Value};

use crate::builder::ltype;
use crate::func::FnLower;
use crate::ir::{BinaryOp, CastOp, CmpOp, LType, ValueId};

fn id(v: Value) -> ValueId {
    ValueId(v.0)
}

fn value(v: ValueId) -> Value {
    Value(v.0)
}

impl FnLower<'_> {
    /// `r` of `src` (an array or an array expression), a number of dtype `result`.
    pub(crate) fn reduce(&mut self, r: ReduceFn, src: ExprId, result: Dtype) -> ValueId {
        let Some(elem) = self.tf.expr_type(src).as_array().map(|a| a.dtype) else {
            self.bug("a reduction of something that is not an array");
            return self.zero(result);
        };
        let reduction = r.reduction();
        let Ok(sig) = (reduction.typing)(elem) else {
            self.bug("a reduction typeinfer should have refused");
            return self.zero(result);
        };
        // The elements as the consumer reads them (an array's own dtype, or
        // the expression's).
        let elements = self.elements_of(src);
        let count = self.product(&elements.extents.clone());
        let zero = self.b.i64c(0);
        let empty = self.b.cmp(CmpOp::Eq, count, zero);
        let acc_ty = ltype(sig.acc);
        let acc = self.b.var(acc_ty, "reduce.acc");
        let r_value = match reduction.combine {
            Combine::Fold {
                identity,
                step,
                mean,
            } => {
                let init = id(Emit::constant(self, sig.acc, identity));
                self.b.set(acc, init);
                self.for_each_element(&elements, &mut |this, _, x| {
                    let x = this.cast_scalar(x, elem, sig.acc);
                    let a = this.b.get(acc);
                    let next = step(this, sig.acc, value(a), value(x));
                    this.b.set(acc, id(next));
                });
                let total = self.b.get(acc);
                if mean {
                    self.divide_by_count(total, count, sig.acc)
                } else {
                    total
                }
            }
            Combine::FromFirst { step, numpy_name } => {
                let message = if reduction.name.starts_with("builtin ") {
                    // CPython 3.9 to 3.11's words (3.12 says "iterable argument is empty").
                    format!("{numpy_name}() arg is an empty sequence")
                } else {
                    format!(
                        "zero-size array to reduction operation {numpy_name} which has no identity"
                    )
                };
                self.raise_if(empty, ExceptionKind::ValueError, &message);
                let first = self.first_element(&elements);
                let first = self.cast_scalar(first, elem, sig.acc);
                self.b.set(acc, first);
                self.for_each_element(&elements, &mut |this, _, x| {
                    let x = this.cast_scalar(x, elem, sig.acc);
                    let a = this.b.get(acc);
                    let next = step(this, sig.acc, value(a), value(x));
                    this.b.set(acc, id(next));
                });
                self.b.get(acc)
            }
            Combine::Arg { order } => {
                let name = reduction.name;
                self.raise_if(
                    empty,
                    ExceptionKind::ValueError,
                    &format!("attempt to get {name} of an empty sequence"),
                );
                let first = self.first_element(&elements);
                self.b.set(acc, first);
                let best = self.b.var(LType::I64, "reduce.index");
                let flat = self.b.var(LType::I64, "reduce.flat");
                self.b.set(best, zero);
                self.b.set(flat, zero);
                let one = self.b.i64c(1);
                self.for_each_element(&elements, &mut |this, _, x| {
                    let a = this.b.get(acc);
                    let k = this.b.get(flat);
                    let better = this.beats(order, elem, x, a);
                    let a = this.b.select(better, x, a);
                    this.b.set(acc, a);
                    let i = this.b.get(best);
                    let i = this.b.select(better, k, i);
                    this.b.set(best, i);
                    let k = this.b.bin(BinaryOp::IAdd, k, one);
                    this.b.set(flat, k);
                });
                let i = self.b.get(best);
                return self.cast_scalar(i, Dtype::Int64, result);
            }
            Combine::Moments { sqrt } => {
                let init = id(Emit::constant(self, sig.acc, 0.0));
                self.b.set(acc, init);
                self.for_each_element(&elements, &mut |this, _, x| {
                    let x = this.cast_scalar(x, elem, sig.acc);
                    let a = this.b.get(acc);
                    let next = this.b.bin(BinaryOp::FAdd, a, x);
                    this.b.set(acc, next);
                });
                let total = self.b.get(acc);
                let mean = self.divide_by_count(total, count, sig.acc);
                // The elements again (an expression is computed twice rather than stored).
                let squares = self.b.var(acc_ty, "reduce.squares");
                self.b.set(squares, init);
                self.for_each_element(&elements, &mut |this, _, x| {
                    let x = this.cast_scalar(x, elem, sig.acc);
                    let d = this.b.bin(BinaryOp::FSub, x, mean);
                    let d2 = this.b.bin(BinaryOp::FMul, d, d);
                    let s = this.b.get(squares);
                    let s = this.b.bin(BinaryOp::FAdd, s, d2);
                    this.b.set(squares, s);
                });
                let s = self.b.get(squares);
                let var = self.divide_by_count(s, count, sig.acc);
                if sqrt {
                    self.b
                        .emit(crate::ir::Inst::Math(Primitive::Sqrt, vec![var]))
                } else {
                    var
                }
            }
        };
        self.cast_scalar(r_value, sig.acc, result)
    }

    /// The element at index 0 of every axis (the array is not empty).
    fn first_element(&mut self, elements: &crate::elementwise::Elements) -> ValueId {
        let zero = self.b.i64c(0);
        let counters = vec![zero; elements.extents.len()];
        self.element_at_index(elements, &counters)
    }

    /// Whether `x` replaces `best` in an argmin/argmax: it is strictly
    /// better, or it is the first NaN (NumPy's index of the first NaN).
    fn beats(&mut self, order: Order, d: Dtype, x: ValueId, best: ValueId) -> ValueId {
        let better = id(Emit::compare(self, order, d, value(x), value(best)));
        if !d.is_float() {
            return better;
        }
        let x_nan = id(Emit::primitive(self, Primitive::IsNan, d, &[value(x)]));
        let best_nan = id(Emit::primitive(self, Primitive::IsNan, d, &[value(best)]));
        let t = self.b.boolc(true);
        let best_number = self.b.bin(BinaryOp::Xor, best_nan, t);
        let first_nan = self.b.bin(BinaryOp::And, x_nan, best_number);
        self.b.bin(BinaryOp::Or, better, first_nan)
    }

    /// `total / count` in `d` (float64 or complex128).
    fn divide_by_count(&mut self, total: ValueId, count: ValueId, d: Dtype) -> ValueId {
        let n = self.b.cast(CastOp::SIToFP, count, LType::F64);
        let n = self.cast_scalar(n, Dtype::Float64, d);
        let op = if d.is_complex() {
            BinaryOp::CDiv
        } else {
            BinaryOp::FDiv
        };
        self.b.bin(op, total, n)
    }
}
