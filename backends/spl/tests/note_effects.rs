//! A note's effect is what can happen to the rows (issue 15): a value that can differ decides
//! rows inside a `where`, and only the value elsewhere.

use kqlport::backend::{Effect, Fidelity};
use kqlport::test_support::{effects_of, translate};
use kqlport_spl::Spl;

/// The effects of the notes on `q`'s translation whose message contains `needle`.
fn effects(q: &str, needle: &str) -> Vec<Effect> {
    effects_of(&translate(&Spl, q).unwrap(), needle)
}

#[test]
fn a_value_that_can_differ_inside_a_where_changes_rows_both_ways() {
    // toint of a value of no known type: KQL converts only integer text ("5.7" is null), SPL's
    // tonumber reads any number, so `where toint(x) == 1` can pass or drop other rows.
    assert_eq!(
        effects("T | where toint(x) == 1", "tonumber()"),
        vec![Effect::OverMatch, Effect::UnderMatch]
    );
    assert_eq!(
        effects("T | extend y = toint(x)", "tonumber()"),
        vec![Effect::Values]
    );
}

#[test]
fn time_columns_keep_their_kql_names_and_the_other_one_is_noted() {
    let t = translate(&Spl, "DeviceProcessEvents | project Timestamp, FileName").unwrap();
    assert!(
        t.text
            .ends_with("| table _time FileName\n| rename _time AS Timestamp\n"),
        "{}",
        t.text
    );
    assert_eq!(t.fidelity, Fidelity::Exact, "{}", t.text);
    // In a Defender XDR table `_time` holds Timestamp; TimeGenerated (ingestion) can differ.
    assert_eq!(
        effects(
            "DeviceProcessEvents | where TimeGenerated > ago(1h)",
            "holds `Timestamp`"
        ),
        vec![Effect::OverMatch, Effect::UnderMatch]
    );
    assert_eq!(
        effects("DeviceProcessEvents | where Timestamp > ago(1h)", "holds"),
        vec![]
    );
    // Elsewhere `_time` is TimeGenerated.
    assert_eq!(
        effects("SigninLogs | where TimeGenerated > ago(1h)", "holds"),
        vec![]
    );
    assert_eq!(
        effects("SigninLogs | project Timestamp", "holds `TimeGenerated`"),
        vec![Effect::Values]
    );
}

#[test]
fn ingestion_time_reads_splunks_own_index_time() {
    // `_indextime` (epoch seconds, as `_time`) is when Splunk indexed the event, another clock
    // than Sentinel's ingestion: a window on it can keep or drop other rows; elsewhere values.
    let q = "T | where ingestion_time() > ago(1h) | extend Lag = ingestion_time() - TimeGenerated";
    let t = translate(&Spl, q).unwrap();
    assert_eq!(
        t.text,
        "search index=* sourcetype=\"T\"\n| where _indextime>(now() - 3600)\n| eval Lag=_indextime - _time\n"
    );
    assert_eq!(
        effects(q, "`_indextime`"),
        vec![Effect::OverMatch, Effect::UnderMatch, Effect::Values]
    );
}
