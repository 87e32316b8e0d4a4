//! The one runtime entry of `lower::ir::Stmt::Kernel`: JIT code passes the
//! kernel's code (`kernel_code`) and its arguments in a stack array of i64
//! slots; the entry turns the code back into the `Kernel`, reads as many slots
//! as `Kernel::arity` says and runs it (`linalg::run` or `sorting::run`), so
//! a new kernel adds its variant here and its body there.

use std::panic::{catch_unwind, AssertUnwindSafe};

use lower::ir::{Dtype, ExceptionKind, Kernel, LType};

use crate::runtime::{raise, RuntimeContext};

/// Why a kernel failed: the exception it raises and its message.
pub(crate) type KernelError = (ExceptionKind, String);

/// The element types of the linear-algebra kernels, in the order of their codes.
const LINALG_TYPES: [LType; 4] = [LType::F32, LType::F64, LType::C64, LType::C128];

/// The code JIT code passes for `kernel`: the variant's number times 16 plus
/// the position of its element type (in `LINALG_TYPES` or `Dtype::ALL`).
pub(crate) fn kernel_code(kernel: Kernel) -> Option<i64> {
    let linalg = |op: i64, t: LType| {
        let k = LINALG_TYPES.iter().position(|x| *x == t)?;
        Some(op * 16 + k as i64)
    };
    let sorting = |op: i64, d: Dtype| {
        let k = Dtype::ALL.iter().position(|x| *x == d)?;
        Some(op * 16 + k as i64)
    };
    match kernel {
        Kernel::Gemm(t) => linalg(0, t),
        Kernel::Det(t) => linalg(1, t),
        Kernel::Inv(t) => linalg(2, t),
        Kernel::Solve(t) => linalg(3, t),
        Kernel::Cholesky(t) => linalg(4, t),
        Kernel::Eigh(t) => linalg(5, t),
        Kernel::Lstsq(t) => linalg(6, t),
        Kernel::Sort(d) => sorting(7, d),
        Kernel::Argsort(d) => sorting(8, d),
        Kernel::Median(d) => sorting(9, d),
        Kernel::Unique(d) => sorting(10, d),
        Kernel::Searchsorted(d) => sorting(11, d),
        Kernel::Histogram(d) => sorting(12, d),
    }
}

/// The kernel of code `code` (`kernel_code`'s inverse).
fn kernel_of(code: i64) -> Option<Kernel> {
    let k = usize::try_from(code % 16).ok()?;
    let t = || LINALG_TYPES.get(k).copied();
    let d = || Dtype::ALL.get(k).copied();
    Some(match code / 16 {
        0 => Kernel::Gemm(t()?),
        1 => Kernel::Det(t()?),
        2 => Kernel::Inv(t()?),
        3 => Kernel::Solve(t()?),
        4 => Kernel::Cholesky(t()?),
        5 => Kernel::Eigh(t()?),
        6 => Kernel::Lstsq(t()?),
        7 => Kernel::Sort(d()?),
        8 => Kernel::Argsort(d()?),
        9 => Kernel::Median(d()?),
        10 => Kernel::Unique(d()?),
        11 => Kernel::Searchsorted(d()?),
        12 => Kernel::Histogram(d()?),
        _ => return None,
    })
}

/// The error of a kernel that went wrong (a bug, never the user's).
pub(crate) fn kernel_bug(kernel: Kernel) -> KernelError {
    (
        ExceptionKind::RuntimeError,
        format!(
            "internal error in ferrojit ({} kernel); this is a bug in ferrojit, please report it",
            kernel.name()
        ),
    )
}

/// Runs the kernel of code `code` (`kernel_code`) on `args` (as many i64
/// slots as `Kernel::arity` says, pointers as addresses, a float64 as its
/// bits). Returns 0, or 1 after recording an exception in `ctx`.
pub(crate) unsafe extern "C" fn ferrojit_kernel(
    ctx: *mut RuntimeContext,
    code: i64,
    args: *const i64,
) -> i32 {
    let (kind, message) = match kernel_of(code) {
        Some(kernel) => {
            // SAFETY: JIT code passes a stack array of the kernel's arity.
            let args = unsafe { std::slice::from_raw_parts(args, kernel.arity()) };
            // No panic may unwind into JIT frames; none is expected from the kernels.
            // SAFETY: lower passes the arguments `Kernel` documents: live
            // arrays of the kernel's element type, outputs of the results' sizes.
            let ran = catch_unwind(AssertUnwindSafe(|| unsafe {
                match kernel {
                    Kernel::Gemm(_)
                    | Kernel::Det(_)
                    | Kernel::Inv(_)
                    | Kernel::Solve(_)
                    | Kernel::Cholesky(_)
                    | Kernel::Eigh(_)
                    | Kernel::Lstsq(_) => crate::linalg::run(kernel, args),
                    Kernel::Sort(_)
                    | Kernel::Argsort(_)
                    | Kernel::Median(_)
                    | Kernel::Unique(_)
                    | Kernel::Searchsorted(_)
                    | Kernel::Histogram(_) => crate::sorting::run(kernel, args),
                }
            }));
            match ran {
                Ok(Ok(())) => return 0,
                Ok(Err(error)) => error,
                Err(_) => kernel_bug(kernel),
            }
        }
        None => (
            ExceptionKind::RuntimeError,
            format!("internal error in ferrojit (kernel code {code}); this is a bug in ferrojit, please report it"),
        ),
    };
    // SAFETY: the context is JIT code's.
    unsafe { raise(ctx, kind, message) };
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_kernel() -> Vec<Kernel> {
        let linalg = LINALG_TYPES.iter().flat_map(|&t| {
            [
                Kernel::Gemm(t),
                Kernel::Det(t),
                Kernel::Inv(t),
                Kernel::Solve(t),
                Kernel::Cholesky(t),
                Kernel::Eigh(t),
                Kernel::Lstsq(t),
            ]
        });
        let sorting = Dtype::ALL.iter().flat_map(|&d| {
            [
                Kernel::Sort(d),
                Kernel::Argsort(d),
                Kernel::Median(d),
                Kernel::Unique(d),
                Kernel::Searchsorted(d),
                Kernel::Histogram(d),
            ]
        });
        linalg.chain(sorting).collect()
    }

    #[test]
    fn every_kernel_has_a_code_of_its_own() {
        let kernels = every_kernel();
        let mut codes: Vec<i64> = kernels
            .iter()
            .map(|&k| {
                let code = kernel_code(k).unwrap_or_else(|| panic!("{k:?} has no code"));
                assert_eq!(kernel_of(code), Some(k), "{k:?} round-trips");
                code
            })
            .collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), kernels.len());
        assert_eq!(kernel_of(-1), None);
        assert_eq!(kernel_of(13 * 16), None);
    }

    #[test]
    fn an_unknown_code_is_an_internal_error() {
        let mut ctx = RuntimeContext::new();
        let status = unsafe { ferrojit_kernel(&mut ctx, 13 * 16, std::ptr::null()) };
        assert_eq!(status, 1);
        assert_eq!(ctx.take_error().unwrap().kind, ExceptionKind::RuntimeError);
    }
}
