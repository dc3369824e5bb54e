//! GeoTIFF semantics for tessera, matching what GDAL 3.10 reports: the GeoKey directory,
//! coordinate reference systems (EPSG-coded and user-defined, with GDAL's PROJ strings),
//! georeferencing (affine transform or GCPs, PixelIsPoint handling), GDAL_NODATA and
//! GDAL_METADATA.  Pure Rust; inputs are plain tag values read by another crate.
//!
//! ```
//! use tessera_geo::{Crs, GeoKeyDirectory, RasterType, georef_from_tags, Georef};
//!
//! // GeoKeyDirectoryTag: header + GTModelType=1, GTRasterType=1, ProjectedCSType=32633
//! let dir = [1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 32633];
//! let keys = GeoKeyDirectory::parse(&dir, &[], "").unwrap();
//! let crs = Crs::from_geokeys(&keys).unwrap().unwrap();
//! assert_eq!(crs.epsg(), Some(32633));
//! assert_eq!(crs.to_proj_string(), "+proj=utm +zone=33 +datum=WGS84 +units=m +no_defs");
//!
//! let g = georef_from_tags(Some(&[10.0, 10.0, 0.0]), Some(&[0.0, 0.0, 0.0, 500000.0, 6000000.0, 0.0]),
//!                          None, RasterType::from_geokeys(&keys)).unwrap();
//! match g {
//!     Georef::Transform(t) => assert_eq!(t.to_gdal(), [500000.0, 10.0, 0.0, 6000000.0, 0.0, -10.0]),
//!     _ => unreachable!(),
//! }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod crs;
mod error;
mod geokeys;
mod georef;
mod metadata;
mod nodata;
mod proj;
mod tables;
mod wkt;

pub use crs::{Crs, CrsKind, Datum, GeogCrs, ProjValue, Projection};
pub use error::{CrsError, GeoError};
pub use geokeys::{
    geokey_display_name, geokey_name, ids, GeoKey, GeoKeyDirectory, GeoKeyValue, RasterType,
    TAG_GEO_ASCII_PARAMS, TAG_GEO_DOUBLE_PARAMS, TAG_GEO_KEY_DIRECTORY,
};
pub use georef::{georef_from_tags, tags_from_affine, Affine, Gcp, GeoTags, Georef};
pub use metadata::{BandMeta, GdalMetadata, MetaItem};
pub use nodata::{parse_gdal_nodata, round_nodata_for_f32};
pub use proj::{fmt_num, proj_params_agree, proj_params_diff};
pub use tables::{Ellipsoid, LinearUnit, PrimeMeridian};
