//! Decoding a chunk straight into band-sequential planes, the layout of a window buffer.
//!
//! A pixel-interleaved chunk has to be split into planes before it lands in a window (GDAL and
//! rasterio present bands one after the other). Done after [`decode_chunk`], that is two more
//! passes over the chunk (predictor, then split) and a chunk-sized allocation per call. Here the
//! common case (8-bit samples, predictor 2, a byte codec) decompresses into a per-thread scratch
//! buffer and undoes the predictor while splitting, in one pass; everything else goes through
//! [`decode_chunk`] and a plain split.

use std::cell::RefCell;

use crate::{byte_codec, decode_chunk, ChunkParams, CodecError, Predictor};
use crate::{DataType, SampleFormat};

/// Scratch buffers above this size are not kept between calls.
const KEEP_SCRATCH_BYTES: usize = 16 << 20;

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Decode one chunk into `out` as planes: every pixel's sample 0 (row-major), then sample 1, ...
///
/// `out` must be exactly [`ChunkParams::output_len`] bytes. The values are those of
/// [`decode_chunk`]; only their order differs (for one sample per pixel, not at all).
pub fn decode_chunk_planes(data: &[u8], p: &ChunkParams, out: &mut [u8]) -> Result<(), CodecError> {
    let out_len = p.output_len()?;
    if out.len() != out_len {
        return Err(CodecError::InvalidParams {
            detail: format!(
                "plane buffer of {} bytes for a {out_len}-byte chunk",
                out.len()
            ),
        });
    }
    let samples = usize::from(p.samples);
    if fused_u8(p) {
        let width = p.width as usize;
        return SCRATCH.with(|cell| {
            let mut scratch = cell.borrow_mut();
            // Decoders fill all of it or fail, so stale bytes from the last chunk never show.
            scratch.resize(out_len, 0);
            byte_codec(p.compression)?(data, &mut scratch)?;
            undo_u8_into_planes(&scratch, width, samples, out);
            if scratch.capacity() > KEEP_SCRATCH_BYTES {
                *scratch = Vec::new();
            }
            Ok(())
        });
    }
    let interleaved = decode_chunk(data, p)?;
    split_planes(&interleaved, samples, p.output_type()?.size_bytes(), out);
    Ok(())
}

/// Whether the chunk takes the one-pass path: 8-bit integer samples, several per pixel, with
/// predictor 2 under a byte codec.
fn fused_u8(p: &ChunkParams) -> bool {
    p.compression.takes_predictor()
        && p.predictor == Predictor::Horizontal
        && p.bits_per_sample == 8
        && p.samples > 1
        && matches!(p.sample_format, SampleFormat::Uint | SampleFormat::Int)
        && matches!(p.output_type(), Ok(DataType::U8 | DataType::I8))
}

/// Undo 8-bit horizontal differencing of pixel-interleaved rows (`samples` per pixel) while
/// writing each sample to its plane.
fn undo_u8_into_planes(src: &[u8], width: usize, samples: usize, out: &mut [u8]) {
    match samples {
        2 => undo_split::<2>(src, width, out),
        3 => {
            if !crate::planes_simd::undo_split_rgb(src, width, out) {
                undo_split::<3>(src, width, out)
            }
        }
        4 => undo_split::<4>(src, width, out),
        _ => {
            let plane = out.len() / samples;
            let row = width * samples;
            for (r, src_row) in src.chunks_exact(row).enumerate() {
                for s in 0..samples {
                    let mut acc = 0u8;
                    let dst = &mut out[s * plane + r * width..][..width];
                    for (d, px) in dst.iter_mut().zip(src_row.chunks_exact(samples)) {
                        acc = acc.wrapping_add(px[s]);
                        *d = acc;
                    }
                }
            }
        }
    }
}

/// [`undo_u8_into_planes`] for `S` samples per pixel: `S` running sums in registers. Each
/// destination row is cut to exactly `width` first, so the index loop needs no bounds checks
/// (measured as fast as a loop zipping the `S` rows by hand, which took a copy per `S`).
fn undo_split<const S: usize>(src: &[u8], width: usize, out: &mut [u8]) {
    let plane = out.len() / S;
    if width == 0 || plane == 0 {
        return;
    }
    let mut split = out.chunks_exact_mut(plane);
    let mut planes: [&mut [u8]; S] = std::array::from_fn(|_| split.next().expect("S planes"));
    for (r, src_row) in src.chunks_exact(width * S).enumerate() {
        let rows = planes
            .each_mut()
            .map(|p| &mut p[r * width..(r + 1) * width]);
        let mut acc = [0u8; S];
        for (x, px) in src_row.chunks_exact(S).enumerate() {
            for k in 0..S {
                acc[k] = acc[k].wrapping_add(px[k]);
                rows[k][x] = acc[k];
            }
        }
    }
}

/// Split pixel-interleaved samples of `size` bytes into planes.
pub(crate) fn split_planes(src: &[u8], samples: usize, size: usize, out: &mut [u8]) {
    if samples <= 1 {
        out.copy_from_slice(src);
        return;
    }
    let plane = out.len() / samples;
    let stride = samples * size;
    for (s, dst) in out.chunks_exact_mut(plane).enumerate() {
        let offset = s * size;
        match size {
            1 => {
                for (d, px) in dst.iter_mut().zip(src.chunks_exact(stride)) {
                    *d = px[offset];
                }
            }
            2 => split_n::<2>(src, dst, stride, offset),
            4 => split_n::<4>(src, dst, stride, offset),
            8 => split_n::<8>(src, dst, stride, offset),
            _ => {
                for (d, px) in dst.chunks_exact_mut(size).zip(src.chunks_exact(stride)) {
                    d.copy_from_slice(&px[offset..offset + size]);
                }
            }
        }
    }
}

fn split_n<const N: usize>(src: &[u8], dst: &mut [u8], stride: usize, offset: usize) {
    for (d, px) in dst.chunks_exact_mut(N).zip(src.chunks_exact(stride)) {
        let s: &[u8; N] = px[offset..offset + N].try_into().expect("N bytes");
        d.copy_from_slice(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::noise;
    use crate::{apply_horizontal_predictor, deflate_encode, lzw_encode, ByteOrder, Compression};

    fn params(compression: u16, predictor: u16, samples: u16, bps: u16) -> ChunkParams<'static> {
        ChunkParams {
            compression: Compression::from_code(compression),
            predictor: Predictor::from_code(predictor).unwrap(),
            byte_order: ByteOrder::native(),
            width: 37,
            rows: 5,
            samples,
            bits_per_sample: bps,
            sample_format: SampleFormat::Uint,
            jpeg_tables: None,
            ycbcr_to_rgb: false,
        }
    }

    /// Planes must hold `decode_chunk`'s values, split: for the fused path (8-bit, predictor
    /// 2, 1-5 samples) and the general one (16-bit, no predictor).
    #[test]
    fn planes_equal_split_decode_chunk() {
        for (samples, bps, predictor) in [
            (1, 8, 2),
            (2, 8, 2),
            (3, 8, 2),
            (4, 8, 2),
            (5, 8, 2),
            (3, 8, 1),
            (3, 16, 2),
            (2, 32, 1),
        ] {
            for compression in [8u16, 5] {
                let p = params(compression, predictor, samples, bps);
                let mut raw = noise(p.packed_len().unwrap(), u64::from(samples * bps));
                if predictor == 2 {
                    apply_horizontal_predictor(&mut raw, 37, usize::from(samples), bps).unwrap();
                }
                let packed = if compression == 8 {
                    deflate_encode(&raw, 6)
                } else {
                    lzw_encode(&raw)
                };
                let interleaved = decode_chunk(&packed, &p).unwrap();
                let size = usize::from(bps / 8);
                let s = usize::from(samples);
                let mut planes = vec![0u8; interleaved.len()];
                decode_chunk_planes(&packed, &p, &mut planes).unwrap();
                let plane = interleaved.len() / s;
                for px in 0..plane / size {
                    for k in 0..s {
                        assert_eq!(
                            planes[k * plane + px * size..][..size],
                            interleaved[(px * s + k) * size..][..size],
                            "{samples} samples, {bps} bits, predictor {predictor}, pixel {px}"
                        );
                    }
                }
            }
        }
    }

    /// The SSSE3 body (where the CPU has it) against the scalar loop: every width from 0 to 70
    /// (whole 16-pixel blocks, tails, both), several rows, wrapping sums.
    #[test]
    fn rgb_simd_equals_scalar() {
        for width in 0..=70 {
            let rows = 3;
            let src = noise(width * 3 * rows, width as u64 + 1);
            let mut scalar = vec![0u8; src.len()];
            undo_split::<3>(&src, width, &mut scalar);
            let mut fast = vec![0u8; src.len()];
            if crate::planes_simd::undo_split_rgb(&src, width, &mut fast) {
                assert_eq!(fast, scalar, "width {width}");
            }
            let mut dispatched = vec![0u8; src.len()];
            undo_u8_into_planes(&src, width, 3, &mut dispatched);
            assert_eq!(dispatched, scalar, "width {width}");
        }
    }

    #[test]
    fn errors_pass_through_and_sizes_are_checked() {
        let p = params(8, 2, 3, 8);
        let mut out = vec![0u8; p.output_len().unwrap()];
        assert!(matches!(
            decode_chunk_planes(b"not zlib", &p, &mut out),
            Err(CodecError::Corrupt { .. })
        ));
        let mut short = vec![0u8; 10];
        assert!(matches!(
            decode_chunk_planes(&[], &p, &mut short),
            Err(CodecError::InvalidParams { .. })
        ));
    }
}
