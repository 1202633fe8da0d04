//! Row cases for the `eql` engine oracle (`tests/oracle/check.py`): a predicate, a few events and
//! the ids KQL returns.

use super::*;

/// One predicate, a few events, and the ids KQL returns (worked out from KQL's documented
/// semantics). Only case-insensitive string operators are used: the `eql` Python engine folds
/// case for every operator, so its rows prove nothing about case-sensitive ones.
fn row_case(
    name: &str,
    pr: Predicate,
    events: serde_json::Value,
    expect: &[i64],
) -> serde_json::Value {
    let text = eql(pr);
    serde_json::json!({ "name": name, "query": text, "events": events, "expect": expect })
}

#[test]
fn oracle_row_cases() {
    use serde_json::json;
    let cases = vec![
        row_case(
            "tor_not_443",
            and(vec![
                sm(
                    "Image",
                    Equals,
                    Case::Insensitive,
                    &["tor.exe", "meek-client.exe"],
                ),
                cmp(field("RemotePort"), CmpOp::Ne, long(443)),
            ]),
            json!([
                {"id": 1, "Image": "TOR.EXE", "RemotePort": 443},
                {"id": 2, "Image": "tor.exe", "RemotePort": 9001},
                {"id": 3, "Image": "Meek-Client.exe"},
                {"id": 4, "Image": "tor.exe.bak", "RemotePort": 1},
                {"id": 5, "RemotePort": 1}
            ]),
            &[2, 3],
        ),
        row_case(
            "has_is_a_whole_term",
            ci("C", Term, "tor"),
            json!([
                {"id": 1, "C": "tortoise"},
                {"id": 2, "C": "run TOR now"},
                {"id": 3, "C": "tor"},
                {"id": 4, "C": "x-tor_y"}, // `_` is not alphanumeric: a term boundary
                {"id": 5, "C": "tor9"},
                {"id": 6, "C": "a\ntor"},
                {"id": 7}
            ]),
            &[2, 3, 4, 6],
        ),
        row_case(
            "not_has_keeps_missing",
            neg(ci("C", Term, "cmd.exe")),
            json!([
                {"id": 1, "C": "c:\\cmd.exe /c"},
                {"id": 2, "C": "xcmd.exe"},
                {"id": 3},
                {"id": 4, "C": ""}
            ]),
            &[2, 3, 4],
        ),
        row_case(
            "has_prefix_suffix",
            or(vec![
                ci("C", TermPrefix, "pow"),
                ci("C", TermSuffix, "shell"),
            ]),
            json!([
                {"id": 1, "C": "x Powershell"},
                {"id": 2, "C": "xpow"},
                {"id": 3, "C": "bash-SHELL.exe"},
                {"id": 4, "C": "shellx"}
            ]),
            &[1, 3],
        ),
        row_case(
            "contains_star_is_literal",
            ci("C", Contains, "a*b"),
            json!([
                {"id": 1, "C": "xA*By"},
                {"id": 2, "C": "aXXb"},
                {"id": 3}
            ]),
            &[1],
        ),
        row_case(
            "equals_empty_matches_missing",
            ci("C", Equals, ""),
            json!([{"id": 1, "C": ""}, {"id": 2}, {"id": 3, "C": "x"}]),
            &[1, 2],
        ),
        row_case(
            "not_equals_empty_drops_missing",
            neg(ci("C", Equals, "")),
            json!([{"id": 1, "C": ""}, {"id": 2}, {"id": 3, "C": "x"}]),
            &[3],
        ),
        row_case(
            "not_contains_keeps_missing",
            neg(ci("C", Contains, "evil")),
            json!([{"id": 1, "C": "EVIL"}, {"id": 2}, {"id": 3, "C": "good"}]),
            &[2, 3],
        ),
        row_case(
            "not_in_ci",
            neg(sm("C", Equals, Case::Insensitive, &["a", "b"])),
            json!([{"id": 1, "C": "A"}, {"id": 2}, {"id": 3, "C": "c"}]),
            &[2, 3],
        ),
        row_case(
            "isempty_isnotempty",
            or(vec![
                p(PredicateKind::IsEmpty {
                    expr: field("A"),
                    negated: false,
                }),
                p(PredicateKind::IsEmpty {
                    expr: field("B"),
                    negated: true,
                }),
            ]),
            json!([
                {"id": 1, "A": "x", "B": ""},
                {"id": 2, "B": ""},
                {"id": 3, "A": "x", "B": "y"},
                {"id": 4, "A": "", "B": "y"}
            ]),
            &[2, 3, 4],
        ),
        row_case(
            // KQL: `P !between (10 .. 20)` on a missing P is null, so the row is dropped
            // (duckdb-kql: rows 2 and 4).
            "not_between_drops_missing",
            p(PredicateKind::Between {
                expr: field("P"),
                low: long(10),
                high: long(20),
                negated: true,
            }),
            json!([{"id": 1, "P": 10}, {"id": 2, "P": 21}, {"id": 3}, {"id": 4, "P": 5}]),
            &[2, 4],
        ),
        row_case(
            "not_greater_drops_missing",
            not(cmp(field("P"), CmpOp::Gt, long(10))),
            json!([{"id": 1, "P": 10}, {"id": 2, "P": 21}, {"id": 3}]),
            &[1],
        ),
        row_case(
            "strlen_below_keeps_missing",
            cmp(call(ScalarFn::Strlen, vec![field("C")]), CmpOp::Lt, long(3)),
            json!([{"id": 1, "C": "ab"}, {"id": 2, "C": "abcd"}, {"id": 3}]),
            &[1, 3],
        ),
        row_case(
            "regex_unanchored_and_anchored",
            or(vec![
                sm("C", Regex, Case::Sensitive, &[r"^ab\d"]),
                sm("C", Regex, Case::Sensitive, &[r"z\.y$"]),
            ]),
            json!([
                {"id": 1, "C": "ab1x"},
                {"id": 2, "C": "xab1"},
                {"id": 3, "C": "1z.y"},
                {"id": 4, "C": "z.y1"},
                {"id": 5, "C": "zzy"}
            ]),
            &[1, 3],
        ),
        row_case(
            "regex_dot_does_not_cross_newlines",
            sm("C", Regex, Case::Sensitive, &["a.b"]),
            json!([{"id": 1, "C": "xa-by"}, {"id": 2, "C": "a\nb"}, {"id": 3, "C": "q\na_b"}]),
            &[1, 3],
        ),
        row_case(
            "not_regex_matching_empty",
            neg(sm("C", Regex, Case::Sensitive, &["^x*$"])),
            json!([{"id": 1, "C": ""}, {"id": 2}, {"id": 3, "C": "xy"}, {"id": 4, "C": "xx"}]),
            &[3],
        ),
        row_case(
            "has_all",
            sm_q(
                "C",
                Term,
                Case::Insensitive,
                &["net", "user"],
                Quantifier::All,
                false,
            ),
            json!([{"id": 1, "C": "net user /add"}, {"id": 2, "C": "net1 user"}, {"id": 3, "C": "user NET"}]),
            &[1, 3],
        ),
        row_case(
            "not_of_or_pushes_down",
            not(or(vec![
                ci("A", StartsWith, "x"),
                cmp(field("P"), CmpOp::Eq, long(1)),
            ])),
            json!([{"id": 1, "A": "xy", "P": 2}, {"id": 2, "P": 2}, {"id": 3}, {"id": 4, "A": "y", "P": 1}]),
            &[2, 3],
        ),
    ];
    if let Ok(dir) = std::env::var("KQLPORT_EQL_DUMP") {
        std::fs::create_dir_all(&dir).expect("dir");
        let text = serde_json::to_string_pretty(&cases).expect("json");
        std::fs::write(format!("{dir}/cases.json"), text).expect("write");
    }
}
