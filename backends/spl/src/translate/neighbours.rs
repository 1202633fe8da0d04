//! `extend n = next(x)` / `p = prev(x)` ([`StageKind::Neighbours`]): `streamstats current=f
//! window=1 last(x) AS p` (streamstats reference: `current=f` leaves the current result out of
//! its statistics, `window=1` keeps one result — so the one right before; nothing before the
//! first result, so no field: KQL's null). `next()` reads the row after: the results are
//! turned around with `reverse` first and back after (reverse reference). Each value is
//! computed as `extend` computes it, into a helper field, so the neighbour's column holds what
//! an `extend n = x` would hold. `last()` "processes field values as strings" (event order
//! functions reference): it compares nothing, and a number's text reads as that number in
//! `eval` and `where` again, as an event's field does.
//!
//! [`StageKind::Neighbours`]: kqlport::ir::StageKind::Neighbours

use super::fields::is_json_read;
use super::{Tx, TMP};
use crate::ast::{Command, Eval};
use kqlport::backend::Effect;
use kqlport::codes::BackendCode;
use kqlport::ir::{Assignment, NeighbourDir};
use kqlport::schema::ColumnType;

impl Tx {
    pub(super) fn neighbours_stage(
        &mut self,
        dir: NeighbourDir,
        items: &[Assignment],
        cmds: &mut Vec<Command>,
    ) {
        let mut helpers = Vec::new();
        let mut pairs = Vec::new();
        let mut json = Vec::new();
        for a in items {
            if self.cols.infer(&a.expr) == Some(ColumnType::Dynamic) {
                self.refuse(
                    BackendCode::B072,
                    a.expr.span,
                    &format!(
                        "`{}()` of a dynamic value: streamstats' last() keeps one value of a \
                         multivalue field, not the whole array or object",
                        dir.kql_name()
                    ),
                    "a dynamic value on a neighbouring row",
                    "read a scalar out of it first (`extend v = tostring(d.k)`), then the neighbour of that",
                );
                return;
            }
            let (Some(value), Some(name)) =
                (self.expr(&a.expr), self.name(&a.name.name, a.name.span))
            else {
                return;
            };
            if is_json_read(&value) {
                json.push(name.clone());
            }
            let source = match value {
                Eval::Field(f) => f,
                value => {
                    let h = format!("{TMP}n{}", helpers.len() + 1);
                    helpers.push((h.clone(), value));
                    h
                }
            };
            pairs.push((source, name));
            // KQL's sort leaves rows that tie on every key in no defined order (its neighbour
            // is then not defined either); Splunk's sort documents no order for them.
            self.notes.push(
                a.expr.span,
                Effect::Values,
                format!(
                    "`{}()` of rows that tie on every sort key: KQL does not define their \
                     order, so which of them is the neighbour is not defined; Splunk takes the \
                     order its sort leaves them in",
                    dir.kql_name()
                ),
            );
        }
        let turn = dir == NeighbourDir::Next;
        if turn {
            cmds.push(Command::Reverse);
        }
        if !helpers.is_empty() {
            self.cleanup.extend(helpers.iter().map(|(n, _)| n.clone()));
            cmds.push(Command::Eval(helpers));
        }
        for (_, name) in &pairs {
            self.json_valued.retain(|x| x != name);
        }
        self.json_valued.extend(json);
        for a in items {
            self.extracted_from.remove(&a.name.name);
        }
        cmds.push(Command::StreamLast(pairs));
        if turn {
            cmds.push(Command::Reverse);
        }
    }
}
