//! `x in (subquery)` / `x !in (subquery)` ([`PredicateKind::InSubquery`]) as a semi / anti
//! `LOOKUP JOIN`: a filter's `and` part testing a column against a subquery's values is KQL's
//! `join kind=leftsemi` (`in`) or `kind=leftanti` (`!in`) on that column, so it is written by
//! the join translation (`join.rs`): the subquery is the materialisation query of a lookup index
//! holding its distinct values, printed above the query, and the main query keeps the rows
//! that find (or do not find) their value there. The join's notes hold (the index is a
//! snapshot, the materialisation query is capped, a missing key matches nothing).
//!
//! A plain column compared case-sensitively joins on itself. `in~` and a computed value join on
//! a key computed on both sides (`kqlport_sq_key`: the value, `TO_LOWER`ed for `in~`, a missing
//! one `""` as KQL reads it, `EVAL`ed before the join and dropped after it; the subquery's value
//! likewise in the materialisation query's `STATS BY`), which matches missing values as KQL does. A number, datetime or bool key, `has_any` over a subquery and a subquery inside
//! `or`/`not` are declined (`B032`).

use crate::ast::{Command, Expr, Pattern};
use crate::cx::Cx;
use crate::join;
use kqlport::backend::Effect;
use kqlport::ir::{
    Case, ExprKind, JoinKey, JoinKind, Predicate, PredicateKind, Stage, StageKind, SubqueryMatch,
    SubqueryTests,
};
use kqlport::schema::ColumnType;

/// The join key of a test whose value is computed (`in~`, an expression): the value in the
/// query, the subquery's value in the materialisation query.
const KEY: &str = "kqlport_sq_key";

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
        let texty = |t: Option<ColumnType>| matches!(t, None | Some(ColumnType::String));
        let key_ty = sub.query.facts().output().ty(&sub.column.name);
        if !(texty(cx.cols.infer(expr)) && texty(key_ty)) {
            cx.errors.push(crate::REFUSAL.subquery(
                test.span,
                "ES|QL tests a subquery's values with a semi or anti LOOKUP JOIN on a string key; a number, datetime or bool key would need the lookup field typed as KQL compares it (a long and an int value are equal in KQL), which is not translated yet",
            ));
            continue;
        }
        let insensitive = *case == Case::Insensitive;
        // A plain column compared as it is joins on itself; anything else (`in~`, a computed
        // value) joins on a key computed on both sides: the value (lower-cased for `in~`, a
        // missing one `""`, as KQL reads it) in the query, the subquery's value likewise in
        // the materialisation query.
        let key: Option<join::KeyFn> = match &expr.kind {
            ExprKind::Field(f) if f.is_plain() && !insensitive => None,
            _ if insensitive => Some(folded_key),
            _ => Some(exact_key),
        };
        let column = match (key, &expr.kind) {
            (None, ExprKind::Field(f)) => f.column.clone(),
            (Some(key), _) => {
                let value = cx.expr(expr);
                out.push(Command::Eval(vec![(KEY.into(), key(value))]));
                if insensitive {
                    cx.notes.push(
                        test.span,
                        if negated {
                            Effect::UnderMatch
                        } else {
                            Effect::OverMatch
                        },
                        "`in~` joins on both values lower-cased by TO_LOWER, which folds the case of every letter; KQL folds only ASCII case, so values differing only in the case of a non-ASCII letter match here and not in KQL",
                    );
                }
                KEY.to_string()
            }
            (None, _) => unreachable!("a key is computed unless the value is a plain column"),
        };
        let kind = if negated {
            JoinKind::LeftAnti
        } else {
            JoinKind::LeftSemi
        };
        let on = [JoinKey {
            left: kqlport::ir::Column {
                name: column.clone(),
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
        match key {
            None => join::lookup_join(cx, &join_stage, kind, &sub.query, &on, left(), out),
            Some(key) => {
                join::lookup_join_on_key(cx, &join_stage, kind, &sub.query, &on, left(), key, out);
                // The join's own `DROP kqlport_match` drops the key too.
                match out.last_mut() {
                    Some(Command::Drop(names)) => names.push(Pattern::Name(KEY.into())),
                    _ => out.push(Command::Drop(vec![Pattern::Name(KEY.into())])),
                }
            }
        }
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

/// The key of an `in~` test: the value lower-cased, a missing one `""`.
fn folded_key(value: Expr) -> Expr {
    exact_key(Expr::call("TO_LOWER", vec![value]))
}

/// The key of an `in` test of a computed value: the value, a missing one `""`.
fn exact_key(value: Expr) -> Expr {
    Expr::call("COALESCE", vec![value, Expr::Str(String::new())])
}
