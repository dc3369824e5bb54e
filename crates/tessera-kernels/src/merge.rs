//! Nodata-aware per-pixel merge kernels for mosaics: fold inputs one at a time into an
//! accumulator and a count buffer, then [`Merge::finish`].
//!
//! Per pixel, an input sample is *valid* unless it is the input's nodata value (the same
//! rule as [`Kernel::in_nodata`](crate::Kernel::in_nodata): compared in the input type, NaN
//! nodata meaning NaN pixels) or NaN. Valid samples are converted to f32 (numpy's
//! `astype(np.float32)`) and folded in input order:
//!
//! | method  | accumulator after a valid `v`     | finish (count > 0)   |
//! |---------|-----------------------------------|----------------------|
//! | `First` | `v` if count was 0, else unchanged | accumulator          |
//! | `Last`  | `v`                               | accumulator          |
//! | `Min`   | `v` if count was 0, else min      | accumulator          |
//! | `Max`   | `v` if count was 0, else max      | accumulator          |
//! | `Sum`   | `acc + v` (float32, from 0)       | accumulator          |
//! | `Count` | unchanged                         | count as f32         |
//! | `Mean`  | `acc + v` (float32, from 0)       | `acc / count` (f32)  |
//!
//! Every valid sample adds 1 to the pixel's count. Pixels whose count is 0 finish as the
//! output nodata value. Sums are sequential float32 additions in input order (what a loop
//! of numpy `+=` over float32 arrays gives), so they can round differently from a
//! float64 or pairwise sum.
//!
//! ```
//! use tessera_kernels::{InputSlice, Merge};
//!
//! let n = 3;
//! let (mut acc, mut count) = (vec![0f32; n], vec![0u32; n]);
//! Merge::Mean.fold(InputSlice::U8(&[10, 0, 0]), Some(0.0), &mut acc, &mut count)?;
//! Merge::Mean.fold(InputSlice::U16(&[20, 5, 0]), Some(0.0), &mut acc, &mut count)?;
//! Merge::Mean.finish(&mut acc, &count, f32::NAN)?;
//! assert_eq!(&acc[..2], &[15.0, 5.0]);
//! assert!(acc[2].is_nan());
//! # Ok::<(), tessera_kernels::KernelError>(())
//! ```

use crate::fast::{Nodata, Sample};
use crate::{InputSlice, KernelError};

/// How overlapping valid pixels combine (see the module table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merge {
    /// The first valid value.
    First,
    /// The last valid value.
    Last,
    /// The smallest valid value.
    Min,
    /// The largest valid value.
    Max,
    /// The float32 sum of the valid values.
    Sum,
    /// The number of valid values.
    Count,
    /// The float32 sum divided by the count.
    Mean,
}

impl Merge {
    /// Folds one input into `acc` and `count` (all three the same length; start from zeros).
    pub fn fold(
        self,
        input: InputSlice<'_>,
        in_nodata: Option<f64>,
        acc: &mut [f32],
        count: &mut [u32],
    ) -> Result<(), KernelError> {
        if input.len() != acc.len() || acc.len() != count.len() {
            return Err(KernelError::LengthMismatch {
                input: input.len(),
                output: if input.len() != acc.len() {
                    acc.len()
                } else {
                    count.len()
                },
            });
        }
        match input {
            InputSlice::U8(s) => self.fold_typed(s, in_nodata, acc, count),
            InputSlice::I8(s) => self.fold_typed(s, in_nodata, acc, count),
            InputSlice::U16(s) => self.fold_typed(s, in_nodata, acc, count),
            InputSlice::I16(s) => self.fold_typed(s, in_nodata, acc, count),
            InputSlice::U32(s) => self.fold_typed(s, in_nodata, acc, count),
            InputSlice::I32(s) => self.fold_typed(s, in_nodata, acc, count),
            InputSlice::F32(s) => self.fold_typed(s, in_nodata, acc, count),
            InputSlice::F64(s) => self.fold_typed(s, in_nodata, acc, count),
        }
        Ok(())
    }

    fn fold_typed<T: Sample>(
        self,
        inp: &[T],
        in_nodata: Option<f64>,
        acc: &mut [f32],
        count: &mut [u32],
    ) {
        let nodata = in_nodata.map_or(Nodata::Never, T::nodata);
        match self {
            Merge::First => fold(
                inp,
                nodata,
                acc,
                count,
                |a, v, c| if c == 0 { v } else { a },
            ),
            Merge::Last => fold(inp, nodata, acc, count, |_, v, _| v),
            Merge::Min => fold(
                inp,
                nodata,
                acc,
                count,
                |a, v, c| {
                    if c == 0 || v < a {
                        v
                    } else {
                        a
                    }
                },
            ),
            Merge::Max => fold(
                inp,
                nodata,
                acc,
                count,
                |a, v, c| {
                    if c == 0 || v > a {
                        v
                    } else {
                        a
                    }
                },
            ),
            Merge::Sum | Merge::Mean => fold(inp, nodata, acc, count, |a, v, _| a + v),
            Merge::Count => fold(inp, nodata, acc, count, |a, _, _| a),
        }
    }

    /// Turns the accumulator into the merged values in place: `Count` writes the count,
    /// `Mean` divides by it, and pixels without any valid sample become `out_nodata`.
    pub fn finish(
        self,
        acc: &mut [f32],
        count: &[u32],
        out_nodata: f32,
    ) -> Result<(), KernelError> {
        if acc.len() != count.len() {
            return Err(KernelError::LengthMismatch {
                input: count.len(),
                output: acc.len(),
            });
        }
        let pixels = acc.iter_mut().zip(count);
        match self {
            Merge::Count => {
                pixels.for_each(|(a, &c)| *a = if c == 0 { out_nodata } else { c as f32 })
            }
            Merge::Mean => pixels.for_each(|(a, &c)| {
                let m = *a / c as f32;
                *a = if c == 0 { out_nodata } else { m };
            }),
            _ => pixels.for_each(|(a, &c)| *a = if c == 0 { out_nodata } else { *a }),
        }
        Ok(())
    }
}

/// The merge loop: `acc = step(acc, v, count)` and `count += 1` where the sample is valid,
/// both as selects.
#[inline(always)]
fn fold<T: Sample>(
    inp: &[T],
    nodata: Nodata<T>,
    acc: &mut [f32],
    count: &mut [u32],
    step: impl Fn(f32, f32, u32) -> f32,
) {
    let is_nodata = |x: T| match nodata {
        Nodata::Never => false,
        Nodata::Value(nd) => x == nd,
        Nodata::Nan => x.is_nan(),
    };
    for ((a, c), &x) in acc.iter_mut().zip(count.iter_mut()).zip(inp) {
        let v = x.to_f32();
        // NaN samples are never valid (an f64 NaN converts to an f32 NaN).
        let valid = !is_nodata(x) && !v.is_nan();
        let next = step(*a, v, *c);
        *a = if valid { next } else { *a };
        *c += u32::from(valid);
    }
}
