//! Escaping and injection: string, LIKE, term and regex literals read back by ES|QL's own rules;
//! names that cannot be spelled are declined.

use super::*;

const NASTY: &[&str] = &[
    "a\" OR 1=1 | delete",
    "C:\\Windows\\",
    "*",
    "?",
    "%",
    "_",
    "line\nbreak",
    "tab\there",
    "cr\rhere",
    "\\\"",
    "\"\"\"",
    "ünïcödé ✓ 𝄞",
    "back`tick",
    "#@&<>~",
    ".*[](){}|+^$",
];

/// Lucene `WildcardQuery` semantics as an anchored regex: `*`, `?`, backslash escapes.
fn wildcard_regex(pattern: &str) -> regex_lite::Regex {
    let mut re = String::from("^(?s:");
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            '\\' => {
                let n = chars.next().expect("escape followed by a character");
                re.push_str(&regex_lite::escape(&n.to_string()));
            }
            c => re.push_str(&regex_lite::escape(&c.to_string())),
        }
    }
    re.push_str(")$");
    regex_lite::Regex::new(&re).expect("valid")
}

#[test]
fn string_literals_read_back_exactly() {
    for v in NASTY {
        let text = StrLit(v).to_string();
        assert_eq!(esql_unquote(&text), *v, "{text}");
        let out = where_of(sm("F", Equals, CS, &[v]));
        let lit = out.strip_prefix("F == ").expect("literal");
        assert_eq!(esql_unquote(lit), *v);
        assert!(!out.contains('\n'));
    }
}

#[test]
fn like_patterns_match_exactly_the_substring() {
    for v in NASTY {
        let out = where_of(sm("F", Contains, CS, &[v]));
        let lit = out.strip_prefix("F LIKE ").expect("LIKE");
        let pattern = esql_unquote(lit);
        let re = wildcard_regex(&pattern);
        assert!(re.is_match(&format!("xx{v}yy")), "{v:?} -> {pattern}");
        assert!(re.is_match(v));
        // A wildcard in the value must not act as one.
        if v.contains('*') || v.contains('?') {
            assert!(!re.is_match("zzz"), "{pattern}");
        }
    }
    let re = wildcard_regex(&lucene::like_literal("a*b?c\\"));
    assert!(re.is_match("a*b?c\\"));
    assert!(!re.is_match("aXXb?c\\"));
    assert!(!re.is_match("a*bXc\\"));
}

#[test]
fn term_and_regex_literals_read_back_exactly() {
    for v in NASTY {
        let out = where_of(sm("F", Term, CS, &[v]));
        let lit = out.strip_prefix("F RLIKE ").expect("RLIKE");
        let re = lucene_regex(&esql_unquote(lit));
        assert!(re.is_match(&format!("x {v} y")), "{v:?}");
        assert!(re.is_match(v), "{v:?}");
        // A literal regex (RE2-escaped) for the value.
        let mut re2 = String::new();
        for c in v.chars() {
            if "\\.+*?()|[]{}^$".contains(c) {
                re2.push('\\');
            }
            re2.push(c);
        }
        let rw = rlike_of(&re2);
        assert!(rw.is_match(&format!("pre{v}post")), "{v:?}");
        assert!(!rw.is_match("unrelated"), "{v:?}");
    }
}

#[test]
fn table_and_pattern_names_that_cannot_be_spelled_are_declined() {
    let d = declined(&query("Bad Table|x", vec![]));
    assert_eq!(d[0].code.as_str(), "B008");
    let d = declined(&query(
        "T",
        vec![stage(StageKind::ProjectAway(vec![ColumnPattern {
            pattern: "a b*".into(),
            span: sp(3, 7),
        }]))],
    ));
    assert_eq!((d[0].code.as_str(), d[0].span), ("B008", sp(3, 7)));
}
