//! Typed HIR -> low IR: loops, bounds checks, negative-index wraparound,
//! floor division, strided address arithmetic, array allocation.

mod advanced;
mod borrowed;
mod builder;
mod capture;
mod cold;
mod creation;
mod elementwise;
mod expr;
mod frozen;
mod func;
pub mod ir;
mod joining;
mod library_calls;
mod linalg;
mod order;
mod parallel;
mod print;
mod ranges;
mod reduce;
mod sorting;
mod speculate;
mod values;
#[cfg_attr(not(debug_assertions), allow(dead_code))] // run by debug builds and tests
mod verify;
mod versioning;
mod views;

/// What the user asked for with `@jit(...)` that changes the generated code.
/// Each function has its own: a `@jit` callee keeps its options when called
/// from a function compiled with others.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LowerOptions {
    pub boundscheck: bool,
    pub wraparound: bool,
    /// `error_model="numpy"`: division by zero gives inf/nan (floats) or 0 (ints).
    pub numpy_error_model: bool,
    /// `fastmath=True`: passed on as `ir::Function::fastmath`.
    pub fastmath: bool,
}

impl Default for LowerOptions {
    fn default() -> Self {
        LowerOptions {
            boundscheck: true,
            wraparound: true,
            numpy_error_model: false,
            fastmath: false,
        }
    }
}

/// Lowers every specialization of `program` into one low-IR module whose
/// first function is the entry (`functions[i]` lowers `program.functions[i]`
/// with `options[i]`, so a `SpecId` is also the callee's `FuncIndex`).
///
/// # ABI: parameters and results
/// Each function's parameters are its Python arguments flattened in order
/// (pymod marshals exactly this; codegen passes them as listed):
/// - a scalar is one value of its machine type: bool `i1`, int8/uint8 `i8`,
///   int16/uint16 `i16`, int32/uint32 `i32`, int64/uint64 `i64`, float32 `f32`,
///   float64 `f64`, complex64 `c64`, complex128 `c128`;
/// - an array of `ndim` axes is its owner (`ptr`), its data pointer (`ptr`),
///   then its `ndim` extents (`i64`), then its `ndim` byte strides (`i64`);
/// - a tuple is its elements flattened in order; `None` is nothing.
///
/// The owner of an argument array from Python is its NumPy object with the
/// low bit set (borrowed for the call); of an array made by compiled code, the
/// buffer from `Inst::Alloc` (see `ir::Stmt::Retain`). A callee borrows its
/// arguments. `Function::results` flattens the return type the same way, and
/// each returned array carries one reference to its owner for the caller.
pub fn lower(program: &typeinfer::TypedProgram, options: &[LowerOptions]) -> ir::Module {
    assert_eq!(
        options.len(),
        program.functions.len(),
        "one LowerOptions per specialization"
    );
    let recursive = on_call_cycle(program);
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let (mut functions, plans): (Vec<_>, Vec<_>) = program
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let count = seen.entry(f.hir.name.as_str()).or_insert(0);
            let name = if *count == 0 {
                f.hir.name.clone()
            } else {
                format!("{}_{}", f.hir.name, count)
            };
            *count += 1;
            func::lower_function(program, i, name, options[i], recursive[i])
        })
        .unzip();
    // Outlined loop bodies go after the specializations, keeping `SpecId`s valid.
    for (i, plans) in plans.iter().enumerate() {
        parallel::outline(&mut functions, i, plans);
    }
    cold::outline(&mut functions);
    let module = ir::Module { functions };
    #[cfg(debug_assertions)]
    verify::verify(&module);
    module
}

/// For each specialization, whether it can call itself through a chain of
/// calls: only those need the stack check on entry, since the depth of every
/// other chain is bounded by the size of the program.
fn on_call_cycle(program: &typeinfer::TypedProgram) -> Vec<bool> {
    let callees: Vec<Vec<usize>> = program
        .functions
        .iter()
        .map(|f| f.calls.values().map(|c| c.spec.0 as usize).collect())
        .collect();
    (0..callees.len())
        .map(|start| {
            let mut seen = vec![false; callees.len()];
            let mut stack: Vec<usize> = callees[start].clone();
            while let Some(f) = stack.pop() {
                if f == start {
                    return true;
                }
                if let Some(false) = seen.get(f) {
                    seen[f] = true;
                    stack.extend(&callees[f]);
                }
            }
            false
        })
        .collect()
}
