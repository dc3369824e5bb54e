//! GDAL oracle: files written here are read back with rasterio (GDAL 3.10) and compared.
//!
//! Uses the python at `$TESSERA_ORACLE_PYTHON` or `/work/.venv-oracle/bin/python`. When neither
//! exists the test prints SKIP, unless `CI=true`, where it fails.

mod common;
use common::*;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::process::Command;
use tessera_write::*;

const SCRIPT: &str = r#"
import sys, json, hashlib, logging, warnings
warnings.simplefilter("ignore")
import rasterio
msgs = []
class H(logging.Handler):
    def emit(self, r):
        if r.levelno >= logging.WARNING:
            msgs.append(r.getMessage())
logging.getLogger("rasterio").addHandler(H())
logging.getLogger("rasterio").setLevel(logging.WARNING)
for path in sys.argv[1:]:
    msgs.clear()
    with rasterio.Env():
        with rasterio.open(path) as s:
            a = s.read()
            ist = s.tags(ns="IMAGE_STRUCTURE")
            t = s.transform
            out = {
                "dtype": s.dtypes[0],
                "shape": [s.count, s.height, s.width],
                "block": list(s.block_shapes[0]),
                "compress": str(s.profile.get("compress")).lower(),
                "predictor": ist.get("PREDICTOR", "1"),
                "interleave": ist.get("INTERLEAVE", ""),
                "transform": "%.6f,%.6f,%.6f,%.6f,%.6f,%.6f" % (t.a, t.b, t.c, t.d, t.e, t.f),
                "epsg": s.crs.to_epsg() if s.crs else None,
                "nodata": repr(s.nodata),
                "foo": s.tags().get("foo"),
                "colormap0": list(s.colormap(1)[1]) if s.colorinterp[0].name == "palette" else None,
                "sha256": hashlib.sha256(a.tobytes()).hexdigest(),
                "messages": list(msgs),
            }
    print(json.dumps(out, sort_keys=True))
"#;

fn oracle_python() -> Option<PathBuf> {
    let p = std::env::var_os("TESSERA_ORACLE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/.venv-oracle/bin/python"));
    p.exists().then_some(p)
}

struct Case {
    spec: RasterSpec,
    options: WriteOptions,
    compress: &'static str,
    predictor: &'static str,
    transform: &'static str,
    epsg: Option<u32>,
    nodata: &'static str,
    foo: Option<&'static str>,
}

fn utm(spec: &mut RasterSpec) {
    spec.geo.pixel_scale = Some(vec![10.0, 10.0, 0.0]);
    spec.geo.tiepoint = Some(vec![0.0, 0.0, 0.0, 500000.0, 4000000.0, 0.0]);
    spec.geo.geokey_directory = Some(vec![
        1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 32631,
    ]);
}

fn wgs84(spec: &mut RasterSpec) {
    let mut m = vec![0.0; 16];
    m[0] = 0.5;
    m[3] = -10.0;
    m[5] = -0.25;
    m[7] = 50.0;
    m[15] = 1.0;
    spec.geo.transformation = Some(m);
    spec.geo.geokey_directory = Some(vec![
        1, 1, 0, 3, 1024, 0, 1, 2, 1025, 0, 1, 1, 2048, 0, 1, 4326,
    ]);
}

const UTM_T: &str = "10.000000,0.000000,500000.000000,0.000000,-10.000000,4000000.000000";
const WGS_T: &str = "0.500000,0.000000,-10.000000,0.000000,-0.250000,50.000000";
const ID_T: &str = "1.000000,0.000000,0.000000,0.000000,1.000000,0.000000";

fn cases() -> Vec<Case> {
    let mk = |w, h, bands, dt, tw, th, il| {
        let mut s = RasterSpec::new(w, h, bands, dt);
        s.tile_width = tw;
        s.tile_height = th;
        s.interleave = il;
        s
    };
    let opts = |c, p, big, order| WriteOptions {
        compression: c,
        predictor: p,
        bigtiff: big,
        byte_order: order,
        level: None,
    };
    use Compression as C;
    use PredictorChoice as P;
    let le = ByteOrder::Little;
    let mut v = Vec::new();

    let mut s = mk(70, 37, 3, DataType::U8, 32, 16, Interleave::Pixel);
    s.photometric = photometric::RGB;
    s.gdal_nodata = Some("0".into());
    utm(&mut s);
    v.push(Case {
        spec: s,
        options: opts(C::Lzw, P::Auto, BigTiff::No, le),
        compress: "lzw",
        predictor: "2",
        transform: UTM_T,
        epsg: Some(32631),
        nodata: "0.0",
        foo: None,
    });

    let mut s = mk(100, 50, 1, DataType::U16, 64, 32, Interleave::Pixel);
    s.gdal_nodata = Some("65535".into());
    wgs84(&mut s);
    let mut o = opts(C::Deflate, P::Horizontal, BigTiff::Yes, le);
    o.level = Some(9);
    v.push(Case {
        spec: s,
        options: o,
        compress: "deflate",
        predictor: "2",
        transform: WGS_T,
        epsg: Some(4326),
        nodata: "65535.0",
        foo: None,
    });

    let mut s = mk(90, 40, 2, DataType::I16, 48, 32, Interleave::Band);
    s.gdal_nodata = Some("-32768".into());
    utm(&mut s);
    v.push(Case {
        spec: s,
        options: opts(C::Zstd, P::Auto, BigTiff::No, le),
        compress: "zstd",
        predictor: "2",
        transform: UTM_T,
        epsg: Some(32631),
        nodata: "-32768.0",
        foo: None,
    });

    let mut s = mk(77, 45, 1, DataType::F32, 32, 32, Interleave::Pixel);
    s.gdal_nodata = Some("nan".into());
    s.gdal_metadata =
        Some("<GDALMetadata>\n  <Item name=\"foo\">bar</Item>\n</GDALMetadata>".into());
    utm(&mut s);
    v.push(Case {
        spec: s,
        options: opts(C::Lzw, P::Float, BigTiff::No, le),
        compress: "lzw",
        predictor: "3",
        transform: UTM_T,
        epsg: Some(32631),
        nodata: "nan",
        foo: Some("bar"),
    });

    let mut s = mk(40, 33, 3, DataType::F64, 16, 16, Interleave::Band);
    s.gdal_nodata = Some("-9999".into());
    wgs84(&mut s);
    v.push(Case {
        spec: s,
        options: opts(C::Deflate, P::Auto, BigTiff::Yes, le),
        compress: "deflate",
        predictor: "3",
        transform: WGS_T,
        epsg: Some(4326),
        nodata: "-9999.0",
        foo: None,
    });

    let s = mk(50, 20, 1, DataType::F32, 16, 16, Interleave::Pixel);
    v.push(Case {
        spec: s,
        options: opts(C::PackBits, P::Auto, BigTiff::No, le),
        compress: "packbits",
        predictor: "1",
        transform: ID_T,
        epsg: None,
        nodata: "None",
        foo: None,
    });

    let s = mk(50, 20, 1, DataType::F32, 16, 16, Interleave::Pixel);
    v.push(Case {
        spec: s,
        options: opts(C::Zstd, P::Horizontal, BigTiff::No, le),
        compress: "zstd",
        predictor: "2",
        transform: ID_T,
        epsg: None,
        nodata: "None",
        foo: None,
    });

    let mut s = mk(60, 30, 2, DataType::I32, 32, 16, Interleave::Pixel);
    utm(&mut s);
    v.push(Case {
        spec: s,
        options: opts(C::Lzw, P::Auto, BigTiff::No, ByteOrder::Big),
        compress: "lzw",
        predictor: "2",
        transform: UTM_T,
        epsg: Some(32631),
        nodata: "None",
        foo: None,
    });

    let s = mk(33, 17, 4, DataType::I8, 16, 16, Interleave::Pixel);
    v.push(Case {
        spec: s,
        options: opts(C::None, P::Auto, BigTiff::Auto, le),
        compress: "none",
        predictor: "1",
        transform: ID_T,
        epsg: None,
        nodata: "None",
        foo: None,
    });

    let mut s = mk(40, 40, 1, DataType::U8, 32, 32, Interleave::Pixel);
    s.photometric = photometric::PALETTE;
    s.colormap = Some((0..768u32).map(|i| ((i % 256) * 257) as u16).collect());
    v.push(Case {
        spec: s,
        options: opts(C::Deflate, P::None, BigTiff::No, le),
        compress: "deflate",
        predictor: "1",
        transform: ID_T,
        epsg: None,
        nodata: "None",
        foo: None,
    });

    let s = mk(20, 20, 1, DataType::CF32, 16, 16, Interleave::Pixel);
    v.push(Case {
        spec: s,
        options: opts(C::Deflate, P::Auto, BigTiff::No, le),
        compress: "deflate",
        predictor: "1",
        transform: ID_T,
        epsg: None,
        nodata: "None",
        foo: None,
    });

    let s = mk(64, 64, 3, DataType::U64, 32, 32, Interleave::Band);
    v.push(Case {
        spec: s,
        options: opts(C::Lzw, P::Auto, BigTiff::Yes, ByteOrder::Big),
        compress: "lzw",
        predictor: "2",
        transform: ID_T,
        epsg: None,
        nodata: "None",
        foo: None,
    });

    // Tiles of 512 KiB and more: the LZW encoder cuts them into 16 segments, each starting with
    // a ClearCode (encoded with AVX-512 where the CPU has it). GDAL must read those streams too.
    let mut s = mk(600, 520, 1, DataType::F32, 512, 512, Interleave::Pixel);
    utm(&mut s);
    v.push(Case {
        spec: s,
        options: opts(C::Lzw, P::None, BigTiff::No, le),
        compress: "lzw",
        predictor: "1",
        transform: UTM_T,
        epsg: Some(32631),
        nodata: "None",
        foo: None,
    });
    let mut s = mk(512, 512, 3, DataType::U8, 512, 512, Interleave::Pixel);
    s.photometric = photometric::RGB;
    utm(&mut s);
    v.push(Case {
        spec: s,
        options: opts(C::Lzw, P::Auto, BigTiff::No, le),
        compress: "lzw",
        predictor: "2",
        transform: UTM_T,
        epsg: Some(32631),
        nodata: "None",
        foo: None,
    });
    v
}

fn field<'a>(json: &'a str, key: &str) -> &'a str {
    // Tiny extraction for the flat JSON the script prints (values without commas inside
    // strings except "transform", and lists).
    let pat = format!("\"{key}\": ");
    let start = json.find(&pat).unwrap_or_else(|| panic!("{key} in {json}")) + pat.len();
    let rest = &json[start..];
    let end = if let Some(quoted) = rest.strip_prefix('"') {
        quoted.find('"').unwrap() + 2
    } else if rest.starts_with('[') {
        rest.find(']').unwrap() + 1
    } else {
        rest.find([',', '}']).unwrap()
    };
    rest[..end].trim_matches('"')
}

#[test]
fn gdal_reads_what_we_write() {
    let Some(python) = oracle_python() else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("CI=true but no oracle python (TESSERA_ORACLE_PYTHON or /work/.venv-oracle/bin/python)");
        }
        println!("SKIP: no oracle python; set TESSERA_ORACLE_PYTHON");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let cases = cases();
    let mut paths = Vec::new();
    let mut rasters = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let s = &c.spec;
        let raster = sample_raster(s.width, s.height, s.bands, s.data_type, i as u64 + 11);
        let path = dir.path().join(format!("oracle{i}.tif"));
        let enc = TileEncoder::new(s, &c.options).unwrap();
        let order: Vec<usize> = (0..enc.tile_count()).rev().collect();
        write_in_order(&path, s, c.options, &raster, &order).unwrap();
        paths.push(path);
        rasters.push(raster);
    }
    let out = Command::new(&python)
        .arg("-c")
        .arg(SCRIPT)
        .args(&paths)
        .output()
        .expect("run the oracle python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "oracle failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), cases.len(), "{stdout}");
    for (i, ((c, raster), line)) in cases.iter().zip(&rasters).zip(&lines).enumerate() {
        let s = &c.spec;
        let ctx = format!("case {i} ({} {:?}): {line}", s.data_type.name(), c.options);
        let want_dtype = s.data_type.name();
        assert_eq!(field(line, "dtype"), want_dtype, "{ctx}");
        assert_eq!(
            field(line, "shape"),
            format!("[{}, {}, {}]", s.bands, s.height, s.width),
            "{ctx}"
        );
        assert_eq!(
            field(line, "block"),
            format!("[{}, {}]", s.tile_height, s.tile_width),
            "{ctx}"
        );
        assert_eq!(field(line, "compress"), c.compress, "{ctx}");
        assert_eq!(field(line, "predictor"), c.predictor, "{ctx}");
        let il = match (s.interleave, s.bands) {
            (_, 1) => "BAND",
            (Interleave::Pixel, _) => "PIXEL",
            (Interleave::Band, _) => "BAND",
        };
        assert_eq!(field(line, "interleave"), il, "{ctx}");
        assert_eq!(field(line, "transform"), c.transform, "{ctx}");
        let epsg = c.epsg.map_or("null".to_string(), |e| e.to_string());
        assert_eq!(field(line, "epsg"), epsg, "{ctx}");
        assert_eq!(field(line, "nodata"), c.nodata, "{ctx}");
        assert_eq!(field(line, "foo"), c.foo.unwrap_or("null"), "{ctx}");
        assert_eq!(field(line, "messages"), "[]", "GDAL complained: {ctx}");
        if s.colormap.is_some() {
            // Entry 1: (257, 257, 257) / 257 = (1, 1, 1) plus alpha 255.
            assert_eq!(field(line, "colormap0"), "[1, 1, 1, 255]", "{ctx}");
        }
        let sha = Sha256::digest(band_sequential(s, raster));
        let hex: String = sha.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(field(line, "sha256"), hex, "pixels differ: {ctx}");
    }
}
