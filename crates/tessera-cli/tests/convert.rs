//! End-to-end tests of `tessera convert`: the output is read back by tessera
//! (`info --json --checksum`) and by GDAL (scripts/compare_gdal.py in the
//! oracle venv), across the interop files, a matrix of writer options over the
//! GDAL-made fixtures, thread counts, data type conversion and the error
//! contract (exit 1, one line on stderr, no output file, no temporary file).
//!
//! Python: `$TESSERA_ORACLE_PYTHON`, else `<repo>/.venv-oracle/bin/python`.
//! Interop dir: `$TESSERA_INTEROP_DIR`, else `<repo>/testdata/interop` (a copy of the shared suite)
//! (`TESSERA_INTEROP_ONLY=substring` restricts the interop files).  A part
//! that needs one of them fails under CI=true when it is missing, else prints
//! SKIP.  `TESSERA_KEEP_TEMP=1` keeps the temporary directories.

mod common;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
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
            "tessera-convert-{tag}-{}-{}",
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

fn fixtures_dir() -> PathBuf {
    common::repo_root().join("testdata/fixtures")
}

fn fixture(name: &str) -> PathBuf {
    fixtures_dir().join(name)
}

/// Run tessera with `args`.
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

/// `tessera convert SRC -o OUT --quiet OPTS...`
fn convert(src: &Path, out: &Path, opts: &[&str]) -> Output {
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("convert"),
        src.as_os_str(),
        OsStr::new("-o"),
        out.as_os_str(),
        OsStr::new("--quiet"),
    ];
    args.extend(opts.iter().map(OsStr::new));
    tessera(args)
}

fn stderr_of(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).trim_end().to_string()
}

/// `tessera info FILE --json --checksum`, parsed.
fn info(file: &Path) -> Result<Value, String> {
    let o = tessera([
        OsStr::new("info"),
        file.as_os_str(),
        OsStr::new("--json"),
        OsStr::new("--checksum"),
    ]);
    if !o.status.success() {
        return Err(format!(
            "tessera info exit {:?}: {}",
            o.status.code(),
            stderr_of(&o)
        ));
    }
    serde_json::from_slice(&o.stdout).map_err(|e| format!("tessera info: not JSON: {e}"))
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

/// The interop `(expected, files)` dirs, or `None` after `skip_or_fail`.
fn interop_dirs(what: &str) -> Option<(PathBuf, PathBuf)> {
    let dir = common::interop_dir();
    let (expected, files) = (dir.join("expected"), dir.join("files"));
    if expected.is_dir() && files.is_dir() {
        Some((expected, files))
    } else {
        common::skip_or_fail(&format!(
            "{what}: interop suite not found at {} (set TESSERA_INTEROP_DIR)",
            dir.display()
        ));
        None
    }
}

/// Run scripts/compare_gdal.py once over many argument lists; returns each
/// job's differences (empty = GDAL reads OUT as it reads SRC).
fn compare_gdal(python: &Path, tmp: &TempDir, jobs: &[Vec<String>]) -> Vec<Vec<String>> {
    if jobs.is_empty() {
        return Vec::new();
    }
    static N: AtomicUsize = AtomicUsize::new(0);
    let jobs_file = tmp.join(&format!("jobs-{}.json", N.fetch_add(1, Ordering::SeqCst)));
    std::fs::write(&jobs_file, serde_json::to_vec(jobs).unwrap()).expect("write jobs");
    let o = Command::new(python)
        .arg(common::repo_root().join("scripts/compare_gdal.py"))
        .arg("--batch")
        .arg(&jobs_file)
        .stdin(Stdio::null())
        .output()
        .expect("run compare_gdal.py");
    let _ = std::fs::remove_file(&jobs_file);
    assert!(
        o.status.success(),
        "compare_gdal.py failed ({}): {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "compare_gdal.py printed no JSON ({e}): {}",
            String::from_utf8_lossy(&o.stdout)
        )
    });
    let results = v.as_array().expect("a JSON array");
    assert_eq!(results.len(), jobs.len(), "compare_gdal.py result count");
    results
        .iter()
        .map(|r| {
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
        })
        .collect()
}

fn path_str(p: &Path) -> String {
    p.to_str().expect("UTF-8 path").to_string()
}

/// Names in `dir`, sorted.
fn listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Collected failures: (what, options, diffs).
#[derive(Default)]
struct Failures {
    list: Vec<(String, String, Vec<String>)>,
}

impl Failures {
    fn add(&mut self, what: &str, options: &str, diffs: Vec<String>) {
        if !diffs.is_empty() {
            self.list
                .push((what.to_string(), options.to_string(), diffs));
        }
    }
    fn render(&self) -> String {
        let mut s = String::new();
        for (what, options, diffs) in &self.list {
            s.push_str(&format!("\n{what} [{options}]: {} diff(s)\n", diffs.len()));
            for d in diffs {
                s.push_str(&format!("    {d}\n"));
            }
        }
        s
    }
    /// Print the failures and `summary`, then fail the test if there were any.
    fn finish(&self, summary: &str) {
        println!("{}\n{summary}", self.render());
        eprintln!("{summary}");
        assert!(self.list.is_empty(), "{summary} (failures listed above)");
    }
}

/// The PREDICTOR GDAL reports for `--predictor auto` on a data type.
fn auto_predictor(dtype: &str, compress: &str) -> &'static str {
    if !matches!(compress, "deflate" | "lzw" | "zstd") || dtype.starts_with("complex") {
        "1"
    } else if dtype.starts_with("float") {
        "3"
    } else {
        "2"
    }
}

// --------------------------------------------------------------------------
// interop files
// --------------------------------------------------------------------------

/// Every interop file GDAL reads without error, converted with the defaults and
/// with LZW; GDAL must read the output as it reads the source (first page; the
/// internal mask and overviews are not written and are not compared).
#[test]
fn interop_files_convert_and_gdal_reads_them_back() {
    let Some((expected_dir, files_dir)) = interop_dirs("convert interop") else {
        return;
    };
    let Some(python) = oracle_python("convert interop") else {
        return;
    };
    let tmp = TempDir::new("interop");
    let option_sets: [(&str, &[&str], &str); 2] = [
        ("defaults", &[], "deflate"),
        (
            "--compress lzw --predictor auto",
            &["--compress", "lzw", "--predictor", "auto"],
            "lzw",
        ),
    ];
    let mut failures = Failures::default();
    let mut jobs = Vec::new();
    let mut meta = Vec::new();
    let mut total = 0usize;
    for jp in common::expected_jsons(&expected_dir) {
        let e = common::load_json(&jp);
        if e["opened"] != Value::Bool(true) || !e["error"].is_null() {
            continue;
        }
        let name = e["file"].as_str().expect("file").to_string();
        let src = files_dir.join(&name);
        let lossy = e["lossy"] == Value::Bool(true);
        let dtype = e["dtype"].as_str().unwrap_or("");
        for (i, (label, opts, compress)) in option_sets.iter().enumerate() {
            total += 1;
            let out = tmp.join(&format!("{i}-{name}.tif"));
            let run = convert(&src, &out, opts);
            if !run.status.success() {
                failures.add(
                    &name,
                    label,
                    vec![format!(
                        "tessera convert exit {:?}: {}",
                        run.status.code(),
                        stderr_of(&run)
                    )],
                );
                continue;
            }
            let mut args = vec![
                path_str(&src),
                path_str(&out),
                "--block".into(),
                "512x512".into(),
                "--compress".into(),
                compress.to_string(),
                "--predictor".into(),
                auto_predictor(dtype, compress).into(),
                "--interleave".into(),
                "pixel".into(),
            ];
            if lossy {
                args.push("--lossy".into());
            }
            jobs.push(args);
            meta.push((name.clone(), label.to_string()));
        }
    }
    assert!(total > 0, "no interop file selected");
    for ((name, label), diffs) in meta.iter().zip(compare_gdal(&python, &tmp, &jobs)) {
        failures.add(name, label, diffs);
    }
    failures.list.sort();
    let summary = format!(
        "convert interop: {}/{total} conversions match",
        total - failures.list.len()
    );
    failures.finish(&summary);
}

// --------------------------------------------------------------------------
// option matrix over the fixtures
// --------------------------------------------------------------------------

const COMPRESS: [&str; 5] = ["deflate", "lzw", "zstd", "none", "packbits"];
const BLOCKS: [(&str, u64, u64); 3] = [("256", 256, 256), ("16", 16, 16), ("32x64", 32, 64)];
const INTERLEAVES: [&str; 2] = ["pixel", "band"];
const BIGTIFFS: [&str; 2] = ["no", "yes"];

#[derive(Debug, Clone)]
struct MatrixOpts {
    compress: &'static str,
    predictor: &'static str,
    block: (&'static str, u64, u64),
    interleave: &'static str,
    bigtiff: &'static str,
}

impl MatrixOpts {
    /// The `i`-th option set for a data type: cycles through every value of
    /// every dimension (periods 5, 3, 3, 2, 2), choosing an explicit predictor
    /// only with a compression that takes one.
    fn pick(dtype: &str, i: usize) -> MatrixOpts {
        let compress = COMPRESS[i % 5];
        let predicting = matches!(compress, "deflate" | "lzw" | "zstd");
        let explicit = explicit_predictor(dtype);
        let predictor = if predicting {
            match i % 3 {
                0 => explicit.unwrap_or("auto"),
                1 => "auto",
                _ => "none",
            }
        } else if i.is_multiple_of(2) {
            "none"
        } else {
            "auto"
        };
        MatrixOpts {
            compress,
            predictor,
            block: BLOCKS[i % 3],
            interleave: INTERLEAVES[i % 2],
            bigtiff: BIGTIFFS[(i / 2) % 2],
        }
    }
    fn args(&self) -> Vec<&'static str> {
        vec![
            "--compress",
            self.compress,
            "--predictor",
            self.predictor,
            "--block-size",
            self.block.0,
            "--interleave",
            self.interleave,
            "--bigtiff",
            self.bigtiff,
        ]
    }
    fn expected_predictor(&self, dtype: &str) -> &'static str {
        match self.predictor {
            "none" => "1",
            "horizontal" => "2",
            "float" => "3",
            _ => auto_predictor(dtype, self.compress),
        }
    }
}

/// The predictor other than none/auto that a data type takes (none: complex).
fn explicit_predictor(dtype: &str) -> Option<&'static str> {
    if dtype.starts_with("complex") {
        None
    } else if dtype.starts_with("float") {
        Some("float")
    } else {
        Some("horizontal")
    }
}

/// Each fixture (except the lossy JPEG/WebP ones) converted with one option
/// set from the matrix; tessera and GDAL must read the output as the source.
#[test]
fn round_trip_matrix() {
    let dir = fixtures_dir();
    let mut by_dtype: BTreeMap<String, Vec<(String, Value)>> = BTreeMap::new();
    let mut names: Vec<String> = listing(&dir)
        .into_iter()
        .filter(|n| n.ends_with(".tif"))
        .collect();
    names.sort();
    for name in names {
        let jp = dir.join(name.trim_end_matches(".tif").to_string() + ".json");
        let e = common::load_json(&jp);
        if e["lossy"] == Value::Bool(true) {
            continue;
        }
        let dtype = e["dtype"].as_str().expect("dtype").to_string();
        by_dtype.entry(dtype).or_default().push((name, e));
    }
    assert!(by_dtype.len() >= 12, "dtypes: {:?}", by_dtype.keys());

    let python = oracle_python("round_trip_matrix (GDAL part)");
    let tmp = TempDir::new("matrix");
    let mut failures = Failures::default();
    let mut jobs = Vec::new();
    let mut meta = Vec::new();
    let mut total = 0usize;
    for (dtype, fixtures) in &by_dtype {
        // coverage: every value of every dimension with this dtype
        let picks: Vec<MatrixOpts> = (0..fixtures.len())
            .map(|i| MatrixOpts::pick(dtype, i))
            .collect();
        let mut predictors: Vec<&str> = vec!["none", "auto"];
        predictors.extend(explicit_predictor(dtype));
        for (dim, values, got) in [
            (
                "compress",
                COMPRESS.to_vec(),
                picks.iter().map(|p| p.compress).collect::<BTreeSet<_>>(),
            ),
            (
                "predictor",
                predictors,
                picks.iter().map(|p| p.predictor).collect(),
            ),
            (
                "block",
                BLOCKS.iter().map(|b| b.0).collect(),
                picks.iter().map(|p| p.block.0).collect(),
            ),
            (
                "interleave",
                INTERLEAVES.to_vec(),
                picks.iter().map(|p| p.interleave).collect(),
            ),
            (
                "bigtiff",
                BIGTIFFS.to_vec(),
                picks.iter().map(|p| p.bigtiff).collect(),
            ),
        ] {
            for v in values {
                assert!(
                    got.contains(v),
                    "matrix coverage: {dtype} never gets {dim} {v} ({} fixtures)",
                    fixtures.len()
                );
            }
        }

        for ((name, _e), opts) in fixtures.iter().zip(&picks) {
            total += 1;
            let src = dir.join(name);
            let out = tmp.join(&format!("out-{name}"));
            let args = opts.args();
            let label = args.join(" ");
            let run = convert(&src, &out, &args);
            if !run.status.success() {
                failures.add(
                    name,
                    &label,
                    vec![format!(
                        "tessera convert exit {:?}: {}",
                        run.status.code(),
                        stderr_of(&run)
                    )],
                );
                continue;
            }
            // (a) tessera reads the output back identical, with the asked structure
            let mut diffs = Vec::new();
            match (info(&src), info(&out)) {
                (Ok(si), Ok(oi)) => {
                    let sha = |v: &Value| -> Vec<Value> {
                        v["bands"]
                            .as_array()
                            .map(|b| b.iter().map(|x| x["sha256"].clone()).collect())
                            .unwrap_or_default()
                    };
                    if sha(&si) != sha(&oi) {
                        diffs.push(format!(
                            "tessera: band sha256 {:?} != source's {:?}",
                            sha(&oi),
                            sha(&si)
                        ));
                    }
                    for k in ["width", "height", "count", "dtype"] {
                        if si[k] != oi[k] {
                            diffs.push(format!("tessera: {k} {} != source's {}", oi[k], si[k]));
                        }
                    }
                    let want_block = Value::from(vec![opts.block.2, opts.block.1]);
                    let blocks = oi["block_shapes"].as_array().cloned().unwrap_or_default();
                    if blocks.is_empty() || blocks.iter().any(|b| *b != want_block) {
                        diffs.push(format!(
                            "tessera: block_shapes {} (want {want_block} each)",
                            oi["block_shapes"]
                        ));
                    }
                    if oi["layout"] != "tiled" {
                        diffs.push(format!("tessera: layout {}", oi["layout"]));
                    }
                    let comp = oi["compression"]
                        .as_str()
                        .unwrap_or("none")
                        .to_ascii_lowercase();
                    if comp != opts.compress {
                        diffs.push(format!(
                            "tessera: compression {comp}, want {}",
                            opts.compress
                        ));
                    }
                }
                (Err(e), _) => diffs.push(format!("tessera info of the source: {e}")),
                (_, Err(e)) => diffs.push(format!("tessera info of the output: {e}")),
            }
            failures.add(name, &label, diffs);
            // (b) GDAL reads it identical
            let gargs = vec![
                path_str(&src),
                path_str(&out),
                "--block".into(),
                format!("{}x{}", opts.block.1, opts.block.2),
                "--compress".into(),
                opts.compress.into(),
                "--predictor".into(),
                opts.expected_predictor(dtype).into(),
                "--interleave".into(),
                opts.interleave.into(),
                "--bigtiff".into(),
                opts.bigtiff.into(),
            ];
            jobs.push(gargs);
            meta.push((name.clone(), label));
        }
    }
    if let Some(python) = &python {
        for ((name, label), diffs) in meta.iter().zip(compare_gdal(python, &tmp, &jobs)) {
            let diffs = diffs.into_iter().map(|d| format!("GDAL: {d}")).collect();
            failures.add(name, label, diffs);
        }
    }
    failures.list.sort();
    let bad: BTreeSet<&str> = failures.list.iter().map(|f| f.0.as_str()).collect();
    let summary = format!(
        "convert matrix: {}/{total} conversions match ({} dtypes{})",
        total - bad.len(),
        by_dtype.len(),
        if python.is_some() {
            ""
        } else {
            "; GDAL part skipped"
        }
    );
    failures.finish(&summary);
}

// --------------------------------------------------------------------------
// threads
// --------------------------------------------------------------------------

/// Converting with 1, 2 or 4 threads gives the same bytes.
#[test]
fn threads_give_identical_bytes() {
    let tmp = TempDir::new("threads");
    let mut cases: Vec<(PathBuf, Vec<&str>)> = vec![
        (
            fixture("u16_deflate_p2_tiled_band_le_bigtiff_nodata.tif"),
            vec!["--block-size", "16", "--interleave", "band"],
        ),
        (
            fixture("f32_deflate_p3_tiled_pixel_be_classic_nodata.tif"),
            vec!["--block-size", "16", "--compress", "zstd"],
        ),
    ];
    if let Some((_, files)) = interop_dirs("threads_give_identical_bytes (interop part)") {
        cases.push((
            files.join("rasterio_RGB.byte.tif"),
            vec!["--block-size", "64"],
        ));
    }
    for (ci, (src, opts)) in cases.iter().enumerate() {
        let mut outputs = Vec::new();
        for threads in ["1", "2", "4"] {
            let out = tmp.join(&format!("{ci}-t{threads}.tif"));
            let mut args = opts.clone();
            args.extend(["--threads", threads]);
            let run = convert(src, &out, &args);
            assert!(
                run.status.success(),
                "{} {args:?}: {}",
                src.display(),
                stderr_of(&run)
            );
            outputs.push((threads, std::fs::read(&out).expect("read output")));
        }
        let (_, first) = &outputs[0];
        for (threads, bytes) in &outputs[1..] {
            assert!(
                bytes == first,
                "{} {opts:?}: --threads {threads} output ({} bytes) differs from --threads 1 ({} bytes)",
                src.display(),
                bytes.len(),
                first.len()
            );
        }
    }
}

// --------------------------------------------------------------------------
// data type conversion
// --------------------------------------------------------------------------

/// `--dtype` converts as `gdal_translate -ot` (rounded half away from zero,
/// clamped, NaN to 0; nodata adjusted the same way).
#[test]
fn dtype_conversion_matches_gdal_translate() {
    let Some(python) = oracle_python("dtype_conversion_matches_gdal_translate") else {
        return;
    };
    let tmp = TempDir::new("dtype");
    // (fixture, --dtype, extra options, --bands for the script)
    let cases: [(&str, &str, &[&str], Option<&str>); 6] = [
        // float32 with values far outside uint8's range, nodata -9999
        (
            "f32_deflate_p3_tiled_pixel_be_classic_nodata.tif",
            "uint8",
            &[],
            None,
        ),
        (
            "f32_lzw_p3_tiled_pixel_le_classic.tif",
            "Byte",
            &["--bands", "2"],
            Some("2"),
        ),
        // int16 (nodata -32768) to uint8
        (
            "i16_lzw_p1_tiled_pixel_le_classic_nodata.tif",
            "uint8",
            &[],
            None,
        ),
        // uint16 to float32 (exact)
        (
            "u16_deflate_p2_tiled_band_le_bigtiff_nodata.tif",
            "float32",
            &["--bands", "3,1"],
            Some("3,1"),
        ),
        // float64 with +-1e150 and NaN nodata to int16
        (
            "f64_lzw_p1_tiled_pixel_be_bigtiff_nodata.tif",
            "int16",
            &[],
            None,
        ),
        (
            "f64_deflate_p3_striped_band_le_classic.tif",
            "Int16",
            &["--compress", "lzw"],
            None,
        ),
    ];
    let mut failures = Failures::default();
    let mut jobs = Vec::new();
    let mut meta = Vec::new();
    for (i, (name, dtype, extra, bands)) in cases.iter().enumerate() {
        let src = fixture(name);
        let out = tmp.join(&format!("{i}-{name}"));
        let mut args = vec!["--dtype", dtype];
        args.extend(extra.iter());
        let label = args.join(" ");
        let run = convert(&src, &out, &args);
        if !run.status.success() {
            failures.add(
                name,
                &label,
                vec![format!(
                    "tessera convert exit {:?}: {}",
                    run.status.code(),
                    stderr_of(&run)
                )],
            );
            continue;
        }
        let mut gargs = vec![
            path_str(&src),
            path_str(&out),
            "--dtype".into(),
            dtype.to_string(),
            "--block".into(),
            "512x512".into(),
        ];
        if let Some(b) = bands {
            gargs.extend(["--bands".into(), b.to_string()]);
        }
        jobs.push(gargs);
        meta.push((name.to_string(), label));
    }
    for ((name, label), diffs) in meta.iter().zip(compare_gdal(&python, &tmp, &jobs)) {
        failures.add(name, label, diffs);
    }
    let summary = format!(
        "convert --dtype: {}/{} conversions match",
        cases.len() - failures.list.len(),
        cases.len()
    );
    failures.finish(&summary);
}

// --------------------------------------------------------------------------
// errors
// --------------------------------------------------------------------------

/// Check the error contract of one failed run: exit 1, one line on stderr
/// containing `needle`, no file at `out`, and `dir` holding exactly `before`.
fn check_error(
    case: &str,
    run: &Output,
    needle: &str,
    out: &Path,
    dir: &Path,
    before: &BTreeSet<String>,
) -> Vec<String> {
    let mut v = Vec::new();
    let stderr = stderr_of(run);
    if run.status.code() != Some(1) {
        v.push(format!("{case}: exit {:?}, want 1", run.status.code()));
    }
    if stderr.lines().count() != 1 {
        v.push(format!("{case}: stderr is not one line: {stderr:?}"));
    }
    if !stderr.to_lowercase().contains(&needle.to_lowercase()) {
        v.push(format!(
            "{case}: stderr does not name {needle:?}: {stderr:?}"
        ));
    }
    if out.exists() {
        v.push(format!("{case}: {} exists", out.display()));
    }
    let after = listing(dir);
    if &after != before {
        v.push(format!(
            "{case}: directory changed: before {before:?}, after {after:?}"
        ));
    }
    v
}

/// Invalid options fail before any work: exit 1, one line naming the problem,
/// no output and no temporary file.
#[test]
fn bad_options_fail_before_any_work() {
    let tmp = TempDir::new("badopts");
    // a 3-band uint8 file
    let src = fixture("u8_deflate_p1_tiled_band_le_classic.tif");
    let mut problems = Vec::new();
    let cases: [(&str, &[&str], &str); 8] = [
        (
            "float predictor on uint8",
            &["--predictor", "float"],
            "predictor",
        ),
        ("block size 100", &["--block-size", "100"], "100"),
        ("block size 64x100", &["--block-size", "64x100"], "100"),
        ("compress jpeg2000", &["--compress", "jpeg2000"], "jpeg2000"),
        ("bands 0", &["--bands", "0"], "band"),
        ("bands 9 of 3", &["--bands", "1,9"], "9"),
        ("--co TILED=NO", &["--co", "TILED=NO"], "TILED"),
        (
            "predictor with packbits",
            &["--compress", "packbits", "--predictor", "horizontal"],
            "predictor",
        ),
    ];
    for (i, (case, opts, needle)) in cases.iter().enumerate() {
        let dir = tmp.join(&format!("case{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("out.tif");
        let before = listing(&dir);
        let run = convert(&src, &out, opts);
        problems.extend(check_error(case, &run, needle, &out, &dir, &before));
    }

    // a directory that does not exist
    let missing_dir = tmp.join("no-such-dir");
    let out = missing_dir.join("out.tif");
    let run = convert(&src, &out, &[]);
    problems.extend(check_error(
        "missing output directory",
        &run,
        "no-such-dir",
        &out,
        &tmp.path,
        &listing(&tmp.path),
    ));
    if missing_dir.exists() {
        problems.push("missing output directory: it was created".into());
    }

    // a read-only directory (meaningless as root: skipped when we can write there)
    let ro = tmp.join("read-only");
    std::fs::create_dir_all(&ro).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        let probe = ro.join("probe");
        if std::fs::write(&probe, b"x").is_ok() {
            let _ = std::fs::remove_file(&probe);
            eprintln!("bad_options_fail_before_any_work: read-only directory part skipped (running as root)");
        } else {
            let out = ro.join("out.tif");
            let run = convert(&src, &out, &[]);
            problems.extend(check_error(
                "read-only output directory",
                &run,
                "read-only",
                &out,
                &ro,
                &BTreeSet::new(),
            ));
        }
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    // the output would overwrite the input
    let copy_dir = tmp.join("same");
    std::fs::create_dir_all(&copy_dir).unwrap();
    let copy = copy_dir.join("in.tif");
    std::fs::copy(&src, &copy).unwrap();
    let original = std::fs::read(&copy).unwrap();
    let before = listing(&copy_dir);
    let run = convert(&copy, &copy, &[]);
    let mut v = check_error(
        "output = input",
        &run,
        "in.tif",
        &tmp.join("none"),
        &copy_dir,
        &before,
    );
    if std::fs::read(&copy).unwrap() != original {
        v.push("output = input: the input was modified".into());
    }
    problems.extend(v);

    assert!(
        problems.is_empty(),
        "error contract violations:\n  {}",
        problems.join("\n  ")
    );
}

/// A source whose last tiles cannot be decoded: the conversion fails partway,
/// leaves no output and no temporary file, and an existing target untouched.
#[test]
fn failed_write_leaves_no_target() {
    let tmp = TempDir::new("failwrite");
    let in_dir = tmp.join("in");
    let out_dir = tmp.join("out");
    std::fs::create_dir_all(&in_dir).unwrap();
    std::fs::create_dir_all(&out_dir).unwrap();
    // GDAL writes the IFD first, so the file's tail is the last tiles' data.
    let bytes = std::fs::read(fixture("u8_deflate_p1_tiled_band_le_classic.tif")).unwrap();
    let mut corrupt = bytes.clone();
    corrupt.truncate(bytes.len() - 200);
    let truncated = in_dir.join("truncated.tif");
    std::fs::write(&truncated, &corrupt).unwrap();
    // the same with the tail overwritten by garbage instead of cut
    let mut garbage = bytes.clone();
    let n = garbage.len();
    for (i, b) in garbage[n - 300..].iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(151).wrapping_add(7);
    }
    let garbled = in_dir.join("garbled.tif");
    std::fs::write(&garbled, &garbage).unwrap();

    // the corruption is only in the pixels: tessera still opens the file
    let o = tessera([
        OsStr::new("info"),
        truncated.as_os_str(),
        OsStr::new("--json"),
    ]);
    assert!(
        o.status.success(),
        "info of the truncated file: {}",
        stderr_of(&o)
    );

    let mut problems = Vec::new();
    for src in [&truncated, &garbled] {
        let sname = src.file_name().unwrap().to_string_lossy().into_owned();
        for threads in ["1", "2"] {
            // small tiles so earlier tiles are written before the failure
            let opts = ["--block-size", "16", "--threads", threads];
            // no target yet
            let out = out_dir.join("new.tif");
            let before = listing(&out_dir);
            let run = convert(src, &out, &opts);
            let case = format!("{sname} --threads {threads} (no target)");
            if run.status.success() {
                problems.push(format!("{case}: the conversion succeeded"));
                let _ = std::fs::remove_file(&out);
                continue;
            }
            problems.extend(check_error(&case, &run, &sname, &out, &out_dir, &before));

            // an existing target is left untouched
            let target = out_dir.join("existing.tif");
            std::fs::write(&target, b"precious, not a TIFF").unwrap();
            let before = listing(&out_dir);
            let run = convert(src, &target, &opts);
            let case = format!("{sname} --threads {threads} (existing target)");
            if run.status.success() {
                problems.push(format!("{case}: the conversion succeeded"));
            } else if run.status.code() != Some(1) || stderr_of(&run).lines().count() != 1 {
                problems.push(format!(
                    "{case}: exit {:?}, stderr {:?}",
                    run.status.code(),
                    stderr_of(&run)
                ));
            }
            if std::fs::read(&target).ok().as_deref() != Some(&b"precious, not a TIFF"[..]) {
                problems.push(format!("{case}: the existing target was modified"));
            }
            let after = listing(&out_dir);
            if after != before {
                problems.push(format!(
                    "{case}: directory changed: {before:?} -> {after:?}"
                ));
            }
            let _ = std::fs::remove_file(&target);
        }
    }
    assert!(
        problems.is_empty(),
        "failed-write contract violations:\n  {}",
        problems.join("\n  ")
    );
}
