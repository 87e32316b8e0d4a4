//! Hand-built low-IR modules, compiled through the JIT and run through `EntryFn`.

mod support;

use codegen::runtime::{count_buffers, live_buffers, release_buffer, RuntimeContext};
use lower::ir::{
    BinaryOp::*, CastOp, CmpOp, ComplexFn, Const, Dtype, ExceptionKind, FuncIndex, Inst, LType,
    LType::*, Module, Primitive, RuntimeError, StepSign, Stmt, UnaryOp, ValueId,
    BUFFER_DATA_OFFSET,
};
use support::*;

macro_rules! assert_ir_snapshot {
    ($name:expr, $module:expr) => {
        let ir = codegen::emit_llvm_ir(&$module).unwrap_or_else(|e| panic!("{}", e.0));
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots/codegen"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!($name, ir);
        });
    };
}

/// `sum(a)` over a strided f64 buffer given as (data, extent, byte stride).
fn sum_module() -> Module {
    let mut f = FnBuilder::new("sum", &[F64]);
    let data = f.param("a.data", Ptr);
    let n = f.param("a.shape0", I64);
    let stride = f.param("a.stride0", I64);
    let acc = f.var("acc", F64);
    let i = f.var("i", I64);
    let zero = f.float(0.0);
    f.set(acc, zero);
    let (start, stop, step) = (f.int(0), f.get(n), f.int(1));
    f.for_range(i, [start, stop, step], StepSign::Positive, |f| {
        let (iv, s, d) = (f.get(i), f.get(stride), f.get(data));
        let offset = f.bin(IMul, iv, s);
        let p = f.inst(Ptr, Inst::PtrOffset { addr: d, offset });
        let x = f.inst(F64, Inst::Load { ty: F64, addr: p });
        let a = f.get(acc);
        let a2 = f.bin(FAdd, a, x);
        f.set(acc, a2);
    });
    let r = f.get(acc);
    f.ret(&[r]);
    module(vec![f.finish()])
}

#[test]
fn sums_contiguous_strided_and_reversed_buffers() {
    let code = compile(&sum_module());
    let xs: Vec<f64> = (0..101).map(|i| f64::from(i) * 0.5 - 3.0).collect();
    let base = xs.as_ptr() as u64;
    let sum = |args: &[u64]| as_f64(call(&code, args, 1).unwrap()[0]);
    assert_eq!(sum(&[base, 101, 8]), xs.iter().sum::<f64>());
    assert_eq!(sum(&[base, 51, 16]), xs.iter().step_by(2).sum::<f64>());
    let last = base + 100 * 8;
    assert_eq!(
        sum(&[last, 101, (-8i64) as u64]),
        xs.iter().rev().sum::<f64>()
    );
    assert_eq!(sum(&[base, 0, 8]), 0.0);
}

#[test]
fn sum_llvm_ir() {
    assert_ir_snapshot!("sum", sum_module());
}

/// `acc = acc op a[i]` over `a[0..n]` (`n` a parameter, or `constant_n`),
/// elements and accumulator of type `ty`.
fn chain_module(ty: LType, op: lower::ir::BinaryOp, constant_n: Option<i64>) -> Module {
    let mut f = FnBuilder::new("chain", &[ty]);
    let data = f.param("a.data", Ptr);
    let n = f.param("a.shape0", I64);
    let acc = f.var("acc", ty);
    let i = f.var("i", I64);
    let init = match ty {
        I64 => f.int(0),
        _ => f.konst(Const::Float(ty, 0.0)),
    };
    f.set(acc, init);
    let start = f.int(0);
    let stop = match constant_n {
        Some(c) => f.int(c),
        None => f.get(n),
    };
    let step = f.int(1);
    f.for_range(i, [start, stop, step], StepSign::Positive, |f| {
        let (iv, d, size) = (f.get(i), f.get(data), f.int(8));
        let offset = f.bin(IMul, iv, size);
        let p = f.inst(Ptr, Inst::PtrOffset { addr: d, offset });
        let x = f.inst(ty, Inst::Load { ty, addr: p });
        let a = f.get(acc);
        let a2 = f.bin(op, a, x);
        f.set(acc, a2);
    });
    let r = f.get(acc);
    f.ret(&[r]);
    module(vec![f.finish()])
}

/// The `llvm.loop` metadata of a module (the lines `!n = ...`).
fn loop_metadata(m: &Module) -> String {
    let ir = codegen::emit_llvm_ir(m).unwrap_or_else(|e| panic!("{}", e.0));
    let lines: Vec<&str> = ir.lines().filter(|l| l.starts_with('!')).collect();
    lines.join("\n")
}

/// A loop that carries a strict float chain (float32 or float64, not
/// reassociable) over a trip count known at run time only is unrolled eight
/// times (`llvm.loop.unroll.count`); the same loop in a `fastmath` function
/// (LLVM may reassociate and vectorize it), over integers (vectorized), or
/// with a constant trip count (LLVM's unroller sizes it) gets no count.
#[test]
fn strict_float_chain_loop_metadata() {
    let mut fastmath = chain_module(F64, FAdd, None);
    fastmath.functions[0].fastmath = true;
    let cases = [
        ("f64 sum", chain_module(F64, FAdd, None)),
        ("f32 product", chain_module(F32, FMul, None)),
        ("f64 sum, fastmath", fastmath),
        ("i64 sum", chain_module(I64, IAdd, None)),
        ("f64 sum of 16 elements", chain_module(F64, FAdd, Some(16))),
    ];
    let text: Vec<String> = cases
        .iter()
        .map(|(name, m)| format!("{name}:\n{}", loop_metadata(m)))
        .collect();
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots/codegen"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("strict_float_chain_loop_metadata", text.join("\n\n"));
    });
}

/// `for i in range(m): for k in range(w): ...` over f64 buffers `a` and
/// `out`: the inner loop writes `out[i * w + k] = a[i + k] * 2.0` (each
/// iteration its own element), or with `carry`, adds `a[i + k]` into `s`
/// (returned). Without `nested`, only the inner loop, with `i` = 0.
fn window_module(nested: bool, carry: bool) -> Module {
    let mut f = FnBuilder::new("window", if carry { &[F64] } else { &[] });
    let a = f.param("a.data", Ptr);
    let out = f.param("out.data", Ptr);
    let m = f.param("m", I64);
    let w = f.param("w", I64);
    let (i, k, s) = (f.var("i", I64), f.var("k", I64), f.var("s", F64));
    let zero = f.float(0.0);
    f.set(s, zero);
    let inner = |f: &mut FnBuilder| {
        let range = [f.int(0), f.get(w), f.int(1)];
        f.for_range(k, range, StepSign::Positive, |f| {
            let (iv, kv, wv, size) = (f.get(i), f.get(k), f.get(w), f.int(8));
            let at = f.bin(IAdd, iv, kv);
            let from = f.bin(IMul, at, size);
            let a = f.get(a);
            let p = f.inst(
                Ptr,
                Inst::PtrOffset {
                    addr: a,
                    offset: from,
                },
            );
            let x = f.inst(F64, Inst::Load { ty: F64, addr: p });
            if carry {
                let sv = f.get(s);
                let sum = f.bin(FAdd, sv, x);
                f.set(s, sum);
            } else {
                let (two, row) = (f.float(2.0), f.bin(IMul, iv, wv));
                let doubled = f.bin(FMul, x, two);
                let to = f.bin(IAdd, row, kv);
                let to = f.bin(IMul, to, size);
                let out = f.get(out);
                let q = f.inst(
                    Ptr,
                    Inst::PtrOffset {
                        addr: out,
                        offset: to,
                    },
                );
                f.push(Stmt::Store {
                    addr: q,
                    value: doubled,
                });
            }
        });
    };
    if nested {
        let range = [f.int(0), f.get(m), f.int(1)];
        f.for_range(i, range, StepSign::Positive, inner);
    } else {
        let zero = f.int(0);
        f.set(i, zero);
        inner(&mut f);
    }
    let results = if carry { vec![f.get(s)] } else { vec![] };
    f.ret(&results);
    module(vec![f.finish()])
}

/// An inner loop whose iterations carry nothing is interleaved twice
/// (`llvm.loop.interleave.count`), so that a short trip count still takes
/// the vector loop; a top-level loop and a loop that carries a sum keep
/// LLVM's own count.
#[test]
fn independent_inner_loop_metadata() {
    let cases = [
        ("nested, independent", window_module(true, false)),
        ("top-level, independent", window_module(false, false)),
        ("nested, carries a sum", window_module(true, true)),
    ];
    for (name, m) in &cases {
        let interleaved = loop_metadata(m).contains("llvm.loop.interleave.count\", i32 2");
        assert_eq!(interleaved, *name == "nested, independent", "{name}");
    }
}

/// The interleaved window loop writes every element once, whatever the
/// window (vector steps of eight, a scalar remainder, or only the remainder).
#[test]
fn independent_inner_loop_writes_each_window() {
    let code = compile(&window_module(true, false));
    let a: Vec<f64> = (0..64).map(f64::from).collect();
    for w in [0usize, 1, 3, 7, 8, 9, 15, 16, 17, 23] {
        let m = 4;
        let mut out = vec![f64::NAN; m * w];
        let args = [
            a.as_ptr() as u64,
            out.as_mut_ptr() as u64,
            m as u64,
            w as u64,
        ];
        call(&code, &args, 0).unwrap();
        let expected: Vec<f64> = (0..m)
            .flat_map(|i| (0..w).map(move |k| (i + k) as f64 * 2.0))
            .collect();
        assert_eq!(out, expected, "w = {w}");
    }
}

/// Unrolled eight times, the strict chain still adds in program order: the
/// result is the sequential sum's, bit for bit, whatever the remainder.
#[test]
fn strict_float_chain_adds_in_order() {
    let code = compile(&chain_module(F64, FAdd, None));
    let xs: Vec<f64> = (0..37)
        .map(|i| 1.0 / f64::from(i + 1) * 1e16_f64.powi(i % 3))
        .collect();
    for n in [0, 1, 7, 8, 9, 16, 37] {
        let expected = xs[..n].iter().fold(0.0, |s, x| s + x);
        let got = as_f64(call(&code, &[xs.as_ptr() as u64, n as u64], 1).unwrap()[0]);
        assert_eq!(got.to_bits(), expected.to_bits(), "n = {n}");
    }
}
/// The kernel is inlined into its entry wrapper before LLVM's pipeline (so
/// the function passes see its body once, not in the kernel and again in the
/// wrapper): it is marked `alwaysinline`, and nothing but the wrapper is left.
#[test]
fn the_entry_function_is_inlined_before_the_pipeline() {
    let ir = codegen::emit_llvm_ir(&sum_module()).unwrap_or_else(|e| panic!("{}", e.0));
    let define = ir
        .lines()
        .find(|l| l.starts_with("define internal i32 @sum("))
        .expect("the kernel function");
    let group = define
        .rsplit(' ')
        .nth(1)
        .filter(|g| g.starts_with('#'))
        .expect("an attribute group");
    let attributes = ir
        .lines()
        .find(|l| l.starts_with(&format!("attributes {group} = ")))
        .expect("the group's definition");
    assert!(attributes.contains("alwaysinline"), "{attributes}");
    let optimized = codegen::listing(&sum_module(), codegen::Listing::LlvmIr)
        .unwrap_or_else(|e| panic!("{}", e.0));
    let defines: Vec<&str> = optimized
        .lines()
        .filter(|l| l.starts_with("define "))
        .collect();
    assert_eq!(defines.len(), 1, "{defines:?}");
    assert!(defines[0].contains("@sum_entry("), "{defines:?}");
}

const SENTINEL: i64 = -999;

/// `(count, wrapping sum, last value of i)` of `for i in range(start, stop, step)`.
fn range_module(sign: StepSign) -> Module {
    let mut f = FnBuilder::new("range_stats", &[I64, I64, I64]);
    let start = f.param("start", I64);
    let stop = f.param("stop", I64);
    let step = f.param("step", I64);
    let i = f.var("i", I64);
    let count = f.var("count", I64);
    let sum = f.var("sum", I64);
    let (zero, sentinel) = (f.int(0), f.int(SENTINEL));
    f.set(count, zero);
    f.set(sum, zero);
    f.set(i, sentinel);
    let bounds = [f.get(start), f.get(stop), f.get(step)];
    f.for_range(i, bounds, sign, |f| {
        let (c, one) = (f.get(count), f.int(1));
        let c2 = f.bin(IAdd, c, one);
        f.set(count, c2);
        let (s, iv) = (f.get(sum), f.get(i));
        let s2 = f.bin(IAdd, s, iv);
        f.set(sum, s2);
    });
    let r = [f.get(count), f.get(sum), f.get(i)];
    f.ret(&r);
    module(vec![f.finish()])
}

fn range_reference(start: i64, stop: i64, step: i64) -> Vec<u64> {
    let (mut count, mut sum, mut last) = (0i64, 0i64, SENTINEL);
    let mut i = i128::from(start);
    while (step > 0 && i < i128::from(stop)) || (step < 0 && i > i128::from(stop)) {
        count += 1;
        sum = sum.wrapping_add(i as i64);
        last = i as i64;
        i += i128::from(step);
    }
    vec![count as u64, sum as u64, last as u64]
}

#[test]
fn range_loops_follow_python_for_every_step_sign() {
    let up: &[(i64, i64, i64)] = &[
        (0, 10, 1),
        (0, 10, 3),
        (-3, 3, 2),
        (5, 5, 1),
        (5, 0, 1),
        (i64::MAX - 10, i64::MAX, 3),
        (i64::MIN, i64::MIN + 5, i64::MAX),
    ];
    let down: &[(i64, i64, i64)] = &[
        (10, 0, -1),
        (10, 0, -3),
        (0, 5, -1),
        (3, 3, -2),
        (i64::MIN + 10, i64::MIN, -4),
        (i64::MAX, 0, i64::MIN),
    ];
    let cases = [
        (StepSign::Positive, up.to_vec()),
        (StepSign::Negative, down.to_vec()),
        (StepSign::Unknown, [up, down].concat()),
    ];
    for (sign, cases) in cases {
        let code = compile(&range_module(sign));
        for (start, stop, step) in cases {
            let got = call(&code, &[start as u64, stop as u64, step as u64], 3).unwrap();
            assert_eq!(
                got,
                range_reference(start, stop, step),
                "range({start}, {stop}, {step}) with {sign:?}"
            );
        }
    }
}

#[test]
fn range_unknown_sign_llvm_ir() {
    assert_ir_snapshot!("range_unknown_sign", range_module(StepSign::Unknown));
}

/// Nested counted loops with break/continue, then a Collatz `while` loop.
fn nested_module() -> Module {
    let mut f = FnBuilder::new("nested", &[I64, I64]);
    let n = f.param("n", I64);
    let (i, j, total, k, steps) = (
        f.var("i", I64),
        f.var("j", I64),
        f.var("total", I64),
        f.var("k", I64),
        f.var("steps", I64),
    );
    let zero = f.int(0);
    f.set(total, zero);
    f.set(steps, zero);
    let outer = [f.int(0), f.get(n), f.int(1)];
    f.for_range(i, outer, StepSign::Positive, |f| {
        let inner = [f.int(0), f.get(n), f.int(1)];
        f.for_range(j, inner, StepSign::Positive, |f| {
            let (iv, jv) = (f.get(i), f.get(j));
            let past_diagonal = f.cmp(CmpOp::SGt, jv, iv);
            f.if_(past_diagonal, |f| f.push(Stmt::Break));
            let (sum, three, zero) = (f.bin(IAdd, iv, jv), f.int(3), f.int(0));
            let rem = f.bin(SRem, sum, three);
            let skip = f.cmp(CmpOp::Eq, rem, zero);
            f.if_(skip, |f| f.push(Stmt::Continue));
            let (t, prod) = (f.get(total), f.bin(IMul, iv, jv));
            let t2 = f.bin(IAdd, t, prod);
            f.set(total, t2);
        });
    });
    let nv = f.get(n);
    f.set(k, nv);
    f.loop_(|f| {
        let (kv, one, two, zero) = (f.get(k), f.int(1), f.int(2), f.int(0));
        let done = f.cmp(CmpOp::SLe, kv, one);
        f.if_(done, |f| f.push(Stmt::Break));
        let parity = f.bin(SRem, kv, two);
        let even = f.cmp(CmpOp::Eq, parity, zero);
        f.if_else(
            even,
            |f| {
                let half = f.bin(SDiv, kv, two);
                f.set(k, half);
            },
            |f| {
                let three = f.int(3);
                let triple = f.bin(IMul, kv, three);
                let next = f.bin(IAdd, triple, one);
                f.set(k, next);
            },
        );
        let (s, one) = (f.get(steps), f.int(1));
        let s2 = f.bin(IAdd, s, one);
        f.set(steps, s2);
    });
    let r = [f.get(total), f.get(steps)];
    f.ret(&r);
    module(vec![f.finish()])
}

#[test]
fn nested_loops_with_break_and_continue() {
    let code = compile(&nested_module());
    for n in [0i64, 1, 7, 27, 100] {
        let mut total = 0i64;
        for i in 0..n {
            for j in 0..n {
                if j > i {
                    break;
                }
                if (i + j) % 3 == 0 {
                    continue;
                }
                total += i * j;
            }
        }
        let (mut k, mut steps) = (n, 0i64);
        while k > 1 {
            k = if k % 2 == 0 { k / 2 } else { 3 * k + 1 };
            steps += 1;
        }
        assert_eq!(
            call(&code, &[n as u64], 2).unwrap(),
            vec![total as u64, steps as u64],
            "n = {n}"
        );
    }
}

fn raise_module() -> Module {
    let mut f = FnBuilder::new("check", &[I64]);
    let x = f.param("x", I64);
    let (xv, zero, ten) = (f.get(x), f.int(0), f.int(10));
    let negative = f.cmp(CmpOp::SLt, xv, zero);
    f.if_(negative, |f| {
        f.raise(RuntimeError::Message {
            kind: ExceptionKind::ValueError,
            message: "x must be non-negative".into(),
        })
    });
    let too_big = f.cmp(CmpOp::SGe, xv, ten);
    f.if_(too_big, |f| {
        f.raise(RuntimeError::IndexOutOfBounds {
            index: xv,
            axis: 1,
            size: ten,
        })
    });
    let two = f.int(2);
    let r = f.bin(IMul, xv, two);
    f.ret(&[r]);
    module(vec![f.finish()])
}

#[test]
fn raise_records_message_and_index_error() {
    let code = compile(&raise_module());
    assert_eq!(call(&code, &[4], 1).unwrap(), vec![8]);
    let err = call(&code, &[(-1i64) as u64], 1).unwrap_err();
    assert_eq!(err.kind, ExceptionKind::ValueError);
    assert_eq!(err.message, "x must be non-negative");
    let err = call(&code, &[12], 1).unwrap_err();
    assert_eq!(err.kind, ExceptionKind::IndexError);
    assert_eq!(
        err.message,
        "index 12 is out of bounds for axis 1 with size 10"
    );
}

#[test]
fn raise_llvm_ir() {
    assert_ir_snapshot!("raise", raise_module());
}

/// `sum(i for i in range(n))` where each `i` must be below `limit`: a
/// versioned loop, check-free when `n <= limit`, raising at `i == limit` otherwise.
fn versioned_module() -> Module {
    let mut f = FnBuilder::new("bounded_sum", &[I64]);
    let (n, limit) = (f.param("n", I64), f.param("limit", I64));
    let (i, total) = (f.var("i", I64), f.var("total", I64));
    let zero = f.int(0);
    f.set(total, zero);
    let (nv, lv) = (f.get(n), f.get(limit));
    let in_bounds = f.cmp(CmpOp::SLe, nv, lv);
    let add = |f: &mut FnBuilder| {
        let (t, iv) = (f.get(total), f.get(i));
        let t2 = f.bin(IAdd, t, iv);
        f.set(total, t2);
    };
    let range = |f: &mut FnBuilder| [f.int(0), f.get(n), f.int(1)];
    f.versioned(
        in_bounds,
        |f| {
            let r = range(f);
            f.for_range(i, r, StepSign::Positive, add);
        },
        |f| {
            let r = range(f);
            f.for_range(i, r, StepSign::Positive, |f| {
                let (iv, lv) = (f.get(i), f.get(limit));
                let out = f.cmp(CmpOp::SGe, iv, lv);
                f.if_(out, |f| {
                    f.raise(RuntimeError::IndexOutOfBounds {
                        index: iv,
                        axis: 0,
                        size: lv,
                    })
                });
                add(f);
            });
        },
    );
    let t = f.get(total);
    f.ret(&[t]);
    module(vec![f.finish()])
}

#[test]
fn versioned_loop_runs_the_checked_copy_only_when_out_of_bounds() {
    let code = compile(&versioned_module());
    assert_eq!(call(&code, &[100, 100], 1).unwrap(), vec![4950]);
    assert_eq!(call(&code, &[0, 0], 1).unwrap(), vec![0]);
    let err = call(&code, &[12, 10], 1).unwrap_err();
    assert_eq!(err.kind, ExceptionKind::IndexError);
    assert_eq!(
        err.message,
        "index 10 is out of bounds for axis 0 with size 10"
    );
}

#[test]
fn versioned_llvm_ir() {
    // The checked loop is marked not to vectorize or unroll; the fast loop's
    // vector and remainder copies are marked not to unroll.
    assert_ir_snapshot!("versioned", versioned_module());
}

/// Allocates `n` f64s (`zeroed` or filled with 0.5 * i) and returns the buffer.
fn alloc_module(zeroed: bool) -> Module {
    let mut f = FnBuilder::new("make", &[Ptr]);
    let n = f.param("n", I64);
    let i = f.var("i", I64);
    let (nv, eight) = (f.get(n), f.int(8));
    let bytes = f.bin(IMul, nv, eight);
    let buf = f.inst(
        Ptr,
        Inst::Alloc {
            bytes,
            zeroed,
            array: Some((Dtype::Float64, vec![nv])),
        },
    );
    let header = f.int(BUFFER_DATA_OFFSET);
    let data = f.inst(
        Ptr,
        Inst::PtrOffset {
            addr: buf,
            offset: header,
        },
    );
    if !zeroed {
        let bounds = [f.int(0), nv, f.int(1)];
        f.for_range(i, bounds, StepSign::Positive, |f| {
            let iv = f.get(i);
            let offset = f.bin(IMul, iv, eight);
            let p = f.inst(Ptr, Inst::PtrOffset { addr: data, offset });
            let x = f.cast(CastOp::SIToFP, iv, F64);
            let half = f.float(0.5);
            let y = f.bin(FMul, x, half);
            f.push(Stmt::Store { addr: p, value: y });
        });
    }
    f.ret(&[buf]);
    module(vec![f.finish()])
}

/// The data of a buffer returned by compiled code.
fn buffer_data<T>(buffer: *mut u8, n: usize) -> Vec<T>
where
    T: Copy,
{
    // SAFETY: the buffer holds `n` elements of `T` after its header.
    unsafe { std::slice::from_raw_parts(buffer.add(BUFFER_DATA_OFFSET as usize).cast::<T>(), n) }
        .to_vec()
}

#[test]
fn returned_buffers_belong_to_the_caller() {
    let code = compile(&alloc_module(false));
    let mut ctx = RuntimeContext::new();
    let p = call_in(&code, &mut ctx, &[5], 1).unwrap()[0] as *mut u8;
    assert_eq!(buffer_data::<f64>(p, 5), [0.0, 0.5, 1.0, 1.5, 2.0]);
    assert_eq!(
        unsafe { *p.cast::<i64>() },
        1,
        "one reference, the caller's"
    );
    unsafe { release_buffer(p) };

    let zeros = compile(&alloc_module(true));
    let p = call_in(&zeros, &mut ctx, &[1000], 1).unwrap()[0] as *mut u8;
    assert!(buffer_data::<f64>(p, 1000).iter().all(|&x| x == 0.0));
    unsafe { release_buffer(p) };
    let err = call_in(&zeros, &mut ctx, &[(-1i64) as u64], 1).unwrap_err();
    assert_eq!(err.kind, ExceptionKind::MemoryError);
    // NumPy's message, which names the array.
    let err = call_in(&zeros, &mut ctx, &[1 << 59], 1).unwrap_err();
    assert_eq!(
        (err.kind, err.message.as_str()),
        (
            ExceptionKind::MemoryError,
            "Unable to allocate 4.00 EiB for an array with shape (576460752303423488,) and \
             data type float64"
        )
    );
}

/// Holds a fresh buffer in an owner variable, retains and releases a copy of
/// it, then raises when `fail`: the exit releases the owner either way.
fn owner_module() -> Module {
    let mut f = FnBuilder::new("hold", &[]);
    let fail = f.param("fail", I1);
    let held = f.owner("held");
    let bytes = f.int(64);
    let buf = f.inst(
        Ptr,
        Inst::Alloc {
            bytes,
            zeroed: false,
            array: None,
        },
    );
    f.push(Stmt::Set {
        var: held,
        value: buf,
    });
    f.push(Stmt::Retain(buf));
    f.push(Stmt::Release(buf));
    let failing = f.get(fail);
    f.if_(failing, |f| {
        f.raise(RuntimeError::Message {
            kind: ExceptionKind::ValueError,
            message: "fail".into(),
        })
    });
    f.ret(&[]);
    module(vec![f.finish()])
}

#[test]
fn owners_are_released_at_every_exit() {
    let code = compile(&owner_module());
    let mut ctx = RuntimeContext::new();
    count_buffers();
    // Other tests allocate concurrently: count over many calls.
    let before = live_buffers().unwrap();
    for _ in 0..1000 {
        call_in(&code, &mut ctx, &[0], 0).unwrap();
        call_in(&code, &mut ctx, &[1], 0).unwrap_err();
    }
    assert!(live_buffers().unwrap() - before < 100, "buffers leak");
}

/// `parts(a, b, z)` returns several results of different types; raises on `b == 0`.
fn parts_fn() -> lower::ir::Function {
    let mut f = FnBuilder::new("parts", &[I64, F64, C128, I1, F32]);
    let a = f.param("a", I64);
    let b = f.param("b", I64);
    let z = f.param("z", C128);
    let (av, bv, zv, zero) = (f.get(a), f.get(b), f.get(z), f.int(0));
    let by_zero = f.cmp(CmpOp::Eq, bv, zero);
    f.if_(by_zero, |f| {
        f.raise(RuntimeError::Message {
            kind: ExceptionKind::ZeroDivisionError,
            message: "integer division or modulo by zero".into(),
        })
    });
    let q = f.bin(SDiv, av, bv);
    let (af, bf) = (
        f.cast(CastOp::SIToFP, av, F64),
        f.cast(CastOp::SIToFP, bv, F64),
    );
    let ratio = f.bin(FDiv, af, bf);
    let square = f.bin(CMul, zv, zv);
    let less = f.cmp(CmpOp::SLt, av, bv);
    let single = f.cast(CastOp::SIToFP, av, F32);
    f.ret(&[q, ratio, square, less, single]);
    f.finish()
}

fn call_module() -> Module {
    let mut f = FnBuilder::new("caller", &[I64, F64, C128, I1, F32, F64]);
    let a = f.param("a", I64);
    let b = f.param("b", I64);
    let results = [
        f.var("q", I64),
        f.var("r", F64),
        f.var("sq", C128),
        f.var("lt", I1),
        f.var("s", F32),
    ];
    let (av, bv) = (f.get(a), f.get(b));
    let z = f.konst(Const::Complex(C128, 1.0, 2.0));
    f.push(Stmt::Call {
        callee: FuncIndex(1),
        args: vec![av, bv, z],
        results: results.to_vec(),
        span: Default::default(),
    });
    let vals: Vec<ValueId> = results.iter().map(|&v| f.get(v)).collect();
    let sq_re = f.inst(F64, Inst::Real(vals[2]));
    let extra = f.bin(FAdd, vals[1], sq_re);
    f.ret(&[vals[0], vals[1], vals[2], vals[3], vals[4], extra]);
    module(vec![f.finish(), parts_fn()])
}

#[test]
fn internal_call_forwards_several_results_and_errors() {
    let code = compile(&call_module());
    let got = call(&code, &[7, (-2i64) as u64], 8).unwrap();
    assert_eq!(got[0] as i64, -3);
    assert_eq!(as_f64(got[1]), -3.5);
    assert_eq!((as_f64(got[2]), as_f64(got[3])), (-3.0, 4.0));
    assert_eq!(got[4], 0);
    assert_eq!(as_f32(got[5]), 7.0);
    assert_eq!(as_f64(got[6]), -6.5);
    let err = call(&code, &[7, 0], 8).unwrap_err();
    assert_eq!(err.kind, ExceptionKind::ZeroDivisionError);
    assert_eq!(err.message, "integer division or modulo by zero");
}

#[test]
fn call_llvm_ir() {
    assert_ir_snapshot!("call_several_results", call_module());
}

fn fib_module() -> Module {
    let mut f = FnBuilder::new("fib", &[I64]);
    let n = f.param("n", I64);
    let (a, b) = (f.var("a", I64), f.var("b", I64));
    let (nv, two) = (f.get(n), f.int(2));
    let small = f.cmp(CmpOp::SLt, nv, two);
    f.if_(small, |f| f.ret(&[nv]));
    let one = f.int(1);
    let (n1, n2) = (f.bin(ISub, nv, one), f.bin(ISub, nv, two));
    f.push(Stmt::Call {
        callee: FuncIndex(0),
        args: vec![n1],
        results: vec![a],
        span: Default::default(),
    });
    f.push(Stmt::Call {
        callee: FuncIndex(0),
        args: vec![n2],
        results: vec![b],
        span: Default::default(),
    });
    let (av, bv) = (f.get(a), f.get(b));
    let r = f.bin(IAdd, av, bv);
    f.ret(&[r]);
    module(vec![f.finish()])
}

#[test]
fn recursion() {
    let code = compile(&fib_module());
    assert_eq!(call(&code, &[20], 1).unwrap(), vec![6765]);
}

/// `deep(n) = deep(n - 1) + 1`, guarded on entry as lower guards recursive functions.
fn deep_module() -> Module {
    let mut f = FnBuilder::new("deep", &[I64]);
    let n = f.param("n", I64);
    let r = f.var("r", I64);
    let exhausted = f.inst(I1, Inst::StackExhausted);
    f.if_(exhausted, |f| {
        f.raise(RuntimeError::Message {
            kind: ExceptionKind::RecursionError,
            message: "maximum recursion depth exceeded".into(),
        })
    });
    let (nv, zero, one) = (f.get(n), f.int(0), f.int(1));
    let done = f.cmp(CmpOp::Eq, nv, zero);
    f.if_(done, |f| f.ret(&[zero]));
    let n1 = f.bin(ISub, nv, one);
    f.push(Stmt::Call {
        callee: FuncIndex(0),
        args: vec![n1],
        results: vec![r],
        span: Default::default(),
    });
    let rv = f.get(r);
    let sum = f.bin(IAdd, rv, one);
    f.ret(&[sum]);
    module(vec![f.finish()])
}

#[test]
fn recursion_stops_at_the_stack_limit_of_the_calling_thread() {
    let code = compile(&deep_module());
    for stack in [256 << 10, 1 << 20, 8 << 20] {
        let (shallow, deep) = std::thread::scope(|s| {
            std::thread::Builder::new()
                .stack_size(stack)
                .spawn_scoped(s, || {
                    (call(&code, &[1000], 1), call(&code, &[10_000_000], 1))
                })
                .unwrap()
                .join()
                .unwrap()
        });
        assert_eq!(shallow.unwrap(), vec![1000], "stack of {stack} bytes");
        let err = deep.unwrap_err();
        assert_eq!(err.kind, ExceptionKind::RecursionError);
        assert_eq!(err.message, "maximum recursion depth exceeded");
    }
}

fn complex_module(ty: LType) -> Module {
    let part = if ty == C128 { F64 } else { F32 };
    let mut f = FnBuilder::new("cplx", &[ty, ty, part, I1, I1, ty, ty, ty, part, part]);
    let a = f.param("a", ty);
    let b = f.param("b", ty);
    let (av, bv) = (f.get(a), f.get(b));
    let mul = f.bin(CMul, av, bv);
    let div = f.bin(CDiv, av, bv);
    let abs = f.inst(part, Inst::Unary(UnaryOp::CAbs, av));
    let eq = f.cmp(CmpOp::CEq, av, bv);
    let ne = f.cmp(CmpOp::CNe, av, bv);
    let neg = f.inst(ty, Inst::Unary(UnaryOp::CNeg, av));
    let add = f.bin(CAdd, av, bv);
    let sub = f.bin(CSub, av, bv);
    let re = f.inst(part, Inst::Real(bv));
    let im = f.inst(part, Inst::Imag(bv));
    f.ret(&[mul, div, abs, eq, ne, neg, add, sub, re, im]);
    module(vec![f.finish()])
}

#[test]
fn complex128_arithmetic() {
    let code = compile(&complex_module(C128));
    let c = |re: f64, im: f64| [f64_slot(re), f64_slot(im)];
    let run = |a: [u64; 2], b: [u64; 2]| {
        let r = call(&code, &[a, b].concat(), 15).unwrap();
        let f = |i: usize| as_f64(r[i]);
        (r.clone(), (f(0), f(1)), (f(2), f(3)), f(4))
    };
    let (r, mul, div, abs) = run(c(1.0, 2.0), c(3.0, -4.0));
    assert_eq!(mul, (11.0, 2.0));
    assert!(
        (div.0 + 0.2).abs() < 1e-16 && (div.1 - 0.4).abs() < 1e-16,
        "{div:?}"
    );
    assert_eq!(abs, 5f64.sqrt());
    assert_eq!((r[5], r[6]), (0, 1));
    assert_eq!((as_f64(r[7]), as_f64(r[8])), (-1.0, -2.0));
    assert_eq!((as_f64(r[9]), as_f64(r[10])), (4.0, -2.0));
    assert_eq!((as_f64(r[11]), as_f64(r[12])), (-2.0, 6.0));
    assert_eq!((as_f64(r[13]), as_f64(r[14])), (3.0, -4.0));
    // Smith's algorithm does not overflow where the textbook formula does.
    let (r, _, div, _) = run(c(1e300, 1e300), c(1e300, 1e300));
    assert_eq!(div, (1.0, 0.0));
    assert_eq!((r[5], r[6]), (1, 0));
    let (_, _, div, _) = run(c(1.0, 1.0), c(f64::NAN, 0.0));
    assert!(div.0.is_nan() && div.1.is_nan());
}

#[test]
fn complex64_arithmetic() {
    let code = compile(&complex_module(C64));
    let c = |re: f32, im: f32| [f32_slot(re), f32_slot(im)];
    let r = call(&code, &[c(1.0, 2.0), c(3.0, -4.0)].concat(), 15).unwrap();
    assert_eq!((as_f32(r[0]), as_f32(r[1])), (11.0, 2.0));
    assert!((as_f32(r[2]) + 0.2).abs() < 1e-7 && (as_f32(r[3]) - 0.4).abs() < 1e-7);
    assert_eq!(as_f32(r[4]), 5f32.sqrt());
}

/// A C `double complex` / `float complex` as the x86-64 System V ABI passes
/// it: a struct of two SSE parts, so Rust's FFI calls glibc's functions here
/// independently of codegen's own declaration.
#[repr(C)]
#[derive(Clone, Copy)]
struct CDouble(f64, f64);
#[repr(C)]
#[derive(Clone, Copy)]
struct CFloat(f32, f32);

extern "C" {
    fn cexp(z: CDouble) -> CDouble;
    fn csqrt(z: CDouble) -> CDouble;
    fn ctanh(z: CDouble) -> CDouble;
    fn cpow(z: CDouble, w: CDouble) -> CDouble;
    fn cexpf(z: CFloat) -> CFloat;
    fn clogf(z: CFloat) -> CFloat;
    fn cpowf(z: CFloat, w: CFloat) -> CFloat;
}

fn complex_call_module(ty: LType, fns: &[ComplexFn]) -> Module {
    let mut f = FnBuilder::new("ccall", &vec![ty; fns.len()]);
    let z = f.param("z", ty);
    let w = f.param("w", ty);
    let (zv, wv) = (f.get(z), f.get(w));
    let results: Vec<_> = fns
        .iter()
        .map(|&c| {
            let args = if c.arity() == 2 {
                vec![zv, wv]
            } else {
                vec![zv]
            };
            f.inst(ty, Inst::ComplexCall(c, args))
        })
        .collect();
    f.ret(&results);
    module(vec![f.finish()])
}

/// The same bits, NaNs compared as NaNs.
fn same_bits(got: f64, want: f64) -> bool {
    got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan())
}

#[test]
fn complex_calls_are_the_c_librarys_at_special_values() {
    use ComplexFn::{Exp, Log, Pow, Sqrt, Tanh};
    let parts = [
        0.0,
        -0.0,
        1.5,
        -2.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        710.0,
    ];
    let code = compile(&complex_call_module(C128, &[Exp, Sqrt, Tanh, Pow]));
    let code32 = compile(&complex_call_module(C64, &[Exp, Log, Pow]));
    for (&x, &y) in parts.iter().flat_map(|x| parts.iter().map(move |y| (x, y))) {
        let (z, w) = (CDouble(x, y), CDouble(y, 0.5));
        let args = [f64_slot(x), f64_slot(y), f64_slot(y), f64_slot(0.5)];
        let r = call(&code, &args, 8).unwrap();
        // SAFETY: the C library's complex functions are pure.
        let want = unsafe { [cexp(z), csqrt(z), ctanh(z), cpow(z, w)] };
        for (i, c) in want.iter().enumerate() {
            let got = (as_f64(r[2 * i]), as_f64(r[2 * i + 1]));
            assert!(
                same_bits(got.0, c.0) && same_bits(got.1, c.1),
                "function {i} of {x} + {y}j: got {got:?}, C gives ({}, {})",
                c.0,
                c.1
            );
        }
        let (xf, yf) = (x as f32, y as f32);
        let (z, w) = (CFloat(xf, yf), CFloat(yf, 0.5));
        let args = [f32_slot(xf), f32_slot(yf), f32_slot(yf), f32_slot(0.5)];
        let r = call(&code32, &args, 6).unwrap();
        // SAFETY: as above.
        let want = unsafe { [cexpf(z), clogf(z), cpowf(z, w)] };
        for (i, c) in want.iter().enumerate() {
            let got = (as_f32(r[2 * i]), as_f32(r[2 * i + 1]));
            assert!(
                same_bits(got.0.into(), c.0.into()) && same_bits(got.1.into(), c.1.into()),
                "float function {i} of {xf} + {yf}j: got {got:?}, C gives ({}, {})",
                c.0,
                c.1
            );
        }
    }
}

#[test]
fn complex_llvm_ir() {
    assert_ir_snapshot!("complex128", complex_module(C128));
}

/// Every primitive on `x` (and `y` for the two-argument ones); the predicates
/// on `x` and on `y`.
fn math_module(ty: LType) -> Module {
    let results: Vec<LType> = Primitive::ALL
        .iter()
        .flat_map(|p| {
            if p.is_predicate() {
                vec![I1, I1]
            } else {
                vec![ty]
            }
        })
        .collect();
    let mut f = FnBuilder::new("math", &results);
    let x = f.param("x", ty);
    let y = f.param("y", ty);
    let (xv, yv) = (f.get(x), f.get(y));
    let mut results = Vec::new();
    for p in Primitive::ALL {
        if p.is_predicate() {
            results.push(f.inst(I1, Inst::Math(p, vec![xv])));
            results.push(f.inst(I1, Inst::Math(p, vec![yv])));
        } else if p.arity() == 2 {
            results.push(f.inst(ty, Inst::Math(p, vec![xv, yv])));
        } else {
            results.push(f.inst(ty, Inst::Math(p, vec![xv])));
        }
    }
    f.ret(&results);
    module(vec![f.finish()])
}

fn assert_close(got: f64, want: f64, tolerance: f64, what: &str) {
    let ok = (got == want) || (got - want).abs() <= tolerance * want.abs().max(f64::MIN_POSITIVE);
    assert!(ok, "{what}: got {got:e}, want {want:e}");
}

/// What the C library (or Rust, where it has the function) gives.
fn reference(p: Primitive, x: f64, y: f64) -> f64 {
    match p {
        Primitive::Sqrt => x.sqrt(),
        Primitive::Cbrt => x.cbrt(),
        Primitive::Exp => x.exp(),
        Primitive::Exp2 => x.exp2(),
        Primitive::Expm1 => x.exp_m1(),
        Primitive::Log => x.ln(),
        Primitive::Log2 => x.log2(),
        Primitive::Log10 => x.log10(),
        Primitive::Log1p => x.ln_1p(),
        Primitive::Sin => x.sin(),
        Primitive::Cos => x.cos(),
        Primitive::Tan => x.tan(),
        Primitive::Asin => x.asin(),
        Primitive::Acos => x.acos(),
        Primitive::Atan => x.atan(),
        Primitive::Sinh => x.sinh(),
        Primitive::Cosh => x.cosh(),
        Primitive::Tanh => x.tanh(),
        Primitive::Asinh => x.asinh(),
        Primitive::Acosh => x.acosh(),
        Primitive::Atanh => x.atanh(),
        Primitive::Atan2 => x.atan2(y),
        Primitive::Hypot => x.hypot(y),
        Primitive::Pow => x.powf(y),
        Primitive::Floor => x.floor(),
        Primitive::Ceil => x.ceil(),
        Primitive::Trunc => x.trunc(),
        Primitive::Rint => x.round_ties_even(),
        Primitive::Fabs => x.abs(),
        Primitive::CopySign => x.copysign(y),
        // SAFETY: the C library's functions are pure.
        Primitive::Erf => unsafe { c_erf(x) },
        Primitive::Erfc => unsafe { c_erfc(x) },
        Primitive::Gamma => unsafe { c_tgamma(x) },
        Primitive::Lgamma => unsafe { c_lgamma(x) },
        Primitive::IsNan | Primitive::IsInf | Primitive::IsFinite => unreachable!(),
    }
}

#[test]
fn math_functions_match_the_c_library_in_f64() {
    let code = compile(&math_module(F64));
    let count = Primitive::ALL.len() + 3;
    for (x, y) in [(0.7, 1.3), (-2.5, 0.5), (10.0, -3.0), (2.5, 2.0)] {
        let r = call(&code, &[f64_slot(x), f64_slot(y)], count).unwrap();
        let mut slot = 0;
        for p in Primitive::ALL {
            if p.is_predicate() {
                let finite = u64::from(p == Primitive::IsFinite);
                assert_eq!(&r[slot..slot + 2], &[finite, finite], "{}", p.name());
                slot += 2;
                continue;
            }
            let (got, want) = (as_f64(r[slot]), reference(p, x, y));
            if want.is_nan() {
                assert!(got.is_nan(), "{}({x}) should be NaN", p.name());
            } else {
                // Rust's asinh and acosh are not the C library's; a few ulps apart.
                assert_close(got, want, 8.0 * f64::EPSILON, &p.name());
            }
            slot += 1;
        }
    }
    let r = call(
        &code,
        &[f64_slot(f64::NAN), f64_slot(f64::NEG_INFINITY)],
        count,
    )
    .unwrap();
    let flags: Vec<u64> = Primitive::ALL
        .iter()
        .scan(0, |slot, p| {
            let at = *slot;
            *slot += if p.is_predicate() { 2 } else { 1 };
            Some((p, at))
        })
        .filter(|(p, _)| p.is_predicate())
        .flat_map(|(_, at)| [r[at], r[at + 1]])
        .collect();
    assert_eq!(
        flags,
        [1, 0, 0, 1, 0, 0],
        "isnan(x), isnan(y), isinf(x), isinf(y), isfinite(x), isfinite(y)"
    );
}

/// Every float32 primitive but `pow` of `x` (and `y`), each twice: of the
/// parameters, and of `x` and `y` as constants, which LLVM could fold.
fn math_f32_of_constants_module(x: f32, y: f32) -> Module {
    let primitives: Vec<Primitive> = Primitive::ALL
        .into_iter()
        .filter(|p| !p.is_predicate() && *p != Primitive::Pow)
        .collect();
    let mut f = FnBuilder::new("math32", &vec![F32; 2 * primitives.len()]);
    let (xp, yp) = (f.param("x", F32), f.param("y", F32));
    let (xv, yv) = (f.get(xp), f.get(yp));
    let xc = f.konst(Const::Float(F32, f64::from(x)));
    let yc = f.konst(Const::Float(F32, f64::from(y)));
    let mut results = Vec::new();
    for p in primitives {
        for (a, b) in [(xv, yv), (xc, yc)] {
            let args = if p.arity() == 2 { vec![a, b] } else { vec![a] };
            results.push(f.inst(F32, Inst::Math(p, args)));
        }
    }
    f.ret(&results);
    module(vec![f.finish()])
}

#[test]
fn float32_math_of_constants_is_the_c_librarys() {
    // LLVM folds float32 libm calls and intrinsics of constants in double
    // precision rounded once: `coshf(1.0f)` would be 1.5430807 folded,
    // 1.5430806 from glibc at run time (fuzz finding 95:1740).
    for (x, y) in [(1.0f32, 0.5f32), (0.7, 1.3), (2.5, -2.0), (0.3, 3.0)] {
        let code = compile(&math_f32_of_constants_module(x, y));
        let primitives = Primitive::ALL
            .into_iter()
            .filter(|p| !p.is_predicate() && *p != Primitive::Pow);
        let r = call(
            &code,
            &[f32_slot(x), f32_slot(y)],
            2 * primitives.clone().count(),
        )
        .unwrap();
        for (k, p) in primitives.enumerate() {
            let (run, folded) = (as_f32(r[2 * k]), as_f32(r[2 * k + 1]));
            assert!(
                run.to_bits() == folded.to_bits() || (run.is_nan() && folded.is_nan()),
                "{}({x}, {y}): {run:e} at run time, {folded:e} of constants",
                p.name()
            );
        }
        if x == 1.0 {
            assert_eq!(
                as_f32(
                    r[2 * Primitive::ALL
                        .iter()
                        .filter(|p| !p.is_predicate() && **p != Primitive::Pow)
                        .position(|p| *p == Primitive::Cosh)
                        .unwrap()]
                ),
                1.0f32.cosh()
            );
        }
    }
}

extern "C" {
    #[link_name = "erf"]
    fn c_erf(x: f64) -> f64;
    #[link_name = "erfc"]
    fn c_erfc(x: f64) -> f64;
    #[link_name = "tgamma"]
    fn c_tgamma(x: f64) -> f64;
    #[link_name = "lgamma"]
    fn c_lgamma(x: f64) -> f64;
}

#[test]
fn math_functions_in_f32_match_f64_rounded() {
    let code = compile(&math_module(F32));
    let count = Primitive::ALL.len() + 3;
    let (x, y) = (0.7f32, 1.3f32);
    let r = call(&code, &[f32_slot(x), f32_slot(y)], count).unwrap();
    let mut slot = 0;
    for p in Primitive::ALL {
        if p.is_predicate() {
            slot += 2;
            continue;
        }
        let want = reference(p, f64::from(x), f64::from(y)) as f32;
        let got = as_f32(r[slot]);
        if want.is_nan() {
            assert!(got.is_nan(), "{}({x}) should be NaN", p.name());
        } else {
            assert_close(
                f64::from(got),
                f64::from(want),
                2.0 * f64::from(f32::EPSILON),
                &p.name(),
            );
        }
        slot += 1;
    }
}

fn min_max_module() -> Module {
    let mut f = FnBuilder::new("min_max", &[F64, F64]);
    let a = f.param("a", F64);
    let b = f.param("b", F64);
    let (av, bv) = (f.get(a), f.get(b));
    let lo = f.bin(FMin, av, bv);
    let hi = f.bin(FMax, av, bv);
    f.ret(&[lo, hi]);
    module(vec![f.finish()])
}

#[test]
fn fmin_fmax_follow_python_with_nan() {
    let code = compile(&min_max_module());
    let run = |a: f64, b: f64| {
        let r = call(&code, &[f64_slot(a), f64_slot(b)], 2).unwrap();
        (as_f64(r[0]), as_f64(r[1]))
    };
    assert_eq!(run(1.0, 2.0), (1.0, 2.0));
    assert_eq!(run(2.0, 1.0), (1.0, 2.0));
    // min(nan, 1) and max(nan, 1) are nan; min(1, nan) and max(1, nan) are 1.
    let (lo, hi) = run(f64::NAN, 1.0);
    assert!(lo.is_nan() && hi.is_nan());
    assert_eq!(run(1.0, f64::NAN), (1.0, 1.0));
}

/// Every cast, and parameters of every scalar width.
fn cast_module() -> Module {
    let results = [
        I64, I64, I16, F64, F64, I64, I32, F64, F32, C128, C64, I1, I8, I16, I32, F32,
    ];
    let mut f = FnBuilder::new("casts", &results);
    let p8 = f.param("a", I8);
    let p64 = f.param("b", I64);
    let pf64 = f.param("x", F64);
    let pf32 = f.param("y", F32);
    let pu = f.param("u", I64);
    let pbool = f.param("flag", I1);
    let p16 = f.param("h", I16);
    let p32 = f.param("w", I32);
    let (a, b, x, y, u) = (f.get(p8), f.get(p64), f.get(pf64), f.get(pf32), f.get(pu));
    let (flag, h, w) = (f.get(pbool), f.get(p16), f.get(p32));
    let r = vec![
        f.cast(CastOp::SExt, a, I64),
        f.cast(CastOp::ZExt, a, I64),
        f.cast(CastOp::Trunc, b, I16),
        f.cast(CastOp::SIToFP, b, F64),
        f.cast(CastOp::UIToFP, u, F64),
        f.cast(CastOp::FPToSI, x, I64),
        f.cast(CastOp::FPToUI, x, I32),
        f.cast(CastOp::FPExt, y, F64),
        f.cast(CastOp::FPTrunc, x, F32),
        f.cast(CastOp::ToComplex, x, C128),
    ];
    let wide = r[9];
    let mut r = r;
    r.push(f.cast(CastOp::ToComplex, wide, C64));
    let not_flag = f.inst(I1, Inst::Unary(UnaryOp::Not, flag));
    r.push(not_flag);
    r.push(f.inst(I8, Inst::Unary(UnaryOp::INeg, a)));
    r.push(h);
    r.push(w);
    r.push(f.inst(F32, Inst::Unary(UnaryOp::FNeg, y)));
    f.ret(&r);
    module(vec![f.finish()])
}

#[test]
fn casts_and_narrow_parameters() {
    let code = compile(&cast_module());
    let args = [
        0xffu64,           // a: i8 -1 (upper bytes of the slot ignored)
        0x1_0000_fffe_u64, // b
        f64_slot(3.0e9 + 0.75),
        f32_slot(1.5),
        u64::MAX, // u
        2,        // flag: any non-zero byte is true
        (-300i64) as u64 & 0xffff,
        (-70000i64) as u64,
    ];
    let r = call(&code, &args, 18).unwrap();
    assert_eq!(r[0] as i64, -1, "sext");
    assert_eq!(r[1], 255, "zext");
    assert_eq!(r[2] as i64, -2, "trunc to i16, returned sign-extended");
    assert_eq!(as_f64(r[3]), 0x1_0000_fffe_u64 as f64);
    assert_eq!(as_f64(r[4]), u64::MAX as f64);
    assert_eq!(r[5] as i64, 3_000_000_000);
    assert_eq!(
        r[6] as u32, 3_000_000_000,
        "fptoui into u32, slot sign-extended"
    );
    assert_eq!(as_f64(r[7]), 1.5);
    assert_eq!(as_f32(r[8]), (3.0e9 + 0.75) as f32);
    assert_eq!((as_f64(r[9]), as_f64(r[10])), (3.0e9 + 0.75, 0.0));
    assert_eq!((as_f32(r[11]), as_f32(r[12])), ((3.0e9 + 0.75) as f32, 0.0));
    assert_eq!(r[13], 0, "not of true");
    assert_eq!(r[14] as i64, 1, "-(-1i8)");
    assert_eq!(r[15] as i64, -300);
    assert_eq!(r[16] as i64, -70000);
    assert_eq!(as_f32(r[17]), -1.5);
}

#[test]
fn float_to_int_of_nan_gives_some_integer() {
    let code = compile(&cast_module());
    let args = [0, 0, f64_slot(f64::NAN), f32_slot(0.0), 0, 0, 0, 0];
    assert!(call(&code, &args, 18).is_ok());
}

/// `fptosi.ormin` of an `F64` and an `F32` parameter.
fn float_to_i64_or_min_module() -> Module {
    let mut f = FnBuilder::new("to_i64_or_min", &[I64, I64]);
    let px = f.param("x", F64);
    let py = f.param("y", F32);
    let (x, y) = (f.get(px), f.get(py));
    let r = vec![
        f.cast(CastOp::FPToSIOrMin, x, I64),
        f.cast(CastOp::FPToSIOrMin, y, I64),
    ];
    f.ret(&r);
    module(vec![f.finish()])
}

#[test]
fn float_to_i64_or_min_truncates_and_gives_min_outside_int64() {
    let code = compile(&float_to_i64_or_min_module());
    let two_63 = 9_223_372_036_854_775_808.0;
    let cases: [(f64, i64); 14] = [
        (0.0, 0),
        (-0.0, 0),
        (0.99, 0),
        (-0.99, 0),
        (2.5, 2),
        (-2.5, -2),
        (-two_63, i64::MIN),
        // The largest f32 below 2**63 (2**63 - 2**39), a double too.
        (two_63 - 549_755_813_888.0, 9_223_371_487_098_961_920),
        (two_63, i64::MIN),
        (-two_63 * 2.0, i64::MIN),
        (1e300, i64::MIN),
        (f64::INFINITY, i64::MIN),
        (f64::NEG_INFINITY, i64::MIN),
        (f64::NAN, i64::MIN),
    ];
    for (value, expected) in cases {
        let r = call(&code, &[f64_slot(value), f32_slot(value as f32)], 2).unwrap();
        assert_eq!(r[0] as i64, expected, "f64 {value}");
        assert_eq!(r[1] as i64, expected, "f32 {value}");
    }
}

fn int_ops_module() -> Module {
    let ops = [
        IAdd, ISub, IMul, SDiv, UDiv, SRem, URem, And, Or, Xor, SMin, SMax, UMin, UMax,
    ];
    let cmps = [
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::SLt,
        CmpOp::SLe,
        CmpOp::SGt,
        CmpOp::SGe,
        CmpOp::ULt,
        CmpOp::ULe,
        CmpOp::UGt,
        CmpOp::UGe,
    ];
    let results: Vec<LType> = [vec![I64; ops.len() + 4], vec![I1; cmps.len()]].concat();
    let mut f = FnBuilder::new("int_ops", &results);
    let a = f.param("a", I64);
    let b = f.param("b", I64);
    let s = f.param("s", I64);
    let (av, bv, sv) = (f.get(a), f.get(b), f.get(s));
    let mut r: Vec<ValueId> = ops.iter().map(|&op| f.bin(op, av, bv)).collect();
    r.push(f.bin(Shl, av, sv));
    r.push(f.bin(AShr, av, sv));
    r.push(f.bin(LShr, av, sv));
    r.push(f.inst(I64, Inst::Unary(UnaryOp::INeg, av)));
    for op in cmps {
        r.push(f.cmp(op, av, bv));
    }
    f.ret(&r);
    module(vec![f.finish()])
}

#[test]
fn integer_ops_wrap_and_compare() {
    let code = compile(&int_ops_module());
    for (a, b) in [
        (7i64, -3i64),
        (-8, 3),
        (i64::MAX, 2),
        (i64::MIN, -1),
        (5, 5),
    ] {
        let r = call(&code, &[a as u64, b as u64, 3], 28).unwrap();
        let (ua, ub) = (a as u64, b as u64);
        let want: Vec<u64> = vec![
            a.wrapping_add(b) as u64,
            a.wrapping_sub(b) as u64,
            a.wrapping_mul(b) as u64,
            a.wrapping_div(b) as u64,
            ua / ub,
            a.wrapping_rem(b) as u64,
            ua % ub,
            (a & b) as u64,
            (a | b) as u64,
            (a ^ b) as u64,
            a.min(b) as u64,
            a.max(b) as u64,
            ua.min(ub),
            ua.max(ub),
            (a << 3) as u64,
            (a >> 3) as u64,
            ua >> 3,
            a.wrapping_neg() as u64,
            u64::from(a == b),
            u64::from(a != b),
            u64::from(a < b),
            u64::from(a <= b),
            u64::from(a > b),
            u64::from(a >= b),
            u64::from(ua < ub),
            u64::from(ua <= ub),
            u64::from(ua > ub),
            u64::from(ua >= ub),
        ];
        assert_eq!(r, want, "a = {a}, b = {b}");
    }
}

fn float_ops_module() -> Module {
    let ops = [FAdd, FSub, FMul, FDiv, FRem];
    let cmps = [
        CmpOp::FEq,
        CmpOp::FLt,
        CmpOp::FLe,
        CmpOp::FGt,
        CmpOp::FGe,
        CmpOp::FNe,
    ];
    let results: Vec<LType> = [vec![F64; ops.len() + 1], vec![I1; cmps.len()], vec![F64]].concat();
    let mut f = FnBuilder::new("float_ops", &results);
    let x = f.param("x", F64);
    let y = f.param("y", F64);
    let c = f.param("c", I1);
    let (xv, yv, cv) = (f.get(x), f.get(y), f.get(c));
    let mut r: Vec<ValueId> = ops.iter().map(|&op| f.bin(op, xv, yv)).collect();
    r.push(f.inst(F64, Inst::Unary(UnaryOp::FNeg, xv)));
    for op in cmps {
        r.push(f.cmp(op, xv, yv));
    }
    r.push(f.inst(
        F64,
        Inst::Select {
            cond: cv,
            if_true: xv,
            if_false: yv,
        },
    ));
    f.ret(&r);
    module(vec![f.finish()])
}

#[test]
fn float_ops_compare_and_select() {
    let code = compile(&float_ops_module());
    for (x, y) in [(7.5, -2.0), (-7.5, 2.0), (1.0, 1.0), (f64::NAN, 1.0)] {
        for c in [0u64, 1] {
            let r = call(&code, &[f64_slot(x), f64_slot(y), c], 13).unwrap();
            let want = [x + y, x - y, x * y, x / y, x % y, -x];
            for (i, w) in want.iter().enumerate() {
                assert!(
                    as_f64(r[i]) == *w || (w.is_nan() && as_f64(r[i]).is_nan()),
                    "op {i} of ({x}, {y})"
                );
            }
            let cmps = [x == y, x < y, x <= y, x > y, x >= y, x != y].map(u64::from);
            assert_eq!(&r[6..12], &cmps, "({x}, {y})");
            let selected = if c == 1 { x } else { y };
            assert!(as_f64(r[12]) == selected || selected.is_nan());
        }
    }
}

/// Copies one value of every storable type from `src` to `dst` at the same offsets.
fn copy_module() -> Module {
    let layout = [
        (I8, 0),
        (I16, 2),
        (I32, 4),
        (I64, 8),
        (F32, 16),
        (C64, 20),
        (F32, 28),
        (F64, 32),
        (C128, 40),
        (Ptr, 56),
    ];
    let mut f = FnBuilder::new("copy", &[]);
    let src = f.param("src", Ptr);
    let dst = f.param("dst", Ptr);
    let (s, d) = (f.get(src), f.get(dst));
    for (ty, offset) in layout {
        let v = f.load_at(ty, s, offset);
        f.store_at(d, offset, v);
    }
    module(vec![f.finish()])
}

#[test]
fn loads_and_stores_of_every_type() {
    let code = compile(&copy_module());
    let src: Vec<u8> = (0..64u8)
        .map(|i| i.wrapping_mul(37).wrapping_add(11))
        .collect();
    let mut dst = vec![0u8; 64];
    call(&code, &[src.as_ptr() as u64, dst.as_mut_ptr() as u64], 0).unwrap();
    assert_eq!(src[..1], dst[..1]);
    assert_eq!(
        src[2..],
        dst[2..],
        "every value but the padding byte 1 is copied"
    );
    assert_eq!(dst[1], 0);
}

#[test]
fn the_same_module_compiles_twice_and_each_copy_lives_on_its_own() {
    let m = sum_module();
    let first = compile(&m);
    let second = compile(&m);
    let xs = [1.0f64, 2.0, 3.0];
    let args = [xs.as_ptr() as u64, 3, 8];
    assert_eq!(as_f64(call(&first, &args, 1).unwrap()[0]), 6.0);
    drop(first);
    assert_eq!(as_f64(call(&second, &args, 1).unwrap()[0]), 6.0);
    let third = compile(&m);
    assert_eq!(as_f64(call(&third, &args, 1).unwrap()[0]), 6.0);
}

#[test]
fn modules_compile_from_several_threads_at_once() {
    let handles: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                let code = compile(&fib_module());
                call(&code, &[10 + t], 1).unwrap()[0]
            })
        })
        .collect();
    let got: Vec<u64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(got, [55, 89, 144, 233]);
}

#[test]
fn malformed_low_ir_is_an_error_not_a_crash() {
    let mut f = FnBuilder::new("mixed_widths", &[I64]);
    let a = f.param("a", I64);
    let b = f.param("b", I32);
    let (av, bv) = (f.get(a), f.get(b));
    let sum = f.bin(IAdd, av, bv);
    f.ret(&[sum]);
    let err = codegen::compile(module(vec![f.finish()])).err().unwrap();
    assert!(
        err.0.contains("verifier") && err.0.contains("bug in ferrojit"),
        "{}",
        err.0
    );

    let mut f = FnBuilder::new("undefined", &[I64]);
    f.ret(&[ValueId(3)]);
    let err = codegen::emit_llvm_ir(&module(vec![f.finish()])).unwrap_err();
    assert!(err.0.contains("v3 before its definition"), "{}", err.0);

    let mut f = FnBuilder::new("no_return", &[I64]);
    f.int(1);
    let err = codegen::emit_llvm_ir(&module(vec![f.finish()])).unwrap_err();
    assert!(err.0.contains("without returning"), "{}", err.0);

    let mut f = FnBuilder::new("stray_break", &[]);
    f.push(Stmt::Break);
    let err = codegen::emit_llvm_ir(&module(vec![f.finish()])).unwrap_err();
    assert!(err.0.contains("outside a loop"), "{}", err.0);

    let err = codegen::compile(module(vec![])).err().unwrap();
    assert!(err.0.contains("no functions"), "{}", err.0);
}

#[test]
fn fastmath_sets_flags_and_default_is_strict() {
    let m = sum_module();
    let strict = codegen::emit_llvm_ir(&m).unwrap();
    let mut m = m;
    m.functions[0].fastmath = true;
    let fast = codegen::emit_llvm_ir(&m).unwrap();
    assert!(!strict.contains("fadd fast"), "{strict}");
    assert!(fast.contains("fadd fast"), "{fast}");
    let code = codegen::compile(m).unwrap();
    let xs: Vec<f64> = (1..=1000).map(f64::from).collect();
    assert_eq!(
        as_f64(call(&code, &[xs.as_ptr() as u64, 1000, 8], 1).unwrap()[0]),
        500_500.0
    );
}

/// Fast-math flags go on the float operations of the marked function only.
#[test]
fn fastmath_is_per_function() {
    let mut strict = sum_module().functions.remove(0);
    strict.name = "strict".to_string();
    let mut fast = strict.clone();
    fast.name = "fast".to_string();
    fast.fastmath = true;
    // A module defines the functions its entry can call: `main` calls both.
    let mut main = FnBuilder::new("main", &[F64]);
    let params = [
        main.param("a.data", Ptr),
        main.param("a.shape0", I64),
        main.param("a.stride0", I64),
    ];
    let results = [main.var("s", F64), main.var("f", F64)];
    for (callee, result) in [1, 2].into_iter().zip(results) {
        let args = params.iter().map(|&p| main.get(p)).collect();
        main.push(Stmt::Call {
            callee: FuncIndex(callee),
            args,
            results: vec![result],
            span: Default::default(),
        });
    }
    let (s, f) = (main.get(results[0]), main.get(results[1]));
    let both = main.bin(FAdd, s, f);
    main.ret(&[both]);
    let ir = codegen::emit_llvm_ir(&module(vec![main.finish(), strict, fast])).unwrap();
    let body = |name: &str| {
        let start = ir
            .find(&format!("define internal i32 @{name}("))
            .unwrap_or_else(|| panic!("no @{name} in\n{ir}"));
        let end = ir[start..].find("\n}").map_or(ir.len(), |e| start + e);
        ir[start..end].to_string()
    };
    assert!(body("strict").contains("fadd double"), "{ir}");
    assert!(!body("strict").contains("fadd fast"), "{ir}");
    assert!(body("fast").contains("fadd fast"), "{ir}");
}

#[test]
fn emitted_ir_is_host_independent() {
    let ir = codegen::emit_llvm_ir(&sum_module()).unwrap();
    for host_specific in [
        "target-cpu",
        "target-features",
        "target triple",
        "target datalayout",
    ] {
        assert!(!ir.contains(host_specific), "{host_specific} in\n{ir}");
    }
}

#[test]
fn compiled_modules_and_contexts_can_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<codegen::CompiledModule>();
    send::<RuntimeContext>();
    let code = compile(&fib_module());
    let got = std::thread::scope(|s| {
        s.spawn(|| call(&code, &[15], 1).unwrap()[0])
            .join()
            .unwrap()
    });
    assert_eq!(got, 610);
}

/// A `ptr.const` address (a frozen module-level array) is read like any pointer.
#[test]
fn constant_address_reads_the_memory_it_names() {
    static TABLE: [f64; 3] = [1.5, -2.25, 8.0];
    let mut f = FnBuilder::new("frozen", &[F64]);
    let data = f.konst(Const::Addr(TABLE.as_ptr() as u64));
    let offset = f.int(16);
    let p = f.inst(Ptr, Inst::PtrOffset { addr: data, offset });
    let x = f.inst(F64, Inst::Load { ty: F64, addr: p });
    f.ret(&[x]);
    let code = compile(&module(vec![f.finish()]));
    assert_eq!(as_f64(call(&code, &[], 1).unwrap()[0]), 8.0);
}

/// `s += i % 13` (a signed remainder) over `for i in range(start, n)`, `start`
/// the constant `Some(k)` or, for `None`, a parameter.
fn remainder_sum_module(start: Option<i64>) -> Module {
    let mut f = FnBuilder::new("remainder_sum", &[I64]);
    let start_param = start.is_none().then(|| f.param("start", I64));
    let n = f.param("n", I64);
    let acc = f.var("acc", I64);
    let i = f.var("i", I64);
    let zero = f.int(0);
    f.set(acc, zero);
    let first = match start_param {
        Some(p) => f.get(p),
        None => f.int(start.unwrap_or_default()),
    };
    let (stop, step) = (f.get(n), f.int(1));
    f.for_range(i, [first, stop, step], StepSign::Positive, |f| {
        let iv = f.get(i);
        let thirteen = f.int(13);
        let r = f.bin(SRem, iv, thirteen);
        let a = f.get(acc);
        let a2 = f.bin(IAdd, a, r);
        f.set(acc, a2);
    });
    let r = f.get(acc);
    f.ret(&[r]);
    module(vec![f.finish()])
}

/// A range counting up from a constant start >= 0 gives its counter `nsw`, so
/// the one round of LLVM's pipeline (the kernel is inlined first) knows the
/// loop variable non-negative: its signed remainder becomes an unsigned one.
/// From a start that may be negative it stays signed.
#[test]
fn a_loop_variable_counting_up_from_zero_is_known_non_negative() {
    let optimized = |module: &Module| {
        codegen::listing(module, codegen::Listing::LlvmIr).unwrap_or_else(|e| panic!("{}", e.0))
    };
    let from_zero = optimized(&remainder_sum_module(Some(0)));
    assert!(from_zero.contains("urem"), "{from_zero}");
    assert!(!from_zero.contains("srem"), "{from_zero}");
    let emitted = codegen::emit_llvm_ir(&remainder_sum_module(Some(0))).unwrap();
    assert!(emitted.contains("add nuw nsw i64 %k, 1"), "{emitted}");
    let from_unknown = optimized(&remainder_sum_module(None));
    assert!(from_unknown.contains("srem"), "{from_unknown}");
    let emitted = codegen::emit_llvm_ir(&remainder_sum_module(None)).unwrap();
    assert!(!emitted.contains("nsw"), "{emitted}");
}
