//! The memory order of a new array made "like" another, as NumPy's
//! `order='K'` chooses it (`PyArray_NewLikeArrayWithShape`): `np.empty_like`,
//! `np.zeros_like`, `np.ones_like`, `np.full_like`, `np.copy`, `np.array`,
//! `np.asarray` (when it copies) and `a.astype`. Every such allocation goes
//! through `alloc_like`, so the rule lives here once.
//!
//! NumPy's rule, on the source's strides: 0-d and 1-d, or C-contiguous (its
//! relaxed flag: axes of extent 1 ignored, an empty array contiguous) -> C
//! order; else F-contiguous -> Fortran order; else the axes are packed in the
//! order of their absolute strides, largest outermost, ties in axis order.
//! typeinfer types the result C when the source's type is C (or 1-d), F when
//! it is F, A otherwise (`ArrayType::kept_order`): a C-typed source is always
//! C-contiguous, so only F- and A-typed sources choose at run time.

use typeinfer::{ArrayType, Layout};

use crate::func::FnLower;
use crate::ir::{BinaryOp, CmpOp, ValueId};
use crate::values::{c_strides, f_strides, ArrayVal};

impl FnLower<'_> {
    /// A new array of type `at` with the extents of `src` (of type `sat`),
    /// its strides in the order NumPy's `order='K'` keeps; and its element count.
    pub(crate) fn alloc_like(
        &mut self,
        src: &ArrayVal,
        sat: &ArrayType,
        at: &ArrayType,
        zeroed: bool,
    ) -> (ArrayVal, ValueId) {
        let (owner, data, total) = self.alloc_buffer(at.dtype, &src.extents, zeroed);
        let itemsize = at.dtype.itemsize();
        let extents = &src.extents;
        let strides = match (at.layout, sat.ndim) {
            (Layout::C, _) | (_, 0 | 1) => c_strides(&mut self.b, extents, itemsize),
            // An F-contiguous source that is also C-contiguous (one axis of
            // extent above 1, or empty) gets C order: the strides of its
            // extent-1 axes differ.
            (Layout::F, _) => {
                let is_c = self.contiguous(src, sat, false);
                let c = c_strides(&mut self.b, extents, itemsize);
                let f = f_strides(&mut self.b, extents, itemsize);
                self.select_all(is_c, &c, &f)
            }
            (Layout::Any, _) => {
                let is_c = self.contiguous(src, sat, false);
                let is_f = self.contiguous(src, sat, true);
                let c = c_strides(&mut self.b, extents, itemsize);
                let f = f_strides(&mut self.b, extents, itemsize);
                let k = self.sorted_strides(src, sat, itemsize);
                let f_or_k = self.select_all(is_f, &f, &k);
                self.select_all(is_c, &c, &f_or_k)
            }
        };
        (
            ArrayVal {
                owner,
                data,
                extents: src.extents.clone(),
                strides,
            },
            total,
        )
    }

    /// NumPy's C-contiguous flag (F-contiguous when `fortran`): each axis of
    /// extent above 1 has the stride of the axes after it (before it) packed;
    /// an empty array is contiguous.
    pub(crate) fn contiguous(&mut self, a: &ArrayVal, at: &ArrayType, fortran: bool) -> ValueId {
        let one = self.b.i64c(1);
        let zero = self.b.i64c(0);
        let mut expected = self.b.i64c(at.dtype.itemsize() as i64);
        let mut ok = self.b.boolc(true);
        let mut empty = self.b.boolc(false);
        let ndim = a.extents.len();
        let axes: Vec<usize> = if fortran {
            (0..ndim).collect()
        } else {
            (0..ndim).rev().collect()
        };
        for k in axes {
            let n = a.extents[k];
            let stride = self.stride(a, at, k);
            let trivial = self.b.cmp(CmpOp::Eq, n, one);
            let packed = self.b.cmp(CmpOp::Eq, stride, expected);
            let axis_ok = self.b.bin(BinaryOp::Or, trivial, packed);
            ok = self.b.bin(BinaryOp::And, ok, axis_ok);
            let is_empty = self.b.cmp(CmpOp::Eq, n, zero);
            empty = self.b.bin(BinaryOp::Or, empty, is_empty);
            expected = self.b.bin(BinaryOp::IMul, expected, n);
        }
        self.b.bin(BinaryOp::Or, ok, empty)
    }

    /// NumPy's `PyArray_CreateSortedStridePerm` and the packing after it,
    /// without a sort: axis `j` is inside axis `i` (packed before it) when
    /// `|stride j| < |stride i|`, or they are equal and `j > i`; the stride
    /// of axis `i` is the itemsize times the extents of the axes inside it.
    fn sorted_strides(&mut self, src: &ArrayVal, sat: &ArrayType, itemsize: u32) -> Vec<ValueId> {
        let ndim = src.extents.len();
        let zero = self.b.i64c(0);
        let one = self.b.i64c(1);
        let magnitudes: Vec<ValueId> = (0..ndim)
            .map(|k| {
                let s = self.stride(src, sat, k);
                let negative = self.b.cmp(CmpOp::SLt, s, zero);
                let negated = self.b.bin(BinaryOp::ISub, zero, s);
                self.b.select(negative, negated, s)
            })
            .collect();
        (0..ndim)
            .map(|i| {
                let mut stride = self.b.i64c(itemsize as i64);
                for j in (0..ndim).filter(|&j| j != i) {
                    let tie_inside = if j > i { CmpOp::SLe } else { CmpOp::SLt };
                    let inside = self.b.cmp(tie_inside, magnitudes[j], magnitudes[i]);
                    let factor = self.b.select(inside, src.extents[j], one);
                    stride = self.b.bin(BinaryOp::IMul, stride, factor);
                }
                stride
            })
            .collect()
    }
}
