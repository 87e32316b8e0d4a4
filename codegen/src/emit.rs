//! Low IR -> LLVM IR. Host-independent: no triple, data layout or CPU
//! attributes are set here (`jit` adds them), so the text is stable for
//! snapshots.

use std::collections::HashMap;

use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::basic_block::BasicBlock;
use inkwell::builder::{Builder, BuilderError};
use inkwell::context::ContextRef;
use inkwell::intrinsics::Intrinsic;
use inkwell::module::{Linkage, Module};
use inkwell::types::{BasicMetadataTypeEnum, BasicTypeEnum, FloatType, FunctionType, IntType};
use inkwell::values::{
    AsValueRef, BasicMetadataValueEnum, BasicValue, BasicValueEnum, FloatValue, FunctionValue,
    InstructionOpcode, InstructionValue, IntValue, PointerValue, ValueKind,
};
use inkwell::{AddressSpace, AtomicOrdering, AtomicRMWBinOp, FloatPredicate, IntPredicate};
use lower::ir::{
    self, BinaryOp, Block, CastOp, CmpOp, ComplexFn, Const, ExceptionKind, Inst, LType, Primitive,
    RuntimeError, StepSign, Stmt, UnaryOp, ValueId, VarId,
};

use crate::loop_hints::{loop_hints, LoopHints, INDEPENDENT_INTERLEAVE, STRICT_CHAIN_UNROLL};
use crate::runtime::exception_code;
use crate::shapes;

/// A malformed low-IR module or an LLVM builder failure: always a compiler bug.
#[derive(Debug)]
pub(crate) struct EmitError(pub(crate) String);

impl From<BuilderError> for EmitError {
    fn from(e: BuilderError) -> Self {
        EmitError(format!("LLVM builder error: {e}"))
    }
}

type R<T> = Result<T, EmitError>;

fn bug<T>(message: impl Into<String>) -> R<T> {
    Err(EmitError(message.into()))
}

/// Whether NumPy's complex multiply loops fuse multiply-adds on this CPU
/// ([`BinaryOp::CMulLoop`]): the loop NumPy dispatches to needs AVX2 and
/// FMA3 (x86-64-v3, or AVX-512, which has both); its baseline loop does not
/// fuse. The JIT compiles for this same host CPU.
fn host_fuses_complex_products() -> bool {
    static FUSES: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *FUSES.get_or_init(|| {
        let features = inkwell::targets::TargetMachine::get_host_cpu_features();
        let features = features.to_string_lossy();
        let has = |f: &str| features.split(',').any(|x| x == f);
        has("+avx2") && has("+fma")
    })
}

/// Branch weights that mark one side of a branch as almost never taken.
const LIKELY_WEIGHT: u64 = 2000;
const UNLIKELY_WEIGHT: u64 = 1;

/// An LLVM module made of a low-IR module, and the cold functions its code
/// calls through slots (`Function::cold`: compiled when first called).
pub(crate) struct Emitted<'ctx> {
    pub(crate) module: Module<'ctx>,
    pub(crate) lazy: Vec<LazyCallee>,
}

/// A cold function that the module calls through the slot named `slot`: three
/// pointers, which the JIT fills before the module's code first runs. The
/// call loads the first, the function to call, and passes the slot's address
/// after the entry wrapper's three arguments. Until the function is compiled
/// the first points at a runtime function that compiles it, which finds what
/// to compile through the other two (`jit::Slot`).
#[derive(Clone, Debug)]
pub(crate) struct LazyCallee {
    pub(crate) callee: usize,
    pub(crate) slot: String,
}

/// Emits the code of `ir.functions[entry]`, and of every function it can call
/// but the cold ones, into a new LLVM module in `context`. The entry wrapper
/// (see the crate docs for its slot layout) is named `entry_symbol`; it and
/// the slots of the cold callees are the only external symbols. A cold entry
/// (compiled on demand) takes the slot it was called through as a fourth,
/// unused, argument.
pub(crate) fn emit_module<'ctx>(
    context: ContextRef<'ctx>,
    ir: &ir::Module,
    entry: usize,
    entry_symbol: &str,
) -> R<Emitted<'ctx>> {
    let Some(entry_f) = ir.functions.get(entry) else {
        return bug(if ir.functions.is_empty() {
            "low-IR module has no functions".to_string()
        } else {
            format!("low-IR module has no function f{entry}")
        });
    };
    let mut m = ModuleCx::new(context, &entry_f.name);
    let defined = defined_functions(ir, entry);
    for (f, &define) in ir.functions.iter().zip(&defined) {
        if !define {
            m.functions.push(None);
            continue;
        }
        let ty = m.internal_fn_type(f)?;
        let llfn = m.module.add_function(&f.name, ty, Some(Linkage::Internal));
        m.add_fn_attr(llfn, "nounwind");
        name_params(llfn, f);
        m.functions.push(Some(llfn));
    }
    let mut lazy = Vec::new();
    for callee in lazy_callees(ir, &defined) {
        let slot = format!("{entry_symbol}.{}", ir.functions[callee].name);
        let fields = m.ptr_type().array_type(3);
        let global = m.module.add_global(fields, None, &slot);
        global.set_initializer(&fields.const_zero());
        global.set_alignment(8);
        m.lazy_slots
            .insert(callee as u32, global.as_pointer_value());
        lazy.push(LazyCallee { callee, slot });
    }
    // The runtime calls an outlined `prange` body through a wrapper reading
    // its parameters from slots, as Python's call does the entry's.
    for callee in parallel_callees(ir) {
        let (Some(f), Some(Some(llfn))) = (
            ir.functions.get(callee as usize),
            m.functions.get(callee as usize).copied(),
        ) else {
            continue;
        };
        let wrapper = m.emit_entry_wrapper(
            f,
            llfn,
            &format!("{}.chunk", f.name),
            Linkage::Internal,
            false,
        )?;
        m.chunk_wrappers.insert(callee, wrapper);
    }
    for (i, f) in ir.functions.iter().enumerate() {
        let Some(llfn) = m.functions[i] else {
            continue;
        };
        FnEmitter::new(&mut m, ir, f, llfn)?.emit()?;
        if f.fastmath {
            // Per instruction, so the flags stay where they belong when
            // LLVM inlines this function into one without them.
            set_fast_math(llfn);
        }
    }
    let Some(entry_fn) = m.functions[entry] else {
        return bug("the entry function was not emitted");
    };
    // Inlined into its wrapper before the pipeline, not by the inliner after
    // the pipeline has simplified it: otherwise every function pass runs on
    // the whole body twice (once in `f`, once more in the wrapper that now
    // holds it). One round is enough because a range loop's counter carries
    // its facts from the start (`emit_for_range`). LLVM ignores the
    // attribute on a recursive function, which stays a call.
    m.add_fn_attr(entry_fn, "alwaysinline");
    m.emit_entry_wrapper(
        entry_f,
        entry_fn,
        entry_symbol,
        Linkage::External,
        entry_f.cold,
    )?;
    Ok(Emitted {
        module: m.module,
        lazy,
    })
}

/// Which functions of `ir` the module for `entry` defines: `entry`, and
/// those that a defined function calls or runs in parallel, but the cold
/// ones (called through a slot).
fn defined_functions(ir: &ir::Module, entry: usize) -> Vec<bool> {
    let mut defined = vec![false; ir.functions.len()];
    let mut stack = vec![entry];
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut defined[i], true) {
            continue;
        }
        walk_stmts(&ir.functions[i].body, &mut |s| match s {
            Stmt::Call { callee, .. } if !ir.functions[callee.0 as usize].cold => {
                stack.push(callee.0 as usize)
            }
            Stmt::ParallelFor { callee, .. } => stack.push(callee.0 as usize),
            _ => {}
        });
    }
    defined
}

/// The cold functions that the `defined` functions of `ir` call, in order.
fn lazy_callees(ir: &ir::Module, defined: &[bool]) -> Vec<usize> {
    let mut out = Vec::new();
    for (f, _) in ir.functions.iter().zip(defined).filter(|(_, &d)| d) {
        walk_stmts(&f.body, &mut |s| {
            if let Stmt::Call { callee, .. } = s {
                if ir.functions[callee.0 as usize].cold {
                    out.push(callee.0 as usize);
                }
            }
        });
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Calls `visit` on every statement of `block`, nested ones included.
fn walk_stmts(block: &Block, visit: &mut impl FnMut(&Stmt)) {
    for s in block {
        visit(s);
        for b in s.blocks() {
            walk_stmts(b, visit);
        }
    }
}

/// Calls `visit` on every statement of the module, nested ones included.
fn each_stmt(ir: &ir::Module, visit: &mut impl FnMut(&Stmt)) {
    for f in &ir.functions {
        walk_stmts(&f.body, visit);
    }
}

/// The functions some `Stmt::ParallelFor` of the module runs, in order.
pub(crate) fn parallel_callees(ir: &ir::Module) -> Vec<u32> {
    let mut out = Vec::new();
    each_stmt(ir, &mut |s| {
        if let Stmt::ParallelFor { callee, .. } = s {
            out.push(callee.0);
        }
    });
    out.sort_unstable();
    out.dedup();
    out
}

/// Whether the module runs a kernel that calls LAPACK (`crate::lapack`).
pub(crate) fn uses_lapack(ir: &ir::Module) -> bool {
    let mut uses = false;
    each_stmt(ir, &mut |s| {
        uses |= matches!(s, Stmt::Kernel { kernel, .. } if !matches!(kernel, ir::Kernel::Gemm(_)));
    });
    uses
}

/// Whether the module runs a matrix product (`crate::blas`).
pub(crate) fn uses_gemm(ir: &ir::Module) -> bool {
    let mut uses = false;
    each_stmt(ir, &mut |s| {
        uses |= matches!(
            s,
            Stmt::Kernel {
                kernel: ir::Kernel::Gemm(_),
                ..
            }
        );
    });
    uses
}

fn name_params(llfn: FunctionValue<'_>, f: &ir::Function) {
    let params = llfn.get_params();
    params[0].set_name("ctx");
    params[1].set_name("ret");
    for (value, var) in params[2..].iter().zip(&f.params) {
        if let Some(v) = f.vars.get(var.0 as usize) {
            value.set_name(&v.name);
        }
    }
}

/// How many 8-byte slots a value of `ty` takes in `args`/`ret`.
fn slot_count(ty: LType) -> u32 {
    match ty {
        LType::C64 | LType::C128 => 2,
        _ => 1,
    }
}

/// Alignment assumed for loads and stores through array pointers: the natural
/// alignment of the scalar (NumPy aligns elements unless built otherwise).
fn natural_align(ty: LType) -> u32 {
    match ty {
        LType::I1 | LType::I8 => 1,
        LType::I16 => 2,
        LType::I32 | LType::F32 | LType::C64 => 4,
        LType::I64 | LType::F64 | LType::C128 | LType::Ptr => 8,
    }
}

fn var_type(f: &ir::Function, var: VarId) -> R<LType> {
    match f.vars.get(var.0 as usize) {
        Some(v) => Ok(v.ty),
        None => bug(format!(
            "function `{}` uses undeclared variable {var}",
            f.name
        )),
    }
}

struct ModuleCx<'ctx> {
    context: ContextRef<'ctx>,
    module: Module<'ctx>,
    builder: Builder<'ctx>,
    /// Positioned at the end of the current function's entry block, which
    /// holds only allocas until the function is finished.
    alloca_builder: Builder<'ctx>,
    /// By `FuncIndex`: None for a function this module does not define.
    functions: Vec<Option<FunctionValue<'ctx>>>,
    /// The slot of each cold function called (see `LazyCallee`), by index.
    lazy_slots: HashMap<u32, PointerValue<'ctx>>,
    /// The chunk wrapper of each function a `ParallelFor` runs, by index.
    chunk_wrappers: HashMap<u32, FunctionValue<'ctx>>,
    strings: HashMap<String, PointerValue<'ctx>>,
}

impl<'ctx> ModuleCx<'ctx> {
    fn new(context: ContextRef<'ctx>, name: &str) -> Self {
        ModuleCx {
            context,
            module: context.create_module(name),
            builder: context.create_builder(),
            alloca_builder: context.create_builder(),
            functions: Vec::new(),
            lazy_slots: HashMap::new(),
            chunk_wrappers: HashMap::new(),
            strings: HashMap::new(),
        }
    }

    fn ptr_type(&self) -> inkwell::types::PointerType<'ctx> {
        self.context.ptr_type(AddressSpace::default())
    }

    fn i32(&self) -> IntType<'ctx> {
        self.context.i32_type()
    }

    fn i64(&self) -> IntType<'ctx> {
        self.context.i64_type()
    }

    fn float_type(&self, ty: LType) -> R<FloatType<'ctx>> {
        match ty {
            LType::F32 | LType::C64 => Ok(self.context.f32_type()),
            LType::F64 | LType::C128 => Ok(self.context.f64_type()),
            _ => bug(format!("expected a float or complex type, found {ty}")),
        }
    }

    fn ty(&self, ty: LType) -> BasicTypeEnum<'ctx> {
        let c = &self.context;
        match ty {
            LType::I1 => c.bool_type().into(),
            LType::I8 => c.i8_type().into(),
            LType::I16 => c.i16_type().into(),
            LType::I32 => c.i32_type().into(),
            LType::I64 => c.i64_type().into(),
            LType::F32 => c.f32_type().into(),
            LType::F64 => c.f64_type().into(),
            LType::C64 => c
                .struct_type(&[c.f32_type().into(), c.f32_type().into()], false)
                .into(),
            LType::C128 => c
                .struct_type(&[c.f64_type().into(), c.f64_type().into()], false)
                .into(),
            LType::Ptr => self.ptr_type().into(),
        }
    }

    /// `i32 (ptr ctx, ptr ret, params...)`
    fn internal_fn_type(&self, f: &ir::Function) -> R<FunctionType<'ctx>> {
        let mut params: Vec<BasicMetadataTypeEnum> =
            vec![self.ptr_type().into(), self.ptr_type().into()];
        for &p in &f.params {
            params.push(self.ty(var_type(f, p)?).into());
        }
        Ok(self.i32().fn_type(&params, false))
    }

    fn enum_attr(&self, name: &str, value: u64) -> Attribute {
        self.context
            .create_enum_attribute(Attribute::get_named_enum_kind_id(name), value)
    }

    fn add_fn_attr(&self, f: FunctionValue<'ctx>, name: &str) {
        f.add_attribute(AttributeLoc::Function, self.enum_attr(name, 0));
    }

    /// A runtime function (see `runtime.rs`), declared on first use.
    fn runtime_fn(&self, name: &str) -> R<FunctionValue<'ctx>> {
        if let Some(f) = self.module.get_function(name) {
            return Ok(f);
        }
        let ptr = self.ptr_type();
        let void = self.context.void_type();
        let (ty, cold) = match name {
            "ferrojit_raise_message" => (
                void.fn_type(
                    &[ptr.into(), self.i32().into(), ptr.into(), self.i64().into()],
                    false,
                ),
                true,
            ),
            "ferrojit_raise_index_error" => (
                void.fn_type(
                    &[
                        ptr.into(),
                        self.i64().into(),
                        self.i64().into(),
                        self.i64().into(),
                    ],
                    false,
                ),
                true,
            ),
            "ferrojit_raise_shape_error" => (
                void.fn_type(
                    &[
                        ptr.into(),
                        self.i64().into(),
                        ptr.into(),
                        self.i64().into(),
                        self.i64().into(),
                    ],
                    false,
                ),
                true,
            ),
            "ferrojit_trace" => (
                void.fn_type(
                    &[ptr.into(), ptr.into(), self.i64().into(), self.i64().into()],
                    false,
                ),
                true,
            ),
            "ferrojit_alloc" => (
                ptr.fn_type(&[ptr.into(), self.i64().into(), self.i32().into()], false),
                false,
            ),
            "ferrojit_buffer_free" => (void.fn_type(&[ptr.into()], false), false),
            "ferrojit_parallel_for" => (
                self.i32().fn_type(
                    &[
                        ptr.into(),
                        ptr.into(),
                        ptr.into(),
                        self.i64().into(),
                        self.i64().into(),
                        self.i64().into(),
                        ptr.into(),
                        self.i64().into(),
                        self.i32().into(),
                    ],
                    false,
                ),
                false,
            ),
            "ferrojit_kernel" => (
                self.i32()
                    .fn_type(&[ptr.into(), self.i64().into(), ptr.into()], false),
                false,
            ),
            _ => return bug(format!("unknown runtime function `{name}`")),
        };
        let f = self.module.add_function(name, ty, Some(Linkage::External));
        self.add_fn_attr(f, "nounwind");
        if cold {
            // Raising is the slow path: keep it out of the hot loop layout.
            self.add_fn_attr(f, "cold");
        }
        // What LLVM's alias analysis needs to tell a new buffer from every
        // other array without a run-time check: it is a fresh object, and it
        // is not captured, as long as its reference-count release neither
        // converts it to an integer (the tag test `owner & 1` folds to 0 for
        // an address aligned to `BUFFER_ALIGN`) nor hands it to a function
        // that could keep it.
        if name == "ferrojit_alloc" {
            f.add_attribute(AttributeLoc::Return, self.enum_attr("noalias", 0));
            f.add_attribute(
                AttributeLoc::Return,
                self.enum_attr("align", crate::runtime::BUFFER_ALIGN as u64),
            );
        }
        if name == "ferrojit_buffer_free" {
            f.add_attribute(AttributeLoc::Param(0), self.enum_attr("nocapture", 0));
        }
        Ok(f)
    }

    /// A runtime function computing `(ret, i64) -> ret` without side effects
    /// (`rounding.rs`), declared on first use.
    fn pure_runtime_fn(&self, name: &str, ret: BasicTypeEnum<'ctx>) -> FunctionValue<'ctx> {
        if let Some(f) = self.module.get_function(name) {
            return f;
        }
        let params = [ret.into(), self.i64().into()];
        let ty = match ret {
            BasicTypeEnum::FloatType(t) => t.fn_type(&params, false),
            _ => ret.into_int_type().fn_type(&params, false),
        };
        let f = self.module.add_function(name, ty, Some(Linkage::External));
        for attr in ["nounwind", "willreturn", "nosync"] {
            self.add_fn_attr(f, attr);
        }
        f.add_attribute(AttributeLoc::Function, self.enum_attr("memory", 0));
        f
    }

    /// A libm function (or the runtime's `ferrojit_fmod`) of `arity` float
    /// arguments, declared on first use.
    /// Declared as not touching memory: JIT code never reads `errno`, and
    /// without this LLVM could not hoist or vectorize around the calls.
    fn libm_fn(&self, name: &str, ty: FloatType<'ctx>, arity: usize) -> FunctionValue<'ctx> {
        if let Some(f) = self.module.get_function(name) {
            return f;
        }
        let params: Vec<BasicMetadataTypeEnum> = vec![ty.into(); arity];
        let f = self
            .module
            .add_function(name, ty.fn_type(&params, false), Some(Linkage::External));
        for attr in ["nounwind", "willreturn", "nosync"] {
            self.add_fn_attr(f, attr);
        }
        f.add_attribute(AttributeLoc::Function, self.enum_attr("memory", 0));
        f
    }

    /// The C library's complex function `f` of complex numbers with parts of
    /// type `part`, declared on first use as clang declares it for x86-64
    /// System V: a `double complex` is passed as two doubles and returned as
    /// `{double, double}` (xmm0, xmm1); a `float complex` is one `<2 x float>`
    /// each way (one xmm register). `complex_call` packs and unpacks the
    /// arguments to match. Not touching memory, as `libm_fn` says.
    fn complex_libm_fn(&self, f: ComplexFn, part: FloatType<'ctx>) -> FunctionValue<'ctx> {
        let single = part == self.context.f32_type();
        let name = if single {
            format!("{}f", f.c_name())
        } else {
            f.c_name().to_owned()
        };
        if let Some(f) = self.module.get_function(&name) {
            return f;
        }
        let ty = if single {
            let pair = part.vec_type(2);
            pair.fn_type(&vec![pair.into(); f.arity()], false)
        } else {
            let pair = self.context.struct_type(&[part.into(), part.into()], false);
            pair.fn_type(&vec![part.into(); 2 * f.arity()], false)
        };
        let function = self.module.add_function(&name, ty, Some(Linkage::External));
        for attr in ["nounwind", "willreturn", "nosync"] {
            self.add_fn_attr(function, attr);
        }
        function.add_attribute(AttributeLoc::Function, self.enum_attr("memory", 0));
        function
    }

    /// A private constant array of `values`, each of `ty` (`F32` or `F64`).
    fn float_table(&mut self, ty: LType, values: &[f64]) -> PointerValue<'ctx> {
        let element = self.ty(ty).into_float_type();
        let items: Vec<_> = values.iter().map(|&v| element.const_float(v)).collect();
        let value = element.const_array(&items);
        let global = self.module.add_global(value.get_type(), None, "table");
        global.set_initializer(&value);
        global.set_constant(true);
        global.set_linkage(Linkage::Private);
        global.set_unnamed_addr(true);
        global.as_pointer_value()
    }

    /// A private constant holding the bytes of `text` (no terminator).
    fn string_constant(&mut self, text: &str) -> PointerValue<'ctx> {
        if let Some(&p) = self.strings.get(text) {
            return p;
        }
        let value = self.context.const_string(text.as_bytes(), false);
        let global = self.module.add_global(value.get_type(), None, "msg");
        global.set_initializer(&value);
        global.set_constant(true);
        global.set_linkage(Linkage::Private);
        global.set_unnamed_addr(true);
        global.set_alignment(1);
        let p = global.as_pointer_value();
        self.strings.insert(text.to_owned(), p);
        p
    }

    fn slot_ptr(&self, base: PointerValue<'ctx>, slot: u32) -> R<PointerValue<'ctx>> {
        if slot == 0 {
            return Ok(base);
        }
        let index = self.i64().const_int(u64::from(slot), false);
        // SAFETY: the slot arrays hold at least `slot + 1` entries (calling convention).
        Ok(unsafe {
            self.builder
                .build_in_bounds_gep(self.i64(), base, &[index], "slot")?
        })
    }

    /// Writes `value` of type `ty` into the slots starting at `*slot` (see the
    /// crate docs for the layout) and advances `*slot`.
    fn store_slots(
        &self,
        base: PointerValue<'ctx>,
        slot: &mut u32,
        ty: LType,
        value: BasicValueEnum<'ctx>,
    ) -> R<()> {
        let b = &self.builder;
        let store = |slot: u32, v: BasicValueEnum<'ctx>| -> R<()> {
            let p = self.slot_ptr(base, slot)?;
            set_align(b.build_store(p, v)?, 8)
        };
        match ty {
            LType::I1 => store(
                *slot,
                b.build_int_z_extend(as_int(value)?, self.i64(), "")?.into(),
            )?,
            LType::I8 | LType::I16 | LType::I32 => store(
                *slot,
                b.build_int_s_extend(as_int(value)?, self.i64(), "")?.into(),
            )?,
            LType::I64 | LType::F32 | LType::F64 | LType::Ptr => store(*slot, value)?,
            LType::C64 | LType::C128 => {
                let (re, im) = self.complex_parts(value)?;
                store(*slot, re.into())?;
                store(*slot + 1, im.into())?;
            }
        }
        *slot += slot_count(ty);
        Ok(())
    }

    /// Reads a value of type `ty` from the slots starting at `*slot` and advances `*slot`.
    fn load_slots(
        &self,
        base: PointerValue<'ctx>,
        slot: &mut u32,
        ty: LType,
    ) -> R<BasicValueEnum<'ctx>> {
        let b = &self.builder;
        let load = |slot: u32, t: BasicTypeEnum<'ctx>| -> R<BasicValueEnum<'ctx>> {
            let p = self.slot_ptr(base, slot)?;
            let v = b.build_load(t, p, "")?;
            set_align(instruction_of(v)?, 8)?;
            Ok(v)
        };
        let value = match ty {
            LType::I1 => {
                let byte = as_int(load(*slot, self.context.i8_type().into())?)?;
                b.build_int_compare(IntPredicate::NE, byte, byte.get_type().const_zero(), "")?
                    .into()
            }
            LType::I8
            | LType::I16
            | LType::I32
            | LType::I64
            | LType::F32
            | LType::F64
            | LType::Ptr => load(*slot, self.ty(ty))?,
            LType::C64 | LType::C128 => {
                let part = self.float_type(ty)?;
                let re = as_float(load(*slot, part.into())?)?;
                let im = as_float(load(*slot + 1, part.into())?)?;
                self.make_complex(ty, re, im)?
            }
        };
        *slot += slot_count(ty);
        Ok(value)
    }

    fn complex_parts(&self, v: BasicValueEnum<'ctx>) -> R<(FloatValue<'ctx>, FloatValue<'ctx>)> {
        let BasicValueEnum::StructValue(s) = v else {
            return bug(format!(
                "expected a complex value, found {:?}",
                v.get_type()
            ));
        };
        let re = self.builder.build_extract_value(s, 0, "re")?;
        let im = self.builder.build_extract_value(s, 1, "im")?;
        Ok((as_float(re)?, as_float(im)?))
    }

    fn make_complex(
        &self,
        ty: LType,
        re: FloatValue<'ctx>,
        im: FloatValue<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        let BasicTypeEnum::StructType(st) = self.ty(ty) else {
            return bug(format!("expected a complex type, found {ty}"));
        };
        let with_re = self
            .builder
            .build_insert_value(st.get_poison(), re, 0, "")?;
        let both = self.builder.build_insert_value(with_re, im, 1, "")?;
        Ok(both.into_struct_value().into())
    }

    fn call(
        &self,
        f: FunctionValue<'ctx>,
        args: &[BasicMetadataValueEnum<'ctx>],
        name: &str,
    ) -> R<BasicValueEnum<'ctx>> {
        match self.builder.build_call(f, args, name)?.try_as_basic_value() {
            ValueKind::Basic(v) => Ok(v),
            ValueKind::Instruction(_) => bug(format!(
                "call to `{}` gives no value",
                f.get_name().to_string_lossy()
            )),
        }
    }

    fn call_void(&self, f: FunctionValue<'ctx>, args: &[BasicMetadataValueEnum<'ctx>]) -> R<()> {
        self.builder.build_call(f, args, "")?;
        Ok(())
    }

    fn intrinsic(
        &self,
        name: &str,
        overloads: &[BasicTypeEnum<'ctx>],
        args: &[BasicMetadataValueEnum<'ctx>],
    ) -> R<BasicValueEnum<'ctx>> {
        let Some(decl) =
            Intrinsic::find(name).and_then(|i| i.get_declaration(&self.module, overloads))
        else {
            return bug(format!("LLVM has no intrinsic `{name}` for {overloads:?}"));
        };
        self.call(decl, args, "")
    }

    /// `!prof` weights on a conditional branch whose `likely` side is taken almost always.
    fn set_branch_weights(&self, br: InstructionValue<'ctx>, likely_true: bool) -> R<()> {
        let (t, f) = if likely_true {
            (LIKELY_WEIGHT, UNLIKELY_WEIGHT)
        } else {
            (UNLIKELY_WEIGHT, LIKELY_WEIGHT)
        };
        let node = self.context.metadata_node(&[
            self.context.metadata_string("branch_weights").into(),
            self.i32().const_int(t, false).into(),
            self.i32().const_int(f, false).into(),
        ]);
        br.set_metadata(node, self.context.get_kind_id("prof"))
            .map_err(|e| EmitError(format!("cannot set branch weights: {e}")))
    }

    /// Attaches `hints` to the loop whose back edge is `back` (`llvm.loop`
    /// metadata: a self-referencing node followed by the hints).
    fn set_loop_hints(&self, back: InstructionValue<'ctx>, hints: LoopHints) {
        use llvm_sys::core::{
            LLVMMDNodeInContext2, LLVMMDStringInContext2, LLVMMetadataAsValue, LLVMSetMetadata,
            LLVMValueAsMetadata,
        };
        use llvm_sys::debuginfo::{LLVMMetadataReplaceAllUsesWith, LLVMTemporaryMDNode};
        use llvm_sys::prelude::LLVMMetadataRef;
        let ctx = self.context.raw();
        // SAFETY (both closures): metadata constructors on this module's live context.
        let node = |mut ops: Vec<LLVMMetadataRef>| unsafe {
            LLVMMDNodeInContext2(ctx, ops.as_mut_ptr(), ops.len())
        };
        let string = |s: &str| unsafe { LLVMMDStringInContext2(ctx, s.as_ptr().cast(), s.len()) };
        let int = |v: IntValue<'ctx>| unsafe { LLVMValueAsMetadata(v.as_value_ref()) };
        let unroll_off = || node(vec![string("llvm.loop.unroll.disable")]);
        let mut ops = vec![std::ptr::null_mut()];
        match hints {
            LoopHints::Cold => {
                let off = int(self.context.bool_type().const_zero());
                ops.push(node(vec![string("llvm.loop.vectorize.enable"), off]));
                ops.push(unroll_off());
            }
            LoopHints::Outer => ops.push(unroll_off()),
            LoopHints::Innermost | LoopHints::Independent | LoopHints::StrictChain => {
                let vectorized = || {
                    let one = int(self.i32().const_int(1, false));
                    node(vec![string("llvm.loop.isvectorized"), one])
                };
                for followup in [
                    "llvm.loop.vectorize.followup_vectorized",
                    "llvm.loop.vectorize.followup_epilogue",
                ] {
                    ops.push(node(vec![string(followup), vectorized(), unroll_off()]));
                }
                if hints == LoopHints::Independent {
                    let count = int(self.i32().const_int(INDEPENDENT_INTERLEAVE.into(), false));
                    ops.push(node(vec![string("llvm.loop.interleave.count"), count]));
                }
                if hints == LoopHints::StrictChain {
                    let count = int(self.i32().const_int(STRICT_CHAIN_UNROLL.into(), false));
                    ops.push(node(vec![string("llvm.loop.unroll.count"), count]));
                }
            }
        }
        // SAFETY: a loop ID's first operand is the node itself: build it around
        // a temporary placeholder, then replace the placeholder (which frees it).
        unsafe {
            ops[0] = LLVMTemporaryMDNode(ctx, std::ptr::null_mut(), 0);
            let id = node(ops.clone());
            LLVMMetadataReplaceAllUsesWith(ops[0], id);
            let kind = self.context.get_kind_id("llvm.loop");
            LLVMSetMetadata(back.as_value_ref(), kind, LLVMMetadataAsValue(ctx, id));
        }
    }

    /// `i32 <symbol>(ptr args, ptr ret, ptr ctx)`, with a fourth `ptr` that
    /// it ignores if `slot_param` (see `LazyCallee`): unpacks the params from
    /// `args` and calls `entry`, which writes its results into `ret` itself.
    fn emit_entry_wrapper(
        &mut self,
        f: &ir::Function,
        entry: FunctionValue<'ctx>,
        symbol: &str,
        linkage: Linkage,
        slot_param: bool,
    ) -> R<FunctionValue<'ctx>> {
        let ptr = self.ptr_type();
        let params = [ptr.into(), ptr.into(), ptr.into(), ptr.into()];
        let ty = self
            .i32()
            .fn_type(&params[..if slot_param { 4 } else { 3 }], false);
        let wrapper = self.module.add_function(symbol, ty, Some(linkage));
        self.add_fn_attr(wrapper, "nounwind");
        let params = wrapper.get_params();
        let (args, ret, ctx) = (
            params[0].into_pointer_value(),
            params[1].into_pointer_value(),
            params[2].into_pointer_value(),
        );
        args.set_name("args");
        ret.set_name("ret");
        ctx.set_name("ctx");
        let bb = self.context.append_basic_block(wrapper, "entry");
        self.builder.position_at_end(bb);
        let mut call_args: Vec<BasicMetadataValueEnum> = vec![ctx.into(), ret.into()];
        let mut slot = 0;
        for &p in &f.params {
            call_args.push(self.load_slots(args, &mut slot, var_type(f, p)?)?.into());
        }
        let status = self.call(entry, &call_args, "status")?;
        self.builder.build_return(Some(&status))?;
        Ok(wrapper)
    }
}

/// The `reassoc` flag on a float addition or multiplication (`Function::reassociate`).
fn allow_reassociation(v: BasicValueEnum<'_>) {
    if let Some(inst) = v.as_instruction_value() {
        if inst.can_use_fast_math_flags() {
            let flags = inst
                .get_fast_math_flags()
                .unwrap_or(inkwell::values::FastMathFlags::empty())
                | inkwell::values::FastMathFlags::AllowReassoc;
            // Cannot fail: guarded by `can_use_fast_math_flags`.
            let _ = inst.set_fast_math_flags(flags);
        }
    }
}

fn set_fast_math(func: FunctionValue<'_>) {
    for bb in func.get_basic_blocks() {
        for inst in bb.get_instructions() {
            if inst.can_use_fast_math_flags() {
                // Cannot fail: guarded by `can_use_fast_math_flags`.
                let _ = inst.set_fast_math_flags(inkwell::values::FastMathFlags::all());
            }
        }
    }
}

fn set_align(inst: InstructionValue<'_>, align: u32) -> R<()> {
    inst.set_alignment(align)
        .map_err(|e| EmitError(format!("cannot set alignment: {e}")))
}

fn instruction_of(v: BasicValueEnum<'_>) -> R<InstructionValue<'_>> {
    match v.as_instruction_value() {
        Some(i) => Ok(i),
        None => bug("expected an instruction"),
    }
}

/// `offset` as `rest + j * size` (`rest` absent for `j * size` alone), where
/// `size` is a constant element size: 1, 2, 4, 8 or 16 bytes.
fn split_unit_term<'ctx>(
    offset: IntValue<'ctx>,
) -> Option<(Option<IntValue<'ctx>>, (IntValue<'ctx>, u32))> {
    let operand = |i: InstructionValue<'ctx>, k| match i.get_operand(k) {
        Some(inkwell::values::Operand::Value(BasicValueEnum::IntValue(v))) => Some(v),
        _ => None,
    };
    let scaled = |v: IntValue<'ctx>| {
        let mul = v
            .as_instruction()
            .filter(|i| i.get_opcode() == InstructionOpcode::Mul)?;
        let (j, size) = (
            operand(mul, 0)?,
            operand(mul, 1)?.get_zero_extended_constant()?,
        );
        matches!(size, 1 | 2 | 4 | 8 | 16).then_some((j, size as u32))
    };
    if let Some(unit) = scaled(offset) {
        return Some((None, unit));
    }
    let add = offset
        .as_instruction()
        .filter(|i| i.get_opcode() == InstructionOpcode::Add)?;
    let (x, y) = (operand(add, 0)?, operand(add, 1)?);
    // The unit axis is the last term of a C array's offset, the first of an F one's.
    scaled(y)
        .map(|unit| (Some(x), unit))
        .or_else(|| scaled(x).map(|unit| (Some(y), unit)))
}

fn as_int(v: BasicValueEnum<'_>) -> R<IntValue<'_>> {
    match v {
        BasicValueEnum::IntValue(i) => Ok(i),
        other => bug(format!(
            "expected an integer value, found {:?}",
            other.get_type()
        )),
    }
}

fn as_float(v: BasicValueEnum<'_>) -> R<FloatValue<'_>> {
    match v {
        BasicValueEnum::FloatValue(f) => Ok(f),
        other => bug(format!(
            "expected a float value, found {:?}",
            other.get_type()
        )),
    }
}

fn as_ptr(v: BasicValueEnum<'_>) -> R<PointerValue<'_>> {
    match v {
        BasicValueEnum::PointerValue(p) => Ok(p),
        other => bug(format!(
            "expected a pointer value, found {:?}",
            other.get_type()
        )),
    }
}

/// Where `Break` and `Continue` of the innermost loop jump, and whether they did.
struct LoopTargets<'ctx> {
    continue_to: BasicBlock<'ctx>,
    break_to: BasicBlock<'ctx>,
    continued: bool,
    broke: bool,
}

struct FnEmitter<'m, 'ctx> {
    m: &'m mut ModuleCx<'ctx>,
    ir: &'m ir::Module,
    f: &'m ir::Function,
    llfn: FunctionValue<'ctx>,
    entry_block: BasicBlock<'ctx>,
    ctx_ptr: PointerValue<'ctx>,
    ret_ptr: PointerValue<'ctx>,
    values: Vec<Option<BasicValueEnum<'ctx>>>,
    vars: Vec<PointerValue<'ctx>>,
    loops: Vec<LoopTargets<'ctx>>,
    /// The shared `ret i32 1` block, created on first use.
    unwind: Option<BasicBlock<'ctx>>,
    /// The shared `ret i32 0` block, when the function has owners to release.
    exit: Option<BasicBlock<'ctx>>,
    /// How many `Versioned::checked` blocks enclose the code being emitted.
    cold_depth: usize,
    /// Byte offsets of the lines of `f.origin.source.text`, for traceback entries.
    line_starts: Vec<u32>,
}

impl<'m, 'ctx> FnEmitter<'m, 'ctx> {
    fn new(
        m: &'m mut ModuleCx<'ctx>,
        ir: &'m ir::Module,
        f: &'m ir::Function,
        llfn: FunctionValue<'ctx>,
    ) -> R<Self> {
        let entry_block = m.context.append_basic_block(llfn, "entry");
        m.alloca_builder.position_at_end(entry_block);
        let params = llfn.get_params();
        let mut vars = Vec::with_capacity(f.vars.len());
        for var in &f.vars {
            vars.push(m.alloca_builder.build_alloca(m.ty(var.ty), &var.name)?);
        }
        for (value, var) in params[2..].iter().zip(&f.params) {
            let Some(&slot) = vars.get(var.0 as usize) else {
                return bug(format!(
                    "function `{}` has undeclared parameter {var}",
                    f.name
                ));
            };
            m.alloca_builder.build_store(slot, *value)?;
        }
        for var in f.owners.iter().filter(|v| !f.params.contains(v)) {
            let Some(&slot) = vars.get(var.0 as usize) else {
                return bug(format!("function `{}` has undeclared owner {var}", f.name));
            };
            m.alloca_builder
                .build_store(slot, m.ptr_type().const_null())?;
        }
        Ok(FnEmitter {
            ctx_ptr: params[0].into_pointer_value(),
            ret_ptr: params[1].into_pointer_value(),
            m,
            ir,
            f,
            llfn,
            entry_block,
            values: vec![None; f.value_types.len()],
            vars,
            loops: Vec::new(),
            unwind: None,
            exit: None,
            // A cold function is a checked copy: as cold as in its loop.
            cold_depth: usize::from(f.cold),
            line_starts: std::iter::once(0)
                .chain(
                    f.origin
                        .source
                        .text
                        .match_indices('\n')
                        .map(|(i, _)| i as u32 + 1),
                )
                .collect(),
        })
    }

    fn emit(mut self) -> R<()> {
        let body = self.append("body");
        self.m.builder.position_at_end(body);
        if self.emit_block(&self.f.body)? {
            if !self.f.results.is_empty() {
                return bug(format!(
                    "function `{}` can reach its end without returning its results",
                    self.f.name
                ));
            }
            self.return_status(false)?;
        }
        self.m.alloca_builder.position_at_end(self.entry_block);
        self.m.alloca_builder.build_unconditional_branch(body)?;
        Ok(())
    }

    fn append(&self, name: &str) -> BasicBlock<'ctx> {
        self.m.context.append_basic_block(self.llfn, name)
    }

    fn b(&self) -> &Builder<'ctx> {
        &self.m.builder
    }

    fn value(&self, id: ValueId) -> R<BasicValueEnum<'ctx>> {
        match self.values.get(id.0 as usize) {
            Some(Some(v)) => Ok(*v),
            _ => bug(format!(
                "function `{}` uses {id} before its definition",
                self.f.name
            )),
        }
    }

    fn value_type(&self, id: ValueId) -> R<LType> {
        match self.f.value_types.get(id.0 as usize) {
            Some(&t) => Ok(t),
            None => bug(format!("function `{}` has no type for {id}", self.f.name)),
        }
    }

    fn int(&self, id: ValueId) -> R<IntValue<'ctx>> {
        as_int(self.value(id)?)
    }

    fn float(&self, id: ValueId) -> R<FloatValue<'ctx>> {
        as_float(self.value(id)?)
    }

    fn var_slot(&self, var: VarId) -> R<(PointerValue<'ctx>, LType)> {
        match self.vars.get(var.0 as usize) {
            Some(&p) => Ok((p, var_type(self.f, var)?)),
            None => bug(format!(
                "function `{}` uses undeclared variable {var}",
                self.f.name
            )),
        }
    }

    fn alloca(&self, ty: BasicTypeEnum<'ctx>, name: &str) -> R<PointerValue<'ctx>> {
        Ok(self.m.alloca_builder.build_alloca(ty, name)?)
    }

    /// Emits `block`; false when it ends in a terminator (the rest of the
    /// block, if any, is unreachable and skipped).
    fn emit_block(&mut self, block: &'m [Stmt]) -> R<bool> {
        for stmt in block {
            if !self.emit_stmt(stmt)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn emit_stmt(&mut self, stmt: &'m Stmt) -> R<bool> {
        match stmt {
            Stmt::Let { dst, inst, span } => {
                let ty = self.value_type(*dst)?;
                let v = self.emit_inst(inst, ty, span.start)?;
                if self.f.reassociate.contains(dst) {
                    allow_reassociation(v);
                }
                self.values[dst.0 as usize] = Some(v);
            }
            Stmt::Set { var, value } => {
                let (slot, _) = self.var_slot(*var)?;
                self.b().build_store(slot, self.value(*value)?)?;
            }
            Stmt::Store { addr, value } => {
                let p = as_ptr(self.value(*addr)?)?;
                let store = self.b().build_store(p, self.value(*value)?)?;
                set_align(store, natural_align(self.value_type(*value)?))?;
            }
            Stmt::If {
                cond,
                then_body,
                else_body,
            } => return self.emit_if(*cond, then_body, else_body),
            Stmt::Versioned {
                cond,
                fast,
                checked,
            } => return self.emit_versioned(*cond, fast, checked),
            Stmt::Loop { body } => return self.emit_loop(body),
            Stmt::ForRange {
                var,
                start,
                stop,
                step,
                step_sign,
                body,
            } => return self.emit_for_range(*var, [*start, *stop, *step], *step_sign, body),
            Stmt::Call {
                callee,
                args,
                results,
                span,
            } => self.emit_call(*callee, args, results, span.start)?,
            Stmt::ParallelFor {
                callee,
                args,
                count,
                chunks,
                partials,
                ..
            } => self.emit_parallel_for(*callee, args, [*count, *chunks, *partials])?,
            Stmt::Kernel { kernel, args, span } => self.emit_kernel(*kernel, args, span.start)?,
            Stmt::Break | Stmt::Continue => {
                let Some(targets) = self.loops.last_mut() else {
                    return bug(format!(
                        "function `{}` has a break/continue outside a loop",
                        self.f.name
                    ));
                };
                let to = if matches!(stmt, Stmt::Break) {
                    targets.broke = true;
                    targets.break_to
                } else {
                    targets.continued = true;
                    targets.continue_to
                };
                self.b().build_unconditional_branch(to)?;
                return Ok(false);
            }
            Stmt::Return(values) => {
                if values.len() != self.f.results.len() {
                    return bug(format!(
                        "function `{}` returns {} values, declares {}",
                        self.f.name,
                        values.len(),
                        self.f.results.len()
                    ));
                }
                let mut slot = 0;
                for (&v, &ty) in values.iter().zip(&self.f.results) {
                    self.m
                        .store_slots(self.ret_ptr, &mut slot, ty, self.value(v)?)?;
                }
                self.return_status(false)?;
                return Ok(false);
            }
            Stmt::Retain(owner) => self.emit_count(*owner, true)?,
            Stmt::Release(owner) => self.emit_count(*owner, false)?,
            Stmt::Raise { error, span } => {
                self.emit_raise(error)?;
                self.emit_trace(span.start)?;
                let unwind = self.unwind_block()?;
                self.b().build_unconditional_branch(unwind)?;
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// An `if`, and the `elif`s of its chain in a loop: an `else` block that
    /// ends in an `If` (the statements before it compute its condition) joins
    /// that `If`'s arms at this `If`'s merge block. One merge block for a chain,
    /// rather than one empty block per arm each branching to the next, keeps
    /// the work of LLVM linear in the arms (merging 5000 nested blocks and
    /// their phis was quadratic in SimplifyCFG and the register coalescer), and
    /// this code's stack flat.
    fn emit_if(&mut self, cond: ValueId, then_body: &'m Block, else_body: &'m Block) -> R<bool> {
        let (mut cond, mut then_body, mut else_body) = (cond, then_body, else_body);
        let mut merge = None;
        let mut merge_used = false;
        loop {
            let cond_value = self.int(cond)?;
            let then_bb = self.append("then");
            let else_bb = if else_body.is_empty() {
                None
            } else {
                Some(self.append("else"))
            };
            let merge_bb = *merge.get_or_insert_with(|| self.append("endif"));
            let br = self.b().build_conditional_branch(
                cond_value,
                then_bb,
                else_bb.unwrap_or(merge_bb),
            )?;
            match (ends_in_raise(then_body), ends_in_raise(else_body)) {
                (true, false) => self.m.set_branch_weights(br, false)?,
                (false, true) => self.m.set_branch_weights(br, true)?,
                _ => {}
            }
            self.m.builder.position_at_end(then_bb);
            merge_used |= else_bb.is_none();
            if self.emit_block(then_body)? {
                self.b().build_unconditional_branch(merge_bb)?;
                merge_used = true;
            }
            let Some(else_bb) = else_bb else { break };
            self.m.builder.position_at_end(else_bb);
            if let Some((
                Stmt::If {
                    cond: next,
                    then_body: next_then,
                    else_body: next_else,
                },
                before,
            )) = else_body.split_last()
            {
                if !self.emit_block(before)? {
                    break;
                }
                (cond, then_body, else_body) = (*next, next_then, next_else);
                continue;
            }
            if self.emit_block(else_body)? {
                self.b().build_unconditional_branch(merge_bb)?;
                merge_used = true;
            }
            break;
        }
        let merge = merge.expect("the first arm made the merge block");
        self.finish_join_block(merge, merge_used)
    }

    /// Like an `if`. The checked copy only runs when an index is out of
    /// bounds: optimizing it for speed would double the time LLVM spends on the
    /// loop for nothing, so its loops are marked cold (kept scalar). No branch
    /// weights: marking `checked` unlikely changed how LLVM unrolled and laid
    /// out the fast loop of the 5x5 convolution, making it 25% slower.
    fn emit_versioned(&mut self, cond: ValueId, fast: &'m Block, checked: &'m Block) -> R<bool> {
        let cond = self.int(cond)?;
        let fast_bb = self.append("fast");
        let checked_bb = self.append("checked");
        let merge = self.append("endversion");
        self.b()
            .build_conditional_branch(cond, fast_bb, checked_bb)?;
        self.m.builder.position_at_end(fast_bb);
        let mut merge_used = false;
        if self.emit_block(fast)? {
            self.b().build_unconditional_branch(merge)?;
            merge_used = true;
        }
        self.m.builder.position_at_end(checked_bb);
        self.cold_depth += 1;
        let falls_through = self.emit_block(checked);
        self.cold_depth -= 1;
        if falls_through? {
            self.b().build_unconditional_branch(merge)?;
            merge_used = true;
        }
        self.finish_join_block(merge, merge_used)
    }

    /// Continues in `bb` when something jumps there, else drops it.
    fn finish_join_block(&self, bb: BasicBlock<'ctx>, used: bool) -> R<bool> {
        if used {
            self.m.builder.position_at_end(bb);
        } else {
            // SAFETY: nothing refers to `bb` (no branch was built to it) and it is empty.
            unsafe { bb.delete() }
                .map_err(|()| EmitError("cannot delete an unused block".into()))?;
        }
        Ok(used)
    }

    fn emit_loop(&mut self, body: &'m Block) -> R<bool> {
        let head = self.append("loop");
        let exit = self.append("loop.end");
        self.b().build_unconditional_branch(head)?;
        self.m.builder.position_at_end(head);
        self.loops.push(LoopTargets {
            continue_to: head,
            break_to: exit,
            continued: false,
            broke: false,
        });
        let falls_through = self.emit_block(body)?;
        let targets = self.loops.pop();
        if falls_through {
            self.b().build_unconditional_branch(head)?;
        }
        self.finish_join_block(exit, targets.is_some_and(|t| t.broke))
    }

    /// `for var in range(start, stop, step)` as a counted loop: the trip count
    /// is computed once in unsigned arithmetic (exact even when `stop` is near
    /// `i64::MAX`), the counter runs `0..trip` and `var = start + k * step`.
    fn emit_for_range(
        &mut self,
        var: VarId,
        bounds: [ValueId; 3],
        sign: StepSign,
        body: &'m Block,
    ) -> R<bool> {
        let [start, stop, step] = [
            self.int(bounds[0])?,
            self.int(bounds[1])?,
            self.int(bounds[2])?,
        ];
        let (slot, var_ty) = self.var_slot(var)?;
        let i64t = self.m.i64();
        let one = i64t.const_int(1, false);
        let b = &self.m.builder;
        let up = || -> R<_> {
            Ok((
                b.build_int_compare(IntPredicate::SLT, start, stop, "nonempty")?,
                b.build_int_sub(stop, start, "dist")?,
                step,
            ))
        };
        let down = || -> R<_> {
            Ok((
                b.build_int_compare(IntPredicate::SGT, start, stop, "nonempty")?,
                b.build_int_sub(start, stop, "dist")?,
                b.build_int_neg(step, "abs.step")?,
            ))
        };
        let (nonempty, dist, abs_step) = match sign {
            StepSign::Positive => up()?,
            StepSign::Negative => down()?,
            StepSign::Unknown => {
                let (up_nonempty, up_dist, up_step) = up()?;
                let (down_nonempty, down_dist, down_step) = down()?;
                let neg =
                    b.build_int_compare(IntPredicate::SLT, step, i64t.const_zero(), "step.neg")?;
                let pick = |t: IntValue<'ctx>, f: IntValue<'ctx>| -> R<IntValue<'ctx>> {
                    as_int(b.build_select(neg, t, f, "")?)
                };
                (
                    pick(down_nonempty, up_nonempty)?,
                    pick(down_dist, up_dist)?,
                    pick(down_step, up_step)?,
                )
            }
        };
        // A zero step is rejected by `lower`; clamping keeps a bug from becoming SIGFPE.
        let abs_step = if abs_step.is_const() {
            abs_step
        } else {
            as_int(self.m.intrinsic(
                "llvm.umax",
                &[i64t.into()],
                &[abs_step.into(), one.into()],
            )?)?
        };
        let b = &self.m.builder;
        // The count when the range is not empty; an empty range skips the
        // loop before it starts, so the loop's own exit is the plain `k < trip`
        // whose count LLVM's analyses (and so the vectorizer) understand.
        let last = b.build_int_unsigned_div(b.build_int_sub(dist, one, "")?, abs_step, "")?;
        let trip = b.build_int_nuw_add(last, one, "trip")?;

        // A constant start >= 0 and step > 0 bound every value of `var` and of
        // the counter by `stop <= i64::MAX`.
        let counts_up_from_non_negative =
            start.get_sign_extended_constant().is_some_and(|s| s >= 0)
                && step.get_sign_extended_constant().is_some_and(|s| s > 0);
        let counter = self.alloca(i64t.into(), "for.k")?;
        self.b().build_store(counter, i64t.const_zero())?;
        let head = self.append("for.head");
        let body_bb = self.append("for.body");
        let latch = self.append("for.latch");
        let exit = self.append("for.end");
        self.b().build_conditional_branch(nonempty, head, exit)?;

        self.m.builder.position_at_end(head);
        let k = as_int(self.b().build_load(i64t, counter, "k")?)?;
        let more = self.b().build_int_compare(IntPredicate::ULT, k, trip, "")?;
        self.b().build_conditional_branch(more, body_bb, exit)?;

        self.m.builder.position_at_end(body_bb);
        let current = if counts_up_from_non_negative {
            // 0 <= start + k * step < stop: neither the product nor the sum
            // wraps, and LLVM knows `var` non-negative in one round of its
            // pipeline (`i % 13` an unsigned remainder, without a select).
            let offset = self.b().build_int_nsw_mul(k, step, "")?;
            self.b().build_int_nsw_add(start, offset, "")?
        } else {
            let offset = self.b().build_int_mul(k, step, "")?;
            self.b().build_int_add(start, offset, "")?
        };
        let current: BasicValueEnum = match var_ty {
            LType::I64 => current.into(),
            LType::I8 | LType::I16 | LType::I32 => self
                .b()
                .build_int_truncate(current, self.m.ty(var_ty).into_int_type(), "")?
                .into(),
            other => return bug(format!("range loop variable {var} has type {other}")),
        };
        self.b().build_store(slot, current)?;
        self.loops.push(LoopTargets {
            continue_to: latch,
            break_to: exit,
            continued: false,
            broke: false,
        });
        let falls_through = self.emit_block(body)?;
        let continued = self.loops.pop().is_some_and(|t| t.continued);
        if falls_through {
            self.b().build_unconditional_branch(latch)?;
        }
        if self.finish_join_block(latch, falls_through || continued)? {
            // k < trip <= u64::MAX, so k + 1 cannot wrap; counting up from a
            // non-negative start, trip <= stop <= i64::MAX, so not as signed
            // either (which makes the counter non-negative to LLVM).
            let next = self.b().build_int_nuw_add(k, one, "k.next")?;
            if counts_up_from_non_negative {
                if let Some(add) = next.as_instruction() {
                    add.set_no_signed_wrap_flag(true)
                        .map_err(|e| EmitError(format!("cannot set nsw on k.next: {e}")))?;
                }
            }
            self.b().build_store(counter, next)?;
            let back = self.b().build_unconditional_branch(head)?;
            let hints = loop_hints(
                self.f,
                body,
                self.cold_depth > 0,
                trip.is_const(),
                !self.loops.is_empty(),
            );
            self.m.set_loop_hints(back, hints);
        }
        self.m.builder.position_at_end(exit);
        Ok(true)
    }

    fn emit_call(
        &mut self,
        callee: ir::FuncIndex,
        args: &[ValueId],
        results: &[VarId],
        at: u32,
    ) -> R<()> {
        let Some(target) = self.ir.functions.get(callee.0 as usize) else {
            return bug(format!(
                "function `{}` calls unknown function {callee}",
                self.f.name
            ));
        };
        if results.len() != target.results.len() || args.len() != target.params.len() {
            return bug(format!(
                "call of `{}` from `{}` does not match its signature",
                target.name, self.f.name
            ));
        }
        let slots: u32 = target.results.iter().map(|&t| slot_count(t)).sum();
        let buffer = if slots == 0 {
            self.m.ptr_type().const_null()
        } else {
            self.alloca(self.m.i64().array_type(slots).into(), "call.ret")?
        };
        if let Some(&lazy_slot) = self.m.lazy_slots.get(&callee.0) {
            let status = self.emit_lazy_call(lazy_slot, args, buffer)?;
            self.pass_on_failure(status)?;
        } else {
            let Some(Some(llfn)) = self.m.functions.get(callee.0 as usize).copied() else {
                return bug(format!("`{}` is not in this module", target.name));
            };
            let mut call_args: Vec<BasicMetadataValueEnum> =
                vec![self.ctx_ptr.into(), buffer.into()];
            for &a in args {
                call_args.push(self.value(a)?.into());
            }
            let status = as_int(self.m.call(llfn, &call_args, "status")?)?;
            let failed = self.failed(status)?;
            // The callee's exception passes through this line of this function.
            self.unwind_if(failed, at)?;
        }
        let mut slot = 0;
        for (&var, &ty) in results.iter().zip(&target.results) {
            let v = self.m.load_slots(buffer, &mut slot, ty)?;
            let (var_slot, _) = self.var_slot(var)?;
            self.b().build_store(var_slot, v)?;
        }
        Ok(())
    }

    /// Calls a cold function through its slot (see `LazyCallee`), `args`
    /// packed as the entry wrapper's: the status it returns.
    fn emit_lazy_call(
        &mut self,
        lazy_slot: PointerValue<'ctx>,
        args: &[ValueId],
        ret: PointerValue<'ctx>,
    ) -> R<IntValue<'ctx>> {
        let (packed, _) = self.pack_slots(args, "cold.args")?;
        // Acquire: pairs with the release that publishes the compiled code.
        let target = self
            .b()
            .build_load(self.m.ptr_type(), lazy_slot, "cold.fn")?;
        if let Some(load) = target.as_instruction_value() {
            load.set_atomic_ordering(AtomicOrdering::Acquire)
                .map_err(|e| EmitError(format!("atomic load: {e}")))?;
            load.set_alignment(8)
                .map_err(|e| EmitError(format!("atomic load: {e}")))?;
        }
        let ptr = self.m.ptr_type();
        let ty = self
            .m
            .i32()
            .fn_type(&[ptr.into(), ptr.into(), ptr.into(), ptr.into()], false);
        let call_args: Vec<BasicMetadataValueEnum> = vec![
            packed.into(),
            ret.into(),
            self.ctx_ptr.into(),
            lazy_slot.into(),
        ];
        let call =
            self.b()
                .build_indirect_call(ty, target.into_pointer_value(), &call_args, "status")?;
        match call.try_as_basic_value() {
            ValueKind::Basic(v) => as_int(v),
            ValueKind::Instruction(_) => bug("the call of a cold function gives no value"),
        }
    }

    /// Calls the runtime's parallel-for on the chunk wrapper of `callee`, its
    /// arguments packed in slots. A worker's exception already carries the
    /// traceback entries of the body's line, the loop's own function included.
    fn emit_parallel_for(
        &mut self,
        callee: ir::FuncIndex,
        args: &[ValueId],
        [count, chunks, partials]: [ValueId; 3],
    ) -> R<()> {
        let (Some(target), Some(&wrapper)) = (
            self.ir.functions.get(callee.0 as usize),
            self.m.chunk_wrappers.get(&callee.0),
        ) else {
            return bug(format!(
                "function `{}` runs unknown function {callee} in parallel",
                self.f.name
            ));
        };
        let (env, env_slots) = self.pack_slots(args, "prange.env")?;
        let result_slots: u32 = target.results.iter().map(|&t| slot_count(t)).sum();
        // Partials, or private arrays (the callee takes the chunk's number),
        // are per chunk: then each chunk needs a call of its own.
        let numbered = target.params.len() > args.len() + 2;
        let one_call_per_chunk = result_slots > 0 || numbered;
        let f = self.m.runtime_fn("ferrojit_parallel_for")?;
        let i64t = self.m.i64();
        let call_args: Vec<BasicMetadataValueEnum> = vec![
            self.ctx_ptr.into(),
            wrapper.as_global_value().as_pointer_value().into(),
            env.into(),
            i64t.const_int(u64::from(env_slots), false).into(),
            self.value(count)?.into(),
            self.value(chunks)?.into(),
            self.value(partials)?.into(),
            i64t.const_int(u64::from(result_slots), false).into(),
            self.m
                .i32()
                .const_int(u64::from(one_call_per_chunk), false)
                .into(),
        ];
        let status = as_int(self.m.call(f, &call_args, "status")?)?;
        self.pass_on_failure(status)
    }

    /// `args` one after another in 8-byte slots of a stack array (the layout
    /// of the entry's `args`, see the crate docs), and how many slots they
    /// take; a null pointer when none.
    fn pack_slots(&mut self, args: &[ValueId], name: &str) -> R<(PointerValue<'ctx>, u32)> {
        let slots: u32 = args
            .iter()
            .map(|&a| self.value_type(a).map(slot_count))
            .sum::<R<u32>>()?;
        let packed = if slots == 0 {
            self.m.ptr_type().const_null()
        } else {
            self.alloca(self.m.i64().array_type(slots).into(), name)?
        };
        let mut slot = 0;
        for &a in args {
            self.m
                .store_slots(packed, &mut slot, self.value_type(a)?, self.value(a)?)?;
        }
        Ok((packed, slots))
    }

    /// Whether `status`, a callee's, reports an exception (is not 0).
    fn failed(&self, status: IntValue<'ctx>) -> R<IntValue<'ctx>> {
        Ok(self.b().build_int_compare(
            IntPredicate::NE,
            status,
            self.m.i32().const_zero(),
            "failed",
        )?)
    }

    /// Returns status 1 at once when `status`, a callee's, is not 0: its
    /// exception already has this function's traceback entry (a worker of
    /// this function's `prange` loop, a checked copy of one of its loops).
    fn pass_on_failure(&mut self, status: IntValue<'ctx>) -> R<()> {
        let failed = self.failed(status)?;
        let unwind = self.unwind_block()?;
        let cont = self.append("ok");
        let br = self.b().build_conditional_branch(failed, unwind, cont)?;
        self.m.set_branch_weights(br, false)?;
        self.m.builder.position_at_end(cont);
        Ok(())
    }

    fn unwind_block(&mut self) -> R<BasicBlock<'ctx>> {
        self.exit_block(true)
    }

    /// Ends the current block by returning status 0 (or 1 when `raised`),
    /// through the shared exit that releases the owners.
    fn return_status(&mut self, raised: bool) -> R<()> {
        if self.f.owners.is_empty() {
            let status = self.m.i32().const_int(u64::from(raised), false);
            self.b().build_return(Some(&status))?;
            return Ok(());
        }
        let exit = self.exit_block(raised)?;
        self.b().build_unconditional_branch(exit)?;
        Ok(())
    }

    /// The shared block that releases every owner variable and returns
    /// status 1 when `raised`, else 0; made on first use.
    fn exit_block(&mut self, raised: bool) -> R<BasicBlock<'ctx>> {
        if let Some(bb) = if raised { self.unwind } else { self.exit } {
            return Ok(bb);
        }
        let bb = self.append(if raised { "raised" } else { "exit" });
        let here = self.b().get_insert_block();
        self.m.builder.position_at_end(bb);
        let ptr_type = self.m.ptr_type();
        for &var in &self.f.owners {
            let (slot, _) = self.var_slot(var)?;
            let owner = self.b().build_load(ptr_type, slot, "owner")?;
            self.count(owner.into_pointer_value(), false)?;
        }
        self.b()
            .build_return(Some(&self.m.i32().const_int(u64::from(raised), false)))?;
        if let Some(here) = here {
            self.m.builder.position_at_end(here);
        }
        if raised {
            self.unwind = Some(bb);
        } else {
            self.exit = Some(bb);
        }
        Ok(bb)
    }

    fn emit_count(&mut self, owner: ValueId, retain: bool) -> R<()> {
        let owner = as_ptr(self.value(owner)?)?;
        self.count(owner, retain)
    }

    /// `Stmt::Retain`/`Release` inline: only a buffer (non-null, low bit clear)
    /// is counted; the last release calls the runtime to free it.
    fn count(&mut self, owner: PointerValue<'ctx>, retain: bool) -> R<()> {
        let i64t = self.m.i64();
        let b = self.b();
        let bits = b.build_ptr_to_int(owner, i64t, "")?;
        let tag = b.build_and(bits, i64t.const_int(1, false), "")?;
        let untagged = b.build_int_compare(IntPredicate::EQ, tag, i64t.const_zero(), "")?;
        let non_null = b.build_int_compare(IntPredicate::NE, bits, i64t.const_zero(), "")?;
        let counted = b.build_and(untagged, non_null, "counted")?;
        let update = self.append(if retain { "retain" } else { "release" });
        let done = self.append("counted");
        self.b().build_conditional_branch(counted, update, done)?;
        self.m.builder.position_at_end(update);
        let one = i64t.const_int(1, false);
        if retain {
            self.b()
                .build_atomicrmw(AtomicRMWBinOp::Add, owner, one, AtomicOrdering::Monotonic)?;
        } else {
            let old = self.b().build_atomicrmw(
                AtomicRMWBinOp::Sub,
                owner,
                one,
                AtomicOrdering::Release,
            )?;
            let last = self
                .b()
                .build_int_compare(IntPredicate::EQ, old, one, "last")?;
            let free = self.append("free");
            self.b().build_conditional_branch(last, free, done)?;
            self.m.builder.position_at_end(free);
            self.b().build_fence(AtomicOrdering::Acquire, false, "")?;
            let f = self.m.runtime_fn("ferrojit_buffer_free")?;
            self.m.call_void(f, &[owner.into()])?;
        }
        self.b().build_unconditional_branch(done)?;
        self.m.builder.position_at_end(done);
        Ok(())
    }

    /// Calls the kernels' runtime entry (`kernels::ferrojit_kernel`) with the
    /// kernel's code and the arguments in a stack array of i64 slots (pointers as
    /// addresses); a failure unwinds from line `at`.
    fn emit_kernel(&mut self, kernel: ir::Kernel, args: &[ValueId], at: u32) -> R<()> {
        let i64t = self.m.i64();
        let array = self.alloca(
            i64t.array_type(args.len().max(1) as u32).into(),
            "kernel.args",
        )?;
        for (k, &a) in args.iter().enumerate() {
            let v = match self.value_type(a)? {
                LType::Ptr => {
                    let p = as_ptr(self.value(a)?)?;
                    self.b().build_ptr_to_int(p, i64t, "")?
                }
                LType::F64 => self
                    .b()
                    .build_bit_cast(self.value(a)?, i64t, "")?
                    .into_int_value(),
                _ => self.to_i64(a)?,
            };
            let at = i64t.const_int(k as u64, false);
            // SAFETY: `k` is below the array's length.
            let slot = unsafe { self.b().build_in_bounds_gep(i64t, array, &[at], "")? };
            self.b().build_store(slot, v)?;
        }
        let Some(code) = crate::kernels::kernel_code(kernel) else {
            return bug(format!("kernel {kernel:?} has no code"));
        };
        let f = self.m.runtime_fn("ferrojit_kernel")?;
        let code = i64t.const_int(code as u64, false);
        let status = as_int(self.m.call(
            f,
            &[self.ctx_ptr.into(), code.into(), array.into()],
            "status",
        )?)?;
        let failed = self.failed(status)?;
        self.unwind_if(failed, at)
    }

    /// When `cond` holds (a runtime function or a callee recorded an
    /// exception), adds the traceback entry for byte `at` and returns status 1;
    /// else continues in a new block.
    fn unwind_if(&mut self, cond: IntValue<'ctx>, at: u32) -> R<()> {
        let trace = self.append("trace");
        let cont = self.append("ok");
        let br = self.b().build_conditional_branch(cond, trace, cont)?;
        self.m.set_branch_weights(br, false)?;
        self.m.builder.position_at_end(trace);
        self.emit_trace(at)?;
        let unwind = self.unwind_block()?;
        self.b().build_unconditional_branch(unwind)?;
        self.m.builder.position_at_end(cont);
        Ok(())
    }

    fn emit_raise(&mut self, error: &RuntimeError) -> R<()> {
        match error {
            RuntimeError::IndexOutOfBounds { index, axis, size } => {
                let f = self.m.runtime_fn("ferrojit_raise_index_error")?;
                let index = self.to_i64(*index)?;
                let size = self.to_i64(*size)?;
                let axis = self.m.i64().const_int(u64::from(*axis), false);
                self.m.call_void(
                    f,
                    &[self.ctx_ptr.into(), index.into(), axis.into(), size.into()],
                )
            }
            RuntimeError::Message { kind, message } => self.emit_raise_message(*kind, message),
            RuntimeError::Broadcast { from, into } => {
                self.emit_raise_shapes(shapes::BROADCAST, from, into)
            }
            RuntimeError::BroadcastOperands { shapes } => self.emit_raise_operand_shapes(shapes),
            RuntimeError::BroadcastOutput { output, broadcast } => {
                self.emit_raise_shapes(shapes::OUTPUT, output, broadcast)
            }
            RuntimeError::CoreShapes { op, left, right } => {
                let what = match op {
                    ir::CoreOp::Matmul => shapes::MATMUL,
                    ir::CoreOp::Dot => shapes::DOT,
                    ir::CoreOp::Solve => shapes::SOLVE,
                    ir::CoreOp::Concatenate => shapes::CONCATENATE,
                };
                self.emit_raise_shapes(what, left, right)
            }
            RuntimeError::Reshape { size, into } => {
                self.emit_raise_shapes(shapes::RESHAPE, std::slice::from_ref(size), into)
            }
            RuntimeError::MaskShape { axis, size, mask } => {
                let axis = self.m.i64().const_int(u64::from(*axis), false);
                let words = [axis, self.to_i64(*size)?, self.to_i64(*mask)?];
                self.call_shape_error(shapes::MASK_SHAPE, &words, 2)
            }
            RuntimeError::MaskValues { values, count } => self.emit_raise_shapes(
                shapes::MASK_VALUES,
                std::slice::from_ref(values),
                std::slice::from_ref(count),
            ),
            RuntimeError::IndexShape { from, into } => {
                self.emit_raise_shapes(shapes::INDEX_SHAPE, from, into)
            }
        }
    }

    /// `shapes::OPERANDS`: passes the number of axes of each shape, then all
    /// their extents, to `ferrojit_raise_shape_error`.
    fn emit_raise_operand_shapes(&mut self, shapes: &[Vec<ValueId>]) -> R<()> {
        let i64t = self.m.i64();
        let mut words: Vec<_> = shapes
            .iter()
            .map(|s| i64t.const_int(s.len() as u64, false))
            .collect();
        for v in shapes.iter().flatten() {
            words.push(self.to_i64(*v)?);
        }
        self.call_shape_error(shapes::OPERANDS, &words, shapes.len())
    }

    /// Passes the extents `from` then `into` to `ferrojit_raise_shape_error`.
    fn emit_raise_shapes(&mut self, what: i64, from: &[ValueId], into: &[ValueId]) -> R<()> {
        let words = from
            .iter()
            .chain(into)
            .map(|v| self.to_i64(*v))
            .collect::<R<Vec<_>>>()?;
        self.call_shape_error(what, &words, from.len())
    }

    /// Calls `ferrojit_raise_shape_error` with `words` in a stack array, the
    /// first `from_len` of them its `from` part.
    fn call_shape_error(&mut self, what: i64, words: &[IntValue<'ctx>], from_len: usize) -> R<()> {
        let i64t = self.m.i64();
        let array = self.alloca(i64t.array_type(words.len().max(1) as u32).into(), "shapes")?;
        for (k, v) in words.iter().enumerate() {
            let at = i64t.const_int(k as u64, false);
            // SAFETY: `k` is below the array's length.
            let slot = unsafe { self.b().build_in_bounds_gep(i64t, array, &[at], "")? };
            self.b().build_store(slot, *v)?;
        }
        let f = self.m.runtime_fn("ferrojit_raise_shape_error")?;
        let what = i64t.const_int(what as u64, false);
        let into_len = i64t.const_int((words.len() - from_len) as u64, false);
        let from_len = i64t.const_int(from_len as u64, false);
        self.m.call_void(
            f,
            &[
                self.ctx_ptr.into(),
                what.into(),
                array.into(),
                from_len.into(),
                into_len.into(),
            ],
        )
    }

    /// Adds the traceback entry for the line of byte `at` of the source to the pending exception.
    fn emit_trace(&mut self, at: u32) -> R<()> {
        let origin = &self.f.origin;
        let index = self.line_starts.partition_point(|&start| start <= at);
        let line = u64::from(origin.source.first_line) + index.saturating_sub(1) as u64;
        let site = format!("{}\n{}", origin.name, origin.source.path);
        let f = self.m.runtime_fn("ferrojit_trace")?;
        let text = self.m.string_constant(&site);
        let len = self.m.i64().const_int(site.len() as u64, false);
        let line = self.m.i64().const_int(line, false);
        self.m.call_void(
            f,
            &[self.ctx_ptr.into(), text.into(), len.into(), line.into()],
        )
    }

    fn emit_raise_message(&mut self, kind: ExceptionKind, message: &str) -> R<()> {
        let f = self.m.runtime_fn("ferrojit_raise_message")?;
        let text = self.m.string_constant(message);
        let kind = self
            .m
            .i32()
            .const_int(u64::from(exception_code(kind)), false);
        let len = self.m.i64().const_int(message.len() as u64, false);
        self.m.call_void(
            f,
            &[self.ctx_ptr.into(), kind.into(), text.into(), len.into()],
        )
    }

    fn to_i64(&self, id: ValueId) -> R<IntValue<'ctx>> {
        let v = self.int(id)?;
        if v.get_type().get_bit_width() == 64 {
            Ok(v)
        } else {
            Ok(self.b().build_int_s_extend(v, self.m.i64(), "")?)
        }
    }

    /// `at`: the statement's source offset, for the traceback entry of a failed allocation.
    fn emit_inst(&mut self, inst: &Inst, ty: LType, at: u32) -> R<BasicValueEnum<'ctx>> {
        let b = &self.m.builder;
        Ok(match inst {
            Inst::Const(c) => self.emit_const(*c)?,
            Inst::Get(var) => {
                let (slot, var_ty) = self.var_slot(*var)?;
                b.build_load(self.m.ty(var_ty), slot, "")?
            }
            Inst::Unary(op, a) => self.emit_unary(*op, *a)?,
            Inst::Binary(op, a, c) => self.emit_binary(*op, *a, *c, ty)?,
            Inst::Cmp(op, a, c) => self.emit_cmp(*op, *a, *c)?.into(),
            Inst::Cast(op, a, to) => self.emit_cast(*op, *a, *to)?,
            Inst::Select {
                cond,
                if_true,
                if_false,
            } => b.build_select(
                self.int(*cond)?,
                self.value(*if_true)?,
                self.value(*if_false)?,
                "",
            )?,
            Inst::Expect(v, expected) => {
                let bit = self.int(*v)?;
                let expected = bit.get_type().const_int(u64::from(*expected), false);
                self.m.intrinsic(
                    "llvm.expect",
                    &[bit.get_type().into()],
                    &[bit.into(), expected.into()],
                )?
            }
            Inst::Load { ty: load_ty, addr } => {
                let v = b.build_load(self.m.ty(*load_ty), as_ptr(self.value(*addr)?)?, "")?;
                set_align(instruction_of(v)?, natural_align(*load_ty))?;
                v
            }
            Inst::PtrOffset { addr, offset } => self
                .element_address(as_ptr(self.value(*addr)?)?, self.int(*offset)?)?
                .into(),
            Inst::Math(f, args) => self.emit_math(*f, args)?,
            Inst::ComplexCall(f, args) => self.complex_call(*f, args, ty)?,
            Inst::MakeComplex { re, im } => {
                self.m
                    .make_complex(ty, self.float(*re)?, self.float(*im)?)?
            }
            Inst::Real(c) => self.m.complex_parts(self.value(*c)?)?.0.into(),
            Inst::Imag(c) => self.m.complex_parts(self.value(*c)?)?.1.into(),
            Inst::Alloc {
                bytes,
                zeroed,
                array,
            } => {
                let f = self.m.runtime_fn("ferrojit_alloc")?;
                let zeroed = self.m.i32().const_int(u64::from(*zeroed), false);
                let bytes = self.int(*bytes)?;
                let p = as_ptr(self.m.call(
                    f,
                    &[self.ctx_ptr.into(), bytes.into(), zeroed.into()],
                    "buf",
                )?)?;
                let failed = self.b().build_is_null(p, "")?;
                let oom = self.append("oom");
                let cont = self.append("ok");
                let br = self.b().build_conditional_branch(failed, oom, cont)?;
                self.m.set_branch_weights(br, false)?;
                self.m.builder.position_at_end(oom);
                // `shapes::MEMORY`: the byte count and the dtype's number, then the extents.
                let i64t = self.m.i64();
                let dtype = array
                    .as_ref()
                    .and_then(|(d, _)| lower::ir::Dtype::ALL.iter().position(|x| x == d));
                let mut words = vec![
                    bytes,
                    i64t.const_int(dtype.map_or(u64::MAX, |k| k as u64), true),
                ];
                for extent in array.iter().flat_map(|(_, extents)| extents) {
                    words.push(self.to_i64(*extent)?);
                }
                self.call_shape_error(shapes::MEMORY, &words, 2)?;
                self.emit_trace(at)?;
                let unwind = self.unwind_block()?;
                self.b().build_unconditional_branch(unwind)?;
                self.m.builder.position_at_end(cont);
                p.into()
            }
            Inst::RoundDecimal { value, digits } => {
                let (name, ty) = match self.value_type(*value)? {
                    LType::F64 => ("ferrojit_round_f64", self.m.ty(LType::F64)),
                    _ => ("ferrojit_round_i64", self.m.ty(LType::I64)),
                };
                let f = self.m.pure_runtime_fn(name, ty);
                let args = [self.value(*value)?.into(), self.int(*digits)?.into()];
                self.m.call(f, &args, "round")?
            }
            Inst::StackExhausted => {
                // `RuntimeContext` is `repr(C)` and starts with the stack limit.
                let limit = b.build_load(self.m.i64(), self.ctx_ptr, "stack.limit")?;
                set_align(instruction_of(limit)?, 8)?;
                let frame = self.m.intrinsic(
                    "llvm.frameaddress",
                    &[self.m.ptr_type().into()],
                    &[self.m.i32().const_zero().into()],
                )?;
                let b = self.b();
                let here = b.build_ptr_to_int(as_ptr(frame)?, self.m.i64(), "stack.here")?;
                b.build_int_compare(IntPredicate::ULT, here, as_int(limit)?, "")?
                    .into()
            }
            Inst::Table { ty, values } => self.m.float_table(*ty, values).into(),
        })
    }

    fn emit_const(&self, c: Const) -> R<BasicValueEnum<'ctx>> {
        Ok(match c {
            Const::Null => self.m.ptr_type().const_null().into(),
            Const::Bool(v) => self
                .m
                .context
                .bool_type()
                .const_int(u64::from(v), false)
                .into(),
            Const::Int(ty, v) => match self.m.ty(ty) {
                BasicTypeEnum::IntType(t) => t.const_int(v as u64, true).into(),
                _ => return bug(format!("integer constant of type {ty}")),
            },
            Const::Float(ty, v) => self.m.float_type(ty)?.const_float(v).into(),
            Const::Addr(a) => self
                .m
                .context
                .i64_type()
                .const_int(a, false)
                .const_to_pointer(self.m.ptr_type())
                .into(),
            Const::Complex(ty, re, im) => {
                let part = self.m.float_type(ty)?;
                self.m
                    .context
                    .const_struct(
                        &[part.const_float(re).into(), part.const_float(im).into()],
                        false,
                    )
                    .into()
            }
        })
    }

    fn emit_unary(&self, op: UnaryOp, a: ValueId) -> R<BasicValueEnum<'ctx>> {
        let b = self.b();
        Ok(match op {
            UnaryOp::INeg => b.build_int_neg(self.int(a)?, "")?.into(),
            UnaryOp::Not => b.build_not(self.int(a)?, "")?.into(),
            UnaryOp::FNeg => b.build_float_neg(self.float(a)?, "")?.into(),
            UnaryOp::CNeg => {
                let (re, im) = self.m.complex_parts(self.value(a)?)?;
                let ty = self.value_type(a)?;
                self.m
                    .make_complex(ty, b.build_float_neg(re, "")?, b.build_float_neg(im, "")?)?
            }
            UnaryOp::CAbs => {
                let (re, im) = self.m.complex_parts(self.value(a)?)?;
                self.libm_call("hypot", re.get_type(), &[re, im])?
            }
        })
    }

    /// Calls the C library's complex `f` (`complex_libm_fn` has its ABI).
    fn complex_call(&self, f: ComplexFn, args: &[ValueId], ty: LType) -> R<BasicValueEnum<'ctx>> {
        let b = self.b();
        let i32 = self.m.i32();
        let mut c_args: Vec<BasicMetadataValueEnum> = Vec::new();
        let mut part = None;
        for &a in args {
            let (re, im) = self.m.complex_parts(self.value(a)?)?;
            let t = re.get_type();
            part = Some(t);
            if t == self.m.context.f32_type() {
                let pair = t.vec_type(2).get_poison();
                let pair = b.build_insert_element(pair, re, i32.const_zero(), "")?;
                let pair = b.build_insert_element(pair, im, i32.const_int(1, false), "")?;
                c_args.push(pair.into());
            } else {
                c_args.extend::<[BasicMetadataValueEnum; 2]>([re.into(), im.into()]);
            }
        }
        let Some(part) = part else {
            return bug(format!("{} without arguments", f.c_name()));
        };
        let function = self.m.complex_libm_fn(f, part);
        let call = b.build_call(function, &c_args, "")?;
        // Not recognised as a library function (LLVM would fold constant
        // arguments its own way): always the C library's result, as NumPy's.
        call.add_attribute(AttributeLoc::Function, self.m.enum_attr("nobuiltin", 0));
        let result = match call.try_as_basic_value() {
            ValueKind::Basic(v) => v,
            ValueKind::Instruction(_) => return bug(format!("{} gives no value", f.c_name())),
        };
        let (re, im) = match result {
            BasicValueEnum::VectorValue(pair) => (
                b.build_extract_element(pair, i32.const_zero(), "")?,
                b.build_extract_element(pair, i32.const_int(1, false), "")?,
            ),
            BasicValueEnum::StructValue(pair) => (
                b.build_extract_value(pair, 0, "")?,
                b.build_extract_value(pair, 1, "")?,
            ),
            other => return bug(format!("{} gives {:?}", f.c_name(), other.get_type())),
        };
        self.m.make_complex(ty, as_float(re)?, as_float(im)?)
    }

    /// `p` plus `offset` bytes. An offset that ends in `j * size`, `size` an
    /// element size (the term of a unit-stride axis), becomes `p` plus the
    /// other terms in bytes, then element `j` of a `size`-byte type: LLVM's
    /// loop-access analysis bounds the pointers of a typed GEP whose index is
    /// a `select` (a wrapped `a[j - 1]`, a `(j + 1) % m` made a compare and a
    /// subtraction) as a pair of affine ones, and so can vectorize the loop
    /// (the torus stencil); behind the multiply of a byte offset it sees one
    /// pointer it cannot bound.
    fn element_address(
        &self,
        p: PointerValue<'ctx>,
        offset: IntValue<'ctx>,
    ) -> R<PointerValue<'ctx>> {
        let b = self.b();
        let i8t = self.m.context.i8_type();
        let (rest, unit) = match split_unit_term(offset) {
            Some(split) => split,
            // SAFETY (here and below): `lower` only forms addresses of elements
            // it checked (or that the user vouched for with boundscheck=False),
            // so they, and the start of their row, stay inside the buffer.
            None => return Ok(unsafe { b.build_in_bounds_gep(i8t, p, &[offset], "")? }),
        };
        let row = match rest {
            Some(rest) => unsafe { b.build_in_bounds_gep(i8t, p, &[rest], "")? },
            None => p,
        };
        let (index, size) = unit;
        let element = match size {
            1 => self.m.context.i8_type(),
            2 => self.m.context.i16_type(),
            4 => self.m.context.i32_type(),
            8 => self.m.context.i64_type(),
            _ => self.m.context.i128_type(),
        };
        Ok(unsafe { b.build_in_bounds_gep(element, row, &[index], "")? })
    }

    fn libm_call(
        &self,
        name: &str,
        ty: FloatType<'ctx>,
        args: &[FloatValue<'ctx>],
    ) -> R<BasicValueEnum<'ctx>> {
        let single = ty == self.m.context.f32_type();
        let symbol = if single {
            format!("{name}f")
        } else {
            name.to_owned()
        };
        let f = self.m.libm_fn(&symbol, ty, args.len());
        let args: Vec<BasicMetadataValueEnum> = args.iter().map(|&a| a.into()).collect();
        let call = self.b().build_call(f, &args, "")?;
        if single {
            // LLVM would fold a call of constants in double precision rounded
            // once (`coshf(1.0f)` to 1.5430807), where glibc's float function,
            // which NumPy's float32 loops call too, gives 1.5430806 at run time:
            // not recognised as a library function, it is always glibc's.
            call.add_attribute(AttributeLoc::Function, self.m.enum_attr("nobuiltin", 0));
        }
        match call.try_as_basic_value() {
            ValueKind::Basic(v) => Ok(v),
            ValueKind::Instruction(_) => bug(format!("libm `{symbol}` gives no value")),
        }
    }

    fn emit_binary(
        &self,
        op: BinaryOp,
        a: ValueId,
        c: ValueId,
        ty: LType,
    ) -> R<BasicValueEnum<'ctx>> {
        use BinaryOp::*;
        let b = self.b();
        match op {
            IAdd | ISub | IMul | SDiv | UDiv | SRem | URem | And | Or | Xor | Shl | AShr | LShr
            | SMin | SMax | UMin | UMax => {
                let (x, y) = (self.int(a)?, self.int(c)?);
                let v = match op {
                    IAdd => b.build_int_add(x, y, "")?,
                    ISub => b.build_int_sub(x, y, "")?,
                    IMul => b.build_int_mul(x, y, "")?,
                    SDiv | SRem => self.signed_div_rem(op == SDiv, x, y)?,
                    UDiv => b.build_int_unsigned_div(x, y, "")?,
                    URem => b.build_int_unsigned_rem(x, y, "")?,
                    And => b.build_and(x, y, "")?,
                    Or => b.build_or(x, y, "")?,
                    Xor => b.build_xor(x, y, "")?,
                    // An oversized shift amount gives poison; freezing turns it
                    // into some fixed value so it cannot reach a branch as UB.
                    Shl => self.freeze(b.build_left_shift(x, y, "")?)?,
                    AShr => self.freeze(b.build_right_shift(x, y, true, "")?)?,
                    LShr => self.freeze(b.build_right_shift(x, y, false, "")?)?,
                    _ => {
                        let name = match op {
                            SMin => "llvm.smin",
                            SMax => "llvm.smax",
                            UMin => "llvm.umin",
                            _ => "llvm.umax",
                        };
                        return self.m.intrinsic(
                            name,
                            &[x.get_type().into()],
                            &[x.into(), y.into()],
                        );
                    }
                };
                Ok(v.into())
            }
            FCopySign => {
                let (x, y) = (self.float(a)?, self.float(c)?);
                self.m.intrinsic(
                    "llvm.copysign",
                    &[x.get_type().into()],
                    &[x.into(), y.into()],
                )
            }
            // The runtime's exact `fmod` (`remainder.rs` says why not glibc's),
            // as a call rather than LLVM's `frem`, which codegen would make a
            // glibc call anyway, and which LLVM 19 costs as cheap: the SLP
            // vectorizer packed the two remainders of `x // c + x % d` into one
            // `<2 x double>` `frem`, split back into calls with the vectors
            // spilled around them. A float32 remainder is exact in float64 and
            // fits a float32 again.
            FRem => {
                let (x, y) = (self.float(a)?, self.float(c)?);
                let double = self.m.context.f64_type();
                let wide = |v: FloatValue<'ctx>| -> R<FloatValue<'ctx>> {
                    if v.get_type() == double {
                        Ok(v)
                    } else {
                        Ok(b.build_float_ext(v, double, "")?)
                    }
                };
                let f = self.m.libm_fn("ferrojit_fmod", double, 2);
                let call = b.build_call(f, &[wide(x)?.into(), wide(y)?.into()], "")?;
                let r = match call.try_as_basic_value() {
                    ValueKind::Basic(v) => as_float(v)?,
                    ValueKind::Instruction(_) => return bug("`ferrojit_fmod` gives no value"),
                };
                if x.get_type() == double {
                    Ok(r.into())
                } else {
                    Ok(b.build_float_trunc(r, x.get_type(), "")?.into())
                }
            }
            FAdd | FSub | FMul | FDiv | FMin | FMax => {
                let (x, y) = (self.float(a)?, self.float(c)?);
                Ok(match op {
                    FAdd => b.build_float_add(x, y, "")?.into(),
                    FSub => b.build_float_sub(x, y, "")?.into(),
                    FMul => b.build_float_mul(x, y, "")?.into(),
                    FDiv => b.build_float_div(x, y, "")?.into(),
                    // Python's min(x, y) keeps x unless y < x (so a NaN first
                    // argument wins, a NaN second one loses); max likewise.
                    FMin => b.build_select(
                        b.build_float_compare(FloatPredicate::OLT, y, x, "")?,
                        y,
                        x,
                        "",
                    )?,
                    _ => b.build_select(
                        b.build_float_compare(FloatPredicate::OGT, y, x, "")?,
                        y,
                        x,
                        "",
                    )?,
                })
            }
            CMulLoop if host_fuses_complex_products() => {
                let (xr, xi) = self.m.complex_parts(self.value(a)?)?;
                let (yr, yi) = self.m.complex_parts(self.value(c)?)?;
                let fma = |x: FloatValue<'ctx>, y: FloatValue<'ctx>, z: FloatValue<'ctx>| {
                    let ty = x.get_type().into();
                    let r = self
                        .m
                        .intrinsic("llvm.fma", &[ty], &[x.into(), y.into(), z.into()])?;
                    Ok::<_, EmitError>(r.into_float_value())
                };
                let xi_yi = b.build_float_mul(xi, yi, "")?;
                let re = fma(xr, yr, b.build_float_neg(xi_yi, "")?)?;
                let im = fma(xr, yi, b.build_float_mul(xi, yr, "")?)?;
                self.m.make_complex(ty, re, im)
            }
            CAdd | CSub | CMul | CMulLoop | CDiv => {
                let (xr, xi) = self.m.complex_parts(self.value(a)?)?;
                let (yr, yi) = self.m.complex_parts(self.value(c)?)?;
                let (re, im) = match op {
                    CAdd => (
                        b.build_float_add(xr, yr, "")?,
                        b.build_float_add(xi, yi, "")?,
                    ),
                    CSub => (
                        b.build_float_sub(xr, yr, "")?,
                        b.build_float_sub(xi, yi, "")?,
                    ),
                    CMul | CMulLoop => (
                        b.build_float_sub(
                            b.build_float_mul(xr, yr, "")?,
                            b.build_float_mul(xi, yi, "")?,
                            "",
                        )?,
                        b.build_float_add(
                            b.build_float_mul(xr, yi, "")?,
                            b.build_float_mul(xi, yr, "")?,
                            "",
                        )?,
                    ),
                    _ => self.complex_div((xr, xi), (yr, yi))?,
                };
                self.m.make_complex(ty, re, im)
            }
        }
    }

    /// `sdiv`/`srem` where `i64::MIN / -1` wraps (gives MIN, remainder 0)
    /// instead of trapping as the hardware instruction does.
    fn signed_div_rem(&self, div: bool, x: IntValue<'ctx>, y: IntValue<'ctx>) -> R<IntValue<'ctx>> {
        let b = self.b();
        let zero = x.get_type().const_zero();
        let op = |x, y| -> R<IntValue<'ctx>> {
            Ok(if div {
                b.build_int_signed_div(x, y, "")?
            } else {
                b.build_int_signed_rem(x, y, "")?
            })
        };
        match y.get_sign_extended_constant() {
            Some(-1) => Ok(if div { b.build_int_neg(x, "")? } else { zero }),
            Some(_) => op(x, y),
            None => {
                let minus_one = x.get_type().const_all_ones();
                let is_minus_one = b.build_int_compare(IntPredicate::EQ, y, minus_one, "")?;
                let safe = as_int(b.build_select(
                    is_minus_one,
                    x.get_type().const_int(1, false),
                    y,
                    "",
                )?)?;
                let q = op(x, safe)?;
                let special = if div { b.build_int_neg(x, "")? } else { zero };
                as_int(b.build_select(is_minus_one, special, q, "")?)
            }
        }
    }

    /// `CastOp::FPToSIOrMin`. On x86-64 it is the conversion instruction
    /// itself (`cvttsd2si`, `cvttss2si`), whose result for NaN and
    /// out-of-range inputs is `i64::MIN`. Elsewhere it is
    /// `|x| < 2**63 ? x as i64 : i64::MIN` (false for NaN; -2**63 falls
    /// outside but gives `i64::MIN` either way).
    ///
    /// Why the instruction on x86: the generic form costs a mask, a compare
    /// and a conditional move besides the conversion, which
    /// `h[int(x[i] * bins)] += 1` paid per element: 1.2x Numba's time (Numba
    /// converts unguarded), and LLVM's cmov converter made the move a branch
    /// whose speed moved with the code's address. The price is that LLVM
    /// vectorizes no target intrinsic: a conversion loop stays scalar. AVX2
    /// has no vector conversion to int64 either, so on this machine LLVM's
    /// vector form was no faster (`out[i] = int(a[i])`, 1,000 elements).
    fn float_to_i64_or_min(&self, x: FloatValue<'ctx>) -> R<IntValue<'ctx>> {
        let b = self.b();
        let is_f64 = x.get_type() == self.m.context.f64_type();
        if cfg!(target_arch = "x86_64") {
            let (lanes, name) = if is_f64 {
                (2, "llvm.x86.sse2.cvttsd2si64")
            } else {
                (4, "llvm.x86.sse.cvttss2si64")
            };
            let vector = x.get_type().vec_type(lanes).get_poison();
            let lane0 = self.m.context.i32_type().const_zero();
            let vector = b.build_insert_element(vector, x, lane0, "")?;
            return Ok(self
                .m
                .intrinsic(name, &[], &[vector.into()])?
                .into_int_value());
        }
        let i64t = self.m.context.i64_type();
        let magnitude = self
            .m
            .intrinsic("llvm.fabs", &[x.get_type().into()], &[x.into()])?
            .into_float_value();
        let two_63 = x.get_type().const_float(9_223_372_036_854_775_808.0);
        let in_range = b.build_float_compare(FloatPredicate::OLT, magnitude, two_63, "")?;
        let converted = self.freeze(b.build_float_to_signed_int(x, i64t, "")?)?;
        let min = i64t.const_int(i64::MIN as u64, false);
        Ok(b.build_select(in_range, converted, min, "")?
            .into_int_value())
    }

    fn freeze(&self, v: IntValue<'ctx>) -> R<IntValue<'ctx>> {
        // inkwell 0.11 has no `build_freeze`.
        // SAFETY: the builder is positioned (it just built `v`) and `v` is a
        // valid value of this context; LLVMBuildFreeze returns an int of the same type.
        unsafe {
            let raw = llvm_sys::core::LLVMBuildFreeze(
                self.b().as_mut_ptr(),
                v.as_value_ref(),
                c"".as_ptr(),
            );
            Ok(IntValue::new(raw))
        }
    }

    /// Smith's algorithm, as CPython's `_Py_c_quot`: scales by the larger
    /// part of the divisor so that neither product overflows needlessly.
    fn complex_div(
        &self,
        (ar, ai): (FloatValue<'ctx>, FloatValue<'ctx>),
        (br, bi): (FloatValue<'ctx>, FloatValue<'ctx>),
    ) -> R<(FloatValue<'ctx>, FloatValue<'ctx>)> {
        let b = self.b();
        let fabs = |x: FloatValue<'ctx>| -> R<FloatValue<'ctx>> {
            as_float(
                self.m
                    .intrinsic("llvm.fabs", &[x.get_type().into()], &[x.into()])?,
            )
        };
        let (abs_br, abs_bi) = (fabs(br)?, fabs(bi)?);
        // |br| >= |bi|: ratio = bi/br, denom = br + bi*ratio
        let ratio1 = b.build_float_div(bi, br, "")?;
        let denom1 = b.build_float_add(br, b.build_float_mul(bi, ratio1, "")?, "")?;
        let re1 = b.build_float_div(
            b.build_float_add(ar, b.build_float_mul(ai, ratio1, "")?, "")?,
            denom1,
            "",
        )?;
        let im1 = b.build_float_div(
            b.build_float_sub(ai, b.build_float_mul(ar, ratio1, "")?, "")?,
            denom1,
            "",
        )?;
        // |bi| > |br|: ratio = br/bi, denom = br*ratio + bi
        let ratio2 = b.build_float_div(br, bi, "")?;
        let denom2 = b.build_float_add(b.build_float_mul(br, ratio2, "")?, bi, "")?;
        let re2 = b.build_float_div(
            b.build_float_add(b.build_float_mul(ar, ratio2, "")?, ai, "")?,
            denom2,
            "",
        )?;
        let im2 = b.build_float_div(
            b.build_float_sub(b.build_float_mul(ai, ratio2, "")?, ar, "")?,
            denom2,
            "",
        )?;
        let first = b.build_float_compare(FloatPredicate::OGE, abs_br, abs_bi, "")?;
        let second = b.build_float_compare(FloatPredicate::OGE, abs_bi, abs_br, "")?;
        // Neither comparison holds only when a part of the divisor is NaN.
        let nan = ar.get_type().const_float(f64::NAN);
        let pick = |x1: FloatValue<'ctx>, x2: FloatValue<'ctx>| -> R<FloatValue<'ctx>> {
            let inner = b.build_select(second, x2, nan, "")?;
            as_float(b.build_select(first, x1.into(), inner, "")?)
        };
        Ok((pick(re1, re2)?, pick(im1, im2)?))
    }

    fn emit_cmp(&self, op: CmpOp, a: ValueId, c: ValueId) -> R<IntValue<'ctx>> {
        let b = self.b();
        let (x, y) = (self.value(a)?, self.value(c)?);
        let int_pred = match op {
            CmpOp::Eq => Some(IntPredicate::EQ),
            CmpOp::Ne => Some(IntPredicate::NE),
            CmpOp::SLt => Some(IntPredicate::SLT),
            CmpOp::SLe => Some(IntPredicate::SLE),
            CmpOp::SGt => Some(IntPredicate::SGT),
            CmpOp::SGe => Some(IntPredicate::SGE),
            CmpOp::ULt => Some(IntPredicate::ULT),
            CmpOp::ULe => Some(IntPredicate::ULE),
            CmpOp::UGt => Some(IntPredicate::UGT),
            CmpOp::UGe => Some(IntPredicate::UGE),
            _ => None,
        };
        if let Some(pred) = int_pred {
            return Ok(match (x, y) {
                (BasicValueEnum::PointerValue(p), BasicValueEnum::PointerValue(q)) => {
                    b.build_int_compare(pred, p, q, "")?
                }
                _ => b.build_int_compare(pred, as_int(x)?, as_int(y)?, "")?,
            });
        }
        let float_pred = match op {
            CmpOp::FEq => Some(FloatPredicate::OEQ),
            CmpOp::FLt => Some(FloatPredicate::OLT),
            CmpOp::FLe => Some(FloatPredicate::OLE),
            CmpOp::FGt => Some(FloatPredicate::OGT),
            CmpOp::FGe => Some(FloatPredicate::OGE),
            CmpOp::FNe => Some(FloatPredicate::UNE),
            _ => None,
        };
        if let Some(pred) = float_pred {
            return Ok(b.build_float_compare(pred, as_float(x)?, as_float(y)?, "")?);
        }
        let (xr, xi) = self.m.complex_parts(x)?;
        let (yr, yi) = self.m.complex_parts(y)?;
        if op == CmpOp::CEq {
            let re = b.build_float_compare(FloatPredicate::OEQ, xr, yr, "")?;
            let im = b.build_float_compare(FloatPredicate::OEQ, xi, yi, "")?;
            Ok(b.build_and(re, im, "")?)
        } else {
            let re = b.build_float_compare(FloatPredicate::UNE, xr, yr, "")?;
            let im = b.build_float_compare(FloatPredicate::UNE, xi, yi, "")?;
            Ok(b.build_or(re, im, "")?)
        }
    }

    fn emit_cast(&self, op: CastOp, a: ValueId, to: LType) -> R<BasicValueEnum<'ctx>> {
        let b = self.b();
        let from = self.value_type(a)?;
        let v = self.value(a)?;
        if from == to && op != CastOp::ToComplex {
            return Ok(v);
        }
        let to_ty = self.m.ty(to);
        let int_to = || match to_ty {
            BasicTypeEnum::IntType(t) => Ok(t),
            _ => bug(format!("{op:?} to non-integer type {to}")),
        };
        Ok(match op {
            CastOp::SExt => b.build_int_s_extend(as_int(v)?, int_to()?, "")?.into(),
            CastOp::PtrToInt => b.build_ptr_to_int(as_ptr(v)?, int_to()?, "")?.into(),
            CastOp::ZExt => b.build_int_z_extend(as_int(v)?, int_to()?, "")?.into(),
            CastOp::Trunc => b.build_int_truncate(as_int(v)?, int_to()?, "")?.into(),
            CastOp::SIToFP => b
                .build_signed_int_to_float(as_int(v)?, self.m.float_type(to)?, "")?
                .into(),
            CastOp::UIToFP => b
                .build_unsigned_int_to_float(as_int(v)?, self.m.float_type(to)?, "")?
                .into(),
            // NaN or out-of-range inputs give poison; frozen, they give some
            // fixed integer, which a following bounds check then handles.
            CastOp::FPToSI => self
                .freeze(b.build_float_to_signed_int(as_float(v)?, int_to()?, "")?)?
                .into(),
            CastOp::FPToUI => self
                .freeze(b.build_float_to_unsigned_int(as_float(v)?, int_to()?, "")?)?
                .into(),
            CastOp::FPToSIOrMin => self.float_to_i64_or_min(as_float(v)?)?.into(),
            CastOp::FPExt => b
                .build_float_ext(as_float(v)?, self.m.float_type(to)?, "")?
                .into(),
            CastOp::FPTrunc => b
                .build_float_trunc(as_float(v)?, self.m.float_type(to)?, "")?
                .into(),
            CastOp::ToComplex => {
                let part = self.m.float_type(to)?;
                let (re, im) = match from {
                    LType::C64 | LType::C128 => self.m.complex_parts(v)?,
                    LType::F32 | LType::F64 => {
                        (as_float(v)?, self.m.float_type(from)?.const_zero())
                    }
                    other => return bug(format!("ToComplex from {other}")),
                };
                let convert = |x: FloatValue<'ctx>| -> R<FloatValue<'ctx>> {
                    Ok(match (x.get_type() == part, from_is_wider(from, to)) {
                        (true, _) => x,
                        (false, true) => b.build_float_trunc(x, part, "")?,
                        (false, false) => b.build_float_ext(x, part, "")?,
                    })
                };
                self.m.make_complex(to, convert(re)?, convert(im)?)?
            }
        })
    }

    fn emit_math(&self, f: Primitive, args: &[ValueId]) -> R<BasicValueEnum<'ctx>> {
        let floats = args.iter().map(|&a| self.float(a)).collect::<R<Vec<_>>>()?;
        if floats.len() != f.arity() {
            return bug(format!(
                "math.{} takes {} arguments, low IR gives {}",
                f.name(),
                f.arity(),
                floats.len()
            ));
        }
        let x = floats[0];
        let ty = x.get_type();
        let b = self.b();
        let intrinsic = |name: &str| -> R<BasicValueEnum<'ctx>> {
            let args: Vec<BasicMetadataValueEnum> = floats.iter().map(|&a| a.into()).collect();
            self.m.intrinsic(name, &[ty.into()], &args)
        };
        if let Some(name) = f.libm_name() {
            return self.libm_call(name, ty, &floats);
        }
        // LLVM folds its intrinsics of float32 constants in double precision
        // too: float32 calls the C library's float function instead (a call
        // either way; `libm_call` says why). `pow` stays an intrinsic, which
        // LLVM turns into `x * x` for `x ** 2.0`, as NumPy squares.
        let float32 = ty == self.m.context.f32_type();
        let transcendental = match f {
            Primitive::Exp => Some("exp"),
            Primitive::Exp2 => Some("exp2"),
            Primitive::Log => Some("log"),
            Primitive::Log2 => Some("log2"),
            Primitive::Log10 => Some("log10"),
            Primitive::Sin => Some("sin"),
            Primitive::Cos => Some("cos"),
            _ => None,
        };
        if let (true, Some(name)) = (float32, transcendental) {
            return self.libm_call(name, ty, &floats);
        }
        let abs_compared = |predicate| -> R<BasicValueEnum<'ctx>> {
            let abs = as_float(intrinsic("llvm.fabs")?)?;
            let inf = ty.const_float(f64::INFINITY);
            Ok(b.build_float_compare(predicate, abs, inf, "")?.into())
        };
        match f {
            Primitive::Sqrt => intrinsic("llvm.sqrt"),
            Primitive::Exp => intrinsic("llvm.exp"),
            Primitive::Exp2 => intrinsic("llvm.exp2"),
            Primitive::Log => intrinsic("llvm.log"),
            Primitive::Log2 => intrinsic("llvm.log2"),
            Primitive::Log10 => intrinsic("llvm.log10"),
            Primitive::Sin => intrinsic("llvm.sin"),
            Primitive::Cos => intrinsic("llvm.cos"),
            Primitive::Floor => intrinsic("llvm.floor"),
            Primitive::Ceil => intrinsic("llvm.ceil"),
            Primitive::Trunc => intrinsic("llvm.trunc"),
            Primitive::Rint => intrinsic("llvm.roundeven"),
            Primitive::Fabs => intrinsic("llvm.fabs"),
            // Once the base is a constant 2**n, LLVM rewrites pow as exp2(n * x),
            // whose product rounds: `math.pow(2.0**53, x)` was 3 ulp from C's pow
            // (fuzz 119:11868). A fence hides the base where the exponent is not
            // a constant; a constant exponent keeps LLVM's rewrites of it
            // (`x ** 0.5` to a square root, which vectorizes: fenced, it did
            // not), and with a constant base the call folds with C's pow.
            Primitive::Pow if !floats[1].is_const() => {
                let base = self
                    .m
                    .intrinsic("llvm.arithmetic.fence", &[ty.into()], &[x.into()])?;
                self.m
                    .intrinsic("llvm.pow", &[ty.into()], &[base.into(), floats[1].into()])
            }
            Primitive::Pow => intrinsic("llvm.pow"),
            Primitive::CopySign => intrinsic("llvm.copysign"),
            Primitive::IsNan => Ok(b.build_float_compare(FloatPredicate::UNO, x, x, "")?.into()),
            Primitive::IsInf => abs_compared(FloatPredicate::OEQ),
            Primitive::IsFinite => abs_compared(FloatPredicate::OLT),
            // Those with a C library function were called above.
            other => bug(format!("math.{} has no LLVM intrinsic", other.name())),
        }
    }
}

fn from_is_wider(from: LType, to: LType) -> bool {
    matches!(from, LType::F64 | LType::C128) && matches!(to, LType::F32 | LType::C64)
}

fn ends_in_raise(block: &Block) -> bool {
    matches!(block.last(), Some(Stmt::Raise { .. }))
}
