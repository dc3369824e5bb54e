//! Georeferencing: affine transforms and GCPs from ModelPixelScale / ModelTiepoint / ModelTransformation.

use crate::error::GeoError;
use crate::geokeys::RasterType;

/// Affine transform in rasterio order: `X = a*col + b*row + c`, `Y = d*col + e*row + f`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Affine {
    /// Pixel width.
    pub a: f64,
    /// Row rotation.
    pub b: f64,
    /// X of the upper-left corner.
    pub c: f64,
    /// Column rotation.
    pub d: f64,
    /// Pixel height (negative for north-up).
    pub e: f64,
    /// Y of the upper-left corner.
    pub f: f64,
}

impl Affine {
    /// GDAL geotransform order `[c, a, b, f, d, e]`.
    pub fn to_gdal(&self) -> [f64; 6] {
        [self.c, self.a, self.b, self.f, self.d, self.e]
    }
    /// From GDAL geotransform order.
    pub fn from_gdal(g: [f64; 6]) -> Self {
        Affine {
            a: g[1],
            b: g[2],
            c: g[0],
            d: g[4],
            e: g[5],
            f: g[3],
        }
    }
    /// The identity transform.
    pub fn identity() -> Self {
        Affine {
            a: 1.0,
            b: 0.0,
            c: 0.0,
            d: 0.0,
            e: 1.0,
            f: 0.0,
        }
    }
    /// No rotation or shear.
    pub fn is_rectilinear(&self) -> bool {
        self.b == 0.0 && self.d == 0.0
    }
    /// Maps (col, row) to (X, Y).
    pub fn apply(&self, col: f64, row: f64) -> (f64, f64) {
        (
            self.a * col + self.b * row + self.c,
            self.d * col + self.e * row + self.f,
        )
    }
    /// The inverse transform, None when singular.
    pub fn inverse(&self) -> Option<Affine> {
        let det = self.a * self.e - self.b * self.d;
        if det == 0.0 || !det.is_finite() {
            return None;
        }
        let (a, b, d, e) = (self.e / det, -self.b / det, -self.d / det, self.a / det);
        Some(Affine {
            a,
            b,
            c: -(a * self.c + b * self.f),
            d,
            e,
            f: -(d * self.c + e * self.f),
        })
    }
}

/// A ground control point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gcp {
    /// Line (row) position.
    pub row: f64,
    /// Pixel (column) position.
    pub col: f64,
    /// Georeferenced X.
    pub x: f64,
    /// Georeferenced Y.
    pub y: f64,
    /// Georeferenced Z.
    pub z: f64,
}

/// The georeferencing GDAL derives.
#[derive(Debug, Clone, PartialEq)]
pub enum Georef {
    /// Nothing usable.
    None,
    /// An affine geotransform.
    Transform(Affine),
    /// Ground control points.
    Gcps(Vec<Gcp>),
}

/// Tag values to write for a georeferencing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GeoTags {
    /// ModelPixelScaleTag (33550).
    pub pixel_scale: Option<Vec<f64>>,
    /// ModelTiepointTag (33922).
    pub tiepoints: Option<Vec<f64>>,
    /// ModelTransformationTag (34264).
    pub transformation: Option<Vec<f64>>,
}

/// GDAL's georeferencing from the tags (GTIFF_POINT_GEO_IGNORE=FALSE):
///
/// * scale (both non-zero) + a tiepoint: north-up transform from the first tiepoint,
///   `e = -scale_y`;
/// * else a 16-value transformation matrix: used as is;
/// * else tiepoints: GCPs.
///
/// With PixelIsPoint, transforms move up-left by half a pixel and GCP pixel/line positions
/// move by +0.5 (both as GDAL does).
pub fn georef_from_tags(
    pixel_scale: Option<&[f64]>,
    tiepoints: Option<&[f64]>,
    transformation: Option<&[f64]>,
    raster_type: RasterType,
) -> Result<Georef, GeoError> {
    let point = raster_type == RasterType::PixelIsPoint;
    let shift = |mut t: Affine| {
        if point {
            t.c -= 0.5 * t.a + 0.5 * t.b;
            t.f -= 0.5 * t.d + 0.5 * t.e;
        }
        t
    };
    if let Some(s) = pixel_scale.filter(|s| s.len() >= 2 && s[0] != 0.0 && s[1] != 0.0) {
        return Ok(match tiepoints.filter(|t| t.len() >= 6) {
            Some(t) => {
                let a = s[0];
                let e = -s[1];
                Georef::Transform(shift(Affine {
                    a,
                    b: 0.0,
                    c: t[3] - t[0] * a,
                    d: 0.0,
                    e,
                    f: t[4] - t[1] * e,
                }))
            }
            None => Georef::None,
        });
    }
    if let Some(m) = transformation {
        if m.len() == 16 {
            return Ok(Georef::Transform(shift(Affine {
                a: m[0],
                b: m[1],
                c: m[3],
                d: m[4],
                e: m[5],
                f: m[7],
            })));
        }
        if tiepoints.is_none() {
            return Err(GeoError::Format(format!(
                "ModelTransformation has {} values, need 16",
                m.len()
            )));
        }
    }
    if let Some(t) = tiepoints.filter(|t| t.len() >= 6) {
        let off = if point { 0.5 } else { 0.0 };
        let gcps = t
            .chunks_exact(6)
            .map(|p| Gcp {
                col: p[0] + off,
                row: p[1] + off,
                x: p[3],
                y: p[4],
                z: p[5],
            })
            .collect();
        return Ok(Georef::Gcps(gcps));
    }
    Ok(Georef::None)
}

/// Tags to write a transform: rectilinear -> scale + tiepoint; otherwise a transformation matrix.
/// PixelIsPoint re-applies the half-pixel shift.
pub fn tags_from_affine(t: &Affine, raster_type: RasterType) -> GeoTags {
    let mut t = *t;
    if raster_type == RasterType::PixelIsPoint {
        t.c += 0.5 * t.a + 0.5 * t.b;
        t.f += 0.5 * t.d + 0.5 * t.e;
    }
    if t.is_rectilinear() {
        GeoTags {
            pixel_scale: Some(vec![t.a, -t.e, 0.0]),
            tiepoints: Some(vec![0.0, 0.0, 0.0, t.c, t.f, 0.0]),
            transformation: None,
        }
    } else {
        GeoTags {
            pixel_scale: None,
            tiepoints: None,
            transformation: Some(vec![
                t.a, t.b, 0.0, t.c, t.d, t.e, 0.0, t.f, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0,
            ]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const AREA: RasterType = RasterType::PixelIsArea;
    const POINT: RasterType = RasterType::PixelIsPoint;

    fn tr(g: Georef) -> Affine {
        match g {
            Georef::Transform(t) => t,
            other => panic!("expected transform, got {other:?}"),
        }
    }

    #[test]
    fn tiepoint_and_scale() {
        // georust austrian capitals (PixelIsArea)
        let t = tr(georef_from_tags(
            Some(&[1000.0, 1000.0, 0.0]),
            Some(&[431.0, 134.0, 0.0, 4733000.0, 2677000.0, 0.0]),
            None,
            AREA,
        )
        .unwrap());
        assert_eq!(
            t,
            Affine {
                a: 1000.0,
                b: 0.0,
                c: 4302000.0,
                d: 0.0,
                e: -1000.0,
                f: 2811000.0
            }
        );
        // rio-tiler web.tif (PixelIsPoint)
        let t = tr(georef_from_tags(
            Some(&[611.49622628141, 611.49622628141, 0.0]),
            Some(&[0.0, 0.0, 0.0, -8766104.151857153, 6104872.575080456, 0.0]),
            None,
            POINT,
        )
        .unwrap());
        assert!((t.c - -8766409.899970293).abs() < 1e-6 && (t.f - 6105178.323193597).abs() < 1e-6);
    }

    #[test]
    fn matrix_with_point() {
        let m = [
            1000.0, 0.0, 0.0, 4302000.0, 0.0, -1000.0, 0.0, 2811000.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 1.0,
        ];
        let t = tr(georef_from_tags(None, None, Some(&m), POINT).unwrap());
        assert_eq!((t.c, t.f), (4301500.0, 2811500.0));
        let m = [
            17.320508075688775,
            4.999999999999999,
            0.0,
            100.0,
            9.999999999999998,
            -8.660254037844387,
            0.0,
            200.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            1.0,
        ];
        let t = tr(georef_from_tags(None, None, Some(&m), AREA).unwrap());
        assert_eq!(
            t.to_gdal(),
            [
                100.0,
                17.320508075688775,
                4.999999999999999,
                200.0,
                9.999999999999998,
                -8.660254037844387
            ]
        );
        assert!(georef_from_tags(None, None, Some(&[1.0; 5]), AREA).is_err());
    }

    #[test]
    fn gcps_point_shift() {
        let tp = [
            124.0, 126.0, 0.0, 4426000.0, 2685000.0, 0.0, 338.0, 5.0, 0.0, 4640000.0, 2806000.0,
            0.0,
        ];
        match georef_from_tags(None, Some(&tp), None, POINT).unwrap() {
            Georef::Gcps(g) => {
                assert_eq!(g.len(), 2);
                assert_eq!((g[0].row, g[0].col, g[0].x), (126.5, 124.5, 4426000.0));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            georef_from_tags(None, None, None, AREA).unwrap(),
            Georef::None
        );
    }

    #[test]
    fn affine_ops_and_tags() {
        let t = Affine {
            a: 2.0,
            b: 0.5,
            c: 10.0,
            d: 0.25,
            e: -3.0,
            f: 20.0,
        };
        let inv = t.inverse().unwrap();
        let (x, y) = t.apply(3.0, 4.0);
        let (c, r) = inv.apply(x, y);
        assert!((c - 3.0).abs() < 1e-12 && (r - 4.0).abs() < 1e-12);
        assert_eq!(Affine::from_gdal(t.to_gdal()), t);
        assert!(!t.is_rectilinear());
        assert!(Affine {
            a: 0.0,
            b: 0.0,
            c: 0.0,
            d: 0.0,
            e: 0.0,
            f: 0.0
        }
        .inverse()
        .is_none());
        let tags = tags_from_affine(&t, AREA);
        assert!(tags.transformation.is_some() && tags.pixel_scale.is_none());
        let north = Affine {
            a: 60.0,
            b: 0.0,
            c: 440690.0,
            d: 0.0,
            e: -60.0,
            f: 3751350.0,
        };
        let tags = tags_from_affine(&north, POINT);
        assert_eq!(
            tags.tiepoints.as_deref(),
            Some(&[0.0, 0.0, 0.0, 440720.0, 3751320.0, 0.0][..])
        );
        let back = tr(georef_from_tags(
            tags.pixel_scale.as_deref(),
            tags.tiepoints.as_deref(),
            None,
            POINT,
        )
        .unwrap());
        assert_eq!(back, north);
    }
}
