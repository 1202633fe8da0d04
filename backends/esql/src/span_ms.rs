//! `now() - span` where the span is computed from datetimes (`ago((endtime - starttime) * 7)`,
//! a hunting query's look-back): ES|QL has no duration values, so the span is computed in
//! milliseconds, `TO_LONG` of a date being its milliseconds since the epoch and `TO_DATETIME`
//! of a long the date at those milliseconds — `TO_DATETIME(TO_LONG(NOW()) - ms)`. Exact to the
//! millisecond, the resolution of an Elasticsearch `date`.
//!
//! The same arithmetic shifts a datetime by a span with an integer factor computed per row
//! (`datetime(1970-01-01) + tolong(ms / 1000) * 1sec`): `TO_DATETIME(TO_LONG(t) + n * 1000)`.

use crate::ast::{BinOp, Expr};
use crate::cx::Cx;
use kqlport::ir::{self, ExprKind, Literal};

/// Ticks (100 ns) per millisecond.
const TICKS_PER_MS: i64 = 10_000;

/// A timespan constant in whole milliseconds (the resolution of an Elasticsearch `date`);
/// `None` for another literal, or a span with a fraction of a millisecond.
pub(crate) fn literal_ms(l: &Literal) -> Option<i64> {
    match l {
        Literal::Timespan(d) if d.ticks % TICKS_PER_MS == 0 => Some(d.ticks / TICKS_PER_MS),
        _ => None,
    }
}

impl Cx {
    /// `NOW() - span` as a date, for a `span` that is [`computable`].
    pub(crate) fn now_minus_span(&mut self, span: &ir::Expr) -> Expr {
        let ms = self.ms_span(span);
        let now = Expr::call("TO_LONG", vec![Expr::call("NOW", vec![])]);
        Expr::call("TO_DATETIME", vec![Expr::bin(now, BinOp::Sub, ms)])
    }

    /// `t ± span` as a date, for a `span` that is [`shift_computable`].
    pub(crate) fn date_shift(&mut self, t: &ir::Expr, op: ir::ArithOp, span: &ir::Expr) -> Expr {
        let ms = self.ms_span(span);
        let t = Expr::call("TO_LONG", vec![self.expr(t)]);
        let op = if op == ir::ArithOp::Sub {
            BinOp::Sub
        } else {
            BinOp::Add
        };
        Expr::call("TO_DATETIME", vec![Expr::bin(t, op, ms)])
    }

    fn ms_span(&mut self, e: &ir::Expr) -> Expr {
        match &e.kind {
            _ if is_int_call(e) => self.expr(e),
            ExprKind::Literal(Literal::Timespan(d)) => Expr::Int(d.ticks / TICKS_PER_MS),
            ExprKind::Literal(Literal::Long(n)) => Expr::Int(*n),
            ExprKind::Neg(x) => Expr::Neg(Box::new(self.ms_span(x))),
            ExprKind::Arith {
                op: ir::ArithOp::DateSub,
                lhs,
                rhs,
            } => {
                let l = Expr::call("TO_LONG", vec![self.expr(lhs)]);
                let r = Expr::call("TO_LONG", vec![self.expr(rhs)]);
                Expr::bin(l, BinOp::Sub, r)
            }
            ExprKind::Arith { op, lhs, rhs } => {
                let op = match op {
                    ir::ArithOp::Add => BinOp::Add,
                    ir::ArithOp::Sub => BinOp::Sub,
                    _ => BinOp::Mul,
                };
                let (l, r) = (self.ms_span(lhs), self.ms_span(rhs));
                Expr::bin(l, op, r)
            }
            // Not reached: `is_ms_span` admits nothing else.
            _ => Expr::Null,
        }
    }
}

/// Whether `now() - span` is translated here: a span computed from datetimes, in whole
/// milliseconds (a constant span is `ago(d)`, translated elsewhere).
pub(crate) fn computable(span: &ir::Expr) -> bool {
    is_ms_span(span) && has_date_sub(span)
}

/// Whether `e` is a timespan [`Cx::ms_span`] computes exactly: whole-millisecond timespan
/// literals and datetime differences, added, subtracted, negated, or multiplied by an integer
/// literal (a division would truncate in integer arithmetic, and a real factor round).
fn is_ms_span(e: &ir::Expr) -> bool {
    match &e.kind {
        ExprKind::Literal(Literal::Timespan(d)) => d.ticks % TICKS_PER_MS == 0,
        ExprKind::Neg(x) => is_ms_span(x),
        ExprKind::Arith { op, lhs, rhs } => match op {
            ir::ArithOp::DateSub => true,
            ir::ArithOp::Add | ir::ArithOp::Sub => is_ms_span(lhs) && is_ms_span(rhs),
            ir::ArithOp::Mul if is_int(rhs) => is_ms_span(lhs),
            ir::ArithOp::Mul if is_int(lhs) => is_ms_span(rhs),
            _ => false,
        },
        _ => false,
    }
}

/// Whether `t ± span` is translated here: a span in whole milliseconds with an integer factor
/// computed per row (`tolong(x) * 1sec`; a constant span is ES|QL date arithmetic as it is).
pub(crate) fn shift_computable(span: &ir::Expr) -> bool {
    fn has_int_call(e: &ir::Expr) -> bool {
        match &e.kind {
            _ if is_int_call(e) => true,
            ExprKind::Neg(x) => has_int_call(x),
            ExprKind::Arith { lhs, rhs, .. } => has_int_call(lhs) || has_int_call(rhs),
            _ => false,
        }
    }
    is_ms_span(span) && has_int_call(span)
}

/// An integer: a literal, or a conversion to one (`tolong(…)`, `toint(…)`).
fn is_int(e: &ir::Expr) -> bool {
    matches!(e.kind, ExprKind::Literal(Literal::Long(_))) || is_int_call(e)
}

fn is_int_call(e: &ir::Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Call {
            func: ir::ScalarFn::ToLong | ir::ScalarFn::ToInt,
            ..
        }
    )
}

/// Whether a datetime difference is in `e`.
fn has_date_sub(e: &ir::Expr) -> bool {
    match &e.kind {
        ExprKind::Neg(x) => has_date_sub(x),
        ExprKind::Arith {
            op: ir::ArithOp::DateSub,
            ..
        } => true,
        ExprKind::Arith { lhs, rhs, .. } => has_date_sub(lhs) || has_date_sub(rhs),
        _ => false,
    }
}
