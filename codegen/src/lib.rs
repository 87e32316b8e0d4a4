//! Low IR -> LLVM IR (inkwell) -> optimized machine code in an ORC LLJIT.
//!
//! The only crate that uses inkwell/llvm-sys. Also home of the runtime that
//! JIT code calls back into (error recording, allocation).
//!
//! # Slot layout of `args` and `ret`
//!
//! The entry point (`EntryFn`) reads the entry function's parameters from
//! `args` and writes its results to `ret`. Both are arrays of 8-byte slots,
//! one value after another in declaration order, 8-byte aligned:
//!
//! | type | slots | `args` (read by JIT code) | `ret` (written by JIT code) |
//! |---|---|---|---|
//! | `I1` | 1 | byte 0 of the slot, any non-zero byte is true | the whole slot as a `u64`, 0 or 1 |
//! | `I8`..`I64` | 1 | the low 1/2/4/8 bytes of the slot | the whole slot as an `i64`, sign-extended (readers of unsigned dtypes truncate to the width) |
//! | `F32` | 1 | an `f32` in bytes 0..4 | an `f32` in bytes 0..4 (bytes 4..8 unspecified) |
//! | `F64` | 1 | an `f64` | an `f64` |
//! | `C64` | 2 | re then im, each an `f32` at the start of its slot | the same |
//! | `C128` | 2 | re then im, each an `f64` | the same |
//! | `Ptr` | 1 | an address | an address |
//!
//! Internal functions use the same layout for their results, so the entry
//! wrapper passes `ret` straight through.
//!
//! Setting the environment variable `FERROJIT_DUMP_LLVM` prints each module's
//! optimized LLVM IR to stderr as it is compiled.

pub mod blas;
mod emit;
mod jit;
mod kernels;
pub mod lapack;
mod linalg;
mod loop_hints;
pub mod parallel;
mod remainder;
mod rounding;
pub mod runtime;
mod shapes;
mod sorting;

use inkwell::context::{Context, ContextRef};

/// `i32 entry(const u64 *args, u64 *ret, RuntimeContext *ctx)`: 0 on success,
/// 1 when an exception was recorded in `ctx`. See the crate docs for the slot layout.
pub type EntryFn =
    unsafe extern "C" fn(args: *const u64, ret: *mut u64, ctx: *mut runtime::RuntimeContext) -> i32;

/// Machine code for one module, alive as long as this value is: dropping it
/// frees the code, so `entry` must not be called afterwards.
pub struct CompiledModule {
    pub entry: EntryFn,
    /// How long each step of `compile` took (`FERROJIT_TIME_STAGES` prints them).
    pub times: StageTimes,
    /// Whether the code runs `prange` loops on the runtime's threads (then
    /// the caller releases the GIL during calls, so other threads progress).
    pub parallel: bool,
    /// Whether the code calls LAPACK (`np.linalg`'s factorizations): then
    /// `lapack::install` must have succeeded before it runs.
    pub lapack: bool,
    /// Whether the code runs matrix products, which call BLAS once
    /// `blas::install` succeeded (matrixmultiply's gemm until then).
    pub blas: bool,
    code: jit::CompiledCode,
}

impl CompiledModule {
    /// How many checked copies of loops (`lower::ir::Function::cold`) have
    /// been compiled so far: each is compiled when a call first runs it.
    pub fn checked_copies_compiled(&self) -> usize {
        self.code.lazily_compiled()
    }
}

/// `FERROJIT_TIME_STAGES=1`: every compile prints the time of each stage to
/// stderr, one line `ferrojit time <stage> <seconds> <function>` per stage
/// (pymod prints `parse` to `jit`; `parse` is the HIR of the entry and its
/// callees, near zero once parsed), and the compile of a checked copy on its
/// first run one line `ferrojit time checked-copy <seconds> <function>`.
pub fn time_stages() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("FERROJIT_TIME_STAGES").is_some_and(|v| v == "1"))
}

/// Wall time of the steps of `compile`.
#[derive(Clone, Copy, Debug, Default)]
pub struct StageTimes {
    /// Low IR -> LLVM IR, verified.
    pub emit: std::time::Duration,
    /// The `default<O2>` pipeline.
    pub optimize: std::time::Duration,
    /// Machine code generation and linking in the JIT.
    pub jit: std::time::Duration,
}

#[derive(Debug)]
pub struct CodegenError(pub String);

impl std::fmt::Display for CodegenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CodegenError {}

/// Emits, verifies, optimizes (`default<O2>`, host CPU) and JIT-compiles `module`,
/// but its cold functions, each compiled when first called.
/// Float operations get fast-math flags in the functions marked
/// `ir::Function::fastmath` only.
pub fn compile(module: lower::ir::Module) -> Result<CompiledModule, CodegenError> {
    let parallel = !emit::parallel_callees(&module).is_empty();
    let lapack = emit::uses_lapack(&module);
    let blas = emit::uses_gemm(&module);
    let (address, code, times) = jit::compile(std::sync::Arc::new(module), 0)?;
    // SAFETY: the address is the entry wrapper's, `i32 (ptr, ptr, ptr)`.
    let entry = unsafe { std::mem::transmute::<usize, EntryFn>(address) };
    Ok(CompiledModule {
        entry,
        times,
        parallel,
        lapack,
        blas,
        code,
    })
}

/// The LLVM IR text emitted for `module` before optimization (for snapshot tests).
pub fn emit_llvm_ir(module: &lower::ir::Module) -> Result<String, CodegenError> {
    let context = Context::create();
    // SAFETY: `context` outlives the module built in it (both end in this scope).
    let context_ref = unsafe { ContextRef::new(context.raw()) };
    let llvm = build_verified(context_ref, module, 0, &entry_symbol(module, 0))?.module;
    Ok(llvm.print_to_string().to_string())
}

/// What `listing` shows of a compiled module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listing {
    /// The LLVM IR after the optimization pipeline.
    LlvmIr,
    /// The host machine's assembly.
    Assembly,
}

/// The optimized LLVM IR, or the assembly, that `compile` makes of `module`
/// (for `inspect_llvm`/`inspect_asm`): made again on demand, so that
/// compiling keeps no text and takes no longer. The entry symbol is
/// `<name>_entry` (`compile` numbers it to keep it unique in the JIT).
/// The checked copies of loops, compiled only when first called, follow
/// the module's listing, each under a comment line saying so.
pub fn listing(module: &lower::ir::Module, what: Listing) -> Result<String, CodegenError> {
    let mut text = jit::listing(module, 0, what)?;
    let comment = match what {
        Listing::LlvmIr => ";",
        Listing::Assembly => "#",
    };
    for (i, f) in module.functions.iter().enumerate().filter(|(_, f)| f.cold) {
        text.push_str(&format!(
            "\n{comment} `{}`: a checked copy of a loop, compiled when a call first runs it\n",
            f.name
        ));
        text.push_str(&jit::listing(module, i, what)?);
    }
    Ok(text)
}

/// `<name of the function>_entry`, for `module.functions[entry]`.
fn entry_symbol(module: &lower::ir::Module, entry: usize) -> String {
    format!(
        "{}_entry",
        module
            .functions
            .get(entry)
            .map_or("module", |f| f.name.as_str())
    )
}

/// Emits the code of `module.functions[entry]` into `context` (see
/// `emit::emit_module`) and runs the LLVM verifier on it.
fn build_verified<'ctx>(
    context: ContextRef<'ctx>,
    module: &lower::ir::Module,
    entry: usize,
    entry_symbol: &str,
) -> Result<emit::Emitted<'ctx>, CodegenError> {
    const BUG: &str = "this is a bug in ferrojit, please report it";
    let emitted = emit::emit_module(context, module, entry, entry_symbol)
        .map_err(|e| CodegenError(format!("cannot generate code ({BUG}): {}", e.0)))?;
    let llvm = &emitted.module;
    if let Err(message) = llvm.verify() {
        return Err(CodegenError(format!(
            "LLVM verifier rejected the generated code ({BUG}):\n{}\n{}",
            message.to_string_lossy(),
            llvm.print_to_string().to_string_lossy()
        )));
    }
    Ok(emitted)
}
