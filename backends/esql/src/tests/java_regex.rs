//! RE2 to Java regex (REPLACE) and the functions built on it: extract, replace_string,
//! replace_regex, countof, trim.

use super::*;

fn java(p: &str) -> String {
    crate::java::rewrite_re2(p).expect("rewritable").pattern
}

#[test]
fn java_regex_spells_re2_semantics_explicitly() {
    // RE2's Perl classes are ASCII; Java's \s would also match U+000B.
    assert_eq!(
        java(r"\d\s\w"),
        r"[0-9][\x{9}-\x{a}\x{c}-\x{d} ][0-9A-Z\_a-z]"
    );
    // `.` stops only at \n (Java's also stops at \r, U+0085, U+2028, U+2029).
    assert_eq!(java("a.b"), r"a[^\x{a}]b");
    assert_eq!(java("(?s)a.b"), "a(?s:.)b");
    // (?i) is Unicode simple case folding, as in RE2 (Java folds ASCII only by default).
    assert_eq!(java("(?i)k"), "[Kk\u{212a}]");
    // Anchors: `$` must not match before a final \n; (?m) anchors look at \n only.
    assert_eq!(java("^a$"), r"\Aa\z");
    assert_eq!(java("(?m)^a$"), r"(?:\A|(?<=\x{a}))a(?:\z|(?=\x{a}))");
    // ASCII word boundaries.
    assert_eq!(
        java(r"\bx\B"),
        "(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))x\
         (?:(?<=[0-9A-Za-z_])(?=[0-9A-Za-z_])|(?<![0-9A-Za-z_])(?![0-9A-Za-z_]))"
    );
    // Laziness is kept, and (?U) swaps it.
    assert_eq!(java("a+?b*"), "(?:a)+?(?:b)*");
    assert_eq!(java("(?U)a+?b*"), "(?:a)+(?:b)*?");
    // Every ASCII punctuation literal is escaped, control characters are \x{..}; names dropped.
    assert_eq!(java(r#"(?P<n>\$"=)\x00"#), r#"(\$\"\=)\x{0}"#);
    // RE2 reads \< and \> as the characters (regex-syntax as word boundaries).
    assert_eq!(java(r"\<a\>"), r"\<a\>");
    // A flag set in one alternative stays set for the next (RE2).
    assert_eq!(java("a(?i)b|c"), "a[Bb]|[Cc]");
    let j = crate::java::rewrite_re2(r"(a)(?:b)(c(d))|\>").unwrap();
    assert_eq!((j.groups, j.matches_empty), (3, false));
    assert!(crate::java::rewrite_re2("x*").unwrap().matches_empty);
    // Java and RE2 report the capture of a repeated empty-matching group differently.
    assert!(crate::java::rewrite_re2("(a*)+b").is_err());
    assert!(crate::java::rewrite_re2(r"\Qa\E").is_err());
}

#[test]
fn extract_is_a_whole_text_replace_by_the_group() {
    let t = ext1(call(
        ScalarFn::Extract,
        vec![string(r"user=(\w+)"), long(1), field("Msg")],
    ))
    .unwrap();
    assert_eq!(t.fidelity, Fidelity::Exact);
    assert_eq!(
        t.text.lines().nth(1).unwrap(),
        r#"| EVAL x = REPLACE(COALESCE(Msg, ""), "\\A(?s:.*?)(?:user\\=((?:[0-9A-Z\\_a-z])+))(?s:.*)|(?s:.*)", "$1")"#
    );
    // Group 0 wraps the regex in a group of its own.
    assert_eq!(
        eval_of(call(
            ScalarFn::Extract,
            vec![string("a.c"), long(0), field("Msg")]
        )),
        r#"| EVAL x = REPLACE(COALESCE(Msg, ""), "\\A(?s:.*?)(a[^\\x{a}]c)(?s:.*)|(?s:.*)", "$0")"#
            .replace("$0", "$1")
    );
    // A group the regex does not have, a computed regex, a type argument: declined.
    for args in [
        vec![string("(a)"), long(2), field("Msg")],
        vec![field("P"), long(1), field("Msg")],
        vec![string("(a)"), long(1), field("Msg"), string("typeof(long)")],
    ] {
        let d = ext1(call(ScalarFn::Extract, args)).unwrap_err();
        assert_eq!(d[0].code.as_str(), "B005");
    }
    let d = ext1(call(
        ScalarFn::Extract,
        vec![string(r"(a*)+b"), long(1), field("Msg")],
    ))
    .unwrap_err();
    assert_eq!(d[0].code.as_str(), "B001");
}

#[test]
fn replace_string_quotes_the_lookup_and_the_rewrite() {
    assert_eq!(
        eval_of(call(
            ScalarFn::ReplaceString,
            vec![field("U"), string("a.b$"), string(r"\$1")]
        )),
        r#"| EVAL x = REPLACE(COALESCE(U, ""), "a\\.b\\$", "\\\\\\$1")"#
    );
    assert!(ext1(call(
        ScalarFn::ReplaceString,
        vec![field("U"), string(""), string("x")]
    ))
    .is_err());
}

#[test]
fn replace_regex_rewrite_groups_and_empty_matches() {
    // \0 is the whole match; a group the regex lacks is declined.
    assert_eq!(
        eval_of(call(
            ScalarFn::Replace,
            vec![field("S"), string("b"), string(r"[\0]")]
        )),
        r#"| EVAL x = REPLACE(COALESCE(S, ""), "b", "[$0]")"#
    );
    assert!(ext1(call(
        ScalarFn::Replace,
        vec![field("S"), string("(b)"), string(r"\2")]
    ))
    .is_err());
    // RE2 and Java place empty matches differently: a Values note.
    let mut e = call(
        ScalarFn::Replace,
        vec![field("S"), string("b*"), string("-")],
    );
    e.span = sp(3, 8);
    let t = ext1(e).unwrap();
    let n = notes(&t);
    assert_eq!((n.len(), n[0].0, n[0].1), (1, sp(3, 8), Effect::Values));
    assert!(n[0].2.contains("empty"));
}

#[test]
fn countof_counts_by_the_length_of_two_replaces() {
    // Plain text counts overlapping occurrences (a lookahead matches at each start).
    assert_eq!(
        eval_of(call(ScalarFn::CountOf, vec![field("C"), string("a.")])),
        r#"| EVAL x = LENGTH(REPLACE(COALESCE(C, ""), "(?=a\\.)", "xx")) - LENGTH(REPLACE(COALESCE(C, ""), "(?=a\\.)", "x"))"#
    );
    assert_eq!(
        eval_of(call(
            ScalarFn::CountOf,
            vec![field("C"), string("[A-Z]"), string("regex")]
        )),
        r#"| EVAL x = LENGTH(REPLACE(COALESCE(C, ""), "[A-Z]", "xx")) - LENGTH(REPLACE(COALESCE(C, ""), "[A-Z]", "x"))"#
    );
    for args in [
        vec![field("C"), string("a*"), string("regex")],
        vec![field("C"), string("")],
        vec![field("C"), string("a"), string("fuzzy")],
    ] {
        assert_eq!(
            ext1(call(ScalarFn::CountOf, args)).unwrap_err()[0]
                .code
                .as_str(),
            "B005"
        );
    }
}

#[test]
fn trim_removes_one_anchored_match_per_end() {
    let t = ext1(call(ScalarFn::Trim, vec![string(r"\s+"), field("C")])).unwrap();
    // A run of one class cannot leave a second match: exact.
    assert_eq!(t.fidelity, Fidelity::Exact);
    assert_eq!(
        t.text.lines().nth(1).unwrap(),
        r#"| EVAL x = REPLACE(REPLACE(COALESCE(C, ""), "\\A(?:(?:[\\x{9}-\\x{a}\\x{c}-\\x{d} ])+)", ""), "(?:(?:[\\x{9}-\\x{a}\\x{c}-\\x{d} ])+)\\z", "")"#
    );
    let mut e = call(ScalarFn::TrimStart, vec![string("--"), field("C")]);
    e.span = sp(1, 4);
    let t = ext1(e).unwrap();
    assert_eq!(
        t.text.lines().nth(1).unwrap(),
        r#"| EVAL x = REPLACE(COALESCE(C, ""), "\\A(?:\\-\\-)", "")"#
    );
    assert_eq!(notes(&t)[0].1, Effect::Values);
    assert_eq!(
        eval_of(call(ScalarFn::TrimEnd, vec![string(r"\.+"), field("C")])),
        r#"| EVAL x = REPLACE(COALESCE(C, ""), "(?:(?:\\.)+)\\z", "")"#
    );
}
