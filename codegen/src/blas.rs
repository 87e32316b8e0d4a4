//! BLAS's matrix products (`?gemm`), found at run time as LAPACK is
//! (`lapack.rs`): pymod takes them from SciPy's `scipy.linalg.cython_blas`, as
//! Numba does for `np.dot`. NumPy's own `@` calls OpenBLAS's gemm, which is
//! faster than matrixmultiply's on large matrices; `linalg.rs` calls these
//! when they are installed and the operands' layouts suit BLAS, and
//! matrixmultiply otherwise, so products work without SciPy.

use std::ffi::c_char;
use std::sync::OnceLock;

use crate::lapack::{find_all, Int};

/// `?gemm(transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)`:
/// the column-major `c = alpha op(a) op(b) + beta c`, of numbers `T`.
pub(crate) type Gemm<T> = unsafe extern "C" fn(
    *const c_char,
    *const c_char,
    *const Int,
    *const Int,
    *const Int,
    *const T,
    *const T,
    *const Int,
    *const T,
    *const Int,
    *const T,
    *mut T,
    *const Int,
);

pub(crate) struct Blas {
    pub sgemm: Gemm<f32>,
    pub dgemm: Gemm<f64>,
    pub cgemm: Gemm<[f32; 2]>,
    pub zgemm: Gemm<[f64; 2]>,
}

/// Each routine and its parameters, in `lapack::ROUTINES`' letters.
pub const ROUTINES: [(&str, &str); 4] = [
    ("sgemm", "cciiissisissi"),
    ("dgemm", "cciiiddididdi"),
    ("cgemm", "cciiixxixixxi"),
    ("zgemm", "cciiizzizizzi"),
];

static BLAS: OnceLock<Blas> = OnceLock::new();

/// The routines, once `install` succeeded.
pub(crate) fn blas() -> Option<&'static Blas> {
    BLAS.get()
}

/// Whether `install` succeeded, so products run BLAS's gemm.
pub fn installed() -> bool {
    BLAS.get().is_some()
}

/// Installs the routines `find` gives for each name of `ROUTINES` (its
/// address and its signature in `ROUTINES`' letters). `Err` names a routine
/// that is missing or has another signature; nothing is installed then, and
/// products keep running matrixmultiply's gemm.
///
/// # Safety
/// Each address must be the routine of that name and signature, valid for
/// the life of the process.
pub unsafe fn install(find: impl Fn(&str) -> Option<(usize, String)>) -> Result<(), String> {
    let addresses = find_all("BLAS", &ROUTINES, find)?;
    // SAFETY: the caller's promise: each address is the routine of its name,
    // whose parameters were just checked against the type it is cast to.
    let blas = unsafe {
        let f = |k: usize| addresses[k] as *const ();
        Blas {
            sgemm: std::mem::transmute::<*const (), Gemm<f32>>(f(0)),
            dgemm: std::mem::transmute::<*const (), Gemm<f64>>(f(1)),
            cgemm: std::mem::transmute::<*const (), Gemm<[f32; 2]>>(f(2)),
            zgemm: std::mem::transmute::<*const (), Gemm<[f64; 2]>>(f(3)),
        }
    };
    // A second install (another thread won the race) found the same routines.
    let _ = BLAS.set(blas);
    Ok(())
}
