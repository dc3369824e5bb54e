//! Shared test inputs: edge values for every sample type and a grid of kernels.
#![allow(dead_code)]

use tessera_kernels::{InputSlice, Kernel, Normalize};

/// Deterministic pseudo-random bits (xorshift64*).
pub fn rng(seed: u64) -> impl FnMut() -> u64 {
    let mut s = seed.max(1);
    move || {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        s.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Owned samples of one type.
pub enum Owned {
    U8(Vec<u8>),
    I8(Vec<i8>),
    U16(Vec<u16>),
    I16(Vec<i16>),
    U32(Vec<u32>),
    I32(Vec<i32>),
    F32(Vec<f32>),
    F64(Vec<f64>),
}

macro_rules! each {
    ($self:expr, $v:ident => $e:expr) => {
        match $self {
            Owned::U8($v) => $e,
            Owned::I8($v) => $e,
            Owned::U16($v) => $e,
            Owned::I16($v) => $e,
            Owned::U32($v) => $e,
            Owned::I32($v) => $e,
            Owned::F32($v) => $e,
            Owned::F64($v) => $e,
        }
    };
}

impl Owned {
    pub fn slice(&self) -> InputSlice<'_> {
        match self {
            Owned::U8(v) => InputSlice::U8(v),
            Owned::I8(v) => InputSlice::I8(v),
            Owned::U16(v) => InputSlice::U16(v),
            Owned::I16(v) => InputSlice::I16(v),
            Owned::U32(v) => InputSlice::U32(v),
            Owned::I32(v) => InputSlice::I32(v),
            Owned::F32(v) => InputSlice::F32(v),
            Owned::F64(v) => InputSlice::F64(v),
        }
    }

    /// numpy's dtype name.
    pub fn dtype(&self) -> &'static str {
        match self {
            Owned::U8(_) => "uint8",
            Owned::I8(_) => "int8",
            Owned::U16(_) => "uint16",
            Owned::I16(_) => "int16",
            Owned::U32(_) => "uint32",
            Owned::I32(_) => "int32",
            Owned::F32(_) => "float32",
            Owned::F64(_) => "float64",
        }
    }

    pub fn is_float(&self) -> bool {
        matches!(self, Owned::F32(_) | Owned::F64(_))
    }

    pub fn len(&self) -> usize {
        each!(self, v => v.len())
    }

    /// Raw little-endian bytes.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        each!(self, v => v.iter().flat_map(|x| x.to_le_bytes()).collect())
    }

    /// Sample `i` as f64 (exact for every type here).
    #[allow(clippy::unnecessary_cast)]
    pub fn get_f64(&self, i: usize) -> f64 {
        each!(self, v => v[i] as f64)
    }
}

/// Edge values (0, 1, min, max, mid, powers of two and their neighbours, rounding ties above
/// 2^24), nodata candidates, then pseudo-random values of the whole range.
fn ints(min: i64, max: i64, seed: u64) -> Vec<i64> {
    let mut v = vec![
        0,
        1,
        2,
        min,
        min + 1,
        max,
        max - 1,
        max / 2,
        max / 2 + 1,
        min / 2,
        -9999,
        -1,
    ];
    for p in 0..63 {
        let x = 1i64 << p;
        v.extend([
            x - 1,
            x,
            x + 1,
            x + 2,
            x + 3,
            -x - 1,
            -x,
            -x + 1,
            -x - 2,
            -x - 3,
        ]);
    }
    // Every value of 8-bit types, and every value in -300..300.
    v.extend(-300..=300);
    let mut r = rng(seed);
    let span = (max - min) as u64 + 1;
    v.extend((0..2000).map(|_| min + (r() % span) as i64));
    v.retain(|&x| (min..=max).contains(&x));
    v
}

fn floats(seed: u64) -> Vec<f64> {
    let f32s = [
        0.0f32,
        -0.0,
        1.0,
        -1.0,
        0.5,
        255.0,
        65535.0,
        1e-45,
        -1e-45,
        1.1754942e-38,
        f32::MIN_POSITIVE,
        f32::MAX,
        f32::MIN,
        f32::EPSILON,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        -f32::NAN,
        -9999.0,
        0.1,
        100.0,
        4100.0,
        1200.5,
        16777216.0,
        16777217.0,
    ];
    let mut v: Vec<f64> = f32s.iter().map(|&x| x as f64).collect();
    v.extend([
        0.1,
        1e300,
        -1e300,
        3.4028235677973366e38,
        3.4028234663852886e38 * 1.0000001,
        1e-50,
        -1e-50,
        1.0 + f64::EPSILON,
        16777217.0,
        0.30000001192092896,
        2.0f64.powi(-149) * 0.5,
    ]);
    v.extend((-300..=300).map(|i| i as f64 * 0.25));
    let mut r = rng(seed);
    v.extend((0..1000).map(|_| (r() >> 11) as f64 / (1u64 << 53) as f64 * 2000.0 - 1000.0));
    v.extend((0..500).map(|_| f32::from_bits(r() as u32) as f64));
    v.extend((0..500).map(|_| f64::from_bits(r())));
    v
}

/// One input per sample type.
pub fn inputs() -> Vec<Owned> {
    let f = floats(9);
    vec![
        Owned::U8((0..=255).collect()),
        Owned::I8(
            ints(i8::MIN.into(), i8::MAX.into(), 1)
                .iter()
                .map(|&x| x as i8)
                .collect(),
        ),
        Owned::U16(
            ints(0, u16::MAX.into(), 2)
                .iter()
                .map(|&x| x as u16)
                .collect(),
        ),
        Owned::I16(
            ints(i16::MIN.into(), i16::MAX.into(), 3)
                .iter()
                .map(|&x| x as i16)
                .collect(),
        ),
        Owned::U32(
            ints(0, u32::MAX.into(), 4)
                .iter()
                .map(|&x| x as u32)
                .collect(),
        ),
        Owned::I32(
            ints(i32::MIN.into(), i32::MAX.into(), 5)
                .iter()
                .map(|&x| x as i32)
                .collect(),
        ),
        Owned::F32(f.iter().map(|&x| x as f32).collect()),
        Owned::F64(f),
    ]
}

pub fn normalizations() -> Vec<Normalize> {
    vec![
        Normalize::DtypeRange,
        Normalize::Range { lo: 0.0, hi: 255.0 },
        Normalize::Range {
            lo: 100.0,
            hi: 4100.0,
        },
        Normalize::Range { lo: 10.0, hi: -3.0 },
        Normalize::Range { lo: -1e6, hi: 3e9 },
        Normalize::Range { lo: 0.1, hi: 0.7 },
        Normalize::Range {
            lo: -32768.0,
            hi: 32767.0,
        },
        Normalize::Affine {
            scale: 1.0 / 255.0,
            offset: 0.0,
        },
        Normalize::Affine {
            scale: 0.0001,
            offset: -0.1,
        },
        Normalize::Affine {
            scale: -2.5,
            offset: 1e3,
        },
        Normalize::Affine {
            scale: 0.0,
            offset: 5.0,
        },
        Normalize::Affine {
            scale: 1e30,
            offset: -1e30,
        },
        Normalize::ZScore {
            mean: 1200.5,
            std: 310.25,
        },
        Normalize::ZScore {
            mean: 0.0,
            std: 1e-40,
        },
        Normalize::ZScore {
            mean: -3.3,
            std: 1e-7,
        },
        Normalize::ZScore {
            mean: 0.1,
            std: 3e38,
        },
    ]
}

pub fn clips() -> Vec<Option<(f32, f32)>> {
    vec![
        None,
        Some((0.0, 1.0)),
        Some((-1.0, 1.0)),
        Some((0.5, 0.5)),
        Some((f32::NEG_INFINITY, 0.0)),
        Some((-0.0, 0.0)),
    ]
}

pub fn nodatas() -> Vec<Option<f64>> {
    vec![
        None,
        Some(0.0),
        Some(255.0),
        Some(-9999.0),
        Some(f64::NAN),
        Some(0.5),
        Some(-1.0),
        Some(0.1),
        Some(-0.0),
    ]
}

/// Every combination (normalization × clip × nodata × two output nodata values).
pub fn kernels() -> Vec<Kernel> {
    let mut out = Vec::new();
    for normalize in normalizations() {
        for clip in clips() {
            for in_nodata in nodatas() {
                for out_nodata in [f32::NAN, -9999.0] {
                    out.push(Kernel {
                        normalize,
                        clip,
                        in_nodata,
                        out_nodata,
                    });
                }
            }
        }
    }
    out
}

/// Same bits, or both NaN.
pub fn same(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}
