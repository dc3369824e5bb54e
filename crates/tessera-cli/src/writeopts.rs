//! Writer options shared by every command that writes a GeoTIFF (`convert`, and
//! later `normalize` and `mosaic`): tessera's own flags and GDAL's creation-option
//! spelling (`--co COMPRESS=DEFLATE`), validated into library options before any
//! work starts.

use anyhow::{bail, Context, Result};
use clap::Args;
use tessera::codec::{Compression, DataType};
use tessera::write::{BigTiff, Interleave, PredictorChoice, WriteOptions};

/// Output options of commands that write a tiled GeoTIFF.
#[derive(Debug, Args, Clone, Default)]
pub struct WriteArgs {
    /// Compression: none, deflate, lzw, zstd, packbits.
    #[arg(long)]
    pub compress: Option<String>,
    /// Compression level (deflate 1-9, zstd 1-22).
    #[arg(long)]
    pub level: Option<i32>,
    /// Predictor: none, horizontal (2), float (3), auto.
    #[arg(long)]
    pub predictor: Option<String>,
    /// Tile size: N (square) or WxH, multiples of 16.
    #[arg(long = "block-size")]
    pub block_size: Option<String>,
    /// Band layout: pixel or band.
    #[arg(long)]
    pub interleave: Option<String>,
    /// BigTIFF: yes, no, auto.
    #[arg(long)]
    pub bigtiff: Option<String>,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// GDAL creation option KEY=VALUE (COMPRESS, PREDICTOR, ZLEVEL, ZSTD_LEVEL,
    /// BLOCKXSIZE, BLOCKYSIZE, TILED, BIGTIFF, INTERLEAVE, NUM_THREADS); repeatable.
    #[arg(long = "co", value_name = "KEY=VALUE")]
    pub creation_options: Vec<String>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Validated writer settings.
#[derive(Debug, Clone)]
pub struct WriteConfig {
    /// Codec options.
    pub write: WriteOptions,
    /// Tile size.
    pub tile: (u32, u32),
    /// Band layout.
    pub interleave: Interleave,
    /// Threads (0 = one per core).
    pub threads: usize,
}

impl WriteArgs {
    /// Merge flags and creation options (flags win) into validated settings;
    /// `default_compression` is the command's default.
    pub fn resolve(&self, default_compression: Compression) -> Result<WriteConfig> {
        let mut compress = None;
        let mut predictor = None;
        let mut level = None;
        let mut bx = None;
        let mut by = None;
        let mut bigtiff = None;
        let mut interleave = None;
        let mut threads = None;
        for co in &self.creation_options {
            let (key, value) = co
                .split_once('=')
                .with_context(|| format!("--co {co}: expected KEY=VALUE"))?;
            let value = value.trim().to_string();
            match key.trim().to_ascii_uppercase().as_str() {
                "COMPRESS" => compress = Some(value),
                "PREDICTOR" => predictor = Some(value),
                "ZLEVEL" | "ZSTD_LEVEL" | "LEVEL" => level = Some(parse_int(&value, key)?),
                "BLOCKXSIZE" => bx = Some(parse_int(&value, key)?),
                "BLOCKYSIZE" => by = Some(parse_int(&value, key)?),
                "TILED" => {
                    if !matches!(
                        value.to_ascii_uppercase().as_str(),
                        "YES" | "TRUE" | "ON" | "1"
                    ) {
                        bail!("--co TILED={value}: tessera writes tiled GeoTIFFs only");
                    }
                }
                "BIGTIFF" => bigtiff = Some(value),
                "INTERLEAVE" => interleave = Some(value),
                "NUM_THREADS" => {
                    threads = Some(if value.eq_ignore_ascii_case("ALL_CPUS") {
                        0
                    } else {
                        parse_int(&value, key)? as usize
                    })
                }
                other => bail!("--co {other}: unknown creation option"),
            }
        }
        let compression = match self.compress.as_deref().or(compress.as_deref()) {
            None => default_compression,
            Some(name) => parse_compression(name)?,
        };
        let level = self.level.or(level);
        let predictor = match self.predictor.as_deref().or(predictor.as_deref()) {
            None => PredictorChoice::Auto,
            Some(p) => parse_predictor(p)?,
        };
        let tile = match &self.block_size {
            Some(s) => parse_block_size(s)?,
            None => {
                let x = bx.unwrap_or(by.unwrap_or(512));
                let y = by.unwrap_or(x);
                (checked_tile(x)?, checked_tile(y)?)
            }
        };
        let interleave = match self.interleave.as_deref().or(interleave.as_deref()) {
            None => Interleave::Pixel,
            Some(s) if s.eq_ignore_ascii_case("pixel") => Interleave::Pixel,
            Some(s) if s.eq_ignore_ascii_case("band") => Interleave::Band,
            Some(s) => bail!("--interleave {s}: expected pixel or band"),
        };
        let bigtiff = match self.bigtiff.as_deref().or(bigtiff.as_deref()) {
            None => BigTiff::Auto,
            Some(s) => match s.to_ascii_uppercase().as_str() {
                "YES" | "TRUE" => BigTiff::Yes,
                "NO" | "FALSE" => BigTiff::No,
                "AUTO" | "IF_SAFER" | "IF_NEEDED" => BigTiff::Auto,
                _ => bail!("--bigtiff {s}: expected yes, no or auto"),
            },
        };
        let mut write = WriteOptions::compressed(compression);
        write.level = level;
        write.predictor = predictor;
        write.bigtiff = bigtiff;
        Ok(WriteConfig {
            write,
            tile,
            interleave,
            threads: self.threads.or(threads).unwrap_or(0),
        })
    }
}

fn parse_int(value: &str, key: &str) -> Result<i32> {
    value
        .parse()
        .with_context(|| format!("--co {key}={value}: expected an integer"))
}

/// A compression name (tessera's or GDAL's spelling).
pub fn parse_compression(name: &str) -> Result<Compression> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "none" | "no" => Compression::None,
        "deflate" | "zip" => Compression::Deflate,
        "lzw" => Compression::Lzw,
        "zstd" => Compression::Zstd,
        "packbits" => Compression::PackBits,
        other => bail!("compression {other}: expected none, deflate, lzw, zstd or packbits"),
    })
}

fn parse_predictor(p: &str) -> Result<PredictorChoice> {
    Ok(match p.to_ascii_lowercase().as_str() {
        "none" | "1" | "no" => PredictorChoice::None,
        "horizontal" | "2" => PredictorChoice::Horizontal,
        "float" | "floating" | "3" => PredictorChoice::Float,
        "auto" | "yes" => PredictorChoice::Auto,
        other => bail!("predictor {other}: expected none, horizontal, float or auto"),
    })
}

fn checked_tile(v: i32) -> Result<u32> {
    if v <= 0 || v % 16 != 0 {
        bail!("block size {v} is not a positive multiple of 16");
    }
    Ok(v as u32)
}

fn parse_block_size(s: &str) -> Result<(u32, u32)> {
    let parse = |t: &str| -> Result<i32> {
        t.trim()
            .parse()
            .with_context(|| format!("--block-size {s}: expected N or WxH"))
    };
    match s.split_once(['x', 'X']) {
        Some((w, h)) => Ok((checked_tile(parse(w)?)?, checked_tile(parse(h)?)?)),
        None => {
            let n = checked_tile(parse(s)?)?;
            Ok((n, n))
        }
    }
}

/// A data type name: tessera's (`uint8`, `float32`) or GDAL's (`Byte`, `Float32`).
pub fn parse_dtype(name: &str) -> Result<DataType> {
    if let Some(dt) = DataType::from_name(&name.to_ascii_lowercase()) {
        return Ok(dt);
    }
    Ok(match name.to_ascii_lowercase().as_str() {
        "byte" => DataType::U8,
        "int8" => DataType::I8,
        "cint16" => DataType::CI16,
        "cint32" => DataType::CI32,
        "cfloat32" => DataType::CF32,
        "cfloat64" => DataType::CF64,
        other => bail!("data type {other}: expected uint8, int8, uint16, int16, uint32, int32, uint64, int64, float32 or float64"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creation_options_and_flags_merge() {
        let args = WriteArgs {
            creation_options: vec![
                "COMPRESS=LZW".into(),
                "PREDICTOR=2".into(),
                "BLOCKXSIZE=256".into(),
            ],
            ..Default::default()
        };
        let c = args.resolve(Compression::Deflate).unwrap();
        assert_eq!(c.write.compression, Compression::Lzw);
        assert_eq!(c.write.predictor, PredictorChoice::Horizontal);
        assert_eq!(c.tile, (256, 256));
        let flags = WriteArgs {
            compress: Some("zstd".into()),
            block_size: Some("512x256".into()),
            ..args
        };
        let c = flags.resolve(Compression::Deflate).unwrap();
        assert_eq!(c.write.compression, Compression::Zstd);
        assert_eq!(c.tile, (512, 256));
    }

    #[test]
    fn bad_options_are_errors() {
        for args in [
            WriteArgs {
                block_size: Some("100".into()),
                ..Default::default()
            },
            WriteArgs {
                compress: Some("jpeg2000".into()),
                ..Default::default()
            },
            WriteArgs {
                predictor: Some("7".into()),
                ..Default::default()
            },
            WriteArgs {
                creation_options: vec!["TILED=NO".into()],
                ..Default::default()
            },
            WriteArgs {
                creation_options: vec!["FOO=1".into()],
                ..Default::default()
            },
            WriteArgs {
                bigtiff: Some("maybe".into()),
                ..Default::default()
            },
        ] {
            assert!(args.resolve(Compression::Deflate).is_err(), "{args:?}");
        }
    }

    #[test]
    fn dtype_names() {
        assert_eq!(parse_dtype("Float32").unwrap(), DataType::F32);
        assert_eq!(parse_dtype("Byte").unwrap(), DataType::U8);
        assert_eq!(parse_dtype("uint16").unwrap(), DataType::U16);
        assert!(parse_dtype("float128").is_err());
    }
}
