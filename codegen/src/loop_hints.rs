//! What `llvm.loop` metadata asks of each range loop, decided from the low IR
//! of its body (`emit.rs` attaches it to the loop's back edge).

use std::collections::HashSet;

use lower::ir::{self, Block, Inst, LType, Stmt, VarId};

/// What `llvm.loop` metadata asks of a loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LoopHints {
    /// No vectorization, interleaving or unrolling: the loop is cold.
    Cold,
    /// Once vectorized, neither the vector loop nor its scalar remainder is
    /// unrolled: the remainder runs fewer iterations than one vector step.
    Innermost,
    /// An `Innermost` loop inside another loop whose iterations carry no
    /// variable (each writes its own elements): also interleaved
    /// [`INDEPENDENT_INTERLEAVE`] times.
    Independent,
    /// An innermost loop that carries a strict float chain: unrolled
    /// [`STRICT_CHAIN_UNROLL`] times (as `Innermost` should LLVM vectorize it).
    StrictChain,
    /// Not unrolled: that would copy the loops inside it.
    Outer,
}

/// How many times a [`LoopHints::StrictChain`] loop is unrolled, past the
/// global cap of two (`jit.rs`). Such a loop is not vectorized: each
/// iteration's update waits for the previous one's, so unrolling does not
/// shorten the chain, but it pays the loop control (counter, compare, branch)
/// once per eight elements. With fewer instructions per element, more of the
/// iterations after the chain fit in the out-of-order window and run while it
/// waits: the chains of successive outer iterations overlap. A sum over a
/// window of 32 (bench/run.py's running mean) went from 27-34 ms to 18-22 ms
/// per call. Eight is LLVM's own runtime unroll count, which Numba gets.
pub(crate) const STRICT_CHAIN_UNROLL: u32 = 8;

/// How many vector iterations an [`LoopHints::Independent`] loop's vector
/// body does at once. LLVM 19 picks up to four for a loop of doubles (sixteen
/// elements a step) and runs a shorter trip count wholly in the scalar
/// remainder: it vectorizes a remainder only after a main loop of sixteen
/// lanes (LLVM 22, which Numba ships, gives it a vector epilogue of four).
/// That remainder is paid once per outer iteration, where a short trip count
/// (a window, a stencil's taps) is common: a loop that writes a window of 8
/// per outer iteration (`bench/corpus.py`'s `alloc_once`) took 2.0x Numba's
/// time, 0.85x with two (eight elements a step). A top-level loop pays it
/// once per call and keeps LLVM's count, which may be one (a gather). Loops
/// that carry a value keep it too: a vectorized reduction needs the
/// independent accumulators that interleaving gives it.
pub(crate) const INDEPENDENT_INTERLEAVE: u32 = 2;

/// The most instructions (variable reads and constants aside) in the body of
/// a `StrictChain` loop: a load or two, their addresses and the update, where
/// the loop control is a large part of each iteration. Larger bodies measured
/// slower unrolled eight times: a 5x5 convolution's inner loop (16, five
/// iterations: all in the remainder) by 7-11%, `s += a[-i - 1] * (i % 3)`
/// (22: the unrolled body spilled registers) by 13%.
const STRICT_CHAIN_MAX_BODY: usize = 8;

/// The hints for a range loop with this `body` in `f`. `cold`: the loop is in
/// a cold copy (`Stmt::Versioned::checked`). `constant_trip`: its trip count
/// is a constant, which LLVM's own unroller sizes (fully unrolled when small;
/// an unroll count would take priority over that). `nested`: the loop is
/// inside another loop of `f`.
pub(crate) fn loop_hints(
    f: &ir::Function,
    body: &Block,
    cold: bool,
    constant_trip: bool,
    nested: bool,
) -> LoopHints {
    if cold {
        LoopHints::Cold
    } else if contains_loop(body) {
        LoopHints::Outer
    } else if !constant_trip && carries_strict_float_chain(f, body) {
        LoopHints::StrictChain
    } else if nested && !carries_a_variable(body) {
        LoopHints::Independent
    } else {
        LoopHints::Innermost
    }
}

/// Whether an iteration of the loop with this `body` may read a variable
/// that an earlier iteration set: one read, at any depth, before the body
/// sets it unconditionally, and set somewhere in the body.
fn carries_a_variable(body: &Block) -> bool {
    fn reads(block: &[Stmt], set_before: &HashSet<VarId>, read_first: &mut HashSet<VarId>) {
        for s in block {
            if let Stmt::Let {
                inst: Inst::Get(var),
                ..
            } = s
            {
                if !set_before.contains(var) {
                    read_first.insert(*var);
                }
            }
            for inner in s.blocks() {
                reads(inner, set_before, read_first);
            }
        }
    }
    fn sets(block: &Block, set: &mut HashSet<VarId>) {
        for s in block {
            match s {
                Stmt::Set { var, .. } => {
                    set.insert(*var);
                }
                Stmt::Call { results, .. } => set.extend(results),
                _ => {}
            }
            for inner in s.blocks() {
                sets(inner, set);
            }
        }
    }
    let mut set_before = HashSet::new();
    let mut read_first = HashSet::new();
    for s in body {
        reads(std::slice::from_ref(s), &set_before, &mut read_first);
        if let Stmt::Set { var, .. } = s {
            set_before.insert(*var);
        }
    }
    let mut set_anywhere = HashSet::new();
    sets(body, &mut set_anywhere);
    read_first.iter().any(|var| set_anywhere.contains(var))
}

/// Whether `block` contains a loop, at any depth.
fn contains_loop(block: &Block) -> bool {
    block.iter().any(|s| match s {
        Stmt::Loop { .. } | Stmt::ForRange { .. } => true,
        _ => s.blocks().into_iter().any(contains_loop),
    })
}

/// Whether `body` is small and updates a real float variable in program
/// order (`ir::float_updates`, none of them reassociable): a chain that LLVM's
/// vectorizer cannot take apart. Complex chains are left out: a complex dot
/// product measured 4-9% slower unrolled eight times.
fn carries_strict_float_chain(f: &ir::Function, body: &Block) -> bool {
    !f.fastmath
        && size(body) <= STRICT_CHAIN_MAX_BODY
        && ir::float_updates(body).iter().any(|(var, value)| {
            matches!(f.vars[var.0 as usize].ty, LType::F32 | LType::F64)
                && !f.reassociate.contains(value)
        })
}

/// The statements of `body` and the blocks nested in it that become
/// instructions: variable reads and constants aside (registers once LLVM
/// has promoted the variables).
fn size(body: &Block) -> usize {
    body.iter()
        .map(|s| match s {
            Stmt::Let {
                inst: Inst::Get(_) | Inst::Const(_),
                ..
            }
            | Stmt::Set { .. } => 0,
            _ => 1 + s.blocks().into_iter().map(size).sum::<usize>(),
        })
        .sum()
}
