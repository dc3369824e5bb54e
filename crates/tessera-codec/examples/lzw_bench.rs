//! Throughput of `tessera_codec::lzw_encode` next to a libtiff-style reference encoder (an
//! open-addressed hash of (prefix, byte), as libtiff and the previous tessera encoder use), on
//! deterministic synthetic data. Every output is checked to round-trip through `weezl`.
//!
//! Run with `cargo run --release -p tessera-codec --example lzw_bench [repeats]`; the best of
//! `repeats` (default 5) runs is reported. MB/s is input bytes per second of this thread's CPU time
//! (from `/proc/thread-self/schedstat` on Linux, so a busy machine skews it less; wall time
//! elsewhere). Optional further arguments: a substring of the data set names to run, and `new` or
//! `ref` to time one encoder only.

use std::time::Instant;
use tessera_codec::{apply_float_predictor, apply_horizontal_predictor, lzw_encode};

/// Seconds this thread has run on a CPU, if the kernel tells; else wall-clock seconds.
fn now() -> f64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map(|ns| ns as f64 * 1e-9)
        .unwrap_or_else(|| START.get_or_init(Instant::now).elapsed().as_secs_f64())
}

fn xorshift(s: &mut u64) -> u64 {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    *s
}

/// A spatially smooth 8-bit image value at (x, y) with a little noise.
fn smooth_u8(x: usize, y: usize, s: &mut u64) -> u8 {
    let (xf, yf) = (x as f32, y as f32);
    let v = 128.0 + 70.0 * (xf / 97.0).sin() * (yf / 131.0).cos() + 40.0 * ((xf + yf) / 53.0).sin();
    let n = (xorshift(s) % 5) as f32 - 2.0;
    (v + n).clamp(0.0, 255.0) as u8
}

/// `n x n` tiles of `t x t` pixels cut from a smooth image, each as raw bytes.
fn tiles<F: FnMut(usize, usize, &mut Vec<u8>)>(n: usize, t: usize, mut px: F) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for ty in 0..n {
        for tx in 0..n {
            let mut v = Vec::new();
            for y in 0..t {
                for x in 0..t {
                    px(tx * t + x, ty * t + y, &mut v);
                }
            }
            out.push(v);
        }
    }
    out
}

fn with_pred(tiles: &[Vec<u8>], width: usize, float: bool, bits: u16) -> Vec<Vec<u8>> {
    tiles
        .iter()
        .map(|t| {
            let mut t = t.clone();
            if float {
                apply_float_predictor(&mut t, width, 1, bits).unwrap();
            } else {
                apply_horizontal_predictor(&mut t, width, 1, bits).unwrap();
            }
            t
        })
        .collect()
}

fn bench(name: &str, tiles: &[Vec<u8>], reps: usize) {
    let filter = std::env::args().nth(2).unwrap_or_default();
    if !name.contains(&filter) {
        return;
    }
    let only = std::env::args().nth(3).unwrap_or_default();
    let total: usize = tiles.iter().map(Vec::len).sum();
    let mut line = format!("{name:<28}");
    for (label, f) in [
        ("new", lzw_encode as fn(&[u8]) -> Vec<u8>),
        ("ref", reference_encode as fn(&[u8]) -> Vec<u8>),
    ] {
        if !label.contains(&only) {
            continue;
        }
        let mut best = f64::INFINITY;
        let mut out = 0usize;
        for _ in 0..reps {
            let start = now();
            out = 0;
            for t in tiles {
                out += std::hint::black_box(f(std::hint::black_box(t))).len();
            }
            best = best.min(now() - start);
        }
        for t in tiles {
            let enc = f(t);
            let dec = weezl::decode::Decoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
                .decode(&enc)
                .unwrap();
            assert!(dec == *t, "{label} {name}: round trip failed");
            assert!(
                enc == reference_encode(t),
                "{label} {name}: differs from the reference"
            );
        }
        line += &format!(
            "  {label} {:6.0} MB/s ratio {:.4} ({} B)",
            total as f64 / 1e6 / best,
            total as f64 / out as f64,
            out
        );
    }
    println!("{line}");
}

fn main() {
    let reps: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    // Normalised uint8 image: float32 values k/255, 512x512 tiles (1 MiB each), 16 MiB.
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    let norm = tiles(4, 512, |x, y, v| {
        let k = smooth_u8(x, y, &mut s);
        v.extend_from_slice(&(k as f32 / 255.0).to_ne_bytes())
    });
    bench("f32 k/255 512 raw", &norm, reps);
    bench(
        "f32 k/255 512 pred3",
        &with_pred(&norm, 512, true, 32),
        reps,
    );
    // Smooth field plus noise (tessera-write's lzw_speed data), 256x256 tiles, 16 MiB.
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    let field = tiles(8, 256, |x, y, v| {
        let n = (xorshift(&mut s) % 1000) as f32 * 1e-3;
        let f = (x as f32 * 0.01).sin() * 100.0 + y as f32 * 0.05 + n;
        v.extend_from_slice(&f.to_ne_bytes())
    });
    bench("f32 field+noise 256 raw", &field, reps);
    bench(
        "f32 field+noise 256 pred3",
        &with_pred(&field, 256, true, 32),
        reps,
    );
    // 8- and 16-bit images, 512x512 tiles.
    let mut s = 0x1234_5678_9ABC_DEF1u64;
    let u8s = tiles(8, 512, |x, y, v| v.push(smooth_u8(x, y, &mut s)));
    bench("u8 512 raw", &u8s, reps);
    bench("u8 512 pred2", &with_pred(&u8s, 512, false, 8), reps);
    let mut s = 0x1234_5678_9ABC_DEF1u64;
    let u16s = tiles(4, 512, |x, y, v| {
        let k = smooth_u8(x, y, &mut s) as u16 * 37 + (xorshift(&mut s) % 16) as u16;
        v.extend_from_slice(&k.to_ne_bytes())
    });
    bench("u16 512 raw", &u16s, reps);
    bench("u16 512 pred2", &with_pred(&u16s, 512, false, 16), reps);
    // Incompressible and constant data.
    let mut s = 7u64;
    let random: Vec<u8> = (0..10_000_000)
        .map(|_| (xorshift(&mut s) >> 24) as u8)
        .collect();
    bench("random 10 MB", &[random], reps);
    bench("zeros 16 MB", &[vec![0u8; 16 << 20]], reps);
}

/// The libtiff-style reference: open-addressed hash of (prefix, byte), same code stream rules.
fn reference_encode(data: &[u8]) -> Vec<u8> {
    const HASH_BITS: u32 = 13;
    const HASH_SIZE: usize = 1 << HASH_BITS;
    let mut out = Vec::with_capacity(data.len() / 2 + 16);
    let (mut acc, mut nbits) = (0u64, 0u32);
    let mut put = |out: &mut Vec<u8>, code: u32, width: u32| {
        acc = (acc << width) | code as u64;
        nbits += width;
        while nbits >= 8 {
            nbits -= 8;
            out.push((acc >> nbits) as u8);
        }
        acc &= (1u64 << nbits) - 1;
        (acc, nbits)
    };
    let mut keys = vec![u32::MAX; HASH_SIZE];
    let mut vals = vec![0u16; HASH_SIZE];
    let mut width = 9u32;
    let mut maxcode = 511u32;
    let mut free = 258u32;
    put(&mut out, 256, width);
    let Some((&first, rest)) = data.split_first() else {
        let (a, n) = put(&mut out, 257, width);
        if n > 0 {
            out.push((a << (8 - n)) as u8);
        }
        return out;
    };
    let mut ent = first as u32;
    for &c in rest {
        let key = (ent << 8) | c as u32;
        let mut h = (key.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize;
        loop {
            let k = keys[h];
            if k == key {
                ent = vals[h] as u32;
                break;
            }
            if k == u32::MAX {
                put(&mut out, ent, width);
                ent = c as u32;
                keys[h] = key;
                vals[h] = free as u16;
                free += 1;
                if free == 4094 {
                    put(&mut out, 256, width);
                    keys.fill(u32::MAX);
                    free = 258;
                    width = 9;
                    maxcode = 511;
                } else if free > maxcode {
                    width += 1;
                    maxcode = (1 << width) - 1;
                }
                break;
            }
            h = (h + 1) & (HASH_SIZE - 1);
        }
    }
    put(&mut out, ent, width);
    free += 1;
    if free == 4094 {
        put(&mut out, 256, width);
        width = 9;
    } else if free > maxcode {
        width += 1;
    }
    let (a, n) = put(&mut out, 257, width);
    if n > 0 {
        out.push((a << (8 - n)) as u8);
    }
    out
}
