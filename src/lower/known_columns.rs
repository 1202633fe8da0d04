//! Names that are no column where they are used.
//!
//! * `L060` (an error): after a stage that fixes the columns from the query's own text
//!   (`project`, `summarize`, `distinct`, `count`, a join of two such sides …), a name that is
//!   none of them. Kusto rejects such a query (Kusto.Language's KS142: "does not refer to any
//!   known column"); a translation of it would run and return rows that mean nothing. This
//!   does not depend on any table's schema.
//! * `L061` (a warning): a name that is not in kqlport's column list of the source table
//!   ([`crate::schema`]). The list comes from Microsoft's documentation as scraped by
//!   pySigma-backend-kusto 1.0.1 and is known to lag the real tables (columns added since,
//!   workspace-wide columns such as `TenantId` and `_ItemId`), so it cannot prove a query
//!   invalid: it is reported, and the query still translated.
//!
//! Never guesses: where the columns are not known (a table with no full column list — custom
//! `_CL` tables, watchlists, the ASIM parsers, `AzureDiagnostics`; after `arg_max(…, *)`; a join
//! with a side of unknown columns) nothing is reported. `column_ifexists("C", …)` names a column
//! that may be missing, and is never reported.

use crate::codes::LowerCode;
use crate::diag::Diagnostic;
use crate::ir::{self, visit, GroupKeyKind, StageKind};
use crate::schema;
use crate::source::Span;

/// What the check found: errors (`L060`) and warnings (`L061`), in query order.
#[derive(Default)]
pub(crate) struct Found {
    pub(crate) errors: Vec<Diagnostic>,
    pub(crate) warnings: Vec<Diagnostic>,
}

/// Every reference in `query` (and its join right sides) to a column that does not exist at
/// that point. `ifexists`: the spans of `column_ifexists` reads, which may name a missing
/// column.
pub(crate) fn check(query: &ir::Query, ifexists: &[Span]) -> Found {
    let mut found = Found::default();
    Checker {
        ifexists,
        found: &mut found,
    }
    .query(query);
    found
}

/// The columns a query's source table has, when kqlport's schema lists them all.
fn source_columns(query: &ir::Query) -> Option<Vec<String>> {
    match &query.source.kind {
        ir::SourceKind::Table(name) => {
            let names = schema::table(name)?.all_column_names()?;
            Some(names.into_iter().map(str::to_string).collect())
        }
        ir::SourceKind::Union(u) => ir::union_columns(u, |leg| output_columns(leg, false)),
        ir::SourceKind::Lookup(l) => l.declared_columns(),
    }
}

/// A query's output columns as its own stages fix them (`certain`), or starting from its
/// table's schema.
fn output_columns(query: &ir::Query, certain: bool) -> Option<Vec<String>> {
    let mut cols = if certain { None } else { source_columns(query) };
    for s in &query.stages {
        cols = ir::columns_of_stage(cols, &s.kind, &|q| output_columns(q, certain));
    }
    cols
}

/// The known columns at one point, and where they were last fixed (for the message).
struct Scope<'c> {
    columns: &'c [String],
    /// The columns follow from the query's own operators (not from the table's schema).
    certain: bool,
    /// Names the current stage defines that its later parts may use (an `extend`'s earlier
    /// assignments).
    local: Vec<String>,
    /// The stage that last fixed the column list; `None` while they are the table's.
    fixed_at: Option<Span>,
    table: &'c str,
}

struct Checker<'a, 'o> {
    ifexists: &'a [Span],
    found: &'o mut Found,
}

impl Checker<'_, '_> {
    fn query(&mut self, query: &ir::Query) {
        let (table, mut fixed) = match &query.source.kind {
            ir::SourceKind::Table(t) => (t.clone(), None),
            ir::SourceKind::Lookup(l) => match l.declared_columns() {
                None => (format!("_GetWatchlist('{}')", l.name), None),
                declared => ("externaldata".to_string(), declared),
            },
            ir::SourceKind::Union(u) => {
                // A fuzzy union's legs may name what they lack (the leg is then left out):
                // Kusto.Language reports nothing there either.
                if !u.fuzzy {
                    for leg in &u.legs {
                        self.query(leg);
                    }
                }
                (
                    u.tables().join(", "),
                    ir::union_columns(u, |leg| output_columns(leg, true)),
                )
            }
        };
        let table = table.as_str();
        // The columns as the query's own operators fix them, and as the table's schema says.
        let mut schema = source_columns(query);
        let mut fixed_at = None;
        for stage in &query.stages {
            match &stage.kind {
                StageKind::Join { right, .. } => self.query(right),
                StageKind::Scalar(sq) => self.query(&sq.query),
                _ => {}
            }
            for sub in ir::visit::subqueries(stage) {
                self.query(&sub.query);
            }
            let known = match (&fixed, &schema) {
                (Some(c), _) => Some((c, true)),
                (None, Some(c)) => Some((c, false)),
                (None, None) => None,
            };
            if let Some((columns, certain)) = known {
                let mut scope = Scope {
                    columns,
                    certain,
                    local: Vec::new(),
                    fixed_at,
                    table,
                };
                self.stage(&stage.kind, &mut scope);
            }
            fixed = ir::columns_of_stage(fixed, &stage.kind, &|q| output_columns(q, true));
            schema = ir::columns_of_stage(schema, &stage.kind, &|q| output_columns(q, false));
            if fixes_columns(&stage.kind) {
                fixed_at = Some(stage.span);
            }
        }
    }

    fn stage(&mut self, kind: &StageKind, scope: &mut Scope) {
        match kind {
            StageKind::Filter(p) => self.fields(visit::predicate_fields(p), scope),
            StageKind::Extend(assigns) => {
                // Left to right: a later assignment sees the earlier ones.
                for a in assigns {
                    self.expr(&a.expr, scope);
                    scope.local.push(a.name.name.clone());
                }
            }
            // A `project`'s items see only its input (Kusto.Language: `project x = A, y = x`
            // is an error).
            StageKind::Project(assigns) => {
                for a in assigns {
                    self.expr(&a.expr, scope);
                }
            }
            StageKind::ProjectAway(pats)
            | StageKind::ProjectKeep(pats)
            | StageKind::Reorder(pats) => {
                for p in pats.iter().filter(|p| !p.is_wildcard()) {
                    self.name(&p.pattern, p.span, scope);
                }
            }
            StageKind::Rename(pairs) => {
                for (_, old) in pairs {
                    self.name(&old.name, old.span, scope);
                }
            }
            StageKind::Totals(aggs) => {
                for a in aggs {
                    self.fields(visit::aggregation_fields(&a.func), scope);
                }
                scope.local.extend(aggs.iter().map(|a| a.name.name.clone()));
            }
            StageKind::Scalar(sq) => scope.local.push(sq.name.name.clone()),
            StageKind::Aggregate { by, aggs } => {
                for k in by {
                    match &k.kind {
                        GroupKeyKind::Expr(e) => self.expr(e, scope),
                        GroupKeyKind::Bin { field, .. } => self.expr(field, scope),
                    }
                }
                for a in aggs {
                    self.fields(visit::aggregation_fields(&a.func), scope);
                }
            }
            StageKind::Sort(keys) => {
                for k in keys {
                    self.expr(&k.expr, scope);
                }
            }
            StageKind::Top { key, .. } => self.expr(&key.expr, scope),
            StageKind::Distinct(cols) => {
                for c in cols {
                    self.name(&c.name, c.span, scope);
                }
            }
            StageKind::Join { right, on, .. } => {
                let right_cols = match output_columns(right, true) {
                    Some(c) => Some((c, true)),
                    None => output_columns(right, false).map(|c| (c, false)),
                };
                for k in on {
                    self.name(&k.left.name, k.left.span, scope);
                    if let Some((columns, certain)) = &right_cols {
                        let table = right.table().unwrap_or("union");
                        let right_scope = Scope {
                            columns,
                            certain: *certain,
                            local: Vec::new(),
                            fixed_at: right
                                .stages
                                .iter()
                                .rev()
                                .find(|s| fixes_columns(&s.kind))
                                .map(|s| s.span),
                            table,
                        };
                        self.name(&k.right.name, k.right.span, &right_scope);
                    }
                }
            }
            StageKind::MvExpand(m) => {
                for i in &m.items {
                    for e in i.exprs() {
                        self.expr(e, scope);
                    }
                }
            }
            StageKind::Parse(p) => self.expr(&p.source, scope),
            // Every item reads the input row's columns.
            StageKind::Neighbours { items, .. } => {
                for a in items {
                    self.expr(&a.expr, scope);
                }
                scope
                    .local
                    .extend(items.iter().map(|a| a.name.name.clone()));
            }
            StageKind::Ipv4Lookup(l) => self.name(&l.key.name, l.key.span, scope),
            StageKind::Limit(_) | StageKind::Count => {}
        }
    }

    /// Checks each field read (`column_ifexists` reads excepted).
    fn fields(&mut self, fields: Vec<(&ir::FieldPath, Span)>, scope: &Scope) {
        for (f, span) in fields {
            if !self.ifexists.iter().any(|s| s.range() == span.range()) {
                self.name(&f.column, span, scope);
            }
        }
    }

    fn expr(&mut self, e: &ir::Expr, scope: &Scope) {
        self.fields(visit::expr_fields(e), scope);
    }

    /// Reports `name` at `span` unless it is a column of `scope`.
    fn name(&mut self, name: &str, span: Span, scope: &Scope) {
        let known = |n: &String| n == name;
        if scope.columns.iter().any(known) || scope.local.iter().any(known) {
            return;
        }
        // One diagnostic per place (a `let` used twice lowers to the same span twice).
        let out = if scope.certain {
            &mut self.found.errors
        } else {
            &mut self.found.warnings
        };
        if out.iter().any(|d| d.span.range() == span.range()) {
            return;
        }
        let mut d = if scope.certain {
            Diagnostic::error(
                LowerCode::L060,
                format!("`{name}` is not a column at this point of the query"),
                span,
            )
        } else {
            Diagnostic::warning(
                LowerCode::L061,
                format!(
                    "`{name}` is not a column of the table `{}` in kqlport's schema",
                    scope.table
                ),
                span,
            )
        }
        .with_label("no such column here");
        let mut help = match scope.fixed_at.filter(|_| scope.certain) {
            Some(at) => {
                d = d.with_secondary(at, "the columns after this operator do not include it");
                if scope.columns.len() <= 12 {
                    let listed: Vec<String> =
                        scope.columns.iter().map(|c| format!("`{c}`")).collect();
                    format!("the columns here are: {}", listed.join(", "))
                } else {
                    format!(
                        "{} columns reach this point; `{name}` is not one of them",
                        scope.columns.len()
                    )
                }
            }
            None => {
                "kqlport's schema (Microsoft's documentation, via pySigma-backend-kusto 1.0.1) \
                     may lag the table; if the table has no such column, Kusto rejects the query"
                    .to_string()
            }
        };
        let same_but_case = scope
            .columns
            .iter()
            .chain(&scope.local)
            .find(|n| n.eq_ignore_ascii_case(name));
        if let Some(n) = same_but_case {
            help = format!("did you mean `{n}`? column names are case-sensitive");
        }
        out.push(d.with_help(help));
    }
}

/// Whether the stage replaces the column list with one of its own.
fn fixes_columns(kind: &StageKind) -> bool {
    matches!(
        kind,
        StageKind::Project(_)
            | StageKind::Aggregate { .. }
            | StageKind::Distinct(_)
            | StageKind::Count
            | StageKind::Join { .. }
    )
}
