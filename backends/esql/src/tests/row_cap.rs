//! ES|QL's row cap (issue 15): a caveat on every translation whose KQL rows are not bounded,
//! none where a `take`/`top`/`count`/whole-table `summarize` bounds them.

use super::*;

fn caveat_codes(stages: Vec<Stage>) -> Vec<&'static str> {
    Esql.caveats(&query("T", stages))
        .iter()
        .map(|c| c.code.as_str())
        .collect()
}

fn filter() -> Stage {
    stage(StageKind::Filter(p(PredicateKind::Const(true))))
}

#[test]
fn an_unbounded_query_has_the_row_cap_caveat() {
    assert_eq!(caveat_codes(vec![]), ["B200"]);
    assert_eq!(caveat_codes(vec![filter()]), ["B200"]);
    let c = Esql.caveats(&query("T", vec![filter()]));
    assert!(c[0].message.contains("at most 10,000 rows"), "{c:?}");
    // A take before a join that can multiply rows no longer bounds the result.
    let right = query("R", vec![]);
    let join = |kind| {
        stage(StageKind::Join {
            kind,
            right: Box::new(right.clone()),
            on: vec![JoinKey {
                left: Column {
                    name: "K".into(),
                    span: sp(0, 0),
                },
                right: Column {
                    name: "K".into(),
                    span: sp(0, 0),
                },
            }],
        })
    };
    assert_eq!(
        caveat_codes(vec![stage(StageKind::Limit(5)), join(JoinKind::Inner)]),
        ["B200"]
    );
    // … a semi join keeps a subset of the left rows.
    assert!(caveat_codes(vec![stage(StageKind::Limit(5)), join(JoinKind::LeftSemi)]).is_empty());
}

#[test]
fn a_bounded_query_has_no_caveat() {
    assert!(caveat_codes(vec![filter(), stage(StageKind::Limit(10_000))]).is_empty());
    assert!(caveat_codes(vec![stage(StageKind::Limit(100)), filter()]).is_empty());
    assert!(caveat_codes(vec![filter(), stage(StageKind::Count)]).is_empty());
    assert!(caveat_codes(vec![stage(StageKind::Aggregate {
        by: vec![],
        aggs: vec![]
    })])
    .is_empty());
    // Above the cap, the take has its own UnderMatch note instead.
    assert!(caveat_codes(vec![stage(StageKind::Limit(20_000))]).is_empty());
}
