//! Runtime errors that print array shapes.

use crate::runtime::{exception_code, ferrojit_raise_message};
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

/// NumPy's `ValueError` about shapes: `extents` holds `from_len` extents, then
/// `into_len`. `BROADCAST`: the source's shape does not broadcast into the
/// target's; `RESHAPE`: an array of size `from[0]` cannot take the shape `into`;
/// `OPERANDS`: the operands' shapes (`from`: how many axes each has, `into`:
/// the extents) do not broadcast together; `OUTPUT`:
/// an in-place target (`from`) smaller than the broadcast shape (`into`).
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
        _ => format!(
            "could not broadcast input array from shape {} into shape {}",
            shape_text(from),
            shape_text(into)
        ),
    };
    // SAFETY: the context is JIT code's; the message outlives the call.
    unsafe {
        ferrojit_raise_message(
            ctx,
            exception_code(ExceptionKind::ValueError),
            message.as_ptr(),
            message.len() as i64,
        )
    };
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
}
