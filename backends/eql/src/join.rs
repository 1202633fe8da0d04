//! `join` in EQL: declined. EQL has no join; its correlation, `sequence by <key>`, is ordered
//! and time-windowed and returns events rather than joined rows. Owns the refusal text only.

use kqlport::codes::BackendCode;
use kqlport::diag::Diagnostic;
use kqlport::ir::{JoinKind, Stage};

pub(crate) fn decline(stage: &Stage, kind: JoinKind) -> Diagnostic {
    crate::REFUSAL
        .cannot_express(
            BackendCode::B030,
            format_args!("`join kind={}`", kind.kql_name()),
            stage.span,
        )
        .with_label("EQL has no general join")
        .with_help(
            "EQL correlates only with `sequence by <key> [..] [..]`: events must occur in order, \
         usually within `with maxspan=…`, and the result is the matched events, not joined \
         rows with both sides' columns. Rewrite the rule as a sequence by hand if that meaning \
         fits, or translate it to SPL",
        )
}
