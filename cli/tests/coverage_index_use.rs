//! `check --coverage`'s index-use report (issue 16): which queries count (a positive field
//! condition in the KQL, read from the IR) and how many translations per target filter in a
//! way the index serves, in the JSON and the text report.

use assert_cmd::Command;
use std::path::PathBuf;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kqlport-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn corpus() -> PathBuf {
    let dir = temp_dir("index-use");
    let files = [
        // Counted: positive field tests.
        (
            "eq_ci.kql",
            "DeviceProcessEvents | where FileName =~ 'tor.exe'\n",
        ),
        (
            "ends.kql",
            "DeviceProcessEvents | where FileName endswith '.exe'\n",
        ),
        (
            "after_project.kql",
            "DeviceProcessEvents | project FileName, DeviceName | where DeviceName == 'pc1'\n",
        ),
        (
            "or_both.kql",
            "DeviceProcessEvents | where FileName == 'a' or DeviceName startswith 'b'\n",
        ),
        // Counted, but the ES|QL filter follows a SORT, which nothing moves a filter past.
        (
            "after_sort.kql",
            "DeviceProcessEvents | sort by DeviceName asc | where FileName == 'a'\n",
        ),
        // Not counted: only negations, only the time window, a computed column, a test after
        // summarize, an `or` with a branch that is no positive field test.
        (
            "negated.kql",
            "DeviceProcessEvents | where FileName !has 'x'\n",
        ),
        (
            "window.kql",
            "DeviceProcessEvents | where TimeGenerated > ago(1d)\n",
        ),
        (
            "computed.kql",
            "DeviceProcessEvents | extend Z = tolower(FileName) | where Z endswith '.exe'\n",
        ),
        (
            "after_summarize.kql",
            "DeviceProcessEvents | summarize n = count() by FileName | where FileName == 'a'\n",
        ),
        (
            "or_mixed.kql",
            "DeviceProcessEvents | where FileName == 'a' or isempty(DeviceName)\n",
        ),
        // Not translated: not counted either.
        ("expand.kql", "DeviceProcessEvents | mv-expand FileName\n"),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir
}

#[test]
fn index_use_counts_positive_field_queries_per_target() {
    let dir = corpus();
    let out = Command::cargo_bin("kqlport")
        .unwrap()
        .args([
            "check",
            "--coverage",
            "--to",
            "spl,esql,eql,sigma",
            "--format",
            "json",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report: serde_json::Value =
        serde_json::from_str(&String::from_utf8(out.stdout).unwrap()).unwrap();
    let by_target = |t: &str| {
        report
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["target"] == t)
            .unwrap()
            .clone()
    };
    let esql = by_target("esql");
    let u = &esql["index_use"];
    assert_eq!(u["eligible"], 5, "{esql}");
    // All but the filter after SORT lead with a pushed-down field test.
    assert_eq!(u["index_usable"], 4, "{esql}");
    assert_eq!(u["first_where_pushable"], 4, "{esql}");
    // SPL and EQL: the same queries counted (whatever their translations filter on).
    for t in ["spl", "eql"] {
        let r = by_target(t);
        let eligible = r["index_use"]["eligible"].as_u64().unwrap();
        let usable = r["index_use"]["index_usable"].as_u64().unwrap();
        let translated = r["exact"].as_u64().unwrap() + r["approximate"].as_u64().unwrap();
        assert!(
            eligible <= 5 && usable <= eligible && eligible <= translated,
            "{r}"
        );
        assert!(r["index_use"].get("first_where_pushable").is_none(), "{r}");
    }
    assert_eq!(by_target("spl")["index_use"]["eligible"], 5);
    // Sigma has no such report.
    assert!(by_target("sigma").get("index_use").is_none());

    let out = Command::cargo_bin("kqlport")
        .unwrap()
        .args(["check", "--coverage", "--to", "esql,sigma"])
        .arg(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("esql       4 of     5 ( 80.0%)  a field test pushed down to Lucene in the leading WHERE; first WHERE pushable: 4 (80.0%)"),
        "{text}"
    );
    // No index-use line for Sigma (its table row starts at the margin).
    assert!(!text.contains("\n  sigma "), "{text}");
}
