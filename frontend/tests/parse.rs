//! frontend::parse over small functions: the HIR's shape (through its text form)
//! and the diagnostics, rendered, for every unsupported construct.

use std::collections::HashMap;
use std::sync::Arc;

use frontend::hir::{
    Constant, ExprKind, FuncId, Function, GlobalValue, KnownFunction, KnownModule, StmtKind,
};
use frontend::{Diagnostic, DiagnosticKind, Resolver, SourceFile};

/// The names a test module sees, as `pymod` would report them.
struct TableResolver {
    table: HashMap<&'static str, GlobalValue>,
    /// Every name asked for, in order, to check each is resolved once.
    asked: Vec<String>,
}

impl TableResolver {
    fn new() -> TableResolver {
        let mut table = HashMap::new();
        table.insert("np", GlobalValue::Module(KnownModule::Numpy));
        table.insert("math", GlobalValue::Module(KnownModule::Math));
        for (name, f) in frontend::known::builtins() {
            table.insert(name, GlobalValue::Function(f));
        }
        table.insert("prange", GlobalValue::Function(KnownFunction::Prange));
        table.insert("N", GlobalValue::Constant(Constant::Int(10)));
        table.insert("helper", GlobalValue::Jit(FuncId(1)));
        // `import numba as nb` (a module whose `prange` is ferrojit's) and a
        // module holding a `@jit` function: pymod resolves such chains by identity.
        table.insert("nb", GlobalValue::Unsupported("module `nb`".to_string()));
        table.insert("nb.prange", GlobalValue::Function(KnownFunction::Prange));
        table.insert("lib.helper", GlobalValue::Jit(FuncId(1)));
        // Described in pymod's words.
        table.insert(
            "print",
            GlobalValue::Unsupported("builtin function `print`".to_string()),
        );
        table.insert(
            "plain",
            GlobalValue::PythonFunction {
                name: "plain".to_string(),
            },
        );
        TableResolver {
            table,
            asked: Vec::new(),
        }
    }
}

impl Resolver for TableResolver {
    fn resolve(&mut self, name: &str) -> Option<GlobalValue> {
        self.asked.push(name.to_string());
        self.table.get(name).cloned()
    }
}

fn source(text: &str, first_line: u32) -> Arc<SourceFile> {
    Arc::new(SourceFile {
        path: "kernel.py".to_string(),
        text: text.to_string(),
        first_line,
    })
}

fn parse(text: &str) -> Function {
    frontend::parse(source(text, 1), &mut TableResolver::new())
        .unwrap_or_else(|d| panic!("does not parse:\n{}", frontend::render_all(&d)))
}

fn errors(text: &str) -> Vec<Diagnostic> {
    match frontend::parse(source(text, 1), &mut TableResolver::new()) {
        Ok(f) => panic!("parsed without errors:\n{f}"),
        Err(d) => d,
    }
}

/// The one helper the HIR tests go through: parse, print, compare.
fn check(text: &str, expect: &str) {
    assert_eq!(parse(text).to_string(), expect);
}

#[test]
fn representative_kernel() {
    check(
        "\
def kernel(a, out, scale):
    \"\"\"Docstrings are skipped.\"\"\"
    n, m = a.shape
    total = count = 0
    for i in range(n):
        for j in range(1, m - 1):
            v = a[i, j] * scale + N
            out[i, j] = math.sqrt(abs(v)) if v > 0.0 else -v
            total += out[i, j]
    if not 0 <= total < np.inf and count == 0:
        return helper(total, k=2), 2j
    return total, a.copy()
",
        "\
def kernel(a, out, scale):  # locals: l0 a, l1 out, l2 scale, l3 n, l4 m, l5 total, l6 count, l7 i, l8 j, l9 v
    (n, m) = a.shape
    total = 0
    count = 0
    for i in range(0, n, 1):
        for j in range(1, (m - 1), 1):
            v = ((a[i, j] * scale) + N{10})
            out[i, j] = (<math.sqrt>(<abs>(v)) if (v > 0.0) else (-v))
            total += out[i, j]
    if ((not (0 <= total < np.inf{inf})) and (count == 0)):
        return (fn1(total, k=2), (0.0+2.0j))
    return (total, a.copy())
",
    );
}

#[test]
fn for_range_fills_start_and_step_with_constants_spanning_the_call() {
    let text = "def f(n):\n    for i in prange(n):\n        pass\n";
    let f = parse(text);
    let StmtKind::ForRange {
        var,
        start,
        stop,
        step,
        parallel,
        ..
    } = &f.body[0].kind
    else {
        panic!("not a range loop: {f}")
    };
    assert!(parallel);
    assert_eq!(f.local(*var).name, "i");
    assert!(matches!(f.expr(*stop).kind, ExprKind::Local(_)));
    for (id, value) in [(start, 0), (step, 1)] {
        let expr = f.expr(*id);
        assert!(matches!(expr.kind, ExprKind::Const(Constant::Int(v)) if v == value));
        assert_eq!(
            &text[expr.span.start as usize..expr.span.end as usize],
            "prange(n)"
        );
    }
}

#[test]
fn attribute_chains_on_modules_resolve_through_the_resolver() {
    let text = "def f(n):\n    for i in nb.prange(n):\n        lib.helper(i)\n";
    let mut resolver = TableResolver::new();
    let f = frontend::parse(source(text, 1), &mut resolver).unwrap();
    let StmtKind::ForRange { parallel, body, .. } = &f.body[0].kind else {
        panic!("not a range loop: {f}")
    };
    assert!(parallel);
    let StmtKind::Expr(call) = body[0].kind else {
        panic!("not a call: {f}")
    };
    assert!(matches!(
        f.expr(call).kind,
        ExprKind::Call {
            callee: frontend::hir::Callee::Jit(FuncId(1)),
            ..
        }
    ));
    // A member of a known module is the known table's, not asked for.
    assert!(resolver.asked.iter().all(|n| !n.starts_with("np.")));
}

#[test]
fn locals_follow_python_scoping() {
    // `x` is assigned later, so the first read is a local read (UnboundLocalError in
    // Python), never the module's `N`-like global; `len` stays the builtin.
    check(
        "def f(a):\n    y = x\n    x = len(a)\n    return y\n",
        "def f(a):  # locals: l0 a, l1 y, l2 x\n    y = x\n    x = <len>(a)\n    return y\n",
    );
    // A local named like a builtin shadows it everywhere in the function.
    check(
        "def f(a):\n    abs = 1\n    return abs\n",
        "def f(a):  # locals: l0 a, l1 abs\n    abs = 1\n    return abs\n",
    );
}

#[test]
fn chained_assignment_evaluates_the_value_once() {
    check(
        "def f(a):\n    x = a[0] = helper(a)\n    y = z = 1.5\n",
        "\
def f(a):  # locals: l0 a, l1 x, l2 y, l3 z, l4 $chain0
    $chain0 = fn1(a)
    x = $chain0
    a[0] = $chain0
    y = 1.5
    z = 1.5
",
    );
}

#[test]
fn nested_tuple_unpacking_and_annotated_assignment() {
    check(
        "def f(t):\n    (a, (b, c)), d = t\n    e: float = a\n    g: int\n    a, b = b, a\n",
        "\
def f(t):  # locals: l0 t, l1 a, l2 b, l3 c, l4 d, l5 e, l6 g
    ((a, (b, c)), d) = t
    e = a
    pass
    (a, b) = (b, a)
",
    );
}

#[test]
fn raise_and_assert() {
    check(
        "\
def f(x):
    if x < 0:
        raise ValueError(\"negative\")
    elif x == 0:
        raise ValueError
    else:
        raise ValueError()
    assert x > 1, \"too small\"
    assert x
",
        "\
def f(x):  # locals: l0 x
    if (x < 0):
        raise ValueError(\"negative\")
    else:
        if (x == 0):
            raise ValueError
        else:
            raise ValueError
    if (not (x > 1)):
        raise AssertionError(\"too small\")
    if (not x):
        raise AssertionError
",
    );
}

#[test]
fn module_attributes_resolve_by_module() {
    check(
        "\
def f(a):
    b = np.zeros((3, 4), dtype=np.float32)
    c = np.empty_like(a)
    d = np.int64(math.floor(np.arctan2(1.0, 2.0))) + np.atan2(2.0, 3) + np.absolute(-1)
    e = math.pi + math.e + np.nan + math.tau
    return a.shape[0], a.T, float
",
        "\
def f(a):  # locals: l0 a, l1 b, l2 c, l3 d, l4 e
    b = <numpy.zeros>((3, 4), dtype=<numpy.float32>)
    c = <numpy.empty_like>(a)
    d = ((<numpy.int64>(<math.floor>(<numpy.arctan2>(1.0, 2.0))) + <numpy.arctan2>(2.0, 3)) + <numpy.absolute>(-1))
    e = (((math.pi{3.141592653589793} + math.e{2.718281828459045}) + np.nan{NaN}) + math.tau{6.283185307179586})
    return (a.shape[0], a.T, <float>)
",
    );
    let f = parse("def f():\n    return np.intp(1), np.bool_(0), math.erf(1.0)\n");
    let calls: Vec<KnownFunction> = f
        .exprs
        .iter()
        .filter_map(|e| match &e.kind {
            ExprKind::Call {
                callee: frontend::hir::Callee::Known(k),
                ..
            } => Some(*k),
            _ => None,
        })
        .collect();
    assert_eq!(
        calls,
        [
            KnownFunction::Scalar(frontend::hir::Dtype::Int64),
            KnownFunction::Scalar(frontend::hir::Dtype::Bool),
            KnownFunction::Library(math_erf())
        ]
    );
}

fn math_erf() -> frontend::hir::LibFn {
    library::functions(library::Namespace::Math)
        .find_map(|(name, f)| (name == "erf").then_some(f))
        .unwrap()
}

#[test]
fn constants() {
    // Negated literals fold into one constant; a negated name stays an operation.
    check(
        "def f(x):\n    return -9223372036854775808, 9223372036854775807, -2.5, -1j, 1e300, -x\n",
        "def f(x):  # locals: l0 x\n    return (-9223372036854775808, 9223372036854775807, -2.5, (-0.0+-1.0j), 1e300, (-x))\n",
    );
    check(
        "def f():\n    return True, None, 'x', 2j\n",
        "def f():  # locals: \n    return (True, None, \"x\", (0.0+2.0j))\n",
    );
}

#[test]
fn indented_method_with_decorators_keeps_spans_in_the_original_text() {
    let text = "    @staticmethod\n    @jit(boundscheck=False)\n    def method(a, b):\n        return a + b\n";
    let f = frontend::parse(source(text, 40), &mut TableResolver::new()).unwrap();
    assert_eq!(f.name, "method");
    assert_eq!(&text[f.span.start as usize..f.span.end as usize], "method");
    assert_eq!(f.source.line_col(f.span.start), (42, 9));
    let StmtKind::Return(Some(sum)) = f.body[0].kind else {
        panic!("{f}")
    };
    let span = f.expr(sum).span;
    assert_eq!(&text[span.start as usize..span.end as usize], "a + b");
    assert_eq!(&text[f.local(f.params[1]).span.start as usize..][..1], "b");
}

#[test]
fn each_global_name_is_resolved_once() {
    let mut resolver = TableResolver::new();
    let text = "def f(a):\n    return np.sqrt(N) + np.exp(N) + N\n";
    frontend::parse(source(text, 1), &mut resolver).unwrap();
    assert_eq!(resolver.asked, ["np", "N"]);
}

#[test]
fn every_error_in_the_function_is_reported() {
    let d = errors("def f(a):\n    x = [1]\n    y = undefined_name\n    try:\n        pass\n    except Exception:\n        pass\n    return ...\n");
    let codes: Vec<&str> = d.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["E0108", "E0102", "E0103", "E0110"]);
    assert_eq!(d[1].kind, DiagnosticKind::Typing);
    assert_eq!(d[2].kind, DiagnosticKind::Unsupported);
}

#[test]
fn values_that_are_not_values() {
    let d = errors("def f(a):\n    x = np\n    y = helper\n    z = print\n    w = ValueError\n    return np.foo(a), math.bar, N(a), a(1)\n");
    let messages: Vec<(&str, &str)> = d.iter().map(|d| (d.code, d.message.as_str())).collect();
    assert_eq!(
        messages,
        [
            ("E0113", "module `np` cannot be used as a value"),
            ("E0113", "functions can only be called"),
            ("E0112", "`print` cannot be used in compiled code"),
            ("E0119", "exception types can only be used in `raise`"),
            ("E0114", "`numpy.foo` is not supported by ferrojit"),
            ("E0114", "`math.bar` is not supported by ferrojit"),
            ("E0113", "`N` is not callable"),
            ("E0118", "cannot call local variable `a`"),
        ]
    );
    assert_eq!(d[2].label, "builtin function `print`");
}

#[test]
fn top_level_must_be_one_function() {
    let d = errors("x = 1\n");
    assert_eq!((d[0].code, d[0].kind), ("E0199", DiagnosticKind::Internal));
    let d = errors("def f():\n    pass\ndef g():\n    pass\n");
    assert_eq!(d[0].code, "E0199");
    assert_eq!(d[0].source.line_col(d[0].span.start), (3, 1));
}

#[test]
fn render_shows_the_real_file_position() {
    let text = "@jit\ndef kernel(a):\n    try:\n        pass\n    finally:\n        pass\n";
    let d = frontend::parse(source(text, 11), &mut TableResolver::new()).unwrap_err();
    assert_eq!(
        frontend::render_all(&d),
        "\
error[E0103]: `try` statements are not supported
  --> kernel.py:13:5
   |
13 |     try:
   |     ^^^^ ferrojit cannot compile exception handlers
   |
   = help: move the try/except into the Python code that calls this function"
    );
}

/// One file per error case under tests/data/frontend/, rendered as the user sees it.
#[test]
fn error_snapshots() {
    insta::glob!("../../tests/data/frontend", "*.py", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        let file = Arc::new(SourceFile {
            path: format!("tests/data/frontend/{name}"),
            text,
            first_line: 1,
        });
        let rendered = match frontend::parse(file, &mut TableResolver::new()) {
            Ok(f) => panic!("{name}: expected errors, parsed as\n{f}"),
            Err(d) => frontend::render_all(&d),
        };
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut settings = insta::Settings::clone_current();
        // glob! would name snapshots `error_snapshots@<file>.py`; the case name reads better.
        settings.remove_snapshot_suffix();
        settings.set_snapshot_path(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../snapshots/frontend"
        ));
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!(stem, rendered));
    });
}

#[test]
fn syntax_errors_point_into_the_original_text() {
    let text = "    def f(a):\n        return a +\n";
    let d = errors(text);
    assert_eq!(
        (d[0].code, d[0].kind),
        ("E0100", DiagnosticKind::Unsupported)
    );
    assert_eq!(d[0].source.line_col(d[0].span.start), (2, 19));
    // An unclosed bracket is reported just after the last token, not past the final newline.
    let d = errors("\tdef f(a):\n\t\treturn a[\n");
    assert_eq!(d[0].source.line_col(d[0].span.start), (2, 12));
    // annotate-snippets shows each tab as four spaces.
    assert!(
        d[0].render().contains("2 |         return a["),
        "{}",
        d[0].render()
    );
    // Nothing to underline at all; rendering still works.
    let d = errors("");
    assert!(
        d[0].render().starts_with("error[E0199]"),
        "{}",
        d[0].render()
    );
}

#[test]
fn nesting_deeper_than_the_limit_is_one_error() {
    // The frontend recurses over the nesting: on the stack pymod compiles on
    // (`COMPILE_STACK`), not a test thread's 2 MiB.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(nesting_limit)
        .unwrap()
        .join()
        .unwrap();
}

fn nesting_limit() {
    let function = |body: String| format!("def f(x):\n    return {body}\n");
    let nesting_errors = |text: &str| -> Vec<Diagnostic> {
        errors(text)
            .into_iter()
            .filter(|d| d.code == "E0120")
            .collect()
    };
    for deep in [
        chain(" + ", 10_500),
        chain(" and ", 10_200),
        chain(" < ", 10_200),
        format!("x{}", "[0]".repeat(10_500)),
    ] {
        let found = nesting_errors(&function(deep));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, DiagnosticKind::Unsupported);
        assert_eq!(found[0].message, "code nested more than 10000 levels deep");
    }
    let elif_chain = |arms: usize| -> String {
        let elifs: String = (0..arms)
            .map(|i| format!("    elif x == {i}:\n        return {i}\n"))
            .collect();
        format!("def f(x):\n    if x < 0:\n        return 0\n{elifs}    return 1\n")
    };
    assert_eq!(nesting_errors(&elif_chain(10_100)).len(), 1);
    // Long but within the limit: translated as usual. Generated code has
    // `elif` chains of thousands of arms (each `elif` nests one level).
    parse(&function(chain(" + ", 9000)));
    parse(&function(chain(" and ", 9000)));
    parse(&elif_chain(5000));
}

/// `x <op> x <op> ... x` with `n` operands.
fn chain(op: &str, n: usize) -> String {
    vec!["x"; n].join(op)
}

fn parse_lambda(text: &str, lambda: &str, nth: usize) -> Result<Function, Vec<Diagnostic>> {
    let start = text
        .match_indices(lambda)
        .nth(nth)
        .expect("lambda in text")
        .0 as u32;
    let span = frontend::Span::new(start, start + lambda.len() as u32);
    frontend::parse_lambda(source(text, 7), span, &mut TableResolver::new())
}

#[test]
fn a_lambda_is_a_function_returning_its_body() {
    let text = "f, g = jit(lambda x: x + N), jit(lambda x, y: helper(x) * y)\n";
    let f = parse_lambda(text, "lambda x, y: helper(x) * y", 0).unwrap();
    assert_eq!(
        f.to_string(),
        "def <lambda>(x, y):  # locals: l0 x, l1 y\n    return (fn1(x) * y)\n"
    );
    // The function's span is the `lambda` keyword on the real line of the file.
    assert_eq!(f.source.line_col(f.span.start), (7, 34));
}

#[test]
fn errors_in_a_lambda_point_into_its_line() {
    let text = "    table = dict(a=1,\n                 b=lambda s: s[[1]],\n";
    let d = parse_lambda(text, "lambda s: s[[1]]", 0).unwrap_err();
    assert_eq!(d.len(), 1);
    // Line 8 of the file (the text starts at line 7), at the list.
    assert_eq!(d[0].source.line_col(d[0].span.start), (8, 32));
}

#[test]
fn for_over_an_iterable_is_a_counted_loop_over_hidden_locals() {
    let f = parse(
        "def f(a, b):\n    for i, (x, k) in enumerate(zip(a, range(1, 9, 2)), 1):\n        pass\n",
    );
    // Each part evaluated once, in Python's order; the item is assigned to the target.
    assert_eq!(
        format!("{f}"),
        "\
def f(a, b):  # locals: l0 a, l1 b, l2 i, l3 x, l4 k, l5 $for0.i, l6 $for0.seq0, l7 $for0.start1, l8 $for0.stop2, l9 $for0.step3, l10 $for0.len4, l11 $for0.from5
    $for0.seq0 = a
    $for0.start1 = 1
    $for0.stop2 = 9
    $for0.step3 = 2
    if ($for0.step3 == 0):
        raise ValueError(\"range() arg 3 must not be zero\")
    $for0.len4 = (<max>(0, (((($for0.stop2 - $for0.start1) + $for0.step3) - 1) // $for0.step3)) if ($for0.step3 > 0) else <max>(0, (((($for0.start1 - $for0.stop2) + (-$for0.step3)) - 1) // (-$for0.step3))))
    $for0.from5 = 1
    for $for0.i in range(0, <min>(<len>($for0.seq0), $for0.len4), 1):
        (i, (x, k)) = (($for0.i + $for0.from5), ($for0.seq0[$for0.i], ($for0.start1 + ($for0.i * $for0.step3))))
        pass
"
    );
}

#[test]
fn defaults_and_keyword_only_parameters_make_the_signature() {
    let f = parse("def f(a, n=3, /, m=-2.5, *, k, shape=(2, 3)):\n    return a\n");
    assert_eq!(f.params.len(), 5);
    assert_eq!(f.signature.positional_only, 2);
    assert_eq!(f.signature.keyword_only, 2);
    assert_eq!(
        f.signature.defaults,
        vec![
            None,
            Some(Constant::Int(3)),
            Some(Constant::Float(-2.5)),
            None,
            Some(Constant::Tuple(vec![Constant::Int(2), Constant::Int(3)])),
        ]
    );
}

#[test]
fn slices_ellipsis_and_newaxis_are_indices() {
    check(
        "def f(a, i):\n    a[1:, :-1] = a[i, ::2, np.newaxis, ..., 1:i:-1]\n",
        "def f(a, i):  # locals: l0 a, l1 i\n    a[1:, :-1] = a[i, ::2, np.newaxis{None}, ..., 1:i:-1]\n",
    );
}

#[test]
fn operator_ufuncs_are_their_operators_and_out_wraps_the_call() {
    // One node per operation whichever way it is written, so typing and
    // fusion cannot differ; an output array is an `Out` around the call.
    check(
        "\
def f(a, b, c):
    d = np.add(a, np.multiply(b, 2.0)) - np.power(a, b)
    e = np.less_equal(a, b), np.invert(a), np.real(a), np.imag(a), a.conjugate()
    np.sqrt(a, out=c)
    np.subtract(a, b, c)
    np.add(a, b, out=None)
    return np.where(a, b, c), np.add(a), np.real(a, b)
",
        "\
def f(a, b, c):  # locals: l0 a, l1 b, l2 c, l3 d, l4 e
    d = ((a + (b * 2.0)) - (a ** b))
    e = ((a <= b), (~a), a.real, a.imag, <numpy.conjugate>(a))
    (<numpy.sqrt>(a) -> out=c)
    ((a - b) -> out=c)
    (a + b)
    return (<numpy.where>(a, b, c), <numpy.add>(a), <numpy.real>(a, b))
",
    );
}
