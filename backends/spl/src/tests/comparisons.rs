//! Comparisons and other predicates: numbers, sets, ranges, emptiness, column-to-column tests and
//! the KQL null rules by operand type.

use super::*;

#[test]
fn numbers_sets_ranges_emptiness() {
    let t = text(q(vec![filter(and(vec![
        cmp(field("RemotePort"), CmpOp::Ne, long(443)),
        cmp(field("Size"), CmpOp::Gt, lit(Literal::Real(1.5))),
        p(PredicateKind::InSet {
            expr: field("P"),
            values: vec![Literal::Long(1), Literal::Long(2)],
            negated: true,
        }),
        p(PredicateKind::Between {
            expr: field("N"),
            low: long(1),
            high: long(5),
            negated: false,
        }),
        p(PredicateKind::Between {
            expr: field("M"),
            low: long(1),
            high: long(5),
            negated: true,
        }),
        p(PredicateKind::IsEmpty {
            expr: field("E"),
            negated: false,
        }),
        p(PredicateKind::IsEmpty {
            expr: field("F"),
            negated: true,
        }),
        p(PredicateKind::IsNull {
            expr: field("G"),
            negated: true,
        }),
        p(PredicateKind::Bool(field("IsRemote"))),
        p(PredicateKind::Bool(call(
            ScalarFn::Ipv4IsPrivate,
            vec![field("IP")],
        ))),
        p(PredicateKind::Bool(call(
            ScalarFn::Ipv4IsInRange,
            vec![field("IP"), lit(Literal::String("10.1.2.3".into()))],
        ))),
    ]))]));
    assert_eq!(
        tail(&t),
        "| where (isnull(RemotePort) OR RemotePort!=443) AND Size>1.5 AND \
         (isnull(P) OR NOT (P==1 OR P==2)) AND (N>=1 AND N<=5) AND (M<1 OR M>5) AND \
         (isnull(E) OR E==\"\") AND (isnotnull(F) AND F!=\"\") AND isnotnull(G) AND \
         IsRemote==\"true\" AND (cidrmatch(\"10.0.0.0/8\", IP) OR cidrmatch(\"172.16.0.0/12\", IP) \
         OR cidrmatch(\"192.168.0.0/16\", IP)) AND cidrmatch(\"10.1.2.3/32\", IP)"
    );
}

#[test]
fn column_to_column_equality_is_noted() {
    let (t, notes) = approx(q(vec![filter(cmp(field("A"), CmpOp::Eq, field("B")))]));
    assert_eq!(tail(&t), "| where A==B");
    assert_eq!(notes, vec![(10, 20, Effect::UnderMatch)]);
}

#[test]
fn string_columns_compare_with_missing_as_empty() {
    // KQL strings are never null (a missing one is ""): coalesce both sides; exact.
    let ne = typed_cmp(field("A"), CmpOp::Ne, field("B"), Operands::Strings);
    assert_eq!(
        tail(&text(q(vec![filter(ne)]))),
        "| where coalesce(A, \"\")!=coalesce(B, \"\")"
    );
    let eq = typed_cmp(field("A"), CmpOp::Eq, field("B"), Operands::Strings);
    assert_eq!(
        tail(&text(q(vec![filter(not(eq))]))),
        "| where coalesce(A, \"\")!=coalesce(B, \"\")"
    );
}

#[test]
fn non_string_columns_follow_kql_null_rules() {
    // `!=`: true when exactly one side is null (KQL: null != null is null, the row dropped).
    let ne = typed_cmp(field("A"), CmpOp::Ne, field("B"), Operands::NotStrings);
    assert_eq!(
        tail(&text(q(vec![filter(ne)]))),
        "| where (isnull(A) AND isnotnull(B)) OR (isnotnull(A) AND isnull(B)) OR A!=B"
    );
    let lt = typed_cmp(field("A"), CmpOp::Lt, field("B"), Operands::NotStrings);
    assert_eq!(tail(&text(q(vec![filter(not(lt))]))), "| where A>=B");
}

#[test]
fn unknown_type_columns_note_the_string_case() {
    let ne = typed_cmp(field("A"), CmpOp::Ne, field("B"), Operands::Unknown);
    let (t, notes) = approx(q(vec![filter(ne)]));
    assert_eq!(
        tail(&t),
        "| where (isnull(A) AND isnotnull(B)) OR (isnotnull(A) AND isnull(B)) OR A!=B"
    );
    assert_eq!(notes, vec![(10, 20, Effect::OverMatch)]);
    let gt = typed_cmp(field("A"), CmpOp::Gt, field("B"), Operands::Unknown);
    let (t, notes) = approx(q(vec![filter(gt)]));
    assert_eq!(tail(&t), "| where A>B");
    assert_eq!(notes, vec![(10, 20, Effect::UnderMatch)]);
}

#[test]
fn json_booleans_compared_with_bool_values_are_noted() {
    let (t, notes) = approx(q(vec![filter(cmp(
        segs("MsgParts", vec![ix(0), k("isCorrupted")], true),
        CmpOp::Eq,
        lit(Literal::Bool(true)),
    ))]));
    assert_eq!(
        tail(&t),
        "| where json_extract(json_extract(json_extract(_raw, \"MsgParts\"), \"{0}\"), \"isCorrupted\")==\"true\""
    );
    assert_eq!(notes, vec![(10, 20, Effect::UnderMatch)]);
    // Through an extended column too.
    let (_, notes) = approx(q(vec![
        ext("c", segs("MsgParts", vec![ix(0), k("isCorrupted")], true)),
        filter(sm("c", Equals, CS, &["true"])),
    ]));
    assert_eq!(notes, vec![(10, 20, Effect::UnderMatch)]);
}
