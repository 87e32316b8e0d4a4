//! What a block of low IR takes from the function around it: the values it
//! uses and the variables it reads and sets, and which of those are
//! constants. The outliners (`parallel.rs` for `prange` bodies, `cold.rs` for
//! the checked copies of versioned loops) pass exactly these to the function
//! they make of the block.

use std::collections::{HashMap, HashSet};

use crate::ir::{Block, Const, Function, Inst, LType, RuntimeError, Stmt, ValueId, Var, VarId};

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

/// Calls `$visit` on each value that the statement `$s` itself reads (not
/// those of the blocks nested in it). One text for `&Stmt` and `&mut Stmt`:
/// match ergonomics bind the operands by reference or by mutable reference,
/// as `$s` is, so a reader and a renumbering cannot disagree.
macro_rules! each_operand {
    ($s:expr, $visit:expr) => {{
        let mut visit = $visit;
        match $s {
            Stmt::Let { inst, .. } => each_inst_operand!(inst, |v| visit(v)),
            Stmt::Set { value, .. } => visit(value),
            Stmt::Store { addr, value } => {
                visit(addr);
                visit(value);
            }
            Stmt::If { cond, .. } | Stmt::Versioned { cond, .. } => visit(cond),
            Stmt::ForRange {
                start, stop, step, ..
            } => {
                visit(start);
                visit(stop);
                visit(step);
            }
            Stmt::Call { args, .. } | Stmt::Kernel { args, .. } | Stmt::Return(args) => {
                for v in args {
                    visit(v);
                }
            }
            Stmt::ParallelFor {
                args,
                count,
                chunks,
                partials,
                ..
            } => {
                for v in args {
                    visit(v);
                }
                visit(count);
                visit(chunks);
                visit(partials);
            }
            Stmt::Retain(v) | Stmt::Release(v) => visit(v),
            Stmt::Raise { error, .. } => match error {
                RuntimeError::IndexOutOfBounds { index, size, .. } => {
                    visit(index);
                    visit(size);
                }
                RuntimeError::Broadcast { from, into }
                | RuntimeError::IndexShape { from, into }
                | RuntimeError::BroadcastOutput {
                    output: from,
                    broadcast: into,
                }
                | RuntimeError::CoreShapes {
                    left: from,
                    right: into,
                    ..
                } => {
                    for v in from {
                        visit(v);
                    }
                    for v in into {
                        visit(v);
                    }
                }
                RuntimeError::BroadcastOperands { shapes } => {
                    for shape in shapes {
                        for v in shape {
                            visit(v);
                        }
                    }
                }
                RuntimeError::Reshape { size, into } => {
                    visit(size);
                    for v in into {
                        visit(v);
                    }
                }
                RuntimeError::MaskShape {
                    size: a, mask: b, ..
                }
                | RuntimeError::MaskValues {
                    values: a,
                    count: b,
                } => {
                    visit(a);
                    visit(b);
                }
                RuntimeError::Message { .. } => {}
            },
            Stmt::Loop { .. } | Stmt::Break | Stmt::Continue => {}
        }
    }};
}

/// [`each_operand!`] for an instruction.
macro_rules! each_inst_operand {
    ($inst:expr, $visit:expr) => {{
        let mut visit = $visit;
        match $inst {
            Inst::Const(_) | Inst::Get(_) | Inst::StackExhausted | Inst::Table { .. } => {}
            Inst::Unary(_, a)
            | Inst::Cast(_, a, _)
            | Inst::Expect(a, _)
            | Inst::Real(a)
            | Inst::Imag(a)
            | Inst::Load { addr: a, .. } => visit(a),
            Inst::Binary(_, a, b)
            | Inst::Cmp(_, a, b)
            | Inst::PtrOffset { addr: a, offset: b }
            | Inst::MakeComplex { re: a, im: b }
            | Inst::RoundDecimal {
                value: a,
                digits: b,
            } => {
                visit(a);
                visit(b);
            }
            Inst::Select {
                cond,
                if_true,
                if_false,
            } => {
                visit(cond);
                visit(if_true);
                visit(if_false);
            }
            Inst::Math(_, args) | Inst::ComplexCall(_, args) => {
                for v in args {
                    visit(v);
                }
            }
            Inst::Alloc { bytes, array, .. } => {
                visit(bytes);
                if let Some((_, extents)) = array {
                    for v in extents {
                        visit(v);
                    }
                }
            }
        }
    }};
}

/// The values a statement itself reads (not those of the blocks nested in it).
pub(crate) fn own_operands(s: &Stmt) -> Vec<ValueId> {
    let mut out = Vec::new();
    each_operand!(s, |v: &ValueId| out.push(*v));
    out
}

/// The values an instruction reads.
pub(crate) fn inst_operands(inst: &Inst) -> Vec<ValueId> {
    let mut out = Vec::new();
    each_inst_operand!(inst, |v: &ValueId| out.push(*v));
    out
}

/// The variables and value types of a function being outlined from a parent
/// function: the parent's, which the outlined block names, then those the
/// outliner adds, numbered after them. Copying the parent's tables instead
/// made outlining quadratic: a function of 5,000 checked loops spent seconds
/// copying its own variables into each of them.
pub(crate) struct Tables<'a> {
    parent_vars: &'a [Var],
    parent_types: &'a [LType],
    vars: Vec<Var>,
    types: Vec<LType>,
}

impl<'a> Tables<'a> {
    pub(crate) fn extending(parent: &'a Function) -> Tables<'a> {
        Tables::of(&parent.vars, &parent.value_types)
    }

    /// The tables `vars` and `types`, with nothing added yet.
    pub(crate) fn of(vars: &'a [Var], types: &'a [LType]) -> Tables<'a> {
        Tables {
            parent_vars: vars,
            parent_types: types,
            vars: Vec::new(),
            types: Vec::new(),
        }
    }

    pub(crate) fn var(&self, var: VarId) -> &Var {
        let i = var.0 as usize;
        (self.parent_vars.get(i)).unwrap_or_else(|| &self.vars[i - self.parent_vars.len()])
    }

    pub(crate) fn value_type(&self, v: ValueId) -> LType {
        let i = v.0 as usize;
        (self.parent_types.get(i).copied())
            .unwrap_or_else(|| self.types[i - self.parent_types.len()])
    }

    pub(crate) fn new_var(&mut self, ty: LType, name: String) -> VarId {
        self.vars.push(Var { ty, name });
        VarId((self.parent_vars.len() + self.vars.len() - 1) as u32)
    }

    pub(crate) fn new_value(&mut self, ty: LType) -> ValueId {
        self.types.push(ty);
        ValueId((self.parent_types.len() + self.types.len() - 1) as u32)
    }
}

/// Gives `f`, whose body names the values and variables of `tables`, tables
/// of its own: numbered densely, in the order the body first names them
/// (parameters first).
pub(crate) fn compact(f: &mut Function, tables: &Tables) {
    struct Numbering<'t, 'a> {
        tables: &'t Tables<'a>,
        values: HashMap<ValueId, ValueId>,
        vars: HashMap<VarId, VarId>,
        types: Vec<LType>,
        new_vars: Vec<Var>,
    }
    impl Numbering<'_, '_> {
        fn value(&mut self, v: &mut ValueId) {
            let (types, ty) = (&mut self.types, self.tables.value_type(*v));
            *v = *self
                .values
                .entry(*v)
                .or_insert_with(|| push_value(types, ty));
        }
        fn var(&mut self, v: &mut VarId) {
            let (vars, old) = (&mut self.new_vars, self.tables.var(*v));
            *v = *self.vars.entry(*v).or_insert_with(|| {
                vars.push(old.clone());
                VarId(vars.len() as u32 - 1)
            });
        }
        fn block(&mut self, body: &mut Block) {
            for s in body.iter_mut() {
                match s {
                    Stmt::Let { dst, inst, .. } => {
                        self.value(dst);
                        if let Inst::Get(var) = inst {
                            self.var(var);
                        }
                    }
                    Stmt::Set { var, .. } | Stmt::ForRange { var, .. } => self.var(var),
                    Stmt::Call { results, .. } => {
                        for var in results {
                            self.var(var);
                        }
                    }
                    _ => {}
                }
                each_operand!(&mut *s, |v: &mut ValueId| self.value(v));
                for inner in s.blocks_mut() {
                    self.block(inner);
                }
            }
        }
    }
    let mut n = Numbering {
        tables,
        values: HashMap::new(),
        vars: HashMap::new(),
        types: Vec::new(),
        new_vars: Vec::new(),
    };
    for var in f.params.iter_mut().chain(&mut f.owners) {
        n.var(var);
    }
    n.block(&mut f.body);
    // A reassociable value the body no longer defines has nothing to mark.
    f.reassociate = (f.reassociate.iter())
        .filter_map(|v| n.values.get(v).copied())
        .collect();
    f.value_types = n.types;
    f.vars = n.new_vars;
}
