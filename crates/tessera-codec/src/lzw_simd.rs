//! AVX-512 body of the LZW encoder for large chunks: the 16 segments of
//! [`crate::lzw::segments`] encoded at once, one per 32-bit vector lane.
//!
//! Why: the scalar encoder is bound by one dependent table load per input byte plus a branch
//! mispredict at every string end (~12 cycles a byte here). Sixteen independent segments give
//! sixteen independent chains: each step looks up one byte of every segment with a single
//! gather, and a string ending in some lanes is a mask, not a branch. Measured on the 16
//! float32 tiles of the normalize job (`encoders bench-data/scene_u8.tif 16 f32 lzw`, per-round
//! medians of 20 interleaved rounds against the scalar loop): 1.29-1.33x; on predictor-2 u8
//! tiles 1.5x. What limits it on Zen 4 is the gather/scatter cost (about 25-35 cycles each per
//! 16 lanes, three per step), not the chain.
//!
//! Each lane has its own exact hash table of 8192 `u32` entries (32 KiB, so all 16 fit in L2):
//! an entry is `key << 12 | code` with `key = prefix code << 8 | byte`, 0 when empty, linear
//! probing on collision (a probing lane does not advance that step). A lane's table is emptied
//! when its next free code reaches `FULL`, exactly when the scalar encoder resets. The codes go
//! to one run per lane; [`crate::lzw::pack_runs`] then writes the TIFF bit stream. The output equals
//! the scalar encoder's over the same segments byte for byte (tests and the `codec_lzw` fuzz
//! target compare them).

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

/// Per-thread buffers kept between calls: the lanes' hash tables (all zero between calls) and
/// the code runs.
pub(crate) struct Buffers {
    tables: Vec<u32>,
    codes: Vec<u16>,
}

impl Buffers {
    pub(crate) fn new() -> Self {
        Buffers {
            tables: vec![0; LANES * HSLOTS],
            codes: Vec::new(),
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
    /// First slot of the lane's table in `tables`.
    table_base: Lanes,
    /// Byte offset in `codes` where the lane's next code goes.
    code_at: Lanes,
}

/// The hash table slot of `key` (before the lane's base).
fn slot_of(key: u32) -> u32 {
    key.wrapping_mul(0x9E37_79B1) >> (32 - HBITS)
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
/// as slices of `buf.codes`. `data.len()` must be in `4..=MAX_LEN` and every segment hold at
/// least one byte; the caller checked [`available`].
pub(crate) fn encode_runs<'b>(
    data: &[u8],
    segs: &[(usize, usize); LANES],
    buf: &'b mut Buffers,
) -> [&'b [u16]; LANES] {
    assert!((4..=MAX_LEN).contains(&data.len()) && available());
    let cap = segs.iter().map(|s| s.1 - s.0).max().unwrap_or(0) + 1;
    // +2: a lane's code is stored as a dword at a u16 position.
    if buf.codes.len() < LANES * cap + 2 {
        buf.codes.resize(LANES * cap + 2, 0);
    }
    let zero = Lanes([0; LANES]);
    let mut st = State {
        pos: zero,
        end: zero,
        ent: zero,
        byte: zero,
        free: Lanes([FIRST_FREE as i32; LANES]),
        slot: zero,
        table_base: zero,
        code_at: zero,
    };
    for (k, &(start, end)) in segs.iter().enumerate() {
        assert!(start < end && end <= data.len());
        st.pos.0[k] = start as i32 + 1;
        st.end.0[k] = end as i32;
        st.ent.0[k] = i32::from(data[start]);
        st.byte.0[k] = i32::from(*data.get(start + 1).unwrap_or(&0));
        st.slot.0[k] = slot_of((data[start] as u32) << 8 | st.byte.0[k] as u32) as i32;
        st.table_base.0[k] = (k * HSLOTS) as i32;
        st.code_at.0[k] = (k * cap * 2) as i32;
    }
    loop {
        // SAFETY: AVX-512F was checked above (`available`).
        #[allow(unsafe_code)]
        let full = unsafe { run(&mut st, data, &mut buf.tables, &mut buf.codes) };
        if full == 0 {
            break;
        }
        for k in (0..LANES).filter(|k| full >> k & 1 == 1) {
            buf.tables[k * HSLOTS..(k + 1) * HSLOTS].fill(0);
            st.free.0[k] = FIRST_FREE as i32;
            // The pending lookup starts over at its hash slot in the empty table.
            let key = (st.ent.0[k] as u32) << 8 | st.byte.0[k] as u32;
            st.slot.0[k] = slot_of(key) as i32;
        }
    }
    buf.tables.fill(0);
    let mut lens = [0usize; LANES];
    for (k, len) in lens.iter_mut().enumerate() {
        let first = k * cap;
        *len = st.code_at.0[k] as usize / 2 - first + 1;
        buf.codes[first + *len - 1] = st.ent.0[k] as u16;
    }
    let codes = &buf.codes[..];
    std::array::from_fn(|k| &codes[k * cap..k * cap + lens[k]])
}

/// Steps every lane until all are done (returns 0) or some lanes' tables are full (returns
/// their mask; their table must be emptied before the next call).
#[target_feature(enable = "avx512f")]
fn run(st: &mut State, data: &[u8], tables: &mut [u32], codes: &mut [u16]) -> u16 {
    debug_assert!(tables.len() == LANES * HSLOTS && data.len() >= 4);
    let data_ptr = data.as_ptr();
    let tables_ptr = tables.as_mut_ptr();
    let codes_ptr = codes.as_mut_ptr();
    let mut pos = load(&st.pos);
    let end = load(&st.end);
    let mut ent = load(&st.ent);
    let mut byte = load(&st.byte);
    let mut free = load(&st.free);
    let mut slot = load(&st.slot);
    let table_base = load(&st.table_base);
    let mut code_at = load(&st.code_at);
    let one = _mm512_set1_epi32(1);
    let last_dword = _mm512_set1_epi32((data.len() - 4) as i32);
    let mut key = _mm512_or_si512(_mm512_slli_epi32::<8>(ent), byte);
    let mut full: __mmask16 = 0;
    // The previous step's inserts are stored only after this step's lookup is issued, so the
    // lookup does not wait on them; a lookup of a still-pending slot takes its entry instead.
    let mut pending: __mmask16 = 0;
    let mut pending_slot = _mm512_setzero_si512();
    let mut pending_entry = _mm512_setzero_si512();
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
        // The byte after `pos` (read as the dword at min(pos + 1, len - 4), shifted), for the
        // next step: off the chain of table lookups.
        let after = _mm512_add_epi32(pos, one);
        let dword_at = _mm512_min_epi32(after, last_dword);
        let shift = _mm512_slli_epi32::<3>(_mm512_sub_epi32(after, dword_at));
        // SAFETY: every lane's `dword_at` is in 0..=len - 4 (positions are >= 0, clamped above
        // by len - 4), so each 4-byte read lies inside `data`.
        #[allow(unsafe_code)]
        let dwords = unsafe {
            _mm512_mask_i32gather_epi32::<1>(
                _mm512_setzero_si512(),
                active,
                dword_at,
                data_ptr.cast(),
            )
        };
        let next = _mm512_and_si512(_mm512_srlv_epi32(dwords, shift), _mm512_set1_epi32(0xFF));
        let at = _mm512_add_epi32(slot, table_base);
        // SAFETY: `slot` < HSLOTS (a hash shifted down to HBITS bits, or a probe masked to
        // them) and `table_base` = lane * HSLOTS, so `at` < LANES * HSLOTS = `tables.len()`.
        #[allow(unsafe_code)]
        let found = unsafe {
            _mm512_mask_i32gather_epi32::<4>(
                _mm512_setzero_si512(),
                active,
                at,
                tables_ptr.cast_const().cast(),
            )
        };
        let entry = _mm512_mask_mov_epi32(
            found,
            _mm512_mask_cmpeq_epi32_mask(pending, at, pending_slot),
            pending_entry,
        );
        // SAFETY: `pending_slot` holds earlier values of `at` (in bounds, above).
        #[allow(unsafe_code)]
        unsafe {
            _mm512_mask_i32scatter_epi32::<4>(
                tables_ptr.cast(),
                pending,
                pending_slot,
                pending_entry,
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
            // SAFETY: a lane's `code_at` is 2 * (lane * cap + n) with n codes written so far;
            // n < its segment's length - 1 < cap - 1, since each code consumed a byte after the
            // segment's first, so the dword lies inside `codes` (LANES * cap + 2 u16s).
            #[allow(unsafe_code)]
            unsafe {
                _mm512_mask_i32scatter_epi32::<1>(codes_ptr.cast(), ended, code_at, ent)
            };
            code_at = _mm512_mask_add_epi32(code_at, ended, code_at, _mm512_set1_epi32(2));
            pending = ended;
            pending_slot = at;
            pending_entry = _mm512_or_si512(_mm512_slli_epi32::<12>(key), free);
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
        if full != 0 {
            break;
        }
    }
    // A lane whose table is full drops its last insert, as the scalar encoder's reset does.
    // SAFETY: `pending_slot` holds in-bounds slots (above).
    #[allow(unsafe_code)]
    unsafe {
        _mm512_mask_i32scatter_epi32::<4>(
            tables_ptr.cast(),
            pending & !full,
            pending_slot,
            pending_entry,
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
