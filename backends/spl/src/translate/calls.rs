//! Scalar function calls → eval: the `ScalarFn` dispatch (each family in its module), the
//! functions that are one or two eval calls (conversions, `tostring`, `tobool`, `coalesce`,
//! `abs`, `round`, `log`), and the refusal of functions SPL has no faithful form for.

use super::dynamic::json_read;
use super::expr::bool_value;
use super::fields::is_json_read;
use super::time::floor_bucket;
use super::Tx;
use crate::ast::Eval;
use kqlport::backend::Effect;
use kqlport::codes::SplCode;
use kqlport::ir::{Expr, ExprKind, Literal, ScalarFn};
use kqlport::source::Span;

impl Tx {
    pub(super) fn unsupported_fn(&mut self, func: ScalarFn, span: Span) -> Option<Eval> {
        let (label, help) = match func {
            ScalarFn::Base64DecodeToString => (
                "Splunk's eval language has no base64 decoding function (none among its text, \
                 conversion or multivalue functions)",
                "decode the value at ingestion, or with a base64 search command from an add-on",
            ),
            ScalarFn::FormatDatetime => (
                "Splunk's strftime() writes the time in the search user's time zone, KQL's \
                 format_datetime() in UTC",
                "compare the epoch time instead, or format it by hand",
            ),
            ScalarFn::Reverse => (
                "Splunk's eval language has no function reversing a text (mvreverse reverses \
                 the values of a multivalue field)",
                "compare with the reversed text written out as a literal instead",
            ),
            ScalarFn::HashSha256 | ScalarFn::HashMd5 => (
                "hash_sha256/hash_md5 are translated for a text only: KQL's text of another \
                 type of value is not Splunk's",
                "hash tostring() of the value only where its text is the same in both",
            ),
            ScalarFn::MaxOf | ScalarFn::MinOf => (
                "max_of/min_of are translated for numbers only: Splunk's max()/min() compare \
                 a mix of texts and numbers as texts",
                "convert the arguments to numbers first",
            ),
            ScalarFn::UrlEncode => (
                "Splunk's eval language has urldecode but no URL encoding function",
                "compare with the encoded text written out as a literal instead",
            ),
            ScalarFn::ArrayLength => (
                "array_length is translated for a column or dynamic path (read as JSON), a \
                 make_set/make_list result and a split array only",
                "extend the array as a column first",
            ),
            ScalarFn::ArraySortAsc => (
                "only a make_set/make_list result is a Splunk multivalue field here; a JSON \
                 array in the event has no documented eval sort function",
                "summarize the array with make_set first",
            ),
            ScalarFn::ExtractAll => (
                "extract_all is translated only as the whole value of an extend column \
                 (`rex max_match=0`), that column then expanded (mv-expand) or joined \
                 (strcat_array)",
                "extend the array as a column first",
            ),
            ScalarFn::StrcatArray => (
                "strcat_array is translated for a split array, or array_slice(split(…), k, -1) \
                 with a literal k >= 0, with a literal delimiter",
                "join the parts with strcat instead",
            ),
            _ => (
                "no faithful SPL eval equivalent",
                "rewrite the expression, or extract the value in the source data",
            ),
        };
        self.refuse(
            SplCode::B014,
            span,
            &format!("function {func:?} is not supported by the SPL backend"),
            label,
            help,
        );
        None
    }

    pub(super) fn literal_str<'a>(&mut self, e: &'a Expr, what: &str) -> Option<&'a str> {
        match &e.kind {
            ExprKind::Literal(Literal::String(s)) => Some(s),
            _ => {
                self.refuse(
                    SplCode::B019,
                    e.span,
                    &format!("{what} must be a string literal for the SPL backend"),
                    "not a literal",
                    "use a literal value here",
                );
                None
            }
        }
    }

    /// Argument `i` of a call to `func`; a missing one refuses the call.
    pub(super) fn arg(
        &mut self,
        func: ScalarFn,
        args: &[Expr],
        i: usize,
        span: Span,
    ) -> Option<Eval> {
        match args.get(i) {
            Some(a) => self.expr(a),
            None => self.unsupported_fn(func, span),
        }
    }

    /// Argument `i` as KQL reads a string: a missing value is `""`.
    pub(super) fn str_arg(
        &mut self,
        func: ScalarFn,
        args: &[Expr],
        i: usize,
        span: Span,
    ) -> Option<Eval> {
        Some(Eval::call(
            "coalesce",
            vec![self.arg(func, args, i, span)?, Eval::str("")],
        ))
    }

    /// `toint(x)`/`tolong(x)`: KQL truncates a real toward zero (Kusto's toint page: `toint(2.3)`
    /// is 2, and -1.5 is -1), so the number is truncated, `if(n<0, ceiling(n), floor(n))` with
    /// `n = tonumber(x)` (SPL's arithmetic is never integral: `tolong(a / b)` of two longs is
    /// truncated back to KQL's integer division). A column or literal known to be an integer is
    /// `tonumber(x)` as it is. Text is `tonumber(x)` with a note: KQL converts only an integer in
    /// its syntax (`"5.7"` and `"1e3"` are null), where tonumber reads any number; a value of no
    /// known type (a dynamic member) is truncated and noted the same way.
    fn integer_conversion(&mut self, func: ScalarFn, args: &[Expr], span: Span) -> Option<Eval> {
        use kqlport::schema::ColumnType as T;
        let [a] = args else {
            return self.unsupported_fn(func, span);
        };
        let ty = self.cols.infer(a);
        let plain = matches!(
            a.kind,
            ExprKind::Field(_)
                | ExprKind::Literal(_)
                | ExprKind::Call {
                    func: ScalarFn::ToInt | ScalarFn::ToLong,
                    ..
                }
        ) && matches!(ty, Some(T::Int | T::Long));
        let known_number = known_numeric(self, a);
        let x = self.expr(a)?;
        let n = Eval::call("tonumber", vec![x]);
        if plain {
            return Some(n);
        }
        if !known_number {
            self.value_note(
                span,
                "toint()/tolong() of a value of no known numeric type: KQL converts text only when it is an integer in its syntax (\"5.7\" and \"1e3\" are null), where tonumber() reads any number",
            );
        }
        if ty == Some(T::String) {
            // Text is never a real: nothing to truncate that KQL would not have made null.
            return Some(n);
        }
        Some(Eval::call(
            "if",
            vec![
                Eval::bin("<", n.clone(), Eval::Num("0".into())),
                Eval::call("ceiling", vec![n.clone()]),
                Eval::call("floor", vec![n]),
            ],
        ))
    }

    pub(super) fn call(&mut self, func: ScalarFn, args: &[Expr], span: Span) -> Option<Eval> {
        // Set by `expr` for this call only (a whole `split` array may be its value).
        let array_ok = std::mem::take(&mut self.array_ok);
        let arg = |tx: &mut Tx, i: usize| tx.arg(func, args, i, span);
        let str_arg = |tx: &mut Tx, i: usize| tx.str_arg(func, args, i, span);
        match func {
            ScalarFn::ToString => self.tostring(args, span),
            ScalarFn::ToLower => Some(Eval::call("lower", vec![arg(self, 0)?])),
            ScalarFn::ToUpper => Some(Eval::call("upper", vec![arg(self, 0)?])),
            ScalarFn::ToInt | ScalarFn::ToLong => self.integer_conversion(func, args, span),
            ScalarFn::ToReal => Some(Eval::call("tonumber", vec![arg(self, 0)?])),
            ScalarFn::StrCat => self.strcat(args),
            ScalarFn::Strlen => Some(Eval::call("len", vec![str_arg(self, 0)?])),
            ScalarFn::Substring => self.substring(args, span),
            ScalarFn::ReplaceString => self.replace_string(args, span),
            ScalarFn::Coalesce => {
                let mut v = Vec::new();
                for i in 0..args.len() {
                    // KQL's coalesce skips empty strings as well as nulls.
                    v.push(Eval::call("nullif", vec![arg(self, i)?, Eval::str("")]));
                }
                Some(Eval::call("coalesce", v))
            }
            ScalarFn::Bin | ScalarFn::Floor if args.len() == 2 => self.bucket(func, args, span),
            ScalarFn::Floor => Some(Eval::call("floor", vec![arg(self, 0)?])),
            ScalarFn::StartOfDay if args.len() == 1 => {
                Some(floor_bucket(self.time_value(&args[0])?, "86400".into()))
            }
            ScalarFn::Ipv4IsPrivate | ScalarFn::Ipv4IsInRange => {
                Some(bool_value(self.ipv4(func, args, span)?))
            }
            ScalarFn::Replace => self.replace_regex(args, span),
            ScalarFn::Extract => self.extract(args, span),
            ScalarFn::ArrayLength => self.array_length(args, span),
            ScalarFn::StrcatArray => self.strcat_array(args, span),
            ScalarFn::UrlDecode => self.url_decode(args, span),
            ScalarFn::ParseUrl => self.parse_url(args, span),
            ScalarFn::ParseIpv4 => self.parse_ipv4(args, span),
            ScalarFn::Log => self.natural_log(args, span),
            ScalarFn::ArraySortAsc => match args {
                [Expr {
                    kind: ExprKind::Field(f),
                    ..
                }] if f.is_plain() && self.is_mv_col(&f.column) => {
                    // A make_set/make_list multivalue, sorted as text.
                    self.value_note(
                        span,
                        "array_sort_asc(): mvsort orders the values as text (\"10\" before \
                         \"9\"); KQL sorts numbers numerically",
                    );
                    Some(Eval::call("mvsort", vec![arg(self, 0)?]))
                }
                _ => self.unsupported_fn(func, span),
            },
            ScalarFn::StartOfWeek if args.len() == 1 => self.start_of_week(&args[0]),
            ScalarFn::StartOfMonth if args.len() == 1 => {
                let t = self.time_value(&args[0])?;
                Some(self.start_of_month(t))
            }
            ScalarFn::DateTimeDiff => self.datetime_diff(args, span),
            // Datetimes are epoch seconds; text is read as ISO 8601 UTC (see `time_value`).
            ScalarFn::ToDateTime if args.len() == 1 => self.time_value(&args[0]),
            ScalarFn::Trim | ScalarFn::TrimStart | ScalarFn::TrimEnd if args.len() == 2 => {
                self.trim(func, args, span)
            }
            ScalarFn::CountOf => self.count_of(args, span),
            ScalarFn::IndexOf if args.len() == 2 => self.index_of(args, span),
            ScalarFn::ToBool if args.len() == 1 => self.tobool(args, span),
            // A whole array: a multivalue field as the value of an assignment or of make_set
            // (see `array_ok`), JSON text elsewhere.
            ScalarFn::Split if args.len() == 2 && array_ok => {
                self.split_eval(&args[0], &args[1], span)
            }
            ScalarFn::Split if args.len() == 2 => self.split_json(&args[0], &args[1], span),
            ScalarFn::Split if args.len() == 3 => self.split_at_json(args, span),
            ScalarFn::SetUnion
            | ScalarFn::SetDifference
            | ScalarFn::SetIntersect
            | ScalarFn::ArrayConcat
                if array_ok =>
            {
                self.array_function(func, args, span)
            }
            ScalarFn::SetUnion
            | ScalarFn::SetDifference
            | ScalarFn::SetIntersect
            | ScalarFn::ArrayConcat => {
                self.refuse(
                    SplCode::B014,
                    span,
                    &format!(
                        "{}() is translated only as the whole value of an assignment or of \
                         mv-expand",
                        super::arrays::array_fn_name(func)
                    ),
                    "an array inside an expression, where a Splunk multivalue field would \
                     not behave as KQL's array",
                    "extend the array as a column first",
                );
                None
            }
            ScalarFn::Split => {
                self.refuse(
                    SplCode::B014,
                    span,
                    "split(x, d, k) as a whole array is not supported by the SPL backend",
                    "only split(x, d, k)[0] is translated",
                    "index the array: split(x, d, k)[0]",
                );
                None
            }
            ScalarFn::HourOfDay if args.len() == 1 => self.hour_of_day(&args[0]),
            ScalarFn::DayOfWeek if args.len() == 1 => self.day_of_week(&args[0]),
            ScalarFn::GetMonth | ScalarFn::GetYear if args.len() == 1 => {
                let t = self.time_value(&args[0])?;
                Some(self.month_or_year(t, func == ScalarFn::GetYear))
            }
            ScalarFn::Abs => Some(Eval::call("abs", vec![arg(self, 0)?])),
            ScalarFn::Round => {
                self.value_note(span, kqlport_kit::notes::ROUND_HALVES);
                let mut v = vec![arg(self, 0)?];
                if args.len() > 1 {
                    v.push(arg(self, 1)?);
                }
                Some(Eval::call("round", v))
            }
            ScalarFn::ToBool
            | ScalarFn::ToDateTime
            | ScalarFn::Trim
            | ScalarFn::Bin
            | ScalarFn::StartOfDay
            | ScalarFn::TrimStart
            | ScalarFn::TrimEnd
            | ScalarFn::IndexOf
            | ScalarFn::StartOfWeek
            | ScalarFn::StartOfMonth
            | ScalarFn::StartOfYear
            | ScalarFn::EndOfDay
            | ScalarFn::HourOfDay
            | ScalarFn::DayOfWeek
            | ScalarFn::GetMonth
            | ScalarFn::GetYear
            | ScalarFn::Base64DecodeToString
            | ScalarFn::UrlEncode
            | ScalarFn::BagKeys
            | ScalarFn::ArraySortDesc
            | ScalarFn::ArraySlice
            | ScalarFn::ToTimespan
            | ScalarFn::Typeof
            | ScalarFn::ExtractAll => self.unsupported_fn(func, span),
            ScalarFn::ToHex => self.hex_digits(args, span),
            ScalarFn::StringSize => self.string_size(args, span),
            ScalarFn::UnixtimeMillisecondsToDatetime => self.unixtime_ms(args, span),
            ScalarFn::IndexOfRegex => self.indexof_regex(args, span),
            ScalarFn::DynamicIndex => self.dynamic_index(args, span),
            ScalarFn::BagPack => self.bag_pack(args, span),
            ScalarFn::HasTerm | ScalarFn::HasTermCs => {
                Some(bool_value(self.has_term_test(func, args, span)?))
            }
            ScalarFn::MatchesRegex => Some(bool_value(self.computed_regex(args, span)?)),
            ScalarFn::HashSha256 | ScalarFn::HashMd5 => self.hash_text(func, args, span),
            ScalarFn::Log2 => self.log_base_2(args, span),
            ScalarFn::MaxOf | ScalarFn::MinOf => self.max_min_of(func, args, span),
            ScalarFn::Reverse | ScalarFn::FormatDatetime => self.unsupported_fn(func, span),
            ScalarFn::Contains
            | ScalarFn::ContainsCs
            | ScalarFn::StartsWith
            | ScalarFn::StartsWithCs
            | ScalarFn::EndsWith
            | ScalarFn::EndsWithCs => Some(bool_value(self.substring_test(func, args, span)?)),
        }
    }

    /// `tostring(x)`: a string, an array or a JSON value as it is; other values by `tostring`
    /// (noted: SPL formats numbers and bools differently).
    fn tostring(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let func = ScalarFn::ToString;
        match args.first().map(|a| &a.kind) {
            // A make_set/make_list multivalue: KQL's tostring() is the JSON text of the
            // array (`["a","b"]`); the multivalue itself is kept.
            Some(ExprKind::Field(f)) if f.is_plain() && self.is_mv_col(&f.column) => {
                self.value_note(
                    span,
                    "tostring() of an array: KQL makes JSON text such as [\"a\",\"b\"]; \
                     Splunk keeps the multivalue field",
                );
                self.arg(func, args, 0, span)
            }
            Some(ExprKind::Field(_)) => self.arg(func, args, 0, span),
            Some(ExprKind::Call {
                func: ScalarFn::DayOfWeek,
                args: day,
            }) if day.len() == 1 => self.day_of_week_text(&day[0]),
            // An element of a split array, a parse_url member: strings already.
            Some(ExprKind::Path { base, .. })
                if matches!(
                    base.kind,
                    ExprKind::Call {
                        func: ScalarFn::Split | ScalarFn::ParseUrl,
                        ..
                    }
                ) =>
            {
                self.arg(func, args, 0, span)
            }
            _ if args.first().is_some_and(json_read) => self.arg(func, args, 0, span),
            _ => {
                self.value_note(
                    span,
                    "tostring(): SPL formats numbers and bools differently from KQL",
                );
                Some(Eval::call("tostring", vec![self.arg(func, args, 0, span)?]))
            }
        }
    }

    /// `tobool(x)`: text true/false in any letter case, numbers non-zero = true (noted).
    fn tobool(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let func = ScalarFn::ToBool;
        // KQL documents "true"/"false" and numbers (non-zero is true); anything else
        // is null here.
        let x = self.arg(func, args, 0, span)?;
        self.value_note(
            span,
            if is_json_read(&x) {
                "tobool(): a JSON boolean read with json_extract is a Splunk Boolean, \
                 whose lower() is not documented to be \"true\"/\"false\"; text is read \
                 as true/false in any letter case and numbers as non-zero = true"
            } else {
                "tobool(): text is read as true/false in any letter case and numbers as \
                 non-zero = true; KQL documents only \"true\", \"false\" and numbers, so \
                 other text (\"TRUE\", \"1\") may convert differently"
            },
        );
        let lower = Eval::call("lower", vec![x.clone()]);
        Some(Eval::call(
            "case",
            vec![
                Eval::bin("==", lower.clone(), Eval::str("true")),
                Eval::str("true"),
                Eval::bin("==", lower, Eval::str("false")),
                Eval::str("false"),
                Eval::call("isnum", vec![x.clone()]),
                Eval::call(
                    "if",
                    vec![
                        Eval::bin("==", x, Eval::Num("0".into())),
                        Eval::str("false"),
                        Eval::str("true"),
                    ],
                ),
            ],
        ))
    }

    /// `hash_sha256(s)`/`hash_md5(s)` of a text ⇒ `sha256(s)`/`md5(s)` (Splunk's cryptographic
    /// functions: md5("Hello World") is the lower-case b10a8db1…3fe5), a missing text read as
    /// `""`; noted for what KQL leaves undocumented (`HASH_TEXT`).
    fn hash_text(&mut self, func: ScalarFn, args: &[Expr], span: Span) -> Option<Eval> {
        use kqlport::schema::ColumnType as T;
        let [x] = args else {
            return self.unsupported_fn(func, span);
        };
        if self.cols.infer(x) != Some(T::String) {
            return self.unsupported_fn(func, span);
        }
        self.value_note(span, kqlport_kit::notes::HASH_TEXT);
        let name = if func == ScalarFn::HashSha256 {
            "sha256"
        } else {
            "md5"
        };
        Some(Eval::call(name, vec![self.str_arg(func, args, 0, span)?]))
    }

    /// `log2(x)` ⇒ `log(x, 2)` (Splunk: "the logarithm of X using Y as the base").
    fn log_base_2(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let [x] = args else {
            return self.unsupported_fn(ScalarFn::Log2, span);
        };
        self.value_note(
            span,
            "log2() of 0 is -infinity in KQL and of a negative number null; what Splunk's log() \
             returns for them is not documented",
        );
        Some(Eval::call(
            "log",
            vec![self.expr(x)?, Eval::Num("2".into())],
        ))
    }

    /// `max_of(a, b, …)` (`min_of`) of numbers ⇒ `max(coalesce(a, b, …), coalesce(b, a, …), …)`:
    /// each argument replaced, where it is null, by another argument's value, so a null never
    /// reaches max() while any argument has a value (KQL: "non-null values take precedence"),
    /// and `null()` when every argument is null.
    fn max_min_of(&mut self, func: ScalarFn, args: &[Expr], span: Span) -> Option<Eval> {
        if args.is_empty() || !args.iter().all(|a| known_numeric(self, a)) {
            return self.unsupported_fn(func, span);
        }
        let mut values = Vec::new();
        for a in args {
            values.push(self.expr(a)?);
        }
        let name = if func == ScalarFn::MaxOf {
            "max"
        } else {
            "min"
        };
        let rotated: Vec<Eval> = (0..values.len())
            .map(|i| {
                let mut v = values.clone();
                v.rotate_left(i);
                match v.len() {
                    1 => v.remove(0),
                    _ => Eval::call("coalesce", v),
                }
            })
            .collect();
        Some(Eval::call(
            "if",
            vec![
                Eval::call("isnull", vec![Eval::call("coalesce", values)]),
                Eval::call("null", vec![]),
                Eval::call(name, rotated),
            ],
        ))
    }

    /// `log(x)` (natural logarithm) ⇒ `ln(x)`.
    fn natural_log(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let [x] = args else {
            return self.unsupported_fn(ScalarFn::Log, span);
        };
        self.notes.push(
            span,
            Effect::Values,
            "log() of 0 is -infinity in KQL and of a negative number null; what Splunk's ln() \
             returns for them is not documented",
        );
        Some(Eval::call("ln", vec![self.expr(x)?]))
    }
}

/// A number of known type: a numeric column or literal, or arithmetic on them (the core's
/// inference calls arithmetic on operands of unknown type a long).
fn known_numeric(tx: &Tx, e: &Expr) -> bool {
    use kqlport::schema::ColumnType as T;
    match &e.kind {
        ExprKind::Arith { lhs, rhs, .. } => known_numeric(tx, lhs) && known_numeric(tx, rhs),
        ExprKind::Neg(x) => known_numeric(tx, x),
        _ => matches!(
            tx.cols.infer(e),
            Some(T::Int | T::Long | T::Real | T::Decimal)
        ),
    }
}
