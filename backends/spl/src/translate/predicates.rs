//! KQL predicates as `where`/`eval` conditions: and/or/not (negation pushed to the leaves),
//! comparisons with KQL's null rules, `in`, `between`, `isempty`/`isnull`, time windows and
//! bool values.

use super::fields::is_json_read;
use super::time::ago_eval;
use super::Tx;
use crate::ast::Eval;
use kqlport::backend::Effect;
use kqlport::ir::{CmpOp, Expr, ExprKind, Literal, Operands, Predicate, PredicateKind, ScalarFn};
use kqlport::source::Span;

impl Tx {
    /// A where-expression true exactly when the KQL predicate (negated when `neg`) is true.
    /// Negation is pushed down to the leaves, because `NOT` over a null test stays null in
    /// SPL while KQL string tests are never null.
    pub fn pred(&mut self, p: &Predicate, neg: bool) -> Option<Eval> {
        match &p.kind {
            PredicateKind::And(v) | PredicateKind::Or(v) => {
                let parts: Vec<Option<Eval>> = v.iter().map(|x| self.pred(x, neg)).collect();
                let parts: Option<Vec<Eval>> = parts.into_iter().collect();
                let parts = parts?;
                let is_and = matches!(p.kind, PredicateKind::And(_)) != neg;
                Some(if is_and {
                    Eval::and(parts)
                } else {
                    Eval::or(parts)
                })
            }
            PredicateKind::Not(x) => self.pred(x, !neg),
            PredicateKind::StrMatch(sm) => self.str_match(sm, p.span, neg),
            PredicateKind::Compare {
                lhs,
                op,
                rhs,
                operands,
            } => {
                let op = if neg { op.complement() } else { *op };
                self.compare(lhs, op, rhs, *operands, p.span)
            }
            PredicateKind::InSet {
                expr,
                values,
                negated,
            } => {
                let f = self.expr(expr)?;
                let mut eqs = Vec::new();
                for v in values {
                    eqs.push(Eval::bin("==", f.clone(), self.literal(v, expr.span)?));
                }
                let any = Eval::or(eqs);
                Some(if *negated != neg {
                    Eval::or(vec![Eval::call("isnull", vec![f]), Eval::not(any)])
                } else {
                    any
                })
            }
            PredicateKind::InSubquery { .. } => {
                self.refuse(
                    kqlport::codes::BackendCode::B032,
                    p.span,
                    "SPL tests a subquery's values only as a whole `where` condition or one of its `and` parts (a subsearch is a search command, not an eval value)",
                    "subquery inside an expression",
                    "split the condition so that the `in (subquery)` test stands alone in a `where`",
                );
                None
            }
            PredicateKind::Between {
                expr,
                low,
                high,
                negated,
            } => {
                let (f, lo, hi) = if [expr, low, high].iter().any(|x| self.is_epoch(x)) {
                    (
                        self.time_value(expr)?,
                        self.time_value(low)?,
                        self.time_value(high)?,
                    )
                } else {
                    (self.expr(expr)?, self.expr(low)?, self.expr(high)?)
                };
                Some(if *negated != neg {
                    Eval::or(vec![Eval::bin("<", f.clone(), lo), Eval::bin(">", f, hi)])
                } else {
                    Eval::and(vec![Eval::bin(">=", f.clone(), lo), Eval::bin("<=", f, hi)])
                })
            }
            PredicateKind::IsEmpty { expr, negated } => {
                let f = self.emptiness_subject(expr, p.span, *negated != neg, "isempty")?;
                Some(if *negated != neg {
                    Eval::and(vec![
                        Eval::call("isnotnull", vec![f.clone()]),
                        Eval::bin("!=", f, Eval::str("")),
                    ])
                } else {
                    Eval::or(vec![
                        Eval::call("isnull", vec![f.clone()]),
                        Eval::bin("==", f, Eval::str("")),
                    ])
                })
            }
            PredicateKind::IsNull { expr, negated } => {
                let f = self.emptiness_subject(expr, p.span, *negated != neg, "isnull")?;
                let func = if *negated != neg {
                    "isnotnull"
                } else {
                    "isnull"
                };
                Some(Eval::call(func, vec![f]))
            }
            PredicateKind::TimeWindow { field, op, ago } => {
                let f = self.time_value(field)?;
                let op = if neg { op.complement() } else { *op };
                Some(Eval::bin(op.symbol(), f, ago_eval(*ago)))
            }
            PredicateKind::Bool(e) => {
                let b = self.bool_expr(e)?;
                Some(if neg { Eval::not(b) } else { b })
            }
            PredicateKind::Const(b) => {
                Some(Eval::call(if *b != neg { "true" } else { "false" }, vec![]))
            }
        }
    }

    /// A test on the field Splunk's JSON extraction makes of a dynamic member (`X.a.b`). If
    /// the member holds an array, the extraction names its values `X.a.b{}` (an object's
    /// `X.a.b.<key>`), so `X.a.b` is missing and the test treats it as KQL's `""`, where KQL
    /// tests the array's (object's) JSON text: a positive test (or a negated one that `""`
    /// satisfies) can miss rows, a negated test (or a positive one that `""` satisfies) can
    /// keep extra rows.
    /// The value `isempty`/`isnull` (`what`) tests; if it reads a dynamic member, that member
    /// may hold an array or object, which Splunk leaves missing: the test as written (`present`:
    /// the `isnotempty`/`isnotnull` form) can then fail where KQL's holds, or hold where it fails.
    fn emptiness_subject(
        &mut self,
        expr: &Expr,
        span: Span,
        present: bool,
        what: &str,
    ) -> Option<Eval> {
        let seen = self.members_read.len();
        let f = self.expr(expr)?;
        if let Some(member) = self.members_read.split_off(seen).first() {
            let effect = if present {
                Effect::UnderMatch
            } else {
                Effect::OverMatch
            };
            self.array_member_note(member, span, effect, what);
        }
        Some(f)
    }

    /// `json_extract` turns a JSON boolean into a Splunk Boolean, whose comparison with the
    /// strings "true"/"false" (this backend's bool values) is not documented.
    pub(super) fn json_bool_note(&mut self, v: &Eval, other: &Expr, span: Span) {
        let json = is_json_read(v) || matches!(v, Eval::Field(n) if self.json_valued.contains(n));
        let boolish = match &other.kind {
            ExprKind::Literal(Literal::Bool(_)) => true,
            ExprKind::Literal(Literal::String(s)) => {
                s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
            }
            _ => false,
        };
        if json && boolish {
            self.notes.push(
                span,
                Effect::UnderMatch,
                "a JSON boolean read with json_extract is a Splunk Boolean; whether it equals \
                 the string \"true\"/\"false\" is not documented, so matching rows may be missed",
            );
        }
    }

    fn compare(
        &mut self,
        lhs: &Expr,
        op: CmpOp,
        rhs: &Expr,
        operands: Operands,
        span: Span,
    ) -> Option<Eval> {
        let time = self.is_epoch(lhs) || self.is_epoch(rhs);
        let (l, r) = if time {
            (self.time_value(lhs)?, self.time_value(rhs)?)
        } else {
            (self.expr(lhs)?, self.expr(rhs)?)
        };
        self.json_bool_note(&l, rhs, span);
        self.json_bool_note(&r, lhs, span);
        let (l_const, r_const) = (is_const(&l), is_const(&r));
        let lit = |e: &Expr| matches!(e.kind, ExprKind::Literal(_));
        if !lit(lhs) && !lit(rhs) && !l_const && !r_const {
            // Datetimes are never strings, so a missing one is null in both languages.
            let operands = if time { Operands::NotStrings } else { operands };
            return Some(self.compare_values(l, op, r, operands, span));
        }
        let base = Eval::bin(op.symbol(), l.clone(), r.clone());
        if op != CmpOp::Ne {
            return Some(base);
        }
        // KQL: `!=` with a null operand (and a constant other side) is true.
        let mut parts = Vec::new();
        if !lit(lhs) && !l_const {
            parts.push(Eval::call("isnull", vec![l]));
        }
        if !lit(rhs) && !r_const {
            parts.push(Eval::call("isnull", vec![r]));
        }
        parts.push(base);
        Some(Eval::or(parts))
    }

    /// Two computed values (columns) compared. Strings: a missing one is "" in KQL, so both
    /// sides are `coalesce(x, "")` and the comparison is Splunk's (exact). Other types: null in
    /// both languages (a comparison with null is false in `where`); KQL's `!=` is true when
    /// exactly one side is null (exact). Unknown type: the non-string rendering, with a note on
    /// how a string column would differ.
    fn compare_values(
        &mut self,
        l: Eval,
        op: CmpOp,
        r: Eval,
        operands: Operands,
        span: Span,
    ) -> Eval {
        if operands == Operands::Strings {
            let empty = |e: Eval| Eval::call("coalesce", vec![e, Eval::str("")]);
            return Eval::bin(op.symbol(), empty(l), empty(r));
        }
        if operands == Operands::Unknown {
            kqlport_kit::notes::unknown_type_comparison(
                &mut self.notes,
                span,
                op,
                "in Splunk",
                "false",
            );
        }
        if op != CmpOp::Ne {
            return Eval::bin(op.symbol(), l, r);
        }
        // True when exactly one side is null, or both are set and differ.
        Eval::or(vec![
            Eval::and(vec![
                Eval::call("isnull", vec![l.clone()]),
                Eval::call("isnotnull", vec![r.clone()]),
            ]),
            Eval::and(vec![
                Eval::call("isnotnull", vec![l.clone()]),
                Eval::call("isnull", vec![r.clone()]),
            ]),
            Eval::bin("!=", l, r),
        ])
    }

    /// A KQL bool value as an SPL condition. Bool columns hold `"true"`/`"false"` in Splunk
    /// (JSON booleans are extracted as those strings, and this backend stores bools so).
    fn bool_expr(&mut self, e: &Expr) -> Option<Eval> {
        match &e.kind {
            ExprKind::Predicate(p) => self.pred(p, false),
            ExprKind::Literal(Literal::Bool(b)) => {
                Some(Eval::call(if *b { "true" } else { "false" }, vec![]))
            }
            ExprKind::Call {
                func: ScalarFn::Ipv4IsPrivate | ScalarFn::Ipv4IsInRange,
                args,
            } => {
                let ExprKind::Call { func, .. } = &e.kind else {
                    return None;
                };
                self.ipv4(*func, args, e.span)
            }
            ExprKind::Call {
                func: func @ (ScalarFn::HasTerm | ScalarFn::HasTermCs),
                args,
            } => self.has_term_test(*func, args, e.span),
            ExprKind::Call {
                func: ScalarFn::MatchesRegex,
                args,
            } => self.computed_regex(args, e.span),
            ExprKind::Call {
                func:
                    func @ (ScalarFn::Contains
                    | ScalarFn::ContainsCs
                    | ScalarFn::StartsWith
                    | ScalarFn::StartsWithCs
                    | ScalarFn::EndsWith
                    | ScalarFn::EndsWithCs),
                args,
            } => self.substring_test(*func, args, e.span),
            _ => Some(Eval::bin("==", self.expr(e)?, Eval::str("true"))),
        }
    }
}

/// An expression that reads no field (a literal, `now()`, arithmetic on them): never null.
fn is_const(e: &Eval) -> bool {
    match e {
        Eval::Field(_) => false,
        Eval::Str(_) | Eval::Num(_) => true,
        Eval::Call(name, args) => *name != "null" && args.iter().all(is_const),
        Eval::Binary(_, l, r) => is_const(l) && is_const(r),
        Eval::Concat(v) | Eval::And(v) | Eval::Or(v) => v.iter().all(is_const),
        Eval::Neg(x) | Eval::Not(x) => is_const(x),
    }
}
