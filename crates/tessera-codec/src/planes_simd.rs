//! SSSE3 body of the 8-bit predictor-2 undo + plane split for 3-sample (RGB) pixels.
//!
//! The scalar loop (`planes::undo_split::<3>`) does three loads, three adds and three stores per
//! pixel and was 18 % of a whole-scene decode. Here 16 pixels at a time: three 16-byte loads,
//! `pshufb` to gather each sample into its own vector, a 16-lane prefix sum in four shift-adds,
//! and the previous block's last sums added to every lane. Chosen at run time: without SSSE3 (or
//! off x86-64) [`undo_split_rgb`] returns `false` and the scalar loop runs. The result is the
//! scalar loop's to the byte (`planes` tests compare them).

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::{
    __m128i, _mm_add_epi8, _mm_or_si128, _mm_set1_epi8, _mm_setzero_si128, _mm_shuffle_epi8,
    _mm_slli_si128,
};

/// `pshufb` masks gathering sample `k` of 16 RGB pixels from each of the three 16-byte thirds of
/// 48 bytes (0x80 = a lane that comes from another third).
#[cfg(target_arch = "x86_64")]
const fn gather_masks() -> [[[u8; 16]; 3]; 3] {
    let mut masks = [[[0x80u8; 16]; 3]; 3];
    let mut k = 0;
    while k < 3 {
        let mut j = 0;
        while j < 16 {
            let byte = 3 * j + k;
            masks[k][byte / 16][j] = (byte % 16) as u8;
            j += 1;
        }
        k += 1;
    }
    masks
}

#[cfg(target_arch = "x86_64")]
const MASKS: [[[u8; 16]; 3]; 3] = gather_masks();

/// Undo predictor 2 on each row of `src` (rows of `width` RGB pixels of differences) into the
/// three planes of `out`. Returns `false`, having done nothing, when the CPU lacks SSSE3.
pub(crate) fn undo_split_rgb(src: &[u8], width: usize, out: &mut [u8]) -> bool {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("ssse3") {
        if width == 0 {
            return true;
        }
        let plane = out.len() / 3;
        let (r, rest) = out.split_at_mut(plane);
        let (g, b) = rest.split_at_mut(plane);
        let rows = src
            .chunks_exact(width * 3)
            .zip(r.chunks_exact_mut(width))
            .zip(g.chunks_exact_mut(width))
            .zip(b.chunks_exact_mut(width));
        for (((src_row, r), g), b) in rows {
            // SAFETY: the only requirement of this safe `target_feature` function is SSSE3, which
            // was detected on this CPU just above.
            #[allow(unsafe_code)]
            unsafe {
                undo_row_ssse3(src_row, r, g, b)
            };
        }
        return true;
    }
    let _ = (src, width, out);
    false
}

/// One row: `src` holds `r.len()` RGB pixels of differences; `r`, `g`, `b` get the sums.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "ssse3")]
fn undo_row_ssse3(src: &[u8], r: &mut [u8], g: &mut [u8], b: &mut [u8]) {
    let width = r.len();
    let masks: [[__m128i; 3]; 3] = MASKS.map(|m| m.map(bytemuck::cast));
    let last_lane = _mm_set1_epi8(15);
    let mut carry = [_mm_setzero_si128(); 3];
    let blocks = width / 16;
    for block in 0..blocks {
        let bytes = &src[block * 48..block * 48 + 48];
        let thirds: [__m128i; 3] = [
            bytemuck::pod_read_unaligned(&bytes[..16]),
            bytemuck::pod_read_unaligned(&bytes[16..32]),
            bytemuck::pod_read_unaligned(&bytes[32..]),
        ];
        let at = block * 16;
        for (k, row) in [&mut *r, &mut *g, &mut *b].into_iter().enumerate() {
            let sums = running_sums(gather(thirds, masks[k]), carry[k]);
            carry[k] = _mm_shuffle_epi8(sums, last_lane);
            row[at..at + 16].copy_from_slice(bytemuck::bytes_of(&sums));
        }
    }
    // The last pixels one by one, continuing from the sums so far.
    let done = blocks * 16;
    let mut acc = if done > 0 {
        [r[done - 1], g[done - 1], b[done - 1]]
    } else {
        [0; 3]
    };
    for x in done..width {
        let px = &src[3 * x..3 * x + 3];
        for k in 0..3 {
            acc[k] = acc[k].wrapping_add(px[k]);
        }
        (r[x], g[x], b[x]) = (acc[0], acc[1], acc[2]);
    }
}

/// Sample `k` of 16 pixels, gathered from the three thirds with that sample's masks.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "ssse3")]
fn gather(thirds: [__m128i; 3], masks: [__m128i; 3]) -> __m128i {
    _mm_or_si128(
        _mm_or_si128(
            _mm_shuffle_epi8(thirds[0], masks[0]),
            _mm_shuffle_epi8(thirds[1], masks[1]),
        ),
        _mm_shuffle_epi8(thirds[2], masks[2]),
    )
}

/// Inclusive prefix sum of 16 byte lanes (wrapping), plus `carry` (the row's sum so far in every
/// lane).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "ssse3")]
fn running_sums(v: __m128i, carry: __m128i) -> __m128i {
    let v = _mm_add_epi8(v, _mm_slli_si128::<1>(v));
    let v = _mm_add_epi8(v, _mm_slli_si128::<2>(v));
    let v = _mm_add_epi8(v, _mm_slli_si128::<4>(v));
    let v = _mm_add_epi8(v, _mm_slli_si128::<8>(v));
    _mm_add_epi8(v, carry)
}
