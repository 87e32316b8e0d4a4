//! `hir::visit`: the walks reach every node once, in Python's evaluation order.

use std::sync::Arc;

use frontend::hir::visit::{walk_block, walk_expr, walk_stmt, walk_target, Visitor};
use frontend::hir::{ExprId, Function, GlobalValue, Stmt, Target};
use frontend::{Resolver, SourceFile};

struct Builtins;

impl Resolver for Builtins {
    fn resolve(&mut self, name: &str) -> Option<GlobalValue> {
        frontend::known::builtins()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| GlobalValue::Function(f))
    }
}

fn parse(text: &str) -> Function {
    let source = Arc::new(SourceFile {
        path: "kernel.py".to_string(),
        text: text.to_string(),
        first_line: 1,
    });
    frontend::parse(source, &mut Builtins)
        .unwrap_or_else(|d| panic!("does not parse:\n{}", frontend::render_all(&d)))
}

/// Records each node it is called on, as its source text, then walks into it.
#[derive(Default)]
struct Trace {
    exprs: Vec<ExprId>,
    events: Vec<String>,
}

impl Visitor for Trace {
    fn visit_stmt(&mut self, f: &Function, stmt: &Stmt) {
        let text = &f.source.text[stmt.span.start as usize..stmt.span.end as usize];
        self.events
            .push(format!("stmt {}", text.lines().next().unwrap()));
        walk_stmt(self, f, stmt);
    }
    fn visit_expr(&mut self, f: &Function, e: ExprId) {
        let span = f.expr(e).span;
        self.exprs.push(e);
        self.events.push(format!(
            "expr {}",
            &f.source.text[span.start as usize..span.end as usize]
        ));
        walk_expr(self, f, e);
    }
    fn visit_target(&mut self, f: &Function, target: &Target) {
        let what = match target {
            Target::Local(l) => format!("target {}", f.local(*l).name),
            Target::Tuple(items) => format!("target tuple of {}", items.len()),
            Target::Subscript { .. } => "target subscript".to_string(),
        };
        self.events.push(what);
        walk_target(self, f, target);
    }
}

fn trace(text: &str) -> (Function, Trace) {
    let f = parse(text);
    let mut t = Trace::default();
    walk_block(&mut t, &f, &f.body);
    (f, t)
}

#[test]
fn every_expression_is_visited_once() {
    // Every kind of expression, statement and target the frontend builds from
    // plain Python (no desugaring that leaves expressions unused).
    let (f, t) = trace(
        "def f(a, n, k):\n\
         \x20   s = 0.0\n\
         \x20   i, j = n, -k\n\
         \x20   while i < n <= 10 and not a[i] > 0 or j:\n\
         \x20       i += 1\n\
         \x20   for m in range(1, n, 2):\n\
         \x20       a[m] = a[m - 1] if m > 1 else abs(s)\n\
         \x20       a[m] += a[1:n:2][0] * a.shape[0]\n\
         \x20       s = s + a.sum()\n\
         \x20   if s > 0:\n\
         \x20       return (s, a[...])\n\
         \x20   else:\n\
         \x20       raise ValueError(\"negative\")\n",
    );
    let mut seen = t.exprs.clone();
    seen.sort();
    let all: Vec<ExprId> = (0..f.exprs.len() as u32).map(ExprId).collect();
    assert_eq!(seen, all, "visited: {:?}", t.events);
}

#[test]
fn the_order_is_python_evaluation_order() {
    let (_, t) = trace(
        "def f(a, b, i):\n\
         \x20   a[i], b = b[i] + 1, a\n\
         \x20   a[i] += b.sum(1, axis=i)\n\
         \x20   for j in range(i, 2):\n\
         \x20       pass\n",
    );
    let expect = [
        "stmt a[i], b = b[i] + 1, a",
        // The value first, then the targets left to right.
        "expr b[i] + 1, a",
        "expr b[i] + 1",
        "expr b[i]",
        "expr b",
        "expr i",
        "expr 1",
        "expr a",
        "target tuple of 2",
        "target subscript",
        "expr a",
        "expr i",
        "target b",
        // An augmented assignment reads its target before the value.
        "stmt a[i] += b.sum(1, axis=i)",
        "target subscript",
        "expr a",
        "expr i",
        // The receiver of a method, the positional arguments, the keywords.
        "expr b.sum(1, axis=i)",
        "expr b",
        "expr 1",
        "expr i",
        // The range, then the loop variable, then the body.
        "stmt for j in range(i, 2):",
        "expr i",
        "expr 2",
        // The step 1 the frontend fills in, spanned as the call.
        "expr range(i, 2)",
        "target j",
        "stmt pass",
    ];
    assert_eq!(t.events, expect);
}
