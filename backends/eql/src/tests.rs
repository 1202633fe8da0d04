//! Unit tests: the exact EQL text per IR construct, escaping/injection, notes and declines.
//! Every emitted query is also written to `$KQLPORT_EQL_DUMP/<test>-<n>.eql` when that variable
//! is set, so `tests/oracle/check.py` can parse them all with the reference `eql` parser.

use super::*;
use kqlport::backend::{Fidelity, Note};
use kqlport::ir::{
    AggFunc, Aggregation, Assignment, Case, Column, ColumnPattern, Duration, Expr, ExprKind,
    FieldPath, Literal, MatchKind, PathSegment, Quantifier, Query, ScalarFn, SortDir, SortKey,
    Source, Stage, StrMatch,
};
use kqlport::source::Span;
use std::cell::Cell;

// ---------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------

fn sp(a: usize, b: usize) -> Span {
    Span::new(a, b)
}

fn field(name: &str) -> Expr {
    Expr {
        kind: ExprKind::Field(FieldPath::column(name)),
        span: sp(0, 0),
    }
}

fn path(col: &str, segs: &[PathSegment], parsed: bool) -> Expr {
    Expr {
        kind: ExprKind::Field(FieldPath {
            column: col.into(),
            path: segs.to_vec(),
            parsed,
        }),
        span: sp(0, 0),
    }
}

fn lit(l: Literal) -> Expr {
    Expr {
        kind: ExprKind::Literal(l),
        span: sp(0, 0),
    }
}

fn int(i: i64) -> Expr {
    lit(Literal::Long(i))
}

fn call(func: ScalarFn, args: Vec<Expr>) -> Expr {
    Expr {
        kind: ExprKind::Call { func, args },
        span: sp(0, 0),
    }
}

fn p(kind: PredicateKind) -> Predicate {
    Predicate {
        kind,
        span: sp(0, 0),
    }
}

fn at(mut pr: Predicate, a: usize, b: usize) -> Predicate {
    pr.span = sp(a, b);
    pr
}

fn sm(f: &str, kind: MatchKind, case: Case, values: &[&str]) -> Predicate {
    sm_q(f, kind, case, values, Quantifier::Any, false)
}

fn sm_q(
    f: &str,
    kind: MatchKind,
    case: Case,
    values: &[&str],
    quantifier: Quantifier,
    negated: bool,
) -> Predicate {
    p(PredicateKind::StrMatch(StrMatch {
        field: field(f),
        kind,
        case,
        values: values.iter().map(|s| s.to_string()).collect(),
        quantifier,
        negated,
    }))
}

fn neg(mut pr: Predicate) -> Predicate {
    if let PredicateKind::StrMatch(m) = &mut pr.kind {
        m.negated = !m.negated;
    }
    pr
}

fn ci(f: &str, kind: MatchKind, v: &str) -> Predicate {
    sm(f, kind, Case::Insensitive, &[v])
}

fn cs(f: &str, kind: MatchKind, v: &str) -> Predicate {
    sm(f, kind, Case::Sensitive, &[v])
}

fn cmp(lhs: Expr, op: CmpOp, rhs: Expr) -> Predicate {
    p(PredicateKind::Compare {
        lhs,
        op,
        rhs,
        operands: Default::default(),
    })
}

fn and(xs: Vec<Predicate>) -> Predicate {
    p(PredicateKind::And(xs))
}

fn or(xs: Vec<Predicate>) -> Predicate {
    p(PredicateKind::Or(xs))
}

fn not(x: Predicate) -> Predicate {
    p(PredicateKind::Not(Box::new(x)))
}

fn stage(kind: StageKind, a: usize, b: usize) -> Stage {
    Stage {
        kind,
        span: sp(a, b),
    }
}

fn filter(pr: Predicate) -> Stage {
    stage(StageKind::Filter(pr), 0, 0)
}

fn query(table: &str, stages: Vec<Stage>) -> Query {
    Query {
        source: Source::table(table, sp(0, table.len())),
        stages,
        span: sp(0, 0),
    }
}

fn col(name: &str) -> Column {
    Column {
        name: name.into(),
        span: sp(0, 0),
    }
}

thread_local! {
    static DUMPED: Cell<usize> = const { Cell::new(0) };
}

/// Writes an emitted query where the oracle script will find it.
fn dump(text: &str) {
    let Ok(dir) = std::env::var("KQLPORT_EQL_DUMP") else {
        return;
    };
    let name = std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .replace("::", "__");
    let n = DUMPED.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    std::fs::create_dir_all(&dir).expect("create dump dir");
    std::fs::write(format!("{dir}/{name}-{n}.eql"), text).expect("write dump");
}

fn run(q: &Query) -> Result<Translation, Vec<Diagnostic>> {
    let out = Eql.translate(&RuleContext::default(), q);
    if let Ok(t) = &out {
        assert!(
            t.text.ends_with('\n') && !t.text.ends_with("\n\n"),
            "{:?}",
            t.text
        );
        dump(&t.text);
    }
    out
}

/// The EQL for `T | where pr`, which must translate exactly.
fn eql(pr: Predicate) -> String {
    let t = run(&query("T", vec![filter(pr)])).expect("translates");
    assert_eq!(t.fidelity, Fidelity::Exact, "{}", t.text);
    t.text
}

fn declined(q: &Query) -> Vec<Diagnostic> {
    match run(q) {
        Ok(t) => panic!("expected a decline, got {}", t.text),
        Err(d) => d,
    }
}

fn declined_pred(pr: Predicate) -> Diagnostic {
    let mut d = declined(&query("T", vec![filter(pr)]));
    assert_eq!(d.len(), 1, "{d:?}");
    d.remove(0)
}

fn notes(t: &Translation) -> &[Note] {
    match &t.fidelity {
        Fidelity::Approximate(n) => n,
        Fidelity::Exact => &[],
    }
}

use MatchKind::*;

// ---------------------------------------------------------------------------------------------
// String tests
// ---------------------------------------------------------------------------------------------

#[test]
fn equality_family() {
    assert_eq!(eql(cs("F", Equals, "a")), "T where F == \"a\"\n");
    assert_eq!(eql(ci("F", Equals, "a")), "T where F : \"a\"\n");
    assert_eq!(
        eql(neg(cs("F", Equals, "a"))),
        "T where F == null or F != \"a\"\n"
    );
    assert_eq!(
        eql(neg(ci("F", Equals, "a"))),
        "T where F == null or not (F : \"a\")\n"
    );
    // `in` / `in~` / `!in` / `!in~`.
    assert_eq!(
        eql(sm("F", Equals, Case::Sensitive, &["a", "b"])),
        "T where F in (\"a\", \"b\")\n"
    );
    assert_eq!(
        eql(sm(
            "F",
            Equals,
            Case::Insensitive,
            &["tor.exe", "meek-client.exe"]
        )),
        "T where F : (\"tor.exe\", \"meek-client.exe\")\n"
    );
    assert_eq!(
        eql(neg(sm("F", Equals, Case::Sensitive, &["a", "b"]))),
        "T where F == null or F not in (\"a\", \"b\")\n"
    );
    assert_eq!(
        eql(neg(sm("F", Equals, Case::Insensitive, &["a", "b"]))),
        "T where F == null or not (F : (\"a\", \"b\"))\n"
    );
}

#[test]
fn equality_with_the_empty_string_matches_missing_fields() {
    // KQL: a missing string is "", so `F == ""` holds for events without F.
    assert_eq!(eql(cs("F", Equals, "")), "T where F == null or F == \"\"\n");
    // ... and `F != ""` must drop them, also where `not` keeps documents without the field.
    assert_eq!(
        eql(neg(cs("F", Equals, ""))),
        "T where F != null and F != \"\"\n"
    );
    assert_eq!(
        eql(sm("F", Equals, Case::Insensitive, &["", "x"])),
        "T where F == null or F : (\"\", \"x\")\n"
    );
}

#[test]
fn substring_family() {
    assert_eq!(eql(ci("F", Contains, "evil")), "T where F : \"*evil*\"\n");
    assert_eq!(eql(ci("F", StartsWith, "evil")), "T where F : \"evil*\"\n");
    assert_eq!(eql(ci("F", EndsWith, ".exe")), "T where F : \"*.exe\"\n");
    assert_eq!(
        eql(cs("F", Contains, "Evil")),
        "T where F like \"*Evil*\"\n"
    );
    assert_eq!(
        eql(cs("F", StartsWith, "Evil")),
        "T where F like \"Evil*\"\n"
    );
    assert_eq!(eql(cs("F", EndsWith, ".EXE")), "T where F like \"*.EXE\"\n");
    assert_eq!(
        eql(neg(ci("F", Contains, "evil"))),
        "T where F == null or not (F : \"*evil*\")\n"
    );
    assert_eq!(
        eql(sm("F", Contains, Case::Insensitive, &["a", "b"])),
        "T where F : (\"*a*\", \"*b*\")\n"
    );
    // `contains ""` is true for every row, missing fields included.
    assert_eq!(
        eql(ci("F", Contains, "")),
        "T where F == null or F : \"**\"\n"
    );
}

#[test]
fn wildcard_characters_in_values_never_become_wildcards() {
    // `:`/`like` have no escape for `*`/`?`: such values use lists and functions.
    assert_eq!(eql(ci("F", Equals, "a*b")), "T where F in~ (\"a*b\")\n");
    assert_eq!(eql(cs("F", Equals, "a?b")), "T where F == \"a?b\"\n");
    assert_eq!(
        eql(ci("F", Contains, "*")),
        "T where stringContains~(F, \"*\")\n"
    );
    assert_eq!(
        eql(cs("F", StartsWith, "?x")),
        "T where startsWith(F, \"?x\")\n"
    );
    assert_eq!(
        eql(ci("F", EndsWith, "a*")),
        "T where endsWith~(F, \"a*\")\n"
    );
    assert_eq!(
        eql(neg(ci("F", Contains, "*"))),
        "T where F == null or not (stringContains~(F, \"*\"))\n"
    );
    // Mixed lists keep the safe values in one `:` list.
    assert_eq!(
        eql(sm("F", Contains, Case::Insensitive, &["a", "b?", "c"])),
        "T where F : (\"*a*\", \"*c*\") or stringContains~(F, \"b?\")\n"
    );
}

#[test]
fn term_values_with_punctuation_edges_are_bounded_only_at_alphanumeric_ends() {
    // KQL: `"xx.exe" has ".exe"` is true; the value's own `.` separates it.
    assert_eq!(
        eql(ci("F", Term, ".exe")),
        "T where F regex~ \".*\\\\.exe([^A-Za-z0-9].*)?\"\n"
    );
    // Bounded by its own punctuation at both ends: a substring test, in the keyword-friendly
    // wildcard forms (`like` case-sensitive, `:` case-insensitive) rather than a regex.
    assert_eq!(eql(cs("F", Term, "/x/")), "T where F like \"*/x/*\"\n");
    assert_eq!(eql(ci("F", TermPrefix, "-en")), "T where F : \"*-en*\"\n");
    assert_eq!(
        eql(ci("F", TermSuffix, "\\x.")),
        "T where F : \"*\\\\x.*\"\n"
    );
    // A wildcard character in the value keeps the regex (`:` and `like` cannot escape it).
    assert_eq!(
        eql(ci("F", Term, "-a*-")),
        "T where F regex~ \".*\\\\-a\\\\*\\\\-.*\"\n"
    );
}

#[test]
fn has_family_uses_term_boundaries() {
    assert_eq!(
        eql(ci("F", Term, "tor")),
        "T where F regex~ \"(.*[^A-Za-z0-9])?tor([^A-Za-z0-9].*)?\"\n"
    );
    assert_eq!(
        eql(cs("F", Term, "cmd.exe")),
        "T where F regex \"(.*[^A-Za-z0-9])?cmd\\\\.exe([^A-Za-z0-9].*)?\"\n"
    );
    assert_eq!(
        eql(ci("F", TermPrefix, "pow")),
        "T where F regex~ \"(.*[^A-Za-z0-9])?pow.*\"\n"
    );
    assert_eq!(
        eql(ci("F", TermSuffix, "shell")),
        "T where F regex~ \".*shell([^A-Za-z0-9].*)?\"\n"
    );
    assert_eq!(
        eql(sm("F", Term, Case::Insensitive, &["a", "b"])),
        "T where F regex~ (\"(.*[^A-Za-z0-9])?a([^A-Za-z0-9].*)?\", \"(.*[^A-Za-z0-9])?b([^A-Za-z0-9].*)?\")\n"
    );
    // has_all: every value.
    assert_eq!(
        eql(sm_q("F", Term, Case::Insensitive, &["a", "b"], Quantifier::All, false)),
        "T where F regex~ \"(.*[^A-Za-z0-9])?a([^A-Za-z0-9].*)?\" and F regex~ \"(.*[^A-Za-z0-9])?b([^A-Za-z0-9].*)?\"\n"
    );
    // !has keeps events without the field.
    assert_eq!(
        eql(neg(ci("F", Term, "tor"))),
        "T where F == null or not (F regex~ \"(.*[^A-Za-z0-9])?tor([^A-Za-z0-9].*)?\")\n"
    );
    let d = declined_pred(at(ci("F", Term, ""), 3, 9));
    assert_eq!((d.code.0, d.span.range()), ("B069", 3..9));
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
        assert_eq!((d.code.0, d.span.range()), ("B066", 5..20), "{re}");
        let label = d.label.clone().unwrap_or_default();
        assert!(label.contains(why), "{re}: {label}");
    }
}

// ---------------------------------------------------------------------------------------------
// Escaping
// ---------------------------------------------------------------------------------------------

/// Reads an EQL double-quoted string literal back by EQL's documented escapes.
fn read_eql_string(lit: &str) -> String {
    let inner = &lit[1..lit.len() - 1];
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            assert!(c != '"' && c != '\n' && c != '\r', "raw {c:?} in {lit}");
            out.push(c);
            continue;
        }
        match chars.next().expect("escape") {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            'u' => {
                let rest: String = chars.by_ref().take_while(|c| *c != '}').collect();
                let hex = rest.trim_start_matches('{');
                out.push(char::from_u32(u32::from_str_radix(hex, 16).expect("hex")).expect("char"));
            }
            other => panic!("unknown escape \\{other}"),
        }
    }
    out
}

const NASTY: &[&str] = &[
    "a\" or 1 == 1 | head 1",
    "C:\\Windows\\",
    "\\\"",
    "line\nbreak\r\ttab",
    "%_",
    "`backtick`",
    "naïve — ☃ 🎉",
    "\u{1}\u{7f}",
    "'single'",
];

#[test]
fn string_literals_read_back_exactly() {
    for v in NASTY {
        let text = eql(cs("F", Equals, v));
        let lit = text
            .strip_prefix("T where F == ")
            .and_then(|s| s.strip_suffix('\n'))
            .expect("shape");
        assert_eq!(read_eql_string(lit), *v, "{text}");
        assert_eq!(text.lines().count(), 1);
    }
}

#[test]
fn wildcard_values_read_back_exactly() {
    for v in NASTY {
        // The literal must read back exactly; a value with non-ASCII letters is also (rightly)
        // noted as approximate, since EQL folds Unicode case and KQL only ASCII.
        let t = run(&query("T", vec![filter(ci("F", Contains, v))])).expect("translates");
        let non_ascii = v
            .chars()
            .any(|c| !c.is_ascii() && (c.is_lowercase() || c.is_uppercase()));
        assert_eq!(
            t.fidelity == Fidelity::Exact,
            !non_ascii,
            "{v}: {:?}",
            t.fidelity
        );
        let text = t.text;
        let lit = text
            .strip_prefix("T where F : ")
            .and_then(|s| s.strip_suffix('\n'))
            .expect("shape");
        assert_eq!(read_eql_string(lit), format!("*{v}*"), "{text}");
    }
}

#[test]
fn term_patterns_escape_every_lucene_operator() {
    let v = ".?+*|{}[]()\"\\#@&<>~";
    let text = eql(ci("F", Term, v));
    let lit = text
        .strip_prefix("T where F regex~ ")
        .and_then(|s| s.strip_suffix('\n'))
        .expect("shape");
    let lucene = read_eql_string(lit);
    // The value starts and ends with punctuation, which already bounds it: no term bounds.
    let body = lucene
        .strip_prefix(".*")
        .and_then(|s| s.strip_suffix(".*"))
        .expect("term shape");
    // Every character is escaped: Lucene reads `\c` as the literal `c`.
    let read_back: String = body
        .chars()
        .collect::<Vec<_>>()
        .chunks(2)
        .map(|pair| {
            assert_eq!(pair[0], '\\', "{body}");
            pair[1]
        })
        .collect();
    assert_eq!(read_back, v);
}

#[test]
fn field_names_are_quoted_when_needed() {
    let f = |name: &str| eql(cs(name, Equals, "x"));
    assert_eq!(f("ProcessName"), "T where ProcessName == \"x\"\n");
    assert_eq!(f("my-field"), "T where `my-field` == \"x\"\n");
    assert_eq!(f("6field"), "T where `6field` == \"x\"\n");
    assert_eq!(f("where"), "T where `where` == \"x\"\n");
    assert_eq!(f("@timestamp"), "T where `@timestamp` == \"x\"\n");
    assert_eq!(f("a`b"), "T where `a``b` == \"x\"\n");
    let pr = p(PredicateKind::StrMatch(StrMatch {
        field: path(
            "AdditionalFields",
            &[
                PathSegment::Key("a b".into()),
                PathSegment::Index(0),
                PathSegment::Key("c".into()),
            ],
            false,
        ),
        kind: Equals,
        case: Case::Sensitive,
        values: vec!["x".into()],
        quantifier: Quantifier::Any,
        negated: false,
    }));
    assert_eq!(eql(pr), "T where AdditionalFields.`a b`[0].c == \"x\"\n");
    let d = declined_pred(cs("a\nb", Equals, "x"));
    assert_eq!(d.code.0, "B068");
}

#[test]
fn table_names_become_the_category() {
    let t = run(&query("DeviceNetworkEvents", vec![])).expect("ok");
    assert_eq!(t.text, "DeviceNetworkEvents where true\n");
}

// ---------------------------------------------------------------------------------------------
// Numbers, nulls, logic
// ---------------------------------------------------------------------------------------------

#[test]
fn numeric_comparisons_and_their_null_rules() {
    assert_eq!(
        eql(cmp(field("P"), CmpOp::Eq, int(443))),
        "T where P == 443\n"
    );
    assert_eq!(
        eql(cmp(field("P"), CmpOp::Ne, int(443))),
        "T where P == null or P != 443\n"
    );
    assert_eq!(eql(cmp(field("P"), CmpOp::Gt, int(1))), "T where P > 1\n");
    // Literal on the left is flipped.
    assert_eq!(eql(cmp(int(1), CmpOp::Lt, field("P"))), "T where P > 1\n");
    // not(P > 1) is null in KQL for a missing P: falsy, so the guard excludes missing.
    assert_eq!(
        eql(not(cmp(field("P"), CmpOp::Gt, int(1)))),
        "T where P != null and P <= 1\n"
    );
    // not(P == 1) is true for a missing P (== with null is false).
    assert_eq!(
        eql(not(cmp(field("P"), CmpOp::Eq, int(1)))),
        "T where P == null or P != 1\n"
    );
    assert_eq!(
        eql(cmp(field("R"), CmpOp::Ge, lit(Literal::Real(0.5)))),
        "T where R >= 0.5\n"
    );
    assert_eq!(eql(cmp(field("P"), CmpOp::Gt, int(-3))), "T where P > -3\n");
    assert_eq!(
        eql(cmp(field("B"), CmpOp::Eq, lit(Literal::Bool(true)))),
        "T where B == true\n"
    );
}

#[test]
fn strlen_and_arithmetic() {
    let len = call(ScalarFn::Strlen, vec![field("C")]);
    assert_eq!(
        eql(cmp(len.clone(), CmpOp::Gt, int(100))),
        "T where length(C) > 100\n"
    );
    // strlen("") = 0 < 5: events without C match in KQL.
    assert_eq!(
        eql(cmp(len.clone(), CmpOp::Lt, int(5))),
        "T where C == null or length(C) < 5\n"
    );
    let sum = Expr {
        kind: ExprKind::Arith {
            op: ir::ArithOp::Add,
            lhs: Box::new(field("A")),
            rhs: Box::new(int(1)),
        },
        span: sp(0, 0),
    };
    assert_eq!(eql(cmp(sum, CmpOp::Eq, int(3))), "T where (A + 1) == 3\n");
}

#[test]
fn in_set_between_isempty_isnull() {
    let inset = |negated| {
        p(PredicateKind::InSet {
            expr: field("P"),
            values: vec![Literal::Long(80), Literal::Long(443)],
            negated,
        })
    };
    assert_eq!(eql(inset(false)), "T where P in (80, 443)\n");
    assert_eq!(
        eql(inset(true)),
        "T where P == null or P not in (80, 443)\n"
    );
    let between = |negated| {
        p(PredicateKind::Between {
            expr: field("P"),
            low: int(1),
            high: int(1024),
            negated,
        })
    };
    assert_eq!(eql(between(false)), "T where P >= 1 and P <= 1024\n");
    assert_eq!(
        eql(between(true)),
        "T where P != null and (P < 1 or P > 1024)\n"
    );
    let empty = |negated| {
        p(PredicateKind::IsEmpty {
            expr: field("F"),
            negated,
        })
    };
    assert_eq!(eql(empty(false)), "T where F == null or F == \"\"\n");
    assert_eq!(eql(empty(true)), "T where F != null and F != \"\"\n");
    assert_eq!(eql(not(empty(false))), "T where F != null and F != \"\"\n");
    let null = |negated| {
        p(PredicateKind::IsNull {
            expr: field("P"),
            negated,
        })
    };
    assert_eq!(eql(null(false)), "T where P == null\n");
    assert_eq!(eql(null(true)), "T where P != null\n");
}

#[test]
fn logic_is_parenthesised_and_negation_pushed_to_leaves() {
    let a = ci("A", Equals, "1");
    let b = ci("B", Equals, "2");
    let c = cmp(field("P"), CmpOp::Eq, int(3));
    assert_eq!(
        eql(or(vec![and(vec![a.clone(), b.clone()]), c.clone()])),
        "T where (A : \"1\" and B : \"2\") or P == 3\n"
    );
    assert_eq!(
        eql(and(vec![or(vec![a.clone(), b.clone()]), c.clone()])),
        "T where (A : \"1\" or B : \"2\") and P == 3\n"
    );
    assert_eq!(
        eql(not(or(vec![a.clone(), c.clone()]))),
        "T where (A == null or not (A : \"1\")) and (P == null or P != 3)\n"
    );
    assert_eq!(eql(not(not(a.clone()))), "T where A : \"1\"\n");
    assert_eq!(eql(p(PredicateKind::Const(false))), "T where false\n");
}

#[test]
fn bool_predicates() {
    assert_eq!(
        eql(p(PredicateKind::Bool(field("IsAdmin")))),
        "T where IsAdmin == true\n"
    );
    assert_eq!(
        eql(not(p(PredicateKind::Bool(field("IsAdmin"))))),
        "T where IsAdmin == false\n"
    );
    assert_eq!(
        eql(p(PredicateKind::Bool(call(
            ScalarFn::Ipv4IsPrivate,
            vec![field("IP")]
        )))),
        "T where cidrMatch(IP, \"10.0.0.0/8\", \"172.16.0.0/12\", \"192.168.0.0/16\")\n"
    );
    assert_eq!(
        eql(not(p(PredicateKind::Bool(call(
            ScalarFn::Ipv4IsInRange,
            vec![field("IP"), lit(Literal::String("10.0.0.0/8".into()))]
        ))))),
        "T where IP != null and not (cidrMatch(IP, \"10.0.0.0/8\"))\n"
    );
}

// ---------------------------------------------------------------------------------------------
// Declines
// ---------------------------------------------------------------------------------------------

#[test]
fn field_to_field_comparison_is_declined() {
    let d = declined_pred(at(cmp(field("A"), CmpOp::Eq, field("B")), 10, 16));
    assert_eq!((d.code.0, d.span.range()), ("B064", 10..16));
}

#[test]
fn datetime_literals_and_now_are_declined() {
    let d = declined_pred(cmp(
        field("TimeGenerated"),
        CmpOp::Gt,
        Expr {
            kind: ExprKind::Literal(Literal::DateTime("2024-01-01T00:00:00Z".into())),
            span: sp(20, 40),
        },
    ));
    assert_eq!((d.code.0, d.span.range()), ("B067", 20..40));
}

#[test]
fn tabular_operators_without_eql_form_are_declined_each_with_its_span() {
    let q = query(
        "T",
        vec![
            filter(ci("F", Equals, "x")),
            stage(
                StageKind::Aggregate {
                    by: vec![],
                    aggs: vec![Aggregation {
                        name: col("count_"),
                        func: AggFunc::Count,
                        span: sp(0, 0),
                    }],
                },
                10,
                30,
            ),
            stage(
                StageKind::Sort(vec![SortKey {
                    expr: field("count_"),
                    dir: SortDir::Desc,
                    nulls: ir::Nulls::Last,
                }]),
                31,
                50,
            ),
            stage(StageKind::Distinct(vec![col("F")]), 51, 60),
            stage(StageKind::Count, 61, 68),
            stage(
                StageKind::Top {
                    n: 3,
                    key: SortKey {
                        expr: field("F"),
                        dir: SortDir::Desc,
                        nulls: ir::Nulls::Last,
                    },
                },
                69,
                80,
            ),
        ],
    );
    let d = declined(&q);
    let got: Vec<_> = d.iter().map(|d| (d.code.0, d.span.range())).collect();
    assert_eq!(
        got,
        vec![
            ("B061", 10..30),
            ("B061", 31..50),
            ("B061", 51..60),
            ("B061", 61..68),
            ("B061", 69..80)
        ]
    );
    assert_eq!(d[0].message, "EQL cannot express `summarize`");
    assert!(d[0].help.as_deref().unwrap_or("").contains("ES|QL"));
}

#[test]
fn filter_after_take_is_declined() {
    let q = query(
        "T",
        vec![
            stage(StageKind::Limit(5), 2, 8),
            stage(StageKind::Filter(ci("F", Equals, "x")), 9, 20),
        ],
    );
    let d = declined(&q);
    assert_eq!((d[0].code.0, d[0].span.range()), ("B062", 9..20));
    assert_eq!(d[0].secondary[0].span.range(), 2..8);
}

// ---------------------------------------------------------------------------------------------
// Stages, notes
// ---------------------------------------------------------------------------------------------

fn window(op: CmpOp, days: i64) -> Predicate {
    p(PredicateKind::TimeWindow {
        field: field("TimeGenerated"),
        op,
        ago: Duration::from_ticks(days * 864_000_000_000),
    })
}

#[test]
fn top_level_time_window_is_dropped_with_a_note() {
    let q = query(
        "DeviceNetworkEvents",
        vec![filter(and(vec![
            at(window(CmpOp::Gt, 7), 24, 50),
            ci("InitiatingProcessFileName", Equals, "tor.exe"),
            cmp(field("RemotePort"), CmpOp::Ne, int(443)),
        ]))],
    );
    let t = run(&q).expect("translates");
    assert_eq!(
        t.text,
        "DeviceNetworkEvents where InitiatingProcessFileName : \"tor.exe\" and (RemotePort == null or RemotePort != 443)\n"
    );
    let n = notes(&t);
    assert_eq!(n.len(), 1);
    assert_eq!(
        (n[0].effect, n[0].span.range()),
        (Effect::OverMatch, 24..50)
    );
    assert!(
        n[0].message
            .contains(r#"{"range": {"TimeGenerated": {"gt": "now-7d"}}}"#),
        "{}",
        n[0].message
    );
}

#[test]
fn nested_time_window_is_declined() {
    let d = declined_pred(or(vec![
        at(window(CmpOp::Gt, 1), 3, 9),
        ci("F", Equals, "x"),
    ]));
    assert_eq!((d.code.0, d.span.range()), ("B063", 3..9));
    let d = declined_pred(not(at(window(CmpOp::Gt, 1), 4, 8)));
    assert_eq!((d.code.0, d.span.range()), ("B063", 4..8));
}

#[test]
fn take_is_head_and_the_smallest_limit_wins() {
    let q = query(
        "T",
        vec![
            filter(ci("F", Equals, "x")),
            stage(StageKind::Limit(10), 0, 0),
            stage(StageKind::Limit(3), 0, 0),
        ],
    );
    let t = run(&q).expect("ok");
    assert_eq!(t.text, "T where F : \"x\" | head 3\n");
    assert_eq!(t.fidelity, Fidelity::Exact);
}

#[test]
fn projections_are_values_notes() {
    let q = query(
        "T",
        vec![
            filter(ci("F", Equals, "x")),
            stage(
                StageKind::Project(vec![Assignment {
                    name: col("F"),
                    expr: field("F"),
                }]),
                10,
                20,
            ),
            stage(
                StageKind::ProjectAway(vec![ColumnPattern {
                    pattern: "G*".into(),
                    span: sp(0, 0),
                }]),
                21,
                30,
            ),
            stage(StageKind::Rename(vec![(col("H"), col("F"))]), 31, 40),
        ],
    );
    let t = run(&q).expect("ok");
    assert_eq!(t.text, "T where F : \"x\"\n");
    let got: Vec<_> = notes(&t)
        .iter()
        .map(|n| (n.effect, n.span.range(), n.message.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Effect::Values,
                10..20,
                "EQL returns whole events; the projection is not applied"
            ),
            (
                Effect::Values,
                21..30,
                "EQL returns whole events; the projection is not applied"
            ),
            (
                Effect::Values,
                31..40,
                "EQL returns whole events; the renaming is not applied"
            ),
        ]
    );
}

#[test]
fn extended_and_renamed_columns_are_inlined_into_later_filters() {
    let q = query(
        "T",
        vec![
            stage(
                StageKind::Extend(vec![Assignment {
                    name: col("Len"),
                    expr: call(ScalarFn::Strlen, vec![field("CommandLine")]),
                }]),
                2,
                30,
            ),
            stage(
                StageKind::Rename(vec![(col("Cmd"), col("CommandLine"))]),
                31,
                50,
            ),
            filter(and(vec![
                cmp(field("Len"), CmpOp::Gt, int(200)),
                ci("Cmd", Contains, "-enc"),
            ])),
        ],
    );
    let t = run(&q).expect("ok");
    assert_eq!(
        t.text,
        "T where length(CommandLine) > 200 and CommandLine : \"*-enc*\"\n"
    );
    assert_eq!(notes(&t).len(), 2);
}

#[test]
fn an_extended_column_eql_cannot_compute_is_declined_where_used() {
    let q = query(
        "T",
        vec![
            stage(
                StageKind::Extend(vec![Assignment {
                    name: col("L"),
                    expr: call(ScalarFn::ToLower, vec![field("F")]),
                }]),
                2,
                30,
            ),
            stage(StageKind::Filter(at(cs("L", Equals, "x"), 35, 45)), 31, 45),
        ],
    );
    let d = declined(&q);
    assert_eq!((d[0].code.0, d[0].span.range()), ("B065", 35..45));
}

#[test]
fn parsed_json_paths_are_object_fields_with_a_note() {
    let pr = at(
        p(PredicateKind::StrMatch(StrMatch {
            field: Expr {
                kind: ExprKind::Field(FieldPath {
                    column: "AdditionalFields".into(),
                    path: vec![PathSegment::Key("Name".into())],
                    parsed: true,
                }),
                span: sp(7, 40),
            },
            kind: Equals,
            case: Case::Insensitive,
            values: vec!["x".into()],
            quantifier: Quantifier::Any,
            negated: false,
        })),
        7,
        50,
    );
    let t = run(&query("T", vec![filter(pr)])).expect("ok");
    assert_eq!(t.text, "T where AdditionalFields.Name : \"x\"\n");
    let n = notes(&t);
    assert_eq!(
        (n[0].effect, n[0].span.range()),
        (Effect::UnderMatch, 7..40)
    );
}

#[test]
fn backend_name() {
    assert_eq!(Eql.name(), "eql");
}

// ---------------------------------------------------------------------------------------------
// Row cases for the reference engine (tests/oracle/check.py)
// ---------------------------------------------------------------------------------------------

/// One predicate, a few events, and the ids KQL returns (worked out from KQL's documented
/// semantics). Only case-insensitive string operators are used: the `eql` Python engine folds
/// case for every operator, so its rows prove nothing about case-sensitive ones.
fn row_case(
    name: &str,
    pr: Predicate,
    events: serde_json::Value,
    expect: &[i64],
) -> serde_json::Value {
    let text = eql(pr);
    serde_json::json!({ "name": name, "query": text, "events": events, "expect": expect })
}

#[test]
fn oracle_row_cases() {
    use serde_json::json;
    let cases = vec![
        row_case(
            "tor_not_443",
            and(vec![
                sm(
                    "Image",
                    Equals,
                    Case::Insensitive,
                    &["tor.exe", "meek-client.exe"],
                ),
                cmp(field("RemotePort"), CmpOp::Ne, int(443)),
            ]),
            json!([
                {"id": 1, "Image": "TOR.EXE", "RemotePort": 443},
                {"id": 2, "Image": "tor.exe", "RemotePort": 9001},
                {"id": 3, "Image": "Meek-Client.exe"},
                {"id": 4, "Image": "tor.exe.bak", "RemotePort": 1},
                {"id": 5, "RemotePort": 1}
            ]),
            &[2, 3],
        ),
        row_case(
            "has_is_a_whole_term",
            ci("C", Term, "tor"),
            json!([
                {"id": 1, "C": "tortoise"},
                {"id": 2, "C": "run TOR now"},
                {"id": 3, "C": "tor"},
                {"id": 4, "C": "x-tor_y"}, // `_` is not alphanumeric: a term boundary
                {"id": 5, "C": "tor9"},
                {"id": 6, "C": "a\ntor"},
                {"id": 7}
            ]),
            &[2, 3, 4, 6],
        ),
        row_case(
            "not_has_keeps_missing",
            neg(ci("C", Term, "cmd.exe")),
            json!([
                {"id": 1, "C": "c:\\cmd.exe /c"},
                {"id": 2, "C": "xcmd.exe"},
                {"id": 3},
                {"id": 4, "C": ""}
            ]),
            &[2, 3, 4],
        ),
        row_case(
            "has_prefix_suffix",
            or(vec![
                ci("C", TermPrefix, "pow"),
                ci("C", TermSuffix, "shell"),
            ]),
            json!([
                {"id": 1, "C": "x Powershell"},
                {"id": 2, "C": "xpow"},
                {"id": 3, "C": "bash-SHELL.exe"},
                {"id": 4, "C": "shellx"}
            ]),
            &[1, 3],
        ),
        row_case(
            "contains_star_is_literal",
            ci("C", Contains, "a*b"),
            json!([
                {"id": 1, "C": "xA*By"},
                {"id": 2, "C": "aXXb"},
                {"id": 3}
            ]),
            &[1],
        ),
        row_case(
            "equals_empty_matches_missing",
            ci("C", Equals, ""),
            json!([{"id": 1, "C": ""}, {"id": 2}, {"id": 3, "C": "x"}]),
            &[1, 2],
        ),
        row_case(
            "not_equals_empty_drops_missing",
            neg(ci("C", Equals, "")),
            json!([{"id": 1, "C": ""}, {"id": 2}, {"id": 3, "C": "x"}]),
            &[3],
        ),
        row_case(
            "not_contains_keeps_missing",
            neg(ci("C", Contains, "evil")),
            json!([{"id": 1, "C": "EVIL"}, {"id": 2}, {"id": 3, "C": "good"}]),
            &[2, 3],
        ),
        row_case(
            "not_in_ci",
            neg(sm("C", Equals, Case::Insensitive, &["a", "b"])),
            json!([{"id": 1, "C": "A"}, {"id": 2}, {"id": 3, "C": "c"}]),
            &[2, 3],
        ),
        row_case(
            "isempty_isnotempty",
            or(vec![
                p(PredicateKind::IsEmpty {
                    expr: field("A"),
                    negated: false,
                }),
                p(PredicateKind::IsEmpty {
                    expr: field("B"),
                    negated: true,
                }),
            ]),
            json!([
                {"id": 1, "A": "x", "B": ""},
                {"id": 2, "B": ""},
                {"id": 3, "A": "x", "B": "y"},
                {"id": 4, "A": "", "B": "y"}
            ]),
            &[2, 3, 4],
        ),
        row_case(
            // KQL: `P !between (10 .. 20)` on a missing P is null, so the row is dropped
            // (duckdb-kql: rows 2 and 4).
            "not_between_drops_missing",
            p(PredicateKind::Between {
                expr: field("P"),
                low: int(10),
                high: int(20),
                negated: true,
            }),
            json!([{"id": 1, "P": 10}, {"id": 2, "P": 21}, {"id": 3}, {"id": 4, "P": 5}]),
            &[2, 4],
        ),
        row_case(
            "not_greater_drops_missing",
            not(cmp(field("P"), CmpOp::Gt, int(10))),
            json!([{"id": 1, "P": 10}, {"id": 2, "P": 21}, {"id": 3}]),
            &[1],
        ),
        row_case(
            "strlen_below_keeps_missing",
            cmp(call(ScalarFn::Strlen, vec![field("C")]), CmpOp::Lt, int(3)),
            json!([{"id": 1, "C": "ab"}, {"id": 2, "C": "abcd"}, {"id": 3}]),
            &[1, 3],
        ),
        row_case(
            "regex_unanchored_and_anchored",
            or(vec![
                sm("C", Regex, Case::Sensitive, &[r"^ab\d"]),
                sm("C", Regex, Case::Sensitive, &[r"z\.y$"]),
            ]),
            json!([
                {"id": 1, "C": "ab1x"},
                {"id": 2, "C": "xab1"},
                {"id": 3, "C": "1z.y"},
                {"id": 4, "C": "z.y1"},
                {"id": 5, "C": "zzy"}
            ]),
            &[1, 3],
        ),
        row_case(
            "regex_dot_does_not_cross_newlines",
            sm("C", Regex, Case::Sensitive, &["a.b"]),
            json!([{"id": 1, "C": "xa-by"}, {"id": 2, "C": "a\nb"}, {"id": 3, "C": "q\na_b"}]),
            &[1, 3],
        ),
        row_case(
            "not_regex_matching_empty",
            neg(sm("C", Regex, Case::Sensitive, &["^x*$"])),
            json!([{"id": 1, "C": ""}, {"id": 2}, {"id": 3, "C": "xy"}, {"id": 4, "C": "xx"}]),
            &[3],
        ),
        row_case(
            "has_all",
            sm_q(
                "C",
                Term,
                Case::Insensitive,
                &["net", "user"],
                Quantifier::All,
                false,
            ),
            json!([{"id": 1, "C": "net user /add"}, {"id": 2, "C": "net1 user"}, {"id": 3, "C": "user NET"}]),
            &[1, 3],
        ),
        row_case(
            "not_of_or_pushes_down",
            not(or(vec![
                ci("A", StartsWith, "x"),
                cmp(field("P"), CmpOp::Eq, int(1)),
            ])),
            json!([{"id": 1, "A": "xy", "P": 2}, {"id": 2, "P": 2}, {"id": 3}, {"id": 4, "A": "y", "P": 1}]),
            &[2, 3],
        ),
    ];
    if let Ok(dir) = std::env::var("KQLPORT_EQL_DUMP") {
        std::fs::create_dir_all(&dir).expect("dir");
        let text = serde_json::to_string_pretty(&cases).expect("json");
        std::fs::write(format!("{dir}/cases.json"), text).expect("write");
    }
}

#[test]
fn emptiness_of_a_dynamic_member_is_noted() {
    // `isnotempty(InitiatedBy.app)`: an object-valued member has no value in EQL.
    let pr = p(PredicateKind::IsEmpty {
        expr: path("InitiatedBy", &[PathSegment::Key("app".into())], false),
        negated: true,
    });
    let t = run(&query("AuditLogs", vec![filter(pr)])).expect("translates");
    match &t.fidelity {
        Fidelity::Approximate(n) => {
            assert_eq!(n.len(), 1);
            assert_eq!(n[0].effect, Effect::UnderMatch);
        }
        other => panic!("expected a note: {other:?}"),
    }
    assert_eq!(
        t.text,
        "AuditLogs where InitiatedBy.app != null and InitiatedBy.app != \"\"\n"
    );
}
