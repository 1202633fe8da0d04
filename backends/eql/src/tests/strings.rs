//! String tests: the equality, substring and term families (`:`, `like`, wildcards, term
//! regexes), and RE2 regexes rewritten for Lucene or declined.

use super::*;

#[test]
fn equality_family() {
    insta::assert_snapshot!(eql_of(r#"T | where F == "a""#), @r#"T where F == "a""#);
    insta::assert_snapshot!(eql_of(r#"T | where F =~ "a""#), @r#"T where F : "a""#);
    insta::assert_snapshot!(eql_of(r#"T | where F != "a""#), @r#"T where F == null or F != "a""#);
    insta::assert_snapshot!(eql_of(r#"T | where F !~ "a""#), @r#"T where F == null or not (F : "a")"#);
    // `in` / `in~` / `!in` / `!in~`.
    insta::assert_snapshot!(eql_of(r#"T | where F in ("a", "b")"#), @r#"T where F in ("a", "b")"#);
    insta::assert_snapshot!(eql_of(r#"T | where F in~ ("tor.exe", "meek-client.exe")"#), @r#"T where F : ("tor.exe", "meek-client.exe")"#);
    insta::assert_snapshot!(eql_of(r#"T | where F !in ("a", "b")"#), @r#"T where F == null or F not in ("a", "b")"#);
    insta::assert_snapshot!(eql_of(r#"T | where F !in~ ("a", "b")"#), @r#"T where F == null or not (F : ("a", "b"))"#);
}

#[test]
fn equality_with_the_empty_string_matches_missing_fields() {
    // KQL: a missing string is "", so `F == ""` holds for events without F.
    insta::assert_snapshot!(eql_of(r#"T | where F == """#), @r#"T where F == null or F == """#);
    // ... and `F != ""` must drop them, also where `not` keeps documents without the field.
    insta::assert_snapshot!(eql_of(r#"T | where F != """#), @r#"T where F != null and F != """#);
    insta::assert_snapshot!(eql_of(r#"T | where F in~ ("", "x")"#), @r#"T where F == null or F : ("", "x")"#);
}

#[test]
fn substring_family() {
    insta::assert_snapshot!(eql_of(r#"T | where F contains "evil""#), @r#"T where F : "*evil*""#);
    insta::assert_snapshot!(eql_of(r#"T | where F startswith "evil""#), @r#"T where F : "evil*""#);
    insta::assert_snapshot!(eql_of(r#"T | where F endswith ".exe""#), @r#"T where F : "*.exe""#);
    insta::assert_snapshot!(eql_of(r#"T | where F contains_cs "Evil""#), @r#"T where F like "*Evil*""#);
    insta::assert_snapshot!(eql_of(r#"T | where F startswith_cs "Evil""#), @r#"T where F like "Evil*""#);
    insta::assert_snapshot!(eql_of(r#"T | where F endswith_cs ".EXE""#), @r#"T where F like "*.EXE""#);
    insta::assert_snapshot!(eql_of(r#"T | where F !contains "evil""#), @r#"T where F == null or not (F : "*evil*")"#);
    assert_eq!(
        eql(sm("F", Contains, Case::Insensitive, &["a", "b"])),
        "T where F : (\"*a*\", \"*b*\")\n"
    );
    // `contains ""` is true for every row, missing fields included.
    insta::assert_snapshot!(eql_of(r#"T | where F contains """#), @r#"T where F == null or F : "**""#);
}

#[test]
fn wildcard_characters_in_values_never_become_wildcards() {
    // `:`/`like` have no escape for `*`/`?`: such values use lists and functions.
    insta::assert_snapshot!(eql_of(r#"T | where F =~ "a*b""#), @r#"T where F in~ ("a*b")"#);
    insta::assert_snapshot!(eql_of(r#"T | where F == "a?b""#), @r#"T where F == "a?b""#);
    insta::assert_snapshot!(eql_of(r#"T | where F contains "*""#), @r#"T where stringContains~(F, "*")"#);
    insta::assert_snapshot!(eql_of(r#"T | where F startswith_cs "?x""#), @r#"T where startsWith(F, "?x")"#);
    insta::assert_snapshot!(eql_of(r#"T | where F endswith "a*""#), @r#"T where endsWith~(F, "a*")"#);
    insta::assert_snapshot!(eql_of(r#"T | where F !contains "*""#), @r#"T where F == null or not (stringContains~(F, "*"))"#);
    // Mixed lists keep the safe values in one `:` list.
    assert_eq!(
        eql(sm("F", Contains, Case::Insensitive, &["a", "b?", "c"])),
        "T where F : (\"*a*\", \"*c*\") or stringContains~(F, \"b?\")\n"
    );
}

#[test]
fn term_values_with_punctuation_edges_are_bounded_only_at_alphanumeric_ends() {
    // KQL: `"xx.exe" has ".exe"` is true; the value's own `.` separates it.
    insta::assert_snapshot!(eql_of(r#"T | where F has ".exe""#), @r#"T where F regex~ ".*\\.exe([^A-Za-z0-9].*)?""#);
    // Bounded by its own punctuation at both ends: a substring test, in the keyword-friendly
    // wildcard forms (`like` case-sensitive, `:` case-insensitive) rather than a regex.
    insta::assert_snapshot!(eql_of(r#"T | where F has_cs "/x/""#), @r#"T where F like "*/x/*""#);
    insta::assert_snapshot!(eql_of(r#"T | where F hasprefix "-en""#), @r#"T where F : "*-en*""#);
    insta::assert_snapshot!(eql_of(r#"T | where F hassuffix "\\x.""#), @r#"T where F : "*\\x.*""#);
    // A wildcard character in the value keeps the regex (`:` and `like` cannot escape it).
    insta::assert_snapshot!(eql_of(r#"T | where F has "-a*-""#), @r#"T where F regex~ ".*\\-a\\*\\-.*""#);
}

#[test]
fn has_family_uses_term_boundaries() {
    insta::assert_snapshot!(eql_of(r#"T | where F has "tor""#), @r#"T where F regex~ "(.*[^A-Za-z0-9])?tor([^A-Za-z0-9].*)?""#);
    insta::assert_snapshot!(eql_of(r#"T | where F has_cs "cmd.exe""#), @r#"T where F regex "(.*[^A-Za-z0-9])?cmd\\.exe([^A-Za-z0-9].*)?""#);
    insta::assert_snapshot!(eql_of(r#"T | where F hasprefix "pow""#), @r#"T where F regex~ "(.*[^A-Za-z0-9])?pow.*""#);
    insta::assert_snapshot!(eql_of(r#"T | where F hassuffix "shell""#), @r#"T where F regex~ ".*shell([^A-Za-z0-9].*)?""#);
    insta::assert_snapshot!(eql_of(r#"T | where F has_any ("a", "b")"#), @r#"T where F regex~ ("(.*[^A-Za-z0-9])?a([^A-Za-z0-9].*)?", "(.*[^A-Za-z0-9])?b([^A-Za-z0-9].*)?")"#);
    // has_all: every value.
    insta::assert_snapshot!(eql_of(r#"T | where F has_all ("a", "b")"#), @r#"T where F regex~ "(.*[^A-Za-z0-9])?a([^A-Za-z0-9].*)?" and F regex~ "(.*[^A-Za-z0-9])?b([^A-Za-z0-9].*)?""#);
    // !has keeps events without the field.
    insta::assert_snapshot!(eql_of(r#"T | where F !has "tor""#), @r#"T where F == null or not (F regex~ "(.*[^A-Za-z0-9])?tor([^A-Za-z0-9].*)?")"#);
    let d = declined_pred(at(ci("F", Term, ""), 3, 9));
    assert_eq!((d.code.0, d.span.range()), ("B069", 3..9));
}

#[test]
fn matches_regex_is_rewritten_for_lucene() {
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "abc""#), @r#"T where F regex ".*abc.*""#);
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "^abc""#), @r#"T where F regex "abc.*""#);
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "abc$""#), @r#"T where F regex ".*abc""#);
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "^abc$""#), @r#"T where F regex "abc""#);
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "a.c""#), @r#"T where F regex ".*a[^\n]c.*""#);
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "(?s)a.c""#), @r#"T where F regex ".*a.c.*""#);
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "\\d+""#), @r#"T where F regex ".*[0-9]+.*""#);
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "\\w""#), @r#"T where F regex ".*[0-9A-Z\\_a-z].*""#);
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "\\s""#), @r#"T where F regex ".*[\t-\n\u{0c}-\r ].*""#);
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "[\\s,]""#), @r#"T where F regex ".*[\t-\n\u{0c}-\r \\,].*""#);
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "\\S""#), @r#"T where F regex ".*[^\t-\n\u{0c}-\r ].*""#);
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "a|^b""#), @r#"T where F regex "(.*a.*)|(b.*)""#);
    // Alternatives with the same anchors share one `.*(…|…).*`: a `.*…*` of their own each
    // would multiply the determinised automaton's states (issue 15).
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "10\\.|192\\.168\\.|^127\\.|172\\.16\\.""#), @r#"T where F regex "(.*(10\\.|192\\.168\\.|172\\.16\\.).*)|(127\\..*)""#);
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "a|""#), @r#"T where F == null or F regex ".*(a|()).*""#);
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "(?P<x>ab)+?""#), @r#"T where F regex ".*(ab)+.*""#);
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "x{2,3}y{4}z{5,}""#), @r#"T where F regex ".*x{2,3}y{4}z{5,}.*""#);
    // Lucene operators are escaped.
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "a#@&<>~\"b""#), @r#"T where F regex ".*a\\#\\@\\&\\<\\>\\~\\\"b.*""#);
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "C:\\\\Windows\\\\""#), @r#"T where F regex ".*C\\:\\\\Windows\\\\.*""#);
    // (?i) at the start is regex~; classes are spelled case-closed, so Lucene's own folding
    // does not matter.
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "(?i)ab[c-d]""#), @r#"T where F regex~ ".*ab[C-Dc-d].*""#);
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "(?i)[^a]""#), @r#"T where F regex~ ".*[^Aa].*""#);
    // A scoped (?i:…) is spelled out in classes under a case-sensitive regex.
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "x(?i:ab)""#), @r#"T where F regex ".*x[Aa][Bb].*""#);
    // A pattern that matches "" also matches events without the field (KQL reads "").
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "^$""#), @r#"T where F == null or F regex "()""#);
    insta::assert_snapshot!(eql_of(r#"T | where F matches regex "a*""#), @r#"T where F == null or F regex ".*a*.*""#);
}

#[test]
fn regexes_without_an_exact_lucene_form_are_declined() {
    for (re, why) in [
        (r"\bword\b", "word-boundary"),
        ("a^b", "anchor"),
        ("(?m)^a", "multi-line"),
        (r"\pL", "not a pattern"),
        ("(?i)é", "non-ASCII"),
        ("(?i)a(?-i:b)", "case-sensitive part"),
    ] {
        let d = declined_pred(at(cs("F", Regex, re), 5, 20));
        assert_eq!((d.code.0, d.span.range()), ("B066", 5..20), "{re}");
        let label = d.label.clone().unwrap_or_default();
        assert!(label.contains(why), "{re}: {label}");
    }
}
