//! Fuzz target `codec_deflate`: the body is `tessera::fuzzing::run("codec_deflate", ..)`, shared with
//! the regression test that replays `testdata/fuzz-regressions/codec_deflate/*`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera::fuzzing::run("codec_deflate", data);
});
