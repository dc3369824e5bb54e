//! Float32 pixel kernels over slices, with a nodata mask: the "parallel map" stage of tessera.
//!
//! A [`Kernel`] turns one window of pixels of any sample type ([`InputSlice`]) into float32:
//! convert (`astype(float32)`), [`Normalize`], optionally clip, and replace nodata pixels.
//! No I/O and no threads: callers parallelise per window. [`Merge`] holds the nodata-aware
//! per-pixel merge kernels of the mosaic stage (first, last, min, max, sum, count, mean).
//!
//! # Numerics: exactly numpy's float32 computation
//!
//! Every kernel is defined as the numpy (≥ 2, NEP 50) expression written next to its
//! [`Normalize`] variant, evaluated on `x.astype(np.float32)` with Python-float parameters.
//! Under NEP 50 a Python float next to a float32 array is a *weak* scalar: it is rounded to
//! float32 once, and every arithmetic operation is then one correctly rounded float32 operation.
//! This crate does exactly the same operations in the same order, so results are bit-identical
//! to numpy (the oracle test checks this against numpy itself):
//!
//! * integers convert to f32 with round-to-nearest-even (as numpy's `astype`), `f64` inputs
//!   round to nearest (overflow → ±inf);
//! * divisions are true float32 divisions, never multiplications by a reciprocal
//!   (`x / 255.0` and `x * (1.0 / 255.0)` differ for some `x`);
//! * `scale * x + offset` is a multiplication then an addition, never fused (Rust does not
//!   contract floating-point expressions into FMA);
//! * clip is `np.clip(v, lo, hi)`: NaN stays NaN, `-0.0` stays `-0.0`.
//!
//! The seed pipeline's `np.clip(data.astype(np.float32) / 255.0, 0, 1)` on a u8 scene is
//! `Kernel { normalize: Normalize::DtypeRange, clip: Some((0.0, 1.0)), ..Kernel::default() }`.
//!
//! # Nodata
//!
//! A pixel equal to [`Kernel::in_nodata`], compared in the input's own type (for `f32` input
//! the nodata value is first rounded to f32), is written as [`Kernel::out_nodata`] (NaN by
//! default), unclipped. An integer input never matches a nodata value that its type cannot
//! represent (e.g. `-1` or `0.5` for `u8`). NaN input pixels stay NaN as in numpy, unless
//! `in_nodata` is NaN: then NaN pixels are the nodata pixels (GDAL's convention) and become
//! `out_nodata`.
//!
//! # Misconfiguration
//!
//! numpy would silently produce ±inf/NaN for every pixel when a divisor is zero (`hi == lo`,
//! `std == 0`), a parameter is not finite, or clip bounds are NaN or reversed (`lo > hi`
//! clips everything to `hi`). Here these are [`KernelError`]s, reported before any pixel is
//! written (see [`Kernel::validate`]). In particular a min/max normalization of a constant
//! band (`lo == hi`) is an error the caller must decide about (numpy gives NaN everywhere).
//!
//! # Example
//!
//! ```
//! use tessera_kernels::{InputSlice, Kernel, Normalize};
//!
//! // The seed pipeline: np.clip(data.astype(np.float32) / 255.0, 0, 1)
//! let kernel = Kernel { normalize: Normalize::DtypeRange, clip: Some((0.0, 1.0)), ..Kernel::default() };
//! let data: [u8; 4] = [0, 51, 128, 255];
//! let mut out = [0f32; 4];
//! kernel.apply(InputSlice::U8(&data), &mut out)?;
//! assert_eq!(out, [0.0, 0.2, 128.0 / 255.0, 1.0]);
//!
//! // u16 with nodata 0, scaled to [0, 1] over 100..=4100
//! let kernel = Kernel {
//!     normalize: Normalize::Range { lo: 100.0, hi: 4100.0 },
//!     in_nodata: Some(0.0),
//!     ..Kernel::default()
//! };
//! let mut out = [0f32; 3];
//! kernel.apply(InputSlice::U16(&[0, 100, 2100]), &mut out)?;
//! assert!(out[0].is_nan());
//! assert_eq!(&out[1..], &[0.0, 0.5]);
//! # Ok::<(), tessera_kernels::KernelError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod fast;
mod merge;

pub use merge::Merge;

/// One window of input samples, borrowed, in any supported sample type.
#[derive(Debug, Clone, Copy)]
pub enum InputSlice<'a> {
    /// Unsigned 8-bit samples.
    U8(&'a [u8]),
    /// Signed 8-bit samples.
    I8(&'a [i8]),
    /// Unsigned 16-bit samples.
    U16(&'a [u16]),
    /// Signed 16-bit samples.
    I16(&'a [i16]),
    /// Unsigned 32-bit samples.
    U32(&'a [u32]),
    /// Signed 32-bit samples.
    I32(&'a [i32]),
    /// 32-bit float samples.
    F32(&'a [f32]),
    /// 64-bit float samples.
    F64(&'a [f64]),
}

impl InputSlice<'_> {
    /// Number of samples.
    pub fn len(&self) -> usize {
        match self {
            InputSlice::U8(s) => s.len(),
            InputSlice::I8(s) => s.len(),
            InputSlice::U16(s) => s.len(),
            InputSlice::I16(s) => s.len(),
            InputSlice::U32(s) => s.len(),
            InputSlice::I32(s) => s.len(),
            InputSlice::F32(s) => s.len(),
            InputSlice::F64(s) => s.len(),
        }
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// How a sample becomes a float32 value, written as the numpy expression it reproduces
/// (`x` is `data.astype(np.float32)`, parameters are Python floats, i.e. weak scalars
/// rounded once to float32; see the crate docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Normalize {
    /// The input type's full range onto `[0, 1]`.
    ///
    /// * unsigned: `x / MAX` (`u8`: `x / 255`, `u16`: `x / 65535`, `u32`: `x / 4294967295`,
    ///   whose divisor rounds to 2^32 in float32, as in numpy);
    /// * signed: `(x - MIN) / (MAX - MIN)` (`i8`: `(x + 128) / 255`, ...);
    /// * floats: identity (`x`; `f64` is only rounded to float32).
    DtypeRange,
    /// `(x - lo) / (hi - lo)`: `hi - lo` is computed in f64 (by Python) then rounded to f32,
    /// `lo` is rounded to f32; the subtraction and the division are float32. `lo > hi` is
    /// allowed (reversed scale). Min/max normalization is this with the band's exact min and
    /// max, computed by the caller.
    Range {
        /// Value mapped to 0.
        lo: f64,
        /// Value mapped to 1.
        hi: f64,
    },
    /// `scale * x + offset`: a float32 multiplication then a float32 addition (not fused).
    Affine {
        /// Multiplier.
        scale: f64,
        /// Added after the multiplication.
        offset: f64,
    },
    /// `(x - mean) / std`: float32 subtraction then float32 division.
    ZScore {
        /// Subtracted first.
        mean: f64,
        /// Divisor; must be positive and not round to zero in float32.
        std: f64,
    },
}

/// A configured pixel kernel: normalize, clip, nodata. See the crate docs for the numerics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kernel {
    /// The normalization applied to valid pixels.
    pub normalize: Normalize,
    /// `np.clip(v, lo, hi)` after normalization (NaN stays NaN); needs `lo <= hi`, not NaN.
    /// Infinite bounds are allowed.
    pub clip: Option<(f32, f32)>,
    /// Input pixels equal to this (compared in the input type) are nodata. NaN means NaN
    /// pixels are nodata (float inputs).
    pub in_nodata: Option<f64>,
    /// Written for nodata pixels, as is (not clipped). NaN by default.
    pub out_nodata: f32,
}

impl Default for Kernel {
    /// `DtypeRange`, no clip, no input nodata, NaN output nodata.
    fn default() -> Self {
        Kernel {
            normalize: Normalize::DtypeRange,
            clip: None,
            in_nodata: None,
            out_nodata: f32::NAN,
        }
    }
}

/// A misconfigured kernel or mismatched buffers. Nothing is written when one is returned.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum KernelError {
    /// Input and output lengths differ.
    #[error("input has {input} samples but the output has {output}")]
    LengthMismatch {
        /// Input length.
        input: usize,
        /// Output length.
        output: usize,
    },
    /// Clip bounds are NaN or `lo > hi`.
    #[error("invalid clip bounds [{lo}, {hi}]: need lo <= hi and no NaN")]
    InvalidClip {
        /// Lower bound.
        lo: f32,
        /// Upper bound.
        hi: f32,
    },
    /// A parameter (or `hi - lo`) is NaN or infinite once rounded to float32.
    #[error("parameter {name} = {value} is not finite in float32")]
    NonFiniteParameter {
        /// Which parameter (`lo`, `hi`, `hi - lo`, `scale`, `offset`, `mean`, `std`).
        name: &'static str,
        /// Its f64 value.
        value: f64,
    },
    /// A divisor (`hi - lo` or `std`) is zero in float32: numpy would give ±inf/NaN.
    #[error("divisor {name} = {value} is zero in float32 (numpy would give inf/NaN)")]
    ZeroDivisor {
        /// `hi - lo` or `std`.
        name: &'static str,
        /// Its f64 value.
        value: f64,
    },
    /// `ZScore` with a negative standard deviation.
    #[error("standard deviation {std} is negative")]
    NegativeStd {
        /// The value given.
        std: f64,
    },
}

/// Rounds a weak Python-float parameter to float32 as numpy does, requiring a finite result.
fn param(name: &'static str, value: f64) -> Result<f32, KernelError> {
    let v = value as f32;
    if value.is_finite() && v.is_finite() {
        Ok(v)
    } else {
        Err(KernelError::NonFiniteParameter { name, value })
    }
}

/// A nonzero finite float32 divisor computed (in f64) as `value`.
fn divisor(name: &'static str, value: f64) -> Result<f32, KernelError> {
    let d = param(name, value)?;
    if d == 0.0 {
        return Err(KernelError::ZeroDivisor { name, value });
    }
    Ok(d)
}

/// The validated float32 form of a kernel: `op` then clamp to `clip` (±inf when none).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    pub(crate) op: Op,
    pub(crate) clip: (f32, f32),
}

/// The float32 operation a normalization reduces to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Op {
    /// `x`
    Identity,
    /// `(x - sub) / div`
    SubDiv { sub: f32, div: f32 },
    /// `x * mul + add`
    MulAdd { mul: f32, add: f32 },
}

impl Kernel {
    /// Checks the configuration: finite parameters, nonzero divisors, valid clip bounds.
    /// [`Kernel::apply`] and [`Kernel::apply_reference`] call it first.
    pub fn validate(&self) -> Result<(), KernelError> {
        self.params().map(|_| ())
    }

    /// Validated float32 parameters; `DtypeRange` is resolved per input type by the callers.
    fn params(&self) -> Result<Option<Op>, KernelError> {
        if let Some((lo, hi)) = self.clip {
            if lo.is_nan() || hi.is_nan() || lo > hi {
                return Err(KernelError::InvalidClip { lo, hi });
            }
        }
        Ok(match self.normalize {
            Normalize::DtypeRange => None,
            Normalize::Range { lo, hi } => {
                let sub = param("lo", lo)?;
                param("hi", hi)?;
                Some(Op::SubDiv {
                    sub,
                    div: divisor("hi - lo", hi - lo)?,
                })
            }
            Normalize::Affine { scale, offset } => Some(Op::MulAdd {
                mul: param("scale", scale)?,
                add: param("offset", offset)?,
            }),
            Normalize::ZScore { mean, std } => {
                let sub = param("mean", mean)?;
                if std < 0.0 {
                    return Err(KernelError::NegativeStd { std });
                }
                Some(Op::SubDiv {
                    sub,
                    div: divisor("std", std)?,
                })
            }
        })
    }

    fn plan(&self, dtype_range: Option<(f64, f64)>) -> Result<Plan, KernelError> {
        let op = match self.params()? {
            Some(op) => op,
            // Unsigned: `(x - 0) / MAX` is bit-identical to numpy's `x / MAX` (x - 0.0 == x).
            None => match dtype_range {
                None => Op::Identity,
                Some((min, max)) => Op::SubDiv {
                    sub: min as f32,
                    div: (max - min) as f32,
                },
            },
        };
        Ok(Plan {
            op,
            clip: self.clip.unwrap_or((f32::NEG_INFINITY, f32::INFINITY)),
        })
    }

    /// Fast body: one branch-free loop per input type and operation, which LLVM vectorises.
    /// Writes `out[i]` for every input sample `i`; bit-identical to
    /// [`Kernel::apply_reference`].
    pub fn apply(&self, input: InputSlice<'_>, out: &mut [f32]) -> Result<(), KernelError> {
        if input.len() != out.len() {
            return Err(KernelError::LengthMismatch {
                input: input.len(),
                output: out.len(),
            });
        }
        match input {
            InputSlice::U8(s) => fast::apply(self, s, out),
            InputSlice::I8(s) => fast::apply(self, s, out),
            InputSlice::U16(s) => fast::apply(self, s, out),
            InputSlice::I16(s) => fast::apply(self, s, out),
            InputSlice::U32(s) => fast::apply(self, s, out),
            InputSlice::I32(s) => fast::apply(self, s, out),
            InputSlice::F32(s) => fast::apply(self, s, out),
            InputSlice::F64(s) => fast::apply(self, s, out),
        }
    }

    /// Scalar reference: the plain per-element definition, written independently of the
    /// fast body (used to test it). Same results, same errors.
    pub fn apply_reference(
        &self,
        input: InputSlice<'_>,
        out: &mut [f32],
    ) -> Result<(), KernelError> {
        self.validate()?;
        if input.len() != out.len() {
            return Err(KernelError::LengthMismatch {
                input: input.len(),
                output: out.len(),
            });
        }
        for (i, o) in out.iter_mut().enumerate() {
            let sample = match input {
                InputSlice::U8(s) => Sample::Int(i64::from(s[i]), 0, u8::MAX.into()),
                InputSlice::I8(s) => Sample::Int(s[i].into(), i8::MIN.into(), i8::MAX.into()),
                InputSlice::U16(s) => Sample::Int(s[i].into(), 0, u16::MAX.into()),
                InputSlice::I16(s) => Sample::Int(s[i].into(), i16::MIN.into(), i16::MAX.into()),
                InputSlice::U32(s) => Sample::Int(s[i].into(), 0, u32::MAX.into()),
                InputSlice::I32(s) => Sample::Int(s[i].into(), i32::MIN.into(), i32::MAX.into()),
                InputSlice::F32(s) => Sample::F32(s[i]),
                InputSlice::F64(s) => Sample::F64(s[i]),
            };
            *o = self.reference_pixel(sample);
        }
        Ok(())
    }

    /// One pixel, step by step as numpy does it.
    fn reference_pixel(&self, sample: Sample) -> f32 {
        // Nodata, compared in the input type.
        if let Some(nd) = self.in_nodata {
            let is_nodata = match sample {
                // Every i64 here is exact in f64, so this is "equal in the input type".
                Sample::Int(x, _, _) => x as f64 == nd,
                Sample::F32(x) => {
                    if nd.is_nan() {
                        x.is_nan()
                    } else {
                        x == nd as f32
                    }
                }
                Sample::F64(x) => {
                    if nd.is_nan() {
                        x.is_nan()
                    } else {
                        x == nd
                    }
                }
            };
            if is_nodata {
                return self.out_nodata;
            }
        }
        // data.astype(np.float32)
        let x: f32 = match sample {
            Sample::Int(x, _, _) => x as f32,
            Sample::F32(x) => x,
            Sample::F64(x) => x as f32,
        };
        let v = match self.normalize {
            Normalize::DtypeRange => match sample {
                Sample::Int(_, 0, max) => x / max as f32,
                Sample::Int(_, min, max) => (x - min as f32) / ((max - min) as f64) as f32,
                Sample::F32(_) | Sample::F64(_) => x,
            },
            Normalize::Range { lo, hi } => (x - lo as f32) / (hi - lo) as f32,
            Normalize::Affine { scale, offset } => scale as f32 * x + offset as f32,
            Normalize::ZScore { mean, std } => (x - mean as f32) / std as f32,
        };
        match self.clip {
            None => v,
            Some((lo, hi)) => {
                if v.is_nan() {
                    v
                } else if v < lo {
                    lo
                } else if v > hi {
                    hi
                } else {
                    v
                }
            }
        }
    }
}

/// One input sample for the reference path: integers carry their type's (MIN, MAX).
#[derive(Clone, Copy)]
enum Sample {
    Int(i64, i64, i64),
    F32(f32),
    F64(f64),
}
