//! summarize: thresholds and order, string group keys, week bins, estimating and set aggregates,
//! arg_max/arg_min.

use super::*;

#[test]
fn summarize_with_threshold_and_order() {
    let t = run(&query(
        "SigninLogs",
        vec![
            filter(sm("ResultType", Equals, CS, &["50126"])),
            stage(StageKind::Aggregate {
                by: vec![
                    key_expr("IPAddress", field("IPAddress")),
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
    let mut ip = key_expr("IPAddress", field("IPAddress"));
    ip.operands = Operands::Strings;
    let mut port = key_expr("Port", field("Port"));
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

#[test]
fn arg_max_star_keeps_one_row_per_group_by_id() {
    let q = query(
        "T",
        vec![summarize(
            vec![key_expr("Host", field("Host"))],
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
            vec![key_expr("Host", field("Host"))],
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
    assert_eq!(n.len(), 2);
    assert_eq!((n[0].0, n[0].1), (sp(4, 9), Effect::UnderMatch));
    assert!(n[0].2.contains("one (empty) row"), "{}", n[0].2);
    assert_eq!((n[1].0, n[1].1), (sp(4, 9), Effect::OverMatch));
    assert!(n[1].2.contains("tied"));
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
    assert_eq!((d[0].code.as_str(), d[0].span), ("B006", sp(5, 6)));
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
    assert_eq!((d[0].code.as_str(), d[0].span), ("B006", sp(7, 8)));
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
            vec![key_expr("Host", field("Host")), week.clone()],
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
    assert_eq!(d[0].code.as_str(), "B006");
}

#[test]
fn take_any_star_keeps_the_first_document_of_each_group() {
    // A key that is its own string column is grouped as KQL does (missing with ""); no sort,
    // the row with the smallest `_id` of each group, every column.
    let t = run(&ir_of("SecurityEvent | summarize take_any(*) by Computer")).unwrap();
    assert_eq!(
        t.text,
        "FROM SecurityEvent METADATA _id\n\
         | INLINE STATS kqlport_row = MIN(_id) BY Computer = COALESCE(Computer, \"\")\n\
         | WHERE _id == kqlport_row\n\
         | DROP kqlport_row, _id\n\
         | KEEP Computer, *\n\
         | LIMIT 10000\n"
    );
    assert_eq!(notes(&t), []);
    // Other aggregates first, over every row of the group (values note: a column of their
    // name would be replaced).
    let t = run(&ir_of(
        "SecurityEvent | summarize n = count(), take_any(*) by Computer",
    ))
    .unwrap();
    assert_eq!(
        t.text,
        "FROM SecurityEvent METADATA _id\n\
         | INLINE STATS n = COUNT(*) BY Computer = COALESCE(Computer, \"\")\n\
         | INLINE STATS kqlport_row = MIN(_id) BY Computer\n\
         | WHERE _id == kqlport_row\n\
         | DROP kqlport_row, _id\n\
         | KEEP Computer, n, *\n\
         | LIMIT 10000\n"
    );
    let effects: Vec<Effect> = notes(&t).into_iter().map(|n| n.1).collect();
    assert_eq!(effects, [Effect::Values]);
    // Without `by`: KQL returns one empty row when no row comes in.
    let t = run(&ir_of("SecurityEvent | summarize take_any(*)")).unwrap();
    let effects: Vec<Effect> = notes(&t).into_iter().map(|n| n.1).collect();
    assert_eq!(effects, [Effect::UnderMatch]);
    // Once `_id` is gone nothing tells rows apart: declined, at take_any(*).
    let d = declined(&ir_of(
        "SecurityEvent | project Computer, Account | summarize take_any(*) by Computer",
    ));
    assert_eq!(d[0].code, kqlport::codes::EsqlCode::B006);
    // Two row picks: declined.
    let d = declined(&ir_of(
        "SecurityEvent | summarize arg_max(TimeGenerated, *), take_any(*) by Computer",
    ));
    assert_eq!(d[0].code, kqlport::codes::EsqlCode::B006);
}

#[test]
fn stdev_is_std_dev_rescaled_to_the_sample_one() {
    // STD_DEV is the population standard deviation (divided by n); KQL's stdev divides by n - 1
    let t = run(&ir_of(
        "AACHttpRequest | summarize s = stdev(DurationMs) by StatusCode",
    ))
    .expect("translated")
    .text;
    assert!(
        t.contains(
            "STATS s = STD_DEV(DurationMs) * SQRT(COUNT(DurationMs) / (COUNT(DurationMs) - 1.0)) BY"
        ),
        "{t}"
    );
}

#[test]
fn mv_apply_summarize_is_declined() {
    let d = declined(&ir_of(
        "SigninLogs | mv-apply P = ConditionalAccessPolicies on (summarize n = count())",
    ));
    assert_eq!(d[0].code.as_str(), "B070");
    assert!(
        d[0].message.contains("mv-apply with `summarize`"),
        "{}",
        d[0].message
    );
}

/// `toscalar(R | summarize agg(x))` over the rows named `R` where it is used: `INLINE STATS`
/// without `BY` keeps every row and adds the aggregate over all of them.
#[test]
fn toscalar_of_the_rows_themselves_is_inline_stats() {
    insta::assert_snapshot!(esql_of(
        "T | where a > 0 | as R | extend d = x - toscalar(R | summarize min(x))"
    ), @r"
    FROM T
    | WHERE a > 0
    | INLINE STATS __kqlport_agg0 = MIN(x)
    | EVAL d = x - __kqlport_agg0
    | DROP __kqlport_agg0
    | LIMIT 10000
    ");
}

#[test]
fn a_computed_string_is_collected_and_counted_with_a_missing_one_as_empty() {
    // KQL has no null string: where ES|QL's value is null, KQL's is "" and make_set/dcount
    // collect it; a value already read as "" where null is not wrapped twice.
    let t = run(&ir_of(
        "SigninLogs | extend c = tostring(LocationDetails.city) | summarize s = make_set(c), n = dcount(c), u = make_set(tostring(Status.errorCode)) by UserPrincipalName",
    ))
    .unwrap();
    assert!(
        t.text.contains("s = VALUES(COALESCE(c, \"\"))"),
        "{}",
        t.text
    );
    assert!(
        t.text.contains("n = COUNT_DISTINCT(COALESCE(c, \"\"))"),
        "{}",
        t.text
    );
    assert!(!t.text.contains("COALESCE(COALESCE("), "{}", t.text);
}
