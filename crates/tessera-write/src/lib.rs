//! Streaming, tiled GeoTIFF writer: pure Rust, classic TIFF or BigTIFF, output that GDAL reads
//! exactly.
//!
//! * [`RasterSpec`] says what to write (size, bands, type, tiling, interleave, photometric,
//!   already-serialised GeoTIFF tags, GDAL nodata/metadata text) and [`WriteOptions`] how
//!   (compression, level, predictor, BigTIFF, byte order). Both are validated before any work.
//! * [`TileEncoder`] is a pure, deterministic function from a tile's raw pixels to the bytes
//!   stored in the file; clone it into worker threads.
//! * [`TiledWriter`] accepts encoded tiles in any order and appends them in TIFF tile order to a
//!   temporary file beside the target, writes the IFD (built with [`IfdBuilder`]) after the
//!   data, syncs and renames: the target appears only when complete, and the bytes never depend
//!   on the order tiles arrived in.
//! * [`write_tiles_parallel`] does all of it on a rayon pool.
//!
//! # Example
//!
//! ```
//! use tessera_write::*;
//!
//! let dir = std::env::temp_dir().join(format!("tessera-write-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let target = dir.join("ramp.tif");
//!
//! // 100 x 40 pixels of uint16 in 32 x 16 tiles, Deflate with the horizontal predictor.
//! let mut spec = RasterSpec::new(100, 40, 1, DataType::U16);
//! spec.tile_width = 32;
//! spec.tile_height = 16;
//! spec.geo.pixel_scale = Some(vec![10.0, 10.0, 0.0]);
//! spec.geo.tiepoint = Some(vec![0.0, 0.0, 0.0, 500_000.0, 4_000_000.0, 0.0]);
//! spec.geo.geokey_directory = Some(vec![1, 1, 0, 2, 1024, 0, 1, 1, 3072, 0, 1, 32631]);
//! spec.gdal_nodata = Some("0".into());
//! let options = WriteOptions::compressed(Compression::Deflate);
//!
//! let encoder = TileEncoder::new(&spec, &options).unwrap();
//! let produce = |index: usize| -> Result<Vec<u8>, std::convert::Infallible> {
//!     // A full tile; pixels beyond the raster's edge are padding.
//!     let r = encoder.tile_region(index).unwrap();
//!     let mut tile = Vec::with_capacity(encoder.tile_len());
//!     for row in 0..16u32 {
//!         for col in 0..32u32 {
//!             let v = ((r.y + row) * 100 + r.x + col) as u16;
//!             tile.extend_from_slice(&v.to_ne_bytes());
//!         }
//!     }
//!     Ok(tile)
//! };
//! let summary =
//!     write_tiles_parallel(&target, spec, options, 2, produce, |_done, _total| {}).unwrap();
//! assert_eq!(summary.tiles, 4 * 3);
//! assert!(!summary.bigtiff);
//! assert_eq!(std::fs::metadata(&target).unwrap().len(), summary.bytes);
//! std::fs::remove_dir_all(&dir).unwrap();
//! ```
//!
//! The lower-level API gives control over threading and ordering:
//!
//! ```no_run
//! # use tessera_write::*;
//! # fn pixels(i: usize) -> Vec<u8> { unimplemented!() }
//! # let (spec, options) = (RasterSpec::new(1, 1, 1, tessera_codec::DataType::U8), WriteOptions::default());
//! let mut writer = TiledWriter::create("out.tif".as_ref(), spec, options)?;
//! let encoder = writer.encoder(); // Clone + Send + Sync
//! for i in (0..encoder.tile_count()).rev() {
//!     // any order, within the reorder bound (writer.max_pending())
//!     writer.write_tile(encoder.encode(i, &pixels(i))?)?;
//! }
//! writer.finish()?; // dropping the writer instead removes the temporary file
//! # Ok::<(), WriteError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod encoder;
mod error;
mod ifd;
mod parallel;
mod spec;
mod writer;

pub use encoder::{EncodedTile, TileEncoder, TileRegion};
pub use error::WriteError;
pub use ifd::{IfdBuilder, Value};
pub use parallel::{write_tiles_parallel, TilePixels};
pub use spec::{
    photometric, validate, BigTiff, GeoTags, Interleave, PredictorChoice, RasterSpec, WriteOptions,
    TEXT_TAGS,
};
pub use writer::{TiledWriter, WriteSummary};

pub use tessera_codec::{Compression, DataType};
pub use tessera_tiff::ByteOrder;
