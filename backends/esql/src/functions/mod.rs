//! Scalar function calls: the rendering each KQL function gets, and the one-liners.
//!
//! Families needing more live beside: `regex` (`REPLACE` with a Java regex), `strings`,
//! `time`, `ip`, `arrays` (arrays and parsed values), `convert` (`toint`/`tolong`: a real truncated).

mod arrays;
mod convert;
mod ip;
mod regex;
mod strings;
pub(crate) mod time;

use crate::ast::Expr;
use crate::cx::Cx;
use kqlport::backend::Effect;
use kqlport::codes::EsqlCode;
use kqlport::ir::{self, ExprKind, Literal, ScalarFn};
use kqlport::source::Span;

fn lit_str(e: &ir::Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Literal(Literal::String(s)) => Some(s),
        _ => None,
    }
}

fn lit_int(e: &ir::Expr) -> Option<i64> {
    match &e.kind {
        ExprKind::Literal(Literal::Long(n)) => Some(*n),
        _ => None,
    }
}

/// `COALESCE(x, "")`: KQL reads a missing string as `""`.
fn or_empty(x: Expr) -> Expr {
    match x {
        Expr::Str(_) => x,
        x => Expr::call("COALESCE", vec![x, Expr::Str(String::new())]),
    }
}

/// `REPLACE(text, "pattern", "rewrite")`.
fn replace(text: Expr, pattern: String, rewrite: String) -> Expr {
    Expr::call(
        "REPLACE",
        vec![text, Expr::Str(pattern), Expr::Str(rewrite)],
    )
}

impl Cx {
    pub(crate) fn call(&mut self, func: ScalarFn, args: &[ir::Expr], span: Span) -> Expr {
        // Functions that read their arguments' IR (literals, patterns): see the family modules.
        match (func, args.len()) {
            (ScalarFn::Extract, _) => return self.extract(args, span),
            (ScalarFn::Replace, 3) => return self.replace_regex(args, span),
            (ScalarFn::ReplaceString, 3) => return self.replace_string(args, span),
            (ScalarFn::CountOf, _) => return self.countof(args, span),
            (ScalarFn::Trim | ScalarFn::TrimStart | ScalarFn::TrimEnd, 2) => {
                return self.trim(func, args, span)
            }
            (ScalarFn::Substring, _) => return self.substring(args),
            (ScalarFn::DateTimeDiff, 3) => return self.datetime_diff(args, span),
            (ScalarFn::HourOfDay | ScalarFn::GetMonth | ScalarFn::GetYear, 1) => {
                return self.date_part(func, args)
            }
            (ScalarFn::ArraySortAsc | ScalarFn::ArraySortDesc, _) => {
                return self.array_sort(func, args, span)
            }
            (ScalarFn::ToString, 1) if time::day_of_week_arg(&args[0]).is_some() => {
                return self.day_of_week_text(time::day_of_week_arg(&args[0]).unwrap_or(&args[0]))
            }
            (ScalarFn::UrlEncode, 1) => return self.url_encode(args, span),
            (ScalarFn::UrlDecode, 1) => return self.url_decode(args, span),
            (ScalarFn::Split, _) => return self.split_whole(args, span),
            (ScalarFn::IndexOf, 2) => return self.index_of(args, span),
            (ScalarFn::ToHex, _) => return self.hex_digits(args, span),
            (ScalarFn::IndexOfRegex, _) => return self.index_of_regex(args, span),
            (ScalarFn::ParseUrl, 1) => {
                self.value_note(
                    span,
                    "parse_url(u) as a whole is kept as the URL text (ES|QL has no object values); its parts are read from it with a URL regex",
                );
                let u = self.expr(&args[0]);
                return Expr::call("COALESCE", vec![u, Expr::Str(String::new())]);
            }
            (ScalarFn::Base64DecodeToString, 1) => return self.base64_decode(args, span),
            (ScalarFn::ArrayLength, 1) if self.whole_json(&args[0]).is_some() => {
                return self.json_array_length(&args[0], span)
            }
            (ScalarFn::DynamicIndex, 2) => {
                if let Some(e) = self.split_element_at(&args[0], &args[1]) {
                    return e;
                }
            }
            _ => {}
        }
        let a: Vec<Expr> = args.iter().map(|x| self.expr(x)).collect();
        self.call_on_values(func, args, a, span)
    }

    /// The functions rendered from their arguments' ES|QL values `a` (the IR `args` only say
    /// which are literals).
    fn call_on_values(
        &mut self,
        func: ScalarFn,
        args: &[ir::Expr],
        a: Vec<Expr>,
        span: Span,
    ) -> Expr {
        let simple = |name: &'static str, a: Vec<Expr>| Expr::call(name, a);
        match (func, a.len()) {
            (ScalarFn::ToString, 1) => self.tostring(args, a, span),
            (ScalarFn::ArrayLength, 1) => {
                let msg = "array_length ⇒ MV_COUNT, the number of values of a multi-valued column (make_set/make_list results, flattened arrays): an empty array is a missing value in ES|QL, so its length is null (KQL: 0), and a non-array value counts 1 (KQL: null); tests on the length can differ both ways";
                self.notes.push(span, Effect::UnderMatch, msg);
                self.notes.push(span, Effect::OverMatch, msg);
                simple("MV_COUNT", a)
            }
            (ScalarFn::ToLower, 1) => simple("TO_LOWER", a),
            (ScalarFn::ToUpper, 1) => simple("TO_UPPER", a),
            (ScalarFn::ToInt, 1) => self.integer_conversion("TO_INTEGER", args, a, span),
            (ScalarFn::ToLong, 1) => self.integer_conversion("TO_LONG", args, a, span),
            (ScalarFn::ToReal, 1) => simple("TO_DOUBLE", a),
            (ScalarFn::ToBool, 1) => simple("TO_BOOLEAN", a),
            (ScalarFn::ToDateTime, 1) => simple("TO_DATETIME", a),
            (ScalarFn::StrCat, n) if n >= 1 => self.strcat(args, a, span),
            (ScalarFn::Strlen, 1) => Expr::call(
                "LENGTH",
                vec![Expr::call(
                    "COALESCE",
                    a.into_iter().chain([Expr::Str(String::new())]).collect(),
                )],
            ),
            (ScalarFn::Ipv4IsPrivate, 1) => ip::ipv4_is_private(a),
            (ScalarFn::Ipv4IsInRange, 2) => self.ipv4_is_in_range(args, a, span),
            (ScalarFn::StartOfDay | ScalarFn::StartOfMonth | ScalarFn::StartOfWeek, 1) => {
                time::start_of(func, a)
            }
            (ScalarFn::Abs, 1) => simple("ABS", a),
            (ScalarFn::Round, 1 | 2) => {
                self.value_note(span, kqlport_kit::notes::ROUND_HALVES);
                simple("ROUND", a)
            }
            (ScalarFn::Floor, 1) => simple("FLOOR", a),
            (ScalarFn::Bin, 2) | (ScalarFn::Floor, 2) => self.bin(&args[0], &args[1], span),
            (ScalarFn::Coalesce, n) if n >= 1 => {
                self.value_note(
                    span,
                    "KQL's coalesce also skips empty strings; ES|QL's COALESCE skips only nulls",
                );
                simple("COALESCE", a)
            }
            // Both count the bytes of the UTF-8 encoding; KQL's string is never null ("").
            (ScalarFn::StringSize, 1) => Expr::call(
                "BYTE_LENGTH",
                vec![Expr::call(
                    "COALESCE",
                    a.into_iter().chain([Expr::Str(String::new())]).collect(),
                )],
            ),
            // TO_DATETIME reads a number as milliseconds since the epoch.
            (ScalarFn::UnixtimeMillisecondsToDatetime, 1) => {
                self.value_note(
                    span,
                    "unixtime_milliseconds_todatetime ⇒ TO_DATETIME: ES|QL dates have millisecond resolution, so a fraction of a millisecond (kept by KQL to 100 ns) is dropped",
                );
                simple("TO_DATETIME", a)
            }
            (ScalarFn::HasTerm | ScalarFn::HasTermCs, _) => self.has_term(func, a, span),
            (ScalarFn::MatchesRegex, _) => {
                self.decline_help(
                    EsqlCode::B005,
                    "`matches regex` with a regex computed when the query runs: ES|QL's RLIKE \
                     takes its pattern as a constant, and no other ES|QL function matches a \
                     regex"
                        .to_string(),
                    span,
                    "write the regex as a constant string, or translate this rule to SPL",
                );
                Expr::Null
            }
            (ScalarFn::HashSha256 | ScalarFn::HashMd5, 1) => self.hash_text(func, args, a, span),
            (ScalarFn::Reverse, 1) => self.reverse_text(a, span),
            (ScalarFn::FormatDatetime, 2) => self.format_datetime(args, a, span),
            (ScalarFn::Log2, 1) => {
                self.value_note(
                    span,
                    "log2() of 0 is -infinity in KQL; ES|QL's LOG gives null (and a warning) for \
                     0, as both do for a negative number",
                );
                Expr::call("LOG", std::iter::once(Expr::Int(2)).chain(a).collect())
            }
            (ScalarFn::MaxOf | ScalarFn::MinOf, n) if n >= 1 => {
                self.max_min_of(func, args, a, span)
            }
            (
                ScalarFn::Contains
                | ScalarFn::ContainsCs
                | ScalarFn::StartsWith
                | ScalarFn::StartsWithCs
                | ScalarFn::EndsWith
                | ScalarFn::EndsWithCs,
                _,
            ) => self.substring_test(func, args, a, span),
            (ScalarFn::ExtractAll, _) => {
                self.decline_help(
                    EsqlCode::B005,
                    "extract_all() returns every match of a regex; ES|QL has no function \
                     returning every match (GROK, DISSECT and REPLACE see one match or rewrite \
                     them all in place)"
                        .to_string(),
                    span,
                    "use extract() for the first match, or translate this part by hand",
                );
                Expr::Null
            }
            (ScalarFn::BagPack | ScalarFn::DynamicIndex, _) => {
                self.decline_help(
                    EsqlCode::B005,
                    format!(
                        "{func:?} works on dynamic objects, and ES|QL has no object values \
                         (Elasticsearch flattens objects into dotted fields)"
                    ),
                    span,
                    "translate this part by hand",
                );
                Expr::Null
            }
            (
                ScalarFn::SetUnion
                | ScalarFn::SetDifference
                | ScalarFn::SetIntersect
                | ScalarFn::ArrayConcat,
                _,
            ) => {
                // MV_UNION, MV_INTERSECTION and MV_DIFFERENCE are in the ES|QL function
                // catalogue only from 9.5 (the checker's generated signatures); this backend
                // targets 9.2.
                let name = match func {
                    ScalarFn::SetUnion => "set_union",
                    ScalarFn::SetDifference => "set_difference",
                    ScalarFn::SetIntersect => "set_intersect",
                    _ => "array_concat",
                };
                self.decline_help(
                    EsqlCode::B005,
                    format!(
                        "{name}() computes on whole arrays, which the ES|QL backend does not \
                         translate (ES|QL's multi-value set functions are newer than the 9.2 it \
                         targets, and keyword fields read as multi-values come back sorted and \
                         deduplicated)"
                    ),
                    span,
                    "expand the arrays with mv-expand and compare their values instead",
                );
                Expr::Null
            }
            (f, _) => {
                self.decline_help(
                    EsqlCode::B005,
                    format!("the scalar function {f:?} has no exact ES|QL equivalent here"),
                    span,
                    "rewrite the query without it, or translate this part by hand",
                );
                Expr::Null
            }
        }
    }

    /// `a[i]` of a `split` array at a computed integer `i` ⇒ `MV_SLICE(a, TO_INTEGER(i))`:
    /// both count from 0, negative from the end, and give null out of range or for a null
    /// index (MV_SLICE takes an integer; a long index that no integer holds is out of any
    /// array's range, and TO_INTEGER makes it null). `None` for any other array or index.
    fn split_element_at(&mut self, array: &ir::Expr, index: &ir::Expr) -> Option<Expr> {
        let ExprKind::Field(fp) = &array.kind else {
            return None;
        };
        let integer = matches!(
            self.cols.infer(index),
            Some(kqlport::schema::ColumnType::Long | kqlport::schema::ColumnType::Int)
        );
        if !(fp.is_plain() && !fp.parsed && integer && self.split_column(&fp.column))
            || self.spellings.contains_key(&fp.column)
        {
            return None;
        }
        let i = self.expr(index);
        Some(Expr::call(
            "MV_SLICE",
            vec![
                Expr::Column(fp.column.clone()),
                Expr::call("TO_INTEGER", vec![i]),
            ],
        ))
    }

    fn need_literal(&mut self, what: &str, span: Span) -> Expr {
        self.decline(
            EsqlCode::B005,
            format!("{what} must be a literal for the ES|QL backend"),
            span,
        );
        Expr::Null
    }
}
