//! String tests on dynamic members (and `dynamic` columns) that may hold an array: KQL tests
//! the array's JSON text, ES|QL a multivalued field.

use super::*;

fn member_test(f: Expr, kind: MatchKind, case: Case, values: &[&str], negated: bool) -> Predicate {
    at(
        p(PredicateKind::StrMatch(StrMatch {
            field: f,
            kind,
            case,
            values: values.iter().map(|v| (*v).to_string()).collect(),
            quantifier: Quantifier::Any,
            negated,
        })),
        5,
        30,
    )
}

fn filtered(table: &str, pr: Predicate) -> Translation {
    run(&query(table, vec![filter(pr)])).expect("translated")
}

fn effects(t: &Translation) -> Vec<Effect> {
    notes(t).into_iter().map(|n| n.1).collect()
}

#[test]
fn has_on_a_member_notes_the_multivalued_null() {
    let t = filtered(
        "T",
        member_test(path("X", &["a"], false), Term, CI, &["ab"], false),
    );
    assert!(
        t.text
            .contains("TO_LOWER(X.a) RLIKE \"(.*[^A-Za-z0-9])?(ab)([^A-Za-z0-9].*)?\""),
        "{}",
        t.text
    );
    let n = notes(&t);
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(n[0].0, sp(5, 30));
    assert_eq!(n[0].1, Effect::UnderMatch);
    assert!(n[0].2.contains("if `X.a` holds an array"), "{}", n[0].2);
    assert!(
        n[0].2.contains("for which TO_LOWER returns null"),
        "{}",
        n[0].2
    );
}

#[test]
fn negated_test_on_a_member_under_matches_too() {
    // `X.a IS NULL OR NOT …` is null, not true, for a multivalued field.
    let t = filtered(
        "T",
        member_test(path("X", &["a"], false), Contains, CS, &["x"], true),
    );
    assert_eq!(effects(&t), vec![Effect::UnderMatch]);
    assert!(notes(&t)[0].2.contains("for which LIKE returns null"));
    // A negated test of JSON punctuation can hold on a one-element array read as its element.
    let t = filtered(
        "T",
        member_test(path("X", &["a"], false), Contains, CS, &["\""], true),
    );
    assert_eq!(effects(&t), vec![Effect::UnderMatch, Effect::OverMatch]);
}

#[test]
fn positive_equals_on_a_member_can_over_match_a_one_element_array() {
    let t = filtered(
        "T",
        member_test(path("X", &["a"], false), Equals, CS, &["q"], false),
    );
    assert!(t.text.contains("X.a == \"q\""), "{}", t.text);
    assert_eq!(effects(&t), vec![Effect::UnderMatch, Effect::OverMatch]);
    assert!(notes(&t)[0].2.contains("for which == returns null"));
    assert!(notes(&t)[0]
        .2
        .contains("one-element array is read as its element"));
    // `!=`: KQL compares `["q"]`, true; ES|QL reads "q": only under-match.
    let t = filtered(
        "T",
        member_test(path("X", &["a"], false), Equals, CS, &["q"], true),
    );
    assert_eq!(effects(&t), vec![Effect::UnderMatch]);
}

#[test]
fn tostring_of_a_member_is_noted_once_per_test() {
    let t = filtered(
        "T",
        and(vec![
            member_test(
                call(ScalarFn::ToString, vec![path("X", &["Command"], false)]),
                Contains,
                CI,
                &["x"],
                false,
            ),
            at(
                member_test(path("X", &["Names"], false), Term, CI, &["ab"], false),
                40,
                60,
            ),
        ]),
    );
    let n: Vec<_> = notes(&t)
        .into_iter()
        .filter(|n| n.2.contains("holds an array"))
        .collect();
    assert_eq!(n.len(), 2, "{n:?}");
    assert!(n[0].2.contains("`X.Command`") && n[0].0 == sp(5, 30));
    assert!(n[1].2.contains("`X.Names`") && n[1].0 == sp(40, 60));
}

#[test]
fn scalar_columns_and_indexed_members_get_no_note() {
    // A plain column of a table not in the schema: assumed single-valued (lib.rs).
    let t = filtered("T", member_test(field("C"), Term, CI, &["ab"], false));
    assert_eq!(t.fidelity, Fidelity::Exact, "{}", t.text);
    // A string column of a known table.
    let t = filtered(
        "DeviceProcessEvents",
        member_test(field("ProcessCommandLine"), Term, CI, &["ab"], false),
    );
    assert_eq!(t.fidelity, Fidelity::Exact, "{}", t.text);
    // `X[0].a` is MV_FIRST, a single value (with its own note), not this one.
    let idx = e(ExprKind::Field(FieldPath {
        column: "X".into(),
        path: vec![PathSegment::Index(0), PathSegment::Key("a".into())],
        parsed: false,
    }));
    let t = filtered("T", member_test(idx, Term, CI, &["ab"], false));
    assert!(notes(&t).iter().all(|n| !n.2.contains("holds an array")));
}

#[test]
fn a_dynamic_column_of_the_schema_is_noted() {
    let t = filtered(
        "AuditLogs",
        member_test(field("TargetResources"), Contains, CI, &["x"], false),
    );
    let n = notes(&t);
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(n[0].1, Effect::UnderMatch);
    assert!(n[0]
        .2
        .contains("if `TargetResources` holds an array or an object"));
}

#[test]
fn isnotempty_of_a_member_under_matches() {
    let pr = at(
        p(PredicateKind::IsEmpty {
            expr: path("X", &["a"], false),
            negated: true,
        }),
        1,
        9,
    );
    let t = filtered("T", pr.clone());
    assert_eq!(effects(&t), vec![Effect::UnderMatch]);
    assert!(notes(&t)[0].2.contains("KQL's isnotempty is true"));
    // isempty: null where KQL is false for a non-empty array, so no row differs.
    let t = filtered("T", not(pr));
    assert_eq!(t.fidelity, Fidelity::Exact, "{}", t.text);
}

#[test]
fn in_an_extend_the_note_is_about_values() {
    let t = run(&query(
        "T",
        vec![stage(StageKind::Extend(vec![assign(
            "f",
            e(ExprKind::Predicate(Box::new(member_test(
                path("X", &["a"], false),
                Term,
                CI,
                &["ab"],
                false,
            )))),
        )]))],
    ))
    .expect("translated");
    assert_eq!(effects(&t), vec![Effect::Values]);
}

#[test]
fn a_column_assigned_a_member_carries_it() {
    let copy = call(ScalarFn::ToString, vec![path("X", &["Command"], false)]);
    let test = member_test(field("Command"), Term, CI, &["ab"], false);
    let t = run(&query(
        "T",
        vec![
            stage(StageKind::Extend(vec![assign("Command", copy)])),
            filter(test.clone()),
        ],
    ))
    .expect("translated");
    let n: Vec<_> = notes(&t)
        .into_iter()
        .filter(|n| n.2.contains("holds an array"))
        .collect();
    assert_eq!(n.len(), 1, "{n:?}");
    assert!(n[0].2.contains("if `X.Command` holds an array") && n[0].0 == sp(5, 30));
    // A computed value (`strlen`, …) is not the member any more.
    let computed = call(ScalarFn::ToLower, vec![path("X", &["Command"], false)]);
    let t = run(&query(
        "T",
        vec![
            stage(StageKind::Extend(vec![assign("Command", computed)])),
            filter(test),
        ],
    ))
    .expect("translated");
    assert!(notes(&t).iter().all(|n| !n.2.contains("holds an array")));
}

#[test]
fn a_member_column_is_followed_through_renames_and_forgotten_by_stats() {
    let arrays = |kql: &str| -> Vec<String> {
        let t = run(&ir_of(kql)).expect("translated");
        notes(&t)
            .into_iter()
            .filter(|n| n.2.contains("holds an array"))
            .map(|n| n.2)
            .collect()
    };
    // A copy of a `dynamic` column keeps the member through a rename.
    let n = arrays(
        "SigninLogs | extend d = DeviceDetail | project-rename e = d | where e has \"edge\"",
    );
    assert_eq!(n.len(), 1, "{n:?}");
    assert!(n[0].contains("`DeviceDetail`"), "{n:?}");
    // STATS leaves no member, even `arg_max(t, *)`'s kept columns.
    let n = arrays(
        "SigninLogs | extend d = tostring(DeviceDetail.browser)
            | summarize arg_max(TimeGenerated, *) by UserPrincipalName | where d has \"edge\"",
    );
    assert!(n.is_empty(), "{n:?}");
}
