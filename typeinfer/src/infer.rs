//! The specialization worklist and the fixpoint over it.
//!
//! Every specialization is re-typed in sweeps until no local type, return type
//! or set of specializations changes. This ends by construction: those facts
//! only grow (a local's type is the join of what it held and what is assigned),
//! joins keep a type's shape, and a shape has a finite height (`growth`), so
//! every sweep but the last makes one of finitely many steps up. A chain of
//! `n` loop-carried locals takes `n` sweeps, one link each.
//! A last sweep then types everything once more with the converged facts and
//! keeps its diagnostics: only there does a still-unknown type become an error.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use frontend::hir::{self, ExprId, FuncId, LocalId};
use frontend::{Diagnostic, DiagnosticKind, SourceFile, Span};

use crate::assigned::SeesNone;
use crate::{
    ArrayType, JitCall, Layout, LocalRead, OpaqueType, SpecId, Type, TypedFunction, TypedProgram,
};
use library::promotion::{kind, promote_dtype, promote_weak, python_default, Kind};

/// Recursion whose argument types keep changing would specialize forever.
const MAX_SPECS: usize = 128;

/// Bound on the number of type nodes in one specialization's argument types.
pub(crate) const MAX_ARG_TYPE_SIZE: usize = 1024;

pub(crate) fn type_size(t: &Type) -> usize {
    match t {
        Type::Tuple(items) => 1 + items.iter().map(type_size).sum::<usize>(),
        _ => 1,
    }
}

/// How many times, in all, a fact of `t`'s shape can grow by joins: each number
/// can widen through every dtype at most once (promotion only goes up), an
/// array can lose its layout and its writability, and the shape never changes.
fn growth(t: &Type) -> usize {
    match t {
        Type::Scalar(_) => hir::Dtype::ALL.len(),
        Type::Array(_) => 2,
        Type::Tuple(items) => items.iter().map(growth).sum(),
        Type::None | Type::Opaque(_) => 0,
    }
}

/// The steps up the facts of `spec` have made at most so far: a sweep that
/// changes something makes at least one, so the sweeps cannot outnumber this.
fn steps_bound(spec: &Spec) -> usize {
    let fact = |ty: &Option<Type>, poisoned: bool| {
        poisoned as usize + ty.as_ref().map_or(0, |t| 1 + growth(t))
    };
    // One more for the step that created the specialization.
    1 + fact(&spec.ret.ty, spec.ret.poisoned)
        + spec
            .locals
            .iter()
            .map(|l| fact(&l.ty, l.poisoned))
            .sum::<usize>()
}

/// A type during inference.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Ty {
    Known(Type),
    /// A Python int/float/complex literal or module constant: NumPy 2's "weak"
    /// scalar, which takes the other operand's type when it is of the same kind.
    Weak(Kind),
    /// Not known yet in this sweep (a local assigned later, a recursive call).
    Unknown,
    /// Already reported; produces no further errors.
    Error,
}

impl Ty {
    pub(crate) fn concrete(&self) -> Option<Type> {
        match self {
            Ty::Known(t) => Some(t.clone()),
            Ty::Weak(k) => Some(Type::Scalar(python_default(*k))),
            Ty::Unknown | Ty::Error => None,
        }
    }

    /// The dtype and kind of a number, weak or not.
    pub(crate) fn number_kind(&self) -> Option<Kind> {
        match self {
            Ty::Known(Type::Scalar(d)) => Some(kind(*d)),
            Ty::Weak(k) => Some(*k),
            _ => None,
        }
    }

    pub(crate) fn is_pending(&self) -> bool {
        matches!(self, Ty::Unknown | Ty::Error)
    }
}

/// Promotion of two numbers, weak ones included; `None` when one is not a number.
pub(crate) fn promote_numbers(a: &Ty, b: &Ty) -> Option<Ty> {
    match (a, b) {
        (Ty::Weak(x), Ty::Weak(y)) => Some(Ty::Weak((*x).max(*y))),
        (Ty::Weak(k), Ty::Known(Type::Scalar(d))) | (Ty::Known(Type::Scalar(d)), Ty::Weak(k)) => {
            Some(Ty::Known(Type::Scalar(promote_weak(*k, *d))))
        }
        (Ty::Known(Type::Scalar(x)), Ty::Known(Type::Scalar(y))) => {
            Some(Ty::Known(Type::Scalar(promote_dtype(*x, *y))))
        }
        _ => None,
    }
}

/// The type that holds values of both `a` and `b` (locals, returns).
pub(crate) fn join(a: &Type, b: &Type) -> Option<Type> {
    if a == b {
        return Some(a.clone());
    }
    match (a, b) {
        (Type::Scalar(x), Type::Scalar(y)) => Some(Type::Scalar(promote_dtype(*x, *y))),
        (Type::Array(x), Type::Array(y)) if x.dtype == y.dtype && x.ndim == y.ndim => {
            Some(Type::Array(ArrayType {
                dtype: x.dtype,
                ndim: x.ndim,
                layout: if x.layout == y.layout {
                    x.layout
                } else {
                    Layout::Any
                },
                writable: x.writable && y.writable,
            }))
        }
        (Type::Tuple(xs), Type::Tuple(ys)) if xs.len() == ys.len() => xs
            .iter()
            .zip(ys)
            .map(|(x, y)| join(x, y))
            .collect::<Option<Vec<_>>>()
            .map(Type::Tuple),
        _ => None,
    }
}

/// `join` over inference types, keeping Python literals weak (`x if c else 0`).
pub(crate) fn join_ty(a: &Ty, b: &Ty) -> Option<Ty> {
    match (a, b) {
        (Ty::Error, _) | (_, Ty::Error) => Some(Ty::Error),
        (Ty::Unknown, _) | (_, Ty::Unknown) => Some(Ty::Unknown),
        (Ty::Known(x), Ty::Known(y)) => join(x, y).map(Ty::Known),
        _ => promote_numbers(a, b),
    }
}

/// Whether a variable can hold a value of type `t`. A dtype object can: its
/// value is its type, known at compile time (`dt = np.float32; np.zeros(n, dt)`).
fn storable(t: &Type) -> bool {
    match t {
        Type::Opaque(OpaqueType::DtypeObject(_)) => true,
        Type::Opaque(_) => false,
        Type::Tuple(items) => items.iter().all(storable),
        _ => true,
    }
}

pub(crate) fn contains_opaque(t: &Type) -> bool {
    match t {
        Type::Opaque(_) => true,
        Type::Tuple(items) => items.iter().any(contains_opaque),
        _ => false,
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct LocalState {
    pub(crate) ty: Option<Type>,
    /// Assigned a value that already failed to type: reads produce no new errors.
    pub(crate) poisoned: bool,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct ReturnState {
    pub(crate) ty: Option<Type>,
    pub(crate) poisoned: bool,
}

struct Spec {
    func: FuncId,
    /// The function's HIR pruned for these argument types (`prune`).
    hir: Arc<hir::Function>,
    /// The reads of parameters passed `None` that may see it (`none_flow`).
    none_reads: Arc<HashMap<LocalRead, SeesNone>>,
    arg_types: Vec<Type>,
    locals: Vec<LocalState>,
    ret: ReturnState,
    output: Option<PassOutput>,
}

struct PassOutput {
    expr_types: Vec<Option<Type>>,
    coercions: HashMap<ExprId, Type>,
    calls: HashMap<ExprId, JitCall>,
    diags: Vec<Diagnostic>,
}

pub(crate) struct Engine<'p> {
    program: &'p hir::Program,
    specs: Vec<Spec>,
    index: HashMap<(FuncId, Vec<Type>), SpecId>,
    changed: bool,
}

pub(crate) fn infer(
    program: &hir::Program,
    entry: FuncId,
    arg_types: &[Type],
) -> Result<TypedProgram, Vec<Diagnostic>> {
    let Some(entry_fn) = program.functions.get(entry.0 as usize) else {
        let source = Arc::new(SourceFile {
            path: "<unknown>".into(),
            text: String::new(),
            first_line: 1,
        });
        let diag = Diagnostic::new(
            DiagnosticKind::Internal,
            "E0299",
            format!("entry function {entry} is not in the program; this is a bug in ferrojit, please report it"),
            &source,
            Span::default(),
        );
        return Err(vec![diag]);
    };
    if entry_fn.params.len() != arg_types.len() {
        let diag = Diagnostic::new(
            DiagnosticKind::Typing,
            "E0219",
            format!(
                "`{}` takes {} arguments but {} were given",
                entry_fn.name,
                entry_fn.params.len(),
                arg_types.len()
            ),
            &entry_fn.source,
            entry_fn.span,
        )
        .with_label(format!("`{}` is defined here", entry_fn.name));
        return Err(vec![diag]);
    }
    let mut engine = Engine {
        program,
        specs: Vec::new(),
        index: HashMap::new(),
        changed: false,
    };
    if engine.spec_for(entry, arg_types.to_vec()).is_none() {
        let size: usize = arg_types.iter().map(type_size).sum();
        let diag = Diagnostic::new(
            DiagnosticKind::Typing,
            "E0233",
            format!(
                "the argument types of `{}` are too large: {size} numbers, arrays and tuples in all",
                entry_fn.name
            ),
            &entry_fn.source,
            entry_fn.span,
        )
        .with_label(format!("`{}` is defined here", entry_fn.name))
        .with_note(format!(
            "pass at most {MAX_ARG_TYPE_SIZE} numbers, arrays and tuples, nested tuples included"
        ));
        return Err(vec![diag]);
    }
    let mut sweeps = 0;
    loop {
        engine.changed = false;
        let mut i = 0;
        while i < engine.specs.len() {
            engine.run_pass(SpecId(i as u32), false);
            i += 1;
        }
        if !engine.changed {
            break;
        }
        sweeps += 1;
        // A safety net that valid code cannot reach: every changing sweep is a
        // step up a lattice of finite height (see the module docs).
        let bound: usize = engine.specs.iter().map(steps_bound).sum();
        if sweeps > bound {
            let diag = Diagnostic::new(
                DiagnosticKind::Typing,
                "E0236",
                "type inference did not settle: the types of the locals keep changing",
                &entry_fn.source,
                entry_fn.span,
            )
            .with_label(format!("while typing `{}`", entry_fn.name))
            .with_note(format!(
                "{sweeps} passes exceed the {bound} steps the types can take; this is a bug in ferrojit, please report it"
            ));
            return Err(vec![diag]);
        }
    }
    for i in 0..engine.specs.len() {
        engine.run_pass(SpecId(i as u32), true);
    }
    engine.finish()
}

impl<'p> Engine<'p> {
    /// The specialization of `func` for `arg_types`, created on first use;
    /// `None` once there are too many.
    pub(crate) fn spec_for(&mut self, func: FuncId, arg_types: Vec<Type>) -> Option<SpecId> {
        let key = (func, arg_types);
        if let Some(id) = self.index.get(&key) {
            return Some(*id);
        }
        // Recursion that nests its arguments (`f((t, t))`) grows types exponentially.
        let size: usize = key.1.iter().map(type_size).sum();
        if self.specs.len() >= MAX_SPECS || size > MAX_ARG_TYPE_SIZE {
            return None;
        }
        let id = SpecId(self.specs.len() as u32);
        let original = &self.program.functions[func.0 as usize];
        let none_params: Vec<LocalId> = original
            .params
            .iter()
            .zip(&key.1)
            .filter(|(_, ty)| **ty == Type::None)
            .map(|(p, _)| *p)
            .collect();
        let mut flow = crate::assigned::none_flow(original, &none_params);
        let hir = crate::prune::prune(original, &mut flow);
        let mut locals = vec![LocalState::default(); hir.locals.len()];
        for (param, ty) in hir.params.iter().zip(&key.1) {
            // A parameter passed `None` is typed by what is assigned to it:
            // its reads that see the `None` are typed apart (`none_reads`).
            if *ty != Type::None {
                locals[param.0 as usize].ty = Some(ty.clone());
            }
        }
        self.specs.push(Spec {
            func,
            hir,
            none_reads: Arc::new(flow.reads),
            arg_types: key.1.clone(),
            locals,
            ret: ReturnState::default(),
            output: None,
        });
        self.index.insert(key, id);
        self.changed = true;
        Some(id)
    }

    pub(crate) fn function(&self, func: FuncId) -> Option<&Arc<hir::Function>> {
        self.program.functions.get(func.0 as usize)
    }

    pub(crate) fn return_state(&self, id: SpecId) -> &ReturnState {
        &self.specs[id.0 as usize].ret
    }

    fn run_pass(&mut self, id: SpecId, final_pass: bool) {
        let spec = &self.specs[id.0 as usize];
        let f = spec.hir.clone();
        let locals = spec.locals.clone();
        let ret = spec.ret.clone();
        let none_reads = spec.none_reads.clone();
        let mut cx = FnCx {
            engine: self,
            spec: id,
            f: &f,
            final_pass,
            locals,
            ret,
            none_reads,
            expr_types: vec![None; f.exprs.len()],
            coercions: HashMap::new(),
            calls: HashMap::new(),
            diags: Vec::new(),
            reported_unassigned: HashSet::new(),
        };
        cx.block(&f.body);
        if !crate::flow::terminates(&f, &f.body) {
            cx.fall_off_end();
        }
        let FnCx {
            locals,
            ret,
            expr_types,
            coercions,
            calls,
            diags,
            ..
        } = cx;
        let spec = &mut self.specs[id.0 as usize];
        if spec.locals != locals || spec.ret != ret {
            self.changed = true;
        }
        spec.locals = locals;
        spec.ret = ret;
        spec.output = Some(PassOutput {
            expr_types,
            coercions,
            calls,
            diags,
        });
    }

    fn finish(self) -> Result<TypedProgram, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let mut seen = HashSet::new();
        let mut functions = Vec::new();
        for spec in self.specs {
            let Some(out) = spec.output else { continue };
            for d in out.diags {
                // A function specialized several times reports the same mistake once.
                if seen.insert((
                    d.code,
                    d.span,
                    d.message.clone(),
                    d.label.clone(),
                    Arc::as_ptr(&d.source),
                )) {
                    diags.push(d);
                }
            }
            let maybe_unbound = crate::assigned::maybe_unbound(&spec.hir);
            let local_types: Vec<Type> = spec
                .locals
                .iter()
                .map(|l| l.ty.clone().unwrap_or(Type::None))
                .collect();
            let (parallel_loops, errors, warnings) =
                crate::parallel::analyze(&spec.hir, &local_types, &maybe_unbound);
            for d in errors {
                if seen.insert((
                    d.code,
                    d.span,
                    d.message.clone(),
                    d.label.clone(),
                    Arc::as_ptr(&d.source),
                )) {
                    diags.push(d);
                }
            }
            let mut typed = TypedFunction {
                func: spec.func,
                hir: spec.hir,
                arg_types: spec.arg_types,
                return_type: spec.ret.ty.unwrap_or(Type::None),
                expr_types: out
                    .expr_types
                    .into_iter()
                    .map(|t| t.unwrap_or(Type::None))
                    .collect(),
                local_types,
                coercions: out.coercions,
                calls: out.calls,
                maybe_unbound,
                parallel_loops,
                warnings,
            };
            // The passes over the typed IR.
            crate::accuracy::rewrite(&mut typed);
            crate::fusion::fuse(&mut typed);
            functions.push(typed);
        }
        if diags.is_empty() {
            Ok(TypedProgram { functions })
        } else {
            Err(diags)
        }
    }
}

/// The state of one pass over one specialization.
pub(crate) struct FnCx<'a, 'p> {
    pub(crate) engine: &'a mut Engine<'p>,
    pub(crate) spec: SpecId,
    pub(crate) f: &'a hir::Function,
    pub(crate) final_pass: bool,
    pub(crate) locals: Vec<LocalState>,
    pub(crate) ret: ReturnState,
    none_reads: Arc<HashMap<LocalRead, SeesNone>>,
    pub(crate) expr_types: Vec<Option<Type>>,
    pub(crate) coercions: HashMap<ExprId, Type>,
    pub(crate) calls: HashMap<ExprId, JitCall>,
    pub(crate) diags: Vec<Diagnostic>,
    reported_unassigned: HashSet<LocalId>,
}

/// One diagnostic being built: code, message, label and help.
pub(crate) struct Report {
    pub(crate) code: &'static str,
    pub(crate) message: String,
    pub(crate) label: String,
    pub(crate) help: Option<String>,
}

pub(crate) fn report(
    code: &'static str,
    message: impl Into<String>,
    label: impl Into<String>,
) -> Report {
    Report {
        code,
        message: message.into(),
        label: label.into(),
        help: None,
    }
}

impl Report {
    pub(crate) fn help(mut self, help: impl Into<String>) -> Report {
        self.help = Some(help.into());
        self
    }
}

impl<'a, 'p> FnCx<'a, 'p> {
    pub(crate) fn emit(&mut self, span: Span, r: Report) {
        let mut d = Diagnostic::new(
            DiagnosticKind::Typing,
            r.code,
            r.message,
            &self.f.source,
            span,
        )
        .with_label(r.label);
        if let Some(help) = r.help {
            d = d.with_note(format!("help: {help}"));
        }
        self.diags.push(d);
    }

    /// The source text of a span, for labels; long text is replaced by `fallback`.
    pub(crate) fn text(&self, span: Span, fallback: &str) -> String {
        let text = self
            .f
            .source
            .text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("");
        if text.is_empty() || text.len() > 40 || text.contains('\n') {
            fallback.to_string()
        } else {
            format!("`{text}`")
        }
    }

    pub(crate) fn expr_text(&self, e: ExprId) -> String {
        self.text(self.f.expr(e).span, "this")
    }

    pub(crate) fn span(&self, e: ExprId) -> Span {
        self.f.expr(e).span
    }

    /// Records that the consumer of `e` reads it as `to`, unless it already is.
    pub(crate) fn coerce(&mut self, e: ExprId, from: &Ty, to: &Type) {
        if let Some(t) = from.concrete() {
            if &t != to {
                self.coercions.insert(e, to.clone());
            }
        }
    }

    pub(crate) fn read_local(&mut self, l: LocalId, read: LocalRead, span: Span) -> Ty {
        match self.none_reads.get(&read) {
            Some(SeesNone::Only) => return Ty::Known(Type::None),
            Some(SeesNone::Maybe) => {
                let name = self.f.local(l).name.clone();
                self.emit(
                    span,
                    report(
                        "E0237",
                        format!("`{name}` may be None here"),
                        format!("`{name}` is None on some paths to here, assigned on others"),
                    )
                    .help(format!(
                        "assign `{name}` on every path before this read (`if {name} is None: {name} = ...` before any loop), or pass it a value"
                    )),
                );
                return Ty::Error;
            }
            None => {}
        }
        let state = &self.locals[l.0 as usize];
        match &state.ty {
            Some(t) => Ty::Known(t.clone()),
            None if state.poisoned => Ty::Error,
            None if !self.final_pass => Ty::Unknown,
            None => {
                if self.reported_unassigned.insert(l) {
                    let name = self.f.local(l).name.clone();
                    self.emit(
                        span,
                        report(
                            "E0200",
                            format!("`{name}` is used but never assigned a value"),
                            format!("`{name}` has no value here"),
                        )
                        .help(format!("assign `{name}` before using it")),
                    );
                }
                Ty::Error
            }
        }
    }

    /// Joins `ty` into the local's type; `value` is the expression assigned, if any.
    pub(crate) fn assign_local(&mut self, l: LocalId, ty: &Ty, value: Option<ExprId>, span: Span) {
        let Some(t) = ty.concrete() else {
            if *ty == Ty::Error {
                self.locals[l.0 as usize].poisoned = true;
            }
            return;
        };
        let name = self.f.local(l).name.clone();
        if !storable(&t) {
            self.emit(
                span,
                report(
                    "E0230",
                    format!("cannot store {t} in a variable"),
                    format!("`{name}` would be {t}"),
                )
                .help("use the value directly where it is needed"),
            );
            self.locals[l.0 as usize].poisoned = true;
            return;
        }
        let state = &mut self.locals[l.0 as usize];
        let joined = match &state.ty {
            None => Some(t.clone()),
            Some(old) => join(old, &t),
        };
        match joined {
            Some(j) => state.ty = Some(j),
            None => {
                let old = state.ty.clone().unwrap_or(Type::None);
                self.emit(
                    span,
                    report(
                        "E0201",
                        format!("`{name}` is assigned values of incompatible types"),
                        format!("this is {t}, but `{name}` is {old} elsewhere"),
                    )
                    .help("use a separate variable for each type"),
                );
            }
        }
        if let (Some(e), Some(lt)) = (value, self.locals[l.0 as usize].ty.clone()) {
            self.coerce(e, ty, &lt);
        }
    }
}
