//! Indexed prefilters (`prefilter.rs`): the base search gets a superset of each leading test
//! that stays in `where`; exact tests move there alone; nothing narrows.

use super::*;

fn on(table: &str, stages: Vec<Stage>) -> Query {
    let mut query = q(stages);
    query.source.kind = SourceKind::Table(table.into());
    query
}

fn first_line(t: &str) -> &str {
    t.lines().next().unwrap()
}

const BASE: &str = "search index=* sourcetype=\"DeviceProcessEvents\"";

#[test]
fn case_sensitive_equality_is_prefiltered_and_kept_in_where() {
    let t = text(q(vec![filter(sm("FileName", Equals, CS, &["cmd.exe"]))]));
    assert_eq!(
        t,
        format!("{BASE} FileName=\"cmd.exe\"\n| where FileName==\"cmd.exe\"\n")
    );
    // `in`: the values as one IN list
    let t = text(q(vec![filter(sm(
        "FileName",
        Equals,
        CS,
        &["a.exe", "b.exe"],
    ))]));
    assert_eq!(
        first_line(&t),
        format!("{BASE} FileName IN (\"a.exe\", \"b.exe\")")
    );
    assert!(
        t.contains("| where in(FileName, \"a.exe\", \"b.exe\")"),
        "{t}"
    );
}

#[test]
fn case_insensitive_tests_are_exact_and_leave_no_where() {
    let t = text(q(vec![filter(sm(
        "FileName",
        Equals,
        CI,
        &["a.exe", "b.exe"],
    ))]));
    assert_eq!(t, format!("{BASE} FileName IN (\"a.exe\", \"b.exe\")\n"));
    // negated: `NOT (… OR …)` spelled out, never `NOT f IN`
    let t = text(q(vec![filter(sm_q(
        "FileName",
        Equals,
        CI,
        &["a", "b"],
        Quantifier::Any,
        true,
    ))]));
    assert_eq!(
        t,
        format!("{BASE} NOT (FileName=\"a\" OR FileName=\"b\")\n")
    );
}

#[test]
fn case_sensitive_substring_tests_get_wildcards_at_the_open_ends() {
    for (kind, want) in [
        (Contains, "\"*-enc*\""),
        (StartsWith, "\"-enc*\""),
        (EndsWith, "\"*-enc\""),
    ] {
        let t = text(q(vec![filter(sm(
            "ProcessCommandLine",
            kind,
            CS,
            &["-enc"],
        ))]));
        assert_eq!(first_line(&t), format!("{BASE} ProcessCommandLine={want}"));
        assert!(t.contains("| where match(ProcessCommandLine,"), "{t}");
    }
}

#[test]
fn values_a_search_value_cannot_hold_use_their_longest_alphanumeric_run() {
    // `*` is always a wildcard in a search value, `\` and `"` are stored escaped in the raw
    // JSON: the prefilter is the longest run of letters and digits, as a substring.
    let t = text(q(vec![filter(sm(
        "FolderPath",
        StartsWith,
        CS,
        &[r"C:\Windows\Temp\"],
    ))]));
    assert_eq!(first_line(&t), format!("{BASE} FolderPath=\"*Windows*\""));
    let t = text(q(vec![filter(sm("FileName", Contains, CS, &["a*bc"]))]));
    assert_eq!(first_line(&t), format!("{BASE} FileName=\"*bc*\""));
    // a space or another major breaker between wildcards: the longest run, and a
    // case-insensitive substring test with one is not exact in the base search
    let t = text(q(vec![filter(sm("A", Contains, CS, &["-enc bypass"]))]));
    assert_eq!(first_line(&t), format!("{BASE} A=\"*bypass*\""));
    for (v, run) in [("a b", "a"), ("a--b", "a"), ("a%20b", "20b"), ("a(b", "a")] {
        let t = text(q(vec![filter(sm("A", Contains, CI, &[v]))]));
        assert_eq!(first_line(&t), format!("{BASE} A=\"*{run}*\""), "{v}");
        assert!(t.contains("| where match(A,"), "{t}");
    }
    // without wildcards a value may hold spaces
    let t = text(q(vec![filter(sm("A", Equals, CI, &["Marin Meadows"]))]));
    assert_eq!(t, format!("{BASE} A=\"Marin Meadows\"\n"));
    // nothing alphanumeric: no prefilter
    let t = text(q(vec![filter(sm("FileName", Contains, CS, &["*.\\"]))]));
    assert_eq!(first_line(&t), BASE);
}

#[test]
fn has_terms_are_substrings_not_splunk_terms() {
    // KQL terms end at every non-alphanumeric character, Splunk's segments only at breakers:
    // a bare term would miss `x~tor`, so the prefilter is the field's substring test.
    let t = text(q(vec![filter(sm(
        "ProcessCommandLine",
        Term,
        CI,
        &["tor"],
    ))]));
    assert_eq!(
        first_line(&t),
        format!("{BASE} ProcessCommandLine=\"*tor*\"")
    );
    assert!(t.contains("| where match(ProcessCommandLine,"), "{t}");
    // punctuation: the value itself; a phrase (spaces): its longest run; has_any: IN;
    // has_all: one test per value
    let t = text(q(vec![filter(sm(
        "ProcessCommandLine",
        Term,
        CI,
        &["Invoke-Mimikatz"],
    ))]));
    assert_eq!(
        first_line(&t),
        format!("{BASE} ProcessCommandLine=\"*Invoke-Mimikatz*\"")
    );
    let t = text(q(vec![filter(sm(
        "ProcessCommandLine",
        Term,
        CI,
        &["security info"],
    ))]));
    assert_eq!(
        first_line(&t),
        format!("{BASE} ProcessCommandLine=\"*security*\"")
    );
    let t = text(q(vec![filter(sm("A", Term, CI, &["x1", "y2"]))]));
    assert_eq!(first_line(&t), format!("{BASE} A IN (\"*x1*\", \"*y2*\")"));
    let t = text(q(vec![filter(sm_q(
        "A",
        Term,
        CI,
        &["x1", "y2"],
        Quantifier::All,
        false,
    ))]));
    assert_eq!(first_line(&t), format!("{BASE} A=\"*x1*\" A=\"*y2*\""));
}

#[test]
fn integer_columns_compare_as_text_of_the_number() {
    let t = text(q(vec![filter(cmp(
        field("ProcessId"),
        CmpOp::Eq,
        long(4688),
    ))]));
    assert_eq!(first_line(&t), format!("{BASE} ProcessId=\"4688\""));
    assert!(t.contains("| where ProcessId==4688"), "{t}");
    let t = text(q(vec![filter(p(PredicateKind::InSet {
        expr: field("ProcessId"),
        values: vec![Literal::Long(1), Literal::Long(-2)],
        negated: false,
    }))]));
    assert_eq!(
        first_line(&t),
        format!("{BASE} ProcessId IN (\"1\", \"-2\")")
    );
    // not an integer column, not equality, negated: no prefilter
    for pr in [
        cmp(field("Unknown"), CmpOp::Eq, long(1)),
        cmp(field("ProcessId"), CmpOp::Gt, long(1)),
        cmp(field("_BilledSize"), CmpOp::Eq, long(1)),
        p(PredicateKind::InSet {
            expr: field("ProcessId"),
            values: vec![Literal::Long(1)],
            negated: true,
        }),
    ] {
        let t = text(q(vec![filter(pr)]));
        assert_eq!(first_line(&t), BASE, "{t}");
    }
}

#[test]
fn negations_regexes_and_empty_values_stay_in_where_alone() {
    for pr in [
        not_sm("FileName", Equals, CS, &["cmd.exe"]),
        not(sm("FileName", Contains, CS, &["cmd"])),
        sm("FileName", Regex, CS, &["(?i)^cmd"]),
        sm("FileName", Regex, CS, &["cmd|ps"]),
        sm("FileName", Regex, CS, &["(cmd)?"]),
        sm("FileName", Equals, CS, &[""]),
        sm("FileName", Contains, CS, &[""]),
        sm("Timestamp", Equals, CS, &["x"]),
        sm("ProcessId", Equals, CS, &["1"]),
    ] {
        let t = text(q(vec![filter(pr)]));
        assert_eq!(first_line(&t), BASE, "{t}");
    }
}

#[test]
fn dynamic_columns_get_no_prefilter() {
    // Splunk names an array's values `X{}`: `X` is missing where KQL reads JSON text.
    let (t, _) = run(on(
        "SigninLogs",
        vec![filter(sm("LocationDetails", Contains, CS, &["US"]))],
    ))
    .unwrap();
    assert_eq!(first_line(&t), "search index=* sourcetype=\"SigninLogs\"");
}

#[test]
fn boolean_structure() {
    // conjuncts: each its own; `or`: only when every branch has one
    let t = text(q(vec![filter(and(vec![
        sm("A", Equals, CS, &["x"]),
        not_sm("B", Equals, CS, &["y"]),
        or(vec![sm("C", Equals, CS, &["z"]), sm("D", Term, CI, &["w"])]),
        or(vec![
            sm("E", Equals, CS, &["v"]),
            sm("F", Regex, CS, &["(?i)u"]),
        ]),
    ]))]));
    assert_eq!(
        first_line(&t),
        format!("{BASE} A=\"x\" (C=\"z\" OR D=\"*w*\")")
    );
    // an `or` of an exact test and a prefiltered one: all in where, prefiltered as a whole
    let t = text(q(vec![filter(or(vec![
        sm("A", Equals, CI, &["x"]),
        sm("B", Equals, CS, &["y"]),
    ]))]));
    assert_eq!(first_line(&t), format!("{BASE} (A=\"x\" OR B=\"y\")"));
    assert!(t.contains("| where lower(A)==\"x\" OR B==\"y\""), "{t}");
}

#[test]
fn only_leading_filters_get_prefilters() {
    let t = text(q(vec![
        stage(StageKind::Extend(vec![assign("X", field("FileName"))])),
        filter(sm("FileName", Equals, CS, &["cmd.exe"])),
    ]));
    assert_eq!(first_line(&t), BASE);
    // consecutive leading filters each give theirs
    let t = text(q(vec![
        filter(sm("A", Equals, CS, &["x"])),
        filter(sm("B", Equals, CS, &["y"])),
    ]));
    assert_eq!(first_line(&t), format!("{BASE} A=\"x\" B=\"y\""));
}

#[test]
fn names_the_search_command_reads_otherwise_are_left_alone() {
    // `earliest=` is a time modifier, `host=`/`source=` Splunk's default fields: a KQL column
    // of that name cannot be tested in the base search (exactly or as a prefilter); time
    // modifiers in any case
    for name in [
        "earliest",
        "Latest",
        "host",
        "source",
        "index",
        "date_hour",
        "punct",
    ] {
        for pr in [sm(name, Equals, CS, &["x"]), sm(name, Equals, CI, &["x"])] {
            let t = text(q(vec![filter(pr)]));
            assert_eq!(first_line(&t), BASE, "{name}: {t}");
            assert!(t.contains("| where"), "{t}");
        }
    }
    // field names are case-sensitive: `Source`, `EventType` are the event's own
    let t = text(q(vec![filter(sm("Source", Equals, CS, &["x"]))]));
    assert_eq!(first_line(&t), format!("{BASE} Source=\"x\""));
    let t = text(q(vec![filter(sm("EventType", Equals, CI, &["x"]))]));
    assert_eq!(t, format!("{BASE} EventType=\"x\"\n"));
}

#[test]
fn regexes_give_a_literal_every_match_contains() {
    for (re, pre) in [
        (r"^cmd\.exe$", " FileName=\"*cmd*\""),
        (
            r"Artifacts.Feed.(Org|Project).Create",
            " FileName=\"*Artifacts*\"",
        ),
        (
            r"\/owa\/auth\/[A-Za-z0-9]{1,30}\.js",
            " FileName=\"*auth*\"",
        ),
        (r"(powershell)+ -e", " FileName=\"*powershell*\""),
        (r"x*", ""),
        (r"(?i)powershell", ""),
        (r"[a-z]+\d", ""),
    ] {
        let t = text(q(vec![filter(sm("FileName", Regex, CS, &[re]))]));
        assert_eq!(first_line(&t), format!("{BASE}{pre}"), "{re}");
        assert!(t.contains("| where"), "{t}");
    }
}
