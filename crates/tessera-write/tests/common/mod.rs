#![allow(dead_code)]
//! Shared helpers: synthetic rasters, tile cutting, and two independent readers.

use std::path::Path;
use tessera_codec::{decode_chunk, ChunkParams, Predictor, SampleFormat};
use tessera_tiff::{ByteSource, Limits, Tag, TiffFile};
use tessera_write::*;

/// Deterministic pseudo-random numbers.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// A pixel-interleaved raster in native byte order: smooth ramps plus noise, with some extreme
/// values so predictors wrap.
pub fn sample_raster(w: u32, h: u32, bands: u16, dt: DataType, seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed | 1);
    let mut out = Vec::with_capacity(w as usize * h as usize * bands as usize * dt.size_bytes());
    for y in 0..h {
        for x in 0..w {
            for b in 0..bands {
                let base = (x as i64 * 3 + y as i64 * 5 + b as i64 * 40) % 200;
                let noise = (rng.next() % 7) as i64 - 3;
                let extreme = rng.next().is_multiple_of(53);
                let v = base + noise;
                match dt {
                    DataType::U8 => out.push(if extreme { 255 } else { v.clamp(0, 255) as u8 }),
                    DataType::I8 => out.push((if extreme { -128 } else { v - 100 }) as i8 as u8),
                    DataType::U16 => out.extend_from_slice(
                        &(if extreme { 65535 } else { (v * 300) as u16 }).to_ne_bytes(),
                    ),
                    DataType::I16 => out.extend_from_slice(
                        &(if extreme {
                            i16::MIN
                        } else {
                            (v * 100 - 10000) as i16
                        })
                        .to_ne_bytes(),
                    ),
                    DataType::U32 => out.extend_from_slice(
                        &(if extreme {
                            u32::MAX
                        } else {
                            (v * 100_000) as u32
                        })
                        .to_ne_bytes(),
                    ),
                    DataType::I32 => out.extend_from_slice(
                        &(if extreme {
                            i32::MIN
                        } else {
                            (v * 100_000 - 5) as i32
                        })
                        .to_ne_bytes(),
                    ),
                    DataType::U64 => out.extend_from_slice(
                        &(if extreme { u64::MAX } else { (v as u64) << 40 }).to_ne_bytes(),
                    ),
                    DataType::I64 => out.extend_from_slice(
                        &(if extreme { i64::MIN } else { v - (1 << 50) }).to_ne_bytes(),
                    ),
                    DataType::F32 => out.extend_from_slice(
                        &(if extreme {
                            f32::NAN
                        } else {
                            v as f32 * 0.37 - 20.0
                        })
                        .to_ne_bytes(),
                    ),
                    DataType::F64 => out.extend_from_slice(
                        &(if extreme {
                            -1e300
                        } else {
                            v as f64 * 0.123_456_789
                        })
                        .to_ne_bytes(),
                    ),
                    DataType::CI16 | DataType::CI32 | DataType::CF32 | DataType::CF64 => {
                        let n = dt.size_bytes();
                        for i in 0..n {
                            out.push((v as u8).wrapping_add(i as u8));
                        }
                    }
                }
            }
        }
    }
    out
}

/// The full (padded) tile `index` cut from a pixel-interleaved raster.
pub fn tile_pixels(enc: &TileEncoder, spec: &RasterSpec, raster: &[u8], index: usize) -> Vec<u8> {
    let r = enc.tile_region(index).unwrap();
    let size = spec.data_type.size_bytes();
    let bands = spec.bands as usize;
    let mut tile = vec![0u8; enc.tile_len()];
    let px = match spec.interleave {
        Interleave::Pixel => bands * size,
        Interleave::Band => size,
    };
    for row in 0..r.height as usize {
        for col in 0..r.width as usize {
            let src_pix =
                ((r.y as usize + row) * spec.width as usize + r.x as usize + col) * bands * size;
            let dst = (row * spec.tile_width as usize + col) * px;
            match spec.interleave {
                Interleave::Pixel => {
                    tile[dst..dst + px].copy_from_slice(&raster[src_pix..src_pix + px])
                }
                Interleave::Band => {
                    let s = src_pix + r.plane * size;
                    tile[dst..dst + size].copy_from_slice(&raster[s..s + size])
                }
            }
        }
    }
    tile
}

/// The raster as a reader returns it: pixel-interleaved, or band after band for band interleave.
pub fn expected_image(spec: &RasterSpec, raster: &[u8]) -> Vec<u8> {
    match spec.interleave {
        Interleave::Pixel => raster.to_vec(),
        Interleave::Band => band_sequential(spec, raster),
    }
}

/// Band-sequential copy of a pixel-interleaved raster.
pub fn band_sequential(spec: &RasterSpec, raster: &[u8]) -> Vec<u8> {
    let size = spec.data_type.size_bytes();
    let bands = spec.bands as usize;
    let n = spec.width as usize * spec.height as usize;
    let mut out = Vec::with_capacity(raster.len());
    for b in 0..bands {
        for p in 0..n {
            let s = (p * bands + b) * size;
            out.extend_from_slice(&raster[s..s + size]);
        }
    }
    out
}

/// Write a raster with the low-level API, feeding tiles in `order`.
pub fn write_in_order(
    target: &Path,
    spec: &RasterSpec,
    options: WriteOptions,
    raster: &[u8],
    order: &[usize],
) -> Result<WriteSummary, WriteError> {
    let mut w = TiledWriter::create(target, spec.clone(), options)?;
    w.set_max_pending(order.len());
    let enc = w.encoder();
    for &i in order {
        w.write_tile(enc.encode(i, &tile_pixels(&enc, spec, raster, i))?)?;
    }
    w.finish()
}

/// Read with the `tiff` crate: all planes, native bytes.
pub fn read_with_tiff_crate(path: &Path) -> Vec<u8> {
    let f = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let mut d = tiff::decoder::Decoder::new(f).unwrap();
    let mut result = tiff::decoder::DecodingResult::U8(vec![]);
    let layout = d.read_image_to_buffer(&mut result).unwrap();
    let bytes = result.as_buffer(0).as_bytes().to_vec();
    assert_eq!(bytes.len(), layout.complete_len, "not all planes were read");
    bytes
}

/// Read with tessera-tiff + tessera-codec (independent of the `tiff` crate; handles Zstd and
/// big-endian files). Same layout as [`expected_image`].
pub fn read_with_tessera(path: &Path) -> Vec<u8> {
    let tiff = TiffFile::parse(ByteSource::open(path).unwrap(), &Limits::default()).unwrap();
    let ifd = tiff.ifds()[0];
    let g = |t| ifd.u64(t).unwrap().unwrap();
    let (w, h) = (g(Tag::ImageWidth) as usize, g(Tag::ImageLength) as usize);
    let (tw, th) = (g(Tag::TileWidth) as usize, g(Tag::TileLength) as usize);
    let spp = g(Tag::SamplesPerPixel) as usize;
    let planar = ifd.u64(Tag::PlanarConfiguration).unwrap().unwrap_or(1);
    let bps = ifd.u64s(Tag::BitsPerSample).unwrap().unwrap()[0] as u16;
    let fmt = ifd.u64s(Tag::SampleFormat).unwrap().unwrap()[0] as u16;
    let pred = ifd.u64(Tag::Predictor).unwrap().unwrap_or(1) as u16;
    let comp = g(Tag::Compression) as u16;
    let offsets = ifd.u64s(Tag::TileOffsets).unwrap().unwrap();
    let counts = ifd.u64s(Tag::TileByteCounts).unwrap().unwrap();
    let (planes, cs) = if planar == 2 { (spp, 1) } else { (1, spp) };
    let size = bps as usize / 8;
    let across = w.div_ceil(tw);
    let down = h.div_ceil(th);
    let mut out = vec![0u8; w * h * spp * size];
    let params = ChunkParams {
        compression: tessera_codec::Compression::from_code(comp),
        predictor: Predictor::from_code(pred).unwrap(),
        byte_order: match tiff.byte_order() {
            tessera_tiff::ByteOrder::Little => tessera_codec::ByteOrder::Little,
            tessera_tiff::ByteOrder::Big => tessera_codec::ByteOrder::Big,
        },
        width: tw as u32,
        rows: th as u32,
        samples: cs as u16,
        bits_per_sample: bps,
        sample_format: SampleFormat::from_code(fmt).unwrap(),
        jpeg_tables: None,
        ycbcr_to_rgb: false,
    };
    for p in 0..planes {
        for ty in 0..down {
            for tx in 0..across {
                let i = p * across * down + ty * across + tx;
                let data = tiff
                    .source()
                    .range(offsets[i], counts[i])
                    .expect("tile inside the file");
                let tile = decode_chunk(data, &params).unwrap();
                let px = cs * size;
                for row in 0..th.min(h - ty * th) {
                    let y = ty * th + row;
                    let cols = tw.min(w - tx * tw);
                    let src = row * tw * px;
                    let dst = p * w * h * size + (y * w + tx * tw) * px;
                    out[dst..dst + cols * px].copy_from_slice(&tile[src..src + cols * px]);
                }
            }
        }
    }
    out
}
