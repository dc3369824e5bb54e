//! End-to-end tests of the pipeline commands `tessera normalize` and
//! `tessera mosaic`: outputs are checked by scripts/check_pipeline.py in the
//! oracle venv (numpy's float32 computation for normalize, rasterio.merge for
//! mosaic), plus thread-count determinism, the metadata gate's errors and the
//! `--json` summary.
//!
//! The inputs are made by `check_pipeline.py make-inputs` (small deterministic
//! rasters), so every test needs the oracle python: `$TESSERA_ORACLE_PYTHON`,
//! else `<repo>/.venv-oracle/bin/python`.  Without it a test fails under
//! CI=true, else prints SKIP.  `TESSERA_KEEP_TEMP=1` keeps the temporary
//! directories.
//!
//! Options are given in their documented comma form (`--range LO,HI`,
//! `--bounds xmin,ymin,xmax,ymax`, `--nodata -1`, `--clip -2,2`).  When tessera
//! rejects that form as a usage error (exit 2) the test records a failure and
//! retries with an equivalent spelling, so the numerics are still checked.

mod common;

use serde_json::Value;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

// --------------------------------------------------------------------------
// support
// --------------------------------------------------------------------------

/// A temporary directory removed when dropped (unless `TESSERA_KEEP_TEMP`).
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "tessera-pipeline-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir { path }
    }
    fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var_os("TESSERA_KEEP_TEMP").is_some_and(|v| !v.is_empty()) {
            eprintln!("kept {}", self.path.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn script() -> PathBuf {
    common::repo_root().join("scripts/check_pipeline.py")
}

fn path_str(p: &Path) -> String {
    p.to_str().expect("UTF-8 path").to_string()
}

fn tessera<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run tessera")
}

/// The first line of stderr (clap's usage errors go on for several).
fn stderr_of(o: &Output) -> String {
    let err = String::from_utf8_lossy(&o.stderr);
    err.lines().next().unwrap_or("").trim_end().to_string()
}

/// The oracle python, or `None` after `skip_or_fail`.
fn oracle_python(what: &str) -> Option<PathBuf> {
    let python = match std::env::var_os("TESSERA_ORACLE_PYTHON") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => common::repo_root().join(".venv-oracle/bin/python"),
    };
    if python.exists() {
        Some(python)
    } else {
        common::skip_or_fail(&format!(
            "{what}: oracle python {} not found (run `bash scripts/oracle-env.sh` and set TESSERA_ORACLE_PYTHON)",
            python.display()
        ));
        None
    }
}

/// Run check_pipeline.py once over many argument lists; returns each result.
fn run_checks(python: &Path, tmp: &TempDir, jobs: &[Vec<String>]) -> Vec<Value> {
    if jobs.is_empty() {
        return Vec::new();
    }
    static N: AtomicUsize = AtomicUsize::new(0);
    let jobs_file = tmp.join(&format!("jobs-{}.json", N.fetch_add(1, Ordering::SeqCst)));
    std::fs::write(&jobs_file, serde_json::to_vec(jobs).unwrap()).expect("write jobs");
    let o = Command::new(python)
        .arg(script())
        .arg("--batch")
        .arg(&jobs_file)
        .stdin(Stdio::null())
        .output()
        .expect("run check_pipeline.py");
    let _ = std::fs::remove_file(&jobs_file);
    assert!(
        o.status.success(),
        "check_pipeline.py failed ({}): {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "check_pipeline.py printed no JSON ({e}): {}",
            String::from_utf8_lossy(&o.stdout)
        )
    });
    let results = v.as_array().expect("a JSON array").clone();
    assert_eq!(results.len(), jobs.len(), "check_pipeline.py result count");
    results
}

/// A result's differences (empty when ok).
fn diffs_of(r: &Value) -> Vec<String> {
    let diffs: Vec<String> = r["diffs"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|x| x.as_str().unwrap_or("?").to_string())
                .collect()
        })
        .unwrap_or_else(|| vec![format!("bad result {r}")]);
    if r["ok"] != Value::Bool(true) && diffs.is_empty() {
        vec!["ok is false without diffs".to_string()]
    } else {
        diffs
    }
}

/// Make the deterministic inputs in `tmp/in`; `None` (after skip_or_fail) without python.
fn make_inputs(what: &str, tmp: &TempDir) -> Option<(PathBuf, PathBuf)> {
    let python = oracle_python(what)?;
    let dir = tmp.join("in");
    let job = vec!["make-inputs".to_string(), path_str(&dir), "7".to_string()];
    let r = run_checks(&python, tmp, &[job]);
    assert!(diffs_of(&r[0]).is_empty(), "make-inputs: {}", r[0]);
    Some((python, dir))
}

/// Collected failures, reported together at the end of a test.
#[derive(Default)]
struct Failures(Vec<String>);

impl Failures {
    fn add(&mut self, case: &str, detail: impl Into<String>) {
        self.0.push(format!("{case}: {}", detail.into()));
    }
    fn finish(&self, suite: &str, checked: usize) {
        for f in &self.0 {
            println!("FAIL {f}");
        }
        println!("{suite}: {checked} case(s), {} failure(s)", self.0.len());
        assert!(
            self.0.is_empty(),
            "{suite}: {} failure(s):\n  {}",
            self.0.len(),
            self.0.join("\n  ")
        );
    }
}

/// Run tessera with `args`; when it rejects them as a usage error (exit 2) and a
/// `fallback` spelling exists, record that and run the fallback instead.
/// Returns the successful run's output, or `None` after recording the failure.
fn run_case(
    case: &str,
    args: &[String],
    fallback: Option<&[String]>,
    fails: &mut Failures,
) -> Option<Output> {
    let o = tessera(args);
    if o.status.success() {
        return Some(o);
    }
    let first = format!(
        "tessera {} exited {:?}: {}",
        args.join(" "),
        o.status.code(),
        stderr_of(&o)
    );
    fails.add(case, first);
    let fb = fallback.filter(|_| o.status.code() == Some(2))?;
    let o = tessera(fb);
    if o.status.success() {
        fails.add(
            case,
            format!(
                "(the equivalent `{}` works; its output is checked)",
                fb.join(" ")
            ),
        );
        Some(o)
    } else {
        fails.add(
            case,
            format!(
                "fallback tessera {} exited {:?}: {}",
                fb.join(" "),
                o.status.code(),
                stderr_of(&o)
            ),
        );
        None
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

// --------------------------------------------------------------------------
// normalize
// --------------------------------------------------------------------------

/// One normalize case: input file, tessera options (documented form and an
/// equivalent fallback spelling), check_pipeline.py normalize options.
struct NormCase {
    name: &'static str,
    input: &'static str,
    opts: &'static [&'static str],
    fallback: Option<&'static [&'static str]>,
    oracle: &'static [&'static str],
}

const NORM_CASES: &[NormCase] = &[
    NormCase {
        name: "u8_dtype_seed",
        input: "scene_u8.tif",
        opts: &[],
        fallback: None,
        oracle: &["--mode", "dtype", "--exact"],
    },
    NormCase {
        name: "u8_nodata0_dtype",
        input: "scene_u8_nodata.tif",
        opts: &[],
        fallback: None,
        oracle: &["--mode", "dtype", "--exact"],
    },
    NormCase {
        name: "u8_nodata0_dtype_out_nodata_-1",
        input: "scene_u8_nodata.tif",
        opts: &["--nodata", "-1"],
        fallback: Some(&["--nodata=-1"]),
        oracle: &["--mode", "dtype", "--exact", "--nodata", "-1"],
    },
    // The kernel runs tile by tile as tiles are cut: one band per tile (band interleave),
    // and small tiles with partial edge tiles, against the same numpy results.
    NormCase {
        name: "u8_dtype_band_interleave_small_tiles",
        input: "scene_u8.tif",
        opts: &[
            "--interleave",
            "band",
            "--block-size",
            "32",
            "--tile-size",
            "64",
        ],
        fallback: None,
        oracle: &["--mode", "dtype", "--exact"],
    },
    NormCase {
        name: "u8_nodata0_range_pixel_small_tiles",
        input: "scene_u8_nodata.tif",
        opts: &[
            "--range",
            "10,200",
            "--block-size",
            "48",
            "--tile-size",
            "96",
        ],
        fallback: None,
        oracle: &["--mode", "range", "--lo", "10", "--hi", "200"],
    },
    NormCase {
        name: "u8_range_noclip",
        input: "scene_u8.tif",
        opts: &["--range", "10,200"],
        fallback: Some(&["--range", "10", "200"]),
        oracle: &["--mode", "range", "--lo", "10", "--hi", "200"],
    },
    NormCase {
        name: "u8_range_clip01",
        input: "scene_u8.tif",
        opts: &["--range", "10,200", "--clip"],
        fallback: Some(&["--range", "10", "200", "--clip"]),
        oracle: &[
            "--mode", "range", "--lo", "10", "--hi", "200", "--clip", "0", "1",
        ],
    },
    NormCase {
        name: "u16_dtype",
        input: "scene_u16.tif",
        opts: &[],
        fallback: None,
        oracle: &["--mode", "dtype"],
    },
    NormCase {
        name: "u16_range_clip_0.1_0.9",
        input: "scene_u16.tif",
        opts: &["--range", "1000,50000", "--clip", "0.1,0.9"],
        fallback: Some(&["--range", "1000", "50000", "--clip", "0.1,0.9"]),
        oracle: &[
            "--mode", "range", "--lo", "1000", "--hi", "50000", "--clip", "0.1", "0.9",
        ],
    },
    NormCase {
        name: "u16_range_reversed",
        input: "scene_u16.tif",
        opts: &["--range", "60000.5,123.25"],
        fallback: Some(&["--range", "60000.5", "123.25"]),
        oracle: &["--mode", "range", "--lo", "60000.5", "--hi", "123.25"],
    },
    NormCase {
        name: "u16_scale_offset",
        input: "scene_u16.tif",
        opts: &["--scale", "0.0001", "--offset", "-0.5"],
        fallback: None,
        oracle: &["--mode", "scale", "--scale", "0.0001", "--offset", "-0.5"],
    },
    NormCase {
        name: "u16_minmax",
        input: "scene_u16.tif",
        opts: &["--minmax"],
        fallback: None,
        oracle: &["--mode", "minmax"],
    },
    NormCase {
        name: "u16_zscore",
        input: "scene_u16.tif",
        opts: &["--zscore"],
        fallback: None,
        oracle: &["--mode", "zscore"],
    },
    NormCase {
        name: "i16_nodata_dtype",
        input: "scene_i16_nodata.tif",
        opts: &[],
        fallback: None,
        oracle: &["--mode", "dtype"],
    },
    NormCase {
        name: "i16_nodata_range_negative_lo_clip",
        input: "scene_i16_nodata.tif",
        opts: &["--range", "-1000,3000", "--clip"],
        fallback: Some(&["--range", "-1000", "3000", "--clip"]),
        oracle: &[
            "--mode", "range", "--lo", "-1000", "--hi", "3000", "--clip", "0", "1",
        ],
    },
    NormCase {
        name: "i16_nodata_minmax",
        input: "scene_i16_nodata.tif",
        opts: &["--minmax"],
        fallback: None,
        oracle: &["--mode", "minmax"],
    },
    NormCase {
        name: "i16_nodata_zscore_clip_-2_2",
        input: "scene_i16_nodata.tif",
        opts: &["--zscore", "--clip", "-2,2"],
        fallback: Some(&["--zscore", "--clip=-2,2"]),
        oracle: &["--mode", "zscore", "--clip", "-2", "2"],
    },
    NormCase {
        name: "i16_nodata_scale_out_nodata_-9999",
        input: "scene_i16_nodata.tif",
        opts: &["--scale", "0.5", "--offset", "3", "--nodata", "-9999"],
        fallback: Some(&["--scale", "0.5", "--offset", "3", "--nodata=-9999"]),
        oracle: &[
            "--mode", "scale", "--scale", "0.5", "--offset", "3", "--nodata", "-9999",
        ],
    },
    NormCase {
        name: "f32_nan_dtype_clip",
        input: "scene_f32.tif",
        opts: &[],
        fallback: None,
        oracle: &["--mode", "dtype"],
    },
    NormCase {
        name: "f32_nan_scale_offset",
        input: "scene_f32.tif",
        opts: &["--scale", "2", "--offset", "1"],
        fallback: None,
        oracle: &["--mode", "scale", "--scale", "2", "--offset", "1"],
    },
    NormCase {
        name: "f32_nan_minmax",
        input: "scene_f32.tif",
        opts: &["--minmax"],
        fallback: None,
        oracle: &["--mode", "minmax"],
    },
    NormCase {
        name: "f32_nan_zscore",
        input: "scene_f32.tif",
        opts: &["--zscore"],
        fallback: None,
        oracle: &["--mode", "zscore"],
    },
    NormCase {
        name: "f32_nan_zscore_clip",
        input: "scene_f32.tif",
        opts: &["--zscore", "--clip"],
        fallback: None,
        oracle: &["--mode", "zscore", "--clip", "0", "1"],
    },
];

#[test]
fn normalize_matches_numpy() {
    let tmp = TempDir::new("normalize");
    let Some((python, inputs)) = make_inputs("normalize_matches_numpy", &tmp) else {
        return;
    };
    let mut fails = Failures::default();
    let mut jobs = Vec::new();
    let mut names = Vec::new();
    for (i, c) in NORM_CASES.iter().enumerate() {
        let input = inputs.join(c.input);
        let out = tmp.join(&format!("norm-{i}.tif"));
        let base = vec![
            "normalize".to_string(),
            path_str(&input),
            "-o".into(),
            path_str(&out),
            "--quiet".into(),
        ];
        let args = [base.clone(), strings(c.opts)].concat();
        let fallback = c.fallback.map(|f| [base.clone(), strings(f)].concat());
        if run_case(c.name, &args, fallback.as_deref(), &mut fails).is_none() {
            continue;
        }
        let job = [
            vec!["normalize".to_string(), path_str(&input), path_str(&out)],
            strings(c.oracle),
        ]
        .concat();
        jobs.push(job);
        names.push(c.name);
    }
    for (name, r) in names.iter().zip(run_checks(&python, &tmp, &jobs)) {
        println!(
            "{name}: ok={} max_ulps={} params={}",
            r["ok"], r["max_ulps"], r["params"]
        );
        for d in diffs_of(&r) {
            fails.add(name, d);
        }
    }
    fails.finish("normalize_matches_numpy", NORM_CASES.len());
}

// --------------------------------------------------------------------------
// mosaic
// --------------------------------------------------------------------------

const U16_SET: &[&str] = &[
    "mos_u16_0.tif",
    "mos_u16_1.tif",
    "mos_u16_2.tif",
    "mos_u16_3.tif",
];
const F32_SET: &[&str] = &["mos_f32_0.tif", "mos_f32_1.tif", "mos_f32_2.tif"];

/// One mosaic case: inputs, tessera options (and fallback spelling), and the
/// options given to check_pipeline.py mosaic (method, nodata, snapped bounds).
struct MosCase {
    name: String,
    inputs: Vec<&'static str>,
    opts: Vec<String>,
    fallback: Option<Vec<String>>,
    oracle: Vec<String>,
}

fn mos(name: &str, inputs: &[&'static str], opts: &[&str], oracle: &[&str]) -> MosCase {
    MosCase {
        name: name.to_string(),
        inputs: inputs.to_vec(),
        opts: strings(opts),
        fallback: None,
        oracle: strings(oracle),
    }
}

fn mosaic_cases() -> Vec<MosCase> {
    let mut v = Vec::new();
    for m in ["first", "last", "min", "max", "mean", "sum", "count"] {
        v.push(mos(
            &format!("u16_{m}"),
            U16_SET,
            &["--method", m],
            &["--method", m],
        ));
    }
    let reversed: Vec<&'static str> = U16_SET.iter().rev().copied().collect();
    for m in ["first", "last"] {
        v.push(mos(
            &format!("u16_reversed_{m}"),
            &reversed,
            &["--method", m],
            &["--method", m],
        ));
    }
    for m in ["first", "min", "max", "mean", "sum", "count"] {
        v.push(mos(
            &format!("f32_{m}"),
            F32_SET,
            &["--method", m],
            &["--method", m],
        ));
    }
    // The union is cols -30..200, rows -40..150 of the 10 m grid at (500000, 5000000).
    // Bounds on the grid, inside the union:
    let inside = "499900,4999000,501500,5000200";
    // Off the grid: tessera snaps outwards to 499900,4998990,501500,5000210.
    let off = "499903,4998996,501497.5,5000204";
    let off_snapped = "499900,4998990,501500,5000210";
    // Beyond the union on every side (nodata filled):
    let beyond = "499500,4998000,502500,5001000";
    for (name, b, ob, m) in [
        ("u16_bounds_inside_first", inside, inside, "first"),
        ("u16_bounds_inside_sum", inside, inside, "sum"),
        ("u16_bounds_off_grid_max", off, off_snapped, "max"),
        ("u16_bounds_beyond_last", beyond, beyond, "last"),
        ("u16_bounds_beyond_count", beyond, beyond, "count"),
        ("u16_bounds_beyond_mean", beyond, beyond, "mean"),
    ] {
        let mut c = mos(
            name,
            U16_SET,
            &["--method", m, "--bounds", b],
            &["--method", m, "--bounds", ob],
        );
        let parts: Vec<&str> = b.split(',').collect();
        c.fallback = Some([strings(&["--method", m, "--bounds"]), strings(&parts)].concat());
        v.push(c);
    }
    // Explicit output nodata.
    for m in ["first", "max", "sum", "mean"] {
        v.push(mos(
            &format!("u16_nodata_65535_{m}"),
            U16_SET,
            &["--method", m, "--nodata", "65535"],
            &["--method", m, "--nodata", "65535"],
        ));
    }
    for m in ["min", "mean"] {
        let mut c = mos(
            &format!("f32_nodata_-32768_{m}"),
            F32_SET,
            &["--method", m, "--nodata", "-32768"],
            &["--method", m, "--nodata", "-32768"],
        );
        c.fallback = Some(strings(&["--method", m, "--nodata=-32768"]));
        v.push(c);
    }
    let mut c = mos(
        "u16_bounds_beyond_nodata_12345_min",
        U16_SET,
        &["--method", "min", "--nodata", "12345", "--bounds", beyond],
        &["--method", "min", "--nodata", "12345", "--bounds", beyond],
    );
    c.fallback = Some(
        [
            strings(&["--method", "min", "--nodata", "12345", "--bounds"]),
            strings(&beyond.split(',').collect::<Vec<_>>()),
        ]
        .concat(),
    );
    v.push(c);
    v
}

#[test]
fn mosaic_matches_rasterio_merge() {
    let tmp = TempDir::new("mosaic");
    let Some((python, inputs)) = make_inputs("mosaic_matches_rasterio_merge", &tmp) else {
        return;
    };
    let cases = mosaic_cases();
    let mut fails = Failures::default();
    let mut jobs = Vec::new();
    let mut names = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let out = tmp.join(&format!("mos-{i}.tif"));
        let files: Vec<String> = c.inputs.iter().map(|f| path_str(&inputs.join(f))).collect();
        let base = [
            vec!["mosaic".to_string()],
            files.clone(),
            strings(&["-o", &path_str(&out), "--quiet"]),
        ]
        .concat();
        let args = [base.clone(), c.opts.clone()].concat();
        let fallback = c
            .fallback
            .as_ref()
            .map(|f| [base.clone(), f.clone()].concat());
        if run_case(&c.name, &args, fallback.as_deref(), &mut fails).is_none() {
            continue;
        }
        jobs.push(
            [
                vec!["mosaic".to_string(), path_str(&out)],
                files,
                c.oracle.clone(),
            ]
            .concat(),
        );
        names.push(c.name.clone());
    }
    for (name, r) in names.iter().zip(run_checks(&python, &tmp, &jobs)) {
        println!(
            "{name}: ok={} shape={} transform={} info={}",
            r["ok"], r["shape"], r["transform"], r["info"]
        );
        for d in diffs_of(&r) {
            fails.add(name, d);
        }
    }
    fails.finish("mosaic_matches_rasterio_merge", cases.len());
}

// --------------------------------------------------------------------------
// threads
// --------------------------------------------------------------------------

#[test]
fn threads_give_identical_bytes() {
    let tmp = TempDir::new("threads");
    let Some((_python, inputs)) = make_inputs("threads_give_identical_bytes", &tmp) else {
        return;
    };
    let p = |f: &str| path_str(&inputs.join(f));
    let u16_set: Vec<String> = U16_SET.iter().map(|f| p(f)).collect();
    let runs: Vec<(&str, Vec<String>)> = vec![
        (
            "normalize_u8_dtype",
            [vec!["normalize".into(), p("scene_u8.tif")], vec![]].concat(),
        ),
        (
            "normalize_u16_zscore",
            vec!["normalize".into(), p("scene_u16.tif"), "--zscore".into()],
        ),
        (
            "normalize_i16_minmax_band_interleave",
            strings(&[
                "normalize",
                &p("scene_i16_nodata.tif"),
                "--minmax",
                "--interleave",
                "band",
            ]),
        ),
        (
            "normalize_two_inputs_mean",
            strings(&[
                "normalize",
                &p("mos_u16_0.tif"),
                &p("mos_u16_1.tif"),
                "--method",
                "mean",
                "--scale",
                "0.001",
                "--offset",
                "0",
            ]),
        ),
        (
            "mosaic_u16_first",
            [
                vec!["mosaic".to_string()],
                u16_set.clone(),
                strings(&["--method", "first"]),
            ]
            .concat(),
        ),
        (
            "mosaic_u16_mean",
            [
                vec!["mosaic".to_string()],
                u16_set.clone(),
                strings(&["--method", "mean"]),
            ]
            .concat(),
        ),
        (
            "mosaic_f32_max_lzw",
            [
                vec!["mosaic".to_string()],
                F32_SET.iter().map(|f| p(f)).collect(),
                strings(&["--method", "max", "--compress", "lzw"]),
            ]
            .concat(),
        ),
    ];
    let mut fails = Failures::default();
    for (name, args) in &runs {
        let mut outputs: Vec<(usize, Vec<u8>)> = Vec::new();
        for threads in [1usize, 2, 4] {
            let out = tmp.join(&format!("{name}-t{threads}.tif"));
            let full = [
                args.clone(),
                strings(&[
                    "-o",
                    &path_str(&out),
                    "--quiet",
                    "--tile-size",
                    "64",
                    "--block-size",
                    "32",
                    "--threads",
                    &threads.to_string(),
                ]),
            ]
            .concat();
            let o = tessera(&full);
            if !o.status.success() {
                fails.add(
                    name,
                    format!(
                        "--threads {threads}: exit {:?}: {}",
                        o.status.code(),
                        stderr_of(&o)
                    ),
                );
                continue;
            }
            outputs.push((threads, std::fs::read(&out).expect("read output")));
        }
        if let Some((t0, b0)) = outputs.first() {
            for (t, b) in &outputs[1..] {
                if b != b0 {
                    let at = b0.iter().zip(b).position(|(x, y)| x != y);
                    fails.add(
                        name,
                        format!(
                            "--threads {t} differs from --threads {t0}: {} vs {} bytes, first difference at {:?}",
                            b.len(),
                            b0.len(),
                            at
                        ),
                    );
                }
            }
        }
    }
    fails.finish("threads_give_identical_bytes", runs.len());
}

// --------------------------------------------------------------------------
// gate
// --------------------------------------------------------------------------

#[test]
fn gate_errors_via_cli() {
    let tmp = TempDir::new("gate");
    let Some((_python, inputs)) = make_inputs("gate_errors_via_cli", &tmp) else {
        return;
    };
    let out_dir = tmp.join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let cases: &[(&str, &str, &[&str], &[&str])] = &[
        // (name, command, inputs, offending files)
        (
            "mosaic_crs",
            "mosaic",
            &["mos_u16_0.tif", "gate_crs.tif"],
            &["gate_crs.tif"],
        ),
        (
            "mosaic_half_pixel",
            "mosaic",
            &["mos_u16_0.tif", "gate_halfpx.tif"],
            &["gate_halfpx.tif"],
        ),
        (
            "mosaic_band_count",
            "mosaic",
            &["mos_u16_0.tif", "gate_bands.tif"],
            &["gate_bands.tif"],
        ),
        (
            "mosaic_three_offenders",
            "mosaic",
            &[
                "mos_u16_0.tif",
                "gate_crs.tif",
                "mos_u16_1.tif",
                "gate_halfpx.tif",
                "gate_bands3.tif",
            ],
            &["gate_crs.tif", "gate_halfpx.tif", "gate_bands3.tif"],
        ),
        (
            "mosaic_data_type",
            "mosaic",
            &["mos_u16_0.tif", "mos_f32_1.tif"],
            &["mos_f32_1.tif"],
        ),
        (
            "normalize_crs",
            "normalize",
            &["mos_u16_0.tif", "gate_crs.tif"],
            &["gate_crs.tif"],
        ),
        (
            "normalize_band_count",
            "normalize",
            &["mos_u16_0.tif", "gate_bands3.tif"],
            &["gate_bands3.tif"],
        ),
    ];
    let mut fails = Failures::default();
    for (i, (name, cmd, ins, offenders)) in cases.iter().enumerate() {
        let out = out_dir.join(format!("gate-{i}.tif"));
        let mut args = vec![cmd.to_string()];
        args.extend(ins.iter().map(|f| path_str(&inputs.join(f))));
        args.extend(strings(&["-o", &path_str(&out), "--quiet"]));
        let o = tessera(&args);
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        if o.status.code() != Some(1) {
            fails.add(
                name,
                format!("expected exit 1, got {:?}: {}", o.status.code(), err.trim()),
            );
        }
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        if lines.len() != 1 {
            fails.add(
                name,
                format!("expected one line on stderr, got {}: {err:?}", lines.len()),
            );
        }
        for f in *offenders {
            if !err.contains(f) {
                fails.add(name, format!("stderr does not name {f}: {:?}", err.trim()));
            }
        }
        if !o.stdout.is_empty() {
            fails.add(
                name,
                format!("stdout not empty: {:?}", String::from_utf8_lossy(&o.stdout)),
            );
        }
        if out.exists() {
            fails.add(name, "the output file exists");
        }
        let left: Vec<String> = std::fs::read_dir(&out_dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        if !left.is_empty() {
            fails.add(name, format!("files left in the output dir: {left:?}"));
            for f in left {
                let _ = std::fs::remove_file(out_dir.join(f));
            }
        }
        println!("{name}: exit {:?}: {}", o.status.code(), err.trim());
    }
    fails.finish("gate_errors_via_cli", cases.len());
}

// --------------------------------------------------------------------------
// --json
// --------------------------------------------------------------------------

#[allow(clippy::too_many_arguments)]
fn check_summary(
    name: &str,
    o: &Output,
    out: &Path,
    want_inputs: &[String],
    want: (&[f64; 6], u64, u64),
    placements: &[(i64, i64, u64, u64)],
    windows: u64,
    tiles: u64,
    fails: &mut Failures,
) {
    let s: Value = match serde_json::from_slice(&o.stdout) {
        Ok(v) => v,
        Err(e) => {
            fails.add(
                name,
                format!(
                    "stdout is not one JSON document ({e}): {:?}",
                    String::from_utf8_lossy(&o.stdout)
                ),
            );
            return;
        }
    };
    println!("{name}: {s}");
    let got_inputs: Vec<String> = s["inputs"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| v.as_str().unwrap_or("?").to_string())
                .collect()
        })
        .unwrap_or_default();
    if got_inputs != want_inputs {
        fails.add(
            name,
            format!("inputs: expected {want_inputs:?}, got {}", s["inputs"]),
        );
    }
    let g = &s["grid"];
    let t: Vec<f64> = g["transform"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    if t != want.0.to_vec() {
        fails.add(
            name,
            format!(
                "grid.transform: expected {:?}, got {}",
                want.0, g["transform"]
            ),
        );
    }
    for (k, w) in [("width", want.1), ("height", want.2)] {
        if g[k].as_u64() != Some(w) {
            fails.add(name, format!("grid.{k}: expected {w}, got {}", g[k]));
        }
    }
    let got_pl: Vec<(i64, i64, u64, u64)> = g["placements"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    (
                        p["col_off"].as_i64().unwrap_or(i64::MIN),
                        p["row_off"].as_i64().unwrap_or(i64::MIN),
                        p["width"].as_u64().unwrap_or(0),
                        p["height"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    if got_pl != placements {
        fails.add(
            name,
            format!(
                "grid.placements: expected {placements:?} (col_off, row_off, width, height), got {}",
                g["placements"]
            ),
        );
    }
    for (k, w) in [("windows", windows), ("tiles", tiles)] {
        if s[k].as_u64() != Some(w) {
            fails.add(name, format!("{k}: expected {w}, got {}", s[k]));
        }
    }
    let size = std::fs::metadata(out).map(|m| m.len()).ok();
    if s["bytes"].as_u64() != size {
        fails.add(
            name,
            format!("bytes: {} but the file has {size:?}", s["bytes"]),
        );
    }
    match s["seconds"].as_f64() {
        Some(x) if x >= 0.0 && x.is_finite() => {}
        _ => fails.add(
            name,
            format!("seconds: expected a number >= 0, got {}", s["seconds"]),
        ),
    }
}

#[test]
fn json_summary() {
    let tmp = TempDir::new("json");
    let Some((_python, inputs)) = make_inputs("json_summary", &tmp) else {
        return;
    };
    let mut fails = Failures::default();

    // mosaic of the four uint16 inputs (offsets in whole pixels, as make-inputs
    // places them: (0,0), (50,20), (-30,60), (80,-40); 120x90 each).
    let files: Vec<String> = U16_SET.iter().map(|f| path_str(&inputs.join(f))).collect();
    let out = tmp.join("mosaic.tif");
    let args = [
        vec!["mosaic".to_string()],
        files.clone(),
        strings(&[
            "-o",
            &path_str(&out),
            "--quiet",
            "--json",
            "--tile-size",
            "64",
            "--block-size",
            "32",
        ]),
    ]
    .concat();
    let o = tessera(&args);
    if o.status.success() {
        check_summary(
            "mosaic",
            &o,
            &out,
            &files,
            (&[10.0, 0.0, 499700.0, 0.0, -10.0, 5000400.0], 230, 190),
            &[
                (30, 40, 120, 90),
                (80, 60, 120, 90),
                (0, 100, 120, 90),
                (110, 0, 120, 90),
            ],
            4 * 3,
            8 * 6,
            &mut fails,
        );
    } else {
        fails.add(
            "mosaic",
            format!("exit {:?}: {}", o.status.code(), stderr_of(&o)),
        );
    }

    // normalize of one 300x200 input, band interleave: tiles per band.
    let input = path_str(&inputs.join("scene_u8.tif"));
    let out = tmp.join("normalize.tif");
    let o = tessera([
        "normalize",
        &input,
        "-o",
        &path_str(&out),
        "--quiet",
        "--json",
        "--tile-size",
        "100",
        "--block-size",
        "64",
        "--interleave",
        "band",
    ]);
    if o.status.success() {
        // windows: 100 rounded up to whole 64-pixel tiles = 128 -> 3 x 2;
        // tiles: 5 x 4 per band, 3 bands.
        check_summary(
            "normalize",
            &o,
            &out,
            std::slice::from_ref(&input),
            (&[10.0, 0.0, 500000.0, 0.0, -10.0, 5000000.0], 300, 200),
            &[(0, 0, 300, 200)],
            3 * 2,
            5 * 4 * 3,
            &mut fails,
        );
    } else {
        fails.add(
            "normalize",
            format!("exit {:?}: {}", o.status.code(), stderr_of(&o)),
        );
    }
    fails.finish("json_summary", 2);
}
