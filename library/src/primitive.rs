//! The floating-point operations codegen implements (an LLVM intrinsic or a
//! libm call each), out of which the library's functions are built.

/// One operation on float32 or float64 values (all arguments and the result of
/// one float type, except the predicates, which give a bool).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Primitive {
    Sqrt,
    Cbrt,
    Exp,
    Exp2,
    Expm1,
    Log,
    Log2,
    Log10,
    Log1p,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Atan2,
    Hypot,
    Pow,
    Floor,
    Ceil,
    Trunc,
    /// Round half to even (NumPy's `rint`).
    Rint,
    Fabs,
    CopySign,
    Erf,
    Erfc,
    Gamma,
    Lgamma,
    IsNan,
    IsInf,
    IsFinite,
}

impl Primitive {
    pub const ALL: [Primitive; 37] = [
        Primitive::Sqrt,
        Primitive::Cbrt,
        Primitive::Exp,
        Primitive::Exp2,
        Primitive::Expm1,
        Primitive::Log,
        Primitive::Log2,
        Primitive::Log10,
        Primitive::Log1p,
        Primitive::Sin,
        Primitive::Cos,
        Primitive::Tan,
        Primitive::Asin,
        Primitive::Acos,
        Primitive::Atan,
        Primitive::Sinh,
        Primitive::Cosh,
        Primitive::Tanh,
        Primitive::Asinh,
        Primitive::Acosh,
        Primitive::Atanh,
        Primitive::Atan2,
        Primitive::Hypot,
        Primitive::Pow,
        Primitive::Floor,
        Primitive::Ceil,
        Primitive::Trunc,
        Primitive::Rint,
        Primitive::Fabs,
        Primitive::CopySign,
        Primitive::Erf,
        Primitive::Erfc,
        Primitive::Gamma,
        Primitive::Lgamma,
        Primitive::IsNan,
        Primitive::IsInf,
        Primitive::IsFinite,
    ];

    pub const fn arity(self) -> usize {
        match self {
            Primitive::Atan2 | Primitive::Hypot | Primitive::Pow | Primitive::CopySign => 2,
            _ => 1,
        }
    }

    /// Its name in low IR dumps: `sqrt`, `isnan`.
    pub fn name(self) -> String {
        format!("{self:?}").to_lowercase()
    }

    /// Whether the result is a bool rather than a float of the arguments' type.
    pub fn is_predicate(self) -> bool {
        matches!(
            self,
            Primitive::IsNan | Primitive::IsInf | Primitive::IsFinite
        )
    }

    /// The C library function computing it, for the ones without an LLVM intrinsic
    /// (float32 calls append `f`, as C does).
    pub fn libm_name(self) -> Option<&'static str> {
        Some(match self {
            Primitive::Cbrt => "cbrt",
            Primitive::Expm1 => "expm1",
            Primitive::Log1p => "log1p",
            Primitive::Tan => "tan",
            Primitive::Asin => "asin",
            Primitive::Acos => "acos",
            Primitive::Atan => "atan",
            Primitive::Sinh => "sinh",
            Primitive::Cosh => "cosh",
            Primitive::Tanh => "tanh",
            Primitive::Asinh => "asinh",
            Primitive::Acosh => "acosh",
            Primitive::Atanh => "atanh",
            Primitive::Atan2 => "atan2",
            Primitive::Hypot => "hypot",
            Primitive::Erf => "erf",
            Primitive::Erfc => "erfc",
            Primitive::Gamma => "tgamma",
            Primitive::Lgamma => "lgamma",
            _ => return None,
        })
    }
}

/// A C99 `<complex.h>` function of complex64/complex128 values (all
/// arguments and the result of one complex type), which codegen calls in the
/// C library (`cexp`, `cexpf`...): NumPy's loops call the same ones on Linux,
/// so their special values (Annex G) and rounding are NumPy's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ComplexFn {
    Exp,
    Log,
    Sqrt,
    Sin,
    Cos,
    Tan,
    Sinh,
    Cosh,
    Tanh,
    /// `cpow(z, w)`: two arguments.
    Pow,
}

impl ComplexFn {
    /// The double-precision C name; the single-precision one adds `f`.
    pub fn c_name(self) -> &'static str {
        match self {
            ComplexFn::Exp => "cexp",
            ComplexFn::Log => "clog",
            ComplexFn::Sqrt => "csqrt",
            ComplexFn::Sin => "csin",
            ComplexFn::Cos => "ccos",
            ComplexFn::Tan => "ctan",
            ComplexFn::Sinh => "csinh",
            ComplexFn::Cosh => "ccosh",
            ComplexFn::Tanh => "ctanh",
            ComplexFn::Pow => "cpow",
        }
    }

    pub fn arity(self) -> usize {
        match self {
            ComplexFn::Pow => 2,
            _ => 1,
        }
    }
}
