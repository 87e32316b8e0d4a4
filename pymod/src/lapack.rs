//! Finds LAPACK and BLAS for the runtime (`codegen::lapack`,
//! `codegen::blas`): SciPy's `scipy.linalg.cython_lapack` and
//! `cython_blas` export each routine as a capsule of its C function, named
//! by its C signature, which Numba reads the same way. Each runs once, the
//! first time compiled code needs a factorization or a product.

use std::ffi::CStr;
use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods, PyDict};

use crate::errors::CompileFailure;

/// Installs SciPy's LAPACK in the runtime unless it is there already.
pub(crate) fn ensure_installed(py: Python<'_>) -> Result<(), CompileFailure> {
    if codegen::lapack::installed() {
        return Ok(());
    }
    let missing = |reason: String| CompileFailure::NoLapack { reason };
    let capi = routine_table(py, "cython_lapack").map_err(missing)?;
    // SAFETY: each address is the function SciPy exports under that name, and
    // `install` checks its parameters; the module stays imported (sys.modules)
    // for the life of the process, and so does its code.
    unsafe { codegen::lapack::install(|name| find(&capi, name)) }.map_err(missing)
}

/// Installs SciPy's BLAS gemm in the runtime, once per process: without
/// SciPy (or with a SciPy whose routines differ) products keep running
/// matrixmultiply's gemm, so a failure is not an error, and is not retried
/// (importing a missing package at every compile would cost each one).
pub(crate) fn try_install_blas(py: Python<'_>) {
    static TRIED: AtomicBool = AtomicBool::new(false);
    if TRIED.swap(true, Ordering::Relaxed) {
        return;
    }
    if let Ok(capi) = routine_table(py, "cython_blas") {
        // SAFETY: as in `ensure_installed`.
        let _ = unsafe { codegen::blas::install(|name| find(&capi, name)) };
    }
}

/// The `__pyx_capi__` table of `scipy.linalg.<module>`, or why not.
fn routine_table<'py>(py: Python<'py>, module: &str) -> Result<Bound<'py, PyDict>, String> {
    let module = py
        .import(format!("scipy.linalg.{module}"))
        .map_err(|e| format!("importing scipy.linalg.{module} failed ({e})"))?;
    module
        .getattr("__pyx_capi__")
        .and_then(|c| Ok(c.cast_into::<PyDict>()?))
        .map_err(|e| format!("SciPy's {module} has no routine table ({e})"))
}

/// The address and parameter letters of routine `name` in `capi`.
fn find(capi: &Bound<'_, PyDict>, name: &str) -> Option<(usize, String)> {
    let capsule = capi.get_item(name).ok()??.cast_into::<PyCapsule>().ok()?;
    let capsule_name = capsule.name().ok()??;
    // SAFETY: the name is read at once, while the capsule is alive and
    // no Python code runs.
    let c_name: &CStr = unsafe { capsule_name.as_cstr() };
    let address = capsule.pointer_checked(Some(c_name)).ok()?.as_ptr() as usize;
    Some((address, parameter_letters(c_name.to_str().ok()?)?))
}

/// The parameters of a Cython-exported C signature such as
/// `void (int *, char *, __pyx_t_..._d *, __pyx_t_double_complex *)` in
/// `codegen::lapack::ROUTINES`' letters; `None` for any other kind.
fn parameter_letters(signature: &str) -> Option<String> {
    let inside = signature.strip_prefix("void (")?.strip_suffix(')')?;
    inside
        .split(", ")
        .map(|p| match p {
            "int *" => Some('i'),
            "char *" => Some('c'),
            "__pyx_t_double_complex *" => Some('z'),
            "__pyx_t_float_complex *" => Some('x'),
            p if p.starts_with("__pyx_t_") && p.ends_with("_d *") => Some('d'),
            p if p.starts_with("__pyx_t_") && p.ends_with("_s *") => Some('s'),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parameter_letters;

    #[test]
    fn reads_cython_signatures() {
        let dgetrf =
            "void (int *, int *, __pyx_t_5scipy_6linalg_13cython_lapack_d *, int *, int *, int *)";
        assert_eq!(parameter_letters(dgetrf).as_deref(), Some("iidiii"));
        let zpotrf = "void (char *, int *, __pyx_t_double_complex *, int *, int *)";
        assert_eq!(parameter_letters(zpotrf).as_deref(), Some("cizii"));
        assert_eq!(parameter_letters("void (float *)"), None);
        assert_eq!(parameter_letters("int (int *)"), None);
    }

    #[test]
    fn reads_cython_blas_gemm_signatures() {
        // SciPy 1.17's cython_blas, as printed by `__pyx_capi__`.
        let s = "__pyx_t_5scipy_6linalg_11cython_blas_s *";
        let sgemm = format!(
            "void (char *, char *, int *, int *, int *, {s}, {s}, int *, {s}, int *, {s}, {s}, int *)"
        );
        let c = "__pyx_t_float_complex *";
        let cgemm = format!(
            "void (char *, char *, int *, int *, int *, {c}, {c}, int *, {c}, int *, {c}, {c}, int *)"
        );
        let letters = |sig: &str| parameter_letters(sig).unwrap_or_default();
        let table = codegen::blas::ROUTINES;
        assert_eq!((table[0].0, letters(&sgemm).as_str()), table[0]);
        assert_eq!((table[2].0, letters(&cgemm).as_str()), table[2]);
        let d = "__pyx_t_5scipy_6linalg_11cython_blas_d *";
        let dgemm = sgemm.replace(s, d);
        assert_eq!((table[1].0, letters(&dgemm).as_str()), table[1]);
        let zgemm = cgemm.replace(c, "__pyx_t_double_complex *");
        assert_eq!((table[3].0, letters(&zgemm).as_str()), table[3]);
    }
}
