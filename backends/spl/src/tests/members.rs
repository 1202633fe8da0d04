//! String tests on the field Splunk's JSON extraction makes of a dynamic member (`X.a.b`) or
//! of a `dynamic` column: missing when the value is an array or an object.

use super::*;

fn member_test(f: Expr, kind: MatchKind, case: Case, values: &[&str], negated: bool) -> Predicate {
    Predicate {
        kind: PredicateKind::StrMatch(StrMatch {
            field: f,
            kind,
            case,
            values: values.iter().map(|v| v.to_string()).collect(),
            quantifier: Quantifier::Any,
            negated,
        }),
        span: sp(5, 30),
    }
}

fn on(table: &str, stages: Vec<Stage>) -> Query {
    let mut query = q(stages);
    query.source.kind = SourceKind::Table(table.into());
    query
}

/// The notes' messages.
fn messages(query: Query) -> Vec<String> {
    match run(query).expect("translates") {
        (_, Fidelity::Approximate(n)) => n.iter().map(|n| n.message.clone()).collect(),
        (t, Fidelity::Exact) => panic!("expected notes: {t}"),
    }
}

#[test]
fn positive_test_on_a_member_may_under_match() {
    let pr = member_test(path("X", &["a"], false), Term, CI, &["ab"], false);
    let (t, n) = approx(q(vec![filter(pr.clone())]));
    assert_eq!(
        tail(&t),
        "| where match('X.a', \"(?i)(^|[^A-Za-z0-9])ab($|[^A-Za-z0-9])\")"
    );
    assert_eq!(n, vec![(5, 30, Effect::UnderMatch)]);
    let m = messages(q(vec![filter(pr)]));
    assert!(
        m[0].contains("if `X.a` holds an array or an object")
            && m[0].contains("names an array's values `X.a{}`")
            && m[0].contains("the field `X.a` is missing"),
        "{}",
        m[0]
    );
}

#[test]
fn negated_test_on_a_member_may_over_match() {
    // `isnull(f) OR NOT …` keeps the row whose member is an array.
    let pr = member_test(path("X", &["a"], false), Contains, CS, &["x"], true);
    let (_, n) = approx(q(vec![filter(pr)]));
    assert_eq!(n, vec![(5, 30, Effect::OverMatch)]);
}

#[test]
fn equals_a_plain_value_is_false_in_kql_too() {
    // `["q"] == "q"` is false in KQL, and the missing field is not "q": no difference.
    for negated in [false, true] {
        let pr = member_test(path("X", &["a"], false), Equals, CS, &["q"], negated);
        text(q(vec![filter(pr)]));
    }
    // A value that looks like JSON text can equal the array's text in KQL.
    let pr = member_test(path("X", &["a"], false), Equals, CS, &["[\"q\"]"], false);
    let (_, n) = approx(q(vec![filter(pr)]));
    assert_eq!(n, vec![(5, 30, Effect::UnderMatch)]);
}

#[test]
fn tests_that_empty_satisfies_swap_the_direction() {
    // `X.a == ""`: the missing field passes, KQL's `["a"]` does not.
    let pr = member_test(path("X", &["a"], false), Equals, CS, &[""], false);
    let (_, n) = approx(q(vec![filter(pr.clone())]));
    assert_eq!(n, vec![(5, 30, Effect::OverMatch)]);
    let (_, n) = approx(q(vec![filter(not(pr))]));
    assert_eq!(n, vec![(5, 30, Effect::UnderMatch)]);
    let empty = Predicate {
        kind: PredicateKind::IsEmpty {
            expr: path("X", &["a"], false),
            negated: true,
        },
        span: sp(2, 4),
    };
    let (_, n) = approx(q(vec![filter(empty.clone())]));
    assert_eq!(n, vec![(2, 4, Effect::UnderMatch)]);
    let (_, n) = approx(q(vec![filter(not(empty))]));
    assert_eq!(n, vec![(2, 4, Effect::OverMatch)]);
}

#[test]
fn json_reads_and_scalar_columns_get_no_note() {
    // A parsed path is read with json_extract, which yields the array's JSON text, as in KQL.
    let pr = member_test(path("X", &["a"], true), Term, CI, &["ab"], false);
    let (t, f) = run(q(vec![filter(pr)])).expect("translates");
    assert!(t.contains("json_extract"), "{t}");
    if let Fidelity::Approximate(n) = f {
        assert!(n.iter().all(|n| !n.message.contains("holds an array")));
    }
    // A string column of the schema, in the base search and in where.
    text(q(vec![filter(member_test(
        field("ProcessCommandLine"),
        Contains,
        CI,
        &["x"],
        false,
    ))]));
    text(q(vec![filter(member_test(
        field("ProcessCommandLine"),
        Term,
        CI,
        &["x"],
        false,
    ))]));
}

#[test]
fn a_dynamic_column_is_noted_in_the_base_search_and_in_where() {
    let base = member_test(field("TargetResources"), Contains, CI, &["x"], false);
    let (t, n) = approx(on("AuditLogs", vec![filter(base)]));
    assert!(t.starts_with("search index=* sourcetype=\"AuditLogs\" TargetResources=\"*x*\""));
    assert_eq!(n, vec![(5, 30, Effect::UnderMatch)]);
    let negated = member_test(field("InitiatedBy"), Contains, CI, &["x"], true);
    let (_, n) = approx(on("AuditLogs", vec![filter(negated)]));
    assert_eq!(n, vec![(5, 30, Effect::OverMatch)]);
    let regex = member_test(field("TargetResources"), Term, CI, &["x"], false);
    let (t, n) = approx(on("AuditLogs", vec![filter(regex)]));
    assert!(t.contains("| where match(TargetResources"), "{t}");
    assert_eq!(n, vec![(5, 30, Effect::UnderMatch)]);
}

#[test]
fn in_an_extend_the_note_is_about_values() {
    let pr = member_test(path("X", &["a"], false), Term, CI, &["ab"], false);
    let flag = Expr {
        kind: ExprKind::Predicate(Box::new(pr)),
        span: s0(),
    };
    let (_, n) = approx(q(vec![stage(StageKind::Extend(vec![assign("f", flag)]))]));
    assert_eq!(n, vec![(5, 30, Effect::Values)]);
}

#[test]
fn a_column_assigned_a_member_carries_it() {
    let copy = call(ScalarFn::ToString, vec![path("X", &["Command"], false)]);
    let test = member_test(field("Command"), Term, CI, &["ab"], false);
    let (_, n) = approx(q(vec![
        stage(StageKind::Extend(vec![assign("Command", copy)])),
        filter(test.clone()),
    ]));
    assert!(n.contains(&(5, 30, Effect::UnderMatch)), "{n:?}");
    let m = messages(q(vec![
        stage(StageKind::Extend(vec![assign(
            "Command",
            path("X", &["Command"], false),
        )])),
        filter(test.clone()),
    ]));
    assert!(
        m.iter()
            .any(|m| m.contains("if `X.Command` holds an array")),
        "{m:?}"
    );
    // After a summarize the column is an aggregate's, not the member.
    let (t, f) = run(q(vec![
        stage(StageKind::Extend(vec![assign(
            "Command",
            path("X", &["Command"], false),
        )])),
        stage(StageKind::Aggregate {
            by: vec![],
            aggs: vec![agg("Command", AggFunc::Count)],
        }),
        filter(member_test(field("Command"), Term, CI, &["1"], false)),
    ]))
    .expect("translates");
    if let Fidelity::Approximate(n) = f {
        assert!(
            n.iter().all(|n| !n.message.contains("holds an array")),
            "{t}"
        );
    }
}

#[test]
fn a_member_column_keeps_its_note_through_project_until_a_stage_redefines_it() {
    let array_notes = |kql: &str| -> Vec<String> {
        match run(ir_of(kql)).expect("translates") {
            (_, Fidelity::Approximate(n)) => n
                .iter()
                .map(|n| n.message.clone())
                .filter(|m| m.contains("holds an array"))
                .collect(),
            (_, Fidelity::Exact) => Vec::new(),
        }
    };
    // `project` keeps the column as it is: still the member Splunk extracted as `DeviceDetail.browser`.
    let n = array_notes(
        "SigninLogs | extend b = tostring(DeviceDetail.browser) | project b | where b has \"edge\"",
    );
    assert_eq!(n.len(), 1, "{n:?}");
    assert!(n[0].contains("`DeviceDetail.browser`"), "{n:?}");
    // A renamed copy of a `dynamic` column is that column's field under the new name.
    let n = array_notes(
        "SigninLogs | project-rename D = DeviceDetail | extend d = D | where d has \"edge\"",
    );
    assert_eq!(n.len(), 1, "{n:?}");
    // A summarize that recomputes the column ends it.
    let n = array_notes(
        "SigninLogs | extend b = tostring(DeviceDetail.browser)
            | summarize b = take_any(AppDisplayName) by UserPrincipalName | where b has \"edge\"",
    );
    assert!(n.is_empty(), "{n:?}");
}
