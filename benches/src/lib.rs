//! Helpers shared by the single-thread codec benchmarks (`encoders`, `inflate`).

use std::time::Instant;

use tessera::codec::apply_horizontal_predictor;
use tessera::grid::BlockIndex;
use tessera::Dataset;

/// CPU time of this thread in seconds (wall time where the kernel does not report it).
pub fn cpu_now() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map(|ns| ns as f64 * 1e-9)
        .unwrap_or_else(|| {
            static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
            START.get_or_init(Instant::now).elapsed().as_secs_f64()
        })
}

/// What [`first_tiles`] hands out.
pub enum TileForm {
    /// The decoded samples with predictor 2 applied, as `convert --predictor horizontal`
    /// writes them.
    Predicted,
    /// Each (8-bit) sample as the float32 x/255, no predictor, as `normalize` writes them.
    Float32,
}

/// The first `count` blocks of `file` (row-major, plane 0, sparse ones skipped; all of them if
/// the file has fewer) in `form`.
pub fn first_tiles(
    file: &str,
    count: u64,
    form: TileForm,
) -> Result<Vec<Vec<u8>>, Box<dyn std::error::Error>> {
    let ds = Dataset::open(file)?;
    let img = ds.image();
    let across = img.width.div_ceil(img.layout.block_width);
    let samples = usize::from(img.samples);
    let bits = img.data_type.size_bytes() as u16 * 8;
    let mut tiles = Vec::new();
    for i in 0..count.min(img.layout.block_count()) {
        let block = BlockIndex {
            col: i % across,
            row: i / across,
        };
        let Some(mut raw) = ds.decode_chunk(img, block, 0)? else {
            continue;
        };
        match form {
            TileForm::Float32 => tiles.push(
                raw.iter()
                    .flat_map(|&v| (v as f32 / 255.0).to_le_bytes())
                    .collect(),
            ),
            TileForm::Predicted => {
                let width = img.layout.block_width as usize;
                apply_horizontal_predictor(&mut raw, width, samples, bits)?;
                tiles.push(raw);
            }
        }
    }
    Ok(tiles)
}
