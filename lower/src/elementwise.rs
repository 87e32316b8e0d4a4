//! Array expressions (`a * b + 1.0`, `np.sqrt(x)`), lowered into one loop nest
//! over the broadcast shape that computes each element of the result from the
//! elements of the operands: no intermediate array is ever made.
//!
//! Before the loop, the operands (the leaves of the expression tree: arrays,
//! numbers, anything not computed element by element) are evaluated in
//! Python's order, and the shapes are checked node by node, in the order NumPy
//! would evaluate the operations, so a mismatch raises NumPy's error for the
//! first operation that fails.

use frontend::hir::{
    BinOp, Callee, CmpOp as PyCmp, Dtype, ExprId, ExprKind, KnownFunction, LibFn,
    UnaryOp as PyUnary,
};
use library::{Emit, Order, Signature, Value};
use typeinfer::{ArrayType, Layout, Type};

use crate::func::FnLower;
use crate::ir::{BinaryOp, CmpOp, RuntimeError, Stmt, UnaryOp, ValueId};
use crate::values::{ArrayVal, Val};

/// An operand of the expression, evaluated before the loop.
enum Operand {
    /// Read element by element at the broadcast index: its value, its type,
    /// the dtype its elements are read as, its strides, and its strides with
    /// the broadcast axes (extent 1) zeroed.
    Array {
        value: ArrayVal,
        ty: ArrayType,
        read_as: Dtype,
        strides: Vec<ValueId>,
        broadcast_strides: Vec<ValueId>,
    },
    /// The same number for every element (already converted).
    Scalar(ValueId),
}

/// The operands, in evaluation order (a list: a deterministic order makes
/// deterministic IR, and expressions are small).
fn operand_of(operands: &[(ExprId, Operand)], e: ExprId) -> Option<&Operand> {
    operands
        .iter()
        .find_map(|(id, op)| (*id == e).then_some(op))
}

/// An array or array expression ready to be read element by element.
pub(crate) struct Elements {
    root: ExprId,
    operands: Vec<(ExprId, Operand)>,
    /// The shape.
    pub(crate) extents: Vec<ValueId>,
    /// `Some(None)`: no operand is broadcast; `Some(Some(c))`: none is when
    /// `c` holds at run time; `None`: one may be.
    same_shape: Option<Option<ValueId>>,
}

impl Elements {
    /// The expression the elements are of.
    pub(crate) fn root(&self) -> ExprId {
        self.root
    }

    /// The arrays the elements read, with their dtypes.
    pub(crate) fn arrays(&self) -> Vec<(ArrayVal, Dtype)> {
        self.operands
            .iter()
            .filter_map(|(_, op)| match op {
                Operand::Array { value, ty, .. } => Some((value.clone(), ty.dtype)),
                Operand::Scalar(_) => None,
            })
            .collect()
    }
}

impl FnLower<'_> {
    /// The dtype `for_each_element` gives the elements in: an expression's
    /// own, an operand's as its consumer reads it.
    pub(crate) fn elements_dtype(&self, elements: &Elements) -> Dtype {
        match operand_of(&elements.operands, elements.root) {
            Some(Operand::Array { read_as, .. }) => *read_as,
            _ => self
                .tf
                .expr_type(elements.root)
                .as_array()
                .or(self.tf.coerced_type(elements.root).as_array())
                .map_or(Dtype::Float64, |a| a.dtype),
        }
    }

    /// The children of an element-by-element node, in evaluation order.
    fn element_children(&self, e: ExprId) -> Vec<ExprId> {
        match &self.tf.hir.expr(e).kind {
            ExprKind::Binary { lhs, rhs, .. } => vec![*lhs, *rhs],
            ExprKind::Unary { operand, .. } => vec![*operand],
            ExprKind::Compare { left, comparisons } => std::iter::once(*left)
                .chain(comparisons.iter().map(|(_, e)| *e))
                .collect(),
            ExprKind::Call { args, .. } => args.clone(),
            _ => Vec::new(),
        }
    }

    /// A new array holding `root` (an element-by-element expression) computed
    /// for every index of the broadcast shape.
    pub(crate) fn elementwise(&mut self, root: ExprId) -> Val {
        let Type::Array(rt) = self.tf.expr_type(root).clone() else {
            self.bug("an array expression whose type is not an array");
            return Val::Unit;
        };
        let saved = self.b.span;
        self.b.span = self.tf.hir.expr(root).span;
        let mut operands = Vec::new();
        self.evaluate_children(root, &mut operands);
        let elements = self.elements_checked(root, operands, None);
        let (out, _) = self.store_elements(&elements, rt.dtype);
        self.b.span = saved;
        Val::Array(out)
    }

    /// A new C-ordered array of `dtype` holding every element of `elements`.
    pub(crate) fn store_elements(
        &mut self,
        elements: &Elements,
        dtype: Dtype,
    ) -> (ArrayVal, ArrayType) {
        let at = ArrayType {
            dtype,
            ndim: elements.extents.len() as u8,
            layout: Layout::C,
            writable: true,
        };
        let (out, _) = self.alloc_array(&at, elements.extents.clone(), false);
        self.for_each_element(elements, &mut |this, counters, v| {
            let addr = this.element_at(&out, &at, counters);
            this.store_elem(addr, v, dtype);
        });
        (out, at)
    }

    /// `dst op= value` (`a += b`, `a[1:] *= 2`): each element of `dst`
    /// combined with the element of `value` broadcast to it, in the
    /// operation's dtype, and stored back.
    pub(crate) fn update_in_place(
        &mut self,
        dst: &ArrayVal,
        dt: &ArrayType,
        op: BinOp,
        value: ExprId,
    ) {
        let elements = self.elements_of(value);
        self.check_output_shape(&dst.extents, &elements.extents);
        self.write_elements(dst, dt, Some(op), value, &elements);
    }

    /// `a[...] = expression`: the expression's operands are evaluated (and
    /// their shapes checked) before the target, as Python evaluates the
    /// value first; then each element is computed straight into the view.
    pub(crate) fn store_expression(&mut self, arr: ExprId, indices: &[ExprId], value: ExprId) {
        let elements = self.elements_of(value);
        if let Some((dst, dt)) = self.view(arr, indices) {
            self.check_stored_shape(&dst, &elements.extents);
            self.write_elements(&dst, &dt, None, value, &elements);
        }
    }

    /// A ufunc's `out=` (`np.add(a, b, out=c)`): the operands of `value`,
    /// then `out`, are evaluated in Python's order; the ufunc's inputs and
    /// `out` are checked together as NumPy does (an output is never
    /// broadcast), and each element is computed straight into `out`, as
    /// `out[...] = value` would (through a copy when the operands read memory
    /// `out` covers). The value is `out`.
    pub(crate) fn ufunc_out(&mut self, value: ExprId, out: ExprId) -> Val {
        let mut operands = Vec::new();
        self.evaluate_operands(value, &mut operands);
        let dst_val = self.expr(out);
        let (Val::Array(dst), Type::Array(dt)) = (&dst_val, self.tf.expr_type(out).clone()) else {
            self.bug("an `out=` that is not an array");
            return Val::Unit;
        };
        let elements = self.elements_checked(value, operands, Some(&dst.extents));
        self.check_output_grows(&dst.extents, &elements.extents);
        self.write_elements(dst, &dt, None, value, &elements);
        dst_val
    }

    /// Writes `elements` (of `value`) into `dst`, their shapes checked to
    /// broadcast to its shape, combined with what is there by `op` if any.
    /// NumPy's result: when the value reads memory `dst` covers, it is
    /// computed into a new array first.
    fn write_elements(
        &mut self,
        dst: &ArrayVal,
        dt: &ArrayType,
        op: Option<BinOp>,
        value: ExprId,
        elements: &Elements,
    ) {
        let d = match self.tf.coerced_type(value) {
            Type::Array(a) => a.dtype,
            Type::Scalar(s) => *s,
            _ => return self.bug("writing into an array a value that is not a number or an array"),
        };
        if elements.extents.len() > dst.extents.len() {
            // The broadcast shape has more axes than the target: NumPy
            // always refuses (the check above raised).
            return;
        }
        let overlaps: Vec<ValueId> = elements
            .operands
            .iter()
            .filter_map(|(_, op)| match op {
                Operand::Array { value, ty, .. } => Some((value.clone(), ty.dtype)),
                Operand::Scalar(_) => None,
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|(a, ad)| self.overlaps(dst, dt.dtype, &a, ad))
            .collect();
        let write = |this: &mut Self, source: &Elements| {
            this.for_each_element_over(source, &dst.extents, &mut |this, counters, v| {
                let addr = this.element_at(dst, dt, counters);
                let v = this.child_element(source.root, v, d);
                let r = match op {
                    Some(op) => {
                        let cur = this.load_elem(addr, dt.dtype);
                        let cur = this.cast_scalar(cur, dt.dtype, d);
                        // `a **= 2` squares in place, as NumPy's operator.
                        match this.operator_power_in_place(op, d, value) {
                            Some(f) => {
                                let sig = Signature {
                                    params: vec![d],
                                    result: d,
                                };
                                this.ufunc_element(f, &sig, &[Value(cur.0)])
                            }
                            None => this.element_binary_by(op, cur, v, d, value),
                        }
                    }
                    None => v,
                };
                let r = this.cast_scalar(r, d, dt.dtype);
                this.store_elem(addr, r, dt.dtype);
            });
        };
        match self.any(overlaps) {
            Some(overlap) => {
                self.b.begin();
                let stored = self.tf.expr_type(value).as_array().map_or(d, |a| a.dtype);
                let (copy, _) = self.store_elements(elements, stored);
                // Read as `value` is: a leaf in the operation's dtype, an
                // expression in its own (`child_element` converts it).
                let read_as = if self.fused(value) { stored } else { d };
                let c_order = ArrayType {
                    dtype: stored,
                    ndim: copy.extents.len() as u8,
                    layout: Layout::C,
                    writable: true,
                };
                let copied = self.elements_of_array(copy, c_order, read_as, value);
                write(self, &copied);
                let then_body = self.b.end();
                self.b.begin();
                write(self, elements);
                let else_body = self.b.end();
                self.b.stmt(Stmt::If {
                    cond: overlap,
                    then_body,
                    else_body,
                });
            }
            None => write(self, elements),
        }
    }

    /// NumPy's error for a stored array that does not broadcast into the
    /// target: `could not broadcast input array from shape (3,) into shape (4,)`.
    fn check_stored_shape(&mut self, dst: &ArrayVal, value: &[ValueId]) {
        let one = self.b.i64c(1);
        let lead = dst.extents.len().saturating_sub(value.len());
        let mut bad = Vec::new();
        if value.len() > dst.extents.len() {
            bad.push(self.b.boolc(true));
        }
        let value_lead = value.len().saturating_sub(dst.extents.len());
        for (k, &v) in value[value_lead..].iter().enumerate() {
            let unequal = self.b.cmp(CmpOp::Ne, v, dst.extents[lead + k]);
            let not_one = self.b.cmp(CmpOp::Ne, v, one);
            bad.push(self.b.bin(BinaryOp::And, unequal, not_one));
        }
        if let Some(bad) = self.any(bad) {
            self.b.raise_if(
                bad,
                RuntimeError::Broadcast {
                    from: value.to_vec(),
                    into: dst.extents.clone(),
                },
            );
        }
    }

    /// `copy` (an array of type `ty`) as the elements of `value`'s place.
    pub(crate) fn elements_of_array(
        &mut self,
        copy: ArrayVal,
        ty: ArrayType,
        read_as: Dtype,
        value: ExprId,
    ) -> Elements {
        let zero = self.b.i64c(0);
        let one = self.b.i64c(1);
        let mut strides = Vec::new();
        let mut broadcast_strides = Vec::new();
        for (k, &extent) in copy.extents.iter().enumerate() {
            let s = self.stride(&copy, &ty, k);
            strides.push(s);
            let is_one = self.b.cmp(CmpOp::Eq, extent, one);
            broadcast_strides.push(self.b.select(is_one, zero, s));
        }
        let extents = copy.extents.clone();
        Elements {
            root: value,
            operands: vec![(
                value,
                Operand::Array {
                    value: copy,
                    ty,
                    read_as,
                    strides,
                    broadcast_strides,
                },
            )],
            extents,
            same_shape: Some(None),
        }
    }

    /// NumPy's errors for an in-place update whose value does not broadcast
    /// into the target: `operands could not be broadcast together with shapes
    /// (3,) (4,) `, or, when the broadcast shape is larger than the target,
    /// `non-broadcastable output operand with shape (3,) doesn't match the
    /// broadcast shape (2,3)`.
    pub(crate) fn check_output_shape(&mut self, dst: &[ValueId], value: &[ValueId]) {
        let one = self.b.i64c(1);
        let mut clash = Vec::new();
        let lead = dst.len().saturating_sub(value.len());
        let value_lead = value.len().saturating_sub(dst.len());
        for (k, &v) in value[value_lead..].iter().enumerate() {
            let t = dst[lead + k];
            let unequal = self.b.cmp(CmpOp::Ne, v, t);
            let v_not_one = self.b.cmp(CmpOp::Ne, v, one);
            let t_not_one = self.b.cmp(CmpOp::Ne, t, one);
            let both = self.b.bin(BinaryOp::And, v_not_one, t_not_one);
            clash.push(self.b.bin(BinaryOp::And, unequal, both));
        }
        if let Some(clash) = self.any(clash) {
            self.b.raise_if(
                clash,
                RuntimeError::BroadcastOperands {
                    // NumPy lists the inputs (the target, the value), then the output.
                    shapes: vec![dst.to_vec(), value.to_vec(), dst.to_vec()],
                },
            );
        }
        self.check_output_grows(dst, value);
    }

    /// NumPy's error for an output array smaller than the broadcast shape
    /// `value` of the inputs (which broadcast with it): `non-broadcastable
    /// output operand with shape (3,) doesn't match the broadcast shape (2,3)`.
    fn check_output_grows(&mut self, dst: &[ValueId], value: &[ValueId]) {
        let one = self.b.i64c(1);
        let mut grows = Vec::new();
        let mut broadcast = Vec::new();
        let lead = dst.len().saturating_sub(value.len());
        let value_lead = value.len().saturating_sub(dst.len());
        broadcast.extend_from_slice(&value[..value_lead]);
        if value_lead > 0 {
            // More axes than the target, even of extent 1.
            grows.push(self.b.boolc(true));
        }
        broadcast.extend_from_slice(&dst[..lead]);
        for (k, &v) in value[value_lead..].iter().enumerate() {
            let t = dst[lead + k];
            let v_not_one = self.b.cmp(CmpOp::Ne, v, one);
            let t_one = self.b.cmp(CmpOp::Eq, t, one);
            grows.push(self.b.bin(BinaryOp::And, t_one, v_not_one));
            broadcast.push(self.b.select(t_one, v, t));
        }
        if let Some(grows) = self.any(grows) {
            self.b.raise_if(
                grows,
                RuntimeError::BroadcastOutput {
                    output: dst.to_vec(),
                    broadcast,
                },
            );
        }
    }

    /// Evaluates the operands of `root` (an array, or an element-by-element
    /// expression) and checks their shapes: what `for_each_element` reads.
    pub(crate) fn elements_of(&mut self, root: ExprId) -> Elements {
        let mut operands = Vec::new();
        self.evaluate_operands(root, &mut operands);
        self.elements_checked(root, operands, None)
    }

    /// The elements of `root` from its evaluated operands, their shapes
    /// checked (with those of the `output` array written, if any).
    fn elements_checked(
        &mut self,
        root: ExprId,
        mut operands: Vec<(ExprId, Operand)>,
        output: Option<&[ValueId]>,
    ) -> Elements {
        let extents = self.checked_shape(root, &operands, output);
        let zero = self.b.i64c(0);
        let one = self.b.i64c(1);
        // Whether no operand is broadcast at run time: then the loop reads
        // every operand with its own strides (unit ones known from the types),
        // which vectorizes; else axes of extent 1 are read with stride 0.
        let mut same_shape = Some(Vec::new());
        for (_, op) in operands.iter_mut() {
            if let Operand::Array {
                value,
                strides,
                broadcast_strides,
                ty,
                ..
            } = op
            {
                if value.extents.len() != extents.len() {
                    same_shape = None;
                }
                for (k, &extent) in value.extents.iter().enumerate() {
                    let s = self.stride(value, ty, k);
                    strides.push(s);
                    let is_one = self.b.cmp(CmpOp::Eq, extent, one);
                    broadcast_strides.push(self.b.select(is_one, zero, s));
                    if let Some(parts) = same_shape.as_mut() {
                        if extent != extents[k] {
                            parts.push(self.b.cmp(CmpOp::Eq, extent, extents[k]));
                        }
                    }
                }
            }
        }
        let same_shape = same_shape.map(|parts| self.all_of(parts));
        Elements {
            root,
            operands,
            extents,
            same_shape,
        }
    }

    /// Runs `body` with each index (in C order) and the element there; the
    /// body is emitted twice when whether an operand is broadcast is only
    /// known at run time.
    pub(crate) fn for_each_element(
        &mut self,
        elements: &Elements,
        body: &mut dyn FnMut(&mut Self, &[ValueId], ValueId),
    ) {
        let extents = elements.extents.clone();
        self.for_each_element_over(elements, &extents, body);
    }

    /// `for_each_element` over the indices below `extents`, a shape the
    /// elements broadcast to (checked before).
    fn for_each_element_over(
        &mut self,
        elements: &Elements,
        extents: &[ValueId],
        body: &mut dyn FnMut(&mut Self, &[ValueId], ValueId),
    ) {
        let order: Vec<usize> = (0..extents.len()).collect();
        // Unbroadcast when the elements' own shape is `extents` too.
        let mut parts = Vec::new();
        let mut same_rank = elements.extents.len() == extents.len();
        if same_rank {
            for (&a, &b) in elements.extents.iter().zip(extents) {
                if a != b {
                    parts.push(self.b.cmp(CmpOp::Eq, a, b));
                }
            }
        }
        if elements.extents.is_empty() {
            same_rank = true;
        }
        let same_shape = match (same_rank, elements.same_shape) {
            (false, _) | (_, None) => None,
            (true, Some(inner)) => {
                let all: Vec<ValueId> = inner.into_iter().chain(parts).collect();
                Some(self.all_of(all))
            }
        };
        let mut compute = |this: &mut Self, broadcast: bool| {
            this.index_loops(extents, &order, |this, counters| {
                let v = this.element(elements.root, &elements.operands, counters, broadcast);
                body(this, counters, v);
            })
        };
        match same_shape {
            Some(None) => compute(self, false),
            Some(Some(cond)) => {
                self.b.begin();
                compute(self, false);
                let then_body = self.b.end();
                self.b.begin();
                compute(self, true);
                let else_body = self.b.end();
                self.b.stmt(Stmt::If {
                    cond,
                    then_body,
                    else_body,
                });
            }
            None => compute(self, true),
        }
    }

    /// The element at index `counters` (each within `extents`).
    pub(crate) fn element_at_index(
        &mut self,
        elements: &Elements,
        counters: &[ValueId],
    ) -> ValueId {
        self.element(elements.root, &elements.operands, counters, true)
    }

    /// Whether `e` is computed inside its consumer's loop: an element-by-element
    /// node that cannot raise for one of its elements. One that can (an
    /// integer `**` whose exponent may be negative) is an operand, computed
    /// into its own array first as NumPy does, so that its error comes before
    /// any shape error of the operations around it.
    pub(crate) fn fused(&self, e: ExprId) -> bool {
        self.tf.is_elementwise(e) && !self.tf.raises_per_element(e)
    }

    /// Evaluates every leaf under `e`, in Python's order.
    fn evaluate_operands(&mut self, e: ExprId, operands: &mut Vec<(ExprId, Operand)>) {
        if self.fused(e) {
            return self.evaluate_children(e, operands);
        }
        let operand = match (
            self.tf.expr_type(e).clone(),
            self.tf.coerced_type(e).clone(),
        ) {
            (Type::Array(ty), read) => match self.expr_raw(e) {
                Val::Array(value) => Operand::Array {
                    value,
                    ty,
                    read_as: read.as_array().map_or(ty.dtype, |a| a.dtype),
                    strides: Vec::new(),
                    broadcast_strides: Vec::new(),
                },
                _ => {
                    self.bug("an array operand without an array value");
                    return;
                }
            },
            _ => {
                let v = self.expr(e);
                Operand::Scalar(self.scalar_of(v))
            }
        };
        operands.push((e, operand));
    }

    /// Evaluates the leaves under each child of `e`, an element-by-element node.
    fn evaluate_children(&mut self, e: ExprId, operands: &mut Vec<(ExprId, Operand)>) {
        for c in self.element_children(e) {
            self.evaluate_operands(c, operands);
        }
    }

    /// The shape of `e`, checking that the operands of each operation
    /// broadcast together (NumPy's `ValueError` otherwise); `e`'s own
    /// operands together with the `output` array it is written into, if any,
    /// which NumPy lists last.
    fn checked_shape(
        &mut self,
        e: ExprId,
        operands: &[(ExprId, Operand)],
        output: Option<&[ValueId]>,
    ) -> Vec<ValueId> {
        let mut shapes: Vec<Vec<ValueId>> = if operand_of(operands, e).is_none() {
            self.element_children(e)
                .into_iter()
                .map(|c| self.checked_shape(c, operands, None))
                .collect()
        } else {
            vec![match operand_of(operands, e) {
                Some(Operand::Array { value, .. }) => value.extents.clone(),
                _ => Vec::new(),
            }]
        };
        let Some(output) = output else {
            let (result, bad) = self.broadcast_shape(&shapes, true);
            if let Some(bad) = bad {
                // At the operation's own line: a fused temporary's is not the statement's.
                let saved = self.b.span;
                self.b.span = self.tf.hir.expr(e).span;
                self.b
                    .raise_if(bad, RuntimeError::BroadcastOperands { shapes });
                self.b.span = saved;
            }
            return result;
        };
        shapes.push(output.to_vec());
        if let (_, Some(bad)) = self.broadcast_shape(&shapes, true) {
            self.b.raise_if(
                bad,
                RuntimeError::BroadcastOperands {
                    shapes: shapes.clone(),
                },
            );
        }
        shapes.pop();
        self.broadcast_shape(&shapes, false).0
    }

    /// The shape `shapes` broadcast to, and (when `check`) whether they do
    /// not (`None` when they surely do).
    fn broadcast_shape(
        &mut self,
        shapes: &[Vec<ValueId>],
        check: bool,
    ) -> (Vec<ValueId>, Option<ValueId>) {
        let ndim = shapes.iter().map(Vec::len).max().unwrap_or(0);
        if shapes.iter().filter(|s| !s.is_empty()).count() < 2 {
            // One array (with numbers): its shape, nothing to check.
            return (
                shapes
                    .iter()
                    .max_by_key(|s| s.len())
                    .cloned()
                    .unwrap_or_default(),
                None,
            );
        }
        let one = self.b.i64c(1);
        let mut result = Vec::new();
        let mut bad = Vec::new();
        for k in 0..ndim {
            // Aligned on the right; a missing axis is 1.
            let axis: Vec<ValueId> = shapes
                .iter()
                .filter_map(|s| (k + s.len()).checked_sub(ndim).map(|j| s[j]))
                .collect();
            let mut r = axis[0];
            for &x in &axis[1..] {
                let r_is_one = self.b.cmp(CmpOp::Eq, r, one);
                r = self.b.select(r_is_one, x, r);
            }
            for &x in axis.iter().filter(|_| check) {
                let unequal = self.b.cmp(CmpOp::Ne, x, r);
                let not_one = self.b.cmp(CmpOp::Ne, x, one);
                bad.push(self.b.bin(BinaryOp::And, unequal, not_one));
            }
            result.push(r);
        }
        let bad = self.any(bad);
        (result, bad)
    }

    /// The element of `e` at the broadcast index `counters`, in its dtype;
    /// `broadcast`: whether an operand's axis may have extent 1 where the
    /// result's does not.
    fn element(
        &mut self,
        e: ExprId,
        operands: &[(ExprId, Operand)],
        counters: &[ValueId],
        broadcast: bool,
    ) -> ValueId {
        if let Some(op) = operand_of(operands, e) {
            return match op {
                Operand::Scalar(v) => *v,
                Operand::Array {
                    value,
                    ty,
                    read_as,
                    strides,
                    broadcast_strides,
                } => {
                    let strides = if broadcast {
                        broadcast_strides
                    } else {
                        strides
                    };
                    let lead = counters.len() - value.extents.len();
                    let mut offset = None;
                    for (j, s) in strides.iter().enumerate() {
                        offset = Some(self.add_offset(offset, counters[lead + j], *s));
                    }
                    let addr = match offset {
                        Some(offset) => self.b.emit(crate::ir::Inst::PtrOffset {
                            addr: value.data,
                            offset,
                        }),
                        None => value.data,
                    };
                    let v = self.load_elem(addr, ty.dtype);
                    self.cast_scalar(v, ty.dtype, *read_as)
                }
            };
        }
        let d = self
            .tf
            .expr_type(e)
            .as_array()
            .map_or(Dtype::Float64, |a| a.dtype);
        // Converted to the dtype its consumer reads it as.
        let read_as = |this: &Self, c: ExprId| match this.tf.coerced_type(c) {
            Type::Array(a) => a.dtype,
            Type::Scalar(s) => *s,
            _ => d,
        };
        let v = match self.tf.hir.expr(e).kind.clone() {
            ExprKind::Binary {
                op,
                lhs,
                rhs,
                ufunc,
            } => {
                let a = self.element(lhs, operands, counters, broadcast);
                let a = self.child_element(lhs, a, read_as(self, lhs));
                if let Some(f) = self.operator_power(op, ufunc, lhs, rhs) {
                    let params = vec![read_as(self, lhs)];
                    let sig = Signature { params, result: d };
                    return self.ufunc_element(f, &sig, &[Value(a.0)]);
                }
                let b = self.element(rhs, operands, counters, broadcast);
                let b = self.child_element(rhs, b, read_as(self, rhs));
                self.element_binary_by(op, a, b, d, rhs)
            }
            ExprKind::Compare { left, comparisons } => {
                let [(op, right)] = comparisons.as_slice() else {
                    self.bug("a chained comparison of arrays");
                    return self.zero(d);
                };
                let common = read_as(self, left);
                let a = self.element(left, operands, counters, broadcast);
                let a = self.child_element(left, a, common);
                let b = self.element(*right, operands, counters, broadcast);
                let b = self.child_element(*right, b, common);
                let order = match op {
                    PyCmp::Eq => Order::Eq,
                    PyCmp::NotEq => Order::Ne,
                    PyCmp::Lt => Order::Lt,
                    PyCmp::LtE => Order::Le,
                    PyCmp::Gt => Order::Gt,
                    PyCmp::GtE => Order::Ge,
                };
                ValueId(Emit::compare(self, order, common, Value(a.0), Value(b.0)).0)
            }
            ExprKind::Unary {
                op: PyUnary::Invert,
                operand,
            } => {
                let a = self.element(operand, operands, counters, broadcast);
                let a = self.child_element(operand, a, read_as(self, operand));
                self.b.unary(UnaryOp::Not, a)
            }
            ExprKind::Unary {
                op: PyUnary::Neg,
                operand,
            } => {
                let a = self.element(operand, operands, counters, broadcast);
                let a = self.child_element(operand, a, read_as(self, operand));
                self.negate_value(a, d)
            }
            ExprKind::Call {
                callee: Callee::Known(KnownFunction::Library(f)),
                args,
                ..
            } => {
                let mut params = Vec::new();
                let mut values = Vec::new();
                for c in args {
                    let v = self.element(c, operands, counters, broadcast);
                    let p = read_as(self, c);
                    values.push(Value(self.child_element(c, v, p).0));
                    params.push(p);
                }
                let sig = Signature { params, result: d };
                self.ufunc_element(f, &sig, &values)
            }
            _ => {
                self.bug("an element-by-element node lower does not know");
                self.zero(d)
            }
        };
        v
    }

    /// The function NumPy's `**` operator calls instead of `np.power` for
    /// node `lhs ** rhs` (`typeinfer::operator_power`), if any.
    fn operator_power(&self, op: BinOp, ufunc: bool, lhs: ExprId, rhs: ExprId) -> Option<LibFn> {
        let base = self.tf.expr_type(lhs).as_array()?.dtype;
        if op != BinOp::Pow || ufunc {
            return None;
        }
        typeinfer::operator_power(&self.tf.hir, rhs, base)
    }

    /// `operator_power` of `a op= rhs` computed in `d` (which the function
    /// keeps: a bool array's square would be int8, which `a` cannot hold).
    fn operator_power_in_place(&self, op: BinOp, d: Dtype, rhs: ExprId) -> Option<LibFn> {
        if op != BinOp::Pow {
            return None;
        }
        let f = typeinfer::operator_power(&self.tf.hir, rhs, d)?;
        let keeps = (f.function().typing)(&[library::Arg::Typed(d)]).is_ok_and(|s| s.result == d);
        keeps.then_some(f)
    }

    /// Library function `f` of one element each of its arguments. A complex
    /// `np.square` is NumPy's array loop's product, [`BinaryOp::CMulLoop`]
    /// (the function itself, for numbers, is CPython's product).
    fn ufunc_element(&mut self, f: LibFn, sig: &Signature, args: &[Value]) -> ValueId {
        if f.function().names[0] == "square" && sig.result.is_complex() {
            let x = ValueId(args[0].0);
            return self.b.bin(BinaryOp::CMulLoop, x, x);
        }
        ValueId(f.function().lower(self, sig, args).0)
    }

    /// The element `v` of child `c` of a node, converted to `to`. Operands were
    /// converted when read; a node's own result is converted here.
    pub(crate) fn child_element(&mut self, c: ExprId, v: ValueId, to: Dtype) -> ValueId {
        if !self.fused(c) {
            return v;
        }
        let from = self.tf.expr_type(c).as_array().map_or(to, |a| a.dtype);
        self.cast_scalar(v, from, to)
    }

    /// `element_binary` of `a` and `b`, the element of expression `rhs`. One
    /// case depends on where `b` comes from: NumPy's float power loop takes
    /// the square root when the exponent is one number for the whole loop and
    /// that number is 0.5, so `x ** 0.5` of `-0.0` is `-0.0` and of `-inf`
    /// is NaN (C's `pow` gives `0.0` and `inf`).
    fn element_binary_by(
        &mut self,
        op: BinOp,
        a: ValueId,
        b: ValueId,
        d: Dtype,
        rhs: ExprId,
    ) -> ValueId {
        let scalar_exponent = matches!(self.tf.expr_type(rhs), Type::Scalar(_));
        if op != BinOp::Pow || !d.is_float() || !scalar_exponent {
            return self.element_binary(op, a, b, d);
        }
        let constant = self.const_float(rhs);
        if constant.is_some_and(|c| c != 0.5) {
            return self.element_binary(op, a, b, d);
        }
        let sqrt = self
            .b
            .emit(crate::ir::Inst::Math(library::Primitive::Sqrt, vec![a]));
        if constant.is_some() {
            return sqrt;
        }
        let pow = self.element_binary(op, a, b, d);
        let half = self.b.float(crate::builder::ltype(d), 0.5);
        let is_half = self.b.cmp(CmpOp::FEq, b, half);
        self.b.select(is_half, sqrt, pow)
    }

    /// NumPy's `+ - * /` on two elements of dtype `d` (division in floats,
    /// IEEE: no exception for a zero divisor, as NumPy).
    pub(crate) fn element_binary(
        &mut self,
        op: BinOp,
        a: ValueId,
        b: ValueId,
        d: Dtype,
    ) -> ValueId {
        if matches!(op, BinOp::FloorDiv | BinOp::Mod) {
            return self.with_numpy_errors(|this| this.divmod(op, a, b, d));
        }
        if op == BinOp::Pow && d.is_float() {
            // C's pow, as NumPy's float power.
            return self
                .b
                .emit(crate::ir::Inst::Math(library::Primitive::Pow, vec![a, b]));
        }
        if op == BinOp::Pow && d.is_complex() {
            let (a, b) = (Value(a.0), Value(b.0));
            return ValueId(library::complex::power(self, d, a, b).0);
        }
        if op == BinOp::Div && d.is_complex() {
            // NumPy's division loop, whose rounding and zero divisor are not CPython's.
            let (a, b) = (Value(a.0), Value(b.0));
            return ValueId(library::complex::divide(self, d, a, b).0);
        }
        if op == BinOp::Pow {
            // Integers: by squaring, wrapping.
            let negative = "Integers to negative integer powers are not allowed.";
            return self.power(a, d, b, d, d, None, negative);
        }
        let op = match (op, d) {
            (BinOp::Add, d) if d.is_complex() => BinaryOp::CAdd,
            (BinOp::Sub, d) if d.is_complex() => BinaryOp::CSub,
            (BinOp::Mul, d) if d.is_complex() => BinaryOp::CMulLoop,
            (BinOp::Add, d) if d.is_float() => BinaryOp::FAdd,
            (BinOp::Sub, d) if d.is_float() => BinaryOp::FSub,
            (BinOp::Mul, d) if d.is_float() => BinaryOp::FMul,
            (BinOp::Div, _) => BinaryOp::FDiv,
            (BinOp::BitAnd, _) => BinaryOp::And,
            (BinOp::BitOr, _) => BinaryOp::Or,
            (BinOp::BitXor, _) => BinaryOp::Xor,
            (BinOp::Add, _) => BinaryOp::IAdd,
            (BinOp::Sub, _) => BinaryOp::ISub,
            (BinOp::Mul, _) => BinaryOp::IMul,
            _ => {
                self.bug("an array operator typeinfer should have refused");
                BinaryOp::IAdd
            }
        };
        self.b.bin(op, a, b)
    }
}
