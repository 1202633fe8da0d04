//! Batch safety: a temporary copy of a slice of the corpus (or of rules/ when the corpus is
//! absent) mixed with garbage — binary and non-UTF-8 files, truncated YAML, an empty file, a
//! file over the size limit, an unreadable file, symbolic links to files and directories,
//! dangling and looping links, a FIFO, a directory named like a rule, colliding output names —
//! converted to all four targets with `--format json -o OUT`. Every input must be accounted
//! for in the JSON report, each valid one exactly as it converts without the garbage, every
//! translation written to its own file, nothing written over an input (also with `-o` the
//! input directory itself), no temporary file left, and exit status 1.
#![cfg(unix)]

use assert_cmd::Command;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

const TARGETS: &str = "spl,esql,eql,sigma";
const SLICE: usize = 36;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kqlport-safety-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn is_rule_file(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["yaml", "yml", "kql", "csl", "kusto"].contains(&e.to_ascii_lowercase().as_str())
    })
}

/// A deterministic slice of the corpus (every k-th rule file in name order), or all of rules/
/// when the corpus is not beside the checkout.
fn valid_sources() -> Vec<PathBuf> {
    let corpus = repo().join("../shared/corpus");
    let (dir, take) = if corpus.exists() {
        (corpus, SLICE)
    } else {
        assert_eq!(
            std::env::var("KQLPORT_SKIP_CORPUS").as_deref(),
            Ok("1"),
            "../shared/corpus is missing (set KQLPORT_SKIP_CORPUS=1 to use rules/ instead)"
        );
        eprintln!("batch safety: ../shared/corpus is missing; using rules/");
        (repo().join("rules"), usize::MAX)
    };
    let all: Vec<PathBuf> = walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && is_rule_file(e.path()))
        .filter(|e| e.metadata().is_ok_and(|m| m.len() < 200_000))
        .map(|e| e.into_path())
        .collect();
    let step = (all.len() / take.min(all.len()).max(1)).max(1);
    all.into_iter().step_by(step).take(take).collect()
}

/// What a garbage entry must be reported as.
struct Garbage {
    /// Path under the input directory, as the report names it (after the input dir).
    rel: &'static str,
    /// The diagnostic code of its error.
    code: &'static str,
}

/// Every regular file under `dir` (through symbolic links, as kqlport walks) and its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| Some((e.path().to_path_buf(), std::fs::read(e.path()).ok()?)))
        .collect()
}

fn run_json(out_dir: &Path, input: &Path) -> (Option<i32>, Vec<serde_json::Value>, String) {
    let out = Command::cargo_bin("kqlport")
        .unwrap()
        .timeout(Duration::from_secs(600))
        .args(["convert", "--to", TARGETS, "--format", "json", "-o"])
        .arg(out_dir)
        .arg(input)
        .output()
        .unwrap();
    let rows = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (
        out.status.code(),
        rows,
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The report's rows by file name relative to `root`.
fn by_file(rows: &[serde_json::Value], root: &Path) -> BTreeMap<String, Vec<serde_json::Value>> {
    let prefix = format!("{}/", root.display());
    let mut map: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    for r in rows {
        let file = r["file"].as_str().unwrap();
        let rel = file
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{file} outside {prefix}"));
        map.entry(rel.to_string()).or_default().push(r.clone());
    }
    map
}

fn summary_total(stderr: &str) -> usize {
    let line = stderr.trim_end().lines().last().unwrap();
    assert!(line.starts_with("converted "), "{stderr}");
    line["converted ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Checks the written files of one run: one per translated row, each at its own path, each
/// holding the row's translation; nothing else in `out_dir` but `others`; no temporary file.
fn check_written(rows: &[serde_json::Value], out_dir: &Path, others: &BTreeSet<PathBuf>) {
    let mut written = BTreeSet::new();
    for r in rows {
        let translated = r["status"] == "exact" || r["status"] == "approximate";
        match r["written"].as_str() {
            Some(path) => {
                assert!(translated, "{r}");
                let text = std::fs::read_to_string(path).unwrap();
                assert!(
                    text.ends_with(r["output"].as_str().unwrap()),
                    "{path} is incomplete"
                );
                assert!(written.insert(PathBuf::from(path)), "{path} written twice");
            }
            None => assert!(!translated, "a translation without a file: {r}"),
        }
    }
    let on_disk: BTreeSet<PathBuf> = walkdir::WalkDir::new(out_dir)
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| !others.contains(p))
        .collect();
    for p in &on_disk {
        let name = p.file_name().unwrap().to_string_lossy();
        assert!(
            !name.starts_with(".kqlport-tmp-") && !name.starts_with(".tmp"),
            "left behind: {}",
            p.display()
        );
    }
    assert_eq!(
        on_disk, written,
        "the output directory holds exactly the written translations"
    );
}

#[test]
fn a_corpus_mixed_with_garbage_loses_nothing() {
    let root = temp_dir("batch");
    let input = root.join("in");
    let clean = root.join("clean");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::create_dir_all(&clean).unwrap();

    // The valid slice, in the mixed tree and alone (the control).
    let sources = valid_sources();
    assert!(sources.len() >= 20, "{} valid files", sources.len());
    let mut valid: Vec<String> = Vec::new();
    for (i, src) in sources.iter().enumerate() {
        let name: String = src
            .file_name()
            .unwrap()
            .to_string_lossy()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let rel = format!("corpus/{:02}/{name}", i % 7);
        for dir in [&input, &clean] {
            std::fs::create_dir_all(dir.join(&rel).parent().unwrap()).unwrap();
            std::fs::copy(src, dir.join(&rel)).unwrap();
        }
        valid.push(rel);
    }
    // Colliding output names: one stem, three extensions, plus x.md-style numbering.
    let good = "SecurityEvent\n| where EventID == 4625\n";
    let rule = |q: &str| format!("name: collide\nseverity: High\nquery: |\n  {q}\n");
    for (rel, text) in [
        ("collide/r.kql", good.to_string()),
        (
            "collide/r.csl",
            "SigninLogs | where ResultType != 0".to_string(),
        ),
        (
            "collide/r.yaml",
            rule("SecurityEvent | where EventID == 4688"),
        ),
        (
            "collide/r.yml",
            rule("SecurityEvent | where EventID == 4720"),
        ),
        ("trap.kql/inner.kql", good.to_string()),
    ] {
        for dir in [&input, &clean] {
            std::fs::create_dir_all(dir.join(rel).parent().unwrap()).unwrap();
            std::fs::write(dir.join(rel), &text).unwrap();
        }
        valid.push(rel.to_string());
    }
    // Symbolic links to a file and to a directory (outside the tree) are followed.
    let outside = root.join("outside");
    std::fs::create_dir_all(outside.join("dir")).unwrap();
    std::fs::write(outside.join("linked.kql"), good).unwrap();
    std::fs::write(
        outside.join("dir/deep.yaml"),
        rule("SecurityEvent | take 5"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.join("linked.kql"), input.join("link-file.kql")).unwrap();
    std::os::unix::fs::symlink(outside.join("dir"), input.join("link-dir")).unwrap();
    std::fs::write(clean.join("link-file.kql"), good).unwrap();
    std::fs::create_dir_all(clean.join("link-dir")).unwrap();
    std::fs::write(
        clean.join("link-dir/deep.yaml"),
        rule("SecurityEvent | take 5"),
    )
    .unwrap();
    valid.push("link-file.kql".into());
    valid.push("link-dir/deep.yaml".into());

    // Garbage.
    let mut garbage = vec![
        Garbage {
            rel: "garbage/binary.kql",
            code: "I001",
        },
        Garbage {
            rel: "garbage/nul.kql",
            code: "I002",
        },
        Garbage {
            rel: "garbage/latin1.kql",
            code: "I001",
        },
        Garbage {
            rel: "garbage/empty.yaml",
            code: "I003",
        },
        Garbage {
            rel: "garbage/huge.kql",
            code: "I012",
        },
        Garbage {
            rel: "garbage/pipe.kql",
            code: "I011",
        },
        Garbage {
            rel: "garbage/dangling.kql",
            code: "I010",
        },
        Garbage {
            rel: "garbage/self.kql",
            code: "I010",
        },
        Garbage {
            rel: "garbage/loop",
            code: "I010",
        },
    ];
    let g = input.join("garbage");
    std::fs::create_dir_all(&g).unwrap();
    let mut binary = b"\x7fELF\x02\x01\x01\x00".to_vec();
    binary.extend((0u32..4096).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    std::fs::write(g.join("binary.kql"), binary).unwrap();
    std::fs::write(g.join("nul.kql"), "T | take 1\0\0").unwrap();
    std::fs::write(g.join("latin1.kql"), b"T | where Name == 'caf\xe9'").unwrap();
    std::fs::write(g.join("empty.yaml"), "").unwrap();
    std::fs::File::create(g.join("huge.kql"))
        .unwrap()
        .set_len(16 * 1024 * 1024 + 1)
        .unwrap();
    assert!(std::process::Command::new("mkfifo")
        .arg(g.join("pipe.kql"))
        .status()
        .unwrap()
        .success());
    std::os::unix::fs::symlink(g.join("gone.kql"), g.join("dangling.kql")).unwrap();
    std::os::unix::fs::symlink("self.kql", g.join("self.kql")).unwrap();
    std::os::unix::fs::symlink(&input, g.join("loop")).unwrap();
    // Truncated YAML: a real rule cut mid-way, and one cut inside a quoted scalar. Whatever
    // they load as, they must be reported.
    let yaml_source = sources
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .unwrap_or_else(|| rule("SecurityEvent | take 1"));
    let cut = yaml_source.len() / 2;
    let cut = (0..=cut)
        .rev()
        .find(|&i| yaml_source.is_char_boundary(i))
        .unwrap();
    std::fs::write(g.join("truncated.yaml"), &yaml_source[..cut]).unwrap();
    std::fs::write(
        g.join("truncated-quote.yaml"),
        "id: x\nname: \"never closed\nquery: |\n  T | take 1\n",
    )
    .unwrap();
    // An unreadable file: chmod 000 stops everyone but root.
    let locked = g.join("locked.kql");
    std::fs::write(&locked, good).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    let locked_counts = std::fs::read(&locked).is_err();
    if locked_counts {
        garbage.push(Garbage {
            rel: "garbage/locked.kql",
            code: "I010",
        });
    } else {
        eprintln!("batch safety: running as root, chmod 000 does not stop reads; the unreadable-file case is skipped (locked.kql is read normally)");
        valid.push("garbage/locked.kql".into());
        std::fs::copy(&locked, clean.join("garbage-locked.kql")).ok();
    }

    let before = snapshot(&input);

    // The control: the valid files alone.
    let clean_out = root.join("clean-out");
    let (_, clean_rows, _) = run_json(&clean_out, &clean);
    let clean_by_file = by_file(&clean_rows, &clean);

    // The mixed batch.
    let out_dir = root.join("out");
    let (code, rows, stderr) = run_json(&out_dir, &input);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(summary_total(&stderr), rows.len(), "{stderr}");
    let mixed = by_file(&rows, &input);

    // Every input is accounted for, and nothing else is reported.
    let mut expected: BTreeSet<String> = valid.iter().cloned().collect();
    expected.extend(garbage.iter().map(|g| g.rel.to_string()));
    expected.insert("garbage/truncated.yaml".into());
    expected.insert("garbage/truncated-quote.yaml".into());
    let reported: BTreeSet<String> = mixed.keys().cloned().collect();
    assert_eq!(reported, expected);
    for (file, rows) in &mixed {
        let targets: BTreeSet<&str> = rows.iter().map(|r| r["target"].as_str().unwrap()).collect();
        assert_eq!(targets.len(), 4, "{file}: every target has a row");
    }
    // Garbage gets its located error for every target.
    for g in &garbage {
        for r in &mixed[g.rel] {
            assert_eq!(r["status"], "error", "{r}");
            assert_eq!(r["notes"][0]["code"], g.code, "{r}");
            assert!(r["notes"][0]["line"].as_u64().unwrap() >= 1, "located: {r}");
        }
    }
    assert!(mixed["garbage/truncated-quote.yaml"]
        .iter()
        .all(|r| r["status"] == "error"));
    // Valid files convert exactly as they do without the garbage.
    let mut translated = 0;
    for rel in &valid {
        let control = if rel == "garbage/locked.kql" {
            &clean_by_file["garbage-locked.kql"]
        } else {
            &clean_by_file[rel.as_str()]
        };
        let got = &mixed[rel.as_str()];
        assert_eq!(got.len(), control.len(), "{rel}");
        for (g, c) in got.iter().zip(control) {
            assert_eq!(
                (&g["index"], &g["target"], &g["status"]),
                (&c["index"], &c["target"], &c["status"]),
                "{rel}"
            );
            assert_eq!(g["notes"], c["notes"], "{rel}");
            if rel != "garbage/locked.kql" {
                assert_eq!(g["output"], c["output"], "{rel}");
            }
            if g["status"] == "exact" || g["status"] == "approximate" {
                translated += 1;
            }
        }
    }
    assert!(
        translated >= valid.len(),
        "most valid files translate: {translated}"
    );
    for r in &mixed["collide/r.kql"] {
        if let Some(w) = r["written"].as_str() {
            assert!(
                Path::new(w)
                    .file_stem()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("r.kql"),
                "{w}"
            );
        }
    }
    check_written(&rows, &out_dir, &BTreeSet::new());
    assert_eq!(snapshot(&input), before, "no input was changed");

    // Again with -o pointing at the input directory itself.
    let (code, rows, stderr) = run_json(&input, &input);
    assert_eq!(code, Some(1), "{stderr}");
    let again = by_file(&rows, &input);
    assert_eq!(again.keys().cloned().collect::<BTreeSet<_>>(), expected);
    let inputs: BTreeSet<PathBuf> = before.keys().cloned().collect();
    check_written(&rows, &input, &inputs);
    let after = snapshot(&input);
    for (path, bytes) in &before {
        assert_eq!(
            after.get(path),
            Some(bytes),
            "{} was changed",
            path.display()
        );
    }
    for r in &rows {
        if let Some(w) = r["written"].as_str() {
            assert!(!inputs.contains(Path::new(w)), "{w} was an input");
        }
    }

    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644));
    }
    std::fs::remove_dir_all(&root).unwrap();
}
