//! Why an `evaluate` plugin is refused, by plugin: what it computes and what the targets lack.

use super::{unsupported, LResult, Lowerer};
use crate::codes::LowerCode;
use crate::kql::ast;
use crate::source::Span;

impl<'a> Lowerer<'a> {
    /// The located refusal of `evaluate <plugin>(…)` at `span`.
    pub(crate) fn evaluate_refusal(
        &self,
        ev: &'a ast::Evaluate,
        span: Span,
    ) -> LResult<Option<crate::ir::Stage>> {
        let (plugin, args) = match &ev.plugin.kind {
            ast::ExprKind::Call { function, args } => (function.name.as_str(), args.as_slice()),
            _ => ("", &[][..]),
        };
        let first = match args.first().map(|a| &a.value.kind) {
            Some(ast::ExprKind::Ident(n)) => format!(" `{}`", n.name),
            _ => String::new(),
        };
        let why = match plugin {
            "bag_unpack" => format!(
                "makes a column of each key found in the dynamic bag{first} of each row, so the \
                 output columns depend on the data (a key that names an existing column fails \
                 the query, or replaces or keeps it under `columnsConflict`); neither Splunk \
                 (`spath` also flattens nested objects into dotted names and arrays into `{{}}` \
                 fields) nor ES|QL has a step whose columns are the keys the rows hold. Read the \
                 keys the query uses as paths instead (`X.key`)"
            ),
            "pivot" => "makes a column of each distinct value of its first argument, so the \
                        output columns depend on the data; Splunk's `chart … over … by` comes \
                        closest but caps and renames columns (`limit`, `OTHER`, `NULL`), and \
                        ES|QL has no pivot"
                .to_string(),
            "autocluster" | "basket" => "mines frequent patterns of column values (a \
                                         machine-learning plugin whose output depends on its \
                                         sampling and thresholds); neither Splunk SPL nor \
                                         ES|QL has that algorithm"
                .to_string(),
            "ipv4_lookup" => "joins each row to the rows of a table of IP ranges that contain \
                              its address; kqlport translates it without `evaluate` \
                              parameters or an output schema"
                .to_string(),
            "ipv6_lookup" => "joins each row to the rows of a table of IPv6 ranges that \
                              contain its address; kqlport does not translate it"
                .to_string(),
            "activity_counts_metrics"
            | "activity_engagement"
            | "active_users_count"
            | "sliding_window_counts"
            | "session_count" => "counts distinct values over sliding \
                                                            time windows, one output row per \
                                                            window; kqlport does not model it"
                .to_string(),
            "" => "is not a plugin call kqlport can read".to_string(),
            _ => "is not supported".to_string(),
        };
        let name = if plugin.is_empty() {
            "evaluate"
        } else {
            plugin
        };
        Err(unsupported(
            LowerCode::L013,
            span,
            format!("`evaluate {name}` {why}"),
        ))
    }
}
