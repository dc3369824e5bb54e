//! Streaming band statistics and pixel checksums over a whole image, one strip of
//! blocks at a time, so memory stays bounded whatever the raster size.

use sha2::{Digest, Sha256};
use tessera_codec::DataType;
use tessera_grid::Window;

use crate::buffer::RasterBuffer;
use crate::dataset::{Dataset, ImageSel};
use crate::read::ReadRequest;
use crate::Result;

/// Statistics of one band over its valid pixels (not nodata, not NaN).
#[derive(Debug, Clone, PartialEq)]
pub struct BandStats {
    /// Pixels that are neither nodata nor NaN.
    pub valid_count: u64,
    /// NaN pixels.
    pub nan_count: u64,
    /// Minimum (None without valid pixels or for complex bands).
    pub min: Option<f64>,
    /// Maximum.
    pub max: Option<f64>,
    /// Mean.
    pub mean: Option<f64>,
    /// Population standard deviation.
    pub std: Option<f64>,
}

/// What [`Dataset::summarize`] returns per band.
#[derive(Debug, Clone, PartialEq)]
pub struct BandSummary {
    /// Statistics, when asked for.
    pub stats: Option<BandStats>,
    /// Hex sha256 of the band's pixels (row by row, little-endian samples), when asked for.
    pub sha256: Option<String>,
}

/// Running statistics: count, mean and sum of squared deviations, merged per window
/// (Chan et al.), each window computed in two passes for accuracy.
#[derive(Debug, Clone, Default)]
struct Accumulator {
    n: u64,
    nan: u64,
    min: f64,
    max: f64,
    mean: f64,
    m2: f64,
}

impl Accumulator {
    fn merge(&mut self, other: &Accumulator) {
        self.nan += other.nan;
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            let nan = self.nan;
            *self = other.clone();
            self.nan = nan;
            return;
        }
        let n = (self.n + other.n) as f64;
        let delta = other.mean - self.mean;
        self.mean += delta * other.n as f64 / n;
        self.m2 += other.m2 + delta * delta * self.n as f64 * other.n as f64 / n;
        self.n += other.n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    fn finish(&self, complex: bool) -> BandStats {
        let some = |v: f64| (self.n > 0 && !complex).then_some(v);
        BandStats {
            valid_count: self.n,
            nan_count: self.nan,
            min: some(self.min),
            max: some(self.max),
            mean: some(self.mean),
            std: some((self.m2 / self.n.max(1) as f64).sqrt()),
        }
    }
}

/// Statistics of one window's values.
fn window_stats<T: bytemuck::Pod>(
    values: &[T],
    to_f64: impl Fn(T) -> f64,
    nodata: Option<f64>,
) -> Accumulator {
    let mut acc = Accumulator {
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
        ..Default::default()
    };
    let mut sum = 0.0;
    let valid = |v: f64| !v.is_nan() && Some(v) != nodata;
    for &v in values {
        let x = to_f64(v);
        if x.is_nan() {
            acc.nan += 1;
        } else if valid(x) {
            acc.n += 1;
            sum += x;
            acc.min = acc.min.min(x);
            acc.max = acc.max.max(x);
        }
    }
    if acc.n == 0 {
        return acc;
    }
    acc.mean = sum / acc.n as f64;
    // Second pass over the window: sum of squared deviations, plus the rounding
    // correction of the mean (the "corrected two-pass" algorithm).
    let (mut m2, mut comp) = (0.0, 0.0);
    for &v in values {
        let x = to_f64(v);
        if valid(x) {
            let d = x - acc.mean;
            m2 += d * d;
            comp += d;
        }
    }
    acc.m2 = m2 - comp * comp / acc.n as f64;
    acc
}

/// Statistics of a complex band: only counts (NaN when a part is NaN).
fn complex_counts(bytes: &[u8], dt: DataType) -> Accumulator {
    let mut acc = Accumulator::default();
    let n = bytes.len() / dt.size_bytes();
    match dt {
        DataType::CF32 => {
            let v: Vec<f32> = bytemuck::pod_collect_to_vec(bytes);
            acc.nan = v
                .chunks_exact(2)
                .filter(|c| c[0].is_nan() || c[1].is_nan())
                .count() as u64;
        }
        DataType::CF64 => {
            let v: Vec<f64> = bytemuck::pod_collect_to_vec(bytes);
            acc.nan = v
                .chunks_exact(2)
                .filter(|c| c[0].is_nan() || c[1].is_nan())
                .count() as u64;
        }
        _ => {}
    }
    acc.n = n as u64 - acc.nan;
    acc
}

fn band_window_stats(buf: &RasterBuffer, band: usize, nodata: Option<f64>) -> Accumulator {
    match buf.data_type() {
        DataType::U8 => window_stats(buf.band::<u8>(band), f64::from, nodata),
        DataType::I8 => window_stats(buf.band::<i8>(band), f64::from, nodata),
        DataType::U16 => window_stats(buf.band::<u16>(band), f64::from, nodata),
        DataType::I16 => window_stats(buf.band::<i16>(band), f64::from, nodata),
        DataType::U32 => window_stats(buf.band::<u32>(band), f64::from, nodata),
        DataType::I32 => window_stats(buf.band::<i32>(band), f64::from, nodata),
        DataType::U64 => window_stats(buf.band::<u64>(band), |v| v as f64, nodata),
        DataType::I64 => window_stats(buf.band::<i64>(band), |v| v as f64, nodata),
        DataType::F32 => window_stats(buf.band::<f32>(band), f64::from, nodata),
        DataType::F64 => window_stats(buf.band::<f64>(band), |v| v, nodata),
        dt => complex_counts(buf.band_bytes(band), dt),
    }
}

/// Bytes of a band in little-endian sample order (what the checksum is defined over).
fn little_endian_bytes(buf: &RasterBuffer, band: usize) -> std::borrow::Cow<'_, [u8]> {
    let bytes = buf.band_bytes(band);
    if cfg!(target_endian = "little") {
        return std::borrow::Cow::Borrowed(bytes);
    }
    let component = match buf.data_type() {
        DataType::CI16 => 2,
        DataType::CI32 | DataType::CF32 => 4,
        DataType::CF64 => 8,
        dt => dt.size_bytes(),
    };
    let mut v = bytes.to_vec();
    for c in v.chunks_exact_mut(component) {
        c.reverse();
    }
    std::borrow::Cow::Owned(v)
}

/// Rows per pass: whole block rows, about `target` bytes of decoded pixels.
pub(crate) fn rows_per_pass(block_height: u64, row_bytes: u64, target: u64) -> u64 {
    let block_bytes = block_height.saturating_mul(row_bytes).max(1);
    (target / block_bytes).max(1) * block_height
}

impl Dataset {
    /// Statistics and/or checksums of every band of an image, streaming over
    /// strips of whole block rows (memory: one strip of blocks).
    pub fn summarize(
        &self,
        image: ImageSel,
        want_stats: bool,
        want_checksum: bool,
    ) -> Result<Vec<BandSummary>> {
        let img = self.select(image)?;
        let bands = usize::from(img.samples);
        let nodata = if image == ImageSel::Mask {
            None
        } else {
            self.metadata().nodata()
        };
        let mut hashers: Vec<Sha256> = (0..bands).map(|_| Sha256::new()).collect();
        let mut accs: Vec<Accumulator> = vec![Accumulator::default(); bands];
        let row_bytes = img.width * bands as u64 * img.data_type.size_bytes() as u64;
        let step = rows_per_pass(img.layout.block_height, row_bytes, 64 << 20);
        let mut row = 0;
        while row < img.height {
            let rows = step.min(img.height - row);
            let req = ReadRequest {
                image,
                window: Window::new(0, row as i64, img.width, rows),
                bands: Vec::new(),
                fill: None,
                parallel: true,
            };
            let buf = self.read(&req)?;
            for b in 0..bands {
                if want_checksum {
                    hashers[b].update(little_endian_bytes(&buf, b));
                }
                if want_stats {
                    let part = band_window_stats(&buf, b, nodata);
                    accs[b].merge(&part);
                }
            }
            row += rows;
        }
        let complex = img.data_type.is_complex();
        Ok(hashers
            .into_iter()
            .zip(accs)
            .map(|(h, acc)| BandSummary {
                stats: want_stats.then(|| acc.finish(complex)),
                sha256: want_checksum.then(|| hex(&h.finalize())),
            })
            .collect())
    }
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_stats_skip_nodata_and_nan() {
        let v = [1.0f32, f32::NAN, -9999.0, 3.0];
        let a = window_stats(&v, f64::from, Some(-9999.0));
        assert_eq!((a.n, a.nan, a.min, a.max, a.mean), (2, 1, 1.0, 3.0, 2.0));
        assert!((a.m2 - 2.0).abs() < 1e-12);
    }

    #[test]
    fn merged_windows_equal_one_pass() {
        let data: Vec<u16> = (0..1000u32).map(|i| (i * 7919 % 1013) as u16).collect();
        let whole = window_stats(&data, f64::from, None);
        let mut merged = Accumulator::default();
        for part in data.chunks(97) {
            merged.merge(&window_stats(part, f64::from, None));
        }
        let (a, b) = (whole.finish(false), merged.finish(false));
        assert_eq!(a.valid_count, b.valid_count);
        assert_eq!(a.min, b.min);
        assert!((a.mean.unwrap() - b.mean.unwrap()).abs() < 1e-12);
        assert!((a.std.unwrap() - b.std.unwrap()).abs() < 1e-9);
    }

    #[test]
    fn empty_band_has_null_stats() {
        let a = window_stats(&[0u8, 0, 0], f64::from, Some(0.0)).finish(false);
        assert_eq!((a.valid_count, a.min, a.std), (0, None, None));
    }

    #[test]
    fn rows_per_pass_is_whole_block_rows() {
        assert_eq!(rows_per_pass(512, 8192 * 3, 64 << 20), 512 * 5);
        assert_eq!(rows_per_pass(512, u64::MAX / 2, 64 << 20), 512);
    }
}
