//! The Sigma correlation rule (`event_count`/`value_count`) and its YAML document.
//!
//! Built from `summarize count()/dcount(x) by k | where <agg> op N`, over the detection rule.

use crate::detection::field_name;
use crate::meta;
use crate::stages::{refs_of_predicate, LookBack};
use crate::yaml::Yaml;
use kqlport::backend::{Effect, Notes, RuleContext};
use kqlport::codes::SigmaCode;
use kqlport::diag::Diagnostic;
use kqlport::ir::{
    AggFunc, BinSize, CmpOp, ExprKind, GroupKeyKind, Literal, Predicate, PredicateKind, Stage,
    StageKind,
};

use kqlport::source::Span;

type Errors = Vec<Diagnostic>;

#[derive(Clone, Debug, PartialEq)]
pub enum CorrelationKind {
    EventCount,
    ValueCount(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Correlation {
    pub kind: CorrelationKind,
    pub group_by: Vec<String>,
    pub timespan: String,
    pub condition: Vec<(&'static str, i64)>,
}

/// `summarize count()/dcount(x) by k | where <agg> op N` → a correlation. Returns the
/// correlation and the post-aggregation filters on group keys, which filter events exactly as
/// they filter groups and move into the detection.
pub(crate) fn correlation<'q>(
    rule: &RuleContext,
    stage: &'q Stage,
    thresholds: &[&'q Predicate],
    lookback: Option<LookBack>,
    notes: &mut Notes,
) -> Result<(Correlation, Vec<&'q Predicate>), Errors> {
    let StageKind::Aggregate { by, aggs } = &stage.kind else {
        return Err(vec![Diagnostic::error(
            SigmaCode::B040,
            "internal: expected a summarize stage",
            stage.span,
        )]);
    };
    let mut errors = Vec::new();
    let mut group_by = Vec::new();
    let mut key_names = Vec::new();
    let mut bin: Option<(i64, Span)> = None;
    for key in by {
        match &key.kind {
            GroupKeyKind::Expr(e) => match field_name(e, notes) {
                Ok(f) => {
                    if f == key.name.name {
                        key_names.push(f.clone());
                    } else {
                        notes.push(
                            key.name.span,
                            Effect::Values,
                            format!(
                                "the group key is reported as `{f}`, not `{}`",
                                key.name.name
                            ),
                        );
                    }
                    group_by.push(f);
                }
                Err(e) => errors.extend(e),
            },
            GroupKeyKind::Bin {
                size: BinSize::Duration(d),
                ..
            } if bin.is_none()
                && d.ticks > 0
                && d.ticks % kqlport::ir::Duration::TICKS_PER_SECOND == 0 =>
            {
                bin = Some((
                    d.ticks / kqlport::ir::Duration::TICKS_PER_SECOND,
                    key.name.span,
                ));
            }
            GroupKeyKind::Bin { .. } => errors.push(Diagnostic::error(
                SigmaCode::B052,
                "only one time bin of whole seconds can become a Sigma correlation timespan",
                key.name.span,
            )),
        }
    }
    if group_by.is_empty() && errors.is_empty() {
        errors.push(
            Diagnostic::error(
                SigmaCode::B053,
                "a Sigma event_count/value_count correlation needs at least one group-by field",
                stage.span,
            )
            .with_help("add `by <field>` to the summarize"),
        );
    }

    // Split the post-aggregation filters: key filters move to the detection, the rest must be
    // thresholds on one count()/dcount() aggregate.
    let mut pushed = Vec::new();
    let mut threshold_agg: Option<&kqlport::ir::Aggregation> = None;
    let mut condition: Vec<(&'static str, i64)> = Vec::new();
    for p in thresholds {
        let uses = refs_of_predicate(p);
        if !uses.is_empty() && uses.iter().all(|u| key_names.contains(u)) {
            pushed.push(*p);
            continue;
        }
        match threshold(p, aggs) {
            Some((agg, op, n)) => {
                if threshold_agg.is_some_and(|t| t.name.name != agg.name.name) {
                    errors.push(Diagnostic::error(
                        SigmaCode::B055,
                        "a Sigma correlation has one condition on one aggregate",
                        p.span,
                    ));
                } else if condition.iter().any(|(o, _)| *o == op) {
                    errors.push(Diagnostic::error(
                        SigmaCode::B055,
                        "this threshold repeats a comparison already given",
                        p.span,
                    ));
                } else {
                    threshold_agg = Some(agg);
                    condition.push((op, n));
                }
            }
            None => errors.push(
                Diagnostic::error(
                    SigmaCode::B055,
                    "after summarize, Sigma can only express a threshold `count_/dcount_… <op> <integer>`",
                    p.span,
                )
                .with_help("a correlation condition compares the event count or distinct-value count with a constant"),
            ),
        }
    }

    let kind = match threshold_agg {
        None => {
            // No threshold: every group is a result, i.e. at least one event.
            condition.push(("gte", 1));
            CorrelationKind::EventCount
        }
        Some(agg) => match &agg.func {
            AggFunc::Count => CorrelationKind::EventCount,
            AggFunc::DCount(e) => match field_name(e, notes) {
                Ok(f) => {
                    notes.push(
                        agg.span,
                        Effect::OverMatch,
                        "KQL's dcount is an estimate; Sigma backends count distinct values exactly, so groups near the threshold can differ",
                    );
                    notes.push(
                        agg.span,
                        Effect::UnderMatch,
                        "KQL's dcount is an estimate; Sigma backends count distinct values exactly, so groups near the threshold can differ",
                    );
                    CorrelationKind::ValueCount(f)
                }
                Err(e) => {
                    errors.extend(e);
                    CorrelationKind::EventCount
                }
            },
            _ => {
                errors.push(Diagnostic::error(
                    SigmaCode::B055,
                    "only count() and dcount() thresholds map to Sigma correlations",
                    agg.span,
                ));
                CorrelationKind::EventCount
            }
        },
    };
    for agg in aggs {
        if matches!(agg.func, AggFunc::AnyRow) {
            errors.push(Diagnostic::error(
                SigmaCode::B050,
                "take_any(*) outputs one whole row of each group; a Sigma correlation reports only the matching group",
                agg.span,
            ));
            continue;
        }
        if threshold_agg.is_none_or(|t| t.name.name != agg.name.name) {
            notes.push(
                agg.span,
                Effect::Values,
                format!(
                    "`{}` is not produced: a Sigma correlation reports the matching group, not aggregate columns",
                    agg.name.name
                ),
            );
        }
    }

    let window = "KQL counts over each run's look-back; Sigma backends count per `timespan` window (fixed buckets or sliding, backend-defined), so bursts across a window edge can be counted differently";
    let timespan = match bin {
        Some((secs, span)) => {
            notes.push(span, Effect::OverMatch, window);
            notes.push(span, Effect::UnderMatch, window);
            meta::timespan_from_seconds(secs)
        }
        None => match rule.query_period.as_deref() {
            Some(p) => match meta::parse_period(p).and_then(meta::timespan_from_seconds) {
                Some(t) => {
                    notes.push(stage.span, Effect::OverMatch, window);
                    notes.push(stage.span, Effect::UnderMatch, window);
                    Some(t)
                }
                None => {
                    errors.push(Diagnostic::error(
                        SigmaCode::B056,
                        format!("the rule's query period `{p}` is not a duration Sigma can use as a timespan"),
                        stage.span,
                    ));
                    None
                }
            },
            None => match lookback.and_then(|l| Some((meta::timespan_from_seconds(l.seconds)?, l)))
            {
                // No query period: the query's own look-back is the span it counts over.
                Some((t, l)) => {
                    notes.push(l.span, Effect::OverMatch, window);
                    notes.push(l.span, Effect::UnderMatch, window);
                    Some(t)
                }
                None => {
                    errors.push(
                        Diagnostic::error(
                            SigmaCode::B056,
                            "a Sigma correlation needs a timespan, and this rule has neither a query period nor a look-back (`TimeGenerated > ago(…)`)",
                            stage.span,
                        )
                        .with_help("translate the scheduled rule (with its queryPeriod), filter on TimeGenerated > ago(…), or group by bin(TimeGenerated, …)"),
                    );
                    None
                }
            },
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let timespan = timespan.unwrap_or_default();
    Ok((
        Correlation {
            kind,
            group_by,
            timespan,
            condition,
        },
        pushed,
    ))
}

/// `agg op N` or `N op agg` with an integer `N`, as (aggregate, Sigma operator, N).
fn threshold<'a>(
    p: &Predicate,
    aggs: &'a [kqlport::ir::Aggregation],
) -> Option<(&'a kqlport::ir::Aggregation, &'static str, i64)> {
    let PredicateKind::Compare { lhs, op, rhs, .. } = &p.kind else {
        return None;
    };
    let (col, op, lit) = match (&lhs.kind, &rhs.kind) {
        (ExprKind::Field(f), ExprKind::Literal(l)) => (f, *op, l),
        (ExprKind::Literal(l), ExprKind::Field(f)) => (f, op.flipped(), l),
        _ => return None,
    };
    let Literal::Long(n) = lit else {
        return None;
    };
    if !col.is_plain() {
        return None;
    }
    let agg = aggs.iter().find(|a| a.name.name == col.column)?;
    let op = match op {
        CmpOp::Gt => "gt",
        CmpOp::Ge => "gte",
        CmpOp::Lt => "lt",
        CmpOp::Le => "lte",
        CmpOp::Eq => "eq",
        CmpOp::Ne => "neq",
    };
    Some((agg, op, *n))
}

pub(crate) fn correlation_doc(
    rule: &RuleContext,
    title: &str,
    seed: &str,
    base_name: &str,
    c: &Correlation,
) -> Yaml {
    let mut m: Vec<(String, Yaml)> = vec![
        ("title".into(), Yaml::Str(title.to_string())),
        (
            "id".into(),
            Yaml::Str(meta::rule_id(seed, "correlation").to_string()),
        ),
    ];
    meta::common_meta(&mut m, rule, title);
    let mut corr: Vec<(String, Yaml)> = vec![
        (
            "type".into(),
            Yaml::str(match c.kind {
                CorrelationKind::EventCount => "event_count",
                CorrelationKind::ValueCount(_) => "value_count",
            }),
        ),
        (
            "rules".into(),
            Yaml::Seq(vec![Yaml::Str(base_name.to_string())]),
        ),
        (
            "group-by".into(),
            Yaml::Seq(c.group_by.iter().cloned().map(Yaml::Str).collect()),
        ),
        ("timespan".into(), Yaml::Str(c.timespan.clone())),
    ];
    let mut cond: Vec<(String, Yaml)> = c
        .condition
        .iter()
        .map(|(op, n)| (op.to_string(), Yaml::Int(*n)))
        .collect();
    if let CorrelationKind::ValueCount(f) = &c.kind {
        cond.push(("field".into(), Yaml::Str(f.clone())));
    }
    corr.push(("condition".into(), Yaml::Map(cond)));
    m.push(("correlation".into(), Yaml::Map(corr)));
    if let Some(level) = meta::level(rule) {
        m.push(("level".into(), Yaml::str(level)));
    }
    Yaml::Map(m)
}
