//! GDAL_NODATA (tag 42113) text.

/// Parses GDAL_NODATA text as GDAL reads it (leading numeric prefix like `strtod`, after trimming;
/// `nan`/`inf` in any case and sign).  None when no number can be read.
pub fn parse_gdal_nodata(text: &str) -> Option<f64> {
    let t = text.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    let (sign, body) = match t.as_bytes().first() {
        Some(b'-') => (-1.0, &t[1..]),
        Some(b'+') => (1.0, &t[1..]),
        _ => (1.0, t),
    };
    let lower = body.to_ascii_lowercase();
    if lower.starts_with("nan") {
        return Some(f64::NAN);
    }
    if lower.starts_with("inf") {
        return Some(sign * f64::INFINITY);
    }
    // longest numeric prefix: digits [. digits] [e [sign] digits]
    let b = body.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - s
    };
    let mut n = digits(&mut i);
    if i < b.len() && b[i] == b'.' {
        i += 1;
        n += digits(&mut i);
    }
    if n == 0 {
        return None;
    }
    let mant_end = i;
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        let s = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j > s {
            i = j;
        }
    }
    let end = if i > mant_end { i } else { mant_end };
    body[..end].parse::<f64>().ok().map(|v| sign * v)
}

/// The nodata value of a float32 band: cast to f32 and back, with GDAL's snapping of values
/// just beyond the f32 range to ±f32::MAX (farther ones become ±infinity).
pub fn round_nodata_for_f32(v: f64) -> f64 {
    let max = f64::from(f32::MAX);
    if v.is_finite() && v.abs() > max && (v.abs() - max) < 1e-10 * max {
        return v.signum() * max;
    }
    f64::from(v as f32)
}

#[cfg(test)]
#[allow(clippy::excessive_precision)] // literals are the GDAL_NODATA texts found in files
mod tests {
    use super::*;

    #[test]
    fn parses() {
        assert_eq!(parse_gdal_nodata("-9999"), Some(-9999.0));
        assert_eq!(parse_gdal_nodata(" 0.0 "), Some(0.0));
        assert_eq!(
            parse_gdal_nodata("-1.26765060000000006e+30"),
            Some(-1.26765060000000006e+30)
        );
        assert_eq!(
            parse_gdal_nodata("-88.8888000000000034"),
            Some(-88.8888000000000034)
        );
        assert!(parse_gdal_nodata("nan").unwrap().is_nan());
        assert!(parse_gdal_nodata("-NaN").unwrap().is_nan());
        assert_eq!(parse_gdal_nodata("-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_gdal_nodata("Infinity"), Some(f64::INFINITY));
        assert_eq!(parse_gdal_nodata("12abc"), Some(12.0));
        assert_eq!(parse_gdal_nodata("1e"), Some(1.0));
        assert_eq!(parse_gdal_nodata(".5"), Some(0.5));
        assert_eq!(parse_gdal_nodata("abc"), None);
        assert_eq!(parse_gdal_nodata(""), None);
        assert_eq!(parse_gdal_nodata("-"), None);
    }

    #[test]
    fn f32_rounding() {
        assert_eq!(
            round_nodata_for_f32(-3.39999999999999996e+38),
            -3.3999999521443642e+38
        );
        assert_eq!(
            round_nodata_for_f32(-3.40282265508890445e+38),
            -3.4028226550889045e+38
        );
        assert_eq!(
            round_nodata_for_f32(-88.8888000000000034),
            -88.88880157470703
        );
        assert_eq!(
            round_nodata_for_f32(-3.4028234663852890e38),
            f64::from(f32::MIN)
        );
        assert_eq!(round_nodata_for_f32(1e39), f64::INFINITY);
        assert!(round_nodata_for_f32(f64::NAN).is_nan());
    }
}
