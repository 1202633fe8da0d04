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
    assert_eq!((d.code.as_str(), d.span.range()), ("B069", 3..9));
}

#[test]
fn matches_regex_is_rewritten_for_lucene() {
    // The shared Lucene emitter (`kqlport_kit::regex::lucene`, also ES|QL's RLIKE).
    let re = |v: &str| eql(cs("F", Regex, v));
    assert_eq!(re("abc"), "T where F regex \".*(abc).*\"\n");
    assert_eq!(re("^abc"), "T where F regex \"(abc).*\"\n");
    assert_eq!(re("abc$"), "T where F regex \".*(abc)\"\n");
    assert_eq!(re("^abc$"), "T where F regex \"(abc)\"\n");
    assert_eq!(re("a.c"), "T where F regex \".*(a[^\\n]c).*\"\n");
    assert_eq!(re("(?s)a.c"), "T where F regex \".*(a.c).*\"\n");
    assert_eq!(re(r"\d+"), "T where F regex \".*(([0-9])+).*\"\n");
    assert_eq!(re(r"\w"), "T where F regex \".*([0-9A-Z\\\\_a-z]).*\"\n");
    assert_eq!(
        re(r"\s"),
        "T where F regex \".*([\\t-\\n\\u{0c}-\\r ]).*\"\n"
    );
    assert_eq!(
        re(r"[\s,]"),
        "T where F regex \".*([\\t-\\n\\u{0c}-\\r \\\\,]).*\"\n"
    );
    assert_eq!(
        re(r"\S"),
        "T where F regex \".*([^\\t-\\n\\u{0c}-\\r ]).*\"\n"
    );
    assert_eq!(re("a|^b"), "T where F regex \"(.*(a).*)|((b).*)\"\n");
    // Alternatives with the same anchors share one `.*(…|…).*`: a `.*…*` of their own each
    // would multiply the determinised automaton's states (issue 15).
    assert_eq!(
        re(r"10\.|192\.168\.|^127\.|172\.16\."),
        "T where F regex \"(.*(10\\\\.|192\\\\.168\\\\.|172\\\\.16\\\\.).*)|((127\\\\.).*)\"\n"
    );
    assert_eq!(re("a|"), "T where F == null or F regex \".*(a|()).*\"\n");
    assert_eq!(re("(?P<x>ab)+?"), "T where F regex \".*(((ab))+).*\"\n");
    assert_eq!(
        re("x{2,3}y{4}z{5,}"),
        "T where F regex \".*((x){2,3}(y){4}(z){5,}).*\"\n"
    );
    // Lucene operators are escaped.
    assert_eq!(
        re("a#@&<>~\"b"),
        "T where F regex \".*(a\\\\#\\\\@\\\\&\\\\<\\\\>\\\\~\\\\\\\"b).*\"\n"
    );
    assert_eq!(
        re(r"C:\\Windows\\"),
        "T where F regex \".*(C\\\\:\\\\\\\\Windows\\\\\\\\).*\"\n"
    );
    // Case folding is spelled out in classes, RE2's Unicode simple folding (`k` also matches
    // U+212A KELVIN SIGN, `é` is `[Éé]`), so Lucene's own (ASCII) folding never matters.
    assert_eq!(
        re("(?i)ab[c-d]"),
        "T where F regex \".*([Aa][Bb][C-Dc-d]).*\"\n"
    );
    assert_eq!(re("(?i)[^a]"), "T where F regex \".*([^Aa]).*\"\n");
    assert_eq!(re("x(?i:ab)"), "T where F regex \".*(x([Aa][Bb])).*\"\n");
    assert_eq!(re("(?i)a(?-i:b)"), "T where F regex \".*([Aa](b)).*\"\n");
    assert_eq!(re("(?i)é"), "T where F regex \".*([Éé]).*\"\n");
    assert_eq!(re("(?i)k"), "T where F regex \".*([Kk\u{212a}]).*\"\n");
    assert!(re(r"\pL").starts_with("T where F regex \".*([A-Za-zªµº"));
    // A pattern that matches "" also matches events without the field (KQL reads "").
    assert_eq!(re("^$"), "T where F == null or F regex \"(())\"\n");
    assert_eq!(re("a*"), "T where F == null or F regex \".*((a)*).*\"\n");
}

#[test]
fn regexes_without_an_exact_lucene_form_are_declined() {
    for (re, why) in [
        (r"\bword\b", "word-boundary"),
        ("a^b", "anchors"),
        ("(?m)^a", "without the m flag"),
        (r"[^\x00-\x{10FFFF}]", "matches no character"),
    ] {
        let d = declined_pred(at(cs("F", Regex, re), 5, 20));
        assert_eq!((d.code.as_str(), d.span.range()), ("B066", 5..20), "{re}");
        let label = d.label.clone().unwrap_or_default();
        assert!(label.contains(why), "{re}: {label}");
    }
}
