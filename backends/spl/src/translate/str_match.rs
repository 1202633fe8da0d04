//! String tests (`==`, `=~`, `has`, `contains`, `startswith`, `endswith`, `matches regex` and
//! their `any`/`all` forms) as conditions: `==`/`in`, `lower`, or a PCRE `match`, with KQL's
//! null and `""` rules, and the note on a dynamic member Splunk leaves missing.

use super::Tx;
use crate::ast::Eval;
use kqlport::backend::Effect;
use kqlport::codes::SplCode;
use kqlport::ir::{Case, Expr, ExprKind, Literal, MatchKind, Quantifier, StrMatch, TermEdges};
use kqlport::source::Span;
use kqlport_kit::regex::{facts, pcre as re, TermBounds};

impl Tx {
    pub(super) fn array_member_note(
        &mut self,
        member: &str,
        span: Span,
        effect: Effect,
        what: &str,
    ) {
        // Outside a filter (extend, aggregates) the test computes a value.
        let effect = if self.filtering {
            effect
        } else {
            Effect::Values
        };
        self.notes.push(
            span,
            effect,
            format!(
                "if `{member}` holds an array or an object, KQL tests its JSON text (e.g. `[\"a\",\"b\"]`), while Splunk's JSON extraction names an array's values `{member}{{}}` (an object's `{member}.<key>`), so the field `{member}` is missing and {what} reads it as \"\""
            ),
        );
    }

    pub(super) fn str_match(&mut self, sm: &StrMatch, span: Span, neg: bool) -> Option<Eval> {
        let seen = self.members_read.len();
        let f = self.expr(&sm.field)?;
        let members = self.members_read.split_off(seen);
        for v in &sm.values {
            let v = Expr {
                kind: ExprKind::Literal(Literal::String(v.clone())),
                span,
            };
            self.json_bool_note(&f, &v, span);
        }
        let empty_matches = {
            let per: Vec<bool> = sm
                .values
                .iter()
                .map(|v| match sm.kind {
                    MatchKind::Regex => facts::matches_empty(v).unwrap_or(false),
                    _ => v.is_empty(),
                })
                .collect();
            match sm.quantifier {
                Quantifier::Any => per.iter().any(|b| *b),
                Quantifier::All => per.iter().all(|b| *b),
            }
        };
        if let (Some(member), Some(effect)) = (
            members.first(),
            missing_member_effect(sm, neg, empty_matches),
        ) {
            self.array_member_note(member, span, effect, "this test");
        }
        let pos = self.str_positive(sm, f.clone(), span)?;
        let isnull = Eval::call("isnull", vec![f.clone()]);
        Some(match (sm.negated != neg, empty_matches) {
            (false, false) => pos,
            (false, true) => Eval::or(vec![isnull, pos]),
            (true, false) => Eval::or(vec![isnull, Eval::not(pos)]),
            (true, true) => Eval::and(vec![Eval::call("isnotnull", vec![f]), Eval::not(pos)]),
        })
    }

    /// The positive test on a present value (null when the field is missing).
    fn str_positive(&mut self, sm: &StrMatch, f: Eval, span: Span) -> Option<Eval> {
        let combine = |v: Vec<Eval>| match sm.quantifier {
            Quantifier::Any => Eval::or(v),
            Quantifier::All => Eval::and(v),
        };
        let all_ascii = sm.values.iter().all(|v| v.is_ascii());
        match (sm.kind, sm.case) {
            (MatchKind::Regex, _) => {
                let mut v = Vec::new();
                for pat in &sm.values {
                    match re::re2_to_pcre(pat) {
                        Ok(p) => v.push(Eval::call("match", vec![f.clone(), Eval::str(p)])),
                        Err(u) => {
                            self.refuse(
                                SplCode::B016,
                                span,
                                &format!(
                                    "regular expression cannot be ported to PCRE: {}",
                                    u.message
                                ),
                                &format!("pattern bytes {:?}", u.range()),
                                "rewrite the pattern in the common RE2/PCRE subset",
                            );
                            return None;
                        }
                    }
                }
                Some(combine(v))
            }
            (MatchKind::Equals, Case::Sensitive) => Some(equals(f, &sm.values, sm.quantifier)),
            (MatchKind::Equals, Case::Insensitive) if all_ascii => {
                let lowered: Vec<String> =
                    sm.values.iter().map(|v| v.to_ascii_lowercase()).collect();
                Some(equals(
                    Eval::call("lower", vec![f]),
                    &lowered,
                    sm.quantifier,
                ))
            }
            (kind, case) => {
                let fold_classes = case == Case::Insensitive && !all_ascii;
                let esc = |v: &str| {
                    if fold_classes {
                        re::escape_ascii_fold(v)
                    } else {
                        re::escape(v)
                    }
                };
                let flag = if case == Case::Insensitive && !fold_classes {
                    "(?i)"
                } else {
                    ""
                };
                // A term value's own punctuation may stand in for a term boundary
                // (`MatchKind::term_edges`), so values are grouped by the edges they need;
                // `has_any` ORs the groups in one regex.
                let shape = |body: String, edges: TermEdges| {
                    let (before, after) = edges.search_bounds();
                    match kind {
                        MatchKind::Equals => format!("^{body}\\z"),
                        MatchKind::StartsWith => format!("^{body}"),
                        MatchKind::EndsWith => format!("{body}\\z"),
                        MatchKind::Term | MatchKind::TermPrefix | MatchKind::TermSuffix => {
                            format!("{before}{body}{after}")
                        }
                        MatchKind::Contains | MatchKind::Regex => body,
                    }
                };
                let patterns: Vec<String> = match sm.quantifier {
                    Quantifier::Any if sm.values.len() > 1 => {
                        let parts: Vec<String> = kind
                            .term_groups(&sm.values)
                            .into_iter()
                            .map(|(edges, alts)| {
                                let body = match alts.as_slice() {
                                    [one] => esc(one),
                                    _ => format!(
                                        "(?:{})",
                                        alts.iter().map(|v| esc(v)).collect::<Vec<_>>().join("|")
                                    ),
                                };
                                shape(body, edges)
                            })
                            .collect();
                        vec![if parts.len() == 1 {
                            parts.concat()
                        } else {
                            format!("(?:{})", parts.join("|"))
                        }]
                    }
                    _ => sm
                        .values
                        .iter()
                        .map(|v| shape(esc(v), kind.term_edges(v)))
                        .collect(),
                };
                let v = patterns
                    .into_iter()
                    .map(|p| Eval::call("match", vec![f.clone(), Eval::str(format!("{flag}{p}"))]))
                    .collect();
                Some(combine(v))
            }
        }
    }

    /// `text matches regex pattern` with the pattern computed when the query runs (another
    /// query's value) ⇒ `match(text, pattern)`: Splunk's `match(<str>, <regex>)` takes the regex
    /// as an eval value, read when the search runs, so no text of it is quoted or escaped
    /// here (as `has` with a computed term does, `text.rs`). Both are KQL strings, never null:
    /// missing is `""` (an empty pattern matches every text).
    pub(super) fn computed_regex(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let [text, pattern] = args else {
            return self.unsupported_fn(kqlport::ir::ScalarFn::MatchesRegex, span);
        };
        let text = Eval::call("coalesce", vec![self.expr(text)?, Eval::str("")]);
        let pattern = Eval::call("coalesce", vec![self.expr(pattern)?, Eval::str("")]);
        let msg = "the regex is computed when the query runs, so Splunk reads it as PCRE, not \
                   KQL's RE2, and it cannot be rewritten here: they agree on common syntax but \
                   differ at the edges (`$` also matches before a final line break in PCRE, `\\s` \
                   also matches a vertical tab, and PCRE runs back-references and lookarounds, \
                   which make KQL fail the query)";
        self.notes.push(span, Effect::OverMatch, msg);
        self.notes.push(span, Effect::UnderMatch, msg);
        Some(Eval::call("match", vec![text, pattern]))
    }
}

fn equals(f: Eval, values: &[String], q: Quantifier) -> Eval {
    match q {
        Quantifier::Any if values.len() > 1 => {
            let mut args = vec![f];
            args.extend(values.iter().map(|v| Eval::Str(v.clone())));
            Eval::call("in", args)
        }
        Quantifier::Any => Eval::or(
            values
                .iter()
                .map(|v| Eval::bin("==", f.clone(), Eval::Str(v.clone())))
                .collect(),
        ),
        Quantifier::All => Eval::and(
            values
                .iter()
                .map(|v| Eval::bin("==", f.clone(), Eval::Str(v.clone())))
                .collect(),
        ),
    }
}

/// How a string test can differ from KQL when its field is missing because the dynamic member
/// (or column) holds an array or an object, which KQL tests as JSON text while the test here
/// reads `""` (see [`Tx::array_member_note`]); `None` when it cannot.
pub(super) fn missing_member_effect(
    sm: &StrMatch,
    neg: bool,
    empty_matches: bool,
) -> Option<Effect> {
    let want_match = sm.negated == neg;
    // `==`/`in` of values that cannot be an array's or object's JSON text are false in KQL
    // too: no difference.
    let plain_eq = sm.kind == MatchKind::Equals
        && sm
            .values
            .iter()
            .all(|v| !v.trim_start().starts_with(['[', '{']));
    if plain_eq && !empty_matches {
        return None;
    }
    Some(match (want_match, empty_matches) {
        (true, false) | (false, true) => Effect::UnderMatch,
        (true, true) | (false, false) => Effect::OverMatch,
    })
}
