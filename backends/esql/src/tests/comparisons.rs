//! Comparisons and other predicates: the KQL null rules by operand type, column-to-column tests,
//! sets, ranges and emptiness.

use super::*;

#[test]
fn numeric_comparisons_follow_kql_null_rules() {
    assert_eq!(
        where_of(cmp(field("RemotePort"), CmpOp::Ne, long(443))),
        "RemotePort IS NULL OR RemotePort != 443"
    );
    assert_eq!(
        where_of(not(cmp(field("RemotePort"), CmpOp::Eq, long(443)))),
        "RemotePort IS NULL OR RemotePort != 443"
    );
    assert_eq!(
        where_of(not(cmp(field("RemotePort"), CmpOp::Ne, long(443)))),
        "RemotePort == 443"
    );
    assert_eq!(
        where_of(not(cmp(field("RemotePort"), CmpOp::Lt, long(1024)))),
        "RemotePort >= 1024"
    );
    assert_eq!(
        where_of(typed_cmp(
            field("A"),
            CmpOp::Ne,
            field("B"),
            Operands::NotStrings
        )),
        "(A IS NULL AND B IS NOT NULL) OR (A IS NOT NULL AND B IS NULL) OR A != B"
    );
}

#[test]
fn string_columns_compare_with_missing_as_empty() {
    // KQL strings are never null: a missing one is "", so both sides are coalesced.
    for (op, text) in [(CmpOp::Ne, "!="), (CmpOp::Eq, "=="), (CmpOp::Lt, "<")] {
        assert_eq!(
            where_of(typed_cmp(field("A"), op, field("B"), Operands::Strings)),
            format!("COALESCE(A, \"\") {text} COALESCE(B, \"\")")
        );
    }
    // `not(a == b)` is `a != b` on never-null strings.
    assert_eq!(
        where_of(not(typed_cmp(
            field("A"),
            CmpOp::Eq,
            field("B"),
            Operands::Strings
        ))),
        "COALESCE(A, \"\") != COALESCE(B, \"\")"
    );
}

#[test]
fn non_string_columns_follow_kql_null_rules() {
    // null == x is false, null < x null: ES|QL's own comparison; exact.
    assert_eq!(
        where_of(typed_cmp(
            field("A"),
            CmpOp::Eq,
            field("B"),
            Operands::NotStrings
        )),
        "A == B"
    );
    assert_eq!(
        where_of(not(typed_cmp(
            field("A"),
            CmpOp::Lt,
            field("B"),
            Operands::NotStrings
        ))),
        "A >= B"
    );
    // not(a == b) is true when exactly one side is null.
    assert_eq!(
        where_of(not(typed_cmp(
            field("A"),
            CmpOp::Eq,
            field("B"),
            Operands::NotStrings
        ))),
        "(A IS NULL AND B IS NOT NULL) OR (A IS NOT NULL AND B IS NULL) OR A != B"
    );
}

#[test]
fn unknown_type_columns_note_the_string_case() {
    let cases = [
        (CmpOp::Ne, Effect::OverMatch),
        (CmpOp::Eq, Effect::UnderMatch),
        (CmpOp::Ge, Effect::UnderMatch),
    ];
    for (op, effect) in cases {
        let t = run(&query(
            "T",
            vec![filter(typed_cmp(
                field("A"),
                op,
                field("B"),
                Operands::Unknown,
            ))],
        ))
        .expect("ok");
        let n = notes(&t);
        assert_eq!(n.len(), 1, "{}", t.text);
        assert_eq!(n[0].1, effect, "{}", t.text);
        assert!(n[0].2.contains("unknown type"), "{:?}", n[0]);
    }
}

#[test]
fn column_equality_notes_the_missing_string_case() {
    let t = run(&query(
        "T",
        vec![filter(cmp(field("A"), CmpOp::Eq, field("B")))],
    ))
    .expect("ok");
    assert_eq!(t.text, "FROM T\n| WHERE A == B\n| LIMIT 10000\n");
    assert_eq!(notes(&t)[0].1, Effect::UnderMatch);
}

#[test]
fn set_range_and_emptiness_predicates() {
    assert_eq!(
        where_of(p(PredicateKind::InSet {
            expr: field("EventID"),
            values: vec![Literal::Long(4624), Literal::Long(4625)],
            negated: true,
        })),
        "EventID IS NULL OR EventID NOT IN (4624, 4625)"
    );
    assert_eq!(
        where_of(p(PredicateKind::Between {
            expr: field("RemotePort"),
            low: long(1),
            high: long(1024),
            negated: false,
        })),
        "RemotePort >= 1 AND RemotePort <= 1024"
    );
    assert_eq!(
        where_of(not(p(PredicateKind::Between {
            expr: field("RemotePort"),
            low: long(1),
            high: long(1024),
            negated: false,
        }))),
        "RemotePort < 1 OR RemotePort > 1024"
    );
    assert_eq!(
        where_of(p(PredicateKind::IsEmpty {
            expr: field("A"),
            negated: false
        })),
        "A IS NULL OR TO_STRING(A) == \"\""
    );
    assert_eq!(
        where_of(p(PredicateKind::IsEmpty {
            expr: field("A"),
            negated: true
        })),
        // The pushable half leads (`pushdown`).
        "A IS NOT NULL | WHERE TO_STRING(A) != \"\""
    );
    assert_eq!(
        where_of(not(p(PredicateKind::IsNull {
            expr: field("RemotePort"),
            negated: false
        }))),
        "RemotePort IS NOT NULL"
    );
    assert_eq!(
        where_of(p(PredicateKind::Bool(call(
            ScalarFn::Ipv4IsPrivate,
            vec![field("RemoteIP")]
        )))),
        "CIDR_MATCH(TO_IP(RemoteIP), \"10.0.0.0/8\", \"172.16.0.0/12\", \"192.168.0.0/16\")"
    );
    assert_eq!(
        where_of(not(p(PredicateKind::Bool(call(
            ScalarFn::Ipv4IsInRange,
            vec![field("RemoteIP"), string("10.1.2.3")]
        ))))),
        "NOT (CIDR_MATCH(TO_IP(RemoteIP), \"10.1.2.3/32\"))"
    );
    assert_eq!(where_of(p(PredicateKind::Const(false))), "FALSE");
}
