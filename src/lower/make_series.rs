//! Why `make-series` is refused, named after what the query does with the series: the
//! `series_*()` functions it calls on them (array analytics neither SPL nor ES|QL computes), or
//! only a chart (`render`), or anything else.

use super::{unsupported, LResult, Lowerer};
use crate::codes::LowerCode;
use crate::source::Span;

/// What make-series builds, said once.
const BUILDS: &str = "`make-series` returns one row per series whose columns are arrays, one \
                      element per time bin from `from` to `to` by `step`, with empty bins filled \
                      by `default=` (0 unless given)";

impl<'a> Lowerer<'a> {
    /// The located refusal of `make-series` at `span`.
    pub(crate) fn make_series_refusal(&self, span: Span) -> LResult<Option<crate::ir::Stage>> {
        let tree = self.whole.and_then(|q| serde_json::to_value(q).ok());
        let mut series = Vec::new();
        let mut renders = false;
        if let Some(tree) = &tree {
            collect(tree, &mut series, &mut renders);
        }
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
/// has a `render`. Read from the serialised syntax tree: only on this refusal path, so no
/// walker of every node kind is kept for it.
fn collect(v: &serde_json::Value, found: &mut Vec<String>, renders: &mut bool) {
    match v {
        serde_json::Value::Object(map) => {
            *renders |= map.contains_key("Render");
            if let Some(name) = map
                .get("Call")
                .and_then(|c| c.get("function"))
                .and_then(|f| f.get("name"))
                .and_then(|n| n.as_str())
            {
                if name.starts_with("series_") && !found.iter().any(|f| f == name) {
                    found.push(name.to_string());
                }
            }
            map.values().for_each(|x| collect(x, found, renders));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|x| collect(x, found, renders)),
        _ => {}
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
