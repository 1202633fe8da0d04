//! Deployable rule files (`convert --format`): what is written for a translation — the query
//! alone, a Splunk savedsearches.conf stanza, an Elastic detection rule (one NDJSON line), or
//! the Sigma rule — and the Sentinel rule metadata each format carries. The translation text
//! comes from the backends unchanged; this module only wraps it.

pub mod attack;
pub mod elastic;
pub mod schedule;
pub mod splunk;

use crate::convert::Target;
use kqlport::backend::RuleContext;
use kqlport::sentinel::Rule;

/// What `convert` writes for each translation.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RuleFormat {
    /// The translated query alone, approximations as comments at the top (every target).
    Query,
    /// A Splunk savedsearches.conf stanza: search, schedule, time range, alert condition,
    /// severity, description, ATT&CK annotations (`--to spl`).
    Splunk,
    /// An Elastic Security detection rule as one NDJSON line, importable into Kibana: type and
    /// language, query, interval, look-back, severity, risk score, ATT&CK threat, tags
    /// (`--to esql` or `--to eql`).
    Elastic,
    /// The Sigma rule, which already carries the metadata (`--to sigma`).
    Sigma,
}

impl RuleFormat {
    pub const ALL: [RuleFormat; 4] = [
        RuleFormat::Query,
        RuleFormat::Splunk,
        RuleFormat::Elastic,
        RuleFormat::Sigma,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RuleFormat::Query => "query",
            RuleFormat::Splunk => "splunk",
            RuleFormat::Elastic => "elastic",
            RuleFormat::Sigma => "sigma",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            RuleFormat::Query => "the translated query alone, approximations as comments",
            RuleFormat::Splunk => "a Splunk savedsearches.conf stanza (scheduled alert)",
            RuleFormat::Elastic => "an Elastic Security detection rule, one NDJSON line",
            RuleFormat::Sigma => "a Sigma rule with the Sentinel rule's metadata",
        }
    }

    /// The targets this format can hold.
    pub fn targets(self) -> &'static [Target] {
        match self {
            RuleFormat::Query => &[Target::Spl, Target::Esql, Target::Eql, Target::Sigma],
            RuleFormat::Splunk => &[Target::Spl],
            RuleFormat::Elastic => &[Target::Esql, Target::Eql],
            RuleFormat::Sigma => &[Target::Sigma],
        }
    }

    /// The output file extension for a target in this format (without the leading dot).
    pub fn extension(self, target: Target) -> &'static str {
        match (self, target) {
            (RuleFormat::Splunk, _) => "conf",
            (RuleFormat::Elastic, Target::Eql) => "eql.ndjson",
            (RuleFormat::Elastic, _) => "esql.ndjson",
            (RuleFormat::Query | RuleFormat::Sigma, t) => t.extension(),
        }
    }
}

/// One translation and what a rule file says about it.
pub struct RuleFileInput<'a> {
    /// The Sentinel rule, when the input was a rule file (not bare KQL).
    pub rule: Option<&'a Rule>,
    pub context: &'a RuleContext,
    /// The input's name as shown to the user.
    pub source_name: &'a str,
    /// The query's index in its file, and how many queries the file holds.
    pub query_index: Option<usize>,
    pub query_count: usize,
    pub target: Target,
    /// `exact` or `approximate`.
    pub status: &'a str,
    /// The translated query, as the backend wrote it.
    pub query: &'a str,
    /// Each approximation as `line:column: message`.
    pub approximations: Vec<String>,
    /// Each target-wide caveat as `[code]: message`.
    pub caveats: Vec<String>,
}

impl RuleFileInput<'_> {
    /// The rule's display name, on one line: the Sentinel name, else the source file name;
    /// `(query N)` added for one query of several.
    pub fn title(&self) -> String {
        let base = self
            .context
            .name
            .as_deref()
            .map(fold)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("kqlport: {}", fold(self.source_name)));
        match self.query_index {
            Some(i) if self.several_queries() => format!("{base} (query {i})"),
            _ => base,
        }
    }

    fn several_queries(&self) -> bool {
        self.query_count > 1
    }

    pub fn description(&self) -> String {
        self.context
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| {
                format!(
                    "Translated by kqlport from the Microsoft Sentinel query in {}.",
                    self.source_name
                )
            })
    }

    /// `Scheduled`, `NRT`, … (absent for hunting queries and bare KQL).
    pub fn kind(&self) -> Option<&str> {
        self.rule?.kind.as_deref().map(str::trim)
    }

    pub fn is_nrt(&self) -> bool {
        self.kind().is_some_and(|k| k.eq_ignore_ascii_case("nrt"))
    }

    /// Columns named by the rule's entity mappings (both spellings), in order, once each,
    /// as (column, entity type, identifier).
    pub fn entity_columns(&self) -> Vec<(String, String, String)> {
        let mut out: Vec<(String, String, String)> = Vec::new();
        let Some(rule) = self.rule else {
            return out;
        };
        for m in rule.entity_mappings.iter().flatten() {
            let kind = m.entity_type.clone().unwrap_or_default();
            for f in &m.field_mappings {
                if let Some(c) = f.column_name.as_deref().map(str::trim) {
                    if !c.is_empty() && !out.iter().any(|(x, _, _)| x == c) {
                        let id = f.identifier.clone().unwrap_or_default();
                        out.push((c.to_string(), kind.clone(), id));
                    }
                }
            }
        }
        for m in rule.sentinel_entities_mappings.iter().flatten() {
            if let Some(c) = m.column_name.as_deref().map(str::trim) {
                if !c.is_empty() && !out.iter().any(|(x, _, _)| x == c) {
                    out.push((c.to_string(), String::new(), String::new()));
                }
            }
        }
        out
    }

    /// Custom details: detail name → result column, in file order.
    pub fn custom_details(&self) -> Vec<(String, String)> {
        self.rule
            .and_then(|r| r.custom_details.as_ref())
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A rendered rule file and the name the target keeps it under (the stanza name, the
/// `rule_id`): two rule files with one identity merge or replace each other when deployed
/// together.
pub struct RuleFile {
    pub text: String,
    pub identity: String,
}

/// Renders one translation in `format`. `Err` says why this format cannot hold it.
pub fn render(format: RuleFormat, input: &RuleFileInput) -> Result<RuleFile, String> {
    match format {
        RuleFormat::Splunk => splunk::render(input),
        RuleFormat::Elastic => elastic::render(input),
        RuleFormat::Query | RuleFormat::Sigma => {
            unreachable!("the query and sigma formats are the translation text itself")
        }
    }
}

/// Text on one line: every run of whitespace or control characters (line breaks of every
/// kind included) becomes one space, the ends are trimmed, and what `backend::one_line`
/// escapes (bidi overrides, non-characters) is written as `\u{…}`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&kqlport::backend::one_line(word));
    }
    out
}

/// Sentinel severity, normalised: `informational`, `low`, `medium`, `high`, or none.
pub fn severity(context: &RuleContext) -> Option<&'static str> {
    match context
        .severity
        .as_deref()?
        .trim()
        .to_ascii_lowercase()
        .as_str()
    {
        "informational" => Some("informational"),
        "low" => Some("low"),
        "medium" => Some("medium"),
        "high" => Some("high"),
        _ => None,
    }
}
