//! The streaming, atomic tiled writer.

use crate::encoder::{EncodedTile, TileEncoder};
use crate::ifd::{IfdBuilder, Value};
use crate::spec::Layout;
use crate::{Interleave, RasterSpec, WriteError, WriteOptions};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tessera_codec::DataType;
use tessera_tiff::{ByteOrder, Tag};

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// What [`TiledWriter::finish`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteSummary {
    /// The target path.
    pub path: PathBuf,
    /// File size in bytes.
    pub bytes: u64,
    /// Number of tiles.
    pub tiles: usize,
    /// Whether the file is BigTIFF.
    pub bigtiff: bool,
}

/// Writes one tiled (Geo)TIFF image, streaming.
///
/// Tiles may arrive in any order; they are appended to a temporary file beside the target in
/// TIFF tile order (row-major, plane after plane), so the bytes never depend on arrival order or
/// thread count. Out-of-order tiles wait in a reorder buffer of at most
/// [`TiledWriter::max_pending`] tiles; past that [`TiledWriter::write_tile`] returns
/// [`WriteError::ReorderBufferFull`] (it does not block). [`TiledWriter::finish`] writes the IFD
/// after the data, syncs, and renames the file over the target. Dropping an unfinished writer, or
/// any error, removes the temporary file; the target is only ever replaced by a complete file.
#[derive(Debug)]
pub struct TiledWriter {
    layout: Arc<Layout>,
    target: PathBuf,
    temp: PathBuf,
    file: Option<File>,
    pos: u64,
    offsets: Vec<u64>,
    counts: Vec<u64>,
    /// Tiles stored so far = position in the write order of the next one.
    next: usize,
    /// The order tiles are appended in (`None`: TIFF tile order).
    order: Option<Vec<usize>>,
    /// Position of each tile index in `order`.
    rank: Vec<usize>,
    /// Out-of-order tiles by position in the write order.
    pending: BTreeMap<usize, Vec<u8>>,
    max_pending: usize,
    poisoned: bool,
    done: bool,
    /// Flushes the data written so far to disk on a helper thread, so that the sync in
    /// [`TiledWriter::finish`] only waits for the last part.
    flusher: Flusher,
}

/// Bytes appended between background flushes.
const FLUSH_EVERY: u64 = 64 << 20;

/// A background `sync_data` of the temporary file, started every [`FLUSH_EVERY`] bytes (one at a
/// time). Its error, if any, is kept for `finish`: the file description is shared, so the kernel
/// would report a failed writeback to only one of the two syncs.
#[derive(Debug, Default)]
struct Flusher {
    running: Option<std::thread::JoinHandle<std::io::Result<()>>>,
    flushed_at: u64,
    failed: Option<std::io::Error>,
}

impl Flusher {
    /// Start a flush if enough was written since the last one and none is running.
    fn maybe_start(&mut self, file: &File, pos: u64) {
        if pos - self.flushed_at < FLUSH_EVERY {
            return;
        }
        if self.running.as_ref().is_some_and(|t| !t.is_finished()) {
            return;
        }
        self.collect();
        // Without a second handle or thread the final sync simply does all the work.
        let Ok(handle) = file.try_clone() else {
            return;
        };
        let spawned = std::thread::Builder::new()
            .name("tessera-flush".into())
            .spawn(move || handle.sync_data());
        if let Ok(thread) = spawned {
            self.running = Some(thread);
            self.flushed_at = pos;
        }
    }

    /// Wait for a running flush and keep its error.
    fn collect(&mut self) {
        if let Some(thread) = self.running.take() {
            match thread.join() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => self.failed = self.failed.take().or(Some(e)),
                Err(_) => {
                    self.failed = self
                        .failed
                        .take()
                        .or_else(|| Some(std::io::Error::other("the flush thread panicked")))
                }
            }
        }
    }
}

fn default_max_pending() -> usize {
    let threads = std::thread::available_parallelism().map_or(4, |n| n.get());
    4 * threads + 16
}

impl TiledWriter {
    /// Validate `spec` and `options`, then create `<dir>/.<name>.tessera-<pid>-<n>.tmp` beside
    /// `target` and write the header. Fails early if the directory is not writable. BigTIFF is
    /// decided here ([`crate::BigTiff::Auto`]).
    pub fn create(
        target: &Path,
        spec: RasterSpec,
        options: WriteOptions,
    ) -> Result<TiledWriter, WriteError> {
        let layout = Arc::new(Layout::new(&spec, &options)?);
        let Some(name) = target.file_name() else {
            return Err(WriteError::usage(format!(
                "target {} has no file name",
                target.display()
            )));
        };
        if target.is_dir() {
            return Err(WriteError::usage(format!(
                "target {} is a directory",
                target.display()
            )));
        }
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(
            ".{}.tessera-{}-{n}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| WriteError::io("cannot create temporary file", &temp, e))?;
        let tiles = layout.tile_count();
        let mut w = TiledWriter {
            layout,
            target: target.to_path_buf(),
            temp,
            file: Some(file),
            pos: 0,
            offsets: vec![0; tiles],
            counts: vec![0; tiles],
            next: 0,
            order: None,
            rank: Vec::new(),
            pending: BTreeMap::new(),
            max_pending: default_max_pending(),
            poisoned: false,
            done: false,
            flusher: Flusher::default(),
        };
        let header = header(w.layout.bigtiff, w.layout.byte_order, 0);
        w.append(&header)?;
        Ok(w)
    }

    /// An encoder for this writer's tiles (clone it freely across threads).
    pub fn encoder(&self) -> TileEncoder {
        TileEncoder::from_layout(self.layout.clone())
    }

    /// Path of the temporary file being written.
    pub fn temp_path(&self) -> &Path {
        &self.temp
    }

    /// Whether the file is BigTIFF.
    pub fn is_bigtiff(&self) -> bool {
        self.layout.bigtiff
    }

    /// Most out-of-order tiles kept waiting (default `4 * available_parallelism + 16`).
    pub fn max_pending(&self) -> usize {
        self.max_pending
    }

    /// Change the reorder buffer bound (0: tiles must arrive in order).
    pub fn set_max_pending(&mut self, tiles: usize) {
        self.max_pending = tiles;
    }

    /// Append tiles in `order` (a permutation of all tile indexes) instead of TIFF tile
    /// order: readers follow TileOffsets, so any order is a valid file, and a fixed order
    /// keeps the bytes independent of completion order. A caller producing tiles window by
    /// window uses this to keep the reorder buffer to a batch of windows. Only before the
    /// first tile.
    pub fn set_write_order(&mut self, order: Vec<usize>) -> Result<(), WriteError> {
        let total = self.layout.tile_count();
        if self.next > 0 || !self.pending.is_empty() {
            return Err(WriteError::usage(
                "the write order is set before the first tile",
            ));
        }
        let mut rank = vec![usize::MAX; total];
        for (position, &tile) in order.iter().enumerate() {
            if tile >= total || rank[tile] != usize::MAX {
                return Err(WriteError::usage(format!(
                    "the write order is not a permutation of the {total} tiles"
                )));
            }
            rank[tile] = position;
        }
        if order.len() != total {
            return Err(WriteError::usage(format!(
                "the write order lists {} of {total} tiles",
                order.len()
            )));
        }
        self.order = Some(order);
        self.rank = rank;
        Ok(())
    }

    /// Position of a tile in the write order.
    fn position(&self, index: usize) -> usize {
        match &self.order {
            Some(_) => self.rank[index],
            None => index,
        }
    }

    /// Tile index at a position of the write order.
    fn tile_at(&self, position: usize) -> usize {
        match &self.order {
            Some(order) => order[position],
            None => position,
        }
    }

    /// Tiles currently waiting in the reorder buffer.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Tiles appended to the file so far (the reorder buffer not counted).
    pub fn tiles_written(&self) -> usize {
        self.next
    }

    /// Index of the next tile to be appended to the file (the last tile once all are in).
    pub fn next_tile(&self) -> usize {
        self.tile_at(self.next.min(self.layout.tile_count().saturating_sub(1)))
    }

    /// Accept a tile in any order (see the type's documentation for the reorder bound).
    /// A tile given twice, or encoded for another spec, is a [`WriteError::Usage`]. After an
    /// I/O error the writer is poisoned and every later call fails.
    pub fn write_tile(&mut self, tile: EncodedTile) -> Result<(), WriteError> {
        if self.poisoned {
            return Err(WriteError::Poisoned);
        }
        let index = tile.index();
        if !Arc::ptr_eq(tile.layout(), &self.layout) && **tile.layout() != *self.layout {
            return Err(WriteError::usage(format!(
                "tile {index} was encoded for another raster spec or options"
            )));
        }
        if index >= self.layout.tile_count() {
            return Err(WriteError::usage(format!("tile {index} does not exist")));
        }
        let position = self.position(index);
        if position < self.next || self.pending.contains_key(&position) {
            return Err(WriteError::usage(format!("tile {index} was given twice")));
        }
        if position != self.next {
            if self.pending.len() >= self.max_pending {
                return Err(WriteError::ReorderBufferFull {
                    pending: self.pending.len(),
                    next_expected: self.tile_at(self.next),
                    limit: self.max_pending,
                });
            }
            self.pending.insert(position, tile.into_data());
            return Ok(());
        }
        self.store(tile.into_data())?;
        while let Some(data) = self.pending.remove(&self.next) {
            self.store(data)?;
        }
        Ok(())
    }

    fn store(&mut self, data: Vec<u8>) -> Result<(), WriteError> {
        let offset = self.pos;
        let end = offset + data.len() as u64;
        if !self.layout.bigtiff && end > u32::MAX as u64 {
            self.poisoned = true;
            return Err(WriteError::ClassicTooLarge { offset: end });
        }
        self.append(&data)?;
        let tile = self.tile_at(self.next);
        self.offsets[tile] = offset;
        self.counts[tile] = data.len() as u64;
        self.next += 1;
        Ok(())
    }

    fn append(&mut self, data: &[u8]) -> Result<(), WriteError> {
        let Some(file) = self.file.as_mut() else {
            return Err(WriteError::Poisoned);
        };
        if let Err(e) = file.write_all(data) {
            self.poisoned = true;
            return Err(WriteError::io("cannot write", &self.temp, e));
        }
        self.pos += data.len() as u64;
        self.flusher.maybe_start(file, self.pos);
        Ok(())
    }

    /// Write the IFD after the data, sync, and rename the temporary file over the target.
    /// Fails (removing the temporary file, leaving the target untouched) if any tile is missing.
    pub fn finish(mut self) -> Result<WriteSummary, WriteError> {
        if self.poisoned {
            return Err(WriteError::Poisoned);
        }
        let total = self.layout.tile_count();
        if self.next < total {
            let missing = total - self.next - self.pending.len();
            return Err(WriteError::MissingTiles {
                missing,
                total,
                first_missing: self.tile_at(self.next),
            });
        }
        let l = self.layout.clone();
        let ifd = build_ifd(&l, &self.offsets, &self.counts);
        let word = if l.bigtiff { 8 } else { 2 };
        let ifd_offset = self.pos.div_ceil(word) * word;
        let pad = vec![0u8; (ifd_offset - self.pos) as usize];
        self.append(&pad)?;
        let bytes = ifd.serialize(ifd_offset, 0, l.bigtiff, l.byte_order)?;
        self.append(&bytes)?;
        let size = self.pos;
        let temp = self.temp.clone();
        let io = |action, e| WriteError::io(action, &temp, e);
        {
            let Some(file) = self.file.as_mut() else {
                return Err(WriteError::Poisoned);
            };
            let header = header(l.bigtiff, l.byte_order, ifd_offset);
            file.seek(SeekFrom::Start(0))
                .map_err(|e| io("cannot seek in", e))?;
            file.write_all(&header).map_err(|e| io("cannot write", e))?;
            self.flusher.collect();
            if let Some(e) = self.flusher.failed.take() {
                return Err(io("cannot sync", e));
            }
            file.sync_all().map_err(|e| io("cannot sync", e))?;
        }
        self.file = None; // close before renaming
        std::fs::rename(&self.temp, &self.target)
            .map_err(|e| WriteError::io("cannot rename the temporary file to", &self.target, e))?;
        self.done = true;
        sync_dir(&self.target);
        Ok(WriteSummary {
            path: self.target.clone(),
            bytes: size,
            tiles: total,
            bigtiff: l.bigtiff,
        })
    }
}

impl Drop for TiledWriter {
    fn drop(&mut self) {
        self.flusher.collect();
        if !self.done {
            self.file = None;
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Make the rename durable (best effort; not possible on every platform).
fn sync_dir(target: &Path) {
    #[cfg(unix)]
    if let Some(dir) = target.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = target;
}

fn header(bigtiff: bool, order: ByteOrder, ifd_offset: u64) -> Vec<u8> {
    let mut h = Vec::with_capacity(16);
    let le = order == ByteOrder::Little;
    let u16b = |v: u16| if le { v.to_le_bytes() } else { v.to_be_bytes() };
    h.extend_from_slice(if le { b"II" } else { b"MM" });
    if bigtiff {
        h.extend_from_slice(&u16b(43));
        h.extend_from_slice(&u16b(8));
        h.extend_from_slice(&u16b(0));
        h.extend_from_slice(&if le {
            ifd_offset.to_le_bytes()
        } else {
            ifd_offset.to_be_bytes()
        });
    } else {
        h.extend_from_slice(&u16b(42));
        let o = ifd_offset as u32;
        h.extend_from_slice(&if le { o.to_le_bytes() } else { o.to_be_bytes() });
    }
    h
}

fn short_or_long(v: u32) -> Value {
    match u16::try_from(v) {
        Ok(s) => Value::Short(vec![s]),
        Err(_) => Value::Long(vec![v]),
    }
}

fn sample_format(dt: DataType) -> u16 {
    match dt {
        DataType::U8 | DataType::U16 | DataType::U32 | DataType::U64 => 1,
        DataType::I8 | DataType::I16 | DataType::I32 | DataType::I64 => 2,
        DataType::F32 | DataType::F64 => 3,
        DataType::CI16 | DataType::CI32 => 5,
        DataType::CF32 | DataType::CF64 => 6,
    }
}

fn build_ifd(l: &Layout, offsets: &[u64], counts: &[u64]) -> IfdBuilder {
    let s = &l.spec;
    let bands = s.bands as usize;
    let mut ifd = IfdBuilder::new();
    ifd.set(Tag::ImageWidth, short_or_long(s.width));
    ifd.set(Tag::ImageLength, short_or_long(s.height));
    ifd.set(
        Tag::BitsPerSample,
        Value::Short(vec![(s.data_type.size_bytes() * 8) as u16; bands]),
    );
    ifd.set(Tag::Compression, Value::Short(vec![l.compression.code()]));
    ifd.set(
        Tag::PhotometricInterpretation,
        Value::Short(vec![s.photometric]),
    );
    ifd.set(Tag::SamplesPerPixel, Value::Short(vec![s.bands]));
    let planar = match s.interleave {
        Interleave::Pixel => 1,
        Interleave::Band => 2,
    };
    ifd.set(Tag::PlanarConfiguration, Value::Short(vec![planar]));
    if l.predictor != 1 {
        ifd.set(Tag::Predictor, Value::Short(vec![l.predictor]));
    }
    ifd.set(Tag::TileWidth, short_or_long(s.tile_width));
    ifd.set(Tag::TileLength, short_or_long(s.tile_height));
    if l.bigtiff {
        ifd.set(Tag::TileOffsets, Value::Long8(offsets.to_vec()));
        ifd.set(Tag::TileByteCounts, Value::Long8(counts.to_vec()));
    } else {
        // Checked against 4 GiB while writing.
        let to32 = |v: &[u64]| Value::Long(v.iter().map(|&x| x as u32).collect());
        ifd.set(Tag::TileOffsets, to32(offsets));
        ifd.set(Tag::TileByteCounts, to32(counts));
    }
    if !l.extra_samples.is_empty() {
        ifd.set(Tag::ExtraSamples, Value::Short(l.extra_samples.clone()));
    }
    ifd.set(
        Tag::SampleFormat,
        Value::Short(vec![sample_format(s.data_type); bands]),
    );
    if let Some(map) = &s.colormap {
        ifd.set(Tag::ColorMap, Value::Short(map.clone()));
    }
    let g = &s.geo;
    if let Some(v) = &g.pixel_scale {
        ifd.set(Tag::ModelPixelScale, Value::Double(v.clone()));
    }
    if let Some(v) = &g.tiepoint {
        ifd.set(Tag::ModelTiepoint, Value::Double(v.clone()));
    }
    if let Some(v) = &g.transformation {
        ifd.set(Tag::ModelTransformation, Value::Double(v.clone()));
    }
    if let Some(v) = &g.geokey_directory {
        ifd.set(Tag::GeoKeyDirectory, Value::Short(v.clone()));
    }
    if let Some(v) = g.geo_double_params.as_ref().filter(|v| !v.is_empty()) {
        ifd.set(Tag::GeoDoubleParams, Value::Double(v.clone()));
    }
    if let Some(v) = g.geo_ascii_params.as_ref().filter(|v| !v.is_empty()) {
        ifd.set(Tag::GeoAsciiParams, Value::Ascii(v.clone()));
    }
    if let Some(v) = s.gdal_metadata.as_ref().filter(|v| !v.is_empty()) {
        ifd.set(Tag::GdalMetadata, Value::Ascii(v.clone()));
    }
    if let Some(v) = &s.gdal_nodata {
        ifd.set(Tag::GdalNodata, Value::Ascii(v.clone()));
    }
    for (tag, text) in &s.text_tags {
        ifd.set(*tag, Value::Ascii(text.clone()));
    }
    ifd
}
