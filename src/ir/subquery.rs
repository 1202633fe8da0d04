//! How a filter holding `x in (subquery)` tests divides, for targets that test a subquery's
//! values with a command of their own (SPL's subsearch, ES|QL's `LOOKUP JOIN`) rather than
//! inside an expression: the tests among its `and` parts, and everything else.

use super::{Predicate, PredicateKind};

/// A filter's top-level `and` parts, divided: see [`Predicate::subquery_tests`].
pub struct SubqueryTests<'a> {
    /// Each `in (subquery)` test with whether it is negated (`!in`, or `not(x in (…))`).
    pub tests: Vec<(&'a Predicate, bool)>,
    /// The other parts as one predicate (an `and` at the filter's span when several); `None`
    /// when every part is a subquery test. It may still hold a subquery test inside an `or`
    /// or a `not`, which no target can run as a command: see [`Predicate::has_subquery`].
    pub rest: Option<Predicate>,
}

impl Predicate {
    /// Whether a subquery test appears anywhere in this predicate's `and`/`or`/`not` tree.
    pub fn has_subquery(&self) -> bool {
        match &self.kind {
            PredicateKind::InSubquery { .. } => true,
            PredicateKind::And(v) | PredicateKind::Or(v) => v.iter().any(Predicate::has_subquery),
            PredicateKind::Not(x) => x.has_subquery(),
            _ => false,
        }
    }

    /// This filter's subquery tests and the rest of its `and` parts.
    pub fn subquery_tests(&self) -> SubqueryTests<'_> {
        fn walk<'a>(
            p: &'a Predicate,
            tests: &mut Vec<(&'a Predicate, bool)>,
            rest: &mut Vec<Predicate>,
        ) {
            match &p.kind {
                PredicateKind::And(v) => v.iter().for_each(|x| walk(x, tests, rest)),
                PredicateKind::InSubquery { negated, .. } => tests.push((p, *negated)),
                PredicateKind::Not(x) => match &x.kind {
                    PredicateKind::InSubquery { negated, .. } => tests.push((x, !negated)),
                    _ => rest.push(p.clone()),
                },
                _ => rest.push(p.clone()),
            }
        }
        let (mut tests, mut rest) = (Vec::new(), Vec::new());
        walk(self, &mut tests, &mut rest);
        let rest = match rest.len() {
            0 => None,
            1 => rest.pop(),
            _ => Some(Predicate {
                kind: PredicateKind::And(rest),
                span: self.span,
            }),
        };
        SubqueryTests { tests, rest }
    }
}
