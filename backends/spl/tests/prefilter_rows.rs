//! The base search's indexed prefilters never change the rows (issue 16): every conformance
//! case is translated with and without them, and both run on the reference SPL evaluator
//! (`tests/conformance/engines/spl`, written from Splunk's documentation) over the case's
//! events, through `tests/conformance/run/spl_prefilter_check.py`.
//!
//! Also checked for every case and every rule in `rules/`: the prefilters only add terms to
//! the first line (the `where` and every later command stay as they were).

use kqlport::backend::{Backend, RuleContext};
use kqlport::{kql, lower, sentinel};
use kqlport_spl::Spl;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// (full, without prefilters) for every query of `file` that translates.
fn both(file: &Path) -> Vec<(String, String)> {
    let bytes = std::fs::read(file).unwrap();
    let Ok(loaded) = sentinel::load(&file.to_string_lossy(), &bytes) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for q in &loaded.queries {
        let Ok(ast) = kql::parse(&q.text) else {
            continue;
        };
        let Ok(lowered) = lower::lower(&ast) else {
            continue;
        };
        let full = Spl.translate(&RuleContext::default(), &lowered.query);
        let alone = Spl.translate_without_prefilters(&lowered.query);
        match (full, alone) {
            (Ok(f), Ok(a)) => out.push((f.text, a.text)),
            (Err(_), Err(_)) => {}
            (f, a) => panic!(
                "{}: translates only one way: with {:?}, without {:?}",
                file.display(),
                f.map(|t| t.text),
                a.map(|t| t.text)
            ),
        }
    }
    out
}

/// The prefilters only add terms to base searches (the main one and a join's right side): the
/// two translations have the same lines, and each line without prefilters is the line with
/// them less some characters (the added terms, interleaved in conjunct order).
fn only_adds_search_terms(full: &str, alone: &str) -> bool {
    let fl: Vec<&str> = full.lines().collect();
    let al: Vec<&str> = alone.lines().collect();
    fl.len() == al.len()
        && fl.iter().zip(&al).all(|(f, a)| {
            f == a
                || (a.trim_start().starts_with("search ") || a.trim_start().starts_with("[search "))
                    && subsequence(a, f)
        })
}

/// Whether `small`'s characters appear in `big` in order.
fn subsequence(small: &str, big: &str) -> bool {
    let mut it = big.chars();
    small.chars().all(|c| it.by_ref().any(|b| b == c))
}

fn case_dirs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/conformance/cases"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("rule.yaml").exists() && p.join("events.json").exists())
        .collect();
    v.sort();
    v
}

#[test]
fn prefilters_only_add_base_search_terms() {
    let mut files: Vec<PathBuf> = case_dirs().iter().map(|d| d.join("rule.yaml")).collect();
    let mut stack = vec![repo().join("rules")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("yaml" | "yml" | "kql")
            ) {
                files.push(p);
            }
        }
    }
    let mut changed = 0;
    for f in &files {
        for (full, alone) in both(f) {
            assert!(
                only_adds_search_terms(&full, &alone),
                "{}:\nwith prefilters:\n{full}\nwithout:\n{alone}",
                f.display()
            );
            changed += usize::from(full != alone);
        }
    }
    assert!(
        changed >= 20,
        "only {changed} translations have a prefilter"
    );
}

#[test]
fn prefilters_keep_the_rows_of_every_conformance_case() {
    let mut tasks = Vec::new();
    for d in case_dirs() {
        let name = d.file_name().unwrap().to_string_lossy().to_string();
        for (full, alone) in both(&d.join("rule.yaml")) {
            if full != alone {
                tasks.push(serde_json::json!({"case": name, "full": full, "alone": alone}));
            }
        }
    }
    let python = std::env::var("KQLPORT_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = repo().join("tests/conformance/run/spl_prefilter_check.py");
    let child = Command::new(&python)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("SKIP: no {python} to run the SPL reference evaluator");
        return;
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&tasks).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verdicts: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&out.stdout).unwrap();
    let differs: Vec<String> = verdicts
        .iter()
        .filter(|(_, v)| v.as_str().is_some_and(|s| s.starts_with("differs")))
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    assert!(
        differs.is_empty(),
        "prefilters changed rows:\n{}",
        differs.join("\n")
    );
    let same = verdicts.values().filter(|v| *v == "same").count();
    for (k, v) in verdicts.iter().filter(|(_, v)| *v != "same") {
        eprintln!("not compared: {k}: {v}");
    }
    eprintln!(
        "{same} of {} cases with a prefilter compared equal on the evaluator ({} unsupported)",
        verdicts.len(),
        verdicts.len() - same
    );
    assert!(same >= 10, "only {same} cases compared");
}
