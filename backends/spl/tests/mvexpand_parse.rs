//! mv-expand, mv-apply and parse in SPL: the index expansion (no `mvexpand` of an empty or
//! missing field), the zip of several items, `rex` with cleared columns, and the refusals.

use kqlport::backend::Effect;
use kqlport::diag::Diagnostic;
use kqlport::test_support::notes_of;
use kqlport_spl::Spl;

/// The SPL text and each note's (effect, message).
type Translated = (String, Vec<(Effect, String)>);

fn translate(q: &str) -> Result<Translated, Vec<Diagnostic>> {
    let t = kqlport::test_support::translate(&Spl, q)?;
    let notes = notes_of(&t);
    Ok((t.text, notes))
}

fn spl(q: &str) -> Translated {
    translate(q).unwrap_or_else(|e| panic!("{q}: {e:?}"))
}

fn codes(q: &str) -> Vec<String> {
    match translate(q) {
        Ok(t) => panic!("{q} translated: {}", t.0),
        Err(e) => e.into_iter().map(|d| d.code.as_str().to_string()).collect(),
    }
}

#[test]
fn an_event_array_expands_by_position_and_mvexpand_never_sees_an_empty_field() {
    let (text, notes) = spl("AuditLogs | mv-expand T = TargetResources | project T");
    assert!(
        text.contains("__kqlport_m1j=json_extract(_raw, \"TargetResources\")"),
        "{text}"
    );
    // null: one row; an array: its elements; JSON array text with no element: no row;
    // anything else: itself once
    assert!(text.contains("case(isnull(__kqlport_m1j), 1, isnotnull(__kqlport_m1v), mvcount(__kqlport_m1v), match(__kqlport_m1j, \"^\\\\s*\\\\[\"), 0, true(), 1)"), "{text}");
    assert!(text.contains("| where __kqlport_m2n > 0\n| eval __kqlport_m2i=mvrange(0, __kqlport_m2n)\n| mvexpand __kqlport_m2i\n"), "{text}");
    assert!(
        text.contains(
            "fields - __kqlport_m1j __kqlport_m1v __kqlport_m1n __kqlport_m2n __kqlport_m2i"
        ),
        "{text}"
    );
    let effects: Vec<Effect> = notes.iter().map(|n| n.0).collect();
    assert_eq!(
        effects,
        [Effect::UnderMatch, Effect::UnderMatch, Effect::OverMatch]
    );
    assert!(notes[0].1.contains("max_mem_usage_mb"));
}

#[test]
fn an_empty_array_filled_with_one_value_gives_that_value_once() {
    // JSON from the event: `[]` (spaces allowed) counts one position and reads the value there;
    // an array of nulls only is still no value (json_array_to_mv skips nulls, noted).
    let (text, _) = spl(
        r#"AuditLogs | mv-expand T = iff(array_length(TargetResources) == 0, dynamic([""]), TargetResources) | project T"#,
    );
    assert!(text.contains("__kqlport_m1n=case(isnull(__kqlport_m1j), 1, isnotnull(__kqlport_m1v), mvcount(__kqlport_m1v), match(__kqlport_m1j, \"^\\\\s*\\\\[\\\\s*\\\\]\\\\s*$\"), 1, match(__kqlport_m1j, \"^\\\\s*\\\\[\"), 0, true(), 1)"), "{text}");
    assert!(
        text.contains(
            "match(__kqlport_m1j, \"^\\\\s*\\\\[\\\\s*\\\\]\\\\s*$\") AND __kqlport_m2i==0, \"\""
        ),
        "{text}"
    );
    // A make_set result: no value at all is the empty set; the fill is text, as the set's
    // values are.
    let (text, _) = spl(
        "T | summarize s = make_set(a) by k | mv-expand v = iff(array_length(s) == 0, dynamic([-1]), s)",
    );
    assert!(
        text.contains("__kqlport_m1n=coalesce(mvcount(__kqlport_m1v), 1)"),
        "{text}"
    );
    assert!(text.contains("v=case(isnotnull(__kqlport_m1v), mvindex(__kqlport_m1v, __kqlport_m2i), __kqlport_m2i==0, \"-1\", true(), null())"), "{text}");
}

#[test]
fn several_items_zip_with_null_padding_and_limit_caps_the_positions() {
    let (text, _) = spl("T | mv-expand with_itemindex=i a, b limit 2");
    // the longest item decides the rows, capped by limit
    assert!(
        text.contains("__kqlport_m3n=max(__kqlport_m1n, __kqlport_m2n)"),
        "{text}"
    );
    assert!(text.contains("mvrange(0, min(__kqlport_m3n, 2))"), "{text}");
    // each item reads its own position (mvindex is null past its end); the index is the position
    assert!(
        text.contains("mvindex(__kqlport_m2v, __kqlport_m3i)"),
        "{text}"
    );
    assert!(text.contains(", i=__kqlport_m3i\n"), "{text}");
}

#[test]
fn pack_array_and_split_expand_exactly_but_for_the_memory_cap() {
    let (text, notes) = spl(
        "CommonSecurityLog | mv-expand ip = pack_array(SourceIP, DestinationIP) to typeof(string) | project ip",
    );
    assert!(text.contains("| eval __kqlport_m1n=2"), "{text}");
    // a missing string column is "" in KQL, kept as an element
    assert!(text.contains("ip=case(__kqlport_m2i==0, coalesce(SourceIP, \"\"), __kqlport_m2i==1, coalesce(DestinationIP, \"\"), true(), null())"), "{text}");
    assert_eq!(notes.len(), 1, "{notes:?}");
    let (text, notes) = spl("T | extend p = split(s, ' ') | mv-expand p | project p");
    assert!(
        text.contains("__kqlport_m1v=p, __kqlport_m1n=coalesce(mvcount(__kqlport_m1v), 0)"),
        "{text}"
    );
    assert!(
        text.contains("p=mvindex(__kqlport_m1v, __kqlport_m2i)"),
        "{text}"
    );
    assert_eq!(notes.len(), 1, "{notes:?}");
}

#[test]
fn mv_apply_filters_the_expanded_elements() {
    let (text, _) =
        spl("AuditLogs | mv-apply t = TargetResources on (where t.type == 'User') | project t");
    assert!(
        text.contains("| where json_extract(t, \"type\")==\"User\""),
        "{text}"
    );
}

#[test]
fn a_cast_spl_cannot_tell_is_refused() {
    assert_eq!(codes("T | mv-expand a to typeof(bool)"), ["B070"]);
}

#[test]
fn parse_clears_its_columns_then_rex_fills_them_and_no_match_is_empty() {
    let (text, notes) =
        spl(r#"SecurityEvent | parse CommandLine with * "user=" U " dom=" D | project U, D"#);
    assert!(notes.is_empty(), "{notes:?}");
    assert!(
        text.contains(
            "| eval U=null(), D=null()\n| rex field=CommandLine \"user=(?<U>.*?) dom=(?<D>.*?)\\\\z\"\n| fillnull value=\"\" U D\n"
        ),
        "{text}"
    );
    // parse-where keeps the rows the regex matches (a missing value is KQL's "")
    let (text, _) =
        spl(r#"SecurityEvent | parse-where CommandLine with "-enc " P " " * | project P"#);
    assert!(
        text.contains("| where match(coalesce(CommandLine, \"\"), \"-enc (.*?) .*?\\\\z\")\n"),
        "{text}"
    );
}

#[test]
fn a_column_that_cannot_name_a_group_is_filled_through_a_stand_in_group() {
    // a column name with a space, next to one that can name its group
    let (text, notes) = spl(
        r#"SecurityEvent | parse CommandLine with * "a" ['x y'] "b" z ";" * | project ['x y'], z"#,
    );
    assert!(notes.is_empty(), "{notes:?}");
    assert!(
        text.contains(
            "| eval kqlport_rex1=null(), z=null()\n| rex field=CommandLine \"a(?<kqlport_rex1>.*?)b(?<z>.*?);.*?\\\\z\"\n| fillnull value=\"\" kqlport_rex1 z\n| rename kqlport_rex1 AS \"x y\"\n"
        ),
        "{text}"
    );
    // the parsed column itself: `rex` reads it before the copy replaces it, and a text that
    // does not match leaves it empty, not as it was
    let (text, notes) = spl(
        r#"SecurityEvent | parse CommandLine with * "://" CommandLine "/" * | project CommandLine"#,
    );
    assert!(notes.is_empty(), "{notes:?}");
    assert!(
        text.contains(
            "| eval kqlport_rex1=null()\n| rex field=CommandLine \"://(?<kqlport_rex1>.*?)/.*?\\\\z\"\n| fillnull value=\"\" kqlport_rex1\n| rename kqlport_rex1 AS CommandLine\n"
        ),
        "{text}"
    );
}

#[test]
fn parse_refusals_say_why() {
    // the time column holds epoch seconds in Splunk
    assert_eq!(
        codes(r#"SecurityEvent | parse TimeGenerated with * "T" h ":" *"#),
        ["B071"]
    );
}
