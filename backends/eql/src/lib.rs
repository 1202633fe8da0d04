//! kqlport's Elastic EQL backend: a lowered KQL detection becomes one EQL event query,
//! `<category> where <condition> [| head n]`. This module owns the walk over tabular stages;
//! conditions are built in [`pred`], Lucene regexes by `kqlport_kit::regex::lucene` (shared
//! with ES|QL), and text in [`ast`]. It never reads files or knows about other targets.
//!
//! # What the output returns
//!
//! The same events as the KQL filter, when run through the EQL search API over an index
//! holding the table's events — with the exceptions listed under *Approximations*.
//!
//! * **Category.** With no field mapping the Sentinel table name is the event category
//!   (`DeviceNetworkEvents where …`). Real EQL categories are ECS `event.category` values
//!   (`process`, `network`, …); the field-mapping step replaces the name. Field names are
//!   kept as written; a name that is not a plain identifier (or is a keyword, or starts with
//!   `@`) is quoted with backticks, a backtick doubled.
//! * **String tests.** Case-insensitive KQL operators use `:` (`f : "*v*"` contains,
//!   `"v*"` startswith, `"*v"` endswith, `"v"` equals; several values merge into one list),
//!   case-sensitive ones `==`, `in`, `like`. `:`/`like` read `*` and `?` as wildcards and EQL
//!   has no escape for them, so a value holding `*` or `?` is tested with `in~`/`in` (equality)
//!   or `stringContains[~]`/`startsWith[~]`/`endsWith[~]` instead. `has`/`hasprefix`/`hassuffix`
//!   become `regex~`/`regex` with KQL's term boundaries (`(.*W)?v(W.*)?`, `W` = `[^A-Za-z0-9]`;
//!   a side is `.*` where `v` starts/ends with punctuation, which bounds it already).
//!   `matches regex` is rewritten from RE2 to an equivalent whole-value Lucene pattern
//!   (`kqlport_kit::regex::lucene::rewrite_re2`, the same answer ES|QL's `RLIKE` gets) or declined.
//! * **Missing fields.** KQL reads a missing string as `""`, so its negations (`!=`, `!has`,
//!   `!in`, …) keep events without the field; comparisons with a missing number are null
//!   (`!=` true). Every test gets an explicit guard: `(f == null or f != "v")`,
//!   `(f != null and not f : "")`, so the result does not depend on whether Elasticsearch runs
//!   the condition as Query DSL (`must_not` keeps documents without the field) or evaluates it
//!   with null propagation. `isempty(f)` is `(f == null or f == "")`. `isnull(f)` is
//!   `f == null` (missing or null): KQL's meaning for every type but string. On a string column
//!   KQL's `isnull` is never true; lowering folds it to `false` (`isnotnull` to `true`) when
//!   the table schema says the column is a string, and adds an over-/under-match note when it
//!   does not know the column's type.
//! * **Numbers.** `between` is `(f >= a and f <= b)` — never EQL's `between()`, which extracts
//!   substrings. `strlen(f)` is `length(f)`; `+ - * / %` are kept.
//! * `and`/`or` are always parenthesised below the top level.
//!
//! # Approximations (each reported as a [`Note`](kqlport::backend::Note))
//!
//! * A time window (`TimeGenerated > ago(7d)`) that is a top-level conjunct is left out of the
//!   query: EQL has no `now()`. The note (effect *over-match*) gives the range to apply through
//!   the search API's `filter` or the rule's look-back; with that range applied the rows are the
//!   same.
//! * `project`, `project-away`, `project-keep`, `project-rename`, `project-reorder` and
//!   `extend` do not change which events match; EQL returns whole events, so the columns differ
//!   (effect *values*). A column defined by `extend`/`project`/`project-rename` and used in a
//!   later filter is inlined into the condition.
//! * A path into a column that KQL parses from JSON text (`parse_json(X).a`) is read as an
//!   object field `X.a` (effect *under-match* where the column is stored as text).
//!
//! # Declined (with the span of the KQL that needs it)
//!
//! `summarize`, `sort`/`order`, `top`, `distinct`, `count` (B061: EQL has no statistics, sorting
//! or computed output — use ES|QL); a filter after `take` (B062); a time window under `or`/`not`
//! (B063); field-to-field comparisons (B064); computed values EQL cannot write (B065); regexes
//! that have no exact Lucene form (B066); datetime/timespan literals, `now()`, `ago()` outside a
//! top-level window (B067); field names with control characters (B068); `has ""` (B069).
//!
//! `take n` is `| head n`: the earliest n events instead of arbitrary n, which is still "n
//! arbitrary rows", so it is exact.

pub mod ast;
mod join;
pub mod pred;

use ast::{Category, Cond, EqlQuery};
use kqlport::backend::{Backend, Effect, Notes, RuleContext, Translation};
use kqlport::diag::Diagnostic;
use kqlport::ir::{self, CmpOp, DurationUnit, Predicate, PredicateKind, SourceKind, StageKind};
use pred::{Env, Lowerer};

/// The EQL target.
#[derive(Clone, Copy, Debug, Default)]
pub struct Eql;

impl Backend for Eql {
    fn name(&self) -> &'static str {
        "eql"
    }

    fn comment(&self, text: &str) -> String {
        comment(text)
    }

    fn translate(
        &self,
        rule: &RuleContext,
        query: &ir::Query,
    ) -> Result<Translation, Vec<Diagnostic>> {
        // IR nesting (bounded by lowering) is walked recursively: on a stack of its own.
        kqlport::stack::with_stack(|| self.translate_here(rule, query))
    }
}

impl Eql {
    fn translate_here(
        &self,
        _rule: &RuleContext,
        query: &ir::Query,
    ) -> Result<Translation, Vec<Diagnostic>> {
        let table = match &query.source.kind {
            SourceKind::Table(t) => t,
            SourceKind::Union(_) => return Err(vec![union_declined(query)]),
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
                                "B062",
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
                            let resolved = resolve_binding(&env, &a.expr);
                            env.insert(
                                a.name.name.clone(),
                                (resolved, a.name.span.to(a.expr.span)),
                            );
                        }
                    }
                }
                StageKind::Rename(pairs) => {
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
                        let resolved = resolve_binding(&env, &old_expr);
                        env.insert(new.name.clone(), (resolved, new.span.to(old.span)));
                    }
                }
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
                StageKind::Join { kind, .. } => diags.push(join::decline(stage, *kind)),
                StageKind::MvExpand(_) => diags.push(
                    Diagnostic::error(
                        "B070",
                        "EQL cannot expand an array into rows",
                        stage.span,
                    )
                    .with_label("mv-expand has no EQL equivalent")
                    .with_help("EQL returns whole matching events, one row each; translate this rule to ES|QL or SPL instead"),
                ),
                StageKind::Parse(_) => diags.push(
                    Diagnostic::error(
                        "B071",
                        "EQL cannot cut columns out of a string",
                        stage.span,
                    )
                    .with_label("parse has no EQL equivalent")
                    .with_help("EQL returns whole matching events and computes no columns; translate this rule to ES|QL or SPL instead"),
                ),
                StageKind::Aggregate { .. }
                | StageKind::Sort(_)
                | StageKind::Top { .. }
                | StageKind::Distinct(_)
                | StageKind::Count => {
                    let op = match stage.kind {
                        StageKind::Aggregate { .. } => "summarize",
                        StageKind::Sort(_) => "sort/order by",
                        StageKind::Top { .. } => "top",
                        StageKind::Distinct(_) => "distinct",
                        _ => "count",
                    };
                    diags.push(
                        Diagnostic::error(
                            "B061",
                            format!("EQL cannot express `{op}`"),
                            stage.span,
                        )
                        .with_label(format!("`{op}` has no EQL equivalent"))
                        .with_help("EQL returns matching events only (no statistics, sorting or computed output); translate this rule to ES|QL instead"),
                    );
                }
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

#[cfg(test)]
mod tests;

/// An EQL comment line, `// text`, the text made one line (Elasticsearch's EQL lexer ends a `//`
/// comment at CR or LF, the `eql` package at LF).
pub fn comment(text: &str) -> String {
    format!("// {}", kqlport::backend::one_line(text))
}

/// `B031`: EQL has no form for a union.
fn union_declined(query: &ir::Query) -> Diagnostic {
    Diagnostic::error(
        "B031",
        "EQL cannot express a union of several tables",
        query.source.span,
    )
    .with_label("not expressible in EQL")
    .with_help("an EQL query reads one event category; `any where` over several categories is not the same rule once the legs differ, so kqlport declines every union")
}
