//! Sigma backend tests: exact output per IR construct (file snapshots, reviewed), fidelity notes
//! and refusals with their spans, escaping round trips, evaluation of emitted rules with
//! sigma-rust, and a dump of every emitted rule for the external validators.

mod common;
mod corpus;

use common::*;
use kqlport::backend::{Backend, Effect, Fidelity, RuleContext, Translation};
use kqlport::diag::Diagnostic;
use kqlport::ir::*;
use kqlport_sigma::Sigma;
use serde_json::Value;

fn translate(rule: &RuleContext, q: &Query) -> Result<Translation, Vec<Diagnostic>> {
    Sigma.translate(rule, q)
}

fn ok(rule: &RuleContext, q: &Query) -> Translation {
    match translate(rule, q) {
        Ok(t) => t,
        Err(d) => panic!("declined: {d:#?}"),
    }
}

fn declined(q: &Query) -> Vec<Diagnostic> {
    match translate(&ctx(), q) {
        Ok(t) => panic!("expected a refusal, got:\n{}", t.text),
        Err(d) => d,
    }
}

fn render(t: &Translation) -> String {
    let mut s = t.text.clone();
    match &t.fidelity {
        Fidelity::Exact => s.push_str("# fidelity: exact\n"),
        Fidelity::Approximate(notes) => {
            for n in notes {
                s.push_str(&format!(
                    "# note {}..{} {:?}: {}\n",
                    n.span.start, n.span.end, n.effect, n.message
                ));
            }
        }
    }
    s
}

/// Every document of a YAML stream, parsed back with serde-saphyr.
fn docs(text: &str) -> Vec<Value> {
    text.split("\n---\n")
        .map(|d| serde_saphyr::from_str::<Value>(d).expect("emitted YAML parses"))
        .collect()
}

/// A sigma-rust rule from our first document. sigma-rust has no `re|i` sub-modifier, so the
/// test harness rewrites `|re|i` into `|re` with an inline `(?i)` (the same meaning).
fn sigma_rust_rule(text: &str) -> sigma_rust::Rule {
    let mut doc = docs(text).remove(0);
    if let Some(det) = doc.get_mut("detection").and_then(Value::as_object_mut) {
        for (_, sel) in det.iter_mut() {
            let maps: Vec<&mut serde_json::Map<String, Value>> = match sel {
                Value::Object(m) => vec![m],
                Value::Array(items) => items.iter_mut().filter_map(Value::as_object_mut).collect(),
                _ => vec![],
            };
            for m in maps {
                let keys: Vec<String> =
                    m.keys().filter(|k| k.ends_with("|re|i")).cloned().collect();
                for k in keys {
                    let v = m.remove(&k).unwrap();
                    let add = |v: Value| Value::String(format!("(?i){}", v.as_str().unwrap()));
                    let v = match v {
                        Value::Array(items) => Value::Array(items.into_iter().map(add).collect()),
                        v => add(v),
                    };
                    m.insert(k.trim_end_matches("|i").to_string(), v);
                }
            }
        }
    }
    sigma_rust::rule_from_yaml(&serde_json::to_string(&doc).unwrap())
        .expect("sigma-rust parses the rule")
}

fn matches(rule: &sigma_rust::Rule, event: &str) -> bool {
    rule.is_match(&sigma_rust::event_from_json(event).expect("event json"))
}

// ---------------------------------------------------------------------------------------------
// Snapshots of every corpus rule (YAML plus fidelity), reviewed before acceptance.
// ---------------------------------------------------------------------------------------------

#[test]
fn corpus_snapshots() {
    for c in corpus::all() {
        let t = ok(&c.rule, &c.query);
        assert!(
            t.text.ends_with('\n') && !t.text.ends_with("\n\n"),
            "{}",
            c.name
        );
        insta::assert_snapshot!(c.name, render(&t));
    }
}

#[test]
fn output_is_deterministic() {
    for c in corpus::all() {
        assert_eq!(
            ok(&c.rule, &c.query).text,
            ok(&c.rule, &c.query).text,
            "{}",
            c.name
        );
    }
    // The same Sentinel id in another spelling gives the same Sigma id.
    let mut upper = ctx();
    upper.id = upper.id.map(|s| s.to_uppercase());
    assert_eq!(ok(&ctx(), &tor_query()).text, ok(&upper, &tor_query()).text);
}

#[test]
fn every_emitted_document_round_trips_through_a_yaml_parser() {
    for c in corpus::all() {
        let t = ok(&c.rule, &c.query);
        for d in docs(&t.text) {
            assert!(
                d.get("title").and_then(Value::as_str).is_some(),
                "{}",
                c.name
            );
        }
    }
}

/// Writes every corpus rule to `$KQLPORT_SIGMA_DUMP` (default: the cargo target's tmp dir), one
/// file per document (`<case>.yml`, `<case>.correlation.yml`), for `tests/oracle/validate.sh`.
#[test]
fn dump_rules_for_validation() {
    let dir = std::env::var("KQLPORT_SIGMA_DUMP")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sigma-rules"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("detection")).unwrap();
    std::fs::create_dir_all(dir.join("correlation")).unwrap();
    std::fs::create_dir_all(dir.join("stream")).unwrap();
    for c in corpus::all() {
        let t = ok(&c.rule, &c.query);
        std::fs::write(
            dir.join("stream").join(format!("kqlport_{}.yml", c.name)),
            &t.text,
        )
        .unwrap();
        for (i, doc) in t.text.split("---\n").enumerate() {
            let sub = if i == 0 { "detection" } else { "correlation" };
            std::fs::write(dir.join(sub).join(format!("kqlport_{}.yml", c.name)), doc).unwrap();
        }
    }
    eprintln!("dumped to {}", dir.display());
}

// ---------------------------------------------------------------------------------------------
// Fidelity notes and refusals, with spans.
// ---------------------------------------------------------------------------------------------

#[test]
fn time_window_is_dropped_with_an_over_match_note_at_its_span() {
    let t = ok(&ctx(), &tor_query());
    let Fidelity::Approximate(notes) = &t.fidelity else {
        panic!("expected notes")
    };
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].effect, Effect::OverMatch);
    assert_eq!(notes[0].span.range(), 30..55);
}

#[test]
fn plain_detections_are_exact() {
    for name in [
        "eq_case_sensitive_list",
        "ne_case_sensitive",
        "has_term",
        "not_has",
        "numbers",
        "empty_and_nonempty",
        "injection_values",
    ] {
        let c = corpus::all().into_iter().find(|c| c.name == name).unwrap();
        assert_eq!(ok(&c.rule, &c.query).fidelity, Fidelity::Exact, "{name}");
    }
}

#[test]
fn time_window_inside_or_is_declined() {
    let q = where_(
        "SigninLogs",
        or(vec![at(time_window(1), 5, 25), eq_ci("A", &["x"])]),
    );
    let d = declined(&q);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code.as_str(), "B046");
    assert_eq!(d[0].span.range(), 5..25);
}

#[test]
fn ingestion_time_against_ago_is_a_computed_test_not_a_time_window() {
    // `ingestion_time() > ago(1h)` has no event field on either side: refused as a test on a
    // computed value (B041), not as a time window inside `or`/`not` (B046).
    let ast = kqlport::kql::parse("SigninLogs | where ingestion_time() > ago(1h)").unwrap();
    let q = kqlport::lower::lower(&ast).unwrap().query;
    let d = declined(&q);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].code.as_str(), "B041");
}

#[test]
fn constant_false_is_declined_saying_what_kql_does() {
    // What lowering folds `isnull(<string column>)` to.
    let q = where_(
        "DeviceProcessEvents",
        at(p(PredicateKind::Const(false)), 28, 44),
    );
    let d = declined(&q);
    assert_eq!((d[0].code.as_str(), d[0].span.range()), ("B047", 28..44));
    assert_eq!(d[0].label.as_deref(), Some("always false in KQL"));
    assert!(
        d[0].help
            .as_deref()
            .unwrap_or("")
            .contains("isnull() of a string column"),
        "{:?}",
        d[0].help
    );
}

#[test]
fn unsupported_stages_are_declined_at_their_span() {
    let sort = Stage {
        kind: StageKind::Sort(vec![SortKey {
            expr: field("TimeGenerated"),
            dir: SortDir::Desc,
            nulls: Nulls::Last,
        }]),
        span: sp(40, 60),
    };
    let q = query(
        "SigninLogs",
        vec![
            filter(eq_ci("A", &["x"])),
            sort,
            stage_at(StageKind::Limit(10), 61, 70),
        ],
    );
    let d = declined(&q);
    assert_eq!(
        d.iter()
            .map(|d| (d.code.as_str(), d.span.range()))
            .collect::<Vec<_>>(),
        [("B050", 40..60), ("B050", 61..70)]
    );
}

#[test]
fn filter_on_an_extended_column_is_declined_with_the_definition() {
    let ext = stage_at(
        StageKind::Extend(vec![Assignment {
            name: Column {
                name: "lc".into(),
                span: sp(12, 14),
            },
            expr: e(ExprKind::Call {
                func: ScalarFn::ToLower,
                args: vec![field("A")],
            }),
        }]),
        5,
        30,
    );
    let q = query("T", vec![ext, filter(at(eq_cs("lc", &["x"]), 35, 50))]);
    let d = declined(&q);
    assert_eq!(d[0].code.as_str(), "B051");
    assert_eq!(d[0].span.range(), 35..50);
    assert_eq!(d[0].secondary[0].span.range(), 12..14);
}

#[test]
fn cosmetic_extend_is_a_values_note() {
    let ext = stage_at(
        StageKind::Extend(vec![Assignment {
            name: col("lc"),
            expr: e(ExprKind::Call {
                func: ScalarFn::ToLower,
                args: vec![field("A")],
            }),
        }]),
        40,
        60,
    );
    let t = ok(&ctx(), &query("T", vec![filter(eq_cs("A", &["x"])), ext]));
    let Fidelity::Approximate(notes) = t.fidelity else {
        panic!()
    };
    assert_eq!(
        (notes[0].effect, notes[0].span.range()),
        (Effect::Values, 40..60)
    );
}

#[test]
fn computed_fields_are_declined() {
    let pr = at(
        p(PredicateKind::StrMatch(StrMatch {
            field: Expr {
                kind: ExprKind::Call {
                    func: ScalarFn::ToLower,
                    args: vec![field("A")],
                },
                span: sp(7, 18),
            },
            kind: MatchKind::Equals,
            case: Case::Sensitive,
            values: vec!["x".into()],
            quantifier: Quantifier::Any,
            negated: false,
        })),
        7,
        25,
    );
    let d = declined(&where_("T", pr));
    assert_eq!((d[0].code.as_str(), d[0].span.range()), ("B041", 7..18));
}

#[test]
fn correlation_without_query_period_is_declined() {
    let mut rule = ctx();
    rule.query_period = None;
    let q = query(
        "SigninLogs",
        vec![
            filter(eq_cs("ResultType", &["50126"])),
            count_by(&["IPAddress"], AggFunc::Count, "count_"),
            filter(cmp(field("count_"), CmpOp::Gt, long(20))),
        ],
    );
    let d = translate(&rule, &q).unwrap_err();
    assert_eq!((d[0].code.as_str(), d[0].span.range()), ("B056", 100..140));
}

/// A hunting query states its look-back itself: `TimeGenerated > ago(d)` before the summarize
/// is the span it counts over when the rule has no query period (the narrowest of several).
/// An upper bound (`< ago(d)`) or a look-back on a stored datetime is not a counting window.
#[test]
fn the_query_look_back_is_the_timespan_without_a_query_period() {
    let mut rule = ctx();
    rule.query_period = None;
    let timespan =
        |kql: &str| match kqlport::test_support::try_ir_of(kql).map(|q| translate(&rule, &q)) {
            Ok(Ok(t)) => docs(&t.text)[1]["correlation"]["timespan"]
                .as_str()
                .unwrap()
                .to_string(),
            Ok(Err(d)) => d[0].code.as_str().to_string(),
            Err(d) => panic!("{kql}: {d:?}"),
        };
    let counted =
        "| where ResultType == '50126' | summarize count() by IPAddress | where count_ > 20";
    assert_eq!(
        timespan(&format!(
            "SigninLogs | where TimeGenerated > ago(2h) {counted}"
        )),
        "2h"
    );
    assert_eq!(
        timespan(&format!(
            "SigninLogs | where TimeGenerated >= ago(7d) | where TimeGenerated > ago(1d) {counted}"
        )),
        "1d"
    );
    assert_eq!(
        timespan(&format!(
            "SigninLogs | where TimeGenerated < ago(1d) {counted}"
        )),
        "B056"
    );
    assert_eq!(
        timespan(&format!(
            "SigninLogs | where CreatedDateTime > ago(1d) {counted}"
        )),
        "B056"
    );
}

#[test]
fn other_aggregates_are_declined() {
    let q = query(
        "SigninLogs",
        vec![
            filter(eq_cs("ResultType", &["50126"])),
            count_by(&["IPAddress"], AggFunc::Sum(field("Bytes")), "sum_Bytes"),
            filter(at(cmp(field("sum_Bytes"), CmpOp::Gt, long(20)), 150, 170)),
        ],
    );
    let d = declined(&q);
    assert_eq!(d[0].code.as_str(), "B055");
    assert_eq!(d[0].span.range(), 120..130);
}

#[test]
fn bin_key_becomes_the_timespan() {
    let agg = stage_at(
        StageKind::Aggregate {
            by: vec![
                GroupKey {
                    name: col("TimeGenerated"),
                    kind: GroupKeyKind::Bin {
                        field: field("TimeGenerated"),
                        size: BinSize::Duration(Duration::from_ticks(5 * 600_000_000)),
                    },
                    operands: Default::default(),
                },
                GroupKey {
                    name: col("Computer"),
                    kind: GroupKeyKind::Expr(field("Computer")),
                    operands: Default::default(),
                },
            ],
            aggs: vec![Aggregation {
                name: col("count_"),
                func: AggFunc::Count,
                span: sp(1, 2),
            }],
        },
        100,
        140,
    );
    let mut rule = ctx();
    rule.query_period = None;
    let q = query(
        "SecurityEvent",
        vec![
            filter(cmp(field("EventID"), CmpOp::Eq, long(4625))),
            agg,
            filter(cmp(long(10), CmpOp::Lt, field("count_"))),
        ],
    );
    let t = ok(&rule, &q);
    let d = docs(&t.text);
    assert_eq!(d[1]["correlation"]["timespan"], "5m");
    assert_eq!(
        d[1]["correlation"]["group-by"],
        serde_json::json!(["Computer"])
    );
    assert_eq!(
        d[1]["correlation"]["condition"],
        serde_json::json!({"gt": 10})
    );
    assert_eq!(d[0]["detection"]["selection_1"]["EventID"], 4625);
}

#[test]
fn regex_that_is_not_re2_is_declined() {
    let d = declined(&where_(
        "T",
        at(
            sm_q(
                "A",
                MatchKind::Regex,
                Case::Sensitive,
                &["a(b"],
                Quantifier::Any,
                false,
            ),
            3,
            9,
        ),
    ));
    assert_eq!((d[0].code.as_str(), d[0].span.range()), ("B044", 3..9));
}

// ---------------------------------------------------------------------------------------------
// Escaping: every value reads back, through YAML and Sigma's wildcard rules, as the original.
// ---------------------------------------------------------------------------------------------

const NASTY: &[&str] = &[
    "a\" OR 1=1 | delete",
    "C:\\Windows\\",
    "\\\\server\\share",
    "*",
    "?",
    "a*b?c",
    "\\*",
    "\\?",
    "%name%",
    "_",
    "line\nbreak",
    "tab\there",
    "\\\"",
    "ünï©ødé",
    "it's",
    "- item",
    "#c",
    "a #b",
    "k: v",
    "yes",
    "null",
    "1e3",
    "0x17",
    "[x]",
    "{y}",
    "&a",
    "!b",
    "|c",
    ">d",
    "@e",
    "`f",
    " lead",
    "trail ",
    "\u{2028}",
];

#[test]
fn nasty_values_match_exactly_themselves_in_sigma_rust() {
    for v in NASTY {
        let t = ok(&ctx(), &where_("T", eq_cs("F", &[v])));
        let rule = sigma_rust_rule(&t.text);
        let ev = |s: &str| serde_json::json!({ "F": s }).to_string();
        assert!(
            matches(&rule, &ev(v)),
            "{v:?} should match itself:\n{}",
            t.text
        );
        // A wildcard or escape that leaked would let a different value match.
        for other in ["", "x", "xx", "C:\\Windows\\x", "\\", "a", "aXbYc"] {
            if other != *v {
                assert!(
                    !matches(&rule, &ev(other)),
                    "{v:?} matched {other:?}:\n{}",
                    t.text
                );
            }
        }
    }
}

#[test]
fn nasty_values_survive_contains_and_term_regexes() {
    for v in NASTY {
        let q = where_("T", contains("F", v));
        let rule = sigma_rust_rule(&ok(&ctx(), &q).text);
        let hay = format!("<<{v}>>");
        assert!(
            matches(&rule, &serde_json::json!({ "F": hay }).to_string()),
            "{v:?}"
        );
        let q = where_("T", has("F", &[v]));
        let t = ok(&ctx(), &q);
        let rule = sigma_rust_rule(&t.text);
        let hay = format!("x {v} y");
        assert!(
            matches(&rule, &serde_json::json!({ "F": hay }).to_string()),
            "{v:?}:\n{}",
            t.text
        );
    }
}

#[test]
fn keys_and_values_read_back_through_yaml() {
    let t = ok(&ctx(), &where_("T", eq_cs("F", NASTY)));
    let d = docs(&t.text);
    let got = d[0]["detection"]["selection_1"]["F|cased"]
        .as_array()
        .unwrap()
        .clone();
    let want: Vec<Value> = NASTY
        .iter()
        .map(|v| Value::String(kqlport_sigma::value::escape_wildcards(v)))
        .collect();
    assert_eq!(got, want);
}

// ---------------------------------------------------------------------------------------------
// Semantics, checked by evaluating the emitted rules in sigma-rust.
// ---------------------------------------------------------------------------------------------

fn eval(pr: Predicate, events: &[(&str, bool)]) {
    let t = ok(&ctx(), &where_("T", pr));
    let rule = sigma_rust_rule(&t.text);
    for (ev, want) in events {
        assert_eq!(matches(&rule, ev), *want, "event {ev}\nrule:\n{}", t.text);
    }
}

#[test]
fn has_is_a_whole_term_match() {
    eval(
        has("CommandLine", &["tor"]),
        &[
            (r#"{"CommandLine": "tor.exe -f x"}"#, true),
            (r#"{"CommandLine": "C:\\TOR\\x"}"#, true),
            (r#"{"CommandLine": "tortoise"}"#, false),
            (r#"{"CommandLine": "mentor"}"#, false),
            (r#"{"CommandLine": "tor"}"#, true),
            (r#"{}"#, false),
        ],
    );
    eval(
        sm_q(
            "F",
            MatchKind::Term,
            Case::Insensitive,
            &["cmd.exe"],
            Quantifier::Any,
            false,
        ),
        &[
            (r#"{"F": "run CMD.EXE /c"}"#, true),
            (r#"{"F": "xcmd.exe"}"#, false),
            (r#"{"F": "cmd.exe2"}"#, false),
            (r#"{"F": "cmdXexe"}"#, false),
        ],
    );
}

#[test]
fn case_sensitivity_follows_kql() {
    eval(
        eq_cs("F", &["Admin"]),
        &[(r#"{"F": "Admin"}"#, true), (r#"{"F": "admin"}"#, false)],
    );
    eval(
        eq_ci("F", &["Admin"]),
        &[(r#"{"F": "ADMIN"}"#, true), (r#"{"F": "Admins"}"#, false)],
    );
    eval(
        sm_q(
            "F",
            MatchKind::Regex,
            Case::Sensitive,
            &["^Ad+min$"],
            Quantifier::Any,
            false,
        ),
        &[(r#"{"F": "Addmin"}"#, true), (r#"{"F": "addmin"}"#, false)],
    );
    eval(
        sm_q(
            "F",
            MatchKind::Term,
            Case::Sensitive,
            &["Tor"],
            Quantifier::Any,
            false,
        ),
        &[
            (r#"{"F": "a Tor b"}"#, true),
            (r#"{"F": "a tor b"}"#, false),
        ],
    );
}

#[test]
fn string_field_compare_reads_missing_as_empty() {
    // KQL: a missing string is "", so missing == missing and missing == "" (checked on sigma-rust).
    let events = [
        (r#"{"A": "x", "B": "x"}"#, true),
        (r#"{"A": "x", "B": "y"}"#, false),
        (r#"{}"#, true),
        (r#"{"A": ""}"#, true),
        (r#"{"B": ""}"#, true),
        (r#"{"A": "x"}"#, false),
        (r#"{"B": "y"}"#, false),
    ];
    eval(
        typed_cmp(field("A"), CmpOp::Eq, field("B"), Operands::Strings),
        &events,
    );
    let flipped: Vec<(&str, bool)> = events.iter().map(|(e, w)| (*e, !w)).collect();
    eval(
        typed_cmp(field("A"), CmpOp::Ne, field("B"), Operands::Strings),
        &flipped,
    );
    eval(
        not(typed_cmp(
            field("A"),
            CmpOp::Eq,
            field("B"),
            Operands::Strings,
        )),
        &flipped,
    );
}

#[test]
fn numeric_field_compare_follows_kql_null_rules() {
    // null != 5 is true, null != null is null (dropped), null == null is null (dropped).
    let ne = [
        (r#"{"A": 5, "B": 5}"#, false),
        (r#"{"A": 5, "B": 6}"#, true),
        (r#"{"A": 5}"#, true),
        (r#"{"B": 5}"#, true),
        (r#"{}"#, false),
        (r#"{"A": null, "B": null}"#, false),
    ];
    eval(
        typed_cmp(field("A"), CmpOp::Ne, field("B"), Operands::NotStrings),
        &ne,
    );
    eval(
        not(typed_cmp(
            field("A"),
            CmpOp::Eq,
            field("B"),
            Operands::NotStrings,
        )),
        &ne,
    );
    eval(
        typed_cmp(field("A"), CmpOp::Eq, field("B"), Operands::NotStrings),
        &[
            (r#"{"A": 5, "B": 5}"#, true),
            (r#"{"A": 5}"#, false),
            (r#"{}"#, false),
        ],
    );
}

#[test]
fn negations_keep_events_missing_the_field() {
    let events_ne = [
        (r#"{"RemotePort": 443}"#, false),
        (r#"{"RemotePort": 80}"#, true),
        (r#"{}"#, true),
        (r#"{"RemotePort": null}"#, true),
    ];
    eval(cmp(field("RemotePort"), CmpOp::Ne, long(443)), &events_ne);
    eval(
        not(cmp(field("RemotePort"), CmpOp::Eq, long(443))),
        &events_ne,
    );
    eval(
        sm_q(
            "F",
            MatchKind::Term,
            Case::Insensitive,
            &["tor"],
            Quantifier::Any,
            true,
        ),
        &[
            (r#"{"F": "tor x"}"#, false),
            (r#"{"F": "tortoise"}"#, true),
            (r#"{}"#, true),
        ],
    );
    eval(
        ne_cs("F", "x"),
        &[
            (r#"{"F": "x"}"#, false),
            (r#"{"F": "X"}"#, true),
            (r#"{"F": ""}"#, true),
            (r#"{}"#, true),
        ],
    );
}

/// `not(x > 5)`, `!between` and `not(b)` are null on a null operand in KQL (duckdb-kql agrees),
/// so the row is dropped: the emitted complement comparison is false on a missing field too.
#[test]
fn negated_orderings_drop_missing_fields_like_kql() {
    eval(
        not(cmp(field("X"), CmpOp::Gt, long(5))),
        &[
            (r#"{"X": 5}"#, true),
            (r#"{"X": 6}"#, false),
            (r#"{}"#, false),
        ],
    );
    eval(
        p(PredicateKind::Between {
            expr: field("X"),
            low: long(2),
            high: long(5),
            negated: true,
        }),
        &[
            (r#"{"X": 1}"#, true),
            (r#"{"X": 2}"#, false),
            (r#"{"X": 6}"#, true),
            (r#"{}"#, false),
        ],
    );
    eval(
        not(p(PredicateKind::Bool(field("B")))),
        &[
            (r#"{"B": false}"#, true),
            (r#"{"B": true}"#, false),
            (r#"{}"#, false),
        ],
    );
}

#[test]
fn negated_cidr_is_an_over_match_note() {
    let pr = not(p(PredicateKind::Bool(Expr {
        kind: ExprKind::Call {
            func: ScalarFn::Ipv4IsPrivate,
            args: vec![field("IP")],
        },
        span: sp(4, 30),
    })));
    let t = ok(&ctx(), &where_("T", pr));
    let Fidelity::Approximate(notes) = t.fidelity else {
        panic!()
    };
    assert_eq!(
        (notes[0].effect, notes[0].span.range()),
        (Effect::OverMatch, 4..30)
    );
}

#[test]
fn empty_string_equality_matches_missing_fields() {
    eval(
        eq_cs("F", &[""]),
        &[
            (r#"{"F": ""}"#, true),
            (r#"{}"#, true),
            (r#"{"F": null}"#, true),
            (r#"{"F": "a"}"#, false),
        ],
    );
    eval(
        p(PredicateKind::IsEmpty {
            expr: field("F"),
            negated: true,
        }),
        &[
            (r#"{"F": ""}"#, false),
            (r#"{}"#, false),
            (r#"{"F": null}"#, false),
            (r#"{"F": "a"}"#, true),
        ],
    );
}

#[test]
fn the_issue_example_matches_the_kql_rows() {
    let rule = sigma_rust_rule(&ok(&ctx(), &tor_query()).text);
    for (ev, want) in [
        (
            r#"{"InitiatingProcessFileName": "TOR.EXE", "RemotePort": 9001}"#,
            true,
        ),
        (
            r#"{"InitiatingProcessFileName": "tor.exe", "RemotePort": 443}"#,
            false,
        ),
        (r#"{"InitiatingProcessFileName": "tor.exe"}"#, true),
        (
            r#"{"InitiatingProcessFileName": "tortoise.exe", "RemotePort": 1}"#,
            false,
        ),
        (
            r#"{"InitiatingProcessFileName": "Meek-Client.exe", "RemotePort": 80}"#,
            true,
        ),
    ] {
        assert_eq!(matches(&rule, ev), want, "{ev}");
    }
}

#[test]
fn precedence_survives_the_condition_string() {
    // a or not (b or c) — and the merged `and` of two maps.
    let c = corpus::all()
        .into_iter()
        .find(|c| c.name == "or_not_precedence")
        .unwrap();
    let rule = sigma_rust_rule(&ok(&c.rule, &c.query).text);
    for (ev, want) in [
        (
            r#"{"FileName": "a.exe", "AccountName": "BOB", "FolderPath": "temp", "ProcessId": 4}"#,
            true,
        ),
        (
            r#"{"FileName": "a.exe", "FolderPath": "temp", "ProcessId": 4}"#,
            false,
        ),
        (r#"{"FolderPath": "x", "ProcessId": 5}"#, true),
        (r#"{"FolderPath": "x"}"#, true),
        (r#"{"FolderPath": "TEMP"}"#, false),
        (r#"{}"#, true),
    ] {
        assert_eq!(matches(&rule, ev), want, "{ev}");
    }
}

/// `take_any(*)` outputs one whole row per group; a correlation reports only the group.
#[test]
fn take_any_star_is_declined_at_the_aggregate() {
    let kql = "SigninLogs | summarize n = count(), take_any(*) by IPAddress | where n > 5";
    let q = kqlport::test_support::ir_of(kql);
    let d = declined(&q);
    let at = kql.find("take_any(*)").unwrap();
    assert_eq!(
        (d[0].code.as_str(), d[0].span.range()),
        ("B050", at..at + "take_any(*)".len())
    );
}
