//! Stage 1, the metadata gate: read every input's metadata (no pixels) and either
//! build the common output grid or fail with one error listing every offending file.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use tessera_codec::DataType;
use tessera_geo::{Affine, Crs, Georef};

use crate::Dataset;

/// Tolerance for "the same pixel size" and "on the same grid": a millionth of a pixel.
const GRID_TOLERANCE: f64 = 1e-6;

/// One problem with one input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateProblem {
    /// The input file.
    pub path: PathBuf,
    /// What is wrong with it, relative to the first input.
    pub what: String,
}

/// The gate's refusal: every offending input with its problem.
#[derive(Debug, Clone, PartialEq)]
pub struct GateError {
    /// All problems found.
    pub problems: Vec<GateProblem>,
}

impl fmt::Display for GateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "inputs cannot be combined: ")?;
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                write!(f, "; ")?;
            }
            write!(f, "{}: {}", p.path.display(), p.what)?;
        }
        Ok(())
    }
}

impl std::error::Error for GateError {}

/// Where an input sits on the output grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// Output column of the input's column 0.
    pub col_off: i64,
    /// Output row of the input's row 0.
    pub row_off: i64,
    /// Input width.
    pub width: u64,
    /// Input height.
    pub height: u64,
}

/// The common output grid: plain data, so it can be logged or handed to a scheduler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputGrid {
    /// Output transform (rasterio order a, b, c, d, e, f).
    pub transform: [f64; 6],
    /// Output width in pixels.
    pub width: u64,
    /// Output height in pixels.
    pub height: u64,
    /// Bands (the same in every input).
    pub bands: usize,
    /// Sample type of the inputs (the first input's), by name ("uint8", ...).
    #[serde(with = "dtype_name")]
    pub data_type: DataType,
    /// Each input's position on the grid, in input order.
    pub placements: Vec<Placement>,
}

/// Check that the inputs share CRS (by meaning), pixel size and grid alignment, are
/// north-up, and have the same band count and data type; build the union grid, or
/// the grid of `bounds` (xmin, ymin, xmax, ymax) snapped outwards to whole pixels.
pub fn gate(inputs: &[Dataset], bounds: Option<[f64; 4]>) -> Result<OutputGrid, GateError> {
    let mut problems = Vec::new();
    let problem = |ds: &Dataset, what: String| GateProblem {
        path: ds.path().to_path_buf(),
        what,
    };
    let Some(first) = inputs.first() else {
        return Err(GateError {
            problems: vec![GateProblem {
                path: PathBuf::new(),
                what: "no input".into(),
            }],
        });
    };
    let transform = |ds: &Dataset| match &ds.metadata().georef {
        Georef::Transform(t) => Some(*t),
        _ => None,
    };
    let mut transforms = Vec::new();
    for ds in inputs {
        match transform(ds) {
            Some(t) if t.b != 0.0 || t.d != 0.0 => problems.push(problem(
                ds,
                "rotated or sheared grid (not supported yet)".into(),
            )),
            Some(t) => transforms.push(t),
            None => problems.push(problem(ds, "not georeferenced (no geotransform)".into())),
        }
    }
    if !problems.is_empty() {
        return Err(GateError { problems });
    }
    let t0 = transforms[0];
    let crs0 = first.metadata().crs.as_ref();
    for (ds, t) in inputs.iter().zip(&transforms).skip(1) {
        let crs = ds.metadata().crs.as_ref();
        if !same_crs(crs0, crs) {
            problems.push(problem(
                ds,
                format!(
                    "CRS {} differs from the first input's {}",
                    crs_label(crs),
                    crs_label(crs0)
                ),
            ));
        }
        if !close(t.a, t0.a) || !close(t.e, t0.e) {
            problems.push(problem(
                ds,
                format!(
                    "pixel size {} x {} differs from the first input's {} x {}",
                    t.a, t.e, t0.a, t0.e
                ),
            ));
            continue;
        }
        let (dc, dr) = ((t.c - t0.c) / t0.a, (t.f - t0.f) / t0.e);
        if (dc - dc.round()).abs() > GRID_TOLERANCE || (dr - dr.round()).abs() > GRID_TOLERANCE {
            problems.push(problem(
                ds,
                format!(
                    "grid not aligned with the first input's: origin is off by ({:.6}, {:.6}) pixels",
                    dc - dc.round(),
                    dr - dr.round()
                ),
            ));
        }
        if ds.band_count() != first.band_count() {
            problems.push(problem(
                ds,
                format!(
                    "{} bands, the first input has {}",
                    ds.band_count(),
                    first.band_count()
                ),
            ));
        }
        if ds.data_type() != first.data_type() {
            problems.push(problem(
                ds,
                format!(
                    "data type {}, the first input has {}",
                    ds.data_type().name(),
                    first.data_type().name()
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(GateError { problems });
    }
    let placements: Vec<Placement> = inputs
        .iter()
        .zip(&transforms)
        .map(|(ds, t)| Placement {
            col_off: ((t.c - t0.c) / t0.a).round() as i64,
            row_off: ((t.f - t0.f) / t0.e).round() as i64,
            width: ds.width(),
            height: ds.height(),
        })
        .collect();
    // Union of the inputs (or the snapped bounds) in the first input's pixel space.
    let (c0, r0, c1, r1) = match bounds {
        None => (
            placements.iter().map(|p| p.col_off).min().unwrap_or(0),
            placements.iter().map(|p| p.row_off).min().unwrap_or(0),
            placements
                .iter()
                .map(|p| p.col_off + p.width as i64)
                .max()
                .unwrap_or(0),
            placements
                .iter()
                .map(|p| p.row_off + p.height as i64)
                .max()
                .unwrap_or(0),
        ),
        Some([xmin, ymin, xmax, ymax]) => {
            let col = |x: f64| (x - t0.c) / t0.a;
            let row = |y: f64| (y - t0.f) / t0.e;
            let (ca, cb) = (col(xmin), col(xmax));
            let (ra, rb) = (row(ymin), row(ymax));
            let snap_lo = |v: f64| (v + GRID_TOLERANCE).floor() as i64;
            let snap_hi = |v: f64| (v - GRID_TOLERANCE).ceil() as i64;
            (
                snap_lo(ca.min(cb)),
                snap_lo(ra.min(rb)),
                snap_hi(ca.max(cb)),
                snap_hi(ra.max(rb)),
            )
        }
    };
    if c1 <= c0 || r1 <= r0 {
        return Err(GateError {
            problems: vec![problem(first, "the output bounds are empty".into())],
        });
    }
    let out = Affine {
        c: t0.c + c0 as f64 * t0.a,
        f: t0.f + r0 as f64 * t0.e,
        ..t0
    };
    Ok(OutputGrid {
        transform: [out.a, out.b, out.c, out.d, out.e, out.f],
        width: (c1 - c0) as u64,
        height: (r1 - r0) as u64,
        bands: first.band_count(),
        data_type: first.data_type(),
        placements: placements
            .into_iter()
            .map(|p| Placement {
                col_off: p.col_off - c0,
                row_off: p.row_off - r0,
                ..p
            })
            .collect(),
    })
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= GRID_TOLERANCE * a.abs().max(b.abs())
}

fn same_crs(a: Option<&Crs>, b: Option<&Crs>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.equivalent(b),
        _ => false,
    }
}

fn crs_label(crs: Option<&Crs>) -> String {
    match crs {
        None => "none".into(),
        Some(c) => match c.epsg() {
            Some(code) => format!("EPSG:{code}"),
            None => format!("'{}'", c.to_proj_string()),
        },
    }
}

/// Data types as their names in serialised grids.
mod dtype_name {
    use serde::{Deserialize, Deserializer, Serializer};
    use tessera_codec::DataType;

    pub fn serialize<S: Serializer>(dt: &DataType, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(dt.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DataType, D::Error> {
        let name = String::deserialize(d)?;
        DataType::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown data type {name}")))
    }
}
