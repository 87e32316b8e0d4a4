//! The sorting and searching kernels JIT code calls (`lower::ir::Stmt::Kernel`
//! with a `Kernel::Sort`, `Argsort`, `Median`, `Unique` or `Searchsorted`),
//! through the same stack array of i64 arguments as the linear-algebra ones.
//!
//! Lower passes packed copies it owns (sorting reorders them), so the kernels
//! see Rust slices; only `searchsorted`'s sorted array is read in place with
//! its byte stride. Every order is NumPy's: NaN after every number, NaNs
//! equal to each other, so `sort` puts NaNs last and `unique` keeps one.

use std::cmp::Ordering;

use lower::ir::{Dtype, ExceptionKind, Kernel};

use crate::kernels::{kernel_bug, KernelError};

/// An element type in NumPy's order (bools are their bytes).
trait Key: Copy {
    /// What the mean of elements is computed in (`np.median`'s result).
    type Mean: Copy;
    fn is_nan(self) -> bool;
    fn order(a: &Self, b: &Self) -> Ordering;
    /// An integer in the same order as `order`: equal exactly for the
    /// elements `order` calls equal (NaNs, -0.0 and 0.0), so that argsort
    /// compares plain integers.
    fn key(self) -> u64;
    /// Sorts `run` in `order`, in any order among equal elements.
    fn sort(run: &mut [Self]) {
        run.sort_unstable_by(Self::order);
    }
    fn mean2(a: Self, b: Self) -> Self::Mean;
    fn mean1(a: Self) -> Self::Mean;
    const NAN_MEAN: Self::Mean;
}

macro_rules! integer_key {
    ($($t:ty),*) => {$(
        impl Key for $t {
            type Mean = f64;
            fn is_nan(self) -> bool {
                false
            }
            fn order(a: &Self, b: &Self) -> Ordering {
                a.cmp(b)
            }
            fn key(self) -> u64 {
                // Signed: flipping the sign bit of the widened value orders
                // negatives first; unsigned: `MIN` is 0, so nothing flips.
                (self as i64 as u64) ^ ((<$t>::MIN as i64 as u64) & (1 << 63))
            }
            fn mean2(a: Self, b: Self) -> f64 {
                (a as f64 + b as f64) / 2.0
            }
            fn mean1(a: Self) -> f64 {
                a as f64
            }
            const NAN_MEAN: f64 = f64::NAN;
        }
    )*};
}
integer_key!(u8, i8, i16, i32, i64, u16, u32, u64);

macro_rules! float_key {
    ($($t:ty),*) => {$(
        impl Key for $t {
            type Mean = $t;
            fn is_nan(self) -> bool {
                self.is_nan()
            }
            fn sort(run: &mut [Self]) {
                // NaNs to the end first; then `total_cmp`, a comparison of integers,
                // sorts the numbers (it puts -0.0 before 0.0, which `order` calls equal).
                let mut numbers = 0;
                for k in 0..run.len() {
                    if !run[k].is_nan() {
                        run.swap(numbers, k);
                        numbers += 1;
                    }
                }
                run[..numbers].sort_unstable_by(<$t>::total_cmp);
            }
            fn order(a: &Self, b: &Self) -> Ordering {
                match (a.is_nan(), b.is_nan()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    (false, false) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
                }
            }
            fn key(self) -> u64 {
                if self.is_nan() {
                    return u64::MAX;
                }
                // Exact in float64 (float32 widens in order); `+ 0.0` makes -0.0 0.0.
                let bits = (f64::from(self) + 0.0).to_bits();
                // Negative numbers: all bits flipped (larger magnitudes first);
                // the others above them. +inf stays below NaN's `MAX`.
                if bits >> 63 == 1 { !bits } else { bits | (1 << 63) }
            }
            fn mean2(a: Self, b: Self) -> $t {
                (a + b) / 2.0
            }
            fn mean1(a: Self) -> $t {
                a
            }
            const NAN_MEAN: $t = <$t>::NAN;
        }
    )*};
}
float_key!(f32, f64);

/// Runs sorting or searching kernel `kernel` on `args` (`kernels::ferrojit_kernel`'s);
/// `Err` is the exception it raises (NumPy's `ValueError`s).
///
/// SAFETY: lower passes live arrays of the kernel's dtype and the extents
/// and strides the kernel documents (`lower::ir::Kernel`).
pub(crate) unsafe fn run(kernel: Kernel, args: &[i64]) -> Result<(), KernelError> {
    let (op, dtype) = match kernel {
        Kernel::Sort(d) => (0, d),
        Kernel::Argsort(d) => (1, d),
        Kernel::Median(d) => (2, d),
        Kernel::Unique(d) => (3, d),
        Kernel::Searchsorted(d) => (4, d),
        Kernel::Histogram(d) => (5, d),
        _ => return Err(kernel_bug(kernel)),
    };
    // SAFETY: the caller's promise.
    let ran = unsafe {
        match (op, dtype) {
            (5, Dtype::Float32) => histogram::<f32>(args),
            (5, Dtype::Float64) => histogram::<f64>(args),
            (5, _) => Ok(false),
            (_, Dtype::Bool | Dtype::UInt8) => Ok(run_on::<u8>(op, args)),
            (_, Dtype::Int8) => Ok(run_on::<i8>(op, args)),
            (_, Dtype::Int16) => Ok(run_on::<i16>(op, args)),
            (_, Dtype::Int32) => Ok(run_on::<i32>(op, args)),
            (_, Dtype::Int64) => Ok(run_on::<i64>(op, args)),
            (_, Dtype::UInt16) => Ok(run_on::<u16>(op, args)),
            (_, Dtype::UInt32) => Ok(run_on::<u32>(op, args)),
            (_, Dtype::UInt64) => Ok(run_on::<u64>(op, args)),
            (_, Dtype::Float32) => Ok(run_on::<f32>(op, args)),
            (_, Dtype::Float64) => Ok(run_on::<f64>(op, args)),
            (_, Dtype::Complex64 | Dtype::Complex128) => Ok(false),
        }
    };
    match ran {
        Ok(true) => Ok(()),
        Ok(false) => Err(kernel_bug(kernel)),
        Err(message) => Err((ExceptionKind::ValueError, message)),
    }
}

fn count(v: i64) -> usize {
    usize::try_from(v).unwrap_or(0)
}

/// Runs operation `op` on elements of type `T`; `false` for an unknown operation.
///
/// SAFETY: `args` are the kernel's (`lower::ir::Kernel`), with live buffers
/// of the sizes they give.
unsafe fn run_on<T: Key>(op: i64, args: &[i64]) -> bool {
    match op {
        0 => {
            let (rows, len) = (count(args[0]), count(args[1]));
            // SAFETY: `data` holds rows×len elements that lower owns.
            let data = unsafe { std::slice::from_raw_parts_mut(args[2] as *mut T, rows * len) };
            for run in data.chunks_exact_mut(len.max(1)) {
                T::sort(run);
            }
        }
        1 => {
            let (rows, len) = (count(args[0]), count(args[1]));
            // SAFETY: `data` holds rows×len elements, `out` as many int64s.
            let (data, out) = unsafe {
                (
                    std::slice::from_raw_parts(args[2] as *const T, rows * len),
                    std::slice::from_raw_parts_mut(args[3] as *mut i64, rows * len),
                )
            };
            // Stable (NumPy's default kind is not, so ties may come in any order
            // there): (key, index) pairs, all different, sorted unstably are
            // the stable order, comparing integers rather than calling `order`
            // through the indices (2-3x faster on a million float64s).
            let mut pairs = Vec::with_capacity(len);
            for (run, indices) in data
                .chunks_exact(len.max(1))
                .zip(out.chunks_exact_mut(len.max(1)))
            {
                pairs.clear();
                pairs.extend(run.iter().enumerate().map(|(k, x)| (x.key(), k as u64)));
                pairs.sort_unstable();
                for (i, &(_, k)) in indices.iter_mut().zip(&pairs) {
                    *i = k as i64;
                }
            }
        }
        2 => {
            let (rows, len) = (count(args[0]), count(args[1]));
            // SAFETY: `data` holds rows×len elements lower owns, `out` rows means.
            let (data, out) = unsafe {
                (
                    std::slice::from_raw_parts_mut(args[2] as *mut T, rows * len),
                    std::slice::from_raw_parts_mut(args[3] as *mut T::Mean, rows),
                )
            };
            if len == 0 {
                out.fill(T::NAN_MEAN);
            } else {
                for (run, m) in data.chunks_exact_mut(len).zip(out.iter_mut()) {
                    *m = median(run);
                }
            }
        }
        3 => {
            let n = count(args[0]);
            // SAFETY: `data` holds n elements lower owns, `count` one int64.
            let data = unsafe { std::slice::from_raw_parts_mut(args[1] as *mut T, n) };
            T::sort(data);
            let mut kept = 0;
            for k in 0..n {
                if kept == 0 || T::order(&data[kept - 1], &data[k]) != Ordering::Equal {
                    data[kept] = data[k];
                    kept += 1;
                }
            }
            // SAFETY: as above.
            unsafe { (args[2] as *mut i64).write(kept as i64) };
        }
        4 => {
            let (n, a, stride) = (count(args[0]), args[1] as *const u8, args[2] as isize);
            let m = count(args[3]);
            // SAFETY: `v` holds m elements, `out` m int64s.
            let (v, out) = unsafe {
                (
                    std::slice::from_raw_parts(args[4] as *const T, m),
                    std::slice::from_raw_parts_mut(args[5] as *mut i64, m),
                )
            };
            let right = args[6] != 0;
            // SAFETY: element `i < n` of `a` is at `a + i * stride`.
            let at =
                |i: usize| unsafe { (a.offset(i as isize * stride) as *const T).read_unaligned() };
            for (x, o) in v.iter().zip(out.iter_mut()) {
                // The first index whose element is after `x` (`right`) or not before it.
                let (mut lo, mut hi) = (0, n);
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    let go_right = match T::order(&at(mid), x) {
                        Ordering::Less => true,
                        Ordering::Equal => right,
                        Ordering::Greater => false,
                    };
                    if go_right {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                *o = lo as i64;
            }
        }
        _ => return false,
    }
    true
}

/// The edge types of `np.histogram`.
trait Edge:
    Key
    + PartialOrd
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::fmt::Debug
{
    fn from_f64(x: f64) -> Self;
    fn to_f64(self) -> f64;
    fn is_finite(self) -> bool;
}

impl Edge for f32 {
    fn from_f64(x: f64) -> f32 {
        x as f32
    }
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    fn is_finite(self) -> bool {
        f32::is_finite(self)
    }
}

impl Edge for f64 {
    fn from_f64(x: f64) -> f64 {
        x
    }
    fn to_f64(self) -> f64 {
        self
    }
    fn is_finite(self) -> bool {
        f64::is_finite(self)
    }
}

/// A float as Python's `str` writes it (`nan`, `inf`, `1.0`, `1e+16`), for NumPy's messages.
fn python_float(x: impl std::fmt::Debug) -> String {
    let text = format!("{x:?}").replace("NaN", "nan");
    match text.split_once('e') {
        Some((mantissa, exp)) => {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            format!("{mantissa}e{sign}{digits:0>2}").replace(".0e", "e")
        }
        None => text,
    }
}

/// `np.linspace(start, stop, num)` in `T`, as NumPy computes it.
fn linspace<T: Edge>(start: T, stop: T, num: usize) -> Vec<T> {
    let div = T::from_f64((num.max(2) - 1) as f64);
    let delta = stop - start;
    let step = delta / div;
    let zero = T::from_f64(0.0);
    let mut y: Vec<T> = (0..num)
        .map(|k| {
            let k = T::from_f64(k as f64);
            let scaled = if step == zero {
                k / div * delta
            } else {
                k * step
            };
            scaled + start
        })
        .collect();
    if let Some(last) = y.last_mut().filter(|_| num > 1) {
        *last = stop;
    }
    y
}

/// `np.histogram` (`Kernel::Histogram`); `Err` is the message of a `ValueError`.
///
/// SAFETY: `args` are the kernel's, with live buffers of the sizes they give.
unsafe fn histogram<T: Edge>(args: &[i64]) -> Result<bool, String> {
    let n = count(args[0]);
    let bins = count(args[2]);
    let given = args[5] != 0;
    // SAFETY: `data` holds n elements, `out` `bins` int64s.
    let (data, out) = unsafe {
        (
            std::slice::from_raw_parts(args[1] as *const T, n),
            std::slice::from_raw_parts_mut(args[6] as *mut i64, bins),
        )
    };
    if given {
        // SAFETY: `edges` holds bins + 1 float64s (none when the array of edges is empty).
        let edges = unsafe {
            std::slice::from_raw_parts(args[3] as *const f64, (args[2] + 1).max(0) as usize)
        };
        if edges.windows(2).any(|w| w[0] > w[1]) {
            return Err("`bins` must increase monotonically, when an array".into());
        }
        let Some(&last) = edges.last().filter(|_| bins > 0) else {
            return Ok(true);
        };
        for x in data.iter().map(|x| x.to_f64()) {
            // The bins are [e_i, e_i+1), the last one closed: [e_n-1, e_n].
            let above = edges.partition_point(|&e| e <= x);
            let bin = match above {
                0 => continue,
                k if k == edges.len() && x == last => bins - 1,
                k if k == edges.len() => continue,
                k => k - 1,
            };
            out[bin] += 1;
        }
        return Ok(true);
    }
    let range = args[4] as *const f64;
    // SAFETY: a non-null `range` holds two float64s.
    let supplied = (!range.is_null()).then(|| unsafe { (range.read(), range.add(1).read()) });
    let (mut first, mut last, exact) = match supplied {
        Some((lo, hi)) => {
            if lo > hi {
                return Err("max must be larger than min in range parameter.".into());
            }
            if !(lo.is_finite() && hi.is_finite()) {
                return Err(format!(
                    "supplied range of [{}, {}] is not finite",
                    python_float(lo),
                    python_float(hi)
                ));
            }
            (T::from_f64(lo), T::from_f64(hi), Some((lo, hi)))
        }
        // NumPy's (0, 1) for no data are Python ints: its linspace computes in float64.
        None if n == 0 => (T::from_f64(0.0), T::from_f64(1.0), Some((0.0, 1.0))),
        None => {
            let nan = data.iter().find(|x| x.is_nan());
            let min = nan.or_else(|| data.iter().min_by(|a, b| T::order(a, b)));
            let max = nan.or_else(|| data.iter().max_by(|a, b| T::order(a, b)));
            let (&lo, &hi) = (min.unwrap_or(&data[0]), max.unwrap_or(&data[0]));
            if !(lo.is_finite() && hi.is_finite()) {
                return Err(format!(
                    "autodetected range of [{}, {}] is not finite",
                    python_float(lo),
                    python_float(hi)
                ));
            }
            (lo, hi, None)
        }
    };
    let half = T::from_f64(0.5);
    let exact = exact.map(|(lo, hi)| {
        if lo == hi {
            (lo - 0.5, hi + 0.5)
        } else {
            (lo, hi)
        }
    });
    if first == last {
        first = first - half;
        last = last + half;
    }
    // A supplied range is Python floats: NumPy's linspace computes in float64 then.
    let edges: Vec<T> = match exact {
        Some((lo, hi)) => linspace(lo, hi, bins + 1)
            .into_iter()
            .map(T::from_f64)
            .collect(),
        None => linspace(first, last, bins + 1),
    };
    // SAFETY: `edges` is the result's buffer of bins + 1 elements.
    unsafe { std::ptr::copy_nonoverlapping(edges.as_ptr(), args[3] as *mut T, bins + 1) };
    let (lo, denom) = match exact {
        Some((lo, hi)) => (lo, hi - lo),
        None => (first.to_f64(), (last - first).to_f64()),
    };
    for &x in data {
        if !(x >= first && x <= last) {
            continue;
        }
        // NumPy's index from the scaled offset, then corrected against the edges.
        let scaled = (x.to_f64() - lo) / denom * bins as f64;
        let mut bin = (scaled as usize).min(bins);
        if bin == bins {
            bin -= 1;
        }
        if x < edges[bin] && bin > 0 {
            bin -= 1;
        }
        if x >= edges[bin + 1] && bin + 1 != bins {
            bin += 1;
        }
        out[bin] += 1;
    }
    Ok(true)
}

/// The median of a non-empty run (reordered), NaN when it holds one (NumPy's rule).
fn median<T: Key>(run: &mut [T]) -> T::Mean {
    if run.iter().any(|x| x.is_nan()) {
        return T::NAN_MEAN;
    }
    let (mid, odd) = (run.len() / 2, run.len() % 2 == 1);
    let (low, &mut upper, _) = run.select_nth_unstable_by(mid, T::order);
    if odd {
        return T::mean1(upper);
    }
    let lower = low.iter().copied().max_by(T::order).unwrap_or(upper);
    T::mean2(lower, upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_sorts_after_every_number_and_equals_nan() {
        let mut v = [
            f64::NAN,
            1.0,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::INFINITY,
            -2.0,
        ];
        v.sort_unstable_by(f64::order);
        assert_eq!(&v[..4], &[f64::NEG_INFINITY, -2.0, 1.0, f64::INFINITY]);
        assert!(v[4].is_nan() && v[5].is_nan());
        assert_eq!(f64::order(&f64::NAN, &f64::NAN), Ordering::Equal);
        let mut w = [3.0, f64::NAN, -1.0, f64::NAN, 2.0, -f64::NAN, 0.5];
        <f64 as Key>::sort(&mut w);
        assert_eq!(&w[..4], &[-1.0, 0.5, 2.0, 3.0]);
        assert!(w[4..].iter().all(|x| x.is_nan()));
    }

    fn key_orders_as_order<T: Key + std::fmt::Debug>(values: &[T]) {
        for a in values {
            for b in values {
                assert_eq!(a.key().cmp(&b.key()), T::order(a, b), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn argsort_keys_order_as_numpy() {
        let special = [
            f64::NAN,
            -f64::NAN,
            f64::NEG_INFINITY,
            f64::MIN,
            -1.5,
            -f64::MIN_POSITIVE,
            -5e-324,
            -0.0,
            0.0,
            5e-324,
            1.0,
            f64::MAX,
            f64::INFINITY,
        ];
        key_orders_as_order(&special);
        key_orders_as_order(&special.map(|x| x as f32));
        key_orders_as_order(&[i64::MIN, -1, 0, 1, i64::MAX]);
        key_orders_as_order(&[i8::MIN, -1, 0, 1, i8::MAX]);
        key_orders_as_order(&[0u64, 1, 1 << 63, u64::MAX]);
        key_orders_as_order(&[0u8, 1, 128, 255]);
    }

    #[test]
    fn argsort_is_stable_with_nans_and_zeros_equal() {
        let data = [0.0, f64::NAN, -0.0, -1.0, -f64::NAN, 0.0, -1.0];
        let mut out = [0i64; 7];
        let args = [1, 7, data.as_ptr() as i64, out.as_mut_ptr() as i64];
        assert!(unsafe { run_on::<f64>(1, &args) });
        assert_eq!(out, [3, 6, 0, 2, 5, 1, 4]);
    }

    #[test]
    fn median_is_the_mean_of_the_middle_pair_or_nan() {
        assert_eq!(median(&mut [4i64, 1, 3, 2]), 2.5);
        assert_eq!(median(&mut [5u8, 1, 3]), 3.0);
        assert!(median(&mut [1.0f32, f32::NAN, 2.0]).is_nan());
        // float32 data: the mean in float32, as NumPy's.
        assert_eq!(median(&mut [1.0f32, 2.0]), 1.5f32);
    }
}
