//! The metadata gate: each kind of mismatch gives its own error naming the file,
//! before any pixel work, and no output file appears.

use std::path::Path;

use tessera::codec::{Compression, DataType};
use tessera::pipeline::{Method, Pipeline, PipelineOptions};
use tessera::write::{GeoTags, Interleave, RasterSpec, WriteOptions};
use tessera::Dataset;

mod common;
use common::Scratch;

/// A small raster with a north-up (or given) transform and an EPSG CRS.
struct Input {
    bands: u16,
    data_type: DataType,
    transform: [f64; 6],
    epsg: u16,
}

impl Default for Input {
    fn default() -> Self {
        Input {
            bands: 1,
            data_type: DataType::U8,
            transform: [10.0, 0.0, 500_000.0, 0.0, -10.0, 5_300_000.0],
            epsg: 32633,
        }
    }
}

fn write(path: &Path, input: &Input) {
    let mut spec = RasterSpec::new(40, 30, input.bands, input.data_type);
    spec.tile_width = 16;
    spec.tile_height = 16;
    spec.interleave = Interleave::Pixel;
    let [a, b, c, d, e, f] = input.transform;
    spec.geo = if b == 0.0 && d == 0.0 {
        GeoTags {
            pixel_scale: Some(vec![a, -e, 0.0]),
            tiepoint: Some(vec![0.0, 0.0, 0.0, c, f, 0.0]),
            ..GeoTags::default()
        }
    } else {
        GeoTags {
            transformation: Some(vec![
                a, b, 0.0, c, d, e, 0.0, f, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0,
            ]),
            ..GeoTags::default()
        }
    };
    spec.geo.geokey_directory = Some(vec![
        1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, input.epsg,
    ]);
    let options = WriteOptions::compressed(Compression::Deflate);
    let encoder = tessera::write::TileEncoder::new(&spec, &options).unwrap();
    let len = encoder.tile_len();
    tessera::write::write_tiles_parallel(
        path,
        spec,
        options,
        1,
        |_| Ok::<_, std::convert::Infallible>(vec![1u8; len]),
        |_, _| {},
    )
    .unwrap();
}

fn options() -> PipelineOptions<'static> {
    PipelineOptions {
        method: Method::First,
        nodata: None,
        bounds: None,
        window_size: 32,
        data_type: None,
        write: WriteOptions::compressed(Compression::Deflate),
        tile: (16, 16),
        interleave: Interleave::Pixel,
        threads: 1,
        kernel: None,
    }
}

/// Plan with `second` next to a good first input: the error text, and no output.
fn gate_error(name: &str, second: &Input) -> String {
    let dir = Scratch::new(name);
    write(&dir.path("a.tif"), &Input::default());
    write(&dir.path("b.tif"), second);
    let inputs = vec![
        Dataset::open(dir.path("a.tif")).unwrap(),
        Dataset::open(dir.path("b.tif")).unwrap(),
    ];
    let err = match Pipeline::plan(&inputs, options()) {
        Ok(_) => panic!("{name}: the gate let the inputs through"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("b.tif"), "{name}: {err}");
    assert!(!dir.path("out.tif").exists());
    let leftovers: Vec<_> = std::fs::read_dir(&dir.0).unwrap().collect();
    assert_eq!(leftovers.len(), 2, "{name}: only the inputs exist");
    err
}

#[test]
fn crs_mismatch() {
    let err = gate_error(
        "crs",
        &Input {
            epsg: 32634,
            ..Input::default()
        },
    );
    assert!(err.contains("CRS EPSG:32634 differs"), "{err}");
}

#[test]
fn pixel_size_mismatch() {
    let err = gate_error(
        "res",
        &Input {
            transform: [20.0, 0.0, 500_000.0, 0.0, -20.0, 5_300_000.0],
            ..Input::default()
        },
    );
    assert!(err.contains("pixel size"), "{err}");
}

#[test]
fn misaligned_grid() {
    let err = gate_error(
        "align",
        &Input {
            transform: [10.0, 0.0, 500_003.0, 0.0, -10.0, 5_300_000.0],
            ..Input::default()
        },
    );
    assert!(err.contains("not aligned"), "{err}");
}

#[test]
fn rotated_input() {
    let err = gate_error(
        "rotated",
        &Input {
            transform: [10.0, 1.0, 500_000.0, 1.0, -10.0, 5_300_000.0],
            ..Input::default()
        },
    );
    assert!(err.contains("rotated"), "{err}");
}

#[test]
fn band_count_mismatch() {
    let err = gate_error(
        "bands",
        &Input {
            bands: 3,
            ..Input::default()
        },
    );
    assert!(err.contains("3 bands"), "{err}");
}

#[test]
fn data_type_mismatch() {
    let err = gate_error(
        "dtype",
        &Input {
            data_type: DataType::U16,
            ..Input::default()
        },
    );
    assert!(err.contains("data type uint16"), "{err}");
}

#[test]
fn every_offender_is_listed() {
    let dir = Scratch::new("gate-many");
    write(&dir.path("a.tif"), &Input::default());
    write(
        &dir.path("b.tif"),
        &Input {
            epsg: 32634,
            ..Input::default()
        },
    );
    write(
        &dir.path("c.tif"),
        &Input {
            bands: 2,
            ..Input::default()
        },
    );
    let inputs: Vec<Dataset> = ["a.tif", "b.tif", "c.tif"]
        .iter()
        .map(|n| Dataset::open(dir.path(n)).unwrap())
        .collect();
    let err = Pipeline::plan(&inputs, options())
        .err()
        .expect("gate refuses")
        .to_string();
    assert!(err.contains("b.tif") && err.contains("c.tif"), "{err}");
}

#[test]
fn aligned_inputs_make_the_union_grid() {
    let dir = Scratch::new("gate-union");
    write(&dir.path("a.tif"), &Input::default());
    // 25 pixels right and 10 down: same grid.
    write(
        &dir.path("b.tif"),
        &Input {
            transform: [10.0, 0.0, 500_250.0, 0.0, -10.0, 5_299_900.0],
            ..Input::default()
        },
    );
    let inputs = vec![
        Dataset::open(dir.path("a.tif")).unwrap(),
        Dataset::open(dir.path("b.tif")).unwrap(),
    ];
    let p = Pipeline::plan(&inputs, options()).unwrap();
    let g = p.grid();
    assert_eq!((g.width, g.height), (65, 40));
    assert_eq!(g.transform, [10.0, 0.0, 500_000.0, 0.0, -10.0, 5_300_000.0]);
    assert_eq!((g.placements[1].col_off, g.placements[1].row_off), (25, 10));
    // Windows are plain data in a fixed order and cover the grid once.
    let windows = p.windows();
    let json = serde_json::to_string(&windows).unwrap();
    assert_eq!(json, serde_json::to_string(&p.windows()).unwrap());
    let area: u64 = windows.iter().map(|w| w.width * w.height).sum();
    assert_eq!(area, 65 * 40);
    p.run(&dir.path("out.tif"), |_, _| {}).unwrap();
    let out = Dataset::open(dir.path("out.tif")).unwrap();
    assert_eq!((out.width(), out.height()), (65, 40));
}

#[test]
fn a_corrupt_block_mid_run_names_file_and_window_and_leaves_no_output() {
    let dir = Scratch::new("gate-corrupt");
    let input = dir.path("a.tif");
    write(&input, &Input::default());
    // Overwrite the compressed bytes of the last tile (x 32..40, y 16..30) with junk.
    let (offset, count) = {
        let ds = Dataset::open(&input).unwrap();
        let img = ds.image();
        let last = img.offsets.len() - 1;
        (img.offsets[last] as usize, img.byte_counts[last] as usize)
    };
    let mut bytes = std::fs::read(&input).unwrap();
    bytes[offset..offset + count].fill(0xAB);
    std::fs::write(&input, &bytes).unwrap();

    let inputs = vec![Dataset::open(&input).unwrap()];
    let mut opts = options();
    opts.threads = 2;
    let p = Pipeline::plan(&inputs, opts).unwrap();
    let err = p
        .run(&dir.path("out.tif"), |_, _| {})
        .expect_err("a corrupt block fails the run")
        .to_string();
    assert!(err.contains("a.tif") && err.contains("chunk 5"), "{err}");
    assert!(err.contains("window at column 32, row 0, 8x30"), "{err}");
    let left: Vec<String> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        left,
        vec!["a.tif".to_string()],
        "no output, no temporary file"
    );
}
