//! `x in (subquery)` ([`PredicateKind::InSubquery`]) as a `search` over a subsearch, and a
//! named lookup source (a watchlist, externaldata) as `| inputlookup`.
//!
//! A filter's `and` part `x in (T | … | project k)` becomes
//!
//! ```text
//! | eval kqlport_sq1=md5(coalesce(<x>, ""))
//! | search [search <T | …> | eval kqlport_sq1=md5(coalesce(k, "")) | dedup kqlport_sq1 | fields kqlport_sq1]
//! | fields - kqlport_sq1
//! ```
//!
//! The subsearch's rows are formatted by Splunk's implicit `format` as
//! `( ( kqlport_sq1="…" ) OR ( … ) )`, and the outer `search` keeps the rows whose helper field
//! equals one of them ([search], [change-the-format]). Both sides compare the MD5 digest of the
//! value, never the value itself, because `search` matches field values case-insensitively and
//! reads `*` as a wildcard, where KQL's `in` is exact: two strings have the same digest exactly
//! when they are equal (up to MD5 collisions), and a digest is lowercase hex, so neither case
//! folding nor wildcards nor `format`'s quoting can touch it. `in~` lower-cases both sides
//! first. A missing string is `""` on both sides, as in KQL. A dynamic value known to be a
//! string or null ([`Shape::Text`]: a `split()` element at a computed position, a `parse_url()`
//! part) is compared as its text, as a literal list compares it; its null is in no list (`!in`
//! keeping such a row is noted: Kusto's docs do not say what `!in` gives for null). Numbers,
//! datetimes and bools are refused: their text differs between KQL and Splunk.
//!
//! A subsearch that returns nothing is formatted as `NOT( )` (format's `emptystr` default),
//! which matches no event: `in` over an empty list is false, `!in` (`NOT [ … ]`) true, as in
//! KQL. Splunk stops a subsearch at 10,000 results and 60 s (limits.conf `[subsearch]`
//! `maxout`/`maxtime`): the list is then cut, noted as an under-match for `in` and an
//! over-match for `!in`.
//!
//! `x has_any (subquery)` ([`SubqueryMatch::Term`]) compares terms instead of values. A KQL
//! term is a maximal run of ASCII letters and digits, and `has` of an item that is one such run
//! is true exactly when the item, case-folded, equals one of `x`'s terms. So the event gets
//! the multivalue helper `mvappend("kqlport_every_term", split("t".lower(replace(coalesce(x,
//! ""), "[^A-Za-z0-9]+", " t")), " "))` — its terms, lower-cased, each after a `t` — and the
//! subsearch returns the list's one-term items the same way, an empty item as
//! `kqlport_every_term` (`x has ""` is true for every `x`); a `search` on a multivalue field
//! matches when one of its values does. The values compared are a letter then letters and
//! digits, or that mark, so `search`'s case folding, wildcards, number comparison and
//! `format`'s quoting cannot touch them. An item holding any other character is
//! a phrase in KQL, which terms cannot test: it is left out of the list, noted as an
//! under-match (an over-match under `not`). Over an empty list, `has_any` is false, as `in`.
//!
//! Tests under `or` (or under a `not` over an `and`) cannot each be a `search` of their own:
//! the condition becomes one `search` over the subsearches and, for each part without a
//! subquery, a helper flag eval'd to 1 where the part holds — `search kqlport_p1=1 OR [ … ]`
//! (`Tx::subquery_formula`, every compound part in parentheses, since `search` evaluates OR
//! before AND).

use super::Tx;
use crate::ast::{BaseSearch, Command, Eval, Head, Pipeline, SearchFormula};
use kqlport::backend::Effect;
use kqlport::codes::BackendCode;
use kqlport::ir::facts::Shape;
use kqlport::ir::visit::stage_reads;
use kqlport::ir::{
    Case, Lookup, LookupColumn, LookupOrigin, Predicate, PredicateKind, Query, Subquery,
    SubqueryMatch, SubqueryTests,
};
use kqlport::schema::ColumnType;

impl Tx {
    /// A filter holding subquery tests: its other `and` parts as usual (into the base search
    /// while `search` is given), then one `search` over a subsearch per subquery test.
    pub(crate) fn subquery_filter(
        &mut self,
        p: &Predicate,
        search: Option<&mut BaseSearch>,
        cmds: &mut Vec<Command>,
    ) {
        let SubqueryTests { tests, rest } = p.subquery_tests();
        if let Some(rest) = rest {
            if rest.has_subquery() {
                // Subquery tests under `or`: one `search` over the whole condition.
                if let Some(formula) = self.subquery_formula(&rest, false) {
                    cmds.push(Command::SearchFormula(formula));
                }
                return;
            }
            match search {
                Some(search) => self.leading_filter(&rest, search, cmds),
                None => {
                    if let Some(e) = self.pred(&rest, false) {
                        cmds.push(Command::Where(e));
                    }
                }
            }
        }
        for (test, negated) in tests {
            if let PredicateKind::InSubquery {
                expr,
                sub,
                case,
                matching,
                ..
            } = &test.kind
            {
                let sub = match matching {
                    SubqueryMatch::Equal => self.in_subsearch(test, expr, sub, *case, negated),
                    SubqueryMatch::Term => self.has_any_subsearch(test, expr, sub, negated),
                };
                if let Some(sub) = sub {
                    cmds.push(Command::SearchSubsearch {
                        negated,
                        sub: Box::new(sub),
                    });
                }
            }
        }
    }

    /// A condition whose subquery tests sit under `or` (or a `not` over an `or`), as one
    /// `search` condition: `not` pushed down to the leaves (De Morgan, which holds in KQL's
    /// three-valued logic too), each subquery test its subsearch (`[…]`, `NOT […]`), and each
    /// part without one an eval'd flag, `kqlport_pN=if(<part>, 1, 0)`, tested as
    /// `kqlport_pN=1`. A part that is null in KQL is 0 here: with no `not` left above the
    /// leaves, a null part decides a row exactly as a false one does (`where` keeps only the
    /// rows whose condition is true).
    fn subquery_formula(&mut self, p: &Predicate, neg: bool) -> Option<SearchFormula> {
        if !p.has_subquery() {
            let cond = self.pred(p, neg)?;
            self.helpers += 1;
            let flag = format!("kqlport_p{}", self.helpers);
            self.pre.push((
                flag.clone(),
                Eval::call(
                    "if",
                    vec![cond, Eval::Num("1".into()), Eval::Num("0".into())],
                ),
            ));
            return Some(SearchFormula::Flag(flag));
        }
        match &p.kind {
            PredicateKind::And(v) | PredicateKind::Or(v) => {
                let parts: Vec<Option<SearchFormula>> =
                    v.iter().map(|q| self.subquery_formula(q, neg)).collect();
                let parts: Vec<SearchFormula> = parts.into_iter().collect::<Option<_>>()?;
                Some(if matches!(p.kind, PredicateKind::And(_)) != neg {
                    SearchFormula::And(parts)
                } else {
                    SearchFormula::Or(parts)
                })
            }
            PredicateKind::Not(x) => self.subquery_formula(x, !neg),
            PredicateKind::InSubquery {
                expr,
                sub,
                case,
                matching,
                negated,
            } => {
                let negated = *negated != neg;
                let sub = match matching {
                    SubqueryMatch::Equal => self.in_subsearch(p, expr, sub, *case, negated)?,
                    SubqueryMatch::Term => self.has_any_subsearch(p, expr, sub, negated)?,
                };
                Some(SearchFormula::Sub {
                    negated,
                    sub: Box::new(sub),
                })
            }
            // `has_subquery` is true only of the kinds above.
            _ => None,
        }
    }

    /// What both subsearch tests need: the subquery's pipeline, its column's name, `x`, and
    /// the types of both sides; `None` (refused) unless both are text values.
    fn subsearch_sides(
        &mut self,
        span: kqlport::source::Span,
        expr: &kqlport::ir::Expr,
        sub: &Subquery,
    ) -> Option<Sides> {
        // Text on both sides (a known string, or a type the schema does not give): a
        // subsearch hands its values over as text, so numbers, datetimes and bools, whose
        // text differs between KQL and Splunk, are refused.
        // A dynamic value known to be a string or null (`Shape::Text`, a split() element)
        // compares as its text, as `==` and a literal list do; null is in no list.
        let texty = |t: Option<ColumnType>| matches!(t, None | Some(ColumnType::String));
        let scalar = |s: Shape| matches!(s, Shape::Scalar | Shape::Member(_) | Shape::Text);
        let outer_shape = self.cols.shape_of(expr);
        let outer_ty = self.cols.infer(expr);
        let sub_facts = sub.query.facts();
        let out = sub_facts.output();
        let key_ty = out.ty(&sub.column.name);
        if !(texty(outer_ty) || outer_shape == Shape::Text)
            || !texty(key_ty)
            || !scalar(outer_shape)
            || !scalar(out.shape(&sub.column.name))
        {
            self.refuse(
                BackendCode::B032,
                span,
                "SPL tests membership in a subquery's values only between text values (a subsearch hands its values over as text)",
                "not text on both sides",
                "compare string columns, or convert with tostring() on both sides",
            );
            return None;
        }
        // The subquery first: its own stages must not take this stage's helper fields.
        let pre = std::mem::take(&mut self.pre);
        let cleanup = std::mem::take(&mut self.cleanup);
        let translated = self.sub_query(&sub.query);
        self.pre = pre;
        self.cleanup = cleanup;
        let pipeline = translated.pipeline?;
        let key = self.name(&sub.column.name, sub.column.span)?;
        let x = self.expr(expr)?;
        self.helpers += 1;
        Some(Sides {
            pipeline,
            helper: format!("kqlport_sq{}", self.helpers),
            key,
            x,
            outer_ty,
            key_ty,
        })
    }

    fn in_subsearch(
        &mut self,
        test: &Predicate,
        expr: &kqlport::ir::Expr,
        sub: &Subquery,
        case: Case,
        negated: bool,
    ) -> Option<Pipeline> {
        let span = test.span;
        let Sides {
            mut pipeline,
            helper,
            key,
            x,
            outer_ty,
            key_ty,
        } = self.subsearch_sides(span, expr, sub)?;
        // A missing string is "" (KQL has no null string); a missing value of another type is
        // null, whose digest is null: never in the list.
        let digest = |v: Eval, ty: Option<ColumnType>| {
            let v = match ty {
                Some(ColumnType::String) => Eval::call("coalesce", vec![v, Eval::str("")]),
                _ => v,
            };
            let v = match case {
                Case::Sensitive => v,
                Case::Insensitive => Eval::call("lower", vec![v]),
            };
            Eval::call("md5", vec![v])
        };
        pipeline.commands.extend([
            Command::Eval(vec![(helper.clone(), digest(Eval::Field(key), key_ty))]),
            Command::Where(Eval::call("isnotnull", vec![Eval::Field(helper.clone())])),
            Command::Dedup(vec![helper.clone()]),
            Command::FieldsKeep(vec![helper.clone()]),
        ]);
        // Computed before the stage's commands and removed after them (`Tx::flush_pre`).
        self.pre.push((helper, digest(x, outer_ty)));
        if outer_ty.is_none() || key_ty.is_none() {
            self.notes.push(
                span,
                missing_from_list(negated),
                "the schema does not give this value's type: a missing value is taken as null (never in the list), where KQL reads a missing string as \"\"",
            );
        }
        if negated && outer_ty == Some(ColumnType::Dynamic) {
            self.notes.push(
                span,
                Effect::OverMatch,
                "where this dynamic value is null (no such element or part), `!in` keeps the row: Kusto's docs do not say what `!in` gives for null (duckdb-kql drops such a row)",
            );
        }
        if case == Case::Insensitive {
            self.notes.push(
                span,
                Effect::Values,
                "`in~` is written with Splunk's lower() on both sides, which also folds non-ASCII letters (KQL's `in~` folds ASCII letters only)",
            );
        }
        self.subsearch_cap_note(span, negated);
        Some(pipeline)
    }

    /// `x has_any (subquery)` ([`SubqueryMatch::Term`]): the outer helper field holds the
    /// terms of `x` (see the module text) and the subsearch the list's items that are one term
    /// each, both lower-cased, compared by the outer `search` as whole values.
    fn has_any_subsearch(
        &mut self,
        test: &Predicate,
        expr: &kqlport::ir::Expr,
        sub: &Subquery,
        negated: bool,
    ) -> Option<Pipeline> {
        let span = test.span;
        let Sides {
            mut pipeline,
            helper,
            key,
            x,
            outer_ty,
            ..
        } = self.subsearch_sides(span, expr, sub)?;
        if outer_ty == Some(ColumnType::Dynamic) {
            // A dynamic string-or-null: what KQL's term test makes of its null is not
            // documented.
            self.refuse(
                BackendCode::B032,
                span,
                "SPL tests `has_any` of a subquery's values only on a string (this value is dynamic: a string or null)",
                "a dynamic value",
                "convert with tostring()",
            );
            return None;
        }
        let h = || Eval::Field(helper.clone());
        // The subsearch: "" stands for the `EVERY_TERM` mark, a one-term item for itself
        // lower-cased after a `t` (as each term of the event); items holding other characters
        // are left out (noted below).
        pipeline.commands.extend([
            Command::Eval(vec![(
                helper.clone(),
                Eval::call("coalesce", vec![Eval::Field(key), Eval::str("")]),
            )]),
            Command::Where(Eval::or(vec![
                Eval::bin("==", h(), Eval::str("")),
                Eval::call("match", vec![h(), Eval::str(ONE_TERM)]),
            ])),
            Command::Eval(vec![(
                helper.clone(),
                Eval::call(
                    "if",
                    vec![
                        Eval::bin("==", h(), Eval::str("")),
                        Eval::str(EVERY_TERM),
                        Eval::bin(".", Eval::str("t"), Eval::call("lower", vec![h()])),
                    ],
                ),
            )]),
            Command::Dedup(vec![helper.clone()]),
            Command::FieldsKeep(vec![helper.clone()]),
        ]);
        // The event's terms: each run of other characters becomes " t", a `t` goes in front,
        // ASCII letters are lower-cased (after the replace only ASCII letters, digits and
        // spaces are left), and the text is split at the spaces: each term after a `t`, so no
        // value compared is a number (`search` might compare numbers as numbers). The mark is
        // added to every event.
        let terms = Eval::call(
            "split",
            vec![
                Eval::bin(
                    ".",
                    Eval::str("t"),
                    Eval::call(
                        "lower",
                        vec![Eval::call(
                            "replace",
                            vec![
                                Eval::call("coalesce", vec![x, Eval::str("")]),
                                Eval::str("[^A-Za-z0-9]+"),
                                Eval::str(" t"),
                            ],
                        )],
                    ),
                ),
                Eval::str(" "),
            ],
        );
        self.pre.push((
            helper,
            Eval::call("mvappend", vec![Eval::str(EVERY_TERM), terms]),
        ));
        self.notes.push(
            span,
            missing_from_list(negated),
            "`has_any` over a computed list is tested term by term: the list's items made of ASCII letters and digits only (and \"\") are matched exactly, but an item holding other characters (a space, punctuation: a phrase in KQL) is left out of the list, as its text cannot be known when translating",
        );
        self.subsearch_cap_note(span, negated);
        Some(pipeline)
    }

    /// Splunk cuts a subsearch's results (limits.conf `[subsearch]` `maxout`/`maxtime`):
    /// values past the cut are not in the list, so `in` can miss rows and `!in` keep them.
    fn subsearch_cap_note(&mut self, span: kqlport::source::Span, negated: bool) {
        self.notes.push(
            span,
            missing_from_list(negated),
            "the subquery runs as a Splunk subsearch, which stops at 10,000 results and 60 s by default (limits.conf [subsearch] maxout / maxtime): values past that are not in the list",
        );
    }

    /// A named lookup (`_GetWatchlist('name')`, `externaldata(…)[…]`) as the Splunk lookup of
    /// that name: `| inputlookup name`. A lookup holds text: an externaldata column declared
    /// another type is refused where a stage reads it (its text and KQL's value differ).
    pub(crate) fn lookup_query(&mut self, q: &Query, l: &Lookup) -> Option<Pipeline> {
        let name = &l.name;
        if !plain_lookup_name(name) {
            self.refuse(
                BackendCode::B032,
                q.source.span,
                "the watchlist name cannot be written as a Splunk lookup name",
                "not a plain lookup name",
                "use letters, digits, `_`, `-` and `.` in the watchlist's name",
            );
            return None;
        }
        let typed: Vec<&LookupColumn> = l
            .columns
            .iter()
            .filter(|c| c.ty != ColumnType::String)
            .collect();
        for stage in &q.stages {
            let reads = stage_reads(stage);
            if let Some(c) = typed.iter().find(|c| reads.contains(&c.name.as_str())) {
                self.refuse(
                    BackendCode::B032,
                    stage.span,
                    &format!(
                        "the externaldata column `{}` is declared `{}`, and a Splunk lookup holds its text: a test or value computed from it would differ from KQL's",
                        c.name,
                        c.ty.kql_name()
                    ),
                    "non-string lookup column read",
                    "declare the column `string` and convert it in the query, or leave it unread",
                );
                return None;
            }
        }
        self.table = String::new();
        self.target = None;
        self.lookup_notes(l, q.source.span, &format!("`| inputlookup {name}`"));
        let mut cmds = Vec::new();
        self.stages_into(q, None, &mut cmds);
        self.finish(q, &mut cmds);
        self.errors.is_empty().then(|| Pipeline {
            search: Head::InputLookup(name.to_string()),
            commands: cmds,
        })
    }

    /// The notes of reading the named lookup `l` (at `span`) with the SPL `how`: which
    /// Splunk lookup the user creates from what, and an externaldata list's staleness.
    pub(crate) fn lookup_notes(&mut self, l: &Lookup, span: kqlport::source::Span, how: &str) {
        let name = &l.name;
        let note = match &l.origin {
            LookupOrigin::Watchlist => format!(
                "the watchlist `{name}` is read as the Splunk lookup `{name}` ({how}): create it from the watchlist's rows, with the same column names"
            ),
            LookupOrigin::ExternalData {
                urls,
                format,
                ignore_first_record,
            } => {
                let header: Vec<&str> = l.columns.iter().map(|c| c.name.as_str()).collect();
                format!(
                    "the externaldata is read as the Splunk lookup `{name}` ({how}): create it from {} (format {format}{}), with the header row `{}`",
                    urls.join(", "),
                    if *ignore_first_record {
                        ", its first record skipped"
                    } else {
                        ""
                    },
                    header.join(",")
                )
            }
        };
        self.notes.push(span, Effect::Values, note);
        if matches!(l.origin, LookupOrigin::ExternalData { .. }) {
            kqlport_kit::notes::stale_externaldata(&mut self.notes, span, "lookup");
        }
    }
}

/// Whether `name` can be written as a Splunk lookup name as it is.
pub(crate) fn plain_lookup_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The subsearch's two sides, from [`Tx::subsearch_sides`].
struct Sides {
    pipeline: Pipeline,
    /// The helper field both sides compare: `kqlport_sq<n>` (not `__kqlport_…`: `format`
    /// leaves out fields whose name starts with `_`).
    helper: String,
    key: String,
    x: Eval,
    outer_ty: Option<ColumnType>,
    key_ty: Option<ColumnType>,
}

/// A list item that is one KQL term: a run of ASCII letters and digits.
const ONE_TERM: &str = "^[A-Za-z0-9]+\\z";

/// The value every event's terms hold and an empty item stands for (`x has ""` is true for
/// every `x`): it has a `_`, so no term of a value and no one-term item equals it.
const EVERY_TERM: &str = "kqlport_every_term";

/// The effect of a value missing from the list: `in` misses the row, `!in` keeps it.
fn missing_from_list(negated: bool) -> Effect {
    if negated {
        Effect::OverMatch
    } else {
        Effect::UnderMatch
    }
}
