//! A union whose legs are not row by row (a leg summarizes, takes, sorts, expands…), or whose
//! legs read one table twice, as ES|QL's `FORK` (Elastic's FORK command reference):
//! `FROM a, b METADATA _index | FORK (WHERE <row is a's> | <a's commands> | LIMIT n)
//! (WHERE <row is b's> | <b's commands> | LIMIT n) | DROP _fork | <the stages after the union>`.
//!
//! Every branch runs over all the rows of the one `FROM`, and FORK appends the branches' rows:
//! KQL's union of the legs. Each leg's commands are the one-table translation of its stages
//! (`query::lower_commands`); its test is the one `union_legs` builds (`_index`, or the
//! field-mapping pipeline's `where:` condition). Two legs over one table are two branches
//! that both read all its rows, so a row both keep comes out twice, as in KQL.
//!
//! What the reference documents, and how it is met:
//! * a branch without its own `LIMIT` is cut at 1,000 rows: every branch ends in the query's
//!   closing `LIMIT` (`query::finish`), or the leg's own lower one;
//! * a `_fork` column names the branch: dropped (`withsource=` is the leg's table name,
//!   assigned in its branch);
//! * a column some branch lacks is null in its rows: KQL's union fills a missing string column
//!   with `""` (a string is never null), so a branch assigns `""` to a string column another
//!   leg outputs and it lacks, where the stages after the union read it or a leg fixes its
//!   columns; elsewhere a Values note;
//! * columns of one name must have one type across branches: a column two legs type
//!   differently is declined (KQL's union keeps them apart, as `c_long`, `c_string`);
//! * 2 to 8 branches, one FORK per query (a union is never nested in a leg);
//! * rows of the branches may interleave: KQL's union has no order either (Order note, which
//!   also says FORK is a technical preview).
//!
//! A leg whose ES|QL needs a materialisation query, `LOOKUP JOIN` or `INLINE STATS` is
//! declined (`B031`): the reference shows no such branch, and kqlport keeps them out of one.

use crate::ast::{self, Command, Expr, Pattern};
use crate::cx::Cx;
use crate::union_legs::{self, ReadLeg};
use crate::MAX_ROWS;
use kqlport::backend::Effect;
use kqlport::ir::facts::Origin;
use kqlport::ir::{self, StageKind};
use kqlport::schema::ColumnType;
use std::collections::BTreeSet;

/// Elastic's FORK reference: "FORK supports at most 8 execution branches".
const MAX_BRANCHES: usize = 8;

/// `None` after a refusal (in `cx`).
pub(crate) fn lower(cx: &mut Cx, query: &ir::Query, u: &ir::Union) -> Option<ast::Query> {
    let span = query.source.span;
    if u.legs.len() < 2 {
        // A wildcard that matched one table: FORK needs two branches.
        union_legs::decline(
            cx,
            span,
            "its one leg is not row by row, and FORK needs at least two branches".to_string(),
        );
        return None;
    }
    if u.legs.len() > MAX_BRANCHES {
        union_legs::decline(
            cx,
            span,
            format!(
                "its {} legs would be as many FORK branches, and FORK runs at most {MAX_BRANCHES}",
                u.legs.len()
            ),
        );
        return None;
    }
    let mut reads: Vec<ReadLeg> = Vec::new();
    let mut tail: Option<(Cx, Vec<Command>)> = None;
    let mut leg_notes = Vec::new();
    let mut metadata_id = false;
    for leg in &u.legs {
        let mut r = union_legs::read_leg(cx, query, leg)?;
        if let Some((at, why)) = unbranchable(&r, leg) {
            union_legs::decline(cx, at, format!("the `{}` leg {why}", r.leg.table));
            return None;
        }
        leg_notes.push(std::mem::take(&mut r.ident_notes));
        let (c2, after) = union_legs::tail_of(cx, query, &r)?;
        metadata_id |= r.cx.metadata_id || c2.metadata_id;
        leg_notes.push(std::mem::take(&mut r.cx.notes));
        let first = reads.first().map_or(String::new(), |f| f.leg.table.clone());
        if !union_legs::same_tail(
            cx,
            query,
            &mut tail,
            (c2, after),
            (&first, &r.leg.table),
            &mut leg_notes,
        ) {
            return None;
        }
        reads.push(r);
    }
    let (tail_cx, tail) = tail?;
    let legs: Vec<union_legs::Leg> = reads.iter().map(|r| r.leg.clone()).collect();
    let tests = union_legs::leg_tests(cx, span, &legs, true)?;
    let outputs: Vec<Output> = reads.iter().map(Output::of).collect();
    let fills = fills(cx, span, &outputs, &tail)?;

    let mut branches = Vec::new();
    for ((r, test), fill) in reads.iter().zip(&tests).zip(fills) {
        let mut b = Vec::new();
        if *test != Expr::Bool(true) && *test != Expr::And(Vec::new()) {
            b.push(Command::Where(test.clone()));
        }
        b.extend(r.commands.iter().cloned());
        let mut assigns: Vec<(String, Expr)> = fill
            .into_iter()
            .map(|n| (n, Expr::Str(String::new())))
            .collect();
        if let Some(c) = &u.withsource {
            assigns.push((c.name.clone(), Expr::Str(r.leg.table.clone())));
        }
        if !assigns.is_empty() {
            // Before the leg's own closing LIMIT, so that it stays the branch's last command.
            let at = match b.last() {
                Some(Command::Limit(_)) => b.len() - 1,
                _ => b.len(),
            };
            b.insert(at, Command::Eval(assigns));
        }
        crate::query::finish(&mut b);
        branches.push(b);
    }
    let mut commands = vec![
        Command::Fork(branches),
        Command::Drop(vec![Pattern::Name("_fork".into())]),
    ];
    commands.extend(tail);

    cx.adopt(tail_cx, leg_notes);

    cx.notes.push(
        span,
        Effect::Order,
        "the union is ES|QL's FORK, one branch per leg over the rows of one `FROM` (a technical preview since Elasticsearch 9.1, whose behaviour may change); FORK may interleave the branches' rows, and KQL's union returns its rows in no particular order either",
    );
    if query
        .stages
        .iter()
        .any(|s| !s.kind.is_row_wise() && !matches!(s.kind, StageKind::Limit(_)))
    {
        cx.notes.push(
            span,
            Effect::UnderMatch,
            format!("every FORK branch ends in `LIMIT {MAX_ROWS}` (FORK cuts a branch without one at 1,000 rows), so the operators after the union see at most {MAX_ROWS} rows of each leg: past that, groups, counts and the rows picked are computed over part of a leg's rows"),
        );
    }
    Some(union_legs::union_query(
        cx,
        &legs,
        span,
        metadata_id,
        commands,
    ))
}

/// Why a leg's ES|QL cannot be a FORK branch, located: a materialisation query above it, a
/// `LOOKUP JOIN` or `INLINE STATS` in it.
fn unbranchable(r: &ReadLeg, leg: &ir::Query) -> Option<(kqlport::source::Span, String)> {
    let stage = |f: &dyn Fn(&StageKind) -> bool| {
        leg.stages
            .iter()
            .find(|s| f(&s.kind))
            .map_or(leg.source.span, |s| s.span)
    };
    if !r.cx.preamble.is_empty() {
        let at = stage(&|k| matches!(k, StageKind::Join { .. }) || !k.is_row_wise());
        return Some((
            at,
            "needs a lookup index filled by a query of its own, which a FORK branch cannot run"
                .into(),
        ));
    }
    if r.commands
        .iter()
        .any(|c| matches!(c, Command::LookupJoin { .. }))
    {
        let at = stage(&|k| matches!(k, StageKind::Join { .. }));
        return Some((at, "needs a LOOKUP JOIN, which kqlport does not put in a FORK branch: Elastic's FORK reference shows no branch that joins".into()));
    }
    if r.commands
        .iter()
        .any(|c| matches!(c, Command::InlineStats { .. }))
    {
        let at = stage(&|k| matches!(k, StageKind::Aggregate { .. }));
        return Some((at, "needs INLINE STATS (arg_max/arg_min, take_any), which kqlport does not put in a FORK branch: Elastic's FORK reference shows no such branch, and INLINE STATS fails after a LIMIT".into()));
    }
    None
}

/// A leg's output columns: `fixed` when its stages fix them (project, summarize…), `all` also
/// from the table's schema; with each one's type where known.
struct Output {
    table: String,
    fixed: Option<Vec<String>>,
    all: Option<Vec<String>>,
    scope: ir::facts::Scope,
}

impl Output {
    fn of(r: &ReadLeg) -> Output {
        let own = ir::Query {
            source: r.source.clone(),
            stages: r.stages.to_vec(),
            span: r.source.span,
        };
        let stored = crate::stored::schema_columns(&r.leg.table, r.source.target.as_ref());
        Output {
            table: r.leg.table.clone(),
            fixed: ir::columns_after(None, r.stages),
            all: ir::columns_after(stored, r.stages),
            scope: own.facts().output().clone(),
        }
    }

    /// Whether column `c` is the index's field of that name, as stored.
    fn stored_as_is(&self, c: &str) -> bool {
        match self.scope.origin(c) {
            Origin::Event => true,
            Origin::Field(f) => f == c,
            _ => false,
        }
    }

    fn has(&self, c: &str) -> Option<bool> {
        self.all.as_ref().map(|a| a.iter().any(|n| n == c))
    }
}

/// For each leg, the string columns its branch sets to `""` (KQL's union fills a string column
/// a leg lacks with the empty string; FORK with null): those another leg outputs, among the
/// columns the stages after the union read and those a leg fixes. `None` after a refusal: a
/// column two legs type differently.
fn fills(
    cx: &mut Cx,
    span: kqlport::source::Span,
    outputs: &[Output],
    tail: &[Command],
) -> Option<Vec<Vec<String>>> {
    let mut names: BTreeSet<String> = union_legs::tail_reads(tail);
    for o in outputs {
        names.extend(o.fixed.iter().flatten().cloned());
    }
    for (i, a) in outputs.iter().enumerate() {
        for b in &outputs[i + 1..] {
            for n in a.all.iter().flatten() {
                // A field both legs read as the index holds it has the one type `FROM`
                // gives it (a field two indices map differently is `union_type`'s refusal).
                if b.has(n) != Some(true) || (a.stored_as_is(n) && b.stored_as_is(n)) {
                    continue;
                }
                if let (Some(ta), Some(tb)) = (a.scope.ty(n), b.scope.ty(n)) {
                    if ta != tb {
                        union_legs::decline(cx, span, format!("`{n}` is {} in the `{}` leg and {} in the `{}` leg: KQL's union keeps two columns, FORK refuses one name with two types", ta.kql_name(), a.table, tb.kql_name(), b.table));
                        return None;
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    let mut unknown = false;
    for o in outputs {
        let mut fill = Vec::new();
        for n in &names {
            match o.has(n) {
                Some(false) => {}
                Some(true) => continue,
                None => {
                    unknown = true;
                    continue;
                }
            }
            let string = outputs
                .iter()
                .any(|p| p.has(n) == Some(true) && p.scope.ty(n) == Some(ColumnType::String));
            if string {
                fill.push(n.clone());
            }
        }
        out.push(fill);
    }
    let closed = tail
        .iter()
        .any(|c| matches!(c, Command::Keep(_) | Command::Stats { .. }));
    if (unknown || outputs.iter().any(|o| o.fixed.is_none())) && !closed {
        cx.notes.push(
            span,
            Effect::Values,
            "a string column that only some legs output is null in the other legs' rows in ES|QL, where KQL's union shows an empty string",
        );
    }
    Some(out)
}
