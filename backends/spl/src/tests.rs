//! Unit tests: the exact SPL for each IR construct, escaping/injection round trips, and the
//! notes and refusals with their spans. IR is built by hand with the small helpers below.

use crate::Spl;
use kqlport::backend::{Backend, Effect, Fidelity, RuleContext};
use kqlport::diag::Diagnostic;
use kqlport::ir::*;
use kqlport::source::Span;

// ---- builders ---------------------------------------------------------------------------------

fn sp(a: usize, b: usize) -> Span {
    Span::new(a, b)
}
fn s0() -> Span {
    sp(0, 0)
}
fn field(name: &str) -> Expr {
    Expr {
        kind: ExprKind::Field(FieldPath::column(name)),
        span: s0(),
    }
}
fn path(col: &str, keys: &[&str], parsed: bool) -> Expr {
    Expr {
        kind: ExprKind::Field(FieldPath {
            column: col.into(),
            path: keys
                .iter()
                .map(|k| PathSegment::Key(k.to_string()))
                .collect(),
            parsed,
        }),
        span: s0(),
    }
}
fn segs(col: &str, segs: Vec<PathSegment>, parsed: bool) -> Expr {
    Expr {
        kind: ExprKind::Field(FieldPath {
            column: col.into(),
            path: segs,
            parsed,
        }),
        span: sp(5, 9),
    }
}
fn k(s: &str) -> PathSegment {
    PathSegment::Key(s.into())
}
fn ix(i: i64) -> PathSegment {
    PathSegment::Index(i)
}
fn lit(l: Literal) -> Expr {
    Expr {
        kind: ExprKind::Literal(l),
        span: s0(),
    }
}
fn long(n: i64) -> Expr {
    lit(Literal::Long(n))
}
fn call(func: ScalarFn, args: Vec<Expr>) -> Expr {
    Expr {
        kind: ExprKind::Call { func, args },
        span: sp(30, 40),
    }
}
fn p(kind: PredicateKind) -> Predicate {
    Predicate {
        kind,
        span: sp(10, 20),
    }
}
fn sm(f: &str, kind: MatchKind, case: Case, values: &[&str]) -> Predicate {
    sm_q(f, kind, case, values, Quantifier::Any, false)
}
fn sm_q(
    f: &str,
    kind: MatchKind,
    case: Case,
    values: &[&str],
    q: Quantifier,
    negated: bool,
) -> Predicate {
    p(PredicateKind::StrMatch(StrMatch {
        field: field(f),
        kind,
        case,
        values: values.iter().map(|v| v.to_string()).collect(),
        quantifier: q,
        negated,
    }))
}
fn not_sm(f: &str, kind: MatchKind, case: Case, values: &[&str]) -> Predicate {
    sm_q(f, kind, case, values, Quantifier::Any, true)
}
fn cmp(l: Expr, op: CmpOp, r: Expr) -> Predicate {
    p(PredicateKind::Compare {
        lhs: l,
        op,
        rhs: r,
        operands: Default::default(),
    })
}
fn and(v: Vec<Predicate>) -> Predicate {
    p(PredicateKind::And(v))
}
fn or(v: Vec<Predicate>) -> Predicate {
    p(PredicateKind::Or(v))
}
fn not(x: Predicate) -> Predicate {
    p(PredicateKind::Not(Box::new(x)))
}
fn ago(f: &str, op: CmpOp, days: i64) -> Predicate {
    p(PredicateKind::TimeWindow {
        field: field(f),
        op,
        ago: Duration::from_ticks(days * 864_000_000_000),
    })
}
fn column(n: &str) -> Column {
    Column {
        name: n.into(),
        span: sp(50, 55),
    }
}
fn assign(n: &str, e: Expr) -> Assignment {
    Assignment {
        name: column(n),
        expr: e,
    }
}
fn stage(kind: StageKind) -> Stage {
    Stage {
        kind,
        span: sp(60, 70),
    }
}
fn filter(pr: Predicate) -> Stage {
    stage(StageKind::Filter(pr))
}
fn agg(n: &str, func: AggFunc) -> Aggregation {
    Aggregation {
        name: column(n),
        func,
        span: sp(80, 90),
    }
}
fn key(n: &str) -> GroupKey {
    GroupKey {
        name: column(n),
        kind: GroupKeyKind::Expr(field(n)),
        operands: Default::default(),
    }
}
fn hours(h: i64) -> Duration {
    Duration::from_ticks(h * 36_000_000_000)
}
fn q(stages: Vec<Stage>) -> Query {
    Query {
        source: Source::table("DeviceProcessEvents", sp(0, 19)),
        stages,
        span: s0(),
    }
}
fn run(query: Query) -> Result<(String, Fidelity), Vec<Diagnostic>> {
    let out = Spl
        .translate(&RuleContext::default(), &query)
        .map(|t| (t.text, t.fidelity));
    // For the splparser smoke test (tests/oracle/splparse.py): collect every emitted query.
    if let (Ok((t, _)), Some(dir)) = (&out, std::env::var_os("KQLPORT_SPL_DUMP")) {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        t.hash(&mut h);
        let name = format!("{:016x}.spl", h.finish());
        std::fs::write(std::path::Path::new(&dir).join(name), t).expect("dump");
    }
    out
}
fn text(query: Query) -> String {
    let (t, f) = run(query).expect("translates");
    assert_eq!(f, Fidelity::Exact, "expected exact: {t}");
    t
}
/// A translation whose only notes are the one-element-set note of values()/list().
fn text_sets(query: Query) -> String {
    let (t, notes) = approx(query);
    assert!(
        notes.iter().all(|n| n.2 == Effect::Values),
        "only the one-element-set note expected: {notes:?}"
    );
    t
}
fn approx(query: Query) -> (String, Vec<(usize, usize, Effect)>) {
    match run(query).expect("translates") {
        (t, Fidelity::Approximate(n)) => (
            t,
            n.iter()
                .map(|n| (n.span.start, n.span.end, n.effect))
                .collect(),
        ),
        (t, Fidelity::Exact) => panic!("expected notes: {t}"),
    }
}
fn declined(query: Query) -> Vec<(&'static str, usize, usize)> {
    run(query)
        .expect_err("declines")
        .iter()
        .map(|d| (d.code.0, d.span.start, d.span.end))
        .collect()
}
/// Just the commands after the base search line.
fn tail(t: &str) -> String {
    t.lines().skip(1).collect::<Vec<_>>().join("\n")
}

use Case::{Insensitive as CI, Sensitive as CS};
use MatchKind::*;

// ---- source, base search, time ---------------------------------------------------------------

#[test]
fn bare_table() {
    assert_eq!(
        text(q(vec![])),
        "search index=* sourcetype=\"DeviceProcessEvents\"\n"
    );
}

#[test]
fn leading_insensitive_tests_go_to_the_base_search() {
    let t = text(q(vec![filter(and(vec![
        ago("Timestamp", CmpOp::Gt, 7),
        sm("FileName", Equals, CI, &["cmd.exe", "powershell.exe"]),
        sm("ProcessCommandLine", Contains, CI, &["-enc"]),
        not_sm("AccountName", EndsWith, CI, &["$"]),
    ]))]));
    assert_eq!(
        t,
        "search index=* sourcetype=\"DeviceProcessEvents\" earliest=-604800s latest=2147483647 \
         FileName IN (\"cmd.exe\", \"powershell.exe\") ProcessCommandLine=\"*-enc*\" \
         NOT AccountName=\"*$\"\n\
         | where _time>(now() - 604800)\n"
    );
}

#[test]
fn leading_time_windows_are_exact_at_both_edges() {
    // Splunk: `earliest` inclusive, `latest` exclusive, and `latest` defaults to now when only
    // `earliest` is given. KQL's `T > ago(d)` is strict and has no upper bound.
    let base = "search index=* sourcetype=\"DeviceProcessEvents\"";
    let one = |op| text(q(vec![filter(ago("Timestamp", op, 2))]));
    assert_eq!(
        one(CmpOp::Gt),
        format!("{base} earliest=-172800s latest=2147483647\n| where _time>(now() - 172800)\n")
    );
    assert_eq!(
        one(CmpOp::Ge),
        format!("{base} earliest=-172800s latest=2147483647\n")
    );
    assert_eq!(
        one(CmpOp::Lt),
        format!("{base} earliest=0 latest=-172800s\n")
    );
    assert_eq!(
        one(CmpOp::Le),
        format!("{base} earliest=0 latest=-172799s\n| where _time<=(now() - 172800)\n")
    );
    // Both edges given: no opening; the strict edge joins the other where conditions.
    let t = text(q(vec![filter(and(vec![
        ago("Timestamp", CmpOp::Gt, 2),
        ago("Timestamp", CmpOp::Lt, 1),
        sm("A", Equals, CS, &["x"]),
    ]))]));
    assert_eq!(
        t,
        format!(
            "{base} earliest=-172800s latest=-86400s A=\"x\"\n| where _time>(now() - 172800) AND A==\"x\"\n"
        )
    );
}

#[test]
fn or_of_search_terms_is_parenthesised_and() {
    let t = text(q(vec![filter(or(vec![
        and(vec![
            sm("A", StartsWith, CI, &["x"]),
            sm("B", Equals, CI, &["y"]),
        ]),
        sm("C", Equals, CI, &["z"]),
    ]))]));
    assert_eq!(
        t,
        "search index=* sourcetype=\"DeviceProcessEvents\" ((A=\"x*\" AND B=\"y\") OR C=\"z\")\n"
    );
}

#[test]
fn time_window_not_top_level_goes_to_where() {
    let t = text(q(vec![filter(or(vec![
        ago("Timestamp", CmpOp::Gt, 1),
        sm("A", Equals, CS, &["x"]),
    ]))]));
    assert_eq!(tail(&t), "| where _time>(now() - 86400) OR A==\"x\"");
    let t = text(q(vec![
        stage(StageKind::Limit(5)),
        filter(ago("Timestamp", CmpOp::Le, 1)),
    ]));
    assert_eq!(tail(&t), "| head 5\n| where _time<=(now() - 86400)");
    let t = text(q(vec![filter(ago("Timestamp", CmpOp::Lt, 1))]));
    assert_eq!(
        t,
        "search index=* sourcetype=\"DeviceProcessEvents\" earliest=0 latest=-86400s\n"
    );
}

/// The ISO 8601 UTC reading of a datetime held as text in field `f` (eval spelling).
fn iso(f: &str) -> String {
    format!(
        "strptime(substr({f}, 1, 19).\"+0000\", \"%Y-%m-%dT%H:%M:%S%z\") + \
         tonumber(replace({f}, \"^.{{19}}(\\\\.[0-9]+)?Z$\", \"0\\\\1\"))"
    )
}

#[test]
fn time_window_on_other_column_reads_iso_text() {
    // Only the event time is an epoch in Splunk; another datetime column is the text Sentinel
    // exported (ISO 8601 UTC), parsed with an explicit +0000 zone, fraction added back.
    let mut w = ago("ProcessCreationTime", CmpOp::Gt, 1);
    if let PredicateKind::TimeWindow { field, .. } = &mut w.kind {
        field.span = sp(3, 12);
    }
    let (t, notes) = approx(q(vec![filter(w)]));
    assert_eq!(
        tail(&t),
        format!("| where ({})>(now() - 86400)", iso("ProcessCreationTime"))
    );
    assert_eq!(notes, vec![(3, 12, Effect::UnderMatch)]);
}

#[test]
fn datetime_typing_follows_computed_columns() {
    // A column computed from the event time is epoch seconds: compared and bucketed as is.
    let t = text(q(vec![
        ext(
            "Local",
            Expr {
                kind: ExprKind::Arith {
                    op: ArithOp::Add,
                    lhs: Box::new(field("Timestamp")),
                    rhs: Box::new(lit(Literal::Timespan(hours(5)))),
                },
                span: s0(),
            },
        ),
        filter(ago("Local", CmpOp::Gt, 30)),
        ext("h", call(ScalarFn::HourOfDay, vec![field("Local")])),
    ]));
    assert_eq!(
        tail(&t),
        "| eval Local=_time + 18000\n\
         | where Local>(now() - 2592000)\n\
         | eval h=floor(Local / 3600) - (floor(Local / 86400) * 24)"
    );
    // max() of the time column, then renamed: still epoch seconds.
    let t = text(q(vec![
        stage(StageKind::Aggregate {
            by: vec![key("A")],
            aggs: vec![agg("Last", AggFunc::Max(field("Timestamp")))],
        }),
        stage(StageKind::Rename(vec![(column("L"), column("Last"))])),
        filter(ago("L", CmpOp::Lt, 14)),
    ]));
    assert_eq!(
        tail(&t),
        "| fillnull value=\"\" A\n\
         | stats max(_time) AS Last by A\n\
         | rename Last AS L\n\
         | where L<(now() - 1209600)"
    );
    // todatetime(text) is the ISO reading (a value note outside filters); the result column
    // is then epoch seconds, and todatetime of a literal is folded.
    let (t, notes) = approx(q(vec![
        ext("C", call(ScalarFn::ToDateTime, vec![field("Created")])),
        filter(cmp(
            field("C"),
            CmpOp::Ne,
            call(ScalarFn::ToDateTime, vec![s("0001-01-01T00:00:00Z")]),
        )),
        filter(p(PredicateKind::Between {
            expr: field("C"),
            low: Expr {
                kind: ExprKind::Ago(hours(2)),
                span: s0(),
            },
            high: Expr {
                kind: ExprKind::Now,
                span: s0(),
            },
            negated: false,
        })),
    ]));
    assert_eq!(
        tail(&t),
        format!(
            "| eval C={}\n\
             | where isnull(C) OR C!=-62135596800\n\
             | where C>=(now() - 7200) AND C<=now()",
            iso("Created")
        )
    );
    assert_eq!(notes, vec![(0, 0, Effect::Values)]);
    // A text column compared with a datetime constant, or with the time column.
    let (t, _) = approx(q(vec![filter(cmp(
        field("Created"),
        CmpOp::Ge,
        field("Timestamp"),
    ))]));
    assert_eq!(tail(&t), format!("| where ({})>=_time", iso("Created")));
    // A project keeps what it copies; a distinct keeps only its columns.
    let t = text(q(vec![
        stage(StageKind::Project(vec![
            assign("T", field("Timestamp")),
            assign("A", field("A")),
        ])),
        filter(ago("T", CmpOp::Gt, 1)),
    ]));
    assert_eq!(
        tail(&t),
        "| eval T=_time\n| table T A\n| where T>(now() - 86400)"
    );
}

#[test]
fn calendar_parts_of_a_datetime_in_utc() {
    // dayofweek is a timespan (seconds) since Sunday; / 1d divides timespans exactly.
    let dow = call(ScalarFn::DayOfWeek, vec![field("Timestamp")]);
    let t = text(q(vec![ext(
        "d",
        Expr {
            kind: ExprKind::Arith {
                op: ArithOp::Div,
                lhs: Box::new(dow),
                rhs: Box::new(lit(Literal::Timespan(hours(24)))),
            },
            span: s0(),
        },
    )]));
    assert_eq!(
        tail(&t),
        "| eval d=(((floor(_time / 86400) + 4) - (floor((floor(_time / 86400) + 4) / 7) * 7)) * 86400) / 86400"
    );
    let civil = "__kqlport_h1=floor(_time / 86400), \
         __kqlport_h2=(__kqlport_h1 + 719468) - (floor((__kqlport_h1 + 719468) / 146097) * 146097), \
         __kqlport_h3=floor((((__kqlport_h2 - floor(__kqlport_h2 / 1460)) + floor(__kqlport_h2 / 36524)) \
         - floor(__kqlport_h2 / 146096)) / 365), \
         __kqlport_h4=__kqlport_h2 - (((365 * __kqlport_h3) + floor(__kqlport_h3 / 4)) - floor(__kqlport_h3 / 100)), \
         __kqlport_h5=floor(((5 * __kqlport_h4) + 2) / 153)";
    let t = text(q(vec![ext(
        "m",
        call(ScalarFn::GetMonth, vec![field("Timestamp")]),
    )]));
    assert_eq!(
        tail(&t),
        format!(
            "| eval {civil}\n\
             | eval m=if(__kqlport_h5<10, __kqlport_h5 + 3, __kqlport_h5 - 9)\n\
             | fields - __kqlport_h1 __kqlport_h2 __kqlport_h3 __kqlport_h4 __kqlport_h5"
        )
    );
    let t = text(q(vec![ext(
        "y",
        call(ScalarFn::GetYear, vec![field("Timestamp")]),
    )]));
    assert_eq!(
        tail(&t),
        format!(
            "| eval {civil}\n\
             | eval y=(__kqlport_h3 + (floor((__kqlport_h1 + 719468) / 146097) * 400)) + if(__kqlport_h5>=10, 1, 0)\n\
             | fields - __kqlport_h1 __kqlport_h2 __kqlport_h3 __kqlport_h4 __kqlport_h5"
        )
    );
    // startofday of a datetime constant.
    let t = text(q(vec![filter(cmp(
        field("Timestamp"),
        CmpOp::Ge,
        call(
            ScalarFn::StartOfDay,
            vec![Expr {
                kind: ExprKind::Ago(hours(24)),
                span: s0(),
            }],
        ),
    ))]));
    assert_eq!(
        tail(&t),
        "| where _time>=(floor((now() - 86400) / 86400) * 86400)"
    );
}

#[test]
fn datetime_literal_compares_with_time_as_epoch() {
    let t = text(q(vec![filter(cmp(
        field("Timestamp"),
        CmpOp::Ge,
        lit(Literal::DateTime("2024-03-01T12:30:00.5Z".into())),
    ))]));
    assert_eq!(tail(&t), "| where _time>=1709296200.5");
    assert_eq!(
        crate::translate::epoch_seconds("1970-01-01T00:00:00Z").as_deref(),
        Some("0")
    );
    assert_eq!(
        crate::translate::epoch_seconds("2000-02-29T23:59:59Z").as_deref(),
        Some("951868799")
    );
}

// ---- string predicates in where --------------------------------------------------------------

#[test]
fn sensitive_equality_and_in() {
    let t = text(q(vec![filter(and(vec![
        sm("A", Equals, CS, &["Admin"]),
        sm("B", Equals, CS, &["x", "y"]),
    ]))]));
    assert_eq!(tail(&t), "| where A==\"Admin\" AND in(B, \"x\", \"y\")");
}

#[test]
fn negations_keep_missing_fields() {
    let t = text(q(vec![filter(and(vec![
        not_sm("A", Equals, CS, &["x"]),
        not_sm("B", Equals, CS, &["x", "y"]),
        not_sm("C", Term, CI, &["cmd"]),
    ]))]));
    assert_eq!(
        tail(&t),
        "| where (isnull(A) OR NOT (A==\"x\")) AND (isnull(B) OR NOT in(B, \"x\", \"y\")) AND \
         (isnull(C) OR NOT match(C, \"(?i)(^|[^A-Za-z0-9])cmd($|[^A-Za-z0-9])\"))"
    );
}

#[test]
fn empty_value_matches_missing_field() {
    let t = text(q(vec![filter(and(vec![
        sm("A", Equals, CS, &[""]),
        sm("B", Equals, CI, &[""]),
        not_sm("C", Equals, CS, &[""]),
    ]))]));
    assert_eq!(
        tail(&t),
        "| where (isnull(A) OR A==\"\") AND (isnull(B) OR lower(B)==\"\") AND \
         (isnotnull(C) AND NOT (C==\"\"))"
    );
}

#[test]
fn not_over_string_test_is_pushed_down() {
    // not(A has "x" or B == "y") ⇒ both negated, each keeping missing fields.
    let t = text(q(vec![filter(not(or(vec![
        sm("A", Term, CI, &["x"]),
        sm("B", Equals, CS, &["y"]),
    ])))]));
    assert_eq!(
        tail(&t),
        "| where (isnull(A) OR NOT match(A, \"(?i)(^|[^A-Za-z0-9])x($|[^A-Za-z0-9])\")) AND \
         (isnull(B) OR NOT (B==\"y\"))"
    );
}

#[test]
fn term_family_and_substring_family() {
    let t = text(q(vec![filter(and(vec![
        sm("A", Term, CI, &["cmd.exe"]),
        sm_q("B", Term, CI, &["a", "b"], Quantifier::Any, false),
        sm_q("C", Term, CI, &["a", "b"], Quantifier::All, false),
        sm("D", TermPrefix, CS, &["pre"]),
        sm("E", TermSuffix, CI, &["suf"]),
        sm("F", Contains, CS, &["Mixed"]),
        sm("G", StartsWith, CS, &["x"]),
        sm("H", EndsWith, CS, &["y"]),
    ]))]));
    assert_eq!(
        tail(&t),
        "| where match(A, \"(?i)(^|[^A-Za-z0-9])cmd\\\\.exe($|[^A-Za-z0-9])\") AND \
         match(B, \"(?i)(^|[^A-Za-z0-9])(?:a|b)($|[^A-Za-z0-9])\") AND \
         (match(C, \"(?i)(^|[^A-Za-z0-9])a($|[^A-Za-z0-9])\") AND \
         match(C, \"(?i)(^|[^A-Za-z0-9])b($|[^A-Za-z0-9])\")) AND \
         match(D, \"(^|[^A-Za-z0-9])pre\") AND match(E, \"(?i)suf($|[^A-Za-z0-9])\") AND \
         match(F, \"Mixed\") AND match(G, \"^x\") AND match(H, \"y\\\\z\")"
    );
}

#[test]
fn non_ascii_insensitive_uses_ascii_classes() {
    let t = text(q(vec![filter(sm("A", Equals, CI, &["Straße"]))]));
    assert_eq!(
        tail(&t),
        "| where match(A, \"^[sS][tT][rR][aA]ß[eE]\\\\z\")"
    );
}

#[test]
fn regex_is_ported() {
    let t = text(q(vec![filter(sm("A", Regex, CS, &[r"^\d+\.exe$"]))]));
    assert_eq!(tail(&t), r#"| where match(A, "^[0-9]+\\.exe\\z")"#);
    // A pattern that matches "" also accepts a missing field.
    let t = text(q(vec![filter(sm("A", Regex, CS, &["x*"]))]));
    assert_eq!(tail(&t), "| where isnull(A) OR match(A, \"x*\")");
    let mut bad = sm("A", Regex, CS, &["[a&&b]"]);
    bad.span = sp(5, 9);
    assert_eq!(declined(q(vec![filter(bad)])), vec![("B016", 5, 9)]);
}

#[test]
fn unsafe_values_leave_the_base_search() {
    // `*`, `"`, `\`, non-ASCII, leading space, empty: never a base-search value; the test is
    // in `where`, and the base search has at most the prefilter on the value's longest run of
    // letters and digits (`prefilter.rs`).
    for (v, pre) in [
        ("a*b", " A=\"*a*\""),
        ("a\"b", " A=\"*a*\""),
        (r"C:\Windows", " A=\"*Windows*\""),
        ("é", ""),
        (" x", " A=\"*x*\""),
        ("", ""),
    ] {
        let t = text(q(vec![filter(sm("A", Equals, CI, &[v]))]));
        assert!(
            t.starts_with(&format!(
                "search index=* sourcetype=\"DeviceProcessEvents\"{pre}\n| where"
            )),
            "{v}: {t}"
        );
    }
}

// ---- escaping / injection --------------------------------------------------------------------

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
    let t = text(q(vec![filter(sm("OR", Equals, CI, &["x"]))]));
    assert_eq!(tail(&t), "| where lower('OR')==\"x\"");
    let mut bad = sm("a'b", Equals, CS, &["x"]);
    if let PredicateKind::StrMatch(s) = &mut bad.kind {
        s.field.span = sp(1, 4);
    }
    assert_eq!(declined(q(vec![filter(bad)])), vec![("B011", 1, 4)]);
}

// ---- other predicates ------------------------------------------------------------------------

#[test]
fn numbers_sets_ranges_emptiness() {
    let t = text(q(vec![filter(and(vec![
        cmp(field("RemotePort"), CmpOp::Ne, long(443)),
        cmp(field("Size"), CmpOp::Gt, lit(Literal::Real(1.5))),
        p(PredicateKind::InSet {
            expr: field("P"),
            values: vec![Literal::Long(1), Literal::Long(2)],
            negated: true,
        }),
        p(PredicateKind::Between {
            expr: field("N"),
            low: long(1),
            high: long(5),
            negated: false,
        }),
        p(PredicateKind::Between {
            expr: field("M"),
            low: long(1),
            high: long(5),
            negated: true,
        }),
        p(PredicateKind::IsEmpty {
            expr: field("E"),
            negated: false,
        }),
        p(PredicateKind::IsEmpty {
            expr: field("F"),
            negated: true,
        }),
        p(PredicateKind::IsNull {
            expr: field("G"),
            negated: true,
        }),
        p(PredicateKind::Bool(field("IsRemote"))),
        p(PredicateKind::Bool(call(
            ScalarFn::Ipv4IsPrivate,
            vec![field("IP")],
        ))),
        p(PredicateKind::Bool(call(
            ScalarFn::Ipv4IsInRange,
            vec![field("IP"), lit(Literal::String("10.1.2.3".into()))],
        ))),
    ]))]));
    assert_eq!(
        tail(&t),
        "| where (isnull(RemotePort) OR RemotePort!=443) AND Size>1.5 AND \
         (isnull(P) OR NOT (P==1 OR P==2)) AND (N>=1 AND N<=5) AND (M<1 OR M>5) AND \
         (isnull(E) OR E==\"\") AND (isnotnull(F) AND F!=\"\") AND isnotnull(G) AND \
         IsRemote==\"true\" AND (cidrmatch(\"10.0.0.0/8\", IP) OR cidrmatch(\"172.16.0.0/12\", IP) \
         OR cidrmatch(\"192.168.0.0/16\", IP)) AND cidrmatch(\"10.1.2.3/32\", IP)"
    );
}

#[test]
fn column_to_column_equality_is_noted() {
    let (t, notes) = approx(q(vec![filter(cmp(field("A"), CmpOp::Eq, field("B")))]));
    assert_eq!(tail(&t), "| where A==B");
    assert_eq!(notes, vec![(10, 20, Effect::UnderMatch)]);
}

fn typed_cmp(l: Expr, op: CmpOp, r: Expr, operands: Operands) -> Predicate {
    p(PredicateKind::Compare {
        lhs: l,
        op,
        rhs: r,
        operands,
    })
}

#[test]
fn string_columns_compare_with_missing_as_empty() {
    // KQL strings are never null (a missing one is ""): coalesce both sides; exact.
    let ne = typed_cmp(field("A"), CmpOp::Ne, field("B"), Operands::Strings);
    assert_eq!(
        tail(&text(q(vec![filter(ne)]))),
        "| where coalesce(A, \"\")!=coalesce(B, \"\")"
    );
    let eq = typed_cmp(field("A"), CmpOp::Eq, field("B"), Operands::Strings);
    assert_eq!(
        tail(&text(q(vec![filter(not(eq))]))),
        "| where coalesce(A, \"\")!=coalesce(B, \"\")"
    );
}

#[test]
fn non_string_columns_follow_kql_null_rules() {
    // `!=`: true when exactly one side is null (KQL: null != null is null, the row dropped).
    let ne = typed_cmp(field("A"), CmpOp::Ne, field("B"), Operands::NotStrings);
    assert_eq!(
        tail(&text(q(vec![filter(ne)]))),
        "| where (isnull(A) AND isnotnull(B)) OR (isnotnull(A) AND isnull(B)) OR A!=B"
    );
    let lt = typed_cmp(field("A"), CmpOp::Lt, field("B"), Operands::NotStrings);
    assert_eq!(tail(&text(q(vec![filter(not(lt))]))), "| where A>=B");
}

#[test]
fn unknown_type_columns_note_the_string_case() {
    let ne = typed_cmp(field("A"), CmpOp::Ne, field("B"), Operands::Unknown);
    let (t, notes) = approx(q(vec![filter(ne)]));
    assert_eq!(
        tail(&t),
        "| where (isnull(A) AND isnotnull(B)) OR (isnotnull(A) AND isnull(B)) OR A!=B"
    );
    assert_eq!(notes, vec![(10, 20, Effect::OverMatch)]);
    let gt = typed_cmp(field("A"), CmpOp::Gt, field("B"), Operands::Unknown);
    let (t, notes) = approx(q(vec![filter(gt)]));
    assert_eq!(tail(&t), "| where A>B");
    assert_eq!(notes, vec![(10, 20, Effect::UnderMatch)]);
}

// ---- stages ----------------------------------------------------------------------------------

#[test]
fn extend_project_rename_away_reorder() {
    let t = text(q(vec![
        stage(StageKind::Extend(vec![
            assign(
                "Full",
                call(
                    ScalarFn::StrCat,
                    vec![
                        field("Domain"),
                        lit(Literal::String("\\".into())),
                        field("User"),
                    ],
                ),
            ),
            assign("Lower", call(ScalarFn::ToLower, vec![field("Full")])),
            assign(
                "Kind",
                Expr {
                    kind: ExprKind::Case {
                        branches: vec![(
                            sm("A", Term, CI, &["x"]),
                            lit(Literal::String("x".into())),
                        )],
                        otherwise: Box::new(lit(Literal::String("other".into()))),
                    },
                    span: s0(),
                },
            ),
            assign(
                "Sus",
                Expr {
                    kind: ExprKind::Predicate(Box::new(sm("B", Contains, CI, &["evil"]))),
                    span: s0(),
                },
            ),
            assign("Extra", path("AdditionalFields", &["a", "b"], false)),
            assign("Parsed", path("Raw", &["k"], true)),
        ])),
        stage(StageKind::Project(vec![
            assign("Timestamp", field("Timestamp")),
            assign("Full", field("Full")),
            assign("Len", call(ScalarFn::Strlen, vec![field("Full")])),
        ])),
        stage(StageKind::Rename(vec![(column("Who"), column("Full"))])),
        stage(StageKind::ProjectAway(vec![ColumnPattern {
            pattern: "Len*".into(),
            span: s0(),
        }])),
        stage(StageKind::Reorder(vec![ColumnPattern {
            pattern: "Who".into(),
            span: s0(),
        }])),
    ]));
    assert_eq!(
        tail(&t),
        "| eval Full=coalesce(Domain, \"\").\"\\\\\".coalesce(User, \"\"), Lower=lower(Full), \
         Kind=if(match(A, \"(?i)(^|[^A-Za-z0-9])x($|[^A-Za-z0-9])\"), \"x\", \"other\"), \
         Sus=if(match(B, \"(?i)evil\"), \"true\", \"false\"), Extra='AdditionalFields.a.b', \
         Parsed=json_extract(json_extract(_raw, \"Raw\"), \"k\")\n\
         | eval Len=len(coalesce(Full, \"\"))\n\
         | table _time Full Len\n\
         | rename Full AS Who\n\
         | fields - Len*\n\
         | table Who *\n\
         | rename _time AS Timestamp"
    );
}

#[test]
fn project_with_swapped_columns_uses_helpers() {
    let t = text(q(vec![stage(StageKind::Project(vec![
        assign("a", field("b")),
        assign("b", field("a")),
    ]))]));
    assert_eq!(
        tail(&t),
        "| eval __kqlport_p1=b, __kqlport_p2=a\n| rename __kqlport_p1 AS a, __kqlport_p2 AS b\n| table a b"
    );
}

#[test]
fn summarize_count_by_bin() {
    // FileName is a string column of DeviceProcessEvents: values() reads a missing one as "",
    // as make_set does (issue 11).
    let t = text_sets(q(vec![
        stage(StageKind::Aggregate {
            by: vec![
                key("DeviceName"),
                GroupKey {
                    name: column("Timestamp"),
                    kind: GroupKeyKind::Bin {
                        field: field("Timestamp"),
                        size: BinSize::Duration(hours(1)),
                    },
                    operands: Default::default(),
                },
            ],
            aggs: vec![
                agg("count_", AggFunc::Count),
                agg("Hits", AggFunc::CountIf(sm("A", Equals, CS, &["x"]))),
                agg(
                    "Files",
                    AggFunc::MakeSet {
                        expr: field("FileName"),
                        max: None,
                    },
                ),
                agg("First", AggFunc::Min(field("Timestamp"))),
            ],
        }),
        filter(cmp(field("count_"), CmpOp::Gt, long(5))),
    ]));
    assert_eq!(
        tail(&t),
        "| eval __kqlport_by2=floor(_time / 3600) * 3600\n\
         | fillnull value=\"\" DeviceName __kqlport_by2\n\
         | stats count AS count_ count(eval(A==\"x\")) AS Hits values(eval(coalesce(FileName, \"\"))) AS Files min(_time) AS First by DeviceName __kqlport_by2\n\
         | rename __kqlport_by2 AS _time\n\
         | where count_>5\n\
         | rename _time AS Timestamp"
    );
}

#[test]
fn summarize_notes_and_caps() {
    let (t, notes) = approx(q(vec![stage(StageKind::Aggregate {
        by: vec![key("U")],
        aggs: vec![
            agg("n", AggFunc::DCount(field("IP"))),
            agg(
                "l",
                AggFunc::MakeList {
                    expr: field("IP"),
                    max: Some(10),
                },
            ),
        ],
    })]));
    assert_eq!(
        tail(&t),
        "| fillnull value=\"\" U\n| stats dc(IP) AS n list(IP) AS l by U\n| eval l=mvindex(l, 0, 9)"
    );
    // One note per approximation (dcount estimate, list cap, a one-element list is a single
    // value), all at the aggregate's span.
    assert_eq!(
        notes,
        vec![
            (80, 90, Effect::Values),
            (80, 90, Effect::Values),
            (80, 90, Effect::Values)
        ]
    );
}

#[test]
fn arg_max_pattern() {
    let (t, notes) = approx(q(vec![stage(StageKind::Aggregate {
        by: vec![key("DeviceId")],
        aggs: vec![agg(
            "Timestamp",
            AggFunc::ArgMax {
                by: field("Timestamp"),
                cols: vec![],
            },
        )],
    })]));
    assert_eq!(
        tail(&t),
        "| fillnull value=\"\" DeviceId\n| where isnotnull(_time)\n| sort 0 -_time\n| dedup DeviceId\n| table DeviceId _time *"
    );
    assert_eq!(notes, vec![(80, 90, Effect::UnderMatch)]);
    // Two extremes in one summarize pick two rows: declined.
    let two = q(vec![stage(StageKind::Aggregate {
        by: vec![],
        aggs: vec![
            agg(
                "a",
                AggFunc::ArgMin {
                    by: field("T"),
                    cols: vec![],
                },
            ),
            Aggregation {
                name: column("b"),
                func: AggFunc::ArgMax {
                    by: field("T"),
                    cols: vec![],
                },
                span: sp(91, 95),
            },
        ],
    })]);
    assert_eq!(declined(two), vec![("B015", 91, 95)]);
}

#[test]
fn arg_max_with_other_aggregates_uses_eventstats() {
    // The other aggregates over every row of the group, then the extreme row; a named
    // extreme copies the value under its name.
    let (t, notes) = approx(q(vec![stage(StageKind::Aggregate {
        by: vec![key("P")],
        aggs: vec![
            agg(
                "Start",
                AggFunc::ArgMin {
                    by: field("Timestamp"),
                    cols: vec![],
                },
            ),
            agg("End", AggFunc::Max(field("Timestamp"))),
            agg(
                "Hosts",
                AggFunc::MakeSet {
                    expr: field("H"),
                    max: Some(5),
                },
            ),
        ],
    })]));
    assert_eq!(
        tail(&t),
        "| fillnull value=\"\" P\n\
         | eventstats max(_time) AS End values(H) AS Hosts by P\n\
         | where isnotnull(_time)\n\
         | sort 0 +_time\n\
         | dedup P\n\
         | eval Start=_time, Hosts=mvindex(Hosts, 0, 4)\n\
         | table P Start _time End Hosts *"
    );
    let effects: Vec<Effect> = notes.iter().map(|n| n.2).collect();
    assert!(effects.contains(&Effect::UnderMatch) && effects.contains(&Effect::Values));
    // Explicit columns: no `*`, and no clash note.
    let (t, _) = approx(q(vec![stage(StageKind::Aggregate {
        by: vec![key("D")],
        aggs: vec![
            agg(
                "Last",
                AggFunc::ArgMax {
                    by: field("T"),
                    cols: vec![assign("Who", field("Who"))],
                },
            ),
            agg("n", AggFunc::Count),
        ],
    })]));
    assert_eq!(
        tail(&t),
        "| fillnull value=\"\" D\n\
         | eventstats count AS n by D\n\
         | where isnotnull(T)\n\
         | sort 0 -T\n\
         | dedup D\n\
         | eval Last=T\n\
         | table D Last Who n"
    );
}

#[test]
fn arg_max_by_computed_keys() {
    let week = GroupKey {
        name: column("Column1"),
        kind: GroupKeyKind::Expr(call(ScalarFn::StartOfWeek, vec![field("Timestamp")])),
        operands: Default::default(),
    };
    let (t, _) = approx(q(vec![stage(StageKind::Aggregate {
        by: vec![key("D"), week],
        aggs: vec![agg(
            "Timestamp",
            AggFunc::ArgMax {
                by: field("Timestamp"),
                cols: vec![],
            },
        )],
    })]));
    assert_eq!(
        tail(&t),
        "| eval Column1=(floor((_time + 345600) / 604800) * 604800) - 345600\n\
         | fillnull value=\"\" D Column1\n\
         | where isnotnull(_time)\n\
         | sort 0 -_time\n\
         | dedup D Column1\n\
         | table D Column1 _time *"
    );
    // A key named like a column the summarize still reads goes through a helper field.
    let lowered = GroupKey {
        name: column("U"),
        kind: GroupKeyKind::Expr(call(ScalarFn::ToLower, vec![field("U")])),
        operands: Default::default(),
    };
    let (t, notes) = approx(q(vec![stage(StageKind::Aggregate {
        by: vec![lowered],
        aggs: vec![
            agg(
                "T",
                AggFunc::ArgMax {
                    by: field("T"),
                    cols: vec![],
                },
            ),
            agg("k", AggFunc::DCount(field("U"))),
        ],
    })]));
    assert_eq!(
        tail(&t),
        "| eval __kqlport_by1=lower(U)\n\
         | fillnull value=\"\" __kqlport_by1\n\
         | eventstats dc(U) AS k by __kqlport_by1\n\
         | where isnotnull(T)\n\
         | sort 0 -T\n\
         | dedup __kqlport_by1\n\
         | eval U=__kqlport_by1\n\
         | fields - __kqlport_by1\n\
         | table U T k *"
    );
    // The key replaces the row's own U among the `*` columns: noted at the key.
    assert!(notes.contains(&(50, 55, Effect::Values)), "{notes:?}");
}

#[test]
fn sort_top_take_distinct_count() {
    let k = |n: &str, dir| SortKey {
        expr: field(n),
        dir,
        nulls: Nulls::default_for(dir),
    };
    let t = text(q(vec![
        stage(StageKind::Sort(vec![
            k("A", SortDir::Desc),
            k("B", SortDir::Asc),
        ])),
        stage(StageKind::Top {
            n: 10,
            key: k("C", SortDir::Desc),
        }),
        stage(StageKind::Limit(3)),
        stage(StageKind::Distinct(vec![column("A"), column("B")])),
        stage(StageKind::Count),
    ]));
    assert_eq!(
        tail(&t),
        "| eval __kqlport_null2=if(isnull(B), 1, 0)\n\
         | sort 0 -A, -__kqlport_null2, +B\n\
         | fields - __kqlport_null2\n\
         | eval __kqlport_null1=if(isnull(C), 1, 0)\n\
         | sort 0 +__kqlport_null1, -C\n\
         | head 10\n\
         | fields - __kqlport_null1\n\
         | head 3\n\
         | fillnull value=\"\" A B\n\
         | stats count AS __kqlport_n by A B\n\
         | table A B\n\
         | stats count AS Count"
    );
}

#[test]
fn unsupported_function_is_declined_at_its_span() {
    let query = q(vec![stage(StageKind::Extend(vec![assign(
        "x",
        call(ScalarFn::Extract, vec![]),
    )]))]);
    assert_eq!(declined(query), vec![("B014", 30, 40)]);
}

#[test]
fn output_ends_with_one_newline() {
    let t = text(q(vec![stage(StageKind::Limit(1))]));
    assert!(t.ends_with("| head 1\n") && !t.ends_with("\n\n"));
}

#[test]
fn defender_timestamp_is_the_event_time_too() {
    // Defender XDR tables name the event time `Timestamp`; it is Splunk's `_time` as well.
    let t = text(q(vec![filter(ago("Timestamp", CmpOp::Gt, 1))]));
    assert!(t.contains("earliest=-86400s"), "{t}");
}

// ---- dynamic paths ---------------------------------------------------------------------------

fn ext(n: &str, e: Expr) -> Stage {
    stage(StageKind::Extend(vec![assign(n, e)]))
}

#[test]
fn array_indexes_read_the_raw_event_with_json_extract() {
    // A dynamic column is an object/array in the JSON event: one json_extract over _raw,
    // indexes from 0 as `{i}` after their key.
    let t = text(q(vec![ext(
        "T",
        segs("TargetResources", vec![ix(0), k("type")], false),
    )]));
    assert_eq!(
        tail(&t),
        "| eval T=json_extract(_raw, \"TargetResources{0}.type\")"
    );
    // Index after index, index first, and trailing index.
    let t = text(q(vec![ext(
        "T",
        segs("M", vec![ix(1), ix(2), k("a"), ix(3)], false),
    )]));
    assert_eq!(
        tail(&t),
        "| eval T=json_extract(json_extract(_raw, \"M{1}\"), \"{2}.a{3}\")"
    );
    // Keys that are not plain identifiers are taken literally with json_extract_exact.
    let t = text(q(vec![ext(
        "T",
        segs("AdditionalFields", vec![k("ACTOR.DEVICE")], false),
    )]));
    assert_eq!(
        tail(&t),
        "| eval T=json_extract_exact(json_extract(_raw, \"AdditionalFields\"), \"ACTOR.DEVICE\")"
    );
    let t = text(q(vec![ext(
        "T",
        segs("E", vec![ix(0), k("a \"b\""), k("c")], false),
    )]));
    assert_eq!(
        tail(&t),
        "| eval T=json_extract(json_extract_exact(json_extract(_raw, \"E{0}\"), \"a \\\"b\\\"\"), \"c\")"
    );
}

#[test]
fn parsed_paths_parse_at_every_step() {
    // parse_json(tostring(...)) may sit anywhere along the path: one json_extract per step, so
    // a string holding JSON text is parsed where met; the column itself comes from _raw.
    let t = text(q(vec![ext(
        "V",
        segs(
            "TargetResources",
            vec![ix(0), k("modifiedProperties"), ix(1), k("newValue")],
            true,
        ),
    )]));
    assert_eq!(
        tail(&t),
        "| eval V=json_extract(json_extract(json_extract(json_extract(json_extract(_raw, \
         \"TargetResources\"), \"{0}\"), \"modifiedProperties\"), \"{1}\"), \"newValue\")"
    );
    // parse_json(X) as a whole value is X's JSON from the event.
    let t = text(q(vec![ext("AF", segs("AdditionalFields", vec![], true))]));
    assert_eq!(
        tail(&t),
        "| eval AF=json_extract(_raw, \"AdditionalFields\")"
    );
}

#[test]
fn paths_into_computed_or_reshaped_columns() {
    // A column computed by extend holds JSON text: read it with json_extract on the field.
    let t = text(q(vec![
        ext("AF", segs("AdditionalFields", vec![], true)),
        ext("X", segs("AF", vec![k("a"), ix(0), k("Client IP")], false)),
    ]));
    assert_eq!(
        tail(&t),
        "| eval AF=json_extract(_raw, \"AdditionalFields\")\n\
         | eval X=json_extract_exact(json_extract(AF, \"a{0}\"), \"Client IP\")"
    );
    // A renamed event column is still read from _raw under its old name.
    let t = text(q(vec![
        stage(StageKind::Rename(vec![(
            column("TR"),
            column("TargetResources"),
        )])),
        ext("X", segs("TR", vec![ix(0), k("id")], false)),
    ]));
    assert_eq!(
        tail(&t),
        "| rename TargetResources AS TR\n| eval X=json_extract(_raw, \"TargetResources{0}.id\")"
    );
    // After project, _raw is gone: a parsed string column is read from its field ...
    let t = text(q(vec![
        stage(StageKind::Project(vec![assign("D", field("D"))])),
        ext("M", segs("D", vec![ix(1), k("m")], true)),
    ]));
    assert_eq!(
        tail(&t),
        "| table D\n| eval M=json_extract(json_extract(D, \"{1}\"), \"m\")"
    );
    // ... while an index into a dynamic column can no longer be read.
    let query = q(vec![
        stage(StageKind::Aggregate {
            by: vec![key("D")],
            aggs: vec![agg("n", AggFunc::Count)],
        }),
        ext("M", segs("X", vec![ix(1)], false)),
    ]);
    assert_eq!(declined(query), vec![("B013", 5, 9)]);
    // Negative indexes (from the end): the array's elements as a multivalue, by mvindex.
    let t = text(q(vec![ext(
        "M",
        segs("X", vec![k("a"), ix(-1), k("id"), ix(0)], false),
    )]));
    assert_eq!(
        tail(&t),
        "| eval M=json_extract(mvindex(json_array_to_mv(json_extract(_raw, \"X.a\")), -1), \"id{0}\")"
    );
    // An empty key has no json_extract spelling.
    let query = q(vec![ext("M", segs("X", vec![k("")], false))]);
    assert_eq!(declined(query), vec![("B013", 5, 9)]);
}

#[test]
fn json_booleans_compared_with_bool_values_are_noted() {
    let (t, notes) = approx(q(vec![filter(cmp(
        segs("MsgParts", vec![ix(0), k("isCorrupted")], true),
        CmpOp::Eq,
        lit(Literal::Bool(true)),
    ))]));
    assert_eq!(
        tail(&t),
        "| where json_extract(json_extract(json_extract(_raw, \"MsgParts\"), \"{0}\"), \"isCorrupted\")==\"true\""
    );
    assert_eq!(notes, vec![(10, 20, Effect::UnderMatch)]);
    // Through an extended column too.
    let (_, notes) = approx(q(vec![
        ext("c", segs("MsgParts", vec![ix(0), k("isCorrupted")], true)),
        filter(sm("c", Equals, CS, &["true"])),
    ]));
    assert_eq!(notes, vec![(10, 20, Effect::UnderMatch)]);
}

// ---- regex functions, arrays, calendar -------------------------------------------------------

fn s(v: &str) -> Expr {
    lit(Literal::String(v.into()))
}

#[test]
fn replace_regex_text_first() {
    // The IR's Replace is (text, regex, rewrite) for replace_regex and the older replace alike.
    let want = "| eval x=replace(coalesce(C, \"\"), \"a([0-9]+)\\\\z\", \"<\\\\1>\\\\\\\\\")";
    let t = text(q(vec![ext(
        "x",
        call(
            ScalarFn::Replace,
            vec![field("C"), s("a(\\d+)$"), s("<\\1>\\\\")],
        ),
    )]));
    assert_eq!(tail(&t), want);
    // \0, `$` and unknown escapes in the rewrite, or a non-literal pattern, are declined.
    for rw in ["\\0", "$1", "\\n"] {
        let query = q(vec![ext(
            "x",
            call(ScalarFn::Replace, vec![field("C"), s("a"), s(rw)]),
        )]);
        assert_eq!(declined(query)[0].0, "B019", "{rw}");
    }
    let query = q(vec![ext(
        "x",
        call(ScalarFn::Replace, vec![field("C"), field("D"), s("")]),
    )]);
    assert_eq!(declined(query)[0].0, "B019");
    // A pattern matching "" is noted.
    let (_, notes) = approx(q(vec![ext(
        "x",
        call(ScalarFn::Replace, vec![field("C"), s("a*"), s("")]),
    )]));
    assert_eq!(notes, vec![(30, 40, Effect::Values)]);
}

#[test]
fn extract_takes_the_leftmost_match_group_or_null() {
    let t = text(q(vec![ext(
        "x",
        call(
            ScalarFn::Extract,
            vec![s("id=(\\w+)"), long(1), field("Msg")],
        ),
    )]));
    assert_eq!(
        tail(&t),
        "| eval x=if(match(coalesce(Msg, \"\"), \"id=([0-9A-Za-z_]+)\"), \
         replace(coalesce(Msg, \"\"), \"^(?s:.*?)(?:id=([0-9A-Za-z_]+))(?s:.*)\", \"\\\\1\"), null())"
    );
    // Group 0 is the whole match: wrapped in a group of its own.
    let t = text(q(vec![ext(
        "x",
        call(ScalarFn::Extract, vec![s("a.b"), long(0), field("Msg")]),
    )]));
    assert_eq!(
        tail(&t),
        "| eval x=if(match(coalesce(Msg, \"\"), \"a.b\"), \
         replace(coalesce(Msg, \"\"), \"^(?s:.*?)(a.b)(?s:.*)\", \"\\\\1\"), null())"
    );
    let query = q(vec![ext(
        "x",
        call(ScalarFn::Extract, vec![s("a"), long(10), field("Msg")]),
    )]);
    assert_eq!(declined(query)[0].0, "B019");
}

#[test]
fn tostring_of_a_make_set_result_is_noted() {
    // KQL's tostring() of an array is JSON text; Splunk keeps the multivalue field.
    let (t, notes) = approx(q(vec![
        stage(StageKind::Aggregate {
            by: vec![key("D")],
            aggs: vec![agg(
                "s",
                AggFunc::MakeSet {
                    expr: field("U"),
                    max: None,
                },
            )],
        }),
        ext("j", call(ScalarFn::ToString, vec![field("s")])),
    ]));
    assert!(t.ends_with("| eval j=s\n"), "{t}");
    // The tostring note, and the one-element-set note of values().
    assert_eq!(
        notes,
        vec![(30, 40, Effect::Values), (80, 90, Effect::Values)]
    );
}

#[test]
fn array_length_of_make_set_results() {
    let t = text_sets(q(vec![
        stage(StageKind::Aggregate {
            by: vec![key("D")],
            aggs: vec![agg(
                "s",
                AggFunc::MakeSet {
                    expr: field("U"),
                    max: None,
                },
            )],
        }),
        ext("n", call(ScalarFn::ArrayLength, vec![field("s")])),
    ]));
    assert!(t.ends_with("| eval n=coalesce(mvcount(s), 0)\n"), "{t}");
    // Anything else than an array-valued column or a path (a call) is declined.
    let query = q(vec![ext(
        "n",
        call(
            ScalarFn::ArrayLength,
            vec![call(ScalarFn::ToLower, vec![field("s")])],
        ),
    )]);
    assert_eq!(declined(query), vec![("B014", 30, 40)]);
}

#[test]
fn calendar_starts_and_day_differences_in_utc() {
    let t = text(q(vec![ext(
        "w",
        call(ScalarFn::StartOfWeek, vec![field("Timestamp")]),
    )]));
    assert_eq!(
        tail(&t),
        "| eval w=(floor((_time + 345600) / 604800) * 604800) - 345600"
    );
    let t = text(q(vec![
        ext("m", call(ScalarFn::StartOfMonth, vec![field("Timestamp")])),
        filter(cmp(field("m"), CmpOp::Gt, long(0))),
    ]));
    assert_eq!(
        tail(&t),
        "| eval __kqlport_h1=floor(_time / 86400), \
         __kqlport_h2=(__kqlport_h1 + 719468) - (floor((__kqlport_h1 + 719468) / 146097) * 146097), \
         __kqlport_h3=floor((((__kqlport_h2 - floor(__kqlport_h2 / 1460)) + floor(__kqlport_h2 / 36524)) \
         - floor(__kqlport_h2 / 146096)) / 365), \
         __kqlport_h4=__kqlport_h2 - (((365 * __kqlport_h3) + floor(__kqlport_h3 / 4)) - floor(__kqlport_h3 / 100))\n\
         | eval m=(__kqlport_h1 - (__kqlport_h4 - floor(((153 * floor(((5 * __kqlport_h4) + 2) / 153)) + 2) / 5))) * 86400\n\
         | fields - __kqlport_h1 __kqlport_h2 __kqlport_h3 __kqlport_h4\n\
         | where m>0"
    );
    // Helpers read the row as left by earlier assignments of the same extend.
    let t = text(q(vec![stage(StageKind::Extend(vec![
        assign("a", long(1)),
        assign("m", call(ScalarFn::StartOfMonth, vec![field("Timestamp")])),
    ]))]));
    assert!(t.contains("| eval a=1\n| eval __kqlport_h1="), "{t}");
    let (t, _) = approx(q(vec![ext(
        "m",
        call(ScalarFn::StartOfMonth, vec![field("Created")]),
    )]));
    assert!(
        t.contains(&format!("__kqlport_h1=floor(({}) / 86400)", iso("Created"))),
        "{t}"
    );
    let t = text(q(vec![ext(
        "d",
        call(
            ScalarFn::DateTimeDiff,
            vec![
                s("day"),
                Expr {
                    kind: ExprKind::Now,
                    span: s0(),
                },
                field("Timestamp"),
            ],
        ),
    )]));
    assert_eq!(
        tail(&t),
        "| eval d=floor(now() / 86400) - floor(_time / 86400)"
    );
    let query = q(vec![ext(
        "d",
        call(
            ScalarFn::DateTimeDiff,
            vec![s("month"), field("Timestamp"), field("Timestamp")],
        ),
    )]);
    assert_eq!(declined(query)[0].0, "B014");
}

mod functions;
mod members;
mod more;
mod prefilters;
// ---- arrays from split, string functions ------------------------------------------------------

fn idx(base: Expr, i: i64) -> Expr {
    Expr {
        kind: ExprKind::Path {
            base: Box::new(base),
            path: vec![ix(i)],
        },
        span: sp(20, 29),
    }
}

#[test]
fn split_arrays_are_multivalues_indexed_with_mvindex() {
    // Assigned whole, then indexed (negative from the end), copied, reassigned from itself.
    let t = text(q(vec![
        ext("parts", call(ScalarFn::Split, vec![field("Name"), s(".")])),
        stage(StageKind::Extend(vec![
            assign("first", segs("parts", vec![ix(0)], false)),
            assign(
                "parts",
                call(
                    ScalarFn::Split,
                    vec![segs("parts", vec![ix(-1)], false), s(":")],
                ),
            ),
            assign("last", segs("parts", vec![ix(-1)], false)),
        ])),
        stage(StageKind::ProjectAway(vec![ColumnPattern {
            pattern: "parts".into(),
            span: s0(),
        }])),
    ]));
    assert_eq!(
        tail(&t),
        "| eval parts=split(coalesce(Name, \"\"), \".\")\n\
         | eval first=mvindex(parts, 0), parts=split(coalesce(mvindex(parts, -1), \"\"), \":\"), \
         last=mvindex(parts, -1)\n\
         | fields - parts"
    );
    // split(x, d, k) holds only element k: its [0] is element k, other indexes are null.
    let three = |i| idx(call(ScalarFn::Split, vec![field("U"), s("/"), long(1)]), i);
    let t = text(q(vec![stage(StageKind::Extend(vec![
        assign("a", three(0)),
        assign("b", three(1)),
    ]))]));
    assert_eq!(
        tail(&t),
        "| eval a=mvindex(split(coalesce(U, \"\"), \"/\"), 1), b=null()"
    );
    // tostring of an element is the element (no formatting note).
    let t = text(q(vec![ext(
        "x",
        call(
            ScalarFn::ToString,
            vec![idx(call(ScalarFn::Split, vec![field("U"), s("/")]), -1)],
        ),
    )]));
    assert_eq!(
        tail(&t),
        "| eval x=mvindex(split(coalesce(U, \"\"), \"/\"), -1)"
    );
}

#[test]
fn split_arrays_elsewhere_are_declined() {
    let whole = call(ScalarFn::Split, vec![field("U"), s(",")]);
    // split(x, d, k) as a whole array.
    let query = q(vec![ext(
        "x",
        call(ScalarFn::Split, vec![field("U"), s(","), long(1)]),
    )]);
    assert_eq!(declined(query), vec![("B014", 30, 40)]);
    // A split column compared, grouped by or sorted.
    let arr = ext("arr", whole);
    let query = q(vec![arr.clone(), filter(sm("arr", Equals, CS, &["a"]))]);
    assert_eq!(declined(query)[0].0, "B013");
    let query = q(vec![
        arr.clone(),
        stage(StageKind::Aggregate {
            by: vec![key("arr")],
            aggs: vec![agg("n", AggFunc::Count)],
        }),
    ]);
    assert_eq!(declined(query)[0].0, "B013");
    let query = q(vec![
        arr,
        stage(StageKind::Sort(vec![SortKey {
            expr: field("arr"),
            dir: SortDir::Asc,
            nulls: Nulls::First,
        }])),
    ]);
    assert_eq!(declined(query)[0].0, "B013");
    // An empty delimiter.
    let query = q(vec![ext(
        "arr",
        call(ScalarFn::Split, vec![field("U"), s("")]),
    )]);
    assert_eq!(declined(query)[0].0, "B014");
}

#[test]
fn countof_by_removed_characters() {
    // Plain text that cannot overlap itself: removed characters over its length.
    let t = text(q(vec![ext(
        "n",
        call(ScalarFn::CountOf, vec![field("C"), s(".exe")]),
    )]));
    assert_eq!(
        tail(&t),
        "| eval n=(len(coalesce(C, \"\")) - len(replace(coalesce(C, \"\"), \"\\\\.exe\", \"\"))) / 4"
    );
    // KQL counts overlapping plain matches ("aa" in "aaa" is 2): declined.
    let query = q(vec![ext(
        "n",
        call(ScalarFn::CountOf, vec![field("C"), s("aa")]),
    )]);
    assert_eq!(declined(query)[0].0, "B014");
    // A regex whose every match is one ASCII character: exact.
    let t = text(q(vec![ext(
        "n",
        call(ScalarFn::CountOf, vec![field("C"), s("(\\d)"), s("regex")]),
    )]));
    assert_eq!(
        tail(&t),
        "| eval n=len(coalesce(C, \"\")) - len(replace(coalesce(C, \"\"), \"([0-9])\", \"\"))"
    );
    // `.` may match a non-ASCII character: noted (byte-mode PCRE would count bytes).
    let (_, notes) = approx(q(vec![ext(
        "n",
        call(ScalarFn::CountOf, vec![field("C"), s("."), s("regex")]),
    )]));
    assert_eq!(notes, vec![(30, 40, Effect::Values)]);
    // Matches of different lengths: declined.
    let query = q(vec![ext(
        "n",
        call(ScalarFn::CountOf, vec![field("C"), s("a+"), s("regex")]),
    )]);
    assert_eq!(declined(query)[0].0, "B014");
    assert_eq!(
        kqlport_kit::regex::facts::fixed_match_chars("ab{2}(c|d)"),
        Some((4, false))
    );
    assert_eq!(kqlport_kit::regex::facts::fixed_match_chars("a|bc"), None);
}

#[test]
fn trim_removes_one_anchored_match_per_end() {
    // A run of one class: removing the leftmost anchored match leaves nothing more: exact.
    let t = text(q(vec![ext(
        "x",
        call(ScalarFn::TrimEnd, vec![s("[^\\w]+"), field("S")]),
    )]));
    assert_eq!(
        tail(&t),
        "| eval x=replace(coalesce(S, \"\"), \"(?:[^0-9A-Za-z_]+)\\\\z\", \"\")"
    );
    let t = text(q(vec![ext(
        "x",
        call(ScalarFn::Trim, vec![s("\\s+"), field("S")]),
    )]));
    assert_eq!(
        tail(&t),
        "| eval x=replace(replace(coalesce(S, \"\"), \"^(?:[\\\\t\\\\n\\\\f\\\\r ]+)\", \"\"), \
         \"(?:[\\\\t\\\\n\\\\f\\\\r ]+)\\\\z\", \"\")"
    );
    // Other patterns: whether KQL removes a further uncovered match is undocumented.
    let (t, notes) = approx(q(vec![ext(
        "x",
        call(ScalarFn::TrimStart, vec![s("http(.|)://"), field("S")]),
    )]));
    assert_eq!(
        tail(&t),
        "| eval x=replace(coalesce(S, \"\"), \"^(?:http(.|)://)\", \"\")"
    );
    assert_eq!(notes, vec![(30, 40, Effect::Values)]);
}

#[test]
fn indexof_and_tobool() {
    let t = text(q(vec![ext(
        "i",
        call(ScalarFn::IndexOf, vec![field("U"), s("/")]),
    )]));
    assert_eq!(
        tail(&t),
        "| eval i=if(match(coalesce(U, \"\"), \"/\"), \
         len(replace(coalesce(U, \"\"), \"^(?s)(.*?)/.*\", \"\\\\1\")), -1)"
    );
    let query = q(vec![ext(
        "i",
        call(ScalarFn::IndexOf, vec![field("U"), s("/"), long(3)]),
    )]);
    assert_eq!(declined(query)[0].0, "B014");
    let (t, notes) = approx(q(vec![ext("b", call(ScalarFn::ToBool, vec![field("F")]))]));
    assert_eq!(
        tail(&t),
        "| eval b=case(lower(F)==\"true\", \"true\", lower(F)==\"false\", \"false\", \
         isnum(F), if(F==0, \"false\", \"true\"))"
    );
    assert_eq!(notes, vec![(30, 40, Effect::Values)]);
}

#[test]
fn lowering_aggregate_temporaries_and_sorted_sets() {
    // Lowering names an aggregate nested in an expression `__kqlport_agg<N>`: a usable name
    // (no helper of this backend starts so); it holds epoch seconds when the aggregate does.
    let t = text_sets(q(vec![
        stage(StageKind::Aggregate {
            by: vec![key("C")],
            aggs: vec![
                agg("__kqlport_agg0", AggFunc::Max(field("Timestamp"))),
                agg(
                    "__kqlport_agg1",
                    AggFunc::MakeSet {
                        expr: field("U"),
                        max: None,
                    },
                ),
            ],
        }),
        stage(StageKind::Extend(vec![assign(
            "d",
            call(
                ScalarFn::DateTimeDiff,
                vec![
                    s("minute"),
                    Expr {
                        kind: ExprKind::Now,
                        span: s0(),
                    },
                    field("__kqlport_agg0"),
                ],
            ),
        )])),
    ]));
    assert_eq!(
        tail(&t),
        "| fillnull value=\"\" C\n\
         | stats max(_time) AS __kqlport_agg0 values(U) AS __kqlport_agg1 by C\n\
         | eval d=floor(now() / 60) - floor(__kqlport_agg0 / 60)"
    );
    // array_sort_asc of a make_set multivalue: mvsort, which orders as text (noted).
    let (t, notes) = approx(q(vec![
        stage(StageKind::Aggregate {
            by: vec![],
            aggs: vec![agg(
                "__kqlport_agg0",
                AggFunc::MakeSet {
                    expr: field("U"),
                    max: None,
                },
            )],
        }),
        ext(
            "Us",
            call(ScalarFn::ArraySortAsc, vec![field("__kqlport_agg0")]),
        ),
    ]));
    assert!(t.ends_with("| eval Us=mvsort(__kqlport_agg0)\n"), "{t}");
    assert_eq!(
        notes,
        vec![(30, 40, Effect::Values), (80, 90, Effect::Values)]
    );
    // Of anything else: declined.
    let query = q(vec![ext(
        "Us",
        call(ScalarFn::ArraySortAsc, vec![field("U")]),
    )]);
    assert_eq!(declined(query)[0].0, "B014");
    // This backend's own helper prefix stays refused as a column name.
    let query = q(vec![ext("__kqlport_h1", long(1))]);
    assert_eq!(declined(query)[0].0, "B011");
}

#[test]
fn functions_without_an_eval_spelling_say_why() {
    let d = run(q(vec![ext(
        "x",
        call(ScalarFn::Base64DecodeToString, vec![field("C")]),
    )]))
    .expect_err("declines");
    assert_eq!(d[0].code.0, "B014");
    assert_eq!((d[0].span.start, d[0].span.end), (30, 40));
    assert_eq!(
        d[0].label.as_deref(),
        Some(
            "Splunk's eval language has no base64 decoding function (none among its text, \
             conversion or multivalue functions)"
        )
    );
}

#[test]
fn join_right_side_columns_keep_their_datetime_typing() {
    let proj = |n: &str| {
        stage(StageKind::Project(vec![
            assign(n, field("Timestamp")),
            assign("Computer", field("Computer")),
        ]))
    };
    let right = q(vec![proj("ProcessTime")]);
    let join = stage(StageKind::Join {
        kind: JoinKind::Inner,
        right: Box::new(right),
        on: vec![JoinKey {
            left: column("Computer"),
            right: column("Computer"),
        }],
    });
    let window = p(PredicateKind::Between {
        expr: field("ProcessTime"),
        low: field("LogonTime"),
        high: Expr {
            kind: ExprKind::Arith {
                op: ArithOp::Add,
                lhs: Box::new(field("LogonTime")),
                rhs: Box::new(lit(Literal::Timespan(hours(1)))),
            },
            span: s0(),
        },
        negated: false,
    });
    let (t, _) = approx(q(vec![proj("LogonTime"), join, filter(window)]));
    assert!(
        t.ends_with("| where ProcessTime>=LogonTime AND ProcessTime<=(LogonTime + 3600)\n"),
        "{t}"
    );
    // A right side that keeps its events brings its `_raw` along: the left event can no
    // longer be read from it.
    let join = stage(StageKind::Join {
        kind: JoinKind::Inner,
        right: Box::new(q(vec![filter(sm("A", Equals, CS, &["x"]))])),
        on: vec![JoinKey {
            left: column("Computer"),
            right: column("Computer"),
        }],
    });
    let query = q(vec![
        join,
        ext("v", segs("AdditionalFields", vec![k("a"), ix(0)], false)),
    ]);
    assert_eq!(declined(query)[0].0, "B013");
}

#[test]
fn term_values_with_punctuation_edges_need_no_boundary_there() {
    // `"xx.exe" has ".exe"` and `"a/rg1?x" has "/rg1?"` are true in KQL: the value's own
    // punctuation already separates it from a neighbouring term.
    let t = text(q(vec![filter(and(vec![
        sm("A", Term, CI, &[".exe"]),
        sm("B", Term, CS, &["/rg1?"]),
        sm_q("C", Term, CI, &["tor", "-e", "x"], Quantifier::Any, false),
        sm("D", TermPrefix, CI, &["-ba"]),
        sm("E", TermSuffix, CI, &["o-"]),
    ]))]));
    assert_eq!(
        tail(&t),
        "| where match(A, \"(?i)\\\\.exe($|[^A-Za-z0-9])\") AND match(B, \"/rg1\\\\?\") AND \
         match(C, \"(?i)(?:(^|[^A-Za-z0-9])(?:tor|x)($|[^A-Za-z0-9])|-e($|[^A-Za-z0-9]))\") AND \
         match(D, \"(?i)-ba\") AND match(E, \"(?i)o-\")"
    );
}
