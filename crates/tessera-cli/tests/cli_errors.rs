//! The command line's error contract: exit code != 0 and one line on stderr that
//! names the file and what is wrong.

use std::process::Command;

fn tessera(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(args)
        .output()
        .expect("run tessera");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn missing_file_exits_1_with_one_line() {
    let (code, stdout, stderr) = tessera(&["info", "/nonexistent/missing.tif", "--json"]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("missing.tif"), "{stderr}");
}

#[test]
fn not_a_tiff_exits_1_naming_the_file() {
    let path = std::env::temp_dir().join(format!("tessera-not-a-tiff-{}.tif", std::process::id()));
    std::fs::write(&path, b"this is not a TIFF file at all").unwrap();
    let (code, stdout, stderr) = tessera(&["info", path.to_str().unwrap()]);
    std::fs::remove_file(&path).ok();
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("tessera-not-a-tiff") && stderr.contains("byte-order"),
        "{stderr}"
    );
}

#[test]
fn truncated_pixels_exit_2_and_report_the_error() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/fixtures/u8_deflate_p1_tiled_band_le_classic.tif");
    let bytes = std::fs::read(&src).unwrap();
    // GDAL writes the IFD first, so cutting the tail removes pixel data only.
    let path = std::env::temp_dir().join(format!("tessera-cut-{}.tif", std::process::id()));
    std::fs::write(&path, &bytes[..bytes.len() - 200]).unwrap();
    let (code, stdout, stderr) = tessera(&["info", path.to_str().unwrap(), "--json", "--checksum"]);
    std::fs::remove_file(&path).ok();
    assert_eq!(code, 2, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["error_stage"], "read");
    assert!(report.get("bands").is_none());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("tessera-cut"), "{stderr}");
}

#[test]
fn text_output_describes_a_fixture() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/fixtures/u8_deflate_p1_tiled_band_le_classic.tif");
    let (code, stdout, _) = tessera(&["info", src.to_str().unwrap(), "--stats"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("Size is 67, 45"), "{stdout}");
    assert!(stdout.contains("Band 3 Block=32x32 Type=uint8"), "{stdout}");
    assert!(stdout.contains("Min="), "{stdout}");
}
