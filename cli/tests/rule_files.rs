//! `convert --format splunk|elastic` on every rule in `rules/` → one snapshot per rule and
//! format in `snapshots/` (`splunk@…`, `elastic@…`; the Elastic rule pretty-printed, after
//! checking that the written form is one NDJSON line per translation). Hostile metadata
//! cannot leave its value; `--format` and `--report` keep old command lines working.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

fn kqlport() -> Command {
    let mut c = Command::cargo_bin("kqlport").unwrap();
    c.current_dir(root());
    c
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Why nothing was written: the run's error lines (the refusals are in the query snapshots).
fn nothing_written(out: &std::process::Output) -> String {
    let mut s = String::from("(nothing written)\n");
    for line in String::from_utf8_lossy(&out.stderr).lines() {
        if line.starts_with("error[") {
            s.push_str(line);
            s.push('\n');
        }
    }
    s
}

#[test]
fn every_rule_as_rule_files() {
    let root = root();
    settings().bind(|| {
        insta::glob!("../../rules", "**/*.{yaml,yml,kql}", |path| {
            let name = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let out = kqlport()
                .args(["convert", "--to", "spl", "--format", "splunk", &name])
                .output()
                .unwrap();
            let text = stdout(&out);
            let shown = if text.is_empty() {
                nothing_written(&out)
            } else {
                text
            };
            insta::assert_snapshot!("splunk", shown);

            let out = kqlport()
                .args(["convert", "--to", "esql,eql", "--format", "elastic", &name])
                .output()
                .unwrap();
            let text = stdout(&out);
            let mut shown = String::new();
            for line in text.lines() {
                let rule: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| {
                    panic!("{name}: not one JSON object per line: {e}\n{line}")
                });
                shown.push_str(&serde_json::to_string_pretty(&rule).unwrap());
                shown.push('\n');
            }
            if shown.is_empty() {
                shown = nothing_written(&out);
            }
            insta::assert_snapshot!("elastic", shown);
        });
    });
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kqlport-rulefile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const HOSTILE: &str = r#"id: 6c1c4b2a-0000-4000-8000-00000000beef
name: "Evil]\n[injected stanza]\nsearch = | delete \\"
description: "line one\\\nenableSched = 0\n# not a comment\r\n[other]\\"
severity: High
queryFrequency: 5m
queryPeriod: 1h
triggerOperator: gt
triggerThreshold: 0
tactics:
  - CredentialAccess
relevantTechniques:
  - T1003.001
  - "T1\"}],\"x\":\"y"
entityMappings:
  - entityType: Account
    fieldMappings:
      - identifier: Name
        columnName: "AccountName"
customDetails:
  "evil\nkey": "Process\\"
query: |
  SecurityEvent
  | where Account == "a]\\"
  | project TimeGenerated, AccountName = Account
"#;

#[test]
fn hostile_metadata_stays_in_its_value() {
    let dir = temp_dir("hostile");
    let rule = dir.join("evil.yaml");
    std::fs::write(&rule, HOSTILE).unwrap();
    let out = kqlport()
        .args(["convert", "--to", "spl", "--format", "splunk"])
        .arg(&rule)
        .output()
        .unwrap();
    let conf = stdout(&out);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Exactly one stanza line, and every other line is a comment, a known key, or the
    // continuation of the search.
    let stanzas: Vec<&str> = conf.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(
        stanzas,
        ["[Evil) (injected stanza) search = | delete]"],
        "{conf}"
    );
    let mut continuing = false;
    for line in conf.lines() {
        let ok = continuing
            || line.is_empty()
            || line.starts_with("# ")
            || line.starts_with('[')
            || line.split_once(" = ").is_some_and(|(k, _)| {
                k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._".contains(c))
            });
        assert!(ok, "line outside any value: {line:?}\n{conf}");
        continuing = line.ends_with('\\');
    }
    let description = conf
        .lines()
        .find(|l| l.starts_with("description = "))
        .unwrap();
    assert_eq!(
        description,
        "description = line one\\ enableSched = 0 # not a comment [other]"
    );
    assert_eq!(
        conf.lines()
            .filter(|l| l.starts_with("enableSched = "))
            .count(),
        1,
        "{conf}"
    );
    // The search's continuation lines are the SPL's lines; the last one does not continue.
    let search_start = conf.find("\nsearch = ").unwrap() + 1;
    let after: Vec<&str> = conf[search_start..].lines().collect();
    let last = after.iter().position(|l| !l.ends_with('\\')).unwrap();
    assert!(after[last + 1].starts_with("enableSched = "), "{conf}");

    let out = kqlport()
        .args(["convert", "--to", "esql,eql", "--format", "elastic"])
        .arg(&rule)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 2, "{text}");
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        // The title is folded to one line; the JSON escapes the rest.
        assert_eq!(v["name"], "Evil] [injected stanza] search = | delete \\");
        assert!(v.get("x").is_none());
        // The malformed technique is left out with a note; the real one is under its tactic.
        let threat = v["threat"].as_array().unwrap();
        assert_eq!(threat.len(), 1);
        assert_eq!(threat[0]["tactic"]["id"], "TA0006");
        assert_eq!(threat[0]["technique"][0]["id"], "T1003");
        assert_eq!(
            threat[0]["technique"][0]["subtechnique"][0]["id"],
            "T1003.001"
        );
        assert!(v["note"].as_str().unwrap().contains("left out of threat"));
        assert_eq!(
            v["investigation_fields"]["field_names"],
            serde_json::json!(["AccountName", "Process\\"])
        );
    }
}

#[test]
fn rule_ids_are_stable_and_distinct_per_target() {
    let run = || {
        let out = kqlport()
            .args([
                "convert",
                "--to",
                "esql,eql",
                "--format",
                "elastic",
                "rules/analytics/lsass_dump_commandline.yaml",
            ])
            .output()
            .unwrap();
        stdout(&out)
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["rule_id"].as_str().unwrap().to_string()
            })
            .collect::<Vec<_>>()
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    assert_eq!(a.len(), 2);
    assert_ne!(a[0], a[1]);
}

#[test]
fn a_format_takes_only_its_targets() {
    let out = kqlport()
        .args([
            "convert",
            "--to",
            "spl,esql",
            "--format",
            "splunk",
            "rules/seeds/tor_hunting.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--format splunk holds spl translations only, not esql"),
        "{err}"
    );
}

#[test]
fn format_json_still_means_report_json() {
    let old = kqlport()
        .args([
            "convert",
            "--to",
            "spl",
            "--format",
            "json",
            "rules/seeds/tor_hunting.yaml",
        ])
        .output()
        .unwrap();
    let new = kqlport()
        .args([
            "convert",
            "--to",
            "spl",
            "--report",
            "json",
            "rules/seeds/tor_hunting.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(old.stdout, new.stdout);
    assert_eq!(old.status.code(), new.status.code());
    let row: serde_json::Value =
        serde_json::from_str(stdout(&old).lines().next().unwrap()).unwrap();
    assert_eq!(row["target"], "spl");
    assert!(String::from_utf8_lossy(&old.stderr).contains("deprecated: use `--report json`"));
    assert!(!String::from_utf8_lossy(&new.stderr).contains("deprecated"));
    let clash = kqlport()
        .args([
            "convert",
            "--to",
            "spl",
            "--format",
            "json",
            "--report",
            "text",
            "rules/seeds/tor_hunting.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(clash.status.code(), Some(2));
}

#[test]
fn list_targets_and_formats() {
    let out = kqlport().args(["list", "targets"]).output().unwrap();
    assert!(out.status.success());
    let names: Vec<String> = stdout(&out)
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    assert_eq!(names, ["spl", "esql", "eql", "sigma"]);
    let out = kqlport()
        .args(["list", "formats", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["query", "splunk", "elastic", "sigma"]);
    // `--format query` writes each target's own extension, as its backend states it.
    assert_eq!(
        v[0]["extensions"],
        serde_json::json!(["spl", "esql", "eql", "yml"])
    );
    assert_eq!(v[2]["targets"], serde_json::json!(["esql", "eql"]));
    assert_eq!(
        v[2]["extensions"],
        serde_json::json!(["esql.ndjson", "eql.ndjson"])
    );
}

#[test]
fn two_rules_under_one_identity_are_reported() {
    let dir = temp_dir("identity");
    let rule = |name: &str, id: &str| {
        format!(
            "id: {id}\nname: {name}\nseverity: Low\nqueryFrequency: 1h\nqueryPeriod: 1h\n\
             query: |\n  SecurityEvent | where EventID == 4625\n"
        )
    };
    std::fs::write(
        dir.join("a.yaml"),
        rule("Same name", "11111111-1111-1111-1111-111111111111"),
    )
    .unwrap();
    std::fs::write(
        dir.join("b.yaml"),
        rule("Same name", "11111111-1111-1111-1111-111111111111"),
    )
    .unwrap();
    std::fs::write(
        dir.join("c.yaml"),
        rule("Other name", "22222222-2222-2222-2222-222222222222"),
    )
    .unwrap();
    for (format, target, what) in [
        ("splunk", "spl", "stanza `Same name`"),
        ("elastic", "esql", "rule_id `"),
    ] {
        let out = kqlport()
            .args(["convert", "--to", target, "--format", format])
            .arg(&dir)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning: ")).collect();
        assert_eq!(warnings.len(), 1, "{err}");
        assert!(warnings[0].contains("b.yaml is written as"), "{err}");
        assert!(warnings[0].contains(what), "{err}");
        assert!(
            warnings[0].contains("a.yaml is: deployed together"),
            "{err}"
        );
        // Both are still written: the warning is for whoever deploys them together.
        assert_eq!(out.status.code(), Some(0));
    }
}
