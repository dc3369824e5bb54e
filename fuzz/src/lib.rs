//! Shared helpers of the fuzz targets.

use tessera_codec::{ByteOrder, ChunkParams, Compression, Predictor, SampleFormat};

/// Decode parameters drawn from the first 4 bytes of a fuzz input (small sizes so
/// every run is fast), then the rest of the input as the compressed chunk.
pub fn chunk_case(data: &[u8], compression: Compression) -> Option<(ChunkParams<'static>, &[u8])> {
    if data.len() < 4 {
        return None;
    }
    let (head, body) = data.split_at(4);
    let bits = [1u16, 2, 4, 8, 12, 16, 24, 32, 64][usize::from(head[0]) % 9];
    let format = match head[1] % 4 {
        0 => SampleFormat::Uint,
        1 => SampleFormat::Int,
        2 => SampleFormat::Float,
        _ => SampleFormat::ComplexInt,
    };
    let predictor = match head[1] / 64 {
        0 | 1 => Predictor::None,
        2 => Predictor::Horizontal,
        _ => Predictor::FloatingPoint,
    };
    let params = ChunkParams {
        compression,
        predictor,
        byte_order: if head[2] & 1 == 0 { ByteOrder::Little } else { ByteOrder::Big },
        width: u32::from(head[2] >> 1) % 64 + 1,
        rows: u32::from(head[3] & 63) + 1,
        samples: u16::from(head[3] >> 6) + 1,
        bits_per_sample: bits,
        sample_format: format,
        jpeg_tables: None,
        ycbcr_to_rgb: head[3] & 0x80 != 0,
    };
    Some((params, body))
}

/// Decode a chunk; the only acceptable outcomes are Ok with the promised length, or Err.
pub fn check_decode(data: &[u8], compression: Compression) {
    if let Some((params, body)) = chunk_case(data, compression) {
        if let Ok(out) = tessera_codec::decode_chunk(body, &params) {
            assert_eq!(Ok(out.len()), params.output_len().map_err(|_| ()));
        }
    }
}
