//! What the index stores for a column (the source table's schema): a missing string collected
//! as `""`, an object column kept through its leaf fields, JSON text read with JSON_EXTRACT, and
//! a join's clashing right columns renamed as KQL names them. The tables are real Sentinel
//! tables, so their column types come from `kqlport::schema`.

use super::*;

fn column_pattern(p: &str) -> ColumnPattern {
    ColumnPattern {
        pattern: p.into(),
        span: sp(0, p.len()),
    }
}

fn summarize(table: &str, func: AggFunc) -> String {
    let t = run(&query(
        table,
        vec![stage(StageKind::Aggregate {
            by: vec![key_expr("DeviceName", field("DeviceName"))],
            aggs: vec![agg("x", func)],
        })],
    ))
    .expect("translated");
    t.text
}

#[test]
fn collecting_a_string_column_reads_missing_as_empty() {
    // IdentityLogonEvents.AccountName is a string: KQL collects and counts a missing one as ""
    let text = summarize(
        "IdentityLogonEvents",
        AggFunc::MakeSet {
            expr: field("AccountName"),
            max: None,
        },
    );
    assert!(
        text.contains("VALUES(COALESCE(AccountName, \"\"))"),
        "{text}"
    );
    let text = summarize("IdentityLogonEvents", AggFunc::DCount(field("AccountName")));
    assert!(
        text.contains("COUNT_DISTINCT(COALESCE(AccountName, \"\"))"),
        "{text}"
    );
    let text = summarize(
        "IdentityLogonEvents",
        AggFunc::CountDistinct(field("AccountName")),
    );
    assert!(
        text.contains("COUNT_DISTINCT(COALESCE(AccountName, \"\"))"),
        "{text}"
    );
}

#[test]
fn collecting_a_non_string_or_unknown_column_is_unchanged() {
    // a long column has a null; a table the schema does not know says nothing
    let text = summarize(
        "DeviceNetworkEvents",
        AggFunc::MakeSet {
            expr: field("RemotePort"),
            max: None,
        },
    );
    assert!(text.contains("VALUES(RemotePort)"), "{text}");
    let text = summarize(
        "Custom_CL",
        AggFunc::MakeSet {
            expr: field("AccountName"),
            max: None,
        },
    );
    assert!(text.contains("VALUES(AccountName)"), "{text}");
}

#[test]
fn a_redefined_column_is_not_the_stored_one() {
    // extend AccountName = strlen(...) makes it a number: no COALESCE with ""
    let t = run(&query(
        "IdentityLogonEvents",
        vec![
            stage(StageKind::Extend(vec![assign(
                "AccountName",
                call(ScalarFn::Strlen, vec![field("DeviceName")]),
            )])),
            stage(StageKind::Aggregate {
                by: vec![],
                aggs: vec![agg(
                    "x",
                    AggFunc::MakeSet {
                        expr: field("AccountName"),
                        max: None,
                    },
                )],
            }),
        ],
    ))
    .expect("translated");
    assert!(t.text.contains("VALUES(AccountName)"), "{}", t.text);
}

#[test]
fn keep_and_drop_of_a_dynamic_column_select_its_fields() {
    // AuditLogs.TargetResources is dynamic: an object has only leaf fields in ES|QL
    let t = run(&query(
        "AuditLogs",
        vec![stage(StageKind::Project(vec![
            assign("OperationName", field("OperationName")),
            assign("TargetResources", field("TargetResources")),
        ]))],
    ))
    .expect("translated");
    assert!(
        t.text.contains("| KEEP OperationName, TargetResources*\n"),
        "{}",
        t.text
    );
    let n = notes(&t);
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(n[0].1, Effect::Values);
    assert!(
        n[0].2.contains("no column for the object itself"),
        "{}",
        n[0].2
    );

    let text = exact(&query(
        "AuditLogs",
        vec![stage(StageKind::ProjectAway(vec![column_pattern(
            "TargetResources",
        )]))],
    ));
    assert!(text.contains("| DROP TargetResources*\n"), "{text}");
    // a string column is one field
    let text = exact(&query(
        "AuditLogs",
        vec![stage(StageKind::ProjectAway(vec![column_pattern(
            "OperationName",
        )]))],
    ));
    assert!(text.contains("| DROP OperationName\n"), "{text}");
}

#[test]
fn a_dynamic_column_prefixing_another_selects_the_object_fields() {
    // Watchlist has WatchlistItem (dynamic) and WatchlistItemId: `WatchlistItem*` would take both
    let t = run(&query(
        "Watchlist",
        vec![stage(StageKind::ProjectAway(vec![column_pattern(
            "WatchlistItem",
        )]))],
    ))
    .expect("translated");
    assert!(t.text.contains("| DROP WatchlistItem.*\n"), "{}", t.text);
    let n = notes(&t);
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(n[0].1, Effect::UnderMatch);
    assert!(n[0].2.contains("WatchlistItemId"), "{}", n[0].2);
}

#[test]
fn a_path_into_json_text_of_a_string_column_uses_json_extract() {
    // AADNonInteractiveUserSignInLogs.LocationDetails is a string (JSON text); in SigninLogs
    // the same column is dynamic (an object)
    let pr = cmp(
        path("LocationDetails", &["countryOrRegion"], true),
        CmpOp::Eq,
        string("US"),
    );
    let t = run(&query(
        "AADNonInteractiveUserSignInLogs",
        vec![filter(pr.clone())],
    ))
    .expect("translated");
    assert!(
        t.text
            .contains("JSON_EXTRACT(LocationDetails, \"countryOrRegion\")"),
        "{}",
        t.text
    );
    assert!(
        notes(&t)
            .iter()
            .all(|n| n.1 == Effect::Values && !n.2.contains("multivalued")),
        "{:?}",
        notes(&t)
    );
    let t = run(&query("SigninLogs", vec![filter(pr)])).expect("translated");
    assert!(
        t.text.contains("LocationDetails.countryOrRegion"),
        "{}",
        t.text
    );
}

#[test]
fn json_extract_paths_quote_keys_and_index_arrays() {
    let fp = FieldPath {
        column: "LocationDetails".into(),
        path: vec![
            PathSegment::Key("geo.coordinates".into()),
            PathSegment::Index(0),
            PathSegment::Key("city".into()),
        ],
        parsed: true,
    };
    let pr = cmp(e(ExprKind::Field(fp)), CmpOp::Eq, string("x"));
    let t = run(&query("AADNonInteractiveUserSignInLogs", vec![filter(pr)])).expect("translated");
    assert!(
        t.text
            .contains("JSON_EXTRACT(LocationDetails, \"['geo.coordinates'][0].city\")"),
        "{}",
        t.text
    );
}
