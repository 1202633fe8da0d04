//! Indexed prefilters: for a leading filter's conjunct that the base `search` cannot express
//! exactly (it stays in `| where`), a search expression that is true on every event the
//! `where` keeps — so the base search can use the index without ever narrowing the result.
//!
//! The rules, and why each is a superset (Search Manual, "Case sensitivity", "Wildcards",
//! "Event segmentation and searching"; the reasoning is written out in
//! `docs/spl-prefilters.md`):
//! * `field="v"` matches the whole value case-insensitively, so it holds wherever the
//!   case-sensitive `where field=="v"` does — for values [`search_safe`] accepts (no `*`,
//!   which is always a wildcard in a search value, no `\` or `"`, printable ASCII, no edge
//!   spaces).
//! * `contains`/`startswith`/`endswith` of a search-safe value without a major breaker (a
//!   space, a bracket, …): the same value with `*` at the open ends (never in the middle,
//!   which the Wildcards page warns returns inconsistent results on punctuation). `has` and
//!   its family: `*value*` (a term of the value is in its text). Any other value (a `*`, a
//!   backslash, non-ASCII, a space): the value's longest run of ASCII letters and digits, as
//!   `field="*run*"` — wherever the value occurs in the field, that run is a substring of it.
//!   A bare term or `TERM()` would be faster but is not a superset: KQL splits terms at every
//!   non-alphanumeric character, Splunk only at its breaker characters (`x~tor` has the KQL
//!   term `tor` and no Splunk segment `tor`), and a bare term searches all of `_raw`.
//! * `matches regex`: the longest run of ASCII letters and digits among the literals every
//!   match must contain (the pattern's top-level sequence, through groups and `+`), as
//!   `field="*run*"`; none when the pattern can match "" (it then passes a missing field) or
//!   its literals are case-insensitive.
//! * A comparison `==` of an `int`/`long` column with an integer (and `in` of integers):
//!   `field="123"`. An integer column holds a JSON number, whose text is the canonical
//!   integer, so the numeric equality of `where` implies the text equality.
//! * `and`: the conjuncts that have one; `or`: only when every branch has one. Negations
//!   and everything else: none (they stay in `where` alone).
//!
//! Only plain columns of the event are used, whose `where` test is false when the field is
//! missing (every positive test here needs a non-empty value), so `field=…` — false on an
//! event without the field — loses nothing. `dynamic` columns are left alone: Splunk's JSON
//! extraction names an array's values `X{}`, so `X` is missing where KQL sees JSON text.

use crate::ast::{is_keyword, search_safe, SearchExpr, SearchPart, SearchValue};
use crate::translate::TIME_COLUMNS;
use kqlport::ir::{
    CmpOp, ExprKind, FieldPath, Literal, MatchKind, Predicate, PredicateKind, Quantifier, StrMatch,
};
use kqlport::schema::ColumnType;

/// Time modifiers (Search Reference, "Time modifiers", with the older `*ago`/`starttime`
/// forms): the search command reads `earliest=…` as a time range, not a field. Whether it
/// does so in any case is not documented: compared without case.
const TIME_MODIFIERS: &[&str] = &[
    "earliest",
    "latest",
    "starttime",
    "endtime",
    "timeformat",
    "daysago",
    "hoursago",
    "minutesago",
    "monthsago",
    "startdaysago",
    "starthoursago",
    "startminutesago",
    "startmonthsago",
    "enddaysago",
    "endhoursago",
    "endminutesago",
    "endmonthsago",
    "searchtimespandays",
    "searchtimespanhours",
    "searchtimespanminutes",
    "searchtimespanmonths",
];

/// Search modifiers and the default fields every event carries (Knowledge Manager Manual,
/// "Use default fields"; plus `date_*`): `source="x"` tests Splunk's own `source`. Field
/// names are case-sensitive (Search Manual, "Case sensitivity"), so `Source` or `EventType`
/// is the event's own field.
const DEFAULT_FIELDS: &[&str] = &[
    "index",
    "sourcetype",
    "source",
    "host",
    "splunk_server",
    "splunk_server_group",
    "eventtype",
    "eventtypetag",
    "hosttag",
    "tag",
    "savedsearch",
    "linecount",
    "punct",
    "timestartpos",
    "timeendpos",
];

/// The column a base-search `field=value` can name for `fp`: a plain event column with a
/// name the search command reads bare (`[A-Za-z][A-Za-z0-9_]*`, not a keyword) as that
/// field (not a [`TIME_MODIFIERS`] or [`DEFAULT_FIELDS`] name, nor `date_*`), not a time
/// column (those are `_time` in Splunk).
pub(crate) fn search_column(fp: &FieldPath) -> Option<&str> {
    let name = fp.column.as_str();
    let mut c = name.chars();
    let simple = matches!(c.next(), Some(x) if x.is_ascii_alphabetic())
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_');
    (fp.is_plain()
        && simple
        && !is_keyword(name)
        && !TIME_COLUMNS.contains(&name)
        && !TIME_MODIFIERS.contains(&name.to_ascii_lowercase().as_str())
        && !DEFAULT_FIELDS.contains(&name)
        && !name.starts_with("date_"))
    .then_some(name)
}

/// `field="a"`, or `field IN ("a", "b", …)` for several values (the Search Reference's
/// `IN` is the OR of the `field=value` tests).
pub(crate) fn any_of(field: &str, values: Vec<SearchValue>) -> SearchExpr {
    let mut unique: Vec<SearchValue> = Vec::with_capacity(values.len());
    for v in values {
        if !unique.contains(&v) {
            unique.push(v);
        }
    }
    let mut values = unique;
    if values.len() == 1 {
        SearchExpr::Match {
            field: field.to_string(),
            value: values.remove(0),
        }
    } else {
        SearchExpr::In {
            field: field.to_string(),
            values,
        }
    }
}

/// Where a predicate's columns come from: the table and the field-mapping pipeline's target,
/// so a mapped name is typed by its Sentinel column.
pub(crate) struct Src<'a> {
    pub table: &'a str,
    pub target: Option<&'a kqlport::ir::TargetSource>,
}

impl Src<'_> {
    fn column_type(&self, column: &str) -> Option<ColumnType> {
        kqlport::ir::stored_column_type(self.table, self.target, column)
    }
}

/// The superset prefilter of `p` (see the module documentation), if there is one.
pub(crate) fn prefilter(p: &Predicate, src: &Src) -> Option<SearchExpr> {
    match &p.kind {
        PredicateKind::And(v) => {
            let mut parts: Vec<SearchExpr> = v.iter().filter_map(|x| prefilter(x, src)).collect();
            match parts.len() {
                0 => None,
                1 => parts.pop(),
                _ => Some(SearchExpr::And(parts)),
            }
        }
        PredicateKind::Or(v) => {
            let parts: Option<Vec<SearchExpr>> = v.iter().map(|x| prefilter(x, src)).collect();
            Some(SearchExpr::Or(parts?))
        }
        PredicateKind::StrMatch(sm) => str_match(sm, src),
        PredicateKind::Compare { lhs, op, rhs, .. } => {
            if *op != CmpOp::Eq {
                return None;
            }
            let (field, lit) = match (&lhs.kind, &rhs.kind) {
                (ExprKind::Field(f), ExprKind::Literal(l))
                | (ExprKind::Literal(l), ExprKind::Field(f)) => (f, l),
                _ => return None,
            };
            let column = integer_column(field, src)?;
            let Literal::Long(n) = lit else { return None };
            Some(any_of(column, vec![text(&n.to_string())]))
        }
        PredicateKind::InSet {
            expr,
            values,
            negated: false,
        } => {
            let ExprKind::Field(field) = &expr.kind else {
                return None;
            };
            let column = integer_column(field, src)?;
            let values: Option<Vec<SearchValue>> = values
                .iter()
                .map(|l| match l {
                    Literal::Long(n) => Some(text(&n.to_string())),
                    _ => None,
                })
                .collect();
            Some(any_of(column, values?))
        }
        PredicateKind::Not(_)
        | PredicateKind::InSet { .. }
        | PredicateKind::InSubquery { .. }
        | PredicateKind::Between { .. }
        | PredicateKind::IsEmpty { .. }
        | PredicateKind::IsNull { .. }
        | PredicateKind::TimeWindow { .. }
        | PredicateKind::Bool(_)
        | PredicateKind::Const(_) => None,
    }
}

/// A column the schema types `int`/`long`.
fn integer_column<'a>(fp: &'a FieldPath, src: &Src) -> Option<&'a str> {
    let column = search_column(fp)?;
    matches!(
        src.column_type(column),
        Some(ColumnType::Int | ColumnType::Long)
    )
    .then_some(column)
}

fn str_match(sm: &StrMatch, src: &Src) -> Option<SearchExpr> {
    if sm.negated {
        return None;
    }
    let ExprKind::Field(fp) = &sm.field.kind else {
        return None;
    };
    if fp.parsed {
        return None;
    }
    let column = search_column(fp)?;
    // A string column, or one the schema does not know (custom tables): never `dynamic`,
    // nor a typed column whose text need not be the literal's.
    if !matches!(src.column_type(column), None | Some(ColumnType::String)) {
        return None;
    }
    let values: Vec<Option<SearchValue>> =
        sm.values.iter().map(|v| value_for(sm.kind, v)).collect();
    match sm.quantifier {
        Quantifier::Any => {
            let values: Option<Vec<SearchValue>> = values.into_iter().collect();
            Some(any_of(column, values?))
        }
        Quantifier::All => {
            let parts: Vec<SearchExpr> = values
                .into_iter()
                .flatten()
                .map(|v| any_of(column, vec![v]))
                .collect();
            match parts.len() {
                0 => None,
                1 => parts.into_iter().next(),
                _ => Some(SearchExpr::And(parts)),
            }
        }
    }
}

fn text(s: &str) -> SearchValue {
    SearchValue(vec![SearchPart::Text(s.to_string())])
}

/// The search value matching every field value that passes the test `kind` of `v` (in any
/// case), if there is one.
fn value_for(kind: MatchKind, v: &str) -> Option<SearchValue> {
    let (pre, post) = match kind {
        MatchKind::Equals => (false, false),
        MatchKind::Contains => (true, true),
        MatchKind::StartsWith => (false, true),
        MatchKind::EndsWith => (true, false),
        // a term occurs in the value: so does its text
        MatchKind::Term | MatchKind::TermPrefix | MatchKind::TermSuffix => (true, true),
        // a literal run every match holds (`regex::required_run`)
        MatchKind::Regex => {
            return kqlport_kit::regex::facts::required_run(v).map(|r| contains(&r))
        }
    };
    if search_safe(v) && (!(pre || post) || wildcard_safe(v)) {
        let mut parts = Vec::new();
        if pre {
            parts.push(SearchPart::Wildcard);
        }
        parts.push(SearchPart::Text(v.to_string()));
        if post {
            parts.push(SearchPart::Wildcard);
        }
        Some(SearchValue(parts))
    } else {
        longest_run(v).map(contains)
    }
}

/// segmenters.conf's default MAJOR breakers that [`search_safe`] lets through (it already
/// refuses `"`, `*`, controls and non-ASCII); the sequences `--` and `%21`, `%20`, … are
/// checked apart.
const MAJOR_BREAKERS: &[u8] = b"[]<>(){}|!;,' &?+";

/// Whether `v` may stand between wildcards at the ends of a search value: no major breaker
/// (a space, a bracket, …), so the value stays inside one major segment — how a wildcard
/// value spanning a major breaker is looked up is not documented (a value without wildcards
/// may hold spaces: "Marin Meadows").
pub(crate) fn wildcard_safe(v: &str) -> bool {
    !(v.bytes().any(|b| MAJOR_BREAKERS.contains(&b)) || v.contains("--") || v.contains('%'))
}

/// `*run*`.
fn contains(run: &str) -> SearchValue {
    SearchValue(vec![
        SearchPart::Wildcard,
        SearchPart::Text(run.to_string()),
        SearchPart::Wildcard,
    ])
}

/// The longest maximal run of ASCII letters and digits in `v` (the first of equal length).
pub(crate) fn longest_run(v: &str) -> Option<&str> {
    v.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|r| !r.is_empty())
        .fold(None, |best: Option<&str>, r| match best {
            Some(b) if b.len() >= r.len() => Some(b),
            _ => Some(r),
        })
}
