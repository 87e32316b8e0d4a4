//! Outlining of `prange` loops: low IR -> low IR, after a function is lowered.
//!
//! The body of a parallel `ForRange` becomes a function of its own that runs
//! the iterations `lo..hi` of the loop (the last two parameters); its other
//! parameters are what the body reads from the enclosing function (the
//! environment: SSA values and variables, in their flat form, so arrays are
//! their owner, data, extents and strides). The loop is replaced by a
//! `Stmt::ParallelFor` calling it on chunks, then the reductions' partials
//! are combined in chunk order.
//!
//! It runs after lowering, on the finished body, so the loop is outlined
//! exactly as range analysis and loop versioning left it: each copy of a
//! versioned loop becomes its own function, and the checks the fast copy
//! proved stay out of it.
//!
//! Variables the body assigns are private: each chunk starts from the value
//! they had before the loop (owners aside: those start null, and the chunk
//! releases what it leaves in them). Reduction variables start from their
//! operation's identity in each chunk.
//!
//! An array reduction (`h += local`, `acc[:] += row`) gives each chunk a
//! private array of the target's extents, filled with the identity: the
//! enclosing function allocates all of them in one buffer before the loop
//! (an owner of its own, so an exception frees it), the outlined function
//! points the target's data and strides at its chunk's (its last parameter
//! is the chunk number), and after the loop each private array is combined
//! into the target, chunk by chunk in order, before the buffer is freed.

use std::collections::{HashMap, HashSet};

use frontend::hir::Dtype;
use frontend::Span;
use typeinfer::ReduceOp;

use crate::builder::{complex_part, inst_type, mem_ltype};
use crate::capture::{compact, push_value, Facts, Tables, Uses};
use crate::ir::{
    float_updates, BinaryOp, Block, CastOp, CmpOp, Const, FuncIndex, Function, Inst, LType,
    StepSign, Stmt, UnaryOp, ValueId, Var, VarId, BUFFER_DATA_OFFSET,
};

/// At most this many chunks per loop: enough for the threads to balance
/// uneven iterations over a few dozen threads, few enough that the partials
/// and the per-chunk calls cost nothing next to the fan-out. The chunks do not
/// depend on the number of threads, so neither does a float reduction's result.
pub(crate) const MAX_CHUNKS: i64 = 256;

/// Chunks have at least this many iterations (the last aside), so that the
/// call per chunk (some 10 ns) is spread over a few iterations of a tiny body.
pub(crate) const MIN_CHUNK: i64 = 4;

/// A loop with array reductions has fewer chunks when its private arrays
/// (one set per chunk) would take more than this many bytes...
const PRIVATE_BYTES: i64 = 64 << 20;

/// ...but never fewer than this many (or its trip count's), so that it still
/// balances over a few threads; like the chunk count, it does not depend on
/// the threads, so neither does a float array reduction's result.
const MIN_ARRAY_CHUNKS: i64 = 16;

/// What lowering decided about one parallel loop, keyed by its counter.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub(crate) reductions: Vec<PlanReduction>,
    pub(crate) arrays: Vec<PlanArray>,
    /// The `for` statement: where an exception from a worker passes through.
    pub(crate) span: Span,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct PlanReduction {
    pub(crate) var: VarId,
    pub(crate) op: ReduceOp,
    pub(crate) dtype: Dtype,
}

/// An array reduction: the variables of the target array that each chunk
/// points at its private array, in C order (F order for an F type, whose
/// first axis lowering reads as contiguous).
#[derive(Clone, Debug)]
pub(crate) struct PlanArray {
    pub(crate) data: VarId,
    pub(crate) extents: Vec<VarId>,
    pub(crate) strides: Vec<VarId>,
    pub(crate) op: ReduceOp,
    pub(crate) dtype: Dtype,
    pub(crate) fortran: bool,
}

/// Outlines the parallel loops of `functions[index]` (`plans`, by counter),
/// appending the outlined functions to `functions`.
pub(crate) fn outline(functions: &mut Vec<Function>, index: usize, plans: &HashMap<VarId, Plan>) {
    if plans.is_empty() {
        return;
    }
    let first_index = functions.len();
    let f = &mut functions[index];
    let body = std::mem::take(&mut f.body);
    let facts = Facts::of(f, &body);
    let mut o = Outliner {
        f,
        plans,
        facts,
        first_index,
        outlined: Vec::new(),
    };
    let body = o.block(body);
    let outlined = std::mem::take(&mut o.outlined);
    functions[index].body = body;
    functions.extend(outlined);
}

struct Outliner<'a> {
    f: &'a mut Function,
    plans: &'a HashMap<VarId, Plan>,
    facts: Facts,
    first_index: usize,
    outlined: Vec<Function>,
}

impl Outliner<'_> {
    fn block(&mut self, body: Block) -> Block {
        let mut out = Vec::with_capacity(body.len());
        for s in body {
            match s {
                Stmt::ForRange {
                    var,
                    start,
                    stop,
                    step,
                    step_sign,
                    body,
                } if self.plans.contains_key(&var) => {
                    let plan = self.plans[&var].clone();
                    let lp = Loop {
                        counter: var,
                        start,
                        stop,
                        step,
                        step_sign,
                        body,
                    };
                    self.outline_loop(lp, &plan, &mut out);
                }
                other => out.push(other.map_blocks(|b| self.block(b))),
            }
        }
        out
    }

    fn outline_loop(&mut self, mut lp: Loop, plan: &Plan, out: &mut Block) {
        let mut uses = Uses::default();
        uses.block(&lp.body);
        let reduced: HashSet<VarId> = plan.reductions.iter().map(|r| r.var).collect();

        let mut vars = self.f.vars.clone();
        let mut types = self.f.value_types.clone();
        let new_var = |vars: &mut Vec<Var>, ty: LType, name: String| {
            vars.push(Var { ty, name });
            VarId(vars.len() as u32 - 1)
        };
        let mut prologue: Block = Vec::new();
        let mut params = Vec::new();
        let mut args = Vec::new();

        // The values the body uses from outside, and the loop's start and step.
        let mut captured: Vec<ValueId> = uses
            .used
            .difference(&uses.defined)
            .copied()
            .chain([lp.start, lp.step])
            .collect();
        captured.sort();
        captured.dedup();
        for v in captured {
            let inst = match self.facts.consts.get(&v) {
                Some(c) => Inst::Const(*c),
                None => {
                    let ty = types[v.0 as usize];
                    let p = new_var(&mut vars, ty, format!("env.{v}"));
                    params.push(p);
                    args.push(Arg::Value(v));
                    Inst::Get(p)
                }
            };
            prologue.push(Stmt::Let {
                dst: v,
                inst,
                span: plan.span,
            });
        }
        // The variables it reads: their value before the loop (a private
        // owner starts null, as every owner does, and is not passed).
        let owners: HashSet<VarId> = self.f.owners.iter().copied().collect();
        let mut read: Vec<VarId> = uses.read.iter().copied().collect();
        read.sort();
        for var in read {
            if var == lp.counter
                || reduced.contains(&var)
                || (owners.contains(&var) && uses.set.contains(&var))
            {
                continue;
            }
            match self.facts.const_var(var) {
                Some(c) => {
                    let ty = inst_type(&Inst::Const(c), &types, &vars);
                    let v = push_value(&mut types, ty);
                    prologue.push(Stmt::Let {
                        dst: v,
                        inst: Inst::Const(c),
                        span: plan.span,
                    });
                    prologue.push(Stmt::Set { var, value: v });
                }
                None => {
                    params.push(var);
                    args.push(Arg::Var(var));
                }
            }
        }
        for r in &plan.reductions {
            let ty = vars[r.var.0 as usize].ty;
            let v = push_value(&mut types, ty);
            prologue.push(Stmt::Let {
                dst: v,
                inst: Inst::Const(identity(r.op, ty, r.dtype)),
                span: plan.span,
            });
            prologue.push(Stmt::Set {
                var: r.var,
                value: v,
            });
        }
        // Each array reduction's private arrays: their base, the bytes and
        // elements of one, and its strides (arguments `call` appends).
        let privates: Vec<(VarId, VarId, VarId, Vec<VarId>)> = plan
            .arrays
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let base = new_var(&mut vars, LType::Ptr, format!("env.private{i}"));
                let bytes = new_var(&mut vars, LType::I64, format!("env.private{i}.bytes"));
                let len = new_var(&mut vars, LType::I64, format!("env.private{i}.len"));
                let strides: Vec<VarId> = (0..a.strides.len())
                    .map(|d| new_var(&mut vars, LType::I64, format!("env.private{i}.stride{d}")))
                    .collect();
                params.extend([base, bytes, len]);
                params.extend(&strides);
                (base, bytes, len, strides)
            })
            .collect();
        let lo = new_var(&mut vars, LType::I64, "lo".into());
        let hi = new_var(&mut vars, LType::I64, "hi".into());
        let k = new_var(&mut vars, LType::I64, "k".into());
        params.extend([lo, hi]);
        let span = plan.span;
        let let_ = |types: &mut Vec<LType>, vars: &[Var], block: &mut Block, inst: Inst| {
            let ty = inst_type(&inst, types, vars);
            let v = push_value(types, ty);
            block.push(Stmt::Let { dst: v, inst, span });
            v
        };
        if !plan.arrays.is_empty() {
            let chunk = new_var(&mut vars, LType::I64, "chunk".into());
            params.push(chunk);
            for (a, (base, bytes, len, strides)) in plan.arrays.iter().zip(&privates) {
                let c = let_(&mut types, &vars, &mut prologue, Inst::Get(chunk));
                let size = let_(&mut types, &vars, &mut prologue, Inst::Get(*bytes));
                let offset = let_(
                    &mut types,
                    &vars,
                    &mut prologue,
                    Inst::Binary(BinaryOp::IMul, c, size),
                );
                let base = let_(&mut types, &vars, &mut prologue, Inst::Get(*base));
                let data = let_(
                    &mut types,
                    &vars,
                    &mut prologue,
                    Inst::PtrOffset { addr: base, offset },
                );
                prologue.push(Stmt::Set {
                    var: a.data,
                    value: data,
                });
                for (var, param) in a.strides.iter().zip(strides) {
                    let v = let_(&mut types, &vars, &mut prologue, Inst::Get(*param));
                    prologue.push(Stmt::Set {
                        var: *var,
                        value: v,
                    });
                }
                // Filled with the identity, element by element.
                let fill = new_var(&mut vars, LType::I64, "fill".into());
                let zero = let_(
                    &mut types,
                    &vars,
                    &mut prologue,
                    Inst::Const(Const::Int(LType::I64, 0)),
                );
                let one = let_(
                    &mut types,
                    &vars,
                    &mut prologue,
                    Inst::Const(Const::Int(LType::I64, 1)),
                );
                let n = let_(&mut types, &vars, &mut prologue, Inst::Get(*len));
                let mut body = Vec::new();
                let at = let_(&mut types, &vars, &mut body, Inst::Get(fill));
                let itemsize = let_(
                    &mut types,
                    &vars,
                    &mut body,
                    Inst::Const(Const::Int(LType::I64, a.dtype.itemsize() as i64)),
                );
                let offset = let_(
                    &mut types,
                    &vars,
                    &mut body,
                    Inst::Binary(BinaryOp::IMul, at, itemsize),
                );
                let addr = let_(
                    &mut types,
                    &vars,
                    &mut body,
                    Inst::PtrOffset { addr: data, offset },
                );
                let value = let_(
                    &mut types,
                    &vars,
                    &mut body,
                    Inst::Const(array_identity(a.op, a.dtype)),
                );
                body.push(Stmt::Store { addr, value });
                prologue.push(Stmt::ForRange {
                    var: fill,
                    start: zero,
                    stop: n,
                    step: one,
                    step_sign: StepSign::Positive,
                    body,
                });
            }
        }
        let lo_v = let_(&mut types, &vars, &mut prologue, Inst::Get(lo));
        let hi_v = let_(&mut types, &vars, &mut prologue, Inst::Get(hi));
        let one = let_(
            &mut types,
            &vars,
            &mut prologue,
            Inst::Const(Const::Int(LType::I64, 1)),
        );
        // Iteration number `k` is the loop's `start + k * step`.
        let mut body = Vec::new();
        let kv = let_(&mut types, &vars, &mut body, Inst::Get(k));
        let off = let_(
            &mut types,
            &vars,
            &mut body,
            Inst::Binary(BinaryOp::IMul, kv, lp.step),
        );
        let iv = let_(
            &mut types,
            &vars,
            &mut body,
            Inst::Binary(BinaryOp::IAdd, lp.start, off),
        );
        body.push(Stmt::Set {
            var: lp.counter,
            value: iv,
        });
        let reassociate = reassociable(&lp.body, &reduced);
        body.extend(std::mem::take(&mut lp.body));
        prologue.push(Stmt::ForRange {
            var: k,
            start: lo_v,
            stop: hi_v,
            step: one,
            step_sign: StepSign::Positive,
            body,
        });
        let mut results = Vec::new();
        let mut finals = Vec::new();
        for r in &plan.reductions {
            results.push(vars[r.var.0 as usize].ty);
            finals.push(let_(&mut types, &vars, &mut prologue, Inst::Get(r.var)));
        }
        prologue.push(Stmt::Return(finals));
        let callee = FuncIndex((self.first_index + self.outlined.len()) as u32);
        let mut outlined = Function {
            name: format!("{}.prange{}", self.f.name, self.outlined.len()),
            fastmath: self.f.fastmath,
            params,
            results: results.clone(),
            vars: Vec::new(),
            value_types: Vec::new(),
            body: prologue,
            owners: self
                .f
                .owners
                .iter()
                .copied()
                .filter(|o| uses.set.contains(o))
                .collect(),
            origin: self.f.origin.clone(),
            reassociate,
            cold: false,
        };
        // Built on a copy of the parent's tables (a function has few `prange`
        // loops); the outlined function keeps only what it names.
        compact(&mut outlined, &Tables::of(&vars, &types));
        self.outlined.push(outlined);
        self.call(lp, plan, callee, &args, &results, out);
    }

    /// The statements replacing the loop in the enclosing function.
    fn call(
        &mut self,
        lp: Loop,
        plan: &Plan,
        callee: FuncIndex,
        args: &[Arg],
        results: &[LType],
        out: &mut Block,
    ) {
        let mut e = Emit {
            f: self.f,
            out,
            span: plan.span,
        };
        let count = e.trip_count(lp.start, lp.stop, lp.step, lp.step_sign);
        // `min(ceil(count / MIN_CHUNK), MAX_CHUNKS)`; `count` is never negative.
        let round = e.int(MIN_CHUNK - 1);
        let up = e.inst(Inst::Binary(BinaryOp::IAdd, count, round));
        let min_chunk = e.int(MIN_CHUNK);
        let wanted = e.inst(Inst::Binary(BinaryOp::UDiv, up, min_chunk));
        let max = e.int(MAX_CHUNKS);
        let mut chunks = e.inst(Inst::Binary(BinaryOp::UMin, wanted, max));
        let privates: Vec<Private> = plan.arrays.iter().map(|a| e.private(a)).collect();
        if !privates.is_empty() {
            // `min(chunks, max(MIN_ARRAY_CHUNKS, PRIVATE_BYTES / bytes))`.
            let mut bytes = e.int(1);
            for p in &privates {
                bytes = e.inst(Inst::Binary(BinaryOp::IAdd, bytes, p.bytes));
            }
            let budget = e.int(PRIVATE_BYTES);
            let fit = e.inst(Inst::Binary(BinaryOp::UDiv, budget, bytes));
            let least = e.int(MIN_ARRAY_CHUNKS);
            let cap = e.inst(Inst::Binary(BinaryOp::UMax, fit, least));
            chunks = e.inst(Inst::Binary(BinaryOp::UMin, chunks, cap));
        }
        let mut private_args = Vec::new();
        let privates: Vec<(Private, VarId, ValueId)> = privates
            .into_iter()
            .map(|p| {
                let (owner, base) = e.alloc_private(&p, chunks);
                private_args.extend([base, p.bytes, p.len]);
                private_args.extend(&p.strides);
                (p, owner, base)
            })
            .collect();
        let slots: i64 = results.iter().map(|&t| slot_count(t)).sum();
        let buffer = (slots > 0).then(|| {
            let var = e.f.vars.len() as u32;
            e.f.vars.push(Var {
                ty: LType::Ptr,
                name: "prange.partials".into(),
            });
            let var = VarId(var);
            e.f.owners.push(var);
            let size = e.inst(Inst::Const(Const::Int(LType::I64, slots * 8)));
            let bytes = e.inst(Inst::Binary(BinaryOp::IMul, chunks, size));
            let owner = e.inst(Inst::Alloc {
                bytes,
                zeroed: false,
                array: None,
            });
            e.out.push(Stmt::Set { var, value: owner });
            var
        });
        let partials = match buffer {
            Some(var) => {
                let owner = e.inst(Inst::Get(var));
                let offset = e.inst(Inst::Const(Const::Int(LType::I64, BUFFER_DATA_OFFSET)));
                e.inst(Inst::PtrOffset {
                    addr: owner,
                    offset,
                })
            }
            None => e.inst(Inst::Const(Const::Null)),
        };
        let args: Vec<ValueId> = args
            .iter()
            .map(|a| match *a {
                Arg::Value(v) => v,
                Arg::Var(var) => e.inst(Inst::Get(var)),
            })
            .chain(private_args)
            .collect();
        e.out.push(Stmt::ParallelFor {
            callee,
            args,
            count,
            chunks,
            partials,
            span: plan.span,
        });
        for ((p, owner, base), a) in privates.iter().zip(&plan.arrays) {
            e.combine_private(a, p, *base, chunks);
            let owner_value = e.inst(Inst::Get(*owner));
            e.out.push(Stmt::Release(owner_value));
            let null = e.inst(Inst::Const(Const::Null));
            e.out.push(Stmt::Set {
                var: *owner,
                value: null,
            });
        }
        let Some(buffer) = buffer else {
            return;
        };
        // Chunk c's partials, combined in chunk order.
        let c = VarId(e.f.vars.len() as u32);
        e.f.vars.push(Var {
            ty: LType::I64,
            name: "prange.chunk".into(),
        });
        let zero = e.inst(Inst::Const(Const::Int(LType::I64, 0)));
        let one = e.inst(Inst::Const(Const::Int(LType::I64, 1)));
        let mut body = Vec::new();
        let mut inner = Emit {
            f: e.f,
            out: &mut body,
            span: plan.span,
        };
        let cv = inner.inst(Inst::Get(c));
        let stride = inner.inst(Inst::Const(Const::Int(LType::I64, slots * 8)));
        let at = inner.inst(Inst::Binary(BinaryOp::IMul, cv, stride));
        let base = inner.inst(Inst::PtrOffset {
            addr: partials,
            offset: at,
        });
        let mut slot = 0;
        for r in &plan.reductions {
            let ty = inner.f.vars[r.var.0 as usize].ty;
            let part = inner.load_slots(base, &mut slot, ty);
            let cur = inner.inst(Inst::Get(r.var));
            let v = inner.inst(Inst::Binary(combine(r.op, ty, r.dtype), cur, part));
            inner.out.push(Stmt::Set {
                var: r.var,
                value: v,
            });
        }
        e.out.push(Stmt::ForRange {
            var: c,
            start: zero,
            stop: chunks,
            step: one,
            step_sign: StepSign::Positive,
            body,
        });
        let owner = e.inst(Inst::Get(buffer));
        e.out.push(Stmt::Release(owner));
        let null = e.inst(Inst::Const(Const::Null));
        e.out.push(Stmt::Set {
            var: buffer,
            value: null,
        });
    }
}

struct Loop {
    counter: VarId,
    start: ValueId,
    stop: ValueId,
    step: ValueId,
    step_sign: StepSign,
    body: Block,
}

#[derive(Clone, Copy)]
enum Arg {
    Value(ValueId),
    Var(VarId),
}

/// How many 8-byte slots a value takes in `ret` (see `ir::Module`).
fn slot_count(ty: LType) -> i64 {
    match ty {
        LType::C64 | LType::C128 => 2,
        _ => 1,
    }
}

/// One array reduction's private arrays, as the enclosing function sees them
/// before the loop: the bytes and elements of one, and their strides.
struct Private {
    bytes: ValueId,
    len: ValueId,
    strides: Vec<ValueId>,
}

/// Statements appended to a block of the enclosing function.
struct Emit<'e> {
    f: &'e mut Function,
    out: &'e mut Block,
    span: Span,
}

impl Emit<'_> {
    fn inst(&mut self, inst: Inst) -> ValueId {
        let ty = inst_type(&inst, &self.f.value_types, &self.f.vars);
        let dst = push_value(&mut self.f.value_types, ty);
        self.out.push(Stmt::Let {
            dst,
            inst,
            span: self.span,
        });
        dst
    }

    fn int(&mut self, v: i64) -> ValueId {
        self.inst(Inst::Const(Const::Int(LType::I64, v)))
    }

    /// The number of iterations of `range(start, stop, step)` (`step` non-zero),
    /// counted in unsigned arithmetic so that no difference overflows.
    fn trip_count(
        &mut self,
        start: ValueId,
        stop: ValueId,
        step: ValueId,
        sign: StepSign,
    ) -> ValueId {
        match sign {
            StepSign::Positive => self.count_up(start, stop, step),
            StepSign::Negative => self.count_down(start, stop, step),
            StepSign::Unknown => {
                let up = self.count_up(start, stop, step);
                let down = self.count_down(start, stop, step);
                let zero = self.int(0);
                let positive = self.inst(Inst::Cmp(CmpOp::SGt, step, zero));
                self.inst(Inst::Select {
                    cond: positive,
                    if_true: up,
                    if_false: down,
                })
            }
        }
    }

    fn count_up(&mut self, start: ValueId, stop: ValueId, step: ValueId) -> ValueId {
        let any = self.inst(Inst::Cmp(CmpOp::SLt, start, stop));
        let diff = self.inst(Inst::Binary(BinaryOp::ISub, stop, start));
        self.count(any, diff, step)
    }

    fn count_down(&mut self, start: ValueId, stop: ValueId, step: ValueId) -> ValueId {
        let any = self.inst(Inst::Cmp(CmpOp::SGt, start, stop));
        let diff = self.inst(Inst::Binary(BinaryOp::ISub, start, stop));
        let by = self.inst(Inst::Unary(UnaryOp::INeg, step));
        self.count(any, diff, by)
    }

    /// `any ? (diff - 1) / by + 1 : 0`, unsigned.
    fn count(&mut self, any: ValueId, diff: ValueId, by: ValueId) -> ValueId {
        let one = self.int(1);
        let zero = self.int(0);
        let last = self.inst(Inst::Binary(BinaryOp::ISub, diff, one));
        let q = self.inst(Inst::Binary(BinaryOp::UDiv, last, by));
        let n = self.inst(Inst::Binary(BinaryOp::IAdd, q, one));
        self.inst(Inst::Select {
            cond: any,
            if_true: n,
            if_false: zero,
        })
    }

    /// The size and strides of a private array like `a`'s target.
    fn private(&mut self, a: &PlanArray) -> Private {
        let itemsize = self.int(a.dtype.itemsize() as i64);
        let extents: Vec<ValueId> = a.extents.iter().map(|v| self.inst(Inst::Get(*v))).collect();
        let mut axes: Vec<usize> = (0..extents.len()).collect();
        if !a.fortran {
            axes.reverse();
        }
        // From the contiguous axis outwards.
        let mut strides = vec![itemsize; extents.len()];
        let mut stride = itemsize;
        for d in axes {
            strides[d] = stride;
            stride = self.inst(Inst::Binary(BinaryOp::IMul, stride, extents[d]));
        }
        let len = self.inst(Inst::Binary(BinaryOp::UDiv, stride, itemsize));
        Private {
            bytes: stride,
            len,
            strides,
        }
    }

    /// `chunks` private arrays in one buffer, held by a new owner variable
    /// (so that an exception frees it): the variable and the first array's data.
    fn alloc_private(&mut self, p: &Private, chunks: ValueId) -> (VarId, ValueId) {
        let var = VarId(self.f.vars.len() as u32);
        self.f.vars.push(Var {
            ty: LType::Ptr,
            name: "prange.private".into(),
        });
        self.f.owners.push(var);
        let bytes = self.inst(Inst::Binary(BinaryOp::IMul, chunks, p.bytes));
        let owner = self.inst(Inst::Alloc {
            bytes,
            zeroed: false,
            array: None,
        });
        self.out.push(Stmt::Set { var, value: owner });
        let offset = self.int(BUFFER_DATA_OFFSET);
        let data = self.inst(Inst::PtrOffset {
            addr: owner,
            offset,
        });
        (var, data)
    }

    /// `target op= private` for each chunk's private array in chunk order.
    fn combine_private(&mut self, a: &PlanArray, p: &Private, base: ValueId, chunks: ValueId) {
        let data = self.inst(Inst::Get(a.data));
        let axes: Vec<(ValueId, ValueId, ValueId)> = a
            .extents
            .iter()
            .zip(&a.strides)
            .zip(&p.strides)
            .map(|((extent, stride), private)| {
                let extent = self.inst(Inst::Get(*extent));
                let stride = self.inst(Inst::Get(*stride));
                (extent, stride, *private)
            })
            .collect();
        let op = (array_combine(a.op, a.dtype), mem_ltype(a.dtype));
        self.for_range(chunks, "prange.chunk", |e, c| {
            let offset = e.inst(Inst::Binary(BinaryOp::IMul, c, p.bytes));
            let private = e.inst(Inst::PtrOffset { addr: base, offset });
            e.combine_elements(&axes, data, private, op);
        });
    }

    /// `*target = *target op *private` over every element of `axes`
    /// (extent, target's stride, private array's stride).
    fn combine_elements(
        &mut self,
        axes: &[(ValueId, ValueId, ValueId)],
        target: ValueId,
        private: ValueId,
        (op, ty): (BinaryOp, LType),
    ) {
        let Some((&(extent, stride, private_stride), rest)) = axes.split_first() else {
            let cur = self.inst(Inst::Load { ty, addr: target });
            let part = self.inst(Inst::Load { ty, addr: private });
            let value = self.inst(Inst::Binary(op, cur, part));
            self.out.push(Stmt::Store {
                addr: target,
                value,
            });
            return;
        };
        self.for_range(extent, "prange.element", |e, i| {
            let at = e.inst(Inst::Binary(BinaryOp::IMul, i, stride));
            let target = e.inst(Inst::PtrOffset {
                addr: target,
                offset: at,
            });
            let at = e.inst(Inst::Binary(BinaryOp::IMul, i, private_stride));
            let private = e.inst(Inst::PtrOffset {
                addr: private,
                offset: at,
            });
            e.combine_elements(rest, target, private, (op, ty));
        });
    }

    /// `for i in 0..stop { body(i) }` over a new counter variable.
    fn for_range(&mut self, stop: ValueId, name: &str, body: impl FnOnce(&mut Emit, ValueId)) {
        let var = VarId(self.f.vars.len() as u32);
        self.f.vars.push(Var {
            ty: LType::I64,
            name: name.into(),
        });
        let zero = self.int(0);
        let one = self.int(1);
        let mut block = Vec::new();
        let mut inner = Emit {
            f: self.f,
            out: &mut block,
            span: self.span,
        };
        let i = inner.inst(Inst::Get(var));
        body(&mut inner, i);
        self.out.push(Stmt::ForRange {
            var,
            start: zero,
            stop,
            step: one,
            step_sign: StepSign::Positive,
            body: block,
        });
    }

    /// A value of `ty` from the slots at `base` (as `Return` writes them).
    fn load_slots(&mut self, base: ValueId, slot: &mut i64, ty: LType) -> ValueId {
        let load = |e: &mut Self, slot: i64, ty: LType| {
            let offset = e.int(slot * 8);
            let addr = e.inst(Inst::PtrOffset { addr: base, offset });
            e.inst(Inst::Load { ty, addr })
        };
        let v = match ty {
            LType::I1 | LType::I8 | LType::I16 | LType::I32 => {
                let wide = load(self, *slot, LType::I64);
                self.inst(Inst::Cast(CastOp::Trunc, wide, ty))
            }
            LType::I64 | LType::F32 | LType::F64 | LType::Ptr => load(self, *slot, ty),
            LType::C64 | LType::C128 => {
                let part = complex_part(ty);
                let re = load(self, *slot, part);
                let im = load(self, *slot + 1, part);
                self.inst(Inst::MakeComplex { re, im })
            }
        };
        *slot += slot_count(ty);
        v
    }
}

fn is_unsigned(dtype: Dtype) -> bool {
    matches!(
        dtype,
        Dtype::Bool | Dtype::UInt8 | Dtype::UInt16 | Dtype::UInt32 | Dtype::UInt64
    )
}

/// The operation combining two partials of a reduction on a `ty` variable.
fn combine(op: ReduceOp, ty: LType, dtype: Dtype) -> BinaryOp {
    let float = matches!(ty, LType::F32 | LType::F64);
    let complex = matches!(ty, LType::C64 | LType::C128);
    match op {
        ReduceOp::Add if complex => BinaryOp::CAdd,
        ReduceOp::Add if float => BinaryOp::FAdd,
        ReduceOp::Add => BinaryOp::IAdd,
        ReduceOp::Mul if complex => BinaryOp::CMul,
        ReduceOp::Mul if float => BinaryOp::FMul,
        ReduceOp::Mul => BinaryOp::IMul,
        ReduceOp::And => BinaryOp::And,
        ReduceOp::Or => BinaryOp::Or,
        ReduceOp::Xor => BinaryOp::Xor,
        ReduceOp::Min if float => BinaryOp::FMin,
        ReduceOp::Min if is_unsigned(dtype) => BinaryOp::UMin,
        ReduceOp::Min => BinaryOp::SMin,
        ReduceOp::Max if float => BinaryOp::FMax,
        ReduceOp::Max if is_unsigned(dtype) => BinaryOp::UMax,
        ReduceOp::Max => BinaryOp::SMax,
    }
}

/// How two elements of an array reduction's partials combine: NumPy adds
/// and multiplies bools as `or` and `and`.
fn array_combine(op: ReduceOp, dtype: Dtype) -> BinaryOp {
    match (dtype, op) {
        (Dtype::Bool, ReduceOp::Add | ReduceOp::Or | ReduceOp::Max) => BinaryOp::Or,
        (Dtype::Bool, ReduceOp::Mul | ReduceOp::And | ReduceOp::Min) => BinaryOp::And,
        (Dtype::Bool, ReduceOp::Xor) => BinaryOp::Xor,
        _ => combine(op, mem_ltype(dtype), dtype),
    }
}

/// The element a private array starts from (a bool is a byte, 0 or 1).
fn array_identity(op: ReduceOp, dtype: Dtype) -> Const {
    match (dtype, op) {
        (Dtype::Bool, ReduceOp::Mul | ReduceOp::And | ReduceOp::Min) => Const::Int(LType::I8, 1),
        (Dtype::Bool, _) => Const::Int(LType::I8, 0),
        _ => identity(op, mem_ltype(dtype), dtype),
    }
}

/// The value each chunk's partial starts from.
fn identity(op: ReduceOp, ty: LType, dtype: Dtype) -> Const {
    let bits = match ty {
        LType::I1 => 1,
        LType::I8 => 8,
        LType::I16 => 16,
        LType::I32 => 32,
        _ => 64,
    };
    let int = |v: i64| {
        if ty == LType::I1 {
            Const::Bool(v & 1 != 0)
        } else {
            Const::Int(ty, v)
        }
    };
    let signed_max = if bits == 64 {
        i64::MAX
    } else {
        (1i64 << (bits - 1)) - 1
    };
    match (op, ty) {
        (ReduceOp::Add | ReduceOp::Or | ReduceOp::Xor, LType::C64 | LType::C128) => {
            Const::Complex(ty, 0.0, 0.0)
        }
        (ReduceOp::Mul, LType::C64 | LType::C128) => Const::Complex(ty, 1.0, 0.0),
        (ReduceOp::Add, LType::F32 | LType::F64) => Const::Float(ty, 0.0),
        (ReduceOp::Mul, LType::F32 | LType::F64) => Const::Float(ty, 1.0),
        (ReduceOp::Min, LType::F32 | LType::F64) => Const::Float(ty, f64::INFINITY),
        (ReduceOp::Max, LType::F32 | LType::F64) => Const::Float(ty, f64::NEG_INFINITY),
        (ReduceOp::Add | ReduceOp::Or | ReduceOp::Xor, _) => int(0),
        (ReduceOp::Mul, _) => int(1),
        (ReduceOp::And, _) => int(-1),
        (ReduceOp::Min, _) if is_unsigned(dtype) => int(-1),
        (ReduceOp::Min, _) => int(signed_max),
        (ReduceOp::Max, _) if is_unsigned(dtype) => int(0),
        (ReduceOp::Max, _) => int(-signed_max - 1),
    }
}

/// The float additions and multiplications that update a reduction variable
/// (`x = x + e`): LLVM may reassociate them, which lets it vectorize the
/// reduction; the user asked for a parallel order, so the sum's order is free.
fn reassociable(body: &Block, reduced: &HashSet<VarId>) -> Vec<ValueId> {
    float_updates(body)
        .into_iter()
        .filter(|(var, _)| reduced.contains(var))
        .map(|(_, value)| value)
        .collect()
}
