//! A union whose legs run different row-wise operators, as ONE ES|QL query:
//! `FROM a, b | WHERE (<row is a's> AND <a's filters>) OR (<row is b's> AND <b's filters>)
//! | EVAL c = CASE(<row is a's>, <a's value>, <b's value>) | <the stages after the union>`.
//!
//! Exact when each row is attributed to exactly one leg:
//! * legs over different indices are told apart by `_index` (`METADATA _index`), the concrete
//!   index a row was read from: the index name itself, or a data stream's backing index
//!   `.ds-<stream>-<date>-<generation>`. A row read through an alias carries its concrete
//!   index's name, which no test can attribute, and Elastic's data stream docs call the backing
//!   index name an implementation detail: an under-match note.
//! * legs over the same indices are told apart by their field-mapping pipeline's `where:`
//!   conditions (the test that selects the table's events), when both test one field for
//!   different values.
//!
//! Each leg's commands (only `WHERE`, `EVAL`, `KEEP`, `DROP`, `RENAME` may appear) are folded
//! into one condition and one value per column over the row's stored fields; a column a leg
//! dropped is null for its rows, as KQL's outer union fills it. A leg that is not row by row,
//! or two legs over one table, go to `union_fork` (a FORK branch per leg), which reuses this
//! module's reading of a leg (`read_leg`), its tests (`leg_tests`) and the stages after the
//! union (`tail_of`, `same_tail`). Anything else is `B031`.

use crate::ast::{self, Command, Expr, Pattern};
use crate::cx::Cx;
use kqlport::backend::{Effect, Notes};
use kqlport::codes::BackendCode;
use kqlport::ir::{self, PredicateKind, Source, StageKind};
use kqlport::source::Span;
use std::collections::{BTreeMap, BTreeSet};

/// A column tested for equality with constants: (column, values).
type Equality = (String, Vec<String>);

/// One leg folded: its test, its filters, and its value for each column it changed.
#[derive(Clone)]
pub(crate) struct Leg {
    pub(crate) table: String,
    /// `_index` LIKE patterns of the leg's indices.
    index: Vec<String>,
    /// The pipeline's `where:` condition, rendered, and its (field, values) when it is one
    /// equality test.
    ident: Option<(Expr, Option<Equality>)>,
    conds: Vec<Expr>,
    /// Column → its value for this leg's rows (`Null`: the leg dropped it).
    vals: BTreeMap<String, Expr>,
    /// The leg's column list, when a `KEEP` fixed it.
    keep: Option<Vec<String>>,
    /// The table's columns, when the schema knows them and no pipeline renamed them.
    stored: Option<Vec<String>>,
    target: Option<ir::TargetSource>,
}

impl Leg {
    fn value(&self, c: &str) -> Expr {
        if let Some(v) = self.vals.get(c) {
            return v.clone();
        }
        let top = c.split('.').next().unwrap_or(c);
        match (&self.keep, &self.stored) {
            (Some(k), _) if !k.iter().any(|n| n == c) => Expr::Null,
            (None, Some(s)) if !s.iter().any(|n| n == c || n == top) => Expr::Null,
            _ => Expr::Column(c.to_string()),
        }
    }

    fn subst(&self, e: &Expr) -> Expr {
        map_columns(e, &|c| self.value(c))
    }
}

/// Replaces every column of `e` by `f(column)`.
fn map_columns(e: &Expr, f: &dyn Fn(&str) -> Expr) -> Expr {
    let b = |x: &Expr| Box::new(map_columns(x, f));
    match e {
        Expr::Column(c) => f(c),
        Expr::Call(n, args) => Expr::Call(n, args.iter().map(|a| map_columns(a, f)).collect()),
        Expr::Bin(l, op, r) => Expr::Bin(b(l), *op, b(r)),
        Expr::Neg(x) => Expr::Neg(b(x)),
        Expr::And(v) => Expr::And(v.iter().map(|a| map_columns(a, f)).collect()),
        Expr::Or(v) => Expr::Or(v.iter().map(|a| map_columns(a, f)).collect()),
        Expr::Not(x) => Expr::Not(b(x)),
        Expr::IsNull(x, n) => Expr::IsNull(b(x), *n),
        Expr::In(x, v, n) => Expr::In(b(x), v.iter().map(|a| map_columns(a, f)).collect(), *n),
        Expr::Like(x, p, n) => Expr::Like(b(x), p.clone(), *n),
        Expr::RLike(x, p, n) => Expr::RLike(b(x), p.clone(), *n),
        other => other.clone(),
    }
}

fn columns_read(e: &Expr, out: &mut BTreeSet<String>) {
    match e {
        Expr::Column(c) => {
            out.insert(c.clone());
        }
        Expr::Call(_, v) | Expr::And(v) | Expr::Or(v) => {
            v.iter().for_each(|x| columns_read(x, out))
        }
        Expr::Bin(l, _, r) => {
            columns_read(l, out);
            columns_read(r, out);
        }
        Expr::Neg(x)
        | Expr::Not(x)
        | Expr::IsNull(x, _)
        | Expr::Like(x, ..)
        | Expr::RLike(x, ..) => columns_read(x, out),
        Expr::In(x, v, _) => {
            columns_read(x, out);
            v.iter().for_each(|y| columns_read(y, out));
        }
        _ => {}
    }
}

/// A leg read on its own: its field-mapping pipeline's `where:` condition split off (the
/// leg's test), the rest of its stages lowered as a one-table query.
pub(crate) struct ReadLeg<'q> {
    pub(crate) leg: Leg,
    /// The ES|QL of the stages after the `where:` condition.
    pub(crate) commands: Vec<Command>,
    /// The translator state after those commands (their notes, `METADATA _id`, preamble).
    pub(crate) cx: Cx,
    /// The notes of the `where:` condition.
    pub(crate) ident_notes: Notes,
    /// The leg's source, at the union's span, and its stages after the `where:` condition.
    pub(crate) source: Source,
    pub(crate) stages: &'q [ir::Stage],
}

/// `leg` read on its own; `None` after a refusal (in `cx`).
pub(crate) fn read_leg<'q>(
    cx: &mut Cx,
    query: &ir::Query,
    leg: &'q ir::Query,
) -> Option<ReadLeg<'q>> {
    let table = leg.table().unwrap_or_default().to_string();
    // The pipeline's `where:` condition is the leg's first stage, at the source's span.
    let mut stages = leg.stages.as_slice();
    let mut ident_pred = None;
    if leg.source.target.is_some() {
        if let Some((first, rest)) = stages.split_first() {
            if let (StageKind::Filter(p), true) = (&first.kind, first.span == leg.source.span) {
                ident_pred = Some(p);
                stages = rest;
            }
        }
    }
    let source = Source {
        span: query.source.span,
        ..leg.source.clone()
    };
    let own = ir::Query {
        source: source.clone(),
        stages: stages.to_vec(),
        span: query.span,
    };
    let mut c = Cx::default();
    let q = crate::query::lower_commands(&mut c, &own);
    // Read from the stored fields, before any of the leg's own stages.
    let mut ci = Cx {
        table: table.clone(),
        target: leg.source.target.clone(),
        filtering: true,
        ..Cx::default()
    };
    let ident = ident_pred.map(|p| (ci.pred(p, true), equality(p)));
    if !c.errors.is_empty() || !ci.errors.is_empty() {
        cx.errors.extend(c.errors);
        cx.errors.extend(ci.errors);
        return None;
    }
    let index: Vec<String> = q.index.split(',').map(|p| p.trim().to_string()).collect();
    let leg_read = Leg {
        table: table.clone(),
        index,
        ident,
        conds: Vec::new(),
        vals: BTreeMap::new(),
        keep: None,
        stored: match &leg.source.target {
            None => crate::stored::schema_columns(&table, None),
            Some(_) => None,
        },
        target: leg.source.target.clone(),
    };
    Some(ReadLeg {
        leg: leg_read,
        commands: q.commands,
        cx: c,
        ident_notes: ci.notes,
        source,
        stages,
    })
}

/// The ES|QL of the stages after the union, lowered after this leg's own (with the translator
/// state after them); `None` after a refusal.
pub(crate) fn tail_of(cx: &mut Cx, query: &ir::Query, r: &ReadLeg) -> Option<(Cx, Vec<Command>)> {
    let whole = ir::Query {
        source: r.source.clone(),
        stages: r.stages.iter().chain(&query.stages).cloned().collect(),
        span: query.span,
    };
    let mut c2 = Cx::default();
    let full = crate::query::lower_commands(&mut c2, &whole);
    if !c2.errors.is_empty() {
        cx.errors.extend(c2.errors);
        return None;
    }
    let Some(after) = full.commands.strip_prefix(r.commands.as_slice()) else {
        decline(
            cx,
            query.source.span,
            format!(
                "the operators after it need the `{}` leg's commands in another form",
                r.leg.table
            ),
        );
        return None;
    };
    Some((c2, after.to_vec()))
}

/// Keeps the first leg's tail (`tail`), or checks that this leg's (`next`) is the same ES|QL
/// (its notes then join `notes`); `false` after a refusal.
pub(crate) fn same_tail(
    cx: &mut Cx,
    query: &ir::Query,
    tail: &mut Option<(Cx, Vec<Command>)>,
    next: (Cx, Vec<Command>),
    tables: (&str, &str),
    notes: &mut Vec<Notes>,
) -> bool {
    match tail {
        None => *tail = Some(next),
        Some((_, t)) if *t == next.1 => notes.push(next.0.notes),
        Some(_) => {
            decline(
                cx,
                query.source.span,
                format!("the operators after it need different ES|QL for `{}` and `{}` (their columns are stored differently)", tables.0, tables.1),
            );
            return false;
        }
    }
    true
}

/// Legs that are not row by row, or two legs over one table, run as FORK branches.
fn needs_fork(u: &ir::Union) -> bool {
    let tables = u.tables();
    u.legs
        .iter()
        .any(|l| l.stages.iter().any(|s| !s.kind.is_row_wise()))
        || tables
            .iter()
            .enumerate()
            .any(|(i, t)| tables[i + 1..].contains(t))
}

/// `None` after a refusal (in `cx`).
pub(crate) fn lower(cx: &mut Cx, query: &ir::Query, u: &ir::Union) -> Option<ast::Query> {
    let tables = u.tables();
    let mut lists: Vec<&[ir::Stage]> = u.legs.iter().map(|l| l.stages.as_slice()).collect();
    lists.push(&query.stages);
    if let Some(why) = crate::union::union_type(&tables, &lists) {
        decline(cx, query.source.span, why);
        return None;
    }
    // A stage that is not row-wise cannot be folded into a condition and values.
    if needs_fork(u) {
        return crate::union_fork::lower(cx, query, u);
    }
    let mut legs = Vec::new();
    let mut tail: Option<(Cx, Vec<Command>)> = None;
    let mut leg_notes = Vec::new();
    let mut metadata_id = false;
    for leg in &u.legs {
        let mut r = read_leg(cx, query, leg)?;
        leg_notes.push(std::mem::take(&mut r.ident_notes));
        let mut l = r.leg.clone();
        if let Err(why) = fold(&mut l, &r.commands) {
            decline(cx, leg.source.span, format!("the `{}` leg: {why}", l.table));
            return None;
        }
        // The stages after the union, lowered after this leg's own: they must come out alike
        // for every leg (a column stored differently in two tables would need different ES|QL).
        let (c2, after) = tail_of(cx, query, &r)?;
        leg_notes.push(r.cx.notes);
        metadata_id |= c2.metadata_id;
        let first = legs
            .first()
            .map_or("", |l: &Leg| l.table.as_str())
            .to_string();
        if !same_tail(
            cx,
            query,
            &mut tail,
            (c2, after),
            (&first, &l.table),
            &mut leg_notes,
        ) {
            return None;
        }
        legs.push(l);
    }
    let (tail_cx, tail) = tail?;
    let tests = leg_tests(cx, query.source.span, &legs, false)?;

    // WHERE (test₁ AND filters₁) OR …
    let mut commands = vec![Command::Where(Expr::or(
        legs.iter()
            .zip(&tests)
            .map(|(l, t)| Expr::and(std::iter::once(t.clone()).chain(l.conds.clone()).collect()))
            .collect(),
    ))];
    // One CASE per column some leg changed (or withsource), read from the stored fields: an
    // assignment comes before any other that reads the column it overwrites.
    // Columns a leg dropped are null for its rows wherever the stages after the union read
    // them, or another leg keeps them.
    let mut names: BTreeSet<String> = legs.iter().flat_map(|l| l.vals.keys().cloned()).collect();
    for l in &legs {
        names.extend(l.keep.iter().flatten().cloned());
    }
    names.extend(tail_reads(&tail));
    let mut assigns: Vec<(String, Expr)> = Vec::new();
    for n in &names {
        let mut vals: Vec<Expr> = legs.iter().map(|l| l.value(n)).collect();
        // A string column a leg lacks reads as "" in KQL (a string is never null): "" when
        // every leg's value is known to be a string.
        let string = |l: &Leg, v: &Expr| match v {
            Expr::Str(_) => true,
            Expr::Column(c) => {
                ir::stored_column_type(&l.table, l.target.as_ref(), c)
                    == Some(kqlport::schema::ColumnType::String)
            }
            _ => false,
        };
        let typed: Vec<bool> = legs.iter().zip(&vals).map(|(l, v)| string(l, v)).collect();
        if typed.iter().any(|t| *t) && vals.iter().zip(&typed).all(|(v, t)| *t || *v == Expr::Null)
        {
            for v in &mut vals {
                if *v == Expr::Null {
                    *v = Expr::Str(String::new());
                }
            }
        }
        if vals.iter().all(|v| *v == Expr::Column(n.clone())) {
            continue;
        }
        let v = if vals.iter().all(|v| *v == vals[0]) {
            vals[0].clone()
        } else {
            case(&tests, vals)
        };
        assigns.push((n.clone(), v));
    }
    if let Some(c) = &u.withsource {
        let vals = legs.iter().map(|l| Expr::Str(l.table.clone())).collect();
        assigns.retain(|(n, _)| *n != c.name);
        assigns.push((c.name.clone(), case(&tests, vals)));
    }
    let Some(assigns) = order(assigns, &tests) else {
        decline(
            cx,
            query.source.span,
            "the legs' assignments overwrite each other's inputs in a cycle".to_string(),
        );
        return None;
    };
    if !assigns.is_empty() {
        commands.push(Command::Eval(assigns));
    }
    // The union's columns: every leg's, when each leg fixed its list.
    if legs.iter().all(|l| l.keep.is_some()) {
        let mut cols: Vec<String> = u.withsource.iter().map(|c| c.name.clone()).collect();
        for l in &legs {
            for k in l.keep.iter().flatten() {
                if !cols.contains(k) {
                    cols.push(k.clone());
                }
            }
        }
        commands.push(Command::Keep(cols.into_iter().map(Pattern::Name).collect()));
    }
    let mixed = legs.iter().any(|l| l.keep.is_some()) && legs.iter().any(|l| l.keep.is_none());
    if mixed
        && !tail
            .iter()
            .any(|c| matches!(c, Command::Keep(_) | Command::Stats { .. }))
    {
        cx.notes.push(
            query.source.span,
            Effect::Values,
            "a leg that projects its columns still shows, in ES|QL's output, the other fields of its index that another leg keeps, where KQL has null",
        );
    }
    commands.extend(tail);

    // Notes: the first leg's tail state, every leg's notes, the outer ones.
    cx.adopt(tail_cx, leg_notes);

    Some(union_query(
        cx,
        &legs,
        query.source.span,
        metadata_id,
        commands,
    ))
}

/// The query of a union whose legs are told apart (a test per leg, or FORK branches): one
/// `FROM` over every leg's indices, with `METADATA _index` (and its note) when a leg is told by
/// it, and the query's closing `LIMIT`.
pub(crate) fn union_query(
    cx: &mut Cx,
    legs: &[Leg],
    span: Span,
    metadata_id: bool,
    mut commands: Vec<Command>,
) -> ast::Query {
    let (indices, by_index) = indices(legs);
    if by_index {
        cx.notes.push(span, Effect::UnderMatch, BY_INDEX);
    }
    crate::query::finish(&mut commands);
    ast::Query {
        index: indices,
        metadata_id: metadata_id || cx.metadata_id,
        metadata_index: by_index,
        commands,
    }
}

/// The columns the stages after the union read before they assign them, up to the first
/// `STATS` or `KEEP` (after which no input column is read).
pub(crate) fn tail_reads(tail: &[Command]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut assigned = BTreeSet::new();
    for c in tail {
        let mut read = BTreeSet::new();
        command_columns(c, &mut read);
        names.extend(read.into_iter().filter(|n| !assigned.contains(n)));
        match c {
            Command::Eval(a) => assigned.extend(a.iter().map(|(n, _)| n.clone())),
            Command::Rename(p) => assigned.extend(p.iter().map(|(_, n)| n.clone())),
            // GROK sets the columns its named groups capture (`(?<name>…)`).
            Command::Grok { pattern, .. } => assigned.extend(
                pattern
                    .split("(?<")
                    .skip(1)
                    .filter_map(|s| s.split_once('>').map(|(n, _)| n.to_string())),
            ),
            Command::Stats { .. } | Command::Keep(_) => break,
            _ => {}
        }
    }
    names
}

/// The `FROM` of the legs' indices, and whether the legs read different indices (told apart
/// by `_index`).
fn indices(legs: &[Leg]) -> (String, bool) {
    let mut indices: Vec<String> = Vec::new();
    for l in legs {
        for i in &l.index {
            if !indices.contains(i) {
                indices.push(i.clone());
            }
        }
    }
    (
        indices.join(", "),
        legs.iter().any(|l| l.index != legs[0].index),
    )
}

/// The note on telling legs over different indices apart by `_index`.
const BY_INDEX: &str = "each row is given to its leg by `_index`, the concrete index it was read from, tested as the index's own name or a data stream's backing index `.ds-<stream>-…`: a row read through an alias carries another index's name, and Elastic calls the backing index name an implementation detail (a searchable snapshot's is `partial-.ds-…`), so such rows are left out";

/// `CASE(test₁, v₁, …, vₙ)`: the last leg is the rest, since every row left is some leg's.
fn case(tests: &[Expr], vals: Vec<Expr>) -> Expr {
    let n = vals.len();
    let mut args = Vec::new();
    for (i, v) in vals.into_iter().enumerate() {
        if i + 1 < n {
            args.push(tests[i].clone());
        }
        args.push(v);
    }
    Expr::call("CASE", args)
}

/// The assignments in an order where none overwrites a column a later one (or a leg test)
/// still reads; `None` on a cycle.
fn order(mut pending: Vec<(String, Expr)>, tests: &[Expr]) -> Option<Vec<(String, Expr)>> {
    let mut test_cols = BTreeSet::new();
    tests.iter().for_each(|t| columns_read(t, &mut test_cols));
    // A leg test reads a column some leg assigns: a later CASE would read the new value.
    if pending.iter().any(|(n, _)| test_cols.contains(n)) {
        return None;
    }
    let mut out = Vec::new();
    while !pending.is_empty() {
        let i = (0..pending.len()).find(|&i| {
            let n = &pending[i].0;
            pending.iter().enumerate().all(|(j, (_, e))| {
                if j == i {
                    return true;
                }
                let mut r = BTreeSet::new();
                columns_read(e, &mut r);
                !r.contains(n)
            })
        })?;
        out.push(pending.remove(i));
    }
    Some(out)
}

/// A predicate that is one case-sensitive equality of a column with constants: (column, values).
fn equality(p: &ir::Predicate) -> Option<Equality> {
    let PredicateKind::StrMatch(m) = &p.kind else {
        return None;
    };
    let ir::ExprKind::Field(f) = &m.field.kind else {
        return None;
    };
    (m.kind == ir::MatchKind::Equals && m.case == ir::Case::Sensitive && !m.negated)
        .then(|| (f.to_string(), m.values.clone()))
}

/// Each leg's test (true only for its own rows), or `None` after a refusal: legs over
/// different indices by `_index`, legs over the same indices by their pipeline conditions.
/// `branches`: each leg runs in its own FORK branch over every row, so two legs over one
/// table both read all its rows and need no test between them.
pub(crate) fn leg_tests(
    cx: &mut Cx,
    span: Span,
    legs: &[Leg],
    branches: bool,
) -> Option<Vec<Expr>> {
    let by_index = legs.iter().any(|l| l.index != legs[0].index);
    for (i, a) in legs.iter().enumerate() {
        if a.index
            .iter()
            .any(|p| !p.trim_end_matches('*').chars().all(|c| c != '*'))
        {
            decline(cx, span, format!("`{}` reads an index pattern with an inner wildcard, which kqlport cannot tell apart from another leg's", a.table));
            return None;
        }
        for b in &legs[i + 1..] {
            if a.index == b.index {
                let told_apart = match (&a.ident, &b.ident) {
                    (Some((_, Some((fa, va)))), Some((_, Some((fb, vb))))) => {
                        fa == fb && va.iter().all(|v| !vb.contains(v))
                    }
                    _ => false,
                };
                if !told_apart && a.table == b.table && branches {
                    continue;
                }
                if !told_apart && a.table == b.table {
                    // A lookup leg has no table: its index names it.
                    let read = if a.table.is_empty() {
                        a.index.join(",")
                    } else {
                        a.table.clone()
                    };
                    decline(cx, span, format!("two legs read `{read}`: KQL returns a row twice when both legs keep it, one `FROM` returns it once"));
                    return None;
                }
                if !told_apart {
                    decline(cx, span, format!("`{}` and `{}` read the same indices and nothing tells their rows apart (ES|QL would run both legs' operators on every row)", a.table, b.table));
                    return None;
                }
            } else if !disjoint(&a.index, &b.index) {
                decline(cx, span, format!("the indices of `{}` and `{}` overlap, so `_index` cannot tell their rows apart", a.table, b.table));
                return None;
            }
        }
    }
    Some(
        legs.iter()
            .map(|l| {
                let mut parts = Vec::new();
                if by_index {
                    parts.push(index_test(&l.index));
                }
                if let Some((e, _)) = &l.ident {
                    parts.push(e.clone());
                }
                Expr::and(parts)
            })
            .collect(),
    )
}

/// The `_index` LIKE patterns of an index or pattern: itself, and its data streams' backing
/// indices (`.ds-<stream>-<yyyy.MM.dd>-<generation>`).
fn like_patterns(index: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for p in index {
        out.push(p.clone());
        if p.ends_with('*') {
            out.push(format!(".ds-{p}"));
        } else {
            out.push(format!(".ds-{p}-*"));
        }
    }
    out
}

fn index_test(index: &[String]) -> Expr {
    let col = || Box::new(Expr::Column("_index".into()));
    Expr::or(
        like_patterns(index)
            .into_iter()
            .map(|p| {
                if p.contains('*') {
                    Expr::Like(col(), p, false)
                } else {
                    Expr::bin(Expr::Column("_index".into()), ast::BinOp::Eq, Expr::Str(p))
                }
            })
            .collect(),
    )
}

/// No name matches a pattern of both lists (patterns with `*` only at the end).
fn disjoint(a: &[String], b: &[String]) -> bool {
    let (pa, pb) = (like_patterns(a), like_patterns(b));
    pa.iter().all(|x| {
        pb.iter().all(|y| {
            let (xs, xw) = (x.trim_end_matches('*'), x.ends_with('*'));
            let (ys, yw) = (y.trim_end_matches('*'), y.ends_with('*'));
            match (xw, yw) {
                (false, false) => xs != ys,
                (true, false) => !ys.starts_with(xs),
                (false, true) => !xs.starts_with(ys),
                (true, true) => !xs.starts_with(ys) && !ys.starts_with(xs),
            }
        })
    })
}

/// Folds a leg's commands into its conditions and column values.
fn fold(l: &mut Leg, commands: &[Command]) -> Result<(), String> {
    for cmd in commands {
        match cmd {
            Command::Where(e) => {
                let e = l.subst(e);
                l.conds.push(e);
            }
            Command::Eval(assigns) => {
                for (n, e) in assigns {
                    let v = l.subst(e);
                    l.vals.insert(n.clone(), v);
                    if let Some(k) = &mut l.keep {
                        if !k.contains(n) {
                            k.push(n.clone());
                        }
                    }
                }
            }
            Command::Keep(ps) => {
                let names = plain(ps)?;
                let mut kept = Vec::new();
                for n in names {
                    if !kept.contains(&n) {
                        kept.push(n);
                    }
                }
                for n in l.vals.keys().cloned().collect::<Vec<_>>() {
                    if !kept.contains(&n) {
                        l.vals.insert(n, Expr::Null);
                    }
                }
                if let Some(k) = &l.keep {
                    for n in k.clone() {
                        if !kept.contains(&n) {
                            l.vals.insert(n, Expr::Null);
                        }
                    }
                }
                l.keep = Some(kept);
            }
            Command::Drop(ps) => {
                for n in plain(ps)? {
                    l.vals.insert(n.clone(), Expr::Null);
                    if let Some(k) = &mut l.keep {
                        k.retain(|x| *x != n);
                    }
                }
            }
            Command::Rename(pairs) => {
                for (old, new) in pairs {
                    let v = l.value(old);
                    l.vals.insert(new.clone(), v);
                    l.vals.insert(old.clone(), Expr::Null);
                    if let Some(k) = &mut l.keep {
                        k.retain(|x| x != new);
                        if let Some(p) = k.iter().position(|x| x == old) {
                            k[p] = new.clone();
                        }
                    }
                }
            }
            other => {
                return Err(format!(
                    "its ES|QL has `{}`, which does not fold into a test per row",
                    command_name(other)
                ))
            }
        }
    }
    Ok(())
}

/// The columns a command reads or names.
fn command_columns(c: &Command, out: &mut BTreeSet<String>) {
    let pats = |ps: &[Pattern], out: &mut BTreeSet<String>| {
        for p in ps {
            if let Pattern::Name(n) = p {
                out.insert(n.clone());
            }
        }
    };
    match c {
        Command::Where(e) => columns_read(e, out),
        Command::Eval(a) => a.iter().for_each(|(_, e)| columns_read(e, out)),
        Command::Stats { aggs, by } | Command::InlineStats { aggs, by } => {
            for a in aggs {
                columns_read(&a.expr, out);
                if let Some(f) = &a.filter {
                    columns_read(f, out);
                }
            }
            for (n, e) in by {
                match e {
                    Some(e) => columns_read(e, out),
                    None => {
                        out.insert(n.clone());
                    }
                }
            }
        }
        Command::Keep(ps) | Command::Drop(ps) => pats(ps, out),
        Command::Rename(pairs) => pairs.iter().for_each(|(o, _)| {
            out.insert(o.clone());
        }),
        Command::Sort(keys) => keys.iter().for_each(|k| columns_read(&k.expr, out)),
        Command::Limit(_) => {}
        Command::MvExpand(n) => {
            out.insert(n.clone());
        }
        Command::LookupJoin { on, .. } => out.extend(on.iter().cloned()),
        Command::Grok { input, .. } => {
            out.insert(input.clone());
        }
        Command::Fork(branches) => branches
            .iter()
            .flatten()
            .for_each(|c| command_columns(c, out)),
    }
}

fn plain(ps: &[Pattern]) -> Result<Vec<String>, String> {
    ps.iter()
        .map(|p| match p {
            Pattern::Name(n) => Ok(n.clone()),
            Pattern::Wildcard(w) => Err(format!(
                "a column pattern `{w}` keeps columns kqlport cannot list"
            )),
        })
        .collect()
}

fn command_name(c: &Command) -> &'static str {
    match c {
        Command::Stats { .. } => "STATS",
        Command::InlineStats { .. } => "INLINE STATS",
        Command::Sort(_) => "SORT",
        Command::Limit(_) => "LIMIT",
        Command::MvExpand(_) => "MV_EXPAND",
        Command::Grok { .. } => "GROK",
        Command::LookupJoin { .. } => "LOOKUP JOIN",
        Command::Fork(_) => "FORK",
        _ => "a command",
    }
}

pub(crate) fn decline(cx: &mut Cx, span: Span, why: String) {
    cx.errors.push(
        crate::REFUSAL
            .cannot_express(BackendCode::B031, format_args!("this union: {why}"), span)
            .with_help(
                "ES|QL translates a union of row-by-row legs over tables it can tell apart as one `FROM` with a test per leg; otherwise translate each leg as its own rule",
            ),
    );
}
