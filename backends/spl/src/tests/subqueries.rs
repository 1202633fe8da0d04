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
fn a_subquery_over_numbers_or_in_a_value_is_declined() {
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
fn in_an_externaldata_let_reads_the_lookup_named_by_the_let() {
    let (t, notes) = approx(ir_of(
        "let DomainList = externaldata(Domain:string)[@\"https://example.com/lists/domains.csv\"] with (format=\"csv\", ignoreFirstRecord=true);\n\
         DeviceNetworkEvents | where RemoteUrl in (DomainList)",
    ));
    assert!(t.contains("\n    [| inputlookup DomainList\n"), "{t}");
    // The lookup named (values) is a snapshot of the URL: values added since are missed,
    // values removed still match (both, as ES|QL says of its index); the subsearch is capped
    // (under-match).
    assert_eq!(
        notes,
        vec![
            (17, 130, Effect::Values),
            (17, 130, Effect::UnderMatch),
            (17, 130, Effect::OverMatch),
            (160, 185, Effect::UnderMatch)
        ]
    );
}

#[test]
fn an_externaldata_note_names_the_lookup_the_url_and_the_header() {
    let q = ir_of(
        "DeviceNetworkEvents | where RemoteIP !in (externaldata(Ip:string, Note:string)[h@'https://example.com/feeds/tor%20ips.csv?sv=1'] with (format=\"csv\") | where Note != \"x\" | project Ip)",
    );
    let out = Spl
        .translate(&RuleContext::default(), &q)
        .expect("translated");
    assert!(
        out.text.contains("| inputlookup tor_20ips.csv\n"),
        "{}",
        out.text
    );
    let Fidelity::Approximate(notes) = out.fidelity else {
        panic!("notes expected")
    };
    let note = notes
        .iter()
        .find(|n| n.message.contains("externaldata"))
        .expect("a lookup note");
    assert!(
        note.message.contains("`tor_20ips.csv`")
            && note
                .message
                .contains("https://example.com/feeds/tor%20ips.csv?sv=1")
            && note.message.contains("header row `Ip,Note`")
            && note.message.contains("(format csv)"),
        "{}",
        note.message
    );
}

#[test]
fn an_externaldata_list_whose_first_column_is_not_text_is_refused() {
    // KQL's `in` takes the first column: here the datetime, which a subsearch cannot compare.
    let d = declined(ir_of(
        "EmailAttachmentInfo | where SHA256 in (externaldata(TimeGenerated:datetime, SHA256:string)[@\"https://example.com/a.csv\"] with (format=\"csv\"))",
    ));
    assert_eq!(d[0].0, "B032");
}

#[test]
fn an_externaldata_column_of_another_type_is_not_read_as_text() {
    let q = ir_of(
        "DeviceNetworkEvents | where RemoteIP in (externaldata(Ip:string, IsRunning:bool)[@\"https://example.com/a.csv\"] | where IsRunning == true | project Ip)",
    );
    let d = Spl
        .translate(&RuleContext::default(), &q)
        .expect_err("declines");
    assert_eq!(d[0].code.as_str(), "B032");
    assert!(
        d[0].message.contains("`IsRunning` is declared `bool`"),
        "{}",
        d[0].message
    );
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
}

#[test]
fn a_subquery_test_under_or_is_one_search_over_subsearches_and_flags() {
    // `a or x in (S)`: the other part an eval'd flag, the test its subsearch, one `search`
    // combining them (a null part is 0: nothing above it negates it).
    let (t, _) = approx(ir_of(
        "SigninLogs | where ResultType == \"0\" or UserPrincipalName in (SecurityEvent | project Account)",
    ));
    insta::assert_snapshot!(tail(&t), @r#"
    | eval kqlport_p1=if(ResultType=="0", 1, 0), kqlport_sq2=md5(coalesce(UserPrincipalName, ""))
    | search kqlport_p1=1 OR
        [search index=* sourcetype="SecurityEvent"
        | table Account
        | eval kqlport_sq2=md5(coalesce(Account, ""))
        | where isnotnull(kqlport_sq2)
        | dedup kqlport_sq2
        | fields kqlport_sq2]
    | fields - kqlport_p1 kqlport_sq2
    "#);
    // An `and` under a `not` is an `or`: `NOT […]` or the negated flag.
    let (t, _) = approx(ir_of(
        "SigninLogs | where not(UserPrincipalName in (SecurityEvent | project Account) and ResultType == \"0\")",
    ));
    assert!(t.contains("| search NOT\n    [search"), "{t}");
    assert!(t.contains("] OR kqlport_p2=1\n"), "{t}");
    // KQL's string is never null: a missing ResultType is "", which is not "0".
    assert!(
        t.contains("kqlport_p2=if(isnull(ResultType) OR NOT (ResultType==\"0\"), 1, 0)"),
        "{t}"
    );
}

/// `toscalar()` of another query: its one row joined onto every row on a constant key (the
/// value copied as it is, never pasted into the search text), dropped after the operator that
/// reads it; a string value Splunk left without a field is KQL's "".
#[test]
fn toscalar_of_another_query_is_a_left_join_on_a_constant_key() {
    let (t, notes) = approx(ir_of(
        "let Watched = toscalar(_GetWatchlist('Paths') | where Kind == \"exact\" | summarize take_any(Path));\n\
         SecurityEvent | where CommandLine == Watched",
    ));
    insta::assert_snapshot!(tail(&t), @r#"
    | eval __kqlport_k=1
    | join type=left max=1 __kqlport_k
        [| inputlookup Paths
        | where Kind=="exact"
        | stats first(Path) AS Path
        | eval __kqlport_agg_value0=Path
        | table __kqlport_agg_value0
        | eval __kqlport_k=1
        | table __kqlport_k __kqlport_agg_value0]
    | fields - __kqlport_k
    | eval __kqlport_agg_value0=coalesce(__kqlport_agg_value0, "")
    | where coalesce(CommandLine, "")==coalesce(__kqlport_agg_value0, "")
    | fields - __kqlport_agg_value0
    "#);
    // The lookup the user must create, and the join's time limit: both decide the value a
    // `where` tests, so both are row differences.
    let effects: Vec<Effect> = notes.iter().map(|n| n.2).collect();
    assert!(
        effects.contains(&Effect::OverMatch) && effects.contains(&Effect::UnderMatch),
        "{notes:?}"
    );
}

/// A regex another query builds (a watchlist's patterns joined into one alternation) is
/// matched by `match()`, which reads its regex as a value when the search runs.
#[test]
fn a_regex_built_by_another_query_is_matched_as_a_value() {
    let (t, notes) = approx(ir_of(
        "let R = toscalar(_GetWatchlist('P') | summarize L = make_list(Pattern) | extend L = strcat(@\"^(\", strcat_array(L, \"|\"), @\")$\"));\n\
         SigninLogs | where not(UserPrincipalName matches regex R)",
    ));
    insta::assert_snapshot!(tail(&t), @r#"
    | eval __kqlport_k=1
    | join type=left max=1 __kqlport_k
        [| inputlookup P
        | stats list(Pattern) AS L
        | eval L="^(".coalesce(mvjoin(L, "|"), "").")$"
        | eval __kqlport_agg_value0=L
        | table __kqlport_agg_value0
        | eval __kqlport_k=1
        | table __kqlport_k __kqlport_agg_value0]
    | fields - __kqlport_k
    | eval __kqlport_agg_value0=coalesce(__kqlport_agg_value0, "")
    | where NOT match(coalesce(UserPrincipalName, ""), coalesce(__kqlport_agg_value0, ""))
    | fields - __kqlport_agg_value0
    "#);
    // PCRE is not RE2: both ways.
    assert!(notes.iter().any(|n| n.2 == Effect::OverMatch), "{notes:?}");
    assert!(notes.iter().any(|n| n.2 == Effect::UnderMatch), "{notes:?}");
}

#[test]
fn ipv4_lookup_over_externaldata_is_a_cidr_lookup_one_row_per_range() {
    let q = ir_of(
        "let IP_Data = externaldata(network:string)[@\"https://example.com/vps.csv\"] with (format=\"csv\");\n\
         SigninLogs | evaluate ipv4_lookup(IP_Data, IPAddress, network) | project IPAddress, network",
    );
    let out = Spl
        .translate(&RuleContext::default(), &q)
        .expect("translated");
    insta::assert_snapshot!(tail(&out.text), @r"
    | lookup IP_Data network AS IPAddress OUTPUT network
    | where isnotnull(network)
    | mvexpand network
    | table IPAddress network
    ");
    let Fidelity::Approximate(notes) = out.fidelity else {
        panic!("notes expected")
    };
    assert!(notes
        .iter()
        .any(|n| n.message.contains("`match_type = CIDR(network)`")));
    // Several columns, or unmatched rows kept: no mvexpand, and a note on shared rows.
    let q = ir_of(
        "let Nets = externaldata(network:string, Provider:string)[@\"https://example.com/n.csv\"];\n\
         SigninLogs | evaluate ipv4_lookup(Nets, IPAddress, network, return_unmatched = true)",
    );
    let out = Spl
        .translate(&RuleContext::default(), &q)
        .expect("translated");
    insta::assert_snapshot!(tail(&out.text), @"| lookup Nets network AS IPAddress OUTPUT network Provider");
    let Fidelity::Approximate(notes) = out.fidelity else {
        panic!("notes expected")
    };
    assert!(notes
        .iter()
        .any(|n| n.effect == Effect::UnderMatch && n.message.contains("one row per range")));
}
