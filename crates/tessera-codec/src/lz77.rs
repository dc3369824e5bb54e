//! A fast LZ77 + Huffman Deflate encoder for image tiles (a zlib stream).
//!
//! The matches in predictor residuals of noisy imagery are short (98 % are 4 or 5 bytes on the
//! mosaic tiles, as zlib finds them) and far back (most 8-32 KiB): coincidental repeats of small
//! residual pairs. zlib pays a hash-chain search of up to 128 candidates and a lazy evaluation
//! for each; here each position looks at the two most recent earlier positions with the same
//! 4-byte hash, kept side by side in one bucket (two independent loads, no chain to walk), and
//! takes the longer match greedily. The next position's bucket is loaded while the current
//! one is being matched. That is libdeflate's level-1 design (its code was not used); on the
//! mosaic tiles it finds nearly zlib level 6's matches (ratio 1.779 vs 1.787) at about twice
//! zlib-rs's speed. [`crate::deflate_encode`] uses it only where a sample says it is within 1 %
//! of zlib's output.
//!
//! Symbols are gathered in blocks of [`BLOCK_SYMBOLS`] and each block is written as whichever
//! of a dynamic Huffman block, the fixed code or stored blocks is smallest.

use crate::huffman::{
    canonical_codes, code_lengths, fixed_length, BitWriter, DynamicHeader, LITERAL_ONLY_DIST_LENS,
    MAX_CODE_BITS,
};
use crate::inflate::{DIST_EXTRA, LENGTH_EXTRA};

/// Literals plus matches per Deflate block (zlib's block size at memLevel 8).
const BLOCK_SYMBOLS: usize = 16 << 10;
/// Index bits of the hash table of 4-byte prefixes: 2^15 buckets of two 16-bit positions
/// (128 KiB).
const HASH_BITS: u32 = 15;
/// How far back a match may start (Deflate's window).
const WINDOW: usize = 32 << 10;
const MIN_MATCH: usize = 4;
const MAX_MATCH: usize = 258;
/// Positions inside matches up to this long are indexed too (later data may match them);
/// longer matches are runs, whose inside positions only repeat themselves (their last two are
/// indexed).
const INDEX_INSIDE: usize = 16;
/// Literal/length symbols (0-285) and distance symbols (0-29).
const LIT_SYMBOLS: usize = 286;
const DIST_SYMBOLS: usize = 30;
const END_OF_BLOCK: usize = 256;
/// Largest stored block.
const STORED_MAX: usize = 65_535;

/// A run of literals followed by a match (`length` 0: the run ends the block).
#[derive(Clone, Copy)]
struct Seq {
    literals: u32,
    length: u16,
    distance: u16,
}

/// The symbols of the block being gathered and their frequencies.
struct Block {
    seqs: Vec<Seq>,
    lit_freq: [u32; LIT_SYMBOLS],
    dist_freq: [u32; DIST_SYMBOLS],
}

impl Block {
    fn new() -> Self {
        Block {
            seqs: Vec::with_capacity(BLOCK_SYMBOLS),
            lit_freq: [0; LIT_SYMBOLS],
            dist_freq: [0; DIST_SYMBOLS],
        }
    }

    fn reset(&mut self) {
        self.seqs.clear();
        self.lit_freq = [0; LIT_SYMBOLS];
        self.dist_freq = [0; DIST_SYMBOLS];
    }
}

/// The hash table and block buffers, kept per thread between calls (allocating them for every
/// tile cost page faults; they are cleared before each use, so output never depends on an earlier
/// call).
struct Scratch {
    table: Vec<[u16; 2]>,
    block: Block,
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch {
            table: vec![[0; 2]; 1 << HASH_BITS],
            block: Block::new(),
        }
    }
}

std::thread_local! {
    static SCRATCH: std::cell::Cell<Option<Box<Scratch>>> = const { std::cell::Cell::new(None) };
}

/// Compress `data` as a zlib stream.
pub(crate) fn compress(data: &[u8]) -> Vec<u8> {
    let n = data.len();
    // Each block costs at most its stored size: 5 bytes per stored piece plus the data.
    let blocks = n / BLOCK_SYMBOLS + 1;
    let pieces = n / STORED_MAX + 1;
    let mut w = BitWriter::new(n + 6 * (blocks + pieces) + 32);
    // CMF 0x78: Deflate, 32 KiB window; FLG 0x5e: the "fast" level, and the check bits.
    w.put(0x5e78, 16);
    let mut scratch = SCRATCH.with(|s| s.take()).unwrap_or_default();
    let Scratch { table, block } = &mut *scratch;
    table.fill([0; 2]);
    block.reset();
    let mut block_start = 0;
    lz77(data, table, block, |block, end| {
        write_block(&mut w, block, &data[block_start..end], false);
        block_start = end;
    });
    write_block(&mut w, block, &data[block_start..], true);
    SCRATCH.with(|s| s.set(Some(scratch)));
    let mut out = w.finish();
    out.extend_from_slice(&zlib_rs::adler32::adler32(1, data).to_be_bytes());
    out
}

/// Parse `data` greedily into literals and matches, handing each full block to `emit` with the
/// position it ends at; the last block is left in `block`. A block's last `Seq` holds its final
/// run of literals.
fn lz77(
    data: &[u8],
    table: &mut [[u16; 2]],
    block: &mut Block,
    mut emit: impl FnMut(&Block, usize),
) {
    let n = data.len();
    let table: &mut [[u16; 2]; 1 << HASH_BITS] = table.try_into().expect("table size");
    let mut i = 0;
    let mut run_start = 0;
    let mut symbols = 0;
    // Position `i` is searched while `i + 1` also has 4 bytes to read (its hash is computed
    // ahead, so that its bucket is loaded while `i` is being matched).
    let last = n.saturating_sub(MIN_MATCH); // the last position with 4 readable bytes
    let mut h = if n > MIN_MATCH {
        hash(read4(data, 0))
    } else {
        0
    };
    let mut bucket = table[h];
    while i < last {
        let next_h = hash(read4(data, i + 1));
        let mut next_bucket = table[next_h];
        let updated = [i as u16, bucket[0]];
        table[h] = updated;
        if next_h == h {
            next_bucket = updated;
        }
        let (length, distance) = longest(data, i, bucket);
        if length >= MIN_MATCH {
            block.seqs.push(Seq {
                literals: (i - run_start) as u32,
                length: length as u16,
                distance: distance as u16,
            });
            block.lit_freq[length_code(length as u32 - 3).0] += 1;
            block.dist_freq[distance_code(distance as u32 - 1).0] += 1;
            let end = i + length;
            // Index the positions inside a short match; of a long one (a run, mostly) only its
            // last two, so that the run continues at distance 1 rather than at the match's own.
            let inside = if length <= INDEX_INSIDE {
                i + 1
            } else {
                end - 2
            };
            for j in inside..end.min(last + 1) {
                let slot = &mut table[hash(read4(data, j))];
                *slot = [j as u16, slot[0]];
            }
            i = end;
            run_start = end;
            if i <= last {
                h = hash(read4(data, i));
                bucket = table[h];
            }
        } else {
            block.lit_freq[usize::from(data[i])] += 1;
            i += 1;
            h = next_h;
            bucket = next_bucket;
        }
        symbols += 1;
        if symbols == BLOCK_SYMBOLS {
            block.seqs.push(Seq {
                literals: (i - run_start) as u32,
                length: 0,
                distance: 0,
            });
            emit(block, i);
            block.reset();
            symbols = 0;
            run_start = i;
        }
    }
    // The last bytes, too few to start a match, are literals.
    for &b in &data[i..] {
        block.lit_freq[usize::from(b)] += 1;
    }
    block.seqs.push(Seq {
        literals: (n - run_start) as u32,
        length: 0,
        distance: 0,
    });
}

/// The longer match at `i` with the bucket's two positions, (length, distance), the more recent
/// on a tie; length 0 when neither matches 4 bytes.
#[inline(always)]
fn longest(data: &[u8], i: usize, bucket: [u16; 2]) -> (usize, usize) {
    let prefix = read4(data, i);
    // Positions are kept modulo 2^16: the distance is exact for any position of the last
    // 64 KiB, and an older one aliases to a real earlier position, whose bytes are checked
    // like any other's. Distance 0 (wrapping to usize::MAX here) is no candidate.
    let reach = WINDOW.min(i);
    let d0 = usize::from((i as u16).wrapping_sub(bucket[0]));
    let d1 = usize::from((i as u16).wrapping_sub(bucket[1]));
    let (valid0, valid1) = (d0.wrapping_sub(1) < reach, d1.wrapping_sub(1) < reach);
    // Both candidates' first 4 bytes are compared without a branch each (an invalid one reads
    // position 0 and is masked out): most positions match neither, and one well-predicted
    // branch for both is cheaper than four.
    let (from0, from1) = (
        i.wrapping_sub(d0) & 0usize.wrapping_sub(valid0 as usize),
        i.wrapping_sub(d1) & 0usize.wrapping_sub(valid1 as usize),
    );
    let hit0 = (read4(data, from0) == prefix) as u8 & valid0 as u8;
    let hit1 = (read4(data, from1) == prefix) as u8 & valid1 as u8;
    if hit0 | hit1 == 0 {
        return (0, 0);
    }
    let mut best = (0, 0);
    if hit0 != 0 {
        best = (match_length(data, from0, i), d0);
    }
    if hit1 != 0 {
        let length = match_length(data, from1, i);
        if length > best.0 {
            best = (length, d1);
        }
    }
    best
}

/// The length of the match at `i` with earlier position `from`, whose first 4 bytes agree.
#[inline(always)]
fn match_length(data: &[u8], from: usize, i: usize) -> usize {
    let limit = MAX_MATCH.min(data.len() - i);
    MIN_MATCH
        + common_prefix(
            &data[from + MIN_MATCH..],
            &data[i + MIN_MATCH..],
            limit - MIN_MATCH,
        )
}

#[inline(always)]
fn read4(data: &[u8], i: usize) -> u32 {
    u32::from_le_bytes(data[i..i + 4].try_into().expect("4-byte slice"))
}

#[inline(always)]
fn hash(prefix: u32) -> usize {
    (prefix.wrapping_mul(0x1e35_a7bd) >> (32 - HASH_BITS)) as usize
}

/// How many leading bytes `a` and `b` share, at most `limit` (both are at least that long or
/// end before).
#[inline(always)]
fn common_prefix(a: &[u8], b: &[u8], limit: usize) -> usize {
    let limit = limit.min(a.len()).min(b.len());
    let mut k = 0;
    while k + 8 <= limit {
        let x = u64::from_le_bytes(a[k..k + 8].try_into().expect("8 bytes"))
            ^ u64::from_le_bytes(b[k..k + 8].try_into().expect("8 bytes"));
        if x != 0 {
            return k + (x.trailing_zeros() / 8) as usize;
        }
        k += 8;
    }
    while k < limit && a[k] == b[k] {
        k += 1;
    }
    k
}

/// Length symbol (257-285), extra-bit count and extra value for `length - 3` (0-255).
#[inline(always)]
fn length_code(y: u32) -> (usize, u32, u32) {
    if y < 8 {
        (257 + y as usize, 0, 0)
    } else if y == 255 {
        (285, 0, 0)
    } else {
        let log = 31 - y.leading_zeros();
        let symbol = 257 + 4 * (log - 1) + ((y >> (log - 2)) & 3);
        (symbol as usize, log - 2, y & ((1 << (log - 2)) - 1))
    }
}

/// Distance symbol (0-29), extra-bit count and extra value for `distance - 1` (0-32767).
#[inline(always)]
fn distance_code(x: u32) -> (usize, u32, u32) {
    if x < 4 {
        (x as usize, 0, 0)
    } else {
        let log = 31 - x.leading_zeros();
        let symbol = 2 * log + ((x >> (log - 1)) & 1);
        (symbol as usize, log - 1, x & ((1 << (log - 1)) - 1))
    }
}

/// Extra bits of a literal/length symbol (none for literals and end-of-block).
fn length_extra_bits(symbol: usize) -> u64 {
    symbol
        .checked_sub(257)
        .map_or(0, |slot| u64::from(LENGTH_EXTRA[slot]))
}

/// Write `block` (whose symbols spell `raw`) as the cheapest of the three block types.
fn write_block(w: &mut BitWriter, block: &Block, raw: &[u8], is_final: bool) {
    let mut lit_freq = block.lit_freq;
    let dist_freq = &block.dist_freq;
    lit_freq[END_OF_BLOCK] = 1;
    let lit_lens = code_lengths(&lit_freq, MAX_CODE_BITS);
    let dist_lens = if dist_freq.iter().all(|&f| f == 0) {
        LITERAL_ONLY_DIST_LENS.to_vec()
    } else {
        code_lengths(dist_freq, MAX_CODE_BITS)
    };
    let header = DynamicHeader::new(&lit_lens, &dist_lens);
    let cost = |lit_len: &dyn Fn(usize) -> u8, dist_len: &dyn Fn(usize) -> u8| -> u64 {
        let lits: u64 = (0..LIT_SYMBOLS)
            .map(|s| u64::from(lit_freq[s]) * (u64::from(lit_len(s)) + length_extra_bits(s)))
            .sum();
        let dists: u64 = (0..DIST_SYMBOLS)
            .map(|s| u64::from(dist_freq[s]) * (u64::from(dist_len(s)) + u64::from(DIST_EXTRA[s])))
            .sum();
        lits + dists
    };
    let dynamic_bits = header.bits()
        + cost(&|s| lit_lens[s], &|s| {
            dist_lens.get(s).copied().unwrap_or(0)
        });
    let fixed_bits = 3 + cost(&fixed_length, &|_| 5);
    let pieces = raw.len().div_ceil(STORED_MAX).max(1) as u64;
    // Header bits and padding (the first piece to the current byte boundary, the others 5
    // bits after their 3), LEN and NLEN, the bytes.
    let stored_bits = (3 + (8 - (w.bit_count + 3) % 8) % 8)
        + (pieces - 1) * 8
        + pieces * 32
        + 8 * raw.len() as u64;
    let last = u64::from(is_final);
    if stored_bits < dynamic_bits.min(fixed_bits) {
        write_stored(w, raw, is_final);
    } else if fixed_bits <= dynamic_bits {
        w.put(last | 0b01 << 1, 3);
        let lit: Vec<u8> = (0..288).map(fixed_length).collect();
        write_symbols(w, &block.seqs, raw, &lit, &[5; 30]);
    } else {
        w.put(last | 0b10 << 1, 3);
        header.write(w);
        write_symbols(w, &block.seqs, raw, &lit_lens, &dist_lens);
    }
}

/// `raw` as stored blocks of at most [`STORED_MAX`] bytes.
fn write_stored(w: &mut BitWriter, raw: &[u8], is_final: bool) {
    // An empty block is never stored (the fixed code spells it in 10 bits).
    debug_assert!(!raw.is_empty());
    let mut pieces = raw.chunks(STORED_MAX).peekable();
    while let Some(piece) = pieces.next() {
        let last = is_final && pieces.peek().is_none();
        w.put(u64::from(last), 3);
        w.align_to_byte();
        let len = piece.len() as u64;
        w.put(len | (!len & 0xffff) << 16, 32);
        w.bytes(piece);
    }
}

/// Code `seqs` (whose literals are the bytes of `raw` in order) and end-of-block with the
/// codes of these lengths.
fn write_symbols(w: &mut BitWriter, seqs: &[Seq], raw: &[u8], lit_lens: &[u8], dist_lens: &[u8]) {
    let lit = canonical_codes(lit_lens);
    let dist = canonical_codes(dist_lens);
    let bytes: [u32; 256] = std::array::from_fn(|b| lit[b]);
    let mut at = 0;
    for seq in seqs {
        let run = &raw[at..at + seq.literals as usize];
        at += seq.literals as usize + usize::from(seq.length);
        w.put_codes(run, &bytes);
        if seq.length == 0 {
            continue;
        }
        // Length code, its extra bits, distance code, its extra bits: at most 48 bits.
        let (ls, lbits, lextra) = length_code(u32::from(seq.length) - 3);
        let (ds, dbits, dextra) = distance_code(u32::from(seq.distance) - 1);
        let (lc, dc) = (lit[ls], dist[ds]);
        let mut bits = u64::from(lc & 0xffff);
        let mut n = lc >> 16;
        bits |= u64::from(lextra) << n;
        n += lbits;
        bits |= u64::from(dc & 0xffff) << n;
        n += dc >> 16;
        bits |= u64::from(dextra) << n;
        n += dbits;
        w.put_flushed(bits, n);
    }
    let eob = lit[END_OF_BLOCK];
    w.put(u64::from(eob & 0xffff), eob >> 16);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::noise;

    #[test]
    fn length_and_distance_codes_follow_the_tables() {
        // RFC 1951 3.2.5: (symbol, base, extra bits).
        let lengths = [
            (257, 3, 0),
            (264, 10, 0),
            (265, 11, 1),
            (269, 19, 2),
            (284, 227, 5),
        ];
        for (symbol, base, extra) in lengths {
            for v in (0..1u32 << extra).filter(|v| base + v <= 257) {
                assert_eq!(
                    length_code(base + v - 3),
                    (symbol, extra, v),
                    "length {}",
                    base + v
                );
            }
        }
        assert_eq!(length_code(255), (285, 0, 0));
        let distances = [(0, 1, 0), (3, 4, 0), (4, 5, 1), (9, 25, 3), (29, 24577, 13)];
        for (symbol, base, extra) in distances {
            for v in [0, (1u32 << extra) - 1] {
                assert_eq!(
                    distance_code(base + v - 1),
                    (symbol, extra, v),
                    "distance {}",
                    base + v
                );
            }
        }
        // Every length and distance against the inflater's tables.
        use crate::inflate::{DIST_BASE, LENGTH_BASE};
        for length in 3..=258u32 {
            let (symbol, bits, extra) = length_code(length - 3);
            let slot = symbol - 257;
            assert_eq!(u32::from(LENGTH_BASE[slot]) + extra, length);
            assert_eq!(bits, u32::from(LENGTH_EXTRA[slot]), "length {length}");
            assert_eq!(length_extra_bits(symbol), u64::from(bits));
        }
        for distance in 1..=32768u32 {
            let (symbol, bits, extra) = distance_code(distance - 1);
            assert_eq!(u32::from(DIST_BASE[symbol]) + extra, distance);
            assert_eq!(bits, u32::from(DIST_EXTRA[symbol]), "distance {distance}");
        }
        assert_eq!(length_extra_bits(284), 5);
        assert_eq!(length_extra_bits(100), 0);
    }

    fn assert_round_trip(data: &[u8]) -> Vec<u8> {
        crate::test_util::assert_zlib_round_trip(data, compress(data))
    }

    #[test]
    fn streams_decode_with_zlib_and_tessera() {
        let image_like: Vec<u8> = noise(300_000, 2)
            .chunks(2)
            .flat_map(|p| [p[0] % 9, if p[1] < 128 { 0 } else { 0xff }])
            .collect();
        let inputs = vec![
            vec![],
            vec![1],
            vec![1, 2, 3, 4, 1, 2, 3, 4],
            vec![0; 1_000_000],
            noise(100_000, 1),
            image_like,
            b"a categorical raster row, ".repeat(3000),
        ];
        for data in &inputs {
            assert_round_trip(data);
        }
        // Noise goes into stored blocks (more than one per 64 KiB block).
        let random = noise(200_000, 3);
        assert!(assert_round_trip(&random).len() < random.len() + 100);
    }

    #[test]
    fn runs_continue_at_distance_one() {
        // A long run is a chain of 258-byte matches at distance 1 (2 bits each here), as zlib
        // writes it, not at the distance of the previous match (7 extra bits each).
        let zeros = vec![0u8; 1_000_000];
        let ours = assert_round_trip(&zeros).len();
        let zlib = crate::deflate::zlib_compress(&zeros, 6, zlib_rs::Strategy::Default).len();
        assert!(ours <= zlib + zlib / 20, "{ours} vs zlib {zlib}");
    }

    #[test]
    fn matches_reach_exactly_the_window() {
        // The second copy starts 32768 bytes after the first: only a match at the largest
        // distance Deflate has finds it; one byte further is out of reach.
        for gap in [WINDOW, WINDOW + 1] {
            let head = noise(4000, 5);
            let mut data = noise(gap, 6);
            data[..head.len()].copy_from_slice(&head);
            data.extend_from_slice(&head);
            let packed = assert_round_trip(&data).len();
            let noise_only = assert_round_trip(&data[..gap]).len();
            if gap == WINDOW {
                assert!(packed < noise_only + 100, "{packed} vs {noise_only}");
            } else {
                assert!(packed > noise_only + 3000, "{packed} vs {noise_only}");
            }
        }
    }

    #[test]
    fn positions_past_64k_and_tiny_inputs() {
        // Positions are kept modulo 2^16: stale entries from 64 KiB back alias to nearer
        // positions, whose bytes are checked before use.
        let mut data = noise(200_000, 8);
        let copy = data[10_000..12_000].to_vec();
        data[75_536..77_536].copy_from_slice(&copy);
        data[140_000..142_000].copy_from_slice(&copy);
        assert_round_trip(&data);
        for n in 0..12 {
            assert_round_trip(&noise(n, 9));
            assert_round_trip(&vec![7; n]);
        }
    }

    #[test]
    fn ratio_close_to_zlib_on_residual_pairs() {
        // Small residual pairs with the high byte 00 or ff, as u16 predictor-2 data.
        let data: Vec<u8> = noise(400_000, 7)
            .chunks(2)
            .flat_map(|p| [p[0] % 17, if p[1] < 200 { 0 } else { 0xff }])
            .collect();
        let ours = assert_round_trip(&data).len() as f64;
        let zlib = crate::deflate::zlib_compress(&data, 6, zlib_rs::Strategy::Default).len() as f64;
        assert!(ours < zlib * 1.05, "{ours} vs zlib {zlib}");
    }
}
