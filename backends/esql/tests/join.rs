//! `join` in ES|QL: `LOOKUP JOIN` against a lookup index that the materialisation query (the
//! right side, printed as comment lines) fills; right semi/anti joins run mirrored, and the kinds that keep unmatched right rows are declined.

use kqlport::backend::{Effect, Fidelity, Translation};
use kqlport::diag::Diagnostic;

fn translate(q: &str) -> Result<Translation, Vec<Diagnostic>> {
    kqlport::test_support::translate(&kqlport_esql::Esql, q)
}

/// The lookup index name the translation uses.
fn index_of(text: &str) -> String {
    let at = text.find("LOOKUP JOIN ").expect("a LOOKUP JOIN") + "LOOKUP JOIN ".len();
    text[at..].split(' ').next().unwrap().to_string()
}

#[test]
fn inner_join_reads_a_lookup_index_filled_by_the_commented_right_side() {
    let q = "T | where a == 'x' | join kind=inner (U | where b == 'y' | project b, c) on $left.a == $right.b";
    let t = translate(q).unwrap();
    let index = index_of(&t.text);
    assert!(
        index.starts_with("kqlport_lookup_") && index.len() == 23,
        "{index}"
    );
    let expected = format!(
        "// kqlport: the `join` below reads its right side from the lookup index `{index}`: create it with `index.mode: lookup`, the join field `a` typed as on the left side, and fill it with the rows of this ES|QL query (re-run it as often as the rule runs):\n\
         //   FROM U\n\
         //   | WHERE b == \"y\"\n\
         //   | KEEP b, c\n\
         //   | EVAL a = b, kqlport_match = TRUE\n\
         //   | KEEP b, c, a, kqlport_match\n\
         //   | LIMIT 10000\n\
         FROM T\n\
         | WHERE a == \"x\"\n\
         | LOOKUP JOIN {index} ON a\n\
         | WHERE kqlport_match IS NOT NULL\n\
         | DROP kqlport_match\n\
         | KEEP *, b, c\n\
         | LIMIT 10000\n"
    );
    assert_eq!(t.text, expected);
    // The index name is a hash of the materialisation query: another right side, another index.
    let other = translate(
        "T | where a == 'x' | join kind=inner (U | where b == 'z' | project b, c) on $left.a == $right.b",
    )
    .unwrap();
    assert_ne!(index_of(&other.text), index);
    let Fidelity::Approximate(notes) = &t.fidelity else {
        panic!("approximate expected");
    };
    let join_span = q.find("join").unwrap();
    let at_join: Vec<_> = notes.iter().filter(|n| n.span.start == join_span).collect();
    assert!(at_join
        .iter()
        .any(|n| n.effect == Effect::OverMatch && n.message.contains("stale")));
    assert!(at_join
        .iter()
        .any(|n| n.effect == Effect::UnderMatch && n.message.contains("at most 10000 rows")));
    assert!(at_join
        .iter()
        .any(|n| n.effect == Effect::UnderMatch && n.message.contains("missing key (`a`")));
    // The left columns are unknown (a whole table): a same-named right column is a risk.
    assert!(at_join
        .iter()
        .any(|n| n.effect == Effect::Values && n.message.contains("`b`, `c`")));
}

#[test]
fn same_named_keys_and_known_left_columns_follow_kql_naming() {
    // on k: KQL keeps the left k and names the right one k1; the left columns are known here.
    let t =
        translate("T | project k, v | join kind=leftouter (U | summarize n = count() by k) on k")
            .unwrap();
    let index = index_of(&t.text);
    assert!(t.text.contains(
        "//   | STATS n = COUNT(*) BY k\n//   | KEEP k, n\n//   | RENAME k AS k1\n//   | EVAL k = k1\n//   | KEEP k1, n, k\n//   | LIMIT 10000\n"
    ), "{}", t.text);
    assert!(
        t.text.ends_with(&format!(
            "| KEEP k, v\n| LOOKUP JOIN {index} ON k\n| KEEP k, v, k1, n\n| LIMIT 10000\n"
        )),
        "{}",
        t.text
    );
}

#[test]
fn innerunique_keeps_one_left_row_per_key_and_semi_anti_use_distinct_keys() {
    let t = translate("T | join (U) on k").unwrap();
    assert!(t.text.contains(
        "FROM T METADATA _id\n| INLINE STATS kqlport_row = MIN(_id) BY k\n| WHERE _id == kqlport_row\n| DROP kqlport_row, _id\n| LOOKUP JOIN "
    ), "{}", t.text);
    let t = translate("T | join kind=leftanti (U | where x == 1) on $left.k == $right.j").unwrap();
    assert!(
        t.text
            .contains("//   | STATS BY k = j\n//   | EVAL kqlport_match = TRUE\n"),
        "{}",
        t.text
    );
    assert!(
        t.text
            .contains("| WHERE kqlport_match IS NULL\n| DROP kqlport_match\n| LIMIT 10000\n"),
        "{}",
        t.text
    );
    let t = translate("T | join kind=leftsemi (U) on k").unwrap();
    assert!(t
        .text
        .contains("| WHERE kqlport_match IS NOT NULL\n| DROP kqlport_match\n"));
}

#[test]
fn rightanti_and_rightsemi_run_as_the_mirrored_left_join() {
    // The KQL's right side is the main query, its left side fills the lookup index.
    let q = "T | where a == 'x' | join kind=rightanti (U | where b == 'y') on $left.a == $right.b | project b, c";
    let t = translate(q).unwrap();
    let index = index_of(&t.text);
    let expected = format!(
        "// kqlport: the `join` below reads the KQL's left side (`join kind=rightanti`, run with the sides swapped) from the lookup index `{index}`: create it with `index.mode: lookup`, the join field `b` typed as in the query below, and fill it with the rows of this ES|QL query (re-run it as often as the rule runs):\n\
         //   FROM T\n\
         //   | WHERE a == \"x\"\n\
         //   | STATS BY b = a\n\
         //   | EVAL kqlport_match = TRUE\n\
         //   | LIMIT 10000\n\
         FROM U\n\
         | WHERE b == \"y\"\n\
         | LOOKUP JOIN {index} ON b\n\
         | WHERE kqlport_match IS NULL\n\
         | DROP kqlport_match\n\
         | KEEP b, c\n\
         | LIMIT 10000\n"
    );
    assert_eq!(t.text, expected);
    let Fidelity::Approximate(notes) = &t.fidelity else {
        panic!("approximate expected");
    };
    assert!(notes.iter().any(|n| n.effect == Effect::OverMatch
        && n.message
            .contains("the KQL's left side (`join kind=rightanti` runs as `leftanti`")));
    let t = translate("T | join kind=rightsemi (U) on k").unwrap();
    assert!(t.text.contains("FROM U\n| LOOKUP JOIN "), "{}", t.text);
    assert!(t
        .text
        .contains("| WHERE kqlport_match IS NOT NULL\n| DROP kqlport_match\n"));
    // A refusal of the mirrored join names the kind the KQL wrote (here: once mirrored, one
    // left key paired with two right keys).
    let errs = translate("T | join kind=rightsemi (U) on $left.a == $right.b, $left.c == $right.b")
        .unwrap_err();
    assert!(
        errs.iter()
            .any(|d| d.message.contains("join kind=rightsemi")),
        "{errs:?}"
    );
}

#[test]
fn joins_keeping_right_only_rows_are_declined_at_the_join() {
    for (q, what) in [
        (
            "T | where a == 'x' | join kind=rightouter (U | where b == 'y') on $left.a == $right.b",
            "join kind=rightouter",
        ),
        (
            "T | join kind=inner (U) on $left.a == $right.b, $left.a == $right.c",
            "one left key paired with two right keys",
        ),
    ] {
        let errs = translate(q).unwrap_err();
        let join: Vec<_> = errs.iter().filter(|d| d.code.as_str() == "B030").collect();
        assert_eq!(join.len(), 1, "{errs:?}");
        assert!(q[join[0].span.range()].starts_with("join kind="), "{q}");
        assert!(join[0].message.contains(what), "{join:?}");
        assert!(
            join[0]
                .help
                .as_deref()
                .unwrap_or("")
                .contains("LOOKUP JOIN"),
            "{join:?}"
        );
    }
}

#[test]
fn several_key_pairs_join_on_a_field_list() {
    let t = translate("T | join kind=leftsemi (U) on a, $left.b == $right.c").unwrap();
    assert!(
        t.text
            .contains("//   | STATS BY a, b = c\n//   | EVAL kqlport_match = TRUE\n"),
        "{}",
        t.text
    );
    assert!(t.text.contains(" ON a, b\n"), "{}", t.text);
    let Fidelity::Approximate(notes) = &t.fidelity else {
        panic!("approximate expected");
    };
    assert!(notes.iter().any(|n| n.message.contains("list of fields")));
}

#[test]
fn a_missing_key_in_a_left_outer_join_can_change_rows_either_way() {
    // KQL matches a missing string key with "" on the right; LOOKUP JOIN matches null with
    // nothing, so the right columns are null where KQL has the matched row's values: a later
    // `where` on a right column can keep rows KQL drops (isempty(c)) or drop rows it keeps
    // (c == "v"). The row itself is kept, its right columns null: values differ too.
    let q = "T | join kind=leftouter (U | project k, c) on k | where isempty(c)";
    let t = translate(q).unwrap();
    let Fidelity::Approximate(notes) = &t.fidelity else {
        panic!("approximate expected");
    };
    let missing: Vec<Effect> = notes
        .iter()
        .filter(|n| n.message.contains("missing key (`k`"))
        .map(|n| n.effect)
        .collect();
    assert_eq!(
        missing,
        vec![Effect::Values, Effect::OverMatch, Effect::UnderMatch]
    );
    // Inner: the KQL match is lost (under-match); anti: the row KQL drops is kept (over-match).
    for (kind, want) in [
        ("inner", Effect::UnderMatch),
        ("leftanti", Effect::OverMatch),
    ] {
        let t = translate(&format!("T | join kind={kind} (U | project k, c) on k")).unwrap();
        let Fidelity::Approximate(notes) = &t.fidelity else {
            panic!("approximate expected");
        };
        let missing: Vec<Effect> = notes
            .iter()
            .filter(|n| n.message.contains("missing key (`k`"))
            .map(|n| n.effect)
            .collect();
        assert_eq!(missing, vec![want], "{kind}");
    }
}

#[test]
fn a_right_side_that_joins_reads_its_own_lookup_index() {
    let t = translate("T | join kind=inner (U | join kind=leftanti (V) on k) on k").unwrap();
    let head: Vec<&str> = t
        .text
        .lines()
        .filter(|l| l.starts_with("// kqlport:"))
        .collect();
    assert_eq!(head.len(), 2, "{}", t.text);
    // The inner join's index first; the outer materialisation query joins it and says so.
    let inner = head[0]
        .split('`')
        .find(|w| w.starts_with("kqlport_lookup_"))
        .expect("inner index");
    assert!(
        head[1].contains(&format!(
            "(it reads the lookup index `{inner}`, printed above: refresh it first)"
        )),
        "{}",
        t.text
    );
    assert!(
        t.text.contains(&format!(
            "//   | LOOKUP JOIN {inner} ON k\n//   | WHERE kqlport_match IS NULL\n"
        )),
        "{}",
        t.text
    );
}
