//! `evaluate ipv4_lookup(T, key, range [, return_unmatched])` over an `externaldata` table →
//! Splunk's `lookup` command with a CIDR lookup definition:
//!
//! ```text
//! | lookup <name> <range> AS <key> OUTPUT <every declared column>
//! | mvexpand <range>            (one declared column, matched rows only: one row per range)
//! | where isnotnull(<range>)    (return_unmatched=false, the default)
//! ```
//!
//! Splunk matches a lookup field by CIDR only when the lookup's definition (transforms.conf)
//! says `match_type = CIDR(<range>)`, which the user configures (a note names the lookup and
//! the field). Several matching lookup rows give one event with multivalue output fields (up to
//! `max_matches`, 100 by default, in file order: Splunk's "Add field matching rules" page);
//! KQL's ipv4_lookup is a join, one row per matching range. With one declared column, the
//! range, `mvexpand` restores that; otherwise (or with `return_unmatched`, where `mvexpand`
//! would meet events without the field) a note says several ranges containing one address
//! share a row. KQL also matches a key written with its own `/prefix` ("IPv4 values can be
//! masked"), which Splunk's CIDR match is not documented to do: a note.

use super::subsearch::plain_lookup_name;
use super::Tx;
use crate::ast::{Command, Eval};
use kqlport::backend::Effect;
use kqlport::codes::BackendCode;
use kqlport::ir::{Ipv4Lookup, Stage};

impl Tx {
    pub(super) fn ipv4_lookup(
        &mut self,
        stage: &Stage,
        l: &Ipv4Lookup,
        left_cols: Option<Vec<String>>,
        table: Option<&str>,
        cmds: &mut Vec<Command>,
    ) {
        let name = &l.table.name;
        if !plain_lookup_name(name) {
            self.refuse(
                BackendCode::B032,
                l.table_span,
                "the externaldata's lookup name cannot be written as a Splunk lookup name",
                "not a plain lookup name",
                "name the `let` that holds the externaldata with letters, digits, `_`, `-` and `.`",
            );
            return;
        }
        // A lookup column named like a column the rows have: Splunk's OUTPUT overwrites it.
        let clash = l.table.columns.iter().find(|c| {
            left_cols.as_ref().map_or_else(
                || table.is_some_and(|t| kqlport::schema::column_type(t, &c.name).is_some()),
                |cols| cols.contains(&c.name),
            )
        });
        if let Some(c) = clash {
            self.refuse(
                BackendCode::B032,
                l.table_span,
                &format!(
                    "the lookup column `{}` is also a column of the rows: Splunk's lookup would overwrite it, where KQL's output keeps both",
                    c.name
                ),
                "lookup column named like a row column",
                "rename the externaldata column",
            );
            return;
        }
        let (Some(key), Some(range)) = (
            self.name(&l.key.name, l.key.span),
            self.name(&l.range.name, l.range.span),
        ) else {
            return;
        };
        let mut outputs = Vec::new();
        for c in &l.table.columns {
            let Some(n) = self.name(&c.name, stage.span) else {
                return;
            };
            outputs.push(n);
        }
        self.lookup_notes(
            &l.table,
            l.table_span,
            &format!("`| lookup {name} {range} AS {key} OUTPUT …`"),
        );
        self.notes.push(
            stage.span,
            Effect::UnderMatch,
            format!(
                "Splunk's lookup `{name}` matches `{range}` as address ranges only when its definition in transforms.conf has `match_type = CIDR({range})` (without it, only equal text matches); `max_matches` (100 by default, at most 1000) caps the ranges kept per address, and Splunk does not document whether a range the lookup lists twice gives its values twice (KQL gives two rows)"
            ),
        );
        self.notes.push(
            stage.span,
            Effect::UnderMatch,
            format!(
                "KQL also matches a `{}` value written with its own /prefix (as ipv4_is_match does); Splunk's CIDR match is documented for addresses",
                l.key.name
            ),
        );
        let expand = outputs.len() == 1 && !l.keep_unmatched;
        if !expand {
            let msg = "several ranges containing one address: KQL gives one row per range, Splunk's lookup one row whose lookup fields are multivalue (in file order)";
            self.notes.push(stage.span, Effect::Values, msg);
            self.notes.push(stage.span, Effect::UnderMatch, msg);
        }
        cmds.push(Command::Lookup {
            name: name.clone(),
            match_field: range.clone(),
            field: key,
            outputs,
        });
        if !l.keep_unmatched {
            cmds.push(Command::Where(Eval::call(
                "isnotnull",
                vec![Eval::Field(range.clone())],
            )));
        }
        if expand {
            cmds.push(Command::MvExpand {
                field: range,
                limit: None,
            });
        }
    }
}
