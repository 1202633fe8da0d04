//! Aggregation: `STATS … BY …` for `summarize`, `count` and `distinct`.
//!
//! The aggregates, the group keys, KQL's grouping of missing strings, and `INLINE STATS` for
//! `arg_max`/`arg_min`.

use crate::ast::{self, Agg, Command, Expr, Pattern};
use crate::columns::{columns_read, is_plain_column};
use crate::cx::Cx;
use kqlport::backend::Effect;
use kqlport::codes::EsqlCode;
use kqlport::ir::{self, AggFunc, ExprKind, GroupKeyKind};
use kqlport::source::Span;

/// `summarize` ⇒ `STATS aggregates BY keys` (then a `KEEP` putting the keys first, as KQL
/// does), or the `INLINE STATS` rendering of [`arg_extreme`].
pub(crate) fn summarize(
    cx: &mut Cx,
    by: &[ir::GroupKey],
    aggs: &[ir::Aggregation],
    out: &mut Vec<Command>,
) {
    if aggs.iter().any(|a| picks_row(&a.func)) {
        arg_extreme(cx, by, aggs, out);
        cx.regrouped();
        return;
    }
    let aggs_out: Vec<Agg> = aggs.iter().map(|a| aggregation(cx, a)).collect();
    let by_out: Vec<(String, Option<Expr>)> = by.iter().map(|k| group_key(cx, k, true)).collect();
    let reorder = !aggs_out.is_empty() && !by_out.is_empty();
    let order: Vec<Pattern> = by_out
        .iter()
        .map(|(n, _)| Pattern::Name(n.clone()))
        .chain(aggs_out.iter().map(|a| Pattern::Name(a.name.clone())))
        .collect();
    cx.regrouped();
    out.push(Command::Stats {
        aggs: aggs_out,
        by: by_out,
    });
    if reorder {
        out.push(Command::Keep(order));
    }
}

/// Aggregates over every row so far, added to each row (`toscalar(R | summarize …)` of the
/// rows themselves) ⇒ `INLINE STATS` without `BY`, which keeps every row and adds the
/// aggregates computed over all of them. Lowering passes no aggregate that picks a row.
pub(crate) fn totals(
    cx: &mut Cx,
    aggs: &[ir::Aggregation],
    span: Span,
    sorted_before: bool,
    out: &mut Vec<Command>,
) {
    let aggs_out: Vec<Agg> = aggs.iter().map(|a| aggregation(cx, a)).collect();
    if sorted_before {
        cx.notes.push(
            span,
            Effect::Order,
            "ES|QL's documentation does not say that `INLINE STATS` keeps the rows in the order a \
         `SORT` before it gave them; the rows and values are the same",
        );
    }
    out.push(Command::InlineStats {
        aggs: aggs_out,
        by: Vec::new(),
    });
}

/// `distinct cols` ⇒ `STATS BY cols`.
pub(crate) fn distinct(cx: &mut Cx, cols: &[ir::Column], out: &mut Vec<Command>) {
    for c in cols {
        cx.notes.push(
            c.span,
            Effect::OverMatch,
            format!("if `{}` is a string column, KQL returns rows missing it as \"\", one row with the rows where it is \"\"; ES|QL returns a row with a null `{}` besides the \"\" row", c.name, c.name),
        );
        cx.check_real_column(&c.name, c.span);
    }
    cx.regrouped();
    out.push(Command::Stats {
        aggs: Vec::new(),
        by: cols.iter().map(|c| (c.name.clone(), None)).collect(),
    });
}

/// `count` ⇒ `STATS Count = COUNT(*)`.
pub(crate) fn count(cx: &mut Cx, out: &mut Vec<Command>) {
    cx.regrouped();
    out.push(Command::Stats {
        aggs: vec![Agg {
            name: "Count".into(),
            expr: Expr::CountStar,
            filter: None,
        }],
        by: Vec::new(),
    })
}

/// A `BY` item: the key's name and, unless it is the column of that name, its expression.
/// With `merge_missing`, a key known to be a string is grouped as `COALESCE(k, "")`: KQL
/// reads a missing string as `""` and so puts it in the `""` group, where ES|QL would make a
/// null group of its own.
fn group_key(cx: &mut Cx, k: &ir::GroupKey, merge_missing: bool) -> (String, Option<Expr>) {
    let e = match &k.kind {
        GroupKeyKind::Expr(e) => {
            let span = k.name.span.to(e.span);
            if merge_missing && k.operands == ir::Operands::Strings {
                if is_plain_column(e, &k.name.name) {
                    cx.check_real_column(&k.name.name, e.span);
                }
                let v = match cx.expr(e) {
                    // Already never null (e.g. a `tostring`: `COALESCE(…, "")`).
                    Expr::Call("COALESCE", args) if matches!(args.last(), Some(Expr::Str(s)) if s.is_empty()) => {
                        Expr::Call("COALESCE", args)
                    }
                    v => Expr::call("COALESCE", vec![v, Expr::Str(String::new())]),
                };
                return (k.name.name.clone(), Some(v));
            }
            if k.operands != ir::Operands::NotStrings {
                null_group_note(cx, &k.name.name, span);
            }
            if is_plain_column(e, &k.name.name) && cx.check_real_column(&k.name.name, e.span) {
                None
            } else {
                Some(cx.expr(e))
            }
        }
        GroupKeyKind::Bin { field, size } => {
            let span = k.name.span.to(field.span);
            Some(match size {
                ir::BinSize::Duration(d) => {
                    let s = cx.fixed_span(*d, span);
                    let f = cx.expr(field);
                    Expr::call("DATE_TRUNC", vec![s, f])
                }
                ir::BinSize::Number(n) => {
                    let f = cx.expr(field);
                    let n = cx.literal(&ir::Literal::Real(*n), span);
                    let n = match n {
                        Expr::Dec(d) if d.fract() == 0.0 && d.abs() < 9.0e15 => Expr::Int(d as i64),
                        other => other,
                    };
                    cx.numeric_bin(f, n, span)
                }
            })
        }
    };
    (k.name.name.clone(), e)
}

/// Temporary columns of the `arg_max`/`arg_min` rendering.
const EXTREME: &str = "kqlport_extreme";
pub(crate) const ROW: &str = "kqlport_row";
const BY_VALUE: &str = "kqlport_by";
const BY_KEY: &str = "kqlport_key";

/// `summarize arg_max(t, cols…), other aggregates by k` — the row of each group with the
/// largest `t` (nulls ignored; any row when all are null; ties broken arbitrarily):
///
/// ```text
/// FROM T METADATA _id
/// | INLINE STATS kqlport_extreme = MAX(t), <other aggregates> BY k
/// | WHERE t == kqlport_extreme OR kqlport_extreme IS NULL
/// | INLINE STATS kqlport_row = MIN(_id) BY k
/// | WHERE _id == kqlport_row
/// | KEEP k, t, cols…, <other aggregates>        (arg_max(t, *): DROP temporaries, KEEP k, t, *)
/// ```
///
/// The first two lines keep the rows holding the extreme (every row of a group whose `t` is
/// all null, as KQL then picks any row); the next two keep one of them per group, by document
/// id, so the columns always come from one row. When `_id` is no longer available (after
/// KEEP or STATS), tied rows are all returned: an OverMatch note.
fn arg_extreme(cx: &mut Cx, by: &[ir::GroupKey], aggs: &[ir::Aggregation], out: &mut Vec<Command>) {
    let extremes: Vec<&ir::Aggregation> = aggs.iter().filter(|a| picks_row(&a.func)).collect();
    if let Some(second) = extremes.get(1) {
        cx.decline_help(
            EsqlCode::B006,
            "a second arg_max/arg_min/take_any(*) in the same summarize picks its columns from a different row",
            second.span,
            "split the summarize, or translate by hand",
        );
        return;
    }
    let a = extremes[0];
    let (t, cols, is_max) = match &a.func {
        AggFunc::ArgMax { by, cols } => (by, cols, true),
        AggFunc::ArgMin { by, cols } => (by, cols, false),
        AggFunc::AnyRow => return any_row(cx, by, aggs, a, out),
        _ => return,
    };
    if by.is_empty() {
        kqlport_kit::notes::no_row_from_empty_input(&mut cx.notes, a.span);
    }
    let star = cols.is_empty();
    // Not merged into "" here: a computed key could clash with an input column under `*`.
    let mut by_out: Vec<(String, Option<Expr>)> =
        by.iter().map(|k| group_key(cx, k, false)).collect();
    let mut reads = Vec::new();
    columns_read(t, &mut reads);
    cols.iter().for_each(|c| columns_read(&c.expr, &mut reads));
    let Some(renames) = temporary_keys(
        cx,
        a.span,
        &mut by_out,
        &reads,
        star,
        "arg_max/arg_min(…, *)",
    ) else {
        return;
    };
    let final_name = |n: &str| -> String {
        renames
            .iter()
            .find(|(t, _)| t == n)
            .map_or_else(|| n.to_string(), |(_, f)| f.clone())
    };
    let t_col = if let ExprKind::Field(fp) = &t.kind {
        if fp.is_plain() && !fp.parsed && !cx.spellings.contains_key(&fp.column) {
            Some(fp.column.clone())
        } else {
            None
        }
    } else {
        None
    };
    let t_col = match t_col {
        Some(c) => c,
        None => {
            let e = cx.expr(t);
            out.push(Command::Eval(vec![(BY_VALUE.into(), e)]));
            BY_VALUE.to_string()
        }
    };
    let mut first = vec![Agg {
        name: EXTREME.into(),
        expr: Expr::call(
            if is_max { "MAX" } else { "MIN" },
            vec![Expr::Column(t_col.clone())],
        ),
        filter: None,
    }];
    for other in aggs.iter().filter(|x| !std::ptr::eq(*x, a)) {
        first.push(aggregation(cx, other));
    }
    out.push(Command::InlineStats {
        aggs: first,
        by: by_out.clone(),
    });
    out.push(Command::Where(Expr::or(vec![
        Expr::bin(
            Expr::Column(t_col.clone()),
            ast::BinOp::Eq,
            Expr::Column(EXTREME.into()),
        ),
        Expr::is_null(Expr::Column(EXTREME.into())),
    ])));
    let keys: Vec<(String, Option<Expr>)> = by_out.iter().map(|(n, _)| (n.clone(), None)).collect();
    one_row_per_key(
        cx,
        keys,
        a.span,
        "rows tied on the extreme value are all returned (KQL returns one per group): the document `_id` that would pick one is no longer in the ES|QL pipeline here",
        out,
    );
    // The output columns, in KQL's order: keys, then each aggregate (arg_max expanding to its
    // value and columns).
    arg_columns(cx, a, &t_col, cols, out);
    let mut keep: Vec<Pattern> = by_out
        .iter()
        .map(|(n, _)| Pattern::Name(final_name(n)))
        .collect();
    for x in aggs {
        if std::ptr::eq(x, a) {
            keep.push(Pattern::Name(a.name.name.clone()));
            keep.extend(cols.iter().map(|c| Pattern::Name(c.name.name.clone())));
            if star {
                keep.push(Pattern::Wildcard("*".into()));
            }
        } else {
            keep.push(Pattern::Name(x.name.name.clone()));
        }
    }
    if star {
        let mut drop = vec![Pattern::Name(EXTREME.into())];
        if t_col == BY_VALUE {
            drop.push(Pattern::Name(BY_VALUE.into()));
        }
        if !cx.id_gone {
            drop.push(Pattern::Name(ROW.into()));
            drop.push(Pattern::Name("_id".into()));
        }
        out.push(Command::Drop(drop));
    }
    if !renames.is_empty() {
        out.push(Command::Rename(renames));
    }
    out.push(Command::Keep(keep));
}

/// `summarize take_any(*), other aggregates by k` — every input column but the keys, from one
/// row of each group (any row, as KQL allows):
///
/// ```text
/// FROM T METADATA _id
/// | INLINE STATS <other aggregates> BY k          (when there are others)
/// | INLINE STATS kqlport_row = MIN(_id) BY k
/// | WHERE _id == kqlport_row
/// | DROP kqlport_row, _id
/// | KEEP k, <other aggregates>, *
/// ```
///
/// Declined once `_id` is gone from the pipeline: nothing else tells one row from another.
fn any_row(
    cx: &mut Cx,
    by: &[ir::GroupKey],
    aggs: &[ir::Aggregation],
    a: &ir::Aggregation,
    out: &mut Vec<Command>,
) {
    if cx.id_gone {
        cx.decline_help(
            EsqlCode::B006,
            "take_any(*) keeps one row of each group; ES|QL picks one row only by the document `_id`, which is no longer in the pipeline here (after a KEEP, STATS or join)",
            a.span,
            "take_any(*) before reshaping, or translate by hand",
        );
        return;
    }
    if by.is_empty() {
        kqlport_kit::notes::no_row_from_empty_input(&mut cx.notes, a.span);
    }
    // A key that is its own column is grouped as KQL groups it (a missing string with ""): it
    // is no `*` column, so overwriting it clashes with nothing. A computed key may.
    let own: Vec<bool> = by
        .iter()
        .map(|k| matches!(&k.kind, GroupKeyKind::Expr(e) if is_plain_column(e, &k.name.name)))
        .collect();
    let mut by_out: Vec<(String, Option<Expr>)> = by
        .iter()
        .zip(&own)
        .map(|(k, own)| group_key(cx, k, *own))
        .collect();
    let mut computed: Vec<(String, Option<Expr>)> = by_out
        .iter()
        .zip(&own)
        .map(|((n, e), own)| (n.clone(), if *own { None } else { e.clone() }))
        .collect();
    let Some(renames) = temporary_keys(cx, a.span, &mut computed, &[], true, "take_any(*)") else {
        return;
    };
    for (b, c) in by_out.iter_mut().zip(computed) {
        b.0 = c.0;
    }
    let final_name = |n: &str| -> String {
        renames
            .iter()
            .find(|(t, _)| t == n)
            .map_or_else(|| n.to_string(), |(_, f)| f.clone())
    };
    let others: Vec<&ir::Aggregation> = aggs.iter().filter(|x| !std::ptr::eq(*x, a)).collect();
    if !others.is_empty() {
        cx.notes.push(
            a.span,
            Effect::Values,
            format!(
                "if the rows also have a column named {} (a name the KQL does not fix), KQL keeps the row's value too, under a suffixed name; here the aggregate replaces it",
                others
                    .iter()
                    .map(|o| format!("`{}`", o.name.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    let keys: Vec<(String, Option<Expr>)> = if others.is_empty() {
        by_out.clone()
    } else {
        let first = others.iter().map(|o| aggregation(cx, o)).collect();
        out.push(Command::InlineStats {
            aggs: first,
            by: by_out.clone(),
        });
        by_out.iter().map(|(n, _)| (n.clone(), None)).collect()
    };
    // `_id` is known to be there, so the rows are cut.
    one_row_per_key(cx, keys, a.span, "", out);
    let mut keep: Vec<Pattern> = by_out
        .iter()
        .map(|(n, _)| Pattern::Name(final_name(n)))
        .collect();
    keep.extend(others.iter().map(|o| Pattern::Name(o.name.name.clone())));
    keep.push(Pattern::Wildcard("*".into()));
    out.push(Command::Drop(vec![
        Pattern::Name(ROW.into()),
        Pattern::Name("_id".into()),
    ]));
    if !renames.is_empty() {
        out.push(Command::Rename(renames));
    }
    out.push(Command::Keep(keep));
}

/// An aggregate that keeps one whole row of each group: `arg_max`/`arg_min`, `take_any(*)`.
fn picks_row(f: &AggFunc) -> bool {
    matches!(
        f,
        AggFunc::ArgMax { .. } | AggFunc::ArgMin { .. } | AggFunc::AnyRow
    )
}

/// The keys of an `arg_max`/`arg_min` summarize that must be computed under a temporary name
/// (`kqlport_keyN`), as `(temporary, final)` renames for the end; `None` after a refusal.
/// A computed key would overwrite a column of its name in INLINE STATS while the row is still
/// read (`reads`). With `*`, KQL outputs the key and every input column: a key named like an
/// input column (which only a generated `ColumnN` name is known not to be) would clash, in a
/// way KQL does not document.
fn temporary_keys(
    cx: &mut Cx,
    span: Span,
    by_out: &mut [(String, Option<Expr>)],
    reads: &[String],
    star: bool,
    what: &str,
) -> Option<Vec<(String, String)>> {
    let mut renames: Vec<(String, String)> = Vec::new();
    for (i, (name, e)) in by_out.iter_mut().enumerate() {
        if e.is_none() || !(star || reads.contains(name)) {
            continue;
        }
        if star && !is_generated_name(name) {
            cx.decline(
                EsqlCode::B006,
                format!("{what} grouped by a computed key `{name}` that can clash with an input column of that name; KQL does not document which one it keeps"),
                span,
            );
            return None;
        }
        let temp = format!("{BY_KEY}{i}");
        renames.push((temp.clone(), name.clone()));
        *name = temp;
    }
    Some(renames)
}

/// The `EVAL` of an `arg_max`/`arg_min`'s own columns, once its row is kept: its value (when
/// named other than `t_col`) and each computed column; declined when one reads a column an
/// earlier one overwrites.
fn arg_columns(
    cx: &mut Cx,
    a: &ir::Aggregation,
    t_col: &str,
    cols: &[ir::Assignment],
    out: &mut Vec<Command>,
) {
    let mut evals = Vec::new();
    let mut assigned: Vec<&str> = Vec::new();
    if a.name.name != t_col {
        evals.push((a.name.name.clone(), Expr::Column(t_col.to_string())));
        assigned.push(&a.name.name);
    }
    for c in cols {
        let mut r = Vec::new();
        columns_read(&c.expr, &mut r);
        if let Some(r) = r.iter().find(|r| assigned.contains(&r.as_str())) {
            cx.decline(
                EsqlCode::B009,
                format!("this arg_max column reads `{r}`, which an earlier column of the same arg_max overwrites"),
                c.name.span.to(c.expr.span),
            );
        }
        if !is_plain_column(&c.expr, &c.name.name) {
            evals.push((c.name.name.clone(), cx.expr(&c.expr)));
            assigned.push(&c.name.name);
        }
    }
    if !evals.is_empty() {
        out.push(Command::Eval(evals));
    }
}

/// Keeps one row per key, the one with the smallest document `_id`: `INLINE STATS kqlport_row
/// = MIN(_id) BY keys | WHERE _id == kqlport_row` (`FROM … METADATA _id`). Once `_id` is gone
/// from the pipeline (after KEEP, STATS…), every row is kept and `note` says so (OverMatch).
/// Returns whether the rows were cut (then `kqlport_row` and `_id` are columns).
pub(crate) fn one_row_per_key(
    cx: &mut Cx,
    keys: Vec<(String, Option<Expr>)>,
    span: Span,
    note: &str,
    out: &mut Vec<Command>,
) -> bool {
    if cx.id_gone {
        cx.notes.push(span, Effect::OverMatch, note);
        return false;
    }
    cx.metadata_id = true;
    out.push(Command::InlineStats {
        aggs: vec![Agg {
            name: ROW.into(),
            expr: Expr::call("MIN", vec![Expr::Column("_id".into())]),
            filter: None,
        }],
        by: keys,
    });
    out.push(Command::Where(Expr::bin(
        Expr::Column("_id".into()),
        ast::BinOp::Eq,
        Expr::Column(ROW.into()),
    )));
    true
}

/// A name lowering generated for an unnamed expression (`Column1`, `Column2`, …), which no
/// input column has.
fn is_generated_name(name: &str) -> bool {
    name.strip_prefix("Column")
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// A key that may be a string with missing values: ES|QL groups the missing ones apart from
/// `""`, KQL together, so a KQL group can come out as two rows with the rows (and counts)
/// split between them — an added row, and a KQL row missing — and later filters or `top`
/// then act on the split counts.
fn null_group_note(cx: &mut Cx, name: &str, span: Span) {
    let msg = format!(
        "if `{name}` is a string column, KQL groups rows missing it with the rows where it is \"\" (one row, key \"\"); ES|QL makes the missing ones a null group of their own, so that group can come out as two rows, each with part of the rows and counts (a later filter or `top` acts on those)"
    );
    cx.notes.push(span, Effect::OverMatch, msg.clone());
    cx.notes.push(span, Effect::UnderMatch, msg);
}

fn aggregation(cx: &mut Cx, a: &ir::Aggregation) -> Agg {
    let name = a.name.name.clone();
    let agg = |expr: Expr| Agg {
        name: name.clone(),
        expr,
        filter: None,
    };
    match &a.func {
        AggFunc::Count => agg(Expr::CountStar),
        AggFunc::CountIf(p) => Agg {
            filter: Some(cx.pred(p, true)),
            ..agg(Expr::CountStar)
        },
        AggFunc::DCount(x) | AggFunc::DCountIf(x, _) => {
            cx.notes.push(
                a.span,
                Effect::Values,
                "dcount is an estimate in KQL (HLL) and COUNT_DISTINCT is one in ES|QL (HLL++, exact below 3000 values): the counts can differ",
            );
            let e = Expr::call("COUNT_DISTINCT", vec![collected(cx, x)]);
            let filter = match &a.func {
                AggFunc::DCountIf(_, p) => Some(cx.pred(p, true)),
                _ => None,
            };
            Agg { filter, ..agg(e) }
        }
        AggFunc::MakeSet { expr, max } | AggFunc::MakeList { expr, max } => {
            let msg = if matches!(a.func, AggFunc::MakeSet { .. }) {
                "make_set ⇒ VALUES (technical preview): same distinct values, but a set of one is a single value, not an array"
            } else {
                "make_list ⇒ VALUES: duplicates are removed and a list of one is a single value"
            };
            cx.notes.push(a.span, Effect::Values, msg);
            let arg = match cx.json_text_for_set(expr, a.span) {
                Some(text) => text,
                None => collected(cx, expr),
            };
            let mut e = Expr::call("VALUES", vec![arg]);
            if let Some(m) = max {
                let last = i64::try_from(m.saturating_sub(1)).unwrap_or(i64::MAX);
                e = Expr::call("MV_SLICE", vec![e, Expr::Int(0), Expr::Int(last)]);
            }
            agg(e)
        }
        AggFunc::ArgMax { .. } | AggFunc::ArgMin { .. } | AggFunc::AnyRow => {
            cx.decline_help(
                EsqlCode::B006,
                "arg_max/arg_min (the whole row with the extreme value) has no exact ES|QL form",
                a.span,
                "INLINE STATS m = MAX(t) BY k | WHERE t == m (preview, keeps ties) or LAST(col, t) (preview 9.4) are close; translate by hand",
            );
            agg(Expr::Null)
        }
        AggFunc::Min(x) => agg(Expr::call("MIN", vec![cx.expr(x)])),
        AggFunc::Max(x) => agg(Expr::call("MAX", vec![cx.expr(x)])),
        AggFunc::Sum(x) => agg(Expr::call("SUM", vec![cx.expr(x)])),
        AggFunc::Avg(x) => agg(Expr::call("AVG", vec![cx.expr(x)])),
        AggFunc::TakeAny(x) => agg(Expr::call("MIN", vec![cx.expr(x)])),
        // ES|QL's STD_DEV is the population standard deviation (divided by n); KQL's stdev the
        // sample one (divided by n - 1): scaled by sqrt(n / (n - 1)), n the values counted.
        AggFunc::Stdev(x) => {
            cx.notes.push(
                a.span,
                Effect::Values,
                kqlport_kit::notes::STDEV_OF_ONE_VALUE,
            );
            let v = cx.expr(x);
            let n = || Expr::call("COUNT", vec![v.clone()]);
            let scale = Expr::call(
                "SQRT",
                vec![Expr::bin(
                    n(),
                    ast::BinOp::Div,
                    Expr::bin(n(), ast::BinOp::Sub, Expr::Dec(1.0)),
                )],
            );
            agg(Expr::bin(
                Expr::call("STD_DEV", vec![v.clone()]),
                ast::BinOp::Mul,
                scale,
            ))
        }
        AggFunc::CountDistinct(x) => {
            cx.notes.push(
                a.span,
                Effect::Values,
                "count_distinct is exact in KQL; ES|QL's COUNT_DISTINCT is an HLL++ estimate above its precision threshold (3000 distinct values by default), so large counts can differ",
            );
            agg(Expr::call("COUNT_DISTINCT", vec![collected(cx, x)]))
        }
    }
}

/// The value a collecting or counting aggregate (make_set, make_list, dcount, count_distinct)
/// reads. KQL reads a missing string as `""` and collects (counts) it, while VALUES and
/// COUNT_DISTINCT skip null: a value known to be a KQL string — a column the source table's
/// schema types `string` that the pipeline has not redefined, tolower/toupper of anything, or
/// any value the core's types (`ir::facts`) say is a string (a string is never null in KQL,
/// so where ES|QL has null KQL has `""`) — is read as `COALESCE(x, "")`. (A column standing
/// for a dynamic path is not: its type is the path's.)
fn collected(cx: &mut Cx, x: &ir::Expr) -> Expr {
    use kqlport::schema::ColumnType;
    let is_string = match &x.kind {
        ExprKind::Field(fp) if fp.is_plain() && !fp.parsed => {
            !cx.spellings.contains_key(&fp.column)
                && (cx.stored_type(&fp.column) == Some(ColumnType::String)
                    || cx.cols.infer(x) == Some(ColumnType::String))
        }
        ExprKind::Call { func, .. } => {
            matches!(func, ir::ScalarFn::ToLower | ir::ScalarFn::ToUpper)
                || cx.cols.infer(x) == Some(ColumnType::String)
        }
        _ => cx.cols.infer(x) == Some(ColumnType::String),
    };
    let e = cx.expr(x);
    // Already read as `""` where null (e.g. `tostring(x)`).
    let non_null = matches!(&e, Expr::Call("COALESCE", args) if matches!(args.last(), Some(Expr::Str(s)) if s.is_empty()));
    if is_string && !non_null {
        Expr::call("COALESCE", vec![e, Expr::Str(String::new())])
    } else {
        e
    }
}
