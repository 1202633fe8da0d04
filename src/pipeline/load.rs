//! Pipeline files: YAML through serde-saphyr (the rule loader's location machinery), checked
//! into a [`Pipeline`] with located errors — bad YAML (`Y001`/`Y003`/`Y006`), a key or value
//! of the wrong shape (`Y010`), an unknown table (`Y011`), a column mapped twice or two columns
//! onto one field (`Y012`).
//!
//! ```yaml
//! name: ecs
//! description: one line
//! unmapped: note            # keep | note | decline (columns of a listed table)
//! unmapped_tables: note     # the same, for tables the file does not list
//! tables:
//!   DeviceProcessEvents:
//!     from: where this table's mapping comes from
//!     splunk: {index: main, sourcetype: "ms:defender:eventhub", source: ...}
//!     elastic_index: logs-m365_defender.event-*
//!     eql_category: process
//!     logsource: {product: windows, category: process_creation, service: ...}
//!     where: {event.category: process}          # a value, or a list (any of them)
//!     fields:
//!       FolderPath: process.executable
//!       LocationDetails.city: source.geo.city_name
//!       AccountUpn: {field: user.email, note: "…", effect: values}
//!       ActionType: {field: event.action, values: {ProcessCreated: start}, lowercase: true, others: note}
//!       FileName: {field: Image, basename: true}   # Image is a path ending in \FileName
//! ```

use super::raw::{split_key, RawField, RawFieldFull, RawFile, RawTable};
use super::{FieldRule, Pipeline, Policy, TableMap, ValueMap};
use crate::backend::Effect;
use crate::codes::{Code, RuleCode};
use crate::diag::Diagnostic;
use crate::ir::{Logsource, SplunkSource};
use crate::sentinel::yaml::{location_span, yaml_error};
use crate::source::{LineIndex, Span};
use serde_saphyr::{Location, Spanned};
use std::collections::BTreeMap;

struct Ctx<'a> {
    text: &'a str,
    index: LineIndex,
    errors: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn span(&self, loc: &Location) -> Span {
        location_span(self.text, &self.index, loc)
    }

    fn error(&mut self, code: impl Into<Code>, message: String, loc: &Location) -> &mut Diagnostic {
        let span = self.span(loc);
        self.errors.push(Diagnostic::error(code, message, span));
        self.errors.last_mut().expect("just pushed")
    }

    fn policy(&mut self, s: &Spanned<String>) -> Option<Policy> {
        let p = Policy::from_name(&s.value);
        if p.is_none() {
            let e = self.error(
                RuleCode::Y010,
                format!("unknown policy `{}`", s.value),
                &s.referenced,
            );
            *e = e.clone().with_help("expected `keep`, `note` or `decline`");
        }
        p
    }
}

/// Parses one pipeline file. `file_name` names the pipeline when the file has no `name`.
/// Errors are located in `text`.
pub fn parse(file_name: &str, text: &str) -> Result<Pipeline, Vec<Diagnostic>> {
    let mut cx = Ctx {
        text,
        index: LineIndex::new(text),
        errors: Vec::new(),
    };
    let raw: RawFile = match serde_saphyr::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let mut d = yaml_error(text, &cx.index, &e);
            if d.code == RuleCode::Y001 {
                // Shape errors (an unknown key, a list for a string) are the file's, not YAML's.
                let shape = [
                    "unknown field",
                    "invalid type",
                    "missing field",
                    "unknown variant",
                    "did not match any variant",
                    "invalid value",
                ];
                if shape.iter().any(|m| d.message.contains(m)) {
                    d.code = RuleCode::Y010.code();
                    if let Some(rest) = d.message.strip_prefix("invalid YAML: ") {
                        d.message = format!("pipeline file: {rest}");
                    }
                }
                d = d.with_help(
                    "a pipeline file is a mapping with `name`, `description`, `unmapped`, \
                     `unmapped_tables` and `tables` (see `kqlport list pipelines`)",
                );
            }
            return Err(vec![d]);
        }
    };
    let stem = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file_name)
        .trim_end_matches(".yaml")
        .trim_end_matches(".yml")
        .to_string();
    let unmapped = raw.unmapped.as_ref().and_then(|p| cx.policy(p));
    let unmapped_tables = raw.unmapped_tables.as_ref().and_then(|p| cx.policy(p));
    let mut tables = BTreeMap::new();
    for (name, table) in raw.tables.map(|t| t.0).unwrap_or_default() {
        let Some(schema) = crate::schema::table(&name.value) else {
            let e = cx.error(
                RuleCode::Y011,
                format!("unknown table `{}`", name.value),
                &name.referenced,
            );
            *e = e.clone().with_help(
                "a pipeline maps Sentinel / Defender XDR tables kqlport knows (names are \
                 case-sensitive)",
            );
            continue;
        };
        let map = table_map(&mut cx, &name.value, schema, table.value, &name.referenced);
        tables.insert(name.value, map);
    }
    if !cx.errors.is_empty() {
        return Err(cx.errors);
    }
    Ok(Pipeline {
        name: raw.name.unwrap_or(stem),
        description: raw.description.unwrap_or_default(),
        unmapped,
        unmapped_tables,
        tables,
    })
}

fn table_map(
    cx: &mut Ctx<'_>,
    table: &str,
    schema: &crate::schema::Table,
    raw: RawTable,
    at: &Location,
) -> TableMap {
    let texts = [raw.elastic_index.as_deref(), raw.eql_category.as_deref()]
        .into_iter()
        .chain(raw.splunk.iter().flat_map(|s| {
            [
                s.index.as_deref(),
                s.sourcetype.as_deref(),
                s.source.as_deref(),
            ]
        }))
        .chain(raw.logsource.iter().flat_map(|l| {
            [
                l.product.as_deref(),
                l.category.as_deref(),
                l.service.as_deref(),
            ]
        }))
        .flatten();
    if let Some(bad) = texts.into_iter().find(|t| t.chars().any(char::is_control)) {
        let e = cx.error(
            RuleCode::Y010,
            format!("`{table}`: a source name holds a control character: {bad:?}"),
            at,
        );
        *e = e.clone().with_help(
            "index, sourcetype, source, category and logsource names are one line of plain text",
        );
    }
    let mut out = TableMap {
        origin: raw.from.unwrap_or_default(),
        splunk: raw.splunk.map(|s| SplunkSource {
            index: s.index,
            sourcetype: s.sourcetype,
            source: s.source,
        }),
        elastic_index: raw.elastic_index,
        eql_category: raw.eql_category,
        logsource: raw.logsource.map(|l| Logsource {
            product: l.product,
            category: l.category,
            service: l.service,
        }),
        conditions: Vec::new(),
        fields: Vec::new(),
    };
    for (field, values) in raw.conditions.map(|c| c.0).unwrap_or_default() {
        out.conditions.push((field.value, values.value.texts()));
    }
    // Where each column path and each target field was first defined, for `Y012`.
    let mut columns: Vec<(String, Span)> = Vec::new();
    let mut targets: Vec<(String, Span, String)> = Vec::new();
    for (key, spec) in raw.fields.map(|f| f.0).unwrap_or_default() {
        let key_span = cx.span(&key.referenced);
        let (column, path) = split_key(&key.value);
        let has_schema = schema.is_complete();
        if has_schema && schema.column_type(&column).is_none() {
            let e = cx.error(
                RuleCode::Y011,
                format!("`{table}` has no column `{column}`"),
                &key.referenced,
            );
            *e = e
                .clone()
                .with_help("field rules name a column of the table (`Column` or `Column.path`)");
            continue;
        }
        if let Some((_, first)) = columns.iter().find(|(c, _)| *c == key.value) {
            let first = *first;
            let e = cx.error(
                RuleCode::Y012,
                format!("`{}` is mapped twice", key.value),
                &key.referenced,
            );
            *e = e.clone().with_secondary(first, "first mapped here");
            continue;
        }
        columns.push((key.value.clone(), key_span));
        let rule = field_rule(cx, column, path, spec, key_span);
        let Some(rule) = rule else { continue };
        // Two columns onto one field only when the rule says how they differ (`TimeGenerated`
        // and `Timestamp` are both `@timestamp`, noted).
        let clash = targets
            .iter()
            .find(|(t, _, _)| *t == rule.field)
            .filter(|_| rule.note.is_none() && !rule.basename);
        if let Some((_, first, by)) = clash {
            let (first, by) = (*first, by.clone());
            let e = cx.error(
                RuleCode::Y012,
                format!(
                    "`{}` and `{by}` are both mapped to `{}`",
                    key.value, rule.field
                ),
                &key.referenced,
            );
            *e = e
                .clone()
                .with_secondary(first, "first mapped here")
                .with_help("a target field stands for one column, or a query comparing the two would compare a field with itself; give the second rule a `note` saying how they differ if that is intended");
            continue;
        }
        targets.push((rule.field.clone(), key_span, key.value.clone()));
        out.fields.push(rule);
    }
    out
}

fn field_rule(
    cx: &mut Ctx<'_>,
    column: String,
    path: Vec<String>,
    spec: Spanned<RawField>,
    span: Span,
) -> Option<FieldRule> {
    let full: RawFieldFull = spec.value.full();
    if full.field.is_empty() || full.field.chars().any(|c| c.is_control() || c == '`') {
        cx.error(
            RuleCode::Y010,
            "a target field name must be non-empty, without control characters or backquotes"
                .into(),
            &spec.referenced,
        );
        return None;
    }
    let effect = match full.effect.as_deref() {
        None | Some("values") => Effect::Values,
        Some("over-match") => Effect::OverMatch,
        Some("under-match") => Effect::UnderMatch,
        Some(other) => {
            let e = cx.error(
                RuleCode::Y010,
                format!("unknown effect `{other}`"),
                &spec.referenced,
            );
            *e = e
                .clone()
                .with_help("expected `over-match`, `under-match` or `values`");
            return None;
        }
    };
    let others = match full.others.as_deref() {
        None => Policy::Note,
        Some(o) => match Policy::from_name(o) {
            Some(p) => p,
            None => {
                let e = cx.error(
                    RuleCode::Y010,
                    format!("unknown policy `{o}`"),
                    &spec.referenced,
                );
                *e = e.clone().with_help("expected `keep`, `note` or `decline`");
                return None;
            }
        },
    };
    let values = match (full.values, full.lowercase) {
        (None, None | Some(false)) => None,
        (values, lowercase) => Some(ValueMap {
            map: values
                .map(|v| v.0)
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k.value, v.value.text()))
                .collect(),
            lowercase: lowercase.unwrap_or(false),
            others,
        }),
    };
    Some(FieldRule {
        column,
        path,
        field: full.field,
        note: full.note.map(|n| (effect, n)),
        values,
        basename: full.basename.unwrap_or(false),
        span,
    })
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn every_builtin_loads() {
        for (name, text) in super::super::BUILTINS {
            if *name == "none" {
                continue;
            }
            if let Err(e) = parse(name, text) {
                panic!("{name}: {e:#?}");
            }
        }
    }

    /// The compiled-in built-ins (`build.rs`) are their YAML files: each equals a fresh parse
    /// of its file, field spans included (`Span` compares equal whatever its range, so they
    /// are compared as ranges), for every built-in `BUILTINS` names.
    #[test]
    fn every_compiled_builtin_equals_its_yaml() {
        for (name, text) in super::super::BUILTINS {
            let compiled = super::super::Pipeline::builtin(name)
                .unwrap_or_else(|| panic!("`{name}` is not compiled in"));
            if *name == "none" {
                assert!(compiled.is_identity());
                continue;
            }
            let parsed = parse(&format!("{name}.yaml"), text).unwrap();
            assert_eq!(compiled.name, parsed.name);
            assert_eq!(
                compiled.tables.keys().collect::<Vec<_>>(),
                parsed.tables.keys().collect::<Vec<_>>(),
                "{name}: tables"
            );
            for (table, ours) in &compiled.tables {
                let theirs = &parsed.tables[table];
                assert_eq!(ours, theirs, "{name}: {table}");
                let ranges = |t: &super::TableMap| -> Vec<_> {
                    t.fields.iter().map(|r| r.span.range()).collect()
                };
                assert_eq!(ranges(ours), ranges(theirs), "{name}: {table}: field spans");
                for r in &ours.fields {
                    let key = &text[r.span.range()];
                    assert!(key.starts_with(r.column.as_str()), "{name}: {key:?}");
                }
            }
            assert_eq!(compiled, parsed, "{name}");
        }
    }

    fn error(text: &str) -> (String, String, String) {
        let e = parse("p.yaml", text).unwrap_err();
        let d = &e[0];
        (
            d.code.as_str().to_string(),
            d.message.clone(),
            text[d.span.start..d.span.end].to_string(),
        )
    }

    #[test]
    fn unknown_table_is_located() {
        let (code, msg, at) = error("tables:\n  NoSuchTable:\n    fields: {}\n");
        assert_eq!(code, "Y011");
        assert!(msg.contains("NoSuchTable"));
        assert!(at.starts_with("NoSuchTable"), "{at:?}");
    }

    #[test]
    fn unknown_column_is_located() {
        let (code, msg, at) =
            error("tables:\n  DeviceProcessEvents:\n    fields:\n      NoCol: x\n");
        assert_eq!(code, "Y011");
        assert!(msg.contains("NoCol"));
        assert!(at.starts_with("NoCol"), "{at:?}");
    }

    #[test]
    fn a_column_mapped_twice_is_an_error() {
        let text =
            "tables:\n  DeviceProcessEvents:\n    fields:\n      FileName: a\n      FileName: b\n";
        let (code, _, _) = error(text);
        assert_eq!(code, "Y003");
        let text = "tables:\n  DeviceProcessEvents:\n    fields:\n      FileName: a\n      FolderPath: a\n";
        let (code, msg, at) = error(text);
        assert_eq!(code, "Y012");
        assert!(msg.contains("`FolderPath` and `FileName`"), "{msg}");
        assert!(at.starts_with("FolderPath"), "{at:?}");
    }

    #[test]
    fn bad_yaml_and_bad_shapes_are_located() {
        let (code, _, _) = error("tables: [\n");
        assert_eq!(code, "Y001");
        let (code, msg, at) = error("tables:\n  DeviceProcessEvents:\n    colour: red\n");
        assert!(msg.contains("unknown field `colour`"), "{msg}");
        assert!(at.starts_with("colour"), "{at:?}");
        assert_eq!(code, "Y010");
        let (code, msg, at) = error("unmapped: sometimes\n");
        assert_eq!(code, "Y010");
        assert!(msg.contains("sometimes"));
        assert_eq!(at, "sometimes");
    }

    #[test]
    fn rules_paths_values_and_policies_load() {
        let p = parse(
            "mine.yml",
            "unmapped: decline\ntables:\n  SigninLogs:\n    elastic_index: logs-azure.signinlogs-*\n    where: {event.category: [authentication]}\n    fields:\n      LocationDetails.city: source.geo.city_name\n      ResultType: {field: azure.signinlogs.result_type, values: {'0': success}, others: keep}\n",
        )
        .unwrap();
        assert_eq!(p.name, "mine");
        assert_eq!(p.unmapped, Some(super::Policy::Decline));
        let t = &p.tables["SigninLogs"];
        assert_eq!(
            t.conditions,
            vec![(
                "event.category".to_string(),
                vec!["authentication".to_string()]
            )]
        );
        let r = t
            .rule("LocationDetails", &["city".into(), "x".into()])
            .unwrap();
        assert_eq!(r.field, "source.geo.city_name");
        assert!(t.rule("LocationDetails", &[]).is_none());
        let v = t.rule("ResultType", &[]).unwrap().values.as_ref().unwrap();
        assert_eq!(v.map, vec![("0".to_string(), "success".to_string())]);
    }
}
