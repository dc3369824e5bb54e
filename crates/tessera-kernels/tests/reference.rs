//! The fast bodies agree with the scalar reference bit for bit, and both agree on errors.

mod common;
use common::*;
use tessera_kernels::{InputSlice, Kernel, KernelError, Normalize};

#[test]
fn fast_equals_reference_bit_for_bit() {
    let inputs = inputs();
    let mut checked = 0usize;
    for k in kernels() {
        for input in &inputs {
            let n = input.len();
            let mut fast = vec![7f32; n];
            let mut reference = vec![7f32; n];
            k.apply(input.slice(), &mut fast).unwrap();
            k.apply_reference(input.slice(), &mut reference).unwrap();
            for i in 0..n {
                assert!(
                    same(fast[i], reference[i]),
                    "{k:?} on {} sample {} ({}): fast {} ({:#x}) reference {} ({:#x})",
                    input.dtype(),
                    i,
                    input.get_f64(i),
                    fast[i],
                    fast[i].to_bits(),
                    reference[i],
                    reference[i].to_bits()
                );
            }
            checked += n;
        }
    }
    assert!(checked > 1_000_000, "{checked}");
}

#[test]
fn odd_lengths_and_offsets() {
    let k = Kernel {
        normalize: Normalize::Range { lo: 3.0, hi: 250.0 },
        clip: Some((0.0, 1.0)),
        in_nodata: Some(7.0),
        out_nodata: -1.0,
    };
    let data: Vec<u16> = (0..200).collect();
    for start in 0..9 {
        for len in 0..70 {
            let s = &data[start..start + len];
            let mut a = vec![0f32; len];
            let mut b = vec![0f32; len];
            k.apply(InputSlice::U16(s), &mut a).unwrap();
            k.apply_reference(InputSlice::U16(s), &mut b).unwrap();
            assert!(a.iter().zip(&b).all(|(x, y)| same(*x, *y)));
        }
    }
}

#[test]
fn seed_u8_is_numpy_division() {
    // np.clip(x.astype(np.float32) / 255.0, 0, 1): a true division, which differs from the
    // multiplication by the rounded reciprocal for some x.
    let k = Kernel {
        normalize: Normalize::DtypeRange,
        clip: Some((0.0, 1.0)),
        ..Kernel::default()
    };
    let x: Vec<u8> = (0..=255).collect();
    let mut out = vec![0f32; 256];
    k.apply(InputSlice::U8(&x), &mut out).unwrap();
    let mut differs = 0;
    for (i, &o) in out.iter().enumerate() {
        assert_eq!(o.to_bits(), (i as f32 / 255.0).to_bits());
        differs += usize::from(o != i as f32 * (1.0 / 255.0));
    }
    assert!(
        differs > 0,
        "the reciprocal would have been indistinguishable"
    );
}

#[test]
fn nodata_and_nan() {
    let k = Kernel {
        normalize: Normalize::Affine {
            scale: 2.0,
            offset: 1.0,
        },
        clip: Some((0.0, 10.0)),
        in_nodata: Some(-9999.0),
        out_nodata: -5.0,
    };
    let x = [-9999.0f32, f32::NAN, 1.0, -9999.5, 100.0];
    let mut out = [0f32; 5];
    k.apply(InputSlice::F32(&x), &mut out).unwrap();
    // nodata is written as is (not clipped); NaN stays NaN through the clip.
    assert_eq!(out[0], -5.0);
    assert!(out[1].is_nan());
    assert_eq!(&out[2..], &[3.0, 0.0, 10.0]);
    // NaN nodata: NaN pixels are the nodata pixels.
    let k = Kernel {
        in_nodata: Some(f64::NAN),
        ..k
    };
    k.apply(InputSlice::F32(&x), &mut out).unwrap();
    assert_eq!(&out[..3], &[0.0, -5.0, 3.0]);
    // Integer nodata that the type cannot hold never matches; 0.0 == -0.0.
    let k = Kernel {
        normalize: Normalize::DtypeRange,
        in_nodata: Some(-1.0),
        ..Kernel::default()
    };
    let mut out = [0f32; 2];
    k.apply(InputSlice::U8(&[0, 255]), &mut out).unwrap();
    assert_eq!(out, [0.0, 1.0]);
    let k = Kernel {
        in_nodata: Some(-0.0),
        ..k
    };
    k.apply(InputSlice::U8(&[0, 255]), &mut out).unwrap();
    assert!(out[0].is_nan());
    // f32 input: nodata compared after rounding to f32 (0.1f64 -> 0.1f32).
    let k = Kernel {
        normalize: Normalize::DtypeRange,
        in_nodata: Some(0.1),
        ..Kernel::default()
    };
    k.apply(InputSlice::F32(&[0.1, 0.2]), &mut out).unwrap();
    assert!(out[0].is_nan() && out[1] == 0.2);
    // f64 input: compared as f64.
    k.apply(InputSlice::F64(&[0.1f32 as f64, 0.1]), &mut out)
        .unwrap();
    assert!(out[0] == 0.1 && out[1].is_nan());
}

#[test]
fn dtype_range_per_type() {
    let k = Kernel::default();
    let mut out = [0f32; 3];
    k.apply(InputSlice::I8(&[-128, 0, 127]), &mut out).unwrap();
    assert_eq!(out, [0.0, 128.0 / 255.0, 1.0]);
    k.apply(InputSlice::U16(&[0, 1, 65535]), &mut out).unwrap();
    assert_eq!(out, [0.0, 1.0 / 65535.0, 1.0]);
    // u32: the divisor 4294967295 rounds to 2^32 in float32, as in numpy.
    k.apply(InputSlice::U32(&[0, 1 << 31, u32::MAX]), &mut out)
        .unwrap();
    assert_eq!(out, [0.0, 0.5, 1.0]);
    k.apply(InputSlice::I32(&[i32::MIN, 0, i32::MAX]), &mut out)
        .unwrap();
    assert_eq!(out, [0.0, 0.5, 1.0]);
    // Floats: identity (f64 rounded to f32, overflowing to inf).
    k.apply(InputSlice::F64(&[0.1, 1e300, -2.5]), &mut out)
        .unwrap();
    assert_eq!(out, [0.1f32, f32::INFINITY, -2.5]);
    // u32 above 2^24: round to nearest even, as numpy's astype.
    let k = Kernel {
        normalize: Normalize::Affine {
            scale: 1.0,
            offset: 0.0,
        },
        ..k
    };
    k.apply(InputSlice::U32(&[16777217, 16777219, u32::MAX]), &mut out)
        .unwrap();
    assert_eq!(out, [16777216.0, 16777220.0, 4294967296.0]);
}

#[test]
fn misconfiguration_is_a_typed_error_and_writes_nothing() {
    let cases: Vec<(Kernel, KernelError)> = vec![
        (
            Kernel {
                normalize: Normalize::Range { lo: 5.0, hi: 5.0 },
                ..Kernel::default()
            },
            KernelError::ZeroDivisor {
                name: "hi - lo",
                value: 0.0,
            },
        ),
        // Nonzero in f64, zero in float32.
        (
            Kernel {
                normalize: Normalize::Range {
                    lo: 1.0,
                    hi: 1.0 + 1e-300,
                },
                ..Kernel::default()
            },
            KernelError::ZeroDivisor {
                name: "hi - lo",
                value: 0.0,
            },
        ),
        (
            Kernel {
                normalize: Normalize::ZScore {
                    mean: 1.0,
                    std: 0.0,
                },
                ..Kernel::default()
            },
            KernelError::ZeroDivisor {
                name: "std",
                value: 0.0,
            },
        ),
        (
            Kernel {
                normalize: Normalize::ZScore {
                    mean: 1.0,
                    std: 1e-50,
                },
                ..Kernel::default()
            },
            KernelError::ZeroDivisor {
                name: "std",
                value: 1e-50,
            },
        ),
        (
            Kernel {
                normalize: Normalize::ZScore {
                    mean: 1.0,
                    std: -1.0,
                },
                ..Kernel::default()
            },
            KernelError::NegativeStd { std: -1.0 },
        ),
        (
            Kernel {
                normalize: Normalize::Range {
                    lo: -3e38,
                    hi: 3e38,
                },
                ..Kernel::default()
            },
            KernelError::NonFiniteParameter {
                name: "hi - lo",
                value: 6e38,
            },
        ),
        (
            Kernel {
                normalize: Normalize::Affine {
                    scale: 1e39,
                    offset: 0.0,
                },
                ..Kernel::default()
            },
            KernelError::NonFiniteParameter {
                name: "scale",
                value: 1e39,
            },
        ),
        (
            Kernel {
                normalize: Normalize::Affine {
                    scale: 1.0,
                    offset: f64::INFINITY,
                },
                ..Kernel::default()
            },
            KernelError::NonFiniteParameter {
                name: "offset",
                value: f64::INFINITY,
            },
        ),
        (
            Kernel {
                clip: Some((1.0, 0.0)),
                ..Kernel::default()
            },
            KernelError::InvalidClip { lo: 1.0, hi: 0.0 },
        ),
    ];
    for (k, want) in cases {
        // The 1 + 1e-300 case: its f64 difference is not exactly 0; compare the name only.
        let got = k.validate().unwrap_err();
        match (got, want) {
            (
                KernelError::ZeroDivisor { name: a, .. },
                KernelError::ZeroDivisor { name: b, .. },
            ) => assert_eq!(a, b),
            _ => assert_eq!(got, want),
        }
        let mut out = [7f32; 2];
        assert_eq!(k.apply(InputSlice::U8(&[1, 2]), &mut out).unwrap_err(), got);
        assert_eq!(
            k.apply_reference(InputSlice::U8(&[1, 2]), &mut out)
                .unwrap_err(),
            got
        );
        assert_eq!(out, [7.0, 7.0]);
        assert!(!got.to_string().is_empty());
    }
    // NaN parameters and clip bounds.
    let k = Kernel {
        normalize: Normalize::Range {
            lo: f64::NAN,
            hi: 1.0,
        },
        ..Kernel::default()
    };
    assert!(matches!(
        k.validate(),
        Err(KernelError::NonFiniteParameter { name: "lo", .. })
    ));
    let k = Kernel {
        clip: Some((f32::NAN, 1.0)),
        ..Kernel::default()
    };
    assert!(matches!(k.validate(), Err(KernelError::InvalidClip { .. })));
    // Lengths.
    let mut out = [0f32; 3];
    let want = KernelError::LengthMismatch {
        input: 2,
        output: 3,
    };
    assert_eq!(
        Kernel::default().apply(InputSlice::U8(&[1, 2]), &mut out),
        Err(want)
    );
    assert_eq!(
        Kernel::default().apply_reference(InputSlice::U8(&[1, 2]), &mut out),
        Err(want)
    );
    // Tiny but nonzero std and reversed ranges are fine.
    let mut out = [0f32; 2];
    Kernel {
        normalize: Normalize::ZScore {
            mean: 0.0,
            std: 1e-45,
        },
        ..Kernel::default()
    }
    .apply(InputSlice::U8(&[0, 1]), &mut out)
    .unwrap();
    assert_eq!(out, [0.0, f32::INFINITY]);
    Kernel {
        normalize: Normalize::Range { lo: 255.0, hi: 0.0 },
        ..Kernel::default()
    }
    .apply(InputSlice::U8(&[255, 0]), &mut out)
    .unwrap();
    assert_eq!(out[0].to_bits(), (-0.0f32).to_bits());
    assert_eq!(out[1], 1.0);
}
