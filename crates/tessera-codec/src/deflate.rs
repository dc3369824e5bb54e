//! Deflate / zlib (TIFF compression 8 and 32946).

use crate::{huffman_only, CodecError};
use zlib_rs::Strategy;

/// Inflate a zlib stream (with its 2-byte header) into `out`, filling it exactly.
///
/// The decoder is tessera's own whole-buffer inflater (`inflate.rs`: literal pairs per table
/// lookup, no sliding window), checked against zlib-rs on valid and corrupted streams; on the
/// reference scene's tiles it decodes LZ77 streams 1.09-1.44x and Huffman-only streams 1.6-1.9x
/// as fast as zlib-rs (`inflate FILE 48`, one core, two runs).
///
/// Decompression stops as soon as `out` is full, so a "deflate bomb" costs at most `out.len()`
/// bytes of output and the time to produce them. Bytes past that point (and a missing or bad
/// Adler-32 trailer) are ignored, as libtiff does. A stream that ends before `out` is full is
/// [`CodecError::Truncated`]; a malformed one is [`CodecError::Corrupt`].
pub fn inflate(data: &[u8], out: &mut [u8]) -> Result<(), CodecError> {
    crate::inflate::inflate_zlib(data, out)
}

/// Compress `data` as a zlib stream (TIFF compression 8). `level` is clamped to `0..=9`.
///
/// Each call picks one of three codings by compressing a sample of the data (the whole data
/// when it is small) each way:
/// - Huffman coding alone (what zlib's `Z_HUFFMAN_ONLY` writes; tessera's `huffman_only.rs`)
///   when it is the smallest. On noisy image data, predictor residuals above all, LZ77 finds
///   short matches that cost more bits than the literals they replace, and searching for them
///   is most of the time: there Huffman coding alone is both ~10x faster and smaller (the
///   reference scene's tiles: ratio 2.309 vs 2.245).
/// - tessera's fast greedy LZ77 (`lz77.rs`, levels 1-6) when its output is within 1 % of
///   zlib's at `level`: on the mosaic benchmark's uint16 tiles about twice zlib-rs's speed at
///   ratio 1.779 vs 1.787 (libdeflate, which GDAL uses, writes 1.741 at level 6).
/// - zlib's LZ77 at `level` (zlib-rs) otherwise: smooth rasters where its lazy matching and
///   deeper search pay, and always at levels 7-9.
///
/// The choice depends only on the bytes, so output stays deterministic; all three are plain
/// Deflate streams any inflater reads.
pub fn deflate_encode(data: &[u8], level: u32) -> Vec<u8> {
    let level = level.min(9) as i32;
    if level == 0 {
        return zlib_compress(data, 0, Strategy::Default);
    }
    if data.len() <= 2 * SAMPLE_BYTES {
        // Small enough to compress every way and keep the one the rule picks.
        let mut outputs = Candidates::of(data, level);
        return match outputs.choice() {
            DeflateStrategy::HuffmanOnly => outputs.huffman,
            DeflateStrategy::FastLz77 => outputs.fast.take().expect("fast LZ77 was run"),
            DeflateStrategy::Lz77 => outputs.zlib,
        };
    }
    match Candidates::of(&spread_sample(data), level).choice() {
        DeflateStrategy::HuffmanOnly => huffman_only::compress(data),
        DeflateStrategy::FastLz77 => crate::lz77::compress(data),
        DeflateStrategy::Lz77 => zlib_compress(data, level, Strategy::Default),
    }
}

/// The data (or a sample of it) compressed each way [`deflate_encode`] chooses between.
struct Candidates {
    huffman: Vec<u8>,
    zlib: Vec<u8>,
    /// Only at levels up to [`FAST_LZ77_MAX_LEVEL`].
    fast: Option<Vec<u8>>,
}

impl Candidates {
    fn of(data: &[u8], level: i32) -> Self {
        Candidates {
            huffman: huffman_only::compress(data),
            zlib: zlib_compress(data, level, Strategy::Default),
            fast: (level <= FAST_LZ77_MAX_LEVEL).then(|| crate::lz77::compress(data)),
        }
    }

    /// Huffman coding alone when it is smallest; otherwise tessera's fast LZ77 unless zlib's
    /// LZ77 is more than [`FAST_LZ77_TOLERANCE`] smaller; otherwise zlib's.
    fn choice(&self) -> DeflateStrategy {
        let (huffman, zlib) = (self.huffman.len(), self.zlib.len());
        let fast = self.fast.as_ref().map_or(usize::MAX, Vec::len);
        if huffman < zlib.min(fast) {
            DeflateStrategy::HuffmanOnly
        } else if self.fast.is_some() && fast as f64 <= zlib as f64 * (1.0 + FAST_LZ77_TOLERANCE) {
            DeflateStrategy::FastLz77
        } else {
            DeflateStrategy::Lz77
        }
    }
}

/// Levels up to this may use tessera's own LZ77 (`lz77.rs`); higher ones always use zlib's.
const FAST_LZ77_MAX_LEVEL: i32 = 6;
/// How much larger than zlib's (on the sample) the fast LZ77's output may be and still be used.
const FAST_LZ77_TOLERANCE: f64 = 0.01;

/// Bytes of the sample [`deflate_encode`] decides on: [`SAMPLE_PIECES`] slices spread evenly over
/// the data. Measured on the reference scene and mosaic tiles, 8 x 2 KiB picks the strategy that
/// is smaller for the whole tile every time (64 tiles each).
const SAMPLE_BYTES: usize = 16 << 10;
const SAMPLE_PIECES: usize = 8;

fn spread_sample(data: &[u8]) -> Vec<u8> {
    let piece = SAMPLE_BYTES / SAMPLE_PIECES;
    let step = data.len() / SAMPLE_PIECES;
    (0..SAMPLE_PIECES)
        .flat_map(|i| &data[i * step..i * step + piece])
        .copied()
        .collect()
}

/// How [`deflate_encode_with`] codes the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeflateStrategy {
    /// zlib's usual LZ77 matching plus Huffman coding.
    Lz77,
    /// Huffman coding of literals only (the streams zlib's `Z_HUFFMAN_ONLY` writes; level 0
    /// still means stored blocks).
    HuffmanOnly,
    /// tessera's own greedy LZ77 (two candidates per position, `lz77.rs`) plus Huffman
    /// coding; the same output at every level but 0 (stored blocks).
    FastLz77,
}

/// Compress `data` as a zlib stream with a fixed strategy (what [`deflate_encode`] chooses
/// between). `level` is clamped to `0..=9`.
pub fn deflate_encode_with(data: &[u8], level: u32, strategy: DeflateStrategy) -> Vec<u8> {
    match strategy {
        DeflateStrategy::Lz77 => zlib_compress(data, level.min(9) as i32, Strategy::Default),
        DeflateStrategy::HuffmanOnly if level == 0 => zlib_compress(data, 0, Strategy::Default),
        DeflateStrategy::HuffmanOnly => huffman_only::compress(data),
        DeflateStrategy::FastLz77 if level == 0 => zlib_compress(data, 0, Strategy::Default),
        DeflateStrategy::FastLz77 => crate::lz77::compress(data),
    }
}

/// One zlib stream with zlib-rs (directly: flate2 does not expose the strategy).
pub(crate) fn zlib_compress(data: &[u8], level: i32, strategy: Strategy) -> Vec<u8> {
    let mut out = vec![0u8; zlib_rs::compress_bound(data.len())];
    let config = zlib_rs::DeflateConfig {
        level,
        strategy,
        ..zlib_rs::DeflateConfig::default()
    };
    let (packed, rc) = zlib_rs::compress_slice(&mut out, data, config);
    // A buffer of compress_bound bytes always suffices; the configuration is valid.
    debug_assert_eq!(rc, zlib_rs::ReturnCode::Ok);
    let len = packed.len();
    out.truncate(len);
    out
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

    /// Residual-like bytes: small values, no repeats worth a match.
    fn residuals(n: usize) -> Vec<u8> {
        crate::test_util::noise(n, 11)
            .iter()
            .map(|&b| (b % 7).wrapping_sub(3))
            .collect()
    }

    #[test]
    fn picks_the_smaller_strategy_from_a_sample() {
        for n in [1000, 40_000, 300_000] {
            // Residual-like data: Huffman coding alone wins (and is what gets written).
            let noisy = residuals(n);
            let huffman = huffman_only::compress(&noisy);
            assert!(huffman.len() < zlib_compress(&noisy, 6, Strategy::Default).len());
            assert_eq!(deflate_encode(&noisy, 6), huffman, "{n} residual bytes");
            // Repetitive data: LZ77 wins; tessera's fast LZ77 at levels up to 6 (it is within
            // the tolerance of zlib's here), zlib's above.
            let repeats: Vec<u8> = b"a categorical raster row, "
                .iter()
                .cycle()
                .take(n)
                .copied()
                .collect();
            let lz = zlib_compress(&repeats, 6, Strategy::Default);
            let fast = crate::lz77::compress(&repeats);
            assert!(lz.len() < huffman_only::compress(&repeats).len());
            assert!(fast.len() as f64 <= lz.len() as f64 * (1.0 + FAST_LZ77_TOLERANCE));
            assert_eq!(deflate_encode(&repeats, 6), fast, "{n} repetitive bytes");
            assert_eq!(
                deflate_encode(&repeats, 9),
                zlib_compress(&repeats, 9, Strategy::Default),
                "{n} repetitive bytes, level 9"
            );
            for data in [noisy, repeats] {
                let mut out = vec![0u8; n];
                inflate(&deflate_encode(&data, 6), &mut out).unwrap();
                assert_eq!(out, data);
            }
        }
        // Level 0 stays stored blocks, whatever the data.
        assert_eq!(
            deflate_encode(&residuals(5000), 0),
            zlib_compress(&residuals(5000), 0, Strategy::Default)
        );
    }

    #[test]
    fn fast_lz77_only_within_the_tolerance_of_zlib() {
        // Whatever the data, a fast-LZ77 choice costs at most the tolerance over zlib's output
        // and a Huffman-only choice is the smallest of the three (on the data decided on).
        let smooth: Vec<u8> = (0..30_000u32).map(|i| ((i / 7) % 251) as u8).collect();
        let pairs: Vec<u8> = crate::test_util::noise(30_000, 4)
            .chunks(2)
            .flat_map(|p| [p[0] % 5, if p[1] < 200 { 0 } else { 0xff }])
            .collect();
        let mut seen = std::collections::HashSet::new();
        for data in [smooth, pairs, residuals(30_000), sample(30_000)] {
            for level in 1..=9 {
                let zlib = zlib_compress(&data, level, Strategy::Default).len() as f64;
                let fast = if level <= FAST_LZ77_MAX_LEVEL {
                    crate::lz77::compress(&data).len() as f64
                } else {
                    f64::INFINITY
                };
                let huffman = huffman_only::compress(&data).len() as f64;
                let written = deflate_encode(&data, level as u32);
                let choice = Candidates::of(&data, level).choice();
                seen.insert(format!("{choice:?}"));
                match choice {
                    DeflateStrategy::FastLz77 => {
                        assert!(fast <= zlib * (1.0 + FAST_LZ77_TOLERANCE));
                        assert_eq!(written, crate::lz77::compress(&data));
                    }
                    DeflateStrategy::HuffmanOnly => {
                        assert!(huffman < zlib.min(fast));
                        assert_eq!(written, huffman_only::compress(&data));
                    }
                    DeflateStrategy::Lz77 => {
                        assert!(fast > zlib * (1.0 + FAST_LZ77_TOLERANCE));
                        assert_eq!(written, zlib_compress(&data, level, Strategy::Default));
                    }
                }
            }
        }
        assert_eq!(seen.len(), 3, "every choice made on these data: {seen:?}");
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
