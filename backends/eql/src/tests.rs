//! Unit tests: the exact EQL text per construct, escaping/injection, notes and declines, in one
//! file per topic (below). This file is their harness.
//!
//! Write a new test KQL-in: `insta::assert_snapshot!(eql_of("T | where …"), @"…")`. Build IR by
//! hand (`kqlport::test_support`'s builders) only for shapes KQL cannot produce.
//!
//! Every emitted query is also written to `$KQLPORT_EQL_DUMP/<test>-<n>.eql` when that variable
//! is set, so `tests/oracle/check.py` can parse them all with the reference `eql` parser.

use super::*;
use kqlport::backend::{Effect, Fidelity, Note, Translation};
use kqlport::diag::Diagnostic;
use kqlport::ir::{
    AggFunc, Aggregation, Assignment, Case, CmpOp, ColumnPattern, Expr, ExprKind, FieldPath,
    Literal, MatchKind, PathSegment, Predicate, PredicateKind, Quantifier, Query, ScalarFn,
    SortDir, SortKey, StageKind, StrMatch,
};

use kqlport::test_support::*;
use std::cell::Cell;
use MatchKind::*;

fn neg(mut pr: Predicate) -> Predicate {
    if let PredicateKind::StrMatch(m) = &mut pr.kind {
        m.negated = !m.negated;
    }
    pr
}

fn ci(f: &str, kind: MatchKind, v: &str) -> Predicate {
    sm(f, kind, Case::Insensitive, &[v])
}

fn cs(f: &str, kind: MatchKind, v: &str) -> Predicate {
    sm(f, kind, Case::Sensitive, &[v])
}

thread_local! {
    static DUMPED: Cell<usize> = const { Cell::new(0) };
}

/// Writes an emitted query where the oracle script will find it.
fn dump(text: &str) {
    let Ok(dir) = std::env::var("KQLPORT_EQL_DUMP") else {
        return;
    };
    let name = std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .replace("::", "__");
    let n = DUMPED.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    std::fs::create_dir_all(&dir).expect("create dump dir");
    std::fs::write(format!("{dir}/{name}-{n}.eql"), text).expect("write dump");
}

fn run(q: &Query) -> Result<Translation, Vec<Diagnostic>> {
    let out = Eql.translate(&RuleContext::default(), q);
    if let Ok(t) = &out {
        assert!(
            t.text.ends_with('\n') && !t.text.ends_with("\n\n"),
            "{:?}",
            t.text
        );
        dump(&t.text);
    }
    out
}

/// The EQL for `T | where pr`, which must translate exactly.
fn eql(pr: Predicate) -> String {
    eql_exact(&query("T", vec![filter(pr)]))
}

/// The EQL of a KQL query, which must translate exactly.
fn eql_of(kql: &str) -> String {
    eql_exact(&ir_of(kql))
}

fn eql_exact(q: &Query) -> String {
    let t = run(q).expect("translates");
    assert_eq!(t.fidelity, Fidelity::Exact, "{}", t.text);
    t.text
}

fn declined(q: &Query) -> Vec<Diagnostic> {
    match run(q) {
        Ok(t) => panic!("expected a decline, got {}", t.text),
        Err(d) => d,
    }
}

fn declined_pred(pr: Predicate) -> Diagnostic {
    let mut d = declined(&query("T", vec![filter(pr)]));
    assert_eq!(d.len(), 1, "{d:?}");
    d.remove(0)
}

fn notes(t: &Translation) -> &[Note] {
    match &t.fidelity {
        Fidelity::Approximate(n) => n,
        Fidelity::Exact => &[],
    }
}

mod comparisons;
mod escaping;
mod oracle_rows;
mod paths;
mod stages;
mod strings;
