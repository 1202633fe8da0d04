//! A Sentinel rule's schedule (`queryFrequency`, `queryPeriod`, `kind: NRT`) in each target's
//! terms: a cron expression for Splunk, an interval and a look-back for Elastic. Each
//! approximation is returned as a note for the rule file.

pub use kqlport_sigma::meta::parse_period;

/// How often a near-real-time rule runs on a target that has no NRT mode: once a minute, the
/// shortest interval both Splunk's cron and Kibana's alerting (its default
/// `xpack.alerting.rules.minimumScheduleInterval`) accept.
pub const NRT_SECONDS: i64 = 60;

/// A duration in seconds in the largest exact unit: `5m`, `1h`, `14d`, `90s`.
pub fn short(secs: i64) -> String {
    for (size, unit) in [(86_400, 'd'), (3_600, 'h'), (60, 'm')] {
        if secs % size == 0 {
            return format!("{}{unit}", secs / size);
        }
    }
    format!("{secs}s")
}

/// A cron expression that runs every `secs` seconds, or the nearest schedule cron can hold
/// (more often, never less often, so no window is skipped) with a note saying so.
pub fn cron(secs: i64) -> (String, Option<String>) {
    let minutes = secs / 60;
    let exact_minutes = secs % 60 == 0;
    if secs < 60 {
        return (
            "* * * * *".into(),
            Some(format!(
                "runs every minute: cron cannot schedule every {}",
                short(secs)
            )),
        );
    }
    if minutes < 60 {
        // `*/N` restarts at each hour: exact only when N divides 60.
        let n = (1..=minutes).rev().find(|d| 60 % d == 0).unwrap_or(1);
        let expr = if n == 1 {
            "* * * * *".to_string()
        } else {
            format!("*/{n} * * * *")
        };
        let note = (n != minutes || !exact_minutes).then(|| {
            format!(
                "runs every {n} minutes: cron cannot schedule every {}",
                short(secs)
            )
        });
        return (expr, note);
    }
    let hours = secs / 3_600;
    if hours < 24 {
        let n = (1..=hours).rev().find(|d| 24 % d == 0).unwrap_or(1);
        let expr = if n == 1 {
            "0 * * * *".to_string()
        } else {
            format!("0 */{n} * * *")
        };
        let note = (n != hours || secs % 3_600 != 0).then(|| {
            format!(
                "runs every {n} hours: cron cannot schedule every {}",
                short(secs)
            )
        });
        return (expr, note);
    }
    let days = secs / 86_400;
    if days == 1 && secs % 86_400 == 0 {
        return ("0 0 * * *".into(), None);
    }
    if days == 7 && secs % 86_400 == 0 {
        return ("0 0 * * 0".into(), None);
    }
    (
        "0 0 * * *".into(),
        Some(format!(
            "runs daily: cron cannot schedule every {} (a day-of-month step restarts each month)",
            short(secs)
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_expressions() {
        assert_eq!(cron(300), ("*/5 * * * *".into(), None));
        assert_eq!(cron(60), ("* * * * *".into(), None));
        assert_eq!(cron(3_600), ("0 * * * *".into(), None));
        assert_eq!(cron(6 * 3_600), ("0 */6 * * *".into(), None));
        assert_eq!(cron(86_400), ("0 0 * * *".into(), None));
        assert_eq!(cron(7 * 86_400), ("0 0 * * 0".into(), None));
        let (e, n) = cron(45 * 60);
        assert_eq!(e, "*/30 * * * *");
        assert!(n.unwrap().contains("every 45m"));
        let (e, n) = cron(5 * 3_600);
        assert_eq!(e, "0 */4 * * *");
        assert!(n.is_some());
        let (e, n) = cron(14 * 86_400);
        assert_eq!(e, "0 0 * * *");
        assert!(n.is_some());
    }

    #[test]
    fn short_units() {
        assert_eq!(short(300), "5m");
        assert_eq!(short(5_400), "90m");
        assert_eq!(short(14 * 86_400), "14d");
        assert_eq!(short(90), "90s");
    }
}
