//! Applying a pipeline to a lowered query: IR → IR with the target's table and field names.
//!
//! The mapping is a renaming of the source table's columns: every reference to a column of
//! the table (in a predicate, an expression, a project list, a group key, a join key …) gets
//! the target's field, and a column that only passes through (`project DeviceName`,
//! `summarize by DeviceName`) keeps the target's name in the output too. Names the query makes
//! itself (`extend x = …`, aggregates, `project-rename`) are left alone, and so is every
//! reference to them. Value vocabularies are applied to constants compared with a mapped
//! column. The table itself is mapped by [`map_source`], the one place that turns a table
//! into a target source (the query's source and each join's right side go through it).

use super::{FieldRule, Pipeline, Policy, TableMap, ValueMap};
use crate::backend::{Effect, Note};
use crate::codes::LowerCode;
use crate::diag::Diagnostic;
use crate::ir::*;
use crate::source::Span;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

/// A query after mapping.
#[derive(Clone, Debug)]
pub struct Mapped {
    pub query: Query,
    /// Lossy field correspondences and values outside a vocabulary, at the KQL that used them.
    pub notes: Vec<Note>,
    /// Refusals (a `decline` policy), located.
    pub errors: Vec<Diagnostic>,
    /// Every use of a table or column the pipeline does not map, whatever its policy (for
    /// `check --coverage`).
    pub unmapped: Vec<Unmapped>,
}

/// A table (with `column: None`) or a column of a table the pipeline has no mapping for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmapped {
    pub table: String,
    pub column: Option<String>,
    pub span: Span,
}

/// Maps `query` with `pipeline`. The identity pipeline returns the query unchanged.
pub fn apply(pipeline: &Pipeline, query: &Query) -> Mapped {
    let mut query = query.clone();
    if pipeline.is_identity() {
        return Mapped {
            query,
            notes: Vec::new(),
            errors: Vec::new(),
            unmapped: Vec::new(),
        };
    }
    let mut m = Mapper {
        p: pipeline,
        read_after_unions: read_after_unions(&query),
        notes: Vec::new(),
        errors: Vec::new(),
        unmapped: Vec::new(),
    };
    crate::stack::with_stack(|| {
        m.query(&mut query);
    });
    Mapped {
        query,
        notes: m.notes,
        errors: m.errors,
        unmapped: m.unmapped,
    }
}

/// What a name refers to at some point of the query.
#[derive(Clone)]
enum Res<'p> {
    /// A column the query computed (or that no longer exists).
    Computed,
    /// A column of `table`; `suffix` is KQL's join renaming (`X` → `X1`).
    Column {
        table: String,
        map: Option<&'p TableMap>,
        column: String,
        suffix: String,
    },
    /// A column after a union whose legs hold it under different target fields, that no
    /// common name can hold (`why` says what stops it).
    Ambiguous(String),
    /// A column after a union whose legs hold it under different target fields (or resolve it
    /// differently), each leg now holding it under `held` ([`Mapper::unify`]); the legs'
    /// scopes give each leg's notes at a reference.
    Unified { held: String, legs: Rc<[Scope<'p>]> },
}

impl Res<'_> {
    /// The name a column resolved so is held under after mapping (`name` is its KQL name):
    /// `None` for a column no one name holds.
    fn held(&self, name: &str) -> Option<String> {
        match self {
            Res::Computed => Some(name.to_string()),
            Res::Ambiguous(_) => None,
            Res::Unified { held, .. } => Some(held.clone()),
            Res::Column {
                map,
                column,
                suffix,
                ..
            } => {
                let field = map
                    .and_then(|m| m.rule(column, &[]))
                    .map_or(column.clone(), |r| r.field.clone());
                Some(format!("{field}{suffix}"))
            }
        }
    }
}

/// The names visible after some stages.
#[derive(Clone)]
struct Scope<'p> {
    base: Base<'p>,
    overrides: HashMap<String, Res<'p>>,
    /// A stage fixed the columns (project, summarize, …): only `overrides` exist.
    closed: bool,
}

#[derive(Clone)]
enum Base<'p> {
    Table(String, Option<&'p TableMap>),
    Join(Box<Scope<'p>>, Box<Scope<'p>>),
    /// A union's legs, each mapped by itself.
    Union(Vec<Scope<'p>>),
}

impl<'p> Scope<'p> {
    fn has(&self, name: &str) -> bool {
        if self.overrides.contains_key(name) {
            return true;
        }
        if self.closed {
            return false;
        }
        match &self.base {
            Base::Table(t, _) => match crate::schema::table(t) {
                Some(s) if s.is_complete() => s.column_type(name).is_some(),
                _ => true,
            },
            Base::Join(l, r) => l.has(name) || r.has(name),
            Base::Union(legs) => legs.iter().any(|l| l.has(name)),
        }
    }

    /// Whether a column visible here has the target name `target` after mapping.
    fn has_target(&self, target: &str) -> bool {
        let mapped = |res: &Res<'p>, name: &str| res.held(name).is_some_and(|h| h == target);
        if self.overrides.iter().any(|(n, r)| mapped(r, n)) {
            return true;
        }
        if self.closed {
            return false;
        }
        match &self.base {
            Base::Table(_, None) => self.has(target),
            Base::Table(_, Some(m)) => {
                m.fields.iter().any(|r| {
                    r.field == target
                        && r.path.is_empty()
                        && !self.overrides.contains_key(&r.column)
                        && self.has(&r.column)
                }) || (m.rule(target, &[]).is_none() && self.has(target))
            }
            Base::Join(l, r) => l.has_target(target) || r.has_target(target),
            Base::Union(legs) => legs.iter().any(|l| l.has_target(target)),
        }
    }

    fn resolve(&self, name: &str) -> Res<'p> {
        if let Some(r) = self.overrides.get(name) {
            return r.clone();
        }
        if self.closed {
            return Res::Computed;
        }
        match &self.base {
            Base::Table(t, m) => Res::Column {
                table: t.clone(),
                map: *m,
                column: name.to_string(),
                suffix: String::new(),
            },
            Base::Join(l, r) => {
                if l.has(name) {
                    return l.resolve(name);
                }
                // KQL renames a right column `X` that clashes with a left one to `X1`; after
                // mapping, the clash that counts is between the target names.
                let right = match name.strip_suffix('1') {
                    Some(stem) if l.has(stem) && r.has(stem) => r.resolve(stem),
                    _ => r.resolve(name),
                };
                match right {
                    Res::Column {
                        table, map, column, ..
                    } => {
                        let target = map
                            .and_then(|m| m.rule(&column, &[]))
                            .filter(|r| r.path.is_empty())
                            .map_or(column.clone(), |r| r.field.clone());
                        let suffix = if l.has_target(&target) { "1" } else { "" };
                        Res::Column {
                            table,
                            map,
                            column,
                            suffix: suffix.into(),
                        }
                    }
                    other => other,
                }
            }
            Base::Union(legs) => union_resolve(legs, name),
        }
    }
}

/// A name after a union: the legs' one resolution when every leg that has the column resolves
/// it alike (all computed, or all the same rules for it), else [`Res::Ambiguous`].
fn union_resolve<'p>(legs: &[Scope<'p>], name: &str) -> Res<'p> {
    let rules = |r: &Res<'p>| match r {
        Res::Column {
            map,
            column,
            suffix,
            ..
        } => Some((
            map.map(|m| {
                m.fields
                    .iter()
                    .filter(|f| &f.column == column)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default(),
            suffix.clone(),
        )),
        _ => None,
    };
    let mut found = legs.iter().filter(|l| l.has(name)).map(|l| l.resolve(name));
    let Some(first) = found.next() else {
        return Res::Computed;
    };
    let same = found.all(|r| match (&first, &r) {
        (Res::Computed, Res::Computed) => true,
        (Res::Column { .. }, Res::Column { .. }) => rules(&first) == rules(&r),
        _ => false,
    });
    if same {
        first
    } else {
        Res::Ambiguous(
            "kqlport gives the legs' fields a common name only for a column it sees read after the union"
                .into(),
        )
    }
}

/// Every column name the query reads (by expression or by name) outside its unions' legs: at
/// a union, the names a later stage may read from it, in this query or the one it is nested in
/// (a join's right side read by the join's keys and the stages after it). A superset: a name
/// read elsewhere is harmless, since only a column the union's legs hold apart is renamed.
fn read_after_unions(q: &Query) -> BTreeSet<String> {
    #[derive(Default)]
    struct Reads(BTreeSet<String>);
    impl<'ir> crate::ir::visit::Visitor<'ir> for Reads {
        fn visit_query(&mut self, q: &'ir Query) {
            match &q.source.kind {
                SourceKind::Union(_) => q.stages.iter().for_each(|s| self.visit_stage(s)),
                _ => crate::ir::visit::walk_query(self, q),
            }
        }
        // A join's right keys read its right side, a subquery's list column its query.
        fn visit_stage(&mut self, s: &'ir Stage) {
            if let StageKind::Join { on, .. } = &s.kind {
                self.0.extend(on.iter().map(|k| k.right.name.clone()));
            }
            crate::ir::visit::walk_stage(self, &s.kind, s.span)
        }
        fn visit_predicate(&mut self, p: &'ir Predicate) {
            if let PredicateKind::InSubquery { sub, .. } = &p.kind {
                self.0.insert(sub.column.name.clone());
                self.visit_query(&sub.query);
            }
            crate::ir::visit::walk_predicate(self, p)
        }
        fn visit_field(&mut self, field: &'ir FieldPath, _: Span) {
            self.0.insert(field.column.clone());
        }
        fn visit_name(&mut self, name: &'ir str, _: Span) {
            self.0.insert(name.to_string());
        }
    }
    let mut r = Reads::default();
    crate::ir::visit::Visitor::visit_query(&mut r, q);
    r.0
}

struct Mapper<'p> {
    p: &'p Pipeline,
    /// The columns the query reads outside its unions' legs ([`read_after_unions`]).
    read_after_unions: BTreeSet<String>,
    notes: Vec<Note>,
    errors: Vec<Diagnostic>,
    unmapped: Vec<Unmapped>,
}

impl<'p> Mapper<'p> {
    fn note(&mut self, span: Span, effect: Effect, message: String) {
        let dup = self
            .notes
            .iter()
            .any(|n| n.span.range() == span.range() && n.message == message);
        if !dup {
            self.notes.push(Note {
                span,
                effect,
                message,
            });
        }
    }

    /// A policy's consequence at `span`: nothing, a note, or a refusal.
    fn enforce(&mut self, policy: Policy, span: Span, what: String, effect: Effect) {
        match policy {
            Policy::Keep => {}
            Policy::Note => self.note(span, effect, what),
            Policy::Decline => {
                if !self.errors.iter().any(|e| e.span.range() == span.range()) {
                    self.errors.push(
                        Diagnostic::error(LowerCode::L090, what, span)
                            .with_label("no mapping for this")
                            .with_help(format!(
                                "add it to a pipeline file (`-p FILE`), or set `unmapped: keep` or `note` to keep the Sentinel name (pipeline `{}`)",
                                self.p.name
                            )),
                    );
                }
            }
        }
    }

    fn query(&mut self, q: &mut Query) -> Scope<'p> {
        if let SourceKind::Union(u) = &mut q.source.kind {
            // Each leg is mapped as the query it is; the stages after the union see them all.
            let legs: Vec<Scope<'p>> = u.legs.iter_mut().map(|leg| self.query(leg)).collect();
            let overrides = self.unify(u, &legs);
            let mut scope = Scope {
                base: Base::Union(legs),
                overrides,
                closed: false,
            };
            for stage in &mut q.stages {
                self.stage(&mut scope, &mut stage.kind);
            }
            return scope;
        }
        if let SourceKind::Lookup(l) = &q.source.kind {
            // The user's own lookup: no table mapping applies, its column names are kept.
            let mut scope = Scope {
                base: Base::Table(format!("_GetWatchlist('{}')", l.name), None),
                overrides: HashMap::new(),
                closed: false,
            };
            for stage in &mut q.stages {
                self.stage(&mut scope, &mut stage.kind);
            }
            return scope;
        }
        let before = q.stages.len();
        let (table, map) = self.map_source(q);
        // The table's conditions already name the target's fields.
        let added = q.stages.len() - before;
        let mut scope = Scope {
            base: Base::Table(table, map),
            overrides: HashMap::new(),
            closed: false,
        };
        for stage in &mut q.stages[added..] {
            self.stage(&mut scope, &mut stage.kind);
        }
        scope
    }

    /// One name for each column read after a union ([`read_after_unions`]) whose legs hold it under
    /// different target fields: each leg renames its field to the common name at its end
    /// (a `project-rename` stage, which every backend already runs per leg: SPL inside each
    /// `multisearch`/`append` leg, ES|QL as the `CASE` per column of legs that differ).
    ///
    /// The common name is the column's KQL name: the stages after the union name it so, a
    /// leg that computes the column holds it under that name already, and it is the name
    /// KQL's own result gives it. Where every leg that has the column holds it under one
    /// target field (the legs differ only in a rule's note, or a table the pipeline does not
    /// map keeps the Sentinel name the others map to itself), that field stays and no leg
    /// renames. Returns the union scope's resolution of each such column: [`Res::Unified`], or
    /// [`Res::Ambiguous`] with the reason no common name holds it exactly.
    fn unify(&mut self, u: &mut Union, legs: &[Scope<'p>]) -> HashMap<String, Res<'p>> {
        let mut out = HashMap::new();
        let mut shared: Option<Rc<[Scope<'p>]>> = None;
        let mut renames: Vec<Vec<(String, String)>> = vec![Vec::new(); legs.len()];
        let names: Vec<String> = self.read_after_unions.iter().cloned().collect();
        for name in names.iter().map(String::as_str) {
            if !matches!(union_resolve(legs, name), Res::Ambiguous(_)) {
                continue;
            }
            let res = match self.common_name(u, legs, name) {
                Ok((held, per_leg)) => {
                    for (i, old) in per_leg {
                        renames[i].push((name.to_string(), old));
                    }
                    Res::Unified {
                        held,
                        legs: shared.get_or_insert_with(|| legs.to_vec().into()).clone(),
                    }
                }
                Err(why) => Res::Ambiguous(why),
            };
            out.insert(name.to_string(), res);
        }
        for (leg, pairs) in u.legs.iter_mut().zip(renames) {
            if pairs.is_empty() {
                continue;
            }
            let span = leg.span;
            let col = |name: String| Column { name, span };
            leg.stages.push(Stage {
                kind: StageKind::Rename(pairs.into_iter().map(|(n, o)| (col(n), col(o))).collect()),
                span,
            });
        }
        out
    }

    /// The name column `name` is held under after the union, and the legs (by index) that
    /// rename their field to it; or why no name holds it exactly.
    fn common_name(
        &self,
        u: &Union,
        legs: &[Scope<'p>],
        name: &str,
    ) -> Result<(String, Vec<(usize, String)>), String> {
        let leg_name = |i: usize| match u.legs[i].table() {
            Some(t) => format!("the `{t}` leg"),
            None => format!("leg {}", i + 1),
        };
        let mut held: Vec<(usize, String)> = Vec::new();
        for (i, leg) in legs.iter().enumerate() {
            if !leg.has(name) {
                continue;
            }
            let res = leg.resolve(name);
            if let Res::Column {
                map: Some(map),
                column,
                ..
            } = &res
            {
                if map
                    .fields
                    .iter()
                    .any(|r| &r.column == column && !r.path.is_empty())
                {
                    return Err(format!(
                        "in {} pipeline `{}` maps its members to fields of their own",
                        leg_name(i),
                        self.p.name
                    ));
                }
                if let Some(rule) = map.rule(column, &[]) {
                    if rule.values.is_some() || rule.basename {
                        return Err(format!(
                            "in {} its values are not stored as KQL's (pipeline `{}` maps them to `{}`'s): a test after the union cannot be written once for every leg",
                            leg_name(i),
                            self.p.name,
                            rule.field
                        ));
                    }
                }
            }
            match (&res, res.held(name)) {
                (Res::Ambiguous(why), _) => return Err(format!("in {}, {why}", leg_name(i))),
                (_, Some(h)) => held.push((i, h)),
                (_, None) => {}
            }
        }
        if let Some((_, first)) = held.first() {
            if held.iter().all(|(_, h)| h == first) {
                return Ok((first.clone(), Vec::new()));
            }
        }
        let mut renamed = Vec::new();
        for (i, leg) in legs.iter().enumerate() {
            match held.iter().find(|(j, _)| *j == i) {
                Some((_, h)) if h == name => {}
                // A leg whose column is held elsewhere while another of its columns is the
                // target's `name`: the rename would overwrite that one.
                Some((_, h)) if leg.has_target(name) => {
                    return Err(format!(
                        "in {} it is `{h}` while another column is the target's `{name}`",
                        leg_name(i)
                    ))
                }
                Some((_, h)) => renamed.push((i, h.clone())),
                None if leg.has_target(name) => {
                    return Err(format!(
                        "{} has another column that is the target's `{name}`",
                        leg_name(i)
                    ))
                }
                None => {}
            }
        }
        Ok((name.to_string(), renamed))
    }

    /// The one place a table becomes a target source: sets the source's target parts and puts
    /// the table's conditions in a filter at the front. Returns the table's name and mapping.
    fn map_source(&mut self, q: &mut Query) -> (String, Option<&'p TableMap>) {
        let table = match &q.source.kind {
            SourceKind::Table(table) => table.clone(),
            SourceKind::Union(_) => unreachable!("`query` maps a union's legs one by one"),
            SourceKind::Lookup(_) => unreachable!("`query` maps no lookup"),
        };
        let Some(map) = self.p.tables.get(&table) else {
            self.unmapped.push(Unmapped {
                table: table.clone(),
                column: None,
                span: q.source.span,
            });
            let policy = self.p.unmapped_tables.unwrap_or(Policy::Keep);
            self.enforce(
                policy,
                q.source.span,
                format!(
                    "pipeline `{}` has no mapping for table `{table}`: its Sentinel table and column names are kept, which the target's data may not have",
                    self.p.name
                ),
                Effect::UnderMatch,
            );
            return (table, None);
        };
        q.source.target = Some(TargetSource {
            pipeline: self.p.name.clone(),
            splunk: map.splunk.clone(),
            elastic_index: map.elastic_index.clone(),
            eql_category: map.eql_category.clone(),
            sigma: map.logsource.clone(),
            columns: map
                .fields
                .iter()
                .filter(|r| r.path.is_empty())
                .map(|r| (r.column.clone(), r.field.clone()))
                .collect(),
        });
        if !map.conditions.is_empty() {
            let span = q.source.span;
            let tests: Vec<Predicate> = map
                .conditions
                .iter()
                .map(|(field, values)| Predicate {
                    kind: PredicateKind::StrMatch(StrMatch {
                        field: Expr {
                            kind: ExprKind::Field(FieldPath::column(field.clone())),
                            span,
                        },
                        kind: MatchKind::Equals,
                        case: Case::Sensitive,
                        values: values.clone(),
                        quantifier: Quantifier::Any,
                        negated: false,
                    }),
                    span,
                })
                .collect();
            let pred = match tests.len() {
                1 => tests.into_iter().next().expect("one"),
                _ => Predicate {
                    kind: PredicateKind::And(tests),
                    span,
                },
            };
            q.stages.insert(
                0,
                Stage {
                    kind: StageKind::Filter(pred),
                    span,
                },
            );
        }
        (table, Some(map))
    }

    /// The rule for a column reference and the join suffix, or `None` (computed, an unmapped
    /// table, or a column without a rule: reported here).
    fn rule_for(
        &mut self,
        scope: &Scope<'p>,
        column: &str,
        path: &[PathSegment],
        span: Span,
    ) -> Option<(&'p FieldRule, String)> {
        let res = scope.resolve(column);
        if let Res::Ambiguous(why) = res {
            if !self.errors.iter().any(|e| e.span.range() == span.range()) {
                self.errors.push(
                    Diagnostic::error(
                        LowerCode::L091,
                        format!(
                            "after the union, `{column}` is a different field in different legs under pipeline `{}`, and {why}",
                            self.p.name
                        ),
                        span,
                    )
                    .with_label("named differently per leg")
                    .with_help("use `--pipeline none`, or a pipeline file (`-p FILE`) that maps the column alike in every leg's table"),
                );
            }
            return None;
        }
        let Res::Column {
            table,
            map: Some(map),
            column,
            suffix,
        } = res
        else {
            return None;
        };
        let keys: Vec<String> = path
            .iter()
            .map_while(|s| match s {
                PathSegment::Key(k) => Some(k.clone()),
                PathSegment::Index(_) => None,
            })
            .collect();
        match map.rule(&column, &keys) {
            Some(rule) => {
                if let Some((effect, why)) = &rule.note {
                    self.note(
                        span,
                        *effect,
                        format!("`{}` is mapped to `{}`: {why}", rule_name(rule), rule.field),
                    );
                }
                Some((rule, suffix))
            }
            None => {
                let name = match (map.knows(&column), keys.first()) {
                    (true, Some(k)) => format!("{column}.{k}"),
                    _ => column.clone(),
                };
                self.unmapped.push(Unmapped {
                    table: table.clone(),
                    column: Some(name.clone()),
                    span,
                });
                let policy = self.p.unmapped.unwrap_or(Policy::Keep);
                self.enforce(
                    policy,
                    span,
                    format!(
                        "pipeline `{}` has no field for `{table}.{name}`: the Sentinel name is kept, which the target's events may not have",
                        self.p.name
                    ),
                    Effect::UnderMatch,
                );
                None
            }
        }
    }

    /// The name a column after a union is held under when its legs were given one
    /// ([`Mapper::unify`]), with each leg's notes for it at `span`; `None` for any other column.
    fn unified(&mut self, scope: &Scope<'p>, column: &str, span: Span) -> Option<String> {
        let Res::Unified { held, legs } = scope.resolve(column) else {
            return None;
        };
        for leg in legs.iter().filter(|l| l.has(column)) {
            self.rule_for(leg, column, &[], span);
        }
        Some(held)
    }

    /// A plain column name (project list, group key, join key …) to the target's field.
    fn column(&mut self, scope: &Scope<'p>, c: &mut Column) {
        if let Some(held) = self.unified(scope, &c.name, c.span) {
            c.name = held;
            return;
        }
        if let Some((rule, suffix)) = self.rule_for(scope, &c.name, &[], c.span) {
            if rule.path.is_empty() {
                c.name = format!("{}{suffix}", rule.field);
            }
        }
    }

    fn pattern(&mut self, scope: &Scope<'p>, p: &mut ColumnPattern) {
        if p.is_wildcard() {
            if !matches!(&scope.base, Base::Table(_, None)) {
                self.note(
                    p.span,
                    Effect::Values,
                    format!(
                        "the pattern `{}` is matched against the target's field names (pipeline `{}`), which may select other columns",
                        p.pattern, self.p.name
                    ),
                );
            }
            return;
        }
        let mut c = Column {
            name: p.pattern.clone(),
            span: p.span,
        };
        self.column(scope, &mut c);
        p.pattern = c.name;
    }

    fn field(&mut self, scope: &Scope<'p>, f: &mut FieldPath, span: Span) {
        if let Some(held) = self.unified(scope, &f.column, span) {
            f.column = held;
            return;
        }
        if let Some((rule, suffix)) = self.rule_for(scope, &f.column, &f.path, span) {
            if rule.basename {
                self.note(
                    span,
                    Effect::Values,
                    format!(
                        "`{}` is read from `{}`, which holds the whole path, not the file name alone",
                        rule.column, rule.field
                    ),
                );
            }
            f.column = format!("{}{suffix}", rule.field);
            if !rule.path.is_empty() {
                f.path.drain(..rule.path.len());
                f.parsed = false;
            }
        }
    }

    /// The value map of a plain or path reference, when it has one.
    fn values_of(&self, scope: &Scope<'p>, e: &Expr) -> Option<(&'p FieldRule, &'p ValueMap)> {
        let ExprKind::Field(f) = &e.kind else {
            return None;
        };
        let Res::Column {
            map: Some(map),
            column,
            ..
        } = scope.resolve(&f.column)
        else {
            return None;
        };
        let keys: Vec<String> = f
            .path
            .iter()
            .map_while(|s| match s {
                PathSegment::Key(k) => Some(k.clone()),
                PathSegment::Index(_) => None,
            })
            .collect();
        let rule = map.rule(&column, &keys)?;
        (rule.path.len() == keys.len()).then_some(())?;
        rule.values.as_ref().map(|v| (rule, v))
    }

    /// One constant through a vocabulary: the target's value, or a note/refusal and the value
    /// as written. `whole` says the test compares whole values (a substring of a value cannot
    /// be looked up).
    #[allow(clippy::too_many_arguments)]
    fn value(
        &mut self,
        rule: &FieldRule,
        vm: &ValueMap,
        v: &str,
        case: Case,
        whole: bool,
        negated: bool,
        span: Span,
    ) -> String {
        if whole {
            let hit = vm.map.iter().find(|(from, _)| match case {
                Case::Sensitive => from == v,
                Case::Insensitive => from.eq_ignore_ascii_case(v),
            });
            if let Some((_, to)) = hit {
                return to.clone();
            }
        }
        if vm.lowercase {
            return v.to_lowercase();
        }
        let effect = if negated {
            Effect::OverMatch
        } else {
            Effect::UnderMatch
        };
        self.enforce(
            vm.others,
            span,
            format!(
                "the value \"{}\" of `{}` is not in pipeline `{}`'s vocabulary for `{}`: kept as written",
                crate::backend::one_line(v),
                rule_name(rule),
                self.p.name,
                rule.field
            ),
            effect,
        );
        v.to_string()
    }

    /// Maps the columns an aggregate reads: its argument, condition, `arg_max`'s `by` (the
    /// columns `arg_max` returns are the caller's: they are output columns).
    fn aggregate_inputs(&mut self, scope: &Scope<'p>, f: &mut AggFunc) {
        match f {
            AggFunc::Count | AggFunc::AnyRow => {}
            AggFunc::CountIf(p) => self.pred(scope, p),
            AggFunc::DCountIf(e, p) => {
                self.expr(scope, e);
                self.pred(scope, p);
            }
            AggFunc::DCount(e)
            | AggFunc::MakeSet { expr: e, .. }
            | AggFunc::MakeList { expr: e, .. }
            | AggFunc::Min(e)
            | AggFunc::Max(e)
            | AggFunc::Sum(e)
            | AggFunc::Avg(e)
            | AggFunc::Stdev(e)
            | AggFunc::TakeAny(e)
            | AggFunc::CountDistinct(e) => self.expr(scope, e),
            AggFunc::ArgMax { by, .. } | AggFunc::ArgMin { by, .. } => self.expr(scope, by),
        }
    }

    fn pred(&mut self, scope: &Scope<'p>, p: &mut Predicate) {
        let span = p.span;
        match &mut p.kind {
            PredicateKind::And(xs) | PredicateKind::Or(xs) => {
                xs.iter_mut().for_each(|x| self.pred(scope, x))
            }
            PredicateKind::Not(x) => self.pred(scope, x),
            PredicateKind::StrMatch(m) if self.mixed_basename_list(scope, m) => {
                // `name in ("a", "")` on a path field: the names are path endings, "" an empty
                // or missing path, so the list splits in two tests (`!in`: neither holds).
                let (empty, names): (Vec<String>, Vec<String>) =
                    m.values.iter().cloned().partition(|v| v.is_empty());
                let part = |values: Vec<String>| Predicate {
                    kind: PredicateKind::StrMatch(StrMatch {
                        values,
                        ..m.clone()
                    }),
                    span,
                };
                let parts = vec![part(names), part(empty)];
                p.kind = match m.negated {
                    true => PredicateKind::And(parts),
                    false => PredicateKind::Or(parts),
                };
                self.pred(scope, p);
            }
            PredicateKind::StrMatch(m) => {
                if self.basename_test(scope, m, span) {
                    return;
                }
                if let Some((rule, vm)) = self.values_of(scope, &m.field) {
                    let whole = m.kind == MatchKind::Equals;
                    let (case, negated) = (m.case, m.negated);
                    let values = std::mem::take(&mut m.values);
                    m.values = values
                        .iter()
                        .map(|v| self.value(rule, vm, v, case, whole, negated, span))
                        .collect();
                }
                self.expr(scope, &mut m.field);
            }
            PredicateKind::Compare { lhs, op, rhs, .. } => {
                let negated = *op == CmpOp::Ne;
                let eq = matches!(op, CmpOp::Eq | CmpOp::Ne);
                if eq {
                    if let (Some((rule, vm)), ExprKind::Literal(lit)) =
                        (self.values_of(scope, lhs), &mut rhs.kind)
                    {
                        self.literal(rule, vm, lit, negated, span);
                    }
                    if let (Some((rule, vm)), ExprKind::Literal(lit)) =
                        (self.values_of(scope, rhs), &mut lhs.kind)
                    {
                        self.literal(rule, vm, lit, negated, span);
                    }
                }
                self.expr(scope, lhs);
                self.expr(scope, rhs);
            }
            PredicateKind::InSet {
                expr,
                values,
                negated,
            } => {
                if let Some((rule, vm)) = self.values_of(scope, expr) {
                    for lit in values.iter_mut() {
                        self.literal(rule, vm, lit, *negated, span);
                    }
                }
                self.expr(scope, expr);
            }
            PredicateKind::InSubquery { expr, sub, .. } => {
                // The nested query is mapped as the query it is; its list column by its scope.
                let sub_scope = self.query(&mut sub.query);
                self.column(&sub_scope, &mut sub.column);
                if self.values_of(scope, expr).is_some() {
                    self.note(
                        span,
                        Effect::Values,
                        format!(
                            "pipeline `{}` rewrites this column's values; the subquery's values are compared as the target stores them",
                            self.p.name
                        ),
                    );
                }
                self.expr(scope, expr);
            }
            PredicateKind::Between {
                expr, low, high, ..
            } => {
                self.expr(scope, expr);
                self.expr(scope, low);
                self.expr(scope, high);
            }
            PredicateKind::IsEmpty { expr, .. } | PredicateKind::IsNull { expr, .. } => {
                self.expr(scope, expr)
            }
            PredicateKind::TimeWindow { field, .. } => self.expr(scope, field),
            PredicateKind::Bool(e) => self.expr(scope, e),
            PredicateKind::Const(_) => {}
        }
    }

    /// An `==`/`in` list holding both names and "" on a column whose target field is a path
    /// ending in its value ([`FieldRule::basename`]).
    fn mixed_basename_list(&self, scope: &Scope<'p>, m: &StrMatch) -> bool {
        let ExprKind::Field(f) = &m.field.kind else {
            return false;
        };
        if m.kind != MatchKind::Equals
            || m.quantifier != Quantifier::Any
            || !f.is_plain()
            || !m.values.iter().any(|v| v.is_empty())
            || m.values.iter().all(|v| v.is_empty())
        {
            return false;
        }
        matches!(scope.resolve(&f.column), Res::Column { map: Some(map), column, .. }
            if map.rule(&column, &[]).is_some_and(|r| r.basename))
    }

    /// A string test on a column whose target field is a path ending in its value
    /// ([`FieldRule::basename`]): rewritten on the path and the field renamed. `false` when
    /// the test's column has no such rule.
    fn basename_test(&mut self, scope: &Scope<'p>, m: &mut StrMatch, span: Span) -> bool {
        let ExprKind::Field(f) = &m.field.kind else {
            return false;
        };
        if !f.is_plain() {
            return false;
        }
        let Res::Column {
            map: Some(map),
            column,
            suffix,
            ..
        } = scope.resolve(&f.column)
        else {
            return false;
        };
        let Some(rule) = map.rule(&column, &[]).filter(|r| r.basename) else {
            return false;
        };
        let widen = if m.negated {
            Effect::UnderMatch
        } else {
            Effect::OverMatch
        };
        let field = rule.field.clone();
        match m.kind {
            // `name == v` ⇔ the path ends in `\v` (Windows file names hold no backslash); an
            // empty name is an empty or missing path.
            MatchKind::Equals if m.values.iter().all(|v| v.is_empty()) => {}
            MatchKind::Equals if m.values.iter().all(|v| !v.is_empty()) => {
                m.kind = MatchKind::EndsWith;
                m.values = m.values.iter().map(|v| format!("\\{v}")).collect();
            }
            MatchKind::Equals => {
                // A whole path equal to a bare name: fewer rows (more, under `not`).
                let narrow = match widen {
                    Effect::OverMatch => Effect::UnderMatch,
                    _ => Effect::OverMatch,
                };
                self.note(span, narrow, format!("`{column}` equal to one of several values, one empty, is tested on `{field}` as a whole"));
            }
            // A pattern anchored at the name's start is anchored after the path's last `\`.
            MatchKind::Regex if m.values.iter().all(|v| anchored_start(v).is_some()) => {
                m.values = m.values.iter().filter_map(|v| anchored_start(v)).collect();
            }
            MatchKind::EndsWith => {}
            MatchKind::StartsWith => {
                m.kind = MatchKind::Contains;
                m.values = m.values.iter().map(|v| format!("\\{v}")).collect();
                self.note(span, widen, format!("`{column}` starts with a value is tested as `{field}` containing `\\` and the value, which a folder name can match too"));
            }
            MatchKind::Contains
            | MatchKind::Term
            | MatchKind::TermPrefix
            | MatchKind::TermSuffix => {
                self.note(span, widen, format!("`{column}` is tested on `{field}`, the whole path: the folders can match too"));
            }
            MatchKind::Regex => {
                self.note(span, widen, format!("`{column}` is tested on `{field}`, the whole path: the pattern can match across the folders too"));
            }
        }
        if let ExprKind::Field(f) = &mut m.field.kind {
            f.column = format!("{field}{suffix}");
        }
        true
    }

    fn literal(
        &mut self,
        rule: &FieldRule,
        vm: &ValueMap,
        lit: &mut Literal,
        negated: bool,
        span: Span,
    ) {
        let text = match lit {
            Literal::String(s) => s.clone(),
            Literal::Long(n) => n.to_string(),
            _ => return,
        };
        let to = self.value(rule, vm, &text, Case::Sensitive, true, negated, span);
        if to != text {
            *lit = match to.parse::<i64>() {
                Ok(n) if matches!(lit, Literal::Long(_)) => Literal::Long(n),
                _ => Literal::String(to),
            };
        }
    }

    fn expr(&mut self, scope: &Scope<'p>, e: &mut Expr) {
        let span = e.span;
        match &mut e.kind {
            ExprKind::Field(f) => self.field(scope, f, span),
            ExprKind::Path { base, .. } => self.expr(scope, base),
            ExprKind::Call { args, .. } => args.iter_mut().for_each(|a| self.expr(scope, a)),
            ExprKind::Arith { lhs, rhs, .. } => {
                self.expr(scope, lhs);
                self.expr(scope, rhs);
            }
            ExprKind::Neg(x) => self.expr(scope, x),
            ExprKind::Case {
                branches,
                otherwise,
            } => {
                for (p, v) in branches {
                    self.pred(scope, p);
                    self.expr(scope, v);
                }
                self.expr(scope, otherwise);
            }
            ExprKind::Predicate(p) => self.pred(scope, p),
            ExprKind::Literal(_) | ExprKind::Now | ExprKind::Ago(_) | ExprKind::IngestionTime => {}
        }
    }

    /// `name = expr` in a list that fixes the columns: a plain column passing through keeps
    /// its mapping (and the target's name); anything else is the query's own column.
    fn passthrough(
        &mut self,
        scope: &Scope<'p>,
        a: &mut Assignment,
        out: &mut HashMap<String, Res<'p>>,
    ) {
        // Later stages name the column by its KQL name: the scope is keyed by it.
        let kql_name = a.name.name.clone();
        let plain =
            matches!(&a.expr.kind, ExprKind::Field(f) if f.is_plain() && f.column == kql_name);
        let before = scope.resolve(&kql_name);
        self.expr(scope, &mut a.expr);
        if plain {
            if let ExprKind::Field(f) = &a.expr.kind {
                a.name.name = f.column.clone();
            }
            out.insert(kql_name, before);
        } else {
            out.insert(kql_name, Res::Computed);
        }
    }

    fn stage(&mut self, scope: &mut Scope<'p>, kind: &mut StageKind) {
        match kind {
            StageKind::Filter(p) => self.pred(scope, p),
            StageKind::Extend(assigns) => {
                for a in assigns {
                    self.expr(scope, &mut a.expr);
                    // Overwriting a mapped column overwrites the target's field.
                    let target = match scope.resolve(&a.name.name) {
                        Res::Column {
                            map: Some(map),
                            column,
                            suffix,
                            ..
                        } => map
                            .rule(&column, &[])
                            .filter(|r| r.path.is_empty() && r.values.is_none())
                            .map(|r| format!("{}{suffix}", r.field)),
                        _ => None,
                    };
                    match target {
                        Some(t) => a.name.name = t,
                        None => {
                            scope.overrides.insert(a.name.name.clone(), Res::Computed);
                        }
                    }
                }
            }
            // Aggregates over every row, appended as columns (never one that picks a row).
            StageKind::Totals(aggs) => {
                for a in aggs.iter_mut() {
                    self.aggregate_inputs(scope, &mut a.func);
                    scope.overrides.insert(a.name.name.clone(), Res::Computed);
                }
            }
            // Another query's value: that query is mapped as the query it is; its column (a
            // name of kqlport's own, which its last `project` computes) is no field to map.
            StageKind::Scalar(sq) => {
                self.query(&mut sq.query);
                scope.overrides.insert(sq.name.name.clone(), Res::Computed);
            }
            StageKind::Project(assigns) => {
                let mut out = HashMap::new();
                for a in assigns {
                    self.passthrough(scope, a, &mut out);
                }
                scope.overrides = out;
                scope.closed = true;
            }
            StageKind::ProjectAway(ps) | StageKind::ProjectKeep(ps) | StageKind::Reorder(ps) => {
                for p in ps {
                    self.pattern(scope, p);
                }
            }
            StageKind::Rename(pairs) => {
                let mut gone = Vec::new();
                for (new, old) in pairs.iter_mut() {
                    gone.push(old.name.clone());
                    self.column(scope, old);
                    scope.overrides.insert(new.name.clone(), Res::Computed);
                }
                // The old names no longer exist (unless one was reused as a new name).
                for old in gone {
                    if !pairs.iter().any(|(n, _)| n.name == old) {
                        scope.overrides.insert(old, Res::Computed);
                    }
                }
            }
            StageKind::Aggregate { by, aggs } => {
                let mut out = HashMap::new();
                let mut all_columns = false;
                for g in by.iter_mut() {
                    let field = match &mut g.kind {
                        GroupKeyKind::Expr(e) => e,
                        GroupKeyKind::Bin { field, .. } => field,
                    };
                    let kql_name = g.name.name.clone();
                    let plain = matches!(&field.kind, ExprKind::Field(f) if f.is_plain() && f.column == kql_name);
                    let before = scope.resolve(&kql_name);
                    self.expr(scope, field);
                    if plain {
                        if let ExprKind::Field(f) = &field.kind {
                            g.name.name = f.column.clone();
                        }
                        out.insert(kql_name, before);
                    } else {
                        out.insert(kql_name, Res::Computed);
                    }
                }
                for a in aggs.iter_mut() {
                    self.aggregate_inputs(scope, &mut a.func);
                    match &mut a.func {
                        AggFunc::ArgMax { cols, .. } | AggFunc::ArgMin { cols, .. } => {
                            if cols.is_empty() {
                                all_columns = true;
                            }
                            for c in cols {
                                self.passthrough(scope, c, &mut out);
                            }
                        }
                        AggFunc::AnyRow => {
                            all_columns = true;
                            continue;
                        }
                        _ => {}
                    }
                    out.insert(a.name.name.clone(), Res::Computed);
                }
                if all_columns {
                    scope.overrides.extend(out);
                } else {
                    scope.overrides = out;
                    scope.closed = true;
                }
            }
            StageKind::Sort(keys) => keys.iter_mut().for_each(|k| self.expr(scope, &mut k.expr)),
            StageKind::Top { key, .. } => self.expr(scope, &mut key.expr),
            StageKind::Limit(_) => {}
            StageKind::Distinct(cols) => {
                let mut out = HashMap::new();
                for c in cols {
                    let kql_name = c.name.clone();
                    let before = scope.resolve(&kql_name);
                    self.column(scope, c);
                    out.insert(kql_name, before);
                }
                scope.overrides = out;
                scope.closed = true;
            }
            StageKind::Count => {
                scope.overrides = HashMap::from([("Count".to_string(), Res::Computed)]);
                scope.closed = true;
            }
            StageKind::MvExpand(m) => {
                // The expanded values go to the query's own column (its KQL name), even when
                // that name is the mapped column it expands: later stages read the values.
                for item in &mut m.items {
                    for e in item.exprs_mut() {
                        self.expr(scope, e);
                    }
                }
                for c in m.written() {
                    scope.overrides.insert(c.name.clone(), Res::Computed);
                }
            }
            // The value of a column on another row: the target's field, a computed column.
            StageKind::Neighbours { items, .. } => {
                for a in items.iter_mut() {
                    self.expr(scope, &mut a.expr);
                }
                for a in items.iter() {
                    scope.overrides.insert(a.name.name.clone(), Res::Computed);
                }
            }
            StageKind::Parse(p) => {
                self.expr(scope, &mut p.source);
                let captures: Vec<String> = p.captures().map(|c| c.name.clone()).collect();
                for c in captures {
                    scope.overrides.insert(c, Res::Computed);
                }
            }
            // The address column is the input's (mapped); the lookup's columns are the user's.
            StageKind::Ipv4Lookup(l) => {
                self.column(scope, &mut l.key);
                for c in &l.table.columns {
                    scope.overrides.insert(c.name.clone(), Res::Computed);
                }
            }
            StageKind::Join { kind, right, on } => {
                let right_scope = self.query(right);
                for k in on.iter_mut() {
                    self.column(scope, &mut k.left);
                    self.column(&right_scope, &mut k.right);
                }
                *scope = match kind.keeps_columns() {
                    (true, false) => scope.clone(),
                    (false, true) => right_scope,
                    _ => Scope {
                        base: Base::Join(Box::new(scope.clone()), Box::new(right_scope)),
                        overrides: HashMap::new(),
                        closed: false,
                    },
                };
            }
        }
    }
}

/// An RE2 pattern `^rest` (after an optional leading `(?i)`) without a top-level `|` or
/// another `^`, as the same test on a Windows path ending in the name: `\\rest`. `None` for
/// other patterns.
fn anchored_start(pattern: &str) -> Option<String> {
    let (flags, body) = match pattern.strip_prefix("(?i)") {
        Some(rest) => ("(?i)", rest),
        None => ("", pattern),
    };
    let rest = body.strip_prefix('^')?;
    let (mut depth, mut class, mut escaped) = (0usize, false, false);
    for c in rest.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' if !class => class = true,
            ']' if class => class = false,
            '(' if !class => depth += 1,
            ')' if !class => depth = depth.saturating_sub(1),
            '|' if !class && depth == 0 => return None,
            '^' if !class => return None,
            _ => {}
        }
    }
    Some(format!(r"{flags}\\{rest}"))
}

fn rule_name(rule: &FieldRule) -> String {
    if rule.path.is_empty() {
        rule.column.clone()
    } else {
        format!("{}.{}", rule.column, rule.path.join("."))
    }
}
