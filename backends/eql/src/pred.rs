//! Predicates: IR → EQL conditions, with KQL's missing-value rules made explicit.
//!
//! Owns the null/empty guards, the choice of EQL operator per string test, and the declines
//! for what EQL cannot say; the values tested are built in `value`. Never prints text (that is
//! `ast`) and never looks at tabular stages (that is `query`).
//!
//! Method: negations are pushed down to the leaves (De Morgan), so every `not` the output holds
//! sits directly on one test, and each leaf is rendered with an explicit guard for a missing
//! field. KQL's value of a leaf on a missing field is computed at translation time (a missing
//! string is `""`, a missing number is null); the guard then makes the EQL leaf true or false
//! on a missing field exactly when KQL's is. This is correct both where EQL runs as Query DSL
//! (two-valued: `must_not` keeps documents without the field) and where it evaluates
//! three-valued (null propagation), because no `not` is ever applied to a possibly-null value
//! without a guard.

use crate::ast::{Call, Cond, FieldRef, PatternOp, Value};
use crate::value::fields_in;
use indexmap::IndexMap;
use kqlport::backend::{Effect, Notes};
use kqlport::codes::EqlCode;
use kqlport::diag::Diagnostic;
use kqlport::ir::{
    self, ArithOp, Case, CmpOp, Expr, ExprKind, Literal, MatchKind, Predicate, PredicateKind,
    Quantifier, ScalarFn, StrMatch,
};
use kqlport::source::Span;
use kqlport_kit::regex::lucene;

/// Column names introduced by `extend`/`project`/`project-rename`, with what they stand for
/// (already resolved against earlier bindings) and where they were defined.
pub type Env = IndexMap<String, (Expr, Span)>;

pub struct Lowerer<'a> {
    pub env: &'a Env,
    pub notes: &'a mut Notes,
    pub diags: &'a mut Vec<Diagnostic>,
}

/// The KQL value of a test on an event where its field is missing: a missing string is `""`,
/// so string tests are true or false; numeric comparisons with null are null (`==` false,
/// `!=` true).
type Missing = Option<bool>;

impl Lowerer<'_> {
    /// Translates `p` (negated when `neg`); `None` means a diagnostic was pushed.
    pub fn pred(&mut self, p: &Predicate, neg: bool) -> Option<Cond> {
        match &p.kind {
            PredicateKind::And(xs) | PredicateKind::Or(xs) => {
                let is_and = matches!(p.kind, PredicateKind::And(_));
                let mut out = Vec::with_capacity(xs.len());
                let mut ok = true;
                for x in xs {
                    match self.pred(x, neg) {
                        Some(c) => out.push(c),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                // not (a and b) = not a or not b.
                Some(if is_and != neg {
                    Cond::all(out)
                } else {
                    Cond::any(out)
                })
            }
            PredicateKind::Not(x) => self.pred(x, !neg),
            PredicateKind::Const(b) => Some(Cond::Bool(*b != neg)),
            PredicateKind::InSubquery { .. } => {
                self.diags
                    .push(crate::REFUSAL.subquery(p.span, crate::query::SUBQUERY_HELP));
                None
            }
            PredicateKind::StrMatch(m) => self.str_match(m, p.span, neg),
            PredicateKind::Compare { lhs, op, rhs, .. } => self.compare(lhs, *op, rhs, p.span, neg),
            PredicateKind::InSet {
                expr,
                values,
                negated,
            } => self.in_set(expr, values, *negated != neg, p.span),
            PredicateKind::Between {
                expr,
                low,
                high,
                negated,
            } => {
                let field = self.field_of(expr, p.span)?;
                let lhs = self.value(expr)?;
                let low = self.value(low)?;
                let high = self.value(high)?;
                let core = Cond::And(vec![
                    Cond::cmp(lhs.clone(), CmpOp::Ge, low),
                    Cond::cmp(lhs, CmpOp::Le, high),
                ]);
                // KQL's `between` on null is null, not false: `between`, `!between` and
                // `not(between)` all drop events without the field (checked in duckdb-kql).
                Some(guard(&field, core, None, *negated != neg))
            }
            PredicateKind::IsEmpty { expr, negated } => {
                let field = self.field_of(expr, p.span)?;
                if matches!(&expr.kind, ExprKind::Field(f) if !f.path.is_empty()) {
                    // A dynamic member may hold an object or array: KQL tests it as a value,
                    // while EQL (and Elasticsearch) only have its scalar leaves.
                    let empty = *negated == neg;
                    self.notes.push(
                        p.span,
                        if empty { Effect::OverMatch } else { Effect::UnderMatch },
                        "if this dynamic member holds an object or an array, EQL sees no value (only scalar leaves are fields), so it counts as empty",
                    );
                }
                let core = Cond::Or(vec![
                    Cond::is_null(&field),
                    Cond::cmp(
                        Value::Field(field.clone()),
                        CmpOp::Eq,
                        Value::Str(String::new()),
                    ),
                ]);
                Some(if *negated != neg { core.negate() } else { core })
            }
            PredicateKind::IsNull { expr, negated } => {
                let field = self.field_of(expr, p.span)?;
                let core = Cond::is_null(&field);
                Some(if *negated != neg { core.negate() } else { core })
            }
            PredicateKind::TimeWindow { .. } => {
                self.diags.push(
                    Diagnostic::error(
                        EqlCode::B063,
                        "a time window inside `or`/`not` cannot be written in EQL",
                        p.span,
                    )
                    .with_label("time window nested in a condition")
                    .with_help(
                        "EQL has no `now()`/`ago()`; only a time window that applies to the \
                         whole query (a top-level `and`) can move to the search API's range \
                         filter",
                    ),
                );
                None
            }
            PredicateKind::Bool(e) => self.bool_expr(e, p.span, neg),
        }
    }

    fn bool_expr(&mut self, e: &Expr, span: Span, neg: bool) -> Option<Cond> {
        let e = self.resolve(e)?;
        match &e.kind {
            ExprKind::Literal(Literal::Bool(b)) => Some(Cond::Bool(*b != neg)),
            ExprKind::Predicate(p) => self.pred(p, neg),
            ExprKind::Field(_) => {
                let field = self.field_of(&e, span)?;
                // A null bool is null in KQL (falsy either way round): compare with the literal.
                Some(Cond::cmp(Value::Field(field), CmpOp::Eq, Value::Bool(!neg)))
            }
            ExprKind::Call { func, args } => {
                let (field, cidrs) = match (func, args.as_slice()) {
                    (ScalarFn::Ipv4IsPrivate, [ip]) => (
                        self.field_of(ip, span)?,
                        vec!["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
                            .into_iter()
                            .map(String::from)
                            .collect::<Vec<_>>(),
                    ),
                    (ScalarFn::Ipv4IsInRange, [ip, range]) => match &range.kind {
                        ExprKind::Literal(Literal::String(r)) => {
                            (self.field_of(ip, span)?, vec![r.clone()])
                        }
                        _ => return self.unsupported(range.span, "a non-literal CIDR range"),
                    },
                    _ => return self.unsupported(e.span, "this function as a condition"),
                };
                let mut call_args = vec![Value::Field(field.clone())];
                call_args.extend(cidrs.into_iter().map(Value::Str));
                let core = Cond::Call(Call {
                    name: "cidrMatch",
                    insensitive: false,
                    args: call_args,
                });
                // An empty/invalid address gives null in KQL: falsy, negated or not.
                Some(guard(&field, core, None, neg))
            }
            _ => self.unsupported(e.span, "this expression as a condition"),
        }
    }

    // -----------------------------------------------------------------------------------------
    // String tests
    // -----------------------------------------------------------------------------------------

    fn str_match(&mut self, m: &StrMatch, span: Span, neg: bool) -> Option<Cond> {
        let field = self.field_of(&m.field, span)?;
        if m.folds_non_ascii() {
            let effect = if neg != m.negated {
                Effect::UnderMatch
            } else {
                Effect::OverMatch
            };
            self.notes.push(
                span,
                effect,
                kqlport_kit::notes::non_ascii_case("EQL's case-insensitive operators fold Unicode, so differently-cased non-ASCII values also compare equal"),
            );
        }
        let ci = m.case == Case::Insensitive;
        let mut singles: Vec<(Cond, bool)> = Vec::with_capacity(m.values.len());
        let mut ok = true;
        for v in &m.values {
            match self.one_value(&field, m.kind, ci, v, span) {
                Some(x) => singles.push(x),
                None => ok = false,
            }
        }
        if !ok || singles.is_empty() {
            if singles.is_empty() && ok {
                self.diags.push(Diagnostic::error(
                    EqlCode::B065,
                    "a string test without values",
                    span,
                ));
            }
            return None;
        }
        let empty_matches: Vec<bool> = singles.iter().map(|(_, e)| *e).collect();
        let (core, missing) = match m.quantifier {
            Quantifier::Any => (
                merge_any(singles.into_iter().map(|(c, _)| c).collect()),
                empty_matches.iter().any(|e| *e),
            ),
            Quantifier::All => (
                Cond::all(
                    singles
                        .into_iter()
                        .map(|(c, _)| single_in_to_eq(c))
                        .collect(),
                ),
                empty_matches.iter().all(|e| *e),
            ),
        };
        Some(guard(&field, core, Some(missing), m.negated != neg))
    }

    /// One value of a string test: its EQL condition (for a present field) and whether KQL's
    /// test is true for the empty string (which is what a missing field holds in KQL).
    fn one_value(
        &mut self,
        field: &FieldRef,
        kind: MatchKind,
        ci: bool,
        v: &str,
        span: Span,
    ) -> Option<(Cond, bool)> {
        let lhs = Value::Field(field.clone());
        // `:` and `like` read `*` and `?` as wildcards and have no escape for them, so a value
        // holding one goes through `in`/`==` or a function instead.
        let wild_safe = !v.contains(['*', '?']);
        let pattern = |op: PatternOp, p: String| Cond::Pattern {
            lhs: lhs.clone(),
            op,
            patterns: vec![p],
        };
        let func = |name: &'static str| {
            Cond::Call(Call {
                name,
                insensitive: ci,
                args: vec![lhs.clone(), Value::Str(v.to_string())],
            })
        };
        let empty = v.is_empty();
        let out = match kind {
            MatchKind::Equals => {
                let c = match (ci, wild_safe) {
                    (true, true) => pattern(PatternOp::Colon, v.to_string()),
                    (true, false) => Cond::In {
                        lhs: lhs.clone(),
                        negated: false,
                        insensitive: true,
                        values: vec![Value::Str(v.to_string())],
                    },
                    (false, _) => Cond::In {
                        lhs: lhs.clone(),
                        negated: false,
                        insensitive: false,
                        values: vec![Value::Str(v.to_string())],
                    },
                };
                (c, empty)
            }
            MatchKind::Contains | MatchKind::StartsWith | MatchKind::EndsWith => {
                let (glob, name) = match kind {
                    MatchKind::Contains => (format!("*{v}*"), "stringContains"),
                    MatchKind::StartsWith => (format!("{v}*"), "startsWith"),
                    _ => (format!("*{v}"), "endsWith"),
                };
                let c = match (wild_safe, ci) {
                    (true, true) => pattern(PatternOp::Colon, glob),
                    (true, false) => pattern(PatternOp::Like, glob),
                    (false, _) => func(name),
                };
                (c, empty)
            }
            MatchKind::Term | MatchKind::TermPrefix | MatchKind::TermSuffix => {
                if empty {
                    self.diags.push(
                        Diagnostic::error(EqlCode::B069, "a term test with an empty value", span)
                            .with_label("`has \"\"`")
                            .with_help("KQL's meaning of an empty term is not pinned down; write `isempty()` or remove the test"),
                    );
                    return None;
                }
                // A value whose own punctuation bounds it on both sides needs no boundary test
                // (`MatchKind::term_edges`): it is a substring test, which the keyword-friendly
                // wildcard forms express exactly (a wildcard query instead of a regexp query).
                let unbounded = kind.term_edges(v)
                    == (ir::TermEdges {
                        before: false,
                        after: false,
                    });
                let op = match (unbounded && wild_safe, ci) {
                    (true, true) => PatternOp::Colon,
                    (true, false) => PatternOp::Like,
                    (false, true) => PatternOp::RegexCi,
                    (false, false) => PatternOp::Regex,
                };
                let p = if unbounded && wild_safe {
                    format!("*{v}*")
                } else {
                    lucene::term_pattern(kind, v)
                };
                (pattern(op, p), false)
            }
            MatchKind::Regex => {
                let rewritten = match lucene::rewrite_re2(v, ci) {
                    Ok(r) => r,
                    Err(why) => {
                        self.diags.push(
                            Diagnostic::error(
                                EqlCode::B066,
                                "this regular expression cannot be rewritten exactly for EQL's Lucene regex",
                                span,
                            )
                            .with_label(why.message)
                            .with_help("EQL `regex` is Lucene syntax matched against the whole value: no anchors inside the pattern, no word boundaries, no Unicode classes"),
                        );
                        return None;
                    }
                };
                let Ok(re) = regex::Regex::new(v) else {
                    self.diags.push(Diagnostic::error(
                        EqlCode::B066,
                        "this regular expression is not valid RE2",
                        span,
                    ));
                    return None;
                };
                let empty_match = re.is_match("");
                (pattern(PatternOp::Regex, rewritten.lucene), empty_match)
            }
        };
        Some(out)
    }

    // -----------------------------------------------------------------------------------------
    // Comparisons
    // -----------------------------------------------------------------------------------------

    fn compare(
        &mut self,
        lhs: &Expr,
        op: CmpOp,
        rhs: &Expr,
        span: Span,
        neg: bool,
    ) -> Option<Cond> {
        let lhs = self.resolve(lhs)?;
        let rhs = self.resolve(rhs)?;
        let (lf, rf) = (fields_in(&lhs), fields_in(&rhs));
        if !lf.is_empty() && !rf.is_empty() {
            self.diags.push(
                Diagnostic::error(EqlCode::B064, "EQL cannot compare one field with another", span)
                    .with_label("field-to-field comparison")
                    .with_help("EQL only compares fields with literals; a join key belongs in a `sequence … by` (not produced by this backend)"),
            );
            return None;
        }
        let (lhs, op, rhs) = if lf.is_empty() {
            (rhs, op.flipped(), lhs)
        } else {
            (lhs, op, rhs)
        };
        if lf.is_empty() && rf.is_empty() {
            return self.unsupported(span, "a comparison without a field");
        }
        let field = self.field_of_single(&lhs, span)?;
        let missing = missing_compare(&lhs, op, &rhs);
        let l = self.value(&lhs)?;
        let r = self.value(&rhs)?;
        Some(guard(&field, Cond::cmp(l, op, r), missing, neg))
    }

    fn in_set(&mut self, expr: &Expr, values: &[Literal], neg: bool, span: Span) -> Option<Cond> {
        let field = self.field_of(expr, span)?;
        let mut out = Vec::with_capacity(values.len());
        for v in values {
            out.push(self.literal(v, span)?);
        }
        let core = Cond::In {
            lhs: Value::Field(field.clone()),
            negated: false,
            insensitive: false,
            values: out,
        };
        // `null in (…)` is false in KQL; `!in` keeps events without the field.
        Some(guard(&field, core, Some(false), neg))
    }
}

/// Renders a leaf test whose KQL value on a missing field is `missing`: `core` describes the
/// test for a present field; `neg` asks for its negation.
fn guard(field: &FieldRef, core: Cond, missing: Missing, neg: bool) -> Cond {
    let want = missing.map(|m| m != neg);
    let c = if neg { core.negate() } else { core };
    match want {
        Some(true) => Cond::Or(vec![Cond::is_null(field), c]),
        // A negated test must be false on a missing field even where `not` keeps documents
        // without the field.
        _ if neg => Cond::And(vec![Cond::not_null(field), c]),
        _ => c,
    }
}

/// OR of single-value tests, merging those with the same operator into one list form
/// (`f : ("a*", "b")`, `f in~ ("x", "y")`, `f regex~ ("p", "q")`).
fn merge_any(items: Vec<Cond>) -> Cond {
    let mut out: Vec<Cond> = Vec::with_capacity(items.len());
    for item in items {
        let merged = out.iter_mut().any(|prev| match (prev, &item) {
            (
                Cond::Pattern {
                    lhs: l1,
                    op: o1,
                    patterns: p1,
                },
                Cond::Pattern {
                    lhs: l2,
                    op: o2,
                    patterns: p2,
                },
            ) if l1 == l2 && o1 == o2 => {
                p1.extend(p2.iter().cloned());
                true
            }
            (
                Cond::In {
                    lhs: l1,
                    negated: false,
                    insensitive: i1,
                    values: v1,
                },
                Cond::In {
                    lhs: l2,
                    negated: false,
                    insensitive: i2,
                    values: v2,
                },
            ) if l1 == l2 && i1 == i2 => {
                v1.extend(v2.iter().cloned());
                true
            }
            _ => false,
        });
        if !merged {
            out.push(item);
        }
    }
    Cond::any(out.into_iter().map(single_in_to_eq).collect())
}

/// A one-value case-sensitive list reads better as `==`.
fn single_in_to_eq(c: Cond) -> Cond {
    match c {
        Cond::In {
            lhs,
            negated: false,
            insensitive: false,
            mut values,
        } if values.len() == 1 => Cond::cmp(lhs, CmpOp::Eq, values.remove(0)),
        other => other,
    }
}

/// A scalar as KQL sees it on an event where the field is missing.
#[derive(Clone, Debug, PartialEq)]
enum Scalar {
    Null,
    Num(f64),
    Str(String),
    Bool(bool),
}

/// KQL's value of `lhs op rhs` when the (single) field in `lhs` is missing. A field compared
/// with a string literal is a string column (missing ⇒ `""`); any other missing field is null.
fn missing_compare(lhs: &Expr, op: CmpOp, rhs: &Expr) -> Missing {
    let rhs_is_string = matches!(rhs.kind, ExprKind::Literal(Literal::String(_)));
    let l = missing_value(lhs, rhs_is_string);
    let r = missing_value(rhs, false);
    let ord = match (&l, &r) {
        (Scalar::Null, _) | (_, Scalar::Null) => {
            return match op {
                CmpOp::Eq => Some(false),
                CmpOp::Ne => Some(true),
                _ => None,
            };
        }
        (Scalar::Num(a), Scalar::Num(b)) => a.partial_cmp(b)?,
        (Scalar::Str(a), Scalar::Str(b)) => a.cmp(b),
        (Scalar::Bool(a), Scalar::Bool(b)) => a.cmp(b),
        _ => return None,
    };
    use std::cmp::Ordering::*;
    Some(match op {
        CmpOp::Eq => ord == Equal,
        CmpOp::Ne => ord != Equal,
        CmpOp::Lt => ord == Less,
        CmpOp::Le => ord != Greater,
        CmpOp::Gt => ord == Greater,
        CmpOp::Ge => ord != Less,
    })
}

fn missing_value(e: &Expr, string_field: bool) -> Scalar {
    match &e.kind {
        ExprKind::Field(_) if string_field => Scalar::Str(String::new()),
        ExprKind::Field(_) => Scalar::Null,
        ExprKind::Literal(Literal::Long(i)) => Scalar::Num(*i as f64),
        ExprKind::Literal(Literal::Real(r)) => Scalar::Num(*r),
        ExprKind::Literal(Literal::String(s)) => Scalar::Str(s.clone()),
        ExprKind::Literal(Literal::Bool(b)) => Scalar::Bool(*b),
        // strlen of a missing string is strlen("") = 0.
        ExprKind::Call {
            func: ScalarFn::Strlen,
            ..
        } => Scalar::Num(0.0),
        ExprKind::Neg(x) => match missing_value(x, false) {
            Scalar::Num(n) => Scalar::Num(-n),
            _ => Scalar::Null,
        },
        ExprKind::Arith { op, lhs, rhs } => {
            match (missing_value(lhs, false), missing_value(rhs, false)) {
                (Scalar::Num(a), Scalar::Num(b)) => match op {
                    ArithOp::Add => Scalar::Num(a + b),
                    ArithOp::Sub | ArithOp::DateSub => Scalar::Num(a - b),
                    ArithOp::Mul => Scalar::Num(a * b),
                    // Integer division/modulo details do not matter for the usual `strlen`
                    // arithmetic; a zero divisor is null in KQL.
                    ArithOp::Div if b != 0.0 => Scalar::Num(a / b),
                    ArithOp::Mod if b != 0.0 => Scalar::Num(a % b),
                    _ => Scalar::Null,
                },
                _ => Scalar::Null,
            }
        }
        _ => Scalar::Null,
    }
}
