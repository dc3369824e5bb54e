//! GeoKey directory parsing and serialisation (GeoTIFF 1.0 / 1.1).

use crate::error::GeoError;

/// TIFF tag number of GeoKeyDirectoryTag.
pub const TAG_GEO_KEY_DIRECTORY: u16 = 34735;
/// TIFF tag number of GeoDoubleParamsTag.
pub const TAG_GEO_DOUBLE_PARAMS: u16 = 34736;
/// TIFF tag number of GeoAsciiParamsTag.
pub const TAG_GEO_ASCII_PARAMS: u16 = 34737;

/// GeoKey ids used by this crate.
pub mod ids {
    #![allow(missing_docs)]
    pub const GT_MODEL_TYPE: u16 = 1024;
    pub const GT_RASTER_TYPE: u16 = 1025;
    pub const GT_CITATION: u16 = 1026;
    pub const GEOGRAPHIC_TYPE: u16 = 2048;
    pub const GEOG_CITATION: u16 = 2049;
    pub const GEOG_GEODETIC_DATUM: u16 = 2050;
    pub const GEOG_PRIME_MERIDIAN: u16 = 2051;
    pub const GEOG_LINEAR_UNITS: u16 = 2052;
    pub const GEOG_LINEAR_UNIT_SIZE: u16 = 2053;
    pub const GEOG_ANGULAR_UNITS: u16 = 2054;
    pub const GEOG_ANGULAR_UNIT_SIZE: u16 = 2055;
    pub const GEOG_ELLIPSOID: u16 = 2056;
    pub const GEOG_SEMI_MAJOR_AXIS: u16 = 2057;
    pub const GEOG_SEMI_MINOR_AXIS: u16 = 2058;
    pub const GEOG_INV_FLATTENING: u16 = 2059;
    pub const GEOG_AZIMUTH_UNITS: u16 = 2060;
    pub const GEOG_PRIME_MERIDIAN_LONG: u16 = 2061;
    pub const GEOG_TOWGS84: u16 = 2062;
    pub const PROJECTED_CS_TYPE: u16 = 3072;
    pub const PCS_CITATION: u16 = 3073;
    pub const PROJECTION: u16 = 3074;
    pub const PROJ_COORD_TRANS: u16 = 3075;
    pub const PROJ_LINEAR_UNITS: u16 = 3076;
    pub const PROJ_LINEAR_UNIT_SIZE: u16 = 3077;
    pub const PROJ_STD_PARALLEL1: u16 = 3078;
    pub const PROJ_STD_PARALLEL2: u16 = 3079;
    pub const PROJ_NAT_ORIGIN_LONG: u16 = 3080;
    pub const PROJ_NAT_ORIGIN_LAT: u16 = 3081;
    pub const PROJ_FALSE_EASTING: u16 = 3082;
    pub const PROJ_FALSE_NORTHING: u16 = 3083;
    pub const PROJ_FALSE_ORIGIN_LONG: u16 = 3084;
    pub const PROJ_FALSE_ORIGIN_LAT: u16 = 3085;
    pub const PROJ_FALSE_ORIGIN_EASTING: u16 = 3086;
    pub const PROJ_FALSE_ORIGIN_NORTHING: u16 = 3087;
    pub const PROJ_CENTER_LONG: u16 = 3088;
    pub const PROJ_CENTER_LAT: u16 = 3089;
    pub const PROJ_CENTER_EASTING: u16 = 3090;
    pub const PROJ_CENTER_NORTHING: u16 = 3091;
    pub const PROJ_SCALE_AT_NAT_ORIGIN: u16 = 3092;
    pub const PROJ_SCALE_AT_CENTER: u16 = 3093;
    pub const PROJ_AZIMUTH_ANGLE: u16 = 3094;
    pub const PROJ_STRAIGHT_VERT_POLE_LONG: u16 = 3095;
    pub const PROJ_RECTIFIED_GRID_ANGLE: u16 = 3096;
    pub const VERTICAL_CS_TYPE: u16 = 4096;
    pub const VERTICAL_CITATION: u16 = 4097;
    pub const VERTICAL_DATUM: u16 = 4098;
    pub const VERTICAL_UNITS: u16 = 4099;
    pub const COORDINATE_EPOCH: u16 = 5120;
}

const NAMES: &[(u16, &str)] = &[
    (1024, "GTModelTypeGeoKey"),
    (1025, "GTRasterTypeGeoKey"),
    (1026, "GTCitationGeoKey"),
    (2048, "GeographicTypeGeoKey"),
    (2049, "GeogCitationGeoKey"),
    (2050, "GeogGeodeticDatumGeoKey"),
    (2051, "GeogPrimeMeridianGeoKey"),
    (2052, "GeogLinearUnitsGeoKey"),
    (2053, "GeogLinearUnitSizeGeoKey"),
    (2054, "GeogAngularUnitsGeoKey"),
    (2055, "GeogAngularUnitSizeGeoKey"),
    (2056, "GeogEllipsoidGeoKey"),
    (2057, "GeogSemiMajorAxisGeoKey"),
    (2058, "GeogSemiMinorAxisGeoKey"),
    (2059, "GeogInvFlatteningGeoKey"),
    (2060, "GeogAzimuthUnitsGeoKey"),
    (2061, "GeogPrimeMeridianLongGeoKey"),
    (2062, "GeogTOWGS84GeoKey"),
    (3072, "ProjectedCSTypeGeoKey"),
    (3073, "PCSCitationGeoKey"),
    (3074, "ProjectionGeoKey"),
    (3075, "ProjCoordTransGeoKey"),
    (3076, "ProjLinearUnitsGeoKey"),
    (3077, "ProjLinearUnitSizeGeoKey"),
    (3078, "ProjStdParallel1GeoKey"),
    (3079, "ProjStdParallel2GeoKey"),
    (3080, "ProjNatOriginLongGeoKey"),
    (3081, "ProjNatOriginLatGeoKey"),
    (3082, "ProjFalseEastingGeoKey"),
    (3083, "ProjFalseNorthingGeoKey"),
    (3084, "ProjFalseOriginLongGeoKey"),
    (3085, "ProjFalseOriginLatGeoKey"),
    (3086, "ProjFalseOriginEastingGeoKey"),
    (3087, "ProjFalseOriginNorthingGeoKey"),
    (3088, "ProjCenterLongGeoKey"),
    (3089, "ProjCenterLatGeoKey"),
    (3090, "ProjCenterEastingGeoKey"),
    (3091, "ProjCenterNorthingGeoKey"),
    (3092, "ProjScaleAtNatOriginGeoKey"),
    (3093, "ProjScaleAtCenterGeoKey"),
    (3094, "ProjAzimuthAngleGeoKey"),
    (3095, "ProjStraightVertPoleLongGeoKey"),
    (3096, "ProjRectifiedGridAngleGeoKey"),
    (4096, "VerticalCSTypeGeoKey"),
    (4097, "VerticalCitationGeoKey"),
    (4098, "VerticalDatumGeoKey"),
    (4099, "VerticalUnitsGeoKey"),
    (5120, "CoordinateEpochGeoKey"),
];

/// The libgeotiff name of a GeoKey (GeoTIFF 1.0 names, as `listgeo` prints them), `None` if unknown.
pub fn geokey_name(id: u16) -> Option<&'static str> {
    NAMES.iter().find(|(i, _)| *i == id).map(|(_, n)| *n)
}

/// Like [`geokey_name`] but never fails: unknown keys are named `Unknown<id>`.
pub fn geokey_display_name(id: u16) -> String {
    geokey_name(id).map_or_else(|| format!("Unknown{id}"), str::to_string)
}

/// A GeoKey value, with double and ASCII parameters resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum GeoKeyValue {
    /// A single SHORT stored in the directory entry.
    Short(u16),
    /// Several SHORTs stored in the directory tag.
    Shorts(Vec<u16>),
    /// A single DOUBLE from GeoDoubleParamsTag.
    Double(f64),
    /// Several DOUBLEs from GeoDoubleParamsTag.
    Doubles(Vec<f64>),
    /// Text from GeoAsciiParamsTag, trailing `|` removed.
    Ascii(String),
}

/// One GeoKey.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoKey {
    /// Key id (e.g. 1024 for GTModelTypeGeoKey).
    pub id: u16,
    /// Resolved value.
    pub value: GeoKeyValue,
}

/// The parsed GeoKey directory.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GeoKeyDirectory {
    /// `[KeyDirectoryVersion, KeyRevision, MinorRevision]`.
    pub version: [u16; 3],
    /// Keys in file order.
    pub keys: Vec<GeoKey>,
}

impl GeoKeyDirectory {
    /// An empty GeoTIFF 1.0 directory (`version = [1, 1, 0]`).
    pub fn new() -> Self {
        GeoKeyDirectory {
            version: [1, 1, 0],
            keys: Vec::new(),
        }
    }

    /// Parses the GeoKeyDirectoryTag SHORTs with the GeoDoubleParamsTag and GeoAsciiParamsTag values.
    ///
    /// Like libgeotiff, a directory whose header or any key points outside the tags is rejected
    /// as a whole ([`GeoError::Format`]).  ASCII values lose their trailing `|` separator.
    pub fn parse(directory: &[u16], doubles: &[f64], ascii: &str) -> Result<Self, GeoError> {
        if directory.len() < 4 {
            return Err(GeoError::Format(format!(
                "GeoKeyDirectory has {} values, need at least 4",
                directory.len()
            )));
        }
        let version = [directory[0], directory[1], directory[2]];
        if version[0] != 1 {
            return Err(GeoError::Format(format!(
                "unsupported KeyDirectoryVersion {}",
                version[0]
            )));
        }
        let count = usize::from(directory[3]);
        let available = (directory.len() - 4) / 4;
        if count > available {
            return Err(GeoError::Format(format!(
                "GeoKeyDirectory declares {count} keys but has room for {available}"
            )));
        }
        let ascii_bytes = ascii.as_bytes();
        let mut keys = Vec::with_capacity(count);
        for i in 0..count {
            let e = &directory[4 + 4 * i..8 + 4 * i];
            let (id, location, n, offset) = (e[0], e[1], usize::from(e[2]), usize::from(e[3]));
            let value = match location {
                0 => GeoKeyValue::Short(e[3]),
                TAG_GEO_KEY_DIRECTORY => {
                    let vals = directory.get(offset..offset + n).ok_or_else(|| {
                        GeoError::Format(format!(
                            "key {id}: SHORT values {offset}+{n} out of range"
                        ))
                    })?;
                    if n == 1 {
                        GeoKeyValue::Short(vals[0])
                    } else {
                        GeoKeyValue::Shorts(vals.to_vec())
                    }
                }
                TAG_GEO_DOUBLE_PARAMS => {
                    let vals = doubles.get(offset..offset + n).ok_or_else(|| {
                        GeoError::Format(format!(
                            "key {id}: DOUBLE values {offset}+{n} out of range"
                        ))
                    })?;
                    if n == 1 {
                        GeoKeyValue::Double(vals[0])
                    } else {
                        GeoKeyValue::Doubles(vals.to_vec())
                    }
                }
                TAG_GEO_ASCII_PARAMS => {
                    if offset > ascii_bytes.len() {
                        return Err(GeoError::Format(format!(
                            "key {id}: ASCII offset {offset} beyond {} bytes",
                            ascii_bytes.len()
                        )));
                    }
                    // libgeotiff tolerates a count one past the end (missing final separator).
                    let end = (offset + n).min(ascii_bytes.len());
                    if offset + n > ascii_bytes.len() + 1 {
                        return Err(GeoError::Format(format!(
                            "key {id}: ASCII values {offset}+{n} out of range"
                        )));
                    }
                    let mut s = String::from_utf8_lossy(&ascii_bytes[offset..end]).into_owned();
                    while s.ends_with('\0') {
                        s.pop();
                    }
                    if s.ends_with('|') {
                        s.pop();
                    }
                    GeoKeyValue::Ascii(s)
                }
                other => {
                    return Err(GeoError::Format(format!(
                        "key {id}: unknown location tag {other}"
                    )))
                }
            };
            keys.push(GeoKey { id, value });
        }
        Ok(GeoKeyDirectory { version, keys })
    }

    /// The value of key `id` (first occurrence).
    pub fn get(&self, id: u16) -> Option<&GeoKeyValue> {
        self.keys.iter().find(|k| k.id == id).map(|k| &k.value)
    }

    /// A SHORT key value (first value of a SHORT array).
    pub fn short(&self, id: u16) -> Option<u16> {
        match self.get(id)? {
            GeoKeyValue::Short(v) => Some(*v),
            GeoKeyValue::Shorts(v) => v.first().copied(),
            _ => None,
        }
    }

    /// A DOUBLE key value (first value of a DOUBLE array).
    pub fn double(&self, id: u16) -> Option<f64> {
        match self.get(id)? {
            GeoKeyValue::Double(v) => Some(*v),
            GeoKeyValue::Doubles(v) => v.first().copied(),
            _ => None,
        }
    }

    /// All DOUBLE values of a key.
    pub fn doubles(&self, id: u16) -> Option<&[f64]> {
        match self.get(id)? {
            GeoKeyValue::Double(v) => Some(std::slice::from_ref(v)),
            GeoKeyValue::Doubles(v) => Some(v),
            _ => None,
        }
    }

    /// An ASCII key value.
    pub fn ascii(&self, id: u16) -> Option<&str> {
        match self.get(id)? {
            GeoKeyValue::Ascii(s) => Some(s),
            _ => None,
        }
    }

    /// Sets (replaces or appends) a key.
    pub fn set(&mut self, id: u16, value: GeoKeyValue) {
        if let Some(k) = self.keys.iter_mut().find(|k| k.id == id) {
            k.value = value;
        } else {
            self.keys.push(GeoKey { id, value });
        }
    }

    /// Removes a key; returns whether it was present.
    pub fn remove(&mut self, id: u16) -> bool {
        let before = self.keys.len();
        self.keys.retain(|k| k.id != id);
        before != self.keys.len()
    }

    /// Serialises to the three tag values `(directory, doubles, ascii)`, keys sorted by id as
    /// libgeotiff writes them.  ASCII values get a `|` terminator.
    pub fn to_tags(&self) -> (Vec<u16>, Vec<f64>, String) {
        let mut keys: Vec<&GeoKey> = self.keys.iter().collect();
        keys.sort_by_key(|k| k.id);
        let n = keys.len().min(usize::from(u16::MAX));
        let keys = &keys[..n];
        let mut dir: Vec<u16> = vec![self.version[0], self.version[1], self.version[2], n as u16];
        let mut extra: Vec<u16> = Vec::new();
        let mut doubles = Vec::new();
        let mut ascii = String::new();
        let extra_base = 4 + 4 * n;
        for k in keys {
            let (loc, count, off) = match &k.value {
                GeoKeyValue::Short(v) => (0u16, 1usize, usize::from(*v)),
                GeoKeyValue::Shorts(v) => {
                    let off = extra_base + extra.len();
                    extra.extend_from_slice(v);
                    (TAG_GEO_KEY_DIRECTORY, v.len(), off)
                }
                GeoKeyValue::Double(v) => {
                    doubles.push(*v);
                    (TAG_GEO_DOUBLE_PARAMS, 1, doubles.len() - 1)
                }
                GeoKeyValue::Doubles(v) => {
                    let off = doubles.len();
                    doubles.extend_from_slice(v);
                    (TAG_GEO_DOUBLE_PARAMS, v.len(), off)
                }
                GeoKeyValue::Ascii(s) => {
                    let off = ascii.len();
                    ascii.push_str(s);
                    ascii.push('|');
                    (TAG_GEO_ASCII_PARAMS, s.len() + 1, off)
                }
            };
            dir.extend_from_slice(&[k.id, loc, clamp16(count), clamp16(off)]);
        }
        dir.extend_from_slice(&extra);
        (dir, doubles, ascii)
    }
}

fn clamp16(v: usize) -> u16 {
    u16::try_from(v).unwrap_or(u16::MAX)
}

/// How pixel values relate to the raster grid (GTRasterTypeGeoKey).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RasterType {
    /// Pixel value covers the whole cell (1, the default).
    #[default]
    PixelIsArea,
    /// Pixel value is a point sample at the cell's centre (2).
    PixelIsPoint,
}

impl RasterType {
    /// From the GeoKeys: `PixelIsPoint` only when GTRasterTypeGeoKey is 2.
    pub fn from_geokeys(keys: &GeoKeyDirectory) -> Self {
        match keys.short(ids::GT_RASTER_TYPE) {
            Some(2) => RasterType::PixelIsPoint,
            _ => RasterType::PixelIsArea,
        }
    }

    /// GDAL's AREA_OR_POINT value.
    pub fn area_or_point(self) -> &'static str {
        match self {
            RasterType::PixelIsArea => "Area",
            RasterType::PixelIsPoint => "Point",
        }
    }

    /// The GTRasterTypeGeoKey code.
    pub fn code(self) -> u16 {
        match self {
            RasterType::PixelIsArea => 1,
            RasterType::PixelIsPoint => 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_basic_directory() {
        let dir = [
            1, 1, 0, 4, 1024, 0, 1, 1, 1026, 34737, 12, 0, 2057, 34736, 1, 0, 3072, 0, 1, 32633,
        ];
        let d = GeoKeyDirectory::parse(&dir, &[6378137.0], "WGS 84 / UTM|").unwrap();
        assert_eq!(d.version, [1, 1, 0]);
        assert_eq!(d.short(1024), Some(1));
        assert_eq!(d.ascii(1026), Some("WGS 84 / UTM"));
        assert_eq!(d.double(2057), Some(6378137.0));
        assert_eq!(d.short(3072), Some(32633));
        assert_eq!(d.get(9999), None);
    }

    #[test]
    fn roundtrip_tags() {
        let mut d = GeoKeyDirectory::new();
        d.set(1024, GeoKeyValue::Short(2));
        d.set(2062, GeoKeyValue::Doubles(vec![1.0, 2.0, 3.0]));
        d.set(2049, GeoKeyValue::Ascii("WGS 84".into()));
        d.set(3000, GeoKeyValue::Shorts(vec![5, 6]));
        d.set(2057, GeoKeyValue::Double(6378137.0));
        let (dir, dbl, asc) = d.to_tags();
        let back = GeoKeyDirectory::parse(&dir, &dbl, &asc).unwrap();
        assert_eq!(back.keys.len(), 5);
        for k in &d.keys {
            assert_eq!(back.get(k.id), Some(&k.value), "key {}", k.id);
        }
        // sorted by id
        assert!(back.keys.windows(2).all(|w| w[0].id < w[1].id));
    }

    #[test]
    fn bad_directories_are_errors() {
        assert!(GeoKeyDirectory::parse(&[1, 1], &[], "").is_err());
        assert!(GeoKeyDirectory::parse(&[2, 1, 0, 0], &[], "").is_err());
        assert!(GeoKeyDirectory::parse(&[1, 1, 0, 2, 1024, 0, 1, 1], &[], "").is_err());
        assert!(GeoKeyDirectory::parse(&[1, 1, 0, 1, 2057, 34736, 1, 3], &[1.0], "").is_err());
        assert!(GeoKeyDirectory::parse(&[1, 1, 0, 1, 1026, 34737, 5, 40], &[], "abc").is_err());
        assert!(GeoKeyDirectory::parse(&[1, 1, 0, 1, 1026, 999, 1, 0], &[], "").is_err());
        assert!(GeoKeyDirectory::parse(&[1, 1, 0, 1, 3000, 34735, 65535, 65535], &[], "").is_err());
    }

    #[test]
    fn ascii_missing_terminator_is_tolerated() {
        let d = GeoKeyDirectory::parse(&[1, 1, 0, 1, 1026, 34737, 4, 0], &[], "abc").unwrap();
        assert_eq!(d.ascii(1026), Some("abc"));
    }

    #[test]
    fn names() {
        assert_eq!(geokey_name(1024), Some("GTModelTypeGeoKey"));
        assert_eq!(geokey_name(3076), Some("ProjLinearUnitsGeoKey"));
        assert_eq!(geokey_name(4096), Some("VerticalCSTypeGeoKey"));
        assert_eq!(geokey_name(3059), None);
        assert_eq!(geokey_display_name(3059), "Unknown3059");
    }

    #[test]
    fn raster_type() {
        let mut d = GeoKeyDirectory::new();
        assert_eq!(RasterType::from_geokeys(&d), RasterType::PixelIsArea);
        d.set(1025, GeoKeyValue::Short(2));
        assert_eq!(RasterType::from_geokeys(&d), RasterType::PixelIsPoint);
        assert_eq!(RasterType::PixelIsPoint.area_or_point(), "Point");
    }
}
