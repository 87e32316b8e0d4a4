//! What a block of low IR takes from the function around it: the values it
//! uses and the variables it reads and sets, and which of those are
//! constants. The outliners (`parallel.rs` for `prange` bodies, `cold.rs` for
//! the checked copies of versioned loops) pass exactly these to the function
//! they make of the block.

use std::collections::{HashMap, HashSet};

use crate::ir::{Block, Const, Function, Inst, LType, RuntimeError, Stmt, ValueId, VarId};

/// What a whole function says about its values and variables.
#[derive(Default)]
pub(crate) struct Facts {
    pub(crate) consts: HashMap<ValueId, Const>,
    /// How many times each variable is set, and the value of its last set.
    sets: HashMap<VarId, (u32, Option<ValueId>)>,
}

impl Facts {
    /// The facts of `f`, whose body is `body` (taken out of it).
    pub(crate) fn of(f: &Function, body: &Block) -> Facts {
        let mut facts = Facts::default();
        facts.scan(body);
        // A parameter holds the call's argument until it is set: its one set
        // makes it a constant only where that set is a statement of the body
        // itself that comes before anything reads the parameter (the unit
        // stride of a contiguous array, set on entry), not a rebinding later.
        let mut read = HashSet::new();
        let mut set_first = HashSet::new();
        for s in body {
            if let Stmt::Set { var, .. } = s {
                if !read.contains(var) {
                    set_first.insert(*var);
                }
            }
            let mut uses = Uses::default();
            uses.stmt(s);
            read.extend(uses.read);
        }
        for p in f.params.iter().filter(|p| !set_first.contains(p)) {
            facts.sets.entry(*p).or_insert((0, None)).0 += 2;
        }
        facts
    }

    fn scan(&mut self, body: &Block) {
        for s in body {
            match s {
                Stmt::Let {
                    dst,
                    inst: Inst::Const(c),
                    ..
                } => {
                    self.consts.insert(*dst, *c);
                }
                Stmt::Set { var, value } => {
                    let e = self.sets.entry(*var).or_insert((0, None));
                    e.0 += 1;
                    e.1 = Some(*value);
                }
                Stmt::Call { results, .. } => {
                    // Set by a call: never a constant (counted as set twice).
                    for r in results {
                        self.sets.entry(*r).or_insert((0, None)).0 += 2;
                    }
                }
                Stmt::ForRange { var, .. } => {
                    // Set by the loop: a counter is no constant either.
                    self.sets.entry(*var).or_insert((0, None)).0 += 2;
                }
                _ => {}
            }
            for b in s.blocks() {
                self.scan(b);
            }
        }
    }

    /// The constant a variable always holds once set: set once in the whole
    /// function, to a constant. Such a variable (a contiguous array's unit
    /// stride) is made a constant again in an outlined body, so that LLVM
    /// still sees it (and vectorizes) there.
    pub(crate) fn const_var(&self, var: VarId) -> Option<Const> {
        match self.sets.get(&var)? {
            (1, Some(v)) => self.consts.get(v).copied(),
            _ => None,
        }
    }
}

pub(crate) fn push_value(types: &mut Vec<LType>, ty: LType) -> ValueId {
    types.push(ty);
    ValueId(types.len() as u32 - 1)
}

/// The values a block defines and uses, and the variables it reads and sets.
#[derive(Default)]
pub(crate) struct Uses {
    pub(crate) defined: HashSet<ValueId>,
    pub(crate) used: HashSet<ValueId>,
    pub(crate) read: HashSet<VarId>,
    pub(crate) set: HashSet<VarId>,
}

impl Uses {
    pub(crate) fn block(&mut self, body: &Block) {
        for s in body {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Let { dst, inst, .. } => {
                self.defined.insert(*dst);
                if let Inst::Get(var) = inst {
                    self.read.insert(*var);
                }
            }
            Stmt::Set { var, .. } => {
                self.set.insert(*var);
            }
            Stmt::ForRange { var, .. } => {
                self.set.insert(*var);
                self.read.insert(*var);
            }
            Stmt::Call { results, .. } => self.set.extend(results),
            _ => {}
        }
        self.used.extend(own_operands(s));
        for b in s.blocks() {
            self.block(b);
        }
    }
}

/// The values a statement itself reads (not those of the blocks nested in it).
pub(crate) fn own_operands(s: &Stmt) -> Vec<ValueId> {
    match s {
        Stmt::Let { inst, .. } => inst_operands(inst),
        Stmt::Set { value, .. } => vec![*value],
        Stmt::Store { addr, value } => vec![*addr, *value],
        Stmt::If { cond, .. } | Stmt::Versioned { cond, .. } => vec![*cond],
        Stmt::ForRange {
            start, stop, step, ..
        } => vec![*start, *stop, *step],
        Stmt::Call { args, .. } | Stmt::Kernel { args, .. } => args.clone(),
        Stmt::ParallelFor {
            args,
            count,
            chunks,
            partials,
            ..
        } => args
            .iter()
            .copied()
            .chain([*count, *chunks, *partials])
            .collect(),
        Stmt::Retain(v) | Stmt::Release(v) => vec![*v],
        Stmt::Return(values) => values.clone(),
        Stmt::Raise { error, .. } => match error {
            RuntimeError::IndexOutOfBounds { index, size, .. } => vec![*index, *size],
            RuntimeError::Broadcast { from, into } | RuntimeError::IndexShape { from, into } => {
                from.iter().chain(into).copied().collect()
            }
            RuntimeError::BroadcastOperands { shapes } => {
                shapes.iter().flatten().copied().collect()
            }
            RuntimeError::BroadcastOutput { output, broadcast } => {
                output.iter().chain(broadcast).copied().collect()
            }
            RuntimeError::Reshape { size, into } => {
                std::iter::once(*size).chain(into.iter().copied()).collect()
            }
            RuntimeError::CoreShapes { left, right, .. } => {
                left.iter().chain(right).copied().collect()
            }
            RuntimeError::MaskShape { size, mask, .. } => vec![*size, *mask],
            RuntimeError::MaskValues { values, count } => vec![*values, *count],
            RuntimeError::Message { .. } => Vec::new(),
        },
        Stmt::Loop { .. } | Stmt::Break | Stmt::Continue => Vec::new(),
    }
}

/// The values an instruction reads.
pub(crate) fn inst_operands(inst: &Inst) -> Vec<ValueId> {
    match inst {
        Inst::Const(_) | Inst::Get(_) | Inst::StackExhausted | Inst::Table { .. } => Vec::new(),
        Inst::Unary(_, a)
        | Inst::Cast(_, a, _)
        | Inst::Expect(a, _)
        | Inst::Real(a)
        | Inst::Imag(a) => vec![*a],
        Inst::Binary(_, a, b) | Inst::Cmp(_, a, b) => vec![*a, *b],
        Inst::Select {
            cond,
            if_true,
            if_false,
        } => vec![*cond, *if_true, *if_false],
        Inst::Load { addr, .. } => vec![*addr],
        Inst::PtrOffset { addr, offset } => vec![*addr, *offset],
        Inst::Math(_, args) | Inst::ComplexCall(_, args) => args.clone(),
        Inst::MakeComplex { re, im } => vec![*re, *im],
        Inst::Alloc { bytes, array, .. } => {
            let extents = array.iter().flat_map(|(_, extents)| extents);
            std::iter::once(*bytes).chain(extents.copied()).collect()
        }
        Inst::RoundDecimal { value, digits } => vec![*value, *digits],
    }
}
