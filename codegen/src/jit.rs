//! The process-wide ORC LLJIT and the optimizing target machine.
//!
//! Created once, on first use: native target initialisation, the host
//! target machines, the LLJIT, and the definitions every module links
//! against (the runtime functions, and the process's own symbols for libm
//! and `memcpy`/`memset`).

use std::ffi::{c_char, CStr, CString};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use inkwell::attributes::AttributeLoc;
use inkwell::context::{Context, ContextRef};
use inkwell::module::Module;
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{
    CodeModel, FileType, InitializationConfig, RelocMode, Target, TargetMachine,
};
use inkwell::OptimizationLevel;
use llvm_sys::error::{LLVMDisposeErrorMessage, LLVMErrorRef, LLVMGetErrorMessage};
use llvm_sys::orc2::lljit::{
    LLVMOrcCreateLLJIT, LLVMOrcCreateLLJITBuilder, LLVMOrcLLJITAddLLVMIRModuleWithRT,
    LLVMOrcLLJITBuilderSetJITTargetMachineBuilder, LLVMOrcLLJITGetGlobalPrefix,
    LLVMOrcLLJITGetMainJITDylib, LLVMOrcLLJITLookup, LLVMOrcLLJITMangleAndIntern, LLVMOrcLLJITRef,
};
use llvm_sys::orc2::{
    LLVMJITEvaluatedSymbol, LLVMJITSymbolFlags, LLVMJITSymbolGenericFlags, LLVMOrcAbsoluteSymbols,
    LLVMOrcCSymbolMapPair, LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess,
    LLVMOrcCreateNewThreadSafeContext, LLVMOrcCreateNewThreadSafeModule,
    LLVMOrcDisposeThreadSafeContext, LLVMOrcJITDylibAddGenerator,
    LLVMOrcJITDylibCreateResourceTracker, LLVMOrcJITDylibDefine, LLVMOrcJITDylibRef,
    LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine, LLVMOrcReleaseResourceTracker,
    LLVMOrcResourceTrackerRef, LLVMOrcResourceTrackerRemove, LLVMOrcThreadSafeContextGetContext,
};

use crate::{
    kernels, parallel, remainder, rounding, runtime, shapes, CodegenError, EntryFn, Listing,
    StageTimes,
};

struct Jit {
    lljit: LLVMOrcLLJITRef,
    main: LLVMOrcJITDylibRef,
    /// The machine the optimization pipeline queries (vector widths, costs).
    /// Held from optimization through materialization: target machines are
    /// not safe to share between concurrent pass runs, and the C API cannot
    /// ask LLJIT for a concurrent compiler, so its one machine-code compiler
    /// must not run on two threads at once either.
    optimizer: Mutex<TargetMachine>,
    cpu: String,
    features: String,
}

// The LLJIT and its JITDylibs are internally synchronised (ORC is designed
// for concurrent use); the target machine is behind a mutex.
unsafe impl Send for Jit {}
unsafe impl Sync for Jit {}

static JIT: OnceLock<Result<Jit, String>> = OnceLock::new();

/// Makes every compiled module's entry symbol unique in the shared JITDylib.
static NEXT_MODULE: AtomicU64 = AtomicU64::new(0);

fn jit() -> Result<&'static Jit, CodegenError> {
    JIT.get_or_init(Jit::create)
        .as_ref()
        .map_err(|e| CodegenError(format!("cannot start the LLVM JIT: {e}")))
}

/// Tunes LLVM's optimizer through its command-line options, once per process
/// (they are global to the LLVM linked into this library, and
/// `LLVMParseCommandLineOptions` exits the process on a bad option, so the
/// list is fixed here):
/// - `-hoist-runtime-checks=false`: the vectorizer's runtime alias checks stay
///   in front of the inner loop. Hoisted out of the outer loop they compare
///   whole arrays, so for `d[i, j]` against `d[k, j]` (Floyd-Warshall) they
///   always fail and the vector loop never runs.
/// - `-unroll-max-count=2`: partial and runtime unrolling by at most two.
///   LLVM's default (up to eight) multiplies every inner loop's code, which
///   costs compile time and slows loops of a few iterations (a 5x5 stencil);
///   two keeps the gain on long non-vectorizable loops such as a strict
///   floating-point reduction.
/// - `-unroll-runtime-other-exit-predictable`: a loop whose only other exit
///   is a raise (a bounds check of `a[idx[i]]`, which no range analysis can
///   hoist) is runtime-unrolled too. LLVM assumes such an exit unpredictable
///   unless it ends in a deoptimize call; ours is cold (branch weights) and
///   taken at most once. Unrolled, the loop control is paid once per two
///   elements, and more of a gather's independent loads are in flight.
/// - `-dag-maps-huge-region=200`: the machine-code schedulers stop tracking
///   memory operations one by one past 200 of them in one block (they chain
///   the pending ones instead; LLVM's default is 1000). Building the
///   dependence graph of a block is quadratic in its memory operations: a
///   5000-line function of array reads and writes spent 8 s in `llc`'s
///   schedulers, 1.6 s with this. Loop bodies have far fewer: unchanged.
/// - `-large-interval-freq-threshold=16`: the register coalescer joins at most
///   16 copies into a live interval of more than 100 segments (LLVM's default
///   is 256). Each join walks the whole interval, so a value live across the
///   function (`s` through 320 loops in sequence) made coalescing quadratic:
///   2.8 s of `llc` for that 640-line function, 0.16 s with this. Kernels'
///   intervals are far below 100 segments: unchanged.
fn set_llvm_options() {
    let args = [
        c"ferrojit",
        c"-hoist-runtime-checks=false",
        c"-unroll-max-count=2",
        c"-unroll-runtime-other-exit-predictable",
        c"-dag-maps-huge-region=200",
        c"-large-interval-freq-threshold=16",
    ];
    let argv: Vec<*const c_char> = args.iter().map(|a| a.as_ptr()).collect();
    // SAFETY: `argv` holds valid NUL-terminated strings that outlive the call;
    // `Jit::create` runs once per process, before any optimization.
    unsafe {
        llvm_sys::support::LLVMParseCommandLineOptions(
            argv.len() as i32,
            argv.as_ptr(),
            std::ptr::null(),
        )
    };
}

/// Takes ownership of `err` and returns its message.
unsafe fn error_message(err: LLVMErrorRef) -> String {
    // SAFETY: `err` is a live error; getting its message consumes it.
    unsafe {
        let raw = LLVMGetErrorMessage(err);
        let text = CStr::from_ptr(raw).to_string_lossy().into_owned();
        LLVMDisposeErrorMessage(raw);
        text
    }
}

unsafe fn check(err: LLVMErrorRef) -> Result<(), String> {
    if err.is_null() {
        Ok(())
    } else {
        // SAFETY: a non-null error is live and ours to consume.
        Err(unsafe { error_message(err) })
    }
}

impl Jit {
    fn create() -> Result<Jit, String> {
        Target::initialize_native(&InitializationConfig::default())?;
        set_llvm_options();
        let cpu = TargetMachine::get_host_cpu_name().to_string();
        let features = TargetMachine::get_host_cpu_features().to_string();
        let machine = || -> Result<TargetMachine, String> {
            let triple = TargetMachine::get_default_triple();
            let target = Target::from_triple(&triple).map_err(|e| e.to_string())?;
            target
                .create_target_machine(
                    &triple,
                    &cpu,
                    &features,
                    OptimizationLevel::Aggressive,
                    RelocMode::Default,
                    CodeModel::JITDefault,
                )
                .ok_or_else(|| {
                    format!(
                        "no target machine for {}",
                        triple.as_str().to_string_lossy()
                    )
                })
        };
        let optimizer = machine()?;
        let for_jit = machine()?;
        // SAFETY: plain ORC C API calls in their documented order; ownership of
        // the target machine, the JTMB, the builder, the generator and the
        // symbol map passes to ORC as each call documents.
        unsafe {
            let jtmb = LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine(for_jit.as_mut_ptr());
            std::mem::forget(for_jit);
            let builder = LLVMOrcCreateLLJITBuilder();
            LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(builder, jtmb);
            let mut lljit = std::ptr::null_mut();
            check(LLVMOrcCreateLLJIT(&mut lljit, builder))?;
            let main = LLVMOrcLLJITGetMainJITDylib(lljit);

            let mut generator = std::ptr::null_mut();
            check(LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(
                &mut generator,
                LLVMOrcLLJITGetGlobalPrefix(lljit),
                None,
                std::ptr::null_mut(),
            ))?;
            LLVMOrcJITDylibAddGenerator(main, generator);

            // Python loads extension modules RTLD_LOCAL, so the process search
            // above cannot see these: give ORC their addresses.
            let runtime_symbols: [(&CStr, usize); 11] = [
                (
                    c"ferrojit_parallel_for",
                    parallel::ferrojit_parallel_for as *const () as usize,
                ),
                (
                    c"ferrojit_raise_message",
                    runtime::ferrojit_raise_message as *const () as usize,
                ),
                (
                    c"ferrojit_raise_index_error",
                    runtime::ferrojit_raise_index_error as *const () as usize,
                ),
                (
                    c"ferrojit_raise_shape_error",
                    shapes::ferrojit_raise_shape_error as *const () as usize,
                ),
                (
                    c"ferrojit_trace",
                    runtime::ferrojit_trace as *const () as usize,
                ),
                (
                    c"ferrojit_alloc",
                    runtime::ferrojit_alloc as *const () as usize,
                ),
                (
                    c"ferrojit_buffer_free",
                    runtime::ferrojit_buffer_free as *const () as usize,
                ),
                (
                    c"ferrojit_kernel",
                    kernels::ferrojit_kernel as *const () as usize,
                ),
                (
                    c"ferrojit_fmod",
                    remainder::ferrojit_fmod as *const () as usize,
                ),
                (
                    c"ferrojit_round_f64",
                    rounding::ferrojit_round_f64 as *const () as usize,
                ),
                (
                    c"ferrojit_round_i64",
                    rounding::ferrojit_round_i64 as *const () as usize,
                ),
            ];
            let flags = || LLVMJITSymbolFlags {
                GenericFlags: LLVMJITSymbolGenericFlags::LLVMJITSymbolGenericFlagsExported as u8
                    | LLVMJITSymbolGenericFlags::LLVMJITSymbolGenericFlagsCallable as u8,
                TargetFlags: 0,
            };
            let mut pairs: Vec<LLVMOrcCSymbolMapPair> = runtime_symbols
                .iter()
                .map(|&(name, address)| LLVMOrcCSymbolMapPair {
                    Name: LLVMOrcLLJITMangleAndIntern(lljit, name.as_ptr()),
                    Sym: LLVMJITEvaluatedSymbol {
                        Address: address as u64,
                        Flags: flags(),
                    },
                })
                .collect();
            let unit = LLVMOrcAbsoluteSymbols(pairs.as_mut_ptr(), pairs.len());
            check(LLVMOrcJITDylibDefine(main, unit))?;

            Ok(Jit {
                lljit,
                main,
                optimizer: Mutex::new(optimizer),
                cpu,
                features,
            })
        }
    }

    /// Host CPU attributes, triple and data layout, then `default<O2>`.
    ///
    /// Not O3: on the benchmark kernels O3 generated the same inner loops and
    /// ran no faster, but its non-trivial loop unswitching copied whole loop
    /// nests (once per versioned loop), which doubled optimization and machine
    /// code time.
    fn optimize(&self, machine: &TargetMachine, module: &Module<'_>) -> Result<(), CodegenError> {
        let cpu_attr = module
            .get_context()
            .create_string_attribute("target-cpu", &self.cpu);
        let features_attr = module
            .get_context()
            .create_string_attribute("target-features", &self.features);
        let mut f = module.get_first_function();
        while let Some(func) = f {
            if func.count_basic_blocks() > 0 {
                func.add_attribute(AttributeLoc::Function, cpu_attr);
                func.add_attribute(AttributeLoc::Function, features_attr);
            }
            f = func.get_next_function();
        }
        module.set_triple(&machine.get_triple());
        module.set_data_layout(&machine.get_target_data().get_data_layout());
        let options = PassBuilderOptions::create();
        options.set_loop_vectorization(true);
        options.set_loop_slp_vectorization(true);
        // Interleaving (several vector bodies per iteration) doubles the speed
        // of loops over data in cache, e.g. filling a fresh temporary per outer
        // step (bench "temporaries in a loop": 2.2x Numba's time without it);
        // its compile-time cost was within the noise of the first-call bench.
        options.set_loop_interleaving(true);
        options.set_loop_unrolling(true);
        module
            .run_passes(pipeline(module), machine, options)
            .map_err(|e| CodegenError(format!("LLVM optimization failed: {e}")))
    }
}

/// A function with more blocks than this is optimized by `HUGE_PIPELINE`.
/// Kernels have tens to a few hundred blocks (a versioned loop nest copies its
/// loops once); an `if`/`elif` chain has two per arm. Set well above them: a
/// kernel past it loses SROA and vectorization.
const HUGE_BLOCKS: u32 = 4000;

/// The pipeline for a module holding a function of more than `HUGE_BLOCKS`
/// blocks: common subexpressions and simplifications that add nothing, each
/// linear in the function's size. `default<O2>` takes time quadratic in the
/// number of conditions on one value that dominate each other (every test of
/// an `elif` chain on `x`, every loop's guard on `n`): InstCombine's and
/// ConstraintElimination's queries scan all the dominating conditions on the
/// operand, SimplifyCFG folds an equality chain into a switch one case at a
/// time. No SROA either: locals stay in their stack slots, because a local
/// assigned in each of N arms becomes a phi of N values whose copies the
/// register coalescer joins in quadratic time. Measured (`opt`, `llc`, a loaded
/// 2-core machine): a 1000-arm chain `x < k` took 2.4 s of `default<O2>`
/// (InstCombine 5.1 s alone at 2000 arms); with this pipeline `llc` takes
/// 0.23 s at 1000 arms, 1.06 s at 5000 (14.6 s with SROA).
const HUGE_PIPELINE: &str = "function(early-cse<memssa>,instsimplify)";

/// `default<O2>`, or `HUGE_PIPELINE` for a module with a huge function.
fn pipeline(module: &Module<'_>) -> &'static str {
    let huge = module
        .get_functions()
        .any(|f| f.count_basic_blocks() > HUGE_BLOCKS);
    if huge {
        HUGE_PIPELINE
    } else {
        "default<O2>"
    }
}

/// The optimized LLVM IR or the host assembly of `ir`, made as `compile` makes
/// its code (the same emission, pipeline and target machine) but in a context
/// of its own and never loaded: `inspect_*` pays for it when asked, and
/// compiles keep nothing for it.
pub(crate) fn listing(ir: &lower::ir::Module, what: Listing) -> Result<String, CodegenError> {
    let jit = jit()?;
    let context = Context::create();
    // SAFETY: `context` outlives the module built in it (both end in this scope).
    let context_ref = unsafe { ContextRef::new(context.raw()) };
    let module = crate::build_verified(context_ref, ir, &crate::entry_symbol(ir))?;
    let machine = jit
        .optimizer
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    jit.optimize(&machine, &module)?;
    match what {
        Listing::LlvmIr => Ok(module.print_to_string().to_string()),
        Listing::Assembly => {
            let buffer = machine
                .write_to_memory_buffer(&module, FileType::Assembly)
                .map_err(|e| CodegenError(format!("cannot write assembly: {e}")))?;
            Ok(String::from_utf8_lossy(buffer.as_slice()).into_owned())
        }
    }
}

/// Keeps a module's machine code in the JIT; removes it when dropped.
pub(crate) struct LoadedCode {
    tracker: LLVMOrcResourceTrackerRef,
}

// ORC resource trackers may be used and removed from any thread.
unsafe impl Send for LoadedCode {}
unsafe impl Sync for LoadedCode {}

impl Drop for LoadedCode {
    fn drop(&mut self) {
        // SAFETY: the tracker is live (released only here); removing it frees
        // the code, which the owning `CompiledModule` no longer hands out.
        unsafe {
            let err = LLVMOrcResourceTrackerRemove(self.tracker);
            if !err.is_null() {
                // Nothing useful to do on failure in a destructor: the code leaks.
                error_message(err);
            }
            LLVMOrcReleaseResourceTracker(self.tracker);
        }
    }
}

/// Emits, verifies, optimizes and loads `ir`, returning its entry point.
pub(crate) fn compile(
    ir: &lower::ir::Module,
) -> Result<(EntryFn, LoadedCode, StageTimes), CodegenError> {
    let jit = jit()?;
    let start = Instant::now();
    let entry_name = ir.functions.first().map_or("module", |f| f.name.as_str());
    let symbol = format!(
        "ferrojit{}.{entry_name}_entry",
        NEXT_MODULE.fetch_add(1, Ordering::Relaxed)
    );
    let symbol_c = CString::new(symbol.as_str())
        .map_err(|_| CodegenError(format!("function name `{entry_name}` contains NUL")))?;

    // Build directly in a fresh ORC context, so no bitcode round trip is needed.
    // SAFETY: the context stays alive (the TSC holds it) until the module is
    // handed over; `ContextRef` does not dispose it.
    let tsc = unsafe { LLVMOrcCreateNewThreadSafeContext() };
    let context = unsafe { ContextRef::new(LLVMOrcThreadSafeContextGetContext(tsc)) };
    let built = crate::build_verified(context, ir, &symbol);
    let emitted = Instant::now();
    // Emission runs in parallel; from here to the lookup, one compile at a time.
    let machine = jit
        .optimizer
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut optimized = emitted;
    let dump = std::env::var_os("FERROJIT_DUMP_LLVM");
    let built = built.and_then(|module| {
        // `raw`: the IR as emitted, to time LLVM's passes on it (`opt -time-passes`).
        if dump.as_ref().is_some_and(|v| v == "raw") {
            eprintln!("{}", module.print_to_string().to_string_lossy());
        }
        jit.optimize(&machine, &module)?;
        optimized = Instant::now();
        if dump.as_ref().is_some_and(|v| v != "raw") {
            eprintln!("{}", module.print_to_string().to_string_lossy());
        }
        Ok(module)
    });
    let module = match built {
        Ok(m) => m,
        Err(e) => {
            // SAFETY: the module (dropped with `built`) is gone; the TSC is ours.
            unsafe { LLVMOrcDisposeThreadSafeContext(tsc) };
            return Err(e);
        }
    };
    let raw_module = module.as_mut_ptr();
    // The ThreadSafeModule takes ownership of the LLVM module.
    std::mem::forget(module);
    // SAFETY: ORC C API per its docs: the TSM owns the module, the TSC handle
    // can be released once the TSM holds the context, AddLLVMIRModule takes the
    // TSM even on failure, and lookups return the address of a defined symbol.
    unsafe {
        let tsm = LLVMOrcCreateNewThreadSafeModule(raw_module, tsc);
        LLVMOrcDisposeThreadSafeContext(tsc);
        let code = LoadedCode {
            tracker: LLVMOrcJITDylibCreateResourceTracker(jit.main),
        };
        check(LLVMOrcLLJITAddLLVMIRModuleWithRT(
            jit.lljit,
            code.tracker,
            tsm,
        ))
        .map_err(|e| CodegenError(format!("JIT rejected the module: {e}")))?;
        let mut address = 0;
        check(LLVMOrcLLJITLookup(
            jit.lljit,
            &mut address,
            symbol_c.as_ptr() as *const c_char,
        ))
        .map_err(|e| CodegenError(format!("JIT could not materialize `{symbol}`: {e}")))?;
        if address == 0 {
            return Err(CodegenError(format!(
                "JIT gave a null address for `{symbol}`"
            )));
        }
        let entry: EntryFn = std::mem::transmute::<usize, EntryFn>(address as usize);
        let times = StageTimes {
            emit: emitted - start,
            optimize: optimized - emitted,
            jit: optimized.elapsed(),
        };
        Ok((entry, code, times))
    }
}
