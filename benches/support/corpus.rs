//! The public corpus (`../shared/corpus`, listed by its `MANIFEST.tsv`) read into memory once,
//! shared by the stage benchmarks of the root crate and the backend benchmarks of the CLI crate.
//! Not a bench target itself (Cargo only discovers `benches/*.rs`).

use std::path::{Path, PathBuf};

/// One corpus file: its path inside the corpus (what `sentinel::load` chooses the format by)
/// and its bytes.
pub struct CorpusFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The corpus directory: `$KQLPORT_CORPUS` if set, else `../shared/corpus` from the workspace
/// root (`root` is the workspace root).
pub fn corpus_dir(root: &Path) -> PathBuf {
    match std::env::var_os("KQLPORT_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => root.join("../shared/corpus"),
    }
}

/// Every file the manifest lists, read up front. `Err` says why there is nothing to measure
/// (no corpus here, an unreadable manifest or file), for the bench to print and skip.
pub fn read_corpus(root: &Path) -> Result<Vec<CorpusFile>, String> {
    let dir = corpus_dir(root);
    let manifest = dir.join("MANIFEST.tsv");
    let text = std::fs::read_to_string(&manifest).map_err(|e| {
        format!(
            "no corpus at {} ({}: {e}); set KQLPORT_CORPUS to the corpus directory",
            dir.display(),
            manifest.display()
        )
    })?;
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    let column = header
        .split('\t')
        .position(|h| h == "corpus_path")
        .ok_or_else(|| format!("{} has no corpus_path column", manifest.display()))?;
    let mut files = Vec::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let name = line
            .split('\t')
            .nth(column)
            .ok_or_else(|| format!("{}: short line {line:?}", manifest.display()))?;
        let path = dir.join(name);
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        files.push(CorpusFile {
            name: name.to_string(),
            bytes,
        });
    }
    if files.is_empty() {
        return Err(format!("{} lists no files", manifest.display()));
    }
    Ok(files)
}
