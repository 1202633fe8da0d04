//! Lists computed by a query (`in (subquery)`, a tabular `let`, `toscalar()` of a whole list,
//! `_GetWatchlist`) lowered to `ir::PredicateKind::InSubquery`, and the located refusals of the
//! forms the IR does not hold.

use kqlport::{kql, lower};

fn ir(q: &str) -> String {
    let ast = kql::parse(q).unwrap_or_else(|e| panic!("parse {q}: {e:?}"));
    match lower::lower(&ast) {
        Ok(l) => l.query.to_string(),
        Err(e) => panic!("lower {q}: {e:?}"),
    }
}

/// The lowering refusal: (code, the KQL text its span covers, message).
fn refusal(q: &str) -> (String, String, String) {
    let ast = kql::parse(q).unwrap();
    let errs = lower::lower(&ast).expect_err("should be refused");
    let d = &errs[0];
    (
        d.code.as_str().to_string(),
        q[d.span.range()].to_string(),
        d.message.clone(),
    )
}

#[test]
fn in_over_a_tabular_let_uses_its_first_column() {
    let t = ir(
        "let L = SecurityEvent | where EventID == 4672 | project Account, Computer;\n\
                SigninLogs | where UserPrincipalName in (L)",
    );
    assert!(
        t.contains("(in-subquery UserPrincipalName cs column Account ("),
        "{t}"
    );
    assert!(t.contains("    from SecurityEvent"), "{t}");
}

#[test]
fn negation_and_case_are_kept() {
    let t = ir("SigninLogs | where UserPrincipalName !in~ (SecurityEvent | distinct Account)");
    assert!(
        t.contains("(!in-subquery UserPrincipalName ci column Account ("),
        "{t}"
    );
    // not() of a membership is a negated membership's complement, kept as `not`.
    let t = ir("SigninLogs | where not(UserPrincipalName in (SecurityEvent | distinct Account))");
    assert!(
        t.contains("(not (in-subquery UserPrincipalName cs column Account ("),
        "{t}"
    );
}

#[test]
fn a_whole_list_is_the_column_of_the_rows_before_the_summarize() {
    // toscalar(T | summarize make_list(k)) and a tabular let ending in make_set(k): the list
    // of k over T's rows, so the summarize becomes `project k`.
    for q in [
        "let L = toscalar(SecurityEvent | where EventID == 1 | summarize make_list(Account));\n\
         SigninLogs | where UserPrincipalName in (L)",
        "let L = SecurityEvent | where EventID == 1 | summarize make_set(Account);\n\
         SigninLogs | where UserPrincipalName in (L)",
        "SigninLogs | where UserPrincipalName in (toscalar(SecurityEvent | summarize s = make_set(Account)))",
    ] {
        let t = ir(q);
        assert!(t.contains("in-subquery UserPrincipalName cs column "), "{t}");
        assert!(!t.contains("summarize"), "{t}");
        assert!(t.contains("project "), "{t}");
    }
}

#[test]
fn a_watchlist_is_a_named_lookup_source_of_a_subquery() {
    let t = ir("SigninLogs | where UserPrincipalName in (_GetWatchlist('VIP') | project User)");
    assert!(t.contains("    from watchlist \"VIP\""), "{t}");
    // As the query's own source too (the target reads the lookup).
    let t = ir("_GetWatchlist('VIP') | project User");
    assert!(t.starts_with("from watchlist \"VIP\""), "{t}");
}

#[test]
fn a_watchlist_is_a_source_of_a_join_right_side() {
    let t = ir(
        "let vip = _GetWatchlist('VIP') | project UserPrincipalName = User;\n\
         SigninLogs | join kind=leftanti vip on UserPrincipalName",
    );
    assert!(t.contains("from watchlist \"VIP\""), "{t}");
    // On the left too: the query's own source.
    let t = ir("_GetWatchlist('VIP') | join kind=leftanti SigninLogs on UserPrincipalName");
    assert!(t.starts_with("from watchlist \"VIP\""), "{t}");
}

#[test]
fn has_any_over_a_computed_list_is_a_term_subquery_test() {
    let t = ir(
        "let L = toscalar(SecurityEvent | summarize make_list(Account));\nSigninLogs | where not(UserPrincipalName has_any (L))",
    );
    assert!(t.contains("(has-any-subquery "), "{t}");
    assert!(t.contains(" ci column "), "{t}");
    // Several items, one of them computed: still refused.
    let (code, _, _) = refusal(
        "let L = SecurityEvent | project Account;\nSigninLogs | where UserPrincipalName has_any (L, 'x')",
    );
    assert_eq!(code, "L037");
}

#[test]
fn materialize_is_the_rows_it_caches() {
    let t = ir("let T = materialize(SecurityEvent | where EventID == 1);\nT | project Account");
    assert!(t.starts_with("from SecurityEvent"), "{t}");
}

#[test]
fn forms_the_ir_does_not_hold_are_refused_where_they_are() {
    // toscalar() of one value is no list.
    let (code, text, _) = refusal(
        "let L = toscalar(SecurityEvent | project Account);\nSigninLogs | where UserPrincipalName in (L)",
    );
    assert_eq!((code.as_str(), text.as_str()), ("L037", "L"));
    // A subquery whose first column depends on the table's column order.
    let (code, text, _) =
        refusal("SigninLogs | where UserPrincipalName in (SecurityEvent | where EventID == 1)");
    assert_eq!(code, "L037");
    assert_eq!(text, "SecurityEvent | where EventID == 1");
    // Term tests over a computed list other than `has_any`.
    let (code, text, msg) = refusal(
        "let L = toscalar(SecurityEvent | summarize make_list(Account));\nSigninLogs | where UserPrincipalName has_all (L)",
    );
    assert_eq!((code.as_str(), text.as_str()), ("L037", "L"));
    assert!(
        msg.starts_with("`has_all` with a list or value computed by a query"),
        "{msg}"
    );
    // A computed list mixed with constants.
    let (code, _, msg) = refusal(
        "let L = SecurityEvent | project Account;\nSigninLogs | where UserPrincipalName in (L, 'x')",
    );
    assert_eq!(code, "L037");
    assert!(msg.contains("only item"), "{msg}");
}

#[test]
fn in_over_an_externaldata_let_takes_its_first_declared_column() {
    let t = ir(
        "let L = externaldata(Domain:string, Note:string)[@\"https://h.example/l.csv\"] with (format=\"csv\");\n\
         DeviceNetworkEvents | where RemoteUrl in (L)",
    );
    assert!(
        t.contains("(in-subquery RemoteUrl cs column Domain ("),
        "{t}"
    );
    assert!(
        t.contains("from lookup \"L\" (externaldata [\"https://h.example/l.csv\"])"),
        "{t}"
    );
}

#[test]
fn externaldata_is_a_source_outside_a_subquery_too() {
    // The query's own rows, joined with a table: the lookup the user loads from the URL.
    let t = ir("externaldata(Domain:string)[@\"https://h.example/l.csv\"] | join DeviceNetworkEvents on $left.Domain == $right.RemoteUrl");
    assert!(t.starts_with("from lookup \"l.csv\""), "{t}");
}

#[test]
fn an_externaldata_property_it_does_not_know_is_refused() {
    let (code, text, _) = refusal(
        "DeviceNetworkEvents | where RemoteUrl in (externaldata(Domain:string)[@\"https://h.example/l.json\"] with (format=\"multijson\", ingestionMapping='[]'))",
    );
    assert_eq!(
        (code.as_str(), text.as_str()),
        ("L010", "ingestionMapping='[]'")
    );
}

/// `toscalar(R | summarize agg(x))` over the rows named `R` where it is used: an aggregate over
/// all of them appended to each row (`totals`), read there and dropped after the operator.
#[test]
fn toscalar_of_the_rows_themselves_is_a_totals_stage() {
    let t = ir("T | summarize n = count() by k | as R \
                | extend p = 100.0 * n / toscalar(R | summarize sum(n))");
    assert!(t.contains("totals "), "{t}");
    assert!(t.contains("project-away __kqlport_agg0"), "{t}");
    let totals = t.find("totals ").unwrap();
    let extend = t.find("extend p").unwrap();
    assert!(totals < extend, "{t}");
    // The `let` the pipeline starts from names its rows too; `where` reads it as well.
    let t = ir("let R = T | where a > 0; R | where x > toscalar(R | summarize avg(x))");
    assert!(t.contains("totals "), "{t}");
}

#[test]
fn toscalar_of_other_rows_is_refused_with_the_reason() {
    let cases = [
        // Not the rows at this point: a filter comes between `as` and the use.
        (
            "T | as R | where a > 0 | extend p = x / toscalar(R | summarize sum(x))",
            "not the name of the rows at this point",
        ),
        // Rows `as` named elsewhere in this query are not a table (another table's value is
        // translated: `toscalar_of_another_query_is_one_value_attached_to_the_rows`).
        (
            "T | as R | extend q = 1 | extend p = x / toscalar(R | summarize sum(x))",
            "not the name of the rows at this point",
        ),
        // A second reading of `take`'s rows may differ.
        (
            "T | take 5 | as R | extend p = x / toscalar(R | summarize sum(x))",
            "`take`",
        ),
        (
            "T | as R | extend p = x / toscalar(R | summarize sum(x) by k)",
            "`by`",
        ),
        (
            "T | as R | extend p = x / toscalar(R | where y > 0 | summarize sum(x))",
            "other operators",
        ),
        (
            "T | as R | extend p = x / toscalar(R | summarize make_set(x))",
            "is not one of count",
        ),
        // In a `project`, not an `extend` or `where`.
        (
            "T | as R | project p = x / toscalar(R | summarize sum(x))",
            "not the name of the rows at this point",
        ),
    ];
    for (q, why) in cases {
        let (code, text, msg) = refusal(q);
        assert_eq!(code, "L027", "{q}: {msg}");
        assert!(text.starts_with("toscalar("), "{q}: {text}");
        assert!(msg.contains(why), "{q}: {msg}");
    }
}
