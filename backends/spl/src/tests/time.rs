//! Time: windows (`ago`) at the base search and in `where`, datetime typing of columns (epoch vs
//! ISO text), datetime literals, calendar functions, in UTC.

use super::*;

/// The ISO 8601 UTC reading of a datetime held as text in field `f` (eval spelling).
fn iso(f: &str) -> String {
    format!(
        "strptime(substr({f}, 1, 19).\"+0000\", \"%Y-%m-%dT%H:%M:%S%z\") + \
         tonumber(replace({f}, \"^.{{19}}(\\\\.[0-9]+)?Z$\", \"0\\\\1\"))"
    )
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
fn time_window_not_top_level_goes_to_where() {
    insta::assert_snapshot!(spl_tail_of(r#"DeviceProcessEvents | where (Timestamp > ago(1d) or A == "x")"#), @r#"| where _time>(now() - 86400) OR A=="x""#);
    insta::assert_snapshot!(spl_tail_of(r#"DeviceProcessEvents | take 5 | where Timestamp <= ago(1d)"#), @"
| head 5
| where _time<=(now() - 86400)
");
    insta::assert_snapshot!(spl_of(r#"DeviceProcessEvents | where Timestamp < ago(1d)"#), @r#"search index=* sourcetype="DeviceProcessEvents" earliest=0 latest=-86400s"#);
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
        stage(StageKind::Rename(vec![(col("L"), col("Last"))])),
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
            call(ScalarFn::ToDateTime, vec![string("0001-01-01T00:00:00Z")]),
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

#[test]
fn defender_timestamp_is_the_event_time_too() {
    // Defender XDR tables name the event time `Timestamp`; it is Splunk's `_time` as well.
    let t = text(q(vec![filter(ago("Timestamp", CmpOp::Gt, 1))]));
    assert!(t.contains("earliest=-86400s"), "{t}");
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
                string("day"),
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
            vec![string("month"), field("Timestamp"), field("Timestamp")],
        ),
    )]);
    assert_eq!(declined(query)[0].0, "B014");
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
            left: col("Computer"),
            right: col("Computer"),
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
            left: col("Computer"),
            right: col("Computer"),
        }],
    });
    let query = q(vec![
        join,
        ext("v", segs("AdditionalFields", vec![k("a"), ix(0)], false)),
    ]);
    assert_eq!(declined(query)[0].0, "B013");
}

#[test]
fn a_datetime_held_as_text_sorts_by_its_epoch() {
    // Splunk's sort orders text that starts with a number by that number alone, so ISO
    // timestamps of one year would tie: ProcessCreationTime (datetime, text in the event) is
    // sorted by its parsed epoch value; `_time` (Timestamp in this Defender table) as it is.
    let key = |n: &str| SortKey {
        expr: field(n),
        dir: SortDir::Desc,
        nulls: Nulls::default_for(SortDir::Desc),
    };
    let (t, _) = approx(q(vec![stage(StageKind::Sort(vec![key(
        "ProcessCreationTime",
    )]))]));
    assert!(
        t.contains("| eval __kqlport_sort1=strptime(substr(ProcessCreationTime, 1, 19)"),
        "{t}"
    );
    assert!(
        t.ends_with("| sort 0 -__kqlport_sort1\n| fields - __kqlport_sort1\n"),
        "{t}"
    );
    let t = text(q(vec![stage(StageKind::Sort(vec![key("Timestamp")]))]));
    assert!(t.ends_with("| sort 0 -_time\n"), "{t}");
    // With top, which rows survive depends on it: noted both ways.
    let (_, notes) = approx(q(vec![stage(StageKind::Top {
        n: 3,
        key: key("ProcessCreationTime"),
    })]));
    let effects: Vec<Effect> = notes.iter().map(|n| n.2).collect();
    assert!(effects.contains(&Effect::OverMatch) && effects.contains(&Effect::UnderMatch));
}

#[test]
fn day_of_week_as_text() {
    // KQL's text of a whole-day timespan: "00:00:00" on Sunday, "N.00:00:00" otherwise
    // (tostring of the seconds would give "86400").
    insta::assert_snapshot!(
        spl_tail_of("T | extend D = tostring(dayofweek(TimeGenerated))"),
        @r#"| eval D=if(isnull((floor(_time / 86400) + 4) - (floor((floor(_time / 86400) + 4) / 7) * 7)), "", if(((floor(_time / 86400) + 4) - (floor((floor(_time / 86400) + 4) / 7) * 7))==0, "00:00:00", ((floor(_time / 86400) + 4) - (floor((floor(_time / 86400) + 4) / 7) * 7)).".00:00:00"))"#
    );
}

#[test]
fn format_datetime_is_declined_strftime_uses_the_users_time_zone() {
    let d = declined(ir_of(
        r#"SigninLogs | extend D = format_datetime(TimeGenerated, 'dd-MM-yyyy')"#,
    ));
    assert_eq!(d.iter().map(|d| d.0).collect::<Vec<_>>(), vec!["B014"]);
}
