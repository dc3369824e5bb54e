//! Small hand-built TIFFs for doctests, unit tests and fuzz seeds.

/// A 1x1 8-bit grey, uncompressed, little-endian classic TIFF (pixel value 7).
pub fn tiny_tiff() -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(b"II");
    b.extend_from_slice(&42u16.to_le_bytes());
    b.extend_from_slice(&8u32.to_le_bytes());
    // IFD at 8 with 8 entries.
    let entries: [(u16, u16, u32, u32); 8] = [
        (256, 3, 1, 1), // ImageWidth
        (257, 3, 1, 1), // ImageLength
        (258, 3, 1, 8), // BitsPerSample
        (259, 3, 1, 1), // Compression none
        (262, 3, 1, 1), // MinIsBlack
        (273, 4, 1, 0), // StripOffsets, patched below
        (278, 3, 1, 1), // RowsPerStrip
        (279, 4, 1, 1), // StripByteCounts
    ];
    b.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    let data_offset = 8 + 2 + entries.len() as u32 * 12 + 4;
    for (tag, typ, count, value) in entries {
        b.extend_from_slice(&tag.to_le_bytes());
        b.extend_from_slice(&typ.to_le_bytes());
        b.extend_from_slice(&count.to_le_bytes());
        let value = if tag == 273 { data_offset } else { value };
        if typ == 3 {
            b.extend_from_slice(&(value as u16).to_le_bytes());
            b.extend_from_slice(&[0, 0]);
        } else {
            b.extend_from_slice(&value.to_le_bytes());
        }
    }
    b.extend_from_slice(&0u32.to_le_bytes());
    b.push(7);
    b
}
