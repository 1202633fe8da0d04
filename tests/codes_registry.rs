//! The diagnostic-code registry (`src/codes.rs`) against the sources and the reference page:
//! every code literal written anywhere in the Rust sources is registered, every registered code
//! is raised somewhere outside tests, codes are unique, and `docs/codes.md` is what the registry
//! generates (run with `KQLPORT_BLESS=1` to rewrite it after a deliberate change).

use kqlport::codes::{lookup, reference_markdown, CODES};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Registered codes that are raised without appearing as a string literal in the sources,
/// with the reason. Empty today: every code is a literal at its raise site.
const NOT_LITERAL: &[(&str, &str)] = &[];

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

fn is_test_file(p: &Path) -> bool {
    let s = p.to_string_lossy();
    s.ends_with("tests.rs") || s.contains("/tests/")
}

/// Code -> the non-test files that write it, and the set of codes any file writes.
fn scan() -> (BTreeMap<String, Vec<String>>, BTreeSet<String>) {
    let root = root();
    let mut files = Vec::new();
    for dir in ["src", "cli/src", "backends"] {
        rust_files(&root.join(dir), &mut files);
    }
    let mut raised: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut mentioned = BTreeSet::new();
    for f in files {
        let rel = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if rel == "src/codes.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for c in code_literals(&text) {
            mentioned.insert(c.clone());
            if !is_test_file(&f) {
                raised.entry(c).or_default().push(rel.clone());
            }
        }
    }
    (raised, mentioned)
}

#[test]
fn the_scanner_finds_code_literals() {
    assert_eq!(
        code_literals(r#"x("B030", "L0234", "b001", "P01", "Q001") "Y007""#),
        vec!["B030", "Y007"]
    );
}

#[test]
fn every_code_in_the_sources_is_registered() {
    let (_, mentioned) = scan();
    let missing: Vec<_> = mentioned.iter().filter(|c| lookup(c).is_none()).collect();
    assert!(
        missing.is_empty(),
        "codes used in the sources but not in src/codes.rs (add each with its meaning): {missing:?}"
    );
}

#[test]
fn every_registered_code_is_raised() {
    let (raised, _) = scan();
    let unused: Vec<_> = CODES
        .iter()
        .map(|c| c.code)
        .filter(|c| !raised.contains_key(*c) && !NOT_LITERAL.iter().any(|(n, _)| n == c))
        .collect();
    assert!(
        unused.is_empty(),
        "registered codes that nothing outside tests raises (retire them, or list them in \
         NOT_LITERAL with the reason): {unused:?}"
    );
}

#[test]
fn codes_are_unique_well_formed_and_in_order() {
    let mut seen = BTreeSet::new();
    for c in CODES {
        assert!(seen.insert(c.code), "{} registered twice", c.code);
        let b = c.code.as_bytes();
        assert!(
            b.len() == 4 && b"IYPLB".contains(&b[0]) && b[1..].iter().all(u8::is_ascii_digit),
            "{}: not a code",
            c.code
        );
        let prefix = match c.family {
            kqlport::codes::Family::Input => 'I',
            kqlport::codes::Family::Rule => 'Y',
            kqlport::codes::Family::Parse => 'P',
            kqlport::codes::Family::Lowering => 'L',
            _ => 'B',
        };
        assert_eq!(
            c.code.chars().next(),
            Some(prefix),
            "{}: wrong family",
            c.code
        );
        for text in [c.summary, c.explanation] {
            assert!(
                !text.trim().is_empty() && !text.contains('\n'),
                "{}: {text:?}",
                c.code
            );
        }
    }
    let order: Vec<_> = CODES.iter().map(|c| c.code).collect();
    let prefix_rank = |c: &str| "IYPLB".find(&c[..1]).unwrap();
    let mut sorted = order.clone();
    sorted.sort_by_key(|c| (prefix_rank(c), c.to_string()));
    assert_eq!(
        order, sorted,
        "keep CODES grouped by stage and in code order"
    );
}

#[test]
fn lookup_ignores_case() {
    assert_eq!(lookup("b030").map(|c| c.code), Some("B030"));
    assert!(lookup("B999").is_none());
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
