//! Lowering of the functions that make an array from values (`np.arange`,
//! `np.linspace`, `np.eye`, `np.identity`, `np.full_like`, `np.copy`,
//! `np.asarray`, `np.array`) and of `a.astype(dtype)`: one match on the
//! function. Their typing, and what it coerces, is `typeinfer/src/creation.rs`.

use frontend::hir::{CreateFn, Dtype, ExceptionKind, ExprId, Keyword};
use typeinfer::creation::{bind, params, ASTYPE_PARAMS};
use typeinfer::{ArrayType, Type};

use crate::builder::ltype;
use crate::func::FnLower;
use crate::ir::{BinaryOp, CastOp, CmpOp, Inst, Primitive, StepSign, Stmt, ValueId};
use crate::values::{ArrayVal, Val};

const MAX_SIZE: &str = "Maximum allowed size exceeded";

impl FnLower<'_> {
    pub(crate) fn create(
        &mut self,
        c: CreateFn,
        args: &[ExprId],
        kwargs: &[Keyword],
        ty: &Type,
    ) -> Val {
        let (Ok(p), Some(at)) = (bind(params(c), args, kwargs), ty.as_array().copied()) else {
            self.bug("a creation call typeinfer should have rejected");
            return Val::Unit;
        };
        let (names, _) = params(c);
        let get = |n: &str| names.iter().position(|x| *x == n).and_then(|i| p[i]);
        // Arguments are evaluated in source order, whatever their parameter.
        let order: Vec<ExprId> = args
            .iter()
            .copied()
            .chain(kwargs.iter().map(|k| k.value))
            .collect();
        let mut vals: Vec<(ExprId, Val)> = order.iter().map(|a| (*a, self.expr(*a))).collect();
        let mut take = |n: &str| -> Option<Val> {
            let e = get(n)?;
            vals.iter()
                .position(|(a, _)| *a == e)
                .map(|i| vals.swap_remove(i).1)
        };
        match c {
            CreateFn::Arange => {
                let arith = get("start")
                    .or(get("stop"))
                    .and_then(|a| self.tf.coerced_type(a).as_scalar())
                    .unwrap_or(Dtype::Int64);
                let start = take("start");
                let stop = take("stop");
                let step = take("step");
                let (start, stop) = match (start, stop) {
                    (Some(s), Some(t)) => (Some(s), t),
                    (Some(t), None) | (None, Some(t)) => (None, t),
                    (None, None) => return self.bad_creation(),
                };
                let start = match start {
                    Some(s) => self.scalar_of(s),
                    None => self.zero(arith),
                };
                let stop = self.scalar_of(stop);
                let step = match step {
                    Some(s) => self.scalar_of(s),
                    None => self.one_of(arith),
                };
                Val::Array(self.arange(arith, start, stop, step, &at))
            }
            CreateFn::Linspace => {
                let (Some(start), Some(stop)) = (take("start"), take("stop")) else {
                    return self.bad_creation();
                };
                let dt = get("start")
                    .and_then(|a| self.tf.coerced_type(a).as_scalar())
                    .unwrap_or(Dtype::Float64);
                let start = self.scalar_of(start);
                let stop = self.scalar_of(stop);
                let num = match take("num") {
                    Some(v) => self.scalar_of(v),
                    None => self.b.i64c(50),
                };
                let num_const = get("num").and_then(|a| self.const_int(a));
                let endpoint = match take("endpoint") {
                    Some(v) => self.scalar_of(v),
                    None => self.b.boolc(true),
                };
                Val::Array(self.linspace(dt, start, stop, (num, num_const), endpoint, &at))
            }
            CreateFn::Eye | CreateFn::Identity => {
                let n = take(if c == CreateFn::Eye { "N" } else { "n" });
                let Some(n) = n else {
                    return self.bad_creation();
                };
                let n = self.scalar_of(n);
                // `M=None` is nothing (`Val::Unit`): M defaults to N.
                let m = match take("M") {
                    Some(Val::Scalar(m)) => m,
                    _ => n,
                };
                let k = match take("k") {
                    Some(Val::Scalar(k)) => k,
                    _ => self.b.i64c(0),
                };
                Val::Array(self.eye(n, m, k, &at))
            }
            CreateFn::FullLike => {
                let sat = get("a").and_then(|a| self.tf.coerced_type(a).as_array().copied());
                let (Some(Val::Array(src)), Some(fill), Some(sat)) =
                    (take("a"), take("fill_value"), sat)
                else {
                    return self.bad_creation();
                };
                let fill = self.scalar_of(fill);
                let (arr, total) = self.alloc_like(&src, &sat, &at, false);
                self.fill(&arr, total, at.dtype, fill);
                Val::Array(arr)
            }
            CreateFn::Copy | CreateFn::Asarray | CreateFn::Array => {
                let first = get(names[0]);
                let (Some(v), Some(e)) = (take(names[0]), first) else {
                    return self.bad_creation();
                };
                let src_ty = self.tf.coerced_type(e).clone();
                match (v, &src_ty) {
                    (Val::Array(src), Type::Array(sat)) if c == CreateFn::Asarray && *sat == at => {
                        Val::Array(src)
                    }
                    (Val::Array(src), Type::Array(sat)) => {
                        Val::Array(self.convert_array(&src, sat, at.dtype))
                    }
                    (v @ Val::Tuple(_), Type::Tuple(_)) => self.literal_array(v, &src_ty, &at),
                    _ => self.bad_creation(),
                }
            }
            CreateFn::Diff => {
                let a = get("a");
                let (Some(Val::Array(src)), Some(a)) = (take("a"), a) else {
                    return self.bad_creation();
                };
                let Some(sat) = self.tf.coerced_type(a).as_array().copied() else {
                    return self.bad_creation();
                };
                let n = get("n").and_then(|n| self.const_int(n)).unwrap_or(1);
                let ndim = i64::from(at.ndim);
                let axis = get("axis").and_then(|x| self.const_int(x)).unwrap_or(-1);
                let axis = axis.rem_euclid(ndim) as usize;
                self.diff(src, &sat, a, n, axis, &at)
            }
        }
    }

    /// `a.astype(dtype)`: a new array of the converted elements, in the order NumPy keeps.
    pub(crate) fn astype(
        &mut self,
        receiver: ExprId,
        args: &[ExprId],
        kwargs: &[Keyword],
        ty: &Type,
    ) -> Val {
        let src_at = self.tf.coerced_type(receiver).as_array().copied();
        let src = self.expr(receiver);
        for a in args.iter().chain(kwargs.iter().map(|k| &k.value)) {
            self.expr(*a);
        }
        match (
            src,
            src_at,
            ty.as_array(),
            bind(ASTYPE_PARAMS, args, kwargs),
        ) {
            (Val::Array(src), Some(sat), Some(at), Ok(_)) => {
                Val::Array(self.convert_array(&src, &sat, at.dtype))
            }
            _ => self.bad_creation(),
        }
    }

    fn bad_creation(&mut self) -> Val {
        self.bug("a creation call typeinfer should have rejected");
        Val::Unit
    }

    fn one_of(&mut self, d: Dtype) -> ValueId {
        if d.is_float() {
            self.b.float(ltype(d), 1.0)
        } else {
            self.b.int(ltype(d), 1)
        }
    }

    /// NumPy's `arange`: the length is `ceil((stop - start) / step)` (exact
    /// for ints); element 0 is `start`, element 1 `start + step` (computed in
    /// `arith`), both converted to the dtype, and element `i` is
    /// `first + i * (second - first)` computed in the dtype, as NumPy's `fill`.
    fn arange(
        &mut self,
        arith: Dtype,
        start: ValueId,
        stop: ValueId,
        step: ValueId,
        at: &ArrayType,
    ) -> ArrayVal {
        let zero = self.zero(arith);
        let step_zero = self.b.cmp(
            if arith.is_float() {
                CmpOp::FEq
            } else {
                CmpOp::Eq
            },
            step,
            zero,
        );
        // NumPy divides the span by the step with Python's operator.
        let message = if arith.is_float() {
            "float division by zero"
        } else {
            "division by zero"
        };
        self.raise_if(step_zero, ExceptionKind::ZeroDivisionError, message);
        let i0 = self.b.i64c(0);
        let len = if arith.is_float() {
            let span = self.b.bin(BinaryOp::FSub, stop, start);
            let q = self.b.bin(BinaryOp::FDiv, span, step);
            let c = self.b.emit(Inst::Math(Primitive::Ceil, vec![q]));
            let nan = self.b.cmp(CmpOp::FNe, c, c);
            self.raise_if(
                nan,
                ExceptionKind::ValueError,
                "arange: cannot compute length",
            );
            // 2**63, the first float that does not fit in an i64.
            let limit = self.b.float(ltype(Dtype::Float64), -(i64::MIN as f64));
            let too_big = self.b.cmp(CmpOp::FGe, c, limit);
            self.raise_if(too_big, ExceptionKind::ValueError, MAX_SIZE);
            // NumPy's length is an intp: one below -2**63 is out of range too, not
            // empty (`np.arange(-1e300)`, `np.arange(0.0, 5, -1e-320)`).
            let low = self.b.float(ltype(Dtype::Float64), i64::MIN as f64);
            let too_low = self.b.cmp(CmpOp::FLt, c, low);
            self.raise_if(too_low, ExceptionKind::ValueError, MAX_SIZE);
            let fzero = self.b.float(ltype(Dtype::Float64), 0.0);
            let empty = self.b.cmp(CmpOp::FLe, c, fzero);
            let n = self.b.cast(CastOp::FPToSI, c, ltype(Dtype::Int64));
            self.b.select(empty, i0, n)
        } else {
            // Exact in unsigned arithmetic: `hi - lo` and `|step|` fit in a u64.
            let up = self.b.cmp(CmpOp::SGt, step, i0);
            let hi = self.b.select(up, stop, start);
            let lo = self.b.select(up, start, stop);
            let neg = self.b.unary(crate::ir::UnaryOp::INeg, step);
            let size = self.b.select(up, step, neg);
            let nonempty = self.b.cmp(CmpOp::SGt, hi, lo);
            let diff = self.b.bin(BinaryOp::ISub, hi, lo);
            let one = self.b.i64c(1);
            let d1 = self.b.bin(BinaryOp::ISub, diff, one);
            let q = self.b.bin(BinaryOp::UDiv, d1, size);
            let n = self.b.bin(BinaryOp::IAdd, q, one);
            let len = self.b.select(nonempty, n, i0);
            let too_big = self.b.cmp(CmpOp::SLt, len, i0);
            self.raise_if(too_big, ExceptionKind::ValueError, MAX_SIZE);
            // An empty range's length, `-(lo - hi) / size` in NumPy's float
            // division, must fit in an intp too (`np.arange(2**63 - 1,
            // -2**63 + 1)` raises, `np.arange(1, -2**63)` rounds to -2**63: empty).
            let f64t = ltype(Dtype::Float64);
            let back = self.b.bin(BinaryOp::ISub, lo, hi);
            let back = self.b.cast(CastOp::UIToFP, back, f64t);
            let per = self.b.cast(CastOp::UIToFP, size, f64t);
            let qb = self.b.bin(BinaryOp::FDiv, back, per);
            let two_63 = self.b.float(f64t, -(i64::MIN as f64));
            let below = self.b.cmp(CmpOp::FGt, qb, two_63);
            let empty = self.b.unary(crate::ir::UnaryOp::Not, nonempty);
            let too_low = self.b.bin(BinaryOp::And, empty, below);
            self.raise_if(too_low, ExceptionKind::ValueError, MAX_SIZE);
            len
        };
        self.check_shape(&[len], &[false], at.dtype.itemsize());
        let (arr, _) = self.alloc_array(at, vec![len], false);
        let next = self.b.bin(
            if arith.is_float() {
                BinaryOp::FAdd
            } else {
                BinaryOp::IAdd
            },
            start,
            step,
        );
        let first = self.cast_scalar(start, arith, at.dtype);
        let second = self.cast_scalar(next, arith, at.dtype);
        let float = at.dtype.is_float();
        let delta = self.b.bin(
            if float {
                BinaryOp::FSub
            } else {
                BinaryOp::ISub
            },
            second,
            first,
        );
        self.fill_indexed(&arr, len, at.dtype, &mut |s, i| {
            let fi = s.cast_scalar(i, Dtype::Int64, at.dtype);
            let (mul, add) = if float {
                (BinaryOp::FMul, BinaryOp::FAdd)
            } else {
                (BinaryOp::IMul, BinaryOp::IAdd)
            };
            let scaled = s.b.bin(mul, fi, delta);
            let v = s.b.bin(add, first, scaled);
            let zero = s.b.i64c(0);
            let one = s.b.i64c(1);
            let is0 = s.b.cmp(CmpOp::Eq, i, zero);
            let is1 = s.b.cmp(CmpOp::Eq, i, one);
            let v = s.b.select(is1, second, v);
            s.b.select(is0, first, v)
        });
        arr
    }

    /// NumPy's `linspace` (numpy/_core/function_base.py), in the float type
    /// `dt`: `step = (stop - start) / div`, element `i` is `i * step + start`
    /// (`i / div * delta + start` when `step` is 0), the last one is `stop`
    /// when `endpoint`, and an integer dtype takes the floor.
    fn linspace(
        &mut self,
        dt: Dtype,
        start: ValueId,
        stop: ValueId,
        (num, num_const): (ValueId, Option<i64>),
        endpoint: ValueId,
        at: &ArrayType,
    ) -> ArrayVal {
        let i0 = self.b.i64c(0);
        let negative = self.b.cmp(CmpOp::SLt, num, i0);
        // The message names the number; known at compile time, it is NumPy's.
        let message = match num_const {
            Some(n) => format!("Number of samples, {n}, must be non-negative."),
            None => "Number of samples must be non-negative.".to_string(),
        };
        self.raise_if(negative, ExceptionKind::ValueError, &message);
        self.check_shape(&[num], &[false], at.dtype.itemsize());
        let (arr, _) = self.alloc_array(at, vec![num], false);
        let one = self.b.i64c(1);
        let num_less = self.b.bin(BinaryOp::ISub, num, one);
        let div = self.b.select(endpoint, num_less, num);
        let fdiv = self.cast_scalar(div, Dtype::Int64, dt);
        let delta = self.b.bin(BinaryOp::FSub, stop, start);
        let step = self.b.bin(BinaryOp::FDiv, delta, fdiv);
        let fzero = self.b.float(ltype(dt), 0.0);
        let step_zero = self.b.cmp(CmpOp::FEq, step, fzero);
        let div_positive = self.b.cmp(CmpOp::SGt, div, i0);
        let last = self.b.bin(BinaryOp::ISub, num, one);
        let has_last = self.b.cmp(CmpOp::SGt, num, one);
        let set_last = self.b.bin(BinaryOp::And, endpoint, has_last);
        self.fill_indexed(&arr, num, at.dtype, &mut |s, i| {
            let fi = s.cast_scalar(i, Dtype::Int64, dt);
            let by_step = s.b.bin(BinaryOp::FMul, fi, step);
            let frac = s.b.bin(BinaryOp::FDiv, fi, fdiv);
            let by_frac = s.b.bin(BinaryOp::FMul, frac, delta);
            // `div == 0` (one sample with the endpoint): `y * delta`.
            let by_delta = s.b.bin(BinaryOp::FMul, fi, delta);
            let scaled = s.b.select(step_zero, by_frac, by_step);
            let scaled = s.b.select(div_positive, scaled, by_delta);
            let y = s.b.bin(BinaryOp::FAdd, scaled, start);
            let is_last = s.b.cmp(CmpOp::Eq, i, last);
            let is_stop = s.b.bin(BinaryOp::And, is_last, set_last);
            let y = s.b.select(is_stop, stop, y);
            let y = if at.dtype.is_int() {
                s.b.emit(Inst::Math(Primitive::Floor, vec![y]))
            } else {
                y
            };
            s.cast_scalar(y, dt, at.dtype)
        });
        arr
    }

    /// `np.eye(n, m, k)`: zeros with ones on diagonal `k`.
    fn eye(&mut self, n: ValueId, m: ValueId, k: ValueId, at: &ArrayType) -> ArrayVal {
        self.check_shape(&[n, m], &[true, true], at.dtype.itemsize());
        let (arr, _) = self.alloc_array(at, vec![n, m], true);
        // Row i has its one at column i + k, for max(0, -k) <= i < min(n, m - k).
        let i0 = self.b.i64c(0);
        let neg_k = self.b.unary(crate::ir::UnaryOp::INeg, k);
        let first = self.b.bin(BinaryOp::SMax, i0, neg_k);
        let m_less = self.b.bin(BinaryOp::ISub, m, k);
        let end = self.b.bin(BinaryOp::SMin, n, m_less);
        let counter = self.b.var(crate::ir::LType::I64, "eye.i");
        self.b.begin();
        let i = self.b.get(counter);
        let j = self.b.bin(BinaryOp::IAdd, i, k);
        let row = self.b.bin(BinaryOp::IMul, i, arr.strides[0]);
        let col = self.b.bin(BinaryOp::IMul, j, arr.strides[1]);
        let offset = self.b.bin(BinaryOp::IAdd, row, col);
        let addr = self.b.emit(Inst::PtrOffset {
            addr: arr.data,
            offset,
        });
        let one = self.one(at.dtype);
        self.store_elem(addr, one, at.dtype);
        let body = self.b.end();
        let step = self.b.i64c(1);
        self.b.stmt(Stmt::ForRange {
            var: counter,
            start: first,
            stop: end,
            step,
            step_sign: StepSign::Positive,
            body,
        });
        arr
    }

    /// A new array of `src`'s elements converted to `dtype` (NumPy's casts),
    /// in the order NumPy keeps (`alloc_like`), as typeinfer typed it.
    pub(crate) fn convert_array(
        &mut self,
        src: &ArrayVal,
        sat: &ArrayType,
        dtype: Dtype,
    ) -> ArrayVal {
        let at = ArrayType {
            dtype,
            layout: sat.kept_order(),
            writable: true,
            ..*sat
        };
        let (dst, _) = self.alloc_like(src, sat, &at, false);
        let ndim = sat.ndim as usize;
        let counters: Vec<_> = (0..ndim)
            .map(|k| self.b.var(crate::ir::LType::I64, format!("astype.i{k}")))
            .collect();
        let i0 = self.b.i64c(0);
        for _ in 0..ndim {
            self.b.begin();
        }
        let mut from = src.data;
        let mut to = dst.data;
        let inner_zero = self.b.i64c(0);
        let (mut src_off, mut dst_off) = (inner_zero, inner_zero);
        for (k, counter) in counters.iter().enumerate() {
            let i = self.b.get(*counter);
            let s = self.stride(src, sat, k);
            let st = self.b.bin(BinaryOp::IMul, i, s);
            let dt = self.b.bin(BinaryOp::IMul, i, dst.strides[k]);
            src_off = self.b.bin(BinaryOp::IAdd, src_off, st);
            dst_off = self.b.bin(BinaryOp::IAdd, dst_off, dt);
        }
        if ndim > 0 {
            from = self.b.emit(Inst::PtrOffset {
                addr: from,
                offset: src_off,
            });
            to = self.b.emit(Inst::PtrOffset {
                addr: to,
                offset: dst_off,
            });
        }
        let v = self.load_elem(from, sat.dtype);
        let v = self.cast_scalar(v, sat.dtype, dtype);
        self.store_elem(to, v, dtype);
        for k in (0..ndim).rev() {
            let body = self.b.end();
            let one = self.b.i64c(1);
            self.b.stmt(Stmt::ForRange {
                var: counters[k],
                start: i0,
                stop: src.extents[k],
                step: one,
                step_sign: StepSign::Positive,
                body,
            });
        }
        dst
    }

    /// `np.array` of a (nested) tuple of numbers: its shape and elements in C order.
    fn literal_array(&mut self, v: Val, ty: &Type, at: &ArrayType) -> Val {
        let Ok((shape, _)) = typeinfer::creation::literal_shape(ty) else {
            return self.bad_creation();
        };
        let mut items = Vec::new();
        flatten_literal(v, ty, &mut items);
        let extents: Vec<ValueId> = shape.iter().map(|n| self.b.i64c(*n as i64)).collect();
        let (arr, _) = self.alloc_array(at, extents, false);
        let size = at.dtype.itemsize() as i64;
        for (k, (v, d)) in items.into_iter().enumerate() {
            let v = self.cast_scalar(v, d, at.dtype);
            let offset = self.b.i64c(k as i64 * size);
            let addr = self.b.emit(Inst::PtrOffset {
                addr: arr.data,
                offset,
            });
            self.store_elem(addr, v, at.dtype);
        }
        Val::Array(arr)
    }

    /// Stores `value(i)` at element `i` of a new C-ordered 1-d array of `len` elements.
    fn fill_indexed(
        &mut self,
        arr: &ArrayVal,
        len: ValueId,
        dtype: Dtype,
        value: &mut dyn FnMut(&mut Self, ValueId) -> ValueId,
    ) {
        let counter = self.b.var(crate::ir::LType::I64, "fill.i");
        let zero = self.b.i64c(0);
        let one = self.b.i64c(1);
        self.b.begin();
        let i = self.b.get(counter);
        let v = value(self, i);
        let size = self.b.i64c(dtype.itemsize() as i64);
        let offset = self.b.bin(BinaryOp::IMul, i, size);
        let addr = self.b.emit(Inst::PtrOffset {
            addr: arr.data,
            offset,
        });
        self.store_elem(addr, v, dtype);
        let body = self.b.end();
        self.b.stmt(Stmt::ForRange {
            var: counter,
            start: zero,
            stop: len,
            step: one,
            step_sign: StepSign::Positive,
            body,
        });
    }
}

/// The scalars of a nested tuple value, in C order, with their dtypes.
fn flatten_literal(v: Val, ty: &Type, out: &mut Vec<(ValueId, Dtype)>) {
    match (v, ty) {
        (Val::Scalar(x), Type::Scalar(d)) => out.push((x, *d)),
        (Val::Tuple(items), Type::Tuple(tys)) => {
            for (v, t) in items.into_iter().zip(tys) {
                flatten_literal(v, t, out);
            }
        }
        _ => {}
    }
}
