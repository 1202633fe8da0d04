//! Scalar functions and `count_distinct` added with lowering's wider function coverage.

use super::*;

fn extend(e: Expr) -> Result<Translation, Vec<Diagnostic>> {
    run(&query(
        "T",
        vec![stage(StageKind::Extend(vec![assign("x", e)]))],
    ))
}

fn spanned(mut x: Expr, a: usize, b: usize) -> Expr {
    x.span = sp(a, b);
    x
}

#[test]
fn string_size_is_byte_length() {
    let t = extend(call(ScalarFn::StringSize, vec![field("UA")])).unwrap();
    assert_eq!(t.fidelity, Fidelity::Exact, "{}", t.text);
    assert_eq!(
        t.text,
        "FROM T\n| EVAL x = BYTE_LENGTH(COALESCE(UA, \"\"))\n| LIMIT 10000\n"
    );
}

#[test]
fn unixtime_milliseconds_is_to_datetime_with_a_note() {
    let t = extend(spanned(
        call(ScalarFn::UnixtimeMillisecondsToDatetime, vec![field("ms")]),
        4,
        9,
    ))
    .unwrap();
    assert_eq!(
        t.text,
        "FROM T\n| EVAL x = TO_DATETIME(ms)\n| LIMIT 10000\n"
    );
    let n = notes(&t);
    assert_eq!(n.len(), 1);
    assert_eq!((n[0].0, n[0].1), (sp(4, 9), Effect::Values));
    assert!(n[0].2.contains("millisecond"), "{}", n[0].2);
}

#[test]
fn functions_without_an_esql_form_are_declined_at_their_span() {
    for f in [ScalarFn::ToHex, ScalarFn::IndexOfRegex, ScalarFn::ParseIpv4] {
        let args = match f {
            ScalarFn::IndexOfRegex => vec![field("M"), lit_s("a")],
            _ => vec![field("N")],
        };
        let d = extend(spanned(call(f, args), 7, 12)).expect_err("declined");
        assert_eq!(d[0].code.0, "B005");
        assert_eq!(d[0].span, sp(7, 12));
    }
}

#[test]
fn count_distinct_is_count_distinct_with_a_precision_note() {
    let t = run(&query(
        "T",
        vec![stage(StageKind::Aggregate {
            by: vec![key("Ip", field("Ip"))],
            aggs: vec![Aggregation {
                span: sp(2, 3),
                ..agg("n", AggFunc::CountDistinct(field("Path")))
            }],
        })],
    ))
    .unwrap();
    assert!(
        t.text.contains("| STATS n = COUNT_DISTINCT(Path) BY Ip\n"),
        "{}",
        t.text
    );
    let n = notes(&t);
    assert!(
        n.iter()
            .any(|n| n.0 == sp(2, 3) && n.1 == Effect::Values && n.2.contains("exact in KQL")),
        "{n:?}"
    );
}
