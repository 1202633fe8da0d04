//! The stage driver: `FROM`, each stage handed to the module generating it, closing `LIMIT`.
//!
//! Pushdown (`pushdown`) reorders the leading `WHERE`s once every stage is lowered.

use crate::ast::{self, Command, Expr};
use crate::cx::Cx;
use crate::{
    join, lookup_source, mvexpand, parse, projection, pushdown, scalar, stats, stored, subquery,
    union, MAX_ROWS,
};
use kqlport::backend::Effect;
use kqlport::codes::{BackendCode, EsqlCode};
use kqlport::ir::facts::Shape;
use kqlport::ir::{self, Nulls, SortDir, SourceKind, StageKind};
use kqlport::source::Span;

/// The help of ES|QL's `B032` refusal (a subquery or watchlist).
pub(crate) const SUBQUERY_HELP: &str = "an ES|QL query has no subquery; a LOOKUP JOIN on a lookup index holding the list would test membership once the list is materialised into that index, which one query cannot do";

/// One query's pipeline, ending in an explicit `LIMIT`. Notes and refusals go to `cx`.
pub(crate) fn lower_query(cx: &mut Cx, query: &ir::Query) -> ast::Query {
    let mut q = match &query.source.kind {
        SourceKind::Table(_) | SourceKind::Lookup(_) => lower_commands(cx, query),
        SourceKind::Union(u) => return union::lower_union(cx, query, u),
    };
    finish(&mut q.commands);
    q
}

/// Leading `WHERE`s pushed down, and the closing `LIMIT` when the query has none lower.
pub(crate) fn finish(commands: &mut Vec<Command>) {
    pushdown::lead_with_pushable(commands);
    if !matches!(commands.last(), Some(Command::Limit(n)) if *n <= MAX_ROWS) {
        commands.push(Command::Limit(MAX_ROWS));
    }
}

/// A one-table query's `FROM` and its stages' commands, one stage after another (no pushdown,
/// no closing `LIMIT`): what a union leg folds into per-leg conditions.
pub(crate) fn lower_commands(cx: &mut Cx, query: &ir::Query) -> ast::Query {
    let table = match &query.source.kind {
        SourceKind::Table(table) => table.clone(),
        // Never a leg (legs are one-table queries); a union is lowered whole.
        SourceKind::Union(u) => return union::lower_union(cx, query, u),
        // The source of a materialisation query: the index the user fills with its rows.
        SourceKind::Lookup(l) => match lookup_source::index(cx, l, query.source.span) {
            Some(index) => index,
            None => {
                return ast::Query {
                    index: String::new(),
                    metadata_id: false,
                    metadata_index: false,
                    commands: Vec::new(),
                }
            }
        },
    };
    let table = &table;
    cx.table = table.clone();
    cx.target = query.source.target.clone();
    // A field-mapping pipeline may give an index pattern (`logs-m365_defender.event-*`).
    let mapped = query
        .source
        .target
        .as_ref()
        .and_then(|t| t.elastic_index.clone());
    let index = mapped.clone().unwrap_or_else(|| table.clone());
    let plain = match &mapped {
        Some(pattern) => pattern
            .split(',')
            .all(|p| is_plain_index(&p.replace('*', "x"))),
        None => is_plain_index(table),
    };
    if !plain {
        cx.decline(
            EsqlCode::B008,
            "this table name is not a plain ES|QL index name",
            query.source.span,
        );
    }
    let mut commands = Vec::new();
    // STATS (and so `arg_max(t, *)`) leaves no `split()` multi-value, `parse_url()` text or
    // dynamic member it can still treat as one; a LOOKUP JOIN whose right side's columns are
    // not known may overwrite any column with a lookup field, so no member survives it.
    let facts = query.facts_read_by(&|kind, scope| match kind {
        StageKind::Aggregate { .. } => scope
            .forget_shapes(|_, s| matches!(s, Shape::Split { .. } | Shape::Url | Shape::Member(_))),
        StageKind::Join { kind, right, .. }
            if kind.keeps_columns().1 && right.output_columns().is_none() =>
        {
            scope.forget_shapes(|_, s| matches!(s, Shape::Member(_)))
        }
        _ => {}
    });
    for (i, stage) in query.stages.iter().enumerate() {
        cx.cols = facts.before(i).clone();
        cx.lookup_fields = stored::lookup_fields(&query.stages[..i]);
        let left = || join::LeftColumns {
            exact: ir::columns_after(None, &query.stages[..i]),
            from_schema: stored::schema_columns(table, query.source.target.as_ref())
                .and_then(|cols| ir::columns_after(Some(cols), &query.stages[..i])),
        };
        if let StageKind::Join { kind, right, on } = &stage.kind {
            join::lookup_join(cx, stage, *kind, right, on, left(), &mut commands);
            continue;
        }
        if let StageKind::Filter(p) = &stage.kind {
            if p.has_subquery() {
                subquery::filter(cx, p, &left, &mut commands);
                continue;
            }
        }
        if let StageKind::Extend(assigns) = &stage.kind {
            if !ir::visit::subqueries(stage).is_empty() {
                subquery::extend(cx, assigns, &left, &mut commands);
                continue;
            }
        }
        if let StageKind::Scalar(sq) = &stage.kind {
            scalar::scalar(cx, sq, &mut commands);
            continue;
        }
        if let StageKind::Totals(aggs) = &stage.kind {
            // Whether a `SORT` before it fixes the order the query returns.
            let sorted =
                |s: &ir::Stage| matches!(s.kind, StageKind::Sort(_) | StageKind::Top { .. });
            let order_kept =
                query.stages[..i].iter().any(sorted) && !query.stages[i + 1..].iter().any(sorted);
            stats::totals(cx, aggs, stage.span, order_kept, &mut commands);
            continue;
        }
        if let StageKind::MvExpand(m) = &stage.kind {
            mvexpand::mv_expand(cx, m, stage.span, &query.stages[i + 1..], &mut commands);
            continue;
        }
        lower_stage(cx, stage, &mut commands);
    }
    cx.cols = facts.output().clone();
    ast::Query {
        index,
        metadata_id: cx.metadata_id,
        metadata_index: false,
        commands,
    }
}

fn is_plain_index(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// At most how many rows the KQL returns, when its stages bound it (`take`/`top`, `count`,
/// `summarize` without `by`) and no later stage can multiply rows (a join other than semi/anti
/// can). `None`: unbounded. (A `take`/`top` above [`MAX_ROWS`] has its own UnderMatch note.)
pub(crate) fn row_bound(stages: &[ir::Stage]) -> Option<u64> {
    let mut bound: Option<u64> = None;
    for s in stages {
        bound = match &s.kind {
            StageKind::Limit(n) | StageKind::Top { n, .. } => Some(bound.map_or(*n, |b| b.min(*n))),
            StageKind::Count => Some(1),
            StageKind::Aggregate { by, .. } if by.is_empty() => Some(1),
            StageKind::Join { kind, .. } if kind.keeps_columns() == (true, false) => bound,
            StageKind::Join { .. } | StageKind::MvExpand(_) | StageKind::Ipv4Lookup(_) => None,
            _ => bound,
        };
    }
    bound
}

/// One stage's commands, appended to `out` (joins and mv-expand excepted: see `lower_query`).
fn lower_stage(cx: &mut Cx, stage: &ir::Stage, out: &mut Vec<Command>) {
    match &stage.kind {
        StageKind::Filter(p) => {
            cx.filtering = true;
            let e = cx.pred(p, true);
            cx.filtering = false;
            if e != Expr::Bool(true) {
                out.push(Command::Where(e));
            }
        }
        StageKind::Extend(assigns) => projection::extend(cx, assigns, out),
        StageKind::Project(assigns) => projection::project(cx, assigns, out),
        StageKind::ProjectAway(ps) => projection::project_away(cx, ps, out),
        StageKind::ProjectKeep(ps) => projection::project_keep(cx, ps, out),
        StageKind::Rename(pairs) => projection::rename(cx, pairs, out),
        StageKind::Reorder(ps) => projection::reorder(cx, ps, out),
        StageKind::Aggregate { by, aggs } => stats::summarize(cx, by, aggs, out),
        StageKind::Totals(_) => {}
        // `lower_query` hands it to `scalar::scalar` (a materialisation query of its own).
        StageKind::Scalar(_) => {}
        StageKind::Sort(keys) => {
            let keys = keys.iter().map(|k| sort_key(cx, k)).collect();
            out.push(Command::Sort(keys));
        }
        StageKind::Top { n, key } => {
            let k = sort_key(cx, key);
            out.push(Command::Sort(vec![k]));
            limit(cx, *n, stage.span, out);
        }
        StageKind::Limit(n) => limit(cx, *n, stage.span, out),
        StageKind::Distinct(cols) => stats::distinct(cx, cols, out),
        // `lower_query` hands joins to `join::lookup_join`, which needs the left columns.
        StageKind::Join { .. } => {}
        // `lower_query` hands mv-expand to `mvexpand::mv_expand`, which reads the later stages.
        StageKind::MvExpand(_) => {}
        StageKind::Parse(p) => parse::parse(cx, p, stage.span, out),
        StageKind::Neighbours { dir, .. } => cx.decline_help(
            BackendCode::B072,
            format!(
                "`{}()` reads a column on a neighbouring row of the sorted rows; ES|QL has no \
                 window function (no command reads another row than the current one)",
                dir.kql_name()
            ),
            stage.span,
            "compare neighbouring rows in Elasticsearch with a transform or in Splunk with streamstats",
        ),
        StageKind::Count => stats::count(cx, out),
        StageKind::Ipv4Lookup(_) => cx.errors.push(crate::REFUSAL.ipv4_lookup(
            stage.span,
            "ES|QL's LOOKUP JOIN matches equal keys only; an ENRICH range policy over an `ip_range` field gives several matching ranges as one multivalue row, not kqlport's translation yet; translate this rule to SPL, which reads the ranges from a CIDR lookup",
        )),
    }
}

/// `take n` ⇒ `LIMIT n`, with a note when `n` is above ES|QL's row cap.
fn limit(cx: &mut Cx, n: u64, span: Span, out: &mut Vec<Command>) {
    if n > MAX_ROWS {
        cx.notes.push(
            span,
            Effect::UnderMatch,
            format!("ES|QL returns at most {MAX_ROWS} rows; KQL asks for {n}"),
        );
    }
    out.push(Command::Limit(n));
}

/// A sort key with KQL's direction and null placement made explicit.
fn sort_key(cx: &mut Cx, k: &ir::SortKey) -> ast::SortKey {
    ast::SortKey {
        expr: cx.expr(&k.expr),
        desc: k.dir == SortDir::Desc,
        nulls_first: k.nulls == Nulls::First,
    }
}
