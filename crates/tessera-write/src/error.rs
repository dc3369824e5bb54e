//! The writer's error type.

use std::path::PathBuf;
use thiserror::Error;

/// Everything that can go wrong while writing a GeoTIFF. Nothing in this crate panics on bad
/// input: every problem is one of these.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The spec, the options or a call are inconsistent (bad tile size, predictor 3 on integers,
    /// a tile index out of range, a tile given twice, ...). Detected before any work where
    /// possible.
    #[error("invalid use: {0}")]
    Usage(String),
    /// An I/O operation on `path` failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done ("cannot create temporary file", "cannot write", ...).
        action: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A codec (predictor or compressor) refused the data.
    #[error("encoding tile {tile}: {source}")]
    Codec {
        /// Tile index.
        tile: usize,
        /// The codec error.
        #[source]
        source: tessera_codec::CodecError,
    },
    /// The caller's tile producer failed (see [`crate::write_tiles_parallel`]).
    #[error("producing tile {tile}: {source}")]
    Produce {
        /// Tile index.
        tile: usize,
        /// The producer's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// Too many out-of-order tiles are waiting for an earlier one.
    #[error(
        "reorder buffer full: {pending} tiles wait for tile {next_expected} (limit {limit}); \
         feed tiles in roughly tile order or raise the limit"
    )]
    ReorderBufferFull {
        /// Tiles waiting.
        pending: usize,
        /// The tile the writer needs next.
        next_expected: usize,
        /// The configured limit.
        limit: usize,
    },
    /// `finish` was called before every tile was written.
    #[error("{missing} of {total} tiles were never written (first missing: tile {first_missing})")]
    MissingTiles {
        /// How many tiles are missing.
        missing: usize,
        /// Tile count of the image.
        total: usize,
        /// Lowest missing tile index.
        first_missing: usize,
    },
    /// A classic TIFF cannot hold this much data; use BigTIFF.
    #[error("the file would exceed 4 GiB, the limit of classic TIFF ({offset} bytes needed); use BigTiff::Yes or BigTiff::Auto")]
    ClassicTooLarge {
        /// The offset that did not fit in 32 bits.
        offset: u64,
    },
    /// The writer failed earlier and can no longer be used.
    #[error("the writer failed earlier and cannot continue")]
    Poisoned,
}

impl WriteError {
    pub(crate) fn usage(msg: impl Into<String>) -> Self {
        WriteError::Usage(msg.into())
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        WriteError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
