//! Statements: assignments and their targets, control flow, returns.

use frontend::hir::{self, BinOp, ExprId, Stmt, StmtKind, Target};
use frontend::Span;

use crate::infer::{contains_opaque, join, report, FnCx, Ty};
use crate::views::selects_view;
use crate::{ArrayType, LocalRead, Type};
use library::promotion::Kind;

impl FnCx<'_, '_> {
    pub(crate) fn block(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            self.stmt(s);
        }
    }

    // Its own recursion, not `hir::visit`'s: typing a statement is what each arm does.
    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Assign { target, value } => {
                let ty = self.expr(*value);
                self.assign_target(target, &ty, Some(*value), s.span);
            }
            StmtKind::AugAssign { target, op, value } => {
                self.aug_assign(target, *op, *value, s.span)
            }
            StmtKind::Expr(e) => {
                self.expr(*e);
            }
            StmtKind::If { test, body, orelse } => {
                self.test(*test);
                self.block(body);
                self.block(orelse);
            }
            StmtKind::While { test, body } => {
                self.test(*test);
                self.block(body);
            }
            StmtKind::ForRange {
                var,
                start,
                stop,
                step,
                parallel,
                body,
            } => {
                let name = if *parallel { "prange" } else { "range" };
                for e in [*start, *stop, *step] {
                    self.range_bound(e, name);
                }
                if self.constant_int(*step) == Some(0) {
                    self.emit(
                        self.span(*step),
                        report(
                            "E0231",
                            format!("{name}() step must not be zero"),
                            "this step is 0",
                        )
                        .help("use a positive or negative step"),
                    );
                }
                self.assign_local(*var, &Ty::Known(Type::INT), None, s.span);
                self.block(body);
            }
            StmtKind::Return(value) => self.return_stmt(*value, s.span),
            StmtKind::Break | StmtKind::Continue | StmtKind::Raise { .. } | StmtKind::Pass => {}
        }
    }

    fn range_bound(&mut self, e: ExprId, name: &str) {
        let ty = self.expr(e);
        match ty.number_kind() {
            Some(Kind::Bool | Kind::Int) => self.coerce(e, &ty, &Type::INT),
            _ if ty.is_pending() => {}
            _ => {
                let shown = ty.concrete().unwrap_or(Type::None);
                self.emit(
                    self.span(e),
                    report(
                        "E0231",
                        format!("{name}() arguments must be integers"),
                        format!("{} is {shown}", self.expr_text(e)),
                    )
                    .help("convert it with int(...)"),
                );
            }
        }
    }

    /// A condition: anything with a truth value, read as bool.
    pub(crate) fn test(&mut self, e: ExprId) -> Ty {
        let ty = self.expr(e);
        if self.check_truth(e, &ty) {
            self.coerce(e, &ty, &Type::BOOL);
        }
        ty
    }

    /// Whether `ty` has a truth value; reports it when not.
    pub(crate) fn check_truth(&mut self, e: ExprId, ty: &Ty) -> bool {
        match ty {
            Ty::Weak(_) | Ty::Known(Type::Scalar(_)) => true,
            Ty::Unknown | Ty::Error => false,
            Ty::Known(Type::Array(a)) => {
                let a = *a;
                self.emit(
                    self.span(e),
                    report(
                        "E0210",
                        "the truth value of an array is ambiguous",
                        format!("{} is {a}", self.expr_text(e)),
                    )
                    .help("test an element, e.g. a[i], or a condition on one"),
                );
                false
            }
            Ty::Known(t) => {
                let t = t.clone();
                self.emit(
                    self.span(e),
                    report(
                        "E0210",
                        format!("{t} cannot be used as a condition"),
                        format!("{} is {t}", self.expr_text(e)),
                    )
                    .help("use a comparison that gives a bool"),
                );
                false
            }
        }
    }

    fn assign_target(&mut self, target: &Target, ty: &Ty, value: Option<ExprId>, span: Span) {
        match target {
            Target::Local(l) => self.assign_local(*l, ty, value, span),
            Target::Subscript {
                value: array,
                indices,
            } => {
                let array_ty = self.expr(*array);
                let tys = self.index_types(indices);
                if value.is_none() && tys.iter().any(|t| matches!(t, Ty::Known(Type::Array(_)))) {
                    // Lower stores through an array index from the value's expression.
                    return self.emit(
                        span,
                        report(
                            "E0274",
                            "cannot unpack into a target indexed by an array",
                            "this target has an array index",
                        )
                        .help("assign the item on its own line: a[idx] = t[0]"),
                    );
                }
                if let Some(view) = self.selected_type(*array, &array_ty, indices, &tys, span) {
                    let Ty::Known(Type::Array(a)) = array_ty else {
                        return;
                    };
                    return self.store_into_view(*array, &a, view, ty, value, span);
                }
                let elem = self.subscript_target(*array, array_ty, indices, &tys, span);
                if let Some(e) = value {
                    self.store_element(elem, ty, e);
                } else if let Some(d) = elem {
                    self.check_store(d, ty, span);
                }
            }
            Target::Tuple(targets) => {
                let items = match ty {
                    Ty::Known(Type::Tuple(items)) if items.len() == targets.len() => {
                        items.iter().map(|t| Ty::Known(t.clone())).collect()
                    }
                    Ty::Unknown | Ty::Error => vec![ty.clone(); targets.len()],
                    other => {
                        let shown = other.concrete().unwrap_or(Type::None);
                        let (message, help) = match &shown {
                            Type::Tuple(items) => (
                                format!(
                                    "cannot unpack {} value{} into {} targets",
                                    items.len(),
                                    if items.len() == 1 { "" } else { "s" },
                                    targets.len()
                                ),
                                "use as many names on the left as the tuple has items",
                            ),
                            Type::Array(_) => (
                                "cannot unpack an array".to_string(),
                                "index the array: x, y = a[0], a[1]",
                            ),
                            _ => (
                                format!("cannot unpack {shown}"),
                                "only tuples can be unpacked",
                            ),
                        };
                        let label = match value {
                            Some(e) => format!("{} is {shown}", self.expr_text(e)),
                            None => format!("this is {shown}"),
                        };
                        self.emit(
                            value.map_or(span, |e| self.span(e)),
                            report("E0228", message, label).help(help),
                        );
                        vec![Ty::Error; targets.len()]
                    }
                };
                for (t, item) in targets.iter().zip(&items) {
                    self.assign_target(t, item, None, span);
                }
                if let (Some(e), Some(want)) = (value, self.target_type(target)) {
                    self.coerce(e, ty, &want);
                }
            }
        }
    }

    /// The type a value stored into `target` is converted to, where known.
    fn target_type(&self, target: &Target) -> Option<Type> {
        match target {
            Target::Local(l) => self.locals[l.0 as usize].ty.clone(),
            Target::Subscript { value, .. } => match self.expr_types[value.0 as usize].as_ref()? {
                Type::Array(a) => Some(Type::Scalar(a.dtype)),
                _ => None,
            },
            Target::Tuple(items) => items
                .iter()
                .map(|t| self.target_type(t))
                .collect::<Option<Vec<_>>>()
                .map(Type::Tuple),
        }
    }

    fn aug_assign(&mut self, target: &Target, op: BinOp, value: ExprId, span: Span) {
        let rhs = self.expr(value);
        match target {
            Target::Local(l) => {
                let current = self.read_local(*l, LocalRead::AugAssign(value), span);
                let name = format!("`{}`", self.f.local(*l).name);
                if let Ty::Known(Type::Array(a)) = &current {
                    return self.update_in_place(op, a, &name, value, &rhs, span);
                }
                let result = self.binary(op, &current, None, &name, &rhs, value, span);
                self.assign_local(*l, &result, None, span);
            }
            Target::Subscript {
                value: array,
                indices,
            } => {
                let array_ty = self.expr(*array);
                let tys = self.index_types(indices);
                if let Some(view) = self.selected_type(*array, &array_ty, indices, &tys, span) {
                    let Some(view) = view else {
                        return;
                    };
                    let text = self.text(span, "the slice");
                    return self.update_in_place(op, &view, &text, value, &rhs, span);
                }
                let elem = self.subscript_target(*array, array_ty, indices, &tys, span);
                let current = elem.map_or(Ty::Error, |d| Ty::Known(Type::Scalar(d)));
                let text = self.text(span, "the element");
                let result = self.binary(op, &current, None, &text, &rhs, value, span);
                if let Some(d) = elem {
                    self.check_store(d, &result, span);
                }
            }
            Target::Tuple(_) => self.emit(
                span,
                report(
                    "E0228",
                    "cannot use an augmented assignment on a tuple",
                    "the target is a tuple",
                )
                .help("update each variable on its own"),
            ),
        }
    }

    /// For a store target `array[indices]` (index types `tys`) that selects
    /// many elements (a view, or an array index): `Some` of their type as an
    /// array, itself `None` when the indices were refused; `None` for one element.
    fn selected_type(
        &mut self,
        array: ExprId,
        array_ty: &Ty,
        indices: &[ExprId],
        tys: &[Ty],
        span: Span,
    ) -> Option<Option<ArrayType>> {
        let Ty::Known(Type::Array(a)) = array_ty else {
            return None;
        };
        if tys.iter().any(|t| matches!(t, Ty::Known(Type::Array(_)))) {
            // Written through: as writable as the array.
            Some(
                self.advanced_type(array, a, indices, tys, span)
                    .map(|t| ArrayType {
                        writable: a.writable,
                        ..t
                    }),
            )
        } else if selects_view(self.f, a.ndim, indices) {
            Some(self.view_type(array, a, indices, tys, span))
        } else {
            None
        }
    }

    /// Checks the array and indices of a store target; the element dtype when writable.
    fn subscript_target(
        &mut self,
        array: ExprId,
        ty: Ty,
        indices: &[ExprId],
        tys: &[Ty],
        span: Span,
    ) -> Option<hir::Dtype> {
        match &ty {
            Ty::Known(Type::Array(a)) => {
                let a = *a;
                let ok = self.array_indices(array, &a, indices, tys, span);
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
                    return None;
                }
                ok.then_some(a.dtype)
            }
            Ty::Unknown | Ty::Error => None,
            other => {
                let shown = other.concrete().unwrap_or(Type::None);
                let help = if matches!(shown, Type::Tuple(_)) {
                    "tuples are immutable; build a new tuple instead"
                } else {
                    "only array elements can be assigned to"
                };
                self.emit(
                    self.span(array),
                    report(
                        "E0229",
                        format!("cannot assign to an item of {shown}"),
                        format!("{} is {shown}", self.expr_text(array)),
                    )
                    .help(help),
                );
                None
            }
        }
    }

    fn store_element(&mut self, elem: Option<hir::Dtype>, ty: &Ty, value: ExprId) {
        if let Some(d) = elem {
            if self.check_store(d, ty, self.span(value)) {
                self.coerce(value, ty, &Type::Scalar(d));
                self.check_int_literal(value, ty, &Type::Scalar(d));
            }
        }
    }

    /// Whether a value of type `ty` can be stored into an element of dtype `d`.
    pub(crate) fn check_store(&mut self, d: hir::Dtype, ty: &Ty, span: Span) -> bool {
        let array = Type::Scalar(d);
        match ty.number_kind() {
            Some(Kind::Complex) if !d.is_complex() => {
                self.emit(
                    span,
                    report(
                        "E0218",
                        format!("cannot store a complex number into a {d} array"),
                        format!("this is {}", ty.concrete().unwrap_or(array)),
                    )
                    .help("store its real part with z.real, or its magnitude with abs(z)"),
                );
                false
            }
            Some(_) => true,
            None if ty.is_pending() => false,
            None => {
                let shown = ty.concrete().unwrap_or(Type::None);
                self.emit(
                    span,
                    report(
                        "E0218",
                        format!("cannot store {shown} into an element of a {d} array"),
                        format!("this is {shown}"),
                    )
                    .help("store one number per element"),
                );
                false
            }
        }
    }

    fn return_stmt(&mut self, value: Option<ExprId>, span: Span) {
        let Some(e) = value else {
            self.add_return(&Ty::Known(Type::None), None, span);
            return;
        };
        let ty = self.expr(e);
        // Tuples nest and mix numbers, arrays and tuples: results are boxed recursively.
        let ok = !ty.concrete().is_some_and(|t| contains_opaque(&t));
        if ok {
            self.add_return(&ty, Some(e), self.span(e));
        } else {
            let shown = ty.concrete().unwrap_or(Type::None);
            self.emit(
                self.span(e),
                report(
                    "E0203",
                    format!("cannot return {shown}"),
                    format!("{} is {shown}", self.expr_text(e)),
                )
                .help("return a number, an array, or a tuple of those"),
            );
            self.ret.poisoned = true;
        }
    }

    /// Joins one returned value into the function's return type.
    fn add_return(&mut self, ty: &Ty, value: Option<ExprId>, span: Span) {
        let Some(t) = ty.concrete() else {
            if *ty == Ty::Error {
                self.ret.poisoned = true;
            }
            return;
        };
        let joined = match &self.ret.ty {
            None => Some(t.clone()),
            Some(old) => join(old, &t),
        };
        match joined {
            Some(j) => self.ret.ty = Some(j),
            None => {
                let old = self.ret.ty.clone().unwrap_or(Type::None);
                let name = self.f.name.clone();
                let r = if t == Type::None {
                    report(
                        "E0203",
                        "`return` without a value in a function that returns a value",
                        format!("`{name}` returns {old} elsewhere"),
                    )
                    .help(format!("return a value of type {old} here too"))
                } else if old == Type::None {
                    report(
                        "E0203",
                        format!("`{name}` returns a value here but not on every path"),
                        format!("this is {t}"),
                    )
                    .help("return a value on every path, or on none")
                } else {
                    report(
                        "E0203",
                        format!("`{name}` returns values of incompatible types"),
                        format!("this is {t}, but `{name}` returns {old} elsewhere"),
                    )
                    .help("return one type from every `return`")
                };
                self.emit(span, r);
            }
        }
        if let (Some(e), Some(rt)) = (value, self.ret.ty.clone()) {
            self.coerce(e, ty, &rt);
        }
    }

    /// Control reaches the end of the body: Python returns `None` there.
    pub(crate) fn fall_off_end(&mut self) {
        match &self.ret.ty {
            Some(t) if *t != Type::None => {
                let t = t.clone();
                let name = self.f.name.clone();
                self.emit(
                    self.f.span,
                    report(
                        "E0204",
                        format!("`{name}` can reach its end without returning a value"),
                        format!("`{name}` returns {t} elsewhere"),
                    )
                    .help("add a `return` at the end of the function"),
                );
            }
            _ if !self.ret.poisoned => self.ret.ty = Some(Type::None),
            _ => {}
        }
    }

    /// The value of an integer constant expression (`3`, `-1`, a module constant).
    pub(crate) fn constant_int(&self, e: ExprId) -> Option<i64> {
        self.f.constant_int(e)
    }
}
