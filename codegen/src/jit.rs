//! The process-wide ORC LLJIT and the host's target machines.
//!
//! Created once, on first use: native target initialisation, the host
//! target machines, the LLJIT, and the definitions every module links
//! against (the runtime functions, and the process's own symbols for libm
//! and `memcpy`/`memset`).

use std::ffi::{c_char, c_void, CStr, CString};
use std::sync::atomic::{AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use inkwell::attributes::AttributeLoc;
use inkwell::context::{Context, ContextRef};
use inkwell::memory_buffer::MemoryBuffer;
use inkwell::module::Module;
use inkwell::targets::{
    CodeModel, FileType, InitializationConfig, RelocMode, Target, TargetMachine,
};
use inkwell::OptimizationLevel;
use llvm_sys::error::{LLVMDisposeErrorMessage, LLVMErrorRef, LLVMGetErrorMessage};
use llvm_sys::orc2::lljit::{
    LLVMOrcCreateLLJIT, LLVMOrcCreateLLJITBuilder, LLVMOrcLLJITAddObjectFileWithRT,
    LLVMOrcLLJITGetGlobalPrefix, LLVMOrcLLJITGetMainJITDylib, LLVMOrcLLJITLookup,
    LLVMOrcLLJITMangleAndIntern, LLVMOrcLLJITRef,
};
use llvm_sys::orc2::{
    LLVMJITEvaluatedSymbol, LLVMJITSymbolFlags, LLVMJITSymbolGenericFlags, LLVMOrcAbsoluteSymbols,
    LLVMOrcCSymbolMapPair, LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess,
    LLVMOrcJITDylibAddGenerator, LLVMOrcJITDylibCreateResourceTracker, LLVMOrcJITDylibDefine,
    LLVMOrcJITDylibRef, LLVMOrcReleaseResourceTracker, LLVMOrcResourceTrackerRef,
    LLVMOrcResourceTrackerRemove,
};
use llvm_sys::prelude::{LLVMMemoryBufferRef, LLVMModuleRef};
use llvm_sys::target_machine::LLVMTargetMachineRef;

use lower::ir::ExceptionKind;

use crate::{
    kernels, parallel, remainder, rounding, runtime, shapes, CodegenError, Listing, StageTimes,
};

struct Jit {
    lljit: LLVMOrcLLJITRef,
    main: LLVMOrcJITDylibRef,
    /// Held from optimization through machine code: target machines are not
    /// safe to share between concurrent pass runs.
    machines: Mutex<Machines>,
    cpu: String,
    features: String,
}

/// The host's target machines: the one the optimization pipeline queries
/// (vector widths, costs), which also makes machine code at `-O3`, and the
/// one for modules with an oversized function (see `pipeline`), made when
/// first needed.
struct Machines {
    optimizing: TargetMachine,
    /// `optimizing`'s machine-code pipeline, built once (`ObjectEmitter`).
    emitter: Option<ObjectEmitter>,
    /// `optimizing`'s optimization pipelines, each built when first needed
    /// (`Optimizer`), by pipeline text.
    optimizers: Vec<(&'static str, Optimizer)>,
    fast: Option<TargetMachine>,
}

extern "C" {
    fn ferrojit_object_emitter_create(machine: LLVMTargetMachineRef) -> *mut c_void;
    fn ferrojit_object_emitter_run(
        emitter: *mut c_void,
        module: LLVMModuleRef,
    ) -> LLVMMemoryBufferRef;
    fn ferrojit_optimizer_create(
        machine: LLVMTargetMachineRef,
        pipeline: *const c_char,
        error: *mut *mut c_char,
    ) -> *mut c_void;
    fn ferrojit_optimizer_run(optimizer: *mut c_void, module: LLVMModuleRef);
}

/// The legacy pass pipeline that makes an object file of a module on one
/// target machine (`object_emitter.cpp`), built once and run on every module,
/// where the C API builds and destroys it for each (`addPassesToEmitFile`
/// and the pass manager's destructor, by perf 4-5% of a corpus kernel's
/// compile): a trivial function's first call took 2.2 ms of CPU, 1.4 ms with
/// this.
///
/// Running one legacy codegen pipeline over several modules is what its
/// `doInitialization`/`doFinalization` hooks are for: `MachineModuleInfo`
/// resets its `MCContext` and the `AsmPrinter` its streamer after each module,
/// and every `MachineFunction` is freed by the pipeline's last pass. Nothing
/// of a module outlives its run but the (reset) pass objects, so each module
/// gets the object the C API would make (a test compares them byte for byte).
/// It lives as long as its machine (both in the process-wide `Jit`), and runs
/// under `Jit::machines`' lock.
struct ObjectEmitter(*mut c_void);

impl ObjectEmitter {
    fn new(machine: &TargetMachine) -> Option<ObjectEmitter> {
        // SAFETY: `machine` is a live target machine, which outlives the
        // emitter (see the type's docs).
        let emitter = unsafe { ferrojit_object_emitter_create(machine.as_mut_ptr()) };
        (!emitter.is_null()).then_some(ObjectEmitter(emitter))
    }

    /// The object file of `module`, whose data layout becomes the machine's.
    fn emit(&mut self, module: &Module<'_>) -> MemoryBuffer<'static> {
        // SAFETY: the emitter is live and used by one thread at a time (`&mut`);
        // the returned buffer is a copy that the caller owns.
        unsafe { MemoryBuffer::new(ferrojit_object_emitter_run(self.0, module.as_mut_ptr())) }
    }
}

/// The optimization pipeline for one target machine and one pipeline text
/// (`optimizer.cpp`): its pass builder and analysis managers are built once
/// and used for every module, where the C API's `LLVMRunPasses` builds them
/// (every analysis registered anew) for each one and destroys them after:
/// a trivial function's optimization took 0.75 ms, 0.57 ms with this.
///
/// What refers to a module is the analysis managers' cache, which is emptied
/// after each run, so the next module, though it may be allocated where the
/// last one was, finds nothing of it; the passes are parsed anew for each
/// module. Each module gets the IR that `LLVMRunPasses` would give (a test
/// compares them). It lives as long as its machine (both in the process-wide
/// `Jit`), and runs under `Jit::machines`' lock.
struct Optimizer(*mut c_void);

impl Optimizer {
    fn new(machine: &TargetMachine, pipeline: &str) -> Result<Optimizer, CodegenError> {
        let text = CString::new(pipeline).expect("pipeline texts hold no NUL");
        let mut error: *mut c_char = std::ptr::null_mut();
        // SAFETY: `machine` is live and outlives the optimizer (see the type's
        // docs); on failure `error` is a malloc'd string that we free.
        unsafe {
            let optimizer =
                ferrojit_optimizer_create(machine.as_mut_ptr(), text.as_ptr(), &mut error);
            if optimizer.is_null() {
                let message = CStr::from_ptr(error).to_string_lossy().into_owned();
                libc::free(error.cast());
                return Err(CodegenError(format!(
                    "LLVM rejected the pipeline `{pipeline}`: {message}"
                )));
            }
            Ok(Optimizer(optimizer))
        }
    }

    fn run(&mut self, module: &Module<'_>) {
        // SAFETY: the optimizer is live and used by one thread at a time (`&mut`).
        unsafe { ferrojit_optimizer_run(self.0, module.as_mut_ptr()) }
    }
}

/// A target machine for the host at `level`.
fn host_machine(
    cpu: &str,
    features: &str,
    level: OptimizationLevel,
) -> Result<TargetMachine, String> {
    let triple = TargetMachine::get_default_triple();
    let target = Target::from_triple(&triple).map_err(|e| e.to_string())?;
    target
        .create_target_machine(
            &triple,
            cpu,
            features,
            level,
            RelocMode::Default,
            CodeModel::JITDefault,
        )
        .ok_or_else(|| {
            format!(
                "no target machine for {}",
                triple.as_str().to_string_lossy()
            )
        })
}

impl Machines {
    /// Machine code of `module` (optimized by `Jit::optimize`, which said
    /// whether it is `oversized`) as an object file or assembly text. Every
    /// compile's object comes from `emitter`; the C API's emission, which
    /// builds the pipeline anew, is left to what is rare: assembly listings,
    /// oversized functions (on the `-O0` machine), and a machine that could
    /// not give an emitter.
    fn emit(
        &mut self,
        jit: &Jit,
        module: &Module<'_>,
        oversized: bool,
        file_type: FileType,
    ) -> Result<MemoryBuffer<'static>, CodegenError> {
        if let (false, FileType::Object, Some(emitter)) = (oversized, file_type, &mut self.emitter)
        {
            return Ok(emitter.emit(module));
        }
        let machine = if oversized {
            match &mut self.fast {
                Some(fast) => fast,
                slot => slot.insert(
                    host_machine(&jit.cpu, &jit.features, OptimizationLevel::None)
                        .map_err(CodegenError)?,
                ),
            }
        } else {
            &self.optimizing
        };
        machine
            .write_to_memory_buffer(module, file_type)
            .map_err(|e| CodegenError(format!("cannot generate machine code: {e}")))
    }
}

// The LLJIT and its JITDylibs are internally synchronised (ORC is designed
// for concurrent use); the target machine is behind a mutex.
unsafe impl Send for Jit {}
unsafe impl Sync for Jit {}

static JIT: OnceLock<Result<Jit, String>> = OnceLock::new();

/// Makes every compiled module's entry symbol unique in the shared JITDylib.
static NEXT_MODULE: AtomicU64 = AtomicU64::new(0);

impl Jit {
    /// The address of a symbol that a loaded module defines.
    fn lookup(&self, symbol: &CStr) -> Result<usize, CodegenError> {
        let mut address = 0;
        // SAFETY: ORC C API: the lookup returns the address of a defined symbol.
        unsafe {
            check(LLVMOrcLLJITLookup(
                self.lljit,
                &mut address,
                symbol.as_ptr(),
            ))
        }
        .map_err(|e| {
            CodegenError(format!(
                "JIT could not materialize `{}`: {e}",
                symbol.to_string_lossy()
            ))
        })?;
        if address == 0 {
            return Err(CodegenError(format!(
                "JIT gave a null address for `{}`",
                symbol.to_string_lossy()
            )));
        }
        Ok(address as usize)
    }
}

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
///   floating-point reduction. An innermost loop whose small body carries a
///   strict float chain is unrolled eight times all the same, by its own
///   `llvm.loop.unroll.count` (`loop_hints.rs`), which the cap does not limit.
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
        let optimizing = host_machine(&cpu, &features, OptimizationLevel::Aggressive)?;
        // SAFETY: plain ORC C API calls in their documented order; ownership of
        // the builder, the generator and the symbol map passes to ORC as each
        // call documents. The LLJIT only links the object files `compile`
        // makes, so it needs no target machine of ours.
        unsafe {
            let builder = LLVMOrcCreateLLJITBuilder();
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
            let runtime_symbols: [(&CStr, usize); 15] = [
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
                (
                    c"__udivti3",
                    runtime::ferrojit_udivti3 as *const () as usize,
                ),
                (
                    c"__umodti3",
                    runtime::ferrojit_umodti3 as *const () as usize,
                ),
                (c"__divti3", runtime::ferrojit_divti3 as *const () as usize),
                (c"__modti3", runtime::ferrojit_modti3 as *const () as usize),
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
                machines: Mutex::new(Machines {
                    emitter: ObjectEmitter::new(&optimizing),
                    optimizers: Vec::new(),
                    optimizing,
                    fast: None,
                }),
                cpu,
                features,
            })
        }
    }

    /// Host CPU attributes, triple and data layout, then `default<O2>` (or a
    /// cheaper pipeline for oversized functions, see `pipeline`).
    ///
    /// Not O3: on the benchmark kernels O3 generated the same inner loops and
    /// ran no faster, but its non-trivial loop unswitching copied whole loop
    /// nests (once per versioned loop), which doubled optimization and machine
    /// code time.
    /// Returns whether the module holds an oversized function (`pipeline`).
    fn optimize(&self, machines: &mut Machines, module: &Module<'_>) -> Result<bool, CodegenError> {
        self.target(&machines.optimizing, module);
        let (passes, oversized) = pipeline(module);
        let index = match machines.optimizers.iter().position(|(p, _)| *p == passes) {
            Some(index) => index,
            None => {
                let optimizer = Optimizer::new(&machines.optimizing, passes)?;
                machines.optimizers.push((passes, optimizer));
                machines.optimizers.len() - 1
            }
        };
        machines.optimizers[index].1.run(module);
        Ok(oversized)
    }

    /// Makes `module` `machine`'s: the host CPU and its features on every
    /// defined function, the triple and the data layout.
    fn target(&self, machine: &TargetMachine, module: &Module<'_>) {
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
    }
}

/// A function with more blocks than this is optimized by `HUGE_PIPELINE`.
/// Kernels have tens to a few hundred blocks (a versioned loop nest copies its
/// loops once); an `if`/`elif` chain has two per arm. Set well above them: a
/// kernel past it loses SROA and vectorization.
const HUGE_BLOCKS: usize = 4000;

/// A function with more instructions than this (as emitted, before any pass)
/// is optimized by `LARGE_PIPELINE`, or `HUGE_PIPELINE` if it also has more
/// than `HUGE_BLOCKS` blocks. The 46 corpus kernels have at most 700; a line of
/// straight-line arithmetic emits about eight, so this is about 2,500 lines.
/// Past it `default<O2>` and full machine code generation cost seconds
/// (straight-line code, 10,000 lines: 1.7 s of `opt`, 2.4 s of `llc`, whose
/// machine scheduler is super-linear in the size of one block), while the
/// code they improve runs once.
const HUGE_INSTRUCTIONS: usize = 20_000;

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

/// The pipeline for a module holding a function of more than
/// `HUGE_INSTRUCTIONS` instructions in at most `HUGE_BLOCKS` blocks: the linear
/// passes of `HUGE_PIPELINE` after SROA, which is linear too where there are
/// few blocks to join values from, and keeps locals in registers rather than
/// stack slots. 10,000 lines of straight-line arithmetic: `opt` 1.7 -> 0.55 s.
const LARGE_PIPELINE: &str = "function(sroa,early-cse<memssa>,instsimplify)";

/// How hard LLVM works on `module`: its pipeline, and whether it holds an
/// oversized function, one of more than `HUGE_INSTRUCTIONS` instructions or
/// `HUGE_BLOCKS` blocks. Such a module's machine code is made at `-O0` (fast
/// instruction selection, the fast register allocator, no schedulers),
/// linear in its size: 10,000 lines of straight-line arithmetic took 2.4 s of
/// `llc -O3` (its machine scheduler is super-linear in the size of a block),
/// 0.35 s at `-O0`; 1,000 lines of array reads and writes (4,000 blocks)
/// 0.39 s and 0.23 s. The code runs slower (every value lives in a stack slot
/// between blocks), which is the price of a function that size.
fn pipeline(module: &Module<'_>) -> (&'static str, bool) {
    let mut many_blocks = false;
    let mut oversized = false;
    for f in module.get_functions() {
        let blocks = f.count_basic_blocks() as usize;
        let instructions: usize = f
            .get_basic_block_iter()
            .map(|block| block.get_instructions().count())
            .sum();
        many_blocks |= blocks > HUGE_BLOCKS;
        oversized |= blocks > HUGE_BLOCKS || instructions > HUGE_INSTRUCTIONS;
    }
    let passes = if many_blocks {
        HUGE_PIPELINE
    } else if oversized {
        LARGE_PIPELINE
    } else {
        "default<O2>"
    };
    (passes, oversized)
}

/// The optimized LLVM IR or the host assembly of `ir`, made as `compile` makes
/// its code (the same emission, pipeline and target machine) but in a context
/// of its own and never loaded: `inspect_*` pays for it when asked, and
/// compiles keep nothing for it.
pub(crate) fn listing(
    ir: &lower::ir::Module,
    entry: usize,
    what: Listing,
) -> Result<String, CodegenError> {
    let jit = jit()?;
    let context = Context::create();
    // SAFETY: `context` outlives the module built in it (both end in this scope).
    let context_ref = unsafe { ContextRef::new(context.raw()) };
    let module =
        crate::build_verified(context_ref, ir, entry, &crate::entry_symbol(ir, entry))?.module;
    let mut machines = jit
        .machines
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let oversized = jit.optimize(&mut machines, &module)?;
    match what {
        Listing::LlvmIr => Ok(module.print_to_string().to_string()),
        Listing::Assembly => {
            let buffer = machines.emit(jit, &module, oversized, FileType::Assembly)?;
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

/// The code of one LLVM module in the JIT, and the cold functions of its
/// low-IR module (each compiled, if ever, when first called): alive as long
/// as this value.
pub(crate) struct CompiledCode {
    _code: LoadedCode,
    /// None for a module without cold functions, and for the modules of the
    /// cold functions themselves, which the table of their module owns.
    cold: Option<Arc<ColdFunctions>>,
}

impl CompiledCode {
    /// How many cold functions have been compiled.
    pub(crate) fn lazily_compiled(&self) -> usize {
        self.cold.as_ref().map_or(0, |cold| {
            cold.code
                .iter()
                .filter(|c| c.address.load(Ordering::Acquire) != 0)
                .count()
        })
    }
}

/// The cold functions of one low-IR module, shared by every module compiled
/// from it: each is compiled at most once, whichever module's code calls it
/// first (a cold function calling back into a function that calls it, through
/// recursion, finds it compiled).
pub(crate) struct ColdFunctions {
    ir: Arc<lower::ir::Module>,
    /// One per cold function of `ir`, in order of their indices.
    code: Vec<LazyCode>,
}

impl ColdFunctions {
    fn new(ir: Arc<lower::ir::Module>) -> ColdFunctions {
        let code = (ir.functions.iter().enumerate())
            .filter(|(_, f)| f.cold)
            .map(|(callee, _)| LazyCode {
                callee,
                address: AtomicUsize::new(0),
                compiled: Mutex::new(None),
            })
            .collect();
        ColdFunctions { ir, code }
    }

    fn of(&self, callee: usize) -> Result<&LazyCode, CodegenError> {
        (self.code.iter().find(|c| c.callee == callee))
            .ok_or_else(|| CodegenError(format!("f{callee} is no cold function")))
    }
}

/// What the JIT code's slot of a cold function holds (`emit::LazyCallee`).
#[repr(C)]
struct Slot {
    /// `compile_then_call` until the function is compiled, then its entry.
    target: AtomicPtr<c_void>,
    cold: AtomicPtr<ColdFunctions>,
    lazy: AtomicPtr<LazyCode>,
}

/// The entry of a cold function: the entry's arguments, and its slot.
type LazyEntry = unsafe extern "C" fn(
    args: *const u64,
    ret: *mut u64,
    ctx: *mut runtime::RuntimeContext,
    slot: *const Slot,
) -> i32;

/// One cold function, and its code once compiled.
struct LazyCode {
    callee: usize,
    /// The entry of its code; 0 until compiled. Read without the lock, by
    /// modules filling their slots while this one compiles (recursion).
    address: AtomicUsize,
    compiled: Mutex<Option<CompiledCode>>,
}

/// Stack for compiling a cold function on the thread that first calls it,
/// which may have a small one (a `prange` worker): emission recurses over the
/// nesting of the code, as pymod's stages do on their `COMPILE_STACK`. Only
/// reserved; its pages are touched as deep as the compile goes.
const LAZY_COMPILE_STACK: usize = 256 << 20;

impl LazyCode {
    /// The entry of the function's code, compiled by the first caller (the
    /// others wait for it), and `slot` pointed at it.
    fn code(&self, cold: &ColdFunctions, slot: &Slot) -> Result<LazyEntry, CodegenError> {
        let mut compiled = self.compiled.lock().unwrap_or_else(|p| p.into_inner());
        if compiled.is_none() {
            let start = Instant::now();
            let (address, code, _) = stacker::grow(LAZY_COMPILE_STACK, || {
                compile_with(cold.ir.clone(), self.callee, Some(cold))
            })?;
            if crate::time_stages() {
                eprintln!(
                    "ferrojit time checked-copy {:.6} {}",
                    start.elapsed().as_secs_f64(),
                    cold.ir.functions[self.callee].name
                );
            }
            *compiled = Some(code);
            self.address.store(address, Ordering::Release);
        }
        let address = self.address.load(Ordering::Acquire);
        slot.target.store(address as *mut c_void, Ordering::Release);
        // SAFETY: the entry of the code kept in `compiled`, emitted with the
        // slot parameter (`emit_entry_wrapper`).
        Ok(unsafe { std::mem::transmute::<usize, LazyEntry>(address) })
    }
}

/// Where every slot points first: compiles the cold function, then calls it.
/// A failure to compile (a bug) raises a `RuntimeError` in the call.
///
/// # Safety
/// Called by JIT code only, with its call's arguments and `slot` (filled by
/// `compile`, which keeps the `LazyCode` alive as long as the code that calls).
unsafe extern "C" fn compile_then_call(
    args: *const u64,
    ret: *mut u64,
    ctx: *mut runtime::RuntimeContext,
    slot: *const Slot,
) -> i32 {
    // SAFETY: as the caller promises.
    let slot = unsafe { &*slot };
    let cold = unsafe { &*slot.cold.load(Ordering::Acquire) };
    let lazy = unsafe { &*slot.lazy.load(Ordering::Acquire) };
    let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| lazy.code(cold, slot)))
        .unwrap_or_else(|_| Err(CodegenError("the compiler panicked".into())));
    match code {
        // SAFETY: the callee takes the arguments this call was given.
        Ok(code) => unsafe { code(args, ret, ctx, slot) },
        Err(e) => {
            let message = format!(
                "ferrojit could not compile the checked copy of a loop \
                 (this is a bug in ferrojit, please report it): {e}"
            );
            // SAFETY: `ctx` is the call's context.
            unsafe { runtime::raise(ctx, ExceptionKind::RuntimeError, message) };
            1
        }
    }
}

/// Emits, verifies, optimizes and loads the code of `ir.functions[entry]`,
/// returning the address of its entry wrapper.
pub(crate) fn compile(
    ir: Arc<lower::ir::Module>,
    entry: usize,
) -> Result<(usize, CompiledCode, StageTimes), CodegenError> {
    compile_with(ir, entry, None)
}

/// `compile`, for the cold function `entry` of the module whose cold
/// functions are `cold` (None: `ir`'s own entry, which gets a table).
fn compile_with(
    ir: Arc<lower::ir::Module>,
    entry: usize,
    cold: Option<&ColdFunctions>,
) -> Result<(usize, CompiledCode, StageTimes), CodegenError> {
    let jit = jit()?;
    let start = Instant::now();
    let entry_name = ir
        .functions
        .get(entry)
        .map_or("module", |f| f.name.as_str());
    let symbol = format!(
        "ferrojit{}.{entry_name}_entry",
        NEXT_MODULE.fetch_add(1, Ordering::Relaxed)
    );
    let symbol_c = CString::new(symbol.as_str())
        .map_err(|_| CodegenError(format!("function name `{entry_name}` contains NUL")))?;
    let context = Context::create();
    // SAFETY: `context` outlives the module built in it (both end in this scope).
    let context_ref = unsafe { ContextRef::new(context.raw()) };
    let emitted_module = crate::build_verified(context_ref, &ir, entry, &symbol)?;
    let module = emitted_module.module;
    let emitted = Instant::now();
    // Emission runs in parallel; from here to the object file, one compile at a time.
    let mut machines = jit
        .machines
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let dump = std::env::var_os("FERROJIT_DUMP_LLVM");
    // `raw`: the IR as emitted, to time LLVM's passes on it (`opt -time-passes`).
    if dump.as_ref().is_some_and(|v| v == "raw") {
        eprintln!("{}", module.print_to_string().to_string_lossy());
    }
    let oversized = jit.optimize(&mut machines, &module)?;
    let optimized = Instant::now();
    if dump.as_ref().is_some_and(|v| v != "raw") {
        eprintln!("{}", module.print_to_string().to_string_lossy());
    }
    let object = machines.emit(jit, &module, oversized, FileType::Object)?;
    drop(machines);
    // SAFETY: ORC C API per its docs: AddObjectFile takes ownership of the
    // buffer even on failure.
    let code = unsafe {
        let code = LoadedCode {
            tracker: LLVMOrcJITDylibCreateResourceTracker(jit.main),
        };
        let buffer = object.as_mut_ptr();
        std::mem::forget(object);
        check(LLVMOrcLLJITAddObjectFileWithRT(
            jit.lljit,
            code.tracker,
            buffer,
        ))
        .map_err(|e| CodegenError(format!("JIT rejected the module: {e}")))?;
        code
    };
    let address = jit.lookup(&symbol_c)?;
    let own = (cold.is_none() && !emitted_module.lazy.is_empty())
        .then(|| Arc::new(ColdFunctions::new(ir.clone())));
    if let Some(table) = cold.or(own.as_deref()) {
        for callee in emitted_module.lazy {
            let name = CString::new(callee.slot.as_str())
                .map_err(|_| CodegenError(format!("symbol `{}` contains NUL", callee.slot)))?;
            // SAFETY: the symbol is the module's slot (`Slot`) in the code
            // just loaded; nothing runs that code before this returns.
            let slot = unsafe { &*(jit.lookup(&name)? as *const Slot) };
            let lazy = table.of(callee.callee)?;
            let target = match lazy.address.load(Ordering::Acquire) {
                0 => compile_then_call as LazyEntry as *mut c_void,
                compiled => compiled as *mut c_void,
            };
            let table = table as *const ColdFunctions as *mut ColdFunctions;
            slot.cold.store(table, Ordering::Release);
            slot.lazy
                .store(lazy as *const LazyCode as *mut LazyCode, Ordering::Release);
            slot.target.store(target, Ordering::Release);
        }
    }
    let times = StageTimes {
        emit: emitted - start,
        optimize: optimized - emitted,
        jit: optimized.elapsed(),
    };
    Ok((
        address,
        CompiledCode {
            _code: code,
            cold: own,
        },
        times,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module of one function `f(x: i64) -> i64` of `blocks` blocks in a
    /// chain, the first holding `adds` additions.
    fn module(context: &Context, blocks: usize, adds: usize) -> Module<'_> {
        let module = context.create_module("m");
        let i64_type = context.i64_type();
        let f = module.add_function("f", i64_type.fn_type(&[i64_type.into()], false), None);
        let builder = context.create_builder();
        let all: Vec<_> = (0..blocks)
            .map(|i| context.append_basic_block(f, &format!("b{i}")))
            .collect();
        let mut x = f.get_nth_param(0).unwrap().into_int_value();
        for (i, block) in all.iter().enumerate() {
            builder.position_at_end(*block);
            if i == 0 {
                for _ in 0..adds {
                    x = builder.build_int_add(x, x, "x").unwrap();
                }
            }
            match all.get(i + 1) {
                Some(next) => builder.build_unconditional_branch(*next).unwrap(),
                None => builder.build_return(Some(&x)).unwrap(),
            };
        }
        module
    }

    /// A module whose function `g(x: f64) -> f64` calls `puts` on a constant
    /// string and returns `sin(x) * x`: relocations, read-only data, a libm call.
    fn module_with_data(context: &Context) -> Module<'_> {
        let module = context.create_module("data");
        let f64_type = context.f64_type();
        let ptr_type = context.ptr_type(inkwell::AddressSpace::default());
        let puts = module.add_function(
            "puts",
            context.i32_type().fn_type(&[ptr_type.into()], false),
            None,
        );
        let sin = module.add_function("sin", f64_type.fn_type(&[f64_type.into()], false), None);
        let g = module.add_function("g", f64_type.fn_type(&[f64_type.into()], false), None);
        let builder = context.create_builder();
        builder.position_at_end(context.append_basic_block(g, "entry"));
        let text = builder.build_global_string_ptr("ferrojit", "text").unwrap();
        builder
            .build_call(puts, &[text.as_pointer_value().into()], "")
            .unwrap();
        let x = g.get_nth_param(0).unwrap().into_float_value();
        let s = builder.build_call(sin, &[x.into()], "s").unwrap();
        let inkwell::values::ValueKind::Basic(s) = s.try_as_basic_value() else {
            unreachable!("sin returns a value")
        };
        let s = s.into_float_value();
        builder
            .build_return(Some(&builder.build_float_mul(s, x, "y").unwrap()))
            .unwrap();
        module
    }

    #[test]
    fn the_machine_code_pipeline_built_once_makes_the_objects_the_c_api_makes() {
        let jit = jit().unwrap();
        let mut machines = jit.machines.lock().unwrap();
        assert!(machines.emitter.is_some());
        // Modules one after another through the same pipeline, one of them twice.
        for case in 0..5 {
            let context = Context::create();
            let module = match case {
                0 | 3 => module(&context, 40, 30),
                1 | 4 => module_with_data(&context),
                _ => module(&context, 2, 500),
            };
            jit.optimize(&mut machines, &module).unwrap();
            let fresh = machines
                .optimizing
                .write_to_memory_buffer(&module, FileType::Object)
                .unwrap();
            let reused = machines.emitter.as_mut().unwrap().emit(&module);
            assert_eq!(reused.as_slice(), fresh.as_slice(), "module {case}");
        }
    }

    /// A vectorizable loop in an internal function that `entry` calls (so the
    /// inliner runs), and a nest with a reduction.
    const LOOPS: &str = r#"
define internal void @scale(ptr noalias %out, ptr noalias %a, i64 %n) {
entry:
  %empty = icmp sle i64 %n, 0
  br i1 %empty, label %done, label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %next, %loop ]
  %pa = getelementptr inbounds double, ptr %a, i64 %i
  %x = load double, ptr %pa
  %y = fmul double %x, 2.0
  %po = getelementptr inbounds double, ptr %out, i64 %i
  store double %y, ptr %po
  %next = add nuw nsw i64 %i, 1
  %more = icmp slt i64 %next, %n
  br i1 %more, label %loop, label %done
done:
  ret void
}

define i64 @entry(ptr %out, ptr %a, i64 %n, i64 %m) {
entry:
  call void @scale(ptr %out, ptr %a, i64 %n)
  br label %outer
outer:
  %j = phi i64 [ 0, %entry ], [ %jn, %inner.end ]
  %s = phi i64 [ 0, %entry ], [ %s2, %inner.end ]
  br label %inner
inner:
  %k = phi i64 [ 0, %outer ], [ %kn, %inner ]
  %t = phi i64 [ %s, %outer ], [ %t2, %inner ]
  %jk = mul i64 %j, %k
  %t2 = add i64 %t, %jk
  %kn = add nuw nsw i64 %k, 1
  %kmore = icmp slt i64 %kn, %m
  br i1 %kmore, label %inner, label %inner.end
inner.end:
  %s2 = phi i64 [ %t2, %inner ]
  %jn = add nuw nsw i64 %j, 1
  %jmore = icmp slt i64 %jn, %n
  br i1 %jmore, label %outer, label %exit
exit:
  ret i64 %s2
}
"#;

    fn parsed<'c>(context: &'c Context, text: &str) -> Module<'c> {
        let buffer = MemoryBuffer::create_from_memory_range_copy(text.as_bytes(), "loops");
        context.create_module_from_ir(buffer).unwrap()
    }

    #[test]
    fn the_optimization_pipeline_built_once_makes_the_ir_the_c_api_makes() {
        let jit = jit().unwrap();
        let mut machines = jit.machines.lock().unwrap();
        // Modules one after another through the same pipeline, one of them twice.
        for case in 0..4 {
            let fresh_context = Context::create();
            let reused_context = Context::create();
            let (fresh, reused) = match case {
                0 | 2 => (
                    parsed(&fresh_context, LOOPS),
                    parsed(&reused_context, LOOPS),
                ),
                1 => (
                    module(&fresh_context, 40, 30),
                    module(&reused_context, 40, 30),
                ),
                _ => (
                    module_with_data(&fresh_context),
                    module_with_data(&reused_context),
                ),
            };
            jit.target(&machines.optimizing, &fresh);
            // What `optimize` did before `Optimizer`: the C API's `LLVMRunPasses`.
            let options = inkwell::passes::PassBuilderOptions::create();
            options.set_loop_vectorization(true);
            options.set_loop_slp_vectorization(true);
            options.set_loop_interleaving(true);
            options.set_loop_unrolling(true);
            fresh
                .run_passes("default<O2>", &machines.optimizing, options)
                .unwrap();
            jit.optimize(&mut machines, &reused).unwrap();
            let text = |m: &Module<'_>| m.print_to_string().to_string();
            assert_eq!(text(&reused), text(&fresh), "module {case}");
            if case == 0 {
                // The pipeline did its work: `scale` inlined, its loop vectorized.
                assert!(reused.get_function("scale").is_none());
                assert!(text(&reused).contains("x double>"));
            }
        }
    }

    #[test]
    fn kernels_get_default_o2_and_full_machine_code() {
        let context = Context::create();
        assert_eq!(
            pipeline(&module(&context, 300, 2000)),
            ("default<O2>", false)
        );
    }

    #[test]
    fn a_function_past_huge_instructions_gets_the_large_pipeline_and_fast_machine_code() {
        let context = Context::create();
        let m = module(&context, 1, HUGE_INSTRUCTIONS);
        assert_eq!(pipeline(&m), (LARGE_PIPELINE, true));
    }

    #[test]
    fn a_function_past_huge_blocks_gets_the_huge_pipeline_and_fast_machine_code() {
        let context = Context::create();
        let m = module(&context, HUGE_BLOCKS + 1, 0);
        assert_eq!(pipeline(&m), (HUGE_PIPELINE, true));
        let m = module(&context, HUGE_BLOCKS + 1, HUGE_INSTRUCTIONS);
        assert_eq!(pipeline(&m), (HUGE_PIPELINE, true));
    }
}
