//! Normalisation: the per-band float32 kernels of `tessera-kernels` as the
//! pipeline's [`BandKernel`], with the exact band statistics `--minmax` and
//! `--zscore` need computed in a first parallel pass.

use tessera_codec::DataType;
use tessera_kernels::{InputSlice, Kernel, Normalize};

use super::BandKernel;
use crate::buffer::RasterBuffer;
use crate::{Dataset, Error, ImageSel, Result};

/// How values map to float32.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NormalizeMode {
    /// The input type's range onto [0, 1] (u8: x/255, the seed's job).
    DtypeRange,
    /// (x - lo) / (hi - lo).
    Range(f64, f64),
    /// scale * x + offset.
    Affine(f64, f64),
    /// Per band (x - min) / (max - min) from exact statistics of all inputs.
    MinMax,
    /// Per band (x - mean) / std from exact statistics of all inputs.
    ZScore,
}

/// One float32 kernel per band.
pub struct NormalizeKernel {
    kernels: Vec<Kernel>,
}

impl NormalizeKernel {
    /// Build the kernels for `inputs` (statistics are read here for MinMax/ZScore:
    /// a full pass over every input, in parallel within each).
    pub fn new(
        inputs: &[Dataset],
        mode: NormalizeMode,
        clip: Option<(f32, f32)>,
        out_nodata: Option<f64>,
    ) -> Result<NormalizeKernel> {
        let first = inputs.first().ok_or_else(|| Error::Usage {
            path: Default::default(),
            what: "no input".into(),
        })?;
        let usage = |what: String| Error::Usage {
            path: first.path().to_path_buf(),
            what,
        };
        if let Some(ds) = inputs
            .iter()
            .find(|d| input_slice_ok(d.data_type()).is_none())
        {
            return Err(Error::Usage {
                path: ds.path().to_path_buf(),
                what: format!("cannot normalize {} samples", ds.data_type().name()),
            });
        }
        let bands = first.band_count();
        let per_band: Vec<Normalize> = match mode {
            NormalizeMode::DtypeRange => vec![Normalize::DtypeRange; bands],
            NormalizeMode::Range(lo, hi) => vec![Normalize::Range { lo, hi }; bands],
            NormalizeMode::Affine(scale, offset) => {
                vec![Normalize::Affine { scale, offset }; bands]
            }
            NormalizeMode::MinMax | NormalizeMode::ZScore => {
                let stats = merged_stats(inputs)?;
                stats
                    .iter()
                    .enumerate()
                    .map(|(b, s)| {
                        let missing = || usage(format!("band {} has no valid pixel", b + 1));
                        Ok(if mode == NormalizeMode::MinMax {
                            Normalize::Range {
                                lo: s.min.ok_or_else(missing)?,
                                hi: s.max.ok_or_else(missing)?,
                            }
                        } else {
                            Normalize::ZScore {
                                mean: s.mean.ok_or_else(missing)?,
                                std: s.std.ok_or_else(missing)?,
                            }
                        })
                    })
                    .collect::<Result<_>>()?
            }
        };
        let kernels: Vec<Kernel> = per_band
            .into_iter()
            .map(|normalize| Kernel {
                normalize,
                clip,
                in_nodata: first.metadata().nodata(),
                out_nodata: out_nodata.unwrap_or(f64::NAN) as f32,
            })
            .collect();
        for k in &kernels {
            k.validate().map_err(|e| usage(e.to_string()))?;
        }
        Ok(NormalizeKernel { kernels })
    }

    /// The kernel of each band.
    pub fn kernels(&self) -> &[Kernel] {
        &self.kernels
    }
}

impl BandKernel for NormalizeKernel {
    fn apply(
        &self,
        band: usize,
        input: &RasterBuffer,
        input_band: usize,
        start: usize,
        out: &mut [f32],
    ) {
        let span = start..start + out.len();
        let slice = match input.data_type() {
            DataType::U8 => InputSlice::U8(&input.band(input_band)[span]),
            DataType::I8 => InputSlice::I8(&input.band(input_band)[span]),
            DataType::U16 => InputSlice::U16(&input.band(input_band)[span]),
            DataType::I16 => InputSlice::I16(&input.band(input_band)[span]),
            DataType::U32 => InputSlice::U32(&input.band(input_band)[span]),
            DataType::I32 => InputSlice::I32(&input.band(input_band)[span]),
            DataType::F32 => InputSlice::F32(&input.band(input_band)[span]),
            DataType::F64 => InputSlice::F64(&input.band(input_band)[span]),
            // Refused in `new`.
            _ => return out.fill(f32::NAN),
        };
        // Lengths match by construction and kernels were validated in `new`.
        if self.kernels[band].apply(slice, out).is_err() {
            out.fill(f32::NAN);
        }
    }

    fn byte_table(&self, band: usize, dt: DataType) -> Option<[f32; 256]> {
        let bytes: [u8; 256] = std::array::from_fn(|i| i as u8);
        let slice = match dt {
            DataType::U8 => InputSlice::U8(&bytes),
            DataType::I8 => InputSlice::I8(bytemuck::cast_slice(&bytes)),
            _ => return None,
        };
        let mut table = [0f32; 256];
        self.kernels[band].apply(slice, &mut table[..]).ok()?;
        Some(table)
    }
}

fn input_slice_ok(dt: DataType) -> Option<()> {
    matches!(
        dt,
        DataType::U8
            | DataType::I8
            | DataType::U16
            | DataType::I16
            | DataType::U32
            | DataType::I32
            | DataType::F32
            | DataType::F64
    )
    .then_some(())
}

/// Exact per-band statistics over all inputs (valid pixels only), merged.
fn merged_stats(inputs: &[Dataset]) -> Result<Vec<crate::BandStats>> {
    let mut merged: Option<Vec<crate::BandStats>> = None;
    for ds in inputs {
        let stats: Vec<crate::BandStats> = ds
            .summarize(ImageSel::Base, true, false)?
            .into_iter()
            .filter_map(|s| s.stats)
            .collect();
        merged = Some(match merged {
            None => stats,
            Some(prev) => prev.iter().zip(&stats).map(|(a, b)| merge(a, b)).collect(),
        });
    }
    Ok(merged.unwrap_or_default())
}

/// Two bands' statistics as one (counts, extremes, mean and population std).
fn merge(a: &crate::BandStats, b: &crate::BandStats) -> crate::BandStats {
    let (na, nb) = (a.valid_count as f64, b.valid_count as f64);
    let n = na + nb;
    let pick = |x: Option<f64>, y: Option<f64>, f: fn(f64, f64) -> f64| match (x, y) {
        (Some(x), Some(y)) => Some(f(x, y)),
        (x, None) => x,
        (None, y) => y,
    };
    let (mean, std) = match (a.mean, b.mean, a.std, b.std) {
        (Some(ma), Some(mb), Some(sa), Some(sb)) => {
            let delta = mb - ma;
            let mean = ma + delta * nb / n;
            let m2 = sa * sa * na + sb * sb * nb + delta * delta * na * nb / n;
            (Some(mean), Some((m2 / n).sqrt()))
        }
        _ if a.valid_count > 0 => (a.mean, a.std),
        _ => (b.mean, b.std),
    };
    crate::BandStats {
        valid_count: a.valid_count + b.valid_count,
        nan_count: a.nan_count + b.nan_count,
        min: pick(a.min, b.min, f64::min),
        max: pick(a.max, b.max, f64::max),
        mean,
        std,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(values: &[f64]) -> crate::BandStats {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
        crate::BandStats {
            valid_count: values.len() as u64,
            nan_count: 0,
            min: values.iter().copied().reduce(f64::min),
            max: values.iter().copied().reduce(f64::max),
            mean: Some(mean),
            std: Some(var.sqrt()),
        }
    }

    /// The 8-bit lookup table is `apply` on each of the 256 samples, for u8 and i8 input, with
    /// nodata, clipping and each kind of mapping.
    #[test]
    fn byte_tables_equal_apply() {
        let modes = [
            Normalize::DtypeRange,
            Normalize::Range {
                lo: -3.0,
                hi: 200.0,
            },
            Normalize::Affine {
                scale: 0.37,
                offset: -1.5,
            },
            Normalize::ZScore {
                mean: 12.5,
                std: 40.0,
            },
        ];
        for normalize in modes {
            for clip in [None, Some((0.0, 1.0)), Some((-0.25, 0.5))] {
                let kernels = NormalizeKernel {
                    kernels: vec![Kernel {
                        normalize,
                        clip,
                        in_nodata: Some(5.0),
                        out_nodata: f32::NAN,
                    }],
                };
                for dt in [DataType::U8, DataType::I8] {
                    let mut input = RasterBuffer::zeroed(dt, 1, 256, 1);
                    for (i, b) in input.bytes_mut().iter_mut().enumerate() {
                        *b = i as u8;
                    }
                    let mut want = [0f32; 256];
                    kernels.apply(0, &input, 0, 0, &mut want);
                    let table = kernels.byte_table(0, dt).expect("8-bit input has a table");
                    let (got, want) = (table.map(f32::to_bits), want.map(f32::to_bits));
                    assert_eq!(got, want, "{normalize:?} {clip:?} {dt:?}");
                }
                assert!(kernels.byte_table(0, DataType::U16).is_none());
            }
        }
    }

    #[test]
    fn merged_statistics_equal_the_whole() {
        let (a, b) = ([1.0, 2.0, 9.0], [4.0, 4.0, 5.0, 7.0]);
        let whole = stats(&[1.0, 2.0, 9.0, 4.0, 4.0, 5.0, 7.0]);
        let m = merge(&stats(&a), &stats(&b));
        assert_eq!((m.valid_count, m.min, m.max), (7, Some(1.0), Some(9.0)));
        assert!((m.mean.unwrap() - whole.mean.unwrap()).abs() < 1e-12);
        assert!((m.std.unwrap() - whole.std.unwrap()).abs() < 1e-12);
    }
}
