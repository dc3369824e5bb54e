//! The `info` report: everything tessera reads from a file, as JSON in the
//! interop schema (field names and meanings of GDAL/rasterio's readings).

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use tessera_codec::{Compression, DataType};
use tessera_geo::{Crs, Georef};
use tessera_tiff::{Ifd, Tag};

use crate::dataset::{Dataset, ImageSel};
use crate::image::{photometric, ImageInfo};
use crate::stats::{hex, BandSummary};

/// What to compute beyond the header.
#[derive(Debug, Clone, Copy, Default)]
pub struct InfoOptions {
    /// Per-band statistics (reads every pixel).
    pub stats: bool,
    /// Per-band sha256 of the pixels, overviews and mask too (reads every pixel).
    pub checksum: bool,
}

/// A number as JSON, with NaN and infinities as the strings "nan", "inf", "-inf".
pub fn num(v: f64) -> Value {
    if v.is_nan() {
        json!("nan")
    } else if v.is_infinite() {
        json!(if v > 0.0 { "inf" } else { "-inf" })
    } else {
        json!(v)
    }
}

/// A sample value as JSON: integers for integer types.
fn sample_value(v: f64, dt: DataType) -> Value {
    if !dt.is_float() && !dt.is_complex() && v.fract() == 0.0 && v.abs() < 9.0e15 {
        json!(v as i64)
    } else {
        num(v)
    }
}

fn opt<T: Into<Value>>(v: Option<T>) -> Value {
    v.map(Into::into).unwrap_or(Value::Null)
}

impl Dataset {
    /// The report. Pixel errors do not fail it: they are recorded in `error` and
    /// `error_stage: "read"` (the Err side is only for the caller's exit code).
    pub fn info(&self, options: InfoOptions) -> (Value, Option<crate::Error>) {
        let mut report = self.header_report();
        let mut failure = None;
        if options.stats || options.checksum {
            match self.pixel_report(options) {
                Ok(pixels) => {
                    for (k, v) in pixels {
                        report.insert(k, v);
                    }
                }
                Err(e) => {
                    report.insert("error".into(), json!(e.to_string()));
                    report.insert("error_stage".into(), json!("read"));
                    report.remove("bands");
                    report.remove("overviews");
                    report.remove("mask");
                    failure = Some(e);
                }
            }
        }
        (Value::Object(report), failure)
    }

    fn header_report(&self) -> Map<String, Value> {
        let img = self.image();
        let md = self.metadata();
        let mut r = Map::new();
        let file_name = self
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.path().display().to_string());
        r.insert("schema_version".into(), json!(1));
        r.insert("file".into(), json!(file_name));
        r.insert("opened".into(), json!(true));
        r.insert("error".into(), Value::Null);
        r.insert("error_stage".into(), Value::Null);
        r.insert("tiff".into(), self.tiff_report());
        r.insert("driver".into(), json!("GTiff"));
        r.insert("width".into(), json!(img.width));
        r.insert("height".into(), json!(img.height));
        r.insert("count".into(), json!(img.samples));
        r.insert("dtype".into(), json!(img.data_type.name()));
        r.insert(
            "image_structure".into(),
            Value::Object(self.image_structure()),
        );
        r.insert("compression".into(), opt(compression_name(img)));
        r.insert("lossy".into(), json!(img.compression.is_lossy()));
        r.insert("interleave".into(), json!(interleave(img)));
        r.insert(
            "layout".into(),
            json!(if img.tiled { "tiled" } else { "striped" }),
        );
        let block = json!([img.layout.block_height, img.layout.block_width]);
        r.insert(
            "block_shapes".into(),
            json!(vec![block.clone(); usize::from(img.samples)]),
        );

        let gcps = match &md.georef {
            Georef::Gcps(points) => Some(points),
            _ => None,
        };
        r.insert(
            "crs".into(),
            if gcps.is_some() {
                Value::Null
            } else {
                crs_json(md.crs.as_ref())
            },
        );
        r.insert("crs_error".into(), opt(md.crs_error.clone()));
        let transform = match &md.georef {
            Georef::Transform(t) => Some(*t),
            _ => None,
        };
        r.insert("georeferenced".into(), json!(transform.is_some()));
        let t = transform.unwrap_or_else(tessera_geo::Affine::identity);
        r.insert(
            "transform".into(),
            json!([t.a, t.b, t.c, t.d, t.e, t.f].map(num)),
        );
        r.insert("geotransform".into(), json!(t.to_gdal().map(num)));
        r.insert(
            "area_or_point".into(),
            opt(md.raster_type.map(|rt| rt.area_or_point())),
        );
        r.insert("tags".into(), pairs(&md.tags));
        r.insert(
            "gcps".into(),
            match gcps {
                Some(points) => json!({
                    "crs": crs_json(md.crs.as_ref()),
                    "points": points
                        .iter()
                        .map(|g| json!([g.row, g.col, g.x, g.y, g.z].map(num)))
                        .collect::<Vec<_>>(),
                }),
                None => Value::Null,
            },
        );
        r.insert(
            "nodata".into(),
            opt(md.nodata().map(|v| sample_value(v, img.data_type))),
        );
        r.insert(
            "overview_factors".into(),
            json!(self
                .overviews()
                .iter()
                .map(|o| overview_factor(img, o))
                .collect::<Vec<_>>()),
        );
        r.insert(
            "overviews".into(),
            json!(self
                .overviews()
                .iter()
                .enumerate()
                .map(|(i, o)| json!({
                    "level": i,
                    "factor": overview_factor(img, o),
                    "width": o.width,
                    "height": o.height,
                    "block_shape": [o.layout.block_height, o.layout.block_width],
                }))
                .collect::<Vec<_>>()),
        );
        r.insert(
            "subdataset_count".into(),
            json!(if self.page_count() > 1 {
                self.page_count()
            } else {
                0
            }),
        );
        r.insert("colormap".into(), colormap_json(md.colormap.as_deref()));
        r.insert("mask".into(), Value::Null);
        r.insert(
            "bands".into(),
            json!(md
                .bands
                .iter()
                .map(|b| {
                    let mut is = Map::new();
                    if let Some(n) = b.nbits {
                        is.insert("NBITS".into(), json!(n.to_string()));
                    }
                    json!({
                        "index": b.index,
                        "dtype": b.data_type.name(),
                        "nodata": opt(b.nodata.map(|v| sample_value(v, b.data_type))),
                        "description": opt(b.description.clone()),
                        "scale": num(b.scale),
                        "offset": num(b.offset),
                        "units": opt(b.units.clone()),
                        "colorinterp": b.colorinterp,
                        "mask_flags": b.mask_flags,
                        "tags": pairs(&b.tags),
                        "image_structure": is,
                        "block_shape": block,
                    })
                })
                .collect::<Vec<_>>()),
        );
        r
    }

    fn pixel_report(&self, options: InfoOptions) -> crate::Result<Map<String, Value>> {
        let mut out = Map::new();
        let summaries = self.summarize(ImageSel::Base, options.stats, options.checksum)?;
        let dt = self.data_type();
        let mut bands = match self.header_report().remove("bands") {
            Some(Value::Array(b)) => b,
            _ => Vec::new(),
        };
        for (band, s) in bands.iter_mut().zip(&summaries) {
            let Value::Object(band) = band else { continue };
            add_summary(band, s, dt);
        }
        out.insert("bands".into(), json!(bands));
        if options.checksum {
            let base = self.image();
            let mut overviews = Vec::new();
            for (i, o) in self.overviews().iter().enumerate() {
                let sums = self.summarize(ImageSel::Overview(i), false, true)?;
                overviews.push(json!({
                    "level": i,
                    "factor": overview_factor(base, o),
                    "width": o.width,
                    "height": o.height,
                    "block_shape": [o.layout.block_height, o.layout.block_width],
                    "sha256": sums.iter().map(|s| s.sha256.clone()).collect::<Vec<_>>(),
                }));
            }
            out.insert("overviews".into(), json!(overviews));
            if self.mask().is_some() {
                let sums = self.summarize(ImageSel::Mask, true, true)?;
                let valid = self.mask_valid_count()?;
                out.insert(
                    "mask".into(),
                    json!({"sha256": sums[0].sha256, "valid_count": valid}),
                );
            }
        }
        Ok(out)
    }

    /// Pixels of the internal mask that are 255 (valid).
    fn mask_valid_count(&self) -> crate::Result<u64> {
        let img = self.select(ImageSel::Mask)?;
        let step = crate::stats::rows_per_pass(img.layout.block_height, img.width, 64 << 20);
        let mut valid = 0u64;
        let mut row = 0;
        while row < img.height {
            let rows = step.min(img.height - row);
            let buf = self.read(&crate::ReadRequest {
                image: ImageSel::Mask,
                window: tessera_grid::Window::new(0, row as i64, img.width, rows),
                bands: Vec::new(),
                fill: None,
                parallel: true,
            })?;
            valid += buf.bytes().iter().filter(|&&v| v == 255).count() as u64;
            row += rows;
        }
        Ok(valid)
    }

    fn image_structure(&self) -> Map<String, Value> {
        let img = self.image();
        let mut is = Map::new();
        if let Some(name) = compression_name(img) {
            is.insert("COMPRESSION".into(), json!(name));
        }
        is.insert("INTERLEAVE".into(), json!(interleave(img)));
        if img.predictor_code != 1 && img.compression != Compression::None {
            is.insert("PREDICTOR".into(), json!(img.predictor_code.to_string()));
        }
        if img.photometric == Some(photometric::YCBCR) && img.compression == Compression::Jpeg {
            is.insert("SOURCE_COLOR_SPACE".into(), json!("YCbCr"));
        }
        if img.photometric == Some(photometric::MIN_IS_WHITE) {
            is.insert("MINISWHITE".into(), json!("YES"));
        }
        if img.compression == Compression::Webp {
            is.insert("COMPRESSION_REVERSIBILITY".into(), json!("LOSSY"));
        }
        if self.has_cog_ghost_header() {
            is.insert("LAYOUT".into(), json!("COG"));
        }
        is
    }

    /// GDAL's COG "ghost area": structural metadata right after the header.
    fn has_cog_ghost_header(&self) -> bool {
        let bytes = self.tiff().source().bytes();
        let start = if self.tiff().is_bigtiff() { 16 } else { 8 };
        let Some(head) = bytes.get(start..(start + 200).min(bytes.len())) else {
            return false;
        };
        let text = String::from_utf8_lossy(head);
        text.starts_with("GDAL_STRUCTURAL_METADATA_SIZE=")
            && text.contains("LAYOUT=IFDS_BEFORE_DATA")
            && !text.contains("KNOWN_INCOMPATIBLE_EDITION=YES")
    }

    fn tiff_report(&self) -> Value {
        let tiff = self.tiff();
        let ifds = tiff.ifds();
        let first = ifds[0];
        let f64s = |tag: Tag| first.f64s(tag).ok().flatten();
        let tiepoint = match f64s(Tag::ModelTiepoint) {
            Some(v) if v.len() / 6 > 64 => json!({"count": v.len() / 6}),
            Some(v) => json!(v.into_iter().map(num).collect::<Vec<_>>()),
            None => Value::Null,
        };
        let md = self.metadata();
        let geokeys = md.geokeys.as_ref().map(|g| {
            json!({
                "version": g.version,
                "keys": g.keys.iter().map(|k| json!({
                    "id": k.id,
                    "name": tessera_geo::geokey_display_name(k.id),
                    "value": geokey_value(&k.value),
                })).collect::<Vec<_>>(),
            })
        });
        json!({
            "byte_order": match tiff.byte_order() {
                tessera_tiff::ByteOrder::Little => "little",
                tessera_tiff::ByteOrder::Big => "big",
            },
            "bigtiff": tiff.is_bigtiff(),
            "ifd_count": ifds.len(),
            "ifds": ifds.iter().map(|ifd| raw_ifd(ifd)).collect::<Vec<_>>(),
            "model_pixel_scale": opt(f64s(Tag::ModelPixelScale).map(|v| v.into_iter().map(num).collect::<Vec<_>>())),
            "model_tiepoint": tiepoint,
            "model_transformation": opt(f64s(Tag::ModelTransformation).map(|v| v.into_iter().map(num).collect::<Vec<_>>())),
            "gdal_nodata": opt(md.nodata_text.clone()),
            "has_gdal_metadata": first.has(Tag::GdalMetadata),
            "geokeys": opt(geokeys),
        })
    }
}

fn add_summary(band: &mut Map<String, Value>, s: &BandSummary, dt: DataType) {
    if let Some(h) = &s.sha256 {
        band.insert("sha256".into(), json!(h));
    }
    if let Some(st) = &s.stats {
        band.insert("valid_count".into(), json!(st.valid_count));
        band.insert("nan_count".into(), json!(st.nan_count));
        band.insert("min".into(), opt(st.min.map(|v| sample_value(v, dt))));
        band.insert("max".into(), opt(st.max.map(|v| sample_value(v, dt))));
        band.insert("mean".into(), opt(st.mean.map(num)));
        band.insert("std".into(), opt(st.std.map(num)));
    }
}

fn geokey_value(v: &tessera_geo::GeoKeyValue) -> Value {
    use tessera_geo::GeoKeyValue as V;
    match v {
        V::Short(s) => json!(s),
        V::Shorts(s) => json!(s),
        V::Double(d) => num(*d),
        V::Doubles(d) => json!(d.iter().map(|&x| num(x)).collect::<Vec<_>>()),
        V::Ascii(s) => json!(s),
    }
}

/// The per-IFD raw structure, read leniently (an IFD tessera cannot decode still reports).
fn raw_ifd(ifd: &Ifd) -> Value {
    let u = |tag: Tag| ifd.u64(tag).ok().flatten();
    let us = |tag: Tag| ifd.u64s(tag).ok().flatten();
    let tiled = ifd.has(Tag::TileWidth) || ifd.has(Tag::TileOffsets);
    let width = u(Tag::ImageWidth).unwrap_or(0);
    let height = u(Tag::ImageLength).unwrap_or(0);
    let (offsets, counts) = if tiled {
        (us(Tag::TileOffsets), us(Tag::TileByteCounts))
    } else {
        (us(Tag::StripOffsets), us(Tag::StripByteCounts))
    };
    let block_count = offsets.as_ref().map(Vec::len).unwrap_or(0);
    let zero_blocks = match (&offsets, &counts) {
        (Some(o), Some(c)) => o.iter().zip(c).filter(|(&o, &c)| o == 0 || c == 0).count(),
        _ => 0,
    };
    let rows_per_strip = if tiled {
        None
    } else {
        Some(u(Tag::RowsPerStrip).unwrap_or(height))
    };
    json!({
        "subfile_type": u(Tag::NewSubfileType).unwrap_or(0),
        "width": width,
        "height": height,
        "samples_per_pixel": u(Tag::SamplesPerPixel).unwrap_or(1),
        "bits_per_sample": us(Tag::BitsPerSample).unwrap_or_else(|| vec![1]),
        "sample_format": opt(us(Tag::SampleFormat)),
        "compression": u(Tag::Compression).unwrap_or(1),
        "photometric": opt(u(Tag::PhotometricInterpretation)),
        "planar_config": u(Tag::PlanarConfiguration).unwrap_or(1),
        "predictor": u(Tag::Predictor).unwrap_or(1),
        "extra_samples": opt(us(Tag::ExtraSamples)),
        "tiled": tiled,
        "tile_width": opt(tiled.then(|| u(Tag::TileWidth)).flatten()),
        "tile_height": opt(tiled.then(|| u(Tag::TileLength)).flatten()),
        "rows_per_strip": opt(rows_per_strip),
        "block_count": block_count,
        "zero_byte_blocks": zero_blocks,
        "has_colormap": ifd.has(Tag::ColorMap),
        "has_jpegtables": ifd.has(Tag::JpegTables),
        "tags": ifd.tag_codes(),
    })
}

fn crs_json(crs: Option<&Crs>) -> Value {
    match crs {
        Some(c) => json!({
            "epsg": opt(c.epsg()),
            "wkt": opt(c.to_wkt()),
            "wkt2": Value::Null,
            "proj4": c.to_proj_string(),
            "is_geographic": c.is_geographic(),
            "is_projected": c.is_projected(),
            "linear_units": c.linear_units(),
        }),
        None => Value::Null,
    }
}

fn colormap_json(map: Option<&[[u8; 4]]>) -> Value {
    let Some(map) = map else {
        return Value::Null;
    };
    // sha256 of the list serialised as Python's json.dumps does.
    let text = format!(
        "[{}]",
        map.iter()
            .map(|[r, g, b, a]| format!("[{r}, {g}, {b}, {a}]"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut v = json!({
        "entries": map.len(),
        "sha256": hex(&Sha256::digest(text.as_bytes())),
    });
    if map.len() <= 256 {
        v["values"] = json!(map);
    }
    v
}

fn pairs(items: &[(String, String)]) -> Value {
    let mut m = Map::new();
    for (k, v) in items {
        m.insert(k.clone(), json!(v));
    }
    Value::Object(m)
}

fn interleave(img: &ImageInfo) -> &'static str {
    if img.planar || img.samples == 1 {
        "BAND"
    } else {
        "PIXEL"
    }
}

fn compression_name(img: &ImageInfo) -> Option<&'static str> {
    if img.compression == Compression::Jpeg && img.photometric == Some(photometric::YCBCR) {
        return Some("YCbCr JPEG");
    }
    img.compression.gdal_name()
}

fn overview_factor(base: &ImageInfo, ov: &ImageInfo) -> u64 {
    (base.width as f64 / ov.width as f64).round() as u64
}
