//! A small builder for hand-written low-IR functions, and a way to run them.

use std::sync::Arc;

use codegen::runtime::{RaisedError, RuntimeContext};
use codegen::CompiledModule;
use frontend::{SourceFile, Span};
use lower::ir::{
    BinaryOp, Block, CastOp, CmpOp, Const, Function, Inst, LType, Module, Origin, RuntimeError,
    StepSign, Stmt, ValueId, Var, VarId,
};

pub struct FnBuilder {
    name: String,
    params: Vec<VarId>,
    results: Vec<LType>,
    vars: Vec<Var>,
    value_types: Vec<LType>,
    owners: Vec<VarId>,
    blocks: Vec<Block>,
}

impl FnBuilder {
    pub fn new(name: &str, results: &[LType]) -> Self {
        FnBuilder {
            name: name.to_owned(),
            params: Vec::new(),
            results: results.to_vec(),
            vars: Vec::new(),
            value_types: Vec::new(),
            owners: Vec::new(),
            blocks: vec![Vec::new()],
        }
    }

    pub fn param(&mut self, name: &str, ty: LType) -> VarId {
        let v = self.var(name, ty);
        self.params.push(v);
        v
    }

    pub fn var(&mut self, name: &str, ty: LType) -> VarId {
        self.vars.push(Var {
            ty,
            name: name.to_owned(),
        });
        VarId(self.vars.len() as u32 - 1)
    }

    /// A variable holding a reference to an array owner (`Function::owners`).
    pub fn owner(&mut self, name: &str) -> VarId {
        let var = self.var(name, LType::Ptr);
        self.owners.push(var);
        var
    }

    pub fn push(&mut self, stmt: Stmt) {
        self.blocks.last_mut().expect("a block is open").push(stmt);
    }

    pub fn ty(&self, v: ValueId) -> LType {
        self.value_types[v.0 as usize]
    }

    pub fn inst(&mut self, ty: LType, inst: Inst) -> ValueId {
        let dst = ValueId(self.value_types.len() as u32);
        self.value_types.push(ty);
        self.push(Stmt::Let {
            dst,
            inst,
            span: Span::default(),
        });
        dst
    }

    pub fn konst(&mut self, c: Const) -> ValueId {
        let ty = match c {
            Const::Bool(_) => LType::I1,
            Const::Null => LType::Ptr,
            Const::Addr(_) => LType::Ptr,
            Const::Int(t, _) | Const::Float(t, _) | Const::Complex(t, _, _) => t,
        };
        self.inst(ty, Inst::Const(c))
    }

    pub fn int(&mut self, v: i64) -> ValueId {
        self.konst(Const::Int(LType::I64, v))
    }

    pub fn float(&mut self, v: f64) -> ValueId {
        self.konst(Const::Float(LType::F64, v))
    }

    pub fn get(&mut self, var: VarId) -> ValueId {
        let ty = self.vars[var.0 as usize].ty;
        self.inst(ty, Inst::Get(var))
    }

    pub fn set(&mut self, var: VarId, value: ValueId) {
        self.push(Stmt::Set { var, value });
    }

    /// A binary operation whose result has the type of its first operand.
    pub fn bin(&mut self, op: BinaryOp, a: ValueId, b: ValueId) -> ValueId {
        let ty = self.ty(a);
        self.inst(ty, Inst::Binary(op, a, b))
    }

    pub fn cmp(&mut self, op: CmpOp, a: ValueId, b: ValueId) -> ValueId {
        self.inst(LType::I1, Inst::Cmp(op, a, b))
    }

    pub fn cast(&mut self, op: CastOp, a: ValueId, to: LType) -> ValueId {
        self.inst(to, Inst::Cast(op, a, to))
    }

    /// `*(ty*)(addr + offset)`
    pub fn load_at(&mut self, ty: LType, addr: ValueId, offset: i64) -> ValueId {
        let offset = self.int(offset);
        let p = self.inst(LType::Ptr, Inst::PtrOffset { addr, offset });
        self.inst(ty, Inst::Load { ty, addr: p })
    }

    pub fn store_at(&mut self, addr: ValueId, offset: i64, value: ValueId) {
        let offset = self.int(offset);
        let p = self.inst(LType::Ptr, Inst::PtrOffset { addr, offset });
        self.push(Stmt::Store { addr: p, value });
    }

    pub fn block(&mut self, body: impl FnOnce(&mut Self)) -> Block {
        self.blocks.push(Vec::new());
        body(self);
        self.blocks.pop().expect("the block pushed above")
    }

    pub fn if_else(
        &mut self,
        cond: ValueId,
        then: impl FnOnce(&mut Self),
        otherwise: impl FnOnce(&mut Self),
    ) {
        let then_body = self.block(then);
        let else_body = self.block(otherwise);
        self.push(Stmt::If {
            cond,
            then_body,
            else_body,
        });
    }

    pub fn versioned(
        &mut self,
        cond: ValueId,
        fast: impl FnOnce(&mut Self),
        checked: impl FnOnce(&mut Self),
    ) {
        let fast = self.block(fast);
        let checked = self.block(checked);
        self.push(Stmt::Versioned {
            cond,
            fast,
            checked,
        });
    }

    pub fn if_(&mut self, cond: ValueId, then: impl FnOnce(&mut Self)) {
        self.if_else(cond, then, |_| {});
    }

    pub fn for_range(
        &mut self,
        var: VarId,
        [start, stop, step]: [ValueId; 3],
        step_sign: StepSign,
        body: impl FnOnce(&mut Self),
    ) {
        let body = self.block(body);
        self.push(Stmt::ForRange {
            var,
            start,
            stop,
            step,
            step_sign,
            body,
        });
    }

    pub fn loop_(&mut self, body: impl FnOnce(&mut Self)) {
        let body = self.block(body);
        self.push(Stmt::Loop { body });
    }

    pub fn raise(&mut self, error: RuntimeError) {
        self.push(Stmt::Raise {
            error,
            span: Span::default(),
        });
    }

    pub fn ret(&mut self, values: &[ValueId]) {
        self.push(Stmt::Return(values.to_vec()));
    }

    pub fn finish(mut self) -> Function {
        assert_eq!(self.blocks.len(), 1, "unclosed block");
        Function {
            name: self.name.clone(),
            fastmath: false,
            params: self.params,
            results: self.results,
            vars: self.vars,
            value_types: self.value_types,
            owners: self.owners,
            body: self.blocks.pop().expect("the function body"),
            origin: Origin {
                name: self.name.clone(),
                source: Arc::new(SourceFile {
                    path: "test.py".to_string(),
                    text: String::new(),
                    first_line: 1,
                }),
            },
            reassociate: Vec::new(),
            cold: false,
        }
    }
}

pub fn module(functions: Vec<Function>) -> Module {
    Module { functions }
}

pub fn compile(m: &Module) -> CompiledModule {
    codegen::compile(m.clone()).unwrap_or_else(|e| panic!("{}", e.0))
}

/// Calls the entry point with `args` slots, reading `ret_slots` result slots.
pub fn call(
    code: &CompiledModule,
    args: &[u64],
    ret_slots: usize,
) -> Result<Vec<u64>, RaisedError> {
    let mut ctx = RuntimeContext::new();
    call_in(code, &mut ctx, args, ret_slots)
}

pub fn call_in(
    code: &CompiledModule,
    ctx: &mut RuntimeContext,
    args: &[u64],
    ret_slots: usize,
) -> Result<Vec<u64>, RaisedError> {
    let mut ret = vec![0xdead_beef_u64; ret_slots];
    // SAFETY: the slots match the entry function's signature in each test.
    let status = unsafe { (code.entry)(args.as_ptr(), ret.as_mut_ptr(), ctx) };
    match status {
        0 => {
            assert!(ctx.take_error().is_none(), "status 0 with a recorded error");
            Ok(ret)
        }
        1 => Err(ctx.take_error().expect("status 1 without a recorded error")),
        other => panic!("entry returned status {other}"),
    }
}

pub fn f64_slot(x: f64) -> u64 {
    x.to_bits()
}

pub fn f32_slot(x: f32) -> u64 {
    u64::from(x.to_bits())
}

pub fn as_f64(slot: u64) -> f64 {
    f64::from_bits(slot)
}

pub fn as_f32(slot: u64) -> f32 {
    f32::from_bits(slot as u32)
}
