//! The stage walk: filters become one EQL condition and `take` its `| head n`.
//!
//! Stages that only shape the output are noted; the rest (statistics, sorting, joins…) declined.

use crate::ast::{Category, Cond, EqlQuery};
use crate::join;
use crate::pred::{Env, Lowerer};
use kqlport::backend::{Effect, Notes, Translation};
use kqlport::codes::{BackendCode, EqlCode};
use kqlport::diag::Diagnostic;
use kqlport::ir::{self, CmpOp, DurationUnit, Predicate, PredicateKind, SourceKind, StageKind};

/// The EQL query for `query`, or every refusal.
pub(crate) fn translate(query: &ir::Query) -> Result<Translation, Vec<Diagnostic>> {
    let table = match &query.source.kind {
        SourceKind::Table(t) => t,
        SourceKind::Union(_) => return Err(vec![union_declined(query)]),
        SourceKind::Lookup(_) => return Err(vec![crate::REFUSAL.lookup_source(query.source.span)]),
    };
    let mut notes = Notes::default();
    let mut diags = Vec::new();
    let mut env = Env::new();
    let mut conds: Vec<Cond> = Vec::new();
    let mut head: Option<(u64, ir::Stage)> = None;

    for (index, stage) in query.stages.iter().enumerate() {
        match &stage.kind {
            StageKind::Sort(_) if query.order_unused_after(index) => {
                notes.push(
                    stage.span,
                    Effect::Order,
                    "EQL returns events in its own order (by timestamp); the sort is not applied",
                );
            }
            StageKind::Filter(p) => {
                if let Some((_, limit)) = &head {
                    diags.push(
                        Diagnostic::error(
                            EqlCode::B062,
                            "a filter after `take`/`limit` cannot be written in EQL",
                            stage.span,
                        )
                        .with_label("filter after a row limit")
                        .with_secondary(limit.span, "the limit")
                        .with_help("EQL's `head` pipe can only come last; move the limit after the filters if the rule allows it"),
                    );
                    continue;
                }
                let mut conjuncts = Vec::new();
                flatten_and(p, &mut conjuncts);
                for c in conjuncts {
                    if let PredicateKind::TimeWindow { field, op, ago } = &c.kind {
                        if let Some(msg) = time_window_note(field, *op, *ago) {
                            notes.push(c.span, Effect::OverMatch, msg);
                            continue;
                        }
                    }
                    let mut lw = Lowerer {
                        env: &env,
                        notes: &mut notes,
                        diags: &mut diags,
                    };
                    if let Some(cond) = lw.pred(c, false) {
                        conds.push(cond);
                    }
                }
            }
            StageKind::Extend(assigns) | StageKind::Project(assigns) => {
                bind_assignments(&mut env, &mut notes, stage, assigns)
            }
            StageKind::Rename(pairs) => bind_renames(&mut env, &mut notes, stage, pairs),
            StageKind::ProjectAway(_) | StageKind::ProjectKeep(_) | StageKind::Reorder(_) => {
                notes.push(
                    stage.span,
                    Effect::Values,
                    "EQL returns whole events; the projection is not applied",
                );
            }
            StageKind::Limit(n) => {
                let n = head.as_ref().map_or(*n, |(m, _)| (*m).min(*n));
                head = Some((n, stage.clone()));
            }
            // `toscalar(R | summarize …)` over the rows so far: a value computed by a query.
            StageKind::Totals(_) => diags.push(crate::REFUSAL.subquery(stage.span, TOTALS_HELP)),
            // `toscalar(Q)` of another query: a value that query computes.
            StageKind::Scalar(_) => diags.push(crate::REFUSAL.subquery(stage.span, SCALAR_HELP)),
            StageKind::Ipv4Lookup(_) => diags.push(crate::REFUSAL.ipv4_lookup(
                stage.span,
                "EQL matches events only; translate this rule to SPL, which reads the ranges from a CIDR lookup",
            )),
            StageKind::Join { .. }
            | StageKind::MvExpand(_)
            | StageKind::Parse(_)
            | StageKind::Neighbours { .. }
            | StageKind::Aggregate { .. }
            | StageKind::Sort(_)
            | StageKind::Top { .. }
            | StageKind::Distinct(_)
            | StageKind::Count => diags.push(declined(stage)),
        }
    }

    if !diags.is_empty() {
        return Err(diags);
    }
    let condition = match conds.len() {
        0 => Cond::Bool(true),
        _ => Cond::all(conds),
    };
    let out = EqlQuery {
        category: Category::Name(
            query
                .source
                .target
                .as_ref()
                .and_then(|t| t.eql_category.clone())
                .unwrap_or_else(|| table.clone()),
        ),
        condition,
        head: head.map(|(n, _)| n),
    };
    Ok(Translation {
        text: out.to_string(),
        fidelity: notes.into_fidelity(),
    })
}

/// `extend`/`project`: EQL returns whole events, so the columns are not added (a note); each
/// one is bound to its definition, for later filters to test.
fn bind_assignments(
    env: &mut Env,
    notes: &mut Notes,
    stage: &ir::Stage,
    assigns: &[ir::Assignment],
) {
    let computed = assigns.iter().any(|a| {
        !matches!(&a.expr.kind, ir::ExprKind::Field(fp) if fp.is_plain() && fp.column == a.name.name)
    });
    let what = if matches!(stage.kind, StageKind::Extend(_)) {
        "the computed columns are not added"
    } else if computed {
        "the projection (and its computed columns) is not applied"
    } else {
        "the projection is not applied"
    };
    notes.push(
        stage.span,
        Effect::Values,
        format!("EQL returns whole events; {what}"),
    );
    for a in assigns {
        let is_self = matches!(&a.expr.kind, ir::ExprKind::Field(fp) if fp.is_plain() && fp.column == a.name.name);
        if !is_self {
            let resolved = resolve_binding(env, &a.expr);
            env.insert(a.name.name.clone(), (resolved, a.name.span.to(a.expr.span)));
        }
    }
}

/// `project-rename`: not applied to the events (a note); each new name is bound to the column
/// it renames.
fn bind_renames(
    env: &mut Env,
    notes: &mut Notes,
    stage: &ir::Stage,
    pairs: &[(ir::Column, ir::Column)],
) {
    notes.push(
        stage.span,
        Effect::Values,
        "EQL returns whole events; the renaming is not applied",
    );
    for (new, old) in pairs {
        let old_expr = ir::Expr {
            kind: ir::ExprKind::Field(ir::FieldPath::column(old.name.clone())),
            span: old.span,
        };
        let resolved = resolve_binding(env, &old_expr);
        env.insert(new.name.clone(), (resolved, new.span.to(old.span)));
    }
}

/// The refusal for a stage EQL has no form for: a join, mv-expand, parse, or one that
/// aggregates, sorts or counts (`B061`).
const SCALAR_HELP: &str = "an EQL query tests each event on its own and cannot read a value another query computes; translate this rule to SPL (a `join` with that query) instead";

const TOTALS_HELP: &str = "an EQL query tests each event on its own and computes no aggregate over the matched events; translate this rule to ES|QL (`INLINE STATS`) or SPL (`eventstats`) instead";

fn declined(stage: &ir::Stage) -> Diagnostic {
    match &stage.kind {
        StageKind::Join { kind, .. } => join::decline(stage, *kind),
        StageKind::MvExpand(_) => Diagnostic::error(
            BackendCode::B070,
            "EQL cannot expand an array into rows",
            stage.span,
        )
        .with_label("mv-expand has no EQL equivalent")
        .with_help("EQL returns whole matching events, one row each; translate this rule to ES|QL or SPL instead"),
        StageKind::Neighbours { dir, .. } => Diagnostic::error(
            BackendCode::B072,
            format!("EQL cannot read a column on a neighbouring row (`{}()`)", dir.kql_name()),
            stage.span,
        )
        .with_label("no EQL equivalent")
        .with_help("EQL returns whole matching events and computes no columns; translate this rule to SPL instead"),
        StageKind::Parse(_) => Diagnostic::error(
            BackendCode::B071,
            "EQL cannot cut columns out of a string",
            stage.span,
        )
        .with_label("parse has no EQL equivalent")
        .with_help("EQL returns whole matching events and computes no columns; translate this rule to ES|QL or SPL instead"),
        // summarize, sort (whose order matters), top, distinct, count
        _ => {
            let op = match stage.kind {
                StageKind::Aggregate { .. } => "summarize",
                StageKind::Sort(_) => "sort/order by",
                StageKind::Top { .. } => "top",
                StageKind::Distinct(_) => "distinct",
                _ => "count",
            };
            Diagnostic::error(
                EqlCode::B061,
                format!("EQL cannot express `{op}`"),
                stage.span,
            )
            .with_label(format!("`{op}` has no EQL equivalent"))
            .with_help("EQL returns matching events only (no statistics, sorting or computed output); translate this rule to ES|QL instead")
        }
    }
}

/// Top-level conjuncts of a filter (nested `and`s flattened).
fn flatten_and<'p>(p: &'p Predicate, out: &mut Vec<&'p Predicate>) {
    match &p.kind {
        PredicateKind::And(xs) => xs.iter().for_each(|x| flatten_and(x, out)),
        _ => out.push(p),
    }
}

/// Substitutes earlier bindings into a new binding's expression (plain column references only;
/// deeper references are resolved when the expression is used).
fn resolve_binding(env: &Env, e: &ir::Expr) -> ir::Expr {
    match &e.kind {
        ir::ExprKind::Field(fp) if fp.is_plain() => match env.get(&fp.column) {
            Some((bound, _)) => bound.clone(),
            None => e.clone(),
        },
        _ => e.clone(),
    }
}

/// The note for a dropped top-level time window; `None` for `==`/`!=` windows (declined).
fn time_window_note(field: &ir::Expr, op: CmpOp, ago: ir::Duration) -> Option<String> {
    let name = match &field.kind {
        ir::ExprKind::Field(fp) => fp.column.clone(),
        _ => "the timestamp".to_string(),
    };
    let (amount, unit) = ago.whole_unit();
    let (amount, unit) = match unit {
        DurationUnit::Day => (amount, "d"),
        DurationUnit::Hour => (amount, "h"),
        DurationUnit::Minute => (amount, "m"),
        DurationUnit::Second => (amount, "s"),
        DurationUnit::Millisecond => (amount, "ms"),
        // Date math has no sub-millisecond unit; say it in ticks (100 ns).
        DurationUnit::Tick => (amount, " ticks"),
    };
    let range = match op {
        CmpOp::Gt => "gt",
        CmpOp::Ge => "gte",
        CmpOp::Lt => "lt",
        CmpOp::Le => "lte",
        CmpOp::Eq | CmpOp::Ne => return None,
    };
    Some(format!(
        "the time window on `{name}` is not part of the EQL query: apply it as the search API's \
         `filter` ({{\"range\": {{\"{name}\": {{\"{range}\": \"now-{amount}{unit}\"}}}}}}) or the \
         rule's look-back; without it, events outside the window also match"
    ))
}

/// The help of EQL's `B032` refusal (a subquery or watchlist).
pub(crate) const SUBQUERY_HELP: &str =
    "an EQL query has no subquery: the list would have to be written into the query as constants";

/// `B031`: EQL has no form for a union.
fn union_declined(query: &ir::Query) -> Diagnostic {
    crate::REFUSAL.union_of_tables(query.source.span, "an EQL query reads one event category; `any where` over several categories is not the same rule once the legs differ, so kqlport declines every union")
}
