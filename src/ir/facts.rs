//! Column facts: what is known about each column at each point of a pipeline, computed once
//! from the IR in one forward pass, so that backends read them instead of tracking them.
//!
//! For every column a [`ColumnFact`] records
//! * its **type** ([`ColumnType`]), from the source table's schema (under a field-mapping
//!   pipeline's names) carried through the stages — exact about string vs not-string,
//!   best-effort beyond (this is the type pass lowering uses: `lower::types`);
//! * its **origin** ([`Origin`]): the event's own field, an event field kept or renamed by a
//!   stage, a value the pipeline computed, or a column a join brought from its right side;
//! * its **shape** ([`Shape`]): a scalar, a `split()` array, a multivalue made by
//!   `make_set`/`make_list`, a `parse_url()` object, or a dynamic member as it is;
//! * its **time representation** ([`Time`]): the event time column, a datetime the query
//!   computed (an instant the targets hold natively, Splunk as epoch seconds), or a datetime
//!   field as the event stores it.
//!
//! [`Query::facts`] gives the facts before every stage and after the last; a backend that
//! needs them between the assignments of one `extend` steps a [`Scope`] itself
//! ([`Scope::assign`]). A union's legs and a join's right side are queries of their own, with
//! their own facts; what reaches the combined rows is merged here.

use super::*;
use crate::schema::ColumnType;
use std::collections::HashMap;

/// The Sentinel time columns: `TimeGenerated` (ingestion time) and, in Defender XDR tables,
/// `Timestamp` (event time). Every target has one event time field that both read.
pub const TIME_COLUMNS: &[&str] = &["TimeGenerated", "Timestamp"];

/// Where a column's values come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The source event's own field of that name, untouched by any stage (also a union's
    /// column that no leg computes).
    Event,
    /// The event field `.0` carried under this name by a `project` that keeps it as it is
    /// (`project X`: `Field("X")`), a `project-rename` (`project-rename Y = X`: `Field("X")`),
    /// a group key that is the column as it is (`summarize … by X`, `distinct X`: the group's
    /// value of `X`), or `arg_max(t, X)`'s `X` (the row's value).
    Field(String),
    /// A value this pipeline computed: an `extend`/`project` expression, a `summarize` key
    /// other than a column as it is, an aggregate, an `mv-expand` item or its index, a
    /// `parse` capture, `count`'s `Count`, a column some union leg computes, `withsource`.
    Computed,
    /// A right-side column a join added (under its output name), or one the right side's
    /// stages defined after a join that keeps only the right rows. `.0` is what the column
    /// was on the right side (its event's own field, a field it kept or renamed, a value it
    /// computed, or a column of a join of its own).
    Joined(Box<Origin>),
}

impl Origin {
    /// A column a join brought from its right side ([`Origin::Joined`]).
    pub fn is_joined(&self) -> bool {
        matches!(self, Origin::Joined(_))
    }
}

/// What a column holds beyond its type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A plain value (or nothing more is known).
    Scalar,
    /// A `split(s, d)` result: an ordered array of strings. `delimiter` is `d` when it is a
    /// string literal.
    Split { delimiter: Option<String> },
    /// A `make_set`/`make_list` result (an array collected over a group's rows), and what it
    /// collected.
    Multivalue(Collected),
    /// An `extract_all(…)` result ([`ScalarFn::ExtractAll`]): an ordered array of strings,
    /// at least one; null (not `[]`) where the regex found no match.
    Matches,
    /// A `parse_url(u)` result: the URL's parts as a property bag.
    Url,
    /// A dynamic member (or parsed JSON text) as it is: `X.a.b`, `parse_json(X)`, a copy of
    /// an event field the schema types `dynamic` (`c = X`: the path `X`; also under a name a
    /// rename gave it), or `tostring()` of one. Where the member holds an array or object, targets that flatten
    /// JSON into dotted fields have no such field.
    Member(FieldPath),
    /// A dynamic value that is a string or null: an element of a `split()` or `extract_all()`
    /// array read at a computed position (`parts[array_length(parts) - 1]`), or a part of a
    /// `parse_url()` result other than its `Query Parameters` bag (`parse_url(u)["Host"]`).
    /// (A constant position into a column, `parts[0]`, stays a [`Shape::Member`].)
    Text,
}

/// What a `make_set`/`make_list` collected over a group's rows ([`Shape::Multivalue`]), or
/// what a function on whole arrays (`set_union`, `set_difference`, `set_intersect`,
/// `array_concat`) computed from such arrays and `split`/`extract_all` arrays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Collected {
    /// `make_set` and the set functions: each distinct value once; `make_list` and
    /// `array_concat`: every value, duplicates too.
    pub distinct: bool,
    /// The size limit given (`make_set(x, n)`), if any.
    pub max: Option<u64>,
    /// The type of the values collected (`None`: not known).
    pub element: Option<ColumnType>,
    /// Collected over a group's rows by `make_set`/`make_list` (not computed from arrays by a
    /// set function or `array_concat`, whose result can be `[]` whatever its elements' type).
    pub from_rows: bool,
}

impl Collected {
    /// Whether KQL's array holds at least one value in every group: both aggregates skip only
    /// nulls (Kusto's make_set/make_list pages), a group has at least one row, and a string is
    /// never null in KQL (a missing one is `""`), so collecting a string gives every group a
    /// value. Anything else may be null on every row of a group, which then gets `[]`.
    pub fn never_empty(&self) -> bool {
        self.from_rows && self.element == Some(ColumnType::String)
    }
}

/// How a datetime column is represented.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Time {
    /// The event time column ([`TIME_COLUMNS`]) or a copy of it.
    EventTime,
    /// A datetime the query computed: `now()`, `ago()`, a literal, `todatetime()`, the
    /// calendar functions, a datetime plus or minus a timespan, `bin(t, 1h)`, a summarize's
    /// `min`/`max`/`take_any` of such, `ingestion_time()` (Splunk holds these as epoch seconds,
    /// as `_time` and `_indextime`).
    Computed,
    /// A datetime field as the event stores it (the schema types it `datetime`; targets may
    /// hold it as text until converted).
    Stored,
}

impl Time {
    /// The event time or a computed instant (not a stored field's text).
    pub fn is_instant(self) -> bool {
        matches!(self, Time::EventTime | Time::Computed)
    }
}

/// What is known about one column at one point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnFact {
    /// `None`: not known.
    pub ty: Option<ColumnType>,
    pub origin: Origin,
    pub shape: Shape,
    /// `None`: not a datetime, or not known to be one.
    pub time: Option<Time>,
}

impl ColumnFact {
    /// A column a stage computed, of unknown type and plain shape.
    fn computed() -> ColumnFact {
        ColumnFact {
            ty: None,
            origin: Origin::Computed,
            shape: Shape::Scalar,
            time: None,
        }
    }
}

/// The columns at one point of a pipeline.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// The source table (`""` for a union), and its field-mapping pipeline.
    table: String,
    target: Option<TargetSource>,
    /// Columns (re)defined by stages so far; `None`: no longer a column (renamed away).
    defined: HashMap<String, Option<ColumnFact>>,
    /// After a stage that fixes the columns (project, summarize, …) only `defined` exist.
    closed: bool,
    /// A watchlist's rows: every field is a string (`_GetWatchlist` columns are text).
    watchlist: bool,
    /// A union's legs' output scopes: a column none of them defines has the type its legs'
    /// tables agree on.
    legs: Vec<Scope>,
}

/// The facts of a whole pipeline: the scope before each stage, and the output's.
#[derive(Clone, Debug)]
pub struct Facts {
    scopes: Vec<Scope>,
}

impl Facts {
    /// The columns stage `index` reads (before it runs).
    pub fn before(&self, index: usize) -> &Scope {
        &self.scopes[index]
    }

    /// The columns after stage `index`.
    pub fn after(&self, index: usize) -> &Scope {
        &self.scopes[index + 1]
    }

    /// The query's output columns.
    pub fn output(&self) -> &Scope {
        self.scopes.last().expect("a scope per stage and one more")
    }
}

impl Query {
    /// The column facts before each stage and after the last ([`Facts`]).
    pub fn facts(&self) -> Facts {
        self.facts_read_by(&|_, _| {})
    }

    /// [`Query::facts`] as a backend reads them: `after` adjusts the scope after each stage
    /// (e.g. a target that loses a shape through some stage), and later stages see that.
    /// The same reading applies inside a union's legs and a join's right side.
    pub fn facts_read_by(&self, after: &dyn Fn(&StageKind, &mut Scope)) -> Facts {
        let mut scope = Scope::source_read_by(self, after);
        let mut scopes = Vec::with_capacity(self.stages.len() + 1);
        for i in 0..self.stages.len() {
            scopes.push(scope.clone());
            scope.step_in(self, i, after);
            after(&self.stages[i].kind, &mut scope);
        }
        scopes.push(scope);
        Facts { scopes }
    }
}

impl Scope {
    /// The columns of a table's events, typed by kqlport's schema (Sentinel names).
    pub fn for_table(table: &str) -> Scope {
        Scope {
            table: table.to_string(),
            ..Scope::default()
        }
    }

    /// The columns a query's source hands to its first stage: a table's (under its
    /// field-mapping pipeline's names); a union's, merged from its legs' outputs.
    pub fn source(q: &Query) -> Scope {
        Scope::source_read_by(q, &|_, _| {})
    }

    /// [`Scope::source`], its union legs' facts read as [`Query::facts_read_by`] reads them.
    fn source_read_by(q: &Query, after: &dyn Fn(&StageKind, &mut Scope)) -> Scope {
        match &q.source.kind {
            SourceKind::Table(t) => Scope {
                table: t.clone(),
                target: q.source.target.clone(),
                ..Scope::default()
            },
            SourceKind::Union(u) => {
                let legs: Vec<Scope> = u
                    .legs
                    .iter()
                    .map(|l| l.facts_read_by(after).output().clone())
                    .collect();
                let mut defined: HashMap<String, Option<ColumnFact>> = HashMap::new();
                for leg in &legs {
                    for name in leg.defined.keys() {
                        if defined.contains_key(name) {
                            continue;
                        }
                        let facts: Vec<ColumnFact> = legs.iter().map(|l| l.fact(name)).collect();
                        let first = &facts[0];
                        let shape = if facts.iter().all(|f| f.shape == first.shape) {
                            first.shape.clone()
                        } else {
                            Shape::Scalar
                        };
                        let time = if facts.iter().all(|f| f.time == first.time) {
                            first.time
                        } else {
                            None
                        };
                        let event = facts.iter().all(|f| f.origin == Origin::Event);
                        // A type every leg agrees on is the union column's (legs whose types
                        // differ make KQL suffix the columns by type: not followed).
                        let ty = if facts.iter().all(|f| f.ty == first.ty) {
                            first.ty
                        } else {
                            None
                        };
                        defined.insert(
                            name.clone(),
                            Some(ColumnFact {
                                ty,
                                origin: if event {
                                    Origin::Event
                                } else {
                                    Origin::Computed
                                },
                                shape,
                                time,
                            }),
                        );
                    }
                }
                if let Some(c) = &u.withsource {
                    defined.insert(
                        c.name.clone(),
                        Some(ColumnFact {
                            ty: Some(ColumnType::String),
                            ..ColumnFact::computed()
                        }),
                    );
                }
                Scope {
                    defined,
                    legs,
                    ..Scope::default()
                }
            }
            SourceKind::Lookup(l) if l.is_watchlist() => Scope {
                watchlist: true,
                ..Scope::default()
            },
            // externaldata: exactly the declared columns, of the declared types.
            SourceKind::Lookup(l) => Scope {
                defined: l
                    .columns
                    .iter()
                    .map(|c| {
                        let fact = ColumnFact {
                            ty: Some(c.ty),
                            ..ColumnFact::computed()
                        };
                        (c.name.clone(), Some(fact))
                    })
                    .collect(),
                closed: true,
                ..Scope::default()
            },
        }
    }

    /// The schema's type of an event field (`None` past a stage that fixed the columns).
    fn stored_type(&self, name: &str) -> Option<ColumnType> {
        if self.watchlist {
            return Some(ColumnType::String);
        }
        if self.table.is_empty() {
            return None;
        }
        stored_column_type(&self.table, self.target.as_ref(), name)
    }

    /// Everything known about column `name` here. A name no stage defined is the event's
    /// own field.
    pub fn fact(&self, name: &str) -> ColumnFact {
        if let Some(Some(f)) = self.defined.get(name) {
            return f.clone();
        }
        let ty = match self.defined.get(name) {
            Some(None) => None,
            _ if self.closed => None,
            _ if !self.legs.is_empty() => {
                let tys: Vec<Option<ColumnType>> =
                    self.legs.iter().map(|l| l.fact(name).ty).collect();
                if tys.iter().all(|t| *t == tys[0]) {
                    tys[0]
                } else {
                    None
                }
            }
            _ => self.stored_type(name),
        };
        let time = if TIME_COLUMNS.contains(&name) && !self.defined.contains_key(name) {
            Some(Time::EventTime)
        } else if ty == Some(ColumnType::DateTime) {
            Some(Time::Stored)
        } else {
            None
        };
        ColumnFact {
            ty,
            origin: Origin::Event,
            shape: Shape::Scalar,
            time,
        }
    }

    /// Column `name`'s type, where known.
    pub fn ty(&self, name: &str) -> Option<ColumnType> {
        self.fact(name).ty
    }

    pub fn origin(&self, name: &str) -> Origin {
        self.fact(name).origin
    }

    pub fn shape(&self, name: &str) -> Shape {
        self.fact(name).shape
    }

    pub fn time(&self, name: &str) -> Option<Time> {
        self.fact(name).time
    }

    /// The columns stages defined so far that hold `shape` (in no particular order).
    pub fn with_shape(&self, pred: impl Fn(&Shape) -> bool) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .defined
            .iter()
            .filter(|(_, f)| f.as_ref().is_some_and(|f| pred(&f.shape)))
            .map(|(n, _)| n.as_str())
            .collect();
        v.sort_unstable();
        v
    }

    /// Columns stages defined for which `pred(name, shape)` holds a plain value from here on.
    pub fn forget_shapes(&mut self, pred: impl Fn(&str, &Shape) -> bool) {
        for (name, f) in self.defined.iter_mut() {
            let Some(f) = f else { continue };
            if pred(name, &f.shape) {
                f.shape = Shape::Scalar;
            }
        }
    }

    /// The origin of column `name` kept as it is by a stage that fixes the columns (`project
    /// X`, `summarize by X`, `distinct X`): the event's field becomes [`Origin::Field`].
    fn kept_origin(&self, name: &str) -> Origin {
        match self.origin(name) {
            Origin::Event => Origin::Field(name.to_string()),
            o => o,
        }
    }

    /// A backend's reading ([`Query::facts_read_by`]): column `name`, if a stage defined it,
    /// now has origin `origin`.
    pub fn set_origin(&mut self, name: &str, origin: Origin) {
        if let Some(Some(f)) = self.defined.get_mut(name) {
            f.origin = origin;
        }
    }

    /// Only these columns from now on.
    fn close(&mut self, defined: HashMap<String, Option<ColumnFact>>) {
        self.defined = defined;
        self.closed = true;
    }

    /// The fact of a column computed as `e` here.
    pub fn fact_of(&self, e: &Expr) -> ColumnFact {
        ColumnFact {
            ty: self.infer(e),
            origin: Origin::Computed,
            shape: self.shape_of(e),
            time: self.time_of(e),
        }
    }

    /// `name = e` (an `extend` assignment): later assignments see it. `a = a` leaves the
    /// column what it was (its origin too: the event's field stays the event's field).
    pub fn assign(&mut self, name: &str, e: &Expr) {
        let mut f = self.fact_of(e);
        if matches!(&e.kind, ExprKind::Field(c) if c.is_plain() && !c.parsed && c.column == name) {
            f.origin = self.origin(name);
        }
        self.defined.insert(name.to_string(), Some(f));
    }

    /// What a value computed as `e` holds beyond its type ([`Shape`]).
    pub fn shape_of(&self, e: &Expr) -> Shape {
        match &e.kind {
            ExprKind::Call {
                func: ScalarFn::Split,
                args,
            } if args.len() == 2 => Shape::Split {
                delimiter: match &args[1].kind {
                    ExprKind::Literal(Literal::String(d)) => Some(d.clone()),
                    _ => None,
                },
            },
            ExprKind::Call {
                func: ScalarFn::ParseUrl,
                args,
            } if args.len() == 1 => Shape::Url,
            ExprKind::Call {
                func: ScalarFn::ExtractAll,
                args,
            } if args.len() == 3 => Shape::Matches,
            ExprKind::Call {
                func:
                    func @ (ScalarFn::SetUnion
                    | ScalarFn::SetDifference
                    | ScalarFn::SetIntersect
                    | ScalarFn::ArrayConcat),
                args,
            } if !args.is_empty() => Shape::Multivalue(Collected {
                distinct: *func != ScalarFn::ArrayConcat,
                max: None,
                element: self.common_element(args),
                from_rows: false,
            }),
            ExprKind::Call {
                func: ScalarFn::DynamicIndex,
                args,
            } if args.len() == 2
                && matches!(
                    self.infer(&args[1]),
                    Some(ColumnType::Long | ColumnType::Int)
                )
                && matches!(
                    self.shape_of(&args[0]),
                    Shape::Split { .. } | Shape::Matches
                ) =>
            {
                Shape::Text
            }
            ExprKind::Path { base, path } => match (self.shape_of(base), path.as_slice()) {
                (Shape::Split { .. } | Shape::Matches, [PathSegment::Index(_)]) => Shape::Text,
                (Shape::Url, [PathSegment::Key(k)]) if k != "Query Parameters" => Shape::Text,
                _ => Shape::Scalar,
            },
            // A `dynamic` event field (possibly renamed) copied as it is: the dynamic value
            // itself.
            ExprKind::Field(f) if f.is_plain() && !f.parsed => {
                let fact = self.fact(&f.column);
                let field = match &fact.origin {
                    Origin::Event if !self.defined.contains_key(&f.column) => Some(&f.column),
                    Origin::Field(orig) => Some(orig),
                    _ => None,
                };
                match fact.shape {
                    Shape::Scalar
                        if field
                            .is_some_and(|c| self.stored_type(c) == Some(ColumnType::Dynamic)) =>
                    {
                        Shape::Member(f.clone())
                    }
                    s => s,
                }
            }
            ExprKind::Field(f) => Shape::Member(f.clone()),
            ExprKind::Call {
                func: ScalarFn::ToString,
                args,
            } if args.len() == 1 => match self.shape_of(&args[0]) {
                m @ Shape::Member(_) => m,
                _ => Shape::Scalar,
            },
            _ => Shape::Scalar,
        }
    }

    /// The type of every array's elements, when the arrays are ones whose elements' type is
    /// known (`split` and `extract_all` arrays: strings; `make_set`/`make_list` and set
    /// function results: what they collected) and it is the same for all.
    fn common_element(&self, arrays: &[Expr]) -> Option<ColumnType> {
        let element = |e: &Expr| match self.shape_of(e) {
            Shape::Split { .. } | Shape::Matches => Some(ColumnType::String),
            Shape::Multivalue(c) => c.element,
            _ => None,
        };
        let first = element(arrays.first()?)?;
        arrays[1..]
            .iter()
            .all(|a| element(a) == Some(first))
            .then_some(first)
    }

    /// How a datetime computed as `e` is represented, when it is one the query holds as an
    /// instant ([`Time::is_instant`]) or a copy of a column's.
    pub fn time_of(&self, e: &Expr) -> Option<Time> {
        let instant = |e: &Expr| self.time_of(e).is_some_and(Time::is_instant);
        let computed = |b: bool| b.then_some(Time::Computed);
        match &e.kind {
            ExprKind::Field(f) if f.is_plain() => match self.time(&f.column) {
                Some(Time::Stored) => None,
                t => t,
            },
            ExprKind::Literal(Literal::DateTime(_))
            | ExprKind::Now
            | ExprKind::Ago(_)
            | ExprKind::IngestionTime => Some(Time::Computed),
            ExprKind::Arith { op, lhs, rhs } => match op {
                ArithOp::Add => computed(instant(lhs) != instant(rhs)),
                ArithOp::Sub => computed(instant(lhs) && !instant(rhs)),
                _ => None,
            },
            ExprKind::Call { func, args } => match func {
                ScalarFn::ToDateTime
                | ScalarFn::StartOfDay
                | ScalarFn::StartOfWeek
                | ScalarFn::StartOfMonth
                | ScalarFn::StartOfYear
                | ScalarFn::EndOfDay
                | ScalarFn::UnixtimeMillisecondsToDatetime => Some(Time::Computed),
                ScalarFn::Bin | ScalarFn::Floor => computed(matches!(
                    args.get(1).map(|a| &a.kind),
                    Some(ExprKind::Literal(Literal::Timespan(_)))
                )),
                ScalarFn::Coalesce => computed(self.all_instants(args.iter())),
                _ => None,
            },
            ExprKind::Case {
                branches,
                otherwise,
            } => computed(self.all_instants(branches.iter().map(|(_, v)| v).chain([&**otherwise]))),
            _ => None,
        }
    }

    /// At least one value, and every value an instant or null.
    fn all_instants<'a>(&self, mut v: impl Iterator<Item = &'a Expr>) -> bool {
        let mut any = false;
        let all = v.all(|x| {
            let e = self.time_of(x).is_some_and(Time::is_instant);
            any |= e;
            e || matches!(x.kind, ExprKind::Literal(Literal::Null))
        });
        all && any
    }

    /// The type of a value, where it follows from the columns and the expression.
    pub fn infer(&self, e: &Expr) -> Option<ColumnType> {
        use ColumnType as T;
        match &e.kind {
            ExprKind::Literal(l) => match l {
                Literal::String(_) => Some(T::String),
                Literal::Long(_) => Some(T::Long),
                Literal::Real(_) => Some(T::Real),
                Literal::Bool(_) => Some(T::Bool),
                Literal::DateTime(_) => Some(T::DateTime),
                Literal::Timespan(_) => Some(T::TimeSpan),
                Literal::Null => None,
            },
            // A path into a dynamic value, or JSON text parsed: dynamic.
            ExprKind::Field(f) if f.parsed || !f.path.is_empty() => Some(T::Dynamic),
            ExprKind::Field(f) => self.ty(&f.column),
            ExprKind::Path { .. } => Some(T::Dynamic),
            ExprKind::Call { func, args } => self.call(*func, args),
            ExprKind::Arith { op, lhs, rhs } => {
                // Numbers, datetimes and timespans; the exact result type is not needed.
                let (l, r) = (self.infer(lhs), self.infer(rhs));
                match (op, l, r) {
                    (ArithOp::DateSub, _, _) => Some(T::TimeSpan),
                    (ArithOp::Sub, Some(T::DateTime), Some(T::DateTime)) => Some(T::TimeSpan),
                    (_, Some(T::DateTime), _) | (_, _, Some(T::DateTime)) => Some(T::DateTime),
                    (_, Some(T::TimeSpan), _) | (_, _, Some(T::TimeSpan)) => Some(T::TimeSpan),
                    (_, Some(T::Real), _) | (_, _, Some(T::Real)) => Some(T::Real),
                    (_, Some(a), Some(b)) if a == b => Some(a),
                    _ => Some(T::Long),
                }
            }
            ExprKind::Neg(x) => self.infer(x).or(Some(T::Long)),
            ExprKind::Case {
                branches,
                otherwise,
            } => {
                let first = self.infer(otherwise)?;
                branches
                    .iter()
                    .all(|(_, v)| self.infer(v) == Some(first))
                    .then_some(first)
            }
            ExprKind::Predicate(_) => Some(T::Bool),
            ExprKind::Now | ExprKind::Ago(_) | ExprKind::IngestionTime => Some(T::DateTime),
        }
    }

    fn call(&self, func: ScalarFn, args: &[Expr]) -> Option<ColumnType> {
        use ColumnType as T;
        use ScalarFn as F;
        let first = || args.first().and_then(|a| self.infer(a));
        Some(match func {
            F::ToString
            | F::ToLower
            | F::ToUpper
            | F::StrCat
            | F::Substring
            | F::Trim
            | F::TrimStart
            | F::TrimEnd
            | F::Replace
            | F::ReplaceString
            | F::Base64DecodeToString
            | F::UrlDecode
            | F::UrlEncode
            | F::StrcatArray
            | F::ToHex
            | F::HashSha256
            | F::HashMd5
            | F::Reverse
            | F::FormatDatetime
            | F::Typeof => T::String,
            // `extract(re, n, text, typeof(T))` converts; without the type it is a string.
            F::Extract if args.len() == 3 => T::String,
            F::Extract => return None,
            F::ToInt | F::HourOfDay | F::GetMonth | F::GetYear => T::Int,
            F::ToLong
            | F::Strlen
            | F::IndexOf
            | F::CountOf
            | F::ArrayLength
            | F::DateTimeDiff
            | F::StringSize
            | F::IndexOfRegex
            | F::ParseIpv4 => T::Long,
            F::ToReal | F::Log | F::Log2 => T::Real,
            F::ToBool
            | F::Ipv4IsPrivate
            | F::Ipv4IsInRange
            | F::HasTerm
            | F::HasTermCs
            | F::MatchesRegex
            | F::Contains
            | F::ContainsCs
            | F::StartsWith
            | F::StartsWithCs
            | F::EndsWith
            | F::EndsWithCs => T::Bool,
            F::ToDateTime
            | F::StartOfDay
            | F::StartOfWeek
            | F::StartOfMonth
            | F::StartOfYear
            | F::EndOfDay
            | F::UnixtimeMillisecondsToDatetime => T::DateTime,
            F::ToTimespan | F::DayOfWeek => T::TimeSpan,
            F::Split
            | F::ExtractAll
            | F::ParseUrl
            | F::BagKeys
            | F::ArraySortAsc
            | F::ArraySortDesc
            | F::ArraySlice
            | F::DynamicIndex
            | F::BagPack
            | F::SetUnion
            | F::SetDifference
            | F::SetIntersect
            | F::ArrayConcat => T::Dynamic,
            F::Coalesce | F::MaxOf | F::MinOf => {
                let t = first()?;
                return args.iter().all(|a| self.infer(a) == Some(t)).then_some(t);
            }
            F::Bin | F::Abs | F::Round | F::Floor => return first(),
        })
    }

    /// Each aggregate's column fact, into `out`; whether the input's columns stay
    /// (`arg_max(t, *)`, `take_any(*)`).
    fn aggregate_facts(
        &self,
        aggs: &[Aggregation],
        out: &mut HashMap<String, Option<ColumnFact>>,
    ) -> bool {
        let mut keep_input = false;
        for a in aggs {
            use ColumnType as T;
            let typed = |ty| ColumnFact {
                ty,
                ..ColumnFact::computed()
            };
            let instant = |e: &Expr| {
                self.time_of(e)
                    .is_some_and(Time::is_instant)
                    .then_some(Time::Computed)
            };
            let f = match &a.func {
                AggFunc::Count | AggFunc::CountIf(_) => typed(Some(T::Long)),
                AggFunc::DCount(_) | AggFunc::DCountIf(..) | AggFunc::CountDistinct(_) => {
                    typed(Some(T::Long))
                }
                AggFunc::MakeSet { expr, max } | AggFunc::MakeList { expr, max } => ColumnFact {
                    shape: Shape::Multivalue(Collected {
                        distinct: matches!(a.func, AggFunc::MakeSet { .. }),
                        max: *max,
                        element: self.infer(expr),
                        from_rows: true,
                    }),
                    ..typed(Some(T::Dynamic))
                },
                AggFunc::ArgMax { by, cols } | AggFunc::ArgMin { by, cols } => {
                    // The aggregate's own column holds `by`'s value; `arg_max(by, *)`
                    // keeps the input's columns.
                    if cols.is_empty() {
                        keep_input = true;
                    }
                    for c in cols {
                        // `arg_max(t, X)`: the row's value of `X`.
                        let origin = match &c.expr.kind {
                            ExprKind::Field(f)
                                if f.is_plain() && !f.parsed && f.column == c.name.name =>
                            {
                                self.kept_origin(&f.column)
                            }
                            _ => Origin::Computed,
                        };
                        let f = ColumnFact {
                            time: instant(&c.expr),
                            origin,
                            ..typed(self.infer(&c.expr))
                        };
                        out.insert(c.name.name.clone(), Some(f));
                    }
                    ColumnFact {
                        time: instant(by),
                        ..typed(self.infer(by))
                    }
                }
                AggFunc::Min(e) | AggFunc::Max(e) | AggFunc::TakeAny(e) => ColumnFact {
                    time: instant(e),
                    ..typed(self.infer(e))
                },
                AggFunc::Sum(e) => typed(self.infer(e)),
                AggFunc::Avg(_) | AggFunc::Stdev(_) => typed(Some(T::Real)),
                // `take_any(*)`: the input's columns, from one row; no column of its own.
                AggFunc::AnyRow => {
                    keep_input = true;
                    continue;
                }
            };
            out.insert(a.name.name.clone(), Some(f));
        }
        keep_input
    }

    /// The columns after a stage.
    pub fn step(&mut self, kind: &StageKind) {
        match kind {
            StageKind::Filter(_)
            | StageKind::Sort(_)
            | StageKind::Top { .. }
            | StageKind::Limit(_)
            | StageKind::Reorder(_)
            | StageKind::ProjectAway(_)
            | StageKind::ProjectKeep(_) => {}
            StageKind::Extend(assigns) => {
                for a in assigns {
                    self.assign(&a.name.name, &a.expr);
                }
            }
            // Another row's value of the same column: its type and representation, but
            // computed (`x = prev(x)` is not the event's `x`). All items read the input row.
            StageKind::Neighbours { items, .. } => {
                let facts: Vec<_> = items.iter().map(|a| self.fact_of(&a.expr)).collect();
                for (a, f) in items.iter().zip(facts) {
                    self.defined.insert(a.name.name.clone(), Some(f));
                }
            }
            StageKind::Project(assigns) => {
                let scope = self.project_scope(assigns);
                let out = assigns
                    .iter()
                    .map(|a| {
                        let kept = matches!(&a.expr.kind,
                            ExprKind::Field(f) if f.is_plain() && f.column == a.name.name);
                        let mut f = self.fact_of(&a.expr);
                        f.ty = scope.infer(&a.expr);
                        if kept {
                            f.origin = self.kept_origin(&a.name.name);
                        }
                        (a.name.name.clone(), Some(f))
                    })
                    .collect();
                self.close(out);
            }
            StageKind::Rename(pairs) => {
                let facts: Vec<ColumnFact> = pairs
                    .iter()
                    .map(|(_, old)| {
                        let mut f = self.fact(&old.name);
                        if f.origin == Origin::Event {
                            f.origin = Origin::Field(old.name.clone());
                        }
                        f
                    })
                    .collect();
                for (_, old) in pairs {
                    self.defined.insert(old.name.clone(), None);
                }
                for ((new, _), f) in pairs.iter().zip(facts) {
                    self.defined.insert(new.name.clone(), Some(f));
                }
            }
            StageKind::Aggregate { by, aggs } => {
                let mut out: HashMap<String, Option<ColumnFact>> = HashMap::new();
                for k in by {
                    let f = match &k.kind {
                        GroupKeyKind::Expr(e) => ColumnFact {
                            shape: Shape::Scalar,
                            origin: match &e.kind {
                                ExprKind::Field(f)
                                    if f.is_plain() && !f.parsed && f.column == k.name.name =>
                                {
                                    self.kept_origin(&f.column)
                                }
                                _ => Origin::Computed,
                            },
                            ..self.fact_of(e)
                        },
                        GroupKeyKind::Bin { field, size } => ColumnFact {
                            ty: self.infer(field),
                            time: matches!(size, BinSize::Duration(_)).then_some(Time::Computed),
                            ..ColumnFact::computed()
                        },
                    };
                    out.insert(k.name.name.clone(), Some(f));
                }
                let keep_input = self.aggregate_facts(aggs, &mut out);
                if keep_input {
                    self.defined.extend(out);
                } else {
                    self.close(out);
                }
            }
            // Every row keeps its columns and gains the aggregates'.
            StageKind::Totals(aggs) => {
                let mut out = HashMap::new();
                self.aggregate_facts(aggs, &mut out);
                self.defined.extend(out);
            }
            // Every row keeps its columns and gains the other query's value, as that query's
            // output has it (a value this pipeline did not read from its events).
            StageKind::Scalar(sq) => {
                let f = ColumnFact {
                    origin: Origin::Computed,
                    ..sq.query.facts().output().fact(&sq.name.name)
                };
                self.defined.insert(sq.name.name.clone(), Some(f));
            }
            StageKind::Distinct(cols) => {
                let out = cols
                    .iter()
                    .map(|c| {
                        let f = self.fact(&c.name);
                        let f = ColumnFact {
                            ty: f.ty,
                            time: f.time,
                            origin: self.kept_origin(&c.name),
                            ..ColumnFact::computed()
                        };
                        (c.name.clone(), Some(f))
                    })
                    .collect();
                self.close(out);
            }
            StageKind::Count => {
                let f = ColumnFact {
                    ty: Some(ColumnType::Long),
                    ..ColumnFact::computed()
                };
                self.close(HashMap::from([("Count".to_string(), Some(f))]));
            }
            StageKind::MvExpand(m) => {
                for i in &m.items {
                    let ty = match i.to {
                        Some(t) => value_type(t),
                        None => Some(ColumnType::Dynamic),
                    };
                    let f = ColumnFact {
                        ty,
                        ..ColumnFact::computed()
                    };
                    self.defined.insert(i.name.name.clone(), Some(f));
                }
                for ix in m.index.iter().chain(&m.per_row) {
                    let f = ColumnFact {
                        ty: Some(ColumnType::Long),
                        ..ColumnFact::computed()
                    };
                    self.defined.insert(ix.name.clone(), Some(f));
                }
            }
            StageKind::Parse(p) => {
                for part in &p.parts {
                    if let ParsePart::Capture { name, ty } = part {
                        let f = ColumnFact {
                            ty: value_type(*ty),
                            ..ColumnFact::computed()
                        };
                        self.defined.insert(name.name.clone(), Some(f));
                    }
                }
            }
            StageKind::Join { kind, right, .. } => self.join(*kind, right, None, &|_, _| {}),
            // The lookup's declared columns, of their declared types (null where no range
            // matched, with `return_unmatched`).
            StageKind::Ipv4Lookup(l) => {
                for c in &l.table.columns {
                    let f = ColumnFact {
                        ty: Some(c.ty),
                        ..ColumnFact::computed()
                    };
                    self.defined.insert(c.name.clone(), Some(f));
                }
            }
        }
    }

    /// [`Scope::step`] for stage `index` of `q`, where a join names clashing right columns
    /// after the left columns ([`columns_before`]).
    fn step_in(&mut self, q: &Query, index: usize, after: &dyn Fn(&StageKind, &mut Scope)) {
        match &q.stages[index].kind {
            StageKind::Join { kind, right, .. } => {
                let left = columns_before(q, index);
                self.join(*kind, right, left.as_deref(), after)
            }
            kind => self.step(kind),
        }
    }

    /// After a join: semi/anti joins keep one side's rows unchanged; the others add the right
    /// side's columns under KQL's output names (their facts as the right side's output has
    /// them, origin [`Origin::Joined`]), and no column's type is assumed.
    fn join(
        &mut self,
        kind: JoinKind,
        right: &Query,
        left: Option<&[String]>,
        after: &dyn Fn(&StageKind, &mut Scope),
    ) {
        match kind.keeps_columns() {
            (true, false) => {}
            (false, true) => {
                *self = right.facts_read_by(after).output().clone();
                for f in self.defined.values_mut().flatten() {
                    f.origin = Origin::Joined(Box::new(f.origin.clone()));
                }
                self.forget_types();
            }
            _ => {
                let right_facts = right.facts_read_by(after);
                let right_scope = right_facts.output();
                // Right columns under KQL's output names (clashing ones suffixed) where the
                // left side's columns are known. Where the right side's columns are not all
                // known, those its stages define (the others are the right event's fields,
                // not followed here).
                let right_cols = right.output_columns().unwrap_or_else(|| {
                    let mut defined: Vec<String> = right_scope
                        .defined
                        .iter()
                        .filter(|(_, f)| f.is_some())
                        .map(|(c, _)| c.clone())
                        .collect();
                    defined.sort_unstable();
                    defined
                });
                let names = match left {
                    Some(l) => join_names(l, &right_cols),
                    None => right_cols.into_iter().map(|c| (c.clone(), c)).collect(),
                };
                self.forget_types();
                for (from, to) in names {
                    let mut f = right_scope.fact(&from);
                    f.origin = Origin::Joined(Box::new(f.origin));
                    f.ty = None;
                    self.defined.insert(to, Some(f));
                }
            }
        }
    }

    /// No column's type is known from here on (columns a later stage computes are typed
    /// again).
    fn forget_types(&mut self) {
        for f in self.defined.values_mut().flatten() {
            f.ty = None;
        }
        self.closed = true;
    }

    /// What a `project`'s expressions see: whether an expression may name a column computed
    /// earlier in the same `project` is not pinned down here, so a name the `project` assigns
    /// (other than `X = X`) has an unknown type within it.
    pub fn project_scope(&self, assigns: &[Assignment]) -> Scope {
        let mut scope = self.clone();
        for a in assigns {
            let same = matches!(&a.expr.kind, ExprKind::Field(f)
                if f.is_plain() && !f.parsed && f.column == a.name.name);
            if !same {
                scope
                    .defined
                    .insert(a.name.name.clone(), Some(ColumnFact::computed()));
            }
        }
        scope
    }
}

/// The schema's type for a type named in a query.
pub fn value_type(t: ValueType) -> Option<ColumnType> {
    use ValueType as V;
    Some(match t {
        V::String => ColumnType::String,
        V::Int => ColumnType::Int,
        V::Long => ColumnType::Long,
        V::Real => ColumnType::Real,
        V::Bool => ColumnType::Bool,
        V::DateTime => ColumnType::DateTime,
        V::TimeSpan => ColumnType::TimeSpan,
        V::Guid => ColumnType::Guid,
        V::Dynamic => ColumnType::Dynamic,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ir(kql: &str) -> Query {
        let ast = crate::kql::parse(kql).expect("parses");
        crate::lower::lower(&ast).expect("lowers").query
    }

    #[test]
    fn an_element_of_a_string_array_or_a_url_part_is_text() {
        let q = ir("SecurityEvent
            | extend parts = split(CommandLine, '.')
            | extend last = parts[array_length(parts) - 1], host = parse_url(Url)['Host'],
                     qp = parse_url(Url)['Query Parameters'], first = parts[0]");
        let out = q.facts();
        let s = out.output();
        assert_eq!(s.shape("last"), Shape::Text);
        assert_eq!(s.shape("host"), Shape::Text);
        assert_eq!(s.shape("qp"), Shape::Scalar);
        // A constant position into a column is a member path, as before.
        assert!(matches!(s.shape("first"), Shape::Member(_)));
    }

    #[test]
    fn extend_records_type_shape_and_time_per_assignment() {
        let q = ir("SecurityEvent
            | extend parts = split(CommandLine, ' '), u = parse_url(Url), t = TimeGenerated + 1h,
                     copy = parts, m = tostring(EventData.a), n = strlen(Account)");
        let out = q.facts();
        let s = out.output();
        assert_eq!(
            s.shape("parts"),
            Shape::Split {
                delimiter: Some(" ".into())
            }
        );
        assert_eq!(s.shape("copy"), s.shape("parts"));
        assert_eq!(s.shape("u"), Shape::Url);
        assert!(matches!(s.shape("m"), Shape::Member(f) if f.column == "EventData"));
        // A copy of a `dynamic` event field is that dynamic value (the field itself, never
        // defined by a stage, is not called a member).
        let q = ir("SigninLogs | extend d = DeviceDetail, s = UserPrincipalName");
        let out = q.facts();
        assert!(
            matches!(out.output().shape("d"), Shape::Member(f) if f.column == "DeviceDetail" && f.path.is_empty())
        );
        assert_eq!(out.output().shape("s"), Shape::Scalar);
        assert_eq!(out.output().shape("DeviceDetail"), Shape::Scalar);
        let q = ir("SigninLogs | project-rename D = DeviceDetail | extend d = D");
        assert!(matches!(q.facts().output().shape("d"), Shape::Member(f) if f.column == "D"));
        assert_eq!(s.time("t"), Some(Time::Computed));
        assert_eq!(s.ty("t"), Some(ColumnType::DateTime));
        assert_eq!(s.ty("n"), Some(ColumnType::Long));
        assert_eq!(s.origin("n"), Origin::Computed);
        // Untouched columns are the event's, typed by the schema.
        assert_eq!(s.origin("Account"), Origin::Event);
        assert_eq!(s.ty("Account"), Some(ColumnType::String));
        assert_eq!(s.time("TimeGenerated"), Some(Time::EventTime));
        // Before the extend none of it exists yet.
        assert_eq!(out.before(0).origin("parts"), Origin::Event);
        assert_eq!(out.before(0).ty("parts"), None);
    }

    #[test]
    fn a_backends_reading_applies_after_each_stage_and_inside_union_legs() {
        let q = ir("union
            (SecurityEvent | extend parts = split(CommandLine, ' ') | summarize arg_max(TimeGenerated, *) by Computer),
            (SecurityEvent | extend parts = split(CommandLine, ' ') | summarize arg_max(TimeGenerated, *) by Computer)
            | extend later = split(Computer, '.')");
        // `arg_max(t, *)` keeps the rows' columns, and with them their shape.
        assert!(matches!(
            q.facts().before(0).shape("parts"),
            Shape::Split { .. }
        ));
        let read = q.facts_read_by(&|kind, scope| {
            if matches!(kind, StageKind::Aggregate { .. }) {
                scope.forget_shapes(|_, s| matches!(s, Shape::Split { .. }));
            }
        });
        assert_eq!(read.before(0).shape("parts"), Shape::Scalar);
        // Only what stages before the reading's point defined is forgotten.
        assert!(matches!(read.output().shape("later"), Shape::Split { .. }));
    }

    #[test]
    fn project_rename_and_summarize_carry_or_reset_facts() {
        let q = ir("SecurityEvent
            | project-rename Who = Account
            | project Who, When = TimeGenerated, Computer
            | summarize s = make_set(Who), First = min(When) by Computer");
        let f = q.facts();
        assert_eq!(f.after(0).origin("Who"), Origin::Field("Account".into()));
        assert_eq!(f.after(0).ty("Who"), Some(ColumnType::String));
        assert_eq!(f.after(1).origin("Who"), Origin::Field("Account".into()));
        assert_eq!(
            f.after(1).origin("Computer"),
            Origin::Field("Computer".into())
        );
        assert_eq!(f.after(1).time("When"), Some(Time::EventTime));
        assert_eq!(f.after(1).origin("When"), Origin::Computed);
        let out = f.output();
        assert_eq!(
            out.shape("s"),
            Shape::Multivalue(Collected {
                distinct: true,
                max: None,
                element: Some(ColumnType::String),
                from_rows: true,
            })
        );
        assert_eq!(out.time("First"), Some(Time::Computed));
        assert_eq!(out.origin("Computer"), Origin::Field("Computer".into()));
        // Only the summarize's columns remain: nothing is known of the others.
        assert_eq!(out.ty("Who"), None);
    }

    #[test]
    fn a_collected_array_says_what_it_collected_and_whether_it_can_be_empty() {
        let q = ir("SecurityEvent
            | summarize s = make_set(Account), l = make_list(EventID, 10),
                i = make_set_if(Account, EventID == 4624) by Computer");
        let out = q.facts().output().clone();
        let Shape::Multivalue(s) = out.shape("s") else {
            panic!("s is a make_set result")
        };
        // A string is never null in KQL: every group collects at least one value.
        assert!(s.distinct && s.never_empty() && s.max.is_none());
        let Shape::Multivalue(l) = out.shape("l") else {
            panic!("l is a make_list result")
        };
        assert!(!l.distinct && !l.never_empty());
        assert_eq!(l.max, Some(10));
        // make_set_if collects nothing from the rows where its predicate is false.
        let Shape::Multivalue(i) = out.shape("i") else {
            panic!("i is a make_set_if result")
        };
        assert!(!i.never_empty());
    }

    #[test]
    fn a_set_function_of_arrays_is_an_array_that_can_be_empty() {
        let q = ir("SecurityEvent
            | summarize s = make_set(Account), n = make_set(EventID) by Computer
            | extend d = set_difference(s, split(Computer, \".\")),
                c = array_concat(s, split(Computer, \".\")),
                m = set_union(s, n)");
        let out = q.facts().output().clone();
        let Shape::Multivalue(d) = out.shape("d") else {
            panic!("d is an array")
        };
        // Strings, distinct, but possibly none: set_difference can leave nothing.
        assert!(d.distinct && !d.never_empty() && !d.from_rows);
        assert_eq!(d.element, Some(ColumnType::String));
        let Shape::Multivalue(c) = out.shape("c") else {
            panic!("c is an array")
        };
        assert!(!c.distinct && c.element == Some(ColumnType::String));
        // Strings and numbers: no one element type.
        let Shape::Multivalue(m) = out.shape("m") else {
            panic!("m is an array")
        };
        assert_eq!(m.element, None);
    }

    #[test]
    fn group_keys_and_arg_max_columns_as_they_are_hold_the_event_field() {
        let q = ir("SecurityEvent
            | summarize arg_max(TimeGenerated, Account), n = count() by Computer, h = tolower(Computer)
            | distinct Computer, h");
        let f = q.facts();
        let s = f.after(0);
        assert_eq!(s.origin("Computer"), Origin::Field("Computer".into()));
        assert_eq!(s.origin("Account"), Origin::Field("Account".into()));
        assert_eq!(s.origin("h"), Origin::Computed);
        assert_eq!(s.origin("n"), Origin::Computed);
        let out = f.output();
        assert_eq!(out.origin("Computer"), Origin::Field("Computer".into()));
        assert_eq!(out.origin("h"), Origin::Computed);
    }

    #[test]
    fn arg_max_star_keeps_the_input_columns_facts() {
        let q = ir("SecurityEvent
            | extend parts = split(CommandLine, ' ')
            | summarize arg_max(TimeGenerated, *) by Computer");
        let s = q.facts();
        let out = s.output();
        assert!(matches!(out.shape("parts"), Shape::Split { .. }));
        // The group key is the column as it is: the group's value of the event field.
        assert_eq!(out.origin("Computer"), Origin::Field("Computer".into()));
        assert_eq!(out.origin("Account"), Origin::Event);
    }

    #[test]
    fn a_join_adds_the_right_columns_untyped_under_kql_names() {
        let q = ir("SecurityEvent
            | project Computer, Account
            | join kind=inner (SecurityEvent | project Computer, parts = split(Account, '\\\\'))
                on Computer");
        let out = q.facts();
        let s = out.output();
        assert_eq!(
            s.origin("Computer1"),
            Origin::Joined(Box::new(Origin::Field("Computer".into())))
        );
        assert_eq!(
            s.shape("parts"),
            Shape::Split {
                delimiter: Some("\\".into())
            }
        );
        assert_eq!(
            s.origin("parts"),
            Origin::Joined(Box::new(Origin::Computed))
        );
        assert_eq!(s.ty("Account"), None);
        assert_eq!(s.origin("Account"), Origin::Field("Account".into()));
    }

    #[test]
    fn a_no_op_extend_keeps_the_columns_origin() {
        let q = ir("SecurityEvent
            | extend Account = Account, Computer = tolower(Computer)
            | project-rename Who = Account
            | extend Who = Who");
        let f = q.facts();
        assert_eq!(f.after(0).origin("Account"), Origin::Event);
        assert_eq!(f.after(0).ty("Account"), Some(ColumnType::String));
        assert_eq!(f.after(0).origin("Computer"), Origin::Computed);
        assert_eq!(f.output().origin("Who"), Origin::Field("Account".into()));
    }

    #[test]
    fn a_join_with_unknown_right_columns_suffixes_the_clashing_ones_its_stages_define() {
        let q = ir("SecurityEvent
            | summarize n = count() by Computer
            | join kind=inner (SecurityEvent | extend Computer = Computer, d = strlen(Account))
                on Computer");
        let out = q.facts();
        let s = out.output();
        // The left's key stays the left's; the right's is `Computer1`, the right event's own
        // field there.
        assert_eq!(s.origin("Computer"), Origin::Field("Computer".into()));
        assert_eq!(
            s.origin("Computer1"),
            Origin::Joined(Box::new(Origin::Event))
        );
        assert_eq!(s.origin("d"), Origin::Joined(Box::new(Origin::Computed)));
    }

    #[test]
    fn a_right_semi_join_keeps_the_right_rows_facts_as_joined() {
        let q = ir("SecurityEvent
            | project Computer
            | join kind=rightsemi (SecurityEvent | summarize s = make_set(Account) by Computer)
                on Computer");
        let out = q.facts();
        let s = out.output();
        assert!(matches!(s.shape("s"), Shape::Multivalue(c) if c.distinct));
        assert_eq!(s.origin("s"), Origin::Joined(Box::new(Origin::Computed)));
        assert_eq!(s.ty("s"), None);
    }

    #[test]
    fn a_union_keeps_what_every_leg_agrees_on() {
        let q = ir("union
            (SecurityEvent | extend p = split(Account, '/'), c = 1),
            (SigninLogs | extend p = split(UserPrincipalName, '/'))");
        let s = Scope::source(&q);
        assert!(matches!(s.shape("p"), Shape::Split { .. }));
        assert_eq!(s.origin("p"), Origin::Computed);
        assert_eq!(s.shape("c"), Shape::Scalar);
        assert_eq!(s.origin("Account"), Origin::Event);
    }
}
