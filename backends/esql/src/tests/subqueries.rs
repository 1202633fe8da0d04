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
            "| EVAL kqlport_sq_key = COALESCE(UserPrincipalName, \"\")",
            "| LOOKUP JOIN kqlport_lookup_442a3bc9 ON kqlport_sq_key",
            "| WHERE kqlport_match IS NOT NULL",
            "| DROP kqlport_match, kqlport_sq_key",
            "| LIMIT 10000",
        ]
    );
    // The materialisation query: the subquery's distinct values, keyed the same way (a
    // missing value is "" on both sides, as in KQL).
    assert!(t.text.contains(
        "// kqlport: the `in (subquery)` below reads the subquery's values from the lookup index `kqlport_lookup_442a3bc9`"
    ));
    assert!(t.text.contains(
        "//   | STATS BY kqlport_sq_key = COALESCE(Account, \"\")\n//   | EVAL kqlport_match = TRUE\n"
    ));
    // The join's notes: a stale index, the materialisation cap; no missing-key note.
    let effects: Vec<Effect> = notes(&t).iter().map(|n| n.1).collect();
    assert!(effects.contains(&Effect::UnderMatch) && effects.contains(&Effect::OverMatch));
    assert!(!notes(&t).iter().any(|n| n.2.contains("a missing key")));
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
        // a number key
        "SecurityEvent | where EventID in (SecurityEvent | where Account == \"x\" | project EventID)",
        // has_any over a computed list once `_id` no longer names one row
        "SigninLogs | summarize count() by UserPrincipalName | where UserPrincipalName has_any (SecurityEvent | project Account)",
        "SigninLogs | mv-expand Tags | where UserPrincipalName has_any (SecurityEvent | project Account)",
    ] {
        let d = declined(&ir_of(kql));
        assert_eq!(d[0].code.as_str(), "B032", "{kql}: {d:?}");
    }
}

#[test]
fn in_tilde_joins_on_a_lower_cased_key_on_both_sides() {
    let t = run(&ir_of(
        "SigninLogs | where UserPrincipalName in~ (SecurityEvent | project Account)",
    ))
    .expect("translated");
    let body: Vec<&str> = t.text.lines().filter(|l| !l.starts_with("//")).collect();
    assert_eq!(
        body[1..],
        [
            "| EVAL kqlport_sq_key = COALESCE(TO_LOWER(UserPrincipalName), \"\")",
            "| LOOKUP JOIN kqlport_lookup_c538fa9b ON kqlport_sq_key",
            "| WHERE kqlport_match IS NOT NULL",
            "| DROP kqlport_match, kqlport_sq_key",
            "| LIMIT 10000",
        ]
    );
    // The materialisation query keys the subquery's values the same way.
    assert!(
        t.text
            .contains("//   | STATS BY kqlport_sq_key = COALESCE(TO_LOWER(Account), \"\")\n"),
        "{}",
        t.text
    );
    // Unicode folding is noted; a missing key is "" on both sides, so no null-key note.
    let msgs: Vec<String> = notes(&t).iter().map(|n| n.2.clone()).collect();
    assert!(
        msgs.iter().any(|m| m.contains("KQL folds only ASCII case")),
        "{msgs:?}"
    );
    assert!(
        !msgs.iter().any(|m| m.contains("a missing key")),
        "{msgs:?}"
    );
}

#[test]
fn a_computed_value_joins_on_its_key() {
    let t = run(&ir_of(
        "SigninLogs | where not(tolower(UserPrincipalName) in (SecurityEvent | project Account))",
    ))
    .expect("translated");
    assert!(
        t.text.contains(
            "| EVAL kqlport_sq_key = COALESCE(TO_LOWER(UserPrincipalName), \"\")\n| LOOKUP JOIN"
        ),
        "{}",
        t.text
    );
    assert!(t
        .text
        .contains("//   | STATS BY kqlport_sq_key = COALESCE(Account, \"\")\n"));
    assert!(t.text.contains("| WHERE kqlport_match IS NULL\n"));
}

#[test]
fn a_watchlist_is_read_from_an_index_of_its_lower_cased_name() {
    let t = run(&ir_of(
        "SigninLogs | where UserPrincipalName in (_GetWatchlist('VIP-Users') | project User)",
    ))
    .expect("translated");
    assert!(t.text.contains("//   FROM vip-users\n"), "{}", t.text);
    let msgs: Vec<String> = notes(&t).iter().map(|n| n.2.clone()).collect();
    assert!(
        msgs.iter().any(|m| m.contains(
            "the watchlist `VIP-Users` is read from the Elasticsearch index `vip-users`"
        )),
        "{msgs:?}"
    );
    // A name no index can have is declined.
    let d = declined(&ir_of(
        "SigninLogs | where UserPrincipalName in (_GetWatchlist('_vip') | project User)",
    ));
    assert_eq!(d[0].code.as_str(), "B032", "{d:?}");
}

#[test]
fn a_test_inside_or_marks_the_rows_its_list_holds() {
    let t = run(&ir_of(
        "SigninLogs | where ResultType == \"0\" or UserPrincipalName !in (SecurityEvent | project Account)",
    ))
    .expect("translated");
    let body: Vec<&str> = t.text.lines().filter(|l| !l.starts_with("//")).collect();
    assert_eq!(
        body[1..4],
        [
            "| EVAL kqlport_sq_key = COALESCE(UserPrincipalName, \"\")",
            "| LOOKUP JOIN kqlport_lookup_2c926583 ON kqlport_sq_key",
            "| RENAME kqlport_match AS kqlport_sq1",
        ],
        "{}",
        t.text
    );
    assert!(
        t.text.contains(
            "| DROP kqlport_sq_key\n| WHERE ResultType == \"0\" OR kqlport_sq1 IS NULL\n| DROP kqlport_sq1\n"
        ),
        "{}",
        t.text
    );
    // The list's cap can turn the test either way under `or`/`not`.
    let effects: Vec<Effect> = notes(&t).iter().map(|n| n.1).collect();
    assert!(effects.contains(&Effect::UnderMatch) && effects.contains(&Effect::OverMatch));
}

#[test]
fn has_any_over_a_computed_list_marks_each_term_and_gathers_by_id() {
    let t = run(&ir_of(
        "SigninLogs | where UserPrincipalName has_any (SecurityEvent | project Account)",
    ))
    .expect("translated");
    let body: Vec<&str> = t.text.lines().filter(|l| !l.starts_with("//")).collect();
    assert_eq!(
        body,
        [
            "FROM SigninLogs METADATA _id",
            "| EVAL kqlport_sq_key = MV_DEDUPE(SPLIT(CONCAT(\"- \", COALESCE(TO_LOWER(REPLACE(COALESCE(UserPrincipalName, \"\"), \"[^A-Za-z0-9]+\", \" \")), \"\")), \" \"))",
            "| MV_EXPAND kqlport_sq_key",
            "| LOOKUP JOIN kqlport_lookup_4bd8f2cc ON kqlport_sq_key",
            "| RENAME kqlport_match AS kqlport_sq_hit",
            "| INLINE STATS kqlport_sq1 = MAX(kqlport_sq_hit) BY _id",
            "| WHERE kqlport_sq_key == \"-\"",
            "| DROP kqlport_sq_key, kqlport_sq_hit",
            "| WHERE kqlport_sq1 IS NOT NULL",
            "| DROP kqlport_sq1",
            "| LIMIT 10000",
        ]
    );
    // The list's items: one term lower-cased, "" as the key every row holds, others null.
    assert!(
        t.text.contains("//   | STATS BY kqlport_sq_key = CASE(COALESCE(Account, \"\") == \"\", \"-\", COALESCE(Account, \"\") RLIKE \"[A-Za-z0-9]+\", TO_LOWER(COALESCE(Account, \"\")), NULL)\n"),
        "{}",
        t.text
    );
    // Phrase items are left out: fewer rows for a plain test.
    let n = notes(&t);
    assert!(
        n.iter()
            .any(|(_, e, m)| *e == Effect::UnderMatch && m.contains("a phrase in KQL")),
        "{n:?}"
    );
    assert!(
        !n.iter()
            .any(|(_, e, m)| *e == Effect::OverMatch && m.contains("a phrase in KQL")),
        "{n:?}"
    );
    // Inside `or` it marks the rows and the WHERE reads the marker.
    let t = run(&ir_of(
        "SigninLogs | where ResultType == \"0\" or UserPrincipalName has_any (SecurityEvent | project Account)",
    ))
    .expect("translated");
    assert!(
        t.text
            .contains("| WHERE ResultType == \"0\" OR kqlport_sq1 IS NOT NULL\n"),
        "{}",
        t.text
    );
}

/// `toscalar()` of another query: a materialisation query of its own fills a lookup index
/// with its one row; the rows join it on a constant key, the value renamed in and out (an
/// index field may not start with `_`).
#[test]
fn toscalar_of_another_query_is_a_lookup_join_on_a_constant_key() {
    let t = run(&ir_of(
        "let m = toscalar(MailLog_CL | summarize max(Size));\n\
         Mail_CL | where Size == m",
    ))
    .expect("translated");
    let lines: Vec<&str> = t
        .text
        .lines()
        .filter(|l| !l.starts_with("// approximate"))
        .collect();
    insta::assert_snapshot!(lines.join("\n"), @r"
    // kqlport: the `toscalar()` value below is read from the lookup index `kqlport_lookup_fd4b5df3`: create it with `index.mode: lookup`, the field `kqlport_k` an integer and `kqlport_value` typed as this query returns it (a null value maps no field), and fill it with the one row of this ES|QL query (re-run it as often as the rule runs):
    //   FROM MailLog_CL
    //   | STATS max_Size = MAX(Size)
    //   | EVAL __kqlport_agg_value0 = max_Size
    //   | KEEP __kqlport_agg_value0
    //   | RENAME __kqlport_agg_value0 AS kqlport_value
    //   | EVAL kqlport_k = 1
    //   | LIMIT 10000
    FROM Mail_CL
    | EVAL kqlport_k = 1
    | LOOKUP JOIN kqlport_lookup_fd4b5df3 ON kqlport_k
    | DROP kqlport_k
    | RENAME kqlport_value AS __kqlport_agg_value0
    | WHERE Size == __kqlport_agg_value0
    | DROP __kqlport_agg_value0
    | LIMIT 10000
    ");
}

/// A regex another query builds cannot be an RLIKE pattern (a constant).
#[test]
fn a_regex_built_by_another_query_is_declined() {
    let e = run(&ir_of(
        "let R = toscalar(Pat_CL | summarize R = take_any(P));\n\
         T | where a matches regex R",
    ))
    .expect_err("declined");
    assert!(
        e.iter()
            .any(|d| d.message.contains("RLIKE takes its pattern as a constant")),
        "{e:?}"
    );
}
