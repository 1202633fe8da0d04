//! `datatable` rows read as constants: `x in (D)` with `D` a datatable (directly or through a
//! tabular `let`) tests `x` against the datatable's first column, the same as `in` over a list
//! of those values. Owns the refusals (`L010`) of a datatable whose values are not constants of
//! their column's type, or whose value count is not a whole number of rows.

use super::{unsupported, Binding, LResult, Lowerer};
use crate::codes::LowerCode;
use crate::ir;
use crate::kql::ast;
use crate::source::Span;

/// How many tabular `let`s deep a datatable is looked for (`let a = b; let b = datatable(…)`).
const MAX_LET_HOPS: usize = 64;

impl<'a> Lowerer<'a> {
    /// The datatable `item` is when it has no operators after it, read directly or through
    /// tabular `let`s.
    pub(crate) fn datatable_of(&self, item: &'a ast::Expr) -> Option<(&'a ast::Datatable, Span)> {
        let mut cur = item;
        for _ in 0..MAX_LET_HOPS {
            match &cur.kind {
                ast::ExprKind::Pipeline(p) if p.operators.is_empty() => {
                    return match &p.source.kind {
                        ast::SourceKind::Datatable(d) => Some((d, p.source.span)),
                        ast::SourceKind::Expr(e) => self.datatable_of(e),
                        _ => None,
                    };
                }
                ast::ExprKind::Ident(n) if !self.expanding.contains(&n.name) => {
                    match self.lets.get(&n.name) {
                        // `let b = a;` with `a` tabular is tabular too, though it reads as a
                        // name.
                        Some(Binding::Tabular(e) | Binding::Scalar(e)) => cur = e,
                        _ => return None,
                    }
                }
                _ => return None,
            }
        }
        None
    }

    /// The values of a datatable's first column, row by row (duplicates kept: `in` does not
    /// care), each checked to be a constant of the column's declared type.
    pub(crate) fn datatable_first_column(
        &mut self,
        table: &'a ast::Datatable,
        span: Span,
    ) -> LResult<Vec<ir::Literal>> {
        let width = table.columns.len();
        if width == 0 || !table.values.len().is_multiple_of(width) {
            return Err(unsupported(
                LowerCode::L010,
                span,
                format!(
                    "the datatable has {} value(s) for {width} column(s), not a whole number of rows",
                    table.values.len()
                ),
            ));
        }
        let column = &table.columns[0];
        let mut out = Vec::new();
        for value in table.values.iter().step_by(width) {
            let literal = self.literal_value(value)?;
            match literal {
                Some(l) if of_type(&l, &column.ty.name) => out.push(l),
                _ => {
                    return Err(unsupported(
                        LowerCode::L010,
                        value.span,
                        format!(
                        "this datatable value is not a constant of its column's type (`{}:{}`); \
                             only such values are read as an `in` list",
                        column.name.name, column.ty.name
                    ),
                    ))
                }
            }
        }
        Ok(out)
    }
}

/// Whether a constant is a value of the declared datatable column type (KQL's type names and
/// their synonyms); `dynamic`, `guid`, `decimal` and nulls are never read as constants here.
fn of_type(l: &ir::Literal, ty: &str) -> bool {
    match l {
        ir::Literal::String(_) => ty == "string",
        ir::Literal::Long(_) => matches!(ty, "int" | "long" | "int64" | "int32"),
        ir::Literal::Real(_) => matches!(ty, "real" | "double"),
        ir::Literal::Bool(_) => matches!(ty, "bool" | "boolean"),
        ir::Literal::DateTime(_) => matches!(ty, "datetime" | "date"),
        ir::Literal::Timespan(_) => matches!(ty, "timespan" | "time"),
        ir::Literal::Null => false,
    }
}
