//! Default parameter values: constants read from the `def` line.
//!
//! A default is a number, a bool, `None` or a tuple of those, written as a
//! literal (`n=3`, `eps=-1e-9`, `shape=(2, 3)`, `out=None`) or as a
//! module-level constant (`n=N`, read like any global: once, at compile time).
//! Anything else, a NumPy array above all, is rejected here with a caret under it.

use rustpython_parser::ast::{self, Ranged};

use super::Builder;
use crate::codes;
use crate::hir::{Constant, GlobalValue};

impl Builder<'_> {
    /// The value of the default expression `e`; `None` after reporting it.
    pub(super) fn default_value(&mut self, e: &ast::Expr) -> Option<Constant> {
        let value = self.constant_default(e);
        if let Err(what) = &value {
            let span = self.span(e.range());
            self.unsupported(
                codes::PARAMETER,
                span,
                "default parameter values must be numbers, bools, `None` or tuples of those",
                what.clone(),
                "pass the value as an argument at each call instead",
            );
        }
        value.ok()
    }

    /// `Err(label)` says what the expression is instead.
    fn constant_default(&mut self, e: &ast::Expr) -> Result<Constant, String> {
        match e {
            ast::Expr::Constant(c) => match &c.value {
                ast::Constant::Bool(b) => Ok(Constant::Bool(*b)),
                ast::Constant::Int(i) => i64::try_from(i)
                    .map(Constant::Int)
                    .map_err(|_| "this integer does not fit in int64".to_string()),
                ast::Constant::Float(f) => Ok(Constant::Float(*f)),
                ast::Constant::Complex { real, imag } => Ok(Constant::Complex {
                    re: *real,
                    im: *imag,
                }),
                ast::Constant::None => Ok(Constant::None),
                _ => Err("this constant is not a number".to_string()),
            },
            ast::Expr::UnaryOp(u) if matches!(u.op, ast::UnaryOp::USub | ast::UnaryOp::UAdd) => {
                let negate = matches!(u.op, ast::UnaryOp::USub);
                match (self.constant_default(&u.operand)?, negate) {
                    (c, false) => Ok(c),
                    (Constant::Int(i), true) => i
                        .checked_neg()
                        .map(Constant::Int)
                        .ok_or_else(|| "this integer does not fit in int64".to_string()),
                    (Constant::Float(f), true) => Ok(Constant::Float(-f)),
                    (Constant::Complex { re, im }, true) => {
                        Ok(Constant::Complex { re: -re, im: -im })
                    }
                    (Constant::Bool(b), true) => Ok(Constant::Int(-(b as i64))),
                    _ => Err("only a number can be negated".to_string()),
                }
            }
            ast::Expr::Tuple(t) => t
                .elts
                .iter()
                .map(|item| self.constant_default(item))
                .collect::<Result<Vec<_>, _>>()
                .map(Constant::Tuple),
            ast::Expr::Name(n) => match self.global(&n.id) {
                Some(GlobalValue::Constant(Constant::Str(_))) => {
                    Err(format!("`{}` is a string", n.id))
                }
                Some(GlobalValue::Constant(c)) => Ok(c),
                _ => Err(format!("`{}` is not a module-level number", n.id)),
            },
            ast::Expr::Call(_) => Err(
                "a call: NumPy array defaults (and other objects) are not supported".to_string(),
            ),
            _ => Err("not a number, a bool, `None` or a tuple of those".to_string()),
        }
    }
}
