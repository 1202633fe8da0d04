//! Array and object values, held by ES|QL as multi-values or text.
//!
//! `split`, `array_sort`, `parse_url(u).Part`, and whole `parse_json` values.

use super::regex::count_matches;
use super::{lit_str, or_empty, replace};
use crate::ast::{BinOp, Expr};
use crate::cx::Cx;
use crate::java;
use kqlport::backend::Effect;
use kqlport::codes::EsqlCode;
use kqlport::ir::{self, ExprKind, ScalarFn};
use kqlport::source::Span;

impl Cx {
    /// `split(x, d)` as a whole value ⇒ `SPLIT(COALESCE(x, ""), d)`, a multi-valued value.
    /// ES|QL's `SPLIT` takes a one-byte delimiter; longer ones are declined.
    pub(crate) fn split_whole(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        let Some(split) = self.split_values(args, span) else {
            return Expr::Null;
        };
        self.value_note(
            span,
            "split() ⇒ SPLIT, a multi-valued value: an array of one element is a single value in ES|QL",
        );
        split
    }

    /// `SPLIT(COALESCE(x, ""), d)` for a literal one-byte delimiter (KQL and ES|QL both keep
    /// empty parts), or a refusal.
    pub(crate) fn split_values(&mut self, args: &[ir::Expr], span: Span) -> Option<Expr> {
        let [x, d] = args else {
            self.decline(
                EsqlCode::B005,
                "split with a requested index has no ES|QL form here",
                span,
            );
            return None;
        };
        match lit_str(d) {
            Some(d) if d.len() == 1 => {
                let v = self.expr(x);
                Some(Expr::call("SPLIT", vec![or_empty(v), Expr::Str(d.into())]))
            }
            Some(_) => {
                self.decline(
                    EsqlCode::B005,
                    "ES|QL's SPLIT takes a one-byte delimiter; this one is longer",
                    d.span,
                );
                None
            }
            None => {
                self.need_literal("the split delimiter", span);
                None
            }
        }
    }

    /// `split(x, d)[i]` for a delimiter of several bytes (ES|QL's SPLIT takes one) and `i >= 0`:
    /// `REPLACE(s, "\A(?:(?s:.*?)d){i}((?s:.*?))(?:d(?s:.*))?\z", "$1")` skips `i` delimiters
    /// left to right (non-overlapping, as KQL splits) and keeps the text up to the next one or
    /// the end; when `s` has fewer than `i` delimiters (counted as in `countof`) the element
    /// does not exist and the value is null, as in KQL. A negative index is declined (counting
    /// from the end would pick overlapping delimiters differently).
    pub(crate) fn split_index(&mut self, x: &ir::Expr, d: &str, i: i64, span: Span) -> Expr {
        if i < 0 {
            self.decline(
                EsqlCode::B004,
                "a negative index into split() with a delimiter of several characters has no ES|QL form here (SPLIT takes a one-byte delimiter)",
                span,
            );
            return Expr::Null;
        }
        let q = java::literal(d);
        let t = or_empty(self.expr(x));
        let element = replace(
            t.clone(),
            format!("\\A(?:(?s:.*?){q}){{{i}}}((?s:.*?))(?:{q}(?s:.*))?\\z"),
            "$1".into(),
        );
        if i == 0 {
            return element;
        }
        Expr::call(
            "CASE",
            vec![
                Expr::bin(count_matches(t, &q), BinOp::Ge, Expr::Int(i)),
                element,
                Expr::Null,
            ],
        )
    }

    /// `parse_url(u).Part` ⇒ group `Part` of an RFC 3986 URI regex over `u`:
    /// `scheme://[user[:password]@]host[:port]path[?query][#fragment]`; a text that is not such a
    /// URL gives `""` for every part (KQL: an empty object, whose missing parts read as `""`).
    /// KQL's URL parser can normalise or reject some URLs differently: a Values note.
    /// `Query Parameters` (an object) is declined; any other name is not a property (null).
    pub(crate) fn url_part(&mut self, text: Expr, part: &str, span: Span) -> Expr {
        let group = match part {
            "Scheme" => 1,
            "Username" => 2,
            "Password" => 3,
            "Host" => 4,
            "Port" => 5,
            "Path" => 6,
            "Fragment" => 8,
            "Query Parameters" => {
                self.decline(
                    EsqlCode::B004,
                    "parse_url(…)[\"Query Parameters\"] is an object, which ES|QL has no value for",
                    span,
                );
                return Expr::Null;
            }
            // KQL's object has no other property: reading one gives null.
            _ => return Expr::Null,
        };
        self.value_note(
            span,
            format!("parse_url(…).{part} is read with an RFC 3986 URL regex (scheme://[user[:password]@]host[:port]path[?query][#fragment], \"\" when the text is not such a URL); KQL's URL parser can normalise (case, percent-escapes, default ports) or reject some URLs differently, so the value and tests on it can differ"),
        );
        const URL: &str = "\\A([A-Za-z][A-Za-z0-9+.\\-]*)://(?:([^:@/?#]*)(?::([^@/?#]*))?@)?(\\[[^\\]/?#]*\\]|[^:/?#]*)(?::([0-9]*))?([^?#]*)(?:\\?([^#]*))?(?:#((?s:.*)))?\\z|(?s:.*)";
        replace(or_empty(text), URL.to_string(), format!("${group}"))
    }

    /// `array_sort_asc(a)` / `array_sort_desc(a)` of one array ⇒ `MV_SORT(a, "ASC"/"DESC")`.
    pub(crate) fn array_sort(&mut self, func: ScalarFn, args: &[ir::Expr], span: Span) -> Expr {
        let [a] = args else {
            self.decline(
                EsqlCode::B005,
                "array_sort with several arrays or a nulls_last argument has no ES|QL form here",
                span,
            );
            return Expr::Null;
        };
        let x = self.expr(a);
        let dir = if func == ScalarFn::ArraySortAsc {
            "ASC"
        } else {
            "DESC"
        };
        Expr::call("MV_SORT", vec![x, Expr::Str(dir.into())])
    }

    /// The column holding the JSON text of a whole parsed value (`parse_json(X)`, or a column
    /// assigned one), when `e` is one.
    pub(crate) fn whole_json(&self, e: &ir::Expr) -> Option<String> {
        let ExprKind::Field(fp) = &e.kind else {
            return None;
        };
        if !fp.path.is_empty() {
            return None;
        }
        match self.spellings.get(&fp.column) {
            Some(a) if a.virtual_only && a.live && a.target.path.is_empty() => {
                Some(a.target.column.clone())
            }
            Some(_) => None,
            None if fp.parsed => Some(fp.column.clone()),
            None => None,
        }
    }

    /// `array_length(parse_json(X))` ⇒ `MV_COUNT(X)`, reading `X` as an array field as every
    /// other path into a parsed value is read (notes say what differs).
    pub(crate) fn json_array_length(&mut self, arg: &ir::Expr, span: Span) -> Expr {
        let Some(col) = self.whole_json(arg) else {
            return Expr::Null;
        };
        let msg = format!(
            "array_length(parse_json({col})) ⇒ MV_COUNT({col}): exact for the element count when the index holds `{col}` as an array (an empty array is missing, so its length is null where KQL says 0); if it holds the JSON text, the count is 1 for any text"
        );
        self.notes.push(span, Effect::UnderMatch, msg.clone());
        self.notes.push(span, Effect::OverMatch, msg);
        Expr::call("MV_COUNT", vec![Expr::Column(col)])
    }

    /// The argument of `make_set`/`make_list` of a whole parsed value: the JSON text column, with
    /// a note (ES|QL has no object values).
    pub(crate) fn json_text_for_set(&mut self, arg: &ir::Expr, span: Span) -> Option<Expr> {
        let col = self.whole_json(arg)?;
        self.value_note(
            span,
            format!("the set holds `{col}`'s JSON text, not parsed values (ES|QL has no object values): texts that parse to the same value but are spelled differently are kept apart, and the elements are strings; if the index holds `{col}` as an object rather than text, ES|QL cannot read it whole and the query fails"),
        );
        Some(Expr::Column(col))
    }
}
