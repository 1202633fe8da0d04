//! IR builders and the shared corpus of test queries: small constructors that keep the tests
//! readable. Never asserts anything itself.
#![allow(dead_code)]

use kqlport::backend::RuleContext;
use kqlport::ir::*;
use kqlport::source::Span;

pub fn sp(a: usize, b: usize) -> Span {
    Span::new(a, b)
}

pub fn e(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: sp(0, 0),
    }
}

pub fn field(name: &str) -> Expr {
    e(ExprKind::Field(FieldPath::column(name)))
}

pub fn path(col: &str, keys: &[&str], parsed: bool) -> Expr {
    e(ExprKind::Field(FieldPath {
        column: col.into(),
        path: keys
            .iter()
            .map(|k| PathSegment::Key(k.to_string()))
            .collect(),
        parsed,
    }))
}

pub fn long(n: i64) -> Expr {
    e(ExprKind::Literal(Literal::Long(n)))
}

pub fn string(s: &str) -> Expr {
    e(ExprKind::Literal(Literal::String(s.into())))
}

pub fn p(kind: PredicateKind) -> Predicate {
    Predicate {
        kind,
        span: sp(0, 0),
    }
}

pub fn at(mut pr: Predicate, a: usize, b: usize) -> Predicate {
    pr.span = sp(a, b);
    pr
}

pub fn sm(
    f: &str,
    kind: MatchKind,
    case: Case,
    values: &[&str],
    quantifier: Quantifier,
    negated: bool,
) -> Predicate {
    p(PredicateKind::StrMatch(StrMatch {
        field: field(f),
        kind,
        case,
        values: values.iter().map(|v| v.to_string()).collect(),
        quantifier,
        negated,
    }))
}

/// `f =~ v` / `f in~ (…)`.
pub fn eq_ci(f: &str, values: &[&str]) -> Predicate {
    sm(
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
    sm(
        f,
        MatchKind::Equals,
        Case::Sensitive,
        values,
        Quantifier::Any,
        false,
    )
}

pub fn ne_cs(f: &str, v: &str) -> Predicate {
    sm(
        f,
        MatchKind::Equals,
        Case::Sensitive,
        &[v],
        Quantifier::Any,
        true,
    )
}

pub fn has(f: &str, values: &[&str]) -> Predicate {
    sm(
        f,
        MatchKind::Term,
        Case::Insensitive,
        values,
        Quantifier::Any,
        false,
    )
}

pub fn contains(f: &str, v: &str) -> Predicate {
    sm(
        f,
        MatchKind::Contains,
        Case::Insensitive,
        &[v],
        Quantifier::Any,
        false,
    )
}

pub fn cmp(l: Expr, op: CmpOp, r: Expr) -> Predicate {
    p(PredicateKind::Compare {
        lhs: l,
        op,
        rhs: r,
        operands: Default::default(),
    })
}

pub fn and(items: Vec<Predicate>) -> Predicate {
    p(PredicateKind::And(items))
}

pub fn or(items: Vec<Predicate>) -> Predicate {
    p(PredicateKind::Or(items))
}

pub fn not(x: Predicate) -> Predicate {
    p(PredicateKind::Not(Box::new(x)))
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

pub fn filter(pr: Predicate) -> Stage {
    let span = pr.span;
    Stage {
        kind: StageKind::Filter(pr),
        span,
    }
}

pub fn col(name: &str) -> Column {
    Column {
        name: name.into(),
        span: sp(0, 0),
    }
}

pub fn project(cols: &[&str]) -> Stage {
    stage(
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

pub fn query(table: &str, stages: Vec<Stage>) -> Query {
    Query {
        source: Source::table(table, sp(0, table.len())),
        stages,
        span: sp(0, 300),
    }
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
    stage(
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
