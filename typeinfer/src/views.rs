//! Views: the type of `a[i, 1:-1, ::2, None, ...]` and of stores into one.
//!
//! The layout rule of a view (docs/language.md, "Slices and views"): a C array
//! stays C when the indices are integers, then at most one slice of step 1,
//! then full `:` slices; an F array stays F in the mirrored case (full slices,
//! at most one step-1 slice, then integers); anything else, and any `None`,
//! is layout `A`. A view of a readonly array is readonly.

use frontend::hir::{self, Constant, Dtype, ExprId, ExprKind};
use frontend::Span;

use crate::infer::{report, FnCx, Ty};
use crate::{ArrayType, Layout, Type};
use library::promotion::{kind, Kind};

/// Whether `array[indices]` on an array of `ndim` axes selects a view rather
/// than one element: some index is a slice, `...` or `None`, or axes are left.
pub fn selects_view(f: &hir::Function, ndim: u8, indices: &[ExprId]) -> bool {
    indices.len() < ndim as usize
        || indices
            .iter()
            .any(|&i| !matches!(index_kind(f, i), IndexKind::Integer))
}

/// What one index of a subscript does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexKind {
    /// Picks one position and drops the axis.
    Integer,
    /// `lo:hi:step`: keeps the axis.
    Slice,
    /// `...`: as many `:` as the axes left over.
    Ellipsis,
    /// `None` (`np.newaxis`): adds an axis of extent 1.
    NewAxis,
}

pub fn index_kind(f: &hir::Function, i: ExprId) -> IndexKind {
    match &f.expr(i).kind {
        ExprKind::Slice { .. } => IndexKind::Slice,
        ExprKind::Ellipsis => IndexKind::Ellipsis,
        ExprKind::Const(Constant::None)
        | ExprKind::Global {
            value: Constant::None,
            ..
        } => IndexKind::NewAxis,
        _ => IndexKind::Integer,
    }
}

/// How a view index treats one axis of the base array, for the layout rule.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AxisUse {
    Integer,
    /// `:` (or `::1`).
    Full,
    /// A slice of step 1 with bounds.
    UnitSlice,
    /// Any other step.
    Strided,
}

/// The layout of a view from how it uses each axis of a `base` array.
fn view_layout(base: Layout, uses: &[AxisUse], new_axis: bool) -> Layout {
    // Integers*, then at most one step-1 slice, then full slices.
    fn contiguous<'a>(mut uses: impl Iterator<Item = &'a AxisUse>) -> bool {
        let mut state = 0; // 0: integers, 1: after the partial slice or in full slices
        for u in uses.by_ref() {
            match (state, u) {
                (0, AxisUse::Integer) => {}
                (_, AxisUse::Full) => state = 1,
                (0, AxisUse::UnitSlice) => state = 1,
                _ => return false,
            }
        }
        true
    }
    match base {
        _ if new_axis => Layout::Any,
        Layout::C if contiguous(uses.iter()) => Layout::C,
        Layout::F if contiguous(uses.iter().rev()) => Layout::F,
        _ => Layout::Any,
    }
}

/// The type of the view `array[indices]` of an array of type `a`, for indices
/// typeinfer accepted (at most one `...`, no more axes than `a` has).
pub fn view_array_type(f: &hir::Function, a: &ArrayType, indices: &[ExprId]) -> ArrayType {
    let consumed = indices
        .iter()
        .filter(|&&i| matches!(index_kind(f, i), IndexKind::Integer | IndexKind::Slice))
        .count();
    let mut uses = Vec::new();
    let mut new_axes = 0;
    for &i in indices {
        match index_kind(f, i) {
            IndexKind::Integer => uses.push(AxisUse::Integer),
            IndexKind::Slice => uses.push(slice_use(f, i)),
            IndexKind::NewAxis => new_axes += 1,
            IndexKind::Ellipsis => uses.extend(std::iter::repeat_n(
                AxisUse::Full,
                (a.ndim as usize).saturating_sub(consumed),
            )),
        }
    }
    uses.resize(a.ndim as usize, AxisUse::Full);
    let kept = uses.iter().filter(|u| **u != AxisUse::Integer).count();
    ArrayType {
        ndim: (kept + new_axes) as u8,
        layout: view_layout(a.layout, &uses, new_axes > 0),
        ..*a
    }
}

fn slice_use(f: &hir::Function, i: ExprId) -> AxisUse {
    let ExprKind::Slice { lower, upper, step } = &f.expr(i).kind else {
        return AxisUse::Strided;
    };
    let absent = |e: &Option<ExprId>| e.is_none_or(|e| index_kind(f, e) == IndexKind::NewAxis);
    let unit = absent(step)
        || step.is_some_and(|s| {
            matches!(
                f.expr(s).kind,
                ExprKind::Const(Constant::Int(1))
                    | ExprKind::Global {
                        value: Constant::Int(1),
                        ..
                    }
            )
        });
    match (unit, absent(lower) && absent(upper)) {
        (true, true) => AxisUse::Full,
        (true, false) => AxisUse::UnitSlice,
        (false, _) => AxisUse::Strided,
    }
}

impl FnCx<'_, '_> {
    /// Types `lo:hi:step`: each present part is an integer, read as int64.
    pub(crate) fn slice(&mut self, parts: [Option<ExprId>; 3]) -> Ty {
        for part in parts.into_iter().flatten() {
            let t = self.expr(part);
            match t.number_kind() {
                Some(Kind::Int) => self.coerce(part, &t, &Type::INT),
                None if t.is_pending() => {}
                // `a[:n:None]`: Python allows an explicit None.
                None if t == Ty::Known(Type::None) => {}
                _ => {
                    let shown = t.concrete().unwrap_or(Type::None);
                    self.emit(
                        self.span(part),
                        report(
                            "E0212",
                            "slice indices must be integers or None",
                            format!("{} is {shown}", self.expr_text(part)),
                        )
                        .help("convert it with int(...)"),
                    );
                }
            }
        }
        Ty::Known(Type::None)
    }

    /// The type of the view `array[indices]` (`selects_view` holds), or `None`
    /// after reporting a wrong index.
    pub(crate) fn view_type(
        &mut self,
        array: ExprId,
        a: &ArrayType,
        indices: &[ExprId],
        tys: &[Ty],
        span: Span,
    ) -> Option<ArrayType> {
        let f = self.f;
        let mut ok = true;
        for (&i, t) in indices.iter().zip(tys) {
            if index_kind(f, i) == IndexKind::Integer {
                ok &= self.view_integer_index(i, t);
            }
        }
        let kinds: Vec<IndexKind> = indices.iter().map(|&i| index_kind(f, i)).collect();
        let ellipses = kinds.iter().filter(|k| **k == IndexKind::Ellipsis).count();
        let consumed = kinds
            .iter()
            .filter(|k| matches!(k, IndexKind::Integer | IndexKind::Slice))
            .count();
        let label = format!("{} is {a}", self.expr_text(array));
        if ellipses > 1 {
            self.emit(
                span,
                report(
                    "E0211",
                    "an index can only have a single ellipsis ('...')",
                    label,
                )
                .help("keep one `...`"),
            );
            return None;
        }
        if consumed > a.ndim as usize {
            self.emit(
                span,
                report(
                    "E0211",
                    format!(
                        "too many indices for array: array is {}-dimensional, but {consumed} were indexed",
                        a.ndim
                    ),
                    label,
                )
                .help("use one index or slice per axis"),
            );
            return None;
        }
        if !ok {
            return None;
        }
        Some(view_array_type(f, a, indices))
    }

    pub(crate) fn view_integer_index(&mut self, i: ExprId, t: &Ty) -> bool {
        match t.number_kind() {
            Some(Kind::Int) => {
                self.coerce(i, t, &Type::INT);
                true
            }
            _ if t.is_pending() => false,
            _ => {
                let shown = t.concrete().unwrap_or(Type::None);
                self.emit(
                    self.span(i),
                    report(
                        "E0212",
                        "only integers, slices (`:`), ellipsis (`...`) and None (`np.newaxis`) are valid indices",
                        format!("{} is {shown}", self.expr_text(i)),
                    )
                    .help("convert it with int(...)"),
                );
                false
            }
        }
    }

    /// `array[indices] = value` where the target is a view (of type `view`,
    /// `None` when its indices were refused) or the elements an array index
    /// selects: a scalar is stored into every element (converted as into one
    /// element), an array is broadcast against the view and cast with NumPy's
    /// `same_kind` rule.
    pub(crate) fn store_into_view(
        &mut self,
        array: ExprId,
        a: &ArrayType,
        view: Option<ArrayType>,
        ty: &Ty,
        value: Option<ExprId>,
        span: Span,
    ) {
        let Some(view) = view else {
            return;
        };
        if !a.writable {
            self.emit(
                self.span(array),
                report(
                    "E0217",
                    "cannot write to a read-only array",
                    format!("{} is {a}", self.expr_text(array)),
                )
                .help("pass a writable array, e.g. a.copy()"),
            );
            return;
        }
        let at = value.map_or(span, |e| self.span(e));
        match ty {
            Ty::Known(Type::Array(src)) => {
                if src.ndim > view.ndim {
                    self.emit(
                        at,
                        report(
                            "E0218",
                            format!(
                                "could not broadcast a {}-d array into a {}-d view",
                                src.ndim, view.ndim
                            ),
                            format!("this is {src}"),
                        )
                        .help("index the value down to as many axes as the target has"),
                    );
                } else if !same_kind(src.dtype, view.dtype) {
                    self.emit(
                        at,
                        report(
                            "E0218",
                            format!(
                                "Cannot cast array data from dtype('{}') to dtype('{}') according to the rule 'same_kind'",
                                src.dtype, view.dtype
                            ),
                            format!("this is {src}"),
                        )
                        .help("convert it first with .astype(...)"),
                    );
                }
            }
            _ => {
                if self.check_store(view.dtype, ty, at) {
                    if let Some(e) = value {
                        self.coerce(e, ty, &Type::Scalar(view.dtype));
                        self.check_int_literal(e, ty, &Type::Scalar(view.dtype));
                    }
                }
            }
        }
    }
}

/// NumPy's `np.can_cast(from, to, "same_kind")`: the kinds are ordered bool <
/// unsigned < signed < float < complex, and any cast that does not go down that
/// order is allowed (float64 to float32, uint64 to int8); signed to unsigned,
/// float to int and complex to float are not.
pub(crate) fn same_kind(from: Dtype, to: Dtype) -> bool {
    let rank = |d: Dtype| match kind(d) {
        Kind::Bool => 0,
        Kind::Int if d.is_unsigned_int() => 1,
        Kind::Int => 2,
        Kind::Float => 3,
        Kind::Complex => 4,
    };
    rank(from) <= rank(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_of_views_follows_the_documented_rule() {
        use AxisUse::*;
        assert_eq!(
            view_layout(Layout::C, &[Integer, UnitSlice, Full], false),
            Layout::C
        );
        assert_eq!(view_layout(Layout::C, &[Full, Full], false), Layout::C);
        assert_eq!(
            view_layout(Layout::C, &[UnitSlice, UnitSlice], false),
            Layout::Any
        );
        assert_eq!(view_layout(Layout::C, &[Full, Integer], false), Layout::Any);
        assert_eq!(view_layout(Layout::C, &[Strided], false), Layout::Any);
        assert_eq!(view_layout(Layout::F, &[Full, Integer], false), Layout::F);
        assert_eq!(view_layout(Layout::F, &[Integer, Full], false), Layout::Any);
        assert_eq!(view_layout(Layout::C, &[Full], true), Layout::Any);
        assert_eq!(view_layout(Layout::Any, &[Full], false), Layout::Any);
    }

    #[test]
    fn same_kind_matches_numpy() {
        // np.can_cast(a, b, "same_kind") for a few pairs.
        assert!(same_kind(Dtype::Int64, Dtype::Float64));
        assert!(same_kind(Dtype::Float64, Dtype::Float32));
        assert!(same_kind(Dtype::Int64, Dtype::Int8));
        assert!(same_kind(Dtype::Bool, Dtype::Int8));
        assert!(same_kind(Dtype::UInt64, Dtype::Int8));
        assert!(!same_kind(Dtype::Float64, Dtype::Int64));
        assert!(!same_kind(Dtype::Complex128, Dtype::Float64));
        assert!(!same_kind(Dtype::Int8, Dtype::UInt8));
        assert!(!same_kind(Dtype::Int64, Dtype::Bool));
        assert!(!same_kind(Dtype::Int8, Dtype::UInt64));
    }
}

/// The constant integers of `e`: one integer, or a tuple of them.
fn constant_ints(f: &hir::Function, e: ExprId) -> Option<Vec<i64>> {
    let int = |e: ExprId| match &f.expr(e).kind {
        ExprKind::Const(Constant::Int(i))
        | ExprKind::Global {
            value: Constant::Int(i),
            ..
        } => Some(*i),
        ExprKind::Unary {
            op: hir::UnaryOp::Neg,
            operand,
        } => match f.expr(*operand).kind {
            ExprKind::Const(Constant::Int(i)) => i.checked_neg(),
            _ => None,
        },
        _ => None,
    };
    match &f.expr(e).kind {
        ExprKind::Tuple(items) => items.iter().map(|&i| int(i)).collect(),
        ExprKind::Const(Constant::Tuple(items))
        | ExprKind::Global {
            value: Constant::Tuple(items),
            ..
        } => items
            .iter()
            .map(|c| match c {
                Constant::Int(i) => Some(*i),
                _ => None,
            })
            .collect(),
        _ => int(e).map(|i| vec![i]),
    }
}

/// The axes, each in `0..ndim`, of the constant `axes` argument (`-1` is the
/// last); `None` when it is not constant or not valid.
fn constant_axes(f: &hir::Function, ndim: u8, e: ExprId) -> Option<Vec<usize>> {
    constant_ints(f, e)?
        .into_iter()
        .map(|k| {
            let k = if k < 0 { k + ndim as i64 } else { k };
            (0..ndim as i64).contains(&k).then_some(k as usize)
        })
        .collect()
}

/// The permutation `transpose` applies: `axes` when given (a permutation
/// typeinfer checked), else the axes reversed.
pub fn transpose_axes(f: &hir::Function, ndim: u8, axes: &[ExprId]) -> Vec<usize> {
    let given = match axes {
        [one] => constant_axes(f, ndim, *one),
        [] => None,
        several => several
            .iter()
            .map(|&a| constant_axes(f, ndim, a).and_then(|v| v.first().copied()))
            .collect(),
    };
    given.unwrap_or_else(|| (0..ndim as usize).rev().collect())
}

/// The axes `np.flip` reverses: all, or those of its constant `axis` argument.
pub fn flip_axes(f: &hir::Function, ndim: u8, axis: Option<ExprId>) -> Vec<usize> {
    match axis.filter(|a| index_kind(f, *a) != IndexKind::NewAxis) {
        Some(a) => constant_axes(f, ndim, a).unwrap_or_default(),
        None => (0..ndim as usize).collect(),
    }
}

fn is_permutation(axes: &[usize], ndim: u8) -> bool {
    let mut seen = vec![false; ndim as usize];
    axes.len() == ndim as usize && axes.iter().all(|&k| !std::mem::replace(&mut seen[k], true))
}

impl FnCx<'_, '_> {
    /// `a.T`, `a.real`, `a.imag` of an array; `None` for other attributes.
    pub(crate) fn view_attribute(
        &mut self,
        value: ExprId,
        a: &ArrayType,
        attr: &str,
    ) -> Option<Ty> {
        let view = match attr {
            "T" => ArrayType {
                layout: transposed(a.layout, a.ndim),
                ..*a
            },
            "real" if !a.dtype.is_complex() => *a,
            "real" | "imag" if a.dtype.is_complex() => ArrayType {
                dtype: if a.dtype == Dtype::Complex64 {
                    Dtype::Float32
                } else {
                    Dtype::Float64
                },
                layout: Layout::Any,
                ..*a
            },
            "imag" => {
                self.emit(
                    self.span(value),
                    report(
                        "E0215",
                        "`.imag` of a real array is not supported",
                        format!("{} is {a}", self.expr_text(value)),
                    )
                    .help("NumPy gives a new read-only array of zeros: use np.zeros_like(a)"),
                );
                return Some(Ty::Error);
            }
            _ => return None,
        };
        Some(Ty::Known(Type::Array(view)))
    }

    /// `np.transpose(a, ...)`, `np.reshape(a, shape)`, `np.ravel(a)`, `np.flip(a, axis)`.
    pub(crate) fn view_function(
        &mut self,
        e: ExprId,
        op: hir::ViewFn,
        args: &[ExprId],
        kwargs: &[hir::Keyword],
    ) -> Ty {
        let Some((&array, rest)) = args.split_first() else {
            for k in kwargs {
                self.expr(k.value);
            }
            self.emit(
                self.span(e),
                report(
                    "E0219",
                    format!("`np.{}` takes an array argument", op.name()),
                    "no arguments given",
                )
                .help(format!("write np.{}(a, ...)", op.name())),
            );
            return Ty::Error;
        };
        let t = self.expr(array);
        match &t {
            Ty::Known(Type::Array(a)) => {
                let a = *a;
                self.view_call(e, op, array, &a, rest, kwargs, format!("np.{}", op.name()))
            }
            t if t.is_pending() => t.clone(),
            t => {
                let shown = t.concrete().unwrap_or(Type::None);
                self.emit(
                    self.span(array),
                    report(
                        "E0206",
                        format!("`np.{}` needs an array", op.name()),
                        format!("{} is {shown}", self.expr_text(array)),
                    )
                    .help("pass an array"),
                );
                Ty::Error
            }
        }
    }

    /// A view function or method on the array `array` of type `a`; `rest` are
    /// the arguments after the array; `name` is how the call is written.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn view_call(
        &mut self,
        e: ExprId,
        op: hir::ViewFn,
        array: ExprId,
        a: &ArrayType,
        rest: &[ExprId],
        kwargs: &[hir::Keyword],
        name: String,
    ) -> Ty {
        let tys: Vec<Ty> = rest.iter().map(|&r| self.expr(r)).collect();
        for k in kwargs {
            self.expr(k.value);
        }
        if !kwargs.is_empty() {
            self.emit(
                kwargs[0].span,
                report(
                    "E0221",
                    format!("`{name}` takes no keyword arguments in compiled code"),
                    format!("unexpected `{}=`", kwargs[0].name),
                )
                .help("pass the arguments by position"),
            );
            return Ty::Error;
        }
        let f = self.f;
        let bad = |this: &mut Self, what: &str, help: &str| {
            this.emit(
                this.span(e),
                report(
                    "E0219",
                    format!("`{name}`: {what}"),
                    format!("{} is {a}", this.expr_text(array)),
                )
                .help(help.to_string()),
            );
            Ty::Error
        };
        let result = match op {
            hir::ViewFn::Transpose => {
                let given = !rest.is_empty();
                let axes = transpose_axes(f, a.ndim, rest);
                let constant = rest.len() <= 1 || rest.len() == a.ndim as usize;
                let axes_ok = match rest {
                    [] => true,
                    [one] => {
                        constant_axes(f, a.ndim, *one).is_some_and(|v| is_permutation(&v, a.ndim))
                    }
                    _ => {
                        constant
                            && rest
                                .iter()
                                .all(|&r| constant_axes(f, a.ndim, r).is_some_and(|v| v.len() == 1))
                            && is_permutation(&axes, a.ndim)
                    }
                };
                if given && !axes_ok {
                    return bad(
                        self,
                        "axes must be a constant permutation of the array's axes",
                        "write the axes as integer constants, e.g. (1, 0)",
                    );
                }
                let reversed: Vec<usize> = (0..a.ndim as usize).rev().collect();
                let identity: Vec<usize> = (0..a.ndim as usize).collect();
                let layout = if axes == identity {
                    a.layout
                } else if axes == reversed {
                    transposed(a.layout, a.ndim)
                } else {
                    Layout::Any
                };
                ArrayType { layout, ..*a }
            }
            hir::ViewFn::Reshape => {
                let dims = match (rest, tys.as_slice()) {
                    ([_], [Ty::Known(Type::Tuple(items))]) => items
                        .iter()
                        .all(|t| t.as_scalar().is_some_and(Dtype::is_int))
                        .then_some(items.len()),
                    ([], _) => None,
                    _ => tys
                        .iter()
                        .all(|t| t.number_kind() == Some(Kind::Int))
                        .then_some(rest.len()),
                };
                let Some(ndim) = dims else {
                    if tys.iter().any(Ty::is_pending) {
                        return Ty::Error;
                    }
                    return bad(
                        self,
                        "the new shape must be integers or one tuple of integers",
                        "write a.reshape(n, m) or a.reshape((n, m))",
                    );
                };
                if rest.len() > 1 || !matches!(tys.first(), Some(Ty::Known(Type::Tuple(_)))) {
                    for (&r, t) in rest.iter().zip(&tys) {
                        self.coerce(r, t, &Type::INT);
                    }
                }
                ArrayType {
                    ndim: ndim as u8,
                    layout: Layout::C,
                    ..*a
                }
            }
            hir::ViewFn::Ravel | hir::ViewFn::Flatten => {
                if !rest.is_empty() {
                    return bad(
                        self,
                        "takes no arguments in compiled code",
                        "call it without arguments (C order)",
                    );
                }
                ArrayType {
                    ndim: 1,
                    layout: Layout::C,
                    writable: a.writable || op == hir::ViewFn::Flatten,
                    ..*a
                }
            }
            hir::ViewFn::Flip => {
                let ok = match rest {
                    [] => true,
                    [axis] => {
                        index_kind(f, *axis) == IndexKind::NewAxis
                            || constant_axes(f, a.ndim, *axis).is_some()
                    }
                    _ => false,
                };
                if !ok {
                    return bad(
                        self,
                        "axis must be a constant integer, a tuple of them, or None",
                        "write np.flip(a, 0)",
                    );
                }
                ArrayType {
                    layout: if a.ndim == 0 { a.layout } else { Layout::Any },
                    ..*a
                }
            }
        };
        Ty::Known(Type::Array(result))
    }
}

/// The layout of an array with its axes reversed.
fn transposed(layout: Layout, ndim: u8) -> Layout {
    match layout {
        _ if ndim <= 1 => layout,
        Layout::C => Layout::F,
        Layout::F => Layout::C,
        Layout::Any => Layout::Any,
    }
}
