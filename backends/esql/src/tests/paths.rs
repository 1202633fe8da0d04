//! Dynamic paths: JSON text read as object fields, array indexes as flattened multivalues, parsed
//! column spellings, whole parsed values.

use super::*;

#[test]
fn json_text_is_read_as_object_fields_with_notes() {
    let mut parsed = path("AdditionalFields", &["a", "Account Name"], true);
    parsed.span = sp(1, 5);
    let t = run(&query(
        "T",
        vec![stage(StageKind::Extend(vec![assign("a", parsed)]))],
    ))
    .unwrap();
    assert_eq!(
        t.text,
        "FROM T\n| EVAL a = `AdditionalFields.a.Account Name`\n| LIMIT 10000\n"
    );
    let n = notes(&t);
    assert_eq!(n.len(), 2);
    assert_eq!((n[0].0, n[1].0), (sp(1, 5), sp(1, 5)));
    let effects: Vec<Effect> = n.iter().map(|n| n.1).collect();
    assert!(effects.contains(&Effect::UnderMatch) && effects.contains(&Effect::OverMatch));
    assert!(n[0].2.contains("JSON_EXTRACT") && n[0].2.contains("as an object"));
}

#[test]
fn one_array_index_reads_the_flattened_multi_value() {
    let one = |i: i64| {
        indexed(
            "TargetResources",
            vec![PathSegment::Index(i), k("displayName")],
            false,
            sp(3, 9),
        )
    };
    let t = run(&query(
        "T",
        vec![stage(StageKind::Extend(vec![
            assign("a", one(0)),
            assign("b", one(2)),
            assign("c", one(-1)),
        ]))],
    ))
    .unwrap();
    assert_eq!(
        t.text,
        "FROM T\n| EVAL a = MV_FIRST(TargetResources.displayName), \
         b = MV_SLICE(TargetResources.displayName, 2), c = MV_SLICE(TargetResources.displayName, -1)\n\
         | LIMIT 10000\n"
    );
    let n = notes(&t);
    assert!(n.iter().all(|n| n.0 == sp(3, 9)));
    assert!(n.iter().any(|n| n.1 == Effect::UnderMatch));
    assert!(n.iter().any(|n| n.1 == Effect::OverMatch));
    assert!(n[0].2.contains("one-element array"));
    // In a predicate the picked value is tested with KQL's null rules as usual.
    let t = run(&query(
        "T",
        vec![filter(cmp(one(0), CmpOp::Eq, string("x")))],
    ))
    .unwrap();
    assert_eq!(
        t.text.lines().nth(1).unwrap(),
        "| WHERE COALESCE(MV_FIRST(TargetResources.displayName), \"\") == \"x\""
    );
}

#[test]
fn nested_array_indexes_read_the_flattened_field_with_notes() {
    let nested = |outer: i64, inner: i64| {
        indexed(
            "X",
            vec![
                PathSegment::Index(outer),
                k("m"),
                PathSegment::Index(inner),
                k("v"),
            ],
            false,
            sp(7, 9),
        )
    };
    // X[0].m[1].v: position 1 of the flattened X.m.v, exact only for one-element outer arrays.
    let t = run(&query(
        "T",
        vec![stage(StageKind::Extend(vec![assign("b", nested(0, 1))]))],
    ))
    .unwrap();
    assert_eq!(
        t.text,
        "FROM T\n| EVAL b = MV_SLICE(X.m.v, 1)\n| LIMIT 10000\n"
    );
    let n = notes(&t);
    let effects: Vec<_> = n.iter().map(|n| (n.0, n.1)).collect();
    assert_eq!(
        effects,
        vec![
            (sp(7, 9), Effect::UnderMatch),
            (sp(7, 9), Effect::OverMatch)
        ]
    );
    assert!(n[0].2.contains("X[0].m[1].v") && n[0].2.contains("each outer array has one element"));
    // X[1].m[0].v: the values of element 1 cannot be located in the flattened field.
    let d = declined(&query(
        "T",
        vec![stage(StageKind::Extend(vec![assign("b", nested(1, 0))]))],
    ));
    let codes: Vec<_> = d.iter().map(|d| (d.code.as_str(), d.span)).collect();
    assert_eq!(codes, vec![("B004", sp(7, 9))]);
}

#[test]
fn a_parsed_column_alias_reads_the_source_fields() {
    // extend j = parse_json(Claims) | where j.appid == "x" | extend n = tostring(j.name)
    // | project-away j
    let whole = indexed("Claims", vec![], true, sp(1, 2));
    let j_appid = indexed("j", vec![k("appid")], false, sp(3, 4));
    let j_name = indexed("j", vec![k("name")], false, sp(5, 6));
    let t = run(&query(
        "T",
        vec![
            stage(StageKind::Extend(vec![assign("j", whole)])),
            filter(cmp(j_appid, CmpOp::Eq, string("x"))),
            stage(StageKind::Extend(vec![assign("n", j_name)])),
            stage(StageKind::ProjectAway(vec![ColumnPattern {
                pattern: "j".into(),
                span: sp(7, 8),
            }])),
        ],
    ))
    .unwrap();
    assert_eq!(
        t.text,
        "FROM T\n| WHERE COALESCE(Claims.appid, \"\") == \"x\"\n| EVAL n = Claims.name\n| LIMIT 10000\n"
    );
    // The notes are at the paths that read the JSON text.
    let spans: Vec<Span> = notes(&t).iter().map(|n| n.0).collect();
    assert_eq!(spans, vec![sp(3, 4), sp(3, 4), sp(5, 6), sp(5, 6)]);
}

#[test]
fn a_whole_parsed_value_or_a_gone_source_is_declined() {
    let whole = || indexed("Claims", vec![], true, sp(1, 2));
    // project j (the whole object)
    let d = declined(&query(
        "T",
        vec![
            stage(StageKind::Extend(vec![assign("j", whole())])),
            stage(StageKind::Project(vec![assign(
                "j",
                indexed("j", vec![], false, sp(3, 4)),
            )])),
        ],
    ));
    assert_eq!((d[0].code.as_str(), d[0].span), ("B003", sp(3, 4)));
    // where parse_json(Claims) == "x"
    let d = declined(&query(
        "T",
        vec![filter(cmp(whole(), CmpOp::Eq, string("x")))],
    ));
    assert_eq!((d[0].code.as_str(), d[0].span), ("B003", sp(1, 2)));
    // extend j = parse_json(Claims) | project-away Claims | where j.a == "x"
    let d = declined(&query(
        "T",
        vec![
            stage(StageKind::Extend(vec![assign("j", whole())])),
            stage(StageKind::ProjectAway(vec![ColumnPattern {
                pattern: "Cl*".into(),
                span: sp(5, 6),
            }])),
            filter(cmp(
                indexed("j", vec![k("a")], false, sp(7, 8)),
                CmpOp::Eq,
                string("x"),
            )),
        ],
    ));
    assert_eq!((d[0].code.as_str(), d[0].span), ("B003", sp(7, 8)));
    // summarize by j
    let d = declined(&query(
        "T",
        vec![
            stage(StageKind::Extend(vec![assign("j", whole())])),
            stage(StageKind::Aggregate {
                by: vec![GroupKey {
                    name: col("j"),
                    kind: GroupKeyKind::Expr(indexed("j", vec![], false, sp(9, 10))),
                    operands: Default::default(),
                }],
                aggs: vec![],
            }),
        ],
    ));
    assert_eq!((d[0].code.as_str(), d[0].span), ("B003", sp(9, 10)));
}

#[test]
fn a_dynamic_path_alias_reads_through_to_the_source() {
    // extend u = InitiatedBy.user | where u.upn == "a"  ⇒  InitiatedBy.user.upn
    let t = exact(&query(
        "T",
        vec![
            stage(StageKind::Extend(vec![assign(
                "u",
                path("InitiatedBy", &["user"], false),
            )])),
            filter(cmp(path("u", &["upn"], false), CmpOp::Eq, string("a"))),
        ],
    ));
    assert_eq!(
        t,
        // The filter reads no column the EVAL assigns: it moves up to lead (`pushdown`).
        "FROM T\n| WHERE COALESCE(InitiatedBy.user.upn, \"\") == \"a\"\n| EVAL u = InitiatedBy.user\n| LIMIT 10000\n"
    );
}

#[test]
fn whole_parsed_json_in_sets_and_array_length() {
    let whole = indexed("Entities", vec![], true, sp(3, 9));
    let q = query(
        "T",
        vec![summarize(
            vec![key_expr("Host", field("Host"))],
            vec![agg(
                "E",
                AggFunc::MakeSet {
                    expr: whole.clone(),
                    max: None,
                },
            )],
        )],
    );
    let t = run(&q).unwrap();
    assert!(
        t.text.contains("STATS E = VALUES(Entities) BY Host"),
        "{}",
        t.text
    );
    assert!(notes(&t).iter().any(|n| n.2.contains("JSON text")));
    let len = call(ScalarFn::ArrayLength, vec![whole]);
    let t = run(&query("T", vec![filter(cmp(len, CmpOp::Eq, long(1)))])).unwrap();
    assert!(
        t.text.contains("WHERE MV_COUNT(Entities) == 1"),
        "{}",
        t.text
    );
    let effects: Vec<_> = notes(&t).iter().map(|n| n.1).collect();
    assert_eq!(effects, vec![Effect::UnderMatch, Effect::OverMatch]);
    // Anywhere else the whole value is still declined.
    let d = declined(&query(
        "T",
        vec![filter(cmp(
            indexed("Entities", vec![], true, sp(3, 9)),
            CmpOp::Eq,
            string("x"),
        ))],
    ));
    assert_eq!(d[0].code.as_str(), "B003");
}
