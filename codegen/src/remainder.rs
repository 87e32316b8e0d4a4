//! C's `fmod`, the exact remainder of `x / y` truncated towards zero, on which
//! Python's float `%` and `//` and NumPy's `remainder`/`floor_divide` are
//! built. JIT code calls `ferrojit_fmod` for every float remainder
//! (`lower::ir::BinaryOp::FRem`); it is pure.
//!
//! Why not glibc's `fmod`: the glibc of this platform (2.36) computes it bit by
//! bit, and a loop of `x // 1.5 + x % 1.5` spent most of its time there. The
//! x87 `fprem` instruction gives the same exact remainder several times faster
//! (Numba's `numba_fmod` is the same instruction).

/// `fmod(x, y)`, bit for bit glibc's: the remainder is exact, so any correct
/// method gives the same finite result and the same signed zero; a NaN result
/// (`x` infinite or NaN, `y` zero or NaN) comes from glibc itself, so its sign
/// and payload are glibc's too.
pub(crate) extern "C" fn ferrojit_fmod(x: f64, y: f64) -> f64 {
    let r = partial_remainders(x, y);
    if r.is_nan() {
        // Rust's `%` on floats is a call of the C library's `fmod`.
        x % y
    } else {
        r
    }
}

/// `fprem` reduces the dividend by at most 63 bits of quotient per step and
/// clears C2 of the status word when the remainder is complete; the result is
/// exact (precision control does not apply to it) and fits a double, and its
/// zero has the dividend's sign.
#[cfg(target_arch = "x86_64")]
fn partial_remainders(x: f64, y: f64) -> f64 {
    let mut r = 0.0f64;
    // SAFETY: the x87 stack is empty on entry (the SysV ABI) and left empty:
    // two loads, then `fstp st(1)` and `fstp` to memory pop both. The three
    // pointers are to live, aligned f64s; `r` is written once.
    unsafe {
        std::arch::asm!(
            "fld qword ptr [{y}]",
            "fld qword ptr [{x}]",
            "2:",
            "fprem",
            "fnstsw ax",
            "test ah, 4",
            "jnz 2b",
            "fstp st(1)",
            "fstp qword ptr [{r}]",
            x = in(reg) &x,
            y = in(reg) &y,
            r = in(reg) &mut r,
            out("ax") _,
            out("st(0)") _,
            out("st(1)") _,
            options(nostack),
        );
    }
    r
}

#[cfg(not(target_arch = "x86_64"))]
fn partial_remainders(x: f64, y: f64) -> f64 {
    x % y
}

#[cfg(test)]
mod tests {
    use super::ferrojit_fmod;

    #[test]
    fn same_bits_as_the_c_library() {
        let values = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            1.5,
            -2.25,
            3.0,
            -3.0,
            0.1,
            1e-310,
            -4e-320,
            5e-324,
            1e300,
            -1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
            123456789.125,
            -7.0e15,
        ];
        for &x in &values {
            for &y in &values {
                let (got, want) = (ferrojit_fmod(x, y), x % y);
                assert_eq!(got.to_bits(), want.to_bits(), "fmod({x:e}, {y:e})");
            }
        }
    }

    #[test]
    fn same_bits_on_random_operands() {
        // A fixed xorshift stream of arbitrary bit patterns: every exponent
        // distance, subnormals, both signs.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            f64::from_bits(state)
        };
        for _ in 0..200_000 {
            let (x, y) = (next(), next());
            assert_eq!(
                ferrojit_fmod(x, y).to_bits(),
                (x % y).to_bits(),
                "fmod({x:e}, {y:e})"
            );
        }
    }
}
