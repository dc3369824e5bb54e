//! Byte-identical output regardless of arrival order and thread count; atomic publication.

mod common;
use common::*;
use std::path::Path;
use tessera_write::*;

fn spec() -> RasterSpec {
    let mut s = RasterSpec::new(150, 90, 2, DataType::F32);
    s.tile_width = 32;
    s.tile_height = 16;
    s
}

fn opts() -> WriteOptions {
    WriteOptions::compressed(Compression::Lzw)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn same_bytes_for_any_order_and_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec();
    let raster = sample_raster(150, 90, 2, DataType::F32, 3);
    let enc = TileEncoder::new(&spec, &opts()).unwrap();
    let n = enc.tile_count();
    assert_eq!(n, 5 * 6);
    let in_order: Vec<usize> = (0..n).collect();
    let reference = dir.path().join("ref.tif");
    write_in_order(&reference, &spec, opts(), &raster, &in_order).unwrap();
    let want = std::fs::read(&reference).unwrap();
    assert_eq!(read_with_tessera(&reference), raster);

    let mut rng = Rng(12345);
    for k in 0..5 {
        let mut order = in_order.clone();
        for i in (1..order.len()).rev() {
            order.swap(i, (rng.next() % (i as u64 + 1)) as usize);
        }
        let p = dir.path().join(format!("shuffled{k}.tif"));
        write_in_order(&p, &spec, opts(), &raster, &order).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), want, "order {order:?}");
    }
    let reversed: Vec<usize> = in_order.iter().rev().copied().collect();
    let p = dir.path().join("reversed.tif");
    write_in_order(&p, &spec, opts(), &raster, &reversed).unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), want);

    for threads in [1, 4] {
        let p = dir.path().join(format!("par{threads}.tif"));
        let mut calls = Vec::new();
        let s = write_tiles_parallel(
            &p,
            spec.clone(),
            opts(),
            threads,
            |i| Ok::<_, std::io::Error>(tile_pixels(&enc, &spec, &raster, i)),
            |done, total| calls.push((done, total)),
        )
        .unwrap();
        assert_eq!(s.tiles, n);
        assert_eq!(calls.last(), Some(&(n, n)));
        assert!(calls.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(std::fs::read(&p).unwrap(), want, "{threads} threads");
    }
    // Only the finished files remain: no temporary files.
    assert!(files_in(dir.path())
        .iter()
        .all(|f| f.ends_with(".tif") && !f.starts_with('.')));
}

#[test]
fn failing_tile_leaves_no_target_and_no_temp() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec();
    let raster = sample_raster(150, 90, 2, DataType::F32, 3);
    let enc = TileEncoder::new(&spec, &opts()).unwrap();
    let target = dir.path().join("out.tif");
    for threads in [1, 3] {
        let err = write_tiles_parallel(
            &target,
            spec.clone(),
            opts(),
            threads,
            |i| {
                if i == 17 {
                    Err(format!("injected failure at {i}"))
                } else {
                    Ok(tile_pixels(&enc, &spec, &raster, i))
                }
            },
            |_, _| {},
        )
        .unwrap_err();
        assert!(matches!(err, WriteError::Produce { tile: 17, .. }), "{err}");
        assert!(err.to_string().contains("injected failure at 17"));
        assert!(
            files_in(dir.path()).is_empty(),
            "{:?}",
            files_in(dir.path())
        );
    }
    // A wrong-size tile from the producer is a usage error, same cleanup.
    let err = write_tiles_parallel(
        &target,
        spec.clone(),
        opts(),
        2,
        |_| Ok::<_, std::io::Error>(vec![0u8; 3]),
        |_, _| {},
    )
    .unwrap_err();
    assert!(matches!(err, WriteError::Usage(_)), "{err}");
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn missing_tile_or_drop_keeps_existing_target() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec();
    let raster = sample_raster(150, 90, 2, DataType::F32, 3);
    let target = dir.path().join("out.tif");
    std::fs::write(&target, b"previous content").unwrap();

    // Missing tile at finish.
    let mut w = TiledWriter::create(&target, spec.clone(), opts()).unwrap();
    let temp = w.temp_path().to_path_buf();
    assert!(temp.exists());
    let name = temp.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with(".out.tif.tessera-") && name.ends_with(".tmp"),
        "{name}"
    );
    w.set_max_pending(100);
    let enc = w.encoder();
    for i in (0..enc.tile_count()).filter(|&i| i != 4) {
        w.write_tile(
            enc.encode(i, &tile_pixels(&enc, &spec, &raster, i))
                .unwrap(),
        )
        .unwrap();
    }
    assert_eq!(w.next_tile(), 4);
    assert_eq!(w.pending(), enc.tile_count() - 5);
    let err = w.finish().unwrap_err();
    assert!(
        matches!(
            err,
            WriteError::MissingTiles {
                missing: 1,
                first_missing: 4,
                ..
            }
        ),
        "{err}"
    );
    assert!(!temp.exists());
    assert_eq!(std::fs::read(&target).unwrap(), b"previous content");

    // Dropped before finishing.
    let w = TiledWriter::create(&target, spec.clone(), opts()).unwrap();
    let temp = w.temp_path().to_path_buf();
    drop(w);
    assert!(!temp.exists());
    assert_eq!(files_in(dir.path()), vec!["out.tif".to_string()]);

    // A successful write replaces the target.
    let order: Vec<usize> = (0..enc.tile_count()).collect();
    write_in_order(&target, &spec, opts(), &raster, &order).unwrap();
    assert_eq!(read_with_tessera(&target), raster);
    assert_eq!(files_in(dir.path()), vec!["out.tif".to_string()]);
}

#[test]
fn usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec();
    let raster = sample_raster(150, 90, 2, DataType::F32, 3);
    let target = dir.path().join("out.tif");
    let mut w = TiledWriter::create(&target, spec.clone(), opts()).unwrap();
    let enc = w.encoder();
    let tile = |i| {
        enc.encode(i, &tile_pixels(&enc, &spec, &raster, i))
            .unwrap()
    };
    // Reorder bound.
    w.set_max_pending(2);
    w.write_tile(tile(3)).unwrap();
    w.write_tile(tile(2)).unwrap();
    assert!(matches!(
        w.write_tile(tile(5)),
        Err(WriteError::ReorderBufferFull {
            pending: 2,
            next_expected: 0,
            limit: 2
        })
    ));
    // Duplicates.
    assert!(matches!(w.write_tile(tile(3)), Err(WriteError::Usage(_))));
    w.write_tile(tile(0)).unwrap();
    w.write_tile(tile(1)).unwrap();
    assert_eq!((w.next_tile(), w.pending()), (4, 0));
    assert!(matches!(w.write_tile(tile(1)), Err(WriteError::Usage(_))));
    // Out of range, wrong size, tile of another spec.
    assert!(matches!(enc.encode(1000, &[]), Err(WriteError::Usage(_))));
    assert!(matches!(enc.encode(0, &[1, 2]), Err(WriteError::Usage(_))));
    let other = TileEncoder::new(&spec, &WriteOptions::default()).unwrap();
    let t = other.encode(4, &vec![0; other.tile_len()]).unwrap();
    assert!(matches!(w.write_tile(t), Err(WriteError::Usage(_))));
    // An identical but separately built encoder is fine.
    let same = TileEncoder::new(&spec, &opts()).unwrap();
    w.write_tile(
        same.encode(4, &tile_pixels(&same, &spec, &raster, 4))
            .unwrap(),
    )
    .unwrap();
    drop(w);

    // Unwritable / missing directory: clear I/O error at create, naming the path.
    let bad = dir.path().join("no-such-dir").join("x.tif");
    let err = TiledWriter::create(&bad, spec.clone(), opts()).unwrap_err();
    assert!(matches!(err, WriteError::Io { .. }), "{err}");
    assert!(err.to_string().contains("no-such-dir"), "{err}");
    // Target is a directory.
    let err = TiledWriter::create(dir.path(), spec.clone(), opts()).unwrap_err();
    assert!(matches!(err, WriteError::Usage(_)), "{err}");
    // Invalid spec: nothing created.
    let mut bad_spec = spec.clone();
    bad_spec.tile_width = 24;
    assert!(matches!(
        TiledWriter::create(&target, bad_spec, opts()),
        Err(WriteError::Usage(_))
    ));
    assert!(files_in(dir.path()).is_empty());
}

/// `encode_in_place` stores the same bytes as `encode` for every predictor and both byte
/// orders (it only saves the copy), and leaves the prepared tile in the caller's buffer.
#[test]
fn encode_in_place_equals_encode() {
    for dt in [DataType::U16, DataType::F32] {
        let mut spec = RasterSpec::new(150, 90, 2, dt);
        spec.tile_width = 32;
        spec.tile_height = 16;
        let raster = sample_raster(150, 90, 2, dt, 5);
        let predictors = [
            PredictorChoice::None,
            PredictorChoice::Horizontal,
            PredictorChoice::Float,
        ];
        for predictor in predictors {
            if predictor == PredictorChoice::Float && dt != DataType::F32 {
                continue;
            }
            for byte_order in [ByteOrder::Little, ByteOrder::Big] {
                let options = WriteOptions {
                    predictor,
                    byte_order,
                    ..WriteOptions::compressed(Compression::Deflate)
                };
                let enc = TileEncoder::new(&spec, &options).unwrap();
                for i in [0, 7, enc.tile_count() - 1] {
                    let pixels = tile_pixels(&enc, &spec, &raster, i);
                    let copied = enc.encode(i, &pixels).unwrap();
                    let mut scratch = pixels.clone();
                    let in_place = enc.encode_in_place(i, &mut scratch).unwrap();
                    assert_eq!(
                        in_place.data(),
                        copied.data(),
                        "{dt:?} {predictor:?} {byte_order:?} tile {i}"
                    );
                    let transformed =
                        predictor != PredictorChoice::None || byte_order == ByteOrder::Big;
                    assert_eq!(scratch != pixels, transformed, "{dt:?} {predictor:?}");
                }
            }
        }
    }
}
