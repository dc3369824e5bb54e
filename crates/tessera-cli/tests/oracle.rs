//! Live oracle: GDAL (rasterio in the oracle venv) writes random small
//! GeoTIFFs and reads them (scripts/oracle_random.py); tessera must read them
//! the same way.
//!
//! Python: `$TESSERA_ORACLE_PYTHON`, else `<repo>/.venv-oracle/bin/python`
//! (created by scripts/oracle-env.sh).  Seed: `$TESSERA_ORACLE_SEED` (default
//! fixed); the files are kept in the temp dir when the test fails.

mod common;

use std::path::PathBuf;
use std::process::Command;

const DEFAULT_SEED: u64 = 20_261_125;

#[test]
fn random_files_match_gdal() {
    let root = common::repo_root();
    let python = match std::env::var_os("TESSERA_ORACLE_PYTHON") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => root.join(".venv-oracle/bin/python"),
    };
    if !python.exists() {
        common::skip_or_fail(&format!(
            "oracle python {} not found (run `bash scripts/oracle-env.sh` and set TESSERA_ORACLE_PYTHON)",
            python.display()
        ));
        return;
    }
    let seed: u64 = std::env::var("TESSERA_ORACLE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED);
    let out = std::env::temp_dir().join(format!("tessera-oracle-{}-{seed}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("create temp dir");
    let status = Command::new(&python)
        .arg(root.join("scripts/oracle_random.py"))
        .arg(&out)
        .arg(seed.to_string())
        .status()
        .expect("run oracle_random.py");
    assert!(status.success(), "oracle_random.py failed: {status}");
    let report = common::check_dir(&out, &out);
    assert!(!report.files.is_empty(), "oracle_random.py wrote no files");
    eprintln!("oracle: seed {seed}, files in {}", out.display());
    if report.matched() == report.files.len() {
        let _ = std::fs::remove_dir_all(&out);
    }
    report.finish(&format!("oracle (seed {seed})"));
}
