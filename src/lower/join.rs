//! `join` → [`ir::StageKind::Join`]: the flavour (`kind=`, default `innerunique`, aliases
//! normalised), the right side lowered as its own query, and the `on` clause as key pairs.
//! `lookup` is the same join with its own output columns (see [`Lowerer::lookup`]).
//! Owns nothing else: `hint.*` parameters only tune execution and are dropped; what the IR
//! cannot hold (non-equality conditions, unknown parameters) is a located `L050`–`L052` refusal.

use super::{column, unsupported, LResult, Lowerer};
use crate::codes::LowerCode;
use crate::ir;
use crate::kql::ast;
use crate::source::Span;

impl<'a> Lowerer<'a> {
    pub(crate) fn join(&mut self, j: &'a ast::Join, span: Span) -> LResult<ir::StageKind> {
        let mut kind = ir::JoinKind::InnerUnique;
        for p in &j.params {
            if p.name.starts_with("hint.") {
                continue;
            }
            if p.name != "kind" {
                return Err(unsupported(
                    LowerCode::L050,
                    p.span,
                    format!("join parameter `{}` is not supported", p.name),
                ));
            }
            kind = join_kind(&p.value).ok_or_else(|| {
                unsupported(
                    LowerCode::L050,
                    p.value.span,
                    "unknown join kind; expected innerunique, inner, leftouter, rightouter, \
                     fullouter, leftsemi, rightsemi, leftanti (anti, leftantisemi) or rightanti \
                     (rightantisemi)",
                )
            })?;
        }
        if let ir::JoinKind::LeftSemi | ir::JoinKind::LeftAnti = kind {
            let anti = kind == ir::JoinKind::LeftAnti;
            if let Some(filter) = self.datatable_semi_join(j, anti, span)? {
                return Ok(ir::StageKind::Filter(filter));
            }
        }
        let (right, on) = self.join_sides(j, span)?;
        Ok(ir::StageKind::Join {
            kind,
            right: Box::new(right),
            on,
        })
    }

    /// A join's right side lowered as a query of its own (a watchlist or externaldata there
    /// is a named lookup the target reads).
    fn join_right(&mut self, j: &'a ast::Join) -> LResult<ir::Query> {
        self.pipeline(&j.right)
    }

    /// A join's (or lookup's) right side and `on` key pairs.
    fn join_sides(
        &mut self,
        j: &'a ast::Join,
        span: Span,
    ) -> LResult<(ir::Query, Vec<ir::JoinKey>)> {
        let right = match &j.right.kind {
            ast::ExprKind::Ident(_) | ast::ExprKind::Pipeline(_) => self.join_right(j)?,
            // A function of the query or an ASIM parser called with parameters.
            ast::ExprKind::Call { function, .. } if self.is_tabular_call(function) => {
                self.join_right(j)?
            }
            _ => return Err(unsupported(
                LowerCode::L051,
                j.right.span,
                "the join's right side must be a table, a tabular `let`, a parenthesised query or a call of a query function or ASIM parser",
            )),
        };
        let mut on = Vec::new();
        for cond in &j.on {
            self.join_condition(cond, &mut on)?;
        }
        if on.is_empty() {
            return Err(unsupported(
                LowerCode::L052,
                span,
                "the join has no `on` condition",
            ));
        }
        Ok((right, on))
    }

    /// `lookup [kind=leftouter|inner] (R) on …` as the join it is (Kusto's lookup operator
    /// page): `leftouter` (the default) keeps every left row, with null right columns where
    /// nothing matches; `inner` keeps a row for every matching pair; either way a row for every
    /// match. Unlike `join`, the right side's key columns are not in the output (the keys
    /// appear once, under the left names), and a right column is renamed (`X1`) only when
    /// another *non-key* column takes its name (checked with Kusto.Language: `F{a,x,a1} |
    /// lookup (D{a,x,y}) on a` gives `a, x, a1, x1, y`).
    ///
    /// Lowered as `join` with the right keys first renamed to internal names no column has
    /// (so they take no name from, and give none to, the other columns), then dropped:
    /// `R | project-rename kqlport_lookup_key0 = b` joined on `$left.a == $right.kqlport_lookup_key0`,
    /// then `project-away kqlport_lookup_key0` (a name no Sentinel column has).
    pub(crate) fn lookup(&mut self, j: &'a ast::Join, span: Span) -> LResult<ir::StageKind> {
        let mut kind = ir::JoinKind::LeftOuter;
        for p in &j.params {
            if p.name.starts_with("hint.") {
                continue;
            }
            let value = match &p.value.kind {
                ast::ExprKind::Ident(n) if p.name == "kind" => n.name.as_str(),
                _ => {
                    return Err(unsupported(
                        LowerCode::L050,
                        p.span,
                        format!("lookup parameter `{}` is not supported", p.name),
                    ))
                }
            };
            kind = match value {
                "leftouter" => ir::JoinKind::LeftOuter,
                "inner" => ir::JoinKind::Inner,
                _ => {
                    return Err(unsupported(
                        LowerCode::L050,
                        p.value.span,
                        "a lookup's kind is leftouter (the default) or inner",
                    ))
                }
            };
        }
        if let Some(stage) = self.datatable_lookup(j, matches!(kind, ir::JoinKind::Inner), span)? {
            return Ok(stage);
        }
        let (mut right, keys) = self.join_sides(j, span)?;
        // Each distinct right key column under an internal name.
        let mut renames: Vec<(ir::Column, ir::Column)> = Vec::new();
        let mut on = Vec::new();
        for k in keys {
            let temp = match renames.iter().find(|(_, old)| old.name == k.right.name) {
                Some((new, _)) => new.clone(),
                None => {
                    let new = ir::Column {
                        name: format!("kqlport_lookup_key{}", renames.len()),
                        span: k.right.span,
                    };
                    renames.push((new.clone(), k.right.clone()));
                    new
                }
            };
            on.push(ir::JoinKey {
                left: k.left,
                right: temp,
            });
        }
        let temps: Vec<ir::ColumnPattern> = renames
            .iter()
            .map(|(new, _)| ir::ColumnPattern {
                pattern: new.name.clone(),
                span,
            })
            .collect();
        right.stages.push(ir::Stage {
            kind: ir::StageKind::Rename(renames),
            span: right.span,
        });
        self.after.push(ir::Stage {
            kind: ir::StageKind::ProjectAway(temps),
            span,
        });
        Ok(ir::StageKind::Join {
            kind,
            right: Box::new(right),
            on,
        })
    }

    /// One `on` item: `k`, `$left.a == $right.b` (either order), or an `and` of those.
    pub(crate) fn join_condition(
        &mut self,
        e: &'a ast::Expr,
        out: &mut Vec<ir::JoinKey>,
    ) -> LResult<()> {
        match &e.kind {
            ast::ExprKind::Ident(n) if n.name != "$left" && n.name != "$right" => {
                out.push(ir::JoinKey {
                    left: column(n),
                    right: column(n),
                });
                Ok(())
            }
            ast::ExprKind::Binary {
                op: ast::BinaryOp::And,
                lhs,
                rhs,
            } => {
                self.join_condition(lhs, out)?;
                self.join_condition(rhs, out)
            }
            ast::ExprKind::Binary {
                op: ast::BinaryOp::Equal,
                lhs,
                rhs,
            } => match (side(lhs), side(rhs)) {
                (Some(("$left", l)), Some(("$right", r)))
                | (Some(("$right", r)), Some(("$left", l))) => {
                    out.push(ir::JoinKey {
                        left: column(l),
                        right: column(r),
                    });
                    Ok(())
                }
                _ => Err(unsupported(
                    LowerCode::L052,
                    e.span,
                    "a join equality must compare `$left.<column>` with `$right.<column>`",
                )),
            },
            _ => Err(unsupported(
                LowerCode::L052,
                e.span,
                "join conditions must be column names or `$left.a == $right.b` equalities",
            )),
        }
    }
}

/// `$left.x` / `$right.x` as (side, column).
fn side(e: &ast::Expr) -> Option<(&str, &ast::Name)> {
    match &e.kind {
        ast::ExprKind::Member { expr, member } => match &expr.kind {
            ast::ExprKind::Ident(s) if s.name == "$left" || s.name == "$right" => {
                Some((s.name.as_str(), member))
            }
            _ => None,
        },
        _ => None,
    }
}

pub(crate) fn join_kind(value: &ast::Expr) -> Option<ir::JoinKind> {
    use ir::JoinKind as J;
    let ast::ExprKind::Ident(n) = &value.kind else {
        return None;
    };
    Some(match n.name.as_str() {
        "innerunique" => J::InnerUnique,
        "inner" => J::Inner,
        "leftouter" => J::LeftOuter,
        "rightouter" => J::RightOuter,
        "fullouter" => J::FullOuter,
        "leftsemi" => J::LeftSemi,
        "rightsemi" => J::RightSemi,
        "leftanti" | "anti" | "leftantisemi" => J::LeftAnti,
        "rightanti" | "rightantisemi" => J::RightAnti,
        _ => return None,
    })
}

/// A `fullouter` (`rightouter`) join whose right-only rows a later filter drops becomes the
/// `leftouter` (`inner`) join: `L | join kind=fullouter (R) on k | where isnotempty(c)`, with `c`
/// a column of `L`. A right-only row has every left column null, and `isnotempty`/`isnotnull`
/// of null is false, so the filter drops exactly the rows the narrower kind never makes; every
/// other row (a match, a left-only row) is the same under both kinds, with the same columns
/// (Kusto's join docs: the outer kinds give every left column, then every right column). Only
/// `extend`s that do not write `c` and other filters may stand between the join and the
/// filter, and `L`'s columns must be known from the query (a right column of that name would be
/// renamed `c1`, so `c` is then the left one).
pub(crate) fn narrow_outer_joins(query: &mut ir::Query) {
    for j in 0..query.stages.len() {
        let narrower = match &query.stages[j].kind {
            ir::StageKind::Join { kind, .. } => match kind {
                ir::JoinKind::FullOuter => ir::JoinKind::LeftOuter,
                ir::JoinKind::RightOuter => ir::JoinKind::Inner,
                _ => continue,
            },
            _ => continue,
        };
        let left = ir::Query {
            source: query.source.clone(),
            stages: query.stages[..j].to_vec(),
            span: query.span,
        };
        let Some(left_columns) = left.output_columns() else {
            continue;
        };
        let mut written: Vec<&str> = Vec::new();
        let mut drops_right_only = false;
        for s in &query.stages[j + 1..] {
            match &s.kind {
                ir::StageKind::Extend(a) => written.extend(a.iter().map(|a| a.name.name.as_str())),
                ir::StageKind::Filter(p) => {
                    let parts = match &p.kind {
                        ir::PredicateKind::And(ps) => ps.iter().collect(),
                        _ => vec![p],
                    };
                    drops_right_only = parts.iter().any(|p| match &p.kind {
                        ir::PredicateKind::IsEmpty {
                            expr,
                            negated: true,
                        }
                        | ir::PredicateKind::IsNull {
                            expr,
                            negated: true,
                        } => matches!(&expr.kind, ir::ExprKind::Field(f)
                            if f.is_plain() && !f.parsed
                                && left_columns.contains(&f.column)
                                && !written.contains(&f.column.as_str())),
                        _ => false,
                    });
                    if drops_right_only {
                        break;
                    }
                }
                _ => break,
            }
        }
        if drops_right_only {
            if let ir::StageKind::Join { kind, .. } = &mut query.stages[j].kind {
                *kind = narrower;
            }
        }
    }
}
