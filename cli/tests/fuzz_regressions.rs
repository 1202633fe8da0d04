//! Every input a fuzzer (or a scan) ever crashed kqlport with, replayed through the stage it
//! crashed: `tests/fixtures/fuzz-crashes/<target>/<file>`, where `<target>` names the cargo-fuzz
//! target (`fuzz/fuzz_targets/<target>.rs`) and the file holds the input's exact bytes. Each
//! must now end in a value or in located errors (`common/full_path.rs`), never a crash.
//! `scripts/fuzz.sh` copies new crashes here.

#[path = "common/full_path.rs"]
mod full_path;

use std::path::Path;

fn run(target: &str, data: &[u8]) {
    match target {
        "load" => {
            let (kind, name, bytes) = full_path::split_kind(data);
            full_path::load(kind, name, bytes);
        }
        "parse" | "lower" => {
            if let Ok(text) = std::str::from_utf8(data) {
                if target == "parse" {
                    full_path::parse(text);
                } else {
                    full_path::lower(text);
                }
            }
        }
        "convert" => {
            let (kind, name, bytes) = full_path::split_kind(data);
            full_path::convert_file(kind, name, bytes);
        }
        other => panic!("unknown fuzz target directory `{other}`"),
    }
}

#[test]
fn fuzz_crashes_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/fuzz-crashes");
    let mut count = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/fixtures/fuzz-crashes")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let target = dir.file_name().unwrap().to_str().unwrap().to_string();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"))
            .collect();
        files.sort();
        for file in files {
            eprintln!("{target}: {}", file.display());
            run(&target, &std::fs::read(&file).unwrap());
            count += 1;
        }
    }
    assert!(
        count > 0,
        "no fuzz regression inputs found under {}",
        root.display()
    );
}
