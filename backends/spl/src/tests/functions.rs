//! Scalar functions: regex and string functions (replace_regex, extract, countof, trim, indexof),
//! URL and IPv4 parsing, tohex, bag_pack, computed keys into JSON, and `count_distinct`.

use super::*;

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
        call(ScalarFn::IndexOfRegex, vec![field("M"), string(",OU|,CN")]),
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
            vec![field("M"), string("a"), long(1)],
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
fn a_computed_key_is_read_from_the_kept_raw_or_refused() {
    // After `table` the event's dynamic column is read from the `_raw` it keeps for that.
    let query = q(vec![
        stage(StageKind::Project(vec![assign("X", field("X"))])),
        ext("v", first_key_value(field("X"))),
    ]);
    let (t, _) = approx(query);
    assert!(
        t.contains("| table X _raw\n") && t.contains("json_extract(_raw, \"X\")"),
        "{t}"
    );
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
            vec![call(ScalarFn::ParseUrl, vec![field("U")]), string("Host")],
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
        call(ScalarFn::HasTermCs, vec![field("A"), string("x")]),
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
            vec![string("Dest"), field("D"), field("K"), long(1)],
        ),
    )]));
    assert_eq!(tail(&t), "| eval b=json_object(\"Dest\", D, K, 1)");
    assert_eq!(notes, vec![(30, 40, Effect::Values)]);
    let query = q(vec![ext(
        "b",
        call(ScalarFn::BagPack, vec![string("Dest")]),
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

const URL_RE: &str = "(?s)^([A-Za-z][A-Za-z0-9+.-]*)://(?:([^:@/?#]*)(?::([^@/?#]*))?@)?\
                      (\\\\[[^\\\\]/?#]*\\\\]|[^:/?#]*)(?::([0-9]*))?([^?#]*)(?:\\\\?([^#]*))?\
                      (?:#(.*))?\\\\z";

#[test]
fn replace_regex_text_first() {
    // The IR's Replace is (text, regex, rewrite) for replace_regex and the older replace alike.
    let want = "| eval x=replace(coalesce(C, \"\"), \"a([0-9]+)\\\\z\", \"<\\\\1>\\\\\\\\\")";
    let t = text(q(vec![ext(
        "x",
        call(
            ScalarFn::Replace,
            vec![field("C"), string("a(\\d+)$"), string("<\\1>\\\\")],
        ),
    )]));
    assert_eq!(tail(&t), want);
    // \0, `$` and unknown escapes in the rewrite, or a non-literal pattern, are declined.
    for rw in ["\\0", "$1", "\\n"] {
        let query = q(vec![ext(
            "x",
            call(ScalarFn::Replace, vec![field("C"), string("a"), string(rw)]),
        )]);
        assert_eq!(declined(query)[0].0, "B019", "{rw}");
    }
    let query = q(vec![ext(
        "x",
        call(ScalarFn::Replace, vec![field("C"), field("D"), string("")]),
    )]);
    assert_eq!(declined(query)[0].0, "B019");
    // A pattern matching "" is noted.
    let (_, notes) = approx(q(vec![ext(
        "x",
        call(
            ScalarFn::Replace,
            vec![field("C"), string("a*"), string("")],
        ),
    )]));
    assert_eq!(notes, vec![(30, 40, Effect::Values)]);
}

#[test]
fn extract_takes_the_leftmost_match_group_or_null() {
    let t = text(q(vec![ext(
        "x",
        call(
            ScalarFn::Extract,
            vec![string("id=(\\w+)"), long(1), field("Msg")],
        ),
    )]));
    assert_eq!(
        tail(&t),
        "| eval x=if(match(coalesce(Msg, \"\"), \"id=([0-9A-Za-z_]+)\"), \
         replace(coalesce(Msg, \"\"), \"^(?s:.*?)(?:id=([0-9A-Za-z_]+))(?s:.*)\", \"\\\\1\"), null())"
    );
    // Group 0 is the whole match: wrapped in a group of its own.
    let t = text(q(vec![ext(
        "x",
        call(
            ScalarFn::Extract,
            vec![string("a.b"), long(0), field("Msg")],
        ),
    )]));
    assert_eq!(
        tail(&t),
        "| eval x=if(match(coalesce(Msg, \"\"), \"a.b\"), \
         replace(coalesce(Msg, \"\"), \"^(?s:.*?)(a.b)(?s:.*)\", \"\\\\1\"), null())"
    );
    let query = q(vec![ext(
        "x",
        call(ScalarFn::Extract, vec![string("a"), long(10), field("Msg")]),
    )]);
    assert_eq!(declined(query)[0].0, "B019");
}

#[test]
fn countof_by_removed_characters() {
    // Plain text that cannot overlap itself: removed characters over its length.
    let t = text(q(vec![ext(
        "n",
        call(ScalarFn::CountOf, vec![field("C"), string(".exe")]),
    )]));
    assert_eq!(
        tail(&t),
        "| eval n=(len(coalesce(C, \"\")) - len(replace(coalesce(C, \"\"), \"\\\\.exe\", \"\"))) / 4"
    );
    // KQL counts overlapping plain matches ("aa" in "aaa" is 2): declined.
    let query = q(vec![ext(
        "n",
        call(ScalarFn::CountOf, vec![field("C"), string("aa")]),
    )]);
    assert_eq!(declined(query)[0].0, "B014");
    // A regex whose every match is one ASCII character: exact.
    let t = text(q(vec![ext(
        "n",
        call(
            ScalarFn::CountOf,
            vec![field("C"), string("(\\d)"), string("regex")],
        ),
    )]));
    assert_eq!(
        tail(&t),
        "| eval n=len(coalesce(C, \"\")) - len(replace(coalesce(C, \"\"), \"([0-9])\", \"\"))"
    );
    // `.` may match a non-ASCII character: noted (byte-mode PCRE would count bytes).
    let (_, notes) = approx(q(vec![ext(
        "n",
        call(
            ScalarFn::CountOf,
            vec![field("C"), string("."), string("regex")],
        ),
    )]));
    assert_eq!(notes, vec![(30, 40, Effect::Values)]);
    // Matches of different lengths: declined.
    let query = q(vec![ext(
        "n",
        call(
            ScalarFn::CountOf,
            vec![field("C"), string("a+"), string("regex")],
        ),
    )]);
    assert_eq!(declined(query)[0].0, "B014");
    assert_eq!(
        kqlport_kit::regex::facts::fixed_match_chars("ab{2}(c|d)"),
        Some((4, false))
    );
    assert_eq!(kqlport_kit::regex::facts::fixed_match_chars("a|bc"), None);
}

#[test]
fn trim_removes_one_anchored_match_per_end() {
    // A run of one class: removing the leftmost anchored match leaves nothing more: exact.
    let t = text(q(vec![ext(
        "x",
        call(ScalarFn::TrimEnd, vec![string("[^\\w]+"), field("S")]),
    )]));
    assert_eq!(
        tail(&t),
        "| eval x=replace(coalesce(S, \"\"), \"(?:[^0-9A-Za-z_]+)\\\\z\", \"\")"
    );
    let t = text(q(vec![ext(
        "x",
        call(ScalarFn::Trim, vec![string("\\s+"), field("S")]),
    )]));
    assert_eq!(
        tail(&t),
        "| eval x=replace(replace(coalesce(S, \"\"), \"^(?:[\\\\t\\\\n\\\\f\\\\r ]+)\", \"\"), \
         \"(?:[\\\\t\\\\n\\\\f\\\\r ]+)\\\\z\", \"\")"
    );
    // Other patterns: whether KQL removes a further uncovered match is undocumented.
    let (t, notes) = approx(q(vec![ext(
        "x",
        call(ScalarFn::TrimStart, vec![string("http(.|)://"), field("S")]),
    )]));
    assert_eq!(
        tail(&t),
        "| eval x=replace(coalesce(S, \"\"), \"^(?:http(.|)://)\", \"\")"
    );
    assert_eq!(notes, vec![(30, 40, Effect::Values)]);
}

#[test]
fn indexof_and_tobool() {
    let t = text(q(vec![ext(
        "i",
        call(ScalarFn::IndexOf, vec![field("U"), string("/")]),
    )]));
    assert_eq!(
        tail(&t),
        "| eval i=if(match(coalesce(U, \"\"), \"/\"), \
         len(replace(coalesce(U, \"\"), \"^(?s)(.*?)/.*\", \"\\\\1\")), -1)"
    );
    let query = q(vec![ext(
        "i",
        call(ScalarFn::IndexOf, vec![field("U"), string("/"), long(3)]),
    )]);
    assert_eq!(declined(query)[0].0, "B014");
    let (t, notes) = approx(q(vec![ext("b", call(ScalarFn::ToBool, vec![field("F")]))]));
    assert_eq!(
        tail(&t),
        "| eval b=case(lower(F)==\"true\", \"true\", lower(F)==\"false\", \"false\", \
         isnum(F), if(F==0, \"false\", \"true\"))"
    );
    assert_eq!(notes, vec![(30, 40, Effect::Values)]);
}

#[test]
fn functions_without_an_eval_spelling_say_why() {
    let d = run(q(vec![ext(
        "x",
        call(ScalarFn::Base64DecodeToString, vec![field("C")]),
    )]))
    .expect_err("declines");
    assert_eq!(d[0].code.as_str(), "B014");
    assert_eq!((d[0].span.start, d[0].span.end), (30, 40));
    assert_eq!(
        d[0].label.as_deref(),
        Some(
            "Splunk's eval language has no base64 decoding function (none among its text, \
             conversion or multivalue functions)"
        )
    );
}

#[test]
fn url_decode_is_urldecode_with_a_note() {
    let (t, notes) = approx(q(vec![ext(
        "d",
        call(ScalarFn::UrlDecode, vec![field("csUriQuery")]),
    )]));
    assert_eq!(tail(&t), "| eval d=urldecode(csUriQuery)");
    assert_eq!(notes, vec![(30, 40, Effect::Values)]);
}

#[test]
fn parse_url_members_by_one_regex() {
    let (t, notes) = approx(q(vec![ext(
        "h",
        member(call(ScalarFn::ParseUrl, vec![field("RemoteUrl")]), "Host"),
    )]));
    assert_eq!(
        tail(&t),
        format!(
            "| eval h=if(match(RemoteUrl, \"{URL_RE}\"), replace(RemoteUrl, \"{URL_RE}\", \
             \"\\\\4\"), null())"
        )
    );
    assert_eq!(notes, vec![(20, 29, Effect::Values)]);
    // A member KQL's object lacks is null; a computed URL goes through a helper field.
    let (t, _) = approx(q(vec![ext(
        "x",
        member(
            call(
                ScalarFn::ParseUrl,
                vec![call(ScalarFn::ToLower, vec![field("U")])],
            ),
            "Query",
        ),
    )]));
    assert_eq!(tail(&t), "| eval x=null()");
    let (t, _) = approx(q(vec![ext(
        "x",
        member(
            call(
                ScalarFn::ParseUrl,
                vec![call(ScalarFn::ToLower, vec![field("U")])],
            ),
            "Port",
        ),
    )]));
    assert_eq!(
        tail(&t),
        format!(
            "| eval __kqlport_h1=lower(U)\n\
             | eval x=if(match(__kqlport_h1, \"{URL_RE}\"), replace(__kqlport_h1, \"{URL_RE}\", \
             \"\\\\5\"), null())\n\
             | fields - __kqlport_h1"
        )
    );
    // The decoded query bag is not computed.
    let query = q(vec![ext(
        "x",
        member(
            call(ScalarFn::ParseUrl, vec![field("U")]),
            "Query Parameters",
        ),
    )]);
    assert_eq!(declined(query), vec![("B013", 20, 29)]);
}

#[test]
fn parse_url_objects_are_json_objects_read_with_json_extract() {
    let (t, notes) = approx(q(vec![
        ext("Url", call(ScalarFn::ParseUrl, vec![field("RemoteUrl")])),
        ext("Host", path("Url", &["Host"], false)),
    ]));
    let part = |g: u8| format!("replace(RemoteUrl, \"{URL_RE}\", \"\\\\{g}\")");
    assert_eq!(
        tail(&t),
        format!(
            "| eval Url=if(match(RemoteUrl, \"{URL_RE}\"), json_object(\"Scheme\", {}, \
             \"Host\", {}, \"Port\", {}, \"Path\", {}, \"Username\", {}, \"Password\", {}, \
             \"Fragment\", {}), null())\n\
             | eval Host=json_extract(Url, \"Host\")",
            part(1),
            part(4),
            part(5),
            part(6),
            part(2),
            part(3),
            part(8)
        )
    );
    assert_eq!(notes, vec![(30, 40, Effect::Values)]);
    // Its Query Parameters member is missing: refused, also after a rename.
    let query = q(vec![
        ext("Url", call(ScalarFn::ParseUrl, vec![field("RemoteUrl")])),
        stage(StageKind::Rename(vec![(col("U2"), col("Url"))])),
        ext("x", segs("U2", vec![k("Query Parameters"), k("a")], false)),
    ]);
    assert_eq!(declined(query), vec![("B013", 5, 9)]);
}

#[test]
fn parse_ipv4_by_arithmetic_on_validated_octets() {
    let (t, notes) = approx(q(vec![ext(
        "n",
        call(ScalarFn::ParseIpv4, vec![field("IP")]),
    )]));
    let re = "^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\\\.\
              (25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\\\.\
              (25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\\\.\
              (25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:/(3[0-2]|[12]?[0-9]))?\\\\z";
    assert_eq!(
        tail(&t),
        format!(
            "| eval __kqlport_h1=if(match(IP, \"{re}\"), split(replace(IP, \"{re}\", \
             \"\\\\1,\\\\2,\\\\3,\\\\4,\\\\5\"), \",\"), null()), \
             __kqlport_h2=pow(2, 32 - coalesce(tonumber(mvindex(__kqlport_h1, 4)), 32))\n\
             | eval n=floor(((((tonumber(mvindex(__kqlport_h1, 0)) * 16777216) + \
             (tonumber(mvindex(__kqlport_h1, 1)) * 65536)) + \
             (tonumber(mvindex(__kqlport_h1, 2)) * 256)) + \
             tonumber(mvindex(__kqlport_h1, 3))) / __kqlport_h2) * __kqlport_h2\n\
             | fields - __kqlport_h1 __kqlport_h2"
        )
    );
    assert_eq!(notes, vec![(30, 40, Effect::Values)]);
}

#[test]
fn log_is_ln() {
    let (t, notes) = approx(q(vec![ext("l", call(ScalarFn::Log, vec![field("n")]))]));
    assert_eq!(tail(&t), "| eval l=ln(n)");
    assert_eq!(notes, vec![(30, 40, Effect::Values)]);
}

/// KQL's toint/tolong truncate a real toward zero (Kusto's toint page: `toint(2.3)` is 2; -1.5 is
/// -1): the number is truncated, `if(n<0, ceiling(n), floor(n))`; a long column is
/// `tonumber()` as it is, and a long quotient (never integral in SPL) is truncated back.
#[test]
fn toint_of_a_real_truncates_toward_zero() {
    assert_eq!(
        spl_tail_of("T | extend r = 1.5, n = 5 | extend a = toint(r), c = tolong(n)"),
        "| eval r=1.5, n=5\n| eval a=if(tonumber(r)<0, ceiling(tonumber(r)), floor(tonumber(r))), c=tonumber(n)"
    );
}

#[test]
fn only_a_division_of_two_possible_longs_is_noted_as_truncating() {
    // KQL truncates long / long; arithmetic with a real (or timespan) operand is real.
    for (kql, noted) in [
        ("T | extend r = a / b", true),
        ("T | extend r = (a + 1) / b", true),
        ("T | extend r = 100.0 * a / b", false),
        ("T | extend r = a / (b * 1.0)", false),
        ("T | extend r = -(1.0 * a) / b", false),
        ("T | extend r = toreal(a) / b", false),
    ] {
        let (_, fidelity) = run(ir_of(kql)).expect("translates");
        let truncation = match fidelity {
            Fidelity::Exact => false,
            Fidelity::Approximate(notes) => notes
                .iter()
                .any(|n| n.message.contains("divides two longs with truncation")),
        };
        assert_eq!(truncation, noted, "{kql}");
    }
}

#[test]
fn round_notes_its_halves() {
    // Which way a value exactly halfway goes is documented by neither KQL nor Splunk.
    let (t, notes) = approx(ir_of("T | extend R = round(X, 2)"));
    assert_eq!(tail(&t), "| eval R=round(X, 2)");
    assert_eq!(notes, vec![(15, 26, Effect::Values)]);
}

#[test]
fn a_values_note_on_a_column_a_later_where_tests_is_a_row_difference() {
    // `round` in an extend is a value note; the later `where` on its column makes it an
    // over- and an under-match (kqlport::filtered_values).
    let (_, notes) = approx(ir_of("T | extend R = round(X, 2) | where R > 1"));
    assert_eq!(
        notes,
        vec![(15, 26, Effect::OverMatch), (15, 26, Effect::UnderMatch)]
    );
    // A `project` that keeps the column keeps it tested; another value for it ends that.
    let (_, notes) = approx(ir_of(
        "T | extend R = round(X, 2) | project R | where R > 1",
    ));
    assert_eq!(notes.len(), 2, "{notes:?}");
    let (_, notes) = approx(ir_of(
        "T | extend R = round(X, 2) | extend R = 1 | where R > 1",
    ));
    assert_eq!(notes, vec![(15, 26, Effect::Values)]);
}

#[test]
fn hashes_of_text_log2_and_max_of_numbers() {
    let (t, notes) = approx(ir_of(
        r#"SigninLogs | extend s = hash_sha256(UserPrincipalName), m = hash_md5(strcat(UserPrincipalName, "x")), l = log2(toreal(ResultType)), x = max_of(toreal(ResultType), 2.5, toreal(RiskLevel))"#,
    ));
    insta::assert_snapshot!(tail(&t), @r###"| eval s=sha256(coalesce(UserPrincipalName, "")), m=md5(coalesce(coalesce(UserPrincipalName, "")."x", "")), l=log(tonumber(ResultType), 2), x=if(isnull(coalesce(tonumber(ResultType), 2.5, tonumber(RiskLevel))), null(), max(coalesce(tonumber(ResultType), 2.5, tonumber(RiskLevel)), coalesce(2.5, tonumber(RiskLevel), tonumber(ResultType)), coalesce(tonumber(RiskLevel), tonumber(ResultType), 2.5)))"###);
    assert!(notes.iter().all(|n| n.2 == Effect::Values), "{notes:?}");
}

#[test]
fn reverse_hashes_of_non_text_and_max_of_text_are_declined() {
    let d = declined(ir_of(
        r#"SigninLogs | extend r = reverse(UserPrincipalName)"#,
    ));
    assert_eq!(d.iter().map(|d| d.0).collect::<Vec<_>>(), vec!["B014"]);
    let d = declined(ir_of(
        r#"SigninLogs | extend h = hash_sha256(TimeGenerated)"#,
    ));
    assert_eq!(d.iter().map(|d| d.0).collect::<Vec<_>>(), vec!["B014"]);
    let d = declined(ir_of(
        r#"SigninLogs | extend h = max_of(UserPrincipalName, "a")"#,
    ));
    assert_eq!(d.iter().map(|d| d.0).collect::<Vec<_>>(), vec!["B014"]);
}
