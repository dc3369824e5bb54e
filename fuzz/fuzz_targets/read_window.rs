//! Fuzz target `read_window`: the body is `tessera::fuzzing::run("read_window", ..)`, shared with
//! the regression test that replays `testdata/fuzz-regressions/read_window/*`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera::fuzzing::run("read_window", data);
});
