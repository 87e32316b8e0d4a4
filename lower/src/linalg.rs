//! Linear algebra, typed by typeinfer's `linalg.rs`. The operands are
//! evaluated, their extents checked (NumPy's messages), and converted to the
//! result's dtype when theirs differs. A product of two vectors (`np.dot`,
//! `np.vdot`), `np.outer`, `np.trace` and `np.linalg.norm` are loops here
//! (`norm` reads an array expression without making it); a product with a
//! matrix and the factorizations make a new C array filled by a kernel of the
//! runtime (`Stmt::Kernel`), which reads the operands with their own strides,
//! so no operand is copied here.

use frontend::hir::{BinOp, Dtype, ExceptionKind, ExprId, Keyword, LinalgFn};
use library::Primitive;
use typeinfer::{ArrayType, Layout, Type};

use crate::builder::ltype;
use crate::func::FnLower;
use crate::ir::{
    BinaryOp, CmpOp, CoreOp, Inst, Kernel, LType, RuntimeError, Stmt, UnaryOp, ValueId,
};
use crate::values::{ArrayVal, Val};

impl FnLower<'_> {
    /// `f(args...)`, whose type is `ty`.
    pub(crate) fn linalg_call(
        &mut self,
        f: LinalgFn,
        args: &[ExprId],
        kwargs: &[Keyword],
        ty: &Type,
    ) -> Val {
        let dtype = match ty {
            Type::Scalar(d) => *d,
            Type::Array(a) => a.dtype,
            // `eigh`'s (eigenvalues, eigenvectors), `lstsq`'s (solution, ...)
            Type::Tuple(items) => match (f, items.as_slice()) {
                (LinalgFn::Eigh, [_, Type::Array(v)]) => v.dtype,
                (LinalgFn::Lstsq, [Type::Array(x), ..]) => x.dtype,
                _ => return self.bug_val("a linear algebra tuple of unexpected types"),
            },
            _ => {
                self.bug("linear algebra whose type is neither a number nor an array");
                return Val::Unit;
            }
        };
        // `lstsq`'s `rcond`: its third argument, by position or keyword.
        let rcond = args
            .get(2)
            .copied()
            .or_else(|| kwargs.first().map(|k| k.value));
        let args = &args[..args.len().min(2)];
        if f == LinalgFn::Norm {
            return match args.first() {
                Some(&x) => Val::Scalar(self.norm(x, dtype)),
                None => self.bug_val("np.linalg.norm without its array"),
            };
        }
        let mut operands = Vec::new();
        for &arg in args {
            let (Val::Array(a), Some(at)) = (self.expr(arg), self.tf.coerced_type(arg).as_array())
            else {
                return self.bug_val("linear algebra of something that is not an array");
            };
            operands.push((a, *at));
        }
        match (f, operands.as_slice()) {
            (LinalgFn::Dot | LinalgFn::Matmul, [a, b]) => {
                let op = if f == LinalgFn::Dot {
                    CoreOp::Dot
                } else {
                    CoreOp::Matmul
                };
                self.check_core(op, &a.0, &b.0);
                let (a, at) = self.as_dtype(a.0.clone(), a.1, dtype);
                let (b, bt) = self.as_dtype(b.0.clone(), b.1, dtype);
                match ty {
                    Type::Array(rt) => Val::Array(self.gemm(&a, &at, &b, &bt, rt)),
                    _ => Val::Scalar(self.inner_product(&a, &at, &b, &bt, a.extents[0], false)),
                }
            }
            (LinalgFn::Vdot, [(a, at), (b, bt)]) => {
                // NumPy reshapes `b` to `a`'s shape, with that message.
                let (ka, kb) = (a.extents[0], b.extents[0]);
                let differ = self.b.cmp(CmpOp::Ne, ka, kb);
                self.b.raise_if(
                    differ,
                    RuntimeError::Reshape {
                        size: kb,
                        into: vec![ka],
                    },
                );
                let (a, at) = self.as_dtype(a.clone(), *at, dtype);
                let (b, bt) = self.as_dtype(b.clone(), *bt, dtype);
                Val::Scalar(self.inner_product(&a, &at, &b, &bt, ka, true))
            }
            (LinalgFn::Outer, [a, b]) => Val::Array(self.outer(a, b, dtype)),
            (LinalgFn::Trace, [(a, at)]) => Val::Scalar(self.trace(a, at, dtype)),
            (LinalgFn::Lstsq, [a, b]) => self.lstsq(a, b, rcond, dtype),
            (
                LinalgFn::Det
                | LinalgFn::Inv
                | LinalgFn::Cholesky
                | LinalgFn::Solve
                | LinalgFn::Eigh,
                [a, rest @ ..],
            ) => self.factorization(f, a, rest.first(), dtype),
            _ => self.bug_val("linear algebra with the wrong number of operands"),
        }
    }

    fn bug_val(&mut self, what: &str) -> Val {
        self.bug(what);
        Val::Unit
    }

    /// Raises NumPy's error for `op` when the last extent of `a` differs from the first of `b`.
    fn check_core(&mut self, op: CoreOp, a: &ArrayVal, b: &ArrayVal) {
        let (ka, kb) = (a.extents[a.extents.len() - 1], b.extents[0]);
        let differ = self.b.cmp(CmpOp::Ne, ka, kb);
        self.b.raise_if(
            differ,
            RuntimeError::CoreShapes {
                op,
                left: a.extents.clone(),
                right: b.extents.clone(),
            },
        );
    }

    /// `x*y` or `x+y` in `d` (ints, floats or complex numbers).
    fn arith_in(&mut self, op: BinOp, x: ValueId, y: ValueId, d: Dtype) -> ValueId {
        self.binary_op(op, (x, d), (y, d), d, None, true)
    }

    /// `np.outer(a, b)`: `out[i, j] = a[i] * b[j]` in `d`.
    fn outer(
        &mut self,
        a: &(ArrayVal, ArrayType),
        b: &(ArrayVal, ArrayType),
        d: Dtype,
    ) -> ArrayVal {
        let rt = ArrayType {
            dtype: d,
            ndim: 2,
            layout: Layout::C,
            writable: true,
        };
        let extents = vec![a.0.extents[0], b.0.extents[0]];
        let (out, _) = self.alloc_array(&rt, extents.clone(), false);
        self.index_loops(&extents, &[0, 1], |this, ij| {
            let pa = this.element_at(&a.0, &a.1, &ij[..1]);
            let pb = this.element_at(&b.0, &b.1, &ij[1..]);
            let x = this.load_elem(pa, a.1.dtype);
            let x = this.cast_scalar(x, a.1.dtype, d);
            let y = this.load_elem(pb, b.1.dtype);
            let y = this.cast_scalar(y, b.1.dtype, d);
            let xy = this.arith_in(BinOp::Mul, x, y, d);
            let to = this.element_at(&out, &rt, ij);
            this.store_elem(to, xy, d);
        });
        out
    }

    /// `np.trace(a)`: the sum of `a[i, i]`, in order, in `d` (NumPy's `sum` type).
    fn trace(&mut self, a: &ArrayVal, at: &ArrayType, d: Dtype) -> ValueId {
        let (rows, cols) = (a.extents[0], a.extents[1]);
        let fewer = self.b.cmp(CmpOp::SLt, rows, cols);
        let n = self.b.select(fewer, rows, cols);
        let acc = self.b.var(ltype(d), "trace.acc");
        let zero = self.zero(d);
        self.b.set(acc, zero);
        self.index_loops(&[n], &[0], |this, i| {
            let p = this.element_at(a, at, &[i[0], i[0]]);
            let x = this.load_elem(p, at.dtype);
            let x = this.cast_scalar(x, at.dtype, d);
            let sum = this.b.get(acc);
            let sum = this.arith_in(BinOp::Add, sum, x, d);
            this.b.set(acc, sum);
        });
        self.b.get(acc)
    }

    /// `np.linalg.norm(x)`: the square root of the sum of `|x|**2` over every
    /// element, in order, in `d` (float32 or float64), as NumPy's `sqrt(dot(x, x))`.
    fn norm(&mut self, x: ExprId, d: Dtype) -> ValueId {
        let Some(xd) = self.tf.expr_type(x).as_array().map(|a| a.dtype) else {
            self.bug("np.linalg.norm of something that is not an array");
            return self.zero(d);
        };
        let elements = self.elements_of(x);
        let acc = self.b.var(ltype(d), "norm.acc");
        let zero = self.zero(d);
        self.b.set(acc, zero);
        self.for_each_element(&elements, &mut |this, _, v| {
            let square = if xd.is_complex() {
                let (re, im) = (this.b.emit(Inst::Real(v)), this.b.emit(Inst::Imag(v)));
                let part = if xd == Dtype::Complex64 {
                    Dtype::Float32
                } else {
                    Dtype::Float64
                };
                let re = this.cast_scalar(re, part, d);
                let im = this.cast_scalar(im, part, d);
                let rr = this.b.bin(BinaryOp::FMul, re, re);
                let ii = this.b.bin(BinaryOp::FMul, im, im);
                this.b.bin(BinaryOp::FAdd, rr, ii)
            } else {
                let v = this.cast_scalar(v, xd, d);
                this.b.bin(BinaryOp::FMul, v, v)
            };
            let sum = this.b.get(acc);
            let sum = this.b.bin(BinaryOp::FAdd, sum, square);
            this.b.set(acc, sum);
        });
        let total = self.b.get(acc);
        self.b.emit(Inst::Math(Primitive::Sqrt, vec![total]))
    }

    /// `np.linalg.det/inv/cholesky/eigh(a)` and `np.linalg.solve(a, b)` in `d`.
    fn factorization(
        &mut self,
        f: LinalgFn,
        a: &(ArrayVal, ArrayType),
        b: Option<&(ArrayVal, ArrayType)>,
        d: Dtype,
    ) -> Val {
        let n = a.0.extents[0];
        let not_square = self.b.cmp(CmpOp::Ne, n, a.0.extents[1]);
        self.raise_if(
            not_square,
            ExceptionKind::LinAlgError,
            "Last 2 dimensions of the array must be square",
        );
        if let Some(b) = b {
            self.check_core(CoreOp::Solve, &a.0, &b.0);
        }
        let (a, at) = self.as_dtype(a.0.clone(), a.1, d);
        let a_rs = self.stride(&a, &at, 0);
        let a_cs = self.stride(&a, &at, 1);
        let t = ltype(d);
        let rt = |ndim| ArrayType {
            dtype: d,
            ndim,
            layout: Layout::C,
            writable: true,
        };
        let span = self.b.span;
        if f == LinalgFn::Eigh {
            let wt = ArrayType {
                dtype: d.real(),
                ..rt(1)
            };
            let (w, _) = self.alloc_array(&wt, vec![n], false);
            let (v, _) = self.alloc_array(&rt(2), vec![n, n], false);
            let args = vec![n, a.data, a_rs, a_cs, w.data, v.data];
            self.b.stmt(Stmt::Kernel {
                kernel: Kernel::Eigh(t),
                args,
                span,
            });
            return Val::Tuple(vec![Val::Array(w), Val::Array(v)]);
        }
        let (kernel, args, out) = match (f, b) {
            (LinalgFn::Solve, Some(b)) => {
                let (b, bt) = self.as_dtype(b.0.clone(), b.1, d);
                let one = self.b.i64c(1);
                let item = self.b.i64c(d.itemsize() as i64);
                let b_rs = self.stride(&b, &bt, 0);
                let (nrhs, b_cs) = match bt.ndim {
                    2 => (b.extents[1], self.stride(&b, &bt, 1)),
                    _ => (one, item),
                };
                let ot = rt(bt.ndim);
                let (out, _) = self.alloc_array(&ot, b.extents.clone(), false);
                let args = vec![n, nrhs, a.data, a_rs, a_cs, b.data, b_rs, b_cs, out.data];
                (Kernel::Solve(t), args, out)
            }
            _ => {
                let (ot, extents) = match f {
                    LinalgFn::Det => (rt(1), vec![self.b.i64c(1)]),
                    _ => (rt(2), vec![n, n]),
                };
                let (out, _) = self.alloc_array(&ot, extents, false);
                let kernel = match f {
                    LinalgFn::Det => Kernel::Det(t),
                    LinalgFn::Inv => Kernel::Inv(t),
                    _ => Kernel::Cholesky(t),
                };
                (kernel, vec![n, a.data, a_rs, a_cs, out.data], out)
            }
        };
        self.b.stmt(Stmt::Kernel { kernel, args, span });
        if f == LinalgFn::Det {
            // The determinant is the one element of `out`, a statement temporary.
            return Val::Scalar(self.load_elem(out.data, d));
        }
        Val::Array(out)
    }

    /// `np.linalg.lstsq(a, b, rcond)` in `d`: the tuple (solution, residuals,
    /// rank, singular values), the residuals empty unless the rank is n < m
    /// (NumPy's rule), `rcond` machine epsilon times max(m, n) when absent or None.
    fn lstsq(
        &mut self,
        a: &(ArrayVal, ArrayType),
        b: &(ArrayVal, ArrayType),
        rcond: Option<ExprId>,
        d: Dtype,
    ) -> Val {
        let (m, n) = (a.0.extents[0], a.0.extents[1]);
        let differ = self.b.cmp(CmpOp::Ne, m, b.0.extents[0]);
        self.raise_if(
            differ,
            ExceptionKind::LinAlgError,
            "Incompatible dimensions",
        );
        let (a, at) = self.as_dtype(a.0.clone(), a.1, d);
        let (b, bt) = self.as_dtype(b.0.clone(), b.1, d);
        let wider = self.b.cmp(CmpOp::SGt, m, n);
        let longest = self.b.select(wider, m, n);
        let rcond = match rcond {
            Some(r) if *self.tf.expr_type(r) != Type::None => {
                let (v, vd) = self.scalar_expr(r);
                self.cast_scalar(v, vd, Dtype::Float64)
            }
            _ => {
                let longest = self.cast_scalar(longest, Dtype::Int64, Dtype::Float64);
                let eps = self.b.float(LType::F64, f64::EPSILON);
                self.b.bin(BinaryOp::FMul, eps, longest)
            }
        };
        let (one, item) = (self.b.i64c(1), self.b.i64c(d.itemsize() as i64));
        let (nrhs, b_cs) = match bt.ndim {
            2 => (b.extents[1], self.stride(&b, &bt, 1)),
            _ => (one, item),
        };
        let c_array = |dtype, ndim| ArrayType {
            dtype,
            ndim,
            layout: Layout::C,
            writable: true,
        };
        let x_extents = match bt.ndim {
            2 => vec![n, nrhs],
            _ => vec![n],
        };
        let (x, _) = self.alloc_array(&c_array(d, bt.ndim), x_extents, false);
        let (mut residuals, _) = self.alloc_array(&c_array(d.real(), 1), vec![nrhs], false);
        let (rank, _) = self.alloc_array(&c_array(Dtype::Int32, 1), vec![one], false);
        let fewer = self.b.cmp(CmpOp::SLt, m, n);
        let shortest = self.b.select(fewer, m, n);
        let (singular, _) = self.alloc_array(&c_array(d.real(), 1), vec![shortest], false);
        let args = vec![
            m,
            n,
            nrhs,
            a.data,
            self.stride(&a, &at, 0),
            self.stride(&a, &at, 1),
            b.data,
            self.stride(&b, &bt, 0),
            b_cs,
            rcond,
            x.data,
            residuals.data,
            rank.data,
            singular.data,
        ];
        let span = self.b.span;
        self.b.stmt(Stmt::Kernel {
            kernel: Kernel::Lstsq(ltype(d)),
            args,
            span,
        });
        // The rank is the one element of `rank`, a statement temporary.
        let rank = self.load_elem(rank.data, Dtype::Int32);
        let rank64 = self.cast_scalar(rank, Dtype::Int32, Dtype::Int64);
        let full = self.b.cmp(CmpOp::Eq, rank64, n);
        let kept = self.b.bin(BinaryOp::And, full, wider);
        let zero = self.b.i64c(0);
        residuals.extents[0] = self.b.select(kept, nrhs, zero);
        Val::Tuple(vec![
            Val::Array(x),
            Val::Array(residuals),
            Val::Scalar(rank),
            Val::Array(singular),
        ])
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

    /// `sum(a[i] * b[i] for i < k)` (`conj(a[i])` when `conjugate`), in
    /// order from zero, in the arrays' dtype (ints, floats or complex).
    fn inner_product(
        &mut self,
        a: &ArrayVal,
        at: &ArrayType,
        b: &ArrayVal,
        bt: &ArrayType,
        k: ValueId,
        conjugate: bool,
    ) -> ValueId {
        let d = at.dtype;
        let acc = self.b.var(ltype(d), "dot.acc");
        let zero = self.zero(d);
        self.b.set(acc, zero);
        self.index_loops(&[k], &[0], |this, i| {
            let pa = this.element_at(a, at, i);
            let pb = this.element_at(b, bt, i);
            let mut x = this.load_elem(pa, d);
            if conjugate && d.is_complex() {
                let re = this.b.emit(Inst::Real(x));
                let im = this.b.emit(Inst::Imag(x));
                let im = this.b.unary(UnaryOp::FNeg, im);
                x = this.b.emit(Inst::MakeComplex { re, im });
            }
            let y = this.load_elem(pb, d);
            let xy = this.arith_in(BinOp::Mul, x, y, d);
            let sum = this.b.get(acc);
            let sum = this.arith_in(BinOp::Add, sum, xy, d);
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
