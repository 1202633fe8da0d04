//! Comparisons and other predicates: numbers and their null rules, strlen and arithmetic, sets,
//! ranges, emptiness, booleans, logic; what EQL cannot compare is declined.

use super::*;

#[test]
fn numeric_comparisons_and_their_null_rules() {
    assert_eq!(
        eql(cmp(field("P"), CmpOp::Eq, long(443))),
        "T where P == 443\n"
    );
    assert_eq!(
        eql(cmp(field("P"), CmpOp::Ne, long(443))),
        "T where P == null or P != 443\n"
    );
    assert_eq!(eql(cmp(field("P"), CmpOp::Gt, long(1))), "T where P > 1\n");
    // Literal on the left is flipped.
    assert_eq!(eql(cmp(long(1), CmpOp::Lt, field("P"))), "T where P > 1\n");
    // not(P > 1) is null in KQL for a missing P: falsy, so the guard excludes missing.
    assert_eq!(
        eql(not(cmp(field("P"), CmpOp::Gt, long(1)))),
        "T where P != null and P <= 1\n"
    );
    // not(P == 1) is true for a missing P (== with null is false).
    assert_eq!(
        eql(not(cmp(field("P"), CmpOp::Eq, long(1)))),
        "T where P == null or P != 1\n"
    );
    assert_eq!(
        eql(cmp(field("R"), CmpOp::Ge, lit(Literal::Real(0.5)))),
        "T where R >= 0.5\n"
    );
    assert_eq!(
        eql(cmp(field("P"), CmpOp::Gt, long(-3))),
        "T where P > -3\n"
    );
    assert_eq!(
        eql(cmp(field("B"), CmpOp::Eq, lit(Literal::Bool(true)))),
        "T where B == true\n"
    );
}

#[test]
fn strlen_and_arithmetic() {
    let len = call(ScalarFn::Strlen, vec![field("C")]);
    assert_eq!(
        eql(cmp(len.clone(), CmpOp::Gt, long(100))),
        "T where length(C) > 100\n"
    );
    // strlen("") = 0 < 5: events without C match in KQL.
    assert_eq!(
        eql(cmp(len.clone(), CmpOp::Lt, long(5))),
        "T where C == null or length(C) < 5\n"
    );
    let sum = Expr {
        kind: ExprKind::Arith {
            op: ir::ArithOp::Add,
            lhs: Box::new(field("A")),
            rhs: Box::new(long(1)),
        },
        span: sp(0, 0),
    };
    assert_eq!(eql(cmp(sum, CmpOp::Eq, long(3))), "T where (A + 1) == 3\n");
}

#[test]
fn in_set_between_isempty_isnull() {
    let inset = |negated| {
        p(PredicateKind::InSet {
            expr: field("P"),
            values: vec![Literal::Long(80), Literal::Long(443)],
            negated,
        })
    };
    assert_eq!(eql(inset(false)), "T where P in (80, 443)\n");
    assert_eq!(
        eql(inset(true)),
        "T where P == null or P not in (80, 443)\n"
    );
    let between = |negated| {
        p(PredicateKind::Between {
            expr: field("P"),
            low: long(1),
            high: long(1024),
            negated,
        })
    };
    assert_eq!(eql(between(false)), "T where P >= 1 and P <= 1024\n");
    assert_eq!(
        eql(between(true)),
        "T where P != null and (P < 1 or P > 1024)\n"
    );
    let empty = |negated| {
        p(PredicateKind::IsEmpty {
            expr: field("F"),
            negated,
        })
    };
    assert_eq!(eql(empty(false)), "T where F == null or F == \"\"\n");
    assert_eq!(eql(empty(true)), "T where F != null and F != \"\"\n");
    assert_eq!(eql(not(empty(false))), "T where F != null and F != \"\"\n");
    let null = |negated| {
        p(PredicateKind::IsNull {
            expr: field("P"),
            negated,
        })
    };
    assert_eq!(eql(null(false)), "T where P == null\n");
    assert_eq!(eql(null(true)), "T where P != null\n");
}

#[test]
fn logic_is_parenthesised_and_negation_pushed_to_leaves() {
    let a = ci("A", Equals, "1");
    let b = ci("B", Equals, "2");
    let c = cmp(field("P"), CmpOp::Eq, long(3));
    assert_eq!(
        eql(or(vec![and(vec![a.clone(), b.clone()]), c.clone()])),
        "T where (A : \"1\" and B : \"2\") or P == 3\n"
    );
    assert_eq!(
        eql(and(vec![or(vec![a.clone(), b.clone()]), c.clone()])),
        "T where (A : \"1\" or B : \"2\") and P == 3\n"
    );
    assert_eq!(
        eql(not(or(vec![a.clone(), c.clone()]))),
        "T where (A == null or not (A : \"1\")) and (P == null or P != 3)\n"
    );
    assert_eq!(eql(not(not(a.clone()))), "T where A : \"1\"\n");
    assert_eq!(eql(p(PredicateKind::Const(false))), "T where false\n");
}

#[test]
fn bool_predicates() {
    assert_eq!(
        eql(p(PredicateKind::Bool(field("IsAdmin")))),
        "T where IsAdmin == true\n"
    );
    assert_eq!(
        eql(not(p(PredicateKind::Bool(field("IsAdmin"))))),
        "T where IsAdmin == false\n"
    );
    assert_eq!(
        eql(p(PredicateKind::Bool(call(
            ScalarFn::Ipv4IsPrivate,
            vec![field("IP")]
        )))),
        "T where cidrMatch(IP, \"10.0.0.0/8\", \"172.16.0.0/12\", \"192.168.0.0/16\")\n"
    );
    assert_eq!(
        eql(not(p(PredicateKind::Bool(call(
            ScalarFn::Ipv4IsInRange,
            vec![field("IP"), lit(Literal::String("10.0.0.0/8".into()))]
        ))))),
        "T where IP != null and not (cidrMatch(IP, \"10.0.0.0/8\"))\n"
    );
}

#[test]
fn field_to_field_comparison_is_declined() {
    let d = declined_pred(at(cmp(field("A"), CmpOp::Eq, field("B")), 10, 16));
    assert_eq!((d.code.as_str(), d.span.range()), ("B064", 10..16));
}

#[test]
fn datetime_literals_and_now_are_declined() {
    let d = declined_pred(cmp(
        field("TimeGenerated"),
        CmpOp::Gt,
        Expr {
            kind: ExprKind::Literal(Literal::DateTime("2024-01-01T00:00:00Z".into())),
            span: sp(20, 40),
        },
    ));
    assert_eq!((d.code.as_str(), d.span.range()), ("B067", 20..40));
}
