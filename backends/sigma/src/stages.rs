//! The pipeline walk: which stages Sigma can carry and how (filters → detection, `project` →
//! `fields`, `summarize` + threshold → correlation, built in `correlation`). Owns the stage
//! policy and the notes about output shape; never builds selections (see `detection`) or YAML.

use crate::correlation::{correlation, Correlation};
use kqlport::backend::{Effect, Notes, RuleContext};
use kqlport::codes::{BackendCode, SigmaCode};
use kqlport::diag::Diagnostic;
use kqlport::ir::facts::Time;
use kqlport::ir::{
    visit, CmpOp, Duration, Expr, ExprKind, Predicate, PredicateKind, Query, Stage, StageKind,
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

/// A look-back window the query states itself (`t > ago(d)` on the event time), in seconds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LookBack {
    pub seconds: i64,
    pub span: Span,
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
    // The query's own look-back (`TimeGenerated > ago(d)` before any summarize): a hunting
    // query's counting window when the rule states no query period.
    let mut lookback: Option<LookBack> = None;
    let facts = query.facts();

    for (index, stage) in query.stages.iter().enumerate() {
        match &stage.kind {
            StageKind::Filter(p) => {
                let uses = refs_of_predicate(p);
                let scope = facts.before(index);
                if let Some(d) = defined.iter().find(|d| uses.contains(&d.name)) {
                    errors.push(
                        Diagnostic::error(
                            SigmaCode::B051,
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
                        if let PredicateKind::TimeWindow {
                            field,
                            op: CmpOp::Gt | CmpOp::Ge,
                            ago,
                        } = &c.kind
                        {
                            if scope.time_of(field) == Some(Time::EventTime) {
                                let seconds = ago.ticks / Duration::TICKS_PER_SECOND;
                                // The narrowest of several look-backs is the one that counts.
                                if lookback.as_ref().is_none_or(|l| seconds < l.seconds) {
                                    lookback = Some(LookBack {
                                        seconds,
                                        span: c.span,
                                    });
                                }
                            }
                        }
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
            StageKind::Ipv4Lookup(_) => errors.push(crate::REFUSAL.ipv4_lookup(
                stage.span,
                "a Sigma rule matches each event on its own; translate this rule to SPL, which reads the ranges from a CIDR lookup",
            )),
            // `toscalar(R | summarize …)` over the rows so far: a value computed by a query.
            StageKind::Totals(_) => errors.push(crate::REFUSAL.subquery(
                stage.span,
                "a Sigma rule matches each event on its own and computes no aggregate over the \
                 matched events; translate this rule to ES|QL (`INLINE STATS`) or SPL \
                 (`eventstats`) instead",
            )),
            StageKind::Scalar(_) => errors.push(crate::REFUSAL.subquery(
                stage.span,
                "a Sigma rule matches each event on its own and cannot read a value another \
                 query computes; translate this rule to SPL (a `join` with that query) instead",
            )),
            StageKind::MvExpand(_) => errors.push(
                Diagnostic::error(
                    BackendCode::B070,
                    "Sigma cannot expand an array into rows",
                    stage.span,
                )
                .with_label("mv-expand has no Sigma form")
                .with_help("a Sigma rule matches whole events, one each"),
            ),
            StageKind::Neighbours { dir, .. } => errors.push(
                Diagnostic::error(
                    BackendCode::B072,
                    format!(
                        "Sigma cannot read a column on a neighbouring row (`{}()`)",
                        dir.kql_name()
                    ),
                    stage.span,
                )
                .with_label("no Sigma form")
                .with_help("a Sigma rule matches fields of events and computes no columns"),
            ),
            StageKind::Parse(_) => errors.push(
                Diagnostic::error(
                    BackendCode::B071,
                    "Sigma cannot cut columns out of a string",
                    stage.span,
                )
                .with_label("parse has no Sigma form")
                .with_help("a Sigma rule matches fields of events and computes no columns"),
            ),
        }
    }

    let correlation = match aggregate {
        Some(stage) => match correlation(rule, stage, &thresholds, lookback, notes) {
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
                SigmaCode::B054,
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
    Diagnostic::error(SigmaCode::B050, format!("Sigma has no form for {what}"), stage.span)
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

pub(crate) fn refs_of_predicate(p: &Predicate) -> Vec<String> {
    visit::predicate_columns(p)
        .into_iter()
        .map(String::from)
        .collect()
}
