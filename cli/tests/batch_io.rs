//! The CLI's file handling under hostile or unlucky input: output names that collide, outputs
//! that would replace inputs, symbolic links, FIFOs and devices, oversized inputs, failed
//! writes, temporary files, file modes, and text from the input that reaches the terminal.
#![cfg(unix)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn kqlport() -> Command {
    let mut c = Command::cargo_bin("kqlport").unwrap();
    // A FIFO or device must be refused, never waited on: a hang fails the test.
    c.timeout(Duration::from_secs(60));
    c
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kqlport-io-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn json_rows(out: &std::process::Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// `converted N queries … X exact, A approximate, D declined, E failed` → (N, X, A, D, E).
fn summary(stderr: &str) -> (usize, usize, usize, usize, usize) {
    let line = stderr.trim_end().lines().last().unwrap_or("");
    assert!(line.starts_with("converted "), "{stderr}");
    let nums: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let n = nums.len();
    let s = (nums[0], nums[n - 4], nums[n - 3], nums[n - 2], nums[n - 1]);
    assert_eq!(s.0, s.1 + s.2 + s.3 + s.4, "{line}");
    s
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    v.sort();
    v
}

/// Finding 3: `r.kql`, `r.yaml` and `r.csl` in one folder, and `x.md` query 0 next to
/// `x-0.kql`, used to share one output file; now each keeps its input extension in its name.
#[test]
fn colliding_output_names_keep_every_translation() {
    let dir = temp_dir("collide");
    let input = dir.join("in");
    write(&input.join("r.kql"), "T | where A == 1");
    write(&input.join("r.csl"), "T | where B == 2");
    write(
        &input.join("r.yaml"),
        "name: r\nquery: |\n  T | where C == 3\n",
    );
    write(&input.join("x-0.kql"), "T | where D == 4");
    write(&input.join("solo.kql"), "T | where E == 5");
    let md = dir.join("x.md");
    write(
        &md,
        "```kql\nT | where F == 6\n```\n\n```kql\nT | where G == 7\n```\n",
    );
    let out_dir = dir.join("out");
    let out = kqlport()
        .args(["convert", "--pipeline", "none", "--to", "spl", "-o"])
        .arg(&out_dir)
        .arg(&input)
        .arg(&md)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(summary(&stderr_of(&out)), (7, 7, 0, 0, 0));
    assert_eq!(
        files_under(&out_dir),
        [
            "r.csl.spl",
            "r.kql.spl",
            "r.yaml.spl",
            "solo.spl",
            "x-0.kql.spl",
            "x.md-0.spl",
            "x.md-1.spl"
        ]
    );
    for (file, column) in [
        ("r.kql.spl", "A"),
        ("r.csl.spl", "B"),
        ("r.yaml.spl", "C"),
        ("x-0.kql.spl", "D"),
        ("x.md-0.spl", "F"),
        ("x.md-1.spl", "G"),
    ] {
        let text = std::fs::read_to_string(out_dir.join(file)).unwrap();
        assert!(text.contains(&format!("{column}=")), "{file}: {text}");
    }
}

/// Finding 3: the same relative name under two PATH arguments — the first gets the file, the
/// second is a reported failure (and its translation is still in the JSON report).
#[test]
fn the_same_name_under_two_paths_is_a_reported_failure() {
    let dir = temp_dir("two-roots");
    write(&dir.join("a/x.kql"), "T | where A == 1");
    write(&dir.join("b/x.kql"), "T | where B == 2");
    let out_dir = dir.join("out");
    let out = kqlport()
        .args([
            "convert",
            "--pipeline",
            "none",
            "--to",
            "spl,esql",
            "--format",
            "json",
            "-o",
        ])
        .arg(&out_dir)
        .arg(dir.join("a"))
        .arg(dir.join("b"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(summary(&stderr_of(&out)), (4, 2, 0, 0, 2));
    let rows = json_rows(&out);
    assert_eq!(rows.len(), 4);
    for r in &rows[..2] {
        assert_eq!(r["status"], "exact", "{r}");
        assert!(
            r["written"].as_str().unwrap().ends_with("/out/x.kql.spl")
                || r["written"].as_str().unwrap().ends_with("/out/x.kql.esql"),
            "{r}"
        );
    }
    for r in &rows[2..] {
        assert_eq!(r["status"], "error", "{r}");
        assert!(r["written"].is_null(), "{r}");
        assert!(r["output"].as_str().unwrap().contains("B"), "{r}");
        let note = &r["notes"][0];
        assert_eq!(note["code"], "I014", "{r}");
        assert!(note["message"].as_str().unwrap().contains("a/x.kql"), "{r}");
    }
    assert_eq!(files_under(&out_dir), ["x.kql.esql", "x.kql.spl"]);
    assert!(std::fs::read_to_string(out_dir.join("x.kql.spl"))
        .unwrap()
        .contains("A="));
}

/// Finding 3: `-o` pointing at the input directory itself never replaces an input.
#[test]
fn output_into_the_input_directory_never_replaces_an_input() {
    let dir = temp_dir("into-input");
    let rule = "name: r\nquery: |\n  T | where A == 1\n";
    let other = "name: s\nquery: |\n  T | where B == 2\n";
    write(&dir.join("r.yaml"), rule);
    write(&dir.join("r.yml"), other);
    let out = kqlport()
        .args(["convert", "--to", "sigma,spl", "-o"])
        .arg(&dir)
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(std::fs::read_to_string(dir.join("r.yaml")).unwrap(), rule);
    assert_eq!(std::fs::read_to_string(dir.join("r.yml")).unwrap(), other);
    assert_eq!(
        files_under(&dir),
        [
            "r.yaml",
            "r.yaml.spl",
            "r.yaml.yml",
            "r.yml",
            "r.yml.spl",
            "r.yml.yml"
        ]
    );
    // an explicitly named input with the target's extension, converted next to itself
    let q = dir.join("q.spl");
    write(&q, "T | where C == 3");
    let out = kqlport()
        .args(["convert", "--to", "spl", "-o"])
        .arg(&dir)
        .arg(&q)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(std::fs::read_to_string(&q).unwrap(), "T | where C == 3");
    assert!(dir.join("q.spl.spl").exists());
}

/// Finding 4: symbolic links in a walked directory are followed (to files and directories);
/// dangling links and loops are reported and counted.
#[test]
fn symlinks_are_followed_or_reported() {
    let dir = temp_dir("links");
    let target = dir.join("elsewhere");
    write(&target.join("shared.kql"), "T | where A == 1");
    write(&target.join("sub/deep.kql"), "T | where B == 2");
    let input = dir.join("in");
    write(&input.join("own.kql"), "T | where C == 3");
    std::os::unix::fs::symlink(target.join("shared.kql"), input.join("link.kql")).unwrap();
    std::os::unix::fs::symlink(target.join("sub"), input.join("linkdir")).unwrap();
    std::os::unix::fs::symlink(dir.join("nowhere.kql"), input.join("dangling.kql")).unwrap();
    std::os::unix::fs::symlink(&input, input.join("loop")).unwrap();
    std::os::unix::fs::symlink("self.kql", input.join("self.kql")).unwrap();
    let out = kqlport()
        .args([
            "convert",
            "--pipeline",
            "none",
            "--to",
            "spl",
            "--format",
            "json",
        ])
        .arg(&input)
        .output()
        .unwrap();
    let rows = json_rows(&out);
    let status = |suffix: &str| {
        rows.iter()
            .find(|r| r["file"].as_str().unwrap().ends_with(suffix))
            .unwrap_or_else(|| panic!("{suffix} is not in the report: {rows:?}"))
            .clone()
    };
    assert_eq!(status("in/own.kql")["status"], "exact");
    assert_eq!(status("in/link.kql")["status"], "exact");
    assert_eq!(status("in/linkdir/deep.kql")["status"], "exact");
    for (name, words) in [
        ("in/dangling.kql", "dangling symbolic link"),
        ("in/loop", "symbolic link loop"),
        ("in/self.kql", "symbolic link loop"),
    ] {
        let r = status(name);
        assert_eq!(r["status"], "error", "{r}");
        assert!(
            r["notes"][0]["message"].as_str().unwrap().contains(words),
            "{r}"
        );
    }
    assert_eq!(rows.len(), 6, "{rows:?}");
    assert_eq!(summary(&stderr_of(&out)), (6, 3, 0, 0, 3));
    assert_eq!(out.status.code(), Some(1));
}

/// Finding 5: a FIFO, a device and an oversized file are refused with a located error; none
/// is read (a FIFO used to block forever, /dev/zero to grow without bound).
#[test]
fn non_regular_and_oversized_inputs_are_refused() {
    let dir = temp_dir("bounds");
    let fifo = dir.join("walked/pipe.kql");
    std::fs::create_dir_all(fifo.parent().unwrap()).unwrap();
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let big = dir.join("big.kql");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(16 * 1024 * 1024 + 1).unwrap();
    let limit = dir.join("limit.kql");
    let mut at_limit = "T | take 1 //".to_string();
    at_limit.push_str(&"x".repeat(16 * 1024 * 1024 - at_limit.len()));
    std::fs::write(&limit, at_limit).unwrap();
    let out = kqlport()
        .arg("check")
        .arg(dir.join("walked"))
        .arg(&fifo)
        .arg("/dev/zero")
        .arg(&big)
        .arg(&limit)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("error[I011]: not a regular file (a named pipe (FIFO))"),
        "{text}"
    );
    assert!(
        text.contains(&format!("--> {}:1:1", fifo.display())),
        "{text}"
    );
    assert!(
        text.contains("error[I011]: not a regular file (a character device)"),
        "{text}"
    );
    assert!(text.contains("--> /dev/zero:1:1"), "{text}");
    assert!(
        text.contains("error[I012]: input is larger than the 16 MiB limit (16777217 bytes)"),
        "{text}"
    );
    assert!(
        text.ends_with("checked 4 queries in 4 files: 1 valid, 3 failed\n"),
        "{text}"
    );
    // standard input is bounded the same way
    let out = kqlport()
        .args(["check", "-"])
        .write_stdin(vec![b' '; 16 * 1024 * 1024 + 10])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("error[I012]: input is larger than the 16 MiB limit"),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1));
}

/// Finding 6: a write that fails is one failure, not an exact translation and a failure.
#[test]
fn a_failed_write_counts_once_as_failed() {
    let dir = temp_dir("write-fail");
    write(&dir.join("in/x.kql"), "T | where A == 1");
    // a directory where the output file should go: the rename into place fails
    std::fs::create_dir_all(dir.join("out/x.spl/blocker")).unwrap();
    let out = kqlport()
        .args([
            "convert",
            "--pipeline",
            "none",
            "--to",
            "spl,esql",
            "--format",
            "json",
            "-o",
        ])
        .arg(dir.join("out"))
        .arg(dir.join("in"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(summary(&stderr_of(&out)), (2, 1, 0, 0, 1));
    let rows = json_rows(&out);
    assert_eq!(rows[0]["status"], "error", "{:?}", rows);
    assert_eq!(rows[0]["notes"][0]["code"], "I013");
    assert!(rows[0]["written"].is_null());
    assert_eq!(rows[1]["status"], "exact");
    // no temporary file is left behind by the failed write
    assert_eq!(files_under(&dir.join("out")), ["x.esql"]);
    assert!(dir.join("out/x.spl/blocker").is_dir());
}

/// Finding 6: outputs get the usual mode of a new file (0666 less the umask), not 0600; a
/// temporary file a killed run left behind is recognisable and removed by the next run.
#[test]
fn outputs_honour_the_umask_and_stale_temporary_files_are_removed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("mode");
    write(&dir.join("in/x.kql"), "T | where A == 1");
    let out_dir = dir.join("out");
    write(&out_dir.join(".kqlport-tmp-Ab12Cd"), "half a rule");
    write(&out_dir.join(".tmp-not-ours"), "someone else's");
    let bin = assert_cmd::cargo::cargo_bin("kqlport");
    for (umask, mode) in [("022", 0o644), ("027", 0o640), ("002", 0o664)] {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "umask {umask} && exec \"$0\" convert --to spl -o \"$1\" \"$2\""
            ))
            .arg(&bin)
            .arg(&out_dir)
            .arg(dir.join("in"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        let m = std::fs::metadata(out_dir.join("x.spl"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(m & 0o777, mode, "umask {umask}");
        if umask == "022" {
            assert!(
                stderr_of(&out).contains(
                    ".kqlport-tmp-Ab12Cd, a temporary file left by an interrupted kqlport run"
                ),
                "{}",
                stderr_of(&out)
            );
        }
    }
    assert_eq!(files_under(&out_dir), [".tmp-not-ours", "x.spl"]);
}

/// Finding 7: terminal escape sequences from the input are shown escaped in text diagnostics
/// (and kept exact, JSON-escaped, in the JSON report); a diagnostic shared by every target is
/// printed once, not once per target (finding 9).
#[test]
fn input_text_cannot_drive_the_terminal_and_is_not_repeated_per_target() {
    let dir = temp_dir("escape");
    let name = dir.join("evil\u{1b}]0;title\u{7}.kql");
    write(
        &name,
        "T\n| where x == \"\u{1b}[2J\u{1b}[31mred\u{202e}\" | wher y",
    );
    let out = kqlport()
        .args(["convert", "--to", "spl,esql,eql,sigma"])
        .arg(&name)
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}') && !stderr.contains('\u{202e}'),
        "{stderr:?}"
    );
    assert!(
        stderr.contains("evil\\u{1b}]0;title\\u{7}.kql:2:32"),
        "{stderr}"
    );
    assert!(
        stderr.contains("| where x == \"\\u{1b}[2J\\u{1b}[31mred\\u{202e}\" | wher y"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("| wher y").count(),
        1,
        "printed once: {stderr}"
    );
    assert_eq!(summary(&stderr), (4, 0, 0, 0, 4));
    let out = kqlport()
        .args(["convert", "--to", "spl", "--format", "json"])
        .arg(&name)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{202e}'),
        "{stdout:?}"
    );
    let rows = json_rows(&out);
    assert_eq!(rows[0]["file"], name.to_string_lossy().as_ref());
}

/// Finding 9: the Sigma `id` of a bare query file does not depend on how its path is spelled.
#[test]
fn sigma_id_is_the_same_however_the_path_is_spelled() {
    let dir = temp_dir("sigma-id");
    write(&dir.join("a.kql"), "SecurityEvent | where EventID == 4625");
    let absolute = dir.join("a.kql").to_string_lossy().into_owned();
    let id_of = |arg: &str| {
        let out = kqlport()
            .current_dir(&dir)
            .args(["convert", "--to", "sigma", arg])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        let text = String::from_utf8(out.stdout).unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("id: "))
            .unwrap_or_else(|| panic!("no id: {text}"))
            .to_string()
    };
    let id = id_of("a.kql");
    assert_eq!(id_of("./a.kql"), id);
    assert_eq!(id_of(&absolute), id);
    assert_eq!(
        id_of(&format!(
            "{}/../{}/a.kql",
            dir.display(),
            dir.file_name().unwrap().to_string_lossy()
        )),
        id
    );
}

/// The behaviour defined here is documented where users look.
#[test]
fn help_documents_the_input_bounds_and_output_naming() {
    let out = kqlport().arg("--help").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("16 MiB") && text.contains("symbolic links"),
        "{text}"
    );
    let out = kqlport().args(["convert", "--help"]).output().unwrap();
    // help is wrapped to the terminal width
    let text = String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for words in ["keep their extension", ".kqlport-tmp-", "umask", "I014"] {
        assert!(text.contains(words), "{words}: {text}");
    }
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    assert!(readme.contains("at most **16 MiB**"));
}

/// Finding 6: a run killed while writing leaves at most recognisable `.kqlport-tmp-*` files
/// (never a half-written rule under its real name), and the next run removes them.
#[test]
fn a_killed_run_leaves_only_recognisable_temporary_files() {
    let dir = temp_dir("killed");
    for i in 0..400 {
        write(
            &dir.join(format!("in/r{i:03}.kql")),
            &format!("SecurityEvent | where EventID == {i}"),
        );
    }
    let out_dir = dir.join("out");
    let bin = assert_cmd::cargo::cargo_bin("kqlport");
    for delay_ms in [5, 40, 150] {
        let mut child = std::process::Command::new(&bin)
            .args(["convert", "--to", "spl,esql,eql,sigma", "-o"])
            .arg(&out_dir)
            .arg(dir.join("in"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        for f in files_under(&out_dir) {
            let hidden = f.starts_with('.');
            assert!(
                !hidden || f.starts_with(".kqlport-tmp-"),
                "unrecognisable leftover {f}"
            );
            if !hidden {
                let text = std::fs::read_to_string(out_dir.join(&f)).unwrap();
                assert!(
                    text.ends_with('\n') && text.len() > 20,
                    "{f} is partial: {text:?}"
                );
            }
        }
    }
    let out = kqlport()
        .args(["convert", "--to", "spl,esql,eql,sigma", "-o"])
        .arg(&out_dir)
        .arg(dir.join("in"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let left = files_under(&out_dir);
    assert_eq!(left.len(), 1600, "one file per translation, nothing else");
    assert!(left.iter().all(|f| !f.starts_with('.')), "{left:?}");
}

/// A target named twice is translated once.
#[test]
fn a_repeated_target_is_translated_once() {
    let dir = temp_dir("twice");
    write(&dir.join("x.kql"), "T | where A == 1");
    let out = kqlport()
        .args([
            "convert",
            "--pipeline",
            "none",
            "--to",
            "spl,esql,spl",
            "-o",
        ])
        .arg(dir.join("out"))
        .arg(dir.join("x.kql"))
        .output()
        .unwrap();
    assert_eq!(summary(&stderr_of(&out)), (2, 2, 0, 0, 0));
}
