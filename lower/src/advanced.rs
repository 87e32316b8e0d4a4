//! Advanced indexing (`a[mask]`, `a[idx]`, `a[:, idx] = v`, `a[m] += 1`):
//! one array index per subscript, its placement decided by typeinfer's
//! `advanced_index`.
//!
//! The other indices make a view of the array in which the array index's
//! axes are kept whole (`Selection::view`); the index is read element by
//! element (`Elements`), so a mask or index that is an expression
//! (`a[a > 0]`, `a[(a > 0) & (b < 1)]`, `a[idx + 1]`) is never stored: it is
//! computed once per pass. A mask takes two passes: one counts its true
//! elements (the result's extent), one visits them. An integer index takes a
//! pass of checks first (NumPy checks every index before anything is read or
//! written, an empty result too), then wraps negative indices as it goes.
//!
//! Reads give a new C-ordered array. Writes follow NumPy: the value is
//! evaluated before the target, broadcast to the result's shape, and read
//! through a copy when its memory (or the index's) overlaps the array; an
//! augmented update through integers is buffered (`a[idx] += 1` adds once
//! per distinct index: the current elements are gathered first).

use frontend::hir::{BinOp, Dtype, ExprId, NonzeroFn};
use library::{Emit, Order, Value};
use typeinfer::{advanced_index, AdvancedIndex, ArrayType, Layout, Type};

use crate::builder::mem_ltype;
use crate::elementwise::Elements;
use crate::func::FnLower;
use crate::ir::{BinaryOp, CastOp, CmpOp, Inst, LType, RuntimeError, Stmt, ValueId};
use crate::values::{ArrayVal, Val};
use crate::views::Part;

/// An evaluated subscript with one array index, but for the index itself.
struct Selection {
    adv: AdvancedIndex,
    /// The array with the other indices applied: the kept axes before the
    /// index's, the `spans` axes it selects along, the kept axes after.
    view: ArrayVal,
    /// Its type (layout `A`: strides are read at run time).
    view_type: ArrayType,
    /// The dtype of the index's elements.
    index_dtype: Dtype,
}

impl FnLower<'_> {
    /// The array index of `arr[indices]`, when it has one.
    pub(crate) fn advanced(&self, arr_expr: ExprId, indices: &[ExprId]) -> Option<AdvancedIndex> {
        let at = self.tf.coerced_type(arr_expr).as_array()?;
        let types: Vec<Option<ArrayType>> = indices
            .iter()
            .map(|&i| self.tf.expr_type(i).as_array().copied())
            .collect();
        advanced_index(&self.tf.hir, at.ndim, indices, &types)
    }

    /// Evaluates the array and the indices, left to right (the array index
    /// as elements), and makes the view the other indices select.
    fn select(
        &mut self,
        arr_expr: ExprId,
        indices: &[ExprId],
        adv: AdvancedIndex,
    ) -> Option<(Selection, Elements)> {
        let (base, at) = self.indexed_array(arr_expr)?;
        let mut parts = Vec::new();
        let mut index = None;
        for (k, &i) in indices.iter().enumerate() {
            if k == adv.position {
                index = Some(self.elements_of(i));
                parts.push(Part::Whole(adv.spans));
            } else {
                parts.push(self.index_part(i));
            }
        }
        let index = index?;
        let index_dtype = self.tf.expr_type(indices[adv.position]).as_array()?.dtype;
        let view = self.apply_parts(arr_expr, &base, &at, &parts);
        let view_type = ArrayType {
            ndim: view.extents.len() as u8,
            layout: Layout::Any,
            ..at
        };
        self.check_index(&adv, &view, &index, index_dtype);
        Some((
            Selection {
                adv,
                view,
                view_type,
                index_dtype,
            },
            index,
        ))
    }

    /// NumPy's checks of the index against the axes it selects along: a
    /// mask's shape, every integer's range (before any element is touched).
    fn check_index(
        &mut self,
        adv: &AdvancedIndex,
        view: &ArrayVal,
        index: &Elements,
        index_dtype: Dtype,
    ) {
        let selected = &view.extents[adv.kept_before..adv.kept_before + adv.spans];
        if adv.mask {
            for (j, (&size, &mask)) in selected.iter().zip(&index.extents).enumerate() {
                let differ = self.b.cmp(CmpOp::Ne, size, mask);
                self.b.raise_if(
                    differ,
                    RuntimeError::MaskShape {
                        axis: (adv.axis + j) as u32,
                        size,
                        mask,
                    },
                );
            }
            return;
        }
        let n = selected[0];
        let order: Vec<usize> = (0..index.extents.len()).collect();
        let extents = index.extents.clone();
        self.index_loops(&extents, &order, |this, counters| {
            let i = this.element_at_index(index, counters);
            let i = this.cast_scalar(i, index_dtype, Dtype::Int64);
            let wrapped = this.wrap_index(i, n);
            let out = this.b.cmp(CmpOp::UGe, wrapped, n);
            this.b.raise_if(
                out,
                RuntimeError::IndexOutOfBounds {
                    index: i,
                    axis: adv.axis as u32,
                    size: n,
                },
            );
        });
    }

    /// `i + n` when `i` is negative, else `i`.
    fn wrap_index(&mut self, i: ValueId, n: ValueId) -> ValueId {
        let zero = self.b.i64c(0);
        let negative = self.b.cmp(CmpOp::SLt, i, zero);
        let from_end = self.b.bin(BinaryOp::IAdd, i, n);
        self.b.select(negative, from_end, i)
    }

    /// The number of true elements of a mask.
    fn count_true(&mut self, index: &Elements) -> ValueId {
        let count = self.b.var(LType::I64, "mask.count");
        let zero = self.b.i64c(0);
        self.b.set(count, zero);
        let order: Vec<usize> = (0..index.extents.len()).collect();
        let extents = index.extents.clone();
        self.index_loops(&extents, &order, |this, counters| {
            let m = this.element_at_index(index, counters);
            let m = this.b.cast(CastOp::ZExt, m, LType::I64);
            let c = this.b.get(count);
            let c = this.b.bin(BinaryOp::IAdd, c, m);
            this.b.set(count, c);
        });
        self.b.get(count)
    }

    /// The result's shape: the index's axes (or the mask's count) placed
    /// among the kept axes as NumPy places them.
    fn result_extents(&mut self, sel: &Selection, index: &Elements) -> Vec<ValueId> {
        let adv = &sel.adv;
        let selected: Vec<ValueId> = if adv.mask {
            vec![self.count_true(index)]
        } else {
            index.extents.clone()
        };
        let before = &sel.view.extents[..adv.kept_before];
        let after = &sel.view.extents[adv.kept_before + adv.spans..];
        if adv.first {
            [&selected[..], before, after].concat()
        } else {
            [before, &selected[..], after].concat()
        }
    }

    /// Runs `body` with the index in the result and the address in the array
    /// of every element the subscript selects.
    fn for_each_selected(
        &mut self,
        sel: &Selection,
        index: &Elements,
        result: &[ValueId],
        body: &mut dyn FnMut(&mut Self, &[ValueId], ValueId),
    ) {
        let adv = sel.adv;
        let kb = adv.kept_before;
        let strides: Vec<ValueId> = (0..sel.view.extents.len())
            .map(|k| self.stride(&sel.view, &sel.view_type, k))
            .collect();
        // The address of the element at these kept and selected indices.
        let address = |this: &mut Self, kept: &[ValueId], selected: &[ValueId]| {
            let mut offset = None;
            let axes = kept[..kb]
                .iter()
                .chain(selected)
                .chain(&kept[kb..])
                .zip(&strides);
            for (&i, &s) in axes {
                offset = Some(this.add_offset(offset, i, s));
            }
            match offset {
                Some(offset) => this.b.emit(Inst::PtrOffset {
                    addr: sel.view.data,
                    offset,
                }),
                None => sel.view.data,
            }
        };
        // The result's index from the kept indices and the selected ones.
        let place = |kept: &[ValueId], selected: &[ValueId]| -> Vec<ValueId> {
            if adv.first {
                [selected, kept].concat()
            } else {
                [&kept[..kb], selected, &kept[kb..]].concat()
            }
        };
        if !adv.mask {
            let n = sel.view.extents[kb];
            let r = adv.result_axes;
            let order: Vec<usize> = (0..result.len()).collect();
            self.index_loops(result, &order, |this, counters| {
                let (picked, kept) = if adv.first {
                    (counters[..r].to_vec(), counters[r..].to_vec())
                } else {
                    let kept = [&counters[..kb], &counters[kb + r..]].concat();
                    (counters[kb..kb + r].to_vec(), kept)
                };
                let i = this.element_at_index(index, &picked);
                let i = this.cast_scalar(i, sel.index_dtype, Dtype::Int64);
                let i = this.wrap_index(i, n);
                let addr = address(this, &kept, &[i]);
                body(this, &place(&kept, &picked), addr);
            });
            return;
        }
        // A mask: its true elements in C order, numbered by a running count.
        let count = self.b.var(LType::I64, "mask.k");
        let zero = self.b.i64c(0);
        self.b.set(count, zero);
        let kept_extents: Vec<ValueId> = sel.view.extents[..kb]
            .iter()
            .chain(&sel.view.extents[kb + adv.spans..])
            .copied()
            .collect();
        let mask_order: Vec<usize> = (0..index.extents.len()).collect();
        let kept_order: Vec<usize> = (0..kept_extents.len()).collect();
        let mask_extents = index.extents.clone();
        self.index_loops(&mask_extents, &mask_order, |this, at| {
            let m = this.element_at_index(index, at);
            this.b.begin();
            let k = this.b.get(count);
            this.index_loops(&kept_extents, &kept_order, |this, kept| {
                let addr = address(this, kept, at);
                body(this, &place(kept, &[k]), addr);
            });
            let one = this.b.i64c(1);
            let next = this.b.bin(BinaryOp::IAdd, k, one);
            this.b.set(count, next);
            let then_body = this.b.end();
            this.b.stmt(Stmt::If {
                cond: m,
                then_body,
                else_body: Vec::new(),
            });
        });
    }

    /// `arr[indices]` with an array index: a new C-ordered array.
    pub(crate) fn advanced_read(
        &mut self,
        arr_expr: ExprId,
        indices: &[ExprId],
        adv: AdvancedIndex,
    ) -> Val {
        let Some((sel, index)) = self.select(arr_expr, indices, adv) else {
            return Val::Unit;
        };
        let result = self.result_extents(&sel, &index);
        let (out, _) = self.gather(&sel, &index, result);
        Val::Array(out)
    }

    /// The selected elements, copied into a new C-ordered array of shape `result`.
    fn gather(
        &mut self,
        sel: &Selection,
        index: &Elements,
        result: Vec<ValueId>,
    ) -> (ArrayVal, ArrayType) {
        let out_type = ArrayType {
            ndim: result.len() as u8,
            layout: Layout::C,
            writable: true,
            ..sel.view_type
        };
        let (out, _) = self.alloc_array(&out_type, result.clone(), false);
        let dtype = out_type.dtype;
        self.for_each_selected(sel, index, &result, &mut |this, at, addr| {
            // Copied as stored (bools as bytes).
            let v = this.b.emit(Inst::Load {
                ty: mem_ltype(dtype),
                addr,
            });
            let to = this.element_at(&out, &out_type, at);
            this.b.stmt(Stmt::Store { addr: to, value: v });
        });
        (out, out_type)
    }

    /// `arr[indices] = value` with an array index.
    pub(crate) fn advanced_store(
        &mut self,
        arr_expr: ExprId,
        indices: &[ExprId],
        adv: AdvancedIndex,
        value: ExprId,
    ) {
        // Python evaluates the value before the target.
        let values = self.elements_of(value);
        let Some((sel, index)) = self.select(arr_expr, indices, adv) else {
            return;
        };
        let value_ndim = values.extents.len();
        // A number through a mask needs no count: the result's shape is unused.
        let result = if value_ndim == 0 && adv.mask {
            Vec::new()
        } else {
            self.result_extents(&sel, &index)
        };
        let whole_mask = adv.mask && indices.len() == 1 && adv.spans == sel.view.extents.len();
        if value_ndim > 0 {
            if whole_mask {
                self.check_mask_values(&values, result[0]);
            } else {
                self.check_index_shape(&values, &result);
            }
        }
        let d = match self.tf.coerced_type(value) {
            Type::Array(a) => a.dtype,
            Type::Scalar(s) => *s,
            _ => {
                return self
                    .bug("storing through an array index a value that is not a number or an array")
            }
        };
        let dtype = sel.view_type.dtype;
        let in_place = whole_mask;
        self.unaliased(&index, &sel, in_place, &mut |this, index| {
            this.unaliased(&values, &sel, false, &mut |this, values| {
                this.for_each_selected(&sel, index, &result, &mut |this, at, addr| {
                    let v = this.element_at_index(values, at);
                    let v = this.child_element(value, v, d);
                    let v = this.cast_scalar(v, d, dtype);
                    this.store_elem(addr, v, dtype);
                });
            });
        });
    }

    /// `arr[indices] op= value` with an array index: NumPy's buffered
    /// update, `arr[indices] = arr[indices] op value`.
    pub(crate) fn advanced_update(
        &mut self,
        arr_expr: ExprId,
        indices: &[ExprId],
        adv: AdvancedIndex,
        op: BinOp,
        value: ExprId,
    ) {
        let Some((sel, index)) = self.select(arr_expr, indices, adv) else {
            return;
        };
        let result = self.result_extents(&sel, &index);
        // Integers may repeat: every update reads the elements as they were.
        let current = (!adv.mask).then(|| self.gather(&sel, &index, result.clone()));
        let values = self.elements_of(value);
        self.check_output_shape(&result, &values.extents);
        let d =
            match self.tf.coerced_type(value) {
                Type::Array(a) => a.dtype,
                Type::Scalar(s) => *s,
                _ => return self.bug(
                    "updating through an array index with a value that is not a number or an array",
                ),
            };
        let dtype = sel.view_type.dtype;
        let in_place = adv.mask && indices.len() == 1 && adv.spans == sel.view.extents.len();
        self.unaliased(&index, &sel, in_place, &mut |this, index| {
            this.unaliased(&values, &sel, false, &mut |this, values| {
                this.for_each_selected(&sel, index, &result, &mut |this, at, addr| {
                    let cur = match &current {
                        Some((buffer, bt)) => {
                            let from = this.element_at(buffer, bt, at);
                            this.load_elem(from, dtype)
                        }
                        None => this.load_elem(addr, dtype),
                    };
                    let cur = this.cast_scalar(cur, dtype, d);
                    let v = this.element_at_index(values, at);
                    let v = this.child_element(value, v, d);
                    let r = this.element_binary(op, cur, v, d);
                    let r = this.cast_scalar(r, d, dtype);
                    this.store_elem(addr, r, dtype);
                });
            });
        });
    }

    /// NumPy's rule for a value stored through a mask of the array's shape
    /// (`a[mask] = v`): `v` (one axis: typeinfer refuses more) has one
    /// element or as many as the mask's true count.
    fn check_mask_values(&mut self, values: &Elements, count: ValueId) {
        let n = values.extents[0];
        let one = self.b.i64c(1);
        let not_one = self.b.cmp(CmpOp::Ne, n, one);
        let not_count = self.b.cmp(CmpOp::Ne, n, count);
        let bad = self.b.bin(BinaryOp::And, not_one, not_count);
        self.b
            .raise_if(bad, RuntimeError::MaskValues { values: n, count });
    }

    /// NumPy's check that a stored value broadcasts to the result's shape.
    fn check_index_shape(&mut self, values: &Elements, result: &[ValueId]) {
        let mut bad = Vec::new();
        if values.extents.len() > result.len() {
            bad.push(self.b.boolc(true));
        }
        let one = self.b.i64c(1);
        let lead = result.len().saturating_sub(values.extents.len());
        let value_lead = values.extents.len().saturating_sub(result.len());
        for (k, &v) in values.extents[value_lead..].iter().enumerate() {
            let unequal = self.b.cmp(CmpOp::Ne, v, result[lead + k]);
            let not_one = self.b.cmp(CmpOp::Ne, v, one);
            bad.push(self.b.bin(BinaryOp::And, unequal, not_one));
        }
        if let Some(bad) = self.any(bad) {
            self.b.raise_if(
                bad,
                RuntimeError::IndexShape {
                    from: values.extents.clone(),
                    into: result.to_vec(),
                },
            );
        }
    }

    /// Runs `body` with `elements`, or, when an array they read overlaps
    /// the selection's array at run time, with a copy of them made first
    /// (NumPy's result: a value or index is read whole before the write).
    /// `in_place`: the elements are a mask of the whole array, read at the
    /// position written just before it is written, so an operand that is
    /// the array itself (`a[a > 0] = 0`) needs no copy.
    fn unaliased(
        &mut self,
        elements: &Elements,
        sel: &Selection,
        in_place: bool,
        body: &mut dyn FnMut(&mut Self, &Elements),
    ) {
        let arrays = elements.arrays();
        let dtype = sel.view_type.dtype;
        let mut overlaps = Vec::new();
        for (a, ad) in arrays {
            let overlap = self.overlaps(&sel.view, dtype, &a, ad);
            overlaps.push(if in_place && ad == dtype {
                let same = self.same_array(&sel.view, &a);
                let other = self.b.unary(crate::ir::UnaryOp::Not, same);
                self.b.bin(BinaryOp::And, overlap, other)
            } else {
                overlap
            });
        }
        let Some(overlap) = self.any(overlaps) else {
            return body(self, elements);
        };
        self.b.begin();
        let stored = self.elements_dtype(elements);
        let (copy, copy_ty) = self.store_elements(elements, stored);
        let copied = self.elements_of_array(copy, copy_ty, stored, elements.root());
        body(self, &copied);
        let then_body = self.b.end();
        self.b.begin();
        body(self, elements);
        let else_body = self.b.end();
        self.b.stmt(Stmt::If {
            cond: overlap,
            then_body,
            else_body,
        });
    }

    /// Whether `a` and `b` are the same elements in the same places: data,
    /// extents and strides equal (the same rank is for the caller to know).
    fn same_array(&mut self, a: &ArrayVal, b: &ArrayVal) -> ValueId {
        if a.extents.len() != b.extents.len() {
            return self.b.boolc(false);
        }
        let pa = self.b.cast(CastOp::PtrToInt, a.data, LType::I64);
        let pb = self.b.cast(CastOp::PtrToInt, b.data, LType::I64);
        let mut parts = vec![self.b.cmp(CmpOp::Eq, pa, pb)];
        for (x, y) in a
            .extents
            .iter()
            .chain(&a.strides)
            .zip(b.extents.iter().chain(&b.strides))
        {
            parts.push(self.b.cmp(CmpOp::Eq, *x, *y));
        }
        self.all_of(parts).unwrap_or_else(|| self.b.boolc(true))
    }
}

impl FnLower<'_> {
    /// `np.nonzero`, `np.flatnonzero`, `np.argwhere` of `args[0]`: one pass
    /// counts the nonzero elements, one stores their indices (C order).
    pub(crate) fn nonzero_call(&mut self, f: NonzeroFn, args: &[ExprId]) -> Val {
        let [a] = args else {
            self.bug("np.nonzero without its one argument");
            return Val::Unit;
        };
        let elements = self.elements_of(*a);
        let d = self.elements_dtype(&elements);
        let zero = ValueId(Emit::constant(self, d, 0.0).0);
        let nonzero = |this: &mut Self, x: ValueId| {
            ValueId(Emit::compare(this, Order::Ne, d, Value(x.0), Value(zero.0)).0)
        };
        let count = self.b.var(LType::I64, "nonzero.count");
        let start = self.b.i64c(0);
        self.b.set(count, start);
        self.for_each_element(&elements, &mut |this, _, x| {
            let t = nonzero(this, x);
            let t = this.b.cast(CastOp::ZExt, t, LType::I64);
            let c = this.b.get(count);
            let c = this.b.bin(BinaryOp::IAdd, c, t);
            this.b.set(count, c);
        });
        let n = self.b.get(count);
        let ndim = elements.extents.len();
        let int64 = |ndim: u8| ArrayType {
            dtype: Dtype::Int64,
            ndim,
            layout: Layout::C,
            writable: true,
        };
        let outs: Vec<(ArrayVal, ArrayType)> = match f {
            NonzeroFn::Nonzero => (0..ndim)
                .map(|_| (self.alloc_array(&int64(1), vec![n], false).0, int64(1)))
                .collect(),
            NonzeroFn::Flatnonzero => {
                vec![(self.alloc_array(&int64(1), vec![n], false).0, int64(1))]
            }
            NonzeroFn::Argwhere => {
                let width = self.b.i64c(ndim as i64);
                vec![(
                    self.alloc_array(&int64(2), vec![n, width], false).0,
                    int64(2),
                )]
            }
        };
        let k = self.b.var(LType::I64, "nonzero.k");
        let flat = self.b.var(LType::I64, "nonzero.flat");
        let start = self.b.i64c(0);
        self.b.set(k, start);
        self.b.set(flat, start);
        self.for_each_element(&elements, &mut |this, counters, x| {
            let t = nonzero(this, x);
            this.b.begin();
            let at = this.b.get(k);
            let i = this.b.get(flat);
            match f {
                NonzeroFn::Nonzero => {
                    for ((out, ot), &c) in outs.iter().zip(counters) {
                        let addr = this.element_at(out, ot, &[at]);
                        this.b.stmt(Stmt::Store { addr, value: c });
                    }
                }
                NonzeroFn::Flatnonzero => {
                    let (out, ot) = &outs[0];
                    let addr = this.element_at(out, ot, &[at]);
                    this.b.stmt(Stmt::Store { addr, value: i });
                }
                NonzeroFn::Argwhere => {
                    let (out, ot) = &outs[0];
                    for (j, &c) in counters.iter().enumerate() {
                        let col = this.b.i64c(j as i64);
                        let addr = this.element_at(out, ot, &[at, col]);
                        this.b.stmt(Stmt::Store { addr, value: c });
                    }
                }
            }
            let one = this.b.i64c(1);
            let next = this.b.bin(BinaryOp::IAdd, at, one);
            this.b.set(k, next);
            let then_body = this.b.end();
            this.b.stmt(Stmt::If {
                cond: t,
                then_body,
                else_body: Vec::new(),
            });
            let one = this.b.i64c(1);
            let i = this.b.get(flat);
            let next = this.b.bin(BinaryOp::IAdd, i, one);
            this.b.set(flat, next);
        });
        let mut arrays = outs.into_iter().map(|(o, _)| Val::Array(o));
        match f {
            NonzeroFn::Nonzero => Val::Tuple(arrays.collect()),
            NonzeroFn::Flatnonzero | NonzeroFn::Argwhere => arrays.next().unwrap_or(Val::Unit),
        }
    }
}
