//! Where translations go: output paths that mirror the input tree, and atomic file writes
//! (a temporary file in the destination directory, renamed into place), so an interrupted run
//! never leaves a half-written rule behind.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The output path for one query of one input: `out_dir` + the input's path relative to the
/// PATH argument it was found under, with the target's extension. A file with several queries
/// gets `-<index>` before the extension.
pub fn output_path(
    out_dir: &Path,
    root: Option<&Path>,
    input: &Path,
    query_index: usize,
    query_count: usize,
    extension: &str,
) -> PathBuf {
    let relative = root
        .and_then(|r| input.strip_prefix(r).ok())
        .filter(|r| !r.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| input.file_name().map(PathBuf::from).unwrap_or_default());
    let stem = relative
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "stdin".to_string());
    let name = if query_count > 1 {
        format!("{stem}-{query_index}.{extension}")
    } else {
        format!("{stem}.{extension}")
    };
    let parent = relative.parent().unwrap_or(Path::new(""));
    out_dir.join(parent).join(name)
}

/// Writes `contents` to `path` atomically, creating parent directories.
pub fn write_atomic(path: &Path, contents: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(contents.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirrors_the_tree_under_the_root() {
        let p = output_path(
            Path::new("out"),
            Some(Path::new("rules")),
            Path::new("rules/analytics/x.yaml"),
            0,
            1,
            "spl",
        );
        assert_eq!(p, Path::new("out/analytics/x.spl"));
    }

    #[test]
    fn explicit_file_goes_to_the_top_and_multi_query_files_are_numbered() {
        let p = output_path(
            Path::new("out"),
            Some(Path::new("a/b.md")),
            Path::new("a/b.md"),
            2,
            3,
            "esql",
        );
        assert_eq!(p, Path::new("out/b-2.esql"));
    }

    #[test]
    fn atomic_write_replaces_and_creates_dirs() {
        let dir = std::env::temp_dir().join(format!("kqlport-out-{}", std::process::id()));
        let path = dir.join("x/y.spl");
        write_atomic(&path, "one\n").unwrap();
        write_atomic(&path, "two\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two\n");
        let leftovers: Vec<_> = std::fs::read_dir(dir.join("x")).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary files left behind");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
