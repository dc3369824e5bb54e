//! Static tables: units, ellipsoids, prime meridians, datums (EPSG codes and PROJ names).

/// A linear unit.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearUnit {
    /// EPSG unit code when known.
    pub code: Option<u16>,
    /// GDAL name ("metre", "foot", "US survey foot", "kilometre", ...).
    pub name: String,
    /// Size in metres.
    pub metres: f64,
}

impl LinearUnit {
    /// The metre.
    pub fn metre() -> Self {
        LinearUnit {
            code: Some(9001),
            name: "metre".into(),
            metres: 1.0,
        }
    }
    /// From an EPSG unit code.
    pub fn from_epsg(code: u16) -> Option<Self> {
        LINEAR_UNITS
            .iter()
            .find(|u| u.0 == code)
            .map(|u| LinearUnit {
                code: Some(code),
                name: u.1.into(),
                metres: u.2,
            })
    }
    /// From a PROJ `+units=` name.
    pub fn from_proj(name: &str) -> Option<Self> {
        LINEAR_UNITS
            .iter()
            .find(|u| u.3 == Some(name))
            .map(|u| LinearUnit {
                code: Some(u.0),
                name: u.1.into(),
                metres: u.2,
            })
    }
    /// From a size in metres: a known unit when it matches, otherwise unnamed.
    pub fn from_metres(metres: f64) -> Self {
        LINEAR_UNITS
            .iter()
            .find(|u| rel_eq(u.2, metres, 1e-12))
            .map(|u| LinearUnit {
                code: Some(u.0),
                name: u.1.into(),
                metres: u.2,
            })
            .unwrap_or(LinearUnit {
                code: None,
                name: "unknown".into(),
                metres,
            })
    }
    /// The PROJ `+units=` name, if PROJ has one.
    pub fn proj_name(&self) -> Option<&'static str> {
        LINEAR_UNITS
            .iter()
            .find(|u| rel_eq(u.2, self.metres, 1e-12))
            .and_then(|u| u.3)
    }
}

/// (EPSG code, GDAL name, metres, PROJ name)
const LINEAR_UNITS: &[(u16, &str, f64, Option<&str>)] = &[
    (9001, "metre", 1.0, Some("m")),
    (9002, "foot", 0.3048, Some("ft")),
    (9003, "US survey foot", 1200.0 / 3937.0, Some("us-ft")),
    (9005, "Clarke's foot", 0.3047972654, None),
    (9014, "fathom", 1.8288, Some("fath")),
    (9030, "nautical mile", 1852.0, Some("kmi")),
    (9031, "German legal metre", 1.0000135965, None),
    (9033, "US survey chain", 20.11684023368047, Some("us-ch")),
    (9035, "US survey mile", 1609.347218694437, Some("us-mi")),
    (9036, "kilometre", 1000.0, Some("km")),
    (9037, "Clarke's yard", 0.9143917962, None),
    (9038, "Clarke's chain", 20.1166195164, None),
    (9039, "Clarke's link", 0.201166195164, None),
    (9040, "British yard (Sears 1922)", 0.914398414616029, None),
    (9041, "British foot (Sears 1922)", 0.304799471538676, None),
    (9042, "British chain (Sears 1922)", 20.1167651215526, None),
    (9043, "British link (Sears 1922)", 0.201167651215526, None),
    (9050, "British yard (Benoit 1895 A)", 0.9143992, None),
    (9084, "Indian yard", 0.914_398_530_744_440_8, Some("ind-yd")),
    (9093, "Statute mile", 1609.344, Some("mi")),
    (9094, "Gold Coast foot", 0.3047997101815088, None),
    (9095, "British foot (1936)", 0.3048007491, None),
    (9096, "yard", 0.9144, Some("yd")),
    (9097, "chain", 20.1168, Some("ch")),
    (9098, "link", 0.201168, Some("link")),
    (1025, "millimetre", 0.001, Some("mm")),
    (1033, "centimetre", 0.01, Some("cm")),
];

/// Angular unit size in radians for an EPSG angular unit code.
pub fn angular_unit_radians(code: u16) -> Option<f64> {
    let deg = std::f64::consts::PI / 180.0;
    Some(match code {
        9101 => 1.0,
        9102 | 9107 | 9108 | 9110 | 9122 => deg,
        9103 => deg / 60.0,
        9104 => deg / 3600.0,
        9105 | 9106 => std::f64::consts::PI / 200.0,
        9109 => 1e-6,
        9112 => std::f64::consts::PI / 20000.0,
        9113 => std::f64::consts::PI / 200000.0,
        9114 => 2.0 * std::f64::consts::PI / 6400.0,
        _ => return None,
    })
}

/// A reference ellipsoid.
#[derive(Debug, Clone, PartialEq)]
pub struct Ellipsoid {
    /// PROJ `+ellps=` name when it is one of PROJ's built-in ellipsoids.
    pub proj_name: Option<String>,
    /// Descriptive name.
    pub name: String,
    /// Semi-major axis, metres.
    pub a: f64,
    /// Inverse flattening; 0 for a sphere.
    pub rf: f64,
}

impl Ellipsoid {
    /// From `a` and inverse flattening, naming it when it matches a PROJ ellipsoid.
    pub fn from_a_rf(a: f64, rf: f64) -> Self {
        let rf = if rf.is_finite() && rf > 0.0 { rf } else { 0.0 };
        for e in PROJ_ELLIPSOIDS {
            let erf = e.rf();
            if rel_eq(e.a, a, 1e-10) && (rel_eq(erf, rf, 1e-9) || (erf == 0.0 && rf == 0.0)) {
                return Ellipsoid {
                    proj_name: Some(e.proj.into()),
                    name: e.name.into(),
                    a,
                    rf,
                };
            }
        }
        Ellipsoid {
            proj_name: None,
            name: "unknown".into(),
            a,
            rf,
        }
    }
    /// From `a` and `b`.
    pub fn from_a_b(a: f64, b: f64) -> Self {
        let rf = if a == b || a - b == 0.0 {
            0.0
        } else {
            a / (a - b)
        };
        Self::from_a_rf(a, rf)
    }
    /// From a PROJ `+ellps=` name.
    pub fn from_proj_name(name: &str) -> Option<Self> {
        PROJ_ELLIPSOIDS
            .iter()
            .find(|e| e.proj == name)
            .map(|e| Ellipsoid {
                proj_name: Some(e.proj.into()),
                name: e.name.into(),
                a: e.a,
                rf: e.rf(),
            })
    }
    /// From an EPSG ellipsoid code (70xx).
    pub fn from_epsg(code: u16) -> Option<Self> {
        let e = PROJ_ELLIPSOIDS.iter().find(|e| e.epsg == code)?;
        Some(Ellipsoid {
            proj_name: Some(e.proj.into()),
            name: e.name.into(),
            a: e.a,
            rf: e.rf(),
        })
    }
    /// EPSG code when known.
    pub fn epsg(&self) -> Option<u16> {
        let n = self.proj_name.as_deref()?;
        PROJ_ELLIPSOIDS
            .iter()
            .find(|e| e.proj == n && e.epsg != 0)
            .map(|e| e.epsg)
    }
    /// Semi-minor axis.
    pub fn b(&self) -> f64 {
        if self.rf == 0.0 {
            self.a
        } else {
            self.a * (1.0 - 1.0 / self.rf)
        }
    }
    /// True for a sphere.
    pub fn is_sphere(&self) -> bool {
        self.rf == 0.0
    }
}

struct EllDef {
    proj: &'static str,
    name: &'static str,
    epsg: u16,
    a: f64,
    rf: f64,
    b: f64,
}

impl EllDef {
    fn rf(&self) -> f64 {
        if self.rf != 0.0 {
            self.rf
        } else if self.b == self.a {
            0.0
        } else {
            self.a / (self.a - self.b)
        }
    }
}

macro_rules! ell {
    ($p:expr, $n:expr, $c:expr, $a:expr, rf $rf:expr) => {
        EllDef {
            proj: $p,
            name: $n,
            epsg: $c,
            a: $a,
            rf: $rf,
            b: 0.0,
        }
    };
    ($p:expr, $n:expr, $c:expr, $a:expr, b $b:expr) => {
        EllDef {
            proj: $p,
            name: $n,
            epsg: $c,
            a: $a,
            rf: 0.0,
            b: $b,
        }
    };
}

const PROJ_ELLIPSOIDS: &[EllDef] = &[
    ell!("WGS84", "WGS 84", 7030, 6378137.0, rf 298.257223563),
    ell!("GRS80", "GRS 1980", 7019, 6378137.0, rf 298.257222101),
    ell!("clrk66", "Clarke 1866", 7008, 6378206.4, b 6356583.8),
    ell!("intl", "International 1924", 7022, 6378388.0, rf 297.0),
    ell!("bessel", "Bessel 1841", 7004, 6377397.155, rf 299.1528128),
    ell!("bess_nam", "Bessel Namibia (GLM)", 7046, 6377483.865280419, rf 299.1528128),
    ell!("airy", "Airy 1830", 7001, 6377563.396, b 6356256.910),
    ell!("mod_airy", "Airy Modified 1849", 7002, 6377340.189, b 6356034.446),
    ell!("aust_SA", "Australian National Spheroid", 7003, 6378160.0, rf 298.25),
    ell!("clrk80ign", "Clarke 1880 (IGN)", 7011, 6378249.2, b 6356515.0),
    ell!("clrk80", "Clarke 1880 (RGS)", 7012, 6378249.145, rf 293.465),
    ell!("evrst30", "Everest 1830 (1937 Adjustment)", 7015, 6377276.345, rf 300.8017),
    ell!("evrstSS", "Everest 1830 (1967 Definition)", 7016, 6377298.556, rf 300.8017),
    ell!("evrst48", "Everest 1830 Modified", 7018, 6377304.063, rf 300.8017),
    ell!("evrst56", "Everest 1830 (1956)", 7044, 6377301.243, rf 300.8017),
    ell!("evrst69", "Everest 1830 (1969)", 0, 6377295.664, rf 300.8017),
    ell!("helmert", "Helmert 1906", 7020, 6378200.0, rf 298.3),
    ell!("krass", "Krassowsky 1940", 7024, 6378245.0, rf 298.3),
    ell!("NWL9D", "NWL 9D", 7025, 6378145.0, rf 298.25),
    ell!("plessis", "Plessis 1817", 7027, 6376523.0, b 6355863.0),
    ell!("GRS67", "GRS 1967", 7036, 6378160.0, rf 298.2471674270),
    ell!("WGS72", "WGS 72", 7043, 6378135.0, rf 298.26),
    ell!("WGS66", "WGS 66", 7025, 6378145.0, rf 298.25),
    ell!("WGS60", "WGS 60", 0, 6378165.0, rf 298.3),
    ell!("delmbr", "Delambre 1810 (Belgium)", 7041, 6376428.0, rf 311.5),
    ell!("MERIT", "MERIT 1983", 0, 6378137.0, rf 298.257),
    ell!("SGS85", "SGS 85", 0, 6378136.0, rf 298.257),
    ell!("IAU76", "IAU 1976", 0, 6378140.0, rf 298.257),
    ell!("APL4.9", "Appl. Physics. 1965", 0, 6378137.0, rf 298.25),
    ell!("andrae", "Andrae 1876", 0, 6377104.43, rf 300.0),
    ell!("danish", "Andrae 1876 (Denmark, Iceland)", 0, 6377019.2563, rf 300.0),
    ell!("GSK2011", "GSK-2011", 1025, 6378136.5, rf 298.2564151),
    ell!("CPM", "Comm. des Poids et Mesures 1799", 0, 6375738.7, rf 334.29),
    ell!("engelis", "Engelis 1985", 0, 6378136.05, rf 298.2566),
    ell!("fschr60", "Fischer (Mercury Datum) 1960", 0, 6378166.0, rf 298.3),
    ell!("fschr60m", "Modified Fischer 1960", 0, 6378155.0, rf 298.3),
    ell!("fschr68", "Fischer 1968", 0, 6378150.0, rf 298.3),
    ell!("hough", "Hough", 0, 6378270.0, rf 297.0),
    ell!("kaula", "Kaula 1961", 0, 6378163.0, rf 298.24),
    ell!("lerch", "Lerch 1979", 0, 6378139.0, rf 298.257),
    ell!("mprts", "Maupertius 1738", 0, 6397300.0, rf 191.0),
    ell!("new_intl", "New International 1967", 0, 6378157.5, b 6356772.2),
    ell!("SEasia", "Southeast Asia", 0, 6378155.0, b 6356773.3205),
    ell!("walbeck", "Walbeck", 0, 6376896.0, b 6355834.8467),
    ell!("sphere", "Normal Sphere (r=6370997)", 7052, 6370997.0, b 6370997.0),
];

/// Prime meridian.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimeMeridian {
    /// EPSG code when known.
    pub code: Option<u16>,
    /// Name ("Greenwich", "Paris", ...).
    pub name: String,
    /// Longitude from Greenwich, degrees.
    pub longitude: f64,
    /// PROJ `+pm=` name when PROJ has one.
    pub proj_name: Option<String>,
}

/// (EPSG, name, degrees, PROJ name)
const PRIME_MERIDIANS: &[(u16, &str, f64, &str)] = &[
    (8901, "Greenwich", 0.0, "greenwich"),
    (8902, "Lisbon", -9.131906111111, "lisbon"),
    (8903, "Paris", 2.33722916666667, "paris"),
    (8904, "Bogota", -74.0809166666667, "bogota"),
    (8905, "Madrid", -3.68793888888889, "madrid"),
    (8906, "Rome", 12.4523333333333, "rome"),
    (8907, "Bern", 7.43958333333333, "bern"),
    (8908, "Jakarta", 106.807719444444, "jakarta"),
    (8909, "Ferro", -17.6666666666667, "ferro"),
    (8910, "Brussels", 4.36797500000000, "brussels"),
    (8911, "Stockholm", 18.0582777777778, "stockholm"),
    (8912, "Athens", 23.7163375, "athens"),
    (8913, "Oslo", 10.7229166666667, "oslo"),
];

impl PrimeMeridian {
    /// Greenwich.
    pub fn greenwich() -> Self {
        Self::from_epsg(8901).unwrap_or(PrimeMeridian {
            code: Some(8901),
            name: "Greenwich".into(),
            longitude: 0.0,
            proj_name: None,
        })
    }
    /// From an EPSG prime meridian code.
    pub fn from_epsg(code: u16) -> Option<Self> {
        PRIME_MERIDIANS
            .iter()
            .find(|p| p.0 == code)
            .map(|p| PrimeMeridian {
                code: Some(p.0),
                name: p.1.into(),
                longitude: p.2,
                proj_name: Some(p.3.into()),
            })
    }
    /// From a PROJ `+pm=` value (name or degrees).
    pub fn from_proj(v: &str) -> Option<Self> {
        if let Some(p) = PRIME_MERIDIANS.iter().find(|p| p.3.eq_ignore_ascii_case(v)) {
            return Self::from_epsg(p.0);
        }
        v.parse::<f64>().ok().map(Self::from_longitude)
    }
    /// From a longitude in degrees (named when it matches a known meridian).
    pub fn from_longitude(lon: f64) -> Self {
        PRIME_MERIDIANS
            .iter()
            .find(|p| (p.2 - lon).abs() < 1e-8)
            .and_then(|p| Self::from_epsg(p.0))
            .unwrap_or(PrimeMeridian {
                code: None,
                name: "unnamed".into(),
                longitude: lon,
                proj_name: None,
            })
    }
    /// True for Greenwich (longitude 0).
    pub fn is_greenwich(&self) -> bool {
        self.longitude == 0.0
    }
}

/// Ellipsoid for an EPSG datum code, for the datums that commonly appear without a GCS code.
pub fn datum_ellipsoid(code: u16) -> Option<u16> {
    // "Not specified (based on <ellipsoid>)" datums: 6001..6054 -> 7001..7054.
    if (6001..=6054).contains(&code) {
        return Some(code + 1000);
    }
    Some(match code {
        6326 => 7030,
        6267 => 7008,
        6269 | 6258 | 6283 | 6167 | 6171 | 6619 | 6612 | 6152 | 6742 | 6140 | 6189 | 6170
        | 6674 => 7019,
        6275 => 7011,
        6322 => 7043,
        6230 | 6231 | 6218 | 6297 => 7022,
        6277 => 7001,
        6314 | 6312 | 6301 => 7004,
        6284 | 6200 => 7024,
        6807 => 7011,
        6202 | 6203 => 7003,
        6148 => 7030,
        _ => return None,
    })
}

/// Relative equality with a floor of 1 for the scale.
pub(crate) fn rel_eq(a: f64, b: f64, tol: f64) -> bool {
    if a == b {
        return true;
    }
    let scale = a.abs().max(b.abs()).max(1.0);
    (a - b).abs() <= tol * scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ellipsoid_matching() {
        assert_eq!(
            Ellipsoid::from_a_rf(6376428.0, 311.5).proj_name.as_deref(),
            Some("delmbr")
        );
        assert_eq!(
            Ellipsoid::from_a_b(6378249.2, 6356515.0)
                .proj_name
                .as_deref(),
            Some("clrk80ign")
        );
        assert_eq!(
            Ellipsoid::from_a_rf(6378137.0, 298.2572221)
                .proj_name
                .as_deref(),
            Some("GRS80")
        );
        assert!(Ellipsoid::from_a_b(6378137.0, 6378137.0).is_sphere());
        assert_eq!(Ellipsoid::from_a_rf(1.0, 2.0).proj_name, None);
        assert_eq!(
            Ellipsoid::from_epsg(7016).unwrap().proj_name.as_deref(),
            Some("evrstSS")
        );
    }

    #[test]
    fn units() {
        assert_eq!(LinearUnit::from_epsg(9036).unwrap().proj_name(), Some("km"));
        assert_eq!(LinearUnit::from_epsg(9003).unwrap().name, "US survey foot");
        assert_eq!(LinearUnit::from_metres(0.3048).name, "foot");
        assert!((angular_unit_radians(9105).unwrap() - std::f64::consts::PI / 200.0).abs() < 1e-15);
        assert_eq!(
            PrimeMeridian::from_epsg(8903).unwrap().proj_name.as_deref(),
            Some("paris")
        );
        assert_eq!(datum_ellipsoid(6742), Some(7019));
        assert_eq!(datum_ellipsoid(6030), Some(7030));
    }
}
