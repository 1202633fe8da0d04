//! kqlport's Sigma backend: a lowered KQL query becomes a Sigma v2 detection rule, and a
//! `summarize` threshold becomes a Sigma correlation rule after it (one YAML stream, `---`).
//!
//! # What the output returns
//!
//! The detection selects the same events as the KQL filters, read by the Sigma
//! specification's semantics (values case-insensitive unless `cased`, `re` case-sensitive
//! unless `re|i`, a selection on a missing field is false, `not` is boolean negation):
//!
//! | KQL (IR)                                   | Sigma                                                                 |
//! |--------------------------------------------|-----------------------------------------------------------------------|
//! | `=~`, `in~`, `contains`, `startswith`, `endswith` | plain value / `contains` / `startswith` / `endswith` (exact)   |
//! | `==`, `in`, `*_cs`                         | the same with `cased` (exact; see "downstream" below)                 |
//! | `has`, `hasprefix`, `hassuffix` (+`_cs`)   | `re|i` (`re`) with term boundaries `(^|[^A-Za-z0-9])v($|[^A-Za-z0-9])`, dropped at an end where `v` is punctuation (exact) |
//! | `has_any` / `has_all`                      | a list of those regexes / one selection per value ANDed (exact)       |
//! | `contains`/`startswith`/`endswith` all     | `contains|all` … (exact)                                              |
//! | `matches regex`                            | `re` in the PCRE ∩ Python `re` dialect pySigma reads ([`regex`]: `\x{…}`, `\d`, POSIX classes, mid-pattern flags rewritten); a leading `(?i)` → `re|i` (exact) |
//! | `f == ""` (also matches a missing field)   | `f: ''` or `f: null` or `f|exists: false` (exact)                     |
//! | `isempty` / `isnotempty`                   | that list-of-maps selection / its `not` (exact)                       |
//! | `isnull` / `isnotnull` (non-string)        | `f: null` or `f|exists: false` / its `not` (exact)                    |
//! | `isnull` / `isnotnull` (string column)     | folded by lowering to false / true (KQL strings are never null): a top-level true is dropped, a false declined (`B047`) |
//! | numbers `==`, `<`, `<=`, `>`, `>=`, `between` | plain number, `lt`, `lte`, `gt`, `gte` (exact; numbers never quoted) |
//! | `not(x > n)`, `!between`, `not(b)`         | the complement `x|lte: n`, `x|lt: lo` or `x|gt: hi`, `b: false` (exact: KQL drops null rows here) |
//! | `in (1, 2)`                                | a number list (exact)                                                 |
//! | `a == b` (string columns)                  | `a|fieldref: b` or both empty (`f: ''`/null/missing); approximate: `fieldref`'s case sensitivity is unspecified (pySigma's SQL backends fold case), KQL's `==` is cased |
//! | `a == b` (other types)                     | `a|fieldref: b` (exact); negated: guarded and `not (a null and b null)` (KQL: two nulls are null) |
//! | `ipv4_is_private`, `ipv4_is_in_range`      | `cidr` (exact)                                                        |
//! | bool column                                | `f: true` (exact)                                                     |
//! | `and` / `or` / `not`                       | condition over named selections; ANDed single-map leaves with distinct keys are merged into one selection (exact) |
//!
//! **Negations keep events missing the field.** Predicates are put in negation normal form;
//! a negated string/equality/set leaf (`!=`, `!has`, `!in`, `!contains`, `not(x == n)`, which
//! KQL makes true on an empty or null value) is written `(not filter_N or filter_N_null)`
//! where `filter_N_null` is `field: null`. (Ordering comparisons, `between` and bool columns are
//! null on a null operand in KQL, so their negation drops the row: they get the complementary
//! comparison instead, also false on a missing field — checked with duckdb-kql.) Under the spec's boolean
//! semantics the guard is redundant (a missing field fails the selection, so `not` keeps the
//! event, as sigma-rust does); it is there for backends that compile `not` to SQL-like
//! three-valued logic (ES|QL, SQL), which would otherwise drop those events. So negations are
//! exact on both kinds of backend, and no note is emitted.
//!
//! **Downstream converters.** `cased` is part of the Sigma spec and dropping it over-matches,
//! so it is always emitted for case-sensitive KQL; pySigma's Splunk, ES|QL and Lucene backends
//! refuse it (SEMANTICS.md §9). Case-insensitive Sigma values may fold non-ASCII letters where
//! KQL folds ASCII only (differs only for non-ASCII data).
//!
//! # Approximations (each one a [`Note`](kqlport::backend::Note) at the KQL span)
//!
//! * `isnull` / `isnotnull` of a column whose type the table schema does not give (e.g. a
//!   custom `_CL` table): lowering's note — over-match (under-match) if it is a string column,
//!   where KQL's `isnull` is never true and `f: null` matches a missing field.
//! * `a == b` / `a != b` of two fields whose type the schema does not give: the non-string form;
//!   if they are strings, `==` may under-match and `!=` over-match (a missing string is `""`).
//! * A top-level `and` time window (`TimeGenerated > ago(1h)`) is dropped — over-match; the
//!   look-back belongs to the rule's schedule. Anywhere else it is declined.
//! * `project` → `fields:` (informational), `extend`, `project-away`/`-keep`/`-reorder`,
//!   `project-rename`: values only (Sigma returns the events unchanged), as long as no later
//!   filter tests a computed or renamed column (declined otherwise).
//! * `not(ipv4_is_private(ip))` / `not(ipv4_is_in_range(…))`: KQL's function is null for an
//!   empty or non-IPv4 value, so the row is dropped; Sigma's `not … cidr` keeps it — over-match.
//! * A JSON-text path (`parse_json(X).a`) becomes the dotted field `X.a` — under-match unless
//!   the backend parses `X`.
//! * `summarize count() by k | where count_ > N` → `event_count` correlation;
//!   `dcount(x)` → `value_count` with `field: x` (KQL's dcount is an estimate: over- and
//!   under-match near the threshold). The `timespan` is the `bin()` size or the rule's query
//!   period; the windowing differs (over- and under-match notes). Filters on group keys after
//!   the summarize move into the detection (exact); other aggregate columns are not produced
//!   (values). No threshold → `gte: 1`.
//!
//! # Declined (diagnostic codes)
//!
//! `B041` computed value where a field is needed · `B042` field name not writable (array index,
//! `|` or `.` in a name) · `B043` empty non-equality pattern · `B044` regex not portable ·
//! `B045` datetime/timespan/non-numeric comparison · `B046` time window inside `or`/`not` ·
//! `B047` constant predicate · `B048` field-to-field ordering · `B049` other boolean function ·
//! `B050` sort/top/take/distinct/count/second summarize · `B051` filter on a computed or renamed
//! column · `B052` non-time or non-second bin · `B053` summarize without `by` · `B054` nothing
//! to test · `B055` threshold other than one count()/dcount() compared with an integer ·
//! `B056` correlation without a usable timespan (no bin key, query period or look-back).
//!
//! # Metadata
//!
//! `id` is a UUID v5 in the namespace [`meta::NAMESPACE`]
//! (`uuid5(NAMESPACE_URL, "https://kqlport.invalid/sigma")`) of `sentinel:<lower-case rule
//! id>` (correlation: `…#correlation`), or, without a rule id, of the source name and the
//! serialised IR. `logsource` is `product: azure`, `service: <Sentinel table>` (no field
//! mapping: field names are the Sentinel columns). `level` from severity; `tags` from tactics
//! (`attack.credential_access` …; `PreAttack`, `ImpairProcessControl`,
//! `InhibitResponseFunction` have no Enterprise ATT&CK tag and are left out) and techniques
//! (`attack.t1090.003`). No `date`: the output is deterministic.

mod correlation;
mod detection;
mod join;
pub mod meta;
mod stages;
pub mod value;
pub mod yaml;

use kqlport::backend::{Backend, CommentSyntax, Notes, Outcome, RuleContext, Target, Translation};
use kqlport::diag::Diagnostic;
use kqlport::ir::{self, SourceKind};
use yaml::{Document, Yaml};

/// The Sigma target.
pub struct Sigma;

/// This target's refusals ("Sigma cannot express …").
pub(crate) const REFUSAL: kqlport_kit::refusal::Refusal =
    kqlport_kit::refusal::Refusal { target: "Sigma" };

/// A YAML comment line is `# text`, the text made one line and printable (YAML 1.1 readers such
/// as PyYAML also break lines at NEL, U+2028 and U+2029, and refuse other controls).
pub const TARGET: Target = Target {
    name: "sigma",
    extension: "yml",
    comment: CommentSyntax::to_end_of_line("#"),
};

impl Backend for Sigma {
    fn target(&self) -> &'static Target {
        &TARGET
    }

    fn translate_query(&self, rule: &RuleContext, query: &ir::Query) -> Outcome {
        let table = match &query.source.kind {
            SourceKind::Table(t) => t,
            SourceKind::Union(_) => return Err(vec![union_declined(query)]),
            SourceKind::Lookup(_) => return Err(vec![REFUSAL.lookup_source(query.source.span)]),
        };
        let mut notes = Notes::default();
        let plan = stages::plan(rule, query, &mut notes)?;
        let detection = detection::build(&plan.filters, &mut notes)?;

        let digest = serde_json::to_string(query).unwrap_or_default();
        let seed = meta::seed(rule, &digest);
        let title = meta::title(rule, table);
        let base_id = meta::rule_id(&seed, "");

        let mut docs = Vec::new();
        let base_title = match &plan.correlation {
            Some(_) => format!("{} (events)", meta::truncate(&title, 247)),
            None => title.clone(),
        };
        let name = plan
            .correlation
            .as_ref()
            .map(|_| meta::rule_name(&title, &base_id));
        let mut m: Vec<(String, Yaml)> = vec![
            ("title".into(), Yaml::Str(base_title)),
            ("id".into(), Yaml::Str(base_id.to_string())),
        ];
        if let Some(n) = &name {
            m.push(("name".into(), Yaml::Str(n.clone())));
        }
        meta::common_meta(&mut m, rule, &title);
        let logsource = match query.source.target.as_ref().and_then(|t| t.sigma.as_ref()) {
            // From a field-mapping pipeline: the parts it sets, in Sigma's order.
            Some(l) => [
                ("category", &l.category),
                ("product", &l.product),
                ("service", &l.service),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k.to_string(), Yaml::Str(v.clone()))))
            .collect(),
            None => vec![
                ("product".into(), Yaml::str("azure")),
                ("service".into(), Yaml::Str(table.clone())),
            ],
        };
        m.push(("logsource".into(), Yaml::Map(logsource)));
        m.push(("detection".into(), detection.to_yaml()));
        if !plan.fields.is_empty() {
            m.push((
                "fields".into(),
                Yaml::Seq(plan.fields.iter().cloned().map(Yaml::Str).collect()),
            ));
        }
        if let Some(level) = meta::level(rule) {
            m.push(("level".into(), Yaml::str(level)));
        }
        docs.push(Document(Yaml::Map(m)).to_string());

        if let (Some(c), Some(n)) = (&plan.correlation, &name) {
            docs.push(
                Document(correlation::correlation_doc(rule, &title, &seed, n, c)).to_string(),
            );
        }
        Ok(Translation {
            text: docs.join("---\n"),
            fidelity: notes.into_fidelity(),
        })
    }
}

/// The help of Sigma's `B032` refusal (a subquery or watchlist).
pub(crate) const SUBQUERY_HELP: &str = "a Sigma rule's values are constants: the list would have to be written into the rule (or a placeholder expanded by the converter)";

/// `B031`: Sigma has no form for a union.
fn union_declined(query: &ir::Query) -> Diagnostic {
    REFUSAL.union_of_tables(
        query.source.span,
        "a Sigma rule has one logsource, and one rule per leg is not the same rule",
    )
}
