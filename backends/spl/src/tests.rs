//! Unit tests: the exact SPL for each construct, escaping/injection round trips, and the notes
//! and refusals with their spans, in one file per topic (below). This file is their harness.
//!
//! Write a new test KQL-in: `insta::assert_snapshot!(spl_of("T | where …"), @"…")`. Build IR by
//! hand (`kqlport::test_support`'s builders) only for shapes KQL cannot produce.

use crate::Spl;
use kqlport::backend::{Backend, Effect, Fidelity, RuleContext};
use kqlport::diag::Diagnostic;
use kqlport::ir::*;
use kqlport::test_support::*;
use Case::{Insensitive as CI, Sensitive as CS};
use MatchKind::*;

/// A query over `DeviceProcessEvents` (its name at `0..19`).
fn q(stages: Vec<Stage>) -> Query {
    query("DeviceProcessEvents", stages)
}

/// A path expression at `5..9`.
fn segs(col: &str, segs: Vec<PathSegment>, parsed: bool) -> Expr {
    expr_at(path_segs(col, segs, parsed), 5, 9)
}

fn run(query: Query) -> Result<(String, Fidelity), Vec<Diagnostic>> {
    let out = Spl
        .translate(&RuleContext::default(), &query)
        .map(|t| (t.text, t.fidelity));
    // For the splparser smoke test (tests/oracle/splparse.py): collect every emitted query.
    if let (Ok((t, _)), Some(dir)) = (&out, std::env::var_os("KQLPORT_SPL_DUMP")) {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        t.hash(&mut h);
        let name = format!("{:016x}.spl", h.finish());
        std::fs::write(std::path::Path::new(&dir).join(name), t).expect("dump");
    }
    out
}

fn text(query: Query) -> String {
    let (t, f) = run(query).expect("translates");
    assert_eq!(f, Fidelity::Exact, "expected exact: {t}");
    t
}

/// The SPL of a KQL query, which must translate exactly and end in one newline (inline
/// snapshots do not compare trailing newlines).
fn spl_of(kql: &str) -> String {
    let t = text(ir_of(kql));
    assert!(t.ends_with('\n') && !t.ends_with("\n\n"), "{t:?}");
    t
}

/// [`spl_of`] without the base search line.
fn spl_tail_of(kql: &str) -> String {
    tail(&spl_of(kql))
}

/// A translation whose only notes are the one-element-set note of values()/list().
fn text_sets(query: Query) -> String {
    let (t, notes) = approx(query);
    assert!(
        notes.iter().all(|n| n.2 == Effect::Values),
        "only the one-element-set note expected: {notes:?}"
    );
    t
}

fn approx(query: Query) -> (String, Vec<(usize, usize, Effect)>) {
    match run(query).expect("translates") {
        (t, Fidelity::Approximate(n)) => (
            t,
            n.iter()
                .map(|n| (n.span.start, n.span.end, n.effect))
                .collect(),
        ),
        (t, Fidelity::Exact) => panic!("expected notes: {t}"),
    }
}

fn declined(query: Query) -> Vec<(&'static str, usize, usize)> {
    run(query)
        .expect_err("declines")
        .iter()
        .map(|d| (d.code.as_str(), d.span.start, d.span.end))
        .collect()
}

/// Just the commands after the base search line.
fn tail(t: &str) -> String {
    t.lines().skip(1).collect::<Vec<_>>().join("\n")
}

fn ext(n: &str, e: Expr) -> Stage {
    stage(StageKind::Extend(vec![assign(n, e)]))
}

fn member(base: Expr, name: &str) -> Expr {
    Expr {
        kind: ExprKind::Path {
            base: Box::new(base),
            path: vec![k(name)],
        },
        span: sp(20, 29),
    }
}

fn project(cols: &[&str]) -> Stage {
    stage(StageKind::Project(
        cols.iter().map(|c| assign(c, field(c))).collect(),
    ))
}

mod aggregation;
mod arrays;
mod base_search;
mod columns;
mod comparisons;
mod escaping;
mod functions;
mod members;
mod neighbours;
mod paths;
mod prefilters;
mod strings;
mod subqueries;
mod time;
mod unions;
