//! TIFF LZW (compression 5): decoding through `weezl`, plus a fast libtiff-compatible encoder.

use crate::CodecError;
use weezl::{decode::Decoder, BitOrder, LzwStatus};

/// Decode TIFF LZW data into `out`, filling it exactly.
///
/// Uses MSB-first codes with TIFF's "early change" code-width switch. Streams written by very old
/// libtiff versions ("old-style" LZW: LSB-first, starting with bytes `0x00 0x01`) are detected the
/// way libtiff does and decoded too. Decoding stops when `out` is full: a missing end-of-information
/// code or trailing junk is fine once all expected bytes are there. Running out of codes first is
/// [`CodecError::Truncated`]; an invalid code before `out` is full is [`CodecError::Corrupt`].
pub fn lzw_decode(data: &[u8], out: &mut [u8]) -> Result<(), CodecError> {
    let old_style = data.len() >= 2 && data[0] == 0 && data[1] & 1 == 1;
    let mut dec = if old_style {
        Decoder::new(BitOrder::Lsb, 8)
    } else {
        Decoder::with_tiff_size_switch(BitOrder::Msb, 8)
    };
    let mut inp = data;
    let mut filled = 0usize;
    while filled < out.len() {
        let r = dec.decode_bytes(inp, &mut out[filled..]);
        inp = &inp[r.consumed_in..];
        filled += r.consumed_out;
        match r.status {
            Ok(LzwStatus::Done) | Ok(LzwStatus::NoProgress) => break,
            Ok(LzwStatus::Ok) => {
                if r.consumed_in == 0 && r.consumed_out == 0 {
                    break;
                }
            }
            Err(e) => {
                if filled >= out.len() {
                    break;
                }
                return Err(CodecError::corrupt("lzw", e.to_string()));
            }
        }
    }
    if filled < out.len() {
        return Err(CodecError::Truncated {
            expected: out.len(),
            got: filled,
        });
    }
    Ok(())
}

const CLEAR: u32 = 256;
const EOI: u32 = 257;
const FIRST_FREE: u32 = 258;
/// libtiff resets the table when the next free code would be 4094 (CODE_MAX - 1).
const FULL: u32 = 4094;
const HASH_BITS: u32 = 13;
const HASH_SIZE: usize = 1 << HASH_BITS;
const EMPTY: u32 = u32::MAX;

struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    nbits: u32,
}

impl BitWriter {
    #[inline]
    fn put(&mut self, code: u32, width: u32) {
        self.acc = (self.acc << width) | code as u64;
        self.nbits += width;
        while self.nbits >= 8 {
            self.nbits -= 8;
            self.out.push((self.acc >> self.nbits) as u8);
        }
        self.acc &= (1u64 << self.nbits) - 1;
    }

    fn finish(mut self) -> Vec<u8> {
        if self.nbits > 0 {
            self.out.push((self.acc << (8 - self.nbits)) as u8);
        }
        self.out
    }
}

/// Encode `data` as TIFF LZW, the way libtiff does.
///
/// MSB-first codes starting at 9 bits, the "early change" width switch, a ClearCode at the start,
/// a ClearCode whenever the table reaches 4094 entries, and an EndOfInformation code at the end.
/// The output decodes with `weezl`'s `Decoder::with_tiff_size_switch(BitOrder::Msb, 8)` and with
/// libtiff.
pub fn lzw_encode(data: &[u8]) -> Vec<u8> {
    let mut w = BitWriter {
        out: Vec::with_capacity(data.len() / 2 + 16),
        acc: 0,
        nbits: 0,
    };
    let mut keys = vec![EMPTY; HASH_SIZE];
    let mut vals = vec![0u16; HASH_SIZE];
    let mut width = 9u32;
    let mut maxcode = (1u32 << width) - 1;
    let mut free = FIRST_FREE;
    w.put(CLEAR, width);
    let Some((&first, rest)) = data.split_first() else {
        w.put(EOI, width);
        return w.finish();
    };
    let mut ent = first as u32;
    for &c in rest {
        let key = (ent << 8) | c as u32;
        let mut h = (key.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize;
        loop {
            let k = keys[h];
            if k == key {
                ent = vals[h] as u32;
                break;
            }
            if k == EMPTY {
                w.put(ent, width);
                ent = c as u32;
                keys[h] = key;
                vals[h] = free as u16;
                free += 1;
                if free == FULL {
                    w.put(CLEAR, width);
                    keys.fill(EMPTY);
                    free = FIRST_FREE;
                    width = 9;
                    maxcode = (1 << width) - 1;
                } else if free > maxcode {
                    width += 1;
                    maxcode = (1 << width) - 1;
                }
                break;
            }
            h = (h + 1) & (HASH_SIZE - 1);
        }
    }
    // Flush the pending string; then account for the table entry the decoder will add, which
    // may widen the code used for EOI (libtiff's LZWPostEncode).
    w.put(ent, width);
    free += 1;
    if free == FULL {
        w.put(CLEAR, width);
        width = 9;
    } else if free > maxcode {
        width += 1;
    }
    w.put(EOI, width);
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::noise;

    fn weezl_encode(data: &[u8]) -> Vec<u8> {
        weezl::encode::Encoder::with_tiff_size_switch(BitOrder::Msb, 8)
            .encode(data)
            .unwrap()
    }

    fn weezl_decode(data: &[u8]) -> Vec<u8> {
        Decoder::with_tiff_size_switch(BitOrder::Msb, 8)
            .decode(data)
            .unwrap()
    }

    fn inputs() -> Vec<Vec<u8>> {
        let mut v = vec![
            vec![],
            vec![42],
            vec![1, 2],
            b"TOBEORNOTTOBEORTOBEORNOT#".to_vec(),
            vec![0u8; 100_000],
            noise(50_000, 1),
        ];
        // Mixed: compressible with many distinct strings, crosses several table resets.
        let mut m = Vec::new();
        for i in 0..60_000u32 {
            m.push(((i / 3) % 251) as u8 ^ ((i >> 9) as u8));
        }
        v.push(m);
        // Lengths around every code-width switch and the table reset.
        let n = noise(20_000, 7);
        for len in [
            253, 254, 255, 256, 257, 511, 512, 513, 1022, 1023, 1024, 2047, 3836, 3837, 3838, 3839,
            3840, 4000,
        ] {
            v.push(n[..len].to_vec());
        }
        v
    }

    #[test]
    fn decode_weezl_encoded() {
        for data in inputs() {
            let enc = weezl_encode(&data);
            let mut out = vec![0u8; data.len()];
            lzw_decode(&enc, &mut out).unwrap();
            assert_eq!(out, data);
        }
    }

    #[test]
    fn encoder_round_trips_through_weezl() {
        for data in inputs() {
            let enc = lzw_encode(&data);
            assert_eq!(weezl_decode(&enc), data, "len {}", data.len());
            let mut out = vec![0u8; data.len()];
            lzw_decode(&enc, &mut out).unwrap();
            assert_eq!(out, data);
        }
    }

    #[test]
    fn encoder_matches_known_libtiff_prefix() {
        // ClearCode (256) then 'A' (65) then 'B' (66) as 9-bit MSB-first codes.
        let enc = lzw_encode(b"AB");
        assert_eq!(&enc[..3], &[0x80, 0x10, 0x48]);
        assert!(lzw_encode(&noise(10_000, 3)).len() < 10_000 * 14 / 8);
        assert!(lzw_encode(&[7u8; 10_000]).len() < 400);
    }

    #[test]
    fn missing_eoi_and_trailing_junk_ok() {
        let data = noise(5000, 9);
        let enc = weezl_encode(&data);
        // Drop the EOI code's last byte(s): all data bytes are still there.
        let cut = &enc[..enc.len() - 1];
        let mut out = vec![0u8; data.len() - 10];
        lzw_decode(cut, &mut out).unwrap();
        assert_eq!(out, data[..data.len() - 10]);
        let mut junk = enc.clone();
        junk.extend_from_slice(&[0xFF; 50]);
        let mut out = vec![0u8; data.len()];
        lzw_decode(&junk, &mut out).unwrap();
        assert_eq!(out, data);
    }

    #[test]
    fn truncated_and_garbage() {
        let data = noise(5000, 11);
        let enc = weezl_encode(&data);
        let mut out = vec![0u8; data.len()];
        assert!(matches!(
            lzw_decode(&enc[..enc.len() / 2], &mut out),
            Err(CodecError::Truncated { expected: 5000, .. })
        ));
        let mut big = vec![0u8; 6000];
        assert!(matches!(
            lzw_decode(&enc, &mut big),
            Err(CodecError::Truncated {
                expected: 6000,
                got: 5000
            })
        ));
        for seed in 0..50 {
            let g = noise(300, seed);
            let _ = lzw_decode(&g, &mut out);
        }
        assert!(lzw_decode(&[0xFF, 0xFF, 0xFF, 0xFF], &mut out).is_err());
    }

    #[test]
    fn old_style_lsb() {
        let data = b"old style lzw old style lzw old style lzw".to_vec();
        let enc = weezl::encode::Encoder::new(BitOrder::Lsb, 8)
            .encode(&data)
            .unwrap();
        assert_eq!(enc[0], 0x00);
        assert_eq!(enc[1] & 1, 1);
        let mut out = vec![0u8; data.len()];
        lzw_decode(&enc, &mut out).unwrap();
        assert_eq!(out, data);
    }

    #[test]
    fn bomb_stops() {
        let enc = lzw_encode(&vec![0u8; 5_000_000]);
        let mut out = vec![1u8; 1000];
        lzw_decode(&enc, &mut out).unwrap();
        assert!(out.iter().all(|&b| b == 0));
    }
}
