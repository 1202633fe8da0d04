//! Sentinel YAML files: parses the text with serde-saphyr, turns YAML errors into located
//! `Y0xx` diagnostics, finds the `query` scalar and its source map, and fills the [`Rule`]
//! model leniently (a field that does not fit the model is kept raw, with a `Y004` warning).
//! It never reads files and never looks inside the KQL.

use super::rule::Rule;
use super::scalar_map::map_scalar;
use super::value::Value;
use super::yaml_location;
use super::{EmbeddedQuery, FileKind};
use crate::codes::RuleCode;
use crate::diag::Diagnostic;
use crate::source::{LineIndex, Span};
use serde::de::value::{Error as DeError, MapDeserializer};
use serde::de::{self, IgnoredAny, Visitor};
use serde::{Deserialize, Deserializer};
use serde_saphyr::{Location, Spanned};
use std::fmt;

/// A parsed Sentinel YAML file.
pub(crate) struct YamlDoc {
    pub kind: FileKind,
    pub rule: Rule,
    pub query: EmbeddedQuery,
    pub warnings: Vec<Diagnostic>,
}

/// The document's top level: a mapping with each value's location, or something else.
enum Top {
    Map(Vec<(String, Spanned<Value>)>),
    Other(&'static str),
}

struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML mapping")
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = map.next_key::<Value>()? {
            let key = match k {
                Value::String(s) => s,
                other => other.to_flow(),
            };
            out.push((key, map.next_value::<Spanned<Value>>()?));
        }
        Ok(Top::Map(out))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Top, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Top::Other("a sequence"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Top, E> {
        Ok(Top::Other("empty"))
    }
    fn visit_none<E: de::Error>(self) -> Result<Top, E> {
        Ok(Top::Other("empty"))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Top, E> {
        Ok(Top::Other("a boolean"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Top, E> {
        Ok(Top::Other("a number"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Top, E> {
        Ok(Top::Other("a number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Top, E> {
        Ok(Top::Other("a number"))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Top, E> {
        Ok(Top::Other("a plain string"))
    }
}

impl<'de> Deserialize<'de> for Top {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TopVisitor)
    }
}

/// Byte span of a serde-saphyr location in `text` (see [`yaml_location::byte_range`]).
pub(crate) fn location_span(text: &str, index: &LineIndex, loc: &Location) -> Span {
    let (start, end) = yaml_location::byte_range(text, |l| index.line_start(l), loc);
    Span::new(start, end)
}

/// A serde-saphyr error as a located diagnostic, with the parser's hints and location suffix
/// removed from the message.
pub(crate) fn yaml_error(text: &str, index: &LineIndex, e: &serde_saphyr::Error) -> Diagnostic {
    let span = e
        .location()
        .map_or(Span::new(0, 0), |l| location_span(text, index, &l));
    if let Some((what, help)) = budget_message(e) {
        return Diagnostic::error(RuleCode::Y006, what, span)
            .with_label("the loader stopped here")
            .with_help(help);
    }
    let raw = e.without_snippet().to_string();
    let mut msg = raw.as_str();
    if let Some(i) = msg.rfind(" at line ") {
        msg = &msg[..i];
    }
    for hint in [", set DuplicateKeyPolicy", "; use from_str_multiple"] {
        if let Some(i) = msg.find(hint) {
            msg = &msg[..i];
        }
    }
    if let Some(key) = msg.strip_prefix("duplicate mapping key: ") {
        let mut d = Diagnostic::error(RuleCode::Y003, format!("duplicate key `{key}`"), span)
            .with_label("defined again here")
            .with_help("YAML mapping keys must be unique; remove or rename one of them");
        if let Some(first) = first_key_occurrence(text, key, span.start) {
            d = d.with_secondary(first, "first defined here");
        }
        return d;
    }
    if msg.starts_with("multiple YAML documents") {
        let span = document_marker_before(text, span.start).unwrap_or(span);
        return Diagnostic::error(
            RuleCode::Y001,
            "a rule file must hold exactly one YAML document",
            span,
        )
        .with_label("a second document starts here");
    }
    Diagnostic::error(RuleCode::Y001, format!("invalid YAML: {msg}"), span)
}

/// What a YAML resource limit (serde-saphyr's budget, which guards against YAML bombs and deep
/// nesting) means, in words, with a hint; `None` for other errors.
fn budget_message(mut e: &serde_saphyr::Error) -> Option<(String, &'static str)> {
    use serde_saphyr::budget::BudgetBreach as B;
    use serde_saphyr::Error as E;
    while let E::AliasError { error, .. } | E::WithSnippet { error, .. } = e {
        e = error;
    }
    let E::Budget { breach, .. } = e else {
        return None;
    };
    let limits = "kqlport caps YAML size and nesting so a hostile file cannot exhaust memory";
    Some(match breach {
        B::Depth { depth } => (
            format!("the YAML is nested too deeply ({depth} levels of mappings or sequences)"),
            "a Sentinel rule needs only a few levels of nesting; flatten the structure",
        ),
        B::Aliases { .. } | B::Anchors { .. } | B::AliasAnchorRatio { .. } => (
            "the YAML uses too many anchors or aliases (`&a` / `*a`)".to_string(),
            "a file that expands aliases this much looks like a YAML bomb; write the values out",
        ),
        B::RecordedAnchorEvents { .. } | B::RecordedAnchorBytes { .. } => (
            "the YAML's anchors (`&a`) hold too much content to repeat".to_string(),
            limits,
        ),
        B::Events { .. } | B::Nodes { .. } => (
            "the YAML has too many values (mappings, sequences and scalars, each alias use \
             counting as the values it repeats) to load"
                .to_string(),
            limits,
        ),
        B::ScalarBytes { .. } | B::InputBytes { .. } => {
            ("the YAML holds too much text to load".to_string(), limits)
        }
        B::Documents { .. } => (
            "the file holds too many YAML documents".to_string(),
            "a rule file must hold exactly one YAML document",
        ),
        B::MergeKeys { .. } => (
            "the YAML uses too many merge keys (`<<`)".to_string(),
            limits,
        ),
        _ => (
            "the YAML exceeds the loader's size or complexity limits".to_string(),
            limits,
        ),
    })
}

/// The `---` line just above `at` (skipping blank and comment lines), if there is one.
fn document_marker_before(text: &str, at: usize) -> Option<Span> {
    let mut end = text[..at].rfind('\n')?;
    loop {
        let ls = text[..end].rfind('\n').map_or(0, |i| i + 1);
        let line = text[ls..end].trim_end_matches('\r');
        if line.starts_with("---") {
            return Some(Span::new(ls, ls + 3));
        }
        let t = line.trim();
        if !(t.is_empty() || t.starts_with('#')) || ls == 0 {
            return None;
        }
        end = ls - 1;
    }
}

/// The first `key:` at the same indentation as the duplicate at `dup`, before it.
fn first_key_occurrence(text: &str, key: &str, dup: usize) -> Option<Span> {
    let ls = text[..dup].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[ls..dup];
    let mut pos = 0;
    for line in text[..ls].split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix(indent) {
            let k = rest
                .strip_prefix(key)
                .map(|r| r.trim_start_matches([' ', '\t']));
            if k.is_some_and(|r| r.starts_with(':')) {
                let start = pos + indent.len();
                return Some(Span::new(start, start + key.len()));
            }
        }
        pos += line.len();
    }
    None
}

fn first_line(text: &str, at: usize) -> Span {
    let end = text[at..].find(['\r', '\n']).map_or(text.len(), |i| at + i);
    Span::new(at, end)
}

/// Whether `text` is a YAML mapping with a `query` key (used to sniff stdin).
pub(crate) fn looks_like_rule(text: &str) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        query: Option<IgnoredAny>,
    }
    matches!(
        serde_saphyr::from_str::<Probe>(text),
        Ok(Probe { query: Some(_) })
    )
}

pub(crate) fn load_yaml(text: &str) -> Result<YamlDoc, Vec<Diagnostic>> {
    let index = LineIndex::new(text);
    let top: Spanned<Top> =
        serde_saphyr::from_str(text).map_err(|e| vec![yaml_error(text, &index, &e)])?;
    let doc_start = location_span(text, &index, &top.referenced).start;
    let entries = match top.value {
        Top::Map(entries) => entries,
        Top::Other(what) => {
            return Err(vec![Diagnostic::error(
                RuleCode::Y002,
                format!("no `query` field: the document is {what}, not a mapping"),
                first_line(text, doc_start),
            )
            .with_help(
                "a Sentinel rule is a YAML mapping with a `query: |` field",
            )]);
        }
    };

    let Some((_, q)) = entries.iter().find(|(k, _)| k == "query") else {
        return Err(vec![Diagnostic::error(
            RuleCode::Y002,
            "no `query` field",
            first_line(text, doc_start),
        )
        .with_label("this YAML mapping has no `query` key")
        .with_help(
            "a Sentinel rule holds its KQL in a top-level `query: |` field",
        )]);
    };
    let q_span = location_span(text, &index, &q.referenced);
    let Value::String(query_text) = &q.value else {
        return Err(vec![Diagnostic::error(
            RuleCode::Y002,
            format!("`query` is {}, not a string", q.value.kind_name()),
            q_span,
        )
        .with_label("expected the KQL text here")]);
    };
    let scalar = map_scalar(text, q_span.start, q_span.end, query_text);
    let mut warnings = Vec::new();
    if !scalar.exact {
        warnings.push(
            Diagnostic::warning(
                RuleCode::Y005,
                "positions inside this query may be approximate",
                q_span,
            )
            .with_help(
                "the YAML scalar could not be re-scanned exactly; error locations in it may be off",
            ),
        );
    }
    let query = EmbeddedQuery {
        index: 0,
        text: query_text.clone(),
        map: scalar.map,
        span: q_span,
        style: scalar.style,
        exact_map: scalar.exact,
    };

    let (rule, mut field_warnings) = build_rule(text, &index, entries);
    warnings.append(&mut field_warnings);
    let kind = if is_analytic(&rule) {
        FileKind::AnalyticRule
    } else {
        FileKind::HuntingQuery
    };
    Ok(YamlDoc {
        kind,
        rule,
        query,
        warnings,
    })
}

fn is_analytic(rule: &Rule) -> bool {
    let kind = rule.kind.as_deref().map(str::to_ascii_lowercase);
    matches!(kind.as_deref(), Some("scheduled" | "nrt"))
        || rule.query_frequency.is_some()
        || rule.trigger_operator.is_some()
}

fn rule_from(entries: Vec<(String, Value)>) -> Result<Rule, DeError> {
    Rule::deserialize(MapDeserializer::<_, DeError>::new(entries.into_iter()))
}

/// Fills the model from the top-level entries. A field whose value does not fit is moved, raw,
/// into `extra` (keeping file order) and reported as a `Y004` warning at its value.
fn build_rule(
    text: &str,
    index: &LineIndex,
    entries: Vec<(String, Spanned<Value>)>,
) -> (Rule, Vec<Diagnostic>) {
    let plain: Vec<(String, Value)> = entries
        .iter()
        .map(|(k, v)| (k.clone(), v.value.clone()))
        .collect();
    if let Ok(rule) = rule_from(plain.clone()) {
        return (rule, Vec::new());
    }
    let mut warnings = Vec::new();
    let mut good = Vec::new();
    for (k, v) in entries {
        match rule_from(vec![(k.clone(), v.value.clone())]) {
            Ok(_) => good.push((k, v.value)),
            Err(e) => {
                warnings.push(
                    Diagnostic::warning(
                        RuleCode::Y004,
                        format!("field `{k}` does not fit the Sentinel rule model: {e}"),
                        location_span(text, index, &v.referenced),
                    )
                    .with_help("the value is kept as an unknown field; kqlport ignores it"),
                );
                good.push((format!("\u{0}{k}"), v.value));
            }
        }
    }
    // Known keys that failed are passed under a name the model cannot match, so they land in
    // `extra` in file order; then they get their own name back.
    match rule_from(good) {
        Ok(mut rule) => {
            rule.extra = rule
                .extra
                .into_iter()
                .map(|(k, v)| match k.strip_prefix('\u{0}') {
                    Some(orig) => (orig.to_string(), v),
                    None => (k, v),
                })
                .collect();
            (rule, warnings)
        }
        Err(e) => {
            // Fields that fit alone but not together: keep everything raw.
            warnings.push(Diagnostic::warning(
                RuleCode::Y004,
                format!("the rule's fields do not fit the Sentinel rule model: {e}"),
                Span::new(0, 0),
            ));
            let extra = plain.into_iter().collect();
            (
                Rule {
                    extra,
                    ..Rule::default()
                },
                warnings,
            )
        }
    }
}
