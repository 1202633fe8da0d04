//! Unit tests: the exact ES|QL text per IR construct, notes and refusals with their spans, and
//! escaping read back by ES|QL's own rules. Builds IR by hand; never parses KQL.
//!
//! Set `KQLPORT_ESQL_DUMP=<file>` to append every emitted query to `<file>` (records end with a
//! line `%%%%`) for `tests/oracle/parse_all.py`.

use crate::ast::{Ident, StrLit};
use crate::lucene;
use crate::Esql;
use kqlport::backend::{Backend, Effect, Fidelity, RuleContext, Translation};
use kqlport::diag::Diagnostic;
use kqlport::ir::*;
use kqlport::source::Span;
use kqlport::test_support::*;
use std::io::Write;

// ---------------------------------------------------------------------------------------------
// Harness (the IR builders are `kqlport::test_support`'s)
// ---------------------------------------------------------------------------------------------

use Case::{Insensitive as CI, Sensitive as CS};
use MatchKind::*;

fn dump(text: &str) {
    if let Ok(file) = std::env::var("KQLPORT_ESQL_DUMP") {
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
        {
            let record = format!("{text}%%%%\n");
            let _ = f.write_all(record.as_bytes());
        }
    }
}

fn run(q: &Query) -> Result<Translation, Vec<Diagnostic>> {
    let out = Esql.translate(&RuleContext::default(), q);
    if let Ok(t) = &out {
        assert!(t.text.ends_with('\n') && !t.text.ends_with("\n\n"));
        dump(&t.text);
    }
    out
}

/// Translates and requires an exact result.
fn exact(q: &Query) -> String {
    let t = run(q).expect("translated");
    assert_eq!(t.fidelity, Fidelity::Exact, "{}", t.text);
    t.text
}

/// Translates one filter over `T` exactly and returns the WHERE line's condition (the
/// conditions joined by ` | WHERE ` when the filter's pushable part leads in a WHERE of its
/// own, `pushdown`).
fn where_of(pr: Predicate) -> String {
    where_line(&query("T", vec![filter(pr)]))
}

/// [`where_of`] for a KQL query `T | where …`.
fn where_of_kql(kql: &str) -> String {
    where_line(&ir_of(kql))
}

fn where_line(q: &Query) -> String {
    let text = exact(q);
    let conditions: Vec<&str> = text
        .lines()
        .skip(1)
        .map_while(|l| l.strip_prefix("| WHERE "))
        .collect();
    assert!(!conditions.is_empty(), "a WHERE line: {text}");
    conditions.join(" | WHERE ")
}

fn notes(t: &Translation) -> Vec<(Span, Effect, String)> {
    match &t.fidelity {
        Fidelity::Exact => Vec::new(),
        Fidelity::Approximate(n) => n
            .iter()
            .map(|n| (n.span, n.effect, n.message.clone()))
            .collect(),
    }
}

fn declined(q: &Query) -> Vec<Diagnostic> {
    match run(q) {
        Ok(t) => panic!("expected a refusal, got {}", t.text),
        Err(d) => d,
    }
}

// ---------------------------------------------------------------------------------------------
// Read-back helpers: ES|QL's own rules, re-implemented independently of the emitter.
// ---------------------------------------------------------------------------------------------

/// ES|QL's lexer/parser for a `"…"` string: `\t \n \r \" \\` are the escapes.
fn esql_unquote(lit: &str) -> String {
    let inner = lit
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .expect("double-quoted");
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                other => panic!("invalid escape {other:?} in {lit}"),
            },
            '"' | '\n' | '\r' => panic!("unescaped {c:?} in {lit}"),
            c => out.push(c),
        }
    }
    out
}

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

/// The Lucene regex subset this backend emits, as an anchored regex: `\c` is literal `c`,
/// classes `[^…]` with ranges, groups, `| * + ? {n,m}`, and `.` = any character.
fn lucene_regex(pattern: &str) -> regex_lite::Regex {
    let mut re = String::from("^(?s:");
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let n = chars.next().expect("escape");
                assert!(!n.is_ascii_alphanumeric(), "\\{n} reads as a shorthand");
                re.push_str(&regex_lite::escape(&n.to_string()));
            }
            '[' if !in_class => {
                in_class = true;
                re.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    re.push('^');
                }
            }
            ']' if in_class => {
                in_class = false;
                re.push(']');
            }
            '-' if in_class => re.push('-'),
            c if in_class => re.push_str(&regex_lite::escape(&c.to_string())),
            '#' | '@' | '&' | '<' | '>' | '~' | '"' => {
                panic!("unescaped Lucene operator {c} in {pattern}")
            }
            '(' | ')' | '|' | '*' | '+' | '?' | '{' | '}' | ',' | '.' => re.push(c),
            c if c.is_ascii_digit() => re.push(c),
            c => re.push_str(&regex_lite::escape(&c.to_string())),
        }
    }
    re.push_str(")$");
    regex_lite::Regex::new(&re).unwrap_or_else(|e| panic!("{pattern}: {e}"))
}

fn rlike_of(pattern: &str) -> regex_lite::Regex {
    lucene_regex(
        &lucene::rewrite_re2(pattern, false)
            .expect("rewritable")
            .lucene,
    )
}

// ---------------------------------------------------------------------------------------------
// Equality family
// ---------------------------------------------------------------------------------------------

#[test]
fn equals_case_sensitive() {
    assert_eq!(
        exact(&query(
            "DeviceProcessEvents",
            vec![filter(sm("ProcessName", Equals, CS, &["cmd.exe"]))]
        )),
        "FROM DeviceProcessEvents\n| WHERE ProcessName == \"cmd.exe\"\n| LIMIT 10000\n"
    );
}

#[test]
fn equals_case_insensitive_lowers_field_and_literal() {
    insta::assert_snapshot!(where_of_kql(r#"T | where ProcessName =~ "CMD.exe""#), @r#"TO_LOWER(ProcessName) == "cmd.exe""#);
}

#[test]
fn not_equals_keeps_missing_values() {
    insta::assert_snapshot!(where_of_kql(r#"T | where ProcessName != "x""#), @r#"ProcessName IS NULL OR ProcessName != "x""#);
    insta::assert_snapshot!(where_of_kql(r#"T | where ProcessName !~ "X""#), @r#"ProcessName IS NULL OR TO_LOWER(ProcessName) != "x""#);
}

#[test]
fn equals_empty_matches_missing() {
    insta::assert_snapshot!(where_of_kql(r#"T | where A == """#), @r#"A IS NULL OR A == """#);
    insta::assert_snapshot!(where_of_kql(r#"T | where A != """#), @r#"A IS NOT NULL AND A != """#);
}

#[test]
fn in_and_not_in() {
    insta::assert_snapshot!(where_of_kql(r#"T | where A in ("a", "B")"#), @r#"A IN ("a", "B")"#);
    assert_eq!(
        where_of(sm("A", Equals, CI, &["Tor.exe", "MEEK-client.exe"])),
        // Elasticsearch pushes `TO_LOWER(A) RLIKE` down to Lucene, not `TO_LOWER(A) IN`
        // (`pushdown`).
        "TO_LOWER(A) RLIKE \"(tor\\\\.exe|meek\\\\-client\\\\.exe)\""
    );
    insta::assert_snapshot!(where_of_kql(r#"T | where A !in~ ("a", "b")"#), @r#"A IS NULL OR TO_LOWER(A) NOT RLIKE "(a|b)""#);
    insta::assert_snapshot!(where_of_kql(r#"T | where A !in ("", "b")"#), @r#"A IS NOT NULL AND A NOT IN ("", "b")"#);
}

// ---------------------------------------------------------------------------------------------
// Substring family
// ---------------------------------------------------------------------------------------------

#[test]
fn contains_family() {
    insta::assert_snapshot!(where_of_kql(r#"T | where CommandLine contains "-EncodedCommand""#), @r#"TO_LOWER(CommandLine) LIKE "*-encodedcommand*""#);
    insta::assert_snapshot!(where_of_kql(r#"T | where CommandLine contains_cs "Enc""#), @r#"CommandLine LIKE "*Enc*""#);
    insta::assert_snapshot!(where_of_kql(r#"T | where CommandLine !contains "enc""#), @r#"CommandLine IS NULL OR TO_LOWER(CommandLine) NOT LIKE "*enc*""#);
    assert_eq!(
        where_of(sm("F", StartsWith, CI, &["C:\\Users"])),
        // `TO_LOWER(F) LIKE` is pushed down to Lucene, `STARTS_WITH(TO_LOWER(F), …)` is not
        // (`pushdown`).
        "TO_LOWER(F) LIKE \"c:\\\\\\\\users*\""
    );
    insta::assert_snapshot!(where_of_kql(r#"T | where F !endswith_cs ".EXE""#), @r#"F IS NULL OR NOT (ENDS_WITH(F, ".EXE"))"#);
}

#[test]
fn contains_empty_is_always_true() {
    let text = exact(&query("T", vec![filter(sm("F", Contains, CI, &[""]))]));
    assert_eq!(text, "FROM T\n| LIMIT 10000\n");
    insta::assert_snapshot!(where_of_kql(r#"T | where F !contains """#), @"FALSE");
}

// ---------------------------------------------------------------------------------------------
// Term family
// ---------------------------------------------------------------------------------------------

#[test]
fn has_is_a_bounded_term_regex() {
    insta::assert_snapshot!(where_of_kql(r#"T | where CommandLine has "Cmd.exe""#), @r#"TO_LOWER(CommandLine) RLIKE "(.*[^A-Za-z0-9])?(cmd\\.exe)([^A-Za-z0-9].*)?""#);
    assert_eq!(
        where_of(sm("C", Term, CS, &["a", "b"])),
        "C RLIKE \"(.*[^A-Za-z0-9])?(a|b)([^A-Za-z0-9].*)?\""
    );
    insta::assert_snapshot!(where_of_kql(r#"T | where C has_all ("a", "b")"#), @r#"TO_LOWER(C) RLIKE "(.*[^A-Za-z0-9])?(a)([^A-Za-z0-9].*)?" AND TO_LOWER(C) RLIKE "(.*[^A-Za-z0-9])?(b)([^A-Za-z0-9].*)?""#);
    insta::assert_snapshot!(where_of_kql(r#"T | where C !has "tor""#), @r#"C IS NULL OR TO_LOWER(C) NOT RLIKE "(.*[^A-Za-z0-9])?(tor)([^A-Za-z0-9].*)?""#);
    insta::assert_snapshot!(where_of_kql(r#"T | where C hasprefix_cs "ab""#), @r#"C RLIKE "(.*[^A-Za-z0-9])?(ab).*""#);
    insta::assert_snapshot!(where_of_kql(r#"T | where C hassuffix_cs "ab""#), @r#"C RLIKE ".*(ab)([^A-Za-z0-9].*)?""#);
}

#[test]
fn has_regex_respects_term_boundaries() {
    let pat = "(.*[^A-Za-z0-9])?(tor)([^A-Za-z0-9].*)?";
    let re = lucene_regex(pat);
    assert!(re.is_match("tor"));
    assert!(re.is_match("c:\\tor\\tor.exe"));
    assert!(re.is_match("x tor"));
    assert!(!re.is_match("tortoise"));
    assert!(!re.is_match("actor"));
    let dotted = lucene_regex("(.*[^A-Za-z0-9])?(cmd\\.exe)([^A-Za-z0-9].*)?");
    assert!(dotted.is_match("c:\\windows\\cmd.exe /c"));
    assert!(!dotted.is_match("xcmd.exe"));
    assert!(!dotted.is_match("cmdxexe"));
}

#[test]
fn has_empty_value_is_declined_with_span() {
    let d = declined(&query(
        "T",
        vec![filter(at(sm("C", Term, CI, &[""]), 10, 20))],
    ));
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code.0, "B002");
    assert_eq!(d[0].span, sp(10, 20));
}

#[test]
fn non_ascii_literal_is_noted() {
    let t = run(&query(
        "T",
        vec![filter(at(sm("C", Equals, CI, &["Ärger"]), 3, 9))],
    ))
    .expect("translated");
    assert_eq!(
        t.text,
        "FROM T\n| WHERE TO_LOWER(C) == \"ärger\"\n| LIMIT 10000\n"
    );
    let n = notes(&t);
    assert_eq!(n.len(), 1);
    assert_eq!((n[0].0, n[0].1), (sp(3, 9), Effect::OverMatch));
}

// ---------------------------------------------------------------------------------------------
// Regex
// ---------------------------------------------------------------------------------------------

#[test]
fn regex_is_wrapped_and_rewritten() {
    insta::assert_snapshot!(where_of_kql(r#"T | where C matches regex "a\\d+b""#), @r#"C RLIKE ".*(a([0-9])+b).*""#);
    insta::assert_snapshot!(where_of_kql(r#"T | where C matches regex "^powershell.*-enc""#), @r#"C RLIKE "(powershell([^\n])*\\-enc).*""#);
    insta::assert_snapshot!(where_of_kql(r#"T | where C matches regex "(?i)cmd$""#), @r#"C RLIKE ".*([Cc][Mm][Dd])""#);
    insta::assert_snapshot!(where_of_kql(r#"T | where C matches regex "^a|b$""#), @r#"C RLIKE "((a).*)|(.*(b))""#);
    // Alternatives with the same anchors share one `.*(…|…).*`: a `.*…*` of their own each
    // would multiply the determinised automaton's states (issue 15: six IP prefixes as
    // `(.*(A).*)|(.*(B).*)|…` exceeded Elasticsearch 9's determinisation work limit).
    insta::assert_snapshot!(where_of_kql(r#"T | where C matches regex "10\\.|192\\.168\\.|^127\\.|172\\.16\\.""#), @r#"C RLIKE "(.*(10\\.|192\\.168\\.|172\\.16\\.).*)|((127\\.).*)""#);
    insta::assert_snapshot!(where_of_kql(r#"T | where C matches regex "a|""#), @r#"C IS NULL OR C RLIKE ".*(a|()).*""#);
    assert_eq!(
        where_of(not_sm("C", Regex, CS, &["x"])),
        "C IS NULL OR C NOT RLIKE \".*(x).*\""
    );
}

#[test]
fn regex_matching_empty_accepts_missing() {
    insta::assert_snapshot!(where_of_kql(r#"T | where C matches regex "a*""#), @r#"C IS NULL OR C RLIKE ".*((a)*).*""#);
    assert_eq!(
        where_of(not_sm("C", Regex, CS, &["a*"])),
        "C IS NOT NULL AND C NOT RLIKE \".*((a)*).*\""
    );
}

#[test]
fn regex_rewrite_keeps_re2_meaning() {
    let re = rlike_of("evil\\.exe\\s+-w\\s*hidden");
    assert!(re.is_match("C:\\evil.exe  -w hidden now"));
    assert!(!re.is_match("evilxexe -w hidden"));
    let anchored = rlike_of("^cmd");
    assert!(anchored.is_match("cmd /c"));
    assert!(!anchored.is_match("x cmd"));
    let dot = rlike_of("a.b");
    assert!(dot.is_match("xa-by"));
    assert!(!dot.is_match("a\nb"));
    let dotall = rlike_of("(?s)a.b");
    assert!(dotall.is_match("a\nb"));
    let class = rlike_of("[^a-c]x[#@&<>~\"]");
    assert!(class.is_match("dx#"));
    assert!(class.is_match("zx\""));
    assert!(!class.is_match("ax#"));
    let word = rlike_of("\\w\\W");
    assert!(word.is_match("_-"));
    assert!(!word.is_match("é-"));
    let lazy = rlike_of("a.*?b");
    assert!(lazy.is_match("a--b"));
    let bounded = rlike_of("x{2,3}");
    assert!(bounded.is_match("axxb"));
    assert!(!bounded.is_match("axb"));
    let ci = lucene_regex(&lucene::rewrite_re2("abc", true).expect("ok").lucene);
    assert!(ci.is_match("xAbCx"));
}

#[test]
fn regex_without_exact_form_is_declined() {
    for (pat, what) in [
        ("\\bcmd\\b", "word-boundary"),
        ("a^b", "anchors"),
        ("(?m)^a", "anchors"),
        ("(^a)", "anchors"),
        ("[a&&b]", "not RE2 syntax"),
        ("(?x)a b", "not an RE2 flag"),
        ("(", "not a valid RE2 pattern"),
    ] {
        let d = declined(&query(
            "T",
            vec![filter(at(sm("C", Regex, CS, &[pat]), 4, 30))],
        ));
        assert_eq!(d[0].code.0, "B001", "{pat}");
        assert_eq!(d[0].span, sp(4, 30));
        assert!(d[0].message.contains(what), "{pat}: {}", d[0].message);
    }
}

// ---------------------------------------------------------------------------------------------
// Boolean structure and null safety
// ---------------------------------------------------------------------------------------------

#[test]
fn not_is_pushed_to_null_safe_leaves() {
    let pr = not(and(vec![
        sm("A", Contains, CI, &["x"]),
        cmp(field("Port"), CmpOp::Gt, long(5)),
    ]));
    assert_eq!(
        where_of(pr),
        "A IS NULL OR TO_LOWER(A) NOT LIKE \"*x*\" OR Port <= 5"
    );
    let pr = or(vec![
        and(vec![
            sm("A", Equals, CS, &["a"]),
            sm("B", Equals, CS, &["b"]),
        ]),
        sm("C", Equals, CS, &["c"]),
    ]);
    assert_eq!(where_of(pr), "(A == \"a\" AND B == \"b\") OR C == \"c\"");
    let pr = not(or(vec![
        sm("A", Equals, CS, &["a"]),
        not(sm("B", Equals, CS, &["b"])),
    ]));
    assert_eq!(where_of(pr), "(A IS NULL OR A != \"a\") AND B == \"b\"");
}

#[test]
fn numeric_comparisons_follow_kql_null_rules() {
    assert_eq!(
        where_of(cmp(field("RemotePort"), CmpOp::Ne, long(443))),
        "RemotePort IS NULL OR RemotePort != 443"
    );
    assert_eq!(
        where_of(not(cmp(field("RemotePort"), CmpOp::Eq, long(443)))),
        "RemotePort IS NULL OR RemotePort != 443"
    );
    assert_eq!(
        where_of(not(cmp(field("RemotePort"), CmpOp::Ne, long(443)))),
        "RemotePort == 443"
    );
    assert_eq!(
        where_of(not(cmp(field("RemotePort"), CmpOp::Lt, long(1024)))),
        "RemotePort >= 1024"
    );
    assert_eq!(
        where_of(typed_cmp(
            field("A"),
            CmpOp::Ne,
            field("B"),
            Operands::NotStrings
        )),
        "(A IS NULL AND B IS NOT NULL) OR (A IS NOT NULL AND B IS NULL) OR A != B"
    );
}

#[test]
fn string_columns_compare_with_missing_as_empty() {
    // KQL strings are never null: a missing one is "", so both sides are coalesced.
    for (op, text) in [(CmpOp::Ne, "!="), (CmpOp::Eq, "=="), (CmpOp::Lt, "<")] {
        assert_eq!(
            where_of(typed_cmp(field("A"), op, field("B"), Operands::Strings)),
            format!("COALESCE(A, \"\") {text} COALESCE(B, \"\")")
        );
    }
    // `not(a == b)` is `a != b` on never-null strings.
    assert_eq!(
        where_of(not(typed_cmp(
            field("A"),
            CmpOp::Eq,
            field("B"),
            Operands::Strings
        ))),
        "COALESCE(A, \"\") != COALESCE(B, \"\")"
    );
}

#[test]
fn non_string_columns_follow_kql_null_rules() {
    // null == x is false, null < x null: ES|QL's own comparison; exact.
    assert_eq!(
        where_of(typed_cmp(
            field("A"),
            CmpOp::Eq,
            field("B"),
            Operands::NotStrings
        )),
        "A == B"
    );
    assert_eq!(
        where_of(not(typed_cmp(
            field("A"),
            CmpOp::Lt,
            field("B"),
            Operands::NotStrings
        ))),
        "A >= B"
    );
    // not(a == b) is true when exactly one side is null.
    assert_eq!(
        where_of(not(typed_cmp(
            field("A"),
            CmpOp::Eq,
            field("B"),
            Operands::NotStrings
        ))),
        "(A IS NULL AND B IS NOT NULL) OR (A IS NOT NULL AND B IS NULL) OR A != B"
    );
}

#[test]
fn unknown_type_columns_note_the_string_case() {
    let cases = [
        (CmpOp::Ne, Effect::OverMatch),
        (CmpOp::Eq, Effect::UnderMatch),
        (CmpOp::Ge, Effect::UnderMatch),
    ];
    for (op, effect) in cases {
        let t = run(&query(
            "T",
            vec![filter(typed_cmp(
                field("A"),
                op,
                field("B"),
                Operands::Unknown,
            ))],
        ))
        .expect("ok");
        let n = notes(&t);
        assert_eq!(n.len(), 1, "{}", t.text);
        assert_eq!(n[0].1, effect, "{}", t.text);
        assert!(n[0].2.contains("unknown type"), "{:?}", n[0]);
    }
}

#[test]
fn column_equality_notes_the_missing_string_case() {
    let t = run(&query(
        "T",
        vec![filter(cmp(field("A"), CmpOp::Eq, field("B")))],
    ))
    .expect("ok");
    assert_eq!(t.text, "FROM T\n| WHERE A == B\n| LIMIT 10000\n");
    assert_eq!(notes(&t)[0].1, Effect::UnderMatch);
}

#[test]
fn time_window_and_datetimes() {
    assert_eq!(
        where_of(p(PredicateKind::TimeWindow {
            field: field("TimeGenerated"),
            op: CmpOp::Gt,
            ago: days(7),
        })),
        "TimeGenerated > NOW() - 7 days"
    );
    assert_eq!(
        where_of(not(p(PredicateKind::TimeWindow {
            field: field("TimeGenerated"),
            op: CmpOp::Ge,
            ago: hours(1),
        }))),
        "TimeGenerated < NOW() - 1 hour"
    );
    assert_eq!(
        where_of(cmp(
            field("TimeGenerated"),
            CmpOp::Ge,
            e(ExprKind::Literal(Literal::DateTime(
                "2024-01-01T00:00:00Z".into()
            )))
        )),
        "TimeGenerated >= TO_DATETIME(\"2024-01-01T00:00:00Z\")"
    );
    assert_eq!(
        where_of(cmp(
            field("TimeGenerated"),
            CmpOp::Gt,
            e(ExprKind::Ago(Duration::from_ticks(30 * 600_000_000)))
        )),
        "TimeGenerated > NOW() - 30 minutes"
    );
}

#[test]
fn sub_millisecond_span_is_declined() {
    let d = declined(&query(
        "T",
        vec![filter(at(
            p(PredicateKind::TimeWindow {
                field: field("TimeGenerated"),
                op: CmpOp::Gt,
                ago: Duration::from_ticks(5),
            }),
            1,
            2,
        ))],
    ));
    assert_eq!(d[0].code.0, "B007");
    assert_eq!(d[0].span, sp(1, 2));
}

#[test]
fn set_range_and_emptiness_predicates() {
    assert_eq!(
        where_of(p(PredicateKind::InSet {
            expr: field("EventID"),
            values: vec![Literal::Long(4624), Literal::Long(4625)],
            negated: true,
        })),
        "EventID IS NULL OR EventID NOT IN (4624, 4625)"
    );
    assert_eq!(
        where_of(p(PredicateKind::Between {
            expr: field("RemotePort"),
            low: long(1),
            high: long(1024),
            negated: false,
        })),
        "RemotePort >= 1 AND RemotePort <= 1024"
    );
    assert_eq!(
        where_of(not(p(PredicateKind::Between {
            expr: field("RemotePort"),
            low: long(1),
            high: long(1024),
            negated: false,
        }))),
        "RemotePort < 1 OR RemotePort > 1024"
    );
    assert_eq!(
        where_of(p(PredicateKind::IsEmpty {
            expr: field("A"),
            negated: false
        })),
        "A IS NULL OR TO_STRING(A) == \"\""
    );
    assert_eq!(
        where_of(p(PredicateKind::IsEmpty {
            expr: field("A"),
            negated: true
        })),
        // The pushable half leads (`pushdown`).
        "A IS NOT NULL | WHERE TO_STRING(A) != \"\""
    );
    assert_eq!(
        where_of(not(p(PredicateKind::IsNull {
            expr: field("RemotePort"),
            negated: false
        }))),
        "RemotePort IS NOT NULL"
    );
    assert_eq!(
        where_of(p(PredicateKind::Bool(call(
            ScalarFn::Ipv4IsPrivate,
            vec![field("RemoteIP")]
        )))),
        "CIDR_MATCH(TO_IP(RemoteIP), \"10.0.0.0/8\", \"172.16.0.0/12\", \"192.168.0.0/16\")"
    );
    assert_eq!(
        where_of(not(p(PredicateKind::Bool(call(
            ScalarFn::Ipv4IsInRange,
            vec![field("RemoteIP"), string("10.1.2.3")]
        ))))),
        "NOT (CIDR_MATCH(TO_IP(RemoteIP), \"10.1.2.3/32\"))"
    );
    assert_eq!(where_of(p(PredicateKind::Const(false))), "FALSE");
}

// ---------------------------------------------------------------------------------------------
// Columns
// ---------------------------------------------------------------------------------------------

#[test]
fn extend_with_strcat_iff_and_paths() {
    let q = query(
        "SigninLogs",
        vec![stage(StageKind::Extend(vec![
            assign(
                "Who",
                call(
                    ScalarFn::StrCat,
                    vec![field("UserPrincipalName"), string("@"), field("IPAddress")],
                ),
            ),
            assign("Lower", call(ScalarFn::ToLower, vec![field("Who")])),
            assign(
                "Risky",
                e(ExprKind::Case {
                    branches: vec![(sm("RiskLevel", Equals, CS, &["high"]), long(1))],
                    otherwise: Box::new(long(0)),
                }),
            ),
            assign("Os", path("DeviceDetail", &["operatingSystem"], false)),
            assign(
                "Flag",
                e(ExprKind::Predicate(Box::new(sm(
                    "AppDisplayName",
                    Term,
                    CI,
                    &["azure"],
                )))),
            ),
        ]))],
    );
    // strcat converts each part with TO_STRING (CONCAT takes strings only), noted because
    // datetimes and reals are formatted differently.
    let t = run(&q).expect("translated");
    assert!(
        matches!(&t.fidelity, Fidelity::Approximate(n) if n.len() == 1),
        "{:?}",
        t.fidelity
    );
    assert_eq!(
        t.text,
        "FROM SigninLogs\n\
         | EVAL Who = CONCAT(COALESCE(TO_STRING(UserPrincipalName), \"\"), \"@\", COALESCE(TO_STRING(IPAddress), \"\")), \
         Lower = TO_LOWER(Who), Risky = CASE(RiskLevel == \"high\", 1, 0), Os = DeviceDetail.operatingSystem, \
         Flag = CASE(TO_LOWER(AppDisplayName) RLIKE \"(.*[^A-Za-z0-9])?(azure)([^A-Za-z0-9].*)?\", TRUE, \
         AppDisplayName IS NULL OR TO_LOWER(AppDisplayName) NOT RLIKE \"(.*[^A-Za-z0-9])?(azure)([^A-Za-z0-9].*)?\", FALSE, NULL)\n\
         | LIMIT 10000\n"
    );
}

fn indexed(col: &str, segs: Vec<PathSegment>, parsed: bool, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Field(FieldPath {
            column: col.into(),
            path: segs,
            parsed,
        }),
        span,
    }
}

fn seg(k: &str) -> PathSegment {
    PathSegment::Key(k.into())
}

#[test]
fn json_text_is_read_as_object_fields_with_notes() {
    let mut parsed = path("AdditionalFields", &["a", "Account Name"], true);
    parsed.span = sp(1, 5);
    let t = run(&query(
        "T",
        vec![stage(StageKind::Extend(vec![assign("a", parsed)]))],
    ))
    .unwrap();
    assert_eq!(
        t.text,
        "FROM T\n| EVAL a = `AdditionalFields.a.Account Name`\n| LIMIT 10000\n"
    );
    let n = notes(&t);
    assert_eq!(n.len(), 2);
    assert_eq!((n[0].0, n[1].0), (sp(1, 5), sp(1, 5)));
    let effects: Vec<Effect> = n.iter().map(|n| n.1).collect();
    assert!(effects.contains(&Effect::UnderMatch) && effects.contains(&Effect::OverMatch));
    assert!(n[0].2.contains("JSON_EXTRACT") && n[0].2.contains("as an object"));
}

#[test]
fn one_array_index_reads_the_flattened_multi_value() {
    let one = |i: i64| {
        indexed(
            "TargetResources",
            vec![PathSegment::Index(i), seg("displayName")],
            false,
            sp(3, 9),
        )
    };
    let t = run(&query(
        "T",
        vec![stage(StageKind::Extend(vec![
            assign("a", one(0)),
            assign("b", one(2)),
            assign("c", one(-1)),
        ]))],
    ))
    .unwrap();
    assert_eq!(
        t.text,
        "FROM T\n| EVAL a = MV_FIRST(TargetResources.displayName), \
         b = MV_SLICE(TargetResources.displayName, 2), c = MV_SLICE(TargetResources.displayName, -1)\n\
         | LIMIT 10000\n"
    );
    let n = notes(&t);
    assert!(n.iter().all(|n| n.0 == sp(3, 9)));
    assert!(n.iter().any(|n| n.1 == Effect::UnderMatch));
    assert!(n.iter().any(|n| n.1 == Effect::OverMatch));
    assert!(n[0].2.contains("one-element array"));
    // In a predicate the picked value is tested with KQL's null rules as usual.
    let t = run(&query(
        "T",
        vec![filter(cmp(one(0), CmpOp::Eq, string("x")))],
    ))
    .unwrap();
    assert_eq!(
        t.text.lines().nth(1).unwrap(),
        "| WHERE COALESCE(MV_FIRST(TargetResources.displayName), \"\") == \"x\""
    );
}

#[test]
fn nested_array_indexes_read_the_flattened_field_with_notes() {
    let nested = |outer: i64, inner: i64| {
        indexed(
            "X",
            vec![
                PathSegment::Index(outer),
                seg("m"),
                PathSegment::Index(inner),
                seg("v"),
            ],
            false,
            sp(7, 9),
        )
    };
    // X[0].m[1].v: position 1 of the flattened X.m.v, exact only for one-element outer arrays.
    let t = run(&query(
        "T",
        vec![stage(StageKind::Extend(vec![assign("b", nested(0, 1))]))],
    ))
    .unwrap();
    assert_eq!(
        t.text,
        "FROM T\n| EVAL b = MV_SLICE(X.m.v, 1)\n| LIMIT 10000\n"
    );
    let n = notes(&t);
    let effects: Vec<_> = n.iter().map(|n| (n.0, n.1)).collect();
    assert_eq!(
        effects,
        vec![
            (sp(7, 9), Effect::UnderMatch),
            (sp(7, 9), Effect::OverMatch)
        ]
    );
    assert!(n[0].2.contains("X[0].m[1].v") && n[0].2.contains("each outer array has one element"));
    // X[1].m[0].v: the values of element 1 cannot be located in the flattened field.
    let d = declined(&query(
        "T",
        vec![stage(StageKind::Extend(vec![assign("b", nested(1, 0))]))],
    ));
    let codes: Vec<_> = d.iter().map(|d| (d.code.0, d.span)).collect();
    assert_eq!(codes, vec![("B004", sp(7, 9))]);
}

#[test]
fn a_parsed_column_alias_reads_the_source_fields() {
    // extend j = parse_json(Claims) | where j.appid == "x" | extend n = tostring(j.name)
    // | project-away j
    let whole = indexed("Claims", vec![], true, sp(1, 2));
    let j_appid = indexed("j", vec![seg("appid")], false, sp(3, 4));
    let j_name = indexed("j", vec![seg("name")], false, sp(5, 6));
    let t = run(&query(
        "T",
        vec![
            stage(StageKind::Extend(vec![assign("j", whole)])),
            filter(cmp(j_appid, CmpOp::Eq, string("x"))),
            stage(StageKind::Extend(vec![assign("n", j_name)])),
            stage(StageKind::ProjectAway(vec![ColumnPattern {
                pattern: "j".into(),
                span: sp(7, 8),
            }])),
        ],
    ))
    .unwrap();
    assert_eq!(
        t.text,
        "FROM T\n| WHERE COALESCE(Claims.appid, \"\") == \"x\"\n| EVAL n = Claims.name\n| LIMIT 10000\n"
    );
    // The notes are at the paths that read the JSON text.
    let spans: Vec<Span> = notes(&t).iter().map(|n| n.0).collect();
    assert_eq!(spans, vec![sp(3, 4), sp(3, 4), sp(5, 6), sp(5, 6)]);
}

#[test]
fn a_whole_parsed_value_or_a_gone_source_is_declined() {
    let whole = || indexed("Claims", vec![], true, sp(1, 2));
    // project j (the whole object)
    let d = declined(&query(
        "T",
        vec![
            stage(StageKind::Extend(vec![assign("j", whole())])),
            stage(StageKind::Project(vec![assign(
                "j",
                indexed("j", vec![], false, sp(3, 4)),
            )])),
        ],
    ));
    assert_eq!((d[0].code.0, d[0].span), ("B003", sp(3, 4)));
    // where parse_json(Claims) == "x"
    let d = declined(&query(
        "T",
        vec![filter(cmp(whole(), CmpOp::Eq, string("x")))],
    ));
    assert_eq!((d[0].code.0, d[0].span), ("B003", sp(1, 2)));
    // extend j = parse_json(Claims) | project-away Claims | where j.a == "x"
    let d = declined(&query(
        "T",
        vec![
            stage(StageKind::Extend(vec![assign("j", whole())])),
            stage(StageKind::ProjectAway(vec![ColumnPattern {
                pattern: "Cl*".into(),
                span: sp(5, 6),
            }])),
            filter(cmp(
                indexed("j", vec![seg("a")], false, sp(7, 8)),
                CmpOp::Eq,
                string("x"),
            )),
        ],
    ));
    assert_eq!((d[0].code.0, d[0].span), ("B003", sp(7, 8)));
    // summarize by j
    let d = declined(&query(
        "T",
        vec![
            stage(StageKind::Extend(vec![assign("j", whole())])),
            stage(StageKind::Aggregate {
                by: vec![GroupKey {
                    name: col("j"),
                    kind: GroupKeyKind::Expr(indexed("j", vec![], false, sp(9, 10))),
                    operands: Default::default(),
                }],
                aggs: vec![],
            }),
        ],
    ));
    assert_eq!((d[0].code.0, d[0].span), ("B003", sp(9, 10)));
}

#[test]
fn a_dynamic_path_alias_reads_through_to_the_source() {
    // extend u = InitiatedBy.user | where u.upn == "a"  ⇒  InitiatedBy.user.upn
    let t = exact(&query(
        "T",
        vec![
            stage(StageKind::Extend(vec![assign(
                "u",
                path("InitiatedBy", &["user"], false),
            )])),
            filter(cmp(path("u", &["upn"], false), CmpOp::Eq, string("a"))),
        ],
    ));
    assert_eq!(
        t,
        // The filter reads no column the EVAL assigns: it moves up to lead (`pushdown`).
        "FROM T\n| WHERE COALESCE(InitiatedBy.user.upn, \"\") == \"a\"\n| EVAL u = InitiatedBy.user\n| LIMIT 10000\n"
    );
}

#[test]
fn project_family() {
    assert_eq!(
        exact(&query(
            "T",
            vec![stage(StageKind::Project(vec![
                assign("TimeGenerated", field("TimeGenerated")),
                assign("Account", field("AccountName")),
                assign("Len", call(ScalarFn::Strlen, vec![field("CommandLine")])),
            ]))]
        )),
        "FROM T\n| EVAL Account = AccountName, Len = LENGTH(COALESCE(CommandLine, \"\"))\n| KEEP TimeGenerated, Account, Len\n| LIMIT 10000\n"
    );
    let pat = |s: &str| ColumnPattern {
        pattern: s.into(),
        span: sp(0, 0),
    };
    assert_eq!(
        exact(&query(
            "T",
            vec![
                stage(StageKind::ProjectAway(vec![pat("Extra*"), pat("Raw")])),
                stage(StageKind::Rename(vec![(col("Host"), col("DeviceName"))])),
                stage(StageKind::Reorder(vec![pat("Host")])),
                stage(StageKind::ProjectKeep(vec![pat("Host"), pat("Time*")])),
            ]
        )),
        "FROM T\n| DROP Extra*, Raw\n| RENAME DeviceName AS Host\n| KEEP Host, *\n| KEEP Host, Time*\n| LIMIT 10000\n"
    );
}

#[test]
fn project_swap_is_declined() {
    let d = declined(&query(
        "T",
        vec![stage(StageKind::Project(vec![
            assign("a", field("b")),
            assign("b", field("a")),
        ]))],
    ));
    assert_eq!(d[0].code.0, "B009");
}

#[test]
fn identifiers_are_quoted_when_needed() {
    assert_eq!(Ident("ProcessName").to_string(), "ProcessName");
    assert_eq!(Ident("@timestamp").to_string(), "@timestamp");
    assert_eq!(Ident("a.b_c").to_string(), "a.b_c");
    assert_eq!(Ident("by").to_string(), "`by`");
    assert_eq!(Ident("Count").to_string(), "Count");
    assert_eq!(Ident("a b").to_string(), "`a b`");
    assert_eq!(Ident("we`ird").to_string(), "`we``ird`");
    assert_eq!(Ident("1st").to_string(), "`1st`");
    assert_eq!(
        where_of(sm("Process Name", Equals, CS, &["x"])),
        "`Process Name` == \"x\""
    );
}

// ---------------------------------------------------------------------------------------------
// Aggregation and ordering
// ---------------------------------------------------------------------------------------------

fn agg(name: &str, func: AggFunc) -> Aggregation {
    Aggregation {
        name: col(name),
        func,
        span: sp(0, 0),
    }
}

fn key(name: &str, expr: Expr) -> GroupKey {
    GroupKey {
        name: col(name),
        kind: GroupKeyKind::Expr(expr),
        operands: Default::default(),
    }
}

#[test]
fn summarize_with_threshold_and_order() {
    let t = run(&query(
        "SigninLogs",
        vec![
            filter(sm("ResultType", Equals, CS, &["50126"])),
            stage(StageKind::Aggregate {
                by: vec![
                    key("IPAddress", field("IPAddress")),
                    GroupKey {
                        name: col("TimeGenerated"),
                        kind: GroupKeyKind::Bin {
                            field: field("TimeGenerated"),
                            size: BinSize::Duration(days(1)),
                        },
                        operands: Default::default(),
                    },
                ],
                aggs: vec![
                    agg("Failures", AggFunc::Count),
                    agg(
                        "Distinct",
                        AggFunc::CountIf(sm("AppDisplayName", Contains, CI, &["Azure"])),
                    ),
                ],
            }),
            filter(cmp(field("Failures"), CmpOp::Gt, long(5))),
            stage(StageKind::Sort(vec![SortKey {
                expr: field("Failures"),
                dir: SortDir::Desc,
                nulls: Nulls::Last,
            }])),
        ],
    ))
    .expect("ok");
    assert_eq!(
        t.text,
        "FROM SigninLogs\n\
         | WHERE ResultType == \"50126\"\n\
         | STATS Failures = COUNT(*), Distinct = COUNT(*) WHERE TO_LOWER(AppDisplayName) LIKE \"*azure*\" BY IPAddress, TimeGenerated = DATE_TRUNC(24 hours, TimeGenerated)\n\
         | KEEP IPAddress, TimeGenerated, Failures, Distinct\n\
         | WHERE Failures > 5\n\
         | SORT Failures DESC NULLS LAST\n\
         | LIMIT 10000\n"
    );
    // `IPAddress` of unknown type: if it is a string, its missing values and "" are one KQL
    // group and two ES|QL groups: an added row and a KQL row missing (counts split).
    let n = notes(&t);
    let effects: Vec<Effect> = n.iter().map(|n| n.1).collect();
    assert_eq!(
        effects,
        vec![Effect::OverMatch, Effect::UnderMatch],
        "{n:?}"
    );
}

#[test]
fn string_group_keys_merge_missing_values_into_empty() {
    // summarize n = count() by IPAddress (a string), Port (a long)
    let mut ip = key("IPAddress", field("IPAddress"));
    ip.operands = Operands::Strings;
    let mut port = key("Port", field("Port"));
    port.operands = Operands::NotStrings;
    let t = run(&query(
        "T",
        vec![summarize(vec![ip, port], vec![agg("n", AggFunc::Count)])],
    ))
    .expect("ok");
    assert_eq!(
        t.text,
        "FROM T\n\
         | STATS n = COUNT(*) BY IPAddress = COALESCE(IPAddress, \"\"), Port\n\
         | KEEP IPAddress, Port, n\n\
         | LIMIT 10000\n"
    );
    assert!(notes(&t).is_empty(), "{:?}", notes(&t));
}

#[test]
fn week_bins_are_epoch_aligned_hours() {
    let t = run(&query(
        "T",
        vec![stage(StageKind::Aggregate {
            by: vec![GroupKey {
                name: col("W"),
                kind: GroupKeyKind::Bin {
                    field: field("TimeGenerated"),
                    size: BinSize::Duration(days(7)),
                },
                operands: Default::default(),
            }],
            aggs: vec![agg("c", AggFunc::Count)],
        })],
    ))
    .expect("ok");
    assert!(t
        .text
        .contains("BY W = DATE_TRUNC(168 hours, TimeGenerated)"));
}

#[test]
fn estimating_and_set_aggregates_are_noted() {
    let t = run(&query(
        "T",
        vec![stage(StageKind::Aggregate {
            by: vec![],
            aggs: vec![
                Aggregation {
                    span: sp(1, 2),
                    ..agg("n", AggFunc::DCount(field("IPAddress")))
                },
                Aggregation {
                    span: sp(3, 4),
                    ..agg(
                        "ips",
                        AggFunc::MakeSet {
                            expr: field("IPAddress"),
                            max: Some(10),
                        },
                    )
                },
                Aggregation {
                    span: sp(5, 6),
                    ..agg(
                        "all",
                        AggFunc::MakeList {
                            expr: field("IPAddress"),
                            max: None,
                        },
                    )
                },
                agg("first", AggFunc::Min(field("TimeGenerated"))),
                agg("any", AggFunc::TakeAny(field("Account"))),
                agg("total", AggFunc::Sum(field("Bytes"))),
                agg("mean", AggFunc::Avg(field("Bytes"))),
                agg("last", AggFunc::Max(field("TimeGenerated"))),
            ],
        })],
    ))
    .expect("ok");
    assert_eq!(
        t.text,
        "FROM T\n| STATS n = COUNT_DISTINCT(IPAddress), ips = MV_SLICE(VALUES(IPAddress), 0, 9), all = VALUES(IPAddress), \
         `first` = MIN(TimeGenerated), any = MIN(Account), total = SUM(Bytes), mean = AVG(Bytes), `last` = MAX(TimeGenerated)\n| LIMIT 10000\n"
    );
    let spans: Vec<_> = notes(&t).iter().map(|n| (n.0, n.1)).collect();
    assert_eq!(
        spans,
        vec![
            (sp(1, 2), Effect::Values),
            (sp(3, 4), Effect::Values),
            (sp(5, 6), Effect::Values)
        ]
    );
}

fn summarize(by: Vec<GroupKey>, aggs: Vec<Aggregation>) -> Stage {
    stage(StageKind::Aggregate { by, aggs })
}

#[test]
fn arg_max_star_keeps_one_row_per_group_by_id() {
    let q = query(
        "T",
        vec![summarize(
            vec![key("Host", field("Host"))],
            vec![agg(
                "TimeGenerated",
                AggFunc::ArgMax {
                    by: field("TimeGenerated"),
                    cols: vec![],
                },
            )],
        )],
    );
    let t = run(&q).unwrap();
    assert_eq!(
        t.text,
        "FROM T METADATA _id\n\
         | INLINE STATS kqlport_extreme = MAX(TimeGenerated) BY Host\n\
         | WHERE TimeGenerated == kqlport_extreme OR kqlport_extreme IS NULL\n\
         | INLINE STATS kqlport_row = MIN(_id) BY Host\n\
         | WHERE _id == kqlport_row\n\
         | DROP kqlport_extreme, kqlport_row, _id\n\
         | KEEP Host, TimeGenerated, *\n\
         | LIMIT 10000\n"
    );
    // Only the null-group note of the key (of unknown type): a group can come out split.
    let effects: Vec<Effect> = notes(&t).iter().map(|n| n.1).collect();
    assert_eq!(effects, vec![Effect::OverMatch, Effect::UnderMatch]);
}

#[test]
fn arg_min_with_columns_and_other_aggregates() {
    // summarize n = count(), arg_min(Port, Account, Cmd = tolower(CommandLine)) by Host
    let q = query(
        "T",
        vec![summarize(
            vec![key("Host", field("Host"))],
            vec![
                agg("n", AggFunc::Count),
                agg(
                    "Port",
                    AggFunc::ArgMin {
                        by: field("Port"),
                        cols: vec![
                            assign("Account", field("Account")),
                            assign("Cmd", call(ScalarFn::ToLower, vec![field("CommandLine")])),
                        ],
                    },
                ),
            ],
        )],
    );
    assert_eq!(
        run(&q).unwrap().text,
        "FROM T METADATA _id\n\
         | INLINE STATS kqlport_extreme = MIN(Port), n = COUNT(*) BY Host\n\
         | WHERE Port == kqlport_extreme OR kqlport_extreme IS NULL\n\
         | INLINE STATS kqlport_row = MIN(_id) BY Host\n\
         | WHERE _id == kqlport_row\n\
         | EVAL Cmd = TO_LOWER(CommandLine)\n\
         | KEEP Host, n, Port, Account, Cmd\n\
         | LIMIT 10000\n"
    );
}

#[test]
fn arg_max_of_a_computed_value_without_id_notes_ties() {
    // project A, Bytes | summarize arg_max(Bytes * 2, A)   (no keys; _id gone after project)
    let twice = e(ExprKind::Arith {
        op: ArithOp::Mul,
        lhs: Box::new(field("Bytes")),
        rhs: Box::new(long(2)),
    });
    let q = query(
        "T",
        vec![
            stage(StageKind::Project(vec![
                assign("A", field("A")),
                assign("Bytes", field("Bytes")),
            ])),
            summarize(
                vec![],
                vec![Aggregation {
                    span: sp(4, 9),
                    ..agg(
                        "max_Bytes",
                        AggFunc::ArgMax {
                            by: twice,
                            cols: vec![assign("A", field("A"))],
                        },
                    )
                }],
            ),
        ],
    );
    let t = run(&q).unwrap();
    assert_eq!(
        t.text,
        "FROM T\n\
         | KEEP A, Bytes\n\
         | EVAL kqlport_by = Bytes * 2\n\
         | INLINE STATS kqlport_extreme = MAX(kqlport_by)\n\
         | WHERE kqlport_by == kqlport_extreme OR kqlport_extreme IS NULL\n\
         | EVAL max_Bytes = kqlport_by\n\
         | KEEP max_Bytes, A\n\
         | LIMIT 10000\n"
    );
    let n = notes(&t);
    assert_eq!(n.len(), 1);
    assert_eq!((n[0].0, n[0].1), (sp(4, 9), Effect::OverMatch));
    assert!(n[0].2.contains("tied"));
}

#[test]
fn two_arg_extremes_or_a_star_by_a_computed_key_are_declined() {
    let am = |name: &str, a: usize| Aggregation {
        span: sp(a, a + 1),
        ..agg(
            name,
            AggFunc::ArgMax {
                by: field("TimeGenerated"),
                cols: vec![assign("A", field("A"))],
            },
        )
    };
    let d = declined(&query(
        "T",
        vec![summarize(vec![], vec![am("x", 2), am("y", 5)])],
    ));
    assert_eq!((d[0].code.0, d[0].span), ("B006", sp(5, 6)));
    let binned = GroupKey {
        name: col("TimeGenerated"),
        kind: GroupKeyKind::Bin {
            field: field("TimeGenerated"),
            size: BinSize::Duration(hours(1)),
        },
        operands: Default::default(),
    };
    let star = Aggregation {
        span: sp(7, 8),
        ..agg(
            "TimeGenerated1",
            AggFunc::ArgMax {
                by: field("TimeGenerated"),
                cols: vec![],
            },
        )
    };
    let d = declined(&query("T", vec![summarize(vec![binned], vec![star])]));
    assert_eq!((d[0].code.0, d[0].span), ("B006", sp(7, 8)));
}

#[test]
fn array_length_is_mv_count_with_notes() {
    let mut len = call(ScalarFn::ArrayLength, vec![field("Users")]);
    len.span = sp(2, 6);
    let t = run(&query("T", vec![filter(cmp(len, CmpOp::Gt, long(3)))])).unwrap();
    assert_eq!(
        t.text,
        "FROM T\n| WHERE MV_COUNT(Users) > 3\n| LIMIT 10000\n"
    );
    let n = notes(&t);
    let effects: Vec<_> = n.iter().map(|n| (n.0, n.1)).collect();
    assert_eq!(
        effects,
        vec![
            (sp(2, 6), Effect::UnderMatch),
            (sp(2, 6), Effect::OverMatch)
        ]
    );
    assert!(n[0].2.contains("empty array"));
}

#[test]
fn strcat_of_one_part_is_not_a_one_argument_concat() {
    let q = query(
        "T",
        vec![stage(StageKind::Extend(vec![
            assign("a", call(ScalarFn::StrCat, vec![string("x")])),
            assign("b", call(ScalarFn::StrCat, vec![field("Port")])),
        ]))],
    );
    assert_eq!(
        exact(&q),
        "FROM T\n| EVAL a = \"x\", b = COALESCE(TO_STRING(Port), \"\")\n| LIMIT 10000\n"
    );
}

#[test]
fn sort_top_take_distinct_count() {
    let k = |dir, nulls| SortKey {
        expr: field("TimeGenerated"),
        dir,
        nulls,
    };
    assert_eq!(
        exact(&query(
            "T",
            vec![stage(StageKind::Sort(vec![
                k(SortDir::Desc, Nulls::Last),
                k(SortDir::Asc, Nulls::First)
            ]))]
        )),
        "FROM T\n| SORT TimeGenerated DESC NULLS LAST, TimeGenerated ASC NULLS FIRST\n| LIMIT 10000\n"
    );
    assert_eq!(
        exact(&query(
            "T",
            vec![stage(StageKind::Top {
                n: 10,
                key: k(SortDir::Desc, Nulls::Last)
            })]
        )),
        "FROM T\n| SORT TimeGenerated DESC NULLS LAST\n| LIMIT 10\n"
    );
    assert_eq!(
        exact(&query("T", vec![stage(StageKind::Limit(5))])),
        "FROM T\n| LIMIT 5\n"
    );
    assert_eq!(
        exact(&query("T", vec![stage(StageKind::Count)])),
        "FROM T\n| STATS Count = COUNT(*)\n| LIMIT 10000\n"
    );
    let t = run(&query(
        "T",
        vec![stage(StageKind::Distinct(vec![col("A"), col("B")]))],
    ))
    .expect("ok");
    assert_eq!(t.text, "FROM T\n| STATS BY A, B\n| LIMIT 10000\n");
    assert_eq!(notes(&t).len(), 2);
}

#[test]
fn take_above_the_cap_is_noted() {
    let t = run(&query(
        "T",
        vec![Stage {
            kind: StageKind::Limit(50_000),
            span: sp(4, 14),
        }],
    ))
    .expect("ok");
    assert_eq!(t.text, "FROM T\n| LIMIT 50000\n| LIMIT 10000\n");
    assert_eq!(notes(&t)[0].0, sp(4, 14));
    assert_eq!(notes(&t)[0].1, Effect::UnderMatch);
}

// ---------------------------------------------------------------------------------------------
// Escaping and injection
// ---------------------------------------------------------------------------------------------

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
    assert_eq!(d[0].code.0, "B008");
    let d = declined(&query(
        "T",
        vec![stage(StageKind::ProjectAway(vec![ColumnPattern {
            pattern: "a b*".into(),
            span: sp(3, 7),
        }]))],
    ));
    assert_eq!((d[0].code.0, d[0].span), ("B008", sp(3, 7)));
}

#[test]
fn backend_name() {
    assert_eq!(Esql.name(), "esql");
}

#[test]
fn calendar_starts_and_replace_regex() {
    let ext = |e: Expr| {
        run(&query(
            "T",
            vec![stage(StageKind::Extend(vec![assign("x", e)]))],
        ))
    };
    let t = ext(call(ScalarFn::StartOfMonth, vec![field("TimeGenerated")])).unwrap();
    assert_eq!(t.fidelity, Fidelity::Exact);
    assert!(
        t.text
            .contains("EVAL x = DATE_TRUNC(1 month, TimeGenerated)"),
        "{}",
        t.text
    );
    // KQL weeks start on Sunday; DATE_TRUNC's on Monday.
    let t = ext(call(ScalarFn::StartOfWeek, vec![field("TimeGenerated")])).unwrap();
    assert_eq!(t.fidelity, Fidelity::Exact);
    assert!(
        t.text
            .contains("EVAL x = DATE_TRUNC(1 week, TimeGenerated + 1 day) - 1 day"),
        "{}",
        t.text
    );
    // The pattern is rewritten for Java (RE2's ASCII \d); \1 becomes $1, a literal $ is
    // escaped for Java's rewrite, \\ stays a backslash.
    let t = ext(call(
        ScalarFn::Replace,
        vec![field("S"), string(r"a(\d+)"), string(r"<\1>$\\")],
    ))
    .unwrap();
    assert_eq!(t.fidelity, Fidelity::Exact);
    assert!(
        t.text
            .contains(r#"EVAL x = REPLACE(COALESCE(S, ""), "a((?:[0-9])+)", "<$1>\\$\\\\")"#),
        "{}",
        t.text
    );
    // Other rewrite escapes and non-literal patterns are declined.
    assert!(ext(call(
        ScalarFn::Replace,
        vec![field("S"), string("a"), string(r"\n")]
    ))
    .is_err());
    assert!(ext(call(
        ScalarFn::Replace,
        vec![field("S"), field("P"), string("")]
    ))
    .is_err());
}

mod functions;
mod members;
mod row_cap;
mod stored;
// ---------------------------------------------------------------------------------------------
// RE2 → Java regex (REPLACE) and the functions built on it
// ---------------------------------------------------------------------------------------------

fn java(p: &str) -> String {
    crate::java::rewrite_re2(p).expect("rewritable").pattern
}

#[test]
fn java_regex_spells_re2_semantics_explicitly() {
    // RE2's Perl classes are ASCII; Java's \s would also match U+000B.
    assert_eq!(
        java(r"\d\s\w"),
        r"[0-9][\x{9}-\x{a}\x{c}-\x{d} ][0-9A-Z\_a-z]"
    );
    // `.` stops only at \n (Java's also stops at \r, U+0085, U+2028, U+2029).
    assert_eq!(java("a.b"), r"a[^\x{a}]b");
    assert_eq!(java("(?s)a.b"), "a(?s:.)b");
    // (?i) is Unicode simple case folding, as in RE2 (Java folds ASCII only by default).
    assert_eq!(java("(?i)k"), "[Kk\u{212a}]");
    // Anchors: `$` must not match before a final \n; (?m) anchors look at \n only.
    assert_eq!(java("^a$"), r"\Aa\z");
    assert_eq!(java("(?m)^a$"), r"(?:\A|(?<=\x{a}))a(?:\z|(?=\x{a}))");
    // ASCII word boundaries.
    assert_eq!(
        java(r"\bx\B"),
        "(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))x\
         (?:(?<=[0-9A-Za-z_])(?=[0-9A-Za-z_])|(?<![0-9A-Za-z_])(?![0-9A-Za-z_]))"
    );
    // Laziness is kept, and (?U) swaps it.
    assert_eq!(java("a+?b*"), "(?:a)+?(?:b)*");
    assert_eq!(java("(?U)a+?b*"), "(?:a)+(?:b)*?");
    // Every ASCII punctuation literal is escaped, control characters are \x{..}; names dropped.
    assert_eq!(java(r#"(?P<n>\$"=)\x00"#), r#"(\$\"\=)\x{0}"#);
    // RE2 reads \< and \> as the characters (regex-syntax as word boundaries).
    assert_eq!(java(r"\<a\>"), r"\<a\>");
    // A flag set in one alternative stays set for the next (RE2).
    assert_eq!(java("a(?i)b|c"), "a[Bb]|[Cc]");
    let j = crate::java::rewrite_re2(r"(a)(?:b)(c(d))|\>").unwrap();
    assert_eq!((j.groups, j.matches_empty), (3, false));
    assert!(crate::java::rewrite_re2("x*").unwrap().matches_empty);
    // Java and RE2 report the capture of a repeated empty-matching group differently.
    assert!(crate::java::rewrite_re2("(a*)+b").is_err());
    assert!(crate::java::rewrite_re2(r"\Qa\E").is_err());
}

fn ext1(e: Expr) -> Result<Translation, Vec<Diagnostic>> {
    run(&query(
        "T",
        vec![stage(StageKind::Extend(vec![assign("x", e)]))],
    ))
}

/// The EVAL line of a one-extend query.
fn eval_of(e: Expr) -> String {
    let t = ext1(e).expect("translated");
    t.text.lines().nth(1).expect("EVAL").to_string()
}

#[test]
fn extract_is_a_whole_text_replace_by_the_group() {
    let t = ext1(call(
        ScalarFn::Extract,
        vec![string(r"user=(\w+)"), long(1), field("Msg")],
    ))
    .unwrap();
    assert_eq!(t.fidelity, Fidelity::Exact);
    assert_eq!(
        t.text.lines().nth(1).unwrap(),
        r#"| EVAL x = REPLACE(COALESCE(Msg, ""), "\\A(?s:.*?)(?:user\\=((?:[0-9A-Z\\_a-z])+))(?s:.*)|(?s:.*)", "$1")"#
    );
    // Group 0 wraps the regex in a group of its own.
    assert_eq!(
        eval_of(call(
            ScalarFn::Extract,
            vec![string("a.c"), long(0), field("Msg")]
        )),
        r#"| EVAL x = REPLACE(COALESCE(Msg, ""), "\\A(?s:.*?)(a[^\\x{a}]c)(?s:.*)|(?s:.*)", "$0")"#
            .replace("$0", "$1")
    );
    // A group the regex does not have, a computed regex, a type argument: declined.
    for args in [
        vec![string("(a)"), long(2), field("Msg")],
        vec![field("P"), long(1), field("Msg")],
        vec![string("(a)"), long(1), field("Msg"), string("typeof(long)")],
    ] {
        let d = ext1(call(ScalarFn::Extract, args)).unwrap_err();
        assert_eq!(d[0].code.0, "B005");
    }
    let d = ext1(call(
        ScalarFn::Extract,
        vec![string(r"(a*)+b"), long(1), field("Msg")],
    ))
    .unwrap_err();
    assert_eq!(d[0].code.0, "B001");
}

#[test]
fn replace_string_quotes_the_lookup_and_the_rewrite() {
    assert_eq!(
        eval_of(call(
            ScalarFn::ReplaceString,
            vec![field("U"), string("a.b$"), string(r"\$1")]
        )),
        r#"| EVAL x = REPLACE(COALESCE(U, ""), "a\\.b\\$", "\\\\\\$1")"#
    );
    assert!(ext1(call(
        ScalarFn::ReplaceString,
        vec![field("U"), string(""), string("x")]
    ))
    .is_err());
}

#[test]
fn replace_regex_rewrite_groups_and_empty_matches() {
    // \0 is the whole match; a group the regex lacks is declined.
    assert_eq!(
        eval_of(call(
            ScalarFn::Replace,
            vec![field("S"), string("b"), string(r"[\0]")]
        )),
        r#"| EVAL x = REPLACE(COALESCE(S, ""), "b", "[$0]")"#
    );
    assert!(ext1(call(
        ScalarFn::Replace,
        vec![field("S"), string("(b)"), string(r"\2")]
    ))
    .is_err());
    // RE2 and Java place empty matches differently: a Values note.
    let mut e = call(
        ScalarFn::Replace,
        vec![field("S"), string("b*"), string("-")],
    );
    e.span = sp(3, 8);
    let t = ext1(e).unwrap();
    let n = notes(&t);
    assert_eq!((n.len(), n[0].0, n[0].1), (1, sp(3, 8), Effect::Values));
    assert!(n[0].2.contains("empty"));
}

#[test]
fn countof_counts_by_the_length_of_two_replaces() {
    // Plain text counts overlapping occurrences (a lookahead matches at each start).
    assert_eq!(
        eval_of(call(ScalarFn::CountOf, vec![field("C"), string("a.")])),
        r#"| EVAL x = LENGTH(REPLACE(COALESCE(C, ""), "(?=a\\.)", "xx")) - LENGTH(REPLACE(COALESCE(C, ""), "(?=a\\.)", "x"))"#
    );
    assert_eq!(
        eval_of(call(
            ScalarFn::CountOf,
            vec![field("C"), string("[A-Z]"), string("regex")]
        )),
        r#"| EVAL x = LENGTH(REPLACE(COALESCE(C, ""), "[A-Z]", "xx")) - LENGTH(REPLACE(COALESCE(C, ""), "[A-Z]", "x"))"#
    );
    for args in [
        vec![field("C"), string("a*"), string("regex")],
        vec![field("C"), string("")],
        vec![field("C"), string("a"), string("fuzzy")],
    ] {
        assert_eq!(
            ext1(call(ScalarFn::CountOf, args)).unwrap_err()[0].code.0,
            "B005"
        );
    }
}

#[test]
fn trim_removes_one_anchored_match_per_end() {
    let t = ext1(call(ScalarFn::Trim, vec![string(r"\s+"), field("C")])).unwrap();
    // A run of one class cannot leave a second match: exact.
    assert_eq!(t.fidelity, Fidelity::Exact);
    assert_eq!(
        t.text.lines().nth(1).unwrap(),
        r#"| EVAL x = REPLACE(REPLACE(COALESCE(C, ""), "\\A(?:(?:[\\x{9}-\\x{a}\\x{c}-\\x{d} ])+)", ""), "(?:(?:[\\x{9}-\\x{a}\\x{c}-\\x{d} ])+)\\z", "")"#
    );
    let mut e = call(ScalarFn::TrimStart, vec![string("--"), field("C")]);
    e.span = sp(1, 4);
    let t = ext1(e).unwrap();
    assert_eq!(
        t.text.lines().nth(1).unwrap(),
        r#"| EVAL x = REPLACE(COALESCE(C, ""), "\\A(?:\\-\\-)", "")"#
    );
    assert_eq!(notes(&t)[0].1, Effect::Values);
    assert_eq!(
        eval_of(call(ScalarFn::TrimEnd, vec![string(r"\.+"), field("C")])),
        r#"| EVAL x = REPLACE(COALESCE(C, ""), "(?:(?:\\.)+)\\z", "")"#
    );
}

#[test]
fn substring_counts_from_one_in_esql() {
    assert_eq!(
        eval_of(call(
            ScalarFn::Substring,
            vec![field("S"), long(0), long(2)]
        )),
        r#"| EVAL x = COALESCE(SUBSTRING(COALESCE(S, ""), 1, 2), "")"#
    );
    // strlen(..) + 1 is never negative: k + 1.
    let start = e(ExprKind::Arith {
        op: ArithOp::Add,
        lhs: Box::new(call(ScalarFn::Strlen, vec![field("D")])),
        rhs: Box::new(long(1)),
    });
    let t = ext1(call(ScalarFn::Substring, vec![field("S"), start])).unwrap();
    assert_eq!(t.fidelity, Fidelity::Exact);
    assert_eq!(
        t.text.lines().nth(1).unwrap(),
        r#"| EVAL x = COALESCE(SUBSTRING(COALESCE(S, ""), (LENGTH(COALESCE(D, "")) + 1) + 1), "")"#
    );
    // An unknown start keeps KQL's negative-from-the-end reading; a computed length is clamped.
    let t = ext1(call(
        ScalarFn::Substring,
        vec![field("S"), field("K"), field("N")],
    ))
    .unwrap();
    assert_eq!(
        t.text.lines().nth(1).unwrap(),
        r#"| EVAL x = COALESCE(SUBSTRING(COALESCE(S, ""), CASE(K < 0, K, K + 1), GREATEST(N, 0)), "")"#
    );
    assert_eq!(notes(&t).len(), 2);
    assert!(ext1(call(
        ScalarFn::Substring,
        vec![field("S"), long(0), long(-1)]
    ))
    .is_err());
}

#[test]
fn datetime_diff_counts_boundaries_between_truncated_values() {
    let dd = |unit: &str| {
        call(
            ScalarFn::DateTimeDiff,
            vec![string(unit), field("T1"), field("T0")],
        )
    };
    let t = ext1(dd("Day")).unwrap();
    assert_eq!(t.fidelity, Fidelity::Exact);
    assert_eq!(
        t.text.lines().nth(1).unwrap(),
        r#"| EVAL x = DATE_DIFF("day", DATE_TRUNC(1 day, T0), DATE_TRUNC(1 day, T1))"#
    );
    // Sunday weeks: both sides shifted a day before Monday-based truncation.
    assert_eq!(
        eval_of(dd("week")),
        r#"| EVAL x = DATE_DIFF("week", DATE_TRUNC(1 week, T0 + 1 day), DATE_TRUNC(1 week, T1 + 1 day))"#
    );
    assert_eq!(
        eval_of(dd("quarter")),
        r#"| EVAL x = DATE_DIFF("quarter", DATE_TRUNC(1 quarter, T0), DATE_TRUNC(1 quarter, T1))"#
    );
    assert!(matches!(
        ext1(dd("millisecond")).unwrap().fidelity,
        Fidelity::Approximate(_)
    ));
    assert_eq!(ext1(dd("nanosecond")).unwrap_err()[0].code.0, "B005");
}

#[test]
fn date_parts() {
    assert_eq!(
        eval_of(call(ScalarFn::HourOfDay, vec![field("T")])),
        r#"| EVAL x = DATE_EXTRACT("hour_of_day", T)"#
    );
    assert_eq!(
        eval_of(call(ScalarFn::GetMonth, vec![field("T")])),
        r#"| EVAL x = DATE_EXTRACT("month_of_year", T)"#
    );
    // dayofweek(t) / 1d: Sunday 0 … Saturday 6 (ISO numbers Monday 1 … Sunday 7).
    let per_day = e(ExprKind::Arith {
        op: ArithOp::Div,
        lhs: Box::new(call(ScalarFn::DayOfWeek, vec![field("T")])),
        rhs: Box::new(e(ExprKind::Literal(Literal::Timespan(days(1))))),
    });
    assert_eq!(
        eval_of(per_day),
        r#"| EVAL x = TO_DOUBLE(DATE_EXTRACT("day_of_week", T) % 7)"#
    );
    // dayofweek alone is a timespan, which ES|QL has no column value for.
    assert!(ext1(call(ScalarFn::DayOfWeek, vec![field("T")])).is_err());
}

#[test]
fn split_columns_are_indexed_exactly() {
    let idx = |c: &str, i: i64| indexed(c, vec![PathSegment::Index(i)], false, sp(0, 0));
    let t = run(&query(
        "T",
        vec![
            stage(StageKind::Extend(vec![assign(
                "parts",
                call(ScalarFn::Split, vec![field("Name"), string(".")]),
            )])),
            stage(StageKind::Extend(vec![
                assign("head", idx("parts", 0)),
                assign("tail", idx("parts", -1)),
            ])),
        ],
    ))
    .unwrap();
    assert_eq!(
        t.text,
        "FROM T\n\
         | EVAL parts = SPLIT(COALESCE(Name, \"\"), \".\")\n\
         | EVAL head = MV_SLICE(parts, 0), tail = MV_SLICE(parts, -1)\n\
         | LIMIT 10000\n"
    );
    // Only the note on the whole array (an array of one is a single value).
    let n = notes(&t);
    assert_eq!(n.len(), 1);
    assert!(n[0].2.contains("array of one"));
    // Once the column is reassigned, an index reads it as a flattened field again (notes).
    let t = run(&query(
        "T",
        vec![
            stage(StageKind::Extend(vec![assign(
                "parts",
                call(ScalarFn::Split, vec![field("Name"), string(".")]),
            )])),
            stage(StageKind::Extend(vec![assign("parts", field("Other"))])),
            stage(StageKind::Extend(vec![assign("head", idx("parts", 0))])),
        ],
    ))
    .unwrap();
    assert!(t.text.contains("EVAL head = MV_FIRST(parts)"));
    assert!(notes(&t).iter().any(|n| n.1 == Effect::UnderMatch));
    // SPLIT takes a one-byte delimiter.
    assert_eq!(
        ext1(call(ScalarFn::Split, vec![field("Name"), string(", ")])).unwrap_err()[0]
            .code
            .0,
        "B005"
    );
}

#[test]
fn split_index_with_a_long_delimiter_uses_a_regex() {
    let at = |d: &str, i: i64, extra: Option<i64>| {
        let mut args = vec![field("S"), string(d)];
        if let Some(k) = extra {
            args.push(long(k));
        }
        e(ExprKind::Path {
            base: Box::new(call(ScalarFn::Split, args)),
            path: vec![PathSegment::Index(i)],
        })
    };
    assert_eq!(
        eval_of(at("::", 0, None)),
        r#"| EVAL x = REPLACE(COALESCE(S, ""), "\\A(?:(?s:.*?)\\:\\:){0}((?s:.*?))(?:\\:\\:(?s:.*))?\\z", "$1")"#
    );
    // Element 2 exists only with at least two delimiters; otherwise null, as in KQL.
    assert_eq!(
        eval_of(at("ab", 2, None)),
        r#"| EVAL x = CASE(LENGTH(REPLACE(COALESCE(S, ""), "ab", "xx")) - LENGTH(REPLACE(COALESCE(S, ""), "ab", "x")) >= 2, REPLACE(COALESCE(S, ""), "\\A(?:(?s:.*?)ab){2}((?s:.*?))(?:ab(?s:.*))?\\z", "$1"), NULL)"#
    );
    // split(s, d, k)[0] is split(s, d)[k].
    assert_eq!(
        eval_of(at("/", 0, Some(3))),
        r#"| EVAL x = MV_SLICE(SPLIT(COALESCE(S, ""), "/"), 3)"#
    );
    assert_eq!(ext1(at("::", -1, None)).unwrap_err()[0].code.0, "B004");
}

#[test]
fn whole_parsed_json_in_sets_and_array_length() {
    let whole = indexed("Entities", vec![], true, sp(3, 9));
    let q = query(
        "T",
        vec![summarize(
            vec![key("Host", field("Host"))],
            vec![agg(
                "E",
                AggFunc::MakeSet {
                    expr: whole.clone(),
                    max: None,
                },
            )],
        )],
    );
    let t = run(&q).unwrap();
    assert!(
        t.text.contains("STATS E = VALUES(Entities) BY Host"),
        "{}",
        t.text
    );
    assert!(notes(&t).iter().any(|n| n.2.contains("JSON text")));
    let len = call(ScalarFn::ArrayLength, vec![whole]);
    let t = run(&query("T", vec![filter(cmp(len, CmpOp::Eq, long(1)))])).unwrap();
    assert!(
        t.text.contains("WHERE MV_COUNT(Entities) == 1"),
        "{}",
        t.text
    );
    let effects: Vec<_> = notes(&t).iter().map(|n| n.1).collect();
    assert_eq!(effects, vec![Effect::UnderMatch, Effect::OverMatch]);
    // Anywhere else the whole value is still declined.
    let d = declined(&query(
        "T",
        vec![filter(cmp(
            indexed("Entities", vec![], true, sp(3, 9)),
            CmpOp::Eq,
            string("x"),
        ))],
    ));
    assert_eq!(d[0].code.0, "B003");
}

#[test]
fn arg_max_star_by_a_generated_computed_key_renames_a_temporary() {
    let week = GroupKey {
        name: col("Column1"),
        kind: GroupKeyKind::Expr(call(ScalarFn::StartOfMonth, vec![field("TimeGenerated")])),
        operands: Default::default(),
    };
    let star = agg(
        "TimeGenerated",
        AggFunc::ArgMax {
            by: field("TimeGenerated"),
            cols: vec![],
        },
    );
    let t = run(&query(
        "T",
        vec![summarize(
            vec![key("Host", field("Host")), week.clone()],
            vec![star.clone()],
        )],
    ))
    .unwrap();
    assert_eq!(
        t.text,
        "FROM T METADATA _id\n\
         | INLINE STATS kqlport_extreme = MAX(TimeGenerated) BY Host, kqlport_key1 = DATE_TRUNC(1 month, TimeGenerated)\n\
         | WHERE TimeGenerated == kqlport_extreme OR kqlport_extreme IS NULL\n\
         | INLINE STATS kqlport_row = MIN(_id) BY Host, kqlport_key1\n\
         | WHERE _id == kqlport_row\n\
         | DROP kqlport_extreme, kqlport_row, _id\n\
         | RENAME kqlport_key1 AS Column1\n\
         | KEEP Host, Column1, TimeGenerated, *\n\
         | LIMIT 10000\n"
    );
    // A computed key named like a column (here one it reads) can clash with `*`: declined.
    let own = GroupKey {
        name: col("UAC"),
        kind: GroupKeyKind::Expr(call(ScalarFn::ToString, vec![field("UAC")])),
        operands: Default::default(),
    };
    let d = declined(&query("T", vec![summarize(vec![own], vec![star])]));
    assert_eq!(d[0].code.0, "B006");
}

#[test]
fn parse_url_parts_are_read_with_a_url_regex() {
    let part = |base: Expr, p: &str| {
        e(ExprKind::Path {
            base: Box::new(base),
            path: vec![PathSegment::Key(p.into())],
        })
    };
    let url = || call(ScalarFn::ParseUrl, vec![field("U")]);
    let t = ext1(part(url(), "Host")).unwrap();
    let line = t.text.lines().nth(1).unwrap().to_string();
    assert!(
        line.starts_with(r#"| EVAL x = REPLACE(COALESCE(U, ""), "\\A([A-Za-z]"#),
        "{line}"
    );
    assert!(line.ends_with(r#"|(?s:.*)", "$4")"#), "{line}");
    assert_eq!(notes(&t)[0].1, Effect::Values);
    // KQL's object has no `Query` property: null.
    assert_eq!(eval_of(part(url(), "Query")), "| EVAL x = NULL");
    assert_eq!(
        ext1(part(url(), "Query Parameters")).unwrap_err()[0].code.0,
        "B004"
    );
    // A column assigned parse_url(u) holds the text; its parts are read from it.
    let t = run(&query(
        "T",
        vec![
            stage(StageKind::Extend(vec![assign("Url", url())])),
            stage(StageKind::Extend(vec![assign(
                "h",
                indexed("Url", vec![seg("Port")], false, sp(0, 0)),
            )])),
        ],
    ))
    .unwrap();
    assert!(
        t.text.contains("| EVAL Url = COALESCE(U, \"\")\n"),
        "{}",
        t.text
    );
    assert!(
        t.text
            .contains(r#"| EVAL h = REPLACE(COALESCE(Url, ""), "\\A"#)
            && t.text.contains(r#""$5")"#),
        "{}",
        t.text
    );
}

#[test]
fn small_string_and_array_functions() {
    assert_eq!(
        eval_of(call(ScalarFn::IndexOf, vec![field("S"), string("/")])),
        r#"| EVAL x = LOCATE(COALESCE(S, ""), "/") - 1"#
    );
    assert_eq!(
        eval_of(call(ScalarFn::Base64DecodeToString, vec![field("S")])),
        r#"| EVAL x = COALESCE(FROM_BASE64(COALESCE(S, "")), "")"#
    );
    assert_eq!(
        eval_of(call(ScalarFn::ArraySortAsc, vec![field("V")])),
        r#"| EVAL x = MV_SORT(V, "ASC")"#
    );
    let t = ext1(call(ScalarFn::UrlEncode, vec![field("S")])).unwrap();
    assert!(t.text.contains(r#"EVAL x = URL_ENCODE(COALESCE(S, ""))"#));
    assert_eq!(notes(&t)[0].1, Effect::Values);
}

// ---------------------------------------------------------------------------------------------
// datetime - datetime (B012)
// ---------------------------------------------------------------------------------------------

fn arith(op: ArithOp, lhs: Expr, rhs: Expr) -> Expr {
    e(ExprKind::Arith {
        op,
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
    })
}

fn minus(lhs: Expr, rhs: Expr) -> Expr {
    arith(ArithOp::Sub, lhs, rhs)
}

#[test]
fn datetime_minus_datetime_is_declined() {
    // Lowering's type pass marks `End - Start` of two datetimes as `DateSub` (tests/lowering.rs).
    let mut d = arith(ArithOp::DateSub, field("End"), field("Start"));
    d.span = sp(40, 51);
    let q = query(
        "OfficeActivity",
        vec![stage(StageKind::Extend(vec![assign(
            "N",
            call(ScalarFn::ToString, vec![d]),
        )]))],
    );
    let errs = declined(&q);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].code.0, "B012");
    assert_eq!(errs[0].span, sp(40, 51));
    assert!(
        errs[0].message.contains("date - date"),
        "{}",
        errs[0].message
    );
}

#[test]
fn subtractions_that_are_not_datetime_minus_datetime_stay() {
    // datetime - timespan is a datetime: ES|QL date arithmetic.
    let q = query(
        "OfficeActivity",
        vec![stage(StageKind::Extend(vec![assign(
            "Before",
            minus(
                field("TimeGenerated"),
                e(ExprKind::Literal(Literal::Timespan(hours(1)))),
            ),
        )]))],
    );
    assert_eq!(
        exact(&q).lines().nth(1).unwrap(),
        "| EVAL Before = TimeGenerated - 1 hour"
    );
    // A plain `Sub` (numbers, or types lowering does not know): `-`.
    let q = query(
        "NoSuchTable",
        vec![stage(StageKind::Extend(vec![assign(
            "D",
            minus(field("End"), field("Start")),
        )]))],
    );
    assert_eq!(exact(&q).lines().nth(1).unwrap(), "| EVAL D = End - Start");
}
