//! `toscalar(R | summarize agg(x))` used as a value, where `R` names the very rows the
//! expression is computed over (`T | … | as R | extend p = x / toscalar(R | summarize sum(x))`,
//! or `let R = T | …; R | extend …`): the aggregate over all those rows, appended to every row
//! as a hidden column ([`ir::StageKind::Totals`]) and read there; the column is dropped after
//! the operator. Anything else that `toscalar()` computes as a value is declined here.

use super::aggregate::AggItem;
use super::names::NameGen;
use super::{unsupported, LResult, Lowerer};
use crate::codes::LowerCode;
use crate::kql::ast;
use crate::source::Span;

/// The name the rows entering the current operator go by, if any (`| as R` just before it,
/// or the `let` the whole pipeline starts from).
#[derive(Clone, Debug)]
pub(crate) struct RowsName {
    pub name: String,
    /// Why a second reading of those rows may differ from the first (`take`, `top`, a
    /// summarize that picks a row); `None` when it cannot.
    pub unstable: Option<&'static str>,
}

const SHAPE: &str = "`toscalar()` as a value is translated when it is `toscalar(R | summarize \
agg(x))` with one aggregate and no `by`, `R` naming the rows the expression is computed over \
(`| as R` just before an `extend` or `where`, or the `let` that pipeline starts from), so that \
it is the aggregate over those rows (SPL `eventstats`, ES|QL `INLINE STATS`)";

impl<'a> Lowerer<'a> {
    /// `toscalar(args)` met as a value inside an expression.
    pub(crate) fn toscalar_value(
        &mut self,
        span: Span,
        args: &'a [ast::Arg],
    ) -> LResult<crate::ir::Expr> {
        let [arg] = args else {
            return Err(unsupported(
                LowerCode::L027,
                span,
                format!("`toscalar()` takes one argument; {SHAPE}"),
            ));
        };
        self.toscalar_of(span, &arg.value, None)
    }

    /// `toscalar(query)` used as a value at `span`: written there, or the value of the `let`
    /// named `via` (`let L = toscalar(…); … L …`).
    pub(crate) fn toscalar_of(
        &mut self,
        span: Span,
        query: &'a ast::Expr,
        via: Option<&str>,
    ) -> LResult<crate::ir::Expr> {
        let what = match via {
            Some(name) => format!("`{name}` is a `toscalar()` value and "),
            None => String::new(),
        };
        let refuse =
            |why: String| unsupported(LowerCode::L027, span, format!("{what}{why}; {SHAPE}"));
        // `toscalar(R | summarize …)` where `R` names the rows here; any other query's value
        // is that query's own result.
        let over_rows = match &query.kind {
            ast::ExprKind::Pipeline(p) => match &p.source.kind {
                ast::SourceKind::Expr(src) => match (&src.kind, &self.rows_name) {
                    (ast::ExprKind::Ident(n), Some(rows)) if rows.name == n.name => Some(p),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        let Some(p) = over_rows else {
            return self.scalar_query(span, query, &what);
        };
        let rows = self.rows_name.clone().expect("the rows are named");
        if let Some(why) = rows.unstable {
            return Err(refuse(format!(
                "the rows before it pass through {why}, which may pick other rows when `{}` is \
                 read a second time",
                rows.name
            )));
        }
        let [op] = p.operators.as_slice() else {
            return Err(refuse(
                "its query has other operators than one `summarize`".into(),
            ));
        };
        let ast::OperatorKind::Summarize { aggregates, by, .. } = &op.kind else {
            return Err(refuse("its query is not one `summarize`".into()));
        };
        let ([item], []) = (aggregates.as_slice(), by.as_slice()) else {
            return Err(refuse(
                "its `summarize` has a `by` or more than one aggregate".into(),
            ));
        };
        if !item.names.is_empty() && item.names.len() != 1 {
            return Err(refuse("its aggregate has tuple names".into()));
        }
        let temp = format!("__kqlport_agg{}", self.agg_temps);
        self.agg_temps += 1;
        let mut aggs = Vec::new();
        self.aggregate(
            AggItem {
                names: &[],
                explicit: Some(&temp),
                expr: &item.expr,
                span: item.span,
            },
            &mut NameGen::default(),
            &mut aggs,
        )?;
        use crate::ir::AggFunc as F;
        let ok = aggs.len() == 1
            && matches!(
                aggs[0].func,
                F::Count
                    | F::CountIf(_)
                    | F::DCount(_)
                    | F::DCountIf(..)
                    | F::CountDistinct(_)
                    | F::Sum(_)
                    | F::Min(_)
                    | F::Max(_)
                    | F::Avg(_)
                    | F::Stdev(_)
            );
        if !ok {
            return Err(refuse(
                "its aggregate is not one of count, countif, dcount, sum, min, max, avg, stdev"
                    .into(),
            ));
        }
        self.before.push(crate::ir::Stage {
            kind: crate::ir::StageKind::Totals(aggs),
            span,
        });
        self.after.push(crate::ir::Stage {
            kind: crate::ir::StageKind::ProjectAway(vec![crate::ir::ColumnPattern {
                pattern: temp.clone(),
                span,
            }]),
            span,
        });
        Ok(crate::ir::Expr {
            kind: crate::ir::ExprKind::Field(crate::ir::FieldPath::column(temp)),
            span,
        })
    }
}

/// The hidden column a `toscalar()` value of another query is appended as (a name backends
/// know as lowering's own: `__kqlport_agg…`), numbered.
pub(crate) const VALUE_PREFIX: &str = "__kqlport_agg_value";

const OTHER_SHAPE: &str = "`toscalar()` of another query is translated when that query ends in \
a `summarize` without `by` (one row), possibly followed by operators that compute per row \
(`extend`, `project`; no `where`), and its first column is one value (not an array)";

impl<'a> Lowerer<'a> {
    /// `toscalar(query)` of a query over other rows than these (a watchlist, another table):
    /// the query lowered on its own, its first column's value appended to every row by an
    /// [`crate::ir::StageKind::Scalar`] stage before the operator, dropped after it.
    fn scalar_query(
        &mut self,
        span: Span,
        query: &'a ast::Expr,
        what: &str,
    ) -> LResult<crate::ir::Expr> {
        use crate::ir;
        let refuse =
            |why: &str| unsupported(LowerCode::L027, span, format!("{what}{why}; {OTHER_SHAPE}"));
        // `T | as R | …`: `R` names rows of this query, not a table.
        let source = match &query.kind {
            ast::ExprKind::Pipeline(p) => match &p.source.kind {
                ast::SourceKind::Expr(src) => Some(src),
                _ => None,
            },
            _ => Some(query),
        };
        if let Some(ast::ExprKind::Ident(n)) = source.map(|s| &s.kind) {
            if self.as_names.contains(&n.name) {
                return Err(refuse(&format!(
                    "`{}` is not the name of the rows at this point, but of other rows of this \
                     query (`as`)",
                    n.name
                )));
            }
        }
        let mut q = self.nested(span, |cx| cx.pipeline_of(query))?;
        // Exactly one row: a summarize without `by` gives one (even over no rows), and only
        // stages that compute per row follow it. (A `where` after it could leave none, where
        // Kusto's docs do not say what toscalar() gives.)
        let last_reshape = q
            .stages
            .iter()
            .rposition(|s| !s.kind.is_row_wise() || matches!(s.kind, ir::StageKind::Filter(_)));
        match last_reshape.map(|i| &q.stages[i].kind) {
            Some(ir::StageKind::Aggregate { by, .. }) if by.is_empty() => {}
            Some(ir::StageKind::Filter(_)) => {
                return Err(refuse(
                    "its query can return no row (a `where` after its `summarize`), and Kusto's \
                     docs do not say what toscalar() of no row is",
                ))
            }
            _ => {
                return Err(refuse(
                    "its query can return more than one row (KQL then takes the first, which no \
                     target orders the same way)",
                ))
            }
        }
        let Some(first) = q.output_columns().and_then(|c| c.into_iter().next()) else {
            return Err(refuse("its query's first column is not known"));
        };
        // `__kqlport_agg…`: the prefix backends know as a name lowering made.
        let temp = format!("{VALUE_PREFIX}{}", self.agg_temps);
        self.agg_temps += 1;
        q.stages.push(ir::Stage {
            kind: ir::StageKind::Project(vec![ir::Assignment {
                name: ir::Column {
                    name: temp.clone(),
                    span,
                },
                expr: ir::Expr {
                    kind: ir::ExprKind::Field(ir::FieldPath::column(first)),
                    span,
                },
            }]),
            span,
        });
        self.column_types(&mut q);
        if q.facts().output().shape(&temp) != crate::ir::facts::Shape::Scalar {
            return Err(refuse(
                "its value is an array or object (used as a list it is translated only as the \
                 list of `in`, `!in` or `has_any`)",
            ));
        }
        // The same value read twice by one operator (`(n - L) / L`): one column.
        let same = self.before.iter().find_map(|s| match &s.kind {
            ir::StageKind::Scalar(sq)
                if sq.query.source == q.source
                    && sq.query.stages.split_last().map(|(_, rest)| rest)
                        == q.stages.split_last().map(|(_, rest)| rest) =>
            {
                Some(sq.name.name.clone())
            }
            _ => None,
        });
        if let Some(name) = same {
            return Ok(ir::Expr {
                kind: ir::ExprKind::Field(ir::FieldPath::column(name)),
                span,
            });
        }
        self.before.push(ir::Stage {
            kind: ir::StageKind::Scalar(Box::new(ir::ScalarQuery {
                name: ir::Column {
                    name: temp.clone(),
                    span,
                },
                query: q,
            })),
            span,
        });
        self.after.push(ir::Stage {
            kind: ir::StageKind::ProjectAway(vec![ir::ColumnPattern {
                pattern: temp.clone(),
                span,
            }]),
            span,
        });
        Ok(ir::Expr {
            kind: ir::ExprKind::Field(ir::FieldPath::column(temp)),
            span,
        })
    }
}

/// Why a second reading of rows made by these stages may give other rows, if it may.
pub(crate) fn unstable(stages: &[crate::ir::Stage]) -> Option<&'static str> {
    use crate::ir::{AggFunc as F, StageKind as S};
    stages.iter().find_map(|s| match &s.kind {
        S::Limit(_) => Some("`take` (any rows)"),
        S::Top { .. } => Some("`top` (ties broken by position)"),
        S::Aggregate { aggs, .. }
            if aggs.iter().any(|a| {
                matches!(
                    a.func,
                    F::TakeAny(_)
                        | F::AnyRow
                        | F::ArgMax { .. }
                        | F::ArgMin { .. }
                        | F::MakeList { .. }
                        | F::MakeSet { .. }
                )
            }) =>
        {
            Some("a `summarize` that picks values from one row or collects them in order")
        }
        S::Join { right, .. } => unstable(&right.stages),
        _ => None,
    })
}
