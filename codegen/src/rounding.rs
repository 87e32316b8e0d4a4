//! `round(x, ndigits)` with CPython's result: the exact decimal value of `x`
//! rounded half to even at the given digit, read back correctly rounded.
//! JIT code calls these (`lower::ir::Inst::RoundDecimal`); they are pure.

/// Beyond these, CPython returns `x` itself (more digits than a double has)
/// or a zero of `x`'s sign (fewer than its largest power of ten).
const MOST_DIGITS: i64 = 323;
const FEWEST_DIGITS: i64 = -308;

/// `round(x, digits)` for a float; an overflow of the rounded value gives an
/// infinity (the caller raises CPython's OverflowError for it).
pub(crate) extern "C" fn ferrojit_round_f64(x: f64, digits: i64) -> f64 {
    if !x.is_finite() || x == 0.0 || digits > MOST_DIGITS {
        return x;
    }
    if digits < FEWEST_DIGITS {
        return 0.0f64.copysign(x);
    }
    let text = if digits >= 0 {
        // Rust prints the exact binary value rounded half to even at `digits`.
        format!("{:.*}", digits as usize, x)
    } else {
        let magnitude = round_integer_digits(x.abs(), digits.unsigned_abs() as usize);
        if x < 0.0 {
            format!("-{magnitude}")
        } else {
            magnitude
        }
    };
    // The text is a valid decimal by construction; parsing rounds correctly.
    text.parse::<f64>().map_or(x, |r| r.copysign(x))
}

/// The decimal digits of `x >= 0` rounded half to even to a multiple of `10**k`.
fn round_integer_digits(x: f64, k: usize) -> String {
    let whole = x.trunc();
    let has_fraction = x != whole;
    // `whole` is an integer, so this prints it exactly.
    let digits = format!("{whole:.0}");
    if digits.len() < k {
        // x < 10**(k-1) < 10**k / 2: rounds down to zero.
        return "0".to_string();
    }
    let (kept, dropped) = digits.split_at(digits.len() - k);
    let first = dropped.as_bytes()[0];
    let exactly_half = first == b'5' && !has_fraction && dropped[1..].bytes().all(|d| d == b'0');
    let last_kept_odd = kept.bytes().last().is_some_and(|d| (d - b'0') % 2 == 1);
    let up = first > b'5' || (first == b'5' && !exactly_half) || (exactly_half && last_kept_odd);
    let mut kept: Vec<u8> = if kept.is_empty() {
        b"0".to_vec()
    } else {
        kept.as_bytes().to_vec()
    };
    if up {
        increment_decimal(&mut kept);
    }
    let mut out = String::from_utf8(kept).unwrap_or_default();
    out.extend(std::iter::repeat_n('0', k));
    out
}

fn increment_decimal(digits: &mut Vec<u8>) {
    for d in digits.iter_mut().rev() {
        if *d == b'9' {
            *d = b'0';
        } else {
            *d += 1;
            return;
        }
    }
    digits.insert(0, b'1');
}

/// `round(x, digits)` for an integer, as CPython rounds ints (half to even);
/// the result wraps to int64 like all int64 arithmetic.
pub(crate) extern "C" fn ferrojit_round_i64(x: i64, digits: i64) -> i64 {
    if digits >= 0 {
        return x;
    }
    // |x| < 10**19 / 2 rounds to 0 from 20 digits on.
    let Some(p) = 10i128.checked_pow(digits.unsigned_abs().min(20) as u32) else {
        return 0;
    };
    let x = i128::from(x);
    let (q, r) = (x.div_euclid(p), x.rem_euclid(p));
    let up = 2 * r > p || (2 * r == p && q % 2 != 0);
    ((q + i128::from(up)) * p) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_round_on_their_exact_value() {
        // 2.675 is 2.67499999999999982236431605997495353221893310546875.
        assert_eq!(ferrojit_round_f64(2.675, 2), 2.67);
        assert_eq!(ferrojit_round_f64(0.125, 2), 0.12);
        assert_eq!(ferrojit_round_f64(0.375, 2), 0.38);
        assert_eq!(ferrojit_round_f64(2.5, 0), 2.0);
        assert_eq!(ferrojit_round_f64(1e300, 400), 1e300);
        assert_eq!(ferrojit_round_f64(1e300, -400), 0.0);
        assert!(ferrojit_round_f64(-1e300, -400).is_sign_negative());
        assert!(ferrojit_round_f64(-0.004, 2).is_sign_negative());
    }

    #[test]
    fn negative_digits_round_half_to_even() {
        assert_eq!(ferrojit_round_f64(15.0, -1), 20.0);
        assert_eq!(ferrojit_round_f64(25.0, -1), 20.0);
        assert_eq!(ferrojit_round_f64(25.000001, -1), 30.0);
        assert_eq!(ferrojit_round_f64(5.0, -1), 0.0);
        assert_eq!(ferrojit_round_f64(5.5, -1), 10.0);
        assert_eq!(ferrojit_round_f64(0.5, -1), 0.0);
        assert_eq!(ferrojit_round_f64(999.0, -2), 1000.0);
        assert_eq!(ferrojit_round_f64(123456.0, -3), 123000.0);
        assert_eq!(ferrojit_round_f64(-45.0, -1), -40.0);
        assert!(ferrojit_round_f64(-4.0, -1).is_sign_negative());
        assert_eq!(ferrojit_round_f64(1.7e308, -308), f64::INFINITY);
    }

    #[test]
    fn ints_round_half_to_even_and_wrap() {
        assert_eq!(ferrojit_round_i64(15, -1), 20);
        assert_eq!(ferrojit_round_i64(25, -1), 20);
        assert_eq!(ferrojit_round_i64(-25, -1), -20);
        assert_eq!(ferrojit_round_i64(-26, -1), -30);
        assert_eq!(ferrojit_round_i64(5, -1), 0);
        assert_eq!(ferrojit_round_i64(7, 3), 7);
        assert_eq!(ferrojit_round_i64(i64::MAX, -30), 0);
        assert_eq!(
            ferrojit_round_i64(9_000_000_000_000_000_000, -19),
            10_000_000_000_000_000_000i128 as i64
        );
    }
}
