//! `join` is declined by this target, at the join operator, with a help line.

use kqlport::backend::{Backend, RuleContext};
use kqlport::{kql, lower};

#[test]
fn joins_are_declined_at_the_join_operator() {
    let q = "T | where a == 'x' | join kind=inner (U | where b == 'y') on $left.a == $right.b";
    let ast = kql::parse(q).unwrap();
    let ir = lower::lower(&ast).unwrap().query;
    let errs = kqlport_sigma::Sigma
        .translate(&RuleContext::default(), &ir)
        .unwrap_err();
    let join: Vec<_> = errs.iter().filter(|d| d.code.as_str() == "B057").collect();
    assert_eq!(join.len(), 1, "{errs:?}");
    assert_eq!(
        &q[join[0].span.range()],
        "join kind=inner (U | where b == 'y') on $left.a == $right.b"
    );
    assert!(join[0].message.contains("join kind=inner"), "{join:?}");
    assert!(
        join[0].help.as_deref().unwrap_or("").contains("temporal"),
        "{join:?}"
    );
}
