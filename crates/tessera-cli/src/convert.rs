//! `tessera convert IN -o OUT [writer options] [--bands 1,3] [--dtype T]`

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;
use tessera::codec::Compression;
use tessera::{ConvertOptions, Dataset};

use crate::progress::Progress;
use crate::writeopts::{parse_dtype, WriteArgs};

/// Arguments of `tessera convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Input GeoTIFF.
    pub input: PathBuf,
    /// Output GeoTIFF (written to a temporary file beside it, renamed when complete).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Bands to keep, 1-based, in output order (e.g. 3,2,1).
    #[arg(long, value_delimiter = ',')]
    pub bands: Vec<usize>,
    /// Output data type (uint8 ... float64, or GDAL's Byte, Float32 ...), converted as gdal_translate -ot.
    #[arg(long)]
    pub dtype: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
}

pub fn run(args: &ConvertArgs) -> ExitCode {
    match convert(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tessera: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn convert(args: &ConvertArgs) -> Result<()> {
    let config = args.write.resolve(Compression::Deflate)?;
    let data_type = args.dtype.as_deref().map(parse_dtype).transpose()?;
    if args.bands.contains(&0) {
        bail!("--bands: bands are numbered from 1");
    }
    if same_file(&args.input, &args.output) {
        bail!(
            "{}: the output would overwrite the input",
            args.output.display()
        );
    }
    let ds = Dataset::open(&args.input)?;
    let options = ConvertOptions {
        write: config.write,
        tile_width: config.tile.0,
        tile_height: config.tile.1,
        interleave: config.interleave,
        bands: args.bands.iter().map(|b| b - 1).collect(),
        data_type,
        threads: config.threads,
    };
    // Every option is checked against the input before any pixel is read.
    let plan = ds
        .plan_convert(&options)
        .with_context(|| format!("{}: invalid options", args.output.display()))?;
    let progress = Progress::new("convert", args.write.quiet);
    let summary = ds.run_convert(&plan, &args.output, |done, total| {
        progress.update(done, total)
    });
    progress.finish();
    let summary = summary?;
    if !args.write.quiet {
        eprintln!(
            "{}: {} tiles, {} bytes{}",
            args.output.display(),
            summary.tiles,
            summary.bytes,
            if summary.bigtiff { ", BigTIFF" } else { "" }
        );
    }
    Ok(())
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
