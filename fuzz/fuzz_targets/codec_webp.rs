//! Fuzz target `codec_webp`: the body is `tessera::fuzzing::run("codec_webp", ..)`, shared with
//! the regression test that replays `testdata/fuzz-regressions/codec_webp/*`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera::fuzzing::run("codec_webp", data);
});
