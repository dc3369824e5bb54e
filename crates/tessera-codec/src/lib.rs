//! Pure-Rust TIFF chunk codecs for tessera.
//!
//! This crate turns the compressed bytes of one TIFF strip or tile ("chunk") plus a small set of
//! decode parameters ([`ChunkParams`]) into pixel samples, with no file I/O and no C code:
//! decompression (Deflate, LZW, PackBits, Zstandard, JPEG, WebP), TIFF predictors, byte-order
//! fixing, unpacking of odd bit depths and float16 promotion, following libtiff's and GDAL's
//! rules. Every function is synchronous and pure. Decoders never panic on bad input, never
//! produce (or allocate for) more than the chunk's expected size, and report problems as a typed
//! [`CodecError`].
//!
//! The building blocks ([`inflate`], [`lzw_decode`], [`packbits_decode`], ...) and a few encoders
//! ([`deflate_encode`], [`lzw_encode`], [`packbits_encode`], [`zstd_encode`], the predictors) are
//! public too.
//!
//! # Example
//!
//! ```
//! use tessera_codec::*;
//!
//! // A 3x2 chunk of big-endian uint16 samples, compressed with Deflate and predictor 2.
//! let values: [u16; 6] = [10, 11, 13, 100, 90, 95];
//! let mut raw: Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
//! apply_horizontal_predictor(&mut raw, 3, 1, 16).unwrap();
//! swap_bytes_if_little_endian(&mut raw);
//! let compressed = deflate_encode(&raw, 6);
//!
//! let params = ChunkParams {
//!     compression: Compression::from_code(8),
//!     predictor: Predictor::from_code(2).unwrap(),
//!     byte_order: ByteOrder::Big,
//!     width: 3,
//!     rows: 2,
//!     samples: 1,
//!     bits_per_sample: 16,
//!     sample_format: SampleFormat::Uint,
//!     jpeg_tables: None,
//!     ycbcr_to_rgb: false,
//! };
//! assert_eq!(params.output_type().unwrap(), DataType::U16);
//! let pixels = decode_chunk(&compressed, &params).unwrap();
//! let decoded: Vec<u16> = pixels
//!     .chunks_exact(2)
//!     .map(|c| u16::from_ne_bytes([c[0], c[1]]))
//!     .collect();
//! assert_eq!(decoded, values);
//!
//! // Unsupported schemes are reported by name.
//! let lerc = ChunkParams { compression: Compression::from_code(34887), ..params };
//! assert_eq!(
//!     decode_chunk(&[], &lerc).unwrap_err().to_string(),
//!     "compression LERC (34887) is not supported"
//! );
//!
//! fn swap_bytes_if_little_endian(b: &mut [u8]) {
//!     if cfg!(target_endian = "little") {
//!         b.chunks_exact_mut(2).for_each(|c| c.swap(0, 1));
//!     }
//! }
//! ```
// The `unsafe` in the crate, each measured to pay: the calls into the SSSE3 body of
// `planes_simd` and the BMI2 body of `inflate::huffman_block` after the CPU was checked for the
// feature (the first more than halves the predictor undo of RGB reads, the second takes 4-10 %
// off inflate), the 16-byte match copy of `inflate::copy_far_match` (3 % of inflate), the
// `Zeroable` impl that lets the LZW encoder's table be one heap allocation (part of a 3-5 %
// gain, `lzw::Table`), the LZW encoder's two unchecked table lookups (5 %,
// `lzw::leaf_unchecked` and `lzw::child_unchecked`), and the AVX-512 LZW encoder of chunks of
// 512 KiB and more (`lzw_simd`: 1.4x the scalar one): its call after the CPU check, its
// vector loads and stores of the lane state, and its gathers and scatters, each index bounded
// as its SAFETY line says.
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod bits;
mod deflate;
mod error;
mod huffman;
mod huffman_only;
mod inflate;
mod jpeg;
mod lz77;
mod lzw;
#[cfg(target_arch = "x86_64")]
mod lzw_simd;
mod packbits;
mod planes;
mod planes_simd;
mod predictor;
#[cfg(test)]
mod test_util;
mod types;
mod webp;
mod zstd;

pub use bits::{half_to_f32, swap_bytes, unpack_bits};
pub use deflate::{deflate_encode, deflate_encode_with, inflate, DeflateStrategy};
pub use error::CodecError;
pub use jpeg::{jpeg_decode, merge_jpeg_tables};
pub use lzw::{lzw_decode, lzw_encode, lzw_encode_portable};
pub use packbits::{packbits_decode, packbits_encode};
pub use planes::decode_chunk_planes;
pub use predictor::{
    apply_float_predictor, apply_horizontal_predictor, undo_float_predictor,
    undo_horizontal_predictor,
};
pub use types::{ByteOrder, ChunkParams, Compression, DataType, Predictor, SampleFormat};
pub use webp::webp_decode;
pub use zstd::{zstd_decode, zstd_encode};

/// The largest chunk (packed or decoded) this crate will allocate for: 4 GiB.
pub const MAX_CHUNK_BYTES: usize = 1 << 32;

/// Decompress `data` with a byte-oriented codec into exactly `expected` bytes.
///
/// Handles [`Compression::None`], [`Compression::Lzw`], [`Compression::Deflate`],
/// [`Compression::AdobeDeflate`], [`Compression::PackBits`] and [`Compression::Zstd`]. Output
/// beyond `expected` is never produced and extra input is ignored; a stream that ends early is
/// [`CodecError::Truncated`] (for uncompressed data too). Image codecs (JPEG, WebP) and unknown
/// schemes are [`CodecError::Unsupported`] here: use [`decode_chunk`].
pub fn decompress(
    compression: Compression,
    data: &[u8],
    expected: usize,
) -> Result<Vec<u8>, CodecError> {
    if expected > MAX_CHUNK_BYTES {
        return Err(CodecError::LimitExceeded {
            what: "chunk size",
            value: expected as u64,
            limit: MAX_CHUNK_BYTES as u64,
        });
    }
    if compression == Compression::None {
        if data.len() < expected {
            return Err(CodecError::Truncated {
                expected,
                got: data.len(),
            });
        }
        return Ok(data[..expected].to_vec());
    }
    let f = byte_codec(compression)?;
    let mut out = vec![0u8; expected];
    f(data, &mut out)?;
    Ok(out)
}

/// A byte-oriented decoder: fills the whole output buffer from the compressed bytes, or fails.
pub(crate) type ByteDecoder = fn(&[u8], &mut [u8]) -> Result<(), CodecError>;

/// The decoder of a byte-oriented compression.
pub(crate) fn byte_codec(compression: Compression) -> Result<ByteDecoder, CodecError> {
    Ok(match compression {
        Compression::Lzw => lzw_decode,
        Compression::Deflate | Compression::AdobeDeflate => inflate,
        Compression::PackBits => packbits_decode,
        Compression::Zstd => zstd_decode,
        other => return Err(other.unsupported()),
    })
}

/// Decode one chunk (strip or tile) to samples.
///
/// Output: exactly [`ChunkParams::output_len`] bytes of [`ChunkParams::output_type`] values in
/// the machine's native byte order, row-major, sample-interleaved within the chunk. Steps:
/// decompress (bounded to the expected packed size), fix the byte order, undo the predictor,
/// unpack sub-byte and odd bit depths (MSB-first, rows byte aligned), promote float16 to float32.
///
/// As in libtiff, the predictor is applied only for the codecs that support one (LZW, Deflate,
/// Zstd); it is ignored for uncompressed, PackBits, JPEG and WebP data.
pub fn decode_chunk(data: &[u8], p: &ChunkParams) -> Result<Vec<u8>, CodecError> {
    let out_type = p.output_type()?;
    let out_len = p.output_len()?;
    let image_codec = |v: Vec<u8>| {
        if v.len() == out_len {
            Ok(v)
        } else {
            Err(CodecError::corrupt(
                "image",
                format!("decoded {} bytes, expected {out_len}", v.len()),
            ))
        }
    };
    match p.compression {
        Compression::Jpeg | Compression::Webp => {
            if p.bits_per_sample != 8 || out_type != DataType::U8 {
                return Err(CodecError::unsupported(format!(
                    "{} with {} bits per sample of format {:?}",
                    p.compression.gdal_name().unwrap_or("image codec"),
                    p.bits_per_sample,
                    p.sample_format
                )));
            }
            let v = if p.compression == Compression::Jpeg {
                let merged = merge_jpeg_tables(p.jpeg_tables, data);
                jpeg_decode(&merged, p.width, p.rows, p.samples, p.ycbcr_to_rgb)?
            } else {
                webp_decode(data, p.width, p.rows, p.samples)?
            };
            return image_codec(v);
        }
        Compression::Other(_) => return Err(p.compression.unsupported()),
        _ => {}
    }

    let bps = p.bits_per_sample;
    let width = p.width as usize;
    let samples = p.samples as usize;
    let packed_len = p.packed_len()?;
    let mut buf = decompress(p.compression, data, packed_len)?;

    let predictor = if p.compression.takes_predictor() {
        p.predictor
    } else {
        Predictor::None
    };
    let complex = matches!(
        p.sample_format,
        SampleFormat::ComplexInt | SampleFormat::ComplexFloat
    );
    let whole_bytes = matches!(bps, 8 | 16 | 32 | 64 | 128);
    // Byte order (not for predictor 3, which produces native order itself).
    if whole_bytes && predictor != Predictor::FloatingPoint && p.byte_order != ByteOrder::native() {
        let unit = if complex { bps / 16 } else { bps / 8 };
        swap_bytes(&mut buf, unit as usize);
    }
    match predictor {
        Predictor::None => {}
        Predictor::Horizontal => undo_horizontal_predictor(&mut buf, width, samples, bps)?,
        Predictor::FloatingPoint => {
            if p.sample_format != SampleFormat::Float {
                return Err(CodecError::unsupported(format!(
                    "floating point predictor with {:?} samples",
                    p.sample_format
                )));
            }
            undo_float_predictor(&mut buf, width, samples, bps)?
        }
    }

    let out = if p.sample_format == SampleFormat::Float && bps == 16 {
        half_to_f32(&buf)
    } else if whole_bytes {
        buf
    } else if bps == 24 {
        bits::widen_u24(&buf, p.byte_order == ByteOrder::Big)
    } else {
        unpack_bits(&buf, width * samples, p.rows as usize, bps)?
    };
    if out.len() != out_len {
        return Err(CodecError::corrupt(
            "chunk",
            format!("produced {} bytes, expected {out_len}", out.len()),
        ));
    }
    Ok(out)
}
