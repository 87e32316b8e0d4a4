//! The HIR's text form: Python-like, every compound expression parenthesized so
//! the tree's shape is visible, locals by name, resolved globals with their values.
//!
//! ```text
//! def kernel(a, n):  # locals: l0 a, l1 n, l2 s, l3 i
//!     s = 0.0
//!     for i in range(0, n, 1):
//!         s += (a[i] * math.pi{3.141592653589793})
//!     return s
//! ```

use std::fmt::{self, Write};

use crate::hir::{
    BoolOp, Callee, Constant, ExprId, ExprKind, Function, KnownFunction, Stmt, StmtKind, Target,
    UnaryOp,
};

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let params: Vec<&str> = self
            .params
            .iter()
            .map(|&p| self.local(p).name.as_str())
            .collect();
        let locals: Vec<String> = self
            .locals
            .iter()
            .enumerate()
            .map(|(i, l)| format!("l{i} {}", l.name))
            .collect();
        writeln!(
            f,
            "def {}({}):  # locals: {}",
            self.name,
            params.join(", "),
            locals.join(", ")
        )?;
        let mut out = String::new();
        Printer {
            function: self,
            out: &mut out,
        }
        .block(&self.body, 1)?;
        f.write_str(&out)
    }
}

struct Printer<'a> {
    function: &'a Function,
    out: &'a mut String,
}

// Its own recursion, not `hir::visit`'s: each node's text is built from its children's.
impl Printer<'_> {
    fn block(&mut self, stmts: &[Stmt], depth: usize) -> fmt::Result {
        if stmts.is_empty() {
            return self.line(depth, "pass");
        }
        stmts.iter().try_for_each(|s| self.stmt(s, depth))
    }

    fn line(&mut self, depth: usize, text: &str) -> fmt::Result {
        writeln!(self.out, "{:width$}{text}", "", width = depth * 4)
    }

    fn stmt(&mut self, stmt: &Stmt, depth: usize) -> fmt::Result {
        let text = match &stmt.kind {
            StmtKind::Assign { target, value } => {
                format!("{} = {}", self.target(target), self.expr(*value))
            }
            StmtKind::AugAssign { target, op, value } => {
                format!(
                    "{} {}= {}",
                    self.target(target),
                    op.symbol(),
                    self.expr(*value)
                )
            }
            StmtKind::Expr(e) => self.expr(*e),
            StmtKind::If { test, body, orelse } => {
                self.line(depth, &format!("if {}:", self.expr(*test)))?;
                self.block(body, depth + 1)?;
                if !orelse.is_empty() {
                    self.line(depth, "else:")?;
                    self.block(orelse, depth + 1)?;
                }
                return Ok(());
            }
            StmtKind::While { test, body } => {
                self.line(depth, &format!("while {}:", self.expr(*test)))?;
                return self.block(body, depth + 1);
            }
            StmtKind::ForRange {
                var,
                start,
                stop,
                step,
                parallel,
                body,
            } => {
                let function = if *parallel { "prange" } else { "range" };
                let header = format!(
                    "for {} in {function}({}, {}, {}):",
                    self.function.local(*var).name,
                    self.expr(*start),
                    self.expr(*stop),
                    self.expr(*step)
                );
                self.line(depth, &header)?;
                return self.block(body, depth + 1);
            }
            StmtKind::Break => "break".to_string(),
            StmtKind::Continue => "continue".to_string(),
            StmtKind::Return(None) => "return".to_string(),
            StmtKind::Return(Some(e)) => format!("return {}", self.expr(*e)),
            StmtKind::Raise {
                kind,
                message: None,
            } => format!("raise {}", kind.name()),
            StmtKind::Raise {
                kind,
                message: Some(m),
            } => format!("raise {}({m:?})", kind.name()),
            StmtKind::Pass => "pass".to_string(),
        };
        self.line(depth, &text)
    }

    fn target(&self, target: &Target) -> String {
        match target {
            Target::Local(l) => self.function.local(*l).name.clone(),
            Target::Tuple(parts) => tuple(parts.iter().map(|t| self.target(t)).collect()),
            Target::Subscript { value, indices } => {
                format!("{}[{}]", self.expr(*value), self.exprs(indices))
            }
        }
    }

    fn exprs(&self, ids: &[ExprId]) -> String {
        ids.iter()
            .map(|&e| self.expr(e))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn expr(&self, id: ExprId) -> String {
        match &self.function.expr(id).kind {
            ExprKind::Const(c) => constant(c),
            ExprKind::Local(l) => self.function.local(*l).name.clone(),
            ExprKind::Global { name, value } => format!("{name}{{{}}}", constant(value)),
            ExprKind::GlobalArray { name, array } => {
                format!("{name}{{array({}, {:?})}}", array.dtype, array.shape)
            }
            ExprKind::Function(k) => known(*k),
            ExprKind::Unary { op, operand } => {
                let op = match op {
                    UnaryOp::Neg => "-",
                    UnaryOp::Pos => "+",
                    UnaryOp::Not => "not ",
                    UnaryOp::Invert => "~",
                };
                format!("({op}{})", self.expr(*operand))
            }
            ExprKind::Binary { op, lhs, rhs, .. } => {
                format!("({} {} {})", self.expr(*lhs), op.symbol(), self.expr(*rhs))
            }
            ExprKind::Compare { left, comparisons } => {
                let mut text = format!("({}", self.expr(*left));
                for (op, right) in comparisons {
                    text.push_str(&format!(" {} {}", op.symbol(), self.expr(*right)));
                }
                text + ")"
            }
            ExprKind::IsNone { value, negated } => {
                let op = if *negated { "is not" } else { "is" };
                format!("({} {op} None)", self.expr(*value))
            }
            ExprKind::BoolOp { op, values } => {
                let op = match op {
                    BoolOp::And => " and ",
                    BoolOp::Or => " or ",
                };
                format!(
                    "({})",
                    values
                        .iter()
                        .map(|&v| self.expr(v))
                        .collect::<Vec<_>>()
                        .join(op)
                )
            }
            ExprKind::IfExp { test, body, orelse } => {
                format!(
                    "({} if {} else {})",
                    self.expr(*body),
                    self.expr(*test),
                    self.expr(*orelse)
                )
            }
            ExprKind::Call {
                callee,
                args,
                kwargs,
            } => {
                let callee = match callee {
                    Callee::Known(k) => known(*k),
                    Callee::Jit(id) => id.to_string(),
                    Callee::Method { receiver, name } => format!("{}.{name}", self.expr(*receiver)),
                };
                let mut parts: Vec<String> = args.iter().map(|&a| self.expr(a)).collect();
                parts.extend(
                    kwargs
                        .iter()
                        .map(|k| format!("{}={}", k.name, self.expr(k.value))),
                );
                format!("{callee}({})", parts.join(", "))
            }
            ExprKind::Attribute { value, attr } => format!("{}.{attr}", self.expr(*value)),
            ExprKind::Subscript { value, indices } => {
                format!("{}[{}]", self.expr(*value), self.exprs(indices))
            }
            ExprKind::Tuple(items) => tuple(items.iter().map(|&e| self.expr(e)).collect()),
            ExprKind::Slice { lower, upper, step } => {
                let part = |e: &Option<ExprId>| e.map(|e| self.expr(e)).unwrap_or_default();
                match step {
                    Some(_) => format!("{}:{}:{}", part(lower), part(upper), part(step)),
                    None => format!("{}:{}", part(lower), part(upper)),
                }
            }
            ExprKind::Ellipsis => "...".into(),
            ExprKind::Out { value, out } => {
                format!("({} -> out={})", self.expr(*value), self.expr(*out))
            }
        }
    }
}

fn tuple(items: Vec<String>) -> String {
    match items.as_slice() {
        [one] => format!("({one},)"),
        _ => format!("({})", items.join(", ")),
    }
}

fn constant(c: &Constant) -> String {
    match c {
        Constant::None => "None".to_string(),
        Constant::Bool(b) => if *b { "True" } else { "False" }.to_string(),
        Constant::Int(i) => i.to_string(),
        Constant::Float(x) => format!("{x:?}"),
        Constant::Complex { re, im } => format!("({re:?}+{im:?}j)"),
        Constant::Str(s) => format!("{s:?}"),
        Constant::Tuple(items) => tuple(items.iter().map(constant).collect()),
    }
}

/// A known function by what it is, in angle brackets so it never reads as a user name.
fn known(k: KnownFunction) -> String {
    let name = match k {
        KnownFunction::Library(f) => f.path(),
        KnownFunction::Reduce(r) => r.qualified_name().replace("np.", "numpy."),
        KnownFunction::Scalar(d) => format!("numpy.{}", d.name()),
        KnownFunction::Alloc(a) => format!("numpy.{}", a.name()),
        KnownFunction::Create(c) => format!("numpy.{}", c.name()),
        KnownFunction::View(v) => format!("numpy.{}", v.name()),
        KnownFunction::Linalg(l) => format!("numpy.{}", l.name()),
        KnownFunction::Sorting(f) => format!("numpy.{}", f.name()),
        KnownFunction::Joining(f) => format!("numpy.{}", f.name()),
        KnownFunction::Nonzero(n) => format!("numpy.{}", n.name()),
        KnownFunction::Operator(o) => format!("numpy.{}", o.name()),
        KnownFunction::Exception(e) => e.name().to_string(),
        other => format!("{other:?}").to_lowercase(),
    };
    format!("<{name}>")
}
