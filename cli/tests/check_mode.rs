//! `convert -o DIR --check`: nothing is written; every changed, new and orphaned output is
//! shown as a unified diff; exit 0 only when DIR holds exactly what a run would write.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn kqlport() -> Command {
    Command::cargo_bin("kqlport").unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kqlport-check-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Every file under `dir` with its contents, in name order.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn convert(rules: &Path, out: &Path, extra: &[&str]) -> Run {
    let o = kqlport()
        .args(["convert", "--to", "spl,sigma"])
        .args(extra)
        .arg("-o")
        .arg(out)
        .arg(rules)
        .output()
        .unwrap();
    Run {
        code: o.status.code(),
        stdout: String::from_utf8(o.stdout).unwrap(),
        stderr: String::from_utf8(o.stderr).unwrap(),
    }
}

fn setup(name: &str) -> (PathBuf, PathBuf, PathBuf) {
    let base = temp_dir(name);
    let rules = base.join("rules");
    let out = base.join("out");
    write(
        &rules.join("a.kql"),
        "SecurityEvent | where EventID == 4625 | project TimeGenerated, Account\n",
    );
    write(
        &rules.join("sub/b.kql"),
        "SigninLogs | where ResultType == \"50126\" | project TimeGenerated, UserPrincipalName\n",
    );
    (base, rules, out)
}

#[test]
fn unchanged_outputs_pass_and_nothing_is_written() {
    let (_base, rules, out) = setup("unchanged");
    let first = convert(&rules, &out, &[]);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let before = snapshot(&out);
    assert_eq!(before.len(), 4);
    let check = convert(&rules, &out, &["--check"]);
    assert_eq!(check.code, Some(0), "{}", check.stderr);
    assert_eq!(check.stdout, "", "no diff expected");
    assert!(
        check
            .stderr
            .contains(": 4 unchanged, 0 changed, 0 new, 0 orphaned"),
        "{}",
        check.stderr
    );
    assert_eq!(snapshot(&out), before);
}

#[test]
fn a_changed_query_shows_its_diff_and_fails() {
    let (_base, rules, out) = setup("changed");
    assert_eq!(convert(&rules, &out, &[]).code, Some(0));
    let before = snapshot(&out);
    write(
        &rules.join("a.kql"),
        "SecurityEvent | where EventID == 4624 | project TimeGenerated, Account\n",
    );
    let check = convert(&rules, &out, &["--check"]);
    assert_eq!(check.code, Some(1), "{}", check.stderr);
    let spl = out.join("a.spl").to_string_lossy().replace('\\', "/");
    assert!(
        check
            .stdout
            .contains(&format!("--- a/{spl}\n+++ b/{spl}\n")),
        "{}",
        check.stdout
    );
    // The changed value shows as removed and added lines (whatever the pipeline names it).
    let lines: Vec<&str> = check.stdout.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("-|") && l.contains("4625"))
            && lines
                .iter()
                .any(|l| l.starts_with("+|") && l.contains("4624")),
        "{}",
        check.stdout
    );
    assert!(check.stdout.contains("@@ "), "{}", check.stdout);
    assert!(
        check
            .stderr
            .contains(": 2 unchanged, 2 changed, 0 new, 0 orphaned"),
        "{}",
        check.stderr
    );
    assert_eq!(snapshot(&out), before, "--check must not write");
}

#[test]
fn a_new_query_is_a_new_file() {
    let (_base, rules, out) = setup("new");
    assert_eq!(convert(&rules, &out, &[]).code, Some(0));
    write(
        &rules.join("c.kql"),
        "DeviceProcessEvents | where FileName =~ \"whoami.exe\"\n",
    );
    let check = convert(&rules, &out, &["--check"]);
    assert_eq!(check.code, Some(1));
    let spl = out.join("c.spl").to_string_lossy().replace('\\', "/");
    assert!(
        check
            .stdout
            .contains(&format!("--- /dev/null\n+++ b/{spl}\n")),
        "{}",
        check.stdout
    );
    assert!(
        check
            .stderr
            .contains("4 unchanged, 0 changed, 2 new, 0 orphaned"),
        "{}",
        check.stderr
    );
    assert!(!out.join("c.spl").exists());
}

#[test]
fn a_removed_query_leaves_an_orphan() {
    let (_base, rules, out) = setup("orphan");
    assert_eq!(convert(&rules, &out, &[]).code, Some(0));
    std::fs::remove_file(rules.join("sub/b.kql")).unwrap();
    // Files with other extensions, and kqlport's temporary files, are not orphans.
    write(&out.join("README.md"), "translations\n");
    write(&out.join(".kqlport-tmp-x"), "partial");
    let check = convert(&rules, &out, &["--check"]);
    assert_eq!(check.code, Some(1));
    let orphan = out.join("sub/b.spl").to_string_lossy().replace('\\', "/");
    assert!(
        check
            .stdout
            .contains(&format!("--- a/{orphan}\n+++ /dev/null\n")),
        "{}",
        check.stdout
    );
    assert!(
        check
            .stderr
            .contains("2 unchanged, 0 changed, 0 new, 2 orphaned"),
        "{}",
        check.stderr
    );
    assert!(!check.stdout.contains("README"));
    assert!(out.join("sub/b.spl").exists(), "--check never deletes");
    // With --report json, each orphan is one line.
    let json = convert(&rules, &out, &["--check", "--report", "json"]);
    let orphans: Vec<serde_json::Value> = json
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["state"] == "orphaned")
        .collect();
    assert_eq!(orphans.len(), 2, "{}", json.stdout);
}

#[test]
fn check_compares_rule_files_too() {
    let (_base, rules, out) = setup("rulefile");
    let args = ["--to", "spl", "--format", "splunk"];
    let o = kqlport()
        .arg("convert")
        .args(args)
        .arg("-o")
        .arg(&out)
        .arg(&rules)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(out.join("a.conf").exists());
    let o = kqlport()
        .arg("convert")
        .args(args)
        .arg("-o")
        .arg(&out)
        .arg("--check")
        .arg(&rules)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // The same directory checked for another format: its files are new, the .conf ones are
    // not looked at (the run writes no .conf).
    let o = kqlport()
        .args(["convert", "--to", "spl", "--check", "-o"])
        .arg(&out)
        .arg(&rules)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("0 unchanged, 0 changed, 2 new, 0 orphaned")
    );
}

#[test]
fn check_needs_an_output_directory() {
    let o = kqlport()
        .args(["convert", "--to", "spl", "--check", "x.kql"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_query_that_stops_parsing_orphans_its_output() {
    let (_base, rules, out) = setup("unparsable");
    write(&rules.join("bad.kql"), "SecurityEvent | where (\n");
    // The unparsable query has no output either way: the check passes, and says why.
    let first = convert(&rules, &out, &[]);
    assert_eq!(first.code, Some(1), "{}", first.stderr);
    let check = convert(&rules, &out, &["--check"]);
    assert_eq!(check.code, Some(0), "{}", check.stderr);
    assert!(check.stderr.contains("error[P"), "{}", check.stderr);
    // A query that parsed breaks: its committed translation is an orphan.
    write(&rules.join("a.kql"), "SecurityEvent | where (\n");
    let check = convert(&rules, &out, &["--check"]);
    assert_eq!(check.code, Some(1), "{}", check.stderr);
    assert!(
        check.stderr.contains("0 changed, 0 new, 2 orphaned"),
        "{}",
        check.stderr
    );
}
