//! Predicates (`WHERE`, `countif`, `CASE` conditions) with KQL's null and case rules explicit.
//!
//! Each KQL test is compiled to an ES|QL expression TRUE exactly when KQL says true (or,
//! negated, exactly when it says false): the `pos`/`neg` discipline of the crate docs.

use crate::ast::{BinOp, Expr};
use crate::cx::Cx;
use crate::lucene;
use kqlport::backend::Effect;
use kqlport::codes::EsqlCode;
use kqlport::ir::{
    self, Case, CmpOp, ExprKind, Literal, MatchKind, Operands, PredicateKind, Quantifier, StrMatch,
};
use kqlport::source::Span;
use kqlport_kit::regex::TermBounds;

impl Cx {
    /// An expression that is TRUE exactly when the KQL predicate is true (FALSE or NULL
    /// otherwise) — `positive = true` — or exactly when it is false (`positive = false`).
    /// Negation is pushed to the leaves, so `NOT` never meets a NULL.
    pub fn pred(&mut self, p: &ir::Predicate, positive: bool) -> Expr {
        match &p.kind {
            PredicateKind::And(parts) | PredicateKind::Or(parts) => {
                let items: Vec<Expr> = parts.iter().map(|q| self.pred(q, positive)).collect();
                let is_and = matches!(p.kind, PredicateKind::And(_));
                if is_and == positive {
                    Expr::and(items)
                } else {
                    Expr::or(items)
                }
            }
            PredicateKind::Not(inner) => self.pred(inner, !positive),
            PredicateKind::StrMatch(m) => self.str_match(m, p.span, positive),
            PredicateKind::Compare {
                lhs,
                op,
                rhs,
                operands,
            } => self.compare(lhs, *op, rhs, *operands, positive),
            PredicateKind::InSet {
                expr,
                values,
                negated,
            } => {
                let day_of_week = crate::functions::time::day_of_week_arg(expr);
                let ms: Option<Vec<Expr>> = values
                    .iter()
                    .map(|v| crate::span_ms::literal_ms(v).map(Expr::Int))
                    .collect();
                let (x, vals) = match (day_of_week, ms) {
                    (Some(t), Some(ms)) => (self.day_of_week_ms(t), ms),
                    _ => (
                        self.expr(expr),
                        values.iter().map(|v| self.literal(v, expr.span)).collect(),
                    ),
                };
                let inside = Expr::In(Box::new(x.clone()), vals, false);
                // Like `==`: a null operand makes `in` false and `!in` true.
                if positive != *negated {
                    inside
                } else {
                    Expr::or(vec![Expr::is_null(x), Expr::not(inside)])
                }
            }
            PredicateKind::InSubquery { negated, .. } => {
                let marker = self
                    .subquery_marks
                    .iter()
                    .find(|(s, _)| s.start == p.span.start && s.end == p.span.end)
                    .map(|(_, m)| Expr::Column(m.clone()));
                match marker {
                    // Non-null exactly when the list holds the value (`subquery::mark`).
                    Some(m) if positive != *negated => Expr::is_not_null(m),
                    Some(m) => Expr::is_null(m),
                    None => {
                        self.errors
                            .push(crate::REFUSAL.subquery(p.span, crate::query::SUBQUERY_HELP));
                        Expr::Bool(false)
                    }
                }
            }
            PredicateKind::Between {
                expr,
                low,
                high,
                negated,
            } => {
                let x = self.expr(expr);
                let lo = self.expr(low);
                let hi = self.expr(high);
                // A null operand makes both `between` and `!between` null in KQL.
                if positive != *negated {
                    Expr::and(vec![
                        Expr::bin(x.clone(), BinOp::Ge, lo),
                        Expr::bin(x, BinOp::Le, hi),
                    ])
                } else {
                    Expr::or(vec![
                        Expr::bin(x.clone(), BinOp::Lt, lo),
                        Expr::bin(x, BinOp::Gt, hi),
                    ])
                }
            }
            PredicateKind::IsEmpty { expr, negated } => {
                // KQL's isempty is "null or empty string" for every type; ES|QL rejects
                // comparing a number with "", so compare the value's string form (a number is
                // never "", which leaves IS NULL, as in KQL).
                let seen = self.members_read.len();
                let x = self.expr(expr);
                let members = self.members_read.split_off(seen);
                if let (Some(member), true) = (members.first(), positive == *negated) {
                    // `isnotempty` of an array member: `!=` on a multivalued field is null.
                    self.notes.push(
                        p.span,
                        if self.filtering {
                            Effect::UnderMatch
                        } else {
                            Effect::Values
                        },
                        format!("if `{member}` holds an array of several elements, KQL's isnotempty is true, while ES|QL reads a multivalued field, for which != returns null (with a warning), so the test is null, never true"),
                    );
                }
                let text = Expr::call("TO_STRING", vec![x.clone()]);
                if positive != *negated {
                    Expr::or(vec![
                        Expr::is_null(x),
                        Expr::bin(text, BinOp::Eq, Expr::Str(String::new())),
                    ])
                } else {
                    Expr::and(vec![
                        Expr::is_not_null(x),
                        Expr::bin(text, BinOp::Ne, Expr::Str(String::new())),
                    ])
                }
            }
            PredicateKind::IsNull { expr, negated } => {
                let x = self.expr(expr);
                Expr::IsNull(Box::new(x), positive == *negated)
            }
            PredicateKind::TimeWindow { field, op, ago } => {
                let f = self.expr(field);
                let a = self.ago(*ago, p.span);
                let op = if positive { *op } else { op.complement() };
                Expr::bin(f, cmp(op), a)
            }
            PredicateKind::Bool(e) => {
                let x = self.expr(e);
                if positive {
                    x
                } else {
                    Expr::not(x)
                }
            }
            PredicateKind::Const(b) => Expr::Bool(*b == positive),
        }
    }

    /// KQL comparison null rules: `==` with exactly one null operand is false, `!=` true; two
    /// nulls, or a null in `<`, `<=`, `>`, `>=`, give null (neither true nor false).
    fn compare(
        &mut self,
        lhs: &ir::Expr,
        op: CmpOp,
        rhs: &ir::Expr,
        operands: Operands,
        positive: bool,
    ) -> Expr {
        use crate::functions::time::{day_of_week_arg, span_literal_ms};
        let (mut l, mut r) = match (
            day_of_week_arg(lhs),
            span_literal_ms(rhs),
            span_literal_ms(lhs),
            day_of_week_arg(rhs),
        ) {
            // `dayofweek(t)` against a timespan constant: both in milliseconds.
            (Some(t), Some(ms), _, _) => (self.day_of_week_ms(t), Expr::Int(ms)),
            (_, _, Some(ms), Some(t)) => (Expr::Int(ms), self.day_of_week_ms(t)),
            _ => (self.expr(lhs), self.expr(rhs)),
        };
        let l_lit = matches!(lhs.kind, ExprKind::Literal(_));
        let r_lit = matches!(rhs.kind, ExprKind::Literal(_));
        let effective = if positive { op } else { op.complement() };
        if reads_column(lhs) && reads_column(rhs) {
            return self.compare_values(l, effective, r, operands, lhs.span.to(rhs.span));
        }
        // Against a string literal the other side is a string, which KQL never has null: read
        // a missing value as "".
        if matches!(rhs.kind, ExprKind::Literal(Literal::String(_))) && !l_lit {
            l = Expr::call("COALESCE", vec![l, Expr::Str(String::new())]);
        }
        if matches!(lhs.kind, ExprKind::Literal(Literal::String(_))) && !r_lit {
            r = Expr::call("COALESCE", vec![r, Expr::Str(String::new())]);
        }
        match effective {
            CmpOp::Ne => {
                // True when the non-literal side is null, or it is set and differs.
                let mut parts = Vec::new();
                if reads_column(lhs) {
                    parts.push(Expr::is_null(l.clone()));
                }
                if reads_column(rhs) {
                    parts.push(Expr::is_null(r.clone()));
                }
                parts.push(Expr::bin(l, BinOp::Ne, r));
                Expr::or(parts)
            }
            other => Expr::bin(l, cmp(other), r),
        }
    }

    /// Two computed values (columns) compared. Strings: a missing one is "" in KQL, so both
    /// sides are coalesced to "" and the comparison is ES|QL's (exact). Other types: null in
    /// both languages; KQL's `!=` is true when exactly one side is null (exact). Unknown type:
    /// the non-string rendering, with a note on how a string column would differ.
    fn compare_values(
        &mut self,
        l: Expr,
        op: CmpOp,
        r: Expr,
        operands: Operands,
        span: Span,
    ) -> Expr {
        if operands == Operands::Strings {
            let empty = |e: Expr| Expr::call("COALESCE", vec![e, Expr::Str(String::new())]);
            return Expr::bin(empty(l), cmp(op), empty(r));
        }
        if operands == Operands::Unknown {
            kqlport_kit::notes::unknown_type_comparison(&mut self.notes, span, op, "here", "null");
        }
        if op != CmpOp::Ne {
            return Expr::bin(l, cmp(op), r);
        }
        // True when exactly one side is null, or both are set and differ.
        Expr::or(vec![
            Expr::and(vec![Expr::is_null(l.clone()), Expr::is_not_null(r.clone())]),
            Expr::and(vec![Expr::is_not_null(l.clone()), Expr::is_null(r.clone())]),
            Expr::bin(l, BinOp::Ne, r),
        ])
    }

    fn str_match(&mut self, m: &StrMatch, span: Span, positive: bool) -> Expr {
        let seen = self.members_read.len();
        let f = self.expr(&m.field);
        let members: Vec<String> = self.members_read.split_off(seen);
        let insensitive = m.case == Case::Insensitive && m.kind != MatchKind::Regex;
        if insensitive && m.folds_non_ascii() {
            self.notes.push(
                span,
                Effect::OverMatch,
                kqlport_kit::notes::non_ascii_case(
                    "TO_LOWER folds Unicode, so differently-cased non-ASCII data also matches",
                ),
            );
        }
        let subject = if insensitive {
            Expr::call("TO_LOWER", vec![f.clone()])
        } else {
            f.clone()
        };
        let fold = |v: &str| folded(v, insensitive);
        // Each test: an expression over a non-null subject, and whether "" (a missing value)
        // satisfies it.
        let mut tests: Vec<(Expr, bool)> = Vec::new();
        match m.kind {
            MatchKind::Equals => {
                let empty = m.values.iter().any(|v| v.is_empty());
                let vals: Vec<Expr> = m.values.iter().map(|v| Expr::Str(fold(v))).collect();
                if m.quantifier == Quantifier::Any || vals.len() == 1 {
                    let e = if vals.len() == 1 {
                        Expr::bin(subject, BinOp::Eq, vals[0].clone())
                    } else {
                        Expr::In(Box::new(subject), vals, false)
                    };
                    tests.push((e, empty));
                } else {
                    for (v, raw) in vals.into_iter().zip(&m.values) {
                        tests.push((Expr::bin(subject.clone(), BinOp::Eq, v), raw.is_empty()));
                    }
                }
            }
            MatchKind::Contains | MatchKind::StartsWith | MatchKind::EndsWith => {
                for v in &m.values {
                    if v.is_empty() {
                        tests.push((Expr::Bool(true), true));
                        continue;
                    }
                    let lv = fold(v);
                    let e = match m.kind {
                        MatchKind::Contains => Expr::Like(
                            Box::new(subject.clone()),
                            format!("*{}*", lucene::like_literal(&lv)),
                            false,
                        ),
                        MatchKind::StartsWith => {
                            Expr::call("STARTS_WITH", vec![subject.clone(), Expr::Str(lv)])
                        }
                        _ => Expr::call("ENDS_WITH", vec![subject.clone(), Expr::Str(lv)]),
                    };
                    tests.push((e, false));
                }
            }
            MatchKind::Term | MatchKind::TermPrefix | MatchKind::TermSuffix => {
                match self.term_tests(m, &subject, insensitive, span) {
                    Some(t) => tests.extend(t),
                    None => return Expr::Bool(false),
                }
            }
            MatchKind::Regex => match self.regex_tests(m, &subject, span) {
                Some(t) => tests.extend(t),
                None => return Expr::Bool(false),
            },
        }
        let (e, empty) = match m.quantifier {
            Quantifier::Any => (
                Expr::or(tests.iter().map(|t| t.0.clone()).collect()),
                tests.iter().any(|t| t.1),
            ),
            Quantifier::All => (
                Expr::and(tests.iter().map(|t| t.0.clone()).collect()),
                tests.iter().all(|t| t.1),
            ),
        };
        // `e` is never null when the field is set; a missing field is KQL's "".
        let want_match = positive != m.negated;
        if let Some(member) = members.first() {
            self.array_member_note(m, member, span, want_match, empty, insensitive);
        }
        match (want_match, empty) {
            (true, true) => Expr::or(vec![Expr::is_null(f), e]),
            (true, false) => e,
            (false, true) => Expr::and(vec![Expr::is_not_null(f), Expr::not(e)]),
            (false, false) => Expr::or(vec![Expr::is_null(f), Expr::not(e)]),
        }
    }

    /// The `has`-family tests (`RLIKE` with KQL's term boundaries), each with whether `""`
    /// satisfies it; `None` after a refusal (an empty value).
    fn term_tests(
        &mut self,
        m: &StrMatch,
        subject: &Expr,
        insensitive: bool,
        span: Span,
    ) -> Option<Vec<(Expr, bool)>> {
        let fold = |v: &str| folded(v, insensitive);
        let mut tests: Vec<(Expr, bool)> = Vec::new();
        if m.values.iter().any(|v| v.is_empty()) {
            self.decline(
                EsqlCode::B002,
                "a `has`-family test with an empty value: KQL's term semantics for \"\" are not pinned down",
                span,
            );
            return None;
        }
        // A value's own punctuation can stand in for a term boundary
        // (`MatchKind::term_edges`), so values are grouped by the edges they need;
        // `has_any` tests each group with one alternation, and ORs the groups as
        // separate RLIKEs: one pattern `(P1(a|b)S1)|(P2(c)S2)` would match the same
        // values, but its automaton tracks every group's progress at once, and
        // Elasticsearch rejects a regex whose determinisation exceeds its work limit.
        let pattern_for = |alts: &[&str], edges: ir::TermEdges| {
            let (before, after) = edges.whole_value_bounds();
            let alts: Vec<String> = alts
                .iter()
                .map(|v| lucene::regex_literal(&fold(v)))
                .collect();
            format!("{before}({}){after}", alts.join("|"))
        };
        let patterns: Vec<String> = if m.quantifier == Quantifier::Any {
            m.kind
                .term_groups(&m.values)
                .into_iter()
                .flat_map(|(edges, alts)| {
                    lucene::alternation_chunks(&alts)
                        .into_iter()
                        .map(|chunk| pattern_for(chunk, edges))
                        .collect::<Vec<_>>()
                })
                .collect()
        } else {
            m.values
                .iter()
                .map(|v| pattern_for(&[v.as_str()], m.kind.term_edges(v)))
                .collect()
        };
        for pattern in patterns {
            tests.push((
                Expr::RLike(Box::new(subject.clone()), pattern, false),
                false,
            ));
        }
        Some(tests)
    }

    /// `matches regex` as `RLIKE` tests (a Lucene rewrite of each RE2 pattern), each with
    /// whether `""` satisfies it; `None` after a refusal (B001).
    fn regex_tests(
        &mut self,
        m: &StrMatch,
        subject: &Expr,
        span: Span,
    ) -> Option<Vec<(Expr, bool)>> {
        let mut tests: Vec<(Expr, bool)> = Vec::new();
        for v in &m.values {
            match lucene::rewrite_re2(v, m.case == Case::Insensitive) {
                Ok(rw) => tests.push((
                    Expr::RLike(Box::new(subject.clone()), rw.lucene, false),
                    rw.matches_empty,
                )),
                Err(u) => {
                    let detail = match u.at {
                        Some((a, b)) => {
                            format!(" (at `{}` in the pattern)", v.get(a..b).unwrap_or_default())
                        }
                        None => String::new(),
                    };
                    self.decline_help(
                        EsqlCode::B001,
                        format!("regex cannot be rewritten exactly for RLIKE: {}{detail}", u.message),
                        span,
                        "ES|QL RLIKE takes a Lucene regular expression, which matches the whole value and has no anchors, look-arounds or word boundaries",
                    );
                    return None;
                }
            }
        }
        Some(tests)
    }

    /// A string test on a dynamic member that may hold an array. KQL tests the array's JSON
    /// text (`["a","b"]`); Elasticsearch indexes the elements as one multivalued field, on which
    /// LIKE, RLIKE, `==`, IN and the string functions (TO_LOWER, …) return null with a warning,
    /// so the test is null and the row dropped whatever the polarity (under-match). A
    /// one-element array is stored as its element, and an empty one as a missing value: a
    /// positive `==`/`in` can then hold where KQL compares `["a"]` (over-match), as can a test
    /// that `""` satisfies.
    fn array_member_note(
        &mut self,
        m: &StrMatch,
        member: &str,
        span: Span,
        want_match: bool,
        empty: bool,
        insensitive: bool,
    ) {
        let op = if insensitive {
            "TO_LOWER"
        } else {
            match m.kind {
                MatchKind::Equals if m.values.len() > 1 && m.quantifier == Quantifier::Any => "IN",
                MatchKind::Equals => "==",
                MatchKind::Contains => "LIKE",
                MatchKind::StartsWith => "STARTS_WITH",
                MatchKind::EndsWith => "ENDS_WITH",
                _ => "RLIKE",
            }
        };
        // A one-element array read as its element: a test anchored at the value's edges (or
        // one that `""` satisfies, for an empty array read as missing) can hold where KQL's
        // test of `["a"]` fails, and a negated test of JSON punctuation can hold where the
        // JSON text has it.
        let anchored = matches!(
            m.kind,
            MatchKind::Equals | MatchKind::StartsWith | MatchKind::EndsWith | MatchKind::Regex
        );
        let json_punct = m
            .values
            .iter()
            .any(|v| v.contains(['[', ']', '{', '}', '"', ',', ':', '\\']));
        let over = (want_match && (anchored || empty))
            || (!want_match && (json_punct || m.kind == MatchKind::Regex));
        let mut msg = format!(
            "if `{member}` holds an array or an object, KQL tests its JSON text (e.g. `[\"a\",\"b\"]`); ES|QL reads an array's elements as a multivalued field, for which {op} returns null (with a warning), so the test is null, never true (an object has no value of its own in ES|QL, only its leaf fields)"
        );
        if over {
            msg.push_str("; and a one-element array is read as its element (an empty one as missing), so the test can also hold where KQL's test of the JSON text fails");
        }
        if !self.filtering {
            self.value_note(span, msg);
            return;
        }
        self.notes.push(span, Effect::UnderMatch, msg.clone());
        if over {
            self.notes.push(span, Effect::OverMatch, msg);
        }
    }
}

/// A literal as the test compares it: lower-cased for a case-insensitive test (the subject is
/// `TO_LOWER`ed).
fn folded(v: &str, insensitive: bool) -> String {
    if insensitive {
        v.to_lowercase()
    } else {
        v.to_string()
    }
}

fn cmp(op: CmpOp) -> BinOp {
    match op {
        CmpOp::Eq => BinOp::Eq,
        CmpOp::Ne => BinOp::Ne,
        CmpOp::Lt => BinOp::Lt,
        CmpOp::Le => BinOp::Le,
        CmpOp::Gt => BinOp::Gt,
        CmpOp::Ge => BinOp::Ge,
    }
}

/// Whether a value depends on a column (otherwise it is a constant, never missing).
fn reads_column(e: &ir::Expr) -> bool {
    match &e.kind {
        ExprKind::Literal(_) | ExprKind::Now | ExprKind::Ago(_) => false,
        ExprKind::Arith { lhs, rhs, .. } => reads_column(lhs) || reads_column(rhs),
        ExprKind::Neg(x) => reads_column(x),
        ExprKind::Call { args, .. } => args.iter().any(reads_column),
        _ => true,
    }
}
