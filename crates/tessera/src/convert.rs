//! `convert`: rewrite a GeoTIFF as a tiled, compressed GeoTIFF, carrying over
//! everything the reader understood (CRS keys, transform, nodata, GDAL metadata,
//! colour map, colour interpretation), optionally with a band subset and a new
//! data type (converted as `gdal_translate -ot` does: rounded, clamped).
//!
//! Tiles are read (boundless, so edge tiles are padded), converted and encoded on
//! a rayon pool and written in order by `tessera-write`: memory is bounded by the
//! pool size, output bytes do not depend on the thread count.

use std::path::Path;

use tessera_codec::{Compression, DataType};
use tessera_geo::GdalMetadata;
use tessera_tiff::Tag;
use tessera_write::{
    photometric as out_photometric, GeoTags, Interleave, RasterSpec, TileEncoder, TilePixels,
    WriteOptions, WriteSummary,
};

use crate::buffer::RasterBuffer;
use crate::dataset::{Dataset, ImageSel};
use crate::image::photometric;
use crate::read::ReadRequest;
use crate::{Error, Result, Window};

/// How to convert.
#[derive(Debug, Clone)]
pub struct ConvertOptions {
    /// Compression, level, predictor, BigTIFF, byte order.
    pub write: WriteOptions,
    /// Tile width (multiple of 16).
    pub tile_width: u32,
    /// Tile height (multiple of 16).
    pub tile_height: u32,
    /// Band layout of the output.
    pub interleave: Interleave,
    /// 0-based source bands to write, in order; empty = all.
    pub bands: Vec<usize>,
    /// Output data type; `None` keeps the source's.
    pub data_type: Option<DataType>,
    /// Worker threads; 0 = one per core.
    pub threads: usize,
}

impl Default for ConvertOptions {
    fn default() -> Self {
        ConvertOptions {
            write: WriteOptions::compressed(tessera_codec::Compression::Deflate),
            tile_width: 512,
            tile_height: 512,
            interleave: Interleave::Pixel,
            bands: Vec::new(),
            data_type: None,
            threads: 0,
        }
    }
}

/// A validated conversion: the output spec and how to fill it. Building it reads
/// metadata only, so every option error comes before any pixel work.
#[derive(Debug, Clone)]
pub struct ConvertPlan {
    /// What will be written.
    pub spec: RasterSpec,
    /// 0-based source bands, in output order.
    pub bands: Vec<usize>,
    options: ConvertOptions,
}

impl Dataset {
    /// Validate options against this dataset and describe the output.
    pub fn plan_convert(&self, options: &ConvertOptions) -> Result<ConvertPlan> {
        let img = self.image();
        let usage = |what: String| Error::Usage {
            path: self.path().to_path_buf(),
            what,
        };
        let bands: Vec<usize> = if options.bands.is_empty() {
            (0..self.band_count()).collect()
        } else {
            options.bands.clone()
        };
        if let Some(&b) = bands.iter().find(|&&b| b >= self.band_count()) {
            return Err(usage(format!(
                "band {} requested, the file has {} bands",
                b + 1,
                self.band_count()
            )));
        }
        let data_type = options.data_type.unwrap_or(img.data_type);
        if data_type != img.data_type && (data_type.is_complex() || img.data_type.is_complex()) {
            return Err(usage(format!(
                "cannot convert {} to {}",
                img.data_type.name(),
                data_type.name()
            )));
        }
        let (photometric, extra_samples, colormap) = self.output_photometric(&bands, data_type);
        let spec = RasterSpec {
            width: u32::try_from(img.width).map_err(|_| usage("width too large".into()))?,
            height: u32::try_from(img.height).map_err(|_| usage("height too large".into()))?,
            bands: u16::try_from(bands.len()).map_err(|_| usage("too many bands".into()))?,
            data_type,
            tile_width: options.tile_width,
            tile_height: options.tile_height,
            interleave: options.interleave,
            photometric,
            extra_samples,
            colormap,
            geo: self.geo_tags()?,
            gdal_nodata: self.output_nodata(data_type),
            gdal_metadata: self.metadata_for_bands(&bands),
            text_tags: self.text_tags(),
        };
        tessera_write::validate(&spec, &options.write)
            .map_err(|e| Error::write(Path::new("<output>"), e))?;
        Ok(ConvertPlan {
            spec,
            bands,
            options: options.clone(),
        })
    }

    /// Photometric, ExtraSamples and colour map of the output, from the source's.
    fn output_photometric(
        &self,
        bands: &[usize],
        data_type: DataType,
    ) -> (u16, Vec<u16>, Option<Vec<u16>>) {
        let img = self.image();
        let md = self.metadata();
        let is_rgb_source = matches!(
            img.photometric,
            Some(photometric::RGB) | Some(photometric::YCBCR)
        );
        let first_three_rgb = bands.len() >= 3 && bands[..3] == [0, 1, 2];
        let small_int = matches!(data_type, DataType::U8 | DataType::U16);
        // GDAL keeps RGB for any real type (float RGB included).
        let (photometric, color_bands) =
            if is_rgb_source && first_three_rgb && !data_type.is_complex() {
                (out_photometric::RGB, 3)
            } else {
                (out_photometric::MIN_IS_BLACK, 1)
            };
        // Alpha markers follow their band.
        let extra: Vec<u16> = bands
            .iter()
            .skip(color_bands)
            .map(|&b| match md.bands[b].colorinterp.as_str() {
                "alpha" => source_alpha_kind(img, b).unwrap_or(2),
                _ => 0,
            })
            .collect();
        let extra = if extra.iter().all(|&e| e == 0) {
            Vec::new()
        } else {
            extra
        };
        if bands.len() == 1 && small_int {
            if let Some(map) = &md.colormap {
                let entries = 1usize << (data_type.size_bytes() * 8);
                let mut cm = vec![0u16; 3 * entries];
                for (i, [r, g, b, _]) in map.iter().enumerate().take(entries) {
                    cm[i] = u16::from(*r) * 257;
                    cm[entries + i] = u16::from(*g) * 257;
                    cm[2 * entries + i] = u16::from(*b) * 257;
                }
                return (out_photometric::PALETTE, Vec::new(), Some(cm));
            }
        }
        (photometric, extra, None)
    }

    /// The source's georeferencing tags, copied value for value (user-defined CRSs
    /// keep every key).
    fn geo_tags(&self) -> Result<GeoTags> {
        let ifd = self.tiff().ifds()[0];
        let tiff_err = |e| Error::Tiff {
            path: self.path().to_path_buf(),
            source: e,
        };
        let md = self.metadata();
        let (directory, doubles, ascii) = match &md.geokeys {
            Some(keys) => {
                let (d, f, a) = keys.to_tags();
                (
                    Some(d),
                    Some(f).filter(|f| !f.is_empty()),
                    Some(a).filter(|a| !a.is_empty()),
                )
            }
            None => (None, None, None),
        };
        Ok(GeoTags {
            pixel_scale: ifd.f64s(Tag::ModelPixelScale).map_err(tiff_err)?,
            tiepoint: ifd.f64s(Tag::ModelTiepoint).map_err(tiff_err)?,
            transformation: ifd.f64s(Tag::ModelTransformation).map_err(tiff_err)?,
            geokey_directory: directory,
            geo_double_params: doubles,
            geo_ascii_params: ascii,
        })
    }

    /// GDAL_NODATA of the output: the source's text, or, when the type changes, the
    /// value converted like the pixels (gdal_translate clamps an out-of-range nodata).
    fn output_nodata(&self, data_type: DataType) -> Option<String> {
        let text = self.metadata().nodata_text.clone()?;
        if data_type == self.data_type() || data_type.is_float() {
            return Some(text);
        }
        let value = self.metadata().nodata()?;
        if value.is_nan() {
            return None;
        }
        let converted = crate::buffer::encode_sample(data_type, value);
        let as_f64 = match data_type {
            DataType::U8 => f64::from(converted[0]),
            DataType::I8 => f64::from(converted[0] as i8),
            DataType::U16 => f64::from(u16::from_ne_bytes([converted[0], converted[1]])),
            DataType::I16 => f64::from(i16::from_ne_bytes([converted[0], converted[1]])),
            DataType::U32 => f64::from(u32::from_ne_bytes(converted[..4].try_into().ok()?)),
            DataType::I32 => f64::from(i32::from_ne_bytes(converted[..4].try_into().ok()?)),
            DataType::U64 => u64::from_ne_bytes(converted[..8].try_into().ok()?) as f64,
            DataType::I64 => i64::from_ne_bytes(converted[..8].try_into().ok()?) as f64,
            _ => return Some(text),
        };
        Some(format!("{}", as_f64 as i128))
    }

    /// The source's baseline text tags (GDAL's TIFFTAG_* items).
    fn text_tags(&self) -> Vec<(Tag, String)> {
        let ifd = self.tiff().ifds()[0];
        tessera_write::TEXT_TAGS
            .iter()
            .filter_map(|&tag| Some((tag, ifd.ascii(tag).ok()??)))
            .collect()
    }

    /// GDAL_METADATA for the chosen bands (band items renumbered).
    fn metadata_for_bands(&self, bands: &[usize]) -> Option<String> {
        let md = self.metadata().gdal_metadata.as_ref()?;
        let mut out = GdalMetadata {
            dataset: md.dataset.clone(),
            bands: Default::default(),
        };
        for (new, &old) in bands.iter().enumerate() {
            if let Some(b) = md.bands.get(&(old as u32)) {
                out.bands.insert(new as u32, b.clone());
            }
        }
        Some(out.to_xml())
    }

    /// Convert to a tiled GeoTIFF at `target`. `progress(done, total)` is called as
    /// tiles are written.
    pub fn convert(
        &self,
        target: &Path,
        options: &ConvertOptions,
        progress: impl FnMut(usize, usize),
    ) -> Result<WriteSummary> {
        let plan = self.plan_convert(options)?;
        self.run_convert(&plan, target, progress)
    }

    /// Carry out a plan from [`Dataset::plan_convert`].
    pub fn run_convert(
        &self,
        plan: &ConvertPlan,
        target: &Path,
        progress: impl FnMut(usize, usize),
    ) -> Result<WriteSummary> {
        let encoder = TileEncoder::new(&plan.spec, &plan.options.write)
            .map_err(|e| Error::write(target, e))?;
        let produce =
            |index: usize| -> Result<TilePixels> { self.convert_tile(plan, &encoder, index) };
        tessera_write::write_tiles_parallel(
            target,
            plan.spec.clone(),
            plan.options.write,
            plan.options.threads,
            produce,
            progress,
        )
        .map_err(|e| Error::write(target, e))
    }

    /// The source block that holds exactly the pixels of an output tile, in the tile's
    /// layout, when there is one: same tiling, all bands in order, pixel-interleaved (or
    /// one band), same whole-byte sample type, a lossless codec, the tile inside the
    /// raster. Its decoded bytes are then the tile, with no copy into planes and back
    /// (that round trip was ~9 % of `convert` on the reference scene).
    fn same_block(
        &self,
        plan: &ConvertPlan,
        region: &tessera_write::TileRegion,
    ) -> Option<tessera_grid::BlockIndex> {
        let img = self.image();
        let spec = &plan.spec;
        let (bw, bh) = (img.layout.block_width, img.layout.block_height);
        let one_layout = img.samples == 1 || (!img.planar && spec.interleave == Interleave::Pixel);
        let usable = img.tiled
            && u64::from(spec.tile_width) == bw
            && u64::from(spec.tile_height) == bh
            && one_layout
            && plan.bands.iter().copied().eq(0..usize::from(img.samples))
            && spec.data_type == img.data_type
            && usize::from(img.bits_per_sample) == img.data_type.size_bytes() * 8
            && !img.compression.is_lossy()
            && img.photometric != Some(6)
            && region.width == spec.tile_width
            && region.height == spec.tile_height;
        usable.then(|| tessera_grid::BlockIndex {
            col: u64::from(region.x) / bw,
            row: u64::from(region.y) / bh,
        })
    }

    /// Whether a source chunk's decompressed bytes are already what the encoder compresses:
    /// the predictor the decoder would undo is the one the encoder would apply (see
    /// `Compression::takes_predictor`) and the byte order is the same where it
    /// matters (multi-byte samples, not predictor 3's byte planes). Only asked for a
    /// [`Dataset::same_block`] tile, which already has the same layout and sample type.
    fn same_encoding(&self, encoder: &TileEncoder) -> bool {
        let img = self.image();
        let source_predictor = if img.compression.takes_predictor() {
            img.predictor_code
        } else if matches!(img.compression, Compression::None | Compression::PackBits) {
            1
        } else {
            return false;
        };
        let order_free = img.data_type.size_bytes() == 1 || source_predictor == 3;
        source_predictor == encoder.predictor()
            && (order_free || img.byte_order == encoder.byte_order())
    }

    /// The pixels of one output tile: read (boundless), convert, interleave; or a source chunk
    /// as it is when it already is the tile.
    fn convert_tile(
        &self,
        plan: &ConvertPlan,
        encoder: &TileEncoder,
        index: usize,
    ) -> Result<TilePixels> {
        let region = encoder.tile_region(index).ok_or_else(|| Error::Usage {
            path: self.path().to_path_buf(),
            what: format!("tile {index} does not exist"),
        })?;
        let spec = &plan.spec;
        if let Some(block) = self.same_block(plan, &region) {
            if self.same_encoding(encoder) {
                // Transcoding: only the compression changes (no predictor undone and redone).
                if let Some(bytes) = self.decompress_chunk(self.image(), block, 0)? {
                    return Ok(TilePixels::Prepared(bytes));
                }
            } else if let Some(pixels) = self.decode_chunk(self.image(), block, 0)? {
                return Ok(TilePixels::Raw(pixels));
            }
        }
        let window = Window::new(
            i64::from(region.x),
            i64::from(region.y),
            u64::from(spec.tile_width),
            u64::from(spec.tile_height),
        );
        let bands = match spec.interleave {
            Interleave::Pixel => plan.bands.clone(),
            Interleave::Band => vec![plan.bands[region.plane]],
        };
        let buf = self.read(&ReadRequest {
            image: ImageSel::Base,
            window,
            bands,
            fill: None,
            // Tiles already run in parallel.
            parallel: false,
        })?;
        let buf = if buf.data_type() == spec.data_type {
            buf
        } else {
            convert_type(&buf, spec.data_type)
        };
        Ok(TilePixels::Raw(interleave(&buf)))
    }
}

/// ExtraSamples value of a source band (1 associated, 2 unassociated alpha).
fn source_alpha_kind(img: &crate::ImageInfo, band: usize) -> Option<u16> {
    let first_extra = usize::from(img.samples).checked_sub(img.extra_samples.len())?;
    img.extra_samples
        .get(band.checked_sub(first_extra)?)
        .copied()
}

/// Samples of a buffer as f64 (complex: not converted, see `convert_type`).
macro_rules! to_f64_vec {
    ($buf:expr, $band:expr, $($dt:ident => $t:ty),*) => {
        match $buf.data_type() {
            $(DataType::$dt => $buf.band::<$t>($band).iter().map(|&v| v as f64).collect::<Vec<f64>>(),)*
            _ => unreachable!("complex types are never converted"),
        }
    };
}

/// The buffer in another data type, converted as GDAL does (`encode_sample`).
fn convert_type(buf: &RasterBuffer, to: DataType) -> RasterBuffer {
    let mut out = RasterBuffer::zeroed(to, buf.bands(), buf.width(), buf.height());
    let size = to.size_bytes();
    for b in 0..buf.bands() {
        let values = to_f64_vec!(buf, b, U8 => u8, I8 => i8, U16 => u16, I16 => i16, U32 => u32,
            I32 => i32, U64 => u64, I64 => i64, F32 => f32, F64 => f64);
        for (dst, v) in out.band_bytes_mut(b).chunks_exact_mut(size).zip(values) {
            dst.copy_from_slice(&crate::buffer::encode_sample(to, v));
        }
    }
    out
}

/// Band-sequential buffer to pixel-interleaved bytes (a copy when one band).
fn interleave(buf: &RasterBuffer) -> Vec<u8> {
    let bands = buf.bands();
    if bands == 1 {
        return buf.bytes().to_vec();
    }
    let size = buf.data_type().size_bytes();
    let mut out = vec![0u8; buf.bytes().len()];
    for b in 0..bands {
        crate::buffer::interleave_band(&mut out, buf.band_bytes(b), bands, b, size);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleave_puts_bands_side_by_side() {
        let mut b = RasterBuffer::zeroed(DataType::U8, 3, 2, 1);
        b.bytes_mut().copy_from_slice(&[1, 2, 10, 20, 100, 200]);
        assert_eq!(interleave(&b), vec![1, 10, 100, 2, 20, 200]);
    }

    #[test]
    fn convert_type_rounds_and_clamps() {
        let mut b = RasterBuffer::zeroed(DataType::F32, 1, 4, 1);
        b.band_mut::<f32>(0)
            .copy_from_slice(&[-3.0, 2.5, 300.7, f32::NAN]);
        let u = convert_type(&b, DataType::U8);
        assert_eq!(u.band::<u8>(0), &[0, 3, 255, 0]);
        let i = convert_type(&b, DataType::I16);
        assert_eq!(i.band::<i16>(0), &[-3, 3, 301, 0]);
    }
}
