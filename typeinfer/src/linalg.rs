//! Linear algebra (`np.dot`, `np.matmul` and `a @ b`, `np.vdot`, `np.outer`,
//! `np.trace`, `np.linalg.*`): the result types, with NumPy's rules; lower's
//! `linalg.rs` follows them.
//!
//! Products take 1-d or 2-d arrays of floats or complex numbers (NumPy 2
//! promotes them to one dtype, which lower converts to); a product of two
//! vectors is a number, any other a new C-ordered array whose axes are the
//! rows of the left operand then the columns of the right one. The
//! factorizations (`det`, `inv`, `solve`, `cholesky`, `eigh`, `lstsq`) take
//! matrices of any number dtype and give NumPy's result dtypes
//! (`factorization_dtype`).

use frontend::hir::{Dtype, ExprId, Keyword, LinalgFn};
use library::promotion::promote_dtype;

use crate::infer::{report, FnCx, Ty};
use crate::{ArrayType, Layout, Type};

/// The type of the product of arrays of types `a` and `b` (each 1-d or 2-d),
/// in dtype `dtype`: a number for two vectors, else a C array.
fn product_type(a: &ArrayType, b: &ArrayType, dtype: Dtype) -> Type {
    match a.ndim + b.ndim - 2 {
        0 => Type::Scalar(dtype),
        ndim => c_array(dtype, ndim),
    }
}

fn c_array(dtype: Dtype, ndim: u8) -> Type {
    Type::Array(ArrayType {
        dtype,
        ndim,
        layout: Layout::C,
        writable: true,
    })
}

/// The dtype of the results of NumPy's factorizations of operands of
/// `dtypes` (`_commonType`): complex if one is, single precision only if all
/// are float32 or complex64 (they compute in double precision regardless).
fn factorization_dtype(dtypes: impl Iterator<Item = Dtype> + Clone) -> Dtype {
    let complex = dtypes.clone().any(|d| d.is_complex());
    let single = dtypes
        .clone()
        .all(|d| matches!(d, Dtype::Float32 | Dtype::Complex64));
    match (complex, single) {
        (true, true) => Dtype::Complex64,
        (true, false) => Dtype::Complex128,
        (false, true) => Dtype::Float32,
        (false, false) => Dtype::Float64,
    }
}

/// The dtype `np.linalg.norm` of an array of `d` computes in and returns.
fn norm_dtype(d: Dtype) -> Dtype {
    match d.real() {
        Dtype::Float32 => Dtype::Float32,
        _ => Dtype::Float64,
    }
}

impl FnCx<'_, '_> {
    pub(crate) fn linalg_call(
        &mut self,
        e: ExprId,
        f: LinalgFn,
        args: &[ExprId],
        tys: &[Ty],
        kwargs: &[Keyword],
        kw_tys: &[Ty],
    ) -> Ty {
        // `a @ b` is `np.matmul(a, b)` here (the frontend made it so).
        let name = f.qualified_name();
        let arity = match f {
            LinalgFn::Dot | LinalgFn::Matmul | LinalgFn::Vdot | LinalgFn::Outer => 2,
            LinalgFn::Solve | LinalgFn::Lstsq => 2,
            LinalgFn::Trace
            | LinalgFn::Norm
            | LinalgFn::Det
            | LinalgFn::Inv
            | LinalgFn::Cholesky
            | LinalgFn::Eigh => 1,
        };
        let (args, tys) = if f == LinalgFn::Lstsq {
            if !self.lstsq_rcond(e, &name, args, tys, kwargs, kw_tys) {
                return Ty::Error;
            }
            let arrays = args.len().min(2);
            (&args[..arrays], &tys[..arrays])
        } else {
            if let Some(k) = kwargs.first() {
                self.unsupported_keyword(&name, k, "pass the arrays only");
                return Ty::Error;
            }
            (args, tys)
        };
        if !self.arity(e, &name, args.len(), arity, arity) {
            return Ty::Error;
        }
        if let Some(t) = tys.iter().find(|t| t.is_pending()) {
            return t.clone();
        }
        let mut arrays = Vec::new();
        for (&arg, t) in args.iter().zip(tys) {
            let Ty::Known(Type::Array(a)) = t else {
                let shown = t.concrete().unwrap_or(Type::None);
                self.emit(
                    self.span(arg),
                    report(
                        "E0206",
                        format!("`{name}` of a number is not supported yet"),
                        format!("{} is {shown}", self.expr_text(arg)),
                    )
                    .help("pass arrays; multiply numbers with `*`"),
                );
                return Ty::Error;
            };
            arrays.push((arg, *a));
        }
        // The dimensions each function takes (`norm`: any, read flat).
        let ndims: &[u8] = match f {
            LinalgFn::Dot | LinalgFn::Matmul | LinalgFn::Norm => &[1, 2],
            LinalgFn::Vdot | LinalgFn::Outer => &[1],
            LinalgFn::Trace
            | LinalgFn::Det
            | LinalgFn::Inv
            | LinalgFn::Cholesky
            | LinalgFn::Eigh => &[2],
            LinalgFn::Solve | LinalgFn::Lstsq => &[2],
        };
        for (k, &(arg, a)) in arrays.iter().enumerate() {
            let ok = match (f, k) {
                (LinalgFn::Norm, _) => true,
                (LinalgFn::Solve | LinalgFn::Lstsq, 1) => (1..=2).contains(&a.ndim),
                _ => ndims.contains(&a.ndim),
            };
            if !ok {
                let wanted = match (f, k) {
                    (LinalgFn::Solve | LinalgFn::Lstsq, 1)
                    | (LinalgFn::Dot | LinalgFn::Matmul, _) => "1-d and 2-d arrays",
                    (LinalgFn::Vdot | LinalgFn::Outer, _) => "1-d arrays",
                    _ => "2-d arrays",
                };
                self.emit(
                    self.span(arg),
                    report(
                        "E0206",
                        format!("`{name}` of a {}-d array is not supported yet", a.ndim),
                        format!("{} is {a}", self.expr_text(arg)),
                    )
                    .help(format!("{wanted} only so far; loop over the others")),
                );
                return Ty::Error;
            }
        }
        let dtype = arrays
            .iter()
            .map(|(_, a)| a.dtype)
            .reduce(promote_dtype)
            .unwrap_or(Dtype::Float64);
        let refuse = |this: &mut Self, what: &str, help: &str| {
            let texts: Vec<String> = arrays
                .iter()
                .map(|(arg, a)| format!("{} is an array of {}", this.expr_text(*arg), a.dtype))
                .collect();
            this.emit(
                this.span(e),
                report(
                    "E0206",
                    format!("`{name}` of {what} arrays is not supported yet"),
                    texts.join(", "),
                )
                .help(help.to_string()),
            );
            Ty::Error
        };
        let a = arrays[0].1;
        match f {
            LinalgFn::Dot | LinalgFn::Matmul => {
                if !(dtype.is_float() || dtype.is_complex()) {
                    return refuse(
                        self,
                        &dtype.to_string(),
                        "floats and complex numbers only so far: convert with .astype(np.float64)",
                    );
                }
                Ty::Known(product_type(&a, &arrays[1].1, dtype))
            }
            LinalgFn::Vdot | LinalgFn::Outer if dtype == Dtype::Bool => {
                refuse(self, "bool", "convert with .astype(np.int64)")
            }
            LinalgFn::Vdot => Ty::Known(Type::Scalar(dtype)),
            LinalgFn::Outer => Ty::Known(c_array(dtype, 2)),
            LinalgFn::Trace => match library::numpy_reductions()
                .find(|(n, _)| *n == "sum")
                .map(|(_, r)| (r.reduction().typing)(dtype))
            {
                Some(Ok(sig)) => Ty::Known(Type::Scalar(sig.result)),
                _ => refuse(self, &dtype.to_string(), "convert with .astype(np.float64)"),
            },
            LinalgFn::Norm => Ty::Known(Type::Scalar(norm_dtype(dtype))),
            LinalgFn::Det
            | LinalgFn::Inv
            | LinalgFn::Solve
            | LinalgFn::Cholesky
            | LinalgFn::Eigh
            | LinalgFn::Lstsq => {
                let d = factorization_dtype(arrays.iter().map(|(_, a)| a.dtype));
                let real = Type::Array(ArrayType {
                    dtype: d.real(),
                    ndim: 1,
                    layout: Layout::C,
                    writable: true,
                });
                Ty::Known(match f {
                    LinalgFn::Det => Type::Scalar(d),
                    LinalgFn::Solve => c_array(d, arrays[1].1.ndim),
                    // NumPy's `EighResult`, a named tuple: (eigenvalues, eigenvectors).
                    LinalgFn::Eigh => Type::Tuple(vec![real, c_array(d, 2)]),
                    // (solution, residuals, rank, singular values)
                    LinalgFn::Lstsq => Type::Tuple(vec![
                        c_array(d, arrays[1].1.ndim),
                        real.clone(),
                        Type::Scalar(Dtype::Int32),
                        real,
                    ]),
                    _ => c_array(d, 2),
                })
            }
        }
    }

    /// Checks `lstsq`'s `rcond` (its third argument, by position or keyword):
    /// None or a real number, read as a float64. False after reporting.
    fn lstsq_rcond(
        &mut self,
        e: ExprId,
        name: &str,
        args: &[ExprId],
        tys: &[Ty],
        kwargs: &[Keyword],
        kw_tys: &[Ty],
    ) -> bool {
        if !self.arity(e, name, args.len(), 2, 3) {
            return false;
        }
        let mut rcond: Vec<(ExprId, &Ty)> = args.iter().copied().zip(tys).skip(2).collect();
        for (k, t) in kwargs.iter().zip(kw_tys) {
            if k.name != "rcond" {
                self.unsupported_keyword(name, k, "pass `a`, `b` and `rcond` only");
                return false;
            }
            rcond.push((k.value, t));
        }
        match rcond.as_slice() {
            [] => true,
            [(x, t)] => match t.concrete() {
                None if t.is_pending() => true,
                Some(Type::None) => true,
                Some(Type::Scalar(d)) if !d.is_complex() => {
                    self.coerce(*x, t, &Type::Scalar(Dtype::Float64));
                    true
                }
                _ => {
                    let shown = t.concrete().unwrap_or(Type::None);
                    self.emit(
                        self.span(*x),
                        report(
                            "E0220",
                            format!("`{name}` needs `rcond` as a number or None"),
                            format!("{} is {shown}", self.expr_text(*x)),
                        )
                        .help("pass a float such as 1e-10, or None for NumPy's default"),
                    );
                    false
                }
            },
            [_, (x, _), ..] => {
                self.emit(
                    self.span(*x),
                    report(
                        "E0219",
                        format!("`{name}` got multiple values for argument `rcond`"),
                        "a second `rcond`".to_string(),
                    )
                    .help("pass `rcond` once"),
                );
                false
            }
        }
    }
}
