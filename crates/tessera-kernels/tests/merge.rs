//! Merge kernels against a plain per-pixel definition (valid values listed, then reduced).

mod common;
use common::*;
use tessera_kernels::{InputSlice, KernelError, Merge};

const METHODS: [Merge; 7] = [
    Merge::First,
    Merge::Last,
    Merge::Min,
    Merge::Max,
    Merge::Sum,
    Merge::Count,
    Merge::Mean,
];

/// The per-pixel definition: the valid f32 values in input order, reduced.
fn expected(method: Merge, valid: &[f32], out_nodata: f32) -> f32 {
    let Some((&first, rest)) = valid.split_first() else {
        return out_nodata;
    };
    let sum = rest.iter().fold(first, |s, &v| s + v);
    match method {
        Merge::First => first,
        Merge::Last => *valid.last().unwrap(),
        Merge::Min => rest.iter().fold(first, |m, &v| if v < m { v } else { m }),
        Merge::Max => rest.iter().fold(first, |m, &v| if v > m { v } else { m }),
        Merge::Sum => sum,
        Merge::Count => valid.len() as f32,
        Merge::Mean => sum / valid.len() as f32,
    }
}

#[test]
fn merge_matches_definition() {
    let inputs = inputs();
    let n = 256;
    let nodatas = [
        Some(0.0),
        Some(255.0),
        None,
        Some(-9999.0),
        Some(1.0),
        Some(f64::NAN),
        None,
        Some(-1.0),
    ];
    // Several stacks: rotate which input comes first and where each window starts.
    for rot in 0..inputs.len() {
        let stack: Vec<(&Owned, usize, Option<f64>)> = (0..inputs.len())
            .map(|j| {
                let i = (j + rot) % inputs.len();
                let start = (rot * 37 + j * 101) % (inputs[i].len() - n + 1);
                (&inputs[i], start, nodatas[(j + rot) % nodatas.len()])
            })
            .collect();
        // Valid values per pixel, by the documented rule.
        let mut valid: Vec<Vec<f32>> = vec![Vec::new(); n];
        for &(input, start, nd) in &stack {
            for (p, vals) in valid.iter_mut().enumerate() {
                let x = input.get_f64(start + p);
                let is_nd = match (nd, input.dtype()) {
                    (None, _) => false,
                    (Some(nd), _) if nd.is_nan() => x.is_nan(),
                    (Some(nd), "float32") => x as f32 == nd as f32,
                    (Some(nd), _) => x == nd,
                };
                let v = x as f32;
                if !is_nd && !v.is_nan() {
                    vals.push(v);
                }
            }
        }
        for method in METHODS {
            for out_nodata in [f32::NAN, -1.0] {
                let (mut acc, mut count) = (vec![0f32; n], vec![0u32; n]);
                for &(input, start, nd) in &stack {
                    let window = sub(input, start, n);
                    method.fold(window, nd, &mut acc, &mut count).unwrap();
                }
                method.finish(&mut acc, &count, out_nodata).unwrap();
                for p in 0..n {
                    let want = expected(method, &valid[p], out_nodata);
                    assert!(
                        same(acc[p], want),
                        "{method:?} rot {rot} pixel {p}: {} vs {want} from {:?}",
                        acc[p],
                        valid[p]
                    );
                    assert_eq!(count[p] as usize, valid[p].len());
                }
            }
        }
    }
}

fn sub(o: &Owned, start: usize, n: usize) -> InputSlice<'_> {
    match o.slice() {
        InputSlice::U8(s) => InputSlice::U8(&s[start..start + n]),
        InputSlice::I8(s) => InputSlice::I8(&s[start..start + n]),
        InputSlice::U16(s) => InputSlice::U16(&s[start..start + n]),
        InputSlice::I16(s) => InputSlice::I16(&s[start..start + n]),
        InputSlice::U32(s) => InputSlice::U32(&s[start..start + n]),
        InputSlice::I32(s) => InputSlice::I32(&s[start..start + n]),
        InputSlice::F32(s) => InputSlice::F32(&s[start..start + n]),
        InputSlice::F64(s) => InputSlice::F64(&s[start..start + n]),
    }
}

#[test]
fn merge_lengths() {
    let (mut acc, mut count) = (vec![0f32; 2], vec![0u32; 3]);
    assert!(matches!(
        Merge::Sum.fold(InputSlice::U8(&[1, 2]), None, &mut acc, &mut count),
        Err(KernelError::LengthMismatch { .. })
    ));
    assert!(Merge::Sum.finish(&mut acc, &count, 0.0).is_err());
}
