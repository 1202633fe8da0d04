//! `mv-expand` / legacy `mvexpand` → [`ir::StageKind::MvExpand`]: the items with their output
//! names (as KQL names them), `kind=`/`bagexpansion=`, `with_itemindex=`, `to typeof(…)`, and
//! `limit` (legacy `mvexpand` caps each row at 128 values). What the IR cannot hold is a
//! located `L070` refusal.

use super::{column, unsupported, LResult, Lowerer, NameGen};
use crate::ir;
use crate::kql::ast;

/// Legacy `mvexpand`'s implicit row limit (Kusto's mv-expand page: "The legacy version has a
/// default row limit of 128").
const LEGACY_LIMIT: u64 = 128;

impl<'a> Lowerer<'a> {
    pub(crate) fn mv_expand(&mut self, m: &'a ast::MvExpand) -> LResult<ir::StageKind> {
        let mut bag = ir::BagExpansion::Bag;
        let mut index = None;
        for p in &m.params {
            match p.name.as_str() {
                "kind" | "bagexpansion" => {
                    bag = match ident(&p.value) {
                        Some("bag") => ir::BagExpansion::Bag,
                        Some("array") => ir::BagExpansion::Array,
                        _ => {
                            return Err(unsupported(
                                "L070",
                                p.value.span,
                                "unknown mv-expand kind; expected `bag` or `array`",
                            ))
                        }
                    }
                }
                "with_itemindex" => match &p.value.kind {
                    ast::ExprKind::Ident(n) => index = Some(column(n)),
                    _ => {
                        return Err(unsupported(
                            "L070",
                            p.value.span,
                            "`with_itemindex=` needs a column name",
                        ))
                    }
                },
                other => {
                    return Err(unsupported(
                        "L070",
                        p.span,
                        format!("mv-expand parameter `{other}` is not supported"),
                    ))
                }
            }
        }
        let mut names = NameGen::default();
        let mut items = Vec::new();
        for item in &m.items {
            items.push(self.mv_item(item, &mut names)?);
        }
        let limit = match &m.limit {
            Some(e) => Some(self.count(e)?),
            None if m.keyword == ast::MvExpandKeyword::Mvexpand => Some(LEGACY_LIMIT),
            None => None,
        };
        Ok(ir::StageKind::MvExpand(ir::MvExpand {
            items,
            bag,
            index,
            limit,
        }))
    }

    /// One `[Name =] Expr [to typeof(T)]` item (mv-expand and mv-apply alike).
    pub(crate) fn mv_item(
        &mut self,
        item: &'a ast::MvItem,
        names: &mut NameGen,
    ) -> LResult<ir::MvExpandItem> {
        let name = match item.names.as_slice() {
            [one] => column(one),
            [] => match &item.expr.kind {
                ast::ExprKind::Ident(n) if self.scalar_let(&n.name).is_none() => column(n),
                _ => ir::Column {
                    name: names.for_expr(&item.expr),
                    span: item.expr.span,
                },
            },
            _ => {
                return Err(unsupported(
                    "L070",
                    item.span,
                    "tuple names in mv-expand are not supported",
                ))
            }
        };
        names.taken(&name.name);
        let to = match &item.to_type {
            None => None,
            Some(t) => Some(ir::ValueType::from_kql(&t.name).ok_or_else(|| {
                unsupported("L070", t.span, format!("unknown type `{}`", t.name))
            })?),
        };
        Ok(ir::MvExpandItem {
            name,
            expr: self.expr(&item.expr)?,
            to,
        })
    }
}

fn ident(e: &ast::Expr) -> Option<&str> {
    match &e.kind {
        ast::ExprKind::Ident(n) => Some(n.name.as_str()),
        _ => None,
    }
}
