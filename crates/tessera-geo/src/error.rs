//! Error types.

use thiserror::Error;

/// Errors from parsing GeoTIFF tag values (GeoKeys, georeferencing tags, GDAL metadata).
#[derive(Debug, Clone, PartialEq, Error)]
pub enum GeoError {
    /// The tag values are malformed (bad counts, offsets, versions, ...).
    #[error("malformed GeoTIFF data: {0}")]
    Format(String),
    /// The GDAL_METADATA XML could not be read.
    #[error("malformed GDAL metadata XML: {0}")]
    Xml(String),
}

/// Errors from building a coordinate reference system.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CrsError {
    /// The EPSG code is not in the built-in table.
    #[error("unknown EPSG code {0}")]
    UnknownEpsg(u32),
    /// The keys describe something that cannot be turned into a CRS (GDAL/PROJ reject it too).
    #[error("unsupported CRS definition: {0}")]
    Unsupported(String),
    /// A parameter value is invalid for its projection method.
    #[error("invalid CRS parameter: {0}")]
    InvalidParameter(String),
}
