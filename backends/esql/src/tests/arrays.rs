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

/// The notes of a translation whose message contains `needle`, as (effect, message).
fn notes_with(t: &Translation, needle: &str) -> Vec<(Effect, String)> {
    notes(t)
        .into_iter()
        .filter(|n| n.2.contains(needle))
        .map(|n| (n.1, n.2))
        .collect()
}

#[test]
fn a_make_set_of_strings_is_expanded_as_its_values() {
    // KQL collects a missing string as "" (never null), so every group's set has a value and
    // MV_EXPAND gives the same rows; only make_set's own VALUES note remains.
    let t = run(&ir_of(
        "SecurityEvent | summarize s = make_set(Computer) by Account | mv-expand s | extend c = toupper(s)",
    ))
    .unwrap();
    insta::assert_snapshot!(t.text, @r#"
    FROM SecurityEvent
    | STATS s = VALUES(COALESCE(Computer, "")) BY Account = COALESCE(Account, "")
    | KEEP Account, s
    | MV_EXPAND s
    | EVAL c = TO_UPPER(s)
    | LIMIT 10000
    "#);
    let n = notes(&t);
    assert_eq!(n.len(), 1, "{n:?}");
    assert!(n[0].2.starts_with("make_set ⇒ VALUES"), "{n:?}");
}

#[test]
fn a_make_list_that_can_be_empty_is_expanded_with_both_differences_noted() {
    let t = run(&ir_of(
        "SecurityEvent | summarize l = make_list(EventID) by Account | mv-expand e = l",
    ))
    .unwrap();
    assert!(
        t.text.contains("| EVAL e = l\n| MV_EXPAND e\n"),
        "{}",
        t.text
    );
    // A group whose EventIDs are all null: KQL has [] (no row), VALUES null (a row).
    let empty = notes_with(&t, "empty array for a group");
    assert_eq!(empty.len(), 1);
    assert_eq!(empty[0].0, Effect::OverMatch);
    // make_list keeps duplicates, VALUES does not.
    let dups = notes_with(&t, "collected twice");
    assert_eq!(dups.len(), 1);
    assert_eq!(dups[0].0, Effect::UnderMatch);
}

#[test]
fn a_capped_make_set_is_expanded_with_the_cap_noted_both_ways() {
    let t = run(&ir_of(
        "SecurityEvent | summarize s = make_set(Computer, 3) by Account | mv-expand s",
    ))
    .unwrap();
    assert!(t
        .text
        .contains("s = MV_SLICE(VALUES(COALESCE(Computer, \"\")), 0, 2)"));
    let cap: Vec<Effect> = notes_with(&t, "keeps 3 of the group's values")
        .into_iter()
        .map(|n| n.0)
        .collect();
    assert_eq!(cap, [Effect::OverMatch, Effect::UnderMatch]);
}

#[test]
fn a_copy_of_a_collected_array_or_an_index_column_is_expanded_as_it() {
    let t = run(&ir_of(
        "SecurityEvent | summarize s = make_set(Computer) by Account | extend x = s | mv-expand x",
    ))
    .unwrap();
    assert!(
        t.text.contains("| EVAL x = s\n| MV_EXPAND x\n"),
        "{}",
        t.text
    );
    // `extend x = <dynamic index column>` holds the same multivalue: expanded with the
    // column's own notes (an empty array keeps its row, keyword values deduplicated).
    let t = run(&ir_of("SigninLogs | extend x = MfaDetail | mv-expand x")).unwrap();
    assert!(
        t.text.contains("| EVAL x = MfaDetail\n| MV_EXPAND x\n"),
        "{}",
        t.text
    );
    assert_eq!(notes_with(&t, "an empty array in `MfaDetail`").len(), 1);
}

#[test]
fn what_a_collected_or_copied_array_cannot_give_is_declined_with_its_reason() {
    let first = |kql: &str| declined(&ir_of(kql))[0].message.clone();
    // make_set of a dynamic value: VALUES merges arrays and has no objects.
    assert!(first(
        "SigninLogs | summarize s = make_set(DeviceDetail) by UserPrincipalName | mv-expand s"
    )
    .contains("collects dynamic values"));
    // A copy of parsed JSON text is refused as the JSON text itself.
    assert!(first(
        "SecurityAlert | extend x = todynamic(Entities) | mv-expand x | extend t = tostring(x.Type)"
    )
    .contains("JSON text parsed by KQL"));
    // A copy of a member is refused as the member.
    assert!(
        first("SigninLogs | extend x = Status.details | mv-expand x")
            .contains("a member of a dynamic column")
    );
    // An array the join's right side collected is read from the lookup index.
    assert!(first(
        "SecurityEvent | join kind=leftouter (SecurityEvent | summarize s = make_set(Computer) by Account) on Account | mv-expand s"
    )
    .contains("computed on the join's right side"));
    // Pairs stay refused: MV_EXPAND of each column in turn gives every combination.
    assert!(first(
        "SecurityEvent | summarize a = make_set(Computer), b = make_set(Account) by EventID | mv-expand a, b"
    )
    .contains("several columns expanded together"));
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

#[test]
fn set_functions_of_whole_arrays_are_declined_by_name() {
    let d = declined(&ir_of(
        r#"SecurityEvent | extend d = set_difference(split(Account, ";"), split(Computer, ";"))"#,
    ));
    assert_eq!(d[0].code.as_str(), "B005");
    assert!(
        d[0].message
            .starts_with("set_difference() computes on whole arrays"),
        "{}",
        d[0].message
    );
}
