//! Normalize through the pipeline, whatever path the window takes: windows read whole,
//! windows read one source block at a time (blocks that are whole output tiles), 8-bit
//! samples through the kernel's lookup table, pixel and band interleave. Every output
//! sample is checked against the kernel's formula on the source sample.

use std::path::Path;

use tessera::codec::{Compression, DataType};
use tessera::pipeline::{Method, NormalizeKernel, NormalizeMode, Pipeline, PipelineOptions};
use tessera::write::{GeoTags, Interleave, RasterSpec, WriteOptions};
use tessera::{Dataset, Window};

mod common;
use common::Scratch;

const WIDTH: u32 = 100;
const HEIGHT: u32 = 70;
const BLOCK: u32 = 32;
const BANDS: u16 = 3;
const NODATA: u8 = 7;

/// The source sample of band `b` at (x, y): every byte value occurs, NODATA included.
fn source_value(x: u32, y: u32, b: u32) -> u8 {
    ((x * 7 + y * 13 + b * 101) % 256) as u8
}

/// A 3-band u8 source, 32x32 tiles, pixel interleaved, nodata 7; edges not whole blocks.
fn write_source(path: &Path) {
    let mut spec = RasterSpec::new(WIDTH, HEIGHT, BANDS, DataType::U8);
    spec.tile_width = BLOCK;
    spec.tile_height = BLOCK;
    spec.interleave = Interleave::Pixel;
    spec.gdal_nodata = Some(NODATA.to_string());
    spec.geo = GeoTags {
        pixel_scale: Some(vec![10.0, 10.0, 0.0]),
        tiepoint: Some(vec![0.0, 0.0, 0.0, 500_000.0, 5_300_000.0, 0.0]),
        geokey_directory: Some(vec![
            1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 32633,
        ]),
        ..GeoTags::default()
    };
    let options = WriteOptions::compressed(Compression::Deflate);
    let tiles_across = WIDTH.div_ceil(BLOCK);
    tessera::write::write_tiles_parallel(
        path,
        spec,
        options,
        1,
        |index| {
            let (tx, ty) = (index as u32 % tiles_across, index as u32 / tiles_across);
            let mut tile = Vec::new();
            for y in 0..BLOCK {
                for x in 0..BLOCK {
                    for b in 0..u32::from(BANDS) {
                        tile.push(source_value(tx * BLOCK + x, ty * BLOCK + y, b));
                    }
                }
            }
            Ok::<_, std::convert::Infallible>(tile)
        },
        |_, _| {},
    )
    .unwrap();
}

/// Normalize `input` to `out` with these output tiles, window size and interleave.
fn normalize(input: &Path, out: &Path, tile: u32, window_size: u32, interleave: Interleave) {
    let inputs = vec![Dataset::open(input).unwrap()];
    let kernel = NormalizeKernel::new(&inputs, NormalizeMode::DtypeRange, None, None).unwrap();
    let options = PipelineOptions {
        method: Method::First,
        nodata: None,
        bounds: None,
        window_size,
        data_type: None,
        write: WriteOptions::compressed(Compression::Deflate),
        tile: (tile, tile),
        interleave,
        threads: 2,
        kernel: Some(&kernel),
    };
    Pipeline::plan(&inputs, options)
        .unwrap()
        .run(out, |_, _| {})
        .unwrap();
}

/// Every sample of `out` is the source sample / 255, NaN where the source is nodata.
fn check(out: &Path, what: &str) {
    let ds = Dataset::open(out).unwrap();
    assert_eq!(
        (ds.width(), ds.height()),
        (u64::from(WIDTH), u64::from(HEIGHT))
    );
    assert_eq!(ds.data_type(), DataType::F32);
    let buf = ds
        .read_window(Window::full(u64::from(WIDTH), u64::from(HEIGHT)))
        .unwrap();
    for b in 0..usize::from(BANDS) {
        let band: &[f32] = bytemuck::cast_slice(buf.band_bytes(b));
        for y in 0..HEIGHT {
            for x in 0..WIDTH {
                let v = source_value(x, y, b as u32);
                let got = band[(y * WIDTH + x) as usize];
                let want = if v == NODATA {
                    f32::NAN
                } else {
                    f32::from(v) / 255.0
                };
                assert_eq!(
                    got.to_bits(),
                    want.to_bits(),
                    "{what}: band {b} pixel ({x}, {y}) from {v}"
                );
            }
        }
    }
}

#[test]
fn every_window_path_gives_the_kernel_of_every_sample() {
    let dir = Scratch::new("norm-paths");
    let input = dir.path("in.tif");
    write_source(&input);
    let cases = [
        // Windows of 2x2 source blocks, read block by block (blocks are 2x2 output tiles).
        ("blocks", 16, 64, Interleave::Pixel),
        ("blocks-band", 16, 64, Interleave::Band),
        // Windows of one block each.
        ("one-block", 16, 32, Interleave::Pixel),
        // Output tiles bigger than source blocks: windows read whole.
        ("whole", 64, 64, Interleave::Pixel),
        ("whole-band", 64, 128, Interleave::Band),
    ];
    for (what, tile, window, interleave) in cases {
        let out = dir.path(&format!("{what}.tif"));
        normalize(&input, &out, tile, window, interleave);
        check(&out, what);
    }
}
