//! A note's effect is what can happen to the rows (issue 15): a value that can differ decides
//! rows inside a `where`; a group key that can split a KQL group adds and removes rows.

use kqlport::backend::{Effect, Fidelity, Translation};
use kqlport::test_support::effects_of as effects;

fn translate(q: &str) -> Translation {
    kqlport::test_support::translate(&kqlport_esql::Esql, q).unwrap()
}

#[test]
fn a_value_that_can_differ_inside_a_where_changes_rows_both_ways() {
    // KQL's coalesce skips "" where ES|QL's COALESCE does not.
    let t = translate("T | where coalesce(a, b) == 'x'");
    assert_eq!(
        effects(&t, "coalesce"),
        vec![Effect::OverMatch, Effect::UnderMatch]
    );
    let t = translate("T | extend c = coalesce(a, b)");
    assert_eq!(effects(&t, "coalesce"), vec![Effect::Values]);
}

#[test]
fn string_group_keys_are_exact_and_unknown_ones_can_split_a_group() {
    // SigninLogs.UserPrincipalName is a string in the schema: missing and "" are one group.
    let t = translate("SigninLogs | summarize n = count() by UserPrincipalName");
    assert!(
        t.text.contains(
            "| STATS n = COUNT(*) BY UserPrincipalName = COALESCE(UserPrincipalName, \"\")\n"
        ),
        "{}",
        t.text
    );
    assert_eq!(t.fidelity, Fidelity::Exact, "{}", t.text);
    // A `tostring` is already never null: not wrapped twice.
    let t = translate("T | summarize n = count() by k = tostring(x)");
    assert!(
        t.text.contains("BY k = COALESCE(TO_STRING(x), \"\")\n"),
        "{}",
        t.text
    );
    // A long key has a null group in both languages.
    let t = translate("SigninLogs | summarize n = count() by DurationMs");
    assert_eq!(t.fidelity, Fidelity::Exact, "{}", t.text);
    // An unknown table: the key may be a string whose missing values KQL groups with "".
    let t = translate("T | summarize n = count() by k | where n > 5");
    assert_eq!(
        effects(&t, "null group"),
        vec![Effect::OverMatch, Effect::UnderMatch]
    );
    let t = translate("T | distinct k");
    assert_eq!(effects(&t, "null `k`"), vec![Effect::OverMatch]);
}

#[test]
fn ingestion_time_reads_event_ingested_where_ingest_sets_it() {
    let t = translate("T | where ingestion_time() > ago(1h) | extend It = ingestion_time()");
    assert_eq!(
        t.text,
        "FROM T\n| WHERE event.ingested > NOW() - 1 hour\n| EVAL It = event.ingested\n| LIMIT 10000\n"
    );
    assert_eq!(
        effects(&t, "`event.ingested`"),
        vec![Effect::OverMatch, Effect::UnderMatch, Effect::Values]
    );
}
