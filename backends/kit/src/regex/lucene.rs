//! Elasticsearch's Lucene regular expressions (EQL `regex`, ES|QL `RLIKE`, flags `ALL`) and
//! Lucene wildcards (ES|QL `LIKE`): literal escaping, the term patterns of KQL's `has` family,
//! and the rewrite of a KQL RE2 regex into a whole-value Lucene regex with the same matches.
//! Never produces a target's string quoting.
//!
//! Lucene regex facts relied on: the pattern must match the **whole** value; there are no
//! anchors, no word boundaries, no look-arounds and no `(?i)`; `. ? + * | { } [ ] ( ) " \`
//! are operators and so are `# @ & < > ~`; `\` before any character makes it literal (also
//! inside `[…]`); `.` matches any character, newline included. Case folding is never left to
//! the engine: under RE2's `(?i)` every letter becomes the class of its Unicode simple case
//! folding (`[Éé]`, `[Kk\u{212a}]`), which is exact whatever folding the engine's own
//! case-insensitive flag does (Lucene's `ASCII_CASE_INSENSITIVE` folds ASCII only).

use super::syntax::{self, Look, Node, RepeatOp};
use super::{Declined, TermBounds};
use kqlport::ir::MatchKind;

/// Escapes a literal for a `LIKE` pattern: `*`, `?` and `\` get a backslash (Lucene
/// `WildcardQuery`: a backslash makes the next character literal).
pub fn like_literal(value: &str) -> String {
    super::backslash_before(value, |c| matches!(c, '*' | '?' | '\\'))
}

/// Escapes one character for a Lucene regex, outside or inside a class: every ASCII
/// punctuation character gets a backslash (this covers the operators `.?+*|{}[]()"\` and the
/// `ALL`-flag operators `#@&<>~`); letters, digits, space, control and non-ASCII characters
/// stand for themselves (a backslash before a letter could read as a class shorthand).
fn push_literal_char(out: &mut String, c: char) {
    if c.is_ascii_punctuation() {
        out.push('\\');
    }
    out.push(c);
}

/// A literal string as a Lucene regex.
pub fn regex_literal(value: &str) -> String {
    super::backslash_before(value, |c| c.is_ascii_punctuation())
}

/// The whole-value pattern for a KQL term match (`kind` is `Term`, `TermPrefix` or
/// `TermSuffix`): `(.*W)?v(W.*)?` for `has`, `(.*W)?v.*` for `hasprefix`, `.*v(W.*)?` for
/// `hassuffix`, with `W` = `[^A-Za-z0-9]`; a bound is `.*` where `v` itself starts or ends
/// with a non-alphanumeric (`MatchKind::term_edges`).
pub fn term_pattern(kind: MatchKind, v: &str) -> String {
    let (before, after) = kind.term_edges(v).whole_value_bounds();
    format!("{before}{}{after}", regex_literal(v))
}

/// The most literal text one `RLIKE` alternation of terms holds before the rest goes to
/// another `RLIKE` (ORed). Measured with tests/conformance/lucene (Lucene 10's determinisation
/// effort, limit 100,000 units): 2,000 characters of random alphanumeric values cost at most
/// ~8,000 units between `(.*W)?` and `(W.*)?`, and ~53,000 in the worst case, 3-character
/// values between `.*` and `.*`; the corpus's longest term list (about 1,200 characters) 5,258.
pub const MAX_ALTERNATION_CHARS: usize = 2_000;

/// `alts` split into consecutive runs of at most [`MAX_ALTERNATION_CHARS`] characters (each
/// run at least one value), in order.
pub fn alternation_chunks<'a, 'b>(alts: &'b [&'a str]) -> Vec<&'b [&'a str]> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut size = 0;
    for (i, v) in alts.iter().enumerate() {
        let n = v.chars().count() + 1;
        if i > start && size + n > MAX_ALTERNATION_CHARS {
            chunks.push(&alts[start..i]);
            start = i;
            size = 0;
        }
        size += n;
    }
    if start < alts.len() {
        chunks.push(&alts[start..]);
    }
    chunks
}

/// The largest count a Lucene rewrite keeps in a counted repetition (`{n}`, `{n,}`, `{n,m}`).
/// Above it the rewrite is declined: tests/conformance/lucene measured `.*(x{128,1000}).*`
/// (the corpus's one larger count, in FireEyeRedTeamComms) at 2,000,018 units of Lucene 10's
/// determinisation effort, 20 times Elasticsearch's limit; the counts the corpus's translations
/// keep are all below 64, within it.
pub const MAX_COUNT: u32 = 100;

/// A rewritten regex: the whole-value Lucene pattern and whether the RE2 pattern matches the
/// empty string (then a missing value, which KQL reads as `""`, matches too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewritten {
    pub lucene: String,
    pub matches_empty: bool,
}

/// Rewrites an unanchored RE2 search into a whole-value Lucene regex: `.*(r).*`, dropping the
/// `.*` on a side where `r` is anchored; top-level alternatives with the same anchors share
/// one `.*(a|b).*`. `case_insensitive` starts the pattern with RE2's `(?i)`.
///
/// Declined: word boundaries, anchors that are not at the edge of a top-level alternative,
/// multi-line anchors, and a class that matches nothing.
pub fn rewrite_re2(pattern: &str, case_insensitive: bool) -> Result<Rewritten, Declined> {
    let tree = syntax::resolve(pattern, case_insensitive)?;
    let matches_empty = tree.can_be_empty();
    // Leading flag groups such as `(?i)` apply to everything after them (already resolved);
    // past them, the top level can be split into alternatives.
    let mut items = tree.items();
    while let [Node::Flags, rest @ ..] = items {
        items = rest;
    }
    let branches: Vec<&[Node]> = match items {
        [Node::Alt(alts)] => alts.iter().map(Node::items).collect(),
        _ => vec![items],
    };
    // Branches grouped by the anchors they have: each group is one `.*(b1|b2|…).*`.
    // `(.*(b1).*)|(.*(b2).*)|…` would match the same values, but each alternative's own `.*`
    // multiplies the states of the determinised automaton (Lucene 10 no longer minimises a
    // regex's automaton, and Elasticsearch rejects one whose determinisation exceeds its work
    // limit: TooComplexToDeterminize).
    let mut groups: Vec<((bool, bool), Vec<String>)> = Vec::new();
    for branch in branches {
        let mut body = branch;
        let mut anchored = (false, false);
        if let [Node::Look {
            look: Look::Start, ..
        }, rest @ ..] = body
        {
            anchored.0 = true;
            body = rest;
        }
        if let [rest @ .., Node::Look {
            look: Look::End, ..
        }] = body
        {
            anchored.1 = true;
            body = rest;
        }
        let mut out = String::new();
        for node in body {
            emit(node, &mut out)?;
        }
        if out.is_empty() {
            // An empty alternative: `()` is Lucene's empty string (a bare `|)` is not).
            out.push_str("()");
        }
        match groups.iter_mut().find(|(k, _)| *k == anchored) {
            Some((_, bodies)) => bodies.push(out),
            None => groups.push((anchored, vec![out])),
        }
    }
    let mut rendered: Vec<String> = groups
        .into_iter()
        .map(|((start, end), bodies)| {
            format!(
                "{}({}){}",
                if start { "" } else { ".*" },
                bodies.join("|"),
                if end { "" } else { ".*" }
            )
        })
        .collect();
    let lucene = if rendered.len() == 1 {
        rendered.pop().unwrap_or_default()
    } else {
        rendered
            .iter()
            .map(|b| format!("({b})"))
            .collect::<Vec<_>>()
            .join("|")
    };
    Ok(Rewritten {
        lucene,
        matches_empty,
    })
}

fn emit(node: &Node, out: &mut String) -> Result<(), Declined> {
    match node {
        Node::Empty | Node::Flags => {}
        Node::Char(c) => push_literal_char(out, *c),
        Node::Dot { newline: true } => out.push('.'),
        Node::Dot { newline: false } => out.push_str("[^\n]"),
        Node::Look { look, at } => {
            return Err(Declined {
                message: match look {
                    Look::WordBoundary | Look::NotWordBoundary | Look::OtherBoundary => {
                        "Lucene regular expressions have no word-boundary assertion"
                    }
                    Look::Start | Look::End | Look::StartLine | Look::EndLine => {
                        "Lucene regular expressions have no anchors; only a `^`/`$` at the very start or end of the pattern (or of a top-level alternative, without the m flag) can be rewritten"
                    }
                }
                .to_string(),
                at: Some(*at),
            })
        }
        Node::Class { class, .. } => syntax::push_class(out, class, push_literal_char),
        // Greediness never changes whether a whole value matches.
        Node::Repeat { sub, op, at, .. } => {
            if let RepeatOp::Exactly(n) | RepeatOp::AtLeast(n) | RepeatOp::Bounded(_, n) = op {
                if *n > MAX_COUNT {
                    return Err(Declined {
                        message: format!(
                            "a counted repetition above {MAX_COUNT} (`{}`): Lucene expands it into that many copies of its operand, and determinising it after a `.*` exceeds Elasticsearch's work limit (TooComplexToDeterminize; `{{128,1000}}` measured at 20 times the limit)",
                            op.text()
                        ),
                        at: Some(*at),
                    });
                }
            }
            out.push('(');
            emit(sub, out)?;
            out.push(')');
            out.push_str(&op.text());
        }
        Node::Group { sub, .. } => {
            out.push('(');
            emit(sub, out)?;
            out.push(')');
        }
        Node::Alt(alts) => {
            for (i, a) in alts.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                out.push('(');
                emit(a, out)?;
                out.push(')');
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
