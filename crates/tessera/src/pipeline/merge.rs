//! How overlapping inputs combine into one output pixel (rasterio.merge's methods),
//! nodata-aware: an input pixel that is its nodata value or NaN does not take part.

use serde::{Deserialize, Serialize};
use tessera_codec::DataType;

/// Merge method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Method {
    /// The first input (in the order given) with a valid pixel wins (rasterio.merge's default).
    #[default]
    First,
    /// The last input with a valid pixel wins.
    Last,
    /// Smallest valid value.
    Min,
    /// Largest valid value.
    Max,
    /// Mean of the valid values.
    Mean,
    /// Sum of the valid values.
    Sum,
    /// Number of valid values.
    Count,
}

impl Method {
    /// Parse a method name.
    pub fn from_name(name: &str) -> Option<Method> {
        Some(match name.to_ascii_lowercase().as_str() {
            "first" => Method::First,
            "last" => Method::Last,
            "min" => Method::Min,
            "max" => Method::Max,
            "mean" => Method::Mean,
            "sum" => Method::Sum,
            "count" => Method::Count,
            _ => return None,
        })
    }

    /// The output type for inputs of type `input`: `count` counts in uint16 (or
    /// uint32 past 65535 inputs), `mean` averages in float32 (float64 for 32/64-bit
    /// and float64 inputs); the others keep the input type.
    pub fn output_type(self, input: DataType, inputs: usize) -> DataType {
        match self {
            Method::Count if inputs > 65535 => DataType::U32,
            Method::Count => DataType::U16,
            Method::Mean => match input {
                DataType::U8 | DataType::I8 | DataType::U16 | DataType::I16 | DataType::F32 => {
                    DataType::F32
                }
                _ => DataType::F64,
            },
            _ => input,
        }
    }
}

/// Per-pixel accumulator of one band of one window.
pub struct Accumulator {
    method: Method,
    value: Vec<f64>,
    count: Vec<u32>,
    /// `sum` in float32, one input at a time (rasterio.merge on float32 data); `mean`
    /// always sums in f64 and divides once (the numpy mean of the valid values).
    f32_sums: bool,
}

impl Accumulator {
    /// An empty accumulator of `len` pixels.
    pub fn new(method: Method, len: usize) -> Self {
        Accumulator {
            method,
            value: vec![0.0; len],
            count: vec![0; len],
            f32_sums: false,
        }
    }

    /// Sum in float32 as rasterio.merge does for float32 output.
    pub fn with_f32_sums(mut self, yes: bool) -> Self {
        self.f32_sums = yes;
        self
    }

    /// Merge one input's values for the pixels `at..at+values.len()` of each row run.
    /// `values` are the input's samples as f64; `invalid(v)` says which are masked.
    pub fn add_run(
        &mut self,
        at: usize,
        values: impl Iterator<Item = f64>,
        invalid: impl Fn(f64) -> bool,
    ) {
        let (method, f32_sums) = (self.method, self.f32_sums);
        for ((acc, n), v) in self.value[at..]
            .iter_mut()
            .zip(&mut self.count[at..])
            .zip(values)
        {
            if v.is_nan() || invalid(v) {
                continue;
            }
            *acc = match method {
                Method::First if *n > 0 => *acc,
                Method::Min if *n > 0 => acc.min(v),
                Method::Max if *n > 0 => acc.max(v),
                Method::Sum if *n > 0 && f32_sums => f64::from(*acc as f32 + v as f32),
                Method::Sum | Method::Mean if *n > 0 => *acc + v,
                _ => v,
            };
            *n += 1;
        }
    }

    /// Final values: `nodata` where no input was valid.
    pub fn finish(&self, nodata: f64) -> impl Iterator<Item = f64> + '_ {
        self.value
            .iter()
            .zip(&self.count)
            .map(move |(&v, &n)| match self.method {
                Method::Count => f64::from(n),
                _ if n == 0 => nodata,
                Method::Mean => v / f64::from(n),
                _ => v,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(method: Method) -> Vec<f64> {
        let mut acc = Accumulator::new(method, 3);
        let nd = |v: f64| v == 0.0;
        acc.add_run(0, [5.0, 0.0, f64::NAN].into_iter(), nd);
        acc.add_run(0, [7.0, 2.0, f64::NAN].into_iter(), nd);
        acc.finish(-1.0).collect()
    }

    #[test]
    fn methods_follow_rasterio_merge() {
        assert_eq!(run(Method::First), vec![5.0, 2.0, -1.0]);
        assert_eq!(run(Method::Last), vec![7.0, 2.0, -1.0]);
        assert_eq!(run(Method::Min), vec![5.0, 2.0, -1.0]);
        assert_eq!(run(Method::Max), vec![7.0, 2.0, -1.0]);
        assert_eq!(run(Method::Sum), vec![12.0, 2.0, -1.0]);
        assert_eq!(run(Method::Mean), vec![6.0, 2.0, -1.0]);
        assert_eq!(run(Method::Count), vec![2.0, 1.0, 0.0]);
    }

    #[test]
    fn output_types_hold_the_result() {
        assert_eq!(Method::Count.output_type(DataType::U8, 4), DataType::U16);
        assert_eq!(Method::Mean.output_type(DataType::U16, 4), DataType::F32);
        assert_eq!(Method::Mean.output_type(DataType::I32, 4), DataType::F64);
        assert_eq!(Method::First.output_type(DataType::U16, 4), DataType::U16);
    }
}
