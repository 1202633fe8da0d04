//! A union whose legs run different row-wise operators: one `FROM`, a test per leg in the
//! `WHERE`, one `CASE` per column a leg changed (`union_legs`).

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
fn a_leg_that_is_not_row_by_row_is_refused_at_its_stage() {
    let kql = "union (SecurityEvent | summarize n = count() by Account), (Syslog | where Facility == \"auth\")";
    let d = declined(&ir_of(kql));
    assert_eq!(d[0].code.as_str(), "B031");
    assert_eq!(&kql[d[0].span.range()], "summarize n = count() by Account");
    assert!(d[0].message.contains("not row by row"), "{}", d[0].message);
}

#[test]
fn the_same_table_twice_is_refused() {
    assert!(refusal(
        "union (Syslog | where Facility == \"auth\"), (Syslog | where Facility == \"kern\" | extend x = 1)"
    )
    .contains("two legs read `Syslog`"));
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
