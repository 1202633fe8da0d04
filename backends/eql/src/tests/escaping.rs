//! Escaping and injection: string, wildcard and term-pattern literals read back by EQL's rules;
//! field names quoted, table names as the event category.

use super::*;

const NASTY: &[&str] = &[
    "a\" or 1 == 1 | head 1",
    "C:\\Windows\\",
    "\\\"",
    "line\nbreak\r\ttab",
    "%_",
    "`backtick`",
    "naïve — ☃ 🎉",
    "\u{1}\u{7f}",
    "'single'",
];

/// Reads an EQL double-quoted string literal back by EQL's documented escapes.
fn read_eql_string(lit: &str) -> String {
    let inner = &lit[1..lit.len() - 1];
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            assert!(c != '"' && c != '\n' && c != '\r', "raw {c:?} in {lit}");
            out.push(c);
            continue;
        }
        match chars.next().expect("escape") {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            'u' => {
                let rest: String = chars.by_ref().take_while(|c| *c != '}').collect();
                let hex = rest.trim_start_matches('{');
                out.push(char::from_u32(u32::from_str_radix(hex, 16).expect("hex")).expect("char"));
            }
            other => panic!("unknown escape \\{other}"),
        }
    }
    out
}

#[test]
fn string_literals_read_back_exactly() {
    for v in NASTY {
        let text = eql(cs("F", Equals, v));
        let lit = text
            .strip_prefix("T where F == ")
            .and_then(|s| s.strip_suffix('\n'))
            .expect("shape");
        assert_eq!(read_eql_string(lit), *v, "{text}");
        assert_eq!(text.lines().count(), 1);
    }
}

#[test]
fn wildcard_values_read_back_exactly() {
    for v in NASTY {
        // The literal must read back exactly; a value with non-ASCII letters is also (rightly)
        // noted as approximate, since EQL folds Unicode case and KQL only ASCII.
        let t = run(&query("T", vec![filter(ci("F", Contains, v))])).expect("translates");
        let non_ascii = v
            .chars()
            .any(|c| !c.is_ascii() && (c.is_lowercase() || c.is_uppercase()));
        assert_eq!(
            t.fidelity == Fidelity::Exact,
            !non_ascii,
            "{v}: {:?}",
            t.fidelity
        );
        let text = t.text;
        let lit = text
            .strip_prefix("T where F : ")
            .and_then(|s| s.strip_suffix('\n'))
            .expect("shape");
        assert_eq!(read_eql_string(lit), format!("*{v}*"), "{text}");
    }
}

#[test]
fn term_patterns_escape_every_lucene_operator() {
    let v = ".?+*|{}[]()\"\\#@&<>~";
    let text = eql(ci("F", Term, v));
    let lit = text
        .strip_prefix("T where F regex~ ")
        .and_then(|s| s.strip_suffix('\n'))
        .expect("shape");
    let lucene = read_eql_string(lit);
    // The value starts and ends with punctuation, which already bounds it: no term bounds.
    let body = lucene
        .strip_prefix(".*")
        .and_then(|s| s.strip_suffix(".*"))
        .expect("term shape");
    // Every character is escaped: Lucene reads `\c` as the literal `c`.
    let read_back: String = body
        .chars()
        .collect::<Vec<_>>()
        .chunks(2)
        .map(|pair| {
            assert_eq!(pair[0], '\\', "{body}");
            pair[1]
        })
        .collect();
    assert_eq!(read_back, v);
}

#[test]
fn field_names_are_quoted_when_needed() {
    let f = |name: &str| eql(cs(name, Equals, "x"));
    assert_eq!(f("ProcessName"), "T where ProcessName == \"x\"\n");
    assert_eq!(f("my-field"), "T where `my-field` == \"x\"\n");
    assert_eq!(f("6field"), "T where `6field` == \"x\"\n");
    assert_eq!(f("where"), "T where `where` == \"x\"\n");
    assert_eq!(f("@timestamp"), "T where `@timestamp` == \"x\"\n");
    assert_eq!(f("a`b"), "T where `a``b` == \"x\"\n");
    let pr = p(PredicateKind::StrMatch(StrMatch {
        field: path_segs(
            "AdditionalFields",
            vec![
                PathSegment::Key("a b".into()),
                PathSegment::Index(0),
                PathSegment::Key("c".into()),
            ],
            false,
        ),
        kind: Equals,
        case: Case::Sensitive,
        values: vec!["x".into()],
        quantifier: Quantifier::Any,
        negated: false,
    }));
    assert_eq!(eql(pr), "T where AdditionalFields.`a b`[0].c == \"x\"\n");
    let d = declined_pred(cs("a\nb", Equals, "x"));
    assert_eq!(d.code.as_str(), "B068");
}

#[test]
fn table_names_become_the_category() {
    let t = run(&query("DeviceNetworkEvents", vec![])).expect("ok");
    assert_eq!(t.text, "DeviceNetworkEvents where true\n");
}
