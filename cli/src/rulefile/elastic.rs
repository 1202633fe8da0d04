//! A translation as an Elastic Security detection rule (the Kibana detection engine's rule
//! object, as `POST /api/detection_engine/rules/_import` reads it from NDJSON): `esql` or `eql`
//! type and language, the query, the schedule (`interval`, `from`), severity and risk score,
//! the ATT&CK `threat` block, a stable `rule_id`, tags, and the entity-mapping and
//! custom-detail columns as `investigation_fields`. One JSON object on one line: serde_json
//! escapes every control character, so no input text can break the line.

use super::{attack, schedule, severity, RuleFile, RuleFileInput};
use crate::convert::Target;
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// kqlport's namespace for Elastic rule ids: `uuid5(NAMESPACE_URL,
/// "https://kqlport.invalid/elastic")`, written out so it never changes.
pub const NAMESPACE: Uuid = Uuid::from_u128(0x72c1_c91c_9d85_5240_97de_8635_6700_1403);

/// The rule's stable id: a UUID v5 of the Sentinel id (case-folded) — or, without one, of the
/// source name — with the target and, for one query of several, its index.
pub fn rule_id(input: &RuleFileInput) -> Uuid {
    let seed = match input.context.id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => format!("sentinel:{}", id.to_ascii_lowercase()),
        // The path relative to its PATH argument: the same however the path was spelled.
        _ => format!(
            "source:{}",
            input
                .context
                .source_name
                .as_deref()
                .unwrap_or(input.source_name)
        ),
    };
    let mut name = format!("{seed}#{}", input.target.name());
    if input.query_count > 1 {
        if let Some(i) = input.query_index {
            name.push_str(&format!("#query{i}"));
        }
    }
    Uuid::new_v5(&NAMESPACE, name.as_bytes())
}

pub fn render(input: &RuleFileInput) -> Result<RuleFile, String> {
    let (kind, language) = match input.target {
        Target::Eql => ("eql", "eql"),
        _ => ("esql", "esql"),
    };
    let mut notes: Vec<String> = Vec::new();
    let frequency = input
        .context
        .query_frequency
        .as_deref()
        .and_then(schedule::parse_period)
        .filter(|s| *s > 0);
    let period = input
        .context
        .query_period
        .as_deref()
        .and_then(schedule::parse_period)
        .filter(|s| *s > 0);
    let (interval, look_back) = if input.is_nrt() {
        notes.push(format!(
            "Sentinel NRT rule: runs every {} over the last {} (Kibana's shortest default \
             interval); Elastic has no near-real-time rule type",
            schedule::short(schedule::NRT_SECONDS),
            schedule::short(schedule::NRT_SECONDS)
        ));
        (schedule::NRT_SECONDS, schedule::NRT_SECONDS)
    } else if let Some(freq) = frequency {
        if period.is_none() {
            notes.push(format!(
                "no usable queryPeriod: the rule looks back one interval ({})",
                schedule::short(freq)
            ));
        }
        (freq, period.unwrap_or(freq))
    } else {
        notes.push(
            "no queryFrequency (a hunting query or bare KQL): Kibana's defaults, every 5m over \
             the last 6m; the rule is written disabled"
                .into(),
        );
        (300, period.unwrap_or(360))
    };
    let scheduled = input.is_nrt() || frequency.is_some();

    let (sev, risk) = match severity(input.context) {
        Some("informational") => {
            notes.push("Sentinel severity Informational: Elastic's lowest is low".into());
            ("low", 21)
        }
        Some("low") => ("low", 21),
        Some("high") => ("high", 73),
        Some(_) => ("medium", 47),
        None => {
            notes.push("no severity: written as medium".into());
            ("medium", 47)
        }
    };
    if let Some(rule) = input.rule {
        let op = rule
            .trigger_operator
            .as_deref()
            .unwrap_or("gt")
            .trim()
            .to_ascii_lowercase();
        let threshold = match &rule.trigger_threshold {
            None => Some(0),
            Some(kqlport::sentinel::NumberOrString::Int(n)) => Some(*n),
            Some(kqlport::sentinel::NumberOrString::Float(f)) => Some(*f as i64),
            Some(kqlport::sentinel::NumberOrString::String(s)) => s.trim().parse().ok(),
        };
        if !(matches!(op.as_str(), "gt" | "greaterthan") && threshold == Some(0)) {
            notes.push(format!(
                "Sentinel alerts when the result count is {} {}; an Elastic {kind} rule alerts \
                 on every result (no count condition)",
                super::splunk::text(&op),
                threshold.map_or("?".to_string(), |t| t.to_string())
            ));
        }
    }

    let (threat, threat_notes) = threat(input);
    notes.extend(threat_notes);

    let mut tags = vec![
        "Source: Microsoft Sentinel".to_string(),
        "kqlport".to_string(),
    ];
    if input.status == "approximate" {
        tags.push("kqlport: approximate".into());
    }
    for t in &input.context.tactics {
        if let Some(t) = attack::tactic(t) {
            let tag = format!("Tactic: {}", t.name);
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
    }

    let mut investigation: Vec<String> = Vec::new();
    for (column, _, _) in input.entity_columns() {
        if !investigation.contains(&column) {
            investigation.push(column);
        }
    }
    for (_, column) in input.custom_details() {
        if !column.is_empty() && !investigation.contains(&column) {
            investigation.push(column);
        }
    }

    let id = rule_id(input).to_string();
    let mut rule = Map::new();
    rule.insert("rule_id".into(), json!(id));
    rule.insert("name".into(), json!(input.title()));
    rule.insert("description".into(), json!(input.description()));
    rule.insert("type".into(), json!(kind));
    rule.insert("language".into(), json!(language));
    rule.insert("query".into(), json!(input.query));
    rule.insert("interval".into(), json!(schedule::short(interval)));
    rule.insert(
        "from".into(),
        json!(format!("now-{}", schedule::short(look_back))),
    );
    rule.insert("to".into(), json!("now"));
    rule.insert("enabled".into(), json!(scheduled));
    rule.insert("severity".into(), json!(sev));
    rule.insert("risk_score".into(), json!(risk));
    rule.insert("tags".into(), json!(tags));
    rule.insert("threat".into(), Value::Array(threat));
    rule.insert("author".into(), json!(["kqlport"]));
    if !investigation.is_empty() {
        rule.insert(
            "investigation_fields".into(),
            json!({ "field_names": investigation }),
        );
    }
    if kind == "esql" && look_back > interval && !aggregates(input.query) {
        notes.push(format!(
            "the look-back ({}) is longer than the interval ({}), so runs overlap; Kibana \
             deduplicates a non-aggregating ES|QL rule's alerts by `_id`, which this query does \
             not read (`METADATA _id, _index, _version`): an event can alert once per run that \
             sees it",
            schedule::short(look_back),
            schedule::short(interval)
        ));
    }
    if kind == "eql" {
        notes.push(
            "no index: the rule reads Kibana's default Security data views \
             (securitySolution:defaultIndex)"
                .into(),
        );
    }
    rule.insert("note".into(), json!(note(input, &notes)));
    let line = serde_json::to_string(&Value::Object(rule)).map_err(|e| e.to_string())?;
    Ok(RuleFile {
        text: format!("{line}\n"),
        identity: id,
    })
}

/// Whether an ES|QL query aggregates (a `STATS` command outside string literals): Kibana
/// deduplicates the alerts of such a rule by its grouping, of the others by `_id`.
fn aggregates(query: &str) -> bool {
    query.lines().any(|l| {
        let l = l.trim_start();
        l.strip_prefix('|')
            .map(str::trim_start)
            .is_some_and(|c| c.starts_with("STATS ") || c == "STATS")
    }) || query.lines().any(|l| l.contains("METADATA _id"))
}

/// The rule's investigation guide (Markdown): where it came from, each approximation, each
/// caveat and each note about the rule file.
fn note(input: &RuleFileInput, notes: &[String]) -> String {
    let mut s = format!(
        "Translated by kqlport from {} ({}).\n",
        md(input.source_name),
        input.status
    );
    let mut section = |title: &str, items: &[String]| {
        if !items.is_empty() {
            s.push_str(&format!("\n### {title}\n\n"));
            for i in items {
                s.push_str(&format!("- {}\n", md(i)));
            }
        }
    };
    section("Approximations (KQL line:column)", &input.approximations);
    section("Caveats", &input.caveats);
    section("Rule file notes", notes);
    s
}

/// Text on one Markdown list line: line breaks folded, so an item cannot open a heading.
fn md(s: &str) -> String {
    s.split(['\n', '\r', '\u{2028}', '\u{2029}'])
        .collect::<Vec<_>>()
        .join(" ")
}

/// A technique id placed under a tactic, with its sub-technique ids.
type Placed = (String, Vec<String>);

/// Elastic's `threat` array: one entry per ATT&CK tactic of the rule, in its order, each with
/// the rule's techniques that belong to it (sub-techniques under their technique). A technique
/// whose tactics the rule does not list goes under its own first tactic; unknown ids and
/// tactics are left out with a note.
fn threat(input: &RuleFileInput) -> (Vec<Value>, Vec<String>) {
    let mut notes = Vec::new();
    let mut tactics: Vec<attack::Tactic> = Vec::new();
    for t in &input.context.tactics {
        match attack::tactic(t) {
            Some(t) if !tactics.contains(&t) => tactics.push(t),
            Some(_) => {}
            None => notes.push(format!(
                "tactic {} has no ATT&CK Enterprise id: left out of threat",
                md(t.trim())
            )),
        }
    }
    let mut techniques: Vec<&attack::Technique> = Vec::new();
    for t in &input.context.techniques {
        match attack::technique(t) {
            Some(t) if !techniques.contains(&t) => techniques.push(t),
            Some(_) => {}
            None => notes.push(format!(
                "technique {} is not in ATT&CK Enterprise 18.1: left out of threat",
                md(t.trim())
            )),
        }
    }
    let mut placed: Vec<(attack::Tactic, Vec<Placed>)> =
        tactics.iter().map(|t| (*t, Vec::new())).collect();
    for t in techniques {
        let (parent, sub) = match t.id.split_once('.') {
            Some((p, _)) => (p.to_string(), Some(t.id.to_string())),
            None => (t.id.to_string(), None),
        };
        let home = placed
            .iter()
            .position(|(tac, _)| t.phases.contains(&tac.phase))
            .or_else(|| {
                let own = t.phases.iter().find_map(|p| attack::tactic_of_phase(p))?;
                notes.push(format!(
                    "technique {} belongs to {} ({}), which the rule does not list: added",
                    t.id, own.name, own.id
                ));
                placed.push((own, Vec::new()));
                Some(placed.len() - 1)
            });
        let Some(home) = home else {
            notes.push(format!(
                "technique {} has no tactic: left out of threat",
                t.id
            ));
            continue;
        };
        let list = &mut placed[home].1;
        let entry = match list.iter().position(|(id, _)| *id == parent) {
            Some(i) => &mut list[i],
            None => {
                list.push((parent, Vec::new()));
                list.last_mut().expect("just pushed")
            }
        };
        if let Some(s) = sub {
            if !entry.1.contains(&s) {
                entry.1.push(s);
            }
        }
    }
    let threat = placed
        .into_iter()
        .map(|(tac, techs)| {
            let techniques: Vec<Value> = techs
                .into_iter()
                .filter_map(|(id, subs)| {
                    let t = attack::technique(&id)?;
                    let mut v = json!({
                        "id": t.id,
                        "name": t.name,
                        "reference": attack::technique_url(t.id),
                    });
                    let subs: Vec<Value> = subs
                        .iter()
                        .filter_map(|s| attack::technique(s))
                        .map(|s| {
                            json!({
                                "id": s.id,
                                "name": s.name,
                                "reference": attack::technique_url(s.id),
                            })
                        })
                        .collect();
                    if !subs.is_empty() {
                        v["subtechnique"] = Value::Array(subs);
                    }
                    Some(v)
                })
                .collect();
            let mut v = json!({
                "framework": "MITRE ATT&CK",
                "tactic": {
                    "id": tac.id,
                    "name": tac.name,
                    "reference": attack::tactic_url(&tac),
                },
            });
            if !techniques.is_empty() {
                v["technique"] = Value::Array(techniques);
            }
            v
        })
        .collect();
    (threat, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_is_documented_value() {
        assert_eq!(
            Uuid::new_v5(&Uuid::NAMESPACE_URL, b"https://kqlport.invalid/elastic"),
            NAMESPACE
        );
    }
}
