//! Fixture suite: tessera against GDAL's readings of the generated fixtures
//! committed in testdata/fixtures (NAME.tif + NAME.json, written by
//! testdata/generate_fixtures.py).  No GDAL needed at test time.
//! `TESSERA_INTEROP_ONLY=substring` restricts the run to matching files.

mod common;

#[test]
fn fixtures_match_gdal() {
    let dir = common::repo_root().join("testdata/fixtures");
    assert!(
        dir.is_dir(),
        "{} is missing: run testdata/generate_fixtures.py",
        dir.display()
    );
    let report = common::check_dir(&dir, &dir);
    if std::env::var("TESSERA_INTEROP_ONLY").is_err() {
        assert!(
            report.files.len() >= 100,
            "only {} fixtures found in {}",
            report.files.len(),
            dir.display()
        );
    }
    report.finish("fixtures");
}
