//! PackBits (TIFF compression 32773), a simple byte-oriented run-length scheme.

use crate::CodecError;

/// Decode PackBits data into `out`, filling it exactly.
///
/// Header byte `n`: `0..=127` copies the next `n + 1` bytes literally, `-127..=-1` repeats the next
/// byte `1 - n` times, `-128` is a no-op. Decoding stops as soon as `out` is full (the rest of the
/// input is ignored, as libtiff does); running out of input first is [`CodecError::Truncated`].
pub fn packbits_decode(data: &[u8], out: &mut [u8]) -> Result<(), CodecError> {
    let mut ip = 0usize;
    let mut op = 0usize;
    let n_out = out.len();
    while op < n_out {
        let Some(&h) = data.get(ip) else {
            break;
        };
        ip += 1;
        let n = h as i8;
        if n >= 0 {
            let count = n as usize + 1;
            let avail = data.len() - ip;
            let take = count.min(avail).min(n_out - op);
            out[op..op + take].copy_from_slice(&data[ip..ip + take]);
            op += take;
            ip += take;
            if take < count && op < n_out {
                // literal run cut short by the end of input
                break;
            }
        } else if n != -128 {
            let count = (1 - n as isize) as usize;
            let Some(&b) = data.get(ip) else {
                break;
            };
            ip += 1;
            let take = count.min(n_out - op);
            out[op..op + take].fill(b);
            op += take;
        }
    }
    if op < n_out {
        return Err(CodecError::Truncated {
            expected: n_out,
            got: op,
        });
    }
    Ok(())
}

/// Encode `data` with PackBits.
///
/// Runs of 3 or more equal bytes become repeat runs; everything else becomes literal runs of at
/// most 128 bytes. (TIFF requires each row to be packed separately; call this once per row if the
/// output must be row-aligned: decoding does not care.)
pub fn packbits_encode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 128 + 2);
    let mut i = 0usize;
    let n = data.len();
    while i < n {
        // length of the run of equal bytes starting at i
        let b = data[i];
        let mut run = 1usize;
        while i + run < n && run < 128 && data[i + run] == b {
            run += 1;
        }
        if run >= 3 {
            out.push((1i16 - run as i16) as i8 as u8);
            out.push(b);
            i += run;
            continue;
        }
        // literal run: until a run of >= 3 equal bytes starts, max 128 bytes
        let start = i;
        let mut j = i;
        while j < n && j - start < 128 {
            if j + 2 < n && data[j] == data[j + 1] && data[j] == data[j + 2] {
                break;
            }
            j += 1;
        }
        let len = j - start;
        out.push((len - 1) as u8);
        out.extend_from_slice(&data[start..j]);
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector_from_tiff_spec() {
        // Example from the TIFF 6.0 specification, section 9.
        let packed = [
            0xFE, 0xAA, 0x02, 0x80, 0x00, 0x2A, 0xFD, 0xAA, 0x03, 0x80, 0x00, 0x2A, 0x22, 0xF7,
            0xAA,
        ];
        let expected = [
            0xAA, 0xAA, 0xAA, 0x80, 0x00, 0x2A, 0xAA, 0xAA, 0xAA, 0xAA, 0x80, 0x00, 0x2A, 0x22,
            0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA,
        ];
        let mut out = vec![0u8; expected.len()];
        packbits_decode(&packed, &mut out).unwrap();
        assert_eq!(out, expected);
    }

    #[test]
    fn noop_header_and_excess_ignored() {
        let packed = [0x80, 0x01, 7, 8, 0xFD, 9, 0x80];
        let mut out = vec![0u8; 4];
        packbits_decode(&packed, &mut out).unwrap();
        assert_eq!(out, [7, 8, 9, 9]);
    }

    #[test]
    fn truncated() {
        let mut out = vec![0u8; 10];
        let err = packbits_decode(&[0x02, 1, 2], &mut out).unwrap_err();
        assert_eq!(
            err,
            CodecError::Truncated {
                expected: 10,
                got: 2
            }
        );
        assert!(matches!(
            packbits_decode(&[0xF0], &mut out),
            Err(CodecError::Truncated { got: 0, .. })
        ));
    }

    #[test]
    fn round_trip() {
        let mut data = Vec::new();
        for i in 0..2000u32 {
            let v = (i.wrapping_mul(2654435761) >> 28) as u8;
            let rep = if i % 7 == 0 {
                200
            } else {
                1 + (i % 4) as usize
            };
            data.extend(std::iter::repeat_n(v, rep));
        }
        let enc = packbits_encode(&data);
        assert!(enc.len() < data.len());
        let mut out = vec![0u8; data.len()];
        packbits_decode(&enc, &mut out).unwrap();
        assert_eq!(out, data);
        // empty and single byte
        assert!(packbits_encode(&[]).is_empty());
        let enc = packbits_encode(&[5]);
        let mut out = [0u8; 1];
        packbits_decode(&enc, &mut out).unwrap();
        assert_eq!(out, [5]);
    }
}
