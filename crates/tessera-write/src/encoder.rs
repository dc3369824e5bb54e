//! Tile encoding: a pure function from raw tile pixels to the bytes stored in the file.

use crate::spec::Layout;
use crate::{RasterSpec, WriteError, WriteOptions};
use std::sync::Arc;
use tessera_codec::{
    apply_float_predictor, apply_horizontal_predictor, deflate_encode, lzw_encode, packbits_encode,
    swap_bytes, zstd_encode, Compression,
};
use tessera_tiff::ByteOrder;

/// The pixel window of the raster one tile covers (edge tiles are cut by the raster's edge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileRegion {
    /// Band of the tile for [`crate::Interleave::Band`], 0 for pixel interleave.
    pub plane: usize,
    /// Left column in the raster.
    pub x: u32,
    /// Top row in the raster.
    pub y: u32,
    /// Valid columns (≤ tile width).
    pub width: u32,
    /// Valid rows (≤ tile height).
    pub height: u32,
}

/// Encodes tiles for one (spec, options) pair. Cheap to clone, `Send + Sync`: hand clones to
/// worker threads. Encoding is a pure, deterministic function of the tile index and pixels.
#[derive(Debug, Clone)]
pub struct TileEncoder {
    layout: Arc<Layout>,
}

/// A compressed tile, ready for [`crate::TiledWriter::write_tile`].
#[derive(Debug, Clone)]
pub struct EncodedTile {
    index: usize,
    layout: Arc<Layout>,
    data: Vec<u8>,
}

impl EncodedTile {
    /// The tile's index (TIFF order).
    pub fn index(&self) -> usize {
        self.index
    }

    /// The bytes to store.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    pub(crate) fn layout(&self) -> &Arc<Layout> {
        &self.layout
    }

    pub(crate) fn into_data(self) -> Vec<u8> {
        self.data
    }
}

impl TileEncoder {
    /// Validate `spec` and `options` and build an encoder.
    pub fn new(spec: &RasterSpec, options: &WriteOptions) -> Result<TileEncoder, WriteError> {
        Ok(TileEncoder {
            layout: Arc::new(Layout::new(spec, options)?),
        })
    }

    pub(crate) fn from_layout(layout: Arc<Layout>) -> Self {
        TileEncoder { layout }
    }

    /// Total number of tiles (all planes).
    pub fn tile_count(&self) -> usize {
        self.layout.tile_count()
    }

    /// Tiles in one plane (all tiles for pixel interleave).
    pub fn tiles_per_plane(&self) -> usize {
        self.layout.tiles_per_plane()
    }

    /// Tiles in one row of tiles.
    pub fn tiles_across(&self) -> usize {
        self.layout.tiles_across
    }

    /// Rows of tiles.
    pub fn tiles_down(&self) -> usize {
        self.layout.tiles_down
    }

    /// The predictor the tiles get (1, 2 or 3; `Auto` resolved).
    pub fn predictor(&self) -> u16 {
        self.layout.predictor
    }

    /// The file's byte order.
    pub fn byte_order(&self) -> ByteOrder {
        self.layout.byte_order
    }

    /// Bytes [`TileEncoder::encode`] expects: `tile_width * tile_height * samples * size`, where
    /// samples is the band count for pixel interleave and 1 for band interleave.
    pub fn tile_len(&self) -> usize {
        self.layout.tile_bytes
    }

    /// Whether the file will be BigTIFF.
    pub fn is_bigtiff(&self) -> bool {
        self.layout.bigtiff
    }

    /// Tile index of (plane, tile row, tile column): `plane * tiles_per_plane + row *
    /// tiles_across + col`.
    pub fn tile_index(&self, plane: usize, row: usize, col: usize) -> usize {
        plane * self.tiles_per_plane() + row * self.layout.tiles_across + col
    }

    /// The raster window a tile covers, or `None` for an index out of range.
    pub fn tile_region(&self, index: usize) -> Option<TileRegion> {
        if index >= self.tile_count() {
            return None;
        }
        let l = &self.layout;
        let plane = index / l.tiles_per_plane();
        let rest = index % l.tiles_per_plane();
        let (row, col) = (rest / l.tiles_across, rest % l.tiles_across);
        let x = col as u32 * l.spec.tile_width;
        let y = row as u32 * l.spec.tile_height;
        Some(TileRegion {
            plane,
            x,
            y,
            width: l.spec.tile_width.min(l.spec.width - x),
            height: l.spec.tile_height.min(l.spec.height - y),
        })
    }

    /// Encode one tile.
    ///
    /// `pixels` is always a full `tile_width x tile_height` tile ([`TileEncoder::tile_len`]
    /// bytes; edge tiles padded by the caller), samples in the machine's native byte order,
    /// row-major; for pixel interleave all bands of a pixel are adjacent, for band interleave the
    /// tile holds the one band of its plane. Returns the bytes to store: predictor applied,
    /// converted to the file's byte order, compressed. Deterministic.
    pub fn encode(&self, tile_index: usize, pixels: &[u8]) -> Result<EncodedTile, WriteError> {
        self.check_tile(tile_index, pixels.len())?;
        if self.transforms_in_place() {
            let mut copy = pixels.to_vec();
            self.predict_and_swap(tile_index, &mut copy)?;
            Ok(self.compress(tile_index, &copy))
        } else {
            Ok(self.compress(tile_index, pixels))
        }
    }

    /// [`TileEncoder::encode`] for a tile the caller no longer needs: the predictor and the byte
    /// order conversion happen in `pixels` itself (which holds them afterwards), saving a copy of
    /// the tile.
    pub fn encode_in_place(
        &self,
        tile_index: usize,
        pixels: &mut [u8],
    ) -> Result<EncodedTile, WriteError> {
        self.check_tile(tile_index, pixels.len())?;
        self.predict_and_swap(tile_index, pixels)?;
        Ok(self.compress(tile_index, pixels))
    }

    /// Compress a tile that is already as the file stores it before compression: the
    /// [`TileEncoder::predictor`] applied, samples in [`TileEncoder::byte_order`] (a source chunk
    /// with the same predictor and byte order, only decompressed). Same size rules as `encode`.
    pub fn encode_prepared(
        &self,
        tile_index: usize,
        prepared: &[u8],
    ) -> Result<EncodedTile, WriteError> {
        self.check_tile(tile_index, prepared.len())?;
        Ok(self.compress(tile_index, prepared))
    }

    fn check_tile(&self, tile_index: usize, len: usize) -> Result<(), WriteError> {
        let l = &self.layout;
        if tile_index >= l.tile_count() {
            return Err(WriteError::usage(format!(
                "tile index {tile_index} out of range (the image has {} tiles)",
                l.tile_count()
            )));
        }
        if len != l.tile_bytes {
            return Err(WriteError::usage(format!(
                "tile {tile_index} has {len} bytes, a full tile needs {}",
                l.tile_bytes
            )));
        }
        Ok(())
    }

    /// Whether tiles change before compression (predictor or byte order).
    fn transforms_in_place(&self) -> bool {
        self.layout.predictor != 1 || self.swaps()
    }

    fn swaps(&self) -> bool {
        let l = &self.layout;
        // Predictor 3 output is a byte stream, independent of byte order.
        l.predictor != 3 && l.byte_order != native() && l.spec.data_type.component_bytes() > 1
    }

    /// Apply the predictor, then convert to the file's byte order, in `buf`.
    fn predict_and_swap(&self, tile_index: usize, buf: &mut [u8]) -> Result<(), WriteError> {
        let l = &self.layout;
        let dt = l.spec.data_type;
        let width = l.spec.tile_width as usize;
        let bits = (dt.size_bytes() * 8) as u16;
        let codec = |source| WriteError::Codec {
            tile: tile_index,
            source,
        };
        match l.predictor {
            2 => apply_horizontal_predictor(buf, width, l.chunk_samples, bits).map_err(codec)?,
            3 => apply_float_predictor(buf, width, l.chunk_samples, bits).map_err(codec)?,
            _ => {}
        }
        if self.swaps() {
            swap_bytes(buf, dt.component_bytes());
        }
        Ok(())
    }

    /// Compress a prepared tile into the bytes to store.
    fn compress(&self, tile_index: usize, buf: &[u8]) -> EncodedTile {
        let l = &self.layout;
        let data = match l.compression {
            Compression::Lzw => lzw_encode(buf),
            Compression::Deflate => deflate_encode(buf, l.level as u32),
            Compression::Zstd => zstd_encode(buf, l.level),
            Compression::PackBits => {
                // TIFF packs each row separately.
                let mut out = Vec::with_capacity(buf.len() + buf.len() / 64 + 8);
                for row in buf.chunks(l.row_bytes()) {
                    out.extend_from_slice(&packbits_encode(row));
                }
                out
            }
            _ => buf.to_vec(),
        };
        // Compressors return buffers sized for the worst case (deflate: more than the
        // input). Tiles wait in memory until written, so give the unused tail back at once
        // (normalize peak RSS ~56-61 -> ~50-60 MiB on the scene). A shrinking realloc keeps
        // the data in place; an exact-size copy instead was 0.9 % of the normalize job.
        let mut data = data;
        if data.capacity() > data.len() + data.len() / 8 {
            data.shrink_to_fit();
        }
        EncodedTile {
            index: tile_index,
            layout: self.layout.clone(),
            data,
        }
    }
}

fn native() -> ByteOrder {
    if cfg!(target_endian = "little") {
        ByteOrder::Little
    } else {
        ByteOrder::Big
    }
}
