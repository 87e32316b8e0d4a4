//! Sorting and searching, typed by typeinfer's `sorting.rs`. The array is
//! first copied, packed in C order with the sorted axis last (so each run to
//! sort is `len` consecutive elements), and a runtime kernel
//! (`Stmt::Kernel`: sort, argsort, median, unique) works on that copy; the
//! result is the copy itself when the axis is the last one (or the array is
//! flattened), else a C-ordered copy of it read with the axes put back.
//! `np.searchsorted` reads its sorted array in place, with its stride.

use frontend::hir::{Constant, Dtype, ExprId, ExprKind, Keyword, SortFn};
use typeinfer::sorting::{bound_arguments, params, sort_axis};
use typeinfer::{ArrayType, Layout, Type};

use crate::func::FnLower;
use crate::ir::{Kernel, Stmt, ValueId};
use crate::values::{ArrayVal, Val};
use crate::views::view_of;

/// A packed copy with the sorted axis last: the copy, its type, the runs'
/// count and length, and `perm` (axis `j` of the copy is axis `perm[j]` of
/// the array; empty when the array was flattened).
struct Runs {
    packed: ArrayVal,
    rows: ValueId,
    len: ValueId,
    perm: Vec<usize>,
}

impl FnLower<'_> {
    /// `np.f(args...)`, or the method `receiver.f(args...)`, of type `ty`.
    pub(crate) fn sorting_call(
        &mut self,
        f: SortFn,
        receiver: Option<ExprId>,
        args: &[ExprId],
        kwargs: &[Keyword],
        ty: &Type,
    ) -> Val {
        let Some(p) = bound_arguments(f, receiver, args, kwargs) else {
            return self.sorting_bug("arguments that do not bind");
        };
        let (names, _) = params(f, false);
        let get = |n: &str| names.iter().position(|x| *x == n).and_then(|i| p[i]);
        let Some(array) = p[0] else {
            return self.sorting_bug("a call without its array");
        };
        let (Val::Array(a), Some(&at)) = (self.expr(array), self.tf.expr_type(array).as_array())
        else {
            return self.sorting_bug("a call on something that is not an array");
        };
        if f == SortFn::Searchsorted {
            return self.searchsorted(&a, &at, array, get("v"), get("side"), ty);
        }
        if f == SortFn::Unique {
            return self.unique(&a, &at);
        }
        let given = get("axis").map(|x| match self.tf.hir.expr(x).kind {
            ExprKind::Const(Constant::None) => None,
            _ => self.const_int(x),
        });
        let Some(axis) = sort_axis(f, given, at.ndim) else {
            return self.sorting_bug("an axis typeinfer should have refused");
        };
        let runs = self.runs(&a, &at, axis);
        let span = self.b.span;
        let (rows, len) = (runs.rows, runs.len);
        match f {
            SortFn::Sort => {
                self.b.stmt(Stmt::Kernel {
                    kernel: Kernel::Sort(at.dtype),
                    args: vec![rows, len, runs.packed.data],
                    span,
                });
                if receiver.is_some() {
                    self.write_back(&runs, &a, &at);
                    return Val::Unit;
                }
                Val::Array(self.put_back(&runs, &runs.packed, at.dtype))
            }
            SortFn::Argsort => {
                let it = ArrayType {
                    dtype: Dtype::Int64,
                    layout: Layout::C,
                    ..at
                };
                let extents = runs.packed.extents.clone();
                let (out, _) = self.alloc_array(
                    &ArrayType {
                        ndim: extents.len() as u8,
                        ..it
                    },
                    extents,
                    false,
                );
                self.b.stmt(Stmt::Kernel {
                    kernel: Kernel::Argsort(at.dtype),
                    args: vec![rows, len, runs.packed.data, out.data],
                    span,
                });
                Val::Array(self.put_back(&runs, &out, Dtype::Int64))
            }
            _ => {
                let md = typeinfer::sorting::median_dtype(at.dtype);
                let rt = match ty {
                    Type::Array(rt) => *rt,
                    _ => ArrayType {
                        dtype: md,
                        ndim: 0,
                        layout: Layout::C,
                        writable: true,
                    },
                };
                // One median per run: the runs' axes in C order are the result's.
                let outer =
                    runs.packed.extents[..runs.packed.extents.len().saturating_sub(1)].to_vec();
                let extents = if rt.ndim == 0 { vec![] } else { outer };
                let (out, _) = self.alloc_array(&rt, extents, false);
                self.b.stmt(Stmt::Kernel {
                    kernel: Kernel::Median(at.dtype),
                    args: vec![rows, len, runs.packed.data, out.data],
                    span,
                });
                match ty {
                    Type::Array(_) => Val::Array(out),
                    _ => Val::Scalar(self.load_elem(out.data, md)),
                }
            }
        }
    }

    fn sorting_bug(&mut self, what: &str) -> Val {
        self.bug(&format!("sorting: {what}"));
        Val::Unit
    }

    /// A new packed (C-ordered) array of `a`'s elements converted to `dtype`.
    fn packed(&mut self, a: &ArrayVal, at: &ArrayType, dtype: Dtype) -> ArrayVal {
        let ct = ArrayType {
            dtype,
            ndim: a.extents.len() as u8,
            layout: Layout::C,
            writable: true,
        };
        let (out, _) = self.alloc_array(&ct, a.extents.clone(), false);
        let order: Vec<usize> = (0..a.extents.len()).collect();
        let extents = a.extents.clone();
        self.index_loops(&extents, &order, |this, ij| {
            let from = this.element_at(a, at, ij);
            let v = this.load_elem(from, at.dtype);
            let v = this.cast_scalar(v, at.dtype, dtype);
            let to = this.element_at(&out, &ct, ij);
            this.store_elem(to, v, dtype);
        });
        out
    }

    /// `a` copied into runs along `axis` (`None`: one run of every element).
    fn runs(&mut self, a: &ArrayVal, at: &ArrayType, axis: Option<usize>) -> Runs {
        let Some(k) = axis else {
            let packed = self.packed(a, at, at.dtype);
            let total = self.product(&packed.extents);
            let item = self.b.i64c(at.dtype.itemsize() as i64);
            let rows = self.b.i64c(1);
            return Runs {
                packed: view_of(&packed, packed.data, vec![total], vec![item]),
                rows,
                len: total,
                perm: Vec::new(),
            };
        };
        let n = a.extents.len();
        let perm: Vec<usize> = (0..n).filter(|&j| j != k).chain([k]).collect();
        let moved = view_of(
            a,
            a.data,
            perm.iter().map(|&j| a.extents[j]).collect(),
            perm.iter().map(|&j| self.stride(a, at, j)).collect(),
        );
        let mt = ArrayType {
            layout: if k + 1 == n { at.layout } else { Layout::Any },
            ..*at
        };
        let packed = self.packed(&moved, &mt, at.dtype);
        let rows = self.product(&packed.extents[..n - 1]);
        Runs {
            len: packed.extents[n - 1],
            packed,
            rows,
            perm,
        }
    }

    /// `buffer` (packed like `runs.packed`, of `dtype`) read with the array's
    /// axes: itself when they are in place, else a C-ordered copy.
    fn put_back(&mut self, runs: &Runs, buffer: &ArrayVal, dtype: Dtype) -> ArrayVal {
        if runs.perm.iter().enumerate().all(|(j, &i)| i == j) {
            return buffer.clone();
        }
        let (view, vt) = self.unpermuted(runs, buffer, dtype);
        self.packed(&view, &vt, dtype)
    }

    /// `buffer` viewed with the array's axes (a view of layout Any).
    fn unpermuted(
        &mut self,
        runs: &Runs,
        buffer: &ArrayVal,
        dtype: Dtype,
    ) -> (ArrayVal, ArrayType) {
        let n = runs.perm.len();
        let mut extents = buffer.extents.clone();
        let mut strides = buffer.strides.clone();
        for (j, &i) in runs.perm.iter().enumerate() {
            extents[i] = buffer.extents[j];
            strides[i] = buffer.strides[j];
        }
        let vt = ArrayType {
            dtype,
            ndim: n as u8,
            layout: Layout::Any,
            writable: true,
        };
        (view_of(buffer, buffer.data, extents, strides), vt)
    }

    /// `a.sort()`: the sorted runs stored back into `a`.
    fn write_back(&mut self, runs: &Runs, a: &ArrayVal, at: &ArrayType) {
        let (sorted, st) = self.unpermuted(runs, &runs.packed, at.dtype);
        let order: Vec<usize> = (0..a.extents.len()).collect();
        let extents = a.extents.clone();
        self.index_loops(&extents, &order, |this, ij| {
            let from = this.element_at(&sorted, &st, ij);
            let v = this.load_elem(from, at.dtype);
            let to = this.element_at(a, at, ij);
            this.store_elem(to, v, at.dtype);
        });
    }

    /// `np.unique(a)`: the sorted distinct elements, a 1-d array over a sorted
    /// packed copy whose first `count` elements the kernel made distinct.
    fn unique(&mut self, a: &ArrayVal, at: &ArrayType) -> Val {
        let runs = self.runs(a, at, None);
        let one = self.b.i64c(1);
        let (_, cell, _) = self.alloc_buffer(Dtype::Int64, &[one], false);
        let span = self.b.span;
        self.b.stmt(Stmt::Kernel {
            kernel: Kernel::Unique(at.dtype),
            args: vec![runs.len, runs.packed.data, cell],
            span,
        });
        let kept = self.load_elem(cell, Dtype::Int64);
        let strides = runs.packed.strides.clone();
        Val::Array(view_of(&runs.packed, runs.packed.data, vec![kept], strides))
    }

    /// `np.searchsorted(a, v, side)`: `v` a number (the result a number) or
    /// an array (an int64 array of its shape), in the common dtype typeinfer
    /// coerced both to.
    fn searchsorted(
        &mut self,
        a: &ArrayVal,
        at: &ArrayType,
        array: ExprId,
        v: Option<ExprId>,
        side: Option<ExprId>,
        ty: &Type,
    ) -> Val {
        let Some(v) = v else {
            return self.sorting_bug("np.searchsorted without its values");
        };
        let Some(common) = self.tf.coerced_type(array).as_array().map(|c| c.dtype) else {
            return self.sorting_bug("np.searchsorted without a common dtype");
        };
        let right = side.is_some_and(|s| {
            matches!(&self.tf.hir.expr(s).kind,
                ExprKind::Const(Constant::Str(x)) | ExprKind::Global { value: Constant::Str(x), .. } if x == "right")
        });
        let (a, at) = if at.dtype == common {
            (a.clone(), *at)
        } else {
            let p = self.packed(a, at, common);
            let pt = ArrayType {
                dtype: common,
                layout: Layout::C,
                writable: true,
                ..*at
            };
            (p, pt)
        };
        let a_stride = self.stride(&a, &at, 0);
        let value = self.expr(v);
        let one = self.b.i64c(1);
        let (values, m, out) = match (value, self.tf.expr_type(v).as_array()) {
            (Val::Array(va), Some(&vt)) => {
                let packed = self.packed(&va, &vt, common);
                let m = self.product(&packed.extents);
                let rt = ArrayType {
                    dtype: Dtype::Int64,
                    layout: Layout::C,
                    writable: true,
                    ..vt
                };
                let (out, _) = self.alloc_array(&rt, va.extents.clone(), false);
                (packed.data, m, out)
            }
            (Val::Scalar(x), None) => {
                let (_, cell, _) = self.alloc_buffer(common, &[one], false);
                self.store_elem(cell, x, common);
                let rt = ArrayType {
                    dtype: Dtype::Int64,
                    ndim: 1,
                    layout: Layout::C,
                    writable: true,
                };
                let (out, _) = self.alloc_array(&rt, vec![one], false);
                (cell, one, out)
            }
            _ => return self.sorting_bug("np.searchsorted of values of no known type"),
        };
        let right = self.b.i64c(i64::from(right));
        let span = self.b.span;
        self.b.stmt(Stmt::Kernel {
            kernel: Kernel::Searchsorted(common),
            args: vec![a.extents[0], a.data, a_stride, m, values, out.data, right],
            span,
        });
        match ty {
            Type::Array(_) => Val::Array(out),
            _ => Val::Scalar(self.load_elem(out.data, Dtype::Int64)),
        }
    }
}
