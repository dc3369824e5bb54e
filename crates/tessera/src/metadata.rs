//! GeoTIFF metadata as GDAL reports it: CRS, georeferencing, nodata, per-band
//! information (colour interpretation, mask flags, GDAL_METADATA items) and the
//! TIFFTAG_* dataset items.

use std::path::Path;

use tessera_codec::DataType;
use tessera_geo::{Crs, GdalMetadata, GeoKeyDirectory, Georef, RasterType};
use tessera_tiff::{Ifd, Tag};

use crate::image::{photometric, ImageInfo};
use crate::{Error, Result};

/// One band's metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct BandInfo {
    /// 1-based band number.
    pub index: usize,
    /// Sample type.
    pub data_type: DataType,
    /// Nodata value (rounded to float32 for float32 bands).
    pub nodata: Option<f64>,
    /// Band description.
    pub description: Option<String>,
    /// Units.
    pub units: Option<String>,
    /// Scale (1.0 when unset).
    pub scale: f64,
    /// Offset (0.0 when unset).
    pub offset: f64,
    /// GDAL colour interpretation name, lower case.
    pub colorinterp: String,
    /// GDAL mask flags.
    pub mask_flags: Vec<&'static str>,
    /// Band metadata items (default domain).
    pub tags: Vec<(String, String)>,
    /// NBITS when the stored bit depth is not the presented type's.
    pub nbits: Option<u16>,
}

/// Dataset metadata.
#[derive(Debug, Clone)]
pub struct Metadata {
    /// Parsed GeoKey directory, if any.
    pub geokeys: Option<GeoKeyDirectory>,
    /// The CRS, if the keys define one GDAL accepts.
    pub crs: Option<Crs>,
    /// Why the keys do not give a CRS GDAL accepts.
    pub crs_error: Option<String>,
    /// Transform, GCPs or nothing.
    pub georef: Georef,
    /// PixelIsArea / PixelIsPoint, when the file has GeoKeys.
    pub raster_type: Option<RasterType>,
    /// Dataset items: TIFFTAG_*, GDAL_METADATA default-domain items, AREA_OR_POINT.
    pub tags: Vec<(String, String)>,
    /// The GDAL_NODATA text.
    pub nodata_text: Option<String>,
    /// Per band.
    pub bands: Vec<BandInfo>,
    /// Colour table entries `[r, g, b, a]` (8-bit), if any.
    pub colormap: Option<Vec<[u8; 4]>>,
    /// Parsed GDAL_METADATA.
    pub gdal_metadata: Option<GdalMetadata>,
}

impl Metadata {
    /// Dataset nodata (GDAL's dataset-level value is band 1's).
    pub fn nodata(&self) -> Option<f64> {
        self.bands.first().and_then(|b| b.nodata)
    }

    /// Read from the first IFD.
    pub fn read(path: &Path, ifd: &Ifd, img: &ImageInfo, has_mask: bool) -> Result<Metadata> {
        let tiff_err = |e| Error::Tiff {
            path: path.to_path_buf(),
            source: e,
        };
        let geo_err = |what: String| Error::Format {
            path: path.to_path_buf(),
            ifd: ifd.index,
            what,
        };
        let geokeys = match ifd.u64s(Tag::GeoKeyDirectory).map_err(tiff_err)? {
            Some(dir) => {
                let dir: Vec<u16> = dir.iter().map(|&v| v.min(65535) as u16).collect();
                let doubles = ifd
                    .f64s(Tag::GeoDoubleParams)
                    .map_err(tiff_err)?
                    .unwrap_or_default();
                let ascii = ifd
                    .ascii_all(Tag::GeoAsciiParams)
                    .map_err(tiff_err)?
                    .unwrap_or_default();
                // GDAL opens files with broken key directories without a CRS.
                GeoKeyDirectory::parse(&dir, &doubles, &ascii).ok()
            }
            None => None,
        };
        let (crs, crs_error) = match &geokeys {
            Some(keys) => match Crs::from_geokeys(keys) {
                Ok(c) => (c, None),
                Err(e) => (None, Some(e.to_string())),
            },
            None => (None, None),
        };
        let raster_type = geokeys.as_ref().map(RasterType::from_geokeys);
        let scale = ifd.f64s(Tag::ModelPixelScale).map_err(tiff_err)?;
        let tie = ifd.f64s(Tag::ModelTiepoint).map_err(tiff_err)?;
        let matrix = ifd.f64s(Tag::ModelTransformation).map_err(tiff_err)?;
        let georef = tessera_geo::georef_from_tags(
            scale.as_deref(),
            tie.as_deref(),
            matrix.as_deref(),
            raster_type.unwrap_or(RasterType::PixelIsArea),
        )
        .map_err(|e| geo_err(e.to_string()))?;

        let nodata_text = ifd.ascii(Tag::GdalNodata).map_err(tiff_err)?;
        let nodata = nodata_text
            .as_deref()
            .and_then(tessera_geo::parse_gdal_nodata)
            .map(|v| {
                if img.data_type == DataType::F32 {
                    tessera_geo::round_nodata_for_f32(v)
                } else {
                    v
                }
            });
        let gdal_metadata = match ifd.ascii(Tag::GdalMetadata).map_err(tiff_err)? {
            Some(xml) => GdalMetadata::parse(&xml).ok(),
            None => None,
        };

        let mut tags = tifftag_items(ifd).map_err(tiff_err)?;
        if let Some(md) = &gdal_metadata {
            for item in md.dataset.iter().filter(|i| i.domain.is_empty()) {
                tags.push((item.name.clone(), item.value.clone()));
            }
        }
        if let Some(rt) = raster_type {
            tags.push(("AREA_OR_POINT".into(), rt.area_or_point().into()));
        }
        let colormap = colormap(img, nodata);
        let bands = band_infos(
            img,
            nodata,
            gdal_metadata.as_ref(),
            has_mask,
            colormap.is_some(),
        );
        Ok(Metadata {
            geokeys,
            crs,
            crs_error,
            georef,
            raster_type,
            tags,
            nodata_text,
            bands,
            colormap,
            gdal_metadata,
        })
    }
}

/// TIFFTAG_* items GDAL reports, in GDAL's order.
fn tifftag_items(ifd: &Ifd) -> Result<Vec<(String, String)>, tessera_tiff::TiffError> {
    let mut items = Vec::new();
    let text_tags = [
        (Tag::DocumentName, "TIFFTAG_DOCUMENTNAME"),
        (Tag::ImageDescription, "TIFFTAG_IMAGEDESCRIPTION"),
        (Tag::Software, "TIFFTAG_SOFTWARE"),
        (Tag::DateTime, "TIFFTAG_DATETIME"),
        (Tag::Artist, "TIFFTAG_ARTIST"),
        (Tag::HostComputer, "TIFFTAG_HOSTCOMPUTER"),
        (Tag::Copyright, "TIFFTAG_COPYRIGHT"),
    ];
    for (tag, name) in text_tags {
        // A tag of the wrong type is ignored, as libtiff does.
        if let Ok(Some(text)) = ifd.ascii(tag) {
            items.push((name.to_string(), text));
        }
    }
    for (tag, name) in [
        (Tag::XResolution, "TIFFTAG_XRESOLUTION"),
        (Tag::YResolution, "TIFFTAG_YRESOLUTION"),
    ] {
        if let Ok(Some(v)) = ifd.f64s(tag) {
            if let Some(&v) = v.first() {
                // libtiff hands resolutions out as float; GDAL prints them with %.8g.
                items.push((name.to_string(), format_g(f64::from(v as f32), 8)));
            }
        }
    }
    if let Ok(Some(unit)) = ifd.u64(Tag::ResolutionUnit) {
        let text = match unit {
            1 => "1 (unitless)".to_string(),
            2 => "2 (pixels/inch)".to_string(),
            3 => "3 (pixels/cm)".to_string(),
            other => other.to_string(),
        };
        items.push(("TIFFTAG_RESOLUTIONUNIT".into(), text));
    }
    for (tag, name) in [
        (Tag::MinSampleValue, "TIFFTAG_MINSAMPLEVALUE"),
        (Tag::MaxSampleValue, "TIFFTAG_MAXSAMPLEVALUE"),
    ] {
        if let Ok(Some(v)) = ifd.u64(tag) {
            items.push((name.to_string(), v.to_string()));
        }
    }
    Ok(items)
}

/// C's `%.{precision}g`.
pub fn format_g(value: f64, precision: usize) -> String {
    if value == 0.0 {
        return "0".into();
    }
    if !value.is_finite() {
        return if value.is_nan() {
            "nan".into()
        } else if value > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let p = precision.max(1);
    let exp = value.abs().log10().floor() as i32;
    // Round first: the exponent may change (9.99999999 -> 10).
    let sci = format!("{:.*e}", p - 1, value);
    let (mantissa, e) = sci.split_once('e').unwrap_or((&sci, "0"));
    let e: i32 = e.parse().unwrap_or(exp);
    if e < -4 || e >= p as i32 {
        let m = trim_zeros(mantissa);
        format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
    } else {
        let decimals = (p as i32 - 1 - e).max(0) as usize;
        trim_zeros(&format!("{value:.decimals$}")).to_string()
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// The colour table GDAL builds: the ColorMap for palette images (alpha 0 at the
/// nodata index), or black/white for 1-bit grey images.
fn colormap(img: &ImageInfo, nodata: Option<f64>) -> Option<Vec<[u8; 4]>> {
    let photometric = img.photometric.unwrap_or(photometric::MIN_IS_BLACK);
    if let Some(map) = &img.colormap {
        if img.bits_per_sample > 16 || img.samples != 1 && photometric == photometric::PALETTE {
            return None;
        }
        let n = 1usize << img.bits_per_sample;
        if map.len() < 3 * n {
            return None;
        }
        let (r, g, b) = (&map[..n], &map[n..2 * n], &map[2 * n..3 * n]);
        // 8-bit colour maps written by some tools are not scaled to 16 bits.
        let max = map[..3 * n].iter().copied().max().unwrap_or(0);
        let scale = |v: u16| -> u8 {
            if max < 256 {
                v as u8
            } else {
                (v / 257) as u8
            }
        };
        let nodata_index = nodata
            .filter(|v| v.fract() == 0.0 && *v >= 0.0)
            .map(|v| v as usize);
        return Some(
            (0..n)
                .map(|i| {
                    let alpha = if Some(i) == nodata_index { 0 } else { 255 };
                    [scale(r[i]), scale(g[i]), scale(b[i]), alpha]
                })
                .collect(),
        );
    }
    if img.bits_per_sample == 1
        && img.samples == 1
        && (photometric == photometric::MIN_IS_WHITE || photometric == photometric::MIN_IS_BLACK)
    {
        let (zero, one) = if photometric == photometric::MIN_IS_WHITE {
            ([255, 255, 255, 255], [0, 0, 0, 255])
        } else {
            ([0, 0, 0, 255], [255, 255, 255, 255])
        };
        return Some(vec![zero, one]);
    }
    None
}

fn band_infos(
    img: &ImageInfo,
    nodata: Option<f64>,
    md: Option<&GdalMetadata>,
    has_mask: bool,
    has_colormap: bool,
) -> Vec<BandInfo> {
    let n = usize::from(img.samples);
    let interps = color_interps(img, has_colormap);
    let alpha_band = alpha_band_index(img, &interps);
    let nbits = match (img.data_type, img.bits_per_sample) {
        (DataType::U8 | DataType::I8, 8) => None,
        (DataType::U16 | DataType::I16, 16) => None,
        (DataType::U32 | DataType::I32 | DataType::F32, 32) => None,
        (DataType::U64 | DataType::I64 | DataType::F64, 64) => None,
        (DataType::CI16, 32) | (DataType::CI32 | DataType::CF32, 64) | (DataType::CF64, 128) => {
            None
        }
        (_, bits) => Some(bits),
    };
    (0..n)
        .map(|i| {
            let bm = md.and_then(|m| m.bands.get(&(i as u32)));
            let colorinterp = bm
                .and_then(|b| b.colorinterp.clone())
                .map(|c| c.to_lowercase())
                .unwrap_or_else(|| interps[i].to_string());
            let mask_flags = if has_mask {
                vec!["per_dataset"]
            } else if nodata.is_some() {
                vec!["nodata"]
            } else if let Some(a) = alpha_band {
                if a == i {
                    vec!["all_valid"]
                } else {
                    vec!["alpha", "per_dataset"]
                }
            } else {
                vec!["all_valid"]
            };
            BandInfo {
                index: i + 1,
                data_type: img.data_type,
                nodata,
                description: bm.and_then(|b| b.description.clone()),
                units: bm.and_then(|b| b.units.clone()),
                scale: bm.and_then(|b| b.scale).unwrap_or(1.0),
                offset: bm.and_then(|b| b.offset).unwrap_or(0.0),
                colorinterp,
                mask_flags,
                tags: bm
                    .map(|b| {
                        b.items
                            .iter()
                            .filter(|it| it.domain.is_empty())
                            .map(|it| (it.name.clone(), it.value.clone()))
                            .collect()
                    })
                    .unwrap_or_default(),
                nbits,
            }
        })
        .collect()
}

/// GDAL's colour interpretation of each band from Photometric and ExtraSamples.
fn color_interps(img: &ImageInfo, has_colormap: bool) -> Vec<&'static str> {
    let n = usize::from(img.samples);
    let photometric = img.photometric;
    let extra_start = n.saturating_sub(img.extra_samples.len());
    (0..n)
        .map(|i| {
            if i >= extra_start {
                let kind = img.extra_samples[i - extra_start];
                if kind == 1 || kind == 2 {
                    return "alpha";
                }
            }
            match photometric {
                Some(photometric::RGB) | Some(photometric::YCBCR) if i < 3 => {
                    ["red", "green", "blue"][i]
                }
                Some(photometric::SEPARATED) if i < 4 => ["cyan", "magenta", "yellow", "black"][i],
                Some(photometric::PALETTE) if i == 0 && has_colormap => "palette",
                Some(photometric::MIN_IS_BLACK) | Some(photometric::MIN_IS_WHITE) | None
                    if i == 0 =>
                {
                    if has_colormap {
                        "palette"
                    } else {
                        "gray"
                    }
                }
                _ => "undefined",
            }
        })
        .collect()
}

/// The band GDAL uses as the dataset's alpha mask: the last of 2 or 4 bands when it is alpha.
fn alpha_band_index(img: &ImageInfo, interps: &[&str]) -> Option<usize> {
    let n = usize::from(img.samples);
    (n == 2 || n == 4)
        .then_some(n - 1)
        .filter(|&i| interps[i] == "alpha")
}

#[cfg(test)]
mod tests {
    use super::format_g;

    #[test]
    fn format_g_matches_c() {
        assert_eq!(format_g(72.0, 8), "72");
        assert_eq!(format_g(f64::from(118.1102f32), 8), "118.1102");
        assert_eq!(format_g(0.0001234, 8), "0.0001234");
        assert_eq!(format_g(1.0e-5, 8), "1e-05");
        assert_eq!(format_g(123456789.0, 8), "1.2345679e+08");
        assert_eq!(format_g(0.5, 3), "0.5");
    }
}
