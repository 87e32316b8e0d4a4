//! The LAPACK routines behind `np.linalg`'s factorizations, found at run time
//! rather than linked: pymod takes them from SciPy (`scipy.linalg.cython_lapack`,
//! as Numba does), so the build needs no LAPACK and the results are those of
//! the LAPACK NumPy users already run. ARCHITECTURE.md's dependency table
//! records the choice against a Rust library.
//!
//! Every routine computes in float64 or complex128, as NumPy's `linalg` does
//! whatever the operands' precision (`_commonType`); `linalg.rs` converts.

use std::ffi::c_char;
use std::sync::OnceLock;

/// LAPACK's integer (SciPy's `cython_lapack` is LP64).
pub(crate) type Int = i32;
/// A complex128 as LAPACK stores it: real part, imaginary part.
pub(crate) type Complex = [f64; 2];

pub(crate) type Getrf<T> =
    unsafe extern "C" fn(*const Int, *const Int, *mut T, *const Int, *mut Int, *mut Int);
pub(crate) type Gesv<T> = unsafe extern "C" fn(
    *const Int,
    *const Int,
    *mut T,
    *const Int,
    *mut Int,
    *mut T,
    *const Int,
    *mut Int,
);
pub(crate) type Potrf<T> =
    unsafe extern "C" fn(*const c_char, *const Int, *mut T, *const Int, *mut Int);
/// `dsyevd(jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork, info)`.
pub(crate) type Syevd = unsafe extern "C" fn(
    *const c_char,
    *const c_char,
    *const Int,
    *mut f64,
    *const Int,
    *mut f64,
    *mut f64,
    *const Int,
    *mut Int,
    *const Int,
    *mut Int,
);
/// `zheevd(jobz, uplo, n, a, lda, w, work, lwork, rwork, lrwork, iwork, liwork, info)`.
pub(crate) type Heevd = unsafe extern "C" fn(
    *const c_char,
    *const c_char,
    *const Int,
    *mut Complex,
    *const Int,
    *mut f64,
    *mut Complex,
    *const Int,
    *mut f64,
    *const Int,
    *mut Int,
    *const Int,
    *mut Int,
);
/// `dgelsd(m, n, nrhs, a, lda, b, ldb, s, rcond, rank, work, lwork, iwork, info)`.
pub(crate) type Dgelsd = unsafe extern "C" fn(
    *const Int,
    *const Int,
    *const Int,
    *mut f64,
    *const Int,
    *mut f64,
    *const Int,
    *mut f64,
    *const f64,
    *mut Int,
    *mut f64,
    *const Int,
    *mut Int,
    *mut Int,
);
/// `zgelsd(m, n, nrhs, a, lda, b, ldb, s, rcond, rank, work, lwork, rwork, iwork, info)`.
pub(crate) type Zgelsd = unsafe extern "C" fn(
    *const Int,
    *const Int,
    *const Int,
    *mut Complex,
    *const Int,
    *mut Complex,
    *const Int,
    *mut f64,
    *const f64,
    *mut Int,
    *mut Complex,
    *const Int,
    *mut f64,
    *mut Int,
    *mut Int,
);

/// The routines of one element type whose signatures differ only by it.
pub(crate) struct Routines<T> {
    pub getrf: Getrf<T>,
    pub gesv: Gesv<T>,
    pub potrf: Potrf<T>,
}

pub(crate) struct Lapack {
    pub real: Routines<f64>,
    pub complex: Routines<Complex>,
    pub dsyevd: Syevd,
    pub zheevd: Heevd,
    pub dgelsd: Dgelsd,
    pub zgelsd: Zgelsd,
}

/// Each routine and its parameters, one letter each: `i` an `int *`, `c` a
/// `char *`, `s` a `float *`, `d` a `double *`, `x` a complex64 pointer, `z`
/// a complex128 pointer (`crate::blas` uses the same letters). `install` checks the
/// routines found against these, so a LAPACK of other signatures is refused
/// rather than called wrongly.
pub const ROUTINES: [(&str, &str); 10] = [
    ("dgetrf", "iidiii"),
    ("zgetrf", "iiziii"),
    ("dgesv", "iidiidii"),
    ("zgesv", "iiziizii"),
    ("dpotrf", "cidii"),
    ("zpotrf", "cizii"),
    ("dsyevd", "ccididdiiii"),
    ("zheevd", "ccizidzidiiii"),
    ("dgelsd", "iiidididdidiii"),
    ("zgelsd", "iiiziziddizidii"),
];

static LAPACK: OnceLock<Lapack> = OnceLock::new();

/// The routines, once `install` succeeded.
pub(crate) fn lapack() -> Option<&'static Lapack> {
    LAPACK.get()
}

/// Whether `install` succeeded, so factorization kernels can run.
pub fn installed() -> bool {
    LAPACK.get().is_some()
}

/// Installs the routines `find` gives for each name of `ROUTINES`: its
/// address and its signature in `ROUTINES`' letters. `Err` names a routine
/// that is missing or has another signature; nothing is installed then.
///
/// # Safety
/// Each address must be the routine of that name and signature, valid for
/// the life of the process.
pub unsafe fn install(find: impl Fn(&str) -> Option<(usize, String)>) -> Result<(), String> {
    let addresses = find_all("LAPACK", &ROUTINES, find)?;
    // SAFETY: the caller's promise: each address is the routine of its name,
    // whose parameters were just checked against the type it is cast to.
    let lapack = unsafe {
        let f = |k: usize| addresses[k] as *const ();
        Lapack {
            real: Routines {
                getrf: std::mem::transmute::<*const (), Getrf<f64>>(f(0)),
                gesv: std::mem::transmute::<*const (), Gesv<f64>>(f(2)),
                potrf: std::mem::transmute::<*const (), Potrf<f64>>(f(4)),
            },
            complex: Routines {
                getrf: std::mem::transmute::<*const (), Getrf<Complex>>(f(1)),
                gesv: std::mem::transmute::<*const (), Gesv<Complex>>(f(3)),
                potrf: std::mem::transmute::<*const (), Potrf<Complex>>(f(5)),
            },
            dsyevd: std::mem::transmute::<*const (), Syevd>(f(6)),
            zheevd: std::mem::transmute::<*const (), Heevd>(f(7)),
            dgelsd: std::mem::transmute::<*const (), Dgelsd>(f(8)),
            zgelsd: std::mem::transmute::<*const (), Zgelsd>(f(9)),
        }
    };
    // A second install (another thread won the race) found the same routines.
    let _ = LAPACK.set(lapack);
    Ok(())
}

/// The address `find` gives for each routine of `table` (name, parameter
/// letters) of `library`; `Err` names the first that is missing or has
/// other parameters.
pub(crate) fn find_all<const N: usize>(
    library: &str,
    table: &[(&str, &str); N],
    find: impl Fn(&str) -> Option<(usize, String)>,
) -> Result<[usize; N], String> {
    let mut addresses = [0usize; N];
    for (slot, &(name, signature)) in addresses.iter_mut().zip(table) {
        match find(name) {
            Some((address, found)) if found == signature && address != 0 => *slot = address,
            Some((_, found)) if found != signature => {
                return Err(format!(
                    "{library}'s `{name}` has parameters `{found}`, not `{signature}`"
                ))
            }
            _ => return Err(format!("{library}'s `{name}` was not found")),
        }
    }
    Ok(addresses)
}
