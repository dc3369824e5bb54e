//! Fuzz target `codec_packbits`: the body is `tessera::fuzzing::run("codec_packbits", ..)`, shared with
//! the regression test that replays `testdata/fuzz-regressions/codec_packbits/*`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera::fuzzing::run("codec_packbits", data);
});
