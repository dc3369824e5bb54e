//! Error type shared by every codec in this crate.

use thiserror::Error;

/// Everything that can go wrong while decoding (or encoding) one chunk.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CodecError {
    /// A valid but unsupported feature (compression scheme, bit depth, predictor combination...).
    #[error("{what} is not supported")]
    Unsupported {
        /// What is not supported, e.g. "compression LERC (34887)".
        what: String,
    },
    /// The compressed stream is malformed.
    #[error("corrupt {codec} data: {detail}")]
    Corrupt {
        /// Name of the codec that found the problem ("deflate", "lzw", ...).
        codec: &'static str,
        /// Human readable description.
        detail: String,
    },
    /// The stream ended before the expected number of bytes were produced.
    #[error("not enough data: expected {expected} bytes, got {got}")]
    Truncated {
        /// Bytes that were needed.
        expected: usize,
        /// Bytes that could be produced.
        got: usize,
    },
    /// A size is beyond what this crate is willing to allocate or handle.
    #[error("{what} too large: {value} exceeds the limit of {limit}")]
    LimitExceeded {
        /// What was too large.
        what: &'static str,
        /// The requested value.
        value: u64,
        /// The limit.
        limit: u64,
    },
    /// The decode parameters themselves are inconsistent (zero width, bad bit depth...).
    #[error("invalid chunk parameters: {detail}")]
    InvalidParams {
        /// Human readable description.
        detail: String,
    },
}

impl CodecError {
    pub(crate) fn corrupt(codec: &'static str, detail: impl Into<String>) -> Self {
        CodecError::Corrupt {
            codec,
            detail: detail.into(),
        }
    }

    pub(crate) fn unsupported(what: impl Into<String>) -> Self {
        CodecError::Unsupported { what: what.into() }
    }

    pub(crate) fn invalid(detail: impl Into<String>) -> Self {
        CodecError::InvalidParams {
            detail: detail.into(),
        }
    }
}
