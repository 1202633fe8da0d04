//! Time: windows and datetime literals, sub-millisecond spans, calendar starts and parts,
//! datetime_diff, datetime arithmetic.

use super::*;

fn minus(lhs: Expr, rhs: Expr) -> Expr {
    arith(ArithOp::Sub, lhs, rhs)
}

fn arith(op: ArithOp, lhs: Expr, rhs: Expr) -> Expr {
    e(ExprKind::Arith {
        op,
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
    })
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
    assert_eq!(d[0].code.as_str(), "B007");
    assert_eq!(d[0].span, sp(1, 2));
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
    assert_eq!(ext1(dd("nanosecond")).unwrap_err()[0].code.as_str(), "B005");
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
    assert_eq!(errs[0].code.as_str(), "B012");
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

/// `ago(span)` of a span computed from datetimes (a hunting query's look-back): in
/// milliseconds, `TO_LONG` of a date being its epoch milliseconds and `TO_DATETIME` of a long
/// the date at those milliseconds (Elastic's TO_LONG / TO_DATETIME pages).
#[test]
fn ago_of_a_span_computed_from_datetimes_is_computed_in_milliseconds() {
    insta::assert_snapshot!(
        where_of_kql(
            "let s = datetime(2024-01-01); let e = datetime(2024-01-02); \
             T | where TimeGenerated > ago((e - s) * 7 + 1h)"
        ),
        @r#"TimeGenerated > TO_DATETIME(TO_LONG(NOW()) - (((TO_LONG(TO_DATETIME("2024-01-02T00:00:00Z")) - TO_LONG(TO_DATETIME("2024-01-01T00:00:00Z"))) * 7) + 3600000))"#
    );
    // A division would truncate in long arithmetic: still the datetime - datetime refusal.
    let d = declined(&ir_of(
        "let s = datetime(2024-01-01); let e = datetime(2024-01-02); \
         T | where TimeGenerated > ago((e - s) / 2)",
    ));
    assert_eq!(d[0].code.as_str(), "B012");
}

/// A time span multiplied, divided or taken modulo: ES|QL's durations only add to or subtract
/// from a datetime (its arithmetic operators take numbers, and dates with a duration for
/// `+`/`-`), so `1 hour * 1.5` would be an invalid query. Declined at the product.
#[test]
fn span_times_a_number_is_declined() {
    let span = || e(ExprKind::Literal(Literal::Timespan(hours(1))));
    for (op, word) in [
        (ArithOp::Mul, "multiplied"),
        (ArithOp::Div, "divided"),
        (ArithOp::Mod, "taken modulo"),
    ] {
        let mut x = arith(op, span(), e(ExprKind::Literal(Literal::Real(1.5))));
        x.span = sp(20, 28);
        let q = query(
            "T",
            vec![stage(StageKind::Extend(vec![assign(
                "X",
                minus(e(ExprKind::Now), x),
            )]))],
        );
        let errs = declined(&q);
        assert_eq!(errs[0].code.as_str(), "B012");
        assert_eq!(errs[0].span, sp(20, 28));
        assert!(errs[0].message.contains(word), "{}", errs[0].message);
    }
    // A number times a column that holds a number stays arithmetic.
    let q = query(
        "NoSuchTable",
        vec![stage(StageKind::Extend(vec![assign(
            "D",
            arith(
                ArithOp::Mul,
                field("N"),
                e(ExprKind::Literal(Literal::Real(1.5))),
            ),
        )]))],
    );
    assert_eq!(exact(&q).lines().nth(1).unwrap(), "| EVAL D = N * 1.5");
}

/// A datetime shifted by an integer computed per row times a span (an epoch in seconds made a
/// date): in milliseconds, as `ago()` of a computed span is — `TO_LONG` of a date is its epoch
/// milliseconds and `TO_DATETIME` of a long the date at those milliseconds.
#[test]
fn datetime_plus_a_computed_count_of_seconds_is_computed_in_milliseconds() {
    let secs = call(ScalarFn::ToLong, vec![field("EpochSeconds")]);
    let shift = arith(
        ArithOp::Mul,
        secs,
        e(ExprKind::Literal(Literal::Timespan(Duration::from_ticks(
            10_000_000,
        )))),
    );
    let q = query(
        "NoSuchTable",
        vec![stage(StageKind::Extend(vec![assign(
            "At",
            arith(
                ArithOp::Add,
                e(ExprKind::Literal(Literal::DateTime(
                    "1970-01-01T00:00:00Z".into(),
                ))),
                shift,
            ),
        )]))],
    );
    // `EpochSeconds` has no known type: tolong's note (a real would be rounded) is the only one.
    let t = run(&q).expect("translated");
    assert_eq!(
        t.text.lines().nth(1).unwrap(),
        "| EVAL At = TO_DATETIME(TO_LONG(TO_DATETIME(\"1970-01-01T00:00:00Z\")) + (TO_LONG(EpochSeconds) * 1000))"
    );
    let n = notes(&t);
    assert!(
        n.iter()
            .all(|n| n.1 == Effect::Values && n.2.contains("Math.round")),
        "{n:?}"
    );
}

#[test]
fn day_of_week_against_timespan_constants_and_as_text() {
    // Both sides in milliseconds: Saturday is 6d, Sunday 0d.
    insta::assert_snapshot!(
        where_of_kql("T | where dayofweek(Time) in (time(6.00:00:00), time(0.00:00:00))"),
        @r#"((DATE_EXTRACT("day_of_week", Time) % 7) * 86400000) IN (518400000, 0)"#
    );
    insta::assert_snapshot!(
        where_of_kql("T | where dayofweek(Time) == 1d"),
        @r#"(DATE_EXTRACT("day_of_week", Time) % 7) * 86400000 == 86400000"#
    );
    // KQL's text of a whole-day timespan: "00:00:00" on Sunday, "N.00:00:00" otherwise.
    insta::assert_snapshot!(
        esql_of("T | extend D = tostring(dayofweek(Time))"),
        @r#"
    FROM T
    | EVAL D = COALESCE(CASE(DATE_EXTRACT("day_of_week", Time) % 7 == 0, "00:00:00", CONCAT(TO_STRING(DATE_EXTRACT("day_of_week", Time) % 7), ".00:00:00")), "")
    | LIMIT 10000
    "#
    );
}

#[test]
fn format_datetime_is_date_format_in_utc() {
    let t = esql_of(
        r#"SigninLogs | extend D = format_datetime(TimeGenerated, 'dd-MM-yyyy HH:mm:ss.fff')"#,
    );
    insta::assert_snapshot!(t.lines().find(|l| l.starts_with("| EVAL")).unwrap_or(""), @r###"| EVAL D = COALESCE(DATE_FORMAT("dd-MM-yyyy HH:mm:ss.SSS", TimeGenerated), "")"###);
    // A 12-hour clock (h, tt) is not translated; nor is text that is not a datetime.
    assert_eq!(
        declined(&ir_of(
            r#"SigninLogs | extend D = format_datetime(TimeGenerated, 'hh tt')"#
        ))
        .len(),
        1
    );
    assert_eq!(
        declined(&ir_of(
            r#"SigninLogs | extend D = format_datetime(UserPrincipalName, 'dd')"#
        ))
        .len(),
        1
    );
}
