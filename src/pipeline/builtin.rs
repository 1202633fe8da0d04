//! The built-in pipelines as compiled in by `build.rs` from `builtin/*.yaml` (static text, no
//! YAML parsed at run time), and their conversion to [`Pipeline`] values. The YAML files stay
//! the one source of the data; `load.rs`'s tests check each compiled pipeline against a fresh
//! parse of its file.

use super::{FieldRule, Pipeline, Policy, TableMap, ValueMap};
use crate::backend::Effect;
use crate::ir::{Logsource, SplunkSource};
use crate::source::Span;

struct Builtin {
    name: &'static str,
    description: &'static str,
    unmapped: Option<Policy>,
    unmapped_tables: Option<Policy>,
    tables: &'static [Table],
}

struct Table {
    name: &'static str,
    origin: &'static str,
    /// index, sourcetype, source.
    splunk: Option<[Option<&'static str>; 3]>,
    elastic_index: Option<&'static str>,
    eql_category: Option<&'static str>,
    /// product, category, service.
    logsource: Option<[Option<&'static str>; 3]>,
    conditions: &'static [(&'static str, &'static [&'static str])],
    fields: &'static [Field],
}

struct Field {
    column: &'static str,
    path: &'static [&'static str],
    field: &'static str,
    note: Option<(Effect, &'static str)>,
    values: Option<Values>,
    basename: bool,
    /// The key's byte range in the YAML file.
    span: (usize, usize),
}

struct Values {
    map: &'static [(&'static str, &'static str)],
    lowercase: bool,
    others: Policy,
}

include!(concat!(env!("OUT_DIR"), "/builtin_pipelines.rs"));

/// The compiled built-in named by its file stem (`ecs`, `cim`, `sigma`).
pub(super) fn compiled(stem: &str) -> Option<Pipeline> {
    let (_, b) = COMPILED.iter().find(|(n, _)| *n == stem)?;
    Some(b.pipeline())
}

fn owned(s: Option<&'static str>) -> Option<String> {
    s.map(str::to_string)
}

impl Builtin {
    fn pipeline(&self) -> Pipeline {
        Pipeline {
            name: self.name.into(),
            description: self.description.into(),
            unmapped: self.unmapped,
            unmapped_tables: self.unmapped_tables,
            tables: self
                .tables
                .iter()
                .map(|t| (t.name.to_string(), t.map()))
                .collect(),
        }
    }
}

impl Table {
    fn map(&self) -> TableMap {
        TableMap {
            origin: self.origin.into(),
            splunk: self.splunk.map(|[index, sourcetype, source]| SplunkSource {
                index: owned(index),
                sourcetype: owned(sourcetype),
                source: owned(source),
            }),
            elastic_index: owned(self.elastic_index),
            eql_category: owned(self.eql_category),
            logsource: self
                .logsource
                .map(|[product, category, service]| Logsource {
                    product: owned(product),
                    category: owned(category),
                    service: owned(service),
                }),
            conditions: self
                .conditions
                .iter()
                .map(|(f, vs)| (f.to_string(), vs.iter().map(|v| v.to_string()).collect()))
                .collect(),
            fields: self.fields.iter().map(Field::rule).collect(),
        }
    }
}

impl Field {
    fn rule(&self) -> FieldRule {
        FieldRule {
            column: self.column.into(),
            path: self.path.iter().map(|p| p.to_string()).collect(),
            field: self.field.into(),
            note: self.note.map(|(e, n)| (e, n.to_string())),
            values: self.values.as_ref().map(|v| ValueMap {
                map: v
                    .map
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                lowercase: v.lowercase,
                others: v.others,
            }),
            basename: self.basename,
            span: Span::new(self.span.0, self.span.1),
        }
    }
}
