//! The base `search`: the leading filter's conjuncts it expresses exactly (time bounds as
//! `earliest`/`latest`, case-insensitive string tests as search terms), the indexed prefilter
//! of the others (`prefilter.rs`), and those others as one `where`.

use super::str_match::missing_member_effect;
use super::time::{ago_eval, is_time_col, OPEN_LATEST, SPLUNK_TIME};
use super::Tx;
use crate::ast::{
    search_safe, BaseSearch, Command, Eval, SearchExpr, SearchPart, SearchValue, TimeBound,
};
use kqlport::ir::{
    Case, CmpOp, Duration, ExprKind, MatchKind, Predicate, PredicateKind, Quantifier,
};

impl Tx {
    /// A filter before any other stage: its top-level conjuncts that the base search expresses
    /// exactly go there (time bounds as `earliest`/`latest`); the rest become one `where`, and
    /// the base search gets each one's indexed prefilter, a superset of it (`prefilter.rs`).
    ///
    /// Time bounds (`T > ago(d)` …). Splunk's `earliest` is inclusive and `latest` exclusive,
    /// and a search that sets only `earliest` ends at `now` (Search Reference, "Time
    /// modifiers"), while KQL's `T > ago(d)` has no upper bound (events stamped in the future,
    /// e.g. by clock skew, pass). So: `>=` is `earliest=-<d>s`; `>` is the same plus the strict
    /// edge `where _time > now() - d`; `<` is `latest=-<d>s`; `<=` is `latest=-<d-1>s` plus
    /// `where _time <= now() - d`; and the side KQL leaves open is opened explicitly:
    /// `latest=`[`OPEN_LATEST`] (the last 32-bit epoch second) or `earliest=0` (all time).
    pub(super) fn leading_filter(
        &mut self,
        p: &Predicate,
        search: &mut BaseSearch,
        cmds: &mut Vec<Command>,
    ) {
        let mut conjuncts = Vec::new();
        flatten_and(p, &mut conjuncts);
        let mut rest = Vec::new();
        let mut edges = Vec::new();
        for c in conjuncts {
            if let PredicateKind::TimeWindow { field, op, ago } = &c.kind {
                let whole = ago.ticks >= 0 && ago.ticks % Duration::TICKS_PER_SECOND == 0;
                if is_time_col(field) && whole {
                    if let ExprKind::Field(f) = &field.kind {
                        self.time_column_note(&f.column, field.span);
                    }
                    let secs = ago.ticks / Duration::TICKS_PER_SECOND;
                    let (slot, bound, edge) = match op {
                        CmpOp::Ge => (&mut search.earliest, secs, None),
                        CmpOp::Gt => (&mut search.earliest, secs, Some(">")),
                        CmpOp::Lt => (&mut search.latest, secs, None),
                        CmpOp::Le => (&mut search.latest, secs - 1, Some("<=")),
                        _ => (&mut None, 0, None),
                    };
                    if matches!(op, CmpOp::Gt | CmpOp::Ge | CmpOp::Lt | CmpOp::Le) && slot.is_none()
                    {
                        *slot = Some(TimeBound::Ago(bound));
                        if let Some(op) = edge {
                            edges.push(Eval::bin(
                                op,
                                Eval::Field(SPLUNK_TIME.into()),
                                ago_eval(*ago),
                            ));
                        }
                        continue;
                    }
                }
            }
            match search_expr(c, false) {
                Some(s) => {
                    self.base_search_member_notes(c, false);
                    search.terms.push(s)
                }
                None => {
                    // Stays in `where`; the search clause gets a superset of it, if one exists.
                    let pre = self.prefilters.then(|| {
                        let src = crate::prefilter::Src {
                            table: &self.table,
                            target: self.target.as_ref(),
                        };
                        crate::prefilter::prefilter(c, &src)
                    });
                    match pre.flatten() {
                        Some(SearchExpr::And(v)) => search.terms.extend(v),
                        Some(s) => search.terms.push(s),
                        None => {}
                    }
                    rest.push(c)
                }
            }
        }
        match (search.earliest, search.latest) {
            (Some(_), None) => search.latest = Some(TimeBound::Epoch(OPEN_LATEST)),
            (None, Some(_)) => search.earliest = Some(TimeBound::Epoch(0)),
            _ => {}
        }
        let parts: Vec<Eval> = rest.iter().filter_map(|c| self.pred(c, false)).collect();
        if parts.len() == rest.len() && !(parts.is_empty() && edges.is_empty()) {
            cmds.push(Command::Where(Eval::and(
                edges.into_iter().chain(parts).collect(),
            )));
        }
    }

    /// [`Tx::array_member_note`] for the string tests of a leading filter that went into the
    /// base search (`X="*v*"`, `NOT X="v"`): a plain `dynamic` column there is missing too.
    fn base_search_member_notes(&mut self, p: &Predicate, neg: bool) {
        match &p.kind {
            PredicateKind::And(v) | PredicateKind::Or(v) => {
                v.iter().for_each(|x| self.base_search_member_notes(x, neg))
            }
            PredicateKind::Not(x) => self.base_search_member_notes(x, !neg),
            PredicateKind::StrMatch(sm) => {
                let ExprKind::Field(fp) = &sm.field.kind else {
                    return;
                };
                if !fp.is_plain() || fp.parsed || self.origin_of(&fp.column).is_some() {
                    return;
                }
                // The base search takes no regex: "" satisfies a test only through a "" value.
                let empty = match sm.quantifier {
                    Quantifier::Any => sm.values.iter().any(|v| v.is_empty()),
                    Quantifier::All => sm.values.iter().all(|v| v.is_empty()),
                };
                if self.is_dynamic_event_column(&fp.column) {
                    if let Some(effect) = missing_member_effect(sm, neg, empty) {
                        self.array_member_note(&fp.column, p.span, effect, "this test");
                    }
                }
            }
            _ => {}
        }
    }
}

fn flatten_and<'a>(p: &'a Predicate, out: &mut Vec<&'a Predicate>) {
    match &p.kind {
        PredicateKind::And(v) => v.iter().for_each(|x| flatten_and(x, out)),
        _ => out.push(p),
    }
}

/// A predicate the base `search` command expresses exactly, if any: case-insensitive
/// equals/contains/prefix/suffix on a plain column with search-safe values (see
/// [`search_safe`]; a value between wildcards also without a major breaker, see
/// `prefilter::wildcard_safe`), and AND/OR/NOT of such. `NOT f="v"` keeps events lacking `f`, exactly
/// like KQL's negations.
fn search_expr(p: &Predicate, neg: bool) -> Option<SearchExpr> {
    match &p.kind {
        PredicateKind::And(v) | PredicateKind::Or(v) => {
            let parts: Option<Vec<SearchExpr>> = v.iter().map(|x| search_expr(x, neg)).collect();
            let parts = parts?;
            let is_and = matches!(p.kind, PredicateKind::And(_)) != neg;
            Some(if is_and {
                SearchExpr::And(parts)
            } else {
                SearchExpr::Or(parts)
            })
        }
        PredicateKind::Not(x) => search_expr(x, !neg),
        PredicateKind::StrMatch(sm) => {
            let ExprKind::Field(fp) = &sm.field.kind else {
                return None;
            };
            let column = crate::prefilter::search_column(fp)?;
            if sm.case != Case::Insensitive || !sm.values.iter().all(|v| search_safe(v)) {
                return None;
            }
            let (pre, post) = match sm.kind {
                MatchKind::Equals => (false, false),
                MatchKind::Contains => (true, true),
                MatchKind::StartsWith => (false, true),
                MatchKind::EndsWith => (true, false),
                _ => return None,
            };
            if (pre || post) && !sm.values.iter().all(|v| crate::prefilter::wildcard_safe(v)) {
                return None;
            }
            let values: Vec<SearchValue> = sm
                .values
                .iter()
                .map(|v| {
                    let mut parts = Vec::new();
                    if pre {
                        parts.push(SearchPart::Wildcard);
                    }
                    parts.push(SearchPart::Text(v.clone()));
                    if post {
                        parts.push(SearchPart::Wildcard);
                    }
                    SearchValue(parts)
                })
                .collect();
            let negated = sm.negated != neg;
            let combined = match sm.quantifier {
                // `IN` only unnegated: `NOT (a OR b)` is spelled out.
                Quantifier::Any if !negated => crate::prefilter::any_of(column, values),
                q => {
                    let mut v: Vec<SearchExpr> = values
                        .into_iter()
                        .map(|value| SearchExpr::Match {
                            field: column.to_string(),
                            value,
                        })
                        .collect();
                    if v.len() == 1 {
                        v.remove(0)
                    } else if q == Quantifier::All {
                        SearchExpr::And(v)
                    } else {
                        SearchExpr::Or(v)
                    }
                }
            };
            Some(if negated {
                SearchExpr::Not(Box::new(combined))
            } else {
                combined
            })
        }
        _ => None,
    }
}
