//! Field-mapping pipelines on the IR: what a mapped query reads (checked through the IR's
//! compact text form), the notes a lossy rule or an incomplete vocabulary gives at the KQL that
//! used it, the unmapped policy, and the built-ins' coverage of FIELD_MAPPINGS.md's tables.

use kqlport::backend::Effect;
use kqlport::pipeline::{self, Pipeline};
use kqlport::{kql, lower};

fn mapped(p: &Pipeline, q: &str) -> pipeline::Mapped {
    let ast = kql::parse(q).unwrap_or_else(|e| panic!("parse {q}: {e:?}"));
    let l = lower::lower(&ast).unwrap_or_else(|e| panic!("lower {q}: {e:?}"));
    pipeline::apply(p, &l.query)
}

fn ir(p: &Pipeline, q: &str) -> String {
    let m = mapped(p, q);
    assert!(m.errors.is_empty(), "{:?}", m.errors);
    m.query.to_string()
}

fn builtin(name: &str) -> Pipeline {
    Pipeline::builtin(name).unwrap()
}

/// (the KQL a note is at, its effect, its message).
fn notes(p: &Pipeline, q: &str) -> Vec<(String, Effect, String)> {
    mapped(p, q)
        .notes
        .into_iter()
        .map(|n| (q[n.span.range()].to_string(), n.effect, n.message))
        .collect()
}

#[test]
fn none_changes_nothing() {
    let q = "DeviceProcessEvents | where FileName == 'a' | project DeviceName";
    let ast = kql::parse(q).unwrap();
    let l = lower::lower(&ast).unwrap();
    let m = pipeline::apply(&Pipeline::none(), &l.query);
    assert_eq!(m.query.to_string(), l.query.to_string());
    assert!(m.notes.is_empty() && m.errors.is_empty() && m.unmapped.is_empty());
}

#[test]
fn ecs_maps_the_table_the_columns_and_the_output_names() {
    let got = ir(
        &builtin("ecs"),
        "DeviceProcessEvents | where FileName =~ 'cmd.exe' and InitiatingProcessFileName == 'w.exe' \
         | summarize n = count() by DeviceName, Cmd = ProcessCommandLine",
    );
    assert_eq!(
        got,
        "from DeviceProcessEvents [pipeline ecs: elastic index logs-m365_defender.event-*; eql process]\n\
         filter (str equals cs any event.category [\"process\"])\n\
         filter (and (str equals ci any process.name [\"cmd.exe\"]) (str equals cs any process.parent.name [\"w.exe\"]))\n\
         aggregate n=(count) by host.name=host.name, Cmd=process.command_line\n"
    );
}

#[test]
fn names_the_query_makes_are_not_mapped() {
    // `FileName` after the extend is the query's own column; `x` is never a table column.
    let got = ir(
        &builtin("ecs"),
        "DeviceProcessEvents | extend x = FolderPath | project-rename FileName2 = FileName \
         | where x has 'temp' and FileName2 == 'a' | project x, FileName2, DeviceId",
    );
    assert!(got.contains("extend x=process.executable"), "{got}");
    assert!(got.contains("rename FileName2=process.name"), "{got}");
    assert!(got.contains("(str term ci any x [\"temp\"])"), "{got}");
    assert!(
        got.contains("(str equals cs any FileName2 [\"a\"])"),
        "{got}"
    );
    assert!(got.ends_with("project x, FileName2, host.id\n"), "{got}");
}

#[test]
fn a_column_after_project_and_summarize_keeps_its_mapping() {
    let got = ir(
        &builtin("ecs"),
        "DeviceProcessEvents | project DeviceName, FileName | where FileName == 'a' \
         | summarize count() by DeviceName | where DeviceName startswith 'x'",
    );
    assert!(got.contains("project host.name, process.name"), "{got}");
    assert!(got.contains("by host.name=host.name"), "{got}");
    assert!(
        got.contains("(str equals cs any process.name [\"a\"])"),
        "{got}"
    );
    assert!(
        got.contains("(str startswith ci any host.name [\"x\"])"),
        "{got}"
    );
}

#[test]
fn dynamic_paths_map_to_their_own_fields() {
    let got = ir(
        &builtin("ecs"),
        "SigninLogs | where LocationDetails.city == 'Paris' and tostring(DeviceDetail.operatingSystem) has 'Windows'",
    );
    assert!(got.contains("geo.city_name"), "{got}");
    assert!(
        got.contains("azure.signinlogs.properties.device_detail.operating_system"),
        "{got}"
    );
    assert!(got.contains("(str equals cs any azure.signinlogs.category [\"SignInLogs\"])"));
}

#[test]
fn join_sides_map_through_their_own_tables() {
    let got = ir(
        &builtin("ecs"),
        "DeviceProcessEvents | where FileName == 'a' \
         | join kind=inner (DeviceNetworkEvents | where RemotePort == 443) on DeviceId",
    );
    assert!(got.contains("on host.id==host.id"), "{got}");
    assert!(got.contains("event.category [\"network\"]"), "{got}");
    assert!(got.contains("destination.port"), "{got}");
}

#[test]
fn value_vocabularies_map_constants_and_note_what_they_cannot_cover() {
    let sigma = builtin("sigma");
    let got = ir(
        &sigma,
        "DeviceLogonEvents | where LogonType in ('RemoteInteractive', 'Network')",
    );
    assert!(got.contains("LogonType [\"10\" \"3\"]"), "{got}");
    let n = notes(&sigma, "DeviceLogonEvents | where LogonType == 'Weird'");
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(n[0].1, Effect::UnderMatch);
    assert!(n[0].2.contains("\"Weird\""), "{}", n[0].2);
    // A substring of a value cannot be looked up in a vocabulary.
    let n = notes(
        &sigma,
        "DeviceLogonEvents | where LogonType !contains 'Remote'",
    );
    assert_eq!(n[0].1, Effect::OverMatch);
    // ecs lower-cases every ActionType, so every value is covered.
    let got = ir(
        &builtin("ecs"),
        "DeviceProcessEvents | where ActionType == 'ProcessCreated'",
    );
    assert!(
        got.contains("(str equals cs any event.action [\"processcreated\"])"),
        "{got}"
    );
}

#[test]
fn a_file_name_is_tested_on_the_end_of_sigmas_path() {
    let sigma = builtin("sigma");
    let got = ir(
        &sigma,
        "DeviceProcessEvents | where FileName in~ ('cmd.exe', 'pwsh.exe') and InitiatingProcessFileName endswith '.tmp'",
    );
    assert!(
        got.contains(r#"(str endswith ci any Image ["\\cmd.exe" "\\pwsh.exe"])"#),
        "{got}"
    );
    assert!(
        got.contains(r#"(str endswith ci any ParentImage [".tmp"])"#),
        "{got}"
    );
    assert!(notes(&sigma, "DeviceProcessEvents | where FileName == 'a'").is_empty());
    let n = notes(&sigma, "DeviceProcessEvents | where FileName has 'cmd'");
    assert_eq!(
        n[0].0, "FileName has 'cmd'",
        "the note is at the test that uses the column"
    );
    assert_eq!(n[0].1, Effect::OverMatch);
    let n = notes(&sigma, "DeviceProcessEvents | project FileName");
    assert_eq!(n[0].1, Effect::Values);
}

#[test]
fn lossy_rules_are_noted_where_the_column_is_used() {
    let q = "DeviceProcessEvents | where TimeGenerated > ago(1h) | project DeviceName";
    let n = notes(&builtin("ecs"), q);
    let at: Vec<&str> = n.iter().map(|(at, _, _)| at.as_str()).collect();
    assert_eq!(at, ["TimeGenerated", "DeviceName"]);
    assert!(n.iter().all(|(_, e, _)| *e == Effect::Values));
}

#[test]
fn unmapped_columns_and_tables_follow_the_policy() {
    let ecs = builtin("ecs");
    let m = mapped(
        &ecs,
        "DeviceProcessEvents | where IsProcessRemoteSession == true",
    );
    assert_eq!(m.unmapped.len(), 1);
    assert_eq!(
        m.unmapped[0].column.as_deref(),
        Some("IsProcessRemoteSession")
    );
    assert_eq!(m.notes[0].effect, Effect::UnderMatch);
    let m = mapped(&ecs, "Anomalies | where Score > 1");
    assert_eq!(m.unmapped[0].column, None);
    assert!(m.notes[0]
        .message
        .contains("no mapping for table `Anomalies`"));
    let strict = ecs.overlay(
        pipeline::parse(
            "strict.yaml",
            "unmapped: decline\nunmapped_tables: decline\n",
        )
        .unwrap(),
    );
    let m = mapped(
        &strict,
        "DeviceProcessEvents | where IsProcessRemoteSession == true",
    );
    assert_eq!(m.errors[0].code.as_str(), "L090");
    assert!(m.notes.is_empty());
}

#[test]
fn user_files_override_the_builtin_in_order() {
    let first = pipeline::parse(
        "a.yaml",
        "tables:\n  DeviceProcessEvents:\n    elastic_index: edr-*\n    fields:\n      FileName: proc.name\n",
    )
    .unwrap();
    let second = pipeline::parse(
        "b.yaml",
        "tables:\n  DeviceProcessEvents:\n    fields:\n      FileName: exe.name\n",
    )
    .unwrap();
    let p = builtin("ecs").overlay(first).overlay(second);
    assert_eq!(p.name, "ecs+a+b");
    let got = ir(
        &p,
        "DeviceProcessEvents | where FileName == 'x' and DeviceId == 'd'",
    );
    assert!(got.contains("elastic index edr-*"), "{got}");
    assert!(got.contains("exe.name"), "{got}");
    assert!(
        got.contains("host.id"),
        "the built-in's other rules stay: {got}"
    );
}

/// Every table FIELD_MAPPINGS.md's table-level map (section 1) lists, except the threat
/// intelligence tables (no Sigma logsource), has a source in each built-in.
#[test]
fn the_builtins_map_every_table_of_field_mappings_md() {
    let tables = [
        "DeviceProcessEvents",
        "DeviceNetworkEvents",
        "DeviceFileEvents",
        "DeviceRegistryEvents",
        "DeviceImageLoadEvents",
        "DeviceLogonEvents",
        "DeviceEvents",
        "SecurityEvent",
        "SigninLogs",
        "AADNonInteractiveUserSignInLogs",
        "AuditLogs",
        "AzureActivity",
        "OfficeActivity",
        "CommonSecurityLog",
        "Syslog",
        "W3CIISLog",
        "DnsEvents",
    ];
    for name in ["ecs", "cim", "sigma"] {
        let p = builtin(name);
        for t in tables {
            let m = p.tables.get(t).unwrap_or_else(|| panic!("{name}: no {t}"));
            assert!(!m.origin.is_empty(), "{name}: {t} says where it came from");
            let has_source = match name {
                "ecs" => m.elastic_index.is_some() && m.eql_category.is_some(),
                "cim" => m.splunk.is_some() || t == "CommonSecurityLog",
                _ => m.logsource.is_some(),
            };
            assert!(has_source, "{name}: {t} has a source");
        }
    }
}

#[test]
fn a_file_name_pattern_or_an_empty_name_stays_exact_on_the_path() {
    let sigma = builtin("sigma");
    let got = ir(
        &sigma,
        r#"DeviceProcessEvents | where FileName matches regex @"(?i)^tor\.exe$" and InitiatingProcessFileName == """#,
    );
    assert!(
        got.contains(r#"(str regex cs any Image ["(?i)\\\\tor\\.exe$"])"#),
        "{got}"
    );
    assert!(
        got.contains(r#"(str equals cs any ParentImage [""])"#),
        "{got}"
    );
    assert!(notes(
        &sigma,
        r#"DeviceProcessEvents | where FileName matches regex @"^a" and InitiatingProcessFileName == """#
    )
    .is_empty());
    // A pattern with a top-level alternation cannot be anchored after the last backslash.
    let n = notes(
        &sigma,
        r#"DeviceProcessEvents | where FileName matches regex @"^a|^b""#,
    );
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(n[0].1, Effect::OverMatch);
}

/// A list of names with "" in it (conformance case 272 through `sigma`): the names are path
/// endings and "" an empty or missing path, exactly, as two tests; `!in~` needs neither.
#[test]
fn a_file_name_list_with_an_empty_name_splits_into_path_endings_and_the_empty_path() {
    let sigma = builtin("sigma");
    let got = ir(
        &sigma,
        r#"DeviceProcessEvents | where FileName in~ ("a.b", "")"#,
    );
    assert!(
        got.contains(
            r#"(or (str endswith ci any Image ["\\a.b"]) (str equals ci any Image [""]))"#
        ),
        "{got}"
    );
    let got = ir(
        &sigma,
        r#"DeviceProcessEvents | where FileName !in~ ("a.b", "")"#,
    );
    assert!(got.contains("(and "), "{got}");
    assert!(notes(
        &sigma,
        r#"DeviceProcessEvents | where FileName in~ ("a.b", "")"#
    )
    .is_empty());
}

/// After a join, a right column whose target name clashes with a left column's gets KQL's
/// `1` suffix, whatever the Sentinel names: `RemoteUrl` and `DeviceName` are both `dest` in CIM.
#[test]
fn join_clashes_are_decided_on_the_target_names() {
    let got = ir(
        &builtin("cim"),
        "DeviceProcessEvents | join kind=inner (DeviceNetworkEvents) on $left.ProcessId == $right.InitiatingProcessId \
         | project DeviceName, RemoteUrl, RemotePort",
    );
    assert!(got.ends_with("project dest, dest1, dest_port\n"), "{got}");
}

/// The backends still know a mapped column's schema type: a string column renamed by the
/// pipeline is collected with KQL's "" for a missing value.
#[test]
fn a_mapped_column_keeps_its_schema_type() {
    let p = builtin("ecs");
    let m = mapped(
        &p,
        "DeviceFileEvents | summarize dcount(FolderPath) by DeviceName",
    );
    let t = m.query.source.target.as_ref().unwrap();
    assert_eq!(t.sentinel_column("file.path"), "FolderPath");
    assert_eq!(t.sentinel_column("FolderPath"), "", "renamed away");
    assert_eq!(
        t.sentinel_column("IsProcessRemoteSession"),
        "IsProcessRemoteSession"
    );
    assert_eq!(
        kqlport::ir::stored_column_type("DeviceFileEvents", Some(t), "file.path"),
        Some(kqlport::schema::ColumnType::String)
    );
}

/// The first error's message, or a panic naming the IR when the query mapped.
fn refusal(p: &Pipeline, q: &str) -> String {
    let m = mapped(p, q);
    match m.errors.first() {
        Some(e) => format!("{} {}", e.code.as_str(), e.message),
        None => panic!("mapped: {}", m.query),
    }
}

#[test]
fn a_column_each_union_leg_holds_under_its_own_field_gets_its_kql_name() {
    // SecurityEvent's `Computer` is ECS `host.name`, Syslog's `host.hostname`: each leg renames
    // its field to `Computer` at its end, and the stages after the union read that name.
    let got = ir(
        &builtin("ecs"),
        "union (SecurityEvent | where EventID == 4625), (Syslog | where Facility == 'auth') \
         | where Computer startswith 'dc' | summarize n = count() by Computer",
    );
    assert!(got.contains("rename Computer=host.name"), "{got}");
    assert!(got.contains("rename Computer=host.hostname"), "{got}");
    assert!(
        got.contains("str startswith ci any Computer [\"dc\"]"),
        "{got}"
    );
    assert!(got.contains("by Computer=Computer"), "{got}");
    // A leg that computes the column already holds it under its KQL name: no rename there.
    let got = ir(
        &builtin("ecs"),
        "union (SecurityEvent | project Computer = tolower(Computer)), Syslog | where Computer == 'dc1'",
    );
    assert_eq!(got.matches("rename Computer=").count(), 1, "{got}");
    assert!(got.contains("rename Computer=host.hostname"), "{got}");
}

#[test]
fn union_legs_that_hold_a_column_under_one_field_rename_nothing() {
    // cim keeps `TimeGenerated` for SigninLogs; a table it does not map keeps the Sentinel
    // name too: the legs' rules differ, their field does not.
    let got = ir(
        &builtin("cim"),
        "union SigninLogs, AWSCloudTrail | where TimeGenerated > ago(1h) | project TimeGenerated",
    );
    assert!(!got.contains("rename"), "{got}");
    // ecs notes `TimeGenerated` for DeviceProcessEvents, not for SecurityEvent: both are
    // `@timestamp`, and the one leg's note comes at the reference after the union.
    let q = "union DeviceProcessEvents, SecurityEvent | where TimeGenerated > ago(1h)";
    let got = ir(&builtin("ecs"), q);
    assert!(!got.contains("rename"), "{got}");
    assert!(got.contains("@timestamp"), "{got}");
    let n = notes(&builtin("ecs"), q);
    assert!(
        n.iter().any(|(at, _, m)| at == "TimeGenerated"
            && m.contains("`TimeGenerated` is mapped to `@timestamp`")),
        "{n:?}"
    );
    // A join's right side that is a union: its keys read it.
    let got = ir(
        &builtin("ecs"),
        "SecurityAlert | join (union (SecurityEvent | project Computer), (Syslog | project Computer)) on $left.CompromisedEntity == $right.Computer",
    );
    assert!(got.contains("rename Computer=host.name"), "{got}");
    assert!(got.contains("rename Computer=host.hostname"), "{got}");
}

#[test]
fn a_union_column_no_common_name_holds_exactly_is_refused_with_the_reason() {
    // cim lower-cases DeviceNetworkEvents' `Protocol` values: a test after the union cannot map
    // its constant for one leg and not the other.
    let got = refusal(
        &builtin("cim"),
        "union DeviceNetworkEvents, (DeviceProcessEvents | extend Protocol = 'Tcp') | where Protocol == 'Tcp'",
    );
    assert!(got.starts_with("L091 after the union, `Protocol` is a different field in different legs under pipeline `cim`, and in the `DeviceNetworkEvents` leg its values are not stored as KQL's"), "{got}");
    // A leg whose other column already is the target's field of that name.
    let clash = builtin("ecs").overlay(
        pipeline::parse(
            "clash.yaml",
            "tables:\n  Syslog:\n    fields:\n      Computer: host.hostname\n      HostName: Computer\n",
        )
        .unwrap(),
    );
    let got = refusal(
        &clash,
        "union SecurityEvent, Syslog | where Computer == 'dc1'",
    );
    assert!(
        got.contains("in the `Syslog` leg it is `host.hostname` while another column is the target's `Computer`"),
        "{got}"
    );
}
