//! No text from the input can inject lines, keys or commands into any output (issue 9,
//! finding 2): regression tests for the attacks that worked, then property tests that put
//! arbitrary strings (all of Unicode, controls, every line terminator) in every literal, column
//! name, rule metadata field and file name, and read each output back with a test-side lexer
//! per target (`target_syntax`): one rule, the expected keys only, every comment still a
//! comment, the value intact.

mod target_syntax;

use assert_cmd::Command;
use kqlport::backend::{Backend, Fidelity, RuleContext};
use kqlport::{kql, lower};
use proptest::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use target_syntax::{lex_eql, lex_esql, lex_spl, spl_strings, yaml_unsafe_raw, Tok};

// ------------------------------------------------------------------ harness

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Spl,
    Esql,
    Eql,
    Sigma,
}

const TARGETS: [Target; 4] = [Target::Spl, Target::Esql, Target::Eql, Target::Sigma];

impl Target {
    fn backend(self) -> &'static dyn Backend {
        match self {
            Target::Spl => &kqlport_spl::Spl,
            Target::Esql => &kqlport_esql::Esql,
            Target::Eql => &kqlport_eql::Eql,
            Target::Sigma => &kqlport_sigma::Sigma,
        }
    }
}

/// What a translation looks like to the target's reader.
#[derive(Debug)]
enum Read {
    Tokens(Vec<Tok>),
    Yaml(Value),
}

/// The top-level keys a kqlport Sigma rule may have.
const SIGMA_KEYS: &[&str] = &[
    "title",
    "id",
    "name",
    "status",
    "description",
    "references",
    "author",
    "tags",
    "logsource",
    "detection",
    "fields",
    "level",
    "correlation",
];

/// Translates `query` for `target` and prefixes the header the CLI writes (source name, one
/// line per note) through the backend's own comment helper. `None` when declined.
fn translate(target: Target, rule: &RuleContext, query: &str) -> Option<(String, Vec<String>)> {
    let ast = kql::parse(query).ok()?;
    let lowered = lower::lower(&ast).ok()?;
    let backend = target.backend();
    let t = backend.translate(rule, &lowered.query).ok()?;
    let mut notes: Vec<String> = lowered.notes.iter().map(|n| n.message.clone()).collect();
    if let Fidelity::Approximate(n) = &t.fidelity {
        notes.extend(n.iter().map(|n| n.message.clone()));
    }
    let name = rule.source_name.clone().unwrap_or_default();
    let mut header = vec![backend.comment(&format!(
        "kqlport: {name} (query 0) -> {}, exact",
        backend.name()
    ))];
    for n in notes {
        header.push(backend.comment(&format!("approximate at 1:1: {n}")));
    }
    let mut text = header.join("\n");
    text.push('\n');
    text.push_str(&t.text);
    Some((text, header))
}

/// Reads `text` as the target does and checks its shape: every comment a whole line and
/// exactly the header's (`header_lines`, or any number when `None`), one source command and
/// nothing but commands after it, one Sigma document with known keys only.
fn read(target: Target, text: &str, header_lines: Option<usize>) -> Result<Read, String> {
    let comments_ok = |toks: &[Tok]| -> Result<(), String> {
        // A target-wide caveat line (`caveat [B200]: …`, ES|QL's row cap) is the header's too,
        // written by the CLI from a fixed text, not from the input.
        let comments: Vec<&Tok> = toks
            .iter()
            .filter(|t| matches!(t, Tok::Comment { text, .. } if !text.trim_start().starts_with("caveat [B200]: ES|QL returns at most 10,000 rows (")))
            .collect();
        if let Some(n) = header_lines {
            if comments.len() != n {
                return Err(format!("{} comments, expected {n}", comments.len()));
            }
        }
        if let Some(c) = comments.iter().find(|c| {
            matches!(
                c,
                Tok::Comment {
                    whole_line: false,
                    ..
                }
            )
        }) {
            return Err(format!("a comment ends mid-line: {c:?}"));
        }
        if let Some(t) = toks.iter().find(|t| {
            matches!(t, Tok::Other(c) if c.is_control() && *c != '\n' && *c != ' ')
                || matches!(t, Tok::Other('\u{2028}' | '\u{2029}'))
        }) {
            return Err(format!(
                "a raw control or line separator outside any literal: {t:?}"
            ));
        }
        Ok(())
    };
    match target {
        Target::Esql | Target::Eql => {
            let toks = if target == Target::Esql {
                lex_esql(text)?
            } else {
                lex_eql(text)?
            };
            comments_ok(&toks)?;
            let code: Vec<&Tok> = toks
                .iter()
                .filter(|t| !matches!(t, Tok::Comment { .. }))
                .filter(|t| !matches!(t, Tok::Other(c) if c.is_whitespace()))
                .collect();
            let keyword = if target == Target::Esql {
                "FROM"
            } else {
                "where"
            };
            let n = code
                .iter()
                .filter(|t| matches!(t, Tok::Word(w) if w == keyword))
                .count();
            if n != 1 {
                return Err(format!("{n} `{keyword}` keywords, expected 1"));
            }
            if target == Target::Esql && code.first() != Some(&&Tok::Word("FROM".into())) {
                return Err("the query does not start with FROM".into());
            }
            Ok(Read::Tokens(toks))
        }
        Target::Spl => {
            let toks = lex_spl(text)?;
            comments_ok(&toks)?;
            let body: Vec<&str> = text
                .split('\n')
                .filter(|l| !l.starts_with("```") && !l.is_empty())
                .collect();
            if !body.first().is_some_and(|l| l.starts_with("search ")) {
                return Err("the query does not start with `search`".into());
            }
            if let Some(l) = body[1..].iter().find(|l| !l.starts_with("| ")) {
                return Err(format!("a line that is not a command: {l:?}"));
            }
            Ok(Read::Tokens(toks))
        }
        Target::Sigma => {
            if let Some(c) = text.chars().find(|&c| yaml_unsafe_raw(c)) {
                return Err(format!("raw {c:?} in the YAML"));
            }
            let comments = text.lines().take_while(|l| l.starts_with('#')).count();
            if header_lines.is_some_and(|n| n != comments)
                || text.lines().skip(comments).any(|l| l.starts_with('#'))
            {
                return Err(format!(
                    "{comments} comment lines, expected {header_lines:?}"
                ));
            }
            let docs: Vec<Value> =
                serde_saphyr::from_multiple(text).map_err(|e| format!("YAML: {e}"))?;
            if docs.len() != 1 {
                return Err(format!("{} YAML documents, expected 1", docs.len()));
            }
            let doc = docs.into_iter().next().unwrap_or(Value::Null);
            let Value::Object(map) = &doc else {
                return Err("the document is not a mapping".into());
            };
            if let Some(k) = map.keys().find(|k| !SIGMA_KEYS.contains(&k.as_str())) {
                return Err(format!("unexpected top-level key {k:?}"));
            }
            Ok(Read::Yaml(doc))
        }
    }
}

/// Every string value and key anywhere under `v`.
fn yaml_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| yaml_strings(x, out)),
        Value::Object(m) => {
            for (k, x) in m {
                out.push(k.clone());
                yaml_strings(x, out);
            }
        }
        _ => {}
    }
}

/// A KQL string literal holding exactly `s`: `\\`, the quote and every control, line
/// separator or space-like character KQL's lexer treats specially written as `\uXXXX`.
fn kql_str(s: &str, quote: char) -> String {
    let mut out = String::from(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control()
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                ) =>
            {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

// ------------------------------------------------------------------ regressions

fn kqlport() -> Command {
    Command::cargo_bin("kqlport").unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kqlport-inert-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    out.sort();
    out
}

fn target_of(path: &Path) -> Target {
    match path.extension().and_then(|e| e.to_str()) {
        Some("spl") => Target::Spl,
        Some("esql") => Target::Esql,
        Some("eql") => Target::Eql,
        Some("yml") => Target::Sigma,
        other => panic!("unexpected output {path:?} ({other:?})"),
    }
}

/// Converts one query saved under `file_name` with `-o` — approximate in every target
/// (lowering's note on a column of unknown type), so every output starts with the header
/// comment naming the file — and reads back every output: one rule, its two comment lines
/// (header and note) and nothing else.
fn convert_file_named(dir: &Path, file_name: &str) -> Result<(), String> {
    let input = dir.join("in");
    let out = dir.join("out");
    let _ = std::fs::remove_dir_all(&input);
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join(file_name), "Custom_CL | where isnull(Foo)\n")
        .map_err(|e| format!("cannot create {file_name:?}: {e}"))?;
    let o = kqlport()
        .args([
            "convert",
            "--pipeline",
            "none",
            "--to",
            "spl,esql,eql,sigma",
            "-o",
        ])
        .arg(&out)
        .arg(&input)
        .output()
        .unwrap();
    let written = files_under(&out);
    if written.len() != 4 {
        return Err(format!(
            "{} outputs for {file_name:?}: {}",
            written.len(),
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    for path in written {
        let text = std::fs::read_to_string(&path).unwrap();
        read(target_of(&path), &text, Some(2))
            .map_err(|e| format!("{}: {e}\n{text}", path.display()))?;
    }
    Ok(())
}

/// A crafted file name used to produce a YAML stream pySigma loaded as two rules (and a
/// second `level`): now every output holds one rule and two comment lines.
#[test]
fn a_file_name_cannot_add_a_rule_key_or_command() {
    let dir = temp_dir("file-name");
    let name =
        "a\n---\ntitle: evil\rlevel: high\u{85}x\u{2028}y\u{2029}z\u{b}\u{c}``` | delete ```.kql";
    convert_file_named(&dir, name).unwrap();
}

/// `extend ["q\rlevel: high\r#"] = 1` set the Sigma rule's `level` through the note comment.
#[test]
fn a_column_name_cannot_set_a_sigma_key() {
    let o = kqlport()
        .args(["convert", "--pipeline", "none", "--to", "sigma", "-"])
        .write_stdin("T | where A == \"x\" | extend [\"q\\rlevel: high\\r#\"] = 1\n")
        .output()
        .unwrap();
    let text = String::from_utf8(o.stdout).unwrap();
    let Read::Yaml(doc) = read(Target::Sigma, &text, Some(2)).unwrap() else {
        unreachable!()
    };
    assert!(doc.get("level").is_none(), "{text}");
}

/// `\r` in a column name of a join's right side ended a `//` line of the ES|QL
/// materialisation comment early, and the rest became ES|QL.
#[test]
fn a_carriage_return_cannot_end_an_esql_comment() {
    let o = kqlport()
        .args(["convert", "--to", "esql", "-"])
        .write_stdin("T | join kind=inner (U | where [\"x\\rFROM evil | \"] == \"a\") on K\n")
        .output()
        .unwrap();
    let text = String::from_utf8(o.stdout).unwrap();
    read(Target::Esql, &text, None).unwrap();
    assert!(
        text.contains("//   | WHERE `x\\u{d}FROM evil | ` == \"a\""),
        "{text}"
    );
}

#[test]
fn comment_helpers_keep_any_text_on_one_line() {
    let nasty = "a\rb\nc\u{85}d\u{2028}e\u{2029}f\u{b}g\u{c}h\u{1b}[31mi\u{202e}j``` k";
    let spl = kqlport_spl::Spl.comment(nasty);
    assert_eq!(
        spl,
        "``` a\\u{d}b\\u{a}c\\u{85}d\\u{2028}e\\u{2029}f\\u{b}g\\u{c}h\\u{1b}[31mi\\u{202e}j''' k ```"
    );
    assert_eq!(kqlport_esql::Esql.comment("a\rb"), "// a\\u{d}b");
    assert_eq!(kqlport_eql::Eql.comment("a\rb"), "// a\\u{d}b");
    assert_eq!(kqlport_sigma::Sigma.comment("a\u{85}b"), "# a\\u{85}b");
    assert_eq!(kqlport_sigma::Sigma.comment("plain"), "# plain");
}

// ------------------------------------------------------------------ properties

/// Strings biased towards what breaks output: line terminators of every target, controls,
/// quotes, comment and YAML indicators, non-characters, bidi overrides, plus any char.
fn nasty() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        '\r',
        '\n',
        '\u{85}',
        '\u{2028}',
        '\u{2029}',
        '\u{b}',
        '\u{c}',
        '\t',
        '\0',
        '\u{1b}',
        '\u{7f}',
        '\u{feff}',
        '\u{fffe}',
        '\u{ffff}',
        '\u{202e}',
        '`',
        '"',
        '\'',
        '\\',
        '#',
        ':',
        '-',
        '|',
        '*',
        '?',
        '{',
        '}',
        '[',
        ']',
        '$',
        '/',
        ' ',
        '%',
        '.',
        '&',
        '!',
        '>',
        'A',
        'é',
        '\u{1F600}',
    ]);
    prop::collection::vec(prop_oneof![3 => special, 1 => any::<char>()], 0..14)
        .prop_map(|v| v.into_iter().collect())
}

fn rule() -> RuleContext {
    RuleContext {
        source_name: Some("rule.kql".into()),
        ..Default::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// A string literal: every target translates it, and the literal reads back intact.
    #[test]
    fn any_string_literal_reads_back_intact(s in nasty()) {
        let q = format!("T | where A == {}", kql_str(&s, '"'));
        for target in TARGETS {
            let (text, header) = translate(target, &rule(), &q)
                .ok_or_else(|| TestCaseError::fail(format!("{target:?} declined {q}")))?;
            let r = read(target, &text, Some(header.len()))
                .map_err(|e| TestCaseError::fail(format!("{target:?}: {e}\n{text}")))?;
            let strings = match r {
                Read::Tokens(t) if target == Target::Spl => spl_strings(&t),
                Read::Tokens(t) => t
                    .into_iter()
                    .filter_map(|t| match t {
                        Tok::Str(s) => Some(s),
                        _ => None,
                    })
                    .collect(),
                Read::Yaml(doc) => {
                    let mut v = Vec::new();
                    yaml_strings(&doc["detection"], &mut v);
                    v
                }
            };
            let want = if target == Target::Sigma {
                kqlport_sigma::value::escape_wildcards(&s)
            } else {
                s.clone()
            };
            prop_assert!(
                strings.contains(&want),
                "{:?}: {:?} not among {:?}\n{}", target, want, strings, text
            );
        }
    }

    /// A column name (bracket-quoted): translated or declined, never broken; when translated
    /// it reads back as one identifier (or Sigma key) holding the name.
    #[test]
    fn any_column_name_stays_one_identifier(s in nasty()) {
        let q = format!("T | where [{}] == \"v\"", kql_str(&s, '\''));
        for target in TARGETS {
            let Some((text, header)) = translate(target, &rule(), &q) else { continue };
            let r = read(target, &text, Some(header.len()))
                .map_err(|e| TestCaseError::fail(format!("{target:?}: {e}\n{text}")))?;
            let found = match r {
                Read::Tokens(t) => t.iter().any(|t| matches!(t, Tok::Ident(x) | Tok::Word(x) if *x == s)),
                Read::Yaml(doc) => doc["detection"]
                    .as_object()
                    .into_iter()
                    .flat_map(|m| m.values())
                    .filter_map(Value::as_object)
                    .any(|sel| sel.keys().any(|k| k.strip_suffix("|cased") == Some(s.as_str()))),
            };
            prop_assert!(found, "{:?}: column {:?} not found\n{}", target, s, text);
        }
    }

    /// A computed column's name reaches the notes (and so the header comments): it stays
    /// inside them.
    #[test]
    fn any_computed_column_name_stays_in_its_comment(s in nasty()) {
        let q = format!("T | where A == \"v\" | extend [{}] = 1", kql_str(&s, '\''));
        for target in TARGETS {
            let Some((text, header)) = translate(target, &rule(), &q) else { continue };
            read(target, &text, Some(header.len()))
                .map_err(|e| TestCaseError::fail(format!("{target:?}: {e}\n{text}")))?;
        }
    }

    /// Rule metadata and the source name: one rule, known keys, title and description intact.
    #[test]
    fn any_rule_metadata_stays_in_its_field(
        name in nasty(), description in nasty(), tactic in nasty(), other in nasty()
    ) {
        let rule = RuleContext {
            id: Some(other.clone()),
            name: Some(name.clone()),
            description: Some(description.clone()),
            severity: Some(other.clone()),
            tactics: vec![tactic.clone(), "Execution".into()],
            techniques: vec![other.clone(), "T1059".into()],
            query_period: Some(other.clone()),
            query_frequency: Some(other.clone()),
            source_name: Some(other.clone()),
            references: vec![other.clone()],
        };
        for target in TARGETS {
            let (text, header) = translate(target, &rule, "T | where A == \"v\"")
                .ok_or_else(|| TestCaseError::fail(format!("{target:?} declined")))?;
            let r = read(target, &text, Some(header.len()))
                .map_err(|e| TestCaseError::fail(format!("{target:?}: {e}\n{text}")))?;
            if let Read::Yaml(doc) = r {
                let title: String = match name.trim() {
                    "" => "KQL detection on T".into(),
                    t => t.chars().take(256).collect(),
                };
                prop_assert_eq!(doc["title"].as_str(), Some(title.as_str()), "{}", text);
                if !description.trim().is_empty() {
                    prop_assert_eq!(doc["description"].as_str(), Some(description.trim()), "{}", text);
                }
            }
        }
    }
}

proptest! {
    // Each case runs the binary once: fewer cases, same strings.
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// A file name (any characters a file system allows) in the header of every output.
    #[test]
    fn any_file_name_stays_in_its_comment(s in nasty()) {
        let name: String = s.chars().filter(|&c| c != '/' && c != '\0').collect();
        prop_assume!(!name.is_empty() && name != "." && name != ".." && name.len() < 200);
        let dir = temp_dir("prop-file-name");
        let r = convert_file_named(&dir, &format!("{name}.kql"));
        let _ = std::fs::remove_dir_all(&dir);
        r.map_err(TestCaseError::fail)?;
    }
}
