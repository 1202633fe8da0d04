//! Lowers IR predicates and scalar expressions to ES|QL expressions with KQL's null and case
//! rules made explicit. Owns the `pos`/`neg` discipline (see the crate docs); never emits
//! commands or text.

mod functions;

use crate::ast::{BinOp, Expr};
use crate::lucene;
use kqlport::backend::{Effect, Notes};
use kqlport::diag::Diagnostic;
use kqlport::ir::{
    self, Case, CmpOp, Duration, DurationUnit, ExprKind, Literal, MatchKind, Operands, PathSegment,
    PredicateKind, Quantifier, ScalarFn, StrMatch,
};
use kqlport::source::Span;
use kqlport_kit::regex::TermBounds;
use std::collections::HashMap;

/// What a translation collects on its way: approximation notes and refusals, and the columns
/// that name a dynamic value held elsewhere (see [`Alias`]).
#[derive(Default)]
pub struct Cx {
    pub notes: Notes,
    pub errors: Vec<Diagnostic>,
    /// Columns assigned a dynamic path (`extend j = parse_json(X)`, `extend u = X.user`): a path
    /// into them (`j.a`) is read from the source field (`X.a`), since ES|QL has no object
    /// values and `EVAL j = X` copies no sub-fields.
    pub aliases: HashMap<String, Alias>,
    /// The document `_id` is no longer a column (after KEEP, STATS…).
    pub id_gone: bool,
    /// The query reads `_id`: `FROM … METADATA _id`.
    pub metadata_id: bool,
    /// Columns holding a `split()` result: an ordered multi-value computed in the pipeline, so
    /// `c[i]` is exactly `MV_SLICE(c, i)` (no flattening of indexed arrays involved).
    pub split_columns: std::collections::HashSet<String>,
    /// Columns assigned `parse_url(u)`: ES|QL has no object values, so they hold the URL text
    /// and `c.Part` is read from it.
    pub url_columns: std::collections::HashSet<String>,
    /// Comment lines printed above the query (`//`), e.g. how to build a lookup index.
    pub preamble: Vec<String>,
    /// Dotted fields read for a dynamic member (`X.a.b`, no index) since the last look: such a
    /// member may hold an array, which ES|QL reads as a multivalued field (see `str_match`).
    pub members_read: Vec<String>,
    /// The source table of the pipeline being lowered: a plain column its schema types
    /// `dynamic` may hold an array too.
    pub table: String,
    /// The table's field-mapping pipeline, for the schema's types under mapped names.
    pub target: Option<kqlport::ir::TargetSource>,
    /// Set while a filter's predicate is lowered: a test that turns null then loses the row;
    /// elsewhere (`extend`, aggregates) it changes a value.
    pub filtering: bool,
    /// Columns assigned a dynamic member as it is (`extend c = tostring(X.a)`): they hold the
    /// same multivalued field, so a test on them is noted like one on `X.a` (the value).
    pub member_columns: HashMap<String, String>,
    /// Columns the pipeline has (re)defined so far: they no longer hold the source table's field
    /// of that name, so its schema type says nothing about them (see [`Cx::stored_type`]).
    pub redefined: std::collections::HashSet<String>,
}

/// The per-pipeline part of [`Cx`], set aside while another pipeline (a join's right side) is
/// lowered with the same notes and refusals.
pub struct PipelineState {
    aliases: HashMap<String, Alias>,
    id_gone: bool,
    metadata_id: bool,
    split_columns: std::collections::HashSet<String>,
    url_columns: std::collections::HashSet<String>,
    table: String,
    target: Option<kqlport::ir::TargetSource>,
    member_columns: HashMap<String, String>,
    redefined: std::collections::HashSet<String>,
}

impl Cx {
    /// Takes the per-pipeline state, leaving a fresh one.
    pub fn take_pipeline(&mut self) -> PipelineState {
        PipelineState {
            aliases: std::mem::take(&mut self.aliases),
            id_gone: std::mem::take(&mut self.id_gone),
            metadata_id: std::mem::take(&mut self.metadata_id),
            split_columns: std::mem::take(&mut self.split_columns),
            url_columns: std::mem::take(&mut self.url_columns),
            table: std::mem::take(&mut self.table),
            target: self.target.take(),
            member_columns: std::mem::take(&mut self.member_columns),
            redefined: std::mem::take(&mut self.redefined),
        }
    }

    /// Puts back a state taken with [`Cx::take_pipeline`].
    pub fn restore_pipeline(&mut self, s: PipelineState) {
        self.aliases = s.aliases;
        self.id_gone = s.id_gone;
        self.metadata_id = s.metadata_id;
        self.split_columns = s.split_columns;
        self.url_columns = s.url_columns;
        self.table = s.table;
        self.target = s.target;
        self.member_columns = s.member_columns;
        self.redefined = s.redefined;
    }

    /// The type the source table's schema gives column `name`, while the pipeline still holds
    /// that field as the index stores it (not redefined by an earlier stage); `None` otherwise or
    /// when the schema does not know it.
    pub fn stored_type(&self, name: &str) -> Option<kqlport::schema::ColumnType> {
        if self.redefined.contains(name) || self.redefined.contains(crate::stored::ALL) {
            return None;
        }
        kqlport::ir::stored_column_type(&self.table, self.target.as_ref(), name)
    }

    /// Whether `fp` is a path into JSON text parsed from a stored `string` column (directly or
    /// through a column assigned `parse_json(X)`): read with JSON_EXTRACT.
    pub fn json_text_path(&self, fp: &ir::FieldPath) -> bool {
        let (column, parsed) = match self.aliases.get(&fp.column) {
            Some(a) => (a.target.column.as_str(), a.target.parsed || fp.parsed),
            None => (fp.column.as_str(), fp.parsed),
        };
        parsed
            && !fp.path.is_empty()
            && self.stored_type(column) == Some(kqlport::schema::ColumnType::String)
    }

    /// Whether `name` is a stored `dynamic` column: an object in the index, which has no column
    /// of its own in ES|QL, only its leaf fields (`name.a`, `name.b.c` …).
    pub fn stored_object(&self, name: &str) -> bool {
        self.stored_type(name) == Some(kqlport::schema::ColumnType::Dynamic)
            && !self.aliases.contains_key(name)
    }

    /// The dynamic member (or `dynamic` column) `e` is, as it is: a key path without an
    /// index, a `dynamic` column of the table, a column assigned one, or `tostring` of one
    /// (TO_STRING keeps a multivalued field multivalued).
    pub fn member_of(&self, e: &ir::Expr) -> Option<String> {
        match &e.kind {
            // JSON text read with JSON_EXTRACT is one keyword value, never a multivalue
            ExprKind::Field(fp) if self.json_text_path(fp) => None,
            ExprKind::Field(fp) if !fp.path.is_empty() => {
                let mut name = fp.column.clone();
                for seg in &fp.path {
                    match seg {
                        PathSegment::Key(k) => {
                            name.push('.');
                            name.push_str(k);
                        }
                        PathSegment::Index(_) => return None,
                    }
                }
                Some(name)
            }
            ExprKind::Field(fp) if !fp.parsed => {
                self.member_columns.get(&fp.column).cloned().or_else(|| {
                    (kqlport::ir::stored_column_type(&self.table, self.target.as_ref(), &fp.column)
                        == Some(kqlport::schema::ColumnType::Dynamic))
                    .then(|| fp.column.clone())
                })
            }
            ExprKind::Call {
                func: ScalarFn::ToString,
                args,
            } if args.len() == 1 => self.member_of(&args[0]),
            _ => None,
        }
    }
}

/// A column standing for a dynamic path of another column.
#[derive(Clone, Debug)]
pub struct Alias {
    pub target: ir::FieldPath,
    /// `true` when the column itself was never evaluated (a whole parsed column, which ES|QL has
    /// no value for): only paths into it can be read.
    pub virtual_only: bool,
    /// `false` once the source field may be gone from the ES|QL pipeline (KEEP, DROP, STATS…),
    /// so a path into the alias can no longer be read from it.
    pub live: bool,
}

impl Cx {
    pub fn decline(&mut self, code: &'static str, message: impl Into<String>, span: Span) {
        self.errors
            .push(Diagnostic::error(code, message, span).with_label("not expressible in ES|QL"));
    }

    pub fn decline_help(
        &mut self,
        code: &'static str,
        message: impl Into<String>,
        span: Span,
        help: impl Into<String>,
    ) {
        self.errors.push(
            Diagnostic::error(code, message, span)
                .with_label("not expressible in ES|QL")
                .with_help(help),
        );
    }

    // -----------------------------------------------------------------------------------------
    // Predicates
    // -----------------------------------------------------------------------------------------

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
                let x = self.expr(expr);
                let vals: Vec<Expr> = values.iter().map(|v| self.literal(v, expr.span)).collect();
                let inside = Expr::In(Box::new(x.clone()), vals, false);
                // Like `==`: a null operand makes `in` false and `!in` true.
                if positive != *negated {
                    inside
                } else {
                    Expr::or(vec![Expr::is_null(x), Expr::not(inside)])
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
                let op = if positive { *op } else { negate_cmp(*op) };
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
        let mut l = self.expr(lhs);
        let mut r = self.expr(rhs);
        let l_lit = matches!(lhs.kind, ExprKind::Literal(_));
        let r_lit = matches!(rhs.kind, ExprKind::Literal(_));
        let effective = if positive { op } else { negate_cmp(op) };
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
            let (effect, message) = match op {
                CmpOp::Eq => (
                    Effect::UnderMatch,
                    "comparing two values of unknown type: if they are strings, KQL reads a missing one as \"\", so two missing values, or a missing and an empty one, are equal; here a missing value is null and such rows are not returned",
                ),
                CmpOp::Ne => (
                    Effect::OverMatch,
                    "comparing two values of unknown type: if they are strings, KQL reads a missing one as \"\", so a missing value and an empty one are equal; here a missing value is null and such rows are returned",
                ),
                _ => (
                    Effect::UnderMatch,
                    "comparing two values of unknown type: if they are strings, KQL orders a missing one as \"\"; here a missing value is null, the comparison is null and such rows are not returned",
                ),
            };
            self.notes.push(span, effect, message);
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
                "a value contains non-ASCII letters: KQL folds only ASCII case, TO_LOWER folds Unicode, so differently-cased non-ASCII data also matches",
            );
        }
        let subject = if insensitive {
            Expr::call("TO_LOWER", vec![f.clone()])
        } else {
            f.clone()
        };
        let fold = |v: &str| -> String {
            if insensitive {
                v.to_lowercase()
            } else {
                v.to_string()
            }
        };
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
                if m.values.iter().any(|v| v.is_empty()) {
                    self.decline(
                        "B002",
                        "a `has`-family test with an empty value: KQL's term semantics for \"\" are not pinned down",
                        span,
                    );
                    return Expr::Bool(false);
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
            }
            MatchKind::Regex => {
                for v in &m.values {
                    match lucene::rewrite_re2(v, m.case == Case::Insensitive) {
                        Ok(rw) => tests.push((
                            Expr::RLike(Box::new(subject.clone()), rw.lucene, false),
                            rw.matches_empty,
                        )),
                        Err(u) => {
                            let detail = match u.at {
                                Some((a, b)) => format!(
                                    " (at `{}` in the pattern)",
                                    v.get(a..b).unwrap_or_default()
                                ),
                                None => String::new(),
                            };
                            self.decline_help(
                                "B001",
                                format!("regex cannot be rewritten exactly for RLIKE: {}{detail}", u.message),
                                span,
                                "ES|QL RLIKE takes a Lucene regular expression, which matches the whole value and has no anchors, look-arounds or word boundaries",
                            );
                            return Expr::Bool(false);
                        }
                    }
                }
            }
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

    // -----------------------------------------------------------------------------------------
    // Scalar expressions
    // -----------------------------------------------------------------------------------------

    /// A note on a computed value: within a `where` the value decides which rows pass, so
    /// a value that can differ can keep rows KQL drops and drop rows it keeps; elsewhere
    /// only the value differs.
    pub(crate) fn value_note(&mut self, span: Span, message: impl Into<String>) {
        let message = message.into();
        if self.filtering {
            self.notes.push(span, Effect::OverMatch, message.clone());
            self.notes.push(span, Effect::UnderMatch, message);
        } else {
            self.notes.push(span, Effect::Values, message);
        }
    }

    pub fn literal(&mut self, l: &Literal, span: Span) -> Expr {
        match l {
            Literal::String(s) => Expr::Str(s.clone()),
            Literal::Long(i) => Expr::Int(*i),
            Literal::Real(r) if r.is_finite() => Expr::Dec(*r),
            Literal::Real(_) => {
                self.decline("B007", "ES|QL has no literal for NaN or infinity", span);
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
            self.decline("B007", "negative time spans are not supported", span);
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
                    "B007",
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

    fn ago(&mut self, d: Duration, span: Span) -> Expr {
        let s = self.span(d, span);
        Expr::bin(Expr::call("NOW", vec![]), BinOp::Sub, s)
    }

    /// The column a dynamic path resolves to through [`Cx::aliases`], or `None` (declined) when
    /// the alias's source is no longer readable.
    pub fn resolve(&mut self, fp: &ir::FieldPath, span: Span) -> Option<ir::FieldPath> {
        let Some(alias) = self.aliases.get(&fp.column) else {
            return Some(fp.clone());
        };
        if fp.path.is_empty() && !alias.virtual_only {
            return Some(fp.clone());
        }
        if fp.path.is_empty() {
            self.decline_help(
                "B003",
                format!("`{}` is a whole parsed JSON value; ES|QL has no object values, only the leaf fields under it", fp.column),
                span,
                "read the properties you need (`x.a`) instead of the whole object",
            );
            return None;
        }
        if !alias.live {
            self.decline(
                "B003",
                format!("`{}` stands for a dynamic value whose source field is no longer in the ES|QL pipeline at this point", fp.column),
                span,
            );
            return None;
        }
        let mut target = alias.target.clone();
        target.path.extend(fp.path.iter().cloned());
        target.parsed |= fp.parsed;
        Some(target)
    }

    /// The alias a column assigned `fp` becomes: a path into the same source (`None` when `fp`
    /// is not a dynamic path, or its alias source is gone).
    pub fn alias_for(&self, fp: &ir::FieldPath) -> Option<Alias> {
        match self.aliases.get(&fp.column) {
            Some(a) if fp.path.is_empty() => Some(a.clone()),
            Some(a) if a.live => {
                let mut target = a.target.clone();
                target.path.extend(fp.path.iter().cloned());
                target.parsed |= fp.parsed;
                Some(Alias {
                    target,
                    virtual_only: false,
                    live: true,
                })
            }
            Some(_) => None,
            None if fp.path.is_empty() && !fp.parsed => None,
            None => Some(Alias {
                target: fp.clone(),
                virtual_only: fp.parsed && fp.path.is_empty(),
                live: true,
            }),
        }
    }

    /// Declines a bare reference to a column that exists only as an alias of a whole parsed
    /// JSON value (KEEP, BY, RENAME of it).
    pub fn check_real_column(&mut self, name: &str, span: Span) -> bool {
        if self.aliases.get(name).is_some_and(|a| a.virtual_only) {
            self.decline_help(
                "B003",
                format!("`{name}` is a whole parsed JSON value; ES|QL has no object values, only the leaf fields under it"),
                span,
                "read the properties you need (`x.a`) instead of the whole object",
            );
            return false;
        }
        true
    }

    /// The source field of aliases whose source column `column` is overwritten or dropped is
    /// gone: paths into them can no longer be read.
    pub fn source_gone(&mut self, column: &str) {
        for a in self.aliases.values_mut() {
            if a.target.column == column {
                a.live = false;
            }
        }
    }

    /// Every alias source may be gone (after KEEP/STATS).
    pub fn all_sources_gone(&mut self) {
        for a in self.aliases.values_mut() {
            a.live = false;
        }
    }

    /// A column or a path into a dynamic column. Object paths are dotted fields (the index holds
    /// the dynamic column as an object). JSON text (`parse_json`) is read the same way, with a
    /// note: exact only if the column was ingested as an object. One array index reads the
    /// flattened multi-value with `MV_SLICE`, with a note; several are declined.
    pub fn field(&mut self, fp: &ir::FieldPath, span: Span) -> Expr {
        if let (false, [PathSegment::Key(part)]) = (fp.parsed, fp.path.as_slice()) {
            if self.url_columns.contains(&fp.column) && !self.aliases.contains_key(&fp.column) {
                return self.url_part(Expr::Column(fp.column.clone()), part, span);
            }
        }
        if let (false, [PathSegment::Index(i)]) = (fp.parsed, fp.path.as_slice()) {
            if self.split_columns.contains(&fp.column) && !self.aliases.contains_key(&fp.column) {
                return Expr::call(
                    "MV_SLICE",
                    vec![Expr::Column(fp.column.clone()), Expr::Int(*i)],
                );
            }
        }
        if fp.is_plain() && !fp.parsed && !self.aliases.contains_key(&fp.column) {
            if let Some(m) = self.member_columns.get(&fp.column) {
                self.members_read.push(m.clone());
            }
        }
        let Some(fp) = self.resolve(fp, span) else {
            return Expr::Null;
        };
        if fp.parsed && fp.path.is_empty() {
            self.decline_help(
                "B003",
                "a whole parsed JSON value; ES|QL has no object values, only the leaf fields under it",
                span,
                "read the properties you need (`parse_json(X).a`) instead of the whole object",
            );
            return Expr::Null;
        }
        if fp.parsed && self.stored_type(&fp.column) == Some(kqlport::schema::ColumnType::String) {
            return self.json_extract(&fp, span);
        }
        if fp.parsed {
            let msg = format!(
                "parse_json: `{}` is read as object fields under `{}`, which is exact when the index holds `{}` as an object (as Elastic integrations ingest JSON payloads); if it holds the JSON text, these fields are missing, so tests on them fail (under-match) and negated tests pass (over-match). Elasticsearch 9.4 has JSON_EXTRACT (preview) for JSON text",
                dotted(&fp), fp.column, fp.column
            );
            self.notes.push(span, Effect::UnderMatch, msg.clone());
            self.notes.push(span, Effect::OverMatch, msg);
        }
        let mut name = fp.column.clone();
        let mut index = None;
        let mut outer = Vec::new();
        for seg in &fp.path {
            match seg {
                PathSegment::Key(k) => {
                    name.push('.');
                    name.push_str(k);
                }
                PathSegment::Index(i) => {
                    if let Some(prev) = index.replace(*i) {
                        outer.push(prev);
                    }
                }
            }
        }
        let Some(i) = index else {
            let dynamic_column = fp.path.is_empty()
                && !fp.parsed
                && kqlport::ir::stored_column_type(&self.table, self.target.as_ref(), &fp.column)
                    == Some(kqlport::schema::ColumnType::Dynamic);
            if !fp.path.is_empty() || dynamic_column {
                self.members_read.push(name.clone());
            }
            return Expr::Column(name);
        };
        if !outer.is_empty() {
            // X[0].a[j].b: the flattened `X.a.b` holds the values of every element of every
            // array on the path; position j is element [0][j]'s only when the outer arrays have
            // one element (and the values keep their order).
            if outer.iter().any(|o| *o != 0) {
                self.decline_help(
                    "B004",
                    "an array index other than [0] before another array index in a dynamic path: Elasticsearch flattens nested arrays into one multi-valued field, so the element's values cannot be located",
                    span,
                    "ingest the array elements as separate documents (or a nested field) and translate by hand",
                );
                return Expr::Null;
            }
            let msg = format!(
                "nested array index {}: Elasticsearch flattens nested arrays (of objects) into one multi-valued field `{name}` holding the values of every element of every array on the path, not kept in element order (keyword doc values are sorted and de-duplicated, and elements missing the key leave no gap), so MV_FIRST/MV_SLICE picks the value at position {i} of that multi-value: that is the indexed element's only when each outer array has one element and the values keep their order; otherwise another element's value is tested (over- and under-match)",
                dotted(&fp)
            );
            self.notes.push(span, Effect::UnderMatch, msg.clone());
            self.notes.push(span, Effect::OverMatch, msg);
            let col = Expr::Column(name);
            return if i == 0 {
                Expr::call("MV_FIRST", vec![col])
            } else {
                Expr::call("MV_SLICE", vec![col, Expr::Int(i)])
            };
        }
        let msg = format!(
            "array index [{i}]: Elasticsearch flattens an array (of objects) into one multi-valued field `{name}` whose values are not kept in element order (keyword doc values are sorted and de-duplicated, and elements missing the key leave no gap), so MV_FIRST/MV_SLICE picks the value at position {i} of that multi-value, not necessarily element {i}'s; exact for a one-element array, otherwise another element's value can be tested (over- and under-match)"
        );
        self.notes.push(span, Effect::UnderMatch, msg.clone());
        self.notes.push(span, Effect::OverMatch, msg);
        let col = Expr::Column(name);
        if i == 0 {
            Expr::call("MV_FIRST", vec![col])
        } else {
            Expr::call("MV_SLICE", vec![col, Expr::Int(i)])
        }
    }

    /// `parse_json(X).path` where the schema types `X` `string`: the index holds JSON text, one
    /// keyword field with no sub-fields, so the path is read from the text with JSON_EXTRACT
    /// (technical preview, Elasticsearch 9.4+), whose JSONPath subset takes `a.b`, `['k.e.y']`
    /// and `[i]`.
    fn json_extract(&mut self, fp: &ir::FieldPath, span: Span) -> Expr {
        let mut path = String::new();
        for seg in &fp.path {
            match seg {
                PathSegment::Key(k) => {
                    let simple = k
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                    if simple {
                        if !path.is_empty() {
                            path.push('.');
                        }
                        path.push_str(k);
                    } else if k.contains(['\'', '\\']) {
                        self.decline(
                            "B005",
                            format!("JSON_EXTRACT cannot spell the key {k:?} (a quote or backslash in a bracketed key is not documented)"),
                            span,
                        );
                        return Expr::Null;
                    } else {
                        path.push_str(&format!("['{k}']"));
                    }
                }
                PathSegment::Index(i) if *i >= 0 => path.push_str(&format!("[{i}]")),
                PathSegment::Index(_) => {
                    self.decline(
                        "B004",
                        "a negative array index into JSON text: JSON_EXTRACT has no negative indices",
                        span,
                    );
                    return Expr::Null;
                }
            }
        }
        self.notes.push(
            span,
            Effect::Values,
            format!(
                "parse_json of the string column `{}`: the index holds its JSON text, read with JSON_EXTRACT (technical preview, Elasticsearch 9.4+), which returns a string value as text and an object or array as compact JSON text (KQL's spelling of a nested value or a real number can differ); invalid JSON or a missing path gives null",
                fp.column
            ),
        );
        Expr::call(
            "JSON_EXTRACT",
            vec![Expr::Column(fp.column.clone()), Expr::Str(path)],
        )
    }

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
                op: ir::ArithOp::DateSub,
                ..
            } => {
                self.decline_help(
                    "B012",
                    "datetime - datetime is a timespan in KQL; ES|QL has no date - date operator and no column type for a duration",
                    e.span,
                    "compare the datetimes themselves (e.g. `End >= Start + 5m`), or use datetime_diff() for a number",
                );
                Expr::Null
            }
            ExprKind::Arith { op, lhs, rhs } => {
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
            ExprKind::Path { base, path } => self.computed_path(base, path, e.span),
        }
    }

    /// `split(x, d)[i]` is `MV_SLICE(SPLIT(x, d), i)` (both count from 0, negative from the
    /// end, and give null out of range; `split(x, d, k)[0]` is `split(x, d)[k]`). ES|QL's SPLIT
    /// takes a one-byte delimiter: a longer one is read with a regex (`funcs::split_index`).
    /// Other paths into computed values are declined.
    fn computed_path(&mut self, base: &ir::Expr, path: &[PathSegment], span: Span) -> Expr {
        if let (
            ExprKind::Call {
                func: ScalarFn::Split,
                args,
            },
            [PathSegment::Index(i)],
        ) = (&base.kind, path)
        {
            let index = match args.get(2).map(|k| &k.kind) {
                None => Some(*i),
                Some(ExprKind::Literal(Literal::Long(k))) if *i == 0 && *k >= 0 => Some(*k),
                _ => None,
            };
            if let (
                Some(x),
                Some(ir::Expr {
                    kind: ExprKind::Literal(Literal::String(d)),
                    ..
                }),
                Some(i),
            ) = (args.first(), args.get(1), index)
            {
                if d.len() == 1 {
                    let subject =
                        Expr::call("COALESCE", vec![self.expr(x), Expr::Str(String::new())]);
                    let split = Expr::call("SPLIT", vec![subject, Expr::Str(d.clone())]);
                    return Expr::call("MV_SLICE", vec![split, Expr::Int(i)]);
                }
                if !d.is_empty() {
                    return self.split_index(x, d, i, span);
                }
            }
        }
        if let (
            ExprKind::Call {
                func: ScalarFn::ParseUrl,
                args,
            },
            [PathSegment::Key(part)],
        ) = (&base.kind, path)
        {
            if let [u] = args.as_slice() {
                let text = self.expr(u);
                return self.url_part(text, part, span);
            }
        }
        self.decline(
            "B004",
            "ES|QL cannot index into this computed value (only split(x, \"delimiter\")[i] and parse_url(u).Part are supported)",
            span,
        );
        Expr::Null
    }

    fn call(&mut self, func: ScalarFn, args: &[ir::Expr], span: Span) -> Expr {
        // Functions that read their arguments' IR (literals, patterns) — see `funcs`.
        match (func, args.len()) {
            (ScalarFn::Extract, _) => return self.extract(args, span),
            (ScalarFn::Replace, 3) => return self.replace_regex(args, span),
            (ScalarFn::ReplaceString, 3) => return self.replace_string(args, span),
            (ScalarFn::CountOf, _) => return self.countof(args, span),
            (ScalarFn::Trim | ScalarFn::TrimStart | ScalarFn::TrimEnd, 2) => {
                return self.trim(func, args, span)
            }
            (ScalarFn::Substring, _) => return self.substring(args),
            (ScalarFn::DateTimeDiff, 3) => return self.datetime_diff(args, span),
            (ScalarFn::HourOfDay | ScalarFn::GetMonth | ScalarFn::GetYear, 1) => {
                return self.date_part(func, args)
            }
            (ScalarFn::ArraySortAsc | ScalarFn::ArraySortDesc, _) => {
                return self.array_sort(func, args, span)
            }
            (ScalarFn::UrlEncode, 1) => return self.url_encode(args, span),
            (ScalarFn::UrlDecode, 1) => return self.url_decode(args, span),
            (ScalarFn::Split, _) => return self.split_whole(args, span),
            (ScalarFn::IndexOf, 2) => return self.index_of(args, span),
            (ScalarFn::ToHex, _) => return self.hex_digits(args, span),
            (ScalarFn::IndexOfRegex, _) => return self.index_of_regex(args, span),
            (ScalarFn::ParseUrl, 1) => {
                self.value_note(
                    span,
                    "parse_url(u) as a whole is kept as the URL text (ES|QL has no object values); its parts are read from it with a URL regex",
                );
                let u = self.expr(&args[0]);
                return Expr::call("COALESCE", vec![u, Expr::Str(String::new())]);
            }
            (ScalarFn::Base64DecodeToString, 1) => return self.base64_decode(args, span),
            (ScalarFn::ArrayLength, 1) if self.whole_json(&args[0]).is_some() => {
                return self.json_array_length(&args[0], span)
            }
            _ => {}
        }
        let a: Vec<Expr> = args.iter().map(|x| self.expr(x)).collect();
        let simple = |name: &'static str, a: Vec<Expr>| Expr::call(name, a);
        match (func, a.len()) {
            (ScalarFn::ToString, 1) => {
                if !matches!(args[0].kind, ExprKind::Literal(Literal::String(_))) {
                    self.value_note(
                        span,
                        "tostring of a datetime, real or timespan is formatted differently by TO_STRING (e.g. milliseconds always shown); identical for strings, integers and booleans",
                    );
                }
                // KQL's tostring(null) is "", never null.
                Expr::call(
                    "COALESCE",
                    vec![simple("TO_STRING", a), Expr::Str(String::new())],
                )
            }
            (ScalarFn::ArrayLength, 1) => {
                let msg = "array_length ⇒ MV_COUNT, the number of values of a multi-valued column (make_set/make_list results, flattened arrays): an empty array is a missing value in ES|QL, so its length is null (KQL: 0), and a non-array value counts 1 (KQL: null); tests on the length can differ both ways";
                self.notes.push(span, Effect::UnderMatch, msg);
                self.notes.push(span, Effect::OverMatch, msg);
                simple("MV_COUNT", a)
            }
            (ScalarFn::ToLower, 1) => simple("TO_LOWER", a),
            (ScalarFn::ToUpper, 1) => simple("TO_UPPER", a),
            (ScalarFn::ToInt, 1) => simple("TO_INTEGER", a),
            (ScalarFn::ToLong, 1) => simple("TO_LONG", a),
            (ScalarFn::ToReal, 1) => simple("TO_DOUBLE", a),
            (ScalarFn::ToBool, 1) => simple("TO_BOOLEAN", a),
            (ScalarFn::ToDateTime, 1) => simple("TO_DATETIME", a),
            (ScalarFn::StrCat, 1) => match a.into_iter().next() {
                // CONCAT needs two arguments; one part is its own string form.
                Some(Expr::Str(s)) => Expr::Str(s),
                Some(x) => Expr::call(
                    "COALESCE",
                    vec![Expr::call("TO_STRING", vec![x]), Expr::Str(String::new())],
                ),
                None => Expr::Str(String::new()),
            },
            (ScalarFn::StrCat, n) if n >= 2 => {
                // CONCAT is null when any argument is, and takes strings only; KQL's strcat
                // reads null as "" and converts other types to their string form.
                if args
                    .iter()
                    .any(|x| !matches!(x.kind, ExprKind::Literal(Literal::String(_))))
                {
                    self.value_note(
                        span,
                        "strcat of a datetime, real or timespan is formatted differently by TO_STRING (e.g. milliseconds always shown); identical for strings, integers and booleans",
                    );
                }
                let parts = a
                    .into_iter()
                    .map(|x| match x {
                        Expr::Str(_) => x,
                        x => Expr::call(
                            "COALESCE",
                            vec![Expr::call("TO_STRING", vec![x]), Expr::Str(String::new())],
                        ),
                    })
                    .collect();
                Expr::call("CONCAT", parts)
            }
            (ScalarFn::Strlen, 1) => Expr::call(
                "LENGTH",
                vec![Expr::call(
                    "COALESCE",
                    a.into_iter().chain([Expr::Str(String::new())]).collect(),
                )],
            ),
            (ScalarFn::Ipv4IsPrivate, 1) => {
                let mut v = vec![Expr::call("TO_IP", a)];
                v.extend(
                    ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
                        .iter()
                        .map(|c| Expr::Str((*c).to_string())),
                );
                Expr::call("CIDR_MATCH", v)
            }
            (ScalarFn::Ipv4IsInRange, 2) => match &args[1].kind {
                ExprKind::Literal(Literal::String(r)) => {
                    let cidr = if r.contains('/') {
                        r.clone()
                    } else {
                        format!("{r}/32")
                    };
                    let ip = a.into_iter().next().unwrap_or(Expr::Null);
                    Expr::call(
                        "CIDR_MATCH",
                        vec![Expr::call("TO_IP", vec![ip]), Expr::Str(cidr)],
                    )
                }
                _ => {
                    self.decline(
                        "B005",
                        "ipv4_is_in_range needs a literal range for CIDR_MATCH",
                        span,
                    );
                    Expr::Null
                }
            },
            (ScalarFn::StartOfDay, 1) => {
                let mut v = vec![Expr::Span(1, "day")];
                v.extend(a);
                Expr::call("DATE_TRUNC", v)
            }
            (ScalarFn::StartOfMonth, 1) => {
                let mut v = vec![Expr::Span(1, "month")];
                v.extend(a);
                Expr::call("DATE_TRUNC", v)
            }
            (ScalarFn::StartOfWeek, 1) => match a.into_iter().next() {
                // KQL's weeks start on Sunday, DATE_TRUNC's on Monday: shift a day each way.
                Some(x) => Expr::bin(
                    Expr::call(
                        "DATE_TRUNC",
                        vec![
                            Expr::Span(1, "week"),
                            Expr::bin(x, BinOp::Add, Expr::Span(1, "day")),
                        ],
                    ),
                    BinOp::Sub,
                    Expr::Span(1, "day"),
                ),
                None => Expr::Null,
            },
            (ScalarFn::Abs, 1) => simple("ABS", a),
            (ScalarFn::Floor, 1) => simple("FLOOR", a),
            (ScalarFn::Bin, 2) | (ScalarFn::Floor, 2) => self.bin(&args[0], &args[1], span),
            (ScalarFn::Coalesce, n) if n >= 1 => {
                self.value_note(
                    span,
                    "KQL's coalesce also skips empty strings; ES|QL's COALESCE skips only nulls",
                );
                simple("COALESCE", a)
            }
            // Both count the bytes of the UTF-8 encoding; KQL's string is never null ("").
            (ScalarFn::StringSize, 1) => Expr::call(
                "BYTE_LENGTH",
                vec![Expr::call(
                    "COALESCE",
                    a.into_iter().chain([Expr::Str(String::new())]).collect(),
                )],
            ),
            // TO_DATETIME reads a number as milliseconds since the epoch.
            (ScalarFn::UnixtimeMillisecondsToDatetime, 1) => {
                self.value_note(
                    span,
                    "unixtime_milliseconds_todatetime ⇒ TO_DATETIME: ES|QL dates have millisecond resolution, so a fraction of a millisecond (kept by KQL to 100 ns) is dropped",
                );
                simple("TO_DATETIME", a)
            }
            (ScalarFn::HasTerm | ScalarFn::HasTermCs, _) => self.has_term(func, a, span),
            (ScalarFn::BagPack | ScalarFn::DynamicIndex, _) => {
                self.decline_help(
                    "B005",
                    format!(
                        "{func:?} works on dynamic objects, and ES|QL has no object values \
                         (Elasticsearch flattens objects into dotted fields)"
                    ),
                    span,
                    "translate this part by hand",
                );
                Expr::Null
            }
            (f, _) => {
                self.decline_help(
                    "B005",
                    format!("the scalar function {f:?} has no exact ES|QL equivalent here"),
                    span,
                    "rewrite the query without it, or translate this part by hand",
                );
                Expr::Null
            }
        }
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
                self.decline("B005", "bin() needs a literal bin size", span);
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

fn negate_cmp(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Eq => CmpOp::Ne,
        CmpOp::Ne => CmpOp::Eq,
        CmpOp::Lt => CmpOp::Ge,
        CmpOp::Le => CmpOp::Gt,
        CmpOp::Gt => CmpOp::Le,
        CmpOp::Ge => CmpOp::Lt,
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

/// `X.a[0].b` as text, for notes.
fn dotted(fp: &ir::FieldPath) -> String {
    let mut s = fp.column.clone();
    for seg in &fp.path {
        match seg {
            PathSegment::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
            PathSegment::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
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
