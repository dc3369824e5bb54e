//! The bodies of the cargo-fuzz targets (`fuzz/`), here so that `cargo test`
//! replays every saved crash input (`testdata/fuzz-regressions/TARGET/*`) through
//! exactly the code the fuzzer ran. Each function must never panic, hang or
//! allocate without bound, whatever the input; `Err` and `Ok` are both fine.

use tessera_codec::{ByteOrder, ChunkParams, Compression, Predictor, SampleFormat};
use tessera_tiff::{ByteSource, Limits as TiffLimits, Tag, TiffFile};

use crate::{Dataset, InfoOptions, Limits, ReadRequest, Window};

/// The fuzz targets, by name (the directory names under `testdata/fuzz-regressions`).
pub const TARGETS: &[&str] = &[
    "tiff_ifd",
    "read_window",
    "geokeys",
    "gdal_metadata",
    "codec_deflate",
    "codec_lzw",
    "codec_packbits",
    "codec_zstd",
    "codec_jpeg",
    "codec_webp",
    "write_roundtrip",
];

/// Run one target's body on one input. Unknown target names panic (a test bug).
pub fn run(target: &str, data: &[u8]) {
    match target {
        "tiff_ifd" => tiff_ifd(data),
        "read_window" => read_window(data),
        "geokeys" => geokeys(data),
        "gdal_metadata" => gdal_metadata(data),
        "codec_deflate" => codec(data, Compression::Deflate),
        "codec_lzw" => codec(data, Compression::Lzw),
        "codec_packbits" => codec(data, Compression::PackBits),
        "codec_zstd" => codec(data, Compression::Zstd),
        "codec_jpeg" => codec(data, Compression::Jpeg),
        "codec_webp" => codec(data, Compression::Webp),
        "write_roundtrip" => write_roundtrip(data),
        other => panic!("unknown fuzz target {other}"),
    }
}

/// Header + IFD parsing, then every tag through every getter.
pub fn tiff_ifd(data: &[u8]) {
    let limits = TiffLimits {
        max_tag_bytes: 1 << 20,
        ..TiffLimits::default()
    };
    if let Ok(tiff) = TiffFile::parse(ByteSource::from_vec(data.to_vec()), &limits) {
        for ifd in tiff.all_ifds() {
            for code in ifd.tag_codes() {
                let tag = Tag::from_code(code);
                let _ = ifd.u64s(tag);
                let _ = ifd.u64(tag);
                let _ = ifd.f64s(tag);
                let _ = ifd.ascii(tag);
            }
        }
    }
}

/// Open arbitrary bytes as a GeoTIFF and read everything under small limits.
pub fn read_window(data: &[u8]) {
    let limits = Limits {
        max_chunk_bytes: 1 << 22,
        max_read_bytes: 1 << 24,
        tiff: TiffLimits {
            max_tag_bytes: 1 << 20,
            ..TiffLimits::default()
        },
    };
    let Ok(ds) = Dataset::from_bytes_with_limits("fuzz.tif", data.to_vec(), limits) else {
        return;
    };
    if ds.width().saturating_mul(ds.height()) <= 1 << 20 {
        if ds.band_count() <= 64 {
            let _ = ds.info(InfoOptions {
                stats: true,
                checksum: true,
            });
        } else {
            // Thousands of bands: the JSON report costs more than the reading (seconds
            // under the fuzzer's instrumentation); read everything without it.
            let _ = ds.summarize(crate::ImageSel::Base, true, true);
        }
    }
    // A boundless window across the top-left corner.
    let _ = ds.read(&ReadRequest::window(Window::new(-3, -2, 7, 5)));
}

/// GeoKey directory parsing and CRS building.
pub fn geokeys(data: &[u8]) {
    if data.len() < 2 {
        return;
    }
    let n_dir = usize::from(data[0]) * 2;
    let n_dbl = usize::from(data[1] % 16) * 8;
    let rest = &data[2..];
    let (dir_bytes, rest) = rest.split_at(n_dir.min(rest.len()));
    let (dbl_bytes, ascii) = rest.split_at(n_dbl.min(rest.len()));
    let dir: Vec<u16> = dir_bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let doubles: Vec<f64> = dbl_bytes
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect();
    let ascii = String::from_utf8_lossy(ascii);
    if let Ok(keys) = tessera_geo::GeoKeyDirectory::parse(&dir, &doubles, &ascii) {
        if let Ok(Some(crs)) = tessera_geo::Crs::from_geokeys(&keys) {
            let _ = crs.to_proj_string();
            let _ = crs.to_wkt();
            let _ = crs.epsg();
            let _ = crs.equivalent(&crs);
        }
        let _ = keys.to_tags();
    }
}

/// GDAL_METADATA XML and GDAL_NODATA text; what we write we read back the same.
pub fn gdal_metadata(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(md) = tessera_geo::GdalMetadata::parse(&text) {
        let xml = md.to_xml();
        let again = tessera_geo::GdalMetadata::parse(&xml).expect("own XML parses");
        assert_eq!(again.to_xml(), xml, "GDAL_METADATA round trip");
    }
    let _ = tessera_geo::parse_gdal_nodata(&text);
}

/// One codec through `decode_chunk`, with parameters drawn from the first 4 bytes.
pub fn codec(data: &[u8], compression: Compression) {
    if data.len() < 4 {
        return;
    }
    let (head, body) = data.split_at(4);
    let params = ChunkParams {
        compression,
        predictor: match head[1] / 64 {
            0 | 1 => Predictor::None,
            2 => Predictor::Horizontal,
            _ => Predictor::FloatingPoint,
        },
        byte_order: if head[2] & 1 == 0 {
            ByteOrder::Little
        } else {
            ByteOrder::Big
        },
        width: u32::from(head[2] >> 1) % 64 + 1,
        rows: u32::from(head[3] & 63) + 1,
        samples: u16::from(head[3] >> 6) + 1,
        bits_per_sample: [1u16, 2, 4, 8, 12, 16, 24, 32, 64][usize::from(head[0]) % 9],
        sample_format: match head[1] % 4 {
            0 => SampleFormat::Uint,
            1 => SampleFormat::Int,
            2 => SampleFormat::Float,
            _ => SampleFormat::ComplexInt,
        },
        jpeg_tables: None,
        ycbcr_to_rgb: head[3] & 0x80 != 0,
    };
    if let Ok(out) = tessera_codec::decode_chunk(body, &params) {
        assert_eq!(
            Some(out.len()),
            params.output_len().ok(),
            "decoded length differs from the promised length"
        );
    }
    if compression == Compression::Deflate {
        deflate_encoders_round_trip(body);
    }
    if compression == Compression::Lzw {
        lzw_encoder_round_trip(body);
    }
}

/// tessera's LZW encoder on arbitrary bytes: the stream must decode back to exactly those
/// bytes (its table, leaf flags and bit packer cross every code width and table reset here),
/// and equal the scalar encoder's. (Fuzzing builds cut inputs from 1 KiB on into 16 segments,
/// where CPUs with AVX-512 take the vector encoder; other builds from 512 KiB on.)
fn lzw_encoder_round_trip(data: &[u8]) {
    let packed = tessera_codec::lzw_encode(data);
    let mut back = vec![0u8; data.len()];
    tessera_codec::lzw_decode(&packed, &mut back)
        .unwrap_or_else(|e| panic!("LZW stream does not decode: {e}"));
    assert!(back == data, "LZW stream decodes to other bytes");
    assert!(
        packed == tessera_codec::lzw_encode_portable(data),
        "LZW vector and scalar encoders differ"
    );
}

/// tessera's own Deflate encoders (fast LZ77, Huffman only) on arbitrary bytes: each stream
/// must inflate back to exactly those bytes.
fn deflate_encoders_round_trip(data: &[u8]) {
    use tessera_codec::DeflateStrategy;
    for strategy in [DeflateStrategy::FastLz77, DeflateStrategy::HuffmanOnly] {
        let packed = tessera_codec::deflate_encode_with(data, 6, strategy);
        let mut back = vec![0u8; data.len()];
        tessera_codec::inflate(&packed, &mut back)
            .unwrap_or_else(|e| panic!("{strategy:?} stream does not inflate: {e}"));
        assert!(back == data, "{strategy:?} stream inflates to other bytes");
    }
}

/// Writes a random small raster with random writer options (drawn from the first 8 bytes;
/// the rest, repeated, are the pixels) and reads it back: the pixels must come back
/// identical, byte for byte, and the layout as asked. Every option combination drawn here
/// is valid, so any write or read error is a bug too.
pub fn write_roundtrip(data: &[u8]) {
    use tessera_codec::DataType;
    use tessera_write::{BigTiff, Interleave, PredictorChoice, RasterSpec, WriteOptions};

    if data.len() < 8 {
        return;
    }
    let (head, body) = data.split_at(8);
    let data_type = DataType::ALL[usize::from(head[0]) % DataType::ALL.len()];
    let width = 1 + u32::from(head[1] % 70);
    let height = 1 + u32::from(head[2] % 70);
    let bands = 1 + u16::from(head[3] % 4);
    let compression = [
        Compression::None,
        Compression::Deflate,
        Compression::Lzw,
        Compression::Zstd,
        Compression::PackBits,
    ][usize::from(head[4] % 5)];
    let predicting = matches!(
        compression,
        Compression::Deflate | Compression::Lzw | Compression::Zstd
    );
    let predictor = match head[4] / 5 % 4 {
        1 => PredictorChoice::None,
        2 if predicting && !data_type.is_complex() => PredictorChoice::Horizontal,
        3 if predicting && matches!(data_type, DataType::F32 | DataType::F64) => {
            PredictorChoice::Float
        }
        _ => PredictorChoice::Auto,
    };
    let level = match compression {
        Compression::Deflate => Some(1 + i32::from(head[5] % 9)),
        Compression::Zstd => Some(1 + i32::from(head[5] % 22)),
        _ => None,
    };
    let mut spec = RasterSpec::new(width, height, bands, data_type);
    spec.tile_width = 16 * (1 + u32::from(head[6] % 3));
    spec.tile_height = 16 * (1 + u32::from(head[6] / 3 % 3));
    spec.interleave = if head[6] & 0x80 == 0 {
        Interleave::Pixel
    } else {
        Interleave::Band
    };
    let options = WriteOptions {
        compression,
        level,
        predictor,
        bigtiff: [BigTiff::No, BigTiff::Yes, BigTiff::Auto][usize::from(head[7] % 3)],
        byte_order: if head[7] & 0x80 == 0 {
            tessera_tiff::ByteOrder::Little
        } else {
            tessera_tiff::ByteOrder::Big
        },
    };

    // The source image: band planes, native byte order.
    let sample = data_type.size_bytes();
    let plane_len = width as usize * height as usize * sample;
    let pattern: &[u8] = if body.is_empty() { &[0] } else { body };
    let source: Vec<u8> = pattern
        .iter()
        .copied()
        .cycle()
        .take(plane_len * usize::from(bands))
        .collect();

    let dir = std::env::temp_dir().join(format!("tessera-fuzz-write-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let target = dir.join("out.tif");
    let encoder = tessera_write::TileEncoder::new(&spec, &options).expect("valid options");
    let samples_per_tile = match spec.interleave {
        Interleave::Pixel => usize::from(bands),
        Interleave::Band => 1,
    };
    let tile_pixels = |index: usize| -> Result<Vec<u8>, std::convert::Infallible> {
        let region = encoder.tile_region(index).expect("tile in range");
        let mut tile = vec![0u8; encoder.tile_len()];
        let tile_row_len = spec.tile_width as usize * samples_per_tile * sample;
        for row in 0..region.height as usize {
            for col in 0..region.width as usize {
                let (x, y) = (region.x as usize + col, region.y as usize + row);
                for s in 0..samples_per_tile {
                    let band = match spec.interleave {
                        Interleave::Pixel => s,
                        Interleave::Band => region.plane,
                    };
                    let from = band * plane_len + (y * width as usize + x) * sample;
                    let to = row * tile_row_len + (col * samples_per_tile + s) * sample;
                    tile[to..to + sample].copy_from_slice(&source[from..from + sample]);
                }
            }
        }
        Ok(tile)
    };
    let threads = 1 + usize::from(head[5] & 1);
    tessera_write::write_tiles_parallel(
        &target,
        spec.clone(),
        options,
        threads,
        tile_pixels,
        |_, _| {},
    )
    .expect("the writer accepts a valid raster");

    let ds = Dataset::open(&target).expect("our output opens");
    assert_eq!(
        (ds.width(), ds.height(), ds.band_count(), ds.data_type()),
        (
            u64::from(width),
            u64::from(height),
            usize::from(bands),
            data_type
        )
    );
    let read = ds
        .read(&ReadRequest::window(Window::new(
            0,
            0,
            u64::from(width),
            u64::from(height),
        )))
        .expect("our output reads");
    assert!(read.bytes() == source.as_slice(), "pixels differ");
    let (report, failure) = ds.info(InfoOptions::default());
    assert!(failure.is_none(), "info of our output: {failure:?}");
    let block = serde_json::json!([spec.tile_height, spec.tile_width]);
    assert_eq!(report["block_shapes"][0], block, "block shape");
    drop(ds);
    let _ = std::fs::remove_dir_all(&dir);
}
