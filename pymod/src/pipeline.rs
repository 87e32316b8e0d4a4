//! Source -> machine code for one specialization: parses the source captured
//! at decoration (`crate::source`), parses every `@jit` function reachable from the entry into one
//! `hir::Program`, and runs typeinfer, lower and codegen.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Instant;

use codegen::CompiledModule;
use frontend::hir::{self, Callee, ExprKind, FuncId};
use frontend::Diagnostic;
use lower::LowerOptions;
use pyo3::prelude::*;
use typeinfer::Type;

use crate::dispatcher::Dispatcher;
use crate::errors::CompileFailure;
use crate::resolve::NameTable;

/// One function's HIR, numbered locally: `FuncId(0)` is the function itself,
/// `FuncId(k)` is `callees[k - 1]`. A `Program` renumbers it.
pub(crate) struct ParsedFunction {
    hir: Arc<hir::Function>,
    callees: Vec<Py<Dispatcher>>,
    /// The read-only copies of the module-level arrays the HIR reads
    /// (`hir::FrozenArray`): every specialization compiled from this parse,
    /// and every caller's, embeds their addresses. A dispatcher keeps its
    /// parse, and a caller its callees, for as long as their code lives.
    frozen: Vec<Py<PyAny>>,
}

impl ParsedFunction {
    /// The Python objects this parse holds: the `@jit` functions it calls and
    /// its frozen arrays (for the garbage collector).
    pub(crate) fn held(&self) -> impl Iterator<Item = &Py<PyAny>> + '_ {
        self.callees
            .iter()
            .map(|d| d.as_any())
            .chain(self.frozen.iter())
    }
}

pub(crate) fn parse(this: &Bound<'_, Dispatcher>) -> Result<ParsedFunction, CompileFailure> {
    let dispatcher = this.get();
    let (source, lambda) = dispatcher.source()?;
    let mut names = NameTable::new(this, dispatcher.py_func().bind(this.py()))?;
    // The frontend recurses over the nesting of the code, and the caller's
    // thread may have a small stack: it runs on a segment of its own, and
    // calls no Python there (the names were looked up above).
    let hir = stacker::grow(COMPILE_STACK, || match lambda {
        Some(span) => frontend::parse_lambda(source, span, &mut names),
        None => frontend::parse(source, &mut names),
    })
    .map_err(CompileFailure::Diagnostics)?;
    Ok(ParsedFunction {
        hir: Arc::new(hir),
        frozen: names.take_frozen(),
        callees: names.into_callees(),
    })
}

/// The entry and every `@jit` function it reaches, numbered in order of
/// discovery, with the options of each (indexed by `FuncId`).
fn build_program(
    entry: &Bound<'_, Dispatcher>,
) -> Result<(hir::Program, Vec<LowerOptions>), CompileFailure> {
    let py = entry.py();
    let mut order: Vec<Bound<'_, Dispatcher>> = vec![entry.clone()];
    let mut functions = Vec::new();
    let mut diagnostics = Vec::new();
    let mut next = 0;
    while next < order.len() {
        let current = order[next].clone();
        match Dispatcher::parsed(&current) {
            Ok(parsed) => {
                let mut map = vec![FuncId(next as u32)];
                for callee in &parsed.callees {
                    let callee = callee.bind(py);
                    let global = match order.iter().position(|d| d.is(callee)) {
                        Some(i) => i,
                        None => {
                            order.push(callee.clone());
                            order.len() - 1
                        }
                    };
                    map.push(FuncId(global as u32));
                }
                functions.push(renumber(&parsed.hir, &map));
            }
            Err(CompileFailure::Diagnostics(found)) => diagnostics.extend(found),
            Err(other) => return Err(other),
        }
        next += 1;
    }
    if diagnostics.is_empty() {
        let options = order.iter().map(|d| d.get().options()).collect();
        Ok((hir::Program { functions }, options))
    } else {
        Err(CompileFailure::Diagnostics(diagnostics))
    }
}

/// `f` with its local `FuncId`s replaced by `map[local]`; shared as is when nothing changes.
fn renumber(f: &Arc<hir::Function>, map: &[FuncId]) -> Arc<hir::Function> {
    if map.iter().enumerate().all(|(i, id)| id.0 as usize == i) {
        return f.clone();
    }
    let mut f = hir::Function::clone(f);
    for expr in &mut f.exprs {
        if let ExprKind::Call {
            callee: Callee::Jit(id),
            ..
        } = &mut expr.kind
        {
            *id = map[id.0 as usize];
        }
    }
    Arc::new(f)
}

/// Stack every stage runs on. They recurse over the nesting of the code, which
/// the frontend bounds (10,000 levels: an `elif` chain of that many arms, a
/// sum of that many terms) once it has parsed it, so they get a stack of their
/// own rather than whatever is left of the caller's (a Python thread may have
/// a small one). Measured: 64 MiB held 20,000 levels of a sum and 5000 `elif`s;
/// the segment is only reserved, its pages are touched as deep as a compile goes.
const COMPILE_STACK: usize = 256 << 20;

/// Compiles the entry for `arg_types`: its return type and machine code. Each
/// function is compiled with its own dispatcher's options, so a callee's
/// `boundscheck`, `error_model`... hold in its body whoever calls it.
/// A panic anywhere in the compiler becomes an `InternalError`, never a crash.
pub(crate) fn compile(
    entry: &Bound<'_, Dispatcher>,
    arg_types: &[Type],
) -> Result<(Type, CompiledModule, Vec<Diagnostic>), CompileFailure> {
    let start = Instant::now();
    // Parsing looks names up with Python, so it runs with the GIL.
    let (program, options) = catch_unwind(AssertUnwindSafe(|| build_program(entry)))
        .unwrap_or_else(|payload| Err(panicked(payload)))?;
    let parsed = Instant::now();
    let stages = || {
        let typed = typeinfer::infer(&program, FuncId(0), arg_types)
            .map_err(CompileFailure::Diagnostics)?;
        let inferred = Instant::now();
        let return_type = typed
            .functions
            .first()
            .map(|f| f.return_type.clone())
            .ok_or_else(|| {
                CompileFailure::Internal("type inference returned no entry function".to_string())
            })?;
        let options: Vec<LowerOptions> = typed
            .functions
            .iter()
            .map(|f| options[f.func.0 as usize])
            .collect();
        let low = lower::lower(&typed, &options);
        let lowered = Instant::now();
        let module = codegen::compile(low)
            .map_err(|e| CompileFailure::Internal(format!("code generation failed: {}", e.0)))?;
        if codegen::time_stages() {
            let name = &program.functions[0].name;
            let codegen::StageTimes {
                emit,
                optimize,
                jit,
            } = module.times;
            for (stage, time) in [
                ("parse", parsed - start),
                ("infer", inferred - parsed),
                ("lower", lowered - inferred),
                ("emit", emit),
                ("optimize", optimize),
                ("jit", jit),
            ] {
                eprintln!("ferrojit time {stage} {:.6} {name}", time.as_secs_f64());
            }
        }
        let warnings = typed
            .functions
            .iter()
            .flat_map(|f| f.warnings.clone())
            .collect();
        Ok((return_type, module, warnings))
    };
    let (return_type, module, warnings) = off_gil(entry.py(), || {
        stages().map(|(return_type, module, warnings)| (return_type, Detached(module), warnings))
    })
    .map(|(return_type, Detached(module), warnings)| (return_type, module, warnings))?;
    if module.lapack {
        crate::lapack::ensure_installed(entry.py())?;
    }
    if module.blas {
        crate::lapack::try_install_blas(entry.py());
    }
    Ok((return_type, module, warnings))
}

/// What `inspect` shows of one specialization.
#[derive(Clone, Copy)]
pub(crate) enum Inspect {
    /// The entry function's source with the types of its locals (`typeinfer::annotate`).
    Types,
    /// Its module's optimized LLVM IR, or host assembly.
    Code(codegen::Listing),
}

/// The text `inspect_types`/`inspect_llvm`/`inspect_asm` show for the
/// specialization of `entry` for `arg_types`: the stages run again, up to
/// what is shown, exactly as `compile` ran them (they are deterministic), so
/// compiling keeps no text for inspection and costs nothing more.
pub(crate) fn inspect(
    entry: &Bound<'_, Dispatcher>,
    arg_types: &[Type],
    what: Inspect,
) -> Result<String, CompileFailure> {
    let (program, options) = catch_unwind(AssertUnwindSafe(|| build_program(entry)))
        .unwrap_or_else(|payload| Err(panicked(payload)))?;
    off_gil(entry.py(), || {
        let typed = typeinfer::infer(&program, FuncId(0), arg_types)
            .map_err(CompileFailure::Diagnostics)?;
        let listing = match what {
            Inspect::Types => return Ok(typeinfer::annotate(&typed.functions[0])),
            Inspect::Code(listing) => listing,
        };
        let options: Vec<LowerOptions> = typed
            .functions
            .iter()
            .map(|f| options[f.func.0 as usize])
            .collect();
        let low = lower::lower(&typed, &options);
        codegen::listing(&low, listing)
            .map_err(|e| CompileFailure::Internal(format!("code generation failed: {}", e.0)))
    })
}

/// Runs `stages` on this thread, switched to a stack segment of its own (no
/// thread to start per compile, and no caller stack size to depend on), and
/// without the GIL: the stages touch no Python object, and other threads run
/// meanwhile. A panic becomes an `InternalError`.
fn off_gil<T: Send>(
    py: Python<'_>,
    stages: impl FnOnce() -> Result<T, CompileFailure> + Send,
) -> Result<T, CompileFailure> {
    py.detach(|| {
        stacker::grow(COMPILE_STACK, || {
            catch_unwind(AssertUnwindSafe(stages)).unwrap_or_else(|payload| Err(panicked(payload)))
        })
    })
}

/// Machine code leaving the GIL-free stages: nothing in it refers to the
/// thread that compiled it.
struct Detached(CompiledModule);

// SAFETY: a `CompiledModule` is immutable code in the process-wide JIT plus the
// handle that frees it, usable from any thread (see `dispatcher::JitCode`).
unsafe impl Send for Detached {}

fn panicked(payload: Box<dyn std::any::Any + Send>) -> CompileFailure {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string());
    CompileFailure::Internal(format!("the compiler panicked: {what}"))
}
