//! Huffman coding for tessera's Deflate encoders: length-limited code lengths, canonical
//! codes, the dynamic block header, and an LSB-first bit writer.
//!
//! Used by [`crate::huffman_only`]; the header takes distance code lengths too, so that an
//! LZ77 encoder can share it. Everything here follows RFC 1951 section 3.2; the tests check the
//! code lengths (complete codes within the limit) and the run-length spelling of the header.

/// Longest literal/length code Deflate allows.
pub(crate) const MAX_CODE_BITS: u32 = 15;
/// Longest code-length ("precode") code.
const MAX_PRECODE_BITS: u32 = 7;

/// The order code-length code lengths are written in (RFC 1951, 3.2.7).
const PRECODE_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// Code lengths of the fixed literal/length code (RFC 1951, 3.2.6).
pub(crate) fn fixed_length(symbol: usize) -> u8 {
    match symbol {
        0..=143 | 280.. => 8,
        144..=255 => 9,
        _ => 7,
    }
}

/// Huffman code lengths for `freq`, none longer than `limit` bits; unused symbols get 0.
///
/// A code with fewer than two used symbols gets two (a lone symbol is paired with symbol 0 or
/// 1) so that it is complete: zlib rejects an incomplete code-length code.
pub(crate) fn code_lengths(freq: &[u32], limit: u32) -> Vec<u8> {
    let mut used: Vec<(u32, usize)> = freq
        .iter()
        .enumerate()
        .filter(|&(_, &f)| f > 0)
        .map(|(s, &f)| (f, s))
        .collect();
    while used.len() < 2 {
        let spare = (0..2)
            .find(|s| used.iter().all(|&(_, u)| u != *s))
            .expect("two symbols cannot both be used when fewer than two are");
        used.push((0, spare));
    }
    // Ascending frequency; ties by symbol so the code depends only on the counts.
    used.sort_unstable();
    let depths = leaf_depths(&used);
    let mut count_per_length = [0u32; 64];
    for &d in &depths {
        count_per_length[d.min(63) as usize] += 1;
    }
    limit_lengths(&mut count_per_length, limit);
    // The least frequent symbols take the longest codes.
    let mut lens = vec![0u8; freq.len()];
    let mut symbols = used.iter().map(|&(_, s)| s);
    for len in (1..=limit).rev() {
        for _ in 0..count_per_length[len as usize] {
            let s = symbols.next().expect("as many lengths as symbols");
            lens[s] = len as u8;
        }
    }
    lens
}

/// Depth of each leaf in a Huffman tree for `sorted` (ascending weights), built with the
/// two-queue method: leaves and merged nodes both come out in ascending weight order.
fn leaf_depths(sorted: &[(u32, usize)]) -> Vec<u32> {
    let n = sorted.len();
    let mut weight: Vec<u64> = sorted.iter().map(|&(f, _)| u64::from(f)).collect();
    weight.resize(2 * n - 1, 0);
    let mut parent = vec![0usize; 2 * n - 1];
    let (mut next_leaf, mut next_node) = (0, n);
    for node in n..2 * n - 1 {
        for _ in 0..2 {
            // Take the lighter of the next leaf and the next merged node (leaves on ties).
            let take_leaf =
                next_leaf < n && (next_node >= node || weight[next_leaf] <= weight[next_node]);
            let child = if take_leaf {
                next_leaf += 1;
                next_leaf - 1
            } else {
                next_node += 1;
                next_node - 1
            };
            weight[node] += weight[child];
            parent[child] = node;
        }
    }
    // Parents come after their children, so one backward pass gives every depth.
    let mut depth = vec![0u32; 2 * n - 1];
    for node in (0..2 * n - 2).rev() {
        depth[node] = depth[parent[node]] + 1;
    }
    depth.truncate(n);
    depth
}

/// Make a complete code of the same number of codes with none longer than `limit`: codes
/// deeper than the limit move up to it, then the Kraft sum, now over-full, is brought back one
/// unit at a time by moving a longest code to a split shorter one.
fn limit_lengths(count_per_length: &mut [u32; 64], limit: u32) {
    let limit = limit as usize;
    let overflow: u32 = count_per_length[limit + 1..].iter().sum();
    if overflow == 0 {
        return;
    }
    count_per_length[limit] += overflow;
    count_per_length[limit + 1..].fill(0);
    let mut kraft: u64 = (1..=limit)
        .map(|len| u64::from(count_per_length[len]) << (limit - len))
        .sum();
    while kraft > 1 << limit {
        // One code of the longest length goes; a shorter code splits into two one bit longer.
        count_per_length[limit] -= 1;
        let shorter = (1..limit)
            .rev()
            .find(|&len| count_per_length[len] > 0)
            .expect("an over-full code has a code shorter than the limit");
        count_per_length[shorter] -= 1;
        count_per_length[shorter + 1] += 2;
        kraft -= 1;
    }
}

/// Canonical codes for `lens` (RFC 1951, 3.2.2), bit-reversed for LSB-first writing, each
/// packed with its length: `code | len << 16`.
pub(crate) fn canonical_codes(lens: &[u8]) -> Vec<u32> {
    let mut count = [0u32; 16];
    for &l in lens {
        count[usize::from(l)] += 1;
    }
    count[0] = 0;
    let mut next = [0u32; 16];
    for len in 1..16 {
        next[len] = (next[len - 1] + count[len - 1]) << 1;
    }
    lens.iter()
        .map(|&l| {
            if l == 0 {
                return 0;
            }
            let code = next[usize::from(l)];
            next[usize::from(l)] += 1;
            (code.reverse_bits() >> (32 - u32::from(l))) | u32::from(l) << 16
        })
        .collect()
}

/// The header of a dynamic block: code lengths, run-length coded with the code-length code.
pub(crate) struct DynamicHeader {
    /// Literal/length codes sent (257-286).
    hlit: usize,
    /// Distance codes sent (1-30).
    hdist: usize,
    /// Code-length symbols (0-18) with their extra-bit values.
    items: Vec<(u8, u8)>,
    precode_lens: Vec<u8>,
    /// Code-length code lengths sent, in [`PRECODE_ORDER`] (at least 4).
    hclen: usize,
}

/// Lengths of the distance code sent with literal-only blocks: two one-bit codes, never used.
/// (A complete code, as zlib sends, so that every inflater accepts it.)
pub(crate) const LITERAL_ONLY_DIST_LENS: [u8; 2] = [1, 1];

impl DynamicHeader {
    /// The header for these literal/length and distance code lengths (trailing unused codes
    /// are not sent).
    pub(crate) fn new(lit_lens: &[u8], dist_lens: &[u8]) -> Self {
        let sent = |lens: &[u8], min: usize| {
            lens.iter()
                .rposition(|&l| l != 0)
                .map_or(0, |p| p + 1)
                .max(min)
        };
        let hlit = sent(lit_lens, 257);
        let hdist = sent(dist_lens, 1);
        let all: Vec<u8> = lit_lens[..hlit]
            .iter()
            .chain(&dist_lens[..hdist])
            .copied()
            .collect();
        let items = run_length_items(&all);
        let mut freq = [0u32; 19];
        for &(sym, _) in &items {
            freq[usize::from(sym)] += 1;
        }
        let precode_lens = code_lengths(&freq, MAX_PRECODE_BITS);
        let hclen = (4..=19)
            .rev()
            .find(|&n| precode_lens[PRECODE_ORDER[n - 1]] != 0)
            .unwrap_or(4);
        DynamicHeader {
            hlit,
            hdist,
            items,
            precode_lens,
            hclen,
        }
    }

    /// Bits of the block header: type, counts, code-length code, code lengths.
    pub(crate) fn bits(&self) -> u64 {
        let items: u64 = self
            .items
            .iter()
            .map(|&(sym, _)| u64::from(self.precode_lens[usize::from(sym)]) + extra_bits(sym))
            .sum();
        3 + 5 + 5 + 4 + 3 * self.hclen as u64 + items
    }

    pub(crate) fn write(&self, w: &mut BitWriter) {
        w.put((self.hlit - 257) as u64, 5);
        w.put((self.hdist - 1) as u64, 5);
        w.put((self.hclen - 4) as u64, 4);
        for &sym in &PRECODE_ORDER[..self.hclen] {
            w.put(u64::from(self.precode_lens[sym]), 3);
        }
        let codes = canonical_codes(&self.precode_lens);
        for &(sym, extra) in &self.items {
            let c = codes[usize::from(sym)];
            w.put(u64::from(c & 0xffff), c >> 16);
            w.put(u64::from(extra), extra_bits(sym) as u32);
        }
    }
}

/// Extra bits after a code-length symbol: 16 repeats the previous length 3-6 times, 17 and 18
/// give runs of zeros of 3-10 and 11-138.
fn extra_bits(sym: u8) -> u64 {
    match sym {
        16 => 2,
        17 => 3,
        18 => 7,
        _ => 0,
    }
}

/// The code-length symbols (with extra-bit values) that spell `lens` (RFC 1951, 3.2.7).
fn run_length_items(lens: &[u8]) -> Vec<(u8, u8)> {
    let mut items = Vec::new();
    let mut i = 0;
    while i < lens.len() {
        let len = lens[i];
        let mut run = lens[i..].iter().take_while(|&&l| l == len).count();
        i += run;
        if len == 0 {
            while run >= 11 {
                let r = run.min(138);
                items.push((18, (r - 11) as u8));
                run -= r;
            }
            if run >= 3 {
                items.push((17, (run - 3) as u8));
                run = 0;
            }
        } else {
            items.push((len, 0));
            run -= 1;
            while run >= 3 {
                let r = run.min(6);
                items.push((16, (r - 3) as u8));
                run -= r;
            }
        }
        items.extend(std::iter::repeat_n((len, 0), run));
    }
    items
}

/// LSB-first bit writer into a buffer sized up front.
pub(crate) struct BitWriter {
    out: Vec<u8>,
    /// Bytes of `out` written.
    pos: usize,
    /// Pending bits (the low `bit_count`).
    buf: u64,
    pub(crate) bit_count: u64,
}

impl BitWriter {
    /// A writer for at most `capacity - 8` bytes of output.
    pub(crate) fn new(capacity: usize) -> Self {
        BitWriter {
            out: vec![0u8; capacity],
            pos: 0,
            buf: 0,
            bit_count: 0,
        }
    }

    /// Append the low `n` (<= 32) bits of `bits`.
    pub(crate) fn put(&mut self, bits: u64, n: u32) {
        self.buf |= bits << self.bit_count;
        self.bit_count += u64::from(n);
        if self.bit_count >= 32 {
            self.flush();
        }
    }

    /// Append `n` (<= 56) bits and write out the whole bytes, leaving at most 7 bits pending.
    #[inline(always)]
    pub(crate) fn put_flushed(&mut self, bits: u64, n: u32) {
        // `put` may leave up to 31 bits pending: flush them first so the sum stays below 64.
        if self.bit_count > 7 {
            self.flush();
        }
        self.buf |= bits << self.bit_count;
        self.bit_count += u64::from(n);
        self.flush();
    }

    /// Append the codes of `bytes` from `table` (code in the low 16 bits, length above, at most
    /// 15 bits), leaving at most 7 bits pending. One 8-byte store per code, no branch on the
    /// data: short literal runs between matches cost no per-run setup.
    #[inline(always)]
    pub(crate) fn put_codes(&mut self, bytes: &[u8], table: &[u32; 256]) {
        if self.bit_count > 7 {
            self.flush();
        }
        let (mut buf, mut count, mut pos) = (self.buf, self.bit_count, self.pos);
        for &b in bytes {
            let e = table[usize::from(b)];
            buf |= u64::from(e & 0xffff) << count;
            count += u64::from(e >> 16);
            self.out[pos..pos + 8].copy_from_slice(&buf.to_le_bytes());
            let whole = count / 8;
            pos += whole as usize;
            buf >>= whole * 8;
            count &= 7;
        }
        (self.buf, self.bit_count, self.pos) = (buf, count, pos);
    }

    /// Write the whole bytes of the pending bits (one 8-byte store).
    #[inline(always)]
    fn flush(&mut self) {
        self.out[self.pos..self.pos + 8].copy_from_slice(&self.buf.to_le_bytes());
        let whole = self.bit_count / 8;
        self.pos += whole as usize;
        // `whole` is at most 7 (at most 63 pending bits), so the shift is below 64.
        self.buf >>= whole * 8;
        self.bit_count -= whole * 8;
    }

    /// Pad with zero bits to a byte boundary.
    pub(crate) fn align_to_byte(&mut self) {
        self.bit_count = self.bit_count.div_ceil(8) * 8;
        self.flush();
    }

    /// Append whole bytes (after [`BitWriter::align_to_byte`]).
    pub(crate) fn bytes(&mut self, data: &[u8]) {
        debug_assert_eq!(self.bit_count, 0);
        self.out[self.pos..self.pos + data.len()].copy_from_slice(data);
        self.pos += data.len();
    }

    /// The bytes written, the last partial byte padded with zeros.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.align_to_byte();
        self.out.truncate(self.pos);
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_lengths_respect_the_limit_and_are_complete() {
        // Fibonacci counts make the unlimited Huffman tree as deep as possible.
        let mut fib = vec![1u32, 1];
        while fib.len() < 30 {
            fib.push(fib[fib.len() - 1] + fib[fib.len() - 2]);
        }
        for limit in [7, 15] {
            let lens = code_lengths(&fib, limit);
            assert_eq!(lens.iter().map(|&l| u32::from(l)).max(), Some(limit));
            let kraft: f64 = lens.iter().map(|&l| 0.5f64.powi(i32::from(l))).sum();
            assert_eq!(kraft, 1.0, "limit {limit}: {lens:?}");
            // More frequent symbols never get longer codes.
            assert!(lens.windows(2).all(|w| w[0] >= w[1]), "{lens:?}");
        }
        // One used symbol is paired with another to make a complete code.
        let lens = code_lengths(&[0, 0, 5], 7);
        assert_eq!(lens, vec![1, 0, 1]);
        // Unlimited lengths stay optimal: 1, 2, 3, 3 for 8, 4, 2, 2.
        assert_eq!(code_lengths(&[8, 4, 2, 2], 15), vec![1, 2, 3, 3]);
    }

    #[test]
    fn run_length_items_spell_the_lengths() {
        let lens: Vec<u8> = [
            vec![0; 150],
            vec![5; 10],
            vec![0; 5],
            vec![3; 2],
            vec![0; 2],
        ]
        .concat();
        let mut spelled = Vec::new();
        for (sym, extra) in run_length_items(&lens) {
            match sym {
                16 => {
                    let prev = *spelled.last().unwrap();
                    spelled.extend(std::iter::repeat_n(prev, 3 + usize::from(extra)));
                }
                17 => spelled.extend(std::iter::repeat_n(0, 3 + usize::from(extra))),
                18 => spelled.extend(std::iter::repeat_n(0, 11 + usize::from(extra))),
                l => spelled.push(l),
            }
        }
        assert_eq!(spelled, lens);
    }
}
