//! Escaping and injection: string and regex literals read back by Splunk's rules, field names
//! quoted or refused.

use super::*;

const NASTY: [&str; 10] = [
    "a\" OR 1=1 | delete",
    r"C:\Windows\",
    "*",
    "?",
    "%",
    "_",
    "line\nbreak\ttab",
    r#"\""#,
    "unicodé ✓ 🦀",
    "'single' `tick` $(x) [y] {z}",
];

fn read_quoted(s: &str) -> (String, usize) {
    assert!(s.starts_with('"'), "{s}");
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                let (_, n) = chars.next().expect("escape");
                assert!(n == '\\' || n == '"', "only \\\\ and \\\" are emitted");
                out.push(n);
            }
            '"' => return (out, i + 1),
            c => out.push(c),
        }
    }
    panic!("unterminated: {s}")
}

/// Reads an eval string literal back by SPL's rules (`\\` → `\`, `\"` → `"`), plus the
/// `urldecode("%XX")` splices this backend uses for control characters.
fn read_eval_string(s: &str) -> String {
    let s = s.trim();
    if let Some(inner) = s.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        let mut out = String::new();
        let mut rest = inner;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("urldecode(\"") {
                let end = r.find("\")").expect("closed");
                let bytes: Vec<u8> = r[..end]
                    .split('%')
                    .skip(1)
                    .map(|h| u8::from_str_radix(h, 16).expect("hex"))
                    .collect();
                out.push_str(std::str::from_utf8(&bytes).expect("utf8"));
                rest = &r[end + 2..];
            } else {
                let (lit, used) = read_quoted(rest);
                out.push_str(&lit);
                rest = &rest[used..];
            }
            rest = rest.strip_prefix('.').unwrap_or(rest);
        }
        out
    } else {
        read_quoted(s).0
    }
}

#[test]
fn string_literals_round_trip() {
    for v in NASTY {
        let t = text(q(vec![filter(sm("A", Equals, CS, &[v]))]));
        let line = tail(&t);
        let lit = line.strip_prefix("| where A==").expect("shape");
        assert_eq!(read_eval_string(lit), v, "{line}");
        assert_eq!(t.matches('\n').count(), 2, "no raw newline may leak: {t:?}");
    }
}

#[test]
fn regex_literals_round_trip() {
    for v in NASTY {
        let t = text(q(vec![filter(sm("A", Contains, CS, &[v]))]));
        let line = tail(&t);
        let arg = line
            .strip_prefix("| where match(A, ")
            .and_then(|x| x.strip_suffix(')'))
            .expect("shape");
        let pattern = read_eval_string(arg);
        // The PCRE pattern, read by the regex engine, is exactly the value.
        let re = regex_automata::meta::Regex::new(&pattern).expect("valid pattern");
        let m = re.find(v).expect("matches itself");
        assert_eq!((m.start(), m.end()), (0, v.len()), "{pattern}");
        assert!(
            !re.is_match(&v.replace(|c: char| !c.is_alphanumeric(), "x"))
                || v.chars().all(char::is_alphanumeric)
        );
    }
}

#[test]
fn field_names_are_quoted_or_refused() {
    let t = text(q(vec![filter(sm("my field", Equals, CS, &["x"]))]));
    assert_eq!(tail(&t), "| where 'my field'==\"x\"");
    let t = text(q(vec![filter(sm("and", Equals, CS, &["x"]))]));
    assert_eq!(tail(&t), "| where 'and'==\"x\"");
    // A keyword-named column never goes into the base search, where it would be an operator.
    insta::assert_snapshot!(spl_tail_of(r#"DeviceProcessEvents | where OR =~ "x""#), @r#"| where lower('OR')=="x""#);
    let mut bad = sm("a'b", Equals, CS, &["x"]);
    if let PredicateKind::StrMatch(s) = &mut bad.kind {
        s.field.span = sp(1, 4);
    }
    assert_eq!(declined(q(vec![filter(bad)])), vec![("B011", 1, 4)]);
}
