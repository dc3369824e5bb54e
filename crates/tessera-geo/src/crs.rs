//! Coordinate reference systems from GeoKeys, as GDAL 3.10 / PROJ build them.

use crate::error::CrsError;
use crate::geokeys::{ids, GeoKeyDirectory, GeoKeyValue, RasterType};
use crate::proj::{fmt_num, parse_proj_tokens, proj_params_agree, token_num};
use crate::tables::{angular_unit_radians, datum_ellipsoid, Ellipsoid, LinearUnit, PrimeMeridian};
use crate::wkt::Wkt;

const USER_DEFINED: u16 = 32767;

/// Geodetic datum.
#[derive(Debug, Clone, PartialEq)]
pub enum Datum {
    /// WGS 84 (EPSG 6326), printed `+datum=WGS84`.
    Wgs84,
    /// NAD27 (EPSG 6267), printed `+datum=NAD27`.
    Nad27,
    /// NAD83 (EPSG 6269), printed `+datum=NAD83`.
    Nad83,
    /// Any other datum: described by its ellipsoid (and TOWGS84 if any).
    Other {
        /// EPSG datum code when known.
        code: Option<u16>,
        /// Datum name.
        name: String,
    },
}

impl Datum {
    fn from_code(code: u16) -> Datum {
        match code {
            6326 => Datum::Wgs84,
            6267 => Datum::Nad27,
            6269 => Datum::Nad83,
            c => Datum::Other {
                code: Some(c),
                name: "unknown".into(),
            },
        }
    }
    fn proj_name(&self) -> Option<&'static str> {
        match self {
            Datum::Wgs84 => Some("WGS84"),
            Datum::Nad27 => Some("NAD27"),
            Datum::Nad83 => Some("NAD83"),
            Datum::Other { .. } => None,
        }
    }
    fn wkt_name(&self) -> String {
        match self {
            Datum::Wgs84 => "WGS_1984".into(),
            Datum::Nad27 => "North_American_Datum_1927".into(),
            Datum::Nad83 => "North_American_Datum_1983".into(),
            Datum::Other { name, .. } => name.clone(),
        }
    }
}

/// The geographic (geodetic) part of a CRS.
#[derive(Debug, Clone, PartialEq)]
pub struct GeogCrs {
    /// EPSG code of the geographic CRS when known.
    pub epsg: Option<u32>,
    /// Name.
    pub name: String,
    /// Datum.
    pub datum: Datum,
    /// Ellipsoid.
    pub ellipsoid: Ellipsoid,
    /// Prime meridian.
    pub prime_meridian: PrimeMeridian,
    /// Datum shift to WGS 84 (3 or 7 parameters) when given.
    pub towgs84: Option<Vec<f64>>,
    /// Angular unit size in radians.
    pub angular_unit: f64,
}

impl GeogCrs {
    fn wgs84_default() -> Self {
        GeogCrs {
            epsg: None,
            name: "unknown".into(),
            datum: Datum::Other {
                code: None,
                name: "unknown".into(),
            },
            ellipsoid: Ellipsoid::from_epsg(7030)
                .unwrap_or_else(|| Ellipsoid::from_a_rf(6378137.0, 298.257223563)),
            prime_meridian: PrimeMeridian::greenwich(),
            towgs84: None,
            angular_unit: std::f64::consts::PI / 180.0,
        }
    }
}

/// A projection parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum ProjValue {
    /// Numeric value (degrees, metres or unitless).
    Num(f64),
    /// Text value (e.g. `axis=wsu`).
    Text(String),
    /// A flag without value (e.g. `south`, `no_uoff`).
    Flag,
}

/// A map projection in PROJ terms: method name (`tmerc`, `lcc`, ...) and ordered parameters;
/// angles in degrees, false easting/northing in metres.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// PROJ method name.
    pub method: String,
    /// Parameters in PROJ order.
    pub params: Vec<(String, ProjValue)>,
    /// Extra PROJ tokens printed after the units (e.g. `nadgrids=@null`, `wktext`).
    pub extra: Vec<(String, Option<String>)>,
}

impl Projection {
    fn new(method: &str) -> Self {
        Projection {
            method: method.into(),
            params: Vec::new(),
            extra: Vec::new(),
        }
    }
    fn num(mut self, k: &str, v: f64) -> Self {
        self.params.push((k.into(), ProjValue::Num(v)));
        self
    }
    fn flag(mut self, k: &str) -> Self {
        self.params.push((k.into(), ProjValue::Flag));
        self
    }
    fn text(mut self, k: &str, v: &str) -> Self {
        self.params.push((k.into(), ProjValue::Text(v.into())));
        self
    }
    /// A numeric parameter.
    pub fn param(&self, k: &str) -> Option<f64> {
        self.params
            .iter()
            .find(|p| p.0 == k)
            .and_then(|p| match p.1 {
                ProjValue::Num(v) => Some(v),
                _ => None,
            })
    }
}

/// Whether the CRS came from an EPSG code or was defined by the file's keys.
#[derive(Debug, Clone, PartialEq)]
pub enum CrsKind {
    /// Built from this EPSG code.
    Epsg(u32),
    /// User-defined (keys, ESRI PE string, or an EPSG code modified by other keys).
    UserDefined,
}

/// A coordinate reference system with GDAL's view of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Crs {
    /// EPSG-coded or user-defined.
    pub kind: CrsKind,
    /// Geographic part.
    pub geog: GeogCrs,
    /// Projection (None for a geographic CRS).
    pub projection: Option<Projection>,
    /// Linear unit of a projected CRS (metre for geographic ones).
    pub linear_unit: LinearUnit,
    /// VerticalCSTypeGeoKey code, if any.
    pub vertical: Option<u16>,
    epsg: Option<u32>,
    wkt: Option<String>,
    source_keys: Option<GeoKeyDirectory>,
}

/// GDAL's proj4 text for EPSG codes where crs-definitions differs from PROJ 9 (or lacks them).
const EPSG_OVERRIDES: &[(u32, &str)] = &[
    (3857, "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs"),
    (3035, "+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 +ellps=GRS80 +units=m +no_defs"),
    (8441, "+proj=labrd +lat_0=-18.9 +lon_0=46.4372291666667 +azi=18.9 +k=0.9995 +x_0=400000 +y_0=800000 +ellps=intl +units=m +no_defs"),
    (4979, "+proj=longlat +datum=WGS84 +no_defs"),
    (5488, "+proj=longlat +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +no_defs"),
    (4937, "+proj=longlat +ellps=GRS80 +no_defs"),
    (4959, "+proj=longlat +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +no_defs"),
    (4939, "+proj=longlat +ellps=GRS80 +no_defs"),
    (7843, "+proj=longlat +ellps=GRS80 +no_defs"),
    (6319, "+proj=longlat +ellps=GRS80 +no_defs"),
    (4965, "+proj=longlat +ellps=GRS80 +no_defs"),
];

/// Geographic 2D code -> geographic 3D code (for VerticalCSTypeGeoKey holding the 3D CRS).
const GEOG_3D: &[(u16, u16)] = &[
    (4326, 4979),
    (5489, 5488),
    (4258, 4937),
    (4167, 4959),
    (4283, 4939),
    (7844, 7843),
    (6318, 6319),
    (4171, 4965),
];

/// `(proj4, wkt, use the WKT to identify the datum)`.
fn epsg_source(code: u32) -> Option<(String, Option<String>, bool)> {
    let def = u16::try_from(code)
        .ok()
        .and_then(crs_definitions::from_code);
    if let Some((_, p)) = EPSG_OVERRIDES.iter().find(|(c, _)| *c == code) {
        return Some((p.to_string(), def.map(|d| d.wkt.to_string()), false));
    }
    let def = def?;
    Some((def.proj4.to_string(), Some(def.wkt.to_string()), true))
}

/// Builds typed parts from a PROJ string (+ optional WKT for datum identification).
fn from_proj4(proj4: &str, wkt: Option<&str>) -> (GeogCrs, Option<Projection>, LinearUnit) {
    let toks = parse_proj_tokens(proj4);
    let mut geog = GeogCrs::wgs84_default();
    let mut proj: Option<Projection> = None;
    let mut unit = LinearUnit::metre();
    let (mut a, mut b, mut rf, mut ellps) = (None, None, None, None);
    let mut datum = None;
    for (k, v) in &toks {
        match k.as_str() {
            "proj" => {
                let m = v.clone().unwrap_or_default();
                if !matches!(m.as_str(), "longlat" | "latlong" | "lonlat" | "latlon") {
                    proj = Some(Projection::new(&m));
                }
            }
            "datum" => datum = v.clone(),
            "ellps" => ellps = v.clone(),
            "a" => a = token_num(v),
            "b" => b = token_num(v),
            "rf" => rf = token_num(v),
            "R" => {
                a = token_num(v);
                rf = Some(0.0);
            }
            "towgs84" => {
                geog.towgs84 = v
                    .as_deref()
                    .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
            }
            "pm" => {
                if let Some(pm) = v.as_deref().and_then(PrimeMeridian::from_proj) {
                    geog.prime_meridian = pm;
                }
            }
            "units" => {
                if let Some(u) = v.as_deref().and_then(LinearUnit::from_proj) {
                    unit = u;
                }
            }
            "to_meter" => {
                if let Some(x) = token_num(v) {
                    unit = LinearUnit::from_metres(x);
                }
            }
            "no_defs" | "type" => {}
            "nadgrids" | "wktext" | "geoidgrids" => {
                if let Some(p) = proj.as_mut() {
                    p.extra.push((k.clone(), v.clone()));
                }
            }
            _ => {
                if let Some(p) = proj.as_mut() {
                    let val = match v {
                        None => ProjValue::Flag,
                        Some(t) => t
                            .parse::<f64>()
                            .map_or_else(|_| ProjValue::Text(t.clone()), ProjValue::Num),
                    };
                    p.params.push((k.clone(), val));
                }
            }
        }
    }
    if let Some(e) = ellps.as_deref().and_then(Ellipsoid::from_proj_name) {
        geog.ellipsoid = e;
    }
    if let Some(a) = a {
        geog.ellipsoid = match (rf, b) {
            (Some(rf), _) => Ellipsoid::from_a_rf(a, rf),
            (None, Some(b)) => Ellipsoid::from_a_b(a, b),
            _ => Ellipsoid::from_a_rf(a, 0.0),
        };
    }
    geog.datum = match datum.as_deref() {
        Some("WGS84") => Datum::Wgs84,
        Some("NAD27") => Datum::Nad27,
        Some("NAD83") => Datum::Nad83,
        _ => Datum::Other {
            code: None,
            name: "unknown".into(),
        },
    };
    if let Some(w) = wkt.and_then(Wkt::parse) {
        let g = if w.name().eq_ignore_ascii_case("GEOGCS") {
            Some(&w)
        } else {
            w.child("GEOGCS")
        };
        if let Some(g) = g {
            geog.epsg = g.epsg();
            geog.name = g.str_at(0).unwrap_or("unknown").to_string();
            if let Some(d) = g.child("DATUM") {
                let name = d.str_at(0).unwrap_or("unknown").to_string();
                geog.datum = match d.epsg().and_then(|c| u16::try_from(c).ok()) {
                    Some(c) => match Datum::from_code(c) {
                        Datum::Other { code, .. } => Datum::Other { code, name },
                        named => named,
                    },
                    None => match geog.datum.clone() {
                        Datum::Other { code, .. } => Datum::Other { code, name },
                        named => named,
                    },
                };
            }
        }
    }
    if let Some(n) = geog.datum.proj_name() {
        // PROJ ≥ 6 prints named datums without a shift; their ellipsoid is implied.
        geog.towgs84 = None;
        geog.ellipsoid = Ellipsoid::from_proj_name(match n {
            "NAD27" => "clrk66",
            "NAD83" => "GRS80",
            _ => "WGS84",
        })
        .unwrap_or(geog.ellipsoid);
    }
    (geog, proj, unit)
}

fn coded(v: Option<u16>) -> Option<u16> {
    v.filter(|c| *c != 0 && *c != USER_DEFINED)
}

/// Converts an angle from the file's angular unit to degrees (9110 = packed sexagesimal DMS).
fn to_degrees(v: f64, unit_code: Option<u16>, unit_rad: f64) -> f64 {
    if unit_code == Some(9110) {
        let sign = if v < 0.0 { -1.0 } else { 1.0 };
        let a = v.abs();
        let d = a.trunc();
        let mm = ((a - d) * 100.0 + 1e-9).trunc();
        let ss = (a - d - mm / 100.0) * 10000.0;
        return sign * (d + mm / 60.0 + ss / 3600.0);
    }
    v * unit_rad / (std::f64::consts::PI / 180.0)
}

impl Crs {
    /// Builds the CRS GDAL reads from a GeoKey directory.
    ///
    /// `Ok(None)` when the keys describe no CRS; `Err` where GDAL/PROJ fail too (e.g. Mercator
    /// 1SP with a non-zero latitude of natural origin).
    pub fn from_geokeys(keys: &GeoKeyDirectory) -> Result<Option<Crs>, CrsError> {
        if keys.keys.is_empty() {
            return Ok(None);
        }
        let model = keys.short(ids::GT_MODEL_TYPE);
        let pcs = coded(keys.short(ids::PROJECTED_CS_TYPE));
        let vertical = coded(keys.short(ids::VERTICAL_CS_TYPE));
        let has_proj_keys = coded(keys.short(ids::PROJECTION)).is_some()
            || keys.short(ids::PROJ_COORD_TRANS).is_some()
            || pcs.is_some();
        let pe = if pcs.is_none() {
            [ids::PCS_CITATION, ids::GT_CITATION]
                .iter()
                .filter_map(|id| keys.ascii(*id))
                .find_map(|s| s.strip_prefix("ESRI PE String = "))
        } else {
            None
        };
        let projected = match model {
            Some(1) => true,
            Some(2) => false,
            _ => has_proj_keys || pe.is_some(),
        };
        let mut crs = if projected {
            if let Some(pe) = pe {
                esri_pe_crs(pe, keys)?
            } else if let Some(code) = pcs {
                let mut c = Crs::from_epsg(u32::from(code))?;
                if let Some(unit) = projected_unit(keys) {
                    if keys.get(ids::PROJ_LINEAR_UNITS).is_some()
                        && !crate::tables::rel_eq(unit.metres, c.linear_unit.metres, 1e-12)
                    {
                        c.linear_unit = unit;
                        c.kind = CrsKind::UserDefined;
                        c.epsg = None;
                        c.wkt = None;
                        c.source_keys = Some(keys.clone());
                    }
                }
                c
            } else {
                match user_projected(keys)? {
                    Some(c) => c,
                    None => return Ok(None),
                }
            }
        } else {
            let gcs = coded(keys.short(ids::GEOGRAPHIC_TYPE));
            let any_geog = gcs.is_some()
                || [
                    ids::GEOG_GEODETIC_DATUM,
                    ids::GEOG_ELLIPSOID,
                    ids::GEOG_SEMI_MAJOR_AXIS,
                ]
                .iter()
                .any(|id| keys.get(*id).is_some());
            if !any_geog && model != Some(2) {
                return Ok(None);
            }
            if let Some(code) = gcs {
                let mut c = Crs::from_epsg(u32::from(code))?;
                if let Some(v) = vertical {
                    if GEOG_3D.iter().any(|(g2, g3)| *g2 == code && *g3 == v) {
                        let base = c.clone();
                        c = Crs::from_epsg(u32::from(v)).unwrap_or(base);
                    }
                }
                c
            } else {
                let geog = user_geog(keys, false)?;
                Crs {
                    kind: CrsKind::UserDefined,
                    geog,
                    projection: None,
                    linear_unit: LinearUnit::metre(),
                    vertical: None,
                    epsg: None,
                    wkt: None,
                    source_keys: Some(keys.clone()),
                }
            }
        };
        crs.vertical = vertical;
        if crs.kind == CrsKind::UserDefined && crs.wkt.is_none() {
            crs.wkt = build_wkt(&crs);
        }
        Ok(Some(crs))
    }

    /// A CRS from an EPSG code, using the built-in crs-definitions table.
    pub fn from_epsg(code: u32) -> Result<Crs, CrsError> {
        let (proj4, wkt, wkt_datum) = epsg_source(code).ok_or(CrsError::UnknownEpsg(code))?;
        let (geog, projection, linear_unit) =
            from_proj4(&proj4, wkt.as_deref().filter(|_| wkt_datum));
        Ok(Crs {
            kind: CrsKind::Epsg(code),
            geog,
            projection,
            linear_unit,
            vertical: None,
            epsg: Some(code),
            wkt,
            source_keys: None,
        })
    }

    /// The EPSG code GDAL attaches to the CRS root (None for user-defined CRSs).
    pub fn epsg(&self) -> Option<u32> {
        self.epsg
    }

    /// True for a geographic CRS.
    pub fn is_geographic(&self) -> bool {
        self.projection.is_none()
    }

    /// True for a projected CRS.
    pub fn is_projected(&self) -> bool {
        self.projection.is_some()
    }

    /// GDAL's linear unit name ("metre", "foot", "US survey foot", ...); "unknown" for geographic.
    pub fn linear_units(&self) -> &str {
        if self.is_geographic() {
            "unknown"
        } else {
            &self.linear_unit.name
        }
    }

    /// The PROJ string as GDAL prints it (`+no_defs` last).
    pub fn to_proj_string(&self) -> String {
        let mut out: Vec<String> = Vec::new();
        match &self.projection {
            Some(p) => {
                out.push(format!("+proj={}", p.method));
                for (k, v) in &p.params {
                    out.push(match v {
                        ProjValue::Num(x) => format!("+{k}={}", fmt_num(*x)),
                        ProjValue::Text(t) => format!("+{k}={t}"),
                        ProjValue::Flag => format!("+{k}"),
                    });
                }
            }
            None => out.push("+proj=longlat".into()),
        }
        let g = &self.geog;
        if let Some(d) = g.datum.proj_name() {
            out.push(format!("+datum={d}"));
        } else if let Some(n) = &g.ellipsoid.proj_name {
            out.push(format!("+ellps={n}"));
        } else if g.ellipsoid.is_sphere() {
            out.push(format!("+R={}", fmt_num(g.ellipsoid.a)));
        } else {
            out.push(format!(
                "+a={} +rf={}",
                fmt_num(g.ellipsoid.a),
                fmt_num(g.ellipsoid.rf)
            ));
        }
        if !g.prime_meridian.is_greenwich() {
            match &g.prime_meridian.proj_name {
                Some(n) => out.push(format!("+pm={n}")),
                None => out.push(format!("+pm={}", fmt_num(g.prime_meridian.longitude))),
            }
        }
        if g.datum.proj_name().is_none() {
            if let Some(t) = &g.towgs84 {
                let s: Vec<String> = t.iter().map(|x| fmt_num(*x)).collect();
                out.push(format!("+towgs84={}", s.join(",")));
            }
        }
        if let Some(p) = &self.projection {
            match self.linear_unit.proj_name() {
                Some(u) => out.push(format!("+units={u}")),
                None => out.push(format!("+to_meter={}", fmt_num(self.linear_unit.metres))),
            }
            for (k, v) in &p.extra {
                out.push(match v {
                    Some(v) => format!("+{k}={v}"),
                    None => format!("+{k}"),
                });
            }
        }
        out.push("+no_defs".into());
        out.join(" ")
    }

    /// WKT1 (GDAL flavour): crs-definitions' text for EPSG codes, built for user-defined CRSs
    /// whose method is known; None otherwise.
    pub fn to_wkt(&self) -> Option<String> {
        self.wkt.clone()
    }

    /// Same CRS by meaning (normalised PROJ parameters with numeric tolerance).
    pub fn equivalent(&self, other: &Crs) -> bool {
        proj_params_agree(&self.to_proj_string(), &other.to_proj_string())
    }

    /// GeoKeys that write this CRS: EPSG codes as GTModelType + ProjectedCSType/GeographicType;
    /// user-defined CRSs as the keys they were read from.
    pub fn to_geokeys(&self, raster_type: RasterType) -> GeoKeyDirectory {
        let rt = GeoKeyValue::Short(raster_type.code());
        if let (CrsKind::UserDefined, Some(src)) = (&self.kind, &self.source_keys) {
            let mut d = src.clone();
            d.set(ids::GT_RASTER_TYPE, rt);
            return d;
        }
        let mut d = GeoKeyDirectory::new();
        let code = self.epsg.or(match self.kind {
            CrsKind::Epsg(c) => Some(c),
            CrsKind::UserDefined => None,
        });
        let code16 = code
            .and_then(|c| u16::try_from(c).ok())
            .unwrap_or(USER_DEFINED);
        if self.is_geographic() {
            d.set(ids::GT_MODEL_TYPE, GeoKeyValue::Short(2));
            d.set(ids::GT_RASTER_TYPE, rt);
            // a geographic 3D code is written as its 2D code plus the vertical key
            if let Some((g2, g3)) = GEOG_3D.iter().find(|(_, g3)| *g3 == code16) {
                d.set(ids::GEOGRAPHIC_TYPE, GeoKeyValue::Short(*g2));
                d.set(ids::GEOG_ANGULAR_UNITS, GeoKeyValue::Short(9102));
                d.set(ids::VERTICAL_CS_TYPE, GeoKeyValue::Short(*g3));
            } else {
                d.set(ids::GEOGRAPHIC_TYPE, GeoKeyValue::Short(code16));
                d.set(ids::GEOG_ANGULAR_UNITS, GeoKeyValue::Short(9102));
            }
        } else {
            d.set(ids::GT_MODEL_TYPE, GeoKeyValue::Short(1));
            d.set(ids::GT_RASTER_TYPE, rt);
            d.set(ids::PROJECTED_CS_TYPE, GeoKeyValue::Short(code16));
            if let Some(u) = self.linear_unit.code {
                d.set(ids::PROJ_LINEAR_UNITS, GeoKeyValue::Short(u));
            }
        }
        if let Some(v) = self.vertical {
            if d.get(ids::VERTICAL_CS_TYPE).is_none() {
                d.set(ids::VERTICAL_CS_TYPE, GeoKeyValue::Short(v));
            }
        }
        d.keys.sort_by_key(|k| k.id);
        d
    }
}

fn projected_unit(keys: &GeoKeyDirectory) -> Option<LinearUnit> {
    match keys.short(ids::PROJ_LINEAR_UNITS) {
        Some(USER_DEFINED) => keys
            .double(ids::PROJ_LINEAR_UNIT_SIZE)
            .filter(|v| v.is_finite() && *v > 0.0)
            .map(LinearUnit::from_metres),
        Some(c) => LinearUnit::from_epsg(c),
        None => None,
    }
}

fn angular(keys: &GeoKeyDirectory) -> (Option<u16>, f64) {
    let deg = std::f64::consts::PI / 180.0;
    match keys.short(ids::GEOG_ANGULAR_UNITS) {
        Some(USER_DEFINED) | None => {
            let size = keys
                .double(ids::GEOG_ANGULAR_UNIT_SIZE)
                .filter(|v| v.is_finite() && *v > 0.0);
            (None, size.unwrap_or(deg))
        }
        Some(c) => (Some(c), angular_unit_radians(c).unwrap_or(deg)),
    }
}

/// Ellipsoid of an EPSG datum via its geographic CRS in crs-definitions (GCS code = datum - 2000).
fn ellipsoid_of_datum(code: u16) -> Option<Ellipsoid> {
    if let Some(e) = datum_ellipsoid(code).and_then(Ellipsoid::from_epsg) {
        return Some(e);
    }
    let def = crs_definitions::from_code(code.checked_sub(2000)?)?;
    let w = Wkt::parse(def.wkt)?;
    let d = w.child("DATUM")?;
    if d.epsg()? != u32::from(code) {
        return None;
    }
    let s = d.child("SPHEROID")?;
    Some(Ellipsoid::from_a_rf(s.num_at(1)?, s.num_at(2)?))
}

/// Geographic part from the Geog* keys.  `strip_shift`: GCS codes used inside a user-defined
/// projected CRS lose their TOWGS84 (GDAL does not add one there).
fn user_geog(keys: &GeoKeyDirectory, strip_shift: bool) -> Result<GeogCrs, CrsError> {
    let (ucode, urad) = angular(keys);
    if let Some(code) = coded(keys.short(ids::GEOGRAPHIC_TYPE)) {
        let mut g = Crs::from_epsg(u32::from(code))?.geog;
        if strip_shift {
            g.towgs84 = None;
        }
        g.angular_unit = urad;
        return Ok(g);
    }
    let mut g = GeogCrs::wgs84_default();
    g.angular_unit = urad;
    let mut have_ellipsoid = false;
    if let Some(dc) = coded(keys.short(ids::GEOG_GEODETIC_DATUM)) {
        g.datum = Datum::from_code(dc);
        if let Some(e) = ellipsoid_of_datum(dc) {
            g.ellipsoid = e;
            have_ellipsoid = true;
        }
    }
    if let Some(e) = coded(keys.short(ids::GEOG_ELLIPSOID)).and_then(Ellipsoid::from_epsg) {
        g.ellipsoid = e;
        have_ellipsoid = true;
    }
    if let Some(a) = keys
        .double(ids::GEOG_SEMI_MAJOR_AXIS)
        .filter(|a| a.is_finite() && *a > 0.0)
    {
        let rf = keys
            .double(ids::GEOG_INV_FLATTENING)
            .filter(|v| v.is_finite());
        let b = keys
            .double(ids::GEOG_SEMI_MINOR_AXIS)
            .filter(|v| v.is_finite() && *v > 0.0);
        let e = match (rf, b) {
            (Some(rf), _) => Ellipsoid::from_a_rf(a, rf),
            (None, Some(b)) => Ellipsoid::from_a_b(a, b),
            _ if have_ellipsoid => Ellipsoid::from_a_rf(a, g.ellipsoid.rf),
            _ => Ellipsoid::from_a_rf(a, 0.0),
        };
        g.ellipsoid = e;
    }
    if let Some(pm) = coded(keys.short(ids::GEOG_PRIME_MERIDIAN)).and_then(PrimeMeridian::from_epsg)
    {
        g.prime_meridian = pm;
    } else if let Some(lon) = keys
        .double(ids::GEOG_PRIME_MERIDIAN_LONG)
        .filter(|v| v.is_finite())
    {
        g.prime_meridian = PrimeMeridian::from_longitude(to_degrees(lon, ucode, urad));
    }
    if let Some(t) = keys.doubles(ids::GEOG_TOWGS84) {
        if t.len() == 3 || t.len() == 7 {
            g.towgs84 = Some(t.to_vec());
        }
    }
    if let Some(c) = keys.ascii(ids::GEOG_CITATION) {
        g.name = c.to_string();
    }
    Ok(g)
}

struct ParamReader<'a> {
    keys: &'a GeoKeyDirectory,
    ucode: Option<u16>,
    urad: f64,
    metres: f64,
}

impl ParamReader<'_> {
    fn raw(&self, ids_: &[u16]) -> Option<f64> {
        ids_.iter()
            .find_map(|id| self.keys.double(*id))
            .filter(|v| v.is_finite())
    }
    fn angle(&self, ids_: &[u16], default: f64) -> f64 {
        self.raw(ids_)
            .map_or(default, |v| to_degrees(v, self.ucode, self.urad))
    }
    fn linear(&self, ids_: &[u16]) -> f64 {
        self.raw(ids_).map_or(0.0, |v| v * self.metres)
    }
    fn scale(&self, ids_: &[u16]) -> f64 {
        self.raw(ids_).unwrap_or(1.0)
    }
}

fn user_projected(keys: &GeoKeyDirectory) -> Result<Option<Crs>, CrsError> {
    use ids::*;
    let unit = projected_unit(keys).unwrap_or_else(LinearUnit::metre);
    let (ucode, urad) = angular(keys);
    let r = ParamReader {
        keys,
        ucode,
        urad,
        metres: unit.metres,
    };
    let nat_lat = [PROJ_NAT_ORIGIN_LAT, PROJ_FALSE_ORIGIN_LAT, PROJ_CENTER_LAT];
    let nat_lon = [
        PROJ_NAT_ORIGIN_LONG,
        PROJ_FALSE_ORIGIN_LONG,
        PROJ_CENTER_LONG,
    ];
    let ctr_lat = [PROJ_CENTER_LAT, PROJ_NAT_ORIGIN_LAT, PROJ_FALSE_ORIGIN_LAT];
    let ctr_lon = [
        PROJ_CENTER_LONG,
        PROJ_NAT_ORIGIN_LONG,
        PROJ_FALSE_ORIGIN_LONG,
    ];
    let fe_ids = [
        PROJ_FALSE_EASTING,
        PROJ_CENTER_EASTING,
        PROJ_FALSE_ORIGIN_EASTING,
    ];
    let fn_ids = [
        PROJ_FALSE_NORTHING,
        PROJ_CENTER_NORTHING,
        PROJ_FALSE_ORIGIN_NORTHING,
    ];
    let fo_e = [
        PROJ_FALSE_ORIGIN_EASTING,
        PROJ_FALSE_EASTING,
        PROJ_CENTER_EASTING,
    ];
    let fo_n = [
        PROJ_FALSE_ORIGIN_NORTHING,
        PROJ_FALSE_NORTHING,
        PROJ_CENTER_NORTHING,
    ];
    let k_nat = [PROJ_SCALE_AT_NAT_ORIGIN, PROJ_SCALE_AT_CENTER];
    let k_ctr = [PROJ_SCALE_AT_CENTER, PROJ_SCALE_AT_NAT_ORIGIN];
    let fe = r.linear(&fe_ids);
    let fnn = r.linear(&fn_ids);
    let projection = if let Some(pc) = coded(keys.short(PROJECTION)) {
        match pc {
            16001..=16060 => Projection::new("utm").num("zone", f64::from(pc - 16000)),
            16101..=16160 => Projection::new("utm")
                .num("zone", f64::from(pc - 16100))
                .flag("south"),
            _ => return Err(CrsError::Unsupported(format!("ProjectionGeoKey {pc}"))),
        }
    } else {
        let Some(ct) = keys.short(PROJ_COORD_TRANS) else {
            return Ok(None);
        };
        match ct {
            1 | 27 => {
                let lat = r.angle(&nat_lat, 0.0);
                let lon = r.angle(&nat_lon, 0.0);
                let k = r.scale(&k_nat);
                let mut p = Projection::new("tmerc");
                if ct == 27 {
                    p = p.text("axis", "wsu");
                } else if let Some((zone, south)) = utm_zone(lat, lon, k, fe, fnn, unit.metres) {
                    p = Projection::new("utm").num("zone", zone);
                    if south {
                        p = p.flag("south");
                    }
                    return finish_projected(keys, p, unit).map(Some);
                }
                p.num("lat_0", lat)
                    .num("lon_0", lon)
                    .num("k", k)
                    .num("x_0", fe)
                    .num("y_0", fnn)
            }
            7 => {
                let lat = r.angle(&nat_lat, 0.0);
                let lon = r.angle(&nat_lon, 0.0);
                if let Some(ts) = r.raw(&[PROJ_STD_PARALLEL1]) {
                    let ts = to_degrees(ts, ucode, urad);
                    Projection::new("merc")
                        .num("lon_0", lon)
                        .num("lat_ts", ts)
                        .num("x_0", fe)
                        .num("y_0", fnn)
                } else {
                    if lat != 0.0 {
                        return Err(CrsError::Unsupported(
                            "PROJ: internal_proj_as_wkt: Unsupported value for Latitude of natural origin".into(),
                        ));
                    }
                    let k = r.scale(&k_nat);
                    if k == 1.0 {
                        Projection::new("merc")
                            .num("lat_ts", 0.0)
                            .num("lon_0", lon)
                            .num("x_0", fe)
                            .num("y_0", fnn)
                    } else {
                        Projection::new("merc")
                            .num("lon_0", lon)
                            .num("k", k)
                            .num("x_0", fe)
                            .num("y_0", fnn)
                    }
                }
            }
            3 | 9815 | 9812 => {
                let mut p = Projection::new("omerc");
                if ct != 9815 {
                    p = p.flag("no_uoff");
                }
                p.num("lat_0", r.angle(&ctr_lat, 0.0))
                    .num("lonc", r.angle(&ctr_lon, 0.0))
                    .num("alpha", r.angle(&[PROJ_AZIMUTH_ANGLE], 0.0))
                    .num("gamma", r.angle(&[PROJ_RECTIFIED_GRID_ANGLE], 90.0))
                    .num("k", r.scale(&k_ctr))
                    .num("x_0", fe)
                    .num("y_0", fnn)
            }
            4 => Projection::new("labrd")
                .num("lat_0", r.angle(&ctr_lat, 0.0))
                .num("lon_0", r.angle(&ctr_lon, 0.0))
                .num("azi", r.angle(&[PROJ_AZIMUTH_ANGLE], 0.0))
                .num("k", r.scale(&k_ctr))
                .num("x_0", fe)
                .num("y_0", fnn),
            8 => Projection::new("lcc")
                .num(
                    "lat_0",
                    r.angle(
                        &[PROJ_FALSE_ORIGIN_LAT, PROJ_NAT_ORIGIN_LAT, PROJ_CENTER_LAT],
                        0.0,
                    ),
                )
                .num(
                    "lon_0",
                    r.angle(
                        &[
                            PROJ_FALSE_ORIGIN_LONG,
                            PROJ_NAT_ORIGIN_LONG,
                            PROJ_CENTER_LONG,
                        ],
                        0.0,
                    ),
                )
                .num("lat_1", r.angle(&[PROJ_STD_PARALLEL1], 0.0))
                .num("lat_2", r.angle(&[PROJ_STD_PARALLEL2], 0.0))
                .num("x_0", r.linear(&fo_e))
                .num("y_0", r.linear(&fo_n)),
            9 => {
                let lat = r.angle(&nat_lat, 0.0);
                Projection::new("lcc")
                    .num("lat_1", lat)
                    .num("lat_0", lat)
                    .num("lon_0", r.angle(&nat_lon, 0.0))
                    .num("k_0", r.scale(&k_nat))
                    .num("x_0", fe)
                    .num("y_0", fnn)
            }
            11 => Projection::new("aea")
                .num("lat_0", r.angle(&nat_lat, 0.0))
                .num("lon_0", r.angle(&nat_lon, 0.0))
                .num("lat_1", r.angle(&[PROJ_STD_PARALLEL1], 0.0))
                .num("lat_2", r.angle(&[PROJ_STD_PARALLEL2], 0.0))
                .num(
                    "x_0",
                    r.linear(&[
                        PROJ_FALSE_EASTING,
                        PROJ_FALSE_ORIGIN_EASTING,
                        PROJ_CENTER_EASTING,
                    ]),
                )
                .num(
                    "y_0",
                    r.linear(&[
                        PROJ_FALSE_NORTHING,
                        PROJ_FALSE_ORIGIN_NORTHING,
                        PROJ_CENTER_NORTHING,
                    ]),
                ),
            10 | 12 | 19 | 21 => {
                let m = match ct {
                    10 => "laea",
                    12 => "aeqd",
                    19 => "gnom",
                    _ => "ortho",
                };
                Projection::new(m)
                    .num("lat_0", r.angle(&ctr_lat, 0.0))
                    .num("lon_0", r.angle(&ctr_lon, 0.0))
                    .num("x_0", fe)
                    .num("y_0", fnn)
            }
            13 => Projection::new("eqdc")
                .num("lat_0", r.angle(&nat_lat, 0.0))
                .num("lon_0", r.angle(&nat_lon, 0.0))
                .num("lat_1", r.angle(&[PROJ_STD_PARALLEL1], 0.0))
                .num("lat_2", r.angle(&[PROJ_STD_PARALLEL2], 0.0))
                .num("x_0", fe)
                .num("y_0", fnn),
            14 | 16 => Projection::new(if ct == 14 { "stere" } else { "sterea" })
                .num("lat_0", r.angle(&nat_lat, 0.0))
                .num("lon_0", r.angle(&nat_lon, 0.0))
                .num("k", r.scale(&k_nat))
                .num("x_0", fe)
                .num("y_0", fnn),
            15 => {
                let lat = r.angle(
                    &[PROJ_NAT_ORIGIN_LAT, PROJ_CENTER_LAT, PROJ_FALSE_ORIGIN_LAT],
                    90.0,
                );
                let lon = r.angle(
                    &[
                        PROJ_STRAIGHT_VERT_POLE_LONG,
                        PROJ_NAT_ORIGIN_LONG,
                        PROJ_CENTER_LONG,
                        PROJ_FALSE_ORIGIN_LONG,
                    ],
                    0.0,
                );
                let pole = if lat < 0.0 { -90.0 } else { 90.0 };
                if lat.abs() == 90.0 {
                    Projection::new("stere")
                        .num("lat_0", lat)
                        .num("lon_0", lon)
                        .num("k", r.scale(&k_nat))
                        .num("x_0", fe)
                        .num("y_0", fnn)
                } else {
                    Projection::new("stere")
                        .num("lat_0", pole)
                        .num("lat_ts", lat)
                        .num("lon_0", lon)
                        .num("x_0", fe)
                        .num("y_0", fnn)
                }
            }
            17 => Projection::new("eqc")
                .num("lat_ts", r.angle(&[PROJ_STD_PARALLEL1], 0.0))
                .num("lat_0", r.angle(&ctr_lat, 0.0))
                .num("lon_0", r.angle(&ctr_lon, 0.0))
                .num("x_0", fe)
                .num("y_0", fnn),
            18 | 22 | 26 => Projection::new(match ct {
                18 => "cass",
                22 => "poly",
                _ => "nzmg",
            })
            .num("lat_0", r.angle(&nat_lat, 0.0))
            .num("lon_0", r.angle(&nat_lon, 0.0))
            .num("x_0", fe)
            .num("y_0", fnn),
            20 => Projection::new("mill")
                .num("lat_0", r.angle(&ctr_lat, 0.0))
                .num("lon_0", r.angle(&ctr_lon, 0.0))
                .num("x_0", fe)
                .num("y_0", fnn)
                .flag("R_A"),
            23..=25 => {
                let p = Projection::new(match ct {
                    23 => "robin",
                    24 => "sinu",
                    _ => "vandg",
                })
                .num("lon_0", r.angle(&ctr_lon, 0.0))
                .num("x_0", fe)
                .num("y_0", fnn);
                if ct == 25 {
                    p.flag("R_A")
                } else {
                    p
                }
            }
            28 => Projection::new("cea")
                .num("lat_ts", r.angle(&[PROJ_STD_PARALLEL1], 0.0))
                .num(
                    "lon_0",
                    r.angle(
                        &[
                            PROJ_NAT_ORIGIN_LONG,
                            PROJ_CENTER_LONG,
                            PROJ_FALSE_ORIGIN_LONG,
                        ],
                        0.0,
                    ),
                )
                .num("x_0", fe)
                .num("y_0", fnn),
            other => {
                return Err(CrsError::Unsupported(format!(
                    "ProjCoordTransGeoKey {other}"
                )))
            }
        }
    };
    finish_projected(keys, projection, unit).map(Some)
}

fn finish_projected(
    keys: &GeoKeyDirectory,
    projection: Projection,
    unit: LinearUnit,
) -> Result<Crs, CrsError> {
    let geog = user_geog(keys, true)?;
    Ok(Crs {
        kind: CrsKind::UserDefined,
        geog,
        projection: Some(projection),
        linear_unit: unit,
        vertical: None,
        epsg: None,
        wkt: None,
        source_keys: Some(keys.clone()),
    })
}

/// PROJ prints a Transverse Mercator with UTM parameters as `+proj=utm`.
fn utm_zone(lat: f64, lon: f64, k: f64, fe: f64, fnn: f64, metres: f64) -> Option<(f64, bool)> {
    if lat != 0.0 || k != 0.9996 || fe != 500000.0 || metres != 1.0 {
        return None;
    }
    let z = (lon + 183.0) / 6.0;
    if z.fract() != 0.0 || !(1.0..=60.0).contains(&z) {
        return None;
    }
    if fnn == 0.0 {
        Some((z, false))
    } else if fnn == 10_000_000.0 {
        Some((z, true))
    } else {
        None
    }
}

/// CRS from an ESRI PE string (`PROJCS[...]` in ESRI WKT1).
fn esri_pe_crs(pe: &str, keys: &GeoKeyDirectory) -> Result<Crs, CrsError> {
    let bad = || CrsError::Unsupported("unreadable ESRI PE string".into());
    let w = Wkt::parse(pe).ok_or_else(bad)?;
    if !w.name().eq_ignore_ascii_case("PROJCS") {
        return Err(bad());
    }
    let g = w.child("GEOGCS").ok_or_else(bad)?;
    let mut geog = GeogCrs::wgs84_default();
    geog.name = g.str_at(0).unwrap_or("unknown").to_string();
    if let Some(d) = g.child("DATUM") {
        let name = d.str_at(0).unwrap_or("unknown");
        geog.datum = match name {
            "D_WGS_1984" | "WGS_1984" => Datum::Wgs84,
            "D_North_American_1983" | "North_American_Datum_1983" => Datum::Nad83,
            "D_North_American_1927" | "North_American_Datum_1927" => Datum::Nad27,
            n => Datum::Other {
                code: None,
                name: n.trim_start_matches("D_").to_string(),
            },
        };
        if let Some(s) = d.child("SPHEROID") {
            if let (Some(a), Some(rf)) = (s.num_at(1), s.num_at(2)) {
                geog.ellipsoid = Ellipsoid::from_a_rf(a, rf);
            }
        }
    }
    if let Some(lon) = g.child("PRIMEM").and_then(|p| p.num_at(1)) {
        geog.prime_meridian = PrimeMeridian::from_longitude(lon);
    }
    let metres = w
        .child("UNIT")
        .and_then(|u| u.num_at(1))
        .filter(|v| *v > 0.0)
        .unwrap_or(1.0);
    let unit = LinearUnit::from_metres(metres);
    let params: Vec<(String, f64)> = w
        .children_named("PARAMETER")
        .filter_map(|p| Some((p.str_at(0)?.to_ascii_lowercase(), p.num_at(1)?)))
        .collect();
    let get = |n: &str, d: f64| params.iter().find(|p| p.0 == n).map_or(d, |p| p.1);
    let has = |n: &str| params.iter().any(|p| p.0 == n);
    let fe = get("false_easting", 0.0) * metres;
    let fnn = get("false_northing", 0.0) * metres;
    let lat0 = get("latitude_of_origin", get("latitude_of_center", 0.0));
    let lon0 = get("central_meridian", get("longitude_of_center", 0.0));
    let method = w
        .child("PROJECTION")
        .and_then(|p| p.str_at(0))
        .unwrap_or("")
        .to_string();
    let p = match method.as_str() {
        "Albers" | "Albers_Conic_Equal_Area" => Projection::new("aea")
            .num("lat_0", lat0)
            .num("lon_0", lon0)
            .num("lat_1", get("standard_parallel_1", 0.0))
            .num("lat_2", get("standard_parallel_2", 0.0)),
        "Transverse_Mercator" => Projection::new("tmerc")
            .num("lat_0", lat0)
            .num("lon_0", lon0)
            .num("k", get("scale_factor", 1.0)),
        "Lambert_Conformal_Conic" if has("standard_parallel_2") => Projection::new("lcc")
            .num("lat_0", lat0)
            .num("lon_0", lon0)
            .num("lat_1", get("standard_parallel_1", 0.0))
            .num("lat_2", get("standard_parallel_2", 0.0)),
        "Lambert_Conformal_Conic" => {
            let l = get("standard_parallel_1", lat0);
            Projection::new("lcc")
                .num("lat_1", l)
                .num("lat_0", l)
                .num("lon_0", lon0)
                .num("k_0", get("scale_factor", 1.0))
        }
        "Mercator" => Projection::new("merc")
            .num("lon_0", lon0)
            .num("lat_ts", get("standard_parallel_1", 0.0)),
        "Lambert_Azimuthal_Equal_Area" => Projection::new("laea")
            .num("lat_0", lat0)
            .num("lon_0", lon0),
        "Geostationary_Satellite" => Projection::new("geos")
            .num("lon_0", lon0)
            .num("h", get("satellite_height", 35785831.0)),
        "Equidistant_Cylindrical" | "Plate_Carree" => Projection::new("eqc")
            .num("lat_ts", get("standard_parallel_1", 0.0))
            .num("lat_0", lat0)
            .num("lon_0", lon0),
        "Cylindrical_Equal_Area" => Projection::new("cea")
            .num("lat_ts", get("standard_parallel_1", 0.0))
            .num("lon_0", lon0),
        "Sinusoidal" => Projection::new("sinu").num("lon_0", lon0),
        "Mollweide" => Projection::new("moll").num("lon_0", lon0),
        "Robinson" => Projection::new("robin").num("lon_0", lon0),
        "Stereographic" => Projection::new("stere")
            .num("lat_0", lat0)
            .num("lon_0", lon0)
            .num("k", get("scale_factor", 1.0)),
        m => return Err(CrsError::Unsupported(format!("ESRI projection {m}"))),
    };
    let p = p.num("x_0", fe).num("y_0", fnn);
    if geog.datum.proj_name().is_some() {
        geog.towgs84 = None;
    }
    Ok(Crs {
        kind: CrsKind::UserDefined,
        geog,
        projection: Some(p),
        linear_unit: unit,
        vertical: None,
        epsg: None,
        wkt: None,
        source_keys: Some(keys.clone()),
    })
}

fn q(s: &str) -> String {
    s.replace('"', "")
}

/// GDAL-flavoured WKT1 for a user-defined CRS (None for methods without a mapping here).
fn build_wkt(crs: &Crs) -> Option<String> {
    let g = &crs.geog;
    let e = &g.ellipsoid;
    let geogcs = format!(
        "GEOGCS[\"{}\",DATUM[\"{}\",SPHEROID[\"{}\",{},{}]{}],PRIMEM[\"{}\",{}],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]]]",
        q(&g.name),
        q(&g.datum.wkt_name()),
        q(&e.name),
        fmt_num(e.a),
        fmt_num(e.rf),
        g.towgs84
            .as_ref()
            .filter(|_| g.datum.proj_name().is_none())
            .map(|t| format!(",TOWGS84[{}]", t.iter().map(|x| fmt_num(*x)).collect::<Vec<_>>().join(",")))
            .unwrap_or_default(),
        q(&g.prime_meridian.name),
        fmt_num(g.prime_meridian.longitude),
    );
    let Some(p) = &crs.projection else {
        return Some(geogcs);
    };
    let (name, map): (&str, &[(&str, &str)]) = match p.method.as_str() {
        "tmerc" => (
            "Transverse_Mercator",
            &[
                ("lat_0", "latitude_of_origin"),
                ("lon_0", "central_meridian"),
                ("k", "scale_factor"),
            ],
        ),
        "merc" if p.param("lat_ts").is_some() && p.param("k").is_none() => (
            "Mercator_2SP",
            &[
                ("lat_ts", "standard_parallel_1"),
                ("lon_0", "central_meridian"),
            ],
        ),
        "merc" => (
            "Mercator_1SP",
            &[("lon_0", "central_meridian"), ("k", "scale_factor")],
        ),
        "lcc" if p.param("lat_2").is_some() => (
            "Lambert_Conformal_Conic_2SP",
            &[
                ("lat_1", "standard_parallel_1"),
                ("lat_2", "standard_parallel_2"),
                ("lat_0", "latitude_of_origin"),
                ("lon_0", "central_meridian"),
            ],
        ),
        "lcc" => (
            "Lambert_Conformal_Conic_1SP",
            &[
                ("lat_0", "latitude_of_origin"),
                ("lon_0", "central_meridian"),
                ("k_0", "scale_factor"),
            ],
        ),
        "aea" => (
            "Albers_Conic_Equal_Area",
            &[
                ("lat_0", "latitude_of_center"),
                ("lon_0", "longitude_of_center"),
                ("lat_1", "standard_parallel_1"),
                ("lat_2", "standard_parallel_2"),
            ],
        ),
        "laea" => (
            "Lambert_Azimuthal_Equal_Area",
            &[
                ("lat_0", "latitude_of_center"),
                ("lon_0", "longitude_of_center"),
            ],
        ),
        "cea" => (
            "Cylindrical_Equal_Area",
            &[
                ("lat_ts", "standard_parallel_1"),
                ("lon_0", "central_meridian"),
            ],
        ),
        "eqc" => (
            "Equirectangular",
            &[
                ("lat_0", "latitude_of_origin"),
                ("lon_0", "central_meridian"),
                ("lat_ts", "standard_parallel_1"),
            ],
        ),
        "omerc" if p.params.iter().any(|x| x.0 == "no_uoff") => (
            "Hotine_Oblique_Mercator",
            &[
                ("lat_0", "latitude_of_center"),
                ("lonc", "longitude_of_center"),
                ("alpha", "azimuth"),
                ("gamma", "rectified_grid_angle"),
                ("k", "scale_factor"),
            ],
        ),
        "omerc" => (
            "Hotine_Oblique_Mercator_Azimuth_Center",
            &[
                ("lat_0", "latitude_of_center"),
                ("lonc", "longitude_of_center"),
                ("alpha", "azimuth"),
                ("gamma", "rectified_grid_angle"),
                ("k", "scale_factor"),
            ],
        ),
        "stere" if p.param("lat_ts").is_some() => (
            "Polar_Stereographic",
            &[
                ("lat_ts", "latitude_of_origin"),
                ("lon_0", "central_meridian"),
            ],
        ),
        "stere" => (
            "Stereographic",
            &[
                ("lat_0", "latitude_of_origin"),
                ("lon_0", "central_meridian"),
                ("k", "scale_factor"),
            ],
        ),
        "sterea" => (
            "Oblique_Stereographic",
            &[
                ("lat_0", "latitude_of_origin"),
                ("lon_0", "central_meridian"),
                ("k", "scale_factor"),
            ],
        ),
        "cass" => (
            "Cassini_Soldner",
            &[
                ("lat_0", "latitude_of_origin"),
                ("lon_0", "central_meridian"),
            ],
        ),
        "poly" => (
            "Polyconic",
            &[
                ("lat_0", "latitude_of_origin"),
                ("lon_0", "central_meridian"),
            ],
        ),
        "sinu" => ("Sinusoidal", &[("lon_0", "longitude_of_center")]),
        "geos" => (
            "Geostationary_Satellite",
            &[("lon_0", "central_meridian"), ("h", "satellite_height")],
        ),
        "aeqd" => (
            "Azimuthal_Equidistant",
            &[
                ("lat_0", "latitude_of_center"),
                ("lon_0", "longitude_of_center"),
            ],
        ),
        _ => return None,
    };
    let mut s = format!("PROJCS[\"unnamed\",{geogcs},PROJECTION[\"{name}\"]");
    for (pk, wk) in map {
        let v = p
            .param(pk)
            .unwrap_or(if *pk == "k" || *pk == "k_0" { 1.0 } else { 0.0 });
        s.push_str(&format!(",PARAMETER[\"{wk}\",{}]", fmt_num(v)));
    }
    let m = crs.linear_unit.metres;
    s.push_str(&format!(
        ",PARAMETER[\"false_easting\",{}]",
        fmt_num(p.param("x_0").unwrap_or(0.0) / m)
    ));
    s.push_str(&format!(
        ",PARAMETER[\"false_northing\",{}]",
        fmt_num(p.param("y_0").unwrap_or(0.0) / m)
    ));
    let code = crs
        .linear_unit
        .code
        .map(|c| format!(",AUTHORITY[\"EPSG\",\"{c}\"]"))
        .unwrap_or_default();
    s.push_str(&format!(
        ",UNIT[\"{}\",{}{code}],AXIS[\"Easting\",EAST],AXIS[\"Northing\",NORTH]]",
        q(&crs.linear_unit.name),
        fmt_num(m)
    ));
    Some(s)
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_table;
