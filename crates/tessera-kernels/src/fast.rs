//! The fast bodies: one generic zipped loop, monomorphised per input type, operation and
//! nodata kind. Every choice is made once per call, outside the loop; the loop body is
//! straight-line arithmetic plus selects, which LLVM vectorises.

use crate::{Kernel, KernelError, Op, Plan};

/// How nodata pixels are recognised, resolved once per call in the input type.
#[derive(Clone, Copy)]
pub(crate) enum Nodata<T> {
    /// No pixel is nodata.
    Never,
    /// Pixels equal to this value.
    Value(T),
    /// NaN pixels (float inputs with a NaN nodata value).
    Nan,
}

/// A sample type the kernels accept.
pub(crate) trait Sample: Copy + PartialEq {
    /// `(MIN, MAX)` for integer types (`DtypeRange`), `None` for floats.
    const RANGE: Option<(f64, f64)>;
    /// `to_f32` is exact (injective), so equality may be tested on the f32 values.
    const EXACT_F32: bool;
    /// numpy's `astype(np.float32)`.
    fn to_f32(self) -> f32;
    /// NaN test (always false for integers).
    fn is_nan(self) -> bool;
    /// The nodata value in this type.
    fn nodata(nd: f64) -> Nodata<Self>;
}

macro_rules! int_sample {
    ($($t:ty),*) => {$(
        impl Sample for $t {
            const RANGE: Option<(f64, f64)> = Some((<$t>::MIN as f64, <$t>::MAX as f64));
            const EXACT_F32: bool = <$t>::BITS <= f32::MANTISSA_DIGITS;
            #[inline(always)]
            fn to_f32(self) -> f32 {
                // Round to nearest even above 2^24, as numpy's astype.
                self as f32
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                false
            }
            fn nodata(nd: f64) -> Nodata<Self> {
                // `as` saturates (NaN → 0): keep only values the type represents exactly.
                let v = nd as $t;
                if v as f64 == nd {
                    Nodata::Value(v)
                } else {
                    Nodata::Never
                }
            }
        }
    )*};
}
int_sample!(u8, i8, u16, i16, u32, i32);

macro_rules! float_sample {
    ($($t:ty),*) => {$(
        impl Sample for $t {
            const RANGE: Option<(f64, f64)> = None;
            const EXACT_F32: bool = <$t>::MANTISSA_DIGITS <= f32::MANTISSA_DIGITS;
            #[inline(always)]
            fn to_f32(self) -> f32 {
                self as f32
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            fn nodata(nd: f64) -> Nodata<Self> {
                if nd.is_nan() {
                    Nodata::Nan
                } else {
                    // Compared in the input type: f32 input rounds the nodata value to f32.
                    Nodata::Value(nd as $t)
                }
            }
        }
    )*};
}
float_sample!(f32, f64);

/// Validates, resolves the plan and nodata for `T`, and runs the matching loop.
pub(crate) fn apply<T: Sample>(k: &Kernel, inp: &[T], out: &mut [f32]) -> Result<(), KernelError> {
    let Plan { op, clip } = k.plan(T::RANGE)?;
    let nodata = k.in_nodata.map_or(Nodata::Never, T::nodata);
    let (lo, hi) = clip;
    match op {
        Op::Identity => run(inp, out, nodata, k.out_nodata, move |x| clamp(x, lo, hi)),
        Op::SubDiv { sub, div } => run(inp, out, nodata, k.out_nodata, move |x| {
            clamp((x - sub) / div, lo, hi)
        }),
        Op::MulAdd { mul, add } => run(inp, out, nodata, k.out_nodata, move |x| {
            clamp(x * mul + add, lo, hi)
        }),
    }
    Ok(())
}

/// `np.clip` for validated bounds (`lo <= hi`, no NaN): NaN and `-0.0` pass through.
/// Written as two selects (no assertion in the loop, unlike `f32::clamp`).
#[inline(always)]
fn clamp(v: f32, lo: f32, hi: f32) -> f32 {
    let v = if v < lo { lo } else { v };
    if v > hi {
        hi
    } else {
        v
    }
}

/// The loop: `out[i] = f(inp[i] as f32)`, or `out_nodata` where `inp[i]` is nodata (a
/// select, not a branch).
#[inline(always)]
fn run<T: Sample>(
    inp: &[T],
    out: &mut [f32],
    nodata: Nodata<T>,
    out_nodata: f32,
    f: impl Fn(f32) -> f32,
) {
    match nodata {
        Nodata::Never => {
            for (o, &x) in out.iter_mut().zip(inp) {
                *o = f(x.to_f32());
            }
        }
        // Same test, on the converted value: a float compare of the lanes already converted
        // avoids a narrow-integer compare and widening shuffle (on SSE2 that version had a
        // false dependency between iterations and ran 4x slower).
        Nodata::Value(nd) if T::EXACT_F32 => {
            let nd = nd.to_f32();
            for (o, &x) in out.iter_mut().zip(inp) {
                let x = x.to_f32();
                let v = f(x);
                *o = if x == nd { out_nodata } else { v };
            }
        }
        Nodata::Value(nd) => {
            for (o, &x) in out.iter_mut().zip(inp) {
                let v = f(x.to_f32());
                *o = if x == nd { out_nodata } else { v };
            }
        }
        Nodata::Nan => {
            for (o, &x) in out.iter_mut().zip(inp) {
                let v = f(x.to_f32());
                *o = if x.is_nan() { out_nodata } else { v };
            }
        }
    }
}
