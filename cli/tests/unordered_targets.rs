//! EQL and Sigma return events unordered. A final sort only orders the rows, so each of them
//! drops it with an `order` note at its span; a sort that a later stage depends on (`take`,
//! `top`, a summarize) is still declined there. One test for both targets, since the rule is
//! the IR's (`Query::order_unused_after`).

use kqlport::backend::{Backend, Effect, Fidelity, RuleContext, Translation};
use kqlport::diag::Diagnostic;
use kqlport::{kql, lower};

const UNORDERED: [&dyn Backend; 2] = [&kqlport_eql::Eql, &kqlport_sigma::Sigma];

fn translate(backend: &dyn Backend, q: &str) -> Result<Translation, Vec<Diagnostic>> {
    let ast = kql::parse(q).unwrap();
    let ir = lower::lower(&ast).unwrap().query;
    backend.translate(&RuleContext::default(), &ir)
}

#[test]
fn a_final_sort_is_dropped_with_an_order_note() {
    let q = "T | where a == 'x' | sort by TimeGenerated asc | project a, TimeGenerated";
    for backend in UNORDERED {
        let t = translate(backend, q).unwrap();
        let Fidelity::Approximate(notes) = &t.fidelity else {
            panic!(
                "{}: expected an approximate translation: {t:?}",
                backend.name()
            )
        };
        let order: Vec<_> = notes.iter().filter(|n| n.effect == Effect::Order).collect();
        assert_eq!(order.len(), 1, "{}: {notes:?}", backend.name());
        assert_eq!(&q[order[0].span.range()], "sort by TimeGenerated asc");
    }
}

#[test]
fn a_sort_that_feeds_take_is_declined_at_the_sort() {
    let q = "T | where a == 'x' | sort by TimeGenerated asc | take 5";
    for backend in UNORDERED {
        let errs = translate(backend, q).unwrap_err();
        assert!(
            errs.iter()
                .any(|d| &q[d.span.range()] == "sort by TimeGenerated asc"),
            "{}: {errs:?}",
            backend.name()
        );
    }
}
