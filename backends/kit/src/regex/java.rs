//! `java.util.regex.Pattern` (ES|QL's `REPLACE`, whose replacement follows
//! `Matcher.appendReplacement`): the rewrite of a KQL RE2 regex into a Java regex that matches
//! the same strings at the same places, literal quoting, and replacement escaping. Never
//! produces a target's string quoting.
//!
//! The rewrite prints the resolved pattern ([`super::syntax`]) in a subset of Java syntax
//! whose meaning does not depend on Java's own defaults: every literal ASCII punctuation
//! character is escaped and control characters are written `\x{…}`; case folding is explicit
//! classes (Java folds only ASCII by default); `.` becomes `[^\n]` (Java's `.` also stops at
//! `\r`, U+0085, U+2028, U+2029) or `(?s:.)`; `^`/`$` become `\A`/`\z` (Java's `$` also matches
//! before a final line break), and with `(?m)` lookarounds on `\n` only; RE2's ASCII `\b`/`\B`
//! become lookarounds on `[0-9A-Za-z_]` (Java's are Unicode-aware); lazy repetition stays
//! lazy. Capture groups keep their numbers; names are dropped (Java's naming rules differ, and
//! only numbers are referenced). Both engines pick the leftmost match and, among matches
//! starting there, the first in Perl priority order, so a search finds the same match with the
//! same groups.
//!
//! Declined: a repeated group that captures and can match the empty string (the engines report
//! different group contents), word-boundary forms RE2 lacks, and a class that matches nothing.

use super::syntax::{self, Look, Node};
use super::Declined;

/// A RE2 regex rewritten for Java.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JavaRegex {
    /// The Java pattern; safe to embed as `(?:pattern)` in a larger pattern.
    pub pattern: String,
    /// The number of capture groups (numbered as in the RE2 pattern).
    pub groups: usize,
    /// Whether the regex can match the empty string.
    pub matches_empty: bool,
}

/// ASCII word characters, RE2's `\w` and the sides of its `\b`.
const WORD: &str = "[0-9A-Za-z_]";

/// Rewrites a RE2 regex (KQL's `matches regex`, `extract`, `replace_regex`, …) as a Java regex.
pub fn rewrite_re2(pattern: &str) -> Result<JavaRegex, Declined> {
    let tree = syntax::resolve(pattern, false)?;
    let mut out = String::new();
    emit(&tree, &mut out)?;
    Ok(JavaRegex {
        pattern: out,
        groups: tree.captures(),
        matches_empty: tree.can_be_empty(),
    })
}

/// A Java regex matching exactly `value`.
pub fn literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 2);
    for c in value.chars() {
        push_char(&mut out, c);
    }
    out
}

/// `value` as a Java replacement string that inserts it verbatim (`\` and `$` escaped).
pub fn replacement_literal(value: &str) -> String {
    super::backslash_before(value, |c| matches!(c, '\\' | '$'))
}

/// One character outside or inside a class: ASCII punctuation escaped (a backslash before any
/// non-letter is a literal in Java), control characters as `\x{…}`, everything else itself.
fn push_char(out: &mut String, c: char) {
    if c.is_ascii_punctuation() {
        out.push('\\');
        out.push(c);
    } else if c.is_control() {
        out.push_str(&format!("\\x{{{:x}}}", c as u32));
    } else {
        out.push(c);
    }
}

fn emit(node: &Node, out: &mut String) -> Result<(), Declined> {
    match node {
        Node::Empty | Node::Flags => {}
        Node::Char(c) => push_char(out, *c),
        Node::Dot { newline } => out.push_str(if *newline { "(?s:.)" } else { "[^\\x{a}]" }),
        Node::Look { look, at } => out.push_str(&match look {
            Look::Start => "\\A".to_string(),
            Look::End => "\\z".to_string(),
            Look::StartLine => "(?:\\A|(?<=\\x{a}))".to_string(),
            Look::EndLine => "(?:\\z|(?=\\x{a}))".to_string(),
            Look::WordBoundary => format!("(?:(?<={WORD})(?!{WORD})|(?<!{WORD})(?={WORD}))"),
            Look::NotWordBoundary => format!("(?:(?<={WORD})(?={WORD})|(?<!{WORD})(?!{WORD}))"),
            Look::OtherBoundary => {
                return Err(Declined {
                    message: "this word-boundary form is not RE2 syntax (RE2 knows \\b and \\B)"
                        .into(),
                    at: Some(*at),
                })
            }
        }),
        Node::Class { class, at } => {
            if class.ranges().is_empty() {
                return Err(Declined {
                    message: "a class that matches no character".into(),
                    at: Some(*at),
                });
            }
            syntax::push_class(out, class, push_char);
        }
        Node::Repeat { sub, op, lazy, at } => {
            if op.repeats() && sub.captures() > 0 && sub.can_be_empty() {
                return Err(Declined {
                    message: "a repeated group that can match the empty string: RE2 and Java report what its capture group holds differently".into(),
                    at: Some(*at),
                });
            }
            out.push_str("(?:");
            emit(sub, out)?;
            out.push(')');
            out.push_str(&op.text());
            if *lazy {
                out.push('?');
            }
        }
        Node::Group { capture, sub } => {
            out.push_str(if *capture { "(" } else { "(?:" });
            emit(sub, out)?;
            out.push(')');
        }
        Node::Alt(alts) => {
            for (i, a) in alts.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                emit(a, out)?;
            }
        }
        Node::Concat(xs) => {
            for x in xs {
                emit(x, out)?;
            }
        }
    }
    Ok(())
}
