//! What to write: the raster description ([`RasterSpec`]), the encoding options
//! ([`WriteOptions`]) and their validation into a resolved [`Layout`].

use crate::WriteError;
use tessera_codec::{Compression, DataType};
use tessera_tiff::{ByteOrder, Tag};

/// Values of the PhotometricInterpretation tag (262) this writer accepts.
pub mod photometric {
    /// 0: grey, 0 is white.
    pub const MIN_IS_WHITE: u16 = 0;
    /// 1: grey (or any data), 0 is black. The default.
    pub const MIN_IS_BLACK: u16 = 1;
    /// 2: RGB, the first three bands.
    pub const RGB: u16 = 2;
    /// 3: palette colour, one band, needs a colour map.
    pub const PALETTE: u16 = 3;
    /// 5: separated (CMYK), the first four bands.
    pub const SEPARATED: u16 = 5;
}

/// How bands are laid out in tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Interleave {
    /// PlanarConfiguration = 1: each tile holds all bands, pixel-interleaved ("chunky").
    #[default]
    Pixel,
    /// PlanarConfiguration = 2: each tile holds one band; all tiles of band 0 come first.
    Band,
}

/// GeoTIFF tags, already serialised (e.g. by `tessera-geo`). Every field is optional; unset
/// fields are not written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GeoTags {
    /// ModelPixelScaleTag (33550): 3 doubles.
    pub pixel_scale: Option<Vec<f64>>,
    /// ModelTiepointTag (33922): a multiple of 6 doubles.
    pub tiepoint: Option<Vec<f64>>,
    /// ModelTransformationTag (34264): 16 doubles. Not together with `pixel_scale`.
    pub transformation: Option<Vec<f64>>,
    /// GeoKeyDirectoryTag (34735): `4 + 4 * n` shorts.
    pub geokey_directory: Option<Vec<u16>>,
    /// GeoDoubleParamsTag (34736). Needs `geokey_directory`; not written when empty.
    pub geo_double_params: Option<Vec<f64>>,
    /// GeoAsciiParamsTag (34737), usually `|`-terminated strings; the NUL is added. Needs
    /// `geokey_directory`; not written when empty.
    pub geo_ascii_params: Option<String>,
}

/// The raster to write.
#[derive(Debug, Clone, PartialEq)]
pub struct RasterSpec {
    /// Width in pixels (> 0).
    pub width: u32,
    /// Height in pixels (> 0).
    pub height: u32,
    /// Number of bands (> 0).
    pub bands: u16,
    /// Sample type of every band.
    pub data_type: DataType,
    /// Tile width: a positive multiple of 16 (TIFF requires it).
    pub tile_width: u32,
    /// Tile height: a positive multiple of 16. Need not equal the width.
    pub tile_height: u32,
    /// Band layout.
    pub interleave: Interleave,
    /// PhotometricInterpretation, see [`photometric`].
    pub photometric: u16,
    /// ExtraSamples values (0 unspecified, 1 associated alpha, 2 unassociated alpha) for the bands
    /// beyond those the photometric interpretation uses (1 for grey and palette, 3 for RGB, 4 for
    /// CMYK). Empty means "all unspecified" (what GDAL writes).
    pub extra_samples: Vec<u16>,
    /// ColorMap (320) for [`photometric::PALETTE`]: `3 * 2^bits` values, all reds, then greens,
    /// then blues.
    pub colormap: Option<Vec<u16>>,
    /// Georeferencing tags.
    pub geo: GeoTags,
    /// Text of the GDAL_NODATA tag (42113), e.g. `"-9999"` or `"nan"`.
    pub gdal_nodata: Option<String>,
    /// Text of the GDAL_METADATA tag (42112): GDAL's `<GDALMetadata>` XML.
    pub gdal_metadata: Option<String>,
    /// Baseline text tags GDAL shows as `TIFFTAG_*` items: one of [`TEXT_TAGS`] each.
    pub text_tags: Vec<(Tag, String)>,
}

/// The ASCII tags a [`RasterSpec`] may carry in `text_tags` (GDAL's TIFFTAG_* items).
pub const TEXT_TAGS: [Tag; 7] = [
    Tag::DocumentName,
    Tag::ImageDescription,
    Tag::Software,
    Tag::DateTime,
    Tag::Artist,
    Tag::HostComputer,
    Tag::Copyright,
];

impl RasterSpec {
    /// A spec with 256x256 pixel-interleaved tiles, MinIsBlack, no georeferencing.
    pub fn new(width: u32, height: u32, bands: u16, data_type: DataType) -> Self {
        RasterSpec {
            width,
            height,
            bands,
            data_type,
            tile_width: 256,
            tile_height: 256,
            interleave: Interleave::Pixel,
            photometric: photometric::MIN_IS_BLACK,
            extra_samples: Vec::new(),
            colormap: None,
            geo: GeoTags::default(),
            gdal_nodata: None,
            gdal_metadata: None,
            text_tags: Vec::new(),
        }
    }
}

/// Predictor selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PredictorChoice {
    /// Predictor 1.
    None,
    /// Predictor 2 (horizontal differencing). Allowed on every non-complex type, floats
    /// included (GDAL accepts and reads that), with LZW, Deflate or Zstd.
    Horizontal,
    /// Predictor 3 (floating point). Float32 and Float64 only, with LZW, Deflate or Zstd.
    Float,
    /// 2 for integers, 3 for Float32/Float64 when compressing with LZW, Deflate or Zstd;
    /// none otherwise (no compression, PackBits, complex types).
    #[default]
    Auto,
}

/// Classic TIFF or BigTIFF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BigTiff {
    /// Always BigTIFF.
    Yes,
    /// Always classic TIFF (writing fails with [`WriteError::ClassicTooLarge`] past 4 GiB).
    No,
    /// Like GDAL's `BIGTIFF=IF_SAFER`: BigTIFF when the file might pass ~4.2 GB, judged from the
    /// padded uncompressed size times the codec's worst-case expansion (1.5 for LZW, about 1.01
    /// for the others) plus the directory.
    #[default]
    Auto,
}

/// How to encode the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WriteOptions {
    /// `None`, `Deflate` (tag value 8), `Lzw`, `Zstd` or `PackBits`.
    pub compression: Compression,
    /// Deflate 1..=9 (default 6), Zstd 1..=22 (default 9); must be `None` for other codecs.
    pub level: Option<i32>,
    /// Predictor.
    pub predictor: PredictorChoice,
    /// Classic or BigTIFF.
    pub bigtiff: BigTiff,
    /// Byte order of the file (little-endian by default, as GDAL writes).
    pub byte_order: ByteOrder,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            compression: Compression::None,
            level: None,
            predictor: PredictorChoice::Auto,
            bigtiff: BigTiff::Auto,
            byte_order: ByteOrder::Little,
        }
    }
}

impl WriteOptions {
    /// Options with this compression and defaults for everything else.
    pub fn compressed(compression: Compression) -> Self {
        WriteOptions {
            compression,
            ..Default::default()
        }
    }
}

/// Everything derived from a valid (spec, options) pair.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Layout {
    pub spec: RasterSpec,
    pub compression: Compression,
    pub level: i32,
    /// 1, 2 or 3.
    pub predictor: u16,
    pub bigtiff: bool,
    pub byte_order: ByteOrder,
    pub extra_samples: Vec<u16>,
    pub tiles_across: usize,
    pub tiles_down: usize,
    pub planes: usize,
    /// Samples per pixel in one tile.
    pub chunk_samples: usize,
    /// Raw bytes of one full tile.
    pub tile_bytes: usize,
}

impl Layout {
    pub fn tiles_per_plane(&self) -> usize {
        self.tiles_across * self.tiles_down
    }

    pub fn tile_count(&self) -> usize {
        self.tiles_per_plane() * self.planes
    }

    pub fn row_bytes(&self) -> usize {
        self.spec.tile_width as usize * self.chunk_samples * self.spec.data_type.size_bytes()
    }
}

fn base_samples(photometric: u16) -> Option<u16> {
    match photometric {
        0 | 1 | 3 => Some(1),
        2 => Some(3),
        5 => Some(4),
        _ => None,
    }
}

/// Check a spec and options and resolve defaults. Called by [`crate::TileEncoder::new`] and
/// [`crate::TiledWriter::create`] before any work.
pub fn validate(spec: &RasterSpec, options: &WriteOptions) -> Result<(), WriteError> {
    Layout::new(spec, options).map(|_| ())
}

impl Layout {
    pub fn new(spec: &RasterSpec, options: &WriteOptions) -> Result<Layout, WriteError> {
        let usage = |m: String| Err(WriteError::Usage(m));
        if spec.width == 0 || spec.height == 0 {
            return usage(format!(
                "raster size {}x{} must be positive",
                spec.width, spec.height
            ));
        }
        if spec.bands == 0 {
            return usage("a raster needs at least one band".into());
        }
        for (what, v) in [
            ("tile width", spec.tile_width),
            ("tile height", spec.tile_height),
        ] {
            if v == 0 || v % 16 != 0 {
                return usage(format!("{what} {v} must be a positive multiple of 16"));
            }
        }
        let dt = spec.data_type;

        // Compression and level.
        let compression = match options.compression {
            Compression::AdobeDeflate => Compression::Deflate,
            c @ (Compression::None
            | Compression::Lzw
            | Compression::Deflate
            | Compression::Zstd
            | Compression::PackBits) => c,
            other => return usage(format!("{} is not supported for writing", other.describe())),
        };
        let level = match (compression, options.level) {
            (Compression::Deflate, None) => 6,
            (Compression::Deflate, Some(l @ 1..=9)) => l,
            (Compression::Zstd, None) => 9,
            (Compression::Zstd, Some(l @ 1..=22)) => l,
            (_, None) => 0,
            (Compression::Deflate, Some(l)) => {
                return usage(format!("deflate level {l} is outside 1..=9"))
            }
            (Compression::Zstd, Some(l)) => {
                return usage(format!("zstd level {l} is outside 1..=22"))
            }
            (c, Some(l)) => return usage(format!("{} takes no level (got {l})", c.describe())),
        };

        // Predictor.
        let predicting = compression.takes_predictor();
        let predictor = match options.predictor {
            PredictorChoice::None => 1,
            PredictorChoice::Auto => {
                if !predicting || dt.is_complex() {
                    1
                } else if dt.is_float() {
                    3
                } else {
                    2
                }
            }
            p @ (PredictorChoice::Horizontal | PredictorChoice::Float) => {
                if !predicting {
                    return usage(format!(
                        "a predictor needs LZW, Deflate or Zstd compression, not {}",
                        compression.describe()
                    ));
                }
                if dt.is_complex() {
                    return usage(format!("no predictor is supported for {}", dt.name()));
                }
                if p == PredictorChoice::Float {
                    if !matches!(dt, DataType::F32 | DataType::F64) {
                        return usage(format!(
                            "the floating point predictor (3) needs float32 or float64 data, not {}",
                            dt.name()
                        ));
                    }
                    3
                } else {
                    2
                }
            }
        };

        // Photometric, extra samples, colour map.
        let Some(base) = base_samples(spec.photometric) else {
            return usage(format!(
                "photometric interpretation {} is not supported for writing",
                spec.photometric
            ));
        };
        if spec.bands < base {
            return usage(format!(
                "photometric interpretation {} needs at least {base} bands, got {}",
                spec.photometric, spec.bands
            ));
        }
        let n_extra = (spec.bands - base) as usize;
        let extra_samples = if spec.extra_samples.is_empty() {
            vec![0; n_extra]
        } else if spec.extra_samples.len() != n_extra {
            return usage(format!(
                "{} extra sample values given for {n_extra} extra bands",
                spec.extra_samples.len()
            ));
        } else if let Some(v) = spec.extra_samples.iter().find(|&&v| v > 2) {
            return usage(format!("invalid ExtraSamples value {v} (0, 1 or 2)"));
        } else {
            spec.extra_samples.clone()
        };
        match (&spec.colormap, spec.photometric) {
            (Some(map), photometric::PALETTE) => {
                if spec.bands != 1 || !matches!(dt, DataType::U8 | DataType::U16) {
                    return usage(
                        "a palette image needs exactly one uint8 or uint16 band".to_string(),
                    );
                }
                let want = 3usize << (8 * dt.size_bytes());
                if map.len() != want {
                    return usage(format!(
                        "the colour map has {} entries, {} needs {want}",
                        map.len(),
                        dt.name()
                    ));
                }
            }
            (None, photometric::PALETTE) => {
                return usage("photometric PALETTE needs a colour map".to_string())
            }
            (Some(_), p) => {
                return usage(format!(
                    "a colour map needs photometric PALETTE (3), not {p}"
                ))
            }
            (None, _) => {}
        }

        // Geo tags.
        let g = &spec.geo;
        if let Some(v) = &g.pixel_scale {
            if v.len() != 3 {
                return usage(format!("ModelPixelScale needs 3 values, got {}", v.len()));
            }
        }
        if let Some(v) = &g.tiepoint {
            if v.is_empty() || v.len() % 6 != 0 {
                return usage(format!(
                    "ModelTiepoint needs a positive multiple of 6 values, got {}",
                    v.len()
                ));
            }
        }
        if let Some(v) = &g.transformation {
            if v.len() != 16 {
                return usage(format!(
                    "ModelTransformation needs 16 values, got {}",
                    v.len()
                ));
            }
            if g.pixel_scale.is_some() {
                return usage("ModelTransformation and ModelPixelScale are exclusive".into());
            }
        }
        match &g.geokey_directory {
            Some(d) => {
                if d.len() < 4 || d.len() != 4 + 4 * d[3] as usize {
                    return usage(format!(
                        "GeoKeyDirectory of {} values is malformed (4 + 4 * keys expected)",
                        d.len()
                    ));
                }
            }
            None => {
                if g.geo_double_params.is_some() || g.geo_ascii_params.is_some() {
                    return usage("GeoDoubleParams/GeoAsciiParams need a GeoKeyDirectory".into());
                }
            }
        }
        for (tag, text) in &spec.text_tags {
            if !TEXT_TAGS.contains(tag) {
                return usage(format!("{} is not a text tag a spec may set", tag.name()));
            }
            if text.trim_end_matches('\0').contains('\0') {
                return usage(format!("{} text contains a NUL character", tag.name()));
            }
        }
        for (what, s) in [
            ("GeoAsciiParams", &g.geo_ascii_params),
            ("GDAL_NODATA", &spec.gdal_nodata),
            ("GDAL_METADATA", &spec.gdal_metadata),
        ] {
            if let Some(s) = s {
                if s.trim_end_matches('\0').contains('\0') {
                    return usage(format!("{what} text contains a NUL character"));
                }
            }
        }

        // Sizes.
        let (planes, chunk_samples) = match spec.interleave {
            Interleave::Pixel => (1usize, spec.bands as usize),
            Interleave::Band => (spec.bands as usize, 1usize),
        };
        let tiles_across = spec.width.div_ceil(spec.tile_width) as usize;
        let tiles_down = spec.height.div_ceil(spec.tile_height) as usize;
        let tile_bytes = (spec.tile_width as u64)
            .checked_mul(spec.tile_height as u64)
            .and_then(|v| v.checked_mul(chunk_samples as u64))
            .and_then(|v| v.checked_mul(dt.size_bytes() as u64))
            .filter(|&v| v <= tessera_codec::MAX_CHUNK_BYTES as u64 && v <= usize::MAX as u64)
            .ok_or_else(|| WriteError::usage("tile too large"))? as usize;
        let tile_count = (tiles_across as u64) * (tiles_down as u64) * (planes as u64);
        if tile_count > u32::MAX as u64 {
            return usage(format!("{tile_count} tiles are more than TIFF can index"));
        }

        let bigtiff = match options.bigtiff {
            BigTiff::Yes => true,
            BigTiff::No => false,
            BigTiff::Auto => {
                let raw = tile_count as f64 * tile_bytes as f64;
                let factor = match compression {
                    Compression::None => 1.0,
                    Compression::Lzw => 1.5,
                    _ => 1.01,
                };
                let meta = (spec.gdal_metadata.as_ref().map_or(0, |s| s.len())
                    + g.geo_ascii_params.as_ref().map_or(0, |s| s.len())
                    + (1 << 16)) as f64;
                raw * factor + tile_count as f64 * (16.0 + 64.0) + meta > 4.2e9
            }
        };

        Ok(Layout {
            spec: spec.clone(),
            compression,
            level,
            predictor,
            bigtiff,
            byte_order: options.byte_order,
            extra_samples,
            tiles_across,
            tiles_down,
            planes,
            chunk_samples,
            tile_bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(spec: &RasterSpec, o: &WriteOptions) -> String {
        match Layout::new(spec, o) {
            Err(WriteError::Usage(m)) => m,
            other => panic!("expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn defaults_and_auto_predictor() {
        let s = RasterSpec::new(100, 50, 3, DataType::U16);
        let l = Layout::new(&s, &WriteOptions::compressed(Compression::Deflate)).unwrap();
        assert_eq!((l.predictor, l.level, l.bigtiff), (2, 6, false));
        assert_eq!((l.tiles_across, l.tiles_down, l.planes), (1, 1, 1));
        assert_eq!(l.extra_samples, vec![0, 0]);
        assert_eq!(l.tile_bytes, 256 * 256 * 3 * 2);
        let s = RasterSpec::new(100, 50, 1, DataType::F32);
        let l = Layout::new(&s, &WriteOptions::compressed(Compression::Lzw)).unwrap();
        assert_eq!(l.predictor, 3);
        let l = Layout::new(&s, &WriteOptions::compressed(Compression::PackBits)).unwrap();
        assert_eq!(l.predictor, 1);
        let l = Layout::new(&s, &WriteOptions::default()).unwrap();
        assert_eq!(l.predictor, 1);
    }

    #[test]
    fn rejects_bad_specs() {
        let mut s = RasterSpec::new(100, 50, 1, DataType::I16);
        s.tile_width = 100;
        assert!(err(&s, &WriteOptions::default()).contains("multiple of 16"));
        let s = RasterSpec::new(0, 50, 1, DataType::I16);
        assert!(err(&s, &WriteOptions::default()).contains("positive"));
        let s = RasterSpec::new(10, 50, 1, DataType::I16);
        let o = WriteOptions {
            predictor: PredictorChoice::Float,
            ..WriteOptions::compressed(Compression::Deflate)
        };
        assert!(err(&s, &o).contains("float32 or float64"));
        let o = WriteOptions {
            predictor: PredictorChoice::Horizontal,
            ..WriteOptions::default()
        };
        assert!(err(&s, &o).contains("needs LZW"));
        let o = WriteOptions {
            level: Some(10),
            ..WriteOptions::compressed(Compression::Deflate)
        };
        assert!(err(&s, &o).contains("outside"));
        let o = WriteOptions {
            level: Some(1),
            ..WriteOptions::compressed(Compression::Lzw)
        };
        assert!(err(&s, &o).contains("takes no level"));
        let o = WriteOptions::compressed(Compression::Jpeg);
        assert!(err(&s, &o).contains("not supported"));
        let mut s = RasterSpec::new(10, 10, 2, DataType::U8);
        s.photometric = photometric::RGB;
        assert!(err(&s, &WriteOptions::default()).contains("at least 3"));
        let mut s = RasterSpec::new(10, 10, 1, DataType::U8);
        s.photometric = photometric::PALETTE;
        assert!(err(&s, &WriteOptions::default()).contains("colour map"));
        s.colormap = Some(vec![0; 10]);
        assert!(err(&s, &WriteOptions::default()).contains("768"));
        let mut s = RasterSpec::new(10, 10, 1, DataType::U8);
        s.geo.geokey_directory = Some(vec![1, 1, 0, 1, 1024, 0, 1]);
        assert!(err(&s, &WriteOptions::default()).contains("GeoKeyDirectory"));
    }

    #[test]
    fn float_predictor_2_allowed() {
        let s = RasterSpec::new(10, 10, 1, DataType::F64);
        let o = WriteOptions {
            predictor: PredictorChoice::Horizontal,
            ..WriteOptions::compressed(Compression::Zstd)
        };
        assert_eq!(Layout::new(&s, &o).unwrap().predictor, 2);
    }

    #[test]
    fn bigtiff_auto() {
        let s = RasterSpec::new(40_000, 40_000, 1, DataType::U16); // 3.2 GB
        assert!(!Layout::new(&s, &WriteOptions::default()).unwrap().bigtiff);
        let lzw = WriteOptions::compressed(Compression::Lzw);
        assert!(Layout::new(&s, &lzw).unwrap().bigtiff);
        let s = RasterSpec::new(50_000, 50_000, 1, DataType::U16); // 5 GB
        assert!(Layout::new(&s, &WriteOptions::default()).unwrap().bigtiff);
        let no = WriteOptions {
            bigtiff: BigTiff::No,
            ..Default::default()
        };
        assert!(!Layout::new(&s, &no).unwrap().bigtiff);
    }
}
