//! Field-mapping pipelines: the names a target's data really has. A pipeline maps each Sentinel
//! table to where a target keeps its rows (Splunk index/sourcetype/source, an Elastic index
//! pattern, an EQL event category, a Sigma logsource, plus conditions that pick the table's
//! events out of a shared index) and each column to the target's field, with value vocabularies
//! where they differ and a policy for columns it does not know.
//!
//! Pipelines are data (YAML, [`load`]): the built-ins (`ecs`, `cim`, `sigma`; `none` is the
//! identity) are the files in `src/pipeline/builtin/`, each table saying where its mapping came
//! from, compiled into statics at build time (`build.rs`, `builtin.rs`: no YAML is parsed at
//! run time); users add their own files, applied in order over a built-in. Mapping is a stage of its
//! own between lowering and the backends ([`apply`]), IR → IR, so every backend gets it and
//! `explain --ir --pipeline X` shows it.

mod apply;
mod builtin;
mod load;
mod raw;

pub use apply::{apply, Mapped, Unmapped};
pub use load::parse;

use crate::backend::Effect;
use crate::ir::{Logsource, SplunkSource};
use crate::source::Span;
use std::collections::BTreeMap;

/// What to do with a column the pipeline has no field for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// Keep the Sentinel name, silently.
    Keep,
    /// Keep the Sentinel name, with an approximation note at each use.
    Note,
    /// Refuse the translation, located at the use.
    Decline,
}

impl Policy {
    pub fn from_name(s: &str) -> Option<Policy> {
        match s {
            "keep" => Some(Policy::Keep),
            "note" => Some(Policy::Note),
            "decline" => Some(Policy::Decline),
            _ => None,
        }
    }
}

/// One pipeline, possibly several files merged ([`Pipeline::overlay`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    pub name: String,
    pub description: String,
    /// For columns of a mapped table that have no field rule (`None`: keep).
    pub unmapped: Option<Policy>,
    /// For tables the pipeline does not list (`None`: keep).
    pub unmapped_tables: Option<Policy>,
    pub tables: BTreeMap<String, TableMap>,
}

/// How one Sentinel table maps.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TableMap {
    /// Where the mapping came from (shown by `kqlport list pipelines --verbose` and kept in the
    /// YAML next to the data).
    pub origin: String,
    pub splunk: Option<SplunkSource>,
    pub elastic_index: Option<String>,
    pub eql_category: Option<String>,
    pub logsource: Option<Logsource>,
    /// Conditions every event of the table meets in the target (`event.category: process`):
    /// field, and the values one of which it equals (case-sensitively).
    pub conditions: Vec<(String, Vec<String>)>,
    pub fields: Vec<FieldRule>,
}

/// Column (or a path into a dynamic column) → target field.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldRule {
    pub column: String,
    /// Keys into the column's dynamic value (`LocationDetails.city` → `["city"]`); empty for
    /// the whole column.
    pub path: Vec<String>,
    /// The target's field (a dotted name is one field: `process.parent.name`).
    pub field: String,
    /// A lossy correspondence: noted at every use.
    pub note: Option<(Effect, String)>,
    pub values: Option<ValueMap>,
    /// The target field holds a Windows path whose last component is this column's value
    /// (Sigma has `Image`, no file-name field): an equality becomes an `endswith "\\name"`,
    /// other tests are noted.
    pub basename: bool,
    /// Where it was defined (in its pipeline file; empty for merged rules).
    pub span: Span,
}

/// A value vocabulary: Sentinel value → target value, for string tests and comparisons with
/// a constant.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueMap {
    pub map: Vec<(String, String)>,
    /// Values not in `map`: lower-cased first when set (Elastic's m365_defender writes
    /// `event.action` as the lower-cased ActionType).
    pub lowercase: bool,
    /// What to do with a value the map does not cover (after `lowercase`, a value is covered).
    pub others: Policy,
}

impl TableMap {
    /// The rule for `column` whose path is the longest prefix of `path`.
    pub fn rule(&self, column: &str, path: &[String]) -> Option<&FieldRule> {
        self.fields
            .iter()
            .filter(|r| r.column == column && path.starts_with(&r.path))
            .max_by_key(|r| r.path.len())
    }

    /// Whether any rule names `column`.
    pub fn knows(&self, column: &str) -> bool {
        self.fields.iter().any(|r| r.column == column)
    }
}

/// The built-in pipelines: name, one-line description, YAML text.
pub const BUILTINS: &[(&str, &str)] = &[
    ("none", ""),
    ("ecs", include_str!("builtin/ecs.yaml")),
    ("cim", include_str!("builtin/cim.yaml")),
    ("sigma", include_str!("builtin/sigma.yaml")),
];

/// The built-in a target gets when none is chosen (by the backend's name, `spl`, `esql`, `eql`,
/// `sigma`): the names the target's own data has — Splunk's CIM and add-ons, Elastic's ECS,
/// Sigma's taxonomy. `none` for anything else.
pub fn default_for(target: &str) -> &'static str {
    match target {
        "spl" => "cim",
        "esql" | "eql" => "ecs",
        "sigma" => "sigma",
        _ => "none",
    }
}

impl Pipeline {
    /// `none`: Sentinel names everywhere.
    pub fn none() -> Pipeline {
        Pipeline {
            name: "none".into(),
            description: "keep Sentinel table and field names (the table name becomes the index, \
                          sourcetype, EQL category or Sigma logsource service)"
                .into(),
            unmapped: None,
            unmapped_tables: None,
            tables: BTreeMap::new(),
        }
    }

    /// A built-in by name, compiled in from its YAML file at build time (`build.rs`): no YAML
    /// is parsed at run time. The files are tested to load without errors, and each compiled
    /// pipeline to equal a fresh parse of its file.
    pub fn builtin(name: &str) -> Option<Pipeline> {
        if name == "none" {
            return Some(Pipeline::none());
        }
        builtin::compiled(name)
    }

    /// Whether mapping with this pipeline changes nothing.
    pub fn is_identity(&self) -> bool {
        self.tables.is_empty()
            && self.unmapped.unwrap_or(Policy::Keep) == Policy::Keep
            && self.unmapped_tables.unwrap_or(Policy::Keep) == Policy::Keep
    }

    /// `other` applied over `self`: its tables' sources replace these, its field rules replace
    /// the rules for the same column and path and add the rest, its policies win, and the name
    /// becomes `self+other`.
    pub fn overlay(mut self, other: Pipeline) -> Pipeline {
        self.name = if self.name == "none" {
            other.name
        } else {
            format!("{}+{}", self.name, other.name)
        };
        self.unmapped = other.unmapped.or(self.unmapped);
        self.unmapped_tables = other.unmapped_tables.or(self.unmapped_tables);
        for (table, theirs) in other.tables {
            let ours = self.tables.entry(table).or_default();
            if !theirs.origin.is_empty() {
                ours.origin = theirs.origin;
            }
            ours.splunk = theirs.splunk.or(ours.splunk.take());
            ours.elastic_index = theirs.elastic_index.or(ours.elastic_index.take());
            ours.eql_category = theirs.eql_category.or(ours.eql_category.take());
            ours.logsource = theirs.logsource.or(ours.logsource.take());
            if !theirs.conditions.is_empty() {
                ours.conditions = theirs.conditions;
            }
            for rule in theirs.fields {
                ours.fields
                    .retain(|r| !(r.column == rule.column && r.path == rule.path));
                ours.fields.push(rule);
            }
        }
        self
    }
}
