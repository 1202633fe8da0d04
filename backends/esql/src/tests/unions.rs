//! A union whose legs run different row-wise operators: one `FROM`, a test per leg in the
//! `WHERE`, one `CASE` per column a leg changed (`union_legs`); legs that are not row by row,
//! or read one table twice: a FORK branch per leg (`union_fork`).

use super::*;

fn text(kql: &str) -> String {
    run(&ir_of(kql)).expect("translated").text
}

fn refusal(kql: &str) -> String {
    let d = declined(&ir_of(kql));
    assert_eq!(d[0].code.as_str(), "B031", "{d:?}");
    d[0].message.clone()
}

#[test]
fn legs_that_differ_are_one_from_with_a_test_per_leg() {
    let t = text(
        "union (SecurityEvent | where EventID == 4625 | extend Who = Account), \
         (Syslog | where Facility == \"auth\") | where isnotempty(Who)",
    );
    assert!(
        t.contains("FROM SecurityEvent, Syslog METADATA _index\n"),
        "{t}"
    );
    let se = "_index == \"SecurityEvent\" OR _index LIKE \".ds-SecurityEvent-*\"";
    assert!(
        t.contains(&format!("| WHERE (({se}) AND EventID == 4625) OR (")),
        "{t}"
    );
    // Syslog has no Account: its rows have no `Who`, which KQL's outer union reads as "" (a
    // string is never null; `Account` is a string).
    assert!(
        t.contains(&format!("| EVAL Who = CASE({se}, Account, \"\")")),
        "{t}"
    );
    // The filter after the union reads the union's column.
    let eval = t.find("| EVAL Who").expect("EVAL");
    assert!(t[eval..].contains("Who IS NOT NULL"), "{t}");
}

#[test]
fn a_column_a_leg_lacks_is_null_unless_known_a_string() {
    // EventID is an int: the Syslog rows have null.
    let t = text("union (SecurityEvent | extend e = EventID), (Syslog | extend f = 1)");
    assert!(
        t.contains("e = CASE(") && t.contains("EventID, NULL)"),
        "{t}"
    );
}

#[test]
fn a_later_extend_of_a_leg_reads_its_earlier_one() {
    let t = text(
        "union (SecurityEvent | extend a = Account | extend b = strcat(a, \"!\")), \
         (Syslog | extend b = HostName)",
    );
    // `b` of the first leg is computed from `Account`, not from the union's `a`.
    assert!(t.contains("b = CASE("), "{t}");
    let b = &t[t.find("b = CASE(").expect("b")..];
    assert!(b.contains("CONCAT(") && b.contains("Account"), "{t}");
}

#[test]
fn an_assignment_comes_before_one_that_overwrites_what_it_reads() {
    // `b` reads the stored `a` in the first leg; the second leg overwrites `a`.
    let t = text("union (SecurityEvent | extend b = Account), (Syslog | extend Account = \"x\")");
    let (b, a) = (
        t.find("b = CASE(").expect("b"),
        t.find("Account = CASE(").expect("Account"),
    );
    assert!(b < a, "{t}");
    // Each leg's value swapped with the other's: no order reads both stored values.
    assert!(refusal(
        "union (SecurityEvent | extend Computer = Account), (SecurityEvent2 | extend Account = Computer)"
    )
    .contains("cycle"));
}

#[test]
fn a_leg_that_is_not_row_by_row_is_a_fork_branch() {
    // Each leg's commands in its own branch after its test, every branch closed by the query's
    // LIMIT (FORK cuts a branch without one at 1,000 rows), `_fork` dropped; the Syslog branch
    // has no `n` (null, as KQL's union fills a number) and the SecurityEvent branch no
    // `HostName`, a string: "" as in KQL.
    let kql = "union (SecurityEvent | summarize n = count() by Computer), \
               (Syslog | where Facility == \"auth\" | project Computer, HostName) \
               | where Computer != \"x\"";
    insta::assert_snapshot!(text(kql), @r#"
    FROM SecurityEvent, Syslog METADATA _index
    | FORK (WHERE _index == "SecurityEvent" OR _index LIKE ".ds-SecurityEvent-*" | STATS n = COUNT(*) BY Computer = COALESCE(Computer, "") | KEEP Computer, n | EVAL HostName = "" | LIMIT 10000)
           (WHERE _index == "Syslog" OR _index LIKE ".ds-Syslog-*" | WHERE Facility == "auth" | KEEP Computer, HostName | LIMIT 10000)
    | DROP _fork
    | WHERE Computer IS NULL OR Computer != "x"
    | LIMIT 10000
    "#);
    let t = run(&ir_of(kql)).expect("translated");
    let n = notes(&t);
    assert!(
        n.iter()
            .any(|(_, e, m)| *e == Effect::Order && m.contains("technical preview")),
        "{n:?}"
    );
}

#[test]
fn stages_after_a_forked_union_that_are_not_row_by_row_are_noted() {
    let t = run(&ir_of(
        "union (SecurityEvent | summarize n = count() by Computer), (Syslog | project Computer) \
         | summarize c = count() by Computer",
    ))
    .expect("translated");
    let n = notes(&t);
    assert!(
        n.iter()
            .any(|(_, e, m)| *e == Effect::UnderMatch && m.contains("LIMIT 10000")),
        "{n:?}"
    );
}

#[test]
fn the_same_table_twice_is_two_branches() {
    // Both branches read every Syslog row: a row both legs keep comes out twice, as in KQL.
    insta::assert_snapshot!(text(
        "union (Syslog | where Facility == \"auth\"), (Syslog | where Facility == \"kern\" | extend x = 1)"
    ), @r#"
    FROM Syslog
    | FORK (WHERE Facility == "auth" | LIMIT 10000)
           (WHERE Facility == "kern" | EVAL x = 1 | LIMIT 10000)
    | DROP _fork
    | LIMIT 10000
    "#);
}

#[test]
fn legs_running_the_same_summarize_are_branches() {
    // One STATS over `FROM a, b` would merge the two tables' groups.
    insta::assert_snapshot!(text(
        "union (SecurityEvent | summarize n = count() by Computer), (Syslog | summarize n = count() by Computer)"
    ), @r#"
    FROM SecurityEvent, Syslog METADATA _index
    | FORK (WHERE _index == "SecurityEvent" OR _index LIKE ".ds-SecurityEvent-*" | STATS n = COUNT(*) BY Computer = COALESCE(Computer, "") | KEEP Computer, n | LIMIT 10000)
           (WHERE _index == "Syslog" OR _index LIKE ".ds-Syslog-*" | STATS n = COUNT(*) BY Computer = COALESCE(Computer, "") | KEEP Computer, n | LIMIT 10000)
    | DROP _fork
    | LIMIT 10000
    "#);
}

#[test]
fn a_leg_needing_inline_stats_is_refused_at_its_stage() {
    let kql =
        "union (SecurityEvent | summarize arg_max(TimeGenerated, *) by Account), (Syslog | take 5)";
    let d = declined(&ir_of(kql));
    assert_eq!(d[0].code.as_str(), "B031");
    assert_eq!(
        &kql[d[0].span.range()],
        "summarize arg_max(TimeGenerated, *) by Account"
    );
    assert!(d[0].message.contains("INLINE STATS"), "{}", d[0].message);
}

#[test]
fn a_column_two_legs_type_differently_is_refused() {
    assert!(refusal(
        "union (SecurityEvent | summarize x = count() by Account), (Syslog | take 3 | extend x = \"a\")"
    )
    .contains("`x` is long in the `SecurityEvent` leg and string in the `Syslog` leg"));
}

#[test]
fn more_than_eight_forked_legs_are_refused() {
    let legs: Vec<String> = (0..9)
        .map(|i| format!("(Syslog | where SeverityLevel == \"{i}\" | take 1)"))
        .collect();
    assert!(refusal(&format!("union {}", legs.join(", "))).contains("at most 8"));
}

#[test]
fn a_column_the_pipeline_maps_apart_per_leg_is_one_case_under_its_kql_name() {
    // ecs: SecurityEvent's `Computer` is `host.name`, Syslog's `host.hostname`; the pipeline
    // has each leg rename its field to `Computer` (the core's decision), which is one CASE.
    let q = mapped_ir_of(
        "union (SecurityEvent | where EventID == 4625), (Syslog | where Facility == \"auth\") \
         | where Computer startswith \"dc\"",
        "ecs",
    );
    let t = run(&q).expect("translated").text;
    insta::assert_snapshot!(t, @r#"
    FROM logs-system.security-*, logs-system.syslog-* METADATA _index
    | WHERE ((_index LIKE "logs-system.security-*" OR _index LIKE ".ds-logs-system.security-*") AND event.code == 4625) OR ((_index LIKE "logs-system.syslog-*" OR _index LIKE ".ds-logs-system.syslog-*") AND log.syslog.facility.name == "auth")
    | EVAL Computer = CASE((_index LIKE "logs-system.security-*" OR _index LIKE ".ds-logs-system.security-*") AND event.code == 4625, host.name, host.hostname), host.hostname = CASE((_index LIKE "logs-system.security-*" OR _index LIKE ".ds-logs-system.security-*") AND event.code == 4625, host.hostname, NULL), host.name = CASE((_index LIKE "logs-system.security-*" OR _index LIKE ".ds-logs-system.security-*") AND event.code == 4625, "", host.name)
    | WHERE STARTS_WITH(TO_LOWER(Computer), "dc")
    | LIMIT 10000
    "#);
}
