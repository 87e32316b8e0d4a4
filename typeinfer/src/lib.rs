//! HIR + argument types -> a type for every expression and local.
//!
//! Each `@jit` function reachable from the entry is specialized for the argument
//! types it is called with; the result is a `TypedProgram` whose first function
//! is the entry.
//!
//! # What `lower` can rely on (the coercion contract)
//!
//! - A binary operation's operands are both read as its own type
//!   (`expr_type` of the `Binary`): `i32 / 2` has type float64 and both
//!   operands coerce to float64; `i32 ** 2` is int64.
//! - A comparison chain reads every operand as one common type; its type is bool.
//! - `x op= v`: `v` is read as the operation type, `coerced_type(v)`; the
//!   target's current value is converted to it, the operation done there, and
//!   the result converted to the local's type or the array's dtype.
//! - Conditions (`if`, `while`, `not`, `x if c else y`) are read as bool.
//!   `and`/`or` operands are read as the result type; testing the converted
//!   value gives the same truth value, since conversions only widen.
//! - A tuple-typed coercion converts element by element (`p, q = 1, 2.5`
//!   where `p` is float64; an int32 shape tuple read as int64s).
//! - `int(x)`, `float(x)`, `bool(x)`, `np.float32(x)`, `round(x)` convert by
//!   themselves: their argument is not coerced. `math.*` arguments are read as
//!   float64, indices and `range` bounds as int64, stored values as the dtype.
//! - A `@jit` call passes its arguments unconverted: they are exactly the
//!   callee specialization's `arg_types` (Python literals are int64/float64),
//!   in the order `JitCall::args` binds them (defaults are constants there).
//! - A `for` variable's local may be wider than int64 when it is also
//!   assigned a float elsewhere; the counter converts to it.

mod accuracy;
mod advanced;
mod annotate;
mod assigned;
mod bind;
mod call;
pub mod creation;
mod elementwise;
mod expr;
mod flow;
mod fusion;
mod infer;
pub mod joining;
mod linalg;
mod parallel;
mod prune;
mod reduce;
pub use reduce::{reduce_arguments, ReduceArguments};
mod signature;
pub mod sorting;
mod stmt;
mod types;
mod views;

use std::collections::HashMap;
use std::sync::Arc;

use frontend::hir::{self, ExprId, FuncId, LocalId};

pub use advanced::{advanced_index, AdvancedIndex};
pub use annotate::annotate;
pub use bind::{bind_arguments, CallArg, Given, Parameters};
pub use elementwise::operator_power;
pub use parallel::{ParallelLoop, ReduceOp, Reduction};
pub use types::{ArrayType, Layout, OpaqueType, Type};
pub use views::{flip_axes, index_kind, selects_view, transpose_axes, view_array_type, IndexKind};

/// Index of a specialization in `TypedProgram::functions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SpecId(pub u32);

/// Every specialization the entry needs; `functions[0]` is the entry.
#[derive(Clone, Debug)]
pub struct TypedProgram {
    pub functions: Vec<TypedFunction>,
}

/// One HIR function specialized for one tuple of argument types.
#[derive(Clone, Debug)]
pub struct TypedFunction {
    pub func: FuncId,
    pub hir: Arc<hir::Function>,
    pub arg_types: Vec<Type>,
    /// `Type::None` when the function never returns a value.
    pub return_type: Type,
    /// Indexed by `ExprId`: the type of the value each expression produces.
    pub expr_types: Vec<Type>,
    /// Indexed by `LocalId`: the join of every type assigned to the local.
    pub local_types: Vec<Type>,
    /// Implicit conversions: where the consumer of an expression needs its value
    /// in another type (an int assigned to a float local, an operand promoted for
    /// a binary operation, a test converted to bool), the type to convert to.
    pub coercions: HashMap<ExprId, Type>,
    /// For each `Callee::Jit` call expression, the specialization it calls.
    pub calls: HashMap<ExprId, JitCall>,
    /// The reads of a local that may run before anything was assigned to it
    /// (definite assignment), each with its local; every other read is proven
    /// to find a value. Empty for nearly every function.
    pub maybe_unbound: HashMap<LocalRead, LocalId>,
    /// The `prange` loops that run in parallel (the outermost of each nest),
    /// keyed by their `stop` expression: their reductions (`parallel.rs`).
    pub parallel_loops: HashMap<ExprId, ParallelLoop>,
    /// Diagnostics that do not stop the compile (a probable race in a `prange`
    /// loop): pymod shows them as Python warnings.
    pub warnings: Vec<frontend::Diagnostic>,
}

/// A call of a `@jit` function: its specialization, and where each of its
/// parameters gets its value (the call's arguments bound as CPython binds them).
#[derive(Clone, Debug, PartialEq)]
pub struct JitCall {
    pub spec: SpecId,
    pub args: Vec<CallArg>,
}

/// A read of a local in a function's HIR.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LocalRead {
    /// An `ExprKind::Local` expression.
    Expr(ExprId),
    /// `x op= v` reading `x`, before `v` is evaluated; the id is `v`'s.
    AugAssign(ExprId),
}

impl TypedFunction {
    pub fn expr_type(&self, id: ExprId) -> &Type {
        &self.expr_types[id.0 as usize]
    }
    /// The type the consumer of `id` reads it as: its coercion if any, else its own type.
    pub fn coerced_type(&self, id: ExprId) -> &Type {
        self.coercions
            .get(&id)
            .unwrap_or_else(|| self.expr_type(id))
    }
    pub fn local_type(&self, id: hir::LocalId) -> &Type {
        &self.local_types[id.0 as usize]
    }

    /// Whether `e` is computed element by element into a new array: an
    /// operator or a library function whose type (`elementwise.rs`) is an
    /// array. Lower makes such trees one loop; the fusion pass grows them.
    pub fn is_elementwise(&self, e: ExprId) -> bool {
        matches!(self.expr_type(e), Type::Array(_))
            && matches!(
                self.hir.expr(e).kind,
                hir::ExprKind::Binary { .. }
                    | hir::ExprKind::Unary { .. }
                    | hir::ExprKind::Compare { .. }
                    | hir::ExprKind::Call {
                        callee: hir::Callee::Known(hir::KnownFunction::Library(_)),
                        ..
                    }
            )
    }

    /// Whether computing `e` may raise for one of its elements: an integer
    /// power of an array whose exponent is a signed integer that may be
    /// negative (NumPy's `ValueError`). Such a node is computed into its own
    /// array before the operations around it, as NumPy computes it, so its
    /// error comes before their shape errors (fusion keeps it an operand,
    /// lower does not fuse it into its consumer's loop).
    pub fn raises_per_element(&self, e: ExprId) -> bool {
        let hir::ExprKind::Binary {
            op: hir::BinOp::Pow,
            rhs,
            ..
        } = self.hir.expr(e).kind
        else {
            return false;
        };
        let dtype = |t: &Type| match t {
            Type::Array(a) => Some(a.dtype),
            Type::Scalar(d) => Some(*d),
            _ => None,
        };
        matches!(self.expr_type(e), Type::Array(a) if a.dtype.is_int())
            && dtype(self.expr_type(rhs)).is_some_and(hir::Dtype::is_signed_int)
            && self.hir.constant_int(rhs).is_none_or(|c| c < 0)
    }

    /// Gives expression `id` a new kind, keeping its id, span and type: a
    /// typed pass rewrites an expression into an equivalent one this way, so
    /// its consumers and every table keyed by its id stay true. The HIR is
    /// copied on the first rewrite (the program's own stays as parsed).
    pub(crate) fn replace_expr(&mut self, id: ExprId, kind: hir::ExprKind) {
        Arc::make_mut(&mut self.hir).exprs[id.0 as usize].kind = kind;
    }

    /// Puts expression `from` (its kind and span: what it computes, and the
    /// line its errors name) in place of `id`, which has the same type and
    /// keeps its id and coercion.
    pub(crate) fn move_expr(&mut self, from: ExprId, id: ExprId) {
        let hir = Arc::make_mut(&mut self.hir);
        hir.exprs[id.0 as usize] = hir.exprs[from.0 as usize].clone();
    }

    /// A new expression of kind `kind` standing for `like` in another place:
    /// its span, type, coercion and (for a read of a local) definite
    /// assignment are `like`'s.
    pub(crate) fn add_expr_like(&mut self, like: ExprId, kind: hir::ExprKind) -> ExprId {
        let hir = Arc::make_mut(&mut self.hir);
        let id = ExprId(hir.exprs.len() as u32);
        let span = hir.expr(like).span;
        hir.exprs.push(hir::Expr { kind, span });
        self.expr_types.push(self.expr_type(like).clone());
        if let Some(ty) = self.coercions.get(&like).cloned() {
            self.coercions.insert(id, ty);
        }
        if let Some(l) = self.maybe_unbound.get(&LocalRead::Expr(like)).copied() {
            self.maybe_unbound.insert(LocalRead::Expr(id), l);
        }
        id
    }

    /// The statements, taken out for a pass that edits them (and expressions
    /// meanwhile); `set_body` puts them back.
    pub(crate) fn take_body(&mut self) -> Vec<hir::Stmt> {
        std::mem::take(&mut Arc::make_mut(&mut self.hir).body)
    }

    pub(crate) fn set_body(&mut self, body: Vec<hir::Stmt>) {
        Arc::make_mut(&mut self.hir).body = body;
    }

    /// Sets what the consumer of `id` reads it as (`None`: its own type).
    pub(crate) fn set_coercion(&mut self, id: ExprId, to: Option<Type>) {
        match to {
            Some(ty) => self.coercions.insert(id, ty),
            None => self.coercions.remove(&id),
        };
    }
}

/// Specializes `entry` (and every `@jit` function it calls) for `arg_types`.
/// Reports every type error found, not just the first.
pub fn infer(
    program: &hir::Program,
    entry: FuncId,
    arg_types: &[Type],
) -> Result<TypedProgram, Vec<frontend::Diagnostic>> {
    infer::infer(program, entry, arg_types)
}

/// Parses a Numba-style signature, `"float64(float64[:, ::1], int64)"` or
/// `"(float64[:], int64)"` (no return type): `(return type if given, argument types)`.
pub fn parse_signature(text: &str) -> Result<(Option<Type>, Vec<Type>), String> {
    signature::parse_signature(text)
}

/// NumPy 2 promotion of two value types (no weak Python scalars): the type
/// both are converted to before a binary operation or comparison.
/// `None` when they do not promote (an array with a scalar, a tuple...).
pub fn promote(a: &Type, b: &Type) -> Option<Type> {
    match (a, b) {
        (Type::Scalar(x), Type::Scalar(y)) => {
            Some(Type::Scalar(library::promotion::promote_dtype(*x, *y)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use frontend::hir::Dtype;

    #[test]
    fn promote_is_numpy_result_type_for_scalars_only() {
        let s = |d| Type::Scalar(d);
        assert_eq!(
            promote(&s(Dtype::Int32), &s(Dtype::Float32)),
            Some(Type::FLOAT)
        );
        assert_eq!(
            promote(&s(Dtype::Bool), &s(Dtype::UInt8)),
            Some(s(Dtype::UInt8))
        );
        let array = Type::Array(ArrayType {
            dtype: Dtype::Float64,
            ndim: 1,
            layout: Layout::C,
            writable: true,
        });
        assert_eq!(promote(&array, &Type::FLOAT), None);
        assert_eq!(promote(&Type::Tuple(vec![Type::INT]), &Type::INT), None);
        assert_eq!(promote(&Type::None, &Type::INT), None);
    }
}
