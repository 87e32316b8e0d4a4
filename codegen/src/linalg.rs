//! The linear-algebra kernels JIT code calls (`lower::ir::Stmt::Kernel`).
//!
//! Matrix products are matrixmultiply's gemm, which reads its operands with
//! any (element) strides, negative ones included, so JIT code passes arrays
//! as they are. ARCHITECTURE.md's dependency table records why this crate
//! (measured against faer and NumPy's OpenBLAS).

use std::panic::{catch_unwind, AssertUnwindSafe};

use lower::ir::{ExceptionKind, Kernel, LType};

use crate::runtime::{exception_code, ferrojit_raise_message, RuntimeContext};

/// The code JIT code passes for `kernel` (`ferrojit_linalg`'s `kernel`).
pub(crate) fn kernel_code(kernel: Kernel) -> i64 {
    match kernel {
        Kernel::Gemm(LType::F32) => 0,
        Kernel::Gemm(LType::F64) => 1,
        Kernel::Gemm(LType::C64) => 2,
        Kernel::Gemm(_) => 3,
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
    // SAFETY: JIT code passes a stack array of the kernel's arity, 12 for gemm.
    let args = unsafe { std::slice::from_raw_parts(args, 12) };
    // No panic may unwind into JIT frames; none is expected from gemm.
    let ran = catch_unwind(AssertUnwindSafe(|| {
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
    }));
    if ran.is_ok() {
        return 0;
    }
    let message = "internal error in ferrojit (linear algebra kernel); this is a bug in ferrojit, please report it";
    // SAFETY: the context is JIT code's; the message outlives the call.
    unsafe {
        ferrojit_raise_message(
            ctx,
            exception_code(ExceptionKind::RuntimeError),
            message.as_ptr(),
            message.len() as i64,
        )
    };
    1
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
        let operand = |at: usize| Operand {
            data: args[at] as usize,
            rows: args[at + 1] as isize,
            cols: args[at + 2] as isize,
        };
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
        for i in 0..rows {
            for j in 0..cols {
                // SAFETY: (i, j) is inside the operand.
                copy.push(unsafe { self.at::<T>(i, j).read_unaligned() });
            }
        }
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
