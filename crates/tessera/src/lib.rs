//! tessera: a pure-Rust GeoTIFF engine. This crate is the library facade:
//! open a GeoTIFF ([`Dataset`]), read its metadata as GDAL reports it, read any
//! window of it into a typed buffer, and summarise it (the `info` report).
//!
//! ```no_run
//! use tessera::{Dataset, Window};
//! let ds = Dataset::open("scene.tif")?;
//! println!("{} x {} x {} {}", ds.width(), ds.height(), ds.band_count(), ds.data_type().name());
//! let block = ds.read_window(Window::new(0, 0, 256, 256))?;
//! let red: &[u8] = block.band(0);
//! # let _ = red;
//! # Ok::<(), tessera::Error>(())
//! ```
//!
//! The crates underneath each do one job: `tessera-tiff` (container),
//! `tessera-codec` (compression), `tessera-geo` (GeoTIFF semantics) and
//! `tessera-grid` (integer geometry); they are re-exported here.
#![forbid(unsafe_code)]

mod buffer;
mod convert;
mod dataset;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod image;
mod info;
mod metadata;
pub mod pipeline;
mod read;
mod stats;

pub use buffer::{encode_sample, RasterBuffer};
pub use convert::{ConvertOptions, ConvertPlan};
pub use dataset::{Dataset, ImageSel, Limits};
pub use error::{Error, Result};
pub use image::{photometric, ImageInfo};
pub use info::{num, InfoOptions};
pub use metadata::{format_g, BandInfo, Metadata};
pub use read::ReadRequest;
pub use stats::{BandStats, BandSummary};

pub use tessera_codec as codec;
pub use tessera_codec::DataType;
pub use tessera_geo as geo;
pub use tessera_grid as grid;
pub use tessera_grid::Window;
pub use tessera_tiff as tiff;
pub use tessera_write as write;
