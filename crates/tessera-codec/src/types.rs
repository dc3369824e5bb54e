//! Parameter types: byte order, data types, compression, predictor, sample format, chunk params.

use crate::{CodecError, MAX_CHUNK_BYTES};

/// Byte order of a TIFF file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// "II" files.
    Little,
    /// "MM" files.
    Big,
}

impl ByteOrder {
    /// The byte order of the machine running this code.
    pub const fn native() -> Self {
        if cfg!(target_endian = "little") {
            ByteOrder::Little
        } else {
            ByteOrder::Big
        }
    }
}

/// Sample data type as presented to users (GDAL's view).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    /// `uint8`
    U8,
    /// `int8`
    I8,
    /// `uint16`
    U16,
    /// `int16`
    I16,
    /// `uint32`
    U32,
    /// `int32`
    I32,
    /// `uint64`
    U64,
    /// `int64`
    I64,
    /// `float32`
    F32,
    /// `float64`
    F64,
    /// Complex of two `int16`.
    CI16,
    /// Complex of two `int32`.
    CI32,
    /// Complex of two `float32`.
    CF32,
    /// Complex of two `float64`.
    CF64,
}

impl DataType {
    /// All data types.
    pub const ALL: [DataType; 14] = [
        DataType::U8,
        DataType::I8,
        DataType::U16,
        DataType::I16,
        DataType::U32,
        DataType::I32,
        DataType::U64,
        DataType::I64,
        DataType::F32,
        DataType::F64,
        DataType::CI16,
        DataType::CI32,
        DataType::CF32,
        DataType::CF64,
    ];

    /// Size of one value in bytes (both halves for complex types).
    pub const fn size_bytes(self) -> usize {
        match self {
            DataType::U8 | DataType::I8 => 1,
            DataType::U16 | DataType::I16 => 2,
            DataType::U32 | DataType::I32 | DataType::F32 | DataType::CI16 => 4,
            DataType::U64 | DataType::I64 | DataType::F64 | DataType::CI32 | DataType::CF32 => 8,
            DataType::CF64 => 16,
        }
    }

    /// Name as used by numpy / rasterio ("uint8", ..., "complex64", "complex128").
    pub const fn name(self) -> &'static str {
        match self {
            DataType::U8 => "uint8",
            DataType::I8 => "int8",
            DataType::U16 => "uint16",
            DataType::I16 => "int16",
            DataType::U32 => "uint32",
            DataType::I32 => "int32",
            DataType::U64 => "uint64",
            DataType::I64 => "int64",
            DataType::F32 => "float32",
            DataType::F64 => "float64",
            DataType::CI16 => "complex_int16",
            DataType::CI32 => "complex_int32",
            DataType::CF32 => "complex64",
            DataType::CF64 => "complex128",
        }
    }

    /// Inverse of [`DataType::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        DataType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Floating point (real or complex).
    pub const fn is_float(self) -> bool {
        matches!(
            self,
            DataType::F32 | DataType::F64 | DataType::CF32 | DataType::CF64
        )
    }

    /// Complex (pair) type.
    pub const fn is_complex(self) -> bool {
        matches!(
            self,
            DataType::CI16 | DataType::CI32 | DataType::CF32 | DataType::CF64
        )
    }

    /// Signed integer, float or complex.
    pub const fn is_signed(self) -> bool {
        !matches!(
            self,
            DataType::U8 | DataType::U16 | DataType::U32 | DataType::U64
        )
    }

    /// Size of one component: half of [`DataType::size_bytes`] for complex types.
    pub const fn component_bytes(self) -> usize {
        if self.is_complex() {
            self.size_bytes() / 2
        } else {
            self.size_bytes()
        }
    }
}

/// TIFF compression schemes (tag 259).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    /// 1: no compression.
    None,
    /// 5: LZW.
    Lzw,
    /// 7: "new-style" JPEG.
    Jpeg,
    /// 8: Deflate (Adobe code).
    Deflate,
    /// 32946: Deflate (old PKZIP code).
    AdobeDeflate,
    /// 32773: PackBits.
    PackBits,
    /// 50000: Zstandard.
    Zstd,
    /// 50001: WebP.
    Webp,
    /// Anything else (decoding it is unsupported).
    Other(u16),
}

impl Compression {
    /// From the TIFF tag value.
    pub const fn from_code(code: u16) -> Self {
        match code {
            1 => Compression::None,
            5 => Compression::Lzw,
            7 => Compression::Jpeg,
            8 => Compression::Deflate,
            32946 => Compression::AdobeDeflate,
            32773 => Compression::PackBits,
            50000 => Compression::Zstd,
            50001 => Compression::Webp,
            c => Compression::Other(c),
        }
    }

    /// The TIFF tag value.
    pub const fn code(self) -> u16 {
        match self {
            Compression::None => 1,
            Compression::Lzw => 5,
            Compression::Jpeg => 7,
            Compression::Deflate => 8,
            Compression::AdobeDeflate => 32946,
            Compression::PackBits => 32773,
            Compression::Zstd => 50000,
            Compression::Webp => 50001,
            Compression::Other(c) => c,
        }
    }

    /// GDAL's name for the scheme (its `COMPRESSION` metadata item); `None` for no compression
    /// and for codes GDAL has no name for.
    pub const fn gdal_name(self) -> Option<&'static str> {
        Some(match self.code() {
            1 => return None,
            2 => "CCITTRLE",
            3 => "CCITTFAX3",
            4 => "CCITTFAX4",
            5 => "LZW",
            6 => "OJPEG",
            7 => "JPEG",
            8 | 32946 => "DEFLATE",
            32766 => "NEXT",
            32771 => "CCITTRLEW",
            32773 => "PACKBITS",
            32809 => "THUNDER",
            32908 => "PIXARFILM",
            32909 => "PIXARLOG",
            34661 => "JBIG",
            34676 => "SGILOG",
            34677 => "SGILOG24",
            34712 => "JPEG2000",
            34887 => "LERC",
            34925 => "LZMA",
            50000 => "ZSTD",
            50001 => "WEBP",
            50002 | 52546 => "JXL",
            _ => return None,
        })
    }

    /// Whether the scheme usually loses information (JPEG, old JPEG, WebP, LERC with a nonzero
    /// error, JPEG-XL). WebP and JPEG-XL can also be lossless; this is the conservative answer.
    pub const fn is_lossy(self) -> bool {
        matches!(self.code(), 6 | 7 | 50001 | 34887 | 50002 | 52546)
    }

    /// Whether a TIFF predictor applies under this scheme: libtiff honours the Predictor tag
    /// only for LZW, Deflate (both codes) and Zstd, and ignores it otherwise.
    pub const fn takes_predictor(self) -> bool {
        matches!(
            self,
            Compression::Lzw | Compression::Deflate | Compression::AdobeDeflate | Compression::Zstd
        )
    }

    /// Whether [`crate::decode_chunk`] can decode this scheme.
    pub const fn is_supported(self) -> bool {
        !matches!(self, Compression::Other(_))
    }

    /// "compression NAME (CODE)" for messages.
    pub fn describe(self) -> String {
        match self.gdal_name() {
            Some(n) => format!("compression {n} ({})", self.code()),
            None if self == Compression::None => "no compression (1)".to_string(),
            None => format!("compression {}", self.code()),
        }
    }

    pub(crate) fn unsupported(self) -> CodecError {
        CodecError::Unsupported {
            what: self.describe(),
        }
    }
}

/// TIFF predictor (tag 317).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Predictor {
    /// 1: none.
    None,
    /// 2: horizontal differencing.
    Horizontal,
    /// 3: floating point (TIFF Technical Note 3).
    FloatingPoint,
}

impl Predictor {
    /// From the TIFF tag value (1, 2 or 3).
    pub fn from_code(code: u16) -> Result<Self, CodecError> {
        match code {
            1 => Ok(Predictor::None),
            2 => Ok(Predictor::Horizontal),
            3 => Ok(Predictor::FloatingPoint),
            c => Err(CodecError::unsupported(format!("predictor {c}"))),
        }
    }

    /// The TIFF tag value.
    pub const fn code(self) -> u16 {
        match self {
            Predictor::None => 1,
            Predictor::Horizontal => 2,
            Predictor::FloatingPoint => 3,
        }
    }
}

/// TIFF sample format (tag 339).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SampleFormat {
    /// 1 (and 4, "void"): unsigned integer.
    Uint,
    /// 2: signed integer.
    Int,
    /// 3: IEEE floating point.
    Float,
    /// 5: complex signed integer.
    ComplexInt,
    /// 6: complex IEEE floating point.
    ComplexFloat,
}

impl SampleFormat {
    /// From the TIFF tag value; 4 (void) is treated as unsigned.
    pub fn from_code(code: u16) -> Result<Self, CodecError> {
        match code {
            1 | 4 => Ok(SampleFormat::Uint),
            2 => Ok(SampleFormat::Int),
            3 => Ok(SampleFormat::Float),
            5 => Ok(SampleFormat::ComplexInt),
            6 => Ok(SampleFormat::ComplexFloat),
            c => Err(CodecError::unsupported(format!("sample format {c}"))),
        }
    }

    /// The TIFF tag value.
    pub const fn code(self) -> u16 {
        match self {
            SampleFormat::Uint => 1,
            SampleFormat::Int => 2,
            SampleFormat::Float => 3,
            SampleFormat::ComplexInt => 5,
            SampleFormat::ComplexFloat => 6,
        }
    }
}

/// Everything needed to decode one chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkParams<'a> {
    /// Compression scheme.
    pub compression: Compression,
    /// Predictor.
    pub predictor: Predictor,
    /// Byte order of the TIFF file.
    pub byte_order: ByteOrder,
    /// Pixels per row in this chunk (tile width, or image width for strips).
    pub width: u32,
    /// Rows in this chunk (tile height; strips: rows in this strip, the last may be shorter).
    pub rows: u32,
    /// Samples per pixel stored in this chunk (SamplesPerPixel for chunky, 1 for planar).
    pub samples: u16,
    /// Bits per sample, 1..=64 (128 for complex float64).
    pub bits_per_sample: u16,
    /// Sample format.
    pub sample_format: SampleFormat,
    /// TIFF JPEGTables tag (an abbreviated JPEG stream with DQT/DHT, SOI..EOI).
    pub jpeg_tables: Option<&'a [u8]>,
    /// Photometric=YCbCr with JPEG: output RGB as GDAL does (JPEGCOLORMODE=RGB).
    pub ycbcr_to_rgb: bool,
}

impl ChunkParams<'_> {
    /// The data type the decoded samples are presented as (GDAL's rules): 1–7 bits -> U8, 9–15
    /// bits -> U16, 17–31 bits -> U32 (all unsigned), 16-bit float -> F32, 8/16/32/64 bits by
    /// sample format, complex int 32/64 bits -> CI16/CI32, complex float 64/128 -> CF32/CF64.
    pub fn output_type(&self) -> Result<DataType, CodecError> {
        use SampleFormat::*;
        let b = self.bits_per_sample;
        let t = match (self.sample_format, b) {
            (_, 0) => return Err(CodecError::invalid("0 bits per sample")),
            (Float, 16 | 32) => DataType::F32,
            (Float, 64) => DataType::F64,
            (ComplexInt, 32) => DataType::CI16,
            (ComplexInt, 64) => DataType::CI32,
            (ComplexFloat, 64) => DataType::CF32,
            (ComplexFloat, 128) => DataType::CF64,
            (Uint | Int, 1..=7) => DataType::U8,
            (Uint, 8) => DataType::U8,
            (Int, 8) => DataType::I8,
            (Uint | Int, 9..=15) => DataType::U16,
            (Uint, 16) => DataType::U16,
            (Int, 16) => DataType::I16,
            (Uint | Int, 17..=31) => DataType::U32,
            (Uint, 32) => DataType::U32,
            (Int, 32) => DataType::I32,
            (Uint, 64) => DataType::U64,
            (Int, 64) => DataType::I64,
            (f, b) => {
                return Err(CodecError::unsupported(format!(
                    "{b}-bit samples of format {f:?}"
                )))
            }
        };
        Ok(t)
    }

    fn check_dims(&self) -> Result<(), CodecError> {
        if self.width == 0 || self.rows == 0 || self.samples == 0 {
            return Err(CodecError::invalid(format!(
                "chunk of {}x{} pixels with {} samples",
                self.width, self.rows, self.samples
            )));
        }
        Ok(())
    }

    fn limit(what: &'static str, v: Option<u64>) -> Result<usize, CodecError> {
        match v {
            Some(v) if v <= MAX_CHUNK_BYTES as u64 => Ok(v as usize),
            v => Err(CodecError::LimitExceeded {
                what,
                value: v.unwrap_or(u64::MAX),
                limit: MAX_CHUNK_BYTES as u64,
            }),
        }
    }

    /// Bytes of decoded output: `width * rows * samples * output_type().size_bytes()`.
    pub fn output_len(&self) -> Result<usize, CodecError> {
        let t = self.output_type()?;
        self.check_dims()?;
        let v = (self.width as u64)
            .checked_mul(self.rows as u64)
            .and_then(|v| v.checked_mul(self.samples as u64))
            .and_then(|v| v.checked_mul(t.size_bytes() as u64));
        Self::limit("decoded chunk size", v)
    }

    /// Bytes of decompressed data before unpacking: `width * rows * samples * bps / 8` for whole
    /// byte depths, otherwise each row is padded to a whole byte: `ceil(width * samples * bps /
    /// 8) * rows`.
    pub fn packed_len(&self) -> Result<usize, CodecError> {
        self.check_dims()?;
        let v = (self.width as u64)
            .checked_mul(self.samples as u64)
            .and_then(|v| v.checked_mul(self.bits_per_sample as u64))
            .map(|bits| bits.div_ceil(8))
            .and_then(|row| row.checked_mul(self.rows as u64));
        Self::limit("packed chunk size", v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(bps: u16, fmt: SampleFormat) -> ChunkParams<'static> {
        ChunkParams {
            compression: Compression::None,
            predictor: Predictor::None,
            byte_order: ByteOrder::Little,
            width: 10,
            rows: 3,
            samples: 2,
            bits_per_sample: bps,
            sample_format: fmt,
            jpeg_tables: None,
            ycbcr_to_rgb: false,
        }
    }

    #[test]
    fn data_type_names_round_trip() {
        for t in DataType::ALL {
            assert_eq!(DataType::from_name(t.name()), Some(t));
        }
        assert_eq!(DataType::from_name("uint7"), None);
        assert_eq!(DataType::CF64.size_bytes(), 16);
        assert_eq!(DataType::CI16.size_bytes(), 4);
        assert_eq!(DataType::CI16.component_bytes(), 2);
        assert!(DataType::CI16.is_signed() && !DataType::CI16.is_float());
        assert!(DataType::CF32.is_float() && DataType::CF32.is_complex());
        assert!(!DataType::U64.is_signed() && DataType::I8.is_signed());
        assert_eq!(DataType::CF32.name(), "complex64");
    }

    #[test]
    fn compression_codes() {
        assert_eq!(Compression::from_code(1), Compression::None);
        assert_eq!(Compression::from_code(8), Compression::Deflate);
        assert_eq!(Compression::from_code(32946), Compression::AdobeDeflate);
        assert_eq!(Compression::from_code(32946).code(), 32946);
        for c in [1u16, 5, 7, 8, 32946, 32773, 50000, 50001, 34887, 9] {
            assert_eq!(Compression::from_code(c).code(), c);
        }
        let names = [
            (5, "LZW"),
            (7, "JPEG"),
            (8, "DEFLATE"),
            (32946, "DEFLATE"),
            (32773, "PACKBITS"),
            (50000, "ZSTD"),
            (50001, "WEBP"),
            (34887, "LERC"),
            (34712, "JPEG2000"),
            (3, "CCITTFAX3"),
            (4, "CCITTFAX4"),
            (2, "CCITTRLE"),
            (34925, "LZMA"),
            (50002, "JXL"),
            (52546, "JXL"),
            (6, "OJPEG"),
        ];
        for (c, n) in names {
            assert_eq!(Compression::from_code(c).gdal_name(), Some(n), "{c}");
        }
        assert_eq!(Compression::None.gdal_name(), None);
        assert!(Compression::Jpeg.is_lossy() && !Compression::Lzw.is_lossy());
        assert_eq!(
            Compression::from_code(34887).unsupported().to_string(),
            "compression LERC (34887) is not supported"
        );
        assert_eq!(
            Compression::from_code(12345).describe(),
            "compression 12345"
        );
    }

    #[test]
    fn predictor_and_format_codes() {
        assert_eq!(Predictor::from_code(3).unwrap(), Predictor::FloatingPoint);
        assert!(matches!(
            Predictor::from_code(4),
            Err(CodecError::Unsupported { .. })
        ));
        assert_eq!(SampleFormat::from_code(4).unwrap(), SampleFormat::Uint);
        assert_eq!(
            SampleFormat::from_code(6).unwrap(),
            SampleFormat::ComplexFloat
        );
        assert!(SampleFormat::from_code(7).is_err());
    }

    #[test]
    fn output_types_and_lengths() {
        use SampleFormat::*;
        let cases = [
            (1, Uint, DataType::U8),
            (4, Int, DataType::U8),
            (8, Uint, DataType::U8),
            (8, Int, DataType::I8),
            (12, Uint, DataType::U16),
            (12, Int, DataType::U16),
            (16, Int, DataType::I16),
            (16, Float, DataType::F32),
            (24, Uint, DataType::U32),
            (32, Float, DataType::F32),
            (64, Float, DataType::F64),
            (64, Int, DataType::I64),
            (32, ComplexInt, DataType::CI16),
            (64, ComplexInt, DataType::CI32),
            (64, ComplexFloat, DataType::CF32),
            (128, ComplexFloat, DataType::CF64),
        ];
        for (b, f, t) in cases {
            let p = params(b, f);
            assert_eq!(p.output_type().unwrap(), t, "{b} {f:?}");
            assert_eq!(p.output_len().unwrap(), 10 * 3 * 2 * t.size_bytes());
        }
        for (b, f) in [
            (24, Float),
            (8, Float),
            (16, ComplexInt),
            (48, Uint),
            (0, Uint),
        ] {
            assert!(params(b, f).output_type().is_err(), "{b} {f:?}");
        }
        // Packed sizes: 1 bit, 20 values per row -> 3 bytes per row.
        assert_eq!(params(1, Uint).packed_len().unwrap(), 9);
        assert_eq!(params(12, Uint).packed_len().unwrap(), 30 * 3);
        assert_eq!(params(16, Uint).packed_len().unwrap(), 120);
        let mut p = params(64, Float);
        p.width = u32::MAX;
        p.rows = u32::MAX;
        assert!(matches!(
            p.output_len(),
            Err(CodecError::LimitExceeded { .. })
        ));
        p.width = 0;
        assert!(matches!(
            p.output_len(),
            Err(CodecError::InvalidParams { .. })
        ));
    }
}
