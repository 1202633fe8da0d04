//! IR → SPL target AST: decides which predicates go into the base `search` and which into
//! `| where`, how KQL's null/empty rules are spelled, and which stages become which commands.
//! Collects approximation notes and located refusals; never formats text (see `ast`).

use crate::ast::{
    name_expressible, search_safe, BaseSearch, Command, Eval, Head, Pipeline, SearchExpr,
    SearchPart, SearchValue, SortDir as SplDir, StatsAgg, StatsArg, TimeBound,
};
use crate::regex as re;
use kqlport::backend::{Effect, Notes};
use kqlport::diag::Diagnostic;
use kqlport::ir::{
    visit, AggFunc, Aggregation, ArithOp, Assignment, BinSize, Case, CmpOp, Column, ColumnPattern,
    Duration, Expr, ExprKind, FieldPath, GroupKey, GroupKeyKind, Literal, MatchKind, Operands,
    PathSegment, Predicate, PredicateKind, Quantifier, Query, ScalarFn, SortDir, SortKey,
    SourceKind, Stage, StageKind, StrMatch, TermEdges,
};
use kqlport::source::Span;
use std::collections::HashMap;

mod arrays;
mod functions;
mod mvexpand;
mod parse;
mod scalars;
mod union;

/// The Sentinel time columns — `TimeGenerated` (when Sentinel ingested the row), and
/// `Timestamp` in Defender XDR tables (when the event happened; it can differ from
/// `TimeGenerated`). Splunk has one event time, `_time` (epoch seconds): both read it, and
/// [`splunk_time_column`] says which of the two it holds for a table. An output column of
/// either name is renamed back from `_time` at the end of the pipeline.
pub const TIME_COLUMNS: &[&str] = &["TimeGenerated", "Timestamp"];

/// Which stored column Splunk's `_time` holds for `table`: `Timestamp` for a table whose
/// schema has a datetime `Timestamp` (the Defender XDR tables: Splunk's Microsoft Defender
/// add-on stamps events with their event time), else `TimeGenerated`. Field-mapping pipelines
/// are to set this per table; until then this rule is the one the translation assumes, and a
/// reference to the other time column is noted.
pub fn splunk_time_column(table: &str) -> &'static str {
    if kqlport::schema::column_type(table, "Timestamp")
        == Some(kqlport::schema::ColumnType::DateTime)
    {
        "Timestamp"
    } else {
        "TimeGenerated"
    }
}
const SPLUNK_TIME: &str = "_time";
/// The `latest` that leaves a KQL window open at the top: 2038-01-19T03:14:07Z, the last
/// 32-bit epoch second (Splunk's own default `MAX_DAYS_HENCE = 2` in props.conf re-stamps
/// events dated further ahead than two days at index time anyway).
pub const OPEN_LATEST: i64 = 2_147_483_647;
/// Prefix of helper fields this backend introduces (always removed or renamed again).
pub(crate) const TMP: &str = "__kqlport_";
/// Prefix of lowering's temporaries for aggregates nested in expressions
/// (`datetime_diff("minute", now(), max(T))`): usable names, as no helper of this backend
/// starts with it.
const LOWERING_TMP: &str = "__kqlport_agg";
/// values()/list() results: Splunk has no one-element array.
const SINGLE_VALUE_SET: &str = "a set or list of one element is a single value in Splunk (a \
     multivalue field with one value is that value), where KQL gives a one-element array";
/// A term boundary: KQL terms are maximal runs of ASCII alphanumerics.
const NON_ALNUM: &str = "[^A-Za-z0-9]";

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
    /// Set by the backend's second attempt: `table`/`fields +` keep `_raw` (removed again at
    /// the end) so that later stages can still read event columns from it. Only the main
    /// pipeline does so (`depth` 0), never a join's right side.
    pub(crate) keep_raw: bool,
    /// The rows carry a `_raw` the KQL output does not have, kept by `keep_raw`.
    raw_extra: bool,
    /// Set when a path needed `_raw` after the main pipeline dropped it: worth a second
    /// attempt with `keep_raw`.
    pub(crate) wants_raw: bool,
    /// How many join right sides deep this translation is (0 = the main pipeline).
    depth: usize,
    /// Whether leading filters give the base search their indexed prefilters (`prefilter.rs`);
    /// off only to check that the prefilters never change the rows.
    pub(crate) prefilters: bool,
    /// Columns (KQL names) holding a `parse_url` object built by `json_object` (without KQL's
    /// `Query Parameters` bag, see `translate/scalars.rs`).
    url_cols: Vec<String>,
    /// Columns whose Splunk field is not simply the event's own column of that name:
    /// `Some(orig)` — the event column `orig` under a new name (project-rename);
    /// `None` — a value this pipeline computed (extend, project, summarize).
    /// Absent: the event's own column.
    origin: HashMap<String, Option<String>>,
    /// Columns a join brought in from its right side. Splunk's join hands over the right
    /// rows' fields, not a JSON value, so paths into them cannot be read.
    pub(crate) joined: Vec<String>,
    /// Splunk fields this pipeline set straight from `json_extract` (may hold a Boolean).
    json_valued: Vec<String>,
    /// Columns holding a multivalue field made by `make_set`/`make_list` (KQL arrays).
    mv_cols: Vec<String>,
    /// Columns (KQL names) holding a multivalue field made by `split` (KQL string arrays, in
    /// order, so they can be indexed).
    split_cols: Vec<String>,
    /// Columns (KQL names) holding epoch seconds: values this pipeline computed from
    /// datetimes (see [`Tx::is_epoch`]). The time columns always do (`_time`).
    epoch: Vec<String>,
    /// Set while a filter's predicate is translated: a datetime read from text that does not
    /// parse then loses the row (under-match) rather than changing a value.
    filtering: bool,
    /// Set while the whole value of an assignment is a `split` array (or a copy of one): the
    /// only place a whole array may appear (elsewhere a multivalue field would behave unlike
    /// KQL's array).
    array_ok: bool,
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
    /// Columns assigned a dynamic member as it is (`extend c = tostring(X.a)`, KQL name →
    /// member): missing where the member is, so a test on them is noted like one on it.
    member_cols: HashMap<String, String>,
}

/// Maps a KQL column name to its Splunk field name.
fn col(name: &str) -> String {
    if TIME_COLUMNS.contains(&name) {
        SPLUNK_TIME.to_string()
    } else {
        name.to_string()
    }
}

fn is_time_col(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Field(f) if f.is_plain() && TIME_COLUMNS.contains(&f.column.as_str()))
}

/// Seconds of a duration, as an exact decimal.
pub fn seconds(d: Duration) -> String {
    let t = d.ticks.unsigned_abs();
    let per = Duration::TICKS_PER_SECOND as u64;
    let sign = if d.ticks < 0 { "-" } else { "" };
    let (whole, frac) = (t / per, t % per);
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        let f = format!("{frac:07}");
        format!("{sign}{whole}.{}", f.trim_end_matches('0'))
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f]Z` → epoch seconds as an exact decimal.
pub fn epoch_seconds(iso: &str) -> Option<String> {
    let b = iso.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || !iso.ends_with('Z') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| iso.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    let frac = &iso[19..iso.len() - 1];
    let frac = match frac.strip_prefix('.') {
        Some(f) if !f.is_empty() && f.bytes().all(|c| c.is_ascii_digit()) => {
            f.trim_end_matches('0')
        }
        None if frac.is_empty() => "",
        _ => return None,
    };
    // Days from civil (Howard Hinnant's algorithm), proleptic Gregorian, UTC.
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + hh * 3600 + mm * 60 + ss;
    Some(if frac.is_empty() {
        secs.to_string()
    } else if secs >= 0 {
        format!("{secs}.{frac}")
    } else {
        // Negative epochs with a fraction: keep it exact via an explicit sum.
        format!("({secs} + 0.{frac})")
    })
}

fn cmp_op(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "==",
        CmpOp::Ne => "!=",
        CmpOp::Lt => "<",
        CmpOp::Le => "<=",
        CmpOp::Gt => ">",
        CmpOp::Ge => ">=",
    }
}

fn negate_op(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Eq => CmpOp::Ne,
        CmpOp::Ne => CmpOp::Eq,
        CmpOp::Lt => CmpOp::Ge,
        CmpOp::Ge => CmpOp::Lt,
        CmpOp::Le => CmpOp::Gt,
        CmpOp::Gt => CmpOp::Le,
    }
}

fn flatten_and<'a>(p: &'a Predicate, out: &mut Vec<&'a Predicate>) {
    match &p.kind {
        PredicateKind::And(v) => v.iter().for_each(|x| flatten_and(x, out)),
        _ => out.push(p),
    }
}

/// Columns an expression reads, as Splunk fields (for detecting clobbering in simultaneous
/// assignments).
fn expr_refs(e: &Expr, out: &mut Vec<String>) {
    out.extend(visit::expr_columns(e).into_iter().map(col));
}

fn agg_refs(a: &Aggregation, out: &mut Vec<String>) {
    out.extend(visit::aggregation_columns(&a.func).into_iter().map(col));
}

impl Tx {
    pub fn new() -> Self {
        Tx {
            notes: Notes::default(),
            errors: Vec::new(),
            raw: true,
            flat: true,
            keep_raw: false,
            raw_extra: false,
            wants_raw: false,
            depth: 0,
            prefilters: true,
            url_cols: Vec::new(),
            origin: HashMap::new(),
            joined: Vec::new(),
            json_valued: Vec::new(),
            mv_cols: Vec::new(),
            split_cols: Vec::new(),
            epoch: Vec::new(),
            filtering: false,
            array_ok: false,
            pre: Vec::new(),
            cleanup: Vec::new(),
            helpers: 0,
            members_read: Vec::new(),
            table: String::new(),
            target: None,
            member_cols: HashMap::new(),
        }
    }

    fn refuse(&mut self, code: &'static str, span: Span, msg: &str, label: &str, help: &str) {
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
                "B011",
                span,
                "column name cannot be written as a Splunk field name",
                "quotes, backslashes, backticks and control characters cannot be quoted in SPL",
                "rename the column in the KQL (project-rename) before porting",
            );
            None
        }
    }

    /// A time column that Splunk's `_time` does not hold for this table ([`splunk_time_column`])
    /// is read as `_time` all the same: noted.
    fn time_column_note(&mut self, name: &str, span: Span) {
        let stored = splunk_time_column(&self.table);
        if !TIME_COLUMNS.contains(&name) || name == stored || self.table.is_empty() {
            return;
        }
        let message = format!(
            "Splunk's `_time` holds `{stored}` for `{}`; `{name}` is read as `_time` too, though the two can differ (TimeGenerated is when Sentinel ingested the row, Timestamp when the event happened)",
            self.table
        );
        if self.filtering {
            self.notes.push(span, Effect::OverMatch, message.clone());
            self.notes.push(span, Effect::UnderMatch, message);
        } else {
            self.notes.push(span, Effect::Values, message);
        }
    }

    fn pattern(&mut self, p: &ColumnPattern) -> Option<String> {
        self.name(&p.pattern, p.span)
    }

    // -----------------------------------------------------------------------------------------
    // Query and stages
    // -----------------------------------------------------------------------------------------

    pub fn query(&mut self, q: &Query) -> Option<Pipeline> {
        let table = match &q.source.kind {
            SourceKind::Table(table) => table,
            SourceKind::Union(u) => return self.union_query(q, u),
        };
        self.table = table.clone();
        self.target = q.source.target.clone();
        let mapped = q.source.target.as_ref().and_then(|t| t.splunk.as_ref());
        let from: Vec<(&'static str, Vec<String>)> = match mapped {
            Some(s) => [
                ("index", Some(s.index.clone().unwrap_or_else(|| "*".into()))),
                ("sourcetype", s.sourcetype.clone()),
                ("source", s.source.clone()),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, vec![v])))
            .collect(),
            None => vec![
                ("index", vec!["*".into()]),
                ("sourcetype", vec![table.clone()]),
            ],
        };
        // A pipeline's names are quoted whatever they hold; a table name must be plain.
        let sourcetype_ok = mapped.is_some() || (name_expressible(table) && !table.contains('*'));
        if !sourcetype_ok {
            self.refuse(
                "B010",
                q.source.span,
                "table name cannot be written as a Splunk sourcetype",
                "not a plain sourcetype",
                "map the table to a sourcetype with a field-mapping pipeline",
            );
        }
        let mut search = BaseSearch {
            from,
            earliest: None,
            latest: None,
            terms: Vec::new(),
        };
        let mut cmds = Vec::new();
        self.stages_into(q, Some(&mut search), &mut cmds);
        self.finish(q, &mut cmds);
        if self.errors.is_empty() && sourcetype_ok {
            Some(Pipeline {
                search: Head::Search(search),
                commands: cmds,
            })
        } else {
            None
        }
    }

    /// `q`'s stages as commands; while `search` is given, leading filters go into it.
    pub(crate) fn stages_into(
        &mut self,
        q: &Query,
        mut search: Option<&mut BaseSearch>,
        cmds: &mut Vec<Command>,
    ) {
        for (i, stage) in q.stages.iter().enumerate() {
            let start = cmds.len();
            self.filtering = matches!(stage.kind, StageKind::Filter(_));
            match (&stage.kind, search.as_deref_mut()) {
                (StageKind::Filter(p), Some(search)) => self.leading_filter(p, search, cmds),
                (StageKind::Join { kind, right, on }, _) => {
                    search = None;
                    let left = kqlport::ir::columns_before(q, i);
                    self.join(stage, *kind, right, on, left, cmds);
                }
                (kind, _) => {
                    search = None;
                    self.stage(stage, kind, cmds);
                }
            }
            self.filtering = false;
            self.flush_pre(cmds, start);
            if !self.cleanup.is_empty() {
                cmds.push(Command::FieldsRemove(std::mem::take(&mut self.cleanup)));
            }
        }
    }

    /// What the main pipeline does after its last stage: drops a `_raw` kept only for
    /// reading, and gives the time column its KQL name back.
    pub(crate) fn finish(&mut self, q: &Query, cmds: &mut Vec<Command>) {
        if self.raw_extra && self.depth == 0 {
            // `_raw` was only kept for reading event columns: not an output column.
            cmds.push(Command::FieldsRemove(vec!["_raw".to_string()]));
        }
        if self.depth == 0 {
            self.time_column_names(q, cmds);
        }
    }

    /// KQL names the time column `TimeGenerated` or `Timestamp`; Splunk's field is `_time`.
    /// When the query fixes its output columns, the one time column among them gets its KQL
    /// name back (`rename _time AS …`); both at once hold the same `_time`, so the second is a
    /// copy, noted.
    fn time_column_names(&mut self, q: &Query, cmds: &mut Vec<Command>) {
        let Some(cols) = q.output_columns() else {
            return;
        };
        let times: Vec<&String> = cols
            .iter()
            .filter(|c| TIME_COLUMNS.contains(&c.as_str()))
            .collect();
        match times.as_slice() {
            [] => {}
            [one] => cmds.push(Command::Rename(vec![(SPLUNK_TIME.into(), one.to_string())])),
            [first, second, ..] => {
                self.notes.push(
                    q.span,
                    Effect::Values,
                    format!("`{first}` and `{second}` are both Splunk's `_time` here: the output holds the same value under both names"),
                );
                cmds.push(Command::Eval(vec![(
                    second.to_string(),
                    Eval::Field(SPLUNK_TIME.into()),
                )]));
                cmds.push(Command::Rename(vec![(
                    SPLUNK_TIME.into(),
                    first.to_string(),
                )]));
            }
        }
    }

    /// Translates another whole query (a join's right side) with its own view of the columns,
    /// leaving this pipeline's unchanged. Also returns which of its output columns hold epoch
    /// seconds (the time columns included) and which `split` multivalues, and whether its rows
    /// still carry their `_raw` event.
    pub(crate) fn sub_query(&mut self, q: &Query) -> SubQuery {
        let saved = (
            std::mem::replace(&mut self.raw, true),
            std::mem::take(&mut self.origin),
            std::mem::take(&mut self.joined),
            std::mem::take(&mut self.json_valued),
            std::mem::take(&mut self.mv_cols),
            std::mem::take(&mut self.split_cols),
            std::mem::take(&mut self.epoch),
            std::mem::take(&mut self.url_cols),
            self.raw_extra,
            std::mem::replace(&mut self.flat, true),
        );
        self.depth += 1;
        let table = std::mem::take(&mut self.table);
        let target = self.target.take();
        let members = std::mem::take(&mut self.member_cols);
        let out = self.query(q);
        self.table = table;
        self.target = target;
        self.member_cols = members;
        self.depth -= 1;
        let mut epoch = std::mem::take(&mut self.epoch);
        epoch.extend(TIME_COLUMNS.iter().map(|c| c.to_string()));
        let split = std::mem::take(&mut self.split_cols);
        let url = std::mem::take(&mut self.url_cols);
        let raw = self.raw;
        (
            self.raw,
            self.origin,
            self.joined,
            self.json_valued,
            self.mv_cols,
            self.split_cols,
            self.epoch,
            self.url_cols,
            self.raw_extra,
            self.flat,
        ) = saved;
        SubQuery {
            pipeline: out,
            epoch,
            split,
            url,
            raw,
        }
    }

    /// Whether a `table`/`fields +` here keeps `_raw` (see `keep_raw`).
    fn keeps_raw(&self) -> bool {
        self.keep_raw && self.depth == 0
    }

    /// After a stage that reshaped the rows (`table`, `fields +`, `stats`, `dedup` + `table`):
    /// `kept` when its command kept `_raw` for later stages.
    fn reshaped(&mut self, kept: bool) {
        self.raw = kept;
        self.raw_extra = kept;
    }

    /// The rows no longer carry their original `_raw` event.
    pub(crate) fn mark_reshaped(&mut self) {
        self.raw = false;
    }

    /// Right-side columns a join adds (under their output names) that hold epoch seconds,
    /// `split` multivalues or `parse_url` objects.
    pub(crate) fn adopt_columns(
        &mut self,
        epoch: Vec<String>,
        split: Vec<String>,
        url: Vec<String>,
        renamed: &[(String, String)],
    ) {
        let out = |c: String| {
            renamed
                .iter()
                .find(|(old, _)| *old == c)
                .map_or(c, |(_, new)| new.clone())
        };
        for c in epoch {
            let c = out(c);
            if !self.epoch.contains(&c) {
                self.epoch.push(c);
            }
        }
        for c in split {
            let c = out(c);
            if !self.split_cols.contains(&c) {
                self.split_cols.push(c);
            }
        }
        for c in url {
            let c = out(c);
            if !self.url_cols.contains(&c) {
                self.url_cols.push(c);
            }
        }
    }

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
    fn leading_filter(&mut self, p: &Predicate, search: &mut BaseSearch, cmds: &mut Vec<Command>) {
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

    fn stage(&mut self, stage: &Stage, kind: &StageKind, cmds: &mut Vec<Command>) {
        match kind {
            StageKind::Filter(p) => {
                if let Some(e) = self.pred(p, false) {
                    cmds.push(Command::Where(e));
                }
            }
            StageKind::Extend(assigns) => {
                let mut v = Vec::new();
                for a in assigns {
                    self.array_ok = self.is_split(&a.expr);
                    let seen = self.members_read.len();
                    let value = self.expr(&a.expr);
                    let members = self.members_read.split_off(seen);
                    self.array_ok = false;
                    match members.into_iter().next() {
                        Some(m) if passes_member_on(&a.expr) => {
                            self.member_cols.insert(a.name.name.clone(), m)
                        }
                        _ => self.member_cols.remove(&a.name.name),
                    };
                    if let (Some(n), Some(e)) = (self.name(&a.name.name, a.name.span), value) {
                        if !self.pre.is_empty() {
                            // Helpers read the row as left by the assignments before this one.
                            if !v.is_empty() {
                                cmds.push(Command::Eval(std::mem::take(&mut v)));
                            }
                            let start = cmds.len();
                            self.flush_pre(cmds, start);
                        }
                        self.json_valued.retain(|x| *x != n);
                        if is_json_read(&e) {
                            self.json_valued.push(n.clone());
                        }
                        v.push((n, e));
                    }
                    // Later assignments (and stages) see the computed value.
                    let epoch = self.is_epoch(&a.expr);
                    let split = self.is_split(&a.expr);
                    let url = self.is_url(&a.expr);
                    self.origin.insert(a.name.name.clone(), None);
                    self.mv_cols.retain(|c| *c != a.name.name);
                    self.epoch.retain(|c| *c != a.name.name);
                    self.split_cols.retain(|c| *c != a.name.name);
                    self.url_cols.retain(|c| *c != a.name.name);
                    if epoch {
                        self.epoch.push(a.name.name.clone());
                    }
                    if split {
                        self.split_cols.push(a.name.name.clone());
                    }
                    if url {
                        self.url_cols.push(a.name.name.clone());
                    }
                }
                cmds.push(Command::Eval(v));
            }
            StageKind::Project(assigns) => {
                let epoch = assigns
                    .iter()
                    .filter(|a| self.is_epoch(&a.expr))
                    .map(|a| a.name.name.clone())
                    .collect();
                let split = assigns
                    .iter()
                    .filter(|a| self.is_split(&a.expr))
                    .map(|a| a.name.name.clone())
                    .collect();
                let url = assigns
                    .iter()
                    .filter(|a| self.is_url(&a.expr))
                    .map(|a| a.name.name.clone())
                    .collect();
                self.project(assigns, cmds);
                self.epoch = epoch;
                self.split_cols = split;
                self.url_cols = url;
                let origin = assigns
                    .iter()
                    .map(|a| {
                        let kept = matches!(&a.expr.kind,
                            ExprKind::Field(f) if f.is_plain() && f.column == a.name.name);
                        let o = if kept {
                            self.origin
                                .get(&a.name.name)
                                .cloned()
                                .unwrap_or_else(|| Some(a.name.name.clone()))
                        } else {
                            None
                        };
                        (a.name.name.clone(), o)
                    })
                    .collect();
                self.origin = origin;
                // A column kept as it is keeps its member; a computed one is new.
                self.member_cols.retain(|c, _| {
                    assigns.iter().any(|a| {
                        a.name.name == *c
                            && matches!(&a.expr.kind, ExprKind::Field(f) if f.is_plain() && f.column == *c)
                    })
                });
                self.reshaped(self.keeps_raw());
                self.flat = false;
                self.mv_cols.retain(|c| {
                    assigns.iter().any(|a| {
                        a.name.name == *c
                            && matches!(&a.expr.kind, ExprKind::Field(f) if f.is_plain() && f.column == *c)
                    })
                });
            }
            StageKind::ProjectAway(pats) => {
                let v = pats.iter().filter_map(|p| self.pattern(p)).collect();
                cmds.push(Command::FieldsRemove(v));
            }
            StageKind::ProjectKeep(pats) => {
                let mut v: Vec<String> = pats.iter().filter_map(|p| self.pattern(p)).collect();
                let keep = self.keeps_raw();
                if keep {
                    v.push("_raw".to_string());
                }
                cmds.push(Command::FieldsKeep(v));
                self.reshaped(keep);
                self.flat = false;
            }
            StageKind::Rename(pairs) => {
                self.rename(pairs, cmds);
                let moved: Vec<(String, Option<String>)> = pairs
                    .iter()
                    .map(|(new, old)| {
                        let o = self
                            .origin
                            .get(&old.name)
                            .cloned()
                            .unwrap_or_else(|| Some(old.name.clone()));
                        (new.name.clone(), o)
                    })
                    .collect();
                for (_, old) in pairs {
                    self.origin.remove(&old.name);
                }
                self.origin.extend(moved);
                let mv: Vec<String> = pairs
                    .iter()
                    .filter(|(_, old)| self.mv_cols.contains(&old.name))
                    .map(|(new, _)| new.name.clone())
                    .collect();
                self.mv_cols
                    .retain(|c| !pairs.iter().any(|(n, o)| o.name == *c || n.name == *c));
                self.mv_cols.extend(mv);
                let epoch_moved: Vec<String> = pairs
                    .iter()
                    .filter(|(_, old)| self.is_epoch_col(&old.name))
                    .map(|(new, _)| new.name.clone())
                    .collect();
                let split_moved: Vec<String> = pairs
                    .iter()
                    .filter(|(_, old)| self.split_cols.contains(&old.name))
                    .map(|(new, _)| new.name.clone())
                    .collect();
                let url_moved: Vec<String> = pairs
                    .iter()
                    .filter(|(_, old)| self.url_cols.contains(&old.name))
                    .map(|(new, _)| new.name.clone())
                    .collect();
                for list in [&mut self.epoch, &mut self.split_cols, &mut self.url_cols] {
                    list.retain(|c| !pairs.iter().any(|(n, o)| o.name == *c || n.name == *c));
                }
                self.epoch.extend(epoch_moved);
                self.split_cols.extend(split_moved);
                self.url_cols.extend(url_moved);
            }
            StageKind::Reorder(pats) => {
                let mut v: Vec<String> = pats.iter().filter_map(|p| self.pattern(p)).collect();
                v.push("*".to_string());
                // `*` does not match internal fields such as `_raw`.
                let keep = self.keeps_raw();
                if keep {
                    v.push("_raw".to_string());
                }
                cmds.push(Command::Table(v));
                self.reshaped(keep);
            }
            StageKind::Aggregate { by, aggs } => {
                let epoch = self.epoch_after_aggregate(by, aggs);
                self.aggregate(by, aggs, stage.span, cmds);
                self.epoch = epoch;
                self.split_cols.clear();
                self.url_cols.clear();
                // arg_max/arg_min keep whole rows: their `table` keeps `_raw` when asked.
                let extreme = aggs
                    .iter()
                    .any(|a| matches!(a.func, AggFunc::ArgMax { .. } | AggFunc::ArgMin { .. }));
                self.reshaped(extreme && self.keeps_raw());
                // Only `arg_max(t, *)` (a `table … *`) keeps every field.
                let star = aggs.iter().any(|a| {
                    matches!(&a.func, AggFunc::ArgMax { cols, .. } | AggFunc::ArgMin { cols, .. }
                        if cols.is_empty())
                });
                self.flat &= star;
                self.mv_cols = aggs
                    .iter()
                    .filter(|a| {
                        matches!(a.func, AggFunc::MakeSet { .. } | AggFunc::MakeList { .. })
                    })
                    .map(|a| a.name.name.clone())
                    .collect();
                for k in by {
                    self.member_cols.remove(&k.name.name);
                    self.origin.insert(k.name.name.clone(), None);
                }
                for a in aggs {
                    self.member_cols.remove(&a.name.name);
                    self.origin.insert(a.name.name.clone(), None);
                    if let AggFunc::ArgMax { cols, .. } | AggFunc::ArgMin { cols, .. } = &a.func {
                        for c in cols {
                            self.member_cols.remove(&c.name.name);
                            self.origin.insert(c.name.name.clone(), None);
                        }
                    }
                }
            }
            StageKind::Sort(keys) => self.sort(keys, None, cmds),
            StageKind::Top { n, key } => self.sort(std::slice::from_ref(key), Some(*n), cmds),
            StageKind::Limit(n) => cmds.push(Command::Head(*n)),
            StageKind::Distinct(cols) => {
                let names: Vec<String> = cols
                    .iter()
                    .filter_map(|c| {
                        self.not_split(&c.name, c.span)?;
                        self.name(&c.name, c.span)
                    })
                    .collect();
                cmds.push(Command::FillNull(names.clone()));
                cmds.push(Command::Stats {
                    aggs: vec![StatsAgg {
                        func: "count",
                        arg: None,
                        alias: format!("{TMP}n"),
                    }],
                    by: names.clone(),
                });
                cmds.push(Command::Table(names));
                self.reshaped(false);
                self.flat = false;
                self.mv_cols.clear();
                self.split_cols.clear();
                self.url_cols.clear();
                self.epoch.retain(|e| cols.iter().any(|c| c.name == *e));
                for c in cols {
                    self.member_cols.remove(&c.name);
                    self.origin.insert(c.name.clone(), None);
                }
            }
            StageKind::MvExpand(m) => self.mv_expand_stage(m, stage.span, cmds),
            StageKind::Parse(p) => self.parse_stage(p, stage.span, cmds),
            StageKind::Count => {
                self.reshaped(false);
                self.flat = false;
                self.mv_cols.clear();
                self.split_cols.clear();
                self.url_cols.clear();
                self.epoch.clear();
                cmds.push(Command::Stats {
                    aggs: vec![StatsAgg {
                        func: "count",
                        arg: None,
                        alias: "Count".to_string(),
                    }],
                    by: Vec::new(),
                })
            }
            // Needs the stages before it for the left side's columns: see `Tx::query`.
            StageKind::Join { .. } => self.errors.push(Diagnostic::error(
                "B000",
                "internal error: a join reached the single-stage translator",
                stage.span,
            )),
        }
    }

    /// `project`: columns are computed from the input row simultaneously, so computed columns
    /// go through helper names when one would clobber a column another still reads.
    fn project(&mut self, assigns: &[Assignment], cmds: &mut Vec<Command>) {
        let mut computed = Vec::new();
        let mut names = Vec::new();
        for a in assigns {
            let Some(n) = self.name(&a.name.name, a.name.span) else {
                continue;
            };
            if let Some(orig) = self.dynamic_event_column(&a.expr) {
                // Splunk's JSON extraction names only an object's leaves (`X.a`, `X{}.b`): the
                // column itself is no field, so it is read from the event as JSON text.
                if !self.raw {
                    self.refuse_reshaped(a.expr.span);
                    continue;
                }
                self.notes.push(
                    a.expr.span,
                    Effect::Values,
                    "a dynamic column is shown as its JSON text (json_extract), whose spacing and \
                     key order can differ from KQL's",
                );
                let value = json_path(Eval::Field("_raw".into()), &[PathSegment::Key(orig)]);
                computed.push((n.clone(), value, Vec::new()));
                names.push(n);
                continue;
            }
            let plain =
                matches!(&a.expr.kind, ExprKind::Field(f) if f.is_plain() && col(&f.column) == n);
            if !plain {
                self.array_ok = self.is_split(&a.expr);
                let value = self.expr(&a.expr);
                self.array_ok = false;
                if let Some(e) = value {
                    let mut refs = Vec::new();
                    expr_refs(&a.expr, &mut refs);
                    computed.push((n.clone(), e, refs));
                }
            }
            names.push(n);
        }
        if self.keeps_raw() {
            names.push("_raw".to_string());
        }
        let clobbers = computed.iter().enumerate().any(|(i, (n, _, _))| {
            computed
                .iter()
                .enumerate()
                .any(|(j, (_, _, refs))| j > i && refs.contains(n))
        });
        if clobbers {
            let mut renames = Vec::new();
            let mut evals = Vec::new();
            for (i, (n, e, _)) in computed.into_iter().enumerate() {
                let tmp = format!("{TMP}p{}", i + 1);
                evals.push((tmp.clone(), e));
                renames.push((tmp, n));
            }
            cmds.push(Command::Eval(evals));
            cmds.push(Command::Rename(renames));
        } else if !computed.is_empty() {
            cmds.push(Command::Eval(
                computed.into_iter().map(|(n, e, _)| (n, e)).collect(),
            ));
        }
        cmds.push(Command::Table(names));
    }

    fn rename(&mut self, pairs: &[(Column, Column)], cmds: &mut Vec<Command>) {
        let mut v = Vec::new();
        for (new, old) in pairs {
            if pairs
                .iter()
                .any(|(_, o)| o.name == new.name && o.name != old.name)
            {
                self.refuse(
                    "B018",
                    new.span,
                    "renames that swap or chain column names are not expressible in one SPL rename",
                    "this new name is also renamed away in the same project-rename",
                    "split the project-rename into two steps through a temporary name",
                );
                continue;
            }
            if let (Some(o), Some(n)) = (
                self.name(&old.name, old.span),
                self.name(&new.name, new.span),
            ) {
                v.push((o, n));
            }
        }
        cmds.push(Command::Rename(v));
    }

    fn sort(&mut self, keys: &[SortKey], top: Option<u64>, cmds: &mut Vec<Command>) {
        let mut evals = Vec::new();
        let mut spl_keys = Vec::new();
        let mut temps = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            // A datetime held as text in the event (not `_time`): Splunk's sort orders text that
            // starts with a number by that number alone (the sort reference), so every ISO
            // timestamp of a year would tie; it is sorted by its epoch value instead.
            let text_time = self.is_datetime_text(&k.expr);
            let name = match &k.expr.kind {
                ExprKind::Field(f) if f.is_plain() && !text_time => self
                    .not_split(&f.column, k.expr.span)
                    .and_then(|_| self.name(&f.column, k.expr.span)),
                _ if text_time => self.time_value(&k.expr).map(|e| {
                    if top.is_some() {
                        // Which rows `head` keeps depends on it: both ways.
                        let msg = "top by a datetime read from text: a value in another format \
                                   than ISO 8601 sorts as null, so other rows can be kept";
                        self.notes.push(k.expr.span, Effect::OverMatch, msg);
                        self.notes.push(k.expr.span, Effect::UnderMatch, msg);
                    }
                    let t = format!("{TMP}sort{}", i + 1);
                    evals.push((t.clone(), e));
                    temps.push(t.clone());
                    t
                }),
                _ => self.expr(&k.expr).map(|e| {
                    let t = format!("{TMP}sort{}", i + 1);
                    evals.push((t.clone(), e));
                    temps.push(t.clone());
                    t
                }),
            };
            let Some(name) = name else { continue };
            let dir = match k.dir {
                SortDir::Asc => SplDir::Asc,
                SortDir::Desc => SplDir::Desc,
            };
            // Splunk's sort puts results missing the field last in both directions (sort
            // reference); KQL puts nulls first when ascending. Make KQL's placement explicit
            // whenever it differs (`_time` is never missing), and always before `head` (which
            // rows survive depends on it).
            if top.is_some() || (k.nulls == kqlport::ir::Nulls::First && name != "_time") {
                let t = format!("{TMP}null{}", i + 1);
                evals.push((
                    t.clone(),
                    Eval::call(
                        "if",
                        vec![
                            Eval::call("isnull", vec![Eval::Field(name.clone())]),
                            Eval::Num("1".into()),
                            Eval::Num("0".into()),
                        ],
                    ),
                ));
                let nulls_dir = match k.nulls {
                    kqlport::ir::Nulls::Last => SplDir::Asc,
                    kqlport::ir::Nulls::First => SplDir::Desc,
                };
                spl_keys.push((nulls_dir, t.clone()));
                temps.push(t);
            }
            spl_keys.push((dir, name));
        }
        if !evals.is_empty() {
            cmds.push(Command::Eval(evals));
        }
        cmds.push(Command::Sort(spl_keys));
        if let Some(n) = top {
            cmds.push(Command::Head(n));
        }
        if !temps.is_empty() {
            cmds.push(Command::FieldsRemove(temps));
        }
    }

    // -----------------------------------------------------------------------------------------
    // summarize
    // -----------------------------------------------------------------------------------------

    fn aggregate(
        &mut self,
        by: &[GroupKey],
        aggs: &[Aggregation],
        span: Span,
        cmds: &mut Vec<Command>,
    ) {
        let (extremes, others): (Vec<&Aggregation>, Vec<&Aggregation>) = aggs
            .iter()
            .partition(|a| matches!(a.func, AggFunc::ArgMax { .. } | AggFunc::ArgMin { .. }));
        match extremes.as_slice() {
            [] => {}
            [a] => return self.arg_extreme(by, a, &others, cmds),
            [_, b, ..] => {
                return self.refuse(
                    "B015",
                    b.span,
                    "two arg_max/arg_min in one summarize pick different rows, which one SPL \
                     dedup cannot express",
                    "a second arg_max/arg_min",
                    "split the summarize: one arg_max/arg_min per summarize",
                )
            }
        }
        let mut read = Vec::new();
        aggs.iter().for_each(|a| agg_refs(a, &mut read));
        let mut pre = Vec::new();
        let mut renames = Vec::new();
        let mut keys = Vec::new();
        for (i, k) in by.iter().enumerate() {
            let Some(name) = self.name(&k.name.name, k.name.span) else {
                continue;
            };
            let value = match &k.kind {
                GroupKeyKind::Expr(e) => match &e.kind {
                    ExprKind::Field(f) if f.is_plain() && col(&f.column) == name => {
                        if self.not_split(&f.column, e.span).is_none() {
                            continue;
                        }
                        None
                    }
                    _ => self.expr(e),
                },
                GroupKeyKind::Bin { field, size } => self.bin(field, size, k.name.span),
            };
            let key = match value {
                None => name,
                Some(v) if read.contains(&name) => {
                    let t = format!("{TMP}by{}", i + 1);
                    pre.push((t.clone(), v));
                    renames.push((t.clone(), name));
                    t
                }
                Some(v) => {
                    pre.push((name.clone(), v));
                    name
                }
            };
            keys.push(key);
        }
        let mut stats = Vec::new();
        let mut post = Vec::new();
        for a in aggs {
            if let Some((s, cap)) = self.agg(a) {
                if let Some(max) = cap {
                    post.push((s.alias.clone(), mv_cap(&s.alias, max)));
                }
                stats.push(s);
            }
        }
        if !pre.is_empty() {
            cmds.push(Command::Eval(pre));
        }
        if !keys.is_empty() {
            // stats drops events whose by-field is null; KQL groups them under "" / null.
            cmds.push(Command::FillNull(keys.clone()));
        }
        let distinct_only = stats.is_empty();
        if distinct_only {
            stats.push(StatsAgg {
                func: "count",
                arg: None,
                alias: format!("{TMP}n"),
            });
        }
        cmds.push(Command::Stats {
            aggs: stats,
            by: keys.clone(),
        });
        if !renames.is_empty() {
            cmds.push(Command::Rename(renames));
        }
        if distinct_only {
            let names = by
                .iter()
                .filter_map(|k| self.name(&k.name.name, k.name.span))
                .collect();
            cmds.push(Command::Table(names));
        }
        if !post.is_empty() {
            cmds.push(Command::Eval(post));
        }
        let _ = span;
    }

    /// The epoch-valued columns after a summarize: datetime keys and bins, `min`/`max`/
    /// `take_any` of datetimes, and what `arg_max`/`arg_min` carry over.
    fn epoch_after_aggregate(&self, by: &[GroupKey], aggs: &[Aggregation]) -> Vec<String> {
        let mut out = Vec::new();
        for k in by {
            let epoch = match &k.kind {
                GroupKeyKind::Expr(e) => self.is_epoch(e),
                GroupKeyKind::Bin { size, .. } => matches!(size, BinSize::Duration(_)),
            };
            if epoch {
                out.push(k.name.name.clone());
            }
        }
        for a in aggs {
            match &a.func {
                AggFunc::Min(e) | AggFunc::Max(e) | AggFunc::TakeAny(e) if self.is_epoch(e) => {
                    out.push(a.name.name.clone())
                }
                AggFunc::ArgMax { by, cols } | AggFunc::ArgMin { by, cols } => {
                    if self.is_epoch(by) {
                        out.push(a.name.name.clone());
                    }
                    if cols.is_empty() {
                        out.extend(self.epoch.iter().cloned());
                    }
                    for c in cols {
                        if self.is_epoch(&c.expr) {
                            out.push(c.name.name.clone());
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// `bin(x, size)`: UTC buckets since the epoch, computed with `floor` (the `bin` command
    /// aligns day-sized spans to the search user's time zone).
    fn bin(&mut self, field: &Expr, size: &BinSize, span: Span) -> Option<Eval> {
        let size = match size {
            BinSize::Duration(d) => {
                let x = self.time_value(field)?;
                return Some(floor_bucket(x, seconds(*d)));
            }
            BinSize::Number(n) if n.is_finite() && *n > 0.0 => format!("{n}"),
            BinSize::Number(_) => {
                self.refuse(
                    "B017",
                    span,
                    "bin size must be a positive finite number",
                    "bin size",
                    "use a positive bin size",
                );
                return None;
            }
        };
        let x = self.expr(field)?;
        Some(floor_bucket(x, size))
    }

    /// A helper field holding `value`, computed before the stage's commands.
    fn helper(&mut self, value: Eval) -> Eval {
        self.helpers += 1;
        let name = format!("{TMP}h{}", self.helpers);
        self.pre.push((name.clone(), value));
        Eval::Field(name)
    }

    /// Puts pending helpers in an `eval` at `start`; they are removed after the stage.
    fn flush_pre(&mut self, cmds: &mut Vec<Command>, start: usize) {
        if self.pre.is_empty() {
            return;
        }
        let pre = std::mem::take(&mut self.pre);
        self.cleanup.extend(pre.iter().map(|(n, _)| n.clone()));
        cmds.insert(start, Command::Eval(pre));
    }

    /// The UTC civil date of the epoch time `t` by Howard Hinnant's days-to-civil algorithm
    /// (proleptic Gregorian), with the shared subterms in helper fields: the day number since
    /// the epoch, the day of the 400-year era, the year of the era and the day of the
    /// March-based year.
    fn civil(&mut self, t: Eval) -> Civil {
        let num = |n: &str| Eval::Num(n.into());
        let days = self.helper(fdiv(t, "86400"));
        let z = Eval::bin(" + ", days.clone(), num("719468"));
        let era = fdiv(z.clone(), "146097");
        let doe = self.helper(Eval::bin(
            " - ",
            z,
            Eval::bin(" * ", era.clone(), num("146097")),
        ));
        let yoe = self.helper(fdiv(
            Eval::bin(
                " - ",
                Eval::bin(
                    " + ",
                    Eval::bin(" - ", doe.clone(), fdiv(doe.clone(), "1460")),
                    fdiv(doe.clone(), "36524"),
                ),
                fdiv(doe.clone(), "146096"),
            ),
            "365",
        ));
        let doy = self.helper(Eval::bin(
            " - ",
            doe,
            Eval::bin(
                " - ",
                Eval::bin(
                    " + ",
                    Eval::bin(" * ", num("365"), yoe.clone()),
                    fdiv(yoe.clone(), "4"),
                ),
                fdiv(yoe.clone(), "100"),
            ),
        ));
        Civil {
            days,
            era,
            yoe,
            doy,
        }
    }

    /// The first instant of the UTC month holding the epoch time `t`: its day number minus its
    /// day of the month.
    fn start_of_month(&mut self, t: Eval) -> Eval {
        let num = |n: &str| Eval::Num(n.into());
        let c = self.civil(t);
        let day_of_month0 = Eval::bin(
            " - ",
            c.doy.clone(),
            fdiv(
                Eval::bin(
                    " + ",
                    Eval::bin(" * ", num("153"), c.month_index()),
                    num("2"),
                ),
                "5",
            ),
        );
        Eval::bin(" * ", Eval::bin(" - ", c.days, day_of_month0), num("86400"))
    }

    /// `getmonth(t)` (1–12) or `getyear(t)` of the UTC date.
    fn month_or_year(&mut self, t: Eval, year: bool) -> Eval {
        let num = |n: &str| Eval::Num(n.into());
        let c = self.civil(t);
        let mp = self.helper(c.month_index());
        if !year {
            // March-based month index 0–11 → calendar month.
            return Eval::call(
                "if",
                vec![
                    Eval::bin("<", mp.clone(), num("10")),
                    Eval::bin(" + ", mp.clone(), num("3")),
                    Eval::bin(" - ", mp, num("9")),
                ],
            );
        }
        // January and February belong to the next calendar year of the March-based year.
        Eval::bin(
            " + ",
            Eval::bin(" + ", c.yoe, Eval::bin(" * ", c.era, num("400"))),
            Eval::call(
                "if",
                vec![Eval::bin(">=", mp, num("10")), num("1"), num("0")],
            ),
        )
    }

    /// Is this column's Splunk field epoch seconds?
    fn is_epoch_col(&self, name: &str) -> bool {
        TIME_COLUMNS.contains(&name) || self.epoch.iter().any(|c| c == name)
    }

    /// Does this KQL datetime expression evaluate to epoch seconds in SPL (rather than being
    /// text in the event)? True for the time column, `now()`, `ago()`, datetime literals,
    /// `todatetime(…)`, the calendar functions, columns computed from such values, and a
    /// datetime plus or minus a timespan.
    pub(crate) fn is_epoch(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Field(f) => f.is_plain() && self.is_epoch_col(&f.column),
            ExprKind::Literal(Literal::DateTime(_)) | ExprKind::Now | ExprKind::Ago(_) => true,
            ExprKind::Arith { op, lhs, rhs } => match op {
                ArithOp::Add => self.is_epoch(lhs) != self.is_epoch(rhs),
                ArithOp::Sub => self.is_epoch(lhs) && !self.is_epoch(rhs),
                ArithOp::DateSub => false,
                _ => false,
            },
            ExprKind::Call { func, args } => match func {
                ScalarFn::ToDateTime
                | ScalarFn::StartOfDay
                | ScalarFn::StartOfWeek
                | ScalarFn::StartOfMonth
                | ScalarFn::StartOfYear
                | ScalarFn::EndOfDay
                | ScalarFn::UnixtimeMillisecondsToDatetime => true,
                ScalarFn::Bin | ScalarFn::Floor => matches!(
                    args.get(1).map(|a| &a.kind),
                    Some(ExprKind::Literal(Literal::Timespan(_)))
                ),
                ScalarFn::Coalesce => self.all_epoch(args.iter()),
                _ => false,
            },
            ExprKind::Case {
                branches,
                otherwise,
            } => self.all_epoch(branches.iter().map(|(_, v)| v).chain([&**otherwise])),
            _ => false,
        }
    }

    /// Does this expression make a multivalue field by `split` (a KQL array of strings, in
    /// order)?
    fn is_split(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Call {
                func: ScalarFn::Split,
                args,
            } => args.len() == 2,
            ExprKind::Field(f) => f.is_plain() && self.split_cols.contains(&f.column),
            _ => false,
        }
    }

    /// Does this expression make a `parse_url` object (see `url_cols`)?
    fn is_url(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Call {
                func: ScalarFn::ParseUrl,
                ..
            } => true,
            ExprKind::Field(f) => f.is_plain() && self.url_cols.contains(&f.column),
            _ => false,
        }
    }

    /// At least one value, and every value epoch seconds or null.
    fn all_epoch<'a>(&self, mut v: impl Iterator<Item = &'a Expr>) -> bool {
        let mut any = false;
        let all = v.all(|x| {
            let e = self.is_epoch(x);
            any |= e;
            e || matches!(x.kind, ExprKind::Literal(Literal::Null))
        });
        all && any
    }

    /// A KQL datetime value as epoch seconds. Values that are not already epoch seconds (see
    /// [`Tx::is_epoch`]) are event text: read as ISO 8601 UTC, the form in which Sentinel
    /// exports datetimes (noted).
    fn time_value(&mut self, e: &Expr) -> Option<Eval> {
        if self.is_epoch(e) {
            return self.expr(e);
        }
        match &e.kind {
            ExprKind::Literal(Literal::String(s)) => {
                if let Some(n) = epoch_seconds(s) {
                    return Some(Eval::Num(n));
                }
            }
            // Numbers (and null) are taken as they are.
            ExprKind::Literal(_) => return self.expr(e),
            _ => {}
        }
        let x = self.expr(e)?;
        let (effect, what) = if self.filtering {
            (
                Effect::UnderMatch,
                "rows whose value is in another format are not matched",
            )
        } else {
            (Effect::Values, "a value in another format reads as null")
        };
        self.notes.push(
            e.span,
            effect,
            format!(
                "this datetime is read from text assuming ISO 8601 UTC \
                 (2024-03-01T00:05:00[.fffffff]Z, as Sentinel exports it); {what}"
            ),
        );
        Some(iso_epoch(x))
    }

    /// One aggregation; the second value is a `max` cap to apply after `stats`.
    fn agg(&mut self, a: &Aggregation) -> Option<(StatsAgg, Option<u64>)> {
        let alias = self.name(&a.name.name, a.name.span)?;
        let mk = |func: &'static str, arg: Option<StatsArg>| StatsAgg {
            func,
            arg,
            alias: alias.clone(),
        };
        Some(match &a.func {
            AggFunc::Count => (mk("count", None), None),
            AggFunc::CountIf(p) => (
                mk("count", Some(StatsArg::Eval(self.pred(p, false)?))),
                None,
            ),
            AggFunc::DCount(e) => {
                self.notes.push(
                    a.span,
                    Effect::Values,
                    "dcount() is an estimate in KQL; Splunk's dc() is exact, so the count (and \
                     a threshold on it) can differ slightly on large groups",
                );
                (mk("dc", Some(self.collected_arg(e)?)), None)
            }
            AggFunc::DCountIf(e, p) => {
                self.notes.push(
                    a.span,
                    Effect::Values,
                    "dcountif() is an estimate in KQL; Splunk's dc() is exact",
                );
                let mut v = self.expr(e)?;
                if self.is_event_string(e) {
                    v = Eval::call("coalesce", vec![v, Eval::str("")]);
                }
                let c = self.pred(p, false)?;
                let arg = Eval::call("if", vec![c, v, Eval::call("null", vec![])]);
                (mk("dc", Some(StatsArg::Eval(arg))), None)
            }
            AggFunc::MakeSet { expr, max } => {
                if max.is_some() {
                    self.notes.push(
                        a.span,
                        Effect::Values,
                        "make_set with a size cap: Splunk keeps the first values in sorted order, \
                         KQL an arbitrary subset",
                    );
                }
                self.notes.push(a.span, Effect::Values, SINGLE_VALUE_SET);
                // A split array adds its elements, as values() does with a multivalue.
                let arg = match self.set_of_arrays(expr)? {
                    Some(f) => StatsArg::Field(f),
                    None => self.collected_arg(expr)?,
                };
                (mk("values", Some(arg)), *max)
            }
            AggFunc::MakeList { expr, max } => {
                self.notes.push(
                    a.span,
                    Effect::Values,
                    "Splunk's list() keeps at most 100 values by default (limits.conf \
                     list_maxsize); KQL's make_list keeps up to 1,048,576",
                );
                self.notes.push(a.span, Effect::Values, SINGLE_VALUE_SET);
                (mk("list", Some(self.collected_arg(expr)?)), *max)
            }
            AggFunc::Min(e) => (mk("min", Some(self.stats_arg(e)?)), None),
            AggFunc::Max(e) => (mk("max", Some(self.stats_arg(e)?)), None),
            AggFunc::Sum(e) => (mk("sum", Some(self.stats_arg(e)?)), None),
            AggFunc::Avg(e) => (mk("avg", Some(self.stats_arg(e)?)), None),
            AggFunc::TakeAny(e) => (mk("first", Some(self.stats_arg(e)?)), None),
            AggFunc::ArgMax { .. } | AggFunc::ArgMin { .. } => return None,
            // Both exact: KQL's count_distinct and Splunk's dc() count distinct non-null values.
            AggFunc::CountDistinct(e) => (mk("dc", Some(self.collected_arg(e)?)), None),
        })
    }

    fn stats_arg(&mut self, e: &Expr) -> Option<StatsArg> {
        match &e.kind {
            ExprKind::Field(f) if f.is_plain() => {
                self.not_split(&f.column, e.span)?;
                Some(StatsArg::Field(self.name(&f.column, e.span)?))
            }
            _ => Some(StatsArg::Eval(self.expr(e)?)),
        }
    }

    /// `summarize arg_max(t, cols), aggs… by k` ⇒ computed keys evaluated first, the other
    /// aggregates added to every row of its group (`eventstats`, over all rows, as KQL computes
    /// them), then rows with a value of `t` sorted by it and the first row per key kept.
    fn arg_extreme(
        &mut self,
        by: &[GroupKey],
        a: &Aggregation,
        others: &[&Aggregation],
        cmds: &mut Vec<Command>,
    ) {
        let (t, cols, dir) = match &a.func {
            AggFunc::ArgMax { by, cols } => (by, cols, SplDir::Desc),
            AggFunc::ArgMin { by, cols } => (by, cols, SplDir::Asc),
            _ => return,
        };
        let t_name = match &t.kind {
            ExprKind::Field(f) if f.is_plain() => self
                .not_split(&f.column, t.span)
                .and_then(|_| self.name(&f.column, t.span)),
            _ => {
                self.refuse(
                    "B015",
                    t.span,
                    "arg_max/arg_min over a computed expression is not supported",
                    "computed expression",
                    "extend it as a column first",
                );
                None
            }
        };
        let Some(t_name) = t_name else { return };
        // Columns the rest of the summarize reads: a computed key of the same name goes
        // through a helper field so that they still see the row's own value.
        let mut read = Vec::new();
        expr_refs(t, &mut read);
        cols.iter().for_each(|c| expr_refs(&c.expr, &mut read));
        others.iter().for_each(|o| agg_refs(o, &mut read));
        let mut pre = Vec::new();
        let mut restore = Vec::new();
        let mut keys = Vec::new();
        for (i, k) in by.iter().enumerate() {
            let Some(name) = self.name(&k.name.name, k.name.span) else {
                continue;
            };
            let value = match &k.kind {
                GroupKeyKind::Expr(e) => match &e.kind {
                    ExprKind::Field(f) if f.is_plain() && col(&f.column) == name => {
                        if self.not_split(&f.column, e.span).is_none() {
                            continue;
                        }
                        None
                    }
                    _ => self.expr(e),
                },
                GroupKeyKind::Bin { field, size } => self.bin(field, size, k.name.span),
            };
            // A key that evaluates to its own column as it is (`tostring(X)` of a field X).
            let v = match value {
                Some(Eval::Field(f)) if f == name => None,
                v => v,
            };
            let Some(v) = v else {
                keys.push(name);
                continue;
            };
            let mut own = Vec::new();
            if let GroupKeyKind::Expr(e) = &k.kind {
                expr_refs(e, &mut own);
            }
            if cols.is_empty() && own.contains(&name) {
                self.notes.push(
                    k.name.span,
                    Effect::Values,
                    format!(
                        "the group key replaces the row's own `{}` among the `*` columns \
                         (KQL keeps that value too, under a suffixed name)",
                        k.name.name
                    ),
                );
            }
            if read.contains(&name) {
                let tmp = format!("{TMP}by{}", i + 1);
                pre.push((tmp.clone(), v));
                restore.push((name.clone(), tmp.clone()));
                keys.push(tmp);
            } else {
                pre.push((name.clone(), v));
                keys.push(name);
            }
        }
        self.notes.push(
            a.span,
            Effect::UnderMatch,
            "rows whose arg_max/arg_min expression is null are dropped first, so a group in \
             which it is null in every row yields no row",
        );
        if !pre.is_empty() {
            cmds.push(Command::Eval(pre));
        }
        if !keys.is_empty() {
            cmds.push(Command::FillNull(keys.clone()));
        }
        let mut stats = Vec::new();
        let mut caps = Vec::new();
        for o in others {
            if let Some((s, cap)) = self.agg(o) {
                if let Some(max) = cap {
                    caps.push((s.alias.clone(), mv_cap(&s.alias, max)));
                }
                stats.push(s);
            }
        }
        let other_names: Vec<String> = stats.iter().map(|s| s.alias.clone()).collect();
        if !stats.is_empty() {
            if cols.is_empty() {
                self.notes.push(
                    a.span,
                    Effect::Values,
                    format!(
                        "if the rows also have a column named {} (a name the KQL does not fix), \
                         KQL keeps the row's value too, under a suffixed name; here the \
                         aggregate replaces it",
                        others
                            .iter()
                            .map(|o| format!("`{}`", o.name.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
            cmds.push(Command::EventStats {
                aggs: stats,
                by: keys.clone(),
            });
        }
        cmds.push(Command::Where(Eval::call(
            "isnotnull",
            vec![Eval::Field(t_name.clone())],
        )));
        cmds.push(Command::Sort(vec![(dir, t_name.clone())]));
        if keys.is_empty() {
            cmds.push(Command::Head(1));
        } else {
            cmds.push(Command::Dedup(keys.clone()));
        }
        let mut evals: Vec<(String, Eval)> = Vec::new();
        for (name, tmp) in &restore {
            evals.push((name.clone(), Eval::Field(tmp.clone())));
        }
        let mut table: Vec<String> = by
            .iter()
            .filter_map(|k| self.name(&k.name.name, k.name.span))
            .collect();
        // The extreme value under the aggregate's name.
        let alias = self.name(&a.name.name, a.name.span);
        match alias {
            Some(n) if n != t_name => {
                evals.push((n.clone(), Eval::Field(t_name.clone())));
                table.push(n);
                if cols.is_empty() {
                    table.push(t_name.clone());
                }
            }
            _ => table.push(t_name.clone()),
        }
        for c in cols {
            let Some(n) = self.name(&c.name.name, c.name.span) else {
                continue;
            };
            let plain =
                matches!(&c.expr.kind, ExprKind::Field(f) if f.is_plain() && col(&f.column) == n);
            if !plain {
                if let Some(e) = self.expr(&c.expr) {
                    evals.push((n.clone(), e));
                }
            }
            if !table.contains(&n) {
                table.push(n);
            }
        }
        for n in other_names {
            if !table.contains(&n) {
                table.push(n);
            }
        }
        if cols.is_empty() {
            table.push("*".to_string());
        }
        if self.keeps_raw() {
            // `*` does not match internal fields: `_raw` is named to keep it (see `keep_raw`).
            table.push("_raw".to_string());
        }
        evals.extend(caps);
        if !evals.is_empty() {
            cmds.push(Command::Eval(evals));
        }
        let tmps: Vec<String> = restore.into_iter().map(|(_, t)| t).collect();
        if !tmps.is_empty() {
            cmds.push(Command::FieldsRemove(tmps));
        }
        cmds.push(Command::Table(table));
    }

    // -----------------------------------------------------------------------------------------
    // Predicates (where/eval side)
    // -----------------------------------------------------------------------------------------

    /// A where-expression true exactly when the KQL predicate (negated when `neg`) is true.
    /// Negation is pushed down to the leaves, because `NOT` over a null test stays null in
    /// SPL while KQL string tests are never null.
    pub fn pred(&mut self, p: &Predicate, neg: bool) -> Option<Eval> {
        match &p.kind {
            PredicateKind::And(v) | PredicateKind::Or(v) => {
                let parts: Vec<Option<Eval>> = v.iter().map(|x| self.pred(x, neg)).collect();
                let parts: Option<Vec<Eval>> = parts.into_iter().collect();
                let parts = parts?;
                let is_and = matches!(p.kind, PredicateKind::And(_)) != neg;
                Some(if is_and {
                    Eval::and(parts)
                } else {
                    Eval::or(parts)
                })
            }
            PredicateKind::Not(x) => self.pred(x, !neg),
            PredicateKind::StrMatch(sm) => self.str_match(sm, p.span, neg),
            PredicateKind::Compare {
                lhs,
                op,
                rhs,
                operands,
            } => {
                let op = if neg { negate_op(*op) } else { *op };
                self.compare(lhs, op, rhs, *operands, p.span)
            }
            PredicateKind::InSet {
                expr,
                values,
                negated,
            } => {
                let f = self.expr(expr)?;
                let mut eqs = Vec::new();
                for v in values {
                    eqs.push(Eval::bin("==", f.clone(), self.literal(v, expr.span)?));
                }
                let any = Eval::or(eqs);
                Some(if *negated != neg {
                    Eval::or(vec![Eval::call("isnull", vec![f]), Eval::not(any)])
                } else {
                    any
                })
            }
            PredicateKind::Between {
                expr,
                low,
                high,
                negated,
            } => {
                let (f, lo, hi) = if [expr, low, high].iter().any(|x| self.is_epoch(x)) {
                    (
                        self.time_value(expr)?,
                        self.time_value(low)?,
                        self.time_value(high)?,
                    )
                } else {
                    (self.expr(expr)?, self.expr(low)?, self.expr(high)?)
                };
                Some(if *negated != neg {
                    Eval::or(vec![Eval::bin("<", f.clone(), lo), Eval::bin(">", f, hi)])
                } else {
                    Eval::and(vec![Eval::bin(">=", f.clone(), lo), Eval::bin("<=", f, hi)])
                })
            }
            PredicateKind::IsEmpty { expr, negated } => {
                let f = self.emptiness_subject(expr, p.span, *negated != neg, "isempty")?;
                Some(if *negated != neg {
                    Eval::and(vec![
                        Eval::call("isnotnull", vec![f.clone()]),
                        Eval::bin("!=", f, Eval::str("")),
                    ])
                } else {
                    Eval::or(vec![
                        Eval::call("isnull", vec![f.clone()]),
                        Eval::bin("==", f, Eval::str("")),
                    ])
                })
            }
            PredicateKind::IsNull { expr, negated } => {
                let f = self.emptiness_subject(expr, p.span, *negated != neg, "isnull")?;
                let func = if *negated != neg {
                    "isnotnull"
                } else {
                    "isnull"
                };
                Some(Eval::call(func, vec![f]))
            }
            PredicateKind::TimeWindow { field, op, ago } => {
                let f = self.time_value(field)?;
                let op = if neg { negate_op(*op) } else { *op };
                Some(Eval::bin(cmp_op(op), f, ago_eval(*ago)))
            }
            PredicateKind::Bool(e) => {
                let b = self.bool_expr(e)?;
                Some(if neg { Eval::not(b) } else { b })
            }
            PredicateKind::Const(b) => {
                Some(Eval::call(if *b != neg { "true" } else { "false" }, vec![]))
            }
        }
    }

    /// A test on the field Splunk's JSON extraction makes of a dynamic member (`X.a.b`). If
    /// the member holds an array, the extraction names its values `X.a.b{}` (an object's
    /// `X.a.b.<key>`), so `X.a.b` is missing and the test treats it as KQL's `""`, where KQL
    /// tests the array's (object's) JSON text: a positive test (or a negated one that `""`
    /// satisfies) can miss rows, a negated test (or a positive one that `""` satisfies) can
    /// keep extra rows.
    /// The value `isempty`/`isnull` (`what`) tests; if it reads a dynamic member, that member
    /// may hold an array or object, which Splunk leaves missing: the test as written (`present`:
    /// the `isnotempty`/`isnotnull` form) can then fail where KQL's holds, or hold where it fails.
    fn emptiness_subject(
        &mut self,
        expr: &Expr,
        span: Span,
        present: bool,
        what: &str,
    ) -> Option<Eval> {
        let seen = self.members_read.len();
        let f = self.expr(expr)?;
        if let Some(member) = self.members_read.split_off(seen).first() {
            let effect = if present {
                Effect::UnderMatch
            } else {
                Effect::OverMatch
            };
            self.array_member_note(member, span, effect, what);
        }
        Some(f)
    }

    /// A note on a computed value: within a `where` the value decides which rows pass, so
    /// a value that can differ can keep rows KQL drops and drop rows it keeps; elsewhere
    /// only the value differs.
    fn value_note(&mut self, span: Span, message: impl Into<String>) {
        let message = message.into();
        if self.filtering {
            self.notes.push(span, Effect::OverMatch, message.clone());
            self.notes.push(span, Effect::UnderMatch, message);
        } else {
            self.notes.push(span, Effect::Values, message);
        }
    }

    fn array_member_note(&mut self, member: &str, span: Span, effect: Effect, what: &str) {
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

    /// The event column a plain (unparsed) field reads, through renames; `None` for a computed
    /// column or a column a join brought in.
    fn event_column(&self, e: &Expr) -> Option<String> {
        let ExprKind::Field(f) = &e.kind else {
            return None;
        };
        if !f.is_plain() || f.parsed {
            return None;
        }
        let orig = match self.origin.get(&f.column) {
            Some(o) => o.clone()?,
            None => f.column.clone(),
        };
        (!self.joined.contains(&orig)).then_some(orig)
    }

    /// The event column a plain (unparsed) field reads, if the schema says it is `dynamic`.
    fn dynamic_event_column(&self, e: &Expr) -> Option<String> {
        let orig = self.event_column(e)?;
        self.is_dynamic_event_column(&orig).then_some(orig)
    }

    /// Whether `e` is an event column the table's schema types `datetime` that the rows hold as
    /// text (every datetime column but the time column, which is `_time`).
    fn is_datetime_text(&self, e: &Expr) -> bool {
        !self.is_epoch(e)
            && self.event_column(e).is_some_and(|c| {
                kqlport::ir::stored_column_type(&self.table, self.target.as_ref(), &c)
                    == Some(kqlport::schema::ColumnType::DateTime)
            })
    }

    /// Whether `e` is a KQL string the rows hold as an event field: a `string` event column
    /// (by the table's schema), or its tolower/toupper. KQL reads a missing one as `""`.
    fn is_event_string(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Field(_) => self.event_column(e).is_some_and(|c| {
                kqlport::ir::stored_column_type(&self.table, self.target.as_ref(), &c)
                    == Some(kqlport::schema::ColumnType::String)
            }),
            ExprKind::Call {
                func: ScalarFn::ToLower | ScalarFn::ToUpper,
                args,
            } => args.first().is_some_and(|a| self.is_event_string(a)),
            _ => false,
        }
    }

    /// The argument of a value-collecting or -counting aggregate (make_set, make_list, dcount,
    /// count_distinct): KQL collects and counts a missing string as `""`, while Splunk's
    /// values()/list()/dc() skip null — so a string is read through `coalesce(x, "")`.
    fn collected_arg(&mut self, e: &Expr) -> Option<StatsArg> {
        if self.is_event_string(e) {
            let v = self.expr(e)?;
            return Some(StatsArg::Eval(Eval::call(
                "coalesce",
                vec![v, Eval::str("")],
            )));
        }
        self.stats_arg(e)
    }

    /// Whether `column` is the event's own column of a type the table's schema says is
    /// `dynamic` (not a column a join brought in).
    fn is_dynamic_event_column(&self, column: &str) -> bool {
        !self.joined.iter().any(|j| j == column)
            && kqlport::ir::stored_column_type(&self.table, self.target.as_ref(), column)
                == Some(kqlport::schema::ColumnType::Dynamic)
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
                if !fp.is_plain() || fp.parsed || self.origin.contains_key(&fp.column) {
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

    /// `json_extract` turns a JSON boolean into a Splunk Boolean, whose comparison with the
    /// strings "true"/"false" (this backend's bool values) is not documented.
    fn json_bool_note(&mut self, v: &Eval, other: &Expr, span: Span) {
        let json = is_json_read(v) || matches!(v, Eval::Field(n) if self.json_valued.contains(n));
        let boolish = match &other.kind {
            ExprKind::Literal(Literal::Bool(_)) => true,
            ExprKind::Literal(Literal::String(s)) => {
                s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
            }
            _ => false,
        };
        if json && boolish {
            self.notes.push(
                span,
                Effect::UnderMatch,
                "a JSON boolean read with json_extract is a Splunk Boolean; whether it equals \
                 the string \"true\"/\"false\" is not documented, so matching rows may be missed",
            );
        }
    }

    fn compare(
        &mut self,
        lhs: &Expr,
        op: CmpOp,
        rhs: &Expr,
        operands: Operands,
        span: Span,
    ) -> Option<Eval> {
        let time = self.is_epoch(lhs) || self.is_epoch(rhs);
        let (l, r) = if time {
            (self.time_value(lhs)?, self.time_value(rhs)?)
        } else {
            (self.expr(lhs)?, self.expr(rhs)?)
        };
        self.json_bool_note(&l, rhs, span);
        self.json_bool_note(&r, lhs, span);
        let (l_const, r_const) = (is_const(&l), is_const(&r));
        let lit = |e: &Expr| matches!(e.kind, ExprKind::Literal(_));
        if !lit(lhs) && !lit(rhs) && !l_const && !r_const {
            // Datetimes are never strings, so a missing one is null in both languages.
            let operands = if time { Operands::NotStrings } else { operands };
            return Some(self.compare_values(l, op, r, operands, span));
        }
        let base = Eval::bin(cmp_op(op), l.clone(), r.clone());
        if op != CmpOp::Ne {
            return Some(base);
        }
        // KQL: `!=` with a null operand (and a constant other side) is true.
        let mut parts = Vec::new();
        if !lit(lhs) && !l_const {
            parts.push(Eval::call("isnull", vec![l]));
        }
        if !lit(rhs) && !r_const {
            parts.push(Eval::call("isnull", vec![r]));
        }
        parts.push(base);
        Some(Eval::or(parts))
    }

    /// Two computed values (columns) compared. Strings: a missing one is "" in KQL, so both
    /// sides are `coalesce(x, "")` and the comparison is Splunk's (exact). Other types: null in
    /// both languages (a comparison with null is false in `where`); KQL's `!=` is true when
    /// exactly one side is null (exact). Unknown type: the non-string rendering, with a note on
    /// how a string column would differ.
    fn compare_values(
        &mut self,
        l: Eval,
        op: CmpOp,
        r: Eval,
        operands: Operands,
        span: Span,
    ) -> Eval {
        if operands == Operands::Strings {
            let empty = |e: Eval| Eval::call("coalesce", vec![e, Eval::str("")]);
            return Eval::bin(cmp_op(op), empty(l), empty(r));
        }
        if operands == Operands::Unknown {
            let (effect, message) = match op {
                CmpOp::Eq => (
                    Effect::UnderMatch,
                    "comparing two values of unknown type: if they are strings, KQL reads a missing one as \"\", so two missing values, or a missing and an empty one, are equal; in Splunk a missing value is null and such rows are not returned",
                ),
                CmpOp::Ne => (
                    Effect::OverMatch,
                    "comparing two values of unknown type: if they are strings, KQL reads a missing one as \"\", so a missing value and an empty one are equal; in Splunk a missing value is null and such rows are returned",
                ),
                _ => (
                    Effect::UnderMatch,
                    "comparing two values of unknown type: if they are strings, KQL orders a missing one as \"\"; in Splunk a missing value is null, the comparison is false and such rows are not returned",
                ),
            };
            self.notes.push(span, effect, message);
        }
        if op != CmpOp::Ne {
            return Eval::bin(cmp_op(op), l, r);
        }
        // True when exactly one side is null, or both are set and differ.
        Eval::or(vec![
            Eval::and(vec![
                Eval::call("isnull", vec![l.clone()]),
                Eval::call("isnotnull", vec![r.clone()]),
            ]),
            Eval::and(vec![
                Eval::call("isnotnull", vec![l.clone()]),
                Eval::call("isnull", vec![r.clone()]),
            ]),
            Eval::bin("!=", l, r),
        ])
    }

    /// A KQL bool value as an SPL condition. Bool columns hold `"true"`/`"false"` in Splunk
    /// (JSON booleans are extracted as those strings, and this backend stores bools so).
    fn bool_expr(&mut self, e: &Expr) -> Option<Eval> {
        match &e.kind {
            ExprKind::Predicate(p) => self.pred(p, false),
            ExprKind::Literal(Literal::Bool(b)) => {
                Some(Eval::call(if *b { "true" } else { "false" }, vec![]))
            }
            ExprKind::Call {
                func: ScalarFn::Ipv4IsPrivate | ScalarFn::Ipv4IsInRange,
                args,
            } => {
                let ExprKind::Call { func, .. } = &e.kind else {
                    return None;
                };
                self.ipv4(*func, args, e.span)
            }
            ExprKind::Call {
                func: func @ (ScalarFn::HasTerm | ScalarFn::HasTermCs),
                args,
            } => self.has_term_test(*func, args, e.span),
            _ => Some(Eval::bin("==", self.expr(e)?, Eval::str("true"))),
        }
    }

    fn str_match(&mut self, sm: &StrMatch, span: Span, neg: bool) -> Option<Eval> {
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
                    MatchKind::Regex => re::matches_empty(v).unwrap_or(false),
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
                                "B016",
                                span,
                                &format!("regular expression cannot be ported to PCRE: {}", u.what),
                                &format!("pattern bytes {}..{}", u.start, u.end),
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

    // -----------------------------------------------------------------------------------------
    // Scalar expressions
    // -----------------------------------------------------------------------------------------

    pub fn expr(&mut self, e: &Expr) -> Option<Eval> {
        // `array_ok` holds for this expression only, not for its operands (a case's values
        // excepted: they are its value).
        let ok = std::mem::take(&mut self.array_ok);
        match &e.kind {
            ExprKind::Literal(l) => self.literal(l, e.span),
            ExprKind::Field(fp) => {
                self.array_ok = ok;
                let v = self.field(fp, e.span);
                self.array_ok = false;
                v
            }
            ExprKind::Call { func, args } => {
                self.array_ok = ok;
                self.call(*func, args, e.span)
            }
            ExprKind::Arith { op, lhs, rhs } => {
                let (l, r) = (self.expr(lhs)?, self.expr(rhs)?);
                // A real operand, or a timespan (timespan / timespan is a real in KQL).
                let real = |x: &Expr| {
                    matches!(
                        x.kind,
                        ExprKind::Literal(Literal::Real(_) | Literal::Timespan(_))
                            | ExprKind::Call {
                                func: ScalarFn::ToReal,
                                ..
                            }
                    )
                };
                if *op == ArithOp::Div && !real(lhs) && !real(rhs) {
                    self.value_note(
                        e.span,
                        "KQL divides two longs with truncation; SPL division is never integral",
                    );
                }
                let sym = match op {
                    ArithOp::Add => " + ",
                    ArithOp::Sub | ArithOp::DateSub => " - ",
                    ArithOp::Mul => " * ",
                    ArithOp::Div => " / ",
                    ArithOp::Mod => " % ",
                };
                Some(Eval::bin(sym, l, r))
            }
            ExprKind::Neg(x) => Some(Eval::Neg(Box::new(self.expr(x)?))),
            ExprKind::Case {
                branches,
                otherwise,
            } => {
                let mut args = Vec::new();
                for (c, v) in branches {
                    args.push(self.pred(c, false)?);
                    self.array_ok = ok;
                    args.push(self.expr(v)?);
                }
                self.array_ok = ok;
                let other = self.expr(otherwise)?;
                Some(if branches.len() == 1 {
                    args.push(other);
                    Eval::call("if", args)
                } else {
                    args.push(Eval::call("true", vec![]));
                    args.push(other);
                    Eval::call("case", args)
                })
            }
            ExprKind::Predicate(p) => Some(bool_value(self.pred(p, false)?)),
            ExprKind::Now => Some(Eval::call("now", vec![])),
            ExprKind::Ago(d) => Some(ago_eval(*d)),
            ExprKind::Path { base, path } => self.computed_path(base, path, e.span),
        }
    }

    /// `split(x, d)[i]` is `mvindex(split(x, d), i)`: both count from 0 (negative from the end)
    /// and give null out of range. `split(x, d, k)` is the array holding only element `k` (or
    /// none), so its `[0]`/`[-1]` is `mvindex(split(x, d), k)` and other indexes are null.
    /// Other paths into computed values are refused.
    fn computed_path(&mut self, base: &Expr, path: &[PathSegment], span: Span) -> Option<Eval> {
        if let ExprKind::Call {
            func: ScalarFn::ParseUrl,
            args,
        } = &base.kind
        {
            return self.parse_url_path(args, path, span);
        }
        if let Some(read) = self.json_computed_path(base, path, span) {
            return read;
        }
        if let (
            ExprKind::Call {
                func: ScalarFn::Split,
                args,
            },
            [PathSegment::Index(i)],
        ) = (&base.kind, path)
        {
            match args.as_slice() {
                [x, d] => {
                    let split = self.split_eval(x, d, base.span)?;
                    return Some(Eval::call("mvindex", vec![split, Eval::Num(i.to_string())]));
                }
                [x, d, Expr {
                    kind: ExprKind::Literal(Literal::Long(k)),
                    ..
                }] if *k >= 0 => {
                    let split = self.split_eval(x, d, base.span)?;
                    return Some(if *i == 0 || *i == -1 {
                        Eval::call("mvindex", vec![split, Eval::Num(k.to_string())])
                    } else {
                        Eval::call("null", vec![])
                    });
                }
                _ => {}
            }
        }
        self.refuse(
            "B013",
            span,
            "indexing into a computed value is not supported by the SPL backend",
            "only split(x, \"delimiter\"[, k])[i] and parse_url(x).Member are translated",
            "extract the value with rex or spath first",
        );
        None
    }

    /// `split(x, d)` with a literal non-empty delimiter: Splunk's multivalue `split`, on `""` for
    /// a missing `x` (KQL's missing string).
    fn split_eval(&mut self, x: &Expr, d: &Expr, span: Span) -> Option<Eval> {
        let d = self.literal_str(d, "the split delimiter")?;
        if d.is_empty() {
            self.refuse(
                "B014",
                span,
                "split with an empty delimiter is not supported by the SPL backend",
                "empty delimiter",
                "split on a non-empty literal delimiter",
            );
            return None;
        }
        let d = d.to_string();
        if matches!(&x.kind, ExprKind::Field(f) if f.is_plain() && self.mv_cols.contains(&f.column))
        {
            self.refuse(
                "B013",
                x.span,
                "split() of a make_set/make_list array is not supported by the SPL backend",
                "a Splunk multivalue field here, where KQL splits text",
                "split the values before summarize",
            );
            return None;
        }
        let subject = Eval::call("coalesce", vec![self.expr(x)?, Eval::str("")]);
        Some(Eval::call("split", vec![subject, Eval::Str(d)]))
    }

    /// Refuses a column holding a `split` array where its multivalue field would not behave
    /// like KQL's array (anything but indexing, copying and output).
    fn not_split(&mut self, column: &str, span: Span) -> Option<()> {
        if !self.split_cols.iter().any(|c| c == column) {
            return Some(());
        }
        self.refuse(
            "B013",
            span,
            "a split() array is only translated when indexed, copied or output",
            "a Splunk multivalue field here would not behave like KQL's array",
            "index the array (arr[i]) or use the string before splitting",
        );
        None
    }

    fn literal(&mut self, l: &Literal, span: Span) -> Option<Eval> {
        Some(match l {
            Literal::String(s) => Eval::Str(s.clone()),
            Literal::Long(n) => Eval::Num(n.to_string()),
            Literal::Real(x) if x.is_finite() => Eval::Num(format!("{x}")),
            Literal::Real(_) => {
                self.refuse(
                    "B017",
                    span,
                    "non-finite real literal",
                    "NaN or infinity",
                    "SPL has no literal for NaN or infinity",
                );
                return None;
            }
            Literal::Bool(b) => Eval::str(if *b { "true" } else { "false" }),
            Literal::DateTime(s) => match epoch_seconds(s) {
                Some(n) => Eval::Num(n),
                None => {
                    self.refuse(
                        "B020",
                        span,
                        "datetime literal not in the normalised ISO-8601 UTC form",
                        "unexpected datetime form",
                        "this is a lowering bug; please report it",
                    );
                    return None;
                }
            },
            Literal::Timespan(d) => Eval::Num(seconds(*d)),
            Literal::Null => Eval::call("null", vec![]),
        })
    }

    fn field(&mut self, fp: &FieldPath, span: Span) -> Option<Eval> {
        let column = self.name(&fp.column, span)?;
        let origin = match self.origin.get(&fp.column) {
            Some(o) => o.clone(),
            None => Some(fp.column.clone()),
        };
        if fp.is_plain() && !self.array_ok {
            self.not_split(&fp.column, span)?;
        }
        if self.url_cols.contains(&fp.column) {
            self.check_url_path(fp, span)?;
        }
        if let ([PathSegment::Index(i)], true) =
            (fp.path.as_slice(), self.split_cols.contains(&fp.column))
        {
            // An element of a `split` array (a multivalue field): counted from 0, negative
            // from the end, null out of range — as in KQL.
            return Some(Eval::call(
                "mvindex",
                vec![Eval::Field(column), Eval::Num(i.to_string())],
            ));
        }
        if !fp.is_plain() && self.mv_cols.contains(&fp.column) {
            return self.mv_element(fp, column, span);
        }
        if !fp.is_plain() && self.joined.contains(&fp.column) {
            self.refuse(
                "B013",
                span,
                "this dynamic path reads a column from the join's right side",
                "Splunk's join passes on the right rows' extracted fields, not this column's JSON",
                "read the path inside the right side (extend it as a column there) before the join",
            );
            return None;
        }
        if fp.is_plain() {
            if let (true, true, Some(orig)) = (fp.parsed, self.raw, &origin) {
                // `parse_json(X)` of an event column: its JSON from the event, whether X is a
                // dynamic value (an object in the event) or a string holding JSON text.
                self.name(orig, span)?;
                let key = PathSegment::Key(orig.clone());
                return Some(json_path(Eval::Field("_raw".into()), &[key]));
            }
            if let (Some(m), false) = (self.member_cols.get(&fp.column), fp.parsed) {
                self.members_read.push(m.clone());
            }
            if let Some(orig) = &origin {
                if !fp.parsed && self.is_dynamic_event_column(orig) {
                    self.members_read.push(column.clone());
                }
            }
            return Some(Eval::Field(column));
        }
        self.check_path(fp, span)?;
        if let (false, Some(orig)) = (fp.parsed, &origin) {
            if !self.joined.contains(orig)
                && kqlport::ir::stored_column_type(&self.table, self.target.as_ref(), orig)
                    == Some(kqlport::schema::ColumnType::String)
            {
                // Issue 11 class 4: a string column holding JSON text (LocationDetails in
                // AADNonInteractiveUserSignInLogs) has no members in KQL (Kusto.Language: unknown
                // name) and no extracted leaf fields in Splunk.
                self.refuse(
                    "B013",
                    span,
                    &format!(
                        "`{orig}` is a string column (JSON text): KQL reads no member of a string, \
                         and Splunk extracts no field from it"
                    ),
                    "a member of a string column",
                    "parse it first: parse_json(column).member",
                );
                return None;
            }
        }
        match origin {
            // The event's own dynamic column (possibly renamed since).
            Some(orig) => {
                let auto_field = !fp.parsed
                    && fp.path.iter().all(|s| match s {
                        PathSegment::Key(k) => {
                            name_expressible(k) && !k.contains(['.', '{', '}', '[', ']', '*', ' '])
                        }
                        PathSegment::Index(_) => false,
                    });
                let orig_name = self.name(&orig, span)?;
                if auto_field && self.flat {
                    // Splunk's JSON extraction flattens an object path to the field `X.a.b`.
                    let keys: Vec<&str> = fp
                        .path
                        .iter()
                        .filter_map(|s| match s {
                            PathSegment::Key(k) => Some(k.as_str()),
                            PathSegment::Index(_) => None,
                        })
                        .collect();
                    let name = format!("{orig_name}.{}", keys.join("."));
                    self.members_read.push(name.clone());
                    return Some(Eval::Field(name));
                }
                if self.raw {
                    // Read the column out of the event's JSON text.
                    let root = Eval::Field("_raw".into());
                    let col = PathSegment::Key(orig.clone());
                    return Some(if fp.parsed {
                        let top = json_path(root, std::slice::from_ref(&col));
                        json_steps(top, &fp.path)
                    } else {
                        let mut all = vec![col];
                        all.extend(fp.path.iter().cloned());
                        json_path(root, &all)
                    });
                }
                if fp.parsed {
                    // A string column holding JSON text survives `table`/`stats` as a field.
                    return Some(json_steps(Eval::Field(column), &fp.path));
                }
                self.refuse_reshaped(span)
            }
            // A value computed by this pipeline: JSON text (or a plain value) in a field.
            None => {
                let root = Eval::Field(column);
                Some(if fp.parsed {
                    json_steps(root, &fp.path)
                } else {
                    json_path(root, &fp.path)
                })
            }
        }
    }

    /// Refuses an empty key (which `json_extract` paths cannot name).
    fn check_path(&mut self, fp: &FieldPath, span: Span) -> Option<()> {
        if fp
            .path
            .iter()
            .any(|s| matches!(s, PathSegment::Key(k) if k.is_empty()))
        {
            self.refuse(
                "B013",
                span,
                "this dynamic path cannot be written in Splunk",
                "empty key",
                "json_extract needs non-empty keys; extract the value in the source data or \
                 with a field-mapping pipeline",
            );
            return None;
        }
        Some(())
    }

    /// Refuses reading an event column from `_raw` once `table`/`stats` dropped it; in the
    /// main pipeline this asks the backend for a second attempt that keeps `_raw`.
    fn refuse_reshaped(&mut self, span: Span) -> Option<Eval> {
        if self.depth == 0 && !self.keep_raw {
            self.wants_raw = true;
        }
        self.refuse(
            "B013",
            span,
            "this dynamic path cannot be written in Splunk after the event was reshaped",
            "the dynamic column is read from the raw event, which project/summarize drop",
            "index into the column before project/summarize, or extend it as a column first",
        );
        None
    }

    fn unsupported_fn(&mut self, func: ScalarFn, span: Span) -> Option<Eval> {
        let (label, help) = match func {
            ScalarFn::Base64DecodeToString => (
                "Splunk's eval language has no base64 decoding function (none among its text, \
                 conversion or multivalue functions)",
                "decode the value at ingestion, or with a base64 search command from an add-on",
            ),
            ScalarFn::UrlEncode => (
                "Splunk's eval language has urldecode but no URL encoding function",
                "compare with the encoded text written out as a literal instead",
            ),
            ScalarFn::ArrayLength => (
                "array_length is translated for a column or dynamic path (read as JSON), a \
                 make_set/make_list result and a split array only",
                "extend the array as a column first",
            ),
            ScalarFn::ArraySortAsc => (
                "only a make_set/make_list result is a Splunk multivalue field here; a JSON \
                 array in the event has no documented eval sort function",
                "summarize the array with make_set first",
            ),
            ScalarFn::StrcatArray => (
                "strcat_array is translated for a split array, or array_slice(split(…), k, -1) \
                 with a literal k >= 0, with a literal delimiter",
                "join the parts with strcat instead",
            ),
            _ => (
                "no faithful SPL eval equivalent",
                "rewrite the expression, or extract the value in the source data",
            ),
        };
        self.refuse(
            "B014",
            span,
            &format!("function {func:?} is not supported by the SPL backend"),
            label,
            help,
        );
        None
    }

    fn regex_arg(&mut self, e: &Expr, what: &str) -> Option<(String, bool)> {
        let pat = self.literal_str(e, what)?;
        match re::re2_to_pcre(pat) {
            Ok(p) => Some((p, re::matches_empty(pat).unwrap_or(true))),
            Err(u) => {
                self.refuse(
                    "B016",
                    e.span,
                    &format!("regular expression cannot be ported to PCRE: {}", u.what),
                    &format!("pattern bytes {}..{}", u.start, u.end),
                    "rewrite the pattern in the common RE2/PCRE subset",
                );
                None
            }
        }
    }

    /// `replace_regex(text, re, rewrite)` (and the older `replace(re, rewrite, text)`, which
    /// lowering folds into the same function: told apart by which argument is not a literal)
    /// ⇒ `replace(text, pcre, rewrite)`. Both substitute every non-overlapping match, and both
    /// rewrites spell group `n` as `\n`.
    fn replace_regex(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let is_lit = |e: &Expr| matches!(e.kind, ExprKind::Literal(Literal::String(_)));
        let (text, re_e, rw_e) = match args {
            // The IR's order is (text, regex, rewrite) for both KQL spellings.
            [t, r, w] if is_lit(r) && is_lit(w) => (t, r, w),
            _ => {
                self.refuse(
                    "B019",
                    span,
                    "replace_regex needs a literal pattern and rewrite and a non-literal text \
                     for the SPL backend",
                    "arguments",
                    "use literal pattern and rewrite strings",
                );
                return None;
            }
        };
        let (pcre, empty) = self.regex_arg(re_e, "the replace_regex pattern")?;
        let rewrite = self.literal_str(rw_e, "the replace_regex rewrite")?;
        let Some(rewrite) = spl_rewrite(rewrite) else {
            self.refuse(
                "B019",
                rw_e.span,
                "this replace_regex rewrite cannot be written for Splunk's replace",
                "\\0, `$` or an unknown escape",
                "use plain text and the group references \\1 to \\9",
            );
            return None;
        };
        if empty {
            self.value_note(
                span,
                "the pattern can match the empty string; where RE2 and PCRE place empty \
                 matches next to other matches can differ",
            );
        }
        let subject = Eval::call("coalesce", vec![self.expr(text)?, Eval::str("")]);
        Some(Eval::call(
            "replace",
            vec![subject, Eval::Str(pcre), Eval::Str(rewrite)],
        ))
    }

    /// `extract(re, g, text)` ⇒ the first match's group `g` through `replace` on a pattern that
    /// spans the whole text (`^(?s:.*?)(?:re)(?s:.*)`, the lazy prefix finds the leftmost
    /// match), or null — KQL's "" — when `re` does not match.
    fn extract(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let [re_e, g_e, text] = args else {
            return self.unsupported_fn(ScalarFn::Extract, span);
        };
        let g = match g_e.kind {
            ExprKind::Literal(Literal::Long(g)) if (0..=9).contains(&g) => g,
            _ => {
                self.refuse(
                    "B019",
                    g_e.span,
                    "the extract capture group must be a literal from 0 to 9 for the SPL backend",
                    "capture group",
                    "use a literal group number",
                );
                return None;
            }
        };
        let (pcre, _) = self.regex_arg(re_e, "the extract pattern")?;
        let subject = Eval::call("coalesce", vec![self.expr(text)?, Eval::str("")]);
        let (whole, group) = if g == 0 {
            (format!("^(?s:.*?)({pcre})(?s:.*)"), "\\1".to_string())
        } else {
            (format!("^(?s:.*?)(?:{pcre})(?s:.*)"), format!("\\{g}"))
        };
        Some(Eval::call(
            "if",
            vec![
                Eval::call("match", vec![subject.clone(), Eval::Str(pcre)]),
                Eval::call("replace", vec![subject, Eval::Str(whole), Eval::Str(group)]),
                Eval::call("null", vec![]),
            ],
        ))
    }

    /// `trim(re, t)`, `trim_start`, `trim_end`: the leftmost match anchored at the start
    /// (`^(?:re)`) and/or the end (`(?:re)\z`) removed with `replace`.
    fn trim(&mut self, func: ScalarFn, args: &[Expr], span: Span) -> Option<Eval> {
        let (pcre, _) = self.regex_arg(&args[0], "the trim pattern")?;
        let run = match &args[0].kind {
            ExprKind::Literal(Literal::String(p)) => re::is_class_run(p),
            _ => false,
        };
        if !run {
            self.value_note(
                span,
                "trim(): one match of the pattern is removed at each end; KQL documents removing \
                 \"the\" leading/trailing match, and whether it removes a further match that the \
                 first one uncovers is not documented",
            );
        }
        let mut t = Eval::call("coalesce", vec![self.expr(&args[1])?, Eval::str("")]);
        if func != ScalarFn::TrimEnd {
            t = Eval::call(
                "replace",
                vec![t, Eval::Str(format!("^(?:{pcre})")), Eval::str("")],
            );
        }
        if func != ScalarFn::TrimStart {
            t = Eval::call(
                "replace",
                vec![t, Eval::Str(format!("(?:{pcre})\\z")), Eval::str("")],
            );
        }
        Some(t)
    }

    /// `countof(t, s)`: KQL counts overlapping occurrences of plain text, so only a search
    /// text that cannot overlap itself is counted, as the characters `replace` removes over
    /// its length; `countof(t, re, "regex")` counts non-overlapping matches, likewise when
    /// every match has the same length.
    fn count_of(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let regex = match args.get(2).map(|a| &a.kind) {
            None => false,
            Some(ExprKind::Literal(Literal::String(k))) if k == "normal" => false,
            Some(ExprKind::Literal(Literal::String(k))) if k == "regex" => true,
            _ => return self.unsupported_fn(ScalarFn::CountOf, span),
        };
        let [text, search, ..] = args else {
            return self.unsupported_fn(ScalarFn::CountOf, span);
        };
        let s = self.literal_str(search, "the countof search")?.to_string();
        let (pattern, len) = if regex {
            let (pcre, _) = self.regex_arg(search, "the countof pattern")?;
            match re::fixed_match_chars(&s) {
                Some((n, non_ascii)) if n > 0 => {
                    if non_ascii {
                        self.value_note(
                            span,
                            "countof(): matches are counted by the characters they remove; if \
                             Splunk's PCRE runs without UTF-8 mode, a non-ASCII character is \
                             matched byte by byte and the count differs",
                        );
                    }
                    (pcre, n)
                }
                _ => {
                    self.refuse(
                        "B014",
                        search.span,
                        "countof with a regex whose matches differ in length is not supported \
                         by the SPL backend",
                        "matches of different lengths",
                        "count with a pattern whose every match has the same length",
                    );
                    return None;
                }
            }
        } else {
            let chars: Vec<char> = s.chars().collect();
            let overlaps = (1..chars.len()).any(|k| chars[..k] == chars[chars.len() - k..]);
            if chars.is_empty() || overlaps {
                self.refuse(
                    "B014",
                    search.span,
                    "countof of a search text that can overlap itself is not supported by the \
                     SPL backend",
                    "KQL counts overlapping occurrences",
                    "count a text that cannot overlap itself",
                );
                return None;
            }
            (re::escape(&s), chars.len())
        };
        let t = Eval::call("coalesce", vec![self.expr(text)?, Eval::str("")]);
        let removed = Eval::bin(
            " - ",
            Eval::call("len", vec![t.clone()]),
            Eval::call(
                "len",
                vec![Eval::call(
                    "replace",
                    vec![t, Eval::Str(pattern), Eval::str("")],
                )],
            ),
        );
        Some(if len == 1 {
            removed
        } else {
            Eval::bin(" / ", removed, Eval::Num(len.to_string()))
        })
    }

    /// `datetime_diff(unit, a, b)` for fixed-length units: the number of unit boundaries
    /// (UTC, since the epoch) between `b` and `a`.
    fn datetime_diff(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let [unit, a, b] = args else {
            return self.unsupported_fn(ScalarFn::DateTimeDiff, span);
        };
        let secs = match &unit.kind {
            ExprKind::Literal(Literal::String(u)) => match u.to_ascii_lowercase().as_str() {
                "day" => "86400",
                "hour" => "3600",
                "minute" => "60",
                "second" => "1",
                _ => return self.unsupported_fn(ScalarFn::DateTimeDiff, span),
            },
            _ => return self.unsupported_fn(ScalarFn::DateTimeDiff, span),
        };
        let f = |x: Eval| Eval::call("floor", vec![Eval::bin(" / ", x, Eval::Num(secs.into()))]);
        Some(Eval::bin(
            " - ",
            f(self.time_value(a)?),
            f(self.time_value(b)?),
        ))
    }

    fn literal_str<'a>(&mut self, e: &'a Expr, what: &str) -> Option<&'a str> {
        match &e.kind {
            ExprKind::Literal(Literal::String(s)) => Some(s),
            _ => {
                self.refuse(
                    "B019",
                    e.span,
                    &format!("{what} must be a string literal for the SPL backend"),
                    "not a literal",
                    "use a literal value here",
                );
                None
            }
        }
    }

    fn ipv4(&mut self, func: ScalarFn, args: &[Expr], span: Span) -> Option<Eval> {
        let ip = self.expr(args.first()?)?;
        let cidr = |r: &str| Eval::call("cidrmatch", vec![Eval::str(r), ip.clone()]);
        match func {
            ScalarFn::Ipv4IsPrivate => Some(Eval::or(vec![
                cidr("10.0.0.0/8"),
                cidr("172.16.0.0/12"),
                cidr("192.168.0.0/16"),
            ])),
            _ => {
                let Some(range) = args.get(1) else {
                    return self.unsupported_fn(func, span);
                };
                let r = self.literal_str(range, "the ipv4_is_in_range range")?;
                let r = if r.contains('/') {
                    r.to_string()
                } else {
                    format!("{r}/32")
                };
                Some(cidr(&r))
            }
        }
    }

    fn call(&mut self, func: ScalarFn, args: &[Expr], span: Span) -> Option<Eval> {
        // Set by `expr` for this call only (a whole `split` array may be its value).
        let array_ok = std::mem::take(&mut self.array_ok);
        let arg = |tx: &mut Tx, i: usize| -> Option<Eval> {
            match args.get(i) {
                Some(a) => tx.expr(a),
                None => tx.unsupported_fn(func, span),
            }
        };
        let str_arg = |tx: &mut Tx, i: usize| -> Option<Eval> {
            Some(Eval::call("coalesce", vec![arg(tx, i)?, Eval::str("")]))
        };
        match func {
            ScalarFn::ToString => match args.first().map(|a| &a.kind) {
                // A make_set/make_list multivalue: KQL's tostring() is the JSON text of the
                // array (`["a","b"]`); the multivalue itself is kept.
                Some(ExprKind::Field(f)) if f.is_plain() && self.mv_cols.contains(&f.column) => {
                    self.value_note(
                        span,
                        "tostring() of an array: KQL makes JSON text such as [\"a\",\"b\"]; \
                         Splunk keeps the multivalue field",
                    );
                    arg(self, 0)
                }
                Some(ExprKind::Field(_)) => arg(self, 0),
                // An element of a split array, a parse_url member: strings already.
                Some(ExprKind::Path { base, .. })
                    if matches!(
                        base.kind,
                        ExprKind::Call {
                            func: ScalarFn::Split | ScalarFn::ParseUrl,
                            ..
                        }
                    ) =>
                {
                    arg(self, 0)
                }
                _ if args.first().is_some_and(functions::json_read) => arg(self, 0),
                _ => {
                    self.value_note(
                        span,
                        "tostring(): SPL formats numbers and bools differently from KQL",
                    );
                    Some(Eval::call("tostring", vec![arg(self, 0)?]))
                }
            },
            ScalarFn::ToLower => Some(Eval::call("lower", vec![arg(self, 0)?])),
            ScalarFn::ToUpper => Some(Eval::call("upper", vec![arg(self, 0)?])),
            ScalarFn::ToInt | ScalarFn::ToLong => {
                self.value_note(
                    span,
                    "tonumber() keeps a fractional part that KQL's toint()/tolong() drops",
                );
                Some(Eval::call("tonumber", vec![arg(self, 0)?]))
            }
            ScalarFn::ToReal => Some(Eval::call("tonumber", vec![arg(self, 0)?])),
            ScalarFn::StrCat => {
                let mut parts = Vec::new();
                for a in args {
                    parts.push(match &a.kind {
                        ExprKind::Literal(Literal::String(s)) => Eval::Str(s.clone()),
                        _ => Eval::call("coalesce", vec![self.expr(a)?, Eval::str("")]),
                    });
                }
                Some(match parts.len() {
                    0 => Eval::str(""),
                    1 => parts.remove(0),
                    _ => Eval::Concat(parts),
                })
            }
            ScalarFn::Strlen => Some(Eval::call("len", vec![str_arg(self, 0)?])),
            ScalarFn::Substring => {
                let s = str_arg(self, 0)?;
                // KQL's start is 0-based and Splunk's 1-based; a negative start counts from
                // the end in both (`substring("123456", -2)` and `substr("123456", -2)` are
                // "56"), so only a non-negative start is shifted.
                const BEFORE_FIRST: &str = "a negative start counts from the end; when it reaches before the first character, neither KQL nor Splunk documents the result";
                let start = match args.get(1) {
                    Some(a) => match &a.kind {
                        ExprKind::Literal(Literal::Long(n)) if *n >= 0 => {
                            Eval::Num((n + 1).to_string())
                        }
                        ExprKind::Literal(Literal::Long(n)) => {
                            self.value_note(a.span, BEFORE_FIRST);
                            Eval::Num(n.to_string())
                        }
                        _ if a.is_non_negative() => {
                            Eval::bin(" + ", arg(self, 1)?, Eval::Num("1".into()))
                        }
                        _ => {
                            self.value_note(a.span, BEFORE_FIRST);
                            let k = arg(self, 1)?;
                            Eval::call(
                                "if",
                                vec![
                                    Eval::bin("<", k.clone(), Eval::Num("0".into())),
                                    k.clone(),
                                    Eval::bin(" + ", k, Eval::Num("1".into())),
                                ],
                            )
                        }
                    },
                    None => return self.unsupported_fn(func, span),
                };
                let mut v = vec![s, start];
                if args.len() > 2 {
                    v.push(arg(self, 2)?);
                }
                Some(Eval::call("substr", v))
            }
            ScalarFn::ReplaceString => {
                let text = str_arg(self, 0)?;
                let lookup = self.literal_str(args.get(1)?, "the replace_string lookup")?;
                let rewrite = self.literal_str(args.get(2)?, "the replace_string rewrite")?;
                if lookup.is_empty() {
                    return self.unsupported_fn(func, span);
                }
                Some(Eval::call(
                    "replace",
                    vec![
                        text,
                        Eval::str(re::escape(lookup)),
                        Eval::str(rewrite.replace('\\', "\\\\")),
                    ],
                ))
            }
            ScalarFn::Coalesce => {
                let mut v = Vec::new();
                for i in 0..args.len() {
                    // KQL's coalesce skips empty strings as well as nulls.
                    v.push(Eval::call("nullif", vec![arg(self, i)?, Eval::str("")]));
                }
                Some(Eval::call("coalesce", v))
            }
            ScalarFn::Bin | ScalarFn::Floor if args.len() == 2 => {
                let size = match &args[1].kind {
                    ExprKind::Literal(Literal::Timespan(d)) if d.ticks > 0 => {
                        let t = self.time_value(&args[0])?;
                        return Some(floor_bucket(t, seconds(*d)));
                    }
                    ExprKind::Literal(Literal::Long(n)) if *n > 0 => n.to_string(),
                    ExprKind::Literal(Literal::Real(x)) if x.is_finite() && *x > 0.0 => {
                        format!("{x}")
                    }
                    _ => {
                        self.refuse(
                            "B019",
                            args[1].span,
                            "bin size must be a positive literal for the SPL backend",
                            "bin size",
                            "use a literal bin size",
                        );
                        return None;
                    }
                };
                Some(floor_bucket(arg(self, 0)?, size))
            }
            ScalarFn::Floor => Some(Eval::call("floor", vec![arg(self, 0)?])),
            ScalarFn::StartOfDay if args.len() == 1 => {
                Some(floor_bucket(self.time_value(&args[0])?, "86400".into()))
            }
            ScalarFn::Ipv4IsPrivate | ScalarFn::Ipv4IsInRange => {
                Some(bool_value(self.ipv4(func, args, span)?))
            }
            ScalarFn::Replace => self.replace_regex(args, span),
            ScalarFn::Extract => self.extract(args, span),
            ScalarFn::ArrayLength => self.array_length(args, span),
            ScalarFn::StrcatArray => self.strcat_array(args, span),
            ScalarFn::UrlDecode => self.url_decode(args, span),
            ScalarFn::ParseUrl => self.parse_url(args, span),
            ScalarFn::ParseIpv4 => self.parse_ipv4(args, span),
            ScalarFn::Log => self.natural_log(args, span),
            ScalarFn::ArraySortAsc => match args {
                [Expr {
                    kind: ExprKind::Field(f),
                    ..
                }] if f.is_plain() && self.mv_cols.contains(&f.column) => {
                    // A make_set/make_list multivalue, sorted as text.
                    self.value_note(
                        span,
                        "array_sort_asc(): mvsort orders the values as text (\"10\" before \
                         \"9\"); KQL sorts numbers numerically",
                    );
                    Some(Eval::call("mvsort", vec![arg(self, 0)?]))
                }
                _ => self.unsupported_fn(func, span),
            },
            ScalarFn::StartOfWeek if args.len() == 1 => {
                // Weeks start on Sunday (UTC); the epoch fell on a Thursday, 4 days later.
                let t = self.time_value(&args[0])?;
                let shifted = Eval::bin(" + ", t, Eval::Num("345600".into()));
                Some(Eval::bin(
                    " - ",
                    floor_bucket(shifted, "604800".into()),
                    Eval::Num("345600".into()),
                ))
            }
            ScalarFn::StartOfMonth if args.len() == 1 => {
                let t = self.time_value(&args[0])?;
                Some(self.start_of_month(t))
            }
            ScalarFn::DateTimeDiff => self.datetime_diff(args, span),
            // Datetimes are epoch seconds; text is read as ISO 8601 UTC (see `time_value`).
            ScalarFn::ToDateTime if args.len() == 1 => self.time_value(&args[0]),
            ScalarFn::Trim | ScalarFn::TrimStart | ScalarFn::TrimEnd if args.len() == 2 => {
                self.trim(func, args, span)
            }
            ScalarFn::CountOf => self.count_of(args, span),
            ScalarFn::IndexOf if args.len() == 2 => {
                // The characters before the first occurrence, or -1 (KQL's "not found").
                let t = str_arg(self, 0)?;
                let look = self.literal_str(&args[1], "the indexof lookup")?;
                if look.is_empty() {
                    return self.unsupported_fn(func, span);
                }
                let esc = re::escape(look);
                Some(Eval::call(
                    "if",
                    vec![
                        Eval::call("match", vec![t.clone(), Eval::Str(esc.clone())]),
                        Eval::call(
                            "len",
                            vec![Eval::call(
                                "replace",
                                vec![t, Eval::Str(format!("^(?s)(.*?){esc}.*")), Eval::str("\\1")],
                            )],
                        ),
                        Eval::Num("-1".into()),
                    ],
                ))
            }
            ScalarFn::ToBool if args.len() == 1 => {
                // KQL documents "true"/"false" and numbers (non-zero is true); anything else
                // is null here.
                let x = arg(self, 0)?;
                self.value_note(
                    span,
                    if is_json_read(&x) {
                        "tobool(): a JSON boolean read with json_extract is a Splunk Boolean, \
                         whose lower() is not documented to be \"true\"/\"false\"; text is read \
                         as true/false in any letter case and numbers as non-zero = true"
                    } else {
                        "tobool(): text is read as true/false in any letter case and numbers as \
                         non-zero = true; KQL documents only \"true\", \"false\" and numbers, so \
                         other text (\"TRUE\", \"1\") may convert differently"
                    },
                );
                let lower = Eval::call("lower", vec![x.clone()]);
                Some(Eval::call(
                    "case",
                    vec![
                        Eval::bin("==", lower.clone(), Eval::str("true")),
                        Eval::str("true"),
                        Eval::bin("==", lower, Eval::str("false")),
                        Eval::str("false"),
                        Eval::call("isnum", vec![x.clone()]),
                        Eval::call(
                            "if",
                            vec![
                                Eval::bin("==", x, Eval::Num("0".into())),
                                Eval::str("false"),
                                Eval::str("true"),
                            ],
                        ),
                    ],
                ))
            }
            // A whole array: a multivalue field as the value of an assignment or of make_set
            // (see `array_ok`), JSON text elsewhere.
            ScalarFn::Split if args.len() == 2 && array_ok => {
                self.split_eval(&args[0], &args[1], span)
            }
            ScalarFn::Split if args.len() == 2 => self.split_json(&args[0], &args[1], span),
            ScalarFn::Split => {
                self.refuse(
                    "B014",
                    span,
                    "split(x, d, k) as a whole array is not supported by the SPL backend",
                    "only split(x, d, k)[0] is translated",
                    "index the array: split(x, d, k)[0]",
                );
                None
            }
            ScalarFn::HourOfDay if args.len() == 1 => {
                // Hours since the epoch minus whole days' hours: exact for negative times too.
                let t = self.time_value(&args[0])?;
                Some(Eval::bin(
                    " - ",
                    fdiv(t.clone(), "3600"),
                    Eval::bin(" * ", fdiv(t, "86400"), Eval::Num("24".into())),
                ))
            }
            ScalarFn::DayOfWeek if args.len() == 1 => {
                // Days since the last Sunday as a timespan (seconds); the epoch was a Thursday.
                let t = self.time_value(&args[0])?;
                let d = Eval::bin(" + ", fdiv(t, "86400"), Eval::Num("4".into()));
                Some(Eval::bin(
                    " * ",
                    Eval::bin(
                        " - ",
                        d.clone(),
                        Eval::bin(" * ", fdiv(d, "7"), Eval::Num("7".into())),
                    ),
                    Eval::Num("86400".into()),
                ))
            }
            ScalarFn::GetMonth | ScalarFn::GetYear if args.len() == 1 => {
                let t = self.time_value(&args[0])?;
                Some(self.month_or_year(t, func == ScalarFn::GetYear))
            }
            ScalarFn::Abs => Some(Eval::call("abs", vec![arg(self, 0)?])),
            ScalarFn::Round => {
                let mut v = vec![arg(self, 0)?];
                if args.len() > 1 {
                    v.push(arg(self, 1)?);
                }
                Some(Eval::call("round", v))
            }
            ScalarFn::ToBool
            | ScalarFn::ToDateTime
            | ScalarFn::Trim
            | ScalarFn::Bin
            | ScalarFn::StartOfDay
            | ScalarFn::TrimStart
            | ScalarFn::TrimEnd
            | ScalarFn::IndexOf
            | ScalarFn::StartOfWeek
            | ScalarFn::StartOfMonth
            | ScalarFn::StartOfYear
            | ScalarFn::EndOfDay
            | ScalarFn::HourOfDay
            | ScalarFn::DayOfWeek
            | ScalarFn::GetMonth
            | ScalarFn::GetYear
            | ScalarFn::Base64DecodeToString
            | ScalarFn::UrlEncode
            | ScalarFn::BagKeys
            | ScalarFn::ArraySortDesc
            | ScalarFn::ArraySlice
            | ScalarFn::ToTimespan
            | ScalarFn::Typeof => self.unsupported_fn(func, span),
            ScalarFn::ToHex => self.hex_digits(args, span),
            ScalarFn::StringSize => self.string_size(args, span),
            ScalarFn::UnixtimeMillisecondsToDatetime => self.unixtime_ms(args, span),
            ScalarFn::IndexOfRegex => self.indexof_regex(args, span),
            ScalarFn::DynamicIndex => self.dynamic_index(args, span),
            ScalarFn::BagPack => self.bag_pack(args, span),
            ScalarFn::HasTerm | ScalarFn::HasTermCs => {
                Some(bool_value(self.has_term_test(func, args, span)?))
            }
        }
    }
}

impl Default for Tx {
    fn default() -> Self {
        Tx::new()
    }
}

/// A KQL (RE2) rewrite as a Splunk `replace` rewrite: text and `\1`-`\9` group references;
/// `\\` is a literal backslash. `None` for `\0`, other escapes and `$`, whose meaning in
/// Splunk's rewrite is not documented.
fn spl_rewrite(kql: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = kql.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                d @ '1'..='9' => {
                    out.push('\\');
                    out.push(d);
                }
                '\\' => out.push_str("\\\\"),
                _ => return None,
            },
            '$' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

/// An expression that reads no field (a literal, `now()`, arithmetic on them): never null.
fn is_const(e: &Eval) -> bool {
    match e {
        Eval::Field(_) => false,
        Eval::Str(_) | Eval::Num(_) => true,
        Eval::Call(name, args) => *name != "null" && args.iter().all(is_const),
        Eval::Binary(_, l, r) => is_const(l) && is_const(r),
        Eval::Concat(v) | Eval::And(v) | Eval::Or(v) => v.iter().all(is_const),
        Eval::Neg(x) | Eval::Not(x) => is_const(x),
    }
}

/// An expression that is a value read with `json_extract`/`json_extract_exact`.
fn is_json_read(e: &Eval) -> bool {
    matches!(e, Eval::Call("json_extract" | "json_extract_exact", _))
}

/// A key `json_extract` paths can name: a plain identifier (paths split on `.`, `{`, `}`).
fn json_plain_key(k: &str) -> bool {
    let mut c = k.chars();
    matches!(c.next(), Some(x) if x.is_ascii_alphabetic() || x == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

/// `json_extract` over a whole path in as few calls as its path syntax allows: `a{0}.b`
/// (indexes count from 0); a key that is not a plain identifier is read with
/// `json_extract_exact`, which takes the key literally; an index right after an index starts a
/// new call; a negative index is `mvindex(json_array_to_mv(…), i)`. No JSON text met along the
/// way is parsed again (a dynamic value, not JSON text).
fn json_path(root: Eval, segs: &[PathSegment]) -> Eval {
    let mut cur = root;
    let mut run = String::new();
    let mut after_index = false;
    let flush = |cur: Eval, run: &mut String| -> Eval {
        if run.is_empty() {
            cur
        } else {
            let p = std::mem::take(run);
            Eval::call("json_extract", vec![cur, Eval::Str(p)])
        }
    };
    for seg in segs {
        match seg {
            PathSegment::Key(k) if json_plain_key(k) => {
                if !run.is_empty() {
                    run.push('.');
                }
                run.push_str(k);
                after_index = false;
            }
            PathSegment::Key(k) => {
                cur = flush(cur, &mut run);
                cur = Eval::call("json_extract_exact", vec![cur, Eval::Str(k.clone())]);
                after_index = false;
            }
            PathSegment::Index(i) if *i < 0 => {
                // json_extract counts from the start only: the array's elements as a
                // multivalue, indexed from the end by mvindex (null out of range, as in KQL).
                cur = flush(cur, &mut run);
                cur = Eval::call(
                    "mvindex",
                    vec![
                        Eval::call("json_array_to_mv", vec![cur]),
                        Eval::Num(i.to_string()),
                    ],
                );
                after_index = false;
            }
            PathSegment::Index(i) => {
                if after_index {
                    cur = flush(cur, &mut run);
                }
                run.push_str(&format!("{{{i}}}"));
                after_index = true;
            }
        }
    }
    flush(cur, &mut run)
}

/// One `json_extract` per path step, so that a string holding JSON text met along the way is
/// parsed, as KQL's `parse_json(tostring(…))` does wherever the query put it (the IR records
/// that the path was parsed, not where).
fn json_steps(root: Eval, segs: &[PathSegment]) -> Eval {
    segs.iter()
        .fold(root, |cur, seg| json_path(cur, std::slice::from_ref(seg)))
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

/// SPL cannot store a boolean in a field: a KQL bool value becomes `"true"`/`"false"`.
fn bool_value(cond: Eval) -> Eval {
    Eval::call("if", vec![cond, Eval::str("true"), Eval::str("false")])
}

/// ISO 8601 UTC text (`YYYY-MM-DDThh:mm:ss[.f…]Z`) → epoch seconds: the whole seconds with
/// `strptime` on the first 19 characters given an explicit `+0000` offset (without a zone,
/// strptime would use the search user's time zone), plus the fraction as a number. Text of
/// any other shape leaves `replace` without a match, so `tonumber` and the sum are null.
pub(crate) fn iso_epoch(x: Eval) -> Eval {
    let secs = Eval::call(
        "strptime",
        vec![
            Eval::Concat(vec![
                Eval::call(
                    "substr",
                    vec![x.clone(), Eval::Num("1".into()), Eval::Num("19".into())],
                ),
                Eval::str("+0000"),
            ]),
            Eval::str("%Y-%m-%dT%H:%M:%S%z"),
        ],
    );
    let frac = Eval::call(
        "tonumber",
        vec![Eval::call(
            "replace",
            vec![x, Eval::str("^.{19}(\\.[0-9]+)?Z$"), Eval::str("0\\1")],
        )],
    );
    Eval::bin(" + ", secs, frac)
}

fn ago_eval(d: Duration) -> Eval {
    Eval::bin(" - ", Eval::call("now", vec![]), Eval::Num(seconds(d)))
}

/// The first `max` values of the multivalue field `f` (a `make_set`/`make_list` cap).
fn mv_cap(f: &str, max: u64) -> Eval {
    Eval::call(
        "mvindex",
        vec![
            Eval::Field(f.to_string()),
            Eval::Num("0".into()),
            Eval::Num(max.saturating_sub(1).to_string()),
        ],
    )
}

/// A translated join right side (see [`Tx::sub_query`]).
pub(crate) struct SubQuery {
    pub pipeline: Option<Pipeline>,
    pub epoch: Vec<String>,
    pub split: Vec<String>,
    pub url: Vec<String>,
    /// Its rows still carry `_raw`, which Splunk's join copies over the left row's.
    pub raw: bool,
}

/// `floor(x / d)`.
fn fdiv(x: Eval, d: &str) -> Eval {
    Eval::call("floor", vec![Eval::bin(" / ", x, Eval::Num(d.into()))])
}

/// Parts of a UTC civil date (see [`Tx::civil`]): day number since the epoch, 400-year era,
/// year of the era, day of the March-based year (0 = March 1).
struct Civil {
    days: Eval,
    era: Eval,
    yoe: Eval,
    doy: Eval,
}

impl Civil {
    /// The month of the March-based year, 0 (March) to 11 (February).
    fn month_index(&self) -> Eval {
        fdiv(
            Eval::bin(
                " + ",
                Eval::bin(" * ", Eval::Num("5".into()), self.doy.clone()),
                Eval::Num("2".into()),
            ),
            "153",
        )
    }
}

fn floor_bucket(x: Eval, size: String) -> Eval {
    Eval::bin(
        " * ",
        Eval::call("floor", vec![Eval::bin(" / ", x, Eval::Num(size.clone()))]),
        Eval::Num(size),
    )
}

// ---------------------------------------------------------------------------------------------
// Base search
// ---------------------------------------------------------------------------------------------

/// A predicate the base `search` command expresses exactly, if any: case-insensitive
/// equals/contains/prefix/suffix on a plain column with search-safe values (see
/// [`search_safe`]; a value between wildcards also without a major breaker, see
/// `prefilter::wildcard_safe`), and AND/OR/NOT of such. `NOT f="v"` keeps events lacking `f`, exactly
/// like KQL's negations.
/// Whether `e` passes a dynamic member on as it is (a copy or `tostring` of it): a column
/// assigned it is missing exactly where the member's field is.
fn passes_member_on(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Field(_) => true,
        ExprKind::Call {
            func: ScalarFn::ToString,
            args,
        } => args.len() == 1 && passes_member_on(&args[0]),
        _ => false,
    }
}

/// How a string test can differ from KQL when its field is missing because the dynamic member
/// (or column) holds an array or an object, which KQL tests as JSON text while the test here
/// reads `""` (see [`Tx::array_member_note`]); `None` when it cannot.
fn missing_member_effect(sm: &StrMatch, neg: bool, empty_matches: bool) -> Option<Effect> {
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
