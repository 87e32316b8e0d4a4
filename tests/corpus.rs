//! Snapshot tests over the kernel corpus in `tests/corpus/*.py`.
//!
//! Each corpus file holds one or more top-level `@jit` functions; the last one is
//! the kernel, compiled for the types on its `# signature:` line. The earlier
//! ones are helpers it may call. Every stage runs on it, and the low IR and the
//! unoptimized LLVM IR are snapshotted under `snapshots/corpus/`.

use std::path::Path;

use corpus_tests::TestFile;
use frontend::hir::FuncId;

/// Runs the pipeline up to LLVM IR: (low IR text, LLVM IR text).
fn compile_corpus_file(path: &Path) -> (String, String) {
    let text = std::fs::read_to_string(path).unwrap();
    let file = TestFile::split(&text);
    let display_path = format!(
        "tests/corpus/{}",
        path.file_name().unwrap().to_string_lossy()
    );
    assert!(!file.defs.is_empty(), "{display_path}: no top-level def");
    let signature = file
        .signature
        .as_deref()
        .unwrap_or_else(|| panic!("{display_path}: no `# signature: (...)` line"));
    let program = file.program(&display_path);
    let (_, arg_types) = typeinfer::parse_signature(signature)
        .unwrap_or_else(|e| panic!("{display_path}: bad signature `{signature}`: {e}"));
    let entry = FuncId(file.defs.len() as u32 - 1);
    let typed = typeinfer::infer(&program, entry, &arg_types)
        .unwrap_or_else(|d| panic!("{display_path}: type errors:\n{}", frontend::render_all(&d)));
    let options = vec![lower::LowerOptions::default(); typed.functions.len()];
    let low = lower::lower(&typed, &options);
    let llvm = codegen::emit_llvm_ir(&low)
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
