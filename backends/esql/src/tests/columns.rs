//! Column stages: extend, project (and its variants), identifiers, sort/top/take/distinct/count
//! and the row cap of `take`.

use super::*;

#[test]
fn extend_with_strcat_iff_and_paths() {
    let q = query(
        "SigninLogs",
        vec![stage(StageKind::Extend(vec![
            assign(
                "Who",
                call(
                    ScalarFn::StrCat,
                    vec![field("UserPrincipalName"), string("@"), field("IPAddress")],
                ),
            ),
            assign("Lower", call(ScalarFn::ToLower, vec![field("Who")])),
            assign(
                "Risky",
                e(ExprKind::Case {
                    branches: vec![(sm("RiskLevel", Equals, CS, &["high"]), long(1))],
                    otherwise: Box::new(long(0)),
                }),
            ),
            assign("Os", path("DeviceDetail", &["operatingSystem"], false)),
            assign(
                "Flag",
                e(ExprKind::Predicate(Box::new(sm(
                    "AppDisplayName",
                    Term,
                    CI,
                    &["azure"],
                )))),
            ),
        ]))],
    );
    // strcat converts each part with TO_STRING (CONCAT takes strings only); both parts are
    // strings, which TO_STRING writes as KQL does, so there is no note (a datetime or real
    // part would get one: `strcat_of_a_datetime_is_noted`).
    let t = run(&q).expect("translated");
    assert_eq!(t.fidelity, Fidelity::Exact);
    assert_eq!(
        t.text,
        "FROM SigninLogs\n\
         | EVAL Who = CONCAT(COALESCE(TO_STRING(UserPrincipalName), \"\"), \"@\", COALESCE(TO_STRING(IPAddress), \"\")), \
         Lower = TO_LOWER(Who), Risky = CASE(RiskLevel == \"high\", 1, 0), Os = DeviceDetail.operatingSystem, \
         Flag = CASE(TO_LOWER(AppDisplayName) RLIKE \"(.*[^A-Za-z0-9])?(azure)([^A-Za-z0-9].*)?\", TRUE, \
         AppDisplayName IS NULL OR TO_LOWER(AppDisplayName) NOT RLIKE \"(.*[^A-Za-z0-9])?(azure)([^A-Za-z0-9].*)?\", FALSE, NULL)\n\
         | LIMIT 10000\n"
    );
}

#[test]
fn project_family() {
    assert_eq!(
        exact(&query(
            "T",
            vec![stage(StageKind::Project(vec![
                assign("TimeGenerated", field("TimeGenerated")),
                assign("Account", field("AccountName")),
                assign("Len", call(ScalarFn::Strlen, vec![field("CommandLine")])),
            ]))]
        )),
        "FROM T\n| EVAL Account = AccountName, Len = LENGTH(COALESCE(CommandLine, \"\"))\n| KEEP TimeGenerated, Account, Len\n| LIMIT 10000\n"
    );
    let pat = |s: &str| ColumnPattern {
        pattern: s.into(),
        span: sp(0, 0),
    };
    assert_eq!(
        exact(&query(
            "T",
            vec![
                stage(StageKind::ProjectAway(vec![pat("Extra*"), pat("Raw")])),
                stage(StageKind::Rename(vec![(col("Host"), col("DeviceName"))])),
                stage(StageKind::Reorder(vec![pat("Host")])),
                stage(StageKind::ProjectKeep(vec![pat("Host"), pat("Time*")])),
            ]
        )),
        "FROM T\n| DROP Extra*, Raw\n| RENAME DeviceName AS Host\n| KEEP Host, *\n| KEEP Host, Time*\n| LIMIT 10000\n"
    );
}

#[test]
fn project_swap_is_declined() {
    let d = declined(&query(
        "T",
        vec![stage(StageKind::Project(vec![
            assign("a", field("b")),
            assign("b", field("a")),
        ]))],
    ));
    assert_eq!(d[0].code.as_str(), "B009");
}

#[test]
fn identifiers_are_quoted_when_needed() {
    assert_eq!(Ident("ProcessName").to_string(), "ProcessName");
    assert_eq!(Ident("@timestamp").to_string(), "@timestamp");
    assert_eq!(Ident("a.b_c").to_string(), "a.b_c");
    assert_eq!(Ident("by").to_string(), "`by`");
    assert_eq!(Ident("Count").to_string(), "Count");
    assert_eq!(Ident("a b").to_string(), "`a b`");
    assert_eq!(Ident("we`ird").to_string(), "`we``ird`");
    assert_eq!(Ident("1st").to_string(), "`1st`");
    assert_eq!(
        where_of(sm("Process Name", Equals, CS, &["x"])),
        "`Process Name` == \"x\""
    );
}

#[test]
fn strcat_of_one_part_is_not_a_one_argument_concat() {
    let q = query(
        "T",
        vec![stage(StageKind::Extend(vec![
            assign("a", call(ScalarFn::StrCat, vec![string("x")])),
            assign("b", call(ScalarFn::StrCat, vec![field("Port")])),
        ]))],
    );
    assert_eq!(
        exact(&q),
        "FROM T\n| EVAL a = \"x\", b = COALESCE(TO_STRING(Port), \"\")\n| LIMIT 10000\n"
    );
}

#[test]
fn sort_top_take_distinct_count() {
    let k = |dir, nulls| SortKey {
        expr: field("TimeGenerated"),
        dir,
        nulls,
    };
    assert_eq!(
        exact(&query(
            "T",
            vec![stage(StageKind::Sort(vec![
                k(SortDir::Desc, Nulls::Last),
                k(SortDir::Asc, Nulls::First)
            ]))]
        )),
        "FROM T\n| SORT TimeGenerated DESC NULLS LAST, TimeGenerated ASC NULLS FIRST\n| LIMIT 10000\n"
    );
    assert_eq!(
        exact(&query(
            "T",
            vec![stage(StageKind::Top {
                n: 10,
                key: k(SortDir::Desc, Nulls::Last)
            })]
        )),
        "FROM T\n| SORT TimeGenerated DESC NULLS LAST\n| LIMIT 10\n"
    );
    insta::assert_snapshot!(esql_of(r#"T | take 5"#), @"
FROM T
| LIMIT 5
");
    assert_eq!(
        exact(&query("T", vec![stage(StageKind::Count)])),
        "FROM T\n| STATS Count = COUNT(*)\n| LIMIT 10000\n"
    );
    let t = run(&query(
        "T",
        vec![stage(StageKind::Distinct(vec![col("A"), col("B")]))],
    ))
    .expect("ok");
    assert_eq!(t.text, "FROM T\n| STATS BY A, B\n| LIMIT 10000\n");
    assert_eq!(notes(&t).len(), 2);
}

#[test]
fn take_above_the_cap_is_noted() {
    let t = run(&query(
        "T",
        vec![Stage {
            kind: StageKind::Limit(50_000),
            span: sp(4, 14),
        }],
    ))
    .expect("ok");
    assert_eq!(t.text, "FROM T\n| LIMIT 50000\n| LIMIT 10000\n");
    assert_eq!(notes(&t)[0].0, sp(4, 14));
    assert_eq!(notes(&t)[0].1, Effect::UnderMatch);
}

#[test]
fn backend_name() {
    assert_eq!(Esql.name(), "esql");
}

#[test]
fn a_column_named_like_a_let_is_the_column() {
    // inside the pipeline `Alert1` is the column the let's own `extend` made (Kusto's rule: a
    // column of the rows shadows a `let`), and `Hits` the count, not the scalar `let`
    insta::assert_snapshot!(esql_of(
        "let Alert1 = T | extend Alert1 = tolower(A); Alert1 | where Alert1 startswith 'adm'"
    ), @r#"
        FROM T
        | EVAL Alert1 = TO_LOWER(A)
        | WHERE STARTS_WITH(TO_LOWER(Alert1), "adm")
        | LIMIT 10000
        "#);
    insta::assert_snapshot!(esql_of(
        "let Hits = 100; T | summarize Hits = count() | where Hits >= 2"
    ), @r#"
        FROM T
        | STATS Hits = COUNT(*)
        | WHERE Hits >= 2
        | LIMIT 10000
        "#);
}
