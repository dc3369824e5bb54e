//! Window reads: any window (boundless allowed) and band subset into a typed
//! buffer, decoding only the chunks the window touches, in parallel.

use rayon::prelude::*;
use tessera_grid::{BlockIndex, Window};

use crate::buffer::RasterBuffer;
use crate::dataset::{Dataset, ImageSel};
use crate::image::ImageInfo;
use crate::{Error, Result};

/// What to read.
#[derive(Debug, Clone)]
pub struct ReadRequest {
    /// Which image (full resolution, an overview, the mask).
    pub image: ImageSel,
    /// The pixel window, possibly partly or wholly outside the image.
    pub window: Window,
    /// 0-based band indexes, in output order (empty = all bands).
    pub bands: Vec<usize>,
    /// Value for pixels outside the image; `None` = the nodata value, or 0.
    pub fill: Option<f64>,
}

impl ReadRequest {
    /// All bands of a window of the full-resolution image, nodata-filled outside.
    pub fn window(window: Window) -> Self {
        ReadRequest {
            image: ImageSel::Base,
            window,
            bands: Vec::new(),
            fill: None,
        }
    }
}

/// A decoded chunk: `None` for sparse chunks (no data in the file).
type Decoded = Option<Vec<u8>>;

impl Dataset {
    /// Read a window of the full-resolution image, all bands.
    pub fn read_window(&self, window: Window) -> Result<RasterBuffer> {
        self.read(&ReadRequest::window(window))
    }

    /// Read a window.
    pub fn read(&self, req: &ReadRequest) -> Result<RasterBuffer> {
        let img = self.select(req.image)?;
        let bands: Vec<usize> = if req.bands.is_empty() {
            (0..usize::from(img.samples)).collect()
        } else {
            req.bands.clone()
        };
        if let Some(&b) = bands.iter().find(|&&b| b >= usize::from(img.samples)) {
            return Err(self.usage(format!(
                "band {} requested, the image has {} bands",
                b + 1,
                img.samples
            )));
        }
        let w = req.window;
        let bytes = w
            .pixel_count()
            .and_then(|p| p.checked_mul(bands.len() as u64))
            .and_then(|p| p.checked_mul(img.data_type.size_bytes() as u64))
            .filter(|&b| b <= self.limits.max_read_bytes)
            .ok_or_else(|| Error::LimitsExceeded {
                path: self.path().to_path_buf(),
                what: format!(
                    "window {}x{} x {} bands is larger than the read limit of {} bytes",
                    w.width,
                    w.height,
                    bands.len(),
                    self.limits.max_read_bytes
                ),
            })?;
        debug_assert!(bytes <= self.limits.max_read_bytes);
        let nodata = self.metadata().nodata();
        let mut out = RasterBuffer::zeroed(
            img.data_type,
            bands.len(),
            w.width as usize,
            w.height as usize,
        );
        if !w.is_within(img.width, img.height) {
            let fill = req.fill.or(nodata).unwrap_or(0.0);
            if fill != 0.0 {
                out.fill(fill);
            }
        }
        let is_mask = req.image == ImageSel::Mask;
        // The (block, plane) chunks needed, in a fixed order.
        let planes: Vec<u16> = if img.planar {
            let mut p: Vec<u16> = bands.iter().map(|&b| b as u16).collect();
            p.sort_unstable();
            p.dedup();
            p
        } else {
            vec![0]
        };
        let chunks: Vec<(BlockIndex, u16)> = img
            .layout
            .blocks_in(&w)
            .flat_map(|b| planes.iter().map(move |&p| (b, p)))
            .collect();
        let spp = usize::from(img.samples_per_chunk());
        let sparse_fill = nodata.unwrap_or(0.0);
        if chunks.len() > 1 {
            // Workers decode and also split pixel-interleaved chunks into planes, so the
            // sequential copy below is plain row memcpy.
            let decoded: Vec<Result<Decoded>> = chunks
                .par_iter()
                .map(|&(block, plane)| {
                    let chunk = self.decode_chunk(img, block, plane)?;
                    Ok(chunk.map(|c| to_planes(c, spp, img.data_type.size_bytes())))
                })
                .collect();
            for ((block, plane), data) in chunks.iter().zip(decoded) {
                let src = data?.map(|d| ChunkPixels {
                    data: d,
                    planes_split: true,
                });
                copy_chunk(
                    img,
                    *block,
                    *plane,
                    src.as_ref(),
                    sparse_fill,
                    &w,
                    &bands,
                    &mut out,
                );
            }
        } else {
            // One chunk (the pipeline's block-aligned windows): decode and copy on this
            // thread, de-interleaving straight into the output.
            for &(block, plane) in &chunks {
                let src = self.decode_chunk(img, block, plane)?.map(|d| ChunkPixels {
                    data: d,
                    planes_split: spp == 1,
                });
                copy_chunk(
                    img,
                    block,
                    plane,
                    src.as_ref(),
                    sparse_fill,
                    &w,
                    &bands,
                    &mut out,
                );
            }
        }
        if is_mask {
            // GDAL presents 1-bit masks as 0/255.
            for v in out.bytes_mut() {
                if *v != 0 {
                    *v = 255;
                }
            }
        }
        Ok(out)
    }

    fn usage(&self, what: String) -> Error {
        Error::Usage {
            path: self.path().to_path_buf(),
            what,
        }
    }

    /// Fetch and decode one chunk; `None` when the file has no data for it (sparse).
    pub fn decode_chunk(&self, img: &ImageInfo, block: BlockIndex, plane: u16) -> Result<Decoded> {
        let index = img.chunk_index(block, plane);
        let chunk_err = |what: String| Error::Chunk {
            path: self.path().to_path_buf(),
            ifd: img.ifd_index,
            chunk: index,
            what,
        };
        let (offset, count) = (img.offsets[index], img.byte_counts[index]);
        if offset == 0 || count == 0 {
            return Ok(None);
        }
        let file_len = self.tiff().source().len();
        let data = self
            .tiff()
            .source()
            .read_chunk(offset, count)
            .map_err(|e| chunk_err(format!("cannot read {count} bytes at offset {offset}: {e}")))?
            .ok_or_else(|| {
                chunk_err(format!(
                    "{count} bytes at offset {offset} run past the end of the file ({file_len} bytes)"
                ))
            })?;
        let params = img.chunk_params(block, img.jpeg_tables.as_deref());
        tessera_codec::decode_chunk(&data, &params)
            .map(Some)
            .map_err(|e| chunk_err(e.to_string()))
    }
}

/// A decoded chunk, pixel-interleaved as decoded or already split into planes.
struct ChunkPixels {
    data: Vec<u8>,
    planes_split: bool,
}

/// Copy the part of a decoded chunk that falls in the window into the output.
#[allow(clippy::too_many_arguments)]
fn copy_chunk(
    img: &ImageInfo,
    block: BlockIndex,
    plane: u16,
    data: Option<&ChunkPixels>,
    sparse_fill: f64,
    window: &Window,
    bands: &[usize],
    out: &mut RasterBuffer,
) {
    let block_win = img.layout.block_window(block);
    let Some(part) = block_win.intersection(window) else {
        return;
    };
    let size = img.data_type.size_bytes();
    let spp = usize::from(img.samples_per_chunk());
    let split = data.is_none_or(|d| d.planes_split);
    // Split chunks hold one plane per sample (see `to_planes`); others interleave them.
    let (chunk_row_bytes, pixel_bytes) = if split {
        (img.layout.block_width as usize * size, size)
    } else {
        (img.layout.block_width as usize * spp * size, spp * size)
    };
    let plane_bytes = chunk_row_bytes * img.chunk_rows(block) as usize;
    let out_width = window.width as usize;
    let fill_sample = crate::buffer::encode_sample(img.data_type, sparse_fill);
    let part_w = part.width as usize;
    for (k, &band) in bands.iter().enumerate() {
        let sample = if img.planar {
            if band != usize::from(plane) {
                continue;
            }
            0
        } else {
            band
        };
        let dst_band = out.band_bytes_mut(k);
        for row in part.row_off..part.row_end() {
            let dst_row = (row - window.row_off) as usize;
            let dst_col = (part.col_off - window.col_off) as usize;
            let dst_start = (dst_row * out_width + dst_col) * size;
            let dst = &mut dst_band[dst_start..dst_start + part_w * size];
            let Some(data) = data else {
                for px in dst.chunks_exact_mut(size) {
                    px.copy_from_slice(&fill_sample);
                }
                continue;
            };
            let src_row = (row - block_win.row_off) as usize;
            let src_col = (part.col_off - block_win.col_off) as usize;
            let row_start = src_row * chunk_row_bytes + src_col * pixel_bytes;
            if split {
                let start = sample * plane_bytes + row_start;
                dst.copy_from_slice(&data.data[start..start + part_w * size]);
            } else {
                let src = &data.data[row_start..row_start + part_w * pixel_bytes];
                copy_samples(src, dst, spp, sample, size);
            }
        }
    }
}

/// A pixel-interleaved chunk (`spp` samples of `size` bytes per pixel) as `spp`
/// consecutive planes.
fn to_planes(chunk: Vec<u8>, spp: usize, size: usize) -> Vec<u8> {
    if spp == 1 {
        return chunk;
    }
    let plane = chunk.len() / spp;
    let mut out = vec![0u8; chunk.len()];
    for (s, dst) in out.chunks_exact_mut(plane).enumerate() {
        copy_samples(&chunk, dst, spp, s, size);
    }
    out
}

/// Copy sample `sample` of each `spp`-sample pixel of `src` into consecutive samples of `dst`.
fn copy_samples(src: &[u8], dst: &mut [u8], spp: usize, sample: usize, size: usize) {
    if spp == 1 {
        dst.copy_from_slice(src);
        return;
    }
    let stride = spp * size;
    let offset = sample * size;
    match size {
        1 => {
            for (d, px) in dst.iter_mut().zip(src.chunks_exact(stride)) {
                *d = px[offset];
            }
        }
        2 => copy_sample_n::<2>(src, dst, stride, offset),
        4 => copy_sample_n::<4>(src, dst, stride, offset),
        8 => copy_sample_n::<8>(src, dst, stride, offset),
        _ => {
            for (d, px) in dst.chunks_exact_mut(size).zip(src.chunks_exact(stride)) {
                d.copy_from_slice(&px[offset..offset + size]);
            }
        }
    }
}

/// `copy_samples` for one sample size known at compile time (fixed-size copies).
fn copy_sample_n<const N: usize>(src: &[u8], dst: &mut [u8], stride: usize, offset: usize) {
    for (d, px) in dst.chunks_exact_mut(N).zip(src.chunks_exact(stride)) {
        let s: &[u8; N] = px[offset..offset + N].try_into().expect("N bytes");
        d.copy_from_slice(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_samples_deinterleaves() {
        let src = [1u8, 2, 3, 4, 5, 6];
        let mut dst = [0u8; 2];
        copy_samples(&src, &mut dst, 3, 1, 1);
        assert_eq!(dst, [2, 5]);
        let src16 = [1u8, 0, 2, 0, 3, 0, 4, 0];
        let mut dst16 = [0u8; 4];
        copy_samples(&src16, &mut dst16, 2, 1, 2);
        assert_eq!(dst16, [2, 0, 4, 0]);
        assert_eq!(to_planes(src.to_vec(), 3, 1), vec![1, 4, 2, 5, 3, 6]);
    }
}
