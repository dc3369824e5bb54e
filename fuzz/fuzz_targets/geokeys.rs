//! Fuzz target `geokeys`: the body is `tessera::fuzzing::run("geokeys", ..)`, shared with
//! the regression test that replays `testdata/fuzz-regressions/geokeys/*`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera::fuzzing::run("geokeys", data);
});
