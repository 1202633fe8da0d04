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
    let d =
        extend(spanned(call(ScalarFn::ParseIpv4, vec![field("N")]), 7, 12)).expect_err("declined");
    assert_eq!(d[0].code.0, "B005");
    assert_eq!(d[0].span, sp(7, 12));
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

#[test]
fn tohex_of_a_long_is_sixteen_digits_with_leading_zeros_stripped() {
    let t = extend(call(
        ScalarFn::ToHex,
        vec![call(ScalarFn::ToLong, vec![field("S")])],
    ))
    .unwrap();
    assert_eq!(t.fidelity, Fidelity::Exact, "{}", t.text);
    let m = "CASE(TO_LONG(S) < 0, -1 - TO_LONG(S), TO_LONG(S))";
    let a = "CASE(TO_LONG(S) < 0, \"fedcba9876543210\", \"0123456789abcdef\")";
    assert!(t.text.starts_with(&format!(
        "FROM T\n| EVAL x = REPLACE(CONCAT(SUBSTRING({a}, (({m} / 1152921504606846976) % 16) + 1, 1), SUBSTRING({a}, (({m} / 72057594037927936) % 16) + 1, 1), "
    )), "{}", t.text);
    assert!(t.text.ends_with(&format!(
        "SUBSTRING({a}, (({m} / 16) % 16) + 1, 1), SUBSTRING({a}, ({m} % 16) + 1, 1)), \"^0{{1,15}}\", \"\")\n| LIMIT 10000\n"
    )), "{}", t.text);
    assert_eq!(t.text.matches("SUBSTRING(").count(), 16);
}

#[test]
fn tohex_width_keeps_zeros_and_an_unknown_type_gets_a_note() {
    let t = extend(spanned(
        call(ScalarFn::ToHex, vec![field("N"), lit_i(8)]),
        3,
        9,
    ))
    .unwrap();
    assert!(t.text.contains("TO_LONG(N) < 0"), "{}", t.text);
    assert!(
        t.text.ends_with(", \"^0{1,8}\", \"\")\n| LIMIT 10000\n"),
        "{}",
        t.text
    );
    let n = notes(&t);
    assert_eq!(n.len(), 1);
    assert_eq!((n[0].0, n[0].1), (sp(3, 9), Effect::Values));
    assert!(n[0].2.contains("32-bit"), "{}", n[0].2);
    let full = extend(call(
        ScalarFn::ToHex,
        vec![call(ScalarFn::ToLong, vec![field("N")]), lit_i(20)],
    ))
    .unwrap();
    assert!(!full.text.contains("REPLACE"), "{}", full.text);
    let d = extend(call(ScalarFn::ToHex, vec![field("N"), field("W")])).expect_err("declined");
    assert_eq!(d[0].code.0, "B005");
}

#[test]
fn indexof_regex_is_the_length_of_the_lazy_prefix_or_minus_one() {
    let t = extend(call(
        ScalarFn::IndexOfRegex,
        vec![field("M"), lit_s(",OU|,CN")],
    ))
    .unwrap();
    assert_eq!(t.fidelity, Fidelity::Exact, "{}", t.text);
    let p = "\"\\\\A((?s:.*?))(?:\\\\,OU|\\\\,CN)(?s:.*)\"";
    assert_eq!(
        t.text,
        format!("FROM T\n| EVAL x = CASE(REPLACE(COALESCE(M, \"\"), {p}, \"$1x\") == REPLACE(COALESCE(M, \"\"), {p}, \"$1\"), -1, LENGTH(REPLACE(COALESCE(M, \"\"), {p}, \"$1\")))\n| LIMIT 10000\n")
    );
    let d = extend(call(
        ScalarFn::IndexOfRegex,
        vec![field("M"), lit_s("a"), lit_i(2)],
    ))
    .expect_err("declined");
    assert_eq!(d[0].code.0, "B005");
}

#[test]
fn url_decode_is_url_decode_with_a_note() {
    let t = extend(spanned(call(ScalarFn::UrlDecode, vec![field("Q")]), 2, 8)).unwrap();
    assert_eq!(
        t.text,
        "FROM T\n| EVAL x = COALESCE(URL_DECODE(COALESCE(Q, \"\")), \"\")\n| LIMIT 10000\n"
    );
    let n = notes(&t);
    assert_eq!(n.len(), 1);
    assert_eq!((n[0].0, n[0].1), (sp(2, 8), Effect::Values));
    assert!(n[0].2.contains("malformed"), "{}", n[0].2);
}
