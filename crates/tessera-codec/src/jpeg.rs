//! JPEG (TIFF compression 7) through the pure-Rust `zune-jpeg`.

use crate::CodecError;
use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;

/// Merge a TIFF `JPEGTables` stream with an abbreviated chunk stream.
///
/// Result: the tables without their trailing EOI, followed by the chunk without its leading SOI.
/// Without tables (or with empty ones) the chunk is returned unchanged.
pub fn merge_jpeg_tables<'a>(tables: Option<&[u8]>, data: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
    let Some(t) = tables else {
        return data.into();
    };
    if t.len() < 2 || t[..2] != [0xFF, 0xD8] {
        return data.into();
    }
    let t = if t.len() >= 4 && t[t.len() - 2..] == [0xFF, 0xD9] {
        &t[..t.len() - 2]
    } else {
        t
    };
    let body = if data.len() >= 2 && data[..2] == [0xFF, 0xD8] {
        &data[2..]
    } else {
        data
    };
    if t.len() == 2 {
        // Tables were only SOI (+EOI): nothing to add.
        let mut v = Vec::with_capacity(2 + body.len());
        v.extend_from_slice(&[0xFF, 0xD8]);
        v.extend_from_slice(body);
        return v.into();
    }
    let mut v = Vec::with_capacity(t.len() + body.len());
    v.extend_from_slice(t);
    v.extend_from_slice(body);
    v.into()
}

/// Whether the stream explicitly declares YCbCr colour (a JFIF APP0 marker, or an Adobe APP14
/// marker with transform 1) before its first scan.
fn declares_ycbcr(s: &[u8]) -> bool {
    let mut i = 2usize;
    while i + 4 <= s.len() {
        if s[i] != 0xFF {
            return false;
        }
        let m = s[i + 1];
        if m == 0xFF {
            i += 1;
            continue;
        }
        if m == 0xDA || m == 0xD9 {
            return false;
        }
        if (0xD0..=0xD7).contains(&m) || m == 0x01 {
            i += 2;
            continue;
        }
        let len = u16::from_be_bytes([s[i + 2], s[i + 3]]) as usize;
        let seg = &s[(i + 4).min(s.len())..(i + 2 + len).min(s.len())];
        if m == 0xE0 && seg.starts_with(b"JFIF\0") {
            return true;
        }
        if m == 0xEE && seg.starts_with(b"Adobe") && seg.len() >= 12 {
            return seg[11] == 1;
        }
        if len < 2 {
            return false;
        }
        i += 2 + len;
    }
    false
}

/// Decode one JPEG chunk (after [`merge_jpeg_tables`]) of `width` x `rows` pixels with `samples`
/// 8-bit components per pixel.
///
/// One component gives gray. Three components are converted from YCbCr to RGB when
/// `ycbcr_to_rgb` is set or the stream declares YCbCr (JFIF / Adobe transform 1), as GDAL does;
/// otherwise (e.g. TIFF Photometric=RGB written by libtiff) they come out exactly as stored. Four
/// components are always returned as stored (no CMYK/YCCK conversion). The decoder refuses
/// images larger than `width` x `rows`, and the JPEG's size must equal the chunk's.
pub fn jpeg_decode(
    data: &[u8],
    width: u32,
    rows: u32,
    samples: u16,
    ycbcr_to_rgb: bool,
) -> Result<Vec<u8>, CodecError> {
    let corrupt = |d: String| CodecError::corrupt("jpeg", d);
    let opts = DecoderOptions::default()
        .set_max_width(width.max(1) as usize)
        .set_max_height(rows.max(1) as usize)
        .set_strict_mode(false);
    let mut dec = JpegDecoder::new_with_options(ZCursor::new(data), opts);
    dec.decode_headers().map_err(|e| corrupt(e.to_string()))?;
    let info = dec
        .info()
        .ok_or_else(|| corrupt("no image information".into()))?;
    if info.width as u32 != width || info.height as u32 != rows {
        return Err(corrupt(format!(
            "JPEG is {}x{} but the chunk is {width}x{rows}",
            info.width, info.height
        )));
    }
    let input = dec
        .input_colorspace()
        .ok_or_else(|| corrupt("no colour space".into()))?;
    let comps = info.components as usize;
    let out_cs = match comps {
        1 => ColorSpace::Luma,
        3 => {
            if input == ColorSpace::YCbCr && (ycbcr_to_rgb || declares_ycbcr(data)) {
                ColorSpace::RGB
            } else {
                // Same in and out colour space: zune-jpeg copies the components unchanged.
                input
            }
        }
        4 => input,
        n => return Err(CodecError::unsupported(format!("JPEG with {n} components"))),
    };
    if out_cs.num_components() != samples as usize {
        return Err(corrupt(format!(
            "JPEG has {} components but the chunk has {samples} samples per pixel",
            out_cs.num_components()
        )));
    }
    dec.set_options(opts.jpeg_set_out_colorspace(out_cs));
    let size = dec
        .output_buffer_size()
        .ok_or_else(|| corrupt("output size overflows".into()))?;
    let mut out = vec![0u8; size];
    dec.decode_into(&mut out)
        .map_err(|e| corrupt(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_tables() {
        let tables = [0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x02, 0xFF, 0xD9];
        let chunk = [0xFF, 0xD8, 0xFF, 0xDA, 1, 2, 0xFF, 0xD9];
        let m = merge_jpeg_tables(Some(&tables), &chunk);
        assert_eq!(
            &m[..],
            &[0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x02, 0xFF, 0xDA, 1, 2, 0xFF, 0xD9]
        );
        let m = merge_jpeg_tables(Some(&[0xFF, 0xD8, 0xFF, 0xD9]), &chunk);
        assert_eq!(&m[..], &chunk);
        let m = merge_jpeg_tables(None, &chunk);
        assert_eq!(&m[..], &chunk);
    }

    #[test]
    fn ycbcr_declaration() {
        let jfif = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x07, b'J', b'F', b'I', b'F', 0, 0xFF, 0xDA,
        ];
        assert!(declares_ycbcr(&jfif));
        let mut adobe = vec![0xFF, 0xD8, 0xFF, 0xEE, 0x00, 0x0E];
        adobe.extend_from_slice(b"Adobe");
        adobe.extend_from_slice(&[0, 100, 0, 0, 0, 0, 0]);
        assert!(!declares_ycbcr(&adobe));
        let n = adobe.len();
        adobe[n - 1] = 1;
        assert!(declares_ycbcr(&adobe));
        assert!(!declares_ycbcr(&[
            0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x02, 0xFF, 0xDA
        ]));
        assert!(!declares_ycbcr(&[0xFF, 0xD8, 0xFF]));
    }

    #[test]
    fn garbage_errors() {
        for d in [
            &[][..],
            &[0xFF, 0xD8],
            &[0xFF, 0xD8, 0xFF, 0xD9],
            b"not a jpeg at all",
        ] {
            assert!(jpeg_decode(d, 8, 8, 1, false).is_err());
        }
        for seed in 0..30 {
            let mut g = vec![0xFF, 0xD8];
            g.extend(crate::test_util::noise(300, seed));
            let _ = jpeg_decode(&g, 8, 8, 3, true);
        }
    }
}
