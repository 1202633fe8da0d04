//! `sort`/`order by` and `top`: Splunk's `sort` with KQL's null placement made explicit, and
//! datetimes held as text sorted by their epoch value.

use super::{Tx, TMP};
use crate::ast::{Command, Eval, SortDir as SplDir};
use kqlport::backend::Effect;
use kqlport::ir::{ExprKind, SortDir, SortKey};

impl Tx {
    pub(super) fn sort(&mut self, keys: &[SortKey], top: Option<u64>, cmds: &mut Vec<Command>) {
        let mut evals = Vec::new();
        let mut spl_keys = Vec::new();
        let mut temps = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            // A datetime held as text in the event (not `_time`): Splunk's sort orders text that
            // starts with a number by that number alone (the sort reference), so every ISO
            // timestamp of a year would tie; it is sorted by its epoch value instead.
            let text_time = self.is_datetime_text(&k.expr);
            let name = match &k.expr.kind {
                ExprKind::Field(f) if f.is_plain() && !text_time => self
                    .not_split(&f.column, k.expr.span)
                    .and_then(|_| self.name(&f.column, k.expr.span)),
                _ if text_time => self.time_value(&k.expr).map(|e| {
                    if top.is_some() {
                        // Which rows `head` keeps depends on it: both ways.
                        let msg = "top by a datetime read from text: a value in another format \
                                   than ISO 8601 sorts as null, so other rows can be kept";
                        self.notes.push(k.expr.span, Effect::OverMatch, msg);
                        self.notes.push(k.expr.span, Effect::UnderMatch, msg);
                    }
                    let t = format!("{TMP}sort{}", i + 1);
                    evals.push((t.clone(), e));
                    temps.push(t.clone());
                    t
                }),
                _ => self.expr(&k.expr).map(|e| {
                    let t = format!("{TMP}sort{}", i + 1);
                    evals.push((t.clone(), e));
                    temps.push(t.clone());
                    t
                }),
            };
            let Some(name) = name else { continue };
            let dir = match k.dir {
                SortDir::Asc => SplDir::Asc,
                SortDir::Desc => SplDir::Desc,
            };
            // Splunk's sort puts results missing the field last in both directions (sort
            // reference); KQL puts nulls first when ascending. Make KQL's placement explicit
            // whenever it differs (`_time` is never missing), and always before `head` (which
            // rows survive depends on it).
            if top.is_some() || (k.nulls == kqlport::ir::Nulls::First && name != "_time") {
                let t = format!("{TMP}null{}", i + 1);
                evals.push((
                    t.clone(),
                    Eval::call(
                        "if",
                        vec![
                            Eval::call("isnull", vec![Eval::Field(name.clone())]),
                            Eval::Num("1".into()),
                            Eval::Num("0".into()),
                        ],
                    ),
                ));
                let nulls_dir = match k.nulls {
                    kqlport::ir::Nulls::Last => SplDir::Asc,
                    kqlport::ir::Nulls::First => SplDir::Desc,
                };
                spl_keys.push((nulls_dir, t.clone()));
                temps.push(t);
            }
            spl_keys.push((dir, name));
        }
        if !evals.is_empty() {
            cmds.push(Command::Eval(evals));
        }
        cmds.push(Command::Sort(spl_keys));
        if let Some(n) = top {
            cmds.push(Command::Head(n));
        }
        if !temps.is_empty() {
            cmds.push(Command::FieldsRemove(temps));
        }
    }
}
