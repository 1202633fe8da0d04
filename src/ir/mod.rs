//! The detection IR: what a detection *means*, not how KQL spelled it. It is the one contract
//! between the front end (parse + lower) and the backends. Every node keeps the `Span` of the
//! KQL that produced it so a backend can say exactly which part it cannot express.
//!
//! Never contains: KQL spellings (aliases are normalised), `let` names (inlined), or "opaque"
//! nodes — what lowering cannot model is a located diagnostic, not a node.

mod columns;
mod display;
pub mod facts;
mod join_swap;
pub use join_swap::Mirrored;
mod subquery;
pub use subquery::SubqueryTests;
pub mod visit;

pub use columns::{
    columns_after, columns_before, columns_of_stage, glob, join_names, union_columns,
};

use crate::source::Span;
use serde::Serialize;

/// A lowered query: one pipeline over one source.
///
/// Predicates are two-valued, as in KQL: every leaf test is false when its operand is null
/// (strings are never null in KQL: a missing string is `""`), except the negated string tests
/// (`negated: true`) and `!=`, which are true; `Not` is plain boolean negation. Backends whose
/// language uses three-valued logic must render null-safe forms.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Query {
    pub source: Source,
    pub stages: Vec<Stage>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Source {
    pub kind: SourceKind,
    pub span: Span,
    /// Where each target finds the table's rows, when a field-mapping pipeline
    /// ([`crate::pipeline`]) mapped the table; `None` keeps the Sentinel table name for every
    /// target (the index, sourcetype, EQL category or Sigma logsource service).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<TargetSource>,
}

impl Source {
    /// A table by its Sentinel name, not mapped.
    pub fn table(name: impl Into<String>, span: Span) -> Self {
        Source {
            kind: SourceKind::Table(name.into()),
            span,
            target: None,
        }
    }
}

/// A table's place in each target's data, from a field-mapping pipeline. A target whose part
/// is `None` keeps the Sentinel table name. Conditions that select the table's events among
/// others (`event.category == "process"`) are not here: the pipeline adds them as a filter
/// stage, so every backend renders them as any other predicate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TargetSource {
    /// The pipeline that mapped it (`ecs`, `cim`, `sigma`, or a user file's name).
    pub pipeline: String,
    /// Splunk: the `index=`, `sourcetype=` and `source=` of the base search.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub splunk: Option<SplunkSource>,
    /// Elastic: the index pattern ES|QL reads (`FROM logs-m365_defender.event-*`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elastic_index: Option<String>,
    /// EQL: the event category (`process where …`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eql_category: Option<String>,
    /// Sigma: the rule's `logsource`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sigma: Option<Logsource>,
    /// (Sentinel column, target field) for each column the pipeline renamed as a whole, so
    /// that what the table's schema says about a column still reaches the backends. Shared:
    /// every column scope of the query holds a copy of its source.
    #[serde(skip)]
    pub columns: std::sync::Arc<[(String, String)]>,
}

impl TargetSource {
    /// The Sentinel column a target field stands for; a name the pipeline did not rename is
    /// its own, and a Sentinel name that was renamed away stands for nothing (`""`).
    pub fn sentinel_column<'a>(&'a self, field: &'a str) -> &'a str {
        if let Some((s, _)) = self.columns.iter().find(|(_, t)| t == field) {
            return s;
        }
        if self.columns.iter().any(|(s, _)| s == field) {
            return "";
        }
        field
    }

    /// The target field a Sentinel column is renamed to (itself when not renamed).
    pub fn target_column<'a>(&'a self, column: &'a str) -> &'a str {
        self.columns
            .iter()
            .find(|(s, _)| s == column)
            .map_or(column, |(_, t)| t)
    }
}

/// The schema's type for `column` of `table`'s rows as a field-mapping pipeline (`target`)
/// names them: backends ask this rather than [`crate::schema::column_type`], so that a mapped
/// name keeps its Sentinel column's type.
pub fn stored_column_type(
    table: &str,
    target: Option<&TargetSource>,
    column: &str,
) -> Option<crate::schema::ColumnType> {
    let column = target.map_or(column, |t| t.sentinel_column(column));
    crate::schema::column_type(table, column)
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SplunkSource {
    pub index: Option<String>,
    pub sourcetype: Option<String>,
    pub source: Option<String>,
}

/// A Sigma logsource (each part optional, at least one set).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Logsource {
    pub product: Option<String>,
    pub category: Option<String>,
    pub service: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum SourceKind {
    /// One table, by its Sentinel name.
    Table(String),
    /// KQL's `union` (`kind=outer`, the default): every row of every leg, duplicates kept, in
    /// no defined order. `T | … | union U` is the union of `T | …` and `U`: lowering makes the
    /// rows so far the first leg, so the union is always the source of the stages after it.
    Union(Union),
    /// A named lookup table the user provides and maps to a target's lookup (Splunk
    /// `| inputlookup name`, an Elastic lookup index): Sentinel's `_GetWatchlist('name')` or
    /// KQL's `externaldata(…)[urls]`. No field-mapping pipeline maps it (its columns are the
    /// user's, not a table's). Lowering allows it only as the source of a [`Subquery`].
    Lookup(Lookup),
}

/// A named lookup: where its rows come from, and the columns the query declares for it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lookup {
    /// The lookup's name in the target: `[A-Za-z0-9_.-]+` for externaldata (lowering derives
    /// it); a watchlist's name as written (a backend refuses one it cannot write).
    pub name: String,
    pub origin: LookupOrigin,
    /// The declared columns in order (externaldata's schema); empty for a watchlist, whose
    /// columns are the watchlist's own, all strings.
    pub columns: Vec<LookupColumn>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum LookupOrigin {
    /// `_GetWatchlist('name')`.
    Watchlist,
    /// `externaldata(…)[urls] with (format=…, ignoreFirstRecord=…)`: KQL reads the URLs each
    /// time the query runs; the target's lookup is a snapshot the user loads from them.
    ExternalData {
        urls: Vec<String>,
        /// The `format` property as written (`csv` when absent, Kusto's default).
        format: String,
        /// `ignoreFirstRecord=true`: the first record (a header line) is not a row.
        ignore_first_record: bool,
    },
}

/// One declared column of a lookup.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LookupColumn {
    pub name: String,
    pub ty: crate::schema::ColumnType,
}

impl Lookup {
    /// Whether it is a watchlist (every column a string, the columns not declared).
    pub fn is_watchlist(&self) -> bool {
        matches!(self.origin, LookupOrigin::Watchlist)
    }

    /// The declared column names in order, when the query declares them (externaldata).
    pub fn declared_columns(&self) -> Option<Vec<String>> {
        match self.origin {
            LookupOrigin::Watchlist => None,
            LookupOrigin::ExternalData { .. } => {
                Some(self.columns.iter().map(|c| c.name.clone()).collect())
            }
        }
    }
}

/// The values a nested query computes, used as a list: `x in (T | where … | project k)`,
/// `x in (L)` with `let L = T | … | distinct k;`, `toscalar(T | summarize make_list(k))`.
/// The list is every value of `column` in `query`'s rows (duplicates and their order do not
/// matter to membership); a string column's missing value is `""`, as everywhere in KQL.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Subquery {
    /// The nested query, `let`s inlined, over its own source (a table, a union or a watchlist).
    pub query: Query,
    /// The column of `query`'s output whose values form the list (KQL: the first column).
    pub column: Column,
}

/// `toscalar(Q)` where `Q` reads other rows than the ones it is used on: `Q` runs once, on
/// its own, and its value is every row's column `name`.
///
/// `query` returns at most one row, whose only column is `name` (lowering makes it so: its
/// last stage that is not row-wise is a `summarize` without `by`, which gives exactly one row,
/// so only a filter after it can leave none; then a `project` of the value). KQL's toscalar
/// takes the first column of the first row, and is null when there is no row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScalarQuery {
    /// The column the value is appended as (a name of kqlport's own, dropped after the
    /// operator that reads it).
    pub name: Column,
    /// The query, `let`s inlined, over its own source (a table, a union or a watchlist).
    pub query: Query,
}

/// The legs of a `union` and what it adds to their rows.
///
/// Columns: every column of any leg (a leg's row has null in the columns it lacks; a string
/// column lacking in a leg reads as `""`, as every missing string does). Lowering refuses
/// what it cannot hold: `kind=inner`, a column name that two legs give different known types
/// (KQL then splits it into `name_type` columns), `union *`, and legs that are not tables or
/// pipelines over one table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Union {
    /// At least two legs (a wildcard may have matched fewer: then at least one), each a query
    /// over one table (never itself a union); `let`s inlined.
    pub legs: Vec<Query>,
    /// `withsource=C`: a string column `C`, the leg's table name. Only allowed (by lowering)
    /// when every leg is a bare table, where the value is that table's name.
    pub withsource: Option<Column>,
    /// `isfuzzy=true`: a leg that does not resolve (a missing table, a column it lacks) is left
    /// out with a warning instead of failing the query. No effect on the rows of legs that
    /// run; kqlport's column check (`L060`) skips such legs, as Kusto.Language does.
    pub fuzzy: bool,
}

impl Union {
    /// The legs' common stage list, when every leg applies the same stages (spans aside) to
    /// its table: then the union is one pipeline over several tables.
    pub fn shared_stages(&self) -> Option<&[Stage]> {
        let first = &self.legs.first()?.stages;
        self.legs
            .iter()
            .all(|l| &l.stages == first)
            .then_some(first.as_slice())
    }

    /// Each leg's table, in leg order.
    pub fn tables(&self) -> Vec<&str> {
        self.legs.iter().filter_map(|l| l.table()).collect()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stage {
    pub kind: StageKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum StageKind {
    /// Keep rows where the predicate is true (null counts as false).
    Filter(Predicate),
    /// Add or overwrite columns, left to right (later ones may use earlier ones).
    Extend(Vec<Assignment>),
    /// Keep exactly these columns, in this order; a column may be computed.
    Project(Vec<Assignment>),
    /// Drop columns; a name may contain `*` wildcards.
    ProjectAway(Vec<ColumnPattern>),
    /// Keep columns matching these patterns, in table order.
    ProjectKeep(Vec<ColumnPattern>),
    /// Rename columns: (new, old).
    Rename(Vec<(Column, Column)>),
    /// Move these columns to the front, in this order; the rest keep their order.
    Reorder(Vec<ColumnPattern>),
    /// Group by keys and compute aggregates; output columns are the keys then the aggregates.
    Aggregate {
        by: Vec<GroupKey>,
        aggs: Vec<Aggregation>,
    },
    /// Aggregates over all the rows so far, each appended to every row as a column; the rows
    /// themselves are unchanged (none with no input). `T | as R | extend p = x /
    /// toscalar(R | summarize sum(x))`: SPL `eventstats`, ES|QL `INLINE STATS` without `BY`.
    /// Aggregates are as in [`StageKind::Aggregate`] (never one that picks a row).
    Totals(Vec<Aggregation>),
    /// A value computed by another query, appended to every row as a column; the rows
    /// themselves are unchanged. `toscalar(Q)` of a query `Q` over other rows than these (a
    /// watchlist, another table): see [`ScalarQuery`].
    Scalar(Box<ScalarQuery>),
    /// Sort rows; KQL's default direction (descending) is already explicit here.
    Sort(Vec<SortKey>),
    /// The first `n` rows by the key.
    Top { n: u64, key: SortKey },
    /// Any `n` rows.
    Limit(u64),
    /// Unique combinations of these columns (the output has only these columns).
    Distinct(Vec<Column>),
    /// One row with a single column `Count`.
    Count,
    /// Join the rows so far (the left side) with the rows of another whole query (the right
    /// side, with its own source and `let`s already inlined), matching rows whose key columns
    /// are equal pairwise (all pairs AND-ed).
    ///
    /// Key equality is KQL's `==`: exact and case-sensitive for strings. A string is never null
    /// in KQL (missing is `""`), so an empty key matches an empty key. For other types, Kusto's
    /// docs do not state whether two null keys match; scalar `==` of two nulls is null, and
    /// kqlport assumes null keys match nothing.
    ///
    /// Output columns (what later stages can name), by [`JoinKind`]: `Inner`, `InnerUnique`,
    /// `*Outer` give every left column, then every right column; a right column whose name is
    /// already taken (by a left column, including a same-named key) is renamed with a numeric
    /// suffix: `X` becomes `X1`. The semi and anti kinds give only one side's columns.
    /// [`Query::output_columns`] computes the names when both sides' columns are known.
    Join {
        kind: JoinKind,
        right: Box<Query>,
        /// At least one pair.
        on: Vec<JoinKey>,
    },
    /// `mv-expand`: one row per element of a dynamic array (see [`MvExpand`]).
    MvExpand(MvExpand),
    /// `parse` / `parse-where`: columns cut out of a string (see [`Parse`]).
    Parse(Parse),
    /// `extend n = next(x)` / `extend p = prev(x)`: each item's value read on the row right
    /// after (`Next`) or right before (`Prev`) this one, in the order of the rows, or null
    /// where there is no such row (Kusto's `next()`/`prev()` with offset 1 and no default).
    /// Each item's expression is a column read; its value is the column's value on that row
    /// (null stays null). Lowering emits this stage only where the rows are in a defined order:
    /// after a `sort`/`top` with only row-wise stages between (KQL's serialized row set).
    Neighbours {
        dir: NeighbourDir,
        items: Vec<Assignment>,
    },
    /// `evaluate ipv4_lookup(Table, key, range [, return_unmatched])`: each row joined to the
    /// rows of a named lookup whose range contains its address (see [`Ipv4Lookup`]).
    Ipv4Lookup(Ipv4Lookup),
}

/// `evaluate ipv4_lookup(Table, key, range [, return_unmatched])` over a named lookup
/// (externaldata, a watchlist), as Microsoft's ipv4_lookup page defines it: "the results of a
/// join (lookup) based on the IPv4 key"; the output columns are the input's, then the lookup's
/// ("the union of the source table and the lookup table, similar to the result of the lookup
/// operator"); with `return_unmatched` false (the default) only matched rows, "as many records
/// as matching results" (one row per pair of a row and a lookup row whose range contains its
/// address), with it true also each unmatched row once, the lookup's columns null. `key`'s
/// value and `range`'s hold IPv4 text, each optionally masked with a `/prefix`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ipv4Lookup {
    pub table: Lookup,
    /// Where the lookup table is named in the KQL.
    pub table_span: Span,
    /// The input's column holding the address.
    pub key: Column,
    /// The lookup's column holding the ranges.
    pub range: Column,
    pub keep_unmatched: bool,
}

/// Which neighbouring row a [`StageKind::Neighbours`] stage reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum NeighbourDir {
    /// The row before (`prev()`).
    Prev,
    /// The row after (`next()`).
    Next,
}

impl NeighbourDir {
    /// KQL's name of the function.
    pub fn kql_name(self) -> &'static str {
        match self {
            NeighbourDir::Prev => "prev",
            NeighbourDir::Next => "next",
        }
    }
}

/// `mv-expand [kind=bag|array] [with_itemindex=I] [Name =] Expr [to typeof(T)], … [limit N]`.
///
/// Per input row (Kusto's mv-expand page, "Returns"): each item's value is expanded on its own;
/// an array gives one value per element, a property bag one value per property (a one-property
/// bag `{k: v}`, or the array `[k, v]` with `kind=array`), **an empty array or bag gives no
/// value, null gives one null value**, and any other value (a number, a string — even one that
/// holds JSON text, such as `"[1,2]"`) gives itself once. The row is repeated as many times as
/// the item with the most values has, the items zipped in parallel and padded with null; a row
/// where every item gives no value is dropped. `limit` caps the rows made from one input row;
/// with `to typeof(T)` a value that is not already of type `T` becomes null (a cast, not a
/// conversion). The other columns are repeated unchanged.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MvExpand {
    /// At least one; each writes its column (a new one, or replacing the column of that name).
    pub items: Vec<MvExpandItem>,
    /// How a property bag expands (`kind=` / `bagexpansion=`).
    pub bag: BagExpansion,
    /// `with_itemindex=`: a long column holding each value's 0-based position.
    pub index: Option<Column>,
    /// `limit N`: at most N rows from one input row. Legacy `mvexpand` has an implicit 128.
    pub limit: Option<u64>,
    /// For `mv-apply … on (summarize …)` ([`crate::lower`] groups the expansion back by this
    /// column): a long column numbering the input rows, written before the expansion, one
    /// number per input row. With it, a row where every item gives no value is kept, once,
    /// with null items and a null `index` (which is then always set), instead of dropped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_row: Option<Column>,
}

impl MvExpand {
    /// The columns the stage writes: its items, the index, and the row number.
    pub fn written(&self) -> impl Iterator<Item = &Column> {
        self.items
            .iter()
            .map(|i| &i.name)
            .chain(&self.index)
            .chain(&self.per_row)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MvExpandItem {
    /// The output column: the name given, else the column expanded.
    pub name: Column,
    /// The value expanded; for `pack_array(a, b, …)` the array those values make (in order,
    /// nulls kept), in [`MvExpandItem::pack`].
    pub expr: Expr,
    /// `pack_array(a, b, …)` written as the item: its elements (then `expr` is the first of
    /// them, for spans and walkers that visit one expression).
    pub pack: Option<Vec<Expr>>,
    /// `to typeof(T)`; `None` keeps the values dynamic.
    pub to: Option<ValueType>,
    /// Written `iff(array_length(A) == 0, dynamic([v]), A)`: `expr` is `A`, and an empty array
    /// gives the one value `v` (a string or a long) instead of no value. Anything else `A` holds (null, a property
    /// bag, a scalar: `array_length` is null for them, so `iff` takes `A`) expands as usual.
    pub if_empty: Option<Literal>,
}

impl MvExpandItem {
    /// Every expression the item reads.
    pub fn exprs(&self) -> Vec<&Expr> {
        match &self.pack {
            Some(v) => v.iter().collect(),
            None => vec![&self.expr],
        }
    }

    pub fn exprs_mut(&mut self) -> Vec<&mut Expr> {
        match &mut self.pack {
            Some(v) => v.iter_mut().collect(),
            None => vec![&mut self.expr],
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum BagExpansion {
    /// Each property becomes the bag `{key: value}` (KQL's default).
    Bag,
    /// Each property becomes the array `[key, value]`.
    Array,
}

/// A KQL scalar type named in a query (`to typeof(long)`, `parse … x:int`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ValueType {
    String,
    Int,
    Long,
    Real,
    Bool,
    DateTime,
    TimeSpan,
    Guid,
    Dynamic,
}

impl ValueType {
    /// From a KQL type name, aliases included.
    pub fn from_kql(name: &str) -> Option<ValueType> {
        Some(match name {
            "string" => ValueType::String,
            "int" | "int32" => ValueType::Int,
            "long" | "int64" => ValueType::Long,
            "real" | "double" => ValueType::Real,
            "bool" | "boolean" => ValueType::Bool,
            "datetime" | "date" => ValueType::DateTime,
            "timespan" | "time" => ValueType::TimeSpan,
            "guid" | "uuid" | "uniqueid" => ValueType::Guid,
            "dynamic" => ValueType::Dynamic,
            _ => return None,
        })
    }

    pub fn kql_name(self) -> &'static str {
        match self {
            ValueType::String => "string",
            ValueType::Int => "int",
            ValueType::Long => "long",
            ValueType::Real => "real",
            ValueType::Bool => "bool",
            ValueType::DateTime => "datetime",
            ValueType::TimeSpan => "timespan",
            ValueType::Guid => "guid",
            ValueType::Dynamic => "dynamic",
        }
    }
}

/// `parse [kind=simple|relaxed] Source with Part…` and `parse-where`.
///
/// Kusto's parse page: the pattern becomes a regex, `*` is `.*?` and a string column `(.*?)`
/// (so each constant is found at its first occurrence after the previous part: a pattern that
/// could match twice takes the first). Constants are case-sensitive, `.` (so a column or a `*`)
/// does not cross a line break, and the match is not anchored at the start unless the pattern
/// starts with a column. The simple kind's match must reach the end of the text (RE2's `$`):
/// duckdb-kql's parse emitter documents it as measured on Kusto (`'aXcYc'` parsed with
/// `"a" v "c"` gives `XcY`; `"k=" v ","` over `k=1,k=2,end` does not match; a `*` or a last
/// column stops at a line break, so a value with one after the match does not match).
/// [`Parse::regex`] is that regex.
///
/// When the pattern does not match, every column is empty: `""` for strings (KQL has no null
/// string), null for other types; `parse` keeps the row, `parse-where` drops it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Parse {
    pub source: Expr,
    pub kind: ParseKind,
    pub parts: Vec<ParsePart>,
    /// `parse-where`: keep only the rows that match.
    pub filter: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ParseKind {
    Simple,
    /// The constants are RE2 regexes; `*` is `.*?`, a string column `(.*?)` by Kusto's page.
    /// (Lowering refuses it for now: see `lower/parse.rs`.)
    Regex,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ParsePart {
    /// `*`: skip text.
    Skip,
    /// A constant (text for the simple kind, an RE2 regex for the regex kind).
    Const(String),
    /// A column to fill (lowering keeps only string columns so far).
    Capture { name: Column, ty: ValueType },
}

impl Parse {
    /// The capture columns, in order.
    pub fn captures(&self) -> impl Iterator<Item = &Column> {
        self.parts.iter().filter_map(|p| match p {
            ParsePart::Capture { name, .. } => Some(name),
            _ => None,
        })
    }

    /// The pattern as one RE2 regex with a capture group per column, in order (the simple
    /// kind's constants escaped, its end anchored with `$`, the end of the text); it matches
    /// exactly where the KQL parse does (string captures only, none next to a `*` or another
    /// column: lowering refuses those), and its groups hold the columns' values.
    pub fn regex(&self) -> String {
        self.regex_with(|_| "(".to_string())
    }

    /// [`Parse::regex`] with each column's group opened by `open` (e.g. a named group).
    pub fn regex_with(&self, open: impl Fn(&Column) -> String) -> String {
        let mut out = String::new();
        if matches!(self.parts.first(), Some(ParsePart::Capture { .. })) {
            out.push('^');
        }
        let last = self.parts.len().saturating_sub(1);
        let simple = self.kind == ParseKind::Simple;
        for (i, p) in self.parts.iter().enumerate() {
            match p {
                ParsePart::Skip => {
                    // A leading `*` is the unanchored search; a trailing one still has to
                    // reach the end anchor of the simple kind.
                    if i != 0 && (i != last || simple) {
                        out.push_str(".*?");
                    }
                }
                ParsePart::Const(c) => match self.kind {
                    ParseKind::Simple => out.push_str(&regex_escape(c)),
                    ParseKind::Regex => {
                        out.push_str("(?:");
                        out.push_str(c);
                        out.push(')');
                    }
                },
                ParsePart::Capture { name, .. } => {
                    out.push_str(&open(name));
                    out.push_str(".*?)");
                }
            }
        }
        if simple {
            out.push('$');
        }
        out
    }
}

/// `s` as an RE2 (and PCRE, Java) regex matching exactly `s`.
pub fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_punctuation() || c == ' ' {
            if matches!(
                c,
                '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$'
            ) {
                out.push('\\');
            }
            out.push(c);
        } else {
            out.push(c);
        }
    }
    out
}

/// `$left.left == $right.right` (`on k` is `left` = `right` = `k`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JoinKey {
    pub left: Column,
    pub right: Column,
}

/// KQL's join flavours (aliases normalised: `anti`/`leftantisemi` are `LeftAnti`,
/// `rightantisemi` is `RightAnti`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum JoinKind {
    /// KQL's default: the left side is first de-duplicated on the key columns (one arbitrary
    /// left row kept per key), then inner-joined with every matching right row.
    InnerUnique,
    /// Every (left, right) pair with equal keys.
    Inner,
    /// `Inner`, plus each unmatched left row once, right columns null.
    LeftOuter,
    /// `Inner`, plus each unmatched right row once, left columns null.
    RightOuter,
    /// `Inner`, plus unmatched rows of both sides.
    FullOuter,
    /// Left rows with at least one match, each once; left columns only.
    LeftSemi,
    /// Right rows with at least one match, each once; right columns only.
    RightSemi,
    /// Left rows with no match; left columns only.
    LeftAnti,
    /// Right rows with no match; right columns only.
    RightAnti,
}

impl Query {
    /// The source table, when the source is one table.
    pub fn table(&self) -> Option<&str> {
        match &self.source.kind {
            SourceKind::Table(t) => Some(t),
            SourceKind::Union(_) | SourceKind::Lookup(_) => None,
        }
    }

    /// Whether the order of the rows that stage `index` outputs can change nothing after it:
    /// every later stage returns the same rows and values whatever order its input comes in.
    /// A target that returns events unordered can then drop a sort there, changing only the
    /// order of the final rows.
    pub fn order_unused_after(&self, index: usize) -> bool {
        self.stages[index + 1..]
            .iter()
            .all(|s| s.kind.ignores_input_order())
    }
}

impl StageKind {
    /// Whether this stage works on each row by itself, keeping or dropping it and setting,
    /// renaming or removing its columns (filter, extend, the project family, rename): no row
    /// is added, and none depends on another.
    pub fn is_row_wise(&self) -> bool {
        matches!(
            self,
            StageKind::Filter(_)
                | StageKind::Extend(_)
                | StageKind::Project(_)
                | StageKind::ProjectAway(_)
                | StageKind::ProjectKeep(_)
                | StageKind::Rename(_)
                | StageKind::Reorder(_)
        )
    }

    /// Whether the same stage in every leg of a union gives the union's rows when it runs once
    /// over all the legs' rows instead: a row-by-row stage, or a sort (a union's rows have no
    /// order). Not a summarize or `take`, which each leg runs on its own rows.
    pub fn merges_across_legs(&self) -> bool {
        self.is_row_wise() || matches!(self, StageKind::Sort(_))
    }

    /// Whether this stage gives the same rows and values for any order of its input rows.
    /// `take` picks rows by position; `top` breaks ties by position; a summarize may collect
    /// values in order (`make_list`, `take_any`, `arg_max` ties); a join is left out to stay
    /// conservative.
    pub fn ignores_input_order(&self) -> bool {
        match self {
            StageKind::Filter(_)
            | StageKind::Extend(_)
            | StageKind::Project(_)
            | StageKind::ProjectAway(_)
            | StageKind::ProjectKeep(_)
            | StageKind::Rename(_)
            | StageKind::Reorder(_)
            | StageKind::Sort(_)
            | StageKind::Distinct(_)
            | StageKind::Count
            | StageKind::Totals(_)
            | StageKind::Scalar(_) => true,
            StageKind::Aggregate { .. }
            | StageKind::Top { .. }
            | StageKind::Limit(_)
            | StageKind::Join { .. }
            | StageKind::Neighbours { .. }
            | StageKind::Ipv4Lookup(_) => false,
            // `limit` and `with_itemindex` count within one row's own values, not across rows.
            StageKind::MvExpand(_) | StageKind::Parse(_) => true,
        }
    }
}

impl JoinKind {
    /// The canonical KQL spelling (`kind=…`).
    pub fn kql_name(self) -> &'static str {
        match self {
            JoinKind::InnerUnique => "innerunique",
            JoinKind::Inner => "inner",
            JoinKind::LeftOuter => "leftouter",
            JoinKind::RightOuter => "rightouter",
            JoinKind::FullOuter => "fullouter",
            JoinKind::LeftSemi => "leftsemi",
            JoinKind::RightSemi => "rightsemi",
            JoinKind::LeftAnti => "leftanti",
            JoinKind::RightAnti => "rightanti",
        }
    }

    /// Does the output carry left columns / right columns?
    pub fn keeps_columns(self) -> (bool, bool) {
        match self {
            JoinKind::LeftSemi | JoinKind::LeftAnti => (true, false),
            JoinKind::RightSemi | JoinKind::RightAnti => (false, true),
            _ => (true, true),
        }
    }
}

/// A column name (never a path: dynamic access lives in [`Expr`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Column {
    pub name: String,
    pub span: Span,
}

/// A column name that may contain `*` wildcards (project-away, project-keep, project-reorder).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ColumnPattern {
    pub pattern: String,
    pub span: Span,
}

impl ColumnPattern {
    pub fn is_wildcard(&self) -> bool {
        self.pattern.contains('*')
    }
}

/// `name = expr`; for a plain column reference the name is the column's own.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assignment {
    pub name: Column,
    pub expr: Expr,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupKey {
    pub name: Column,
    pub kind: GroupKeyKind,
    /// Whether the key's value is a string (`Strings`), known not to be (`NotStrings`), or
    /// not known: KQL groups a missing string with `""`, where a target with nulls makes the
    /// missing ones a group of their own. Set by lowering's type pass.
    pub operands: Operands,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum GroupKeyKind {
    /// Group by an expression's value (usually a plain column).
    Expr(Expr),
    /// `bin(field, size)`: fixed UTC buckets of `size` since the epoch (or numeric buckets).
    Bin { field: Expr, size: BinSize },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum BinSize {
    Duration(Duration),
    Number(f64),
}

/// One aggregate with its output column; KQL's default names (`count_`, `dcount_X`, …) are
/// already resolved, so backends always emit explicit aliases.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Aggregation {
    pub name: Column,
    pub func: AggFunc,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum AggFunc {
    /// `count()`: rows in the group.
    Count,
    /// `countif(p)`.
    CountIf(Predicate),
    /// `dcount(x)`: KQL's is an HLL estimate; exactness differs per target.
    DCount(Expr),
    DCountIf(Expr, Predicate),
    /// `make_set(x [, max])`: distinct values.
    MakeSet {
        expr: Expr,
        max: Option<u64>,
    },
    /// `make_list(x [, max])`: all values, duplicates kept.
    MakeList {
        expr: Expr,
        max: Option<u64>,
    },
    /// `arg_max(by, cols…)` / `arg_min`: the row with the extreme `by`; `cols` empty means `*`.
    ArgMax {
        by: Expr,
        cols: Vec<Assignment>,
    },
    ArgMin {
        by: Expr,
        cols: Vec<Assignment>,
    },
    Min(Expr),
    Max(Expr),
    Sum(Expr),
    Avg(Expr),
    /// `stdev(x)`: the sample standard deviation (Bessel's correction, divided by n - 1).
    Stdev(Expr),
    /// `take_any(x)`: an arbitrary value of the group.
    TakeAny(Expr),
    /// `take_any(*)`: every input column but the group keys, all from one arbitrary row of the
    /// group (any row is a valid answer). The aggregation's own name is `*`, no output column.
    AnyRow,
    /// `count_distinct(x)`: the exact number of distinct non-null values (unlike `dcount`, not
    /// an estimate).
    CountDistinct(Expr),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SortKey {
    pub expr: Expr,
    pub dir: SortDir,
    pub nulls: Nulls,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum SortDir {
    Asc,
    Desc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Nulls {
    First,
    Last,
}

impl Nulls {
    /// KQL's default: nulls last when descending, first when ascending.
    pub fn default_for(dir: SortDir) -> Nulls {
        match dir {
            SortDir::Desc => Nulls::Last,
            SortDir::Asc => Nulls::First,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Predicates
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Predicate {
    pub kind: PredicateKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum PredicateKind {
    And(Vec<Predicate>),
    Or(Vec<Predicate>),
    Not(Box<Predicate>),
    /// The heart of detection: one explicit string test.
    StrMatch(StrMatch),
    /// Numeric, datetime, timespan or bool comparison, or column-to-column comparison.
    Compare {
        lhs: Expr,
        op: CmpOp,
        rhs: Expr,
        /// What the table schema says about the operands' type (filled in by lowering's type
        /// pass): it decides how a missing value compares when neither side is a literal.
        operands: Operands,
    },
    /// Non-string membership: `x in (1, 2, 3)`.
    InSet {
        expr: Expr,
        values: Vec<Literal>,
        negated: bool,
    },
    /// `x in (subquery)` (`in~` with `case: Insensitive`, `!in` with `negated`): `x` equals a
    /// value of the subquery's column. Negated, true when none does (also for a null `x`); over
    /// a subquery that returns no rows, `in` is false and `!in` true. With
    /// [`SubqueryMatch::Term`], `x has_any (subquery)`: some value of the column is a term of
    /// `x` (KQL's `has`, case-insensitive); false over no rows.
    InSubquery {
        expr: Expr,
        sub: Box<Subquery>,
        case: Case,
        negated: bool,
        matching: SubqueryMatch,
    },
    /// `x between (low .. high)`, inclusive at both ends.
    Between {
        expr: Expr,
        low: Expr,
        high: Expr,
        negated: bool,
    },
    /// `isempty(x)` (null or "") / `isnotempty(x)` when negated.
    IsEmpty {
        expr: Expr,
        negated: bool,
    },
    /// `isnull(x)` / `isnotnull(x)` when negated. Strings are never null in KQL: lowering folds
    /// this to [`PredicateKind::Const`] when `x` is known to be a string (by the table schema,
    /// [`crate::schema`], or the expression) and adds a note when `x`'s type is unknown, so a
    /// backend may read it as "missing or null".
    IsNull {
        expr: Expr,
        negated: bool,
    },
    /// `field > ago(d)` and friends: a look-back window relative to query time.
    TimeWindow {
        field: Expr,
        op: CmpOp,
        ago: Duration,
    },
    /// A boolean-valued expression used as a predicate (a bool column, or a call such as
    /// `ipv4_is_private(ip)`).
    Bool(Expr),
    /// A constant, e.g. from folding `isnull(<string>)`.
    Const(bool),
}

/// A string test with every implicit choice of KQL made explicit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StrMatch {
    /// The value tested: a column, a dynamic path, or a computed string expression.
    pub field: Expr,
    pub kind: MatchKind,
    pub case: Case,
    /// The literal values (at least one). For `Regex` these are RE2 patterns.
    pub values: Vec<String>,
    /// With several values: does one have to match (`in`, `has_any`) or all (`has_all`)?
    pub quantifier: Quantifier,
    /// KQL's negated forms (`!=`, `!has`, `!in`…): true for empty/missing values, which every
    /// backend must keep.
    pub negated: bool,
}

impl StrMatch {
    /// A case-insensitive test on a value with non-ASCII letters: KQL folds only ASCII case
    /// (`"MÜLLER" =~ "müller"` is false), while most targets' case-insensitive operators fold
    /// Unicode — such a translation can match more (or, negated, fewer) rows.
    pub fn folds_non_ascii(&self) -> bool {
        self.case == Case::Insensitive
            && self.values.iter().any(|v| {
                v.chars()
                    .any(|c| !c.is_ascii() && (c.is_lowercase() || c.is_uppercase()))
            })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum MatchKind {
    /// The whole value equals.
    Equals,
    /// Substring.
    Contains,
    StartsWith,
    EndsWith,
    /// `has`: the value occurs as a whole term (bounded by non-alphanumerics or the ends).
    Term,
    /// `hasprefix`: some term starts with the value.
    TermPrefix,
    /// `hassuffix`: some term ends with the value.
    TermSuffix,
    /// `matches regex`: RE2, unanchored.
    Regex,
}

impl MatchKind {
    /// For the `has` family: which ends of a match of `value` must sit on a term boundary (a
    /// non-alphanumeric character or the end of the string).
    ///
    /// KQL splits text into maximal runs of ASCII alphanumerics. A term test only needs a
    /// boundary where the value itself ends in an alphanumeric that could otherwise continue a
    /// longer term: `"xx.exe" has ".exe"` and `".../rg1?api" has "/rg1?"` are true, since the
    /// value's own punctuation already separates it (MicrosoftDocs/dataexplorer-docs#1005;
    /// duckdb-kql agrees). `hasprefix` bounds only the start, `hassuffix` only the end.
    /// Other match kinds need no boundary.
    pub fn term_edges(self, value: &str) -> TermEdges {
        let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        let (starts, ends) = (alnum(value.chars().next()), alnum(value.chars().last()));
        let (before, after) = match self {
            MatchKind::Term => (starts, ends),
            MatchKind::TermPrefix => (starts, false),
            MatchKind::TermSuffix => (false, ends),
            _ => (false, false),
        };
        TermEdges { before, after }
    }

    /// `values` grouped by the [`TermEdges`] each needs, in order of first appearance: a
    /// `has_any` can test each group as one alternation.
    pub fn term_groups(self, values: &[String]) -> Vec<(TermEdges, Vec<&str>)> {
        let mut groups: Vec<(TermEdges, Vec<&str>)> = Vec::new();
        for v in values {
            let edges = self.term_edges(v);
            match groups.iter_mut().find(|(e, _)| *e == edges) {
                Some((_, alts)) => alts.push(v),
                None => groups.push((edges, vec![v])),
            }
        }
        groups
    }
}

/// Which ends of a term match need a term boundary ([`MatchKind::term_edges`]). The meaning
/// only: each target spells the boundary in its own regex dialect (`kqlport-kit`'s
/// `regex::term`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TermEdges {
    pub before: bool,
    pub after: bool,
}

/// How `x` is tested against a subquery's values ([`PredicateKind::InSubquery`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum SubqueryMatch {
    /// `in`, `in~`: `x` equals a value.
    Equal,
    /// `has_any`: a value is a term of `x` (KQL's `has`).
    Term,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Case {
    Sensitive,
    Insensitive,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Quantifier {
    Any,
    All,
}

/// The type of a comparison's operands, as far as the table schema tells.
///
/// KQL strings are never null: a missing string reads as `""`, so `a == b` is true when both
/// are missing and `a != b` false. Other types have a null: `null == x` is false, `null != x`
/// true for a non-null `x`, and `null` (a dropped row) when both are null; `<`, `<=`, `>`, `>=`
/// are null on a null operand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum Operands {
    /// Not known (a table or column missing from the schema, a dynamic value …).
    #[default]
    Unknown,
    /// At least one side is a string, so both are.
    Strings,
    /// Both sides have a known type that is neither string nor dynamic.
    NotStrings,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// The operator as KQL writes it (`==`, `!=`, `<`, `<=`, `>`, `>=`); SPL's `where`/`eval` and
    /// EQL spell comparisons the same way.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// The operator with its operands swapped (`a < b` ⇔ `b > a`).
    pub fn flipped(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            op => op,
        }
    }

    /// The complement (`==` ↔ `!=`, `<` ↔ `>=`): `!(a op b)` for two present values.
    pub fn complement(self) -> CmpOp {
        match self {
            CmpOp::Eq => CmpOp::Ne,
            CmpOp::Ne => CmpOp::Eq,
            CmpOp::Lt => CmpOp::Ge,
            CmpOp::Le => CmpOp::Gt,
            CmpOp::Gt => CmpOp::Le,
            CmpOp::Ge => CmpOp::Lt,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Scalar expressions
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    /// Whether this integer expression is known never to be negative: a literal `>= 0`,
    /// `strlen(…)`, or a sum/product of such. Backends use it to skip run-time sign tests
    /// (e.g. KQL's 0-based `substring` start vs a 1-based target start).
    pub fn is_non_negative(&self) -> bool {
        match &self.kind {
            ExprKind::Literal(Literal::Long(n)) => *n >= 0,
            ExprKind::Call {
                func: ScalarFn::Strlen,
                ..
            } => true,
            ExprKind::Arith {
                op: ArithOp::Add | ArithOp::Mul,
                lhs,
                rhs,
            } => lhs.is_non_negative() && rhs.is_non_negative(),
            _ => false,
        }
    }

    /// What `path` reads when this expression is a `split(text, delimiter[, k])` call and the
    /// path one position `[i]`, decided here once for every target. `split(x, d)[i]` is its
    /// `i`th piece (negative from the end); `split(x, d, k)` is the one-element array of the
    /// `k`th piece, so `[0]` and `[-1]` read piece `k` and any other position is null. `None`
    /// for every other shape (a computed `k`, a negative `k`, a key path, another call).
    pub fn split_read<'a>(&'a self, path: &[PathSegment]) -> Option<SplitRead<'a>> {
        let (
            ExprKind::Call {
                func: ScalarFn::Split,
                args,
            },
            [PathSegment::Index(i)],
        ) = (&self.kind, path)
        else {
            return None;
        };
        let (text, delimiter, piece) = match args.as_slice() {
            [x, d] => (x, d, Some(*i)),
            [x, d, Expr {
                kind: ExprKind::Literal(Literal::Long(k)),
                ..
            }] if *k >= 0 => (x, d, (*i == 0 || *i == -1).then_some(*k)),
            _ => return None,
        };
        Some(SplitRead {
            text,
            delimiter,
            piece,
        })
    }
}

/// One position read out of `split(…)`: see [`Expr::split_read`].
#[derive(Clone, Copy, Debug)]
pub struct SplitRead<'a> {
    pub text: &'a Expr,
    pub delimiter: &'a Expr,
    /// The piece read (0-based, negative from the end); `None`: the position is out of the
    /// one-element array `split(x, d, k)` gives, so the value is null.
    pub piece: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ExprKind {
    Literal(Literal),
    /// A column, possibly with a path into its dynamic value: `AdditionalFields.a.b`,
    /// `tostring(parse_json(X).a)`, `X["a"]`.
    Field(FieldPath),
    /// A path into a computed dynamic value: `split(x, "/")[1]`, `parse_url(u).Host`.
    Path {
        base: Box<Expr>,
        path: Vec<PathSegment>,
    },
    Call {
        func: ScalarFn,
        args: Vec<Expr>,
    },
    Arith {
        op: ArithOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Neg(Box<Expr>),
    /// `iff(c, a, b)` and `case(c1, v1, …, else)` as one form: the first true branch wins.
    Case {
        branches: Vec<(Predicate, Expr)>,
        otherwise: Box<Expr>,
    },
    /// A predicate used as a bool value (`extend suspicious = x has "y"`).
    Predicate(Box<Predicate>),
    /// `now()`, constant per query.
    Now,
    /// `ago(d)`: now minus a duration.
    Ago(Duration),
    /// `ingestion_time()`: when the row was ingested (Kusto's hidden `$IngestionTime`
    /// column; null where the table does not record it). A datetime. A target can only read
    /// its own store's ingestion time, which another system recorded.
    IngestionTime,
}

/// A column and the path into its dynamic value (empty for a plain column). `parsed` records
/// that the column holds JSON *text* that KQL parsed (`parse_json(X)`), as opposed to a
/// dynamic column — some targets differ on the two.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldPath {
    pub column: String,
    pub path: Vec<PathSegment>,
    pub parsed: bool,
}

impl FieldPath {
    pub fn column(name: impl Into<String>) -> Self {
        FieldPath {
            column: name.into(),
            path: Vec::new(),
            parsed: false,
        }
    }

    pub fn is_plain(&self) -> bool {
        self.path.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum PathSegment {
    Key(String),
    Index(i64),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Literal {
    String(String),
    Long(i64),
    Real(f64),
    Bool(bool),
    /// An ISO-8601 UTC timestamp as written (normalised to `YYYY-MM-DDTHH:MM:SS[.f]Z`).
    DateTime(String),
    Timespan(Duration),
    Null,
}

/// A duration in 100-nanosecond ticks (KQL's own resolution).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Duration {
    pub ticks: i64,
}

impl Duration {
    pub const TICKS_PER_SECOND: i64 = 10_000_000;

    pub fn from_ticks(ticks: i64) -> Self {
        Duration { ticks }
    }

    /// The largest unit that divides the duration exactly: (amount, unit) with unit one of
    /// `d`, `h`, `m`, `s`, `ms`, `tick`. Backends format it in their own spelling.
    pub fn whole_unit(self) -> (i64, DurationUnit) {
        const UNITS: [(i64, DurationUnit); 6] = [
            (864_000_000_000, DurationUnit::Day),
            (36_000_000_000, DurationUnit::Hour),
            (600_000_000, DurationUnit::Minute),
            (10_000_000, DurationUnit::Second),
            (10_000, DurationUnit::Millisecond),
            (1, DurationUnit::Tick),
        ];
        for (size, unit) in UNITS {
            if self.ticks % size == 0 {
                return (self.ticks / size, unit);
            }
        }
        (self.ticks, DurationUnit::Tick)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum DurationUnit {
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
    Tick,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ArithOp {
    Add,
    Sub,
    /// `datetime - datetime`, a timespan: a `Sub` whose operands the type pass
    /// (`lower::types`) knows to be datetimes. Targets without a date difference decline it.
    DateSub,
    Mul,
    Div,
    Mod,
}

/// Scalar functions with a known meaning, by their canonical KQL name (aliases such as
/// `parsejson`, `iif`, `todouble` are already normalised by lowering).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ScalarFn {
    ToString,
    ToLower,
    ToUpper,
    ToInt,
    ToLong,
    ToReal,
    ToBool,
    ToDateTime,
    StrCat,
    Strlen,
    Substring,
    Trim,
    /// `replace_regex(text, regex, rewrite)`; lowering puts the legacy `replace(regex, rewrite,
    /// text)` into this order too.
    Replace,
    ReplaceString,
    Extract,
    /// `extract_all(regex, dynamic([g]), text)` of one capture group: args `[regex (an RE2
    /// string literal), g (a long literal, 1-based), text]`. The group's value in every match
    /// of `regex` in `text`, left to right (non-overlapping, as RE2 finds them), as a dynamic
    /// array of strings; **null** when `regex` does not match (never an empty array). Lowering
    /// builds it only for one selected group (more groups make a 2-D array, not modelled).
    ExtractAll,
    Split,
    Coalesce,
    ArrayLength,
    Bin,
    StartOfDay,
    DateTimeDiff,
    Ipv4IsPrivate,
    Ipv4IsInRange,
    Abs,
    Round,
    Floor,
    TrimStart,
    TrimEnd,
    IndexOf,
    CountOf,
    StartOfWeek,
    StartOfMonth,
    StartOfYear,
    EndOfDay,
    HourOfDay,
    DayOfWeek,
    GetMonth,
    GetYear,
    Base64DecodeToString,
    UrlDecode,
    UrlEncode,
    ParseUrl,
    BagKeys,
    ArraySortAsc,
    ArraySortDesc,
    ArraySlice,
    StrcatArray,
    Log,
    ToTimespan,
    Typeof,
    /// `tohex(n)`: the lower-case hexadecimal digits of an integer, no prefix (negative numbers
    /// as their 64-bit two's complement); null for null. A second argument is a minimum width,
    /// zero-padded.
    ToHex,
    /// `string_size(s)`: the number of bytes of the string's UTF-8 encoding (not characters).
    StringSize,
    /// `unixtime_milliseconds_todatetime(ms)`: the datetime `ms` milliseconds (a real: a
    /// fraction is kept to KQL's 100 ns) after 1970-01-01T00:00:00Z; null for null.
    UnixtimeMillisecondsToDatetime,
    /// `indexof_regex(text, regex)`: the 0-based character index of the first (leftmost) RE2
    /// match, -1 when there is none. Further arguments (start, length, occurrence) follow KQL.
    IndexOfRegex,
    /// `parse_ipv4(s)`: the IPv4 address (optionally `a.b.c.d/prefix`, masked) as a long;
    /// null when `s` is not an IPv4 address.
    ParseIpv4,
    /// `X[k]` with `k` computed at query time (args `X`, `k`): the property of the dynamic `X`
    /// named `k` when `k` is a string, the element at position `k` (negative counts from the
    /// end) when it is a number; null when there is none. Constant keys are paths instead
    /// ([`ExprKind::Field`], [`ExprKind::Path`]).
    DynamicIndex,
    /// `text has term` with `term` computed at query time (args `text`, `term`; a constant term
    /// is a [`StrMatch`]): true when `term` occurs in `text` with no ASCII alphanumeric run
    /// going on across either end, i.e. where `term` starts (ends) with an alphanumeric the
    /// text has a non-alphanumeric or its start (end) there; ASCII case-insensitive. Both are
    /// strings, never null in KQL (missing is `""`); `!has` is the plain negation.
    HasTerm,
    /// `has_cs`: [`ScalarFn::HasTerm`], case-sensitive.
    HasTermCs,
    /// `text matches regex pattern` with `pattern` computed when the query runs, once (a
    /// `toscalar()` value: Kusto takes no regex that varies per row), args `text`, `pattern`
    /// (a pattern written as a constant is a [`StrMatch`], checked against RE2 by lowering): true
    /// when the RE2 regex `pattern` matches somewhere in `text` (unanchored, case-sensitive
    /// unless the pattern says otherwise). The pattern is not known when translating, so no
    /// target can rewrite it into its own dialect. Both are strings, never null in KQL.
    MatchesRegex,
    /// `text contains sub` with `sub` computed at query time (args `text`, `sub`; a constant
    /// `sub` is a [`StrMatch`]): true when `sub` occurs in `text`, ASCII case-insensitive. Both
    /// are strings, never null in KQL (missing is `""`); an empty `sub` is in every text.
    /// `!contains` is the plain negation.
    Contains,
    /// `contains_cs`: [`ScalarFn::Contains`], case-sensitive.
    ContainsCs,
    /// `text startswith prefix` with `prefix` computed at query time, as [`ScalarFn::Contains`]
    /// (an empty prefix starts every text).
    StartsWith,
    /// `startswith_cs`: [`ScalarFn::StartsWith`], case-sensitive.
    StartsWithCs,
    /// `text endswith suffix` with `suffix` computed at query time, as [`ScalarFn::Contains`]
    /// (an empty suffix ends every text).
    EndsWith,
    /// `endswith_cs`: [`ScalarFn::EndsWith`], case-sensitive.
    EndsWithCs,
    /// `hash_sha256(s)`: the SHA-256 digest of the text as 64 lower-case hex digits (Microsoft's
    /// example: `hash_sha256("World")` is `78ae647d…d524`, the digest of its UTF-8 bytes).
    /// What KQL hashes for an empty text or a non-ASCII one is not documented (backends note it).
    HashSha256,
    /// `hash_md5(s)`: [`ScalarFn::HashSha256`] with MD5 (32 hex digits).
    HashMd5,
    /// `log2(x)`: the base-2 logarithm, a real; -infinity for 0, null for a negative number or
    /// null.
    Log2,
    /// `max_of(a, b, …)`: the largest argument; "non-null values take precedence to null
    /// values" (Microsoft's page), so null only when every argument is null.
    MaxOf,
    /// `min_of(a, b, …)`: [`ScalarFn::MaxOf`], the smallest.
    MinOf,
    /// `reverse(s)`: the text's characters in reverse order; `""` for an empty or missing text.
    Reverse,
    /// `format_datetime(t, format)` (args `t`, a string literal `format`): the datetime's text
    /// in UTC by KQL's format elements (`dd`, `MM`, `yyyy`, `HH`, `mm`, `ss`, `fff`…); `""` for
    /// a null datetime.
    FormatDatetime,
    /// `bag_pack(k1, v1, k2, v2, …)` (aliases `pack`, `pack_dictionary`): a dynamic property bag
    /// holding each value `vN` under the key `kN` (a string, possibly computed). KQL documents
    /// the order of the keys as undetermined.
    BagPack,
    /// `set_union(a, b, …)`: a dynamic array of the distinct values of all the arrays (Microsoft's
    /// page: "distinct values that are in any of the arrays"); the order of its elements is not
    /// documented.
    SetUnion,
    /// `set_difference(a, b, …)`: a dynamic array of the distinct values of `a` that are in none
    /// of the other arrays (`[]` when there is none); the order of its elements is not
    /// documented.
    SetDifference,
    /// `set_intersect(a, b, …)`: a dynamic array of the distinct values that are in every array;
    /// the order of its elements is not documented.
    SetIntersect,
    /// `array_concat(a, b, …)`: one dynamic array of the arrays' elements, in argument order,
    /// duplicates kept (what a non-array argument gives is not documented).
    ArrayConcat,
}

#[cfg(test)]
mod term_edge_tests {
    use super::MatchKind::*;

    #[test]
    fn only_alphanumeric_edges_need_a_term_boundary() {
        let edges = |k: super::MatchKind, v: &str| {
            let e = k.term_edges(v);
            (e.before, e.after)
        };
        assert_eq!(edges(Term, "cmd.exe"), (true, true));
        assert_eq!(edges(Term, ".exe"), (false, true));
        assert_eq!(edges(Term, "/rg1?"), (false, false));
        assert_eq!(edges(Term, "-"), (false, false));
        assert_eq!(edges(TermPrefix, "tor"), (true, false));
        assert_eq!(edges(TermPrefix, "-ba"), (false, false));
        assert_eq!(edges(TermSuffix, "o-"), (false, false));
        assert_eq!(edges(TermSuffix, "bar"), (false, true));
        // KQL terms are ASCII-only: a non-ASCII letter at the edge is itself a separator.
        assert_eq!(edges(Term, "ü"), (false, false));
        assert_eq!(edges(Contains, "abc"), (false, false));
    }

    #[test]
    fn term_groups_keep_first_appearance_order() {
        let values: Vec<String> = ["a", ".b", "c", "d."]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let groups: Vec<(bool, bool, Vec<&str>)> = Term
            .term_groups(&values)
            .into_iter()
            .map(|(e, v)| (e.before, e.after, v))
            .collect();
        assert_eq!(
            groups,
            vec![
                (true, true, vec!["a", "c"]),
                (false, true, vec![".b"]),
                (true, false, vec!["d."]),
            ]
        );
    }
}
