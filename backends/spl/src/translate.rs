//! IR → SPL target AST. `Tx` is the translator's state — the notes and refusals it collects,
//! and what it knows of the rows and columns so far — shared by the modules below, each named
//! by what it generates. Never formats text (see `ast`).
//!
//! - `query`: the driver — a table's base search, then each stage as commands;
//! - `search`: the base `search` (leading filters, time bounds, indexed prefilters);
//! - `predicates`, `str_match`: KQL predicates as `where`/`eval` conditions;
//! - `expr`, `calls`, `fields`: scalar expressions, function calls, column and path reads;
//! - `text`, `network`, `time`, `civil`, `arrays`, `dynamic`: families of functions;
//! - `project`, `sort`, `aggregate`, `arg_extreme`, `mvexpand`, `parse`, `union`: stages;
//! - `columns`: what each column holds, read from the core's facts (`ir::facts`: epoch,
//!   split, URL, multivalue, origin), and what the core does not track (dynamic members).

use self::time::SPLUNK_TIME;
use crate::ast::{name_expressible, Eval};
use kqlport::backend::Notes;
use kqlport::codes::{Code, SplCode};
use kqlport::diag::Diagnostic;
use kqlport::ir::{facts, ColumnPattern};
use kqlport::source::Span;
use std::collections::HashMap;

mod aggregate;
mod arg_extreme;
mod arrays;
mod calls;
mod civil;
mod columns;
mod dynamic;
mod expr;
mod fields;
mod ipv4_lookup;
mod mvexpand;
mod neighbours;
mod network;
mod parse;
mod predicates;
mod project;
mod query;
mod scalar;
mod search;
mod sort;
mod str_match;
mod subsearch;
mod text;
mod time;
mod union;

#[cfg(test)]
pub(crate) use self::time::epoch_seconds;
pub(crate) use self::time::TIME_COLUMNS;

/// Prefix of helper fields this backend introduces (always removed or renamed again).
pub(crate) const TMP: &str = "__kqlport_";

/// Prefix of lowering's temporaries for aggregates nested in expressions
/// (`datetime_diff("minute", now(), max(T))`): usable names, as no helper of this backend
/// starts with it.
pub(crate) const LOWERING_TMP: &str = "__kqlport_agg";

pub struct Tx {
    pub notes: Notes,
    pub errors: Vec<Diagnostic>,
    /// Whether `_raw` still holds the whole original event (no `table`/`stats`/`fields +` yet),
    /// so a dynamic column can be read from it with `json_extract(_raw, …)`.
    raw: bool,
    /// Whether the rows still carry every field Splunk's JSON extraction made (`X.a.b`): true
    /// until a `table`/`fields +`/`stats` keeps only named fields (`arg_max(t, *)` and
    /// `project-reorder` keep them all).
    flat: bool,
    /// Set by the backend's second attempt: the pipelines (by their span: the main one, a
    /// join's right side, a subquery) whose `table`/`fields +` keep `_raw` (removed again at
    /// their end) so that later stages can still read event columns from it. A join in such a
    /// pipeline ends its right side by removing the right rows' `_raw`, so that the left rows
    /// keep theirs (Splunk's join copies the right rows' fields, `_raw` too, over the left
    /// row's).
    pub(crate) keep_raw: Vec<(usize, usize)>,
    /// The rows carry a `_raw` the KQL output does not have, kept by `keep_raw`.
    pub(crate) raw_extra: bool,
    /// The pipelines where a path needed `_raw` after a `table`/`fields +` (or a join's right
    /// rows) dropped it: worth another attempt that keeps it there (`keep_raw`).
    pub(crate) wants_raw: Vec<(usize, usize)>,
    /// The pipeline being translated (its span), for `keep_raw` and `wants_raw`.
    pipeline: (usize, usize),
    /// A join brought in whole right rows, whose own columns the core's facts do not follow
    /// (its right side's output columns are not all known): a column that is not in this
    /// table's schema may be the right row's, so it is not read from this event's `_raw`.
    pub(crate) right_rows: bool,
    /// How many join right sides deep this translation is (0 = the main pipeline).
    depth: usize,
    /// Whether leading filters give the base search their indexed prefilters (`prefilter.rs`);
    /// off only to check that the prefilters never change the rows.
    pub(crate) prefilters: bool,
    /// What the core knows of each column here ([`facts::Scope`], as [`Tx::stages_into`] reads
    /// it): set before each stage, stepped after each assignment of an `extend`. A column of
    /// shape [`facts::Shape::Url`] holds a `parse_url` object built by `json_object` (without
    /// KQL's `Query Parameters` bag, see `translate/network.rs`); one of shape
    /// [`facts::Shape::Split`] a multivalue field made by `split` (a KQL string array, in
    /// order, so it can be indexed).
    cols: facts::Scope,
    /// The joins the KQL wrote as `rightsemi`/`rightanti`, translated as the mirrored left
    /// join (`ir::Mirrored`): their notes and refusals name the KQL's sides.
    pub(crate) mirrored: Vec<(kqlport::source::Span, kqlport::ir::JoinKind)>,
    /// Splunk fields this pipeline set straight from `json_extract` (may hold a Boolean).
    json_valued: Vec<String>,
    /// Set while a filter's predicate is translated: a datetime read from text that does not
    /// parse then loses the row (under-match) rather than changing a value.
    filtering: bool,
    /// Set while the whole value of an assignment is a `split` array (or a copy of one): the
    /// only place a whole array may appear (elsewhere a multivalue field would behave unlike
    /// KQL's array).
    array_ok: bool,
    /// The expression being translated is a whole column's value (an `extend`/`project`
    /// assignment that is a bare dynamic path): a member path is then read as JSON from the
    /// event, since Splunk's JSON extraction makes a field only of a leaf (`X.a.b`), and the
    /// path may name an object or array.
    whole_value: bool,
    /// Helper fields an expression needs computed first (`eval` before the command that uses
    /// them, removed after the stage), and a counter for their names.
    pre: Vec<(String, Eval)>,
    cleanup: Vec<String>,
    helpers: usize,
    /// Fields read as Splunk's JSON extraction of a dynamic member (`X.a.b`) since the last
    /// look: if the member holds an array (or an object) that field is missing (see
    /// [`Tx::array_member_note`]).
    members_read: Vec<String>,
    /// The source table of the pipeline being translated: a plain column its schema types
    /// `dynamic` is an object or array in the event, so its field is missing too.
    table: String,
    /// The table's field-mapping pipeline, for the schema's types under mapped names.
    target: Option<kqlport::ir::TargetSource>,
    /// The Splunk field an `extend` read a column's value from, where that was a field of
    /// Splunk's JSON extraction (`X.a.b`) or a dynamic event field (`extend c = tostring(X.a)`:
    /// `c` → `X.a`): missing where the member holds an array or object, so a test on the
    /// column is noted like one on that field. Target state: how SPL spelled the value when
    /// it was assigned. Whether the column still holds that member as it is is a column fact
    /// ([`facts::Shape::Member`] in `cols`), and read from there.
    extracted_from: HashMap<String, String>,
}

impl Tx {
    pub fn new() -> Self {
        Tx {
            notes: Notes::default(),
            errors: Vec::new(),
            raw: true,
            flat: true,
            keep_raw: Vec::new(),
            raw_extra: false,
            wants_raw: Vec::new(),
            pipeline: (0, 0),
            right_rows: false,
            depth: 0,
            prefilters: true,
            cols: facts::Scope::default(),
            mirrored: Vec::new(),
            json_valued: Vec::new(),
            filtering: false,
            array_ok: false,
            whole_value: false,
            pre: Vec::new(),
            cleanup: Vec::new(),
            helpers: 0,
            members_read: Vec::new(),
            table: String::new(),
            target: None,
            extracted_from: HashMap::new(),
        }
    }

    pub(super) fn refuse(
        &mut self,
        code: impl Into<Code>,
        span: Span,
        msg: &str,
        label: &str,
        help: &str,
    ) {
        self.errors.push(
            Diagnostic::error(code, msg, span)
                .with_label(label)
                .with_help(help),
        );
    }

    /// A column name usable as a Splunk field name.
    pub(crate) fn name(&mut self, name: &str, span: Span) -> Option<String> {
        if name_expressible(name) && (!name.starts_with(TMP) || name.starts_with(LOWERING_TMP)) {
            self.time_column_note(name, span);
            Some(col(name))
        } else {
            self.refuse(
                SplCode::B011,
                span,
                "column name cannot be written as a Splunk field name",
                "quotes, backslashes, backticks and control characters cannot be quoted in SPL",
                "rename the column in the KQL (project-rename) before porting",
            );
            None
        }
    }

    pub(super) fn pattern(&mut self, p: &ColumnPattern) -> Option<String> {
        self.name(&p.pattern, p.span)
    }
}

/// Maps a KQL column name to its Splunk field name.
pub(super) fn col(name: &str) -> String {
    if TIME_COLUMNS.contains(&name) {
        SPLUNK_TIME.to_string()
    } else {
        name.to_string()
    }
}

impl Default for Tx {
    fn default() -> Self {
        Tx::new()
    }
}
