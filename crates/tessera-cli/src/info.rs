//! `tessera info FILE [--json] [--stats] [--checksum]`

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::Value;
use tessera::{Dataset, InfoOptions};

/// Arguments of `tessera info`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// The GeoTIFF to describe.
    pub file: PathBuf,
    /// Print JSON (the interop schema's fields) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Compute per-band statistics (reads every pixel).
    #[arg(long)]
    pub stats: bool,
    /// Compute sha256 checksums of every band, overview and mask (reads every pixel).
    #[arg(long)]
    pub checksum: bool,
}

/// Exit codes: 0 success, 1 the file could not be opened, 2 pixels could not be read.
pub fn run(args: &InfoArgs) -> ExitCode {
    let ds = match Dataset::open(&args.file) {
        Ok(ds) => ds,
        Err(e) => {
            eprintln!("tessera: {e}");
            return ExitCode::from(1);
        }
    };
    let options = InfoOptions {
        stats: args.stats,
        checksum: args.checksum,
    };
    let (report, failure) = ds.info(options);
    let text = if args.json {
        let mut s = serde_json::to_string_pretty(&report).expect("a JSON value always serialises");
        s.push('\n');
        s
    } else {
        render_text(&report, &args.file)
    };
    // A closed pipe (`tessera info x | head`) is not an error worth a panic.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
    match failure {
        Some(e) => {
            eprintln!("tessera: {e}");
            ExitCode::from(2)
        }
        None => ExitCode::SUCCESS,
    }
}

fn f(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Null => "none".into(),
        other => other.to_string(),
    }
}

/// Text in the spirit of gdalinfo.
fn render_text(r: &Value, path: &std::path::Path) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line("Driver: GTiff/GeoTIFF".into());
    line(format!("Files: {}", path.display()));
    line(format!("Size is {}, {}", f(&r["width"]), f(&r["height"])));
    match &r["crs"] {
        Value::Null => match &r["crs_error"] {
            Value::Null => line("Coordinate System: none".into()),
            e => line(format!("Coordinate System: unusable ({})", f(e))),
        },
        crs => {
            let epsg = match &crs["epsg"] {
                Value::Null => "user-defined".to_string(),
                code => format!("EPSG:{code}"),
            };
            line(format!("Coordinate System: {epsg}"));
            line(format!("  PROJ: {}", f(&crs["proj4"])));
        }
    }
    let gt: Vec<f64> = r["geotransform"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_f64().unwrap_or(f64::NAN)).collect())
        .unwrap_or_default();
    if r["georeferenced"] == Value::Bool(true) && gt.len() == 6 {
        line(format!("Origin = ({:.15}, {:.15})", gt[0], gt[3]));
        line(format!("Pixel Size = ({:.15}, {:.15})", gt[1], gt[5]));
        if gt[2] != 0.0 || gt[4] != 0.0 {
            line(format!("Rotation/shear = ({}, {})", gt[2], gt[4]));
        }
        let (w, h) = (
            r["width"].as_f64().unwrap_or(0.0),
            r["height"].as_f64().unwrap_or(0.0),
        );
        let at = |x: f64, y: f64| (gt[0] + x * gt[1] + y * gt[2], gt[3] + x * gt[4] + y * gt[5]);
        line("Corner Coordinates:".into());
        for (name, x, y) in [
            ("Upper Left ", 0.0, 0.0),
            ("Lower Left ", 0.0, h),
            ("Upper Right", w, 0.0),
            ("Lower Right", w, h),
            ("Center     ", w / 2.0, h / 2.0),
        ] {
            let (cx, cy) = at(x, y);
            line(format!("{name} ({cx:15.3}, {cy:15.3})"));
        }
    } else if let Value::Object(g) = &r["gcps"] {
        let n = g["points"].as_array().map(Vec::len).unwrap_or(0);
        line(format!("GCPs: {n} ground control points"));
    }
    if let Value::Object(tags) = &r["tags"] {
        if !tags.is_empty() {
            line("Metadata:".into());
            for (k, v) in tags {
                line(format!("  {k}={}", f(v)));
            }
        }
    }
    if let Value::Object(is) = &r["image_structure"] {
        line("Image Structure Metadata:".into());
        for (k, v) in is {
            line(format!("  {k}={}", f(v)));
        }
    }
    if let Some(factors) = r["overview_factors"].as_array() {
        if !factors.is_empty() {
            let list: Vec<String> = factors.iter().map(f).collect();
            line(format!("Overview factors: {}", list.join(", ")));
        }
    }
    if r["mask"].is_object() {
        line(format!(
            "Internal mask: {} valid pixels",
            f(&r["mask"]["valid_count"])
        ));
    }
    if let Some(bands) = r["bands"].as_array() {
        for b in bands {
            let block = &b["block_shape"];
            line(format!(
                "Band {} Block={}x{} Type={}, ColorInterp={}",
                f(&b["index"]),
                f(&block[1]),
                f(&block[0]),
                f(&b["dtype"]),
                f(&b["colorinterp"])
            ));
            if !b["description"].is_null() {
                line(format!("  Description = {}", f(&b["description"])));
            }
            if !b["nodata"].is_null() {
                line(format!("  NoData Value={}", f(&b["nodata"])));
            }
            if b.get("valid_count").is_some() {
                line(format!(
                    "  Min={} Max={} Mean={} StdDev={} Valid={} NaN={}",
                    f(&b["min"]),
                    f(&b["max"]),
                    f(&b["mean"]),
                    f(&b["std"]),
                    f(&b["valid_count"]),
                    f(&b["nan_count"])
                ));
            }
            if let Some(sha) = b.get("sha256") {
                line(format!("  sha256={}", f(sha)));
            }
        }
    }
    if let Value::String(e) = &r["error"] {
        line(format!("ERROR reading pixels: {e}"));
    }
    out
}
