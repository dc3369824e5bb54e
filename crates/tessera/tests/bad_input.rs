//! Bad input gets a typed error that names the file and what is wrong: never a
//! panic, a hang or an allocation the file cannot justify. Each case takes a good
//! GDAL-made fixture and breaks one thing in it.

use std::path::PathBuf;

use tessera::tiff::{ByteSource, Limits as TiffLimits, Tag, TiffFile};
use tessera::{Dataset, Error, InfoOptions};

fn fixture(name: &str) -> (PathBuf, Vec<u8>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/fixtures")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (path, bytes)
}

/// A little-endian classic fixture: 3 bands u8, deflate, tiles 32x32, 67x45 pixels.
const TILED: &str = "u8_deflate_p1_tiled_band_le_classic.tif";

/// Overwrite the (first) value of an inline SHORT/LONG tag.
fn patch_tag(bytes: &mut [u8], tag: Tag, value: u32) {
    let tiff = TiffFile::parse(ByteSource::from_vec(bytes.to_vec()), &TiffLimits::default())
        .expect("fixture parses");
    let entry = tiff.ifds()[0].entry(tag).expect("tag present").clone();
    let at = entry.data_offset as usize;
    match entry.type_code {
        3 => bytes[at..at + 2].copy_from_slice(&(value as u16).to_le_bytes()),
        4 => bytes[at..at + 4].copy_from_slice(&value.to_le_bytes()),
        t => panic!("tag {tag:?} has type {t}"),
    }
}

/// Where the offsets and byte counts arrays of the fixture live: (file offset, bytes per value).
struct ChunkArrays {
    offsets: (usize, usize),
    counts: (usize, usize),
}

impl ChunkArrays {
    fn of(bytes: &[u8]) -> ChunkArrays {
        let tiff = TiffFile::parse(ByteSource::from_vec(bytes.to_vec()), &TiffLimits::default())
            .expect("fixture parses");
        let ifd = tiff.ifds()[0];
        let at = |tag: Tag| {
            let e = ifd.entry(tag).expect("tiled fixture");
            let width = match e.type_code {
                3 => 2,
                4 => 4,
                t => panic!("{tag:?} has type {t}"),
            };
            (e.data_offset as usize, width)
        };
        ChunkArrays {
            offsets: at(Tag::TileOffsets),
            counts: at(Tag::TileByteCounts),
        }
    }
}

fn get(bytes: &[u8], (at, width): (usize, usize)) -> usize {
    match width {
        2 => u16::from_le_bytes(bytes[at..at + 2].try_into().unwrap()) as usize,
        _ => u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize,
    }
}

fn set(bytes: &mut [u8], (at, width): (usize, usize), value: usize) {
    match width {
        2 => bytes[at..at + 2].copy_from_slice(&u16::try_from(value).unwrap().to_le_bytes()),
        _ => bytes[at..at + 4].copy_from_slice(&u32::try_from(value).unwrap().to_le_bytes()),
    }
}

fn read_all(ds: &Dataset) -> Result<(), Error> {
    let (_, failure) = ds.info(InfoOptions {
        stats: true,
        checksum: true,
    });
    failure.map_or(Ok(()), Err)
}

#[test]
fn good_fixture_reads() {
    let (_, bytes) = fixture(TILED);
    let ds = Dataset::from_bytes("good.tif", bytes).unwrap();
    read_all(&ds).unwrap();
}

#[test]
fn truncated_file_is_a_chunk_error_naming_the_file() {
    let (_, bytes) = fixture(TILED);
    let arrays = ChunkArrays::of(&bytes);
    // Cut 10 bytes into the first tile: the header parses, tile data is missing.
    let mut cut = bytes.clone();
    cut.truncate(get(&bytes, arrays.offsets) + 10);
    let ds = match Dataset::from_bytes("cut.tif", cut) {
        Ok(ds) => ds,
        // The IFD may live after the data: then opening fails, also with the name.
        Err(e) => {
            assert!(e.to_string().contains("cut.tif"), "{e}");
            return;
        }
    };
    let err = read_all(&ds).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Chunk { .. }), "{text}");
    assert!(text.contains("cut.tif") && text.contains("chunk"), "{text}");
}

#[test]
fn file_cut_in_the_header_fails_to_open() {
    let (_, bytes) = fixture(TILED);
    for len in [0, 3, 7, 9, 20] {
        let err = Dataset::from_bytes("short.tif", bytes[..len].to_vec()).unwrap_err();
        assert!(err.to_string().contains("short.tif"), "{err}");
        assert!(matches!(err, Error::Tiff { .. }), "{err}");
    }
}

#[test]
fn absurd_dimensions_are_refused_before_allocating() {
    let (_, mut bytes) = fixture(TILED);
    patch_tag(&mut bytes, Tag::ImageWidth, u32::MAX);
    let err = Dataset::from_bytes("wide.tif", bytes).unwrap_err();
    assert!(
        matches!(err, Error::LimitsExceeded { .. } | Error::Format { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("wide.tif"), "{err}");
}

#[test]
fn absurd_tile_size_is_a_limit_error() {
    let (_, mut bytes) = fixture(TILED);
    patch_tag(&mut bytes, Tag::TileWidth, 1 << 20);
    patch_tag(&mut bytes, Tag::TileLength, 1 << 20);
    let err = Dataset::from_bytes("tiles.tif", bytes).unwrap_err();
    assert!(
        matches!(err, Error::LimitsExceeded { .. } | Error::Format { .. }),
        "{err}"
    );
}

#[test]
fn chunk_offset_past_the_end_is_a_chunk_error() {
    let (_, mut bytes) = fixture(TILED);
    let arrays = ChunkArrays::of(&bytes);
    let far = if arrays.offsets.1 == 2 {
        0xfff0
    } else {
        0x7fff_0000
    };
    set(&mut bytes, arrays.offsets, far);
    let ds = Dataset::from_bytes("offset.tif", bytes).unwrap();
    let err = read_all(&ds).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Chunk { chunk: 0, .. }), "{text}");
    assert!(text.contains("past the end of the file"), "{text}");
}

#[test]
fn corrupt_chunk_data_is_a_chunk_error() {
    let (_, mut bytes) = fixture(TILED);
    let first = get(&bytes, ChunkArrays::of(&bytes).offsets);
    // Destroy the zlib header of the first tile.
    bytes[first] = 0xff;
    bytes[first + 1] = 0xff;
    let ds = Dataset::from_bytes("corrupt.tif", bytes).unwrap();
    let err = read_all(&ds).unwrap_err();
    assert!(matches!(err, Error::Chunk { chunk: 0, .. }), "{err}");
}

#[test]
fn deflate_bomb_stops_at_the_chunk_size() {
    let (_, mut bytes) = fixture(TILED);
    let arrays = ChunkArrays::of(&bytes);
    // 8 MiB of zeros compress to ~8 KiB; the tile expects 32*32 bytes.
    let bomb = {
        use std::io::Write;
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(&vec![0u8; 8 << 20]).unwrap();
        e.finish().unwrap()
    };
    let at = bytes.len();
    bytes.extend_from_slice(&bomb);
    set(&mut bytes, arrays.offsets, at);
    set(&mut bytes, arrays.counts, bomb.len());
    let ds = Dataset::from_bytes("bomb.tif", bytes).unwrap();
    // The first tile decodes to its expected 32x32 zeros; the rest of the bomb is ignored.
    let tile = ds.read_window(tessera::Window::new(0, 0, 32, 32)).unwrap();
    assert_eq!(tile.bytes().len(), 32 * 32 * 3);
    assert!(tile.band::<u8>(0).iter().all(|&v| v == 0));
}

#[test]
fn huge_window_is_a_limit_error_not_an_allocation() {
    let (_, bytes) = fixture(TILED);
    let ds = Dataset::from_bytes("window.tif", bytes).unwrap();
    let err = ds
        .read_window(tessera::Window::new(0, 0, 1 << 31, 1 << 31))
        .unwrap_err();
    assert!(matches!(err, Error::LimitsExceeded { .. }), "{err}");
}

#[test]
fn bad_band_index_is_a_usage_error() {
    let (_, bytes) = fixture(TILED);
    let ds = Dataset::from_bytes("bands.tif", bytes).unwrap();
    let mut req = tessera::ReadRequest::window(tessera::Window::new(0, 0, 4, 4));
    req.bands = vec![7];
    assert!(matches!(ds.read(&req), Err(Error::Usage { .. })));
}

#[test]
fn chunk_outside_the_image_is_a_usage_error() {
    // 67x45 pixels in 32x32 tiles: 3x2 blocks; band interleave: 3 planes.
    let (_, bytes) = fixture(TILED);
    let ds = Dataset::from_bytes("chunks.tif", bytes).unwrap();
    let img = ds.image();
    let block = |col, row| tessera::grid::BlockIndex { col, row };
    assert!(ds.decode_chunk(img, block(2, 1), 2).is_ok());
    for (b, plane) in [
        (block(3, 0), 0),
        (block(0, 2), 0),
        (block(0, 0), 3),
        (block(u64::MAX, u64::MAX), 0),
    ] {
        let Err(err) = ds.decode_chunk(img, b, plane) else {
            panic!("{b:?} plane {plane} decoded");
        };
        assert!(
            matches!(err, Error::Usage { .. }),
            "{b:?} plane {plane}: {err}"
        );
        assert!(err.to_string().contains("chunks.tif"), "{err}");
        assert!(matches!(
            ds.decompress_chunk(img, b, plane),
            Err(Error::Usage { .. })
        ));
    }
}

#[test]
fn unsupported_compression_is_named() {
    let (_, mut bytes) = fixture(TILED);
    patch_tag(&mut bytes, Tag::Compression, 34887);
    match Dataset::from_bytes("lerc.tif", bytes) {
        Err(e) => assert!(e.to_string().contains("LERC"), "{e}"),
        Ok(ds) => {
            let err = read_all(&ds).unwrap_err();
            assert!(err.to_string().contains("LERC"), "{err}");
        }
    }
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let err = Dataset::open("/nonexistent/dir/none.tif").unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert!(err.to_string().contains("none.tif"), "{err}");
}
