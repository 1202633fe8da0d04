//! A note's effect is what can happen to the rows (issue 15): a value that can differ decides
//! rows inside a `where`, and only the value elsewhere.

use kqlport::backend::{Backend, Effect, Fidelity, RuleContext};
use kqlport::{kql, lower};
use kqlport_spl::Spl;

fn effects(q: &str, needle: &str) -> Vec<Effect> {
    let ast = kql::parse(q).unwrap();
    let ir = lower::lower(&ast).unwrap().query;
    let t = Spl.translate(&RuleContext::default(), &ir).unwrap();
    match t.fidelity {
        Fidelity::Exact => Vec::new(),
        Fidelity::Approximate(notes) => notes
            .into_iter()
            .filter(|n| n.message.contains(needle))
            .map(|n| n.effect)
            .collect(),
    }
}

#[test]
fn a_value_that_can_differ_inside_a_where_changes_rows_both_ways() {
    // SPL's tonumber keeps the fraction toint drops: `where toint(x) == 1` passes other rows.
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
    let ast = kql::parse("DeviceProcessEvents | project Timestamp, FileName").unwrap();
    let ir = lower::lower(&ast).unwrap().query;
    let t = Spl.translate(&RuleContext::default(), &ir).unwrap();
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
    let ast = kql::parse(q).unwrap();
    let ir = lower::lower(&ast).unwrap().query;
    let t = Spl.translate(&RuleContext::default(), &ir).unwrap();
    assert_eq!(
        t.text,
        "search index=* sourcetype=\"T\"\n| where _indextime>(now() - 3600)\n| eval Lag=_indextime - _time\n"
    );
    assert_eq!(
        effects(q, "`_indextime`"),
        vec![Effect::OverMatch, Effect::UnderMatch, Effect::Values]
    );
}
