//! Stages: time windows dropped with a note, take as head, projections, extended and renamed
//! columns inlined; tabular operators EQL has no form for are declined at their span.

use super::*;

#[test]
fn tabular_operators_without_eql_form_are_declined_each_with_its_span() {
    let q = query(
        "T",
        vec![
            filter(ci("F", Equals, "x")),
            stage_at(
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
            stage_at(
                StageKind::Sort(vec![SortKey {
                    expr: field("count_"),
                    dir: SortDir::Desc,
                    nulls: ir::Nulls::Last,
                }]),
                31,
                50,
            ),
            stage_at(StageKind::Distinct(vec![col("F")]), 51, 60),
            stage_at(StageKind::Count, 61, 68),
            stage_at(
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
    let got: Vec<_> = d
        .iter()
        .map(|d| (d.code.as_str(), d.span.range()))
        .collect();
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
            stage_at(StageKind::Limit(5), 2, 8),
            stage_at(StageKind::Filter(ci("F", Equals, "x")), 9, 20),
        ],
    );
    let d = declined(&q);
    assert_eq!((d[0].code.as_str(), d[0].span.range()), ("B062", 9..20));
    assert_eq!(d[0].secondary[0].span.range(), 2..8);
}

#[test]
fn top_level_time_window_is_dropped_with_a_note() {
    let q = query(
        "DeviceNetworkEvents",
        vec![filter(and(vec![
            at(ago("TimeGenerated", CmpOp::Gt, 7), 24, 50),
            ci("InitiatingProcessFileName", Equals, "tor.exe"),
            cmp(field("RemotePort"), CmpOp::Ne, long(443)),
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
        at(ago("TimeGenerated", CmpOp::Gt, 1), 3, 9),
        ci("F", Equals, "x"),
    ]));
    assert_eq!((d.code.as_str(), d.span.range()), ("B063", 3..9));
    let d = declined_pred(not(at(ago("TimeGenerated", CmpOp::Gt, 1), 4, 8)));
    assert_eq!((d.code.as_str(), d.span.range()), ("B063", 4..8));
}

#[test]
fn take_is_head_and_the_smallest_limit_wins() {
    let q = query(
        "T",
        vec![
            filter(ci("F", Equals, "x")),
            stage_at(StageKind::Limit(10), 0, 0),
            stage_at(StageKind::Limit(3), 0, 0),
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
            stage_at(
                StageKind::Project(vec![Assignment {
                    name: col("F"),
                    expr: field("F"),
                }]),
                10,
                20,
            ),
            stage_at(
                StageKind::ProjectAway(vec![ColumnPattern {
                    pattern: "G*".into(),
                    span: sp(0, 0),
                }]),
                21,
                30,
            ),
            stage_at(StageKind::Rename(vec![(col("H"), col("F"))]), 31, 40),
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
            stage_at(
                StageKind::Extend(vec![Assignment {
                    name: col("Len"),
                    expr: call(ScalarFn::Strlen, vec![field("CommandLine")]),
                }]),
                2,
                30,
            ),
            stage_at(
                StageKind::Rename(vec![(col("Cmd"), col("CommandLine"))]),
                31,
                50,
            ),
            filter(and(vec![
                cmp(field("Len"), CmpOp::Gt, long(200)),
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
            stage_at(
                StageKind::Extend(vec![Assignment {
                    name: col("L"),
                    // A call with no span of its own: the refusal falls back to the use's span.
                    // (A call with a span of its own is pointed at instead: the definition.)
                    expr: expr_at(call(ScalarFn::ToLower, vec![field("F")]), 0, 0),
                }]),
                2,
                30,
            ),
            stage_at(StageKind::Filter(at(cs("L", Equals, "x"), 35, 45)), 31, 45),
        ],
    );
    let d = declined(&q);
    assert_eq!((d[0].code.as_str(), d[0].span.range()), ("B065", 35..45));
}

#[test]
fn backend_name() {
    assert_eq!(Eql.name(), "eql");
}
