//! Compiles `src/object_emitter.cpp` against the LLVM that llvm-sys links
//! (`LLVM_SYS_191_PREFIX`, else `llvm-config` on the PATH).

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=src/object_emitter.cpp");
    println!("cargo:rerun-if-env-changed=LLVM_SYS_191_PREFIX");
    let llvm_config = std::env::var_os("LLVM_SYS_191_PREFIX")
        .map(|prefix| PathBuf::from(prefix).join("bin").join("llvm-config"))
        .unwrap_or_else(|| PathBuf::from("llvm-config"));
    let output = Command::new(&llvm_config)
        .arg("--includedir")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", llvm_config.display()));
    let include = String::from_utf8(output.stdout).expect("llvm-config prints UTF-8");
    cc::Build::new()
        .cpp(true)
        .file("src/object_emitter.cpp")
        .include(include.trim())
        .std("c++17")
        // As LLVM itself is built (`llvm-config --cxxflags`).
        .flag("-fno-exceptions")
        .flag("-fno-rtti")
        .define("__STDC_CONSTANT_MACROS", None)
        .define("__STDC_FORMAT_MACROS", None)
        .define("__STDC_LIMIT_MACROS", None)
        .warnings(false)
        .compile("ferrojit_object_emitter");
}
