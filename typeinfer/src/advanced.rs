//! Advanced indexing: `a[mask]`, `a[idx]`, `a[i, idx]`, `a[:, m] = 0`, one
//! array index per subscript (as Numba allows), with NumPy's placement of
//! its axes (docs/language.md, "Advanced indexing").
//!
//! The rule, for one array index among integers, slices and `...`: a bool
//! array of rank `k` selects along `k` axes and gives one axis (its true
//! count); an integer array selects along one axis and gives its own axes.
//! Those axes replace the selected ones in place, unless an integer index is
//! separated from the array index by a slice or `...`: then they come first
//! (NumPy counts integers as advanced indices too). The result is a new
//! C-ordered array of the indexed array's dtype.

use frontend::hir::{self, ExprId, Keyword, NonzeroFn};
use frontend::Span;

use crate::infer::{report, FnCx, Ty};
use crate::views::{index_kind, IndexKind};
use crate::{ArrayType, Layout, Type};
use library::promotion::Kind;

/// The one array index of a subscript and where its axes go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdvancedIndex {
    /// Its position among the indices.
    pub position: usize,
    /// A bool mask rather than integers.
    pub mask: bool,
    /// The first axis of the indexed array it selects along.
    pub axis: usize,
    /// How many axes of the indexed array it selects along: a mask's rank, else 1.
    pub spans: usize,
    /// The result axes it makes: 1 for a mask (the true count), else the index's rank.
    pub result_axes: usize,
    /// The axes kept by slices (or `...`, or left unnamed) before it and after it.
    pub kept_before: usize,
    pub kept_after: usize,
    /// Whether its result axes come first rather than in its place.
    pub first: bool,
}

impl AdvancedIndex {
    /// The rank of the result.
    pub fn ndim(&self) -> usize {
        self.kept_before + self.result_axes + self.kept_after
    }
}

/// The array index of `array[indices]` on an array of `ndim` axes, where
/// `types` holds the type of each index that is an array (typeinfer accepted
/// the subscript: one array index, no `None`, no more axes than `ndim`).
pub fn advanced_index(
    f: &hir::Function,
    ndim: u8,
    indices: &[ExprId],
    types: &[Option<ArrayType>],
) -> Option<AdvancedIndex> {
    let position = types.iter().position(Option::is_some)?;
    let index = types[position]?;
    let mask = index.dtype == hir::Dtype::Bool;
    let spans = if mask { index.ndim as usize } else { 1 };
    let kinds: Vec<IndexKind> = indices.iter().map(|&i| index_kind(f, i)).collect();
    let named = kinds
        .iter()
        .enumerate()
        .filter(|&(k, kind)| k != position && matches!(kind, IndexKind::Integer | IndexKind::Slice))
        .count()
        + spans;
    let ellipsis_axes = (ndim as usize).saturating_sub(named);
    let (mut axis, mut kept, mut at, mut kept_before) = (0, 0, 0, 0);
    for (k, kind) in kinds.iter().enumerate() {
        match kind {
            _ if k == position => {
                at = axis;
                kept_before = kept;
                axis += spans;
            }
            IndexKind::Integer => axis += 1,
            IndexKind::Slice => {
                axis += 1;
                kept += 1;
            }
            IndexKind::Ellipsis => {
                axis += ellipsis_axes;
                kept += ellipsis_axes;
            }
            IndexKind::NewAxis => {}
        }
    }
    kept += (ndim as usize).saturating_sub(axis);
    // The integers and the array index, as positions: adjacent or not.
    let advanced: Vec<usize> = (0..kinds.len())
        .filter(|&k| k == position || kinds[k] == IndexKind::Integer)
        .collect();
    let first = advanced.windows(2).any(|w| w[1] != w[0] + 1);
    Some(AdvancedIndex {
        position,
        mask,
        axis: at,
        spans,
        result_axes: if mask { 1 } else { index.ndim as usize },
        kept_before,
        kept_after: kept - kept_before,
        first,
    })
}

impl FnCx<'_, '_> {
    /// The array types of the indices that are arrays, `None` for the others.
    pub(crate) fn index_arrays(tys: &[Ty]) -> Vec<Option<ArrayType>> {
        tys.iter()
            .map(|t| match t {
                Ty::Known(Type::Array(a)) => Some(*a),
                _ => None,
            })
            .collect()
    }

    /// The type of `array[indices]` where an index is an array (`tys`: the
    /// indices' types), or `None` after reporting what is refused.
    pub(crate) fn advanced_type(
        &mut self,
        array: ExprId,
        a: &ArrayType,
        indices: &[ExprId],
        tys: &[Ty],
        span: Span,
    ) -> Option<ArrayType> {
        let f = self.f;
        let arrays = Self::index_arrays(tys);
        let label = format!("{} is {a}", self.expr_text(array));
        let mut ok = true;
        let mut seen = 0;
        for ((&i, t), arr) in indices.iter().zip(tys).zip(&arrays) {
            if let Some(x) = arr {
                seen += 1;
                if seen == 2 {
                    self.emit(
                        self.span(i),
                        report(
                            "E0270",
                            "only one array index per subscript is supported",
                            format!("{} is a second array index", self.expr_text(i)),
                        )
                        .help("index in two steps, e.g. a[idx][:, jdx], or loop over the pairs"),
                    );
                    ok = false;
                }
                if x.ndim == 0 {
                    // NumPy reads a 0-d integer array as an integer (a number, not an
                    // array, comes out) and a 0-d mask as a new axis.
                    self.emit(
                        self.span(i),
                        report(
                            "E0276",
                            "a 0-d array as an index is not supported",
                            format!("{} is {x}", self.expr_text(i)),
                        )
                        .help("index with the number it holds: a[int(i[()])]"),
                    );
                    ok = false;
                } else if !matches!(library::promotion::kind(x.dtype), Kind::Int | Kind::Bool) {
                    self.emit(
                        self.span(i),
                        report(
                            "E0271",
                            "arrays used as indices must be of integer (or boolean) type",
                            format!("{} is {x}", self.expr_text(i)),
                        )
                        .help("convert it with .astype(np.int64)"),
                    );
                    ok = false;
                }
                continue;
            }
            match index_kind(f, i) {
                IndexKind::Integer => ok &= self.view_integer_index(i, t),
                IndexKind::NewAxis => {
                    self.emit(
                        self.span(i),
                        report(
                            "E0273",
                            "`None` (np.newaxis) beside an array index is not supported",
                            label.clone(),
                        )
                        .help("add the axis in a second step: a[idx][:, None]"),
                    );
                    ok = false;
                }
                IndexKind::Slice | IndexKind::Ellipsis => {}
            }
        }
        let ellipses = indices
            .iter()
            .filter(|&&i| index_kind(f, i) == IndexKind::Ellipsis)
            .count();
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
        if !ok {
            return None;
        }
        let named: usize = indices
            .iter()
            .zip(&arrays)
            .map(|(&i, arr)| match (arr, index_kind(f, i)) {
                (Some(x), _) if x.dtype == hir::Dtype::Bool => x.ndim as usize,
                (Some(_), _) => 1,
                (None, IndexKind::Integer | IndexKind::Slice) => 1,
                (None, _) => 0,
            })
            .sum();
        if named > a.ndim as usize {
            let mask = arrays.iter().flatten().any(|x| x.dtype == hir::Dtype::Bool);
            self.emit(
                span,
                report(
                    "E0272",
                    format!(
                        "too many indices for array: array is {}-dimensional, but {named} were indexed",
                        a.ndim
                    ),
                    label,
                )
                .help(if mask {
                    "a mask selects along as many axes as it has: give it the shape of the axes it selects"
                } else {
                    "use one index or slice per axis"
                }),
            );
            return None;
        }
        let adv = advanced_index(f, a.ndim, indices, &arrays)?;
        Some(ArrayType {
            dtype: a.dtype,
            ndim: adv.ndim() as u8,
            layout: Layout::C,
            writable: true,
        })
    }
}

impl FnCx<'_, '_> {
    /// `np.nonzero(a)` (a tuple of int64 arrays, one per axis),
    /// `np.flatnonzero(a)` (1-d), `np.argwhere(a)` (2-d) of one array or
    /// array expression (`tys`: the arguments' types).
    pub(crate) fn nonzero_call(
        &mut self,
        e: ExprId,
        f: NonzeroFn,
        tys: &[Ty],
        kwargs: &[Keyword],
    ) -> Ty {
        let name = format!("np.{}", f.name());
        if let Some(k) = kwargs.first() {
            self.unsupported_keyword(&name, k, "pass the array only");
            return Ty::Error;
        }
        if !self.arity(e, &name, tys.len(), 1, 1) {
            return Ty::Error;
        }
        let a = match &tys[0] {
            Ty::Known(Type::Array(a)) if a.ndim > 0 || f != NonzeroFn::Nonzero => *a,
            t if t.is_pending() => return t.clone(),
            t => {
                let shown = t.concrete().unwrap_or(Type::None);
                self.emit(
                    self.span(e),
                    report(
                        "E0275",
                        format!("`{name}` needs an array of at least one axis"),
                        format!("the argument is {shown}"),
                    )
                    .help("pass an array (NumPy refuses np.nonzero of a 0-d array too)"),
                );
                return Ty::Error;
            }
        };
        let indices = |ndim: u8| {
            Type::Array(ArrayType {
                dtype: hir::Dtype::Int64,
                ndim,
                layout: Layout::C,
                writable: true,
            })
        };
        Ty::Known(match f {
            NonzeroFn::Nonzero => Type::Tuple(vec![indices(1); a.ndim as usize]),
            NonzeroFn::Flatnonzero => indices(1),
            NonzeroFn::Argwhere => indices(2),
        })
    }
}
