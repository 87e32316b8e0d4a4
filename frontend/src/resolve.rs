//! Python's scoping rules for one function: which names are locals.

use rustpython_parser::ast::{self, Ranged};
use rustpython_parser::text_size::TextRange;

/// A name bound somewhere in the function body, with the range of its first binding.
pub(crate) struct Binding {
    pub(crate) name: String,
    pub(crate) range: TextRange,
}

/// Every name the body binds (assignment, augmented or annotated assignment, `for`
/// target), in order of first appearance. Python makes such a name local to the
/// whole function, even where it is read before the binding.
pub(crate) fn collect_bindings(body: &[ast::Stmt]) -> Vec<Binding> {
    let mut bindings = Vec::new();
    collect_block(body, &mut bindings);
    bindings
}

fn collect_block(body: &[ast::Stmt], out: &mut Vec<Binding>) {
    for stmt in body {
        match stmt {
            ast::Stmt::Assign(s) => s.targets.iter().for_each(|t| collect_target(t, out)),
            ast::Stmt::AugAssign(s) => collect_target(&s.target, out),
            ast::Stmt::AnnAssign(s) => collect_target(&s.target, out),
            ast::Stmt::For(s) => {
                collect_target(&s.target, out);
                collect_block(&s.body, out);
                collect_block(&s.orelse, out);
            }
            ast::Stmt::While(s) => {
                collect_block(&s.body, out);
                collect_block(&s.orelse, out);
            }
            ast::Stmt::If(s) => {
                collect_block(&s.body, out);
                collect_block(&s.orelse, out);
            }
            // Other statements either bind nothing or are rejected as unsupported,
            // so the names they would bind never matter.
            _ => {}
        }
    }
}

fn collect_target(target: &ast::Expr, out: &mut Vec<Binding>) {
    match target {
        ast::Expr::Name(n) if !out.iter().any(|b| b.name == n.id.as_str()) => {
            out.push(Binding {
                name: n.id.to_string(),
                range: n.range(),
            });
        }
        ast::Expr::Tuple(t) => t.elts.iter().for_each(|e| collect_target(e, out)),
        ast::Expr::List(l) => l.elts.iter().for_each(|e| collect_target(e, out)),
        ast::Expr::Starred(s) => collect_target(&s.value, out),
        // A name already collected; `a[i] = v` and `a.x = v` bind no name.
        _ => {}
    }
}
