//! Reductions of arrays (`a.sum()`, `np.max(a)`, `a.argmin()`...): the
//! registry entries of whole-array reductions. Each says how the element type
//! gives the accumulator's and the result's types, and how elements combine;
//! lower owns the loop (one pass over the elements, in C order, of an array or
//! of an array expression, which is never made).

use crate::emit::{Arith, Emit, Order, Value};
use crate::registry::Rejection;
use crate::{Dtype, Primitive};

/// The types of a reduction of an array of some dtype: elements are converted
/// to `acc`, combined there, and the result converted to `result`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReduceSig {
    pub acc: Dtype,
    pub result: Dtype,
}

/// How the elements combine.
#[derive(Clone, Copy, Debug)]
pub enum Combine {
    /// `acc = step(acc, x)` from `identity`; `mean` then divides by the count.
    Fold {
        identity: f64,
        step: fn(&mut dyn Emit, Dtype, Value, Value) -> Value,
        mean: bool,
    },
    /// From the first element; NumPy's `ValueError` for an empty array.
    FromFirst {
        step: fn(&mut dyn Emit, Dtype, Value, Value) -> Value,
        /// NumPy's name for the operation in its message (`minimum`).
        numpy_name: &'static str,
    },
    /// The flat index of the first element that beats every earlier one
    /// (`order` against the best so far; a NaN beats everything).
    Arg { order: Order },
    /// Two passes: the mean, then the mean of squared distances (`sqrt` of it
    /// for `std`).
    Moments { sqrt: bool },
    /// `nanmean`: the sum of the elements that are not NaN over their count
    /// (NaN when there are none, as NumPy gives with a warning).
    NanMean,
    /// `cumsum`, `cumprod`: a fold whose every partial value is kept, an
    /// array of them (the flattened array's, or each line's along `axis=`).
    Running {
        identity: f64,
        step: fn(&mut dyn Emit, Dtype, Value, Value) -> Value,
    },
}

/// A whole-array reduction: its names, typing rule and how elements combine.
#[derive(Debug)]
pub struct Reduction {
    pub name: &'static str,
    /// Also an array method (`a.sum()`), beside `np.sum(a)`.
    pub method: bool,
    pub typing: fn(Dtype) -> Result<ReduceSig, Rejection>,
    /// The typing rule with NumPy's `dtype=` argument (of the dtype given,
    /// which elements are converted to first); `None`: no `dtype=`.
    pub given_dtype: Option<fn(Dtype) -> Result<ReduceSig, Rejection>>,
    pub combine: Combine,
}

impl Reduction {
    /// Whether NumPy's `keepdims=` applies (not to cumulative ones or builtins).
    pub fn takes_keepdims(&self) -> bool {
        !self.name.starts_with("builtin ") && !matches!(self.combine, Combine::Running { .. })
    }
    /// The types of a reduction of elements of `elem`, or, given `dtype=`
    /// (for a reduction with `given_dtype`), of that dtype.
    pub fn types(&self, elem: Dtype, given: Option<Dtype>) -> Result<ReduceSig, Rejection> {
        match (given, self.given_dtype) {
            (Some(d), Some(rule)) => rule(d),
            _ => (self.typing)(elem),
        }
    }
    /// Whether NumPy's `ddof=` (delta degrees of freedom) applies.
    pub fn takes_ddof(&self) -> bool {
        matches!(self.combine, Combine::Moments { .. })
    }
}

/// A registered reduction, as HIR names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReduceFn(u8);

impl ReduceFn {
    pub fn reduction(self) -> &'static Reduction {
        &REDUCTIONS[self.0 as usize]
    }
    /// `np.sum` (also what `builtin_sum` and friends are called in messages).
    pub fn qualified_name(self) -> String {
        let r = self.reduction();
        if r.name.starts_with("builtin ") {
            r.name.trim_start_matches("builtin ").to_string()
        } else {
            format!("np.{}", r.name)
        }
    }
}

/// The NumPy functions among the reductions, by name.
pub fn numpy_reductions() -> impl Iterator<Item = (&'static str, ReduceFn)> {
    REDUCTIONS
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.name.starts_with("builtin "))
        .map(|(i, r)| (r.name, ReduceFn(i as u8)))
}

/// The reduction an array method of this name is, if any.
pub fn reduction_method(name: &str) -> Option<ReduceFn> {
    REDUCTIONS
        .iter()
        .position(|r| r.method && r.name == name)
        .map(|i| ReduceFn(i as u8))
}

/// Python's builtin `sum`, `min` or `max` of a 1-d array.
pub fn builtin_reduction(name: &str) -> Option<ReduceFn> {
    let full = format!("builtin {name}");
    REDUCTIONS
        .iter()
        .position(|r| r.name == full)
        .map(|i| ReduceFn(i as u8))
}

fn no_complex(d: Dtype) -> Result<(), Rejection> {
    if d.is_complex() {
        return Err(Rejection {
            arg: 0,
            needs: "real numbers",
            help: "complex numbers cannot be ordered here; reduce z.real or abs(z)",
        });
    }
    Ok(())
}

/// Sums and products: NumPy widens bools and integers to 64 bits; floats
/// accumulate in float64 (float32 results rounded once at the end), complex
/// numbers in complex128.
fn widened(d: Dtype) -> Result<ReduceSig, Rejection> {
    Ok(match d {
        Dtype::Bool | Dtype::Int8 | Dtype::Int16 | Dtype::Int32 | Dtype::Int64 => ReduceSig {
            acc: Dtype::Int64,
            result: Dtype::Int64,
        },
        Dtype::UInt8 | Dtype::UInt16 | Dtype::UInt32 | Dtype::UInt64 => ReduceSig {
            acc: Dtype::UInt64,
            result: Dtype::UInt64,
        },
        Dtype::Float32 | Dtype::Float64 => ReduceSig {
            acc: Dtype::Float64,
            result: d,
        },
        Dtype::Complex64 | Dtype::Complex128 => ReduceSig {
            acc: Dtype::Complex128,
            result: d,
        },
    })
}

/// `dtype=` of a sum, a product or a running one: integers accumulate in the
/// given type itself (wrapping as NumPy's do), floats and complex numbers as
/// without it.
fn given_integer_or(
    d: Dtype,
    otherwise: fn(Dtype) -> Result<ReduceSig, Rejection>,
) -> Result<ReduceSig, Rejection> {
    match d {
        Dtype::Bool => Err(Rejection {
            arg: 0,
            needs: "a number type",
            help: "sums of bools count in an integer type: pass dtype=np.int64, or use np.any",
        }),
        _ if d.is_float() || d.is_complex() => otherwise(d),
        _ => Ok(ReduceSig { acc: d, result: d }),
    }
}

fn given_widened(d: Dtype) -> Result<ReduceSig, Rejection> {
    given_integer_or(d, widened)
}

fn given_running(d: Dtype) -> Result<ReduceSig, Rejection> {
    given_integer_or(d, running)
}

/// `dtype=` of a mean or a moment: a float or complex type (NumPy's integer
/// means, rounded towards zero, are left out).
fn given_floating(d: Dtype) -> Result<ReduceSig, Rejection> {
    if !(d.is_float() || d.is_complex()) {
        return Err(Rejection {
            arg: 0,
            needs: "a float or complex type",
            help:
                "pass dtype=np.float64 or np.float32, and convert the result with int() if needed",
        });
    }
    floating(d)
}

fn given_real_floating(d: Dtype) -> Result<ReduceSig, Rejection> {
    no_complex(d)?;
    given_floating(d)
}

/// `mean`, `std`, `var`: floats; integers and bools give float64.
fn floating(d: Dtype) -> Result<ReduceSig, Rejection> {
    Ok(match d {
        Dtype::Float32 => ReduceSig {
            acc: Dtype::Float64,
            result: Dtype::Float32,
        },
        Dtype::Complex64 | Dtype::Complex128 => ReduceSig {
            acc: Dtype::Complex128,
            result: d,
        },
        _ => ReduceSig {
            acc: Dtype::Float64,
            result: Dtype::Float64,
        },
    })
}

fn real_floating(d: Dtype) -> Result<ReduceSig, Rejection> {
    no_complex(d)?;
    floating(d)
}

/// `min`, `max`: the array's own dtype.
fn own(d: Dtype) -> Result<ReduceSig, Rejection> {
    no_complex(d)?;
    Ok(ReduceSig { acc: d, result: d })
}

fn truth(_: Dtype) -> Result<ReduceSig, Rejection> {
    Ok(ReduceSig {
        acc: Dtype::Bool,
        result: Dtype::Bool,
    })
}

fn index(d: Dtype) -> Result<ReduceSig, Rejection> {
    no_complex(d)?;
    Ok(ReduceSig {
        acc: d,
        result: Dtype::Int64,
    })
}

/// `np.count_nonzero`: an int64 count, kept in a dtype every element converts
/// to without becoming zero (int64, float64, complex128).
fn counted(d: Dtype) -> Result<ReduceSig, Rejection> {
    let acc = match d {
        _ if d.is_complex() => Dtype::Complex128,
        _ if d.is_float() => Dtype::Float64,
        _ => Dtype::Int64,
    };
    Ok(ReduceSig {
        acc,
        result: Dtype::Int64,
    })
}

/// Python's `sum(a)` adds NumPy scalars to the int 0: the array's dtype
/// (NEP 50), bools as ints.
fn python_sum(d: Dtype) -> Result<ReduceSig, Rejection> {
    let d = if d == Dtype::Bool { Dtype::Int64 } else { d };
    Ok(ReduceSig { acc: d, result: d })
}

fn add(e: &mut dyn Emit, d: Dtype, acc: Value, x: Value) -> Value {
    e.arith(Arith::Add, d, acc, x)
}

fn mul(e: &mut dyn Emit, d: Dtype, acc: Value, x: Value) -> Value {
    e.arith(Arith::Mul, d, acc, x)
}

/// NumPy's `minimum.reduce`: `minimum(acc, x)`, so a NaN, once met, stays, and
/// of equal elements the later one is kept (`np.min([0.0, -0.0])` is `-0.0`;
/// NumPy's SIMD loops keep the later of equal lanes too, so an array of zeros
/// of both signs gives its last one at every length).
fn numpy_min(e: &mut dyn Emit, d: Dtype, acc: Value, x: Value) -> Value {
    keep_or_take(e, d, acc, x, Order::Lt)
}

fn numpy_max(e: &mut dyn Emit, d: Dtype, acc: Value, x: Value) -> Value {
    keep_or_take(e, d, acc, x, Order::Gt)
}

/// `acc` if `acc order x` or `acc` is NaN, else `x` (so a NaN `x` is taken).
fn keep_or_take(e: &mut dyn Emit, d: Dtype, acc: Value, x: Value, order: Order) -> Value {
    let keep = e.compare(order, d, acc, x);
    if d.is_float() {
        let nan = e.primitive(Primitive::IsNan, d, &[acc]);
        let either = e.select(nan, nan, keep);
        e.select(either, acc, x)
    } else {
        e.select(keep, acc, x)
    }
}

/// Python's `min(a)`: the first element unless a later one is smaller
/// (`x < acc`; a NaN never is, and never replaces).
fn python_min(e: &mut dyn Emit, d: Dtype, acc: Value, x: Value) -> Value {
    let take = e.compare(Order::Lt, d, x, acc);
    e.select(take, x, acc)
}

fn python_max(e: &mut dyn Emit, d: Dtype, acc: Value, x: Value) -> Value {
    let take = e.compare(Order::Gt, d, x, acc);
    e.select(take, x, acc)
}

/// `step` unless `x` is NaN, which is skipped (`np.nansum`, `np.nanmax`...).
fn skipping_nan(
    e: &mut dyn Emit,
    d: Dtype,
    acc: Value,
    x: Value,
    step: fn(&mut dyn Emit, Dtype, Value, Value) -> Value,
) -> Value {
    let next = step(e, d, acc, x);
    if !d.is_float() {
        return next;
    }
    let nan = e.primitive(Primitive::IsNan, d, &[x]);
    e.select(nan, acc, next)
}

fn nan_add(e: &mut dyn Emit, d: Dtype, acc: Value, x: Value) -> Value {
    skipping_nan(e, d, acc, x, add)
}

fn nan_mul(e: &mut dyn Emit, d: Dtype, acc: Value, x: Value) -> Value {
    skipping_nan(e, d, acc, x, mul)
}

/// NumPy's `fmin.reduce`: a NaN so far is replaced by the next element, a
/// NaN element is skipped (all NaN gives NaN).
fn nan_min(e: &mut dyn Emit, d: Dtype, acc: Value, x: Value) -> Value {
    fmin_fmax(e, d, acc, x, Order::Le)
}

fn nan_max(e: &mut dyn Emit, d: Dtype, acc: Value, x: Value) -> Value {
    fmin_fmax(e, d, acc, x, Order::Ge)
}

fn fmin_fmax(e: &mut dyn Emit, d: Dtype, acc: Value, x: Value, keep: Order) -> Value {
    let keeps = e.compare(keep, d, acc, x);
    let best = e.select(keeps, acc, x);
    if !d.is_float() {
        return best;
    }
    let acc_nan = e.primitive(Primitive::IsNan, d, &[acc]);
    let x_nan = e.primitive(Primitive::IsNan, d, &[x]);
    let best = e.select(acc_nan, x, best);
    e.select(x_nan, acc, best)
}

/// One more when `x` is not zero (a NaN is not).
fn count(e: &mut dyn Emit, d: Dtype, acc: Value, x: Value) -> Value {
    let zero = e.constant(d, 0.0);
    let one = e.constant(d, 1.0);
    let nonzero = e.compare(Order::Ne, d, x, zero);
    let step = e.select(nonzero, one, zero);
    e.arith(Arith::Add, d, acc, step)
}

fn or(e: &mut dyn Emit, _: Dtype, acc: Value, x: Value) -> Value {
    e.select(acc, acc, x)
}

fn and(e: &mut dyn Emit, _: Dtype, acc: Value, x: Value) -> Value {
    e.select(acc, x, acc)
}

const fn fold(
    name: &'static str,
    typing: fn(Dtype) -> Result<ReduceSig, Rejection>,
    given_dtype: Option<fn(Dtype) -> Result<ReduceSig, Rejection>>,
    identity: f64,
    step: fn(&mut dyn Emit, Dtype, Value, Value) -> Value,
) -> Reduction {
    Reduction {
        name,
        method: true,
        typing,
        given_dtype,
        combine: Combine::Fold {
            identity,
            step,
            mean: false,
        },
    }
}

/// `cumsum`, `cumprod`: NumPy's `add.accumulate` keeps floats and complex
/// numbers in their own type (no wider accumulator, unlike `sum`), and
/// widens bools and integers to 64 bits as `sum` does.
fn running(d: Dtype) -> Result<ReduceSig, Rejection> {
    match d {
        Dtype::Float32 | Dtype::Float64 | Dtype::Complex64 | Dtype::Complex128 => {
            Ok(ReduceSig { acc: d, result: d })
        }
        _ => widened(d),
    }
}

static REDUCTIONS: &[Reduction] = &[
    fold("sum", widened, Some(given_widened), 0.0, add),
    fold("prod", widened, Some(given_widened), 1.0, mul),
    Reduction {
        name: "mean",
        method: true,
        typing: floating,
        given_dtype: Some(given_floating),
        combine: Combine::Fold {
            identity: 0.0,
            step: add,
            mean: true,
        },
    },
    Reduction {
        name: "min",
        method: true,
        typing: own,
        given_dtype: None,
        combine: Combine::FromFirst {
            step: numpy_min,
            numpy_name: "minimum",
        },
    },
    Reduction {
        name: "max",
        method: true,
        typing: own,
        given_dtype: None,
        combine: Combine::FromFirst {
            step: numpy_max,
            numpy_name: "maximum",
        },
    },
    Reduction {
        name: "argmin",
        method: true,
        typing: index,
        given_dtype: None,
        combine: Combine::Arg { order: Order::Lt },
    },
    Reduction {
        name: "argmax",
        method: true,
        typing: index,
        given_dtype: None,
        combine: Combine::Arg { order: Order::Gt },
    },
    Reduction {
        name: "nansum",
        method: false,
        typing: widened,
        given_dtype: Some(given_widened),
        combine: Combine::Fold {
            identity: 0.0,
            step: nan_add,
            mean: false,
        },
    },
    Reduction {
        name: "nanprod",
        method: false,
        typing: widened,
        given_dtype: Some(given_widened),
        combine: Combine::Fold {
            identity: 1.0,
            step: nan_mul,
            mean: false,
        },
    },
    Reduction {
        name: "nanmean",
        method: false,
        typing: real_floating,
        given_dtype: Some(given_real_floating),
        combine: Combine::NanMean,
    },
    Reduction {
        name: "nanmin",
        method: false,
        typing: own,
        given_dtype: None,
        combine: Combine::FromFirst {
            step: nan_min,
            numpy_name: "fmin",
        },
    },
    Reduction {
        name: "nanmax",
        method: false,
        typing: own,
        given_dtype: None,
        combine: Combine::FromFirst {
            step: nan_max,
            numpy_name: "fmax",
        },
    },
    Reduction {
        name: "cumsum",
        method: true,
        typing: running,
        given_dtype: Some(given_running),
        combine: Combine::Running {
            identity: 0.0,
            step: add,
        },
    },
    Reduction {
        name: "cumprod",
        method: true,
        typing: running,
        given_dtype: Some(given_running),
        combine: Combine::Running {
            identity: 1.0,
            step: mul,
        },
    },
    fold("any", truth, None, 0.0, or),
    Reduction {
        name: "count_nonzero",
        method: false,
        typing: counted,
        given_dtype: None,
        combine: Combine::Fold {
            identity: 0.0,
            step: count,
            mean: false,
        },
    },
    fold("all", truth, None, 1.0, and),
    Reduction {
        name: "std",
        method: true,
        typing: real_floating,
        given_dtype: Some(given_real_floating),
        combine: Combine::Moments { sqrt: true },
    },
    Reduction {
        name: "var",
        method: true,
        typing: real_floating,
        given_dtype: Some(given_real_floating),
        combine: Combine::Moments { sqrt: false },
    },
    Reduction {
        name: "builtin sum",
        method: false,
        typing: python_sum,
        given_dtype: None,
        combine: Combine::Fold {
            identity: 0.0,
            step: add,
            mean: false,
        },
    },
    Reduction {
        name: "builtin min",
        method: false,
        typing: own,
        given_dtype: None,
        combine: Combine::FromFirst {
            step: python_min,
            numpy_name: "min",
        },
    },
    Reduction {
        name: "builtin max",
        method: false,
        typing: own,
        given_dtype: None,
        combine: Combine::FromFirst {
            step: python_max,
            numpy_name: "max",
        },
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_result_types() {
        let result = |name: &str, d| {
            (reduction_method(name).unwrap().reduction().typing)(d).map(|s| s.result)
        };
        assert_eq!(result("sum", Dtype::Int8), Ok(Dtype::Int64));
        assert_eq!(result("sum", Dtype::UInt8), Ok(Dtype::UInt64));
        assert_eq!(result("sum", Dtype::Float32), Ok(Dtype::Float32));
        assert_eq!(result("mean", Dtype::Int32), Ok(Dtype::Float64));
        assert_eq!(result("max", Dtype::Int8), Ok(Dtype::Int8));
        assert_eq!(result("argmax", Dtype::Float32), Ok(Dtype::Int64));
        assert_eq!(result("any", Dtype::Float64), Ok(Dtype::Bool));
        let count = numpy_reductions()
            .find(|(n, _)| *n == "count_nonzero")
            .map(|(_, r)| r.reduction().typing);
        assert_eq!(
            count.map(|t| t(Dtype::Float32).map(|s| s.result)),
            Some(Ok(Dtype::Int64))
        );
        assert!(result("min", Dtype::Complex128).is_err());
        assert!(builtin_reduction("sum").is_some() && reduction_method("builtin sum").is_none());
        // Running sums keep floats in their type (NumPy's add.accumulate), unlike sum.
        let acc =
            |name: &str, d| (reduction_method(name).unwrap().reduction().typing)(d).map(|s| s.acc);
        assert_eq!(acc("cumsum", Dtype::Float32), Ok(Dtype::Float32));
        assert_eq!(acc("sum", Dtype::Float32), Ok(Dtype::Float64));
        assert_eq!(result("cumprod", Dtype::Bool), Ok(Dtype::Int64));
        assert_eq!(result("cumsum", Dtype::UInt16), Ok(Dtype::UInt64));
    }

    /// `dtype=`: integers reduce in the given type, floats as without it;
    /// means take float or complex types; min/max take none.
    #[test]
    fn given_dtypes() {
        let given = |name: &str, d| {
            let rule = reduction_method(name).unwrap().reduction().given_dtype;
            rule.map(|rule| rule(d).map(|s| (s.acc, s.result)))
        };
        assert_eq!(
            given("sum", Dtype::Int8),
            Some(Ok((Dtype::Int8, Dtype::Int8)))
        );
        assert_eq!(
            given("sum", Dtype::Float32),
            Some(Ok((Dtype::Float64, Dtype::Float32)))
        );
        assert_eq!(
            given("cumsum", Dtype::Float32),
            Some(Ok((Dtype::Float32, Dtype::Float32)))
        );
        assert_eq!(
            given("mean", Dtype::Float32),
            Some(Ok((Dtype::Float64, Dtype::Float32)))
        );
        assert!(matches!(given("sum", Dtype::Bool), Some(Err(_))));
        assert!(matches!(given("mean", Dtype::Int64), Some(Err(_))));
        assert!(matches!(given("std", Dtype::Complex128), Some(Err(_))));
        assert!(given("max", Dtype::Float64).is_none());
        let max = reduction_method("max").unwrap().reduction();
        assert!(max.takes_keepdims() && !max.takes_ddof());
        let cumsum = reduction_method("cumsum").unwrap().reduction();
        assert!(!cumsum.takes_keepdims());
        assert!(reduction_method("var").unwrap().reduction().takes_ddof());
    }

    /// Evaluates the float steps on `f64`s (bools as 0 and 1).
    struct Eval(Vec<f64>);

    impl Eval {
        fn push(&mut self, v: f64) -> Value {
            self.0.push(v);
            Value(self.0.len() as u32 - 1)
        }
        fn get(&self, v: Value) -> f64 {
            self.0[v.0 as usize]
        }
    }

    impl Emit for Eval {
        fn constant(&mut self, _: Dtype, value: f64) -> Value {
            self.push(value)
        }
        fn primitive(&mut self, op: Primitive, _: Dtype, args: &[Value]) -> Value {
            assert_eq!(op, Primitive::IsNan);
            let nan = self.get(args[0]).is_nan();
            self.push(nan as u8 as f64)
        }
        fn compare(&mut self, op: Order, _: Dtype, a: Value, b: Value) -> Value {
            let (a, b) = (self.get(a), self.get(b));
            let holds = match op {
                Order::Eq => a == b,
                Order::Ne => a != b,
                Order::Lt => a < b,
                Order::Le => a <= b,
                Order::Gt => a > b,
                Order::Ge => a >= b,
            };
            self.push(holds as u8 as f64)
        }
        fn select(&mut self, cond: Value, if_true: Value, if_false: Value) -> Value {
            let v = if self.get(cond) != 0.0 {
                if_true
            } else {
                if_false
            };
            self.push(self.get(v))
        }
        fn cast(&mut self, _: Value, _: Dtype, _: Dtype) -> Value {
            unreachable!("no min/max step casts")
        }
        fn arith(&mut self, _: Arith, _: Dtype, _: Value, _: Value) -> Value {
            unreachable!("no min/max step computes")
        }
        fn negate(&mut self, _: Dtype, _: Value) -> Value {
            unreachable!("no min/max step negates")
        }
        fn magnitude(&mut self, _: Value) -> Value {
            unreachable!("real steps only")
        }
        fn parts(&mut self, _: Value) -> (Value, Value) {
            unreachable!("real steps only")
        }
        fn complex(&mut self, _: Dtype, _: Value, _: Value) -> Value {
            unreachable!("real steps only")
        }
        fn complex_call(&mut self, _: crate::ComplexFn, _: Dtype, _: &[Value]) -> Value {
            unreachable!("real steps only")
        }
    }

    /// Folds `xs` from the first element with `name`'s step.
    fn reduce(name: &str, xs: &[f64]) -> f64 {
        let r = numpy_reductions().find(|(n, _)| *n == name).unwrap().1;
        let Combine::FromFirst { step, .. } = r.reduction().combine else {
            panic!("{name} is not a fold from the first element");
        };
        let mut e = Eval(Vec::new());
        let mut acc = e.push(xs[0]);
        for &x in &xs[1..] {
            let x = e.push(x);
            acc = step(&mut e, Dtype::Float64, acc, x);
        }
        e.get(acc)
    }

    #[test]
    fn signed_zeros_and_nans_as_numpy() {
        let bits = |name: &str, xs: &[f64]| reduce(name, xs).to_bits();
        // minimum/maximum.reduce keep the later of equal elements (NumPy 2.4)...
        assert_eq!(bits("min", &[0.0, -0.0, -0.0]), (-0.0f64).to_bits());
        assert_eq!(bits("min", &[-0.0, 0.0]), 0.0f64.to_bits());
        assert_eq!(bits("max", &[0.0, -0.0]), (-0.0f64).to_bits());
        assert_eq!(bits("max", &[-0.0, -0.0, 0.0]), 0.0f64.to_bits());
        assert_eq!(reduce("min", &[3.0, 1.0, 2.0]), 1.0);
        assert!(reduce("max", &[1.0, f64::NAN, 5.0]).is_nan());
        // ...fmin/fmax.reduce the earlier, skipping NaNs.
        assert_eq!(bits("nanmin", &[0.0, -0.0, -0.0]), 0.0f64.to_bits());
        assert_eq!(bits("nanmax", &[-0.0, 0.0]), (-0.0f64).to_bits());
        assert_eq!(reduce("nanmin", &[f64::NAN, 2.0, f64::NAN, 1.0]), 1.0);
        assert!(reduce("nanmax", &[f64::NAN, f64::NAN]).is_nan());
    }
}
