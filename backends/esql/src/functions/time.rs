//! Date functions with more than a renamed call.
//!
//! `datetime_diff`, the date parts (`hourofday`, `getmonth`, `getyear`, `dayofweek`) and
//! `startofday`/`startofmonth`/`startofweek`.

use super::lit_str;
use crate::ast::{BinOp, Expr};
use crate::cx::Cx;
use kqlport::codes::EsqlCode;
use kqlport::ir::{self, ScalarFn};
use kqlport::source::Span;

impl Cx {
    /// `format_datetime(t, format)` of a datetime with a constant format ⇒
    /// `COALESCE(DATE_FORMAT("<java pattern>", t), "")` (ES|QL formats in UTC, as KQL does;
    /// KQL's text of a null datetime is `""`). The format's elements, by Microsoft's page and
    /// their Java `DateTimeFormatter` letters: `d`/`dd` day, `M`/`MM` month, `yy`/`yyyy` year,
    /// `H`/`HH` hour (24), `m`/`mm`, `s`/`ss`, `f`/`ff`/`fff` the fraction to milliseconds
    /// (`S`…), and the delimiters ` /-:,._`; anything else is declined.
    pub(super) fn format_datetime(&mut self, args: &[ir::Expr], a: Vec<Expr>, span: Span) -> Expr {
        let pattern = lit_str(&args[1]).and_then(java_date_pattern);
        let datetime = self.cols.infer(&args[0]) == Some(kqlport::schema::ColumnType::DateTime);
        let (Some(pattern), true) = (pattern, datetime) else {
            self.decline(
                EsqlCode::B005,
                "format_datetime is translated for a datetime and a constant format of d, M, y, \
                 H, m, s, f elements and the delimiters ` /-:,._` only",
                span,
            );
            return Expr::Null;
        };
        let t = a.into_iter().next().unwrap_or(Expr::Null);
        Expr::call(
            "COALESCE",
            vec![
                Expr::call("DATE_FORMAT", vec![Expr::Str(pattern), t]),
                Expr::Str(String::new()),
            ],
        )
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
                    EsqlCode::B005,
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
    /// `TO_DOUBLE(DATE_EXTRACT("day_of_week", t) % 7)`. Other uses of `dayofweek` (a timespan
    /// value) are declined by `call`, but for a comparison with a timespan constant
    /// ([`Cx::day_of_week_ms`]) and its text ([`Cx::day_of_week_text`]).
    pub(crate) fn day_of_week_number(&mut self, t: &ir::Expr) -> Expr {
        Expr::call("TO_DOUBLE", vec![self.day_of_week_days(t)])
    }

    /// `dayofweek(t)` in milliseconds, compared with a timespan constant written in
    /// milliseconds too (`dayofweek(t) in (Saturday, Sunday)` with `let Saturday = 6d`).
    pub(crate) fn day_of_week_ms(&mut self, t: &ir::Expr) -> Expr {
        Expr::bin(self.day_of_week_days(t), BinOp::Mul, Expr::Int(86_400_000))
    }

    /// `tostring(dayofweek(t))`: KQL writes a timespan of whole days as `00:00:00` (0 days) or
    /// `N.00:00:00` (Kusto's timespan data type), so Sunday is "00:00:00" and Monday
    /// "1.00:00:00"; a null `t` gives "" (KQL's tostring of null).
    pub(crate) fn day_of_week_text(&mut self, t: &ir::Expr) -> Expr {
        let d = self.day_of_week_days(t);
        let text = Expr::call(
            "CASE",
            vec![
                Expr::bin(d.clone(), BinOp::Eq, Expr::Int(0)),
                Expr::Str("00:00:00".into()),
                Expr::call(
                    "CONCAT",
                    vec![
                        Expr::call("TO_STRING", vec![d]),
                        Expr::Str(".00:00:00".into()),
                    ],
                ),
            ],
        );
        Expr::call("COALESCE", vec![text, Expr::Str(String::new())])
    }

    /// Whole days since Sunday: `DATE_EXTRACT("day_of_week", t) % 7` (ISO: Monday 1 … Sunday 7).
    fn day_of_week_days(&mut self, t: &ir::Expr) -> Expr {
        let x = self.expr(t);
        Expr::bin(
            Expr::call("DATE_EXTRACT", vec![Expr::Str("day_of_week".into()), x]),
            BinOp::Mod,
            Expr::Int(7),
        )
    }
}

/// The argument `t` of `dayofweek(t)`.
pub(crate) fn day_of_week_arg(e: &ir::Expr) -> Option<&ir::Expr> {
    match &e.kind {
        ir::ExprKind::Call {
            func: ScalarFn::DayOfWeek,
            args,
        } if args.len() == 1 => args.first(),
        _ => None,
    }
}

/// A timespan constant in whole milliseconds (what `dayofweek(t)` is compared with).
pub(crate) fn span_literal_ms(e: &ir::Expr) -> Option<i64> {
    match &e.kind {
        ir::ExprKind::Literal(l) => crate::span_ms::literal_ms(l),
        _ => None,
    }
}

/// `startofday(t)`, `startofmonth(t)` ⇒ `DATE_TRUNC(1 day/month, t)`; `startofweek(t)` ⇒
/// `DATE_TRUNC(1 week, t + 1 day) - 1 day`, since KQL's weeks start on Sunday and
/// DATE_TRUNC's on Monday.
pub(super) fn start_of(func: ScalarFn, a: Vec<Expr>) -> Expr {
    match func {
        ScalarFn::StartOfDay => {
            let mut v = vec![Expr::Span(1, "day")];
            v.extend(a);
            Expr::call("DATE_TRUNC", v)
        }
        ScalarFn::StartOfMonth => {
            let mut v = vec![Expr::Span(1, "month")];
            v.extend(a);
            Expr::call("DATE_TRUNC", v)
        }
        // startofweek
        _ => match a.into_iter().next() {
            // KQL's weeks start on Sunday, DATE_TRUNC's on Monday: shift a day each way.
            Some(x) => Expr::bin(
                Expr::call(
                    "DATE_TRUNC",
                    vec![
                        Expr::Span(1, "week"),
                        Expr::bin(x, BinOp::Add, Expr::Span(1, "day")),
                    ],
                ),
                BinOp::Sub,
                Expr::Span(1, "day"),
            ),
            None => Expr::Null,
        },
    }
}

/// KQL's `format_datetime` format as a Java `DateTimeFormatter` pattern (see
/// `Cx::format_datetime`); `None` for an element or character outside that list.
fn java_date_pattern(kql: &str) -> Option<String> {
    let chars: Vec<char> = kql.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let run = chars[i..].iter().take_while(|&&x| x == c).count();
        let element = match (c, run) {
            ('d' | 'M' | 'H' | 'm' | 's', 1 | 2) => c.to_string().repeat(run),
            ('y', 2 | 4) => "y".repeat(run),
            ('f', 1..=3) => "S".repeat(run),
            (' ' | '/' | '-' | ':' | ',' | '.' | '_', _) => c.to_string().repeat(run),
            _ => return None,
        };
        out.push_str(&element);
        i += run;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::java_date_pattern;

    #[test]
    fn kql_formats_as_java_patterns() {
        assert_eq!(
            java_date_pattern("dd-MM-yyyy").as_deref(),
            Some("dd-MM-yyyy")
        );
        assert_eq!(
            java_date_pattern("yyyy-MM-dd HH:mm:ss.fff").as_deref(),
            Some("yyyy-MM-dd HH:mm:ss.SSS")
        );
        assert_eq!(
            java_date_pattern("M/d/yy H:m:s").as_deref(),
            Some("M/d/yy H:m:s")
        );
        // 12-hour clock, AM/PM, a 3-letter year and brackets are not translated.
        for f in ["hh:mm", "HH tt", "yyy", "[HH]", "ffff"] {
            assert_eq!(java_date_pattern(f), None, "{f}");
        }
    }
}
