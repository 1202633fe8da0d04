//! `summarize arg_max/arg_min(t, cols), aggs… by k` → the other aggregates by `eventstats`,
//! then the extreme row of each group by `sort` and `dedup`.

use super::aggregate::mv_cap;
use super::columns::{agg_refs, expr_refs};
use super::{col, Tx, LOWERING_TMP, TMP};
use crate::ast::{Command, Eval, SortDir as SplDir};
use kqlport::backend::Effect;
use kqlport::codes::SplCode;
use kqlport::ir::{AggFunc, Aggregation, ExprKind, GroupKey, GroupKeyKind};

/// Group keys of an arg_max/arg_min summarize (see [`Tx::extreme_keys`]).
struct GroupKeys {
    /// Computed keys, evaluated before the `dedup`.
    pre: Vec<(String, Eval)>,
    /// (key name, helper field) for keys computed under a helper name.
    restore: Vec<(String, String)>,
    /// The fields to group by.
    keys: Vec<String>,
}

impl Tx {
    /// `summarize arg_max(t, cols), aggs… by k` ⇒ computed keys evaluated first, the other
    /// aggregates added to every row of its group (`eventstats`, over all rows, as KQL computes
    /// them), then rows with a value of `t` sorted by it and the first row per key kept.
    pub(super) fn arg_extreme(
        &mut self,
        by: &[GroupKey],
        a: &Aggregation,
        others: &[&Aggregation],
        cmds: &mut Vec<Command>,
    ) {
        // `take_any(*)` (no `t`): any row of the group, so no sort.
        let (t, cols, dir) = match &a.func {
            AggFunc::ArgMax { by, cols } => (Some(by), cols.as_slice(), SplDir::Desc),
            AggFunc::ArgMin { by, cols } => (Some(by), cols.as_slice(), SplDir::Asc),
            AggFunc::AnyRow => (None, &[][..], SplDir::Asc),
            _ => return,
        };
        let t_name = match t.map(|t| (t, &t.kind)) {
            None => None,
            Some((t, ExprKind::Field(f))) if f.is_plain() => match self
                .not_split(&f.column, t.span)
                .and_then(|_| self.name(&f.column, t.span))
            {
                Some(n) => Some(n),
                None => return,
            },
            Some((t, _)) => {
                self.refuse(
                    SplCode::B015,
                    t.span,
                    "arg_max/arg_min over a computed expression is not supported",
                    "computed expression",
                    "extend it as a column first",
                );
                return;
            }
        };
        // Columns the rest of the summarize reads: a computed key of the same name goes
        // through a helper field so that they still see the row's own value.
        let mut read = Vec::new();
        if let Some(t) = t {
            expr_refs(t, &mut read);
        }
        cols.iter().for_each(|c| expr_refs(&c.expr, &mut read));
        others.iter().for_each(|o| agg_refs(o, &mut read));
        let GroupKeys { pre, restore, keys } = self.extreme_keys(by, cols.is_empty(), &read);
        if t_name.is_some() {
            self.notes.push(
                a.span,
                Effect::UnderMatch,
                "rows whose arg_max/arg_min expression is null are dropped first, so a group in \
                 which it is null in every row yields no row",
            );
        }
        if !pre.is_empty() {
            cmds.push(Command::Eval(pre));
        }
        if !keys.is_empty() {
            cmds.push(Command::FillNull(keys.clone()));
        }
        let mut stats = Vec::new();
        let mut caps = Vec::new();
        for o in others {
            if let Some((s, cap)) = self.agg(o) {
                if let Some(max) = cap {
                    caps.push((s.alias.clone(), mv_cap(&s.alias, max)));
                }
                stats.push(s);
            }
        }
        let other_names: Vec<String> = stats.iter().map(|s| s.alias.clone()).collect();
        // Lowering's own hidden columns (`__kqlport_agg…`) are no input column's name.
        let named: Vec<String> = others
            .iter()
            .filter(|o| !o.name.name.starts_with(LOWERING_TMP))
            .map(|o| format!("`{}`", o.name.name))
            .collect();
        if !stats.is_empty() {
            if cols.is_empty() && !named.is_empty() {
                self.notes.push(
                    a.span,
                    Effect::Values,
                    format!(
                        "if the rows also have a column named {} (a name the KQL does not fix), \
                         KQL keeps the row's value too, under a suffixed name; here the \
                         aggregate replaces it",
                        named.join(", ")
                    ),
                );
            }
            cmds.push(Command::EventStats {
                aggs: stats,
                by: keys.clone(),
            });
        }
        if let Some(t_name) = &t_name {
            cmds.push(Command::Where(Eval::call(
                "isnotnull",
                vec![Eval::Field(t_name.clone())],
            )));
            cmds.push(Command::Sort(vec![(dir, t_name.clone())]));
        }
        if keys.is_empty() {
            kqlport_kit::notes::no_row_from_empty_input(&mut self.notes, a.span);
            cmds.push(Command::Head(1));
        } else {
            cmds.push(Command::Dedup(keys.clone()));
        }
        let mut evals: Vec<(String, Eval)> = Vec::new();
        for (name, tmp) in &restore {
            evals.push((name.clone(), Eval::Field(tmp.clone())));
        }
        let mut table: Vec<String> = by
            .iter()
            .filter_map(|k| self.name(&k.name.name, k.name.span))
            .collect();
        // The extreme value under the aggregate's name.
        if let Some(t_name) = &t_name {
            let alias = self.name(&a.name.name, a.name.span);
            match alias {
                Some(n) if n != *t_name => {
                    evals.push((n.clone(), Eval::Field(t_name.clone())));
                    table.push(n);
                    if cols.is_empty() {
                        table.push(t_name.clone());
                    }
                }
                _ => table.push(t_name.clone()),
            }
        }
        for c in cols {
            let Some(n) = self.name(&c.name.name, c.name.span) else {
                continue;
            };
            let plain =
                matches!(&c.expr.kind, ExprKind::Field(f) if f.is_plain() && col(&f.column) == n);
            if !plain {
                if let Some(e) = self.expr(&c.expr) {
                    evals.push((n.clone(), e));
                }
            }
            if !table.contains(&n) {
                table.push(n);
            }
        }
        for n in other_names {
            if !table.contains(&n) {
                table.push(n);
            }
        }
        if cols.is_empty() {
            table.push("*".to_string());
        }
        if self.keeps_raw() {
            // `*` does not match internal fields: `_raw` is named to keep it (see `keep_raw`).
            table.push("_raw".to_string());
        }
        evals.extend(caps);
        if !evals.is_empty() {
            cmds.push(Command::Eval(evals));
        }
        let tmps: Vec<String> = restore.into_iter().map(|(_, t)| t).collect();
        if !tmps.is_empty() {
            cmds.push(Command::FieldsRemove(tmps));
        }
        cmds.push(Command::Table(table));
    }

    /// The group keys of an arg_max/arg_min summarize. A computed key is evaluated before the
    /// `dedup`; when the rest of the summarize reads a column of its name (`read`), through a
    /// helper field, renamed back after it. `star`: the row keeps all its columns (`*`).
    fn extreme_keys(&mut self, by: &[GroupKey], star: bool, read: &[String]) -> GroupKeys {
        let mut pre = Vec::new();
        let mut restore = Vec::new();
        let mut keys = Vec::new();
        for (i, k) in by.iter().enumerate() {
            let Some((name, value)) = self.group_key(k) else {
                continue;
            };
            // A key that evaluates to its own column as it is (`tostring(X)` of a field X).
            let v = match value {
                Some(Eval::Field(f)) if f == name => None,
                v => v,
            };
            let Some(v) = v else {
                keys.push(name);
                continue;
            };
            let mut own = Vec::new();
            if let GroupKeyKind::Expr(e) = &k.kind {
                expr_refs(e, &mut own);
            }
            if star && own.contains(&name) {
                self.notes.push(
                    k.name.span,
                    Effect::Values,
                    format!(
                        "the group key replaces the row's own `{}` among the `*` columns \
                         (KQL keeps that value too, under a suffixed name)",
                        k.name.name
                    ),
                );
            }
            if read.contains(&name) {
                let tmp = format!("{TMP}by{}", i + 1);
                pre.push((tmp.clone(), v));
                restore.push((name.clone(), tmp.clone()));
                keys.push(tmp);
            } else {
                pre.push((name.clone(), v));
                keys.push(name);
            }
        }
        GroupKeys { pre, restore, keys }
    }
}
