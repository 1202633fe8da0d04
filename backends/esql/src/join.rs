//! `join` in ES|QL: declined. ES|QL has no join between two searches; its only join,
//! `LOOKUP JOIN` (GA 9.1), is a left outer join against an index created in `lookup` mode,
//! which a Sentinel table is not. Owns the refusal text only.

use crate::expr::Cx;
use kqlport::diag::Diagnostic;
use kqlport::ir::{JoinKind, Query, SourceKind, Stage};

pub(crate) fn decline(cx: &mut Cx, stage: &Stage, kind: JoinKind, right: &Query) {
    let SourceKind::Table(table) = &right.source.kind;
    cx.errors.push(
        Diagnostic::error(
            "B030",
            format!(
                "ES|QL cannot express `join kind={}` between two searches",
                kind.kql_name()
            ),
            stage.span,
        )
        .with_label("not expressible in ES|QL")
        .with_secondary(
            right.span,
            format!("the right side reads `{table}`, not a lookup-mode index"),
        )
        .with_help(
            "ES|QL's only join is `LOOKUP JOIN <index> ON <key>` (GA 9.1): a left outer join \
             against an index created with `index.mode: lookup`. Materialise the right side into \
             such an index (then filter `WHERE <right column> IS NOT NULL` for an inner join), \
             or correlate both tables with `FROM a, b | STATS … BY <key>`",
        ),
    );
}
