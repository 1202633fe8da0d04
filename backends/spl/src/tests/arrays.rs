//! Arrays: make_set results, split arrays as multivalues (mvindex) or JSON text, array_length,
//! strcat_array.

use super::*;

fn is_set(f: &str) -> Predicate {
    p(PredicateKind::IsEmpty {
        expr: field(f),
        negated: true,
    })
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

fn idx(base: Expr, i: i64) -> Expr {
    Expr {
        kind: ExprKind::Path {
            base: Box::new(base),
            path: vec![ix(i)],
        },
        span: sp(20, 29),
    }
}

#[test]
fn tostring_of_a_make_set_result_is_noted() {
    // KQL's tostring() of an array is JSON text; Splunk keeps the multivalue field.
    let (t, notes) = approx(q(vec![
        stage(StageKind::Aggregate {
            by: vec![key("D")],
            aggs: vec![agg(
                "s",
                AggFunc::MakeSet {
                    expr: field("U"),
                    max: None,
                },
            )],
        }),
        ext("j", call(ScalarFn::ToString, vec![field("s")])),
    ]));
    assert!(t.ends_with("| eval j=s\n"), "{t}");
    // The tostring note, and the one-element-set note of values().
    assert_eq!(
        notes,
        vec![(30, 40, Effect::Values), (80, 90, Effect::Values)]
    );
}

#[test]
fn array_length_of_make_set_results() {
    let t = text_sets(q(vec![
        stage(StageKind::Aggregate {
            by: vec![key("D")],
            aggs: vec![agg(
                "s",
                AggFunc::MakeSet {
                    expr: field("U"),
                    max: None,
                },
            )],
        }),
        ext("n", call(ScalarFn::ArrayLength, vec![field("s")])),
    ]));
    assert!(t.ends_with("| eval n=coalesce(mvcount(s), 0)\n"), "{t}");
    // Anything else than an array-valued column or a path (a call) is declined.
    let query = q(vec![ext(
        "n",
        call(
            ScalarFn::ArrayLength,
            vec![call(ScalarFn::ToLower, vec![field("s")])],
        ),
    )]);
    assert_eq!(declined(query), vec![("B014", 30, 40)]);
}

#[test]
fn split_arrays_are_multivalues_indexed_with_mvindex() {
    // Assigned whole, then indexed (negative from the end), copied, reassigned from itself.
    let t = text(q(vec![
        ext(
            "parts",
            call(ScalarFn::Split, vec![field("Name"), string(".")]),
        ),
        stage(StageKind::Extend(vec![
            assign("first", segs("parts", vec![ix(0)], false)),
            assign(
                "parts",
                call(
                    ScalarFn::Split,
                    vec![segs("parts", vec![ix(-1)], false), string(":")],
                ),
            ),
            assign("last", segs("parts", vec![ix(-1)], false)),
        ])),
        stage(StageKind::ProjectAway(vec![ColumnPattern {
            pattern: "parts".into(),
            span: s0(),
        }])),
    ]));
    assert_eq!(
        tail(&t),
        "| eval parts=split(coalesce(Name, \"\"), \".\")\n\
         | eval first=mvindex(parts, 0), parts=split(coalesce(mvindex(parts, -1), \"\"), \":\"), \
         last=mvindex(parts, -1)\n\
         | fields - parts"
    );
    // split(x, d, k) holds only element k: its [0] is element k, other indexes are null.
    let three = |i| {
        idx(
            call(ScalarFn::Split, vec![field("U"), string("/"), long(1)]),
            i,
        )
    };
    let t = text(q(vec![stage(StageKind::Extend(vec![
        assign("a", three(0)),
        assign("b", three(1)),
    ]))]));
    assert_eq!(
        tail(&t),
        "| eval a=mvindex(split(coalesce(U, \"\"), \"/\"), 1), b=null()"
    );
    // tostring of an element is the element (no formatting note).
    let t = text(q(vec![ext(
        "x",
        call(
            ScalarFn::ToString,
            vec![idx(
                call(ScalarFn::Split, vec![field("U"), string("/")]),
                -1,
            )],
        ),
    )]));
    assert_eq!(
        tail(&t),
        "| eval x=mvindex(split(coalesce(U, \"\"), \"/\"), -1)"
    );
}

#[test]
fn split_arrays_at_a_computed_integer_index() {
    // mvindex counts from 0, negative from the end, null out of range or for a null index, as
    // KQL's index does: a computed integer index reads the same element.
    let t = spl_tail_of(
        r#"T | extend p = split(Name, ".") | extend n = array_length(p) - 1 | extend a = tostring(p[n]), b = tostring(p[array_length(p) - 3])"#,
    );
    assert!(
        t.contains("a=mvindex(p, n), b=mvindex(p, coalesce(mvcount(p), 1) - 3)"),
        "{t}"
    );
}

#[test]
fn split_arrays_elsewhere_are_declined() {
    let whole = call(ScalarFn::Split, vec![field("U"), string(",")]);
    // split(x, d, k) as a whole array, k computed at query time.
    let query = q(vec![ext(
        "x",
        call(ScalarFn::Split, vec![field("U"), string(","), field("V")]),
    )]);
    assert_eq!(declined(query)[0].0, "B014");
    // A split column compared, grouped by or sorted.
    let arr = ext("arr", whole);
    let query = q(vec![arr.clone(), filter(sm("arr", Equals, CS, &["a"]))]);
    assert_eq!(declined(query)[0].0, "B013");
    let query = q(vec![
        arr.clone(),
        stage(StageKind::Aggregate {
            by: vec![key("arr")],
            aggs: vec![agg("n", AggFunc::Count)],
        }),
    ]);
    assert_eq!(declined(query)[0].0, "B013");
    let query = q(vec![
        arr,
        stage(StageKind::Sort(vec![SortKey {
            expr: field("arr"),
            dir: SortDir::Asc,
            nulls: Nulls::First,
        }])),
    ]);
    assert_eq!(declined(query)[0].0, "B013");
    // An empty delimiter.
    let query = q(vec![ext(
        "arr",
        call(ScalarFn::Split, vec![field("U"), string("")]),
    )]);
    assert_eq!(declined(query)[0].0, "B014");
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
            vec![call(ScalarFn::Split, vec![field("U"), string(",")])],
        ),
    )]));
    assert_eq!(
        tail(&t),
        "| eval n=coalesce(mvcount(split(coalesce(U, \"\"), \",\")), 1)"
    );
}

#[test]
fn split_arrays_inside_other_values_are_json_text() {
    let (t, notes) = approx(q(vec![
        ext(
            "D",
            case1(
                is_set("W"),
                call(ScalarFn::Split, vec![field("W"), string(",")]),
                string("unknown"),
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
                    call(ScalarFn::Split, vec![field("Q"), string(", ")]),
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
        ext(
            "parts",
            call(ScalarFn::Split, vec![field("U"), string("/")]),
        ),
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
                        call(ScalarFn::Split, vec![field("User"), string(".")]),
                        long(1),
                        long(-1),
                    ],
                ),
                string("."),
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
            vec![
                call(ScalarFn::Split, vec![field("User"), string(".")]),
                string("-"),
            ],
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
                        call(ScalarFn::Split, vec![field("User"), string(".")]),
                        long(0),
                        long(2),
                    ],
                ),
                string("."),
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
            idx(call(ScalarFn::Split, vec![field("st"), string(".")]), 0),
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
fn a_split_column_kept_by_arg_max_star_is_read_as_a_plain_field_after_stats() {
    // The column facts keep `parts` a split array through `arg_max(t, *)` (as KQL does); SPL
    // reads it as a plain field after `stats`, as before the facts: the test on it is
    // translated, not declined as a whole-array use (B013).
    let out = run(ir_of(
        "SecurityEvent | extend parts = split(CommandLine, ' ') \
         | summarize arg_max(TimeGenerated, *) by Computer | where parts has 'x'",
    ));
    let (spl, _) = out.expect("translated, not declined");
    assert!(spl.contains("| where ") && spl.contains("parts"), "{spl}");
}

#[test]
fn mv_apply_summarize_numbers_rows_and_groups_them_back() {
    // Each row numbered (`streamstats count`), the expansion keeping a row with no element as
    // one position past the end (null item, null index), `eventstats … by` the row number and
    // `dedup` of it: one row out per row in, as KQL's summarize without `by` gives.
    let kql = "SigninLogs | mv-apply P = ConditionalAccessPolicies on (where tostring(P.result) == 'failure' \
               | summarize Failed = count(), Policy = take_anyif(tostring(P.displayName), tostring(P.enforced) == 'yes')) \
               | project UserPrincipalName, Failed, Policy";
    let (t, notes) = approx(ir_of(kql));
    insta::assert_snapshot!(tail(&t), @r#"
    | streamstats count AS __kqlport_agg_mvrow0
    | eval __kqlport_m1j=json_extract(_raw, "ConditionalAccessPolicies"), __kqlport_m1v=json_array_to_mv(__kqlport_m1j), __kqlport_m1n=case(isnull(__kqlport_m1j), 1, isnotnull(__kqlport_m1v), mvcount(__kqlport_m1v), match(__kqlport_m1j, "^\\s*\\["), 0, true(), 1), __kqlport_m2n=__kqlport_m1n
    | eval __kqlport_m2i=mvrange(0, max(__kqlport_m2n, 1))
    | mvexpand __kqlport_m2i
    | eval P=case(isnull(__kqlport_m1j), null(), isnotnull(__kqlport_m1v), mvindex(__kqlport_m1v, __kqlport_m2i), match(__kqlport_m1j, "^\\s*\\["), null(), __kqlport_m2i==0, __kqlport_m1j, true(), null()), __kqlport_agg_mvindex1=if(__kqlport_m2i < __kqlport_m2n, __kqlport_m2i, null())
    | fields - __kqlport_m1j __kqlport_m1v __kqlport_m1n __kqlport_m2n __kqlport_m2i
    | fillnull value="" __kqlport_agg_mvrow0
    | eventstats count(eval(isnotnull(__kqlport_agg_mvindex1) AND json_extract(P, "result")=="failure")) AS Failed first(eval(if(isnotnull(__kqlport_agg_mvindex1) AND json_extract(P, "result")=="failure", if(json_extract(P, "enforced")=="yes", json_extract(P, "displayName"), null()), null()))) AS Policy by __kqlport_agg_mvrow0
    | dedup __kqlport_agg_mvrow0
    | table __kqlport_agg_mvrow0 Failed Policy *
    | fields - __kqlport_agg_mvrow0 __kqlport_agg_mvindex1 P
    | table UserPrincipalName Failed Policy
    "#);
    // the memory cap (rows) and what an element is (values only: every row comes out once);
    // lowering adds its own note on an empty array
    let effects: Vec<Effect> = notes.iter().map(|n| n.2).collect();
    assert_eq!(
        effects,
        [Effect::UnderMatch, Effect::Values, Effect::Values]
    );
}

#[test]
fn stdev_is_splunks_sample_stdev_noted_for_one_value() {
    let (t, notes) = approx(ir_of(
        "SigninLogs | summarize s = stdev(toint(ResultType)) by AppDisplayName",
    ));
    assert!(
        t.contains("| stats stdev(eval(tonumber(ResultType))) AS s by AppDisplayName"),
        "{t}"
    );
    assert!(notes.iter().all(|n| n.2 == Effect::Values));
}

#[test]
fn extract_all_of_one_group_is_rex_max_match_with_only_that_group() {
    // The second of two groups: the first made non-capturing (no field of its own), `\d` as
    // RE2's ASCII class; the text's missing value as "" (no match, no field: KQL's null).
    assert_eq!(
        spl_tail_of(
            r#"SecurityEvent | extend V = extract_all(@"(?P<k>[a-z]+)=(?P<v>\d+)", dynamic(["v"]), Account) | extend J = strcat_array(V, "|")"#
        ),
        "| eval __kqlport_m1s=coalesce(Account, \"\")\n\
         | rex field=__kqlport_m1s \"(?:[a-z]+)=(?<kqlport_rexm1>[0-9]+)\" max_match=0\n\
         | eval V=kqlport_rexm1\n\
         | fields - __kqlport_m1s kqlport_rexm1\n\
         | eval J=mvjoin(V, \"|\")",
    );
}

#[test]
fn extract_all_is_declined_where_its_group_can_be_empty_or_it_is_read_otherwise() {
    let q = r#"SecurityEvent | extend V = extract_all(@"Se(.*?)Privilege", Account) | extend J = strcat_array(V, "|")"#;
    assert_eq!(declined(ir_of(q))[0].0, "B019");
    let q = r#"SecurityEvent | extend V = extract_all(@"(\d+)", Account) | where V has "1""#;
    assert_eq!(declined(ir_of(q))[0].0, "B013");
    let q =
        r#"SecurityEvent | extend V = extract_all(@"(\d+)", Account) | extend W = tostring(V[0])"#;
    assert_eq!(declined(ir_of(q))[0].0, "B013");
    let q = r#"SecurityEvent | where strcat_array(extract_all(@"(\d+)", Account), "") == "1""#;
    assert_eq!(declined(ir_of(q))[0].0, "B014");
}

#[test]
fn a_copy_of_an_event_array_is_expanded_from_the_event_json() {
    // `extend x = X` of a dynamic field: Splunk extracts an array's values as `X{}`, so the
    // copy's field has none; the expansion reads X from the event, as `mv-expand X` does.
    let (text, _) = run(ir_of(
        "AWSGuardDuty | extend R = ResourceDetails | mv-expand R",
    ))
    .unwrap();
    assert!(
        text.contains("| eval R=ResourceDetails\n| eval __kqlport_m1j=json_extract(_raw, \"ResourceDetails\"), "),
        "{text}"
    );
}

#[test]
fn dynamic_null_is_null() {
    // `dynamic(null)` is the null value: its array_length is null, never 2 (approximate for
    // the split array's JSON text)
    let (t, _) = approx(ir_of(
        "T | extend k = iff(c == 1, dynamic(null), split(a, '/')) | where array_length(k) == 2",
    ));
    insta::assert_snapshot!(tail(&t), @r#"
        | eval k=if(c==1, null(), mv_to_json_array(split(coalesce(a, ""), "/")))
        | where if(json_valid(k) AND match(k, "^\\s*\\["), coalesce(mvcount(json_array_to_mv(k)), 0), null())==2
        "#);
}

#[test]
fn set_functions_of_split_arrays_are_multivalue_operations() {
    // set_difference: each value of the first array marked by whether mvfind finds it (escaped
    // at run time, anchored by ^ and \z) among the second's, kept by mvfilter, unmarked, deduped.
    insta::assert_snapshot!(spl_tail_of(
        r#"SecurityEvent | extend d = set_difference(split(Account, ";"), split(Computer, ";"))
           | where array_length(d) > 0"#
    ), @r#"
        | eval __kqlport_h1=split(coalesce(Account, ""), ";"), __kqlport_h2=split(coalesce(Computer, ""), ";"), __kqlport_h3=mvmap(__kqlport_h1, if(isnull(mvfind(__kqlport_h2, "^".replace(__kqlport_h1, "([^A-Za-z0-9])", "\\\\\\1")."\\z")), "+".__kqlport_h1, "-".__kqlport_h1)), __kqlport_h4=mvfilter(match(__kqlport_h3, "^\\+"))
        | eval d=mvdedup(mvmap(__kqlport_h4, substr(__kqlport_h4, 2)))
        | fields - __kqlport_h1 __kqlport_h2 __kqlport_h3 __kqlport_h4
        | where coalesce(mvcount(d), 0)>0
        "#);
    // set_union: all values once; array_concat: all values, in argument order.
    insta::assert_snapshot!(spl_tail_of(
        r#"SecurityEvent | extend u = set_union(split(Account, ";"), split(Computer, ";")),
             c = array_concat(split(Account, ";"), split(Computer, ";"))
           | where array_length(c) > array_length(u)"#
    ), @r#"
        | eval u=mvdedup(mvappend(split(coalesce(Account, ""), ";"), split(coalesce(Computer, ""), ";"))), c=mvappend(split(coalesce(Account, ""), ";"), split(coalesce(Computer, ""), ";"))
        | where coalesce(mvcount(c), 0)>coalesce(mvcount(u), 0)
        "#);
}

#[test]
fn set_intersect_of_a_make_set_column_tests_each_further_array_in_turn() {
    // (Noted only for make_set: a one-element set is a single value in Splunk.)
    let t = text_sets(ir_of(
        r#"SecurityEvent | summarize s = make_set(Account) by Computer
           | extend i = set_intersect(s, split(Computer, "."), s)
           | project Computer, n = array_length(i)"#,
    ));
    insta::assert_snapshot!(tail(&t), @r#"
        | fillnull value="" Computer
        | stats values(eval(coalesce(Account, ""))) AS s by Computer
        | eval __kqlport_h1=split(coalesce(Computer, ""), "."), __kqlport_h2=mvmap(s, if(isnull(mvfind(__kqlport_h1, "^".replace(s, "([^A-Za-z0-9])", "\\\\\\1")."\\z")), "-".s, "+".s)), __kqlport_h3=mvfilter(match(__kqlport_h2, "^\\+")), __kqlport_h4=mvmap(__kqlport_h3, substr(__kqlport_h3, 2)), __kqlport_h5=mvmap(__kqlport_h4, if(isnull(mvfind(s, "^".replace(__kqlport_h4, "([^A-Za-z0-9])", "\\\\\\1")."\\z")), "-".__kqlport_h4, "+".__kqlport_h4)), __kqlport_h6=mvfilter(match(__kqlport_h5, "^\\+"))
        | eval i=mvdedup(mvmap(__kqlport_h6, substr(__kqlport_h6, 2)))
        | fields - __kqlport_h1 __kqlport_h2 __kqlport_h3 __kqlport_h4 __kqlport_h5 __kqlport_h6
        | eval n=coalesce(mvcount(i), 0)
        | table Computer n
        "#);
}

#[test]
fn set_functions_are_declined_inside_expressions_and_of_other_arrays() {
    // Inside a comparison: a multivalue field would not behave as KQL's array.
    let q = r#"SecurityEvent | where array_length(set_union(split(Account, ";"), split(Computer, ";"))) > 1"#;
    assert_eq!(declined(ir_of(q))[0].0, "B014");
    // An extract_all array can be null; what the set functions do with null is not documented.
    let q = r#"SecurityEvent | extend x = extract_all(@"(\d+)", Account) | extend u = set_union(x, split(Computer, ";"))"#;
    assert_eq!(declined(ir_of(q))[0].0, "B014");
    // A make_set of numbers: Splunk's values are text.
    let q =
        "SecurityEvent | summarize s = make_set(EventID) by Computer | extend u = set_union(s, s)";
    assert_eq!(declined(ir_of(q))[0].0, "B014");
    // A dynamic event column is JSON text in Splunk, not a multivalue field.
    let q = "AWSGuardDuty | extend u = set_union(ResourceDetails, ResourceDetails)";
    assert_eq!(declined(ir_of(q))[0].0, "B014");
}

#[test]
fn split_at_an_index_as_a_whole_array_is_the_json_text_of_that_part() {
    // KQL: the array of the part at k, [] when there is none.
    let (t, notes) = approx(ir_of(
        r#"SecurityEvent | extend T = replace(@"\[|\]|\""", "", tostring(split(Account, ":", 1)))"#,
    ));
    assert!(notes.iter().all(|n| n.2 == Effect::Values), "{notes:?}");
    insta::assert_snapshot!(tail(&t), @r#"
        | eval __kqlport_h1=mvindex(split(coalesce(Account, ""), ":"), 1)
        | eval T=replace(coalesce(tostring(if(isnull(__kqlport_h1), "[]", mv_to_json_array(__kqlport_h1))), ""), "\\[|\\]|\\\"", "")
        | fields - __kqlport_h1
        "#);
    // A negative or computed index is declined.
    let q = r#"SecurityEvent | extend T = tostring(split(Account, ":", -1))"#;
    assert_eq!(declined(ir_of(q))[0].0, "B014");
    let q = r#"SecurityEvent | extend T = tostring(split(Account, ":", EventID))"#;
    assert_eq!(declined(ir_of(q))[0].0, "B014");
}
