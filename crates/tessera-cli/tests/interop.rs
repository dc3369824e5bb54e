//! Interop suite: tessera's `info --json --stats --checksum` against GDAL's
//! readings of real-world files (testdata/interop, a copy of the shared suite; see its SCHEMA.md).
//!
//! The interop dir is `$TESSERA_INTEROP_DIR`, else `<repo>/testdata/interop` (a copy of the shared suite).
//! `TESSERA_INTEROP_ONLY=substring` restricts the run to matching files.

mod common;

#[test]
fn interop_files_match_gdal() {
    let dir = common::interop_dir();
    let expected = dir.join("expected");
    let files = dir.join("files");
    if !expected.is_dir() || !files.is_dir() {
        common::skip_or_fail(&format!(
            "interop suite not found at {} (set TESSERA_INTEROP_DIR)",
            dir.display()
        ));
        return;
    }
    let report = common::check_dir(&expected, &files);
    assert!(
        !report.files.is_empty(),
        "no expected JSON selected in {} (TESSERA_INTEROP_ONLY={:?})",
        expected.display(),
        std::env::var("TESSERA_INTEROP_ONLY").unwrap_or_default()
    );
    report.finish("interop");
}
