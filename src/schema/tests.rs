use super::*;
use ColumnType as T;

#[test]
fn every_line_of_the_data_parses() {
    let mut tables = 0;
    for line in DATA
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        tables += 1;
        for part in line.split('\t').skip(1) {
            if part == "partial" {
                continue;
            }
            let (ty, cols) = part.split_once('=').expect(line);
            assert!(
                ty == "?" || ColumnType::from_kql_name(ty).is_some(),
                "type {ty:?} in {line}"
            );
            assert!(!cols.is_empty(), "{line}");
        }
    }
    assert_eq!(parse(DATA).len(), tables, "a table is listed twice");
    assert!(tables > 700, "{tables} tables");
}

#[test]
fn defender_columns_have_their_types() {
    assert_eq!(
        column_type("DeviceProcessEvents", "FileName"),
        Some(T::String)
    );
    assert_eq!(
        column_type("DeviceProcessEvents", "ProcessId"),
        Some(T::Long)
    );
    assert_eq!(
        column_type("DeviceNetworkEvents", "RemotePort"),
        Some(T::Int)
    );
    assert_eq!(
        column_type("DeviceLogonEvents", "IsLocalAdmin"),
        Some(T::Bool)
    );
    assert_eq!(
        column_type("SigninLogs", "LocationDetails"),
        Some(T::Dynamic)
    );
    assert_eq!(column_type("SecurityEvent", "EventID"), Some(T::Int));
}

#[test]
fn xdr_and_sentinel_forms_are_merged() {
    // Timestamp only in Defender's form, TimeGenerated only in Sentinel's: both are columns.
    assert_eq!(
        column_type("DeviceProcessEvents", "Timestamp"),
        Some(T::DateTime)
    );
    assert_eq!(
        column_type("DeviceProcessEvents", "TimeGenerated"),
        Some(T::DateTime)
    );
    assert_eq!(
        column_type("DeviceProcessEvents", "MachineGroup"),
        Some(T::String)
    );
    // XDR says string, Azure Monitor dynamic: the type is left unknown.
    assert_eq!(column_type("DeviceProcessEvents", "AdditionalFields"), None);
    assert_eq!(column_type("IdentityLogonEvents", "Port"), None);
    // … but the column exists: it is in the table's column set.
    let names = table("DeviceProcessEvents")
        .and_then(Table::all_column_names)
        .expect("complete");
    assert!(names.contains(&"AdditionalFields"));
    assert!(names.contains(&"FileName"));
    assert!(!names.contains(&"NoSuchColumn"));
}

#[test]
fn only_asim_column_lists_are_partial() {
    // A parser may emit fields its schema does not list: no full column set.
    assert!(table("imProcessCreate")
        .and_then(Table::all_column_names)
        .is_none());
    assert!(table("SigninLogs")
        .and_then(Table::all_column_names)
        .is_some());
}

#[test]
fn unknown_tables_and_columns_and_other_cases_are_none() {
    assert_eq!(column_type("MyApp_CL", "Message"), None);
    assert_eq!(column_type("DeviceProcessEvents", "NoSuchColumn"), None);
    assert_eq!(column_type("deviceprocessevents", "FileName"), None);
    assert_eq!(column_type("DeviceProcessEvents", "filename"), None);
    assert!(table("DeviceProcessEvents").is_some());
    assert!(table("Watchlist_CL").is_none());
}

#[test]
fn asim_schemas_under_each_parser_name() {
    for name in [
        "imProcessCreate",
        "_Im_ProcessCreate",
        "ASimProcessCreate",
        "_ASim_ProcessCreate",
    ] {
        assert_eq!(
            column_type(name, "TargetProcessCommandLine"),
            Some(T::String),
            "{name}"
        );
        // A common field every ASIM schema has.
        assert_eq!(column_type(name, "EventCount"), Some(T::Int), "{name}");
    }
    // An alias without a documented type is left out.
    assert_eq!(column_type("imProcessCreate", "CommandLine"), None);
    assert_eq!(column_type("_Im_Dns", "DnsQuery"), Some(T::String));
}

#[test]
fn type_names_round_trip() {
    for t in [
        T::Bool,
        T::DateTime,
        T::Decimal,
        T::Dynamic,
        T::Guid,
        T::Int,
        T::Long,
        T::Real,
        T::String,
        T::TimeSpan,
    ] {
        assert_eq!(ColumnType::from_kql_name(t.kql_name()), Some(t));
    }
    assert_eq!(ColumnType::from_kql_name("String"), None);
}

/// The build-time index (`build.rs`) is the file's: every table line, under its own name,
/// strictly sorted so the binary search finds each.
#[test]
fn the_compiled_index_is_the_files() {
    let scanned = index(DATA);
    assert_eq!(
        INDEX.len(),
        scanned.len(),
        "a table is missing or listed twice"
    );
    for pair in INDEX.windows(2) {
        assert!(pair[0].0 < pair[1].0, "{} before {}", pair[0].0, pair[1].0);
    }
    for &(name, start, end) in &INDEX {
        assert_eq!(Some(&&DATA[start..end]), scanned.get(name), "{name}");
        assert!(std::ptr::eq(
            table(name).expect("listed"),
            table(name).expect("listed")
        ));
    }
}
