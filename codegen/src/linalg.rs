//! The linear-algebra kernels JIT code calls (`lower::ir::Stmt::Kernel`).
//!
//! Matrix products are matrixmultiply's gemm, which reads its operands with
//! any (element) strides, negative ones included, so JIT code passes arrays
//! as they are. ARCHITECTURE.md's dependency table records why this crate
//! (measured against faer and NumPy's OpenBLAS). The factorizations (`det`,
//! `inv`, `solve`, `cholesky`) copy their matrix into a row-major workspace
//! and factor it there (LU with partial pivoting, as LAPACK's getrf, and
//! Cholesky-Banachiewicz): unblocked, so O(n^3) without gemm's speed.

use std::panic::{catch_unwind, AssertUnwindSafe};

use lower::ir::{ExceptionKind, Kernel, LType};

use crate::runtime::{exception_code, ferrojit_raise_message, RuntimeContext};

/// The code JIT code passes for `kernel` (`ferrojit_linalg`'s `kernel`):
/// the operation times 4 plus the element type.
pub(crate) fn kernel_code(kernel: Kernel) -> i64 {
    let op = match kernel {
        Kernel::Gemm(_) => 0,
        Kernel::Det(_) => 1,
        Kernel::Inv(_) => 2,
        Kernel::Solve(_) => 3,
        Kernel::Cholesky(_) => 4,
        Kernel::Eigh(_) => 5,
    };
    let element = match kernel.element() {
        LType::F32 => 0,
        LType::F64 => 1,
        LType::C64 => 2,
        _ => 3,
    };
    op * 4 + element
}

/// The arity of the kernel of code `code` (`Kernel::arity`).
fn arity(code: i64) -> usize {
    match code / 4 {
        0 => 12,
        3 => 9,
        5 => 6,
        _ => 5,
    }
}

/// Runs kernel number `kernel` (`kernel_code`) on `args` (as many i64 slots
/// as `Kernel::arity` says, pointers as addresses). Returns 0, or 1 after
/// recording an exception in `ctx`.
pub(crate) unsafe extern "C" fn ferrojit_linalg(
    ctx: *mut RuntimeContext,
    kernel: i64,
    args: *const i64,
) -> i32 {
    // SAFETY: JIT code passes a stack array of the kernel's arity.
    let args = unsafe { std::slice::from_raw_parts(args, arity(kernel)) };
    // No panic may unwind into JIT frames; none is expected from the kernels.
    let ran = catch_unwind(AssertUnwindSafe(|| {
        if kernel >= 4 {
            // SAFETY: as gemm's below.
            return unsafe {
                match kernel % 4 {
                    0 => factorization::<f32>(kernel / 4, args),
                    _ => factorization::<f64>(kernel / 4, args),
                }
            };
        }
        let g = Gemm::from_args(args);
        // SAFETY: lower passes the data pointers, extents and byte strides of
        // live arrays of the kernel's element type; `c` is a fresh buffer.
        unsafe {
            match kernel {
                0 => g.run::<f32>(|g, a, b, c| {
                    matrixmultiply::sgemm(
                        g.m, g.k, g.n, 1.0, a.0, a.1, a.2, b.0, b.1, b.2, 0.0, c.0, c.1, c.2,
                    )
                }),
                1 => g.run::<f64>(|g, a, b, c| {
                    matrixmultiply::dgemm(
                        g.m, g.k, g.n, 1.0, a.0, a.1, a.2, b.0, b.1, b.2, 0.0, c.0, c.1, c.2,
                    )
                }),
                2 => g.run::<[f32; 2]>(|g, a, b, c| {
                    use matrixmultiply::CGemmOption::Standard;
                    matrixmultiply::cgemm(
                        Standard,
                        Standard,
                        g.m,
                        g.k,
                        g.n,
                        [1.0, 0.0],
                        a.0,
                        a.1,
                        a.2,
                        b.0,
                        b.1,
                        b.2,
                        [0.0, 0.0],
                        c.0,
                        c.1,
                        c.2,
                    )
                }),
                _ => g.run::<[f64; 2]>(|g, a, b, c| {
                    use matrixmultiply::CGemmOption::Standard;
                    matrixmultiply::zgemm(
                        Standard,
                        Standard,
                        g.m,
                        g.k,
                        g.n,
                        [1.0, 0.0],
                        a.0,
                        a.1,
                        a.2,
                        b.0,
                        b.1,
                        b.2,
                        [0.0, 0.0],
                        c.0,
                        c.1,
                        c.2,
                    )
                }),
            }
        }
        Ok(())
    }));
    let (kind, message) = match ran {
        Ok(Ok(())) => return 0,
        Ok(Err(message)) => (ExceptionKind::LinAlgError, message),
        Err(_) => (
            ExceptionKind::RuntimeError,
            "internal error in ferrojit (linear algebra kernel); this is a bug in ferrojit, please report it",
        ),
    };
    // SAFETY: the context is JIT code's; the message outlives the call.
    unsafe {
        ferrojit_raise_message(
            ctx,
            exception_code(kind),
            message.as_ptr(),
            message.len() as i64,
        )
    };
    1
}

/// The float types the factorizations compute in.
trait Real:
    Copy
    + Default
    + PartialOrd
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::Neg<Output = Self>
{
    const ONE: Self;
    const EPSILON: Self;
    fn abs(self) -> Self;
    fn sqrt(self) -> Self;
}

impl Real for f32 {
    const ONE: f32 = 1.0;
    const EPSILON: f32 = f32::EPSILON;
    fn abs(self) -> f32 {
        f32::abs(self)
    }
    fn sqrt(self) -> f32 {
        f32::sqrt(self)
    }
}

impl Real for f64 {
    const ONE: f64 = 1.0;
    const EPSILON: f64 = f64::EPSILON;
    fn abs(self) -> f64 {
        f64::abs(self)
    }
    fn sqrt(self) -> f64 {
        f64::sqrt(self)
    }
}

const SINGULAR: &str = "Singular matrix";
const NOT_POSITIVE_DEFINITE: &str = "Matrix is not positive definite";
const EIGH_NOT_CONVERGED: &str = "Eigenvalues did not converge";

/// Runs factorization `op` (`kernel_code`'s operation: 1 det, 2 inv, 3
/// solve, 4 cholesky, 5 eigh) on `args`; `Err` is the message of a `LinAlgError`.
///
/// SAFETY: `args` are the kernel's (`Kernel`): live arrays of `T` of the
/// extents given, `out` a fresh buffer of the result's size.
unsafe fn factorization<T: Real>(op: i64, args: &[i64]) -> Result<(), &'static str> {
    let count = |v: i64| usize::try_from(v).unwrap_or(0);
    let n = count(args[0]);
    if op == 3 {
        let nrhs = count(args[1]);
        let a = Operand::from_args(&args[2..5]);
        let b = Operand::from_args(&args[5..8]);
        let out = args[8] as *mut T;
        // SAFETY: A is n×n, B n×nrhs, out n×nrhs (the caller's promise).
        let (mut lu, b) = unsafe { (a.row_major::<T>(n, n), b.row_major::<T>(n, nrhs)) };
        let pivots = lu_factor(&mut lu, n).ok_or(SINGULAR)?;
        let x = lu_solve(&lu, n, &pivots, b, nrhs);
        // SAFETY: `out` holds n×nrhs elements.
        unsafe { std::ptr::copy_nonoverlapping(x.as_ptr(), out, n * nrhs) };
        return Ok(());
    }
    let a = Operand::from_args(&args[1..4]);
    let out = args[4] as *mut T;
    // SAFETY: A is n×n.
    let mut work = unsafe { a.row_major::<T>(n, n) };
    match op {
        1 => {
            let det = match lu_factor(&mut work, n) {
                // LAPACK's getrf reports a zero pivot; NumPy's det is then 0.
                None => T::default(),
                Some(pivots) => {
                    let mut det = T::ONE;
                    for (k, &p) in pivots.iter().enumerate() {
                        det = det * work[k * n + k];
                        if p != k {
                            det = -det;
                        }
                    }
                    det
                }
            };
            // SAFETY: `out` holds one element.
            unsafe { out.write(det) };
        }
        5 => {
            let (w, v) = eigh(&mut work, n).ok_or(EIGH_NOT_CONVERGED)?;
            // SAFETY: `out` (w) holds n elements, the next argument (v) n×n.
            unsafe {
                std::ptr::copy_nonoverlapping(w.as_ptr(), out, n);
                std::ptr::copy_nonoverlapping(v.as_ptr(), args[5] as *mut T, n * n);
            }
        }
        2 => {
            let pivots = lu_factor(&mut work, n).ok_or(SINGULAR)?;
            let mut identity = vec![T::default(); n * n];
            for k in 0..n {
                identity[k * n + k] = T::ONE;
            }
            let x = lu_solve(&work, n, &pivots, identity, n);
            // SAFETY: `out` holds n×n elements.
            unsafe { std::ptr::copy_nonoverlapping(x.as_ptr(), out, n * n) };
        }
        _ => {
            let l = cholesky(&work, n).ok_or(NOT_POSITIVE_DEFINITE)?;
            // SAFETY: `out` holds n×n elements.
            unsafe { std::ptr::copy_nonoverlapping(l.as_ptr(), out, n * n) };
        }
    }
    Ok(())
}

/// Factors the row-major n×n `a` in place into `L U` (L's unit diagonal
/// implied) with partial pivoting: row `k` was swapped with row `pivots[k]`.
/// `None` when a pivot is zero (LAPACK's "singular").
fn lu_factor<T: Real>(a: &mut [T], n: usize) -> Option<Vec<usize>> {
    let mut pivots = Vec::with_capacity(n);
    for k in 0..n {
        let mut p = k;
        for i in k + 1..n {
            if a[i * n + k].abs() > a[p * n + k].abs() {
                p = i;
            }
        }
        pivots.push(p);
        if a[p * n + k] == T::default() {
            return None;
        }
        if p != k {
            for j in 0..n {
                a.swap(k * n + j, p * n + j);
            }
        }
        let pivot = a[k * n + k];
        for i in k + 1..n {
            let l = a[i * n + k] / pivot;
            a[i * n + k] = l;
            for j in k + 1..n {
                a[i * n + j] = a[i * n + j] - l * a[k * n + j];
            }
        }
    }
    Some(pivots)
}

/// `X` (row-major n×nrhs) with `A X = B`, `A` as `lu_factor` left it.
fn lu_solve<T: Real>(lu: &[T], n: usize, pivots: &[usize], mut b: Vec<T>, nrhs: usize) -> Vec<T> {
    for (k, &p) in pivots.iter().enumerate() {
        if p != k {
            for j in 0..nrhs {
                b.swap(k * nrhs + j, p * nrhs + j);
            }
        }
    }
    // L y = P b, then U x = y.
    for i in 0..n {
        for k in 0..i {
            let l = lu[i * n + k];
            for j in 0..nrhs {
                b[i * nrhs + j] = b[i * nrhs + j] - l * b[k * nrhs + j];
            }
        }
    }
    for i in (0..n).rev() {
        for k in i + 1..n {
            let u = lu[i * n + k];
            for j in 0..nrhs {
                b[i * nrhs + j] = b[i * nrhs + j] - u * b[k * nrhs + j];
            }
        }
        let d = lu[i * n + i];
        for j in 0..nrhs {
            b[i * nrhs + j] = b[i * nrhs + j] / d;
        }
    }
    b
}

/// The eigenvalues (ascending) and eigenvectors (the columns of a row-major
/// n×n matrix) of the symmetric matrix whose lower triangle `a` holds, by
/// cyclic Jacobi rotations (`a` is overwritten); `None` when the sweeps do
/// not converge. A NaN in `a` makes every result NaN, as in NumPy.
fn eigh<T: Real>(a: &mut [T], n: usize) -> Option<(Vec<T>, Vec<T>)> {
    let zero = T::default();
    let two = T::ONE + T::ONE;
    for i in 0..n {
        for j in i + 1..n {
            a[i * n + j] = a[j * n + i];
        }
    }
    let mut v = vec![zero; n * n];
    for k in 0..n {
        v[k * n + k] = T::ONE;
    }
    let sum_of_squares = |a: &[T], off_diagonal: bool| {
        let mut s = zero;
        for i in 0..n {
            for j in 0..n {
                if !(off_diagonal && i == j) {
                    s = s + a[i * n + j] * a[i * n + j];
                }
            }
        }
        s
    };
    let total = sum_of_squares(a, false);
    let mut converged = false;
    for _sweep in 0..100 {
        let off = sum_of_squares(a, true);
        // What is left off the diagonal is at the rounding errors of n rotations
        // per entry: the eigenvalues are then exact to rounding, the vectors to
        // about n ulps over the gaps between eigenvalues.
        let size = {
            let mut size = zero;
            for _ in 0..n {
                size = size + T::ONE;
            }
            size
        };
        if off != off {
            // A NaN anywhere: NumPy's LAPACK gives NaN everywhere, and no error.
            let nan = zero / zero;
            return Some((vec![nan; n], vec![nan; n * n]));
        }
        if !(off > size * size * T::EPSILON * T::EPSILON * total) {
            converged = true;
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == zero {
                    continue;
                }
                // The rotation that zeroes a[p][q] (Golub & Van Loan, 8.5.2).
                let theta = (a[q * n + q] - a[p * n + p]) / (two * apq);
                let t = T::ONE / (theta.abs() + (theta * theta + T::ONE).sqrt());
                let t = if theta < zero { -t } else { t };
                let c = T::ONE / (t * t + T::ONE).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                // Zero in exact arithmetic: set so, as Golub & Van Loan do.
                a[p * n + q] = zero;
                a[q * n + p] = zero;
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    if !converged {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| {
        a[i * n + i]
            .partial_cmp(&a[j * n + j])
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let w = order.iter().map(|&k| a[k * n + k]).collect();
    let mut sorted = vec![zero; n * n];
    for (col, &k) in order.iter().enumerate() {
        for row in 0..n {
            sorted[row * n + col] = v[row * n + k];
        }
    }
    Some((w, sorted))
}

/// The lower factor `L` (row-major, zeros above the diagonal) of `A = L Lᵀ`,
/// reading `A`'s lower triangle only, as LAPACK's potrf('L') does; `None`
/// when a diagonal term is not positive (or NaN).
fn cholesky<T: Real>(a: &[T], n: usize) -> Option<Vec<T>> {
    let mut l = vec![T::default(); n * n];
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d = d - l[j * n + k] * l[j * n + k];
        }
        if !(d > T::default()) {
            return None;
        }
        let d = d.sqrt();
        l[j * n + j] = d;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s = s - l[i * n + k] * l[j * n + k];
            }
            l[i * n + j] = s / d;
        }
    }
    Some(l)
}

/// One matrix operand: its data, row stride and column stride in bytes.
#[derive(Clone, Copy)]
struct Operand {
    data: usize,
    rows: isize,
    cols: isize,
}

/// `C = A B`: `A` m×k, `B` k×n, `C` m×n.
struct Gemm {
    m: usize,
    k: usize,
    n: usize,
    a: Operand,
    b: Operand,
    c: Operand,
}

/// A matrix as gemm takes it: data, row and column strides in elements.
type Strided<P> = (P, isize, isize);

impl Gemm {
    fn from_args(args: &[i64]) -> Gemm {
        let count = |v: i64| usize::try_from(v).unwrap_or(0);
        let operand = |at: usize| Operand::from_args(&args[at..at + 3]);
        Gemm {
            m: count(args[0]),
            k: count(args[1]),
            n: count(args[2]),
            a: operand(3),
            b: operand(6),
            c: operand(9),
        }
    }

    /// Runs `gemm` with element strides. An operand whose byte strides are
    /// not multiples of the element size (a view of a packed record, say)
    /// is gathered into a C-ordered copy first, and such a result computed
    /// in one and scattered.
    ///
    /// SAFETY: the operands are arrays of `T` of the extents `self` gives.
    unsafe fn run<T: Copy + Default>(
        &self,
        gemm: impl Fn(&Gemm, Strided<*const T>, Strided<*const T>, Strided<*mut T>),
    ) {
        let (m, k, n) = (self.m, self.k, self.n);
        if m == 0 || n == 0 {
            return;
        }
        if k == 0 {
            // An empty sum: zeros (gemm's behaviour here is not documented).
            for i in 0..m {
                for j in 0..n {
                    // SAFETY: (i, j) is inside C.
                    unsafe { self.c.at::<T>(i, j).write_unaligned(T::default()) };
                }
            }
            return;
        }
        let (mut a_copy, mut b_copy) = (Vec::new(), Vec::new());
        // SAFETY: A is m×k and B is k×n arrays of `T`.
        let a = unsafe { self.a.elements::<T>(m, k, &mut a_copy) };
        let b = unsafe { self.b.elements::<T>(k, n, &mut b_copy) };
        match self.c.element_strides::<T>() {
            Some((rows, cols)) => gemm(self, a, b, (self.c.data as *mut T, rows, cols)),
            None => {
                let mut c = vec![T::default(); m * n];
                gemm(self, a, b, (c.as_mut_ptr(), n as isize, 1));
                for i in 0..m {
                    for j in 0..n {
                        // SAFETY: (i, j) is inside C.
                        unsafe { self.c.at::<T>(i, j).write_unaligned(c[i * n + j]) };
                    }
                }
            }
        }
    }
}

impl Operand {
    /// `data, row stride, column stride` (bytes).
    fn from_args(args: &[i64]) -> Operand {
        Operand {
            data: args[0] as usize,
            rows: args[1] as isize,
            cols: args[2] as isize,
        }
    }

    /// A row-major copy of the operand, `rows`×`cols`.
    ///
    /// SAFETY: the operand is a `rows`×`cols` array of `T`.
    unsafe fn row_major<T: Copy>(&self, rows: usize, cols: usize) -> Vec<T> {
        let mut copy = Vec::with_capacity(rows * cols);
        for i in 0..rows {
            for j in 0..cols {
                // SAFETY: (i, j) is inside the operand.
                copy.push(unsafe { self.at::<T>(i, j).read_unaligned() });
            }
        }
        copy
    }

    fn element_strides<T>(&self) -> Option<(isize, isize)> {
        let size = std::mem::size_of::<T>() as isize;
        let aligned = self.data % std::mem::align_of::<T>() == 0;
        (aligned && self.rows % size == 0 && self.cols % size == 0)
            .then(|| (self.rows / size, self.cols / size))
    }

    fn at<T>(&self, i: usize, j: usize) -> *mut T {
        let offset = i as isize * self.rows + j as isize * self.cols;
        (self.data as isize + offset) as *mut T
    }

    /// The operand as gemm reads it, `rows`×`cols`: itself, or a C-ordered
    /// copy in `copy`.
    ///
    /// SAFETY: the operand is a `rows`×`cols` array of `T`.
    unsafe fn elements<T: Copy>(
        &self,
        rows: usize,
        cols: usize,
        copy: &mut Vec<T>,
    ) -> Strided<*const T> {
        if let Some((r, c)) = self.element_strides::<T>() {
            return (self.data as *const T, r, c);
        }
        // SAFETY: the caller's promise.
        *copy = unsafe { self.row_major(rows, cols) };
        (copy.as_ptr(), cols as isize, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gemm_f64(
        a: *const f64,
        b: *const f64,
        (m, k, n): (usize, usize, usize),
        strides: [i64; 6],
    ) -> Vec<f64> {
        let mut c = vec![f64::NAN; m * n];
        let args = [
            m as i64,
            k as i64,
            n as i64,
            a as i64,
            strides[0],
            strides[1],
            b as i64,
            strides[2],
            strides[3],
            c.as_mut_ptr() as i64,
            strides[4],
            strides[5],
        ];
        let status = unsafe {
            ferrojit_linalg(
                std::ptr::null_mut(),
                kernel_code(Kernel::Gemm(LType::F64)),
                args.as_ptr(),
            )
        };
        assert_eq!(status, 0);
        c
    }

    #[test]
    fn gemm_reads_any_strides() {
        // A = [[1,2],[3,4]] read as its transpose (F strides), B = [[1,0],[0,2]]
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = [1.0, 0.0, 0.0, 2.0];
        let c = gemm_f64(a.as_ptr(), b.as_ptr(), (2, 2, 2), [8, 16, 16, 8, 16, 8]);
        assert_eq!(c, [1.0, 6.0, 2.0, 8.0]);
    }

    #[test]
    fn gemm_of_an_empty_sum_is_zero() {
        let none = std::ptr::NonNull::<f64>::dangling().as_ptr();
        let c = gemm_f64(none, none, (2, 0, 1), [0, 8, 8, 8, 8, 8]);
        assert_eq!(c, [0.0, 0.0]);
    }

    #[test]
    fn eigh_diagonalizes_a_symmetric_matrix() {
        // [[2, 1], [1, 2]]: eigenvalues 1 and 3, vectors (1, -1) and (1, 1) over sqrt 2.
        let mut a = vec![2.0, 99.0, 1.0, 2.0]; // the upper triangle is not read
        let (w, v) = eigh(&mut a, 2).unwrap();
        assert!(
            (w[0] - 1.0).abs() < 1e-14 && (w[1] - 3.0).abs() < 1e-14,
            "{w:?}"
        );
        let h = std::f64::consts::FRAC_1_SQRT_2;
        assert!(
            (v[0].abs() - h).abs() < 1e-14 && (v[0] + v[2]).abs() < 1e-14,
            "{v:?}"
        );
        assert!((v[1] - v[3]).abs() < 1e-14, "{v:?}");
        let (w, _) = eigh(&mut [1.0, 0.0, f64::NAN, 1.0], 2).unwrap();
        assert!(w.iter().all(|x| x.is_nan()));
    }

    #[test]
    fn lu_reports_a_zero_pivot_and_solves_with_pivoting() {
        assert!(lu_factor(&mut [1.0, 2.0, 2.0, 4.0], 2).is_none());
        // [[0, 1], [1, 0]] x = [2, 3] needs a row swap: x = [3, 2]
        let mut a = [0.0, 1.0, 1.0, 0.0];
        let pivots = lu_factor(&mut a, 2).unwrap();
        assert_eq!(lu_solve(&a, 2, &pivots, vec![2.0, 3.0], 1), [3.0, 2.0]);
        assert!(cholesky(&[-1.0], 1).is_none());
        assert_eq!(
            cholesky(&[4.0, 0.0, 2.0, 5.0], 2),
            Some(vec![2.0, 0.0, 1.0, 2.0])
        );
    }

    #[test]
    fn gemm_gathers_strides_that_are_not_whole_elements() {
        // A's rows 12 bytes apart (a packed record of f64 + f32), as a byte buffer.
        let mut words = [0u64; 3];
        let bytes = words.as_mut_ptr() as *mut u8;
        unsafe {
            (bytes as *mut f64).write(2.0);
            (bytes.add(12) as *mut f64).write_unaligned(3.0);
        }
        let b = [5.0];
        let c = gemm_f64(
            bytes as *const f64,
            b.as_ptr(),
            (2, 1, 1),
            [12, 8, 8, 8, 8, 8],
        );
        assert_eq!(c, [10.0, 15.0]);
    }
}
