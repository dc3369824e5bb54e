//! Single-thread throughput and output size of the tile encoders on real tiles.
//!
//! `encoders FILE [TILES]` decodes the first TILES (default 24) blocks of FILE (for the
//! reference scene: 512x512x3 uint8), applies predictor 2 as `convert --predictor
//! horizontal` does, and encodes every tile with each encoder: MB/s of input per second
//! of CPU time on this thread, and the total output size. It is the measurement behind
//! the choice of compressors in tessera-codec. `encoders FILE TILES f32` encodes the tiles
//! as normalize writes them instead: float32 x/255, no predictor; a fourth argument keeps only
//! the encoders whose name starts with it (`encoders FILE 16 f32 lzw`).

use tessera::codec::{
    deflate_encode, deflate_encode_with, lzw_encode, zstd_encode, DeflateStrategy,
};
use tessera_benches::{cpu_now, first_tiles, TileForm};

/// The zstd encoder tessera used before `structured-zstd` (kept for the comparison).
fn ruzstd_fastest(t: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(t, ruzstd::encoding::CompressionLevel::Fastest)
}

type Encoder = Box<dyn Fn(&[u8]) -> Vec<u8>>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let file = args.next().ok_or("usage: encoders FILE [TILES]")?;
    let count: u64 = args.next().map_or(Ok(24), |a| a.parse())?;
    // `f32`: encode the tiles as normalize writes them (float32 x/255, no predictor).
    let as_f32 = args.next().as_deref() == Some("f32");
    // Only the encoders whose name starts with this (all when absent).
    let only = args.next().unwrap_or_default();
    let form = if as_f32 {
        TileForm::Float32
    } else {
        TileForm::Predicted
    };
    let tiles = first_tiles(&file, count, form)?;
    let total: usize = tiles.iter().map(Vec::len).sum();
    let encoders: Vec<(&str, Encoder)> = vec![
        ("deflate 6 (auto)", Box::new(|t| deflate_encode(t, 6))),
        ("deflate 5 (auto)", Box::new(|t| deflate_encode(t, 5))),
        ("deflate 4 (auto)", Box::new(|t| deflate_encode(t, 4))),
        ("deflate 3 (auto)", Box::new(|t| deflate_encode(t, 3))),
        ("deflate 2 (auto)", Box::new(|t| deflate_encode(t, 2))),
        ("deflate 1 (auto)", Box::new(|t| deflate_encode(t, 1))),
        (
            "deflate 6 lz77 only",
            Box::new(|t| deflate_encode_with(t, 6, DeflateStrategy::Lz77)),
        ),
        (
            "deflate fast lz77",
            Box::new(|t| deflate_encode_with(t, 6, DeflateStrategy::FastLz77)),
        ),
        (
            "deflate 6 huffman only",
            Box::new(|t| deflate_encode_with(t, 6, DeflateStrategy::HuffmanOnly)),
        ),
        ("lzw", Box::new(lzw_encode)),
        ("zstd 1", Box::new(|t| zstd_encode(t, 1))),
        ("zstd 3", Box::new(|t| zstd_encode(t, 3))),
        ("zstd 9", Box::new(|t| zstd_encode(t, 9))),
        ("zstd fastest (ruzstd)", Box::new(ruzstd_fastest)),
    ];
    println!(
        "{} tiles, {:.1} MB of predicted pixels",
        tiles.len(),
        total as f64 / 1e6
    );
    for (name, encode) in encoders.iter().filter(|(n, _)| n.starts_with(&only)) {
        let mut best = f64::INFINITY;
        let mut size = 0;
        for _ in 0..3 {
            let start = cpu_now();
            size = tiles.iter().map(|t| encode(t).len()).sum::<usize>();
            best = best.min(cpu_now() - start);
        }
        println!(
            "{name:<24} {:7.1} MB/s  {:>10} bytes  ratio {:.3}",
            total as f64 / 1e6 / best,
            size,
            total as f64 / size as f64
        );
    }
    Ok(())
}
