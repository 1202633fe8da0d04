//! `summarize` without arg_max/arg_min → `eval` of computed keys, `fillnull`, `stats` (group
//! keys and `bin`, each aggregation as a stats function), `distinct` and `count`; and which
//! results hold epoch seconds.

use super::columns::agg_refs;
use super::time::{floor_bucket, seconds};
use super::{col, Tx, TMP};
use crate::ast::{Command, Eval, StatsAgg, StatsArg};
use kqlport::backend::Effect;
use kqlport::codes::SplCode;
use kqlport::ir::{AggFunc, Aggregation, BinSize, Column, Expr, ExprKind, GroupKey, GroupKeyKind};
use kqlport::source::Span;

/// values()/list() results: Splunk has no one-element array.
const SINGLE_VALUE_SET: &str = "a set or list of one element is a single value in Splunk (a \
     multivalue field with one value is that value), where KQL gives a one-element array";

impl Tx {
    /// `summarize` ([`Tx::aggregate`]), then what its output columns hold.
    pub(super) fn summarize(
        &mut self,
        by: &[GroupKey],
        aggs: &[Aggregation],
        span: Span,
        cmds: &mut Vec<Command>,
    ) {
        self.aggregate(by, aggs, span, cmds);
        // arg_max/arg_min keep whole rows: their `table` keeps `_raw` when asked.
        let extreme = aggs.iter().any(|a| picks_row(&a.func));
        self.reshaped(extreme && self.keeps_raw());
        // Only `arg_max(t, *)` and `take_any(*)` (a `table … *`) keep every field.
        let star = aggs.iter().any(|a| {
            matches!(&a.func, AggFunc::ArgMax { cols, .. } | AggFunc::ArgMin { cols, .. }
                if cols.is_empty())
                || matches!(a.func, AggFunc::AnyRow)
        });
        self.flat &= star;
    }

    /// `distinct` ⇒ `fillnull`, `stats count by …` (which drops rows with a null key), `table`.
    pub(super) fn distinct(&mut self, cols: &[Column], cmds: &mut Vec<Command>) {
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
    }

    /// `count` ⇒ `stats count AS Count`.
    pub(super) fn count(&mut self, cmds: &mut Vec<Command>) {
        self.reshaped(false);
        self.flat = false;
        cmds.push(Command::Stats {
            aggs: vec![StatsAgg {
                func: "count",
                arg: None,
                alias: "Count".to_string(),
            }],
            by: Vec::new(),
        })
    }

    pub(super) fn aggregate(
        &mut self,
        by: &[GroupKey],
        aggs: &[Aggregation],
        span: Span,
        cmds: &mut Vec<Command>,
    ) {
        let (extremes, others): (Vec<&Aggregation>, Vec<&Aggregation>) =
            aggs.iter().partition(|a| picks_row(&a.func));
        match extremes.as_slice() {
            [] => {}
            [a] => return self.arg_extreme(by, a, &others, cmds),
            [_, b, ..] => {
                return self.refuse(
                    SplCode::B015,
                    b.span,
                    "two row-picking aggregates (arg_max/arg_min/take_any(*)) in one summarize \
                     pick different rows, which one SPL dedup cannot express",
                    "a second arg_max/arg_min/take_any(*)",
                    "split the summarize: one arg_max/arg_min/take_any(*) per summarize",
                )
            }
        }
        let mut read = Vec::new();
        aggs.iter().for_each(|a| agg_refs(a, &mut read));
        let mut pre = Vec::new();
        let mut renames = Vec::new();
        let mut keys = Vec::new();
        for (i, k) in by.iter().enumerate() {
            let Some((name, value)) = self.group_key(k) else {
                continue;
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

    /// A group key's Splunk field name and the value to compute for it (`None` for a column
    /// kept as it is); `None` when the key is refused.
    pub(super) fn group_key(&mut self, k: &GroupKey) -> Option<(String, Option<Eval>)> {
        let name = self.name(&k.name.name, k.name.span)?;
        let value = match &k.kind {
            GroupKeyKind::Expr(e) => match &e.kind {
                ExprKind::Field(f) if f.is_plain() && col(&f.column) == name => {
                    self.not_split(&f.column, e.span)?;
                    None
                }
                _ => self.expr(e),
            },
            GroupKeyKind::Bin { field, size } => self.bin(field, size, k.name.span),
        };
        Some((name, value))
    }

    /// `bin(x, size)`: UTC buckets since the epoch, computed with `floor` (the `bin` command
    /// aligns day-sized spans to the search user's time zone).
    pub(super) fn bin(&mut self, field: &Expr, size: &BinSize, span: Span) -> Option<Eval> {
        let size = match size {
            BinSize::Duration(d) => {
                let x = self.time_value(field)?;
                return Some(floor_bucket(x, seconds(*d)));
            }
            BinSize::Number(n) if n.is_finite() && *n > 0.0 => format!("{n}"),
            BinSize::Number(_) => {
                self.refuse(
                    SplCode::B017,
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

    /// Aggregates over every row so far, added to each row (`toscalar(R | summarize …)` of
    /// the rows themselves): `eventstats` without `by`, which adds the one aggregation over
    /// all the results to every result. Lowering passes no aggregate that picks a row or
    /// collects values, so no cap applies.
    pub(super) fn totals(&mut self, aggs: &[Aggregation], cmds: &mut Vec<Command>) {
        let stats: Vec<StatsAgg> = aggs
            .iter()
            .filter_map(|a| self.agg(a))
            .map(|(s, _)| s)
            .collect();
        if stats.len() == aggs.len() {
            cmds.push(Command::EventStats {
                aggs: stats,
                by: Vec::new(),
            });
        }
    }

    /// One aggregation; the second value is a `max` cap to apply after `stats`.
    pub(super) fn agg(&mut self, a: &Aggregation) -> Option<(StatsAgg, Option<u64>)> {
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
            // Both the sample standard deviation (Splunk's stdev; stdevp is the population one).
            AggFunc::Stdev(e) => {
                self.notes.push(
                    a.span,
                    Effect::Values,
                    kqlport_kit::notes::STDEV_OF_ONE_VALUE,
                );
                (mk("stdev", Some(self.stats_arg(e)?)), None)
            }
            AggFunc::ArgMax { .. } | AggFunc::ArgMin { .. } | AggFunc::AnyRow => return None,
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
}

/// The first `max` values of the multivalue field `f` (a `make_set`/`make_list` cap).
pub(super) fn mv_cap(f: &str, max: u64) -> Eval {
    Eval::call(
        "mvindex",
        vec![
            Eval::Field(f.to_string()),
            Eval::Num("0".into()),
            Eval::Num(max.saturating_sub(1).to_string()),
        ],
    )
}

/// An aggregate that keeps one whole row of each group: `arg_max`/`arg_min`, `take_any(*)`.
fn picks_row(f: &AggFunc) -> bool {
    matches!(
        f,
        AggFunc::ArgMax { .. } | AggFunc::ArgMin { .. } | AggFunc::AnyRow
    )
}
