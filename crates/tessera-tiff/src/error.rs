use thiserror::Error;

/// Everything that can go wrong reading the TIFF container. Sorted by who is at
/// fault: the file (`Format`), tessera (`Unsupported`), the limits (`LimitsExceeded`)
/// or the system (`Io`). File names are added by the caller that knows them.
#[derive(Debug, Error)]
pub enum TiffError {
    /// The bytes do not form a valid TIFF.
    #[error("not a valid TIFF: {what}")]
    Format {
        /// What is wrong, with the IFD and tag where known.
        what: String,
    },
    /// A tag value is missing, of the wrong type, or out of range.
    #[error("IFD {ifd}: tag {tag} ({tag_name}): {what}")]
    BadTag {
        /// Index of the IFD in walk order.
        ifd: usize,
        /// Tag number.
        tag: u16,
        /// Tag name.
        tag_name: &'static str,
        /// What is wrong.
        what: String,
    },
    /// A limit from [`crate::Limits`] was hit.
    #[error("limit exceeded: {what}")]
    LimitsExceeded {
        /// Which limit, with the values.
        what: String,
    },
    /// An I/O error (opening or mapping the file).
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl TiffError {
    pub(crate) fn format(what: impl Into<String>) -> Self {
        TiffError::Format { what: what.into() }
    }
}
