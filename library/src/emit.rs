//! What a library function's lowering may emit: typed scalar operations on
//! opaque values. lower implements it on its low IR builder, so a lowering
//! here never sees the low IR itself.

use crate::{ComplexFn, Dtype, Primitive};

/// A scalar value of the function being lowered (lower's `ValueId`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Value(pub u32);

/// Arithmetic with NumPy's meaning for the dtype (integers wrap).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    /// Floats only.
    Div,
}

/// Comparisons; on floats ordered (false when either is NaN) except `Ne`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Order {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

pub trait Emit {
    /// `value` as a constant of `dtype` (exact for the integers and floats used
    /// here; a complex number's real part).
    fn constant(&mut self, dtype: Dtype, value: f64) -> Value;
    /// Converts as NumPy's `astype` does (float to int truncates).
    fn cast(&mut self, value: Value, from: Dtype, to: Dtype) -> Value;
    /// `op` on float arguments of type `dtype`.
    fn primitive(&mut self, op: Primitive, dtype: Dtype, args: &[Value]) -> Value;
    fn arith(&mut self, op: Arith, dtype: Dtype, a: Value, b: Value) -> Value;
    fn negate(&mut self, dtype: Dtype, a: Value) -> Value;
    /// The magnitude of a complex number, in its parts' float type.
    fn magnitude(&mut self, a: Value) -> Value;
    /// A bool.
    fn compare(&mut self, op: Order, dtype: Dtype, a: Value, b: Value) -> Value;
    fn select(&mut self, cond: Value, if_true: Value, if_false: Value) -> Value;
    /// The real and imaginary parts of a complex number.
    fn parts(&mut self, z: Value) -> (Value, Value);
    /// The complex number of dtype `dtype` with these parts (of its parts' type).
    fn complex(&mut self, dtype: Dtype, re: Value, im: Value) -> Value;
    /// The C library's `f` of complex arguments of dtype `dtype` (its result
    /// of the same dtype).
    fn complex_call(&mut self, f: ComplexFn, dtype: Dtype, args: &[Value]) -> Value;
}
