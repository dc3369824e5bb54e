//! The raster structure of one IFD: size, samples, data type, compression and
//! chunk layout, validated once so that reads never re-check tags.

use std::path::Path;

use tessera_codec::{ChunkParams, Compression, DataType, Predictor, SampleFormat};
use tessera_grid::{BlockIndex, BlockLayout};
use tessera_tiff::{ByteOrder, Ifd, Tag, TiffError};

use crate::{Error, Result};

/// TIFF Photometric values tessera distinguishes.
pub mod photometric {
    /// 0: 0 is white.
    pub const MIN_IS_WHITE: u16 = 0;
    /// 1: 0 is black.
    pub const MIN_IS_BLACK: u16 = 1;
    /// 2: RGB.
    pub const RGB: u16 = 2;
    /// 3: palette (ColorMap).
    pub const PALETTE: u16 = 3;
    /// 4: transparency mask.
    pub const MASK: u16 = 4;
    /// 5: CMYK.
    pub const SEPARATED: u16 = 5;
    /// 6: YCbCr.
    pub const YCBCR: u16 = 6;
}

/// The structure of one image (IFD), everything needed to read its pixels.
#[derive(Debug, Clone)]
pub struct ImageInfo {
    /// Index of the IFD in walk order.
    pub ifd_index: usize,
    /// NewSubfileType (0 when absent).
    pub subfile_type: u64,
    /// Width in pixels.
    pub width: u64,
    /// Height in pixels.
    pub height: u64,
    /// Samples per pixel (= bands).
    pub samples: u16,
    /// BitsPerSample (same for every sample).
    pub bits_per_sample: u16,
    /// BitsPerSample as stored, one per sample.
    pub bits_per_sample_all: Vec<u16>,
    /// SampleFormat as stored, one per sample.
    pub sample_format_all: Vec<u16>,
    /// SampleFormat of the samples.
    pub sample_format: SampleFormat,
    /// Data type the samples are presented as.
    pub data_type: DataType,
    /// Compression.
    pub compression: Compression,
    /// Predictor tag value (1 when absent).
    pub predictor_code: u16,
    /// Photometric interpretation, if given.
    pub photometric: Option<u16>,
    /// PlanarConfiguration: false = chunky (PIXEL), true = planar (BAND).
    pub planar: bool,
    /// True for tiles, false for strips.
    pub tiled: bool,
    /// RowsPerStrip as stored (strips only).
    pub rows_per_strip: Option<u64>,
    /// Block layout (strips: image-wide blocks of RowsPerStrip rows).
    pub layout: BlockLayout,
    /// Offsets of every chunk.
    pub offsets: Vec<u64>,
    /// Byte counts of every chunk.
    pub byte_counts: Vec<u64>,
    /// JPEGTables, if any.
    pub jpeg_tables: Option<Vec<u8>>,
    /// ExtraSamples values.
    pub extra_samples: Vec<u16>,
    /// ColorMap (3 x 2^bits values), if any.
    pub colormap: Option<Vec<u16>>,
    /// Byte order of the file.
    pub byte_order: ByteOrder,
}

fn tiff_err(path: &Path, e: TiffError) -> Error {
    Error::Tiff {
        path: path.to_path_buf(),
        source: e,
    }
}

impl ImageInfo {
    /// Read and validate an IFD's structure. `max_chunk_bytes` bounds one decoded chunk.
    pub fn from_ifd(path: &Path, ifd: &Ifd, max_chunk_bytes: u64) -> Result<ImageInfo> {
        let fmt = |what: String| Error::Format {
            path: path.to_path_buf(),
            ifd: ifd.index,
            what,
        };
        let unsupported = |what: String| Error::Unsupported {
            path: path.to_path_buf(),
            ifd: ifd.index,
            what,
        };
        let get = |tag: Tag| ifd.u64(tag).map_err(|e| tiff_err(path, e));
        let width = get(Tag::ImageWidth)?.ok_or_else(|| fmt("ImageWidth is missing".into()))?;
        let height = get(Tag::ImageLength)?.ok_or_else(|| fmt("ImageLength is missing".into()))?;
        if width == 0 || height == 0 {
            return Err(fmt(format!("image size {width}x{height} is empty")));
        }
        if width > 1 << 31 || height > 1 << 31 {
            return Err(Error::LimitsExceeded {
                path: path.to_path_buf(),
                what: format!("IFD {}: image size {width}x{height}", ifd.index),
            });
        }
        let samples = get(Tag::SamplesPerPixel)?.unwrap_or(1);
        if samples == 0 || samples > 65535 {
            return Err(fmt(format!("SamplesPerPixel is {samples}")));
        }
        let samples = samples as u16;
        let per_sample = |tag: Tag, default: u16| -> Result<Vec<u16>> {
            let values = ifd
                .u64s(tag)
                .map_err(|e| tiff_err(path, e))?
                .unwrap_or_else(|| vec![u64::from(default)]);
            if values.is_empty() {
                return Err(fmt(format!("{} has no values", tag.name())));
            }
            Ok(values.iter().map(|&v| v.min(65535) as u16).collect())
        };
        let bits_all = per_sample(Tag::BitsPerSample, 1)?;
        let formats_all = per_sample(Tag::SampleFormat, 1)?;
        let bits = bits_all[0];
        if bits_all.iter().any(|&b| b != bits) {
            return Err(unsupported(format!(
                "different BitsPerSample per sample: {bits_all:?}"
            )));
        }
        let format_code = formats_all[0];
        if formats_all.iter().any(|&f| f != format_code) {
            return Err(unsupported(format!(
                "different SampleFormat per sample: {formats_all:?}"
            )));
        }
        let sample_format = match format_code {
            1 | 4 => SampleFormat::Uint,
            2 => SampleFormat::Int,
            3 => SampleFormat::Float,
            5 => SampleFormat::ComplexInt,
            6 => SampleFormat::ComplexFloat,
            other => return Err(unsupported(format!("SampleFormat {other}"))),
        };
        let compression = Compression::from_code(get(Tag::Compression)?.unwrap_or(1) as u16);
        let predictor_code = get(Tag::Predictor)?.unwrap_or(1).min(65535) as u16;
        let photometric = get(Tag::PhotometricInterpretation)?.map(|p| p.min(65535) as u16);
        let planar = match get(Tag::PlanarConfiguration)?.unwrap_or(1) {
            1 => false,
            2 => samples > 1,
            other => return Err(fmt(format!("PlanarConfiguration is {other}"))),
        };

        let tiled = ifd.has(Tag::TileWidth) || ifd.has(Tag::TileOffsets);
        let (block_width, block_height, rows_per_strip) = if tiled {
            let tw = get(Tag::TileWidth)?.ok_or_else(|| fmt("TileWidth is missing".into()))?;
            let th = get(Tag::TileLength)?.ok_or_else(|| fmt("TileLength is missing".into()))?;
            if tw == 0 || th == 0 {
                return Err(fmt(format!("tile size {tw}x{th}")));
            }
            (tw, th, None)
        } else {
            let rps = get(Tag::RowsPerStrip)?;
            let rows = rps.unwrap_or(height).clamp(1, height);
            (width, rows, rps)
        };
        let layout = BlockLayout::new(width, height, block_width, block_height)
            .map_err(|e| fmt(e.to_string()))?;
        let (off_tag, cnt_tag) = if tiled {
            (Tag::TileOffsets, Tag::TileByteCounts)
        } else {
            (Tag::StripOffsets, Tag::StripByteCounts)
        };
        let planes = if planar { u64::from(samples) } else { 1 };
        let needed = layout
            .block_count()
            .checked_mul(planes)
            .ok_or_else(|| fmt("chunk count overflows".into()))?;
        let offsets = ifd
            .u64s(off_tag)
            .map_err(|e| tiff_err(path, e))?
            .ok_or_else(|| fmt(format!("{} is missing", off_tag.name())))?;
        if (offsets.len() as u64) < needed {
            return Err(fmt(format!(
                "{} has {} values, the layout needs {needed}",
                off_tag.name(),
                offsets.len()
            )));
        }
        let mut info = ImageInfo {
            ifd_index: ifd.index,
            subfile_type: get(Tag::NewSubfileType)?.unwrap_or(0),
            width,
            height,
            samples,
            bits_per_sample: bits,
            bits_per_sample_all: bits_all,
            sample_format_all: formats_all,
            sample_format,
            data_type: DataType::U8,
            compression,
            predictor_code,
            photometric,
            planar,
            tiled,
            rows_per_strip,
            layout,
            offsets,
            byte_counts: Vec::new(),
            jpeg_tables: ifd
                .raw(Tag::JpegTables)
                .map_err(|e| tiff_err(path, e))?
                .map(<[u8]>::to_vec),
            extra_samples: per_sample(Tag::ExtraSamples, 0)
                .ok()
                .filter(|_| ifd.has(Tag::ExtraSamples))
                .unwrap_or_default(),
            colormap: ifd
                .u64s(Tag::ColorMap)
                .map_err(|e| tiff_err(path, e))?
                .map(|v| v.iter().map(|&x| x.min(65535) as u16).collect()),
            byte_order: ifd.byte_order(),
        };
        info.byte_counts = match ifd.u64s(cnt_tag).map_err(|e| tiff_err(path, e))? {
            Some(c) if (c.len() as u64) >= needed => c,
            Some(c) => {
                return Err(fmt(format!(
                    "{} has {} values, the layout needs {needed}",
                    cnt_tag.name(),
                    c.len()
                )))
            }
            // libtiff estimates missing byte counts for uncompressed data; so do we.
            None if compression == Compression::None => {
                let packed = info.packed_chunk_bytes()?;
                vec![packed; info.offsets.len()]
            }
            None => return Err(fmt(format!("{} is missing", cnt_tag.name()))),
        };
        info.data_type = info
            .chunk_params(BlockIndex { col: 0, row: 0 }, None)
            .output_type()
            .map_err(|e| unsupported(e.to_string()))?;
        let chunk_bytes = info
            .chunk_params(BlockIndex { col: 0, row: 0 }, None)
            .output_len()
            .map_err(|e| unsupported(e.to_string()))? as u64;
        if chunk_bytes > max_chunk_bytes {
            return Err(Error::LimitsExceeded {
                path: path.to_path_buf(),
                what: format!(
                    "IFD {}: one chunk decodes to {chunk_bytes} bytes (limit {max_chunk_bytes})",
                    ifd.index
                ),
            });
        }
        if compression == Compression::Jpeg && photometric == Some(photometric::YCBCR) && planar {
            return Err(unsupported("planar YCbCr JPEG".into()));
        }
        if compression != Compression::Jpeg && photometric == Some(photometric::YCBCR) {
            let sub = ifd
                .u64s(Tag::YCbCrSubSampling)
                .map_err(|e| tiff_err(path, e))?
                .unwrap_or_else(|| vec![2, 2]);
            if sub.iter().any(|&s| s != 1) {
                return Err(unsupported(format!(
                    "subsampled YCbCr without JPEG compression (YCbCrSubSampling {sub:?})"
                )));
            }
        }
        Ok(info)
    }

    /// Bytes of one full chunk before decompression would expand it (uncompressed size).
    fn packed_chunk_bytes(&self) -> Result<u64> {
        let spp = if self.planar {
            1
        } else {
            u64::from(self.samples)
        };
        let row_bits = self
            .layout
            .block_width
            .checked_mul(spp)
            .and_then(|v| v.checked_mul(u64::from(self.bits_per_sample)))
            .ok_or_else(|| Error::LimitsExceeded {
                path: Default::default(),
                what: "chunk size overflows".into(),
            })?;
        Ok(row_bits.div_ceil(8) * self.layout.block_height)
    }

    /// Number of planes (1 for chunky, samples for planar).
    pub fn planes(&self) -> u16 {
        if self.planar {
            self.samples
        } else {
            1
        }
    }

    /// Samples stored in each chunk.
    pub fn samples_per_chunk(&self) -> u16 {
        if self.planar {
            1
        } else {
            self.samples
        }
    }

    /// Index in the offsets arrays of a block of a plane.
    pub fn chunk_index(&self, block: BlockIndex, plane: u16) -> usize {
        (u64::from(plane) * self.layout.block_count() + self.layout.linear(block)) as usize
    }

    /// Rows actually stored in a block (strips at the bottom may be short; tiles never are).
    pub fn chunk_rows(&self, block: BlockIndex) -> u64 {
        if self.tiled {
            self.layout.block_height
        } else {
            self.layout.block_window(block).height
        }
    }

    /// The codec's parameters for one chunk.
    pub fn chunk_params<'a>(&self, block: BlockIndex, tables: Option<&'a [u8]>) -> ChunkParams<'a> {
        ChunkParams {
            compression: self.compression,
            predictor: Predictor::from_code(self.predictor_code).unwrap_or(Predictor::None),
            byte_order: match self.byte_order {
                ByteOrder::Little => tessera_codec::ByteOrder::Little,
                ByteOrder::Big => tessera_codec::ByteOrder::Big,
            },
            width: self.layout.block_width as u32,
            rows: self.chunk_rows(block) as u32,
            samples: self.samples_per_chunk(),
            bits_per_sample: self.bits_per_sample,
            sample_format: self.sample_format,
            jpeg_tables: tables,
            ycbcr_to_rgb: self.compression == Compression::Jpeg
                && self.photometric == Some(photometric::YCBCR),
        }
    }

    /// True when the image is a reduced-resolution version (NewSubfileType bit 0).
    pub fn is_reduced(&self) -> bool {
        self.subfile_type & 1 != 0
    }

    /// True when the image is a transparency mask (NewSubfileType bit 2 and Photometric=Mask).
    pub fn is_mask(&self) -> bool {
        self.subfile_type & 4 != 0 && self.photometric == Some(photometric::MASK)
    }
}
