//! What the compiler crates' tests share: a Python test file cut into its
//! functions, and a `Resolver` that sees the file's names as `pymod` would see
//! the module's globals. The corpus snapshot tests live in tests/corpus.rs.

use std::collections::HashMap;
use std::sync::Arc;

use frontend::hir::{Constant, FuncId, GlobalValue, KnownFunction, KnownModule, Program};
use frontend::{Resolver, SourceFile};

/// One top-level `def` (its decorators included) cut out of a test file.
pub struct Def {
    pub name: String,
    pub text: String,
    /// Line of `text`'s first line in the file, 1-based.
    pub first_line: u32,
}

/// A test file: its `# signature: (...)` line, module-level number constants,
/// and its top-level functions in order; `FuncId(i)` is `defs[i]`.
pub struct TestFile {
    pub signature: Option<String>,
    pub constants: HashMap<String, Constant>,
    pub defs: Vec<Def>,
}

fn is_top_level_code(line: &str) -> bool {
    !line.is_empty() && !line.starts_with([' ', '\t', '#'])
}

impl TestFile {
    /// Splits a file line by line: a function starts at a column-0 decorator or
    /// `def` and runs until the next column-0 statement; trailing blank lines are
    /// trimmed. A column-0 `NAME = number` (or `True`/`False`) is a constant.
    pub fn split(text: &str) -> TestFile {
        let lines: Vec<&str> = text.lines().collect();
        let signature = lines
            .iter()
            .find_map(|l| l.strip_prefix("# signature:"))
            .map(|s| s.trim().to_string());
        let mut constants = HashMap::new();
        let mut defs = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            if line.starts_with('@') || line.starts_with("def ") {
                let start = i;
                while i < lines.len() && !lines[i].starts_with("def ") {
                    i += 1;
                }
                let Some(def_line) = lines.get(i) else {
                    panic!("decorator on line {} without a `def`", start + 1);
                };
                let name = def_line["def ".len()..]
                    .split('(')
                    .next()
                    .unwrap_or("")
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
                defs.push(Def {
                    name,
                    text: lines[start..end].join("\n") + "\n",
                    first_line: start as u32 + 1,
                });
                continue;
            }
            if let Some((lhs, rhs)) = line.split_once('=') {
                let name = lhs.trim();
                let is_name =
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if is_top_level_code(line) && is_name {
                    if let Some(c) = parse_constant(rhs.trim()) {
                        constants.insert(name.to_string(), c);
                    }
                }
            }
            i += 1;
        }
        TestFile {
            signature,
            constants,
            defs,
        }
    }

    /// Parses every function with a `TableResolver` over this file; `path` is the
    /// file name diagnostics show. Panics with the rendered diagnostics when one
    /// does not parse.
    pub fn program(&self, path: &str) -> Program {
        self.program_with(path, &[])
    }

    /// `program`, with more module-level names (values no test file can
    /// spell, such as a frozen NumPy array).
    pub fn program_with(&self, path: &str, globals: &[(&str, GlobalValue)]) -> Program {
        let mut resolver = TableResolver::new(self);
        for (name, value) in globals {
            resolver.table.insert(name.to_string(), value.clone());
        }
        let mut program = Program::default();
        for def in &self.defs {
            let source = Arc::new(SourceFile {
                path: path.to_string(),
                text: def.text.clone(),
                first_line: def.first_line,
            });
            let function = frontend::parse(source, &mut resolver).unwrap_or_else(|d| {
                panic!(
                    "{path}: `{}` does not parse:\n{}",
                    def.name,
                    frontend::render_all(&d)
                )
            });
            program.functions.push(Arc::new(function));
        }
        program
    }
}

fn parse_constant(text: &str) -> Option<Constant> {
    match text {
        "True" => Some(Constant::Bool(true)),
        "False" => Some(Constant::Bool(false)),
        _ => text
            .parse()
            .map(Constant::Int)
            .ok()
            .or_else(|| text.parse().map(Constant::Float).ok()),
    }
}

/// The names a test file sees, as `pymod` would report them for a module that
/// did `import numpy as np`, `import math`, `import ferrojit as fj` and
/// `from ferrojit import prange`:
/// the builtins, the file's constants, and its functions as `@jit` functions.
pub struct TableResolver {
    table: HashMap<String, GlobalValue>,
}

impl TableResolver {
    pub fn new(file: &TestFile) -> TableResolver {
        let mut table = HashMap::new();
        for (name, f) in frontend::known::builtins() {
            table.insert(name.to_string(), GlobalValue::Function(f));
        }
        table.insert(
            "prange".to_string(),
            GlobalValue::Function(KnownFunction::Prange),
        );
        // `import ferrojit as fj`: a module pymod resolves `fj.prange` on.
        table.insert(
            "fj.prange".to_string(),
            GlobalValue::Function(KnownFunction::Prange),
        );
        table.insert("np".to_string(), GlobalValue::Module(KnownModule::Numpy));
        table.insert("math".to_string(), GlobalValue::Module(KnownModule::Math));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_keeps_helpers_constants_and_line_numbers() {
        let file = TestFile::split(
            "# signature: (float64[:],)\nfrom ferrojit import jit\n\nK = 2\nR = 0.5\nFLAG = True\nNAME = 'x'\n\n\n@jit\ndef helper(x):\n    y = 3\n    return x * K\n\n\n@jit\ndef kernel(a):\n    # a comment\n\n    return helper(a[0]) + R\n",
        );
        assert_eq!(file.signature.as_deref(), Some("(float64[:],)"));
        assert_eq!(file.constants.get("K"), Some(&Constant::Int(2)));
        assert_eq!(file.constants.get("R"), Some(&Constant::Float(0.5)));
        assert_eq!(file.constants.get("FLAG"), Some(&Constant::Bool(true)));
        // Neither a string nor a local is a module constant.
        assert_eq!(file.constants.len(), 3);
        let names: Vec<_> = file
            .defs
            .iter()
            .map(|d| (d.name.as_str(), d.first_line))
            .collect();
        assert_eq!(names, [("helper", 10), ("kernel", 16)]);
        assert_eq!(
            file.defs[0].text,
            "@jit\ndef helper(x):\n    y = 3\n    return x * K\n"
        );
        assert!(file.defs[1].text.ends_with("    return helper(a[0]) + R\n"));
    }

    #[test]
    fn functions_call_each_other_and_see_builtins_and_constants() {
        let file = TestFile::split(
            "SCALE = 2.5\ndef helper(x):\n    return abs(x) * SCALE\ndef kernel(a):\n    return helper(math.sqrt(a)) + np.float32(len((1, 2)))\n",
        );
        let program = file.program("t.py");
        assert_eq!(program.functions.len(), 2);
        assert_eq!(program.functions[1].source.line_col(0), (4, 1));
        let kernel = program.functions[1].to_string();
        assert!(kernel.contains("fn0(<math.sqrt>(a))"), "{kernel}");
        let helper = program.functions[0].to_string();
        assert!(helper.contains("SCALE{2.5}"), "{helper}");
    }
}
