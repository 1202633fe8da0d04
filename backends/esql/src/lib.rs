//! kqlport's Elastic ES|QL backend: lowers the detection IR to one ES|QL pipeline
//! (`FROM <table> | WHERE … | EVAL … | STATS … BY … | KEEP … | SORT … | LIMIT …`) and says
//! exactly where the result can differ from the KQL. This file holds the [`Backend`] impl;
//! `query` drives the stages, `projection` and `stats` (and `join`, `union`, `mvexpand`, `parse`)
//! generate them, `predicate`, `expr`, `fields` and `functions` the expressions, `kqlport_kit::regex::{lucene,
//! java}` the regexes, `ast` the text; `cx` and `columns` hold what the translator tracks.
//! Never reads KQL syntax, never consults a field mapping (names are kept as the Sentinel
//! table has them).
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
//!   time (`has`/`has_cs`, `functions/strings.rs`) cannot go into a pattern: ` <term's words> ` is
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
//!   the pipeline has not redefined, `tolower`/`toupper` of anything, or any value the core's
//!   types say is a string (not wrapped twice);
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
mod columns;
mod cx;
mod expr;
mod fields;
mod functions;
mod join;
mod lookup_source;
use kqlport::codes::EsqlCode;
use kqlport_kit::regex::{java, lucene};
mod mvexpand;
mod parse;
mod predicate;
mod projection;
pub mod pushdown;
mod query;
mod scalar;
mod span_ms;
mod stats;
mod stored;
mod subquery;
mod subquery_terms;
mod union;
mod union_fork;
mod union_legs;

#[cfg(test)]
mod tests;

use cx::Cx;
use kqlport::backend::{Backend, CommentSyntax, Outcome, RuleContext, Target, Translation};
use kqlport::ir;
use query::{lower_query, row_bound};

/// The largest result ES|QL returns by default configuration.
pub const MAX_ROWS: u64 = 10_000;

/// The ES|QL backend.
#[derive(Clone, Copy, Debug, Default)]
pub struct Esql;

/// This target's refusals ("ES|QL cannot express …").
pub(crate) const REFUSAL: kqlport_kit::refusal::Refusal =
    kqlport_kit::refusal::Refusal { target: "ES|QL" };

/// An ES|QL comment line is `// text`, the text made one line (ES|QL's lexer ends a `//` comment
/// at CR or LF).
pub const TARGET: Target = Target {
    name: "esql",
    extension: "esql",
    comment: CommentSyntax::to_end_of_line("//"),
};

impl Backend for Esql {
    fn target(&self) -> &'static Target {
        &TARGET
    }

    fn translate_query(&self, _rule: &RuleContext, query: &ir::Query) -> Outcome {
        let (cx, q) = lowered(query);
        if !cx.errors.is_empty() {
            return Err(cx.errors);
        }
        let mut text: String = cx
            .preamble
            .iter()
            .map(|l| TARGET.comment.line(l) + "\n")
            .collect();
        text.push_str(&q.to_string());
        Ok(Translation {
            text,
            fidelity: cx.notes.into_fidelity(),
        })
    }

    fn caveats(&self, query: &ir::Query) -> Vec<kqlport::backend::Caveat> {
        if row_bound(&query.stages).is_some() {
            return Vec::new();
        }
        vec![kqlport::backend::Caveat {
            code: EsqlCode::B200.into(),
            message: "ES|QL returns at most 10,000 rows (esql.query.result_truncation_max_size); \
                      nothing in the KQL bounds its result (take, top, count), so a result of more \
                      rows is cut to 10,000"
                .to_string(),
        }]
    }
}

/// `query` lowered to ES|QL, with the notes and refusals gathered on the way. LOOKUP JOIN keeps
/// the rows of the query it runs in: a right semi/anti join runs as the mirrored left one (the
/// same rows; see `ir::Query::right_joins_mirrored`).
fn lowered(query: &ir::Query) -> (Cx, ast::Query) {
    let mirrored = query.right_joins_mirrored();
    let mut cx = Cx::default();
    let query = match &mirrored {
        Some(m) => {
            cx.mirrored = m.joins.clone();
            &m.query
        }
        None => query,
    };
    let q = lower_query(&mut cx, query);
    (cx, q)
}

/// How the translation of `query` uses the index in its leading `WHERE`s (for `check
/// --coverage`); `None` when it is declined.
pub fn leading_filter(query: &ir::Query) -> Option<pushdown::LeadingFilter> {
    kqlport::stack::with_stack(|| {
        let (cx, q) = lowered(query);
        cx.errors
            .is_empty()
            .then(|| pushdown::leading_filter(&q.commands))
    })
}
