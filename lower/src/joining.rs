//! Arrays built from arrays, typed by typeinfer's `joining.rs` (whose `plan`
//! says how they join). `np.concatenate`/`hstack`/`vstack`/`stack` check
//! the extents first (NumPy's messages), then copy each array into its part
//! of a new array (in the order NumPy gives: `order.rs`), converting to the result's dtype on the way;
//! `np.triu`/`np.tril` copy the elements on their side of the diagonal and
//! zeros elsewhere.

use frontend::hir::{BinOp, Constant, ExceptionKind, ExprId, ExprKind, JoinFn, Keyword};
use typeinfer::joining::{bound_arguments, plan, Join};
use typeinfer::{ArrayType, Layout, Type};

use crate::builder::ltype;
use crate::func::FnLower;
use crate::ir::{BinaryOp, CmpOp, CoreOp, Inst, RuntimeError, StepSign, Stmt, ValueId};
use crate::values::{ArrayVal, Val};
use crate::views::view_of;

impl FnLower<'_> {
    /// `np.f(args...)`, of type `ty`.
    pub(crate) fn joining_call(
        &mut self,
        f: JoinFn,
        args: &[ExprId],
        kwargs: &[Keyword],
        ty: &Type,
    ) -> Val {
        let (Some(p), Type::Array(rt)) = (bound_arguments(f, args, kwargs), ty) else {
            return self.joining_bug("a call that does not bind or is not an array");
        };
        let Some(first) = p[0] else {
            return self.joining_bug("a call without its arrays");
        };
        let value = self.expr(first);
        if f == JoinFn::Convolve {
            let second = p[1].map(|v| (self.expr(v), self.tf.expr_type(v).as_array().copied()));
            let mode = p[2].and_then(|m| match &self.tf.hir.expr(m).kind {
                ExprKind::Const(Constant::Str(s))
                | ExprKind::Global {
                    value: Constant::Str(s),
                    ..
                } => Some(s.clone()),
                _ => None,
            });
            return match (value, self.tf.expr_type(first).as_array().copied(), second) {
                (Val::Array(a), Some(at), Some((Val::Array(v), Some(vt)))) => Val::Array(
                    self.convolve((&a, &at), (&v, &vt), mode.as_deref().unwrap_or("full"), rt),
                ),
                _ => self.joining_bug("np.convolve of something that is not an array"),
            };
        }
        if matches!(f, JoinFn::Triu | JoinFn::Tril) {
            let k = match p[1].map(|k| self.expr(k)) {
                Some(Val::Scalar(k)) => k,
                _ => self.b.i64c(0),
            };
            let (Val::Array(m), Some(&mt)) = (value, self.tf.expr_type(first).as_array()) else {
                return self.joining_bug("np.triu/np.tril of something that is not an array");
            };
            return Val::Array(self.triangle(f == JoinFn::Triu, &m, &mt, k, rt));
        }
        let (Val::Tuple(items), Type::Tuple(types)) = (value, self.tf.expr_type(first).clone())
        else {
            return self.joining_bug("a join of something that is not a tuple");
        };
        let mut arrays = Vec::new();
        for (v, t) in items.into_iter().zip(&types) {
            match (v, t) {
                (Val::Array(a), Type::Array(at)) => arrays.push((a, *at)),
                _ => return self.joining_bug("a join of something that is not an array"),
            }
        }
        let axis = p
            .get(1)
            .copied()
            .flatten()
            .map(|x| match self.tf.hir.expr(x).kind {
                ExprKind::Const(Constant::None) => None,
                _ => self.const_int(x),
            });
        let ndims: Vec<u8> = arrays.iter().map(|(_, at)| at.ndim).collect();
        let Ok(plan) = plan(f, &ndims, axis) else {
            return self.joining_bug("arrays typeinfer should have refused");
        };
        // Every array with the plan's number of axes (leading axes of extent 1 added).
        let one = self.b.i64c(1);
        let zero = self.b.i64c(0);
        let raised: Vec<(ArrayVal, ArrayType)> = arrays
            .iter()
            .map(|(a, at)| {
                let extra = usize::from(plan.raise_to.saturating_sub(at.ndim));
                if extra == 0 {
                    return (a.clone(), *at);
                }
                let mut extents = vec![one; extra];
                let mut strides = vec![zero; extra];
                for k in 0..a.extents.len() {
                    extents.push(a.extents[k]);
                    strides.push(self.stride(a, at, k));
                }
                let vt = ArrayType {
                    ndim: plan.raise_to,
                    layout: Layout::Any,
                    ..*at
                };
                (view_of(a, a.data, extents, strides), vt)
            })
            .collect();
        match plan.join {
            Join::Along(axis) => Val::Array(self.concatenate(&raised, axis, rt)),
            Join::Stack(axis) => {
                let (a0, _) = &raised[0];
                for (a, _) in &raised[1..] {
                    for (&x, &y) in a.extents.iter().zip(&a0.extents) {
                        let differ = self.b.cmp(CmpOp::Ne, x, y);
                        self.raise_if(
                            differ,
                            ExceptionKind::ValueError,
                            "all input arrays must have the same shape",
                        );
                    }
                }
                // Each array is one slice along a new axis of extent 1.
                let stacked: Vec<(ArrayVal, ArrayType)> = raised
                    .iter()
                    .map(|(a, at)| {
                        let mut extents = a.extents.clone();
                        let mut strides: Vec<ValueId> = (0..a.extents.len())
                            .map(|k| self.stride(a, at, k))
                            .collect();
                        extents.insert(axis, one);
                        strides.insert(axis, zero);
                        let vt = ArrayType {
                            ndim: at.ndim + 1,
                            layout: Layout::Any,
                            ..*at
                        };
                        (view_of(a, a.data, extents, strides), vt)
                    })
                    .collect();
                Val::Array(self.concatenate(&stacked, axis, rt))
            }
            Join::Flat => {
                let flat: Vec<(ArrayVal, ArrayType)> = raised
                    .iter()
                    .map(|(a, at)| {
                        let packed = self.copy_array(a, at);
                        let total = self.product(&packed.extents);
                        let item = self.b.i64c(at.dtype.itemsize() as i64);
                        let ft = ArrayType {
                            ndim: 1,
                            layout: Layout::C,
                            ..*at
                        };
                        (view_of(&packed, packed.data, vec![total], vec![item]), ft)
                    })
                    .collect();
                Val::Array(self.concatenate(&flat, 0, rt))
            }
        }
    }

    fn joining_bug(&mut self, what: &str) -> Val {
        self.bug(&format!("joining: {what}"));
        Val::Unit
    }

    /// The arrays (all of `rt.ndim` axes) end to end along `axis` in a new
    /// array of type `rt`, after NumPy's check that their other extents agree.
    fn concatenate(
        &mut self,
        arrays: &[(ArrayVal, ArrayType)],
        axis: usize,
        rt: &ArrayType,
    ) -> ArrayVal {
        let (a0, _) = &arrays[0];
        for (k, (a, _)) in arrays.iter().enumerate().skip(1) {
            for d in (0..a.extents.len()).filter(|&d| d != axis) {
                let differ = self.b.cmp(CmpOp::Ne, a.extents[d], a0.extents[d]);
                let along = self.b.i64c(d as i64);
                let index = self.b.i64c(k as i64);
                self.b.raise_if(
                    differ,
                    RuntimeError::CoreShapes {
                        op: CoreOp::Concatenate,
                        left: vec![along, index, a0.extents[d]],
                        right: vec![a.extents[d]],
                    },
                );
            }
        }
        let mut total = arrays[0].0.extents[axis];
        for (a, _) in &arrays[1..] {
            total = self.b.bin(BinaryOp::IAdd, total, a.extents[axis]);
        }
        let mut extents = a0.extents.clone();
        extents[axis] = total;
        let out = self.alloc_joined(arrays, extents, rt);
        let mut start = self.b.i64c(0);
        for (a, at) in arrays {
            // This array's part of `out` starts `start` elements along the axis.
            let offset = self.b.bin(BinaryOp::IMul, start, out.strides[axis]);
            let base = self.b.emit(Inst::PtrOffset {
                addr: out.data,
                offset,
            });
            let part = view_of(&out, base, a.extents.clone(), out.strides.clone());
            let pt = ArrayType {
                layout: Layout::Any,
                ..*rt
            };
            let order: Vec<usize> = (0..a.extents.len()).collect();
            let ext = a.extents.clone();
            self.index_loops(&ext, &order, |this, ij| {
                let from = this.element_at(a, at, ij);
                let v = this.load_elem(from, at.dtype);
                let v = this.cast_scalar(v, at.dtype, rt.dtype);
                let to = this.element_at(&part, &pt, ij);
                this.store_elem(to, v, rt.dtype);
            });
            start = self.b.bin(BinaryOp::IAdd, start, a.extents[axis]);
        }
        out
    }

    /// `np.convolve(a, v, mode)` in `rt.dtype`: element `k` of the full
    /// convolution is the sum over `j` of `a[j] * v[k - j]`, in order of `j`;
    /// `same` and `valid` are the middle part NumPy takes (of the longer
    /// array's length, or where the shorter one lies wholly inside).
    fn convolve(
        &mut self,
        (a, at): (&ArrayVal, &ArrayType),
        (v, vt): (&ArrayVal, &ArrayType),
        mode: &str,
        rt: &ArrayType,
    ) -> ArrayVal {
        let d = rt.dtype;
        let (n, m) = (a.extents[0], v.extents[0]);
        let zero = self.b.i64c(0);
        let one = self.b.i64c(1);
        let longer = self.b.cmp(CmpOp::SGt, n, m);
        let long = self.b.select(longer, n, m);
        let short = self.b.select(longer, m, n);
        // NumPy names the empty one before it swaps them to make `a` the longer.
        let no_a = self.b.cmp(CmpOp::Eq, n, zero);
        self.raise_if(no_a, ExceptionKind::ValueError, "a cannot be empty");
        let no_v = self.b.cmp(CmpOp::Eq, m, zero);
        self.raise_if(no_v, ExceptionKind::ValueError, "v cannot be empty");
        let short_less = self.b.bin(BinaryOp::ISub, short, one);
        let (len, offset) = match mode {
            "same" => {
                let two = self.b.i64c(2);
                (long, self.b.bin(BinaryOp::SDiv, short_less, two))
            }
            "valid" => {
                let len = self.b.bin(BinaryOp::ISub, long, short_less);
                (len, short_less)
            }
            _ => {
                let total = self.b.bin(BinaryOp::IAdd, n, m);
                (self.b.bin(BinaryOp::ISub, total, one), zero)
            }
        };
        let (out, _) = self.alloc_array(rt, vec![len], false);
        let acc = self.b.var(ltype(d), "convolve.acc");
        let inner = self.b.var(crate::ir::LType::I64, "convolve.j");
        self.index_loops(&[len], &[0], |this, i| {
            let k = this.b.bin(BinaryOp::IAdd, i[0], offset);
            // j from max(0, k - m + 1) to min(k, n - 1), inclusive.
            let from = this.b.bin(BinaryOp::ISub, k, m);
            let from = this.b.bin(BinaryOp::IAdd, from, one);
            let low = this.b.cmp(CmpOp::SLt, from, zero);
            let from = this.b.select(low, zero, from);
            let last = this.b.bin(BinaryOp::ISub, n, one);
            let past = this.b.cmp(CmpOp::SGt, k, last);
            let to = this.b.select(past, last, k);
            let to = this.b.bin(BinaryOp::IAdd, to, one);
            let z = this.zero(d);
            this.b.set(acc, z);
            this.b.begin();
            let j = this.b.get(inner);
            let kj = this.b.bin(BinaryOp::ISub, k, j);
            let pa = this.element_at(a, at, &[j]);
            let pv = this.element_at(v, vt, &[kj]);
            let x = this.load_elem(pa, at.dtype);
            let x = this.cast_scalar(x, at.dtype, d);
            let y = this.load_elem(pv, vt.dtype);
            let y = this.cast_scalar(y, vt.dtype, d);
            let xy = this.binary_op(BinOp::Mul, (x, d), (y, d), d, None, true);
            let sum = this.b.get(acc);
            let sum = this.binary_op(BinOp::Add, (sum, d), (xy, d), d, None, true);
            this.b.set(acc, sum);
            let body = this.b.end();
            this.b.stmt(Stmt::ForRange {
                var: inner,
                start: from,
                stop: to,
                step: one,
                step_sign: StepSign::Positive,
                body,
            });
            let total = this.b.get(acc);
            let to = this.element_at(&out, rt, i);
            this.store_elem(to, total, d);
        });
        out
    }

    /// `np.triu` (`upper`) or `np.tril` of `m` with diagonal `k`: element
    /// `[..., i, j]` kept where `j - i >= k` (`<= k` for `tril`), else zero.
    fn triangle(
        &mut self,
        upper: bool,
        m: &ArrayVal,
        mt: &ArrayType,
        k: ValueId,
        rt: &ArrayType,
    ) -> ArrayVal {
        let (out, _) = self.alloc_array(rt, m.extents.clone(), false);
        let n = m.extents.len();
        let order: Vec<usize> = (0..n).collect();
        let ext = m.extents.clone();
        let zero = self.zero(rt.dtype);
        self.index_loops(&ext, &order, |this, ij| {
            let from = this.element_at(m, mt, ij);
            let v = this.load_elem(from, mt.dtype);
            let diag = this.b.bin(BinaryOp::ISub, ij[n - 1], ij[n - 2]);
            let op = if upper { CmpOp::SGe } else { CmpOp::SLe };
            let keep = this.b.cmp(op, diag, k);
            let v = this.b.select(keep, v, zero);
            let to = this.element_at(&out, rt, ij);
            this.store_elem(to, v, rt.dtype);
        });
        out
    }
}
