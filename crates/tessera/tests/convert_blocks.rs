//! `convert` takes a source block as the output tile when both have the same layout
//! (no round trip through band planes). Interior tiles go that way, edge tiles through
//! the general path: the output must read back equal to the source either way.

use std::path::PathBuf;

use tessera::codec::{Compression, DataType};
use tessera::write::{ByteOrder, Interleave, PredictorChoice, RasterSpec, WriteOptions};
use tessera::{ConvertOptions, Dataset, ReadRequest, Window};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "tessera-convert-blocks-{name}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A 3-band uint16 raster, 40x50, tiled 16 (interior and edge tiles), deflate + predictor 2.
fn source(path: &std::path::Path, interleave: Interleave) {
    let mut spec = RasterSpec::new(40, 50, 3, DataType::U16);
    spec.tile_width = 16;
    spec.tile_height = 16;
    spec.interleave = interleave;
    let options = WriteOptions::compressed(Compression::Deflate);
    let encoder = tessera::write::TileEncoder::new(&spec, &options).unwrap();
    let samples = match interleave {
        Interleave::Pixel => 3,
        Interleave::Band => 1,
    };
    tessera::write::write_tiles_parallel(
        path,
        spec,
        options,
        1,
        |i| {
            let r = encoder.tile_region(i).unwrap();
            let mut tile = Vec::with_capacity(encoder.tile_len());
            for y in 0..16u32 {
                for x in 0..16u32 {
                    for s in 0..samples {
                        let band = r.plane as u32 + s;
                        let v = ((r.x + x) * 7 + (r.y + y) * 131 + band * 1000) as u16;
                        tile.extend_from_slice(&v.to_ne_bytes());
                    }
                }
            }
            Ok::<_, std::convert::Infallible>(tile)
        },
        |_, _| {},
    )
    .unwrap();
}

fn all_pixels(path: &std::path::Path) -> Vec<u8> {
    let ds = Dataset::open(path).unwrap();
    let window = Window::new(0, 0, ds.width(), ds.height());
    ds.read(&ReadRequest::window(window))
        .unwrap()
        .bytes()
        .to_vec()
}

#[test]
fn same_block_layout_converts_to_equal_pixels() {
    let dir = scratch("same");
    for (name, interleave) in [("pixel", Interleave::Pixel), ("band", Interleave::Band)] {
        let src = dir.join(format!("src-{name}.tif"));
        source(&src, interleave);
        let expected = all_pixels(&src);
        // Same predictor and byte order as the source: its chunks are only recompressed
        // (pixel interleave); another predictor or byte order: decoded and encoded again.
        let cases = [
            (
                16,
                Compression::Lzw,
                PredictorChoice::Auto,
                ByteOrder::Little,
            ),
            (
                16,
                Compression::Zstd,
                PredictorChoice::Auto,
                ByteOrder::Little,
            ),
            (
                16,
                Compression::Zstd,
                PredictorChoice::None,
                ByteOrder::Little,
            ),
            (16, Compression::Lzw, PredictorChoice::Auto, ByteOrder::Big),
            (
                32,
                Compression::Lzw,
                PredictorChoice::Auto,
                ByteOrder::Little,
            ),
        ];
        for (case, (tile, codec, predictor, byte_order)) in cases.into_iter().enumerate() {
            let out = dir.join(format!("out-{name}-{case}.tif"));
            let ds = Dataset::open(&src).unwrap();
            let options = ConvertOptions {
                write: WriteOptions {
                    predictor,
                    byte_order,
                    ..WriteOptions::compressed(codec)
                },
                tile_width: tile,
                tile_height: tile,
                interleave,
                threads: 2,
                ..ConvertOptions::default()
            };
            let plan = ds.plan_convert(&options).unwrap();
            ds.run_convert(&plan, &out, |_, _| {}).unwrap();
            assert_eq!(
                all_pixels(&out),
                expected,
                "{name} interleave, tile {tile}, {codec:?}, {predictor:?}, {byte_order:?}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
