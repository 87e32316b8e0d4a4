//! Array locals that never need a reference count of their own.
//!
//! A parameter that the function never reassigns borrows the caller's
//! reference for the whole call (`FnLower::bind_params`), and a module-level
//! array's frozen copy outlives the compiled code. A view is the same owner
//! as its base. So a local that is only ever assigned views of those (or of
//! other such locals) always holds an owner that lives until the call
//! returns: counting it would only add a retain and a release per assignment,
//! which for a view made in a loop (`for x in a[i:i + w]`, `row = X[i]`) sits
//! in the loop body. Such a local is lowered without counting (`Slot::set`)
//! and is not one of the function's owners.

use std::collections::HashMap;

use frontend::hir::visit::{walk_block, walk_stmt, Visitor};
use frontend::hir::{ExprId, ExprKind, Function, LocalId, Stmt, StmtKind, Target};
use typeinfer::{advanced_index, selects_view, ArrayType, Type, TypedFunction};

/// For each local (by index), whether it borrows: an array local of which
/// every assignment is such a view. Parameters are never in it (those that
/// are never reassigned already borrow, the others hold a reference).
pub(crate) fn borrowed_locals(tf: &TypedFunction) -> Vec<bool> {
    let hir = &tf.hir;
    let mut sources = Sources::default();
    walk_block(&mut sources, hir, &hir.body);
    let reassigned_param = |l: &LocalId| sources.0.contains_key(l);
    let mut roots = vec![false; hir.locals.len()];
    for (k, p) in hir.params.iter().enumerate() {
        // A converted argument's local is written from a new value, so it
        // only borrows when it is the argument itself.
        roots[p.0 as usize] = !reassigned_param(p) && tf.arg_types[k] == *tf.local_type(*p);
    }
    let mut borrowed: Vec<bool> = (0..hir.locals.len())
        .map(|k| {
            let l = LocalId(k as u32);
            tf.local_type(l).as_array().is_some()
                && !hir.params.contains(&l)
                && sources.0.contains_key(&l)
        })
        .collect();
    // A private array of a `prange` reduction is replaced in the outlined
    // loop by one of its own, which parallel.rs counts.
    for lp in tf.parallel_loops.values() {
        for r in &lp.reductions {
            borrowed[r.local.0 as usize] = false;
        }
    }
    // The greatest fixed point: a local stays in while each of its sources
    // is. A cycle with no source outside it is never assigned at run time.
    loop {
        let mut changed = false;
        for (l, values) in &sources.0 {
            let k = l.0 as usize;
            if borrowed[k]
                && !values
                    .iter()
                    .all(|v| v.is_some_and(|e| borrows(tf, e, &roots, &borrowed)))
            {
                borrowed[k] = false;
                changed = true;
            }
        }
        if !changed {
            return borrowed;
        }
    }
}

/// Whether the array `e` evaluates to has an owner that lives for the call.
fn borrows(tf: &TypedFunction, e: ExprId, roots: &[bool], borrowed: &[bool]) -> bool {
    match &tf.hir.expr(e).kind {
        ExprKind::Local(l) => roots[l.0 as usize] || borrowed[l.0 as usize],
        ExprKind::GlobalArray { .. } => true,
        ExprKind::Subscript { value, indices } => {
            let Some(at) = tf.coerced_type(*value).as_array() else {
                return false;
            };
            is_view(tf, at, indices)
                && matches!(tf.expr_type(e), Type::Array(_))
                && borrows(tf, *value, roots, borrowed)
        }
        _ => false,
    }
}

/// Whether `base[indices]` of an array of type `at` is a view (no array index).
fn is_view(tf: &TypedFunction, at: &ArrayType, indices: &[ExprId]) -> bool {
    let types: Vec<Option<ArrayType>> = indices
        .iter()
        .map(|&i| tf.expr_type(i).as_array().copied())
        .collect();
    types.iter().all(Option::is_none)
        && advanced_index(&tf.hir, at.ndim, indices, &types).is_none()
        && selects_view(&tf.hir, at.ndim, indices)
}

/// Every value assigned to each local: `Some(value)` where the statement
/// pairs the local with an expression, `None` where it cannot be told (an
/// unpacked tuple that is not written out, a loop variable, `+=`).
#[derive(Default)]
struct Sources(HashMap<LocalId, Vec<Option<ExprId>>>);

impl Sources {
    // Its own recursion: it pairs each part of the target with the same part of the value.
    fn pair(&mut self, f: &Function, target: &Target, value: Option<ExprId>) {
        match target {
            Target::Local(l) => self.0.entry(*l).or_default().push(value),
            Target::Tuple(items) => {
                let elems = value.and_then(|v| match &f.expr(v).kind {
                    ExprKind::Tuple(elems) if elems.len() == items.len() => Some(elems),
                    _ => None,
                });
                for (k, item) in items.iter().enumerate() {
                    self.pair(f, item, elems.map(|e| e[k]));
                }
            }
            Target::Subscript { .. } => {}
        }
    }
}

impl Visitor for Sources {
    fn visit_stmt(&mut self, f: &Function, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::Assign { target, value } => self.pair(f, target, Some(*value)),
            _ => walk_stmt(self, f, stmt),
        }
    }
    fn visit_target(&mut self, f: &Function, target: &Target) {
        self.pair(f, target, None);
    }
    // No expression assigns a local.
    fn visit_expr(&mut self, _: &Function, _: ExprId) {}
}
