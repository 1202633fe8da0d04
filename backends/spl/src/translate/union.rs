//! A union source → SPL. Three forms, the first that fits:
//! * **one search** over several sourcetypes (`search index=* (sourcetype=A OR sourcetype=B)
//!   …`) when every leg runs the same stages and they translate to the same commands for each
//!   table; `withsource=C` is `eval C=sourcetype` (the sourcetype is the table name);
//! * **`multisearch`** when the legs differ but each leg is a `search` whose commands are all
//!   streaming (Search Reference › multisearch: "allows only streaming operations in each
//!   subsearch"; a lookup leg's `| inputlookup` is not one);
//! * **`append`** otherwise: the first leg is the main search and every later leg a subsearch,
//!   which Splunk cuts at 50,000 rows and 60 s by default (limits.conf `[subsearch]`
//!   `maxout`/`maxtime`) — noted as an under-match.
//!
//! The stages after the union then run on the combined rows.

use super::query::SubQuery;
use super::Tx;
use crate::ast::{Command, Head, Pipeline};
use kqlport::backend::Effect;
use kqlport::ir::{
    Assignment, Column, Expr, ExprKind, FieldPath, Literal, Query, Source, Stage, StageKind, Union,
};

impl Tx {
    pub(crate) fn union_query(&mut self, q: &Query, u: &Union) -> Option<Pipeline> {
        if let Some(p) = self.one_search(q, u) {
            return Some(p);
        }
        let mut legs: Vec<(SubQuery, &Query)> = Vec::new();
        for leg in &u.legs {
            if self.keeps_raw() {
                // The stages after the union read `_raw`: every leg keeps it.
                self.keep_raw.push((leg.span.start, leg.span.end));
            }
            let leg_q = with_source_column(leg, u, |t| {
                ExprKind::Literal(Literal::String(t.to_string()))
            });
            legs.push((self.sub_query(&leg_q), leg));
        }
        let mut pipelines = Vec::new();
        for (sub, _) in &legs {
            pipelines.push(sub.pipeline.clone()?);
        }
        // The combined rows: what every leg guarantees about its columns.
        self.raw = legs.iter().all(|(s, _)| s.raw);
        self.raw_extra = legs.iter().any(|(s, _)| s.raw_extra);
        self.flat = self.raw;
        self.table = u.tables().first().map_or(String::new(), |t| t.to_string());

        // A multisearch leg is a `search` (a lookup's `| inputlookup` is no streaming search).
        let streaming = pipelines
            .iter()
            .all(|p| matches!(p.search, Head::Search(_)) && p.commands.iter().all(is_streaming));
        let mut out = if streaming {
            Pipeline {
                search: Head::Multisearch(pipelines),
                commands: Vec::new(),
            }
        } else {
            let mut it = pipelines.into_iter();
            let mut main = it.next()?;
            for p in it {
                main.commands.push(Command::Append(Box::new(p)));
            }
            self.notes.push(
                q.source.span,
                Effect::UnderMatch,
                "the union's legs after the first run as `append` subsearches, which Splunk stops at 50,000 rows and 60 s by default (limits.conf [subsearch] maxout / maxtime): rows past that are lost",
            );
            main
        };
        self.stages_into(q, None, &mut out.commands);
        self.finish(q, &mut out.commands);
        self.errors.is_empty().then_some(out)
    }

    /// The one-search form, when every leg's stages are the same, row by row or a sort (each
    /// leg's own `summarize`/`take` works on its own rows, which one search would mix), and
    /// translate to the same commands for each table.
    fn one_search(&mut self, q: &Query, u: &Union) -> Option<Pipeline> {
        let shared = u
            .shared_stages()
            .filter(|s| u.legs.len() < 2 || s.iter().all(|x| x.kind.merges_across_legs()))?;
        // One search names the tables as sourcetypes; a leg a field-mapping pipeline sends to
        // its own index/sourcetype/source (and conditions) runs as its own leg instead.
        if u.legs.iter().any(|leg| leg.source.target.is_some()) {
            return None;
        }
        let mut first: Option<(Tx, Pipeline)> = None;
        let mut notes = Vec::new();
        let tables = u.tables();
        for table in &tables {
            let mut stages = Vec::new();
            if let Some(c) = &u.withsource {
                stages.push(source_stage(
                    c,
                    ExprKind::Field(FieldPath::column("sourcetype")),
                ));
            }
            stages.extend(shared.iter().cloned());
            stages.extend(q.stages.iter().cloned());
            let one = Query {
                source: Source::table(table.to_string(), q.source.span),
                stages,
                span: q.span,
            };
            let mut tx = self.fork();
            let mut p = tx.query(&one)?;
            let Head::Search(search) = &mut p.search else {
                return None;
            };
            let (_, sourcetypes) = search.from.iter_mut().find(|(k, _)| *k == "sourcetype")?;
            *sourcetypes = tables.iter().map(|t| t.to_string()).collect();
            match &first {
                None => first = Some((tx, p)),
                Some((_, p0)) if *p0 == p => notes.push(tx.notes),
                Some(_) => return None,
            }
        }
        let (tx, p) = first?;
        let (outer_notes, outer_errors) = (
            std::mem::take(&mut self.notes),
            std::mem::take(&mut self.errors),
        );
        *self = tx;
        self.notes.merge(outer_notes);
        for n in notes {
            self.notes.merge(n);
        }
        self.errors.extend(outer_errors);
        Some(p)
    }

    /// A fresh translator for the same place (depth, `_raw` policy, helper names).
    fn fork(&self) -> Tx {
        let mut t = Tx::new();
        t.keep_raw = self.keep_raw.clone();
        t.depth = self.depth;
        t.helpers = self.helpers;
        t
    }
}

/// `leg` with the `withsource` column set for each of its rows (after its own stages).
fn with_source_column(leg: &Query, u: &Union, value: impl Fn(&str) -> ExprKind) -> Query {
    let mut q = leg.clone();
    if let (Some(c), Some(t)) = (&u.withsource, leg.table()) {
        q.stages.push(source_stage(c, value(t)));
    }
    q
}

fn source_stage(c: &Column, value: ExprKind) -> Stage {
    Stage {
        kind: StageKind::Extend(vec![Assignment {
            name: c.clone(),
            expr: Expr {
                kind: value,
                span: c.span,
            },
        }]),
        span: c.span,
    }
}

/// Streaming commands only (multisearch's legs may hold nothing else).
fn is_streaming(c: &Command) -> bool {
    matches!(
        c,
        Command::Where(_)
            | Command::Eval(_)
            | Command::FieldsKeep(_)
            | Command::FieldsRemove(_)
            | Command::Rename(_)
            | Command::FillNull(_)
    )
}
