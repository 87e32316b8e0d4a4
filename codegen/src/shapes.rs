//! Runtime errors that print array shapes.

use crate::runtime::raise;
use lower::ir::ExceptionKind;

/// A shape as NumPy's errors print it (`convert_shape_to_string`): `(3,)`,
/// `(2,4)`, `()`; a negative (unknown) extent of `reshape` is `newaxis`,
/// except that leading ones are left out, so `reshape(-1, 2)` prints `(2)`
/// and `reshape(-1)` prints `()`; the trailing comma is only for one axis.
fn shape_text(extents: &[i64]) -> String {
    let parts: Vec<String> = extents
        .iter()
        .skip_while(|&&n| n < 0)
        .map(|&n| {
            if n < 0 {
                "newaxis".to_string()
            } else {
                n.to_string()
            }
        })
        .collect();
    match (extents.len(), parts.as_slice()) {
        (1, [one]) => format!("({one},)"),
        _ => format!("({})", parts.join(",")),
    }
}

/// What `ferrojit_raise_shape_error` reports.
pub(crate) const BROADCAST: i64 = 0;
pub(crate) const RESHAPE: i64 = 1;
pub(crate) const OPERANDS: i64 = 2;
pub(crate) const OUTPUT: i64 = 3;
pub(crate) const MATMUL: i64 = 5;
pub(crate) const DOT: i64 = 6;
pub(crate) const SOLVE: i64 = 7;
pub(crate) const CONCATENATE: i64 = 8;
pub(crate) const MASK_SHAPE: i64 = 9;
pub(crate) const MASK_VALUES: i64 = 10;
pub(crate) const INDEX_SHAPE: i64 = 11;
pub(crate) const MEMORY: i64 = 12;

/// A byte count as NumPy's `MemoryError` prints it (`_ArrayMemoryError.
/// _size_to_string`): in the largest binary unit that leaves at least one
/// (after rounding), three significant digits with the point kept (`10.0 GiB`,
/// `768. GiB`, `1.00 KiB`), whole bytes as they are (`1023 bytes`).
fn size_text(bytes: u128) -> String {
    const UNITS: [&str; 7] = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let bit_length = 128 - bytes.leading_zeros() as usize;
    let mut unit = (bit_length.saturating_sub(1)).max(1) / 10;
    let mut n = bytes as f64 / (1u128 << (unit * 10)) as f64;
    if n.round_ties_even() == 1024.0 {
        unit += 1;
        n /= 1024.0;
    }
    if unit >= UNITS.len() {
        n *= (1u128 << ((unit - (UNITS.len() - 1)) * 10)) as f64;
        unit = UNITS.len() - 1;
    }
    let name = UNITS[unit];
    if unit == 0 {
        return format!("{n:.0} {name}");
    }
    if n.round_ties_even() >= 1000.0 {
        return format!("{n:.0}. {name}");
    }
    // Python's `{:#.3g}`: two decimals, fewer as the integer part grows
    // (after rounding: 9.996 is `10.0`, 99.96 is `100.`).
    for decimals in [2, 1] {
        let text = format!("{n:.decimals$}");
        if text.find('.').unwrap_or(text.len()) <= 3 - decimals {
            return format!("{text} {name}");
        }
    }
    format!("{n:.0}. {name}")
}

/// A shape as Python prints a tuple (NumPy's `MemoryError` does): `(3,)`, `(2, 4)`.
fn tuple_text(extents: &[i64]) -> String {
    match extents {
        [one] => format!("({one},)"),
        _ => {
            let parts: Vec<String> = extents.iter().map(i64::to_string).collect();
            format!("({})", parts.join(", "))
        }
    }
}

/// NumPy's `ValueError` about shapes: `extents` holds `from_len` extents, then
/// `into_len`. `BROADCAST`: the source's shape does not broadcast into the
/// target's; `RESHAPE`: an array of size `from[0]` cannot take the shape `into`;
/// `OPERANDS`: the operands' shapes (`from`: how many axes each has, `into`:
/// the extents) do not broadcast together; `OUTPUT`:
/// an in-place target (`from`) smaller than the broadcast shape (`into`);
/// `CONCATENATE`: `from` is the axis, the array's index and the first
/// array's extent, `into` the array's extent (`CoreOp::Concatenate`);
/// `MATMUL`, `DOT` and `SOLVE`: the last extent of `from` differs from the
/// first of `into`, the operands of `np.matmul` (`@`), `np.dot` or `np.linalg.solve`;
/// `MASK_SHAPE` (an `IndexError`): a mask's extent (`into[0]`) differs from
/// the array's (`from`: the axis, the extent); `MASK_VALUES`: an assignment
/// through a mask of `from[0]` values to `into[0]` true elements;
/// `INDEX_SHAPE`: a value of shape `from` stored through an array index whose
/// result has shape `into`; `MEMORY` (a `MemoryError`): a failed allocation of
/// `from[0]` bytes for an array of dtype `Dtype::ALL[from[1]]` and shape
/// `into` (a negative `from[1]`: a buffer that is no array).
pub(crate) unsafe extern "C" fn ferrojit_raise_shape_error(
    ctx: *mut crate::runtime::RuntimeContext,
    what: i64,
    extents: *const i64,
    from_len: i64,
    into_len: i64,
) {
    let (Ok(from_len), Ok(into_len)) = (usize::try_from(from_len), usize::try_from(into_len))
    else {
        return;
    };
    let all = if extents.is_null() {
        &[][..]
    } else {
        // SAFETY: JIT code passes a stack array of exactly `from_len + into_len` extents.
        unsafe { std::slice::from_raw_parts(extents, from_len + into_len) }
    };
    let (from, into) = all.split_at(from_len.min(all.len()));
    let message = match what {
        MASK_SHAPE => format!(
            "boolean index did not match indexed array along axis {}; size of axis is {} \
             but size of corresponding boolean axis is {}",
            from.first().copied().unwrap_or(0),
            from.get(1).copied().unwrap_or(0),
            into.first().copied().unwrap_or(0)
        ),
        MASK_VALUES => format!(
            "NumPy boolean array indexing assignment cannot assign {} input values to the {} \
             output values where the mask is true",
            from.first().copied().unwrap_or(0),
            into.first().copied().unwrap_or(0)
        ),
        INDEX_SHAPE => format!(
            "shape mismatch: value array of shape {} could not be broadcast to indexing \
             result of shape {}",
            shape_text(from),
            shape_text(into)
        ),
        RESHAPE => format!(
            "cannot reshape array of size {} into shape {}",
            from.first().copied().unwrap_or(0),
            shape_text(into)
        ),
        OUTPUT => format!(
            "non-broadcastable output operand with shape {} doesn't match the broadcast shape {}",
            shape_text(from),
            shape_text(into)
        ),
        OPERANDS => {
            // `from` holds the number of axes of each operand, `into` their extents.
            let mut rest = into;
            let mut text = String::from("operands could not be broadcast together with shapes ");
            for &n in from {
                let (shape, tail) = rest.split_at((n.max(0) as usize).min(rest.len()));
                text.push_str(&shape_text(shape));
                text.push(' ');
                rest = tail;
            }
            text
        }
        MATMUL => format!(
            "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc \
             signature (n?,k),(k,m?)->(n?,m?) (size {} is different from {})",
            into.first().copied().unwrap_or(0),
            from.last().copied().unwrap_or(0)
        ),
        SOLVE => {
            let (name, signature) = match into.len() {
                1 => ("solve1", "(m,m),(m)->(m)"),
                _ => ("solve", "(m,m),(m,n)->(m,n)"),
            };
            format!(
                "{name}: Input operand 1 has a mismatch in its core dimension 0, with gufunc \
                 signature {signature} (size {} is different from {})",
                into.first().copied().unwrap_or(0),
                from.last().copied().unwrap_or(0)
            )
        }
        CONCATENATE => format!(
            "all the input array dimensions except for the concatenation axis must match \
             exactly, but along dimension {}, the array at index 0 has size {} and the array \
             at index {} has size {}",
            from.first().copied().unwrap_or(0),
            from.get(2).copied().unwrap_or(0),
            from.get(1).copied().unwrap_or(0),
            into.first().copied().unwrap_or(0)
        ),
        DOT => format!(
            "shapes {} and {} not aligned: {} (dim {}) != {} (dim {})",
            shape_text(from),
            shape_text(into),
            from.last().copied().unwrap_or(0),
            from.len().saturating_sub(1),
            into.first().copied().unwrap_or(0),
            // The second-to-last axis of an n-d right operand; ferrojit's are 1-d or 2-d.
            into.len().saturating_sub(2)
        ),
        MEMORY => {
            let bytes = from.first().copied().unwrap_or(0);
            let dtype = from
                .get(1)
                .and_then(|&k| lower::ir::Dtype::ALL.get(usize::try_from(k).ok()?));
            match dtype {
                // NumPy's size is the itemsize times the extents, as the bytes were.
                Some(d) => format!(
                    "Unable to allocate {} for an array with shape {} and data type {}",
                    size_text(u128::from(bytes.unsigned_abs())),
                    tuple_text(into),
                    d.name()
                ),
                None => format!(
                    "Unable to allocate {}",
                    size_text(u128::from(bytes.unsigned_abs()))
                ),
            }
        }
        _ => format!(
            "could not broadcast input array from shape {} into shape {}",
            shape_text(from),
            shape_text(into)
        ),
    };
    let kind = match what {
        MASK_SHAPE => ExceptionKind::IndexError,
        MEMORY => ExceptionKind::MemoryError,
        _ => ExceptionKind::ValueError,
    };
    // SAFETY: the context is JIT code's.
    unsafe { raise(ctx, kind, message) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_print_as_numpy_tuples() {
        assert_eq!(shape_text(&[3]), "(3,)");
        assert_eq!(shape_text(&[2, 4]), "(2,4)");
        assert_eq!(shape_text(&[4, -1]), "(4,newaxis)");
        assert_eq!(shape_text(&[]), "()");
        // NumPy drops leading unknown extents (and the one-axis comma with them)
        assert_eq!(shape_text(&[-1, 2]), "(2)");
        assert_eq!(shape_text(&[-1]), "()");
        assert_eq!(shape_text(&[-1, 3, -1]), "(3,newaxis)");
    }

    fn message(what: i64, from: &[i64], into: &[i64]) -> String {
        let mut ctx = crate::runtime::RuntimeContext::new();
        let all: Vec<i64> = from.iter().chain(into).copied().collect();
        unsafe {
            ferrojit_raise_shape_error(
                &mut ctx,
                what,
                all.as_ptr(),
                from.len() as i64,
                into.len() as i64,
            )
        };
        ctx.take_error().map(|e| e.message).unwrap_or_default()
    }

    #[test]
    fn product_shape_errors_are_numpys() {
        assert_eq!(
            message(MATMUL, &[2, 3], &[4]),
            "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc \
             signature (n?,k),(k,m?)->(n?,m?) (size 4 is different from 3)"
        );
        assert_eq!(
            message(DOT, &[2, 3], &[4]),
            "shapes (2,3) and (4,) not aligned: 3 (dim 1) != 4 (dim 0)"
        );
        assert_eq!(
            message(SOLVE, &[2, 2], &[3]),
            "solve1: Input operand 1 has a mismatch in its core dimension 0, with gufunc \
             signature (m,m),(m)->(m) (size 3 is different from 2)"
        );
        assert_eq!(
            message(DOT, &[3], &[4, 2]),
            "shapes (3,) and (4,2) not aligned: 3 (dim 0) != 4 (dim 0)"
        );
    }

    #[test]
    fn memory_errors_are_numpys() {
        // Sizes as NumPy 2.4's `_ArrayMemoryError._size_to_string` prints them.
        for (bytes, text) in [
            (0, "0 bytes"),
            (1, "1 bytes"),
            (1023, "1023 bytes"),
            (1024, "1.00 KiB"),
            (1152, "1.12 KiB"),
            (1025, "1.00 KiB"),
            (10234, "9.99 KiB"),
            (102376, "100. KiB"),
            (1024000, "1000. KiB"),
            (1047552, "1023. KiB"),
            (1048575, "1.00 MiB"),
            (1048063, "1023. KiB"),
            (10737418240, "10.0 GiB"),
            (824633720832, "768. GiB"),
            (4611686018427387904, "4.00 EiB"),
            (9223372036854775807, "8.00 EiB"),
            (8796093022208, "8.00 TiB"),
        ] {
            assert_eq!(size_text(bytes), text, "{bytes} bytes");
        }
        let float64 = lower::ir::Dtype::ALL
            .iter()
            .position(|d| d.name() == "float64");
        assert_eq!(
            message(
                MEMORY,
                &[10737418240, float64.unwrap() as i64],
                &[1342177280]
            ),
            "Unable to allocate 10.0 GiB for an array with shape (1342177280,) and data type \
             float64"
        );
        assert_eq!(
            message(MEMORY, &[6 << 40, 1], &[3, 1 << 41]),
            "Unable to allocate 6.00 TiB for an array with shape (3, 2199023255552) and data \
             type int8"
        );
        assert_eq!(
            message(MEMORY, &[1 << 40, -1], &[]),
            "Unable to allocate 1.00 TiB"
        );
    }

    #[test]
    fn indexing_errors_are_numpys() {
        assert_eq!(
            message(MASK_SHAPE, &[0, 3], &[4]),
            "boolean index did not match indexed array along axis 0; size of axis is 3 but \
             size of corresponding boolean axis is 4"
        );
        assert_eq!(
            message(MASK_VALUES, &[3], &[2]),
            "NumPy boolean array indexing assignment cannot assign 3 input values to the 2 \
             output values where the mask is true"
        );
        assert_eq!(
            message(INDEX_SHAPE, &[3], &[2, 4]),
            "shape mismatch: value array of shape (3,) could not be broadcast to indexing \
             result of shape (2,4)"
        );
    }
}
