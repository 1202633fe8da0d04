//! `x in (subquery)` as a semi / anti LOOKUP JOIN whose lookup index holds the subquery's
//! values (its materialisation query printed above the query), and the refusals.

use super::*;

#[test]
fn in_is_a_semi_lookup_join_on_the_subquery_values() {
    let t = run(&ir_of(
        "let admins = SecurityEvent | where EventID == 4672 | distinct Account;\n\
         SigninLogs | where ResultType == \"0\" and UserPrincipalName in (admins)",
    ))
    .expect("translated");
    let body: Vec<&str> = t.text.lines().filter(|l| !l.starts_with("//")).collect();
    assert_eq!(
        body,
        [
            "FROM SigninLogs",
            "| WHERE ResultType == \"0\"",
            "| LOOKUP JOIN kqlport_lookup_1386a75f ON UserPrincipalName",
            "| WHERE kqlport_match IS NOT NULL",
            "| DROP kqlport_match",
            "| LIMIT 10000",
        ]
    );
    // The materialisation query: the subquery's distinct values under the left key's name.
    assert!(t.text.contains(
        "// kqlport: the `in (subquery)` below reads the subquery's values from the lookup index `kqlport_lookup_1386a75f`"
    ));
    assert!(t.text.contains(
        "//   | STATS BY UserPrincipalName = Account\n//   | EVAL kqlport_match = TRUE\n"
    ));
    // The join's notes: a stale index, the materialisation cap, a missing key.
    let effects: Vec<Effect> = notes(&t).iter().map(|n| n.1).collect();
    assert!(effects.contains(&Effect::UnderMatch) && effects.contains(&Effect::OverMatch));
}

#[test]
fn not_in_is_an_anti_lookup_join() {
    let t = run(&ir_of(
        "SigninLogs | where not(UserPrincipalName in (SecurityEvent | project Account))",
    ))
    .expect("translated");
    assert!(
        t.text.contains("| WHERE kqlport_match IS NULL\n"),
        "{}",
        t.text
    );
}

#[test]
fn forms_without_a_lookup_join_are_declined() {
    for kql in [
        // in~: LOOKUP JOIN matches values exactly
        "SigninLogs | where UserPrincipalName in~ (SecurityEvent | project Account)",
        // a computed value
        "SigninLogs | where tolower(UserPrincipalName) in (SecurityEvent | project Account)",
        // inside `or`
        "SigninLogs | where ResultType == \"0\" or UserPrincipalName in (SecurityEvent | project Account)",
        // a watchlist: no ES|QL source
        "SigninLogs | where UserPrincipalName in (_GetWatchlist('VIP') | project User)",
    ] {
        let d = declined(&ir_of(kql));
        assert_eq!(d[0].code.as_str(), "B032", "{kql}: {d:?}");
    }
}
