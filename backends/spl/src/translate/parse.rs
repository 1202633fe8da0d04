//! `parse` / `parse-where` → `rex`. The IR's regex ([`kqlport::ir::Parse::regex`]) matches
//! exactly where KQL's parse does, with the same lazy `.*?` columns and its end anchored at the
//! end of the text; ported to PCRE (RE2's `$` becomes `\z`), its groups named after the columns. `rex` leaves a field unchanged where
//! the regex does not match, so the columns are first cleared (`eval c=null()`) and filled
//! with `""` after (KQL's empty string for a parse that did not match); `parse-where` keeps
//! only the rows the regex matches (`where match(…)`, a missing source read as KQL's `""`).

use super::time::{is_time_col, TIME_COLUMNS};
use super::{Tx, TMP};

/// The stand-in group names of columns that cannot name a `rex` group themselves: a letter
/// first, as Splunk's field-extraction names must start (not `_`, unlike [`TMP`]).
pub(super) const REX_TMP: &str = "kqlport_rex";
use crate::ast::{Command, Eval};
use kqlport::codes::BackendCode;
use kqlport::ir::{ExprKind, Parse};
use kqlport::schema::ColumnType;
use kqlport::source::Span;
use kqlport_kit::regex::pcre as re;

impl Tx {
    pub(super) fn parse_stage(&mut self, p: &Parse, span: Span, cmds: &mut Vec<Command>) {
        if is_time_col(&p.source) {
            return self.refuse_parse(
                p.source.span,
                "KQL parses a datetime's text form, which Splunk's epoch `_time` does not hold",
            );
        }
        if let ExprKind::Field(fp) = &p.source.kind {
            let event_column = self.origin_of(&fp.column).is_none();
            if fp.is_plain()
                && event_column
                && kqlport::schema::column_type(&self.table, &fp.column)
                    == Some(ColumnType::Dynamic)
            {
                return self.refuse_parse(
                    p.source.span,
                    "KQL parses a dynamic value's JSON text, whose spelling (spacing, key order) Splunk's event does not keep",
                );
            }
        }
        // Each column's group: its own name where that is a PCRE group name, else a
        // stand-in group (`kqlport_rexN`: a column name with a space, or the parsed column
        // itself, which `rex` would overwrite before KQL's "" for no match is known) renamed
        // to the column after the `rex`.
        let mut names = Vec::new();
        let mut groups: Vec<String> = Vec::new();
        let mut copies: Vec<(String, String)> = Vec::new();
        for c in p.captures() {
            let ok_group = c.name.len() <= 32
                && c.name
                    .starts_with(|ch: char| ch.is_ascii_alphabetic() || ch == '_')
                && c.name
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                && !c.name.starts_with(TMP)
                && !c.name.starts_with(REX_TMP);
            if TIME_COLUMNS.contains(&c.name.as_str()) {
                return self.refuse_parse(
                    c.span,
                    "the column is a time column, which Splunk holds as `_time` (epoch seconds)",
                );
            }
            let overwrites_source =
                matches!(&p.source.kind, ExprKind::Field(fp) if fp.column == c.name);
            let Some(n) = self.name(&c.name, c.span) else {
                return;
            };
            if ok_group && !overwrites_source {
                groups.push(c.name.clone());
                names.push(n);
            } else {
                let g = format!("{REX_TMP}{}", copies.len() + 1);
                groups.push(g.clone());
                names.push(g.clone());
                copies.push((n, g));
            }
        }
        let re2 = p.regex_with(|col| {
            let i = p
                .captures()
                .position(|c| c == col)
                .expect("a capture of this parse");
            format!("(?P<{}>", groups[i])
        });
        // `where match(…)` needs no group names (and the named form only in `rex`).
        let (pcre, plain) = match (re::re2_to_pcre(&re2), re::re2_to_pcre(&p.regex())) {
            (Ok(named), Ok(plain)) => (
                control_escaped(&named.replace("(?P<", "(?<")),
                control_escaped(&plain),
            ),
            (Err(e), _) | (_, Err(e)) => {
                return self.refuse_parse(
                    span,
                    &format!("the pattern has no PCRE form: {}", e.message),
                )
            }
        };
        let Some(source) = self.expr(&p.source) else {
            return;
        };
        let field = match source {
            Eval::Field(f) => f,
            other => match self.helper(other) {
                Eval::Field(f) => f,
                _ => unreachable!("a helper is a field"),
            },
        };
        if p.filter {
            cmds.push(Command::Where(Eval::call(
                "match",
                vec![
                    Eval::call("coalesce", vec![Eval::Field(field.clone()), Eval::str("")]),
                    Eval::str(plain),
                ],
            )));
        }
        cmds.push(Command::Eval(
            names
                .iter()
                .map(|n| (n.clone(), Eval::call("null", Vec::new())))
                .collect(),
        ));
        cmds.push(Command::Rex {
            field,
            regex: pcre,
            max_match: None,
        });
        cmds.push(Command::FillNull(names));
        if !copies.is_empty() {
            // `rename` replaces a field of the new name (the parsed column itself, or an
            // earlier one of that name), as KQL's parse replaces the column.
            cmds.push(Command::Rename(
                copies.into_iter().map(|(col, g)| (g, col)).collect(),
            ));
        }
        for c in p.captures() {
            let n = &c.name;
            self.json_valued.retain(|x| x != n);
        }
    }

    fn refuse_parse(&mut self, span: Span, msg: &str) {
        self.refuse(
            BackendCode::B071,
            span,
            &format!("this parse has no exact SPL form: {msg}"),
            "not translated",
            "extract the value with a regex of your own (rex) in Splunk",
        );
    }
}

/// Control characters as PCRE `\xHH` escapes, so the `rex` string stays on one line.
pub(super) fn control_escaped(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_control() {
            out.push_str(&format!("\\x{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}
