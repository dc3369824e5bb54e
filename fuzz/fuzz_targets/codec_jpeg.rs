//! Fuzz target `codec_jpeg`: the body is `tessera::fuzzing::run("codec_jpeg", ..)`, shared with
//! the regression test that replays `testdata/fuzz-regressions/codec_jpeg/*`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera::fuzzing::run("codec_jpeg", data);
});
