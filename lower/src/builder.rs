//! Arenas of one function under construction and a stack of open blocks.

use frontend::hir::Dtype;
use frontend::Span;

use crate::ir::{
    BinaryOp, Block, CastOp, CmpOp, Const, Inst, LType, RuntimeError, Stmt, UnaryOp, ValueId, Var,
    VarId,
};

/// The machine type a scalar of `dtype` has in a value or variable.
pub(crate) fn ltype(dtype: Dtype) -> LType {
    match dtype {
        Dtype::Bool => LType::I1,
        Dtype::Int8 | Dtype::UInt8 => LType::I8,
        Dtype::Int16 | Dtype::UInt16 => LType::I16,
        Dtype::Int32 | Dtype::UInt32 => LType::I32,
        Dtype::Int64 | Dtype::UInt64 => LType::I64,
        Dtype::Float32 => LType::F32,
        Dtype::Float64 => LType::F64,
        Dtype::Complex64 => LType::C64,
        Dtype::Complex128 => LType::C128,
    }
}

/// The machine type of an array element in memory: NumPy stores bools as bytes.
pub(crate) fn mem_ltype(dtype: Dtype) -> LType {
    match dtype {
        Dtype::Bool => LType::I8,
        other => ltype(other),
    }
}

pub(crate) fn complex_part(ty: LType) -> LType {
    match ty {
        LType::C64 => LType::F32,
        _ => LType::F64,
    }
}

fn complex_of(ty: LType) -> LType {
    match ty {
        LType::F32 => LType::C64,
        _ => LType::C128,
    }
}

/// The type an instruction produces, given the types of values and variables.
/// The verifier uses the same function, so builder and verifier cannot disagree.
pub(crate) fn inst_type(inst: &Inst, values: &[LType], vars: &[Var]) -> LType {
    let ty = |v: &ValueId| values[v.0 as usize];
    match inst {
        Inst::Const(Const::Bool(_)) => LType::I1,
        Inst::Const(Const::Null) => LType::Ptr,
        Inst::Const(Const::Addr(_)) => LType::Ptr,
        Inst::Const(Const::Int(t, _) | Const::Float(t, _) | Const::Complex(t, _, _)) => *t,
        Inst::Get(var) => vars[var.0 as usize].ty,
        Inst::Unary(UnaryOp::CAbs, v) => complex_part(ty(v)),
        Inst::Unary(_, v) => ty(v),
        Inst::Binary(_, a, _) => ty(a),
        Inst::Cmp(..) | Inst::Expect(..) | Inst::StackExhausted => LType::I1,
        Inst::Cast(_, _, t) => *t,
        Inst::Select { if_true, .. } => ty(if_true),
        Inst::Load { ty, .. } => *ty,
        Inst::PtrOffset { .. } | Inst::Alloc { .. } | Inst::Table { .. } => LType::Ptr,
        Inst::Math(p, _) if p.is_predicate() => LType::I1,
        Inst::Math(_, args) => args.first().map_or(LType::F64, ty),
        Inst::ComplexCall(_, args) => args.first().map_or(LType::C128, ty),
        Inst::MakeComplex { re, .. } => complex_of(ty(re)),
        Inst::Real(v) | Inst::Imag(v) => complex_part(ty(v)),
        Inst::RoundDecimal { value, .. } => ty(value),
    }
}

pub(crate) struct Builder {
    pub(crate) vars: Vec<Var>,
    pub(crate) value_types: Vec<LType>,
    /// `ir::Function::owners`.
    owners: Vec<VarId>,
    /// References the statement being lowered holds (fresh buffers, call
    /// results), dropped when it ends (`release_temps`) unless taken over.
    temps: Vec<Temp>,
    blocks: Vec<Block>,
    /// Span given to the statements emitted next (the HIR node being lowered).
    pub(crate) span: Span,
}

impl Builder {
    pub(crate) fn new() -> Builder {
        Builder {
            vars: Vec::new(),
            value_types: Vec::new(),
            owners: Vec::new(),
            temps: Vec::new(),
            blocks: vec![Vec::new()],
            span: Span::default(),
        }
    }

    pub(crate) fn var(&mut self, ty: LType, name: impl Into<String>) -> VarId {
        self.vars.push(Var {
            ty,
            name: name.into(),
        });
        VarId(self.vars.len() as u32 - 1)
    }

    pub(crate) fn ty(&self, v: ValueId) -> LType {
        self.value_types[v.0 as usize]
    }

    pub(crate) fn emit(&mut self, inst: Inst) -> ValueId {
        let ty = inst_type(&inst, &self.value_types, &self.vars);
        self.value_types.push(ty);
        let dst = ValueId(self.value_types.len() as u32 - 1);
        let span = self.span;
        self.stmt(Stmt::Let { dst, inst, span });
        dst
    }

    pub(crate) fn stmt(&mut self, stmt: Stmt) {
        self.blocks
            .last_mut()
            .expect("a block is always open")
            .push(stmt);
    }

    /// Opens a nested block; statements go there until `end`.
    pub(crate) fn begin(&mut self) {
        self.blocks.push(Vec::new());
    }

    pub(crate) fn end(&mut self) -> Block {
        self.blocks.pop().expect("begin/end are paired")
    }

    /// Takes the outermost block once lowering is done.
    pub(crate) fn finish(mut self) -> Finished {
        assert_eq!(self.blocks.len(), 1, "unbalanced begin/end");
        let body = self.blocks.pop().unwrap_or_default();
        Finished {
            vars: self.vars,
            value_types: self.value_types,
            owners: self.owners,
            body,
        }
    }

    /// A variable that holds a reference to an array owner.
    pub(crate) fn owner_var(&mut self, name: impl Into<String>) -> VarId {
        let var = self.var(LType::Ptr, name);
        self.owners.push(var);
        var
    }

    /// These owner variables hold no reference of their own (parameters that
    /// are never reassigned borrow the caller's): nothing releases them.
    pub(crate) fn disown(&mut self, vars: &[VarId]) {
        self.owners.retain(|v| !vars.contains(v));
    }

    /// Keeps the reference `owner` (a fresh buffer) until the statement ends.
    pub(crate) fn hold_temp(&mut self, owner: ValueId, name: &str) {
        let var = self.owner_var(name);
        // Null unless a loop inside the statement runs this again.
        let previous = self.get(var);
        self.stmt(Stmt::Release(previous));
        self.set(var, owner);
        self.adopt_temp(var, owner);
    }

    /// `var` (an owner variable) was just set to the reference `owner`, which
    /// the statement holds until it ends.
    pub(crate) fn adopt_temp(&mut self, var: VarId, owner: ValueId) {
        let depth = self.blocks.len();
        self.temps.push(Temp { var, owner, depth });
    }

    /// Takes one more reference to `owner`, or takes over the statement's
    /// own (a fresh array assigned or returned costs no count) when the
    /// temporary was made in this very block, so it is held on every path here.
    pub(crate) fn retain(&mut self, owner: ValueId) {
        let depth = self.blocks.len();
        match self
            .temps
            .iter()
            .position(|t| t.owner == owner && t.depth == depth)
        {
            Some(i) => {
                let temp = self.temps.remove(i);
                let null = self.emit(Inst::Const(Const::Null));
                self.set(temp.var, null);
            }
            None => self.stmt(Stmt::Retain(owner)),
        }
    }

    /// Takes a reference to `new`, which is to replace `old` in an owner
    /// variable, and returns when `old` is then to be released: always
    /// (`None`) where a fresh reference is taken over, else only if the owner
    /// changes (`Some(changed)`). A variable given the owner it holds keeps
    /// its reference, so a view made again of the same array in a loop
    /// (`row = u[i]`) touches no count.
    pub(crate) fn retain_replacing(&mut self, new: ValueId, old: ValueId) -> Option<ValueId> {
        let depth = self.blocks.len();
        if self
            .temps
            .iter()
            .any(|t| t.owner == new && t.depth == depth)
        {
            self.retain(new);
            return None;
        }
        let n = self.cast(CastOp::PtrToInt, new, LType::I64);
        let o = self.cast(CastOp::PtrToInt, old, LType::I64);
        let changed = self.cmp(CmpOp::Ne, n, o);
        self.stmt(Stmt::If {
            cond: changed,
            then_body: vec![Stmt::Retain(new)],
            else_body: Vec::new(),
        });
        Some(changed)
    }

    /// Releases `old` (replaced by `retain_replacing`) where it was.
    pub(crate) fn release_replaced(&mut self, old: ValueId, changed: Option<ValueId>) {
        match changed {
            None => self.stmt(Stmt::Release(old)),
            Some(cond) => self.stmt(Stmt::If {
                cond,
                then_body: vec![Stmt::Release(old)],
                else_body: Vec::new(),
            }),
        }
    }

    /// After a `Return`: codegen releases every owner variable on the way
    /// out, the statement's temporaries included.
    pub(crate) fn exit_with_temps(&mut self) {
        self.temps.clear();
    }

    /// Drops the statement's temporaries: called when a statement (or the
    /// condition of an `if`/`while`) has been lowered.
    pub(crate) fn release_temps(&mut self) {
        for temp in std::mem::take(&mut self.temps) {
            let owner = self.get(temp.var);
            self.stmt(Stmt::Release(owner));
            let null = self.emit(Inst::Const(Const::Null));
            self.set(temp.var, null);
        }
    }

    /// Whether control cannot reach the end of the current block.
    pub(crate) fn terminated(&self) -> bool {
        self.blocks.last().is_some_and(|b| !falls_through(b))
    }

    pub(crate) fn get(&mut self, var: VarId) -> ValueId {
        self.emit(Inst::Get(var))
    }
    pub(crate) fn set(&mut self, var: VarId, value: ValueId) {
        self.stmt(Stmt::Set { var, value });
    }
    pub(crate) fn i64c(&mut self, v: i64) -> ValueId {
        self.emit(Inst::Const(Const::Int(LType::I64, v)))
    }
    pub(crate) fn int(&mut self, ty: LType, v: i64) -> ValueId {
        self.emit(Inst::Const(Const::Int(ty, v)))
    }
    pub(crate) fn float(&mut self, ty: LType, v: f64) -> ValueId {
        self.emit(Inst::Const(Const::Float(ty, v)))
    }
    pub(crate) fn boolc(&mut self, v: bool) -> ValueId {
        self.emit(Inst::Const(Const::Bool(v)))
    }
    pub(crate) fn bin(&mut self, op: BinaryOp, a: ValueId, b: ValueId) -> ValueId {
        self.emit(Inst::Binary(op, a, b))
    }
    pub(crate) fn cmp(&mut self, op: CmpOp, a: ValueId, b: ValueId) -> ValueId {
        self.emit(Inst::Cmp(op, a, b))
    }
    pub(crate) fn unary(&mut self, op: UnaryOp, a: ValueId) -> ValueId {
        self.emit(Inst::Unary(op, a))
    }
    pub(crate) fn cast(&mut self, op: CastOp, v: ValueId, ty: LType) -> ValueId {
        self.emit(Inst::Cast(op, v, ty))
    }
    pub(crate) fn select(&mut self, cond: ValueId, if_true: ValueId, if_false: ValueId) -> ValueId {
        self.emit(Inst::Select {
            cond,
            if_true,
            if_false,
        })
    }

    /// `if cond { raise error }`
    pub(crate) fn raise_if(&mut self, cond: ValueId, error: RuntimeError) {
        let span = self.span;
        self.stmt(Stmt::If {
            cond,
            then_body: vec![Stmt::Raise { error, span }],
            else_body: Vec::new(),
        });
    }
}

/// A reference the statement being lowered holds, in an owner variable.
struct Temp {
    var: VarId,
    /// The value the variable was set to, so `retain` can recognise it.
    owner: ValueId,
    /// `Builder::blocks.len()` when it was made.
    depth: usize,
}

/// What lowering a function built.
pub(crate) struct Finished {
    pub(crate) vars: Vec<Var>,
    pub(crate) value_types: Vec<LType>,
    pub(crate) owners: Vec<VarId>,
    pub(crate) body: Block,
}

/// Whether control can leave `block` through its end.
pub(crate) fn falls_through(block: &Block) -> bool {
    match block.last() {
        None => true,
        Some(Stmt::Return(_) | Stmt::Raise { .. } | Stmt::Break | Stmt::Continue) => false,
        Some(Stmt::If {
            then_body,
            else_body,
            ..
        })
        | Some(Stmt::Versioned {
            fast: then_body,
            checked: else_body,
            ..
        }) => falls_through(then_body) || falls_through(else_body),
        Some(Stmt::Loop { body }) => contains_break(body),
        Some(_) => true,
    }
}

/// Whether a `Break` in `block` leaves the loop that directly contains it.
fn contains_break(block: &Block) -> bool {
    block.iter().any(|s| match s {
        Stmt::Break => true,
        Stmt::If {
            then_body,
            else_body,
            ..
        }
        | Stmt::Versioned {
            fast: then_body,
            checked: else_body,
            ..
        } => contains_break(then_body) || contains_break(else_body),
        _ => false,
    })
}
