//! End-to-end tests of `decode_chunk`: build chunks the way a TIFF writer would (file byte order,
//! predictor, compression) and check the decoded native samples.

use tessera_codec::*;

fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 24) as u8
        })
        .collect()
}

fn params(
    compression: Compression,
    predictor: Predictor,
    byte_order: ByteOrder,
    bps: u16,
    fmt: SampleFormat,
) -> ChunkParams<'static> {
    ChunkParams {
        compression,
        predictor,
        byte_order,
        width: 13,
        rows: 7,
        samples: 3,
        bits_per_sample: bps,
        sample_format: fmt,
        jpeg_tables: None,
        ycbcr_to_rgb: false,
    }
}

fn compress(c: Compression, data: &[u8]) -> Vec<u8> {
    match c {
        Compression::None => data.to_vec(),
        Compression::Lzw => weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
            .encode(data)
            .unwrap(),
        Compression::Deflate | Compression::AdobeDeflate => {
            use std::io::Write;
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        Compression::PackBits => packbits_encode(data),
        Compression::Zstd => {
            ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
        }
        _ => unreachable!(),
    }
}

const CODECS: [Compression; 6] = [
    Compression::None,
    Compression::Lzw,
    Compression::Deflate,
    Compression::AdobeDeflate,
    Compression::PackBits,
    Compression::Zstd,
];

/// Native-order samples -> bytes as stored in a file (byte order + predictor), compressed.
fn encode_chunk(native: &[u8], p: &ChunkParams, component: usize) -> Vec<u8> {
    let mut d = native.to_vec();
    let with_predictor = matches!(
        p.compression,
        Compression::Lzw | Compression::Deflate | Compression::AdobeDeflate | Compression::Zstd
    );
    let w = p.width as usize;
    let s = p.samples as usize;
    match (with_predictor, p.predictor) {
        (true, Predictor::FloatingPoint) => {
            apply_float_predictor(&mut d, w, s, p.bits_per_sample).unwrap()
        }
        (true, Predictor::Horizontal) => {
            apply_horizontal_predictor(&mut d, w, s, p.bits_per_sample).unwrap();
            if p.byte_order != ByteOrder::native() {
                swap_bytes(&mut d, component);
            }
        }
        _ => {
            if p.byte_order != ByteOrder::native() {
                swap_bytes(&mut d, component);
            }
        }
    }
    compress(p.compression, &d)
}

#[test]
fn round_trip_every_whole_byte_type_codec_predictor_and_byte_order() {
    use SampleFormat::*;
    let types = [
        (8, Uint, DataType::U8),
        (8, Int, DataType::I8),
        (16, Uint, DataType::U16),
        (16, Int, DataType::I16),
        (32, Uint, DataType::U32),
        (32, Int, DataType::I32),
        (64, Uint, DataType::U64),
        (64, Int, DataType::I64),
        (32, Float, DataType::F32),
        (64, Float, DataType::F64),
        (32, ComplexInt, DataType::CI16),
        (64, ComplexInt, DataType::CI32),
        (64, ComplexFloat, DataType::CF32),
        (128, ComplexFloat, DataType::CF64),
    ];
    let mut checked = 0;
    for (bps, fmt, dt) in types {
        for order in [ByteOrder::Little, ByteOrder::Big] {
            for c in CODECS {
                for pred in [
                    Predictor::None,
                    Predictor::Horizontal,
                    Predictor::FloatingPoint,
                ] {
                    if pred == Predictor::Horizontal && bps == 128 {
                        continue;
                    }
                    if pred == Predictor::FloatingPoint && fmt != Float {
                        continue;
                    }
                    let p = params(c, pred, order, bps, fmt);
                    assert_eq!(p.output_type().unwrap(), dt);
                    let native = noise(p.output_len().unwrap(), bps as u64 + checked);
                    let enc = encode_chunk(&native, &p, dt.component_bytes());
                    let out = decode_chunk(&enc, &p)
                        .unwrap_or_else(|e| panic!("{dt:?} {order:?} {c:?} {pred:?}: {e}"));
                    assert_eq!(out, native, "{dt:?} {order:?} {c:?} {pred:?}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 250);
}

#[test]
fn known_big_endian_values() {
    // Three int16 values stored big-endian, no compression.
    let mut p = params(
        Compression::None,
        Predictor::None,
        ByteOrder::Big,
        16,
        SampleFormat::Int,
    );
    p.width = 3;
    p.rows = 1;
    p.samples = 1;
    let out = decode_chunk(&[0xFF, 0xFE, 0x01, 0x00, 0x80, 0x00], &p).unwrap();
    let v: Vec<i16> = out
        .chunks_exact(2)
        .map(|c| i16::from_ne_bytes([c[0], c[1]]))
        .collect();
    assert_eq!(v, vec![-2, 256, i16::MIN]);
    // Complex int16 big-endian: each half swapped on its own.
    p.bits_per_sample = 32;
    p.sample_format = SampleFormat::ComplexInt;
    p.width = 1;
    let out = decode_chunk(&[0x00, 0x01, 0xFF, 0xFF], &p).unwrap();
    assert_eq!(i16::from_ne_bytes([out[0], out[1]]), 1);
    assert_eq!(i16::from_ne_bytes([out[2], out[3]]), -1);
}

#[test]
fn float16_all_codecs_predictors_and_orders() {
    let vals: Vec<u16> = (0..13 * 7 * 3)
        .map(|i| half::f16::from_f32(i as f32 * 0.37 - 20.0).to_bits())
        .collect();
    let native: Vec<u8> = vals.iter().flat_map(|v| v.to_ne_bytes()).collect();
    let expected: Vec<u8> = vals
        .iter()
        .flat_map(|v| half::f16::from_bits(*v).to_f32().to_ne_bytes())
        .collect();
    for order in [ByteOrder::Little, ByteOrder::Big] {
        for c in CODECS {
            for pred in [
                Predictor::None,
                Predictor::Horizontal,
                Predictor::FloatingPoint,
            ] {
                let p = params(c, pred, order, 16, SampleFormat::Float);
                assert_eq!(p.output_type().unwrap(), DataType::F32);
                let enc = encode_chunk(&native, &p, 2);
                let out = decode_chunk(&enc, &p).unwrap();
                assert_eq!(out, expected, "{order:?} {c:?} {pred:?}");
            }
        }
    }
}

#[test]
fn odd_bit_depths() {
    // 12-bit, width 13 * 3 samples = 39 values = 58.5 -> 59 bytes per row.
    let p = params(
        Compression::Deflate,
        Predictor::None,
        ByteOrder::Little,
        12,
        SampleFormat::Uint,
    );
    let vals: Vec<u16> = (0..39 * 7).map(|i| (i * 97 % 4096) as u16).collect();
    let mut packed = Vec::new();
    for row in vals.chunks(39) {
        let mut acc = 0u32;
        let mut n = 0;
        for v in row {
            acc = (acc << 12) | *v as u32;
            n += 12;
            while n >= 8 {
                n -= 8;
                packed.push((acc >> n) as u8);
            }
        }
        if n > 0 {
            packed.push((acc << (8 - n)) as u8);
        }
        acc = 0;
        let _ = acc;
    }
    assert_eq!(packed.len(), 59 * 7);
    let out = decode_chunk(&compress(p.compression, &packed), &p).unwrap();
    let got: Vec<u16> = out
        .chunks_exact(2)
        .map(|c| u16::from_ne_bytes([c[0], c[1]]))
        .collect();
    assert_eq!(got, vals);

    // 1-bit, 1 sample, width 13 -> 2 bytes per row.
    let mut p1 = params(
        Compression::PackBits,
        Predictor::None,
        ByteOrder::Big,
        1,
        SampleFormat::Uint,
    );
    p1.samples = 1;
    p1.rows = 2;
    let packed = [0b1000_0000, 0b0000_1000, 0b0111_1111, 0b1111_0000];
    let out = decode_chunk(&packbits_encode(&packed), &p1).unwrap();
    assert_eq!(
        out,
        vec![1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]
    );

    // 24-bit unsigned, both byte orders.
    for (order, bytes) in [
        (ByteOrder::Little, [0x01u8, 0x02, 0x03]),
        (ByteOrder::Big, [0x03, 0x02, 0x01]),
    ] {
        let mut p = params(
            Compression::None,
            Predictor::None,
            order,
            24,
            SampleFormat::Uint,
        );
        p.width = 1;
        p.rows = 1;
        p.samples = 1;
        let out = decode_chunk(&bytes, &p).unwrap();
        assert_eq!(u32::from_ne_bytes(out[..4].try_into().unwrap()), 0x030201);
    }
    // Horizontal predictor with 12 bits is unsupported (as in libtiff).
    let mut p = params(
        Compression::Lzw,
        Predictor::Horizontal,
        ByteOrder::Little,
        12,
        SampleFormat::Uint,
    );
    p.samples = 1;
    let enc = compress(Compression::Lzw, &vec![0u8; p.packed_len().unwrap()]);
    assert!(matches!(
        decode_chunk(&enc, &p),
        Err(CodecError::Unsupported { .. })
    ));
}

#[test]
fn truncated_and_short_data() {
    for c in CODECS {
        let p = params(
            c,
            Predictor::None,
            ByteOrder::Little,
            16,
            SampleFormat::Uint,
        );
        let n = p.output_len().unwrap();
        let short = compress(c, &noise(n - 10, 1));
        let err = decode_chunk(&short, &p).unwrap_err();
        assert!(
            matches!(err, CodecError::Truncated { expected, .. } if expected == n),
            "{c:?}: {err:?}"
        );
        // Extra data is ignored.
        let long = compress(c, &noise(n + 100, 2));
        assert_eq!(decode_chunk(&long, &p).unwrap(), {
            let mut v = noise(n + 100, 2);
            v.truncate(n);
            if ByteOrder::native() != ByteOrder::Little {
                swap_bytes(&mut v, 2);
            }
            v
        });
    }
}

#[test]
fn garbage_never_panics() {
    let mut p = params(
        Compression::None,
        Predictor::Horizontal,
        ByteOrder::Big,
        16,
        SampleFormat::Uint,
    );
    for seed in 0..40u64 {
        let g = noise(50 + seed as usize * 13, seed);
        for c in [
            Compression::Lzw,
            Compression::Deflate,
            Compression::PackBits,
            Compression::Zstd,
            Compression::Jpeg,
            Compression::Webp,
        ] {
            p.compression = c;
            p.bits_per_sample = 8;
            let _ = decode_chunk(&g, &p);
            p.bits_per_sample = 16;
            let r = decode_chunk(&g, &p);
            assert!(r.is_err() || r.unwrap().len() == p.output_len().unwrap());
        }
    }
}

#[test]
fn deflate_bomb_through_decode_chunk() {
    // A zlib stream declaring ~100 MB of zeros (fixed Huffman, length-258 matches).
    let mut bits: Vec<bool> = Vec::new();
    let huff = |bits: &mut Vec<bool>, code: u32, len: u32| {
        for i in (0..len).rev() {
            bits.push((code >> i) & 1 == 1);
        }
    };
    bits.extend([true, true, false]); // BFINAL, BTYPE=01 (LSB first)
    huff(&mut bits, 0x30, 8);
    for _ in 0..400_000 {
        huff(&mut bits, 0b1100_0101, 8);
        huff(&mut bits, 0, 5);
    }
    let mut bomb = vec![0x78, 0x01];
    for chunk in bits.chunks(8) {
        let mut b = 0u8;
        for (i, bit) in chunk.iter().enumerate() {
            b |= (*bit as u8) << i;
        }
        bomb.push(b);
    }
    let mut p = params(
        Compression::Deflate,
        Predictor::Horizontal,
        ByteOrder::Little,
        8,
        SampleFormat::Uint,
    );
    p.width = 256;
    p.rows = 256;
    p.samples = 1;
    let start = std::time::Instant::now();
    let out = decode_chunk(&bomb, &p).unwrap();
    assert_eq!(out.len(), 65536);
    assert!(out.iter().all(|&b| b == 0));
    assert!(start.elapsed().as_secs_f64() < 1.0);
}

#[test]
fn unsupported_schemes_are_named() {
    let p = |code| {
        params(
            Compression::from_code(code),
            Predictor::None,
            ByteOrder::Little,
            8,
            SampleFormat::Uint,
        )
    };
    let msg = |code| decode_chunk(&[1, 2, 3], &p(code)).unwrap_err().to_string();
    assert_eq!(msg(34887), "compression LERC (34887) is not supported");
    assert_eq!(msg(34712), "compression JPEG2000 (34712) is not supported");
    assert_eq!(msg(4), "compression CCITTFAX4 (4) is not supported");
    assert_eq!(msg(60000), "compression 60000 is not supported");
    let mut j = p(7);
    j.bits_per_sample = 12;
    assert!(matches!(
        decode_chunk(&[], &j),
        Err(CodecError::Unsupported { .. })
    ));
}

// ---- JPEG: hand-made baseline streams -------------------------------------------------------

/// Baseline JPEG tables (SOI, DQT with all 8s, DC table {00: cat 0, 01: cat 3}, AC table {0: EOB}).
fn jpeg_tables() -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xDB, 0x00, 67, 0x00];
    v.extend([8u8; 64]);
    // DC table 0: two codes of length 2: symbols 0 and 3.
    v.extend([0xFF, 0xC4, 0x00, 2 + 1 + 16 + 2, 0x00]);
    let mut counts = [0u8; 16];
    counts[1] = 2;
    v.extend(counts);
    v.extend([0, 3]);
    // AC table 0: one code of length 1: symbol 0x00 (EOB).
    v.extend([0xFF, 0xC4, 0x00, 2 + 1 + 16 + 1, 0x10]);
    let mut counts = [0u8; 16];
    counts[0] = 1;
    v.extend(counts);
    v.push(0x00);
    v
}

/// Frame + scan for an 8n x 8 image with `comps` components, first block of component 0 has
/// DC difference +4 (pixel 132), all other blocks DC difference 0 (pixel 128 +...).
fn jpeg_body(blocks_x: u16, comps: u8) -> Vec<u8> {
    let mut v = vec![0xFF, 0xC0, 0x00, 8 + 3 * comps, 8, 0, 8];
    v.extend((blocks_x * 8).to_be_bytes());
    v.push(comps);
    for c in 0..comps {
        v.extend([c + 1, 0x11, 0]);
    }
    v.extend([0xFF, 0xDA, 0x00, 6 + 2 * comps, comps]);
    for c in 0..comps {
        v.extend([c + 1, 0x00]);
    }
    v.extend([0, 63, 0]);
    let mut bits = String::new();
    for bx in 0..blocks_x {
        for c in 0..comps {
            bits += if bx == 0 && c == 0 { "01100" } else { "00" };
            bits += "0"; // EOB
        }
    }
    while !bits.len().is_multiple_of(8) {
        bits.push('1');
    }
    for i in (0..bits.len()).step_by(8) {
        let b = u8::from_str_radix(&bits[i..i + 8], 2).unwrap();
        v.push(b);
        if b == 0xFF {
            v.push(0);
        }
    }
    v.extend([0xFF, 0xD9]);
    v
}

fn jpeg_params(width: u32, samples: u16, ycbcr: bool) -> ChunkParams<'static> {
    ChunkParams {
        compression: Compression::Jpeg,
        predictor: Predictor::None,
        byte_order: ByteOrder::Little,
        width,
        rows: 8,
        samples,
        bits_per_sample: 8,
        sample_format: SampleFormat::Uint,
        jpeg_tables: None,
        ycbcr_to_rgb: ycbcr,
    }
}

#[test]
fn jpeg_gray_with_and_without_tables() {
    let mut full = jpeg_tables();
    full.extend(jpeg_body(2, 1));
    let out = decode_chunk(&full, &jpeg_params(16, 1, false)).unwrap();
    assert_eq!(out.len(), 128);
    for (i, v) in out.iter().enumerate() {
        // DC prediction carries the +4 into the second block too.
        assert_eq!(*v, 132, "pixel {i}");
    }
    // Abbreviated: tables in JPEGTables, chunk = SOI + frame + scan.
    let mut tables = jpeg_tables();
    tables.extend([0xFF, 0xD9]);
    let mut chunk = vec![0xFF, 0xD8];
    chunk.extend(jpeg_body(2, 1));
    let mut p = jpeg_params(16, 1, false);
    p.jpeg_tables = Some(&tables);
    let out2 = decode_chunk(&chunk, &p).unwrap();
    assert_eq!(out2, out);
    // Size mismatch is corrupt.
    assert!(matches!(
        decode_chunk(&full, &jpeg_params(8, 1, false)),
        Err(CodecError::Corrupt { .. })
    ));
    // Wrong sample count.
    assert!(decode_chunk(&full, &jpeg_params(16, 3, false)).is_err());
}

#[test]
fn jpeg_three_components_raw_and_ycbcr() {
    let mut full = jpeg_tables();
    full.extend(jpeg_body(1, 3));
    // Raw (e.g. Photometric=RGB): components unchanged: (132, 128, 128).
    let raw = decode_chunk(&full, &jpeg_params(8, 3, false)).unwrap();
    assert_eq!(raw.len(), 8 * 8 * 3);
    for px in raw.chunks_exact(3) {
        assert_eq!(px, [132, 128, 128]);
    }
    // YCbCr -> RGB: Y=132 with neutral chroma is gray 132.
    let rgb = decode_chunk(&full, &jpeg_params(8, 3, true)).unwrap();
    for px in rgb.chunks_exact(3) {
        assert_eq!(px, [132, 132, 132]);
    }
}

#[test]
fn jpeg_four_components_are_not_colour_converted() {
    let mut full = jpeg_tables();
    full.extend(jpeg_body(1, 4));
    let out = decode_chunk(&full, &jpeg_params(8, 4, false)).unwrap();
    assert_eq!(out.len(), 8 * 8 * 4);
    for px in out.chunks_exact(4) {
        assert_eq!(px, [132, 128, 128, 128]);
    }
}

#[test]
fn webp_through_decode_chunk() {
    let (w, h) = (9u32, 4u32);
    let rgb: Vec<u8> = (0..w * h * 3).map(|i| (i * 5 % 256) as u8).collect();
    let mut enc = Vec::new();
    image_webp::WebPEncoder::new(&mut enc)
        .encode(&rgb, w, h, image_webp::ColorType::Rgb8)
        .unwrap();
    let mut p = jpeg_params(w, 3, false);
    p.compression = Compression::Webp;
    p.rows = h;
    assert_eq!(decode_chunk(&enc, &p).unwrap(), rgb);
}
