//! KQL's regular expressions (RE2) in the targets' regex dialects. Lowering has already refused
//! what RE2 itself refuses (`kqlport::re2`); here every accepted pattern gets one answer per
//! construct and target: exact, rewritten, or declined with a reason ([`Declined`]).
//!
//! * [`syntax`]: the one RE2 walker. It parses a pattern once (with `regex-syntax`, Rust's
//!   RE2-like parser, the crate the core's RE2 check already uses) and resolves what RE2 means
//!   by each construct: flags applied where RE2 applies them, `\d \s \w` and POSIX classes as
//!   RE2's ASCII sets, `(?i)` as Unicode simple case folding, `\<`/`\>` as the characters. The
//!   result is a small tree ([`syntax::Node`]) that the re-emitting dialects print.
//! * [`lucene`]: Elasticsearch's Lucene regex (EQL `regex`, ES|QL `RLIKE`): whole-value match.
//! * [`java`]: `java.util.regex` (ES|QL `REPLACE`): same matches at the same places.
//! * [`pcre`]: Splunk's PCRE, and [`sigma`]: the dialect of Sigma's `re` modifier. These two
//!   keep the pattern as written and rewrite only the constructs whose meaning differs, by
//!   span ([`Edits`]), so a reader still recognises the rule's pattern.
//! * [`facts`]: questions about an RE2 pattern's matches (can it be empty, a literal run every
//!   match holds, …), for prefilters and counting.
//! * [`term`]: the term-boundary patterns around a `has` value (the IR says which edges).

pub mod facts;
pub mod java;
pub mod lucene;
pub mod pcre;
pub mod sigma;
pub mod syntax;
pub mod term;

pub use term::TermBounds;

use regex_syntax::ast::{self, Ast};

/// Why a pattern has no exact form in a target dialect: the reason, and the construct's byte
/// range in the pattern when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declined {
    pub message: String,
    pub at: Option<(usize, usize)>,
}

impl Declined {
    pub fn new(message: impl Into<String>, span: Option<&ast::Span>) -> Self {
        Declined {
            message: message.into(),
            at: span.map(|s| (s.start.offset, s.end.offset)),
        }
    }
}

impl Declined {
    /// The construct's byte range in the pattern (empty at 0 when there is none).
    pub fn range(&self) -> std::ops::Range<usize> {
        self.at.map_or(0..0, |(a, b)| a..b)
    }
}

impl std::fmt::Display for Declined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// `value` with a backslash before every character `special` picks (a literal in a pattern or
/// replacement language whose only escape is the backslash).
pub(crate) fn backslash_before(value: &str, special: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(value.len() + 4);
    for c in value.chars() {
        if special(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The nesting RE2 patterns may have here: the same limit as lowering's RE2 check.
const NEST_LIMIT: u32 = 250;

/// Parses an RE2 pattern into `regex-syntax`'s AST; every dialect starts here.
pub fn parse(pattern: &str) -> Result<Ast, Declined> {
    ast::parse::ParserBuilder::new()
        .nest_limit(NEST_LIMIT)
        .build()
        .parse(pattern)
        .map_err(|e| {
            Declined::new(
                format!("not a valid RE2 pattern: {}", e.kind()),
                Some(e.span()),
            )
        })
}

/// Text edits to a pattern by byte range, for the dialects that keep the pattern as written.
#[derive(Default)]
pub(crate) struct Edits(Vec<(usize, usize, String)>);

impl Edits {
    /// Replaces the text of `span`.
    pub(crate) fn replace(&mut self, span: &ast::Span, text: impl Into<String>) {
        self.0
            .push((span.start.offset, span.end.offset, text.into()));
    }

    /// Replaces `start..end` (`start == end` inserts).
    pub(crate) fn at(&mut self, start: usize, end: usize, text: impl Into<String>) {
        self.0.push((start, end, text.into()));
    }

    /// `pattern` with the edits made. Stable: an insertion and a replacement at one offset
    /// keep the order they were made in.
    pub(crate) fn apply(mut self, pattern: &str) -> String {
        self.0.sort_by_key(|e| e.0);
        let mut out = String::with_capacity(pattern.len() + 16);
        let mut at = 0;
        for (start, end, text) in self.0 {
            out.push_str(&pattern[at..start]);
            out.push_str(&text);
            at = end;
        }
        out.push_str(&pattern[at..]);
        out
    }
}

#[cfg(test)]
mod tests;
