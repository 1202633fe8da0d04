//! The typed diagnostic codes (`src/codes.rs`) against the sources, the reference page and the
//! code-list snapshot. The types already make a code unique (a code in two families does not
//! compile) and documented (a variant needs a summary and an explanation); these tests add
//! what the compiler cannot see: every variant is raised somewhere outside tests, a backend's
//! codes are raised only by that backend (and the core's never by a backend), no code is
//! written as a string any more, `docs/codes.md` is what the registry generates (run with
//! `KQLPORT_BLESS=1` to rewrite it after a deliberate change), and the list of codes with their
//! meanings is a snapshot, so no code changes meaning silently.

use kqlport::codes::{lookup, reference_markdown, Code, CodeInfo, Family, CODES};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// A whole file of tests: under a `tests/` folder, or named `tests.rs` / `*_tests.rs`.
fn is_test_file(rel: &str) -> bool {
    let parts: Vec<&str> = rel.split('/').collect();
    parts[..parts.len() - 1].contains(&"tests")
        || parts[parts.len() - 1] == "tests.rs"
        || parts[parts.len() - 1].ends_with("_tests.rs")
}

/// `text` without its test code: a `#[cfg(test)]` module (from the attribute to the closing
/// brace at column 0 that ends it, as rustfmt lays it out) is blanked out.
fn without_tests(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_test = false;
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if !in_test
            && line.starts_with("#[cfg(test)]")
            && lines
                .peek()
                .is_some_and(|n| n.starts_with("mod ") && n.ends_with('{'))
        {
            in_test = true;
        }
        if in_test {
            if line == "}" {
                in_test = false;
            }
            out.push('\n');
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The non-test code of every Rust source of the workspace (but `src/codes.rs`), by path.
fn sources() -> Vec<(String, String)> {
    let root = root();
    let mut files = Vec::new();
    for dir in ["src", "cli/src", "backends"] {
        rust_files(&root.join(dir), &mut files);
    }
    files
        .into_iter()
        .filter_map(|f| {
            let rel = f
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel == "src/codes.rs" || is_test_file(&rel) {
                return None;
            }
            let text = without_tests(&std::fs::read_to_string(&f).unwrap());
            Some((rel, text))
        })
        .collect()
}

/// Every `SplCode::B062`-style use in `text`: (enum, code).
fn typed_uses(text: &str) -> Vec<(String, String)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = text[at..].find("Code::") {
        let i = at + i;
        let mut s = i;
        while s > 0 && b[s - 1].is_ascii_alphanumeric() {
            s -= 1;
        }
        let code = &text[i + 6..];
        let len = code
            .bytes()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        let well_formed = len == 4
            && b"IYPLB".contains(&code.as_bytes()[0])
            && code.as_bytes()[1..4].iter().all(u8::is_ascii_digit);
        if s < i && well_formed {
            out.push((text[s..i + 4].to_string(), code[..4].to_string()));
        }
        at = i + 6;
    }
    out
}

/// Every `"X000"` string literal (X one of I, Y, P, L, B) in `text`.
fn code_literals(text: &str) -> Vec<String> {
    text.as_bytes()
        .windows(6)
        .filter(|w| {
            w[0] == b'"'
                && b"IYPLB".contains(&w[1])
                && w[2..5].iter().all(u8::is_ascii_digit)
                && w[5] == b'"'
        })
        .map(|w| String::from_utf8_lossy(&w[1..5]).into_owned())
        .collect()
}

/// Code -> the non-test files that raise it (name its variant).
fn raised() -> BTreeMap<String, BTreeSet<String>> {
    let mut raised: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, text) in sources() {
        for (enum_name, code) in typed_uses(&text) {
            raised
                .entry(format!("{enum_name}::{code}"))
                .or_default()
                .insert(rel.clone());
        }
    }
    raised
}

fn typed_name(c: &CodeInfo) -> String {
    format!("{}::{}", c.family.enum_name(), c.code)
}

#[test]
fn the_scanners_find_typed_codes_literals_and_test_modules() {
    assert_eq!(
        typed_uses("x(SplCode::B013, LowerCode::L0234, Code::B001) EqlCode::B062. ExitCode::from"),
        vec![
            ("SplCode".to_string(), "B013".to_string()),
            ("EqlCode".to_string(), "B062".to_string())
        ]
    );
    assert_eq!(
        code_literals(r#"x("B030", "L0234", "b001", "P01", "Q001") "Y007""#),
        vec!["B030", "Y007"]
    );
    assert_eq!(
        without_tests("a\n#[cfg(test)]\nmod tests {\n    b\n}\nc\n"),
        "a\n\n\n\n\nc\n"
    );
    assert_eq!(
        without_tests("#[cfg(test)]\nmod tests;\na\n}\n"),
        "#[cfg(test)]\nmod tests;\na\n}\n"
    );
    assert!(is_test_file("backends/spl/src/tests/more.rs"));
    assert!(is_test_file("src/kql/tests.rs"));
    assert!(!is_test_file("src/lower/expr.rs"));
}

#[test]
fn every_code_is_raised_outside_tests() {
    let raised = raised();
    let unused: Vec<_> = CODES
        .iter()
        .map(typed_name)
        .filter(|c| !raised.contains_key(c))
        .collect();
    assert!(
        unused.is_empty(),
        "codes that nothing outside tests raises (retire them from src/codes.rs): {unused:?}"
    );
    // Every typed use names a real code of that enum (a stale name would not compile, but a
    // scan that misreads would pass vacuously).
    let known: BTreeSet<_> = CODES.iter().map(typed_name).collect();
    let strays: Vec<_> = raised.keys().filter(|k| !known.contains(*k)).collect();
    assert!(strays.is_empty(), "not codes: {strays:?}");
}

/// Where each family's codes may be raised: a backend's only in its own crate, the shared
/// backend codes in the backends and the CLI (which turns notes into warnings), the core
/// stages' never in a backend (a backend sees only the IR).
fn allowed(family: Family, file: &str) -> bool {
    match family {
        Family::Spl => file.starts_with("backends/spl/"),
        Family::Esql => file.starts_with("backends/esql/"),
        Family::Eql => file.starts_with("backends/eql/"),
        Family::Sigma => file.starts_with("backends/sigma/"),
        Family::Backends => file.starts_with("backends/") || file.starts_with("cli/"),
        Family::Input | Family::Rule | Family::Parse | Family::Lowering => {
            !file.starts_with("backends/")
        }
    }
}

#[test]
fn codes_are_raised_only_where_their_family_lives() {
    let raised = raised();
    let mut wrong = Vec::new();
    for c in CODES {
        for file in raised.get(&typed_name(c)).into_iter().flatten() {
            if !allowed(c.family, file) {
                wrong.push(format!("{} in {file}", typed_name(c)));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "codes raised outside their family's home: {wrong:?}"
    );
}

#[test]
fn no_code_is_written_as_a_string() {
    let mut found = Vec::new();
    for (rel, text) in sources() {
        for c in code_literals(&text) {
            found.push(format!("{rel}: \"{c}\""));
        }
    }
    assert!(
        found.is_empty(),
        "diagnostic codes written as strings; raise the typed variant (`SplCode::B013`) instead: {found:?}"
    );
}

#[test]
fn the_registry_follows_the_types() {
    let mut seen = BTreeSet::new();
    for (i, c) in CODES.iter().enumerate() {
        assert!(seen.insert(c.code), "{} registered twice", c.code);
        let b = c.code.as_bytes();
        assert!(
            b.len() == 4 && b[0] == c.family.letter() && b[1..].iter().all(u8::is_ascii_digit),
            "{}: not a code of its family",
            c.code
        );
        for text in [c.summary, c.explanation] {
            assert!(
                !text.trim().is_empty() && !text.contains('\n'),
                "{}: {text:?}",
                c.code
            );
        }
        let found = lookup(c.code).unwrap();
        assert_eq!(found.code, c.code);
        let code: Code = all_codes()[i];
        assert_eq!((code.as_str(), code.family()), (c.code, c.family));
        assert_eq!(code.info().code, c.code);
        assert_eq!(code.to_string(), c.code);
        assert_eq!(
            serde_json::to_string(&code).unwrap(),
            format!("\"{}\"", c.code)
        );
    }
}

/// Every [`Code`], from the family enums.
fn all_codes() -> Vec<Code> {
    use kqlport::codes::*;
    let mut all: Vec<Code> = Vec::new();
    all.extend(InputCode::ALL.iter().map(|&c| Code::from(c)));
    all.extend(RuleCode::ALL.iter().map(|&c| Code::from(c)));
    all.extend(ParseCode::ALL.iter().map(|&c| Code::from(c)));
    all.extend(LowerCode::ALL.iter().map(|&c| Code::from(c)));
    all.extend(BackendCode::ALL.iter().map(|&c| Code::from(c)));
    all.extend(SplCode::ALL.iter().map(|&c| Code::from(c)));
    all.extend(EsqlCode::ALL.iter().map(|&c| Code::from(c)));
    all.extend(EqlCode::ALL.iter().map(|&c| Code::from(c)));
    all.extend(SigmaCode::ALL.iter().map(|&c| Code::from(c)));
    assert_eq!(all.len(), CODES.len());
    all
}

#[test]
fn a_code_compares_with_its_family_variant() {
    use kqlport::codes::{EqlCode, LowerCode};
    let d = kqlport::Diagnostic::error(EqlCode::B062, "x", kqlport::Span::new(0, 1));
    assert!(d.code == EqlCode::B062);
    assert!(d.code != LowerCode::L023);
    assert_eq!(d.code.as_str(), "B062");
    assert_eq!(EqlCode::B062.as_str(), "B062");
    assert_eq!(EqlCode::FAMILY, Family::Eql);
}

#[test]
fn lookup_ignores_case() {
    assert_eq!(lookup("b030").map(|c| c.code), Some("B030"));
    assert!(lookup("B999").is_none());
}

/// The code list: every code with its family and meaning. A code added, retired, moved to
/// another family or given another meaning changes this snapshot (`cargo insta review`).
#[test]
fn the_code_list_is_a_snapshot() {
    let mut codes: Vec<&CodeInfo> = CODES.iter().collect();
    codes.sort_by_key(|c| ("IYPLB".find(&c.code[..1]), c.code));
    let list: String = codes
        .iter()
        .map(|c| format!("{} {:<12} {}\n", c.code, c.family.enum_name(), c.summary))
        .collect();
    insta::assert_snapshot!("code_list", list);
}

#[test]
fn the_reference_page_is_generated_from_the_registry() {
    let path = root().join("docs/codes.md");
    let want = reference_markdown();
    if std::env::var_os("KQLPORT_BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/codes.md is not what src/codes.rs generates; if the change is deliberate, rerun \
         with KQLPORT_BLESS=1 and review the diff"
    );
    for c in CODES {
        assert!(
            have.contains(&format!("\n## {}\n", c.code)),
            "{} has no section",
            c.code
        );
    }
}
