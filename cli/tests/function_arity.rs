//! Every function name kqlport knows (read from lowering's own tables,
//! `kqlport::lower::known_functions`), called with 0–4 arguments of every kind, in a predicate,
//! an `extend` and a `summarize` position, through the whole library path: parse, lower, and all
//! four backends. Each case must end in a translation or in errors located inside the query —
//! never a panic, and never a stack overflow (which would abort this test binary).

#[path = "common/full_path.rs"]
mod full_path;

use kqlport::backend::RuleContext;
use kqlport::{kql, lower};

/// One argument of each kind: string, long, real, column, dynamic path, dynamic literal, list,
/// datetime, timespan, bool, null, nested call, predicate, type name.
const ARGS: &[&str] = &[
    "'s'",
    "42",
    "1.5",
    "Col",
    "Props.a[0]",
    "dynamic(['a', 1])",
    "pack_array('x', 'y')",
    "datetime(2024-01-02)",
    "1h",
    "true",
    "long(null)",
    "tostring(Col)",
    "Col == 'x'",
    "typeof(string)",
];

/// The argument lists tried for each function: none; each kind alone; each kind beside a
/// column (both orders); and for three and four arguments, each kind repeated and each run of
/// consecutive kinds.
fn argument_lists() -> Vec<(usize, String)> {
    let mut lists = vec![(0, String::new())];
    lists.extend(ARGS.iter().map(|a| (1, a.to_string())));
    for a in ARGS {
        lists.push((2, format!("{a}, Col")));
        lists.push((2, format!("Col, {a}")));
    }
    for n in [3, 4] {
        for i in 0..ARGS.len() {
            lists.push((n, vec![ARGS[i]; n].join(", ")));
            let run: Vec<&str> = (0..n).map(|k| ARGS[(i + k) % ARGS.len()]).collect();
            lists.push((n, run.join(", ")));
        }
    }
    lists
}

#[test]
fn every_known_function_with_zero_to_four_arguments_translates_or_is_located() {
    let names = lower::known_functions();
    assert!(names.len() > 150, "the tables list {} names", names.len());
    let lists = argument_lists();
    let (mut cases, mut lowered, mut translated) = (0, 0, 0);
    for name in names.iter().copied().chain(["no_such_function"]) {
        for (n, args) in &lists {
            let call = format!("{name}({args})");
            let mut queries = vec![
                format!("T | where {call}"),
                format!("T | extend x = {call}"),
            ];
            // Under `not` and as an aggregate, up to two arguments.
            if *n <= 2 {
                queries.push(format!("T | where not({call})"));
                queries.push(format!("T | summarize x = {call} by Col"));
            }
            for query in queries {
                let r = full_path::convert_query(&query, &RuleContext::default());
                cases += 1;
                lowered += usize::from(r.lowered);
                translated += r.translated;
            }
        }
    }
    eprintln!("{cases} queries: {lowered} lowered, {translated} backend translations");
    // The sweep reaches the backends, not only the refusals.
    assert!(lowered > cases / 20, "only {lowered} of {cases} lowered");
}

#[test]
fn predicate_functions_with_a_wrong_argument_count_are_located_refusals() {
    for name in [
        "not",
        "isempty",
        "isnotempty",
        "notempty",
        "isnull",
        "isnotnull",
        "notnull",
    ] {
        for args in ["", "A, B", "A, B, C", "A, B, C, D"] {
            let call = format!("{name}({args})");
            for query in [
                format!("T | where {call}"),
                format!("T | extend x = {call}"),
            ] {
                let ast = kql::parse(&query).expect("syntax-valid");
                let err = lower::lower(&ast).expect_err("wrong arity is refused");
                assert_eq!(err[0].code.as_str(), "L026", "{query}: {}", err[0].message);
                assert_eq!(&query[err[0].span.range()], call, "{query}");
                assert!(
                    err[0].message.contains("takes 1 argument"),
                    "{query}: {}",
                    err[0].message
                );
            }
        }
    }
}

/// `let`s inlined into each other nest without the parser's bounds: a long chain either
/// translates or is refused as too complex (`L004`) — never a stack overflow, in any backend —
/// and lets that use each other twice (doubling at each step) are refused, not expanded.
#[test]
fn deep_and_doubling_let_chains_are_bounded() {
    let chain = |n: usize, step: &str| {
        let mut q = String::from("let a0 = Col;\n");
        for i in 1..=n {
            let prev = format!("a{}", i - 1);
            q += &format!("let a{i} = {};\n", step.replace('P', &prev));
        }
        q + &format!("T | where a{n} > 1 | extend y = a{n}")
    };
    for n in [100, 500, 1_000, 1_400, 1_600, 10_000] {
        for step in ["P + 1", "not(P)", "tolower(P)", "iff(P > 0, P, 1)", "(P)"] {
            let q = chain(n, step);
            let r = full_path::convert_query(&q, &RuleContext::default());
            assert!(r.parsed, "{n} {step}");
            if !r.lowered {
                let err = lower::lower(&kql::parse(&q).unwrap()).unwrap_err();
                assert!(
                    matches!(
                        err[0].code.as_str(),
                        "L004" | "L026" | "L027" | "L022" | "L021" | "L038"
                    ),
                    "{n} {step}: {} {}",
                    err[0].code.as_str(),
                    err[0].message
                );
            }
        }
    }
    // Tabular lets and list lets chain the same way.
    for n in [1_000, 2_000] {
        let tables: String = (1..n)
            .map(|i| format!("let t{i} = t{} | where x == 1;\n", i - 1))
            .collect();
        let lists: String = (1..n)
            .map(|i| format!("let l{i} = l{};\n", i - 1))
            .collect();
        let last = n - 1;
        for q in [
            format!("let t0 = T | where x == 0;\n{tables}t{last}"),
            format!("let l0 = dynamic(['a']);\n{lists}T | where x in (l{last})"),
        ] {
            let r = full_path::convert_query(&q, &RuleContext::default());
            if n < 1_500 {
                assert!(r.lowered, "{n}: {}", &q[..30]);
            } else {
                let err = lower::lower(&kql::parse(&q).unwrap()).unwrap_err();
                assert_eq!(err[0].code.as_str(), "L004", "{n}: {}", err[0].message);
            }
        }
    }
    let q = chain(40, "P + P");
    let err = lower::lower(&kql::parse(&q).unwrap()).unwrap_err();
    assert_eq!(err[0].code.as_str(), "L004", "{}", err[0].message);
    assert!(err[0].message.contains("too large"), "{}", err[0].message);
}
