//! Header and IFD parsing: the main IFD chain and SubIFDs, with cycle detection.

use std::collections::HashSet;

use crate::{ByteOrder, ByteSource, FieldType, Limits, Tag, TiffError};

/// One IFD entry: where its values live in the file (inline values included, as
/// the absolute offset of the entry's value field), so reading any entry is a
/// bounds-checked slice of the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Tag number.
    pub tag: u16,
    /// Field type code as stored (may be a code TIFF does not define).
    pub type_code: u16,
    /// Number of values.
    pub count: u64,
    /// Absolute file offset of the first value byte.
    pub data_offset: u64,
}

impl Entry {
    /// The field type, `None` for undefined codes.
    pub fn field_type(&self) -> Option<FieldType> {
        FieldType::from_code(self.type_code)
    }
}

/// An entry's field type, value count and value bytes.
type TypedValues<'a> = (FieldType, u64, &'a [u8]);

/// Where an IFD sits in the file's structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfdKind {
    /// An IFD of the main chain (page), with its position in the chain.
    Main {
        /// 0-based position in the main chain.
        page: usize,
    },
    /// An IFD reached through the SubIFDs tag of another IFD.
    Sub {
        /// Index (in [`TiffFile::all_ifds`]) of the IFD that points to it.
        parent: usize,
    },
}

/// One image file directory.
#[derive(Debug, Clone)]
pub struct Ifd {
    /// Position in [`TiffFile::all_ifds`] (walk order).
    pub index: usize,
    /// File offset of the IFD.
    pub offset: u64,
    /// Main chain or SubIFD.
    pub kind: IfdKind,
    /// Entries sorted by tag (as read; duplicates keep the first).
    pub entries: Vec<Entry>,
    byte_order: ByteOrder,
    source: ByteSource,
    max_tag_bytes: u64,
}

/// A parsed TIFF: header and every IFD, no pixels read.
#[derive(Debug, Clone)]
pub struct TiffFile {
    source: ByteSource,
    byte_order: ByteOrder,
    bigtiff: bool,
    all: Vec<Ifd>,
    main: Vec<usize>,
    warnings: Vec<String>,
}

/// Little helper reading integers in the file's byte order.
#[derive(Clone, Copy)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    order: ByteOrder,
}

impl<'a> Reader<'a> {
    fn slice<const N: usize>(&self, at: u64) -> Option<[u8; N]> {
        let start = usize::try_from(at).ok()?;
        let end = start.checked_add(N)?;
        self.bytes.get(start..end)?.try_into().ok()
    }
    fn u16(&self, at: u64) -> Option<u16> {
        let b = self.slice::<2>(at)?;
        Some(match self.order {
            ByteOrder::Little => u16::from_le_bytes(b),
            ByteOrder::Big => u16::from_be_bytes(b),
        })
    }
    fn u32(&self, at: u64) -> Option<u32> {
        let b = self.slice::<4>(at)?;
        Some(match self.order {
            ByteOrder::Little => u32::from_le_bytes(b),
            ByteOrder::Big => u32::from_be_bytes(b),
        })
    }
    fn u64(&self, at: u64) -> Option<u64> {
        let b = self.slice::<8>(at)?;
        Some(match self.order {
            ByteOrder::Little => u64::from_le_bytes(b),
            ByteOrder::Big => u64::from_be_bytes(b),
        })
    }
}

impl TiffFile {
    /// Parse the header and walk every IFD (main chain and SubIFDs).
    ///
    /// The first IFD must parse; a broken later IFD ends the walk with a warning
    /// (as libtiff does), so a file GDAL opens opens here too.
    pub fn parse(source: ByteSource, limits: &Limits) -> Result<TiffFile, TiffError> {
        let bytes = source.bytes();
        if bytes.len() < 8 {
            return Err(TiffError::format(format!(
                "file is {} bytes, too short for a TIFF header",
                bytes.len()
            )));
        }
        let byte_order = match &bytes[0..2] {
            b"II" => ByteOrder::Little,
            b"MM" => ByteOrder::Big,
            _ => {
                return Err(TiffError::format(
                    "no TIFF byte-order mark (expected 'II' or 'MM')",
                ))
            }
        };
        let r = Reader {
            bytes,
            order: byte_order,
        };
        let version = r.u16(2).unwrap_or(0);
        let (bigtiff, first) = match version {
            42 => (false, u64::from(r.u32(4).unwrap_or(0))),
            43 => {
                let offset_size = r.u16(4).unwrap_or(0);
                if offset_size != 8 {
                    return Err(TiffError::format(format!(
                        "BigTIFF offset size is {offset_size}, expected 8"
                    )));
                }
                let first = r
                    .u64(8)
                    .ok_or_else(|| TiffError::format("BigTIFF header truncated"))?;
                (true, first)
            }
            v => {
                return Err(TiffError::format(format!(
                    "TIFF version {v}, expected 42 (TIFF) or 43 (BigTIFF)"
                )))
            }
        };

        let mut file = TiffFile {
            source: source.clone(),
            byte_order,
            bigtiff,
            all: Vec::new(),
            main: Vec::new(),
            warnings: Vec::new(),
        };
        let mut visited = HashSet::new();
        let mut pending_subs: Vec<(usize, u64)> = Vec::new();
        let mut next = first;
        let mut page = 0usize;
        while next != 0 {
            if file.all.len() >= limits.max_ifds {
                return Err(TiffError::LimitsExceeded {
                    what: format!("more than {} IFDs", limits.max_ifds),
                });
            }
            if !visited.insert(next) {
                if page == 0 {
                    return Err(TiffError::format("IFD cycle at the first IFD"));
                }
                file.warnings
                    .push(format!("IFD cycle: IFD at offset {next} was already read"));
                break;
            }
            let index = file.all.len();
            match parse_ifd(
                &source,
                r,
                bigtiff,
                next,
                index,
                IfdKind::Main { page },
                limits,
            ) {
                Ok((ifd, following)) => {
                    for off in sub_ifd_offsets(&ifd)? {
                        pending_subs.push((index, off));
                    }
                    file.all.push(ifd);
                    file.main.push(index);
                    next = following;
                    page += 1;
                }
                Err(e) if page > 0 => {
                    file.warnings
                        .push(format!("IFD {page}: {e}; stopped there"));
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        // SubIFDs (and their own SubIFDs), breadth first.
        while let Some((parent, offset)) = pending_subs.pop() {
            if file.all.len() >= limits.max_ifds {
                return Err(TiffError::LimitsExceeded {
                    what: format!("more than {} IFDs", limits.max_ifds),
                });
            }
            if offset == 0 || !visited.insert(offset) {
                file.warnings.push(format!(
                    "SubIFD at offset {offset} of IFD {parent} is null or already read"
                ));
                continue;
            }
            let index = file.all.len();
            match parse_ifd(
                &source,
                r,
                bigtiff,
                offset,
                index,
                IfdKind::Sub { parent },
                limits,
            ) {
                Ok((ifd, _next)) => {
                    for off in sub_ifd_offsets(&ifd)? {
                        pending_subs.push((index, off));
                    }
                    file.all.push(ifd);
                }
                Err(e) => file
                    .warnings
                    .push(format!("SubIFD of IFD {parent}: {e}; skipped")),
            }
        }
        Ok(file)
    }

    /// The byte source the file was parsed from.
    pub fn source(&self) -> &ByteSource {
        &self.source
    }
    /// Byte order.
    pub fn byte_order(&self) -> ByteOrder {
        self.byte_order
    }
    /// True for BigTIFF.
    pub fn is_bigtiff(&self) -> bool {
        self.bigtiff
    }
    /// The IFDs of the main chain, in file order.
    pub fn ifds(&self) -> Vec<&Ifd> {
        self.main.iter().map(|&i| &self.all[i]).collect()
    }
    /// Every IFD: main chain first, then SubIFDs.
    pub fn all_ifds(&self) -> &[Ifd] {
        &self.all
    }
    /// Non-fatal problems met while walking (broken later IFDs, cycles).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

fn sub_ifd_offsets(ifd: &Ifd) -> Result<Vec<u64>, TiffError> {
    Ok(ifd.u64s(Tag::SubIfds)?.unwrap_or_default())
}

fn parse_ifd(
    source: &ByteSource,
    r: Reader<'_>,
    bigtiff: bool,
    offset: u64,
    index: usize,
    kind: IfdKind,
    limits: &Limits,
) -> Result<(Ifd, u64), TiffError> {
    let (count_size, entry_size, value_field) = if bigtiff { (8, 20, 8) } else { (2, 12, 4) };
    let count = if bigtiff {
        r.u64(offset)
    } else {
        r.u16(offset).map(u64::from)
    }
    .ok_or_else(|| TiffError::format(format!("IFD offset {offset} is past the end of the file")))?;
    if count as usize > limits.max_entries_per_ifd {
        return Err(TiffError::LimitsExceeded {
            what: format!(
                "IFD at offset {offset} claims {count} entries (limit {})",
                limits.max_entries_per_ifd
            ),
        });
    }
    let table_end = offset + count_size + count * entry_size;
    if table_end > source.len() {
        return Err(TiffError::format(format!(
            "IFD at offset {offset} with {count} entries runs past the end of the file"
        )));
    }
    let mut entries: Vec<Entry> = Vec::with_capacity(count as usize);
    for i in 0..count {
        let at = offset + count_size + i * entry_size;
        let tag = r.u16(at).unwrap_or(0);
        let type_code = r.u16(at + 2).unwrap_or(0);
        let n = if bigtiff {
            r.u64(at + 4).unwrap_or(0)
        } else {
            u64::from(r.u32(at + 4).unwrap_or(0))
        };
        let field_at = at + 4 + if bigtiff { 8 } else { 4 };
        let Some(ft) = FieldType::from_code(type_code) else {
            // libtiff ignores entries of unknown type; so do we.
            continue;
        };
        let Some(size) = n.checked_mul(ft.size()) else {
            continue;
        };
        let data_offset = if size <= value_field {
            field_at
        } else if bigtiff {
            r.u64(field_at).unwrap_or(u64::MAX)
        } else {
            u64::from(r.u32(field_at).unwrap_or(u32::MAX))
        };
        entries.push(Entry {
            tag,
            type_code,
            count: n,
            data_offset,
        });
    }
    // Sorted by tag, first occurrence kept (a stable sort then dedup keeps the first).
    entries.sort_by_key(|e| e.tag);
    entries.dedup_by_key(|e| e.tag);
    let next = if bigtiff {
        r.u64(table_end)
    } else {
        r.u32(table_end).map(u64::from)
    }
    .unwrap_or(0);
    Ok((
        Ifd {
            index,
            offset,
            kind,
            entries,
            byte_order: r.order,
            source: source.clone(),
            max_tag_bytes: limits.max_tag_bytes,
        },
        next,
    ))
}

impl Ifd {
    /// The entry for a tag.
    pub fn entry(&self, tag: Tag) -> Option<&Entry> {
        let code = tag.code();
        self.entries
            .binary_search_by_key(&code, |e| e.tag)
            .ok()
            .map(|i| &self.entries[i])
    }

    /// True when the tag is present.
    pub fn has(&self, tag: Tag) -> bool {
        self.entry(tag).is_some()
    }

    /// Tag numbers present, ascending.
    pub fn tag_codes(&self) -> Vec<u16> {
        self.entries.iter().map(|e| e.tag).collect()
    }

    /// Byte order of the file this IFD belongs to.
    pub fn byte_order(&self) -> ByteOrder {
        self.byte_order
    }

    fn bad(&self, tag: Tag, what: impl Into<String>) -> TiffError {
        TiffError::BadTag {
            ifd: self.index,
            tag: tag.code(),
            tag_name: tag.name(),
            what: what.into(),
        }
    }

    /// The raw value bytes of an entry (in file byte order).
    pub fn raw(&self, tag: Tag) -> Result<Option<&[u8]>, TiffError> {
        let Some(e) = self.entry(tag) else {
            return Ok(None);
        };
        let ft = e
            .field_type()
            .ok_or_else(|| self.bad(tag, format!("unknown field type {}", e.type_code)))?;
        let len = e
            .count
            .checked_mul(ft.size())
            .ok_or_else(|| self.bad(tag, "value size overflows"))?;
        if len > self.max_tag_bytes {
            return Err(TiffError::LimitsExceeded {
                what: format!(
                    "IFD {}: tag {} ({}) holds {len} bytes (limit {})",
                    self.index,
                    tag.code(),
                    tag.name(),
                    self.max_tag_bytes
                ),
            });
        }
        self.source
            .range(e.data_offset, len)
            .map(Some)
            .ok_or_else(|| {
                self.bad(
                    tag,
                    format!(
                        "{len} bytes of values at offset {} run past the end of the file",
                        e.data_offset
                    ),
                )
            })
    }

    /// The value bytes and type of an entry, checked against the limits and the file.
    fn typed_raw(&self, tag: Tag) -> Result<Option<TypedValues<'_>>, TiffError> {
        let Some(raw) = self.raw(tag)? else {
            return Ok(None);
        };
        let e = self.entry(tag).expect("raw() found the entry");
        let ft = e.field_type().expect("raw() checked the type");
        Ok(Some((ft, e.count, raw)))
    }

    /// Values of an integer tag (BYTE, SHORT, LONG, LONG8, IFD, IFD8; signed types if not negative).
    pub fn u64s(&self, tag: Tag) -> Result<Option<Vec<u64>>, TiffError> {
        let Some((ft, count, raw)) = self.typed_raw(tag)? else {
            return Ok(None);
        };
        let r = Reader {
            bytes: raw,
            order: self.byte_order,
        };
        let mut out = Vec::with_capacity(count as usize);
        for i in 0..count {
            let v = integer_at(r, ft, i)
                .ok_or_else(|| self.bad(tag, format!("expected integers, found {ft:?}")))?;
            let v = u64::try_from(v).map_err(|_| self.bad(tag, format!("negative value {v}")))?;
            out.push(v);
        }
        Ok(Some(out))
    }

    /// The first value of an integer tag (only that value is read, even when the tag holds many).
    pub fn u64(&self, tag: Tag) -> Result<Option<u64>, TiffError> {
        let Some(e) = self.entry(tag) else {
            return Ok(None);
        };
        let ft = e
            .field_type()
            .ok_or_else(|| self.bad(tag, format!("unknown field type {}", e.type_code)))?;
        if e.count == 0 {
            return Err(self.bad(tag, "no values"));
        }
        let raw = self
            .source
            .range(e.data_offset, ft.size())
            .ok_or_else(|| self.bad(tag, "value lies past the end of the file"))?;
        let r = Reader {
            bytes: raw,
            order: self.byte_order,
        };
        let v = integer_at(r, ft, 0)
            .ok_or_else(|| self.bad(tag, format!("expected an integer, found {ft:?}")))?;
        u64::try_from(v)
            .map(Some)
            .map_err(|_| self.bad(tag, format!("negative value {v}")))
    }

    /// Values of any numeric tag as f64 (rationals divided out).
    pub fn f64s(&self, tag: Tag) -> Result<Option<Vec<f64>>, TiffError> {
        let Some((ft, count, raw)) = self.typed_raw(tag)? else {
            return Ok(None);
        };
        let r = Reader {
            bytes: raw,
            order: self.byte_order,
        };
        let ratio = |num: f64, den: f64| if den == 0.0 { 0.0 } else { num / den };
        let mut out = Vec::with_capacity(count as usize);
        for i in 0..count {
            let v = match ft {
                FieldType::Float => f64::from(f32::from_bits(r.u32(i * 4).unwrap_or(0))),
                FieldType::Double => f64::from_bits(r.u64(i * 8).unwrap_or(0)),
                FieldType::Rational => ratio(
                    f64::from(r.u32(i * 8).unwrap_or(0)),
                    f64::from(r.u32(i * 8 + 4).unwrap_or(0)),
                ),
                FieldType::SRational => ratio(
                    f64::from(r.u32(i * 8).unwrap_or(0) as i32),
                    f64::from(r.u32(i * 8 + 4).unwrap_or(0) as i32),
                ),
                _ => integer_at(r, ft, i)
                    .ok_or_else(|| self.bad(tag, format!("expected numbers, found {ft:?}")))?
                    as f64,
            };
            out.push(v);
        }
        Ok(Some(out))
    }

    /// An ASCII tag: the text up to the first NUL, invalid UTF-8 replaced.
    pub fn ascii(&self, tag: Tag) -> Result<Option<String>, TiffError> {
        let Some(raw) = self.raw(tag)? else {
            return Ok(None);
        };
        let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
        Ok(Some(String::from_utf8_lossy(&raw[..end]).into_owned()))
    }

    /// An ASCII tag with every NUL-separated part joined by `|` kept as is (GeoAsciiParams).
    pub fn ascii_all(&self, tag: Tag) -> Result<Option<String>, TiffError> {
        let Some(raw) = self.raw(tag)? else {
            return Ok(None);
        };
        Ok(Some(String::from_utf8_lossy(raw).into_owned()))
    }
}

/// The `i`-th value of an integer-typed field, `None` for non-integer types.
fn integer_at(r: Reader<'_>, ft: FieldType, i: u64) -> Option<i128> {
    Some(match ft {
        FieldType::Byte | FieldType::Undefined => i128::from(*r.bytes.get(i as usize)?),
        FieldType::SByte => i128::from(*r.bytes.get(i as usize)? as i8),
        FieldType::Short => i128::from(r.u16(i * 2)?),
        FieldType::SShort => i128::from(r.u16(i * 2)? as i16),
        FieldType::Long | FieldType::Ifd => i128::from(r.u32(i * 4)?),
        FieldType::SLong => i128::from(r.u32(i * 4)? as i32),
        FieldType::Long8 | FieldType::Ifd8 => i128::from(r.u64(i * 8)?),
        FieldType::SLong8 => i128::from(r.u64(i * 8)? as i64),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::tiny_tiff;

    fn parse(bytes: Vec<u8>) -> Result<TiffFile, TiffError> {
        TiffFile::parse(ByteSource::from_vec(bytes), &Limits::default())
    }

    #[test]
    fn parses_tiny_tiff() {
        let t = parse(tiny_tiff()).unwrap();
        assert_eq!(t.byte_order(), ByteOrder::Little);
        assert!(!t.is_bigtiff());
        let ifds = t.ifds();
        assert_eq!(ifds.len(), 1);
        let ifd = ifds[0];
        assert_eq!(ifd.u64(Tag::ImageWidth).unwrap(), Some(1));
        assert_eq!(ifd.u64s(Tag::StripByteCounts).unwrap(), Some(vec![1]));
        assert_eq!(ifd.f64s(Tag::BitsPerSample).unwrap(), Some(vec![8.0]));
        assert_eq!(ifd.u64(Tag::Predictor).unwrap(), None);
        assert_eq!(
            ifd.tag_codes(),
            vec![256, 257, 258, 259, 262, 273, 278, 279]
        );
    }

    #[test]
    fn rejects_garbage_headers() {
        assert!(matches!(parse(vec![]), Err(TiffError::Format { .. })));
        assert!(matches!(
            parse(b"XX*\0\x08\0\0\0".to_vec()),
            Err(TiffError::Format { .. })
        ));
        assert!(matches!(
            parse(b"II\x2b\0\x04\0\0\0".to_vec()),
            Err(TiffError::Format { .. })
        ));
        // First IFD offset past the end.
        assert!(matches!(
            parse(b"II*\0\xff\0\0\0".to_vec()),
            Err(TiffError::Format { .. })
        ));
    }

    #[test]
    fn detects_ifd_cycle_and_keeps_first_ifd() {
        let mut b = tiny_tiff();
        // Point the next-IFD field back at the first IFD.
        let next_at = 8 + 2 + 8 * 12;
        b[next_at..next_at + 4].copy_from_slice(&8u32.to_le_bytes());
        let t = parse(b).unwrap();
        assert_eq!(t.ifds().len(), 1);
        assert!(t.warnings().iter().any(|w| w.contains("cycle")));
    }

    #[test]
    fn value_offset_past_end_is_a_tag_error() {
        let mut b = tiny_tiff();
        // Make StripOffsets claim 100 LONGs: the values then live at an offset past the end.
        let entry = 8 + 2 + 5 * 12;
        b[entry + 4..entry + 8].copy_from_slice(&100u32.to_le_bytes());
        b[entry + 8..entry + 12].copy_from_slice(&1_000_000u32.to_le_bytes());
        let t = parse(b).unwrap();
        let err = t.ifds()[0].u64s(Tag::StripOffsets).unwrap_err();
        assert!(err.to_string().contains("StripOffsets"), "{err}");
    }

    #[test]
    fn huge_entry_count_hits_limit() {
        let mut b = tiny_tiff();
        b[8..10].copy_from_slice(&60000u16.to_le_bytes());
        assert!(matches!(parse(b), Err(TiffError::LimitsExceeded { .. })));
    }
}
