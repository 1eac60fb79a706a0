//! Every input the fuzz targets (`fuzz/`) ever crashed on, replayed through the same entry
//! points on stable: `fixtures/fuzz-regressions/TARGET/NAME`, the name saying what it broke.
//! A replay passes when the entry point returns; a panic fails it, and a stack overflow or an
//! abort takes the test binary down, which fails it too.

use cargo_warden::fuzzing::TARGETS;
use std::path::Path;

#[test]
fn every_crash_input_found_by_fuzzing_is_handled() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fuzz-regressions");
    let mut replayed = Vec::new();
    for entry in std::fs::read_dir(&root).expect("fixtures/fuzz-regressions exists") {
        let dir = entry.unwrap().path();
        let target = dir.file_name().unwrap().to_string_lossy().into_owned();
        let Some((_, run)) = TARGETS.iter().find(|(name, _)| *name == target) else {
            panic!("{}: no fuzz target of that name", dir.display());
        };
        let mut inputs: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        inputs.sort();
        for input in inputs {
            run(&std::fs::read(&input).unwrap());
            replayed.push(format!(
                "{target}/{}",
                input.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(!replayed.is_empty(), "no inputs under {}", root.display());
    eprintln!(
        "replayed {} fuzz regression inputs: {}",
        replayed.len(),
        replayed.join(", ")
    );
}
