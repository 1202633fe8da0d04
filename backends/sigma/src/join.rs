//! `join` in Sigma: declined. A Sigma rule reads one logsource; the correlation rules that
//! combine several rules (`temporal`, `temporal_ordered`) group events by fields within a
//! timespan and carry no columns across, which is not a join. Owns the refusal text only.

use kqlport::codes::SigmaCode;
use kqlport::diag::Diagnostic;
use kqlport::ir::{JoinKind, Stage};

pub(crate) fn decline(stage: &Stage, kind: JoinKind) -> Diagnostic {
    crate::REFUSAL
        .cannot_express(
            SigmaCode::B057,
            format_args!("`join kind={}`", kind.kql_name()),
            stage.span,
        )
        .with_label("a Sigma rule has one logsource")
        .with_help(
            "a Sigma temporal correlation (`type: temporal` with `group-by: [<key>]` and a \
         `timespan`) fires when rules match events sharing a key value within a window; it is \
         not a join (no column of one side reaches the other) — write such a correlation by \
         hand if that meaning fits",
        )
}
