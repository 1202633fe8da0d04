//! The pipeline walk: which stages Sigma can carry and how (filters → detection, `project` →
//! `fields`, `summarize` + threshold → correlation). Owns the stage policy and the notes about
//! output shape; never builds selections (see `detection`) or YAML.

use crate::detection::field_name;
use crate::meta;
use kqlport::backend::{Effect, Notes, RuleContext};
use kqlport::diag::Diagnostic;
use kqlport::ir::{
    visit, AggFunc, BinSize, CmpOp, Expr, ExprKind, GroupKeyKind, Literal, Predicate,
    PredicateKind, Query, Stage, StageKind,
};
use kqlport::source::Span;

type Errors = Vec<Diagnostic>;

/// What the query becomes in Sigma.
pub struct Plan<'q> {
    /// ANDed filter predicates for the detection (time windows already dropped).
    pub filters: Vec<&'q Predicate>,
    /// `fields:` from the last `project` before any summarize.
    pub fields: Vec<String>,
    pub correlation: Option<Correlation>,
}

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

/// A column defined by a stage (extend, computed project, rename) and where.
struct Defined {
    name: String,
    span: Span,
}

pub fn plan<'q>(
    rule: &RuleContext,
    query: &'q Query,
    notes: &mut Notes,
) -> Result<Plan<'q>, Errors> {
    let mut errors: Errors = Vec::new();
    let mut filters: Vec<&'q Predicate> = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut defined: Vec<Defined> = Vec::new();
    let mut aggregate: Option<&'q Stage> = None;
    let mut thresholds: Vec<&'q Predicate> = Vec::new();

    for (index, stage) in query.stages.iter().enumerate() {
        match &stage.kind {
            StageKind::Filter(p) => {
                let uses = refs_of_predicate(p);
                if let Some(d) = defined.iter().find(|d| uses.contains(&d.name)) {
                    errors.push(
                        Diagnostic::error(
                            "B051",
                            format!(
                                "this filter tests `{}`, a column computed or renamed earlier; Sigma can only test event fields",
                                d.name
                            ),
                            p.span,
                        )
                        .with_secondary(d.span, "defined here"),
                    );
                    continue;
                }
                if aggregate.is_some() {
                    thresholds.extend(conjuncts(p));
                    continue;
                }
                for c in conjuncts(p) {
                    if is_time_window(c) {
                        notes.push(
                            c.span,
                            Effect::OverMatch,
                            "time window dropped: Sigma leaves the search range to the deployment (schedule the rule with this look-back)",
                        );
                    } else if matches!(c.kind, PredicateKind::Const(true)) {
                        // `where true`: nothing to test.
                    } else {
                        filters.push(c);
                    }
                }
            }
            StageKind::Extend(assigns) => {
                for a in assigns {
                    defined.push(Defined {
                        name: a.name.name.clone(),
                        span: a.name.span,
                    });
                }
                let names: Vec<&str> = assigns.iter().map(|a| a.name.name.as_str()).collect();
                notes.push(
                    stage.span,
                    Effect::Values,
                    format!(
                        "computed column(s) {} are not produced: Sigma returns the matched events as they are",
                        names.join(", ")
                    ),
                );
            }
            StageKind::Project(assigns) => {
                let mut shaped = false;
                let mut list = Vec::new();
                for a in assigns {
                    let plain = match &a.expr.kind {
                        ExprKind::Field(fp) if fp.is_plain() => Some(fp.column.clone()),
                        _ => None,
                    };
                    match plain {
                        Some(col) if col == a.name.name => list.push(col),
                        Some(col) => {
                            shaped = true;
                            list.push(col);
                            defined.push(Defined {
                                name: a.name.name.clone(),
                                span: a.name.span,
                            });
                        }
                        None => {
                            shaped = true;
                            defined.push(Defined {
                                name: a.name.name.clone(),
                                span: a.name.span,
                            });
                        }
                    }
                }
                if aggregate.is_none() {
                    // Each field once (a field-mapping pipeline can give two columns one field).
                    let mut unique: Vec<String> = Vec::new();
                    for f in list {
                        if !unique.contains(&f) {
                            unique.push(f);
                        }
                    }
                    fields = unique;
                }
                notes.push(
                    stage.span,
                    Effect::Values,
                    if shaped {
                        "project: renamed or computed columns are not produced; `fields:` lists the source fields and is informational only"
                    } else {
                        "project: Sigma's `fields:` is informational; backends may return every column of the matched events"
                    },
                );
            }
            StageKind::ProjectAway(_) | StageKind::ProjectKeep(_) | StageKind::Reorder(_) => {
                notes.push(
                    stage.span,
                    Effect::Values,
                    "column selection has no Sigma form: the matched events keep all their columns",
                );
            }
            StageKind::Rename(pairs) => {
                for (new, _) in pairs {
                    defined.push(Defined {
                        name: new.name.clone(),
                        span: new.span,
                    });
                }
                notes.push(
                    stage.span,
                    Effect::Values,
                    "renames have no Sigma form: the matched events keep their original column names",
                );
            }
            StageKind::Aggregate { .. } if aggregate.is_some() => {
                errors.push(decline_stage(stage, "a second summarize"));
            }
            StageKind::Aggregate { .. } => aggregate = Some(stage),
            StageKind::Sort(_) if query.order_unused_after(index) => notes.push(
                stage.span,
                Effect::Order,
                "a Sigma rule matches events in no particular order; the sort is not applied",
            ),
            StageKind::Sort(_) => errors.push(decline_stage(
                stage,
                "sorting that a later stage depends on",
            )),
            StageKind::Top { .. } => errors.push(decline_stage(stage, "top")),
            StageKind::Limit(_) => errors.push(decline_stage(stage, "take/limit")),
            StageKind::Distinct(_) => errors.push(decline_stage(stage, "distinct")),
            StageKind::Count => errors.push(decline_stage(stage, "count")),
            StageKind::Join { kind, .. } => errors.push(crate::join::decline(stage, *kind)),
            StageKind::MvExpand(_) => errors.push(
                Diagnostic::error("B070", "Sigma cannot expand an array into rows", stage.span)
                    .with_label("mv-expand has no Sigma form")
                    .with_help("a Sigma rule matches whole events, one each"),
            ),
            StageKind::Parse(_) => errors.push(
                Diagnostic::error(
                    "B071",
                    "Sigma cannot cut columns out of a string",
                    stage.span,
                )
                .with_label("parse has no Sigma form")
                .with_help("a Sigma rule matches fields of events and computes no columns"),
            ),
        }
    }

    let correlation = match aggregate {
        Some(stage) => match correlation(rule, stage, &thresholds, notes) {
            Ok((c, pushed)) => {
                filters.extend(pushed);
                Some(c)
            }
            Err(e) => {
                errors.extend(e);
                None
            }
        },
        None => None,
    };
    if filters.is_empty() && errors.is_empty() {
        errors.push(
            Diagnostic::error(
                "B054",
                "a Sigma rule needs at least one field condition; this query filters nothing Sigma can test",
                query.source.span,
            )
            .with_help("Sigma has no \"every event of this log source\" detection"),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Plan {
        filters,
        fields,
        correlation,
    })
}

fn decline_stage(stage: &Stage, what: &str) -> Diagnostic {
    Diagnostic::error("B050", format!("Sigma has no form for {what}"), stage.span)
        .with_label("not expressible in a Sigma rule")
        .with_help("Sigma rules select events; only `summarize count()/dcount() … by … | where … > N` maps to a correlation rule")
}

/// Top-level conjuncts of a predicate.
fn conjuncts(p: &Predicate) -> Vec<&Predicate> {
    match &p.kind {
        PredicateKind::And(items) => items.iter().flat_map(conjuncts).collect(),
        _ => vec![p],
    }
}

/// `TimeWindow`, or a comparison of a column with `ago()`/`now()`.
fn is_time_window(p: &Predicate) -> bool {
    match &p.kind {
        PredicateKind::TimeWindow { .. } => true,
        PredicateKind::Compare { lhs, rhs, .. } => {
            let timey = |e: &Expr| matches!(e.kind, ExprKind::Ago(_) | ExprKind::Now);
            let field = |e: &Expr| matches!(e.kind, ExprKind::Field(_));
            (timey(rhs) && field(lhs)) || (timey(lhs) && field(rhs))
        }
        PredicateKind::Between {
            expr, low, high, ..
        } => {
            let timey = |e: &Expr| matches!(e.kind, ExprKind::Ago(_) | ExprKind::Now);
            matches!(expr.kind, ExprKind::Field(_)) && (timey(low) || timey(high))
        }
        _ => false,
    }
}

fn refs_of_predicate(p: &Predicate) -> Vec<String> {
    visit::predicate_columns(p)
        .into_iter()
        .map(String::from)
        .collect()
}

/// `summarize count()/dcount(x) by k | where <agg> op N` → a correlation. Returns the
/// correlation and the post-aggregation filters on group keys, which filter events exactly as
/// they filter groups and move into the detection.
fn correlation<'q>(
    rule: &RuleContext,
    stage: &'q Stage,
    thresholds: &[&'q Predicate],
    notes: &mut Notes,
) -> Result<(Correlation, Vec<&'q Predicate>), Errors> {
    let StageKind::Aggregate { by, aggs } = &stage.kind else {
        return Err(vec![Diagnostic::error(
            "B040",
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
                "B052",
                "only one time bin of whole seconds can become a Sigma correlation timespan",
                key.name.span,
            )),
        }
    }
    if group_by.is_empty() && errors.is_empty() {
        errors.push(
            Diagnostic::error(
                "B053",
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
                        "B055",
                        "a Sigma correlation has one condition on one aggregate",
                        p.span,
                    ));
                } else if condition.iter().any(|(o, _)| *o == op) {
                    errors.push(Diagnostic::error(
                        "B055",
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
                    "B055",
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
                    "B055",
                    "only count() and dcount() thresholds map to Sigma correlations",
                    agg.span,
                ));
                CorrelationKind::EventCount
            }
        },
    };
    for agg in aggs {
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
                        "B056",
                        format!("the rule's query period `{p}` is not a duration Sigma can use as a timespan"),
                        stage.span,
                    ));
                    None
                }
            },
            None => {
                errors.push(
                    Diagnostic::error(
                        "B056",
                        "a Sigma correlation needs a timespan, and this rule has no query period",
                        stage.span,
                    )
                    .with_help("translate the scheduled rule (with its queryPeriod), or group by bin(TimeGenerated, …)"),
                );
                None
            }
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
