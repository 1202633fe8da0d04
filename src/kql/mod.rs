//! KQL front end: `parse(&str) -> Result<ast::Query, Vec<Diagnostic>>`. pest lives only here:
//! `grammar.rs` binds `grammar/kql.pest`, `build.rs` turns the parse tree into [`ast`], and
//! `errors.rs` produces KQL-worded diagnostics. Nothing here reads files or prints.
//!
//! Robustness: bracket nesting is limited to [`MAX_NESTING`] by a pre-scan before pest runs,
//! pest runs under a global call limit, and the AST builder guards its own recursion; no input
//! panics or overflows the stack. An empty (or comment-only) query is an error, `P001`.

pub mod ast;
mod build;
mod errors;
mod grammar;
#[cfg(test)]
mod tests;
pub mod visit;

use crate::codes::ParseCode;
use crate::diag::Diagnostic;
use pest::Parser;
use std::num::NonZeroUsize;
use std::sync::Once;

pub use errors::MAX_NESTING;

/// pest's cumulative call budget per parse (a process-wide setting): ample for real queries
/// (a few thousand calls per line) and multi-megabyte literals, bounded for pathological input.
pub const PEST_CALL_LIMIT: usize = 50_000_000;

static CALL_LIMIT: Once = Once::new();

/// Parsing recurses over nested brackets and pipelines; 128 levels need a few megabytes in
/// unoptimised builds. When less than `RED_ZONE` of stack is left, parsing continues on a fresh
/// `PARSER_STACK`-sized segment (reserved, not committed); otherwise it runs in place.
const RED_ZONE: usize = 4 << 20;
const PARSER_STACK: usize = 64 << 20;

/// Parses a KQL query. Spans in the AST and in diagnostics are byte offsets into `text`.
///
/// The nesting limit holds whatever thread the caller is on (the stack grows on demand), and a
/// panic inside the parser (a bug) becomes a `P099` diagnostic instead of unwinding.
pub fn parse(text: &str) -> Result<ast::Query, Vec<Diagnostic>> {
    let run = || {
        #[cfg(not(target_family = "wasm"))]
        return stacker::maybe_grow(RED_ZONE, PARSER_STACK, || parse_here(text));
        #[cfg(target_family = "wasm")]
        return parse_here(text);
    };
    match std::panic::catch_unwind(run) {
        Ok(result) => result,
        Err(_panic) => Err(vec![Diagnostic::error(
            ParseCode::P099,
            "internal parser error (the parser panicked); please report this query",
            crate::source::Span::new(0, 0),
        )
        .with_label("while parsing this query")]),
    }
}

fn parse_here(text: &str) -> Result<ast::Query, Vec<Diagnostic>> {
    CALL_LIMIT.call_once(|| pest::set_call_limit(NonZeroUsize::new(PEST_CALL_LIMIT)));
    let trivia = errors::prescan(text).map_err(|d| vec![d])?;
    let mut pairs = grammar::KqlParser::parse(grammar::Rule::query, text)
        .map_err(|e| vec![errors::from_pest(text, e)])?;
    let Some(root) = pairs.next() else {
        return Err(vec![Diagnostic::error(
            ParseCode::P099,
            "internal parser error: no parse tree",
            crate::source::Span::new(0, 0),
        )
        .with_label("here")]);
    };
    let _trivia = build::TriviaScope::new(text, trivia);
    let query = build::Builder::new()
        .build_query(root)
        .map_err(|d| vec![*d])?;
    if query.statements.is_empty() {
        return Err(vec![Diagnostic::error(
            ParseCode::P001,
            "the query is empty",
            crate::source::Span::new(0, text.len()),
        )
        .with_label("only ';' separators here, no statement")]);
    }
    Ok(query)
}
