//! `evaluate ipv4_lookup(Table, key, range [, return_unmatched])` → [`ir::StageKind::Ipv4Lookup`]
//! when `Table` is an `externaldata` list (a named lookup the user fills, whose columns the query
//! declares). Microsoft's ipv4_lookup page: the result is "a join (lookup) based on the IPv4 key",
//! its schema "the union of the source table and the lookup table, similar to the result of the
//! lookup operator"; `return_unmatched` (default false) keeps the unmatched rows too, the lookup
//! columns null. Refused, each located: extra equality keys, a datatable, a watchlist (its columns are not
//! declared, so neither the output columns nor a target's output fields are known), a lookup
//! table (externaldata or watchlist) the query filters or reshapes first, a range column the table does not declare, and a
//! lookup column named like a column the rows already have.

use super::{column, unsupported, LResult, Lowerer};
use crate::codes::LowerCode;
use crate::ir;
use crate::kql::ast;
use crate::source::Span;

impl<'a> Lowerer<'a> {
    /// The stage of `evaluate ipv4_lookup(…)` (`args` its arguments), or its refusal.
    pub(crate) fn ipv4_lookup(
        &mut self,
        args: &'a [ast::Arg],
        span: Span,
    ) -> LResult<ir::StageKind> {
        let mut keep_unmatched = false;
        let mut positional = Vec::new();
        for a in args {
            match &a.name {
                Some(n) if n.name == "return_unmatched" => {
                    keep_unmatched = self.unmatched_flag(&a.value)?
                }
                Some(n) => {
                    return Err(unsupported(
                        LowerCode::L013,
                        n.span,
                        format!("`ipv4_lookup` has no parameter `{}`", n.name),
                    ))
                }
                None => positional.push(a),
            }
        }
        // A trailing constant bool is `return_unmatched` written positionally.
        if positional.len() == 4 {
            if let ast::ExprKind::Literal(ast::Literal::Bool(b)) = positional[3].value.kind {
                keep_unmatched = b;
                positional.pop();
            }
        }
        let [table, key, range] = positional.as_slice() else {
            let at = positional.get(3).map_or(span, |a| a.span);
            return Err(unsupported(
                LowerCode::L013,
                at,
                "`ipv4_lookup` with extra key columns (matched by equality besides the range) \
                 is not translated; it takes the lookup table, the address column and the range \
                 column, then optionally `return_unmatched`",
            ));
        };
        let key = plain_column(key, "address")?;
        let range = plain_column(range, "range")?;
        if self.datatable_of(&table.value).is_some() {
            return Err(unsupported(
                LowerCode::L013,
                table.span,
                "`ipv4_lookup` over a `datatable` is not translated yet (an `externaldata` \
                 table is: a lookup the user fills)",
            ));
        }
        let table_query = self.pipeline_of(&table.value)?;
        let lookup =
            match &table_query.source.kind {
                ir::SourceKind::Lookup(l) if !l.is_watchlist() && table_query.stages.is_empty() => {
                    l.clone()
                }
                ir::SourceKind::Lookup(l) if l.is_watchlist() && table_query.stages.is_empty() => {
                    return Err(unsupported(
                        LowerCode::L013,
                        table.span,
                        "`ipv4_lookup` over a watchlist is not translated: its columns are not \
                     declared in the query, so the columns the lookup adds are not known (an \
                     `externaldata` table declares them)",
                    ))
                }
                ir::SourceKind::Lookup(_) => return Err(unsupported(
                    LowerCode::L013,
                    table.span,
                    "`ipv4_lookup` over a watchlist or `externaldata` table the query filters or \
                     reshapes first is not translated: a target's lookup matches the whole stored \
                     table",
                )),
                _ => return Err(unsupported(
                    LowerCode::L013,
                    table.span,
                    "`ipv4_lookup` is translated when its lookup table is an `externaldata` list \
                     (a lookup the user fills, with declared columns); this table is computed by \
                     a query",
                )),
            };
        if !lookup.columns.iter().any(|c| c.name == range.name) {
            return Err(unsupported(
                LowerCode::L013,
                range.span,
                format!(
                    "`{}` is not a column the `externaldata` table declares",
                    range.name
                ),
            ));
        }
        if let Some(c) = lookup.columns.iter().find(|c| c.name == key.name) {
            return Err(unsupported(
                LowerCode::L013,
                key.span,
                format!(
                    "the lookup table also has a column `{}`, the address column's name; \
                     Microsoft's page does not say which value the output keeps",
                    c.name
                ),
            ));
        }
        Ok(ir::StageKind::Ipv4Lookup(ir::Ipv4Lookup {
            table: lookup,
            table_span: table.span,
            key,
            range,
            keep_unmatched,
        }))
    }

    fn unmatched_flag(&mut self, e: &'a ast::Expr) -> LResult<bool> {
        match self.literal_value(e)? {
            Some(ir::Literal::Bool(b)) => Ok(b),
            _ => Err(unsupported(
                LowerCode::L013,
                e.span,
                "`return_unmatched` is translated when it is a constant `true` or `false`",
            )),
        }
    }
}

/// A column named by an `ipv4_lookup` argument (`what`: which one, for the refusal).
fn plain_column(a: &ast::Arg, what: &str) -> LResult<ir::Column> {
    match &a.value.kind {
        ast::ExprKind::Ident(n) => Ok(column(n)),
        _ => Err(unsupported(
            LowerCode::L013,
            a.span,
            format!("the {what} argument of `ipv4_lookup` must name a column"),
        )),
    }
}
