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
        let ast::ExprKind::Pipeline(p) = &query.kind else {
            return Err(refuse(match &query.kind {
                ast::ExprKind::Ident(n) => format!(
                    "`toscalar({})` is the one value of another query (`{}`), not an aggregate \
                     of the rows here",
                    n.name, n.name
                ),
                _ => "this `toscalar()` is the one value of another query, not an aggregate of \
                      the rows here"
                    .into(),
            }));
        };
        let ast::SourceKind::Expr(src) = &p.source.kind else {
            return Err(refuse(
                "its query does not start from a named row set".into(),
            ));
        };
        let ast::ExprKind::Ident(src_name) = &src.kind else {
            return Err(refuse(match &src.kind {
                // `toscalar(_GetWatchlist('…') | …)`: a value read from another source.
                ast::ExprKind::Call { function, .. } => format!(
                    "its query reads `{}()`, not the rows here, so its value is another query's \
                     result",
                    function.name
                ),
                _ => "its query does not start from a named row set".into(),
            }));
        };
        let Some(rows) = self.rows_name.clone() else {
            return Err(refuse(format!(
                "`{}` is not the name of the rows at this point, so its value is another \
                 query's result",
                src_name.name
            )));
        };
        if rows.name != src_name.name {
            return Err(refuse(format!(
                "`{}` is not the name of the rows at this point (`{}` is)",
                src_name.name, rows.name
            )));
        }
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
