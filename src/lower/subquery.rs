//! Lists computed by a query → [`ir::Subquery`]: `x in (T | … | project k)`, `x in (L)` with
//! `let L = T | … | distinct k;`, `x in (toscalar(T | summarize make_list(k)))` (directly or
//! through a `let`), and `_GetWatchlist('name')` as a source (of such a query, a join's side or the whole query)
//! ([`ir::SourceKind::Lookup`]; `externaldata` in `externaldata.rs`). Owns the refusals (`L037`) of what the IR does not hold: a
//! subquery whose first column the query does not fix, a `toscalar()` that is not a whole list,
//! the term and text tests other than `has_any` over a computed list (`has_any` is an
//! [`ir::SubqueryMatch::Term`] subquery test).

use super::{unsupported, Binding, LResult, Lowerer};
use crate::codes::LowerCode;
use crate::ir;
use crate::kql::ast;
use crate::source::Span;

/// Which computed list an `in` item is, before it is lowered.
enum Form<'a> {
    /// A tabular expression: its rows' first column.
    Rows(&'a ast::Expr),
    /// `toscalar(<tabular>)`: the tabular expression's one value.
    ToScalar(&'a ast::Expr),
}

impl<'a> Lowerer<'a> {
    /// `_GetWatchlist('name')` as a subquery's source.
    pub(crate) fn watchlist(&mut self, args: &'a [ast::Arg], span: Span) -> LResult<ir::Source> {
        let name = match args {
            [a] if a.name.is_none() => match &a.value.kind {
                ast::ExprKind::Literal(ast::Literal::String(s)) => Some(s.clone()),
                _ => None,
            },
            _ => None,
        };
        let Some(name) = name else {
            return Err(unsupported(
                LowerCode::L010,
                span,
                "`_GetWatchlist` needs the watchlist's name as one string constant",
            ));
        };
        Ok(ir::Source {
            kind: ir::SourceKind::Lookup(ir::Lookup {
                name,
                origin: ir::LookupOrigin::Watchlist,
                columns: Vec::new(),
            }),
            span,
            target: None,
        })
    }

    fn form(&self, item: &'a ast::Expr) -> Option<Form<'a>> {
        match &item.kind {
            ast::ExprKind::Pipeline(_) => Some(Form::Rows(item)),
            ast::ExprKind::Ident(n) => match self.let_here(&n.name) {
                Some(Binding::Tabular(_)) if !self.expanding.contains(&n.name) => {
                    Some(Form::Rows(item))
                }
                Some(Binding::ToScalar(_, e)) => Some(Form::ToScalar(e)),
                _ => None,
            },
            ast::ExprKind::Call { function, args } if function.name == "toscalar" => {
                match args.as_slice() {
                    [a] if a.name.is_none()
                        && matches!(a.value.kind, ast::ExprKind::Pipeline(_)) =>
                    {
                        Some(Form::ToScalar(&a.value))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Whether `e` is a list computed by a query (a tabular `let`, a `toscalar()` value or a
    /// subquery): for the refusal of tests other than `in` over it.
    pub(crate) fn is_computed_list(&self, e: &'a ast::Expr) -> bool {
        match &e.kind {
            ast::ExprKind::List(items) => items.iter().any(|i| self.form(i).is_some()),
            _ => self.form(e).is_some(),
        }
    }

    /// Whether `e` is a `toscalar()` value (written there, or a `let` of one) rather than a
    /// list of rows: a value where a value is read.
    pub(crate) fn is_toscalar_value(&self, e: &'a ast::Expr) -> bool {
        matches!(self.form(e), Some(Form::ToScalar(_)))
    }

    /// The subquery an `in` list stands for, when its one item is a computed list; `None` when
    /// it is not one (then it is a list of constants).
    pub(crate) fn subquery(&mut self, list: &'a [ast::Expr]) -> LResult<Option<ir::Subquery>> {
        let [item] = list else {
            return Ok(None);
        };
        let Some(form) = self.form(item) else {
            return Ok(None);
        };
        let r = self.nested(item.span, |cx| match form {
            Form::Rows(e) => cx.rows_subquery(e, item.span),
            Form::ToScalar(e) => cx.scalar_subquery(e, item.span),
        });
        r.map(Some)
    }

    fn rows_subquery(&mut self, e: &'a ast::Expr, span: Span) -> LResult<ir::Subquery> {
        let mut query = self.pipeline_of(e)?;
        // `T | summarize make_list(k)`: one row whose first column is the list, which `in`
        // flattens — the same list as toscalar() of it.
        if let Some(column) = self.whole_list(&mut query) {
            return Ok(ir::Subquery { query, column });
        }
        let Some(first) = query.output_columns().and_then(|c| c.into_iter().next()) else {
            return Err(unsupported(
                LowerCode::L037,
                span,
                "`in` over a subquery tests its first column, which this query does not fix \
                 (it depends on the table's column order); end the subquery with `project`, \
                 `distinct` or `summarize`",
            ));
        };
        Ok(ir::Subquery {
            query,
            column: ir::Column { name: first, span },
        })
    }

    /// `toscalar(T | … | summarize make_list(k))` (or `make_set`): the list of `k` over the
    /// rows before the summarize, so the subquery is those rows with `k` as its column.
    fn scalar_subquery(&mut self, e: &'a ast::Expr, span: Span) -> LResult<ir::Subquery> {
        let mut query = self.pipeline_of(e)?;
        match self.whole_list(&mut query) {
            Some(column) => Ok(ir::Subquery { query, column }),
            None => Err(unsupported(
                LowerCode::L037,
                span,
                "`in (toscalar(…))` is translated when the query ends in `summarize make_list(x)` \
                 or `make_set(x)` (no `by`, no size limit); toscalar() of anything else is one \
                 value, not a list",
            )),
        }
    }

    /// A query ending in `summarize make_list(x)` / `make_set(x)` (one aggregate, no `by`, no
    /// size limit) has one row holding the list of `x` over the rows before it: that last
    /// stage becomes `project x` (duplicates and order do not matter to membership), and the
    /// column is returned. `None` (query unchanged) for any other query.
    fn whole_list(&mut self, query: &mut ir::Query) -> Option<ir::Column> {
        let last = query.stages.last()?;
        let ir::StageKind::Aggregate { by, aggs } = &last.kind else {
            return None;
        };
        let [agg] = aggs.as_slice() else {
            return None;
        };
        let (ir::AggFunc::MakeList { expr, max: None } | ir::AggFunc::MakeSet { expr, max: None }) =
            &agg.func
        else {
            return None;
        };
        if !by.is_empty() {
            return None;
        }
        let project = ir::Stage {
            kind: ir::StageKind::Project(vec![ir::Assignment {
                name: agg.name.clone(),
                expr: expr.clone(),
            }]),
            span: last.span,
        };
        let column = agg.name.clone();
        *query.stages.last_mut()? = project;
        self.column_types(query);
        Some(column)
    }

    /// A tabular expression as its own query.
    pub(crate) fn pipeline_of(&mut self, e: &'a ast::Expr) -> LResult<ir::Query> {
        // Lowering stages may leave helper stages for their caller: none leak out.
        let before = std::mem::take(&mut self.before);
        let after = std::mem::take(&mut self.after);
        let r = self.pipeline(e);
        self.before = before;
        self.after = after;
        r
    }
}

/// The refusal of a term or text test (`has_any`, `has_all`, …) over a list computed by a query.
pub(crate) fn computed_list_refusal(op: &str, span: Span) -> Box<crate::diag::Diagnostic> {
    unsupported(
        LowerCode::L037,
        span,
        format!(
            "`{op}` with a list or value computed by a query (a tabular `let`, toscalar()) is \
             not supported: only `in`, `!in`, `in~`, `!in~` and `has_any` (with the list as its \
             only item) over such a list are translated (a target's subsearch or lookup matches \
             whole values or terms, not patterns)"
        ),
    )
}
