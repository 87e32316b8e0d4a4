//! The high-level IR: one Python function, names resolved, every node spanned.
//!
//! Expressions live in an arena (`Function::exprs`) so later stages can attach
//! facts to them by `ExprId` (typeinfer gives every expression a type).
//! Statements stay a tree: Python's block structure is what `lower` walks.

use std::fmt;
use std::sync::Arc;

use crate::span::{SourceFile, Span};
pub use library::{Dtype, LibFn, ReduceFn};

pub mod visit;

/// Index of an expression in `Function::exprs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExprId(pub u32);

/// Index of a local variable (parameters first) in `Function::locals`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalId(pub u32);

/// Index of a `@jit` function in the `Program` being compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FuncId(pub u32);

impl fmt::Display for ExprId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "e{}", self.0)
    }
}
impl fmt::Display for LocalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "l{}", self.0)
    }
}
impl fmt::Display for FuncId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fn{}", self.0)
    }
}

/// Every `@jit` function reachable from the one being compiled; `FuncId` indexes it.
#[derive(Clone, Debug, Default)]
pub struct Program {
    pub functions: Vec<Arc<Function>>,
}

#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    /// The first `params.len()` locals are the parameters, in order: the
    /// positional ones, then the keyword-only ones (after `*`).
    pub params: Vec<LocalId>,
    /// How calls bind to `params` (keywords, defaults).
    pub signature: Signature,
    pub locals: Vec<Local>,
    pub exprs: Vec<Expr>,
    pub body: Vec<Stmt>,
    /// Span of the `def` line's name.
    pub span: Span,
    pub source: Arc<SourceFile>,
}

impl Function {
    pub fn expr(&self, id: ExprId) -> &Expr {
        &self.exprs[id.0 as usize]
    }
    pub fn local(&self, id: LocalId) -> &Local {
        &self.locals[id.0 as usize]
    }

    /// The value of an integer constant expression (`3`, `-1`, a module
    /// constant); `None` for anything else, bools included.
    pub fn constant_int(&self, e: ExprId) -> Option<i64> {
        match &self.expr(e).kind {
            ExprKind::Const(Constant::Int(i))
            | ExprKind::Global {
                value: Constant::Int(i),
                ..
            } => Some(*i),
            ExprKind::Unary {
                op: UnaryOp::Neg,
                operand,
            } => self.constant_int(*operand)?.checked_neg(),
            ExprKind::Unary {
                op: UnaryOp::Pos,
                operand,
            } => self.constant_int(*operand),
            _ => None,
        }
    }
}

/// What a call may pass to each parameter, as CPython binds it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Signature {
    /// The first this many parameters come before `/`: never passed by keyword.
    pub positional_only: usize,
    /// The last this many parameters come after `*`: only passed by keyword.
    pub keyword_only: usize,
    /// One per parameter: the value it takes when a call passes none, if any.
    pub defaults: Vec<Option<Constant>>,
}

#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    /// Where the name is first bound (the parameter, or the first assignment).
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Const(Constant),
    Local(LocalId),
    /// A module-level constant, read once at compile time.
    Global {
        name: String,
        value: Constant,
    },
    /// A module-level (or closure) NumPy array, frozen at compile time.
    GlobalArray {
        name: String,
        array: FrozenArray,
    },
    /// A known function used as a value, e.g. `dtype=np.float32` or `dtype=float`.
    Function(KnownFunction),
    Unary {
        op: UnaryOp,
        operand: ExprId,
    },
    Binary {
        op: BinOp,
        lhs: ExprId,
        rhs: ExprId,
        /// Written as NumPy's function (`np.power(a, b)`), not Python's
        /// operator (`a ** b`). They differ in one place: NumPy's `**` of an
        /// array by the Python number 2, -1 or 0.5 calls `square`,
        /// `reciprocal` or `sqrt` where `np.power` calls its power loop.
        ufunc: bool,
    },
    /// `a < b <= c`: `left` compared with each right operand in turn, Python's chaining.
    Compare {
        left: ExprId,
        comparisons: Vec<(CmpOp, ExprId)>,
    },
    /// `value is None` (`is not` when `negated`), also written `None is value`:
    /// the only `is` comparison. Its result is known at compile time from
    /// `value`'s type (typeinfer), and an `if` on one of a parameter is pruned.
    IsNone {
        value: ExprId,
        negated: bool,
    },
    /// `a and b and c` / `a or b`: short-circuit, Python's value semantics.
    BoolOp {
        op: BoolOp,
        values: Vec<ExprId>,
    },
    /// `body if test else orelse`
    IfExp {
        test: ExprId,
        body: ExprId,
        orelse: ExprId,
    },
    Call {
        callee: Callee,
        args: Vec<ExprId>,
        kwargs: Vec<Keyword>,
    },
    /// `a.shape`, `a.size`, `a.ndim`, `a.dtype`, `z.real`, `z.imag`, `a.T`...
    Attribute {
        value: ExprId,
        attr: String,
    },
    /// `a[i]`, `a[i, j]`, `t[0]`: one entry per comma-separated index.
    Subscript {
        value: ExprId,
        indices: Vec<ExprId>,
    },
    Tuple(Vec<ExprId>),
    /// `lower:upper:step`, only as an index of `Subscript` (or its target); a
    /// missing part is `None`, as in Python's `slice` object.
    Slice {
        lower: Option<ExprId>,
        upper: Option<ExprId>,
        step: Option<ExprId>,
    },
    /// `...`, only as an index: as many `:` as the axes not otherwise indexed.
    Ellipsis,
    /// A ufunc's `out=` (or its extra positional argument): `value` (the
    /// ufunc's call, or its operator node, without `out`) computed straight
    /// into the array `out`, which is the result.
    Out {
        value: ExprId,
        out: ExprId,
    },
}

#[derive(Clone, Debug)]
pub struct Keyword {
    pub name: String,
    pub value: ExprId,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Complex { re: f64, im: f64 },
    Str(String),
    Tuple(Vec<Constant>),
}

#[derive(Clone, Debug)]
pub enum Callee {
    /// A builtin, `math.*`, or `np.*` function, resolved by what it is.
    Known(KnownFunction),
    /// Another `@jit` function: a native call.
    Jit(FuncId),
    /// `receiver.name(...)`, e.g. `a.copy()`.
    Method { receiver: ExprId, name: String },
}

/// A read-only copy of a module-level NumPy array, made when the function is
/// parsed (as Numba freezes global arrays): compiled code reads its memory at
/// `data`, which whoever made it keeps alive as long as any code that reads it
/// (pymod: the `ParsedFunction` of the function).
#[derive(Clone, Debug, PartialEq)]
pub struct FrozenArray {
    pub dtype: Dtype,
    pub shape: Vec<i64>,
    /// Byte strides, one per axis.
    pub strides: Vec<i64>,
    /// The address of element 0.
    pub data: usize,
    /// The address of the copy's Python object: the array's owner, borrowed
    /// (tagged) as an argument's is, since the copy outlives the code.
    pub object: usize,
}

/// What a module-level name refers to, as reported by the `Resolver`.
#[derive(Clone, Debug)]
pub enum GlobalValue {
    Constant(Constant),
    Array(FrozenArray),
    Module(KnownModule),
    Function(KnownFunction),
    Jit(FuncId),
    /// A plain Python function (its `__name__`): decorating it with `@jit` would
    /// make it callable from compiled code.
    PythonFunction {
        name: String,
    },
    /// Any other Python object ferrojit cannot compile against; the text says what
    /// it is (for example "builtin function `print`").
    Unsupported(String),
}

/// Modules whose members (`known::module_members`) compiled code can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KnownModule {
    Math,
    Numpy,
    /// `numpy.linalg`, also reached as the attribute `np.linalg`.
    Linalg,
}

impl KnownModule {
    pub const ALL: [KnownModule; 3] = [KnownModule::Math, KnownModule::Numpy, KnownModule::Linalg];

    /// The name it is imported by, also its dotted name in messages (`numpy.foo`).
    pub fn name(self) -> &'static str {
        match self {
            KnownModule::Math => "math",
            KnownModule::Numpy => "numpy",
            KnownModule::Linalg => "numpy.linalg",
        }
    }
}

/// Builtin exception types a kernel may `raise`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExceptionKind {
    Exception,
    ValueError,
    TypeError,
    IndexError,
    KeyError,
    ZeroDivisionError,
    ArithmeticError,
    OverflowError,
    RuntimeError,
    AssertionError,
    NotImplementedError,
    MemoryError,
    /// Compiled recursion that ran out of native stack (never unwound as a segfault).
    RecursionError,
    /// A local read where no assignment to it has run.
    UnboundLocalError,
    /// `numpy.linalg.LinAlgError` (a singular matrix...): raised by the
    /// linear-algebra kernels only, not a builtin a kernel can name.
    LinAlgError,
}

impl ExceptionKind {
    /// Every kind, `LinAlgError` last.
    pub const ALL: [ExceptionKind; 15] = [
        ExceptionKind::Exception,
        ExceptionKind::ValueError,
        ExceptionKind::TypeError,
        ExceptionKind::IndexError,
        ExceptionKind::KeyError,
        ExceptionKind::ZeroDivisionError,
        ExceptionKind::ArithmeticError,
        ExceptionKind::OverflowError,
        ExceptionKind::RuntimeError,
        ExceptionKind::AssertionError,
        ExceptionKind::NotImplementedError,
        ExceptionKind::MemoryError,
        ExceptionKind::RecursionError,
        ExceptionKind::UnboundLocalError,
        ExceptionKind::LinAlgError,
    ];

    /// The builtin ones, which `raise` may name.
    pub fn builtins() -> &'static [ExceptionKind] {
        &ExceptionKind::ALL[..ExceptionKind::ALL.len() - 1]
    }

    pub fn name(self) -> &'static str {
        match self {
            ExceptionKind::Exception => "Exception",
            ExceptionKind::ValueError => "ValueError",
            ExceptionKind::TypeError => "TypeError",
            ExceptionKind::IndexError => "IndexError",
            ExceptionKind::KeyError => "KeyError",
            ExceptionKind::ZeroDivisionError => "ZeroDivisionError",
            ExceptionKind::ArithmeticError => "ArithmeticError",
            ExceptionKind::OverflowError => "OverflowError",
            ExceptionKind::RuntimeError => "RuntimeError",
            ExceptionKind::AssertionError => "AssertionError",
            ExceptionKind::NotImplementedError => "NotImplementedError",
            ExceptionKind::MemoryError => "MemoryError",
            ExceptionKind::RecursionError => "RecursionError",
            ExceptionKind::UnboundLocalError => "UnboundLocalError",
            ExceptionKind::LinAlgError => "LinAlgError",
        }
    }
}

/// Functions recognised by identity (the resolver checks `obj is math.sqrt`), never by spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KnownFunction {
    Range,
    Prange,
    /// `enumerate` and `zip`: only the iterable of a `for` loop, which the frontend desugars.
    Enumerate,
    Zip,
    Len,
    Abs,
    Min,
    Max,
    Int,
    Float,
    Bool,
    Complex,
    Round,
    /// A function of the library registry: `math.sqrt`, `np.floor`...
    Library(LibFn),
    /// A whole-array reduction of the registry: `np.sum`, builtin `sum`...
    Reduce(ReduceFn),
    /// `np.float32(x)`, `np.int64(x)`...: a conversion; also valid as `dtype=`.
    Scalar(Dtype),
    /// `np.empty`, `np.zeros`...
    Alloc(AllocFn),
    /// `np.arange`, `np.linspace`, `np.array`...: arrays made from values.
    Create(CreateFn),
    /// `ValueError`, ... (only meaningful after `raise`).
    Exception(ExceptionKind),
    /// `np.transpose`, `np.reshape`...: a view of an array where NumPy gives one.
    View(ViewFn),
    /// `np.dot`, `np.matmul` (and the `@` operator)...: linear algebra.
    Linalg(LinalgFn),
    /// `np.sort`, `np.argsort`, `np.median`, `np.unique`, `np.searchsorted`,
    /// `np.histogram`, `np.bincount`.
    Sorting(SortFn),
    /// `np.concatenate`, `np.stack`, `np.hstack`, `np.vstack`, `np.triu`, `np.tril`, `np.convolve`.
    Joining(JoinFn),
    /// `np.nonzero`, `np.flatnonzero`, `np.argwhere`: where an array is not zero.
    Nonzero(NonzeroFn),
    /// `np.add`, `np.less`, `np.invert`...: a ufunc that is an operator. A
    /// call of one is the operator's node from the frontend on (`np.add(a, b)`
    /// is `a + b`), so only a misuse (a wrong number of arguments) reaches
    /// typeinfer as a call.
    Operator(OperatorFn),
}

/// The indices of an array's nonzero elements, as int64 arrays: typed and
/// lowered beside advanced indexing (`advanced.rs` of typeinfer and lower),
/// whose count-then-fill passes they share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NonzeroFn {
    /// A tuple of one array per axis.
    Nonzero,
    /// Flat (C-order) indices.
    Flatnonzero,
    /// One row of indices per element.
    Argwhere,
}

impl NonzeroFn {
    pub const ALL: [NonzeroFn; 3] = [
        NonzeroFn::Nonzero,
        NonzeroFn::Flatnonzero,
        NonzeroFn::Argwhere,
    ];

    pub fn name(self) -> &'static str {
        match self {
            NonzeroFn::Nonzero => "nonzero",
            NonzeroFn::Flatnonzero => "flatnonzero",
            NonzeroFn::Argwhere => "argwhere",
        }
    }
}

/// Arrays built from arrays: typed in `typeinfer/src/joining.rs`, lowered in
/// `lower/src/joining.rs` (loops copying into a new C array).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JoinFn {
    Concatenate,
    Stack,
    Hstack,
    Vstack,
    Triu,
    Tril,
    Convolve,
}

impl JoinFn {
    pub const ALL: [JoinFn; 7] = [
        JoinFn::Concatenate,
        JoinFn::Stack,
        JoinFn::Hstack,
        JoinFn::Vstack,
        JoinFn::Triu,
        JoinFn::Tril,
        JoinFn::Convolve,
    ];

    pub fn name(self) -> &'static str {
        match self {
            JoinFn::Concatenate => "concatenate",
            JoinFn::Stack => "stack",
            JoinFn::Hstack => "hstack",
            JoinFn::Vstack => "vstack",
            JoinFn::Triu => "triu",
            JoinFn::Tril => "tril",
            JoinFn::Convolve => "convolve",
        }
    }
}

/// Sorting, searching and counting values: typed in `typeinfer/src/sorting.rs`,
/// lowered in `lower/src/sorting.rs` (sorts and histograms are runtime kernels).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortFn {
    Sort,
    Argsort,
    Median,
    Unique,
    Searchsorted,
    Histogram,
    Bincount,
}

impl SortFn {
    pub const ALL: [SortFn; 7] = [
        SortFn::Sort,
        SortFn::Argsort,
        SortFn::Median,
        SortFn::Unique,
        SortFn::Searchsorted,
        SortFn::Histogram,
        SortFn::Bincount,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SortFn::Sort => "sort",
            SortFn::Argsort => "argsort",
            SortFn::Median => "median",
            SortFn::Unique => "unique",
            SortFn::Searchsorted => "searchsorted",
            SortFn::Histogram => "histogram",
            SortFn::Bincount => "bincount",
        }
    }
}

/// The NumPy functions that are another node: the ufuncs Python operators
/// call on arrays, and `np.real`/`np.imag` (`z.real`, `z.imag`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperatorFn {
    Binary(BinOp),
    Compare(CmpOp),
    /// `~`
    Invert,
    /// `np.real(z)` is `z.real`, `np.imag(z)` `z.imag` (no ufuncs: views of
    /// a complex array's parts).
    Part(&'static str),
}

impl OperatorFn {
    /// Every one, under each of its NumPy names (the first is the one messages use).
    pub const ALL: [(&'static str, OperatorFn); 23] = [
        ("add", OperatorFn::Binary(BinOp::Add)),
        ("subtract", OperatorFn::Binary(BinOp::Sub)),
        ("multiply", OperatorFn::Binary(BinOp::Mul)),
        ("divide", OperatorFn::Binary(BinOp::Div)),
        ("true_divide", OperatorFn::Binary(BinOp::Div)),
        ("floor_divide", OperatorFn::Binary(BinOp::FloorDiv)),
        ("remainder", OperatorFn::Binary(BinOp::Mod)),
        ("mod", OperatorFn::Binary(BinOp::Mod)),
        ("power", OperatorFn::Binary(BinOp::Pow)),
        ("bitwise_and", OperatorFn::Binary(BinOp::BitAnd)),
        ("bitwise_or", OperatorFn::Binary(BinOp::BitOr)),
        ("bitwise_xor", OperatorFn::Binary(BinOp::BitXor)),
        ("equal", OperatorFn::Compare(CmpOp::Eq)),
        ("not_equal", OperatorFn::Compare(CmpOp::NotEq)),
        ("less", OperatorFn::Compare(CmpOp::Lt)),
        ("less_equal", OperatorFn::Compare(CmpOp::LtE)),
        ("greater", OperatorFn::Compare(CmpOp::Gt)),
        ("greater_equal", OperatorFn::Compare(CmpOp::GtE)),
        ("invert", OperatorFn::Invert),
        ("bitwise_not", OperatorFn::Invert),
        ("bitwise_invert", OperatorFn::Invert),
        ("real", OperatorFn::Part("real")),
        ("imag", OperatorFn::Part("imag")),
    ];

    /// Its NumPy name: `add`, `less_equal`.
    pub fn name(self) -> &'static str {
        OperatorFn::ALL
            .iter()
            .find_map(|(name, op)| (*op == self).then_some(*name))
            .unwrap_or("?")
    }

    pub fn arity(self) -> usize {
        match self {
            OperatorFn::Invert | OperatorFn::Part(_) => 1,
            _ => 2,
        }
    }
}

/// Linear algebra on whole arrays: typed in `typeinfer/src/linalg.rs`,
/// lowered in `lower/src/linalg.rs` (the heavy kernels are runtime calls).
/// `a @ b` is `np.matmul(a, b)` from the frontend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinalgFn {
    Dot,
    Matmul,
    Vdot,
    Outer,
    Trace,
    Norm,
    Det,
    Inv,
    Solve,
    Cholesky,
    Eigh,
    Lstsq,
}

impl LinalgFn {
    /// The `numpy` functions.
    pub(crate) const NUMPY: [LinalgFn; 5] = [
        LinalgFn::Dot,
        LinalgFn::Matmul,
        LinalgFn::Vdot,
        LinalgFn::Outer,
        LinalgFn::Trace,
    ];
    /// The `numpy.linalg` functions.
    pub(crate) const LINALG: [LinalgFn; 7] = [
        LinalgFn::Norm,
        LinalgFn::Det,
        LinalgFn::Inv,
        LinalgFn::Solve,
        LinalgFn::Cholesky,
        LinalgFn::Eigh,
        LinalgFn::Lstsq,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LinalgFn::Dot => "dot",
            LinalgFn::Matmul => "matmul",
            LinalgFn::Vdot => "vdot",
            LinalgFn::Outer => "outer",
            LinalgFn::Trace => "trace",
            LinalgFn::Norm => "norm",
            LinalgFn::Det => "det",
            LinalgFn::Inv => "inv",
            LinalgFn::Solve => "solve",
            LinalgFn::Cholesky => "cholesky",
            LinalgFn::Eigh => "eigh",
            LinalgFn::Lstsq => "lstsq",
        }
    }

    /// As messages name it: `np.dot`, `np.linalg.solve`.
    pub fn qualified_name(self) -> String {
        if LinalgFn::LINALG.contains(&self) {
            format!("np.linalg.{}", self.name())
        } else {
            format!("np.{}", self.name())
        }
    }
}

/// Functions and methods that give a view of their array argument (or, where
/// NumPy cannot, a copy): `np.transpose(a)` and `a.transpose()` alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ViewFn {
    Transpose,
    Reshape,
    Ravel,
    Flip,
    /// Only a method, and always a copy.
    Flatten,
}

impl ViewFn {
    /// Those that are also `numpy` functions.
    pub(crate) const FUNCTIONS: [ViewFn; 4] = [
        ViewFn::Transpose,
        ViewFn::Reshape,
        ViewFn::Ravel,
        ViewFn::Flip,
    ];
    /// Those that are also array methods.
    pub const METHODS: [ViewFn; 4] = [
        ViewFn::Transpose,
        ViewFn::Reshape,
        ViewFn::Ravel,
        ViewFn::Flatten,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ViewFn::Transpose => "transpose",
            ViewFn::Reshape => "reshape",
            ViewFn::Ravel => "ravel",
            ViewFn::Flip => "flip",
            ViewFn::Flatten => "flatten",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AllocFn {
    Empty,
    Zeros,
    Ones,
    Full,
    EmptyLike,
    ZerosLike,
    OnesLike,
}

impl AllocFn {
    pub(crate) const ALL: [AllocFn; 7] = [
        AllocFn::Empty,
        AllocFn::Zeros,
        AllocFn::Ones,
        AllocFn::Full,
        AllocFn::EmptyLike,
        AllocFn::ZerosLike,
        AllocFn::OnesLike,
    ];

    pub fn name(self) -> &'static str {
        match self {
            AllocFn::Empty => "empty",
            AllocFn::Zeros => "zeros",
            AllocFn::Ones => "ones",
            AllocFn::Full => "full",
            AllocFn::EmptyLike => "empty_like",
            AllocFn::ZerosLike => "zeros_like",
            AllocFn::OnesLike => "ones_like",
        }
    }
}

/// NumPy functions that make a new array from values rather than a shape:
/// typed in `typeinfer/src/creation.rs`, lowered in `lower/src/creation.rs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CreateFn {
    Arange,
    Linspace,
    Eye,
    Identity,
    FullLike,
    Copy,
    Asarray,
    Array,
    /// `np.diff(a, n, axis)`: an array made from another's values.
    Diff,
}

impl CreateFn {
    pub(crate) const ALL: [CreateFn; 9] = [
        CreateFn::Arange,
        CreateFn::Linspace,
        CreateFn::Eye,
        CreateFn::Identity,
        CreateFn::FullLike,
        CreateFn::Copy,
        CreateFn::Asarray,
        CreateFn::Array,
        CreateFn::Diff,
    ];

    pub fn name(self) -> &'static str {
        match self {
            CreateFn::Arange => "arange",
            CreateFn::Linspace => "linspace",
            CreateFn::Eye => "eye",
            CreateFn::Identity => "identity",
            CreateFn::FullLike => "full_like",
            CreateFn::Copy => "copy",
            CreateFn::Asarray => "asarray",
            CreateFn::Array => "array",
            CreateFn::Diff => "diff",
        }
    }

    /// Whether the first argument may be a list literal (`np.array([1, 2])`),
    /// which the frontend turns into (nested) tuples: NumPy reads both alike.
    pub fn takes_sequence(self) -> bool {
        matches!(self, CreateFn::Array | CreateFn::Asarray)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
    Pos,
    Not,
    Invert,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    BitAnd,
    BitOr,
    BitXor,
    LShift,
    RShift,
}

impl BinOp {
    /// The Python operator: `+`, `//`, `**`...
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::LShift => "<<",
            BinOp::RShift => ">>",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtE,
    Gt,
    GtE,
}

impl CmpOp {
    /// The Python operator: `==`, `<=`...
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::NotEq => "!=",
            CmpOp::Lt => "<",
            CmpOp::LtE => "<=",
            CmpOp::Gt => ">",
            CmpOp::GtE => ">=",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BoolOp {
    And,
    Or,
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    /// `target = value` (chained `a = b = v` becomes one Assign per target).
    Assign {
        target: Target,
        value: ExprId,
    },
    /// `target op= value`
    AugAssign {
        target: Target,
        op: BinOp,
        value: ExprId,
    },
    /// An expression evaluated for its effect (a call).
    Expr(ExprId),
    If {
        test: ExprId,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    While {
        test: ExprId,
        body: Vec<Stmt>,
    },
    /// `for var in range(start, stop, step)` / `prange(...)`; missing parts are
    /// filled in by the frontend (start 0, step 1), so all three are present.
    ForRange {
        var: LocalId,
        start: ExprId,
        stop: ExprId,
        step: ExprId,
        parallel: bool,
        body: Vec<Stmt>,
    },
    Break,
    Continue,
    Return(Option<ExprId>),
    Raise {
        kind: ExceptionKind,
        message: Option<String>,
    },
    Pass,
}

#[derive(Clone, Debug)]
pub enum Target {
    Local(LocalId),
    /// `a, b = ...` (nested tuples allowed).
    Tuple(Vec<Target>),
    /// `a[i, j] = ...`
    Subscript {
        value: ExprId,
        indices: Vec<ExprId>,
    },
}
