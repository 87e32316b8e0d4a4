//! Views and stores into them: `a[1:-1, ::2, i, None, ...]` is a new data
//! pointer, extents and strides over the same memory (`view_of` builds every
//! one, so whatever else an array value carries comes from its base), and
//! `a[...] = value` stores a scalar or a broadcast array into such a view.

use frontend::hir::{Dtype, ExceptionKind, ExprId, ExprKind, ViewFn};
use typeinfer::{
    flip_axes, index_kind, transpose_axes, view_array_type, ArrayType, IndexKind, Layout, Type,
};

use crate::builder::mem_ltype;
use crate::func::FnLower;
use crate::ir::{BinaryOp, CastOp, CmpOp, Inst, LType, StepSign, Stmt, ValueId};
use crate::values::{ArrayVal, Val};

/// One evaluated index of a view subscript.
pub(crate) enum Part {
    /// The index value and its expression (for the range analysis).
    Integer(ValueId, ExprId),
    /// `start:stop:step`, each `None` when absent (or an explicit `None`);
    /// the constant step when it is one.
    Slice([Option<ValueId>; 3], Option<i64>),
    Ellipsis,
    NewAxis,
    /// This many axes kept whole: those an array index selects along.
    Whole(usize),
}

/// An array value of the same memory as `base`: every view is made here, so
/// that it keeps the base's owner (and whatever else an array value carries).
pub(crate) fn view_of(
    base: &ArrayVal,
    data: ValueId,
    extents: Vec<ValueId>,
    strides: Vec<ValueId>,
) -> ArrayVal {
    ArrayVal {
        data,
        extents,
        strides,
        ..base.clone()
    }
}

impl FnLower<'_> {
    /// Whether `arr[indices]` selects a view rather than one element.
    pub(crate) fn selects_view(&self, arr_expr: ExprId, indices: &[ExprId]) -> bool {
        self.tf
            .coerced_type(arr_expr)
            .as_array()
            .is_some_and(|a| typeinfer::selects_view(&self.tf.hir, a.ndim, indices))
    }

    /// `arr[indices]` where it selects a view (`typeinfer::selects_view`).
    pub(crate) fn view(
        &mut self,
        arr_expr: ExprId,
        indices: &[ExprId],
    ) -> Option<(ArrayVal, ArrayType)> {
        let (base, at) = self.indexed_array(arr_expr)?;
        // Python evaluates the whole index, left to right, before indexing.
        let parts: Vec<Part> = indices.iter().map(|&i| self.index_part(i)).collect();
        let view = self.apply_parts(arr_expr, &base, &at, &parts);
        let view_at = view_array_type(&self.tf.hir, &at, indices);
        Some((view, view_at))
    }

    /// The value and type of the array `arr_expr` of a subscript.
    pub(crate) fn indexed_array(&mut self, arr_expr: ExprId) -> Option<(ArrayVal, ArrayType)> {
        let Some(at) = self.tf.coerced_type(arr_expr).as_array().copied() else {
            self.bug("slicing a value that is not an array");
            return None;
        };
        let Val::Array(base) = self.expr(arr_expr) else {
            self.bug("an array expression without an array value");
            return None;
        };
        Some((base, at))
    }

    /// The view of `base` (the value of `arr_expr`, of type `at`) that the
    /// evaluated indices `parts` select.
    pub(crate) fn apply_parts(
        &mut self,
        arr_expr: ExprId,
        base: &ArrayVal,
        at: &ArrayType,
        parts: &[Part],
    ) -> ArrayVal {
        let (base, at) = (base.clone(), *at);
        let local = match self.tf.hir.expr(arr_expr).kind {
            ExprKind::Local(l) => Some(l),
            _ => None,
        };
        let consumed: usize = parts
            .iter()
            .map(|p| match p {
                Part::Integer(..) | Part::Slice(..) => 1,
                Part::Whole(n) => *n,
                Part::Ellipsis | Part::NewAxis => 0,
            })
            .sum();
        let mut axis = 0;
        let mut offset = None;
        let mut extents = Vec::new();
        let mut strides = Vec::new();
        for part in parts {
            match part {
                Part::Integer(i, idx) => {
                    let i = self.wrap_and_check(local, axis, *idx, *i, base.extents[axis]);
                    let s = self.stride(&base, &at, axis);
                    offset = Some(self.add_offset(offset, i, s));
                    axis += 1;
                }
                Part::Slice(bounds, step) => {
                    let s = self.stride(&base, &at, axis);
                    let (start, len, stride) =
                        self.slice_axis(base.extents[axis], s, *bounds, *step);
                    offset = Some(self.add_offset(offset, start, s));
                    extents.push(len);
                    strides.push(stride);
                    axis += 1;
                }
                Part::NewAxis => {
                    extents.push(self.b.i64c(1));
                    strides.push(self.b.i64c(0));
                }
                Part::Whole(n) => {
                    for _ in 0..*n {
                        extents.push(base.extents[axis]);
                        strides.push(self.stride(&base, &at, axis));
                        axis += 1;
                    }
                }
                // The axes no integer or slice names, here.
                Part::Ellipsis => {
                    for _ in consumed..at.ndim as usize {
                        extents.push(base.extents[axis]);
                        strides.push(self.stride(&base, &at, axis));
                        axis += 1;
                    }
                }
            }
        }
        // Without `...`, the axes no index names are kept whole at the end.
        while axis < at.ndim as usize {
            extents.push(base.extents[axis]);
            strides.push(self.stride(&base, &at, axis));
            axis += 1;
        }
        let data = match offset {
            Some(offset) => self.b.emit(Inst::PtrOffset {
                addr: base.data,
                offset,
            }),
            None => base.data,
        };
        view_of(&base, data, extents, strides)
    }

    pub(crate) fn index_part(&mut self, i: ExprId) -> Part {
        match index_kind(&self.tf.hir, i) {
            IndexKind::Integer => Part::Integer(self.int64(i), i),
            IndexKind::Ellipsis => Part::Ellipsis,
            IndexKind::NewAxis => Part::NewAxis,
            IndexKind::Slice => {
                let ExprKind::Slice { lower, upper, step } = self.tf.hir.expr(i).kind else {
                    return Part::Ellipsis;
                };
                let mut value = |e: Option<ExprId>| {
                    let e = e.filter(|e| index_kind(&self.tf.hir, *e) != IndexKind::NewAxis)?;
                    Some(self.int64(e))
                };
                let bounds = [value(lower), value(upper), value(step)];
                let step_const = match step {
                    None => Some(1),
                    Some(s) if index_kind(&self.tf.hir, s) == IndexKind::NewAxis => Some(1),
                    Some(s) => self.const_int(s),
                };
                Part::Slice(bounds, step_const)
            }
        }
    }

    pub(crate) fn add_offset(
        &mut self,
        offset: Option<ValueId>,
        i: ValueId,
        stride: ValueId,
    ) -> ValueId {
        let term = self.b.bin(BinaryOp::IMul, i, stride);
        match offset {
            Some(o) => self.b.bin(BinaryOp::IAdd, o, term),
            None => term,
        }
    }

    /// Python's `slice.indices(n)` on an axis of extent `n` and byte stride `s`:
    /// the first index (a valid offset even when the slice is empty), the length
    /// and the new byte stride.
    fn slice_axis(
        &mut self,
        n: ValueId,
        s: ValueId,
        [start, stop, step]: [Option<ValueId>; 3],
        step_const: Option<i64>,
    ) -> (ValueId, ValueId, ValueId) {
        if let (None, None, Some(1)) = (start, stop, step_const) {
            // `:` keeps the axis as it is.
            return (self.b.i64c(0), n, s);
        }
        let step = match (step_const, step) {
            (Some(k), _) if k != 0 => self.b.i64c(k),
            (_, Some(step)) => {
                let zero = self.b.i64c(0);
                let is_zero = self.b.cmp(CmpOp::Eq, step, zero);
                self.raise_if(
                    is_zero,
                    ExceptionKind::ValueError,
                    "slice step cannot be zero",
                );
                step
            }
            (_, None) => self.b.i64c(1),
        };
        let (first, len) = match step_const.filter(|k| *k != 0) {
            Some(k) => {
                let (first, distance) = self.slice_bounds(n, start, stop, k < 0);
                let magnitude = self.b.i64c(k.unsigned_abs().min(i64::MAX as u64) as i64);
                (
                    first,
                    self.slice_len(distance, magnitude, k.unsigned_abs() == 1),
                )
            }
            None => {
                let zero = self.b.i64c(0);
                let positive = self.b.cmp(CmpOp::SGt, step, zero);
                let (f_up, d_up) = self.slice_bounds(n, start, stop, false);
                let (f_down, d_down) = self.slice_bounds(n, start, stop, true);
                let first = self.b.select(positive, f_up, f_down);
                let distance = self.b.select(positive, d_up, d_down);
                let negated = self.b.bin(BinaryOp::ISub, zero, step);
                let magnitude = self.b.select(positive, step, negated);
                (first, self.slice_len(distance, magnitude, false))
            }
        };
        let stride = self.b.bin(BinaryOp::IMul, s, step);
        (first, len, stride)
    }

    /// The first index and the distance to the stop (positive when the slice is
    /// not empty) of a slice going up, or down when `down`.
    fn slice_bounds(
        &mut self,
        n: ValueId,
        start: Option<ValueId>,
        stop: Option<ValueId>,
        down: bool,
    ) -> (ValueId, ValueId) {
        let zero = self.b.i64c(0);
        let minus_one = self.b.i64c(-1);
        // Clipped to 0..=n going up, -1..=n-1 going down.
        let (lo, hi) = if down {
            (minus_one, self.b.bin(BinaryOp::IAdd, n, minus_one))
        } else {
            (zero, n)
        };
        let mut clip = |v: Option<ValueId>, default: ValueId| match v {
            None => default,
            Some(v) => {
                let negative = self.b.cmp(CmpOp::SLt, v, zero);
                let from_end = self.b.bin(BinaryOp::IAdd, v, n);
                let v = self.b.select(negative, from_end, v);
                let v = self.b.bin(BinaryOp::SMax, v, lo);
                self.b.bin(BinaryOp::SMin, v, hi)
            }
        };
        if down {
            let first = clip(start, hi);
            let end = clip(stop, minus_one);
            let distance = self.b.bin(BinaryOp::ISub, first, end);
            // An empty slice going down may start at -1: keep the offset in the array.
            let first = self.b.bin(BinaryOp::SMax, first, zero);
            (first, distance)
        } else {
            let first = clip(start, zero);
            let end = clip(stop, n);
            (first, self.b.bin(BinaryOp::ISub, end, first))
        }
    }

    /// `(distance - 1) // magnitude + 1` when `distance > 0`, else 0.
    fn slice_len(&mut self, distance: ValueId, magnitude: ValueId, unit: bool) -> ValueId {
        let zero = self.b.i64c(0);
        if unit {
            return self.b.bin(BinaryOp::SMax, distance, zero);
        }
        let one = self.b.i64c(1);
        let d = self.b.bin(BinaryOp::ISub, distance, one);
        let q = self.b.bin(BinaryOp::SDiv, d, magnitude);
        let len = self.b.bin(BinaryOp::IAdd, q, one);
        let nonempty = self.b.cmp(CmpOp::SGt, distance, zero);
        self.b.select(nonempty, len, zero)
    }

    /// `arr[indices] = val` where the target is a view: a scalar goes into every
    /// element; an array is broadcast against the view (NumPy's `ValueError`
    /// when it cannot be), read through a copy when its memory overlaps the
    /// view's, and cast element by element.
    pub(crate) fn store_view(&mut self, arr_expr: ExprId, indices: &[ExprId], val: Val, ty: &Type) {
        let Some((dst, dt)) = self.view(arr_expr, indices) else {
            return;
        };
        match (val, ty) {
            (Val::Array(src), Type::Array(st)) => self.store_array(&dst, &dt, &src, st),
            (Val::Scalar(v), Type::Scalar(d)) => {
                let v = self.cast_scalar(v, *d, dt.dtype);
                let fill = |this: &mut Self, dt: &ArrayType| {
                    this.loop_nest(&dst, dt, |this, counters| {
                        let addr = this.element_at(&dst, dt, counters);
                        this.store_elem(addr, v, dt.dtype);
                    })
                };
                let (unit, unit_type) = self.unit_last_axis(&dst, &dt);
                match unit {
                    Some(unit) => {
                        self.b.begin();
                        fill(self, &unit_type);
                        let then_body = self.b.end();
                        self.b.begin();
                        fill(self, &dt);
                        let else_body = self.b.end();
                        self.b.stmt(Stmt::If {
                            cond: unit,
                            then_body,
                            else_body,
                        });
                    }
                    None => fill(self, &dt),
                }
            }
            _ => self.bug("a store into a view of a value that is neither scalar nor array"),
        }
    }

    fn store_array(&mut self, dst: &ArrayVal, dt: &ArrayType, src: &ArrayVal, st: &ArrayType) {
        let lead = dst.extents.len() - src.extents.len();
        // NumPy's check: each source extent equals the target's or is 1.
        let mut bad = Vec::new();
        let mut differ = Vec::new();
        let one = self.b.i64c(1);
        for (j, &se) in src.extents.iter().enumerate() {
            let de = dst.extents[lead + j];
            let unequal = self.b.cmp(CmpOp::Ne, se, de);
            let not_one = self.b.cmp(CmpOp::Ne, se, one);
            bad.push(self.b.bin(BinaryOp::And, unequal, not_one));
            differ.push(unequal);
        }
        if let Some(bad) = self.any(bad) {
            self.b.raise_if(
                bad,
                crate::ir::RuntimeError::Broadcast {
                    from: src.extents.clone(),
                    into: dst.extents.clone(),
                },
            );
        }
        let overlap = self.overlaps(dst, dt.dtype, src, st.dtype);
        // Overlapping memory: NumPy's result is that of reading a copy first.
        self.b.begin();
        let copy_type = ArrayType {
            layout: Layout::C,
            ..*st
        };
        let copy = self.copy_array(src, st);
        self.broadcast_store(dst, dt, &copy, &copy_type, true);
        let then_body = self.b.end();
        self.b.begin();
        // Without broadcasting, and with unit strides on the innermost axis
        // (known from the types, or tested here), the loop vectorizes.
        let (dst_unit, unit_dt) = self.unit_last_axis(dst, dt);
        let (src_unit, unit_st) = self.unit_last_axis(src, st);
        let same_shape = self.any(differ).map(|d| self.not(d));
        match self.all_of(
            [same_shape, dst_unit, src_unit]
                .into_iter()
                .flatten()
                .collect(),
        ) {
            Some(fast) => {
                self.b.begin();
                self.broadcast_store(dst, &unit_dt, src, &unit_st, false);
                let then_body = self.b.end();
                self.b.begin();
                self.broadcast_store(dst, dt, src, st, same_shape.is_some());
                let else_body = self.b.end();
                self.b.stmt(Stmt::If {
                    cond: fast,
                    then_body,
                    else_body,
                });
            }
            None => self.broadcast_store(dst, dt, src, st, false),
        }
        let else_body = self.b.end();
        self.b.stmt(Stmt::If {
            cond: overlap,
            then_body,
            else_body,
        });
    }

    /// Whether the last axis of `a`, when the loops over it run in C order and
    /// its type does not already say so, has a unit stride at run time; and the
    /// type whose `stride` is then the itemsize on that axis (layout C: `stride`
    /// is all that reads it in these loops).
    fn unit_last_axis(&mut self, a: &ArrayVal, at: &ArrayType) -> (Option<ValueId>, ArrayType) {
        let Some(last) = a.strides.last() else {
            return (None, *at);
        };
        match at.layout {
            Layout::Any => {
                let size = self.b.i64c(at.dtype.itemsize() as i64);
                let unit = self.b.cmp(CmpOp::Eq, *last, size);
                let typed = ArrayType {
                    layout: Layout::C,
                    ..*at
                };
                (Some(unit), typed)
            }
            Layout::C | Layout::F => (None, *at),
        }
    }

    fn not(&mut self, v: ValueId) -> ValueId {
        let t = self.b.boolc(true);
        self.b.bin(BinaryOp::Xor, v, t)
    }

    /// The conjunction of `parts`; `None` when there are none.
    pub(crate) fn all_of(&mut self, parts: Vec<ValueId>) -> Option<ValueId> {
        parts
            .into_iter()
            .reduce(|a, b| self.b.bin(BinaryOp::And, a, b))
    }

    /// Copies `src` into `dst` element by element; with `broadcast`, a source
    /// axis of extent 1 is read at index 0 for every index of the target's.
    fn broadcast_store(
        &mut self,
        dst: &ArrayVal,
        dt: &ArrayType,
        src: &ArrayVal,
        st: &ArrayType,
        broadcast: bool,
    ) {
        let lead = dst.extents.len() - src.extents.len();
        let zero = self.b.i64c(0);
        let one = self.b.i64c(1);
        let mut strides = Vec::new();
        for j in 0..src.extents.len() {
            let s = self.stride(src, st, j);
            strides.push(if broadcast {
                let is_one = self.b.cmp(CmpOp::Eq, src.extents[j], one);
                self.b.select(is_one, zero, s)
            } else {
                s
            });
        }
        self.loop_nest(dst, dt, |this, counters| {
            let to = this.element_at(dst, dt, counters);
            let mut offset = None;
            for (j, s) in strides.iter().enumerate() {
                offset = Some(this.add_offset(offset, counters[lead + j], *s));
            }
            let from = match offset {
                Some(offset) => this.b.emit(Inst::PtrOffset {
                    addr: src.data,
                    offset,
                }),
                None => src.data,
            };
            let v = if st.dtype == dt.dtype {
                // Copied as stored (bools as bytes).
                this.b.emit(Inst::Load {
                    ty: mem_ltype(st.dtype),
                    addr: from,
                })
            } else {
                let v = this.load_elem(from, st.dtype);
                this.cast_scalar(v, st.dtype, dt.dtype)
            };
            if st.dtype == dt.dtype {
                this.b.stmt(Stmt::Store { addr: to, value: v });
            } else {
                this.store_elem(to, v, dt.dtype);
            }
        });
    }

    /// Whether the bytes of two arrays overlap (never when either is empty).
    pub(crate) fn overlaps(&mut self, a: &ArrayVal, ad: Dtype, b: &ArrayVal, bd: Dtype) -> ValueId {
        let (a_lo, a_hi, a_empty) = self.byte_range(a, ad);
        let (b_lo, b_hi, b_empty) = self.byte_range(b, bd);
        let x = self.b.cmp(CmpOp::SLt, a_lo, b_hi);
        let y = self.b.cmp(CmpOp::SLt, b_lo, a_hi);
        let both = self.b.bin(BinaryOp::And, x, y);
        let empty = self.b.bin(BinaryOp::Or, a_empty, b_empty);
        let nonempty = self.not(empty);
        self.b.bin(BinaryOp::And, both, nonempty)
    }

    /// The lowest address, one past the highest byte, and whether it is empty.
    fn byte_range(&mut self, a: &ArrayVal, d: Dtype) -> (ValueId, ValueId, ValueId) {
        let base = self.b.cast(CastOp::PtrToInt, a.data, LType::I64);
        let zero = self.b.i64c(0);
        let one = self.b.i64c(1);
        let size = self.b.i64c(d.itemsize() as i64);
        let (mut lo, mut hi) = (base, self.b.bin(BinaryOp::IAdd, base, size));
        let mut empty = Vec::new();
        for (&n, &s) in a.extents.iter().zip(&a.strides) {
            empty.push(self.b.cmp(CmpOp::Eq, n, zero));
            let last = self.b.bin(BinaryOp::ISub, n, one);
            let span = self.b.bin(BinaryOp::IMul, last, s);
            let down = self.b.bin(BinaryOp::SMin, span, zero);
            let up = self.b.bin(BinaryOp::SMax, span, zero);
            lo = self.b.bin(BinaryOp::IAdd, lo, down);
            hi = self.b.bin(BinaryOp::IAdd, hi, up);
        }
        let empty = self.any(empty).unwrap_or_else(|| self.b.boolc(false));
        (lo, hi, empty)
    }

    /// The address of element `counters` of `a`.
    pub(crate) fn element_at(
        &mut self,
        a: &ArrayVal,
        at: &ArrayType,
        counters: &[ValueId],
    ) -> ValueId {
        let mut offset = None;
        for (k, &i) in counters.iter().enumerate() {
            let s = self.stride(a, at, k);
            offset = Some(self.add_offset(offset, i, s));
        }
        match offset {
            Some(offset) => self.b.emit(Inst::PtrOffset {
                addr: a.data,
                offset,
            }),
            None => a.data,
        }
    }

    /// Runs `body` with the index of every element of `a`, the unit-stride axis
    /// innermost (the last for C and A, the first for F).
    pub(crate) fn loop_nest(
        &mut self,
        a: &ArrayVal,
        at: &ArrayType,
        body: impl FnOnce(&mut Self, &[ValueId]),
    ) {
        let ndim = a.extents.len();
        let order: Vec<usize> = match at.layout {
            Layout::F => (0..ndim).rev().collect(),
            _ => (0..ndim).collect(),
        };
        self.index_loops(&a.extents, &order, body);
    }

    /// Runs `body` with every index below `extents`, the loops nested in
    /// `order` (outermost first).
    pub(crate) fn index_loops(
        &mut self,
        extents: &[ValueId],
        order: &[usize],
        body: impl FnOnce(&mut Self, &[ValueId]),
    ) {
        let ndim = extents.len();
        let counters: Vec<_> = (0..ndim)
            .map(|k| self.b.var(LType::I64, format!("view.i{k}")))
            .collect();
        let zero = self.b.i64c(0);
        let one = self.b.i64c(1);
        for _ in 0..ndim {
            self.b.begin();
        }
        let values: Vec<ValueId> = counters.iter().map(|c| self.b.get(*c)).collect();
        body(self, &values);
        for &k in order.iter().rev() {
            let body = self.b.end();
            self.b.stmt(Stmt::ForRange {
                var: counters[k],
                start: zero,
                stop: extents[k],
                step: one,
                step_sign: StepSign::Positive,
                body,
            });
        }
    }
}

impl FnLower<'_> {
    /// `a.T`, `a.real`, `a.imag` of an array `a` of type `at`.
    pub(crate) fn view_attribute(&mut self, a: &ArrayVal, at: &ArrayType, attr: &str) -> Val {
        match attr {
            "T" => Val::Array(view_of(
                a,
                a.data,
                a.extents.iter().rev().copied().collect(),
                a.strides.iter().rev().copied().collect(),
            )),
            "real" | "imag" if at.dtype.is_complex() => {
                let data = if attr == "imag" {
                    let half = self.b.i64c(at.dtype.itemsize() as i64 / 2);
                    self.b.emit(Inst::PtrOffset {
                        addr: a.data,
                        offset: half,
                    })
                } else {
                    a.data
                };
                Val::Array(view_of(a, data, a.extents.clone(), a.strides.clone()))
            }
            // `.real` of a real array is the array itself.
            _ => Val::Array(a.clone()),
        }
    }

    /// `np.transpose`, `np.reshape`, `np.ravel`, `np.flip` and the methods of
    /// the same names (and `flatten`): `rest` are the arguments after the array.
    pub(crate) fn view_call(
        &mut self,
        op: ViewFn,
        array: ExprId,
        rest: &[ExprId],
        ty: &Type,
    ) -> Val {
        let (Some(at), Some(rt)) = (
            self.tf.coerced_type(array).as_array().copied(),
            ty.as_array().copied(),
        ) else {
            self.bug("a view call without array types");
            return Val::Unit;
        };
        let Val::Array(a) = self.expr(array) else {
            self.bug("an array expression without an array value");
            return Val::Unit;
        };
        let hir = &self.tf.hir;
        match op {
            ViewFn::Transpose => {
                let axes = transpose_axes(hir, at.ndim, rest);
                let strides: Vec<ValueId> = axes.iter().map(|&k| self.stride(&a, &at, k)).collect();
                let extents = axes.iter().map(|&k| a.extents[k]).collect();
                Val::Array(view_of(&a, a.data, extents, strides))
            }
            ViewFn::Flip => {
                let axes = flip_axes(hir, at.ndim, rest.first().copied());
                let zero = self.b.i64c(0);
                let one = self.b.i64c(1);
                let mut offset = None;
                let mut strides = Vec::new();
                for k in 0..at.ndim as usize {
                    let s = self.stride(&a, &at, k);
                    if axes.contains(&k) {
                        // Starts at the last element (the first when empty), steps back.
                        let last = self.b.bin(BinaryOp::ISub, a.extents[k], one);
                        let last = self.b.bin(BinaryOp::SMax, last, zero);
                        offset = Some(self.add_offset(offset, last, s));
                        strides.push(self.b.bin(BinaryOp::ISub, zero, s));
                    } else {
                        strides.push(s);
                    }
                }
                let data = match offset {
                    Some(offset) => self.b.emit(Inst::PtrOffset {
                        addr: a.data,
                        offset,
                    }),
                    None => a.data,
                };
                Val::Array(view_of(&a, data, a.extents.clone(), strides))
            }
            ViewFn::Reshape => {
                let extents = self.new_shape(&a, rest);
                self.reshaped(&a, &at, &rt, extents, false)
            }
            ViewFn::Ravel | ViewFn::Flatten => {
                let size = self.product(&a.extents);
                self.reshaped(&a, &at, &rt, vec![size], op == ViewFn::Flatten)
            }
        }
    }

    /// The extents `reshape`'s arguments ask for, with an unknown (negative)
    /// one worked out; raises NumPy's errors.
    fn new_shape(&mut self, a: &ArrayVal, rest: &[ExprId]) -> Vec<ValueId> {
        let dims: Vec<ValueId> = match rest {
            [one] if matches!(self.tf.coerced_type(*one), Type::Tuple(_)) => {
                let Type::Tuple(items) = self.tf.coerced_type(*one).clone() else {
                    return Vec::new();
                };
                let Val::Tuple(vals) = self.expr(*one) else {
                    self.bug("a shape tuple without a tuple value");
                    return Vec::new();
                };
                vals.into_iter()
                    .zip(items)
                    .map(|(v, t)| {
                        let v = self.scalar_of(v);
                        self.cast_scalar(v, t.as_scalar().unwrap_or(Dtype::Int64), Dtype::Int64)
                    })
                    .collect()
            }
            _ => rest.iter().map(|&r| self.int64(r)).collect(),
        };
        let size = self.product(&a.extents);
        let zero = self.b.i64c(0);
        let one = self.b.i64c(1);
        let unknown: Vec<ValueId> = dims
            .iter()
            .map(|&d| self.b.cmp(CmpOp::SLt, d, zero))
            .collect();
        // At most one unknown: their count, as an i64, is at most 1.
        let mut count = zero;
        for &u in &unknown {
            let u = self.b.cast(CastOp::ZExt, u, LType::I64);
            count = self.b.bin(BinaryOp::IAdd, count, u);
        }
        if dims.len() > 1 {
            let several = self.b.cmp(CmpOp::SGt, count, one);
            self.raise_if(
                several,
                ExceptionKind::ValueError,
                "can only specify one unknown dimension",
            );
        }
        let mut known = one;
        for (&d, &u) in dims.iter().zip(&unknown) {
            let factor = self.b.select(u, one, d);
            known = self.b.bin(BinaryOp::IMul, known, factor);
        }
        let has_unknown = self.b.cmp(CmpOp::SGt, count, zero);
        let known_zero = self.b.cmp(CmpOp::Eq, known, zero);
        let divisor = self.b.select(known_zero, one, known);
        let rem = self.b.bin(BinaryOp::SRem, size, divisor);
        let uneven = self.b.cmp(CmpOp::Ne, rem, zero);
        let bad_unknown = self.b.bin(BinaryOp::Or, known_zero, uneven);
        let bad_known = self.b.cmp(CmpOp::Ne, known, size);
        let bad = self.b.select(has_unknown, bad_unknown, bad_known);
        self.b.raise_if(
            bad,
            crate::ir::RuntimeError::Reshape {
                size,
                into: dims.clone(),
            },
        );
        let missing = self.b.bin(BinaryOp::SDiv, size, divisor);
        dims.iter()
            .zip(&unknown)
            .map(|(&d, &u)| self.b.select(u, missing, d))
            .collect()
    }

    /// `a` with new C-ordered `extents` of the same size: a view of `a` when it
    /// is C-contiguous (and `copy` is false), else of a C-ordered copy.
    fn reshaped(
        &mut self,
        a: &ArrayVal,
        at: &ArrayType,
        rt: &ArrayType,
        extents: Vec<ValueId>,
        copy: bool,
    ) -> Val {
        let strides = crate::values::c_strides(&mut self.b, &extents, at.dtype.itemsize());
        let contiguous = match (copy, at.layout) {
            (true, _) => None,
            (false, Layout::C) => {
                return Val::Array(view_of(a, a.data, extents, strides));
            }
            (false, _) => Some(self.contiguous(a, at, false)),
        };
        let Some(contiguous) = contiguous else {
            let c = self.copy_array(a, at);
            return Val::Array(view_of(&c, c.data, extents, strides));
        };
        let slot = crate::values::Slot::new(&mut self.b, &Type::Array(*rt), "reshape");
        self.b.begin();
        let c = self.copy_array(a, at);
        slot.write(
            &mut self.b,
            &Val::Array(view_of(&c, c.data, extents.clone(), strides.clone())),
        );
        let copied = self.b.end();
        match Some(contiguous) {
            None => {}
            Some(contiguous) => {
                self.b.begin();
                slot.write(
                    &mut self.b,
                    &Val::Array(view_of(a, a.data, extents, strides)),
                );
                let viewed = self.b.end();
                self.b.stmt(Stmt::If {
                    cond: contiguous,
                    then_body: viewed,
                    else_body: copied,
                });
            }
        }
        slot.read_for_statement(&mut self.b)
    }
}
