//! rustpython AST of one `def` -> HIR, resolving names on the way.
//!
//! Errors never stop the walk: an unsupported expression becomes a placeholder
//! constant and the diagnostic is recorded, so one compile reports every problem.

use std::collections::HashMap;
use std::sync::Arc;

use rustpython_parser::ast::{self, Ranged};
use rustpython_parser::text_size::TextRange;

use crate::codes;
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::hir::{
    BinOp, BoolOp, Callee, CmpOp, Constant, ExceptionKind, Expr, ExprId, ExprKind, Function,
    GlobalValue, Keyword, KnownFunction, KnownModule, LinalgFn, Local, LocalId, OperatorFn,
    Signature, Stmt, StmtKind, Target, UnaryOp,
};
use crate::known::{module_member, supported_members, ModuleMember};
use crate::resolve::collect_bindings;
use crate::span::{SourceFile, Span};
use crate::Resolver;

mod defaults;
mod iteration;

pub(crate) struct Builder<'a> {
    source: &'a Arc<SourceFile>,
    /// Length of the text parsed before `source.text` (the `if 1:` wrapper), subtracted from every range.
    prefix: u32,
    resolver: &'a mut dyn Resolver,
    /// Each global name is resolved once, so a name means the same thing everywhere in the function.
    globals: HashMap<String, Option<GlobalValue>>,
    locals: Vec<Local>,
    local_ids: HashMap<String, LocalId>,
    exprs: Vec<Expr>,
    diagnostics: Vec<Diagnostic>,
    /// Nesting of the statement or expression being translated (see `MAX_NESTING`).
    depth: usize,
}

/// How deeply statements and expressions may nest, counting each operand of an
/// `and`/`or` chain or a comparison chain as a level (later stages turn those
/// into nested branches), and each `elif` (an `else:` holding an `if`). Every
/// stage walks the nesting recursively, so this bounds the native stack they
/// need (pymod's `COMPILE_STACK`). It is above what CPython compiles: its
/// parser gives up on an `elif` chain of about 6000 arms, and with the default
/// recursion limit on about 3000 levels of anything; generated code (dispatch
/// tables, state machines) reaches thousands of `elif`s.
const MAX_NESTING: usize = 10_000;

/// The number of inputs of a ufunc (which takes an output array after them).
fn ufunc_arity(kf: KnownFunction) -> Option<usize> {
    match kf {
        KnownFunction::Operator(OperatorFn::Part(_)) => None,
        KnownFunction::Operator(op) => Some(op.arity()),
        KnownFunction::Library(f) if f.takes_out() => Some(f.function().arity),
        _ => None,
    }
}

impl<'a> Builder<'a> {
    pub(crate) fn new(
        source: &'a Arc<SourceFile>,
        prefix: u32,
        resolver: &'a mut dyn Resolver,
    ) -> Builder<'a> {
        Builder {
            source,
            prefix,
            resolver,
            globals: HashMap::new(),
            locals: Vec::new(),
            local_ids: HashMap::new(),
            exprs: Vec::new(),
            diagnostics: Vec::new(),
            depth: 0,
        }
    }

    pub(crate) fn function(self, def: &ast::StmtFunctionDef) -> Result<Function, Vec<Diagnostic>> {
        let name_span = self.def_name_span(def);
        let body = match def.body.split_first() {
            Some((ast::Stmt::Expr(first), rest)) if is_str_constant(&first.value) => rest,
            _ => &def.body[..],
        };
        self.definition(def.name.as_str(), &def.args, body, name_span)
    }

    /// A lambda is a function named `<lambda>` whose body is `return <body>`.
    pub(crate) fn lambda(self, lambda: &ast::ExprLambda) -> Result<Function, Vec<Diagnostic>> {
        let start = self.span(lambda.range).start;
        let keyword = Span::new(start, start + "lambda".len() as u32);
        let body = [ast::Stmt::Return(ast::StmtReturn {
            range: lambda.body.range(),
            value: Some(lambda.body.clone()),
        })];
        self.definition("<lambda>", &lambda.args, &body, keyword)
    }

    fn definition(
        mut self,
        name: &str,
        args: &ast::Arguments,
        body: &[ast::Stmt],
        name_span: Span,
    ) -> Result<Function, Vec<Diagnostic>> {
        let (params, signature) = self.parameters(args);
        for binding in collect_bindings(body) {
            if !self.local_ids.contains_key(&binding.name) {
                let span = self.span(binding.range);
                self.add_local(binding.name, span);
            }
        }
        let body = self.block(body);
        if !self.diagnostics.is_empty() {
            // The walk visits an assignment's value before its target; users read top to bottom.
            self.diagnostics.sort_by_key(|d| d.span.start);
            return Err(self.diagnostics);
        }
        Ok(Function {
            name: name.to_string(),
            params,
            signature,
            locals: self.locals,
            exprs: self.exprs,
            body,
            span: name_span,
            source: self.source.clone(),
        })
    }

    // ---- spans and diagnostics ----

    fn span(&self, range: TextRange) -> Span {
        let start = u32::from(range.start()).saturating_sub(self.prefix);
        let end = u32::from(range.end()).saturating_sub(self.prefix);
        Span::new(start, end)
    }

    fn text(&self, span: Span) -> &str {
        &self.source.text[span.start as usize..span.end as usize]
    }

    /// The first line of a statement, without trailing blanks: the part worth a caret
    /// for a compound statement whose range covers its whole body.
    fn header_span(&self, range: TextRange) -> Span {
        let span = self.span(range);
        let text = &self.source.text[span.start as usize..span.end as usize];
        let line = text.split('\n').next().unwrap_or(text);
        // A comment is cut off only when no string could contain the `#`.
        let line = match line.find('#') {
            Some(hash) if !line.contains(['"', '\'']) => &line[..hash],
            _ => line,
        };
        Span::new(span.start, span.start + line.trim_end().len() as u32)
    }

    /// The `else` keyword closest before the first statement of an `else:` block.
    fn else_span(&self, orelse: &[ast::Stmt], fallback: Span) -> Span {
        let Some(first) = orelse.first() else {
            return fallback;
        };
        let before = &self.source.text[..self.span(first.range()).start as usize];
        match before.rfind("else") {
            Some(at) if at as u32 >= fallback.start => Span::new(at as u32, at as u32 + 4),
            _ => fallback,
        }
    }

    fn report(
        &mut self,
        kind: DiagnosticKind,
        code: &'static str,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) {
        let diagnostic = Diagnostic::new(kind, code, message, self.source, span)
            .with_label(label)
            .with_note(help);
        self.diagnostics.push(diagnostic);
    }

    fn unsupported(
        &mut self,
        code: &'static str,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.report(
            DiagnosticKind::Unsupported,
            code,
            span,
            message,
            label,
            help,
        );
    }

    fn typing(
        &mut self,
        code: &'static str,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.report(DiagnosticKind::Typing, code, span, message, label, help);
    }

    // ---- names ----

    fn add_local(&mut self, name: String, span: Span) -> LocalId {
        let id = LocalId(self.locals.len() as u32);
        self.local_ids.insert(name.clone(), id);
        self.locals.push(Local { name, span });
        id
    }

    /// The local a binding target names. `collect_bindings` has seen every target the
    /// walk reaches, so the local exists; adding it otherwise keeps that a soft rule.
    fn bound_local(&mut self, name: &str, span: Span) -> LocalId {
        match self.local_ids.get(name) {
            Some(&id) => id,
            None => self.add_local(name.to_string(), span),
        }
    }

    fn global(&mut self, name: &str) -> Option<GlobalValue> {
        if let Some(value) = self.globals.get(name) {
            return value.clone();
        }
        let value = self.resolver.resolve(name);
        self.globals.insert(name.to_string(), value.clone());
        value
    }

    fn report_undefined(&mut self, name: &str, span: Span) {
        self.typing(
            codes::UNDEFINED_NAME,
            span,
            format!("name `{name}` is not defined"),
            "not a local variable, a module-level name or a builtin",
            format!("assign `{name}` before this line, pass it as an argument, or define it at module level"),
        );
    }

    /// `a.b.c` when `expr` is such a chain of attributes on a name that is not a
    /// local (a plain non-local name too): the resolver gives such a chain the
    /// meaning of the object it reaches, so `nb.prange` is found by identity.
    fn dotted(&self, expr: &ast::Expr) -> Option<String> {
        match expr {
            ast::Expr::Name(n) if !self.local_ids.contains_key(n.id.as_str()) => {
                Some(n.id.to_string())
            }
            ast::Expr::Attribute(a) => Some(format!("{}.{}", self.dotted(&a.value)?, a.attr)),
            _ => None,
        }
    }

    /// What a name or a chain of attributes on a module (`fj.prange`) is, by
    /// the resolver; `None` for a member of `math` or `numpy`, which the
    /// known-names table gives.
    fn chain_global(&mut self, expr: &ast::Expr) -> Option<GlobalValue> {
        if let ast::Expr::Attribute(a) = expr {
            if self.module_base(&a.value).is_some() {
                return None;
            }
        }
        let path = self.dotted(expr)?;
        self.global(&path)
    }

    /// `Some(module)` when `expr` is a name that resolves to `math` or `numpy`.
    fn module_base(&mut self, expr: &ast::Expr) -> Option<KnownModule> {
        if let ast::Expr::Attribute(a) = expr {
            // A submodule reached through its parent: `np.linalg`.
            let parent = self.module_base(&a.value)?;
            return match module_member(parent, &a.attr) {
                Some(ModuleMember::Module(m)) => Some(m),
                _ => None,
            };
        }
        let ast::Expr::Name(name) = expr else {
            return None;
        };
        if self.local_ids.contains_key(name.id.as_str()) {
            return None;
        }
        match self.global(&name.id) {
            Some(GlobalValue::Module(m)) => Some(m),
            _ => None,
        }
    }

    /// `module.attr` where `module` is `math` or `numpy`; reports an unknown attribute.
    fn module_attribute(
        &mut self,
        module: KnownModule,
        attr: &ast::ExprAttribute,
    ) -> Option<ModuleMember> {
        let member = module_member(module, &attr.attr);
        if member.is_none() {
            let dotted = format!("{}.{}", module.name(), attr.attr);
            self.typing(
                codes::MODULE_ATTRIBUTE,
                self.span(attr.range),
                format!("`{dotted}` is not supported by ferrojit"),
                "not supported inside @jit functions",
                supported_members(module),
            );
        }
        member
    }

    // ---- parameters ----

    fn parameters(&mut self, args: &ast::Arguments) -> (Vec<LocalId>, Signature) {
        let mut params = Vec::new();
        let mut defaults = Vec::new();
        let positional = args.posonlyargs.iter().chain(&args.args);
        for param in positional.chain(&args.kwonlyargs) {
            let span = self.span(param.def.range);
            defaults.push(param.default.as_ref().and_then(|d| self.default_value(d)));
            // The parser already rejects a duplicate parameter name.
            let name = param.def.arg.as_str();
            params.push(self.add_local(name.to_string(), span));
        }
        if let Some(vararg) = &args.vararg {
            let span = self.starred_span(vararg.range);
            self.unsupported(
                codes::PARAMETER,
                span,
                "`*args` parameters are not supported",
                "variable positional parameters cannot be compiled",
                "take a tuple or an array as one parameter instead",
            );
            self.add_rejected_parameter(&vararg.arg, span);
        }
        if let Some(kwarg) = &args.kwarg {
            let span = self.starred_span(kwarg.range);
            self.unsupported(
                codes::PARAMETER,
                span,
                "`**kwargs` parameters are not supported",
                "variable keyword parameters cannot be compiled",
                "list the parameters explicitly",
            );
            self.add_rejected_parameter(&kwarg.arg, span);
        }
        let signature = Signature {
            positional_only: args.posonlyargs.len(),
            keyword_only: args.kwonlyargs.len(),
            defaults,
        };
        (params, signature)
    }

    /// A parameter already reported as unsupported still names a local, so its uses
    /// in the body do not add "not defined" errors on top.
    fn add_rejected_parameter(&mut self, name: &str, span: Span) {
        if !self.local_ids.contains_key(name) {
            self.add_local(name.to_string(), span);
        }
    }

    /// Widens a `*args` / `**kw` name's span to include its stars.
    fn starred_span(&self, range: TextRange) -> Span {
        let span = self.span(range);
        let before = &self.source.text[..span.start as usize];
        let stars = before.len() - before.trim_end_matches('*').len();
        Span::new(span.start - stars as u32, span.end)
    }

    fn def_name_span(&self, def: &ast::StmtFunctionDef) -> Span {
        let span = self.span(def.range);
        let text = self.text(span);
        // The range starts at `def` (decorators come before it); the name follows.
        let after_def = text.strip_prefix("def").unwrap_or(text);
        let name_start = span.start as usize + (text.len() - after_def.trim_start().len());
        Span::new(name_start as u32, (name_start + def.name.len()) as u32)
    }

    // ---- statements ----

    fn block(&mut self, stmts: &[ast::Stmt]) -> Vec<Stmt> {
        let mut out = Vec::new();
        for stmt in stmts {
            self.stmt(stmt, &mut out);
        }
        out
    }

    fn stmt(&mut self, stmt: &ast::Stmt, out: &mut Vec<Stmt>) {
        if self.enter(1, stmt.range()) {
            self.stmt_within_limit(stmt, out);
            self.depth -= 1;
        }
    }

    /// Adds `levels` to the nesting depth; false (after reporting it, once) when
    /// that passes `MAX_NESTING`, leaving the depth as it was.
    fn enter(&mut self, levels: usize, range: TextRange) -> bool {
        if self.depth + levels <= MAX_NESTING {
            self.depth += levels;
            return true;
        }
        if !self.diagnostics.iter().any(|d| d.code == codes::NESTING) {
            let span = self.span(range);
            self.unsupported(
                codes::NESTING,
                span,
                format!("code nested more than {MAX_NESTING} levels deep"),
                "nested too deeply to compile",
                "split the expression into several assignments, or the branches into functions",
            );
        }
        false
    }

    fn stmt_within_limit(&mut self, stmt: &ast::Stmt, out: &mut Vec<Stmt>) {
        let span = self.span(stmt.range());
        let header = self.header_span(stmt.range());
        let kind = match stmt {
            ast::Stmt::Assign(s) => return self.assign(s, span, out),
            ast::Stmt::AugAssign(s) => {
                let value = self.expr(&s.value);
                let Some(target) = self.target(&s.target) else {
                    return;
                };
                let Some(op) = self.bin_op(s.op, span) else {
                    return;
                };
                StmtKind::AugAssign { target, op, value }
            }
            ast::Stmt::AnnAssign(s) => match &s.value {
                Some(value) => {
                    let value = self.expr(value);
                    let Some(target) = self.target(&s.target) else {
                        return;
                    };
                    StmtKind::Assign { target, value }
                }
                // `x: float` only declares `x` local; it evaluates nothing.
                None => StmtKind::Pass,
            },
            ast::Stmt::Expr(s) => match &*s.value {
                // A string or `...` on its own line is a comment or a placeholder body.
                ast::Expr::Constant(c)
                    if matches!(c.value, ast::Constant::Str(_) | ast::Constant::Ellipsis) =>
                {
                    StmtKind::Pass
                }
                value => StmtKind::Expr(self.expr(value)),
            },
            ast::Stmt::If(s) => {
                let test = self.expr(&s.test);
                StmtKind::If {
                    test,
                    body: self.block(&s.body),
                    orelse: self.block(&s.orelse),
                }
            }
            ast::Stmt::While(s) => {
                if !s.orelse.is_empty() {
                    let at = self.else_span(&s.orelse, span);
                    self.unsupported(
                        codes::LOOP,
                        at,
                        "`while ... else` is not supported",
                        "an `else` block on a loop",
                        "set a flag before `break` and test it after the loop",
                    );
                }
                let test = self.expr(&s.test);
                StmtKind::While {
                    test,
                    body: self.block(&s.body),
                }
            }
            ast::Stmt::For(s) => return self.for_loop(s, span, out),
            ast::Stmt::Break(_) => StmtKind::Break,
            ast::Stmt::Continue(_) => StmtKind::Continue,
            ast::Stmt::Pass(_) => StmtKind::Pass,
            ast::Stmt::Return(s) => StmtKind::Return(s.value.as_ref().map(|v| self.expr(v))),
            ast::Stmt::Raise(s) => match self.raise(s, span) {
                Some(kind) => kind,
                None => return,
            },
            ast::Stmt::Assert(s) => return self.assert(s, span, out),
            ast::Stmt::Try(_) | ast::Stmt::TryStar(_) => {
                let at = Span::new(span.start, span.start + 3);
                let at = if self.text(header).ends_with(':') {
                    header
                } else {
                    at
                };
                self.unsupported(
                    codes::TRY,
                    at,
                    "`try` statements are not supported",
                    "ferrojit cannot compile exception handlers",
                    "move the try/except into the Python code that calls this function",
                );
                return;
            }
            other => {
                let (code, message, label, help) = unsupported_statement(other);
                self.unsupported(code, header, message, label, help);
                return;
            }
        };
        out.push(Stmt { kind, span });
    }

    fn assign(&mut self, s: &ast::StmtAssign, span: Span, out: &mut Vec<Stmt>) {
        let value = self.expr(&s.value);
        let targets: Vec<Option<Target>> = s.targets.iter().map(|t| self.target(t)).collect();
        let [target] = targets.as_slice() else {
            return self.chained_assign(targets, value, span, out);
        };
        if let Some(target) = target {
            out.push(Stmt {
                kind: StmtKind::Assign {
                    target: target.clone(),
                    value,
                },
                span,
            });
        }
    }

    /// `a = b = v` assigns one value to each target, left to right, evaluating `v` once.
    /// A constant is simply repeated; anything else goes through a hidden local
    /// (`$chain<n>`, a name no Python code can spell), as CPython's DUP_TOP does.
    fn chained_assign(
        &mut self,
        targets: Vec<Option<Target>>,
        value: ExprId,
        span: Span,
        out: &mut Vec<Stmt>,
    ) {
        let value_expr = self.exprs[value.0 as usize].clone();
        let read_value: Box<dyn Fn(&mut Self) -> ExprId> =
            if matches!(value_expr.kind, ExprKind::Const(_)) {
                Box::new(move |b: &mut Self| b.push(value_expr.kind.clone(), value_expr.span))
            } else {
                let chained = self
                    .locals
                    .iter()
                    .filter(|l| l.name.starts_with("$chain"))
                    .count();
                let temp = self.add_local(format!("$chain{chained}"), value_expr.span);
                out.push(Stmt {
                    kind: StmtKind::Assign {
                        target: Target::Local(temp),
                        value,
                    },
                    span,
                });
                Box::new(move |b: &mut Self| b.push(ExprKind::Local(temp), value_expr.span))
            };
        for target in targets.into_iter().flatten() {
            let value = read_value(self);
            out.push(Stmt {
                kind: StmtKind::Assign { target, value },
                span,
            });
        }
    }

    fn target(&mut self, target: &ast::Expr) -> Option<Target> {
        let span = self.span(target.range());
        match target {
            ast::Expr::Name(n) => Some(Target::Local(self.bound_local(&n.id, span))),
            ast::Expr::Tuple(ast::ExprTuple { elts, .. })
            | ast::Expr::List(ast::ExprList { elts, .. }) => {
                let parts: Vec<Option<Target>> = elts.iter().map(|e| self.target(e)).collect();
                parts
                    .into_iter()
                    .collect::<Option<Vec<_>>>()
                    .map(Target::Tuple)
            }
            ast::Expr::Subscript(s) => {
                let value = self.expr(&s.value);
                let indices = self.indices(&s.slice);
                Some(Target::Subscript { value, indices })
            }
            ast::Expr::Attribute(a) => {
                self.unsupported(
                    codes::ASSIGN_TARGET,
                    span,
                    format!("cannot assign to attribute `{}`", a.attr),
                    "attributes are read-only in compiled code",
                    "store the value in a local variable or an array element",
                );
                None
            }
            ast::Expr::Starred(_) => {
                self.unsupported(
                    codes::ASSIGN_TARGET,
                    span,
                    "starred assignment targets are not supported",
                    "`*` unpacking cannot be compiled",
                    "unpack a fixed number of values: `a, b, c = t`",
                );
                None
            }
            _ => {
                self.unsupported(
                    codes::ASSIGN_TARGET,
                    span,
                    "cannot assign to this expression",
                    "not a name, tuple of names or array element",
                    "assign to a local variable or an array element",
                );
                None
            }
        }
    }

    /// `for var in range(...)` / `prange(...)`, with `call` that range call.
    fn for_range(
        &mut self,
        s: &ast::StmtFor,
        (parallel, call): (bool, &ast::ExprCall),
        // False when the loop was already reported (`for ... else`).
        ok: bool,
    ) -> Option<StmtKind> {
        let var = match &*s.target {
            ast::Expr::Name(n) => Some(self.bound_local(&n.id, self.span(n.range))),
            other => {
                self.unsupported(
                    codes::LOOP,
                    self.span(other.range()),
                    "the loop variable must be a plain name",
                    "unpacking in a `for` target is not supported",
                    "loop over an index and unpack inside the body",
                );
                None
            }
        };
        let bounds = self.range_bounds(call, parallel);
        let body = self.block(&s.body);
        let (start, stop, step, parallel) = bounds?;
        if !ok {
            return None;
        }
        Some(StmtKind::ForRange {
            var: var?,
            start,
            stop,
            step,
            parallel,
            body,
        })
    }

    /// `Some((parallel, call))` when `iter` is a call of the builtin `range` or of `prange`.
    fn range_call<'e>(&mut self, iter: &'e ast::Expr) -> Option<(bool, &'e ast::ExprCall)> {
        let ast::Expr::Call(call) = iter else {
            return None;
        };
        match self.chain_global(&call.func) {
            Some(GlobalValue::Function(KnownFunction::Range)) => Some((false, call)),
            Some(GlobalValue::Function(KnownFunction::Prange)) => Some((true, call)),
            _ => None,
        }
    }

    fn range_bounds(
        &mut self,
        call: &ast::ExprCall,
        parallel: bool,
    ) -> Option<(ExprId, ExprId, ExprId, bool)> {
        let span = self.span(call.range);
        let function = if parallel { "prange" } else { "range" };
        let starred = call.args.iter().any(|a| matches!(a, ast::Expr::Starred(_)));
        if !(1..=3).contains(&call.args.len()) || !call.keywords.is_empty() || starred {
            self.unsupported(
                codes::LOOP,
                span,
                format!("`{function}` takes 1 to 3 positional arguments"),
                format!("called with {} positional and {} keyword arguments", call.args.len(), call.keywords.len()),
                format!("write `{function}(stop)`, `{function}(start, stop)` or `{function}(start, stop, step)`"),
            );
            return None;
        }
        let args: Vec<ExprId> = call.args.iter().map(|a| self.expr(a)).collect();
        let (start, stop, step) = match args[..] {
            [stop] => (
                self.push(ExprKind::Const(Constant::Int(0)), span),
                stop,
                None,
            ),
            [start, stop] => (start, stop, None),
            [start, stop, step] => (start, stop, Some(step)),
            _ => unreachable!("argument count checked above"),
        };
        let step = step.unwrap_or_else(|| self.push(ExprKind::Const(Constant::Int(1)), span));
        Some((start, stop, step, parallel))
    }

    fn raise(&mut self, s: &ast::StmtRaise, span: Span) -> Option<StmtKind> {
        if let Some(cause) = &s.cause {
            self.unsupported(
                codes::RAISE,
                self.span(cause.range()),
                "`raise ... from ...` is not supported",
                "exception chaining cannot be compiled",
                "raise the exception without `from`",
            );
            return None;
        }
        let Some(exc) = &s.exc else {
            self.unsupported(
                codes::RAISE,
                span,
                "a bare `raise` is not supported",
                "there is no exception being handled to re-raise",
                "raise a specific exception, e.g. `raise ValueError(\"...\")`",
            );
            return None;
        };
        let (class, call) = match &**exc {
            ast::Expr::Call(call) => (&*call.func, Some(call)),
            other => (other, None),
        };
        let kind = self.exception_class(class)?;
        let message = match call {
            None => None,
            Some(call) => self.exception_message(call)?,
        };
        Some(StmtKind::Raise { kind, message })
    }

    fn exception_class(&mut self, class: &ast::Expr) -> Option<ExceptionKind> {
        let span = self.span(class.range());
        if let ast::Expr::Name(name) = class {
            if !self.local_ids.contains_key(name.id.as_str()) {
                match self.global(&name.id) {
                    Some(GlobalValue::Function(KnownFunction::Exception(kind))) => {
                        return Some(kind)
                    }
                    None => {
                        self.report_undefined(&name.id, span);
                        return None;
                    }
                    Some(_) => {}
                }
            }
        }
        self.unsupported(
            codes::RAISE,
            span,
            "only builtin exception types can be raised",
            "not a builtin exception type",
            "raise one of Exception, ValueError, TypeError, IndexError, KeyError, ZeroDivisionError, ArithmeticError, OverflowError, RuntimeError, AssertionError, NotImplementedError or MemoryError",
        );
        None
    }

    /// The message of `X(...)`: nothing, or one constant string. `None` after reporting an error.
    fn exception_message(&mut self, call: &ast::ExprCall) -> Option<Option<String>> {
        if let Some(keyword) = call.keywords.first() {
            self.unsupported(
                codes::RAISE,
                self.span(keyword.range),
                "keyword arguments to exceptions are not supported",
                "exceptions take one constant message",
                "write `raise ValueError(\"message\")`",
            );
            return None;
        }
        match call.args.as_slice() {
            [] => Some(None),
            [ast::Expr::Constant(ast::ExprConstant {
                value: ast::Constant::Str(message),
                ..
            })] => Some(Some(message.clone())),
            [only] => {
                self.unsupported(
                    codes::RAISE,
                    self.span(only.range()),
                    "exception messages must be constant strings",
                    "not a string literal",
                    "use a string literal; formatting values into messages is not supported yet",
                );
                None
            }
            [_, second, ..] => {
                let span = self
                    .span(second.range())
                    .cover(self.span(call.args.last().map_or(second.range(), |a| a.range())));
                self.unsupported(
                    codes::RAISE,
                    span,
                    "exceptions take at most one argument",
                    "extra arguments",
                    "pass a single constant string message",
                );
                None
            }
        }
    }

    /// `assert test, "msg"` becomes `if not test: raise AssertionError("msg")`.
    fn assert(&mut self, s: &ast::StmtAssert, span: Span, out: &mut Vec<Stmt>) {
        let test = self.expr(&s.test);
        let message = match s.msg.as_deref() {
            None => Some(None),
            Some(ast::Expr::Constant(ast::ExprConstant {
                value: ast::Constant::Str(message),
                ..
            })) => Some(Some(message.clone())),
            Some(other) => {
                self.unsupported(
                    codes::RAISE,
                    self.span(other.range()),
                    "assertion messages must be constant strings",
                    "not a string literal",
                    "use a string literal; formatting values into messages is not supported yet",
                );
                None
            }
        };
        let Some(message) = message else { return };
        let test_span = self.exprs[test.0 as usize].span;
        let not_test = self.push(
            ExprKind::Unary {
                op: UnaryOp::Not,
                operand: test,
            },
            test_span,
        );
        let raise = Stmt {
            kind: StmtKind::Raise {
                kind: ExceptionKind::AssertionError,
                message,
            },
            span,
        };
        out.push(Stmt {
            kind: StmtKind::If {
                test: not_test,
                body: vec![raise],
                orelse: Vec::new(),
            },
            span,
        });
    }

    // ---- expressions ----

    fn push(&mut self, kind: ExprKind, span: Span) -> ExprId {
        let id = ExprId(self.exprs.len() as u32);
        self.exprs.push(Expr { kind, span });
        id
    }

    /// Stands in for an expression that could not be translated; its diagnostic is
    /// already recorded, so the function is never returned and this is never seen.
    /// `None` itself (the constant, or a global bound to it, `np.newaxis` too).
    fn is_none(&self, e: ExprId) -> bool {
        matches!(
            self.exprs[e.0 as usize].kind,
            ExprKind::Const(Constant::None)
                | ExprKind::Global {
                    value: Constant::None,
                    ..
                }
        )
    }

    fn placeholder(&mut self, span: Span) -> ExprId {
        self.push(ExprKind::Const(Constant::None), span)
    }

    fn expr(&mut self, expr: &ast::Expr) -> ExprId {
        let levels = match expr {
            ast::Expr::BoolOp(b) => b.values.len(),
            ast::Expr::Compare(c) => c.comparators.len() + 1,
            _ => 1,
        };
        if !self.enter(levels, expr.range()) {
            return self.placeholder(self.span(expr.range()));
        }
        let id = self.expr_within_limit(expr);
        self.depth -= levels;
        id
    }

    fn expr_within_limit(&mut self, expr: &ast::Expr) -> ExprId {
        let span = self.span(expr.range());
        let kind = match expr {
            ast::Expr::Constant(c) => match self.constant(&c.value, span) {
                Some(c) => ExprKind::Const(c),
                None => return self.placeholder(span),
            },
            ast::Expr::Name(n) => return self.name_value(&n.id, span),
            ast::Expr::BoolOp(b) => {
                let op = match b.op {
                    ast::BoolOp::And => BoolOp::And,
                    ast::BoolOp::Or => BoolOp::Or,
                };
                ExprKind::BoolOp {
                    op,
                    values: b.values.iter().map(|v| self.expr(v)).collect(),
                }
            }
            ast::Expr::BinOp(b) => {
                let lhs = self.expr(&b.left);
                let rhs = self.expr(&b.right);
                if b.op == ast::Operator::MatMult {
                    // `a @ b` calls `np.matmul` for NumPy arrays, the only
                    // operands ferrojit has that define `__matmul__`.
                    return self.push(
                        ExprKind::Call {
                            callee: Callee::Known(KnownFunction::Linalg(LinalgFn::Matmul)),
                            args: vec![lhs, rhs],
                            kwargs: Vec::new(),
                        },
                        span,
                    );
                }
                match self.bin_op(b.op, span) {
                    Some(op) => ExprKind::Binary {
                        op,
                        lhs,
                        rhs,
                        ufunc: false,
                    },
                    None => return self.placeholder(span),
                }
            }
            ast::Expr::UnaryOp(u) => return self.unary(u, span),
            ast::Expr::IfExp(e) => {
                let test = self.expr(&e.test);
                let body = self.expr(&e.body);
                let orelse = self.expr(&e.orelse);
                ExprKind::IfExp { test, body, orelse }
            }
            ast::Expr::Compare(c)
                if c.ops.len() == 1 && matches!(c.ops[0], ast::CmpOp::Is | ast::CmpOp::IsNot) =>
            {
                let left = self.expr(&c.left);
                let right = self.expr(&c.comparators[0]);
                let negated = matches!(c.ops[0], ast::CmpOp::IsNot);
                let value = match (self.is_none(left), self.is_none(right)) {
                    (_, true) => left,
                    (true, false) => right,
                    (false, false) => {
                        self.cmp_op(c.ops[0], span);
                        return self.placeholder(span);
                    }
                };
                ExprKind::IsNone { value, negated }
            }
            ast::Expr::Compare(c) => {
                let left = self.expr(&c.left);
                let mut comparisons = Vec::new();
                for (op, right) in c.ops.iter().zip(&c.comparators) {
                    let right = self.expr(right);
                    if let Some(op) = self.cmp_op(*op, span) {
                        comparisons.push((op, right));
                    }
                }
                if comparisons.len() != c.ops.len() {
                    return self.placeholder(span);
                }
                ExprKind::Compare { left, comparisons }
            }
            ast::Expr::Call(c) => return self.call(c, span),
            ast::Expr::Attribute(a) => return self.attribute(a, span),
            ast::Expr::Subscript(s) => {
                let value = self.expr(&s.value);
                let indices = self.indices(&s.slice);
                ExprKind::Subscript { value, indices }
            }
            ast::Expr::Tuple(t) => ExprKind::Tuple(t.elts.iter().map(|e| self.expr(e)).collect()),
            ast::Expr::Slice(_) => {
                self.unsupported(
                    codes::SLICE,
                    span,
                    "a slice is only allowed as an index",
                    "a slice",
                    "write it inside the brackets: a[i:j]",
                );
                return self.placeholder(span);
            }
            ast::Expr::Yield(_) | ast::Expr::YieldFrom(_) => {
                self.unsupported(
                    codes::GENERATOR,
                    span,
                    "generators are not supported",
                    "`yield` makes this function a generator",
                    "fill and return an array, or return a tuple of results",
                );
                return self.placeholder(span);
            }
            ast::Expr::Lambda(_) => {
                self.unsupported(
                    codes::NESTED_DEFINITION,
                    span,
                    "lambda expressions are not supported",
                    "a function defined inside a compiled function",
                    "define a module-level function decorated with @ferrojit.jit and call it",
                );
                return self.placeholder(span);
            }
            other => {
                let (message, help) = unsupported_expression(other);
                self.unsupported(
                    codes::EXPRESSION,
                    span,
                    message,
                    "not supported in compiled code",
                    help,
                );
                return self.placeholder(span);
            }
        };
        self.push(kind, span)
    }

    fn constant(&mut self, value: &ast::Constant, span: Span) -> Option<Constant> {
        Some(match value {
            ast::Constant::None => Constant::None,
            ast::Constant::Bool(b) => Constant::Bool(*b),
            ast::Constant::Str(s) => Constant::Str(s.clone()),
            ast::Constant::Int(i) => match i64::try_from(i) {
                Ok(v) => Constant::Int(v),
                Err(_) => {
                    self.unsupported(
                        codes::INTEGER_RANGE,
                        span,
                        "integer constant does not fit in 64 bits",
                        "outside -2**63 ..= 2**63-1",
                        "use a float constant, or a smaller integer",
                    );
                    return None;
                }
            },
            ast::Constant::Float(f) => Constant::Float(*f),
            ast::Constant::Complex { real, imag } => Constant::Complex {
                re: *real,
                im: *imag,
            },
            ast::Constant::Tuple(items) => {
                let items: Vec<Option<Constant>> =
                    items.iter().map(|c| self.constant(c, span)).collect();
                Constant::Tuple(items.into_iter().collect::<Option<Vec<_>>>()?)
            }
            ast::Constant::Bytes(_) => {
                self.unsupported(
                    codes::EXPRESSION,
                    span,
                    "bytes constants are not supported",
                    "a bytes literal",
                    "use a number or a str constant",
                );
                return None;
            }
            ast::Constant::Ellipsis => {
                self.unsupported(
                    codes::SLICE,
                    span,
                    "`...` is not supported as a value",
                    "an Ellipsis",
                    "`...` is only allowed as an index: a[..., 0]",
                );
                return None;
            }
        })
    }

    fn unary(&mut self, u: &ast::ExprUnaryOp, span: Span) -> ExprId {
        // A negated number literal is one constant, as CPython's AST optimizer makes it:
        // later stages see `range(n, -1, -1)` with a constant step, and
        // `-9223372036854775808` is i64::MIN although its digits alone do not fit.
        if let (ast::UnaryOp::USub, ast::Expr::Constant(c)) = (u.op, &*u.operand) {
            let negated = match &c.value {
                ast::Constant::Int(i) => i64::try_from(-i).ok().map(Constant::Int),
                ast::Constant::Float(x) => Some(Constant::Float(-x)),
                ast::Constant::Complex { real, imag } => Some(Constant::Complex {
                    re: -real,
                    im: -imag,
                }),
                _ => None,
            };
            if let Some(value) = negated {
                return self.push(ExprKind::Const(value), span);
            }
        }
        let operand = self.expr(&u.operand);
        let op = match u.op {
            ast::UnaryOp::USub => UnaryOp::Neg,
            ast::UnaryOp::UAdd => UnaryOp::Pos,
            ast::UnaryOp::Not => UnaryOp::Not,
            ast::UnaryOp::Invert => UnaryOp::Invert,
        };
        self.push(ExprKind::Unary { op, operand }, span)
    }

    fn bin_op(&mut self, op: ast::Operator, span: Span) -> Option<BinOp> {
        Some(match op {
            ast::Operator::Add => BinOp::Add,
            ast::Operator::Sub => BinOp::Sub,
            ast::Operator::Mult => BinOp::Mul,
            ast::Operator::Div => BinOp::Div,
            ast::Operator::FloorDiv => BinOp::FloorDiv,
            ast::Operator::Mod => BinOp::Mod,
            ast::Operator::Pow => BinOp::Pow,
            ast::Operator::BitAnd => BinOp::BitAnd,
            ast::Operator::BitOr => BinOp::BitOr,
            ast::Operator::BitXor => BinOp::BitXor,
            ast::Operator::LShift => BinOp::LShift,
            ast::Operator::RShift => BinOp::RShift,
            ast::Operator::MatMult => {
                self.unsupported(
                    codes::OPERATOR,
                    span,
                    "the `@=` operator is not supported yet",
                    "in-place matrix multiplication",
                    "write `a = a @ b`",
                );
                return None;
            }
        })
    }

    fn cmp_op(&mut self, op: ast::CmpOp, span: Span) -> Option<CmpOp> {
        Some(match op {
            ast::CmpOp::Eq => CmpOp::Eq,
            ast::CmpOp::NotEq => CmpOp::NotEq,
            ast::CmpOp::Lt => CmpOp::Lt,
            ast::CmpOp::LtE => CmpOp::LtE,
            ast::CmpOp::Gt => CmpOp::Gt,
            ast::CmpOp::GtE => CmpOp::GtE,
            ast::CmpOp::Is | ast::CmpOp::IsNot => {
                self.unsupported(
                    codes::OPERATOR,
                    span,
                    "`is` compares only with `None`: `x is None`, `x is not None`",
                    "identity comparison",
                    "compare values with `==` or `!=`",
                );
                return None;
            }
            ast::CmpOp::In | ast::CmpOp::NotIn => {
                self.unsupported(
                    codes::OPERATOR,
                    span,
                    "`in` comparisons are not supported",
                    "membership test",
                    "compare with each candidate, or search in a loop",
                );
                return None;
            }
        })
    }

    fn indices(&mut self, slice: &ast::Expr) -> Vec<ExprId> {
        match slice {
            ast::Expr::Tuple(t) => t.elts.iter().map(|e| self.index(e)).collect(),
            index => vec![self.index(index)],
        }
    }

    /// One index of a subscript: the only place where a slice or `...` is a value.
    fn index(&mut self, index: &ast::Expr) -> ExprId {
        let span = self.span(index.range());
        match index {
            ast::Expr::Slice(s) => {
                let mut part = |e: &Option<Box<ast::Expr>>| e.as_deref().map(|e| self.expr(e));
                let (lower, upper, step) = (part(&s.lower), part(&s.upper), part(&s.step));
                self.push(ExprKind::Slice { lower, upper, step }, span)
            }
            ast::Expr::Constant(c) if matches!(c.value, ast::Constant::Ellipsis) => {
                self.push(ExprKind::Ellipsis, span)
            }
            other => self.expr(other),
        }
    }

    fn name_value(&mut self, name: &str, span: Span) -> ExprId {
        if let Some(&local) = self.local_ids.get(name) {
            return self.push(ExprKind::Local(local), span);
        }
        let kind = match self.global(name) {
            Some(GlobalValue::Constant(value)) => ExprKind::Global {
                name: name.to_string(),
                value,
            },
            Some(GlobalValue::Array(array)) => ExprKind::GlobalArray {
                name: name.to_string(),
                array,
            },
            Some(GlobalValue::Function(KnownFunction::Exception(kind))) => {
                self.report_exception_value(kind, span);
                return self.placeholder(span);
            }
            Some(GlobalValue::Function(f)) => ExprKind::Function(f),
            Some(GlobalValue::Module(module)) => {
                self.module_as_value(name, module, span);
                return self.placeholder(span);
            }
            Some(GlobalValue::Jit(_)) => {
                self.typing(
                    codes::NOT_A_VALUE,
                    span,
                    "functions can only be called",
                    format!("`{name}` is a @jit function"),
                    format!(
                        "call it, `{name}(...)`; passing functions as values is not supported yet"
                    ),
                );
                return self.placeholder(span);
            }
            Some(GlobalValue::PythonFunction { name: function }) => {
                self.typing(codes::UNSUPPORTED_GLOBAL, span, format!("`{name}` cannot be used in compiled code"), undecorated(&function), "pass the value as an argument, or make it a module-level number or tuple constant");
                return self.placeholder(span);
            }
            Some(GlobalValue::Unsupported(description)) => {
                self.typing(codes::UNSUPPORTED_GLOBAL, span, format!("`{name}` cannot be used in compiled code"), description, "pass the value as an argument, or make it a module-level number or tuple constant");
                return self.placeholder(span);
            }
            None => {
                self.report_undefined(name, span);
                return self.placeholder(span);
            }
        };
        self.push(kind, span)
    }

    fn report_exception_value(&mut self, kind: ExceptionKind, span: Span) {
        self.typing(
            codes::EXCEPTION_VALUE,
            span,
            "exception types can only be used in `raise`",
            format!("`{}` is an exception type", kind.name()),
            format!("write `raise {}(\"message\")`", kind.name()),
        );
    }

    fn attribute(&mut self, a: &ast::ExprAttribute, span: Span) -> ExprId {
        let Some(module) = self.module_base(&a.value) else {
            let value = self.expr(&a.value);
            return self.push(
                ExprKind::Attribute {
                    value,
                    attr: a.attr.to_string(),
                },
                span,
            );
        };
        let kind = match self.module_attribute(module, a) {
            Some(ModuleMember::Function(f)) => ExprKind::Function(f),
            Some(ModuleMember::Constant(value)) => ExprKind::Global {
                name: format!("{}.{}", self.text(self.span(a.value.range())), a.attr),
                value,
            },
            Some(ModuleMember::Module(m)) => {
                self.module_as_value(&self.text(span).to_string(), m, span);
                return self.placeholder(span);
            }
            None => return self.placeholder(span),
        };
        self.push(kind, span)
    }

    fn module_as_value(&mut self, name: &str, module: KnownModule, span: Span) {
        self.typing(
            codes::NOT_A_VALUE,
            span,
            format!("module `{name}` cannot be used as a value"),
            format!("`{name}` is the {} module", module.name()),
            format!(
                "use one of its functions or constants, e.g. `{name}.{}`",
                match module {
                    KnownModule::Math => "sqrt",
                    KnownModule::Numpy => "zeros",
                    KnownModule::Linalg => "norm",
                }
            ),
        );
    }

    fn call(&mut self, call: &ast::ExprCall, span: Span) -> ExprId {
        let callee = self.callee(&call.func);
        let sequence =
            matches!(callee, Some(Callee::Known(KnownFunction::Create(c))) if c.takes_sequence());
        let args: Vec<ExprId> = call
            .args
            .iter()
            .enumerate()
            .map(|(k, a)| {
                if sequence && k == 0 {
                    self.sequence(a)
                } else {
                    self.expr(a)
                }
            })
            .collect();
        let mut kwargs = Vec::new();
        for keyword in &call.keywords {
            let keyword_span = self.span(keyword.range);
            let value = self.expr(&keyword.value);
            match &keyword.arg {
                Some(name) => kwargs.push(Keyword {
                    name: name.to_string(),
                    value,
                    span: keyword_span,
                }),
                None => self.unsupported(
                    codes::CALL_FORM,
                    keyword_span,
                    "`**` arguments are not supported",
                    "keyword unpacking",
                    "pass each keyword argument by name",
                ),
            }
        }
        match callee {
            Some(Callee::Known(KnownFunction::Operator(OperatorFn::Part(attr))))
                if args.len() == 1 && kwargs.is_empty() =>
            {
                let kind = ExprKind::Attribute {
                    value: args[0],
                    attr: attr.to_string(),
                };
                self.push(kind, span)
            }
            // `z.conjugate()`, `z.conj()`: `np.conjugate(z)`, of a number or an array.
            Some(Callee::Method { receiver, name })
                if matches!(name.as_str(), "conjugate" | "conj")
                    && args.is_empty()
                    && kwargs.is_empty() =>
            {
                let conjugate = library::functions(library::Namespace::Numpy)
                    .find_map(|(n, f)| (n == "conjugate").then_some(f));
                match conjugate {
                    Some(f) => self.push(
                        ExprKind::Call {
                            callee: Callee::Known(KnownFunction::Library(f)),
                            args: vec![receiver],
                            kwargs,
                        },
                        span,
                    ),
                    None => self.placeholder(span),
                }
            }
            Some(Callee::Known(kf)) if ufunc_arity(kf).is_some() => {
                self.ufunc_call(kf, args, kwargs, span)
            }
            Some(callee) => self.push(
                ExprKind::Call {
                    callee,
                    args,
                    kwargs,
                },
                span,
            ),
            None => self.placeholder(span),
        }
    }

    /// A ufunc's call: its output array (`out=`, or the argument after its
    /// inputs; `out=None` is none) becomes an `Out` node around the call, and
    /// an operator's ufunc becomes the operator's node (`np.add(a, b)` is
    /// `a + b`), so both are typed and fused exactly as the operator is. A
    /// call of another shape stays a call, for typeinfer to report.
    fn ufunc_call(
        &mut self,
        kf: KnownFunction,
        mut args: Vec<ExprId>,
        mut kwargs: Vec<Keyword>,
        span: Span,
    ) -> ExprId {
        let arity = ufunc_arity(kf).unwrap_or(0);
        let mut out = None;
        if args.len() == arity + 1 {
            out = args.pop();
        } else if let Some(k) = kwargs.iter().position(|k| k.name == "out") {
            out = Some(kwargs.remove(k).value);
        }
        let out = out.filter(|o| {
            !matches!(
                self.exprs[o.0 as usize].kind,
                ExprKind::Const(Constant::None)
            )
        });
        let kind = match (kf, args.as_slice()) {
            (KnownFunction::Operator(op), [operand]) if kwargs.is_empty() => match op {
                OperatorFn::Invert => ExprKind::Unary {
                    op: UnaryOp::Invert,
                    operand: *operand,
                },
                _ => ExprKind::Call {
                    callee: Callee::Known(kf),
                    args,
                    kwargs,
                },
            },
            (KnownFunction::Operator(op), [lhs, rhs]) if kwargs.is_empty() => match op {
                OperatorFn::Binary(op) => ExprKind::Binary {
                    op,
                    lhs: *lhs,
                    rhs: *rhs,
                    ufunc: true,
                },
                OperatorFn::Compare(op) => ExprKind::Compare {
                    left: *lhs,
                    comparisons: vec![(op, *rhs)],
                },
                OperatorFn::Invert | OperatorFn::Part(_) => ExprKind::Call {
                    callee: Callee::Known(kf),
                    args,
                    kwargs,
                },
            },
            _ => ExprKind::Call {
                callee: Callee::Known(kf),
                args,
                kwargs,
            },
        };
        let value = self.push(kind, span);
        match out {
            Some(out) => self.push(ExprKind::Out { value, out }, span),
            None => value,
        }
    }

    /// The data argument of `np.array`/`np.asarray`: a list literal (nested
    /// for more dimensions) becomes a tuple, which NumPy reads the same way.
    fn sequence(&mut self, expr: &ast::Expr) -> ExprId {
        match expr {
            ast::Expr::List(l) => {
                let items = l.elts.iter().map(|e| self.sequence(e)).collect();
                self.push(ExprKind::Tuple(items), self.span(l.range))
            }
            ast::Expr::Tuple(t) => {
                let items = t.elts.iter().map(|e| self.sequence(e)).collect();
                self.push(ExprKind::Tuple(items), self.span(t.range))
            }
            other => self.expr(other),
        }
    }

    fn callee(&mut self, func: &ast::Expr) -> Option<Callee> {
        let span = self.span(func.range());
        match func {
            ast::Expr::Name(n) => {
                let name = n.id.as_str();
                if self.local_ids.contains_key(name) {
                    self.unsupported(
                        codes::CALL_FORM,
                        span,
                        format!("cannot call local variable `{name}`"),
                        "a local variable, not a function known at compile time",
                        "call a @jit function or a supported builtin by its module-level name",
                    );
                    return None;
                }
                match self.global(name) {
                    Some(GlobalValue::Function(KnownFunction::Exception(kind))) => {
                        self.report_exception_value(kind, span);
                        None
                    }
                    Some(GlobalValue::Function(f)) => Some(Callee::Known(f)),
                    Some(GlobalValue::Jit(id)) => Some(Callee::Jit(id)),
                    Some(GlobalValue::Constant(_) | GlobalValue::Array(_)) => {
                        self.typing(codes::NOT_A_VALUE, span, format!("`{name}` is not callable"), format!("`{name}` is a module-level constant"), "only @jit functions and supported builtin, math and NumPy functions can be called");
                        None
                    }
                    Some(GlobalValue::Module(module)) => {
                        self.typing(
                            codes::NOT_A_VALUE,
                            span,
                            format!("module `{name}` is not callable"),
                            format!("`{name}` is the {} module", module.name()),
                            "call one of its functions instead",
                        );
                        None
                    }
                    Some(GlobalValue::PythonFunction { name: function }) => {
                        self.typing(
                            codes::UNSUPPORTED_GLOBAL,
                            span,
                            format!("call to unsupported function `{name}`"),
                            undecorated(&function),
                            format!(
                                "decorate `{name}` with @ferrojit.jit so compiled code can call it"
                            ),
                        );
                        None
                    }
                    // `print`, classes and other callables cannot be compiled at all.
                    Some(GlobalValue::Unsupported(description)) => {
                        self.typing(
                            codes::UNSUPPORTED_GLOBAL,
                            span,
                            format!("call to unsupported function `{name}`"),
                            description,
                            format!("`{name}` is not supported in compiled code; use one of the supported builtin, math or NumPy functions listed in docs/language.md"),
                        );
                        None
                    }
                    None => {
                        self.report_undefined(name, span);
                        None
                    }
                }
            }
            // A chain through modules whose end the resolver knows (`fj.prange`,
            // `np.random.rand`, `helpers.kernel`), else a known module's member or a method.
            ast::Expr::Attribute(a) => match self.chain_global(func) {
                Some(GlobalValue::Function(f)) if !matches!(f, KnownFunction::Exception(_)) => {
                    Some(Callee::Known(f))
                }
                Some(GlobalValue::Jit(id)) => Some(Callee::Jit(id)),
                _ => match self.module_base(&a.value) {
                    Some(module) => match self.module_attribute(module, a)? {
                        ModuleMember::Function(f) => Some(Callee::Known(f)),
                        ModuleMember::Constant(_) => {
                            let dotted = format!("{}.{}", module.name(), a.attr);
                            self.typing(
                                codes::NOT_A_VALUE,
                                span,
                                format!("`{dotted}` is not callable"),
                                "a constant",
                                "use it as a value, without parentheses",
                            );
                            None
                        }
                        ModuleMember::Module(_) => {
                            let dotted = format!("{}.{}", module.name(), a.attr);
                            self.typing(
                                codes::NOT_A_VALUE,
                                span,
                                format!("`{dotted}` is not callable"),
                                "a module",
                                "call one of its functions",
                            );
                            None
                        }
                    },
                    None => {
                        let receiver = self.expr(&a.value);
                        Some(Callee::Method {
                            receiver,
                            name: a.attr.to_string(),
                        })
                    }
                },
            },
            _ => {
                self.unsupported(
                    codes::CALL_FORM,
                    span,
                    "only named functions can be called",
                    "the called expression is not a name",
                    "call a @jit function or a supported function by its name",
                );
                None
            }
        }
    }
}

/// The label on a use of a plain Python function.
fn undecorated(function: &str) -> String {
    format!("function `{function}` (not decorated with @jit)")
}

fn is_str_constant(expr: &ast::Expr) -> bool {
    matches!(
        expr,
        ast::Expr::Constant(ast::ExprConstant {
            value: ast::Constant::Str(_),
            ..
        })
    )
}

/// Message and help for expressions that have no HIR form.
fn unsupported_expression(expr: &ast::Expr) -> (&'static str, &'static str) {
    match expr {
        ast::Expr::List(_) => (
            "list literals are not supported",
            "use a tuple, or allocate an array with np.empty/np.zeros",
        ),
        ast::Expr::Dict(_) => (
            "dict literals are not supported",
            "use separate variables, or arrays indexed by integers",
        ),
        ast::Expr::Set(_) => (
            "set literals are not supported",
            "use a tuple, or compare with each value",
        ),
        ast::Expr::ListComp(_) | ast::Expr::SetComp(_) | ast::Expr::DictComp(_) => (
            "comprehensions are not supported",
            "write a `for` loop that fills an array allocated with np.empty",
        ),
        ast::Expr::GeneratorExp(_) => (
            "generator expressions are not supported",
            "write a `for` loop that accumulates the result",
        ),
        ast::Expr::Await(_) => (
            "`await` is not supported",
            "asynchronous code cannot be compiled; call the function from Python",
        ),
        ast::Expr::JoinedStr(_) | ast::Expr::FormattedValue(_) => {
            ("f-strings are not supported", "use a constant string")
        }
        ast::Expr::Starred(_) => (
            "starred expressions are not supported",
            "pass the elements one by one",
        ),
        ast::Expr::NamedExpr(_) => (
            "assignment expressions (`:=`) are not supported",
            "assign the value on its own line first",
        ),
        _ => (
            "this expression is not supported",
            "rewrite it with supported operations",
        ),
    }
}

/// Code, message, label and help for a statement ferrojit does not compile
/// (every kind `stmt` lowers by itself is handled before this is asked).
fn unsupported_statement(
    stmt: &ast::Stmt,
) -> (&'static str, &'static str, &'static str, &'static str) {
    match stmt {
        ast::Stmt::With(_) | ast::Stmt::AsyncWith(_) => (
            codes::WITH,
            "`with` statements are not supported",
            "context managers cannot be compiled",
            "move the `with` block into the Python code that calls this function",
        ),
        ast::Stmt::FunctionDef(_) | ast::Stmt::AsyncFunctionDef(_) => (
            codes::NESTED_DEFINITION,
            "nested functions are not supported",
            "a function defined inside a compiled function",
            "define it at module level and decorate it with @ferrojit.jit",
        ),
        ast::Stmt::ClassDef(_) => (
            codes::NESTED_DEFINITION,
            "class definitions are not supported",
            "a class defined inside a compiled function",
            "define the class outside the compiled function and pass plain numbers or arrays in",
        ),
        ast::Stmt::Import(_) | ast::Stmt::ImportFrom(_) => (
            codes::STATEMENT,
            "`import` statements are not supported",
            "imports cannot run inside compiled code",
            "import at module level; ferrojit reads the module's globals when it compiles",
        ),
        ast::Stmt::Global(_) => (
            codes::STATEMENT,
            "`global` statements are not supported",
            "compiled code cannot rebind outer variables",
            "pass the value in as an argument and return the new value",
        ),
        ast::Stmt::Nonlocal(_) => (
            codes::STATEMENT,
            "`nonlocal` statements are not supported",
            "compiled code cannot rebind outer variables",
            "pass the value in as an argument and return the new value",
        ),
        ast::Stmt::Delete(_) => (
            codes::STATEMENT,
            "`del` statements are not supported",
            "names and elements cannot be deleted",
            "remove the `del`; locals are freed when the function returns",
        ),
        ast::Stmt::Match(_) => (
            codes::STATEMENT,
            "`match` statements are not supported",
            "pattern matching cannot be compiled",
            "use if/elif/else",
        ),
        ast::Stmt::AsyncFor(_) => (
            codes::STATEMENT,
            "`async for` loops are not supported",
            "asynchronous code cannot be compiled",
            "use `for ... in range(...)`",
        ),
        ast::Stmt::TypeAlias(_) => (
            codes::STATEMENT,
            "`type` alias statements are not supported",
            "type aliases cannot be declared in compiled code",
            "declare the alias at module level",
        ),
        _ => (
            codes::STATEMENT,
            "this statement is not supported",
            "ferrojit cannot compile this statement",
            "see docs/language.md for the statements ferrojit compiles",
        ),
    }
}
