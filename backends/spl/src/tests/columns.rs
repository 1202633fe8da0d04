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
fn a_join_right_side_keeps_raw_for_its_own_reads_and_drops_it_at_its_end() {
    // arg_max(t, *) in a right side: its `table … *` keeps `_raw` for the path read after it,
    // and the subsearch ends without it, so the left rows keep their own event.
    let (t, _) = approx(ir_of(
        "SigninLogs | join kind=inner (DeviceInfo \
         | summarize arg_max(TimeGenerated, *) by DeviceId \
         | extend U = tostring(LoggedOnUsers[0].UserName)) on $left.UserId == $right.U \
         | project UserId, DeviceId",
    ));
    insta::assert_snapshot!(t, @r#"
    search index=* sourcetype="SigninLogs"
    | fillnull value="" UserId
    | join type=inner max=0 UserId
        [search index=* sourcetype="DeviceInfo"
        | fillnull value="" DeviceId
        | where isnotnull(_time)
        | sort 0 -_time
        | dedup DeviceId
        | table DeviceId _time * _raw
        | eval U=json_extract(_raw, "LoggedOnUsers{0}.UserName")
        | fields - _raw
        | eval UserId=U
        | fillnull value="" UserId]
    | table UserId DeviceId
    "#);
}

#[test]
fn a_left_column_is_read_from_the_left_event_after_a_join_that_drops_the_right_raw() {
    // The right rows' `_raw` would replace the left event's: the subsearch removes it when a
    // later stage reads the left event.
    let (t, _) = approx(ir_of(
        "BehaviorAnalytics | join kind=inner (SigninLogs | where ResultType == \"0\") \
         on $left.SourceRecordId == $right._ItemId | project UserName, UsersInsights",
    ));
    insta::assert_snapshot!(t, @r#"
    search index=* sourcetype="BehaviorAnalytics"
    | fillnull value="" SourceRecordId
    | join type=inner max=0 SourceRecordId
        [search index=* sourcetype="SigninLogs" ResultType="0"
        | where ResultType=="0"
        | fields - _raw
        | eval SourceRecordId=_ItemId
        | fillnull value="" SourceRecordId]
    | eval UsersInsights=json_extract(_raw, "UsersInsights")
    | table UserName UsersInsights _raw
    | fields - _raw
    "#);
    // A column only the right rows have is not read from the left event's `_raw`.
    let d = declined(ir_of(
        "BehaviorAnalytics | join kind=inner (AuditLogs) on $left.SourceRecordId == $right._ItemId \
         | mv-expand TargetResources",
    ));
    assert_eq!(d.iter().map(|x| x.0).collect::<Vec<_>>(), vec!["B013"]);
    // A right column the core follows (projected there) is not read from the left event's
    // `_raw` either, though the left rows keep theirs.
    let d = declined(ir_of(
        "SigninLogs | lookup kind=leftouter (IdentityInfo \
         | summarize arg_max(TimeGenerated, *) by AccountUPN | project AccountUPN, AssignedRoles) \
         on $left.UserPrincipalName == $right.AccountUPN | extend n = array_length(AssignedRoles)",
    ));
    assert_eq!(d.iter().map(|x| x.0).collect::<Vec<_>>(), vec!["B013"]);
    // The same after a right side whose arg_max(t, *) keeps every column unnamed.
    let d = declined(ir_of(
        "SigninLogs | join (AuditLogs | summarize arg_max(TimeGenerated, *) by CorrelationId) \
         on CorrelationId | extend v = tostring(TargetResources[0].id)",
    ));
    assert_eq!(d.iter().map(|x| x.0).collect::<Vec<_>>(), vec!["B013"]);
}

#[test]
fn a_subquery_keeps_raw_for_its_own_reads() {
    let (t, _) = approx(ir_of(
        "SigninLogs | where UserId in ((IdentityInfo \
         | summarize arg_max(TimeGenerated, *) by AccountObjectId \
         | mv-expand AssignedRoles | where AssignedRoles == \"Global Administrator\" \
         | project AccountObjectId))",
    ));
    insta::assert_snapshot!(t, @r#"
    search index=* sourcetype="SigninLogs"
    | eval kqlport_sq3=md5(coalesce(UserId, ""))
    | search
        [search index=* sourcetype="IdentityInfo"
        | fillnull value="" AccountObjectId
        | where isnotnull(_time)
        | sort 0 -_time
        | dedup AccountObjectId
        | table AccountObjectId _time * _raw
        | eval __kqlport_m1j=json_extract(_raw, "AssignedRoles"), __kqlport_m1v=json_array_to_mv(__kqlport_m1j), __kqlport_m1n=case(isnull(__kqlport_m1j), 1, isnotnull(__kqlport_m1v), mvcount(__kqlport_m1v), match(__kqlport_m1j, "^\\s*\\["), 0, true(), 1), __kqlport_m2n=__kqlport_m1n
        | where __kqlport_m2n > 0
        | eval __kqlport_m2i=mvrange(0, __kqlport_m2n)
        | mvexpand __kqlport_m2i
        | eval AssignedRoles=case(isnull(__kqlport_m1j), null(), isnotnull(__kqlport_m1v), mvindex(__kqlport_m1v, __kqlport_m2i), match(__kqlport_m1j, "^\\s*\\["), null(), __kqlport_m2i==0, __kqlport_m1j, true(), null())
        | fields - __kqlport_m1j __kqlport_m1v __kqlport_m1n __kqlport_m2n __kqlport_m2i
        | where AssignedRoles=="Global Administrator"
        | table AccountObjectId _raw
        | eval kqlport_sq3=md5(coalesce(AccountObjectId, ""))
        | where isnotnull(kqlport_sq3)
        | dedup kqlport_sq3
        | fields kqlport_sq3]
    | fields - kqlport_sq3
    "#);
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
