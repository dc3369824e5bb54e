//! The tag table, declared once: number, Rust name and TIFF name of every tag
//! tessera reads or writes. Unknown tags stay readable by number.

macro_rules! tags {
    ($($name:ident = $code:expr, $text:expr;)*) => {
        /// A TIFF tag tessera knows by name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Tag {
            $(
                #[doc = $text]
                $name,
            )*
            /// Any other tag, by number.
            Unknown(u16),
        }

        impl Tag {
            /// The tag for a number.
            pub fn from_code(code: u16) -> Tag {
                match code {
                    $($code => Tag::$name,)*
                    other => Tag::Unknown(other),
                }
            }

            /// The tag's number.
            pub fn code(self) -> u16 {
                match self {
                    $(Tag::$name => $code,)*
                    Tag::Unknown(code) => code,
                }
            }

            /// The tag's name as the TIFF/GeoTIFF specifications spell it.
            pub fn name(self) -> &'static str {
                match self {
                    $(Tag::$name => $text,)*
                    Tag::Unknown(_) => "unknown tag",
                }
            }
        }
    };
}

tags! {
    NewSubfileType = 254, "NewSubfileType";
    SubfileType = 255, "SubfileType";
    ImageWidth = 256, "ImageWidth";
    ImageLength = 257, "ImageLength";
    BitsPerSample = 258, "BitsPerSample";
    Compression = 259, "Compression";
    PhotometricInterpretation = 262, "PhotometricInterpretation";
    FillOrder = 266, "FillOrder";
    DocumentName = 269, "DocumentName";
    ImageDescription = 270, "ImageDescription";
    Make = 271, "Make";
    Model = 272, "Model";
    StripOffsets = 273, "StripOffsets";
    Orientation = 274, "Orientation";
    SamplesPerPixel = 277, "SamplesPerPixel";
    RowsPerStrip = 278, "RowsPerStrip";
    StripByteCounts = 279, "StripByteCounts";
    MinSampleValue = 280, "MinSampleValue";
    MaxSampleValue = 281, "MaxSampleValue";
    XResolution = 282, "XResolution";
    YResolution = 283, "YResolution";
    PlanarConfiguration = 284, "PlanarConfiguration";
    PageName = 285, "PageName";
    XPosition = 286, "XPosition";
    YPosition = 287, "YPosition";
    ResolutionUnit = 296, "ResolutionUnit";
    PageNumber = 297, "PageNumber";
    Software = 305, "Software";
    DateTime = 306, "DateTime";
    Artist = 315, "Artist";
    HostComputer = 316, "HostComputer";
    Predictor = 317, "Predictor";
    ColorMap = 320, "ColorMap";
    TileWidth = 322, "TileWidth";
    TileLength = 323, "TileLength";
    TileOffsets = 324, "TileOffsets";
    TileByteCounts = 325, "TileByteCounts";
    SubIfds = 330, "SubIFDs";
    InkSet = 332, "InkSet";
    ExtraSamples = 338, "ExtraSamples";
    SampleFormat = 339, "SampleFormat";
    SMinSampleValue = 340, "SMinSampleValue";
    SMaxSampleValue = 341, "SMaxSampleValue";
    JpegTables = 347, "JPEGTables";
    YCbCrCoefficients = 529, "YCbCrCoefficients";
    YCbCrSubSampling = 530, "YCbCrSubSampling";
    YCbCrPositioning = 531, "YCbCrPositioning";
    ReferenceBlackWhite = 532, "ReferenceBlackWhite";
    Xmp = 700, "XMP";
    Copyright = 33432, "Copyright";
    ModelPixelScale = 33550, "ModelPixelScaleTag";
    IptcNaa = 33723, "IPTC";
    ModelTiepoint = 33922, "ModelTiepointTag";
    ModelTransformation = 34264, "ModelTransformationTag";
    Photoshop = 34377, "Photoshop";
    GeoKeyDirectory = 34735, "GeoKeyDirectoryTag";
    GeoDoubleParams = 34736, "GeoDoubleParamsTag";
    GeoAsciiParams = 34737, "GeoAsciiParamsTag";
    GdalMetadata = 42112, "GDAL_METADATA";
    GdalNodata = 42113, "GDAL_NODATA";
    LercParameters = 50674, "LercParameters";
}

/// TIFF field types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// 1: u8
    Byte,
    /// 2: NUL-terminated 7-bit text
    Ascii,
    /// 3: u16
    Short,
    /// 4: u32
    Long,
    /// 5: two u32 (numerator, denominator)
    Rational,
    /// 6: i8
    SByte,
    /// 7: opaque bytes
    Undefined,
    /// 8: i16
    SShort,
    /// 9: i32
    SLong,
    /// 10: two i32
    SRational,
    /// 11: f32
    Float,
    /// 12: f64
    Double,
    /// 13: u32 IFD offset
    Ifd,
    /// 16: u64 (BigTIFF)
    Long8,
    /// 17: i64 (BigTIFF)
    SLong8,
    /// 18: u64 IFD offset (BigTIFF)
    Ifd8,
}

impl FieldType {
    /// The type for a code, `None` for codes TIFF does not define.
    pub fn from_code(code: u16) -> Option<FieldType> {
        Some(match code {
            1 => FieldType::Byte,
            2 => FieldType::Ascii,
            3 => FieldType::Short,
            4 => FieldType::Long,
            5 => FieldType::Rational,
            6 => FieldType::SByte,
            7 => FieldType::Undefined,
            8 => FieldType::SShort,
            9 => FieldType::SLong,
            10 => FieldType::SRational,
            11 => FieldType::Float,
            12 => FieldType::Double,
            13 => FieldType::Ifd,
            16 => FieldType::Long8,
            17 => FieldType::SLong8,
            18 => FieldType::Ifd8,
            _ => return None,
        })
    }

    /// The type's code.
    pub fn code(self) -> u16 {
        match self {
            FieldType::Byte => 1,
            FieldType::Ascii => 2,
            FieldType::Short => 3,
            FieldType::Long => 4,
            FieldType::Rational => 5,
            FieldType::SByte => 6,
            FieldType::Undefined => 7,
            FieldType::SShort => 8,
            FieldType::SLong => 9,
            FieldType::SRational => 10,
            FieldType::Float => 11,
            FieldType::Double => 12,
            FieldType::Ifd => 13,
            FieldType::Long8 => 16,
            FieldType::SLong8 => 17,
            FieldType::Ifd8 => 18,
        }
    }

    /// Bytes per value.
    pub fn size(self) -> u64 {
        match self {
            FieldType::Byte | FieldType::Ascii | FieldType::SByte | FieldType::Undefined => 1,
            FieldType::Short | FieldType::SShort => 2,
            FieldType::Long | FieldType::SLong | FieldType::Float | FieldType::Ifd => 4,
            FieldType::Rational
            | FieldType::SRational
            | FieldType::Double
            | FieldType::Long8
            | FieldType::SLong8
            | FieldType::Ifd8 => 8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_codes_round_trip() {
        for code in [256u16, 259, 273, 330, 33550, 34735, 42113, 9999] {
            assert_eq!(Tag::from_code(code).code(), code);
        }
        assert_eq!(Tag::from_code(34735), Tag::GeoKeyDirectory);
        assert_eq!(Tag::from_code(9999), Tag::Unknown(9999));
        assert_eq!(Tag::ImageWidth.name(), "ImageWidth");
    }

    #[test]
    fn field_type_codes_round_trip() {
        for code in 0u16..20 {
            if let Some(t) = FieldType::from_code(code) {
                assert_eq!(t.code(), code);
            }
        }
        assert_eq!(FieldType::from_code(14), None);
        assert_eq!(FieldType::Double.size(), 8);
    }
}
