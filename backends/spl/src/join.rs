//! IR joins → Splunk's `join` command with the right side as a subsearch. Owns how KQL's join
//! flavours, key pairs and clashing column names are spelled in SPL, and the notes on what
//! Splunk's join does differently; never formats text (see `ast`).
//!
//! | KQL kind | SPL | fidelity |
//! |---|---|---|
//! | `inner` | `join type=inner max=0 k [R]` | exact but for the subsearch caps |
//! | `innerunique` (default) | `dedup k` on the left, then as `inner` | which left row survives per key differs (values) |
//! | `leftouter` | `join type=left max=0 k [R]` | caps |
//! | `leftsemi` | `join type=inner max=1 k [R \| table k]` | caps |
//! | `leftanti` | `join type=left max=1 k [R \| eval marker=1 \| table k marker] \| where isnull(marker)` | caps (over-match) |
//! | `rightsemi`, `rightanti` | the mirrored `leftsemi`/`leftanti` (the sides swapped before translating: `ir::Query::right_joins_mirrored`) | as that kind |
//! | `rightouter`, `fullouter` | declined (`B030`) | |
//!
//! Common to all: the keys are `fillnull value=""` on both sides, so a key missing on both
//! sides matches as `""` (KQL's value of a missing string; a note says so, since KQL's null
//! keys of other types match nothing). `$left.a == $right.b` is `eval a=b` in the subsearch (both
//! columns survive, as in KQL). A right column whose name the left side also has is renamed
//! in the subsearch to KQL's `X1`, so Splunk's join (which overwrites same-named fields) keeps
//! both; when a side's columns are unknown (a whole table) a values note names the risk.
//!
//! The right side is translated with its own view of the columns; which right columns hold
//! datetimes (epoch seconds) or `split` arrays afterwards is the core's column facts
//! (`ir::facts`); when the right rows still carry their `_raw` event (which Splunk's join copies over the
//! left row's), no longer reads the left event from `_raw` — unless the translation keeps `_raw`
//! for later reads (`Tx::keep_raw`), when the subsearch ends with `fields - _raw`. After whole
//! right rows, a column the left table's schema does not have is not read from `_raw` (it may be
//! the right row's).
//!
//! Splunk compares join field values as exact strings, case-sensitively like KQL's `==`
//! (Splunk documents no case folding for `join`; observed behaviour, not a documented
//! guarantee — the oracle tests should keep it checked).

use crate::ast::{Command, Eval, JoinType};
use crate::translate::{Tx, TMP};
use kqlport::backend::Effect;
use kqlport::codes::BackendCode;
use kqlport::ir::{self, JoinKey, JoinKind, Query, Stage};

/// The marker field of a left-anti join's subsearch.
fn marker() -> String {
    format!("{TMP}r")
}

impl Tx {
    pub(crate) fn join(
        &mut self,
        stage: &Stage,
        kind: JoinKind,
        right: &Query,
        on: &[JoinKey],
        left_cols: Option<Vec<String>>,
        cmds: &mut Vec<Command>,
    ) {
        // A join the KQL wrote as `rightsemi`/`rightanti`, run as the mirrored left one.
        let kql_kind = self
            .mirrored
            .iter()
            .find(|(s, _)| s.start == stage.span.start && s.end == stage.span.end)
            .map(|(_, k)| *k);
        let (spl_kind, max) = match kind {
            JoinKind::Inner | JoinKind::InnerUnique | JoinKind::LeftOuter => (
                if kind == JoinKind::LeftOuter {
                    JoinType::Left
                } else {
                    JoinType::Inner
                },
                0,
            ),
            JoinKind::LeftSemi => (JoinType::Inner, 1),
            JoinKind::LeftAnti => (JoinType::Left, 1),
            JoinKind::RightOuter
            | JoinKind::FullOuter
            | JoinKind::RightSemi
            | JoinKind::RightAnti => {
                self.errors.push(
                    kqlport::diag::Diagnostic::error(
                        BackendCode::B030,
                        format!(
                            "Splunk's join cannot express `join kind={}`",
                            kind.kql_name()
                        ),
                        stage.span,
                    )
                    .with_label("Splunk's join keeps only left rows (type=inner or type=left)")
                    .with_help(
                        "swap the two sides in the KQL (e.g. `B | join kind=leftouter (A)` for \
                         `A | join kind=rightouter (B)`) if the column order does not matter",
                    ),
                );
                return;
            }
        };
        // Keys: (left SPL name, right SPL name), left names de-duplicated for the field list.
        let mut keys = Vec::new();
        for k in on {
            let (Some(l), Some(r)) = (
                self.name(&k.left.name, k.left.span),
                self.name(&k.right.name, k.right.span),
            ) else {
                return;
            };
            keys.push((l, r));
        }
        let mut fields: Vec<String> = Vec::new();
        for (l, _) in &keys {
            if !fields.contains(l) {
                fields.push(l.clone());
            }
        }
        let right_side = self.sub_query(right);
        let Some(mut sub) = right_side.pipeline else {
            return;
        };

        // Right columns renamed as KQL names them, so Splunk's overwrite keeps both.
        let (keep_left, keep_right) = kind.keeps_columns();
        let mut renames: Vec<(String, String)> = Vec::new();
        // (The right columns are not this event's columns: their origin is `Joined` in the
        // facts, `Tx::is_joined`.)
        if keep_right && right_side.raw {
            if self.keeps_raw() || right_side.raw_extra {
                // The left event's `_raw` stays (read from later, or at least not replaced by
                // one the right side only kept for its own reads), the right rows' goes.
                sub.commands
                    .push(Command::FieldsRemove(vec!["_raw".to_string()]));
            } else {
                // The right rows' `_raw` replaces the left event's: no more reading from it.
                self.mark_reshaped();
            }
        }
        if keep_right && right.output_columns().is_none() {
            // The right rows' own columns are not followed by the facts (see `right_rows`).
            self.right_rows = true;
        }
        if keep_left && keep_right {
            let left_keys: Vec<String> = on.iter().map(|k| k.left.name.clone()).collect();
            let certain_left = left_cols.clone().unwrap_or_else(|| left_keys.clone());
            let right_cols = right.output_columns();
            let known_right = right_cols
                .clone()
                .unwrap_or_else(|| on.iter().map(|k| k.right.name.clone()).collect());
            for (old, new) in ir::join_names(&certain_left, &known_right) {
                if old != new {
                    if let (Some(o), Some(n)) =
                        (self.name(&old, stage.span), self.name(&new, stage.span))
                    {
                        renames.push((o, n));
                    }
                }
            }
            kqlport_kit::notes::join_name_clash(
                &mut self.notes,
                stage.span,
                left_cols.is_some(),
                &certain_left,
                right_cols.as_deref(),
                "Splunk's join overwrites the left value with the right one",
            );
            if !renames.is_empty() {
                sub.commands.push(Command::Rename(renames.clone()));
            }
        }
        // Key alignment: the subsearch's key fields take the left names.
        let mut align = Vec::new();
        for (l, r) in &keys {
            let current = renames
                .iter()
                .find(|(o, _)| o == r)
                .map_or(r.clone(), |(_, n)| n.clone());
            if &current != l && !align.iter().any(|(n, _): &(String, Eval)| n == l) {
                align.push((l.clone(), Eval::Field(current)));
            }
        }
        if !align.is_empty() {
            sub.commands.push(Command::Eval(align));
        }
        sub.commands.push(Command::FillNull(fields.clone()));
        match kind {
            JoinKind::LeftSemi => sub.commands.push(Command::Table(fields.clone())),
            JoinKind::LeftAnti => {
                sub.commands
                    .push(Command::Eval(vec![(marker(), Eval::Num("1".into()))]));
                let mut keep = fields.clone();
                keep.push(marker());
                sub.commands.push(Command::Table(keep));
            }
            _ => {}
        }

        cmds.push(Command::FillNull(fields.clone()));
        if kind == JoinKind::InnerUnique {
            cmds.push(Command::Dedup(fields.clone()));
            self.notes.push(
                stage.span,
                Effect::Values,
                "join kind=innerunique keeps one arbitrary left row per key; Splunk's `dedup` keeps the first in result order (the most recent event unless sorted), so the other left columns may hold another row's values",
            );
        }
        cmds.push(Command::Join {
            kind: spl_kind,
            max,
            fields: fields.clone(),
            sub: Box::new(sub),
        });
        if kind == JoinKind::LeftAnti {
            cmds.push(Command::Where(Eval::call(
                "isnull",
                vec![Eval::Field(marker())],
            )));
            cmds.push(Command::FieldsRemove(vec![marker()]));
        }

        let key_list = fields
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ");
        // A non-string key missing on both sides matches here and not in KQL: an extra
        // joined row, or, for an anti join, a left row dropped that KQL keeps.
        self.notes.push(
            stage.span,
            if kind == JoinKind::LeftAnti {
                Effect::UnderMatch
            } else {
                Effect::OverMatch
            },
            format!(
                "join keys ({key_list}) missing on both sides match as \"\" (KQL's value of a missing string); if a key column is not a string, KQL's null keys match nothing"
            ),
        );
        let (effect, consequence) = match (kind, kql_kind) {
            (_, Some(k)) => (
                if k == JoinKind::RightAnti {
                    Effect::OverMatch
                } else {
                    Effect::UnderMatch
                },
                if k == JoinKind::RightAnti {
                    "the subsearch here is the KQL's left side (`join kind=rightanti` runs as `leftanti` with the sides swapped, since Splunk's join keeps the rows of the main search), so right rows whose only matches were cut off are kept"
                } else {
                    "the subsearch here is the KQL's left side (`join kind=rightsemi` runs as `leftsemi` with the sides swapped, since Splunk's join keeps the rows of the main search), so right rows whose matches were cut off are lost"
                },
            ),
            (JoinKind::LeftAnti, _) => (
                Effect::OverMatch,
                "left rows whose only matches were cut off are kept",
            ),
            (JoinKind::LeftOuter, _) => (
                Effect::UnderMatch,
                "left rows whose matches were cut off appear once, without right columns",
            ),
            _ => (
                Effect::UnderMatch,
                "left rows whose matches were cut off are lost",
            ),
        };
        self.notes.push(
            stage.span,
            effect,
            format!(
                "Splunk's join reads at most 50,000 {rows} rows and stops its subsearch after 60 s (limits.conf [join] subsearch_maxout / subsearch_maxtime): {consequence}",
                rows = if kql_kind.is_some() { "subsearch" } else { "right-side" }
            ),
        );
    }
}
