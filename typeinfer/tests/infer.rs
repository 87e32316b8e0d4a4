//! `typeinfer::infer` over the small programs in `tests/data/typeinfer/*.py`.
//!
//! A file holds a `# signature: (...)` line for the entry (the `def` named
//! after the file, else the first),
//! optional module constants (`SCALE = 2.5`), and one or more `def`s, which
//! call each other as `@jit` functions. Inline comments are checked:
//! `# revealed: T` (the local assigned, or the value returned, on that line)
//! and `# error: [E0211]` (a diagnostic with that code starts on that line;
//! every diagnostic must be expected), and `# unbound: x, y` (that line has
//! reads of `x` and `y` that may run before any assignment to them; every such
//! read must be marked). The typed program, or the rendered diagnostics, are
//! snapshotted into `snapshots/typeinfer/`.

use std::fmt::Write;

use corpus_tests::TestFile;
use frontend::hir::{FuncId, Function, Program, Stmt, StmtKind, Target};
use frontend::SourceFile;
use typeinfer::{ArrayType, CallArg, Layout, LocalRead, Type, TypedFunction, TypedProgram};

struct Case {
    program: Program,
    result: Result<TypedProgram, Vec<frontend::Diagnostic>>,
}

fn run(path: &str, text: &str) -> Case {
    let signature = TestFile::split(text)
        .signature
        .unwrap_or_else(|| panic!("{path}: no `# signature:` line"));
    let (_, args) =
        typeinfer::parse_signature(&signature).unwrap_or_else(|e| panic!("{path}: {e}"));
    run_with(path, text, &args)
}

/// Like `run`, with argument types a signature cannot spell (read-only arrays).
fn run_with(path: &str, text: &str, args: &[Type]) -> Case {
    let program = TestFile::split(text).program(path);
    // The entry is the function named after the file, else the first one.
    let stem = path.trim_end_matches(".py");
    let entry = program
        .functions
        .iter()
        .position(|f| f.name == stem)
        .unwrap_or(0);
    let result = typeinfer::infer(&program, FuncId(entry as u32), args);
    Case { program, result }
}

/// `(line, text after the marker)` for every comment `# <marker>: ...`.
fn comments<'t>(text: &'t str, marker: &str) -> Vec<(u32, &'t str)> {
    let marker = format!("# {marker}: ");
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            l.split_once(&marker)
                .map(|(_, rest)| (i as u32 + 1, rest.trim()))
        })
        .collect()
}

fn line_of(source: &SourceFile, offset: u32) -> u32 {
    source.line_col(offset).0
}

/// The type shown for the statement starting on `line`, searched recursively.
fn revealed(f: &Function, typed: &TypedFunction, stmts: &[Stmt], line: u32) -> Option<String> {
    for s in stmts {
        let here = line_of(&f.source, s.span.start) == line;
        let found = match &s.kind {
            StmtKind::Assign {
                target: Target::Local(l),
                ..
            }
            | StmtKind::AugAssign {
                target: Target::Local(l),
                ..
            } if here => Some(typed.local_type(*l).to_string()),
            StmtKind::Return(Some(e)) | StmtKind::Expr(e) if here => {
                Some(typed.expr_type(*e).to_string())
            }
            StmtKind::If { body, orelse, .. } => {
                revealed(f, typed, body, line).or_else(|| revealed(f, typed, orelse, line))
            }
            StmtKind::While { body, .. } | StmtKind::ForRange { body, .. } => {
                revealed(f, typed, body, line)
            }
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

fn describe(program: &TypedProgram) -> String {
    let mut out = String::new();
    for (i, t) in program.functions.iter().enumerate() {
        let f = &t.hir;
        let args: Vec<String> = t.arg_types.iter().map(|a| a.to_string()).collect();
        writeln!(
            out,
            "spec {i}: fn {}({}) -> {}",
            f.name,
            args.join(", "),
            t.return_type
        )
        .unwrap();
        let locals: Vec<String> = f
            .locals
            .iter()
            .zip(&t.local_types)
            .map(|(l, ty)| format!("{}: {ty}", l.name))
            .collect();
        writeln!(out, "  locals: {}", locals.join(", ")).unwrap();
        let mut coercions: Vec<_> = t.coercions.iter().collect();
        coercions.sort_by_key(|(e, _)| (f.expr(**e).span.start, f.expr(**e).span.end));
        for (e, to) in coercions {
            let span = f.expr(*e).span;
            let (line, col) = f.source.line_col(span.start);
            let text = &f.source.text[span.start as usize..span.end as usize];
            writeln!(out, "  {line}:{col} `{text}`: {} -> {to}", t.expr_type(*e)).unwrap();
        }
        let mut calls: Vec<_> = t.calls.iter().collect();
        calls.sort_by_key(|(e, _)| f.expr(**e).span.start);
        for (e, call) in calls {
            let (line, col) = f.source.line_col(f.expr(*e).span.start);
            write!(out, "  {line}:{col} calls spec {}", call.spec.0).unwrap();
            // The binding, when it is not simply the arguments in order.
            let written = match &f.expr(*e).kind {
                frontend::hir::ExprKind::Call { args, .. } => args.clone(),
                _ => Vec::new(),
            };
            let plain: Vec<CallArg> = written.into_iter().map(CallArg::Expr).collect();
            if call.args != plain {
                let bound: Vec<String> = call
                    .args
                    .iter()
                    .map(|a| match a {
                        CallArg::Expr(x) => {
                            let span = f.expr(*x).span;
                            format!(
                                "`{}`",
                                &f.source.text[span.start as usize..span.end as usize]
                            )
                        }
                        CallArg::Default(c) => format!("default {c:?}"),
                    })
                    .collect();
                write!(out, " with ({})", bound.join(", ")).unwrap();
            }
            writeln!(out).unwrap();
        }
        for (line, col, name) in unbound_reads(t) {
            writeln!(out, "  {line}:{col} `{name}` may be unbound").unwrap();
        }
    }
    out
}

/// `(line, column, name)` of each read that may find its local unassigned, in source order.
fn unbound_reads(t: &TypedFunction) -> Vec<(u32, u32, String)> {
    let f = &t.hir;
    let mut reads: Vec<_> = t
        .maybe_unbound
        .iter()
        .map(|(read, l)| {
            let e = match read {
                LocalRead::Expr(e) | LocalRead::AugAssign(e) => *e,
            };
            let (line, col) = f.source.line_col(f.expr(e).span.start);
            (line, col, f.local(*l).name.clone())
        })
        .collect();
    reads.sort();
    reads
}

/// Every `# unbound:` comment names exactly the locals with such reads on its line.
fn check_unbound(name: &str, text: &str, program: &TypedProgram) {
    let mut found: Vec<(u32, String)> = program
        .functions
        .iter()
        .flat_map(|t| unbound_reads(t).into_iter().map(|(l, _, n)| (l, n)))
        .collect();
    found.sort();
    found.dedup();
    let mut expected: Vec<(u32, String)> = comments(text, "unbound")
        .into_iter()
        .flat_map(|(line, rest)| {
            let names = rest.split('#').next().unwrap_or("");
            names.split(',').map(move |n| (line, n.trim().to_string()))
        })
        .collect();
    expected.sort();
    assert_eq!(
        found, expected,
        "{name}: reads that may be unbound (line, local)"
    );
}

/// Checks the `# revealed:` and `# error:` comments, then gives the typed
/// program, or the rendered diagnostics, for the snapshot.
fn check(name: &str, text: &str, case: &Case) -> String {
    let expected_errors = comments(text, "error");
    match &case.result {
        Ok(program) => {
            assert!(
                expected_errors.is_empty(),
                "{name}: expected errors {expected_errors:?}, got none"
            );
            for (line, want) in comments(text, "revealed") {
                let got = program.functions.iter().find_map(|t| {
                    let f = &case.program.functions[t.func.0 as usize];
                    revealed(f, t, &f.body, line)
                });
                assert_eq!(got.as_deref(), Some(want), "{name}:{line}: revealed type");
            }
            check_unbound(name, text, program);
            describe(program)
        }
        Err(diags) => {
            for d in diags {
                let line = line_of(&d.source, d.span.start);
                let expected = expected_errors
                    .iter()
                    .any(|(l, c)| *l == line && c.contains(d.code));
                assert!(expected, "{name}: unexpected diagnostic\n{}", d.render());
            }
            for (line, code) in &expected_errors {
                let found = diags
                    .iter()
                    .any(|d| line_of(&d.source, d.span.start) == *line && code.contains(d.code));
                assert!(
                    found,
                    "{name}:{line}: expected {code}, got:\n{}",
                    frontend::render_all(diags)
                );
            }
            frontend::render_all(diags)
        }
    }
}

macro_rules! snapshot {
    ($output:expr) => {
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots/typeinfer"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!($output);
        })
    };
}

#[test]
fn typeinfer_data() {
    insta::glob!("../../tests/data/typeinfer", "*.py", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let output = check(&name, &text, &run(&name, &text));
        snapshot!(output);
    });
}

/// Every kernel of the end-to-end corpus type-checks for its signature.
#[test]
fn corpus() {
    insta::glob!("../../tests/corpus", "*.py", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let case = run(&name, &text);
        if let Err(diags) = &case.result {
            panic!(
                "{name} does not type-check:\n{}",
                frontend::render_all(diags)
            );
        }
        snapshot!(check(&name, &text, &case));
    });
}

#[test]
fn writing_to_a_readonly_array() {
    let text = "\
def fill(a, b):
    a[0] = 1.0  # error: [E0217]
    a[1] += 2.0  # error: [E0217]
    b[0] = a[2]
    return b
";
    let readonly = ArrayType {
        dtype: frontend::hir::Dtype::Float64,
        ndim: 1,
        layout: Layout::C,
        writable: false,
    };
    let writable = ArrayType {
        writable: true,
        ..readonly
    };
    let case = run_with(
        "fill.py",
        text,
        &[Type::Array(readonly), Type::Array(writable)],
    );
    snapshot!(check("fill.py", text, &case));
}

#[test]
fn wrong_number_of_entry_arguments() {
    let text = "def two(a, b):\n    return a + b\n";
    let diags = run_with("two.py", text, &[Type::INT])
        .result
        .expect_err("an arity error");
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, "E0219");
    assert_eq!(diags[0].message, "`two` takes 2 arguments but 1 were given");
}

#[test]
fn entry_arguments_too_large_to_specialize() {
    let text = "def first(t):\n    return t[0]\n";
    let huge = Type::Tuple(vec![Type::INT; 2000]);
    let diags = run_with("first.py", text, &[huge])
        .result
        .expect_err("a size error, not an empty program");
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, "E0233");
    assert_eq!(
        diags[0].message,
        "the argument types of `first` are too large: 2001 numbers, arrays and tuples in all"
    );
}

/// `x0 = x1; ...; x{n-2} = x{n-1}; x{n-1} = 1.5` in a loop: float64 reaches
/// `x0` after `n` iterations, so inference needs `n` sweeps, however large `n`.
#[test]
fn long_loop_carried_chains_converge() {
    for n in [250, 1000] {
        let inits: Vec<String> = (0..n).map(|i| format!("x{i} = 0")).collect();
        let links: Vec<String> = (0..n - 1).map(|i| format!("x{i} = x{}", i + 1)).collect();
        let text = format!(
            "def chain(n):\n    {}\n    for i in range(n):\n        {}; x{} = 1.5\n    return x0\n",
            inits.join("; "),
            links.join("; "),
            n - 1
        );
        let case = run_with("chain.py", &text, &[Type::INT]);
        let program = match case.result {
            Ok(p) => p,
            Err(d) => panic!("chain of {n}:\n{}", frontend::render_all(&d)),
        };
        let f = &program.functions[0];
        assert_eq!(f.return_type, Type::FLOAT, "chain of {n}");
        assert!(f
            .local_types
            .iter()
            .skip(1)
            .all(|t| *t == Type::FLOAT || *t == Type::INT));
        assert_eq!(f.local_types[1], Type::FLOAT, "x0 of a chain of {n}");
    }
}

/// `annotate` (what `inspect_types` shows): the signature, every local's
/// type, and each line with the types of the locals it assigns.
#[test]
fn annotated_source() {
    let text = "\
def total(a, n):
    s = 0.0
    for x in a:
        s += x
    k, m = n, 2.5
    if k > 0:
        return s * m
    return s
";
    let (_, args) = typeinfer::parse_signature("(float32[:], int64)").unwrap();
    let case = run_with("total.py", text, &args);
    let program = case.result.expect("types");
    snapshot!(typeinfer::annotate(&program.functions[0]));
}

const OUT_NONE: &str = "\
import numpy as np


def fill(a, out=None):
    if out is None:
        out = np.empty_like(a)
    out[0] = 1.0
    return out
";

fn float_vector() -> Type {
    Type::Array(ArrayType {
        dtype: frontend::hir::Dtype::Float64,
        ndim: 1,
        layout: Layout::C,
        writable: true,
    })
}

/// The join rule of a parameter passed `None`: its `None` binding is left out
/// of its type, which is the join of what is assigned to it; `out is None` is
/// decided, and the `if` on it replaced by the branch that runs.
#[test]
fn a_parameter_passed_none_takes_the_type_assigned_to_it() {
    let arr = float_vector();
    let typed = run_with("fill.py", OUT_NONE, &[arr.clone(), Type::None])
        .result
        .expect("out=None types");
    let t = &typed.functions[0];
    let out = t.hir.params[1].0 as usize;
    assert_eq!(t.local_types[out], arr);
    assert_eq!(t.return_type, arr);
    assert!(matches!(&t.hir.body[0].kind, StmtKind::Assign { .. }));
    assert_eq!(t.hir.body.len(), 3, "the `if` is replaced by its body");

    // Given an array, `out is None` is false: the `if` and its body are gone.
    let typed = run_with("fill.py", OUT_NONE, &[arr.clone(), arr.clone()])
        .result
        .expect("out=array types");
    let t = &typed.functions[0];
    assert_eq!(t.local_types[out], arr);
    assert_eq!(t.hir.body.len(), 2);
}

/// A read that may see the `None` or an assigned value has no one type.
#[test]
fn a_read_that_may_see_none_or_a_value_is_e0237() {
    let text = "\
import numpy as np


def fill(a, out=None):
    for i in range(3):
        if out is None:
            out = np.empty_like(a)
    return out
";
    let diags = run_with("fill.py", text, &[float_vector(), Type::None])
        .result
        .expect_err("out may be None after the loop, and in its second iteration");
    let found: Vec<(&str, &str)> = diags.iter().map(|d| (d.code, d.message.as_str())).collect();
    assert_eq!(
        found,
        [
            ("E0237", "`out` may be None here"),
            ("E0237", "`out` may be None here")
        ]
    );
}

/// A read that sees only the `None` is `None` (and is passed on as one).
#[test]
fn a_read_that_sees_only_none_is_none() {
    let text = "\
def g(x=None):
    return x


def f(x=None):
    y = 1.0
    if x is not None:
        y = x + 1.0
    return g(x), y
";
    let typed = run_with("f.py", text, &[Type::None]).result.expect("types");
    let t = &typed.functions[0];
    assert_eq!(t.return_type, Type::Tuple(vec![Type::None, Type::FLOAT]));
}

/// Reductions are the locals a `prange` body only updates with one operation;
/// every other local it assigns is private; a store at an index that does not
/// vary with the loop is a warning.
#[test]
fn prange_reductions_and_shared_writes() {
    let text = "\
def k(x, out):
    s = 0.0
    p = 1
    lo = 1e300
    q = 0.0
    for i in prange(x.shape[0]):
        t = x[i] * 2.0
        q = q + t
        s += t
        s -= 1.0
        p *= 2
        lo = min(t, lo)
        out[0] = t
        out[i] = t
    return s + p + lo + q
";
    let array = Type::Array(ArrayType {
        dtype: frontend::hir::Dtype::Float64,
        ndim: 1,
        layout: Layout::C,
        writable: true,
    });
    let program = run_with("k.py", text, &[array.clone(), array])
        .result
        .unwrap_or_else(|d| panic!("{}", frontend::render_all(&d)));
    let f = &program.functions[0];
    let [lp] = &f.parallel_loops.values().collect::<Vec<_>>()[..] else {
        panic!("one parallel loop expected");
    };
    let reductions: Vec<(String, typeinfer::ReduceOp)> = lp
        .reductions
        .iter()
        .map(|r| (f.hir.local(r.local).name.clone(), r.op))
        .collect();
    use typeinfer::ReduceOp::{Add, Min, Mul};
    assert_eq!(
        reductions,
        [
            ("s".into(), Add),
            ("p".into(), Mul),
            ("lo".into(), Min),
            ("q".into(), Add)
        ]
    );
    let warnings: Vec<&str> = f.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        warnings,
        ["every iteration of the prange loop writes the same element of `out`"]
    );
}

/// A local updated with two operations is no reduction: private, so reading
/// it before the iteration assigns it would see another iteration's value.
#[test]
fn a_value_carried_between_prange_iterations_is_refused() {
    let text = "\
def k(x):
    both = 0
    for i in prange(x.shape[0]):
        both += 1
        both = both * 2
    return 0
";
    let array = Type::Array(ArrayType {
        dtype: frontend::hir::Dtype::Float64,
        ndim: 1,
        layout: Layout::C,
        writable: true,
    });
    let diagnostics = run_with("k.py", text, &[array])
        .result
        .expect_err("a carried value must be refused");
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(
        diagnostics[0].message,
        "`both` is read in the prange loop at line 3 before the iteration assigns it"
    );
}

/// An array defined before a `prange` loop that the body only updates in
/// place with one operator (`h += e`, `acc[:] += e`, `acc[1:] *= e`) is an
/// array reduction, and does not warn; a view that depends on the iteration
/// (`out[i:i + 1] += e`) is an ordinary shared store; an array the body
/// assigns (`local`) is private.
#[test]
fn prange_array_reductions() {
    let text = "\
import numpy as np


def k(x, out, acc):
    h = np.zeros(4, np.int64)
    p = np.ones(3)
    for i in prange(x.shape[0]):
        local = np.zeros(4, np.int64)
        local[i % 4] += 1
        h += local
        h -= local
        acc[:] += x[i]
        p[1:] *= x[i]
        out[i:i + 1] += 1.0
    return h.sum() + p.sum()
";
    let array = Type::Array(ArrayType {
        dtype: frontend::hir::Dtype::Float64,
        ndim: 1,
        layout: Layout::C,
        writable: true,
    });
    let program = run_with("k.py", text, &[array.clone(), array.clone(), array])
        .result
        .unwrap_or_else(|d| panic!("{}", frontend::render_all(&d)));
    let f = &program.functions[0];
    let [lp] = &f.parallel_loops.values().collect::<Vec<_>>()[..] else {
        panic!("one parallel loop expected");
    };
    let mut reductions: Vec<(String, typeinfer::ReduceOp)> = lp
        .reductions
        .iter()
        .map(|r| (f.hir.local(r.local).name.clone(), r.op))
        .collect();
    reductions.sort_by(|a, b| a.0.cmp(&b.0));
    use typeinfer::ReduceOp::{Add, Mul};
    assert_eq!(
        reductions,
        [("acc".into(), Add), ("h".into(), Add), ("p".into(), Mul)]
    );
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
}

/// The accuracy pass rewrites `log(1 + x)` and `exp(x) - 1` in the typed IR,
/// keeping each expression's id and type; where `x` has another float type
/// than the expression (a float32 under `math.`'s float64), only the reading
/// of `x` changes, and an integer `x` is left alone.
#[test]
fn log_of_one_plus_x_is_typed_as_log1p() {
    let text = "\
import math
import numpy as np


def f(x, y, k):
    a = math.log(1 + x)
    b = np.exp(y) - 1.0
    c = math.log(1.0 + y)
    d = math.log(1 + k)
    return a + b + c + d
";
    let args = [
        Type::FLOAT,
        Type::Scalar(frontend::hir::Dtype::Float32),
        Type::INT,
    ];
    let typed = run_with("f.py", text, &args).result.expect("types");
    let t = &typed.functions[0];
    let callee_of = |stmt: usize| {
        let StmtKind::Assign { value, .. } = &t.hir.body[stmt].kind else {
            panic!("statement {stmt} is an assignment");
        };
        let frontend::hir::ExprKind::Call {
            callee: frontend::hir::Callee::Known(frontend::hir::KnownFunction::Library(g)),
            args,
            ..
        } = &t.hir.expr(*value).kind
        else {
            return None;
        };
        Some((
            g.qualified_name(),
            t.expr_type(*value).clone(),
            t.coerced_type(args[0]).clone(),
        ))
    };
    let float32 = Type::Scalar(frontend::hir::Dtype::Float32);
    assert_eq!(
        callee_of(0),
        Some(("math.log1p".into(), Type::FLOAT, Type::FLOAT))
    );
    assert_eq!(
        callee_of(1),
        Some(("np.expm1".into(), float32.clone(), float32))
    );
    // `1.0 + y` is a float32 (the 1.0 is weak), read as float64 by `math.log`.
    assert_eq!(
        callee_of(2),
        Some(("math.log1p".into(), Type::FLOAT, Type::FLOAT))
    );
    // `1 + k` is an int64 read as a float64: `log1p(k)` would change nothing.
    assert_eq!(callee_of(3).map(|c| c.0), Some("math.log".into()));
}

/// The fusion pass moves `t = <array expression>` into the next statement only
/// where no exception could change order: `y[k]` may raise before `t` is read,
/// and a third read would compute `t` three times.
#[test]
fn temporaries_fuse_into_the_next_statement_only_when_nothing_can_fail_first() {
    let text = "\
import numpy as np


def f(a, b, y, k):
    t = a * b
    c = np.sum(t + 1.0)
    u = a * b
    d = y[k] + u
    w = a - b
    return c + d.sum() + (w * w * w).sum()
";
    let vector = float_vector();
    let args = [vector.clone(), vector.clone(), vector, Type::INT];
    let typed = run_with("f.py", text, &args).result.expect("types");
    let t = &typed.functions[0];
    let assigned: Vec<&str> = t
        .hir
        .body
        .iter()
        .filter_map(|s| match &s.kind {
            StmtKind::Assign {
                target: Target::Local(l),
                ..
            } => Some(t.hir.local(*l).name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(assigned, ["c", "u", "d", "w"]);
}
