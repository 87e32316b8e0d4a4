//! Source -> machine code for one specialization: fetches the source with
//! `inspect`, parses every `@jit` function reachable from the entry into one
//! `hir::Program`, and runs typeinfer, lower and codegen.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use codegen::CompiledModule;
use frontend::hir::{self, Callee, ExprKind, FuncId};
use frontend::SourceFile;
use lower::LowerOptions;
use pyo3::exceptions::{PyOSError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use typeinfer::Type;

use crate::dispatcher::Dispatcher;
use crate::errors::CompileFailure;
use crate::resolve::PyResolver;

/// One function's HIR, numbered locally: `FuncId(0)` is the function itself,
/// `FuncId(k)` is `callees[k - 1]`. A `Program` renumbers it.
pub(crate) struct ParsedFunction {
    hir: Arc<hir::Function>,
    callees: Vec<Py<Dispatcher>>,
}

pub(crate) fn parse(this: &Bound<'_, Dispatcher>) -> Result<ParsedFunction, CompileFailure> {
    let py_func = this.get().py_func().bind(this.py());
    let source = source_of(py_func)?;
    let mut resolver = PyResolver::new(this, py_func)?;
    let hir = frontend::parse(source, &mut resolver).map_err(CompileFailure::Diagnostics)?;
    Ok(ParsedFunction {
        hir: Arc::new(hir),
        callees: resolver.callees,
    })
}

fn source_of(py_func: &Bound<'_, PyAny>) -> Result<Arc<SourceFile>, CompileFailure> {
    let py = py_func.py();
    let inspect = py.import("inspect")?;
    let (lines, first_line): (Bound<'_, PyList>, u32) =
        match inspect.call_method1("getsourcelines", (py_func,)) {
            Ok(found) => found.extract()?,
            Err(err)
                if err.is_instance_of::<PyOSError>(py) || err.is_instance_of::<PyTypeError>(py) =>
            {
                let name = py_func.getattr("__qualname__")?.extract()?;
                return Err(CompileFailure::NoSource { name });
            }
            Err(err) => return Err(err.into()),
        };
    let mut text = String::new();
    for line in lines.iter() {
        text.push_str(&line.extract::<String>()?);
    }
    let path = match inspect.call_method1("getsourcefile", (py_func,)) {
        Ok(path) if !path.is_none() => path.extract()?,
        _ => py_func
            .getattr("__code__")?
            .getattr("co_filename")?
            .extract()?,
    };
    Ok(Arc::new(SourceFile {
        path,
        text,
        first_line: first_line.max(1),
    }))
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

/// Stack the stages after the frontend run on. They recurse over the nesting
/// of the code, which the frontend bounds (1000 levels, a few KiB each at
/// most), so they get a stack of their own rather than whatever is left of the
/// caller's (a Python thread may have a small one).
const COMPILE_STACK: usize = 64 << 20;

/// Compiles the entry for `arg_types`: its return type and machine code. Each
/// function is compiled with its own dispatcher's options, so a callee's
/// `boundscheck`, `error_model`... hold in its body whoever calls it.
/// A panic anywhere in the compiler becomes an `InternalError`, never a crash.
pub(crate) fn compile(
    entry: &Bound<'_, Dispatcher>,
    arg_types: &[Type],
) -> Result<(Type, CompiledModule), CompileFailure> {
    // The frontend asks Python about globals, so it runs here, with the GIL.
    let (program, options) = catch_unwind(AssertUnwindSafe(|| build_program(entry)))
        .unwrap_or_else(|payload| Err(panicked(payload)))?;
    let stages = || {
        let typed = typeinfer::infer(&program, FuncId(0), arg_types)
            .map_err(CompileFailure::Diagnostics)?;
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
        let module = codegen::compile(&low)
            .map_err(|e| CompileFailure::Internal(format!("code generation failed: {}", e.0)))?;
        Ok((return_type, module))
    };
    // On this thread, switched to a stack segment of its own: no thread to
    // start per compile, and no caller stack size to depend on.
    stacker::grow(COMPILE_STACK, || {
        catch_unwind(AssertUnwindSafe(stages)).unwrap_or_else(|payload| Err(panicked(payload)))
    })
}

fn panicked(payload: Box<dyn std::any::Any + Send>) -> CompileFailure {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string());
    CompileFailure::Internal(format!("the compiler panicked: {what}"))
}
