//! Column stages: extend, project (and its variants), rename, sort/top/take/distinct/count, and
//! keeping `_raw` for event columns read after the rows were reshaped.

use super::*;

#[test]
fn extend_project_rename_away_reorder() {
    let t = text(q(vec![
        stage(StageKind::Extend(vec![
            assign(
                "Full",
                call(
                    ScalarFn::StrCat,
                    vec![
                        field("Domain"),
                        lit(Literal::String("\\".into())),
                        field("User"),
                    ],
                ),
            ),
            assign("Lower", call(ScalarFn::ToLower, vec![field("Full")])),
            assign(
                "Kind",
                Expr {
                    kind: ExprKind::Case {
                        branches: vec![(
                            sm("A", Term, CI, &["x"]),
                            lit(Literal::String("x".into())),
                        )],
                        otherwise: Box::new(lit(Literal::String("other".into()))),
                    },
                    span: s0(),
                },
            ),
            assign(
                "Sus",
                Expr {
                    kind: ExprKind::Predicate(Box::new(sm("B", Contains, CI, &["evil"]))),
                    span: s0(),
                },
            ),
            assign("Extra", path("AdditionalFields", &["a", "b"], false)),
            assign("Parsed", path("Raw", &["k"], true)),
        ])),
        stage(StageKind::Project(vec![
            assign("Timestamp", field("Timestamp")),
            assign("Full", field("Full")),
            assign("Len", call(ScalarFn::Strlen, vec![field("Full")])),
        ])),
        stage(StageKind::Rename(vec![(col("Who"), col("Full"))])),
        stage(StageKind::ProjectAway(vec![ColumnPattern {
            pattern: "Len*".into(),
            span: s0(),
        }])),
        stage(StageKind::Reorder(vec![ColumnPattern {
            pattern: "Who".into(),
            span: s0(),
        }])),
    ]));
    assert_eq!(
        tail(&t),
        "| eval Full=coalesce(Domain, \"\").\"\\\\\".coalesce(User, \"\"), Lower=lower(Full), \
         Kind=if(match(A, \"(?i)(^|[^A-Za-z0-9])x($|[^A-Za-z0-9])\"), \"x\", \"other\"), \
         Sus=if(match(B, \"(?i)evil\"), \"true\", \"false\"), \
         Extra=json_extract(_raw, \"AdditionalFields.a.b\"), Parsed=json_extract(json_extract(_raw, \"Raw\"), \"k\")\n\
         | eval Len=len(coalesce(Full, \"\"))\n\
         | table _time Full Len\n\
         | rename Full AS Who\n\
         | fields - Len*\n\
         | table Who *\n\
         | rename _time AS Timestamp"
    );
}

#[test]
fn project_with_swapped_columns_uses_helpers() {
    let t = text(q(vec![stage(StageKind::Project(vec![
        assign("a", field("b")),
        assign("b", field("a")),
    ]))]));
    assert_eq!(
        tail(&t),
        "| eval __kqlport_p1=b, __kqlport_p2=a\n| rename __kqlport_p1 AS a, __kqlport_p2 AS b\n| table a b"
    );
}

#[test]
fn sort_top_take_distinct_count() {
    let k = |n: &str, dir| SortKey {
        expr: field(n),
        dir,
        nulls: Nulls::default_for(dir),
    };
    let t = text(q(vec![
        stage(StageKind::Sort(vec![
            k("A", SortDir::Desc),
            k("B", SortDir::Asc),
        ])),
        stage(StageKind::Top {
            n: 10,
            key: k("C", SortDir::Desc),
        }),
        stage(StageKind::Limit(3)),
        stage(StageKind::Distinct(vec![col("A"), col("B")])),
        stage(StageKind::Count),
    ]));
    assert_eq!(
        tail(&t),
        "| eval __kqlport_null2=if(isnull(B), 1, 0)\n\
         | sort 0 -A, -__kqlport_null2, +B\n\
         | fields - __kqlport_null2\n\
         | eval __kqlport_null1=if(isnull(C), 1, 0)\n\
         | sort 0 +__kqlport_null1, -C\n\
         | head 10\n\
         | fields - __kqlport_null1\n\
         | head 3\n\
         | fillnull value=\"\" A B\n\
         | stats count AS __kqlport_n by A B\n\
         | table A B\n\
         | stats count AS Count"
    );
}

#[test]
fn unsupported_function_is_declined_at_its_span() {
    let query = q(vec![stage(StageKind::Extend(vec![assign(
        "x",
        call(ScalarFn::Extract, vec![]),
    )]))]);
    assert_eq!(declined(query), vec![("B014", 30, 40)]);
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
fn a_column_named_like_a_let_is_the_column() {
    // inside the pipeline `Alert1` is the column the let's own `extend` made (Kusto's rule: a
    // column of the rows shadows a `let`), and `Hits` the count, not the scalar `let`
    insta::assert_snapshot!(spl_tail_of(
        "let Alert1 = T | extend Alert1 = tolower(A); Alert1 | where Alert1 startswith 'adm'"
    ), @r#"
        | eval Alert1=lower(A)
        | where match(Alert1, "(?i)^adm")
        "#);
    insta::assert_snapshot!(spl_tail_of(
        "let Hits = 100; T | summarize Hits = count() by C | where Hits >= 2"
    ), @r#"
        | fillnull value="" C
        | stats count AS Hits by C
        | where Hits>=2
        "#);
}
