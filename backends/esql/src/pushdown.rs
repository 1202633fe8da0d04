//! Which ES|QL filters Elasticsearch runs as Lucene queries ("pushed down" to the index), and
//! the rewrite that makes a translation's leading `WHERE` one of them: the pushable part of
//! each leading filter first, the exact test that is not pushable after it. Never changes
//! which rows a query returns.
//!
//! # Target and sources
//!
//! Elasticsearch 9.2 and later (the version the rest of this backend already needs for `INLINE
//! STATS`). ES|QL's reference pages do not list what is pushed down; these rules come from
//! Elastic's own changes and the planner's `canPushToSource` checks they describe:
//!
//! * a field compared with a constant (`==`, `!=`, `<`, `<=`, `>`, `>=`; `NOW() - 3 hours`
//!   and `TO_DATETIME("…")` fold to constants), `IN` of constants, `IS [NOT] NULL`,
//!   `LIKE`/`RLIKE` on a field, `CIDR_MATCH(field, "…")`, and `AND`/`OR`/`NOT` of these
//!   (the planner's `LucenePushdownPredicates`; `LIKE` pushed since 8.18/9.0,
//!   elastic/elasticsearch#120192);
//! * `STARTS_WITH(field, "…")`, `ENDS_WITH(field, "…")` (8.18/9.0, elastic/elasticsearch#123381);
//! * `TO_LOWER(field) == "lower-case literal"` and `TO_UPPER(field) == "UPPER"` (and `!=`),
//!   rewritten to a case-insensitive term query (8.18/9.0, elastic/elasticsearch#118870; the
//!   rule `ReplaceStringCasingWithInsensitiveEquals` also takes `NOT (… == …)` and `!=`);
//!   not `IN`;
//! * `TO_LOWER(field) LIKE …` / `RLIKE …` (and `TO_UPPER`), pushed as case-insensitive
//!   wildcard and regexp queries (8.19/9.1, elastic/elasticsearch#128393).
//!
//! Not pushed: any other function of a field (`STARTS_WITH(TO_LOWER(f), …)`, `COALESCE`,
//! `TO_STRING`, `LOCATE`, `JSON_EXTRACT`, `CIDR_MATCH(TO_IP(f), …)`), two fields compared, and
//! anything over a column computed by `EVAL`. The `=~` operator is not used: it was disabled
//! before release (elastic/elasticsearch#105611) and is not documented.
//!
//! A pushed filter needs the field to be indexed as `keyword` (the mapping this backend
//! assumes for Sentinel's string columns, see `stored`); on a `text` field without a keyword
//! sub-field Elasticsearch runs the same test without the index. Either way the rows are the
//! same: pushing down is the engine's choice of how to run a filter, never what it means.
//!
//! # The rewrite
//!
//! A `WHERE` that follows only `KEEP`, `DROP`, `EVAL` and other `WHERE`s, and reads no column
//! those `EVAL`s assign, is first moved up to the `WHERE`s straight after `FROM` (`hoist_filters`).
//! Consecutive `WHERE`s straight after `FROM` are the ones Elasticsearch can run as one Lucene
//! query (its optimizer combines them and splits the result by `AND`). For each of them, the
//! conjuncts are sorted into
//!
//! * pushable as written, or after an exact rewrite (`STARTS_WITH(TO_LOWER(f), "v")` ⇒
//!   `TO_LOWER(f) LIKE "v*"`, `ENDS_WITH(TO_LOWER(f), "v")` ⇒ `TO_LOWER(f) LIKE "*v"`, with
//!   `*`, `?` and `\` of `v` escaped; `TO_LOWER(f) IN ("a", "b")` ⇒ `TO_LOWER(f) RLIKE
//!   "(a|b)"`, every punctuation character of the literals escaped, up to
//!   `lucene::MAX_ALTERNATION_CHARS`: the same three-valued result, null on a null or
//!   multivalued field, for every value);
//! * not pushable, but implying a pushable superset (an `OR` whose branches each have one, an
//!   `AND` with a pushable part): the superset goes to the pushable side and the exact test
//!   stays;
//! * neither: stays as it is.
//!
//! and the `WHERE` becomes `WHERE <pushable> | WHERE <rest>`. Splitting an `AND` across two
//! `WHERE`s keeps its rows (a row passes both exactly when it passes the `AND`), and a superset
//! before the exact test removes only rows the exact test removes too: the filter never
//! narrows.

use crate::ast::{BinOp, Command, Expr};
use crate::lucene;

/// Whether Elasticsearch pushes this filter down to Lucene when every column in it is a
/// field of the index (see the module documentation for the rules and their sources).
pub fn pushable(e: &Expr) -> bool {
    match e {
        Expr::Bool(_) => true,
        Expr::And(parts) | Expr::Or(parts) => parts.iter().all(pushable),
        Expr::Not(inner) => pushable(inner),
        Expr::IsNull(x, _) => is_field(x),
        Expr::In(x, values, _) => is_field(x) && values.iter().all(foldable),
        Expr::Like(x, _, _) | Expr::RLike(x, _, _) => is_field(x) || case_changed_field(x),
        Expr::Bin(l, op, r) if is_comparison(*op) => {
            (is_field(l) && foldable(r))
                || (foldable(l) && is_field(r))
                || (matches!(op, BinOp::Eq | BinOp::Ne)
                    && case_changed_field(l)
                    && matches!(**r, Expr::Str(_)))
        }
        Expr::Call("STARTS_WITH" | "ENDS_WITH", args) => {
            matches!(args.as_slice(), [f, Expr::Str(_)] if is_field(f))
        }
        Expr::Call("CIDR_MATCH", args) => match args.split_first() {
            Some((f, blocks)) => {
                is_field(f)
                    && !blocks.is_empty()
                    && blocks.iter().all(|b| matches!(b, Expr::Str(_)))
            }
            None => false,
        },
        _ => false,
    }
}

fn is_field(e: &Expr) -> bool {
    matches!(e, Expr::Column(_))
}

/// `TO_LOWER(field)` or `TO_UPPER(field)`.
fn case_changed_field(e: &Expr) -> bool {
    matches!(e, Expr::Call("TO_LOWER" | "TO_UPPER", args) if matches!(args.as_slice(), [f] if is_field(f)))
}

fn is_comparison(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
    )
}

/// A constant the planner folds before pushing down: literals, `NOW()`, `TO_DATETIME("…")`
/// and arithmetic on them.
fn foldable(e: &Expr) -> bool {
    match e {
        Expr::Str(_)
        | Expr::Int(_)
        | Expr::Dec(_)
        | Expr::Bool(_)
        | Expr::Null
        | Expr::Span(..) => true,
        Expr::Call("NOW", args) => args.is_empty(),
        Expr::Call("TO_DATETIME", args) => matches!(args.as_slice(), [Expr::Str(_)]),
        Expr::Bin(l, op, r) => !is_comparison(*op) && foldable(l) && foldable(r),
        Expr::Neg(x) => foldable(x),
        _ => false,
    }
}

/// An equivalent pushable form of `e` (same value, null included, for every row), if there
/// is one.
fn exact_pushable(e: &Expr) -> Option<Expr> {
    if pushable(e) {
        return Some(e.clone());
    }
    match e {
        Expr::Call(name @ ("STARTS_WITH" | "ENDS_WITH"), args) => match args.as_slice() {
            [subject, Expr::Str(v)] if case_changed_field(subject) => {
                let v = lucene::like_literal(v);
                let pattern = if *name == "STARTS_WITH" {
                    format!("{v}*")
                } else {
                    format!("*{v}")
                };
                Some(Expr::Like(Box::new(subject.clone()), pattern, false))
            }
            _ => None,
        },
        // `IN` is not rewritten to a case-insensitive query; an alternation of the literals
        // under `RLIKE` is, and matches the same whole values (null on null or multivalued).
        Expr::In(subject, values, negated) if case_changed_field(subject) => {
            let literals: Vec<&str> = values
                .iter()
                .map(|v| match v {
                    Expr::Str(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect::<Option<_>>()?;
            let chars: usize = literals.iter().map(|l| l.chars().count()).sum();
            if literals.is_empty() || chars > lucene::MAX_ALTERNATION_CHARS {
                return None;
            }
            // An empty branch (`a|)`) is no Lucene syntax: `()` is its empty string.
            let alternation: Vec<String> = literals
                .iter()
                .map(|l| {
                    if l.is_empty() {
                        "()".to_string()
                    } else {
                        lucene::regex_literal(l)
                    }
                })
                .collect();
            Some(Expr::RLike(
                subject.clone(),
                format!("({})", alternation.join("|")),
                *negated,
            ))
        }
        Expr::And(parts) => parts
            .iter()
            .map(exact_pushable)
            .collect::<Option<Vec<_>>>()
            .map(Expr::And),
        Expr::Or(parts) => parts
            .iter()
            .map(exact_pushable)
            .collect::<Option<Vec<_>>>()
            .map(Expr::Or),
        Expr::Not(inner) => exact_pushable(inner).map(Expr::not),
        _ => None,
    }
}

/// A pushable filter true on every row where `e` is true (a superset), if there is one; `true`
/// in the second place when it is also exact.
fn pushable_superset(e: &Expr) -> Option<(Expr, bool)> {
    if let Some(x) = exact_pushable(e) {
        return Some((x, true));
    }
    match e {
        // Any part of an AND is a superset of it.
        Expr::And(parts) => {
            let found: Vec<(Expr, bool)> = parts.iter().filter_map(pushable_superset).collect();
            if found.is_empty() {
                return None;
            }
            let exact = found.len() == parts.len() && found.iter().all(|(_, x)| *x);
            Some((
                Expr::and(found.into_iter().map(|(s, _)| s).collect()),
                exact,
            ))
        }
        // An OR needs one for every branch.
        Expr::Or(parts) => {
            let found = parts
                .iter()
                .map(pushable_superset)
                .collect::<Option<Vec<_>>>()?;
            let exact = found.iter().all(|(_, x)| *x);
            Some((Expr::or(found.into_iter().map(|(s, _)| s).collect()), exact))
        }
        // A superset of NOT x needs a subset of x: none is attempted.
        _ => None,
    }
}

/// `AND`'s parts, or the expression itself.
fn conjuncts(e: Expr) -> Vec<Expr> {
    match e {
        Expr::And(parts) => parts,
        e => vec![e],
    }
}

/// One leading filter as `(pushable, rest)`: `WHERE pushable | WHERE rest` returns the same
/// rows as `WHERE e`. `None` when nothing in it can be pushed or it is pushable already.
fn split(e: &Expr) -> Option<(Expr, Option<Expr>)> {
    if pushable(e) {
        return None;
    }
    let mut lead = Vec::new();
    let mut rest = Vec::new();
    for c in conjuncts(e.clone()) {
        match pushable_superset(&c) {
            Some((x, true)) => lead.push(x),
            Some((s, false)) => {
                lead.push(s);
                rest.push(c);
            }
            None => rest.push(c),
        }
    }
    let lead = Expr::and(lead);
    if matches!(lead, Expr::Bool(_)) {
        return None;
    }
    let rest = (!rest.is_empty()).then(|| Expr::and(rest));
    Some((lead, rest))
}

/// Moves each `WHERE` that follows only `WHERE`, `KEEP`, `DROP` and `EVAL` commands up to the
/// leading `WHERE`s, unless it reads a column one of those `EVAL`s assigns: a `WHERE` after
/// `KEEP`/`DROP` can only read columns that exist before them, with the same values, so it
/// keeps the same rows before them (Elasticsearch's optimizer makes the same move before
/// pushing filters down). Stops at the first other command (`STATS`, `SORT`, `RENAME`, …).
fn hoist_filters(commands: &mut Vec<Command>) {
    let mut front = 0;
    let mut assigned: Vec<&str> = Vec::new();
    let mut moves: Vec<(usize, usize)> = Vec::new();
    for (i, c) in commands.iter().enumerate() {
        match c {
            Command::Where(e) => {
                let mut read = Vec::new();
                columns_read(e, &mut read);
                if !read.iter().any(|r| assigned.contains(r)) {
                    moves.push((i, front));
                    front += 1;
                }
            }
            Command::Eval(items) => assigned.extend(items.iter().map(|(n, _)| n.as_str())),
            Command::Keep(_) | Command::Drop(_) => {}
            _ => break,
        }
    }
    for (from, to) in moves {
        if from != to {
            let c = commands.remove(from);
            commands.insert(to, c);
        }
    }
}

/// Every column an expression reads.
fn columns_read<'a>(e: &'a Expr, out: &mut Vec<&'a str>) {
    match e {
        Expr::Column(name) => out.push(name),
        Expr::Str(_)
        | Expr::Int(_)
        | Expr::Dec(_)
        | Expr::Bool(_)
        | Expr::Null
        | Expr::Span(..)
        | Expr::CountStar => {}
        Expr::Call(_, args) | Expr::And(args) | Expr::Or(args) => {
            args.iter().for_each(|a| columns_read(a, out))
        }
        Expr::Bin(l, _, r) => {
            columns_read(l, out);
            columns_read(r, out);
        }
        Expr::In(x, values, _) => {
            columns_read(x, out);
            values.iter().for_each(|v| columns_read(v, out));
        }
        Expr::Neg(x)
        | Expr::Not(x)
        | Expr::IsNull(x, _)
        | Expr::Like(x, _, _)
        | Expr::RLike(x, _, _) => columns_read(x, out),
    }
}

/// Rewrites the `WHERE`s straight after `FROM` (after moving up those that can be, see
/// `hoist_filters`) so that each starts with its pushable part (module documentation). Later
/// commands are left alone.
pub(crate) fn lead_with_pushable(commands: &mut Vec<Command>) {
    hoist_filters(commands);
    let mut i = 0;
    while let Some(Command::Where(e)) = commands.get(i) {
        match split(e) {
            Some((lead, Some(rest))) => {
                commands[i] = Command::Where(lead);
                commands.insert(i + 1, Command::Where(rest));
                i += 2;
            }
            Some((lead, None)) => {
                commands[i] = Command::Where(lead);
                i += 1;
            }
            None => i += 1,
        }
    }
}

/// How a translation's leading filters use the index.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LeadingFilter {
    /// The first command after `FROM` is a `WHERE` that is pushable as a whole.
    pub first_where_pushable: bool,
    /// Some pushed part of the leading `WHERE`s tests a field beyond the time window
    /// (a comparison of a field with `NOW()` or a datetime constant).
    pub pushes_field_test: bool,
}

/// Reads the leading `WHERE`s of a translated pipeline.
pub(crate) fn leading_filter(commands: &[Command]) -> LeadingFilter {
    let mut out = LeadingFilter {
        first_where_pushable: matches!(commands.first(), Some(Command::Where(e)) if pushable(e)),
        pushes_field_test: false,
    };
    for c in commands {
        let Command::Where(e) = c else { break };
        // The planner pushes each pushable conjunct on its own.
        if conjuncts(e.clone())
            .iter()
            .any(|c| pushable(c) && !is_time_window(c) && !matches!(c, Expr::Bool(_)))
        {
            out.pushes_field_test = true;
        }
    }
    out
}

/// A field compared with `NOW()`-relative or datetime constants (the look-back window), or an
/// AND of such comparisons.
fn is_time_window(e: &Expr) -> bool {
    fn mentions_time(e: &Expr) -> bool {
        match e {
            Expr::Call("NOW" | "TO_DATETIME", _) => true,
            Expr::Bin(l, _, r) => mentions_time(l) || mentions_time(r),
            _ => false,
        }
    }
    match e {
        Expr::And(parts) => parts.iter().all(is_time_window),
        Expr::Bin(l, op, r) if is_comparison(*op) => mentions_time(l) || mentions_time(r),
        _ => false,
    }
}

#[cfg(test)]
#[path = "tests/pushdown.rs"]
mod tests;
