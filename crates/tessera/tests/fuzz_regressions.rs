//! Replays every saved fuzz input in `testdata/fuzz-regressions/TARGET/` through the
//! fuzz target's own body. A regression here is a panic (the test fails).

use std::path::PathBuf;

#[test]
fn replay_saved_fuzz_inputs() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/fuzz-regressions");
    let mut replayed = 0;
    for target in tessera::fuzzing::TARGETS {
        let dir = root.join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).unwrap();
            eprintln!("replaying {}", file.display());
            tessera::fuzzing::run(target, &data);
            replayed += 1;
        }
    }
    // Directories exist from the first crash on; an empty set would mean the
    // path is wrong, so require the seeds committed with this test.
    assert!(
        replayed > 0,
        "no fuzz regression inputs found under {}",
        root.display()
    );
}

#[test]
fn every_target_runs_on_trivial_inputs() {
    for target in tessera::fuzzing::TARGETS {
        for input in [&b""[..], b"\0", b"II*\0", b"MM\0+\0\x08\0\0", &[0xff; 64]] {
            tessera::fuzzing::run(target, input);
        }
    }
}
