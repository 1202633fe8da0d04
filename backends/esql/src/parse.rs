//! `parse` / `parse-where` (simple kind) → `GROK`. The KQL pattern becomes one Oniguruma regex
//! (GROK's engine, Elastic's "Data processing with DISSECT and GROK" page) that matches where
//! KQL's does ([`ir::Parse`]): `*` and each column lazy (`[^\n]*?`), the constants escaped, `\A`
//! when the pattern starts with a column, `\z` at the end (the simple kind's match reaches the
//! end of the text). `[^\n]` rather than `.`, `\A` rather than `^` and `\z` rather than `$`
//! keep the line rules whatever the dialect: in Oniguruma's Ruby syntax (Elasticsearch's grok
//! library compiles with joni's default syntax) `^` and `$` match at every line break. GROK
//! searches unanchored and takes the leftmost match, as KQL does (Elastic's grok.csv-spec
//! `matchInBetween`).
//!
//! GROK gives null columns where the pattern does not match or the input is null; KQL gives
//! `""` and keeps the row. So each column is captured into a temporary group, then assigned
//! `COALESCE(tmp, "")` under its KQL name (any name, existing columns overwritten, no grok
//! name rules), and the temporaries dropped. `parse-where` wraps the first constant in one
//! more group, never empty when the regex matches, and keeps the rows where it is not null
//! (a pattern without a constant, one column alone, has no such group: declined).
//!
//! DISSECT is not used: its delimiters match at their first occurrence too, but it has no
//! notion of lines, a pattern starting with a key is not searched for further in, and a
//! missing delimiter leaves the row unparsed; GROK's regex states KQL's rules directly.
//!
//! A pattern starting with a column is anchored at the start of the value, which Kusto's
//! pages imply but no oracle here checks (duckdb-kql refuses such a pattern): it differs from
//! an unanchored search only on a value holding a line break, which gets a located note.

use crate::ast::{Command, Expr, Pattern};
use crate::cx::Cx;
use kqlport::backend::Effect;
use kqlport::codes::BackendCode;
use kqlport::ir::{self, ExprKind, ParseKind, ParsePart};
use kqlport::schema::ColumnType;
use kqlport::source::Span;

/// Temporary columns: `kqlport_parse1…` hold the captures, `kqlport_parsed` the match
/// witness of `parse-where`, `kqlport_parse_src` a computed source.
const CAPTURE: &str = "kqlport_parse";
const MATCHED: &str = "kqlport_parsed";
const SOURCE: &str = "kqlport_parse_src";

pub(crate) fn parse(cx: &mut Cx, p: &ir::Parse, span: Span, out: &mut Vec<Command>) {
    if p.kind != ParseKind::Simple {
        return decline(cx, span, "only the simple kind is translated");
    }
    let mut names: Vec<&ir::Column> = Vec::new();
    for part in &p.parts {
        if let ParsePart::Capture { name, ty } = part {
            if *ty != ir::ValueType::String {
                return decline(cx, name.span, "a typed column");
            }
            if names.iter().any(|n| n.name == name.name) {
                return decline(cx, name.span, "the column is named twice in the pattern");
            }
            if name.name.starts_with(CAPTURE) {
                return decline(
                    cx,
                    name.span,
                    "the column's name is one kqlport uses for its temporary columns",
                );
            }
            names.push(name);
        }
    }
    if let ExprKind::Field(fp) = &p.source.kind {
        if !fp.path.is_empty() || fp.parsed {
            return decline(
                cx,
                p.source.span,
                "a member of a dynamic value: it may hold an array, whose values GROK parses one by one",
            );
        }
    }
    match cx.cols.infer(&p.source) {
        Some(ColumnType::String) => {}
        Some(ColumnType::Dynamic) => {
            return decline(
                cx,
                p.source.span,
                "KQL parses a dynamic value's JSON text, whose spelling (spacing, key order) the index does not keep",
            )
        }
        Some(t) => {
            return decline(
                cx,
                p.source.span,
                &format!(
                    "KQL parses the text form of a {} value, which ES|QL spells differently",
                    t.kql_name()
                ),
            )
        }
        // An event field the schema does not know (a custom `_s` column, a function's output):
        // GROK reads strings only, and the query is rejected if it is not one.
        None => cx.notes.push(
            p.source.span,
            Effect::Values,
            "the parsed value's type is not known: if it is not a string, ES|QL rejects the query (GROK reads strings only), where KQL parses its text form",
        ),
    }
    let source = match cx.expr(&p.source) {
        Expr::Column(c) => c,
        e => {
            out.push(Command::Eval(vec![(SOURCE.to_string(), e)]));
            SOURCE.to_string()
        }
    };
    let witness = p.filter;
    if p.filter && !p.parts.iter().any(|q| matches!(q, ParsePart::Const(_))) {
        return decline(
            cx,
            span,
            "parse-where with a pattern of one column: GROK gives no sign of a match that is not a column's value",
        );
    }
    if let Some(ParsePart::Capture { name, .. }) = p.parts.first() {
        let (effect, what) = if p.filter {
            (Effect::UnderMatch, "drops the row")
        } else {
            (Effect::Values, "leaves the columns empty")
        };
        cx.notes.push(
            name.span,
            effect,
            format!("the pattern starts with a column, matched from the start of the value: where the value holds a line break this {what}, and whether Kusto searches the later lines instead is not checked by kqlport"),
        );
    }
    let pattern = grok_pattern(&p.parts, witness);
    out.push(Command::Grok {
        input: source.clone(),
        pattern,
    });
    let mut temps: Vec<Pattern> = Vec::new();
    if witness {
        out.push(Command::Where(Expr::is_not_null(Expr::Column(
            MATCHED.to_string(),
        ))));
        temps.push(Pattern::Name(MATCHED.to_string()));
    }
    let mut assigns = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let tmp = format!("{CAPTURE}{}", i + 1);
        assigns.push((
            n.name.clone(),
            Expr::call(
                "COALESCE",
                vec![Expr::Column(tmp.clone()), Expr::Str(String::new())],
            ),
        ));
        temps.push(Pattern::Name(tmp));
    }
    out.push(Command::Eval(assigns));
    if source == SOURCE && !names.iter().any(|n| n.name == SOURCE) {
        temps.push(Pattern::Name(SOURCE.to_string()));
    }
    out.push(Command::Drop(temps));
    for n in names {
        cx.source_gone(&n.name);
        cx.spellings.remove(&n.name);
    }
}

/// The GROK pattern of a simple-kind parse (module documentation): capture `i` (from 1) in
/// group `kqlport_parse<i>`, the first constant in group `kqlport_parsed` when `witness`.
fn grok_pattern(parts: &[ParsePart], witness: bool) -> String {
    let mut out = String::new();
    if matches!(parts.first(), Some(ParsePart::Capture { .. })) {
        out.push_str("\\A");
    }
    let (mut captures, mut witnessed) = (0, !witness);
    for (i, part) in parts.iter().enumerate() {
        match part {
            // A leading `*` is what an unanchored search does.
            ParsePart::Skip if i == 0 => {}
            ParsePart::Skip => out.push_str("[^\\n]*?"),
            ParsePart::Const(c) => {
                if witnessed {
                    out.push_str(&escape(c));
                } else {
                    out.push_str(&format!("(?<{MATCHED}>{})", escape(c)));
                    witnessed = true;
                }
            }
            ParsePart::Capture { .. } => {
                captures += 1;
                out.push_str(&format!("(?<{CAPTURE}{captures}>[^\\n]*?)"));
            }
        }
    }
    out.push_str("\\z");
    out
}

/// `s` as an Oniguruma regex matching exactly `s`: [`ir::regex_escape`] puts a `\` before
/// each metacharacter only (`\ . + * ? ( ) | [ ] { } ^ $`), never before a letter or other
/// punctuation, which Oniguruma could read as an escape of its own (`\<`, `` \` ``). An
/// escaped `{` also keeps `%{` from reading as a grok pattern reference.
fn escape(s: &str) -> String {
    ir::regex_escape(s)
}

fn decline(cx: &mut Cx, span: Span, why: &str) {
    cx.decline_help(
        BackendCode::B071,
        format!("this parse has no exact ES|QL form: {why}"),
        span,
        "extract the value with a GROK pattern of your own",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(n: &str) -> ParsePart {
        ParsePart::Capture {
            name: ir::Column {
                name: n.into(),
                span: Span::default(),
            },
            ty: ir::ValueType::String,
        }
    }

    fn lit(s: &str) -> ParsePart {
        ParsePart::Const(s.into())
    }

    #[test]
    fn skips_and_columns_are_lazy_no_dot_crosses_a_line_and_the_end_is_anchored() {
        // * "user=" U " dom=" D
        let parts = [
            ParsePart::Skip,
            lit("user="),
            cap("U"),
            lit(" dom="),
            cap("D"),
        ];
        assert_eq!(
            grok_pattern(&parts, false),
            r"user=(?<kqlport_parse1>[^\n]*?) dom=(?<kqlport_parse2>[^\n]*?)\z"
        );
        // U "[" * "]" *: anchored at the start of the value, not of a line
        let parts = [
            cap("U"),
            lit("["),
            ParsePart::Skip,
            lit("]"),
            ParsePart::Skip,
        ];
        assert_eq!(
            grok_pattern(&parts, false),
            r"\A(?<kqlport_parse1>[^\n]*?)\[[^\n]*?\][^\n]*?\z"
        );
    }

    #[test]
    fn parse_where_wraps_the_first_constant_and_metacharacters_are_escaped() {
        let parts = [
            ParsePart::Skip,
            lit("%{a}.("),
            cap("X"),
            lit("$"),
            ParsePart::Skip,
        ];
        assert_eq!(
            grok_pattern(&parts, true),
            r"(?<kqlport_parsed>%\{a\}\.\()(?<kqlport_parse1>[^\n]*?)\$[^\n]*?\z"
        );
    }
}
