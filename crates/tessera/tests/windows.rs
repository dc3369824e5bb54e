//! Window reads agree with the whole image: any window (inside, straddling the
//! edges, or wholly outside), any band subset and order, on tiles and strips,
//! pixel and band interleave. Outside pixels get the fill value (or nodata).

use std::path::PathBuf;

use tessera::{Dataset, ImageSel, RasterBuffer, ReadRequest, Window};

fn open(name: &str) -> Dataset {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/fixtures")
        .join(name);
    Dataset::open(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// Bytes of pixel (col,row) of band `b` in a buffer read at window `w`.
fn sample(buf: &RasterBuffer, w: &Window, b: usize, col: i64, row: i64) -> Vec<u8> {
    let size = buf.data_type().size_bytes();
    let x = (col - w.col_off) as usize;
    let y = (row - w.row_off) as usize;
    let at = (y * buf.width() + x) * size;
    buf.band_bytes(b)[at..at + size].to_vec()
}

/// A small deterministic pseudo-random sequence (no test dependency needed).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn check_windows(name: &str, fill: Option<f64>) {
    let ds = open(name);
    let (w, h) = (ds.width() as i64, ds.height() as i64);
    let full_win = Window::full(w as u64, h as u64);
    let full = ds.read_window(full_win).unwrap();
    let fill_bytes = tessera::encode_sample(
        ds.data_type(),
        fill.or(ds.metadata().nodata()).unwrap_or(0.0),
    );
    let mut rng = Lcg(42);
    let bands = ds.band_count();
    for _ in 0..60 {
        let win = Window::new(
            rng.next(w as u64 + 20) as i64 - 10,
            rng.next(h as u64 + 20) as i64 - 10,
            rng.next(40) + 1,
            rng.next(40) + 1,
        );
        let subset: Vec<usize> = (0..1 + rng.next(bands as u64 + 1) as usize)
            .map(|_| rng.next(bands as u64) as usize)
            .collect();
        let req = ReadRequest {
            image: ImageSel::Base,
            window: win,
            bands: subset.clone(),
            fill,
            // Both decode paths, checked against the (parallel) whole-image read.
            parallel: rng.next(2) == 0,
        };
        let buf = ds.read(&req).unwrap();
        assert_eq!(
            (buf.width(), buf.height(), buf.bands()),
            (win.width as usize, win.height as usize, subset.len())
        );
        for (k, &b) in subset.iter().enumerate() {
            for row in win.row_off..win.row_end() {
                for col in win.col_off..win.col_end() {
                    let got = sample(&buf, &win, k, col, row);
                    let want = if (0..w).contains(&col) && (0..h).contains(&row) {
                        sample(&full, &full_win, b, col, row)
                    } else {
                        fill_bytes.clone()
                    };
                    assert_eq!(
                        got, want,
                        "{name} window {win:?} band {b} pixel ({col},{row})"
                    );
                }
            }
        }
    }
}

/// Every block read on its own, as the pipeline reads: block windows clipped to the image,
/// and the same windows unclipped (whole tiles hanging over the right and bottom edges, whose
/// outside part must be the fill value, not the tile's padding).
fn check_block_windows(name: &str, fill: f64) {
    let ds = open(name);
    let (w, h) = (ds.width(), ds.height());
    let full_win = Window::full(w, h);
    let full = ds.read_window(full_win).unwrap();
    let fill_bytes = tessera::encode_sample(ds.data_type(), fill);
    let layout = ds.image().layout;
    assert!(
        w % layout.block_width != 0 || h % layout.block_height != 0,
        "{name}: needs edge blocks that hang over the image"
    );
    for row in 0..layout.blocks_down() {
        for col in 0..layout.blocks_across() {
            let block = tessera::grid::BlockIndex { col, row };
            let clipped = layout.block_window(block);
            let whole = Window::new(
                clipped.col_off,
                clipped.row_off,
                layout.block_width,
                layout.block_height,
            );
            for win in [clipped, whole] {
                let req = ReadRequest {
                    image: ImageSel::Base,
                    window: win,
                    bands: Vec::new(),
                    fill: Some(fill),
                    parallel: false,
                };
                let buf = ds.read(&req).unwrap();
                for b in 0..ds.band_count() {
                    for r in win.row_off..win.row_end() {
                        for c in win.col_off..win.col_end() {
                            let want = if (c as u64) < w && (r as u64) < h {
                                sample(&full, &full_win, b, c, r)
                            } else {
                                fill_bytes.clone()
                            };
                            assert_eq!(
                                sample(&buf, &win, b, c, r),
                                want,
                                "{name} window {win:?} band {b} pixel ({c},{r})"
                            );
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn block_windows_tiled_pixel_interleaved() {
    check_block_windows("u16_deflate_p1_tiled_pixel_le_classic.tif", 9.0);
    // 8-bit RGB with predictor 2: the one-pass (SIMD where available) predictor + split path.
    check_block_windows("u8_lzw_p2_tiled_pixel_le_classic.tif", 200.0);
    check_block_windows("u8_zstd_p2_tiled_pixel_be_classic.tif", 1.0);
}

#[test]
fn block_windows_striped_and_band_interleaved() {
    check_block_windows("i16_lzw_p2_striped_pixel_le_bigtiff.tif", -5.0);
    check_block_windows("u8_deflate_p2_tiled_band_le_classic.tif", 3.0);
}

#[test]
fn tiled_pixel_interleaved() {
    check_windows("u16_deflate_p1_tiled_pixel_le_classic.tif", None);
}

#[test]
fn tiled_band_interleaved_big_endian() {
    check_windows("u16_lzw_p2_tiled_band_be_classic.tif", Some(7.0));
}

#[test]
fn striped_pixel_interleaved_bigtiff() {
    check_windows("i16_lzw_p2_striped_pixel_le_bigtiff.tif", Some(-5.0));
}

#[test]
fn float_nodata_fill() {
    check_windows("f32_deflate_p3_tiled_pixel_be_classic_nodata.tif", None);
}

#[test]
fn sparse_blocks_read_as_nodata() {
    let ds = open("sparse_u16_tiled_nodata.tif");
    let nodata = ds.metadata().nodata().expect("fixture has nodata");
    let zero_blocks: Vec<usize> = ds
        .image()
        .offsets
        .iter()
        .zip(&ds.image().byte_counts)
        .enumerate()
        .filter(|(_, (&o, &c))| o == 0 || c == 0)
        .map(|(i, _)| i)
        .collect();
    assert!(!zero_blocks.is_empty(), "fixture has sparse blocks");
    let layout = ds.image().layout;
    let first = zero_blocks[0] as u64 % layout.block_count();
    let block = tessera::grid::BlockIndex {
        col: first % layout.blocks_across(),
        row: first / layout.blocks_across(),
    };
    let buf = ds.read_window(layout.block_window(block)).unwrap();
    assert!(buf.band::<u16>(0).iter().all(|&v| f64::from(v) == nodata));
}

#[test]
fn wholly_outside_window_is_all_fill() {
    let ds = open("u8_deflate_p1_tiled_band_le_classic.tif");
    let req = ReadRequest {
        image: ImageSel::Base,
        window: Window::new(-100, -100, 5, 5),
        bands: vec![2, 0],
        fill: Some(9.0),
        parallel: true,
    };
    let buf = ds.read(&req).unwrap();
    assert!(buf.bytes().iter().all(|&v| v == 9));
}
