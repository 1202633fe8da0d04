//! kqlport's Splunk SPL backend: detection IR in, one SPL search out (one command per line,
//! ending with `\n`), with an honest fidelity verdict. Owns the SPL-specific choices below;
//! never parses KQL or reads the IR's spelling history.
//!
//! # Which rows the output returns
//!
//! The same rows as the KQL over the same events, under these deployment assumptions
//! (pipeline `none`: Sentinel names kept):
//!
//! * **Source.** The Sentinel table name is the sourcetype:
//!   `search index=* sourcetype="<Table>"`. `index=*` (all non-internal indexes the user may
//!   read) is emitted so the result does not depend on the role's default indexes; narrow it
//!   in deployment if you know the index.
//! * **Union.** `union A, B | …` whose legs run the same stages is one search over several
//!   sourcetypes (`(sourcetype="A" OR sourcetype="B")`, `withsource=C` as `eval C=sourcetype`);
//!   legs that differ are `| multisearch [leg] [leg]` when every leg holds only streaming
//!   commands, else the first leg with `append [leg]` for the others, whose subsearch limits
//!   are noted (under-match). See `translate/union.rs`.
//! * **Time column.** Splunk has one event time, `_time` (epoch seconds); every reference to
//!   `TimeGenerated` or `Timestamp` (filters, `bin`, `project`, `summarize … by`) uses it.
//!   Which stored column it holds is stated per table (`translate::splunk_time_column`, to be
//!   set by field-mapping pipelines): `Timestamp` (the event time) in tables whose schema has
//!   a datetime `Timestamp` — the Defender XDR tables, where `TimeGenerated` is when Sentinel
//!   ingested the row and can differ — else `TimeGenerated`. A reference to the other one is
//!   read as `_time` with a note (over- and under-match in a filter, values elsewhere). When
//!   the query fixes its output columns, the time column gets its KQL name back at the end
//!   (`| rename _time AS TimeGenerated`); both at once: the second is a copy (noted).
//! * **Other datetimes.** Every datetime this backend computes is epoch seconds: `now()`,
//!   `ago()`, literals, the time column, and columns the pipeline derives from them (`T +
//!   5h`, `max(TimeGenerated)`, `startofday(…)`, `todatetime(…)`, renames and joins
//!   included). Any other value used as a datetime (compared with one, `between`, `bin` by a
//!   timespan, `todatetime`, the calendar functions) is event text, read as ISO 8601 UTC, the
//!   form Sentinel exports: `strptime(substr(x, 1, 19)."+0000", "%Y-%m-%dT%H:%M:%S%z") +
//!   tonumber(replace(x, "^.{19}(\.[0-9]+)?Z$", "0\1"))` (the explicit `+0000` keeps
//!   strptime off the user's time zone; text of another shape yields null). Noted: under-match
//!   in a filter, values elsewhere. `hourofday`, `dayofweek` (a timespan: seconds since
//!   Sunday), `getmonth` and `getyear` are UTC arithmetic on epoch seconds.
//! * **Events are JSON** with Sentinel column names as top-level keys of `_raw`; a dynamic
//!   column is a JSON object/array in the event, a string column holding JSON text is a string.
//!   * A dynamic column's plain key path `X.a.b` is the field Splunk's JSON extraction names
//!     `X.a.b`, while the rows still carry every field: before any `table`/`fields +`/`stats`
//!     (or after `arg_max(t, *)`, whose `table … *` keeps them all); afterwards it is read
//!     from the event like any other path. That field exists only for a leaf, so a path
//!     assigned whole to a column (`extend v = X.a.b`, which may name an object or an array
//!     the query then expands or reads into) is read from the event as JSON:
//!     `json_extract(_raw, "X.a.b")` (a leaf's value, or an object's or array's JSON text).
//!   * Other paths into an event column (array indexes, keys that are not plain identifiers)
//!     are read from the event: `json_extract(_raw, "X{0}.a")` (indexes count from 0, like
//!     KQL's); a key with other characters (dots, spaces) is taken literally with
//!     `json_extract_exact`. A negative index reads the array's elements as a multivalue:
//!     `mvindex(json_array_to_mv(…), -1)` (from the end, null out of range, as in KQL).
//!   * A path KQL parsed (`parse_json`/`todynamic`, possibly around `tostring` deep inside the
//!     path) is read with one `json_extract` per step, starting from `json_extract(_raw, "X")`,
//!     so a string holding JSON text is parsed wherever it is met — the IR records that the path
//!     was parsed, not where. (A step into JSON text the KQL did *not* parse, which is null in
//!     KQL, yields the parsed value here.) `parse_json(X)` as a whole value is
//!     `json_extract(_raw, "X")`: the object's JSON text, or the string itself.
//!   * A column computed by this pipeline (extend/project/summarize) holds JSON text or a plain
//!     value in its field: paths into it are `json_extract(<field>, …)`.
//!   * After `project`/`summarize` (`table`/`stats` drop `_raw`), an event column is only its
//!     field: parsed paths into a string column read the field. When a later stage must read
//!     an event column from `_raw` (a non-plain path, a whole dynamic column), the query is
//!     translated again keeping `_raw` in the pipeline that needs it (the main one, a join's
//!     right side, a subquery, a union's legs for the stages after the union): every
//!     `table`/`fields +` there (project, project-keep, project-reorder, `arg_max`/`arg_min`,
//!     `take_any(*)`) names `_raw` too, and `fields - _raw` removes it at the end of the main
//!     pipeline or of a join's right side. A join in such a pipeline also ends its right side
//!     with `fields - _raw`, since Splunk's join copies the right rows' fields — `_raw` too —
//!     over the left row's: the left rows keep their own event. After a join that brings whole
//!     right rows (the right side's columns are not all known), a column the left table's
//!     schema does not have may be the right row's: it is not read from the left `_raw`
//!     (`B013`). After `stats` (summarize, distinct, count) there is no event left: such paths
//!     are declined (`B013`), as are paths into a column a join's right side brought.
//!   * `X[k]` with a string key computed at query time (`translate/dynamic.rs`) is
//!     `json_extract_exact(<X's JSON>, k)`, X's JSON read as above (from `_raw`, or a computed
//!     column's field); `bag_keys(X)[i]` is `mvindex(json_array_to_mv(json_keys(<X's JSON>)), i)`.
//!     A computed array position, or a computed key into anything but a column, is declined
//!     (`B013`).
//!   * `bag_pack(k1, v1, …)` is `json_object(k1, v1, …)`; Splunk's JSON types for the values
//!     can differ from KQL's (noted).
//!   * `json_extract` turns JSON booleans into Splunk Booleans; a comparison of such a value
//!     with a bool (`"true"`/`"false"`) is noted as possibly under-matching.
//!   * A dynamic member read as its extracted field (`X.a.b`), or a column the table's schema
//!     types `dynamic` (in the base search or `where`), or a column assigned one as it is
//!     (`extend c = tostring(X.a)`), is missing when the value is an array
//!     (Splunk names its values `X.a.b{}`) or an object (`X.a.b.<key>`), where KQL tests the
//!     value's JSON text (`["a","b"]`). A string test, `isempty` or `isnull` on it is noted
//!     (once per test) with the direction of the `""` it then reads: a positive test, or a
//!     negated one that `""` satisfies, may under-match; a negated test, or a positive one that
//!     `""` satisfies, may over-match; outside a filter, values. `==`/`in` of values that do
//!     not start with `[`/`{` are false on JSON text in KQL too and get no note. Paths read
//!     with `json_extract` (parsed, indexed or non-plain) yield the JSON text and get none.
//! * **Null is KQL's "".** KQL strings are never null; a missing Splunk field stands for `""`.
//!   Every string test is written so a missing field behaves like `""`: negations keep events
//!   lacking the field (`isnull(f) OR NOT …`, or `NOT f="v"` in the base search), and a test
//!   that `""` satisfies (`== ""`, `contains ""`, a regex matching `""`) also accepts null.
//!   `isempty(f)` is `(isnull(f) OR f=="")`. `isnull(f)`/`isnotnull(f)` are Splunk's
//!   `isnull`/`isnotnull` (field missing or null): KQL's meaning for every type but string.
//!   On a string column KQL's `isnull` is never true; lowering folds it to `false()`
//!   (`isnotnull` to `true()`) when the table schema says the column is a string, and adds an
//!   over-/under-match note when it does not know the column's type.
//! * **Two columns compared** (`a == b`, `a != b`, `=~`, `<` …): string columns (known from the
//!   table schema) are both `coalesce(x, "")`, so missing equals missing and `""` (exact);
//!   other types follow KQL's null rules: `==` and ordering are false on a null side (Splunk's
//!   `where` drops a null comparison), `a != b` is true when exactly one side is null
//!   (`(isnull(a) AND isnotnull(b)) OR (isnotnull(a) AND isnull(b)) OR a!=b`), exact; datetimes
//!   are never strings. Unknown type: the non-string form with a note (below).
//! * **Time window.** Splunk's `earliest` is inclusive, `latest` exclusive, and a search that
//!   sets only `earliest` ends at `now` (Search Reference, "Time modifiers": "Because the
//!   search does not specify the latest time modifier, the default value now is used"), so
//!   `earliest=-172800s` alone drops events stamped in the future (clock skew) that KQL's
//!   unbounded `TimeGenerated > ago(48h)` keeps. A top-level conjunct of the leading filters
//!   becomes: `>=` ⇒ `earliest=-<s>s`; `>` ⇒ the same (a superset, for the index's time
//!   pruning) plus the strict edge `| where _time>(now() - <s>)`; `<` ⇒ `latest=-<s>s`; `<=` ⇒
//!   `latest=-<s-1>s` plus `| where _time<=(now() - <s>)`; the side the KQL leaves open is
//!   opened explicitly: `latest=2147483647` (2038-01-19, the last 32-bit epoch second; the
//!   props.conf default `MAX_DAYS_HENCE = 2` re-stamps events dated more than two days ahead
//!   at index time anyway) or `earliest=0` (all time). Seconds avoid Splunk's calendar-day
//!   and DST arithmetic on `d`, so the window is exactly `d` long; `now()` in `eval` and the
//!   relative modifiers both count from the search's start time. Elsewhere a window is
//!   `where _time > now() - <seconds>`.
//! * **Case.** Case-insensitive tests use the base search (case-insensitive by definition),
//!   `lower(f)=="v"`, or `match(f, "(?i)…")`. KQL folds ASCII only; when a literal holds
//!   non-ASCII characters the pattern spells ASCII letters as `[aA]` classes instead of
//!   `(?i)`, so non-ASCII characters match only themselves, as in KQL. The data side still
//!   folds with Splunk's rules: a value containing one of the rare non-ASCII characters
//!   whose case partner is ASCII (KELVIN SIGN, LONG S) can match where KQL would not.
//! * **`has` with a term computed at query time** (`translate/text.rs`) is
//!   `match(text, "(?i)<start>" . replace(term, "([^A-Za-z0-9])", "\\\1") . "<end>")`: the
//!   term regex-escaped at run time between lookarounds that forbid an alphanumeric run going
//!   on across an end of the match where the term's own edge character is alphanumeric (a term
//!   edge of punctuation needs no boundary). `(?i)` folds non-ASCII letters too: an OverMatch
//!   and an UnderMatch note (`has_cs` has neither).
//! * **`if`/`case`** treat a null condition as not true (Splunk's documented "otherwise").
//!   SPL cannot store booleans, so KQL bool values are the strings `"true"`/`"false"` (as
//!   Splunk extracts JSON booleans); a bool column used as a filter is `f=="true"`.
//! * **Regex functions.** `replace_regex(t, re, rw)` (and the older `replace(re, rw, t)`, told
//!   apart by which argument is not a literal) is `replace(coalesce(t, ""), pcre, rw)`; the
//!   rewrite keeps `\1`–`\9` and `\\`; `\0`, `$` and other escapes are declined (`B019`).
//!   `extract(re, g, t)` is `if(match(t, pcre), replace(t, "^(?s:.*?)(?:pcre)(?s:.*)", "\g"),
//!   null())`: the lazy prefix finds the leftmost match, and no match is null (KQL's "").
//! * **Arrays.** `make_set`/`make_list` results are multivalue fields: `array_length` of one is
//!   `coalesce(mvcount(x), 0)`, `array_sort_asc` of one is `mvsort(x)` (text order, noted)
//!   and `x[i]` is `mvindex(x, i)` (noted: `values()` sorts and `list()` keeps arrival order,
//!   KQL's order is undefined; a key into such an array is declined, `B013`).
//!   `split(x, d)` (literal non-empty `d`) is Splunk's multivalue `split(coalesce(x, ""), d)`,
//!   indexed with `mvindex` (from 0, negative from the end, null out of range, as in KQL);
//!   `split(x, d, k)[0]` is element `k`. A split array assigned to a column may only be
//!   copied, indexed, output, counted, joined or collected: compared, grouped by or sorted, a
//!   multivalue field does not behave like KQL's array, so it is declined. A split array
//!   anywhere else (a `case` value, …) is its JSON text, `mv_to_json_array(split(…))`, as
//!   KQL shows an array (noted: escaping inside the text). `make_set` of a split array (or
//!   of a `case` with one among its values) adds its elements, as KQL documents: the
//!   multivalue in a helper field, then `values()`. `array_length` of a split array is its
//!   `mvcount`; of a column or dynamic path (read as JSON: `json_extract(_raw, …)` for an
//!   event column, the field for a computed one) it is `mvcount(json_array_to_mv(j))` when
//!   `j` is a valid JSON array (`json_valid`, starts with `[`), else null; unparsed values are
//!   noted (a dynamic string holding array text counts as that array). `strcat_array` of a
//!   split array, or of `array_slice(split(…), k, -1)` (`k >= 0`, literal), is `mvjoin` of it
//!   (of `mvindex(…, k, -1)`: null, KQL's `""`, when `k` is past the end). `split` of a
//!   `make_set`/`make_list` result is declined (a multivalue where KQL splits text).
//! * **String functions.** `trim`/`trim_start`/`trim_end(re, t)` remove the leftmost match
//!   anchored at the start (`^(?:re)`) or end (`(?:re)\z`) with `replace`; unless the pattern
//!   is one greedy run of a class (`[^\w]+`, `\s+`) a note says that whether KQL removes a
//!   further uncovered match is undocumented. `countof` counts the characters `replace`
//!   removes, divided by the match length: plain text that can overlap itself (KQL counts
//!   overlapping plain matches) and regexes whose matches differ in length are declined.
//!   `indexof(t, "s")` is the length of the text before the first match, or -1. `tobool`
//!   reads true/false in any case and numbers as non-zero = true (noted).
//! * **URLs, IPs, logarithm** (`translate/network.rs`; `log` in `translate/calls.rs`).
//!   `url_decode(s)` is `urldecode(s)` (noted: `+`, malformed escapes and non-UTF-8 bytes are
//!   undocumented in both). `parse_url(s).Member` is a group of one regular expression
//!   (`scheme://[user[:password]@]host[:port]path[?query][#fragment]`, null when it does not
//!   match); `parse_url(s)` as a value is `json_object` of Scheme, Host, Port, Path, Username,
//!   Password and Fragment, read by paths with `json_extract`; its `Query Parameters` bag is
//!   not computed, and a path to it is declined (`B013`). Both noted: KQL documents its parser
//!   only by one example. `parse_ipv4(s)` accepts four decimal octets 0–255 (no leading zeros)
//!   and an optional `/0`–`/32` prefix, validated with `match`, and computes
//!   `a·2²⁴ + b·2¹⁶ + c·2⁸ + d` with the bits after the prefix cleared (helper fields hold the
//!   parts and the block size); other text is null (noted: KQL does not document which other
//!   spellings it accepts). `log(x)` is `ln(x)` (noted: 0 and negative numbers).
//! * **More scalar functions** (`translate/time.rs`, `translate/text.rs`).
//!   `unixtime_milliseconds_todatetime(ms)` is `ms / 1000` (Splunk time is epoch seconds).
//!   `indexof_regex(t, re)` is `if(match(t, pcre), len(replace(t, "(?:pcre)(?s:.*)", "")),
//!   -1)`: the text before the leftmost match. `tohex(n)` is `printf("%x", n)` (null kept); `string_size(s)` is
//!   `len(s)`. `count_distinct(x)` is `dc(x)` (both exact).
//! * **Calendar (UTC).** `startofday`, `startofweek(t)` (Sunday), `startofmonth(t)`,
//!   `getmonth`, `getyear` are computed from epoch seconds by arithmetic (the month and year
//!   through helper fields `__kqlport_h*`, Hinnant's days-to-civil), never with `relative_time`/`strftime`, which use the user's time zone.
//!   `datetime_diff` in days/hours/minutes/seconds counts unit boundaries since the epoch.
//! * **Regex.** KQL's RE2 patterns become PCRE via `kqlport_kit::regex::pcre::re2_to_pcre`, which rewrites the
//!   constructs whose meaning differs (`$`, `\d\w\s`, `\v`) and declines the rest (`B016`).
//!   Word boundaries `\b` are assumed ASCII (PCRE without UCP, Splunk's default).
//! * **Sort.** `sort 0` (no 10 000 cap), direction always explicit. Splunk sorts values that
//!   look numeric numerically: a string column of digits sorts differently from KQL.
//!   `top` makes null placement explicit with a helper key so the same rows survive `head`.
//! * **summarize.** `fillnull value=""` on every key first (stats drops null keys, KQL keeps
//!   them as a group); keys then aggregates, with explicit `AS` aliases. `bin(t, span)` is
//!   `floor(_time/span)*span` (UTC buckets since the epoch; the `bin` command would align day
//!   spans to the user's time zone). `distinct`/`summarize by` only use `stats count … |
//!   table keys`. `make_set`/`make_list` produce multivalue fields rather than JSON arrays.
//! * **arg_max/arg_min.** Computed keys are evaluated first (through a helper field when the
//!   summarize still reads a column of that name); the other aggregates of the summarize are
//!   `eventstats … by keys` over every row, as KQL computes them; then `where isnotnull(t) |
//!   sort 0 -t | dedup keys` keeps one extreme row per group (ties: the first in Splunk's
//!   order, where KQL picks any). A named extreme (`S = arg_min(t, *)`) copies `t` to `S`.
//!   Two extremes in one summarize pick different rows and are declined (`B015`).
//!
//! # Approximations this backend can report (each a `Note` at the KQL span)
//!
//! | construct | effect | why |
//! |---|---|---|
//! | `dcount`, `dcountif` | values | KQL estimates, `dc()` is exact |
//! | `make_list` | values | `list()` keeps 100 values by default |
//! | `make_set(x, max)` | values | which values survive the cap differs |
//! | `arg_max`/`arg_min` | under-match | groups whose extreme expression is always null vanish |
//! | `arg_max(t, *)` with other aggregates | values | an input column named like an aggregate is replaced |
//! | `arg_max(t, *)` by a key computed from a column of its name | values | the key replaces that column |
//! | `a == b`, `a < b` … / `a != b` of two columns of unknown type | under-match / over-match | if strings: KQL reads a missing one as `""`, SPL as null |
//! | `/` without a real literal | values | KQL integer division truncates |
//! | `tostring(expr)`, `toint`, `tolong` | values | number formatting / fraction kept |
//! | `json_extract` value `==` a bool | under-match | Splunk Boolean vs `"true"`/`"false"` |
//! | a datetime read from event text | under-match (filter) / values | assumes ISO 8601 UTC text |
//! | `trim*` with a pattern that is not one class run | values | KQL's repeat removal undocumented |
//! | `countof` regex that may match non-ASCII | values | PCRE byte mode would count bytes |
//! | `tobool` | values | KQL documents only true/false/numbers |
//! | `array_sort_asc` | values | `mvsort` orders numbers as text |
//! | `make_set(…)[i]`, `make_list(…)[i]` | values | element order differs |
//! | `tohex` | values | KQL's two's complement of negatives; printf's is undocumented |
//! | `string_size` | values | `len()` counts characters, KQL UTF-8 bytes |
//! | `url_decode` | values | `+`, malformed escapes, non-UTF-8 bytes undocumented |
//! | `parse_url` | values | one regex; KQL's normalisation undocumented; no `Query Parameters` |
//! | `parse_ipv4` | values | leading zeros, short forms, spaces: null here, undocumented in KQL |
//! | `log` | values | `ln()` of 0 and of negative numbers undocumented |
//! | `array_length` of an unparsed dynamic value | values | array text in a string counts |
//! | a `split` array outside an assignment | values | JSON text; escaping undocumented |
//! | `has` with a computed term | over/under-match | `(?i)` folds non-ASCII letters |
//! | `bag_pack` | values | JSON types of datetimes, bools, nulls, nested arrays differ |
//! | `bag_keys(X)[i]` | values | KQL's key order is undetermined, `json_keys` follows the JSON text |
//! | `substring` with a negative or computed start | values | both count a negative start from the end; a start before the first character is undocumented in both |
//! | string test / `isempty` / `isnull` on an extracted dynamic member or `dynamic` column | under/over-match (values outside a filter) | an array or object value leaves the field missing, KQL tests its JSON text |
//!
//! # Declined (`Err`, one located diagnostic each)
//!
//! `B010` table name unusable as sourcetype · `B011` column name unusable as a field name
//! (including this backend's helper prefix `__kqlport_`, except lowering's `__kqlport_agg<N>`) ·
//! `B013` dynamic path with an empty key, into an event after `stats` (or through a join's
//! right side, or into a column the join brought from its right side) or into a computed value other than `split(…)[i]` and `parse_url(…).Member`;
//! `parse_url`'s `Query Parameters`; a `split` column compared, grouped by or sorted;
//! `split` of, or a key into, a `make_set`/`make_list` result · `B014` scalar functions without a faithful
//! eval spelling (`base64_decode_tostring` and `url_encode`: eval has no base64 decoder or URL encoder,
//! `split(x, d, k)` as a whole array, `countof` of self-overlapping text or of a regex with
//! matches of different lengths, `array_length` of a computed expression, `strcat_array`
//! of other arrays, `datetime_diff` in calendar units, `gettype`, `tohex` with a computed
//! width, `indexof_regex` with start/length/occurrence, …) · `B015` two
//! `arg_max`/`arg_min` in one summarize, or one over a computed expression · `B016` regex constructs outside the
//! RE2/PCRE common ground · `B017` non-finite numbers · `B018` chained/swapping renames ·
//! `B019` a literal required (CIDR range, `replace_string` arguments, bin size, `split`
//! delimiter, `indexof` lookup) · `B020` malformed datetime literal.

mod ast;
mod join;
mod prefilter;
mod translate;

use kqlport::backend::{Backend, CommentSyntax, Outcome, RuleContext, Target, Translation};
use kqlport::diag::Diagnostic;
use kqlport::ir;

/// The Splunk SPL target.
#[derive(Clone, Copy, Debug, Default)]
pub struct Spl;

/// An SPL comment line is `` ``` text ``` `` with the text made one line and any `` ``` `` in it
/// (which would close the comment) written as `'''`.
pub const TARGET: Target = Target {
    name: "spl",
    extension: "spl",
    comment: CommentSyntax {
        open: "```",
        close: "```",
        close_stand_in: "'''",
    },
};

impl Backend for Spl {
    fn target(&self) -> &'static Target {
        &TARGET
    }

    fn translate_query(&self, _rule: &RuleContext, query: &ir::Query) -> Outcome {
        self.translate_with(query, true)
    }
}

impl Spl {
    /// The translation without the base search's indexed prefilters: every test that is not
    /// exact in the base search is in `where` alone. For checking that the prefilters never
    /// change the rows (`tests/prefilter_rows.rs`); not a user-facing mode.
    #[doc(hidden)]
    pub fn translate_without_prefilters(
        &self,
        query: &ir::Query,
    ) -> Result<Translation, Vec<Diagnostic>> {
        kqlport::stack::with_stack(|| self.translate_with(query, false))
    }

    fn translate_with(
        &self,
        query: &ir::Query,
        prefilters: bool,
    ) -> Result<Translation, Vec<Diagnostic>> {
        // Splunk's join keeps the rows of the search it runs in: a right semi/anti join runs
        // as the mirrored left one (the same rows; see `ir::Query::right_joins_mirrored`).
        let mirrored = query.right_joins_mirrored();
        let (query, joins) = match &mirrored {
            Some(m) => (&m.query, m.joins.clone()),
            None => (query, Vec::new()),
        };
        let mut tx = translate::Tx::new();
        tx.prefilters = prefilters;
        tx.mirrored = joins.clone();
        let mut out = tx.query(query);
        // A later stage reads an event column from `_raw` after `table` dropped it: try again
        // keeping `_raw` through every `table`/`fields +` of the pipelines that asked (removed
        // at their end) — once more if keeping it there lets another pipeline ask.
        for _ in 0..2 {
            if out.is_some() || tx.wants_raw.is_empty() {
                break;
            }
            let mut again = translate::Tx::new();
            again.prefilters = prefilters;
            again.mirrored = joins.clone();
            again.keep_raw = std::mem::take(&mut tx.keep_raw);
            again.keep_raw.append(&mut tx.wants_raw);
            out = again.query(query);
            tx = again;
        }
        match out {
            Some(pipeline) => Ok(Translation {
                text: pipeline.to_string(),
                fidelity: tx.notes.into_fidelity(),
            }),
            None => Err(tx.errors),
        }
    }
}

#[cfg(test)]
mod tests;
