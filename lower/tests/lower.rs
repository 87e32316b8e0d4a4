//! Snapshots of the low IR for the small kernels in `tests/data/lower/*.py`.
//!
//! A file starts with `# signature: (...)`, may have `# options: boundscheck=False,
//! wraparound=False, error_model=numpy, fastmath=True` (for every function) and
//! `# options for NAME: ...` (for the `def` named NAME only, as its `@jit(...)`
//! would), module constants (`SCALE = 2.5`) and one or more `def`s calling each
//! other as `@jit` functions; the last `def` is the entry.

use corpus_tests::TestFile;
use frontend::hir::FuncId;
use lower::LowerOptions;

/// The options of the function called `name`: `# options:`, then `# options for name:`.
fn parse_options(text: &str, name: &str) -> LowerOptions {
    let mut options = LowerOptions::default();
    let own = format!("# options for {name}: ");
    let lines = text.lines().filter_map(|l| {
        l.strip_prefix("# options: ")
            .or_else(|| l.strip_prefix(own.as_str()))
    });
    for item in lines.flat_map(|line| line.split(',')) {
        match item.trim() {
            "boundscheck=False" => options.boundscheck = false,
            "wraparound=False" => options.wraparound = false,
            "error_model=numpy" => options.numpy_error_model = true,
            "fastmath=True" => options.fastmath = true,
            other => panic!("unknown option `{other}`"),
        }
    }
    options
}

/// Parses, infers and lowers `text` (the last `def` is the entry), returning the printed IR.
fn check(path: &str, text: &str) -> String {
    let file = TestFile::split(text);
    let signature = file
        .signature
        .as_deref()
        .unwrap_or_else(|| panic!("{path}: no `# signature:` line"));
    let (_, args) = typeinfer::parse_signature(signature).unwrap_or_else(|e| panic!("{path}: {e}"));
    let program = file.program(path);
    let entry = FuncId(program.functions.len() as u32 - 1);
    let typed = typeinfer::infer(&program, entry, &args)
        .unwrap_or_else(|d| panic!("{path} does not type:\n{}", frontend::render_all(&d)));
    let options: Vec<LowerOptions> = typed
        .functions
        .iter()
        .map(|f| parse_options(text, &f.hir.name))
        .collect();
    lower::lower(&typed, &options).to_string()
}

#[test]
fn lower_snapshots() {
    insta::glob!("../../tests/data/lower", "*.py", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let ir = check(&name, &text);
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots/lower"),
            prepend_module_to_snapshot => false,
            input_file => path,
        }, {
            insta::assert_snapshot!("lower", ir);
        });
    });
}

/// Every kernel of the shared corpus lowers (and verifies, in debug builds)
/// without reaching a state the earlier stages promise away.
#[test]
fn corpus_kernels_lower() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/corpus");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "py") {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let ir = check(&name, &std::fs::read_to_string(&path).unwrap());
            assert!(!ir.contains("internal error"), "{name}:\n{ir}");
            count += 1;
        }
    }
    assert!(count >= 20, "only {count} corpus kernels");
}

/// The number of bounds checks left in the printed IR.
fn checks(ir: &str) -> usize {
    ir.matches("raise IndexError").count()
}

#[test]
fn provably_in_range_loops_have_no_checks() {
    let sum = "# signature: (float64[:],)\ndef f(a):\n    s = 0.0\n    for i in range(len(a)):\n        s += a[i]\n    return s\n";
    assert_eq!(checks(&check("sum.py", sum)), 0);
    let shape = "# signature: (float64[:, :],)\ndef f(a):\n    n, m = a.shape\n    s = 0.0\n    for i in range(n):\n        for j in range(m):\n            s += a[i, j]\n    return s\n";
    let ir = check("shape.py", shape);
    assert_eq!(checks(&ir), 0);
    assert!(!ir.contains("select"), "no wraparound expected:\n{ir}");
    let dot = "# signature: (float64[:], float64[:])\ndef f(x, y):\n    n = min(len(x), len(y))\n    acc = 0.0\n    for i in range(n):\n        acc += x[i] * y[i]\n    return acc\n";
    assert_eq!(checks(&check("dot.py", dot)), 0);
}

#[test]
fn unprovable_index_keeps_its_check() {
    let src = "# signature: (float64[:], int64)\ndef f(a, k):\n    return a[k]\n";
    let ir = check("one.py", src);
    assert_eq!(checks(&ir), 1);
    // In bounds with one compare; the wraparound is in the branch marked unlikely.
    assert!(ir.contains("expect"), "wraparound expected:\n{ir}");
    let off = "# signature: (float64[:], int64)\n# options: boundscheck=False, wraparound=False\ndef f(a, k):\n    return a[k]\n";
    let ir = check("off.py", off);
    assert_eq!(checks(&ir), 0);
    assert!(!ir.contains("select"));
}

#[test]
fn shifted_index_in_innermost_loop_is_versioned() {
    // `a[i + k]` cannot be proven in range, but its check hoists out of the loop.
    let src = "# signature: (float64[:], int64, int64)\ndef f(a, k, n):\n    s = 0.0\n    for i in range(n):\n        s += a[i + k]\n    return s\n";
    let ir = check("shift.py", src);
    // One loop without checks, one with: the slow copy keeps exactly one.
    assert_eq!(ir.matches("for x").count(), 2, "{ir}");
    assert_eq!(checks(&ir), 1, "{ir}");
}

/// The printed functions of a module, by name (`fn name(` starts each one).
fn functions(ir: &str) -> Vec<(String, String)> {
    ir.split("\nfn ")
        .skip(1)
        .map(|f| {
            let name = f.split('(').next().unwrap().to_string();
            (name, f.to_string())
        })
        .collect()
}

#[test]
fn only_functions_on_a_call_cycle_check_the_stack() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/lower/mutual_recursion.py"
    ))
    .unwrap();
    let ir = check("mutual_recursion.py", &text);
    let guarded: Vec<(String, bool)> = functions(&ir)
        .into_iter()
        .map(|(name, body)| (name, body.contains("stack.exhausted")))
        .collect();
    let expect = |name: &str| guarded.iter().find(|(n, _)| n == name).map(|(_, g)| *g);
    // The entry and the helper are called from the cycle but are not on it.
    assert_eq!(expect("parity"), Some(false), "{ir}");
    assert_eq!(expect("step"), Some(false), "{ir}");
    assert_eq!(expect("is_even"), Some(true), "{ir}");
    assert_eq!(expect("is_odd"), Some(true), "{ir}");
    assert_eq!(
        ir.matches("raise RecursionError(\"maximum recursion depth exceeded\")")
            .count(),
        2
    );
}

#[test]
fn allocations_check_the_byte_count_for_overflow() {
    let too_big = "raise ValueError(\"array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size.\")";
    let empty = "# signature: (int64, int64)\nimport numpy as np\ndef f(n, m):\n    return np.empty((n, m, 3))\n";
    let ir = check("empty.py", empty);
    // Axis by axis, as NumPy checks them: the first offending axis decides.
    let negative = "raise ValueError(\"negative dimensions are not allowed\")";
    let order: Vec<&str> = ir
        .lines()
        .map(str::trim)
        .filter(|l| *l == too_big || *l == negative)
        .collect();
    assert_eq!(
        order,
        [negative, too_big, negative, too_big, too_big],
        "{ir}"
    );
    // One division per extent: a zero extent is skipped, as NumPy does.
    assert_eq!(ir.matches(" = sdiv ").count(), 3, "{ir}");
    // A copy has the size of an array that exists: nothing to check.
    let copy = "# signature: (float64[:, :],)\ndef f(a):\n    return a.copy()\n";
    assert!(!check("copy.py", copy).contains(too_big));
}

/// A local only ever assigned views of arrays that live for the whole call
/// (a parameter never reassigned, a module-level array, such a local) holds no
/// reference of its own; any other array local does.
#[test]
fn views_of_borrowed_arrays_take_no_reference() {
    let counts = |ir: &str| ir.matches("retain ").count() + ir.matches("release ").count();
    let rows = "# signature: (float64[:, :],)\ndef f(X):\n    s = 0.0\n    for i in range(X.shape[0]):\n        row = X[i]\n        tail = row[1:]\n        s += tail[0]\n    for r in X:\n        s += r[0]\n    return s\n";
    let ir = check("rows.py", rows);
    assert_eq!(counts(&ir), 0, "{ir}");
    assert!(!ir.contains("owners"), "{ir}");
    // `v` may hold a view of the buffer `t` drops: it must keep it alive.
    let fresh = "# signature: (float64[:], int64)\nimport numpy as np\ndef f(a, n):\n    v = a[1:]\n    for i in range(n):\n        t = np.ones(5)\n        v = t[1:]\n        t = np.zeros(3)\n    return v[0]\n";
    let ir = check("fresh.py", fresh);
    assert!(ir.contains("retain "), "{ir}");
    // A parameter reassigned holds a reference, and so do views of it.
    let reassigned = "# signature: (float64[:],)\ndef f(a):\n    v = a[1:]\n    a = a[::2]\n    return v[0] + a[0]\n";
    let ir = check("reassigned.py", reassigned);
    assert!(ir.contains("owners x"), "{ir}");
    // An array index copies: the copy is counted.
    let gather =
        "# signature: (float64[:], int64[:])\ndef f(a, idx):\n    g = a[idx]\n    return g[0]\n";
    assert!(check("gather.py", gather).contains("release "));
}

/// An owner variable given the owner it already holds touches no count: each
/// retain and release of a reassigned array local is under a test that the
/// owner changed, except where a fresh array is taken over.
#[test]
fn reassigning_the_same_owner_touches_no_count() {
    let src = "# signature: (float64[:, :], int64)\ndef f(u, n):\n    v = u.copy()\n    s = 0.0\n    for i in range(n):\n        r = v[i % 2]\n        s += r[0]\n        u, v = v, u\n    return s\n";
    let ir = check("same.py", src);
    let lines: Vec<&str> = ir.lines().map(str::trim).collect();
    // `r = v[i % 2]`: its retain and its release each follow an `if` on the owner's change.
    let guarded = |op: &str| {
        lines
            .windows(2)
            .filter(|w| w[0].starts_with("if ") && w[1].starts_with(op))
            .count()
    };
    assert!(guarded("retain ") >= 1 && guarded("release ") >= 1, "{ir}");
    assert!(ir.contains("cmp ne"), "{ir}");
}

/// A `@jit` callee keeps its own options when called from a function compiled
/// with others, and the caller keeps its own.
#[test]
fn each_function_is_lowered_with_its_own_options() {
    let src = "# signature: (float64[:], int64)
# options for get: boundscheck=False, wraparound=False, error_model=numpy, fastmath=True
def get(a, k):
    return a[k] / a[0]


def caller(a, k):
    return a[k] / a[0] + get(a, k)
";
    let ir = check("own_options.py", src);
    let fs = functions(&ir);
    let body = |name: &str| {
        fs.iter()
            .find(|(n, _)| n == name)
            .map(|(_, f)| f.clone())
            .unwrap_or_else(|| panic!("no function `{name}` in\n{ir}"))
    };
    let (get, caller) = (body("get"), body("caller"));
    assert_eq!(checks(&get), 0, "{get}");
    assert!(!get.contains("division by zero"), "{get}");
    assert!(
        get.starts_with("get(") && get.lines().next().unwrap().contains(" fastmath {"),
        "{get}"
    );
    assert_eq!(checks(&caller), 2, "{caller}");
    assert!(caller.contains("float division by zero"), "{caller}");
    assert!(
        !caller.lines().next().unwrap().contains("fastmath"),
        "{caller}"
    );
}

/// A module-level array enters the IR as constants: its frozen copy's address,
/// extents and strides (LLVM folds the checks they decide).
#[test]
fn frozen_global_array_is_constant_address_extents_and_strides() {
    use frontend::hir::{Dtype, FrozenArray, GlobalValue};
    let text = "def lookup(i):\n    s = 0.0\n    for k in range(3):\n        s += TABLE[k, 1]\n    return s + TABLE[i, 0]\n";
    let file = TestFile::split(text);
    let table = GlobalValue::Array(FrozenArray {
        dtype: Dtype::Float64,
        shape: vec![3, 2],
        strides: vec![16, 8],
        data: 0x1000,
        object: 0x2000,
    });
    let program = file.program_with("frozen.py", &[("TABLE", table)]);
    let typed = typeinfer::infer(&program, FuncId(0), &[typeinfer::Type::INT])
        .unwrap_or_else(|d| panic!("{}", frontend::render_all(&d)));
    let ir = lower::lower(&typed, &[LowerOptions::default()]).to_string();
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots/lower"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("frozen_global_array", ir);
    });
}

/// A versioned `prange` loop is outlined once per copy: the fast copy's body
/// keeps no check, the checked copy's keeps them. The enclosing function runs
/// the fast one through a `parallel for`; the checked one's `parallel for` is
/// the checked copy of the loop, a cold function of its own.
#[test]
fn each_copy_of_a_versioned_prange_loop_is_outlined() {
    let src = "# signature: (float64[:, ::1], float64[::1], int64)\ndef f(a, out, k):\n    for i in prange(a.shape[0]):\n        s = 0.0\n        for j in range(a.shape[1]):\n            s += a[i, j + k]\n        out[i] = s\n";
    let ir = check("rows.py", src);
    let fns = functions(&ir);
    let names: Vec<&str> = fns.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["f", "f.prange0", "f.prange1", "f.checked0"], "{ir}");
    assert_eq!(fns[0].1.matches("parallel for").count(), 1, "{ir}");
    assert_eq!(checks(&fns[0].1), 0, "{ir}");
    assert!(fns[3].1.contains(") cold {"), "{ir}");
    assert_eq!(fns[3].1.matches("parallel for f2(").count(), 1, "{ir}");
    let (fast, checked) = (&fns[1].1, &fns[2].1);
    assert_eq!(checks(fast), 0, "fast copy:\n{fast}");
    assert!(checks(checked) > 0, "checked copy:\n{checked}");
}

/// The checked copy of a loop becomes a cold function of its own, called with
/// what it uses, but not one that uses a buffer made in its function: passed
/// to the call, the buffer's address would escape, and LLVM would then take
/// the fast copy's loads and stores as aliasing it.
#[test]
fn a_checked_copy_is_outlined_unless_it_uses_a_fresh_buffer() {
    let into_argument = "# signature: (float64[::1], float64[::1], int64)\ndef f(a, out, k):\n    for i in range(a.shape[0]):\n        out[i] = a[i + k]\n";
    let ir = check("argument.py", into_argument);
    let fns = functions(&ir);
    let names: Vec<&str> = fns.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["f", "f.checked0"], "{ir}");
    assert_eq!(checks(&fns[0].1), 0, "{ir}");
    assert!(checks(&fns[1].1) > 0, "{ir}");
    // `a`'s owner (x0) is read with each access but not used: not passed.
    let header = fns[1].1.lines().next().unwrap();
    assert!(ir.contains("var x0: ptr  // a.owner"), "{ir}");
    assert!(!header.contains("x0: ptr"), "{header}");
    let into_fresh = "# signature: (float64[::1], int64)\nimport numpy as np\ndef f(a, k):\n    t = np.zeros(a.shape[0])\n    for i in range(a.shape[0]):\n        t[i] = a[i + k]\n    return t[0]\n";
    let ir = check("fresh.py", into_fresh);
    let fns = functions(&ir);
    assert_eq!(fns.len(), 1, "{ir}");
    assert!(fns[0].1.contains("} else checked {"), "{ir}");
}

/// An outlined checked copy declares the variables and values it names, not
/// its parent's: forty checked loops in one function give forty functions of
/// the same size (copies of the parent's tables made outlining quadratic).
#[test]
fn a_checked_copy_names_only_its_own_variables_and_values() {
    let mut text =
        "# signature: (float64[::1], float64[::1], int64)\ndef f(a, out, k):\n".to_string();
    for _ in 0..40 {
        text += "    for i in range(a.shape[0]):\n        out[i] = a[i + k]\n";
    }
    let ir = check("many.py", &text);
    let fns = functions(&ir);
    let vars = |body: &str| {
        body.lines()
            .filter(|l| l.trim_start().starts_with("var "))
            .count()
    };
    // The largest value number the function defines.
    let last_value = |body: &str| {
        (body.lines())
            .filter_map(|l| l.trim_start().strip_prefix('v')?.split_once(" = "))
            .filter_map(|(n, _)| n.parse::<usize>().ok())
            .max()
            .unwrap_or(0)
    };
    assert_eq!(fns.len(), 41, "{ir}");
    assert!(vars(&fns[0].1) > 80, "{}", fns[0].1);
    for (name, body) in &fns[1..] {
        assert_eq!(vars(body), vars(&fns[1].1), "{name}: {body}");
        assert_eq!(last_value(body), last_value(&fns[1].1), "{name}: {body}");
        assert!(vars(body) < 20, "{name}: {body}");
    }
}
