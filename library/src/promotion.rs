//! NumPy 2 promotion of scalar dtypes, including NEP 50's "weak" Python scalars.

use crate::Dtype;

/// NumPy's kind order: a value of a lower kind converts into a higher one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Bool,
    Int,
    Float,
    Complex,
}

pub fn kind(d: Dtype) -> Kind {
    if d == Dtype::Bool {
        Kind::Bool
    } else if d.is_int() {
        Kind::Int
    } else if d.is_float() {
        Kind::Float
    } else {
        Kind::Complex
    }
}

/// The default type of a Python scalar of this kind (`int` is int64, `float` float64).
pub fn python_default(k: Kind) -> Dtype {
    match k {
        Kind::Bool => Dtype::Bool,
        Kind::Int => Dtype::Int64,
        Kind::Float => Dtype::Float64,
        Kind::Complex => Dtype::Complex128,
    }
}

fn signed_of_bytes(bytes: u32) -> Option<Dtype> {
    match bytes {
        1 => Some(Dtype::Int8),
        2 => Some(Dtype::Int16),
        4 => Some(Dtype::Int32),
        8 => Some(Dtype::Int64),
        _ => None,
    }
}

/// The smallest float that holds every value of `d` exactly enough for NumPy:
/// 8- and 16-bit integers fit in float32, wider ones need float64.
pub fn float_for(d: Dtype) -> Dtype {
    match d {
        Dtype::Bool
        | Dtype::Int8
        | Dtype::Int16
        | Dtype::UInt8
        | Dtype::UInt16
        | Dtype::Float32 => Dtype::Float32,
        _ => Dtype::Float64,
    }
}

fn complex_for(d: Dtype) -> Dtype {
    match d {
        Dtype::Complex64 => Dtype::Complex64,
        Dtype::Complex128 => Dtype::Complex128,
        other => match float_for(other) {
            Dtype::Float32 => Dtype::Complex64,
            _ => Dtype::Complex128,
        },
    }
}

/// `np.result_type(a, b)` for two NumPy scalar types.
pub fn promote_dtype(a: Dtype, b: Dtype) -> Dtype {
    if a == b {
        return a;
    }
    let (ka, kb) = (kind(a), kind(b));
    match (ka, kb) {
        (Kind::Bool, _) => b,
        (_, Kind::Bool) => a,
        (Kind::Int, Kind::Int) => promote_ints(a, b),
        _ if ka == Kind::Complex || kb == Kind::Complex => {
            let (ca, cb) = (complex_for(a), complex_for(b));
            if ca == Dtype::Complex128 || cb == Dtype::Complex128 {
                Dtype::Complex128
            } else {
                Dtype::Complex64
            }
        }
        _ => {
            if float_for(a) == Dtype::Float64 || float_for(b) == Dtype::Float64 {
                Dtype::Float64
            } else {
                Dtype::Float32
            }
        }
    }
}

fn promote_ints(a: Dtype, b: Dtype) -> Dtype {
    match (a.is_signed_int(), b.is_signed_int()) {
        (true, true) | (false, false) => {
            if a.itemsize() >= b.itemsize() {
                a
            } else {
                b
            }
        }
        _ => {
            let (signed, unsigned) = if a.is_signed_int() { (a, b) } else { (b, a) };
            if signed.itemsize() > unsigned.itemsize() {
                signed
            } else {
                // A signed type twice as wide as the unsigned one holds both; uint64
                // has none, and NumPy falls back to float64.
                signed_of_bytes(unsigned.itemsize() * 2).unwrap_or(Dtype::Float64)
            }
        }
    }
}

/// NEP 50: a Python scalar of kind `weak` meeting a NumPy value of type `strong`.
pub fn promote_weak(weak: Kind, strong: Dtype) -> Dtype {
    let ks = kind(strong);
    if weak <= ks {
        return strong;
    }
    match weak {
        // A Python complex keeps float32's precision (`np.float32(1) * 1j` is complex64).
        Kind::Complex if strong == Dtype::Float32 => Dtype::Complex64,
        other => python_default(other),
    }
}

/// Whether the integer `v` is a value of `d` (NumPy 2 refuses to wrap Python ints).
pub fn int_fits(d: Dtype, v: i64) -> bool {
    let bits = d.itemsize() * 8;
    if d.is_signed_int() {
        bits >= 64 || (-(1i64 << (bits - 1))..(1i64 << (bits - 1))).contains(&v)
    } else if d.is_unsigned_int() {
        v >= 0 && (bits >= 64 || v < (1i64 << bits))
    } else {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Dtype::*;

    #[test]
    fn strong_promotion_matches_numpy_result_type() {
        let cases = [
            (Int8, Int64, Int64),
            (Int32, Int64, Int64),
            (UInt8, Int8, Int16),
            (UInt16, Int16, Int32),
            (UInt32, Int32, Int64),
            (UInt64, Int64, Float64),
            (UInt8, Int32, Int32),
            (UInt32, UInt8, UInt32),
            (Int16, Float32, Float32),
            (UInt16, Float32, Float32),
            (Int32, Float32, Float64),
            (Int64, Float32, Float64),
            (Float32, Float64, Float64),
            (Float32, Complex64, Complex64),
            (Float64, Complex64, Complex128),
            (Int16, Complex64, Complex64),
            (Int64, Complex64, Complex128),
            (Bool, Int8, Int8),
            (Bool, Float32, Float32),
            (Bool, Bool, Bool),
            (Complex128, Int8, Complex128),
        ];
        for (a, b, want) in cases {
            assert_eq!(promote_dtype(a, b), want, "{a} with {b}");
            assert_eq!(promote_dtype(b, a), want, "{b} with {a}");
        }
    }

    #[test]
    fn weak_scalars_follow_nep50() {
        assert_eq!(promote_weak(Kind::Float, Float32), Float32);
        assert_eq!(promote_weak(Kind::Int, Int32), Int32);
        assert_eq!(promote_weak(Kind::Int, UInt8), UInt8);
        assert_eq!(promote_weak(Kind::Float, Int32), Float64);
        assert_eq!(promote_weak(Kind::Int, Float32), Float32);
        assert_eq!(promote_weak(Kind::Int, Bool), Int64);
        assert_eq!(promote_weak(Kind::Complex, Float32), Complex64);
        assert_eq!(promote_weak(Kind::Complex, Int8), Complex128);
        assert_eq!(promote_weak(Kind::Float, Complex64), Complex64);
    }

    #[test]
    fn integer_ranges() {
        assert!(
            int_fits(Int8, -128)
                && int_fits(Int8, 127)
                && !int_fits(Int8, 128)
                && !int_fits(Int8, -129)
        );
        assert!(int_fits(UInt8, 255) && !int_fits(UInt8, 256) && !int_fits(UInt8, -1));
        assert!(int_fits(UInt64, i64::MAX) && !int_fits(UInt64, -1));
        assert!(int_fits(Int64, i64::MIN) && int_fits(Float32, 1 << 40));
    }
}
