//! AVX-512 body of the LZW encoder for large chunks: the 16 segments of
//! [`crate::lzw::segments`] encoded at once, one per 32-bit vector lane.
//!
//! Why: the scalar encoder is bound by one dependent table load per input byte plus a branch
//! mispredict at every string end (~12 cycles a byte here). Sixteen independent segments give
//! sixteen independent chains: each step looks up one byte of every segment with a single
//! gather, and a string ending in some lanes is a mask, not a branch. What limits it on Zen 4
//! is the cost of gathers and scatters (about 25-35 cycles each per 16 lanes, measured alone),
//! so a step has one gather (the table lookup), a third of one (each lane's next input bytes,
//! reloaded every third step) and one scatter (the previous step's table inserts and codes).
//! Measured on the 16 float32 tiles of the normalize job (`encoders bench-data/scene_u8.tif 16
//! f32 lzw`): 1.29-1.35x the scalar loop with a data gather and two scatters per step (per-round
//! medians of 20 interleaved rounds; predictor-2 u8 tiles 1.5x), then 1.05-1.11x for the
//! reloaded input and 1.09-1.10x for the single scatter; 1.4x over all (350-380 MB/s).
//! Tried and slower or no faster: a log of (mask, codes) per step distributed to the lanes
//! afterwards (the distribution cost more than the scatter), codes recovered from the table
//! entries at each reset (1.02x, more code), scalar stores instead of the table scatter (0.94x),
//! 32 lanes in two interleaved groups (no gain: not latency-bound; 1 MiB of tables), 16 K slots
//! per table (slower: L2), segment starts staggered across cache sets (noise).
//!
//! Each lane has its own exact hash table of 8192 `u32` entries (32 KiB, so all 16 fit in L2):
//! an entry is `key << 12 | code` with `key = prefix code << 8 | byte`, 0 when empty, linear
//! probing on collision (a probing lane does not advance that step). A lane's table is emptied
//! when its next free code reaches `FULL`, exactly when the scalar encoder resets. The codes go
//! to one run per lane; [`crate::lzw::pack_runs`] then writes the TIFF bit stream. The output
//! equals the scalar encoder's over the same segments byte for byte (tests and the `codec_lzw`
//! fuzz target compare them).

use crate::lzw::{FIRST_FREE, FULL};
use std::arch::x86_64::*;

/// Lanes (segments) per chunk; [`crate::lzw::SEGMENTS`] is the same number.
pub(crate) const LANES: usize = 16;
/// log2 of the slots of one lane's hash table: 8192 > 3836 codes per epoch (load <= 47 %).
const HBITS: u32 = 13;
const HSLOTS: usize = 1 << HBITS;
/// How far ahead of each lane's position its input is prefetched (bytes).
const PREFETCH_AHEAD: usize = 1024;
/// Longest chunk handled here: positions and byte offsets of the code runs stay within i32.
pub(crate) const MAX_LEN: usize = 1 << 28;

/// Whether this CPU runs [`encode_runs`].
pub(crate) fn available() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
}

/// Per-thread buffers kept between calls, in one allocation so that one scatter can write both
/// (byte offsets from one base): the lanes' hash tables (all zero between calls), then the code
/// runs (`u16`s).
pub(crate) struct Buffers {
    mem: Vec<u32>,
}

/// `u32`s of `Buffers::mem` before the code runs.
const TABLES: usize = LANES * HSLOTS;

/// Code-run space kept between calls (`u32`s: 16 MiB, the runs of an 8 MiB chunk); a larger
/// one is freed after the call that needed it, so a thread does not hold on to it.
const KEEP: usize = 1 << 22;

impl Buffers {
    pub(crate) fn new() -> Self {
        Buffers {
            mem: vec![0; TABLES],
        }
    }

    /// Free code-run space beyond [`KEEP`] (the tables are already empty after a call).
    pub(crate) fn trim(&mut self) {
        if self.mem.len() > TABLES + KEEP {
            self.mem.truncate(TABLES + KEEP);
            self.mem.shrink_to_fit();
        }
    }
}

/// Sixteen `i32`s, aligned for vector loads and stores.
#[repr(C, align(64))]
#[derive(Clone, Copy)]
struct Lanes([i32; LANES]);

/// Every lane's state between calls of [`run`] (a call returns when some lane fills its table).
struct State {
    /// Position of the byte being looked up (the next byte of the current string).
    pos: Lanes,
    /// End of the lane's segment.
    end: Lanes,
    /// Code of the current string.
    ent: Lanes,
    /// The byte at `pos`.
    byte: Lanes,
    /// Next free code of the lane's table.
    free: Lanes,
    /// Slot (without the lane's base) of the pending lookup: probing lanes continue from it.
    slot: Lanes,
    /// Byte offset in `codes` where the lane's next code goes.
    code_at: Lanes,
}

impl State {
    /// Point lane `k`'s lookup of (`ent`, `byte`) at its hash slot (a new segment, or a table
    /// just emptied).
    fn restart_lookup(&mut self, k: usize) {
        let key = (self.ent.0[k] as u32) << 8 | self.byte.0[k] as u32;
        self.slot.0[k] = (key.wrapping_mul(0x9E37_79B1) >> (32 - HBITS)) as i32;
    }
}

#[target_feature(enable = "avx512f")]
fn slots_of(keys: __m512i) -> __m512i {
    _mm512_srli_epi32::<{ 32 - HBITS }>(_mm512_mullo_epi32(
        keys,
        _mm512_set1_epi32(0x9E37_79B1_u32 as i32),
    ))
}

#[target_feature(enable = "avx512f")]
fn load(v: &Lanes) -> __m512i {
    // SAFETY: reads the 16 i32s of `v` (64 bytes).
    #[allow(unsafe_code)]
    unsafe {
        _mm512_loadu_epi32(v.0.as_ptr())
    }
}

#[target_feature(enable = "avx512f")]
fn store(v: &mut Lanes, x: __m512i) {
    // SAFETY: writes the 16 i32s of `v` (64 bytes).
    #[allow(unsafe_code)]
    unsafe {
        _mm512_storeu_epi32(v.0.as_mut_ptr(), x)
    }
}

/// The codes of the 16 segments `segs` of `data`, each run ending with its final string's code,
/// as slices of `buf`'s code-run space. `data.len()` must be in `4..=MAX_LEN` and every segment hold at
/// least one byte; the caller checked [`available`].
pub(crate) fn encode_runs<'b>(
    data: &[u8],
    segs: &[(usize, usize); LANES],
    buf: &'b mut Buffers,
) -> [&'b [u16]; LANES] {
    assert!((4..=MAX_LEN).contains(&data.len()) && available());
    let cap = segs.iter().map(|s| s.1 - s.0).max().unwrap_or(0) + 1;
    // +2 u16s: a lane's code is stored as a dword at a u16 position.
    let words = TABLES + (LANES * cap + 2).div_ceil(2);
    if buf.mem.len() < words {
        buf.mem.resize(words, 0);
    }
    let zero = Lanes([0; LANES]);
    let mut st = State {
        pos: zero,
        end: zero,
        ent: zero,
        byte: zero,
        free: Lanes([FIRST_FREE as i32; LANES]),
        slot: zero,
        code_at: zero,
    };
    for (k, &(start, end)) in segs.iter().enumerate() {
        assert!(start < end && end <= data.len());
        st.pos.0[k] = start as i32 + 1;
        st.end.0[k] = end as i32;
        st.ent.0[k] = i32::from(data[start]);
        st.byte.0[k] = i32::from(*data.get(start + 1).unwrap_or(&0));
        st.restart_lookup(k);
        st.code_at.0[k] = (TABLES * 4 + k * cap * 2) as i32;
    }
    loop {
        // SAFETY: AVX-512F was checked above (`available`); `mem` holds the tables and
        // LANES * cap + 2 u16s of code runs, as `run` requires.
        #[allow(unsafe_code)]
        let full = unsafe { run(&mut st, data, &mut buf.mem) };
        if full == 0 {
            break;
        }
        for k in (0..LANES).filter(|k| full >> k & 1 == 1) {
            buf.mem[k * HSLOTS..(k + 1) * HSLOTS].fill(0);
            st.free.0[k] = FIRST_FREE as i32;
            // The pending lookup starts over at its hash slot in the empty table.
            st.restart_lookup(k);
        }
    }
    buf.mem[..TABLES].fill(0);
    let codes: &mut [u16] = bytemuck::cast_slice_mut(&mut buf.mem[TABLES..]);
    let mut lens = [0usize; LANES];
    for (k, len) in lens.iter_mut().enumerate() {
        let first = k * cap;
        *len = (st.code_at.0[k] as usize - TABLES * 4) / 2 - first + 1;
        codes[first + *len - 1] = st.ent.0[k] as u16;
    }
    let codes = &*codes;
    std::array::from_fn(|k| &codes[k * cap..k * cap + lens[k]])
}

/// Steps every lane until all are done (returns 0) or some lanes' tables are full (returns
/// their mask; their table must be emptied before the next call). `mem` holds the tables, then
/// code runs as far as the lanes' `code_at` (byte offsets from `mem`) can reach.
#[target_feature(enable = "avx512f")]
fn run(st: &mut State, data: &[u8], mem: &mut [u32]) -> u16 {
    debug_assert!(mem.len() >= TABLES && data.len() >= 4);
    let data_ptr = data.as_ptr();
    let mem_ptr = mem.as_mut_ptr();
    let mut pos = load(&st.pos);
    let end = load(&st.end);
    let mut ent = load(&st.ent);
    let mut byte = load(&st.byte);
    let mut free = load(&st.free);
    let mut slot = load(&st.slot);
    let mut code_at = load(&st.code_at);
    let one = _mm512_set1_epi32(1);
    let last_dword = _mm512_set1_epi32((data.len() - 4) as i32);
    let lane_index = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    // First slot of each lane's table.
    let table_base = _mm512_slli_epi32::<HBITS>(lane_index);
    let mut key = _mm512_or_si512(_mm512_slli_epi32::<8>(ent), byte);
    let mut full: __mmask16 = 0;
    // Each lane's input from `pos` on, a byte per 8 bits, reloaded every third step (a lane
    // advances at most once a step, and a step needs the bytes at `pos` and `pos + 1`).
    let mut window = _mm512_setzero_si512();
    let mut reload = 1u32;
    // A step's stores (the table inserts and codes of the lanes whose string ended) are made in
    // the next step, after its lookup is issued, so the lookup does not wait on them (a lookup
    // of a still-pending slot takes its entry instead); both go in one scatter.
    let mut pending: __mmask16 = 0;
    let mut pending_slot = _mm512_setzero_si512();
    let mut pending_entry = _mm512_setzero_si512();
    let mut pending_code_at = _mm512_setzero_si512();
    let mut pending_code = _mm512_setzero_si512();
    let mut step = 0u32;
    loop {
        let active = _mm512_cmplt_epi32_mask(pos, end);
        if active == 0 {
            break;
        }
        step = step.wrapping_add(1);
        if step.is_multiple_of(16) {
            // The lanes read 16 separate streams, which the hardware prefetcher does not follow
            // through gathers (without this: about 0.8x).
            let mut at = Lanes([0; LANES]);
            store(&mut at, pos);
            for &p in &at.0 {
                let ahead = data_ptr.wrapping_add(p as usize + PREFETCH_AHEAD);
                // (A prefetch never faults, whatever the address.)
                _mm_prefetch::<_MM_HINT_T0>(ahead.cast());
            }
        }
        reload -= 1;
        if reload == 0 {
            reload = 3;
            // The dword at min(pos, len - 4), shifted so that the byte at `pos` is lowest.
            let dword_at = _mm512_min_epi32(pos, last_dword);
            let shift = _mm512_slli_epi32::<3>(_mm512_sub_epi32(pos, dword_at));
            // SAFETY: every lane's `dword_at` is in 0..=len - 4 (positions are >= 0, clamped
            // above by len - 4), so each 4-byte read lies inside `data`.
            #[allow(unsafe_code)]
            let dwords = unsafe {
                _mm512_mask_i32gather_epi32::<1>(
                    _mm512_setzero_si512(),
                    active,
                    dword_at,
                    data_ptr.cast(),
                )
            };
            window = _mm512_srlv_epi32(dwords, shift);
        }
        // The byte after `pos`: off the chain of table lookups.
        let next = _mm512_and_si512(_mm512_srli_epi32::<8>(window), _mm512_set1_epi32(0xFF));
        let at = _mm512_add_epi32(slot, table_base);
        // SAFETY: `slot` < HSLOTS (a hash shifted down to HBITS bits, or a probe masked to
        // them) and `table_base` = lane * HSLOTS, so `at` < TABLES <= `mem.len()`.
        #[allow(unsafe_code)]
        let found = unsafe {
            _mm512_mask_i32gather_epi32::<4>(
                _mm512_setzero_si512(),
                active,
                at,
                mem_ptr.cast_const().cast(),
            )
        };
        let entry = _mm512_mask_mov_epi32(
            found,
            _mm512_mask_cmpeq_epi32_mask(pending, at, pending_slot),
            pending_entry,
        );
        // SAFETY: as `store_pending` requires: table slots and code offsets of this run.
        #[allow(unsafe_code)]
        unsafe {
            store_pending(
                mem_ptr,
                pending,
                pending,
                [pending_slot, pending_entry, pending_code_at, pending_code],
                lane_index,
            )
        };
        pending = 0;
        let hit = _mm512_mask_cmpeq_epi32_mask(active, _mm512_srli_epi32::<12>(entry), key);
        let ended = _mm512_mask_cmpeq_epi32_mask(active, entry, _mm512_setzero_si512());
        // Lanes neither hitting nor ending probe the next slot without advancing.
        let child = _mm512_and_si512(entry, _mm512_set1_epi32(4095));
        let key_hit = _mm512_or_si512(_mm512_slli_epi32::<8>(child), next);
        let key_restart = _mm512_or_si512(_mm512_slli_epi32::<8>(byte), next);
        let slot_probe = _mm512_and_si512(
            _mm512_add_epi32(slot, one),
            _mm512_set1_epi32(HSLOTS as i32 - 1),
        );
        if ended != 0 {
            pending = ended;
            pending_slot = at;
            pending_entry = _mm512_or_si512(_mm512_slli_epi32::<12>(key), free);
            pending_code_at = code_at;
            pending_code = ent;
            code_at = _mm512_mask_add_epi32(code_at, ended, code_at, _mm512_set1_epi32(2));
            free = _mm512_mask_add_epi32(free, ended, free, one);
            full = _mm512_cmpeq_epi32_mask(free, _mm512_set1_epi32(FULL as i32));
        }
        slot = _mm512_mask_mov_epi32(
            _mm512_mask_mov_epi32(slot_probe, ended, slots_of(key_restart)),
            hit,
            slots_of(key_hit),
        );
        key = _mm512_mask_mov_epi32(_mm512_mask_mov_epi32(key, ended, key_restart), hit, key_hit);
        ent = _mm512_mask_mov_epi32(_mm512_mask_mov_epi32(ent, ended, byte), hit, child);
        let advanced = hit | ended;
        pos = _mm512_mask_add_epi32(pos, advanced, pos, one);
        byte = _mm512_mask_mov_epi32(byte, advanced, next);
        window = _mm512_mask_srli_epi32(window, advanced, window, 8);
        if full != 0 {
            break;
        }
    }
    // A lane whose table is full drops its last insert, as the scalar encoder's reset does (its
    // code is still stored).
    // SAFETY: as above.
    #[allow(unsafe_code)]
    unsafe {
        store_pending(
            mem_ptr,
            pending & !full,
            pending,
            [pending_slot, pending_entry, pending_code_at, pending_code],
            lane_index,
        )
    };
    store(&mut st.pos, pos);
    store(&mut st.ent, ent);
    store(&mut st.byte, byte);
    store(&mut st.free, free);
    store(&mut st.slot, slot);
    store(&mut st.code_at, code_at);
    full
}

/// Stores table `entries` at `slots` (lanes of `inserts`) and `codes` as dwords at byte offsets
/// `code_at` (lanes of `emits`, a superset), all from `mem`. Up to 8 lanes each (the usual case:
/// about 3.4 strings end per step) go in one scatter: both sets compressed to the low lanes and
/// the codes moved up behind the inserts (saves 9-10 % against two scatters).
///
/// # Safety
/// `slots` of `inserts` lanes index the tables of `mem`, and `code_at` of `emits` lanes are byte
/// offsets from `mem` with 4 bytes inside it.
#[target_feature(enable = "avx512f")]
#[allow(unsafe_code)]
unsafe fn store_pending(
    mem: *mut u32,
    inserts: __mmask16,
    emits: __mmask16,
    [slots, entries, code_at, codes]: [__m512i; 4],
    lane_index: __m512i,
) {
    if emits == 0 {
        return;
    }
    let slot_bytes = _mm512_slli_epi32::<2>(slots);
    let n_inserts = inserts.count_ones();
    let n = n_inserts + emits.count_ones();
    if n <= 16 {
        let offsets = _mm512_maskz_compress_epi32(inserts, slot_bytes);
        let values = _mm512_maskz_compress_epi32(inserts, entries);
        // Lane i of the codes goes to lane n_inserts + i.
        let up = _mm512_sub_epi32(lane_index, _mm512_set1_epi32(n_inserts as i32));
        let behind = ((1u32 << n) - (1u32 << n_inserts)) as u16;
        let offsets = _mm512_mask_permutexvar_epi32(
            offsets,
            behind,
            up,
            _mm512_maskz_compress_epi32(emits, code_at),
        );
        let values = _mm512_mask_permutexvar_epi32(
            values,
            behind,
            up,
            _mm512_maskz_compress_epi32(emits, codes),
        );
        let lanes = ((1u32 << n) - 1) as u16;
        // SAFETY: the caller's bounds, lane for lane.
        #[allow(unsafe_code)]
        unsafe {
            _mm512_mask_i32scatter_epi32::<1>(mem.cast(), lanes, offsets, values)
        };
    } else {
        // SAFETY: the caller's bounds.
        #[allow(unsafe_code)]
        unsafe {
            _mm512_mask_i32scatter_epi32::<1>(mem.cast(), inserts, slot_bytes, entries);
            _mm512_mask_i32scatter_epi32::<1>(mem.cast(), emits, code_at, codes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_chunk_space_is_freed() {
        if !available() {
            eprintln!("no AVX-512 on this CPU: the vector encoder is not used here");
            return;
        }
        // A 12 MiB chunk needs 24 MiB of code runs; after `trim` only KEEP stays.
        let data: Vec<u8> = (0..12 << 20).map(|i: u32| (i / 5 % 11) as u8).collect();
        let segs = crate::lzw::segments(data.len()).unwrap();
        let mut buf = Buffers::new();
        let runs = encode_runs(&data, &segs, &mut buf);
        assert!(runs.iter().all(|r| !r.is_empty()));
        assert!(buf.mem.len() > TABLES + KEEP);
        buf.trim();
        assert_eq!(buf.mem.len(), TABLES + KEEP);
        assert!(
            buf.mem[..TABLES].iter().all(|&e| e == 0),
            "tables left dirty"
        );
    }
}
