//! `toscalar(Q)` of another query ([`ir::StageKind::Scalar`]): `Q` as the subsearch of a left
//! join on a constant key, so its one row's value is copied onto every row as it is (no text
//! of it is pasted into the search, so quotes, backslashes and regex characters in it need no
//! escaping, as they would with a subsearch's `return` or `format` output).
//!
//! `| eval K=1 | join type=left max=1 K [Q | eval K=1] | fields - K` — Splunk's join "combines
//! the results of a subsearch with the results of a main search" on the join fields, and
//! `type=left` keeps a main result with no match, its fields unchanged ([join] in the
//! conformance engine's DOCS.md). With no row from `Q`, nothing is copied: the column is
//! null, KQL's toscalar of an empty result. A null value (the field missing from the row) is
//! not copied either: null again.

use super::{Tx, TMP};
use crate::ast::{Command, Eval, JoinType};
use kqlport::backend::Effect;
use kqlport::ir::ScalarQuery;
use kqlport::schema::ColumnType;

/// The constant key of the join.
fn key() -> String {
    format!("{TMP}k")
}

impl Tx {
    pub(super) fn scalar_stage(&mut self, sq: &ScalarQuery, cmds: &mut Vec<Command>) {
        let Some(name) = self.name(&sq.name.name, sq.name.span) else {
            return;
        };
        let Some(mut sub) = self.sub_query(&sq.query).pipeline else {
            return;
        };
        sub.commands
            .push(Command::Eval(vec![(key(), Eval::Num("1".into()))]));
        sub.commands.push(Command::Table(vec![key(), name.clone()]));
        cmds.push(Command::Eval(vec![(key(), Eval::Num("1".into()))]));
        cmds.push(Command::Join {
            kind: JoinType::Left,
            max: 1,
            fields: vec![key()],
            sub: Box::new(sub),
        });
        cmds.push(Command::FieldsRemove(vec![key()]));
        // A KQL string is never null: a string value Splunk left without a field (`first()`
        // of no rows) is KQL's "".
        if sq.query.facts().output().ty(&sq.name.name) == Some(ColumnType::String) {
            cmds.push(Command::Eval(vec![(
                name.clone(),
                Eval::call("coalesce", vec![Eval::Field(name), Eval::str("")]),
            )]));
        }
        // One row comes back, so the join's 50,000-row cap cannot cut it; its time limit can.
        // (On the value's query, so that a `where` reading the value widens it to rows.)
        self.notes.push(
            sq.query.span,
            Effect::Values,
            "the value's query runs as the subsearch of a Splunk join, which is stopped after \
             60 s (limits.conf [join] subsearch_maxtime): a query stopped early gives a value \
             over part of its rows, or none (null)",
        );
    }
}
