//! Fuzz target `write_roundtrip`: the body is `tessera::fuzzing::run("write_roundtrip", ..)`, shared with
//! the regression test that replays `testdata/fuzz-regressions/write_roundtrip/*`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera::fuzzing::run("write_roundtrip", data);
});
