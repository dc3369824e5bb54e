//! PROJ strings: formatting numbers like PROJ, parsing `+k=v` lists, and meaning-based comparison.

use std::collections::BTreeMap;

use crate::tables::{rel_eq, Ellipsoid, LinearUnit, PrimeMeridian};

/// Formats a number as PROJ does (15 significant digits, shortest form).
pub fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v == 0.0 {
        return "0".into();
    }
    let s = format!("{v:.14e}");
    let r: f64 = s.parse().unwrap_or(v);
    format!("{r}")
}

/// Parses a PROJ string into `(key, value)` pairs in order. `+no_defs=True` style values
/// (rasterio's dict rendering) become flags.
pub fn parse_proj_tokens(s: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for tok in s.split_whitespace() {
        let tok = tok.trim_start_matches('+');
        if tok.is_empty() {
            continue;
        }
        match tok.split_once('=') {
            Some((k, "True")) => out.push((k.to_string(), None)),
            Some((k, v)) => out.push((k.to_string(), Some(v.to_string()))),
            None => out.push((tok.to_string(), None)),
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Num(f64),
    Nums(Vec<f64>),
    Text(String),
    Flag,
}

fn num(v: &Option<String>) -> Option<f64> {
    v.as_deref().and_then(|s| s.parse::<f64>().ok())
}

/// Normalises a PROJ string into a map of canonical parameters: datums expanded, ellipsoids to
/// `a`/`rf`, units to `to_meter`, UTM to its TM parameters, defaults removed.
fn normalise(s: &str) -> BTreeMap<String, Val> {
    let toks = parse_proj_tokens(s);
    let mut m: BTreeMap<String, Val> = BTreeMap::new();
    for (k, v) in &toks {
        let key = match k.as_str() {
            "no_defs" | "wktext" | "type" => continue,
            "k_0" => "k".to_string(),
            "proj" if matches!(v.as_deref(), Some("latlong" | "lonlat" | "latlon")) => {
                m.insert("proj".into(), Val::Text("longlat".into()));
                continue;
            }
            other => other.to_string(),
        };
        let val = match v {
            None => Val::Flag,
            Some(t) => {
                if key == "towgs84" {
                    let mut nums: Vec<f64> =
                        t.split(',').filter_map(|x| x.trim().parse().ok()).collect();
                    nums.resize(7, 0.0);
                    Val::Nums(nums)
                } else if let Ok(x) = t.parse::<f64>() {
                    Val::Num(x)
                } else {
                    Val::Text(t.clone())
                }
            }
        };
        m.insert(key, val);
    }
    // datum expansion
    if let Some(Val::Text(d)) = m.get("datum").cloned() {
        let (ellps, towgs) = match d.as_str() {
            "WGS84" => ("WGS84", true),
            "NAD83" => ("GRS80", true),
            "NAD27" => ("clrk66", false),
            _ => ("", false),
        };
        if !ellps.is_empty() {
            m.remove("datum");
            m.insert("ellps".into(), Val::Text(ellps.into()));
            if towgs {
                m.insert("towgs84".into(), Val::Nums(vec![0.0; 7]));
            } else {
                m.insert("datum".into(), Val::Text("NAD27".into()));
            }
        }
    }
    // ellipsoid to a/rf
    let mut a = None;
    let mut rf = None;
    if let Some(Val::Text(e)) = m.get("ellps") {
        if let Some(el) = Ellipsoid::from_proj_name(e) {
            a = Some(el.a);
            rf = Some(el.rf);
            m.remove("ellps");
        }
    }
    if let Some(Val::Num(r)) = m.remove("R") {
        a = Some(r);
        rf = Some(0.0);
    }
    if let Some(Val::Num(x)) = m.remove("a") {
        a = Some(x);
    }
    if let Some(Val::Num(x)) = m.remove("rf") {
        rf = Some(x);
    }
    if let Some(Val::Num(f)) = m.remove("f") {
        rf = Some(if f == 0.0 { 0.0 } else { 1.0 / f });
    }
    if let Some(Val::Num(b)) = m.remove("b") {
        if let Some(a) = a {
            rf = Some(if a == b { 0.0 } else { a / (a - b) });
        }
    }
    if let Some(a) = a {
        m.insert("a".into(), Val::Num(a));
        m.insert("rf".into(), Val::Num(rf.unwrap_or(0.0)));
    }
    // WGS84-equivalent datum shift of zero
    if let Some(Val::Nums(t)) = m.get("towgs84") {
        if t.iter().all(|x| *x == 0.0) {
            m.remove("towgs84");
        }
    }
    // units
    let mut to_meter = 1.0;
    if let Some(v) = m.remove("units") {
        if let Val::Text(u) = &v {
            if let Some(lu) = LinearUnit::from_proj(u) {
                to_meter = lu.metres;
            }
        } else if let Val::Num(x) = v {
            to_meter = x;
        }
    }
    if let Some(Val::Num(x)) = m.remove("to_meter") {
        to_meter = x;
    }
    if !rel_eq(to_meter, 1.0, 1e-12) {
        m.insert("to_meter".into(), Val::Num(to_meter));
    }
    // prime meridian
    if let Some(v) = m.remove("pm") {
        let lon = match v {
            Val::Num(x) => x,
            Val::Text(t) => PrimeMeridian::from_proj(&t).map_or(f64::NAN, |p| p.longitude),
            _ => 0.0,
        };
        if lon != 0.0 {
            m.insert("pm".into(), Val::Num(lon));
        }
    }
    // UTM -> TM
    if m.get("proj") == Some(&Val::Text("utm".into())) {
        let zone = match m.remove("zone") {
            Some(Val::Num(z)) => z,
            _ => 0.0,
        };
        let south = m.remove("south").is_some();
        m.insert("proj".into(), Val::Text("tmerc".into()));
        m.insert("lon_0".into(), Val::Num(zone * 6.0 - 183.0));
        m.insert("k".into(), Val::Num(0.9996));
        m.insert("x_0".into(), Val::Num(500000.0));
        m.insert(
            "y_0".into(),
            Val::Num(if south { 10_000_000.0 } else { 0.0 }),
        );
    }
    // defaults
    for (k, d) in [
        ("x_0", 0.0),
        ("y_0", 0.0),
        ("lat_0", 0.0),
        ("lon_0", 0.0),
        ("lat_ts", 0.0),
        ("k", 1.0),
    ] {
        if m.get(k) == Some(&Val::Num(d)) {
            m.remove(k);
        }
    }
    if m.get("axis") == Some(&Val::Text("enu".into())) {
        m.remove("axis");
    }
    m
}

fn vals_agree(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Num(x), Val::Num(y)) => rel_eq(*x, *y, 1e-9),
        (Val::Nums(x), Val::Nums(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| rel_eq(*p, *q, 1e-9))
        }
        _ => a == b,
    }
}

/// Whether two PROJ strings describe the same CRS parameters.
///
/// Parses `+k=v` pairs, ignores `no_defs`/`wktext`/`type`, accepts rasterio's `=True` flags,
/// compares numbers with a relative tolerance of 1e-9, expands `+datum=WGS84`/`NAD83` to their
/// ellipsoid and null shift, PROJ ellipsoid names to `a`/`rf`, `+units` to metres, `+pm` names
/// to longitudes and `+proj=utm` to its Transverse Mercator parameters, and treats missing
/// `x_0`, `y_0`, `lat_0`, `lon_0`, `lat_ts` (0) and `k`/`k_0` (1) as their defaults.
pub fn proj_params_agree(a: &str, b: &str) -> bool {
    let ma = normalise(a);
    let mb = normalise(b);
    if ma.len() != mb.len() {
        return false;
    }
    ma.iter()
        .all(|(k, va)| mb.get(k).is_some_and(|vb| vals_agree(va, vb)))
}

/// Difference report between two PROJ strings (for test diagnostics).
pub fn proj_params_diff(a: &str, b: &str) -> String {
    let ma = normalise(a);
    let mb = normalise(b);
    let mut out = String::new();
    for (k, va) in &ma {
        match mb.get(k) {
            Some(vb) if vals_agree(va, vb) => {}
            other => out.push_str(&format!("{k}: {va:?} vs {other:?}; ")),
        }
    }
    for k in mb.keys() {
        if !ma.contains_key(k) {
            out.push_str(&format!("{k}: missing vs {:?}; ", mb.get(k)));
        }
    }
    out
}

pub(crate) fn token_num(v: &Option<String>) -> Option<f64> {
    num(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting() {
        assert_eq!(fmt_num(160000.0 * 0.3048), "48768");
        assert_eq!(fmt_num(-117.333333333333), "-117.333333333333");
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(500000.001016002), "500000.001016002");
        assert_eq!(fmt_num(4.599047222222222), "4.59904722222222");
    }

    #[test]
    fn agreement() {
        assert!(proj_params_agree(
            "+proj=longlat +datum=WGS84 +no_defs",
            "+proj=longlat +ellps=WGS84 +towgs84=0,0,0 +no_defs=True"
        ));
        assert!(proj_params_agree(
            "+proj=utm +zone=33 +datum=WGS84 +units=m +no_defs",
            "+proj=tmerc +lat_0=0 +lon_0=15 +k=0.9996 +x_0=500000 +y_0=0 +datum=WGS84 +units=m"
        ));
        assert!(proj_params_agree(
            "+proj=lcc +lat_1=44.1 +a=6378249.2 +b=6356515 +pm=paris",
            "+proj=lcc +lat_1=44.10000000000001 +ellps=clrk80ign +pm=2.33722916666667"
        ));
        assert!(!proj_params_agree(
            "+proj=utm +zone=33 +datum=WGS84",
            "+proj=utm +zone=34 +datum=WGS84"
        ));
        assert!(!proj_params_agree(
            "+proj=longlat +datum=WGS84",
            "+proj=longlat +datum=NAD27"
        ));
        assert!(!proj_params_agree(
            "+proj=tmerc +units=m",
            "+proj=tmerc +units=ft"
        ));
        assert!(!proj_params_agree(
            "+proj=tmerc +x_0=1",
            "+proj=tmerc +x_0=1.000001"
        ));
        assert!(proj_params_agree(
            "+proj=merc +R=6378137",
            "+proj=merc +a=6378137 +b=6378137"
        ));
        assert!(proj_params_diff("+proj=merc", "+proj=tmerc").contains("proj"));
    }
}
