//! Boolean expressions → [`ir::Predicate`]: KQL's 40-odd string operators collapse into
//! [`ir::StrMatch`] with explicit kind, case sensitivity, quantifier and negation; `ago()`
//! comparisons become time windows; `not()` is pushed into the leaves whose negated form KQL
//! defines (string tests, emptiness). Owns predicate shape only.

use super::{unsupported, LResult, Lowerer};
use crate::codes::LowerCode;
use crate::ir::{self, Case, MatchKind, Quantifier};
use crate::kql::ast::{self, BinaryOp};
use crate::source::Span;
use std::collections::BTreeMap;

/// The explicit meaning of a KQL string operator: (kind, case, negated).
fn string_op(op: BinaryOp) -> Option<(MatchKind, Case, bool)> {
    use BinaryOp::*;
    use Case::{Insensitive as I, Sensitive as S};
    use MatchKind as M;
    Some(match op {
        Equal | EqualSingle => (M::Equals, S, false),
        NotEqual | LessGreater => (M::Equals, S, true),
        EqualTilde => (M::Equals, I, false),
        NotEqualTilde => (M::Equals, I, true),
        Has | HasAny | HasAll => (M::Term, I, false),
        NotHas => (M::Term, I, true),
        HasCs => (M::Term, S, false),
        NotHasCs => (M::Term, S, true),
        HasPrefix => (M::TermPrefix, I, false),
        NotHasPrefix => (M::TermPrefix, I, true),
        HasPrefixCs => (M::TermPrefix, S, false),
        NotHasPrefixCs => (M::TermPrefix, S, true),
        HasSuffix => (M::TermSuffix, I, false),
        NotHasSuffix => (M::TermSuffix, I, true),
        HasSuffixCs => (M::TermSuffix, S, false),
        NotHasSuffixCs => (M::TermSuffix, S, true),
        Contains => (M::Contains, I, false),
        NotContains | NotContainsLegacy => (M::Contains, I, true),
        ContainsCs | ContainsCsLegacy => (M::Contains, S, false),
        NotContainsCs | NotContainsCsLegacy => (M::Contains, S, true),
        StartsWith => (M::StartsWith, I, false),
        NotStartsWith => (M::StartsWith, I, true),
        StartsWithCs => (M::StartsWith, S, false),
        NotStartsWithCs => (M::StartsWith, S, true),
        EndsWith => (M::EndsWith, I, false),
        NotEndsWith => (M::EndsWith, I, true),
        EndsWithCs => (M::EndsWith, S, false),
        NotEndsWithCs => (M::EndsWith, S, true),
        MatchesRegex => (M::Regex, S, false),
        _ => return None,
    })
}

fn cmp_op(op: BinaryOp) -> Option<ir::CmpOp> {
    Some(match op {
        BinaryOp::Equal | BinaryOp::EqualSingle => ir::CmpOp::Eq,
        BinaryOp::NotEqual | BinaryOp::LessGreater => ir::CmpOp::Ne,
        BinaryOp::Lt => ir::CmpOp::Lt,
        BinaryOp::Le => ir::CmpOp::Le,
        BinaryOp::Gt => ir::CmpOp::Gt,
        BinaryOp::Ge => ir::CmpOp::Ge,
        _ => return None,
    })
}

/// Functions whose call is a predicate (each takes one argument): `not(p)` and the emptiness
/// and null tests. Lowered by [`Lowerer::predicate`] wherever they appear.
pub(crate) const PREDICATE_FUNCTIONS: &[&str] = &[
    "not",
    "isempty",
    "isnotempty",
    "notempty",
    "isnull",
    "isnotnull",
    "notnull",
];

/// The logical negation of a predicate, pushed into leaves that have a negated form.
pub(crate) fn negate(p: ir::Predicate) -> ir::Predicate {
    let span = p.span;
    let kind = match p.kind {
        ir::PredicateKind::StrMatch(mut m) => {
            m.negated = !m.negated;
            ir::PredicateKind::StrMatch(m)
        }
        ir::PredicateKind::IsEmpty { expr, negated } => ir::PredicateKind::IsEmpty {
            expr,
            negated: !negated,
        },
        ir::PredicateKind::IsNull { expr, negated } => ir::PredicateKind::IsNull {
            expr,
            negated: !negated,
        },
        ir::PredicateKind::Not(inner) => return *inner,
        ir::PredicateKind::Const(b) => ir::PredicateKind::Const(!b),
        other => ir::PredicateKind::Not(Box::new(ir::Predicate { kind: other, span })),
    };
    ir::Predicate { kind, span }
}

/// The most values a constant `range()` is read as a list of (`x in (range(1, 5))`).
const MAX_RANGE: u64 = 1_000;

impl<'a> Lowerer<'a> {
    pub(crate) fn predicate(&mut self, e: &'a ast::Expr) -> LResult<ir::Predicate> {
        self.nested(e.span, |cx| cx.predicate_here(e))
    }

    fn predicate_here(&mut self, e: &'a ast::Expr) -> LResult<ir::Predicate> {
        let span = e.span;
        let kind = match &e.kind {
            ast::ExprKind::Binary {
                op: op @ (BinaryOp::And | BinaryOp::Or),
                lhs,
                rhs,
            } => {
                // `false and x` is false and `true or x` true whatever `x` is, null included
                // (KQL's three-valued logic): a side that is that constant decides, even when
                // the other compares with null (`L035`), as a function's default
                // `datetime(null)` parameter does in a branch its caller switches off.
                let absorbing = *op == BinaryOp::Or;
                let notes = self.notes.len();
                let sides = [self.predicate(lhs), self.predicate(rhs)];
                let decided = sides
                    .iter()
                    .any(|p| matches!(p, Ok(p) if p.kind == ir::PredicateKind::Const(absorbing)));
                let null_test =
                    |p: &LResult<ir::Predicate>| matches!(p, Err(d) if d.code == LowerCode::L035);
                if decided && sides.iter().all(|p| p.is_ok() || null_test(p)) {
                    // Notes about the side that does not count are dropped with it.
                    self.notes.truncate(notes);
                    return Ok(ir::Predicate {
                        kind: ir::PredicateKind::Const(absorbing),
                        span,
                    });
                }
                let mut items = Vec::new();
                for p in sides {
                    let p = p?;
                    match (op, p.kind) {
                        (BinaryOp::And, ir::PredicateKind::And(inner))
                        | (BinaryOp::Or, ir::PredicateKind::Or(inner)) => items.extend(inner),
                        (_, kind) => items.push(ir::Predicate { kind, span: p.span }),
                    }
                }
                if *op == BinaryOp::And {
                    ir::PredicateKind::And(items)
                } else {
                    ir::PredicateKind::Or(items)
                }
            }
            ast::ExprKind::Binary { op, lhs, rhs } => return self.binary(*op, lhs, rhs, span),
            ast::ExprKind::Call { function, args }
                if PREDICATE_FUNCTIONS.contains(&function.name.as_str()) =>
            {
                let name = function.name.as_str();
                // Checked here, once: `expr()` hands these calls to `predicate()` whatever
                // their arguments, so a wrong count must end here, not fall back to `expr()`.
                let [a] = args.as_slice() else {
                    return Err(super::expr::arity(span, name, 1));
                };
                match name {
                    "not" => return Ok(negate(self.predicate(&a.value)?)),
                    "isempty" | "isnotempty" | "notempty" => ir::PredicateKind::IsEmpty {
                        expr: self.expr(&a.value)?,
                        negated: name != "isempty",
                    },
                    _ => ir::PredicateKind::IsNull {
                        expr: self.expr(&a.value)?,
                        negated: name != "isnull",
                    },
                }
            }
            // A string test in a predicate's place is the test itself, not a bool value.
            ast::ExprKind::Call { function, args }
                if matches!(function.name.as_str(), "has_ipv4" | "has_any_ipv4") =>
            {
                return self.has_any_ipv4(&function.name, span, args)
            }
            ast::ExprKind::Literal(ast::Literal::Bool(b)) => ir::PredicateKind::Const(*b),
            ast::ExprKind::Ident(n) => match self.scalar_let(&n.name) {
                Some(bound) => {
                    let name = n.name.clone();
                    return self.with_let(&name, e.span, |cx| cx.predicate(bound));
                }
                None => ir::PredicateKind::Bool(self.expr(e)?),
            },
            ast::ExprKind::In {
                expr,
                list,
                negated,
                case_insensitive,
            } => return self.in_list(expr, list, *negated, *case_insensitive, span),
            ast::ExprKind::Between {
                expr,
                low,
                high,
                negated,
            } => ir::PredicateKind::Between {
                expr: self.expr(expr)?,
                low: self.expr(low)?,
                high: self.expr(high)?,
                negated: *negated,
            },
            _ => ir::PredicateKind::Bool(self.expr(e)?),
        };
        Ok(ir::Predicate { kind, span })
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        lhs: &'a ast::Expr,
        rhs: &'a ast::Expr,
        span: Span,
    ) -> LResult<ir::Predicate> {
        if matches!(lhs.kind, ast::ExprKind::Star) {
            return Err(unsupported(
                LowerCode::L030,
                lhs.span,
                "testing every column (`*`) is not supported; name the column",
            ));
        }
        if matches!(
            op,
            BinaryOp::Like | BinaryOp::NotLike | BinaryOp::NotLikeBang
        ) {
            return Err(unsupported(
                LowerCode::L031,
                span,
                "`like` is not supported yet",
            ));
        }
        if op == BinaryOp::Colon {
            return Err(unsupported(
                LowerCode::L031,
                span,
                "the term-search operator `:` (`Col:\"value\"`) is not supported yet; write `Col has \"value\"`",
            ));
        }
        let pred = |kind| Ok(ir::Predicate { kind, span });
        // Equality with a string constant on either side is a string test; otherwise (numbers,
        // datetimes, two columns) it is a comparison.
        if let Some((kind, case, negated)) = string_op(op) {
            let is_equality = matches!(
                op,
                BinaryOp::Equal
                    | BinaryOp::EqualSingle
                    | BinaryOp::NotEqual
                    | BinaryOp::LessGreater
            );
            let (field, needle) = if is_equality && self.string_values(lhs)?.is_some() {
                (rhs, lhs)
            } else {
                (lhs, rhs)
            };
            // `has_any (D)` with `D` a datatable: its first column's strings.
            let table_values = match (&needle.kind, op) {
                (ast::ExprKind::List(items), BinaryOp::HasAny | BinaryOp::HasAll) => {
                    match items.as_slice() {
                        [item] => self.listed_datatable(item),
                        _ => None,
                    }
                }
                _ => None,
            };
            let table_values = match table_values {
                Some((table, at)) => {
                    let mut strings = Vec::new();
                    for l in self.datatable_first_column(table, at)? {
                        match l {
                            ir::Literal::String(s) => strings.push(s),
                            _ => {
                                return Err(unsupported(
                                    LowerCode::L032,
                                    needle.span,
                                    format!(
                                        "`{}` over a datatable of numbers is not supported",
                                        op.as_str()
                                    ),
                                ))
                            }
                        }
                    }
                    Some(strings)
                }
                None => None,
            };
            if table_values.is_none() && op == BinaryOp::HasAny && self.is_computed_list(needle) {
                let items = match &needle.kind {
                    ast::ExprKind::List(items) => items.as_slice(),
                    _ => std::slice::from_ref(needle),
                };
                if let Some(sub) = self.subquery(items)? {
                    return pred(ir::PredicateKind::InSubquery {
                        expr: self.expr(field)?,
                        sub: Box::new(sub),
                        case: Case::Insensitive,
                        negated,
                        matching: ir::SubqueryMatch::Term,
                    });
                }
            }
            // A `toscalar()` value is one value: read where a computed value is.
            let one_value = kind == MatchKind::Regex
                || is_equality
                || matches!(
                    op,
                    BinaryOp::Has | BinaryOp::NotHas | BinaryOp::HasCs | BinaryOp::NotHasCs
                );
            if table_values.is_none()
                && self.is_computed_list(needle)
                && !(one_value && self.is_toscalar_value(needle))
            {
                return Err(super::subquery::computed_list_refusal(
                    op.as_str(),
                    needle.span,
                ));
            }
            let values = match table_values {
                Some(v) => Some(v),
                None => self.string_values(needle)?,
            };
            let values = match values {
                Some(v) => Some(v),
                // `has_any (200, 302)`: KQL looks the numbers up as terms, in their decimal
                // string form.
                None if matches!(op, BinaryOp::HasAny | BinaryOp::HasAll) => {
                    self.integer_terms(needle)?
                }
                None => None,
            };
            match values {
                Some(values) => {
                    let many = matches!(op, BinaryOp::HasAny | BinaryOp::HasAll);
                    if !many && values.len() != 1 {
                        return Err(unsupported(
                            LowerCode::L032,
                            needle.span,
                            format!("`{}` takes one string value", op.as_str()),
                        ));
                    }
                    if kind == MatchKind::Regex {
                        for v in &values {
                            super::expr::check_regex(&ir::Expr {
                                kind: ir::ExprKind::Literal(ir::Literal::String(v.clone())),
                                span: needle.span,
                            })?;
                        }
                    }
                    if values.is_empty() {
                        // has_any () is false; has_all () is true (vacuously).
                        return pred(ir::PredicateKind::Const(op == BinaryOp::HasAll));
                    }
                    let quantifier = if op == BinaryOp::HasAll {
                        Quantifier::All
                    } else {
                        Quantifier::Any
                    };
                    return pred(ir::PredicateKind::StrMatch(ir::StrMatch {
                        field: self.expr(field)?,
                        kind,
                        case,
                        values,
                        quantifier,
                        negated,
                    }));
                }
                None if matches!(op, BinaryOp::EqualTilde | BinaryOp::NotEqualTilde) => {
                    // `a =~ b` between two columns: equality of the lower-cased values.
                    let lower = |cx: &mut Self, e: &'a ast::Expr| -> LResult<ir::Expr> {
                        Ok(ir::Expr {
                            span: e.span,
                            kind: ir::ExprKind::Call {
                                func: ir::ScalarFn::ToLower,
                                args: vec![cx.expr(e)?],
                            },
                        })
                    };
                    let cmp = if op == BinaryOp::EqualTilde {
                        ir::CmpOp::Eq
                    } else {
                        ir::CmpOp::Ne
                    };
                    return pred(ir::PredicateKind::Compare {
                        lhs: lower(self, field)?,
                        op: cmp,
                        rhs: lower(self, needle)?,
                        operands: ir::Operands::Unknown,
                    });
                }
                None if matches!(
                    op,
                    BinaryOp::Has | BinaryOp::NotHas | BinaryOp::HasCs | BinaryOp::NotHasCs
                ) =>
                {
                    // KQL documents `has`'s right side as any scalar expression, its left side
                    // as a string; a constant list on the left is read in some undocumented way.
                    if self.is_constant_list(field) {
                        return Err(Box::new(
                            crate::diag::Diagnostic::error(
                                LowerCode::L033,
                                format!(
                                    "`{}` on a constant list: KQL documents the left side of \
                                     `has` as a string, and how it reads a dynamic array (as \
                                     its JSON text, or element by element) is not documented",
                                    op.as_str()
                                ),
                                field.span,
                            )
                            .with_label("not a string"),
                        ));
                    }
                    let func = match case {
                        Case::Sensitive => ir::ScalarFn::HasTermCs,
                        Case::Insensitive => ir::ScalarFn::HasTerm,
                    };
                    self.note(
                        needle.span,
                        if negated {
                            crate::backend::Effect::UnderMatch
                        } else {
                            crate::backend::Effect::OverMatch
                        },
                        format!(
                            "`{}` with a right side computed at query time: KQL does not document \
                             an empty term; when this value is empty it is taken to match every \
                             text (there is no term edge to check)",
                            op.as_str()
                        ),
                    );
                    let test = self.text_test_call(func, field, needle, span)?;
                    return Ok(if negated { negate(test) } else { test });
                }
                // A pattern another query computes once (`toscalar()`): Kusto takes only a
                // constant regex ("failed to cast argument 2 to scalar constant" for a column),
                // which a `toscalar()` value is.
                None if kind == MatchKind::Regex && self.is_toscalar_value(needle) => {
                    let test =
                        self.text_test_call(ir::ScalarFn::MatchesRegex, field, needle, span)?;
                    return pred(test.kind);
                }
                None if matches!(
                    kind,
                    MatchKind::Contains | MatchKind::StartsWith | MatchKind::EndsWith
                ) && !self.is_constant_list(field) =>
                {
                    // KQL documents both sides of contains/startswith/endswith as strings (a
                    // missing one is `""`); the right side may be any scalar expression.
                    let func = match (kind, case) {
                        (MatchKind::Contains, Case::Insensitive) => ir::ScalarFn::Contains,
                        (MatchKind::Contains, Case::Sensitive) => ir::ScalarFn::ContainsCs,
                        (MatchKind::StartsWith, Case::Insensitive) => ir::ScalarFn::StartsWith,
                        (MatchKind::StartsWith, Case::Sensitive) => ir::ScalarFn::StartsWithCs,
                        (_, Case::Insensitive) => ir::ScalarFn::EndsWith,
                        (_, Case::Sensitive) => ir::ScalarFn::EndsWithCs,
                    };
                    let test = self.text_test_call(func, field, needle, span)?;
                    return Ok(if negated { negate(test) } else { test });
                }
                None if !is_equality => {
                    return Err(Box::new(
                        crate::diag::Diagnostic::error(
                            LowerCode::L033,
                            format!(
                                "the right side of `{}` must be a constant string (a right side \
                                 computed at query time is supported for has, contains, \
                                 startswith, endswith, their _cs forms and negations)",
                                op.as_str()
                            ),
                            needle.span,
                        )
                        .with_label("not a constant string"),
                    ))
                }
                None => {}
            }
        }
        let Some(cmp) = cmp_op(op) else {
            return Err(unsupported(
                LowerCode::L034,
                span,
                format!("`{}` is not a boolean test", op.as_str()),
            ));
        };
        let l = self.expr(lhs)?;
        let r = self.expr(rhs)?;
        if matches!(r.kind, ir::ExprKind::Literal(ir::Literal::Null))
            || matches!(l.kind, ir::ExprKind::Literal(ir::Literal::Null))
        {
            return Err(unsupported(
                LowerCode::L035,
                span,
                "comparing with null is always false in KQL; use isnull()/isempty()",
            ));
        }
        // `field > ago(7d)` (either way round) is a look-back window.
        match (&l.kind, &r.kind) {
            (ir::ExprKind::Field(_), ir::ExprKind::Ago(d))
                if cmp != ir::CmpOp::Eq && cmp != ir::CmpOp::Ne =>
            {
                let ago = *d;
                return pred(ir::PredicateKind::TimeWindow {
                    field: l,
                    op: cmp,
                    ago,
                });
            }
            (ir::ExprKind::Ago(d), ir::ExprKind::Field(_))
                if cmp != ir::CmpOp::Eq && cmp != ir::CmpOp::Ne =>
            {
                let ago = *d;
                return pred(ir::PredicateKind::TimeWindow {
                    field: r,
                    op: cmp.flipped(),
                    ago,
                });
            }
            _ => {}
        }
        pred(ir::PredicateKind::Compare {
            lhs: l,
            op: cmp,
            rhs: r,
            operands: ir::Operands::Unknown,
        })
    }

    fn in_list(
        &mut self,
        expr: &'a ast::Expr,
        list: &'a [ast::Expr],
        negated: bool,
        case_insensitive: bool,
        span: Span,
    ) -> LResult<ir::Predicate> {
        let datatable = match list {
            [item] => self.listed_datatable(item),
            _ => None,
        };
        if datatable.is_none() {
            if let Some(sub) = self.subquery(list)? {
                return Ok(ir::Predicate {
                    kind: ir::PredicateKind::InSubquery {
                        expr: self.expr(expr)?,
                        sub: Box::new(sub),
                        case: if case_insensitive {
                            Case::Insensitive
                        } else {
                            Case::Sensitive
                        },
                        negated,
                        matching: ir::SubqueryMatch::Equal,
                    },
                    span,
                });
            }
        }
        let mut literals = Vec::new();
        if let Some((table, at)) = datatable {
            literals = self.datatable_first_column(table, at)?;
        } else {
            for item in list {
                self.collect_literals(item, &mut literals)?;
            }
        }
        let pred = |kind| Ok(ir::Predicate { kind, span });
        if literals.is_empty() {
            return pred(ir::PredicateKind::Const(negated));
        }
        let all_strings = literals.iter().all(|l| matches!(l, ir::Literal::String(_)));
        if all_strings {
            let values = literals
                .into_iter()
                .filter_map(|l| match l {
                    ir::Literal::String(s) => Some(s),
                    _ => None,
                })
                .collect();
            return pred(ir::PredicateKind::StrMatch(ir::StrMatch {
                field: self.expr(expr)?,
                kind: MatchKind::Equals,
                case: if case_insensitive {
                    Case::Insensitive
                } else {
                    Case::Sensitive
                },
                values,
                quantifier: Quantifier::Any,
                negated,
            }));
        }
        if literals.iter().any(|l| matches!(l, ir::Literal::String(_))) {
            return Err(unsupported(
                LowerCode::L036,
                span,
                "an `in` list mixing strings and other values is not supported",
            ));
        }
        pred(ir::PredicateKind::InSet {
            expr: self.expr(expr)?,
            values: literals,
            negated,
        })
    }

    /// Flattens an `in` list item into constants: a literal, a scalar `let`, `dynamic([...])`,
    /// or a `let` bound to a dynamic array. Subqueries and columns are declined.
    pub(crate) fn collect_literals(
        &mut self,
        item: &'a ast::Expr,
        out: &mut Vec<ir::Literal>,
    ) -> LResult<()> {
        match &item.kind {
            ast::ExprKind::Dynamic(d) => self.collect_dynamic(d, item.span, out),
            ast::ExprKind::List(items) => {
                for i in items {
                    self.collect_literals(i, out)?;
                }
                Ok(())
            }
            ast::ExprKind::Call { function, args }
                if matches!(function.name.as_str(), "pack_array" | "dynamic") =>
            {
                for a in args {
                    self.collect_literals(&a.value, out)?;
                }
                Ok(())
            }
            ast::ExprKind::Ident(n) => {
                if let Some(bound) = self.scalar_let(&n.name) {
                    let name = n.name.clone();
                    return self.with_let(&name, n.span, |cx| {
                        cx.nested(n.span, |cx| cx.collect_literals(bound, out))
                    });
                }
                if matches!(
                    self.let_here(&n.name),
                    Some(super::Binding::Tabular(_) | super::Binding::ToScalar(..))
                ) {
                    return Err(unsupported(
                        LowerCode::L037,
                        item.span,
                        format!(
                            "`{}` is a list computed by a query: it is translated as the only item \
                             of an `in`/`!in` list, not mixed with other values or as a constant",
                            n.name
                        ),
                    ));
                }
                Err(unsupported(
                    LowerCode::L037,
                    item.span,
                    format!(
                        "the list must hold constants; `{}` is a column or a name this query does \
                         not define (a rule parameter?), which is not supported",
                        n.name
                    ),
                ))
            }
            ast::ExprKind::Pipeline(_) => Err(unsupported(
                LowerCode::L037,
                item.span,
                "a subquery is translated as the only item of an `in`/`!in` list, not mixed \
                 with other values",
            )),
            _ => match self.literal_value(item)? {
                Some(l) => {
                    out.push(l);
                    Ok(())
                }
                None if matches!(item.kind, ast::ExprKind::Call { .. }) => {
                    if let Some(series) = self.const_range(item)? {
                        out.extend(series);
                        return Ok(());
                    }
                    match self.const_string(item)? {
                        Some(s) => {
                            out.push(ir::Literal::String(s));
                            Ok(())
                        }
                        None => Err(unsupported(
                            LowerCode::L037,
                            item.span,
                            "the list must hold constants",
                        )),
                    }
                }
                None => Err(unsupported(
                    LowerCode::L037,
                    item.span,
                    "the list must hold constants",
                )),
            },
        }
    }

    fn collect_dynamic(
        &mut self,
        d: &'a ast::DynValue,
        span: Span,
        out: &mut Vec<ir::Literal>,
    ) -> LResult<()> {
        match d {
            ast::DynValue::Array(items) => {
                for i in items {
                    self.collect_dynamic(i, span, out)?;
                }
                Ok(())
            }
            ast::DynValue::Scalar(e) => self.collect_literals(e, out),
            ast::DynValue::Object(_) => Err(unsupported(
                LowerCode::L037,
                span,
                "a dynamic object is not a list of values",
            )),
        }
    }

    /// The constants of a `has_any`/`has_all` list made of strings and integers, integers in
    /// their decimal form; `None` when the list holds anything else.
    fn integer_terms(&mut self, e: &'a ast::Expr) -> LResult<Option<Vec<String>>> {
        let constant = match &e.kind {
            ast::ExprKind::List(_) | ast::ExprKind::Dynamic(_) => true,
            ast::ExprKind::Ident(n) => self.scalar_let(&n.name).is_some(),
            _ => false,
        };
        let mut lits = Vec::new();
        if !constant || self.collect_literals(e, &mut lits).is_err() {
            return Ok(None);
        }
        Ok(lits
            .into_iter()
            .map(|l| match l {
                ir::Literal::String(s) => Some(s),
                ir::Literal::Long(n) => Some(n.to_string()),
                _ => None,
            })
            .collect())
    }

    /// The string constants an operand stands for (`"x"`, a `let` string, a list or dynamic
    /// array of strings); `None` when it is not made of string constants.
    /// A list or `dynamic([…])` literal, directly or through scalar `let`s.
    /// `func(field, needle)` as a test: a string test whose right side is computed at query
    /// time (`contains` and kin, `matches regex` of a `toscalar()` value), a boolean call.
    fn text_test_call(
        &mut self,
        func: ir::ScalarFn,
        field: &'a ast::Expr,
        needle: &'a ast::Expr,
        span: Span,
    ) -> LResult<ir::Predicate> {
        Ok(ir::Predicate {
            kind: ir::PredicateKind::Bool(ir::Expr {
                kind: ir::ExprKind::Call {
                    func,
                    args: vec![self.expr(field)?, self.expr(needle)?],
                },
                span,
            }),
            span,
        })
    }

    fn is_constant_list(&self, e: &'a ast::Expr) -> bool {
        match &e.kind {
            ast::ExprKind::List(_) | ast::ExprKind::Dynamic(_) => true,
            ast::ExprKind::Ident(n) => match self.scalar_let(&n.name) {
                Some(bound) => self.is_constant_list(bound),
                None => false,
            },
            _ => false,
        }
    }

    /// A string computed from constants only: a string literal, a scalar `let` bound to one,
    /// `strcat()` of such strings, `toupper()`/`tolower()` of ASCII ones, `strcat_array()` of a constant list of strings with a
    /// constant delimiter (the regex built as `strcat("(", strcat_array(dynamic([…]), "|"),
    /// ")")`). KQL computes these once, to this text; `None` for anything else (numbers are
    /// left alone: their text form is KQL's `tostring`, not folded here).
    pub(crate) fn const_string(&mut self, e: &'a ast::Expr) -> LResult<Option<String>> {
        self.const_string_over(e, None)
    }

    /// [`Lowerer::const_string`], where a name is first a column of `row` (one constant row of
    /// a datatable, `datatable.rs`) when one is given: a string column is its value, another
    /// column no string.
    pub(crate) fn const_string_over(
        &mut self,
        e: &'a ast::Expr,
        row: Option<&BTreeMap<String, ir::Literal>>,
    ) -> LResult<Option<String>> {
        match &e.kind {
            ast::ExprKind::Literal(ast::Literal::String(s)) => Ok(Some(s.clone())),
            ast::ExprKind::Ident(n) if row.is_some_and(|r| r.contains_key(&n.name)) => {
                Ok(match row.and_then(|r| r.get(&n.name)) {
                    Some(ir::Literal::String(s)) => Some(s.clone()),
                    _ => None,
                })
            }
            ast::ExprKind::Ident(n) => match self.scalar_let(&n.name) {
                Some(bound) => {
                    let name = n.name.clone();
                    self.with_let(&name, n.span, |cx| {
                        cx.nested(n.span, |cx| cx.const_string(bound))
                    })
                }
                None => Ok(None),
            },
            ast::ExprKind::Call { function, args }
                if function.name == "strcat" && !args.is_empty() && args.len() <= 64 =>
            {
                let mut out = String::new();
                for a in args {
                    if a.name.is_some() {
                        return Ok(None);
                    }
                    match self.const_string_over(&a.value, row)? {
                        Some(s) => out.push_str(&s),
                        None => return Ok(None),
                    }
                }
                Ok(Some(out))
            }
            // ASCII text only: what Kusto does to other letters (ß, the Turkish i) is not
            // spelled out on its toupper()/tolower() pages.
            ast::ExprKind::Call { function, args }
                if matches!(function.name.as_str(), "toupper" | "tolower")
                    && args.len() == 1
                    && args[0].name.is_none() =>
            {
                Ok(self
                    .const_string_over(&args[0].value, row)?
                    .filter(|s| s.is_ascii())
                    .map(|s| {
                        if function.name == "toupper" {
                            s.to_ascii_uppercase()
                        } else {
                            s.to_ascii_lowercase()
                        }
                    }))
            }
            ast::ExprKind::Call { function, args }
                if matches!(function.name.as_str(), "strcat_array" | "array_strcat")
                    && args.len() == 2
                    && args.iter().all(|a| a.name.is_none()) =>
            {
                let Some(delim) = self.const_string_over(&args[1].value, row)? else {
                    return Ok(None);
                };
                Ok(self
                    .const_string_list(&args[0].value)?
                    .map(|parts| parts.join(&delim)))
            }
            _ => Ok(None),
        }
    }

    /// `range(start, stop[, step])` of integer constants: the series KQL builds, `stop`
    /// included when the steps reach it (Kusto's range() page: `range(1, 3)` is `[1,2,3]`,
    /// `range(1, 8, 3)` is `[1,4,7]`). `None` for anything else, and for a series over
    /// [`MAX_RANGE`] values, which would not be a readable list.
    fn const_range(&mut self, e: &'a ast::Expr) -> LResult<Option<Vec<ir::Literal>>> {
        let ast::ExprKind::Call { function, args } = &e.kind else {
            return Ok(None);
        };
        if function.name != "range"
            || !(2..=3).contains(&args.len())
            || args.iter().any(|a| a.name.is_some())
        {
            return Ok(None);
        }
        let mut v = [0i64, 0, 1];
        for (i, a) in args.iter().enumerate() {
            match self.literal_value(&a.value)? {
                Some(ir::Literal::Long(n)) => v[i] = n,
                _ => return Ok(None),
            }
        }
        let [start, stop, step] = v;
        // Kusto's range() page documents a rising series only ("the last value in the series
        // is less than or equal to the stop value"); a step of 0 or below, or a start above
        // stop, is left alone.
        if step <= 0 || start > stop {
            return Ok(None);
        }
        let count = (stop.abs_diff(start) / step.unsigned_abs()).saturating_add(1);
        if count > MAX_RANGE {
            return Ok(None);
        }
        Ok(Some(
            (0..count as i64)
                .map(|k| ir::Literal::Long(start + k * step))
                .collect(),
        ))
    }

    /// A constant list of strings, element by element (`dynamic(["a", "b"])`, `pack_array("a",
    /// "b")`, a scalar `let` bound to one); `None` when an element is anything else (a nested
    /// array, which `strcat_array` would write as JSON text, a number, a column).
    fn const_string_list(&mut self, e: &'a ast::Expr) -> LResult<Option<Vec<String>>> {
        let mut out = Vec::new();
        match &e.kind {
            ast::ExprKind::Dynamic(ast::DynValue::Array(items)) => {
                for i in items {
                    let ast::DynValue::Scalar(x) = i else {
                        return Ok(None);
                    };
                    match self.const_string(x)? {
                        Some(s) => out.push(s),
                        None => return Ok(None),
                    }
                }
            }
            ast::ExprKind::Call { function, args } if function.name == "pack_array" => {
                for a in args {
                    match self.const_string(&a.value)? {
                        Some(s) if a.name.is_none() => out.push(s),
                        _ => return Ok(None),
                    }
                }
            }
            ast::ExprKind::Ident(n) => match self.scalar_let(&n.name) {
                Some(bound) => {
                    let name = n.name.clone();
                    return self.with_let(&name, n.span, |cx| {
                        cx.nested(n.span, |cx| cx.const_string_list(bound))
                    });
                }
                None => return Ok(None),
            },
            _ => return Ok(None),
        }
        Ok(Some(out))
    }

    fn string_values(&mut self, e: &'a ast::Expr) -> LResult<Option<Vec<String>>> {
        let mut lits = Vec::new();
        let constant = match &e.kind {
            ast::ExprKind::Literal(ast::Literal::String(s)) => return Ok(Some(vec![s.clone()])),
            ast::ExprKind::List(_) | ast::ExprKind::Dynamic(_) => {
                self.collect_literals(e, &mut lits).map(|_| true)
            }
            ast::ExprKind::Ident(n) if self.scalar_let(&n.name).is_some() => {
                if let Some(s) = self.const_string(e)? {
                    return Ok(Some(vec![s]));
                }
                self.collect_literals(e, &mut lits).map(|_| true)
            }
            ast::ExprKind::Call { .. } => return Ok(self.const_string(e)?.map(|s| vec![s])),
            _ => Ok(false),
        };
        match constant {
            Ok(true) => Ok(lits
                .into_iter()
                .map(|l| match l {
                    ir::Literal::String(s) => Some(s),
                    _ => None,
                })
                .collect()),
            Ok(false) => Ok(None),
            Err(d) => Err(d),
        }
    }
}
