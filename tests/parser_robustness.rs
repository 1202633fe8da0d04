//! No input may panic, hang or overflow the stack: every case returns either an AST or a
//! located error whose span lies inside the text. (No wall-clock assertions.)

use kqlport::kql::{parse, MAX_NESTING};

/// Parses and checks the contract: Ok, or Err with at least one diagnostic, every span inside
/// the text and a non-empty label.
fn check(text: &str) -> bool {
    match parse(text) {
        Ok(_) => true,
        Err(diags) => {
            assert!(!diags.is_empty(), "an Err carries diagnostics");
            for d in &diags {
                assert!(
                    d.span.start <= d.span.end && d.span.end <= text.len(),
                    "span {:?} outside text of {} bytes: {}",
                    d.span,
                    text.len(),
                    d.message
                );
                assert!(
                    d.code.as_str().starts_with('P'),
                    "parse code: {}",
                    d.code.as_str()
                );
                assert!(
                    d.label.as_deref().is_some_and(|l| !l.is_empty()),
                    "label under the caret: {}",
                    d.message
                );
                assert!(
                    !d.message.contains("Rule::"),
                    "no pest rule names: {}",
                    d.message
                );
            }
            false
        }
    }
}

#[test]
fn ten_thousand_nested_parentheses_fail_cleanly() {
    let text = format!("print {}1{}", "(".repeat(10_000), ")".repeat(10_000));
    let err = parse(&text).unwrap_err();
    assert_eq!(err[0].code.as_str(), "P004");
    assert!(!check(&text));
    let text = format!("T | where {}", "(".repeat(10_000));
    assert!(!check(&text));
    let text = format!("T | where x in {}", "[".repeat(10_000));
    assert!(!check(&text));
}

#[test]
fn nesting_up_to_the_limit_parses() {
    let depth = MAX_NESTING - 2;
    let text = format!("print x = {}1{}", "(".repeat(depth), ")".repeat(depth));
    assert!(check(&text), "depth {depth} should parse");
    let text = format!(
        "T | where {}",
        (0..40).fold("x".to_string(), |acc, _| format!("not({acc})"))
    );
    assert!(check(&text));
    let text = format!("T | join ({}T{}) on x", "(".repeat(60), ")".repeat(60));
    assert!(check(&text));
    let d = MAX_NESTING - 2;
    let shapes = [
        (0..d)
            .fold("x".to_string(), |acc, _| format!("T | where {acc}"))
            .replace("where T", "where (T")
            + &")".repeat(d - 1),
        (0..d).fold("x".to_string(), |acc, _| format!("f({acc})")),
        (0..d).fold("x".to_string(), |acc, _| format!("(T | where {acc})")),
        (0..d).fold("x".to_string(), |acc, _| format!("x in ({acc})")),
        format!("dynamic({}1{})", "[".repeat(d), "]".repeat(d)),
        (0..d).fold("T".to_string(), |acc, _| {
            format!("(T | join kind=inner {acc} on x)")
        }),
    ];
    for (i, s) in shapes.iter().enumerate() {
        let text = format!("T | where {s}");
        assert!(check(&text), "shape {i}: {:?}", parse(&text).err());
    }
    let text = format!(
        "T | mv-apply x on {}",
        (0..d / 2).fold("(take 1)".to_string(), |acc, _| format!(
            "(mv-apply y on {acc})"
        ))
    );
    assert!(check(&text));
}

#[test]
fn long_chains_do_not_overflow() {
    let text = format!("print {}1", "-".repeat(100_000));
    assert!(!check(&text));
    // very long operator chains are refused (their trees would be too deep to drop safely)
    let text = format!("print {}", vec!["1"; 50_000].join(" + "));
    assert!(!check(&text));
    let text = format!("print x{}", ".a".repeat(20_000));
    assert!(!check(&text));
    let text = format!("print {}", vec!["1"; 500].join(" + "));
    assert!(check(&text));
    let text = format!("T{}", " | where x == 1".repeat(5_000));
    assert!(check(&text));
    let text = format!("{}T", "let x = 1;\n".repeat(5_000));
    assert!(check(&text));
}

#[test]
fn huge_string_literal() {
    let body = "a".repeat(5 * 1024 * 1024);
    let text = format!("print s = \"{body}\"");
    assert!(check(&text));
    let text = format!("print s = @'{body}'");
    assert!(check(&text));
    let text = format!("print s = \"{body}");
    assert!(!check(&text));
}

/// A valid query with a 20 MB literal parses, in every literal form (it used to exhaust the
/// parser's call budget and be refused as "too complex to parse"), and keeps its value.
#[test]
fn twenty_megabyte_literals_parse() {
    let mb = 1024 * 1024;
    let plain = "a".repeat(20 * mb);
    // Escapes and doubled quotes spread through the text, each one a separate step.
    let escaped = "abc\\\"def\\n".repeat(20 * mb / 10);
    let doubled = "abc\"\"def ".repeat(20 * mb / 9);
    let cases = [
        format!("T | where s == \"{plain}\""),
        format!("T | where s == '{plain}'"),
        format!("T | where s == @\"{plain}\""),
        format!("T | where s == @'{plain}'"),
        format!("T | where s == h\"{plain}\""),
        format!("T | where s == ```{plain}```"),
        format!("T | where s == \"{escaped}\""),
        format!("T | where s == @\"{doubled}\""),
        format!("T | where s in ('x', \"{plain}\")"),
    ];
    for text in &cases {
        let q = parse(text).unwrap_or_else(|e| panic!("{}: {:?}", &text[..40], e[0].message));
        let lowered = kqlport::lower::lower(&q).expect("lowers");
        let ir = lowered.query.to_string();
        assert!(ir.len() > 15 * mb, "{}: the value is kept", &text[..40]);
    }
}

/// A `\u`/`\U` escape cut short near the end of the text is a located error, never a panic
/// (the pre-scan sliced past the end: `"\u0"0` was an internal error, P099; found by fuzzing).
#[test]
fn short_unicode_escapes_at_the_end_of_the_text() {
    for text in [
        "_i-_i-\"\\u0\"0",
        "print \"\\u0\"",
        "print '\\u12'",
        "print \"\\U1234567\"",
        "print \"\\u",
        "print \"\\U0001F600\"",
        "print \"\\u00e9\"",
    ] {
        if let Err(d) = parse(text) {
            assert_ne!(d[0].code.as_str(), "P099", "{text:?}: {}", d[0].message);
        }
        check(text);
    }
}

#[test]
fn empty_and_trivial_inputs() {
    for text in ["", "   ", "\n\n", "// only a comment", ";", ";;"] {
        let err = parse(text).unwrap_err();
        assert_eq!(err[0].code.as_str(), "P001", "{text:?}");
        assert_eq!(err[0].message, "the query is empty");
        check(text);
    }
    for text in [
        "|",
        " | ",
        "T |",
        "T | ",
        "| where x",
        "T | |",
        "T || where x",
    ] {
        assert!(!check(text), "{text:?}");
    }
}

#[test]
fn unterminated_strings_and_comments() {
    for text in [
        "T | where x == \"abc",
        "T | where x == 'abc",
        "T | where x == @\"abc",
        "T | where x == ```abc",
        "T | where x == \"abc\\",
        "T | where x == h\"abc",
        "T // comment without newline",
        "T | where x == 1 // \"unterminated in comment is fine\"",
    ] {
        check(text);
    }
    assert_eq!(
        parse("T | where x == \"abc").unwrap_err()[0].code.as_str(),
        "P002"
    );
    assert!(parse("T // comment without newline").is_ok());
}

/// A deterministic linear congruential generator (Numerical Recipes constants).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Lcg(0x5eed);
    for case in 0..400 {
        let len = (rng.next() % 200) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        check(&text);
        let _ = case;
    }
}

#[test]
fn random_kql_token_soup_never_panics() {
    const TOKENS: &[&str] = &[
        "T",
        "|",
        "where",
        "x",
        "==",
        "\"s\"",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        ";",
        "let",
        "=",
        "and",
        "or",
        "not",
        "summarize",
        "count()",
        "by",
        "project",
        "extend",
        "join",
        "on",
        "$left.a",
        "in",
        "!in",
        "has_any",
        "between",
        "..",
        "1d",
        "datetime(2020-01-01)",
        "dynamic([1,2])",
        "*",
        "-",
        "+",
        "'x'",
        "@\"y\"",
        "mv-expand",
        "parse",
        "with",
        "//c\n",
        "\n",
        " ",
        "\u{a0}",
        "union",
        "make-series",
        "on",
        "from",
        "to",
        "step",
        "1",
        "0x1F",
        "1e6",
        "render",
        "timechart",
        "evaluate",
        "bag_unpack(x)",
        "=~",
        "!~",
        "matches regex",
    ];
    let mut rng = Lcg(42);
    for _ in 0..600 {
        let n = 1 + (rng.next() % 30) as usize;
        let text: Vec<&str> = (0..n)
            .map(|_| TOKENS[(rng.next() % TOKENS.len() as u64) as usize])
            .collect();
        check(&text.join(" "));
    }
}
