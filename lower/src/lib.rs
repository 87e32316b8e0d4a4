//! Typed HIR -> low IR: loops, bounds checks, negative-index wraparound,
//! floor division, strided address arithmetic, array allocation.

pub mod ir;

/// What the user asked for with `@jit(...)` that changes the generated code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LowerOptions {
    pub boundscheck: bool,
    pub wraparound: bool,
    /// `error_model="numpy"`: division by zero gives inf/nan (floats) or 0 (ints).
    pub numpy_error_model: bool,
}

impl Default for LowerOptions {
    fn default() -> Self {
        LowerOptions { boundscheck: true, wraparound: true, numpy_error_model: false }
    }
}

/// Lowers every specialization of `program` into one low-IR module whose
/// first function is the entry.
pub fn lower(program: &typeinfer::TypedProgram, options: &LowerOptions) -> ir::Module {
    let _ = (program, options);
    unimplemented!("lower::lower: being written")
}
