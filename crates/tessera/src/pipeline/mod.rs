//! The raster pipeline: the four stages of the seed design in one process, with
//! memory bounded by the thread count, not the raster size.
//!
//! 1. [`gate`]: every input's metadata, before any pixel work;
//! 2. grid: the output grid cut into windows of whole output tiles, in a fixed
//!    order ([`Pipeline::windows`], plain serialisable data);
//! 3. map: per window, in parallel (rayon): read each input's part (nodata-filled),
//!    run the band kernel, merge, cut into tiles and compress them;
//! 4. assemble: the compressed tiles go to the tiled writer as windows finish; one
//!    pass, no temporary tiles, atomic rename at the end.

mod gate;
mod merge;
mod normalize;

use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use tessera_codec::DataType;
use tessera_grid::Window;
use tessera_write::{
    EncodedTile, GeoTags, Interleave, RasterSpec, TileEncoder, TiledWriter, WriteOptions,
};

pub use gate::{gate, GateError, GateProblem, OutputGrid, Placement};
pub use merge::{Accumulator, Method};
pub use normalize::{NormalizeKernel, NormalizeMode};

use crate::buffer::RasterBuffer;
use crate::{Dataset, Error, ImageSel, ReadRequest, Result};

/// A per-band transform applied to every input window before merging (the
/// normalisation kernels). Invalid input pixels (nodata) must come out as NaN.
pub trait BandKernel: Sync {
    /// Transform `out.len()` samples of band `input_band` of `input` (one input window),
    /// starting at sample `start` (row-major), with the kernel of output band `band`.
    fn apply(
        &self,
        band: usize,
        input: &RasterBuffer,
        input_band: usize,
        start: usize,
        out: &mut [f32],
    );

    /// For 8-bit input (`dt` u8 or i8): band `band`'s kernel applied to each of the 256
    /// possible samples, indexed by the sample's byte, equal to [`BandKernel::apply`] on that
    /// sample. The tiler then converts and interleaves in one pass of table lookups (a
    /// division per sample and a separate interleaving pass were 4.5 % of the normalize job).
    /// `None` (the default): the tiler calls `apply`.
    fn byte_table(&self, _band: usize, _dt: DataType) -> Option<[f32; 256]> {
        None
    }
}

/// How to run the pipeline.
pub struct PipelineOptions<'k> {
    /// How overlapping inputs combine.
    pub method: Method,
    /// Output nodata; `None`: NaN for float output with a kernel, else the first input's.
    pub nodata: Option<f64>,
    /// Output bounds (xmin, ymin, xmax, ymax), snapped outwards to the grid; `None` = union.
    pub bounds: Option<[f64; 4]>,
    /// Window size in pixels (rounded up to whole output tiles).
    pub window_size: u32,
    /// Output type; `None`: float32 with a kernel, else the method's type.
    pub data_type: Option<DataType>,
    /// Compression etc.
    pub write: WriteOptions,
    /// Output tile size.
    pub tile: (u32, u32),
    /// Output band layout.
    pub interleave: Interleave,
    /// Worker threads (0 = one per core).
    pub threads: usize,
    /// Per-band kernel (normalisation), if any.
    pub kernel: Option<&'k dyn BandKernel>,
}

/// What a run did (printed by `--json`).
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    /// Input paths.
    pub inputs: Vec<String>,
    /// The output grid.
    pub grid: OutputGrid,
    /// Windows processed.
    pub windows: usize,
    /// Tiles written.
    pub tiles: usize,
    /// Output file size.
    pub bytes: u64,
    /// BigTIFF or not.
    pub bigtiff: bool,
    /// Wall time.
    pub seconds: f64,
}

/// A planned run: the gate passed, the grid and output spec are fixed.
pub struct Pipeline<'a> {
    inputs: &'a [Dataset],
    grid: OutputGrid,
    spec: RasterSpec,
    out_nodata: f64,
    options: PipelineOptions<'a>,
}

impl<'a> Pipeline<'a> {
    /// Stage 1: gate the inputs and fix the output. Fails before any pixel work.
    pub fn plan(inputs: &'a [Dataset], options: PipelineOptions<'a>) -> Result<Pipeline<'a>> {
        let grid = gate(inputs, options.bounds).map_err(|e| Error::Usage {
            path: inputs
                .first()
                .map(|d| d.path().to_path_buf())
                .unwrap_or_default(),
            what: e.to_string(),
        })?;
        let first = &inputs[0];
        let data_type = options.data_type.unwrap_or(if options.kernel.is_some() {
            DataType::F32
        } else {
            options.method.output_type(grid.data_type, inputs.len())
        });
        let out_nodata = match (options.nodata, options.kernel.is_some()) {
            (Some(v), _) => v,
            (None, true) if data_type.is_float() => f64::NAN,
            _ => first.metadata().nodata().unwrap_or(0.0),
        };
        let has_nodata = options.nodata.is_some()
            || options.kernel.is_some() && data_type.is_float()
            || first.metadata().nodata().is_some();
        let usage = |what: String| Error::Usage {
            path: first.path().to_path_buf(),
            what,
        };
        let t = grid.transform;
        let mut geo = GeoTags {
            pixel_scale: Some(vec![t[0], -t[4], 0.0]),
            tiepoint: Some(vec![0.0, 0.0, 0.0, t[2], t[5], 0.0]),
            ..GeoTags::default()
        };
        if let Some(keys) = &first.metadata().geokeys {
            let (d, f, a) = keys.to_tags();
            geo.geokey_directory = Some(d);
            geo.geo_double_params = Some(f).filter(|f| !f.is_empty());
            geo.geo_ascii_params = Some(a).filter(|a| !a.is_empty());
        }
        let spec = RasterSpec {
            width: u32::try_from(grid.width).map_err(|_| usage("output too wide".into()))?,
            height: u32::try_from(grid.height).map_err(|_| usage("output too tall".into()))?,
            bands: u16::try_from(grid.bands).map_err(|_| usage("too many bands".into()))?,
            data_type,
            tile_width: options.tile.0,
            tile_height: options.tile.1,
            interleave: options.interleave,
            photometric: tessera_write::photometric::MIN_IS_BLACK,
            extra_samples: Vec::new(),
            colormap: None,
            geo,
            gdal_nodata: has_nodata.then(|| nodata_text(out_nodata, data_type)),
            gdal_metadata: None,
            text_tags: Vec::new(),
        };
        tessera_write::validate(&spec, &options.write)
            .map_err(|e| Error::write(Path::new("<output>"), e))?;
        Ok(Pipeline {
            inputs,
            grid,
            spec,
            out_nodata,
            options,
        })
    }

    /// The output grid.
    pub fn grid(&self) -> &OutputGrid {
        &self.grid
    }

    /// Stage 2: the windows, row-major, each a whole number of output tiles.
    pub fn windows(&self) -> Vec<Window> {
        let (tw, th) = (
            u64::from(self.spec.tile_width),
            u64::from(self.spec.tile_height),
        );
        let size = u64::from(self.options.window_size.max(1));
        let (ww, wh) = (size.div_ceil(tw) * tw, size.div_ceil(th) * th);
        tessera_grid::window_grid(self.grid.width, self.grid.height, ww, wh)
    }

    /// Stages 3 and 4: run every window in parallel and write the output.
    pub fn run(&self, target: &Path, mut progress: impl FnMut(usize, usize)) -> Result<RunSummary> {
        let start = Instant::now();
        let wr = |e| Error::write(target, e);
        let mut writer =
            TiledWriter::create(target, self.spec.clone(), self.options.write).map_err(wr)?;
        let encoder = writer.encoder();
        let windows = self.windows();
        let threads = match self.options.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        // Tiles go into the file window by window, each window's in its own fixed order (so
        // the bytes do not depend on completion). Workers send each tile as soon as it is
        // compressed: the oldest window's tiles are written at once, later windows' wait in
        // the writer's reorder buffer.
        let per_window: Vec<Vec<usize>> = windows
            .iter()
            .map(|w| self.tile_indexes(w, &encoder))
            .collect();
        // tiles_before[i]: tiles of the windows before window i.
        let tiles_before: Vec<usize> = std::iter::once(0)
            .chain(per_window.iter().scan(0, |sum, t| {
                *sum += t.len();
                Some(*sum)
            }))
            .collect();
        writer.set_write_order(per_window.concat()).map_err(wr)?;
        // Windows in flight: the oldest (written as its tiles come) and the ones after it,
        // whose tiles wait in memory. Windows of one input cost about the same, so workers
        // rarely wait on the oldest with `threads` of them: normalize ran as fast as with
        // 2 x threads and held less, more steadily (peak RSS 22.5-23.0 MiB vs 23.5-25.2, and
        // 23.0-23.3 on the 4x scene). Windows of several inputs differ (overlaps, holes):
        // mosaic with `threads` took 1.52 s (median of 8) against 1.30 s with 2 x threads.
        let ahead = if self.inputs.len() == 1 {
            threads
        } else {
            2 * threads
        };
        let window_tiles = per_window[0].len();
        writer.set_max_pending(window_tiles * ahead + 16);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| Error::Usage {
                path: target.to_path_buf(),
                what: format!("cannot start {threads} threads: {e}"),
            })?;
        let total = encoder.tile_count();
        let mut failure = None;
        let (sender, receiver) = std::sync::mpsc::channel::<WindowMessage>();
        // This thread (not one of the pool's) dispatches windows in order, one pool job
        // per window, keeping `threads` of them running (no barrier between windows) and
        // never starting one more than `ahead` windows past the first not yet written:
        // memory is bounded by that many windows whatever the raster. Jobs never block
        // (a pool thread blocked outside rayon would stall nested parallel reads); this
        // thread writes the tiles.
        pool.in_place_scope(|scope| {
            let mut started = 0;
            let mut running = 0;
            let mut written = 0;
            let mut reported = 0;
            loop {
                while failure.is_none()
                    && started < windows.len()
                    && running < threads
                    && started < written + ahead
                {
                    let sender = sender.clone();
                    let (i, windows, encoder) = (started, &windows, &encoder);
                    scope.spawn(move |_| {
                        // The receiver outlives every job of the scope.
                        let done = self.process_window(&windows[i], encoder, target, &mut |t| {
                            let _ = sender.send(WindowMessage::Tile(t));
                        });
                        let _ = sender.send(WindowMessage::Done(done));
                    });
                    started += 1;
                    running += 1;
                }
                if running == 0 {
                    break;
                }
                let Ok(message) = receiver.recv() else {
                    break;
                };
                match message {
                    // After a failure, drain the windows still running, start no more.
                    WindowMessage::Tile(_) if failure.is_some() => {}
                    WindowMessage::Tile(tile) => {
                        if let Err(e) = writer.write_tile(tile) {
                            failure = Some(wr(e));
                        }
                    }
                    WindowMessage::Done(result) => {
                        running -= 1;
                        if let (Err(e), None) = (result, &failure) {
                            failure = Some(e);
                        }
                    }
                }
                while written < windows.len() && writer.tiles_written() >= tiles_before[written + 1]
                {
                    written += 1;
                }
                if writer.tiles_written() > reported {
                    reported = writer.tiles_written();
                    progress(reported, total);
                }
            }
        });
        if let Some(e) = failure {
            return Err(e);
        }
        let summary = writer.finish().map_err(wr)?;
        Ok(RunSummary {
            inputs: self
                .inputs
                .iter()
                .map(|d| d.path().display().to_string())
                .collect(),
            grid: self.grid.clone(),
            windows: windows.len(),
            tiles: summary.tiles,
            bytes: summary.bytes,
            bigtiff: summary.bigtiff,
            seconds: start.elapsed().as_secs_f64(),
        })
    }

    /// Output tile indexes (plane 0) a window covers, row-major.
    fn tiles_in(&self, w: &Window) -> Vec<(usize, usize)> {
        let (tw, th) = (
            u64::from(self.spec.tile_width),
            u64::from(self.spec.tile_height),
        );
        let rows = (w.row_off as u64 / th)..(w.row_end() as u64).div_ceil(th);
        let cols = (w.col_off as u64 / tw)..(w.col_end() as u64).div_ceil(tw);
        rows.flat_map(|r| cols.clone().map(move |c| (r as usize, c as usize)))
            .collect()
    }

    /// Every tile index (all planes) a window produces, row-major: the order they go into
    /// the file (`process_window` may make them in another).
    fn tile_indexes(&self, w: &Window, encoder: &TileEncoder) -> Vec<usize> {
        let planes = match self.spec.interleave {
            Interleave::Pixel => 1,
            Interleave::Band => self.grid.bands,
        };
        self.tiles_in(w)
            .into_iter()
            .flat_map(|(row, col)| (0..planes).map(move |p| encoder.tile_index(p, row, col)))
            .collect()
    }

    /// Stage 3 for one window: read, kernel, merge, cut into tiles, compress.
    fn process_window(
        &self,
        w: &Window,
        encoder: &TileEncoder,
        target: &Path,
        emit: &mut dyn FnMut(EncodedTile),
    ) -> Result<()> {
        let (tw, th) = (
            self.spec.tile_width as usize,
            self.spec.tile_height as usize,
        );
        // The window padded to whole tiles: edge tiles come out padded with nodata.
        let padded = Window::new(
            w.col_off,
            w.row_off,
            (w.width as usize).div_ceil(tw) as u64 * tw as u64,
            (w.height as usize).div_ceil(th) as u64 * th as u64,
        );
        let planes: Vec<Option<usize>> = match self.spec.interleave {
            Interleave::Pixel => vec![None],
            Interleave::Band => (0..self.grid.bands).map(Some).collect(),
        };
        // One tile buffer per thread, reused from tile to tile and window to window (f32
        // elements keep it aligned for kernels); taken out while in use.
        thread_local! {
            static TILE: std::cell::Cell<Vec<f32>> = const { std::cell::Cell::new(Vec::new()) };
        }
        let mut tile = TILE.with(|t| t.take());
        // Tiles come out part by part; the writer puts them in the file in its own fixed
        // order, so the parts do not change the output.
        for part in self.read_parts(&padded) {
            let pixels = self.window_pixels(&part).map_err(|e| Error::Window {
                col: w.col_off,
                row: w.row_off,
                width: w.width,
                height: w.height,
                source: Box::new(e),
            })?;
            for (row, col) in self.tiles_in(&part) {
                let x0 = col * tw - part.col_off as usize;
                let y0 = row * th - part.row_off as usize;
                for &plane in &planes {
                    let raw = pixels.tile(x0, y0, tw, th, plane, &mut tile);
                    let index = encoder.tile_index(plane.unwrap_or(0), row, col);
                    emit(
                        encoder
                            .encode_in_place(index, raw)
                            .map_err(|e| Error::write(target, e))?,
                    );
                }
            }
        }
        TILE.with(|t| t.set(tile));
        Ok(())
    }

    /// The parts of a (tile-padded) window to read one at a time. Normally the window itself.
    /// When one input is normalized and its blocks are whole output tiles lined up with the
    /// output's tile grid, one part per source block: each part is then one decoded chunk,
    /// decoded straight into its buffer (no copy into a window buffer) and small enough to
    /// stay in cache while its tiles are cut.
    fn read_parts(&self, padded: &Window) -> Vec<Window> {
        let whole = vec![*padded];
        if self.inputs.len() != 1
            || self.options.kernel.is_none()
            || self.spec.data_type != DataType::F32
        {
            return whole;
        }
        let img = self.inputs[0].image();
        let (bw, bh) = (img.layout.block_width, img.layout.block_height);
        let (tw, th) = (
            u64::from(self.spec.tile_width),
            u64::from(self.spec.tile_height),
        );
        let p = self.grid.placements[0];
        let src = shift(padded, &p);
        let lined_up = bw % tw == 0
            && bh % th == 0
            && src.col_off.rem_euclid(bw as i64) == 0
            && src.row_off.rem_euclid(bh as i64) == 0;
        if !lined_up || (padded.width <= bw && padded.height <= bh) {
            return whole;
        }
        let mut parts = Vec::new();
        for dy in (0..padded.height).step_by(bh as usize) {
            for dx in (0..padded.width).step_by(bw as usize) {
                parts.push(Window::new(
                    padded.col_off + dx as i64,
                    padded.row_off + dy as i64,
                    bw.min(padded.width - dx),
                    bh.min(padded.height - dy),
                ));
            }
        }
        parts
    }

    /// A window's pixels, ready to be cut into tiles. With one input, a kernel and float32 output
    /// (normalize), only the input is read: the kernel runs tile by tile as tiles are cut,
    /// so no whole-window output buffer is made (and no band-to-pixel pass over it).
    fn window_pixels<'p>(&'p self, w: &Window) -> Result<WindowPixels<'p>> {
        if self.inputs.len() == 1 && self.spec.data_type == DataType::F32 {
            if let Some(kernel) = self.options.kernel {
                let p = self.grid.placements[0];
                let input = self.read_input(0, &shift(w, &p), None)?;
                let tables = (0..input.bands())
                    .map(|b| kernel.byte_table(b, input.data_type()))
                    .collect();
                return Ok(WindowPixels::Kernel {
                    input,
                    kernel,
                    tables,
                });
            }
        }
        self.compute(w).map(WindowPixels::Output)
    }

    /// The output pixels of a window (output type, band-sequential), merged from every input.
    fn compute(&self, w: &Window) -> Result<RasterBuffer> {
        let bands = self.grid.bands;
        let len = (w.width * w.height) as usize;
        let dt = self.spec.data_type;
        let copies = matches!(self.options.method, Method::First | Method::Last)
            && self.options.kernel.is_none()
            && !dt.is_complex()
            && self.inputs.iter().all(|d| d.data_type() == dt);
        if copies {
            return self.compute_copy(w);
        }
        let mut accs: Vec<Accumulator> = (0..bands)
            .map(|_| Accumulator::new(self.options.method, len).with_f32_sums(dt == DataType::F32))
            .collect();
        let mut scratch = vec![0f32; 0];
        for part in self.input_parts(w) {
            let (i, part, input) = part?;
            let nodata = self.inputs[i].metadata().nodata();
            let pw = part.width as usize;
            for (b, acc) in accs.iter_mut().enumerate() {
                let values: Box<dyn Fn(usize) -> f64 + '_> = match self.options.kernel {
                    Some(kernel) => {
                        scratch.resize(input.width() * input.height(), 0.0);
                        kernel.apply(b, &input, b, 0, &mut scratch);
                        let s = &scratch;
                        Box::new(move |k| f64::from(s[k]))
                    }
                    None => band_values(&input, b),
                };
                let invalid = |v: f64| self.options.kernel.is_none() && Some(v) == nodata;
                for r in 0..part.height as usize {
                    let at = ((part.row_off - w.row_off) as usize + r) * w.width as usize
                        + (part.col_off - w.col_off) as usize;
                    acc.add_run(at, (r * pw..(r + 1) * pw).map(&values), invalid);
                }
            }
        }
        let mut out = RasterBuffer::zeroed(dt, bands, w.width as usize, w.height as usize);
        for (b, acc) in accs.iter().enumerate() {
            store(acc.finish(self.out_nodata), out.band_bytes_mut(b), dt);
        }
        Ok(out)
    }

    /// [`Pipeline::compute`] for `first` / `last` when every input has the output type: the
    /// winning samples are copied as they are, with no per-pixel accumulator (the same
    /// result as the general path, at a fraction of its cost).
    fn compute_copy(&self, w: &Window) -> Result<RasterBuffer> {
        let (bands, dt) = (self.grid.bands, self.spec.data_type);
        let (width, height) = (w.width as usize, w.height as usize);
        let mut out = RasterBuffer::zeroed(dt, bands, width, height);
        out.fill(self.out_nodata);
        // Per pixel: an input has written it (`first` keeps the first valid sample).
        let mut taken = vec![vec![false; width * height]; bands];
        for part in self.input_parts(w) {
            let (i, part, input) = part?;
            let nodata = self.inputs[i].metadata().nodata();
            let pw = part.width as usize;
            let first = self.options.method == Method::First;
            for (b, taken) in taken.iter_mut().enumerate() {
                for r in 0..part.height as usize {
                    let at = ((part.row_off - w.row_off) as usize + r) * width
                        + (part.col_off - w.col_off) as usize;
                    let run = CopyRun {
                        src: r * pw..(r + 1) * pw,
                        at,
                        nodata,
                        first,
                    };
                    copy_run(&input, b, &mut out, &mut taken[at..at + pw], &run);
                }
            }
        }
        Ok(out)
    }

    /// Each input that overlaps output window `w`: its index, the overlap (output pixel
    /// coordinates) and the input's pixels there, read one input at a time.
    fn input_parts<'s>(
        &'s self,
        w: &'s Window,
    ) -> impl Iterator<Item = Result<(usize, Window, RasterBuffer)>> + 's {
        self.grid
            .placements
            .iter()
            .enumerate()
            .filter_map(move |(i, p)| {
                let input_area = Window::new(p.col_off, p.row_off, p.width, p.height);
                let part = w.intersection(&input_area)?;
                Some(
                    self.read_input(i, &shift(&part, p), None)
                        .map(|input| (i, part, input)),
                )
            })
    }

    /// Read a window of input `i` (input pixel coordinates), nodata-filled outside.
    fn read_input(&self, i: usize, w: &Window, fill: Option<f64>) -> Result<RasterBuffer> {
        self.inputs[i].read(&ReadRequest {
            image: ImageSel::Base,
            window: *w,
            bands: Vec::new(),
            fill,
            // Windows already run in parallel.
            parallel: false,
        })
    }
}

/// An output-grid window in an input's pixel coordinates.
fn shift(w: &Window, p: &Placement) -> Window {
    Window::new(
        w.col_off - p.col_off,
        w.row_off - p.row_off,
        w.width,
        w.height,
    )
}

/// One row run of one input for [`copy_run`].
struct CopyRun {
    /// Samples of the input band.
    src: std::ops::Range<usize>,
    /// Where they go in the output band.
    at: usize,
    /// The input's nodata (its samples equal to it, and NaN, are skipped).
    nodata: Option<f64>,
    /// `first`: a taken pixel keeps its sample; `last`: every valid sample overwrites.
    first: bool,
}

/// Copy the valid samples of a run of input band `b` into output band `b`.
fn copy_run(
    input: &RasterBuffer,
    b: usize,
    out: &mut RasterBuffer,
    taken: &mut [bool],
    run: &CopyRun,
) {
    /// `as_f64` is how the general path sees a sample (`as f64`): nodata is compared
    /// that way, while the sample itself is copied exactly.
    fn typed<T: bytemuck::Pod>(
        input: &RasterBuffer,
        b: usize,
        out: &mut RasterBuffer,
        taken: &mut [bool],
        run: &CopyRun,
        as_f64: impl Fn(T) -> f64,
    ) {
        let src = &input.band::<T>(b)[run.src.clone()];
        let dst = &mut out.band_mut::<T>(b)[run.at..run.at + run.src.len()];
        let nodata = run.nodata.unwrap_or(f64::NAN);
        let first = run.first;
        // Selects instead of branches (which pixels are valid is data): 5 % of the mosaic
        // job's CPU as a branchy loop.
        for ((d, t), &v) in dst.iter_mut().zip(taken.iter_mut()).zip(src) {
            let x = as_f64(v);
            // NaN samples never take part; a NaN nodata equals no sample (NaN != x).
            let valid = !x.is_nan() & (x != nodata);
            let write = valid & !(first & *t);
            *d = if write { v } else { *d };
            *t |= write;
        }
    }
    macro_rules! by_type {
        ($($dt:ident => $t:ty),*) => {
            match input.data_type() {
                $(DataType::$dt => typed::<$t>(input, b, out, taken, run, |v| v as f64),)*
                // Complex types never reach here (`compute` keeps them on the general path).
                _ => {}
            }
        };
    }
    by_type!(U8 => u8, I8 => i8, U16 => u16, I16 => i16, U32 => u32, I32 => i32, U64 => u64,
        I64 => i64, F32 => f32, F64 => f64);
}

/// Band `b` of a buffer as a function from pixel index to f64.
fn band_values(buf: &RasterBuffer, b: usize) -> Box<dyn Fn(usize) -> f64 + '_> {
    macro_rules! typed {
        ($($dt:ident => $t:ty),*) => {
            match buf.data_type() {
                $(DataType::$dt => { let s = buf.band::<$t>(b); Box::new(move |k| s[k] as f64) })*
                _ => Box::new(|_| f64::NAN),
            }
        };
    }
    typed!(U8 => u8, I8 => i8, U16 => u16, I16 => i16, U32 => u32, I32 => i32, U64 => u64,
        I64 => i64, F32 => f32, F64 => f64)
}

/// Store f64 values into a band of type `dt`, converted as GDAL does: integers
/// rounded half away from zero and clamped to the type, NaN to 0.
fn store(values: impl Iterator<Item = f64>, out: &mut [u8], dt: DataType) {
    macro_rules! ints {
        ($($dt:ident => $t:ty),*) => {
            match dt {
                $(DataType::$dt => {
                    let (lo, hi) = (<$t>::MIN as f64, <$t>::MAX as f64);
                    for (d, v) in bytemuck::cast_slice_mut::<u8, $t>(out).iter_mut().zip(values) {
                        *d = if v.is_nan() { 0 } else { v.round().clamp(lo, hi) as $t };
                    }
                })*
                DataType::F32 => {
                    for (d, v) in bytemuck::cast_slice_mut::<u8, f32>(out).iter_mut().zip(values) {
                        *d = v as f32;
                    }
                }
                DataType::F64 => {
                    for (d, v) in bytemuck::cast_slice_mut::<u8, f64>(out).iter_mut().zip(values) {
                        *d = v;
                    }
                }
                // Complex outputs are never produced by the pipeline's methods.
                _ => {}
            }
        };
    }
    ints!(U8 => u8, I8 => i8, U16 => u16, I16 => i16, U32 => u32, I32 => i32, U64 => u64, I64 => i64);
}

/// What a window's job sends the writing thread: each tile as it is compressed, then the
/// window's outcome.
enum WindowMessage {
    Tile(EncodedTile),
    Done(Result<()>),
}

/// A window's pixels as [`Pipeline::window_pixels`] makes them.
enum WindowPixels<'p> {
    /// The output pixels (output type, band-sequential).
    Output(RasterBuffer),
    /// The one input's pixels; output = `kernel` of them.
    Kernel {
        input: RasterBuffer,
        kernel: &'p dyn BandKernel,
        /// Each band's [`BandKernel::byte_table`], when every band has one.
        tables: Option<Vec<[f32; 256]>>,
    },
}

impl WindowPixels<'_> {
    /// One tile's raw output pixels (all bands pixel-interleaved, or band `plane`), from
    /// window pixel (x0, y0), made in `buf` (reused from tile to tile; the encoder then applies
    /// the predictor in it).
    fn tile<'b>(
        &self,
        x0: usize,
        y0: usize,
        tw: usize,
        th: usize,
        plane: Option<usize>,
        buf: &'b mut Vec<f32>,
    ) -> &'b mut [u8] {
        let (width, bands, size) = match self {
            WindowPixels::Output(b) => (b.width(), b.bands(), b.data_type().size_bytes()),
            WindowPixels::Kernel { input, .. } => (input.width(), input.bands(), 4),
        };
        let (bands, nb) = match plane {
            Some(p) => (p..p + 1, 1),
            None => (0..bands, bands),
        };
        let row_bytes = tw * nb * size;
        // The kernel's output for one band's row, before it is interleaved (kernel, nb > 1),
        // kept after the tile's own bytes.
        let row_at = (th * row_bytes).div_ceil(4);
        // Every byte of the tile is written below (each row, every band of each pixel), so the
        // previous tile's values are not cleared first: zero-filling the buffer for every tile
        // was 1.3 % of the normalize job.
        buf.resize(row_at + tw, 0.0);
        let (out, row) = buf.split_at_mut(row_at);
        let out = &mut bytemuck::cast_slice_mut::<f32, u8>(out)[..th * row_bytes];
        for (y, dst_row) in out.chunks_exact_mut(row_bytes).enumerate() {
            let start = (y0 + y) * width + x0;
            for (k, b) in bands.clone().enumerate() {
                match self {
                    WindowPixels::Output(pixels) => {
                        let src = &pixels.band_bytes(b)[start * size..][..tw * size];
                        if nb == 1 {
                            dst_row.copy_from_slice(src);
                        } else {
                            crate::buffer::interleave_band(dst_row, src, nb, k, size);
                        }
                    }
                    WindowPixels::Kernel {
                        input,
                        tables: Some(tables),
                        ..
                    } => {
                        let src = &input.band_bytes(b)[start..start + tw];
                        let dst = bytemuck::cast_slice_mut::<u8, f32>(dst_row);
                        look_up_band(dst, src, &tables[b], nb, k);
                    }
                    WindowPixels::Kernel { input, kernel, .. } => {
                        if nb == 1 {
                            let dst = bytemuck::cast_slice_mut::<u8, f32>(dst_row);
                            kernel.apply(b, input, b, start, dst);
                        } else {
                            kernel.apply(b, input, b, start, row);
                            let src = bytemuck::cast_slice::<f32, u8>(row);
                            crate::buffer::interleave_band(dst_row, src, nb, k, size);
                        }
                    }
                }
            }
        }
        &mut bytemuck::cast_slice_mut::<f32, u8>(buf)[..th * row_bytes]
    }
}

/// `dst[px * bands + k] = table[src[px]]` for each pixel `px`: one band of 8-bit samples
/// through its kernel's table, into its place in pixel-interleaved rows.
fn look_up_band(dst: &mut [f32], src: &[u8], table: &[f32; 256], bands: usize, k: usize) {
    for (px, &s) in dst.chunks_exact_mut(bands).zip(src) {
        px[k] = table[s as usize];
    }
}

/// GDAL_NODATA text for a value.
fn nodata_text(v: f64, dt: DataType) -> String {
    if v.is_nan() {
        "nan".into()
    } else if !dt.is_float() && v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v:?}")
    }
}
