//! Pushdown (issue 16): which filters are pushable, the exact rewrites, supersets that never
//! narrow, and the leading-`WHERE` rewrite of whole translations.

use super::*;
use crate::ast::{BinOp, Command, Expr};
use crate::Esql;
use kqlport::backend::{Backend, RuleContext};
use kqlport::ir;
use kqlport::source::Span;

fn col(n: &str) -> Expr {
    Expr::Column(n.into())
}
fn s(v: &str) -> Expr {
    Expr::Str(v.into())
}
fn lower(x: Expr) -> Expr {
    Expr::call("TO_LOWER", vec![x])
}
fn eq(l: Expr, r: Expr) -> Expr {
    Expr::bin(l, BinOp::Eq, r)
}
fn call(name: &'static str, args: Vec<Expr>) -> Expr {
    Expr::call(name, args)
}
fn now_minus_hours(h: i64) -> Expr {
    Expr::bin(call("NOW", vec![]), BinOp::Sub, Expr::Span(h, "hours"))
}

#[test]
fn field_against_constants_is_pushable() {
    assert!(pushable(&eq(col("F"), s("x"))));
    assert!(pushable(&eq(s("x"), col("F"))));
    assert!(pushable(&Expr::bin(
        col("T"),
        BinOp::Gt,
        now_minus_hours(3)
    )));
    assert!(pushable(&Expr::bin(
        col("T"),
        BinOp::Ge,
        call("TO_DATETIME", vec![s("2024-01-01T00:00:00Z")])
    )));
    assert!(pushable(&Expr::In(
        Box::new(col("F")),
        vec![s("a"), s("b")],
        true
    )));
    assert!(pushable(&Expr::is_null(col("F"))));
    assert!(pushable(&Expr::Like(
        Box::new(col("F")),
        "*a*".into(),
        true
    )));
    assert!(pushable(&Expr::RLike(
        Box::new(col("F")),
        "a.*".into(),
        false
    )));
    assert!(pushable(&call("STARTS_WITH", vec![col("F"), s("a")])));
    assert!(pushable(&call("ENDS_WITH", vec![col("F"), s("a")])));
    assert!(pushable(&call(
        "CIDR_MATCH",
        vec![col("IP"), s("10.0.0.0/8")]
    )));
    assert!(pushable(&Expr::Not(Box::new(Expr::or(vec![
        Expr::is_null(col("F")),
        eq(col("F"), s("")),
    ])))));
}

#[test]
fn case_insensitive_forms_of_9_1_are_pushable() {
    assert!(pushable(&eq(lower(col("F")), s("x"))));
    assert!(pushable(&Expr::Like(
        Box::new(lower(col("F"))),
        "*x*".into(),
        false
    )));
    assert!(pushable(&Expr::RLike(
        Box::new(Expr::call("TO_UPPER", vec![col("F")])),
        "X.*".into(),
        true
    )));
    assert!(pushable(&Expr::bin(lower(col("F")), BinOp::Ne, s("x"))));
    // Only ==/!= are rewritten to a case-insensitive term query, not the ordering comparisons,
    // nor IN.
    assert!(!pushable(&Expr::bin(lower(col("F")), BinOp::Lt, s("x"))));
    assert!(!pushable(&Expr::In(
        Box::new(lower(col("F"))),
        vec![s("a")],
        false
    )));
}

#[test]
fn functions_of_fields_and_two_fields_are_not_pushable() {
    assert!(!pushable(&call(
        "STARTS_WITH",
        vec![lower(col("F")), s("a")]
    )));
    assert!(!pushable(&call("ENDS_WITH", vec![lower(col("F")), s("a")])));
    assert!(!pushable(&eq(call("TO_STRING", vec![col("F")]), s(""))));
    assert!(!pushable(&eq(
        call("COALESCE", vec![col("A"), s("")]),
        call("COALESCE", vec![col("B"), s("")])
    )));
    assert!(!pushable(&eq(col("A"), col("B"))));
    assert!(!pushable(&call(
        "CIDR_MATCH",
        vec![call("TO_IP", vec![col("IP")]), s("10.0.0.0/8")]
    )));
    assert!(!pushable(&eq(lower(lower(col("F"))), s("x"))));
    assert!(!pushable(&Expr::or(vec![
        eq(col("F"), s("x")),
        eq(call("TO_STRING", vec![col("F")]), s("")),
    ])));
}

#[test]
fn case_changed_starts_and_ends_with_become_an_escaped_like() {
    let starts = call("STARTS_WITH", vec![lower(col("F")), s("c:\\a*b?")]);
    let got = exact_pushable(&starts).expect("exact");
    assert_eq!(got.to_string(), r#"TO_LOWER(F) LIKE "c:\\\\a\\*b\\?*""#);
    let ends = call("ENDS_WITH", vec![lower(col("F")), s(".exe")]);
    assert_eq!(
        exact_pushable(&ends).expect("exact").to_string(),
        r#"TO_LOWER(F) LIKE "*.exe""#
    );
    // Under NOT and inside OR, the same rewrite is exact too.
    let e = Expr::or(vec![
        Expr::is_null(col("F")),
        Expr::Not(Box::new(starts.clone())),
    ]);
    assert!(exact_pushable(&e).is_some());
    // A case-changed IN: an escaped alternation under RLIKE, NOT IN as NOT RLIKE.
    let isin = Expr::In(
        Box::new(lower(col("F"))),
        vec![s("tor.exe"), s("a|b"), s("")],
        true,
    );
    assert_eq!(
        exact_pushable(&isin).expect("exact").to_string(),
        r#"TO_LOWER(F) NOT RLIKE "(tor\\.exe|a\\|b|())""#
    );
    let long: Vec<Expr> = (0..300).map(|i| s(&format!("value-{i}"))).collect();
    assert_eq!(
        exact_pushable(&Expr::In(Box::new(lower(col("F"))), long, false)),
        None
    );
    // A case-sensitive one is already pushable and stays.
    let plain = call("STARTS_WITH", vec![col("F"), s("a")]);
    assert_eq!(exact_pushable(&plain), Some(plain));
}

#[test]
fn supersets_never_narrow() {
    let opaque = eq(call("TO_STRING", vec![col("G")]), s(""));
    // AND: its pushable part is a superset.
    let e = Expr::and(vec![eq(col("F"), s("x")), opaque.clone()]);
    assert_eq!(pushable_superset(&e), Some((eq(col("F"), s("x")), false)));
    // OR: only when every branch has one.
    let e = Expr::or(vec![
        Expr::and(vec![eq(col("F"), s("x")), opaque.clone()]),
        eq(col("H"), s("y")),
    ]);
    assert_eq!(
        pushable_superset(&e),
        Some((
            Expr::or(vec![eq(col("F"), s("x")), eq(col("H"), s("y"))]),
            false
        ))
    );
    let e = Expr::or(vec![eq(col("F"), s("x")), opaque.clone()]);
    assert_eq!(pushable_superset(&e), None);
    // NOT of something unpushable: no superset is made up.
    assert_eq!(
        pushable_superset(&Expr::Not(Box::new(Expr::and(vec![
            eq(col("F"), s("x")),
            opaque
        ])))),
        None
    );
}

#[test]
fn a_leading_where_is_split_into_pushable_then_exact() {
    let opaque = eq(call("TO_STRING", vec![col("G")]), s(""));
    let ends = call("ENDS_WITH", vec![lower(col("F")), s(".exe")]);
    let mut commands = vec![
        Command::Where(Expr::bin(col("T"), BinOp::Gt, now_minus_hours(1))),
        Command::Where(Expr::and(vec![
            opaque.clone(),
            ends,
            eq(lower(col("H")), s("x")),
        ])),
        Command::Eval(vec![("Z".into(), col("F"))]),
        Command::Where(call("ENDS_WITH", vec![lower(col("Z")), s("y")])),
    ];
    lead_with_pushable(&mut commands);
    let text: Vec<String> = commands
        .iter()
        .map(|c| match c {
            Command::Where(e) => format!("WHERE {e}"),
            _ => "other".into(),
        })
        .collect();
    assert_eq!(
        text,
        [
            "WHERE T > NOW() - 1 hours",
            r#"WHERE TO_LOWER(F) LIKE "*.exe" AND TO_LOWER(H) == "x""#,
            r#"WHERE TO_STRING(G) == """#,
            "other",
            // After an EVAL nothing is touched.
            r#"WHERE ENDS_WITH(TO_LOWER(Z), "y")"#,
        ]
    );
    let lf = leading_filter(&commands);
    assert!(lf.first_where_pushable && lf.pushes_field_test);
}

#[test]
fn an_unpushable_where_without_superset_is_left_alone() {
    let opaque = eq(call("TO_STRING", vec![col("G")]), s(""));
    let mut commands = vec![Command::Where(opaque.clone())];
    lead_with_pushable(&mut commands);
    assert_eq!(commands, vec![Command::Where(opaque)]);
    assert_eq!(leading_filter(&commands), LeadingFilter::default());
}

#[test]
fn a_time_window_alone_is_pushable_but_no_field_test() {
    let commands = vec![
        Command::Where(Expr::bin(col("T"), BinOp::Gt, now_minus_hours(3))),
        Command::Eval(vec![("Z".into(), col("F"))]),
        Command::Where(eq(col("Z"), s("x"))),
    ];
    assert_eq!(
        leading_filter(&commands),
        LeadingFilter {
            first_where_pushable: true,
            pushes_field_test: false
        }
    );
}

fn strmatch(field: &str, kind: ir::MatchKind, value: &str, negated: bool) -> ir::Predicate {
    let sp = Span::new(0, 0);
    ir::Predicate {
        kind: ir::PredicateKind::StrMatch(ir::StrMatch {
            field: ir::Expr {
                kind: ir::ExprKind::Field(ir::FieldPath::column(field)),
                span: sp,
            },
            kind,
            case: ir::Case::Insensitive,
            values: vec![value.into()],
            quantifier: ir::Quantifier::Any,
            negated,
        }),
        span: sp,
    }
}

fn translate_filter(p: ir::Predicate) -> String {
    let sp = Span::new(0, 0);
    let q = ir::Query {
        source: ir::Source::table("DeviceProcessEvents", sp),
        stages: vec![ir::Stage {
            kind: ir::StageKind::Filter(p),
            span: sp,
        }],
        span: sp,
    };
    let t = Esql
        .translate(&RuleContext::default(), &q)
        .expect("translated");
    t.text
}

#[test]
fn translations_lead_with_the_pushable_form() {
    let text = translate_filter(strmatch(
        "FolderPath",
        ir::MatchKind::EndsWith,
        "\\Temp\\*.ps1",
        false,
    ));
    assert_eq!(
        text.lines().nth(1),
        Some(r#"| WHERE TO_LOWER(FolderPath) LIKE "*\\\\temp\\\\\\*.ps1""#)
    );
    // Negated: `!startswith` keeps a missing value, and the rewrite keeps that.
    let text = translate_filter(strmatch("FileName", ir::MatchKind::StartsWith, "a?", true));
    assert_eq!(
        text.lines().nth(1),
        Some(r#"| WHERE FileName IS NULL OR TO_LOWER(FileName) NOT LIKE "a\\?*""#)
    );
}

#[test]
fn filters_move_up_past_keep_drop_and_unrelated_evals() {
    use crate::ast::Pattern;
    let mut commands = vec![
        Command::Keep(vec![Pattern::Name("F".into()), Pattern::Name("G".into())]),
        Command::Where(eq(col("F"), s("x"))),
        Command::Eval(vec![("Z".into(), lower(col("F")))]),
        Command::Where(eq(col("Z"), s("x"))),
        Command::Drop(vec![Pattern::Name("Z".into())]),
        Command::Where(call("ENDS_WITH", vec![lower(col("G")), s("y")])),
        Command::Sort(vec![]),
        Command::Where(eq(col("G"), s("y"))),
    ];
    lead_with_pushable(&mut commands);
    let shape: Vec<String> = commands
        .iter()
        .map(|c| match c {
            Command::Where(e) => format!("WHERE {e}"),
            Command::Keep(_) => "KEEP".into(),
            Command::Eval(_) => "EVAL".into(),
            Command::Drop(_) => "DROP".into(),
            Command::Sort(_) => "SORT".into(),
            _ => "other".into(),
        })
        .collect();
    assert_eq!(
        shape,
        [
            r#"WHERE F == "x""#,
            r#"WHERE TO_LOWER(G) LIKE "*y""#,
            "KEEP",
            "EVAL",
            // Reads the EVAL's column: stays after it.
            r#"WHERE Z == "x""#,
            "DROP",
            "SORT",
            // After a SORT nothing moves.
            r#"WHERE G == "y""#,
        ]
    );
}
