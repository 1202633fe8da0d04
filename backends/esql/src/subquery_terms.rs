//! `x has_any (subquery)` ([`SubqueryMatch::Term`]): whether one of `x`'s terms is an item of
//! a list computed by a query, as a marking `LOOKUP JOIN` on each term.
//!
//! A KQL term is a maximal run of ASCII letters and digits, and `has` of an item that is one
//! such run is true exactly when the item, case-folded, equals one of `x`'s terms (the rule the
//! SPL backend's subsearch follows too). A `LOOKUP JOIN` key that is multivalued matches
//! nothing (Elastic's LOOKUP JOIN reference: "If the field contains multi-valued entries, those
//! entries will not match anything"), so each row's terms are expanded into rows first:
//!
//! ```text
//! | EVAL kqlport_sq_key = MV_DEDUPE(SPLIT(CONCAT("- ", COALESCE(TO_LOWER(REPLACE(COALESCE(x, ""), "[^A-Za-z0-9]+", " ")), "")), " "))
//! | MV_EXPAND kqlport_sq_key
//! | LOOKUP JOIN kqlport_lookup_… ON kqlport_sq_key
//! | RENAME kqlport_match AS kqlport_sq_hit
//! | INLINE STATS kqlport_sqN = MAX(kqlport_sq_hit) BY _id
//! | WHERE kqlport_sq_key == "-"
//! | DROP kqlport_sq_key, kqlport_sq_hit
//! ```
//!
//! Every row's terms hold `-` once (no term has a `-`), so after the expansion exactly one
//! copy of each row has that key: the `WHERE` keeps it, with `kqlport_sqN` true when any copy
//! found its term in the list (`INLINE STATS … BY _id`, the row's document) and null
//! otherwise. The materialisation query keys each item the same way: an item of letters and
//! digits lower-cased, `""` (which KQL's `has` finds in every value) as `-`, and an item
//! holding any other character (a phrase in KQL, which terms cannot test) as null, which
//! matches nothing: it is left out, noted. The document `_id` names a row only until the
//! rows are regrouped, repeated or projected (`Cx::id_gone`): after that the test is declined.
//!
//! [`SubqueryMatch::Term`]: kqlport::ir::SubqueryMatch::Term

use crate::ast::{Agg, Command, Expr, Pattern};
use crate::cx::Cx;
use crate::join;
use crate::subquery::{mark_on_key, Place, KEY};
use kqlport::ir::{Expr as IrExpr, Predicate, Subquery};

/// The key every row's terms hold once, and the key of the list's `""` item.
const EVERY_ROW: &str = "-";
/// The lookup's match marker on each term's row, before it is gathered per row.
const HIT: &str = "kqlport_sq_hit";

/// Marks the rows one of whose terms the list holds (`marker` non-null); `place` says where
/// the test sits. `false` after a refusal.
#[allow(clippy::too_many_arguments)]
pub(crate) fn mark(
    cx: &mut Cx,
    test: &Predicate,
    expr: &IrExpr,
    sub: &Subquery,
    marker: &str,
    place: Place,
    left: &dyn Fn() -> join::LeftColumns,
    out: &mut Vec<Command>,
) -> bool {
    if cx.id_gone {
        cx.errors.push(crate::REFUSAL.subquery(
            test.span,
            "`has_any` over a computed list is tested term by term (one row per term of the value, joined to the list, then gathered back by the row's document `_id`); here the rows were already regrouped, repeated or projected, so `_id` no longer names one row",
        ));
        return false;
    }
    cx.metadata_id = true;
    let value = cx.expr(expr);
    out.push(Command::Eval(vec![(KEY.into(), row_terms(value))]));
    out.push(Command::MvExpand(KEY.into()));
    if !mark_on_key(cx, test, expr.span, sub, item_key, HIT, place, left(), out) {
        return false;
    }
    out.push(Command::InlineStats {
        aggs: vec![Agg {
            name: marker.into(),
            expr: Expr::call("MAX", vec![Expr::Column(HIT.into())]),
            filter: None,
        }],
        by: vec![("_id".into(), None)],
    });
    out.push(Command::Where(Expr::bin(
        Expr::Column(KEY.into()),
        crate::ast::BinOp::Eq,
        Expr::Str(EVERY_ROW.into()),
    )));
    out.push(Command::Drop(vec![
        Pattern::Name(KEY.into()),
        Pattern::Name(HIT.into()),
    ]));
    for effect in place.effects_of_missing_items() {
        cx.notes.push(test.span, *effect, PHRASES);
    }
    true
}

/// The note on the list's items that are not one term.
const PHRASES: &str = "`has_any` over a computed list is tested term by term: the list's items made of ASCII letters and digits only (and \"\") are matched exactly, but an item holding any other character (a phrase in KQL) is left out of the list, as its text cannot be known when translating";

/// A row's terms: `-`, then the value's runs of ASCII letters and digits, lower-cased (a
/// missing value, or one ES|QL cannot read as one string, has no others).
fn row_terms(value: Expr) -> Expr {
    let words = Expr::call(
        "TO_LOWER",
        vec![Expr::call(
            "REPLACE",
            vec![
                Expr::call("COALESCE", vec![value, Expr::Str(String::new())]),
                Expr::Str("[^A-Za-z0-9]+".into()),
                Expr::Str(" ".into()),
            ],
        )],
    );
    let text = Expr::call(
        "CONCAT",
        vec![
            Expr::Str(format!("{EVERY_ROW} ")),
            Expr::call("COALESCE", vec![words, Expr::Str(String::new())]),
        ],
    );
    Expr::call(
        "MV_DEDUPE",
        vec![Expr::call("SPLIT", vec![text, Expr::Str(" ".into())])],
    )
}

/// A list item's key: one term lower-cased, `""` as `-`, anything else null (no row's term).
fn item_key(item: Expr) -> Expr {
    let item = Expr::call("COALESCE", vec![item, Expr::Str(String::new())]);
    Expr::call(
        "CASE",
        vec![
            Expr::bin(
                item.clone(),
                crate::ast::BinOp::Eq,
                Expr::Str(String::new()),
            ),
            Expr::Str(EVERY_ROW.into()),
            Expr::RLike(Box::new(item.clone()), "[A-Za-z0-9]+".into(), false),
            Expr::call("TO_LOWER", vec![item]),
            Expr::Null,
        ],
    )
}
