//! The source and the base search: the table, leading string tests moved into `search`, values
//! that cannot be written there, the one trailing newline.

use super::*;

#[test]
fn bare_table() {
    insta::assert_snapshot!(spl_of("DeviceProcessEvents"), @r#"search index=* sourcetype="DeviceProcessEvents""#);
}

#[test]
fn leading_insensitive_tests_go_to_the_base_search() {
    insta::assert_snapshot!(spl_of(r#"DeviceProcessEvents | where Timestamp > ago(7d) and FileName in~ ("cmd.exe", "powershell.exe") and ProcessCommandLine contains "-enc" and AccountName !endswith "$""#), @r#"
search index=* sourcetype="DeviceProcessEvents" earliest=-604800s latest=2147483647 FileName IN ("cmd.exe", "powershell.exe") ProcessCommandLine="*-enc*" NOT AccountName="*$"
| where _time>(now() - 604800)
"#);
}

#[test]
fn or_of_search_terms_is_parenthesised_and() {
    insta::assert_snapshot!(spl_of(r#"DeviceProcessEvents | where (A startswith "x" and B =~ "y" or C =~ "z")"#), @r#"search index=* sourcetype="DeviceProcessEvents" ((A="x*" AND B="y") OR C="z")"#);
}

#[test]
fn unsafe_values_leave_the_base_search() {
    // `*`, `"`, `\`, non-ASCII, leading space, empty: never a base-search value; the test is
    // in `where`, and the base search has at most the prefilter on the value's longest run of
    // letters and digits (`prefilter.rs`).
    for (v, pre) in [
        ("a*b", " A=\"*a*\""),
        ("a\"b", " A=\"*a*\""),
        (r"C:\Windows", " A=\"*Windows*\""),
        ("é", ""),
        (" x", " A=\"*x*\""),
        ("", ""),
    ] {
        let t = text(q(vec![filter(sm("A", Equals, CI, &[v]))]));
        assert!(
            t.starts_with(&format!(
                "search index=* sourcetype=\"DeviceProcessEvents\"{pre}\n| where"
            )),
            "{v}: {t}"
        );
    }
}

#[test]
fn output_ends_with_one_newline() {
    let t = text(q(vec![stage(StageKind::Limit(1))]));
    assert!(t.ends_with("| head 1\n") && !t.ends_with("\n\n"));
}
