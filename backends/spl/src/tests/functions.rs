//! The functions rendered in `translate/functions.rs`, and `count_distinct`.

use super::*;

fn str_lit(v: &str) -> Expr {
    lit(Literal::String(v.into()))
}

#[test]
fn tohex_is_printf_x_and_keeps_null() {
    let (t, notes) = approx(q(vec![ext("h", call(ScalarFn::ToHex, vec![field("N")]))]));
    assert_eq!(
        tail(&t),
        "| eval h=if(isnull(N), null(), printf(\"%x\", N))"
    );
    // Negative numbers: KQL's two's complement vs printf's undocumented form.
    assert_eq!(notes, vec![(30, 40, Effect::Values)]);
    // A minimum width pads with zeros (KQL caps it at 16).
    let (t, _) = approx(q(vec![ext(
        "h",
        call(ScalarFn::ToHex, vec![field("N"), long(40)]),
    )]));
    assert_eq!(
        tail(&t),
        "| eval h=if(isnull(N), null(), printf(\"%016x\", N))"
    );
    let query = q(vec![ext(
        "h",
        call(ScalarFn::ToHex, vec![field("N"), field("W")]),
    )]);
    assert_eq!(declined(query), vec![("B014", 30, 40)]);
}

#[test]
fn string_size_counts_characters_with_a_note() {
    let (t, notes) = approx(q(vec![filter(cmp(
        call(ScalarFn::StringSize, vec![field("UA")]),
        CmpOp::Le,
        long(5),
    ))]));
    assert_eq!(tail(&t), "| where len(coalesce(UA, \"\"))<=5");
    assert_eq!(notes, vec![(30, 40, Effect::Values)]);
}

#[test]
fn unixtime_milliseconds_become_epoch_seconds() {
    let t = text(q(vec![ext(
        "T",
        call(ScalarFn::UnixtimeMillisecondsToDatetime, vec![field("ms")]),
    )]));
    assert_eq!(tail(&t), "| eval T=ms / 1000");
}

#[test]
fn indexof_regex_is_the_length_before_the_leftmost_match() {
    let t = text(q(vec![ext(
        "i",
        call(ScalarFn::IndexOfRegex, vec![field("M"), str_lit(",OU|,CN")]),
    )]));
    assert_eq!(
        tail(&t),
        "| eval i=if(match(coalesce(M, \"\"), \",OU|,CN\"), \
         len(replace(coalesce(M, \"\"), \"(?:,OU|,CN)(?s:.*)\", \"\")), -1)"
    );
    // start/length/occurrence are not rendered.
    let query = q(vec![ext(
        "i",
        call(
            ScalarFn::IndexOfRegex,
            vec![field("M"), str_lit("a"), long(1)],
        ),
    )]);
    assert_eq!(declined(query), vec![("B014", 30, 40)]);
}

#[test]
fn count_distinct_is_dc_and_exact() {
    let t = text(q(vec![stage(StageKind::Aggregate {
        by: vec![key("Ip")],
        aggs: vec![agg("n", AggFunc::CountDistinct(field("Path")))],
    })]));
    assert_eq!(
        tail(&t),
        "| fillnull value=\"\" Ip\n| stats dc(Path) AS n by Ip"
    );
}
