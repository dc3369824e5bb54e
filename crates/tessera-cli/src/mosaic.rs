//! `tessera mosaic IN... -o OUT [--method M] [--nodata V] [--bounds ...]` and the
//! shared runner of pipeline commands (`normalize` uses it too).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;
use tessera::codec::Compression;
use tessera::pipeline::{BandKernel, Method, Pipeline, PipelineOptions};
use tessera::Dataset;

use crate::progress::Progress;
use crate::writeopts::{parse_dtype, WriteArgs};

/// Options every pipeline command shares.
#[derive(Debug, Args)]
pub struct PipelineArgs {
    /// Input GeoTIFFs (same CRS, pixel size and grid).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output GeoTIFF (written to a temporary file beside it, renamed when complete).
    #[arg(short, long)]
    pub output: PathBuf,
    /// How overlapping inputs combine: first, last, min, max, mean, sum, count.
    #[arg(long, default_value = "first")]
    pub method: String,
    /// Output nodata value.
    #[arg(long, allow_negative_numbers = true)]
    pub nodata: Option<f64>,
    /// Output bounds xmin,ymin,xmax,ymax (snapped outwards to the input grid).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub bounds: Vec<f64>,
    /// Window size in pixels (rounded up to whole output tiles).
    #[arg(long = "tile-size", default_value_t = 1024)]
    pub tile_size: u32,
    /// Output data type.
    #[arg(long)]
    pub dtype: Option<String>,
    /// Print a JSON summary (inputs, grid, tiles, bytes, seconds) on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Arguments of `tessera mosaic`.
#[derive(Debug, Args)]
pub struct MosaicArgs {
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

pub fn run(args: &MosaicArgs) -> ExitCode {
    exit(run_pipeline(
        &args.pipeline,
        "mosaic",
        Compression::Deflate,
        |_| Ok(None),
    ))
}

/// Print an error as one line and map to an exit code.
pub fn exit(result: Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tessera: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Open inputs, validate every option, gate, then run with a progress bar.
/// `make_kernel` builds the per-band kernel from the opened inputs (None: mosaic).
pub fn run_pipeline(
    args: &PipelineArgs,
    what: &str,
    default_compression: Compression,
    make_kernel: impl FnOnce(&[Dataset]) -> Result<Option<Box<dyn BandKernel>>>,
) -> Result<()> {
    let config = args.write.resolve(default_compression)?;
    let method = Method::from_name(&args.method).with_context(|| {
        format!(
            "--method {}: expected first, last, min, max, mean, sum or count",
            args.method
        )
    })?;
    let data_type = args.dtype.as_deref().map(parse_dtype).transpose()?;
    let bounds = match args.bounds.as_slice() {
        [] => None,
        [a, b, c, d] => Some([*a, *b, *c, *d]),
        _ => bail!("--bounds needs xmin,ymin,xmax,ymax"),
    };
    if args.tile_size == 0 {
        bail!("--tile-size must be positive");
    }
    for input in &args.inputs {
        if let (Ok(a), Ok(b)) = (input.canonicalize(), args.output.canonicalize()) {
            if a == b {
                bail!(
                    "{}: the output would overwrite an input",
                    args.output.display()
                );
            }
        }
    }
    let inputs = args
        .inputs
        .iter()
        .map(Dataset::open)
        .collect::<Result<Vec<_>, _>>()?;
    let kernel = make_kernel(&inputs)?;
    let options = PipelineOptions {
        method,
        nodata: args.nodata,
        bounds,
        window_size: args.tile_size,
        data_type,
        write: config.write,
        tile: config.tile,
        interleave: config.interleave,
        threads: config.threads,
        kernel: kernel.as_deref(),
    };
    let pipeline = Pipeline::plan(&inputs, options)?;
    let progress = Progress::new(what, args.write.quiet);
    let summary = pipeline.run(&args.output, |done, total| progress.update(done, total));
    progress.finish();
    let summary = summary?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    }
    Ok(())
}
