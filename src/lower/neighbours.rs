//! `extend n = next(x)` / `extend p = prev(x)` → [`ir::StageKind::Neighbours`]: a column's value
//! on the row after or before this one, in a row set whose order a `sort`/`top` defines.
//!
//! Kusto (`next()`/`prev()` pages): `next(column[, offset[, default_value]])` is the column's
//! value on the row `offset` (default 1) rows after the current one of a serialized row set,
//! `default_value` (default null) where there is no such row. `sort`/`order by` and `top` make a
//! serialized row set; `extend`, `where`, `project` and its family keep it (the `serialize`
//! operator's page). kqlport models offset 1 without a default, as the whole value of an
//! `extend` item, after a `sort`/`top` with only such row-wise stages between; the rest keeps a
//! located refusal.

use super::{unsupported, LResult, Lowerer};
use crate::codes::LowerCode;
use crate::ir;
use crate::kql::ast;

/// `next(…)`/`prev(…)` as the whole value of an item.
fn neighbour_call(e: &ast::Expr) -> Option<(ir::NeighbourDir, &[ast::Arg])> {
    let ast::ExprKind::Call { function, args } = &e.kind else {
        return None;
    };
    match function.name.as_str() {
        "next" => Some((ir::NeighbourDir::Next, args)),
        "prev" => Some((ir::NeighbourDir::Prev, args)),
        _ => None,
    }
}

/// Whether an `extend` has an item whose whole value is `next(…)`/`prev(…)`.
pub(super) fn has_neighbour(items: &[ast::NamedExpr]) -> bool {
    items.iter().any(|i| neighbour_call(&i.expr).is_some())
}

/// One `extend` item: a value computed on this row, or read on a neighbouring one.
pub(super) enum Item {
    Value(ir::Expr),
    Neighbour(ir::NeighbourDir, ir::Expr),
}

impl<'a> Lowerer<'a> {
    /// An `extend` with `next(x)`/`prev(x)` items, after `stages`: its items in order as
    /// `extend` and `neighbours` stages (left to right, as `extend` sees earlier items; a
    /// neighbour item reading a column an item of its own stage writes starts a new stage).
    pub(super) fn extend_with_neighbours(
        &mut self,
        items: &'a [ast::NamedExpr],
        span: crate::source::Span,
        stages: &[ir::Stage],
    ) -> LResult<Vec<ir::Stage>> {
        let lowered = self.named_items(items, "extend", |this, e| match neighbour_call(e) {
            Some((dir, args)) => this.neighbour(dir, args, e, stages),
            None => Ok(Item::Value(this.expr(e)?)),
        })?;
        let mut out: Vec<ir::Stage> = Vec::new();
        for (name, item) in lowered {
            let last = out.last_mut().map(|s| &mut s.kind);
            match (item, last) {
                (Item::Value(expr), Some(ir::StageKind::Extend(a))) => {
                    a.push(ir::Assignment { name, expr })
                }
                (Item::Neighbour(d, expr), Some(ir::StageKind::Neighbours { dir, items }))
                    if *dir == d
                        && !ir::visit::expr_columns(&expr)
                            .iter()
                            .any(|c| items.iter().any(|a| a.name.name == *c)) =>
                {
                    items.push(ir::Assignment { name, expr })
                }
                (Item::Value(expr), _) => out.push(ir::Stage {
                    kind: ir::StageKind::Extend(vec![ir::Assignment { name, expr }]),
                    span,
                }),
                (Item::Neighbour(dir, expr), _) => out.push(ir::Stage {
                    kind: ir::StageKind::Neighbours {
                        dir,
                        items: vec![ir::Assignment { name, expr }],
                    },
                    span,
                }),
            }
        }
        Ok(out)
    }

    fn neighbour(
        &mut self,
        dir: ir::NeighbourDir,
        args: &'a [ast::Arg],
        call: &'a ast::Expr,
        stages: &[ir::Stage],
    ) -> LResult<Item> {
        let name = dir.kql_name();
        let refuse = |span, why: String| {
            Err(unsupported(
                LowerCode::L027,
                span,
                format!("`{name}()` {why}"),
            ))
        };
        let (column, rest) = match args {
            [c, rest @ ..] if rest.len() <= 2 => (c, rest),
            _ => {
                return Err(unsupported(
                    LowerCode::L026,
                    call.span,
                    format!("`{name}()` takes 1 to 3 arguments"),
                ))
            }
        };
        if let Some(offset) = rest.first() {
            if !matches!(
                offset.value.kind,
                ast::ExprKind::Literal(ast::Literal::Long(1))
            ) {
                return refuse(
                    offset.span,
                    "is translated with an offset of 1 only (the row right after or before): \
                     another row's value needs a window the targets' commands count differently"
                        .into(),
                );
            }
        }
        if let Some(default) = rest.get(1) {
            return refuse(
                default.span,
                "is translated without a default value only (null where there is no such row): \
                 the targets' window commands do not tell a missing row from a null value"
                    .into(),
            );
        }
        let mut expr = self.expr(&column.value)?;
        // The value is the call's: notes on it lie within this span (`filtered_values`).
        expr.span = call.span;
        if !matches!(&expr.kind, ir::ExprKind::Field(f) if f.is_plain()) {
            return refuse(
                column.span,
                "reads a column; here it is given an expression".into(),
            );
        }
        // The row set must be in a defined order: a sort or top, then only stages that keep
        // each row as it is.
        let ordered = stages
            .iter()
            .rev()
            .find(|s| !s.kind.is_row_wise() && !matches!(s.kind, ir::StageKind::Neighbours { .. }));
        match ordered.map(|s| &s.kind) {
            Some(ir::StageKind::Sort(_) | ir::StageKind::Top { .. }) => {}
            _ => {
                return refuse(
                    call.span,
                    "reads a neighbouring row of a serialized (ordered) row set; it is translated \
                     after a `sort`/`order by` or `top` with only `where`, `extend` and the \
                     `project` family between"
                        .into(),
                )
            }
        }
        Ok(Item::Neighbour(dir, expr))
    }
}
