//! `toint()` / `tolong()`: KQL truncates a real toward zero (`toint(2.3)` is 2, `toint(-1.5)` is
//! -1: Kusto's toint page, "the result truncate to only the integer portion"); ES|QL's
//! `TO_INTEGER` / `TO_LONG` of a double round it (esql-core `DataTypeConverter.safeToInt` /
//! `safeDoubleToLong`: `Math.round(x)`, the nearest integer, ties up — 1.5 is 2, -1.6 is -2).
//!
//! So a real argument is truncated first: `x - x % 1` (ES|QL's `%` of doubles is Java's, the
//! remainder with the dividend's sign, so this is `x` without its fraction, exactly — the
//! remainder and the difference are both representable). An argument known to be an integer
//! converts as it is (never through a double: a long above 2^53 stays exact). Where the type is
//! not known (text, a dynamic value), `TO_LONG` stays, with a located note: a fractional number
//! is rounded where KQL truncates, and text that is not an integer in KQL's syntax (`"5.7"`,
//! `"1e3"`), null in KQL, is parsed as a double and rounded by ES|QL (`fromKeyword` falls back to
//! `Double.parseDouble`).

use crate::ast::{BinOp, Expr};
use crate::cx::Cx;
use kqlport::ir::{self, ArithOp, ExprKind, Literal};
use kqlport::schema::ColumnType;
use kqlport::source::Span;

/// What an argument of `toint`/`tolong` is known to hold.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Num {
    /// An integer (int, long; bool, datetime and timespan convert as before).
    Integral,
    /// A real: truncated before the conversion.
    Real,
    /// Not known (text, dynamic, a column of no known type).
    Unknown,
}

impl Cx {
    fn num_kind(&self, e: &ir::Expr) -> Num {
        match &e.kind {
            ExprKind::Literal(Literal::Long(_)) => Num::Integral,
            ExprKind::Literal(Literal::Real(_)) => Num::Real,
            ExprKind::Neg(x) => self.num_kind(x),
            // The core's inference calls arithmetic on unknown operands a long; here both sides
            // must be known.
            ExprKind::Arith { op, lhs, rhs } if !matches!(op, ArithOp::DateSub) => {
                match (self.num_kind(lhs), self.num_kind(rhs)) {
                    (Num::Unknown, _) | (_, Num::Unknown) => match self.cols.infer(e) {
                        Some(ColumnType::DateTime | ColumnType::TimeSpan) => Num::Integral,
                        _ => Num::Unknown,
                    },
                    (Num::Real, _) | (_, Num::Real) => Num::Real,
                    _ => Num::Integral,
                }
            }
            _ => match self.cols.infer(e) {
                Some(
                    ColumnType::Int
                    | ColumnType::Long
                    | ColumnType::Bool
                    | ColumnType::DateTime
                    | ColumnType::TimeSpan,
                ) => Num::Integral,
                Some(ColumnType::Real | ColumnType::Decimal) => Num::Real,
                _ => Num::Unknown,
            },
        }
    }

    /// `toint(x)` ⇒ `TO_INTEGER`, `tolong(x)` ⇒ `TO_LONG`, of `x` truncated when it is a real.
    pub(crate) fn integer_conversion(
        &mut self,
        name: &'static str,
        args: &[ir::Expr],
        mut a: Vec<Expr>,
        span: Span,
    ) -> Expr {
        let (Some(arg), 1) = (args.first(), a.len()) else {
            return Expr::call(name, a);
        };
        let x = a.remove(0);
        match self.num_kind(arg) {
            Num::Integral => Expr::call(name, vec![x]),
            Num::Real => Expr::call(name, vec![truncated(x)]),
            Num::Unknown => {
                let what = format!(
                    "{} ⇒ {name}, whose argument's type is not known here: a fractional number is rounded to the nearest integer by ES|QL (Java's Math.round, 1.5 → 2, -1.6 → -2) where KQL truncates it (1, -1), and text that is not an integer in KQL's syntax (\"5.7\", \"1e3\"), null in KQL, is read as a double and rounded",
                    if name == "TO_LONG" { "tolong" } else { "toint" }
                );
                self.value_note(span, what);
                Expr::call(name, vec![x])
            }
        }
    }
}

/// `x - x % 1`: a double without its fraction (toward zero).
fn truncated(x: Expr) -> Expr {
    Expr::bin(
        x.clone(),
        BinOp::Sub,
        Expr::bin(x, BinOp::Mod, Expr::Int(1)),
    )
}
