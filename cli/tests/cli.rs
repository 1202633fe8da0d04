//! End-to-end tests of the `kqlport` binary: exit codes, the summary line, batch behaviour,
//! JSON output, standard input, and the whole public corpus.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn kqlport() -> Command {
    Command::cargo_bin("kqlport").unwrap()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn run_stdin(args: &[&str], input: &str) -> std::process::Output {
    kqlport().args(args).write_stdin(input).output().unwrap()
}

fn last_line(s: &str) -> &str {
    s.trim_end_matches('\n').lines().last().unwrap_or("")
}

/// Parses `checked N queries in F files: V valid, E failed` strictly.
fn summary(line: &str) -> (usize, usize, usize, usize) {
    let nums: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(nums.len(), 4, "{line}");
    let (n, f, p, e) = (nums[0], nums[1], nums[2], nums[3]);
    assert_eq!(
        line,
        format!("checked {n} queries in {f} files: {p} valid, {e} failed")
    );
    assert_eq!(n, p + e, "{line}");
    (n, f, p, e)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kqlport-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn check_sample_rules_all_parse() {
    let out = kqlport()
        .arg("check")
        .arg(repo().join("rules"))
        .output()
        .unwrap();
    let text = stdout_of(&out);
    let (n, f, p, e) = summary(last_line(&text));
    assert_eq!(e, 0, "{text}");
    assert!(f >= 22 && n == p && n >= f, "{text}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn one_bad_file_neither_stops_nor_hides_the_others() {
    let dir = temp_dir("batch");
    std::fs::write(
        dir.join("a_good.kql"),
        "SecurityEvent | where EventID == 4625",
    )
    .unwrap();
    std::fs::write(
        dir.join("b_bad.kql"),
        "SecurityEvent\n| wher EventID == 4625",
    )
    .unwrap();
    std::fs::write(dir.join("c_bad.yaml"), "name: x\nquery: [unclosed\n").unwrap();
    std::fs::write(dir.join("d_good.yaml"), "name: x\nquery: |\n  T | take 1\n").unwrap();
    std::fs::write(dir.join("ignored.txt"), "not walked").unwrap();
    let out = kqlport().arg("check").arg(&dir).output().unwrap();
    let text = stdout_of(&out);
    assert_eq!(summary(last_line(&text)), (4, 4, 2, 2), "{text}");
    assert!(text.contains("b_bad.kql:2:3"), "{text}");
    assert!(text.contains("c_bad.yaml:"), "{text}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn missing_path_is_reported_and_counted() {
    let dir = temp_dir("missing");
    std::fs::write(dir.join("ok.kql"), "T | take 1").unwrap();
    let out = kqlport()
        .arg("check")
        .arg(dir.join("nope.kql"))
        .arg(dir.join("ok.kql"))
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert!(
        text.contains("nope.kql: no such file or directory"),
        "{text}"
    );
    assert_eq!(summary(last_line(&text)), (2, 2, 1, 1));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn usage_errors_exit_2() {
    kqlport().arg("check").assert().code(2);
    kqlport().arg("frobnicate").assert().code(2);
    kqlport()
        .args(["check", "--format", "xml", "x"])
        .assert()
        .code(2);
    kqlport().args(["explain", "x.kql"]).assert().code(2);
}

#[test]
fn help_explains_each_verb() {
    let out = kqlport().arg("--help").output().unwrap();
    let text = stdout_of(&out);
    for verb in ["check", "explain"] {
        assert!(text.contains(verb), "{text}");
    }
    let out = kqlport().args(["check", "--help"]).output().unwrap();
    assert!(stdout_of(&out).contains("checked N queries in F files"));
}

#[test]
fn stdin_is_read_with_dash() {
    let out = kqlport()
        .args(["check", "-"])
        .write_stdin("SigninLogs\n| where ResultType == 0 and\n")
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert!(text.contains("<stdin>:"), "{text}");
    assert_eq!(summary(last_line(&text)), (1, 1, 0, 1));
    // a YAML rule on stdin is recognised as such
    let out = kqlport()
        .args(["check", "-"])
        .write_stdin("id: x\nname: y\nquery: |\n  SigninLogs | take 3\n")
        .output()
        .unwrap();
    assert_eq!(summary(last_line(&stdout_of(&out))), (1, 1, 1, 0));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn json_format_one_object_per_query() {
    let dir = temp_dir("json");
    std::fs::write(dir.join("a.kql"), "T | where x == 1").unwrap();
    std::fs::write(
        dir.join("b.yaml"),
        "name: b\nquery: |\n  T\n  | where x ==\n",
    )
    .unwrap();
    let out = kqlport()
        .args(["check", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    let text = stdout_of(&out);
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert_eq!(rows[0]["ok"], true);
    assert_eq!(rows[0]["index"], 0);
    assert!(rows[0]["error"].is_null());
    assert_eq!(rows[1]["ok"], false);
    let err = &rows[1]["error"];
    // the error is located in the YAML file, not in the query text
    assert_eq!(err["line"], 4, "{err}");
    assert!(err["message"].as_str().unwrap().len() > 5);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        last_line(&stderr),
        "checked 2 queries in 2 files: 1 valid, 1 failed"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn check_reports_a_column_that_no_longer_exists() {
    // Issue 15: after `summarize … by UPN`, `['Caller ID']` is no column; Kusto rejects it.
    let q = "AzureActivity\n| summarize count() by UPN = Caller\n| summarize dcount(UPN) by ['Caller ID']\n";
    let out = run_stdin(&["check", "-"], q);
    let text = stdout_of(&out);
    assert!(
        text.contains("error[L060]: `Caller ID` is not a column at this point of the query"),
        "{text}"
    );
    assert!(text.contains(":3:28"), "{text}");
    assert!(
        text.ends_with("checked 1 queries in 1 files: 0 valid, 1 failed\n"),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1));
    // JSON: every error, and a name only kqlport's (lagging) schema lacks as a warning.
    let q = "SigninLogs | where _ItemId != '' | project UserPrincipalName | where Nope == 1 or Nada == 2";
    let out = run_stdin(&["check", "--format", "json", "-"], q);
    let row: serde_json::Value = serde_json::from_str(stdout_of(&out).trim()).unwrap();
    assert_eq!(row["ok"], false);
    let errors: Vec<&str> = row["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(errors, ["L060", "L060"], "{row}");
    assert_eq!(row["error"]["column"], 70, "{row}");
    let out = run_stdin(
        &["check", "--format", "json", "-"],
        "SigninLogs | where _ItemId != ''",
    );
    let row: serde_json::Value = serde_json::from_str(stdout_of(&out).trim()).unwrap();
    assert_eq!(row["ok"], true, "{row}");
    assert_eq!(row["warnings"][0]["code"], "L061", "{row}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn esql_row_cap_is_a_caveat_once_per_output() {
    // Issue 15: ES|QL never returns more than 10,000 rows; a KQL query without take/top does.
    let out = run_stdin(
        &["convert", "--pipeline", "none", "--to", "esql", "-"],
        "SigninLogs | where AppDisplayName == 'x'\n",
    );
    let text = stdout_of(&out);
    assert!(
        text.starts_with("// kqlport: <stdin> (query 0) -> esql, exact\n// caveat [B200]: ES|QL returns at most 10,000 rows"),
        "{text}"
    );
    assert_eq!(text.matches("caveat").count(), 1, "{text}");
    assert_eq!(out.status.code(), Some(0), "a caveat is not a failure");
    let out = run_stdin(
        &[
            "convert",
            "--pipeline",
            "none",
            "--to",
            "esql,spl",
            "--format",
            "json",
            "-",
        ],
        "SigninLogs | where AppDisplayName == 'x'\n",
    );
    let rows: Vec<serde_json::Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows[0]["target"], "esql");
    assert_eq!(rows[0]["status"], "exact");
    assert_eq!(rows[0]["caveats"][0]["code"], "B200", "{}", rows[0]);
    assert_eq!(
        rows[0]["notes"],
        serde_json::json!([]),
        "not a per-query note"
    );
    assert_eq!(
        rows[1]["caveats"],
        serde_json::json!([]),
        "SPL has no row cap"
    );
    // A take at or under the cap bounds the rows: no caveat, no header.
    let out = run_stdin(
        &["convert", "--pipeline", "none", "--to", "esql", "-"],
        "SigninLogs | where AppDisplayName == 'x' | take 100\n",
    );
    let text = stdout_of(&out);
    assert!(
        !text.contains("caveat") && text.starts_with("FROM SigninLogs"),
        "{text}"
    );
}

#[test]
fn explain_code_prints_the_registered_explanation() {
    for code in ["B030", "b030"] {
        let out = kqlport()
            .args(["explain", "--code", code])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = stdout_of(&out);
        let info = kqlport::codes::lookup("B030").unwrap();
        assert!(
            text.starts_with(&format!("B030: {} (all backends)\n\n", info.summary)),
            "{text}"
        );
        assert!(text.contains("right-only"), "{text}");
    }
    let out = kqlport()
        .args(["explain", "--code", "B061", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["code"].as_str(), v["family"].as_str()),
        (Some("B061"), Some("eql"))
    );
    assert!(v["explanation"].as_str().unwrap().contains("ES|QL"));
}

#[test]
fn explain_code_refuses_an_unknown_code_or_a_file() {
    let out = kqlport()
        .args(["explain", "--code", "B999"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown diagnostic code `B999`") && err.contains("docs/codes.md"),
        "{err}"
    );
    // Input text cannot inject lines into the message.
    let out = kqlport()
        .args(["explain", "--code", "X\n\u{1b}[2J"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains('\u{1b}'), "{err}");
    // --code takes no FILE, and is one of the explain modes.
    kqlport()
        .args(["explain", "--code", "B030", "x.kql"])
        .assert()
        .code(2);
    kqlport()
        .args(["explain", "--code", "B030", "--ir"])
        .assert()
        .code(2);
}

#[test]
fn explain_prints_the_ast() {
    let out = kqlport()
        .args(["explain", "--ast", "-"])
        .write_stdin("SecurityEvent | where EventID == 4625 | take 5")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = stdout_of(&out);
    assert!(
        text.contains("SecurityEvent") && text.contains("4625"),
        "{text}"
    );
    let out = kqlport()
        .args(["explain", "--ast", "--format", "json", "-"])
        .write_stdin("T | take 5")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["index"], 0);
}

#[test]
fn explain_prints_the_ir_with_notes_and_refusals() {
    let out = kqlport()
        .args(["explain", "--ir", "-"])
        .write_stdin("let x = 'a'; T | where F =~ x | summarize count() by K")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = stdout_of(&out);
    assert!(
        text.contains(
            "from T\nfilter (str equals ci any F [\"a\"])\naggregate count_=(count) by K=K\n"
        ),
        "{text}"
    );
    // A lowering note is printed as a located warning.
    let out = kqlport()
        .args(["explain", "--ir", "--format", "json", "-"])
        .write_stdin("T | where todecimal(S) > 1")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v[0]["ir_text"].as_str().unwrap().starts_with("from T\n"),
        "{v}"
    );
    assert!(v[0]["notes"][0].as_str().unwrap().contains("L101"), "{v}");
    // What lowering cannot model is a located refusal and exit 1.
    let out = kqlport()
        .args(["explain", "--ir", "-"])
        .write_stdin("T | extend g = geo_info_from_ip_address(IP)")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout_of(&out).contains("L027"), "{}", stdout_of(&out));
}

#[test]
fn explain_rule_prints_metadata() {
    let seed = repo().join("rules/seeds/tor_proxy_noninteractive_signin.yaml");
    let out = kqlport()
        .args(["explain", "--rule", "--format", "json"])
        .arg(seed)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["severity"], "High");
}

/// `kqlport check` over the whole public corpus reports every file, never crashes, and ends
/// with the summary line.
#[test]
fn check_whole_corpus() {
    let corpus = repo().join("../shared/corpus");
    if !corpus.exists() {
        assert_eq!(
            std::env::var("KQLPORT_SKIP_CORPUS").as_deref(),
            Ok("1"),
            "../shared/corpus is missing (set KQLPORT_SKIP_CORPUS=1 to skip)"
        );
        return;
    }
    let walked = walkdir::WalkDir::new(&corpus)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_type().is_file()
                && e.path()
                    .extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| {
                        ["yaml", "yml", "kql", "csl", "kusto"]
                            .contains(&x.to_ascii_lowercase().as_str())
                    })
        })
        .count();
    let out = kqlport()
        .args(["check", "--format", "json"])
        .arg(&corpus)
        .output()
        .unwrap();
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{:?}",
        out.status
    );
    let stderr = String::from_utf8(out.stderr.clone()).unwrap();
    let (n, f, p, e) = summary(last_line(&stderr));
    assert_eq!(f, walked, "every walked file is reported");
    let text = stdout_of(&out);
    let files: std::collections::BTreeSet<String> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["file"].to_string())
        .collect();
    assert_eq!(
        files.len(),
        walked,
        "every file yields at least one JSON row"
    );
    assert_eq!(text.lines().count(), n);
    eprintln!("corpus: checked {n} queries in {f} files: {p} valid, {e} failed");
}

/// Parses `converted N queries in F files to T: X exact, A approximate, D declined, E failed`.
fn convert_summary(stderr: &str) -> (usize, usize, usize, usize, usize) {
    let line = last_line(stderr);
    assert!(line.starts_with("converted "), "{stderr}");
    let nums: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let n = nums.len();
    let (total, x, a, d, e) = (nums[0], nums[n - 4], nums[n - 3], nums[n - 2], nums[n - 1]);
    assert_eq!(total, x + a + d + e, "{line}");
    (total, x, a, d, e)
}

#[test]
fn convert_one_query_to_stdout() {
    let out = kqlport()
        .args(["convert", "--pipeline", "none", "--to", "esql", "-"])
        .write_stdin("SecurityEvent | where EventID == 4625 | take 5")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout_of(&out),
        "FROM SecurityEvent\n| WHERE EventID == 4625\n| LIMIT 5\n"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(convert_summary(&stderr), (1, 1, 0, 0, 0));
}

#[test]
fn convert_declines_with_location_and_exit_1() {
    let out = kqlport()
        .args(["convert", "--to", "esql", "-"])
        .write_stdin("SecurityEvent\n| join kind=rightouter (SigninLogs) on Account")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("<stdin>:2:3"), "{stderr}");
    assert_eq!(convert_summary(&stderr), (1, 0, 0, 1, 0));
}

#[test]
fn convert_writes_a_mirrored_tree_deterministically() {
    let dir = temp_dir("convert-out");
    let run = |sub: &str| {
        kqlport()
            .args(["convert", "--pipeline", "none", "--to", "spl,sigma", "-o"])
            .arg(dir.join(sub))
            .arg(repo().join("rules"))
            .output()
            .unwrap()
    };
    let first = run("a");
    let second = run("b");
    assert_eq!(first.status.code(), Some(1), "some rules are declined");
    let stderr = String::from_utf8(first.stderr.clone()).unwrap();
    let (total, x, a, d, e) = convert_summary(&stderr);
    assert_eq!(total, 2 * 44, "44 rules x 2 targets");
    assert_eq!(e, 0);
    // one file per translated rule and target, mirroring rules/
    let seed = dir.join("a/seeds/tor_hunting.spl");
    let text = std::fs::read_to_string(&seed).unwrap();
    assert!(
        text.contains("dc(eval(coalesce(DeviceName, \"\")))"),
        "{text}"
    );
    let written = walkdir::WalkDir::new(dir.join("a"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|f| f.file_type().is_file())
        .count();
    assert_eq!(
        written,
        x + a,
        "declined rules write nothing ({d} declined)"
    );
    // byte-identical on a second run
    for f in walkdir::WalkDir::new(dir.join("a"))
        .into_iter()
        .filter_map(Result::ok)
    {
        if f.file_type().is_file() {
            let rel = f.path().strip_prefix(dir.join("a")).unwrap();
            assert_eq!(
                std::fs::read(f.path()).unwrap(),
                std::fs::read(dir.join("b").join(rel)).unwrap(),
                "{}",
                rel.display()
            );
        }
    }
    assert_eq!(stdout_of(&first), stdout_of(&second).replace("/b/", "/a/"));
}

#[test]
fn convert_json_and_strict() {
    let seed = repo().join("rules/seeds/tor_hunting.yaml");
    let out = kqlport()
        .args(["convert", "--to", "spl,esql,eql,sigma", "--format", "json"])
        .arg(&seed)
        .output()
        .unwrap();
    let rows: Vec<serde_json::Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 4);
    let by_target = |t: &str| rows.iter().find(|r| r["target"] == t).unwrap().clone();
    for t in ["spl", "esql"] {
        let r = by_target(t);
        assert_eq!(r["status"], "approximate", "{r}");
        assert!(r["output"].as_str().unwrap().len() > 20);
        let notes = r["notes"].as_array().unwrap();
        assert!(
            notes
                .iter()
                .any(|n| n["effect"] == "values" && n["line"] == 20),
            "{r}"
        );
    }
    for t in ["eql", "sigma"] {
        let r = by_target(t);
        assert_eq!(r["status"], "declined", "{r}");
        assert!(r["output"].is_null());
        assert!(
            !r["notes"].as_array().unwrap().is_empty(),
            "a reason is given: {r}"
        );
    }
    // --strict: approximations fail and emit nothing
    let out = kqlport()
        .args(["convert", "--to", "esql", "--strict"])
        .arg(&seed)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

/// `check --coverage` agrees with `convert --format json` on the same inputs: the same
/// per-target counts, and each declined query's first refusal among the ranked reasons.
#[test]
fn check_coverage_counts_what_convert_reports() {
    let dir = temp_dir("coverage");
    std::fs::write(dir.join("ok.kql"), "T | where a == 'x'\n").unwrap();
    std::fs::write(
        dir.join("sorted.kql"),
        "T | where a == 'x' | sort by b asc | take 3\n",
    )
    .unwrap();
    std::fs::write(dir.join("sample.kql"), "T | sample 3\n").unwrap();
    std::fs::write(dir.join("broken.kql"), "T | wher a == 1\n").unwrap();
    let out = kqlport()
        .args([
            "check",
            "--coverage",
            "--pipeline",
            "none",
            "--to",
            "spl,sigma",
            "--format",
            "json",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&stdout_of(&out)).unwrap();
    let targets: Vec<&str> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, ["spl", "sigma"]);
    let n = |t: usize, k: &str| report[t][k].as_u64().unwrap();
    // SPL: ok and sorted translate, sample is declined, the typo fails.
    assert_eq!(
        (
            n(0, "queries"),
            n(0, "exact"),
            n(0, "declined"),
            n(0, "failed")
        ),
        (4, 2, 1, 1)
    );
    // Sigma: ok translates; the sort feeding take and the sample are declined.
    assert_eq!(
        (n(1, "exact") + n(1, "approximate"), n(1, "declined")),
        (1, 2)
    );
    let reasons = |t: usize| -> Vec<(String, String, u64)> {
        report[t]["first_reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["code"].as_str().unwrap().to_string(),
                    r["construct"].as_str().unwrap().to_string(),
                    r["queries"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(reasons(0), [("L013".into(), "`sample`".into(), 1)]);
    assert_eq!(
        reasons(1).iter().map(|r| r.2).sum::<u64>(),
        2,
        "{:?}",
        reasons(1)
    );

    // The text form: a table, then the ranked reasons per target.
    let out = kqlport()
        .args(["check", "--coverage"])
        .arg(&dir)
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert!(text.starts_with("target"), "{text}");
    assert!(text.contains("L013  `sample`"), "{text}");
    // --to without --coverage is a usage error.
    let out = kqlport()
        .args(["check", "--to", "spl"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
