//! Sigma value spelling: wildcard escaping of plain string values, and the regular expressions
//! that stand in for KQL's term operators (RE2 patterns: `regex`). Owns value text only; it never
//! decides which modifier a predicate gets.

use kqlport::ir::MatchKind;
use kqlport_kit::regex::TermBounds;

/// Escapes a literal for a Sigma string value (plain, `contains`, `startswith`, `endswith`):
/// `*` and `?` become `\*` and `\?`; a backslash is doubled when it would otherwise escape what
/// follows it (another backslash, a wildcard) or ends the value. Any other backslash stays
/// single, as the spec recommends (`C:\Windows\x` stays readable).
pub fn escape_wildcards(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 4);
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' | '?' => {
                out.push('\\');
                out.push(c);
            }
            '\\' => {
                out.push('\\');
                if matches!(chars.peek(), None | Some('\\' | '*' | '?')) {
                    out.push('\\');
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// The exact regex for KQL's term operators (`kind` is `Term`, `TermPrefix` or `TermSuffix`):
/// `(^|[^A-Za-z0-9])v($|[^A-Za-z0-9])`, with `v` regex-escaped, and only the bounded ends for
/// prefix/suffix. A bound is left out where `v` itself starts or ends with a non-alphanumeric,
/// which already separates it from a neighbouring term (`MatchKind::term_edges`).
pub fn term_regex(value: &str, kind: MatchKind) -> String {
    let (start, end) = kind.term_edges(value).search_bounds();
    format!("{start}{}{end}", regex_syntax::escape(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_escaping() {
        assert_eq!(escape_wildcards("a*b?c"), "a\\*b\\?c");
        assert_eq!(escape_wildcards("C:\\Windows\\x"), "C:\\Windows\\x");
        assert_eq!(escape_wildcards("C:\\Windows\\"), "C:\\Windows\\\\");
        assert_eq!(escape_wildcards("a\\*"), "a\\\\\\*");
        assert_eq!(escape_wildcards("\\\\srv"), "\\\\\\srv");
        assert_eq!(escape_wildcards("%x% _"), "%x% _");
    }

    #[test]
    fn term_regexes() {
        assert_eq!(
            term_regex("cmd.exe", MatchKind::Term),
            "(^|[^A-Za-z0-9])cmd\\.exe($|[^A-Za-z0-9])"
        );
        assert_eq!(
            term_regex("tor", MatchKind::TermPrefix),
            "(^|[^A-Za-z0-9])tor"
        );
        assert_eq!(
            term_regex("tor", MatchKind::TermSuffix),
            "tor($|[^A-Za-z0-9])"
        );
        // Punctuation at an edge of the value already separates it from a neighbouring term.
        assert_eq!(
            term_regex(".exe", MatchKind::Term),
            "\\.exe($|[^A-Za-z0-9])"
        );
        assert_eq!(term_regex("/x?", MatchKind::Term), "/x\\?");
        assert_eq!(term_regex("-e", MatchKind::TermPrefix), "\\-e");
    }
}
