//! Single-threaded throughput of the tessera-kernels fast bodies next to a plain memcpy.
//!
//! `kernels [--mib N] [--repeat N]` runs each kernel over `N` MiB of input (default 64),
//! best of `--repeat` (default 5), and prints one JSON line per kernel: GB/s of float32 output
//! written (GB = 10^9 bytes), the GB/s of a `copy_from_slice` of the same output bytes, and
//! their ratio (goal: ≥ 0.5).

use std::hint::black_box;
use std::time::Instant;

use tessera_kernels::{InputSlice, Kernel, Normalize};

/// Deterministic pseudo-random bits (xorshift64*).
fn bits(n: usize, seed: u64) -> impl Iterator<Item = u64> {
    let mut s = seed;
    (0..n).map(move |_| {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        s.wrapping_mul(0x2545_f491_4f6c_dd1d)
    })
}

fn best_of(repeat: usize, mut f: impl FnMut()) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        f();
        best = best.min(start.elapsed().as_secs_f64());
    }
    best
}

fn report(name: &str, dtype: &str, kernel: &Kernel, input: InputSlice<'_>, repeat: usize) {
    let n = input.len();
    // Fault the pages in before timing.
    let mut out = vec![1f32; n];
    let src = vec![2f32; n];
    let mut dst = vec![3f32; n];
    let secs = best_of(repeat, || {
        kernel
            .apply(input, black_box(&mut out))
            .expect("valid kernel");
        black_box(&out);
    });
    let memcpy = best_of(repeat, || {
        black_box(&mut dst).copy_from_slice(black_box(&src));
        black_box(&dst);
    });
    let out_bytes = (n * 4) as f64;
    let gbps = out_bytes / secs / 1e9;
    let memcpy_gbps = out_bytes / memcpy / 1e9;
    println!(
        "{}",
        serde_json::json!({
            "kernel": name,
            "input": dtype,
            "pixels": n,
            "out_bytes": n * 4,
            "seconds": secs,
            "gb_per_s": gbps,
            "memcpy_seconds": memcpy,
            "memcpy_gb_per_s": memcpy_gbps,
            "ratio": gbps / memcpy_gbps,
            "touch": out[n / 2],
        })
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut mib = 64usize;
    let mut repeat = 5usize;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--mib" => mib = it.next().ok_or("--mib needs a value")?.parse()?,
            "--repeat" => repeat = it.next().ok_or("--repeat needs a value")?.parse()?,
            other => {
                return Err(format!(
                    "unknown argument {other}; usage: kernels [--mib N] [--repeat N]"
                )
                .into())
            }
        }
    }
    let bytes = mib << 20;

    let u8s: Vec<u8> = bits(bytes, 1).map(|b| b as u8).collect();
    let seed = Kernel {
        normalize: Normalize::DtypeRange,
        clip: Some((0.0, 1.0)),
        ..Kernel::default()
    };
    report(
        "u8 DtypeRange+clip",
        "u8",
        &seed,
        InputSlice::U8(&u8s),
        repeat,
    );
    drop(u8s);

    let u16s: Vec<u16> = bits(bytes / 2, 2).map(|b| b as u16).collect();
    let range = Kernel {
        normalize: Normalize::Range {
            lo: 100.0,
            hi: 4100.0,
        },
        ..Kernel::default()
    };
    report("u16 Range", "u16", &range, InputSlice::U16(&u16s), repeat);
    drop(u16s);

    let f32s: Vec<f32> = bits(bytes / 4, 3)
        .map(|b| (b >> 40) as f32 / 65536.0 - 128.0)
        .collect();
    let affine = Kernel {
        normalize: Normalize::Affine {
            scale: 0.0001,
            offset: -0.1,
        },
        ..Kernel::default()
    };
    report("f32 Affine", "f32", &affine, InputSlice::F32(&f32s), repeat);
    drop(f32s);

    // About 1 pixel in 8 is nodata.
    let i16s: Vec<i16> = bits(bytes / 2, 4)
        .map(|b| if b % 8 == 0 { -9999 } else { b as i16 })
        .collect();
    let zscore = Kernel {
        normalize: Normalize::ZScore {
            mean: 1200.5,
            std: 310.25,
        },
        in_nodata: Some(-9999.0),
        ..Kernel::default()
    };
    report(
        "i16 ZScore+nodata",
        "i16",
        &zscore,
        InputSlice::I16(&i16s),
        repeat,
    );
    Ok(())
}
