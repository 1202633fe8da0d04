//! `join` → [`ir::StageKind::Join`]: the flavour (`kind=`, default `innerunique`, aliases
//! normalised), the right side lowered as its own query, and the `on` clause as key pairs.
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
        let right = match &j.right.kind {
            ast::ExprKind::Ident(_) | ast::ExprKind::Pipeline(_) => self.pipeline(&j.right)?,
            _ => return Err(unsupported(
                LowerCode::L051,
                j.right.span,
                "the join's right side must be a table, a tabular `let` or a parenthesised query",
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
        Ok(ir::StageKind::Join {
            kind,
            right: Box::new(right),
            on,
        })
    }

    /// One `on` item: `k`, `$left.a == $right.b` (either order), or an `and` of those.
    fn join_condition(&mut self, e: &'a ast::Expr, out: &mut Vec<ir::JoinKey>) -> LResult<()> {
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

fn join_kind(value: &ast::Expr) -> Option<ir::JoinKind> {
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
