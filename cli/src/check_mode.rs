//! `convert -o DIR --check`: what a run would write, compared with what DIR holds, without
//! writing anything. Each difference is printed as a unified diff (`similar`):
//!
//! * **changed** — a planned output whose file exists with other contents;
//! * **new** — a planned output with no file yet;
//! * **orphaned** — a file under DIR that this run plans no output for, yet whose name ends
//!   with an extension this run writes (e.g. `.spl` for `--to spl`, `.conf` for
//!   `--format splunk`): the translation of a query that was removed, renamed, or no longer
//!   translates. Inputs of the run and kqlport's temporary files are never orphans; other
//!   extensions are not looked at, so DIR may hold a README or other tools' files.

use similar::TextDiff;
use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What one compared file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Unchanged,
    Changed,
    New,
    Orphaned,
}

/// The outputs a run would write, by path.
#[derive(Default)]
pub struct Planned {
    files: BTreeMap<PathBuf, String>,
}

#[derive(Default)]
pub struct Tally {
    pub unchanged: usize,
    pub changed: usize,
    pub new: usize,
    pub orphaned: usize,
}

impl Tally {
    pub fn differs(&self) -> bool {
        self.changed + self.new + self.orphaned > 0
    }
}

impl Planned {
    /// Records an output and says how it compares with the file on disk.
    pub fn add(&mut self, path: &Path, contents: String) -> State {
        let state = match std::fs::read(path) {
            Ok(old) if old == contents.as_bytes() => State::Unchanged,
            Ok(_) => State::Changed,
            Err(_) => State::New,
        };
        self.files.insert(path.to_path_buf(), contents);
        state
    }

    /// Prints the diff of every changed and new output, then finds and prints the orphans
    /// under `out_dir`; returns the tally.
    pub fn report(
        &self,
        out_dir: &Path,
        extensions: &[&str],
        inputs: &HashSet<PathBuf>,
        out: &mut impl Write,
    ) -> std::io::Result<(Tally, Vec<(PathBuf, State)>)> {
        let mut tally = Tally::default();
        let mut states = Vec::new();
        for (path, new) in &self.files {
            let old = std::fs::read(path).ok();
            let state = match &old {
                Some(o) if o == new.as_bytes() => State::Unchanged,
                Some(_) => State::Changed,
                None => State::New,
            };
            match state {
                State::Unchanged => tally.unchanged += 1,
                State::Changed => tally.changed += 1,
                State::New => tally.new += 1,
                State::Orphaned => {}
            }
            if state != State::Unchanged {
                let old = old.map(|o| String::from_utf8_lossy(&o).into_owned());
                diff(out, path, old.as_deref(), Some(new))?;
            }
            states.push((path.clone(), state));
        }
        let planned: HashSet<PathBuf> = self.files.keys().map(|p| canonical(p)).collect();
        for path in orphans(out_dir, extensions) {
            let key = canonical(&path);
            if planned.contains(&key) || inputs.contains(&key) {
                continue;
            }
            tally.orphaned += 1;
            let old = std::fs::read(&path).unwrap_or_default();
            diff(out, &path, Some(&String::from_utf8_lossy(&old)), None)?;
            states.push((path, State::Orphaned));
        }
        Ok((tally, states))
    }
}

/// Every regular file under `dir` whose name ends with `.<ext>` for one of `extensions`,
/// kqlport's temporary files excepted, in name order. Symbolic links are not followed.
fn orphans(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if name.starts_with(crate::output::TEMP_PREFIX) {
            continue;
        }
        if extensions.iter().any(|e| name.ends_with(&format!(".{e}"))) {
            found.push(entry.into_path());
        }
    }
    found
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// A unified diff from `old` (none: a new file) to `new` (none: an orphan), with `a/` and `b/`
/// headers as git writes them.
fn diff(
    out: &mut impl Write,
    path: &Path,
    old: Option<&str>,
    new: Option<&str>,
) -> std::io::Result<()> {
    let shown = path.to_string_lossy().replace('\\', "/");
    let a = if old.is_some() {
        format!("a/{shown}")
    } else {
        "/dev/null".to_string()
    };
    let b = if new.is_some() {
        format!("b/{shown}")
    } else {
        "/dev/null".to_string()
    };
    let (old, new) = (old.unwrap_or(""), new.unwrap_or(""));
    let d = TextDiff::from_lines(old, new);
    write!(out, "{}", d.unified_diff().context_radius(3).header(&a, &b))?;
    Ok(())
}
