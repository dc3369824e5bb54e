//! Fuzz target `tiff_ifd`: the body is `tessera::fuzzing::run("tiff_ifd", ..)`, shared with
//! the regression test that replays `testdata/fuzz-regressions/tiff_ifd/*`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera::fuzzing::run("tiff_ifd", data);
});
