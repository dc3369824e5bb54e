//! WebP (TIFF compression 50001) through the pure-Rust `image-webp`.

use crate::CodecError;
use image_webp::WebPDecoder;
use std::io::Cursor;

/// Decode one WebP chunk of `width` x `rows` pixels into `samples` (3 = RGB, 4 = RGBA) 8-bit
/// samples per pixel.
///
/// Alpha is dropped when `samples == 3`; when `samples == 4` and the image has no alpha, alpha is
/// filled with 255. The WebP's dimensions must equal the chunk's, else [`CodecError::Corrupt`].
pub fn webp_decode(
    data: &[u8],
    width: u32,
    rows: u32,
    samples: u16,
) -> Result<Vec<u8>, CodecError> {
    let corrupt = |d: String| CodecError::corrupt("webp", d);
    if samples != 3 && samples != 4 {
        return Err(CodecError::unsupported(format!(
            "WebP with {samples} samples per pixel"
        )));
    }
    let mut dec = WebPDecoder::new(Cursor::new(data)).map_err(|e| corrupt(e.to_string()))?;
    let (w, h) = dec.dimensions();
    if (w, h) != (width, rows) {
        return Err(corrupt(format!(
            "WebP is {w}x{h} but the chunk is {width}x{rows}"
        )));
    }
    let pixels = (w as usize)
        .checked_mul(h as usize)
        .ok_or_else(|| corrupt("image too large".into()))?;
    let has_alpha = dec.has_alpha();
    let native = if has_alpha { 4 } else { 3 };
    dec.set_memory_limit(pixels.saturating_mul(8).saturating_add(1 << 20));
    let mut buf = vec![0u8; pixels * native];
    dec.read_image(&mut buf)
        .map_err(|e| corrupt(e.to_string()))?;
    let want = samples as usize;
    if native == want {
        return Ok(buf);
    }
    let mut out = Vec::with_capacity(pixels * want);
    for px in buf.chunks_exact(native) {
        out.extend_from_slice(&px[..3]);
        if want == 4 {
            out.push(255);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image_webp::{ColorType, WebPEncoder};

    fn encode(data: &[u8], w: u32, h: u32, c: ColorType) -> Vec<u8> {
        let mut out = Vec::new();
        WebPEncoder::new(&mut out).encode(data, w, h, c).unwrap();
        out
    }

    #[test]
    fn lossless_rgb_and_rgba() {
        let (w, h) = (7u32, 5u32);
        let rgb: Vec<u8> = (0..w * h * 3).map(|i| (i * 37 % 251) as u8).collect();
        let enc = encode(&rgb, w, h, ColorType::Rgb8);
        assert_eq!(webp_decode(&enc, w, h, 3).unwrap(), rgb);
        let rgba4 = webp_decode(&enc, w, h, 4).unwrap();
        for (a, b) in rgba4.chunks_exact(4).zip(rgb.chunks_exact(3)) {
            assert_eq!(&a[..3], b);
            assert_eq!(a[3], 255);
        }

        let rgba: Vec<u8> = (0..w * h * 4).map(|i| (i * 11 % 256) as u8).collect();
        let enc = encode(&rgba, w, h, ColorType::Rgba8);
        assert_eq!(webp_decode(&enc, w, h, 4).unwrap(), rgba);
        let rgb3 = webp_decode(&enc, w, h, 3).unwrap();
        for (a, b) in rgb3.chunks_exact(3).zip(rgba.chunks_exact(4)) {
            assert_eq!(a, &b[..3]);
        }
    }

    #[test]
    fn dimension_mismatch_and_garbage() {
        let rgb = vec![9u8; 4 * 4 * 3];
        let enc = encode(&rgb, 4, 4, ColorType::Rgb8);
        assert!(matches!(
            webp_decode(&enc, 4, 3, 3),
            Err(CodecError::Corrupt { codec: "webp", .. })
        ));
        assert!(webp_decode(&enc[..enc.len() / 2], 4, 4, 3).is_err());
        assert!(webp_decode(b"RIFF0000WEBPjunk", 4, 4, 3).is_err());
        assert!(webp_decode(&[], 4, 4, 3).is_err());
        assert!(matches!(
            webp_decode(&enc, 4, 4, 1),
            Err(CodecError::Unsupported { .. })
        ));
        for seed in 0..30 {
            let mut g = b"RIFF\x40\0\0\0WEBPVP8L\x30\0\0\0".to_vec();
            g.extend(crate::test_util::noise(60, seed));
            let _ = webp_decode(&g, 4, 4, 4);
        }
    }
}
