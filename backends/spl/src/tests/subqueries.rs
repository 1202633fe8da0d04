//! `x in (subquery)` as a `search` over a subsearch comparing MD5 digests, a watchlist as
//! `| inputlookup`, and the refusals (a subquery inside `or`, non-text values).

use super::*;

#[test]
fn in_a_tabular_let_is_a_subsearch_on_digests() {
    let (t, notes) = approx(ir_of(
        "let admins = SecurityEvent | where EventID == 4672 | distinct Account;\n\
         SigninLogs | where UserPrincipalName in (admins)",
    ));
    insta::assert_snapshot!(tail(&t), @r#"
    | eval kqlport_sq1=md5(coalesce(UserPrincipalName, ""))
    | search
        [search index=* sourcetype="SecurityEvent" EventID="4672"
        | where EventID==4672
        | fillnull value="" Account
        | stats count AS __kqlport_n by Account
        | table Account
        | eval kqlport_sq1=md5(coalesce(Account, ""))
        | where isnotnull(kqlport_sq1)
        | dedup kqlport_sq1
        | fields kqlport_sq1]
    | fields - kqlport_sq1
    "#);
    // The subsearch's caps cut the list: fewer rows for `in`.
    assert_eq!(notes, vec![(90, 119, Effect::UnderMatch)]);
}

#[test]
fn not_in_a_subquery_is_not_over_the_subsearch() {
    let (t, notes) = approx(ir_of(
        "SigninLogs | where UserPrincipalName !in (SecurityEvent | project Account)",
    ));
    assert!(
        t.contains("| search NOT\n    [search index=* sourcetype=\"SecurityEvent\""),
        "{t}"
    );
    assert_eq!(notes, vec![(19, 74, Effect::OverMatch)]);
}

#[test]
fn other_and_parts_stay_filters() {
    let (t, _) = approx(ir_of(
        "SigninLogs | where ResultType == \"0\" and not(UserPrincipalName in (SecurityEvent | project Account))",
    ));
    assert!(
        t.starts_with("search index=* sourcetype=\"SigninLogs\" ResultType=\"0\"\n"),
        "{t}"
    );
    assert!(t.contains("| search NOT\n"), "{t}");
}

#[test]
fn in_ci_over_a_watchlist_list_reads_the_lookup() {
    let (t, notes) = approx(ir_of(
        "SigninLogs | where UserPrincipalName in~ (toscalar(_GetWatchlist('VIP') | where Tier == \"1\" | summarize make_list(User)))",
    ));
    insta::assert_snapshot!(tail(&t), @r#"
    | eval kqlport_sq1=md5(lower(coalesce(UserPrincipalName, "")))
    | search
        [| inputlookup VIP
        | where Tier=="1"
        | eval list_User=User
        | table list_User
        | eval kqlport_sq1=md5(lower(coalesce(list_User, "")))
        | where isnotnull(kqlport_sq1)
        | dedup kqlport_sq1
        | fields kqlport_sq1]
    | fields - kqlport_sq1
    "#);
    let effects: Vec<Effect> = notes.iter().map(|n| n.2).collect();
    // lower() folds non-ASCII letters too; the caps; the lookup the user must create.
    assert_eq!(
        effects,
        vec![Effect::Values, Effect::UnderMatch, Effect::Values]
    );
}

#[test]
fn a_subquery_inside_or_or_over_numbers_is_declined() {
    assert_eq!(
        declined(ir_of(
            "SigninLogs | where ResultType == \"0\" or UserPrincipalName in (SecurityEvent | project Account)"
        )),
        vec![("B032", 19, 94)]
    );
    assert_eq!(
        declined(ir_of(
            "SigninLogs | where ResultType in (SecurityEvent | project EventID)"
        )),
        vec![("B032", 19, 66)]
    );
    assert_eq!(
        declined(ir_of(
            "SigninLogs | extend a = iff(UserPrincipalName in (SecurityEvent | project Account), 1, 0)"
        ))[0]
        .0,
        "B032"
    );
}

#[test]
fn a_watchlist_name_must_be_a_plain_lookup_name() {
    let d = declined(ir_of(
        "SigninLogs | where UserPrincipalName in (_GetWatchlist('a b\"c') | project User)",
    ));
    assert_eq!(d[0].0, "B032");
}

#[test]
fn has_any_over_a_computed_list_compares_terms() {
    let (t, notes) = approx(ir_of(
        "SigninLogs | where not(AppDisplayName has_any (toscalar(_GetWatchlist('Apps') | summarize make_list(Name))))",
    ));
    insta::assert_snapshot!(tail(&t), @r#"
    | eval kqlport_sq1=mvappend("kqlport_every_term", split("t".lower(replace(coalesce(AppDisplayName, ""), "[^A-Za-z0-9]+", " t")), " "))
    | search NOT
        [| inputlookup Apps
        | eval list_Name=Name
        | table list_Name
        | eval kqlport_sq1=coalesce(list_Name, "")
        | where kqlport_sq1=="" OR match(kqlport_sq1, "^[A-Za-z0-9]+\\z")
        | eval kqlport_sq1=if(kqlport_sq1=="", "kqlport_every_term", "t".lower(kqlport_sq1))
        | dedup kqlport_sq1
        | fields kqlport_sq1]
    | fields - kqlport_sq1
    "#);
    // Phrase items left out and the subsearch's caps: both more rows under `not`; the
    // watchlist read as a lookup.
    assert_eq!(
        notes.iter().map(|n| n.2).collect::<Vec<_>>(),
        vec![Effect::OverMatch, Effect::OverMatch, Effect::Values]
    );
}

#[test]
fn not_over_an_or_is_pushed_in_so_each_subquery_test_stands_alone() {
    let (t, _) = approx(ir_of(
        "SigninLogs | where not(UserPrincipalName in (SecurityEvent | project Account) or ResultType == \"0\")",
    ));
    assert!(
        t.contains("| search NOT\n    [search index=* sourcetype=\"SecurityEvent\""),
        "{t}"
    );
    assert!(t.contains("NOT (ResultType==\"0\")"), "{t}");
    // An `and` under a `not` is an `or`: still refused.
    assert_eq!(
        declined(ir_of(
            "SigninLogs | where not(UserPrincipalName in (SecurityEvent | project Account) and ResultType == \"0\")"
        )),
        vec![("B032", 23, 99)]
    );
}
