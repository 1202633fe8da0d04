//! Rule metadata from the Sentinel rule context: deterministic ids, title, tags, level and
//! timespans. Owns the Sentinel → Sigma vocabulary mapping; never looks at the query's logic.

use crate::yaml::Yaml;
use kqlport::backend::RuleContext;
use uuid::Uuid;

/// kqlport's fixed namespace for UUID v5 rule ids (itself `uuid5(NAMESPACE_URL,
/// "https://kqlport.invalid/sigma")`, written out so it never changes).
pub const NAMESPACE: Uuid = Uuid::from_u128(0x017c_5ee5_a2b3_58ac_a048_1246_a3c4_6098);

/// The seed of every id of one rule: the Sentinel id when there is one (case-folded, so the
/// same GUID in any spelling gives the same id), else the source name and a digest of the query.
pub fn seed(rule: &RuleContext, query_digest: &str) -> String {
    match &rule.id {
        Some(id) if !id.trim().is_empty() => format!("sentinel:{}", id.trim().to_ascii_lowercase()),
        _ => format!(
            "query:{}\n{}",
            rule.source_name.as_deref().unwrap_or(""),
            query_digest
        ),
    }
}

/// A UUID v5 of the seed and a role (`""` for the detection rule, `"correlation"` for its
/// correlation).
pub fn rule_id(seed: &str, role: &str) -> Uuid {
    let name = if role.is_empty() {
        seed.to_string()
    } else {
        format!("{seed}#{role}")
    };
    Uuid::new_v5(&NAMESPACE, name.as_bytes())
}

pub fn title(rule: &RuleContext, table: &str) -> String {
    let t = rule
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("KQL detection on {table}"));
    truncate(&t, 256)
}

pub fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}

/// A `name:` for the base rule a correlation references: a slug of the title plus the first
/// eight hex digits of the rule id, so two rules with one title still differ.
pub fn rule_name(title: &str, id: &Uuid) -> String {
    let mut slug = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('_') && !slug.is_empty() {
            slug.push('_');
        }
    }
    let slug = truncate(slug.trim_end_matches('_'), 64);
    let hex = id.simple().to_string();
    let short = &hex[..8];
    if slug.is_empty() {
        format!("kqlport_{short}")
    } else {
        format!("{slug}_{short}")
    }
}

/// Sentinel severity → Sigma level; unknown or absent → none.
pub fn level(rule: &RuleContext) -> Option<&'static str> {
    match rule
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
        "critical" => Some("critical"),
        _ => None,
    }
}

/// `attack.<tactic>` then `attack.tNNNN[.NNN]`, de-duplicated, in input order. Sentinel tactics
/// with no ATT&CK Enterprise tag (`PreAttack`, the ICS-only `ImpairProcessControl` and
/// `InhibitResponseFunction`) and malformed technique ids are left out.
pub fn tags(rule: &RuleContext) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |t: String| {
        if !out.contains(&t) {
            out.push(t);
        }
    };
    for tactic in &rule.tactics {
        if let Some(t) = tactic_tag(tactic) {
            push(format!("attack.{t}"));
        }
    }
    for tech in &rule.techniques {
        if let Some(t) = technique_tag(tech) {
            push(format!("attack.{t}"));
        }
    }
    out
}

fn tactic_tag(tactic: &str) -> Option<&'static str> {
    let key: String = tactic
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    Some(match key.as_str() {
        "reconnaissance" => "reconnaissance",
        "resourcedevelopment" => "resource_development",
        "initialaccess" => "initial_access",
        "execution" => "execution",
        "persistence" => "persistence",
        "privilegeescalation" => "privilege_escalation",
        "defenseevasion" => "defense_evasion",
        "credentialaccess" => "credential_access",
        "discovery" => "discovery",
        "lateralmovement" => "lateral_movement",
        "collection" => "collection",
        "commandandcontrol" => "command_and_control",
        "exfiltration" => "exfiltration",
        "impact" => "impact",
        _ => return None,
    })
}

fn technique_tag(tech: &str) -> Option<String> {
    let t = tech.trim();
    let rest = t.strip_prefix(['T', 't'])?;
    let (main, sub) = match rest.split_once('.') {
        Some((m, s)) => (m, Some(s)),
        None => (rest, None),
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(main, 4) || !sub.is_none_or(|s| digits(s, 3)) {
        return None;
    }
    Some(match sub {
        Some(s) => format!("t{main}.{s}"),
        None => format!("t{main}"),
    })
}

/// A duration in seconds → Sigma's `timespan` (`<n><s|m|h|d>`, the largest exact unit).
pub fn timespan_from_seconds(secs: i64) -> Option<String> {
    if secs <= 0 {
        return None;
    }
    for (size, unit) in [(86_400, 'd'), (3_600, 'h'), (60, 'm'), (1, 's')] {
        if secs % size == 0 {
            return Some(format!("{}{unit}", secs / size));
        }
    }
    None
}

/// Parses a rule's query period: KQL style (`1h`, `14d`, `30m`, `45s`) or ISO-8601 (`PT1H`,
/// `P14D`, `P1DT12H`). Returns seconds.
pub fn parse_period(p: &str) -> Option<i64> {
    let p = p.trim();
    if let Some(iso) = p.strip_prefix(['P', 'p']) {
        let mut secs: i64 = 0;
        let mut num = String::new();
        let mut in_time = false;
        let mut any = false;
        for c in iso.chars() {
            match c.to_ascii_uppercase() {
                'T' if num.is_empty() => in_time = true,
                d if d.is_ascii_digit() => num.push(d),
                u => {
                    let n: i64 = num.parse().ok()?;
                    num.clear();
                    let size = match (u, in_time) {
                        ('W', false) => 604_800,
                        ('D', false) => 86_400,
                        ('H', true) => 3_600,
                        ('M', true) => 60,
                        ('S', true) => 1,
                        _ => return None,
                    };
                    secs = secs.checked_add(n.checked_mul(size)?)?;
                    any = true;
                }
            }
        }
        return (num.is_empty() && any).then_some(secs);
    }
    let split = p.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = p.split_at(split);
    let n: i64 = n.parse().ok()?;
    let size = match unit {
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        "s" => 1,
        _ => return None,
    };
    n.checked_mul(size)
}

/// status, description, references, author, tags — shared by both documents.
pub(crate) fn common_meta(m: &mut Vec<(String, Yaml)>, rule: &RuleContext, title: &str) {
    m.push(("status".into(), Yaml::str("experimental")));
    let description = rule
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("{title} (translated from a Microsoft Sentinel KQL query)"));
    m.push((
        "description".into(),
        Yaml::Str(truncate(&description, 65_535)),
    ));
    let mut refs: Vec<Yaml> = Vec::new();
    for r in &rule.references {
        let r = Yaml::Str(r.trim().to_string());
        if !refs.contains(&r) && r != Yaml::str("") {
            refs.push(r);
        }
    }
    if !refs.is_empty() {
        m.push(("references".into(), Yaml::Seq(refs)));
    }
    m.push(("author".into(), Yaml::str("kqlport (translated)")));
    let tags = tags(rule);
    if !tags.is_empty() {
        m.push((
            "tags".into(),
            Yaml::Seq(tags.into_iter().map(Yaml::Str).collect()),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_is_documented_value() {
        assert_eq!(
            Uuid::new_v5(&Uuid::NAMESPACE_URL, b"https://kqlport.invalid/sigma"),
            NAMESPACE
        );
        assert_eq!(
            NAMESPACE.to_string(),
            "017c5ee5-a2b3-58ac-a048-1246a3c46098"
        );
    }

    #[test]
    fn periods() {
        assert_eq!(parse_period("1h"), Some(3600));
        assert_eq!(parse_period("PT1H"), Some(3600));
        assert_eq!(parse_period("P14D"), Some(14 * 86400));
        assert_eq!(parse_period("14d"), Some(14 * 86400));
        assert_eq!(parse_period("P1DT12H"), Some(36 * 3600));
        assert_eq!(parse_period("PT90M"), Some(5400));
        assert_eq!(parse_period("1.5h"), None);
        assert_eq!(parse_period("P"), None);
        assert_eq!(timespan_from_seconds(36 * 3600), Some("36h".into()));
        assert_eq!(timespan_from_seconds(5400), Some("90m".into()));
    }

    #[test]
    fn tactic_and_technique_tags() {
        let rule = RuleContext {
            tactics: vec![
                "CredentialAccess".into(),
                "CommandAndControl".into(),
                "PreAttack".into(),
                "ImpairProcessControl".into(),
            ],
            techniques: vec![
                "T1090".into(),
                "T1090.003".into(),
                "bogus".into(),
                "T1090".into(),
            ],
            ..Default::default()
        };
        assert_eq!(
            tags(&rule),
            [
                "attack.credential_access",
                "attack.command_and_control",
                "attack.t1090",
                "attack.t1090.003"
            ]
        );
    }
}
