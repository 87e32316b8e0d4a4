// The optimization pipeline's pass builder and analysis managers (new pass
// manager), built once per pipeline text and target machine and used for
// every module, where LLVM's C API (`LLVMRunPasses`) builds them, registering
// every analysis in four managers, for each one and tears them down after.
// Between modules the analysis managers are emptied, so no cached result
// outlives its module. The passes themselves are parsed anew for each module:
// the inliner's wrapper pass (`default<O2>`'s `ModuleInlinerWrapperPass`)
// moves its pass manager out when it runs, so it runs once. `jit.rs` says
// why this is sound; codegen's tests compare the optimized IR with the C
// API's.

#include "llvm-c/Core.h"
#include "llvm-c/TargetMachine.h"
#include "llvm/Analysis/CGSCCPassManager.h"
#include "llvm/Analysis/LoopAnalysisManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <cstdlib>
#include <cstring>
#include <string>

namespace {

llvm::PipelineTuningOptions tuning() {
  llvm::PipelineTuningOptions Options;
  Options.LoopVectorization = true;
  Options.SLPVectorization = true;
  // Interleaving (several vector bodies per iteration) doubles the speed of
  // loops over data in cache, e.g. filling a fresh temporary per outer step
  // (bench "temporaries in a loop": 2.2x Numba's time without it); its
  // compile-time cost was within the noise of the first-call bench.
  Options.LoopInterleaving = true;
  Options.LoopUnrolling = true;
  return Options;
}

struct Optimizer {
  // Declared first, destroyed last: the analysis managers' registered
  // analyses refer to it (the default alias analysis pipeline).
  llvm::PassBuilder Builder;
  llvm::LoopAnalysisManager Loops;
  llvm::FunctionAnalysisManager Functions;
  llvm::CGSCCAnalysisManager Sccs;
  llvm::ModuleAnalysisManager Modules;
  std::string Pipeline;

  explicit Optimizer(llvm::TargetMachine *Machine) : Builder(Machine, tuning()) {
    Builder.registerModuleAnalyses(Modules);
    Builder.registerCGSCCAnalyses(Sccs);
    Builder.registerFunctionAnalyses(Functions);
    Builder.registerLoopAnalyses(Loops);
    Builder.crossRegisterProxies(Loops, Functions, Sccs, Modules);
  }
};

} // namespace

// The pipeline `Pipeline` (the text `opt -passes=` takes) for `Machine`, or
// null with `*Error` set to a malloc'd message if the text does not parse.
extern "C" void *ferrojit_optimizer_create(LLVMTargetMachineRef Machine,
                                           const char *Pipeline, char **Error) {
  auto *O = new Optimizer(reinterpret_cast<llvm::TargetMachine *>(Machine));
  llvm::ModulePassManager Passes;
  if (llvm::Error Err = O->Builder.parsePassPipeline(Passes, Pipeline)) {
    *Error = strdup(llvm::toString(std::move(Err)).c_str());
    delete O;
    return nullptr;
  }
  O->Pipeline = Pipeline;
  return O;
}

// Runs the pipeline on `Module`, then forgets every analysis of it.
extern "C" void ferrojit_optimizer_run(void *Optimizer, LLVMModuleRef Module) {
  auto *O = static_cast<::Optimizer *>(Optimizer);
  llvm::ModulePassManager Passes;
  llvm::cantFail(O->Builder.parsePassPipeline(Passes, O->Pipeline));
  Passes.run(*llvm::unwrap(Module), O->Modules);
  O->Loops.clear();
  O->Functions.clear();
  O->Sccs.clear();
  O->Modules.clear();
}
