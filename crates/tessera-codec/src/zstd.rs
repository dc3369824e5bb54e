//! Zstandard (TIFF compression 50000): decoded by the pure-Rust `ruzstd`, encoded by the
//! pure-Rust `structured-zstd` (every level; `ruzstd` has only its "fastest" one).

use crate::CodecError;
use ruzstd::decoding::FrameDecoder;
use ruzstd::decoding::StreamingDecoder;
use std::io::Read;

const MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];
/// 128 KiB: zstd blocks may not be larger than the window, and are at most 128 KiB.
const MIN_WINDOW_LOG: u32 = 17;

/// Rewrite the frame header so that its window is at most the smallest power of two `>=
/// expected` (at least 128 KiB).
///
/// Only the first `expected` output bytes are ever used, and every back reference that produces
/// one of them reaches at most `expected` bytes back, so a smaller window decodes them exactly.
/// This bounds the decoder's ring buffer (which `ruzstd` reserves up front) and makes it hand out
/// data after at most about `2 * window` bytes instead of after the whole, possibly huge, frame.
fn shrink_window(data: &[u8], expected: usize) -> Option<Vec<u8>> {
    if data.len() < 6 || data[..4] != MAGIC {
        return None;
    }
    let fhd = data[4];
    let single_segment = fhd & 0x20 != 0;
    let fcs_flag = fhd >> 6;
    let dict_len = [0usize, 1, 2, 4][(fhd & 3) as usize];
    let want_log = (expected.max(1).next_power_of_two().trailing_zeros()).max(MIN_WINDOW_LOG);
    let want = 1u64 << want_log;
    let mut p = 5usize;
    let declared_window;
    if single_segment {
        let fcs_len = [1usize, 2, 4, 8][fcs_flag as usize];
        let start = 5 + dict_len;
        let bytes = data.get(start..start + fcs_len)?;
        let mut v = 0u64;
        for (i, b) in bytes.iter().enumerate() {
            v |= (*b as u64) << (8 * i);
        }
        if fcs_len == 2 {
            v += 256;
        }
        declared_window = v;
    } else {
        let wd = *data.get(5)?;
        p = 6;
        let exp = (wd >> 3) as u32;
        let base = 1u64 << (10 + exp);
        declared_window = base + (base / 8) * (wd & 7) as u64;
    }
    if declared_window <= want {
        return None;
    }
    let wd = ((want_log - 10) as u8) << 3;
    let mut hdr = Vec::with_capacity(data.len() + 1);
    hdr.extend_from_slice(&MAGIC);
    if single_segment {
        // Drop the single-segment flag; a 1-byte content size (flag 0) only exists with it.
        hdr.push(fhd & !0x20);
        hdr.push(wd);
        hdr.extend_from_slice(data.get(5..5 + dict_len)?);
        let fcs_len = [1usize, 2, 4, 8][fcs_flag as usize];
        let fcs_start = 5 + dict_len;
        if fcs_flag != 0 {
            hdr.extend_from_slice(data.get(fcs_start..fcs_start + fcs_len)?);
        }
        hdr.extend_from_slice(data.get(fcs_start + fcs_len..)?);
    } else {
        hdr.push(fhd);
        hdr.push(wd);
        hdr.extend_from_slice(&data[p..]);
    }
    Some(hdr)
}

/// Decode a Zstandard frame into `out`, filling it exactly.
///
/// Stops as soon as `out` is full (the rest of the frame is not decoded). The decoder's window is
/// capped to the expected size so that a "zstd bomb" cannot make it allocate or decode much more
/// than `out.len()`. Ending early is [`CodecError::Truncated`]; malformed data is
/// [`CodecError::Corrupt`].
pub fn zstd_decode(data: &[u8], out: &mut [u8]) -> Result<(), CodecError> {
    let patched = shrink_window(data, out.len());
    let src: &[u8] = patched.as_deref().unwrap_or(data);
    let mut fd = FrameDecoder::new();
    let limit = (out.len() as u64)
        .max(1 << MIN_WINDOW_LOG)
        .next_power_of_two()
        .max(1 << 20);
    fd.set_max_window_size(limit);
    let mut dec = StreamingDecoder::new_with_decoder(src, fd)
        .map_err(|e| CodecError::corrupt("zstd", e.to_string()))?;
    let mut filled = 0usize;
    while filled < out.len() {
        match dec.read(&mut out[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) => {
                let msg = e.to_string();
                // Running out of input mid-frame is truncation, anything else is corruption.
                if e.kind() == std::io::ErrorKind::UnexpectedEof
                    || msg.contains("failed to fill whole buffer")
                    || msg.to_ascii_lowercase().contains("eof")
                {
                    break;
                }
                return Err(CodecError::corrupt("zstd", msg));
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

/// Compress `data` as one Zstandard frame.
///
/// `level` is zstd's 1..=22 (GDAL's ZSTD_LEVEL, default 9; higher values are taken as 22);
/// `level <= 0` stores the data in raw blocks. Deterministic: the same input and level give
/// the same bytes.
///
/// Level 1 runs zstd's level-1 parameters with a hash table of 2^11 entries (8 KiB, in L1)
/// instead of the 2^12-2^14 zstd picks by size. Measured with `encoders FILE 32 x "zstd 1"`
/// against zstd's own level-1 parameters on the bench scene, the mosaic tiles and four interop
/// files re-tiled 512 (u8, u8 RGB, complex int16, u16): 1.1-2.1x faster where the tiles were
/// large enough to time, sizes between -0.08 % and +0.11 %.
pub fn zstd_encode(data: &[u8], level: i32) -> Vec<u8> {
    use structured_zstd::encoding::{
        compress_to_vec, compress_with_parameters, CompressionLevel, CompressionParameters,
    };
    match level {
        ..=0 => compress_to_vec(data, CompressionLevel::Uncompressed),
        1 => {
            let params = CompressionParameters::builder(CompressionLevel::Level(1))
                .hash_log(LEVEL_1_HASH_LOG)
                .build()
                .expect("hash_log 11 is within zstd's bounds");
            compress_with_parameters(data, &params)
        }
        _ => compress_to_vec(data, CompressionLevel::Level(level.min(22))),
    }
}

/// Hash table bits of level 1 (see [`zstd_encode`]).
const LEVEL_1_HASH_LOG: u32 = 11;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::noise;

    fn sample(n: usize) -> Vec<u8> {
        let mut v = noise(n, 5);
        for (i, b) in v.iter_mut().enumerate() {
            if (i / 64) % 2 == 0 {
                *b = (i % 13) as u8;
            }
        }
        v
    }

    #[test]
    fn round_trip() {
        for n in [0usize, 1, 100, 5000, 300_000] {
            let data = sample(n);
            for level in [0, 1, 3] {
                let enc = zstd_encode(&data, level);
                let mut out = vec![0u8; n];
                zstd_decode(&enc, &mut out).unwrap();
                assert_eq!(out, data);
            }
        }
    }

    #[test]
    fn prefix_and_truncation() {
        let data = sample(300_000);
        let enc = zstd_encode(&data, 1);
        let mut out = vec![0u8; 1000];
        zstd_decode(&enc, &mut out).unwrap();
        assert_eq!(out, data[..1000]);
        let mut out = vec![0u8; 100_000];
        zstd_decode(&enc, &mut out).unwrap();
        assert_eq!(out, data[..100_000]);

        let mut full = vec![0u8; data.len()];
        let err = zstd_decode(&enc[..enc.len() / 2], &mut full).unwrap_err();
        assert!(matches!(err, CodecError::Truncated { .. }), "{err:?}");
        let mut bigger = vec![0u8; data.len() + 10];
        assert!(matches!(
            zstd_decode(&enc, &mut bigger),
            Err(CodecError::Truncated { got: 300_000, .. })
        ));
    }

    #[test]
    fn garbage() {
        let mut out = vec![0u8; 100];
        assert!(zstd_decode(b"not zstd", &mut out).is_err());
        assert!(zstd_decode(&[], &mut out).is_err());
        for seed in 0..30 {
            let mut g = MAGIC.to_vec();
            g.extend(noise(200, seed));
            let _ = zstd_decode(&g, &mut out);
        }
    }

    #[test]
    fn bomb_stops_early() {
        // ~100 MiB of zeros: 800 RLE blocks of 128 KiB in a frame declaring a 128 MiB window.
        let mut enc = MAGIC.to_vec();
        enc.extend_from_slice(&[0x00, 17 << 3]);
        for i in 0..800u32 {
            let last = u32::from(i == 799);
            let h = (131_072u32 << 3) | (1 << 1) | last;
            enc.extend_from_slice(&h.to_le_bytes()[..3]);
            enc.push(0);
        }
        let start = std::time::Instant::now();
        let mut out = vec![1u8; 4096];
        zstd_decode(&enc, &mut out).unwrap();
        assert!(out.iter().all(|&b| b == 0));
        assert!(start.elapsed().as_secs_f64() < 2.0, "{:?}", start.elapsed());
    }

    #[test]
    fn window_rewrite_keeps_data_exact() {
        let data = sample(600_000);
        let enc = zstd_encode(&data, 1);
        // Whatever the encoder declared, declare a 64 MiB window instead (no single segment).
        let fhd = enc[4];
        let single = fhd & 0x20 != 0;
        let mut big = enc[..4].to_vec();
        big.push(fhd & !0x20);
        big.push(16 << 3);
        let rest = if single { 5 } else { 6 };
        if single && fhd >> 6 == 0 {
            // 1-byte content size only exists in single-segment frames: drop it.
            big.extend_from_slice(&enc[rest + 1..]);
        } else {
            big.extend_from_slice(&enc[rest..]);
        }
        let patched = shrink_window(&big, 1000).expect("window shrinks");
        assert_eq!(patched[5], 7 << 3);
        let mut out = vec![0u8; 1000];
        zstd_decode(&big, &mut out).unwrap();
        assert_eq!(out, data[..1000]);
        let mut out = vec![0u8; data.len()];
        zstd_decode(&big, &mut out).unwrap();
        assert_eq!(out, data);
        let mut out = vec![0u8; 300_000];
        zstd_decode(&big, &mut out).unwrap();
        assert_eq!(out, data[..300_000]);
    }
}
