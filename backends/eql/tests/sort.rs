//! A final sort only orders the rows, and this target returns events unordered: the sort is
//! dropped with an `order` note at its span. A sort that a later stage depends on (`take`,
//! `top`, a summarize) is still declined there.

use kqlport::backend::{Backend, Effect, Fidelity, RuleContext, Translation};
use kqlport::diag::Diagnostic;
use kqlport::{kql, lower};

fn translate(q: &str) -> Result<Translation, Vec<Diagnostic>> {
    let ast = kql::parse(q).unwrap();
    let ir = lower::lower(&ast).unwrap().query;
    kqlport_eql::Eql.translate(&RuleContext::default(), &ir)
}

#[test]
fn a_final_sort_is_dropped_with_an_order_note() {
    let q = "T | where a == 'x' | sort by TimeGenerated asc | project a, TimeGenerated";
    let t = translate(q).unwrap();
    let Fidelity::Approximate(notes) = &t.fidelity else {
        panic!("expected an approximate translation: {t:?}")
    };
    let order: Vec<_> = notes.iter().filter(|n| n.effect == Effect::Order).collect();
    assert_eq!(order.len(), 1, "{notes:?}");
    assert_eq!(&q[order[0].span.range()], "sort by TimeGenerated asc");
}

#[test]
fn a_sort_that_feeds_take_is_declined_at_the_sort() {
    let q = "T | where a == 'x' | sort by TimeGenerated asc | take 5";
    let errs = translate(q).unwrap_err();
    assert!(
        errs.iter()
            .any(|d| &q[d.span.range()] == "sort by TimeGenerated asc"),
        "{errs:?}"
    );
}
