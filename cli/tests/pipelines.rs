//! The CLI's field-mapping pipelines: `--pipeline NAME`, `-p FILE` (located errors, exit 2),
//! `list pipelines`, `explain --ir --pipeline` and the unmapped section of `check --coverage`.

use assert_cmd::Command;

fn kqlport() -> Command {
    Command::cargo_bin("kqlport").unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

const QUERY: &str = "DeviceProcessEvents\n| where FileName =~ \"cmd.exe\" and IsProcessRemoteSession == true\n| project DeviceName\n";

#[test]
fn list_pipelines_names_every_builtin() {
    let out = kqlport().args(["list", "pipelines"]).output().unwrap();
    assert!(out.status.success());
    let s = text(&out.stdout);
    for name in ["none", "ecs", "cim", "sigma"] {
        assert!(
            s.lines().any(|l| l.starts_with(&format!("{name} "))),
            "{name}: {s}"
        );
    }
    let out = kqlport()
        .args(["list", "pipelines", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ecs = v
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "ecs")
        .unwrap();
    assert!(ecs["tables"].as_array().unwrap().len() >= 17);
}

#[test]
fn convert_uses_the_pipelines_names_and_notes_what_it_cannot_map() {
    let out = kqlport()
        .args(["convert", "--to", "esql", "--pipeline", "ecs", "-"])
        .write_stdin(QUERY)
        .output()
        .unwrap();
    let s = text(&out.stdout);
    assert!(s.contains("FROM logs-m365_defender.event-*"), "{s}");
    assert!(s.contains("TO_LOWER(process.name) == \"cmd.exe\""), "{s}");
    assert!(s.contains("KEEP host.name"), "{s}");
    let e = text(&out.stderr);
    assert!(
        e.contains("no field for `DeviceProcessEvents.IsProcessRemoteSession`"),
        "{e}"
    );
    assert!(e.contains("<stdin>:2:35"), "the note is located: {e}");
}

#[test]
fn an_unknown_pipeline_is_a_usage_error() {
    let out = kqlport()
        .args(["convert", "--to", "spl", "--pipeline", "nope", "-"])
        .write_stdin(QUERY)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown pipeline `nope`"));
}

#[test]
fn a_bad_pipeline_file_is_reported_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.yaml");
    std::fs::write(
        &file,
        "tables:\n  DeviceProcessEvents:\n    fields:\n      FileName: a\n      FolderPath: a\n  NoTable: {}\n",
    )
    .unwrap();
    let out = kqlport()
        .args(["convert", "--to", "spl", "-p"])
        .arg(&file)
        .arg("-")
        .write_stdin(QUERY)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = text(&out.stderr);
    assert!(e.contains("error[Y012]"), "{e}");
    assert!(e.contains("mine.yaml:5:7"), "{e}");
    assert!(e.contains("error[Y011]"), "{e}");
    assert!(e.contains("mine.yaml:6:3"), "{e}");
    assert!(out.stdout.is_empty(), "nothing is translated");
}

#[test]
fn a_pipeline_file_overrides_the_builtin() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("edr.yaml");
    std::fs::write(
        &file,
        "tables:\n  DeviceProcessEvents:\n    splunk: {index: edr, sourcetype: \"edr:process\"}\n    fields:\n      FileName: exe\n",
    )
    .unwrap();
    let out = kqlport()
        .args(["convert", "--to", "spl", "--pipeline", "cim", "-p"])
        .arg(&file)
        .arg("-")
        .write_stdin(QUERY)
        .output()
        .unwrap();
    let s = text(&out.stdout);
    assert!(
        s.contains("search index=\"edr\" sourcetype=\"edr:process\""),
        "{s}"
    );
    assert!(s.contains("exe=\"cmd.exe\""), "{s}");
    assert!(
        s.contains("dest"),
        "the built-in's DeviceName rule stays: {s}"
    );
}

#[test]
fn explain_ir_shows_the_mapped_ir() {
    let out = kqlport()
        .args(["explain", "--ir", "--pipeline", "sigma", "-"])
        .write_stdin(QUERY)
        .output()
        .unwrap();
    let s = text(&out.stdout);
    assert!(
        s.contains("from DeviceProcessEvents [pipeline sigma: sigma product=windows category=process_creation]"),
        "{s}"
    );
    assert!(
        s.contains(r#"(str endswith ci any Image ["\\cmd.exe"])"#),
        "{s}"
    );
    assert!(s.contains("project Computer"), "{s}");
}

#[test]
fn coverage_ranks_what_the_pipeline_does_not_map() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.kql"), QUERY).unwrap();
    std::fs::write(
        dir.path().join("b.kql"),
        "DeviceProcessEvents | where IsProcessRemoteSession == true",
    )
    .unwrap();
    std::fs::write(dir.path().join("c.kql"), "Anomalies | take 1").unwrap();
    let out = kqlport()
        .args(["check", "--coverage", "--to", "esql", "--pipeline", "ecs"])
        .arg(dir.path())
        .output()
        .unwrap();
    let s = text(&out.stdout);
    assert!(
        s.contains("esql: pipeline `ecs` does not map 1 tables and 1 columns used"),
        "{s}"
    );
    assert!(
        s.contains("      2  column DeviceProcessEvents.IsProcessRemoteSession"),
        "{s}"
    );
    assert!(s.contains("      1  table  Anomalies"), "{s}");
    let out = kqlport()
        .args([
            "check",
            "--coverage",
            "--to",
            "esql",
            "--pipeline",
            "ecs",
            "--format",
            "json",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["unmapped"]["pipeline"], "ecs");
    assert_eq!(v[0]["unmapped"]["columns"][0]["queries"], 2);
}

/// The SPL prefilter types a mapped column by its Sentinel column: `EventID` (int) is CIM's
/// `EventCode`, still an integer column, so it gets its indexed term.
#[test]
fn spl_prefilters_type_mapped_columns_by_their_sentinel_column() {
    let out = kqlport()
        .args(["convert", "--to", "spl", "--pipeline", "cim", "-"])
        .write_stdin("SecurityEvent | where EventID == 4625 | project Account\n")
        .output()
        .unwrap();
    let s = text(&out.stdout);
    let search = s.lines().find(|l| l.starts_with("search ")).unwrap();
    assert!(search.contains("EventCode=\"4625\""), "{s}");
    assert!(s.contains("| where EventCode==4625"), "{s}");
}
