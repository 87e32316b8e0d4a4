//! Low IR -> LLVM IR (inkwell) -> optimized machine code in an ORC LLJIT.
//!
//! The only crate that uses inkwell/llvm-sys. Also home of the runtime that
//! JIT code calls back into (error recording, allocation).

pub mod runtime;

/// Options that change machine code, not meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct CodegenOptions {
    /// Allow float reassociation/contraction (`fastmath=True`).
    pub fastmath: bool,
}

/// `i32 entry(const u64 *args, u64 *ret, RuntimeContext *ctx)`: 0 on success,
/// 1 when an exception was recorded in `ctx`. See `lower::ir::Module` for the slot layout.
pub type EntryFn = unsafe extern "C" fn(args: *const u64, ret: *mut u64, ctx: *mut runtime::RuntimeContext) -> i32;

/// Machine code for one module, alive as long as this value is.
pub struct CompiledModule {
    pub entry: EntryFn,
}

#[derive(Debug)]
pub struct CodegenError(pub String);

/// Emits, verifies, optimizes (`default<O3>`, host CPU) and JIT-compiles `module`.
pub fn compile(module: &lower::ir::Module, options: &CodegenOptions) -> Result<CompiledModule, CodegenError> {
    let _ = (module, options);
    unimplemented!("codegen::compile: being written")
}

/// The LLVM IR text emitted for `module` before optimization (for snapshot tests).
pub fn emit_llvm_ir(module: &lower::ir::Module, options: &CodegenOptions) -> Result<String, CodegenError> {
    let _ = (module, options);
    unimplemented!("codegen::emit_llvm_ir: being written")
}
