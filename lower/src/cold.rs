//! Outlining of the checked copies of versioned loops: low IR -> low IR, the
//! last pass of `lower`.
//!
//! A checked copy (`Stmt::Versioned::checked`) runs only when some index of
//! its loop may fall out of bounds: the loop then raises, or leaves early
//! before it reaches that index. Most calls never run it, yet LLVM optimized
//! and compiled it with its function. So each checked copy that can be
//! becomes a function of its own, marked `Function::cold`, which codegen
//! compiles only when it is first called: the first call of the
//! bench/corpus.py kernels that have one takes 0.85 of the time it took
//! (geometric mean).
//!
//! The call passes the values the copy uses from outside and the value of
//! every variable it reads or sets; the function returns the variables it
//! sets, which the call stores back. A copy stays in place where it cannot
//! leave its function in that form: it returns, breaks out of or continues a
//! loop around it, allocates, or takes or drops a reference to a buffer (the
//! owners stay with their function, which releases them at every exit).
//!
//! Nor does a copy leave that uses a pointer into a buffer its function made
//! (`FreshPointers`). LLVM knows that nothing it has not seen such a pointer
//! escape to can reach that memory; passed to the call of a cold function,
//! the pointer escapes for the whole function, the fast copy included, whose
//! loads and stores must then be taken as aliasing it (a `prange` histogram
//! into a private array ran 1.5 times slower). Only the values the copy
//! really uses are passed: reads whose value nothing uses (an array's owner,
//! read with its data for every access) are dropped from it first.

use std::collections::HashSet;

use frontend::Span;

use crate::capture::{compact, own_operands, push_value, Facts, Tables, Uses};
use crate::ir::{Block, FuncIndex, Function, Inst, LType, Stmt, ValueId, VarId};

/// Outlines the checked copies of every function of `functions` (those that
/// `parallel::outline` made included), appending the outlined functions.
pub(crate) fn outline(functions: &mut Vec<Function>) {
    for index in 0..functions.len() {
        if !has_versioned(&functions[index].body) {
            continue;
        }
        let first_index = functions.len();
        let f = &mut functions[index];
        let body = std::mem::take(&mut f.body);
        let facts = Facts::of(f, &body);
        let fresh = FreshPointers::of(f, &body);
        let mut o = Outliner {
            owners: f.owners.iter().copied().collect(),
            fresh,
            f,
            facts,
            first_index,
            outlined: Vec::new(),
        };
        let body = o.block(body);
        let outlined = std::mem::take(&mut o.outlined);
        functions[index].body = body;
        functions.extend(outlined);
    }
}

fn has_versioned(body: &Block) -> bool {
    body.iter()
        .any(|s| matches!(s, Stmt::Versioned { .. }) || s.blocks().into_iter().any(has_versioned))
}

struct Outliner<'a> {
    f: &'a mut Function,
    owners: HashSet<VarId>,
    fresh: FreshPointers,
    facts: Facts,
    first_index: usize,
    outlined: Vec<Function>,
}

impl Outliner<'_> {
    fn block(&mut self, body: Block) -> Block {
        body.into_iter()
            .map(|s| match s {
                Stmt::Versioned {
                    cond,
                    fast,
                    checked,
                } => {
                    let fast = self.block(fast);
                    let checked = if self.can_leave(&checked, 0) {
                        let used = without_unused_reads(checked);
                        let mut uses = Uses::default();
                        uses.block(&used);
                        if self.uses_fresh(&uses) {
                            used
                        } else {
                            self.outline_checked(used, uses)
                        }
                    } else {
                        checked
                    };
                    Stmt::Versioned {
                        cond,
                        fast,
                        checked,
                    }
                }
                other => other.map_blocks(|b| self.block(b)),
            })
            .collect()
    }

    /// Whether `body`, inside `loops` loops of the checked copy, can be
    /// another function's body (see the module docs).
    fn can_leave(&self, body: &Block, loops: usize) -> bool {
        body.iter().all(|s| match s {
            Stmt::Return(_)
            | Stmt::Retain(_)
            | Stmt::Release(_)
            | Stmt::Let {
                inst: Inst::Alloc { .. },
                ..
            } => false,
            Stmt::Break | Stmt::Continue => loops > 0,
            Stmt::Set { var, .. } => !self.owners.contains(var),
            Stmt::Call { results, .. } => !results.iter().any(|r| self.owners.contains(r)),
            Stmt::Loop { body } | Stmt::ForRange { body, .. } => self.can_leave(body, loops + 1),
            _ => s.blocks().into_iter().all(|b| self.can_leave(b, loops)),
        })
    }

    /// Whether a block with these `uses` uses a pointer that may point into a
    /// buffer this function made, from outside (a value or a variable it
    /// reads or sets).
    fn uses_fresh(&self, uses: &Uses) -> bool {
        uses.used
            .difference(&uses.defined)
            .any(|v| self.fresh.values.contains(v))
            || (uses.read.iter().chain(&uses.set)).any(|v| self.fresh.vars.contains(v))
    }

    /// The function `checked` (with these `uses`) becomes, and the call that
    /// replaces it.
    fn outline_checked(&mut self, checked: Block, uses: Uses) -> Block {
        let span = first_span(&checked).unwrap_or_default();
        let mut tables = Tables::extending(self.f);
        let mut body: Block = Vec::new();
        let mut params = Vec::new();
        let mut args = Vec::new();

        // The values it uses from outside: constants made again, others passed.
        let mut captured: Vec<ValueId> = uses.used.difference(&uses.defined).copied().collect();
        captured.sort();
        for v in captured {
            let inst = match self.facts.consts.get(&v) {
                Some(c) => Inst::Const(*c),
                None => {
                    let param = tables.new_var(tables.value_type(v), format!("env.{v}"));
                    params.push(param);
                    args.push(v);
                    Inst::Get(param)
                }
            };
            body.push(Stmt::Let { dst: v, inst, span });
        }
        // The variables it reads or sets, with their values at the call (one
        // it sets keeps that value where the copy does not set it after all).
        let mut passed: Vec<VarId> = uses.read.union(&uses.set).copied().collect();
        passed.sort();
        let mut passed_vars = Vec::new();
        for var in passed {
            match self.facts.const_var(var) {
                // Set once in the whole function, to a constant (a contiguous
                // array's unit stride): LLVM sees the constant here too.
                Some(c) => {
                    let v = tables.new_value(tables.var(var).ty);
                    body.push(Stmt::Let {
                        dst: v,
                        inst: Inst::Const(c),
                        span,
                    });
                    body.push(Stmt::Set { var, value: v });
                }
                None => {
                    params.push(var);
                    passed_vars.push(var);
                }
            }
        }
        let mut set: Vec<VarId> = uses.set.iter().copied().collect();
        set.sort();
        let reassociate = self
            .f
            .reassociate
            .iter()
            .copied()
            .filter(|v| uses.defined.contains(v))
            .collect();
        body.extend(checked);
        let finals = set
            .iter()
            .map(|&var| {
                let v = tables.new_value(tables.var(var).ty);
                body.push(Stmt::Let {
                    dst: v,
                    inst: Inst::Get(var),
                    span,
                });
                v
            })
            .collect();
        body.push(Stmt::Return(finals));
        let mut outlined = Function {
            name: format!("{}.checked{}", self.f.name, self.outlined.len()),
            fastmath: self.f.fastmath,
            params,
            results: set.iter().map(|&v| tables.var(v).ty).collect(),
            vars: Vec::new(),
            value_types: Vec::new(),
            body,
            owners: Vec::new(),
            origin: self.f.origin.clone(),
            reassociate,
            cold: true,
        };
        compact(&mut outlined, &tables);
        let callee = FuncIndex((self.first_index + self.outlined.len()) as u32);
        self.outlined.push(outlined);

        // The call: the captured values, then the passed variables' values.
        let mut call: Block = Vec::new();
        for var in passed_vars {
            let v = push_value(&mut self.f.value_types, self.f.vars[var.0 as usize].ty);
            call.push(Stmt::Let {
                dst: v,
                inst: Inst::Get(var),
                span,
            });
            args.push(v);
        }
        call.push(Stmt::Call {
            callee,
            args,
            results: set,
            span,
        });
        call
    }
}

/// The span of the first statement of `body` that has one.
fn first_span(body: &Block) -> Option<Span> {
    body.iter().find_map(|s| match s {
        Stmt::Let { span, .. }
        | Stmt::Call { span, .. }
        | Stmt::Kernel { span, .. }
        | Stmt::Raise { span, .. } => Some(*span),
        _ => s.blocks().into_iter().find_map(first_span),
    })
}

/// The values and variables of a function that may hold a pointer into a
/// buffer allocated in it or returned by a call (a fresh buffer, which LLVM
/// takes as aliasing nothing else), or loaded from memory: an allocation,
/// and what is computed from one.
#[derive(Default)]
struct FreshPointers {
    values: HashSet<ValueId>,
    vars: HashSet<VarId>,
}

impl FreshPointers {
    fn of(f: &Function, body: &Block) -> FreshPointers {
        let mut fresh = FreshPointers::default();
        // Until nothing changes: a variable set after the loop that reads it.
        while fresh.scan(f, body) {}
        fresh
    }

    /// One pass over `body`: whether it found more.
    fn scan(&mut self, f: &Function, body: &Block) -> bool {
        let mut more = false;
        for s in body {
            match s {
                Stmt::Let { dst, inst, .. } => {
                    let is_fresh = match inst {
                        Inst::Alloc { .. } => true,
                        Inst::Load { ty, .. } => *ty == LType::Ptr,
                        Inst::Get(var) => self.vars.contains(var),
                        Inst::PtrOffset { addr, .. } => self.values.contains(addr),
                        Inst::Select {
                            if_true, if_false, ..
                        } => self.values.contains(if_true) || self.values.contains(if_false),
                        _ => false,
                    };
                    if is_fresh {
                        more |= self.values.insert(*dst);
                    }
                }
                Stmt::Set { var, value } if self.values.contains(value) => {
                    more |= self.vars.insert(*var);
                }
                Stmt::Call { results, .. } => {
                    for r in results {
                        if f.vars[r.0 as usize].ty == LType::Ptr {
                            more |= self.vars.insert(*r);
                        }
                    }
                }
                _ => {}
            }
            for b in s.blocks() {
                more |= self.scan(f, b);
            }
        }
        more
    }
}

/// `body` without the `Let`s whose value nothing in it uses: reads of
/// variables and computations left over by lowering, which LLVM would drop,
/// but which would make the outlined function take more than it uses.
fn without_unused_reads(body: Block) -> Block {
    fn roots_and_defs<'b>(
        body: &'b Block,
        live: &mut Vec<ValueId>,
        defs: &mut std::collections::HashMap<ValueId, &'b Inst>,
    ) {
        for s in body {
            match s {
                Stmt::Let { dst, inst, .. } => {
                    defs.insert(*dst, inst);
                }
                _ => live.extend(own_operands(s)),
            }
            for b in s.blocks() {
                roots_and_defs(b, live, defs);
            }
        }
    }
    fn prune(body: Block, live: &HashSet<ValueId>) -> Block {
        body.into_iter()
            .filter(|s| !matches!(s, Stmt::Let { dst, .. } if !live.contains(dst)))
            .map(|s| s.map_blocks(|b| prune(b, live)))
            .collect()
    }
    let mut work = Vec::new();
    let mut defs = std::collections::HashMap::new();
    roots_and_defs(&body, &mut work, &mut defs);
    let mut live = HashSet::new();
    while let Some(v) = work.pop() {
        if live.insert(v) {
            if let Some(inst) = defs.get(&v) {
                work.extend(crate::capture::inst_operands(inst));
            }
        }
    }
    prune(body, &live)
}
