//! Datetimes as epoch seconds: the time columns and `_time`, datetime and timespan literals,
//! ISO 8601 text read as epoch seconds, `ago()`, buckets (`bin`, `floor`, `startofweek`),
//! `hourofday`, `dayofweek`, `datetime_diff`, `unixtime_milliseconds_todatetime`, and the notes
//! on reading the other time column. Calendar months and years are in `civil`.

use super::Tx;
use crate::ast::{Command, Eval};
use kqlport::backend::Effect;
use kqlport::codes::SplCode;
use kqlport::ir::{Duration, Expr, ExprKind, Literal, Query, ScalarFn};
use kqlport::source::Span;

/// The Sentinel time columns — `TimeGenerated` (when Sentinel ingested the row), and
/// `Timestamp` in Defender XDR tables (when the event happened; it can differ from
/// `TimeGenerated`). Splunk has one event time, `_time` (epoch seconds): both read it, and
/// [`splunk_time_column`] says which of the two it holds for a table. An output column of
/// either name is renamed back from `_time` at the end of the pipeline.
pub const TIME_COLUMNS: &[&str] = &["TimeGenerated", "Timestamp"];

pub(super) const SPLUNK_TIME: &str = "_time";

/// The `latest` that leaves a KQL window open at the top: 2038-01-19T03:14:07Z, the last
/// 32-bit epoch second (Splunk's own default `MAX_DAYS_HENCE = 2` in props.conf re-stamps
/// events dated further ahead than two days at index time anyway).
pub const OPEN_LATEST: i64 = 2_147_483_647;

impl Tx {
    /// `bin(x, size)`/`floor(x, size)` with a literal size: UTC buckets since the epoch for a
    /// timespan, else `floor(x / size) * size`.
    pub(super) fn bucket(&mut self, func: ScalarFn, args: &[Expr], span: Span) -> Option<Eval> {
        let size = match &args[1].kind {
            ExprKind::Literal(Literal::Timespan(d)) if d.ticks > 0 => {
                let t = self.time_value(&args[0])?;
                return Some(floor_bucket(t, seconds(*d)));
            }
            ExprKind::Literal(Literal::Long(n)) if *n > 0 => n.to_string(),
            ExprKind::Literal(Literal::Real(x)) if x.is_finite() && *x > 0.0 => {
                format!("{x}")
            }
            _ => {
                self.refuse(
                    SplCode::B019,
                    args[1].span,
                    "bin size must be a positive literal for the SPL backend",
                    "bin size",
                    "use a literal bin size",
                );
                return None;
            }
        };
        Some(floor_bucket(self.arg(func, args, 0, span)?, size))
    }

    /// `startofweek(t)`: the last Sunday, 00:00 UTC.
    pub(super) fn start_of_week(&mut self, x: &Expr) -> Option<Eval> {
        // Weeks start on Sunday (UTC); the epoch fell on a Thursday, 4 days later.
        let t = self.time_value(x)?;
        let shifted = Eval::bin(" + ", t, Eval::Num("345600".into()));
        Some(Eval::bin(
            " - ",
            floor_bucket(shifted, "604800".into()),
            Eval::Num("345600".into()),
        ))
    }

    /// `hourofday(t)` (UTC).
    pub(super) fn hour_of_day(&mut self, x: &Expr) -> Option<Eval> {
        // Hours since the epoch minus whole days' hours: exact for negative times too.
        let t = self.time_value(x)?;
        Some(Eval::bin(
            " - ",
            fdiv(t.clone(), "3600"),
            Eval::bin(" * ", fdiv(t, "86400"), Eval::Num("24".into())),
        ))
    }

    /// `dayofweek(t)` (UTC), a timespan in seconds.
    pub(super) fn day_of_week(&mut self, x: &Expr) -> Option<Eval> {
        // Days since the last Sunday as a timespan (seconds).
        Some(Eval::bin(
            " * ",
            self.day_of_week_days(x)?,
            Eval::Num("86400".into()),
        ))
    }

    /// `tostring(dayofweek(t))`: KQL writes a timespan of whole days as `00:00:00` (0 days) or
    /// `N.00:00:00` (Kusto's timespan data type), so Sunday is "00:00:00" and Monday
    /// "1.00:00:00"; a null `t` gives "" (KQL's tostring of null).
    pub(super) fn day_of_week_text(&mut self, x: &Expr) -> Option<Eval> {
        let d = self.day_of_week_days(x)?;
        Some(Eval::call(
            "if",
            vec![
                Eval::call("isnull", vec![d.clone()]),
                Eval::str(""),
                Eval::call(
                    "if",
                    vec![
                        Eval::bin("==", d.clone(), Eval::Num("0".into())),
                        Eval::str("00:00:00"),
                        Eval::bin(".", d, Eval::str(".00:00:00")),
                    ],
                ),
            ],
        ))
    }

    /// Whole days since the last Sunday (0-6); the epoch was a Thursday.
    fn day_of_week_days(&mut self, x: &Expr) -> Option<Eval> {
        let t = self.time_value(x)?;
        let d = Eval::bin(" + ", fdiv(t, "86400"), Eval::Num("4".into()));
        Some(Eval::bin(
            " - ",
            d.clone(),
            Eval::bin(" * ", fdiv(d, "7"), Eval::Num("7".into())),
        ))
    }

    /// A time column that Splunk's `_time` does not hold for this table ([`splunk_time_column`])
    /// is read as `_time` all the same: noted.
    pub(super) fn time_column_note(&mut self, name: &str, span: Span) {
        let stored = splunk_time_column(&self.table);
        if !TIME_COLUMNS.contains(&name) || name == stored || self.table.is_empty() {
            return;
        }
        let message = format!(
            "Splunk's `_time` holds `{stored}` for `{}`; `{name}` is read as `_time` too, though the two can differ (TimeGenerated is when Sentinel ingested the row, Timestamp when the event happened)",
            self.table
        );
        if self.filtering {
            self.notes.push(span, Effect::OverMatch, message.clone());
            self.notes.push(span, Effect::UnderMatch, message);
        } else {
            self.notes.push(span, Effect::Values, message);
        }
    }

    /// KQL names the time column `TimeGenerated` or `Timestamp`; Splunk's field is `_time`.
    /// When the query fixes its output columns, the one time column among them gets its KQL
    /// name back (`rename _time AS …`); both at once hold the same `_time`, so the second is a
    /// copy, noted.
    pub(super) fn time_column_names(&mut self, q: &Query, cmds: &mut Vec<Command>) {
        let Some(cols) = q.output_columns() else {
            return;
        };
        let times: Vec<&String> = cols
            .iter()
            .filter(|c| TIME_COLUMNS.contains(&c.as_str()))
            .collect();
        match times.as_slice() {
            [] => {}
            [one] => cmds.push(Command::Rename(vec![(SPLUNK_TIME.into(), one.to_string())])),
            [first, second, ..] => {
                self.notes.push(
                    q.span,
                    Effect::Values,
                    format!("`{first}` and `{second}` are both Splunk's `_time` here: the output holds the same value under both names"),
                );
                cmds.push(Command::Eval(vec![(
                    second.to_string(),
                    Eval::Field(SPLUNK_TIME.into()),
                )]));
                cmds.push(Command::Rename(vec![(
                    SPLUNK_TIME.into(),
                    first.to_string(),
                )]));
            }
        }
    }

    /// A KQL datetime value as epoch seconds. Values that are not already epoch seconds (see
    /// [`Tx::is_epoch`]) are event text: read as ISO 8601 UTC, the form in which Sentinel
    /// exports datetimes (noted).
    pub(super) fn time_value(&mut self, e: &Expr) -> Option<Eval> {
        if self.is_epoch(e) {
            return self.expr(e);
        }
        match &e.kind {
            ExprKind::Literal(Literal::String(s)) => {
                if let Some(n) = epoch_seconds(s) {
                    return Some(Eval::Num(n));
                }
            }
            // Numbers (and null) are taken as they are.
            ExprKind::Literal(_) => return self.expr(e),
            _ => {}
        }
        let x = self.expr(e)?;
        let (effect, what) = if self.filtering {
            (
                Effect::UnderMatch,
                "rows whose value is in another format are not matched",
            )
        } else {
            (Effect::Values, "a value in another format reads as null")
        };
        self.notes.push(
            e.span,
            effect,
            format!(
                "this datetime is read from text assuming ISO 8601 UTC \
                 (2024-03-01T00:05:00[.fffffff]Z, as Sentinel exports it); {what}"
            ),
        );
        Some(iso_epoch(x))
    }

    /// `datetime_diff(unit, a, b)` for fixed-length units: the number of unit boundaries
    /// (UTC, since the epoch) between `b` and `a`.
    pub(super) fn datetime_diff(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let [unit, a, b] = args else {
            return self.unsupported_fn(ScalarFn::DateTimeDiff, span);
        };
        let secs = match &unit.kind {
            ExprKind::Literal(Literal::String(u)) => match u.to_ascii_lowercase().as_str() {
                "day" => "86400",
                "hour" => "3600",
                "minute" => "60",
                "second" => "1",
                _ => return self.unsupported_fn(ScalarFn::DateTimeDiff, span),
            },
            _ => return self.unsupported_fn(ScalarFn::DateTimeDiff, span),
        };
        let f = |x: Eval| Eval::call("floor", vec![Eval::bin(" / ", x, Eval::Num(secs.into()))]);
        Some(Eval::bin(
            " - ",
            f(self.time_value(a)?),
            f(self.time_value(b)?),
        ))
    }

    /// `unixtime_milliseconds_todatetime(ms)` ⇒ `ms / 1000`: Splunk's time values are epoch
    /// seconds (as `_time` and every datetime constant here), fractions kept.
    pub(super) fn unixtime_ms(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let [ms] = args else {
            return self.unsupported_fn(ScalarFn::UnixtimeMillisecondsToDatetime, span);
        };
        let x = self.expr(ms)?;
        Some(Eval::bin(" / ", x, Eval::Num("1000".into())))
    }
}

/// Which stored column Splunk's `_time` holds for `table`: `Timestamp` for a table whose
/// schema has a datetime `Timestamp` (the Defender XDR tables: Splunk's Microsoft Defender
/// add-on stamps events with their event time), else `TimeGenerated`. Field-mapping pipelines
/// are to set this per table; until then this rule is the one the translation assumes, and a
/// reference to the other time column is noted.
pub fn splunk_time_column(table: &str) -> &'static str {
    if kqlport::schema::column_type(table, "Timestamp")
        == Some(kqlport::schema::ColumnType::DateTime)
    {
        "Timestamp"
    } else {
        "TimeGenerated"
    }
}

pub(super) fn is_time_col(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Field(f) if f.is_plain() && TIME_COLUMNS.contains(&f.column.as_str()))
}

/// Seconds of a duration, as an exact decimal.
pub fn seconds(d: Duration) -> String {
    let t = d.ticks.unsigned_abs();
    let per = Duration::TICKS_PER_SECOND as u64;
    let sign = if d.ticks < 0 { "-" } else { "" };
    let (whole, frac) = (t / per, t % per);
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        let f = format!("{frac:07}");
        format!("{sign}{whole}.{}", f.trim_end_matches('0'))
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f]Z` → epoch seconds as an exact decimal.
pub fn epoch_seconds(iso: &str) -> Option<String> {
    let b = iso.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || !iso.ends_with('Z') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| iso.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    let frac = &iso[19..iso.len() - 1];
    let frac = match frac.strip_prefix('.') {
        Some(f) if !f.is_empty() && f.bytes().all(|c| c.is_ascii_digit()) => {
            f.trim_end_matches('0')
        }
        None if frac.is_empty() => "",
        _ => return None,
    };
    // Days from civil (Howard Hinnant's algorithm), proleptic Gregorian, UTC.
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + hh * 3600 + mm * 60 + ss;
    Some(if frac.is_empty() {
        secs.to_string()
    } else if secs >= 0 {
        format!("{secs}.{frac}")
    } else {
        // Negative epochs with a fraction: keep it exact via an explicit sum.
        format!("({secs} + 0.{frac})")
    })
}

/// ISO 8601 UTC text (`YYYY-MM-DDThh:mm:ss[.f…]Z`) → epoch seconds: the whole seconds with
/// `strptime` on the first 19 characters given an explicit `+0000` offset (without a zone,
/// strptime would use the search user's time zone), plus the fraction as a number. Text of
/// any other shape leaves `replace` without a match, so `tonumber` and the sum are null.
pub(crate) fn iso_epoch(x: Eval) -> Eval {
    let secs = Eval::call(
        "strptime",
        vec![
            Eval::Concat(vec![
                Eval::call(
                    "substr",
                    vec![x.clone(), Eval::Num("1".into()), Eval::Num("19".into())],
                ),
                Eval::str("+0000"),
            ]),
            Eval::str("%Y-%m-%dT%H:%M:%S%z"),
        ],
    );
    let frac = Eval::call(
        "tonumber",
        vec![Eval::call(
            "replace",
            vec![x, Eval::str("^.{19}(\\.[0-9]+)?Z$"), Eval::str("0\\1")],
        )],
    );
    Eval::bin(" + ", secs, frac)
}

pub(super) fn ago_eval(d: Duration) -> Eval {
    Eval::bin(" - ", Eval::call("now", vec![]), Eval::Num(seconds(d)))
}

/// `floor(x / d)`.
pub(super) fn fdiv(x: Eval, d: &str) -> Eval {
    Eval::call("floor", vec![Eval::bin(" / ", x, Eval::Num(d.into()))])
}

pub(super) fn floor_bucket(x: Eval, size: String) -> Eval {
    Eval::bin(
        " * ",
        Eval::call("floor", vec![Eval::bin(" / ", x, Eval::Num(size.clone()))]),
        Eval::Num(size),
    )
}
