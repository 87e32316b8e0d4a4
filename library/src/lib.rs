//! The library `@jit` code calls: NumPy's scalar types and promotion rules, and
//! the registry of `math` and NumPy functions, each one an entry that holds its
//! names, its typing rule and its lowering together (`registry.rs`).
//!
//! This crate sits below every stage: the frontend resolves names with the
//! registry, typeinfer types calls with it, lower lowers them with it through
//! the [`Emit`] trait (which lower implements on its builder), and codegen
//! implements the [`Primitive`] operations the lowerings use. So adding a
//! function means adding one entry here (and a primitive, if it needs a new one).

pub mod complex;
mod dtype;
mod emit;
mod math;
mod primitive;
pub mod promotion;
mod reduce;
mod registry;
mod ufunc;

pub use dtype::Dtype;
pub use emit::{Arith, Emit, Order, Value};
pub use primitive::{ComplexFn, Primitive};
pub use promotion::Kind;
pub use reduce::{
    builtin_reduction, numpy_reductions, reduction_method, Combine, ReduceFn, ReduceSig, Reduction,
};
pub use registry::{functions, Arg, Function, LibFn, Namespace, Rejection, Signature};
