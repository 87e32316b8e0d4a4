//! Sorting and searching, typed by typeinfer's `sorting.rs`. The array is
//! first copied, packed in C order with the sorted axis last (so each run to
//! sort is `len` consecutive elements), and a runtime kernel
//! (`Stmt::Kernel`: sort, argsort, median, unique) works on that copy; the
//! result is the copy itself when the axis is the last one (or the array is
//! flattened), else a C-ordered copy of it read with the axes put back.
//! `np.searchsorted` reads its sorted array in place, with its stride;
//! `np.histogram` counts in a kernel too, `np.bincount` in two loops here.

use frontend::hir::{Constant, Dtype, ExprId, ExprKind, Keyword, SortFn};
use typeinfer::sorting::{bound_arguments, params, sort_axis};
use typeinfer::{ArrayType, Layout, Type};

use crate::func::FnLower;
use crate::ir::{BinaryOp, CmpOp, ExceptionKind, Inst, Kernel, LType, Stmt, ValueId};
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
        match f {
            SortFn::Unique => return self.unique(&a, &at),
            SortFn::Histogram => return self.histogram(&a, &at, get("bins"), get("range")),
            SortFn::Bincount => return self.bincount(&a, &at, get("weights"), get("minlength")),
            _ => {}
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

    /// `np.histogram(a, bins, range)`: (counts, edges), counted by the runtime
    /// over a packed copy of `a` in the edges' float type.
    fn histogram(
        &mut self,
        a: &ArrayVal,
        at: &ArrayType,
        bins: Option<ExprId>,
        range: Option<ExprId>,
    ) -> Val {
        let bins_val = bins.map(|b| (b, self.expr(b)));
        let range_val = range.map(|r| self.expr(r));
        let one = self.b.i64c(1);
        let (dtype, nbins, edges, edges_val, given) = match bins_val {
            Some((b, Val::Array(e))) => {
                let Some(&et) = self.tf.expr_type(b).as_array() else {
                    return self.sorting_bug("np.histogram of edges of no known type");
                };
                // The array of edges is the result's, as NumPy's `np.asarray(bins)`.
                let packed = self.packed(&e, &et, Dtype::Float64);
                let nbins = self.b.bin(BinaryOp::ISub, e.extents[0], one);
                (Dtype::Float64, nbins, packed.data, Val::Array(e), 1)
            }
            other => {
                let nbins = match other {
                    Some((_, Val::Scalar(n))) => n,
                    _ => self.b.i64c(10),
                };
                let not_positive = self.b.cmp(CmpOp::SLt, nbins, one);
                self.raise_if(
                    not_positive,
                    ExceptionKind::ValueError,
                    "`bins` must be positive, when an integer",
                );
                let dtype = typeinfer::sorting::edge_dtype(at.dtype);
                let et = ArrayType {
                    dtype,
                    ndim: 1,
                    layout: Layout::C,
                    writable: true,
                };
                let count = self.b.bin(BinaryOp::IAdd, nbins, one);
                let (edges, _) = self.alloc_array(&et, vec![count], false);
                (dtype, nbins, edges.data, Val::Array(edges), 0)
            }
        };
        let range_ptr = match range_val {
            Some(Val::Tuple(items)) => match items.as_slice() {
                [Val::Scalar(lo), Val::Scalar(hi)] => {
                    let two = self.b.i64c(2);
                    let (_, cell, _) = self.alloc_buffer(Dtype::Float64, &[two], false);
                    self.store_elem(cell, *lo, Dtype::Float64);
                    let eight = self.b.i64c(8);
                    let second = self.b.emit(Inst::PtrOffset {
                        addr: cell,
                        offset: eight,
                    });
                    self.store_elem(second, *hi, Dtype::Float64);
                    cell
                }
                _ => return self.sorting_bug("np.histogram with a range not of two numbers"),
            },
            _ => self.b.i64c(0),
        };
        let runs = self.runs(a, at, None);
        let data = if dtype == at.dtype {
            runs.packed
        } else {
            let rt = ArrayType {
                dtype: at.dtype,
                ndim: 1,
                layout: Layout::C,
                writable: true,
            };
            self.packed(&runs.packed, &rt, dtype)
        };
        let zero = self.b.i64c(0);
        let negative = self.b.cmp(CmpOp::SLt, nbins, zero);
        let counted = self.b.select(negative, zero, nbins);
        let ct = ArrayType {
            dtype: Dtype::Int64,
            ndim: 1,
            layout: Layout::C,
            writable: true,
        };
        let (counts, _) = self.alloc_array(&ct, vec![counted], true);
        let given = self.b.i64c(given);
        let span = self.b.span;
        self.b.stmt(Stmt::Kernel {
            kernel: Kernel::Histogram(dtype),
            args: vec![
                runs.len,
                data.data,
                nbins,
                edges,
                range_ptr,
                given,
                counts.data,
            ],
            span,
        });
        Val::Tuple(vec![Val::Array(counts), edges_val])
    }

    /// `np.bincount(x, weights, minlength)`: two loops over `x`, one for its
    /// largest value (raising on a negative one), one adding 1 or the weight.
    fn bincount(
        &mut self,
        x: &ArrayVal,
        xt: &ArrayType,
        weights: Option<ExprId>,
        minlength: Option<ExprId>,
    ) -> Val {
        let weights = weights
            .filter(|w| !matches!(self.tf.hir.expr(*w).kind, ExprKind::Const(Constant::None)));
        let w = match weights.map(|w| (self.expr(w), self.tf.expr_type(w).as_array().copied())) {
            Some((Val::Array(w), Some(wt))) => Some((w, wt)),
            Some(_) => return self.sorting_bug("np.bincount of weights that are not an array"),
            None => None,
        };
        let minlength = match minlength.map(|m| self.expr(m)) {
            Some(Val::Scalar(m)) => m,
            _ => self.b.i64c(0),
        };
        let zero = self.b.i64c(0);
        let one = self.b.i64c(1);
        let negative = self.b.cmp(CmpOp::SLt, minlength, zero);
        self.raise_if(
            negative,
            ExceptionKind::ValueError,
            "'minlength' must not be negative",
        );
        let n = x.extents[0];
        let top = self.b.var(LType::I64, "bincount.max");
        let minus_one = self.b.i64c(-1);
        self.b.set(top, minus_one);
        self.index_loops(&[n], &[0], |this, i| {
            let p = this.element_at(x, xt, i);
            let v = this.load_elem(p, xt.dtype);
            let v = this.cast_scalar(v, xt.dtype, Dtype::Int64);
            let below = this.b.cmp(CmpOp::SLt, v, zero);
            this.raise_if(
                below,
                ExceptionKind::ValueError,
                "'list' argument must have no negative elements",
            );
            let t = this.b.get(top);
            let more = this.b.cmp(CmpOp::SGt, v, t);
            let t = this.b.select(more, v, t);
            this.b.set(top, t);
        });
        if let Some((w, _)) = &w {
            // NumPy compares the lengths only when `x` is not empty.
            let differ = self.b.cmp(CmpOp::Ne, w.extents[0], n);
            let nonempty = self.b.cmp(CmpOp::SGt, n, zero);
            let bad = self.b.bin(BinaryOp::And, differ, nonempty);
            self.raise_if(
                bad,
                ExceptionKind::ValueError,
                "The weights and list don't have the same length.",
            );
        }
        let t = self.b.get(top);
        let size = self.b.bin(BinaryOp::IAdd, t, one);
        let short = self.b.cmp(CmpOp::SLt, size, minlength);
        let size = self.b.select(short, minlength, size);
        let dtype = if w.is_some() {
            Dtype::Float64
        } else {
            Dtype::Int64
        };
        let rt = ArrayType {
            dtype,
            ndim: 1,
            layout: Layout::C,
            writable: true,
        };
        let (out, _) = self.alloc_array(&rt, vec![size], true);
        let item = self.b.i64c(dtype.itemsize() as i64);
        self.index_loops(&[n], &[0], |this, i| {
            let p = this.element_at(x, xt, i);
            let v = this.load_elem(p, xt.dtype);
            let v = this.cast_scalar(v, xt.dtype, Dtype::Int64);
            let offset = this.b.bin(BinaryOp::IMul, v, item);
            let slot = this.b.emit(Inst::PtrOffset {
                addr: out.data,
                offset,
            });
            let old = this.load_elem(slot, dtype);
            let new = match &w {
                Some((w, wt)) => {
                    let q = this.element_at(w, wt, i);
                    let weight = this.load_elem(q, wt.dtype);
                    let weight = this.cast_scalar(weight, wt.dtype, Dtype::Float64);
                    this.b.bin(BinaryOp::FAdd, old, weight)
                }
                None => this.b.bin(BinaryOp::IAdd, old, one),
            };
            this.store_elem(slot, new, dtype);
        });
        Val::Array(out)
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
