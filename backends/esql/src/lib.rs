//! kqlport's Elastic ES|QL backend: lowers the detection IR to one ES|QL pipeline
//! (`FROM <table> | WHERE … | EVAL … | STATS … BY … | KEEP … | SORT … | LIMIT …`) and says
//! exactly where the result can differ from the KQL. Owns the stage mapping; expression and
//! predicate rules live in `expr`, pattern spelling in `lucene`, text in `ast`. Never reads
//! KQL syntax, never consults a field mapping (names are kept as the Sentinel table has them).
//!
//! # Which rows the output returns
//!
//! The same rows as the KQL, except where a [`Note`](kqlport::backend::Note) says otherwise,
//! given that the index holds the Sentinel table under the same name with the same field
//! names, each field single-valued (a dynamic member or `dynamic` column may still hold an
//! array: noted, see **Dynamic values**). In particular:
//!
//! * **Case.** ES|QL is case-sensitive everywhere. KQL's case-insensitive operators become
//!   `TO_LOWER(f)` against a literal lower-cased at translation time (`=~`, `in~`, `contains`
//!   ⇒ `LIKE "*v*"`, `startswith` ⇒ `STARTS_WITH`, `endswith` ⇒ `ENDS_WITH`, `has*` ⇒ `RLIKE`);
//!   `_cs` forms and `==`/`in` compare the raw field. KQL folds only ASCII while `TO_LOWER`
//!   folds Unicode: a literal with non-ASCII letters gets an OverMatch note. Data containing
//!   U+212A KELVIN SIGN or U+0130 (whose lower case is, or starts with, an ASCII letter) can
//!   still compare differently for *any* case-insensitive test; no note is emitted for that.
//! * **Null vs empty.** KQL strings are never null (a missing value is `""`); ES|QL has
//!   three-valued logic and drops a row whose `WHERE` is null. Every predicate is compiled in a
//!   positive form (TRUE exactly when KQL says true) and a negative form (TRUE exactly when KQL
//!   says false); `not(…)` swaps them and pushes down to the leaves (De Morgan), so `NOT` is
//!   only ever applied to an expression that is non-null. Negated string tests keep missing
//!   values (`f IS NULL OR f != "v"`), tests that `""` satisfies accept them
//!   (`f IS NULL OR f == ""`). Non-string comparisons follow KQL's null rules: `==` with one
//!   null side is false, `!=` true, ordering comparisons and two nulls are null.
//!   Two columns compared (`a == b`, `a != b`, `=~`, `<` …): string columns (known from the
//!   table schema) are both `COALESCE(x, "")`, so missing equals missing and `""` (exact);
//!   other types use the null rules above (`a != b` is `(a IS NULL AND b IS NOT NULL) OR
//!   (a IS NOT NULL AND b IS NULL) OR a != b`, exact); columns of unknown type get the
//!   non-string form and a note: `==` and ordering may under-match, `!=` over-match, if they
//!   are strings.
//!   `isnull(f)` is `f IS NULL` (missing or null): KQL's meaning for every type but string. On
//!   a string column KQL's `isnull` is never true; lowering folds it to `FALSE` (`isnotnull`
//!   to `TRUE`) when the table schema says the column is a string, and adds an
//!   over-/under-match note when it does not know the column's type.
//! * **`has` family.** `RLIKE` with KQL's term boundaries (`[^A-Za-z0-9]`), whole-value:
//!   `(.*W)?v(W.*)?`, `hasprefix` `(.*W)?v.*`, `hassuffix` `.*v(W.*)?`; `has_any` is one
//!   alternation per term-edge group (groups ORed as separate RLIKEs, long lists split at
//!   2,000 characters, to keep each automaton within Lucene's determinisation limit),
//!   `has_all` an AND. A side is `.*` where `v` starts/ends with punctuation,
//!   which already bounds it (`MatchKind::term_edges`). An empty `has` value is declined. A term computed at query
//!   time (`has`/`has_cs`, `expr/functions.rs`) cannot go into a pattern: ` <term's words> ` is
//!   looked up with `LOCATE` in ` <text's words> `, every run of non-alphanumerics made one
//!   space (a term without alphanumerics is a substring test): exact for a term of ASCII letters
//!   and digits, else an OverMatch and an UnderMatch note.
//! * **`matches regex`.** The RE2 pattern is parsed with `regex-syntax` and re-emitted as a
//!   Lucene regex `.*(r).*` (anchors at the edges drop the `.*`; `.` ⇒ `[^\n]` unless `(?s)`;
//!   `\d \s \w` ⇒ their ASCII classes; `(?i)` ⇒ Unicode simple case folding into classes, as
//!   RE2 does; lazy repetition ⇒ greedy, which matches the same values; every ASCII punctuation
//!   literal escaped). Word boundaries, inner or multi-line anchors and non-RE2 syntax are
//!   declined with the construct named.
//! * **Grouping.** `STATS … BY k` puts rows with a missing `k` in a null group, where KQL puts
//!   a missing *string* in the `""` group: a key that lowering knows is a string is grouped as
//!   `k = COALESCE(k, "")` (exact); a key of unknown type gets an OverMatch and an UnderMatch
//!   note (the group can come out split in two rows, with split counts); `distinct` an
//!   OverMatch note (a null row besides the `""` one).
//!   `STATS` output columns are the aggregates then the keys; a `KEEP` restores KQL's order.
//! * **Aggregates.** `count` ⇒ `COUNT(*)`, `countif(p)` ⇒ `COUNT(*) WHERE p`, `dcount` ⇒
//!   `COUNT_DISTINCT` (both are estimates: Values note), `make_set` ⇒ `VALUES` (preview; an array
//!   of one is a single value: Values note), `make_list` ⇒ `VALUES` (de-duplicates: Values note).
//!   KQL collects (counts) a missing string as `""` while VALUES / COUNT_DISTINCT skip null, so
//!   their argument is `COALESCE(x, "")` when it is a string column of the source table (schema)
//!   the pipeline has not redefined, or `tolower`/`toupper` of anything;
//!   `min`/`max`/`sum`/`avg`, `take_any` ⇒ `MIN` (one of the group's values, as KQL allows).
//!   `count_distinct` (exact in KQL) ⇒ `COUNT_DISTINCT`, an estimate above 3000 distinct
//!   values: Values note.
//! * **Newer scalar functions.** `string_size(s)` ⇒ `BYTE_LENGTH(COALESCE(s, ""))` (both count
//!   UTF-8 bytes); `unixtime_milliseconds_todatetime(ms)` ⇒ `TO_DATETIME(ms)` (a number is
//!   read as epoch milliseconds; the sub-millisecond fraction KQL keeps is dropped: Values
//!   note). `tohex(n[, w])` ⇒ sixteen hex digits computed by arithmetic (`SUBSTRING` of a digit
//!   alphabet at `(m / 16^k) % 16`, a negative long through its bitwise complement), leading
//!   zeros stripped down to `w` with `REPLACE`: exact for a long; for a value not known to be
//!   a long, a Values note (KQL writes a negative int in 8 digits); a non-literal `w` is
//!   declined (B005). `indexof_regex(t, re)` ⇒ the length of the lazy prefix before the
//!   leftmost match, from `REPLACE(t, "\A((?s:.*?))(?:re)(?s:.*)", "$1")`, or -1 when a second
//!   rewrite (`"$1x"`) shows no match; with start/length/occurrence it is declined (B005).
//!   `parse_ipv4` has no ES|QL form (B005), nor have `bag_pack` and `X[<computed key>]`,
//!   which need object values (B005).
//! * **`arg_max`/`arg_min`.** `INLINE STATS m = MAX(t), <other aggregates> BY k | WHERE t == m
//!   OR m IS NULL` keeps each group's rows holding the extreme (all of a group whose `t` is all
//!   null, where KQL picks any row), then `INLINE STATS r = MIN(_id) BY k | WHERE _id == r`
//!   keeps one of them (`FROM … METADATA _id`), so every column comes from the same row; KQL
//!   breaks ties arbitrarily, so this is exact. Once `_id` is gone (after `KEEP`/`STATS`), tied
//!   rows are all returned: an OverMatch note. `INLINE STATS` is a technical preview of
//!   Elasticsearch 9.2+ (the output needs such a cluster). Two `arg_max`/`arg_min` in one
//!   summarize (different rows) are declined. A computed key that would overwrite a column the
//!   row is still read from is grouped under a temporary name and renamed at the end; with
//!   `arg_max(t, *)` only a generated `ColumnN` key can be computed (a key named like an input
//!   column would clash with `*` in a way KQL does not document: declined).
//! * **Regex functions** are `REPLACE`, whose regex is Java's: the RE2 pattern is re-emitted in
//!   explicit Java syntax with the same meaning (`java` module: ASCII `\d \s \w \b`, `.` without
//!   `\n`, `\A`/`\z` anchors, Unicode case folding as classes, laziness kept).
//!   `extract(re, g, s)` ⇒ `REPLACE(s, "\A(?s:.*?)(?:re)(?s:.*)|(?s:.*)", "$g")` (the leftmost
//!   match's group, `""` when none); `replace_regex` ⇒ `REPLACE` (a pattern that can match the
//!   empty string: Values note, RE2 and Java place empty matches differently); `replace_string`
//!   ⇒ `REPLACE` of the quoted lookup; `countof` ⇒ the length difference of two `REPLACE`s (a
//!   lookahead for overlapping plain matches); `trim_start`/`trim_end`/`trim` remove one
//!   anchored match per end (Values note unless the regex is one run of a class: KQL does not
//!   document whether a second adjacent match goes too). A repeated group that can match the
//!   empty string, and syntax RE2 lacks, are declined.
//! * **Other functions.** `substring` ⇒ `SUBSTRING` from 1 (a start not known to be non-negative
//!   is `CASE(k < 0, k, k + 1)` and a computed length `GREATEST(n, 0)`, with Values notes where KQL
//!   is undocumented); `datetime_diff(u, a, b)` ⇒ `DATE_DIFF(u, DATE_TRUNC(1 u, b),
//!   DATE_TRUNC(1 u, a))` (boundaries crossed; Sunday weeks; milliseconds noted, finer units
//!   declined); `hourofday`/`getmonth`/`getyear` ⇒ `DATE_EXTRACT`; `dayofweek(t) / 1d` ⇒
//!   `TO_DOUBLE(DATE_EXTRACT("day_of_week", t) % 7)` (other `dayofweek` uses are declined);
//!   `indexof(s, l)` ⇒ `LOCATE(s, l) - 1`; `base64_decode_tostring` ⇒ `FROM_BASE64` (Values note
//!   on malformed input); `url_encode` ⇒ `URL_ENCODE` (Values note: escapes are spelled
//!   differently); `url_decode` ⇒ `COALESCE(URL_DECODE(…), "")` (Values note: `+` and
//!   malformed escapes); `array_sort_asc/desc` ⇒ `MV_SORT`.
//! * **`split`.** `split(s, d)` ⇒ `SPLIT` (one-byte delimiters only; an array of one is a single
//!   value: Values note). `split(s, d)[i]` and an index into a column assigned `split(s, d)` are
//!   `MV_SLICE` — exact, the multi-value is ordered; with a longer delimiter `split(s, d)[i]`
//!   (`i >= 0`) is read with a regex that skips `i` delimiters, null when there are fewer.
//! * **`parse_url(u).Part`** ⇒ a group of an RFC 3986 URL regex over `u` (Values note: KQL's
//!   parser can normalise or reject URLs differently); a column assigned `parse_url(u)` holds the
//!   URL text. `Query Parameters` (an object) is declined.
//! * **`join`** ⇒ `LOOKUP JOIN` (GA 9.1) against a lookup-mode index that must hold the rows of
//!   the right side, whose own ES|QL (the materialisation query) is printed as `//` lines above
//!   the query (see `join`): `inner`, `innerunique`, `leftouter`, `leftsemi`, `leftanti`. Notes: the index is a snapshot (OverMatch and UnderMatch), the materialisation
//!   query is capped at 10 000 rows, and a missing key matches nothing (KQL matches `""`).
//! * **`array_length`** ⇒ `MV_COUNT`: an empty array is missing in Elasticsearch (length null,
//!   KQL 0) and a scalar counts 1 (KQL null): an UnderMatch and an OverMatch note.
//! * **Time.** `ago(7d)` ⇒ `NOW() - 7 days`; datetimes ⇒ `TO_DATETIME("…")`; `bin(t, 1d)` ⇒
//!   `DATE_TRUNC(24 hours, t)` — spans are written in hours because ES|QL rounds a `7 days`
//!   period to Monday-based calendar weeks, while KQL's bins start at the epoch.
//! * **Pushdown.** The `WHERE`s straight after `FROM` lead with what Elasticsearch 9.2 runs as a
//!   Lucene query (`pushdown`): `STARTS_WITH`/`ENDS_WITH(TO_LOWER(f), v)` are written
//!   `TO_LOWER(f) LIKE` (v's `*`, `?`, `\` escaped), `TO_LOWER(f) IN (…)` an `RLIKE`
//!   alternation, an `AND` is split into its pushable part then the rest, and a `WHERE` after
//!   `KEEP`/`DROP`/an unrelated `EVAL` moves up. Same rows; only how fast the cluster finds them.
//! * **Row cap.** ES|QL returns at most 1 000 rows unless told, and never more than 10 000
//!   (`esql.query.result_truncation_max_size`). The output always ends in an explicit
//!   `LIMIT`: the query's own when it is the last stage and ≤ 10 000, else `LIMIT 10000`.
//!   A `take`/`top` above 10 000 gets an UnderMatch note. The 10 000 cap on a KQL query whose
//!   rows are not bounded (no `take`/`top`/`count`/whole-table `summarize` at or under 10 000
//!   rows, not undone by a later join) is a target-wide caveat (`B200`, [`Esql::caveats`]):
//!   stated once in the output's header and the JSON report, not as a located note. It does
//!   not make the translation approximate: the rows it returns are the KQL's, and only a
//!   result of more than 10 000 rows is cut — as Log Analytics itself caps a result (30 000
//!   rows in the portal, 500 000 through the API).
//! * **Columns.** `extend` ⇒ `EVAL`; `project` ⇒ `EVAL` for computed columns, then `KEEP`;
//!   `project-away` ⇒ `DROP`; `project-keep` ⇒ `KEEP`; `project-rename` ⇒ `RENAME old AS new`;
//!   `project-reorder` ⇒ `KEEP cols, *`. A column the table's schema types `dynamic` may be an
//!   object, which Elasticsearch indexes as its leaf fields only (ES|QL has no column `X`, so
//!   `KEEP X` fails to verify): it is kept or dropped as `X*` (the field `X` of a scalar, or the
//!   leaves `X.…` of an object; Values note when kept), or as `X.*` when another column's name
//!   starts with `X` (an UnderMatch note: a scalar `X` would make the query fail) — see `stored`.
//! * **Dynamic values.** A path `X.a.b` is the dotted field `X.a.b` (the index holds the dynamic
//!   column as an object). A column assigned a path (`extend u = X.user`) keeps pointing at it:
//!   `u.name` reads `X.user.name`, while the source field is still in the pipeline (after a
//!   `KEEP`/`DROP` of it or a `STATS`, such a path is declined).
//! * **Arrays in dynamic values.** A dynamic member `X.a` (any key path without an index) or
//!   a column the table's schema types `dynamic` (or a column assigned one as it is,
//!   `extend c = tostring(X.a)`: TO_STRING keeps it multivalued) may hold an array, whose JSON text
//!   (`["a","b"]`) KQL tests; Elasticsearch indexes its elements as one multivalued field, on
//!   which `==`, `IN`, `LIKE`/`RLIKE`, `STARTS_WITH`/`ENDS_WITH`, `TO_LOWER` and the other
//!   single-value functions return null with a warning (`MV_LIKE` tests elements, not the
//!   JSON text; element order is not kept, so the text cannot be rebuilt). A string test on
//!   such a value is noted once: UnderMatch (null is never true, whatever the polarity), plus
//!   OverMatch where a one-element array, read as its element (an empty one as missing), can
//!   pass the test while KQL's test of the JSON text fails (positive `==`/`in`,
//!   `startswith`, `endswith`, regex, tests `""` satisfies; negated tests of JSON punctuation
//!   or regexes). `isnotempty` of a member is noted UnderMatch. Outside a filter the note is
//!   Values. An object has no value of its own in ES|QL (only its leaf fields), said in the
//!   same note. Plain columns of other or unknown types are assumed single-valued.
//! * **JSON text.** `parse_json(X).a` where the table's schema types `X` `string` (JSON text,
//!   e.g. `LocationDetails` in `AADNonInteractiveUserSignInLogs`) is `JSON_EXTRACT(X, "a")`
//!   (technical preview, Elasticsearch 9.4+): the index holds one keyword field `X`, no `X.a`;
//!   a Values note (nested values come back as compact JSON text). Otherwise (`dynamic` or a
//!   column the schema does not know) `parse_json(X).a` is read the same way as a dynamic
//!   path, as the object field `X.a`: exact when the index holds `X` as an object, as Elastic integrations ingest
//!   JSON payloads; if it holds the JSON text, the field is missing, so tests on it fail and
//!   negated tests pass — an UnderMatch and an OverMatch note on every such path (ES|QL's
//!   `JSON_EXTRACT`, preview in 9.4, would read text; not used, since it cannot read an object
//!   field). `extend j = parse_json(X)` itself emits nothing (ES|QL has no object values); `j.a`
//!   reads `X.a`, `project-away j` drops nothing, and any use of the whole value (`project j`,
//!   `by j`, `j == …`) is declined, except `make_set`/`make_list` of it, which collect `X`'s JSON
//!   text (Values note), and `array_length` of it, `MV_COUNT(X)` (UnderMatch and OverMatch
//!   notes, as for any path into a parsed value).
//! * **Array index.** Elasticsearch flattens arrays (of objects) into one multi-valued field and
//!   does not keep element order (keyword doc values are sorted and de-duplicated; elements
//!   without the key leave no gap). `X[i].a` ⇒ `MV_FIRST(X.a)` / `MV_SLICE(X.a, i)`: exact for
//!   a one-element array, otherwise it can test another element's value — an UnderMatch and an
//!   OverMatch note. With nested indexes `X[0].a[j].b` ⇒ position `j` of the flattened `X.a.b`,
//!   with the same notes (that is the element's value only when the outer arrays have one
//!   element); an index other than `[0]` before another index is declined.
//!
//! # Diagnostics
//!
//! | code | declined construct |
//! |---|---|
//! | B001 | a regex with no exact Lucene (`RLIKE`) or Java (`REPLACE`) form |
//! | B002 | a `has`-family test with an empty value |
//! | B003 | a whole parsed JSON value used as a value, or a path whose source column is gone |
//! | B004 | an index other than `[0]` before another index in a path, or an index into a computed value other than `split()`/`parse_url()` |
//! | B005 | a scalar function with no exact ES|QL form |
//! | B006 | two `arg_max`/`arg_min` in one summarize, or `arg_max(t, *)` by a computed key named like an input column |
//! | B007 | NaN/infinity, negative or sub-millisecond time spans |
//! | B008 | a table name or column pattern ES|QL cannot spell |
//! | B009 | `project`/`project-rename` whose parallel assignments would read each other |
//! | B012 | `datetime - datetime` (a timespan: ES\|QL has no date − date operator), where the operands' types are known from the schema and the pipeline |
//! | B030 | a `join` keeping right-only rows, or whose right side joins |

mod ast;
mod expr;
mod funcs;
mod java;
mod join;
mod lucene;
mod mvexpand;
pub mod pushdown;
mod stored;
mod union;

#[cfg(test)]
mod tests;

use ast::{Agg, Command, Expr, Pattern};
use expr::Cx;
use kqlport::backend::{Backend, Effect, RuleContext, Translation};
use kqlport::diag::Diagnostic;
use kqlport::ir::{self, AggFunc, ExprKind, GroupKeyKind, Nulls, SortDir, SourceKind, StageKind};
use kqlport::source::Span;

/// The largest result ES|QL returns by default configuration.
pub const MAX_ROWS: u64 = 10_000;

/// The ES|QL backend.
#[derive(Clone, Copy, Debug, Default)]
pub struct Esql;

impl Backend for Esql {
    fn name(&self) -> &'static str {
        "esql"
    }

    fn comment(&self, text: &str) -> String {
        comment(text)
    }

    fn translate(
        &self,
        rule: &RuleContext,
        query: &ir::Query,
    ) -> Result<Translation, Vec<Diagnostic>> {
        // IR nesting (bounded by lowering) is walked recursively: on a stack of its own.
        kqlport::stack::with_stack(|| self.translate_here(rule, query))
    }

    fn caveats(&self, query: &ir::Query) -> Vec<kqlport::backend::Caveat> {
        if row_bound(&query.stages).is_some() {
            return Vec::new();
        }
        vec![kqlport::backend::Caveat {
            code: "B200",
            message: "ES|QL returns at most 10,000 rows (esql.query.result_truncation_max_size); \
                      nothing in the KQL bounds its result (take, top, count), so a result of more \
                      rows is cut to 10,000"
                .to_string(),
        }]
    }
}

impl Esql {
    fn translate_here(
        &self,
        _rule: &RuleContext,
        query: &ir::Query,
    ) -> Result<Translation, Vec<Diagnostic>> {
        let mut cx = Cx::default();
        let q = lower_query(&mut cx, query);
        if !cx.errors.is_empty() {
            return Err(cx.errors);
        }
        let mut text: String = cx.preamble.iter().map(|l| comment(l) + "\n").collect();
        text.push_str(&q.to_string());
        Ok(Translation {
            text,
            fidelity: cx.notes.into_fidelity(),
        })
    }
}

/// How the translation of `query` uses the index in its leading `WHERE`s (for `check
/// --coverage`); `None` when it is declined.
pub fn leading_filter(query: &ir::Query) -> Option<pushdown::LeadingFilter> {
    kqlport::stack::with_stack(|| {
        let mut cx = Cx::default();
        let q = lower_query(&mut cx, query);
        cx.errors
            .is_empty()
            .then(|| pushdown::leading_filter(&q.commands))
    })
}

/// At most how many rows the KQL returns, when its stages bound it (`take`/`top`, `count`,
/// `summarize` without `by`) and no later stage can multiply rows (a join other than semi/anti
/// can). `None`: unbounded. (A `take`/`top` above [`MAX_ROWS`] has its own UnderMatch note.)
fn row_bound(stages: &[ir::Stage]) -> Option<u64> {
    let mut bound: Option<u64> = None;
    for s in stages {
        bound = match &s.kind {
            StageKind::Limit(n) | StageKind::Top { n, .. } => Some(bound.map_or(*n, |b| b.min(*n))),
            StageKind::Count => Some(1),
            StageKind::Aggregate { by, .. } if by.is_empty() => Some(1),
            StageKind::Join { kind, .. } if kind.keeps_columns() == (true, false) => bound,
            StageKind::Join { .. } | StageKind::MvExpand(_) => None,
            _ => bound,
        };
    }
    bound
}

/// One query's pipeline, ending in an explicit `LIMIT`. Notes and refusals go to `cx`.
pub(crate) fn lower_query(cx: &mut Cx, query: &ir::Query) -> ast::Query {
    let table = match &query.source.kind {
        SourceKind::Table(table) => table,
        SourceKind::Union(u) => return union::lower_union(cx, query, u),
    };
    cx.table = table.clone();
    cx.target = query.source.target.clone();
    // A field-mapping pipeline may give an index pattern (`logs-m365_defender.event-*`).
    let mapped = query
        .source
        .target
        .as_ref()
        .and_then(|t| t.elastic_index.clone());
    let index = mapped.clone().unwrap_or_else(|| table.clone());
    let plain = match &mapped {
        Some(pattern) => pattern
            .split(',')
            .all(|p| is_plain_index(&p.replace('*', "x"))),
        None => is_plain_index(table),
    };
    if !plain {
        cx.decline(
            "B008",
            "this table name is not a plain ES|QL index name",
            query.source.span,
        );
    }
    let mut commands = Vec::new();
    for (i, stage) in query.stages.iter().enumerate() {
        cx.redefined = stored::redefined_by(&query.stages[..i]);
        if let StageKind::Join { kind, right, on } = &stage.kind {
            let left = join::LeftColumns {
                exact: ir::columns_after(None, &query.stages[..i]),
                from_schema: stored::schema_columns(table, query.source.target.as_ref())
                    .and_then(|cols| ir::columns_after(Some(cols), &query.stages[..i])),
            };
            join::lookup_join(cx, stage, *kind, right, on, left, &mut commands);
            continue;
        }
        if let StageKind::MvExpand(m) = &stage.kind {
            mvexpand::mv_expand(cx, m, stage.span, &query.stages[i + 1..], &mut commands);
            continue;
        }
        lower_stage(cx, stage, &mut commands);
    }
    pushdown::lead_with_pushable(&mut commands);
    if !matches!(commands.last(), Some(Command::Limit(n)) if *n <= MAX_ROWS) {
        commands.push(Command::Limit(MAX_ROWS));
    }
    ast::Query {
        index,
        metadata_id: cx.metadata_id,
        metadata_index: false,
        commands,
    }
}

fn is_plain_index(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn pattern(cx: &mut Cx, p: &ir::ColumnPattern) -> Pattern {
    if p.is_wildcard() {
        let ok = p
            .pattern
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '@' | '*'));
        if !ok {
            cx.decline(
                "B008",
                "a column wildcard with characters ES|QL cannot spell in a pattern",
                p.span,
            );
        }
        Pattern::Wildcard(p.pattern.clone())
    } else {
        Pattern::Name(p.pattern.clone())
    }
}

/// The columns a KQL expression reads.
fn columns_read(e: &ir::Expr, out: &mut Vec<String>) {
    out.extend(ir::visit::expr_columns(e).into_iter().map(String::from));
}

/// Whether a KQL column pattern (`*` wildcards) matches a name.
fn column_matches(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if name.len() < first.len() + last.len() || !name.starts_with(first) || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// `split(x, "d")` with a one-byte literal delimiter: an ordered multi-value.
fn is_split_call(e: &ir::Expr) -> bool {
    matches!(&e.kind, ExprKind::Call { func: ir::ScalarFn::Split, args }
        if matches!(args.as_slice(), [_, ir::Expr { kind: ExprKind::Literal(ir::Literal::String(d)), .. }] if d.len() == 1))
}

/// Records whether `name` now holds a `split()` result or a `parse_url()` text.
fn track_split(cx: &mut Cx, name: &str, e: &ir::Expr) {
    match cx.member_of(e) {
        Some(m) => cx.member_columns.insert(name.to_string(), m),
        None => cx.member_columns.remove(name),
    };
    if is_split_call(e) {
        cx.split_columns.insert(name.to_string());
    } else {
        cx.split_columns.remove(name);
    }
    if matches!(&e.kind, ExprKind::Call { func: ir::ScalarFn::ParseUrl, args } if args.len() == 1) {
        cx.url_columns.insert(name.to_string());
    } else {
        cx.url_columns.remove(name);
    }
}

fn is_plain_column(e: &ir::Expr, name: &str) -> bool {
    matches!(&e.kind, ExprKind::Field(fp) if fp.is_plain() && !fp.parsed && fp.column == name)
}

fn lower_stage(cx: &mut Cx, stage: &ir::Stage, out: &mut Vec<Command>) {
    match &stage.kind {
        StageKind::Filter(p) => {
            cx.filtering = true;
            let e = cx.pred(p, true);
            cx.filtering = false;
            if e != Expr::Bool(true) {
                out.push(Command::Where(e));
            }
        }
        StageKind::Extend(assigns) => {
            let mut items = Vec::new();
            for a in assigns {
                let alias = match &a.expr.kind {
                    ExprKind::Field(fp) => cx.alias_for(fp),
                    _ => None,
                };
                let virtual_only = alias.as_ref().is_some_and(|al| al.virtual_only);
                if !virtual_only {
                    items.push((a.name.name.clone(), cx.expr(&a.expr)));
                }
                cx.source_gone(&a.name.name);
                match alias {
                    Some(al) => cx.aliases.insert(a.name.name.clone(), al),
                    None => cx.aliases.remove(&a.name.name),
                };
                track_split(cx, &a.name.name, &a.expr);
            }
            if !items.is_empty() {
                out.push(Command::Eval(items));
            }
        }
        StageKind::Project(assigns) => {
            // KQL evaluates every assignment against the input; EVAL goes left to right, so a
            // computed column must not be read by a later assignment.
            let mut evals = Vec::new();
            let mut assigned: Vec<&str> = Vec::new();
            for a in assigns {
                let mut reads = Vec::new();
                columns_read(&a.expr, &mut reads);
                if let Some(r) = reads.iter().find(|r| assigned.contains(&r.as_str())) {
                    cx.decline(
                        "B009",
                        format!("this assignment reads `{r}`, which an earlier assignment of the same project overwrites"),
                        a.name.span.to(a.expr.span),
                    );
                }
                if let ExprKind::Field(fp) = &a.expr.kind {
                    if cx.alias_for(fp).is_some_and(|al| al.virtual_only) {
                        cx.check_real_column(&fp.column, a.expr.span);
                        if fp.column != a.name.name || !fp.path.is_empty() {
                            cx.decline(
                                "B003",
                                "a whole parsed JSON value as a column; ES|QL has no object values, only the leaf fields under it",
                                a.expr.span,
                            );
                        }
                        continue;
                    }
                }
                if !is_plain_column(&a.expr, &a.name.name) {
                    evals.push((a.name.name.clone(), cx.expr(&a.expr)));
                    assigned.push(&a.name.name);
                }
            }
            // Only the projected columns remain; paths into aliases can no longer be read.
            cx.aliases
                .retain(|n, _| assigns.iter().any(|a| &a.name.name == n));
            let splits: std::collections::HashSet<String> = assigns
                .iter()
                .filter(|a| match &a.expr.kind {
                    ExprKind::Field(fp) if fp.is_plain() && !fp.parsed => {
                        cx.split_columns.contains(&fp.column)
                    }
                    _ => is_split_call(&a.expr),
                })
                .map(|a| a.name.name.clone())
                .collect();
            cx.split_columns = splits;
            let members: std::collections::HashMap<String, String> = assigns
                .iter()
                .filter_map(|a| Some((a.name.name.clone(), cx.member_of(&a.expr)?)))
                .collect();
            cx.member_columns = members;
            let urls: std::collections::HashSet<String> = assigns
                .iter()
                .filter(|a| match &a.expr.kind {
                    ExprKind::Field(fp) if fp.is_plain() && !fp.parsed => {
                        cx.url_columns.contains(&fp.column)
                    }
                    ExprKind::Call {
                        func: ir::ScalarFn::ParseUrl,
                        args,
                    } => args.len() == 1,
                    _ => false,
                })
                .map(|a| a.name.name.clone())
                .collect();
            cx.url_columns = urls;
            cx.all_sources_gone();
            cx.id_gone = true;
            if !evals.is_empty() {
                out.push(Command::Eval(evals));
            }
            let keep = assigns
                .iter()
                .map(|a| {
                    if is_plain_column(&a.expr, &a.name.name) {
                        cx.column_pattern(&a.name.name, a.expr.span, true)
                    } else {
                        Pattern::Name(a.name.name.clone())
                    }
                })
                .collect();
            out.push(Command::Keep(keep));
        }
        StageKind::ProjectAway(ps) => {
            let mut kept = Vec::new();
            for p in ps {
                // A whole parsed value was never a column: nothing to drop.
                let virtual_only =
                    !p.is_wildcard() && cx.aliases.get(&p.pattern).is_some_and(|a| a.virtual_only);
                let names: Vec<String> = cx.aliases.keys().cloned().collect();
                for n in names {
                    if column_matches(&p.pattern, &n) {
                        cx.aliases.remove(&n);
                    }
                }
                let sources: Vec<String> = cx
                    .aliases
                    .values()
                    .map(|a| a.target.column.clone())
                    .collect();
                for c in sources {
                    if column_matches(&p.pattern, &c) {
                        cx.source_gone(&c);
                    }
                }
                if !virtual_only {
                    if p.is_wildcard() {
                        kept.push(pattern(cx, p));
                    } else {
                        kept.push(cx.column_pattern(&p.pattern, p.span, false));
                    }
                }
                if column_matches(&p.pattern, "_id") {
                    cx.id_gone = true;
                }
                cx.split_columns.retain(|n| !column_matches(&p.pattern, n));
                cx.member_columns
                    .retain(|n, _| !column_matches(&p.pattern, n));
                cx.url_columns.retain(|n| !column_matches(&p.pattern, n));
            }
            if !kept.is_empty() {
                out.push(Command::Drop(kept));
            }
        }
        StageKind::ProjectKeep(ps) => {
            for p in ps {
                if !p.is_wildcard() {
                    cx.check_real_column(&p.pattern, p.span);
                }
            }
            let ps = ps
                .iter()
                .map(|p| {
                    if p.is_wildcard() {
                        pattern(cx, p)
                    } else {
                        cx.column_pattern(&p.pattern, p.span, true)
                    }
                })
                .collect();
            cx.all_sources_gone();
            cx.id_gone = true;
            out.push(Command::Keep(ps));
        }
        StageKind::Rename(pairs) => {
            let mut renamed: Vec<&str> = Vec::new();
            for (new, old) in pairs {
                cx.check_real_column(&old.name, old.span);
                if old.name == "_id" || new.name == "_id" {
                    cx.id_gone = true;
                }
                cx.source_gone(&old.name);
                cx.source_gone(&new.name);
                let was_split = cx.split_columns.remove(&old.name);
                cx.split_columns.remove(&new.name);
                if was_split {
                    cx.split_columns.insert(new.name.clone());
                }
                let member = cx.member_columns.remove(&old.name);
                cx.member_columns.remove(&new.name);
                if let Some(m) = member {
                    cx.member_columns.insert(new.name.clone(), m);
                }
                let was_url = cx.url_columns.remove(&old.name);
                cx.url_columns.remove(&new.name);
                if was_url {
                    cx.url_columns.insert(new.name.clone());
                }
                if let Some(a) = cx.aliases.remove(&old.name) {
                    cx.aliases.insert(new.name.clone(), a);
                } else {
                    cx.aliases.remove(&new.name);
                }
                if renamed.contains(&old.name.as_str()) {
                    cx.decline(
                        "B009",
                        format!(
                            "`{}` is both renamed and the target of a rename in one project-rename",
                            old.name
                        ),
                        new.span.to(old.span),
                    );
                }
                renamed.push(&new.name);
            }
            out.push(Command::Rename(
                pairs
                    .iter()
                    .map(|(new, old)| (old.name.clone(), new.name.clone()))
                    .collect(),
            ));
        }
        StageKind::Reorder(ps) => {
            for p in ps {
                if !p.is_wildcard() {
                    cx.check_real_column(&p.pattern, p.span);
                }
            }
            let mut ps: Vec<Pattern> = ps
                .iter()
                .map(|p| {
                    if p.is_wildcard() {
                        pattern(cx, p)
                    } else {
                        // reordering keeps every column: no values note
                        cx.column_pattern(&p.pattern, p.span, false)
                    }
                })
                .collect();
            ps.push(Pattern::Wildcard("*".into()));
            cx.id_gone = true;
            out.push(Command::Keep(ps));
        }
        StageKind::Aggregate { by, aggs } => {
            if aggs
                .iter()
                .any(|a| matches!(a.func, AggFunc::ArgMax { .. } | AggFunc::ArgMin { .. }))
            {
                arg_extreme(cx, by, aggs, out);
                cx.aliases.clear();
                cx.split_columns.clear();
                cx.member_columns.clear();
                cx.url_columns.clear();
                cx.id_gone = true;
                return;
            }
            let aggs_out: Vec<Agg> = aggs.iter().map(|a| aggregation(cx, a)).collect();
            let by_out: Vec<(String, Option<Expr>)> =
                by.iter().map(|k| group_key(cx, k, true)).collect();
            let reorder = !aggs_out.is_empty() && !by_out.is_empty();
            let order: Vec<Pattern> = by_out
                .iter()
                .map(|(n, _)| Pattern::Name(n.clone()))
                .chain(aggs_out.iter().map(|a| Pattern::Name(a.name.clone())))
                .collect();
            cx.aliases.clear();
            cx.split_columns.clear();
            cx.member_columns.clear();
            cx.url_columns.clear();
            cx.id_gone = true;
            out.push(Command::Stats {
                aggs: aggs_out,
                by: by_out,
            });
            if reorder {
                out.push(Command::Keep(order));
            }
        }
        StageKind::Sort(keys) => {
            let keys = keys.iter().map(|k| sort_key(cx, k)).collect();
            out.push(Command::Sort(keys));
        }
        StageKind::Top { n, key } => {
            let k = sort_key(cx, key);
            out.push(Command::Sort(vec![k]));
            limit(cx, *n, stage.span, out);
        }
        StageKind::Limit(n) => limit(cx, *n, stage.span, out),
        StageKind::Distinct(cols) => {
            for c in cols {
                cx.notes.push(
                    c.span,
                    Effect::OverMatch,
                    format!("if `{}` is a string column, KQL returns rows missing it as \"\", one row with the rows where it is \"\"; ES|QL returns a row with a null `{}` besides the \"\" row", c.name, c.name),
                );
                cx.check_real_column(&c.name, c.span);
            }
            cx.aliases.clear();
            cx.split_columns.clear();
            cx.member_columns.clear();
            cx.url_columns.clear();
            cx.id_gone = true;
            out.push(Command::Stats {
                aggs: Vec::new(),
                by: cols.iter().map(|c| (c.name.clone(), None)).collect(),
            });
        }
        // `lower_query` hands joins to `join::lookup_join`, which needs the left columns.
        StageKind::Join { .. } => {}
        // `lower_query` hands mv-expand to `mvexpand::mv_expand`, which reads the later stages.
        StageKind::MvExpand(_) => {}
        StageKind::Parse(_) => cx.decline(
            "B071",
            "parse is not translated to ES|QL yet: DISSECT or GROK would hold it, but how they treat line breaks, empty values and a value that does not match is not modelled by kqlport (nor checked by its ES|QL evaluator)",
            stage.span,
        ),
        StageKind::Count => {
            cx.aliases.clear();
            cx.split_columns.clear();
            cx.member_columns.clear();
            cx.url_columns.clear();
            cx.id_gone = true;
            out.push(Command::Stats {
                aggs: vec![Agg {
                    name: "Count".into(),
                    expr: Expr::CountStar,
                    filter: None,
                }],
                by: Vec::new(),
            })
        }
    }
}

/// A `BY` item: the key's name and, unless it is the column of that name, its expression.
/// With `merge_missing`, a key known to be a string is grouped as `COALESCE(k, "")`: KQL
/// reads a missing string as `""` and so puts it in the `""` group, where ES|QL would make a
/// null group of its own.
fn group_key(cx: &mut Cx, k: &ir::GroupKey, merge_missing: bool) -> (String, Option<Expr>) {
    let e = match &k.kind {
        GroupKeyKind::Expr(e) => {
            let span = k.name.span.to(e.span);
            if merge_missing && k.operands == ir::Operands::Strings {
                if is_plain_column(e, &k.name.name) {
                    cx.check_real_column(&k.name.name, e.span);
                }
                let v = match cx.expr(e) {
                    // Already never null (e.g. a `tostring`: `COALESCE(…, "")`).
                    Expr::Call("COALESCE", args) if matches!(args.last(), Some(Expr::Str(s)) if s.is_empty()) => {
                        Expr::Call("COALESCE", args)
                    }
                    v => Expr::call("COALESCE", vec![v, Expr::Str(String::new())]),
                };
                return (k.name.name.clone(), Some(v));
            }
            if k.operands != ir::Operands::NotStrings {
                null_group_note(cx, &k.name.name, span);
            }
            if is_plain_column(e, &k.name.name) && cx.check_real_column(&k.name.name, e.span) {
                None
            } else {
                Some(cx.expr(e))
            }
        }
        GroupKeyKind::Bin { field, size } => {
            let span = k.name.span.to(field.span);
            Some(match size {
                ir::BinSize::Duration(d) => {
                    let s = cx.fixed_span(*d, span);
                    let f = cx.expr(field);
                    Expr::call("DATE_TRUNC", vec![s, f])
                }
                ir::BinSize::Number(n) => {
                    let f = cx.expr(field);
                    let n = cx.literal(&ir::Literal::Real(*n), span);
                    let n = match n {
                        Expr::Dec(d) if d.fract() == 0.0 && d.abs() < 9.0e15 => Expr::Int(d as i64),
                        other => other,
                    };
                    cx.numeric_bin(f, n, span)
                }
            })
        }
    };
    (k.name.name.clone(), e)
}

/// Temporary columns of the `arg_max`/`arg_min` rendering.
const EXTREME: &str = "kqlport_extreme";
const ROW: &str = "kqlport_row";
const BY_VALUE: &str = "kqlport_by";
const BY_KEY: &str = "kqlport_key";

/// `summarize arg_max(t, cols…), other aggregates by k` — the row of each group with the
/// largest `t` (nulls ignored; any row when all are null; ties broken arbitrarily):
///
/// ```text
/// FROM T METADATA _id
/// | INLINE STATS kqlport_extreme = MAX(t), <other aggregates> BY k
/// | WHERE t == kqlport_extreme OR kqlport_extreme IS NULL
/// | INLINE STATS kqlport_row = MIN(_id) BY k
/// | WHERE _id == kqlport_row
/// | KEEP k, t, cols…, <other aggregates>        (arg_max(t, *): DROP temporaries, KEEP k, t, *)
/// ```
///
/// The first two lines keep the rows holding the extreme (every row of a group whose `t` is
/// all null, as KQL then picks any row); the next two keep one of them per group, by document
/// id, so the columns always come from one row. When `_id` is no longer available (after
/// KEEP or STATS), tied rows are all returned: an OverMatch note.
fn arg_extreme(cx: &mut Cx, by: &[ir::GroupKey], aggs: &[ir::Aggregation], out: &mut Vec<Command>) {
    let extremes: Vec<&ir::Aggregation> = aggs
        .iter()
        .filter(|a| matches!(a.func, AggFunc::ArgMax { .. } | AggFunc::ArgMin { .. }))
        .collect();
    if let Some(second) = extremes.get(1) {
        cx.decline_help(
            "B006",
            "a second arg_max/arg_min in the same summarize picks its columns from a different row",
            second.span,
            "split the summarize, or translate by hand",
        );
        return;
    }
    let a = extremes[0];
    let (t, cols, is_max) = match &a.func {
        AggFunc::ArgMax { by, cols } => (by, cols, true),
        AggFunc::ArgMin { by, cols } => (by, cols, false),
        _ => return,
    };
    let star = cols.is_empty();
    // Not merged into "" here: a computed key could clash with an input column under `*`.
    let mut by_out: Vec<(String, Option<Expr>)> =
        by.iter().map(|k| group_key(cx, k, false)).collect();
    // A computed key would overwrite a column of its name in INLINE STATS while the row is
    // still read: it is computed under a temporary name and renamed at the end. With `*`, KQL
    // outputs the key and every input column: a key named like an input column (which only a
    // generated `ColumnN` name is known not to be) would clash, in a way KQL does not document.
    let mut reads = Vec::new();
    columns_read(t, &mut reads);
    cols.iter().for_each(|c| columns_read(&c.expr, &mut reads));
    let mut renames: Vec<(String, String)> = Vec::new();
    for (i, (name, e)) in by_out.iter_mut().enumerate() {
        if e.is_none() || !(star || reads.contains(name)) {
            continue;
        }
        if star && !is_generated_name(name) {
            cx.decline(
                "B006",
                format!("arg_max/arg_min(…, *) grouped by a computed key `{name}` that can clash with an input column of that name; KQL does not document which one it keeps"),
                a.span,
            );
            return;
        }
        let temp = format!("{BY_KEY}{i}");
        renames.push((temp.clone(), name.clone()));
        *name = temp;
    }
    let final_name = |n: &str| -> String {
        renames
            .iter()
            .find(|(t, _)| t == n)
            .map_or_else(|| n.to_string(), |(_, f)| f.clone())
    };
    let t_col = if let ExprKind::Field(fp) = &t.kind {
        if fp.is_plain() && !fp.parsed && !cx.aliases.contains_key(&fp.column) {
            Some(fp.column.clone())
        } else {
            None
        }
    } else {
        None
    };
    let t_col = match t_col {
        Some(c) => c,
        None => {
            let e = cx.expr(t);
            out.push(Command::Eval(vec![(BY_VALUE.into(), e)]));
            BY_VALUE.to_string()
        }
    };
    let mut first = vec![Agg {
        name: EXTREME.into(),
        expr: Expr::call(
            if is_max { "MAX" } else { "MIN" },
            vec![Expr::Column(t_col.clone())],
        ),
        filter: None,
    }];
    for other in aggs.iter().filter(|x| !std::ptr::eq(*x, a)) {
        first.push(aggregation(cx, other));
    }
    out.push(Command::InlineStats {
        aggs: first,
        by: by_out.clone(),
    });
    out.push(Command::Where(Expr::or(vec![
        Expr::bin(
            Expr::Column(t_col.clone()),
            ast::BinOp::Eq,
            Expr::Column(EXTREME.into()),
        ),
        Expr::is_null(Expr::Column(EXTREME.into())),
    ])));
    let keys: Vec<(String, Option<Expr>)> = by_out.iter().map(|(n, _)| (n.clone(), None)).collect();
    if cx.id_gone {
        cx.notes.push(
            a.span,
            Effect::OverMatch,
            "rows tied on the extreme value are all returned (KQL returns one per group): the document `_id` that would pick one is no longer in the ES|QL pipeline here",
        );
    } else {
        cx.metadata_id = true;
        out.push(Command::InlineStats {
            aggs: vec![Agg {
                name: ROW.into(),
                expr: Expr::call("MIN", vec![Expr::Column("_id".into())]),
                filter: None,
            }],
            by: keys,
        });
        out.push(Command::Where(Expr::bin(
            Expr::Column("_id".into()),
            ast::BinOp::Eq,
            Expr::Column(ROW.into()),
        )));
    }
    // The output columns, in KQL's order: keys, then each aggregate (arg_max expanding to its
    // value and columns).
    let mut evals = Vec::new();
    let mut assigned: Vec<&str> = Vec::new();
    if a.name.name != t_col {
        evals.push((a.name.name.clone(), Expr::Column(t_col.clone())));
        assigned.push(&a.name.name);
    }
    for c in cols {
        let mut r = Vec::new();
        columns_read(&c.expr, &mut r);
        if let Some(r) = r.iter().find(|r| assigned.contains(&r.as_str())) {
            cx.decline(
                "B009",
                format!("this arg_max column reads `{r}`, which an earlier column of the same arg_max overwrites"),
                c.name.span.to(c.expr.span),
            );
        }
        if !is_plain_column(&c.expr, &c.name.name) {
            evals.push((c.name.name.clone(), cx.expr(&c.expr)));
            assigned.push(&c.name.name);
        }
    }
    if !evals.is_empty() {
        out.push(Command::Eval(evals));
    }
    let mut keep: Vec<Pattern> = by_out
        .iter()
        .map(|(n, _)| Pattern::Name(final_name(n)))
        .collect();
    for x in aggs {
        if std::ptr::eq(x, a) {
            keep.push(Pattern::Name(a.name.name.clone()));
            keep.extend(cols.iter().map(|c| Pattern::Name(c.name.name.clone())));
            if star {
                keep.push(Pattern::Wildcard("*".into()));
            }
        } else {
            keep.push(Pattern::Name(x.name.name.clone()));
        }
    }
    if star {
        let mut drop = vec![Pattern::Name(EXTREME.into())];
        if t_col == BY_VALUE {
            drop.push(Pattern::Name(BY_VALUE.into()));
        }
        if !cx.id_gone {
            drop.push(Pattern::Name(ROW.into()));
            drop.push(Pattern::Name("_id".into()));
        }
        out.push(Command::Drop(drop));
    }
    if !renames.is_empty() {
        out.push(Command::Rename(renames));
    }
    out.push(Command::Keep(keep));
}

/// A name lowering generated for an unnamed expression (`Column1`, `Column2`, …), which no
/// input column has.
fn is_generated_name(name: &str) -> bool {
    name.strip_prefix("Column")
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// A key that may be a string with missing values: ES|QL groups the missing ones apart from
/// `""`, KQL together, so a KQL group can come out as two rows with the rows (and counts)
/// split between them — an added row, and a KQL row missing — and later filters or `top`
/// then act on the split counts.
fn null_group_note(cx: &mut Cx, name: &str, span: Span) {
    let msg = format!(
        "if `{name}` is a string column, KQL groups rows missing it with the rows where it is \"\" (one row, key \"\"); ES|QL makes the missing ones a null group of their own, so that group can come out as two rows, each with part of the rows and counts (a later filter or `top` acts on those)"
    );
    cx.notes.push(span, Effect::OverMatch, msg.clone());
    cx.notes.push(span, Effect::UnderMatch, msg);
}

fn limit(cx: &mut Cx, n: u64, span: Span, out: &mut Vec<Command>) {
    if n > MAX_ROWS {
        cx.notes.push(
            span,
            Effect::UnderMatch,
            format!("ES|QL returns at most {MAX_ROWS} rows; KQL asks for {n}"),
        );
    }
    out.push(Command::Limit(n));
}

fn sort_key(cx: &mut Cx, k: &ir::SortKey) -> ast::SortKey {
    ast::SortKey {
        expr: cx.expr(&k.expr),
        desc: k.dir == SortDir::Desc,
        nulls_first: k.nulls == Nulls::First,
    }
}

fn aggregation(cx: &mut Cx, a: &ir::Aggregation) -> Agg {
    let name = a.name.name.clone();
    let agg = |expr: Expr| Agg {
        name: name.clone(),
        expr,
        filter: None,
    };
    match &a.func {
        AggFunc::Count => agg(Expr::CountStar),
        AggFunc::CountIf(p) => Agg {
            filter: Some(cx.pred(p, true)),
            ..agg(Expr::CountStar)
        },
        AggFunc::DCount(x) | AggFunc::DCountIf(x, _) => {
            cx.notes.push(
                a.span,
                Effect::Values,
                "dcount is an estimate in KQL (HLL) and COUNT_DISTINCT is one in ES|QL (HLL++, exact below 3000 values): the counts can differ",
            );
            let e = Expr::call("COUNT_DISTINCT", vec![collected(cx, x)]);
            let filter = match &a.func {
                AggFunc::DCountIf(_, p) => Some(cx.pred(p, true)),
                _ => None,
            };
            Agg { filter, ..agg(e) }
        }
        AggFunc::MakeSet { expr, max } | AggFunc::MakeList { expr, max } => {
            let msg = if matches!(a.func, AggFunc::MakeSet { .. }) {
                "make_set ⇒ VALUES (technical preview): same distinct values, but a set of one is a single value, not an array"
            } else {
                "make_list ⇒ VALUES: duplicates are removed and a list of one is a single value"
            };
            cx.notes.push(a.span, Effect::Values, msg);
            let arg = match cx.json_text_for_set(expr, a.span) {
                Some(text) => text,
                None => collected(cx, expr),
            };
            let mut e = Expr::call("VALUES", vec![arg]);
            if let Some(m) = max {
                let last = i64::try_from(m.saturating_sub(1)).unwrap_or(i64::MAX);
                e = Expr::call("MV_SLICE", vec![e, Expr::Int(0), Expr::Int(last)]);
            }
            agg(e)
        }
        AggFunc::ArgMax { .. } | AggFunc::ArgMin { .. } => {
            cx.decline_help(
                "B006",
                "arg_max/arg_min (the whole row with the extreme value) has no exact ES|QL form",
                a.span,
                "INLINE STATS m = MAX(t) BY k | WHERE t == m (preview, keeps ties) or LAST(col, t) (preview 9.4) are close; translate by hand",
            );
            agg(Expr::Null)
        }
        AggFunc::Min(x) => agg(Expr::call("MIN", vec![cx.expr(x)])),
        AggFunc::Max(x) => agg(Expr::call("MAX", vec![cx.expr(x)])),
        AggFunc::Sum(x) => agg(Expr::call("SUM", vec![cx.expr(x)])),
        AggFunc::Avg(x) => agg(Expr::call("AVG", vec![cx.expr(x)])),
        AggFunc::TakeAny(x) => agg(Expr::call("MIN", vec![cx.expr(x)])),
        AggFunc::CountDistinct(x) => {
            cx.notes.push(
                a.span,
                Effect::Values,
                "count_distinct is exact in KQL; ES|QL's COUNT_DISTINCT is an HLL++ estimate above its precision threshold (3000 distinct values by default), so large counts can differ",
            );
            agg(Expr::call("COUNT_DISTINCT", vec![collected(cx, x)]))
        }
    }
}

/// An ES|QL comment line, `// text`, the text made one line (ES|QL's lexer ends a `//` comment
/// at CR or LF).
pub fn comment(text: &str) -> String {
    format!("// {}", kqlport::backend::one_line(text))
}

/// The value a collecting or counting aggregate (make_set, make_list, dcount, count_distinct)
/// reads. KQL reads a missing string as `""` and collects (counts) it, while VALUES and
/// COUNT_DISTINCT skip null: a value known to be a KQL string — a column the source table's
/// schema types `string` that the pipeline has not redefined, or tolower/toupper of anything —
/// is read as `COALESCE(x, "")`.
fn collected(cx: &mut Cx, x: &ir::Expr) -> Expr {
    let is_string = match &x.kind {
        ExprKind::Field(fp) if fp.is_plain() && !fp.parsed => {
            cx.stored_type(&fp.column) == Some(kqlport::schema::ColumnType::String)
                && !cx.aliases.contains_key(&fp.column)
        }
        ExprKind::Call { func, .. } => {
            matches!(func, ir::ScalarFn::ToLower | ir::ScalarFn::ToUpper)
        }
        _ => false,
    };
    let e = cx.expr(x);
    if is_string {
        Expr::call("COALESCE", vec![e, Expr::Str(String::new())])
    } else {
        e
    }
}
