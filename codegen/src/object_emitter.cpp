// A machine-code pass pipeline built once per target machine and run on every
// module, where LLVM's C API (`LLVMTargetMachineEmitToMemoryBuffer`) builds,
// schedules and destroys the whole legacy pipeline (about 100 passes) for
// each one: 0.5-0.8 ms per compile, a third of a trivial function's first
// call. The pipeline's passes are made to run on one module after
// another (a legacy pass manager runs doInitialization/doFinalization around
// each module: MachineModuleInfo resets its MCContext, the AsmPrinter finishes
// and resets its streamer and drops the handlers it added); `jit.rs` says why
// this is sound for ferrojit's modules, and codegen's tests compare its
// objects byte for byte with the C API's.

#include "llvm-c/Core.h"
#include "llvm-c/TargetMachine.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

namespace {

struct ObjectEmitter {
  llvm::SmallVector<char, 0> Object;
  llvm::raw_svector_ostream Stream{Object};
  llvm::legacy::PassManager Passes;
  llvm::TargetMachine *Machine;
};

} // namespace

// The emitter of ELF objects for `Machine`, or null if it cannot make them.
extern "C" void *ferrojit_object_emitter_create(LLVMTargetMachineRef Machine) {
  auto *Emitter = new ObjectEmitter();
  Emitter->Machine = reinterpret_cast<llvm::TargetMachine *>(Machine);
  if (Emitter->Machine->addPassesToEmitFile(Emitter->Passes, Emitter->Stream,
                                            nullptr,
                                            llvm::CodeGenFileType::ObjectFile)) {
    delete Emitter;
    return nullptr;
  }
  return Emitter;
}

// The object file of `Module`, as `LLVMTargetMachineEmitToMemoryBuffer` makes it.
extern "C" LLVMMemoryBufferRef ferrojit_object_emitter_run(void *Emitter,
                                                           LLVMModuleRef Module) {
  auto *E = static_cast<ObjectEmitter *>(Emitter);
  llvm::Module *M = llvm::unwrap(Module);
  M->setDataLayout(E->Machine->createDataLayout());
  E->Object.clear();
  E->Passes.run(*M);
  return LLVMCreateMemoryBufferWithMemoryRangeCopy(E->Object.data(),
                                                   E->Object.size(), "object");
}
