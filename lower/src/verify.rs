//! Checks that a lowered module is well formed (debug builds run it after
//! lowering): every value is defined before use and in scope, every operand
//! has the type its instruction needs, and control flow is where it may be.

use std::collections::HashSet;

use crate::builder::{complex_part, inst_type};
use crate::ir::{
    BinaryOp, Block, CastOp, CmpOp, Function, Inst, LType, Module, RuntimeError, Stmt, UnaryOp,
    ValueId,
};

/// Panics with the printed module when it is malformed: that is a bug in `lower`.
pub(crate) fn verify(module: &Module) {
    if let Err(message) = check_module(module) {
        panic!("lower produced malformed IR (a bug in ferrojit): {message}\n{module}");
    }
}

pub(crate) fn check_module(module: &Module) -> Result<(), String> {
    for (i, func) in module.functions.iter().enumerate() {
        let mut v = Verifier {
            module,
            func,
            defined: HashSet::new(),
            scopes: vec![Vec::new()],
            loop_vars: Vec::new(),
        };
        for p in &func.params {
            if p.0 as usize >= func.vars.len() {
                return Err(format!("f{i}: parameter {p} is not a variable"));
            }
        }
        v.block(&func.body, 0)
            .map_err(|e| format!("in f{i} `{}`: {e}", func.name))?;
    }
    Ok(())
}

struct Verifier<'a> {
    module: &'a Module,
    func: &'a Function,
    defined: HashSet<ValueId>,
    /// Values defined in each open block, removed when the block closes.
    scopes: Vec<Vec<ValueId>>,
    /// Counters of the enclosing `ForRange` loops, which the body must not set.
    loop_vars: Vec<crate::ir::VarId>,
}

impl Verifier<'_> {
    fn ty(&self, v: ValueId) -> Result<LType, String> {
        if !self.defined.contains(&v) {
            return Err(format!(
                "{v} is used before its definition or outside its scope"
            ));
        }
        Ok(self.func.value_types[v.0 as usize])
    }

    fn expect(&self, v: ValueId, want: LType, what: &str) -> Result<(), String> {
        let got = self.ty(v)?;
        if got != want {
            return Err(format!("{what}: {v} has type {got}, expected {want}"));
        }
        Ok(())
    }

    fn var_ty(&self, var: crate::ir::VarId) -> Result<LType, String> {
        self.func
            .vars
            .get(var.0 as usize)
            .map(|v| v.ty)
            .ok_or_else(|| format!("{var} is not a variable"))
    }

    fn block(&mut self, body: &Block, loops: usize) -> Result<(), String> {
        self.scopes.push(Vec::new());
        for s in body {
            self.stmt(s, loops)?;
        }
        for v in self.scopes.pop().unwrap_or_default() {
            self.defined.remove(&v);
        }
        Ok(())
    }

    fn stmt(&mut self, s: &Stmt, loops: usize) -> Result<(), String> {
        match s {
            Stmt::Let { dst, inst, .. } => {
                self.inst(inst)?;
                let expected = inst_type(inst, &self.func.value_types, &self.func.vars);
                let declared = *self
                    .func
                    .value_types
                    .get(dst.0 as usize)
                    .ok_or(format!("{dst} has no type"))?;
                if declared != expected {
                    return Err(format!(
                        "{dst} is declared {declared} but its instruction gives {expected}"
                    ));
                }
                if !self.defined.insert(*dst) {
                    return Err(format!("{dst} is defined twice"));
                }
                self.scopes.last_mut().expect("a scope is open").push(*dst);
            }
            Stmt::Set { var, value } => {
                if self.loop_vars.contains(var) {
                    return Err(format!("{var} is a loop counter and is set in its loop"));
                }
                self.expect(*value, self.var_ty(*var)?, "set")?;
            }
            Stmt::Store { addr, value } => {
                self.expect(*addr, LType::Ptr, "store address")?;
                self.ty(*value)?;
            }
            Stmt::Retain(owner) | Stmt::Release(owner) => {
                self.expect(*owner, LType::Ptr, "array owner")?;
            }
            Stmt::If {
                cond,
                then_body,
                else_body,
            } => {
                self.expect(*cond, LType::I1, "if condition")?;
                self.block(then_body, loops)?;
                self.block(else_body, loops)?;
            }
            Stmt::Versioned {
                cond,
                fast,
                checked,
            } => {
                self.expect(*cond, LType::I1, "version condition")?;
                self.block(fast, loops)?;
                self.block(checked, loops)?;
            }
            Stmt::Loop { body } => self.block(body, loops + 1)?,
            Stmt::ForRange {
                var,
                start,
                stop,
                step,
                body,
                ..
            } => {
                for v in [start, stop, step] {
                    self.expect(*v, LType::I64, "range bound")?;
                }
                if self.var_ty(*var)? != LType::I64 {
                    return Err(format!("loop counter {var} is not i64"));
                }
                self.loop_vars.push(*var);
                self.block(body, loops + 1)?;
                self.loop_vars.pop();
            }
            Stmt::Call {
                callee,
                args,
                results,
                ..
            } => {
                let target = self
                    .module
                    .functions
                    .get(callee.0 as usize)
                    .ok_or(format!("no function {callee}"))?;
                if args.len() != target.params.len() || results.len() != target.results.len() {
                    return Err(format!(
                        "call of {callee} with the wrong number of arguments or results"
                    ));
                }
                for (a, p) in args.iter().zip(&target.params) {
                    self.expect(*a, target.vars[p.0 as usize].ty, "call argument")?;
                }
                for (r, t) in results.iter().zip(&target.results) {
                    if self.var_ty(*r)? != *t {
                        return Err(format!("call result {r} does not have type {t}"));
                    }
                }
            }
            Stmt::ParallelFor {
                callee,
                args,
                count,
                chunks,
                partials,
                ..
            } => {
                let target = self
                    .module
                    .functions
                    .get(callee.0 as usize)
                    .ok_or(format!("no function {callee}"))?;
                // The callee's last parameters are the bounds of a chunk,
                // then its number if it takes one.
                let n = target.params.len();
                if args.len() + 2 != n && args.len() + 3 != n {
                    return Err(format!(
                        "parallel for of {callee} with the wrong number of arguments"
                    ));
                }
                for (a, p) in args.iter().zip(&target.params) {
                    self.expect(*a, target.vars[p.0 as usize].ty, "parallel for argument")?;
                }
                for p in &target.params[args.len()..] {
                    if target.vars[p.0 as usize].ty != LType::I64 {
                        return Err(format!("chunk bound {p} of {callee} is not i64"));
                    }
                }
                self.expect(*count, LType::I64, "iteration count")?;
                self.expect(*chunks, LType::I64, "chunk count")?;
                self.expect(*partials, LType::Ptr, "partials")?;
            }
            Stmt::Kernel { kernel, args, .. } => {
                if args.len() != kernel.arity() {
                    return Err(format!(
                        "kernel {kernel:?} with the wrong number of arguments"
                    ));
                }
                for &a in args {
                    let t = self.ty(a)?;
                    if !matches!(t, LType::I64 | LType::Ptr) {
                        return Err(format!("kernel argument {a} is {t}, not i64 or ptr"));
                    }
                }
            }
            Stmt::Break | Stmt::Continue => {
                if loops == 0 {
                    return Err("break or continue outside a loop".into());
                }
            }
            Stmt::Return(values) => {
                if values.len() != self.func.results.len() {
                    return Err("return with the wrong number of values".into());
                }
                for (v, t) in values.iter().zip(&self.func.results) {
                    self.expect(*v, *t, "return value")?;
                }
            }
            Stmt::Raise {
                error: RuntimeError::IndexOutOfBounds { index, size, .. },
                ..
            } => {
                self.expect(*index, LType::I64, "index")?;
                self.expect(*size, LType::I64, "size")?;
            }
            Stmt::Raise {
                error: RuntimeError::BroadcastOperands { shapes },
                ..
            } => {
                for v in shapes.iter().flatten() {
                    self.expect(*v, LType::I64, "extent")?;
                }
            }
            Stmt::Raise {
                error:
                    RuntimeError::Broadcast { from, into }
                    | RuntimeError::BroadcastOutput {
                        output: from,
                        broadcast: into,
                    }
                    | RuntimeError::CoreShapes {
                        left: from,
                        right: into,
                        ..
                    }
                    | RuntimeError::IndexShape { from, into },
                ..
            } => {
                for v in from.iter().chain(into) {
                    self.expect(*v, LType::I64, "extent")?;
                }
            }
            Stmt::Raise {
                error:
                    RuntimeError::MaskShape {
                        size: a, mask: b, ..
                    }
                    | RuntimeError::MaskValues {
                        values: a,
                        count: b,
                    },
                ..
            } => {
                self.expect(*a, LType::I64, "extent")?;
                self.expect(*b, LType::I64, "extent")?;
            }
            Stmt::Raise {
                error: RuntimeError::Reshape { size, into },
                ..
            } => {
                for v in std::iter::once(size).chain(into) {
                    self.expect(*v, LType::I64, "extent")?;
                }
            }
            Stmt::Raise { .. } => {}
        }
        Ok(())
    }

    fn inst(&self, inst: &Inst) -> Result<(), String> {
        let is_int = |t: LType| {
            matches!(
                t,
                LType::I1 | LType::I8 | LType::I16 | LType::I32 | LType::I64
            )
        };
        let is_float = |t: LType| matches!(t, LType::F32 | LType::F64);
        let is_complex = |t: LType| matches!(t, LType::C64 | LType::C128);
        match inst {
            Inst::Const(_) => {}
            Inst::Get(var) => {
                self.var_ty(*var)?;
            }
            Inst::Unary(op, v) => {
                let t = self.ty(*v)?;
                let ok = match op {
                    UnaryOp::INeg | UnaryOp::Not => is_int(t),
                    UnaryOp::FNeg => is_float(t),
                    UnaryOp::CNeg | UnaryOp::CAbs => is_complex(t),
                };
                if !ok {
                    return Err(format!("{op:?} of {v}: {t}"));
                }
            }
            Inst::Binary(op, a, b) => {
                let (ta, tb) = (self.ty(*a)?, self.ty(*b)?);
                if ta != tb {
                    return Err(format!("{op:?} of {a}: {ta} and {b}: {tb}"));
                }
                use BinaryOp::*;
                let ok = match op {
                    IAdd | ISub | IMul | SDiv | UDiv | SRem | URem | And | Or | Xor | Shl
                    | AShr | LShr | SMin | SMax | UMin | UMax => is_int(ta),
                    FAdd | FSub | FMul | FDiv | FRem | FMin | FMax | FCopySign => is_float(ta),
                    CAdd | CSub | CMul | CMulLoop | CDiv => is_complex(ta),
                };
                if !ok {
                    return Err(format!("{op:?} on {ta}"));
                }
            }
            Inst::Cmp(op, a, b) => {
                let (ta, tb) = (self.ty(*a)?, self.ty(*b)?);
                if ta != tb {
                    return Err(format!("{op:?} of {a}: {ta} and {b}: {tb}"));
                }
                use CmpOp::*;
                let ok = match op {
                    Eq | Ne | SLt | SLe | SGt | SGe | ULt | ULe | UGt | UGe => {
                        is_int(ta) || ta == LType::Ptr
                    }
                    FEq | FLt | FLe | FGt | FGe | FNe => is_float(ta),
                    CEq | CNe => is_complex(ta),
                };
                if !ok {
                    return Err(format!("{op:?} on {ta}"));
                }
            }
            Inst::Cast(op, v, to) => {
                let from = self.ty(*v)?;
                let ok = match op {
                    CastOp::SExt | CastOp::ZExt | CastOp::Trunc => is_int(from) && is_int(*to),
                    CastOp::SIToFP | CastOp::UIToFP => is_int(from) && is_float(*to),
                    CastOp::FPToSI | CastOp::FPToUI => is_float(from) && is_int(*to),
                    CastOp::FPToSIOrMin => is_float(from) && *to == LType::I64,
                    CastOp::FPExt | CastOp::FPTrunc => is_float(from) && is_float(*to),
                    CastOp::ToComplex => {
                        is_complex(*to) && (is_complex(from) || from == complex_part(*to))
                    }
                    CastOp::PtrToInt => from == LType::Ptr && *to == LType::I64,
                };
                if !ok {
                    return Err(format!("{op:?} from {from} to {to}"));
                }
            }
            Inst::Select {
                cond,
                if_true,
                if_false,
            } => {
                self.expect(*cond, LType::I1, "select condition")?;
                self.expect(*if_false, self.ty(*if_true)?, "select arms")?;
            }
            Inst::Expect(v, _) => self.expect(*v, LType::I1, "expect operand")?,
            Inst::Load { addr, .. } => self.expect(*addr, LType::Ptr, "load address")?,
            Inst::PtrOffset { addr, offset } => {
                self.expect(*addr, LType::Ptr, "ptradd base")?;
                self.expect(*offset, LType::I64, "ptradd offset")?;
            }
            Inst::Math(m, args) => {
                if args.len() != m.arity() {
                    return Err(format!("math.{} with {} arguments", m.name(), args.len()));
                }
                let t = self.ty(args[0])?;
                if !is_float(t) {
                    return Err(format!("math.{} of {t}", m.name()));
                }
                for a in args {
                    self.expect(*a, t, "math argument")?;
                }
            }
            Inst::ComplexCall(f, args) => {
                if args.len() != f.arity() {
                    return Err(format!("{} with {} arguments", f.c_name(), args.len()));
                }
                let t = self.ty(args[0])?;
                if !is_complex(t) {
                    return Err(format!("{} of {t}", f.c_name()));
                }
                for a in args {
                    self.expect(*a, t, "complex function argument")?;
                }
            }
            Inst::MakeComplex { re, im } => {
                let t = self.ty(*re)?;
                if !is_float(t) {
                    return Err(format!("complex of {t}"));
                }
                self.expect(*im, t, "imaginary part")?;
            }
            Inst::Real(v) | Inst::Imag(v) => {
                let t = self.ty(*v)?;
                if !is_complex(t) {
                    return Err(format!("real/imag of {t}"));
                }
            }
            Inst::Alloc { bytes, array, .. } => {
                self.expect(*bytes, LType::I64, "alloc size")?;
                for extent in array.iter().flat_map(|(_, extents)| extents) {
                    self.expect(*extent, LType::I64, "alloc extent")?;
                }
            }
            Inst::StackExhausted => {}
            Inst::Table { ty, values } => {
                if !matches!(ty, LType::F32 | LType::F64) || values.is_empty() {
                    return Err(format!("a table of {} {ty} values", values.len()));
                }
            }
            Inst::RoundDecimal { value, digits } => {
                let t = self.ty(*value)?;
                if t != LType::F64 && t != LType::I64 {
                    return Err(format!("round.decimal of {t}"));
                }
                self.expect(*digits, LType::I64, "round.decimal digits")?;
            }
        }
        Ok(())
    }
}
