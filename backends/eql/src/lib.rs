//! kqlport's Elastic EQL backend: a lowered KQL detection becomes one EQL event query,
//! `<category> where <condition> [| head n]`. This file holds the [`Backend`] impl; `query`
//! walks the tabular stages, conditions are built in [`pred`] (their values in `value`),
//! Lucene regexes by `kqlport_kit::regex::lucene` (shared with ES|QL), and text in [`ast`]. It
//! never reads files or knows about other targets.
//!
//! # What the output returns
//!
//! The same events as the KQL filter, when run through the EQL search API over an index
//! holding the table's events — with the exceptions listed under *Approximations*.
//!
//! * **Category.** With no field mapping the Sentinel table name is the event category
//!   (`DeviceNetworkEvents where …`). Real EQL categories are ECS `event.category` values
//!   (`process`, `network`, …); the field-mapping step replaces the name. Field names are
//!   kept as written; a name that is not a plain identifier (or is a keyword, or starts with
//!   `@`) is quoted with backticks, a backtick doubled.
//! * **String tests.** Case-insensitive KQL operators use `:` (`f : "*v*"` contains,
//!   `"v*"` startswith, `"*v"` endswith, `"v"` equals; several values merge into one list),
//!   case-sensitive ones `==`, `in`, `like`. `:`/`like` read `*` and `?` as wildcards and EQL
//!   has no escape for them, so a value holding `*` or `?` is tested with `in~`/`in` (equality)
//!   or `stringContains[~]`/`startsWith[~]`/`endsWith[~]` instead. `has`/`hasprefix`/`hassuffix`
//!   become `regex~`/`regex` with KQL's term boundaries (`(.*W)?v(W.*)?`, `W` = `[^A-Za-z0-9]`;
//!   a side is `.*` where `v` starts/ends with punctuation, which bounds it already).
//!   `matches regex` is rewritten from RE2 to an equivalent whole-value Lucene pattern
//!   (`kqlport_kit::regex::lucene::rewrite_re2`, the same answer ES|QL's `RLIKE` gets) or declined.
//! * **Missing fields.** KQL reads a missing string as `""`, so its negations (`!=`, `!has`,
//!   `!in`, …) keep events without the field; comparisons with a missing number are null
//!   (`!=` true). Every test gets an explicit guard: `(f == null or f != "v")`,
//!   `(f != null and not f : "")`, so the result does not depend on whether Elasticsearch runs
//!   the condition as Query DSL (`must_not` keeps documents without the field) or evaluates it
//!   with null propagation. `isempty(f)` is `(f == null or f == "")`. `isnull(f)` is
//!   `f == null` (missing or null): KQL's meaning for every type but string. On a string column
//!   KQL's `isnull` is never true; lowering folds it to `false` (`isnotnull` to `true`) when
//!   the table schema says the column is a string, and adds an over-/under-match note when it
//!   does not know the column's type.
//! * **Numbers.** `between` is `(f >= a and f <= b)` — never EQL's `between()`, which extracts
//!   substrings. `strlen(f)` is `length(f)`; `+ - * / %` are kept.
//! * `and`/`or` are always parenthesised below the top level.
//!
//! # Approximations (each reported as a [`Note`](kqlport::backend::Note))
//!
//! * A time window (`TimeGenerated > ago(7d)`) that is a top-level conjunct is left out of the
//!   query: EQL has no `now()`. The note (effect *over-match*) gives the range to apply through
//!   the search API's `filter` or the rule's look-back; with that range applied the rows are the
//!   same.
//! * `project`, `project-away`, `project-keep`, `project-rename`, `project-reorder` and
//!   `extend` do not change which events match; EQL returns whole events, so the columns differ
//!   (effect *values*). A column defined by `extend`/`project`/`project-rename` and used in a
//!   later filter is inlined into the condition.
//! * A path into a column that KQL parses from JSON text (`parse_json(X).a`) is read as an
//!   object field `X.a` (effect *under-match* where the column is stored as text).
//!
//! # Declined (with the span of the KQL that needs it)
//!
//! `summarize`, `sort`/`order`, `top`, `distinct`, `count` (B061: EQL has no statistics, sorting
//! or computed output — use ES|QL); a filter after `take` (B062); a time window under `or`/`not`
//! (B063); field-to-field comparisons (B064); computed values EQL cannot write (B065); regexes
//! that have no exact Lucene form (B066); datetime/timespan literals, `now()`, `ago()` outside a
//! top-level window (B067); field names with control characters (B068); `has ""` (B069).
//!
//! `take n` is `| head n`: the earliest n events instead of arbitrary n, which is still "n
//! arbitrary rows", so it is exact.

pub mod ast;
mod join;
pub mod pred;
mod query;
mod value;

#[cfg(test)]
mod tests;

use kqlport::backend::{Backend, CommentSyntax, Outcome, RuleContext, Target};
use kqlport::ir;

/// The EQL target.
#[derive(Clone, Copy, Debug, Default)]
pub struct Eql;

/// This target's refusals ("EQL cannot express …").
pub(crate) const REFUSAL: kqlport_kit::refusal::Refusal =
    kqlport_kit::refusal::Refusal { target: "EQL" };

/// An EQL comment line is `// text`, the text made one line (Elasticsearch's EQL lexer ends a `//`
/// comment at CR or LF, the `eql` package at LF).
pub const TARGET: Target = Target {
    name: "eql",
    extension: "eql",
    comment: CommentSyntax::to_end_of_line("//"),
};

impl Backend for Eql {
    fn target(&self) -> &'static Target {
        &TARGET
    }

    fn translate_query(&self, _rule: &RuleContext, query: &ir::Query) -> Outcome {
        query::translate(query)
    }
}
