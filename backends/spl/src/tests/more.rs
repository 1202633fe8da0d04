//! `translate/scalars.rs` (url_decode, parse_url, parse_ipv4, log), `translate/arrays.rs`
//! (JSON arrays, split arrays as JSON text, make_set of split arrays, strcat_array) and
//! keeping `_raw` for event columns read after the rows were reshaped.

use super::*;

fn str_lit(v: &str) -> Expr {
    lit(Literal::String(v.into()))
}

fn member(base: Expr, name: &str) -> Expr {
    Expr {
        kind: ExprKind::Path {
            base: Box::new(base),
            path: vec![k(name)],
        },
        span: sp(20, 29),
    }
}

fn project(cols: &[&str]) -> Stage {
    stage(StageKind::Project(
        cols.iter().map(|c| assign(c, field(c))).collect(),
    ))
}

fn case1(cond: Predicate, then: Expr, otherwise: Expr) -> Expr {
    Expr {
        kind: ExprKind::Case {
            branches: vec![(cond, then)],
            otherwise: Box::new(otherwise),
        },
        span: s0(),
    }
}

fn is_set(f: &str) -> Predicate {
    p(PredicateKind::IsEmpty {
        expr: field(f),
        negated: true,
    })
}

const URL_RE: &str = "(?s)^([A-Za-z][A-Za-z0-9+.-]*)://(?:([^:@/?#]*)(?::([^@/?#]*))?@)?\
                      (\\\\[[^\\\\]/?#]*\\\\]|[^:/?#]*)(?::([0-9]*))?([^?#]*)(?:\\\\?([^#]*))?\
                      (?:#(.*))?\\\\z";

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

#[test]
fn array_length_of_json_arrays() {
    let want = "| eval __kqlport_h1=json_extract(_raw, \"GroupMembership\")\n\
                | eval n=if(json_valid(__kqlport_h1) AND match(__kqlport_h1, \"^\\\\s*\\\\[\"), \
                coalesce(mvcount(json_array_to_mv(__kqlport_h1)), 0), null())\n\
                | fields - __kqlport_h1";
    // An event column: its JSON from _raw (noted: a string holding array text counts).
    let (t, notes) = approx(q(vec![ext(
        "n",
        call(ScalarFn::ArrayLength, vec![field("GroupMembership")]),
    )]));
    assert_eq!(tail(&t), want);
    assert_eq!(notes, vec![(30, 40, Effect::Values)]);
    // Parsed text (todynamic(S)): exact.
    let t = text(q(vec![filter(cmp(
        call(ScalarFn::ArrayLength, vec![segs("S", vec![], true)]),
        CmpOp::Eq,
        long(1),
    ))]));
    assert_eq!(
        tail(&t),
        "| eval __kqlport_h1=json_extract(_raw, \"S\")\n\
         | where if(json_valid(__kqlport_h1) AND match(__kqlport_h1, \"^\\\\s*\\\\[\"), \
         coalesce(mvcount(json_array_to_mv(__kqlport_h1)), 0), null())==1\n\
         | fields - __kqlport_h1"
    );
    // A split array (never empty in KQL) is counted as a multivalue.
    let t = text(q(vec![ext(
        "n",
        call(
            ScalarFn::ArrayLength,
            vec![call(ScalarFn::Split, vec![field("U"), s(",")])],
        ),
    )]));
    assert_eq!(
        tail(&t),
        "| eval n=coalesce(mvcount(split(coalesce(U, \"\"), \",\")), 1)"
    );
}

#[test]
fn event_columns_read_after_project_keep_raw() {
    // The first attempt finds _raw gone; the second keeps it through table and removes it at
    // the end.
    let t = text(q(vec![
        project(&["A", "X"]),
        ext("first", segs("X", vec![ix(0), k("id")], false)),
    ]));
    assert_eq!(
        tail(&t),
        "| table A X _raw\n\
         | eval first=json_extract(_raw, \"X{0}.id\")\n\
         | fields - _raw"
    );
    // Splunk's flattened X.a.b fields are gone after table too: read from _raw.
    let t = text(q(vec![
        project(&["A", "X"]),
        ext("b", path("X", &["a", "b"], false)),
        stage(StageKind::Aggregate {
            by: vec![key("b")],
            aggs: vec![agg("n", AggFunc::Count)],
        }),
    ]));
    assert_eq!(
        tail(&t),
        "| table A X _raw\n\
         | eval b=json_extract(_raw, \"X.a.b\")\n\
         | fillnull value=\"\" b\n\
         | stats count AS n by b"
    );
    // Without a later need, project keeps no _raw.
    let t = text(q(vec![project(&["A", "X"])]));
    assert_eq!(tail(&t), "| table A X");
    // After stats there is no event to read: still declined.
    let query = q(vec![
        stage(StageKind::Aggregate {
            by: vec![key("D")],
            aggs: vec![agg("n", AggFunc::Count)],
        }),
        ext("M", segs("X", vec![ix(1)], false)),
    ]);
    assert_eq!(declined(query), vec![("B013", 5, 9)]);
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
fn split_arrays_inside_other_values_are_json_text() {
    let (t, notes) = approx(q(vec![
        ext(
            "D",
            case1(
                is_set("W"),
                call(ScalarFn::Split, vec![field("W"), s(",")]),
                str_lit("unknown"),
            ),
        ),
        filter(sm("D", Equals, CS, &["unknown"])),
    ]));
    assert_eq!(
        tail(&t),
        "| eval D=if(isnotnull(W) AND W!=\"\", mv_to_json_array(split(coalesce(W, \"\"), \",\")), \
         \"unknown\")\n\
         | where D==\"unknown\""
    );
    assert_eq!(notes, vec![(30, 40, Effect::Values)]);
}

#[test]
fn make_set_of_split_arrays_adds_their_elements() {
    // make_set_if(split(Q, ", "), isnotempty(Q)): the multivalue in a helper, then values().
    let t = text_sets(q(vec![stage(StageKind::Aggregate {
        by: vec![key("Ip")],
        aggs: vec![agg(
            "Q",
            AggFunc::MakeSet {
                expr: case1(
                    is_set("Q"),
                    call(ScalarFn::Split, vec![field("Q"), s(", ")]),
                    lit(Literal::Null),
                ),
                max: None,
            },
        )],
    })]));
    assert_eq!(
        tail(&t),
        "| eval __kqlport_h1=if(isnotnull(Q) AND Q!=\"\", split(coalesce(Q, \"\"), \", \"), null())\n\
         | fillnull value=\"\" Ip\n\
         | stats values(__kqlport_h1) AS Q by Ip\n\
         | fields - __kqlport_h1"
    );
    // A split column: its multivalue field directly.
    let t = text_sets(q(vec![
        ext("parts", call(ScalarFn::Split, vec![field("U"), s("/")])),
        stage(StageKind::Aggregate {
            by: vec![],
            aggs: vec![agg(
                "all",
                AggFunc::MakeSet {
                    expr: field("parts"),
                    max: None,
                },
            )],
        }),
    ]));
    assert!(t.ends_with("| stats values(parts) AS all\n"), "{t}");
}

#[test]
fn strcat_array_of_split_arrays_is_mvjoin() {
    let t = text(q(vec![ext(
        "d",
        call(
            ScalarFn::StrcatArray,
            vec![
                call(
                    ScalarFn::ArraySlice,
                    vec![
                        call(ScalarFn::Split, vec![field("User"), s(".")]),
                        long(1),
                        long(-1),
                    ],
                ),
                s("."),
            ],
        ),
    )]));
    assert_eq!(
        tail(&t),
        "| eval d=mvjoin(mvindex(split(coalesce(User, \"\"), \".\"), 1, -1), \".\")"
    );
    let t = text(q(vec![ext(
        "d",
        call(
            ScalarFn::StrcatArray,
            vec![call(ScalarFn::Split, vec![field("User"), s(".")]), s("-")],
        ),
    )]));
    assert_eq!(
        tail(&t),
        "| eval d=mvjoin(split(coalesce(User, \"\"), \".\"), \"-\")"
    );
    // Slices whose end is not the last element: declined (mvindex does not clamp).
    let query = q(vec![ext(
        "d",
        call(
            ScalarFn::StrcatArray,
            vec![
                call(
                    ScalarFn::ArraySlice,
                    vec![
                        call(ScalarFn::Split, vec![field("User"), s(".")]),
                        long(0),
                        long(2),
                    ],
                ),
                s("."),
            ],
        ),
    )]);
    assert_eq!(declined(query), vec![("B014", 30, 40)]);
}

#[test]
fn split_of_make_set_arrays_is_declined() {
    let query = q(vec![
        stage(StageKind::Aggregate {
            by: vec![],
            aggs: vec![agg(
                "st",
                AggFunc::MakeSet {
                    expr: field("H"),
                    max: None,
                },
            )],
        }),
        ext(
            "d",
            idx(call(ScalarFn::Split, vec![field("st"), s(".")]), 0),
        ),
    ]);
    assert_eq!(declined(query)[0].0, "B013");
}

#[test]
fn make_set_elements_by_position_are_noted() {
    let set = stage(StageKind::Aggregate {
        by: vec![key("B")],
        aggs: vec![agg(
            "s",
            AggFunc::MakeSet {
                expr: field("A"),
                max: None,
            },
        )],
    });
    let (t, notes) = approx(q(vec![
        set.clone(),
        ext("f", segs("s", vec![ix(0), k("id")], false)),
    ]));
    assert!(
        t.ends_with("| eval f=json_extract(mvindex(s, 0), \"id\")\n"),
        "{t}"
    );
    assert_eq!(
        notes,
        vec![(5, 9, Effect::Values), (80, 90, Effect::Values)]
    );
    let query = q(vec![set, ext("f", segs("s", vec![k("id")], false))]);
    assert_eq!(declined(query), vec![("B013", 5, 9)]);
}

#[test]
fn a_member_of_a_string_column_is_declined() {
    // Issue 11 class 4: `FileName` is a string column of DeviceProcessEvents (JSON text at
    // most): KQL has no member of a string, Splunk's JSON extraction no field for it.
    let query = q(vec![ext("x", segs("FileName", vec![k("a")], false))]);
    assert_eq!(declined(query), vec![("B013", 5, 9)]);
    // parse_json(FileName).a reads the text: json_extract from the event's JSON.
    let t = text(q(vec![ext("x", segs("FileName", vec![k("a")], true))]));
    assert!(
        t.ends_with("| eval x=json_extract(json_extract(_raw, \"FileName\"), \"a\")\n"),
        "{t}"
    );
}

#[test]
fn a_projected_dynamic_column_is_read_as_json_text() {
    // Issue 15 class 7: Splunk's JSON extraction names only leaves (`LocationDetails.city`), so
    // a projected dynamic column is read from the event.
    let mut query = q(vec![project(&["LocationDetails", "UserPrincipalName"])]);
    query.source.kind = SourceKind::Table("SigninLogs".into());
    let (t, notes) = approx(query);
    assert!(
        t.ends_with(
            "| eval LocationDetails=json_extract(_raw, \"LocationDetails\")\n| table LocationDetails UserPrincipalName\n"
        ),
        "{t}"
    );
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].2, Effect::Values);
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
