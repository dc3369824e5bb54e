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
}
