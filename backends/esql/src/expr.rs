//! Scalar expressions: literals, time spans, arithmetic, `CASE`, predicates as values, `bin()`.
//!
//! Columns are read in `fields`, function calls in `functions`.

use crate::ast::{BinOp, Expr};
use crate::cx::Cx;
use kqlport::codes::EsqlCode;
use kqlport::ir::{self, Duration, DurationUnit, ExprKind, Literal, ScalarFn};
use kqlport::source::Span;

impl Cx {
    pub fn expr(&mut self, e: &ir::Expr) -> Expr {
        match &e.kind {
            ExprKind::Literal(l) => self.literal(l, e.span),
            ExprKind::Field(fp) => self.field(fp, e.span),
            ExprKind::Call { func, args } => self.call(*func, args, e.span),
            ExprKind::Arith {
                op: ir::ArithOp::Div,
                lhs,
                rhs,
            } if day_of_week_per_day(lhs, rhs).is_some() => {
                let t = day_of_week_per_day(lhs, rhs).unwrap_or(lhs);
                self.day_of_week_number(t)
            }
            ExprKind::Arith {
                op: ir::ArithOp::Sub,
                lhs,
                rhs,
            } if matches!(lhs.kind, ExprKind::Now) && crate::span_ms::computable(rhs) => {
                self.now_minus_span(rhs)
            }
            ExprKind::Arith {
                op: ir::ArithOp::DateSub,
                ..
            } => {
                self.decline_help(
                    EsqlCode::B012,
                    "datetime - datetime is a timespan in KQL; ES|QL has no date - date operator and no column type for a duration",
                    e.span,
                    "compare the datetimes themselves (e.g. `End >= Start + 5m`), or use datetime_diff() for a number",
                );
                Expr::Null
            }
            ExprKind::Arith {
                op: op @ (ir::ArithOp::Add | ir::ArithOp::Sub),
                lhs,
                rhs,
            } if !is_span(lhs) && crate::span_ms::shift_computable(rhs) => {
                self.date_shift(lhs, *op, rhs)
            }
            ExprKind::Arith {
                op: ir::ArithOp::Add,
                lhs,
                rhs,
            } if !is_span(rhs) && crate::span_ms::shift_computable(lhs) => {
                self.date_shift(rhs, ir::ArithOp::Add, lhs)
            }
            ExprKind::Arith {
                op: op @ (ir::ArithOp::Mul | ir::ArithOp::Div | ir::ArithOp::Mod),
                lhs,
                rhs,
            } if is_span(lhs) || is_span(rhs) => {
                let what = match op {
                    ir::ArithOp::Mul => "multiplied",
                    ir::ArithOp::Div => "divided",
                    _ => "taken modulo",
                };
                self.decline_help(
                    EsqlCode::B012,
                    format!("a time span {what} here has no ES|QL form: ES|QL's durations (`1 hour`) can only be added to or subtracted from a datetime"),
                    e.span,
                    "write the span as one literal (e.g. `90m` for `1h * 1.5`)",
                );
                Expr::Null
            }
            ExprKind::Arith { op, lhs, rhs } => {
                if *op == ir::ArithOp::Div && !kqlport_kit::notes::nonzero_constant(rhs) {
                    self.value_note(
                        e.span,
                        kqlport_kit::notes::zero_divisor("where ES|QL gives null (with a warning)"),
                    );
                }
                let l = self.expr(lhs);
                let r = self.expr(rhs);
                let op = match op {
                    ir::ArithOp::Add => BinOp::Add,
                    ir::ArithOp::Sub | ir::ArithOp::DateSub => BinOp::Sub,
                    ir::ArithOp::Mul => BinOp::Mul,
                    ir::ArithOp::Div => BinOp::Div,
                    ir::ArithOp::Mod => BinOp::Mod,
                };
                Expr::bin(l, op, r)
            }
            ExprKind::Neg(x) => Expr::Neg(Box::new(self.expr(x))),
            ExprKind::Case {
                branches,
                otherwise,
            } => {
                let mut args = Vec::new();
                for (c, v) in branches {
                    args.push(self.pred(c, true));
                    args.push(self.expr(v));
                }
                args.push(self.expr(otherwise));
                Expr::call("CASE", args)
            }
            ExprKind::Predicate(p) => {
                // KQL's value is true, false or null; pos/neg are TRUE exactly then.
                let pos = self.pred(p, true);
                let neg = self.pred(p, false);
                Expr::call(
                    "CASE",
                    vec![pos, Expr::Bool(true), neg, Expr::Bool(false), Expr::Null],
                )
            }
            ExprKind::Now => Expr::call("NOW", vec![]),
            ExprKind::Ago(d) => self.ago(*d, e.span),
            ExprKind::IngestionTime => self.ingestion_time(e.span),
            ExprKind::Path { base, path } => self.computed_path(base, path, e.span),
        }
    }

    /// `ingestion_time()` ⇒ `event.ingested`, the ECS field for when the event reached
    /// Elasticsearch. It is the target's own ingestion time (not Sentinel's), and it exists
    /// only where the ingest pipeline sets it (Elastic's integrations do, in their final
    /// pipeline); elsewhere it is missing, so a test on it keeps no row.
    pub(crate) fn ingestion_time(&mut self, span: Span) -> Expr {
        let what = "ingestion_time() ⇒ `event.ingested`: when Elasticsearch ingested the event, not when Sentinel ingested the row, and present only where the ingest pipeline sets it (Elastic's integrations do); where it is missing the value is null";
        if self.filtering {
            self.notes
                .push(span, kqlport::backend::Effect::OverMatch, what);
            self.notes
                .push(span, kqlport::backend::Effect::UnderMatch, what);
        } else {
            self.notes
                .push(span, kqlport::backend::Effect::Values, what);
        }
        Expr::Column("event.ingested".into())
    }

    pub fn literal(&mut self, l: &Literal, span: Span) -> Expr {
        match l {
            Literal::String(s) => Expr::Str(s.clone()),
            Literal::Long(i) => Expr::Int(*i),
            Literal::Real(r) if r.is_finite() => Expr::Dec(*r),
            Literal::Real(_) => {
                self.decline(
                    EsqlCode::B007,
                    "ES|QL has no literal for NaN or infinity",
                    span,
                );
                Expr::Null
            }
            Literal::Bool(b) => Expr::Bool(*b),
            Literal::DateTime(d) => Expr::call("TO_DATETIME", vec![Expr::Str(d.clone())]),
            Literal::Timespan(d) => self.span(*d, span),
            Literal::Null => Expr::Null,
        }
    }

    /// A time-span literal; whole days stay days (exact in UTC date arithmetic).
    pub fn span(&mut self, d: Duration, span: Span) -> Expr {
        if d.ticks < 0 {
            self.decline(
                EsqlCode::B007,
                "negative time spans are not supported",
                span,
            );
            return Expr::Null;
        }
        let (n, unit) = d.whole_unit();
        let unit = match unit {
            DurationUnit::Day => "day",
            DurationUnit::Hour => "hour",
            DurationUnit::Minute => "minute",
            DurationUnit::Second => "second",
            DurationUnit::Millisecond => "millisecond",
            DurationUnit::Tick => {
                self.decline(
                    EsqlCode::B007,
                    "ES|QL time spans stop at milliseconds; this one needs 100-ns ticks",
                    span,
                );
                return Expr::Null;
            }
        };
        Expr::Span(n, unit)
    }

    /// A fixed-length span for `DATE_TRUNC`: days are written as hours, because ES|QL turns a
    /// `7 days` period into calendar (Monday-based) weeks, while KQL's bins start at the epoch.
    pub fn fixed_span(&mut self, d: Duration, span: Span) -> Expr {
        match self.span(d, span) {
            Expr::Span(n, "day") => Expr::Span(n * 24, "hour"),
            other => other,
        }
    }

    pub(crate) fn ago(&mut self, d: Duration, span: Span) -> Expr {
        let s = self.span(d, span);
        Expr::bin(Expr::call("NOW", vec![]), BinOp::Sub, s)
    }

    /// `bin(x, size)`: `DATE_TRUNC` with a fixed span for datetimes (epoch-aligned like KQL),
    /// `FLOOR(x / size) * size` for numbers.
    pub fn bin(&mut self, x: &ir::Expr, size: &ir::Expr, span: Span) -> Expr {
        let xe = self.expr(x);
        match &size.kind {
            ExprKind::Literal(Literal::Timespan(d)) => {
                let s = self.fixed_span(*d, size.span);
                Expr::call("DATE_TRUNC", vec![s, xe])
            }
            ExprKind::Literal(Literal::Long(n)) => self.numeric_bin(xe, Expr::Int(*n), span),
            ExprKind::Literal(Literal::Real(r)) => {
                let n = self.literal(&Literal::Real(*r), size.span);
                self.numeric_bin(xe, n, span)
            }
            _ => {
                self.decline(EsqlCode::B005, "bin() needs a literal bin size", span);
                Expr::Null
            }
        }
    }

    pub fn numeric_bin(&mut self, x: Expr, size: Expr, span: Span) -> Expr {
        self.value_note(
            span,
            "numeric bin is computed in double precision (FLOOR(TO_DOUBLE(x) / size) * size): same bucket, but the value is a double",
        );
        Expr::bin(
            Expr::call(
                "FLOOR",
                vec![Expr::bin(
                    Expr::call("TO_DOUBLE", vec![x]),
                    BinOp::Div,
                    size.clone(),
                )],
            ),
            BinOp::Mul,
            size,
        )
    }
}

/// Whether `e` is a time span written in the query: a timespan literal, or arithmetic on one.
fn is_span(e: &ir::Expr) -> bool {
    match &e.kind {
        ExprKind::Literal(Literal::Timespan(_)) => true,
        ExprKind::Neg(x) => is_span(x),
        ExprKind::Arith {
            op: ir::ArithOp::Add | ir::ArithOp::Sub,
            lhs,
            rhs,
        } => is_span(lhs) && is_span(rhs),
        ExprKind::Arith {
            op: ir::ArithOp::Mul | ir::ArithOp::Div | ir::ArithOp::Mod,
            lhs,
            rhs,
        } => is_span(lhs) || is_span(rhs),
        _ => false,
    }
}

/// `dayofweek(t) / 1d`: the argument `t`.
fn day_of_week_per_day<'a>(lhs: &'a ir::Expr, rhs: &ir::Expr) -> Option<&'a ir::Expr> {
    match (&lhs.kind, &rhs.kind) {
        (
            ExprKind::Call {
                func: ScalarFn::DayOfWeek,
                args,
            },
            ExprKind::Literal(Literal::Timespan(d)),
        ) if args.len() == 1 && d.ticks == 864_000_000_000 => args.first(),
        _ => None,
    }
}
