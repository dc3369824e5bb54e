use std::path::PathBuf;

use thiserror::Error;

/// Errors of the tessera library. Every variant names the file; decode errors name
/// the IFD and chunk too, so one line on stderr says what is wrong and where.
#[derive(Debug, Error)]
pub enum Error {
    /// The file could not be read from disk.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TIFF structure is invalid.
    #[error("{path}: {source}")]
    Tiff {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        source: tessera_tiff::TiffError,
    },
    /// The file is a valid TIFF but describes an image that is invalid.
    #[error("{path}: IFD {ifd}: {what}")]
    Format {
        /// The file.
        path: PathBuf,
        /// IFD index.
        ifd: usize,
        /// What is wrong.
        what: String,
    },
    /// The file uses a feature tessera does not read.
    #[error("{path}: IFD {ifd}: unsupported: {what}")]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// IFD index.
        ifd: usize,
        /// What is not supported.
        what: String,
    },
    /// A chunk (strip or tile) could not be read or decoded.
    #[error("{path}: IFD {ifd}, chunk {chunk}: {what}")]
    Chunk {
        /// The file.
        path: PathBuf,
        /// IFD index.
        ifd: usize,
        /// Chunk index (as in StripOffsets/TileOffsets).
        chunk: usize,
        /// What went wrong.
        what: String,
    },
    /// A request exceeds a limit (e.g. a window too large to allocate).
    #[error("{path}: limit exceeded: {what}")]
    LimitsExceeded {
        /// The file.
        path: PathBuf,
        /// Which limit.
        what: String,
    },
    /// Writing an output failed (nothing is left at the target path).
    #[error("{path}: {source}")]
    Write {
        /// The output file.
        path: PathBuf,
        /// What went wrong.
        source: tessera_write::WriteError,
    },
    /// Computing one window of a pipeline run failed (the source names the input file).
    #[error("{source} (computing output window at column {col}, row {row}, {width}x{height})")]
    Window {
        /// Left column of the window in the output grid.
        col: i64,
        /// Top row of the window in the output grid.
        row: i64,
        /// Window width.
        width: u64,
        /// Window height.
        height: u64,
        /// What went wrong.
        source: Box<Error>,
    },
    /// The caller asked for something invalid (bad band index, empty window...).
    #[error("{path}: invalid request: {what}")]
    Usage {
        /// The file.
        path: PathBuf,
        /// What is wrong with the request.
        what: String,
    },
}

impl Error {
    /// An error about writing `path`.
    pub fn write(path: &std::path::Path, source: tessera_write::WriteError) -> Error {
        Error::Write {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Result alias of the tessera library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
