//! Deflate / zlib (TIFF compression 8 and 32946).

use crate::CodecError;
use flate2::{Decompress, FlushDecompress, Status};

/// Inflate a zlib stream (with its 2-byte header) into `out`, filling it exactly.
///
/// Decompression stops as soon as `out` is full, so a "deflate bomb" costs at most `out.len()`
/// bytes of output and the time to produce them. Bytes past that point (and a missing or bad
/// Adler-32 trailer) are ignored, as libtiff does. A stream that ends before `out` is full is
/// [`CodecError::Truncated`]; a malformed one is [`CodecError::Corrupt`].
pub fn inflate(data: &[u8], out: &mut [u8]) -> Result<(), CodecError> {
    let mut d = Decompress::new(true);
    let mut filled = 0usize;
    let mut consumed = 0usize;
    while filled < out.len() {
        let before_in = d.total_in();
        let before_out = d.total_out();
        let status = d
            .decompress(&data[consumed..], &mut out[filled..], FlushDecompress::None)
            .map_err(|e| CodecError::corrupt("deflate", e.to_string()))?;
        let used_in = (d.total_in() - before_in) as usize;
        let produced = (d.total_out() - before_out) as usize;
        consumed += used_in;
        filled += produced;
        match status {
            Status::StreamEnd => break,
            Status::Ok | Status::BufError => {
                if used_in == 0 && produced == 0 {
                    break;
                }
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

/// Compress `data` as a zlib stream (TIFF compression 8). `level` is clamped to `0..=9`.
pub fn deflate_encode(data: &[u8], level: u32) -> Vec<u8> {
    // Compress straight from the input into one buffer of zlib's worst-case size:
    // the `Write` adapter would copy the input through an internal buffer first.
    let mut z = flate2::Compress::new(flate2::Compression::new(level.min(9)), true);
    let mut out = Vec::with_capacity(data.len() + data.len() / 64 + 128);
    loop {
        let consumed = z.total_in() as usize;
        match z.compress_vec(&data[consumed..], &mut out, flate2::FlushCompress::Finish) {
            Ok(flate2::Status::StreamEnd) => return out,
            // Out of room (never with the bound above, but stay correct): grow and go on.
            Ok(_) => out.reserve(out.capacity().max(1024)),
            // Compressing a byte slice into a Vec has no failure mode.
            Err(_) => return out,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: usize) -> Vec<u8> {
        (0..n).map(|i| ((i * 7) ^ (i >> 5)) as u8).collect()
    }

    #[test]
    fn round_trip_all_levels() {
        let data = sample(50_000);
        for level in [0, 1, 6, 9] {
            let enc = deflate_encode(&data, level);
            let mut out = vec![0u8; data.len()];
            inflate(&enc, &mut out).unwrap();
            assert_eq!(out, data);
        }
    }

    #[test]
    fn extra_output_and_trailing_junk_ignored() {
        let data = sample(1000);
        let mut enc = deflate_encode(&data, 6);
        enc.extend_from_slice(b"junk after the stream");
        let mut out = vec![0u8; 600];
        inflate(&enc, &mut out).unwrap();
        assert_eq!(out, data[..600]);
    }

    #[test]
    fn truncated_stream() {
        let data = sample(10_000);
        let enc = deflate_encode(&data, 6);
        let mut out = vec![0u8; data.len()];
        let err = inflate(&enc[..enc.len() / 2], &mut out).unwrap_err();
        assert!(matches!(err, CodecError::Truncated { expected: 10_000, got } if got < 10_000));
        // Complete stream but too short for the chunk.
        let mut big = vec![0u8; 20_000];
        assert!(matches!(
            inflate(&enc, &mut big),
            Err(CodecError::Truncated {
                expected: 20_000,
                got: 10_000
            })
        ));
    }

    #[test]
    fn garbage_is_corrupt() {
        let mut out = vec![0u8; 100];
        let err = inflate(b"this is not a zlib stream at all", &mut out).unwrap_err();
        assert!(matches!(
            err,
            CodecError::Corrupt {
                codec: "deflate",
                ..
            }
        ));
        assert!(inflate(&[], &mut out).is_err());
    }

    #[test]
    fn bomb_stops_at_expected_size() {
        // ~100 MB of zeros in a ~660 KB stream.
        let bomb = crate::test_util::zero_bomb(400_000);
        let mut full = vec![0u8; 1000];
        inflate(&bomb, &mut full).unwrap();
        let start = std::time::Instant::now();
        let mut out = vec![1u8; 4096];
        inflate(&bomb, &mut out).unwrap();
        assert!(out.iter().all(|&b| b == 0));
        assert!(start.elapsed().as_secs_f64() < 1.0);
    }
}
