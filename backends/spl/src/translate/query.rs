//! The query driver: a table's base search and its stages in order (one `stage` dispatch),
//! what the main pipeline does after its last stage, a join's right side as a sub-query, and
//! the helper fields a stage needs computed before its commands.

use super::{Tx, TMP};
use crate::ast::{name_expressible, BaseSearch, Command, Eval, Head, Pipeline};
use kqlport::codes::SplCode;
use kqlport::diag::Diagnostic;
use kqlport::ir::facts::{Origin, Shape};
use kqlport::ir::{AggFunc, Query, SourceKind, Stage, StageKind};

/// A translated join right side (see [`Tx::sub_query`]).
pub(crate) struct SubQuery {
    pub pipeline: Option<Pipeline>,
    /// Its rows still carry `_raw`, which Splunk's join copies over the left row's.
    pub raw: bool,
    /// That `_raw` was kept only for its own stages' reads (see `Tx::keep_raw`).
    pub raw_extra: bool,
}

impl Tx {
    pub fn query(&mut self, q: &Query) -> Option<Pipeline> {
        self.pipeline = (q.span.start, q.span.end);
        let table = match &q.source.kind {
            SourceKind::Table(table) => table,
            SourceKind::Union(u) => return self.union_query(q, u),
            SourceKind::Lookup(l) => return self.lookup_query(q, l),
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
                SplCode::B010,
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
        // Splunk's `stats` (and so `arg_max(t, *)`) leaves no `split` multivalue or
        // `parse_url` object it can still treat as one, and no multivalue but its own
        // `make_set`/`make_list` results. Its by-fields (`fillnull`ed first: see
        // `aggregate.rs`, `distinct`) and arg_max's columns are fields of its own, not the
        // event's.
        let facts = q.facts_read_by(&|kind, scope| {
            match kind {
                StageKind::Aggregate { by, aggs } => {
                    for k in by {
                        scope.set_origin(&k.name.name, Origin::Computed);
                    }
                    for a in aggs {
                        if let AggFunc::ArgMax { cols, .. } | AggFunc::ArgMin { cols, .. } = &a.func
                        {
                            for c in cols {
                                scope.set_origin(&c.name.name, Origin::Computed);
                            }
                        }
                    }
                }
                StageKind::Distinct(cols) => {
                    for c in cols {
                        scope.set_origin(&c.name, Origin::Computed);
                    }
                }
                _ => {}
            }
            if let StageKind::Aggregate { aggs, .. } = kind {
                let made = |n: &str| {
                    aggs.iter().any(|a| {
                        a.name.name == n
                            && matches!(a.func, AggFunc::MakeSet { .. } | AggFunc::MakeList { .. })
                    })
                };
                // An extract_all() column survives only as a column `arg_max(t, *)` or
                // `take_any(*)` passes on (eventstats + dedup keep the event's multivalue
                // field); every other read of it is refused, so its shape stays.
                scope.forget_shapes(|n, s| match s {
                    Shape::Split { .. } | Shape::Url => true,
                    Shape::Multivalue(_) => !made(n),
                    _ => false,
                });
            }
        });
        for (i, stage) in q.stages.iter().enumerate() {
            self.cols = facts.before(i).clone();
            let start = cmds.len();
            self.filtering = matches!(stage.kind, StageKind::Filter(_));
            match (&stage.kind, search.as_deref_mut()) {
                (StageKind::Filter(p), search) if p.has_subquery() => {
                    self.subquery_filter(p, search, cmds)
                }
                (StageKind::Filter(p), Some(search)) => self.leading_filter(p, search, cmds),
                (StageKind::Join { kind, right, on }, _) => {
                    search = None;
                    let left = kqlport::ir::columns_before(q, i);
                    self.join(stage, *kind, right, on, left, cmds);
                }
                (StageKind::Ipv4Lookup(l), _) => {
                    search = None;
                    let left = kqlport::ir::columns_before(q, i);
                    self.ipv4_lookup(stage, l, left, q.table(), cmds);
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
        self.cols = facts.output().clone();
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

    /// Translates another whole query (a join's right side) with its own view of the columns,
    /// leaving this pipeline's unchanged. Also returns whether its rows still carry their `_raw`
    /// event (what its columns hold is in the core's facts, `ir::facts`).
    pub(crate) fn sub_query(&mut self, q: &Query) -> SubQuery {
        let saved = (
            std::mem::replace(&mut self.raw, true),
            std::mem::take(&mut self.json_valued),
            std::mem::take(&mut self.cols),
            self.raw_extra,
            std::mem::replace(&mut self.flat, true),
            std::mem::replace(&mut self.right_rows, false),
        );
        self.depth += 1;
        let pipeline = self.pipeline;
        let table = std::mem::take(&mut self.table);
        let target = self.target.take();
        let extracted = std::mem::take(&mut self.extracted_from);
        let out = self.query(q);
        self.pipeline = pipeline;
        self.table = table;
        self.target = target;
        self.extracted_from = extracted;
        self.depth -= 1;
        let (raw, raw_extra) = (self.raw, self.raw_extra);
        (
            self.raw,
            self.json_valued,
            self.cols,
            self.raw_extra,
            self.flat,
            self.right_rows,
        ) = saved;
        SubQuery {
            pipeline: out,
            raw,
            raw_extra,
        }
    }

    /// Whether a `table`/`fields +` here keeps `_raw` (see `keep_raw`).
    pub(crate) fn keeps_raw(&self) -> bool {
        self.keep_raw.contains(&self.pipeline)
    }

    /// Asks for another attempt that keeps `_raw` in this pipeline (see `wants_raw`).
    pub(super) fn want_raw(&mut self) {
        if !self.keeps_raw() && !self.wants_raw.contains(&self.pipeline) {
            self.wants_raw.push(self.pipeline);
        }
    }

    /// After a stage that reshaped the rows (`table`, `fields +`, `stats`, `dedup` + `table`):
    /// `kept` when its command kept `_raw` for later stages — the event's only if the rows
    /// still carried it (naming `_raw` after a `stats` keeps nothing).
    pub(super) fn reshaped(&mut self, kept: bool) {
        self.raw &= kept;
        self.raw_extra = kept;
    }

    /// The rows no longer carry their original `_raw` event.
    pub(crate) fn mark_reshaped(&mut self) {
        self.raw = false;
    }

    fn stage(&mut self, stage: &Stage, kind: &StageKind, cmds: &mut Vec<Command>) {
        match kind {
            StageKind::Filter(p) => {
                if let Some(e) = self.pred(p, false) {
                    cmds.push(Command::Where(e));
                }
            }
            StageKind::Extend(assigns) => self.extend_stage(assigns, cmds),
            StageKind::Project(assigns) => self.project_stage(assigns, cmds),
            StageKind::ProjectAway(pats) => {
                let v = pats.iter().filter_map(|p| self.pattern(p)).collect();
                cmds.push(Command::FieldsRemove(v));
            }
            StageKind::ProjectKeep(pats) => self.project_keep(pats, cmds),
            StageKind::Rename(pairs) => self.rename_stage(pairs, cmds),
            StageKind::Reorder(pats) => self.reorder(pats, cmds),
            StageKind::Aggregate { by, aggs } => self.summarize(by, aggs, stage.span, cmds),
            StageKind::Totals(aggs) => self.totals(aggs, cmds),
            StageKind::Scalar(sq) => self.scalar_stage(sq, cmds),
            StageKind::Sort(keys) => self.sort(keys, None, cmds),
            StageKind::Top { n, key } => self.sort(std::slice::from_ref(key), Some(*n), cmds),
            StageKind::Limit(n) => cmds.push(Command::Head(*n)),
            StageKind::Distinct(cols) => self.distinct(cols, cmds),
            StageKind::MvExpand(m) => self.mv_expand_stage(m, stage.span, cmds),
            StageKind::Parse(p) => self.parse_stage(p, stage.span, cmds),
            StageKind::Neighbours { dir, items } => self.neighbours_stage(*dir, items, cmds),
            StageKind::Count => self.count(cmds),
            // Needs the stages before it for the left side's columns: see `Tx::query`.
            StageKind::Join { .. } | StageKind::Ipv4Lookup(_) => {
                self.errors.push(Diagnostic::error(
                    SplCode::B000,
                    "internal error: a join reached the single-stage translator",
                    stage.span,
                ))
            }
        }
    }

    /// A helper field holding `value`, computed before the stage's commands.
    pub(super) fn helper(&mut self, value: Eval) -> Eval {
        self.helpers += 1;
        let name = format!("{TMP}h{}", self.helpers);
        self.pre.push((name.clone(), value));
        Eval::Field(name)
    }

    /// Puts pending helpers in an `eval` at `start`; they are removed after the stage.
    pub(super) fn flush_pre(&mut self, cmds: &mut Vec<Command>, start: usize) {
        if self.pre.is_empty() {
            return;
        }
        let pre = std::mem::take(&mut self.pre);
        self.cleanup.extend(pre.iter().map(|(n, _)| n.clone()));
        cmds.insert(start, Command::Eval(pre));
    }
}
