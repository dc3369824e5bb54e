//! A zlib stream of Huffman-coded literals only (what zlib writes with `Z_HUFFMAN_ONLY`), built
//! for speed.
//!
//! Predictor residuals of noisy imagery compress best without LZ77 (see
//! [`crate::deflate_encode`]), and then zlib's machinery is mostly overhead: it tallies each
//! byte as a symbol in a buffer and walks that buffer again to code it (131 MB/s on the mosaic
//! tiles). Here a block is one histogram pass and one coding pass that looks each byte's code up
//! in a 256-entry table and writes three codes per 8-byte store.
//!
//! Each block of [`BLOCK_BYTES`] input bytes is written as whichever of a dynamic Huffman block,
//! the fixed code, or a stored block is smallest, as zlib does; the stream ends with the
//! Adler-32 of the data, so any inflater (zlib, libdeflate, GDAL) reads it.

use crate::huffman::{
    canonical_codes, code_lengths, fixed_length, BitWriter, DynamicHeader, LITERAL_ONLY_DIST_LENS,
    MAX_CODE_BITS,
};

/// Input bytes per Deflate block: zlib's default (16 K symbols per block at memLevel 8), so the
/// codes adapt to local statistics as often as zlib's do.
const BLOCK_BYTES: usize = 16 << 10;
/// Literal/length symbols a block here uses: the 256 bytes and end-of-block.
const SYMBOLS: usize = 257;
const END_OF_BLOCK: usize = 256;

/// Compress `data` as a zlib stream of Huffman-coded literals.
pub(crate) fn compress(data: &[u8]) -> Vec<u8> {
    let blocks = data.len().div_ceil(BLOCK_BYTES).max(1);
    // Every block is at most its stored size (5 header bytes + data, plus the partial byte
    // before it); 32 bytes for the zlib header, the empty-data block and the 8-byte stores of
    // the coding loop.
    let mut w = BitWriter::new(data.len() + blocks * 6 + 32);
    // CMF 0x78: Deflate, 32 KiB window; FLG 0x01: "fastest" level, as zlib marks Huffman-only
    // streams, and the check bits.
    w.put(0x0178, 16);
    if data.is_empty() {
        // One final fixed-code block holding only end-of-block (its code is seven zero bits).
        w.put(0b011, 3);
        w.put(0, 7);
    }
    let mut chunks = data.chunks(BLOCK_BYTES).peekable();
    while let Some(block) = chunks.next() {
        write_block(&mut w, block, chunks.peek().is_none());
    }
    let mut out = w.finish();
    out.extend_from_slice(&zlib_rs::adler32::adler32(1, data).to_be_bytes());
    out
}

/// Write one block of literals, the cheapest of the three block types.
fn write_block(w: &mut BitWriter, block: &[u8], is_final: bool) {
    let mut freq = histogram(block);
    freq[END_OF_BLOCK] = 1;
    let lit_lens = code_lengths(&freq, MAX_CODE_BITS);
    let header = DynamicHeader::new(&lit_lens, &LITERAL_ONLY_DIST_LENS);
    let payload = |len_of: &dyn Fn(usize) -> u8| -> u64 {
        (0..SYMBOLS)
            .map(|s| u64::from(freq[s]) * u64::from(len_of(s)))
            .sum()
    };
    // Each counts the 3 block-header bits.
    let dynamic_bits = header.bits() + payload(&|s| lit_lens[s]);
    let fixed_bits = 3 + payload(&fixed_length);
    // Stored: the header bits, padding to a byte, LEN and NLEN, the bytes.
    let stored_bits = 3 + (8 - (w.bit_count + 3) % 8) % 8 + 32 + 8 * block.len() as u64;
    let last = u64::from(is_final);
    if stored_bits < dynamic_bits.min(fixed_bits) {
        w.put(last, 3);
        w.align_to_byte();
        let len = block.len() as u64;
        w.put(len | (!len & 0xffff) << 16, 32);
        w.bytes(block);
    } else if fixed_bits <= dynamic_bits {
        w.put(last | 0b01 << 1, 3);
        // All 288 lengths: the canonical codes depend on how many codes of each length exist.
        let lens: Vec<u8> = (0..288).map(fixed_length).collect();
        code_literals(w, block, &lens);
    } else {
        w.put(last | 0b10 << 1, 3);
        header.write(w);
        code_literals(w, block, &lit_lens);
    }
}

/// Byte counts of `block` (four interleaved tables, so that runs of one value do not stall on
/// increments of the same counter), in a literal/length frequency array.
fn histogram(block: &[u8]) -> [u32; SYMBOLS] {
    let mut tables = [[0u32; 256]; 4];
    let mut quads = block.chunks_exact(4);
    for q in &mut quads {
        tables[0][usize::from(q[0])] += 1;
        tables[1][usize::from(q[1])] += 1;
        tables[2][usize::from(q[2])] += 1;
        tables[3][usize::from(q[3])] += 1;
    }
    for &b in quads.remainder() {
        tables[0][usize::from(b)] += 1;
    }
    let mut freq = [0u32; SYMBOLS];
    for (byte, f) in freq[..256].iter_mut().enumerate() {
        *f = tables.iter().map(|t| t[byte]).sum();
    }
    freq
}

/// Code every byte of `block` and end-of-block with the code of lengths `lens`.
fn code_literals(w: &mut BitWriter, block: &[u8], lens: &[u8]) {
    let codes = canonical_codes(lens);
    let table: [u32; 256] = std::array::from_fn(|b| codes[b]);
    let mut triples = block.chunks_exact(3);
    // Three codes of at most 15 bits on top of at most 7 pending bits fit the 64-bit buffer.
    for t in &mut triples {
        let (a, b, c) = (
            table[usize::from(t[0])],
            table[usize::from(t[1])],
            table[usize::from(t[2])],
        );
        let mut bits = u64::from(a & 0xffff);
        let mut n = a >> 16;
        bits |= u64::from(b & 0xffff) << n;
        n += b >> 16;
        bits |= u64::from(c & 0xffff) << n;
        n += c >> 16;
        w.put_flushed(bits, n);
    }
    for &byte in triples.remainder() {
        let e = table[usize::from(byte)];
        w.put(u64::from(e & 0xffff), e >> 16);
    }
    let eob = codes[END_OF_BLOCK];
    w.put(u64::from(eob & 0xffff), eob >> 16);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::noise;

    /// Decode with zlib-rs (which checks the Adler-32) and with tessera's inflater.
    fn assert_round_trip(data: &[u8]) -> Vec<u8> {
        crate::test_util::assert_zlib_round_trip(data, compress(data))
    }

    fn zlib_huffman_only(data: &[u8]) -> usize {
        crate::deflate::zlib_compress(data, 6, zlib_rs::Strategy::HuffmanOnly).len()
    }

    /// Small residual-like values around zero, as predictor 2 leaves them.
    fn residuals(n: usize, seed: u64) -> Vec<u8> {
        noise(n, seed)
            .chunks(2)
            .map(|p| (p[0] % 5).wrapping_sub(p.get(1).map_or(0, |b| b % 5)))
            .collect()
    }

    #[test]
    fn streams_decode_with_zlib_and_tessera() {
        let mut inputs = vec![
            vec![],
            vec![42],
            vec![7; 100_000],
            noise(70_000, 1),
            residuals(200_000, 2),
            (0..=255u8).cycle().take(40_000).collect(),
        ];
        // Block boundaries: one byte short of, at and past 16 KiB and two blocks.
        for n in [
            BLOCK_BYTES - 1,
            BLOCK_BYTES,
            BLOCK_BYTES + 1,
            2 * BLOCK_BYTES + 2,
        ] {
            inputs.push(residuals(2 * n, 3)[..n].to_vec());
        }
        for data in &inputs {
            assert_round_trip(data);
        }
    }

    #[test]
    fn block_type_is_the_smallest() {
        // Noise: stored blocks (about 5 bytes each of overhead).
        let random = noise(50_000, 4);
        let packed = assert_round_trip(&random);
        assert!(packed.len() <= random.len() + 4 * 5 + 6, "{}", packed.len());
        // Every byte value equally often: the fixed code beats sending a header.
        let flat: Vec<u8> = (0..=143u8).cycle().take(1000).collect();
        let packed = assert_round_trip(&flat);
        assert!(
            packed.len() <= 2 + (3 + 8 * 1000usize).div_ceil(8) + 1 + 4,
            "{}",
            packed.len()
        );
        // One value: a dynamic code of one bit per byte.
        let packed = assert_round_trip(&[9; 16_000]);
        assert!(packed.len() < 2_100, "{}", packed.len());
    }

    #[test]
    fn sizes_match_zlib_huffman_only() {
        for (name, data) in [
            ("residuals", residuals(300_000, 5)),
            (
                "skewed",
                noise(300_000, 6)
                    .iter()
                    .map(|b| b.leading_zeros() as u8)
                    .collect(),
            ),
        ] {
            let ours = assert_round_trip(&data).len() as f64;
            let zlib = zlib_huffman_only(&data) as f64;
            assert!(ours <= zlib * 1.005, "{name}: {ours} vs zlib {zlib}");
        }
    }
}
