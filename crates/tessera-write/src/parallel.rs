//! Parallel encoding with ordered, streaming output.

use crate::{EncodedTile, RasterSpec, TiledWriter, WriteError, WriteOptions, WriteSummary};
use rayon::prelude::*;
use std::path::Path;

/// A tile as `produce` hands it to [`write_tiles_parallel`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TilePixels {
    /// Native-order pixels (see [`crate::TileEncoder::encode`]); a `Vec<u8>` converts to this.
    Raw(Vec<u8>),
    /// Bytes already in the file's form before compression (see
    /// [`crate::TileEncoder::encode_prepared`]).
    Prepared(Vec<u8>),
}

impl From<Vec<u8>> for TilePixels {
    fn from(raw: Vec<u8>) -> Self {
        TilePixels::Raw(raw)
    }
}

/// Write a whole raster: `produce(tile_index)` returns the pixels of a full tile (raw, see
/// [`crate::TileEncoder::encode`] for the layout, or [`TilePixels::Prepared`];
/// [`crate::TileEncoder::tile_region`] tells
/// which window a tile covers), tiles are produced and encoded on a rayon pool of `threads`
/// threads (0: one per core) in batches of `4 * threads` tiles in tile order, and written in
/// order while the next batch is encoded. Memory: about two batches of compressed tiles plus
/// `threads` raw tiles. `progress(done, total)` is called on the calling thread after every
/// batch. The output is byte-identical for any thread count.
///
/// The first error (in tile order) stops the work; the temporary file is removed and the target
/// is left untouched.
pub fn write_tiles_parallel<F, T, E, P>(
    target: &Path,
    spec: RasterSpec,
    options: WriteOptions,
    threads: usize,
    produce: F,
    mut progress: P,
) -> Result<WriteSummary, WriteError>
where
    F: Fn(usize) -> Result<T, E> + Sync,
    T: Into<TilePixels>,
    E: Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    P: FnMut(usize, usize),
{
    let mut writer = TiledWriter::create(target, spec, options)?;
    let encoder = writer.encoder();
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| WriteError::Usage(format!("cannot start {threads} threads: {e}")))?;
    let total = encoder.tile_count();
    let batch = (4 * threads).max(1);
    let encode_batch = |start: usize| -> Vec<Result<EncodedTile, WriteError>> {
        (start..(start + batch).min(total))
            .into_par_iter()
            .map(|i| {
                let pixels = produce(i).map_err(|e| WriteError::Produce {
                    tile: i,
                    source: e.into(),
                })?;
                match pixels.into() {
                    TilePixels::Raw(mut raw) => encoder.encode_in_place(i, &mut raw),
                    TilePixels::Prepared(prepared) => encoder.encode_prepared(i, &prepared),
                }
            })
            .collect()
    };
    let write_batch = |w: &mut TiledWriter,
                       tiles: Vec<Result<EncodedTile, WriteError>>|
     -> Result<(), WriteError> {
        for t in tiles {
            w.write_tile(t?)?;
        }
        Ok(())
    };

    let mut ready = pool.install(|| encode_batch(0));
    let mut start = batch.min(total);
    loop {
        let current = std::mem::take(&mut ready);
        if start < total {
            let (written, next) =
                pool.join(|| write_batch(&mut writer, current), || encode_batch(start));
            written?;
            ready = next;
            start = (start + batch).min(total);
            progress(writer.tiles_written(), total);
        } else {
            // The last batch: every tile has been produced, so the loop ends here whatever
            // the writer holds (`finish` names any tile that is missing).
            write_batch(&mut writer, current)?;
            progress(writer.tiles_written(), total);
            break;
        }
    }
    writer.finish()
}
