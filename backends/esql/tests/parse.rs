//! parse / parse-where in ES|QL: `GROK` into temporary columns, each KQL column then
//! `COALESCE(tmp, "")` (KQL's `""` where the pattern does not match), parse-where's match
//! witness, and the refusals.

use kqlport::backend::{Backend, Fidelity, RuleContext, Translation};
use kqlport::diag::Diagnostic;
use kqlport::{kql, lower};

fn translate(q: &str) -> Result<Translation, Vec<Diagnostic>> {
    let ast = kql::parse(q).unwrap();
    let ir = lower::lower(&ast).unwrap().query;
    kqlport_esql::Esql.translate(&RuleContext::default(), &ir)
}

/// The commands between `FROM` and the closing `LIMIT`, one per line.
fn esql(q: &str) -> String {
    let t = translate(q).unwrap_or_else(|e| panic!("{q}: {e:?}"));
    assert!(
        matches!(t.fidelity, Fidelity::Exact),
        "{q}: {:?}",
        t.fidelity
    );
    let lines: Vec<&str> = t.text.lines().skip(1).collect();
    lines[..lines.len() - 1].join("\n")
}

fn codes(q: &str) -> Vec<String> {
    match translate(q) {
        Ok(t) => panic!("{q} translated: {}", t.text),
        Err(e) => e.into_iter().map(|d| d.code.as_str().to_string()).collect(),
    }
}

#[test]
fn parse_is_grok_into_temporaries_then_each_column_or_empty() {
    assert_eq!(
        esql(r#"SecurityEvent | parse CommandLine with * "user=" U " dom=" D"#),
        r#"| GROK CommandLine "user=(?<kqlport_parse1>[^\\n]*?) dom=(?<kqlport_parse2>[^\\n]*?)\\z"
| EVAL U = COALESCE(kqlport_parse1, ""), D = COALESCE(kqlport_parse2, "")
| DROP kqlport_parse1, kqlport_parse2"#
    );
    // a pattern starting with a column is anchored at the value's start (`\A`, not `^`),
    // noted: no oracle checks what Kusto does with a value holding a line break
    let t = translate(r#"SecurityEvent | parse CommandLine with U " " *"#).unwrap();
    assert!(
        t.text
            .contains(r#"| GROK CommandLine "\\A(?<kqlport_parse1>[^\\n]*?) [^\\n]*?\\z""#),
        "{}",
        t.text
    );
    assert!(matches!(t.fidelity, Fidelity::Approximate(_)));
}

#[test]
fn parse_where_keeps_the_rows_whose_first_constant_matched() {
    assert_eq!(
        esql(r#"SecurityEvent | parse-where CommandLine with "-enc " P " " *"#),
        r#"| GROK CommandLine "(?<kqlport_parsed>-enc )(?<kqlport_parse1>[^\\n]*?) [^\\n]*?\\z"
| WHERE kqlport_parsed IS NOT NULL
| EVAL P = COALESCE(kqlport_parse1, "")
| DROP kqlport_parsed, kqlport_parse1"#
    );
    // a lone column leaves no sign of a match
    assert_eq!(
        codes(r#"SecurityEvent | parse-where CommandLine with P"#),
        ["B071"]
    );
}

#[test]
fn any_column_name_and_a_computed_source() {
    let text = esql(r#"SecurityEvent | parse tolower(Process) with * "/" ['Process Name'] "." *"#);
    assert!(
        text.starts_with("| EVAL kqlport_parse_src = TO_LOWER(Process)\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "| GROK kqlport_parse_src \"/(?<kqlport_parse1>[^\\\\n]*?)\\\\.[^\\\\n]*?\\\\z\"\n"
        ),
        "{text}"
    );
    assert!(
        text.ends_with(
            "| EVAL `Process Name` = COALESCE(kqlport_parse1, \"\")\n| DROP kqlport_parse1, kqlport_parse_src"
        ),
        "{text}"
    );
}

#[test]
fn a_value_of_unknown_type_is_parsed_with_a_note() {
    let t = translate(r#"T_CL | parse s with * "a=" x"#).unwrap();
    assert!(t.text.contains("| GROK s "), "{}", t.text);
    let Fidelity::Approximate(notes) = t.fidelity else {
        panic!("exact")
    };
    assert!(
        notes.iter().any(|n| n
            .message
            .contains("if it is not a string, ES|QL rejects the query")),
        "{notes:?}"
    );
}

#[test]
fn what_grok_cannot_read_as_kql_does_is_declined() {
    // a datetime's text form
    assert_eq!(
        codes(r#"SecurityEvent | parse TimeGenerated with * "T" h ":" *"#),
        ["B071"]
    );
    // a dynamic value's JSON text
    assert_eq!(
        codes(r#"SigninLogs | parse DeviceDetail with * "os\":\"" os "\"" *"#),
        ["B071"]
    );
    // typed columns are refused in lowering (L071)
    let ast = kql::parse(r#"SecurityEvent | parse CommandLine with * "n=" n:long"#).unwrap();
    assert!(lower::lower(&ast).is_err());
}
