//! Fuzz target `codec_lzw`: the body is `tessera::fuzzing::run("codec_lzw", ..)`, shared with
//! the regression test that replays `testdata/fuzz-regressions/codec_lzw/*`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera::fuzzing::run("codec_lzw", data);
});
