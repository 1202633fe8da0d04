//! Names that are no column where the query uses them: `L060` errors where the query's own
//! operators fix the columns, `L061` warnings for a name missing from kqlport's schema of the
//! table — and nothing where the columns are not known. Every expectation below was checked
//! against Kusto.Language (tests/conformance/smoke/kusto_check.js) with the same columns.

use kqlport::{kql, lower};

/// (code, the KQL text its span covers) of each diagnostic.
type Located = Vec<(String, String)>;

/// Every error, then every warning.
fn found(q: &str) -> (Located, Located) {
    let ast = kql::parse(q).unwrap_or_else(|e| panic!("parse {q}: {e:?}"));
    let show =
        |d: &kqlport::Diagnostic| (d.code.as_str().to_string(), q[d.span.range()].to_string());
    match lower::lower(&ast) {
        Ok(l) => (
            Vec::new(),
            l.warnings
                .iter()
                .filter(|d| d.code.as_str().starts_with("L06"))
                .map(show)
                .collect(),
        ),
        Err(e) => (e.iter().map(show).collect(), Vec::new()),
    }
}

fn errors(q: &str) -> Located {
    found(q).0
}

fn l060(text: &str) -> Located {
    vec![("L060".to_string(), text.to_string())]
}

#[test]
fn a_column_summarize_dropped_is_an_error_at_its_name() {
    // The reviewed rule: the second summarize names columns the first one dropped.
    let q = "AzureActivity\n| summarize count() by UPN = Caller\n| summarize dcount(UPN) by ['Caller ID']";
    assert_eq!(errors(q), l060("['Caller ID']"));
    let ast = kql::parse(q).unwrap();
    let d = &lower::lower(&ast).unwrap_err()[0];
    assert_eq!(
        d.secondary.len(),
        1,
        "points at the summarize that fixed the columns"
    );
    assert_eq!(
        &q[d.secondary[0].span.range()],
        "summarize count() by UPN = Caller"
    );
    assert_eq!(
        d.help.as_deref(),
        Some("the columns here are: `UPN`, `count_`")
    );
}

#[test]
fn fixed_columns_are_known_whatever_the_table() {
    // A custom table kqlport has no schema for: after `project` the columns are the query's own.
    assert_eq!(errors("MyApp_CL | project A, B | where C == 1"), l060("C"));
    assert_eq!(errors("MyApp_CL | distinct A | sort by B"), l060("B"));
    assert_eq!(
        errors("MyApp_CL | count | where count_ > 1"),
        l060("count_")
    );
    assert_eq!(
        errors("MyApp_CL | project A | project-rename X = B"),
        l060("B")
    );
    assert_eq!(errors("MyApp_CL | project A | project-away B"), l060("B"));
    // Kusto.Language: a `project` item does not see the ones before it.
    assert_eq!(
        errors("MyApp_CL | project A | project x = A, y = x"),
        l060("x")
    );
    // Names are case-sensitive.
    let q = "MyApp_CL | summarize n = count() by Account | where account != ''";
    assert_eq!(errors(q), l060("account"));
    let d = &lower::lower(&kql::parse(q).unwrap()).unwrap_err()[0];
    assert_eq!(
        d.help.as_deref(),
        Some("did you mean `Account`? column names are case-sensitive")
    );
}

#[test]
fn names_the_query_defines_are_columns() {
    for q in [
        "MyApp_CL | project A | extend B = A, C = B | where C == 1",
        "MyApp_CL | project A, B | project-rename X = A | where X == 1 and B == 2",
        "MyApp_CL | summarize count(), dcount(B) by A | where count_ > 1 and dcount_B > 1",
        "MyApp_CL | summarize n = count() by bin(T, 1h) | where T > ago(1d) and n > 1",
        "MyApp_CL | project A, B | project-away B* | where A == 1",
        "MyApp_CL | project A | extend C = column_ifexists('Nope', '') | where C == ''",
        "MyApp_CL | project A | where column_ifexists('Nope', '') == ''",
        // A join of two fixed sides: the right's clashing names get a suffix.
        "MyApp_CL | project A, B | join kind=inner (Other_CL | project A, C) on A | project A, A1, B, C",
        "MyApp_CL | project A | join kind=leftsemi (Other_CL | project A, C) on A | where A == 1",
        "MyApp_CL | summarize count() by A | join kind=inner (Other_CL | summarize n = count() by A) on $left.A == $right.A | where n > 1",
    ] {
        assert_eq!(found(q), (Vec::new(), Vec::new()), "{q}");
    }
}

#[test]
fn join_keys_are_checked_on_their_own_side() {
    assert_eq!(
        errors(
            "MyApp_CL | project A | join kind=inner (Other_CL | project C) on $left.A == $right.Z"
        ),
        l060("Z")
    );
    assert_eq!(
        errors(
            "MyApp_CL | project A | join kind=inner (Other_CL | project C) on $left.Q == $right.C"
        ),
        l060("Q")
    );
}

#[test]
fn where_the_columns_are_not_known_nothing_is_reported() {
    for q in [
        // No schema for the table.
        "MyApp_CL | where Anything == 1 | extend X = Other",
        // arg_max(…, *) keeps the input's columns: kqlport does not list them.
        "MyApp_CL | project A, B | summarize arg_max(A, *) by B | where C == 1",
        // A join with a side of unknown columns.
        "MyApp_CL | project A | join kind=inner (Other_CL) on A | where Z == 1",
        // ASIM parsers may emit fields their schema does not list; AzureDiagnostics' columns
        // depend on the resources that send to it.
        "imProcessCreate | where SomeParserField == 'x'",
        "AzureDiagnostics | where requestUri_s has 'x' and TimeGenerated > ago(1d)",
        // The XDR and Azure Monitor forms type it differently, but both have it.
        "DeviceEvents | where AdditionalFields has 'x'",
    ] {
        assert_eq!(found(q), (Vec::new(), Vec::new()), "{q}");
    }
}

#[test]
fn a_name_missing_from_the_schema_of_a_table_is_a_warning() {
    // kqlport's column lists lag the real tables (e.g. workspace columns such as `_ItemId`,
    // columns added since): a warning, and the query is still translated.
    let (errs, warns) = found("SigninLogs | where _ItemId != '' and UserPrincipalName has 'a'");
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(warns, vec![("L061".to_string(), "_ItemId".to_string())]);
    // … but once the query's own operators fix the columns, it is an error.
    assert_eq!(
        errors("SigninLogs | project UserPrincipalName | where AppDisplayName == 'x'"),
        l060("AppDisplayName")
    );
    // A name the table has is fine, before and after an extend.
    assert_eq!(
        found(
            "SigninLogs | extend U = UserPrincipalName | where U has 'a' and AppDisplayName == 'x'"
        ),
        (Vec::new(), Vec::new())
    );
}
