//! The low IR: explicit, typed, structured, with no Python semantics left.
//!
//! Values are SSA (`ValueId`, defined once by a `Stmt::Let`, usable in the
//! block that defines it and blocks nested in it after the definition).
//! Mutable state lives in variables (`VarId`), which codegen turns into
//! stack slots that LLVM's mem2reg promotes. Control flow is structured
//! (`If`, `Loop`, `ForRange`, and `Versioned` for a loop with a check-free
//! fast copy) so the text form reads like the source.
//!
//! Arrays do not exist here: an array is its owner (see `Function::owners`),
//! its data pointer, one `i64` per extent and one per byte stride. Every
//! element access is spelled out as address arithmetic; every bounds check
//! and wraparound is an explicit compare and `Raise`; every reference to a
//! buffer taken or dropped is an explicit `Retain` or `Release`.

use std::fmt;

pub use frontend::hir::{Dtype, ExceptionKind};
pub use library::{ComplexFn, Primitive};
use std::sync::Arc;

use frontend::{SourceFile, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ValueId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VarId(pub u32);

/// Index of a function in `Module::functions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FuncIndex(pub u32);

impl fmt::Display for ValueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}
impl fmt::Display for VarId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "x{}", self.0)
    }
}
impl fmt::Display for FuncIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "f{}", self.0)
    }
}

/// Machine-level types. Integers carry no sign: operations say how to treat them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LType {
    I1,
    I8,
    I16,
    I32,
    I64,
    F32,
    F64,
    /// `{f32, f32}`
    C64,
    /// `{f64, f64}`
    C128,
    /// An untyped byte address.
    Ptr,
}

/// A compiled module: `functions[0]` is the entry point called from Python.
///
/// Calling convention (codegen implements it, pymod relies on it):
/// every function becomes `i32 name(ptr ctx, ptr ret, params...)` returning 0
/// on success and 1 when an exception was recorded in `ctx`. Results are
/// written to `ret` as consecutive 8-byte slots, one per entry of
/// `Function::results` (complex values take two slots, re then im).
/// The entry function also gets a wrapper `i32 name_entry(ptr args, ptr ret, ptr ctx)`
/// reading each param from consecutive 8-byte slots of `args` the same way.
#[derive(Clone, Debug)]
pub struct Module {
    pub functions: Vec<Function>,
}

#[derive(Clone, Debug)]
pub struct Function {
    /// Unique in the module: the Python name, with `_1`, `_2`... appended for
    /// further specializations of the same function (`fib`, `fib_1`).
    pub name: String,
    /// Float operations of this function may be reassociated and contracted
    /// (`fastmath=True` on its `@jit`); those of other functions may not.
    pub fastmath: bool,
    /// Parameters are variables initialised from the call's arguments.
    pub params: Vec<VarId>,
    pub results: Vec<LType>,
    /// Indexed by `VarId`.
    pub vars: Vec<Var>,
    /// Indexed by `ValueId`.
    pub value_types: Vec<LType>,
    pub body: Block,
    /// Variables holding one reference each to an array owner (see
    /// `Stmt::Retain`): null on entry, parameters aside (which `body` retains
    /// first), and released by codegen at every exit, returns and raises alike.
    pub owners: Vec<VarId>,
    /// The Python function this one compiles, for the traceback entry of an
    /// exception raised or passed on here (at the line of the statement's span).
    pub origin: Origin,
    /// Float additions and multiplications (the `Let`s defining these values)
    /// that may be reassociated: the updates of a `prange` loop's reductions,
    /// whose order the user gave up (`lower/src/parallel.rs`).
    pub reassociate: Vec<ValueId>,
    /// The checked copy of a versioned loop, outlined (`lower/src/cold.rs`):
    /// codegen compiles it only when a call first reaches it.
    pub cold: bool,
}

#[derive(Clone, Debug)]
pub struct Origin {
    /// The Python name (`fib`, `<lambda>`).
    pub name: String,
    /// The spans of `Stmt::Raise` and `Stmt::Call` point into it.
    pub source: Arc<SourceFile>,
}

#[derive(Clone, Debug)]
pub struct Var {
    pub ty: LType,
    /// The Python name or a description (`a.shape0`, `a.data`), for the text form.
    pub name: String,
}

pub type Block = Vec<Stmt>;

#[derive(Clone, Debug)]
pub enum Stmt {
    Let {
        dst: ValueId,
        inst: Inst,
        span: Span,
    },
    Set {
        var: VarId,
        value: ValueId,
    },
    /// `*(ty*)addr = value`
    Store {
        addr: ValueId,
        value: ValueId,
    },
    If {
        cond: ValueId,
        then_body: Block,
        else_body: Block,
    },
    /// Loop versioning: `fast` when `cond` holds, else `checked`. Both run the
    /// same loop; `cond` proves the bounds checks of the whole index range, so
    /// `fast` has none. `checked` keeps every check and runs only when some
    /// index of the range is out of bounds (the loop then raises, or leaves
    /// early): codegen treats it as cold and does not vectorize or unroll it.
    Versioned {
        cond: ValueId,
        fast: Block,
        checked: Block,
    },
    /// Runs `body` until a `Break`.
    Loop {
        body: Block,
    },
    /// `var` takes `start, start+step, ...` while `var < stop` (or `var > stop`
    /// when the step is negative). `step` is a non-zero i64; `var` must not
    /// be `Set` in `body`. `Break`/`Continue` inside apply to this loop.
    ForRange {
        var: VarId,
        start: ValueId,
        stop: ValueId,
        step: ValueId,
        step_sign: StepSign,
        body: Block,
    },
    /// Calls a function of this module and sets `results` (one variable per
    /// entry of the callee's `Function::results`). When the callee reports an
    /// exception the caller returns status 1 at once.
    Call {
        callee: FuncIndex,
        args: Vec<ValueId>,
        results: Vec<VarId>,
        span: Span,
    },
    /// Runs the iterations `0..count` (an `i64`, 0 when negative) of a `prange` loop
    /// outlined into `callee`, on the runtime's threads. `callee`'s parameters are
    /// `args`' values, then the `i64` bounds `lo, hi` of the iteration numbers it
    /// runs, then (if it takes one more) the chunk's number; its results are the partials of the loop's reductions. The numbers
    /// are cut into `chunks` consecutive chunks of nearly equal length (chunk `c`
    /// runs `c * count / chunks .. (c + 1) * count / chunks`), each run by one
    /// call, which writes its results as a `Return` fills `ret` to
    /// `partials + c * 8 * slots` (`slots`: the 8-byte slots of the results);
    /// when `callee` has no results and takes no chunk number, one call may run
    /// several consecutive chunks (`lo, hi` span them).
    /// When a chunk raises, the chunks after it are skipped and the exception of
    /// the lowest failing chunk passes on as a failing `Call`'s does.
    ParallelFor {
        callee: FuncIndex,
        args: Vec<ValueId>,
        count: ValueId,
        chunks: ValueId,
        partials: ValueId,
        span: Span,
    },
    /// Runs a kernel of the runtime (linear algebra: `codegen/src/linalg.rs`;
    /// sorting and searching: `codegen/src/sorting.rs`) on `args` (i64s and pointers, in the order `Kernel` documents). When
    /// the kernel reports an exception the function returns status 1 at once.
    Kernel {
        kernel: Kernel,
        args: Vec<ValueId>,
        span: Span,
    },
    /// Takes one more reference to an array owner. An owner is either null
    /// (nothing to count), a NumPy object tagged with a set low bit (an argument
    /// array, alive for the whole call: not counted), or a buffer from
    /// `Inst::Alloc`, whose count is the `i64` at its start.
    Retain(ValueId),
    /// Drops one reference; a buffer whose count reaches zero is freed.
    Release(ValueId),
    Break,
    Continue,
    /// Writes the values to the result slots and returns status 0.
    Return(Vec<ValueId>),
    /// Records an exception in the context and returns status 1.
    Raise {
        error: RuntimeError,
        span: Span,
    },
}

/// The blocks nested directly in the statement `$s`, as a `Vec` of shared or
/// mutable references as `$s` is one (match ergonomics bind them so).
macro_rules! nested_blocks {
    ($s:expr) => {
        match $s {
            Stmt::If {
                then_body,
                else_body,
                ..
            } => vec![then_body, else_body],
            Stmt::Versioned { fast, checked, .. } => vec![fast, checked],
            Stmt::Loop { body } | Stmt::ForRange { body, .. } => vec![body],
            _ => Vec::new(),
        }
    };
}

impl Stmt {
    /// The blocks nested directly in this statement.
    pub fn blocks(&self) -> Vec<&Block> {
        nested_blocks!(self)
    }

    /// The blocks nested directly in this statement, to rewrite in place.
    pub fn blocks_mut(&mut self) -> Vec<&mut Block> {
        nested_blocks!(self)
    }

    /// This statement with `f` applied to each block nested directly in it
    /// (for passes that rewrite blocks, low IR to low IR).
    pub fn map_blocks(self, mut f: impl FnMut(Block) -> Block) -> Stmt {
        match self {
            Stmt::If {
                cond,
                then_body,
                else_body,
            } => Stmt::If {
                cond,
                then_body: f(then_body),
                else_body: f(else_body),
            },
            Stmt::Versioned {
                cond,
                fast,
                checked,
            } => Stmt::Versioned {
                cond,
                fast: f(fast),
                checked: f(checked),
            },
            Stmt::Loop { body } => Stmt::Loop { body: f(body) },
            Stmt::ForRange {
                var,
                start,
                stop,
                step,
                step_sign,
                body,
            } => Stmt::ForRange {
                var,
                start,
                stop,
                step,
                step_sign,
                body: f(body),
            },
            other => other,
        }
    }
}

/// The updates `x = x op e` of a float variable (real or complex), `op` an
/// addition, subtraction or multiplication with `x` read as an operand, in
/// `body` and the blocks nested in it: each one's variable and the value set.
/// Their order is the program's: LLVM can neither vectorize nor reassociate
/// such a chain unless the value is in `Function::reassociate` (a `prange`
/// reduction, `lower/src/parallel.rs`); codegen unrolls an innermost loop
/// that carries one further than others (`codegen/src/loop_hints.rs`).
pub fn float_updates(body: &Block) -> Vec<(VarId, ValueId)> {
    fn walk<'b>(
        body: &'b Block,
        defs: &mut std::collections::HashMap<ValueId, &'b Inst>,
        found: &mut Vec<(VarId, ValueId)>,
    ) {
        for s in body {
            match s {
                Stmt::Let { dst, inst, .. } => {
                    defs.insert(*dst, inst);
                }
                Stmt::Set { var, value } => {
                    if let Some(Inst::Binary(op, a, b)) = defs.get(value) {
                        let reads_var =
                            |v: &ValueId| matches!(defs.get(v), Some(Inst::Get(x)) if x == var);
                        if matches!(
                            op,
                            BinaryOp::FAdd
                                | BinaryOp::FSub
                                | BinaryOp::FMul
                                | BinaryOp::CAdd
                                | BinaryOp::CSub
                        ) && (reads_var(a) || reads_var(b))
                        {
                            found.push((*var, *value));
                        }
                    }
                }
                _ => {}
            }
            for b in s.blocks() {
                walk(b, defs, found);
            }
        }
    }
    let mut found = Vec::new();
    walk(body, &mut std::collections::HashMap::new(), &mut found);
    found
}

/// The operations whose operands' extents must agree (`RuntimeError::CoreShapes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CoreOp {
    /// `matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc
    /// signature (n?,k),(k,m?)->(n?,m?) (size {k of right} is different from {k of left})`
    Matmul,
    /// `shapes (2,3) and (4,) not aligned: 3 (dim 1) != 4 (dim 0)`
    Dot,
    /// `solve1: Input operand 1 has a mismatch in its core dimension 0, with gufunc
    /// signature (m,m),(m)->(m) (size 3 is different from 2)` (`solve:` and
    /// `(m,m),(m,n)->(m,n)` for a 2-d right side)
    Solve,
    /// `all the input array dimensions except for the concatenation axis must
    /// match exactly, but along dimension {d}, the array at index 0 has size
    /// {left[2]} and the array at index {k} has size {right[0]}`, where `left`
    /// is `[d, k, extent of the first array]` (`d` and `k` constants).
    Concatenate,
}

/// The runtime's linear-algebra kernels. Arrays are passed as their data
/// pointer and byte strides; the element type is `F32`, `F64`, `C64` or `C128`
/// (the factorizations compute in double precision whatever it is, as NumPy).
/// An `F64` argument travels as its bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// `C = A B` for `A` m×k, `B` k×n and `C` m×n (any strides; `C` does not
    /// overlap `A` or `B`, and its old contents are not read). Arguments:
    /// `m, k, n, a, a_row_stride, a_col_stride, b, b_row.., b_col.., c, c_row.., c_col..`.
    Gemm(LType),
    /// The determinant of the n×n `A`, written to `out[0]`.
    /// Arguments: `n, a, a_row_stride, a_col_stride, out`.
    Det(LType),
    /// The inverse of the n×n `A` into `out` (C order); a singular `A`
    /// raises `LinAlgError: Singular matrix`. Arguments: as `Det`.
    Inv(LType),
    /// `X` with `A X = B` for `A` n×n and `B` n×nrhs into `out` (C order); a
    /// singular `A` raises as `Inv`. Arguments: `n, nrhs, a, a_row..,
    /// a_col.., b, b_row.., b_col.., out`.
    Solve(LType),
    /// The lower Cholesky factor of `A` (its lower triangle read) into `out`
    /// (C order); raises `LinAlgError: Matrix is not positive definite`.
    /// Arguments: as `Det`.
    Cholesky(LType),
    /// The eigenvalues (ascending, into `w`) and eigenvectors (the columns of
    /// `v`, C order) of the symmetric n×n `A`, its lower triangle read.
    /// `w` holds real numbers (`F32` for `C64`, `F64` for `C128`).
    /// Arguments: `n, a, a_row_stride, a_col_stride, w, v`.
    Eigh(LType),
    /// The least-squares solution `X` (n×nrhs, C order) of `A X = B` for `A`
    /// m×n and `B` m×nrhs, with cutoff `rcond` (an `F64`) for small singular
    /// values; also each column's squared residual (`residuals`, nrhs real
    /// numbers, meaningful when the rank is n < m), the rank (`rank`, one
    /// i32) and the singular values (`s`, min(m, n) real numbers). Arguments:
    /// `m, n, nrhs, a, a_row.., a_col.., b, b_row.., b_col.., rcond, x,
    /// residuals, rank, s`.
    Lstsq(LType),
    /// Sorts in place each of `rows` consecutive runs of `len` elements of a
    /// packed array of the dtype (NaN last, as NumPy). Arguments: `rows, len, data`.
    Sort(Dtype),
    /// Writes to the packed int64 `out` the indices that sort each of `rows`
    /// runs of `len` elements of the packed `data` (a stable sort: ties keep
    /// their order). Arguments: `rows, len, data, out`.
    Argsort(Dtype),
    /// The median of each of `rows` runs of `len` elements of the packed
    /// `data` (reordered), written to `out` (float32 for float32 data, else
    /// float64; NaN when a run holds a NaN or is empty). Arguments: `rows, len, data, out`.
    Median(Dtype),
    /// Sorts the packed `data` of `n` elements and moves its distinct values
    /// (NaNs counted as one) to its start; their count goes to the int64
    /// `count[0]`. Arguments: `n, data, count`.
    Unique(Dtype),
    /// For each of the `m` elements of the packed `v`, the index where it
    /// would be inserted into the sorted `a` (`n` elements, byte stride
    /// `a_stride`) to keep it sorted, the leftmost such (`right` 0) or the
    /// rightmost (`right` 1), into the packed int64 `out`.
    /// Arguments: `n, a, a_stride, m, v, out, right`.
    Searchsorted(Dtype),
    /// `np.histogram`'s counts of the `n` elements of the packed `data`
    /// (float32 or float64, the dtype) into the zeroed int64 `out` of
    /// `bins` counts. With `given` 1, `edges` holds the `bins + 1` edges
    /// (float64; raises NumPy's `ValueError` unless they increase); with 0, the
    /// kernel writes them there, spread evenly over `range` (a pointer to two
    /// float64s, or 0 for the data's minimum and maximum), with NumPy's errors
    /// for a range that is reversed or not finite.
    /// Arguments: `n, data, bins, edges, range, given, out`.
    Histogram(Dtype),
}

impl Kernel {
    /// How many arguments the kernel takes.
    pub fn arity(self) -> usize {
        match self {
            Kernel::Gemm(_) => 12,
            Kernel::Det(_) | Kernel::Inv(_) | Kernel::Cholesky(_) => 5,
            Kernel::Solve(_) => 9,
            Kernel::Eigh(_) => 6,
            Kernel::Lstsq(_) => 14,
            Kernel::Unique(_) | Kernel::Sort(_) => 3,
            Kernel::Argsort(_) | Kernel::Median(_) => 4,
            Kernel::Searchsorted(_) | Kernel::Histogram(_) => 7,
        }
    }

    /// Its name and element type, as the text of low IR shows them (`gemm.f64`, `sort.int32`).
    pub fn name(self) -> String {
        let linalg = |name: &str, t: LType| format!("{name}.{t}");
        let sorting = |name: &str, d: Dtype| format!("{name}.{d}");
        match self {
            Kernel::Gemm(t) => linalg("gemm", t),
            Kernel::Det(t) => linalg("det", t),
            Kernel::Inv(t) => linalg("inv", t),
            Kernel::Solve(t) => linalg("solve", t),
            Kernel::Cholesky(t) => linalg("cholesky", t),
            Kernel::Eigh(t) => linalg("eigh", t),
            Kernel::Lstsq(t) => linalg("lstsq", t),
            Kernel::Sort(d) => sorting("sort", d),
            Kernel::Argsort(d) => sorting("argsort", d),
            Kernel::Median(d) => sorting("median", d),
            Kernel::Unique(d) => sorting("unique", d),
            Kernel::Searchsorted(d) => sorting("searchsorted", d),
            Kernel::Histogram(d) => sorting("histogram", d),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StepSign {
    Positive,
    Negative,
    /// Chosen at run time from the sign of `step`.
    Unknown,
}

/// Exceptions raised at run time.
#[derive(Clone, Debug)]
pub enum RuntimeError {
    /// `index {index} is out of bounds for axis {axis} with size {size}`
    IndexOutOfBounds {
        index: ValueId,
        axis: u32,
        size: ValueId,
    },
    /// `ValueError: could not broadcast input array from shape {from} into shape {into}`
    /// (the extents of each, as NumPy prints a shape tuple).
    Broadcast {
        from: Vec<ValueId>,
        into: Vec<ValueId>,
    },
    /// `ValueError: operands could not be broadcast together with shapes (3,) (4,) `
    /// (NumPy's message, trailing space included): the extents of each operand,
    /// none for a number, and for an in-place update (`a += b`) the output's last.
    BroadcastOperands { shapes: Vec<Vec<ValueId>> },
    /// `ValueError: non-broadcastable output operand with shape {output} doesn't
    /// match the broadcast shape {broadcast}`
    BroadcastOutput {
        output: Vec<ValueId>,
        broadcast: Vec<ValueId>,
    },
    /// NumPy's `ValueError` for the operands of `op` whose extents that must
    /// agree (the last of `left`, the first of `right`) differ.
    CoreShapes {
        op: CoreOp,
        left: Vec<ValueId>,
        right: Vec<ValueId>,
    },
    /// `ValueError: cannot reshape array of size {size} into shape {into}` (an
    /// unknown, negative, extent printed `newaxis`, as NumPy does).
    Reshape { size: ValueId, into: Vec<ValueId> },
    /// `IndexError: boolean index did not match indexed array along axis {axis};
    /// size of axis is {size} but size of corresponding boolean axis is {mask}`
    MaskShape {
        axis: u32,
        size: ValueId,
        mask: ValueId,
    },
    /// `ValueError: NumPy boolean array indexing assignment cannot assign
    /// {values} input values to the {count} output values where the mask is true`
    MaskValues { values: ValueId, count: ValueId },
    /// `ValueError: shape mismatch: value array of shape {from} could not be
    /// broadcast to indexing result of shape {into}`
    IndexShape {
        from: Vec<ValueId>,
        into: Vec<ValueId>,
    },
    /// A fixed message, e.g. `ZeroDivisionError: integer division or modulo by zero`.
    Message {
        kind: ExceptionKind,
        message: String,
    },
}

#[derive(Clone, Debug)]
pub enum Inst {
    Const(Const),
    /// The current value of a variable.
    Get(VarId),
    Unary(UnaryOp, ValueId),
    Binary(BinaryOp, ValueId, ValueId),
    /// Result is `I1`.
    Cmp(CmpOp, ValueId, ValueId),
    Cast(CastOp, ValueId, LType),
    Select {
        cond: ValueId,
        if_true: ValueId,
        if_false: ValueId,
    },
    /// The `I1` value itself, with the hint that it is almost always the
    /// given constant: an `If` on it lays its rarely taken side out cold
    /// (LLVM's `llvm.expect`, which becomes branch weights).
    Expect(ValueId, bool),
    /// `*(ty*)addr`
    Load {
        ty: LType,
        addr: ValueId,
    },
    /// `addr + offset` bytes (`offset` is an I64).
    PtrOffset {
        addr: ValueId,
        offset: ValueId,
    },
    /// A float libm function or intrinsic, in the float type of the arguments.
    Math(Primitive, Vec<ValueId>),
    /// A C library complex function (`cexp`...), in the complex type of the arguments.
    ComplexCall(ComplexFn, Vec<ValueId>),
    MakeComplex {
        re: ValueId,
        im: ValueId,
    },
    Real(ValueId),
    Imag(ValueId),
    /// A new buffer of `bytes` (I64) bytes, as its owner with a count of one
    /// reference; its data starts `BUFFER_DATA_OFFSET` bytes after the owner.
    /// `zeroed` asks for zero-filled memory. Raises MemoryError on failure,
    /// with NumPy's message naming `array`: the dtype and the extents of the
    /// array the buffer holds (None for a buffer of the runtime's own).
    Alloc {
        bytes: ValueId,
        zeroed: bool,
        array: Option<(Dtype, Vec<ValueId>)>,
    },
    /// `I1`: whether the native stack of the running thread is within the
    /// runtime's safety margin of its end (the limit the call's context holds).
    /// Recursive functions test it on entry, so deep recursion raises instead
    /// of overflowing the stack.
    StackExhausted,
    /// A `Ptr` to read-only data made at compile time: `values`, each an
    /// `F32` or `F64` as `ty` says, one after another (a table of constants
    /// that an index picks from with one `Load`).
    Table {
        ty: LType,
        values: Vec<f64>,
    },
    /// `value` (`F64` or `I64`) rounded to `digits` (`I64`) decimal digits after
    /// the point (before it when negative), half to even on the exact decimal
    /// value; an `I64` result wraps. A runtime call: correct rounding needs the
    /// exact decimal expansion, which scaling by a power of ten loses.
    RoundDecimal {
        value: ValueId,
        digits: ValueId,
    },
}

/// Where the data of a buffer from `Inst::Alloc` starts, after its header
/// (the reference count): a multiple of the widest vector and a cache line.
pub const BUFFER_DATA_OFFSET: i64 = 64;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Const {
    Bool(bool),
    /// The null `Ptr` (an array owner that holds nothing).
    Null,
    /// An integer of the given integer type (bits kept as i64).
    Int(LType, i64),
    Float(LType, f64),
    Complex(LType, f64, f64),
    /// A fixed address (a `Ptr`): the data or the (tagged) owner of an array
    /// frozen at compile time, which whoever compiled the module keeps alive.
    Addr(u64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// Integer negation (wrapping).
    INeg,
    FNeg,
    CNeg,
    /// Bitwise not (also logical not on I1).
    Not,
    /// Absolute value of a complex number (hypot), giving its float type.
    CAbs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    IAdd,
    ISub,
    IMul,
    /// Truncating division; the divisor is known non-zero (lower checks).
    SDiv,
    UDiv,
    SRem,
    URem,
    And,
    Or,
    Xor,
    Shl,
    AShr,
    LShr,
    SMin,
    SMax,
    UMin,
    UMax,
    FAdd,
    FSub,
    FMul,
    FDiv,
    /// C `fmod` (sign of the dividend).
    FRem,
    /// Python's `min`/`max` on floats: NaN handling as CPython's comparison chain.
    FMin,
    FMax,
    /// The magnitude of the first operand with the sign of the second.
    FCopySign,
    CAdd,
    CSub,
    CMul,
    /// NumPy's complex product in its array loops (`*`, `np.multiply`,
    /// `np.square` of arrays): where the CPU has AVX2 and FMA, the loops
    /// NumPy dispatches to fuse each part's first product into its sum,
    /// `re = fma(xr, yr, -(xi yi))`, `im = fma(xr, yi, xi yr)`; elsewhere it
    /// is `CMul`. Numbers (CPython's `*`, `npy_cpow`'s products) are `CMul`.
    CMulLoop,
    CDiv,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    SLt,
    SLe,
    SGt,
    SGe,
    ULt,
    ULe,
    UGt,
    UGe,
    /// Ordered float compares (false when either is NaN)...
    FEq,
    FLt,
    FLe,
    FGt,
    FGe,
    /// ...except `!=`, which is true when either is NaN.
    FNe,
    /// Complex equality / inequality of both parts.
    CEq,
    CNe,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CastOp {
    /// Integer widening, sign- or zero-extending.
    SExt,
    ZExt,
    Trunc,
    SIToFP,
    UIToFP,
    /// Float to integer, truncating toward zero; some integer where the
    /// float is NaN or outside the target's range.
    FPToSI,
    /// Float to `I64`, truncating toward zero; `i64::MIN` where the float is
    /// NaN or outside int64 (what Python's `int()` and NumPy's `astype` need
    /// defined, and what x86's `cvttsd2si` computes).
    FPToSIOrMin,
    FPToUI,
    FPExt,
    FPTrunc,
    /// Real float to complex with zero imaginary part, or complex to complex.
    ToComplex,
    /// A pointer's address as an i64, to compare the memory of two arrays.
    PtrToInt,
}

impl fmt::Display for LType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LType::I1 => "i1",
            LType::I8 => "i8",
            LType::I16 => "i16",
            LType::I32 => "i32",
            LType::I64 => "i64",
            LType::F32 => "f32",
            LType::F64 => "f64",
            LType::C64 => "c64",
            LType::C128 => "c128",
            LType::Ptr => "ptr",
        })
    }
}
