//! `kqlport check --coverage`: how much of a rule collection each target translates, and why
//! the rest is declined — the reasons ranked by how many queries they stop, so the next gap
//! is visible at a glance; and how many translations filter in a way the target's index can
//! serve (`index_use`).

mod index_use;

use crate::convert::{self, Status, Target};
use crate::inputs;
use crate::load;
use crate::pipelines::Pipelines;
use crate::{Format, EXIT_OK};
use kqlport::{ir, kql, lower, Severity};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// How many reasons to list per target in the text report (the JSON has them all).
const TOP: usize = 15;

#[derive(Default, Serialize)]
struct TargetCoverage {
    target: &'static str,
    queries: usize,
    exact: usize,
    approximate: usize,
    declined: usize,
    /// Queries that did not parse, and inputs that could not be read or loaded.
    failed: usize,
    /// How many translations filter in an index-usable way (SPL, ES|QL, EQL; none for Sigma).
    #[serde(skip_serializing_if = "Option::is_none")]
    index_use: Option<IndexUse>,
    /// The first refusal of each declined query, by (code, construct), most frequent first.
    first_reasons: Vec<Reason>,
    /// With `--pipeline`: what the target's pipeline does not map ([`unmapped_section`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    unmapped: Option<UnmappedNames>,
}

/// Among the translated queries whose KQL has a positive field condition (`eligible`), how
/// many translations filter in a way the target's index serves (`index_usable`): for SPL a
/// term in the search clause beyond index, sourcetype and time; for ES|QL a pushed-down test
/// of a field beyond the time window in the leading `WHERE`s; for EQL a top-level field test
/// by a Lucene-run operator (`index_use`).
#[derive(Default, Serialize)]
struct IndexUse {
    eligible: usize,
    index_usable: usize,
    /// ES|QL only: of `eligible`, those whose first command after `FROM` is a `WHERE`
    /// Elasticsearch pushes down as a whole (the time window alone counts here).
    #[serde(skip_serializing_if = "Option::is_none")]
    first_where_pushable: Option<usize>,
}

impl IndexUse {
    fn new(target: Target) -> Option<IndexUse> {
        match target {
            Target::Sigma => None,
            Target::Esql => Some(IndexUse {
                first_where_pushable: Some(0),
                ..Default::default()
            }),
            Target::Spl | Target::Eql => Some(IndexUse::default()),
        }
    }

    fn count(&mut self, target: Target, query: &ir::Query, text: &str) {
        self.eligible += 1;
        let usable = match target {
            Target::Spl => index_use::spl_prefilters(text),
            Target::Eql => index_use::eql_index_usable(text),
            Target::Esql => {
                let lead = kqlport_esql::leading_filter(query).unwrap_or_default();
                if lead.first_where_pushable {
                    *self.first_where_pushable.get_or_insert(0) += 1;
                }
                lead.pushes_field_test
            }
            Target::Sigma => false,
        };
        if usable {
            self.index_usable += 1;
        }
    }
}

#[derive(Serialize)]
struct Reason {
    code: &'static str,
    construct: String,
    queries: usize,
}

/// What a refusal is about, for grouping: the first `quoted` KQL in its message (`mv-expand`,
/// `parse_user_agent()`), else the message itself.
fn construct(message: &str) -> String {
    let mut parts = message.splitn(3, '`');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(quoted), Some(_)) if !quoted.is_empty() => format!("`{quoted}`"),
        _ => message.chars().take(80).collect(),
    }
}

pub fn run(
    paths: &[PathBuf],
    targets: &[Target],
    pipelines: &Pipelines,
    report_unmapped: bool,
    format: Format,
    out: &mut impl Write,
) -> std::io::Result<u8> {
    let (found, unreadable) = inputs::collect(paths);
    let opts = convert::Options {
        targets,
        pipelines,
        strict: false,
        format,
        rule_format: crate::rulefile::RuleFormat::Query,
        out_dir: None,
        check: false,
    };
    let mut per: Vec<TargetCoverage> = targets
        .iter()
        .map(|t| TargetCoverage {
            target: t.name(),
            failed: unreadable.len(),
            queries: unreadable.len(),
            index_use: IndexUse::new(*t),
            ..Default::default()
        })
        .collect();
    let mut reasons: Vec<BTreeMap<(&'static str, String), usize>> =
        vec![BTreeMap::new(); targets.len()];
    let mut unmapped: Vec<UnmappedCounts> = vec![UnmappedCounts::default(); targets.len()];
    for input in &found {
        let loaded = load::load(input);
        // Each query's IR, for `index_use` (outcomes come in (query, target) order).
        let irs: Vec<Option<ir::Query>> = match &loaded {
            load::Loaded::Ok(f) => f
                .queries
                .iter()
                .map(|q| {
                    kql::parse(&q.text)
                        .ok()
                        .and_then(|ast| lower::lower(&ast).ok())
                        .map(|l| l.query)
                })
                .collect(),
            load::Loaded::Failed { .. } => Vec::new(),
        };
        let (_, outcomes) = convert::convert_input(input, loaded, &opts);
        for (n, o) in outcomes.into_iter().enumerate() {
            let query = irs.get(n / targets.len().max(1)).and_then(Option::as_ref);
            let i = targets.iter().position(|&t| t == o.target).unwrap_or(0);
            unmapped[i].add(&o.unmapped);
            let c = &mut per[i];
            c.queries += 1;
            if let (Some(q), Some(text), Some(u)) = (query, &o.text, c.index_use.as_mut()) {
                if index_use::has_positive_field_condition(q) {
                    u.count(o.target, q, text);
                }
            }
            match o.status {
                Status::Exact => c.exact += 1,
                Status::Approximate => c.approximate += 1,
                Status::Error => c.failed += 1,
                Status::Declined => {
                    c.declined += 1;
                    if let Some((d, _)) = o
                        .diagnostics
                        .iter()
                        .find(|(d, _)| d.severity == Severity::Error)
                    {
                        *reasons[i]
                            .entry((d.code.as_str(), construct(&d.message)))
                            .or_default() += 1;
                    }
                }
            }
        }
    }
    for (c, r) in per.iter_mut().zip(reasons) {
        let mut ranked: Vec<Reason> = r
            .into_iter()
            .map(|((code, construct), queries)| Reason {
                code,
                construct,
                queries,
            })
            .collect();
        // Most frequent first; ties in code and construct order, so the report is stable.
        ranked.sort_by_key(|r| std::cmp::Reverse(r.queries));
        c.first_reasons = ranked;
    }
    if report_unmapped {
        for ((c, counts), t) in per.iter_mut().zip(unmapped).zip(targets) {
            c.unmapped = Some(counts.ranked(&pipelines.for_target(*t).name));
        }
    }
    match format {
        Format::Json => crate::json::write_line(out, &per)?,
        Format::Text => {
            text_report(&per, out)?;
            if report_unmapped {
                unmapped_section(&per, out)?;
            }
        }
    }
    Ok(EXIT_OK)
}

// ---------------------------------------------------------------------------------------------
// What the field-mapping pipeline does not map (`check --coverage --pipeline X`)
// ---------------------------------------------------------------------------------------------

/// How many queries use each unmapped table and each unmapped column.
#[derive(Clone, Default)]
struct UnmappedCounts {
    tables: BTreeMap<String, usize>,
    columns: BTreeMap<(String, String), usize>,
}

impl UnmappedCounts {
    /// One query's unmapped uses: each name counted once per query.
    fn add(&mut self, uses: &[kqlport::pipeline::Unmapped]) {
        let mut seen = std::collections::BTreeSet::new();
        for u in uses {
            if seen.insert((&u.table, &u.column)) {
                match &u.column {
                    None => *self.tables.entry(u.table.clone()).or_default() += 1,
                    Some(c) => {
                        *self
                            .columns
                            .entry((u.table.clone(), c.clone()))
                            .or_default() += 1
                    }
                }
            }
        }
    }

    fn ranked(self, pipeline: &str) -> UnmappedNames {
        let mut tables: Vec<UnmappedName> = self
            .tables
            .into_iter()
            .map(|(table, queries)| UnmappedName {
                table,
                column: None,
                queries,
            })
            .collect();
        let mut columns: Vec<UnmappedName> = self
            .columns
            .into_iter()
            .map(|((table, column), queries)| UnmappedName {
                table,
                column: Some(column),
                queries,
            })
            .collect();
        // Most used first; ties in name order (the maps are sorted), so the report is stable.
        tables.sort_by_key(|n| std::cmp::Reverse(n.queries));
        columns.sort_by_key(|n| std::cmp::Reverse(n.queries));
        UnmappedNames {
            pipeline: pipeline.to_string(),
            tables,
            columns,
        }
    }
}

#[derive(Serialize)]
struct UnmappedNames {
    pipeline: String,
    /// Tables the pipeline does not list, by the number of queries reading them.
    tables: Vec<UnmappedName>,
    /// Columns of listed tables without a field rule, by the number of queries using them.
    columns: Vec<UnmappedName>,
}

#[derive(Serialize)]
struct UnmappedName {
    table: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<String>,
    queries: usize,
}

fn unmapped_section(per: &[TargetCoverage], out: &mut impl Write) -> std::io::Result<()> {
    for c in per {
        let Some(u) = &c.unmapped else { continue };
        let esc = kqlport::diag::escape_for_terminal;
        writeln!(
            out,
            "\n{}: pipeline `{}` does not map {} tables and {} columns used (top {} each, by queries)",
            c.target,
            esc(&u.pipeline),
            u.tables.len(),
            u.columns.len(),
            TOP
        )?;
        for n in u.tables.iter().take(TOP) {
            writeln!(out, "  {:>5}  table  {}", n.queries, esc(&n.table))?;
        }
        for n in u.columns.iter().take(TOP) {
            let column = n.column.as_deref().unwrap_or_default();
            writeln!(
                out,
                "  {:>5}  column {}.{}",
                n.queries,
                esc(&n.table),
                esc(column)
            )?;
        }
    }
    Ok(())
}

fn pct(n: usize, of: usize) -> String {
    if of == 0 {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * n as f64 / of as f64)
    }
}

fn text_report(per: &[TargetCoverage], out: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<6} {:>7} {:>16} {:>7} {:>11} {:>8} {:>6}",
        "target", "queries", "translated", "exact", "approximate", "declined", "failed"
    )?;
    for c in per {
        let translated = c.exact + c.approximate;
        writeln!(
            out,
            "{:<6} {:>7} {:>7} ({:>6}) {:>7} {:>11} {:>8} {:>6}",
            c.target,
            c.queries,
            translated,
            pct(translated, c.queries),
            c.exact,
            c.approximate,
            c.declined,
            c.failed
        )?;
    }
    writeln!(
        out,
        "\nfiltering the index can serve, among translations whose KQL has a positive field test:"
    )?;
    for c in per {
        let Some(u) = &c.index_use else { continue };
        let what = match c.target {
            "spl" => "a term in the search clause beyond index, sourcetype and time",
            "esql" => "a field test pushed down to Lucene in the leading WHERE",
            _ => "a field test Elasticsearch runs as a query",
        };
        write!(
            out,
            "  {:<6} {:>5} of {:>5} ({:>6})  {what}",
            c.target,
            u.index_usable,
            u.eligible,
            pct(u.index_usable, u.eligible)
        )?;
        if let Some(f) = u.first_where_pushable {
            write!(out, "; first WHERE pushable: {f} ({})", pct(f, u.eligible))?;
        }
        writeln!(out)?;
    }
    for c in per {
        writeln!(
            out,
            "\n{}: first reason each declined query is declined ({} reasons; top {})",
            c.target,
            c.first_reasons.len(),
            TOP.min(c.first_reasons.len())
        )?;
        for r in c.first_reasons.iter().take(TOP) {
            writeln!(
                out,
                "  {:>5}  {}  {}",
                r.queries,
                r.code,
                kqlport::diag::escape_for_terminal(&r.construct)
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::construct;

    #[test]
    fn the_construct_is_the_first_quoted_kql_else_the_message() {
        assert_eq!(
            construct("`mv-expand` is not supported yet; kqlport translates …"),
            "`mv-expand`"
        );
        assert_eq!(
            construct("Sigma has no form for sorting"),
            "Sigma has no form for sorting"
        );
        assert_eq!(construct("an `unclosed quote"), "an `unclosed quote");
    }
}
