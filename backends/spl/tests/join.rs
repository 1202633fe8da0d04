//! Joins in SPL: the exact text of each supported flavour, its notes, and the refusals.

use kqlport::backend::{Backend, Effect, RuleContext};
use kqlport::test_support::{notes_of, translate};
use kqlport::{kql, lower};
use kqlport_spl::Spl;

fn spl(q: &str) -> (String, Vec<(Effect, String)>) {
    let t = translate(&Spl, q).unwrap_or_else(|e| panic!("{q}: {e:?}"));
    let notes = notes_of(&t);
    (t.text, notes)
}

fn effects(notes: &[(Effect, String)]) -> Vec<Effect> {
    notes.iter().map(|(e, _)| *e).collect()
}

#[test]
fn inner_join_keeps_every_match_and_names_clashes_like_kql() {
    let (text, notes) = spl(
        "T | project k, a, x | join kind=inner (U | project k, b, x) on k, $left.a == $right.b",
    );
    assert_eq!(
        text,
        r#"search index=* sourcetype="T"
| table k a x
| fillnull value="" k a
| join type=inner max=0 k a
    [search index=* sourcetype="U"
    | table k b x
    | rename k AS k1, x AS x1
    | eval k=k1, a=b
    | fillnull value="" k a]
"#
    );
    // both sides' columns known: no clash note, only the null-key and cap notes
    assert_eq!(effects(&notes), vec![Effect::OverMatch, Effect::UnderMatch]);
    assert!(notes[1].1.contains("50,000"), "{notes:?}");
}

#[test]
fn the_seed_shape_inner_join_against_a_summarized_let() {
    let (text, notes) = spl(
        "let R = U | where TimeGenerated > ago(30d) | summarize S = make_set(Tags) by NetworkIP;
         T | where TimeGenerated > ago(1h) | join kind=inner R on $left.IPAddress == $right.NetworkIP
         | project TimeGenerated, IPAddress, S",
    );
    assert_eq!(
        text,
        r#"search index=* sourcetype="T" earliest=-3600s latest=2147483647
| where _time>(now() - 3600)
| fillnull value="" IPAddress
| join type=inner max=0 IPAddress
    [search index=* sourcetype="U" earliest=-2592000s latest=2147483647
    | where _time>(now() - 2592000)
    | fillnull value="" NetworkIP
    | stats values(Tags) AS S by NetworkIP
    | eval IPAddress=NetworkIP
    | fillnull value="" IPAddress]
| table _time IPAddress S
| rename _time AS TimeGenerated
"#
    );
    // the left side is a whole table: it may have `NetworkIP` or `S` too; and values() of one
    // element is a single value
    assert_eq!(
        effects(&notes),
        vec![
            Effect::Values,
            Effect::Values,
            Effect::OverMatch,
            Effect::UnderMatch
        ]
    );
    assert!(
        notes.iter().any(|n| n.1.contains("`NetworkIP`, `S`")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.1.contains("one element")),
        "{notes:?}"
    );
}

#[test]
fn innerunique_dedups_the_left_side_first() {
    let (text, notes) = spl("T | join U on k");
    assert_eq!(
        text,
        r#"search index=* sourcetype="T"
| fillnull value="" k
| dedup k
| join type=inner max=0 k
    [search index=* sourcetype="U"
    | rename k AS k1
    | eval k=k1
    | fillnull value="" k]
"#
    );
    assert_eq!(
        effects(&notes),
        vec![
            Effect::Values,
            Effect::Values,
            Effect::OverMatch,
            Effect::UnderMatch
        ]
    );
    assert!(notes.iter().any(|(_, m)| m.contains("dedup")), "{notes:?}");
    assert!(
        notes
            .iter()
            .any(|(_, m)| m.contains("any right-side column")),
        "{notes:?}"
    );
}

#[test]
fn leftouter_semi_and_anti() {
    let (text, _) = spl("T | project k, a | join kind=leftouter (U | project k, b) on k");
    assert_eq!(
        text,
        r#"search index=* sourcetype="T"
| table k a
| fillnull value="" k
| join type=left max=0 k
    [search index=* sourcetype="U"
    | table k b
    | rename k AS k1
    | eval k=k1
    | fillnull value="" k]
"#
    );
    let (text, _) = spl("T | join kind=leftsemi U on $left.a == $right.b");
    assert_eq!(
        text,
        r#"search index=* sourcetype="T"
| fillnull value="" a
| join type=inner max=1 a
    [search index=* sourcetype="U"
    | eval a=b
    | fillnull value="" a
    | table a]
"#
    );
    let (text, notes) = spl("T | join kind=leftanti U on k");
    assert_eq!(
        text,
        r#"search index=* sourcetype="T"
| fillnull value="" k
| join type=left max=1 k
    [search index=* sourcetype="U"
    | fillnull value="" k
    | eval __kqlport_r=1
    | table k __kqlport_r]
| where isnull(__kqlport_r)
| fields - __kqlport_r
"#
    );
    // A non-string key missing on both sides matches as "" here, so the left row is dropped
    // where KQL (null matches nothing) keeps it; a cut-off subsearch keeps left rows that KQL
    // drops.
    assert_eq!(effects(&notes), vec![Effect::UnderMatch, Effect::OverMatch]);
}

#[test]
fn rightanti_and_rightsemi_run_as_the_mirrored_left_join() {
    // `L | join kind=rightanti (R) on $left.a == $right.b` is `R | join kind=leftanti (L) on
    // $left.b == $right.a`: the right side becomes the main search, the left side the
    // subsearch, and the stages after the join continue from it.
    let (text, notes) = spl(
        "T | where x == 1 | join kind=rightanti (U | where y == 2) on $left.a == $right.b | project b, c",
    );
    assert_eq!(
        text,
        r#"search index=* sourcetype="U"
| where y==2
| fillnull value="" b
| join type=left max=1 b
    [search index=* sourcetype="T"
    | where x==1
    | eval b=a
    | fillnull value="" b
    | eval __kqlport_r=1
    | table b __kqlport_r]
| where isnull(__kqlport_r)
| fields - __kqlport_r
| table b c
"#
    );
    assert_eq!(effects(&notes), vec![Effect::UnderMatch, Effect::OverMatch]);
    assert!(
        notes[1].1.contains(
            "the subsearch here is the KQL's left side (`join kind=rightanti` runs as `leftanti`"
        ),
        "{notes:?}"
    );
    let (text, notes) = spl("T | join kind=rightsemi (U) on k");
    assert_eq!(
        text,
        r#"search index=* sourcetype="U"
| fillnull value="" k
| join type=inner max=1 k
    [search index=* sourcetype="T"
    | fillnull value="" k
    | table k]
"#
    );
    assert_eq!(effects(&notes), vec![Effect::OverMatch, Effect::UnderMatch]);
    assert!(
        notes[1]
            .1
            .contains("`join kind=rightsemi` runs as `leftsemi`"),
        "{notes:?}"
    );
}

#[test]
fn right_outer_and_full_joins_are_declined_at_the_join() {
    for kind in ["rightouter", "fullouter"] {
        let q = format!("T | join kind={kind} U on k");
        let ast = kql::parse(&q).unwrap();
        let ir = lower::lower(&ast).unwrap().query;
        let errs = Spl.translate(&RuleContext::default(), &ir).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].code.as_str(), "B030");
        assert_eq!(&q[errs[0].span.range()], format!("join kind={kind} U on k"));
    }
}

#[test]
fn paths_into_right_side_columns_are_declined() {
    // Splunk's join hands over the right rows' extracted fields: `D.a` of a right-side column
    // would read the left event (or nothing), so it is refused at the path.
    let q = "T | join kind=inner (U | project k, D) on k | extend x = tostring(D.a)";
    let errs = translate(&Spl, q).unwrap_err();
    assert_eq!(errs[0].code.as_str(), "B013", "{errs:?}");
    assert_eq!(&q[errs[0].span.range()], "D.a");
    // A path into a left-side column still translates.
    let (t, _) = spl("T | join kind=inner (U | project k, D) on k | extend x = tostring(L.a)");
    assert!(t.contains("x="), "{t}");
}
