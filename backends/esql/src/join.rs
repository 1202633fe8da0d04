//! `join` in ES|QL. ES|QL has no join between two searches; its only join, `LOOKUP JOIN <index>
//! ON <field>` (GA 9.1), is a left outer join against an index created with `index.mode:
//! lookup`, one output row per matching lookup document. So the right side is translated on its
//! own — the *materialisation query* — and printed as `//` comment lines above the main query,
//! which joins with the lookup index that must hold that query's rows:
//!
//! ```text
//! // kqlport: … lookup index `kqlport_lookup_<hash of the right-side query>` …
//! //   FROM Right | … | EVAL <left key> = <right key>, kqlport_match = TRUE | LIMIT 10000
//! FROM Left | … | LOOKUP JOIN kqlport_lookup_… ON <left key> | WHERE kqlport_match IS NOT NULL
//! | DROP kqlport_match | …
//! ```
//!
//! | KQL kind | rendering |
//! |---|---|
//! | `inner` | `LOOKUP JOIN` + `WHERE kqlport_match IS NOT NULL` |
//! | `innerunique` (default) | as `inner`, after keeping one left row per key (`INLINE STATS MIN(_id)`) |
//! | `leftouter` | `LOOKUP JOIN` |
//! | `leftsemi` / `leftanti` | the index holds the distinct keys; `WHERE kqlport_match IS [NOT] NULL` |
//! | `rightsemi` / `rightanti` | the mirrored `leftsemi` / `leftanti` (the sides swapped before translating: `ir::Query::right_joins_mirrored`) |
//! | `rightouter`, `fullouter` | declined (`B030`) |
//!
//! A right side that itself joins (or tests a subquery) is a materialisation query with a
//! `LOOKUP JOIN` of its own: the lookup index it reads has its own materialisation query,
//! printed above it, and its header says to refresh that index first.
//!
//! Several key pairs join on the list of left key names (`ON a, b`, recent releases: noted).
//!
//! The lookup document's key is the left key's name (the materialisation query copies the
//! right key into it), so both key columns survive as in KQL; right columns named like a left
//! column are renamed to KQL's `X1` in the materialisation query (LOOKUP JOIN would overwrite).
//! The left columns are the query's own when it fixes them, else the source table's schema's.
//! Always-noted differences: the index is a snapshot (KQL evaluates the right side at each run,
//! with its own `now()`/`ago()`), the materialisation query returns at most 10 000 rows, and a
//! missing key is null, which matches nothing, where KQL matches a missing string key as `""`.

use crate::ast::{Command, Expr, Pattern};
use crate::cx::Cx;
use crate::stats;
use kqlport::backend::Effect;
use kqlport::codes::BackendCode;
use kqlport::ir::{self, JoinKey, JoinKind, Query, Stage};
use kqlport::source::Span;

/// The lookup column that is set on every lookup document: non-null exactly on a match.
const MATCH: &str = "kqlport_match";

pub(crate) fn decline(cx: &mut Cx, stage: &Stage, kind: JoinKind, right: &Query, why: &str) {
    let table = right.table().unwrap_or("a union").to_string();
    // A mirrored join: the KQL's kind, and its left side is the lookup side here.
    let (kind, side) = match mirrored(cx, stage.span) {
        Some(k) => (
            k,
            "the left side (the lookup side once the sides are swapped)",
        ),
        None => (kind, "the right side"),
    };
    cx.errors.push(
        crate::REFUSAL
            .cannot_express(
                BackendCode::B030,
                format_args!("`join kind={}` {why}", kind.kql_name()),
                stage.span,
            )
            .with_secondary(right.span, format!("{side} reads `{table}`"))
            .with_help(
                "ES|QL's only join is `LOOKUP JOIN <index> ON <key>` (GA 9.1): a left outer join \
             against an index created with `index.mode: lookup`; kqlport renders inner, \
             innerunique, leftouter, leftsemi and leftanti joins with it",
            ),
    );
}

/// The KQL kind of the join at `span` when it was written as a right semi/anti join and is
/// translated as the mirrored left one.
fn mirrored(cx: &Cx, span: Span) -> Option<JoinKind> {
    cx.mirrored
        .iter()
        .find(|(s, _)| s.start == span.start && s.end == span.end)
        .map(|(_, k)| *k)
}

/// The lookup index a join reads, and what its rows add to the left ones.
struct Lookup {
    index: String,
    /// The right-side columns the join adds (under the names KQL gives them).
    added: Vec<String>,
    /// The right side's output columns, when its stages fix them.
    right_cols: Option<Vec<String>>,
}

/// The materialisation query: the right side lowered as a pipeline of its own, then shaped
/// into the lookup index's rows (the keys under the left names, clashing right columns renamed
/// as KQL does, a match marker) and printed above the query. `None` after a refusal.
#[allow(clippy::too_many_arguments)]
fn materialise(
    cx: &mut Cx,
    span: Span,
    kind: JoinKind,
    right: &Query,
    fields: &[&JoinKey],
    join_fields: &[String],
    left: &LeftColumns,
    key: Option<KeyFn>,
) -> Option<Lookup> {
    let (_, keep_right) = kind.keeps_columns();
    let saved = cx.take_pipeline();
    let mut rq = crate::query::lower_query(cx, right);
    cx.restore_pipeline(saved);
    let limit = rq.commands.pop().unwrap_or(Command::Limit(crate::MAX_ROWS));
    let right_cols = right.output_columns();
    let mut added: Vec<String> = Vec::new();
    if keep_right {
        // Which left columns a right column can clash with: the exact ones, else the schema's
        // (a Sentinel table has those columns; KQL renames a clashing right column `X1`).
        let clash_left = left.exact.clone().or(left.from_schema.clone());
        let certain_left = clash_left.clone().unwrap_or_else(|| join_fields.to_vec());
        let known_right = right_cols
            .clone()
            .unwrap_or_else(|| fields.iter().map(|k| k.right.name.clone()).collect());
        let names = ir::join_names(&certain_left, &known_right);
        let renames: Vec<(String, String)> =
            names.iter().filter(|(o, n)| o != n).cloned().collect();
        if !renames.is_empty() {
            rq.commands.push(Command::Rename(renames));
        }
        kqlport_kit::notes::join_name_clash(
            &mut cx.notes,
            span,
            clash_left.is_some(),
            &certain_left,
            right_cols.as_deref(),
            "LOOKUP JOIN overwrites the left value with the lookup one",
        );
        let renamed = |r: &str| {
            names
                .iter()
                .find(|(o, _)| o == r)
                .map_or_else(|| r.to_string(), |(_, n)| n.clone())
        };
        let mut evals: Vec<(String, Expr)> = fields
            .iter()
            .map(|k| (k.left.name.clone(), Expr::Column(renamed(&k.right.name))))
            .collect();
        added = names.iter().map(|(_, n)| n.clone()).collect();
        if kind != JoinKind::LeftOuter {
            evals.push((MATCH.into(), Expr::Bool(true)));
        }
        rq.commands.push(Command::Eval(evals));
        if right_cols.is_some() {
            let mut keep: Vec<Pattern> = added.iter().map(|c| Pattern::Name(c.clone())).collect();
            keep.extend(join_fields.iter().map(|f| Pattern::Name(f.clone())));
            if kind != JoinKind::LeftOuter {
                keep.push(Pattern::Name(MATCH.into()));
            }
            rq.commands.push(Command::Keep(keep));
        }
    } else {
        // Semi and anti joins only ask whether a key occurs: the distinct keys.
        rq.commands.push(Command::Stats {
            aggs: Vec::new(),
            by: fields
                .iter()
                .map(|k| {
                    let right = Expr::Column(k.right.name.clone());
                    let e = match key {
                        Some(key) => Some(key(right)),
                        None => (k.left.name != k.right.name).then_some(right),
                    };
                    (k.left.name.clone(), e)
                })
                .collect(),
        });
        rq.commands
            .push(Command::Eval(vec![(MATCH.into(), Expr::Bool(true))]));
    }
    rq.commands.push(limit);
    if !cx.errors.is_empty() {
        return None;
    }
    let right_text = rq.to_string();
    let index = format!("kqlport_lookup_{:08x}", fnv1a(&right_text));
    // A right side that itself joins reads lookup indices whose materialisation queries are
    // printed above this one: they are filled first.
    let after = reads_indices(&rq.commands);
    let (side, typed) = match mirrored(cx, span) {
        Some(k) => (
            format!(
                "the KQL's left side (`join kind={}`, run with the sides swapped)",
                k.kql_name()
            ),
            "in the query below",
        ),
        None => ("its right side".to_string(), "on the left side"),
    };
    cx.preamble.push(format!(
        "kqlport: the `join` below reads {side} from the lookup index `{index}`: create it with `index.mode: lookup`, the join field{} {} typed as {typed}, and fill it with the rows of this ES|QL query{after} (re-run it as often as the rule runs):",
        if join_fields.len() > 1 { "s" } else { "" },
        join_fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
    ));
    for line in right_text.lines() {
        cx.preamble.push(format!("  {line}"));
    }
    Some(Lookup {
        index,
        added,
        right_cols,
    })
}

/// The join fields, one per left key (a left key paired twice joins once), or why the join
/// has no LOOKUP JOIN form.
fn join_keys(kind: JoinKind, on: &[JoinKey]) -> Result<Vec<&JoinKey>, &'static str> {
    match kind {
        JoinKind::Inner
        | JoinKind::InnerUnique
        | JoinKind::LeftOuter
        | JoinKind::LeftSemi
        | JoinKind::LeftAnti => {}
        _ => return Err("(LOOKUP JOIN keeps left rows only)"),
    }
    let mut fields: Vec<&JoinKey> = Vec::new();
    for k in on {
        if let Some(prev) = fields.iter().find(|f| f.left.name == k.left.name) {
            if prev.right.name != k.right.name {
                return Err("with one left key paired with two right keys");
            }
            continue;
        }
        fields.push(k);
    }
    Ok(fields)
}

/// The notes every lookup join gets: the index is a snapshot, the materialisation query is
/// capped, and a missing key matches nothing.
fn join_notes(
    cx: &mut Cx,
    span: Span,
    kind: JoinKind,
    index: &str,
    join_fields: &[String],
    keyed: bool,
) {
    let swapped = mirrored(cx, span).is_some();
    let side = match mirrored(cx, span) {
        Some(k) => format!(
            "the KQL's left side (`join kind={}` runs as `{}` with the sides swapped, since LOOKUP JOIN keeps the rows of the query it runs in)",
            k.kql_name(),
            kind.kql_name()
        ),
        None => "the right side".to_string(),
    };
    let stale = format!(
        "{side} is read from the lookup index `{index}`, which holds the rows of the materialisation query shown above the query as of its last refresh; KQL evaluates {} at every run (with its own now()/ago() windows), so a stale index can add or miss rows",
        if swapped { "that side" } else { "the right side" }
    );
    cx.notes.push(span, Effect::OverMatch, stale.clone());
    cx.notes.push(span, Effect::UnderMatch, stale);
    cx.notes.push(
        span,
        Effect::UnderMatch,
        format!(
            "the materialisation query returns at most {} rows (ES|QL's cap): a larger {} is cut",
            crate::MAX_ROWS,
            if swapped { "left side" } else { "right side" }
        ),
    );
    if keyed {
        // Both sides' keys are computed never null (`lookup_join_on_key`).
        return;
    }
    let null_keys = format!(
        "a missing key ({}, or its {}) is null, which LOOKUP JOIN matches with nothing; KQL reads a missing string key as \"\" and matches it with \"\" on the other side",
        join_fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", "),
        if swapped { "pair on the KQL's left side" } else { "right-side pair" }
    );
    // What that does to the rows: inner and semi joins lose the KQL match (under-match), an
    // anti join keeps the row KQL drops (over-match). A left outer join keeps the left row
    // either way, but with null right-side columns where KQL has the matched row's values, so
    // a later test of a right-side column can keep rows KQL drops or drop rows it keeps.
    let effects: &[Effect] = match kind {
        JoinKind::LeftAnti => &[Effect::OverMatch],
        // The row itself is kept, with null right columns where KQL has the match's values.
        JoinKind::LeftOuter => &[Effect::Values, Effect::OverMatch, Effect::UnderMatch],
        _ => &[Effect::UnderMatch],
    };
    for e in effects {
        let msg = if kind == JoinKind::LeftOuter && *e == Effect::Values {
            format!("{null_keys}: the left row is kept with null right-side columns where KQL gives the matching right row's values")
        } else if kind == JoinKind::LeftOuter {
            format!("{null_keys}: the left row is kept with null right-side columns, so a later filter on one of them can keep rows KQL drops or drop rows it keeps")
        } else {
            null_keys.clone()
        };
        cx.notes.push(span, *e, msg);
    }
}

/// The sentence a materialisation query's instructions add when that query itself reads lookup
/// indices (a `LOOKUP JOIN` among `commands`, whose own queries are printed above it), or
/// nothing.
pub(crate) fn reads_indices(commands: &[Command]) -> String {
    let reads: Vec<String> = commands
        .iter()
        .filter_map(|c| match c {
            Command::LookupJoin { index, .. } => Some(format!("`{index}`")),
            _ => None,
        })
        .collect();
    if reads.is_empty() {
        return String::new();
    }
    format!(
        " (it reads the lookup index{} {}, printed above: refresh {} first)",
        if reads.len() > 1 { "es" } else { "" },
        reads.join(", "),
        if reads.len() > 1 { "them" } else { "it" }
    )
}

/// 32-bit FNV-1a, for a stable lookup index name per materialisation query.
pub(crate) fn fnv1a(text: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// The left side's columns at the join: `exact` when the query fixes them (a `project` …),
/// `from_schema` when the source table's schema lists them ([`crate::stored::schema_columns`]).
pub(crate) struct LeftColumns {
    pub exact: Option<Vec<String>>,
    pub from_schema: Option<Vec<String>>,
}

/// How a semi/anti join's lookup key is computed from the right key's value (the left side
/// computes its own the same way): never null, so a missing value is a key like any other.
pub(crate) type KeyFn = fn(Expr) -> Expr;

pub(crate) fn lookup_join(
    cx: &mut Cx,
    stage: &Stage,
    kind: JoinKind,
    right: &Query,
    on: &[JoinKey],
    left: LeftColumns,
    out: &mut Vec<Command>,
) {
    join_with(cx, stage, kind, right, on, left, None, out);
}

/// A semi or anti join on one key that both sides compute with `key` (the left side's
/// already in the column `on[0].left` when this is called): the materialisation query groups
/// by `key(right key)`. A key never null matches as KQL's string values do, so the null-key
/// note is left out.
#[allow(clippy::too_many_arguments)]
pub(crate) fn lookup_join_on_key(
    cx: &mut Cx,
    stage: &Stage,
    kind: JoinKind,
    right: &Query,
    on: &[JoinKey],
    left: LeftColumns,
    key: KeyFn,
    out: &mut Vec<Command>,
) {
    debug_assert!(matches!(kind, JoinKind::LeftSemi | JoinKind::LeftAnti));
    join_with(cx, stage, kind, right, on, left, Some(key), out);
}

/// A subquery test inside an `or`/`not` (`subquery.rs`): a LOOKUP JOIN on the keyed index of
/// the subquery's distinct values (as [`lookup_join_on_key`]) that keeps every row and leaves
/// `marker` non-null exactly on the rows whose key the index holds. `false` after a refusal.
#[allow(clippy::too_many_arguments)]
pub(crate) fn lookup_mark(
    cx: &mut Cx,
    stage: &Stage,
    right: &Query,
    on: &[JoinKey],
    left: LeftColumns,
    key: KeyFn,
    marker: &str,
    place: crate::subquery::Place,
    out: &mut Vec<Command>,
) -> bool {
    let Some((join_fields, Lookup { index, .. })) =
        keyed_lookup(cx, stage, JoinKind::LeftSemi, right, on, &left, Some(key))
    else {
        return false;
    };
    out.push(Command::LookupJoin {
        index: index.clone(),
        on: join_fields,
    });
    out.push(Command::Rename(vec![(MATCH.into(), marker.into())]));
    // A stale list can turn the test either way; a cut one only misses items.
    let stale = format!(
        "the subquery's values are read from the lookup index `{index}`, which holds the rows of the materialisation query shown above the query as of its last refresh; KQL evaluates the subquery at every run (with its own now()/ago() windows), so a stale index can add or miss rows"
    );
    let cut = match place {
        crate::subquery::Place::Nested => format!(
            "the materialisation query returns at most {} rows (ES|QL's cap): values past it are not in the list, which can keep or drop rows (the test is inside an `or` or a `not`)",
            crate::MAX_ROWS
        ),
        _ => format!(
            "the materialisation query returns at most {} rows (ES|QL's cap): values past it are not in the list, which changes {}",
            crate::MAX_ROWS,
            place.decides()
        ),
    };
    for effect in place.effects() {
        cx.notes.push(stage.span, *effect, stale.clone());
        if place.effects_of_missing_items().contains(effect) {
            cx.notes.push(stage.span, *effect, cut.clone());
        }
    }
    true
}

/// A join's fields (one per left key) and its materialised lookup index, for a LOOKUP JOIN
/// and a marking join alike. `None` after a refusal (declined in `cx`).
fn keyed_lookup(
    cx: &mut Cx,
    stage: &Stage,
    kind: JoinKind,
    right: &Query,
    on: &[JoinKey],
    left: &LeftColumns,
    key: Option<KeyFn>,
) -> Option<(Vec<String>, Lookup)> {
    let fields = match join_keys(kind, on) {
        Ok(fields) => fields,
        Err(why) => {
            decline(cx, stage, kind, right, why);
            return None;
        }
    };
    let join_fields: Vec<String> = fields.iter().map(|k| k.left.name.clone()).collect();
    if join_fields.len() > 1 {
        cx.notes.push(
            stage.span,
            Effect::Values,
            "LOOKUP JOIN on a list of fields needs a recent Elasticsearch (the first LOOKUP JOIN releases take one field); the result is the same where it runs",
        );
    }
    let lookup = materialise(
        cx,
        stage.span,
        kind,
        right,
        &fields,
        &join_fields,
        left,
        key,
    )?;
    Some((join_fields, lookup))
}

#[allow(clippy::too_many_arguments)]
fn join_with(
    cx: &mut Cx,
    stage: &Stage,
    kind: JoinKind,
    right: &Query,
    on: &[JoinKey],
    left: LeftColumns,
    key: Option<KeyFn>,
    out: &mut Vec<Command>,
) {
    let (_, keep_right) = kind.keeps_columns();
    let Some((
        join_fields,
        Lookup {
            index,
            added,
            right_cols,
        },
    )) = keyed_lookup(cx, stage, kind, right, on, &left, key)
    else {
        return;
    };
    let left_cols = left.exact;

    // The left side.
    if kind == JoinKind::InnerUnique {
        let keys = join_fields.iter().map(|f| (f.clone(), None)).collect();
        if stats::one_row_per_key(
            cx,
            keys,
            stage.span,
            "join kind=innerunique keeps one left row per key; the document `_id` that would pick one is no longer in the ES|QL pipeline here, so every left row joins",
            out,
        ) {
            out.push(Command::Drop(vec![
                Pattern::Name(stats::ROW.into()),
                Pattern::Name("_id".into()),
            ]));
        }
    }
    out.push(Command::LookupJoin {
        index: index.clone(),
        on: join_fields.clone(),
    });
    match kind {
        JoinKind::LeftOuter => {}
        JoinKind::LeftAnti => {
            out.push(Command::Where(Expr::is_null(Expr::Column(MATCH.into()))));
            out.push(Command::Drop(vec![Pattern::Name(MATCH.into())]));
        }
        _ => {
            out.push(Command::Where(Expr::is_not_null(Expr::Column(
                MATCH.into(),
            ))));
            out.push(Command::Drop(vec![Pattern::Name(MATCH.into())]));
        }
    }
    // KQL's column order: left columns, then the right ones.
    if keep_right {
        match (&left_cols, &right_cols) {
            (Some(l), Some(_)) => {
                let mut keep: Vec<Pattern> = l.iter().map(|c| Pattern::Name(c.clone())).collect();
                keep.extend(
                    added
                        .iter()
                        .filter(|c| !l.contains(c))
                        .map(|c| Pattern::Name(c.clone())),
                );
                out.push(Command::Keep(keep));
            }
            (None, Some(_)) => {
                let mut keep = vec![Pattern::Wildcard("*".into())];
                keep.extend(
                    added
                        .iter()
                        .filter(|c| !join_fields.contains(c))
                        .map(|c| Pattern::Name(c.clone())),
                );
                out.push(Command::Keep(keep));
            }
            (_, None) => cx.notes.push(
                stage.span,
                Effect::Values,
                "the right side's columns are not known here, so they may come in another order than KQL's (left columns, then right columns)",
            ),
        }
    }

    join_notes(cx, stage.span, kind, &index, &join_fields, key.is_some());

    // The pipeline after the join: right columns may replace same-named state.
    match &right_cols {
        Some(_) if keep_right => {
            for c in &added {
                cx.spellings.remove(c);
            }
        }
        Some(_) => {}
        None => {
            if keep_right {
                cx.spellings.clear();
            }
        }
    }
    if matches!(
        kind,
        JoinKind::Inner | JoinKind::InnerUnique | JoinKind::LeftOuter
    ) {
        // Left rows may repeat: `_id` no longer names one row.
        cx.id_gone = true;
    }
}
