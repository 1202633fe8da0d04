//! `x in (subquery)` / `x !in (subquery)` ([`PredicateKind::InSubquery`]) as a semi / anti
//! `LOOKUP JOIN`: a filter's `and` part testing a column against a subquery's values is KQL's
//! `join kind=leftsemi` (`in`) or `kind=leftanti` (`!in`) on that column, so it is written by
//! the join translation (`join.rs`): the subquery is the materialisation query of a lookup index
//! holding its distinct values, printed above the query, and the main query keeps the rows
//! that find (or do not find) their value there. The join's notes hold (the index is a
//! snapshot, the materialisation query is capped, a missing key matches nothing).
//!
//! Only a plain column compared case-sensitively has that form; `in~`, a computed value and a
//! subquery inside `or`/`not` are declined (`B032`).

use crate::ast::{Command, Expr};
use crate::cx::Cx;
use crate::join;
use kqlport::ir::{
    Case, ExprKind, JoinKey, JoinKind, Predicate, PredicateKind, Stage, StageKind, SubqueryMatch,
    SubqueryTests,
};
use kqlport::schema::ColumnType;

/// A filter holding subquery tests: its other `and` parts as a `WHERE`, then one semi or anti
/// `LOOKUP JOIN` per subquery test. `left` gives the left side's columns at this stage.
pub(crate) fn filter(
    cx: &mut Cx,
    p: &Predicate,
    left: &dyn Fn() -> join::LeftColumns,
    out: &mut Vec<Command>,
) {
    let SubqueryTests { tests, rest } = p.subquery_tests();
    if let Some(rest) = rest {
        if rest.has_subquery() {
            cx.errors.push(crate::REFUSAL.subquery(
                rest.span,
                "ES|QL tests a subquery's values with a LOOKUP JOIN, so only as a whole `where` condition or one of its `and` parts; split the condition so that the `in (subquery)` test stands alone",
            ));
            return;
        }
        cx.filtering = true;
        let e = cx.pred(&rest, true);
        cx.filtering = false;
        if e != Expr::Bool(true) {
            out.push(Command::Where(e));
        }
    }
    for (test, negated) in tests {
        let PredicateKind::InSubquery {
            expr,
            sub,
            case,
            matching,
            ..
        } = &test.kind
        else {
            continue;
        };
        if *matching == SubqueryMatch::Term {
            cx.errors.push(crate::REFUSAL.subquery(
                test.span,
                "ES|QL tests a subquery's values with a LOOKUP JOIN, which matches whole values: `has_any` over a computed list tests terms of the value, which no join key holds",
            ));
            continue;
        }
        let column = match &expr.kind {
            ExprKind::Field(f) if f.is_plain() => Some(f.column.clone()),
            _ => None,
        };
        let texty = |t: Option<ColumnType>| matches!(t, None | Some(ColumnType::String));
        let key_ty = sub.query.facts().output().ty(&sub.column.name);
        let Some(column) = column
            .filter(|_| *case == Case::Sensitive && texty(cx.cols.infer(expr)) && texty(key_ty))
        else {
            cx.errors.push(crate::REFUSAL.subquery(
                test.span,
                "ES|QL tests a subquery's values with a semi or anti LOOKUP JOIN on a column: a string column of the event compared case-sensitively (`in`, `!in`); `in~`, computed values and numbers have no such form",
            ));
            continue;
        };
        let kind = if negated {
            JoinKind::LeftAnti
        } else {
            JoinKind::LeftSemi
        };
        let on = [JoinKey {
            left: kqlport::ir::Column {
                name: column,
                span: expr.span,
            },
            right: sub.column.clone(),
        }];
        let join_stage = Stage {
            kind: StageKind::Join {
                kind,
                right: Box::new(sub.query.clone()),
                on: on.to_vec(),
            },
            span: test.span,
        };
        let before = cx.preamble.len();
        join::lookup_join(cx, &join_stage, kind, &sub.query, &on, left(), out);
        // The materialisation query's header names a join; here it is the subquery's list.
        if let Some(head) = cx.preamble.get_mut(before) {
            *head = head.replacen(
                "the `join` below reads its right side from",
                "the `in (subquery)` below reads the subquery's values from",
                1,
            );
        }
    }
}
