//! Helpers shared by the unit tests.

/// A hand-made zlib stream that inflates to `1 + 258 * matches` zero bytes (fixed Huffman,
/// one literal then `matches` copies of length 258 at distance 1), without an Adler trailer.
/// Building it costs 13 bits per 258 output bytes, so a 100 MB bomb is ~660 KB and instant.
pub fn zero_bomb(matches: usize) -> Vec<u8> {
    struct W {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }
    impl W {
        fn bits(&mut self, v: u32, n: u32) {
            self.acc |= (v as u64) << self.n;
            self.n += n;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        fn huff(&mut self, code: u32, len: u32) {
            let mut r = 0;
            for i in 0..len {
                r |= ((code >> i) & 1) << (len - 1 - i);
            }
            self.bits(r, len);
        }
    }
    let mut w = W {
        out: vec![0x78, 0x01],
        acc: 0,
        n: 0,
    };
    w.bits(1, 1); // BFINAL
    w.bits(1, 2); // fixed Huffman
    w.huff(0x30, 8); // literal 0
    for _ in 0..matches {
        w.huff(0b1100_0101, 8); // length code 285 = 258
        w.huff(0, 5); // distance code 0 = 1
    }
    w.huff(0, 7); // end of block
    w.bits(0, 7);
    w.out
}

/// Deterministic pseudo-random bytes.
pub fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 24) as u8
        })
        .collect()
}

/// Check that the zlib stream `packed` decodes to `data` with zlib-rs (which checks the
/// Adler-32) and with tessera's inflater; returns `packed`.
pub fn assert_zlib_round_trip(data: &[u8], packed: Vec<u8>) -> Vec<u8> {
    let mut theirs = vec![0u8; data.len()];
    let mut d = flate2::Decompress::new(true);
    let status = d
        .decompress(&packed, &mut theirs, flate2::FlushDecompress::Finish)
        .expect("zlib-rs reads the stream");
    assert_eq!(status, flate2::Status::StreamEnd, "{} bytes", data.len());
    assert!(
        theirs == data,
        "zlib-rs decodes other bytes ({} bytes)",
        data.len()
    );
    let mut ours = vec![0u8; data.len()];
    crate::inflate::inflate_zlib(&packed, &mut ours).expect("tessera reads the stream");
    assert!(
        ours == data,
        "tessera decodes other bytes ({} bytes)",
        data.len()
    );
    packed
}
