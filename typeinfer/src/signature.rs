//! Numba-style explicit signatures: `float64(float64[:, ::1], int64)`.

use frontend::hir::Dtype;

use crate::infer::{type_size, MAX_ARG_TYPE_SIZE};
use crate::{ArrayType, Layout, Type};

/// A dtype spelled as Numba signatures or NumPy `dtype=` strings spell it.
pub(crate) fn dtype_from_name(name: &str) -> Option<Dtype> {
    if let Some(d) = Dtype::from_name(name) {
        return Some(d);
    }
    Some(match name {
        "boolean" | "b1" | "bool_" => Dtype::Bool,
        "i1" => Dtype::Int8,
        "i2" => Dtype::Int16,
        "i4" => Dtype::Int32,
        "i8" | "intp" | "int" => Dtype::Int64,
        "u1" => Dtype::UInt8,
        "u2" => Dtype::UInt16,
        "u4" => Dtype::UInt32,
        "u8" | "uintp" => Dtype::UInt64,
        "f4" | "single" => Dtype::Float32,
        "f8" | "double" | "float" => Dtype::Float64,
        "c8" => Dtype::Complex64,
        "c16" | "complex" => Dtype::Complex128,
        _ => return None,
    })
}

/// Tuples in a hand-written signature nest a few levels; this many is surely a mistake.
const MAX_NESTING: usize = 64;

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
    Int(u64),
    Punct(char),
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    pos: usize,
    text_len: usize,
    /// Tuples open around the type being parsed.
    depth: usize,
}

pub(crate) fn parse_signature(text: &str) -> Result<(Option<Type>, Vec<Type>), String> {
    let mut p = Parser {
        tokens: tokenize(text)?,
        pos: 0,
        text_len: text.len(),
        depth: 0,
    };
    let (ret, args) = if p.peek() == Some(&Token::Punct('(')) {
        let first = p.paren_list()?;
        if p.peek() == Some(&Token::Punct('(')) {
            // `(int64, float64)(...)`: the first list was a tuple return type.
            (Some(Type::Tuple(first)), p.paren_list()?)
        } else {
            (None, first)
        }
    } else {
        let ret = p.return_type()?;
        if p.peek() != Some(&Token::Punct('(')) {
            return Err(format!(
                "expected `(` and the argument types at {}",
                p.where_()
            ));
        }
        (Some(ret), p.paren_list()?)
    };
    if p.pos < p.tokens.len() {
        return Err(format!(
            "unexpected text at {} after the argument list",
            p.where_()
        ));
    }
    Ok((ret, args))
}

fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, String> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i] as char;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            tokens.push((start, Token::Ident(text[start..i].to_string())));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let n = text[start..i]
                .parse()
                .map_err(|_| format!("number too large at column {}", start + 1))?;
            tokens.push((start, Token::Int(n)));
        } else if "()[],:".contains(c) {
            tokens.push((i, Token::Punct(c)));
            i += 1;
        } else {
            let ch = text[i..].chars().next().unwrap_or(c);
            return Err(format!("unexpected character `{ch}` at column {}", i + 1));
        }
    }
    if tokens.is_empty() {
        return Err("empty signature".to_string());
    }
    Ok(tokens)
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(_, t)| t)
    }

    fn where_(&self) -> String {
        match self.tokens.get(self.pos) {
            Some((offset, _)) => format!("column {}", offset + 1),
            None => format!("column {} (end of text)", self.text_len + 1),
        }
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.peek() == Some(&Token::Punct(c)) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("expected `{c}` at {}", self.where_()))
        }
    }

    fn eat(&mut self, c: char) -> bool {
        let found = self.peek() == Some(&Token::Punct(c));
        if found {
            self.pos += 1;
        }
        found
    }

    fn return_type(&mut self) -> Result<Type, String> {
        if let Some(Token::Ident(name)) = self.peek() {
            if name == "void" || name == "none" {
                self.pos += 1;
                return Ok(Type::None);
            }
        }
        self.value_type()
    }

    /// `( type, type, ... )` with an optional trailing comma.
    fn paren_list(&mut self) -> Result<Vec<Type>, String> {
        let at = self.where_();
        self.expect('(')?;
        let mut items = Vec::new();
        let mut size = 1;
        while !self.eat(')') {
            let item = self.value_type()?;
            size += type_size(&item);
            if size > MAX_ARG_TYPE_SIZE {
                return Err(too_large("the list", &at, size));
            }
            items.push(item);
            if !self.eat(',') {
                self.expect(')')?;
                break;
            }
        }
        Ok(items)
    }

    /// Runs `parse` one tuple deeper; an error past `MAX_NESTING` levels (the
    /// parser recurses per level).
    fn nested<T>(
        &mut self,
        parse: impl FnOnce(&mut Self) -> Result<T, String>,
    ) -> Result<T, String> {
        if self.depth >= MAX_NESTING {
            return Err(format!(
                "tuples nested more than {MAX_NESTING} levels deep at {}",
                self.where_()
            ));
        }
        self.depth += 1;
        let result = parse(self);
        self.depth -= 1;
        result
    }

    fn value_type(&mut self) -> Result<Type, String> {
        let at = self.where_();
        match self.peek().cloned() {
            Some(Token::Punct('(')) => Ok(Type::Tuple(self.nested(Self::paren_list)?)),
            Some(Token::Ident(name)) if name == "UniTuple" => {
                self.pos += 1;
                self.expect('(')?;
                let item = self.nested(Self::value_type)?;
                self.expect(',')?;
                let count = match self.peek() {
                    Some(Token::Int(n)) => *n,
                    _ => {
                        return Err(format!(
                            "expected the number of items of `UniTuple` at {}",
                            self.where_()
                        ))
                    }
                };
                // Checked before `vec!` copies the item `count` times: nested
                // `UniTuple`s would otherwise multiply out to billions of types.
                let size = count
                    .saturating_mul(type_size(&item) as u64)
                    .saturating_add(1);
                if size > MAX_ARG_TYPE_SIZE as u64 {
                    return Err(too_large("`UniTuple`", &at, size as usize));
                }
                self.pos += 1;
                self.expect(')')?;
                Ok(Type::Tuple(vec![item; count as usize]))
            }
            Some(Token::Ident(name)) => {
                self.pos += 1;
                let dtype = match dtype_from_name(&name) {
                    Some(d) => d,
                    None if name == "void" || name == "none" => {
                        return Err(format!(
                            "`{name}` at {at} is only allowed as the return type"
                        ))
                    }
                    None => return Err(format!("unknown type `{name}` at {at}")),
                };
                if self.peek() == Some(&Token::Punct('[')) {
                    self.array_suffix(dtype)
                } else {
                    Ok(Type::Scalar(dtype))
                }
            }
            Some(_) => Err(format!("expected a type at {at}")),
            None => Err(format!("expected a type at {at}")),
        }
    }

    /// `[:, ::1]`: one entry per axis, `::1` marking the unit-stride axis.
    fn array_suffix(&mut self, dtype: Dtype) -> Result<Type, String> {
        let at = self.where_();
        self.expect('[')?;
        let mut contiguous = Vec::new();
        loop {
            self.expect(':')?;
            if self.eat(':') {
                match self.peek() {
                    Some(Token::Int(1)) => self.pos += 1,
                    _ => {
                        return Err(format!(
                            "expected `1` after `::` at {} (only unit strides can be declared)",
                            self.where_()
                        ))
                    }
                }
                contiguous.push(true);
            } else {
                contiguous.push(false);
            }
            if self.eat(']') {
                break;
            }
            self.expect(',')?;
        }
        let ndim = contiguous.len();
        let marked = contiguous.iter().filter(|c| **c).count();
        let layout = if marked == 0 {
            Layout::Any
        } else if marked == 1 && contiguous[ndim - 1] {
            Layout::C
        } else if marked == 1 && contiguous[0] {
            Layout::F
        } else {
            return Err(format!(
                "invalid array layout at {at}: `::1` must mark only the last axis (C order) or the first (Fortran order)"
            ));
        };
        let ndim = u8::try_from(ndim).map_err(|_| format!("too many dimensions at {at}"))?;
        Ok(Type::Array(ArrayType {
            dtype,
            ndim,
            layout,
            writable: true,
        }))
    }
}

/// Signatures have the limit of `infer` on argument types (E0233).
fn too_large(what: &str, at: &str, size: usize) -> String {
    let size = if size > MAX_ARG_TYPE_SIZE * 1000 {
        "over a million".to_string()
    } else {
        size.to_string()
    };
    format!(
        "{what} at {at} holds {size} numbers, arrays and tuples; at most \
         {MAX_ARG_TYPE_SIZE} are supported in all, nested tuples included (E0233)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arr(dtype: Dtype, ndim: u8, layout: Layout) -> Type {
        Type::Array(ArrayType {
            dtype,
            ndim,
            layout,
            writable: true,
        })
    }

    #[test]
    fn return_type_and_arrays() {
        let (ret, args) = parse_signature("float64(float64[:, ::1], int64)").unwrap();
        assert_eq!(ret, Some(Type::FLOAT));
        assert_eq!(args, vec![arr(Dtype::Float64, 2, Layout::C), Type::INT]);
    }

    #[test]
    fn argument_list_only_with_trailing_comma() {
        let (ret, args) = parse_signature("(boolean[:],)").unwrap();
        assert_eq!(ret, None);
        assert_eq!(args, vec![arr(Dtype::Bool, 1, Layout::Any)]);
    }

    #[test]
    fn layouts() {
        let cases = [
            ("f8[:]", 1, Layout::Any),
            ("f8[::1]", 1, Layout::C),
            ("f8[:, ::1]", 2, Layout::C),
            ("f8[::1, :]", 2, Layout::F),
            ("f8[:, :]", 2, Layout::Any),
            ("f8[:, :, :]", 3, Layout::Any),
            ("f8[:,:,::1]", 3, Layout::C),
        ];
        for (text, ndim, layout) in cases {
            let (_, args) = parse_signature(&format!("({text})")).unwrap();
            assert_eq!(args, vec![arr(Dtype::Float64, ndim, layout)], "{text}");
        }
    }

    #[test]
    fn scalar_aliases() {
        let (_, args) =
            parse_signature("(b1, intp, uintp, f4, double, single, c8, c16, uint16)").unwrap();
        let want = [
            Dtype::Bool,
            Dtype::Int64,
            Dtype::UInt64,
            Dtype::Float32,
            Dtype::Float64,
            Dtype::Float32,
            Dtype::Complex64,
            Dtype::Complex128,
            Dtype::UInt16,
        ];
        assert_eq!(
            args,
            want.iter().map(|d| Type::Scalar(*d)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn void_none_and_tuples() {
        assert_eq!(
            parse_signature("void(int64)").unwrap(),
            (Some(Type::None), vec![Type::INT])
        );
        assert_eq!(
            parse_signature("none()").unwrap(),
            (Some(Type::None), vec![])
        );
        let pair = Type::Tuple(vec![Type::INT, Type::FLOAT]);
        assert_eq!(
            parse_signature("(int64, float64)(int64)").unwrap(),
            (Some(pair.clone()), vec![Type::INT])
        );
        assert_eq!(
            parse_signature("((int64, float64),)").unwrap(),
            (None, vec![pair])
        );
        assert_eq!(
            parse_signature("UniTuple(int64, 2)(float32)").unwrap(),
            (
                Some(Type::Tuple(vec![Type::INT, Type::INT])),
                vec![Type::Scalar(Dtype::Float32)]
            )
        );
    }

    #[test]
    fn oversized_tuples_are_errors() {
        let deep = format!("void({}int64{})", "(".repeat(100_000), ",)".repeat(100_000));
        assert_eq!(
            parse_signature(&deep).unwrap_err(),
            "tuples nested more than 64 levels deep at column 70"
        );
        assert_eq!(
            parse_signature("void(UniTuple(int64, 1000000000000))").unwrap_err(),
            "`UniTuple` at column 6 holds over a million numbers, arrays and tuples; \
             at most 1024 are supported in all, nested tuples included (E0233)"
        );
    }

    /// The size is checked before anything is expanded: nested `UniTuple`s of
    /// 1000^3 = 10^9 items fail at once instead of exhausting memory.
    #[test]
    fn nested_tuples_are_limited_by_their_flattened_size() {
        let nested = "void(UniTuple(UniTuple(UniTuple(int64, 1000), 1000), 1000))";
        assert_eq!(
            parse_signature(nested).unwrap_err(),
            "`UniTuple` at column 15 holds 1001001 numbers, arrays and tuples; \
             at most 1024 are supported in all, nested tuples included (E0233)"
        );
        let (_, args) = parse_signature("(UniTuple(UniTuple(int64, 31), 31),)").unwrap();
        assert_eq!(args.iter().map(type_size).sum::<usize>(), 1 + 31 * 32);
        let wide = format!("({})", ["UniTuple(int64, 500)"; 3].join(", "));
        assert_eq!(
            parse_signature(&wide).unwrap_err(),
            "the list at column 1 holds 1504 numbers, arrays and tuples; \
             at most 1024 are supported in all, nested tuples included (E0233)"
        );
        let pairs = format!("({}int64{})", "(".repeat(40), ", int64)".repeat(40));
        assert!(parse_signature(&pairs).is_ok());
    }

    #[test]
    fn errors_say_what_and_where() {
        assert_eq!(
            parse_signature("flaot64(int64)").unwrap_err(),
            "unknown type `flaot64` at column 1"
        );
        assert_eq!(
            parse_signature("float64 int64").unwrap_err(),
            "expected `(` and the argument types at column 9"
        );
        assert_eq!(
            parse_signature("(int64").unwrap_err(),
            "expected `)` at column 7 (end of text)"
        );
        assert_eq!(
            parse_signature("(f8[::2])").unwrap_err(),
            "expected `1` after `::` at column 7 (only unit strides can be declared)"
        );
        assert!(parse_signature("(f8[::1, ::1])")
            .unwrap_err()
            .starts_with("invalid array layout at column 4"));
        assert_eq!(
            parse_signature("(void)").unwrap_err(),
            "`void` at column 2 is only allowed as the return type"
        );
        assert_eq!(
            parse_signature("(int64) x").unwrap_err(),
            "unexpected text at column 9 after the argument list"
        );
        assert_eq!(parse_signature("").unwrap_err(), "empty signature");
        assert_eq!(
            parse_signature("(int64;)").unwrap_err(),
            "unexpected character `;` at column 7"
        );
    }
}
