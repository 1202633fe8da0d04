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

use crate::diag::Diagnostic;
use pest::Parser;
use std::num::NonZeroUsize;
use std::sync::Once;

pub use errors::MAX_NESTING;

/// pest's cumulative call budget per parse (a process-wide setting): ample for real queries
/// (a few thousand calls per line) and multi-megabyte literals, bounded for pathological input.
pub const PEST_CALL_LIMIT: usize = 50_000_000;

static CALL_LIMIT: Once = Once::new();

/// Stack reserved for the parser thread. Recursive descent over 128 levels of brackets needs a
/// few megabytes in unoptimised builds, more than a test thread's default 2 MiB; the memory is
/// only reserved, not committed.
const PARSER_STACK: usize = 64 << 20;

/// Parses a KQL query. Spans in the AST and in diagnostics are byte offsets into `text`.
///
/// On native targets the work runs on a scoped thread with a large stack, so the nesting limit
/// holds whatever thread the caller is on; a panic there (a bug) becomes a `P099` diagnostic.
pub fn parse(text: &str) -> Result<ast::Query, Vec<Diagnostic>> {
    #[cfg(not(target_family = "wasm"))]
    {
        let outcome = std::thread::scope(|s| {
            std::thread::Builder::new()
                .name("kql-parse".into())
                .stack_size(PARSER_STACK)
                .spawn_scoped(s, || parse_here(text))
                .map(|h| h.join())
        });
        match outcome {
            Ok(Ok(result)) => result,
            Ok(Err(_panic)) => Err(vec![Diagnostic::error(
                "P099",
                "internal parser error (the parser panicked); please report this query",
                crate::source::Span::new(0, 0),
            )
            .with_label("while parsing this query")]),
            // no thread available: parse on the caller's stack
            Err(_) => parse_here(text),
        }
    }
    #[cfg(target_family = "wasm")]
    {
        parse_here(text)
    }
}

fn parse_here(text: &str) -> Result<ast::Query, Vec<Diagnostic>> {
    CALL_LIMIT.call_once(|| pest::set_call_limit(NonZeroUsize::new(PEST_CALL_LIMIT)));
    errors::prescan(text).map_err(|d| vec![d])?;
    let mut pairs = grammar::KqlParser::parse(grammar::Rule::query, text)
        .map_err(|e| vec![errors::from_pest(text, e)])?;
    let Some(root) = pairs.next() else {
        return Err(vec![Diagnostic::error(
            "P099",
            "internal parser error: no parse tree",
            crate::source::Span::new(0, 0),
        )
        .with_label("here")]);
    };
    let _trivia = build::TriviaScope::new(text);
    let query = build::Builder::new()
        .build_query(root)
        .map_err(|d| vec![*d])?;
    if query.statements.is_empty() {
        return Err(vec![Diagnostic::error(
            "P001",
            "the query is empty",
            crate::source::Span::new(0, text.len()),
        )
        .with_label("only ';' separators here, no statement")]);
    }
    Ok(query)
}
