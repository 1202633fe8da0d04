//! `rightsemi` / `rightanti` joins as the mirrored `leftsemi` / `leftanti` join, for targets
//! whose join keeps only the rows of the search it runs in (Splunk's `join`, ES|QL's `LOOKUP
//! JOIN`).
//!
//! `L | join kind=rightanti (R) on $left.a == $right.b` returns the rows of `R` that match no
//! row of `L`, with `R`'s columns only, each such `R` row once; `R | join kind=leftanti (L) on
//! $left.b == $right.a` returns exactly those rows (Kusto's join docs: the right kinds are the
//! left kinds with the sides' roles exchanged; both keep only one side's columns, in that
//! side's order, so no name is renamed). The same holds for `rightsemi` / `leftsemi`. The
//! stages after the join then continue from the mirrored join. The other right kinds
//! (`rightouter`) are not mirrored: their output has the left columns first and renames the
//! right side's clashing names, which swapping the sides would change.

use super::{JoinKey, JoinKind, Predicate, PredicateKind, Query, SourceKind, Stage, StageKind};
use crate::source::Span;

/// A query with its right semi/anti joins mirrored, and which joins were.
pub struct Mirrored {
    pub query: Query,
    /// The span and KQL kind of each mirrored join (its stage now has the left kind), so a
    /// target can word its notes and refusals for what the KQL says.
    pub joins: Vec<(Span, JoinKind)>,
}

impl Mirrored {
    /// The KQL kind of the join stage at `span` when it was mirrored.
    pub fn kql_kind(&self, span: Span) -> Option<JoinKind> {
        self.joins
            .iter()
            .find(|(s, _)| s.start == span.start && s.end == span.end)
            .map(|(_, k)| *k)
    }
}

impl Query {
    /// This query with every `rightsemi`/`rightanti` join (here, in a join's right side, in
    /// a union leg, or in a subquery a filter tests) rewritten as the mirrored left join; `None` when it has none.
    pub fn right_joins_mirrored(&self) -> Option<Mirrored> {
        let mut query = self.clone();
        let mut joins = Vec::new();
        mirror(&mut query, &mut joins);
        (!joins.is_empty()).then_some(Mirrored { query, joins })
    }
}

/// Rewrites `q` in place, recording each mirrored join in `joins`.
fn mirror(q: &mut Query, joins: &mut Vec<(Span, JoinKind)>) {
    if let SourceKind::Union(u) = &mut q.source.kind {
        for leg in &mut u.legs {
            // A leg is never itself a union: keep a leg whose mirrored source would be one.
            let mut copy = leg.clone();
            let mut found = Vec::new();
            mirror(&mut copy, &mut found);
            if !found.is_empty() && !matches!(copy.source.kind, SourceKind::Union(_)) {
                *leg = copy;
                joins.extend(found);
            }
        }
    }
    let mut i = 0;
    while i < q.stages.len() {
        match &mut q.stages[i].kind {
            StageKind::Join { right, .. } => mirror(right, joins),
            StageKind::Filter(p) => mirror_subqueries(p, joins),
            _ => {}
        }
        let mirrored = match &q.stages[i].kind {
            StageKind::Join { kind, .. } => match kind {
                JoinKind::RightSemi => Some((*kind, JoinKind::LeftSemi)),
                JoinKind::RightAnti => Some((*kind, JoinKind::LeftAnti)),
                _ => None,
            },
            _ => None,
        };
        if let Some((old_kind, new_kind)) = mirrored {
            let after: Vec<Stage> = q.stages.split_off(i + 1);
            let join = q.stages.pop().expect("the join stage");
            let StageKind::Join { right, on, .. } = join.kind else {
                unreachable!("matched a join above")
            };
            // The rows so far become the right side; the right side becomes the rows so far.
            let left = Query {
                source: q.source.clone(),
                stages: std::mem::take(&mut q.stages),
                span: q.span,
            };
            let right = *right;
            let position = right.stages.len();
            q.source = right.source;
            q.stages = right.stages;
            q.stages.push(Stage {
                kind: StageKind::Join {
                    kind: new_kind,
                    right: Box::new(left),
                    on: on
                        .into_iter()
                        .map(|k| JoinKey {
                            left: k.right,
                            right: k.left,
                        })
                        .collect(),
                },
                span: join.span,
            });
            q.stages.extend(after);
            joins.push((join.span, old_kind));
            i = position + 1;
            continue;
        }
        i += 1;
    }
}

/// Mirrors the joins of the subqueries (`x in (R | join kind=rightsemi …)`) a filter's
/// condition tests through `and`, `or` and `not`; each subquery is a query of its own.
fn mirror_subqueries(p: &mut Predicate, joins: &mut Vec<(Span, JoinKind)>) {
    match &mut p.kind {
        PredicateKind::And(ps) | PredicateKind::Or(ps) => {
            ps.iter_mut().for_each(|p| mirror_subqueries(p, joins))
        }
        PredicateKind::Not(p) => mirror_subqueries(p, joins),
        PredicateKind::InSubquery { sub, .. } => mirror(&mut sub.query, joins),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::Query;

    fn ir_of(kql: &str) -> Query {
        let ast = crate::kql::parse(kql).expect("parses");
        crate::lower::lower(&ast).expect("lowers").query
    }

    #[test]
    fn rightanti_becomes_the_mirrored_leftanti() {
        let q = ir_of(
            "A | where x == 1 | join kind=rightanti (B | where y == 2) on $left.a == $right.b \
             | project b",
        );
        let m = q.right_joins_mirrored().expect("mirrored").query;
        let expected = ir_of(
            "B | where y == 2 | join kind=leftanti (A | where x == 1) on $left.b == $right.a \
             | project b",
        );
        assert_eq!(m.source, expected.source);
        assert_eq!(m.stages, expected.stages);
    }

    #[test]
    fn rightsemi_becomes_leftsemi_and_a_later_join_stays() {
        let q = ir_of(
            "A | join kind=rightsemi (B) on k | join kind=leftouter (C) on k | where k != \"\"",
        );
        let m = q.right_joins_mirrored().expect("mirrored").query;
        let expected = ir_of(
            "B | join kind=leftsemi (A) on k | join kind=leftouter (C) on k | where k != \"\"",
        );
        assert_eq!(m.stages, expected.stages);
        assert_eq!(m.source, expected.source);
    }

    #[test]
    fn other_kinds_are_left_alone() {
        for kind in ["inner", "leftanti", "rightouter", "fullouter"] {
            let q = ir_of(&format!("A | join kind={kind} (B) on k"));
            assert!(q.right_joins_mirrored().is_none(), "{kind}");
        }
    }

    #[test]
    fn a_right_join_inside_a_right_side_is_mirrored() {
        let q = ir_of("A | join kind=inner (B | join kind=rightanti (C) on k) on k");
        let m = q.right_joins_mirrored().expect("mirrored").query;
        let expected = ir_of("A | join kind=inner (C | join kind=leftanti (B) on k) on k");
        assert_eq!(m.stages, expected.stages);
    }

    #[test]
    fn a_right_join_inside_a_tested_subquery_is_mirrored() {
        let q = ir_of(
            "let L = B | join kind=rightanti (C) on k | project k; \
             A | where x == 1 or not(k in (L))",
        );
        let m = q.right_joins_mirrored().expect("mirrored").query;
        let expected = ir_of(
            "let L = C | join kind=leftanti (B) on k | project k; \
             A | where x == 1 or not(k in (L))",
        );
        assert_eq!(m.stages, expected.stages);
    }
}
