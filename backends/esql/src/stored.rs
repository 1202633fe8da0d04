//! What the index stores under a column name, from the source table's schema
//! ([`kqlport::schema`]): a `dynamic` column is an object, which Elasticsearch indexes as its
//! leaf fields (ES|QL has no column for the object itself, so `KEEP X` fails to verify); a
//! `string` column is one keyword field, even when it holds JSON text. Owns which columns still
//! hold their source field at a stage, and the column patterns that select a dynamic column.

use crate::ast::Pattern;
use crate::cx::Cx;
use kqlport::backend::Effect;
use kqlport::ir::facts::Origin;
use kqlport::ir::{self, StageKind};
use kqlport::source::Span;
use std::collections::HashSet;

/// The source table's columns as its schema lists them (sorted), if the schema knows the table.
/// These are the columns a Sentinel table has, though an index may not map every one of them.
pub(crate) fn schema_columns(
    table: &str,
    target: Option<&kqlport::ir::TargetSource>,
) -> Option<Vec<String>> {
    let t = kqlport::schema::table(table)?;
    // As a field-mapping pipeline names them.
    let mut cols: Vec<String> = t
        .columns()
        .map(|(c, _)| target.map_or(c, |t| t.target_column(c)).to_string())
        .collect();
    cols.sort_unstable();
    Some(cols)
}

/// Stands for "every column": a join whose right side's columns are not known may have
/// brought in a field of any name.
pub(crate) const ALL: &str = "*";

/// The fields `stages`' joins bring into the ES|QL pipeline under their own names ([`ALL`]
/// when a right side's columns are not known). `LOOKUP JOIN` overwrites a column of the same
/// name with the lookup index's field: ES|QL's behaviour, not a fact of the KQL columns (those
/// are `Cx::cols`).
pub(crate) fn lookup_fields(stages: &[ir::Stage]) -> HashSet<String> {
    let mut out = HashSet::new();
    for s in stages {
        if let StageKind::Join { right, .. } = &s.kind {
            match right.output_columns() {
                Some(cols) => out.extend(cols),
                None => {
                    out.insert(ALL.into());
                }
            }
        }
    }
    out
}

impl Cx {
    /// A `KEEP`/`DROP` pattern for column `name`. A stored `dynamic` column may be an object,
    /// which has no column in ES|QL (only its leaf fields `name.…`), or a scalar / an array of
    /// scalars, which is one column `name`: `name*` selects either. When another column of the
    /// table also starts with `name` (`WatchlistItem`, `WatchlistItemId`), `name*` would select
    /// it too, so `name.*` selects the leaf fields of an object (noted: a scalar value has none).
    pub(crate) fn column_pattern(&mut self, name: &str, span: Span, keep: bool) -> Pattern {
        if !self.stored_object(name) {
            return Pattern::Name(name.to_string());
        }
        let table = self.table.clone();
        let clash = kqlport::schema::table(&table).and_then(|t| {
            let mut others: Vec<&str> = t
                .columns()
                .map(|(c, _)| c)
                .filter(|c| *c != name && c.starts_with(name))
                .collect();
            others.sort_unstable();
            others.first().map(|c| c.to_string())
        });
        let verb = if keep { "keeps" } else { "drops" };
        if let Some(other) = clash {
            if keep {
                self.notes.push(
                    span,
                    Effect::Values,
                    format!("`{name}` is a dynamic column: ES|QL has no column for an object, so its leaf fields `{name}.*` are kept (one column per leaf field) instead of KQL's one JSON value"),
                );
            }
            self.notes.push(
                span,
                Effect::UnderMatch,
                format!(
                    "`{name}` is a dynamic column read as an object: this {verb} `{name}.*` (not `{name}*`, which would also select `{other}`); if `{name}` holds a scalar or an array of scalars, the index has the field `{name}` and no `{name}.…`, and the query is rejected"
                ),
            );
            return Pattern::Wildcard(format!("{name}.*"));
        }
        if keep {
            self.notes.push(
                span,
                Effect::Values,
                format!(
                    "`{name}` is a dynamic column: Elasticsearch indexes an object as its leaf fields and ES|QL has no column for the object itself, so `{name}*` keeps `{name}` (a scalar or an array of scalars) or its leaf fields `{name}.…` (one column per leaf, an array's values as a multivalue) instead of KQL's one JSON value"
                ),
            );
        }
        Pattern::Wildcard(format!("{name}*"))
    }
}

impl Cx {
    /// Whether column `name` no longer holds the source table's field of that name: the
    /// column facts say it is not that event field as it is (a value the pipeline computed, a
    /// renamed field, a join's right-side column …), or a join brought in a field of that
    /// name ([`lookup_fields`]).
    pub fn redefined(&self, name: &str) -> bool {
        let stored = match self.cols.origin(name) {
            Origin::Event => true,
            Origin::Field(f) => f == name,
            Origin::Computed | Origin::Joined(_) => false,
        };
        !stored || self.lookup_fields.contains(name)
    }

    /// The type the source table's schema gives column `name`, while the pipeline still holds
    /// that field as the index stores it (not [`Cx::redefined`], and no join of unknown right
    /// columns before); `None` otherwise or when the schema does not know it.
    pub fn stored_type(&self, name: &str) -> Option<kqlport::schema::ColumnType> {
        if self.redefined(name) || self.lookup_fields.contains(ALL) {
            return None;
        }
        kqlport::ir::stored_column_type(&self.table, self.target.as_ref(), name)
    }

    /// Whether `fp` is a path into JSON text parsed from a stored `string` column (directly or
    /// through a column assigned `parse_json(X)`): read with JSON_EXTRACT.
    pub fn json_text_path(&self, fp: &ir::FieldPath) -> bool {
        let (column, parsed) = match self.spellings.get(&fp.column) {
            Some(a) => (a.target.column.as_str(), a.target.parsed || fp.parsed),
            None => (fp.column.as_str(), fp.parsed),
        };
        parsed
            && !fp.path.is_empty()
            && self.stored_type(column) == Some(kqlport::schema::ColumnType::String)
    }

    /// Whether `name` is a stored `dynamic` column: an object in the index, which has no column
    /// of its own in ES|QL, only its leaf fields (`name.a`, `name.b.c` …).
    pub fn stored_object(&self, name: &str) -> bool {
        self.stored_type(name) == Some(kqlport::schema::ColumnType::Dynamic)
            && !self.spellings.contains_key(name)
    }
}
