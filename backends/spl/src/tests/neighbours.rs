//! `next()`/`prev()`: `streamstats current=f window=1 last(…)`, `reverse` around it for `next()`.

use super::*;

#[test]
fn prev_reads_the_result_before_and_next_the_one_after() {
    let q = "SecurityEvent | sort by Account asc, TimeGenerated asc \
             | extend p = prev(EventID), n = next(Account, 1) | project Account, p, n";
    let (t, notes) = approx(ir_of(q));
    insta::assert_snapshot!(tail(&t), @r"
    | eval __kqlport_null1=if(isnull(Account), 1, 0)
    | sort 0 -__kqlport_null1, +Account, +_time
    | fields - __kqlport_null1
    | streamstats current=f window=1 last(EventID) AS p
    | reverse
    | streamstats current=f window=1 last(Account) AS n
    | reverse
    | table Account p n
    ");
    // Ties on the sort key: which row is the neighbour is not defined (values only here).
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes.iter().all(|n| n.2 == Effect::Values), "{notes:?}");
}

#[test]
fn a_tested_neighbour_can_change_rows() {
    let q = "SecurityEvent | sort by Account asc | extend n = next(Account) | where Account == n";
    let (_, notes) = approx(ir_of(q));
    assert!(notes.iter().any(|n| n.2 == Effect::OverMatch), "{notes:?}");
    assert!(notes.iter().any(|n| n.2 == Effect::UnderMatch), "{notes:?}");
}

#[test]
fn a_computed_value_is_read_as_extend_computes_it() {
    // `prev(p)` of a column the earlier extend computed: a plain field read.
    let q = "SecurityEvent | top 3 by TimeGenerated asc | extend p = prev(EventID) \
             | extend pp = prev(p) | project p, pp";
    let (t, _) = approx(ir_of(q));
    assert!(
        t.contains("last(EventID) AS p\n| streamstats current=f window=1 last(p) AS pp"),
        "{t}"
    );
}

#[test]
fn a_dynamic_value_is_declined() {
    let q = "SecurityEvent | sort by TimeGenerated asc | extend d = todynamic(Account) \
             | extend p = prev(d)";
    assert!(declined(ir_of(q)).iter().any(|d| d.0 == "B072"));
}
