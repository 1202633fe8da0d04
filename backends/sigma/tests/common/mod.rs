//! Sigma's own IR shorthands (over `kqlport::test_support`'s builders, re-exported here) and the
//! shared corpus of test queries. Never asserts anything itself.
#![allow(dead_code)]

use kqlport::backend::RuleContext;
use kqlport::ir::*;
pub use kqlport::test_support::*;

/// `f =~ v` / `f in~ (…)`.
pub fn eq_ci(f: &str, values: &[&str]) -> Predicate {
    sm_q(
        f,
        MatchKind::Equals,
        Case::Insensitive,
        values,
        Quantifier::Any,
        false,
    )
}

/// `f == v` / `f in (…)`.
pub fn eq_cs(f: &str, values: &[&str]) -> Predicate {
    sm_q(
        f,
        MatchKind::Equals,
        Case::Sensitive,
        values,
        Quantifier::Any,
        false,
    )
}

pub fn ne_cs(f: &str, v: &str) -> Predicate {
    sm_q(
        f,
        MatchKind::Equals,
        Case::Sensitive,
        &[v],
        Quantifier::Any,
        true,
    )
}

pub fn has(f: &str, values: &[&str]) -> Predicate {
    sm_q(
        f,
        MatchKind::Term,
        Case::Insensitive,
        values,
        Quantifier::Any,
        false,
    )
}

pub fn contains(f: &str, v: &str) -> Predicate {
    sm_q(
        f,
        MatchKind::Contains,
        Case::Insensitive,
        &[v],
        Quantifier::Any,
        false,
    )
}

pub fn time_window(hours: i64) -> Predicate {
    p(PredicateKind::TimeWindow {
        field: field("TimeGenerated"),
        op: CmpOp::Gt,
        ago: Duration::from_ticks(hours * 36_000_000_000),
    })
}

pub fn stage(kind: StageKind, a: usize, b: usize) -> Stage {
    Stage {
        kind,
        span: sp(a, b),
    }
}

/// `where pr`, the stage at the predicate's own span.
pub fn filter(pr: Predicate) -> Stage {
    let span = pr.span;
    Stage {
        kind: StageKind::Filter(pr),
        span,
    }
}

pub fn project(cols: &[&str]) -> Stage {
    stage_at(
        StageKind::Project(
            cols.iter()
                .map(|c| Assignment {
                    name: col(c),
                    expr: field(c),
                })
                .collect(),
        ),
        200,
        220,
    )
}

pub fn where_(table: &str, pr: Predicate) -> Query {
    query(table, vec![filter(pr)])
}

pub fn ctx() -> RuleContext {
    RuleContext {
        id: Some("0a1b2c3d-0000-4000-8000-000000000001".into()),
        name: Some("Test rule".into()),
        description: Some("A test.".into()),
        severity: Some("Medium".into()),
        tactics: vec!["CommandAndControl".into()],
        techniques: vec!["T1090.003".into()],
        query_period: Some("PT1H".into()),
        query_frequency: Some("PT1H".into()),
        source_name: Some("test.yaml".into()),
        references: vec![],
    }
}

pub fn count_by(keys: &[&str], agg: AggFunc, agg_name: &str) -> Stage {
    stage_at(
        StageKind::Aggregate {
            by: keys
                .iter()
                .map(|k| GroupKey {
                    name: col(k),
                    kind: GroupKeyKind::Expr(field(k)),
                    operands: Default::default(),
                })
                .collect(),
            aggs: vec![Aggregation {
                name: col(agg_name),
                func: agg,
                span: sp(120, 130),
            }],
        },
        100,
        140,
    )
}

/// The canonical example from the issue: Tor proxies on non-443 ports.
pub fn tor_query() -> Query {
    where_(
        "DeviceNetworkEvents",
        and(vec![
            at(time_window(1), 30, 55),
            at(
                eq_ci("InitiatingProcessFileName", &["tor.exe", "meek-client.exe"]),
                60,
                120,
            ),
            at(cmp(field("RemotePort"), CmpOp::Ne, long(443)), 125, 142),
        ]),
    )
}
