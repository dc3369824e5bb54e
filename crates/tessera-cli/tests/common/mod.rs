//! Shared test support: the interop SCHEMA matcher (testdata/interop/SCHEMA.md,
//! "Matching rules") and helpers to run `tessera info` and collect reports.
//!
//! `compare(expected, actual)` takes GDAL's reading (`expected`, as written by
//! scripts/gdal_info_json.py or found in testdata/interop/expected) and
//! tessera's reading (`actual`, the JSON printed by
//! `tessera info FILE --json --stats --checksum`) and returns every mismatch,
//! each naming the field (a JSON path such as `bands[0].sha256`).
#![allow(dead_code)]

use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One difference between GDAL's reading and tessera's.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    pub field: String,
    pub detail: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.detail)
    }
}

struct Out {
    list: Vec<Mismatch>,
}

impl Out {
    fn push(&mut self, field: &str, detail: String) {
        self.list.push(Mismatch {
            field: field.to_string(),
            detail,
        });
    }
    fn differ(&mut self, field: &str, expected: &Value, actual: &Value) {
        self.push(
            field,
            format!("expected {}, got {}", short(expected), short(actual)),
        );
    }
}

/// A compact rendering of a JSON value for reports.
pub fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 120 {
        let cut: String = s.chars().take(117).collect();
        format!("{cut}...")
    } else {
        s
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

const MISSING: Value = Value::Null;

fn get<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get(key).unwrap_or(&MISSING)
}

/// A JSON number, or the strings "nan", "inf", "-inf".
pub fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "nan" => Some(f64::NAN),
            "inf" | "+inf" | "infinity" => Some(f64::INFINITY),
            "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

/// Exact numeric equality; integers compared as integers when both are.
fn num_eq(e: &Value, a: &Value) -> bool {
    if let (Value::Number(x), Value::Number(y)) = (e, a) {
        if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
            return x == y;
        }
        if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
            return x == y;
        }
    }
    match (as_f64(e), as_f64(a)) {
        (Some(x), Some(y)) => (x.is_nan() && y.is_nan()) || x == y,
        _ => false,
    }
}

fn rel_close(e: f64, a: f64, rel: f64, scale: f64) -> bool {
    if e.is_nan() || a.is_nan() {
        return e.is_nan() && a.is_nan();
    }
    if e == a {
        return true;
    }
    let m = e.abs().max(a.abs()).max(scale.abs());
    (e - a).abs() <= rel * m
}

/// Deep equality with numbers compared by value (1 == 1.0, "nan" == "nan").
fn deep_eq(path: &str, e: &Value, a: &Value, out: &mut Out) {
    match (e, a) {
        (Value::Object(eo), Value::Object(ao)) => {
            for (k, ev) in eo {
                match ao.get(k) {
                    Some(av) => deep_eq(&join(path, k), ev, av, out),
                    None => out.push(&join(path, k), format!("missing (expected {})", short(ev))),
                }
            }
        }
        (Value::Array(ea), Value::Array(aa)) => {
            if ea.len() != aa.len() {
                out.differ(path, e, a);
                return;
            }
            for (i, (ev, av)) in ea.iter().zip(aa).enumerate() {
                deep_eq(&format!("{path}[{i}]"), ev, av, out);
            }
        }
        _ => {
            let same = if as_f64(e).is_some() && as_f64(a).is_some() {
                num_eq(e, a)
            } else {
                e == a
            };
            if !same {
                out.differ(path, e, a);
            }
        }
    }
}

fn eq_field(path: &str, e: &Value, a: &Value, out: &mut Out) {
    deep_eq(path, e, a, out)
}

fn eq_ci(path: &str, e: &Value, a: &Value, out: &mut Out) {
    let same = match (e, a) {
        (Value::String(x), Value::String(y)) => x.eq_ignore_ascii_case(y),
        _ => e == a,
    };
    if !same {
        out.differ(path, e, a);
    }
}

/// Parse a PROJ string into `{key: value}`; `+no_defs` is dropped and a bare
/// flag `+k` equals `+k=True`.
pub fn parse_proj4(s: &str) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for tok in s.split_whitespace() {
        let tok = tok.trim_start_matches('+');
        let (k, v) = match tok.split_once('=') {
            Some((k, v)) => (k, v),
            None => (tok, "True"),
        };
        if k == "no_defs" || k.is_empty() {
            continue;
        }
        let v = if v.eq_ignore_ascii_case("true") {
            "True"
        } else {
            v
        };
        m.insert(k.to_string(), v.to_string());
    }
    m
}

fn proj_value_eq(e: &str, a: &str) -> bool {
    if e == a {
        return true;
    }
    let ep: Vec<&str> = e.split(',').collect();
    let ap: Vec<&str> = a.split(',').collect();
    if ep.len() != ap.len() {
        return false;
    }
    ep.iter().zip(&ap).all(
        |(x, y)| match (x.trim().parse::<f64>(), y.trim().parse::<f64>()) {
            (Ok(x), Ok(y)) => rel_close(x, y, 1e-9, 0.0),
            _ => x.trim() == y.trim(),
        },
    )
}

/// Differences between two PROJ strings (keys missing/extra/different).
pub fn compare_proj4(e: &str, a: &str) -> Vec<String> {
    let em = parse_proj4(e);
    let am = parse_proj4(a);
    let mut diffs = Vec::new();
    for (k, ev) in &em {
        match am.get(k) {
            None => diffs.push(format!("+{k}={ev} missing")),
            Some(av) if !proj_value_eq(ev, av) => {
                diffs.push(format!("+{k}: expected {ev}, got {av}"))
            }
            _ => {}
        }
    }
    for (k, av) in &am {
        if !em.contains_key(k) {
            diffs.push(format!("+{k}={av} unexpected"));
        }
    }
    diffs
}

fn compare_crs(path: &str, e: &Value, a: &Value, out: &mut Out) {
    match (e.is_null(), a.is_null()) {
        (true, true) => return,
        (true, false) | (false, true) => {
            out.differ(path, e, a);
            return;
        }
        _ => {}
    }
    let ee = get(e, "epsg");
    let ae = get(a, "epsg");
    eq_field(&join(path, "epsg"), ee, ae, out);
    if ee.is_null() {
        match (get(e, "proj4").as_str(), get(a, "proj4").as_str()) {
            (Some(ep), Some(ap)) => {
                let d = compare_proj4(ep, ap);
                if !d.is_empty() {
                    out.push(&join(path, "proj4"), d.join("; "));
                }
            }
            (Some(_), None) => out.push(&join(path, "proj4"), "missing".into()),
            _ => {}
        }
    }
}

fn compare_transform(e: &Value, a: &Value, out: &mut Out) {
    let (Some(ev), Some(av)) = (e.as_array(), a.as_array()) else {
        if !(e.is_null() && a.is_null()) {
            out.differ("transform", e, a);
        }
        return;
    };
    if ev.len() != 6 || av.len() != 6 {
        out.differ("transform", e, a);
        return;
    }
    let ef: Vec<f64> = ev.iter().map(|v| as_f64(v).unwrap_or(f64::NAN)).collect();
    let af: Vec<f64> = av.iter().map(|v| as_f64(v).unwrap_or(f64::NAN)).collect();
    let pixel = ef[0]
        .abs()
        .max(ef[1].abs())
        .max(ef[3].abs())
        .max(ef[4].abs());
    for i in 0..6 {
        let (x, y) = (ef[i], af[i]);
        let tol = (1e-12 * x.abs()).max(1e-9 * pixel);
        if !(x == y || (x - y).abs() <= tol) {
            out.push(
                &format!("transform[{i}]"),
                format!("expected {x:?}, got {y:?} (tolerance {tol:e})"),
            );
        }
    }
}

/// nodata: both null, or equal (float32 compared in float32, NaN == NaN).
fn compare_nodata(path: &str, dtype: &str, e: &Value, a: &Value, out: &mut Out) {
    if e.is_null() || a.is_null() {
        if e.is_null() != a.is_null() {
            out.differ(path, e, a);
        }
        return;
    }
    let (Some(x), Some(y)) = (as_f64(e), as_f64(a)) else {
        out.differ(path, e, a);
        return;
    };
    let same = if x.is_nan() || y.is_nan() {
        x.is_nan() && y.is_nan()
    } else if dtype == "float32" {
        (x as f32) == (y as f32)
    } else if dtype.starts_with("uint") || dtype.starts_with("int") {
        num_eq(e, a) || x == y
    } else {
        x == y
    };
    if !same {
        out.differ(path, e, a);
    }
}

fn compare_float_rel(path: &str, e: &Value, a: &Value, rel: f64, scale: f64, out: &mut Out) {
    match (as_f64(e), as_f64(a)) {
        (None, None) if e.is_null() && a.is_null() => {}
        (Some(x), Some(y)) if rel_close(x, y, rel, scale) => {}
        _ => out.differ(path, e, a),
    }
}

fn compare_abs(path: &str, e: &Value, a: &Value, tol: f64, out: &mut Out) {
    match (as_f64(e), as_f64(a)) {
        (None, None) if e.is_null() && a.is_null() => {}
        (Some(x), Some(y)) if (x.is_nan() && y.is_nan()) || x == y || (x - y).abs() <= tol => {}
        _ => out.differ(path, e, a),
    }
}

/// `tags`: every GDAL tag present in `actual` with the same value.
fn compare_tags(path: &str, e: &Value, a: &Value, out: &mut Out) {
    let Some(eo) = e.as_object() else { return };
    let empty = serde_json::Map::new();
    let ao = a.as_object().unwrap_or(&empty);
    for (k, ev) in eo {
        match ao.get(k) {
            None => out.push(&join(path, k), format!("missing (expected {})", short(ev))),
            Some(av) if av != ev => out.differ(&join(path, k), ev, av),
            _ => {}
        }
    }
}

/// The file's own block size from the expected `tiff` section: `[rows, cols]`.
fn file_block_shapes(expected: &Value) -> Vec<Vec<u64>> {
    let ifd = &expected["tiff"]["ifds"][0];
    let mut v = Vec::new();
    if ifd.is_null() {
        return v;
    }
    if ifd["tiled"].as_bool() == Some(true) {
        if let (Some(h), Some(w)) = (ifd["tile_height"].as_u64(), ifd["tile_width"].as_u64()) {
            v.push(vec![h, w]);
        }
    } else if let (Some(r), Some(w), Some(h)) = (
        ifd["rows_per_strip"].as_u64(),
        ifd["width"].as_u64(),
        ifd["height"].as_u64(),
    ) {
        v.push(vec![r, w]);
        v.push(vec![r.min(h), w]);
    }
    v
}

fn compare_block_shapes(expected: &Value, actual: &Value, out: &mut Out) {
    let e = get(expected, "block_shapes");
    let a = get(actual, "block_shapes");
    let (Some(ea), Some(aa)) = (e.as_array(), a.as_array()) else {
        out.differ("block_shapes", e, a);
        return;
    };
    if ea.len() != aa.len() {
        out.differ("block_shapes", e, a);
        return;
    }
    let file = file_block_shapes(expected);
    for (i, (eb, ab)) in ea.iter().zip(aa).enumerate() {
        let ab_u: Option<Vec<u64>> = ab
            .as_array()
            .map(|x| x.iter().filter_map(|n| n.as_u64()).collect());
        let ok = eb == ab || ab_u.as_ref().is_some_and(|s| file.iter().any(|f| f == s));
        if !ok {
            out.push(
                &format!("block_shapes[{i}]"),
                format!(
                    "expected {} (GDAL) or the file's block {:?}, got {}",
                    short(eb),
                    file,
                    short(ab)
                ),
            );
        }
    }
}

fn compare_band(i: usize, e: &Value, a: &Value, lossy: bool, dtype: &str, out: &mut Out) {
    let p = format!("bands[{i}]");
    for k in ["index", "dtype"] {
        eq_field(&join(&p, k), get(e, k), get(a, k), out);
    }
    let bd = get(e, "dtype").as_str().unwrap_or(dtype);
    compare_nodata(
        &join(&p, "nodata"),
        bd,
        get(e, "nodata"),
        get(a, "nodata"),
        out,
    );
    for k in ["scale", "offset"] {
        compare_float_rel(&join(&p, k), get(e, k), get(a, k), 1e-12, 0.0, out);
    }
    compare_tags(&join(&p, "tags"), get(e, "tags"), get(a, "tags"), out);
    if !lossy {
        eq_field(&join(&p, "sha256"), get(e, "sha256"), get(a, "sha256"), out);
    }
    eq_field(
        &join(&p, "valid_count"),
        get(e, "valid_count"),
        get(a, "valid_count"),
        out,
    );
    if lossy {
        for k in ["min", "max"] {
            compare_abs(&join(&p, k), get(e, k), get(a, k), 8.0, out);
        }
        for k in ["mean", "std"] {
            compare_abs(&join(&p, k), get(e, k), get(a, k), 4.0, out);
        }
    } else {
        for k in ["min", "max"] {
            let (ev, av) = (get(e, k), get(a, k));
            if !(num_eq(ev, av) || (ev.is_null() && av.is_null())) {
                out.differ(&join(&p, k), ev, av);
            }
        }
        for k in ["mean", "std"] {
            compare_float_rel(&join(&p, k), get(e, k), get(a, k), 1e-9, 0.0, out);
        }
    }
}

fn compare_overviews(e: &Value, a: &Value, lossy: bool, out: &mut Out) {
    let (Some(ea), Some(aa)) = (e.as_array(), a.as_array()) else {
        if !e.is_null() {
            out.differ("overviews", e, a);
        }
        return;
    };
    if ea.len() != aa.len() {
        out.push(
            "overviews",
            format!("expected {} overviews, got {}", ea.len(), aa.len()),
        );
        return;
    }
    for (i, (eo, ao)) in ea.iter().zip(aa).enumerate() {
        let p = format!("overviews[{i}]");
        for k in ["width", "height"] {
            eq_field(&join(&p, k), get(eo, k), get(ao, k), out);
        }
        if !lossy {
            eq_field(
                &join(&p, "sha256"),
                get(eo, "sha256"),
                get(ao, "sha256"),
                out,
            );
        }
    }
}

/// Samples are optional in tessera's output; compared at the points both list.
fn compare_samples(e: &Value, a: &Value, lossy: bool, out: &mut Out) {
    let (Some(ea), Some(aa)) = (e.as_array(), a.as_array()) else {
        return;
    };
    let mut far = 0usize;
    let mut total = 0usize;
    for es in ea {
        let Some(asamp) = aa.iter().find(|s| s["x"] == es["x"] && s["y"] == es["y"]) else {
            continue;
        };
        let p = format!("samples[x={},y={}]", es["x"], es["y"]);
        if lossy {
            let ev = es["values"].as_array().cloned().unwrap_or_default();
            let av = asamp["values"].as_array().cloned().unwrap_or_default();
            for (x, y) in ev.iter().zip(&av) {
                total += 1;
                if let (Some(x), Some(y)) = (as_f64(x), as_f64(y)) {
                    if (x - y).abs() > 8.0 {
                        far += 1;
                    }
                }
            }
        } else {
            deep_eq(&join(&p, "values"), &es["values"], &asamp["values"], out);
        }
    }
    if lossy && far * 4 > total {
        out.push(
            "samples",
            format!("{far} of {total} lossy sample values differ by more than 8"),
        );
    }
}

/// The `tiff` section: byte order, BigTIFF, IFD count, per-IFD fields, first
/// IFD's georeferencing tags and GeoKeys equal.
fn compare_tiff(e: &Value, a: &Value, out: &mut Out) {
    if e.is_null() {
        return;
    }
    if a.is_null() {
        out.push("tiff", "missing".into());
        return;
    }
    deep_eq("tiff", e, a, out);
}

/// Header fields, compared for every file GDAL could open.
fn compare_header(e: &Value, a: &Value, out: &mut Out) {
    for k in ["width", "height", "count", "dtype", "layout"] {
        eq_field(k, get(e, k), get(a, k), out);
    }
    eq_ci(
        "compression",
        get(e, "compression"),
        get(a, "compression"),
        out,
    );
    eq_ci(
        "interleave",
        get(e, "interleave"),
        get(a, "interleave"),
        out,
    );
    compare_block_shapes(e, a, out);
    if get(e, "crs_error").is_null() {
        compare_crs("crs", get(e, "crs"), get(a, "crs"), out);
    }
    compare_transform(get(e, "transform"), get(a, "transform"), out);
    let dtype = get(e, "dtype").as_str().unwrap_or("");
    compare_nodata("nodata", dtype, get(e, "nodata"), get(a, "nodata"), out);
    compare_tags("tags", get(e, "tags"), get(a, "tags"), out);
    compare_tiff(get(e, "tiff"), get(a, "tiff"), out);
}

/// Compare tessera's JSON (`actual`) with GDAL's (`expected`) by the matching
/// rules of testdata/interop/SCHEMA.md.  Returns every mismatch found.
pub fn compare(expected: &Value, actual: &Value) -> Vec<Mismatch> {
    let mut out = Out { list: Vec::new() };
    let e = expected;
    let a = actual;
    if get(e, "opened") == &Value::Bool(false) {
        if get(a, "opened") != &Value::Bool(false) {
            out.push(
                "opened",
                "GDAL cannot open this file; it must fail to open".into(),
            );
        }
        return out.list;
    }
    compare_header(e, a, &mut out);
    if get(e, "error_stage").as_str() == Some("read") {
        if get(a, "error").is_null() {
            out.push(
                "error",
                "GDAL cannot read the pixels; an error must be reported".into(),
            );
        }
        return out.list;
    }
    if !get(a, "error").is_null() {
        out.push(
            "error",
            format!("unexpected error {}", short(get(a, "error"))),
        );
    }
    let lossy = get(e, "lossy").as_bool() == Some(true);
    let dtype = get(e, "dtype").as_str().unwrap_or("").to_string();
    let eb = get(e, "bands").as_array().cloned().unwrap_or_default();
    let ab = get(a, "bands").as_array().cloned().unwrap_or_default();
    if eb.len() != ab.len() {
        out.push(
            "bands",
            format!("expected {} bands, got {}", eb.len(), ab.len()),
        );
    }
    for (i, (ebv, abv)) in eb.iter().zip(&ab).enumerate() {
        compare_band(i, ebv, abv, lossy, &dtype, &mut out);
    }
    compare_overviews(get(e, "overviews"), get(a, "overviews"), lossy, &mut out);
    let em = get(e, "mask");
    let am = get(a, "mask");
    if em.is_null() {
        if !am.is_null() {
            out.differ("mask", em, am);
        }
    } else if am.is_null() {
        out.differ("mask", em, am);
    } else {
        eq_field(
            "mask.sha256",
            get(em, "sha256"),
            get(am, "sha256"),
            &mut out,
        );
        eq_field(
            "mask.valid_count",
            get(em, "valid_count"),
            get(am, "valid_count"),
            &mut out,
        );
    }
    compare_samples(get(e, "samples"), get(a, "samples"), lossy, &mut out);
    out.list
}

// --------------------------------------------------------------------------
// paths and running tessera
// --------------------------------------------------------------------------

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `$TESSERA_INTEROP_DIR`, else the vendored copy `<repo>/testdata/interop`.
pub fn interop_dir() -> PathBuf {
    match std::env::var_os("TESSERA_INTEROP_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/interop"),
    }
}

pub fn is_ci() -> bool {
    std::env::var("CI")
        .map(|v| v == "true" || v == "1")
        .unwrap_or(false)
}

/// Fail under CI, else print a loud SKIP banner.  Returns normally when not CI.
pub fn skip_or_fail(what: &str) {
    if is_ci() {
        panic!("{what} (CI=true: this is a failure, not a skip)");
    }
    eprintln!("\n{}\nSKIP: {what}\n{}\n", "=".repeat(72), "=".repeat(72));
}

pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
}

/// Run `tessera info FILE --json --stats --checksum` with a timeout.
pub fn run_tessera_info(file: &Path) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("info")
        .arg(file)
        .args(["--json", "--stats", "--checksum"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tessera");
    let mut so = child.stdout.take().expect("stdout");
    let mut se = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = so.read_to_end(&mut b);
        b
    });
    let t_err = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = se.read_to_end(&mut b);
        b
    });
    let limit = Duration::from_secs(
        std::env::var("TESSERA_TEST_TIMEOUT_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(300),
    );
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if start.elapsed() > limit => {
                let _ = child.kill();
                timed_out = true;
                break child.wait().ok();
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => break None,
        }
    };
    let stdout = String::from_utf8_lossy(&t_out.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&t_err.join().unwrap_or_default()).into_owned();
    Run {
        code: status.and_then(|s| s.code()),
        stdout,
        stderr,
        timed_out,
    }
}

/// Run tessera on `file` and check it against GDAL's `expected` JSON,
/// including the exit-code contract (0 ok, 1 cannot open, 2 pixel read error).
pub fn check_file(file: &Path, expected: &Value) -> Vec<Mismatch> {
    let run = run_tessera_info(file);
    let m = |field: &str, detail: String| {
        vec![Mismatch {
            field: field.into(),
            detail,
        }]
    };
    if run.timed_out {
        return m("process", "tessera timed out".into());
    }
    let stderr_tail: String = run.stderr.lines().take(3).collect::<Vec<_>>().join(" | ");
    if get(expected, "opened") == &Value::Bool(false) {
        let mut v = Vec::new();
        if run.code != Some(1) {
            v.push(Mismatch {
                field: "exit_code".into(),
                detail: format!(
                    "GDAL cannot open this file: expected exit 1, got {:?}",
                    run.code
                ),
            });
        }
        if !run.stdout.trim().is_empty() {
            v.push(Mismatch {
                field: "stdout".into(),
                detail: "must be empty when the file cannot be opened".into(),
            });
        }
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        if !name.is_some_and(|n| run.stderr.contains(&n)) {
            v.push(Mismatch {
                field: "stderr".into(),
                detail: format!("must name the file, got {:?}", stderr_tail),
            });
        }
        return v;
    }
    let read_error = get(expected, "error_stage").as_str() == Some("read");
    let want = if read_error { 2 } else { 0 };
    if run.code != Some(want) {
        let mut v = m(
            "exit_code",
            format!("expected {want}, got {:?}; stderr: {stderr_tail}", run.code),
        );
        if run.code == Some(1) || run.stdout.trim().is_empty() {
            return v;
        }
        // still compare whatever JSON was printed
        if let Ok(actual) = serde_json::from_str::<Value>(&run.stdout) {
            v.extend(compare(expected, &actual));
        }
        return v;
    }
    match serde_json::from_str::<Value>(&run.stdout) {
        Ok(actual) => compare(expected, &actual),
        Err(err) => m("stdout", format!("not JSON ({err}); stderr: {stderr_tail}")),
    }
}

/// Accumulates per-file results and renders the report.
#[derive(Default)]
pub struct Report {
    pub files: Vec<(String, Vec<Mismatch>)>,
}

impl Report {
    pub fn add(&mut self, name: &str, mismatches: Vec<Mismatch>) {
        self.files.push((name.to_string(), mismatches));
    }
    pub fn matched(&self) -> usize {
        self.files.iter().filter(|(_, m)| m.is_empty()).count()
    }
    pub fn render(&self, suite: &str) -> String {
        let mut s = String::new();
        for (name, ms) in &self.files {
            if ms.is_empty() {
                continue;
            }
            s.push_str(&format!("\n{name}: {} mismatch(es)\n", ms.len()));
            for mm in ms {
                s.push_str(&format!("    {mm}\n"));
            }
        }
        s.push_str(&format!(
            "\n{suite}: {}/{} files match\n",
            self.matched(),
            self.files.len()
        ));
        s
    }
    /// Print the report (captured stdout is shown by the harness when the test
    /// fails); panic, failing the test, if any file mismatched.
    pub fn finish(&self, suite: &str) {
        let text = self.render(suite);
        println!("{text}");
        if self.matched() != self.files.len() {
            panic!(
                "{suite}: {}/{} files match (mismatches listed above)",
                self.matched(),
                self.files.len()
            );
        }
    }
}

/// `*.json` files of `dir` (sorted), filtered by `$TESSERA_INTEROP_ONLY`.
pub fn expected_jsons(dir: &Path) -> Vec<PathBuf> {
    let only = std::env::var("TESSERA_INTEROP_ONLY").unwrap_or_default();
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .filter(|p| {
                    only.is_empty() || p.file_name().unwrap().to_string_lossy().contains(&only)
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

pub fn load_json(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

/// Check every `NAME.json` in `json_dir` against tessera's reading of the
/// file it names (its `file` field) in `data_dir`; returns the report.
pub fn check_dir(json_dir: &Path, data_dir: &Path) -> Report {
    let mut report = Report::default();
    for jp in expected_jsons(json_dir) {
        let expected = load_json(&jp);
        let name = expected["file"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| jp.file_stem().unwrap().to_string_lossy().into_owned() + ".tif");
        let file = data_dir.join(&name);
        let ms = if file.exists() {
            check_file(&file, &expected)
        } else {
            vec![Mismatch {
                field: "file".into(),
                detail: format!("{} does not exist", file.display()),
            }]
        };
        report.add(&name, ms);
    }
    report
}
