//! Refusals worded alike in every target: "`<target>` cannot express …", labelled "not
//! expressible in `<target>`". A backend holds one [`Refusal`] with its name and adds its own
//! help (what the target can do instead).

use kqlport::codes::{BackendCode, Code};
use kqlport::diag::Diagnostic;
use kqlport::source::Span;
use std::fmt::Display;

/// A target's refusal builder; `target` is its name as a reader knows it (`ES|QL`, `EQL`,
/// `Sigma`).
#[derive(Clone, Copy, Debug)]
pub struct Refusal {
    pub target: &'static str,
}

impl Refusal {
    /// `message` as it is, labelled "not expressible in `<target>`".
    pub fn error(
        self,
        code: impl Into<Code>,
        message: impl Into<String>,
        span: Span,
    ) -> Diagnostic {
        Diagnostic::error(code, message, span)
            .with_label(format!("not expressible in {}", self.target))
    }

    /// "`<target>` cannot express `what`", labelled "not expressible in `<target>`" (a later
    /// `with_label` says it more precisely).
    pub fn cannot_express(
        self,
        code: impl Into<Code>,
        what: impl Display,
        span: Span,
    ) -> Diagnostic {
        self.error(code, format!("{} cannot express {what}", self.target), span)
    }

    /// `B031` for a target whose query reads one source: a union of several tables (at `span`,
    /// the union's source), with the target's `help`.
    pub fn union_of_tables(self, span: Span, help: &str) -> Diagnostic {
        self.cannot_express(BackendCode::B031, "a union of several tables", span)
            .with_help(help)
    }

    /// `B032`: a list computed by a query (`x in (subquery)`, a `let` list computed by a
    /// query, `toscalar()`, a watchlist) at `span`, with the target's `help`.
    pub fn subquery(self, span: Span, help: &str) -> Diagnostic {
        self.cannot_express(
            BackendCode::B032,
            "a list computed by a query (`in (subquery)`, a `let` list computed by a query, `toscalar()`, a watchlist)",
            span,
        )
        .with_help(help)
    }

    /// `B032`: the query's rows read from a watchlist or `externaldata` list (a named lookup
    /// the user fills, which SPL and ES|QL read), at `span`.
    pub fn lookup_source(self, span: Span) -> Diagnostic {
        self.cannot_express(
            BackendCode::B032,
            "rows read from a watchlist or `externaldata` list (a lookup the user fills): its rule searches events only",
            span,
        )
        .with_help("translate this query to SPL or ES|QL, which read the list from a lookup (index) the user fills")
    }

    /// `B032`: `evaluate ipv4_lookup(…)`, each row joined to the rows of a named lookup of IP
    /// ranges (a table the user fills), at `span`.
    pub fn ipv4_lookup(self, span: Span, help: &str) -> Diagnostic {
        self.cannot_express(
            BackendCode::B032,
            "`ipv4_lookup`: each row joined to the rows of a lookup table of IP ranges that contain its address",
            span,
        )
        .with_help(help)
    }
}
