//! The regex text around a value for KQL's term tests (`has`, `hasprefix`, `hassuffix` and
//! their `_any`/`_all` forms). The IR says which edges of a match need a term boundary
//! ([`kqlport::ir::MatchKind::term_edges`]); this is how each kind of regex spells one.

use kqlport::ir::TermEdges;

/// The regex text for the term boundaries a match needs (a boundary is a character that is
/// not an ASCII letter or digit, or an end of the value).
pub trait TermBounds {
    /// Around the value in an unanchored regex (RE2, PCRE, Sigma's): `(^|W)` before, `($|W)`
    /// after, nothing where no boundary is needed; `W` = `[^A-Za-z0-9]`.
    fn search_bounds(self) -> (&'static str, &'static str);

    /// Around the value in a whole-value regex (Lucene): `(.*W)?` before, `(W.*)?` after,
    /// `.*` where no boundary is needed.
    fn whole_value_bounds(self) -> (&'static str, &'static str);
}

impl TermBounds for TermEdges {
    fn search_bounds(self) -> (&'static str, &'static str) {
        (
            if self.before { "(^|[^A-Za-z0-9])" } else { "" },
            if self.after { "($|[^A-Za-z0-9])" } else { "" },
        )
    }

    fn whole_value_bounds(self) -> (&'static str, &'static str) {
        (
            if self.before {
                "(.*[^A-Za-z0-9])?"
            } else {
                ".*"
            },
            if self.after {
                "([^A-Za-z0-9].*)?"
            } else {
                ".*"
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::TermBounds;
    use kqlport::ir::MatchKind::*;

    #[test]
    fn bounds_only_where_the_ir_asks_for_them() {
        assert_eq!(
            Term.term_edges("cmd.exe").search_bounds(),
            ("(^|[^A-Za-z0-9])", "($|[^A-Za-z0-9])")
        );
        assert_eq!(
            Term.term_edges(".exe").search_bounds(),
            ("", "($|[^A-Za-z0-9])")
        );
        assert_eq!(
            TermPrefix.term_edges("tor").whole_value_bounds(),
            ("(.*[^A-Za-z0-9])?", ".*")
        );
        assert_eq!(Term.term_edges("/rg1?").whole_value_bounds(), (".*", ".*"));
    }
}
