//! Fuzz target `gdal_metadata`: the body is `tessera::fuzzing::run("gdal_metadata", ..)`, shared with
//! the regression test that replays `testdata/fuzz-regressions/gdal_metadata/*`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera::fuzzing::run("gdal_metadata", data);
});
