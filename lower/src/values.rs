//! How typed values are spread over low-IR values and variables.
//!
//! This implements the layout of values across the ABI documented on
//! `lower::lower` (parameters, results, the slots pymod fills): a scalar is one
//! value; an array is its owner, its data pointer, then one `i64` extent per
//! axis, then one `i64` byte stride per axis; a tuple is its elements in
//! order; `None` and compile-time-only values are nothing. Locals use the same
//! shape with variables instead of values.
//!
//! The owner says who keeps the memory alive (`ir::Stmt::Retain` lists the
//! three kinds). Every array variable holds one reference to its owner:
//! `Slot::write` takes the new one before dropping the old, so `a = a[1:]`
//! is safe, and a view is the same owner with another data pointer, extents
//! and strides.

use typeinfer::Type;

use crate::builder::{ltype, Builder};
use crate::ir::{LType, ValueId, VarId};

#[derive(Clone, Debug)]
pub(crate) enum Val {
    Scalar(ValueId),
    Array(ArrayVal),
    Tuple(Vec<Val>),
    Unit,
}

#[derive(Clone, Debug)]
pub(crate) struct ArrayVal {
    pub(crate) owner: ValueId,
    pub(crate) data: ValueId,
    pub(crate) extents: Vec<ValueId>,
    pub(crate) strides: Vec<ValueId>,
}

/// Variables holding a value of some `Type`.
#[derive(Clone, Debug)]
pub(crate) enum Slot {
    Scalar(VarId),
    Array {
        owner: VarId,
        data: VarId,
        extents: Vec<VarId>,
        strides: Vec<VarId>,
    },
    Tuple(Vec<Slot>),
    Unit,
}

impl Val {
    /// The flat list of values, in ABI order.
    pub(crate) fn flatten(&self, out: &mut Vec<ValueId>) {
        match self {
            Val::Scalar(v) => out.push(*v),
            Val::Array(a) => {
                out.push(a.owner);
                out.push(a.data);
                out.extend(&a.extents);
                out.extend(&a.strides);
            }
            Val::Tuple(items) => items.iter().for_each(|i| i.flatten(out)),
            Val::Unit => {}
        }
    }

    /// The owners of the arrays in this value, in ABI order.
    pub(crate) fn owners(&self, out: &mut Vec<ValueId>) {
        match self {
            Val::Array(a) => out.push(a.owner),
            Val::Tuple(items) => items.iter().for_each(|i| i.owners(out)),
            Val::Scalar(_) | Val::Unit => {}
        }
    }
}

impl Slot {
    /// Fresh variables for a value of type `ty`; `name` describes it in the
    /// text form. Their owners are registered with the function's owners.
    pub(crate) fn new(b: &mut Builder, ty: &Type, name: &str) -> Slot {
        match ty {
            Type::Scalar(d) => Slot::Scalar(b.var(ltype(*d), name)),
            Type::Array(a) => Slot::Array {
                owner: b.owner_var(format!("{name}.owner")),
                data: b.var(LType::Ptr, format!("{name}.data")),
                extents: (0..a.ndim)
                    .map(|k| b.var(LType::I64, format!("{name}.shape{k}")))
                    .collect(),
                strides: (0..a.ndim)
                    .map(|k| b.var(LType::I64, format!("{name}.stride{k}")))
                    .collect(),
            },
            Type::Tuple(items) => Slot::Tuple(
                items
                    .iter()
                    .enumerate()
                    .map(|(k, t)| Slot::new(b, t, &format!("{name}.{k}")))
                    .collect(),
            ),
            Type::None | Type::Opaque(_) => Slot::Unit,
        }
    }

    pub(crate) fn flatten(&self, out: &mut Vec<VarId>) {
        match self {
            Slot::Scalar(v) => out.push(*v),
            Slot::Array {
                owner,
                data,
                extents,
                strides,
            } => {
                out.push(*owner);
                out.push(*data);
                out.extend(extents);
                out.extend(strides);
            }
            Slot::Tuple(items) => items.iter().for_each(|i| i.flatten(out)),
            Slot::Unit => {}
        }
    }

    pub(crate) fn read(&self, b: &mut Builder) -> Val {
        match self {
            Slot::Scalar(v) => Val::Scalar(b.get(*v)),
            Slot::Array {
                owner,
                data,
                extents,
                strides,
            } => Val::Array(ArrayVal {
                owner: b.get(*owner),
                data: b.get(*data),
                extents: extents.iter().map(|v| b.get(*v)).collect(),
                strides: strides.iter().map(|v| b.get(*v)).collect(),
            }),
            Slot::Tuple(items) => Val::Tuple(items.iter().map(|i| i.read(b)).collect()),
            Slot::Unit => Val::Unit,
        }
    }

    /// Reads a slot that holds a value for the statement being lowered only
    /// (a conditional expression's result, a reshape that may copy): its
    /// references become the statement's temporaries, dropped when it ends
    /// unless an assignment or a return takes them over.
    pub(crate) fn read_for_statement(&self, b: &mut Builder) -> Val {
        let val = self.read(b);
        let (mut vars, mut owners) = (Vec::new(), Vec::new());
        self.owner_vars(&mut vars);
        val.owners(&mut owners);
        for (var, owner) in vars.into_iter().zip(owners) {
            b.adopt_temp(var, owner);
        }
        val
    }

    /// The variables holding this slot's owners, in ABI order.
    pub(crate) fn owner_vars(&self, out: &mut Vec<VarId>) {
        match self {
            Slot::Array { owner, .. } => out.push(*owner),
            Slot::Tuple(items) => items.iter().for_each(|i| i.owner_vars(out)),
            Slot::Scalar(_) | Slot::Unit => {}
        }
    }

    /// Stores `val`, which must have this slot's shape (the lowering converts
    /// first): takes a reference to each new owner, then drops the old ones
    /// (neither where an owner stays the same: `Builder::retain_replacing`).
    pub(crate) fn write(&self, b: &mut Builder, val: &Val) {
        let replaced = self.retain_new(b, val);
        self.set(b, val);
        replaced.release(b);
    }

    /// The first step of a write of `val` here: takes the references to the
    /// new owners and returns the old ones, to drop once the value is `set`.
    /// The slots of `u, v = v, u` each take theirs before any drops its old.
    pub(crate) fn retain_new(&self, b: &mut Builder, val: &Val) -> Replaced {
        let mut new = Vec::new();
        val.owners(&mut new);
        let mut vars = Vec::new();
        self.owner_vars(&mut vars);
        let old: Vec<ValueId> = vars.iter().map(|v| b.get(*v)).collect();
        let changed: Vec<Option<ValueId>> = new
            .iter()
            .zip(&old)
            .map(|(&n, &o)| b.retain_replacing(n, o))
            .collect();
        Replaced(old.into_iter().zip(changed).collect())
    }

    /// Stores `val` without counting references: the caller accounts for
    /// them, or the slot borrows (`borrowed.rs`).
    pub(crate) fn set(&self, b: &mut Builder, val: &Val) {
        match (self, val) {
            (Slot::Scalar(var), Val::Scalar(v)) => b.set(*var, *v),
            (
                Slot::Array {
                    owner,
                    data,
                    extents,
                    strides,
                },
                Val::Array(a),
            ) => {
                b.set(*owner, a.owner);
                b.set(*data, a.data);
                for (var, v) in extents
                    .iter()
                    .zip(&a.extents)
                    .chain(strides.iter().zip(&a.strides))
                {
                    b.set(*var, *v);
                }
            }
            (Slot::Tuple(slots), Val::Tuple(vals)) => {
                for (s, v) in slots.iter().zip(vals) {
                    s.set(b, v);
                }
            }
            _ => {}
        }
    }
}

/// The owners a write replaced, each with when it is to be released
/// (`Builder::release_replaced`).
pub(crate) struct Replaced(Vec<(ValueId, Option<ValueId>)>);

impl Replaced {
    pub(crate) fn release(self, b: &mut Builder) {
        for (owner, changed) in self.0 {
            b.release_replaced(owner, changed);
        }
    }
}

/// The flat machine types of a value of type `ty`, in ABI order.
pub(crate) fn flat_types(ty: &Type, out: &mut Vec<LType>) {
    match ty {
        Type::Scalar(d) => out.push(ltype(*d)),
        Type::Array(a) => {
            out.extend([LType::Ptr, LType::Ptr]);
            out.extend(std::iter::repeat_n(LType::I64, 2 * a.ndim as usize));
        }
        Type::Tuple(items) => items.iter().for_each(|t| flat_types(t, out)),
        Type::None | Type::Opaque(_) => {}
    }
}

/// Byte strides of a C-contiguous array with these extents: the last axis is
/// `itemsize`, each earlier one the next one's stride times its extent.
pub(crate) fn c_strides(b: &mut Builder, extents: &[ValueId], itemsize: u32) -> Vec<ValueId> {
    let mut strides = vec![ValueId(0); extents.len()];
    let mut stride = b.i64c(itemsize as i64);
    for k in (0..extents.len()).rev() {
        strides[k] = stride;
        if k > 0 {
            stride = b.bin(crate::ir::BinaryOp::IMul, extents[k], stride);
        }
    }
    strides
}

/// Fortran order: the first axis is `itemsize`.
pub(crate) fn f_strides(b: &mut Builder, extents: &[ValueId], itemsize: u32) -> Vec<ValueId> {
    let mut strides = vec![ValueId(0); extents.len()];
    let mut stride = b.i64c(itemsize as i64);
    for k in 0..extents.len() {
        strides[k] = stride;
        if k + 1 < extents.len() {
            stride = b.bin(crate::ir::BinaryOp::IMul, extents[k], stride);
        }
    }
    strides
}
