//! TIFF LZW (compression 5): decoding through `weezl`, plus a fast libtiff-compatible encoder
//! (scalar; chunks of 512 KiB and more as 16 segments, encoded at once with AVX-512 where the CPU
//! has it, see `lzw_simd`).

use crate::CodecError;
use weezl::{decode::Decoder, BitOrder, LzwStatus};

/// Decode TIFF LZW data into `out`, filling it exactly.
///
/// Uses MSB-first codes with TIFF's "early change" code-width switch. Streams written by very old
/// libtiff versions ("old-style" LZW: LSB-first, starting with bytes `0x00 0x01`) are detected the
/// way libtiff does and decoded too. Decoding stops when `out` is full: a missing end-of-information
/// code or trailing junk is fine once all expected bytes are there. Running out of codes first is
/// [`CodecError::Truncated`]; an invalid code before `out` is full is [`CodecError::Corrupt`].
pub fn lzw_decode(data: &[u8], out: &mut [u8]) -> Result<(), CodecError> {
    let old_style = data.len() >= 2 && data[0] == 0 && data[1] & 1 == 1;
    let mut dec = if old_style {
        Decoder::new(BitOrder::Lsb, 8)
    } else {
        Decoder::with_tiff_size_switch(BitOrder::Msb, 8)
    };
    let mut inp = data;
    let mut filled = 0usize;
    while filled < out.len() {
        let r = dec.decode_bytes(inp, &mut out[filled..]);
        inp = &inp[r.consumed_in..];
        filled += r.consumed_out;
        match r.status {
            Ok(LzwStatus::Done) | Ok(LzwStatus::NoProgress) => break,
            Ok(LzwStatus::Ok) => {
                if r.consumed_in == 0 && r.consumed_out == 0 {
                    break;
                }
            }
            Err(e) => {
                if filled >= out.len() {
                    break;
                }
                return Err(CodecError::corrupt("lzw", e.to_string()));
            }
        }
    }
    if filled < out.len() {
        return Err(CodecError::Truncated {
            expected: out.len(),
            got: filled,
        });
    }
    Ok(())
}

const CLEAR: u32 = 256;
const EOI: u32 = 257;
pub(crate) const FIRST_FREE: u32 = 258;
/// libtiff resets the table when the next free code would be 4094 (CODE_MAX - 1).
pub(crate) const FULL: u32 = 4094;
/// Large chunks are encoded as this many segments, each starting from an empty table.
pub(crate) const SEGMENTS: usize = 16;
/// Chunks shorter than `SEGMENTS` times this are one segment (libtiff's code stream exactly).
#[cfg(not(fuzzing))]
const MIN_SEGMENT: usize = 32 * 1024;
/// Under cargo-fuzz, inputs from 1 KiB on take the segmented (and vector) path, so that the
/// `codec_lzw` target compares the vector encoder with the scalar one on most inputs.
#[cfg(fuzzing)]
const MIN_SEGMENT: usize = 64;
/// Slots per byte value in the child table: one per prefix code, padded so that the rows of
/// different bytes do not all map to the same cache sets.
const ROW: usize = 4096 + 32;
/// Child table length: a power of two above `256 * ROW`, so a mask proves every index in bounds.
/// Only the first `256 * ROW` slots are ever touched (the rest is never paged in).
const SLOTS: usize = 1 << 21;

/// The encoder's string table as a direct child table: `child[byte * ROW + code]` is the code of
/// the string `code` + `byte`, or 0 when that string is not in the table (no string ever gets
/// code 0). One dependent load per input byte, no hashing or probing. Byte-major order keeps the
/// entries of codes made close together (which tend to be looked up close together) in the same
/// cache lines. `slot[code]` remembers which slot holds each added code, so a table reset only
/// clears the (at most 3836) slots in use instead of the whole table.
///
/// Why this layout and this loop, measured with `encoders bench-data/scene_u8.tif 16 f32 lzw`
/// (normalize's float32 tiles, 150-180 MB/s here): the loop is bound by the latency of the one
/// table load per byte (perf: ~60 % of samples wait on it). A simulation of its accesses gives
/// 2320 cache lines (145 KiB) touched per table epoch, 74 % L1 hits in a 32 KiB L1, 84 % hits in
/// a 64-entry TLB. Alternatives that measured slower or no faster, and why not to retry them:
/// code-major order `child[code * 256 + byte]` (120 MB/s: fewer shared lines); an exact hash
/// table in 32 KiB (`(key, code)` in a u32, or a u16 code checked against a key array: 124-138
/// MB/s, 17-21 % extra probes per byte and a longer chain per lookup); a branchless loop (cmov
/// and unconditional stores, codes packed later: 112-131 MB/s); two streams interleaved in one
/// loop to overlap their loads (92-127 MB/s: twice the working set, and a mispredict of one
/// stream flushes the other); a prefetch of the next root-child slot (no change); transparent
/// huge pages (no change); a per-code cache of its first (or most recent) child in 16 KiB,
/// checked before the table (82 % of found children are there, but the extra branch for the
/// rest costs more: 0.98x); a 16-bit (or 8-bit) child-byte filter per code instead of the leaf
/// flag below (86 % of string ends resolved early, but 0.95-1.0x); the table as one array of
/// u16 words, slots stored as two halves (0.96x); the packer as a struct of its three numbers
/// writing into a separate buffer struct (1.00x: the code width and end pointer spilled); a
/// second table keyed by (code, next two bytes) to advance two bytes per dependent load, with
/// a branchless end-of-string path and the child table as fallback (0.70-0.74x with 4-32 K
/// slots: strings average 4.5 bytes here, so it saves ~1.5 loads per string but lengthens the
/// end-of-string path, which costs more); after the unchecked lookups below: codes stored as
/// byte offsets into a row (no scaled index; 1.03x against 1.05x), the leaf flag kept as a tag
/// bit in the child entries so the end-of-string branch needs no leaf load (0.986x: untagging a
/// code when it gets its first child is one more random store per string), no leaf flag at all
/// (0.96x), ROW padding 8/16/64 (no change), a BMI2 build of the loop (1.00x), and four tiles
/// encoded in lockstep with a branchless body and a table each, so that their chains overlap
/// without mispredicts (100-104 MB/s against 255: the lanes' state goes through memory).
/// The bit packer is 4 % of the time (removing it entirely: 1.04x). Gains under 3 % need 40+
/// interleaved rounds, timed by the wall clock (the CPU-time clock here ticks in 4 ms), to see
/// on this machine.
///
/// `leaf[code]` says a code has no children yet: 60 % of strings on the float32 tiles end at
/// such a code, and testing this 4 KiB array (always in L1) first lets their end-of-string
/// branch resolve without waiting on a child-table load. The three arrays share one allocation
/// at fixed offsets, so one base register reaches them all, and the bit packer's state is
/// plain locals of `encode_with`: with separate boxes and a packer struct the loop spilled the
/// packer, code width and next code to the stack. Together 1.03-1.05x (four runs of 40
/// interleaved rounds); the leaf flag alone was 1.00-1.02x.
#[repr(C)]
struct Table {
    child: [u16; SLOTS],
    leaf: [bool; 4096],
    slot: [u32; 4096],
}

// SAFETY: every field is an array of integers or bools, for which all-zero bytes are valid.
// (The only way to make this 4 MiB struct on the heap without building it on the stack.)
#[allow(unsafe_code)]
unsafe impl bytemuck::Zeroable for Table {}

impl Table {
    fn new() -> Box<Self> {
        bytemuck::zeroed_box()
    }

    /// Remove the codes `FIRST_FREE..free`, leaving every child slot 0.
    fn clear(&mut self, free: u32) {
        for &s in &self.slot[FIRST_FREE as usize..free as usize] {
            self.child[s as usize & (SLOTS - 1)] = 0;
        }
    }
}

std::thread_local! {
    /// A clean (all-zero) table kept per thread between calls: allocating and page-faulting
    /// its ~2 MiB for every tile would cost more than encoding a small one. Taken out while in
    /// use, so a panic mid-encode just drops it and the next call starts from a fresh one.
    static TABLE: std::cell::Cell<Option<Box<Table>>> = const { std::cell::Cell::new(None) };
}

/// Bytes the bit packer collects before appending them to its output vector.
const CHUNK: usize = 4096;

#[cold]
#[inline(never)]
fn append(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(bytes);
}

/// Encode `data` as TIFF LZW, the way libtiff does.
///
/// MSB-first codes starting at 9 bits, the "early change" width switch, a ClearCode at the start,
/// a ClearCode whenever the table reaches 4094 entries, and an EndOfInformation code at the end.
/// The output decodes with `weezl`'s `Decoder::with_tiff_size_switch(BitOrder::Msb, 8)` and with
/// libtiff. Chunks under 512 KiB give exactly libtiff's code stream. Larger ones are cut into 16
/// equal segments, each starting with a ClearCode (an empty table), so that CPUs with AVX-512
/// encode the 16 at once (1.4x on float32 tiles); that costs about 0.3 % in size, and the bytes
/// are the same on every CPU ([`lzw_encode_portable`] gives them without CPU-specific code).
/// Each thread keeps its tables between calls: the scalar one (about 2 MiB of it ever touched)
/// and the vector one (512 KiB, plus up to 16 MiB for the code runs, twice the chunk).
pub fn lzw_encode(data: &[u8]) -> Vec<u8> {
    #[cfg(target_arch = "x86_64")]
    if let Some(segs) = segments(data.len()) {
        if data.len() <= crate::lzw_simd::MAX_LEN && crate::lzw_simd::available() {
            let mut buffers = SIMD_BUFFERS
                .with(|b| b.take())
                .unwrap_or_else(crate::lzw_simd::Buffers::new);
            let out = pack_runs(&crate::lzw_simd::encode_runs(data, &segs, &mut buffers));
            buffers.trim();
            SIMD_BUFFERS.with(|b| b.set(Some(buffers)));
            return out;
        }
    }
    lzw_encode_portable(data)
}

/// [`lzw_encode`]'s bytes from the scalar encoder alone, on any CPU.
pub fn lzw_encode_portable(data: &[u8]) -> Vec<u8> {
    let whole = [(0, data.len())];
    let segs = segments(data.len());
    let segs: &[(usize, usize)] = segs.as_ref().map_or(&whole, |s| &s[..]);
    let mut table = TABLE.with(|t| t.take()).unwrap_or_else(Table::new);
    let out = encode_with(data, segs, &mut table);
    TABLE.with(|t| t.set(Some(table)));
    out
}

#[cfg(target_arch = "x86_64")]
std::thread_local! {
    /// The AVX-512 encoder's tables and code runs, kept per thread like [`TABLE`].
    static SIMD_BUFFERS: std::cell::Cell<Option<crate::lzw_simd::Buffers>> =
        const { std::cell::Cell::new(None) };
}

/// The `SEGMENTS` equal parts (the last one shorter) of a chunk of `len` bytes, or `None` when
/// it is encoded whole.
pub(crate) fn segments(len: usize) -> Option<[(usize, usize); SEGMENTS]> {
    if len < SEGMENTS * MIN_SEGMENT {
        return None;
    }
    let step = len.div_ceil(SEGMENTS);
    Some(std::array::from_fn(|k| {
        (k * step, ((k + 1) * step).min(len))
    }))
}

// (Only the vector encoder hands over code runs.)
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
/// The TIFF LZW stream of per-segment code runs (each run: the codes of one segment encoded from
/// an empty table, ending with its last string's code), with the code widths, the ClearCodes of
/// table resets and segment starts, and the EndOfInformation code that the scalar encoder writes.
pub(crate) fn pack_runs(runs: &[&[u16]]) -> Vec<u8> {
    let total: usize = runs.iter().map(|r| r.len()).sum();
    // At most 12 bits per code, plus the ClearCodes (one per 3836 codes or segment) and EOI.
    let mut out = vec![0u8; (total + total / 3836 + runs.len() + 2) * 12 / 8 + 16];
    let (mut acc, mut nbits, mut at) = (0u64, 0u32, 0usize);
    {
        let mut put = |code: u32, width: u32| {
            // nbits < 8 on entry: the code fits below the pending bits; 8 bytes stored, the
            // complete ones kept.
            nbits += width;
            acc |= u64::from(code) << (64 - nbits);
            out[at..at + 8].copy_from_slice(&acc.to_be_bytes());
            let bytes = nbits / 8;
            at += bytes as usize;
            acc <<= bytes * 8;
            nbits &= 7;
        };
        let (mut width, mut free) = (9u32, FIRST_FREE);
        put(CLEAR, width);
        for run in runs {
            if free != FIRST_FREE {
                put(CLEAR, width);
                (width, free) = (9, FIRST_FREE);
            }
            for &code in *run {
                put(u32::from(code), width);
                free += 1;
                if free == FULL {
                    put(CLEAR, width);
                    (width, free) = (9, FIRST_FREE);
                } else if free > (1 << width) - 1 {
                    width += 1;
                }
            }
        }
        put(EOI, width);
    }
    out.truncate(at + nbits.div_ceil(8) as usize);
    out
}

fn encode_with(data: &[u8], segs: &[(usize, usize)], table: &mut Table) -> Vec<u8> {
    // Typical data compresses; incompressible data grows to at most 12/8 (plus Clears).
    let mut out: Vec<u8> = Vec::with_capacity(data.len() / 2 + 64);
    // MSB-first bit packer without data-dependent branches: the pending bits sit left-aligned
    // in a 64-bit accumulator, stored whole into a small buffer after every code; the buffer
    // position then advances by the number of complete bytes.
    let mut buf = [0u8; CHUNK + 8];
    let (mut pos, mut acc, mut nbits) = (0usize, 0u64, 0u32);
    macro_rules! put {
        ($code:expr, $width:expr) => {{
            // nbits < 8 on entry and width <= 12: the code fits below the pending bits.
            nbits += $width;
            acc |= ($code as u64) << (64 - nbits);
            let p = pos & (CHUNK - 1);
            buf[p..p + 8].copy_from_slice(&acc.to_be_bytes());
            let bytes = nbits / 8;
            pos = p + bytes as usize;
            // (Unread after the last code: its bits are already in `buf`.)
            #[allow(unused_assignments)]
            {
                acc <<= bytes * 8;
            }
            nbits &= 7;
            if pos >= CHUNK - 8 {
                append(&mut out, &buf[..pos]);
                pos = 0;
            }
        }};
    }
    let mut width = 9u32;
    let mut free = FIRST_FREE;
    put!(CLEAR, width);
    for &(start, end) in segs {
        let Some((&first, rest)) = data[start..end].split_first() else {
            break;
        };
        // A segment starts from an empty table (after a reset it already is).
        if free != FIRST_FREE {
            put!(CLEAR, width);
            (width, free) = (9, FIRST_FREE);
        }
        let mut limit = (1u32 << width) - 1;
        // Codes from FIRST_FREE on are marked leaves as they are made; the roots here.
        table.leaf[..256].fill(true);
        let mut ent = first as u32;
        for &c in rest {
            let row = (c as usize) * ROW;
            if !leaf_unchecked(table, ent) {
                let next = child_unchecked(table, row, ent);
                if next != 0 {
                    ent = next as u32;
                    continue;
                }
            }
            let s = (row + ent as usize) & (SLOTS - 1);
            put!(ent, width);
            table.leaf[ent as usize & 4095] = false;
            table.leaf[free as usize & 4095] = true;
            ent = c as u32;
            table.child[s] = free as u16;
            table.slot[free as usize & 4095] = s as u32;
            free += 1;
            // One rare branch per added code: `limit` is the last code of the current width, or
            // FULL - 1 at 12 bits.
            if free > limit {
                if free == FULL {
                    put!(CLEAR, width);
                    table.clear(FULL);
                    table.leaf[..256].fill(true);
                    free = FIRST_FREE;
                    width = 9;
                } else {
                    width += 1;
                }
                limit = ((1 << width) - 1).min(FULL - 1);
            }
        }
        table.clear(free);
        // Flush the pending string; then account for the table entry the decoder will add,
        // which may widen the code used next (libtiff's LZWPostEncode).
        put!(ent, width);
        free += 1;
        if free == FULL {
            put!(CLEAR, width);
            (width, free) = (9, FIRST_FREE);
        } else if free > (1 << width) - 1 {
            width += 1;
        }
    }
    put!(EOI, width);
    finish(out, &buf, pos, nbits)
}

// The two lookups of the loop above without bounds checks: with them, each byte's dependent
// chain was an add and a mask before the child-table load; without, the load takes the code
// straight as its index (the row start is computed off the chain from the data byte). A/B
// against the checked loop, 16 scene float32 tiles, three runs of 40 interleaved rounds (wall
// clock): per-round medians 1.054x, 1.050x, 1.054x; output identical.
//
// Both rely on one invariant of `encode_with`: `ent` is always below 4096. It is either a data
// byte (< 256) or a value read from `child`, whose slots hold only 0 or a code stored while
// `free < FULL` (the table is reset when `free` reaches FULL, before the next store).

/// `table.leaf[ent]` for `ent < 4096`.
#[inline(always)]
fn leaf_unchecked(table: &Table, ent: u32) -> bool {
    debug_assert!(ent < 4096);
    // SAFETY: `ent < 4096 == leaf.len()` (the invariant above).
    #[allow(unsafe_code)]
    unsafe {
        *table.leaf.get_unchecked(ent as usize)
    }
}

/// `table.child[row + ent]` for `row = byte * ROW` and `ent < 4096`.
#[inline(always)]
fn child_unchecked(table: &Table, row: usize, ent: u32) -> u16 {
    debug_assert!(row <= 255 * ROW && ent < 4096);
    // SAFETY: `row <= 255 * ROW` (a byte times ROW) and `ent < 4096` (the invariant above), so
    // the index is below `256 * ROW < SLOTS == child.len()`.
    #[allow(unsafe_code)]
    unsafe {
        *table.child.get_unchecked(row + ent as usize)
    }
}

/// `out` plus the packer's buffered bytes (`pos` whole ones and `nbits` pending bits).
fn finish(mut out: Vec<u8>, buf: &[u8], pos: usize, nbits: u32) -> Vec<u8> {
    out.extend_from_slice(&buf[..pos + nbits.div_ceil(8) as usize]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::noise;

    fn weezl_encode(data: &[u8]) -> Vec<u8> {
        weezl::encode::Encoder::with_tiff_size_switch(BitOrder::Msb, 8)
            .encode(data)
            .unwrap()
    }

    fn weezl_decode(data: &[u8]) -> Vec<u8> {
        Decoder::with_tiff_size_switch(BitOrder::Msb, 8)
            .decode(data)
            .unwrap()
    }

    fn inputs() -> Vec<Vec<u8>> {
        let mut v = vec![
            vec![],
            vec![42],
            vec![1, 2],
            b"TOBEORNOTTOBEORTOBEORNOT#".to_vec(),
            vec![0u8; 100_000],
            noise(50_000, 1),
        ];
        // Mixed: compressible with many distinct strings, crosses several table resets.
        let mut m = Vec::new();
        for i in 0..60_000u32 {
            m.push(((i / 3) % 251) as u8 ^ ((i >> 9) as u8));
        }
        v.push(m);
        // Lengths around every code-width switch and the table reset.
        let n = noise(20_000, 7);
        for len in [
            253, 254, 255, 256, 257, 511, 512, 513, 1022, 1023, 1024, 2047, 3836, 3837, 3838, 3839,
            3840, 4000,
        ] {
            v.push(n[..len].to_vec());
        }
        v
    }

    /// A plain libtiff-rule encoder with a `HashMap` string table, for byte-exact comparison:
    /// chunks of 512 KiB and more as 16 segments, each starting from an empty table.
    fn reference_encode(data: &[u8]) -> Vec<u8> {
        let mut bits: Vec<bool> = Vec::new();
        let mut put = |code: u32, width: u32| {
            for i in (0..width).rev() {
                bits.push(code >> i & 1 == 1);
            }
        };
        let mut segs = vec![(0, data.len())];
        if data.len() >= 16 * 32 * 1024 {
            let step = data.len().div_ceil(16);
            segs = (0..16)
                .map(|k| (k * step, ((k + 1) * step).min(data.len())))
                .collect();
        }
        let mut table = std::collections::HashMap::new();
        let (mut width, mut free) = (9u32, FIRST_FREE);
        put(CLEAR, width);
        for (start, end) in segs {
            let Some((&first, rest)) = data[start..end].split_first() else {
                break;
            };
            if free != FIRST_FREE {
                put(CLEAR, width);
                table.clear();
                (width, free) = (9, FIRST_FREE);
            }
            let mut ent = first as u32;
            for &c in rest {
                if let Some(&n) = table.get(&(ent, c)) {
                    ent = n;
                    continue;
                }
                put(ent, width);
                table.insert((ent, c), free);
                ent = c as u32;
                free += 1;
                if free == FULL {
                    put(CLEAR, width);
                    table.clear();
                    (width, free) = (9, FIRST_FREE);
                } else if free >= 1 << width {
                    width += 1;
                }
            }
            put(ent, width);
            free += 1;
            if free == FULL {
                put(CLEAR, width);
                table.clear();
                (width, free) = (9, FIRST_FREE);
            } else if free >= 1 << width {
                width += 1;
            }
        }
        put(EOI, width);
        bits.chunks(8)
            .map(|b| (0..8).fold(0u8, |a, i| a << 1 | *b.get(i).unwrap_or(&false) as u8))
            .collect()
    }

    /// Inputs of 512 KiB and more (16 segments): random, a small alphabet with long repeats
    /// (many table hits, probes and resets at every point), constant, and float32 ramps.
    fn large_inputs() -> Vec<Vec<u8>> {
        let min = 16 * 32 * 1024;
        let mut v = vec![noise(min, 21), vec![0u8; min + 17]];
        let n = noise(min + 4096, 23);
        v.push(n.iter().map(|b| b % 3).collect());
        v.push(n.iter().map(|b| (b & 0x81) | 0x10).collect::<Vec<u8>>()[..min + 1].to_vec());
        let ramp: Vec<u8> = (0..(min + 3001) / 4)
            .flat_map(|i| ((i % 700) as f32 / 255.0).to_le_bytes())
            .collect();
        v.push(ramp);
        // Segments of different content (one random among repetitive ones).
        let mut mixed: Vec<u8> = (0..min * 2 + 5).map(|i| (i / 7 % 13) as u8).collect();
        mixed[min / 2..min / 2 + 40_000].copy_from_slice(&n[..40_000]);
        v.push(mixed);
        v
    }

    #[test]
    fn large_chunks_match_reference_and_decode() {
        for data in large_inputs() {
            let enc = lzw_encode(&data);
            assert!(enc == reference_encode(&data), "len {}", data.len());
            assert!(
                lzw_encode_portable(&data) == enc,
                "portable, len {}",
                data.len()
            );
            assert!(weezl_decode(&enc) == data, "weezl, len {}", data.len());
            let mut out = vec![0u8; data.len()];
            lzw_decode(&enc, &mut out).unwrap();
            assert!(out == data);
        }
    }

    #[test]
    fn segmenting_costs_little() {
        // A segmented chunk against one stream of the same bytes: each segment relearns its
        // strings. At the shortest segments (32 KiB, a 512 KiB chunk) that is about 1 %.
        let data = &large_inputs()[4];
        let whole = reference_single(data);
        let split = lzw_encode(data).len();
        assert!(split as f64 <= whole as f64 * 1.02, "{split} vs {whole}");
    }

    /// The whole chunk as one segment, as libtiff encodes it.
    fn reference_single(data: &[u8]) -> usize {
        let mut table = Table::new();
        encode_with(data, &[(0, data.len())], &mut table).len()
    }

    #[test]
    fn simd_encoder_matches_scalar_on_every_cpu_path() {
        // On CPUs with AVX-512 `lzw_encode` takes the vector path: it must give the scalar
        // encoder's bytes for lengths around the segment rules and every table-reset phase.
        #[cfg(target_arch = "x86_64")]
        if !crate::lzw_simd::available() {
            eprintln!("no AVX-512 on this CPU: both sides run the scalar encoder here");
        }
        let base = noise(16 * 32 * 1024 + 40_000, 29);
        let small: Vec<u8> = base.iter().map(|b| b % 5).collect();
        for len in [
            16 * 32 * 1024 - 1,
            16 * 32 * 1024,
            16 * 32 * 1024 + 1,
            16 * 32 * 1024 + 15,
        ] {
            for data in [&base[..len], &small[..len]] {
                assert!(lzw_encode(data) == lzw_encode_portable(data), "len {len}");
            }
        }
        for shift in 0..24 {
            let data = &small[shift * 997..];
            assert!(
                lzw_encode(data) == lzw_encode_portable(data),
                "shift {shift}"
            );
        }
    }

    #[test]
    fn encoder_matches_reference_exactly() {
        let mut all = inputs();
        // Every length around the first table reset, so the final code lands on each of the
        // cases (plain, width switch, table full) of the end-of-data handling.
        let n = noise(4200, 5);
        all.extend((3780..4200).map(|len| n[..len].to_vec()));
        all.extend((0..40).map(|len| vec![9u8; len]));
        all.push(noise(300_000, 13));
        for data in all {
            assert_eq!(
                lzw_encode(&data),
                reference_encode(&data),
                "len {}",
                data.len()
            );
        }
    }

    #[test]
    fn large_random_fills_table_many_times() {
        // About 2700 table resets.
        let data = noise(10_000_000, 17);
        let enc = lzw_encode(&data);
        assert_eq!(weezl_decode(&enc), data);
        let mut out = vec![0u8; data.len()];
        lzw_decode(&enc, &mut out).unwrap();
        assert_eq!(out, data);
    }

    #[test]
    fn all_equal_bytes() {
        for b in [0u8, 0x80, 0xFF] {
            for len in [1, 2, 3, 4, 5, 6, 77, 4096, 1 << 20, 9_000_000] {
                let data = vec![b; len];
                let enc = lzw_encode(&data);
                assert_eq!(weezl_decode(&enc), data, "byte {b} len {len}");
            }
        }
    }

    #[test]
    fn table_reuse_between_calls_is_clean() {
        // The per-thread table must come back empty after every call, however it ended: a fresh
        // thread (fresh table) must give the same bytes as one that encoded other data first.
        let all = inputs();
        let fresh: Vec<Vec<u8>> = std::thread::scope(|s| {
            all.iter()
                .map(|d| s.spawn(|| lzw_encode(d)).join().unwrap())
                .collect()
        });
        for _ in 0..2 {
            for (d, f) in all.iter().zip(&fresh) {
                assert_eq!(&lzw_encode(d), f, "len {}", d.len());
            }
        }
    }

    #[test]
    fn decode_weezl_encoded() {
        for data in inputs() {
            let enc = weezl_encode(&data);
            let mut out = vec![0u8; data.len()];
            lzw_decode(&enc, &mut out).unwrap();
            assert_eq!(out, data);
        }
    }

    #[test]
    fn encoder_round_trips_through_weezl() {
        for data in inputs() {
            let enc = lzw_encode(&data);
            assert_eq!(weezl_decode(&enc), data, "len {}", data.len());
            let mut out = vec![0u8; data.len()];
            lzw_decode(&enc, &mut out).unwrap();
            assert_eq!(out, data);
        }
    }

    #[test]
    fn encoder_matches_known_libtiff_prefix() {
        // ClearCode (256) then 'A' (65) then 'B' (66) as 9-bit MSB-first codes.
        let enc = lzw_encode(b"AB");
        assert_eq!(&enc[..3], &[0x80, 0x10, 0x48]);
        assert!(lzw_encode(&noise(10_000, 3)).len() < 10_000 * 14 / 8);
        assert!(lzw_encode(&[7u8; 10_000]).len() < 400);
    }

    #[test]
    fn missing_eoi_and_trailing_junk_ok() {
        let data = noise(5000, 9);
        let enc = weezl_encode(&data);
        // Drop the EOI code's last byte(s): all data bytes are still there.
        let cut = &enc[..enc.len() - 1];
        let mut out = vec![0u8; data.len() - 10];
        lzw_decode(cut, &mut out).unwrap();
        assert_eq!(out, data[..data.len() - 10]);
        let mut junk = enc.clone();
        junk.extend_from_slice(&[0xFF; 50]);
        let mut out = vec![0u8; data.len()];
        lzw_decode(&junk, &mut out).unwrap();
        assert_eq!(out, data);
    }

    #[test]
    fn truncated_and_garbage() {
        let data = noise(5000, 11);
        let enc = weezl_encode(&data);
        let mut out = vec![0u8; data.len()];
        assert!(matches!(
            lzw_decode(&enc[..enc.len() / 2], &mut out),
            Err(CodecError::Truncated { expected: 5000, .. })
        ));
        let mut big = vec![0u8; 6000];
        assert!(matches!(
            lzw_decode(&enc, &mut big),
            Err(CodecError::Truncated {
                expected: 6000,
                got: 5000
            })
        ));
        for seed in 0..50 {
            let g = noise(300, seed);
            let _ = lzw_decode(&g, &mut out);
        }
        assert!(lzw_decode(&[0xFF, 0xFF, 0xFF, 0xFF], &mut out).is_err());
    }

    #[test]
    fn old_style_lsb() {
        let data = b"old style lzw old style lzw old style lzw".to_vec();
        let enc = weezl::encode::Encoder::new(BitOrder::Lsb, 8)
            .encode(&data)
            .unwrap();
        assert_eq!(enc[0], 0x00);
        assert_eq!(enc[1] & 1, 1);
        let mut out = vec![0u8; data.len()];
        lzw_decode(&enc, &mut out).unwrap();
        assert_eq!(out, data);
    }

    #[test]
    fn bomb_stops() {
        let enc = lzw_encode(&vec![0u8; 5_000_000]);
        let mut out = vec![1u8; 1000];
        lzw_decode(&enc, &mut out).unwrap();
        assert!(out.iter().all(|&b| b == 0));
    }
}
