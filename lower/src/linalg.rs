//! Linear algebra (`np.dot`, `np.matmul`, `a @ b`), typed by typeinfer's
//! `linalg.rs`: the operands are evaluated, their inner extents checked
//! (NumPy's messages), converted to the result dtype when theirs differs, then
//! a product of two vectors is a loop here, and any product with a matrix a
//! new C array filled by the runtime's gemm (`ir::Kernel::Gemm`), which reads
//! the operands with their own strides, so no operand is copied.

use frontend::hir::{Dtype, ExprId, LinalgFn};
use typeinfer::{ArrayType, Type};

use crate::builder::ltype;
use crate::func::FnLower;
use crate::ir::{BinaryOp, CmpOp, Kernel, RuntimeError, Stmt, ValueId};
use crate::values::{ArrayVal, Val};

impl FnLower<'_> {
    /// `f(args[0], args[1])`, whose type is `ty`.
    pub(crate) fn linalg_call(&mut self, f: LinalgFn, args: &[ExprId], ty: &Type) -> Val {
        let dtype = match ty {
            Type::Scalar(d) => *d,
            Type::Array(a) => a.dtype,
            _ => {
                self.bug("a product whose type is neither a number nor an array");
                return Val::Unit;
            }
        };
        let mut operands = Vec::new();
        for &arg in args {
            let (Val::Array(a), Some(at)) = (self.expr(arg), self.tf.coerced_type(arg).as_array())
            else {
                self.bug("a product of something that is not an array");
                return Val::Unit;
            };
            operands.push((a, *at));
        }
        let [(a, at), (b, bt)] = <[(ArrayVal, ArrayType); 2]>::try_from(operands)
            .unwrap_or_else(|_| unreachable!("typeinfer checked two operands"));
        // The inner extents: the last axis of `a`, the first of `b`.
        let (Some(&ka), Some(&kb)) = (a.extents.last(), b.extents.first()) else {
            self.bug("a product of a 0-d array");
            return Val::Unit;
        };
        let differ = self.b.cmp(CmpOp::Ne, ka, kb);
        let (left, right) = (a.extents.clone(), b.extents.clone());
        self.b.raise_if(
            differ,
            match f {
                LinalgFn::Matmul => RuntimeError::MatmulShapes { left, right },
                LinalgFn::Dot => RuntimeError::DotShapes { left, right },
            },
        );
        let (a, at) = self.as_dtype(a, at, dtype);
        let (b, bt) = self.as_dtype(b, bt, dtype);
        match ty {
            Type::Array(rt) => Val::Array(self.gemm(&a, &at, &b, &bt, rt)),
            _ => Val::Scalar(self.inner_product(&a, &at, &b, &bt, ka)),
        }
    }

    /// `a` as an array of `dtype`: itself, or a converted copy.
    fn as_dtype(&mut self, a: ArrayVal, at: ArrayType, dtype: Dtype) -> (ArrayVal, ArrayType) {
        if at.dtype == dtype {
            return (a, at);
        }
        let converted = self.convert_array(&a, &at, dtype);
        let ct = ArrayType {
            dtype,
            layout: at.kept_order(),
            writable: true,
            ..at
        };
        (converted, ct)
    }

    /// `sum(a[i] * b[i] for i < k)`, in order from zero.
    fn inner_product(
        &mut self,
        a: &ArrayVal,
        at: &ArrayType,
        b: &ArrayVal,
        bt: &ArrayType,
        k: ValueId,
    ) -> ValueId {
        let d = at.dtype;
        let (add, mul) = if d.is_complex() {
            (BinaryOp::CAdd, BinaryOp::CMul)
        } else {
            (BinaryOp::FAdd, BinaryOp::FMul)
        };
        let acc = self.b.var(ltype(d), "dot.acc");
        let zero = self.zero(d);
        self.b.set(acc, zero);
        self.index_loops(&[k], &[0], |this, i| {
            let pa = this.element_at(a, at, i);
            let pb = this.element_at(b, bt, i);
            let x = this.load_elem(pa, d);
            let y = this.load_elem(pb, d);
            let xy = this.b.bin(mul, x, y);
            let sum = this.b.get(acc);
            let sum = this.b.bin(add, sum, xy);
            this.b.set(acc, sum);
        });
        self.b.get(acc)
    }

    /// A new C array of type `rt` holding `a @ b` (`a` or `b` 2-d), from the
    /// runtime's gemm: a vector is a matrix of one row (`a`) or one column (`b`).
    fn gemm(
        &mut self,
        a: &ArrayVal,
        at: &ArrayType,
        b: &ArrayVal,
        bt: &ArrayType,
        rt: &ArrayType,
    ) -> ArrayVal {
        let one = self.b.i64c(1);
        let zero = self.b.i64c(0);
        let item = self.b.i64c(rt.dtype.itemsize() as i64);
        let k = a.extents[a.extents.len() - 1];
        let (m, a_rs, a_cs) = match a.extents.len() {
            2 => (a.extents[0], self.stride(a, at, 0), self.stride(a, at, 1)),
            _ => (one, zero, self.stride(a, at, 0)),
        };
        let (n, b_rs, b_cs) = match b.extents.len() {
            2 => (b.extents[1], self.stride(b, bt, 0), self.stride(b, bt, 1)),
            _ => (one, self.stride(b, bt, 0), item),
        };
        let mut extents = Vec::new();
        if a.extents.len() == 2 {
            extents.push(m);
        }
        if b.extents.len() == 2 {
            extents.push(n);
        }
        let (c, _) = self.alloc_array(rt, extents, false);
        let (c_rs, c_cs) = match (a.extents.len(), b.extents.len()) {
            (2, 2) => (self.stride(&c, rt, 0), self.stride(&c, rt, 1)),
            (2, _) => (self.stride(&c, rt, 0), item),
            _ => (zero, self.stride(&c, rt, 0)),
        };
        let span = self.b.span;
        self.b.stmt(Stmt::Kernel {
            kernel: Kernel::Gemm(ltype(rt.dtype)),
            args: vec![
                m, k, n, a.data, a_rs, a_cs, b.data, b_rs, b_cs, c.data, c_rs, c_cs,
            ],
            span,
        });
        c
    }
}
