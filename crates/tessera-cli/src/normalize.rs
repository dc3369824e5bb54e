//! `tessera normalize IN... -o OUT [--range LO,HI | --minmax | --zscore | --scale A --offset B]
//! [--clip [LO,HI]] [pipeline and writer options]`

use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Args;
use tessera::codec::Compression;
use tessera::pipeline::{BandKernel, NormalizeKernel, NormalizeMode};

use crate::mosaic::{exit, run_pipeline, PipelineArgs};

/// Arguments of `tessera normalize`.
#[derive(Debug, Args)]
pub struct NormalizeArgs {
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// Map LO..HI onto 0..1: (x - LO) / (HI - LO).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub range: Vec<f64>,
    /// Per band (x - min) / (max - min), from exact statistics (a first pass).
    #[arg(long)]
    pub minmax: bool,
    /// Per band (x - mean) / std, from exact statistics (a first pass).
    #[arg(long)]
    pub zscore: bool,
    /// A * x + B (with --offset).
    #[arg(long, allow_negative_numbers = true)]
    pub scale: Option<f64>,
    /// A * x + B (with --scale).
    #[arg(long, allow_negative_numbers = true)]
    pub offset: Option<f64>,
    /// Clip the result to [0, 1], or to LO,HI.
    #[arg(long, value_delimiter = ',', num_args = 0..=1, allow_hyphen_values = true)]
    pub clip: Option<Vec<f64>>,
}

pub fn run(args: &NormalizeArgs) -> ExitCode {
    exit(normalize(args))
}

fn normalize(args: &NormalizeArgs) -> Result<()> {
    let (mode, default_clip) = mode(args)?;
    let clip = match args.clip.as_deref() {
        None => default_clip,
        Some([]) => Some((0.0, 1.0)),
        Some([lo, hi]) => Some((*lo as f32, *hi as f32)),
        Some(_) => bail!("--clip takes no value or LO,HI"),
    };
    let nodata = args.pipeline.nodata;
    run_pipeline(
        &args.pipeline,
        "normalize",
        Compression::Deflate,
        |inputs| {
            let kernel = NormalizeKernel::new(inputs, mode, clip, nodata)?;
            Ok(Some(Box::new(kernel) as Box<dyn BandKernel>))
        },
    )
}

/// The normalisation asked for, and the clip it implies when --clip is absent (the
/// default dtype-range mode clips to [0, 1] as the seed pipeline does).
fn mode(args: &NormalizeArgs) -> Result<(NormalizeMode, Option<(f32, f32)>)> {
    let chosen = [
        !args.range.is_empty(),
        args.minmax,
        args.zscore,
        args.scale.is_some() || args.offset.is_some(),
    ]
    .iter()
    .filter(|&&b| b)
    .count();
    if chosen > 1 {
        bail!("choose one of --range, --minmax, --zscore, --scale/--offset");
    }
    Ok(match args.range.as_slice() {
        [lo, hi] => (NormalizeMode::Range(*lo, *hi), None),
        [_] | [_, _, ..] => bail!("--range needs LO,HI"),
        [] if args.minmax => (NormalizeMode::MinMax, None),
        [] if args.zscore => (NormalizeMode::ZScore, None),
        [] => match (args.scale, args.offset) {
            (None, None) => (NormalizeMode::DtypeRange, Some((0.0, 1.0))),
            (scale, offset) => (
                NormalizeMode::Affine(scale.unwrap_or(1.0), offset.unwrap_or(0.0)),
                None,
            ),
        },
    })
}
