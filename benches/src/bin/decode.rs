//! Decode a whole GeoTIFF (every band, every pixel) and print the throughput.
//!
//! `decode FILE [--threads N] [--repeat N]` prints one JSON line:
//! `{"tool":"tessera","file":...,"bytes":...,"seconds":...,"mb_per_s":...}` with the
//! best of `--repeat` runs. MB = 10^6 bytes of decoded pixels. `benches/run.sh decode`
//! runs it next to GDAL (rasterio) on the same file.

use std::time::Instant;

use rayon::prelude::*;
use tessera::Dataset;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut file = None;
    let mut threads = 0usize;
    let mut repeat = 3usize;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--threads" => threads = it.next().ok_or("--threads needs a value")?.parse()?,
            "--repeat" => repeat = it.next().ok_or("--repeat needs a value")?.parse()?,
            other => file = Some(other.to_string()),
        }
    }
    let file = file.ok_or("usage: decode FILE [--threads N] [--repeat N]")?;
    if threads > 0 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()?;
    }
    let mut best = f64::INFINITY;
    let mut bytes = 0u64;
    let mut checksum = 0u64;
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        let ds = Dataset::open(&file)?;
        let img = ds.image();
        // The pipeline's access pattern: block-aligned windows read in parallel, each
        // decoded and copied on its worker.
        let windows = tessera::grid::window_grid(
            img.width,
            img.height,
            img.layout.block_width,
            img.layout.block_height,
        );
        let results: Vec<Result<(u64, u64), tessera::Error>> = windows
            .par_iter()
            .map(|w| {
                let buf = ds.read_window(*w)?;
                // Touch the result so the work cannot be optimised away.
                let b = buf.bytes();
                Ok((b.len() as u64, u64::from(b[b.len() / 2])))
            })
            .collect();
        bytes = 0;
        for r in results {
            let (n, touch) = r?;
            bytes += n;
            checksum = checksum.wrapping_add(touch);
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "{}",
        serde_json::json!({
            "tool": "tessera",
            "file": file,
            "threads": rayon::current_num_threads(),
            "bytes": bytes,
            "seconds": best,
            "mb_per_s": bytes as f64 / best / 1e6,
            "touch": checksum,
        })
    );
    Ok(())
}
