//! Where translations go: output paths that mirror the input tree, planned for the whole batch
//! before anything is written so that no two translations (and no translation and an input)
//! share a path; and atomic file writes (a `.kqlport-tmp-*` file in the destination directory,
//! renamed into place), so an interrupted run never leaves a half-written rule behind.

use crate::inputs::{relative_path, Input};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The name prefix of kqlport's temporary files. One left behind by a killed run is removed by
/// the next run that writes into the same directory.
pub const TEMP_PREFIX: &str = ".kqlport-tmp-";

/// One input's share of the output namespace: the input and how many queries it holds (0 when
/// it failed to load; it still may not be overwritten).
pub struct Claim<'a> {
    pub input: &'a Input,
    pub queries: usize,
}

/// The output path of every query of every input for every target, or why it gets none.
pub struct Plan {
    /// `[input][query][target]`.
    paths: Vec<Vec<Vec<Result<PathBuf, String>>>>,
}

impl Plan {
    /// The path for one translation, or the reason it cannot be written.
    pub fn path(&self, input: usize, query: usize, target: usize) -> Result<&Path, &str> {
        match self
            .paths
            .get(input)
            .and_then(|q| q.get(query))
            .and_then(|t| t.get(target))
        {
            Some(Ok(p)) => Ok(p),
            Some(Err(e)) => Err(e),
            None => Err("no output path was planned for this query"),
        }
    }

    /// Every directory an output is planned in, once each, in order.
    pub fn directories(&self) -> Vec<&Path> {
        let mut seen = HashSet::new();
        self.paths
            .iter()
            .flatten()
            .flatten()
            .filter_map(|p| p.as_ref().ok()?.parent())
            .filter(|d| seen.insert(*d))
            .collect()
    }
}

/// Plans the output files of a batch under `out_dir`.
///
/// A query's output is `out_dir` + its input's path relative to the PATH argument it was
/// found under, with the input's extension replaced by the target's (`rules/a/x.yaml` →
/// `OUT/a/x.spl`); a file with several queries gets `-<index>` before the extension
/// (`x-0.spl`). When that name is shared — by two inputs (`r.kql` and `r.yaml`; `x.md` query
/// 0 and `x-0.kql`; the same relative name under two PATH arguments) or with an input itself
/// (`-o` pointing into the input tree) — every input involved keeps its own extension in its
/// output names instead (`r.kql.spl`, `r.yaml.spl`, `x.md-0.spl`). A path still shared after
/// that (the same relative name under two PATH arguments) goes to the first input in
/// command-line order; the others, and any output that would replace an input, are refused
/// with the reason.
pub fn plan(out_dir: &Path, claims: &[Claim], extensions: &[&str]) -> Plan {
    let inputs: HashSet<PathBuf> = claims
        .iter()
        .filter_map(|c| match c.input {
            Input::File { path, .. } => std::fs::canonicalize(path).ok(),
            Input::Stdin => None,
        })
        .collect();
    let names: Vec<Names> = claims.iter().map(|c| Names::of(c.input)).collect();
    let plain_path = |n: &Names, q: usize, count: usize, ext: &str| {
        out_dir
            .join(&n.parent)
            .join(file_name(&n.stem, q, count, ext))
    };
    // How many queries claim each plain name (the extension is the same for all of them).
    let mut uses: HashMap<PathBuf, usize> = HashMap::new();
    for (c, n) in claims.iter().zip(&names) {
        for q in 0..c.queries {
            *uses.entry(plain_path(n, q, c.queries, "")).or_default() += 1;
        }
    }
    let mut taken: HashMap<PathBuf, String> = HashMap::new();
    let mut paths = Vec::with_capacity(claims.len());
    for (c, n) in claims.iter().zip(&names) {
        let shared = (0..c.queries).any(|q| {
            uses[&plain_path(n, q, c.queries, "")] > 1
                || extensions
                    .iter()
                    .any(|e| inputs.contains(&resolve(&plain_path(n, q, c.queries, e))))
        });
        let stem = if shared { &n.full } else { &n.stem };
        let mut per_query = Vec::with_capacity(c.queries);
        for q in 0..c.queries {
            let owner = if c.queries > 1 {
                format!("{} (query {q})", c.input.display_name())
            } else {
                c.input.display_name()
            };
            let per_target = extensions
                .iter()
                .map(|ext| {
                    let path = out_dir
                        .join(&n.parent)
                        .join(file_name(stem, q, c.queries, ext));
                    let key = resolve(&path);
                    if inputs.contains(&key) {
                        return Err(format!(
                            "not written: {} is an input of this run and is never overwritten",
                            show(&path)
                        ));
                    }
                    if let Some(first) = taken.get(&key) {
                        return Err(format!(
                            "not written: {} is already the output of {first}; \
                             convert the two into separate -o directories",
                            show(&path)
                        ));
                    }
                    taken.insert(key, owner.clone());
                    Ok(path)
                })
                .collect();
            per_query.push(per_target);
        }
        paths.push(per_query);
    }
    Plan { paths }
}

/// The parts of an input's output names.
struct Names {
    /// The directory under the output directory.
    parent: PathBuf,
    /// The file name without its extension (`x` for `x.yaml`).
    stem: String,
    /// The whole file name (`x.yaml`), used when the stem is shared.
    full: String,
}

impl Names {
    fn of(input: &Input) -> Names {
        match input {
            Input::File { path, root } => {
                let relative = relative_path(root, path);
                let lossy = |s: Option<&std::ffi::OsStr>| {
                    s.map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_else(|| "input".to_string())
                };
                Names {
                    parent: relative.parent().map(Path::to_path_buf).unwrap_or_default(),
                    stem: lossy(relative.file_stem()),
                    full: lossy(relative.file_name()),
                }
            }
            Input::Stdin => Names {
                parent: PathBuf::new(),
                stem: "stdin".to_string(),
                full: "stdin".to_string(),
            },
        }
    }
}

fn file_name(stem: &str, query: usize, count: usize, extension: &str) -> String {
    let numbered = if count > 1 {
        format!("{stem}-{query}")
    } else {
        stem.to_string()
    };
    if extension.is_empty() {
        numbered
    } else {
        format!("{numbered}.{extension}")
    }
}

/// A path with its directory part made canonical (as far as it exists), for comparing paths
/// that may not exist yet. The last component is kept as is: a symbolic link there is
/// replaced by the rename, never written through.
fn resolve(path: &Path) -> PathBuf {
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return path.to_path_buf();
    };
    let mut existing = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = std::fs::canonicalize(existing) {
            let mut p = c;
            p.extend(rest.iter().rev());
            p.push(name);
            return p;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(up), Some(last)) => {
                rest.push(last.to_os_string());
                existing = if up.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    up
                };
            }
            _ => return path.to_path_buf(),
        }
    }
}

fn show(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Writes `contents` to `path` atomically, creating parent directories: a temporary
/// `.kqlport-tmp-*` file in the same directory, locked while it is written, synced, then
/// renamed over `path`. The file gets the usual mode of a new file (0666 less the umask).
pub fn write_atomic(path: &Path, contents: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Opened with this mode, so the kernel applies the umask as for any new file.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    // The lock tells another run's clean-up that this file is in use (ignored where file
    // locks are not supported: the file is then just never cleaned up while in use).
    let _ = tmp.as_file().try_lock();
    tmp.write_all(contents.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Removes kqlport temporary files in `dir` that no running kqlport holds (left by a run that
/// was killed); returns their paths. A file that cannot be checked is left alone.
pub fn remove_stale_temps(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let is_ours = entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX);
        if !is_ours || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let Ok(file) = std::fs::File::open(&path) else {
            continue;
        };
        // Locked: a live run is writing it. Unlockable for another reason: leave it.
        if file.try_lock().is_ok() && std::fs::remove_file(&path).is_ok() {
            removed.push(path);
        }
    }
    removed.sort();
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kqlport-out-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn file(path: &str, root: &str) -> Input {
        Input::File {
            path: PathBuf::from(path),
            root: PathBuf::from(root),
        }
    }

    fn planned(claims: &[Claim], exts: &[&str]) -> Vec<Vec<Vec<Result<String, String>>>> {
        let plan = plan(Path::new("out"), claims, exts);
        plan.paths
            .into_iter()
            .map(|q| {
                q.into_iter()
                    .map(|t| t.into_iter().map(|r| r.map(|p| show(&p))).collect())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn mirrors_the_tree_under_the_root() {
        let x = file("rules/analytics/x.yaml", "rules");
        let p = planned(
            &[Claim {
                input: &x,
                queries: 1,
            }],
            &["spl"],
        );
        assert_eq!(p, vec![vec![vec![Ok("out/analytics/x.spl".to_string())]]]);
    }

    #[test]
    fn explicit_file_goes_to_the_top_and_multi_query_files_are_numbered() {
        let b = file("a/b.md", "a/b.md");
        let p = planned(
            &[Claim {
                input: &b,
                queries: 3,
            }],
            &["esql"],
        );
        assert_eq!(p[0][2], vec![Ok("out/b-2.esql".to_string())]);
    }

    #[test]
    fn shared_stems_keep_their_input_extension() {
        let (csl, kql, yaml) = (
            file("d/r.csl", "d"),
            file("d/r.kql", "d"),
            file("d/r.yaml", "d"),
        );
        let (md, x0) = (file("d/x.md", "d/x.md"), file("d/x-0.kql", "d"));
        let lone = file("d/lone.kql", "d");
        let claims = [
            Claim {
                input: &csl,
                queries: 1,
            },
            Claim {
                input: &kql,
                queries: 1,
            },
            Claim {
                input: &yaml,
                queries: 1,
            },
            Claim {
                input: &md,
                queries: 2,
            },
            Claim {
                input: &x0,
                queries: 1,
            },
            Claim {
                input: &lone,
                queries: 1,
            },
        ];
        let p = planned(&claims, &["spl", "yml"]);
        let ok = |s: &str| Ok(s.to_string());
        assert_eq!(p[0][0], vec![ok("out/r.csl.spl"), ok("out/r.csl.yml")]);
        assert_eq!(p[1][0], vec![ok("out/r.kql.spl"), ok("out/r.kql.yml")]);
        assert_eq!(p[2][0], vec![ok("out/r.yaml.spl"), ok("out/r.yaml.yml")]);
        // every query of x.md is renamed, not only the one that collided
        assert_eq!(p[3][0][0], ok("out/x.md-0.spl"));
        assert_eq!(p[3][1][0], ok("out/x.md-1.spl"));
        assert_eq!(p[4][0][0], ok("out/x-0.kql.spl"));
        assert_eq!(
            p[5][0][0],
            ok("out/lone.spl"),
            "an unshared name is left alone"
        );
    }

    #[test]
    fn the_same_relative_name_under_two_roots_goes_to_the_first_only() {
        let (a, b) = (file("a/x.kql", "a"), file("b/x.kql", "b"));
        let p = planned(
            &[
                Claim {
                    input: &a,
                    queries: 1,
                },
                Claim {
                    input: &b,
                    queries: 1,
                },
            ],
            &["spl"],
        );
        assert_eq!(p[0][0], vec![Ok("out/x.kql.spl".to_string())]);
        let e = p[1][0][0].as_ref().unwrap_err();
        assert!(e.contains("already the output of a/x.kql"), "{e}");
    }

    #[test]
    fn an_output_never_replaces_an_input() {
        let dir = temp_dir("plan-input");
        std::fs::write(dir.join("r.yaml"), "x").unwrap();
        std::fs::write(dir.join("r.yml"), "x").unwrap();
        std::fs::write(dir.join("r.yaml.yml"), "x").unwrap();
        let root = dir.to_string_lossy().into_owned();
        let inputs = [
            file(&format!("{root}/r.yaml"), &root),
            file(&format!("{root}/r.yml"), &root),
            file(&format!("{root}/r.yaml.yml"), &root),
        ];
        let claims: Vec<Claim> = inputs
            .iter()
            .map(|input| Claim { input, queries: 1 })
            .collect();
        let plan = plan(&dir, &claims, &["spl", "yml"]);
        assert_eq!(plan.path(0, 0, 0), Ok(dir.join("r.yaml.spl").as_path()));
        // r.yaml's Sigma output would be the input r.yaml.yml
        let e = plan.path(0, 0, 1).unwrap_err();
        assert!(e.contains("is an input of this run"), "{e}");
        assert_eq!(plan.path(1, 0, 0), Ok(dir.join("r.yml.spl").as_path()));
        assert_eq!(plan.path(1, 0, 1), Ok(dir.join("r.yml.yml").as_path()));
        // r.yaml.yml's plain Sigma name is itself, so it keeps its extension too
        assert_eq!(plan.path(2, 0, 1), Ok(dir.join("r.yaml.yml.yml").as_path()));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn atomic_write_replaces_and_creates_dirs() {
        let dir = temp_dir("atomic");
        let path = dir.join("x/y.spl");
        write_atomic(&path, "one\n").unwrap();
        write_atomic(&path, "two\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two\n");
        let leftovers: Vec<_> = std::fs::read_dir(dir.join("x")).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary files left behind");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn stale_temporary_files_are_removed_and_live_ones_kept() {
        let dir = temp_dir("stale");
        let stale = dir.join(format!("{TEMP_PREFIX}abc123"));
        std::fs::write(&stale, "half a rule").unwrap();
        let live = dir.join(format!("{TEMP_PREFIX}def456"));
        let held = std::fs::File::create(&live).unwrap();
        held.lock().unwrap();
        let other = dir.join(".tmpXYZ");
        std::fs::write(&other, "not ours").unwrap();
        assert_eq!(remove_stale_temps(&dir), vec![stale.clone()]);
        assert!(!stale.exists() && live.exists() && other.exists());
        drop(held);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
