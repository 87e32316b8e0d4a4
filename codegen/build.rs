//! Compiles `src/object_emitter.cpp` and `src/optimizer.cpp` against the LLVM that llvm-sys links
//! (`LLVM_SYS_191_PREFIX`, else `llvm-config-19` or `llvm-config` on the PATH).

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=src/object_emitter.cpp");
    println!("cargo:rerun-if-changed=src/optimizer.cpp");
    println!("cargo:rerun-if-env-changed=LLVM_SYS_191_PREFIX");
    // As llvm-sys looks for it: the prefix's, else a versioned or plain one on the PATH.
    let candidates: Vec<PathBuf> = match std::env::var_os("LLVM_SYS_191_PREFIX") {
        Some(prefix) => vec![PathBuf::from(prefix).join("bin").join("llvm-config")],
        None => vec!["llvm-config-19".into(), "llvm-config".into()],
    };
    let output = candidates
        .iter()
        .filter_map(|c| Command::new(c).arg("--includedir").output().ok())
        .find(|o| o.status.success())
        .unwrap_or_else(|| panic!("cannot run any of {candidates:?}: set LLVM_SYS_191_PREFIX"));
    let include = String::from_utf8(output.stdout).expect("llvm-config prints UTF-8");
    cc::Build::new()
        .cpp(true)
        .file("src/object_emitter.cpp")
        .file("src/optimizer.cpp")
        .include(include.trim())
        .std("c++17")
        // As LLVM itself is built (`llvm-config --cxxflags`).
        .flag("-fno-exceptions")
        .flag("-fno-rtti")
        .define("__STDC_CONSTANT_MACROS", None)
        .define("__STDC_FORMAT_MACROS", None)
        .define("__STDC_LIMIT_MACROS", None)
        .warnings(false)
        .compile("ferrojit_llvm_shims");
}
