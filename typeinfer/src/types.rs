//! The types of ferrojit values, and NumPy's promotion rules over them.

use std::fmt;

use frontend::hir::{Dtype, FuncId};

/// Memory layout of an array argument, as far as it is known at compile time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layout {
    /// C-contiguous: the last axis has unit stride.
    C,
    /// Fortran-contiguous: the first axis has unit stride.
    F,
    /// Any strides, negative included.
    Any,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArrayType {
    pub dtype: Dtype,
    pub ndim: u8,
    pub layout: Layout,
    pub writable: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    /// A number or bool: Python `int` is `Scalar(Int64)`, `float` is `Scalar(Float64)`.
    Scalar(Dtype),
    Array(ArrayType),
    Tuple(Vec<Type>),
    /// `None`: the result of a function without `return value`.
    None,
    /// A compile-time-only value that cannot be stored or passed: a dtype
    /// object such as `np.float32` used as `dtype=`, a string message...
    Opaque(OpaqueType),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OpaqueType {
    DtypeObject(Dtype),
    Str,
    /// A reference to a `@jit` function.
    Function(FuncId),
}

impl ArrayType {
    /// The layout of a new array NumPy makes "like" this one (`order='K'`:
    /// `np.empty_like`, `np.full_like`, `np.copy`, `np.array`, `astype`):
    /// the source's layout, since NumPy follows the order of its strides
    /// (lower chooses an A-typed result's order at run time, `lower::order`);
    /// C for 0-d and 1-d.
    pub fn kept_order(&self) -> Layout {
        if self.ndim > 1 {
            self.layout
        } else {
            Layout::C
        }
    }
}

impl Type {
    pub const INT: Type = Type::Scalar(Dtype::Int64);
    pub const FLOAT: Type = Type::Scalar(Dtype::Float64);
    pub const BOOL: Type = Type::Scalar(Dtype::Bool);

    pub fn as_scalar(&self) -> Option<Dtype> {
        match self {
            Type::Scalar(d) => Some(*d),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&ArrayType> {
        match self {
            Type::Array(a) => Some(a),
            _ => None,
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layout::C => "C",
            Layout::F => "F",
            Layout::Any => "A",
        })
    }
}

/// `array(float64, 2d, C)`, with `, readonly` when not writable.
impl fmt::Display for ArrayType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "array({}, {}d, {}", self.dtype, self.ndim, self.layout)?;
        if !self.writable {
            f.write_str(", readonly")?;
        }
        f.write_str(")")
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Scalar(d) => write!(f, "{d}"),
            Type::Array(a) => write!(f, "{a}"),
            Type::Tuple(items) => {
                f.write_str("(")?;
                for (i, t) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                if items.len() == 1 {
                    f.write_str(",")?;
                }
                f.write_str(")")
            }
            Type::None => f.write_str("none"),
            Type::Opaque(OpaqueType::DtypeObject(d)) => write!(f, "dtype({d})"),
            Type::Opaque(OpaqueType::Str) => f.write_str("str"),
            Type::Opaque(OpaqueType::Function(id)) => write!(f, "function {id}"),
        }
    }
}
