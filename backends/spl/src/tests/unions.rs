//! Unions: one search over several sourcetypes, `multisearch` of streaming legs, `append`.

use super::*;

#[test]
fn a_column_the_pipeline_maps_apart_per_leg_is_renamed_inside_each_leg() {
    // cim: SecurityEvent's `Computer` is `ComputerName`, DeviceProcessEvents' `DeviceName`
    // `dest`; a leg that computes the column holds it under its KQL name already.
    let q = mapped_ir_of(
        "union (SecurityEvent | where EventID == 4688 | project Host = Computer), \
         (DeviceProcessEvents | project Host = DeviceName) | where Host startswith \"dc\"",
        "cim",
    );
    let (t, _) = run(q.clone()).expect("translates");
    // Computed in each leg: nothing to rename.
    assert!(!t.contains("rename"), "{t}");
    // Syslog keeps `Computer`: only the SecurityEvent leg renames.
    let q = mapped_ir_of(
        "union (SecurityEvent | where EventID == 4625), (Syslog | where Facility == \"auth\") \
         | where Computer startswith \"dc\"",
        "cim",
    );
    let (t, _) = run(q).expect("translates");
    insta::assert_snapshot!(t, @r#"
    | multisearch
        [search index=* source="XmlWinEventLog:Security" EventCode="4625"
        | where EventCode==4625
        | rename ComputerName AS Computer]
        [search index=* sourcetype="syslog" Facility="auth"
        | where Facility=="auth"]
    | where match(Computer, "(?i)^dc")
    "#);
}
