//! What the translation knows about columns, and which columns an expression reads.
//!
//! What a column holds comes from the core's column facts (`ir::facts`, in `Tx::cols`, set
//! per stage by `query.rs`): whether it is epoch seconds (its time), a `split` array or
//! `make_set` multivalue or `parse_url` object (its shape), and whether its Splunk field is the
//! event's own (its origin). Read here as the SPL rendering needs it (`is_epoch_col`,
//! `is_split_col`, `is_mv_col`, `is_url_col`, `origin_of`); `stats` keeps no `split`/URL shape
//! and no multivalue but its own (see `Tx::stages_into`). What the core does not cover stays
//! here: dynamic event columns and members.

use super::time::TIME_COLUMNS;
use super::{col, Tx};
use kqlport::codes::SplCode;
use kqlport::ir::facts::{Origin, Shape, Time};
use kqlport::ir::{visit, Aggregation, ArithOp, Expr, ExprKind, Literal, ScalarFn};
use kqlport::source::Span;

impl Tx {
    /// Is this column's Splunk field epoch seconds?
    pub(super) fn is_epoch_col(&self, name: &str) -> bool {
        TIME_COLUMNS.contains(&name) || self.cols.time(name).is_some_and(Time::is_instant)
    }

    /// Does this KQL datetime expression evaluate to epoch seconds in SPL (rather than being
    /// text in the event)? True for the time column, `now()`, `ago()`, datetime literals,
    /// `todatetime(…)`, the calendar functions, columns computed from such values, and a
    /// datetime plus or minus a timespan.
    pub(crate) fn is_epoch(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Field(f) => f.is_plain() && self.is_epoch_col(&f.column),
            ExprKind::Literal(Literal::DateTime(_))
            | ExprKind::Now
            | ExprKind::Ago(_)
            | ExprKind::IngestionTime => true,
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
    pub(super) fn is_split(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Call {
                func: ScalarFn::Split,
                args,
            } => args.len() == 2,
            ExprKind::Field(f) => f.is_plain() && self.is_split_col(&f.column),
            _ => false,
        }
    }

    /// Does column `name` hold a multivalue field made by `split` (see `cols`)?
    pub(super) fn is_split_col(&self, name: &str) -> bool {
        matches!(self.cols.shape(name), Shape::Split { .. })
    }

    /// Does column `name` hold an `extract_all` multivalue field (`rex max_match=0`; no
    /// field where KQL's array is null)?
    pub(super) fn is_matches_col(&self, name: &str) -> bool {
        self.cols.shape(name) == Shape::Matches
    }

    /// Does column `name` hold a multivalue field made by `make_set`/`make_list` (a KQL
    /// array)? Not one a join brought in (see `is_joined`).
    pub(crate) fn is_mv_col(&self, name: &str) -> bool {
        let f = self.cols.fact(name);
        matches!(f.shape, Shape::Multivalue(_)) && !f.origin.is_joined()
    }

    /// Whether column `name`'s Splunk field is not simply the event's own column of that
    /// name: `Some(Some(orig))` — the event column `orig` under a new name (project,
    /// project-rename); `Some(None)` — a value this pipeline computed (extend, project,
    /// summarize …). `None`: the event's own column, or one a join brought (see `is_joined`).
    pub(super) fn origin_of(&self, name: &str) -> Option<Option<String>> {
        match self.cols.origin(name) {
            Origin::Event | Origin::Joined(_) => None,
            Origin::Field(orig) => Some(Some(orig)),
            Origin::Computed => Some(None),
        }
    }

    /// Is column `name` one a join brought in from its right side ([`Origin::Joined`]) other
    /// than the right event's own field of that name, untouched there? Splunk's join hands over
    /// the right rows' fields, not a JSON value, so paths into them cannot be read, and they
    /// are not this event's fields. (The right event's own field, `Joined(Event)`, is read as
    /// an event field of that name, as the left event's would be.)
    pub(super) fn is_joined(&self, name: &str) -> bool {
        matches!(self.cols.origin(name), Origin::Joined(o) if *o != Origin::Event)
    }

    /// Does column `name` hold a dynamic member as it is ([`Shape::Member`])?
    pub(super) fn is_member_col(&self, name: &str) -> bool {
        matches!(self.cols.shape(name), Shape::Member(_))
    }

    /// Does column `name` hold a `parse_url` object (see `cols`)?
    pub(super) fn is_url_col(&self, name: &str) -> bool {
        self.cols.shape(name) == Shape::Url
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

    /// The event column a plain (unparsed) field reads, through renames; `None` for a computed
    /// column or a column a join brought in.
    fn event_column(&self, e: &Expr) -> Option<String> {
        let ExprKind::Field(f) = &e.kind else {
            return None;
        };
        if !f.is_plain() || f.parsed {
            return None;
        }
        let orig = match self.origin_of(&f.column).as_ref() {
            Some(o) => o.clone()?,
            None => f.column.clone(),
        };
        (!self.is_joined(&orig)).then_some(orig)
    }

    /// The event column a plain (unparsed) field reads, if the schema says it is `dynamic`.
    pub(super) fn dynamic_event_column(&self, e: &Expr) -> Option<String> {
        let orig = self.event_column(e)?;
        self.is_dynamic_event_column(&orig).then_some(orig)
    }

    /// Whether `e` is an event column the table's schema types `datetime` that the rows hold as
    /// text (every datetime column but the time column, which is `_time`).
    pub(super) fn is_datetime_text(&self, e: &Expr) -> bool {
        !self.is_epoch(e)
            && self.event_column(e).is_some_and(|c| {
                kqlport::ir::stored_column_type(&self.table, self.target.as_ref(), &c)
                    == Some(kqlport::schema::ColumnType::DateTime)
            })
    }

    /// Whether `e` is a KQL string the rows hold as an event field: a `string` event column
    /// (by the table's schema), or its tolower/toupper. KQL reads a missing one as `""`.
    pub(super) fn is_event_string(&self, e: &Expr) -> bool {
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

    /// Whether `column` is the event's own column of a type the table's schema says is
    /// `dynamic` (not a column a join brought in).
    pub(super) fn is_dynamic_event_column(&self, column: &str) -> bool {
        !self.is_joined(column)
            && kqlport::ir::stored_column_type(&self.table, self.target.as_ref(), column)
                == Some(kqlport::schema::ColumnType::Dynamic)
    }

    /// Whether event column `orig` can be read from the `_raw` the rows carry: they still
    /// carry their event, the column is not one a join brought in (the right row's, whose
    /// `_raw` is not this one), and, after a join brought in whole right rows (`right_rows`),
    /// the table's schema has the column (a name only the right rows have is theirs; KQL names
    /// a right column whose name the left has `X1`).
    pub(super) fn raw_of(&self, orig: &str) -> bool {
        self.raw
            && !self.cols.origin(orig).is_joined()
            && (!self.right_rows
                || kqlport::ir::stored_column_type(&self.table, self.target.as_ref(), orig)
                    .is_some())
    }

    /// Refuses a column holding a `split` array where its multivalue field would not behave
    /// like KQL's array (anything but indexing, copying and output).
    pub(super) fn not_split(&mut self, column: &str, span: Span) -> Option<()> {
        if self.is_matches_col(column) {
            self.refuse(
                SplCode::B013,
                span,
                "an extract_all() array is only translated when expanded (mv-expand) or \
                 joined (strcat_array)",
                "a Splunk multivalue field here would not behave like KQL's array",
                "mv-expand the array, or use extract() for the first match",
            );
            return None;
        }
        if !self.is_split_col(column) {
            return Some(());
        }
        self.refuse(
            SplCode::B013,
            span,
            "a split() array is only translated when indexed, copied or output",
            "a Splunk multivalue field here would not behave like KQL's array",
            "index the array (arr[i]) or use the string before splitting",
        );
        None
    }
}

/// Columns an expression reads, as Splunk fields (for detecting clobbering in simultaneous
/// assignments).
pub(super) fn expr_refs(e: &Expr, out: &mut Vec<String>) {
    out.extend(visit::expr_columns(e).into_iter().map(col));
}

/// Columns an aggregation reads, as Splunk fields.
pub(super) fn agg_refs(a: &Aggregation, out: &mut Vec<String>) {
    out.extend(visit::aggregation_columns(&a.func).into_iter().map(col));
}

/// Whether `e` passes a dynamic member on as it is (a copy or `tostring` of it): a column
/// assigned it is missing exactly where the member's field is.
pub(super) fn passes_member_on(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Field(_) => true,
        ExprKind::Call {
            func: ScalarFn::ToString,
            args,
        } => args.len() == 1 && passes_member_on(&args[0]),
        _ => false,
    }
}
