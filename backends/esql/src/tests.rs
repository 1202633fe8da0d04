//! Unit tests: the exact ES|QL text per construct, notes and refusals with their spans, and
//! escaping read back by ES|QL's own rules, in one file per topic (below). This file is their
//! harness.
//!
//! Write a new test KQL-in: `insta::assert_snapshot!(where_of_kql("T | where …"), @"…")`. Build
//! IR by hand (`kqlport::test_support`'s builders) only for shapes KQL cannot produce.
//!
//! Set `KQLPORT_ESQL_DUMP=<file>` to append every emitted query to `<file>` (records end with a
//! line `%%%%`) for `tests/oracle/parse_all.py`.

use crate::ast::{Ident, StrLit};
use crate::lucene;
use crate::Esql;
use kqlport::backend::{Backend, Effect, Fidelity, RuleContext, Translation};
use kqlport::diag::Diagnostic;
use kqlport::ir::*;
use kqlport::source::Span;
use kqlport::test_support::*;
use std::io::Write;
use Case::{Insensitive as CI, Sensitive as CS};
use MatchKind::*;

fn dump(text: &str) {
    if let Ok(file) = std::env::var("KQLPORT_ESQL_DUMP") {
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
        {
            let record = format!("{text}%%%%\n");
            let _ = f.write_all(record.as_bytes());
        }
    }
}

fn run(q: &Query) -> Result<Translation, Vec<Diagnostic>> {
    let out = Esql.translate(&RuleContext::default(), q);
    if let Ok(t) = &out {
        assert!(t.text.ends_with('\n') && !t.text.ends_with("\n\n"));
        dump(&t.text);
    }
    out
}

/// Translates and requires an exact result.
fn exact(q: &Query) -> String {
    let t = run(q).expect("translated");
    assert_eq!(t.fidelity, Fidelity::Exact, "{}", t.text);
    t.text
}

/// Translates one filter over `T` exactly and returns the WHERE line's condition (the
/// conditions joined by ` | WHERE ` when the filter's pushable part leads in a WHERE of its
/// own, `pushdown`).
fn where_of(pr: Predicate) -> String {
    where_line(&query("T", vec![filter(pr)]))
}

/// The ES|QL of a KQL query, which must translate exactly.
fn esql_of(kql: &str) -> String {
    exact(&ir_of(kql))
}

/// [`where_of`] for a KQL query `T | where …`.
fn where_of_kql(kql: &str) -> String {
    where_line(&ir_of(kql))
}

fn where_line(q: &Query) -> String {
    let text = exact(q);
    let conditions: Vec<&str> = text
        .lines()
        .skip(1)
        .map_while(|l| l.strip_prefix("| WHERE "))
        .collect();
    assert!(!conditions.is_empty(), "a WHERE line: {text}");
    conditions.join(" | WHERE ")
}

fn notes(t: &Translation) -> Vec<(Span, Effect, String)> {
    match &t.fidelity {
        Fidelity::Exact => Vec::new(),
        Fidelity::Approximate(n) => n
            .iter()
            .map(|n| (n.span, n.effect, n.message.clone()))
            .collect(),
    }
}

fn declined(q: &Query) -> Vec<Diagnostic> {
    match run(q) {
        Ok(t) => panic!("expected a refusal, got {}", t.text),
        Err(d) => d,
    }
}

// Read-back helpers: ES|QL's own rules, re-implemented independently of the emitter.

/// ES|QL's lexer/parser for a `"…"` string: `\t \n \r \" \\` are the escapes.
fn esql_unquote(lit: &str) -> String {
    let inner = lit
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .expect("double-quoted");
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                other => panic!("invalid escape {other:?} in {lit}"),
            },
            '"' | '\n' | '\r' => panic!("unescaped {c:?} in {lit}"),
            c => out.push(c),
        }
    }
    out
}

/// The Lucene regex subset this backend emits, as an anchored regex: `\c` is literal `c`,
/// classes `[^…]` with ranges, groups, `| * + ? {n,m}`, and `.` = any character.
fn lucene_regex(pattern: &str) -> regex_lite::Regex {
    let mut re = String::from("^(?s:");
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let n = chars.next().expect("escape");
                assert!(!n.is_ascii_alphanumeric(), "\\{n} reads as a shorthand");
                re.push_str(&regex_lite::escape(&n.to_string()));
            }
            '[' if !in_class => {
                in_class = true;
                re.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    re.push('^');
                }
            }
            ']' if in_class => {
                in_class = false;
                re.push(']');
            }
            '-' if in_class => re.push('-'),
            c if in_class => re.push_str(&regex_lite::escape(&c.to_string())),
            '#' | '@' | '&' | '<' | '>' | '~' | '"' => {
                panic!("unescaped Lucene operator {c} in {pattern}")
            }
            '(' | ')' | '|' | '*' | '+' | '?' | '{' | '}' | ',' | '.' => re.push(c),
            c if c.is_ascii_digit() => re.push(c),
            c => re.push_str(&regex_lite::escape(&c.to_string())),
        }
    }
    re.push_str(")$");
    regex_lite::Regex::new(&re).unwrap_or_else(|e| panic!("{pattern}: {e}"))
}

fn rlike_of(pattern: &str) -> regex_lite::Regex {
    lucene_regex(
        &lucene::rewrite_re2(pattern, false)
            .expect("rewritable")
            .lucene,
    )
}

fn indexed(col: &str, segs: Vec<PathSegment>, parsed: bool, span: Span) -> Expr {
    expr_at(path_segs(col, segs, parsed), span.start, span.end)
}

fn summarize(by: Vec<GroupKey>, aggs: Vec<Aggregation>) -> Stage {
    stage(StageKind::Aggregate { by, aggs })
}

fn ext1(e: Expr) -> Result<Translation, Vec<Diagnostic>> {
    run(&query(
        "T",
        vec![stage(StageKind::Extend(vec![assign("x", e)]))],
    ))
}

/// The EVAL line of a one-extend query.
fn eval_of(e: Expr) -> String {
    let t = ext1(e).expect("translated");
    t.text.lines().nth(1).expect("EVAL").to_string()
}

mod aggregation;
mod arrays;
mod columns;
mod comparisons;
mod escaping;
mod functions;
mod java_regex;
mod members;
mod paths;
mod row_cap;
mod stored;
mod strings;
mod subqueries;
mod time;
mod unions;
