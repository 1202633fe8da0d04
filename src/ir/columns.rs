//! Which columns a query's rows carry, where that follows from the query alone (a `project`,
//! `summarize`, `distinct` … fixes them) rather than from the source table's schema, which
//! kqlport does not know exactly ([`crate::schema`] has documented column types, not a
//! workspace's actual columns and their order). Owns the column arithmetic of stages
//! (including KQL's renaming of clashing join columns). It never guesses a table's columns:
//! [`columns_before`] starts from the schema only where the schema lists a table's full set.

use super::*;

impl Query {
    /// The output column names in order, or `None` when they depend on a table's schema.
    pub fn output_columns(&self) -> Option<Vec<String>> {
        columns_after(self.source_output_columns(), &self.stages)
    }

    /// The columns the source hands to the first stage, where the query alone fixes them: a
    /// union whose every leg fixes its columns has each column of any leg once, in order of
    /// first appearance (the `withsource` column first); a table, `None`.
    pub fn source_output_columns(&self) -> Option<Vec<String>> {
        match &self.source.kind {
            SourceKind::Table(_) => None,
            SourceKind::Lookup(l) => l.declared_columns(),
            SourceKind::Union(u) => union_columns(u, |leg| leg.output_columns()),
        }
    }
}

/// A union's columns from each leg's (`None` when any leg's are unknown).
pub fn union_columns(
    u: &Union,
    leg_columns: impl Fn(&Query) -> Option<Vec<String>>,
) -> Option<Vec<String>> {
    let mut out: Vec<String> = u.withsource.iter().map(|c| c.name.clone()).collect();
    for leg in &u.legs {
        for c in leg_columns(leg)? {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    Some(out)
}

/// The columns before stage `index` of `q`: those the query's own stages fix, else the source
/// table's full column list (when its schema is complete) carried through the stages; `None`
/// when neither is known. A join's left side uses it to name clashing right columns as KQL does.
pub fn columns_before(q: &Query, index: usize) -> Option<Vec<String>> {
    let stages = &q.stages[..index];
    columns_after(q.source_output_columns(), stages).or_else(|| {
        let all = schema_columns(q)?;
        columns_after(Some(all), stages)
    })
}

/// The columns a query's source has by the schema: a table's full column list (when the
/// schema lists it whole), a union's from its legs' (each from its table's schema).
fn schema_columns(q: &Query) -> Option<Vec<String>> {
    match &q.source.kind {
        // As a field-mapping pipeline names them.
        SourceKind::Table(table) => Some(
            crate::schema::table(table)?
                .all_column_names()?
                .into_iter()
                .map(|c| match &q.source.target {
                    Some(t) => t.target_column(c).to_string(),
                    None => c.to_string(),
                })
                .collect(),
        ),
        SourceKind::Union(u) => union_columns(u, |leg| columns_before(leg, leg.stages.len())),
        SourceKind::Lookup(l) => l.declared_columns(),
    }
}

/// The columns after `stages`, starting from `start` (`None`: unknown, e.g. a whole table).
pub fn columns_after(start: Option<Vec<String>>, stages: &[Stage]) -> Option<Vec<String>> {
    let mut cols = start;
    for s in stages {
        cols = columns_of(cols, &s.kind);
    }
    cols
}

fn columns_of(cols: Option<Vec<String>>, kind: &StageKind) -> Option<Vec<String>> {
    columns_of_stage(cols, kind, &|right: &Query| right.output_columns())
}

/// The columns after one stage, from the columns before it (`None`: unknown); a join's right
/// side's columns come from `right` (e.g. starting from its table's schema).
pub fn columns_of_stage(
    cols: Option<Vec<String>>,
    kind: &StageKind,
    right: &dyn Fn(&Query) -> Option<Vec<String>>,
) -> Option<Vec<String>> {
    match kind {
        StageKind::Filter(_)
        | StageKind::Sort(_)
        | StageKind::Top { .. }
        | StageKind::Limit(_)
        | StageKind::Reorder(_) => cols,
        StageKind::Extend(assigns) | StageKind::Neighbours { items: assigns, .. } => {
            cols.map(|mut c| {
                for a in assigns {
                    if !c.contains(&a.name.name) {
                        c.push(a.name.name.clone());
                    }
                }
                c
            })
        }
        StageKind::Project(assigns) => Some(assigns.iter().map(|a| a.name.name.clone()).collect()),
        StageKind::ProjectAway(pats) => cols.map(|c| {
            c.into_iter()
                .filter(|n| !pats.iter().any(|p| glob(&p.pattern, n)))
                .collect()
        }),
        StageKind::ProjectKeep(pats) => cols.map(|c| {
            c.into_iter()
                .filter(|n| pats.iter().any(|p| glob(&p.pattern, n)))
                .collect()
        }),
        StageKind::Rename(pairs) => cols.map(|c| {
            c.into_iter()
                .map(|n| match pairs.iter().find(|(_, old)| old.name == n) {
                    Some((new, _)) => new.name.clone(),
                    None => n,
                })
                .collect()
        }),
        StageKind::Totals(aggs) => cols.map(|mut c| {
            for a in aggs {
                if !c.contains(&a.name.name) {
                    c.push(a.name.name.clone());
                }
            }
            c
        }),
        StageKind::Scalar(s) => cols.map(|mut c| {
            if !c.contains(&s.name.name) {
                c.push(s.name.name.clone());
            }
            c
        }),
        StageKind::Aggregate { by, aggs } => {
            // `arg_max(E, c1, c2)` outputs E's column, then c1, c2 (Kusto.Language's output
            // schema); `arg_max(E, *)` the extreme row's columns under names this module does
            // not model.
            let mut out: Vec<String> = by.iter().map(|k| k.name.name.clone()).collect();
            for a in aggs {
                if matches!(a.func, AggFunc::AnyRow) {
                    // `take_any(*)`: the input's columns but the keys, which are not known here.
                    return None;
                }
                out.push(a.name.name.clone());
                match &a.func {
                    AggFunc::ArgMax { cols, .. } | AggFunc::ArgMin { cols, .. } => {
                        if cols.is_empty() {
                            return None;
                        }
                        out.extend(cols.iter().map(|c| c.name.name.clone()));
                    }
                    _ => {}
                }
            }
            Some(out)
        }
        StageKind::MvExpand(m) => cols.map(|mut c| {
            let new = m.written();
            for n in new {
                if !c.contains(&n.name) {
                    c.push(n.name.clone());
                }
            }
            c
        }),
        // The lookup's declared columns after the input's (lowering refuses a name clash).
        StageKind::Ipv4Lookup(l) => cols.map(|mut c| {
            c.extend(l.table.columns.iter().map(|t| t.name.clone()));
            c
        }),
        StageKind::Parse(p) => cols.map(|mut c| {
            for n in p.captures() {
                if !c.contains(&n.name) {
                    c.push(n.name.clone());
                }
            }
            c
        }),
        StageKind::Distinct(c) => Some(c.iter().map(|c| c.name.clone()).collect()),
        StageKind::Count => Some(vec!["Count".to_string()]),
        StageKind::Join {
            kind, right: query, ..
        } => {
            let right = right(query);
            match kind.keeps_columns() {
                (true, false) => cols,
                (false, true) => right,
                _ => {
                    let (left, right) = (cols?, right?);
                    let renamed = join_names(&left, &right);
                    Some(
                        left.into_iter()
                            .chain(renamed.into_iter().map(|(_, n)| n))
                            .collect(),
                    )
                }
            }
        }
    }
}

/// KQL's names for the right columns of a join that keeps both sides, as `(right name,
/// output name)`: a name already taken (by a left column or an earlier right one) gets the first
/// free numeric suffix (`X` → `X1`, then `X2` …).
pub fn join_names(left: &[String], right: &[String]) -> Vec<(String, String)> {
    let mut taken: Vec<String> = left.to_vec();
    let mut out = Vec::new();
    for r in right {
        let mut name = r.clone();
        let mut i = 1;
        while taken.contains(&name) {
            name = format!("{r}{i}");
            i += 1;
        }
        taken.push(name.clone());
        out.push((r.clone(), name));
    }
    out
}

/// `*` matches any run of characters; everything else matches itself.
pub fn glob(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            let Some(rest) = name.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len())
                .filter(|i| rest.is_char_boundary(*i))
                .any(|i| glob(tail, &rest[i..]))
        }
    }
}
