//! numpy oracle: the kernels equal numpy's float32 computation (NEP 50, numpy ≥ 2).
//!
//! Runs the python at `$TESSERA_ORACLE_PYTHON`, else `<repo>/.venv-oracle/bin/python`
//! (created by scripts/oracle-env.sh). It evaluates each kernel's numpy expression on the
//! same inputs (raw little-endian files) and writes float32 results back. Required: exactly
//! the same bits for the seed's u8 / 255 (all 256 values), within 1 ulp everywhere else
//! (NaN == NaN; ±0 and infinities must match exactly). When the python is missing the test
//! prints SKIP, unless `CI=true`, where it fails.

mod common;
use common::*;
use std::path::PathBuf;
use std::process::Command;
use tessera_kernels::{Kernel, Normalize};

const SCRIPT: &str = r#"
import sys, math, warnings
import numpy as np
warnings.simplefilter("ignore")
np.seterr(all="ignore")
assert int(np.__version__.split(".")[0]) >= 2, np.__version__
d = sys.argv[1]
dtypes = open(d + "/inputs.txt").read().split()
xs = [np.fromfile("%s/in%d.bin" % (d, i), dtype=np.dtype(t).newbyteorder("<")) for i, t in enumerate(dtypes)]
with open(d + "/out.bin", "wb") as out:
    for line in open(d + "/cases.txt"):
        f = line.split()
        x = xs[int(f[0])]
        mode, p1, p2 = f[1], float(f[2]), float(f[3])
        if mode == "seed":
            v = np.clip(x.astype(np.float32) / 255.0, 0, 1)
        else:
            xf = x.astype(np.float32)
            if mode == "dtype":
                if x.dtype.kind == "u":
                    v = xf / np.iinfo(x.dtype).max
                elif x.dtype.kind == "i":
                    info = np.iinfo(x.dtype)
                    v = (xf - info.min) / (info.max - info.min)
                else:
                    v = xf
            elif mode == "range":
                v = (xf - p1) / (p2 - p1)
            elif mode == "affine":
                v = p1 * xf + p2
            elif mode == "zscore":
                v = (xf - p1) / p2
            else:
                raise ValueError(mode)
            if f[4] != "none":
                v = np.clip(v, float(f[4]), float(f[5]))
            if f[6] != "none":
                nd = float(f[6])
                mask = np.isnan(x) if math.isnan(nd) else (x == nd)
                v = np.where(mask, np.float32(float(f[7])), v)
        assert v.dtype == np.float32, (line, v.dtype)
        out.write(v.astype("<f4").tobytes())
"#;

fn oracle_python() -> Option<PathBuf> {
    let p = match std::env::var_os("TESSERA_ORACLE_PYTHON") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv-oracle/bin/python"),
    };
    p.exists().then_some(p)
}

/// numpy-side description of a kernel: `mode p1 p2 clip_lo clip_hi nodata out_nodata`.
fn describe(k: &Kernel) -> String {
    let (mode, p1, p2) = match k.normalize {
        Normalize::DtypeRange => ("dtype", 0.0, 0.0),
        Normalize::Range { lo, hi } => ("range", lo, hi),
        Normalize::Affine { scale, offset } => ("affine", scale, offset),
        Normalize::ZScore { mean, std } => ("zscore", mean, std),
    };
    let clip = k.clip.map_or("none none".to_string(), |(lo, hi)| {
        format!("{:?} {:?}", lo as f64, hi as f64)
    });
    let nd = k.in_nodata.map_or("none".to_string(), |v| format!("{v:?}"));
    format!("{mode} {p1:?} {p2:?} {clip} {nd} {:?}", k.out_nodata as f64)
}

/// Units in the last place between two same-sign finite floats.
fn ulps(a: f32, b: f32) -> Option<u32> {
    (a.is_finite() && b.is_finite() && a.is_sign_negative() == b.is_sign_negative())
        .then(|| a.to_bits().abs_diff(b.to_bits()))
}

#[test]
fn numpy_agrees() {
    let Some(python) = oracle_python() else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("CI=true but no oracle python (TESSERA_ORACLE_PYTHON or <repo>/.venv-oracle/bin/python)");
        }
        println!("SKIP: no oracle python; set TESSERA_ORACLE_PYTHON");
        return;
    };
    let dir = std::env::temp_dir().join(format!("tessera-kernels-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let inputs = inputs();
    let dtypes: Vec<&str> = inputs.iter().map(|i| i.dtype()).collect();
    std::fs::write(dir.join("inputs.txt"), dtypes.join("\n")).unwrap();
    for (i, input) in inputs.iter().enumerate() {
        std::fs::write(dir.join(format!("in{i}.bin")), input.to_le_bytes()).unwrap();
    }

    // Every normalization and clip; the nodata kinds that matter; NaN and a number out.
    let mut kernels = Vec::new();
    for normalize in normalizations() {
        for clip in clips() {
            for in_nodata in [None, Some(0.0), Some(-9999.0), Some(f64::NAN), Some(0.1)] {
                for out_nodata in [f32::NAN, -9999.0] {
                    if in_nodata.is_some() || out_nodata.is_nan() {
                        kernels.push(Kernel {
                            normalize,
                            clip,
                            in_nodata,
                            out_nodata,
                        });
                    }
                }
            }
        }
    }
    let seed = Kernel {
        normalize: Normalize::DtypeRange,
        clip: Some((0.0, 1.0)),
        ..Kernel::default()
    };
    let mut cases = String::new();
    let mut expect: Vec<(usize, Kernel, bool)> = Vec::new();
    // The seed pipeline's literal expression on every u8 value.
    cases.push_str("0 seed 0 0 none none none 0\n");
    expect.push((0, seed, true));
    for k in &kernels {
        for i in 0..inputs.len() {
            cases.push_str(&format!("{i} {}\n", describe(k)));
            let exact = i == 0 && k.normalize == Normalize::DtypeRange;
            expect.push((i, *k, exact));
        }
    }
    std::fs::write(dir.join("cases.txt"), cases).unwrap();

    let out = Command::new(&python)
        .arg("-c")
        .arg(SCRIPT)
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(dir.join("out.bin")).unwrap();
    let numpy: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect();

    let (mut pos, mut compared, mut inexact, mut max_ulps) = (0usize, 0usize, 0usize, 0u32);
    for (i, k, exact) in expect {
        let input = &inputs[i];
        let n = input.len();
        let want = &numpy[pos..pos + n];
        pos += n;
        let mut got = vec![0f32; n];
        k.apply(input.slice(), &mut got).unwrap();
        for j in 0..n {
            let (g, w) = (got[j], want[j]);
            if same(g, w) {
                continue;
            }
            let u = ulps(g, w);
            let ok = !exact && u.is_some_and(|u| u <= 1);
            assert!(
                ok,
                "{k:?} on {} sample {} ({}): tessera {g:e} ({:#x}) numpy {w:e} ({:#x})",
                input.dtype(),
                j,
                input.get_f64(j),
                g.to_bits(),
                w.to_bits()
            );
            inexact += 1;
            max_ulps = max_ulps.max(u.unwrap_or(0));
        }
        compared += n;
    }
    assert_eq!(pos, numpy.len(), "numpy wrote a different number of values");
    println!("numpy oracle: {compared} values compared, {inexact} not bit-identical (max {max_ulps} ulp)");
    std::fs::remove_dir_all(&dir).ok();
}
