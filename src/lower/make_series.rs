//! Why `make-series` is refused, named after what the query does with the series: the
//! `series_*()` functions it calls on them (array analytics neither SPL nor ES|QL computes), or
//! only a chart (`render`), or anything else.

use super::{unsupported, LResult, Lowerer};
use crate::codes::LowerCode;
use crate::kql::ast;
use crate::kql::visit::{walk_expr, walk_operator, walk_query, Visitor};
use crate::source::Span;

/// What make-series builds, said once.
const BUILDS: &str = "`make-series` returns one row per series whose columns are arrays, one \
                      element per time bin from `from` to `to` by `step`, with empty bins filled \
                      by `default=` (0 unless given)";

impl<'a> Lowerer<'a> {
    /// The located refusal of `make-series` at `span`.
    pub(crate) fn make_series_refusal(&self, span: Span) -> LResult<Option<crate::ir::Stage>> {
        let mut uses = SeriesUses::default();
        if let Some(q) = self.whole {
            walk_query(&mut uses, q);
        }
        let SeriesUses { series, renders } = uses;
        let message = if !series.is_empty() {
            let named: Vec<String> = series
                .iter()
                .map(|f| format!("`{f}()` ({})", what_it_computes(f)))
                .collect();
            format!(
                "{BUILDS}; this query then computes {} over those arrays: neither Splunk SPL nor \
                 ES|QL computes such array analytics over a row's values (Splunk's `timechart` \
                 and ES|QL's `BUCKET` + `STATS` give the per-bin rows, not the analysis), so \
                 there is no faithful translation",
                named.join(", ")
            )
        } else if renders {
            format!(
                "{BUILDS}; this query only charts it (`render`), but its result is still that \
                 table of arrays: Splunk's `timechart` (or `bin` + `stats`) and ES|QL's \
                 `BUCKET` + `STATS` return one row per non-empty bin instead, a different table \
                 (translate the chart by hand with one of them)"
            )
        } else {
            format!(
                "{BUILDS}; Splunk (`timechart`, `bin` + `stats`) and ES|QL (`BUCKET` + `STATS`) \
                 return one row per non-empty bin instead, and have no array columns filled bin \
                 by bin"
            )
        };
        Err(unsupported(LowerCode::L013, span, message))
    }
}

/// The distinct `series_*` functions the query calls, in order of first use, and whether it
/// has a `render`.
#[derive(Default)]
struct SeriesUses {
    series: Vec<String>,
    renders: bool,
}

impl<'a> Visitor<'a> for SeriesUses {
    fn visit_operator(&mut self, op: &'a ast::Operator) {
        self.renders |= matches!(op.kind, ast::OperatorKind::Render { .. });
        walk_operator(self, op)
    }

    fn visit_expr(&mut self, e: &'a ast::Expr) {
        if let ast::ExprKind::Call { function, .. } = &e.kind {
            let name = &function.name;
            if name.starts_with("series_") && !self.series.iter().any(|f| f == name) {
                self.series.push(name.clone());
            }
        }
        walk_expr(self, e)
    }
}

fn what_it_computes(function: &str) -> &'static str {
    match function {
        "series_decompose_anomalies" => "anomalies found by seasonal decomposition",
        "series_decompose" => "a seasonal decomposition",
        "series_decompose_forecast" => "a forecast by seasonal decomposition",
        "series_fit_line" | "series_fit_line_dynamic" => "a linear regression",
        "series_fit_2lines" | "series_fit_2lines_dynamic" => "a two-segment linear regression",
        "series_outliers" => "Tukey-fence outlier scores",
        "series_periods_detect" | "series_periods_validate" => "period detection",
        "series_stats" | "series_stats_dynamic" => "statistics over each array",
        "series_fill_backward"
        | "series_fill_forward"
        | "series_fill_const"
        | "series_fill_linear" => "gap filling",
        _ => "an element-wise array computation",
    }
}
