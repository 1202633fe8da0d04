//! summarize: counts by bins, notes and caps, arg_max/arg_min (with eventstats), lowering's
//! temporaries and sorted sets.

use super::*;

#[test]
fn summarize_count_by_bin() {
    // FileName is a string column of DeviceProcessEvents: values() reads a missing one as "",
    // as make_set does (issue 11).
    let t = text_sets(q(vec![
        stage(StageKind::Aggregate {
            by: vec![
                key("DeviceName"),
                GroupKey {
                    name: col("Timestamp"),
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
                name: col("b"),
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
        name: col("Column1"),
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
        name: col("U"),
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
                    string("minute"),
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
fn arg_max_star_keeps_raw_when_read_later() {
    let top = stage(StageKind::Aggregate {
        by: vec![key("U")],
        aggs: vec![agg(
            "TimeGenerated",
            AggFunc::ArgMax {
                by: field("TimeGenerated"),
                cols: vec![],
            },
        )],
    });
    let (t, _) = approx(q(vec![
        top.clone(),
        ext("f", segs("UAC", vec![ix(0)], false)),
    ]));
    assert_eq!(
        tail(&t),
        "| fillnull value=\"\" U\n| where isnotnull(_time)\n| sort 0 -_time\n| dedup U\n\
         | table U _time * _raw\n\
         | eval f=json_extract(_raw, \"UAC{0}\")\n\
         | fields - _raw"
    );
    // `table … *` keeps Splunk's flattened fields: a plain key path is still that field.
    let (t, _) = approx(q(vec![top, ext("f", path("X", &["a"], false))]));
    assert!(t.ends_with("| table U _time *\n| eval f='X.a'\n"), "{t}");
}

#[test]
fn take_any_star_keeps_one_row_per_group() {
    // Any row of the group is KQL's answer: no sort, the first row per key, every field.
    assert_eq!(
        spl_tail_of("T | summarize take_any(*) by Host"),
        "| fillnull value=\"\" Host\n| dedup Host\n| table Host *"
    );
    // Other aggregates over every row of the group first; a column of their name in the rows
    // would be replaced (values note).
    let (t, notes) = approx(ir_of(
        "T | summarize n = count(), First = min(TimeGenerated), take_any(*) by Host",
    ));
    assert_eq!(
        tail(&t),
        "| fillnull value=\"\" Host\n\
         | eventstats count AS n min(_time) AS First by Host\n\
         | dedup Host\n\
         | table Host n First *"
    );
    assert_eq!(
        notes.iter().map(|n| n.2).collect::<Vec<_>>(),
        [Effect::Values]
    );
    // Without `by`: KQL returns one empty row when no row comes in; `head 1` none.
    let (t, notes) = approx(ir_of("T | summarize take_any(*)"));
    assert_eq!(tail(&t), "| head 1\n| table *");
    assert_eq!(
        notes.iter().map(|n| n.2).collect::<Vec<_>>(),
        [Effect::UnderMatch]
    );
    // Two row picks in one summarize: declined, at the second.
    let d = run(ir_of(
        "T | summarize arg_max(TimeGenerated, *), take_any(*) by Host",
    ))
    .unwrap_err();
    assert_eq!(d[0].code, kqlport::codes::SplCode::B015);
    assert!(d[0].message.contains("take_any(*)"), "{}", d[0].message);
}

/// `toscalar(R | summarize agg(x))` over the rows named `R` where it is used: `eventstats`
/// without `by` adds the one aggregate over all the results to each, read by the `eval`.
#[test]
fn toscalar_of_the_rows_themselves_is_eventstats() {
    insta::assert_snapshot!(spl_tail_of(
        "T | where a > 0 | as R | extend d = x - toscalar(R | summarize min(x))"
    ), @r"
    | where a>0
    | eventstats min(x) AS __kqlport_agg0
    | eval d=x - __kqlport_agg0
    | fields - __kqlport_agg0
    ");
}
