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
//!
//! The result of joining arrays (`np.concatenate`, `stack`, `hstack`,
//! `vstack`: `alloc_joined`) takes its order from all the parts together, as
//! NumPy's `PyArray_CreateMultiSortedStridePerm` does: C order unless every
//! part that can tell two axes apart agrees that the later one is outside.

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

    /// A new array of type `rt` and these extents to join `parts` into (all of
    /// its number of axes): C order when `rt` is (typeinfer types the result C
    /// when every part is C or has at most one axis, which then decides nothing),
    /// else the axes packed in NumPy's order for the parts, decided at run time.
    pub(crate) fn alloc_joined(
        &mut self,
        parts: &[(ArrayVal, ArrayType)],
        extents: Vec<ValueId>,
        rt: &ArrayType,
    ) -> ArrayVal {
        if rt.layout == Layout::C {
            return self.alloc_array(rt, extents, false).0;
        }
        let (owner, data, _) = self.alloc_buffer(rt.dtype, &extents, false);
        let strides = self.multi_sorted_strides(parts, &extents, rt.dtype.itemsize());
        ArrayVal {
            owner,
            data,
            extents,
            strides,
        }
    }

    /// NumPy's `PyArray_CreateMultiSortedStridePerm` (a stable insertion sort
    /// of the axes, outermost first) and the packing after it, unrolled over
    /// the axes, which are few: a pair of axes is decided by the parts in which
    /// neither has extent 1; the later axis moves out past the earlier one only
    /// if every deciding part has its absolute stride larger (C order wins a
    /// conflict); an undecided pair neither moves nor stops the insertion.
    fn multi_sorted_strides(
        &mut self,
        parts: &[(ArrayVal, ArrayType)],
        extents: &[ValueId],
        itemsize: u32,
    ) -> Vec<ValueId> {
        let ndim = extents.len();
        let (zero, one) = (self.b.i64c(0), self.b.i64c(1));
        let (yes, no) = (self.b.boolc(true), self.b.boolc(false));
        let magnitudes: Vec<Vec<ValueId>> = parts
            .iter()
            .map(|(a, at)| {
                (0..ndim)
                    .map(|k| {
                        let s = self.stride(a, at, k);
                        let negative = self.b.cmp(CmpOp::SLt, s, zero);
                        let negated = self.b.bin(BinaryOp::ISub, zero, s);
                        self.b.select(negative, negated, s)
                    })
                    .collect()
            })
            .collect();
        // decided[a][b]: some part tells a from b; outer[a][b]: and a goes outside b.
        let mut decided = vec![vec![no; ndim]; ndim];
        let mut outer = vec![vec![no; ndim]; ndim];
        for a in 0..ndim {
            for b in (0..ndim).filter(|&b| b != a) {
                let (mut some, mut all) = (no, yes);
                for ((p, _), m) in parts.iter().zip(&magnitudes) {
                    let a_long = self.b.cmp(CmpOp::Ne, p.extents[a], one);
                    let b_long = self.b.cmp(CmpOp::Ne, p.extents[b], one);
                    let decides = self.b.bin(BinaryOp::And, a_long, b_long);
                    let larger = self.b.cmp(CmpOp::SGt, m[a], m[b]);
                    let agrees = self.b.select(decides, larger, yes);
                    some = self.b.bin(BinaryOp::Or, some, decides);
                    all = self.b.bin(BinaryOp::And, all, agrees);
                }
                decided[a][b] = some;
                outer[a][b] = self.b.bin(BinaryOp::And, some, all);
            }
        }
        let axis: Vec<ValueId> = (0..ndim).map(|k| self.b.i64c(k as i64)).collect();
        // `table[x][k]` for an axis number `x` known at run time.
        let lookup = |this: &mut Self, table: &[ValueId], x: ValueId| {
            let mut v = table[0];
            for k in 1..table.len() {
                let here = this.b.cmp(CmpOp::Eq, x, axis[k]);
                v = this.b.select(here, table[k], v);
            }
            v
        };
        let mut perm = axis.clone();
        for i0 in 1..ndim {
            let moving = perm[i0];
            let column = |this: &mut Self, table: &[Vec<ValueId>]| -> Vec<ValueId> {
                (0..ndim)
                    .map(|b| {
                        let row: Vec<ValueId> = (0..ndim).map(|a| table[a][b]).collect();
                        lookup(this, &row, moving)
                    })
                    .collect()
            };
            let (decided_by, outer_of) = (column(self, &decided), column(self, &outer));
            let mut pos = axis[i0];
            let mut stopped = no;
            for i1 in (0..i0).rev() {
                let dec = lookup(self, &decided_by, perm[i1]);
                let out = lookup(self, &outer_of, perm[i1]);
                let live = self.b.select(stopped, no, dec);
                let moves = self.b.bin(BinaryOp::And, live, out);
                pos = self.b.select(moves, axis[i1], pos);
                let stays = self.b.select(out, no, live);
                stopped = self.b.bin(BinaryOp::Or, stopped, stays);
            }
            let old = perm.clone();
            for p in 0..=i0 {
                let before = self.b.cmp(CmpOp::SLt, axis[p], pos);
                let here = self.b.cmp(CmpOp::Eq, axis[p], pos);
                let shifted = if p > 0 { old[p - 1] } else { moving };
                let at_or_after = self.b.select(here, moving, shifted);
                perm[p] = self.b.select(before, old[p], at_or_after);
            }
        }
        let mut strides = vec![zero; ndim];
        let mut stride = self.b.i64c(itemsize as i64);
        for &ax in perm.iter().rev() {
            for k in 0..ndim {
                let here = self.b.cmp(CmpOp::Eq, ax, axis[k]);
                strides[k] = self.b.select(here, stride, strides[k]);
            }
            let n = lookup(self, extents, ax);
            stride = self.b.bin(BinaryOp::IMul, stride, n);
        }
        strides
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
