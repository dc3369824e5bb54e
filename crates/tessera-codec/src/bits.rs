//! Bit unpacking, byte swapping and float16 promotion.

use crate::CodecError;

/// Unpack rows of MSB-first packed `bits`-bit values (each row starting on a byte boundary).
///
/// `values_per_row` is `width * samples`. Output values are native-endian `u8` for 1–8 bits,
/// `u16` for 9–16 bits and `u32` for 17–32 bits. `data` must hold at least
/// `ceil(values_per_row * bits / 8) * rows` bytes, else [`CodecError::Truncated`].
pub fn unpack_bits(
    data: &[u8],
    values_per_row: usize,
    rows: usize,
    bits: u16,
) -> Result<Vec<u8>, CodecError> {
    if !(1..=32).contains(&bits) {
        return Err(CodecError::unsupported(format!(
            "unpacking {bits}-bit samples"
        )));
    }
    let too_big = || CodecError::LimitExceeded {
        what: "unpacked chunk",
        value: u64::MAX,
        limit: usize::MAX as u64,
    };
    let row_bytes = values_per_row
        .checked_mul(bits as usize)
        .map(|b| b.div_ceil(8))
        .ok_or_else(too_big)?;
    let need = row_bytes.checked_mul(rows).ok_or_else(too_big)?;
    if data.len() < need {
        return Err(CodecError::Truncated {
            expected: need,
            got: data.len(),
        });
    }
    let out_size = match bits {
        1..=8 => 1,
        9..=16 => 2,
        _ => 4,
    };
    let total = values_per_row
        .checked_mul(rows)
        .and_then(|v| v.checked_mul(out_size))
        .ok_or_else(too_big)?;
    let mut out = vec![0u8; total];
    if row_bytes == 0 {
        return Ok(out);
    }
    let nbits = bits as u32;
    let mask = if nbits == 32 {
        u32::MAX as u64
    } else {
        (1u64 << nbits) - 1
    };
    for (row, out_row) in data[..need]
        .chunks_exact(row_bytes)
        .zip(out.chunks_exact_mut(values_per_row * out_size))
    {
        let mut acc = 0u64;
        let mut have = 0u32;
        let mut src = row.iter();
        for o in out_row.chunks_exact_mut(out_size) {
            while have < nbits {
                acc = (acc << 8) | *src.next().unwrap_or(&0) as u64;
                have += 8;
            }
            have -= nbits;
            let v = (acc >> have) & mask;
            acc &= (1u64 << have) - 1;
            match out_size {
                1 => o[0] = v as u8,
                2 => o.copy_from_slice(&(v as u16).to_ne_bytes()),
                _ => o.copy_from_slice(&(v as u32).to_ne_bytes()),
            }
        }
    }
    Ok(out)
}

/// Reverse the bytes of every `unit`-byte group (unit 2, 4 or 8; other units do nothing).
pub fn swap_bytes(data: &mut [u8], unit: usize) {
    if unit > 1 {
        for c in data.chunks_exact_mut(unit) {
            c.reverse();
        }
    }
}

/// Convert 24-bit integers stored in `order` to native `u32`s.
pub(crate) fn widen_u24(data: &[u8], big_endian: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 3 * 4);
    for c in data.chunks_exact(3) {
        let v = if big_endian {
            (c[0] as u32) << 16 | (c[1] as u32) << 8 | c[2] as u32
        } else {
            (c[2] as u32) << 16 | (c[1] as u32) << 8 | c[0] as u32
        };
        out.extend_from_slice(&v.to_ne_bytes());
    }
    out
}

/// Convert native-endian IEEE half floats to native-endian `f32`s (exact conversion).
pub fn half_to_f32(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() * 2);
    for c in data.chunks_exact(2) {
        let h = half::f16::from_bits(u16::from_ne_bytes([c[0], c[1]]));
        out.extend_from_slice(&h.to_f32().to_ne_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u16s(d: &[u8]) -> Vec<u16> {
        d.chunks_exact(2)
            .map(|c| u16::from_ne_bytes([c[0], c[1]]))
            .collect()
    }

    #[test]
    fn one_bit_with_row_padding() {
        // width 10 -> 2 bytes per row, 6 padding bits.
        let data = [0b1010_0000, 0b1100_0000, 0b0000_0001, 0b0111_1111];
        let out = unpack_bits(&data, 10, 2, 1).unwrap();
        assert_eq!(
            out,
            vec![1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1]
        );
    }

    #[test]
    fn four_bit() {
        // width 3 -> 2 bytes per row.
        let data = [0x12, 0x30, 0xAB, 0xCF];
        let out = unpack_bits(&data, 3, 2, 4).unwrap();
        assert_eq!(out, vec![1, 2, 3, 0xA, 0xB, 0xC]);
    }

    #[test]
    fn twelve_bit() {
        // width 3 -> 36 bits -> 5 bytes per row.
        let data = [0xABC_u16, 0x123, 0xFFF];
        let row = [0xAB, 0xC1, 0x23, 0xFF, 0xF0];
        let mut two = row.to_vec();
        two.extend_from_slice(&[0x00, 0x10, 0x02, 0x00, 0x30]);
        let out = unpack_bits(&two, 3, 2, 12).unwrap();
        assert_eq!(
            u16s(&out),
            vec![data[0], data[1], data[2], 0x001, 0x002, 0x003]
        );
        assert!(matches!(
            unpack_bits(&two[..9], 3, 2, 12),
            Err(CodecError::Truncated {
                expected: 10,
                got: 9
            })
        ));
    }

    #[test]
    fn other_depths() {
        // 7 bits: 0x7F, 0x00, 0x55 -> 1111111 0000000 1010101 (+3 pad)
        let data = [0b1111_1110, 0b0000_0010, 0b1010_1000];
        assert_eq!(unpack_bits(&data, 3, 1, 7).unwrap(), vec![0x7F, 0, 0x55]);
        // 17 bits: one value
        let out = unpack_bits(&[0xFF, 0xFF, 0x80], 1, 1, 17).unwrap();
        assert_eq!(u32::from_ne_bytes(out[..4].try_into().unwrap()), 0x1FFFF);
        assert!(unpack_bits(&[0], 1, 1, 33).is_err());
    }

    #[test]
    fn half_conversion() {
        let vals = [
            0x3C00u16, 0xC000, 0x7BFF, 0x0001, 0x7C00, 0xFC00, 0x0000, 0x8000,
        ];
        let bytes: Vec<u8> = vals.iter().flat_map(|v| v.to_ne_bytes()).collect();
        let out: Vec<f32> = half_to_f32(&bytes)
            .chunks_exact(4)
            .map(|c| f32::from_ne_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(out[0], 1.0);
        assert_eq!(out[1], -2.0);
        assert_eq!(out[2], 65504.0);
        assert_eq!(out[3], 2f32.powi(-24));
        assert_eq!(out[4], f32::INFINITY);
        assert_eq!(out[5], f32::NEG_INFINITY);
        assert_eq!(out[6].to_bits(), 0);
        assert_eq!(out[7].to_bits(), 0x8000_0000);
        let nan = half_to_f32(&0x7E00u16.to_ne_bytes());
        assert!(f32::from_ne_bytes(nan[..4].try_into().unwrap()).is_nan());
    }

    #[test]
    fn u24() {
        let le = widen_u24(&[0x01, 0x02, 0x03], false);
        assert_eq!(u32::from_ne_bytes(le[..].try_into().unwrap()), 0x030201);
        let be = widen_u24(&[0x01, 0x02, 0x03], true);
        assert_eq!(u32::from_ne_bytes(be[..].try_into().unwrap()), 0x010203);
    }
}
