//! A whole-buffer Deflate decoder (RFC 1951) for zlib streams whose decoded size is known.
//!
//! TIFF chunks are small, independent zlib streams whose decoded size the IFD gives, so the
//! decoder can write straight into the caller's buffer and skip everything a streaming inflater
//! pays for: no sliding window, no state machine that can stop at any bit, no per-call setup.
//! What is left is the hot loop, built the way the fastest inflaters are:
//! - a 64-bit bit buffer refilled with one unaligned 8-byte load, so that a literal/length code,
//!   its extra bits, a distance code and its extra bits (48 bits at most) need one refill, and up
//!   to three literals (45 bits) are decoded per refill;
//! - one table lookup per symbol: an 11-bit (literal/length) or 8-bit (distance) first-level
//!   table whose entries say what the symbol is and how many bits it and its extra bits take,
//!   with second-level tables for longer codes;
//! - the next symbol's entry looked up before the previous match is copied, and one predictable
//!   test per length and per distance for the common case (second-level codes, the end of the
//!   block and invalid codes sorted out behind it);
//! - matches copied 16 (or 8) bytes at a time when they are far enough back and far enough from
//!   the end: one load and one store for most matches of image data (4-16 bytes, 8-32 KiB back).
//!
//! The rules on bad input are zlib's (over-subscribed or incomplete codes, a missing
//! end-of-block code, distances before the start of the output, more than 286/30 symbols...),
//! so the decoder accepts exactly the streams zlib accepts; `tests` checks it against zlib-rs on
//! valid and on corrupted streams.

use crate::CodecError;

const CODEC: &str = "deflate";

/// Index bits of the first-level literal/length table.
const LITLEN_ROOT: u32 = 11;
/// Index bits of the first-level distance table.
const DIST_ROOT: u32 = 8;
/// Index bits of the code-length ("precode") table: its codes are at most 7 bits long.
const PRECODE_ROOT: u32 = 7;
/// First-level plus every second-level table, the most any valid code needs (zlib's `enough`
/// program: 288 symbols, 11 root bits, 15-bit codes -> 2342; 32 symbols, 8 bits -> 402).
const LITLEN_TABLE: usize = 2342;
const DIST_TABLE: usize = 402;

// A table entry is a u32:
//   bits 0-7    bits to consume for this entry: the code (at this level) plus its extra bits
//   bits 8-11   the code's own length at this level (extra bits start there); for a pointer to
//               a second-level table, that table's index bits
//   bits 12-14  kind (below)
//   bits 16-30  value: length or distance base, or second-level table start
// except literal entries (bit 31, tested on its own in the hot loop), which hold one or two
// literals: bits 0-7 all their code bits, 8-15 the first byte, 16-23 the second, 24-25 how
// many. A first-level entry holds two when both codes fit in its 11 bits (the short codes of
// frequent literals, which is most of predictor-2 image data), halving the lookups.
const LITERAL: u32 = 1 << 31;
const KIND: u32 = 7 << 12;
/// A length or distance: base in the value, extra bits between the code and the total.
const BASE: u32 = 1 << 12;
const END_OF_BLOCK: u32 = 2 << 12;
const SUBTABLE: u32 = 3 << 12;
/// Never produced by a valid code: unused slots of an incomplete code, symbols 286/287, and
/// distance symbols 30/31.
const INVALID: u32 = 4 << 12;
/// Code-length symbols 0-18 (value = the symbol).
const PRECODE: u32 = 5 << 12;

/// Deflate's length and distance symbols: base value and extra-bit count of each (RFC 1951,
/// 3.2.5). The encoder (`lz77.rs`) uses the extra-bit counts too.
pub(crate) const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
pub(crate) const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
pub(crate) const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
pub(crate) const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
/// The order code-length code lengths are stored in (RFC 1951, 3.2.7).
const PRECODE_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// Inflate the zlib stream `data` (2-byte header, Deflate blocks; the Adler-32 trailer is not
/// checked, as libtiff does not) into `out`, stopping as soon as `out` is full.
///
/// A stream that ends, or input that runs out, before `out` is full is
/// [`CodecError::Truncated`]; a malformed stream is [`CodecError::Corrupt`].
pub fn inflate_zlib(data: &[u8], out: &mut [u8]) -> Result<(), CodecError> {
    let body = zlib_body(data)?;
    let mut bits = BitReader::new(body);
    let mut produced = 0;
    let result = decode_blocks(&mut bits, out, &mut produced);
    if bits.overran() {
        // The bits that looked wrong were (partly) the zero padding past the end: the input is
        // short, which is how zlib, never looking past its input, reports it too. (Every error
        // path consumes the bits it judged first.)
        let got = bits.produced_at_padding.unwrap_or(produced).min(produced);
        return Err(CodecError::Truncated {
            expected: out.len(),
            got,
        });
    }
    result?;
    if produced < out.len() {
        return Err(CodecError::Truncated {
            expected: out.len(),
            got: produced,
        });
    }
    Ok(())
}

/// Check the 2-byte zlib header and return what follows it.
fn zlib_body(data: &[u8]) -> Result<&[u8], CodecError> {
    let [cmf, flg, body @ ..] = data else {
        return Err(CodecError::Truncated {
            expected: 2,
            got: data.len(),
        });
    };
    if (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 != 0 {
        return Err(CodecError::corrupt(CODEC, "incorrect header check"));
    }
    if cmf & 0x0f != 8 {
        return Err(CodecError::corrupt(CODEC, "unknown compression method"));
    }
    if cmf >> 4 > 7 {
        return Err(CodecError::corrupt(CODEC, "invalid window size"));
    }
    if flg & 0x20 != 0 {
        return Err(CodecError::corrupt(CODEC, "preset dictionary required"));
    }
    Ok(body)
}

/// LSB-first bit reader over the compressed bytes. Past the end of the input it reads zero
/// bytes and remembers it; [`BitReader::overran`] tells whether any of them were consumed.
///
/// `Copy` so that the hot loop can work on a local copy, which the compiler keeps in registers
/// (through a `&mut` it stores the buffer back to memory after every symbol).
#[derive(Clone, Copy)]
struct BitReader<'a> {
    data: &'a [u8],
    /// Bytes moved into `buf` so far (may pass `data.len()` by the zero padding).
    pos: usize,
    /// The low [`BitReader::avail`] bits are the next bits of the stream. Bits above them may
    /// hold the start of byte `pos` (the 8-byte refill loads more than it counts), which the next
    /// refill ORs in again at the same place, so they never disagree.
    buf: u64,
    /// Bits available in `buf`: only the low 8 bits count (see [`BitReader::avail`]). Above
    /// them it may hold garbage: [`BitReader::consume_entry`] subtracts a whole table entry,
    /// whose low 8 bits are the bits it covers, to save a mask on the decode's critical path
    /// (libdeflate's trick); borrows only run upwards, so the low 8 bits stay exact.
    left: u32,
    /// Output bytes produced when the first padding byte was loaded: everything before that
    /// came from real input (reported as `got` when the input turns out short).
    produced_at_padding: Option<usize>,
}

impl<'a> BitReader<'a> {
    fn new(data: &'a [u8]) -> Self {
        BitReader {
            data,
            pos: 0,
            buf: 0,
            left: 0,
            produced_at_padding: None,
        }
    }

    /// Make at least 56 bits available; `produced` is the output written so far.
    #[inline(always)]
    fn refill(&mut self, produced: usize) {
        if let Some(chunk) = self.data.get(self.pos..self.pos + 8) {
            let word = u64::from_le_bytes(chunk.try_into().expect("8-byte slice"));
            self.add_word(word);
        } else {
            self.refill_slow(produced);
        }
    }

    /// [`BitReader::refill`] when 8 input bytes are known to be there.
    #[inline(always)]
    fn refill_fast(&mut self) {
        let word = u64::from_le_bytes(
            self.data[self.pos..self.pos + 8]
                .try_into()
                .expect("8-byte slice"),
        );
        self.add_word(word);
    }

    /// Put the 8 input bytes at `pos` above the available bits and count the whole bytes that
    /// fit: 56-63 bits are then available.
    #[inline(always)]
    fn add_word(&mut self, word: u64) {
        // `wrapping_shl` shifts by `left & 63`, the available bits (at most 63).
        self.buf |= word.wrapping_shl(self.left);
        self.pos += 7 - ((self.left >> 3) & 7) as usize;
        self.left |= 56;
    }

    #[cold]
    fn refill_slow(&mut self, produced: usize) {
        while self.avail() < 56 {
            if self.pos >= self.data.len() && self.produced_at_padding.is_none() {
                self.produced_at_padding = Some(produced);
            }
            let byte = self.data.get(self.pos).copied().unwrap_or(0);
            self.buf |= u64::from(byte) << self.avail();
            self.pos += 1;
            self.left += 8;
        }
    }

    /// Drop `n` (<= `left`) bits.
    #[inline(always)]
    fn consume(&mut self, n: u32) {
        self.buf >>= n;
        self.left -= n;
    }

    /// Drop the bits a table entry covers.
    #[inline(always)]
    fn consume_entry(&mut self, entry: u32) {
        // Bits 0-7 of an entry are the bits it covers (at most 48, so `wrapping_shr`'s `& 63`
        // keeps them); what the rest subtracts from `left` lands above its low 8 bits.
        self.buf = self.buf.wrapping_shr(entry);
        self.left = self.left.wrapping_sub(entry);
    }

    /// Bits available in `buf`.
    #[inline(always)]
    fn avail(&self) -> u32 {
        self.left & 0xff
    }

    /// Take the next `n` (<= 32) bits as a number (after a refill that made them available).
    #[inline(always)]
    fn take(&mut self, n: u32) -> u32 {
        let v = (self.buf & ((1u64 << n) - 1)) as u32;
        self.consume(n);
        v
    }

    /// Whether the stream so far used bits past the end of the input.
    fn overran(&self) -> bool {
        self.consumed_bits() > self.data.len() as u64 * 8
    }

    fn consumed_bits(&self) -> u64 {
        self.pos as u64 * 8 - u64::from(self.avail())
    }

    /// Go to the next byte boundary and hand the byte position over (for stored blocks).
    fn align_to_byte(&mut self) -> usize {
        self.consume(self.avail() & 7);
        let next = self.pos - (self.avail() >> 3) as usize;
        self.buf = 0;
        self.left = 0;
        self.pos = next;
        next
    }
}

/// The value of an entry's extra bits, read from the bit buffer as it was before the entry was
/// consumed.
#[inline(always)]
fn extra_bits(saved_buf: u64, entry: u32) -> usize {
    let total = entry & 0xff;
    let code_len = (entry >> 8) & 0xf;
    ((saved_buf & ((1u64 << total) - 1)) >> code_len) as usize
}

/// How a block's decoding ended.
enum BlockEnd {
    EndOfBlock,
    OutputFull,
}

/// Decode blocks into `out[*produced..]` until the final one ends or `out` is full.
fn decode_blocks(
    bits: &mut BitReader,
    out: &mut [u8],
    produced: &mut usize,
) -> Result<(), CodecError> {
    let mut tables = Tables::new();
    loop {
        if bits.overran() {
            return Ok(());
        }
        bits.refill(*produced);
        let is_final = bits.take(1) == 1;
        let end = match bits.take(2) {
            0 => stored_block(bits, out, produced)?,
            1 => {
                tables.load_fixed()?;
                huffman_block(bits, out, produced, &tables)?
            }
            2 => {
                tables.load_dynamic(bits, *produced)?;
                huffman_block(bits, out, produced, &tables)?
            }
            _ => return Err(CodecError::corrupt(CODEC, "invalid block type")),
        };
        match end {
            BlockEnd::OutputFull => return Ok(()),
            BlockEnd::EndOfBlock if is_final => return Ok(()),
            BlockEnd::EndOfBlock => {}
        }
    }
}

/// Copy a stored (uncompressed) block.
fn stored_block(
    bits: &mut BitReader,
    out: &mut [u8],
    produced: &mut usize,
) -> Result<BlockEnd, CodecError> {
    let start = bits.align_to_byte();
    let data = bits.data;
    let truncated = CodecError::Truncated {
        expected: out.len(),
        got: *produced,
    };
    let Some(header) = data.get(start..start + 4) else {
        return Err(truncated);
    };
    let len = u16::from_le_bytes([header[0], header[1]]);
    let nlen = u16::from_le_bytes([header[2], header[3]]);
    if len != !nlen {
        return Err(CodecError::corrupt(CODEC, "invalid stored block lengths"));
    }
    let from = start + 4;
    let available = data.len() - from;
    let room = out.len() - *produced;
    let n = usize::from(len).min(available).min(room);
    out[*produced..*produced + n].copy_from_slice(&data[from..from + n]);
    *produced += n;
    bits.pos = from + n;
    if n == room {
        return Ok(BlockEnd::OutputFull);
    }
    if n < usize::from(len) {
        return Err(CodecError::Truncated {
            expected: out.len(),
            got: *produced,
        });
    }
    Ok(BlockEnd::EndOfBlock)
}

/// Decode one Huffman-coded block into `out[*produced..]`.
///
/// On x86-64 CPUs with BMI2 the body is compiled for it: its shifts by a register and bit
/// extractions (`shrx`, `shlx`, `bzhi`) are single instructions that leave the flags alone.
/// Measured on 128 scene tiles (one core, A/B interleaved per tile): BMI2 1.04x, with the
/// whole-entry subtraction of [`BitReader::consume_entry`] 1.10x (LZ77 levels 1-9 1.09-1.10x,
/// Huffman-only 1.06x, mosaic u16 tiles 1.06-1.08x); the subtraction alone 1.03x.
fn huffman_block(
    bits: &mut BitReader,
    out: &mut [u8],
    produced: &mut usize,
    tables: &Tables,
) -> Result<BlockEnd, CodecError> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("bmi2") && !generic_body_only() {
        // SAFETY: the CPU supports BMI2 (checked just above), which is all that calling a
        // `#[target_feature(enable = "bmi2")]` function requires.
        #[allow(unsafe_code)]
        return unsafe { huffman_block_bmi2(bits, out, produced, tables) };
    }
    huffman_block_body(bits, out, produced, tables)
}

#[cfg(test)]
thread_local! {
    /// Tests set it to run the generic body on CPUs that have BMI2 too.
    static GENERIC_BODY_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(target_arch = "x86_64")]
fn generic_body_only() -> bool {
    #[cfg(test)]
    return GENERIC_BODY_ONLY.with(std::cell::Cell::get);
    #[cfg(not(test))]
    false
}

/// [`huffman_block_body`] compiled for BMI2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "bmi2")]
fn huffman_block_bmi2(
    bits: &mut BitReader,
    out: &mut [u8],
    produced: &mut usize,
    tables: &Tables,
) -> Result<BlockEnd, CodecError> {
    huffman_block_body(bits, out, produced, tables)
}

/// Works on a copy of the bit reader, written back once at the end: behind the `&mut` its
/// fields would have to be kept in memory across every store to `out`, a local copy can stay in
/// registers. The body is [`huffman_symbols`], inlined here.
#[inline(always)]
fn huffman_block_body(
    bits: &mut BitReader,
    out: &mut [u8],
    produced: &mut usize,
    tables: &Tables,
) -> Result<BlockEnd, CodecError> {
    let mut local = *bits;
    let result = huffman_symbols(&mut local, out, produced, tables);
    *bits = local;
    result
}

#[inline(always)]
fn huffman_symbols(
    bits: &mut BitReader,
    out: &mut [u8],
    produced: &mut usize,
    tables: &Tables,
) -> Result<BlockEnd, CodecError> {
    let litlen = &tables.litlen;
    let dist = &tables.dist;
    let root_mask = (1usize << LITLEN_ROOT) - 1;
    let mut o = *produced;
    // Fast loop: while a whole step's output (up to eight literals, or a 258-byte match plus
    // the 16 bytes a vector copy may write past it) fits in `out` and two refills can each load
    // 8 input bytes, no per-byte room checks. A literal entry writes two bytes and advances by
    // its count (one or two literals).
    if fast_room(out, o, bits) {
        bits.refill_fast();
        // Each pass starts with the entry of the next symbol already looked up: after a match
        // it is looked up before the match is copied, so the lookup and the copy overlap.
        let mut entry = litlen[bits.buf as usize & root_mask];
        loop {
            if entry & LITERAL != 0 {
                // Up to four first-level literal entries (11 bits each) per refill.
                let mut taken = 0;
                while entry & LITERAL != 0 && taken < 4 {
                    o = put_literals_fast(out, o, entry);
                    bits.consume_entry(entry);
                    entry = litlen[bits.buf as usize & root_mask];
                    taken += 1;
                }
                // The entry stays valid: at most 44 of the 56 bits went, and a refill only
                // adds bits above the ones it was read from.
                bits.refill_fast();
                if entry & LITERAL != 0 {
                    if fast_room(out, o, bits) {
                        continue;
                    }
                    break;
                }
            }
            if entry & KIND == SUBTABLE {
                bits.consume_entry(entry);
                entry = second_level(litlen, entry, bits.buf)?;
                if entry & LITERAL != 0 {
                    o = put_literals_fast(out, o, entry);
                    bits.consume_entry(entry);
                    bits.refill_fast();
                    entry = litlen[bits.buf as usize & root_mask];
                    if fast_room(out, o, bits) {
                        continue;
                    }
                    break;
                }
            }
            let Some((length, distance)) = match_or_end(bits, entry, dist, o)? else {
                *produced = o;
                return Ok(BlockEnd::EndOfBlock);
            };
            bits.refill_fast();
            entry = litlen[bits.buf as usize & root_mask];
            copy_match_fast(out, o, distance, length);
            o += length;
            if !fast_room(out, o, bits) {
                break;
            }
        }
    }
    // Careful loop for the end of the output or of the input: every byte checked.
    let end = loop {
        bits.refill(o);
        let mut entry = litlen[bits.buf as usize & root_mask];
        if entry & KIND == SUBTABLE && entry & LITERAL == 0 {
            bits.consume_entry(entry);
            entry = second_level(litlen, entry, bits.buf)?;
        }
        if entry & LITERAL != 0 {
            bits.consume_entry(entry);
            if !put_literals(out, &mut o, entry) {
                break BlockEnd::OutputFull;
            }
            continue;
        }
        let Some((length, distance)) = match_or_end(bits, entry, dist, o)? else {
            break BlockEnd::EndOfBlock;
        };
        let room = out.len() - o;
        if length >= room {
            copy_match(out, o, distance, room);
            o += room;
            break BlockEnd::OutputFull;
        }
        copy_match(out, o, distance, length);
        o += length;
    };
    *produced = o;
    Ok(end)
}

/// Write a literal entry's one or two bytes when there is room for two; return the new position.
#[inline(always)]
fn put_literals_fast(out: &mut [u8], o: usize, entry: u32) -> usize {
    out[o..o + 2].copy_from_slice(&((entry >> 8) as u16).to_le_bytes());
    o + (entry >> 24 & 3) as usize
}

/// Write a literal entry's bytes while they fit; `false` once `out` is full.
#[inline(always)]
fn put_literals(out: &mut [u8], o: &mut usize, entry: u32) -> bool {
    for k in 0..(entry >> 24 & 3) {
        let Some(slot) = out.get_mut(*o) else {
            return false;
        };
        *slot = (entry >> (8 + 8 * k)) as u8;
        *o += 1;
    }
    true
}

/// Output room the fast loop needs for one step: a 258-byte match and the 16 bytes its copy
/// may write past the end (eight literals need less).
const FAST_OUT_MARGIN: usize = 258 + 16;

/// Whether the fast loop may take another step: room in `out` for it, and 16 input bytes for
/// the two 8-byte refills a step makes.
#[inline(always)]
fn fast_room(out: &[u8], o: usize, bits: &BitReader) -> bool {
    o + FAST_OUT_MARGIN <= out.len() && bits.pos + 16 <= bits.data.len()
}

/// A non-literal first-level (or resolved second-level) entry: `None` at the end of the block,
/// else the match's (length, distance), checked to stay within the `o` bytes written so far.
#[inline(always)]
fn match_or_end(
    bits: &mut BitReader,
    entry: u32,
    dist: &[u32; DIST_TABLE],
    o: usize,
) -> Result<Option<(usize, usize)>, CodecError> {
    // One well-predicted test for the common case (a length).
    if entry & KIND != BASE {
        bits.consume_entry(entry);
        if entry & KIND == END_OF_BLOCK {
            return Ok(None);
        }
        return Err(CodecError::corrupt(CODEC, "invalid literal/length code"));
    }
    let (length, distance) = decode_match(bits, entry, dist)?;
    if distance > o {
        return Err(CodecError::corrupt(CODEC, "invalid distance too far back"));
    }
    Ok(Some((length, distance)))
}

/// Finish a length entry (`entry`, not yet consumed) and decode the distance after it; return
/// (length, distance). At most 20 bits went since the last refill; a distance needs at most 28
/// of the other 36.
#[inline(always)]
fn decode_match(
    bits: &mut BitReader,
    entry: u32,
    dist: &[u32; DIST_TABLE],
) -> Result<(usize, usize), CodecError> {
    let saved = bits.buf;
    bits.consume_entry(entry);
    let length = (entry >> 16) as usize + extra_bits(saved, entry);
    let mut entry = dist[bits.buf as usize & ((1 << DIST_ROOT) - 1)];
    // One test on the common path (a first-level distance), as for lengths.
    if entry & KIND != BASE {
        if entry & KIND == SUBTABLE {
            bits.consume_entry(entry);
            entry = second_level(dist, entry, bits.buf)?;
        }
        if entry & KIND != BASE {
            bits.consume_entry(entry);
            return Err(CodecError::corrupt(CODEC, "invalid distance code"));
        }
    }
    let saved = bits.buf;
    bits.consume_entry(entry);
    let distance = (entry >> 16) as usize + extra_bits(saved, entry);
    Ok((length, distance))
}

/// [`copy_match`] when `out` has 16 bytes of room past the match: whole 16- or 8-byte words
/// only.
#[inline(always)]
fn copy_match_fast(out: &mut [u8], o: usize, distance: usize, length: usize) {
    let end = o + length;
    let (mut s, mut d) = (o - distance, o);
    if distance >= 16 {
        copy_far_match(out, s, d, end);
    } else if distance >= 8 {
        // Each read is at least 8 bytes behind its write, so it only sees final bytes.
        while d < end {
            let word: [u8; 8] = out[s..s + 8].try_into().expect("8-byte slice");
            out[d..d + 8].copy_from_slice(&word);
            s += 8;
            d += 8;
        }
    } else if distance == 1 {
        let word = [out[s]; 8];
        while d < end {
            out[d..d + 8].copy_from_slice(&word);
            d += 8;
        }
    } else {
        // A period of 2-7 bytes: the first `distance` bytes of the word at `s` are the
        // pattern; writing the word every `distance` bytes lays the pattern down (the rest of
        // each word is overwritten by the next).
        let word: [u8; 8] = out[s..s + 8].try_into().expect("8-byte slice");
        while d < end {
            out[d..d + 8].copy_from_slice(&word);
            d += distance;
        }
    }
}

/// Copy the match `out[s..]` to `out[d..end]` in 16-byte pieces, where `d - s >= 16` (so
/// each piece reads only bytes already final) and `out` has 16 bytes past `end`.
///
/// Most matches of image data are 4-16 bytes long and 8-32 KiB back: this copies them with one
/// load and one store and a single bounds check up front. Measured on 128 tiles of the bench
/// scene (zlib level 6, single thread): the same loop with checked slices decodes 3 % slower
/// (1.093x vs 1.125x the previous inflater), and checked variants that let the compiler drop
/// the per-piece checks did not get there (1.08x).
#[inline(always)]
fn copy_far_match(out: &mut [u8], s: usize, d: usize, end: usize) {
    assert!(s + 16 <= d && end + 16 <= out.len());
    let base = out.as_mut_ptr();
    let (mut s, mut d) = (s, d);
    loop {
        // SAFETY: `d < end + 16 - 16` at every piece's start (first piece: `d <= end`, pieces
        // advance by 16 while `d < end`), so `d + 16 <= end + 16 <= out.len()`; `s < d`, so the
        // 16 source bytes are in bounds too. Source and destination never overlap since
        // `d - s >= 16`. Unaligned reads/writes of `[u8; 16]` are what `read_unaligned` and
        // `write_unaligned` are for.
        #[allow(unsafe_code)]
        unsafe {
            let piece = base.add(s).cast::<[u8; 16]>().read_unaligned();
            base.add(d).cast::<[u8; 16]>().write_unaligned(piece);
        }
        s += 16;
        d += 16;
        if d >= end {
            break;
        }
    }
}

/// Look up a second-level entry: `pointer` gives the table start and index bits; `buf` starts
/// after the first-level bits.
#[inline(always)]
fn second_level(table: &[u32], pointer: u32, buf: u64) -> Result<u32, CodecError> {
    let start = (pointer >> 16) as usize;
    let index_bits = (pointer >> 8) & 0xf;
    let index = start + (buf & ((1u64 << index_bits) - 1)) as usize;
    table
        .get(index)
        .copied()
        .ok_or_else(|| CodecError::corrupt(CODEC, "bad second-level table entry"))
}

/// Copy `length` bytes from `distance` bytes back (`distance <= o`, `o + length <= out.len()`);
/// the regions overlap when `distance < length`, which repeats the last `distance` bytes.
#[inline(always)]
fn copy_match(out: &mut [u8], o: usize, distance: usize, length: usize) {
    let from = o - distance;
    let end = o + length;
    if end + 16 <= out.len() {
        copy_match_fast(out, o, distance, length);
    } else if distance >= length {
        out.copy_within(from..from + length, o);
    } else {
        for i in o..end {
            out[i] = out[i - distance];
        }
    }
}

/// The decode tables of the current block.
struct Tables {
    litlen: [u32; LITLEN_TABLE],
    dist: [u32; DIST_TABLE],
    precode: [u32; 1 << PRECODE_ROOT],
    /// Whether `litlen`/`dist` hold the fixed code (so consecutive fixed blocks skip the build).
    fixed_loaded: bool,
}

impl Tables {
    fn new() -> Self {
        Tables {
            litlen: [INVALID; LITLEN_TABLE],
            dist: [INVALID; DIST_TABLE],
            precode: [INVALID; 1 << PRECODE_ROOT],
            fixed_loaded: false,
        }
    }

    /// The fixed code of block type 1 (RFC 1951, 3.2.6).
    fn load_fixed(&mut self) -> Result<(), CodecError> {
        if self.fixed_loaded {
            return Ok(());
        }
        let mut lens = [0u8; 288];
        lens[..144].fill(8);
        lens[144..256].fill(9);
        lens[256..280].fill(7);
        lens[280..].fill(8);
        build_table(&lens, LITLEN_ROOT, &mut self.litlen, litlen_symbol, true)?;
        make_literal_pairs(&mut self.litlen);
        build_table(&[5u8; 32], DIST_ROOT, &mut self.dist, dist_symbol, true)?;
        self.fixed_loaded = true;
        Ok(())
    }

    /// Read a dynamic block's code description (RFC 1951, 3.2.7) and build its tables.
    fn load_dynamic(&mut self, bits: &mut BitReader, produced: usize) -> Result<(), CodecError> {
        self.fixed_loaded = false;
        bits.refill(produced);
        let nlitlen = bits.take(5) as usize + 257;
        let ndist = bits.take(5) as usize + 1;
        let nprecode = bits.take(4) as usize + 4;
        if nlitlen > 286 || ndist > 30 {
            return Err(CodecError::corrupt(
                CODEC,
                "too many length or distance symbols",
            ));
        }
        let mut precode_lens = [0u8; 19];
        for &symbol in &PRECODE_ORDER[..nprecode] {
            bits.refill(produced);
            precode_lens[symbol] = bits.take(3) as u8;
        }
        build_table(
            &precode_lens,
            PRECODE_ROOT,
            &mut self.precode,
            |s| (PRECODE | (s as u32) << 16, 0),
            false,
        )?;

        let mut lens = [0u8; 286 + 30];
        let total = nlitlen + ndist;
        let mut i = 0;
        while i < total {
            bits.refill(produced);
            let entry = self.precode[bits.buf as usize & ((1 << PRECODE_ROOT) - 1)];
            if entry & KIND != PRECODE {
                bits.consume_entry(entry);
                return Err(CodecError::corrupt(CODEC, "invalid code lengths set"));
            }
            bits.consume_entry(entry);
            let (value, count) = match entry >> 16 {
                len @ 0..=15 => (len as u8, 1),
                16 => {
                    let Some(&previous) = i.checked_sub(1).map(|p| &lens[p]) else {
                        return Err(CodecError::corrupt(CODEC, "invalid bit length repeat"));
                    };
                    (previous, 3 + bits.take(2) as usize)
                }
                17 => (0, 3 + bits.take(3) as usize),
                _ => (0, 11 + bits.take(7) as usize),
            };
            if i + count > total {
                return Err(CodecError::corrupt(CODEC, "invalid bit length repeat"));
            }
            lens[i..i + count].fill(value);
            i += count;
        }
        if lens[256] == 0 {
            return Err(CodecError::corrupt(
                CODEC,
                "invalid code -- missing end-of-block",
            ));
        }
        build_table(
            &lens[..nlitlen],
            LITLEN_ROOT,
            &mut self.litlen,
            litlen_symbol,
            true,
        )?;
        make_literal_pairs(&mut self.litlen);
        build_table(
            &lens[nlitlen..total],
            DIST_ROOT,
            &mut self.dist,
            dist_symbol,
            true,
        )
    }
}

/// Entry (without bit counts) and extra-bit count of a literal/length symbol.
fn litlen_symbol(symbol: usize) -> (u32, u32) {
    match symbol {
        0..=255 => (LITERAL | 1 << 24 | (symbol as u32) << 8, 0),
        256 => (END_OF_BLOCK, 0),
        257..=285 => {
            let i = symbol - 257;
            (
                BASE | u32::from(LENGTH_BASE[i]) << 16,
                u32::from(LENGTH_EXTRA[i]),
            )
        }
        _ => (INVALID, 0),
    }
}

/// Entry (without bit counts) and extra-bit count of a distance symbol.
fn dist_symbol(symbol: usize) -> (u32, u32) {
    match symbol {
        0..=29 => (
            BASE | u32::from(DIST_BASE[symbol]) << 16,
            u32::from(DIST_EXTRA[symbol]),
        ),
        _ => (INVALID, 0),
    }
}

/// A symbol's entry with its bit counts: code length `len` (at its table level) and `extra`
/// bits. Literal entries only carry the total (their bits 8-15 hold the byte).
fn with_lengths(base: u32, len: u32, extra: u32) -> u32 {
    if base & LITERAL != 0 {
        base | len
    } else {
        base | len << 8 | (len + extra)
    }
}

/// Turn first-level literal entries into pairs where the next literal's code fits in the bits
/// left: the entry at index `i` covers the code of its first literal and, in `i >> len1`, the
/// start of the next symbol, whose first-level entry (built with those unknown high bits zero)
/// is right whenever its code is short enough to lie within the 11 bits.
fn make_literal_pairs(table: &mut [u32; LITLEN_TABLE]) {
    const ROOT: usize = 1 << LITLEN_ROOT;
    let single: [u32; ROOT] = table[..ROOT].try_into().expect("first level");
    for (i, slot) in table[..ROOT].iter_mut().enumerate() {
        let first = single[i];
        if first & LITERAL == 0 {
            continue;
        }
        let len1 = first & 0xff;
        let second = single[i >> len1];
        let both = len1 + (second & 0xff);
        if second & LITERAL != 0 && both <= LITLEN_ROOT {
            *slot = LITERAL | 2 << 24 | (second & 0xff00) << 8 | (first & 0xff00) | both;
        }
    }
}

/// Build the decode table of the canonical Huffman code with code lengths `lens` (0 = unused).
///
/// `root` index bits address the first level; codes longer than that continue in second-level
/// tables placed after it. zlib's rules: an over-subscribed code is an error; an incomplete one
/// only passes when it is a single 1-bit code and `allow_single` (literal/length and distance
/// codes), or when no symbol has a code at all; either way the unused slots decode as invalid.
fn build_table(
    lens: &[u8],
    root: u32,
    table: &mut [u32],
    symbol_entry: impl Fn(usize) -> (u32, u32),
    allow_single: bool,
) -> Result<(), CodecError> {
    let mut count = [0u32; 16];
    for &len in lens {
        count[usize::from(len)] += 1;
    }
    count[0] = 0;
    let max_len = (1..16).rev().find(|&l| count[l] != 0).unwrap_or(0) as u32;
    let root_size = 1usize << root;
    // Unused slots cover `root` bits: an error on them counts those bits as read.
    let unused_slot = INVALID | root;
    if max_len == 0 {
        table[..root_size].fill(unused_slot);
        return Ok(());
    }
    let mut unused: i64 = 1;
    for &c in &count[1..] {
        unused = unused * 2 - i64::from(c);
        if unused < 0 {
            return Err(CodecError::corrupt(CODEC, "over-subscribed code"));
        }
    }
    if unused > 0 {
        if !(allow_single && max_len == 1) {
            return Err(CodecError::corrupt(CODEC, "incomplete code"));
        }
        table[..root_size].fill(unused_slot);
    }

    // Symbols sorted by code length, then by value: the canonical code order.
    let mut offsets = [0usize; 17];
    for len in 1..16 {
        offsets[len + 1] = offsets[len] + count[len] as usize;
    }
    let mut sorted = [0u16; 288];
    for (symbol, &len) in lens.iter().enumerate() {
        if len != 0 {
            sorted[offsets[usize::from(len)]] = symbol as u16;
            offsets[usize::from(len)] += 1;
        }
    }

    let mut remaining = count;
    let mut code = 0u32; // the canonical code, most significant bit first
    let mut next = 0usize; // index into `sorted`
    let mut next_subtable = root_size;
    let mut current_prefix = usize::MAX;
    let (mut sub_start, mut sub_bits) = (0usize, 0u32);
    for len in 1..=max_len {
        for _ in 0..count[len as usize] {
            let symbol = usize::from(sorted[next]);
            next += 1;
            let (base, extra) = symbol_entry(symbol);
            // The stream sends codes most significant bit first into an LSB-first buffer.
            let reversed = (code.reverse_bits() >> (32 - len)) as usize;
            if len <= root {
                let entry = with_lengths(base, len, extra);
                for slot in table[..root_size]
                    .iter_mut()
                    .skip(reversed)
                    .step_by(1 << len)
                {
                    *slot = entry;
                }
            } else {
                let prefix = reversed & (root_size - 1);
                if prefix != current_prefix {
                    // A new second-level table: as many index bits as the codes sharing this
                    // prefix need (zlib's sizing loop).
                    sub_bits = len - root;
                    let mut room = 1i64 << sub_bits;
                    while sub_bits + root < max_len {
                        room -= i64::from(remaining[(sub_bits + root) as usize]);
                        if room <= 0 {
                            break;
                        }
                        sub_bits += 1;
                        room <<= 1;
                    }
                    sub_start = next_subtable;
                    next_subtable += 1 << sub_bits;
                    if next_subtable > table.len() {
                        return Err(CodecError::corrupt(CODEC, "code tables too large"));
                    }
                    table[prefix] = (sub_start as u32) << 16 | SUBTABLE | sub_bits << 8 | root;
                    current_prefix = prefix;
                }
                let sub_len = len - root;
                let entry = with_lengths(base, sub_len, extra);
                let sub = &mut table[sub_start..sub_start + (1 << sub_bits)];
                for slot in sub.iter_mut().skip(reversed >> root).step_by(1 << sub_len) {
                    *slot = entry;
                }
            }
            remaining[len as usize] -= 1;
            code += 1;
        }
        code <<= 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::noise;
    use flate2::{Compression, Decompress, FlushDecompress};

    /// zlib-rs on the same stream, raw Deflate after our header check, stopping when `out` is
    /// full: the reference this decoder must agree with.
    fn reference(data: &[u8], len: usize) -> Result<Vec<u8>, ()> {
        let body = zlib_body(data).map_err(|_| ())?;
        let mut d = Decompress::new(false);
        let mut out = vec![0u8; len];
        let mut filled = 0;
        let mut consumed = 0;
        while filled < len {
            let (i, o) = (d.total_in(), d.total_out());
            let status = d
                .decompress(&body[consumed..], &mut out[filled..], FlushDecompress::None)
                .map_err(|_| ())?;
            consumed += (d.total_in() - i) as usize;
            filled += (d.total_out() - o) as usize;
            if status == flate2::Status::StreamEnd || (d.total_in() == i && d.total_out() == o) {
                break;
            }
        }
        if filled < len {
            return Err(());
        }
        Ok(out)
    }

    /// Our decoder, through the body the CPU dispatch picks and through the generic body; the
    /// two must agree on the bytes and on the error.
    fn ours(data: &[u8], len: usize) -> Result<Vec<u8>, CodecError> {
        let run = |generic: bool| {
            GENERIC_BODY_ONLY.with(|g| g.set(generic));
            let mut out = vec![0xAAu8; len];
            let result = inflate_zlib(data, &mut out).map(|()| out);
            GENERIC_BODY_ONLY.with(|g| g.set(false));
            result
        };
        let dispatched = run(false);
        let generic = run(true);
        let agree = match (&dispatched, &generic) {
            (Ok(a), Ok(b)) => a == b,
            (Err(a), Err(b)) => a.to_string() == b.to_string(),
            _ => false,
        };
        assert!(agree, "CPU-specific and generic bodies disagree");
        dispatched
    }

    fn zlib(data: &[u8], level: u32) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), Compression::new(level));
        std::io::Write::write_all(&mut e, data).unwrap();
        e.finish().unwrap()
    }

    /// Inputs that exercise literals, short and long matches, every distance class, runs
    /// (distance 1), short periods (distances 2-7) and incompressible stretches.
    fn samples() -> Vec<Vec<u8>> {
        let mut v = vec![
            vec![],
            vec![7],
            vec![0u8; 70_000],
            noise(40_000, 3),
            b"abcabcabcabcabcabcabcxyzxyzabcabc".repeat(500),
        ];
        // Image-like rows: a smooth gradient with noise, pixel interleaved, period 3 and 6.
        let n = noise(200_000, 9);
        v.push(
            (0..200_000)
                .map(|i| ((i % 3 * 40 + (i / 3) % 512 / 4) as u8).wrapping_add(n[i] % 4))
                .collect(),
        );
        // Repeats at every distance class up to 32 K.
        let mut far = noise(33_000, 4);
        for d in [2usize, 3, 5, 7, 9, 31, 300, 5000, 20_000, 32_768] {
            let start = far.len() - d;
            let piece: Vec<u8> = far[start..start + 40.min(d)].to_vec();
            far.extend_from_slice(&piece);
            far.extend_from_slice(&noise(50, d as u64));
        }
        v.push(far);
        // Matches around the 16-byte pieces of the far-match copy: (distance, length) pairs at
        // and next to multiples of 16, and overlapping ones (length > distance).
        let mut pieces = noise(1000, 5);
        for (d, len) in [
            (16, 16),
            (16, 17),
            (17, 33),
            (31, 32),
            (24, 258),
            (100, 47),
            (16, 258),
        ] {
            for _ in 0..len {
                pieces.push(pieces[pieces.len() - d]);
            }
            pieces.extend_from_slice(&noise(20, len as u64));
        }
        v.push(pieces);
        v
    }

    #[test]
    fn valid_streams_decode_like_zlib_at_every_level() {
        for data in samples() {
            for level in 0..=9 {
                let enc = zlib(&data, level);
                let got = ours(&enc, data.len()).unwrap_or_else(|e| {
                    panic!("level {level}, {} bytes: {e}", data.len());
                });
                assert!(got == data, "level {level}, {} bytes", data.len());
            }
        }
    }

    #[test]
    fn stops_when_full_and_reports_short_streams() {
        let data = samples().swap_remove(5);
        let enc = zlib(&data, 6);
        for len in [0, 1, 2, 3, 100, 257, 258, 259, 4095, data.len() - 1] {
            assert_eq!(ours(&enc, len).unwrap(), data[..len], "len {len}");
        }
        assert!(matches!(
            ours(&enc, data.len() + 1),
            Err(CodecError::Truncated { got, .. }) if got == data.len()
        ));
        for cut in [0, 1, 2, 3, 10, enc.len() / 2, enc.len() - 5] {
            assert!(
                matches!(
                    ours(&enc[..cut], data.len()),
                    Err(CodecError::Truncated { .. })
                ),
                "cut at {cut}"
            );
        }
        // The Adler-32 trailer is not needed.
        assert_eq!(ours(&enc[..enc.len() - 4], data.len()).unwrap(), data);
    }

    #[test]
    fn corrupted_streams_agree_with_zlib() {
        let mut rng = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let sources: Vec<Vec<u8>> = samples()
            .into_iter()
            .filter(|s| !s.is_empty())
            .flat_map(|s| {
                let s = s[..s.len().min(20_000)].to_vec();
                [zlib(&s, 1), zlib(&s, 6), zlib(&s, 9)].map(|e| (e, s.len()))
            })
            .map(|(e, _)| e)
            .collect();
        let mut agreed_ok = 0;
        for round in 0..3000 {
            let src = &sources[round % sources.len()];
            let mut enc = src.clone();
            for _ in 0..1 + next() % 3 {
                let at = 2 + (next() as usize) % (enc.len() - 2);
                enc[at] ^= 1 << (next() % 8);
            }
            let len = 1 + (next() as usize) % 25_000;
            let theirs = reference(&enc, len);
            let mine = ours(&enc, len);
            match (&theirs, &mine) {
                (Ok(a), Ok(b)) => {
                    assert!(a == b, "round {round}: different bytes");
                    agreed_ok += 1;
                }
                (Err(()), Err(_)) => {}
                _ => panic!(
                    "round {round}: zlib {:?}, ours {:?}",
                    theirs.map(|v| v.len()),
                    mine.map(|v| v.len())
                ),
            }
        }
        // Some corruptions still decode (flips in literals, or past the requested length).
        assert!(agreed_ok > 100, "only {agreed_ok} decodable corruptions");
    }

    #[test]
    fn bad_headers_and_codes_are_corrupt() {
        let mut out = [0u8; 16];
        for bad in [
            &[0x78u8, 0x9d][..],
            &[0x79, 0x9c],
            &[0x88, 0x98],
            &[0x78, 0xbb],
        ] {
            assert!(matches!(
                inflate_zlib(bad, &mut out),
                Err(CodecError::Corrupt { .. })
            ));
        }
        // Block type 3.
        assert!(matches!(
            inflate_zlib(&[0x78, 0x9c, 0b111], &mut out),
            Err(CodecError::Corrupt { .. })
        ));
        // Stored block with a wrong NLEN.
        assert!(matches!(
            inflate_zlib(&[0x78, 0x9c, 1, 4, 0, 0, 0, 1, 2, 3, 4], &mut out),
            Err(CodecError::Corrupt { .. })
        ));
        // Fixed block whose first symbol is a match: distance before the start.
        assert!(matches!(
            inflate_zlib(&[0x78, 0x9c, 0b0000_0011, 0x02, 0], &mut out),
            Err(CodecError::Corrupt { .. })
        ));
    }
}
