//! `for` loops over anything but `range`/`prange`, desugared to a counted loop.
//!
//! `for target in iterable: body` becomes
//!
//! ```text
//! $forN.seq0 = a                      # each iterable (and bound) evaluated once, in order
//! for $forN.i in range(len($forN.seq0)):
//!     target = $forN.seq0[$forN.i]    # the item, assigned like `target = ...`
//!     body
//! ```
//!
//! so an array's items are read through the ordinary subscript `a[i]` (its
//! bounds check vanishes where the range analysis proves `i < len(a)`; an n-d
//! array gives whatever `a[i]` gives), a tuple's through its run-time index,
//! and `enumerate`/`zip` are tuples of items. `zip` stops at its shortest
//! iterable: the count is the `min` of their lengths. Nothing downstream knows
//! these loops exist.

use rustpython_parser::ast::{self, Ranged};

use super::Builder;
use crate::codes;
use crate::hir::{
    BinOp, Callee, CmpOp, Constant, ExceptionKind, ExprId, ExprKind, GlobalValue, KnownFunction,
    LocalId, Stmt, StmtKind, Target, UnaryOp,
};
use crate::span::Span;

/// Where item `k` of an iterable comes from (each part held in a hidden local).
enum Iterable {
    /// An array or a tuple: item `k` is `seq[k]`.
    Sequence(LocalId),
    /// `range(start, stop, step)`: item `k` is `start + k * step`.
    Range { start: LocalId, step: LocalId },
    /// `enumerate(inner, start)`: item `k` is `(k + start, inner item k)`.
    Enumerate {
        start: Option<LocalId>,
        inner: Box<Iterable>,
    },
    /// `zip(a, b, ...)`: item `k` is `(a item k, b item k, ...)`.
    Zip(Vec<Iterable>),
}

/// The hidden locals of one desugared loop are named `$for<n>.<part>`, names no
/// Python code can spell.
struct Loop {
    prefix: String,
    span: Span,
    parts: usize,
}

impl Builder<'_> {
    /// Every `for` statement: a `range`/`prange` loop is a `ForRange` as written;
    /// any other iterable is desugared (see the module docs).
    pub(super) fn for_loop(&mut self, s: &ast::StmtFor, span: Span, out: &mut Vec<Stmt>) {
        let mut ok = true;
        if !s.orelse.is_empty() {
            let at = self.else_span(&s.orelse, span);
            self.unsupported(
                codes::LOOP,
                at,
                "`for ... else` is not supported",
                "an `else` block on a loop",
                "set a flag before `break` and test it after the loop",
            );
            ok = false;
        }
        if let Some(range) = self.range_call(&s.iter) {
            if let Some(kind) = self.for_range(s, range, ok) {
                out.push(Stmt { kind, span });
            }
            return;
        }
        let iter_span = self.span(s.iter.range());
        let index = self
            .locals
            .iter()
            .filter(|l| l.name.starts_with("$for") && l.name.ends_with(".i"))
            .count();
        let mut lp = Loop {
            prefix: format!("$for{index}"),
            span: iter_span,
            parts: 0,
        };
        let counter = self.add_local(format!("{}.i", lp.prefix), iter_span);
        let mut lengths = Vec::new();
        let iterable = self.iterable(&s.iter, &mut lp, &mut lengths, out);
        let target_span = self.span(s.target.range());
        let target = self.target(&s.target);
        let body = self.block(&s.body);
        let (Some(iterable), Some(target), true) = (iterable, target, ok) else {
            return;
        };
        let stop = match lengths.as_slice() {
            [] => self.push(ExprKind::Const(Constant::Int(0)), iter_span),
            [one] => *one,
            _ => self.push(
                ExprKind::Call {
                    callee: Callee::Known(KnownFunction::Min),
                    args: lengths,
                    kwargs: Vec::new(),
                },
                iter_span,
            ),
        };
        let item = self.item(&iterable, counter, iter_span);
        let mut loop_body = vec![Stmt {
            kind: StmtKind::Assign {
                target,
                value: item,
            },
            span: target_span,
        }];
        loop_body.extend(body);
        let start = self.push(ExprKind::Const(Constant::Int(0)), iter_span);
        let step = self.push(ExprKind::Const(Constant::Int(1)), iter_span);
        out.push(Stmt {
            kind: StmtKind::ForRange {
                var: counter,
                start,
                stop,
                step,
                parallel: false,
                body: loop_body,
            },
            span,
        });
    }

    /// Evaluates `iter` (its parts into hidden locals, in Python's order) and
    /// adds the length of each of its sequences and ranges to `lengths`.
    fn iterable(
        &mut self,
        iter: &ast::Expr,
        lp: &mut Loop,
        lengths: &mut Vec<ExprId>,
        out: &mut Vec<Stmt>,
    ) -> Option<Iterable> {
        let span = self.span(iter.range());
        let call = match iter {
            ast::Expr::Call(call) => self.builtin_call(call).map(|f| (f, call)),
            _ => None,
        };
        match call {
            Some((KnownFunction::Range, call)) => {
                let (start, stop, step, _) = self.range_bounds(call, false)?;
                let start = self.hidden(lp, "start", start, out);
                let stop = self.hidden(lp, "stop", stop, out);
                let step = self.hidden(lp, "step", step, out);
                let len = self.range_length(start, stop, step, span, out);
                let len = self.hidden(lp, "len", len, out);
                lengths.push(self.local_expr(len, span));
                Some(Iterable::Range { start, step })
            }
            Some((KnownFunction::Enumerate, call)) => {
                let (inner, start) = match (call.args.as_slice(), call.keywords.as_slice()) {
                    ([inner], []) => (inner, None),
                    ([inner, start], []) => (inner, Some(start)),
                    ([inner], [k]) if k.arg.as_deref() == Some("start") => (inner, Some(&k.value)),
                    _ => {
                        self.unsupported(
                            codes::LOOP,
                            span,
                            "`enumerate` takes an iterable and an optional start",
                            "not `enumerate(iterable)` or `enumerate(iterable, start)`",
                            "write `enumerate(a)` or `enumerate(a, start)`",
                        );
                        return None;
                    }
                };
                let inner = self.iterable(inner, lp, lengths, out)?;
                let start = start.map(|s| {
                    let value = self.expr(s);
                    self.hidden(lp, "from", value, out)
                });
                Some(Iterable::Enumerate {
                    start,
                    inner: Box::new(inner),
                })
            }
            Some((KnownFunction::Zip, call)) => {
                if !call.keywords.is_empty() {
                    self.unsupported(
                        codes::LOOP,
                        span,
                        "`zip` takes no keyword arguments here",
                        "`strict=` is not supported",
                        "check the lengths before the loop",
                    );
                    return None;
                }
                let items: Vec<Option<Iterable>> = call
                    .args
                    .iter()
                    .map(|a| self.iterable(a, lp, lengths, out))
                    .collect();
                items
                    .into_iter()
                    .collect::<Option<Vec<_>>>()
                    .map(Iterable::Zip)
            }
            _ => {
                let value = self.expr(iter);
                let seq = self.hidden(lp, "seq", value, out);
                let read = self.local_expr(seq, span);
                lengths.push(self.push(
                    ExprKind::Call {
                        callee: Callee::Known(KnownFunction::Len),
                        args: vec![read],
                        kwargs: Vec::new(),
                    },
                    span,
                ));
                Some(Iterable::Sequence(seq))
            }
        }
    }

    /// `range`, `enumerate` or `zip` when `call` calls that builtin (not a local of that name).
    fn builtin_call(&mut self, call: &ast::ExprCall) -> Option<KnownFunction> {
        let ast::Expr::Name(name) = &*call.func else {
            return None;
        };
        if self.local_ids.contains_key(name.id.as_str()) {
            return None;
        }
        match self.global(&name.id) {
            Some(GlobalValue::Function(
                f @ (KnownFunction::Range | KnownFunction::Enumerate | KnownFunction::Zip),
            )) => Some(f),
            _ => None,
        }
    }

    /// Item `counter` of `iterable`.
    fn item(&mut self, iterable: &Iterable, counter: LocalId, span: Span) -> ExprId {
        let k = self.local_expr(counter, span);
        match iterable {
            Iterable::Sequence(seq) => {
                let value = self.local_expr(*seq, span);
                self.push(
                    ExprKind::Subscript {
                        value,
                        indices: vec![k],
                    },
                    span,
                )
            }
            Iterable::Range { start, step } => {
                let step = self.local_expr(*step, span);
                let offset = self.binary(BinOp::Mul, k, step, span);
                let start = self.local_expr(*start, span);
                self.binary(BinOp::Add, start, offset, span)
            }
            Iterable::Enumerate { start, inner } => {
                let index = match start {
                    Some(start) => {
                        let start = self.local_expr(*start, span);
                        self.binary(BinOp::Add, k, start, span)
                    }
                    None => k,
                };
                let inner = self.item(inner, counter, span);
                self.push(ExprKind::Tuple(vec![index, inner]), span)
            }
            Iterable::Zip(items) => {
                let items = items.iter().map(|i| self.item(i, counter, span)).collect();
                self.push(ExprKind::Tuple(items), span)
            }
        }
    }

    /// `len(range(start, stop, step))`, raising CPython's `ValueError` for a zero step:
    /// `max(0, (stop - start + step - 1) // step)` for a positive step, the mirror
    /// image for a negative one.
    fn range_length(
        &mut self,
        start: LocalId,
        stop: LocalId,
        step: LocalId,
        span: Span,
        out: &mut Vec<Stmt>,
    ) -> ExprId {
        let read = |b: &mut Self, l| b.local_expr(l, span);
        let zero = self.push(ExprKind::Const(Constant::Int(0)), span);
        let step_value = read(self, step);
        let is_zero = self.push(
            ExprKind::Compare {
                left: step_value,
                comparisons: vec![(CmpOp::Eq, zero)],
            },
            span,
        );
        out.push(Stmt {
            kind: StmtKind::If {
                test: is_zero,
                body: vec![Stmt {
                    kind: StmtKind::Raise {
                        kind: ExceptionKind::ValueError,
                        message: Some("range() arg 3 must not be zero".to_string()),
                    },
                    span,
                }],
                orelse: Vec::new(),
            },
            span,
        });
        // up: (stop - start + step - 1) // step; down: (start - stop - step - 1) // -step
        let count = |b: &mut Self, from: LocalId, to: LocalId, negate: bool| {
            let (to, from) = (read(b, to), read(b, from));
            let distance = b.binary(BinOp::Sub, to, from, span);
            let s = read(b, step);
            let s = if negate {
                b.push(
                    ExprKind::Unary {
                        op: UnaryOp::Neg,
                        operand: s,
                    },
                    span,
                )
            } else {
                s
            };
            let widened = b.binary(BinOp::Add, distance, s, span);
            let one = b.push(ExprKind::Const(Constant::Int(1)), span);
            let widened = b.binary(BinOp::Sub, widened, one, span);
            let divisor = read(b, step);
            let divisor = if negate {
                b.push(
                    ExprKind::Unary {
                        op: UnaryOp::Neg,
                        operand: divisor,
                    },
                    span,
                )
            } else {
                divisor
            };
            let n = b.binary(BinOp::FloorDiv, widened, divisor, span);
            let zero = b.push(ExprKind::Const(Constant::Int(0)), span);
            b.push(
                ExprKind::Call {
                    callee: Callee::Known(KnownFunction::Max),
                    args: vec![zero, n],
                    kwargs: Vec::new(),
                },
                span,
            )
        };
        let up = count(self, start, stop, false);
        let down = count(self, stop, start, true);
        let step_value = read(self, step);
        let zero = self.push(ExprKind::Const(Constant::Int(0)), span);
        let positive = self.push(
            ExprKind::Compare {
                left: step_value,
                comparisons: vec![(CmpOp::Gt, zero)],
            },
            span,
        );
        self.push(
            ExprKind::IfExp {
                test: positive,
                body: up,
                orelse: down,
            },
            span,
        )
    }

    /// A hidden local `$for<n>.<what><k>` assigned `value` before the loop.
    fn hidden(&mut self, lp: &mut Loop, what: &str, value: ExprId, out: &mut Vec<Stmt>) -> LocalId {
        let id = self.add_local(format!("{}.{what}{}", lp.prefix, lp.parts), lp.span);
        lp.parts += 1;
        out.push(Stmt {
            kind: StmtKind::Assign {
                target: Target::Local(id),
                value,
            },
            span: lp.span,
        });
        id
    }

    fn local_expr(&mut self, local: LocalId, span: Span) -> ExprId {
        self.push(ExprKind::Local(local), span)
    }

    fn binary(&mut self, op: BinOp, lhs: ExprId, rhs: ExprId, span: Span) -> ExprId {
        self.push(
            ExprKind::Binary {
                op,
                lhs,
                rhs,
                ufunc: false,
            },
            span,
        )
    }
}
