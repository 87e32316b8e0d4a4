//! Finds LAPACK for the runtime (`codegen::lapack`): SciPy's
//! `scipy.linalg.cython_lapack` exports each routine as a capsule of its C
//! function, named by its C signature, which Numba reads the same way. It
//! runs once, the first time compiled code needs a factorization.

use std::ffi::CStr;

use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods, PyDict};

use crate::errors::CompileFailure;

/// Installs SciPy's LAPACK in the runtime unless it is there already.
pub(crate) fn ensure_installed(py: Python<'_>) -> Result<(), CompileFailure> {
    if codegen::lapack::installed() {
        return Ok(());
    }
    let missing = |reason: String| CompileFailure::NoLapack { reason };
    let module = py
        .import("scipy.linalg.cython_lapack")
        .map_err(|e| missing(format!("importing scipy.linalg.cython_lapack failed ({e})")))?;
    let capi = module
        .getattr("__pyx_capi__")
        .and_then(|c| Ok(c.cast_into::<PyDict>()?))
        .map_err(|e| missing(format!("SciPy's cython_lapack has no routine table ({e})")))?;
    let find = |name: &str| -> Option<(usize, String)> {
        let capsule = capi.get_item(name).ok()??.cast_into::<PyCapsule>().ok()?;
        let capsule_name = capsule.name().ok()??;
        // SAFETY: the name is read at once, while the capsule is alive and
        // no Python code runs.
        let c_name: &CStr = unsafe { capsule_name.as_cstr() };
        let address = capsule.pointer_checked(Some(c_name)).ok()?.as_ptr() as usize;
        Some((address, parameter_letters(c_name.to_str().ok()?)?))
    };
    // SAFETY: each address is the function SciPy exports under that name, and
    // `install` checks its parameters; the module stays imported (sys.modules)
    // for the life of the process, and so does its code.
    unsafe { codegen::lapack::install(find) }.map_err(missing)
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
            p if p.starts_with("__pyx_t_") && p.ends_with("_d *") => Some('d'),
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
}
