//! Whole-array reductions (`library::Reduction`): one pass over the elements
//! of an array or an array expression, in C order, combining them in an
//! accumulator as the registry entry says; the expression is never stored.

use frontend::hir::{Dtype, ExceptionKind, ExprId, Keyword};
use library::{Combine, Emit, Order, Primitive, ReduceFn, ReduceSig, Value};
use typeinfer::{ArrayType, Layout, Type};

use crate::builder::ltype;
use crate::func::FnLower;
use crate::ir::{BinaryOp, CastOp, CmpOp, LType, ValueId};
use crate::values::{ArrayVal, Val};

/// Runs a body on every element of a reduction (with its index among them),
/// emitting one pass over them.
type EachElement<'a, L> = dyn Fn(&mut L, &mut dyn FnMut(&mut L, ValueId, ValueId)) + 'a;

/// The dtype `combine` gives: the accumulator's, or int64 for an index.
fn reduction_result(reduction: &library::Reduction, sig: ReduceSig) -> Dtype {
    match reduction.combine {
        Combine::Arg { .. } => Dtype::Int64,
        _ => sig.acc,
    }
}

fn id(v: Value) -> ValueId {
    ValueId(v.0)
}

fn value(v: ValueId) -> Value {
    Value(v.0)
}

/// What a reduction's keywords change in its loop.
#[derive(Clone, Copy)]
struct Options {
    /// `dtype=`: the type elements are converted to first.
    given: Option<Dtype>,
    /// `ddof=`: subtracted from the count a variance divides by.
    ddof: Option<ExprId>,
}

impl Options {
    /// The reduction's types for elements of `elem`, and the dtype elements
    /// are read as (the given one, else their own).
    fn types(self, reduction: &library::Reduction, elem: Dtype) -> Option<(ReduceSig, Dtype)> {
        let sig = reduction.types(elem, self.given).ok()?;
        Some((sig, self.given.unwrap_or(elem)))
    }
}

impl FnLower<'_> {
    /// A reduction call: of the whole array, or along the constant `axis`
    /// argument of an n-d array; of type `ty` (an array with `keepdims=True`).
    pub(crate) fn reduce_call(
        &mut self,
        r: ReduceFn,
        src: ExprId,
        extra: &[ExprId],
        kwargs: &[Keyword],
        ty: &Type,
    ) -> Val {
        let args = typeinfer::reduce_arguments(r, extra, kwargs);
        let Some(ndim) = self.tf.expr_type(src).as_array().map(|a| a.ndim) else {
            self.bug("a reduction of something that is not an array");
            return Val::Unit;
        };
        let axis = args
            .axis
            .and_then(|x| self.const_int(x))
            .map(|k| k.rem_euclid(i64::from(ndim).max(1)) as usize);
        let keepdims = args.keepdims.and_then(|x| self.const_int(x)) == Some(1);
        let result = match ty {
            Type::Scalar(d) => *d,
            Type::Array(at) => at.dtype,
            _ => {
                self.bug("a reduction whose type is neither a number nor an array");
                return Val::Unit;
            }
        };
        // The result's dtype is the one `dtype=` names.
        let options = Options {
            given: args.dtype.map(|_| result),
            ddof: args.ddof,
        };
        if let Combine::Running { identity, step } = r.reduction().combine {
            let Type::Array(at) = ty else {
                self.bug("a running reduction whose type is not an array");
                return Val::Unit;
            };
            return self.running(r, src, axis, at, options, (identity, step));
        }
        let out_type = |ndim| ArrayType {
            dtype: result,
            ndim,
            layout: Layout::C,
            writable: true,
        };
        match axis {
            Some(axis) if ndim > 1 => {
                match self.reduce_axis(r, src, axis, &out_type(ndim - 1), options) {
                    Val::Array(out) if keepdims => {
                        Val::Array(self.with_unit_axis(out, axis, result))
                    }
                    v => v,
                }
            }
            _ => {
                let v = self.reduce(r, src, result, options);
                if !keepdims {
                    return Val::Scalar(v);
                }
                // An array of one element, every axis of length 1.
                let at = out_type(ndim);
                let one = self.b.i64c(1);
                let zero = self.b.i64c(0);
                let (out, _) = self.alloc_array(&at, vec![one; usize::from(ndim)], false);
                let addr = self.element_at(&out, &at, &vec![zero; usize::from(ndim)]);
                self.store_elem(addr, v, result);
                Val::Array(out)
            }
        }
    }

    /// `out` (C-ordered) with an axis of length 1 inserted at `axis`, its
    /// stride the one that keeps the array C-contiguous, as NumPy's.
    fn with_unit_axis(&mut self, mut out: ArrayVal, axis: usize, d: Dtype) -> ArrayVal {
        let stride = match (out.strides.get(axis), out.extents.get(axis)) {
            (Some(&s), Some(&n)) => self.b.bin(BinaryOp::IMul, s, n),
            _ => self.b.i64c(d.itemsize() as i64),
        };
        let one = self.b.i64c(1);
        out.extents.insert(axis, one);
        out.strides.insert(axis, stride);
        out
    }

    /// `ddof`'s value (evaluated after the array), if given.
    fn ddof(&mut self, options: Options) -> Option<ValueId> {
        options.ddof.map(|x| self.scalar_expr(x).0)
    }

    /// `r` of `src` along `axis`: a new C-ordered array of type `at`, each
    /// element reduced from the elements of one line along the axis.
    fn reduce_axis(
        &mut self,
        r: ReduceFn,
        src: ExprId,
        axis: usize,
        at: &ArrayType,
        options: Options,
    ) -> Val {
        let reduction = r.reduction();
        let elem = self.tf.expr_type(src).as_array().map(|a| a.dtype);
        let Some((sig, read_as)) = elem.and_then(|elem| options.types(reduction, elem)) else {
            self.bug("a reduction typeinfer should have refused");
            return Val::Unit;
        };
        let elem = elem.unwrap_or(read_as);
        let elements = self.elements_of(src);
        let ddof = self.ddof(options);
        let mut outer = elements.extents.clone();
        let line = outer.remove(axis);
        let zero = self.b.i64c(0);
        let count = self.product(&outer);
        let lines = self.b.cmp(CmpOp::Ne, count, zero);
        let empty_line = self.b.cmp(CmpOp::Eq, line, zero);
        let fails = self.b.bin(BinaryOp::And, lines, empty_line);
        match reduction.combine {
            Combine::FromFirst { numpy_name, .. } => self.raise_if(
                fails,
                ExceptionKind::ValueError,
                &format!(
                    "zero-size array to reduction operation {numpy_name} which has no identity"
                ),
            ),
            Combine::Arg { .. } => self.raise_if(
                fails,
                ExceptionKind::ValueError,
                &format!("attempt to get {} of an empty sequence", reduction.name),
            ),
            Combine::Fold { .. }
            | Combine::Moments { .. }
            | Combine::Running { .. }
            | Combine::NanMean => {}
        }
        let out_type = ArrayType {
            layout: Layout::C,
            ..*at
        };
        let (out, _) = self.alloc_array(&out_type, outer.clone(), false);
        let order: Vec<usize> = (0..outer.len()).collect();
        self.index_loops(&outer, &order, |this, index| {
            // Element `j` of this line, converted to the accumulator's dtype.
            let at_line = |this: &mut Self, j: ValueId| {
                let mut counters = index.to_vec();
                counters.insert(axis, j);
                let x = this.element_at_index(&elements, &counters);
                let x = this.cast_scalar(x, elem, read_as);
                this.cast_scalar(x, read_as, sig.acc)
            };
            let first = |this: &mut Self| {
                let zero = this.b.i64c(0);
                at_line(this, zero)
            };
            let each = |this: &mut Self, body: &mut dyn FnMut(&mut Self, ValueId, ValueId)| {
                this.index_loops(&[line], &[0], |this, j| {
                    let x = at_line(this, j[0]);
                    body(this, j[0], x);
                });
            };
            let v = this.combine(reduction, read_as, sig, (line, ddof), &first, &each);
            let v = this.cast_scalar(v, reduction_result(reduction, sig), at.dtype);
            let addr = this.element_at(&out, &out_type, index);
            this.store_elem(addr, v, at.dtype);
        });
        Val::Array(out)
    }

    /// `cumsum`/`cumprod` of `src`: a new C-ordered array of type `at` holding
    /// each partial value of the fold, over the flattened elements in C order
    /// or, with `axis`, along each line of that axis (the same shape).
    fn running(
        &mut self,
        r: ReduceFn,
        src: ExprId,
        axis: Option<usize>,
        at: &ArrayType,
        options: Options,
        (identity, step): (f64, fn(&mut dyn Emit, Dtype, Value, Value) -> Value),
    ) -> Val {
        let elem = self.tf.expr_type(src).as_array().map(|a| a.dtype);
        let Some((sig, read_as)) = elem.and_then(|elem| options.types(r.reduction(), elem)) else {
            self.bug("a reduction typeinfer should have refused");
            return Val::Unit;
        };
        let elem = elem.unwrap_or(read_as);
        let elements = self.elements_of(src);
        let acc = self.b.var(ltype(sig.acc), "running.acc");
        let init = id(Emit::constant(self, sig.acc, identity));
        // Folds `x` into the accumulator and stores the partial value at `index` of `out`.
        let store = |this: &mut Self, out: &ArrayVal, index: &[ValueId], x: ValueId| {
            let x = this.cast_scalar(x, elem, read_as);
            let x = this.cast_scalar(x, read_as, sig.acc);
            let a = this.b.get(acc);
            let a = id(step(this, sig.acc, value(a), value(x)));
            this.b.set(acc, a);
            let v = this.cast_scalar(a, sig.acc, at.dtype);
            let addr = this.element_at(out, at, index);
            this.store_elem(addr, v, at.dtype);
        };
        let Some(axis) = axis else {
            let count = self.product(&elements.extents.clone());
            let (out, _) = self.alloc_array(at, vec![count], false);
            let flat = self.b.var(LType::I64, "running.flat");
            let zero = self.b.i64c(0);
            self.b.set(flat, zero);
            self.b.set(acc, init);
            self.for_each_element(&elements, &mut |this, _, x| {
                let k = this.b.get(flat);
                store(this, &out, &[k], x);
                let one = this.b.i64c(1);
                let next = this.b.bin(BinaryOp::IAdd, k, one);
                this.b.set(flat, next);
            });
            return Val::Array(out);
        };
        let (out, _) = self.alloc_array(at, elements.extents.clone(), false);
        let mut outer = elements.extents.clone();
        let line = outer.remove(axis);
        let order: Vec<usize> = (0..outer.len()).collect();
        self.index_loops(&outer, &order, |this, index| {
            this.b.set(acc, init);
            this.index_loops(&[line], &[0], |this, j| {
                let mut counters = index.to_vec();
                counters.insert(axis, j[0]);
                let x = this.element_at_index(&elements, &counters);
                store(this, &out, &counters, x);
            });
        });
        Val::Array(out)
    }

    /// `np.diff(src, n, axis)`: `n` passes, each a new C-ordered array of
    /// the differences of neighbours along `axis` (`!=` for bools, as NumPy),
    /// one shorter along it (never below 0), read by the next pass.
    pub(crate) fn diff(
        &mut self,
        src: ArrayVal,
        st: &ArrayType,
        e: ExprId,
        n: i64,
        axis: usize,
        at: &ArrayType,
    ) -> Val {
        let d = at.dtype;
        let mut cur = self.elements_of_array(src.clone(), *st, d, e);
        let mut result = src;
        for _ in 0..n {
            let mut extents = cur.extents.clone();
            let zero = self.b.i64c(0);
            let one = self.b.i64c(1);
            let len = extents[axis];
            let some = self.b.cmp(CmpOp::SGt, len, zero);
            let shorter = self.b.bin(BinaryOp::ISub, len, one);
            extents[axis] = self.b.select(some, shorter, zero);
            let (out, _) = self.alloc_array(at, extents.clone(), false);
            let order: Vec<usize> = (0..extents.len()).collect();
            self.index_loops(&extents, &order, |this, counters| {
                let mut next = counters.to_vec();
                next[axis] = this.b.bin(BinaryOp::IAdd, counters[axis], one);
                let hi = this.element_at_index(&cur, &next);
                let lo = this.element_at_index(&cur, counters);
                let v = if d == Dtype::Bool {
                    this.b.cmp(CmpOp::Ne, hi, lo)
                } else {
                    this.element_binary(frontend::hir::BinOp::Sub, hi, lo, d)
                };
                let addr = this.element_at(&out, at, counters);
                this.store_elem(addr, v, d);
            });
            cur = self.elements_of_array(out.clone(), *at, d, e);
            result = out;
        }
        Val::Array(result)
    }

    /// `r` of `src` (an array or an array expression), a number of dtype `result`.
    fn reduce(&mut self, r: ReduceFn, src: ExprId, result: Dtype, options: Options) -> ValueId {
        let reduction = r.reduction();
        let elem = self.tf.expr_type(src).as_array().map(|a| a.dtype);
        let Some((sig, read_as)) = elem.and_then(|elem| options.types(reduction, elem)) else {
            self.bug("a reduction typeinfer should have refused");
            return self.zero(result);
        };
        let elem = elem.unwrap_or(read_as);
        // The elements as the consumer reads them (an array's own dtype, or
        // the expression's).
        let elements = self.elements_of(src);
        let ddof = self.ddof(options);
        let count = self.product(&elements.extents.clone());
        let zero = self.b.i64c(0);
        let empty = self.b.cmp(CmpOp::Eq, count, zero);
        match reduction.combine {
            Combine::FromFirst { numpy_name, .. } => {
                let message = if reduction.name.starts_with("builtin ") {
                    // CPython 3.9 to 3.11's words (3.12 says "iterable argument is empty").
                    format!("{numpy_name}() arg is an empty sequence")
                } else {
                    format!(
                        "zero-size array to reduction operation {numpy_name} which has no identity"
                    )
                };
                self.raise_if(empty, ExceptionKind::ValueError, &message);
            }
            Combine::Arg { .. } => self.raise_if(
                empty,
                ExceptionKind::ValueError,
                &format!("attempt to get {} of an empty sequence", reduction.name),
            ),
            Combine::Fold { .. }
            | Combine::Moments { .. }
            | Combine::Running { .. }
            | Combine::NanMean => {}
        }
        let flat = self.b.var(LType::I64, "reduce.flat");
        let first = |this: &mut Self| {
            let x = this.first_element(&elements);
            let x = this.cast_scalar(x, elem, read_as);
            this.cast_scalar(x, read_as, sig.acc)
        };
        let each = |this: &mut Self, body: &mut dyn FnMut(&mut Self, ValueId, ValueId)| {
            let zero = this.b.i64c(0);
            let one = this.b.i64c(1);
            this.b.set(flat, zero);
            this.for_each_element(&elements, &mut |this, _, x| {
                let x = this.cast_scalar(x, elem, read_as);
                let x = this.cast_scalar(x, read_as, sig.acc);
                let k = this.b.get(flat);
                body(this, k, x);
                let next = this.b.bin(BinaryOp::IAdd, k, one);
                this.b.set(flat, next);
            });
        };
        let v = self.combine(reduction, read_as, sig, (count, ddof), &first, &each);
        self.cast_scalar(v, reduction_result(reduction, sig), result)
    }

    /// Combines `count` elements as `reduction` says: `first` gives the
    /// first (when there is one), `each` runs its body on every element with
    /// its index among them (each call a new pass); a variance divides by
    /// `count - ddof` (at least 0). The value is of `reduction_result`'s dtype.
    fn combine(
        &mut self,
        reduction: &library::Reduction,
        elem: Dtype,
        sig: ReduceSig,
        (count, ddof): (ValueId, Option<ValueId>),
        first: &dyn Fn(&mut Self) -> ValueId,
        each: &EachElement<'_, Self>,
    ) -> ValueId {
        let acc = self.b.var(ltype(sig.acc), "reduce.acc");
        let fold = |this: &mut Self, step: &dyn Fn(&mut Self, ValueId, ValueId) -> ValueId| {
            each(this, &mut |this, _, x| {
                let a = this.b.get(acc);
                let next = step(this, a, x);
                this.b.set(acc, next);
            });
            this.b.get(acc)
        };
        match reduction.combine {
            Combine::Fold {
                identity,
                step,
                mean,
            } => {
                let init = id(Emit::constant(self, sig.acc, identity));
                self.b.set(acc, init);
                let total = fold(self, &|this, a, x| {
                    id(step(this, sig.acc, value(a), value(x)))
                });
                if mean {
                    self.divide_by_count(total, count, sig.acc)
                } else {
                    total
                }
            }
            Combine::FromFirst { step, .. } => {
                let x = first(self);
                self.b.set(acc, x);
                fold(self, &|this, a, x| {
                    id(step(this, sig.acc, value(a), value(x)))
                })
            }
            Combine::Arg { order } => {
                let x = first(self);
                self.b.set(acc, x);
                let best = self.b.var(LType::I64, "reduce.index");
                let zero = self.b.i64c(0);
                self.b.set(best, zero);
                each(self, &mut |this, k, x| {
                    let a = this.b.get(acc);
                    let better = this.beats(order, elem, x, a);
                    let a = this.b.select(better, x, a);
                    this.b.set(acc, a);
                    let i = this.b.get(best);
                    let i = this.b.select(better, k, i);
                    this.b.set(best, i);
                });
                self.b.get(best)
            }
            Combine::NanMean => {
                let init = id(Emit::constant(self, sig.acc, 0.0));
                self.b.set(acc, init);
                let n = self.b.var(LType::I64, "reduce.count");
                let zero = self.b.i64c(0);
                self.b.set(n, zero);
                each(self, &mut |this, _, x| {
                    let nan = id(Emit::primitive(
                        this,
                        Primitive::IsNan,
                        sig.acc,
                        &[value(x)],
                    ));
                    let a = this.b.get(acc);
                    let sum = this.b.bin(BinaryOp::FAdd, a, x);
                    let a = this.b.select(nan, a, sum);
                    this.b.set(acc, a);
                    let c = this.b.get(n);
                    let one = this.b.i64c(1);
                    let more = this.b.bin(BinaryOp::IAdd, c, one);
                    let c = this.b.select(nan, c, more);
                    this.b.set(n, c);
                });
                let total = self.b.get(acc);
                let count = self.b.get(n);
                self.divide_by_count(total, count, sig.acc)
            }
            Combine::Running { .. } => {
                self.bug("a running reduction reduced to one value");
                self.zero(sig.acc)
            }
            Combine::Moments { sqrt } => {
                let init = id(Emit::constant(self, sig.acc, 0.0));
                self.b.set(acc, init);
                let total = fold(self, &|this, a, x| this.b.bin(BinaryOp::FAdd, a, x));
                let mean = self.divide_by_count(total, count, sig.acc);
                // The elements again (an expression is computed twice rather than stored).
                self.b.set(acc, init);
                let squares = fold(self, &|this, a, x| {
                    let d = this.b.bin(BinaryOp::FSub, x, mean);
                    let d2 = this.b.bin(BinaryOp::FMul, d, d);
                    this.b.bin(BinaryOp::FAdd, a, d2)
                });
                let freedom = match ddof {
                    Some(ddof) => {
                        let n = self.b.bin(BinaryOp::ISub, count, ddof);
                        let zero = self.b.i64c(0);
                        let positive = self.b.cmp(CmpOp::SGt, n, zero);
                        self.b.select(positive, n, zero)
                    }
                    None => count,
                };
                let var = self.divide_by_count(squares, freedom, sig.acc);
                if sqrt {
                    self.b
                        .emit(crate::ir::Inst::Math(Primitive::Sqrt, vec![var]))
                } else {
                    var
                }
            }
        }
    }

    /// The element at index 0 of every axis (the array is not empty).
    fn first_element(&mut self, elements: &crate::elementwise::Elements) -> ValueId {
        let zero = self.b.i64c(0);
        let counters = vec![zero; elements.extents.len()];
        self.element_at_index(elements, &counters)
    }

    /// Whether `x` replaces `best` in an argmin/argmax: it is strictly
    /// better, or it is the first NaN (NumPy's index of the first NaN).
    fn beats(&mut self, order: Order, d: Dtype, x: ValueId, best: ValueId) -> ValueId {
        let better = id(Emit::compare(self, order, d, value(x), value(best)));
        if !d.is_float() {
            return better;
        }
        let x_nan = id(Emit::primitive(self, Primitive::IsNan, d, &[value(x)]));
        let best_nan = id(Emit::primitive(self, Primitive::IsNan, d, &[value(best)]));
        let t = self.b.boolc(true);
        let best_number = self.b.bin(BinaryOp::Xor, best_nan, t);
        let first_nan = self.b.bin(BinaryOp::And, x_nan, best_number);
        self.b.bin(BinaryOp::Or, better, first_nan)
    }

    /// `total / count` in `d` (float64 or complex128).
    fn divide_by_count(&mut self, total: ValueId, count: ValueId, d: Dtype) -> ValueId {
        let n = self.b.cast(CastOp::SIToFP, count, LType::F64);
        let n = self.cast_scalar(n, Dtype::Float64, d);
        let op = if d.is_complex() {
            BinaryOp::CDiv
        } else {
            BinaryOp::FDiv
        };
        self.b.bin(op, total, n)
    }
}
