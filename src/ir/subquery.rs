//! How a filter holding `x in (subquery)` tests divides, for targets that test a subquery's
//! values with a command of their own (SPL's subsearch, ES|QL's `LOOKUP JOIN`) rather than
//! inside an expression: the tests among its `and` parts, and everything else.

use super::{Predicate, PredicateKind};

/// A filter's top-level `and` parts, divided: see [`Predicate::subquery_tests`].
pub struct SubqueryTests<'a> {
    /// Each `in (subquery)` test with whether it is negated (`!in`, `not(x in (…))`, or a part
    /// of `not(a or b)`).
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
        // `neg`: whether the part sits under a `not` that has been pushed inward, as
        // `not(a or b)` = `not(a) and not(b)` (De Morgan, which holds in KQL's three-valued
        // logic too), so each `in (subquery)` under it is a test of its own.
        fn walk<'a>(
            p: &'a Predicate,
            neg: bool,
            tests: &mut Vec<(&'a Predicate, bool)>,
            rest: &mut Vec<Predicate>,
        ) {
            match (&p.kind, neg) {
                (PredicateKind::And(v), false) | (PredicateKind::Or(v), true) => {
                    v.iter().for_each(|x| walk(x, neg, tests, rest))
                }
                (PredicateKind::InSubquery { negated, .. }, _) => tests.push((p, *negated != neg)),
                (PredicateKind::Not(x), _) if x.has_subquery() => walk(x, !neg, tests, rest),
                (_, false) => rest.push(p.clone()),
                (_, true) => rest.push(Predicate {
                    kind: PredicateKind::Not(Box::new(p.clone())),
                    span: p.span,
                }),
            }
        }
        let (mut tests, mut rest) = (Vec::new(), Vec::new());
        walk(self, false, &mut tests, &mut rest);
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
