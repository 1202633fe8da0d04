//! `summarize`: group keys (with `bin()` as fixed buckets) and aggregate calls with KQL's
//! default output names resolved. Owns aggregation shape only.

use super::names::{aggregate_default, converted_aggregate, inferred, NameGen};
use super::{unsupported, LResult, Lowerer};
use crate::codes::LowerCode;
use crate::ir;
use crate::kql::ast;

/// Aggregate function names KQL accepts in `summarize` (the ones lowering models and the ones it
/// refuses), so that an expression over them is recognised as computing on aggregates.
pub(crate) const AGGREGATES: &[&str] = &[
    "count",
    "countif",
    "dcount",
    "dcountif",
    "count_distinct",
    "count_distinctif",
    "make_set",
    "makeset",
    "make_list",
    "makelist",
    "make_set_if",
    "make_list_if",
    "make_bag",
    "make_bag_if",
    "maxif",
    "minif",
    "sumif",
    "avgif",
    "arg_max",
    "argmax",
    "arg_min",
    "argmin",
    "min",
    "max",
    "sum",
    "avg",
    "take_any",
    "take_anyif",
    "any",
    "anyif",
    "percentile",
    "percentiles",
    "percentilesw",
    "stdev",
    "stdevif",
    "variance",
    "varianceif",
    "binary_all_or",
    "binary_all_and",
    "binary_all_xor",
    "hll",
    "hll_merge",
    "tdigest",
    "tdigest_merge",
    "dcount_hll",
];

/// One aggregate to lower: the names written before `=`, an optional name chosen by lowering
/// (for the hidden columns of computed aggregates), the call and its span.
#[derive(Clone, Copy)]
pub(crate) struct AggItem<'a, 'n> {
    pub names: &'a [ast::Name],
    pub explicit: Option<&'n str>,
    pub expr: &'a ast::Expr,
    pub span: crate::source::Span,
}

impl<'a> AggItem<'a, 'static> {
    fn of(item: &'a ast::NamedExpr) -> Self {
        AggItem {
            names: &item.names,
            explicit: None,
            expr: &item.expr,
            span: item.span,
        }
    }
}

fn is_aggregate_call(e: &ast::Expr) -> bool {
    matches!(&e.kind, ast::ExprKind::Call { function, .. } if AGGREGATES.contains(&function.name.as_str()))
}

impl<'a> Lowerer<'a> {
    pub(crate) fn summarize(
        &mut self,
        aggregates: &'a [ast::NamedExpr],
        by: &'a [ast::NamedExpr],
    ) -> LResult<(Vec<ir::GroupKey>, Vec<ir::Aggregation>)> {
        let mut names = NameGen::default();
        let mut keys = Vec::new();
        for item in by {
            let kind = self.group_key(&item.expr)?;
            let name = match item.names.as_slice() {
                [one] => one.name.clone(),
                // `bin(T, 1h)` is `T` by the same rule as any other key (names.rs).
                [] => names.for_expr(&item.expr),
                _ => {
                    return Err(unsupported(
                        LowerCode::L040,
                        item.span,
                        "tuple names on a `by` key are not supported",
                    ))
                }
            };
            let name = names.unique(&name);
            keys.push(ir::GroupKey {
                name: ir::Column {
                    name,
                    span: item.span,
                },
                kind,
                operands: Default::default(),
            });
        }
        let mut aggs = Vec::new();
        let mut computed = Vec::new();
        let mut hidden = Vec::new();
        for item in aggregates {
            if is_aggregate_call(&item.expr) {
                self.aggregate(AggItem::of(item), &mut names, &mut aggs)?;
            } else {
                // `f(agg(x), …)`: aggregate into hidden columns, compute after the summarize.
                let (assignment, temps) = self.computed_aggregate(item, &mut names, &mut aggs)?;
                computed.push(assignment);
                hidden.extend(temps);
            }
        }
        if !computed.is_empty() {
            let span = aggregates
                .first()
                .map_or(crate::source::Span::default(), |a| a.span);
            self.after.push(ir::Stage {
                kind: ir::StageKind::Extend(computed),
                span,
            });
            self.after.push(ir::Stage {
                kind: ir::StageKind::ProjectAway(
                    hidden
                        .into_iter()
                        .map(|c: ir::Column| ir::ColumnPattern {
                            pattern: c.name,
                            span: c.span,
                        })
                        .collect(),
                ),
                span,
            });
        }
        Ok((keys, aggs))
    }

    /// An expression over aggregates (`array_sort_asc(make_set(x))`, `max(t) - min(t)`): each
    /// aggregate call becomes a hidden column of the summarize, and the expression an `extend`
    /// over them afterwards. Returns the assignment and the hidden columns to drop.
    fn computed_aggregate(
        &mut self,
        item: &'a ast::NamedExpr,
        names: &mut NameGen,
        aggs: &mut Vec<ir::Aggregation>,
    ) -> LResult<(ir::Assignment, Vec<ir::Column>)> {
        if !contains_aggregate(&item.expr) {
            return Err(unsupported(
                LowerCode::L042,
                item.expr.span,
                "a `summarize` item must be an aggregate such as count() or make_set(x)",
            ));
        }
        let name = match item.names.as_slice() {
            [] => converted_aggregate(&item.expr).unwrap_or_else(|| names.for_expr(&item.expr)),
            [one] => one.name.clone(),
            _ => {
                return Err(unsupported(
                    LowerCode::L040,
                    item.span,
                    "tuple names in `summarize` are not supported",
                ))
            }
        };
        let name = names.unique(&name);
        let before = aggs.len();
        self.agg_capture = Some(Vec::new());
        let expr = self.expr(&item.expr);
        let captured = self.agg_capture.take().unwrap_or_default();
        let expr = expr?;
        let mut temps = Vec::new();
        for (temp, call) in captured {
            let mut scratch = NameGen::default();
            self.aggregate(
                AggItem {
                    names: &[],
                    explicit: Some(&temp),
                    expr: call,
                    span: call.span,
                },
                &mut scratch,
                aggs,
            )?;
            temps.push(ir::Column {
                name: temp,
                span: call.span,
            });
        }
        debug_assert!(aggs.len() >= before);
        Ok((
            ir::Assignment {
                name: ir::Column {
                    name,
                    span: item.span,
                },
                expr,
            },
            temps,
        ))
    }

    fn group_key(&mut self, e: &'a ast::Expr) -> LResult<ir::GroupKeyKind> {
        if let ast::ExprKind::Call { function, args } = &e.kind {
            if function.name == "bin" && args.len() == 2 {
                let size = match self.literal_value(&args[1].value)? {
                    Some(ir::Literal::Timespan(d)) if d.ticks > 0 => ir::BinSize::Duration(d),
                    Some(ir::Literal::Long(n)) if n > 0 => ir::BinSize::Number(n as f64),
                    Some(ir::Literal::Real(n)) if n > 0.0 => ir::BinSize::Number(n),
                    _ => {
                        return Err(unsupported(
                            LowerCode::L041,
                            args[1].span,
                            "the bin size must be a positive constant",
                        ))
                    }
                };
                return Ok(ir::GroupKeyKind::Bin {
                    field: self.expr(&args[0].value)?,
                    size,
                });
            }
        }
        Ok(ir::GroupKeyKind::Expr(self.expr(e)?))
    }

    pub(crate) fn aggregate(
        &mut self,
        item: AggItem<'a, '_>,
        names: &mut NameGen,
        out: &mut Vec<ir::Aggregation>,
    ) -> LResult<()> {
        let ast::ExprKind::Call { function, args } = &item.expr.kind else {
            return Err(unsupported(
                LowerCode::L042,
                item.expr.span,
                "computing on aggregates inside `summarize` is not supported; summarize, then extend",
            ));
        };
        let fname_early = function.name.as_str();
        if item.names.len() > 1
            && !matches!(fname_early, "arg_max" | "argmax" | "arg_min" | "argmin")
        {
            return Err(unsupported(
                LowerCode::L040,
                item.span,
                "tuple names in `summarize` are not supported",
            ));
        }
        let fname = function.name.as_str();
        let arg = |i: usize| args.get(i).map(|a| &a.value);
        let explicit = item
            .explicit
            .map(str::to_string)
            .or_else(|| item.names.first().map(|n| n.name.clone()));
        let span = item.expr.span;
        let needs = |n: usize| -> LResult<()> {
            if args.len() == n {
                Ok(())
            } else {
                Err(unsupported(
                    LowerCode::L043,
                    span,
                    format!(
                        "`{fname}()` with {} argument(s) is not supported",
                        args.len()
                    ),
                ))
            }
        };
        let optional_max = |cx: &mut Self| -> LResult<Option<u64>> {
            match arg(1) {
                None => Ok(None),
                Some(e) => match cx.literal_value(e)? {
                    Some(ir::Literal::Long(n)) if n > 0 => Ok(Some(n as u64)),
                    _ => Err(unsupported(
                        LowerCode::L043,
                        e.span,
                        "the size limit must be a positive constant",
                    )),
                },
            }
        };
        let func = match fname {
            "count" => {
                if !args.is_empty() {
                    return Err(unsupported(
                        LowerCode::L043,
                        span,
                        "`count(x)` with an argument is not documented by KQL (only `count()` \
                         is), and Microsoft's Kusto.Language analyzer accepts only a bool there, \
                         so what it counts for other values (nulls? empty strings?) is unknown; \
                         write count() or countif(isnotempty(x))",
                    ));
                }
                ir::AggFunc::Count
            }
            "countif" => {
                needs(1)?;
                ir::AggFunc::CountIf(self.predicate(&args[0].value)?)
            }
            "dcount" => {
                if args.is_empty() || args.len() > 2 {
                    needs(1)?;
                }
                ir::AggFunc::DCount(self.expr(&args[0].value)?)
            }
            "dcountif" => {
                if args.len() < 2 || args.len() > 3 {
                    needs(2)?;
                }
                ir::AggFunc::DCountIf(self.expr(&args[0].value)?, self.predicate(&args[1].value)?)
            }
            "count_distinct" => {
                needs(1)?;
                ir::AggFunc::CountDistinct(self.expr(&args[0].value)?)
            }
            // `count_distinctif(x, p)` counts the distinct values of `iff(p, x, null)`: nulls
            // are not counted.
            "count_distinctif" => {
                needs(2)?;
                let value = self.expr(&args[0].value)?;
                let when = self.predicate(&args[1].value)?;
                ir::AggFunc::CountDistinct(value_if(when, value, item.expr.span))
            }
            // `take_anyif(x, p)` is `take_any(iff(p, x, null))`: a value of `x` from a row where
            // `p` holds, null when it holds on none (Kusto's take_anyif page), and like
            // `take_any` it "attempts to return a non-null/non-empty value".
            "take_anyif" => {
                needs(2)?;
                let value = self.expr(&args[0].value)?;
                let when = self.predicate(&args[1].value)?;
                ir::AggFunc::TakeAny(value_if(when, value, item.expr.span))
            }
            "make_set" | "makeset" | "make_list" | "makelist" => {
                if args.is_empty() || args.len() > 2 {
                    needs(1)?;
                }
                let expr = self.expr(&args[0].value)?;
                let max = optional_max(self)?;
                if fname.contains("set") {
                    ir::AggFunc::MakeSet { expr, max }
                } else {
                    ir::AggFunc::MakeList { expr, max }
                }
            }
            // `make_set_if(x, p)` is `make_set(iff(p, x, null))`: every one of these aggregates
            // ignores nulls, in KQL and in every target.
            "make_set_if" | "make_list_if" | "maxif" | "minif" | "sumif" | "avgif" => {
                if args.len() < 2 || args.len() > 3 {
                    needs(2)?;
                }
                let value = self.expr(&args[0].value)?;
                let when = self.predicate(&args[1].value)?;
                let expr = ir::Expr {
                    span: item.expr.span,
                    kind: ir::ExprKind::Case {
                        branches: vec![(when, value)],
                        otherwise: Box::new(ir::Expr {
                            kind: ir::ExprKind::Literal(ir::Literal::Null),
                            span: item.expr.span,
                        }),
                    },
                };
                let max = match args.get(2) {
                    None => None,
                    Some(a) => match self.literal_value(&a.value)? {
                        Some(ir::Literal::Long(n)) if n > 0 => Some(n as u64),
                        _ => {
                            return Err(unsupported(
                                LowerCode::L043,
                                a.span,
                                "the size limit must be a positive constant",
                            ))
                        }
                    },
                };
                match fname {
                    "make_set_if" => ir::AggFunc::MakeSet { expr, max },
                    "make_list_if" => ir::AggFunc::MakeList { expr, max },
                    "maxif" => ir::AggFunc::Max(expr),
                    "minif" => ir::AggFunc::Min(expr),
                    "sumif" => ir::AggFunc::Sum(expr),
                    _ => ir::AggFunc::Avg(expr),
                }
            }
            "take_any" if matches!(args.as_slice(), [a] if matches!(a.value.kind, ast::ExprKind::Star)) => {
                return self.take_any_row(item, out);
            }
            "take_any" | "any" if args.len() > 1 => {
                return self.take_any_many(item, fname, args, names, out);
            }
            "arg_max" | "argmax" | "arg_min" | "argmin" => {
                return self.arg_extreme(item, fname, args, names, out);
            }
            "min" | "max" | "sum" | "avg" | "stdev" | "take_any" | "any" => {
                needs(1)?;
                if matches!(args[0].value.kind, ast::ExprKind::Star) {
                    let why = if fname == "any" {
                        "the deprecated `any(*)` names every column `any_<column>`, after the \
                         table's actual columns, which kqlport does not know; write `take_any(*)`"
                            .to_string()
                    } else {
                        format!("`{fname}(*)` is not an aggregate of KQL")
                    };
                    return Err(unsupported(LowerCode::L043, args[0].span, why));
                }
                let e = self.expr(&args[0].value)?;
                match fname {
                    "min" => ir::AggFunc::Min(e),
                    "max" => ir::AggFunc::Max(e),
                    "sum" => ir::AggFunc::Sum(e),
                    "avg" => ir::AggFunc::Avg(e),
                    "stdev" => ir::AggFunc::Stdev(e),
                    _ => ir::AggFunc::TakeAny(e),
                }
            }
            // Kusto's percentiles page: an estimate from a T-Digest summary of the group,
            // bounded on the rank (not the value) and exact only at 0 and 100.
            "percentile" | "percentiles" | "percentilesw" => {
                return Err(unsupported(
                    LowerCode::L044,
                    function.span,
                    format!(
                        "`{fname}()` is KQL's estimate from a T-Digest summary of the group (its \
                         error is bounded on the rank, not the value); Splunk's `perc` and \
                         ES|QL's `PERCENTILE` estimate with summaries of their own, so the value, \
                         and a test or a group on it, can differ either way"
                    ),
                ))
            }
            "binary_all_or" | "binary_all_and" | "binary_all_xor" => {
                return Err(unsupported(
                    LowerCode::L044,
                    function.span,
                    format!(
                        "`{fname}()` combines the group's values bit by bit; neither Splunk's \
                         `stats` nor ES|QL's `STATS` has a bitwise aggregate"
                    ),
                ))
            }
            "make_bag" | "make_bag_if" => {
                return Err(unsupported(
                    LowerCode::L044,
                    function.span,
                    format!("`{fname}()` merges dynamic property bags (objects) into one; the IR has no object values (ES|QL has none at all)"),
                ))
            }
            _ => {
                return Err(Box::new(
                    crate::diag::Diagnostic::error(
                        LowerCode::L044,
                        format!("the aggregate `{fname}()` is not supported yet"),
                        function.span,
                    )
                    .with_label("not translatable yet"),
                ))
            }
        };
        let base = explicit
            .or_else(|| aggregate_default(fname, arg(0)))
            .unwrap_or_else(|| names.for_expr(item.expr));
        out.push(ir::Aggregation {
            name: ir::Column {
                name: names.unique(&base),
                span: item.span,
            },
            func,
            span: item.span,
        });
        Ok(())
    }

    /// `take_any(*)`: the input's columns but the group keys, all from one arbitrary row of the
    /// group ([`ir::AggFunc::AnyRow`], named `*`: it has no column of its own).
    fn take_any_row(
        &mut self,
        item: AggItem<'a, '_>,
        out: &mut Vec<ir::Aggregation>,
    ) -> LResult<()> {
        if item.explicit.is_some() || !item.names.is_empty() {
            return Err(unsupported(
                LowerCode::L040,
                item.span,
                "naming `take_any(*)` is not supported: it outputs the input's columns under their own names",
            ));
        }
        out.push(ir::Aggregation {
            name: ir::Column {
                name: "*".to_string(),
                span: item.span,
            },
            func: ir::AggFunc::AnyRow,
            span: item.span,
        });
        Ok(())
    }

    /// `take_any(a, b, c)`: one value per column, all from one row in KQL. Lowered to one
    /// `take_any` per column, which may pick the values from different rows.
    fn take_any_many(
        &mut self,
        item: AggItem<'a, '_>,
        fname: &str,
        args: &'a [ast::Arg],
        names: &mut NameGen,
        out: &mut Vec<ir::Aggregation>,
    ) -> LResult<()> {
        if !item.names.is_empty() {
            return Err(unsupported(
                LowerCode::L040,
                item.span,
                format!("naming a multi-column `{fname}()` is not supported"),
            ));
        }
        if args
            .iter()
            .any(|a| matches!(a.value.kind, ast::ExprKind::Star))
        {
            return Err(unsupported(
                LowerCode::L043,
                item.span,
                format!(
                    "`{fname}(*)` returns every input column but the group keys, all from one \
                     arbitrary row; which columns those are depends on the table's actual \
                     schema, which kqlport does not know, so it is not supported"
                ),
            ));
        }
        self.note(
            item.span,
            crate::backend::Effect::Values,
            format!("`{fname}()` of several columns is translated column by column: the values may come from different rows"),
        );
        for a in args {
            let base = match fname {
                "any" => format!("any_{}", inferred(&a.value).unwrap_or_default()),
                _ => inferred(&a.value).unwrap_or_else(|| names.for_expr(&a.value)),
            };
            out.push(ir::Aggregation {
                name: ir::Column {
                    name: names.unique(&base),
                    span: a.span,
                },
                func: ir::AggFunc::TakeAny(self.expr(&a.value)?),
                span: a.span,
            });
        }
        Ok(())
    }

    /// `arg_max(by, cols…)`: the output columns are `by` (or the explicit name) then each column.
    fn arg_extreme(
        &mut self,
        item: AggItem<'a, '_>,
        fname: &str,
        args: &'a [ast::Arg],
        names: &mut NameGen,
        out: &mut Vec<ir::Aggregation>,
    ) -> LResult<()> {
        let Some((first, rest)) = args.split_first() else {
            return Err(unsupported(
                LowerCode::L043,
                item.span,
                format!("`{fname}()` needs arguments"),
            ));
        };
        let by = self.expr(&first.value)?;
        // `(t, a) = arg_max(T, A)` names the output columns in order.
        if item.names.len() > 1 && item.names.len() != args.len() {
            return Err(unsupported(
                LowerCode::L040,
                item.span,
                format!(
                    "`{fname}()` has {} output columns but {} names",
                    args.len(),
                    item.names.len()
                ),
            ));
        }
        let base = item
            .explicit
            .map(str::to_string)
            .or_else(|| item.names.first().map(|n| n.name.clone()))
            .or_else(|| inferred(&first.value))
            .unwrap_or_else(|| names.for_expr(&first.value));
        let name = names.unique(&base);
        let mut cols = Vec::new();
        let star = rest
            .iter()
            .any(|a| matches!(a.value.kind, ast::ExprKind::Star));
        if !star {
            for (i, a) in rest.iter().enumerate() {
                let col_name = match (&a.name, item.names.get(i + 1)) {
                    (Some(n), _) | (None, Some(n)) => n.name.clone(),
                    (None, None) => inferred(&a.value).unwrap_or_else(|| names.for_expr(&a.value)),
                };
                cols.push(ir::Assignment {
                    name: ir::Column {
                        name: names.unique(&col_name),
                        span: a.span,
                    },
                    expr: self.expr(&a.value)?,
                });
            }
        } else if rest.len() > 1 {
            return Err(unsupported(
                LowerCode::L043,
                item.span,
                format!("`{fname}(x, *, …)` mixing `*` with columns is not supported"),
            ));
        }
        let func = if fname.contains("max") {
            ir::AggFunc::ArgMax { by, cols }
        } else {
            ir::AggFunc::ArgMin { by, cols }
        };
        out.push(ir::Aggregation {
            name: ir::Column {
                name,
                span: item.span,
            },
            func,
            span: item.span,
        });
        Ok(())
    }
}

fn contains_aggregate(e: &ast::Expr) -> bool {
    if is_aggregate_call(e) {
        return true;
    }
    match &e.kind {
        ast::ExprKind::Call { args, .. } => args.iter().any(|a| contains_aggregate(&a.value)),
        ast::ExprKind::Binary { lhs, rhs, .. } => {
            contains_aggregate(lhs) || contains_aggregate(rhs)
        }
        ast::ExprKind::Unary { expr, .. } | ast::ExprKind::Member { expr, .. } => {
            contains_aggregate(expr)
        }
        ast::ExprKind::Index { expr, index } => {
            contains_aggregate(expr) || contains_aggregate(index)
        }
        _ => false,
    }
}

/// `iff(when, value, null)`: the value where the condition holds, null elsewhere (what the
/// `…if` aggregates aggregate).
fn value_if(when: ir::Predicate, value: ir::Expr, span: crate::source::Span) -> ir::Expr {
    ir::Expr {
        span,
        kind: ir::ExprKind::Case {
            branches: vec![(when, value)],
            otherwise: Box::new(ir::Expr {
                kind: ir::ExprKind::Literal(ir::Literal::Null),
                span,
            }),
        },
    }
}
