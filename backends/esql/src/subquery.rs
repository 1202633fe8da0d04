//! `x in (subquery)` / `x !in (subquery)` ([`PredicateKind::InSubquery`]) as a semi / anti
//! `LOOKUP JOIN`: a filter's `and` part testing a value against a subquery's values is KQL's
//! `join kind=leftsemi` (`in`) or `kind=leftanti` (`!in`) on that value, so it is written by
//! the join translation (`join.rs`): the subquery is the materialisation query of a lookup index
//! holding its distinct values, printed above the query, and the main query keeps the rows
//! that find (or do not find) their value there. The join's notes hold (the index is a
//! snapshot, the materialisation query is capped).
//!
//! The join key is computed on both sides (`kqlport_sq_key`: the value, `TO_LOWER`ed for `in~`,
//! a missing one `""` as KQL reads it, `EVAL`ed before the join and dropped after it; the
//! subquery's value likewise in the materialisation query's `STATS BY`), so missing values
//! match as in KQL (and as SPL's digest of `coalesce(x, "")`).
//!
//! A test inside an `or` or a `not` keeps every row: its lookup index marks the rows whose key
//! it holds (`LOOKUP JOIN` on the same keyed index, its match marker renamed `kqlport_sqN`),
//! and the `WHERE` reads the test as `kqlport_sqN IS [NOT] NULL` (`Cx::subquery_marks`). The
//! index holds distinct keys, so no row is repeated. A number, datetime or bool key is
//! declined (`B032`).
//!
//! `has_any` over a subquery tests each term of the value against the list: it is always a
//! marking test, written in `subquery_terms.rs`, and a top-level one is then filtered on its
//! marker.

use crate::ast::{Command, Expr, Pattern};
use crate::cx::Cx;
use crate::join;
use kqlport::backend::Effect;
use kqlport::ir::{
    Case, Expr as IrExpr, JoinKey, JoinKind, Predicate, PredicateKind, Stage, StageKind, Subquery,
    SubqueryMatch, SubqueryTests,
};
use kqlport::schema::ColumnType;

/// The join key of a test whose value is computed (`in~`, an expression): the value in the
/// query, the subquery's value in the materialisation query.
pub(crate) const KEY: &str = "kqlport_sq_key";

/// A filter holding subquery tests: its other `and` parts as a `WHERE` (after the marking
/// joins of the tests inside them), then one semi or anti `LOOKUP JOIN` per subquery test.
/// `left` gives the left side's columns at this stage.
pub(crate) fn filter(
    cx: &mut Cx,
    p: &Predicate,
    left: &dyn Fn() -> join::LeftColumns,
    out: &mut Vec<Command>,
) {
    let SubqueryTests { tests, rest } = p.subquery_tests();
    // `has_any` tests are marked (each row's terms against the list) and then filtered on.
    let (term_tests, tests): (Vec<_>, Vec<_>) = tests.into_iter().partition(|(t, _)| is_term(t));
    if let Some(rest) = rest {
        let mut markers = Vec::new();
        let mut inner = Vec::new();
        nested_tests(&rest, &mut inner);
        for test in inner {
            let marker = format!("kqlport_sq{}", markers.len() + 1);
            if !mark(cx, test, &marker, Place::Nested, left, out) {
                return;
            }
            cx.subquery_marks.push((test.span, marker.clone()));
            markers.push(Pattern::Name(marker));
        }
        cx.filtering = true;
        let e = cx.pred(&rest, true);
        cx.filtering = false;
        cx.subquery_marks.clear();
        if e != Expr::Bool(true) {
            out.push(Command::Where(e));
        }
        if !markers.is_empty() {
            out.push(Command::Drop(markers));
        }
    }
    for (i, (test, negated)) in term_tests.into_iter().enumerate() {
        let marker = format!("kqlport_sq{}", i + 1);
        if !mark(cx, test, &marker, Place::And(negated), left, out) {
            return;
        }
        let m = Expr::Column(marker.clone());
        out.push(Command::Where(if negated {
            Expr::is_null(m)
        } else {
            Expr::is_not_null(m)
        }));
        out.push(Command::Drop(vec![Pattern::Name(marker)]));
    }
    for (test, negated) in tests {
        let Some((expr, sub, insensitive)) = checked(cx, test) else {
            continue;
        };
        // Every test joins on a key computed on both sides: the value (lower-cased for `in~`,
        // a missing one `""`, as KQL reads it and as SPL's digest of `coalesce(x, "")` does)
        // in the query, the subquery's value likewise in the materialisation query.
        let key: join::KeyFn = if insensitive { folded_key } else { exact_key };
        let value = cx.expr(expr);
        out.push(Command::Eval(vec![(KEY.into(), key(value))]));
        if insensitive {
            let effect = if negated {
                Effect::UnderMatch
            } else {
                Effect::OverMatch
            };
            cx.notes.push(test.span, effect, UNICODE_FOLDING);
        }
        let kind = if negated {
            JoinKind::LeftAnti
        } else {
            JoinKind::LeftSemi
        };
        let on = [JoinKey {
            left: kqlport::ir::Column {
                name: KEY.into(),
                span: expr.span,
            },
            right: sub.column.clone(),
        }];
        let join_stage = join_stage(kind, sub, &on, test);
        let before = cx.preamble.len();
        join::lookup_join_on_key(cx, &join_stage, kind, &sub.query, &on, left(), key, out);
        // The join's own `DROP kqlport_match` drops the key too.
        match out.last_mut() {
            Some(Command::Drop(names)) => names.push(Pattern::Name(KEY.into())),
            _ => out.push(Command::Drop(vec![Pattern::Name(KEY.into())])),
        }
        relabel(cx, before);
    }
}

/// An `extend` whose values test subqueries (`iff(x in (L), …)`): each test marks the rows
/// its list holds first (as a test inside `or`/`not` does), the `EVAL` reads the markers, and
/// they are dropped after it. A test of a column the same `extend` assigns is declined: the
/// marking runs before the `EVAL` that computes it.
pub(crate) fn extend(
    cx: &mut Cx,
    assigns: &[kqlport::ir::Assignment],
    left: &dyn Fn() -> join::LeftColumns,
    out: &mut Vec<Command>,
) {
    struct Tests<'a>(Vec<&'a Predicate>);
    impl<'a> kqlport::ir::visit::Visitor<'a> for Tests<'a> {
        fn visit_predicate(&mut self, p: &'a Predicate) {
            if matches!(p.kind, PredicateKind::InSubquery { .. }) {
                self.0.push(p);
            }
            kqlport::ir::visit::walk_predicate(self, p)
        }
    }
    let mut tests = Tests(Vec::new());
    for a in assigns {
        kqlport::ir::visit::Visitor::visit_expr(&mut tests, &a.expr);
    }
    let assigned: Vec<&str> = assigns.iter().map(|a| a.name.name.as_str()).collect();
    let mut markers = Vec::new();
    for test in tests.0 {
        if let PredicateKind::InSubquery { expr, .. } = &test.kind {
            if let Some(c) = kqlport::ir::visit::expr_columns(expr)
                .into_iter()
                .find(|c| assigned.contains(c))
            {
                cx.errors.push(crate::REFUSAL.subquery(
                    test.span,
                    &format!("the subquery test reads `{c}`, which the same `extend` assigns: ES|QL marks the rows a list holds before the EVAL that computes it; split the `extend`"),
                ));
                return;
            }
        }
        let marker = format!("kqlport_sq{}", markers.len() + 1);
        if !mark(cx, test, &marker, Place::Value, left, out) {
            return;
        }
        cx.subquery_marks.push((test.span, marker.clone()));
        markers.push(Pattern::Name(marker));
    }
    crate::projection::extend(cx, assigns, out);
    cx.subquery_marks.clear();
    if !markers.is_empty() {
        out.push(Command::Drop(markers));
    }
}

/// Where a marked subquery test sits, which says which way a wrong mark moves the result.
#[derive(Clone, Copy)]
pub(crate) enum Place {
    /// A whole `and` part of a filter, negated or not: the rows are then filtered on the mark.
    And(bool),
    /// Inside an `or` or a `not`: a wrong mark can keep or drop a row.
    Nested,
    /// In a computed value (`extend`): a wrong mark changes the value.
    Value,
}

impl Place {
    /// The effects of a list that misses items (an `in` test then fails where KQL's holds).
    pub(crate) fn effects_of_missing_items(self) -> &'static [Effect] {
        match self {
            Place::And(false) => &[Effect::UnderMatch],
            Place::And(true) => &[Effect::OverMatch],
            Place::Nested => &[Effect::OverMatch, Effect::UnderMatch],
            Place::Value => &[Effect::Values],
        }
    }

    /// The effects of a test that can go either way.
    pub(crate) fn effects(self) -> &'static [Effect] {
        match self {
            Place::And(_) | Place::Nested => &[Effect::OverMatch, Effect::UnderMatch],
            Place::Value => &[Effect::Values],
        }
    }

    /// What the test's outcome decides, for a note.
    pub(crate) fn decides(self) -> &'static str {
        match self {
            Place::And(_) => "which rows are kept",
            Place::Nested => "which rows are kept (the test is inside an `or` or a `not`)",
            Place::Value => "the value the `extend` computes",
        }
    }
}

/// The note of an `in~` test on TO_LOWER's folding.
const UNICODE_FOLDING: &str = "`in~` joins on both values lower-cased by TO_LOWER, which folds the case of every letter; KQL folds only ASCII case, so values differing only in the case of a non-ASCII letter match here and not in KQL";

/// The subquery tests inside `p`'s `or`s and `not`s, in order.
fn nested_tests<'a>(p: &'a Predicate, out: &mut Vec<&'a Predicate>) {
    match &p.kind {
        PredicateKind::InSubquery { .. } => out.push(p),
        PredicateKind::And(v) | PredicateKind::Or(v) => {
            for x in v {
                nested_tests(x, out);
            }
        }
        PredicateKind::Not(x) => nested_tests(x, out),
        _ => {}
    }
}

/// The tested value, the subquery and whether the test ignores case, when ES|QL can test it
/// with a join on a string key; else a refusal, and `None`.
fn checked<'a>(cx: &mut Cx, test: &'a Predicate) -> Option<(&'a IrExpr, &'a Subquery, bool)> {
    let PredicateKind::InSubquery {
        expr,
        sub,
        case,
        matching,
        ..
    } = &test.kind
    else {
        return None;
    };
    let texty = |t: Option<ColumnType>| matches!(t, None | Some(ColumnType::String));
    let key_ty = sub.query.facts().output().ty(&sub.column.name);
    if !(texty(cx.cols.infer(expr)) && texty(key_ty)) {
        cx.errors.push(crate::REFUSAL.subquery(
            test.span,
            "ES|QL tests a subquery's values with a semi or anti LOOKUP JOIN on a string key; a number, datetime or bool key would need the lookup field typed as KQL compares it (a long and an int value are equal in KQL), which is not translated yet",
        ));
        return None;
    }
    Some((
        expr,
        sub,
        *case == Case::Insensitive && *matching == SubqueryMatch::Equal,
    ))
}

/// Whether `p` is a `has_any (subquery)` test (its values are terms of the tested value).
fn is_term(p: &Predicate) -> bool {
    matches!(
        &p.kind,
        PredicateKind::InSubquery {
            matching: SubqueryMatch::Term,
            ..
        }
    )
}

/// The join stage a test is translated as (the join translation reads its kind and span).
pub(crate) fn join_stage(
    kind: JoinKind,
    sub: &Subquery,
    on: &[JoinKey],
    test: &Predicate,
) -> Stage {
    Stage {
        kind: StageKind::Join {
            kind,
            right: Box::new(sub.query.clone()),
            on: on.to_vec(),
        },
        span: test.span,
    }
}

/// The materialisation query's header (from `before` in the preamble) names a join; here it is
/// the subquery's list.
pub(crate) fn relabel(cx: &mut Cx, before: usize) {
    if let Some(head) = cx.preamble.get_mut(before) {
        *head = head.replacen(
            "the `join` below reads its right side from",
            "the `in (subquery)` below reads the subquery's values from",
            1,
        );
    }
}

/// A test inside an `or`/`not`: the rows whose key the subquery's keyed index holds get a
/// non-null `marker`. `false` after a refusal.
fn mark(
    cx: &mut Cx,
    test: &Predicate,
    marker: &str,
    place: Place,
    left: &dyn Fn() -> join::LeftColumns,
    out: &mut Vec<Command>,
) -> bool {
    let Some((expr, sub, insensitive)) = checked(cx, test) else {
        return false;
    };
    if is_term(test) {
        return crate::subquery_terms::mark(cx, test, expr, sub, marker, place, left, out);
    }
    let key: join::KeyFn = if insensitive { folded_key } else { exact_key };
    let value = cx.expr(expr);
    out.push(Command::Eval(vec![(KEY.into(), key(value))]));
    if insensitive {
        // Inside `or`/`not`, a wrong match can keep or drop a row; in a value, it changes it.
        for effect in place.effects() {
            cx.notes.push(test.span, *effect, UNICODE_FOLDING);
        }
    }
    if !mark_on_key(cx, test, expr.span, sub, key, marker, place, left(), out) {
        return false;
    }
    out.push(Command::Drop(vec![Pattern::Name(KEY.into())]));
    true
}

/// Marks the rows whose `KEY` field (the caller computed it from the value at `key_span`)
/// the subquery's keyed index holds: a marking LOOKUP JOIN on `KEY`, its materialisation query
/// headed as the subquery's list. `false` after a refusal.
#[allow(clippy::too_many_arguments)]
pub(crate) fn mark_on_key(
    cx: &mut Cx,
    test: &Predicate,
    key_span: kqlport::source::Span,
    sub: &Subquery,
    key: join::KeyFn,
    marker: &str,
    place: Place,
    left: join::LeftColumns,
    out: &mut Vec<Command>,
) -> bool {
    let on = [JoinKey {
        left: kqlport::ir::Column {
            name: KEY.into(),
            span: key_span,
        },
        right: sub.column.clone(),
    }];
    let stage = join_stage(JoinKind::LeftSemi, sub, &on, test);
    let before = cx.preamble.len();
    if !join::lookup_mark(cx, &stage, &sub.query, &on, left, key, marker, place, out) {
        return false;
    }
    relabel(cx, before);
    true
}

/// The key of an `in~` test: the value lower-cased, a missing one `""`.
fn folded_key(value: Expr) -> Expr {
    exact_key(Expr::call("TO_LOWER", vec![value]))
}

/// The key of an `in` test of a computed value: the value, a missing one `""`.
fn exact_key(value: Expr) -> Expr {
    Expr::call("COALESCE", vec![value, Expr::Str(String::new())])
}
