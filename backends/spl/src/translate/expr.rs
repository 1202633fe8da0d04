//! Scalar expressions as eval expressions: literals, arithmetic, `case`/`iff`, a predicate as
//! a bool value, `now()`/`ago()`; calls go to `calls`, column reads to `fields`.

use super::time::{ago_eval, epoch_seconds, seconds};
use super::Tx;
use crate::ast::Eval;
use kqlport::backend::Effect;
use kqlport::codes::SplCode;
use kqlport::ir::{ArithOp, Expr, ExprKind, Literal};
use kqlport::schema::ColumnType;
use kqlport::source::Span;

impl Tx {
    /// A note on a computed value, its effect by whether it is in a `where`
    /// ([`kqlport_kit::notes::value`]).
    pub(super) fn value_note(&mut self, span: Span, message: impl Into<String>) {
        kqlport_kit::notes::value(&mut self.notes, self.filtering, span, message);
    }

    pub fn expr(&mut self, e: &Expr) -> Option<Eval> {
        // `array_ok` holds for this expression only, not for its operands (a case's values
        // excepted: they are its value).
        let ok = std::mem::take(&mut self.array_ok);
        match &e.kind {
            ExprKind::Literal(l) => self.literal(l, e.span),
            ExprKind::Field(fp) => {
                self.array_ok = ok;
                let v = self.field(fp, e.span);
                self.array_ok = false;
                v
            }
            ExprKind::Call { func, args } => {
                self.array_ok = ok;
                self.call(*func, args, e.span)
            }
            ExprKind::Arith { op, lhs, rhs } => {
                let (l, r) = (self.expr(lhs)?, self.expr(rhs)?);
                // KQL's long / long truncates; a real, decimal or timespan operand (the core's
                // type inference: literals, toreal(), typed columns, arithmetic with one) does
                // not.
                let fractional = |x: &Expr| {
                    matches!(
                        self.cols.infer(x),
                        Some(ColumnType::Real | ColumnType::Decimal | ColumnType::TimeSpan)
                    )
                };
                if *op == ArithOp::Div && !fractional(lhs) && !fractional(rhs) {
                    self.value_note(
                        e.span,
                        "KQL divides two longs with truncation; SPL division is never integral",
                    );
                }
                if *op == ArithOp::Div && !kqlport_kit::notes::nonzero_constant(rhs) {
                    self.value_note(
                        e.span,
                        kqlport_kit::notes::zero_divisor(
                            "where Splunk's eval gives null (\"Division by zero results in a null field\")",
                        ),
                    );
                }
                let sym = match op {
                    ArithOp::Add => " + ",
                    ArithOp::Sub | ArithOp::DateSub => " - ",
                    ArithOp::Mul => " * ",
                    ArithOp::Div => " / ",
                    ArithOp::Mod => " % ",
                };
                Some(Eval::bin(sym, l, r))
            }
            ExprKind::Neg(x) => Some(Eval::Neg(Box::new(self.expr(x)?))),
            ExprKind::Case {
                branches,
                otherwise,
            } => {
                let mut args = Vec::new();
                for (c, v) in branches {
                    args.push(self.pred(c, false)?);
                    self.array_ok = ok;
                    args.push(self.expr(v)?);
                }
                self.array_ok = ok;
                let other = self.expr(otherwise)?;
                Some(if branches.len() == 1 {
                    args.push(other);
                    Eval::call("if", args)
                } else {
                    args.push(Eval::call("true", vec![]));
                    args.push(other);
                    Eval::call("case", args)
                })
            }
            ExprKind::Predicate(p) => Some(bool_value(self.pred(p, false)?)),
            ExprKind::Now => Some(Eval::call("now", vec![])),
            ExprKind::Ago(d) => Some(ago_eval(*d)),
            ExprKind::IngestionTime => {
                // `_indextime`: when Splunk indexed the event (epoch seconds, like `_time`).
                let what = "ingestion_time() ⇒ `_indextime`: when Splunk indexed the event, not when Sentinel ingested the row";
                if self.filtering {
                    self.notes.push(e.span, Effect::OverMatch, what);
                    self.notes.push(e.span, Effect::UnderMatch, what);
                } else {
                    self.notes.push(e.span, Effect::Values, what);
                }
                Some(Eval::Field("_indextime".into()))
            }
            ExprKind::Path { base, path } => self.computed_path(base, path, e.span),
        }
    }

    pub(super) fn literal(&mut self, l: &Literal, span: Span) -> Option<Eval> {
        Some(match l {
            Literal::String(s) => Eval::Str(s.clone()),
            Literal::Long(n) => Eval::Num(n.to_string()),
            Literal::Real(x) if x.is_finite() => Eval::Num(format!("{x}")),
            Literal::Real(_) => {
                self.refuse(
                    SplCode::B017,
                    span,
                    "non-finite real literal",
                    "NaN or infinity",
                    "SPL has no literal for NaN or infinity",
                );
                return None;
            }
            Literal::Bool(b) => Eval::str(if *b { "true" } else { "false" }),
            Literal::DateTime(s) => match epoch_seconds(s) {
                Some(n) => Eval::Num(n),
                None => {
                    self.refuse(
                        SplCode::B020,
                        span,
                        "datetime literal not in the normalised ISO-8601 UTC form",
                        "unexpected datetime form",
                        "this is a lowering bug; please report it",
                    );
                    return None;
                }
            },
            Literal::Timespan(d) => Eval::Num(seconds(*d)),
            Literal::Null => Eval::call("null", vec![]),
        })
    }
}

/// SPL cannot store a boolean in a field: a KQL bool value becomes `"true"`/`"false"`.
pub(super) fn bool_value(cond: Eval) -> Eval {
    Eval::call("if", vec![cond, Eval::str("true"), Eval::str("false")])
}
