//! `union` → [`ir::SourceKind::Union`]: the legs (tables, wildcard table names resolved against
//! the schema, parenthesised pipelines, tabular `let`s), `withsource=` and `isfuzzy=`. `T | …
//! | union U` becomes a union whose first leg is `T | …`. Owns the refusals of what the IR does
//! not hold (`L080`): `kind=inner`, `union *`, `withsource` over a leg that is not a table
//! written by name, a column two legs give different known types, a leg that is itself a union
//! with `withsource=` or with an operator after it that works on its rows together (a row-wise
//! one is moved into each inner leg).

use super::{unsupported, LResult, Lowerer};
use crate::backend::Effect;
use crate::codes::LowerCode;
use crate::ir;
use crate::kql::ast;
use crate::schema::{self, ColumnType};
use crate::source::Span;

/// One leg as lowering met it: the query, and whether the KQL names it as a table (so the
/// `withsource` value is that name).
struct Leg {
    query: ir::Query,
    named_table: bool,
}

impl<'a> Lowerer<'a> {
    /// A `union` source (`input`: the rows piped into a `union` operator, its first leg).
    pub(crate) fn union(
        &mut self,
        u: &'a ast::Union,
        span: Span,
        input: Option<ir::Query>,
    ) -> LResult<ir::Source> {
        let mut withsource = None;
        let mut fuzzy = false;
        for p in &u.params {
            match p.name.as_str() {
                "kind" => match &p.value.kind {
                    ast::ExprKind::Ident(n) if n.name == "outer" => {}
                    _ => return Err(unsupported(
                        LowerCode::L080,
                        p.span,
                        "`union kind=inner` (only the columns every leg has) is not supported; \
                             kqlport translates the default, kind=outer",
                    )),
                },
                // Whether a leg that does not resolve is an error: no effect on the rows.
                "isfuzzy" => {
                    fuzzy = matches!(
                        p.value.kind,
                        ast::ExprKind::Literal(ast::Literal::Bool(true))
                    )
                }
                "withsource" | "withSource" => match &p.value.kind {
                    ast::ExprKind::Ident(n) => withsource = Some(super::column(n)),
                    _ => {
                        return Err(unsupported(
                            LowerCode::L080,
                            p.value.span,
                            "`withsource=` must name a column",
                        ))
                    }
                },
                name if name.starts_with("hint.") => {}
                other => {
                    return Err(unsupported(
                        LowerCode::L080,
                        p.span,
                        format!("union parameter `{other}` is not supported"),
                    ))
                }
            }
        }
        let mut legs: Vec<Leg> = Vec::new();
        if let Some(q) = input {
            let span = q.span;
            self.add_leg(q, false, span, &mut legs)?;
        }
        for item in &u.tables {
            match item {
                ast::UnionItem::Wildcard(p) => self.wildcard_legs(p, &mut legs)?,
                ast::UnionItem::Expr(e) => {
                    let named_table = match &e.kind {
                        ast::ExprKind::Ident(n) => !self.lets.contains_key(&n.name),
                        _ => false,
                    };
                    let query = match &e.kind {
                        ast::ExprKind::Ident(_) | ast::ExprKind::Pipeline(_) => {
                            self.nested(e.span, |cx| cx.pipeline(e))?
                        }
                        ast::ExprKind::Call { function, .. } if self.is_tabular_call(function) => {
                            self.nested(e.span, |cx| cx.pipeline(e))?
                        }
                        _ => return Err(unsupported(
                            LowerCode::L080,
                            e.span,
                            "a union leg must be a table, a tabular `let` or a parenthesised query",
                        )),
                    };
                    self.add_leg(query, named_table, e.span, &mut legs)?;
                }
            }
        }
        if let Some(c) = &withsource {
            if let Some(leg) = legs.iter().find(|l| !l.named_table) {
                return Err(Box::new(
                    crate::diag::Diagnostic::error(
                        LowerCode::L080,
                        "`withsource=` over a leg that is not a table written by name is not \
                         supported: Kusto's docs do not say what name such a leg gets",
                        c.span,
                    )
                    .with_secondary(leg.query.span, "this leg"),
                ));
            }
        }
        let legs: Vec<ir::Query> = legs.into_iter().map(|l| l.query).collect();
        Ok(ir::Source {
            kind: ir::SourceKind::Union(ir::Union {
                legs,
                withsource,
                fuzzy,
            }),
            target: None,
            span,
        })
    }

    /// A leg; a union leg is spliced in leg by leg, its own stages (when each works on one row
    /// at a time, [`distributes_over_union`]) appended to every inner leg:
    /// `union (union A, B | where p), C` is `union (A | where p), (B | where p), C`.
    fn add_leg(
        &mut self,
        query: ir::Query,
        named_table: bool,
        span: Span,
        legs: &mut Vec<Leg>,
    ) -> LResult<()> {
        match query.source.kind {
            ir::SourceKind::Table(_) | ir::SourceKind::Lookup(_) => {
                legs.push(Leg { query, named_table })
            }
            ir::SourceKind::Union(ref inner) if inner.withsource.is_none() => {
                let facts = query.facts();
                let mut inner_legs = inner.legs.clone();
                for (i, stage) in query.stages.iter().enumerate() {
                    let moved = move_into_legs(&mut inner_legs, facts.before(i), stage);
                    if let Err(why) = moved {
                        return Err(Box::new(
                            crate::diag::Diagnostic::error(
                                LowerCode::L080,
                                format!(
                                    "a union leg that is itself a union followed by an operator \
                                     that cannot move into each of its legs is not supported: \
                                     the operator {why}"
                                ),
                                span,
                            )
                            .with_secondary(stage.span, "this operator"),
                        ));
                    }
                }
                // Not a table written by name: duckdb-kql names such a leg's rows
                // `union_arg0` under `withsource=`, Kusto's docs say nothing.
                legs.extend(inner_legs.into_iter().map(|query| Leg {
                    named_table: false,
                    query,
                }))
            }
            ir::SourceKind::Union(_) => {
                return Err(unsupported(
                    LowerCode::L080,
                    span,
                    "a union leg that is itself a union with `withsource=` is not supported: \
                     Kusto's docs do not say which table name the inner rows get",
                ))
            }
        }
        Ok(())
    }

    /// `Device*`: every table of kqlport's schema whose name matches, in name order. `*` alone
    /// is refused (every table of the workspace).
    fn wildcard_legs(&mut self, p: &ast::ColumnPattern, legs: &mut Vec<Leg>) -> LResult<()> {
        if p.pattern.chars().all(|c| c == '*') {
            return Err(unsupported(
                LowerCode::L080,
                p.span,
                "`union *` reads every table of the workspace, which kqlport cannot list; name the tables",
            ));
        }
        let matched: Vec<&str> = schema::table_names()
            .into_iter()
            .filter(|t| crate::ir::glob(&p.pattern, t))
            .collect();
        if matched.is_empty() {
            return Err(unsupported(
                LowerCode::L080,
                p.span,
                format!(
                    "no table of kqlport's schema matches `{}`; name the tables",
                    p.pattern
                ),
            ));
        }
        self.note(
            p.span,
            Effect::UnderMatch,
            format!(
                "`{}` is read as the tables of kqlport's schema that match it ({}); a workspace \
                 table it does not list (a custom `_CL` table, a newer table) is left out",
                p.pattern,
                matched.join(", ")
            ),
        );
        for t in matched {
            legs.push(Leg {
                query: ir::Query {
                    source: ir::Source::table(t.to_string(), p.span),
                    stages: Vec::new(),
                    span: p.span,
                },
                named_table: true,
            });
        }
        Ok(())
    }
}

impl Lowerer<'_> {
    /// KQL gives a union one column per name *and type*: a name that two legs hold with
    /// different types becomes `name_type` columns. Where the types are known to differ (legs
    /// that are bare tables, from the schema), a later stage that names the column is refused,
    /// and a result whose columns the stages do not fix is noted (its column names differ).
    pub(crate) fn union_column_types(&mut self, query: &ir::Query) -> LResult<()> {
        let ir::SourceKind::Union(u) = &query.source.kind else {
            return Ok(());
        };
        let clashes = clashing_columns(&u.legs);
        if clashes.is_empty() {
            return Ok(());
        }
        let named = ir::visit::stages_columns(&query.stages);
        for (name, a, b) in &clashes {
            if named.contains(&name.as_str()) {
                return Err(unsupported(
                    LowerCode::L080,
                    query.source.span,
                    format!(
                        "`{name}` is {a} in one leg and {b} in another: KQL's union then splits \
                         it into `{name}_{a}` and `{name}_{b}` columns, and a later operator \
                         names it; kqlport does not model the split"
                    ),
                ));
            }
        }
        if query.output_columns().is_none() {
            let list: Vec<String> = clashes.iter().map(|(n, _, _)| format!("`{n}`")).collect();
            self.note(
                query.source.span,
                Effect::Values,
                format!(
                    "{} have different types in different legs: KQL's result names them \
                     `<name>_<type>`, one column per type; the translation keeps one column \
                     under the plain name",
                    list.join(", ")
                ),
            );
        }
        Ok(())
    }
}

/// Moves `stage`, which follows a union of `legs` (`union`: the union's columns entering it),
/// into each leg, where it gives the rows it gives after the union: it works on each row by
/// itself (filter, extend, the project family, rename, parse, and mv-expand — unless it numbers
/// its input rows, which counts across legs), or it is a join that matches each left row on its
/// own (`inner`, `leftouter`, `leftsemi`, `leftanti`; not `innerunique`, which first keeps one
/// left row per key) where every leg is known to hold each right column or none of them (a right
/// column named like a left one is renamed `X1`, and the left columns are the union's, not one
/// leg's). A column the stage reads that a leg is known to lack is null there in the union: a
/// string column, which KQL reads as `""`, is first set to `""` in that leg; one of another or
/// unknown type is refused. `Err` says why the stage cannot move (the legs are then unusable).
fn move_into_legs(
    legs: &mut [ir::Query],
    union: &crate::ir::facts::Scope,
    stage: &ir::Stage,
) -> Result<(), String> {
    let row_wise = match &stage.kind {
        ir::StageKind::Parse(_) => true,
        ir::StageKind::Neighbours { .. } => false,
        ir::StageKind::MvExpand(m) => m.per_row.is_none(),
        ir::StageKind::Join { kind, .. } => matches!(
            kind,
            ir::JoinKind::Inner
                | ir::JoinKind::LeftOuter
                | ir::JoinKind::LeftSemi
                | ir::JoinKind::LeftAnti
        ),
        k => k.is_row_wise(),
    };
    if !row_wise {
        return Err(
            "works on the inner union's rows together (a summarize, sort, take, \
                    `innerunique` or right-side join …)"
                .to_string(),
        );
    }
    let reads = ir::visit::stage_reads(stage);
    let others: Vec<ir::Query> = legs.to_vec();
    for leg in legs.iter_mut() {
        let Some(cols) = leg.output_columns() else {
            continue;
        };
        let missing: Vec<&str> = reads
            .iter()
            .copied()
            .filter(|r| !cols.iter().any(|c| c == r))
            .collect();
        if missing.is_empty() {
            continue;
        }
        if let Some(r) = missing
            .iter()
            .find(|r| union_type(&others, union, r) != Some(ColumnType::String))
        {
            return Err(format!(
                "reads `{r}`, which an inner leg lacks and whose type is not known to be string \
                 (the union gives that leg's rows a null `{r}`; the leg alone has no such column)"
            ));
        }
        leg.stages.push(ir::Stage {
            kind: ir::StageKind::Extend(
                missing
                    .iter()
                    .map(|r| ir::Assignment {
                        name: ir::Column {
                            name: r.to_string(),
                            span: stage.span,
                        },
                        expr: ir::Expr {
                            kind: ir::ExprKind::Literal(ir::Literal::String(String::new())),
                            span: stage.span,
                        },
                    })
                    .collect(),
            ),
            span: stage.span,
        });
    }
    if let ir::StageKind::Join { right, .. } = &stage.kind {
        let (Some(right), Some(leg_columns)) = (
            right.output_columns(),
            legs.iter()
                .map(ir::Query::output_columns)
                .collect::<Option<Vec<_>>>(),
        ) else {
            return Err(
                "is a join whose sides' columns are not all known from the query".to_string(),
            );
        };
        let holds = |cols: &Vec<String>, name: &str| cols.iter().any(|c| c == name);
        if let Some(r) = right.iter().find(|r| {
            let n = leg_columns.iter().filter(|cols| holds(cols, r)).count();
            n != 0 && n != leg_columns.len()
        }) {
            return Err(format!(
                "is a join whose right column `{r}` some inner legs also have and others not \
                 (the join names it `{r}1` after the whole union)"
            ));
        }
    }
    for leg in legs.iter_mut() {
        leg.stages.push(stage.clone());
    }
    Ok(())
}

/// The type of the union's column `name`: the union's own fact, else the one type the legs that
/// hold it give (a leg is known to lack it when its columns are known without it).
fn union_type(
    legs: &[ir::Query],
    union: &crate::ir::facts::Scope,
    name: &str,
) -> Option<ColumnType> {
    if let Some(t) = union.ty(name) {
        return Some(t);
    }
    let mut found = None;
    for leg in legs {
        let facts = leg.facts();
        let cols = leg.output_columns();
        if cols.is_some_and(|c| !c.iter().any(|c| c == name)) {
            continue;
        }
        match (facts.output().ty(name), found) {
            (None, _) => return None,
            (Some(t), None) => found = Some(t),
            (Some(t), Some(f)) if t != f => return None,
            _ => {}
        }
    }
    found
}

/// Column names that two bare-table legs hold with different types: (name, type, other type).
fn clashing_columns(legs: &[ir::Query]) -> Vec<(String, &'static str, &'static str)> {
    let mut out: Vec<(String, &'static str, &'static str)> = Vec::new();
    let mut seen: Vec<(&str, ColumnType)> = Vec::new();
    for leg in legs {
        let ir::SourceKind::Table(t) = &leg.source.kind else {
            continue;
        };
        let Some(table) = schema::table(t) else {
            continue;
        };
        // The table's own columns the leg still hands on: those its stages keep (all when they
        // do not fix the columns), less those they compute or rename into.
        let kept = leg.output_columns();
        let computed = computed_names(&leg.stages);
        let mut cols: Vec<(&'static str, ColumnType)> = table
            .columns()
            .filter(|(n, _)| kept.as_ref().is_none_or(|k| k.iter().any(|c| c == n)))
            .filter(|(n, _)| !computed.iter().any(|c| c == n || c == "*"))
            .collect();
        cols.sort_unstable_by_key(|(n, _)| *n);
        for (name, ty) in cols {
            match seen.iter().find(|(n, _)| *n == name) {
                Some((_, other)) if *other != ty => {
                    if !out.iter().any(|(n, _, _)| n == name) {
                        out.push((name.to_string(), other.kql_name(), ty.kql_name()));
                    }
                }
                Some(_) => {}
                None => seen.push((name, ty)),
            }
        }
    }
    out
}

/// Names a leg's stages give a value other than the table's column of that name.
fn computed_names(stages: &[ir::Stage]) -> Vec<String> {
    let mut out = Vec::new();
    for s in stages {
        match &s.kind {
            ir::StageKind::Extend(a) | ir::StageKind::Project(a) => {
                for a in a {
                    let same = matches!(&a.expr.kind, ir::ExprKind::Field(f)
                        if f.is_plain() && !f.parsed && f.column == a.name.name);
                    if !same {
                        out.push(a.name.name.clone());
                    }
                }
            }
            ir::StageKind::Rename(pairs) => out.extend(pairs.iter().map(|(n, _)| n.name.clone())),
            ir::StageKind::Totals(aggs) => out.extend(aggs.iter().map(|a| a.name.name.clone())),
            ir::StageKind::Scalar(sq) => out.push(sq.name.name.clone()),
            ir::StageKind::Aggregate { .. }
            | ir::StageKind::Distinct(_)
            | ir::StageKind::Count
            | ir::StageKind::Join { .. }
            | ir::StageKind::Ipv4Lookup(_)
            | ir::StageKind::MvExpand(_)
            | ir::StageKind::Neighbours { .. }
            | ir::StageKind::Parse(_) => {
                // Columns after these are not the table's own (types not followed here).
                return vec!["*".to_string()];
            }
            ir::StageKind::Filter(_)
            | ir::StageKind::ProjectAway(_)
            | ir::StageKind::ProjectKeep(_)
            | ir::StageKind::Reorder(_)
            | ir::StageKind::Sort(_)
            | ir::StageKind::Top { .. }
            | ir::StageKind::Limit(_) => {}
        }
    }
    out
}
