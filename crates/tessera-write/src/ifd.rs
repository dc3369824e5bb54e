//! Serialisation of one TIFF image file directory (IFD), classic or BigTIFF, either byte order.

use crate::WriteError;
use std::collections::BTreeMap;
use tessera_tiff::{ByteOrder, FieldType, Tag};

/// A typed tag value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// BYTE (1).
    Byte(Vec<u8>),
    /// ASCII (2). A terminating NUL is added unless the text already ends with one.
    Ascii(String),
    /// SHORT (3).
    Short(Vec<u16>),
    /// LONG (4).
    Long(Vec<u32>),
    /// RATIONAL (5): (numerator, denominator) pairs.
    Rational(Vec<(u32, u32)>),
    /// SBYTE (6).
    SByte(Vec<i8>),
    /// UNDEFINED (7).
    Undefined(Vec<u8>),
    /// SSHORT (8).
    SShort(Vec<i16>),
    /// SLONG (9).
    SLong(Vec<i32>),
    /// FLOAT (11).
    Float(Vec<f32>),
    /// DOUBLE (12).
    Double(Vec<f64>),
    /// LONG8 (16), BigTIFF only.
    Long8(Vec<u64>),
}

impl Value {
    /// The TIFF field type of the value.
    pub fn field_type(&self) -> FieldType {
        match self {
            Value::Byte(_) => FieldType::Byte,
            Value::Ascii(_) => FieldType::Ascii,
            Value::Short(_) => FieldType::Short,
            Value::Long(_) => FieldType::Long,
            Value::Rational(_) => FieldType::Rational,
            Value::SByte(_) => FieldType::SByte,
            Value::Undefined(_) => FieldType::Undefined,
            Value::SShort(_) => FieldType::SShort,
            Value::SLong(_) => FieldType::SLong,
            Value::Float(_) => FieldType::Float,
            Value::Double(_) => FieldType::Double,
            Value::Long8(_) => FieldType::Long8,
        }
    }

    /// The entry's count (number of values; bytes including the NUL for ASCII).
    pub fn count(&self) -> u64 {
        (match self {
            Value::Byte(v) | Value::Undefined(v) => v.len(),
            Value::Ascii(s) => s.len() + usize::from(!s.ends_with('\0')),
            Value::Short(v) => v.len(),
            Value::Long(v) => v.len(),
            Value::Rational(v) => v.len(),
            Value::SByte(v) => v.len(),
            Value::SShort(v) => v.len(),
            Value::SLong(v) => v.len(),
            Value::Float(v) => v.len(),
            Value::Double(v) => v.len(),
            Value::Long8(v) => v.len(),
        }) as u64
    }

    /// Size of the value in bytes.
    pub fn byte_len(&self) -> u64 {
        self.count() * self.field_type().size()
    }

    fn write(&self, order: ByteOrder, out: &mut Vec<u8>) {
        macro_rules! put {
            ($v:expr) => {
                for x in $v {
                    match order {
                        ByteOrder::Little => out.extend_from_slice(&x.to_le_bytes()),
                        ByteOrder::Big => out.extend_from_slice(&x.to_be_bytes()),
                    }
                }
            };
        }
        match self {
            Value::Byte(v) | Value::Undefined(v) => out.extend_from_slice(v),
            Value::Ascii(s) => {
                out.extend_from_slice(s.as_bytes());
                if !s.ends_with('\0') {
                    out.push(0);
                }
            }
            Value::Short(v) => put!(v),
            Value::Long(v) => put!(v),
            Value::Rational(v) => put!(v.iter().flat_map(|&(n, d)| [n, d])),
            Value::SByte(v) => put!(v),
            Value::SShort(v) => put!(v),
            Value::SLong(v) => put!(v),
            Value::Float(v) => put!(v),
            Value::Double(v) => put!(v),
            Value::Long8(v) => put!(v),
        }
    }
}

/// Builds one IFD: entries are kept sorted by tag number (as TIFF requires); values that do not
/// fit in the entry are written after the entry table, each at a word-aligned offset (2 bytes in
/// classic TIFF, 8 in BigTIFF).
///
/// ```
/// use tessera_write::{IfdBuilder, Value};
/// use tessera_tiff::{ByteOrder, Tag};
/// let mut ifd = IfdBuilder::new();
/// ifd.set(Tag::ImageWidth, Value::Short(vec![100]));
/// ifd.set(Tag::Software, Value::Ascii("tessera".into()));
/// let bytes = ifd.serialize(8, 0, false, ByteOrder::Little).unwrap();
/// assert_eq!(bytes.len() as u64, ifd.encoded_len(false));
/// assert_eq!(&bytes[..2], &[2, 0]); // two entries
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IfdBuilder {
    entries: BTreeMap<u16, Value>,
}

fn align(x: u64, bigtiff: bool) -> u64 {
    let a = if bigtiff { 8 } else { 2 };
    x.div_ceil(a) * a
}

impl IfdBuilder {
    /// An empty IFD.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set (or replace) a tag.
    pub fn set(&mut self, tag: Tag, value: Value) -> &mut Self {
        self.entries.insert(tag.code(), value);
        self
    }

    /// The value of a tag, if set.
    pub fn get(&self, tag: Tag) -> Option<&Value> {
        self.entries.get(&tag.code())
    }

    /// Remove a tag, returning its value.
    pub fn remove(&mut self, tag: Tag) -> Option<Value> {
        self.entries.remove(&tag.code())
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no tag is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Size in bytes of the entry table (count, entries, next-IFD offset), without the values
    /// stored after it.
    pub fn table_len(&self, bigtiff: bool) -> u64 {
        let n = self.entries.len() as u64;
        if bigtiff {
            8 + 20 * n + 8
        } else {
            2 + 12 * n + 4
        }
    }

    /// Total size in bytes of [`IfdBuilder::serialize`]'s output when the IFD starts at an
    /// aligned offset.
    pub fn encoded_len(&self, bigtiff: bool) -> u64 {
        let inline = if bigtiff { 8 } else { 4 };
        let mut pos = self.table_len(bigtiff);
        for v in self.entries.values() {
            let len = v.byte_len();
            if len > inline {
                pos = align(pos, bigtiff) + len;
            }
        }
        pos
    }

    /// Serialise the IFD to be written at absolute file offset `ifd_offset` (which must be
    /// word-aligned: even in classic TIFF, a multiple of 8 in BigTIFF), pointing to the next IFD
    /// at `next_ifd` (0 for none). Returns the entry table followed by the out-of-line values.
    ///
    /// Errors: an empty value, LONG8 in a classic TIFF, or an offset or count beyond 32 bits in
    /// a classic TIFF.
    pub fn serialize(
        &self,
        ifd_offset: u64,
        next_ifd: u64,
        bigtiff: bool,
        order: ByteOrder,
    ) -> Result<Vec<u8>, WriteError> {
        if align(ifd_offset, bigtiff) != ifd_offset {
            return Err(WriteError::usage(format!(
                "IFD offset {ifd_offset} is not word-aligned"
            )));
        }
        let fits32 = |x: u64| -> Result<(), WriteError> {
            if !bigtiff && x > u32::MAX as u64 {
                Err(WriteError::ClassicTooLarge { offset: x })
            } else {
                Ok(())
            }
        };
        fits32(next_ifd)?;
        let total = self.encoded_len(bigtiff);
        fits32(ifd_offset.saturating_add(total))?;

        let mut table = Vec::with_capacity(self.table_len(bigtiff) as usize);
        let mut extra: Vec<u8> = Vec::new();
        let table_len = self.table_len(bigtiff);
        let inline = if bigtiff { 8 } else { 4 };
        let put_uint = |out: &mut Vec<u8>, x: u64, bytes: usize| match order {
            ByteOrder::Little => out.extend_from_slice(&x.to_le_bytes()[..bytes]),
            ByteOrder::Big => out.extend_from_slice(&x.to_be_bytes()[8 - bytes..]),
        };
        put_uint(
            &mut table,
            self.entries.len() as u64,
            if bigtiff { 8 } else { 2 },
        );
        for (&tag, value) in &self.entries {
            let ty = value.field_type();
            if ty == FieldType::Long8 && !bigtiff {
                return Err(WriteError::usage(format!(
                    "tag {tag}: LONG8 values need a BigTIFF file"
                )));
            }
            let count = value.count();
            if count == 0 {
                return Err(WriteError::usage(format!("tag {tag} has an empty value")));
            }
            fits32(count)?;
            put_uint(&mut table, tag as u64, 2);
            put_uint(&mut table, ty.code() as u64, 2);
            put_uint(&mut table, count, if bigtiff { 8 } else { 4 });
            let mut bytes = Vec::with_capacity(value.byte_len() as usize);
            value.write(order, &mut bytes);
            if bytes.len() as u64 <= inline {
                bytes.resize(inline as usize, 0);
                table.extend_from_slice(&bytes);
            } else {
                let rel = align(table_len + extra.len() as u64, bigtiff);
                extra.resize((rel - table_len) as usize, 0);
                let abs = ifd_offset + rel;
                put_uint(&mut table, abs, inline as usize);
                extra.extend_from_slice(&bytes);
            }
        }
        put_uint(&mut table, next_ifd, inline as usize);
        debug_assert_eq!(table.len() as u64, table_len);
        table.extend_from_slice(&extra);
        debug_assert_eq!(table.len() as u64, total);
        Ok(table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u16le(b: &[u8], at: usize) -> u16 {
        u16::from_le_bytes([b[at], b[at + 1]])
    }
    fn u32le(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
    }
    fn u64le(b: &[u8], at: usize) -> u64 {
        u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
    }

    #[test]
    fn classic_layout_sorted_inline_and_out_of_line() {
        let mut ifd = IfdBuilder::new();
        ifd.set(Tag::ModelPixelScale, Value::Double(vec![1.0, 2.0, 0.0]));
        ifd.set(Tag::ImageWidth, Value::Short(vec![7]));
        ifd.set(Tag::BitsPerSample, Value::Short(vec![8, 8, 8]));
        ifd.set(Tag::GdalNodata, Value::Ascii("0".into()));
        let off = 100;
        let b = ifd.serialize(off, 0, false, ByteOrder::Little).unwrap();
        assert_eq!(b.len() as u64, ifd.encoded_len(false));
        assert_eq!(u16le(&b, 0), 4);
        let tags: Vec<u16> = (0..4).map(|i| u16le(&b, 2 + 12 * i)).collect();
        assert_eq!(tags, vec![256, 258, 33550, 42113]);
        // ImageWidth inline SHORT.
        assert_eq!(u16le(&b, 2 + 2), 3);
        assert_eq!(u32le(&b, 2 + 4), 1);
        assert_eq!(u16le(&b, 2 + 8), 7);
        // BitsPerSample: 6 bytes, out of line right after the table (2+48+4 = 54).
        assert_eq!(u32le(&b, 14 + 8), off as u32 + 54);
        assert_eq!(&b[54..60], &[8, 0, 8, 0, 8, 0]);
        // Doubles at the next even offset: 60.
        let p = u32le(&b, 26 + 8) as u64;
        assert_eq!(p, off + 60);
        assert_eq!(f64::from_le_bytes(b[68..76].try_into().unwrap()), 2.0);
        // GDAL_NODATA "0\0" inline.
        assert_eq!(u32le(&b, 38 + 4), 2);
        assert_eq!(&b[38 + 8..38 + 12], b"0\0\0\0");
        // Next IFD.
        assert_eq!(u32le(&b, 50), 0);
    }

    #[test]
    fn odd_sized_values_stay_word_aligned() {
        let mut ifd = IfdBuilder::new();
        ifd.set(Tag::Software, Value::Ascii("abcde".into())); // 6 bytes
        ifd.set(Tag::Artist, Value::Ascii("abcdefg".into())); // 8 bytes, after the first
        ifd.set(Tag::ImageDescription, Value::Byte(vec![1, 2, 3, 4, 5]));
        let b = ifd.serialize(10, 0, false, ByteOrder::Little).unwrap();
        for i in 0..3 {
            let p = u32le(&b, 2 + 12 * i + 8);
            assert_eq!(p % 2, 0);
        }
        assert_eq!(b.len() as u64, ifd.encoded_len(false));
    }

    #[test]
    fn bigtiff_layout() {
        let mut ifd = IfdBuilder::new();
        ifd.set(Tag::TileOffsets, Value::Long8(vec![16, 1 << 33]));
        ifd.set(Tag::ImageWidth, Value::Long(vec![70000]));
        ifd.set(Tag::BitsPerSample, Value::Short(vec![16, 16, 16, 16]));
        let off = 4096;
        let b = ifd.serialize(off, 0, true, ByteOrder::Little).unwrap();
        assert_eq!(u64le(&b, 0), 3);
        // ImageWidth inline.
        assert_eq!(u16le(&b, 8), 256);
        assert_eq!(u16le(&b, 10), 4);
        assert_eq!(u64le(&b, 12), 1);
        assert_eq!(u32le(&b, 20), 70000);
        // BitsPerSample: 8 bytes fits inline in BigTIFF.
        assert_eq!(u16le(&b, 28), 258);
        assert_eq!(&b[40..48], &[16, 0, 16, 0, 16, 0, 16, 0]);
        // TileOffsets out of line at table end (8 + 60 + 8 = 76 -> aligned 80).
        assert_eq!(u16le(&b, 48), 324);
        assert_eq!(u16le(&b, 50), 16);
        assert_eq!(u64le(&b, 60), off + 80);
        assert_eq!(u64le(&b, 88), 1 << 33);
        assert_eq!(b.len(), 96);
    }

    #[test]
    fn big_endian() {
        let mut ifd = IfdBuilder::new();
        ifd.set(Tag::ImageWidth, Value::Short(vec![0x0102]));
        ifd.set(Tag::ImageLength, Value::Long(vec![0x01020304]));
        let b = ifd.serialize(8, 0, false, ByteOrder::Big).unwrap();
        assert_eq!(&b[..2], &[0, 2]);
        assert_eq!(&b[2..14], &[1, 0, 0, 3, 0, 0, 0, 1, 1, 2, 0, 0]);
        assert_eq!(&b[14..26], &[1, 1, 0, 4, 0, 0, 0, 1, 1, 2, 3, 4]);
    }

    #[test]
    fn errors() {
        let mut ifd = IfdBuilder::new();
        ifd.set(Tag::TileOffsets, Value::Long8(vec![1]));
        assert!(matches!(
            ifd.serialize(8, 0, false, ByteOrder::Little),
            Err(WriteError::Usage(_))
        ));
        assert!(ifd.serialize(8, 0, true, ByteOrder::Little).is_ok());
        assert!(matches!(
            ifd.serialize(9, 0, true, ByteOrder::Little),
            Err(WriteError::Usage(_))
        ));
        let mut ifd = IfdBuilder::new();
        ifd.set(Tag::ImageWidth, Value::Short(vec![]));
        assert!(matches!(
            ifd.serialize(8, 0, false, ByteOrder::Little),
            Err(WriteError::Usage(_))
        ));
        let mut ifd = IfdBuilder::new();
        ifd.set(Tag::ImageWidth, Value::Short(vec![1]));
        assert!(matches!(
            ifd.serialize(u32::MAX as u64 - 3, 0, false, ByteOrder::Little),
            Err(WriteError::ClassicTooLarge { .. })
        ));
    }
}
