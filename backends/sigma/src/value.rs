//! Sigma value spelling: wildcard escaping of plain string values, and the regular expressions
//! that stand in for KQL's term operators and RE2 patterns. Owns value text only; it never
//! decides which modifier a predicate gets.

use kqlport::ir::MatchKind;
use regex_syntax::ParserBuilder;

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

/// An RE2 pattern ready for Sigma's `re`: checked to parse, with a leading whole-pattern
/// `(?i)` lifted into the `i` sub-modifier.
#[derive(Debug, PartialEq, Eq)]
pub struct SigmaRegex {
    pub pattern: String,
    pub insensitive: bool,
}

/// Checks an RE2 pattern. `regex-syntax` implements RE2's syntax (the Rust `regex` crate's
/// dialect descends from it); PCRE, Sigma's reference dialect, is a superset of everything it
/// accepts except the constructs rejected below.
pub fn port_regex(pattern: &str) -> Result<SigmaRegex, String> {
    let (body, insensitive) = match pattern.strip_prefix("(?i)") {
        Some(rest) => (rest, true),
        None => (pattern, false),
    };
    let ast = regex_syntax::ast::parse::Parser::new()
        .parse(body)
        .map_err(|e| e.to_string())?;
    ParserBuilder::new()
        .build()
        .parse(body)
        .map_err(|e| e.to_string())?;
    check_pcre_compatible(&ast)?;
    Ok(SigmaRegex {
        pattern: body.to_string(),
        insensitive,
    })
}

/// Rejects RE2 spellings PCRE reads differently: `\z` is fine in both, but RE2's `\C` (any
/// byte), `(?U)` (swap greedy, PCRE's `(?U)` too but rarely supported downstream) and `\pN`
/// one-letter classes are refused to keep the pattern portable.
fn check_pcre_compatible(ast: &regex_syntax::ast::Ast) -> Result<(), String> {
    use regex_syntax::ast::{visit, Ast, Flag, FlagsItemKind, Visitor};
    struct V;
    impl Visitor for V {
        type Output = ();
        type Err = String;
        fn finish(self) -> Result<(), String> {
            Ok(())
        }
        fn visit_pre(&mut self, ast: &Ast) -> Result<(), String> {
            let flags = match ast {
                Ast::Flags(f) => Some(&f.flags),
                Ast::Group(g) => g.flags(),
                _ => None,
            };
            if let Some(flags) = flags {
                for item in &flags.items {
                    if let FlagsItemKind::Flag(
                        Flag::SwapGreed | Flag::CRLF | Flag::IgnoreWhitespace,
                    ) = item.kind
                    {
                        return Err("inline flag `U`, `R` or `x` has no portable Sigma form".into());
                    }
                }
            }
            Ok(())
        }
    }
    visit(ast, V)
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

    #[test]
    fn regex_porting() {
        assert_eq!(
            port_regex("(?i)ab+c").unwrap(),
            SigmaRegex {
                pattern: "ab+c".into(),
                insensitive: true
            }
        );
        assert!(port_regex("a(").is_err());
        assert!(port_regex("(?U)a+").is_err());
    }
}
