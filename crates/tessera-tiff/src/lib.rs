//! The TIFF container, read side: header, classic and BigTIFF IFDs in both byte
//! orders, a tag table declared once, explicit [`Limits`], IFD-cycle detection, a
//! byte source (memory-mapped file or bytes in memory) and the chunk (strip/tile)
//! index of each image.
//!
//! This crate knows nothing of pixels or georeferencing: it tells where things are.
//! Decoding lives in `tessera-codec`, GeoTIFF meaning in `tessera-geo`.
//!
//! ```
//! use tessera_tiff::{ByteSource, Limits, TiffFile, Tag};
//! // A minimal little-endian classic TIFF: 1x1 pixel, 8-bit, uncompressed.
//! let bytes = tessera_tiff::testutil::tiny_tiff();
//! let tiff = TiffFile::parse(ByteSource::from_vec(bytes), &Limits::default()).unwrap();
//! let ifd = &tiff.ifds()[0];
//! assert_eq!(ifd.u64(Tag::ImageWidth).unwrap(), Some(1));
//! ```
#![deny(unsafe_code)]

mod error;
mod ifd;
mod source;
mod tags;
pub mod testutil;

pub use error::TiffError;
pub use ifd::{Entry, Ifd, IfdKind, TiffFile};
pub use source::ByteSource;
pub use tags::{FieldType, Tag};

/// Byte order of a TIFF file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// `II`
    Little,
    /// `MM`
    Big,
}

/// Resource limits applied while parsing. Every count read from a file is checked
/// against these before anything is allocated.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Most IFDs (main chain plus SubIFDs) walked in one file.
    pub max_ifds: usize,
    /// Most entries in one IFD.
    pub max_entries_per_ifd: usize,
    /// Most bytes one tag value may hold (beyond this the file is rejected).
    pub max_tag_bytes: u64,
    /// Largest decoded chunk (strip or tile) in bytes.
    pub max_chunk_bytes: u64,
    /// Largest width or height accepted.
    pub max_dimension: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_ifds: 10_000,
            max_entries_per_ifd: 4_096,
            max_tag_bytes: 512 * 1024 * 1024,
            max_chunk_bytes: 1024 * 1024 * 1024,
            max_dimension: 1 << 31,
        }
    }
}
