//! Which subtractions are `datetime - datetime`. KQL's result is a timespan; ES|QL has no
//! `date - date` operator and no column type for a duration (`time_duration` exists only as a
//! literal in date arithmetic), so such a subtraction is declined (B010) instead of being
//! emitted as `-`, which Elastic rejects ("Cannot apply arithmetic operator '-' to types 'date'
//! and 'date'").
//!
//! The types follow the source table's schema ([`kqlport::schema`]) and the columns the pipeline
//! defines (extend, project, rename, summarize `min`/`max`/`bin` of a datetime). Where a type is
//! not known (a table outside the schema, after a join, an expression this pass does not type),
//! nothing is declined here. Only assigned values are inspected (extend, project, group keys).

use kqlport::ir::{
    self, AggFunc, ExprKind, GroupKeyKind, Literal, ScalarFn, SourceKind, StageKind,
};
use kqlport::schema::{self, ColumnType};
use std::collections::{HashMap, HashSet};

struct Types<'a> {
    table: &'a str,
    /// Columns (re)defined so far: whether each is known to hold a datetime.
    defined: HashMap<String, bool>,
    /// Only `defined` columns exist (after project, summarize, …).
    closed: bool,
}

impl Types<'_> {
    fn column(&self, name: &str) -> bool {
        if let Some(d) = self.defined.get(name) {
            return *d;
        }
        !self.closed && schema::column_type(self.table, name) == Some(ColumnType::DateTime)
    }

    fn is_date(&self, e: &ir::Expr) -> bool {
        match &e.kind {
            ExprKind::Literal(Literal::DateTime(_)) | ExprKind::Now | ExprKind::Ago(_) => true,
            ExprKind::Field(fp) => fp.path.is_empty() && !fp.parsed && self.column(&fp.column),
            ExprKind::Call { func, .. } => matches!(
                func,
                ScalarFn::ToDateTime
                    | ScalarFn::StartOfDay
                    | ScalarFn::StartOfWeek
                    | ScalarFn::StartOfMonth
                    | ScalarFn::StartOfYear
            ),
            ExprKind::Arith {
                op: ir::ArithOp::Add | ir::ArithOp::Sub,
                lhs,
                rhs,
            } => self.is_date(lhs) && matches!(rhs.kind, ExprKind::Literal(Literal::Timespan(_))),
            _ => false,
        }
    }

    /// Records every `datetime - datetime` inside `e`.
    fn visit(&self, e: &ir::Expr, out: &mut HashSet<usize>) {
        match &e.kind {
            ExprKind::Arith { op, lhs, rhs } => {
                if *op == ir::ArithOp::Sub && self.is_date(lhs) && self.is_date(rhs) {
                    out.insert(e as *const ir::Expr as usize);
                }
                self.visit(lhs, out);
                self.visit(rhs, out);
            }
            ExprKind::Call { args, .. } => args.iter().for_each(|a| self.visit(a, out)),
            ExprKind::Neg(x) => self.visit(x, out),
            ExprKind::Case {
                branches,
                otherwise,
            } => {
                branches.iter().for_each(|(_, v)| self.visit(v, out));
                self.visit(otherwise, out);
            }
            _ => {}
        }
    }
}

/// The addresses of the `datetime - datetime` expressions of `query`'s own pipeline (the IR is
/// borrowed unchanged for the whole translation, so an address identifies one expression).
pub(crate) fn date_differences(query: &ir::Query) -> HashSet<usize> {
    let SourceKind::Table(table) = &query.source.kind;
    let mut t = Types {
        table,
        defined: HashMap::new(),
        closed: false,
    };
    let mut out = HashSet::new();
    for stage in &query.stages {
        match &stage.kind {
            StageKind::Extend(assigns) => {
                for a in assigns {
                    t.visit(&a.expr, &mut out);
                    let d = t.is_date(&a.expr);
                    t.defined.insert(a.name.name.clone(), d);
                }
            }
            StageKind::Project(assigns) => {
                let mut next = HashMap::new();
                for a in assigns {
                    t.visit(&a.expr, &mut out);
                    next.insert(a.name.name.clone(), t.is_date(&a.expr));
                }
                t.defined = next;
                t.closed = true;
            }
            StageKind::Rename(pairs) => {
                let olds: Vec<bool> = pairs.iter().map(|(_, old)| t.column(&old.name)).collect();
                for (_, old) in pairs {
                    t.defined.insert(old.name.clone(), false);
                }
                for ((new, _), d) in pairs.iter().zip(olds) {
                    t.defined.insert(new.name.clone(), d);
                }
            }
            StageKind::Aggregate { by, aggs } => {
                let mut next = HashMap::new();
                for k in by {
                    let d = match &k.kind {
                        GroupKeyKind::Expr(e) => {
                            t.visit(e, &mut out);
                            t.is_date(e)
                        }
                        GroupKeyKind::Bin { field, size } => {
                            matches!(size, ir::BinSize::Duration(_)) && t.is_date(field)
                        }
                    };
                    next.insert(k.name.name.clone(), d);
                }
                for a in aggs {
                    let d = match &a.func {
                        AggFunc::Min(e) | AggFunc::Max(e) => t.is_date(e),
                        _ => false,
                    };
                    next.insert(a.name.name.clone(), d);
                }
                t.defined = next;
                t.closed = true;
            }
            StageKind::Distinct(cols) => {
                t.defined = cols
                    .iter()
                    .map(|c| (c.name.clone(), t.column(&c.name)))
                    .collect();
                t.closed = true;
            }
            StageKind::Count | StageKind::Join { .. } => {
                // Nothing known from here on (a join's columns are not typed by this pass).
                t.defined.clear();
                t.closed = true;
            }
            StageKind::Filter(_)
            | StageKind::ProjectAway(_)
            | StageKind::ProjectKeep(_)
            | StageKind::Reorder(_)
            | StageKind::Sort(_)
            | StageKind::Top { .. }
            | StageKind::Limit(_) => {}
        }
    }
    out
}
