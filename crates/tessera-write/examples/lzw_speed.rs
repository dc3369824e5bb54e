//! One quick measurement of `tessera_codec::lzw_encode` on 16 MB of float32-like data
//! (smooth field plus noise), raw and after the floating point predictor, in 256x256 tiles.
//! Run with `cargo run --release -p tessera-write --example lzw_speed`.

use std::time::Instant;

fn main() {
    let (w, h) = (2048usize, 2048usize); // 16 MiB of f32
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut data = Vec::with_capacity(w * h * 4);
    for y in 0..h {
        for x in 0..w {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let v = (x as f32 * 0.01).sin() * 100.0 + y as f32 * 0.05 + (seed % 1000) as f32 * 1e-3;
            data.extend_from_slice(&v.to_ne_bytes());
        }
    }
    let tile = 256 * 256 * 4;
    for (name, pred) in [("raw", false), ("predictor 3", true)] {
        let tiles: Vec<Vec<u8>> = data
            .chunks(tile)
            .map(|c| {
                let mut t = c.to_vec();
                if pred {
                    tessera_codec::apply_float_predictor(&mut t, 256, 1, 32).unwrap();
                }
                t
            })
            .collect();
        let start = Instant::now();
        let mut out = 0usize;
        for t in &tiles {
            out += tessera_codec::lzw_encode(t).len();
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "lzw_encode {name}: {:.1} MB in {:.3} s = {:.0} MB/s (ratio {:.2})",
            data.len() as f64 / 1e6,
            secs,
            data.len() as f64 / 1e6 / secs,
            data.len() as f64 / out as f64
        );
    }
}
