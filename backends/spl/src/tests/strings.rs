//! String tests in `where`: the equality, term and substring families, negation keeping missing
//! fields, non-ASCII case folding, regexes.

use super::*;

#[test]
fn sensitive_equality_and_in() {
    insta::assert_snapshot!(spl_tail_of(r#"DeviceProcessEvents | where A == "Admin" and B in ("x", "y")"#), @r#"| where A=="Admin" AND in(B, "x", "y")"#);
}

#[test]
fn negations_keep_missing_fields() {
    insta::assert_snapshot!(spl_tail_of(r#"DeviceProcessEvents | where A != "x" and B !in ("x", "y") and C !has "cmd""#), @r#"| where (isnull(A) OR NOT (A=="x")) AND (isnull(B) OR NOT in(B, "x", "y")) AND (isnull(C) OR NOT match(C, "(?i)(^|[^A-Za-z0-9])cmd($|[^A-Za-z0-9])"))"#);
}

#[test]
fn empty_value_matches_missing_field() {
    insta::assert_snapshot!(spl_tail_of(r#"DeviceProcessEvents | where A == "" and B =~ "" and C != """#), @r#"| where (isnull(A) OR A=="") AND (isnull(B) OR lower(B)=="") AND (isnotnull(C) AND NOT (C==""))"#);
}

#[test]
fn not_over_string_test_is_pushed_down() {
    // not(A has "x" or B == "y") ⇒ both negated, each keeping missing fields.
    insta::assert_snapshot!(spl_tail_of(r#"DeviceProcessEvents | where not(A has "x" or B == "y")"#), @r#"| where (isnull(A) OR NOT match(A, "(?i)(^|[^A-Za-z0-9])x($|[^A-Za-z0-9])")) AND (isnull(B) OR NOT (B=="y"))"#);
}

#[test]
fn term_family_and_substring_family() {
    insta::assert_snapshot!(spl_tail_of(r#"DeviceProcessEvents | where A has "cmd.exe" and B has_any ("a", "b") and C has_all ("a", "b") and D hasprefix_cs "pre" and E hassuffix "suf" and F contains_cs "Mixed" and G startswith_cs "x" and H endswith_cs "y""#), @r#"| where match(A, "(?i)(^|[^A-Za-z0-9])cmd\\.exe($|[^A-Za-z0-9])") AND match(B, "(?i)(^|[^A-Za-z0-9])(?:a|b)($|[^A-Za-z0-9])") AND (match(C, "(?i)(^|[^A-Za-z0-9])a($|[^A-Za-z0-9])") AND match(C, "(?i)(^|[^A-Za-z0-9])b($|[^A-Za-z0-9])")) AND match(D, "(^|[^A-Za-z0-9])pre") AND match(E, "(?i)suf($|[^A-Za-z0-9])") AND match(F, "Mixed") AND match(G, "^x") AND match(H, "y\\z")"#);
}

#[test]
fn non_ascii_insensitive_uses_ascii_classes() {
    insta::assert_snapshot!(spl_tail_of(r#"DeviceProcessEvents | where A =~ "Straße""#), @r#"| where match(A, "^[sS][tT][rR][aA]ß[eE]\\z")"#);
}

#[test]
fn regex_is_ported() {
    insta::assert_snapshot!(spl_tail_of(r#"DeviceProcessEvents | where A matches regex "^\\d+\\.exe$""#), @r#"| where match(A, "^[0-9]+\\.exe\\z")"#);
    // A pattern that matches "" also accepts a missing field.
    insta::assert_snapshot!(spl_tail_of(r#"DeviceProcessEvents | where A matches regex "x*""#), @r#"| where isnull(A) OR match(A, "x*")"#);
    let mut bad = sm("A", Regex, CS, &["[a&&b]"]);
    bad.span = sp(5, 9);
    assert_eq!(declined(q(vec![filter(bad)])), vec![("B016", 5, 9)]);
}

#[test]
fn term_values_with_punctuation_edges_need_no_boundary_there() {
    // `"xx.exe" has ".exe"` and `"a/rg1?x" has "/rg1?"` are true in KQL: the value's own
    // punctuation already separates it from a neighbouring term.
    insta::assert_snapshot!(spl_tail_of(r#"DeviceProcessEvents | where A has ".exe" and B has_cs "/rg1?" and C has_any ("tor", "-e", "x") and D hasprefix "-ba" and E hassuffix "o-""#), @r#"| where match(A, "(?i)\\.exe($|[^A-Za-z0-9])") AND match(B, "/rg1\\?") AND match(C, "(?i)(?:(^|[^A-Za-z0-9])(?:tor|x)($|[^A-Za-z0-9])|-e($|[^A-Za-z0-9]))") AND match(D, "(?i)-ba") AND match(E, "(?i)o-")"#);
}

#[test]
fn substring_tests_of_a_column_escape_it_at_run_time() {
    // contains_cs/startswith_cs/endswith_cs with a right side read from a column: that value
    // regex-escaped by replace() at run time, anchored by ^ or \z; a missing value is "".
    insta::assert_snapshot!(spl_tail_of(r#"DeviceProcessEvents | where A contains_cs B and A !startswith_cs C and A endswith_cs D"#), @r###"| where match(coalesce(A, ""), replace(coalesce(B, ""), "([^A-Za-z0-9])", "\\\\\\1")) AND NOT match(coalesce(A, ""), "^".replace(coalesce(C, ""), "([^A-Za-z0-9])", "\\\\\\1")) AND match(coalesce(A, ""), replace(coalesce(D, ""), "([^A-Za-z0-9])", "\\\\\\1")."\\z")"###);
}

#[test]
fn case_insensitive_substring_test_of_a_column_is_noted() {
    let (t, notes) = approx(ir_of(r#"DeviceProcessEvents | where A !contains B"#));
    insta::assert_snapshot!(tail(&t), @r###"| where NOT match(coalesce(A, ""), "(?i)".replace(coalesce(B, ""), "([^A-Za-z0-9])", "\\\\\\1"))"###);
    assert_eq!(
        notes.iter().map(|n| n.2).collect::<Vec<_>>(),
        vec![Effect::OverMatch, Effect::UnderMatch]
    );
}

#[test]
fn substring_test_of_an_array_is_declined() {
    let d = declined(ir_of(
        r#"DeviceProcessEvents | summarize s = make_set(A) by B | where s contains B"#,
    ));
    assert_eq!(d.iter().map(|d| d.0).collect::<Vec<_>>(), vec!["B014"]);
}

#[test]
fn translate_is_one_replace_per_character_in_a_safe_order() {
    // krasp -> otsku: k is replaced before s writes a k, s before a writes an s.
    insta::assert_snapshot!(spl_tail_of(r#"DeviceProcessEvents | extend t = translate("krasp", "otsku", A), u = translate('["]', '', B), v = format_timespan(14d, 'd')"#), @r###"| eval t=replace(coalesce(replace(coalesce(replace(coalesce(replace(coalesce(replace(coalesce(A, ""), "k", "o"), ""), "r", "t"), ""), "s", "k"), ""), "a", "s"), ""), "p", "u"), u=replace(coalesce(replace(coalesce(replace(coalesce(B, ""), "\\[", ""), ""), "\"", ""), ""), "\\]", ""), v="14""###);
}

#[test]
fn has_any_ipv4_is_a_term_match_of_each_valid_address() {
    // The address's dots are escaped; 127.0.0.256 (invalid) is dropped; `not` keeps a missing text.
    insta::assert_snapshot!(spl_tail_of(r#"DeviceProcessEvents | where has_any_ipv4(A, dynamic(["10.0.0.1", "127.0.0.256"])) and not(has_ipv4(B, "192.168.1.1"))"#), @r#"| where match(A, "(^|[^A-Za-z0-9])10\\.0\\.0\\.1($|[^A-Za-z0-9])") AND (isnull(B) OR NOT match(B, "(^|[^A-Za-z0-9])192\\.168\\.1\\.1($|[^A-Za-z0-9])"))"#);
}
