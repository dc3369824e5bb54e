//! Unit tests of the SCHEMA matcher in tests/common (no tessera binary needed).

mod common;

use common::{compare, Mismatch};
use serde_json::{json, Value};

fn sample() -> Value {
    json!({
        "schema_version": 1,
        "file": "x.tif",
        "opened": true,
        "error": null,
        "error_stage": null,
        "tiff": {
            "byte_order": "little", "bigtiff": false, "ifd_count": 2,
            "ifds": [
                {"subfile_type": 0, "width": 67, "height": 45, "samples_per_pixel": 2,
                 "bits_per_sample": [32, 32], "sample_format": [3, 3], "compression": 8,
                 "photometric": 1, "planar_config": 1, "predictor": 3, "extra_samples": null,
                 "tiled": false, "tile_width": null, "tile_height": null, "rows_per_strip": 7,
                 "block_count": 7, "zero_byte_blocks": 0, "has_colormap": false,
                 "has_jpegtables": false, "tags": [256, 257, 258, 259]},
                {"subfile_type": 1, "width": 34, "height": 23, "samples_per_pixel": 2,
                 "bits_per_sample": [32, 32], "sample_format": [3, 3], "compression": 8,
                 "photometric": 1, "planar_config": 1, "predictor": 3, "extra_samples": null,
                 "tiled": false, "tile_width": null, "tile_height": null, "rows_per_strip": 23,
                 "block_count": 1, "zero_byte_blocks": 0, "has_colormap": false,
                 "has_jpegtables": false, "tags": [254, 256, 257, 258, 259]}
            ],
            "model_pixel_scale": [30.0, 30.0, 0.0],
            "model_tiepoint": [0.0, 0.0, 0.0, 400000.0, 5600000.0, 0.0],
            "model_transformation": null, "gdal_nodata": "-3.4e38", "has_gdal_metadata": true,
            "geokeys": {"version": [1, 1, 0], "keys": [
                {"id": 1024, "name": "GTModelTypeGeoKey", "value": 1},
                {"id": 2057, "name": "GeogSemiMajorAxisGeoKey", "value": 6378137.0}]}
        },
        "width": 67, "height": 45, "count": 2, "dtype": "float32",
        "compression": "DEFLATE", "lossy": false, "interleave": "PIXEL", "layout": "striped",
        "block_shapes": [[7, 67], [7, 67]],
        "crs": {"epsg": null, "wkt": "PROJCS[...]", "wkt2": "PROJCRS[...]",
                "proj4": "+proj=tmerc +lat_0=0 +lon_0=13.5 +k=0.9999 +x_0=500000 +y_0=0 +ellps=bessel +towgs84=0,0,0,0,0,0,0 +units=m +no_defs=True",
                "is_geographic": false, "is_projected": true, "linear_units": "metre"},
        "crs_error": null,
        "georeferenced": true,
        "transform": [30.0, 0.0, 400000.0, 0.0, -30.0, 5600000.0],
        "tags": {"AREA_OR_POINT": "Area", "TITLE": "a & <b>"},
        "nodata": -3.3999999521443642e38,
        "overview_factors": [2],
        "colormap": null,
        "bands": [
            {"index": 1, "dtype": "float32", "nodata": -3.3999999521443642e38,
             "scale": 1.0, "offset": 0.0, "tags": {"STATISTICS_MEAN": "1"},
             "sha256": "aa", "valid_count": 3000, "nan_count": 15,
             "min": -1.5, "max": 2.25, "mean": 0.123456789, "std": 1.5},
            {"index": 2, "dtype": "float32", "nodata": -3.3999999521443642e38,
             "scale": 0.5, "offset": 10.0, "tags": {},
             "sha256": "bb", "valid_count": 0, "nan_count": 3015,
             "min": null, "max": null, "mean": null, "std": null}
        ],
        "mask": null,
        "samples": [{"x": 0, "y": 0, "values": [1.5, "nan"]}],
        "overviews": [{"level": 0, "factor": 2, "width": 34, "height": 23,
                       "block_shape": [23, 34], "sha256": ["cc", "dd"]}]
    })
}

fn with(mut v: Value, pointer: &str, new: Value) -> Value {
    *v.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer} in sample")) = new;
    v
}

fn fields(ms: &[Mismatch]) -> Vec<String> {
    ms.iter().map(|m| m.field.clone()).collect()
}

fn assert_fails_on(actual: Value, field: &str) {
    let ms = compare(&sample(), &actual);
    assert!(
        fields(&ms).iter().any(|f| f == field),
        "expected a mismatch on {field}, got {ms:?}"
    );
}

fn assert_passes(actual: Value) {
    let ms = compare(&sample(), &actual);
    assert!(ms.is_empty(), "expected a match, got {ms:?}");
}

#[test]
fn identical_documents_match() {
    assert_passes(sample());
}

#[test]
fn perturbed_fields_are_named() {
    let cases: Vec<(&str, Value, &str)> = vec![
        ("/width", json!(68), "width"),
        ("/dtype", json!("float64"), "dtype"),
        ("/layout", json!("tiled"), "layout"),
        ("/interleave", json!("BAND"), "interleave"),
        ("/compression", json!("LZW"), "compression"),
        ("/bands/0/sha256", json!("ab"), "bands[0].sha256"),
        ("/bands/1/valid_count", json!(1), "bands[1].valid_count"),
        ("/bands/0/min", json!(-1.25), "bands[0].min"),
        ("/bands/0/mean", json!(0.1234568), "bands[0].mean"),
        ("/bands/1/scale", json!(1.0), "bands[1].scale"),
        ("/bands/1/offset", json!(0.0), "bands[1].offset"),
        ("/bands/0/nodata", json!(-3.4e37), "bands[0].nodata"),
        ("/nodata", json!(null), "nodata"),
        ("/bands/0/tags/STATISTICS_MEAN", json!("2"), "bands[0].tags.STATISTICS_MEAN"),
        ("/tags/TITLE", json!("a &amp; <b>"), "tags.TITLE"),
        ("/crs/epsg", json!(32633), "crs.epsg"),
        ("/crs/proj4", json!("+proj=tmerc +lat_0=0 +lon_0=13.6 +k=0.9999 +x_0=500000 +y_0=0 +ellps=bessel +towgs84=0,0,0,0,0,0,0 +units=m"), "crs.proj4"),
        ("/transform/2", json!(400000.001), "transform[2]"),
        ("/transform/0", json!(30.000001), "transform[0]"),
        ("/block_shapes/0", json!([8, 67]), "block_shapes[0]"),
        ("/overviews/0/sha256/1", json!("xx"), "overviews[0].sha256[1]"),
        ("/overviews/0/width", json!(33), "overviews[0].width"),
        ("/mask", json!({"sha256": "m", "valid_count": 1}), "mask"),
        ("/samples/0/values/0", json!(1.25), "samples[x=0,y=0].values[0]"),
        ("/tiff/byte_order", json!("big"), "tiff.byte_order"),
        ("/tiff/bigtiff", json!(true), "tiff.bigtiff"),
        ("/tiff/ifd_count", json!(1), "tiff.ifd_count"),
        ("/tiff/ifds/1/rows_per_strip", json!(8), "tiff.ifds[1].rows_per_strip"),
        ("/tiff/ifds/0/tags", json!([256, 257, 258]), "tiff.ifds[0].tags"),
        ("/tiff/geokeys/keys/1/value", json!(6378137.5), "tiff.geokeys.keys[1].value"),
        ("/tiff/gdal_nodata", json!("-3.4e+38"), "tiff.gdal_nodata"),
    ];
    for (pointer, value, field) in cases {
        let ms = compare(&sample(), &with(sample(), pointer, value.clone()));
        assert!(
            fields(&ms).iter().any(|f| f == field),
            "setting {pointer} to {value} should fail on {field}, got {ms:?}"
        );
    }
}

#[test]
fn missing_fields_fail() {
    let mut a = sample();
    a["tags"].as_object_mut().unwrap().remove("TITLE");
    assert_fails_on(a, "tags.TITLE");
    let mut a = sample();
    a["bands"].as_array_mut().unwrap().pop();
    assert_fails_on(a, "bands");
    let mut a = sample();
    a.as_object_mut().unwrap().remove("tiff");
    assert_fails_on(a, "tiff");
    let mut a = sample();
    a["tiff"]["ifds"][0]
        .as_object_mut()
        .unwrap()
        .remove("predictor");
    assert_fails_on(a, "tiff.ifds[0].predictor");
}

#[test]
fn tolerances_and_conventions() {
    // compression is case-insensitive; extra actual tags are fine
    assert_passes(with(sample(), "/compression", json!("deflate")));
    let mut a = sample();
    a["tags"]["EXTRA"] = json!("x");
    assert_passes(a);
    // float32 nodata compared in float32
    assert_passes(with(sample(), "/nodata", json!(-3.4e38)));
    assert_passes(with(sample(), "/bands/0/nodata", json!(-3.4e38)));
    // transform: within 1e-12 relative or 1e-9 of a pixel
    assert_passes(with(sample(), "/transform/5", json!(5600000.0 + 1e-8)));
    assert_passes(with(sample(), "/transform/1", json!(1e-9)));
    // mean/std within 1e-9 relative
    assert_passes(with(sample(), "/bands/0/std", json!(1.5 * (1.0 + 1e-11))));
    // integers written as floats are the same number
    assert_passes(with(sample(), "/bands/1/valid_count", json!(0.0)));
    // PROJ strings: order, +no_defs and "=True" flags do not matter, 1e-9 relative
    assert_passes(with(
        sample(),
        "/crs/proj4",
        json!("+lat_0=0 +proj=tmerc +lon_0=13.5000000000001 +k=0.9999 +x_0=500000 +y_0=0 +ellps=bessel +towgs84=0,0,0,0,0,0,0 +units=m +no_defs"),
    ));
    // block shape: the file's strip size is accepted as well as GDAL's
    let e = with(sample(), "/block_shapes", json!([[1, 67], [1, 67]]));
    let ms = compare(&e, &sample());
    assert!(ms.is_empty(), "{ms:?}");
    // samples absent from tessera's output are not compared
    let mut a = sample();
    a.as_object_mut().unwrap().remove("samples");
    assert_passes(a);
}

#[test]
fn nan_equals_nan() {
    let e = with(sample(), "/nodata", json!("nan"));
    let e = with(e, "/dtype", json!("float64"));
    let a = e.clone();
    assert!(compare(&e, &a).is_empty());
    let a = with(e.clone(), "/nodata", json!(0.0));
    assert!(fields(&compare(&e, &a)).contains(&"nodata".to_string()));
}

#[test]
fn lossy_rules() {
    let e = with(sample(), "/lossy", json!(true));
    // checksums are not compared
    let a = with(e.clone(), "/bands/0/sha256", json!("other"));
    let a = with(a, "/overviews/0/sha256/0", json!("other"));
    assert!(compare(&e, &a).is_empty(), "{:?}", compare(&e, &a));
    // min/max within 8, mean/std within 4
    let a = with(e.clone(), "/bands/0/min", json!(-9.0));
    let a = with(a, "/bands/0/mean", json!(3.9));
    assert!(compare(&e, &a).is_empty(), "{:?}", compare(&e, &a));
    let a = with(e.clone(), "/bands/0/max", json!(11.0));
    assert!(fields(&compare(&e, &a)).contains(&"bands[0].max".to_string()));
    let a = with(e.clone(), "/bands/0/std", json!(6.0));
    assert!(fields(&compare(&e, &a)).contains(&"bands[0].std".to_string()));
}

#[test]
fn errors_and_crs_rules() {
    // GDAL could not read the pixels: tessera must report an error
    let mut e = sample();
    e["error"] = json!("read failed");
    e["error_stage"] = json!("read");
    e.as_object_mut().unwrap().remove("bands");
    let mut a = e.clone();
    a["error"] = json!(null);
    assert!(fields(&compare(&e, &a)).contains(&"error".to_string()));
    a["error"] = json!("tessera: truncated tile");
    assert!(compare(&e, &a).is_empty());
    // GDAL could not open it: neither may tessera
    let e = json!({"schema_version": 1, "file": "x.tif", "opened": false,
                   "error": "not a TIFF", "error_stage": "open"});
    assert!(fields(&compare(&e, &sample())).contains(&"opened".to_string()));
    assert!(compare(&e, &json!({"opened": false})).is_empty());
    // an unexpected error on a readable file is a mismatch
    let a = with(sample(), "/error", json!("boom"));
    assert_fails_on(a, "error");
    // EPSG CRSs compare codes only
    let e = with(sample(), "/crs/epsg", json!(32633));
    let a = with(
        e.clone(),
        "/crs/proj4",
        json!("+proj=utm +zone=33 +datum=WGS84"),
    );
    assert!(compare(&e, &a).is_empty());
    // no CRS in GDAL's reading: tessera must not invent one
    let e = with(sample(), "/crs", json!(null));
    assert!(fields(&compare(&e, &sample())).contains(&"crs".to_string()));
}

#[test]
fn proj4_parser() {
    let m = common::parse_proj4("+proj=merc +wktext=True +no_defs=True +nadgrids=@null");
    assert_eq!(m.get("wktext").map(String::as_str), Some("True"));
    assert!(!m.contains_key("no_defs"));
    assert!(common::compare_proj4("+proj=laea +lat_0=45", "+lat_0=45.0 +proj=laea").is_empty());
    assert_eq!(
        common::compare_proj4("+proj=laea", "+proj=laea +a=1").len(),
        1
    );
}

/// Every expected JSON of the interop suite and every committed fixture
/// JSON matches itself (when present).
#[test]
fn real_documents_match_themselves() {
    let mut dirs = vec![common::repo_root().join("testdata/fixtures")];
    dirs.push(common::interop_dir().join("expected"));
    let mut n = 0;
    for dir in dirs {
        for p in common::expected_jsons(&dir) {
            let v = common::load_json(&p);
            let ms = compare(&v, &v);
            assert!(ms.is_empty(), "{}: {ms:?}", p.display());
            n += 1;
        }
    }
    eprintln!("{n} documents match themselves");
}
