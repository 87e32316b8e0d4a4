//! The text form of the low IR (snapshot tests, debugging). Spans are left out.

use std::fmt::{self, Write};

use crate::ir::{
    BinaryOp, Block, CastOp, CmpOp, Const, Function, Inst, Module, RuntimeError, StepSign, Stmt,
    UnaryOp, ValueId,
};

impl fmt::Display for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, func) in self.functions.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            writeln!(f, "// f{i}")?;
            write!(f, "{func}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|p| format!("{p}: {}", self.vars[p.0 as usize].ty))
            .collect();
        let results: Vec<String> = self.results.iter().map(|t| t.to_string()).collect();
        writeln!(
            f,
            "fn {}({}) -> ({}){}{} {{",
            self.name,
            params.join(", "),
            results.join(", "),
            if self.fastmath { " fastmath" } else { "" },
            if self.cold { " cold" } else { "" }
        )?;
        for (i, var) in self.vars.iter().enumerate() {
            writeln!(f, "    var x{i}: {}  // {}", var.ty, var.name)?;
        }
        if !self.owners.is_empty() {
            let owners: Vec<String> = self.owners.iter().map(|v| v.to_string()).collect();
            writeln!(
                f,
                "    owners {}  // released at every exit",
                owners.join(", ")
            )?;
        }
        if !self.reassociate.is_empty() {
            writeln!(
                f,
                "    reassociate {}  // reduction updates",
                list(&self.reassociate)
            )?;
        }
        let mut out = String::new();
        block(&mut out, &self.body, 1)?;
        f.write_str(&out)?;
        f.write_str("}\n")
    }
}

fn list(values: &[ValueId]) -> String {
    values
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn block(out: &mut String, body: &Block, depth: usize) -> fmt::Result {
    for s in body {
        stmt(out, s, depth)?;
    }
    Ok(())
}

fn stmt(out: &mut String, s: &Stmt, depth: usize) -> fmt::Result {
    let pad = "    ".repeat(depth);
    match s {
        Stmt::Let { dst, inst: i, .. } => writeln!(out, "{pad}{dst} = {}", inst(i)),
        Stmt::Set { var, value } => writeln!(out, "{pad}set {var}, {value}"),
        Stmt::Store { addr, value } => writeln!(out, "{pad}store {addr}, {value}"),
        Stmt::If {
            cond,
            then_body,
            else_body,
        } => {
            writeln!(out, "{pad}if {cond} {{")?;
            block(out, then_body, depth + 1)?;
            if !else_body.is_empty() {
                writeln!(out, "{pad}}} else {{")?;
                block(out, else_body, depth + 1)?;
            }
            writeln!(out, "{pad}}}")
        }
        Stmt::Versioned {
            cond,
            fast,
            checked,
        } => {
            writeln!(out, "{pad}version {cond} {{")?;
            block(out, fast, depth + 1)?;
            writeln!(out, "{pad}}} else checked {{")?;
            block(out, checked, depth + 1)?;
            writeln!(out, "{pad}}}")
        }
        Stmt::Loop { body } => {
            writeln!(out, "{pad}loop {{")?;
            block(out, body, depth + 1)?;
            writeln!(out, "{pad}}}")
        }
        Stmt::ForRange {
            var,
            start,
            stop,
            step,
            step_sign,
            body,
        } => {
            let sign = match step_sign {
                StepSign::Positive => "",
                StepSign::Negative => " (negative)",
                StepSign::Unknown => " (sign unknown)",
            };
            writeln!(
                out,
                "{pad}for {var} in {start}..{stop} step {step}{sign} {{"
            )?;
            block(out, body, depth + 1)?;
            writeln!(out, "{pad}}}")
        }
        Stmt::ParallelFor {
            callee,
            args,
            count,
            chunks,
            partials,
            ..
        } => writeln!(
            out,
            "{pad}parallel for {callee}({}) count {count} chunks {chunks} partials {partials}",
            list(args)
        ),
        Stmt::Call {
            callee,
            args,
            results,
            ..
        } => {
            let results: Vec<String> = results.iter().map(|r| r.to_string()).collect();
            writeln!(
                out,
                "{pad}call {callee}({}) -> ({})",
                list(args),
                results.join(", ")
            )
        }
        Stmt::Kernel { kernel, args, .. } => {
            writeln!(out, "{pad}kernel {}({})", kernel.name(), list(args))
        }
        Stmt::Retain(owner) => writeln!(out, "{pad}retain {owner}"),
        Stmt::Release(owner) => writeln!(out, "{pad}release {owner}"),
        Stmt::Break => writeln!(out, "{pad}break"),
        Stmt::Continue => writeln!(out, "{pad}continue"),
        Stmt::Return(values) if values.is_empty() => writeln!(out, "{pad}return"),
        Stmt::Return(values) => writeln!(out, "{pad}return {}", list(values)),
        Stmt::Raise { error, .. } => match error {
            RuntimeError::IndexOutOfBounds { index, axis, size } => {
                writeln!(
                    out,
                    "{pad}raise IndexError(index {index}, axis {axis}, size {size})"
                )
            }
            RuntimeError::Message { kind, message } => {
                writeln!(out, "{pad}raise {}({message:?})", kind.name())
            }
            RuntimeError::Reshape { size, into } => {
                writeln!(
                    out,
                    "{pad}raise ValueError(reshape {size} into ({}))",
                    list(into)
                )
            }
            RuntimeError::BroadcastOperands { shapes } => {
                let shapes: Vec<String> = shapes.iter().map(|s| format!("({})", list(s))).collect();
                writeln!(
                    out,
                    "{pad}raise ValueError(broadcast {})",
                    shapes.join(" with ")
                )
            }
            RuntimeError::BroadcastOutput { output, broadcast } => {
                writeln!(
                    out,
                    "{pad}raise ValueError(output ({}) smaller than broadcast ({}))",
                    list(output),
                    list(broadcast)
                )
            }
            RuntimeError::Broadcast { from, into } => {
                writeln!(
                    out,
                    "{pad}raise ValueError(broadcast from ({}) into ({}))",
                    list(from),
                    list(into)
                )
            }
            RuntimeError::MaskShape { axis, size, mask } => {
                writeln!(
                    out,
                    "{pad}raise IndexError(mask {mask} on axis {axis} of size {size})"
                )
            }
            RuntimeError::MaskValues { values, count } => {
                writeln!(
                    out,
                    "{pad}raise ValueError(assign {values} values to {count})"
                )
            }
            RuntimeError::IndexShape { from, into } => {
                writeln!(
                    out,
                    "{pad}raise ValueError(value ({}) into indexed ({}))",
                    list(from),
                    list(into)
                )
            }
            RuntimeError::CoreShapes { op, left, right } => {
                writeln!(
                    out,
                    "{pad}raise ValueError({} ({}) with ({}))",
                    format!("{op:?}").to_lowercase(),
                    list(left),
                    list(right)
                )
            }
        },
    }
}

fn inst(i: &Inst) -> String {
    match i {
        Inst::Const(c) => match c {
            Const::Bool(b) => format!("i1.const {b}"),
            Const::Null => "null".to_string(),
            Const::Addr(a) => format!("ptr.const {a:#x}"),
            Const::Int(t, v) => format!("{t}.const {v}"),
            Const::Float(t, v) => format!("{t}.const {v:?}"),
            Const::Complex(t, re, im) => format!("{t}.const ({re:?}, {im:?})"),
        },
        Inst::Get(var) => format!("get {var}"),
        Inst::Unary(op, v) => {
            let name = match op {
                UnaryOp::INeg => "ineg",
                UnaryOp::FNeg => "fneg",
                UnaryOp::CNeg => "cneg",
                UnaryOp::Not => "not",
                UnaryOp::CAbs => "cabs",
            };
            format!("{name} {v}")
        }
        Inst::Binary(op, a, b) => format!("{} {a}, {b}", binary_name(*op)),
        Inst::Cmp(op, a, b) => format!("cmp {} {a}, {b}", cmp_name(*op)),
        Inst::Cast(op, v, t) => format!("{} {v} to {t}", cast_name(*op)),
        Inst::Select {
            cond,
            if_true,
            if_false,
        } => format!("select {cond}, {if_true}, {if_false}"),
        Inst::Expect(v, expected) => format!("expect {v}, {expected}"),
        Inst::Load { ty, addr } => format!("load {ty} {addr}"),
        Inst::PtrOffset { addr, offset } => format!("ptradd {addr}, {offset}"),
        Inst::Math(p, args) => format!("math.{} {}", p.name(), list(args)),
        Inst::ComplexCall(f, args) => format!("{} {}", f.c_name(), list(args)),
        Inst::MakeComplex { re, im } => format!("complex {re}, {im}"),
        Inst::Real(v) => format!("real {v}"),
        Inst::Imag(v) => format!("imag {v}"),
        Inst::Alloc {
            bytes,
            zeroed,
            array,
        } => {
            let zeroed = if *zeroed { ".zeroed" } else { "" };
            match array {
                Some((dtype, extents)) => {
                    format!(
                        "alloc{zeroed} {bytes} for {}({})",
                        dtype.name(),
                        list(extents)
                    )
                }
                None => format!("alloc{zeroed} {bytes}"),
            }
        }
        Inst::StackExhausted => "stack.exhausted".to_string(),
        Inst::Table { ty, values } => {
            let values: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
            format!("table {ty} [{}]", values.join(", "))
        }
        Inst::RoundDecimal { value, digits } => format!("round.decimal {value}, {digits}"),
    }
}

fn binary_name(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::IAdd => "iadd",
        BinaryOp::ISub => "isub",
        BinaryOp::IMul => "imul",
        BinaryOp::SDiv => "sdiv",
        BinaryOp::UDiv => "udiv",
        BinaryOp::SRem => "srem",
        BinaryOp::URem => "urem",
        BinaryOp::And => "and",
        BinaryOp::Or => "or",
        BinaryOp::Xor => "xor",
        BinaryOp::Shl => "shl",
        BinaryOp::AShr => "ashr",
        BinaryOp::LShr => "lshr",
        BinaryOp::SMin => "smin",
        BinaryOp::SMax => "smax",
        BinaryOp::UMin => "umin",
        BinaryOp::UMax => "umax",
        BinaryOp::FAdd => "fadd",
        BinaryOp::FSub => "fsub",
        BinaryOp::FMul => "fmul",
        BinaryOp::FDiv => "fdiv",
        BinaryOp::FRem => "frem",
        BinaryOp::FMin => "fmin",
        BinaryOp::FMax => "fmax",
        BinaryOp::FCopySign => "fcopysign",
        BinaryOp::CAdd => "cadd",
        BinaryOp::CSub => "csub",
        BinaryOp::CMul => "cmul",
        BinaryOp::CMulLoop => "cmul.loop",
        BinaryOp::CDiv => "cdiv",
    }
}

fn cmp_name(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "eq",
        CmpOp::Ne => "ne",
        CmpOp::SLt => "slt",
        CmpOp::SLe => "sle",
        CmpOp::SGt => "sgt",
        CmpOp::SGe => "sge",
        CmpOp::ULt => "ult",
        CmpOp::ULe => "ule",
        CmpOp::UGt => "ugt",
        CmpOp::UGe => "uge",
        CmpOp::FEq => "feq",
        CmpOp::FLt => "flt",
        CmpOp::FLe => "fle",
        CmpOp::FGt => "fgt",
        CmpOp::FGe => "fge",
        CmpOp::FNe => "fne",
        CmpOp::CEq => "ceq",
        CmpOp::CNe => "cne",
    }
}

fn cast_name(op: CastOp) -> &'static str {
    match op {
        CastOp::SExt => "sext",
        CastOp::ZExt => "zext",
        CastOp::Trunc => "trunc",
        CastOp::SIToFP => "sitofp",
        CastOp::UIToFP => "uitofp",
        CastOp::FPToSI => "fptosi",
        CastOp::FPToSIOrMin => "fptosi.ormin",
        CastOp::FPToUI => "fptoui",
        CastOp::FPExt => "fpext",
        CastOp::FPTrunc => "fptrunc",
        CastOp::ToComplex => "tocomplex",
        CastOp::PtrToInt => "ptrtoint",
    }
}
