//! `mv-expand` → `MV_EXPAND`. Elasticsearch indexes a JSON array of scalars as one
//! multivalued field, which `MV_EXPAND` turns into one row per value; an array of objects is
//! indexed as separate leaf fields (`X.a`, `X.b`, each multivalued), which no longer say which
//! values belong to one element, and JSON text in a keyword field is never split. So only one
//! plain column of the index (or a copy of one, `extend x = X`), a `split()` result, or a
//! `make_set`/`make_list` result (`STATS c = VALUES(x)`, one row per value) is expanded; what
//! the expanded column holds is read from the core's column facts (`ir::facts`: a copy of a
//! member or of parsed JSON text is refused as that member or text). The differences of an
//! index column are noted:
//!
//! - an empty array is indexed as no value at all, so its row stays (with a null) where KQL
//!   drops it (over-match);
//! - a keyword field's values are read from doc values, sorted and without duplicates, so an
//!   array holding one value twice gives one row where KQL gives two (under-match);
//! - KQL's `limit` (and legacy `mvexpand`'s implicit 128) has no `MV_EXPAND` form: every value
//!   gives a row (over-match).
//!
//! A collected array ([`Collected`]) gives the rows KQL gives when it is a `make_set` of a
//! string (KQL collects a missing one as `""`, so no group's set is empty, and VALUES, like
//! make_set, keeps each value once); otherwise noted: a set that can be empty (`[]`, no row in
//! KQL) is a null VALUES, whose row MV_EXPAND keeps (over-match); make_list's duplicates are
//! one value in VALUES (under-match); a size cap keeps values chosen differently (both ways).
//! Several columns expanded together stay refused: KQL pairs their elements by position,
//! and MV_EXPAND of each in turn gives every combination.

use crate::ast::Command;
use crate::cx::Cx;
use kqlport::backend::Effect;
use kqlport::codes::BackendCode;
use kqlport::ir::facts::{Collected, Shape};
use kqlport::ir::{self, ExprKind};
use kqlport::schema::ColumnType;
use kqlport::source::Span;

pub(crate) fn mv_expand(
    cx: &mut Cx,
    m: &ir::MvExpand,
    span: Span,
    later: &[ir::Stage],
    out: &mut Vec<Command>,
) {
    if m.per_row.is_some() {
        cx.decline(
            BackendCode::B070,
            "mv-apply with `summarize` aggregates each row's elements: ES|QL's MV_EXPAND gives no element position to tell a row's padding from its elements, and an array of objects is indexed as leaf fields that no longer keep each element's key with its value",
            span,
        );
        return;
    }
    let [item] = m.items.as_slice() else {
        cx.decline(
            BackendCode::B070,
            "several columns expanded together: MV_EXPAND takes one column, and expanding each in turn gives every combination of their values instead of KQL's element-by-element pairs",
            span,
        );
        return;
    };
    if let Some(ix) = &m.index {
        cx.decline(
            BackendCode::B070,
            "`with_itemindex`: MV_EXPAND gives no element position (and keyword values come back sorted, not in array order)",
            ix.span,
        );
        return;
    }
    if item.pack.is_some() {
        cx.decline(
            BackendCode::B070,
            "`pack_array(…)` expanded: ES|QL has no array built from values that keeps their order, duplicates and nulls",
            item.expr.span,
        );
        return;
    }
    if item.if_empty.is_some() {
        cx.decline(
            BackendCode::B070,
            "`iff(array_length(A) == 0, dynamic([v]), A)` expanded: Elasticsearch indexes an empty array as no value at all, so ES|QL cannot tell the empty array (which gives v) from a missing one (which gives null)",
            item.expr.span,
        );
        return;
    }
    let ExprKind::Field(expanded) = &item.expr.kind else {
        cx.decline(
            BackendCode::B070,
            "only a column of the index can be expanded: ES|QL has no arrays computed from other values",
            item.expr.span,
        );
        return;
    };
    let name = &item.name.name;
    // Whether a later stage reads properties of the elements (`x.a`, `x[0]`).
    let reads_properties = later.iter().any(|s| {
        let text = s.to_string();
        text.contains(&format!("{name}.")) || text.contains(&format!("{name}["))
    });
    // What the expanded column holds, from the column facts: a copy of a dynamic member or of
    // an index column (`extend x = X`, `x = parse_json(X)`) is expanded as that member or
    // column would be, since `EVAL x = X` is the same multivalue.
    let fact = cx.cols.fact(&expanded.column);
    let fp = match &fact.shape {
        Shape::Member(source)
            if expanded.is_plain() && !expanded.parsed && !fact.origin.is_joined() =>
        {
            source
        }
        _ => expanded,
    };
    let col = fp.column.as_str();
    if fp.parsed {
        let help = if reads_properties {
            format!("ES|QL's JSON_EXTRACT (technical preview, 9.4) reads one path of JSON text, but no path lists an array's elements (no wildcards); and the query reads properties of `{name}`'s elements: even parsed at ingest, an array of objects is indexed as leaf fields ({col}.a, {col}.b …) that no longer keep each element's values together (and ES|QL does not read `nested` fields)")
        } else {
            "ES|QL's JSON_EXTRACT (technical preview, 9.4) reads one path of JSON text, but no path lists an array's elements (no wildcards); parse the text at ingest (the `json` processor) so that the index holds the array as a field".to_string()
        };
        cx.decline_help(
            BackendCode::B070,
            "the value is JSON text parsed by KQL; ES|QL cannot split JSON text into its elements",
            item.expr.span,
            help,
        );
        return;
    }
    if !fp.path.is_empty() {
        cx.decline(
            BackendCode::B070,
            "a member of a dynamic column: an array inside an object is indexed as leaf fields that do not keep its elements together",
            item.expr.span,
        );
        return;
    }
    let collected = match &fact.shape {
        Shape::Multivalue(c)
            if !fact.origin.is_joined() && !cx.lookup_fields.contains(&expanded.column) =>
        {
            Some(c.clone())
        }
        _ => None,
    };
    if let Some(c) = collected {
        if !collected_notes(cx, &c, col, name, item.expr.span) {
            return;
        }
    } else if !cx.split_column(col) {
        if fact.origin.is_joined()
            && matches!(fact.shape, Shape::Multivalue(_) | Shape::Split { .. })
        {
            cx.decline(
                BackendCode::B070,
                format!("`{col}` is an array computed on the join's right side: LOOKUP JOIN reads it from the lookup index filled with the right side's rows, and whether that index holds it as a multivalue depends on how the rows are written there"),
                item.expr.span,
            );
            return;
        }
        if cx.spellings.contains_key(col) || cx.redefined(col) {
            cx.decline(
                BackendCode::B070,
                format!("`{col}` is computed in the pipeline: only a column of the index, a split() result or a make_set/make_list result can be expanded"),
                item.expr.span,
            );
            return;
        }
        match cx.stored_type(col) {
            None | Some(ColumnType::Dynamic) => {}
            Some(t) => {
                cx.decline(
                    BackendCode::B070,
                    format!("`{col}` is a {} column, not an array", t.kql_name()),
                    item.expr.span,
                );
                return;
            }
        }
        if reads_properties {
            cx.decline(
                BackendCode::B070,
                format!("the query reads properties of `{name}`'s elements: an array of objects is indexed as leaf fields ({col}.a, {col}.b …) that no longer keep each element's values together"),
                item.expr.span,
            );
            return;
        }
        cx.notes.push(
            item.expr.span,
            Effect::OverMatch,
            format!("an empty array in `{col}` is indexed as no value: ES|QL keeps its row with a null `{name}`, where KQL's mv-expand drops it"),
        );
        cx.notes.push(
            item.expr.span,
            Effect::UnderMatch,
            "ES|QL reads a keyword field's values sorted and without duplicates: an array holding one value twice gives one row where KQL gives two",
        );
        if cx.stored_type(col).is_none() {
            cx.notes.push(
                item.expr.span,
                Effect::Values,
                format!("if `{col}` holds objects, the index has only its leaf fields and ES|QL rejects the query (no column `{col}`)"),
            );
        }
    }
    if let Some(n) = m.limit {
        cx.notes.push(
            span,
            Effect::OverMatch,
            format!("KQL keeps at most {n} values of each row's array (mv-expand `limit`, or legacy `mvexpand`'s default of 128); MV_EXPAND has no cap and keeps them all"),
        );
    }
    if let Some(t) = item.to {
        if t != ir::ValueType::Dynamic {
            cx.notes.push(
                item.expr.span,
                Effect::Values,
                kqlport_kit::notes::mv_expand_cast(t, "ES|QL keeps the value as the index maps it"),
            );
        }
    }
    let name = item.name.name.clone();
    if name != expanded.column {
        out.push(Command::Eval(vec![(
            name.clone(),
            crate::ast::Expr::Column(expanded.column.clone()),
        )]));
    }
    out.push(Command::MvExpand(name));
    // Each row is repeated per value: `_id` no longer names one row.
    cx.id_gone = true;
}

/// The notes of expanding `col`, a `make_set`/`make_list` result (`STATS col = VALUES(x)`):
/// `MV_EXPAND` gives one row per value VALUES collected, and keeps a row whose VALUES is null
/// (no value in the group) with a null. `false` when it is declined.
fn collected_notes(cx: &mut Cx, c: &Collected, col: &str, name: &str, span: Span) -> bool {
    match c.element {
        Some(ColumnType::Dynamic) => {
            cx.decline(
                BackendCode::B070,
                format!("`{col}` collects dynamic values: ES|QL's VALUES merges the values of each multivalue into one set and has no object values, so its elements are not the arrays and objects KQL collected"),
                span,
            );
            return false;
        }
        None => cx.notes.push(
            span,
            Effect::Values,
            format!("the values `{col}` collects are of a type kqlport does not know: if they are arrays or objects, VALUES merges their values (and has no objects), so the rows are not KQL's elements"),
        ),
        Some(_) => {}
    }
    if !c.never_empty() {
        cx.notes.push(
            span,
            Effect::OverMatch,
            format!("`{col}` is an empty array for a group where every value collected is null: KQL's mv-expand gives that group no row, while VALUES is null there and MV_EXPAND keeps the row with a null `{name}`"),
        );
    }
    if !c.distinct {
        cx.notes.push(
            span,
            Effect::UnderMatch,
            format!("make_list keeps every row's value, VALUES each value once: a value `{col}` collected twice gives one row where KQL's mv-expand gives two"),
        );
    }
    if let Some(n) = c.max {
        let msg = format!("`{col}` keeps {n} of the group's values, which ones KQL does not define, and MV_SLICE keeps the first {n} of VALUES (in no guaranteed order): the rows can be for other values");
        cx.notes.push(span, Effect::OverMatch, msg.clone());
        cx.notes.push(span, Effect::UnderMatch, msg);
    }
    true
}
