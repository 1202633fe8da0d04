//! A translation as a Splunk savedsearches.conf stanza: the SPL as `search`, the Sentinel
//! schedule as `cron_schedule` and `dispatch.*_time`, the trigger as `counttype`/`relation`/
//! `quantity`, severity, description, and Enterprise Security's correlation-search keys
//! (ATT&CK annotations, notable event, risk objects from the entity mappings).
//!
//! No text from the input can leave its value: a .conf value is one line unless the line ends
//! with `\` (a continuation), a line starting with `[` opens a stanza and one starting with `#`
//! or `;` is a comment. Free text (name, description) is folded to one line, stanza-name
//! brackets are replaced and trailing backslashes dropped; the search keeps its lines through
//! continuations, and a search whose line breaks cannot be written that way is refused.

use super::{attack, schedule, severity, RuleFile, RuleFileInput};
use kqlport::backend::one_line;
use std::fmt::Write;

pub fn render(input: &RuleFileInput) -> Result<RuleFile, String> {
    let search = search_lines(input.query)?;
    let title = stanza_name(&input.title());
    let mut notes: Vec<String> = Vec::new();
    let mut keys: Vec<(&str, String)> = Vec::new();
    keys.push(("description", text(&input.description())));
    let mut first = true;
    let mut search_value = String::new();
    for line in &search {
        if !first {
            search_value.push_str("\\\n");
        }
        first = false;
        search_value.push_str(line);
    }
    keys.push(("search", search_value));

    // Schedule and time range.
    let frequency = input
        .context
        .query_frequency
        .as_deref()
        .and_then(schedule::parse_period);
    let period = input
        .context
        .query_period
        .as_deref()
        .and_then(schedule::parse_period);
    if input.is_nrt() {
        keys.push(("enableSched", "1".into()));
        keys.push(("cron_schedule", "* * * * *".into()));
        keys.push(("dispatch.earliest_time", "-1m".into()));
        keys.push(("dispatch.latest_time", "now".into()));
        notes.push(
            "Sentinel NRT rule: scheduled every minute over the last minute, the shortest \
             cron schedule (Splunk's real-time searches are not used)"
                .into(),
        );
    } else if let Some(freq) = frequency.filter(|s| *s > 0) {
        let (cron, note) = schedule::cron(freq);
        keys.push(("enableSched", "1".into()));
        keys.push(("cron_schedule", cron));
        notes.extend(note);
        let look_back = period.filter(|p| *p > 0).unwrap_or(freq);
        if period.is_none() {
            notes.push(format!(
                "no usable queryPeriod: the search looks back one run interval ({})",
                schedule::short(freq)
            ));
        }
        keys.push((
            "dispatch.earliest_time",
            format!("-{}", schedule::short(look_back)),
        ));
        keys.push(("dispatch.latest_time", "now".into()));
    } else {
        keys.push(("enableSched", "0".into()));
        notes.push(
            "no queryFrequency (a hunting query or bare KQL): written as an unscheduled saved \
             search; set cron_schedule and enableSched = 1 to alert on it"
                .into(),
        );
        if let Some(p) = period.filter(|p| *p > 0) {
            keys.push(("dispatch.earliest_time", format!("-{}", schedule::short(p))));
            keys.push(("dispatch.latest_time", "now".into()));
        }
    }

    // Alert condition.
    let (relation, quantity) = trigger(input, &mut notes);
    keys.push(("counttype", "number of events".into()));
    keys.push(("relation", relation.into()));
    keys.push(("quantity", quantity));
    if let Some(sev) = severity(input.context) {
        // savedsearches.conf: 1 debug, 2 info, 3 low, 4 medium, 5 high, 6 critical.
        let n = match sev {
            "informational" => 2,
            "low" => 3,
            "medium" => 4,
            _ => 5,
        };
        keys.push(("alert.severity", n.to_string()));
    }
    keys.push(("alert.track", "1".into()));
    if let Some(rule) = input.rule {
        if rule.suppression_enabled == Some(true) {
            if let Some(d) = rule
                .suppression_duration
                .as_deref()
                .and_then(schedule::parse_period)
                .filter(|d| *d > 0)
            {
                keys.push(("alert.suppress", "1".into()));
                keys.push(("alert.suppress.period", format!("{d}s")));
            }
        }
    }

    // Enterprise Security: correlation search, ATT&CK annotations, notable, risk.
    keys.push(("action.correlationsearch.enabled", "1".into()));
    keys.push(("action.correlationsearch.label", title.clone()));
    let techniques: Vec<String> = input
        .context
        .techniques
        .iter()
        .filter_map(|t| attack::technique(t).map(|t| t.id.to_string()))
        .collect();
    for t in &input.context.techniques {
        if attack::technique(t).is_none() {
            notes.push(format!(
                "technique {} is not an ATT&CK Enterprise id: left out of the annotations",
                one_line(t.trim())
            ));
        }
    }
    if !techniques.is_empty() {
        let annotations = serde_json::json!({ "mitre_attack": techniques });
        keys.push((
            "action.correlationsearch.annotations",
            annotations.to_string(),
        ));
    }
    keys.push(("action.notable", "1".into()));
    keys.push(("action.notable.param.rule_title", title.clone()));
    keys.push((
        "action.notable.param.rule_description",
        text(&input.description()),
    ));
    if let Some(sev) = severity(input.context) {
        keys.push(("action.notable.param.severity", sev.into()));
    }
    let entities = input.entity_columns();
    if entities.iter().any(|(_, _, id)| !qualifier(id)) {
        let score = match severity(input.context) {
            Some("informational") => 10,
            Some("low") => 25,
            Some("high") => 75,
            _ => 50,
        };
        let risk: Vec<serde_json::Value> = entities
            .iter()
            .filter(|(_, _, identifier)| !qualifier(identifier))
            .map(|(column, kind, _)| {
                serde_json::json!({
                    "risk_object_field": column,
                    "risk_object_type": risk_object_type(kind),
                    "risk_score": score,
                })
            })
            .collect();
        keys.push(("action.risk", "1".into()));
        keys.push((
            "action.risk.param._risk",
            serde_json::Value::Array(risk).to_string(),
        ));
    }
    let details = input.custom_details();
    if !details.is_empty() {
        let list: Vec<String> = details.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        notes.push(format!(
            "custom details ({}) are result columns: a notable event carries every result \
             column, so they need no separate mapping",
            list.join(", ")
        ));
    }

    let mut out = String::new();
    let which = input
        .query_index
        .filter(|_| input.query_count > 1)
        .map(|i| format!(" (query {i})"))
        .unwrap_or_default();
    comment(
        &mut out,
        &format!(
            "kqlport: {}{which} -> spl, {}",
            input.source_name, input.status
        ),
    );
    for a in &input.approximations {
        comment(&mut out, &format!("approximate at {a}"));
    }
    for c in &input.caveats {
        comment(&mut out, &format!("caveat {c}"));
    }
    for n in &notes {
        comment(&mut out, &format!("note: {n}"));
    }
    let _ = writeln!(out, "[{title}]");
    for (k, v) in keys {
        let _ = writeln!(out, "{k} = {v}");
    }
    out.push('\n');
    Ok(RuleFile {
        text: out,
        identity: title,
    })
}

/// Sentinel's trigger (`gt 0` when absent) as Splunk's relation and quantity.
fn trigger(input: &RuleFileInput, notes: &mut Vec<String>) -> (&'static str, String) {
    let Some(rule) = input.rule else {
        return ("greater than", "0".into());
    };
    let op = rule
        .trigger_operator
        .as_deref()
        .map(|o| {
            o.chars()
                .filter(char::is_ascii_alphabetic)
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .unwrap_or_else(|| "gt".into());
    let relation = match op.as_str() {
        "gt" | "greaterthan" => "greater than",
        "lt" | "lessthan" => "less than",
        "eq" | "equal" | "equals" => "equal to",
        "ne" | "notequal" | "notequals" => "not equal to",
        _ => {
            notes.push(format!(
                "triggerOperator {} is not one Sentinel documents: alerting on any result",
                one_line(&op)
            ));
            return ("greater than", "0".into());
        }
    };
    let threshold = match &rule.trigger_threshold {
        None => 0,
        Some(kqlport::sentinel::NumberOrString::Int(n)) => *n,
        Some(kqlport::sentinel::NumberOrString::Float(f)) if f.fract() == 0.0 => *f as i64,
        Some(kqlport::sentinel::NumberOrString::String(s)) if s.trim().parse::<i64>().is_ok() => {
            s.trim().parse().unwrap_or(0)
        }
        Some(_) => {
            notes.push("triggerThreshold is not a whole number: alerting on any result".into());
            return ("greater than", "0".into());
        }
    };
    (relation, threshold.to_string())
}

/// An entity identifier that qualifies another rather than naming the entity (an account's
/// domain, a host's DNS domain): not a risk object of its own.
fn qualifier(identifier: &str) -> bool {
    matches!(
        identifier.to_ascii_lowercase().as_str(),
        "ntdomain" | "dnsdomain" | "upnsuffix" | "domain"
    )
}

/// Sentinel entity type → Enterprise Security risk object type.
fn risk_object_type(kind: &str) -> &'static str {
    match kind.to_ascii_lowercase().as_str() {
        "account" => "user",
        "host" | "ip" => "system",
        _ => "other",
    }
}

/// A `# ` comment line holding `text` inert: one line, no control characters.
fn comment(out: &mut String, text: &str) {
    let _ = writeln!(out, "# {}", one_line(text));
}

/// Free text as a one-line .conf value ([`super::fold`]), a trailing backslash (a
/// continuation) dropped.
pub fn text(s: &str) -> String {
    super::fold(s).trim_end_matches(['\\', ' ']).to_string()
}

/// A stanza name: one line, with `[` and `]` replaced by `(` and `)` (a `]` would end the
/// name early), never empty.
fn stanza_name(s: &str) -> String {
    let name = text(s).replace('[', "(").replace(']', ")");
    if name.is_empty() {
        "kqlport rule".into()
    } else {
        name
    }
}

/// The search's lines as .conf continuation lines: whitespace around each line break outside
/// a string literal is insignificant in SPL and is trimmed (a line opening a subsearch, `[`,
/// gets a four-space indent); a line break inside a string
/// literal must survive the continuation as is, so a line there may not begin or end with
/// whitespace, and no line may end with `\` (it would continue the line) or be empty.
fn search_lines(spl: &str) -> Result<Vec<String>, String> {
    let mut lines = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut start_in_string = false;
    let mut current = String::new();
    let refuse = |why: &str| {
        format!("not written as a savedsearches.conf stanza: {why}; use --format query")
    };
    let mut finish = |line: &str, start_in: bool, end_in: bool| -> Result<(), String> {
        let mut l = line;
        if !start_in {
            l = l.trim_start();
        }
        if !end_in {
            l = l.trim_end();
        }
        if l.is_empty() {
            if start_in || end_in {
                return Err(refuse("a string literal in the search holds an empty line"));
            }
            return Ok(());
        }
        // A subsearch line keeps an indent, so no line of the file starts with `[` (a stanza
        // to a reader that looks at line starts before continuations).
        let indented;
        if !start_in && l.starts_with('[') {
            indented = format!("    {l}");
            l = &indented;
        }
        if start_in && l.starts_with(char::is_whitespace)
            || end_in && l.ends_with(char::is_whitespace)
        {
            return Err(refuse(
                "a string literal in the search has whitespace beside a line break, which a \
                 .conf continuation does not keep",
            ));
        }
        if l.ends_with('\\') {
            return Err(refuse(
                "a line of the search ends with `\\`, which .conf reads as a continuation",
            ));
        }
        lines.push(l.to_string());
        Ok(())
    };
    for c in spl.chars() {
        if c == '\n' {
            finish(&current, start_in_string, in_string)?;
            current.clear();
            start_in_string = in_string;
            escaped = false;
            continue;
        }
        if c == '\r' || (c.is_control() && c != '\t') {
            return Err(refuse("the search holds a control character"));
        }
        current.push(c);
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        }
    }
    finish(&current, start_in_string, in_string)?;
    if lines.is_empty() {
        return Err(refuse("the search is empty"));
    }
    // A line starting with `#`, `;` or `*` is a comment to some .conf readers even after a
    // continuation.
    if lines
        .iter()
        .skip(1)
        .any(|l| l.trim_start().starts_with(['#', ';', '*']))
    {
        return Err(refuse("a line of the search starts with `#`, `;` or `*`, which .conf readers take for a comment"));
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_lines_trimmed_outside_strings() {
        let s = "search index=* x=\"a\"\n| where y==1\n    [search z]\n";
        assert_eq!(
            search_lines(s).unwrap(),
            ["search index=* x=\"a\"", "| where y==1", "    [search z]"]
        );
    }

    #[test]
    fn line_breaks_inside_strings() {
        assert_eq!(
            search_lines("| where x==\"a\nb\"\n").unwrap(),
            ["| where x==\"a", "b\""]
        );
        assert!(search_lines("| where x==\"a \nb\"").is_err());
        assert!(search_lines("| where x==\"a\n b\"").is_err());
        assert!(search_lines("| where x==\"a\n\nb\"").is_err());
        assert!(search_lines("| where x==\"a\\\\\nb\"").is_err());
        // An escaped quote does not end the string.
        assert!(search_lines("| where x==\"\\\" \nb\"").is_err());
    }

    #[test]
    fn free_text_is_one_line() {
        assert_eq!(text("a\nb\r\n[evil]\\"), "a b [evil]");
        assert_eq!(text("x\u{2028}y"), "x y");
        assert_eq!(text("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(stanza_name("a]\n[b"), "a) (b");
        assert_eq!(stanza_name(" \n "), "kqlport rule");
    }
}
