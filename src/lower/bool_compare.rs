//! A bool compared with a string or a number: `ipv4_is_private(DstIpAddr) == 'False'`,
//! `IsLocalAdmin == 1`. Made a bool comparison, or refused with its location.
//!
//! KQL's rule. Kusto.Language accepts `==`, `!=`, `in` and `!in` between a bool and a string
//! or a number, and rejects every other string operator on a bool (KS106: "The operator 'has'
//! is not defined for the operand types bool and string"; `in~` is KS107). Equality between a
//! non-string value and a string constant converts the constant to the value's type (measured
//! on a cluster for `datetime == "2020-01-01"`, as duckdb-kql records; duckdb-kql reads
//! `B == 'False'` the same way). Text converts to a bool as `tobool()` does (measured, see
//! duckdb-kql's `_kql_bool_from_text`): `true`/`false` in any case, surrounding whitespace
//! ignored, or an integer (non-zero is true); any other text converts to null.
//!
//! So `x == 'False'` is `x == false`: exact in every target, where the targets compared a
//! rendered `"true"`/`"false"` with `"False"` (SPL: never equal) or let the engine cast it
//! (ES|QL) and disagreed. A constant that converts to null (`'yes'`, `''`, `'1.5'`) is
//! refused: what `==`/`!=` with a null bool gives is not documented. A number is
//! refused unless it is `0` or `1`, where reading the number as a bool and the bool as a
//! number agree. The string operators Kusto rejects on a bool are refused as invalid KQL.

use super::types::Columns;
use super::LResult;
use crate::codes::LowerCode;
use crate::diag::Diagnostic;
use crate::ir::{self, CmpOp, ExprKind, Literal, PredicateKind};
use crate::schema::ColumnType;

/// Rewrites a comparison of a bool-typed value with a string or number constant into a bool
/// comparison, or returns the located refusal. Leaves every other predicate alone.
pub(super) fn bool_operand(p: &mut ir::Predicate, cols: &Columns) -> LResult<()> {
    match &p.kind {
        PredicateKind::StrMatch(m) if cols.infer(&m.field) == Some(ColumnType::Bool) => {
            let plain_equality = m.kind == ir::MatchKind::Equals
                && m.case == ir::Case::Sensitive
                && m.quantifier == ir::Quantifier::Any;
            if !plain_equality {
                return Err(Box::new(Diagnostic::error(
                    LowerCode::L038,
                    "a bool compared with text by a string operator: Kusto rejects this (only ==, !=, in and !in compare a bool with text)",
                    p.span,
                )
                .with_label("this value is a bool")
                .with_help("compare with true or false, e.g. `x == false`")));
            }
            let mut bools = Vec::new();
            for v in &m.values {
                match bool_from_text(v) {
                    Some(b) => bools.push(b),
                    None => {
                        return Err(Box::new(Diagnostic::error(
                            LowerCode::L038,
                            format!(
                                "a bool compared with the text {v:?}, which is no bool: KQL converts it to null, and what == or != with a null bool gives is not documented"
                            ),
                            p.span,
                        )
                        .with_help("compare with true or false")))
                    }
                }
            }
            let (field, negated) = (m.field.clone(), m.negated);
            p.kind = bool_test(field, bools, negated, p.span);
            Ok(())
        }
        PredicateKind::Compare { lhs, op, rhs, .. } => {
            let (value, number) = match (&lhs.kind, &rhs.kind) {
                (_, ExprKind::Literal(n @ (Literal::Long(_) | Literal::Real(_)))) => (lhs, n),
                (ExprKind::Literal(n @ (Literal::Long(_) | Literal::Real(_))), _) => (rhs, n),
                _ => return Ok(()),
            };
            if cols.infer(value) != Some(ColumnType::Bool) {
                return Ok(());
            }
            let b = match number {
                Literal::Long(0) => false,
                Literal::Long(1) => true,
                _ => {
                    return Err(Box::new(Diagnostic::error(
                        LowerCode::L038,
                        "a bool compared with a number other than 0 or 1: whether KQL reads the number as a bool or the bool as a number is not documented, and the two disagree here",
                        p.span,
                    )
                    .with_help("compare with true or false")))
                }
            };
            let negated = match op {
                CmpOp::Eq => false,
                CmpOp::Ne => true,
                _ => {
                    return Err(Box::new(Diagnostic::error(
                        LowerCode::L038,
                        "a bool ordered against a number: KQL does not document how",
                        p.span,
                    )))
                }
            };
            let value = value.clone();
            p.kind = bool_test(value, vec![b], negated, p.span);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// `value == b` (or `!=`), for the converted constants `bools` (any of them).
fn bool_test(value: ir::Expr, bools: Vec<bool>, negated: bool, span: crate::Span) -> PredicateKind {
    let any_true = bools.contains(&true);
    let any_false = bools.contains(&false);
    if any_true && any_false {
        // `x in ('true', 'false')`: any non-null bool.
        return PredicateKind::IsNull {
            expr: value,
            negated: !negated,
        };
    }
    PredicateKind::Compare {
        lhs: value,
        op: if negated { CmpOp::Ne } else { CmpOp::Eq },
        rhs: ir::Expr {
            kind: ExprKind::Literal(Literal::Bool(any_true)),
            span,
        },
        operands: ir::Operands::NotStrings,
    }
}

/// KQL's text-to-bool conversion (`tobool`): `true`/`false` in any case or an integer
/// (non-zero: true), surrounding whitespace ignored; `None` for anything else (null).
pub(crate) fn bool_from_text(text: &str) -> Option<bool> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("true") {
        return Some(true);
    }
    if t.eq_ignore_ascii_case("false") {
        return Some(false);
    }
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(digits.bytes().any(|b| b != b'0'));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::bool_from_text;

    #[test]
    fn text_converts_as_tobool_does() {
        for (text, want) in [
            ("true", Some(true)),
            ("False", Some(false)),
            ("TRUE", Some(true)),
            (" false\t", Some(false)),
            ("1", Some(true)),
            ("0", Some(false)),
            ("0002", Some(true)),
            ("-1", Some(true)),
            ("+0", Some(false)),
            ("1.5", None),
            ("yes", None),
            ("", None),
            ("t", None),
        ] {
            assert_eq!(bool_from_text(text), want, "{text:?}");
        }
    }
}
