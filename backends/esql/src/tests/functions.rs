//! Scalar functions (string, URL, array, bag and hash functions) and `count_distinct`.

use super::*;

fn extend(e: Expr) -> Result<Translation, Vec<Diagnostic>> {
    run(&query(
        "T",
        vec![stage(StageKind::Extend(vec![assign("x", e)]))],
    ))
}

#[test]
fn string_size_is_byte_length() {
    let t = extend(call(ScalarFn::StringSize, vec![field("UA")])).unwrap();
    assert_eq!(t.fidelity, Fidelity::Exact, "{}", t.text);
    assert_eq!(
        t.text,
        "FROM T\n| EVAL x = BYTE_LENGTH(COALESCE(UA, \"\"))\n| LIMIT 10000\n"
    );
}

#[test]
fn unixtime_milliseconds_is_to_datetime_with_a_note() {
    let t = extend(expr_at(
        call(ScalarFn::UnixtimeMillisecondsToDatetime, vec![field("ms")]),
        4,
        9,
    ))
    .unwrap();
    assert_eq!(
        t.text,
        "FROM T\n| EVAL x = TO_DATETIME(ms)\n| LIMIT 10000\n"
    );
    let n = notes(&t);
    assert_eq!(n.len(), 1);
    assert_eq!((n[0].0, n[0].1), (sp(4, 9), Effect::Values));
    assert!(n[0].2.contains("millisecond"), "{}", n[0].2);
}

#[test]
fn functions_without_an_esql_form_are_declined_at_their_span() {
    let d =
        extend(expr_at(call(ScalarFn::ParseIpv4, vec![field("N")]), 7, 12)).expect_err("declined");
    assert_eq!(d[0].code.as_str(), "B005");
    assert_eq!(d[0].span, sp(7, 12));
}

#[test]
fn count_distinct_is_count_distinct_with_a_precision_note() {
    let t = run(&query(
        "T",
        vec![stage(StageKind::Aggregate {
            by: vec![key_expr("Ip", field("Ip"))],
            aggs: vec![Aggregation {
                span: sp(2, 3),
                ..agg("n", AggFunc::CountDistinct(field("Path")))
            }],
        })],
    ))
    .unwrap();
    assert!(
        t.text.contains("| STATS n = COUNT_DISTINCT(Path) BY Ip\n"),
        "{}",
        t.text
    );
    let n = notes(&t);
    assert!(
        n.iter()
            .any(|n| n.0 == sp(2, 3) && n.1 == Effect::Values && n.2.contains("exact in KQL")),
        "{n:?}"
    );
}

#[test]
fn tohex_of_a_long_is_sixteen_digits_with_leading_zeros_stripped() {
    let t = extend(call(
        ScalarFn::ToHex,
        vec![call(ScalarFn::ToLong, vec![field("S")])],
    ))
    .unwrap();
    // `S` has no known type: tolong's note (a real would be rounded) is the only one.
    let n = notes(&t);
    assert!(
        n.iter()
            .all(|n| n.1 == Effect::Values && n.2.contains("Math.round")),
        "{n:?}"
    );
    let m = "CASE(TO_LONG(S) < 0, -1 - TO_LONG(S), TO_LONG(S))";
    let a = "CASE(TO_LONG(S) < 0, \"fedcba9876543210\", \"0123456789abcdef\")";
    assert!(t.text.starts_with(&format!(
        "FROM T\n| EVAL x = REPLACE(CONCAT(SUBSTRING({a}, (({m} / 1152921504606846976) % 16) + 1, 1), SUBSTRING({a}, (({m} / 72057594037927936) % 16) + 1, 1), "
    )), "{}", t.text);
    assert!(t.text.ends_with(&format!(
        "SUBSTRING({a}, (({m} / 16) % 16) + 1, 1), SUBSTRING({a}, ({m} % 16) + 1, 1)), \"^0{{1,15}}\", \"\")\n| LIMIT 10000\n"
    )), "{}", t.text);
    assert_eq!(t.text.matches("SUBSTRING(").count(), 16);
}

#[test]
fn tohex_width_keeps_zeros_and_an_unknown_type_gets_a_note() {
    let t = extend(expr_at(
        call(ScalarFn::ToHex, vec![field("N"), long(8)]),
        3,
        9,
    ))
    .unwrap();
    assert!(t.text.contains("TO_LONG(N) < 0"), "{}", t.text);
    assert!(
        t.text.ends_with(", \"^0{1,8}\", \"\")\n| LIMIT 10000\n"),
        "{}",
        t.text
    );
    let n = notes(&t);
    assert_eq!(n.len(), 1);
    assert_eq!((n[0].0, n[0].1), (sp(3, 9), Effect::Values));
    assert!(n[0].2.contains("32-bit"), "{}", n[0].2);
    let full = extend(call(
        ScalarFn::ToHex,
        vec![call(ScalarFn::ToLong, vec![field("N")]), long(20)],
    ))
    .unwrap();
    assert!(!full.text.contains("REPLACE"), "{}", full.text);
    let d = extend(call(ScalarFn::ToHex, vec![field("N"), field("W")])).expect_err("declined");
    assert_eq!(d[0].code.as_str(), "B005");
}

#[test]
fn indexof_regex_is_the_length_of_the_lazy_prefix_or_minus_one() {
    let t = extend(call(
        ScalarFn::IndexOfRegex,
        vec![field("M"), string(",OU|,CN")],
    ))
    .unwrap();
    assert_eq!(t.fidelity, Fidelity::Exact, "{}", t.text);
    let p = "\"\\\\A((?s:.*?))(?:\\\\,OU|\\\\,CN)(?s:.*)\"";
    assert_eq!(
        t.text,
        format!("FROM T\n| EVAL x = CASE(REPLACE(COALESCE(M, \"\"), {p}, \"$1x\") == REPLACE(COALESCE(M, \"\"), {p}, \"$1\"), -1, LENGTH(REPLACE(COALESCE(M, \"\"), {p}, \"$1\")))\n| LIMIT 10000\n")
    );
    let d = extend(call(
        ScalarFn::IndexOfRegex,
        vec![field("M"), string("a"), long(2)],
    ))
    .expect_err("declined");
    assert_eq!(d[0].code.as_str(), "B005");
}

#[test]
fn url_decode_is_url_decode_with_a_note() {
    let t = extend(expr_at(call(ScalarFn::UrlDecode, vec![field("Q")]), 2, 8)).unwrap();
    assert_eq!(
        t.text,
        "FROM T\n| EVAL x = COALESCE(URL_DECODE(COALESCE(Q, \"\")), \"\")\n| LIMIT 10000\n"
    );
    let n = notes(&t);
    assert_eq!(n.len(), 1);
    assert_eq!((n[0].0, n[0].1), (sp(2, 8), Effect::Values));
    assert!(n[0].2.contains("malformed"), "{}", n[0].2);
}

#[test]
fn has_with_a_computed_term_compares_words_with_locate() {
    let has = |func: ScalarFn, text: &str, term: &str| {
        expr_at(call(func, vec![field(text), field(term)]), 3, 8)
    };
    let t = run(&query(
        "T",
        vec![filter(not(p(PredicateKind::Bool(has(
            ScalarFn::HasTerm,
            "Computer",
            "Target",
        )))))],
    ))
    .unwrap();
    assert_eq!(
        t.text,
        "FROM T\n| WHERE NOT (CASE(TRIM(REPLACE(TO_LOWER(COALESCE(Target, \"\")), \"[^a-z0-9]+\", \" \")) == \"\", \
         COALESCE(Target, \"\") == \"\" OR LOCATE(COALESCE(Computer, \"\"), COALESCE(Target, \"\")) > 0, \
         LOCATE(CONCAT(\" \", REPLACE(TO_LOWER(COALESCE(Computer, \"\")), \"[^a-z0-9]+\", \" \"), \" \"), \
         CONCAT(\" \", TRIM(REPLACE(TO_LOWER(COALESCE(Target, \"\")), \"[^a-z0-9]+\", \" \")), \" \")) > 0))\n\
         | LIMIT 10000\n"
    );
    let n = notes(&t);
    assert_eq!(
        n.iter().map(|n| (n.0, n.1)).collect::<Vec<_>>(),
        vec![
            (sp(3, 8), Effect::OverMatch),
            (sp(3, 8), Effect::UnderMatch)
        ]
    );
    // has_cs keeps the case.
    let t = extend(has(ScalarFn::HasTermCs, "A", "B")).unwrap();
    assert!(
        t.text
            .contains("REPLACE(COALESCE(A, \"\"), \"[^A-Za-z0-9]+\", \" \")"),
        "{}",
        t.text
    );
    assert!(!t.text.contains("TO_LOWER"), "{}", t.text);
}

/// The rendering above, simulated: ` words(text) ` contains ` trim(words(term)) `, or a
/// substring test when the term has no alphanumerics.
fn has_sim(text: &str, term: &str) -> bool {
    let runs = regex_lite::Regex::new("[^a-z0-9]+").unwrap();
    let words = |s: &str| runs.replace_all(&s.to_lowercase(), " ").into_owned();
    let tw = words(term).trim().to_string();
    if tw.is_empty() {
        return term.is_empty() || text.contains(term);
    }
    format!(" {} ", words(text)).contains(&format!(" {tw} "))
}

/// KQL's `has` as the IR defines it: an occurrence (ASCII case-insensitive) with no
/// alphanumeric run going on across either end.
fn has_kql(text: &str, term: &str) -> bool {
    let (t, n) = (text.to_ascii_lowercase(), term.to_ascii_lowercase());
    let an = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    (0..=t.len().saturating_sub(n.len())).any(|i| {
        t.is_char_boundary(i)
            && t[i..].starts_with(&n)
            && !(an(t[..i].chars().next_back()) && an(n.chars().next()))
            && !(an(t[i + n.len()..].chars().next()) && an(n.chars().next_back()))
    })
}

#[test]
fn has_with_a_computed_term_is_exact_for_plain_terms_and_only_over_matches_otherwise() {
    let texts = [
        "",
        "dc1",
        "DC1.corp.local",
        "xdc1 dc1",
        "adc1",
        "a.b",
        "a-b",
        "a..b",
        "a b",
        "/x",
        "y/x",
        "x/",
        "a/resourcegroups/t.rg1?api",
        "cmd.exe /c",
        "(dc1)",
    ];
    let terms = [
        "",
        "dc1",
        "DC1",
        "corp",
        "a.b",
        "a..b",
        "/x",
        "x/",
        "/",
        "..",
        "resourcegroups/t.rg1?",
        "/resourcegroups/t.rg1?",
        "cmd.exe",
        "c",
    ];
    for text in texts {
        for term in terms {
            let (kql, sim) = (has_kql(text, term), has_sim(text, term));
            let plain = !term.is_empty() && term.chars().all(|c| c.is_ascii_alphanumeric());
            if plain {
                assert_eq!(sim, kql, "{text:?} has {term:?}");
            } else {
                assert!(sim || !kql, "under-match: {text:?} has {term:?}");
            }
        }
    }
}

#[test]
fn objects_are_declined_with_the_reason() {
    for f in [ScalarFn::BagPack, ScalarFn::DynamicIndex] {
        let d =
            extend(expr_at(call(f, vec![string("a"), field("N")]), 7, 12)).expect_err("declined");
        assert_eq!((d[0].code.as_str(), d[0].span), ("B005", sp(7, 12)));
        assert!(
            d[0].message.contains("no object values"),
            "{}",
            d[0].message
        );
    }
}

/// The Lucene pattern of `C RLIKE "…"`, read back from the ES|QL string literal.
fn rlike_pattern(where_clause: &str) -> String {
    let lit = where_clause
        .strip_prefix("C RLIKE \"")
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or_else(|| panic!("one RLIKE: {where_clause}"));
    let mut out = String::new();
    let mut chars = lit.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' {
            chars.next().expect("escape")
        } else {
            c
        });
    }
    out
}

#[test]
fn has_with_literal_terms_matches_kql_including_punctuation_edges() {
    // Terms that start or end with punctuation need no boundary there: KQL's
    // `"…/resourcegroups/t.rg1?api" has "/resourcegroups/t.rg1?"` is true.
    let texts = [
        "",
        "dc1",
        "xdc1 dc1",
        "adc1",
        "a.b",
        "xa.b",
        "a-b",
        "y/x",
        "x/",
        "xx.exe",
        "cmd.exe2",
        "a-cmd.exe",
        "foo-bar",
        "foo--bar",
        "a/resourcegroups/t.rg1?api",
    ];
    let terms = [
        "dc1",
        "a.b",
        "/x",
        "x/",
        "/",
        ".exe",
        "-bar",
        "cmd.exe",
        "/resourcegroups/t.rg1?",
    ];
    for term in terms {
        let re = lucene_regex(&rlike_pattern(&where_of(sm("C", Term, CS, &[term]))));
        for text in texts {
            assert_eq!(
                re.is_match(text),
                has_kql(text, term),
                "{text:?} has {term:?}"
            );
        }
    }
    // has_any mixing bounded and unbounded values: one RLIKE per edge group, ORed.
    let clause = where_of(sm("C", Term, CS, &["dc1", ".exe", "a.b"]));
    let any: Vec<regex_lite::Regex> = clause
        .split(" OR ")
        .map(|one| lucene_regex(&rlike_pattern(one)))
        .collect();
    assert_eq!(any.len(), 2, "{clause}");
    for text in texts {
        let kql = ["dc1", ".exe", "a.b"].iter().any(|t| has_kql(text, t));
        assert_eq!(
            any.iter().any(|re| re.is_match(text)),
            kql,
            "{text:?} has_any"
        );
    }
}

#[test]
fn has_any_edge_groups_are_separate_rlikes() {
    // One pattern `(P1(a)S1)|(P2(b)S2)` makes Lucene track both groups at once: its
    // determinised automaton grows with the product of the groups' states.
    assert_eq!(
        where_of(sm("C", Term, CS, &["dc1", ".exe", "a.b", "x/"])),
        "C RLIKE \"(.*[^A-Za-z0-9])?(dc1|a\\\\.b)([^A-Za-z0-9].*)?\" \
         OR C RLIKE \".*(\\\\.exe)([^A-Za-z0-9].*)?\" \
         OR C RLIKE \"(.*[^A-Za-z0-9])?(x\\\\/).*\""
    );
}

#[test]
fn has_any_long_term_lists_are_split_into_bounded_rlikes() {
    let values: Vec<String> = (0..1000).map(|i| format!("host{i:04}.example")).collect();
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let clause = where_of(sm("C", Term, CS, &refs));
    let parts: Vec<&str> = clause.split(" OR ").collect();
    // 1000 values of 16 characters (+1 for `|`): 17,000 characters in runs of <= 2,000
    // (117 values each).
    assert_eq!(parts.len(), 9);
    for p in &parts {
        let values = rlike_pattern(p).matches('|').count() + 1;
        assert!(
            values * 17 <= crate::lucene::MAX_ALTERNATION_CHARS,
            "{values}"
        );
    }
    let res: Vec<regex_lite::Regex> = parts
        .iter()
        .map(|p| lucene_regex(&rlike_pattern(p)))
        .collect();
    for probe in [
        "x host0999.example y",
        "host0000.example",
        "host0500.example/a",
    ] {
        assert!(res.iter().any(|r| r.is_match(probe)), "{probe}");
    }
    assert!(!res.iter().any(|r| r.is_match("xhost0999.example")));
}

#[test]
fn substring_counts_from_one_in_esql() {
    assert_eq!(
        eval_of(call(
            ScalarFn::Substring,
            vec![field("S"), long(0), long(2)]
        )),
        r#"| EVAL x = COALESCE(SUBSTRING(COALESCE(S, ""), 1, 2), "")"#
    );
    // strlen(..) + 1 is never negative: k + 1.
    let start = e(ExprKind::Arith {
        op: ArithOp::Add,
        lhs: Box::new(call(ScalarFn::Strlen, vec![field("D")])),
        rhs: Box::new(long(1)),
    });
    let t = ext1(call(ScalarFn::Substring, vec![field("S"), start])).unwrap();
    assert_eq!(t.fidelity, Fidelity::Exact);
    assert_eq!(
        t.text.lines().nth(1).unwrap(),
        r#"| EVAL x = COALESCE(SUBSTRING(COALESCE(S, ""), (LENGTH(COALESCE(D, "")) + 1) + 1), "")"#
    );
    // An unknown start keeps KQL's negative-from-the-end reading; a computed length is clamped.
    let t = ext1(call(
        ScalarFn::Substring,
        vec![field("S"), field("K"), field("N")],
    ))
    .unwrap();
    assert_eq!(
        t.text.lines().nth(1).unwrap(),
        r#"| EVAL x = COALESCE(SUBSTRING(COALESCE(S, ""), CASE(K < 0, K, K + 1), GREATEST(N, 0)), "")"#
    );
    assert_eq!(notes(&t).len(), 2);
    assert!(ext1(call(
        ScalarFn::Substring,
        vec![field("S"), long(0), long(-1)]
    ))
    .is_err());
}

#[test]
fn parse_url_parts_are_read_with_a_url_regex() {
    let part = |base: Expr, p: &str| {
        e(ExprKind::Path {
            base: Box::new(base),
            path: vec![PathSegment::Key(p.into())],
        })
    };
    let url = || call(ScalarFn::ParseUrl, vec![field("U")]);
    let t = ext1(part(url(), "Host")).unwrap();
    let line = t.text.lines().nth(1).unwrap().to_string();
    assert!(
        line.starts_with(r#"| EVAL x = REPLACE(COALESCE(U, ""), "\\A([A-Za-z]"#),
        "{line}"
    );
    assert!(line.ends_with(r#"|(?s:.*)", "$4")"#), "{line}");
    assert_eq!(notes(&t)[0].1, Effect::Values);
    // KQL's object has no `Query` property: null.
    assert_eq!(eval_of(part(url(), "Query")), "| EVAL x = NULL");
    assert_eq!(
        ext1(part(url(), "Query Parameters")).unwrap_err()[0]
            .code
            .as_str(),
        "B004"
    );
    // A column assigned parse_url(u) holds the text; its parts are read from it.
    let t = run(&query(
        "T",
        vec![
            stage(StageKind::Extend(vec![assign("Url", url())])),
            stage(StageKind::Extend(vec![assign(
                "h",
                indexed("Url", vec![k("Port")], false, sp(0, 0)),
            )])),
        ],
    ))
    .unwrap();
    assert!(
        t.text.contains("| EVAL Url = COALESCE(U, \"\")\n"),
        "{}",
        t.text
    );
    assert!(
        t.text
            .contains(r#"| EVAL h = REPLACE(COALESCE(Url, ""), "\\A"#)
            && t.text.contains(r#""$5")"#),
        "{}",
        t.text
    );
}

#[test]
fn small_string_and_array_functions() {
    assert_eq!(
        eval_of(call(ScalarFn::IndexOf, vec![field("S"), string("/")])),
        r#"| EVAL x = LOCATE(COALESCE(S, ""), "/") - 1"#
    );
    assert_eq!(
        eval_of(call(ScalarFn::Base64DecodeToString, vec![field("S")])),
        r#"| EVAL x = COALESCE(FROM_BASE64(COALESCE(S, "")), "")"#
    );
    assert_eq!(
        eval_of(call(ScalarFn::ArraySortAsc, vec![field("V")])),
        r#"| EVAL x = MV_SORT(V, "ASC")"#
    );
    let t = ext1(call(ScalarFn::UrlEncode, vec![field("S")])).unwrap();
    assert!(t.text.contains(r#"EVAL x = URL_ENCODE(COALESCE(S, ""))"#));
    assert_eq!(notes(&t)[0].1, Effect::Values);
}

/// KQL's toint/tolong truncate a real (Kusto's toint page: `toint(2.3)` is 2); ES|QL's
/// TO_INTEGER/TO_LONG of a double round it (esql-core `safeToInt`/`safeDoubleToLong`:
/// `Math.round`). A real is truncated first, `x - x % 1` (`%` of doubles is Java's, keeping the
/// dividend's sign); a long converts as it is, never through a double.
#[test]
fn toint_of_a_real_truncates_and_of_a_long_converts_as_it_is() {
    let t = esql_of("T | extend r = 1.5, n = 5 | extend a = toint(r), b = tolong(r * 2), c = tolong(n), d = toint(n / 2)");
    assert!(
        t.contains("| EVAL a = TO_INTEGER(r - (r % 1)), b = TO_LONG((r * 2) - ((r * 2) % 1)), c = TO_LONG(n), d = TO_INTEGER(n / 2)\n"),
        "{t}"
    );
}

/// An argument of no known type: TO_LONG as it is, with a located note — in a `where`, both
/// directions (a rounded value can pass or fail where the truncated one does not).
#[test]
fn toint_of_an_unknown_type_is_noted() {
    let t = run(&ir_of("T | where toint(X) == 1")).expect("translated");
    assert!(
        t.text.contains("| WHERE TO_INTEGER(X) == 1\n"),
        "{}",
        t.text
    );
    let n = notes(&t);
    let effects: Vec<Effect> = n.iter().map(|n| n.1).collect();
    assert!(
        effects.contains(&Effect::OverMatch) && effects.contains(&Effect::UnderMatch),
        "{n:?}"
    );
    assert!(
        n.iter()
            .all(|n| n.2.contains("Math.round") && n.2.contains("\"5.7\"")),
        "{n:?}"
    );
}

#[test]
fn round_to_digits_notes_its_halves() {
    // ROUND(x, decimals); which way a value exactly halfway goes is documented by neither KQL
    // nor Elastic.
    let t = run(&ir_of("T | extend R = round(X, 2)")).expect("translated");
    insta::assert_snapshot!(t.text, @r"
    FROM T
    | EVAL R = ROUND(X, 2)
    | LIMIT 10000
    ");
    let notes = notes(&t);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].1, Effect::Values);
    assert!(notes[0].2.contains("halfway"), "{notes:?}");
}

#[test]
fn hashes_reverse_log2_and_max_of() {
    let t = run(&ir_of(
        r#"SigninLogs | extend s = hash_sha256(UserPrincipalName), m = hash_md5(UserPrincipalName), r = reverse(UserAgent), l = log2(toreal(ResultType)), x = min_of(toint(ResultType), 4)"#,
    ))
    .expect("translated");
    insta::assert_snapshot!(t.text.lines().find(|l| l.starts_with("| EVAL")).unwrap_or(""), @r###"| EVAL s = SHA256(COALESCE(UserPrincipalName, "")), m = MD5(COALESCE(UserPrincipalName, "")), r = REVERSE(COALESCE(UserAgent, "")), l = LOG(2, TO_DOUBLE(ResultType)), x = CASE(COALESCE(TO_LONG(TO_INTEGER(ResultType)), TO_LONG(4)) IS NOT NULL, LEAST(COALESCE(TO_LONG(TO_INTEGER(ResultType)), TO_LONG(4)), COALESCE(TO_LONG(4), TO_LONG(TO_INTEGER(ResultType)))))"###);
    assert!(notes(&t).iter().all(|n| n.1 == Effect::Values));
    // Not a text, not a number: declined.
    assert_eq!(
        declined(&ir_of(r#"SigninLogs | extend h = hash_md5(TimeGenerated)"#)).len(),
        1
    );
    assert_eq!(
        declined(&ir_of(r#"SigninLogs | extend h = max_of(UserAgent, "a")"#)).len(),
        1
    );
}
