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

fn path_into(base: Expr, segs: Vec<PathSegment>) -> Expr {
    Expr {
        kind: ExprKind::Path {
            base: Box::new(base),
            path: segs,
        },
        span: sp(20, 29),
    }
}

/// `X[tostring(bag_keys(X)[0])]`: the first key of X's JSON, then its value.
fn first_key_value(x: Expr) -> Expr {
    let first_key = call(
        ScalarFn::ToString,
        vec![path_into(
            call(ScalarFn::BagKeys, vec![x.clone()]),
            vec![ix(0)],
        )],
    );
    call(ScalarFn::DynamicIndex, vec![x, first_key])
}

#[test]
fn a_computed_key_reads_the_json_with_json_extract_exact() {
    let ip = call(
        ScalarFn::ToString,
        vec![path_into(
            first_key_value(field("InitiatedBy")),
            vec![k("ipAddress")],
        )],
    );
    let (t, notes) = approx(q(vec![ext("IP", ip)]));
    assert_eq!(
        tail(&t),
        "| eval IP=json_extract(json_extract_exact(json_extract(_raw, \"InitiatedBy\"), \
         mvindex(json_array_to_mv(json_keys(json_extract(_raw, \"InitiatedBy\"))), 0)), \
         \"ipAddress\")"
    );
    // bag_keys' order is undetermined in KQL.
    assert_eq!(notes, vec![(20, 29, Effect::Values)]);
    // A path into a parsed JSON-text column is parsed at each step; a key that is not a plain
    // identifier is read literally.
    let x = segs("P", vec![k("a b")], true);
    let v = call(ScalarFn::DynamicIndex, vec![x, field("K")]);
    let query = q(vec![ext("v", v.clone())]);
    assert_eq!(declined(query), vec![("B013", 0, 0)]);
    let v = call(
        ScalarFn::DynamicIndex,
        vec![
            segs("P", vec![k("a b")], true),
            call(ScalarFn::ToLower, vec![field("K")]),
        ],
    );
    let t = text(q(vec![ext("v", v)]));
    assert_eq!(
        tail(&t),
        "| eval v=json_extract_exact(json_extract_exact(json_extract(_raw, \"P\"), \"a b\"), \
         lower(K))"
    );
}

#[test]
fn a_computed_key_is_refused_where_splunk_cannot_read_it() {
    // After `table`, the event's dynamic column is gone from _raw.
    let query = q(vec![
        stage(StageKind::Project(vec![assign("X", field("X"))])),
        ext("v", first_key_value(field("X"))),
    ]);
    assert_eq!(declined(query)[0].0, "B013");
    // A computed array position.
    let query = q(vec![ext(
        "v",
        call(ScalarFn::DynamicIndex, vec![field("X"), field("N")]),
    )]);
    assert_eq!(declined(query), vec![("B013", 0, 0)]);
    // Indexing a computed value that is not a column.
    let query = q(vec![ext(
        "v",
        call(
            ScalarFn::DynamicIndex,
            vec![call(ScalarFn::ParseUrl, vec![field("U")]), str_lit("Host")],
        ),
    )]);
    assert_eq!(declined(query), vec![("B013", 30, 40)]);
}

#[test]
fn has_with_a_computed_term_builds_the_pattern_at_run_time() {
    let has = |func: ScalarFn| {
        p(PredicateKind::Bool(call(
            func,
            vec![field("Computer"), field("Target")],
        )))
    };
    let (t, notes) = approx(q(vec![filter(not(has(ScalarFn::HasTerm)))]));
    assert_eq!(
        tail(&t),
        "| where NOT match(coalesce(Computer, \"\"), \
         \"(?i)(?:(?<![A-Za-z0-9])|(?![A-Za-z0-9]))\".replace(coalesce(Target, \"\"), \
         \"([^A-Za-z0-9])\", \"\\\\\\\\\\\\1\").\"(?:(?![A-Za-z0-9])|(?<![A-Za-z0-9]))\")"
    );
    // (?i) folds non-ASCII letters too.
    assert_eq!(
        notes,
        vec![(30, 40, Effect::OverMatch), (30, 40, Effect::UnderMatch)]
    );
    // has_cs: no flag, no note; as a value, the strings "true"/"false".
    let t = text(q(vec![ext(
        "b",
        call(ScalarFn::HasTermCs, vec![field("A"), str_lit("x")]),
    )]));
    assert_eq!(
        tail(&t),
        "| eval b=if(match(coalesce(A, \"\"), \"(?:(?<![A-Za-z0-9])|(?![A-Za-z0-9]))\".\
         replace(coalesce(\"x\", \"\"), \"([^A-Za-z0-9])\", \"\\\\\\\\\\\\1\").\
         \"(?:(?![A-Za-z0-9])|(?<![A-Za-z0-9]))\"), \"true\", \"false\")"
    );
}

#[test]
fn bag_pack_is_json_object_with_a_note_on_value_types() {
    let (t, notes) = approx(q(vec![ext(
        "b",
        call(
            ScalarFn::BagPack,
            vec![str_lit("Dest"), field("D"), field("K"), long(1)],
        ),
    )]));
    assert_eq!(tail(&t), "| eval b=json_object(\"Dest\", D, K, 1)");
    assert_eq!(notes, vec![(30, 40, Effect::Values)]);
    let query = q(vec![ext(
        "b",
        call(ScalarFn::BagPack, vec![str_lit("Dest")]),
    )]);
    assert_eq!(declined(query), vec![("B014", 30, 40)]);
}

#[test]
fn substring_shifts_only_a_non_negative_start_to_one_based() {
    let sub = |start: Expr| {
        q(vec![ext(
            "s",
            call(ScalarFn::Substring, vec![field("S"), start, long(3)]),
        )])
    };
    // A literal start >= 0: 0-based to 1-based.
    assert_eq!(
        tail(&text(sub(long(2)))),
        "| eval s=substr(coalesce(S, \"\"), 3, 3)"
    );
    // `strlen(S) + 1` is never negative: shifted without a test.
    let strlen_plus = Expr {
        kind: ExprKind::Arith {
            op: ArithOp::Add,
            lhs: Box::new(call(ScalarFn::Strlen, vec![field("S")])),
            rhs: Box::new(long(1)),
        },
        span: s0(),
    };
    assert_eq!(
        tail(&text(sub(strlen_plus))),
        "| eval s=substr(coalesce(S, \"\"), (len(coalesce(S, \"\")) + 1) + 1, 3)"
    );
    // A negative start counts from the end in both languages: kept as is, with a note on
    // starts that reach before the first character (undocumented in both).
    let mut neg = long(-2);
    neg.span = sp(5, 7);
    let (t, notes) = approx(sub(neg));
    assert_eq!(tail(&t), "| eval s=substr(coalesce(S, \"\"), -2, 3)");
    assert_eq!(notes, vec![(5, 7, Effect::Values)]);
    // A computed start of unknown sign is tested at run time.
    let mut n = field("N");
    n.span = sp(8, 9);
    let (t, notes) = approx(sub(n));
    assert_eq!(
        tail(&t),
        "| eval s=substr(coalesce(S, \"\"), if(N<0, N, N + 1), 3)"
    );
    assert_eq!(notes, vec![(8, 9, Effect::Values)]);
}
