//! The linear-algebra kernels JIT code calls (`lower::ir::Stmt::Kernel`).
//!
//! Matrix products are BLAS's gemm (`blas.rs`, SciPy's OpenBLAS, the gemm
//! NumPy's `@` calls) when it is installed, the product is large enough and
//! each operand has a unit stride along one axis (C or F order, or a
//! transposed view: passed as it lies, transposed or not), and
//! matrixmultiply's gemm otherwise, which reads its operands with any
//! (element) strides, negative ones included; so JIT code passes arrays as
//! they are. ARCHITECTURE.md's dependency table records why both (measured
//! against faer and NumPy's OpenBLAS). The factorizations (`det`,
//! `inv`, `solve`, `cholesky`, `eigh`, `lstsq`) are LAPACK's (`lapack.rs`),
//! called as NumPy calls them: the operands copied into column-major
//! workspaces in double precision, the results converted back.

use std::ffi::c_char;

use lower::ir::{ExceptionKind, Kernel, LType};

use crate::blas::{self, Blas};
use crate::kernels::{kernel_bug, KernelError};
use crate::lapack::{self, Complex, Int, Lapack, Routines};

/// Runs linear-algebra kernel `kernel` on `args` (`kernels::ferrojit_kernel`'s);
/// `Err` is the exception it raises (NumPy's `LinAlgError`).
///
/// SAFETY: lower passes the data pointers, extents and byte strides of live
/// arrays of the kernel's element type, the outputs fresh buffers of the
/// results' sizes (`lower::ir::Kernel`).
pub(crate) unsafe fn run(kernel: Kernel, args: &[i64]) -> Result<(), KernelError> {
    let (op, t) = match kernel {
        Kernel::Gemm(t) => (0, t),
        Kernel::Det(t) => (1, t),
        Kernel::Inv(t) => (2, t),
        Kernel::Solve(t) => (3, t),
        Kernel::Cholesky(t) => (4, t),
        Kernel::Eigh(t) => (5, t),
        Kernel::Lstsq(t) => (6, t),
        _ => return Err(kernel_bug(kernel)),
    };
    let storage = Storage::of(t);
    if op > 0 {
        // SAFETY: the caller's promise.
        let done = unsafe {
            match storage {
                Storage::F32 | Storage::F64 => factorization::<f64>(op, storage, args),
                Storage::C64 | Storage::C128 => factorization::<Complex>(op, storage, args),
            }
        };
        return done.map_err(|message| (ExceptionKind::LinAlgError, message.to_string()));
    }
    let g = Gemm::from_args(args);
    // SAFETY: the caller's promise; `c` is a fresh buffer.
    unsafe {
        match storage {
            Storage::F32 => g.run::<f32>(),
            Storage::F64 => g.run::<f64>(),
            Storage::C64 => g.run::<[f32; 2]>(),
            Storage::C128 => g.run::<[f64; 2]>(),
        }
    }
    Ok(())
}

const SINGULAR: &str = "Singular matrix";
const NOT_POSITIVE_DEFINITE: &str = "Matrix is not positive definite";
const EIGH_NOT_CONVERGED: &str = "Eigenvalues did not converge";
const LSTSQ_NOT_CONVERGED: &str = "SVD did not converge in Linear Least Squares";

/// How a kernel's arrays store their numbers (its element type).
#[derive(Clone, Copy, PartialEq)]
enum Storage {
    F32,
    F64,
    C64,
    C128,
}

impl Storage {
    fn of(t: LType) -> Storage {
        match t {
            LType::F32 => Storage::F32,
            LType::F64 => Storage::F64,
            LType::C64 => Storage::C64,
            _ => Storage::C128,
        }
    }

    /// The storage of a result that is real whatever the operands
    /// (eigenvalues, singular values, residuals).
    fn real(self) -> Storage {
        match self {
            Storage::C64 => Storage::F32,
            Storage::C128 => Storage::F64,
            real => real,
        }
    }

    /// SAFETY: `p` points at a number of this storage.
    unsafe fn load_real(self, p: *const u8) -> f64 {
        // SAFETY: the caller's promise.
        unsafe {
            match self {
                Storage::F32 | Storage::C64 => f64::from((p as *const f32).read_unaligned()),
                Storage::F64 | Storage::C128 => (p as *const f64).read_unaligned(),
            }
        }
    }

    /// SAFETY: `p` points at a number of this storage.
    unsafe fn store_real(self, p: *mut u8, x: f64) {
        // SAFETY: the caller's promise.
        unsafe {
            match self {
                Storage::F32 | Storage::C64 => (p as *mut f32).write_unaligned(x as f32),
                Storage::F64 | Storage::C128 => (p as *mut f64).write_unaligned(x),
            }
        }
    }

    /// The byte size of one real part.
    fn part_size(self) -> usize {
        match self {
            Storage::F32 | Storage::C64 => 4,
            Storage::F64 | Storage::C128 => 8,
        }
    }
}

/// A number LAPACK computes in: `f64` for real operands, `Complex` for
/// complex ones (NumPy's `linalg` computes in double precision whatever the
/// operands' precision, and so do these kernels).
trait Field: Copy + Default {
    const ONE: Self;
    fn routines(lapack: &Lapack) -> &Routines<Self>;
    /// SAFETY: `p` points at a number of `s`, whose kind (real or complex) is `Self`'s.
    unsafe fn load(s: Storage, p: *const u8) -> Self;
    /// SAFETY: as `load`.
    unsafe fn store(self, s: Storage, p: *mut u8);
    fn abs(self) -> f64;
    /// The squared modulus.
    fn abs2(self) -> f64;
    /// `self / |self|`.
    fn unit(self) -> Self;
    fn mul(self, other: Self) -> Self;
    fn scale(self, by: f64) -> Self;
    /// The eigenvalues into `w` and the eigenvectors into `a` of the
    /// column-major Hermitian `a` (its lower triangle read); LAPACK's `info`.
    ///
    /// SAFETY: `a` holds n×n numbers, `w` n.
    unsafe fn eigh(lapack: &Lapack, n: Int, a: &mut [Self], w: &mut [f64]) -> Int;
    /// The least-squares solutions into `b`'s first n rows and the singular
    /// values into `s`; LAPACK's `info`.
    ///
    /// SAFETY: `a` holds m×n numbers (`lda` = max(1, m)), `b` ldb×nrhs, `s` min(m, n).
    unsafe fn gelsd(
        lapack: &Lapack,
        shape: LstsqShape,
        a: &mut [Self],
        b: &mut [Self],
        s: &mut [f64],
        rcond: f64,
        rank: &mut Int,
    ) -> Int;
}

#[derive(Clone, Copy)]
struct LstsqShape {
    m: Int,
    n: Int,
    nrhs: Int,
    ldb: Int,
}

impl Field for f64 {
    const ONE: f64 = 1.0;
    fn routines(lapack: &Lapack) -> &Routines<f64> {
        &lapack.real
    }
    unsafe fn load(s: Storage, p: *const u8) -> f64 {
        // SAFETY: the caller's promise.
        unsafe { s.load_real(p) }
    }
    unsafe fn store(self, s: Storage, p: *mut u8) {
        // SAFETY: the caller's promise.
        unsafe { s.store_real(p, self) }
    }
    fn abs(self) -> f64 {
        f64::abs(self)
    }
    fn abs2(self) -> f64 {
        self * self
    }
    fn unit(self) -> f64 {
        self / self.abs()
    }
    fn mul(self, other: f64) -> f64 {
        self * other
    }
    fn scale(self, by: f64) -> f64 {
        self * by
    }
    unsafe fn eigh(lapack: &Lapack, n: Int, a: &mut [f64], w: &mut [f64]) -> Int {
        let (jobz, uplo) = (b'V' as c_char, b'L' as c_char);
        let lda = n.max(1);
        let (mut info, mut work_size, mut iwork_size, query) = (0, 0.0, 0, -1);
        // SAFETY: a workspace query, then the call with the workspace asked for.
        unsafe {
            (lapack.dsyevd)(
                &jobz,
                &uplo,
                &n,
                a.as_mut_ptr(),
                &lda,
                w.as_mut_ptr(),
                &mut work_size,
                &query,
                &mut iwork_size,
                &query,
                &mut info,
            );
            if info != 0 {
                return info;
            }
            let (lwork, liwork) = (work_size as Int, iwork_size);
            let mut work = vec![0.0; lwork.max(1) as usize];
            let mut iwork = vec![0; liwork.max(1) as usize];
            (lapack.dsyevd)(
                &jobz,
                &uplo,
                &n,
                a.as_mut_ptr(),
                &lda,
                w.as_mut_ptr(),
                work.as_mut_ptr(),
                &lwork,
                iwork.as_mut_ptr(),
                &liwork,
                &mut info,
            );
        }
        info
    }
    unsafe fn gelsd(
        lapack: &Lapack,
        shape: LstsqShape,
        a: &mut [f64],
        b: &mut [f64],
        s: &mut [f64],
        rcond: f64,
        rank: &mut Int,
    ) -> Int {
        let LstsqShape { m, n, nrhs, ldb } = shape;
        let lda = m.max(1);
        let (mut info, mut work_size, mut iwork_size, query) = (0, 0.0, 0, -1);
        // SAFETY: as `eigh`'s.
        unsafe {
            (lapack.dgelsd)(
                &m,
                &n,
                &nrhs,
                a.as_mut_ptr(),
                &lda,
                b.as_mut_ptr(),
                &ldb,
                s.as_mut_ptr(),
                &rcond,
                rank,
                &mut work_size,
                &query,
                &mut iwork_size,
                &mut info,
            );
            if info != 0 {
                return info;
            }
            let lwork = work_size as Int;
            let mut work = vec![0.0; lwork.max(1) as usize];
            let mut iwork = vec![0; iwork_size.max(1) as usize];
            (lapack.dgelsd)(
                &m,
                &n,
                &nrhs,
                a.as_mut_ptr(),
                &lda,
                b.as_mut_ptr(),
                &ldb,
                s.as_mut_ptr(),
                &rcond,
                rank,
                work.as_mut_ptr(),
                &lwork,
                iwork.as_mut_ptr(),
                &mut info,
            );
        }
        info
    }
}

impl Field for Complex {
    const ONE: Complex = [1.0, 0.0];
    fn routines(lapack: &Lapack) -> &Routines<Complex> {
        &lapack.complex
    }
    unsafe fn load(s: Storage, p: *const u8) -> Complex {
        // SAFETY: the caller's promise: a real part, then an imaginary one.
        unsafe { [s.load_real(p), s.load_real(p.add(s.part_size()))] }
    }
    unsafe fn store(self, s: Storage, p: *mut u8) {
        // SAFETY: as `load`.
        unsafe {
            s.store_real(p, self[0]);
            s.store_real(p.add(s.part_size()), self[1]);
        }
    }
    fn abs(self) -> f64 {
        self[0].hypot(self[1])
    }
    fn abs2(self) -> f64 {
        self[0] * self[0] + self[1] * self[1]
    }
    fn unit(self) -> Complex {
        let modulus = self.abs();
        [self[0] / modulus, self[1] / modulus]
    }
    fn mul(self, o: Complex) -> Complex {
        [
            self[0] * o[0] - self[1] * o[1],
            self[0] * o[1] + self[1] * o[0],
        ]
    }
    fn scale(self, by: f64) -> Complex {
        [self[0] * by, self[1] * by]
    }
    unsafe fn eigh(lapack: &Lapack, n: Int, a: &mut [Complex], w: &mut [f64]) -> Int {
        let (jobz, uplo) = (b'V' as c_char, b'L' as c_char);
        let lda = n.max(1);
        let (mut info, query) = (0, -1);
        let (mut work_size, mut rwork_size, mut iwork_size) = ([0.0; 2], 0.0, 0);
        // SAFETY: as `f64`'s.
        unsafe {
            (lapack.zheevd)(
                &jobz,
                &uplo,
                &n,
                a.as_mut_ptr(),
                &lda,
                w.as_mut_ptr(),
                &mut work_size,
                &query,
                &mut rwork_size,
                &query,
                &mut iwork_size,
                &query,
                &mut info,
            );
            if info != 0 {
                return info;
            }
            let (lwork, lrwork, liwork) = (work_size[0] as Int, rwork_size as Int, iwork_size);
            let mut work = vec![[0.0; 2]; lwork.max(1) as usize];
            let mut rwork = vec![0.0; lrwork.max(1) as usize];
            let mut iwork = vec![0; liwork.max(1) as usize];
            (lapack.zheevd)(
                &jobz,
                &uplo,
                &n,
                a.as_mut_ptr(),
                &lda,
                w.as_mut_ptr(),
                work.as_mut_ptr(),
                &lwork,
                rwork.as_mut_ptr(),
                &lrwork,
                iwork.as_mut_ptr(),
                &liwork,
                &mut info,
            );
        }
        info
    }
    unsafe fn gelsd(
        lapack: &Lapack,
        shape: LstsqShape,
        a: &mut [Complex],
        b: &mut [Complex],
        s: &mut [f64],
        rcond: f64,
        rank: &mut Int,
    ) -> Int {
        let LstsqShape { m, n, nrhs, ldb } = shape;
        let lda = m.max(1);
        let (mut info, query) = (0, -1);
        let (mut work_size, mut rwork_size, mut iwork_size) = ([0.0; 2], 0.0, 0);
        // SAFETY: as `f64`'s.
        unsafe {
            (lapack.zgelsd)(
                &m,
                &n,
                &nrhs,
                a.as_mut_ptr(),
                &lda,
                b.as_mut_ptr(),
                &ldb,
                s.as_mut_ptr(),
                &rcond,
                rank,
                &mut work_size,
                &query,
                &mut rwork_size,
                &mut iwork_size,
                &mut info,
            );
            if info != 0 {
                return info;
            }
            let lwork = work_size[0] as Int;
            let mut work = vec![[0.0; 2]; lwork.max(1) as usize];
            let mut rwork = vec![0.0; (rwork_size as usize).max(1)];
            let mut iwork = vec![0; iwork_size.max(1) as usize];
            (lapack.zgelsd)(
                &m,
                &n,
                &nrhs,
                a.as_mut_ptr(),
                &lda,
                b.as_mut_ptr(),
                &ldb,
                s.as_mut_ptr(),
                &rcond,
                rank,
                work.as_mut_ptr(),
                &lwork,
                rwork.as_mut_ptr(),
                iwork.as_mut_ptr(),
                &mut info,
            );
        }
        info
    }
}

/// A matrix in LAPACK's column-major order, `ld` numbers per column.
struct ColumnMajor<T> {
    data: Vec<T>,
    ld: usize,
}

impl<T: Field> ColumnMajor<T> {
    /// A copy of the rows×cols `a` of storage `s`, in columns of `ld >= rows`
    /// numbers (the rows past `rows` zero).
    ///
    /// SAFETY: `a` is a rows×cols array of `s`.
    unsafe fn gather(a: &Operand, s: Storage, rows: usize, cols: usize, ld: usize) -> Self {
        let mut data = vec![T::default(); ld * cols];
        for j in 0..cols {
            for i in 0..rows {
                // SAFETY: (i, j) is inside `a`.
                data[j * ld + i] = unsafe { T::load(s, a.at::<u8>(i, j)) };
            }
        }
        ColumnMajor { data, ld }
    }

    fn identity(n: usize) -> Self {
        let mut data = vec![T::default(); n * n];
        for k in 0..n {
            data[k * n + k] = T::ONE;
        }
        ColumnMajor { data, ld: n }
    }

    fn at(&self, i: usize, j: usize) -> T {
        self.data[j * self.ld + i]
    }

    /// Writes rows×cols of it into the C-ordered `out` of storage `s`, the
    /// numbers above the diagonal as zeros when `lower`.
    ///
    /// SAFETY: `out` holds rows×cols numbers of `s`.
    unsafe fn scatter(&self, s: Storage, rows: usize, cols: usize, lower: bool, out: *mut u8) {
        let size = match s {
            Storage::F32 => 4,
            Storage::F64 | Storage::C64 => 8,
            Storage::C128 => 16,
        };
        for i in 0..rows {
            for j in 0..cols {
                let x = if lower && j > i {
                    T::default()
                } else {
                    self.at(i, j)
                };
                // SAFETY: (i, j) is inside `out`.
                unsafe { x.store(s, out.add((i * cols + j) * size)) };
            }
        }
    }
}

/// LAPACK's dimension for `n`, or a `LinAlgError` past its `int`.
fn lapack_int(n: usize) -> Result<Int, &'static str> {
    Int::try_from(n).map_err(|_| "array too large for LAPACK")
}

/// Runs factorization `op` (`run`'s operation: 1 det, 2 inv, 3
/// solve, 4 cholesky, 5 eigh, 6 lstsq) on `args`, whose arrays store numbers
/// as `s`; `Err` is the message of a `LinAlgError`.
///
/// SAFETY: `args` are the kernel's (`Kernel`): live arrays of `s` of the
/// extents given, the outputs fresh buffers of the results' sizes.
unsafe fn factorization<T: Field>(op: i64, s: Storage, args: &[i64]) -> Result<(), &'static str> {
    let lapack = lapack::lapack().ok_or("LAPACK is not loaded (a bug in ferrojit)")?;
    let count = |v: i64| usize::try_from(v).unwrap_or(0);
    if op == 6 {
        // SAFETY: the caller's promise.
        return unsafe { lstsq::<T>(lapack, s, args) };
    }
    let n = count(args[0]);
    let ni = lapack_int(n)?;
    let ld = n.max(1);
    let routines = T::routines(lapack);
    let mut info = 0;
    let mut pivots = vec![0 as Int; n];
    if op == 3 {
        let nrhs = count(args[1]);
        let (a, b) = (
            Operand::from_args(&args[2..5]),
            Operand::from_args(&args[5..8]),
        );
        // SAFETY: A is n×n, B n×nrhs, out n×nrhs (the caller's promise).
        let (mut a, mut b) = unsafe {
            (
                ColumnMajor::<T>::gather(&a, s, n, n, ld),
                ColumnMajor::<T>::gather(&b, s, n, nrhs, ld),
            )
        };
        let nrhs_i = lapack_int(nrhs)?;
        // SAFETY: the buffers have the sizes the arguments give.
        unsafe {
            (routines.gesv)(
                &ni,
                &nrhs_i,
                a.data.as_mut_ptr(),
                &(ld as Int),
                pivots.as_mut_ptr(),
                b.data.as_mut_ptr(),
                &(ld as Int),
                &mut info,
            )
        };
        if info > 0 {
            return Err(SINGULAR);
        }
        // SAFETY: `out` holds n×nrhs numbers.
        unsafe { b.scatter(s, n, nrhs, false, args[8] as *mut u8) };
        return Ok(());
    }
    let a = Operand::from_args(&args[1..4]);
    let out = args[4] as *mut u8;
    // SAFETY: A is n×n.
    let mut work = unsafe { ColumnMajor::<T>::gather(&a, s, n, n, ld) };
    let ldi = ld as Int;
    match op {
        1 => {
            // SAFETY: `work` is n×n, `pivots` n.
            unsafe {
                (routines.getrf)(
                    &ni,
                    &ni,
                    work.data.as_mut_ptr(),
                    &ldi,
                    pivots.as_mut_ptr(),
                    &mut info,
                )
            };
            // As NumPy: the sign and the logarithm of the modulus from the
            // factors' diagonal, the determinant their product (0 when a
            // pivot is zero).
            let det = if info > 0 {
                T::default()
            } else {
                let (mut sign, mut log) = (T::ONE, 0.0);
                for (k, &p) in pivots.iter().enumerate() {
                    let u = work.at(k, k);
                    sign = sign.mul(u.unit());
                    if p as usize != k + 1 {
                        sign = sign.scale(-1.0);
                    }
                    log += u.abs().ln();
                }
                sign.scale(log.exp())
            };
            // SAFETY: `out` holds one number.
            unsafe { det.store(s, out) };
        }
        2 => {
            let mut inverse = ColumnMajor::<T>::identity(ld);
            // SAFETY: `work` and `inverse` are n×n, `pivots` n.
            unsafe {
                (routines.gesv)(
                    &ni,
                    &ni,
                    work.data.as_mut_ptr(),
                    &ldi,
                    pivots.as_mut_ptr(),
                    inverse.data.as_mut_ptr(),
                    &ldi,
                    &mut info,
                )
            };
            if info > 0 {
                return Err(SINGULAR);
            }
            // SAFETY: `out` holds n×n numbers.
            unsafe { inverse.scatter(s, n, n, false, out) };
        }
        4 => {
            let uplo = b'L' as c_char;
            // SAFETY: `work` is n×n.
            unsafe { (routines.potrf)(&uplo, &ni, work.data.as_mut_ptr(), &ldi, &mut info) };
            if info > 0 {
                return Err(NOT_POSITIVE_DEFINITE);
            }
            // SAFETY: `out` holds n×n numbers.
            unsafe { work.scatter(s, n, n, true, out) };
        }
        _ => {
            let mut w = vec![0.0; n];
            // SAFETY: `work` is n×n, `w` n.
            if unsafe { T::eigh(lapack, ni, &mut work.data, &mut w) } != 0 {
                return Err(EIGH_NOT_CONVERGED);
            }
            let real = s.real();
            for (k, &x) in w.iter().enumerate() {
                // SAFETY: `out` (w) holds n real numbers.
                unsafe { real.store_real(out.add(k * real.part_size()), x) };
            }
            // SAFETY: the next argument (v) holds n×n numbers.
            unsafe { work.scatter(s, n, n, false, args[5] as *mut u8) };
        }
    }
    Ok(())
}

/// `np.linalg.lstsq`: `Kernel::Lstsq`'s arguments.
///
/// SAFETY: as `factorization`'s.
unsafe fn lstsq<T: Field>(lapack: &Lapack, s: Storage, args: &[i64]) -> Result<(), &'static str> {
    let count = |v: i64| usize::try_from(v).unwrap_or(0);
    let (m, n, nrhs) = (count(args[0]), count(args[1]), count(args[2]));
    let (a, b) = (
        Operand::from_args(&args[3..6]),
        Operand::from_args(&args[6..9]),
    );
    let rcond = f64::from_bits(args[9] as u64);
    let (x_out, residuals_out, rank_out, s_out) = (
        args[10] as *mut u8,
        args[11] as *mut u8,
        args[12] as *mut Int,
        args[13] as *mut u8,
    );
    let ldb = m.max(n).max(1);
    // SAFETY: A is m×n, B m×nrhs (the caller's promise).
    let (mut a, mut b) = unsafe {
        (
            ColumnMajor::<T>::gather(&a, s, m, n, m.max(1)),
            ColumnMajor::<T>::gather(&b, s, m, nrhs, ldb),
        )
    };
    let mut singular = vec![0.0; m.min(n)];
    let mut rank: Int = 0;
    if m > 0 && n > 0 && nrhs > 0 {
        let shape = LstsqShape {
            m: lapack_int(m)?,
            n: lapack_int(n)?,
            nrhs: lapack_int(nrhs)?,
            ldb: lapack_int(ldb)?,
        };
        // SAFETY: the buffers have the shapes `shape` gives.
        if unsafe {
            T::gelsd(
                lapack,
                shape,
                &mut a.data,
                &mut b.data,
                &mut singular,
                rcond,
                &mut rank,
            )
        } != 0
        {
            return Err(LSTSQ_NOT_CONVERGED);
        }
    } else if m > 0 && n > 0 {
        // No right side: the rank and singular values still come from A.
        let mut one = vec![T::default(); ldb];
        let shape = LstsqShape {
            m: lapack_int(m)?,
            n: lapack_int(n)?,
            nrhs: 1,
            ldb: lapack_int(ldb)?,
        };
        // SAFETY: as above, with one zero column.
        if unsafe {
            T::gelsd(
                lapack,
                shape,
                &mut a.data,
                &mut one,
                &mut singular,
                rcond,
                &mut rank,
            )
        } != 0
        {
            return Err(LSTSQ_NOT_CONVERGED);
        }
    }
    // An empty A leaves B's zero rows past m as the solution, as NumPy's.
    let real = s.real();
    // SAFETY: the outputs have the sizes `Kernel::Lstsq` gives.
    unsafe {
        b.scatter(s, n, nrhs, false, x_out);
        for j in 0..nrhs {
            // NumPy's residuals: the squared modulus of the rows past n.
            let sum: f64 = (n..m).map(|i| b.at(i, j).abs2()).sum();
            real.store_real(residuals_out.add(j * real.part_size()), sum);
        }
        rank_out.write_unaligned(rank);
        for (k, &x) in singular.iter().enumerate() {
            real.store_real(s_out.add(k * real.part_size()), x);
        }
    }
    Ok(())
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

    /// Computes `C = A B` with element strides. An operand whose byte
    /// strides are not multiples of the element size (a view of a packed
    /// record, say) is gathered into a C-ordered copy first, and such a
    /// result computed in one and scattered.
    ///
    /// SAFETY: the operands are arrays of `T` of the extents `self` gives.
    unsafe fn run<T: GemmNumber>(&self) {
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
        // SAFETY (both calls): the operands are m×k, k×n and m×n arrays.
        match self.c.element_strides::<T>() {
            Some((rows, cols)) => unsafe {
                self.product(a, b, (self.c.data as *mut T, rows, cols))
            },
            None => {
                let mut c = vec![T::default(); m * n];
                unsafe { self.product(a, b, (c.as_mut_ptr(), n as isize, 1)) };
                for i in 0..m {
                    for j in 0..n {
                        // SAFETY: (i, j) is inside C.
                        unsafe { self.c.at::<T>(i, j).write_unaligned(c[i * n + j]) };
                    }
                }
            }
        }
    }

    /// `C = A B` by BLAS's gemm where it is installed, the product is large
    /// enough (`GemmNumber::BLAS_FROM`) and BLAS can read each operand as it lies
    /// (`BlasLayout`); by matrixmultiply's otherwise.
    ///
    /// SAFETY: `a`, `b`, `c` are m×k, k×n and m×n arrays of `T`, none empty.
    unsafe fn product<T: GemmNumber>(
        &self,
        a: Strided<*const T>,
        b: Strided<*const T>,
        c: Strided<*mut T>,
    ) {
        let (m, k, n) = (self.m, self.k, self.n);
        let size = m.saturating_mul(k).saturating_mul(n);
        let layout = || BlasLayout::of((m, k, n), (a.1, a.2), (b.1, b.2), (c.1, c.2));
        if let (Some(blas), true) = (crate::blas::blas(), size >= T::BLAS_FROM) {
            if let Some(l) = layout() {
                let (one, zero) = (T::ONE, T::default());
                // SAFETY: `BlasLayout::of` checked that BLAS reads the operands
                // within their extents and strides; the sizes fit its `Int`.
                unsafe {
                    T::blas_gemm(blas)(
                        &l.b_trans, &l.a_trans, &l.n, &l.m, &l.k, &one, b.0, &l.b_ld, a.0, &l.a_ld,
                        &zero, c.0, &l.c_ld,
                    )
                };
                return;
            }
        }
        // SAFETY: the caller's promise.
        unsafe { T::matrixmultiply((m, k, n), a, b, c) }
    }
}

/// How BLAS's column-major gemm computes the row-major `C = A B`: as the
/// column-major `C^T = B^T A^T` (`C` read with its row stride as BLAS's
/// leading dimension), each operand passed as it lies in memory, marked
/// transposed (`T`) when its unit stride is along its rows.
#[derive(Debug, PartialEq)]
struct BlasLayout {
    m: Int,
    k: Int,
    n: Int,
    a_trans: c_char,
    a_ld: Int,
    b_trans: c_char,
    b_ld: Int,
    c_ld: Int,
}

impl BlasLayout {
    /// The call for `A` m×k, `B` k×n, `C` m×n of these (row, column)
    /// element strides, or `None` where BLAS cannot read one as it lies
    /// (no unit stride, negative or overlapping strides) or a size does not
    /// fit its `Int`.
    fn of(
        (m, k, n): (usize, usize, usize),
        a: (isize, isize),
        b: (isize, isize),
        c: (isize, isize),
    ) -> Option<BlasLayout> {
        let int = |x: usize| Int::try_from(x).ok();
        let (a_trans, a_ld) = Self::transposed(m, k, a)?;
        let (b_trans, b_ld) = Self::transposed(k, n, b)?;
        let (c_trans, c_ld) = Self::transposed(m, n, c)?;
        (c_trans == b'N' as c_char).then_some(())?;
        Some(BlasLayout {
            m: int(m)?,
            k: int(k)?,
            n: int(n)?,
            a_trans,
            a_ld,
            b_trans,
            b_ld,
            c_ld,
        })
    }

    /// How BLAS reads the transpose of a `rows`×`cols` row-major-indexed
    /// matrix of element strides `(rs, cs)` as a column-major operand:
    /// `N` with leading dimension `rs` where its columns are adjacent (its
    /// transpose is then column-major), `T` with `cs` where its rows are.
    /// A stride along an axis of extent 1 is never used, so a vector of
    /// any stride is a matrix BLAS reads.
    fn transposed(rows: usize, cols: usize, (rs, cs): (isize, isize)) -> Option<(c_char, Int)> {
        let ld = |stride: isize, at_least: usize| {
            let at_least = Int::try_from(at_least.max(1)).ok()?;
            Int::try_from(stride).ok().filter(|&ld| ld >= at_least)
        };
        let free = |extent: usize, stride: isize, other: usize| match extent {
            1 => Int::try_from(other.max(1)).ok(),
            _ => ld(stride, other),
        };
        if cols == 1 || cs == 1 {
            if let Some(ld) = free(rows, rs, cols) {
                return Some((b'N' as c_char, ld));
            }
        }
        if rows == 1 || rs == 1 {
            if let Some(ld) = free(cols, cs, rows) {
                return Some((b'T' as c_char, ld));
            }
        }
        None
    }
}

/// A number gemm multiplies: its BLAS routine and matrixmultiply's.
trait GemmNumber: Copy + Default {
    const ONE: Self;
    /// Products of fewer multiplications (m·k·n) than this run
    /// matrixmultiply's gemm even where BLAS's could. Measured one thread
    /// each (`bench/matrix_products.py`'s way, 2-core AMD EPYC): real products take
    /// the same time in both below 64³ (float32 is 10-20% faster in
    /// matrixmultiply's), and 64³ is where OpenBLAS starts using threads;
    /// complex ones are about 2x faster in BLAS's from 8x8 on.
    const BLAS_FROM: usize;
    fn blas_gemm(blas: &Blas) -> blas::Gemm<Self>;
    /// matrixmultiply's `c = a b` of an m×k and a k×n matrix.
    ///
    /// SAFETY: `a`, `b`, `c` are m×k, k×n and m×n arrays of `Self`.
    unsafe fn matrixmultiply(
        mkn: (usize, usize, usize),
        a: Strided<*const Self>,
        b: Strided<*const Self>,
        c: Strided<*mut Self>,
    );
}

impl GemmNumber for f32 {
    const BLAS_FROM: usize = 64 * 64 * 64;
    const ONE: f32 = 1.0;
    fn blas_gemm(blas: &Blas) -> blas::Gemm<f32> {
        blas.sgemm
    }
    unsafe fn matrixmultiply(
        (m, k, n): (usize, usize, usize),
        a: Strided<*const f32>,
        b: Strided<*const f32>,
        c: Strided<*mut f32>,
    ) {
        // SAFETY: the caller's promise.
        unsafe {
            matrixmultiply::sgemm(
                m, k, n, 1.0, a.0, a.1, a.2, b.0, b.1, b.2, 0.0, c.0, c.1, c.2,
            )
        }
    }
}

impl GemmNumber for f64 {
    const BLAS_FROM: usize = 64 * 64 * 64;
    const ONE: f64 = 1.0;
    fn blas_gemm(blas: &Blas) -> blas::Gemm<f64> {
        blas.dgemm
    }
    unsafe fn matrixmultiply(
        (m, k, n): (usize, usize, usize),
        a: Strided<*const f64>,
        b: Strided<*const f64>,
        c: Strided<*mut f64>,
    ) {
        // SAFETY: the caller's promise.
        unsafe {
            matrixmultiply::dgemm(
                m, k, n, 1.0, a.0, a.1, a.2, b.0, b.1, b.2, 0.0, c.0, c.1, c.2,
            )
        }
    }
}

impl GemmNumber for [f32; 2] {
    const BLAS_FROM: usize = 1;
    const ONE: [f32; 2] = [1.0, 0.0];
    fn blas_gemm(blas: &Blas) -> blas::Gemm<[f32; 2]> {
        blas.cgemm
    }
    unsafe fn matrixmultiply(
        (m, k, n): (usize, usize, usize),
        a: Strided<*const [f32; 2]>,
        b: Strided<*const [f32; 2]>,
        c: Strided<*mut [f32; 2]>,
    ) {
        use matrixmultiply::CGemmOption::Standard;
        // SAFETY: the caller's promise.
        unsafe {
            matrixmultiply::cgemm(
                Standard,
                Standard,
                m,
                k,
                n,
                [1.0, 0.0],
                a.0,
                a.1,
                a.2,
                b.0,
                b.1,
                b.2,
                [0.0; 2],
                c.0,
                c.1,
                c.2,
            )
        }
    }
}

impl GemmNumber for [f64; 2] {
    const BLAS_FROM: usize = 1;
    const ONE: [f64; 2] = [1.0, 0.0];
    fn blas_gemm(blas: &Blas) -> blas::Gemm<[f64; 2]> {
        blas.zgemm
    }
    unsafe fn matrixmultiply(
        (m, k, n): (usize, usize, usize),
        a: Strided<*const [f64; 2]>,
        b: Strided<*const [f64; 2]>,
        c: Strided<*mut [f64; 2]>,
    ) {
        use matrixmultiply::CGemmOption::Standard;
        // SAFETY: the caller's promise.
        unsafe {
            matrixmultiply::zgemm(
                Standard,
                Standard,
                m,
                k,
                n,
                [1.0, 0.0],
                a.0,
                a.1,
                a.2,
                b.0,
                b.1,
                b.2,
                [0.0; 2],
                c.0,
                c.1,
                c.2,
            )
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
        let aligned = self.data.is_multiple_of(std::mem::align_of::<T>());
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
            crate::kernels::ferrojit_kernel(
                std::ptr::null_mut(),
                crate::kernels::kernel_code(Kernel::Gemm(LType::F64)).unwrap_or(-1),
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
    fn workspaces_are_column_major_in_double_precision() {
        // [[1, 2], [3, 4]] as float32, read through F strides (its transpose in memory).
        let memory: [f32; 4] = [1.0, 3.0, 2.0, 4.0];
        let a = Operand::from_args(&[memory.as_ptr() as i64, 4, 8]);
        let work = unsafe { ColumnMajor::<f64>::gather(&a, Storage::F32, 2, 2, 3) };
        assert_eq!(work.data, [1.0, 3.0, 0.0, 2.0, 4.0, 0.0]);
        let mut out = [0.0f32; 4];
        unsafe { work.scatter(Storage::F32, 2, 2, true, out.as_mut_ptr() as *mut u8) };
        assert_eq!(out, [1.0, 0.0, 3.0, 4.0]);
        // complex64 storage: each number two float32 parts
        let z: [f32; 2] = [1.5, -2.0];
        let a = Operand::from_args(&[z.as_ptr() as i64, 8, 8]);
        let work = unsafe { ColumnMajor::<Complex>::gather(&a, Storage::C64, 1, 1, 1) };
        assert_eq!(work.data, [[1.5, -2.0]]);
    }

    #[test]
    fn lapack_of_other_signatures_is_refused() {
        let wrong = unsafe { lapack::install(|_| Some((8, "dd".to_string()))) };
        assert_eq!(
            wrong,
            Err("LAPACK's `dgetrf` has parameters `dd`, not `iidiii`".to_string())
        );
        let missing = unsafe { lapack::install(|_| None) };
        assert_eq!(missing, Err("LAPACK's `dgetrf` was not found".to_string()));
        assert!(!lapack::installed());
    }

    #[test]
    fn blas_reads_each_operand_as_it_lies() {
        let n = b'N' as c_char;
        let t = b'T' as c_char;
        let layout = |a, b, c| BlasLayout::of((4, 3, 5), a, b, c);
        // C-ordered A (4x3), B (3x5), C (4x5): C^T = B^T A^T, nothing transposed.
        let c_order = layout((3, 1), (5, 1), (5, 1)).unwrap();
        assert_eq!(
            (
                c_order.a_trans,
                c_order.a_ld,
                c_order.b_trans,
                c_order.b_ld,
                c_order.c_ld
            ),
            (n, 3, n, 5, 5)
        );
        assert_eq!((c_order.m, c_order.k, c_order.n), (4, 3, 5));
        // F-ordered A and B (a transposed view's layout): both marked transposed.
        let f_order = layout((1, 4), (1, 3), (5, 1)).unwrap();
        assert_eq!(
            (f_order.a_trans, f_order.a_ld, f_order.b_trans, f_order.b_ld),
            (t, 4, t, 3)
        );
        // A row of a larger array: its leading dimension is the parent's.
        let sub = layout((10, 1), (1, 7), (5, 1)).unwrap();
        assert_eq!((sub.a_ld, sub.b_ld), (10, 7));
        // No unit stride, a negative one, overlapping rows, an F-ordered C: refused.
        assert_eq!(layout((6, 2), (5, 1), (5, 1)), None);
        assert_eq!(layout((-3, 1), (5, 1), (5, 1)), None);
        assert_eq!(layout((2, 1), (5, 1), (5, 1)), None);
        assert_eq!(layout((0, 1), (5, 1), (5, 1)), None);
        assert_eq!(layout((3, 1), (5, 1), (1, 4)), None);
    }

    #[test]
    fn blas_ignores_the_stride_of_an_axis_of_one() {
        let t = b'T' as c_char;
        // A vector of stride 3 as the one-row A of `v @ B` (lower passes row stride 0).
        let row = BlasLayout::of((1, 4, 2), (0, 3), (2, 1), (0, 1)).unwrap();
        assert_eq!((row.a_trans, row.a_ld, row.c_ld), (t, 3, 2));
        // A vector of stride 2 as the one-column B of `A @ v`.
        let col = BlasLayout::of((3, 4, 1), (4, 1), (2, 1), (1, 1)).unwrap();
        assert_eq!((col.b_trans, col.b_ld, col.c_ld), (b'N' as c_char, 2, 1));
        // An extent that does not fit BLAS's int.
        let huge = 1usize << 31;
        assert_eq!(BlasLayout::of((1, huge, 1), (0, 1), (1, 1), (0, 1)), None);
    }

    /// How many times `reference_dgemm` ran.
    static REFERENCE_CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    /// BLAS's column-major `dgemm` (alpha 1, beta 0), written out, to check
    /// that the layouts `BlasLayout` gives compute `A @ B`.
    unsafe extern "C" fn reference_dgemm(
        transa: *const c_char,
        transb: *const c_char,
        m: *const Int,
        n: *const Int,
        k: *const Int,
        _alpha: *const f64,
        a: *const f64,
        lda: *const Int,
        b: *const f64,
        ldb: *const Int,
        _beta: *const f64,
        c: *mut f64,
        ldc: *const Int,
    ) {
        REFERENCE_CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        unsafe {
            let at = |i: Int, l: Int| match *transa as u8 {
                b'N' => *a.add((i + l * *lda) as usize),
                _ => *a.add((l + i * *lda) as usize),
            };
            let bt = |l: Int, j: Int| match *transb as u8 {
                b'N' => *b.add((l + j * *ldb) as usize),
                _ => *b.add((j + l * *ldb) as usize),
            };
            for i in 0..*m {
                for j in 0..*n {
                    let sum = (0..*k).map(|l| at(i, l) * bt(l, j)).sum();
                    *c.add((i + j * *ldc) as usize) = sum;
                }
            }
        }
    }

    #[test]
    fn blas_computes_products_of_every_layout() {
        let find = |name: &str| {
            let dgemm = reference_dgemm as *const () as usize;
            let routine = blas::ROUTINES.iter().find(|(n, _)| *n == name)?;
            Some((dgemm, routine.1.to_string()))
        };
        // Only dgemm is called here; the others' addresses are never used.
        unsafe { blas::install(find) }.unwrap();
        let (m, k, n) = (65, 66, 67);
        let a: Vec<f64> = (0..m * k).map(|x| (x % 7) as f64 - 3.0).collect();
        let b: Vec<f64> = (0..k * n).map(|x| (x % 5) as f64 * 0.5).collect();
        let expected: Vec<f64> = (0..m * n)
            .map(|ij| (0..k).map(|l| a[ij / n * k + l] * b[l * n + ij % n]).sum())
            .collect();
        let (a_f, b_f) = (transposed(&a, m, k), transposed(&b, k, n));
        let e = 8;
        let (ac, af) = ([k as i64 * e, e], [e, m as i64 * e]);
        let (bc, bf) = ([n as i64 * e, e], [e, k as i64 * e]);
        let c = [n as i64 * e, e];
        for (a_data, a_strides, b_data, b_strides) in [
            (&a, ac, &b, bc),
            (&a_f, af, &b, bc),
            (&a, ac, &b_f, bf),
            (&a_f, af, &b_f, bf),
        ] {
            let strides = [
                a_strides[0],
                a_strides[1],
                b_strides[0],
                b_strides[1],
                c[0],
                c[1],
            ];
            let calls = REFERENCE_CALLS.load(std::sync::atomic::Ordering::SeqCst);
            let got = gemm_f64(a_data.as_ptr(), b_data.as_ptr(), (m, k, n), strides);
            assert_eq!(got, expected, "strides {strides:?}");
            let now = REFERENCE_CALLS.load(std::sync::atomic::Ordering::SeqCst);
            assert_eq!(now, calls + 1, "BLAS computed strides {strides:?}");
        }
        // Strides BLAS cannot take (every other column of a wider A) fall back to matrixmultiply.
        let wide: Vec<f64> = a.iter().flat_map(|&x| [x, f64::NAN]).collect();
        let calls = REFERENCE_CALLS.load(std::sync::atomic::Ordering::SeqCst);
        let strided = [2 * k as i64 * e, 2 * e, bc[0], bc[1], c[0], c[1]];
        assert_eq!(
            gemm_f64(wide.as_ptr(), b.as_ptr(), (m, k, n), strided),
            expected
        );
        assert_eq!(
            REFERENCE_CALLS.load(std::sync::atomic::Ordering::SeqCst),
            calls
        );
    }

    /// The column-major copy of a row-major rows×cols matrix.
    fn transposed(x: &[f64], rows: usize, cols: usize) -> Vec<f64> {
        (0..rows * cols)
            .map(|ji| x[ji % rows * cols + ji / rows])
            .collect()
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
