//! `mv-expand` / legacy `mvexpand` → [`ir::StageKind::MvExpand`]: the items with their output
//! names (as KQL names them), `kind=`/`bagexpansion=`, `with_itemindex=`, `to typeof(…)`, and
//! `limit` (legacy `mvexpand` caps each row at 128 values). The common `mv-apply` form whose
//! subquery only filters and computes per element (`where`, `extend`) is that mv-expand
//! followed by those stages: Kusto's mv-apply page runs the subquery on each row's expanded
//! subtable and unions the results, which for row-by-row operators is the same rows. What
//! the IR cannot hold is a located `L070` refusal.

use super::{column, unsupported, LResult, Lowerer, NameGen};
use crate::codes::LowerCode;
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
                                LowerCode::L070,
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
                            LowerCode::L070,
                            p.value.span,
                            "`with_itemindex=` needs a column name",
                        ))
                    }
                },
                other => {
                    return Err(unsupported(
                        LowerCode::L070,
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
            per_row: None,
        }))
    }

    /// `mv-apply items on (where … | extend …)`: the mv-expand stage; the subquery's stages go
    /// to [`Lowerer::after`].
    pub(crate) fn mv_apply(
        &mut self,
        params: &'a [ast::Param],
        items: &'a [ast::MvItem],
        limit: &'a Option<ast::Expr>,
        subquery: &'a ast::Subquery,
    ) -> LResult<ir::StageKind> {
        let mut index = None;
        for p in params {
            match (p.name.as_str(), &p.value.kind) {
                ("with_itemindex", ast::ExprKind::Ident(n)) => index = Some(column(n)),
                _ => {
                    return Err(unsupported(
                        LowerCode::L070,
                        p.span,
                        format!("mv-apply parameter `{}` is not supported", p.name),
                    ))
                }
            }
        }
        let ast::SubqueryKind::Operators(ops) = &subquery.kind else {
            return Err(unsupported(
                LowerCode::L070,
                subquery.span,
                "an mv-apply subquery that is a whole tabular expression is not supported",
            ));
        };
        let mut names = NameGen::default();
        let mut out = Vec::new();
        for item in items {
            out.push(self.mv_item(item, &mut names)?);
        }
        let limit = match limit {
            Some(e) => Some(self.count(e)?),
            None => None,
        };
        if ops
            .iter()
            .any(|o| matches!(o.kind, ast::OperatorKind::Summarize { .. }))
        {
            return self.mv_apply_summarize(out, index, limit, ops, subquery.span);
        }
        let mut stages = Vec::new();
        self.element_wise(ops, &mut stages, |op| {
            format!(
                "`{op}` inside mv-apply works on each row's elements as a group; only `where` \
                 and `extend` (element by element) are translated"
            )
        })?;
        self.after.extend(stages);
        Ok(ir::StageKind::MvExpand(ir::MvExpand {
            items: out,
            bag: ir::BagExpansion::Bag,
            index,
            limit,
            per_row: None,
        }))
    }

    /// Lowers an mv-apply subquery's `ops` onto `stages`, each a `where` or an `extend`
    /// (element by element); any other operator is refused (L070) with `refusal(its name)`.
    pub(crate) fn element_wise(
        &mut self,
        ops: &'a [ast::Operator],
        stages: &mut Vec<ir::Stage>,
        refusal: impl Fn(&str) -> String,
    ) -> LResult<()> {
        for op in ops {
            match &op.kind {
                ast::OperatorKind::Where { .. } | ast::OperatorKind::Extend(_) => {}
                other => {
                    return Err(unsupported(
                        LowerCode::L070,
                        op.span,
                        refusal(super::operator_name(other)),
                    ))
                }
            }
            self.operator_into(op, stages)?;
        }
        Ok(())
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
                    LowerCode::L070,
                    item.span,
                    "tuple names in mv-expand are not supported",
                ))
            }
        };
        names.taken(&name.name);
        let to = match &item.to_type {
            None => None,
            Some(t) => Some(ir::ValueType::from_kql(&t.name).ok_or_else(|| {
                unsupported(
                    LowerCode::L070,
                    t.span,
                    format!("unknown type `{}`", t.name),
                )
            })?),
        };
        if let ast::ExprKind::Call { function, args } = &item.expr.kind {
            if function.name == "pack_array" {
                let pack = args
                    .iter()
                    .map(|a| self.expr(&a.value))
                    .collect::<LResult<Vec<_>>>()?;
                let Some(first) = pack.first().cloned() else {
                    return Err(unsupported(
                        LowerCode::L070,
                        item.expr.span,
                        "`pack_array()` with no values expands to no row",
                    ));
                };
                return Ok(ir::MvExpandItem {
                    name,
                    expr: first,
                    pack: Some(pack),
                    to,
                    if_empty: None,
                });
            }
        }
        if let Some((array, value)) = self.filled_when_empty_checked(&item.expr)? {
            return Ok(ir::MvExpandItem {
                name,
                expr: self.expr(array)?,
                pack: None,
                to,
                if_empty: Some(value),
            });
        }
        Ok(ir::MvExpandItem {
            name,
            expr: self.expr(&item.expr)?,
            pack: None,
            to,
            if_empty: None,
        })
    }

    /// [`Self::filled_when_empty`], and the located refusal of any other `iff` with a constant
    /// array branch (`iff(array_length(A) > 0, A, dynamic([""]))`, `iff(isempty(s),
    /// dynamic([""]), todynamic(s))`): those send other values than an empty array to the
    /// constant too.
    fn filled_when_empty_checked(
        &mut self,
        e: &'a ast::Expr,
    ) -> LResult<Option<(&'a ast::Expr, ir::Literal)>> {
        if let Some(found) = self.filled_when_empty(e)? {
            return Ok(Some(found));
        }
        let ast::ExprKind::Call { function, args } = &e.kind else {
            return Ok(None);
        };
        let is_array = |a: &ast::Arg| {
            matches!(
                a.value.kind,
                ast::ExprKind::Dynamic(ast::DynValue::Array(_))
            )
        };
        if matches!(function.name.as_str(), "iff" | "iif")
            && args.len() == 3
            && (is_array(&args[1]) || is_array(&args[2]))
        {
            return Err(unsupported(
                LowerCode::L021,
                e.span,
                "mv-expand of `iff(…)` with a constant array is translated in the form \
                 `iff(array_length(A) == 0, dynamic([v]), A)`, the array `A` with an empty array \
                 filled by `v`; this condition sends other values to the constant too (with \
                 `array_length(A) > 0`, a null, a property bag or a scalar, whose array_length \
                 is null; with `isempty(…)`, an empty or missing value while an empty array \
                 still expands to no row), so it is not that filling",
            ));
        }
        Ok(None)
    }

    /// `iff(array_length(A) == 0, dynamic([v]), A)` (the same `A` twice, `v` a string or an
    /// integer constant): the
    /// array `A` and the value `v` its emptiness is replaced by. Kusto's array_length page:
    /// null when the value is not an array, so only an empty array takes the `dynamic([v])`
    /// branch; null, a bag or a scalar is `A` itself.
    fn filled_when_empty(
        &mut self,
        e: &'a ast::Expr,
    ) -> LResult<Option<(&'a ast::Expr, ir::Literal)>> {
        let ast::ExprKind::Call { function, args } = &e.kind else {
            return Ok(None);
        };
        let [cond, then, otherwise] = args.as_slice() else {
            return Ok(None);
        };
        if !matches!(function.name.as_str(), "iff" | "iif") {
            return Ok(None);
        }
        let ast::ExprKind::Binary { op, lhs, rhs } = &cond.value.kind else {
            return Ok(None);
        };
        if *op != ast::BinaryOp::Equal {
            return Ok(None);
        }
        let (len, zero) = match &lhs.kind {
            ast::ExprKind::Call { .. } => (&**lhs, &**rhs),
            _ => (&**rhs, &**lhs),
        };
        let ast::ExprKind::Call {
            function: len_fn,
            args: len_args,
        } = &len.kind
        else {
            return Ok(None);
        };
        let [array] = len_args.as_slice() else {
            return Ok(None);
        };
        if !matches!(len_fn.name.as_str(), "array_length" | "arraylength")
            || array.value != otherwise.value
            || self.literal_value(zero)? != Some(ir::Literal::Long(0))
        {
            return Ok(None);
        }
        let ast::ExprKind::Dynamic(ast::DynValue::Array(items)) = &then.value.kind else {
            return Ok(None);
        };
        let [ast::DynValue::Scalar(one)] = items.as_slice() else {
            return Ok(None);
        };
        match self.literal_value(one)? {
            // A string or an integer: text the same in every target (a real or a bool is
            // spelled differently once it is text, and targets hold expanded values as text).
            Some(v @ (ir::Literal::String(_) | ir::Literal::Long(_))) => {
                Ok(Some((&otherwise.value, v)))
            }
            _ => Ok(None),
        }
    }
}

fn ident(e: &ast::Expr) -> Option<&str> {
    match &e.kind {
        ast::ExprKind::Ident(n) => Some(n.name.as_str()),
        _ => None,
    }
}
