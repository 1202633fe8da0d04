//! Arrays: array_length as MV_COUNT, split columns indexed exactly.

use super::*;

#[test]
fn array_length_is_mv_count_with_notes() {
    let mut len = call(ScalarFn::ArrayLength, vec![field("Users")]);
    len.span = sp(2, 6);
    let t = run(&query("T", vec![filter(cmp(len, CmpOp::Gt, long(3)))])).unwrap();
    assert_eq!(
        t.text,
        "FROM T\n| WHERE MV_COUNT(Users) > 3\n| LIMIT 10000\n"
    );
    let n = notes(&t);
    let effects: Vec<_> = n.iter().map(|n| (n.0, n.1)).collect();
    assert_eq!(
        effects,
        vec![
            (sp(2, 6), Effect::UnderMatch),
            (sp(2, 6), Effect::OverMatch)
        ]
    );
    assert!(n[0].2.contains("empty array"));
}

#[test]
fn split_columns_are_indexed_exactly() {
    let idx = |c: &str, i: i64| indexed(c, vec![PathSegment::Index(i)], false, sp(0, 0));
    let t = run(&query(
        "T",
        vec![
            stage(StageKind::Extend(vec![assign(
                "parts",
                call(ScalarFn::Split, vec![field("Name"), string(".")]),
            )])),
            stage(StageKind::Extend(vec![
                assign("head", idx("parts", 0)),
                assign("tail", idx("parts", -1)),
            ])),
        ],
    ))
    .unwrap();
    assert_eq!(
        t.text,
        "FROM T\n\
         | EVAL parts = SPLIT(COALESCE(Name, \"\"), \".\")\n\
         | EVAL head = MV_SLICE(parts, 0), tail = MV_SLICE(parts, -1)\n\
         | LIMIT 10000\n"
    );
    // Only the note on the whole array (an array of one is a single value).
    let n = notes(&t);
    assert_eq!(n.len(), 1);
    assert!(n[0].2.contains("array of one"));
    // Once the column is reassigned, an index reads it as a flattened field again (notes).
    let t = run(&query(
        "T",
        vec![
            stage(StageKind::Extend(vec![assign(
                "parts",
                call(ScalarFn::Split, vec![field("Name"), string(".")]),
            )])),
            stage(StageKind::Extend(vec![assign("parts", field("Other"))])),
            stage(StageKind::Extend(vec![assign("head", idx("parts", 0))])),
        ],
    ))
    .unwrap();
    assert!(t.text.contains("EVAL head = MV_FIRST(parts)"));
    assert!(notes(&t).iter().any(|n| n.1 == Effect::UnderMatch));
    // SPLIT takes a one-byte delimiter.
    assert_eq!(
        ext1(call(ScalarFn::Split, vec![field("Name"), string(", ")])).unwrap_err()[0]
            .code
            .as_str(),
        "B005"
    );
}

#[test]
fn split_columns_at_a_computed_integer_index() {
    // MV_SLICE counts from 0, negative from the end, null out of range or for a null index
    // (mv_slice page), as KQL's index does; its start is an integer, so the index is converted.
    let t = run(&ir_of(
        r#"T | extend p = split(Name, ".") | extend n = array_length(p) - 1 | extend a = tostring(p[n]), b = tostring(p[array_length(p) - 3])"#,
    ))
    .unwrap();
    assert!(
        t.text.contains("MV_SLICE(p, TO_INTEGER(n))")
            && t.text.contains("MV_SLICE(p, TO_INTEGER(MV_COUNT(p) - 3))"),
        "{}",
        t.text
    );
    // A string index, or an array that is not a split column, stays declined.
    for q in [
        r#"T | extend p = split(Name, ".") | extend a = tostring(p[tostring(K)])"#,
        "T | extend a = tostring(D[toint(K)])",
    ] {
        assert_eq!(run(&ir_of(q)).unwrap_err()[0].code.as_str(), "B005", "{q}");
    }
}

#[test]
fn split_index_with_a_long_delimiter_uses_a_regex() {
    let at = |d: &str, i: i64, extra: Option<i64>| {
        let mut args = vec![field("S"), string(d)];
        if let Some(k) = extra {
            args.push(long(k));
        }
        e(ExprKind::Path {
            base: Box::new(call(ScalarFn::Split, args)),
            path: vec![PathSegment::Index(i)],
        })
    };
    assert_eq!(
        eval_of(at("::", 0, None)),
        r#"| EVAL x = REPLACE(COALESCE(S, ""), "\\A(?:(?s:.*?)\\:\\:){0}((?s:.*?))(?:\\:\\:(?s:.*))?\\z", "$1")"#
    );
    // Element 2 exists only with at least two delimiters; otherwise null, as in KQL.
    assert_eq!(
        eval_of(at("ab", 2, None)),
        r#"| EVAL x = CASE(LENGTH(REPLACE(COALESCE(S, ""), "ab", "xx")) - LENGTH(REPLACE(COALESCE(S, ""), "ab", "x")) >= 2, REPLACE(COALESCE(S, ""), "\\A(?:(?s:.*?)ab){2}((?s:.*?))(?:ab(?s:.*))?\\z", "$1"), NULL)"#
    );
    // split(s, d, k)[0] is split(s, d)[k].
    assert_eq!(
        eval_of(at("/", 0, Some(3))),
        r#"| EVAL x = MV_SLICE(SPLIT(COALESCE(S, ""), "/"), 3)"#
    );
    // ... and so is [-1] (the array has one element); any other position is null: declined.
    assert_eq!(
        eval_of(at("/", -1, Some(3))),
        r#"| EVAL x = MV_SLICE(SPLIT(COALESCE(S, ""), "/"), 3)"#
    );
    assert_eq!(
        ext1(at("/", 1, Some(3))).unwrap_err()[0].code.as_str(),
        "B004"
    );
    assert_eq!(
        ext1(at("::", -1, None)).unwrap_err()[0].code.as_str(),
        "B004"
    );
}

#[test]
fn dynamic_null_is_null() {
    // `dynamic(null)` is the null value: its array_length is null, never 2 (approximate for
    // split and array_length's own notes)
    let t = run(&ir_of(
        "T | extend k = iff(c == 1, dynamic(null), split(a, '/')) | where array_length(k) == 2",
    ))
    .expect("translated");
    insta::assert_snapshot!(t.text, @r#"
        FROM T
        | EVAL k = CASE(c == 1, NULL, SPLIT(COALESCE(a, ""), "/"))
        | WHERE MV_COUNT(k) == 2
        | LIMIT 10000
        "#);
}
