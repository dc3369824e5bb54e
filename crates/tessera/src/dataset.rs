//! `Dataset`: an opened GeoTIFF. Opening reads the header and every IFD (offsets
//! and byte counts only, no pixels) and sorts the IFDs the way GDAL does: the
//! full-resolution image, its overviews, its internal mask, other pages.

use std::path::{Path, PathBuf};

use tessera_tiff::{ByteSource, Limits as TiffLimits, TiffFile};

use crate::image::ImageInfo;
use crate::metadata::Metadata;
use crate::{Error, Result};

/// Limits applied when opening and reading. Defaults are generous for real rasters
/// and still stop hostile files before they allocate.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Container limits (IFD count, tag sizes).
    pub tiff: TiffLimits,
    /// Largest decoded chunk (strip or tile), bytes.
    pub max_chunk_bytes: u64,
    /// Largest single window read, bytes of output.
    pub max_read_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            tiff: TiffLimits::default(),
            max_chunk_bytes: 256 * 1024 * 1024,
            max_read_bytes: 4 * 1024 * 1024 * 1024,
        }
    }
}

/// Which image of a dataset to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageSel {
    /// The full-resolution image.
    Base,
    /// An overview, in GDAL's order (file order).
    Overview(usize),
    /// The internal per-dataset mask (values 0 or 255).
    Mask,
}

/// An opened GeoTIFF.
#[derive(Debug, Clone)]
pub struct Dataset {
    path: PathBuf,
    tiff: TiffFile,
    base: ImageInfo,
    overviews: Vec<ImageInfo>,
    mask: Option<ImageInfo>,
    page_count: usize,
    metadata: Metadata,
    pub(crate) limits: Limits,
}

impl Dataset {
    /// Open a file (memory-mapped).
    pub fn open(path: impl AsRef<Path>) -> Result<Dataset> {
        Dataset::open_with_limits(path, Limits::default())
    }

    /// Open a file with explicit limits.
    pub fn open_with_limits(path: impl AsRef<Path>, limits: Limits) -> Result<Dataset> {
        let path = path.as_ref();
        let source = ByteSource::open(path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        Dataset::from_source(path.to_path_buf(), source, limits)
    }

    /// Open bytes held in memory; `name` is used in error messages.
    pub fn from_bytes(name: impl Into<PathBuf>, bytes: Vec<u8>) -> Result<Dataset> {
        Dataset::from_source(name.into(), ByteSource::from_vec(bytes), Limits::default())
    }

    /// Open bytes held in memory with explicit limits.
    pub fn from_bytes_with_limits(
        name: impl Into<PathBuf>,
        bytes: Vec<u8>,
        limits: Limits,
    ) -> Result<Dataset> {
        Dataset::from_source(name.into(), ByteSource::from_vec(bytes), limits)
    }

    fn from_source(path: PathBuf, source: ByteSource, limits: Limits) -> Result<Dataset> {
        let tiff = TiffFile::parse(source, &limits.tiff).map_err(|e| Error::Tiff {
            path: path.clone(),
            source: e,
        })?;
        let main = tiff.ifds();
        let first = main.first().ok_or_else(|| Error::Format {
            path: path.clone(),
            ifd: 0,
            what: "no IFD".into(),
        })?;
        let base = ImageInfo::from_ifd(&path, first, limits.max_chunk_bytes)?;
        let mut overviews = Vec::new();
        let mut mask = None;
        let mut page_count = 1;
        for ifd in main.iter().skip(1) {
            // GDAL skips IFDs it cannot use as overviews or masks rather than failing.
            let Ok(img) = ImageInfo::from_ifd(&path, ifd, limits.max_chunk_bytes) else {
                continue;
            };
            if img.is_mask() {
                if !img.is_reduced()
                    && mask.is_none()
                    && img.width == base.width
                    && img.height == base.height
                {
                    mask = Some(img);
                }
            } else if img.is_reduced() {
                if img.samples == base.samples && img.data_type == base.data_type {
                    overviews.push(img);
                }
            } else if img.subfile_type & 4 == 0 {
                page_count += 1;
            }
        }
        let metadata = Metadata::read(&path, first, &base, mask.is_some())?;
        Ok(Dataset {
            path,
            tiff,
            base,
            overviews,
            mask,
            page_count,
            metadata,
            limits,
        })
    }

    /// The file name given at open.
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// The parsed TIFF container.
    pub fn tiff(&self) -> &TiffFile {
        &self.tiff
    }
    /// The full-resolution image's structure.
    pub fn image(&self) -> &ImageInfo {
        &self.base
    }
    /// Overviews, in GDAL's order.
    pub fn overviews(&self) -> &[ImageInfo] {
        &self.overviews
    }
    /// The internal per-dataset mask, if any.
    pub fn mask(&self) -> Option<&ImageInfo> {
        self.mask.as_ref()
    }
    /// Full-resolution pages in the main IFD chain (GDAL shows them as subdatasets when more than one).
    pub fn page_count(&self) -> usize {
        self.page_count
    }
    /// GeoTIFF metadata: CRS, georeferencing, nodata, bands, tags.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }
    /// Width of the full-resolution image.
    pub fn width(&self) -> u64 {
        self.base.width
    }
    /// Height of the full-resolution image.
    pub fn height(&self) -> u64 {
        self.base.height
    }
    /// Band count.
    pub fn band_count(&self) -> usize {
        usize::from(self.base.samples)
    }
    /// Data type of the bands.
    pub fn data_type(&self) -> tessera_codec::DataType {
        self.base.data_type
    }

    /// The image a selector designates.
    pub fn select(&self, sel: ImageSel) -> Result<&ImageInfo> {
        match sel {
            ImageSel::Base => Ok(&self.base),
            ImageSel::Overview(i) => self.overviews.get(i).ok_or_else(|| Error::Usage {
                path: self.path.clone(),
                what: format!(
                    "overview {i} does not exist ({} overviews)",
                    self.overviews.len()
                ),
            }),
            ImageSel::Mask => self.mask.as_ref().ok_or_else(|| Error::Usage {
                path: self.path.clone(),
                what: "the file has no internal mask".into(),
            }),
        }
    }
}
