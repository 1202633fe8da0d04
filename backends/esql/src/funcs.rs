//! Scalar functions whose ES|QL form needs more than a renamed call: the regex family
//! (`extract`, `replace_regex`, `replace_string`, `countof`, `trim*`) built on `REPLACE` with a
//! Java regex from [`crate::java`], `substring`, `split`, `datetime_diff`, the date parts, and a
//! few one-liners. Each function documents its rendering and whatever can differ; called from
//! `Cx::call`.

use crate::ast::{BinOp, Expr};
use crate::expr::Cx;
use crate::java::{self, JavaRegex};
use kqlport::backend::Effect;
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

fn replace(text: Expr, pattern: String, rewrite: String) -> Expr {
    Expr::call(
        "REPLACE",
        vec![text, Expr::Str(pattern), Expr::Str(rewrite)],
    )
}

/// The number of non-overlapping matches of `pattern` in `text`: each match replaced by two
/// characters instead of one lengthens the result by one (the matches do not depend on the
/// replacement).
fn count_matches(text: Expr, pattern: &str) -> Expr {
    Expr::bin(
        Expr::call(
            "LENGTH",
            vec![replace(text.clone(), pattern.to_string(), "xx".into())],
        ),
        BinOp::Sub,
        Expr::call(
            "LENGTH",
            vec![replace(text, pattern.to_string(), "x".into())],
        ),
    )
}

impl Cx {
    /// A literal RE2 pattern as a Java regex, or a B001 refusal naming the construct.
    fn java_regex(&mut self, what: &str, pattern: &str, span: Span) -> Option<JavaRegex> {
        match java::rewrite_re2(pattern) {
            Ok(j) => Some(j),
            Err(u) => {
                let detail = match u.at {
                    Some((a, b)) => format!(
                        " (at `{}` in the pattern)",
                        pattern.get(a..b).unwrap_or_default()
                    ),
                    None => String::new(),
                };
                self.decline(
                    "B001",
                    format!(
                        "the {what} regex cannot be rewritten exactly for ES|QL's Java regex: {}{detail}",
                        u.message
                    ),
                    span,
                );
                None
            }
        }
    }

    fn need_literal(&mut self, what: &str, span: Span) -> Expr {
        self.decline(
            "B005",
            format!("{what} must be a literal for the ES|QL backend"),
            span,
        );
        Expr::Null
    }

    /// `extract(re, g, text)` ⇒ `REPLACE(COALESCE(text, ""), "\A(?s:.*?)(?:re)(?s:.*)|(?s:.*)",
    /// "$g")`: the first alternative spans the whole text, its lazy prefix finding the leftmost
    /// match of `re`, and is replaced by group `g`; when `re` does not match, the second
    /// alternative replaces the text by the unset group, i.e. `""` — KQL's value for no match
    /// (group 0 is `re` wrapped in a group of its own). The empty match that `REPLACE` also
    /// finds at the end of the text adds nothing.
    pub(crate) fn extract(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        let [re, g, text] = args else {
            self.decline(
                "B005",
                "extract with a type argument has no ES|QL form here",
                span,
            );
            return Expr::Null;
        };
        let (Some(re_s), Some(g)) = (lit_str(re), lit_int(g)) else {
            return self.need_literal("the extract regex and group number", span);
        };
        let Some(j) = self.java_regex("extract", re_s, re.span) else {
            return Expr::Null;
        };
        if g < 0 || g as usize > j.groups {
            self.decline(
                "B005",
                format!(
                    "extract asks for group {g}, and the regex has {} capture group(s)",
                    j.groups
                ),
                span,
            );
            return Expr::Null;
        }
        let (pattern, rewrite) = if g == 0 {
            (
                format!("\\A(?s:.*?)({})(?s:.*)|(?s:.*)", j.pattern),
                "$1".to_string(),
            )
        } else {
            (
                format!("\\A(?s:.*?)(?:{})(?s:.*)|(?s:.*)", j.pattern),
                format!("${g}"),
            )
        };
        let t = self.expr(text);
        replace(or_empty(t), pattern, rewrite)
    }

    /// `replace_regex(text, re, rewrite)` ⇒ `REPLACE(COALESCE(text, ""), re', rewrite')`: both
    /// replace every non-overlapping match, left to right. The rewrite's `\0`…`\9` become
    /// `$0`…`$9`, `\\` a backslash and `$` is escaped; a pattern that can match the empty
    /// string gets a Values note (RE2 skips an empty match right after a match, Java does not).
    pub(crate) fn replace_regex(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        let [text, re, rw] = args else {
            return Expr::Null;
        };
        let (Some(re_s), Some(rw_s)) = (lit_str(re), lit_str(rw)) else {
            return self.need_literal("the replace_regex pattern and rewrite", span);
        };
        let Some(j) = self.java_regex("replace_regex", re_s, re.span) else {
            return Expr::Null;
        };
        let mut out = String::new();
        let mut chars = rw_s.chars();
        while let Some(c) = chars.next() {
            match c {
                '$' => out.push_str("\\$"),
                '\\' => match chars.next() {
                    Some(d @ '0'..='9') => {
                        if d.to_digit(10).unwrap_or(0) as usize > j.groups {
                            self.decline(
                                "B005",
                                format!("the rewrite refers to group {d}, and the regex has {} capture group(s)", j.groups),
                                rw.span,
                            );
                            return Expr::Null;
                        }
                        out.push('$');
                        out.push(d);
                    }
                    Some('\\') => out.push_str("\\\\"),
                    _ => {
                        self.decline(
                            "B005",
                            "the rewrite uses an escape other than \\0-\\9 or \\\\",
                            rw.span,
                        );
                        return Expr::Null;
                    }
                },
                other => out.push(other),
            }
        }
        if j.matches_empty {
            self.value_note(
                span,
                "the pattern can match the empty string: Java's REPLACE also replaces an empty match right after a previous match (e.g. at the end of the text), which RE2 skips, so the result can differ",
            );
        }
        let t = self.expr(text);
        replace(or_empty(t), j.pattern, out)
    }

    /// `replace_string(text, lookup, rewrite)` ⇒ `REPLACE` with the lookup quoted as a Java
    /// regex and the rewrite escaped: every non-overlapping occurrence, left to right.
    pub(crate) fn replace_string(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        let [text, lookup, rw] = args else {
            return Expr::Null;
        };
        let (Some(l), Some(r)) = (lit_str(lookup), lit_str(rw)) else {
            return self.need_literal("the replace_string lookup and rewrite", span);
        };
        if l.is_empty() {
            self.decline(
                "B005",
                "replace_string with an empty lookup: KQL's result is not documented",
                span,
            );
            return Expr::Null;
        }
        let t = self.expr(text);
        replace(or_empty(t), java::literal(l), java::replacement_literal(r))
    }

    /// `countof(text, search[, kind])`: the number of matches, as the length difference of two
    /// `REPLACE`s (see `count_matches`). A plain search counts overlapping occurrences, as KQL
    /// does, by matching the lookahead `(?=search)` at every position; a regex counts
    /// non-overlapping matches (one that can match the empty string is declined: RE2 and Java
    /// place empty matches differently).
    pub(crate) fn countof(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        let (text, search, kind) = match args {
            [t, s] => (t, s, "normal"),
            [t, s, k] => match lit_str(k) {
                Some(k) => (t, s, k),
                None => return self.need_literal("the countof kind", span),
            },
            _ => return Expr::Null,
        };
        let Some(s) = lit_str(search) else {
            return self.need_literal("the countof search", span);
        };
        if s.is_empty() {
            self.decline("B005", "countof with an empty search", span);
            return Expr::Null;
        }
        let pattern = match kind.to_ascii_lowercase().as_str() {
            "normal" => format!("(?={})", java::literal(s)),
            "regex" => {
                let Some(j) = self.java_regex("countof", s, search.span) else {
                    return Expr::Null;
                };
                if j.matches_empty {
                    self.decline(
                        "B005",
                        "countof with a regex that can match the empty string: RE2 and Java count empty matches differently",
                        search.span,
                    );
                    return Expr::Null;
                }
                j.pattern
            }
            _ => {
                self.decline(
                    "B005",
                    "countof's kind must be \"normal\" or \"regex\"",
                    span,
                );
                return Expr::Null;
            }
        };
        let t = self.expr(text);
        count_matches(or_empty(t), &pattern)
    }

    /// `trim_start(re, text)` ⇒ `REPLACE(text, "\A(?:re)", "")`, `trim_end` ⇒ `(?:re)\z` (the
    /// leftmost match that reaches the end), `trim` both. One match is removed at each end:
    /// KQL documents removing "the leading match" but not whether a second match right after it
    /// goes too, so unless the regex is one unbounded repetition of a single character class
    /// (where no second match can follow), a Values note says so.
    pub(crate) fn trim(&mut self, func: ScalarFn, args: &[ir::Expr], span: Span) -> Expr {
        let [re, text] = args else {
            return Expr::Null;
        };
        let Some(re_s) = lit_str(re) else {
            return self.need_literal("the trim regex", span);
        };
        let Some(j) = self.java_regex("trim", re_s, re.span) else {
            return Expr::Null;
        };
        if !is_closed_run(re_s) {
            self.value_note(
                span,
                "trim removes one match of the regex at each end; KQL documents removing the leading/trailing match but not whether a further match right after it is removed too, so such values can differ",
            );
        }
        let t = self.expr(text);
        let mut v = or_empty(t);
        if matches!(func, ScalarFn::Trim | ScalarFn::TrimStart) {
            v = replace(v, format!("\\A(?:{})", j.pattern), String::new());
        }
        if matches!(func, ScalarFn::Trim | ScalarFn::TrimEnd) {
            v = replace(v, format!("(?:{})\\z", j.pattern), String::new());
        }
        v
    }

    /// `substring(text, start[, length])` ⇒ `COALESCE(SUBSTRING(COALESCE(text, ""), start',
    /// length), "")`: KQL counts from 0, ES|QL from 1, and both count a negative start from the
    /// end. A start that is not provably non-negative becomes `CASE(k < 0, k, k + 1)`, and a
    /// computed length `GREATEST(n, 0)` (ES|QL rejects a negative length): Values notes say
    /// where KQL's behaviour is not documented.
    pub(crate) fn substring(&mut self, args: &[ir::Expr]) -> Expr {
        let (text, start, len) = match args {
            [t, s] => (t, s, None),
            [t, s, l] => (t, s, Some(l)),
            _ => return Expr::Null,
        };
        let start_e = match lit_int(start) {
            Some(k) if k >= 0 => Expr::Int(k.saturating_add(1)),
            Some(k) => {
                self.value_note(
                    start.span,
                    "a negative start counts from the end; when it reaches before the first character ES|QL starts at the first character, where KQL's result is not documented",
                );
                Expr::Int(k)
            }
            None if start.is_non_negative() => {
                Expr::bin(self.expr(start), BinOp::Add, Expr::Int(1))
            }
            None => {
                self.value_note(
                    start.span,
                    "a negative start counts from the end; when it reaches before the first character ES|QL starts at the first character, where KQL's result is not documented",
                );
                let k = self.expr(start);
                Expr::call(
                    "CASE",
                    vec![
                        Expr::bin(k.clone(), BinOp::Lt, Expr::Int(0)),
                        k.clone(),
                        Expr::bin(k, BinOp::Add, Expr::Int(1)),
                    ],
                )
            }
        };
        let t = self.expr(text);
        let mut call_args = vec![or_empty(t), start_e];
        if let Some(l) = len {
            match lit_int(l) {
                Some(n) if n >= 0 => call_args.push(Expr::Int(n)),
                Some(_) => {
                    self.decline(
                        "B005",
                        "substring with a negative length: KQL's result is not documented",
                        l.span,
                    );
                    return Expr::Null;
                }
                None => {
                    if !l.is_non_negative() {
                        self.value_note(
                            l.span,
                            "a negative length gives \"\" here (ES|QL's SUBSTRING rejects it); KQL's result for a negative length is not documented",
                        );
                    }
                    let n = self.expr(l);
                    call_args.push(Expr::call("GREATEST", vec![n, Expr::Int(0)]));
                }
            }
        }
        // SUBSTRING of "" is null in some releases: KQL's result is "".
        or_empty(Expr::call("SUBSTRING", call_args))
    }

    /// `datetime_diff(unit, a, b)`: KQL counts the unit boundaries between `b` and `a`, which is
    /// `DATE_DIFF(unit, DATE_TRUNC(1 unit, b), DATE_TRUNC(1 unit, a))` — whole units between the
    /// truncated values. Weeks start on Sunday in KQL and on Monday in `DATE_TRUNC`, so both
    /// sides are shifted by a day (the difference does not change). Microseconds and
    /// nanoseconds are declined; milliseconds get a note (DATE_DIFF returns a 32-bit integer).
    pub(crate) fn datetime_diff(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        let [unit, a, b] = args else {
            return Expr::Null;
        };
        let Some(u) = lit_str(unit) else {
            return self.need_literal("the datetime_diff unit", span);
        };
        let (span_unit, diff_unit) = match u.to_ascii_lowercase().as_str() {
            "year" => ("year", "year"),
            "quarter" => ("quarter", "quarter"),
            "month" => ("month", "month"),
            "week" => ("week", "week"),
            "day" => ("day", "day"),
            "hour" => ("hour", "hour"),
            "minute" => ("minute", "minute"),
            "second" => ("second", "second"),
            "millisecond" => ("millisecond", "millisecond"),
            _ => {
                self.decline(
                    "B005",
                    format!("datetime_diff by `{u}`: ES|QL dates stop at milliseconds here"),
                    unit.span,
                );
                return Expr::Null;
            }
        };
        if diff_unit == "millisecond" {
            self.value_note(
                span,
                "DATE_DIFF returns a 32-bit integer: a difference beyond 2^31 milliseconds (about 24.8 days) is null in ES|QL",
            );
        }
        let trunc = |x: Expr| {
            if span_unit == "week" {
                let shifted = Expr::bin(x, BinOp::Add, Expr::Span(1, "day"));
                Expr::call("DATE_TRUNC", vec![Expr::Span(1, "week"), shifted])
            } else {
                Expr::call("DATE_TRUNC", vec![Expr::Span(1, span_unit), x])
            }
        };
        let ae = self.expr(a);
        let be = self.expr(b);
        Expr::call(
            "DATE_DIFF",
            vec![Expr::Str(diff_unit.into()), trunc(be), trunc(ae)],
        )
    }

    /// `hourofday`, `getmonth`, `getyear` ⇒ `DATE_EXTRACT` of the UTC field.
    pub(crate) fn date_part(&mut self, func: ScalarFn, args: &[ir::Expr]) -> Expr {
        let part = match func {
            ScalarFn::HourOfDay => "hour_of_day",
            ScalarFn::GetMonth => "month_of_year",
            _ => "year",
        };
        let x = self.expr(&args[0]);
        Expr::call("DATE_EXTRACT", vec![Expr::Str(part.into()), x])
    }

    /// `dayofweek(t) / 1d` — the day of the week as a number, Sunday 0 — ⇒
    /// `TO_DOUBLE(DATE_EXTRACT("day_of_week", t) % 7)` (ISO: Monday 1 … Sunday 7). Other uses of
    /// `dayofweek` (a timespan value) are declined by `call`.
    pub(crate) fn day_of_week_number(&mut self, t: &ir::Expr) -> Expr {
        let x = self.expr(t);
        Expr::call(
            "TO_DOUBLE",
            vec![Expr::bin(
                Expr::call("DATE_EXTRACT", vec![Expr::Str("day_of_week".into()), x]),
                BinOp::Mod,
                Expr::Int(7),
            )],
        )
    }

    /// `array_sort_asc(a)` / `array_sort_desc(a)` of one array ⇒ `MV_SORT(a, "ASC"/"DESC")`.
    pub(crate) fn array_sort(&mut self, func: ScalarFn, args: &[ir::Expr], span: Span) -> Expr {
        let [a] = args else {
            self.decline(
                "B005",
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

    /// `url_encode(x)` ⇒ `URL_ENCODE(COALESCE(x, ""))` (a recent ES|QL function), with a note:
    /// the escapes are spelled differently.
    pub(crate) fn url_encode(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        self.value_note(
            span,
            "url_encode ⇒ URL_ENCODE: KQL writes escapes in lower case (%3a) and ES|QL in upper case (%3A), and the two may leave different punctuation unescaped (ES|QL keeps only letters, digits and . - _ ~), so the encoded text and tests on it can differ",
        );
        let x = self.expr(&args[0]);
        Expr::call("URL_ENCODE", vec![or_empty(x)])
    }

    /// `url_decode(x)` ⇒ `COALESCE(URL_DECODE(COALESCE(x, "")), "")` (a recent ES|QL function:
    /// Java's URL decoder), with a note: the two may differ on `+` and on malformed escapes.
    pub(crate) fn url_decode(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        self.value_note(
            span,
            "url_decode ⇒ URL_DECODE (Java's URL decoder): it decodes `+` as a space, and gives \"\" (null) for a malformed escape such as `%zz` or bytes that are not UTF-8, where KQL's handling of `+` and of malformed input is not documented",
        );
        let x = self.expr(&args[0]);
        or_empty(Expr::call("URL_DECODE", vec![or_empty(x)]))
    }

    /// `indexof(s, lookup)` ⇒ `LOCATE(COALESCE(s, ""), lookup) - 1`: LOCATE counts from 1 and
    /// gives 0 when the lookup is absent, so KQL's 0-based index and -1 come out.
    pub(crate) fn index_of(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        let [text, lookup] = args else {
            return Expr::Null;
        };
        match lit_str(lookup) {
            Some("") | None => {
                self.decline(
                    "B005",
                    "indexof needs a non-empty literal lookup for the ES|QL backend",
                    span,
                );
                Expr::Null
            }
            Some(l) => {
                let t = self.expr(text);
                Expr::bin(
                    Expr::call("LOCATE", vec![or_empty(t), Expr::Str(l.into())]),
                    BinOp::Sub,
                    Expr::Int(1),
                )
            }
        }
    }

    /// `base64_decode_tostring(s)` ⇒ `COALESCE(FROM_BASE64(COALESCE(s, "")), "")`: bytes that are
    /// not UTF-8 give null in both (KQL's null string reads as ""). Java's decoder also accepts
    /// input without `=` padding and gives null for malformed base64, where KQL's handling is
    /// not documented: a Values note.
    pub(crate) fn base64_decode(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        self.value_note(
            span,
            "base64_decode_tostring ⇒ FROM_BASE64 (Java's decoder): it also decodes input without `=` padding, and gives \"\" for malformed base64, where KQL's result for malformed input is not documented",
        );
        let x = self.expr(&args[0]);
        or_empty(Expr::call("FROM_BASE64", vec![or_empty(x)]))
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
        match self.aliases.get(&fp.column) {
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

    /// `split(x, d)[i]` for a delimiter of several bytes (ES|QL's SPLIT takes one) and `i >= 0`:
    /// `REPLACE(s, "\A(?:(?s:.*?)d){i}((?s:.*?))(?:d(?s:.*))?\z", "$1")` skips `i` delimiters
    /// left to right (non-overlapping, as KQL splits) and keeps the text up to the next one or
    /// the end; when `s` has fewer than `i` delimiters (counted as in `countof`) the element
    /// does not exist and the value is null, as in KQL. A negative index is declined (counting
    /// from the end would pick overlapping delimiters differently).
    pub(crate) fn split_index(&mut self, x: &ir::Expr, d: &str, i: i64, span: Span) -> Expr {
        if i < 0 {
            self.decline(
                "B004",
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
                    "B004",
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
                "B005",
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
                    "B005",
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
}

/// Whether a regex is a single unbounded greedy repetition of one character or class (`\s+`,
/// `[^\w]*`, `-+`), so removing its match at an end leaves no further match there.
fn is_closed_run(pattern: &str) -> bool {
    use regex_syntax::ast::{self, Ast};
    let Ok(parsed) = ast::parse::Parser::new().parse(pattern) else {
        return false;
    };
    match &parsed {
        Ast::Repetition(rep) => {
            rep.greedy
                && matches!(
                    rep.op.kind,
                    ast::RepetitionKind::ZeroOrMore
                        | ast::RepetitionKind::OneOrMore
                        | ast::RepetitionKind::Range(ast::RepetitionRange::AtLeast(_))
                )
                && matches!(
                    *rep.ast,
                    Ast::Literal(_)
                        | Ast::ClassPerl(_)
                        | Ast::ClassUnicode(_)
                        | Ast::ClassBracketed(_)
                        | Ast::Dot(_)
                )
        }
        _ => false,
    }
}

impl Cx {
    /// `tohex(n[, w])` ⇒ sixteen hex digits by arithmetic, leading zeros stripped:
    /// `REPLACE(CONCAT(d15, …, d0), "^0{1,K}", "")` with `K = 16 - w` (`w` = 1 by default),
    /// where `dk = SUBSTRING(CASE(n < 0, "fedcba9876543210", "0123456789abcdef"), (m / 16^k) %
    /// 16 + 1, 1)` and `m = CASE(n < 0, -1 - n, n)`: a negative long's two's complement digits
    /// are `15 -` those of `-1 - n` (its bitwise complement, never negative, never overflowing),
    /// so they start with `f` and keep all sixteen, as in KQL. A null `n` gives null, as in KQL.
    /// `w` must be a literal 1…16 (more counts as 16, as in KQL). KQL writes a negative 32-bit
    /// int in eight digits: unless the value is known to be a long (`tolong(…)`, a long
    /// literal, a length), a Values note says so.
    pub(crate) fn hex_digits(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        let (v, width) = match args {
            [v] => (v, 1),
            [v, w] => match lit_int(w) {
                Some(w) if w >= 1 => (v, w.min(16)),
                _ => {
                    self.decline(
                        "B005",
                        "tohex's minimum length must be a literal from 1 to 16 for the ES|QL backend",
                        w.span,
                    );
                    return Expr::Null;
                }
            },
            _ => return Expr::Null,
        };
        let is_long = v.is_non_negative()
            || matches!(
                &v.kind,
                ExprKind::Call {
                    func: ScalarFn::ToLong,
                    ..
                }
            );
        if !is_long {
            self.value_note(
                span,
                "tohex: the value is read as a long (TO_LONG), so a negative 32-bit int gets its 64-bit two's complement (16 hex digits) where KQL writes 8, and a real is truncated where KQL's tohex takes only int and long",
            );
        }
        let x = self.expr(v);
        let n = match x {
            Expr::Call("TO_LONG", _) | Expr::Int(_) => x,
            x => Expr::call("TO_LONG", vec![x]),
        };
        let negative = || Expr::bin(n.clone(), BinOp::Lt, Expr::Int(0));
        let m = Expr::call(
            "CASE",
            vec![
                negative(),
                Expr::bin(Expr::Int(-1), BinOp::Sub, n.clone()),
                n.clone(),
            ],
        );
        let alphabet = Expr::call(
            "CASE",
            vec![
                negative(),
                Expr::Str("fedcba9876543210".into()),
                Expr::Str("0123456789abcdef".into()),
            ],
        );
        let digits = (0..16u32)
            .rev()
            .map(|k| {
                let shifted = if k == 0 {
                    m.clone()
                } else {
                    Expr::bin(m.clone(), BinOp::Div, Expr::Int(16i64.pow(k)))
                };
                let d = Expr::bin(shifted, BinOp::Mod, Expr::Int(16));
                Expr::call(
                    "SUBSTRING",
                    vec![
                        alphabet.clone(),
                        Expr::bin(d, BinOp::Add, Expr::Int(1)),
                        Expr::Int(1),
                    ],
                )
            })
            .collect();
        let all = Expr::call("CONCAT", digits);
        if width >= 16 {
            all
        } else {
            replace(all, format!("^0{{1,{}}}", 16 - width), String::new())
        }
    }

    /// `indexof_regex(text, re)` ⇒ with `P = "\A((?s:.*?))(?:re')(?s:.*)"` (`re'` the Java
    /// form of `re`), `CASE(REPLACE(t, P, "$1x") == REPLACE(t, P, "$1"), -1,
    /// LENGTH(REPLACE(t, P, "$1")))` where `t = COALESCE(text, "")`. `P` spans the whole text
    /// and its lazy group 1 is the text before the leftmost match of `re` (the first position
    /// where `re` matches at all, in Java as in RE2), so both rewrites differ exactly when `re`
    /// matches, and the group's length in characters is KQL's index. Anchors in `re` see the
    /// original text. The start, length and occurrence arguments are declined.
    pub(crate) fn index_of_regex(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        let [text, re] = args else {
            self.decline(
                "B005",
                "indexof_regex with start, length or occurrence arguments has no ES|QL form here",
                span,
            );
            return Expr::Null;
        };
        let Some(re_s) = lit_str(re) else {
            return self.need_literal("the indexof_regex regex", span);
        };
        let Some(j) = self.java_regex("indexof_regex", re_s, re.span) else {
            return Expr::Null;
        };
        let pattern = format!("\\A((?s:.*?))(?:{})(?s:.*)", j.pattern);
        let t = or_empty(self.expr(text));
        let prefix = replace(t.clone(), pattern.clone(), "$1".into());
        Expr::call(
            "CASE",
            vec![
                Expr::bin(replace(t, pattern, "$1x".into()), BinOp::Eq, prefix.clone()),
                Expr::Int(-1),
                Expr::call("LENGTH", vec![prefix]),
            ],
        )
    }
}
