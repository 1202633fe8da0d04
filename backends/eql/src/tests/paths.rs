//! Dynamic paths: parsed JSON paths as object fields, emptiness of a dynamic member.

use super::*;

#[test]
fn parsed_json_paths_are_object_fields_with_a_note() {
    let pr = at(
        p(PredicateKind::StrMatch(StrMatch {
            field: Expr {
                kind: ExprKind::Field(FieldPath {
                    column: "AdditionalFields".into(),
                    path: vec![PathSegment::Key("Name".into())],
                    parsed: true,
                }),
                span: sp(7, 40),
            },
            kind: Equals,
            case: Case::Insensitive,
            values: vec!["x".into()],
            quantifier: Quantifier::Any,
            negated: false,
        })),
        7,
        50,
    );
    let t = run(&query("T", vec![filter(pr)])).expect("ok");
    assert_eq!(t.text, "T where AdditionalFields.Name : \"x\"\n");
    let n = notes(&t);
    assert_eq!(
        (n[0].effect, n[0].span.range()),
        (Effect::UnderMatch, 7..40)
    );
}

#[test]
fn emptiness_of_a_dynamic_member_is_noted() {
    // `isnotempty(InitiatedBy.app)`: an object-valued member has no value in EQL.
    let pr = p(PredicateKind::IsEmpty {
        expr: path_segs("InitiatedBy", vec![PathSegment::Key("app".into())], false),
        negated: true,
    });
    let t = run(&query("AuditLogs", vec![filter(pr)])).expect("translates");
    match &t.fidelity {
        Fidelity::Approximate(n) => {
            assert_eq!(n.len(), 1);
            assert_eq!(n[0].effect, Effect::UnderMatch);
        }
        other => panic!("expected a note: {other:?}"),
    }
    assert_eq!(
        t.text,
        "AuditLogs where InitiatedBy.app != null and InitiatedBy.app != \"\"\n"
    );
}
