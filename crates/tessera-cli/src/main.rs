//! The `tessera` command: a thin layer over the `tessera` library. clap parses the
//! arguments, each subcommand module validates them and calls the library.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod convert;
mod heap;
mod info;
mod mosaic;
mod normalize;
mod progress;
mod writeopts;

/// tessera: a pure-Rust GeoTIFF engine.
#[derive(Debug, Parser)]
#[command(name = "tessera", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Describe a GeoTIFF: size, type, blocks, compression, CRS, georeferencing, bands.
    Info(info::InfoArgs),
    /// Rewrite a GeoTIFF as a tiled, compressed GeoTIFF (everything the reader understood is kept).
    Convert(convert::ConvertArgs),
    /// Combine aligned GeoTIFFs into one (rasterio.merge's methods, nodata-aware).
    Mosaic(mosaic::MosaicArgs),
    /// Normalise GeoTIFFs to float32 (dtype range, --range, --minmax, --zscore, --scale/--offset) and merge them.
    Normalize(normalize::NormalizeArgs),
}

fn main() -> ExitCode {
    heap::keep_freed_memory();
    let cli = Cli::parse();
    match cli.command {
        Command::Info(args) => info::run(&args),
        Command::Convert(args) => convert::run(&args),
        Command::Mosaic(args) => mosaic::run(&args),
        Command::Normalize(args) => normalize::run(&args),
    }
}
