//! Lowering of one specialization: locals, statements, loops, element access.

use std::collections::HashMap;

use frontend::hir::{self, Dtype, ExceptionKind, ExprId, ExprKind, LocalId, StmtKind, Target};
use typeinfer::{ArrayType, Layout, LocalRead, Type, TypedFunction, TypedProgram};

use crate::borrowed;
use crate::builder::{ltype, mem_ltype, Builder};
use crate::ir::{
    BinaryOp, CastOp, CmpOp, Const, Function, Inst, LType, Origin, RuntimeError, StepSign, Stmt,
    UnaryOp, ValueId, VarId, BUFFER_DATA_OFFSET,
};
use crate::parallel::{Plan, PlanArray, PlanReduction};
use crate::ranges::{self, Assumed, Ranges};
use crate::values::{c_strides, f_strides, flat_types, ArrayVal, Slot, Val};
use crate::versioning::{self, NestCopy, Version, VersionPlan};
use crate::LowerOptions;

pub(crate) struct FnLower<'a> {
    pub(crate) tf: &'a TypedFunction,
    pub(crate) program: &'a TypedProgram,
    pub(crate) opts: LowerOptions,
    pub(crate) b: Builder,
    /// Indexed by `LocalId`.
    pub(crate) locals: Vec<Slot>,
    /// Indexed by `LocalId`: the "assigned" flag of a local that has a read
    /// definite assignment cannot prove (`TypedFunction::maybe_unbound`).
    assigned: Vec<Option<VarId>>,
    /// Indexed by `LocalId`: the array locals that hold no reference of their
    /// own (`borrowed::borrowed_locals`), assigned without counting.
    borrowed: Vec<bool>,
    pub(crate) ranges: Ranges<'a>,
    /// How each loop is versioned (`versioning.rs`), which translation follows.
    versioning: &'a VersionPlan,
    /// Which copy of a versioned loop nest is being lowered.
    copy: NestCopy,
    /// The parallel loops lowered so far, by counter, for `parallel::outline`.
    parallel: HashMap<VarId, Plan>,
    /// Inside the body of a parallel loop, where a `prange` runs sequentially.
    in_parallel: bool,
}

pub(crate) fn lower_function(
    program: &TypedProgram,
    index: usize,
    name: String,
    opts: LowerOptions,
    recursive: bool,
) -> (Function, HashMap<VarId, Plan>) {
    let tf = &program.functions[index];
    let hir = &tf.hir;
    let versioning = versioning::plan(tf, opts);
    let mut b = Builder::new();
    b.span = hir.span;
    if recursive {
        let exhausted = b.emit(Inst::StackExhausted);
        b.raise_if(
            exhausted,
            RuntimeError::Message {
                kind: ExceptionKind::RecursionError,
                message: "maximum recursion depth exceeded".to_string(),
            },
        );
    }
    let locals = hir
        .locals
        .iter()
        .zip(&tf.local_types)
        .map(|(local, ty)| Slot::new(&mut b, ty, &local.name))
        .collect::<Vec<Slot>>();
    let borrowed = borrowed::borrowed_locals(tf);
    for (slot, _) in locals.iter().zip(&borrowed).filter(|(_, b)| **b) {
        let mut owners = Vec::new();
        slot.owner_vars(&mut owners);
        b.disown(&owners);
    }
    let mut fl = FnLower {
        tf,
        program,
        opts,
        b,
        locals,
        assigned: vec![None; hir.locals.len()],
        borrowed,
        ranges: Ranges::new(tf),
        versioning: &versioning,
        copy: NestCopy::Outside,
        parallel: HashMap::new(),
        in_parallel: false,
    };
    let params = fl.bind_params();
    fl.init_assigned_flags();
    fl.lower_block(&hir.body);
    if !fl.b.terminated() {
        fl.b.span = hir.span;
        if matches!(tf.return_type, Type::None) {
            fl.b.stmt(Stmt::Return(Vec::new()));
        } else {
            // typeinfer types a function that may fall off its end as returning
            // None, so reaching this point means the two stages disagree.
            fl.bug("the end of a function returning a value is reachable");
        }
    }
    let mut results = Vec::new();
    flat_types(&tf.return_type, &mut results);
    let plans = std::mem::take(&mut fl.parallel);
    let built = fl.b.finish();
    let function = Function {
        name,
        fastmath: opts.fastmath,
        params,
        results,
        vars: built.vars,
        value_types: built.value_types,
        body: built.body,
        owners: built.owners,
        origin: Origin {
            name: hir.name.clone(),
            source: hir.source.clone(),
        },
        reassociate: Vec::new(),
        cold: false,
    };
    (function, plans)
}

impl<'a> FnLower<'a> {
    /// Creates the parameter variables (ABI order) and initialises the locals from them.
    fn bind_params(&mut self) -> Vec<crate::ir::VarId> {
        let hir = &self.tf.hir;
        let mut params = Vec::new();
        for (k, p) in hir.params.iter().enumerate() {
            let arg_ty = &self.tf.arg_types[k];
            let local_ty = self.tf.local_type(*p);
            let slot = if arg_ty == local_ty {
                self.locals[p.0 as usize].clone()
            } else {
                Slot::new(&mut self.b, arg_ty, &format!("{}.arg", hir.local(*p).name))
            };
            slot.flatten(&mut params);
            let mut owners = Vec::new();
            slot.owner_vars(&mut owners);
            if arg_ty == local_ty && ranges::assigns(hir, &hir.body, *p) {
                // The caller lends its arrays for the call; a reference of its
                // own makes the parameter an ordinary local, which may be
                // reassigned (releasing what it held).
                for var in owners {
                    let owner = self.b.get(var);
                    self.b.stmt(Stmt::Retain(owner));
                }
            } else {
                // Never reassigned (a converted argument's local is written
                // below, taking a reference of its own): the caller's
                // reference lasts the whole call.
                self.b.disown(&owners);
            }
            if let (
                Type::Array(at),
                Slot::Array {
                    extents, strides, ..
                },
            ) = (arg_ty, &slot)
            {
                // Strides of contiguous arrays are recomputed from the extents so
                // that LLVM sees the unit stride and vectorizes.
                let ext: Vec<ValueId> = extents.iter().map(|v| self.b.get(*v)).collect();
                let computed = match at.layout {
                    Layout::C => Some(c_strides(&mut self.b, &ext, at.dtype.itemsize())),
                    Layout::F => Some(f_strides(&mut self.b, &ext, at.dtype.itemsize())),
                    Layout::Any => None,
                };
                for (var, v) in strides.iter().zip(computed.into_iter().flatten()) {
                    self.b.set(*var, v);
                }
            }
            // A parameter passed `None` holds only what is assigned to it
            // (its reads of the `None` are typed `None`).
            if arg_ty != local_ty && *arg_ty != Type::None {
                let val = slot.read(&mut self.b);
                let val = self.convert(val, arg_ty, local_ty);
                self.locals[p.0 as usize].clone().write(&mut self.b, &val);
            }
        }
        params
    }

    /// Gives each local with a read that may find it unassigned an "assigned"
    /// flag, false on entry and set by every assignment; every other local has
    /// none and pays nothing. The local's variables start at zero (the data
    /// pointer of an array aside), so a condition hoisted above such a read
    /// (loop versioning) never computes with an undefined value.
    fn init_assigned_flags(&mut self) {
        let mut flagged: Vec<LocalId> = self.tf.maybe_unbound.values().copied().collect();
        flagged.sort();
        flagged.dedup();
        for l in flagged {
            let name = &self.tf.hir.local(l).name;
            let flag = self.b.var(LType::I1, format!("{name}.assigned"));
            let unset = self.b.boolc(false);
            self.b.set(flag, unset);
            let mut vars = Vec::new();
            self.locals[l.0 as usize].flatten(&mut vars);
            for var in vars {
                let zero = match self.b.vars[var.0 as usize].ty {
                    LType::Ptr => continue,
                    LType::I1 => Const::Bool(false),
                    ty @ (LType::I8 | LType::I16 | LType::I32 | LType::I64) => Const::Int(ty, 0),
                    ty @ (LType::F32 | LType::F64) => Const::Float(ty, 0.0),
                    ty @ (LType::C64 | LType::C128) => Const::Complex(ty, 0.0, 0.0),
                };
                let zero = self.b.emit(Inst::Const(zero));
                self.b.set(var, zero);
            }
            self.assigned[l.0 as usize] = Some(flag);
        }
    }

    /// Before a read that may find its local unassigned: raises CPython's
    /// `UnboundLocalError` unless an assignment ran. Other reads need nothing.
    pub(crate) fn check_assigned(&mut self, read: LocalRead) {
        let Some(&l) = self.tf.maybe_unbound.get(&read) else {
            return;
        };
        let Some(flag) = self.assigned[l.0 as usize] else {
            return self.bug("a read that may be unbound of a local without a flag");
        };
        let set = self.b.get(flag);
        let unset = self.b.unary(UnaryOp::Not, set);
        let message = format!(
            "cannot access local variable '{}' where it is not associated with a value",
            self.tf.hir.local(l).name
        );
        self.raise_if(unset, ExceptionKind::UnboundLocalError, &message);
    }

    /// Emits a run-time error for a state the earlier stages promise cannot happen,
    /// instead of panicking inside the user's process.
    pub(crate) fn bug(&mut self, what: &str) {
        let cond = self.b.boolc(true);
        let message = format!("internal error in ferrojit (lower): {what}; this is a bug in ferrojit, please report it");
        self.b.raise_if(
            cond,
            RuntimeError::Message {
                kind: ExceptionKind::RuntimeError,
                message,
            },
        );
    }

    pub(crate) fn raise(&mut self, kind: ExceptionKind, message: &str) {
        let span = self.b.span;
        self.b.stmt(Stmt::Raise {
            error: RuntimeError::Message {
                kind,
                message: message.to_string(),
            },
            span,
        });
    }

    pub(crate) fn raise_if(&mut self, cond: ValueId, kind: ExceptionKind, message: &str) {
        self.b.raise_if(
            cond,
            RuntimeError::Message {
                kind,
                message: message.to_string(),
            },
        );
    }

    pub(crate) fn lower_block(&mut self, body: &[hir::Stmt]) {
        for stmt in body {
            // Statements after a return, raise, break or continue never run.
            if self.b.terminated() {
                break;
            }
            self.lower_stmt(stmt);
        }
    }

    // Its own recursion, not `hir::visit`'s: a translation, each arm emits its statement.
    fn lower_stmt(&mut self, stmt: &hir::Stmt) {
        self.b.span = stmt.span;
        match &stmt.kind {
            StmtKind::Assign {
                target:
                    target @ Target::Subscript {
                        value: arr,
                        indices,
                    },
                value,
            } if self.advanced(*arr, indices).is_some() => {
                if let Some(adv) = self.advanced(*arr, indices) {
                    self.advanced_store(*arr, indices, adv, *value);
                }
                self.ranges.define(target);
                self.b.release_temps();
            }
            StmtKind::Assign {
                target:
                    target @ Target::Subscript {
                        value: arr,
                        indices,
                    },
                value,
            } if self.selects_view(*arr, indices) && self.tf.is_elementwise(*value) => {
                self.store_expression(*arr, indices, *value);
                self.ranges.define(target);
                self.b.release_temps();
            }
            StmtKind::Assign { target, value } => {
                let v = self.expr(*value);
                let ty = self.tf.coerced_type(*value).clone();
                self.assign(target, v, &ty);
                self.ranges.define(target);
                self.b.release_temps();
            }
            StmtKind::AugAssign { target, op, value } => {
                self.aug_assign(target, *op, *value);
                self.b.release_temps();
            }
            StmtKind::Expr(e) => {
                self.expr(*e);
                self.b.release_temps();
            }
            StmtKind::If { test, body, orelse } => {
                let cond = self.truth_of(*test);
                self.b.release_temps();
                self.b.begin();
                self.lower_block(body);
                let then_body = self.b.end();
                self.b.begin();
                self.lower_block(orelse);
                let else_body = self.b.end();
                self.b.stmt(Stmt::If {
                    cond,
                    then_body,
                    else_body,
                });
            }
            StmtKind::While { test, body } => {
                self.b.begin();
                let cond = self.truth_of(*test);
                self.b.release_temps();
                let stop = self.b.unary(UnaryOp::Not, cond);
                self.b.stmt(Stmt::If {
                    cond: stop,
                    then_body: vec![Stmt::Break],
                    else_body: Vec::new(),
                });
                self.lower_block(body);
                let body = self.b.end();
                self.b.stmt(Stmt::Loop { body });
            }
            StmtKind::ForRange {
                var,
                start,
                stop,
                step,
                parallel,
                body,
            } => {
                // The outermost `prange` of a nest runs in parallel (typeinfer
                // analysed it); one inside it runs sequentially, like `range`.
                let plan = match self.tf.parallel_loops.get(stop) {
                    Some(lp) if *parallel && !self.in_parallel => Some(lp),
                    _ => None,
                };
                self.lower_for(*var, *start, *stop, *step, body, plan);
            }
            StmtKind::Break => self.b.stmt(Stmt::Break),
            StmtKind::Continue => self.b.stmt(Stmt::Continue),
            StmtKind::Return(value) => {
                let mut values = Vec::new();
                if let Some(e) = value {
                    let v = self.expr(*e);
                    let from = self.tf.coerced_type(*e).clone();
                    let v = self.convert(v, &from, &self.tf.return_type.clone());
                    // The caller gets a reference of its own; every owner
                    // variable (the statement's temporaries too) is released
                    // on the way out.
                    let mut owners = Vec::new();
                    v.owners(&mut owners);
                    for owner in owners {
                        self.b.retain(owner);
                    }
                    v.flatten(&mut values);
                }
                self.b.stmt(Stmt::Return(values));
                self.b.exit_with_temps();
            }
            StmtKind::Raise { kind, message } => {
                self.raise(*kind, message.as_deref().unwrap_or(""))
            }
            StmtKind::Pass => {}
        }
    }

    pub(crate) fn truth_of(&mut self, e: ExprId) -> ValueId {
        let v = self.expr(e);
        match (self.tf.coerced_type(e).as_scalar(), v) {
            (Some(d), Val::Scalar(v)) => self.cast_scalar(v, d, Dtype::Bool),
            _ => {
                self.bug("the truth value of a non-scalar");
                self.b.boolc(false)
            }
        }
    }

    pub(crate) fn store_local(&mut self, l: LocalId, val: Val, ty: &Type) {
        self.store_locals(&[(l, val, ty.clone())]);
    }

    /// Assigns each local its value as one step: every new owner is retained
    /// before any old one is released, so in `u, v = v, u` assigning `u`
    /// cannot free the array `v` is given next. The locals are distinct.
    fn store_locals(&mut self, stores: &[(LocalId, Val, Type)]) {
        let mut writes = Vec::new();
        for (l, val, ty) in stores {
            let local_ty = self.tf.local_type(*l).clone();
            let val = self.convert(val.clone(), ty, &local_ty);
            let slot = self.locals[l.0 as usize].clone();
            let replaced = match self.borrowed[l.0 as usize] {
                true => None,
                false => Some(slot.retain_new(&mut self.b, &val)),
            };
            writes.push((*l, slot, val, replaced));
        }
        let mut releases = Vec::new();
        for (l, slot, val, replaced) in writes {
            slot.set(&mut self.b, &val);
            releases.extend(replaced);
            if let Some(flag) = self.assigned[l.0 as usize] {
                let set = self.b.boolc(true);
                self.b.set(flag, set);
            }
        }
        for replaced in releases {
            replaced.release(&mut self.b);
        }
    }

    fn assign(&mut self, target: &Target, val: Val, ty: &Type) {
        match target {
            Target::Local(l) => self.store_local(*l, val, ty),
            Target::Tuple(targets) => match (val, ty) {
                (Val::Tuple(vals), Type::Tuple(tys))
                    if vals.len() == targets.len() && distinct_locals(targets) =>
                {
                    let stores: Vec<(LocalId, Val, Type)> = targets
                        .iter()
                        .zip(vals)
                        .zip(tys)
                        .filter_map(|((t, v), ty)| match t {
                            Target::Local(l) => Some((*l, v, ty.clone())),
                            _ => None,
                        })
                        .collect();
                    self.store_locals(&stores);
                }
                (Val::Tuple(vals), Type::Tuple(tys)) if vals.len() == targets.len() => {
                    // As Python's tuple holds its items while the targets are
                    // assigned, the statement holds a reference to each array
                    // first (each target takes one over): in `u, v = v, u`,
                    // assigning `u` must not free the array `v` is given next.
                    let mut owners = Vec::new();
                    Val::Tuple(vals.clone()).owners(&mut owners);
                    for owner in owners {
                        self.b.stmt(Stmt::Retain(owner));
                        self.b.hold_temp(owner, "unpacked");
                    }
                    for ((t, v), ty) in targets.iter().zip(vals).zip(tys) {
                        self.assign(t, v, ty);
                    }
                }
                _ => self.bug("unpacking a value that is not a tuple of the right length"),
            },
            Target::Subscript { value, indices } if self.selects_view(*value, indices) => {
                self.store_view(*value, indices, val, ty)
            }
            Target::Subscript { value, indices } => {
                let Some((addr, dtype)) = self.element_address(*value, indices) else {
                    return;
                };
                let v = self.scalar_of(val);
                let from = ty.as_scalar().unwrap_or(dtype);
                let v = self.cast_scalar(v, from, dtype);
                self.store_elem(addr, v, dtype);
            }
        }
    }

    fn aug_assign(&mut self, target: &Target, op: hir::BinOp, value: ExprId) {
        match target {
            Target::Local(l) => {
                if let Some(at) = self.tf.local_type(*l).as_array().copied() {
                    self.check_assigned(LocalRead::AugAssign(value));
                    return match self.locals[l.0 as usize].clone().read(&mut self.b) {
                        Val::Array(dst) => self.update_in_place(&dst, &at, op, value),
                        _ => self.bug("an array local without an array value"),
                    };
                }
                let Some(lt) = self.tf.local_type(*l).as_scalar() else {
                    return self.bug("augmented assignment to a non-scalar local");
                };
                self.check_assigned(LocalRead::AugAssign(value));
                let cur = self.locals[l.0 as usize].clone().read(&mut self.b);
                let cur = self.scalar_of(cur);
                let (rhs, rt) = self.scalar_expr(value);
                // The value is read as the operation's type (typeinfer's contract).
                let res = rt;
                let ints = self.is_integral(&Type::Scalar(lt))
                    && self.is_integral(self.tf.expr_type(value));
                let v = self.binary_op(op, (cur, lt), (rhs, rt), res, Some(value), ints);
                let v = self.cast_scalar(v, res, lt);
                self.locals[l.0 as usize]
                    .clone()
                    .write(&mut self.b, &Val::Scalar(v));
            }
            Target::Subscript {
                value: arr,
                indices,
            } if self.advanced(*arr, indices).is_some() => {
                if let Some(adv) = self.advanced(*arr, indices) {
                    self.advanced_update(*arr, indices, adv, op, value);
                }
            }
            Target::Subscript {
                value: arr,
                indices,
            } if self.selects_view(*arr, indices) => {
                if let Some((dst, dt)) = self.view(*arr, indices) {
                    self.update_in_place(&dst, &dt, op, value);
                }
            }
            Target::Subscript {
                value: arr,
                indices,
            } => {
                let Some((addr, dtype)) = self.element_address(*arr, indices) else {
                    return;
                };
                let cur = self.load_elem(addr, dtype);
                let (rhs, rt) = self.scalar_expr(value);
                let res = rt;
                let ints = self.is_integral(&Type::Scalar(dtype))
                    && self.is_integral(self.tf.expr_type(value));
                let v = self.binary_op(op, (cur, dtype), (rhs, rt), res, Some(value), ints);
                let v = self.cast_scalar(v, res, dtype);
                self.store_elem(addr, v, dtype);
            }
            Target::Tuple(_) => self.bug("augmented assignment to a tuple"),
        }
    }

    pub(crate) fn int64(&mut self, e: ExprId) -> ValueId {
        let (v, d) = self.scalar_expr(e);
        self.cast_scalar(v, d, Dtype::Int64)
    }

    fn lower_for(
        &mut self,
        var: LocalId,
        start: ExprId,
        stop: ExprId,
        step: ExprId,
        body: &[hir::Stmt],
        parallel: Option<&typeinfer::ParallelLoop>,
    ) {
        let s0 = self.int64(start);
        let s1 = self.int64(stop);
        let st = self.int64(step);
        self.b.release_temps();
        let step_const = self.const_int(step);
        const ZERO_STEP: &str = "range() arg 3 must not be zero";
        let sign = match step_const {
            Some(0) => return self.raise(ExceptionKind::ValueError, ZERO_STEP),
            Some(c) if c > 0 => StepSign::Positive,
            Some(_) => StepSign::Negative,
            None => {
                let zero = self.b.i64c(0);
                let is_zero = self.b.cmp(CmpOp::Eq, st, zero);
                self.raise_if(is_zero, ExceptionKind::ValueError, ZERO_STEP);
                StepSign::Unknown
            }
        };
        self.ranges.enter_loop(var, start, stop, step_const, body);
        let counter = self
            .b
            .var(LType::I64, format!("{}.iter", self.tf.hir.local(var).name));
        let outside_parallel = self.in_parallel;
        if let Some(lp) = parallel {
            let mut reductions = Vec::new();
            let mut arrays = Vec::new();
            for r in &lp.reductions {
                match (
                    &self.locals[r.local.0 as usize],
                    self.tf.local_type(r.local),
                ) {
                    (Slot::Scalar(var), Type::Scalar(dtype)) => reductions.push(PlanReduction {
                        var: *var,
                        op: r.op,
                        dtype: *dtype,
                    }),
                    (
                        Slot::Array {
                            data,
                            extents,
                            strides,
                            ..
                        },
                        Type::Array(at),
                    ) => arrays.push(PlanArray {
                        data: *data,
                        extents: extents.clone(),
                        strides: strides.clone(),
                        op: r.op,
                        dtype: at.dtype,
                        fortran: at.layout == Layout::F,
                    }),
                    _ => self.bug("a reduction whose local is neither a number nor an array"),
                }
            }
            let span = self.b.span;
            self.parallel.insert(
                counter,
                Plan {
                    reductions,
                    arrays,
                    span,
                },
            );
            self.in_parallel = true;
        }
        self.lower_range_loop(var, counter, [s0, s1, st], sign, stop, body);
        self.in_parallel = outside_parallel;
    }

    /// The loop over `counter` (entered in the range analysis), in the two
    /// copies the plan gives it if it is versioned.
    fn lower_range_loop(
        &mut self,
        var: LocalId,
        counter: VarId,
        [s0, s1, st]: [ValueId; 3],
        sign: StepSign,
        stop: ExprId,
        body: &[hir::Stmt],
    ) {
        let outer = self.copy;
        let (cond, assumed, [fast_copy, checked_copy]) = match self.versioning.get(stop, outer) {
            Some(Version::Nest { checks, assumed }) => (
                self.nest_condition(checks),
                assumed,
                [NestCopy::Fast, NestCopy::Checked],
            ),
            Some(Version::Innermost { checks, assumed }) => (
                self.version_condition(var, checks, s0, s1),
                assumed,
                [outer, outer],
            ),
            Some(Version::Chunked {
                hoisted,
                checks,
                overlaps,
                assumed,
            }) => {
                let tests = (hoisted.as_slice(), checks.as_slice(), overlaps.as_slice());
                self.emit_chunked_loop(var, counter, [s0, s1], tests, assumed, body);
                return self.ranges.exit_loop();
            }
            None => {
                self.emit_range_loop(var, counter, [s0, s1, st], sign, body);
                return self.ranges.exit_loop();
            }
        };
        self.copy = fast_copy;
        self.b.begin();
        let outside = self.ranges.set_assumed(assumed.clone());
        self.emit_range_loop(var, counter, [s0, s1, st], sign, body);
        self.ranges.set_assumed(outside);
        let fast = self.b.end();
        self.copy = checked_copy;
        self.b.begin();
        self.emit_range_loop(var, counter, [s0, s1, st], sign, body);
        let checked = self.b.end();
        self.copy = outer;
        self.b.stmt(Stmt::Versioned {
            cond,
            fast,
            checked,
        });
        self.ranges.exit_loop();
    }

    /// A `Version::Chunked` loop over `counter` from `s0` to `s1` (step 1):
    /// chunks of `versioning::CHUNK` iterations, each a pass that ORs "some
    /// index out of range" (and "some wrapping index negative") over the
    /// chunk, then the chunk's iterations without those checks when none was
    /// (and without their wraparound when none was negative), else with them.
    fn emit_chunked_loop(
        &mut self,
        var: LocalId,
        counter: VarId,
        [s0, s1]: [ValueId; 2],
        (hoisted, checks, overlaps): ChunkTests,
        assumed: &Assumed,
        body: &[hir::Stmt],
    ) {
        let name = self.tf.hir.local(var).name.clone();
        let mut aliased = Vec::new();
        for &(read, stored) in overlaps {
            let (Val::Array(r), Val::Array(w)) = (self.read_local(read), self.read_local(stored))
            else {
                return self.bug("a chunked loop's overlap test of a local that is not an array");
            };
            let (rd, wd) = (self.array_dtype(read), self.array_dtype(stored));
            aliased.push(self.overlaps(&r, rd, &w, wd));
        }
        let aliased = self.any(aliased).unwrap_or_else(|| self.b.boolc(false));
        let chunk = self.b.var(LType::I64, format!("{name}.chunk"));
        let pass = self.b.var(LType::I64, format!("{name}.pass"));
        // All ones once some index is out of range: an i64 rather than an i1,
        // so the vectorized pass ORs whole lanes (no packing of masks).
        let out = self.b.var(LType::I64, format!("{name}.out"));
        // All ones once some wrapping index is negative.
        let wrapping = checks.iter().any(|c| c.wraps);
        let negative = wrapping.then(|| self.b.var(LType::I64, format!("{name}.negative")));
        let size = self.b.i64c(versioning::CHUNK);
        let one = self.b.i64c(1);
        self.b.begin();
        let lo = self.b.get(chunk);
        // `lo + CHUNK` when it is below `s1` (so it does not overflow), else `s1`:
        // `s1 - lo` is in `(0, 2**64)`, exact as an unsigned number.
        let rest = self.b.bin(BinaryOp::ISub, s1, lo);
        let short = self.b.cmp(CmpOp::ULt, rest, size);
        let full = self.b.bin(BinaryOp::IAdd, lo, size);
        let hi = self.b.select(short, s1, full);
        let ends_in = self.version_condition(var, hoisted, lo, hi);
        let ends_out = self.b.unary(UnaryOp::Not, ends_in);
        let first_out = self.b.bin(BinaryOp::Or, aliased, ends_out);
        let first_out = self.b.cast(CastOp::SExt, first_out, LType::I64);
        self.b.stmt(Stmt::Set {
            var: out,
            value: first_out,
        });
        if let Some(negative) = negative {
            let none = self.b.i64c(0);
            self.b.set(negative, none);
        }
        self.b.begin();
        let i = self.b.get(pass);
        self.store_local(var, Val::Scalar(i), &Type::INT);
        let mut outs = Vec::new();
        let mut negatives = Vec::new();
        for check in checks {
            let index = self.int64(check.index);
            let Val::Array(arr) = self.read_local(check.array) else {
                return self.bug("a chunked loop's check of a local that is not an array");
            };
            let ext = arr.extents[check.axis as usize];
            outs.push(if check.wraps {
                // `-ext <= index < ext` is `index + ext < 2 * ext` in unsigned
                // (wrapping) arithmetic, exact for any extent below 2**63.
                let shifted = self.b.bin(BinaryOp::IAdd, index, ext);
                let span = self.b.bin(BinaryOp::IAdd, ext, ext);
                let zero = self.b.i64c(0);
                negatives.push(self.b.cmp(CmpOp::SLt, index, zero));
                self.b.cmp(CmpOp::UGe, shifted, span)
            } else {
                self.b.cmp(CmpOp::UGe, index, ext)
            });
        }
        self.or_into(out, outs);
        if let Some(negative) = negative {
            self.or_into(negative, negatives);
        }
        let pass_body = self.b.end();
        self.b.stmt(Stmt::ForRange {
            var: pass,
            start: lo,
            stop: hi,
            step: one,
            step_sign: StepSign::Positive,
            body: pass_body,
        });
        let some_out = self.b.get(out);
        let zero = self.b.i64c(0);
        let cond = self.b.cmp(CmpOp::Eq, some_out, zero);
        self.b.begin();
        let loop_with = |this: &mut Self, assumed: Assumed| {
            this.b.begin();
            let outside = this.ranges.set_assumed(assumed);
            this.emit_range_loop(var, counter, [lo, hi, one], StepSign::Positive, body);
            this.ranges.set_assumed(outside);
            this.b.end()
        };
        match negative {
            // A chunk of indices all in `[0, ext)` runs with no wraparound
            // either (a compare, select and add less per access: bench/corpus.py's
            // `gather` 1.25x -> 1.0x Numba's); one with a negative index keeps
            // the wraparound, a copy of its own so that such data does not
            // send every chunk to the checked copy (2.3x slower when every
            // index was negative). The third copy costs compile time: `gather`'s
            // first call 55 -> 77 ms.
            Some(negative) => {
                let some_negative = self.b.get(negative);
                let none_negative = self.b.cmp(CmpOp::Eq, some_negative, zero);
                let mut in_order = assumed.clone();
                for check in checks.iter().filter(|c| c.wraps) {
                    in_order.insert((check.array, check.axis, check.index), false);
                }
                let then_body = loop_with(self, in_order);
                let else_body = loop_with(self, assumed.clone());
                self.b.stmt(Stmt::If {
                    cond: none_negative,
                    then_body,
                    else_body,
                });
            }
            None => {
                let outside = self.ranges.set_assumed(assumed.clone());
                self.emit_range_loop(var, counter, [lo, hi, one], StepSign::Positive, body);
                self.ranges.set_assumed(outside);
            }
        }
        let fast = self.b.end();
        self.b.begin();
        self.emit_range_loop(var, counter, [lo, hi, one], StepSign::Positive, body);
        let checked = self.b.end();
        self.b.stmt(Stmt::Versioned {
            cond,
            fast,
            checked,
        });
        let chunk_body = self.b.end();
        self.b.stmt(Stmt::ForRange {
            var: chunk,
            start: s0,
            stop: s1,
            step: size,
            step_sign: StepSign::Positive,
            body: chunk_body,
        });
    }

    /// `var |= any(conds)`, each condition all ones (an i64) when true.
    fn or_into(&mut self, var: VarId, conds: Vec<ValueId>) {
        if let Some(any) = self.any(conds) {
            let any = self.b.cast(CastOp::SExt, any, LType::I64);
            let before = self.b.get(var);
            let now = self.b.bin(BinaryOp::Or, before, any);
            self.b.set(var, now);
        }
    }

    /// The value of array (or other) local `l`, read without the check that
    /// it is bound: for conditions a translated read guards again.
    fn read_local(&mut self, l: LocalId) -> Val {
        self.locals[l.0 as usize].clone().read(&mut self.b)
    }

    fn array_dtype(&self, l: LocalId) -> Dtype {
        self.tf
            .local_type(l)
            .as_array()
            .map_or(Dtype::Float64, |at| at.dtype)
    }

    fn emit_range_loop(
        &mut self,
        var: LocalId,
        counter: crate::ir::VarId,
        [start, stop, step]: [ValueId; 3],
        step_sign: StepSign,
        body: &[hir::Stmt],
    ) {
        self.b.begin();
        // The counter is private to the loop; the Python variable is a copy the
        // body may reassign without changing the iteration.
        let i = self.b.get(counter);
        self.store_local(var, Val::Scalar(i), &Type::INT);
        self.lower_block(body);
        let body = self.b.end();
        self.b.stmt(Stmt::ForRange {
            var: counter,
            start,
            stop,
            step,
            step_sign,
            body,
        });
    }

    pub(crate) fn any(&mut self, parts: Vec<ValueId>) -> Option<ValueId> {
        parts
            .into_iter()
            .reduce(|a, b| self.b.bin(BinaryOp::Or, a, b))
    }

    /// Evaluates `arr[indices]`'s array and indices, wraps and checks the indices,
    /// and returns the element's address and dtype.
    pub(crate) fn element_address(
        &mut self,
        arr_expr: ExprId,
        indices: &[ExprId],
    ) -> Option<(ValueId, Dtype)> {
        let Some(at) = self.tf.coerced_type(arr_expr).as_array().copied() else {
            self.bug("indexing a value that is not an array");
            return None;
        };
        let arr = self.expr(arr_expr);
        let Val::Array(arr) = arr else {
            self.bug("an array expression without an array value");
            return None;
        };
        if indices.len() != at.ndim as usize {
            self.bug("an element access with fewer indices than axes");
            return None;
        }
        let local = match self.tf.hir.expr(arr_expr).kind {
            ExprKind::Local(l) => Some(l),
            _ => None,
        };
        // Python evaluates every index, with its side effects and exceptions,
        // before NumPy converts or checks any of them.
        let values: Vec<ValueId> = indices.iter().map(|idx| self.int64(*idx)).collect();
        if self.opts.boundscheck {
            for (idx, i) in indices.iter().zip(&values) {
                if self.tf.expr_type(*idx).as_scalar() == Some(Dtype::UInt64) {
                    // NumPy's conversion to intp: 2**63 and above do not fit.
                    let zero = self.b.i64c(0);
                    let too_big = self.b.cmp(CmpOp::SLt, *i, zero);
                    self.raise_if(
                        too_big,
                        ExceptionKind::OverflowError,
                        "Python int too large to convert to C long",
                    );
                }
            }
        }
        let mut offset = None;
        for (k, (idx, &i)) in indices.iter().zip(&values).enumerate() {
            let i2 = self.wrap_and_check(local, k, *idx, i, arr.extents[k]);
            let stride = self.stride(&arr, &at, k);
            let term = self.b.bin(BinaryOp::IMul, i2, stride);
            offset = Some(match offset {
                Some(o) => self.b.bin(BinaryOp::IAdd, o, term),
                None => term,
            });
        }
        let addr = match offset {
            Some(offset) => self.b.emit(Inst::PtrOffset {
                addr: arr.data,
                offset,
            }),
            None => arr.data,
        };
        Some((addr, at.dtype))
    }

    /// Index `i` (of the expression `idx`) on `axis` of extent `ext`, of the
    /// array in local `local` if it is one: wrapped when negative and checked
    /// against the extent, as far as the options ask and the range analysis
    /// has not proven it unneeded.
    pub(crate) fn wrap_and_check(
        &mut self,
        local: Option<LocalId>,
        axis: usize,
        idx: ExprId,
        i: ValueId,
        ext: ValueId,
    ) -> ValueId {
        let (wrap, check) = index_needs(self.tf, &self.ranges, self.opts, local, axis as u8, idx);
        let error = RuntimeError::IndexOutOfBounds {
            index: i,
            axis: axis as u32,
            size: ext,
        };
        match (wrap, check) {
            // Always from the end (`a[-1]`, `a[-i]`): one add, one compare.
            (true, true) if self.ranges.counts_from_end(idx) => {
                let from_end = self.b.bin(BinaryOp::IAdd, i, ext);
                let out = self.b.cmp(CmpOp::UGe, from_end, ext);
                self.b.raise_if(out, error);
                from_end
            }
            (true, true) => self.wrap_checked(i, ext, error),
            (true, false) => {
                let zero = self.b.i64c(0);
                let negative = self.b.cmp(CmpOp::SLt, i, zero);
                let from_end = self.b.bin(BinaryOp::IAdd, i, ext);
                self.b.select(negative, from_end, i)
            }
            (false, true) => {
                let out = self.b.cmp(CmpOp::UGe, i, ext);
                self.b.raise_if(out, error);
                i
            }
            (false, false) => i,
        }
    }

    /// Index `i` wrapped around and checked against extent `ext`, testing
    /// first for the likely case: one unsigned compare passes an index in
    /// `[0, ext)` as it is. Only the others (negative, or out of bounds) take
    /// the branch, marked unlikely, that adds the extent and compares again.
    /// Wrapping first (a select) then checking cost three more instructions
    /// per access on the path every in-bounds index takes (bench/corpus.py's
    /// `histogram_loop`, `h[int(x[i] * bins)] += 1`: 1.2x Numba's time, now
    /// 0.95x). An index that is negative as often as not pays a mispredicted
    /// branch instead.
    fn wrap_checked(&mut self, i: ValueId, ext: ValueId, error: RuntimeError) -> ValueId {
        let index = self.b.var(LType::I64, "index");
        self.b.set(index, i);
        let outside = self.b.cmp(CmpOp::UGe, i, ext);
        let rarely = self.b.emit(Inst::Expect(outside, false));
        self.b.begin();
        let from_end = self.b.bin(BinaryOp::IAdd, i, ext);
        let out = self.b.cmp(CmpOp::UGe, from_end, ext);
        self.b.raise_if(out, error);
        self.b.set(index, from_end);
        let then_body = self.b.end();
        self.b.stmt(Stmt::If {
            cond: rarely,
            then_body,
            else_body: Vec::new(),
        });
        self.b.get(index)
    }

    /// The byte stride of `axis`: a constant for the unit-stride axis of a contiguous layout.
    pub(crate) fn stride(&mut self, arr: &ArrayVal, at: &ArrayType, axis: usize) -> ValueId {
        let unit = match at.layout {
            Layout::C => axis + 1 == at.ndim as usize,
            Layout::F => axis == 0,
            Layout::Any => false,
        };
        if unit {
            self.b.i64c(at.dtype.itemsize() as i64)
        } else {
            arr.strides[axis]
        }
    }

    pub(crate) fn load_elem(&mut self, addr: ValueId, dtype: Dtype) -> ValueId {
        let v = self.b.emit(Inst::Load {
            ty: mem_ltype(dtype),
            addr,
        });
        if dtype == Dtype::Bool {
            let zero = self.b.int(LType::I8, 0);
            self.b.cmp(CmpOp::Ne, v, zero)
        } else {
            v
        }
    }

    pub(crate) fn store_elem(&mut self, addr: ValueId, value: ValueId, dtype: Dtype) {
        let value = if dtype == Dtype::Bool && self.b.ty(value) == LType::I1 {
            self.b.cast(CastOp::ZExt, value, LType::I8)
        } else {
            value
        };
        self.b.stmt(Stmt::Store { addr, value });
    }

    /// An array of type `at` with these extents, in Fortran order when `at`
    /// says F, else in C order (an array made like another is `alloc_like`).
    pub(crate) fn alloc_array(
        &mut self,
        at: &ArrayType,
        extents: Vec<ValueId>,
        zeroed: bool,
    ) -> (ArrayVal, ValueId) {
        let (owner, data, total) = self.alloc_buffer(at.dtype, &extents, zeroed);
        let strides = match at.layout {
            Layout::F => f_strides(&mut self.b, &extents, at.dtype.itemsize()),
            Layout::C | Layout::Any => c_strides(&mut self.b, &extents, at.dtype.itemsize()),
        };
        (
            ArrayVal {
                owner,
                data,
                extents,
                strides,
            },
            total,
        )
    }

    /// A buffer (a statement temporary) for the elements of an array of these
    /// extents: its owner, its data pointer and the element count.
    pub(crate) fn alloc_buffer(
        &mut self,
        dtype: Dtype,
        extents: &[ValueId],
        zeroed: bool,
    ) -> (ValueId, ValueId, ValueId) {
        let total = self.product(extents);
        let size = self.b.i64c(dtype.itemsize() as i64);
        let bytes = self.b.bin(BinaryOp::IMul, total, size);
        let owner = self.b.emit(Inst::Alloc {
            bytes,
            zeroed,
            array: Some((dtype, extents.to_vec())),
        });
        self.b.hold_temp(owner, "buffer");
        let offset = self.b.i64c(BUFFER_DATA_OFFSET);
        let data = self.b.emit(Inst::PtrOffset {
            addr: owner,
            offset,
        });
        (owner, data, total)
    }

    /// NumPy's checks before it allocates, axis by axis in order (so the
    /// first offending axis decides the message): the extent must not be
    /// negative (tested where `maybe_negative` says so), and the byte count so
    /// far (the itemsize times every non-zero extent, so a zero extent does
    /// not hide an overflow of the others) must fit in an i64.
    pub(crate) fn check_shape(
        &mut self,
        extents: &[ValueId],
        maybe_negative: &[bool],
        itemsize: u32,
    ) {
        let zero = self.b.i64c(0);
        let one = self.b.i64c(1);
        let max = self.b.i64c(i64::MAX);
        let mut acc = self.b.i64c(itemsize as i64);
        for (&ext, &check) in extents.iter().zip(maybe_negative) {
            if check {
                let negative = self.b.cmp(CmpOp::SLt, ext, zero);
                self.raise_if(
                    negative,
                    ExceptionKind::ValueError,
                    "negative dimensions are not allowed",
                );
            }
            let is_zero = self.b.cmp(CmpOp::Eq, ext, zero);
            let factor = self.b.select(is_zero, one, ext);
            let room = self.b.bin(BinaryOp::SDiv, max, factor);
            let too_big = self.b.cmp(CmpOp::SGt, acc, room);
            self.raise_if(
                too_big,
                ExceptionKind::ValueError,
                "array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size.",
            );
            acc = self.b.bin(BinaryOp::IMul, acc, factor);
        }
    }

    pub(crate) fn product(&mut self, values: &[ValueId]) -> ValueId {
        let mut acc = None;
        for v in values {
            acc = Some(match acc {
                Some(a) => self.b.bin(BinaryOp::IMul, a, *v),
                None => *v,
            });
        }
        acc.unwrap_or_else(|| self.b.i64c(1))
    }

    /// Stores `value` into each of the `total` elements of a contiguous array
    /// (C, F or any other packed order).
    pub(crate) fn fill(&mut self, arr: &ArrayVal, total: ValueId, dtype: Dtype, value: ValueId) {
        self.for_each_packed(total, dtype, "fill.i", |this, offset| {
            let addr = this.b.emit(Inst::PtrOffset {
                addr: arr.data,
                offset,
            });
            this.store_elem(addr, value, dtype);
        });
    }

    /// A loop over the `total` elements of packed arrays of `dtype` in memory
    /// order, over a counter named `name`: `body` gets each one's byte offset.
    fn for_each_packed(
        &mut self,
        total: ValueId,
        dtype: Dtype,
        name: &str,
        body: impl FnOnce(&mut Self, ValueId),
    ) {
        let counter = self.b.var(LType::I64, name);
        let zero = self.b.i64c(0);
        let one = self.b.i64c(1);
        self.b.begin();
        let i = self.b.get(counter);
        let size = self.b.i64c(dtype.itemsize() as i64);
        let offset = self.b.bin(BinaryOp::IMul, i, size);
        body(self, offset);
        let body = self.b.end();
        self.b.stmt(Stmt::ForRange {
            var: counter,
            start: zero,
            stop: total,
            step: one,
            step_sign: StepSign::Positive,
            body,
        });
    }

    /// `src.copy()`: a new C-ordered array with the same elements, whatever the source layout.
    pub(crate) fn copy_array(&mut self, src: &ArrayVal, at: &ArrayType) -> ArrayVal {
        let c_order = ArrayType {
            layout: Layout::C,
            ..*at
        };
        let (dst, total) = self.alloc_array(&c_order, src.extents.clone(), false);
        if at.layout == Layout::C {
            self.copy_flat(src, &dst, total, at.dtype);
            return dst;
        }
        let ndim = at.ndim as usize;
        let counters: Vec<_> = (0..ndim)
            .map(|k| self.b.var(LType::I64, format!("copy.i{k}")))
            .collect();
        let zero = self.b.i64c(0);
        let one = self.b.i64c(1);
        for _ in 0..ndim {
            self.b.begin();
        }
        let mut src_off = None;
        let mut dst_off = None;
        for (k, counter) in counters.iter().enumerate() {
            let i = self.b.get(*counter);
            let s = self.stride(src, at, k);
            let d = dst.strides[k];
            let st = self.b.bin(BinaryOp::IMul, i, s);
            let dt = self.b.bin(BinaryOp::IMul, i, d);
            src_off = Some(src_off.map_or(st, |o| self.b.bin(BinaryOp::IAdd, o, st)));
            dst_off = Some(dst_off.map_or(dt, |o| self.b.bin(BinaryOp::IAdd, o, dt)));
        }
        let (from, to) = match (src_off, dst_off) {
            (Some(s), Some(d)) => (
                self.b.emit(Inst::PtrOffset {
                    addr: src.data,
                    offset: s,
                }),
                self.b.emit(Inst::PtrOffset {
                    addr: dst.data,
                    offset: d,
                }),
            ),
            _ => (src.data, dst.data),
        };
        // Elements are copied as stored (bools as bytes).
        let v = self.b.emit(Inst::Load {
            ty: mem_ltype(at.dtype),
            addr: from,
        });
        self.b.stmt(Stmt::Store { addr: to, value: v });
        for k in (0..ndim).rev() {
            let body = self.b.end();
            self.b.stmt(Stmt::ForRange {
                var: counters[k],
                start: zero,
                stop: src.extents[k],
                step: one,
                step_sign: StepSign::Positive,
                body,
            });
        }
        dst
    }

    /// Copies the `total` elements of C-contiguous `src` to C-ordered `dst` in
    /// memory order: one loop, where a loop per axis is a nest whose inner
    /// loop LLVM vectorizes once per copy, with its remainder, and whose outer
    /// loops it must analyse too (a 2-d copy in Jacobi 2-d's first call).
    fn copy_flat(&mut self, src: &ArrayVal, dst: &ArrayVal, total: ValueId, dtype: Dtype) {
        self.for_each_packed(total, dtype, "copy.i", |this, offset| {
            let from = this.b.emit(Inst::PtrOffset {
                addr: src.data,
                offset,
            });
            let to = this.b.emit(Inst::PtrOffset {
                addr: dst.data,
                offset,
            });
            // Elements are copied as stored (bools as bytes).
            let v = this.b.emit(Inst::Load {
                ty: mem_ltype(dtype),
                addr: from,
            });
            this.b.stmt(Stmt::Store { addr: to, value: v });
        });
    }

    pub(crate) fn scalar_of(&mut self, v: Val) -> ValueId {
        match v {
            Val::Scalar(v) => v,
            _ => {
                self.bug("a scalar was expected");
                self.b.i64c(0)
            }
        }
    }

    /// Lowers `e` as a scalar: its value and dtype after coercion.
    pub(crate) fn scalar_expr(&mut self, e: ExprId) -> (ValueId, Dtype) {
        let v = self.expr(e);
        let v = self.scalar_of(v);
        let d = self.tf.coerced_type(e).as_scalar().unwrap_or(Dtype::Int64);
        (v, d)
    }

    /// The zero of a scalar type.
    pub(crate) fn zero(&mut self, d: Dtype) -> ValueId {
        let ty = ltype(d);
        match d {
            Dtype::Bool => self.b.boolc(false),
            _ if d.is_float() => self.b.float(ty, 0.0),
            _ if d.is_complex() => self
                .b
                .emit(Inst::Const(crate::ir::Const::Complex(ty, 0.0, 0.0))),
            _ => self.b.int(ty, 0),
        }
    }
}

/// What a `Version::Chunked` loop tests: the checks at the ends of each
/// chunk, those in its pass, and the pairs of arrays that must not overlap.
type ChunkTests<'p> = (
    &'p [versioning::HoistedCheck],
    &'p [versioning::ChunkCheck],
    &'p [(LocalId, LocalId)],
);

/// Which adjustments index `idx` on `axis` of array local `arr` still needs
/// under `opts`, given what `ranges` proves where it is read: (wraparound,
/// bounds check). What the translation emits, and so what versioning hoists.
pub(crate) fn index_needs(
    tf: &TypedFunction,
    ranges: &Ranges,
    opts: LowerOptions,
    arr: Option<LocalId>,
    axis: u8,
    idx: ExprId,
) -> (bool, bool) {
    if !(opts.wraparound || opts.boundscheck) {
        return (false, false);
    }
    let (mut lo, hi) = ranges.index_proof(arr, axis, idx);
    if unsigned_index(tf, idx) {
        lo = true;
    }
    let in_bounds_wrapped = ranges.assumed_wrapping(arr, axis, idx);
    (
        opts.wraparound && !lo,
        opts.boundscheck && !(lo && hi) && !in_bounds_wrapped,
    )
}

/// Whether index `idx` has an unsigned integer type (before its conversion
/// to int64): never negative, so never wrapped around (a uint64 of 2**63 or
/// more is an OverflowError first).
pub(crate) fn unsigned_index(tf: &TypedFunction, idx: ExprId) -> bool {
    tf.expr_type(idx)
        .as_scalar()
        .is_some_and(ranges::never_negative)
}

/// Whether the targets of an unpacking are locals, each named once.
fn distinct_locals(targets: &[Target]) -> bool {
    let mut seen = Vec::new();
    targets.iter().all(|t| match t {
        Target::Local(l) if !seen.contains(l) => {
            seen.push(*l);
            true
        }
        _ => false,
    })
}
