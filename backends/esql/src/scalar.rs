//! `toscalar(Q)` of another query ([`ir::StageKind::Scalar`]) in ES|QL. An ES|QL query reads one
//! source and has no subquery, so `Q` is a materialisation query of its own (as a join's right
//! side is, `join.rs`): its one row fills a lookup index, printed as `//` lines above the query,
//! and the rows here join it on a constant key, which copies the value onto every row as it is:
//!
//! ```text
//! // kqlport: the value below is read from the lookup index `kqlport_lookup_<hash>` …
//! //   FROM U | STATS … | EVAL v = … | KEEP v | RENAME v AS kqlport_value | EVAL kqlport_k = 1
//! //   | LIMIT 10000
//! FROM T | EVAL kqlport_k = 1 | LOOKUP JOIN kqlport_lookup_<hash> ON kqlport_k | DROP kqlport_k
//!   | RENAME kqlport_value AS v
//! ```
//!
//! LOOKUP JOIN is a left outer join: a row with no lookup document keeps null lookup columns,
//! so an index that holds no row gives null. A string value ES|QL left null (`VALUES`/`MIN` of
//! no rows) is KQL's `""` (a KQL string is never null). Noted: the index is a snapshot, refreshed
//! by running the materialisation query (KQL computes the value at every run).

use crate::ast::{Command, Expr, Pattern};
use crate::cx::Cx;
use kqlport::backend::Effect;
use kqlport::ir::ScalarQuery;
use kqlport::schema::ColumnType;

/// The constant join key.
const KEY: &str = "kqlport_k";
/// The value's field in the lookup index (an index field may not start with `_`, as the
/// value's hidden column does: it is renamed on the way in and out).
const VALUE: &str = "kqlport_value";

pub(crate) fn scalar(cx: &mut Cx, sq: &ScalarQuery, out: &mut Vec<Command>) {
    let name = sq.name.name.clone();
    let saved = cx.take_pipeline();
    let mut q = crate::query::lower_query(cx, &sq.query);
    cx.restore_pipeline(saved);
    if !cx.errors.is_empty() {
        return;
    }
    let limit = q.commands.pop().unwrap_or(Command::Limit(crate::MAX_ROWS));
    // (Its last stage, a `project` of the value, keeps only that column.)
    q.commands
        .push(Command::Rename(vec![(name.clone(), VALUE.into())]));
    q.commands
        .push(Command::Eval(vec![(KEY.into(), Expr::Int(1))]));
    q.commands.push(limit);
    let text = q.to_string();
    let index = format!("kqlport_lookup_{:08x}", crate::join::fnv1a(&text));
    let after = crate::join::reads_indices(&q.commands);
    cx.preamble.push(format!(
        "kqlport: the `toscalar()` value below is read from the lookup index `{index}`: create it with `index.mode: lookup`, the field `{KEY}` an integer and `{VALUE}` typed as this query returns it (a null value maps no field), and fill it with the one row of this ES|QL query{after} (re-run it as often as the rule runs):"
    ));
    for line in text.lines() {
        cx.preamble.push(format!("  {line}"));
    }
    out.push(Command::Eval(vec![(KEY.into(), Expr::Int(1))]));
    out.push(Command::LookupJoin {
        index: index.clone(),
        on: vec![KEY.into()],
    });
    out.push(Command::Drop(vec![Pattern::Name(KEY.into())]));
    out.push(Command::Rename(vec![(VALUE.into(), name.clone())]));
    if sq.query.facts().output().ty(&name) == Some(ColumnType::String) {
        out.push(Command::Eval(vec![(
            name.clone(),
            Expr::call(
                "COALESCE",
                vec![Expr::Column(name), Expr::Str(String::new())],
            ),
        )]));
    }
    // (On the value's query, so that a `where` reading the value widens it to rows.)
    cx.notes.push(
        sq.query.span,
        Effect::Values,
        format!(
            "the value is read from the lookup index `{index}`, which holds the one row of the materialisation query shown above the query as of its last refresh; KQL computes it at every run (with its own now()/ago() windows), so a stale index gives another value"
        ),
    );
}
