//! A datatable on the LEFT of a join with rows of a table: `D [| project/extend …] | join
//! kind=K (R) on …`, with `D`'s rows constants ([`Lowerer::folded_rows`]). Rewritten as `R`'s
//! own pipeline filtered on `D`'s key tuples (compared exactly, as join keys are: strings
//! case-sensitively), and for the kinds that keep both sides `D`'s columns computed from the
//! row's keys (a `case` per column, as `lookup D` does), so every target gets it through the
//! IR. KQL's output, per kind (Microsoft's join flavor pages):
//! - `rightsemi`: the right rows that match, their columns only: the filter.
//! - `rightanti`: the right rows that match none: the filter's negation.
//! - `inner`: a row per matching pair, so a right row once when `D`'s key tuples are distinct
//!   (refused when one repeats: that right row would be output once per copy).
//! - `innerunique` (the default): `D` de-duplicated on its keys (which row it keeps is not
//!   defined), then `inner`: exact when the rows sharing a key tuple are identical, refused
//!   when they differ in another column.
//!
//!   Both: `D`'s columns first, in order, then the right side's, a right column named like
//!   one of `D`'s (or an earlier right one) renamed with the first free numeric suffix (`X1`,
//!   [`ir::join_names`]), the key columns of `on k` included (`k` is `D`'s, `k1` the right's).
//! - `leftsemi`, `leftanti`, `leftouter`, `rightouter`, `fullouter`: refused (`L010`): they
//!   keep or test `D`'s own rows, which only the table's data decides, or (`rightouter`) are
//!   not written yet.
//!
//! Owns those refusals; the join itself and a datatable on the right stay in `join.rs` and
//! `datatable.rs`.

use super::datatable::{any_tuple, key_tuples, Folded};
use super::{unsupported, Flat, LResult, Lowerer};
use crate::codes::LowerCode;
use crate::ir;
use crate::kql::ast;
use crate::source::Span;
use std::collections::BTreeMap;

impl<'a> Lowerer<'a> {
    /// `body` rewritten as above when it is a datatable, `project`/`extend`s of it and then a
    /// join: the right side's source and stages with the join's own after them, and the
    /// operators after the join. `None` when `body` is no such pipeline (the source path then
    /// translates or refuses it).
    pub(crate) fn datatable_left_join(&mut self, body: &'a ast::Expr) -> LResult<Option<Flat<'a>>> {
        let Some((table, at, ops)) = self.datatable_with_operators(body) else {
            return Ok(None);
        };
        let Some(join_at) = ops.iter().position(|op| {
            !matches!(
                op.kind,
                ast::OperatorKind::Project(_) | ast::OperatorKind::Extend(_)
            )
        }) else {
            return Ok(None);
        };
        let join_op = ops[join_at];
        let ast::OperatorKind::Join(j) = &join_op.kind else {
            return Ok(None);
        };
        let kind = self.join_flavor(j)?;
        let folded =
            match self.folded_rows(table, at, &ops[..join_at])? {
                Ok(f) => f,
                Err(span) => return Err(unsupported(
                    LowerCode::L010,
                    span,
                    "a datatable on the left of a join is translated when the `project`/`extend` \
                     before the join computes each column from the datatable's columns, \
                     constants and strings folded from them; this one computes something else",
                )),
            };
        let refuse = |why: &str| {
            Err(unsupported(
                LowerCode::L010,
                join_op.span,
                format!(
                    "a join with a datatable on its left side: {why}; kqlport translates the \
                     kinds innerunique (the default), inner, rightsemi and rightanti there"
                ),
            ))
        };
        match kind {
            ir::JoinKind::LeftSemi | ir::JoinKind::LeftAnti | ir::JoinKind::LeftOuter => {
                return refuse(
                    "this kind keeps or tests the datatable's own rows, which only the table's \
                     data decides",
                )
            }
            ir::JoinKind::FullOuter | ir::JoinKind::RightOuter => {
                return refuse("this kind keeps the right rows that match nothing, with empty datatable columns, which is not translated yet")
            }
            ir::JoinKind::Inner
            | ir::JoinKind::InnerUnique
            | ir::JoinKind::RightSemi
            | ir::JoinKind::RightAnti => {}
        }
        let mut keys = Vec::new();
        for cond in &j.on {
            self.join_condition(cond, &mut keys)?;
        }
        if keys.is_empty() {
            return Err(unsupported(
                LowerCode::L052,
                join_op.span,
                "the join has no `on` condition",
            ));
        }
        if let Some(k) = keys.iter().find(|k| !folded.names.contains(&k.left.name)) {
            return Err(unsupported(
                LowerCode::L010,
                k.left.span,
                format!("the datatable has no column `{}`", k.left.name),
            ));
        }
        let right = self.pipeline(&j.right)?;
        let (source, mut stages) = (right.source.clone(), right.stages.clone());
        let span = join_op.span;
        let tested: Vec<(ir::Column, String)> = keys
            .iter()
            .map(|k| (k.right.clone(), k.left.name.clone()))
            .collect();
        let tuples = key_tuples(&folded.rows, &tested, at).unwrap_or_default();
        let filter = |kind| ir::Stage {
            kind: ir::StageKind::Filter(ir::Predicate { kind, span }),
            span,
        };
        match kind {
            ir::JoinKind::RightSemi if tuples.is_empty() => {
                stages.push(filter(ir::PredicateKind::Const(false)))
            }
            ir::JoinKind::RightSemi => stages.push(filter(any_tuple(tuples, span).kind)),
            ir::JoinKind::RightAnti if tuples.is_empty() => {}
            ir::JoinKind::RightAnti => stages.push(filter(ir::PredicateKind::Not(Box::new(
                any_tuple(tuples, span),
            )))),
            _ => {
                let rows = self.one_row_per_key(table, &folded, &keys, kind)?;
                stages.push(filter(if tuples.is_empty() {
                    ir::PredicateKind::Const(false)
                } else {
                    any_tuple(tuples, span).kind
                }));
                let order_unused = columns_fixed_later(&ops[join_at + 1..]);
                let renamed = self.both_sides(&right, &folded.names, &rows, &keys, at, span)?;
                stages.extend(renamed);
                self.datatable_columns_first(
                    &right,
                    &folded.names,
                    order_unused,
                    span,
                    &mut stages,
                );
            }
        }
        Ok(Some((source, stages, ops[join_at + 1..].to_vec())))
    }

    /// The join's kind (`kind=`, default `innerunique`); `hint.*` parameters tune execution
    /// only.
    fn join_flavor(&self, j: &'a ast::Join) -> LResult<ir::JoinKind> {
        let mut kind = ir::JoinKind::InnerUnique;
        for p in &j.params {
            if p.name.starts_with("hint.") {
                continue;
            }
            kind = match super::join::join_kind(&p.value) {
                Some(k) if p.name == "kind" => k,
                _ => {
                    return Err(unsupported(
                        LowerCode::L050,
                        p.span,
                        format!("join parameter `{}` is not supported here", p.name),
                    ))
                }
            };
        }
        Ok(kind)
    }

    /// The datatable's rows, one per key tuple: for `innerunique` the rows sharing a tuple
    /// must be identical (which one KQL keeps is not defined), for `inner` a tuple may not
    /// repeat (each copy would be a row of its own).
    fn one_row_per_key(
        &self,
        table: &'a ast::Datatable,
        folded: &Folded,
        keys: &[ir::JoinKey],
        kind: ir::JoinKind,
    ) -> LResult<Vec<BTreeMap<String, ir::Literal>>> {
        let mut out: Vec<BTreeMap<String, ir::Literal>> = Vec::new();
        let width = table.columns.len();
        for (r, row) in folded.rows.iter().enumerate() {
            let same_keys = |o: &BTreeMap<String, ir::Literal>| {
                keys.iter()
                    .all(|k| o.get(&k.left.name) == row.get(&k.left.name))
            };
            match out.iter().find(|o| same_keys(o)) {
                None => out.push(row.clone()),
                Some(o) if kind == ir::JoinKind::InnerUnique && o == row => {}
                Some(_) => {
                    let why = if kind == ir::JoinKind::InnerUnique {
                        "the datatable has two rows with these join keys that differ in another \
                         column: `innerunique` keeps one of them, which one is not defined"
                    } else {
                        "the datatable repeats these join keys: `inner` outputs a right row once \
                         per copy, which computing the datatable's columns from the keys cannot"
                    };
                    return Err(unsupported(
                        LowerCode::L010,
                        table.values[r * width].span,
                        why,
                    ));
                }
            }
        }
        Ok(out)
    }

    /// The stages after the filter: the right columns named like the datatable's renamed as
    /// KQL names them, and each datatable column computed from the keys.
    fn both_sides(
        &mut self,
        right: &ir::Query,
        names: &[String],
        rows: &[BTreeMap<String, ir::Literal>],
        keys: &[ir::JoinKey],
        at: Span,
        span: Span,
    ) -> LResult<Vec<ir::Stage>> {
        let mut stages = Vec::new();
        let right_columns = ir::columns_before(right, right.stages.len());
        // (right name, output name) for each right column KQL renames.
        let renames: Vec<(String, String)> = match &right_columns {
            Some(cols) => ir::join_names(names, cols)
                .into_iter()
                .filter(|(r, out)| r != out)
                .collect(),
            None => {
                // Only the key columns of `on k` are surely right columns; a datatable column
                // of another name may or may not be one.
                let mut out: Vec<(String, String)> = Vec::new();
                for k in keys {
                    if names.contains(&k.right.name) && !out.iter().any(|(r, _)| *r == k.right.name)
                    {
                        out.push((k.right.name.clone(), format!("{}1", k.right.name)));
                    }
                }
                let others: Vec<String> = names
                    .iter()
                    .filter(|n| !out.iter().any(|(r, _)| r == *n))
                    .map(|n| format!("`{n}`"))
                    .collect();
                let renamed: Vec<String> = out.iter().map(|(_, o)| format!("`{o}`")).collect();
                let mut risks = Vec::new();
                if !others.is_empty() {
                    risks.push(format!(
                        "if one is named like a datatable column ({}), KQL keeps both and names \
                         the right one with a numeric suffix, here the datatable's value replaces it",
                        others.join(", ")
                    ));
                }
                if !renamed.is_empty() {
                    risks.push(format!(
                        "if one is already named {}, KQL gives the renamed right key column the \
                         next free suffix, here the renamed key replaces it",
                        renamed.join(" or ")
                    ));
                }
                if !risks.is_empty() {
                    self.notes.push(crate::backend::Note {
                        span,
                        effect: crate::backend::Effect::Values,
                        message: format!(
                            "the join's right rows have columns kqlport does not know all of: {}",
                            risks.join("; and ")
                        ),
                    });
                }
                out
            }
        };
        if renames
            .iter()
            .any(|(_, new)| names.contains(new) || renames.iter().any(|(old, _)| old == new))
        {
            return Err(unsupported(
                LowerCode::L010,
                span,
                "a join with a datatable on its left side whose right column renames chain \
                 (`X` becomes `X1` while a right column `X1` becomes `X11`, or the datatable has \
                 a column `X1` too) is not translated",
            ));
        }
        let out_name = |r: &str| -> String {
            renames
                .iter()
                .find(|(old, _)| old == r)
                .map_or_else(|| r.to_string(), |(_, new)| new.clone())
        };
        if !renames.is_empty() {
            stages.push(ir::Stage {
                kind: ir::StageKind::Rename(
                    renames
                        .iter()
                        .map(|(old, new)| {
                            (
                                ir::Column {
                                    name: new.clone(),
                                    span,
                                },
                                ir::Column {
                                    name: old.clone(),
                                    span,
                                },
                            )
                        })
                        .collect(),
                ),
                span,
            });
        }
        // The key tests on the right columns under their output names.
        let tested: Vec<(ir::Column, String)> = keys
            .iter()
            .map(|k| {
                (
                    ir::Column {
                        name: out_name(&k.right.name),
                        span: k.right.span,
                    },
                    k.left.name.clone(),
                )
            })
            .collect();
        // Each datatable column computed from the right row's keys: a right row passed the
        // filter, so it matches exactly one row (a `case` branch) of `rows`.
        let mut assignments = Vec::new();
        for name in names {
            let kind = column_from_keys(rows, name, &tested, at, span);
            assignments.push(ir::Assignment {
                name: ir::Column {
                    name: name.clone(),
                    span,
                },
                expr: ir::Expr { kind, span },
            });
        }
        stages.push(ir::Stage {
            kind: ir::StageKind::Extend(assignments),
            span,
        });
        Ok(stages)
    }

    /// The datatable's columns moved first, as KQL's join output has them: nothing when a
    /// later `project`/`count` fixes the columns anyway; a `project` of every column when the
    /// right side's query fixes its columns (so each target names them all); else a reorder
    /// of the datatable's columns to the front.
    fn datatable_columns_first(
        &self,
        right: &ir::Query,
        names: &[String],
        order_unused: bool,
        span: Span,
        stages: &mut Vec<ir::Stage>,
    ) {
        if order_unused {
            return;
        }
        let pattern = |n: &String| ir::ColumnPattern {
            pattern: n.clone(),
            span,
        };
        let kind = match ir::columns_after(right.output_columns(), &stages[right.stages.len()..]) {
            Some(after) => {
                let rest = after.iter().filter(|c| !names.contains(c));
                ir::StageKind::Project(
                    names
                        .iter()
                        .chain(rest)
                        .map(|n| ir::Assignment {
                            name: ir::Column {
                                name: n.clone(),
                                span,
                            },
                            expr: ir::Expr {
                                kind: ir::ExprKind::Field(ir::FieldPath::column(n.clone())),
                                span,
                            },
                        })
                        .collect(),
                )
            }
            None => ir::StageKind::Reorder(names.iter().map(pattern).collect()),
        };
        stages.push(ir::Stage { kind, span });
    }
}

/// Whether the operators after the join fix the output columns (a `project` or `count`) with
/// only row filters and orderings before, so the join's column order is never seen.
fn columns_fixed_later(ops: &[&ast::Operator]) -> bool {
    for op in ops {
        match op.kind {
            ast::OperatorKind::Project(_) | ast::OperatorKind::Count => return true,
            ast::OperatorKind::Where { .. }
            | ast::OperatorKind::Sort { .. }
            | ast::OperatorKind::Take { .. } => {}
            _ => return false,
        }
    }
    false
}

/// `case(keys == row 1's, row 1's value of `name`, …, <empty>)`: the empty value is `""` for a
/// string column, null otherwise (never reached after the filter).
fn column_from_keys(
    rows: &[BTreeMap<String, ir::Literal>],
    name: &str,
    tested: &[(ir::Column, String)],
    at: Span,
    span: Span,
) -> ir::ExprKind {
    let missing = match rows.first().and_then(|r| r.get(name)) {
        Some(ir::Literal::String(_)) | None => ir::Literal::String(String::new()),
        Some(_) => ir::Literal::Null,
    };
    let mut branches = Vec::new();
    for row in rows {
        let Some(tests) =
            key_tuples(std::slice::from_ref(row), tested, at).and_then(|mut t| t.pop())
        else {
            continue;
        };
        branches.push((
            ir::Predicate {
                kind: ir::PredicateKind::And(tests),
                span,
            },
            ir::Expr {
                kind: ir::ExprKind::Literal(row[name].clone()),
                span: at,
            },
        ));
    }
    let missing = ir::Expr {
        kind: ir::ExprKind::Literal(missing),
        span: at,
    };
    if branches.is_empty() {
        missing.kind
    } else {
        ir::ExprKind::Case {
            branches,
            otherwise: Box::new(missing),
        }
    }
}
