//! Fuzz target `codec_zstd`: the body is `tessera::fuzzing::run("codec_zstd", ..)`, shared with
//! the regression test that replays `testdata/fuzz-regressions/codec_zstd/*`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera::fuzzing::run("codec_zstd", data);
});
