//! `join` is declined by this target, at the join operator, with a help line.

use kqlport::test_support::{the_one, translate};

#[test]
fn joins_are_declined_at_the_join_operator() {
    let q = "T | where a == 'x' | join kind=inner (U | where b == 'y') on $left.a == $right.b";
    let errs = translate(&kqlport_eql::Eql, q).unwrap_err();
    let join = the_one(&errs, "B030");
    assert_eq!(
        &q[join.span.range()],
        "join kind=inner (U | where b == 'y') on $left.a == $right.b"
    );
    assert!(join.message.contains("join kind=inner"), "{join:?}");
    let help = join.help.as_deref().unwrap_or("");
    assert!(help.contains("sequence by"), "{join:?}");
}
