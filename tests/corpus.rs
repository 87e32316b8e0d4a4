//! Snapshot tests over the kernel corpus in `tests/corpus/*.py`.
//!
//! Each corpus file holds one or more top-level `@jit` functions; the last one is
//! the kernel, compiled for the types on its `# signature:` line. The earlier
//! ones are helpers it may call. Every stage runs on it, and the low IR and the
//! unoptimized LLVM IR are snapshotted under `snapshots/corpus/`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use frontend::hir::{
    Constant, ExceptionKind, FuncId, GlobalValue, KnownFunction, KnownModule, Program,
};
use frontend::{Diagnostic, Resolver, SourceFile};

/// One top-level `def` (its decorators included) cut out of a corpus file.
struct DefChunk {
    name: String,
    text: String,
    first_line: u32,
}

/// A corpus file: the signature line, module-level constants, and its functions in order.
struct CorpusFile {
    signature: String,
    constants: HashMap<String, Constant>,
    defs: Vec<DefChunk>,
}

fn is_top_level_code(line: &str) -> bool {
    !line.is_empty() && !line.starts_with([' ', '\t', '#'])
}

/// Splits a corpus file line by line: a chunk starts at a column-0 decorator or
/// `def` and runs until the next column-0 statement. Comment lines are ignored
/// and trailing blank lines are trimmed from each chunk.
fn split_corpus(text: &str) -> CorpusFile {
    let lines: Vec<&str> = text.lines().collect();
    let signature = lines
        .first()
        .and_then(|l| l.strip_prefix("# signature:"))
        .expect("a corpus file starts with `# signature: (...)`")
        .trim()
        .to_string();

    let mut constants = HashMap::new();
    let mut defs = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with('@') || line.starts_with("def ") {
            let start = i;
            while !lines[i].starts_with("def ") {
                i += 1;
            }
            let name = lines[i]["def ".len()..]
                .split('(')
                .next()
                .unwrap()
                .trim()
                .to_string();
            i += 1;
            while i < lines.len() && !is_top_level_code(lines[i]) {
                i += 1;
            }
            let mut end = i;
            while lines[end - 1].trim().is_empty() {
                end -= 1;
            }
            let mut chunk = lines[start..end].join("\n");
            chunk.push('\n');
            defs.push(DefChunk {
                name,
                text: chunk,
                first_line: start as u32 + 1,
            });
            continue;
        }
        if let Some((lhs, rhs)) = line.split_once('=') {
            let name = lhs.trim();
            if is_top_level_code(line)
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                constants.insert(name.to_string(), parse_number(rhs.trim()));
            }
        }
        i += 1;
    }
    CorpusFile {
        signature,
        constants,
        defs,
    }
}

fn parse_number(text: &str) -> Constant {
    if let Ok(v) = text.parse::<i64>() {
        Constant::Int(v)
    } else {
        Constant::Float(
            text.parse::<f64>()
                .unwrap_or_else(|_| panic!("module constant `{text}` is not a number")),
        )
    }
}

/// The names a corpus file can see: what `pymod` would report from the module's globals.
struct TableResolver {
    table: HashMap<String, GlobalValue>,
}

impl TableResolver {
    fn new(file: &CorpusFile) -> TableResolver {
        let mut table = HashMap::new();
        table.insert("np".to_string(), GlobalValue::Module(KnownModule::Numpy));
        table.insert("math".to_string(), GlobalValue::Module(KnownModule::Math));
        let builtins = [
            ("prange", KnownFunction::Prange),
            ("range", KnownFunction::Range),
            ("len", KnownFunction::Len),
            ("abs", KnownFunction::Abs),
            ("min", KnownFunction::Min),
            ("max", KnownFunction::Max),
            ("int", KnownFunction::Int),
            ("float", KnownFunction::Float),
            ("bool", KnownFunction::Bool),
            ("complex", KnownFunction::Complex),
            ("round", KnownFunction::Round),
        ];
        for (name, f) in builtins {
            table.insert(name.to_string(), GlobalValue::Function(f));
        }
        for kind in ExceptionKind::ALL {
            table.insert(
                kind.name().to_string(),
                GlobalValue::Function(KnownFunction::Exception(kind)),
            );
        }
        for (name, value) in &file.constants {
            table.insert(name.clone(), GlobalValue::Constant(value.clone()));
        }
        for (index, def) in file.defs.iter().enumerate() {
            table.insert(def.name.clone(), GlobalValue::Jit(FuncId(index as u32)));
        }
        TableResolver { table }
    }
}

impl Resolver for TableResolver {
    fn resolve(&mut self, name: &str) -> Option<GlobalValue> {
        self.table.get(name).cloned()
    }
}

fn render(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| {
            let (line, col) = d.source.line_col(d.span.start);
            format!(
                "error[{}]: {} at {}:{line}:{col} ({})",
                d.code, d.message, d.source.path, d.label
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs the pipeline up to LLVM IR: (low IR text, LLVM IR text).
fn compile_corpus_file(path: &Path) -> (String, String) {
    let text = std::fs::read_to_string(path).unwrap();
    let file = split_corpus(&text);
    assert!(
        !file.defs.is_empty(),
        "{}: no top-level def",
        path.display()
    );
    let display_path = format!(
        "tests/corpus/{}",
        path.file_name().unwrap().to_string_lossy()
    );

    let mut resolver = TableResolver::new(&file);
    let mut program = Program::default();
    for def in &file.defs {
        let source = Arc::new(SourceFile {
            path: display_path.clone(),
            text: def.text.clone(),
            first_line: def.first_line,
        });
        let function = frontend::parse(source, &mut resolver).unwrap_or_else(|d| {
            panic!(
                "{display_path}: `{}` does not parse:\n{}",
                def.name,
                render(&d)
            )
        });
        program.functions.push(Arc::new(function));
    }

    let (_, arg_types) = typeinfer::parse_signature(&file.signature)
        .unwrap_or_else(|e| panic!("{display_path}: bad signature `{}`: {e}", file.signature));
    let entry = FuncId(file.defs.len() as u32 - 1);
    let typed = typeinfer::infer(&program, entry, &arg_types)
        .unwrap_or_else(|d| panic!("{display_path}: type errors:\n{}", render(&d)));
    let low = lower::lower(&typed, &lower::LowerOptions::default());
    let llvm = codegen::emit_llvm_ir(&low, &codegen::CodegenOptions::default())
        .unwrap_or_else(|e| panic!("{display_path}: codegen failed: {}", e.0));
    (low.to_string(), llvm)
}

#[test]
fn corpus_snapshots() {
    insta::glob!("corpus/*.py", |path| {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let (low, llvm) = compile_corpus_file(path);
        let mut settings = insta::Settings::clone_current();
        // glob! would name snapshots `<name>@<file>.py`; one name per kernel reads better.
        settings.remove_snapshot_suffix();
        settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots/corpus"));
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| {
            insta::assert_snapshot!(format!("{name}.lower"), low);
            insta::assert_snapshot!(format!("{name}.llvm"), llvm);
        });
    });
}

#[test]
fn split_keeps_helpers_constants_and_line_numbers() {
    let file = split_corpus(
        "# signature: (float64[:],)\nfrom ferrojit import jit\n\nK = 2\nR = 0.5\n\n\n@jit\ndef helper(x):\n    return x * K\n\n\n@jit\ndef kernel(a):\n    # a comment\n\n    return helper(a[0]) + R\n",
    );
    assert_eq!(file.signature, "(float64[:],)");
    assert_eq!(file.constants.get("K"), Some(&Constant::Int(2)));
    assert_eq!(file.constants.get("R"), Some(&Constant::Float(0.5)));
    let names: Vec<_> = file
        .defs
        .iter()
        .map(|d| (d.name.as_str(), d.first_line))
        .collect();
    assert_eq!(names, [("helper", 8), ("kernel", 13)]);
    assert_eq!(
        file.defs[0].text,
        "@jit\ndef helper(x):\n    return x * K\n"
    );
    assert!(file.defs[1].text.ends_with("    return helper(a[0]) + R\n"));
}
