//! Python's scoping rules for one function: which names are locals.

use std::collections::HashSet;

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
    let mut bindings = Bindings::default();
    collect_block(body, &mut bindings);
    bindings.found
}

/// The bindings found so far, and their names as a set: a function with
/// thousands of locals must not compare each new one with all the others.
#[derive(Default)]
struct Bindings<'a> {
    found: Vec<Binding>,
    names: HashSet<&'a str>,
}

fn collect_block<'a>(body: &'a [ast::Stmt], out: &mut Bindings<'a>) {
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

fn collect_target<'a>(target: &'a ast::Expr, out: &mut Bindings<'a>) {
    match target {
        ast::Expr::Name(n) if out.names.insert(n.id.as_str()) => {
            out.found.push(Binding {
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
