//! Loading Sentinel detections from bytes: decoding (BOM, UTF-8), choosing the format (rule
//! YAML, Markdown with fenced KQL, bare KQL), the serde [`Rule`] model, and each query's text
//! with a [`SourceMap`] back into the file. It never touches the filesystem (callers pass bytes)
//! and never parses KQL.

mod markdown;
mod rule;
mod scalar_map;
mod value;
pub(crate) mod yaml;
mod yaml_location;

pub use rule::{
    AlertDetailsOverride, AlertDynamicProperty, DataConnector, EntityMapping,
    EventGroupingSettings, FieldMapping, GroupingConfiguration, IncidentConfiguration,
    NumberOrString, OneOrMany, Rule, SentinelEntityMapping, Tag,
};
pub use scalar_map::QueryStyle;
pub use value::Value;

use crate::codes::InputCode;
use crate::diag::Diagnostic;
use crate::source::{SourceMap, Span};
use serde::Serialize;

/// What a loaded file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum FileKind {
    /// Sentinel YAML with a schedule (`kind: Scheduled|NRT`, `queryFrequency` or
    /// `triggerOperator`).
    AnalyticRule,
    /// Sentinel YAML with a `query` but no schedule.
    HuntingQuery,
    /// A bare KQL file: the whole text is the query.
    Kql,
    /// Markdown: every ```` ```kql ```` / ```` ```kusto ```` fenced block is a query.
    Markdown,
}

/// A decoded, loaded file. Every file span (in diagnostics, [`EmbeddedQuery::span`], and
/// [`SourceMap::to_file`] results) is a byte offset into `text`.
#[derive(Clone, Debug)]
pub struct LoadedFile {
    pub kind: FileKind,
    /// The decoded file text, UTF-8 BOM removed.
    pub text: String,
    /// The rule model, for YAML files.
    pub rule: Option<Rule>,
    /// The queries in file order (one for YAML and KQL files; zero or more for Markdown).
    pub queries: Vec<EmbeddedQuery>,
    /// Non-fatal problems: rule fields that did not fit the model (`Y004`), queries whose
    /// positions could only be approximated (`Y005`). Spans are file offsets.
    pub warnings: Vec<Diagnostic>,
}

/// One query found in a file.
#[derive(Clone, Debug)]
pub struct EmbeddedQuery {
    /// The n-th query of its file, from 0.
    pub index: usize,
    /// The query text, decoded (YAML escapes and folding applied, Markdown fence indentation
    /// removed).
    pub text: String,
    /// Query offsets → file offsets.
    pub map: SourceMap,
    /// Where the query's source lies in the file: the YAML scalar (from its first content
    /// character or opening quote), the fenced block's content lines, or the whole file.
    pub span: Span,
    pub style: QueryStyle,
    /// False when the map could not be built exactly (a `Y005` warning says so).
    pub exact_map: bool,
}

/// Loads a file, choosing the format by its name: `.yaml`/`.yml` → Sentinel YAML, `.md` →
/// Markdown, anything else → bare KQL. Error spans are offsets into the decoded text (see
/// [`display_text`] to render errors when decoding itself failed).
pub fn load(file_name: &str, bytes: &[u8]) -> Result<LoadedFile, Vec<Diagnostic>> {
    load_as(Some(kind_for_name(file_name)), file_name, bytes)
}

/// The kind [`load`] assumes for a file name (`AnalyticRule` stands for "Sentinel YAML"; the
/// content decides between analytic rule and hunting query).
pub fn kind_for_name(file_name: &str) -> FileKind {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let ext = base
        .rsplit_once('.')
        .map(|(_, e)| {
            // real repositories hold names like `x.kql -` or `x.yaml"`
            e.trim_end_matches(|c: char| !c.is_ascii_alphanumeric())
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    match ext.as_str() {
        "yaml" | "yml" => FileKind::AnalyticRule,
        "md" | "markdown" => FileKind::Markdown,
        _ => FileKind::Kql,
    }
}

/// Loads bytes as the given kind; `None` sniffs (for stdin): a YAML mapping with a `query`
/// key is a rule, anything else is KQL. `AnalyticRule` and `HuntingQuery` both mean "Sentinel
/// YAML"; the content decides which one the result is.
pub fn load_as(
    kind_hint: Option<FileKind>,
    file_name: &str,
    bytes: &[u8],
) -> Result<LoadedFile, Vec<Diagnostic>> {
    let _ = file_name; // names appear only when rendering; kept for API symmetry
                       // The YAML parser recurses per nesting level (up to its limit): on a stack of its own.
    let mut file = crate::stack::with_stack(|| load_text(kind_hint, decode(bytes)?))?;
    // No query offset maps past the end of the file (a block scalar's decoded text may end in
    // a newline the file does not hold).
    let len = file.text.len();
    for q in &mut file.queries {
        q.map = std::mem::take(&mut q.map).within(len);
    }
    Ok(file)
}

fn load_text(kind_hint: Option<FileKind>, text: String) -> Result<LoadedFile, Vec<Diagnostic>> {
    if text
        .chars()
        .all(|c| c.is_whitespace() || matches!(c, '\u{200b}' | '\u{feff}'))
    {
        return Err(vec![Diagnostic::error(
            InputCode::I003,
            if text.is_empty() {
                "no query found: the file is empty"
            } else {
                "no query found: the file holds only whitespace"
            },
            Span::new(0, text.len()),
        )]);
    }
    let kind = match kind_hint {
        Some(k) => k,
        None if yaml::looks_like_rule(&text) => FileKind::AnalyticRule,
        None => FileKind::Kql,
    };
    match kind {
        FileKind::AnalyticRule | FileKind::HuntingQuery => {
            let doc = yaml::load_yaml(&text)?;
            Ok(LoadedFile {
                kind: doc.kind,
                text,
                rule: Some(doc.rule),
                queries: vec![doc.query],
                warnings: doc.warnings,
            })
        }
        FileKind::Markdown => {
            let queries = markdown::kql_blocks(&text)
                .into_iter()
                .filter(|b| !b.text.trim().is_empty())
                .enumerate()
                .map(|(index, b)| EmbeddedQuery {
                    index,
                    text: b.text,
                    map: b.map,
                    span: b.span,
                    style: QueryStyle::Fenced,
                    exact_map: true,
                })
                .collect();
            Ok(LoadedFile {
                kind,
                text,
                rule: None,
                queries,
                warnings: Vec::new(),
            })
        }
        FileKind::Kql => {
            let query = EmbeddedQuery {
                index: 0,
                text: text.clone(),
                map: SourceMap::shifted(0),
                span: Span::new(0, text.len()),
                style: QueryStyle::WholeFile,
                exact_map: true,
            };
            Ok(LoadedFile {
                kind,
                text,
                rule: None,
                queries: vec![query],
                warnings: Vec::new(),
            })
        }
    }
}

/// The text to render a load error against, even when the bytes are not valid UTF-8: BOM
/// removed, invalid sequences replaced. Offsets up to the first invalid byte match the bytes.
pub fn display_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(strip_bom(bytes)).into_owned()
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Decodes a file: strips a UTF-8 BOM, rejects invalid UTF-8 (`I001`) and binary data (`I002`).
fn decode(bytes: &[u8]) -> Result<String, Vec<Diagnostic>> {
    let body = strip_bom(bytes);
    match std::str::from_utf8(body) {
        Ok(s) => {
            if let Some(i) = s.find('\0') {
                return Err(vec![Diagnostic::error(
                    InputCode::I002,
                    "file looks binary (it contains a NUL byte), not text",
                    Span::new(i, i + 1),
                )]);
            }
            Ok(s.to_string())
        }
        Err(e) => {
            let at = e.valid_up_to();
            let byte = body.get(at).copied().unwrap_or(0);
            // The span is into `display_text`, where the invalid bytes are one U+FFFD.
            let mut d = Diagnostic::error(
                InputCode::I001,
                format!("file is not valid UTF-8 (invalid byte 0x{byte:02X})"),
                Span::new(at, at + char::REPLACEMENT_CHARACTER.len_utf8()),
            );
            if body.starts_with(b"\xFF\xFE") || body.starts_with(b"\xFE\xFF") {
                d = d.with_help("the file looks UTF-16 encoded; save it as UTF-8");
            } else if body.contains(&0) {
                d = d.with_help("the file looks binary, not text");
            }
            Err(vec![d])
        }
    }
}
