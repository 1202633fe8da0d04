//! Unit tests of the KQL parser: precedence, literals, names, operators, diagnostics.

use super::ast::*;
use super::parse;

fn query(text: &str) -> Query {
    match parse(text) {
        Ok(q) => q,
        Err(d) => panic!("{text:?} failed: {:?}", d),
    }
}

/// The last statement's pipeline.
fn pipeline(text: &str) -> Pipeline {
    let q = query(text);
    match q.statements.into_iter().last().map(|s| s.kind) {
        Some(StatementKind::Expr(Expr {
            kind: ExprKind::Pipeline(p),
            ..
        })) => *p,
        other => panic!("not a pipeline: {other:?}"),
    }
}

fn ops(text: &str) -> Vec<OperatorKind> {
    pipeline(text)
        .operators
        .into_iter()
        .map(|o| o.kind)
        .collect()
}

fn op(text: &str) -> OperatorKind {
    ops(text).into_iter().last().expect("an operator")
}

/// The predicate of `T | where <e>`.
fn pred(e: &str) -> Expr {
    match op(&format!("T | where {e}")) {
        OperatorKind::Where { predicate, .. } => predicate,
        other => panic!("{other:?}"),
    }
}

/// A compact S-expression of an expression, for readable assertions.
fn sx(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Literal(l) => match l {
            Literal::Bool(b) => b.to_string(),
            Literal::Long(v) => v.to_string(),
            Literal::Real(r) => format!("real:{r}"),
            Literal::String(s) => format!("{s:?}"),
            Literal::DateTime(d) => format!("datetime:{d}"),
            Literal::Timespan { ticks, .. } => format!("ts:{}", ticks.unwrap_or(-1)),
            Literal::Typed { ty, value } => format!("{ty}:{value}"),
            Literal::Null => "null".into(),
        },
        ExprKind::Ident(n) => n.name.clone(),
        ExprKind::Star => "*".into(),
        ExprKind::Member { expr, member } => format!("{}.{}", sx(expr), member.name),
        ExprKind::Index { expr, index } => format!("{}[{}]", sx(expr), sx(index)),
        ExprKind::Call { function, args } => {
            let a: Vec<String> = args
                .iter()
                .map(|a| match &a.name {
                    Some(n) => format!("{}={}", n.name, sx(&a.value)),
                    None => sx(&a.value),
                })
                .collect();
            format!("{}({})", function.name, a.join(", "))
        }
        ExprKind::Unary { op, expr } => format!("({op:?} {})", sx(expr)),
        ExprKind::Binary { op, lhs, rhs } => format!("({} {} {})", op.as_str(), sx(lhs), sx(rhs)),
        ExprKind::In {
            expr,
            list,
            negated,
            case_insensitive,
        } => format!(
            "({}in{} {} [{}])",
            if *negated { "!" } else { "" },
            if *case_insensitive { "~" } else { "" },
            sx(expr),
            list.iter().map(sx).collect::<Vec<_>>().join(", ")
        ),
        ExprKind::Between {
            expr,
            low,
            high,
            negated,
        } => format!(
            "({}between {} {} {})",
            if *negated { "!" } else { "" },
            sx(expr),
            sx(low),
            sx(high)
        ),
        ExprKind::List(l) => format!("[{}]", l.iter().map(sx).collect::<Vec<_>>().join(", ")),
        ExprKind::Dynamic(_) => "dynamic".into(),
        ExprKind::Pipeline(p) => format!("<pipeline {} ops>", p.operators.len()),
    }
}

fn string_of(e: &str) -> String {
    match pred(&format!("x == {e}")).kind {
        ExprKind::Binary { rhs, .. } => match rhs.kind {
            ExprKind::Literal(Literal::String(s)) => s,
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

// ------------------------------------------------------------------ precedence

#[test]
fn or_binds_looser_than_and() {
    assert_eq!(sx(&pred("a or b and c")), "(or a (and b c))");
    assert_eq!(sx(&pred("a and b or c")), "(or (and a b) c)");
}

#[test]
fn arithmetic_is_left_associative_with_precedence() {
    assert_eq!(sx(&pred("1 - 2 - 3")), "(- (- 1 2) 3)");
    assert_eq!(sx(&pred("1 + 2 * 3")), "(+ 1 (* 2 3))");
    assert_eq!(sx(&pred("(1 + 2) * 3 % 4")), "(% (* (+ 1 2) 3) 4)");
    assert_eq!(sx(&pred("-a + +b")), "(+ (Neg a) (Plus b))");
}

#[test]
fn comparisons_bind_tighter_than_logic_and_looser_than_arithmetic() {
    assert_eq!(
        sx(&pred("a + 1 > b * 2 and c")),
        "(and (> (+ a 1) (* b 2)) c)"
    );
    assert_eq!(sx(&pred("not(a) and b")), "(and not(a) b)");
    assert_eq!(sx(&pred("x in (1, 2) or y")), "(or (in x [1, 2]) y)");
    assert_eq!(
        sx(&pred("x between (1 .. 10) and y")),
        "(and (between x 1 10) y)"
    );
}

// ------------------------------------------------------------------ string operators

#[test]
fn every_string_operator_spelling() {
    let cases = [
        ("has", BinaryOp::Has),
        ("!has", BinaryOp::NotHas),
        ("has_cs", BinaryOp::HasCs),
        ("!has_cs", BinaryOp::NotHasCs),
        ("hasprefix", BinaryOp::HasPrefix),
        ("!hasprefix_cs", BinaryOp::NotHasPrefixCs),
        ("hassuffix", BinaryOp::HasSuffix),
        ("hassuffix_cs", BinaryOp::HasSuffixCs),
        ("contains", BinaryOp::Contains),
        ("!contains", BinaryOp::NotContains),
        ("contains_cs", BinaryOp::ContainsCs),
        ("!contains_cs", BinaryOp::NotContainsCs),
        ("containscs", BinaryOp::ContainsCsLegacy),
        ("notcontains", BinaryOp::NotContainsLegacy),
        ("startswith", BinaryOp::StartsWith),
        ("!startswith", BinaryOp::NotStartsWith),
        ("startswith_cs", BinaryOp::StartsWithCs),
        ("endswith", BinaryOp::EndsWith),
        ("!endswith_cs", BinaryOp::NotEndsWithCs),
        ("==", BinaryOp::Equal),
        ("!=", BinaryOp::NotEqual),
        ("<>", BinaryOp::LessGreater),
        ("=~", BinaryOp::EqualTilde),
        ("!~", BinaryOp::NotEqualTilde),
        ("<", BinaryOp::Lt),
        ("<=", BinaryOp::Le),
        (">", BinaryOp::Gt),
        (">=", BinaryOp::Ge),
        ("matches regex", BinaryOp::MatchesRegex),
        ("matches   regex", BinaryOp::MatchesRegex),
        ("=", BinaryOp::EqualSingle),
    ];
    for (spelling, want) in cases {
        match pred(&format!("x {spelling} \"v\"")).kind {
            ExprKind::Binary { op, .. } => assert_eq!(op, want, "{spelling}"),
            other => panic!("{spelling}: {other:?}"),
        }
    }
}

#[test]
fn list_operators() {
    assert_eq!(
        sx(&pred("x has_any (\"a\", \"b\")")),
        "(has_any x [\"a\", \"b\"])"
    );
    assert_eq!(sx(&pred("x has_all (L)")), "(has_all x [L])");
    assert_eq!(sx(&pred("x !in (1)")), "(!in x [1])");
    assert_eq!(sx(&pred("x in~ (\"a\")")), "(in~ x [\"a\"])");
    assert_eq!(sx(&pred("x !in~ (\"a\")")), "(!in~ x [\"a\"])");
    assert_eq!(sx(&pred("x !between (1 .. 2)")), "(!between x 1 2)");
    assert_eq!(
        sx(&pred("x in ((T | project y), z)")),
        "(in x [<pipeline 1 ops>, z])"
    );
    assert_eq!(
        sx(&pred("x in (T | project y)")),
        "(in x [<pipeline 1 ops>])"
    );
    assert_eq!(sx(&pred("* has \"x\"")), "(has * \"x\")");
}

// ------------------------------------------------------------------ literals

#[test]
fn every_string_form() {
    assert_eq!(string_of(r#""a\"b\\c\n""#), "a\"b\\c\n");
    assert_eq!(string_of(r"'it\'s'"), "it's");
    assert_eq!(string_of(r#"@"C:\dir\""file""""#), "C:\\dir\\\"file\"");
    assert_eq!(string_of(r"@'a''b'"), "a'b");
    assert_eq!(string_of(r#"h"secret""#), "secret");
    assert_eq!(string_of(r"H'secret'"), "secret");
    assert_eq!(string_of(r#"h@"C:\x""#), "C:\\x");
    assert_eq!(string_of("```multi\nline```"), "multi\nline");
    assert_eq!(string_of(r#""a" 'b' @"c""#), "abc");
    assert_eq!(string_of("\"a\" // comment\n \"b\""), "ab");
    assert_eq!(string_of(r#""\u0041""#), "A");
}

/// Escapes decode as Microsoft's parser decodes them (Kusto.Language `DecodeEscapes`): `\u` is
/// one UTF-16 code unit, so two of them make a surrogate pair; `\x` takes exactly two hex
/// digits; octal takes a third digit only after `0`–`3`.
#[test]
fn escapes_decode_as_kusto_does() {
    assert_eq!(string_of(r#""\uD83D\uDE00""#), "\u{1F600}");
    assert_eq!(string_of(r#""\ud83d\ude00!""#), "\u{1F600}!");
    assert_eq!(string_of(r#""\U0001F600""#), "\u{1F600}");
    assert_eq!(string_of(r#""\x41B""#), "AB");
    assert_eq!(string_of(r#""\101\477""#), "A'7");
    assert_eq!(string_of(r#""\\uD800""#), "\\uD800");
}

/// A lone surrogate escape is no character any target can hold: a located error, never the
/// text `uD800` (issue 9, finding 8).
#[test]
fn lone_surrogate_escapes_are_located_errors() {
    for (q, at) in [
        (r#"T | where x == "\uD800""#, 16..22),
        (r#"T | where x == "a\uDE00\uD83D""#, 17..23),
        (r#"T | where x == "\uD83D\u0041""#, 16..22),
        (r#"T | where x == "\U0000D800""#, 16..26),
        (r#"T | where x == "\U00110000""#, 16..26),
    ] {
        let d = err(q);
        assert_eq!(d.code.as_str(), "P012", "{q}");
        assert_eq!(d.span.range(), at, "{q}");
    }
    assert_eq!(err(r#"T | where x == "\x4""#).code.as_str(), "P011");
}

#[test]
fn comments_never_inside_strings() {
    assert_eq!(string_of(r#""http://x.com""#), "http://x.com");
    assert_eq!(string_of(r#"@"//not a comment""#), "//not a comment");
    let q = query("// leading\nT // trailing\n| where x == 1 // \"quoted\"\n// end");
    assert_eq!(q.statements.len(), 1);
}

#[test]
fn timespans() {
    let t = |s: &str| sx(&pred(&format!("x > {s}")));
    assert_eq!(t("1d"), "(> x ts:864000000000)");
    assert_eq!(t("2h"), "(> x ts:72000000000)");
    assert_eq!(t("30m"), "(> x ts:18000000000)");
    assert_eq!(t("10s"), "(> x ts:100000000)");
    assert_eq!(t("100ms"), "(> x ts:1000000)");
    assert_eq!(t("1tick"), "(> x ts:1)");
    assert_eq!(t("1.5h"), "(> x ts:54000000000)");
    assert_eq!(t("3microseconds"), "(> x ts:30)");
    assert_eq!(t("5min"), "(> x ts:3000000000)");
    assert_eq!(t("timespan(1d)"), "(> x ts:864000000000)");
    assert_eq!(t("timespan(00:05:00)"), "(> x ts:3000000000)");
    assert_eq!(t("time(6.00:00:00)"), "(> x ts:5184000000000)");
}

#[test]
fn datetimes_and_typed_literals() {
    let t = |s: &str| sx(&pred(&format!("x > {s}")));
    assert_eq!(t("datetime(2021-01-01)"), "(> x datetime:2021-01-01)");
    assert_eq!(t("datetime(\"2021-01-01\")"), "(> x datetime:2021-01-01)");
    assert_eq!(
        t("datetime(2021-01-01 10:00:00.123Z)"),
        "(> x datetime:2021-01-01 10:00:00.123Z)"
    );
    assert_eq!(t("long(5)"), "(> x long:5)");
    assert_eq!(t("int(null)"), "(> x int:null)");
    assert_eq!(t("real(nan)"), "(> x real:nan)");
    assert_eq!(t("decimal(1.5)"), "(> x decimal:1.5)");
    assert_eq!(t("bool(true)"), "(> x bool:true)");
    assert_eq!(
        t("guid(74be27de-1e4e-49d9-b579-fe0b331d3642)"),
        "(> x guid:74be27de-1e4e-49d9-b579-fe0b331d3642)"
    );
    assert_eq!(t("1e6"), "(> x real:1e6)");
    assert_eq!(t("0x1F"), "(> x 31)");
    assert_eq!(t("2.5"), "(> x real:2.5)");
    assert_eq!(t("true"), "(> x true)");
}

#[test]
fn dynamic_literals() {
    for d in [
        "dynamic([1, \"a\", [2], {\"k\": null}])",
        "dynamic({\"a\": 1, \"b\": [true, false]})",
        "dynamic(null)",
        "dynamic([])",
    ] {
        assert!(matches!(
            pred(&format!("x == {d}")).kind,
            ExprKind::Binary { ref rhs, .. } if matches!(rhs.kind, ExprKind::Dynamic(_))
        ));
    }
}

// ------------------------------------------------------------------ names

#[test]
fn names_and_paths() {
    assert_eq!(sx(&pred("$left.x == $right.y")), "(== $left.x $right.y)");
    assert_eq!(sx(&pred("['my col'] == [\"x\"]")), "(== my col x)");
    assert_eq!(sx(&pred("a.b[0][\"c\"].d == 1")), "(== a.b[0][\"c\"].d 1)");
    assert_eq!(sx(&pred("a.['b c'] == 1")), "(== a[\"b c\"] 1)");
    assert_eq!(sx(&pred("a.[0] == 1")), "(== a[0] 1)");
    assert_eq!(
        sx(&pred("count > 1 and type == kind")),
        "(and (> count 1) (== type kind))"
    );
    match op("T | project count, type, kind, title, project, table") {
        OperatorKind::Project(cols) => assert_eq!(cols.len(), 6),
        other => panic!("{other:?}"),
    }
}

#[test]
fn calls_with_named_star_and_tabular_arguments() {
    assert_eq!(sx(&pred("f(x, kind=y) == 1")), "(== f(x, kind=y) 1)");
    assert_eq!(
        sx(&pred("x > toscalar(T | count)")),
        "(> x toscalar(<pipeline 1 ops>))"
    );
    match op("T | summarize count(), arg_max(TimeGenerated, *), n = dcount(x)") {
        OperatorKind::Summarize { aggregates, .. } => {
            assert_eq!(sx(&aggregates[1].expr), "arg_max(TimeGenerated, *)");
            assert_eq!(aggregates[2].names[0].name, "n");
        }
        other => panic!("{other:?}"),
    }
}

// ------------------------------------------------------------------ statements

#[test]
fn statements() {
    let q = query(
        "set notruncation;\ndeclare query_parameters(a:string = \"x\");\nlet n = 5;\nlet T2 = T | where x > n;\nlet f = (a:string, b:int=5) { T | where c == a | take b };\nlet v = view () { T };\nlet m = materialize(T | take 1);\nT2;",
    );
    let kinds: Vec<&StatementKind> = q.statements.iter().map(|s| &s.kind).collect();
    assert!(matches!(kinds[0], StatementKind::Set { .. }));
    assert!(matches!(kinds[1], StatementKind::DeclareQueryParameters(p) if p.len() == 1));
    assert!(matches!(
        kinds[2],
        StatementKind::Let {
            value: LetValue::Expr(_),
            ..
        }
    ));
    match kinds[4] {
        StatementKind::Let {
            value: LetValue::Lambda(l),
            ..
        } => {
            assert_eq!(l.params.len(), 2);
            assert!(l.params[1].default.is_some());
            assert_eq!(l.body.len(), 1);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        kinds[5],
        StatementKind::Let {
            value: LetValue::View(_),
            ..
        }
    ));
    assert_eq!(q.statements.len(), 8);
    // only lets, and tabular parameters
    query("let a = 1;");
    query("let f = (T:(x:string, *)) { T | where x == 1 }; f(Events)");
}

// ------------------------------------------------------------------ operators

#[test]
fn spellings_are_kept() {
    assert!(matches!(
        op("T | filter x"),
        OperatorKind::Where {
            keyword: WhereKeyword::Filter,
            ..
        }
    ));
    assert!(matches!(
        op("T | where x"),
        OperatorKind::Where {
            keyword: WhereKeyword::Where,
            ..
        }
    ));
    assert!(matches!(
        op("T | order by x"),
        OperatorKind::Sort {
            keyword: SortKeyword::Order,
            ..
        }
    ));
    assert!(matches!(
        op("T | sort by x"),
        OperatorKind::Sort {
            keyword: SortKeyword::Sort,
            ..
        }
    ));
    assert!(matches!(
        op("T | limit 5"),
        OperatorKind::Take {
            keyword: TakeKeyword::Limit,
            ..
        }
    ));
    assert!(matches!(
        op("T | take 5"),
        OperatorKind::Take {
            keyword: TakeKeyword::Take,
            ..
        }
    ));
    assert!(matches!(
        op("T | mvexpand x"),
        OperatorKind::MvExpand(MvExpand {
            keyword: MvExpandKeyword::Mvexpand,
            ..
        })
    ));
}

#[test]
fn projection_family() {
    assert!(
        matches!(op("T | project-away Foo*, ['b c']"), OperatorKind::ProjectAway(p) if p[0].pattern == "Foo*" && p[1].bracketed)
    );
    assert!(matches!(
        op("T | project-keep a*"),
        OperatorKind::ProjectKeep(_)
    ));
    assert!(
        matches!(op("T | project-rename a = b, c = d"), OperatorKind::ProjectRename(r) if r.len() == 2)
    );
    match op("T | project-reorder b desc, Foo* asc, c") {
        OperatorKind::ProjectReorder(items) => {
            assert_eq!(items[0].order, Some(ReorderOrder::Desc));
            assert_eq!(items[2].order, None);
        }
        other => panic!("{other:?}"),
    }
    match op("T | extend (a, b) = f(x), c = 1") {
        OperatorKind::Extend(items) => assert_eq!(items[0].names.len(), 2),
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(op("T | distinct *"), OperatorKind::Distinct { columns, .. } if matches!(columns[0].expr.kind, ExprKind::Star))
    );
}

#[test]
fn aggregation_family() {
    match op("T | summarize hint.strategy=shuffle n = count() by bin(TimeGenerated, 1h), Computer")
    {
        OperatorKind::Summarize {
            params,
            aggregates,
            by,
        } => {
            assert_eq!(params[0].name, "hint.strategy");
            assert_eq!(aggregates.len(), 1);
            assert_eq!(by.len(), 2);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(op("T | summarize by x"), OperatorKind::Summarize { aggregates, .. } if aggregates.is_empty())
    );
    match op("T | sort by a asc nulls first, b desc") {
        OperatorKind::Sort { by, .. } => {
            assert_eq!(by[0].nulls, Some(NullsOrder::First));
            assert_eq!(by[1].order, Some(SortOrder::Desc));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        op("T | top 10 by x desc"),
        OperatorKind::Top { .. }
    ));
    assert!(
        matches!(op("T | top-nested 3 of a by c = count(), top-nested 2 of b by max(d)"), OperatorKind::TopNested(l) if l.len() == 2)
    );
    assert!(matches!(op("T | count"), OperatorKind::Count));
    assert!(matches!(op("T | sample 10"), OperatorKind::Sample(_)));
    assert!(matches!(
        op("T | sample-distinct 10 of x"),
        OperatorKind::SampleDistinct { .. }
    ));
    match op("T | make-series n = count() default = 0 on TimeGenerated from ago(1d) to now() step 1h by x") {
        OperatorKind::MakeSeries(m) => {
            assert!(m.aggregates[0].default.is_some());
            assert!(matches!(m.range, Some(SeriesRange::FromTo { .. })));
            assert_eq!(m.by.len(), 1);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        op("T | make-series count() on t in range(ago(1d), now(), 1h)"),
        OperatorKind::MakeSeries(MakeSeries {
            range: Some(SeriesRange::InRange { .. }),
            ..
        })
    ));
}

#[test]
fn join_family() {
    match op("T | join kind=leftouter hint.remote=auto (U | where x) on $left.a == $right.b, c") {
        OperatorKind::Join(j) => {
            assert_eq!(j.params.len(), 2);
            assert!(matches!(j.right.kind, ExprKind::Pipeline(_)));
            assert_eq!(j.on.len(), 2);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(op("T | join U on a"), OperatorKind::Join(j) if matches!(j.right.kind, ExprKind::Ident(_)))
    );
    assert!(matches!(
        op("T | lookup kind=leftouter U on a"),
        OperatorKind::Lookup(_)
    ));
    match pipeline("union isfuzzy=true withsource=Src Device*, (T | take 1), U")
        .source
        .kind
    {
        SourceKind::Union(u) => {
            assert_eq!(u.params.len(), 2);
            assert!(matches!(u.tables[0], UnionItem::Wildcard(_)));
            assert_eq!(u.tables.len(), 3);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(op("T | union U, V"), OperatorKind::Union(_)));
}

#[test]
fn expansion_and_parsing_family() {
    match op("T | mv-expand kind=array with_itemindex=i x = y to typeof(string), z limit 10") {
        OperatorKind::MvExpand(m) => {
            assert_eq!(m.params.len(), 2);
            assert_eq!(m.items[0].names[0].name, "x");
            assert_eq!(
                m.items[0].to_type.as_ref().map(|t| t.name.as_str()),
                Some("string")
            );
            assert!(m.limit.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        op("T | mv-apply x = d to typeof(long) on (summarize max(x) | where y)"),
        OperatorKind::MvApply { subquery: Subquery { kind: SubqueryKind::Operators(o), .. }, .. } if o.len() == 2
    ));
    match op("T | parse kind=regex flags=i x with * \"a=\" a:string \",\" b:long *") {
        OperatorKind::Parse {
            filter,
            params,
            pattern,
            ..
        } => {
            assert!(!filter);
            assert_eq!(params.len(), 2);
            assert_eq!(pattern.len(), 6);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        op("T | parse-where x with \"a\" y"),
        OperatorKind::Parse { filter: true, .. }
    ));
    assert!(matches!(
        op("T | parse-kv x as (a:string, b:long) with (pair_delimiter=\",\", kv_delimiter=\"=\")"),
        OperatorKind::ParseKv { columns, properties, .. } if columns.len() == 2 && properties.len() == 2
    ));
}

#[test]
fn other_operators() {
    assert!(
        matches!(op("T | evaluate hint.distribution=per_node bag_unpack(x) : (a:string, *)"), OperatorKind::Evaluate(e) if e.schema.is_some())
    );
    assert!(
        matches!(op("T | render timechart with (title=\"x\", ymin=0)"), OperatorKind::Render { properties, .. } if properties.len() == 2)
    );
    assert!(matches!(op("T | invoke f()"), OperatorKind::Invoke(_)));
    assert!(
        matches!(op("T | as hint.materialized=true X"), OperatorKind::As { params, .. } if params.len() == 1)
    );
    assert!(
        matches!(op("T | serialize n = row_number()"), OperatorKind::Serialize(v) if v.len() == 1)
    );
    assert!(matches!(op("T | getschema"), OperatorKind::GetSchema));
    assert!(matches!(op("T | search \"x\""), OperatorKind::Search(_)));
    assert!(matches!(
        op("T | partition by x (top 3 by y)"),
        OperatorKind::Partition { .. }
    ));
    assert!(matches!(
        op("T | partition hint.strategy=native by x { U | take 1 }"),
        OperatorKind::Partition { .. }
    ));
    assert!(matches!(op("T | fork (take 1) (count)"), OperatorKind::Fork(b) if b.len() == 2));
    assert!(matches!(
        op("T | facet by a, b"),
        OperatorKind::Facet { .. }
    ));
    assert!(matches!(
        op("T | reduce by x with threshold=0.5"),
        OperatorKind::Reduce { .. }
    ));
    assert!(matches!(op("T | consume"), OperatorKind::Consume(_)));
    assert!(matches!(
        op("T | top-hitters 5 of x by y"),
        OperatorKind::TopHitters { .. }
    ));
    assert!(matches!(
        op("T | scan declare (s:string = \"\") with (step a: x == 1 => s = y; step b optional: x == 2;)"),
        OperatorKind::Scan(s) if s.steps.len() == 2 && s.declare.len() == 1
    ));
}

#[test]
fn sources() {
    assert!(
        matches!(pipeline("datatable(a:string, b:long)[\"x\", 1, \"y\", 2] | take 1").source.kind, SourceKind::Datatable(d) if d.values.len() == 4)
    );
    assert!(matches!(
        pipeline("range x from 1 to 10 step 1 | take 1").source.kind,
        SourceKind::Range(_)
    ));
    assert!(
        matches!(pipeline("print a = 1, b = 2 | take 1").source.kind, SourceKind::Print(p) if p.len() == 2)
    );
    assert!(matches!(
        pipeline("externaldata(a:string)[@\"https://x\"] with (format=\"csv\") | take 1").source.kind,
        SourceKind::ExternalData(e) if e.properties.len() == 1
    ));
    assert!(matches!(
        pipeline("find in (T, U) where x == 1 project a, b | take 1")
            .source
            .kind,
        SourceKind::Find(_)
    ));
    assert!(matches!(
        pipeline("search kind=case_sensitive in (T) \"x\" | take 1")
            .source
            .kind,
        SourceKind::Search(_)
    ));
    assert!(matches!(
        pipeline("(T | take 1) | count").source.kind,
        SourceKind::Expr(_)
    ));
}

#[test]
fn unicode_whitespace_is_whitespace() {
    query("T\u{a0}|\u{202f}where\u{200b}x\u{feff}== 1");
}

#[test]
fn keywords_are_case_sensitive() {
    assert!(parse("T | Where x").is_err());
    assert!(parse("T | where x AND y").is_err());
}

// ------------------------------------------------------------------ spans

#[test]
fn spans_are_byte_offsets() {
    let text = "T | where x == \"é\" and y";
    let p = pipeline(text);
    assert_eq!(p.span.range(), 0..text.len());
    let o = &p.operators[0];
    assert_eq!(&text[o.span.range()], "where x == \"é\" and y");
    match &o.kind {
        OperatorKind::Where { predicate, .. } => match &predicate.kind {
            ExprKind::Binary { lhs, rhs, .. } => {
                assert_eq!(&text[lhs.span.range()], "x == \"é\"");
                assert_eq!(&text[rhs.span.range()], "y");
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

// ------------------------------------------------------------------ diagnostics

fn err(text: &str) -> crate::diag::Diagnostic {
    let mut e = parse(text).expect_err(text);
    assert!(!e.is_empty());
    let d = e.remove(0);
    assert!(d.span.end <= text.len(), "{text:?}: span {:?}", d.span);
    assert!(
        d.label.as_deref().is_some_and(|l| !l.is_empty()),
        "{text:?}"
    );
    d
}

#[test]
fn diagnostics_speak_kql() {
    let d = err("T | wher x == 1");
    assert_eq!(d.message, "unknown tabular operator 'wher'");
    assert_eq!(d.help.as_deref(), Some("did you mean 'where'?"));
    assert_eq!(d.span.range(), 4..8);

    let d = err("T | summarise count()");
    assert_eq!(d.help.as_deref(), Some("did you mean 'summarize'?"));

    let d = err("T |");
    assert!(
        d.message
            .starts_with("expected a tabular operator after '|'"),
        "{}",
        d.message
    );
    let d = err("T | | where x");
    assert!(
        d.message
            .starts_with("expected a tabular operator after '|'"),
        "{}",
        d.message
    );

    let d = err("T | where x == \"abc");
    assert_eq!(d.code.as_str(), "P002");
    assert_eq!(d.message, "unterminated string literal");
    assert_eq!(d.span.start, 15);

    let d = err("T | where f(x");
    assert_eq!(
        d.message,
        "unbalanced parenthesis: '(' opened here is never closed"
    );
    assert_eq!(d.span.range(), 11..12);

    let d = err("T | where x ==");
    assert!(
        d.message.starts_with("expected an expression"),
        "{}",
        d.message
    );

    let d = err("T | summarize count(x y)");
    assert!(
        d.message
            .starts_with("expected ')' to close the call of 'count'"),
        "{}",
        d.message
    );

    let d = err("");
    assert_eq!(d.message, "the query is empty");

    let d = err("T | where x)");
    assert_eq!(d.code.as_str(), "P003");

    let d = err("T | take 1\nU | take 1");
    assert_eq!(d.code.as_str(), "P010");
    assert_eq!(d.message, "expected ';' before a new statement, found 'U'");
    assert_eq!(d.span.range(), 11..12);

    let d = err("T | where x in (1, 2]");
    assert_eq!(d.code.as_str(), "P003");
    assert_eq!(d.secondary.len(), 1);

    for text in [
        "T | where x y",
        "T | project a b",
        "let x = ;",
        "T | join kind=inner",
    ] {
        let d = err(text);
        assert!(!d.message.contains("Rule"), "{}", d.message);
        assert!(
            !d.message.contains('_'),
            "rule-like name in {:?}",
            d.message
        );
    }
}

/// Forms Microsoft's parser (Kusto.Language) accepts that other public rule collections use:
/// a real with a trailing point, the `:` term search, a trailing comma in a column schema.
#[test]
fn forms_kusto_accepts_from_other_rule_collections() {
    // `1000.` is the real 1000.0; `1..2` in a range is still two longs.
    assert_eq!(sx(&pred("x > 1000.")), "(> x real:1000.0)");
    assert_eq!(sx(&pred("x == 1.e3")), "(== x real:1.0e3)");
    assert_eq!(sx(&pred("x > 1000.5")), "(> x real:1000.5)");
    match pred("x between (1..2)").kind {
        ExprKind::Between { low, high, .. } => {
            assert_eq!((sx(&low), sx(&high)), ("1".into(), "2".into()))
        }
        other => panic!("{other:?}"),
    }
    match pred("x between (1. .. 2.)").kind {
        ExprKind::Between { low, high, .. } => assert_eq!(
            (sx(&low), sx(&high)),
            ("real:1.0".into(), "real:2.0".into())
        ),
        other => panic!("{other:?}"),
    }
    // `Col:"value"`, in search and in any expression, with the precedence of a comparison.
    assert_eq!(
        sx(&pred(r#"Col:"x" and a == 1"#)),
        r#"(and (: Col "x") (== a 1))"#
    );
    query(r#"search Col:"value""#);
    query(r#"T | search Col:"v*" or "x""#);
    // ... but `: (` after an evaluate plugin is still its output schema.
    match op("T | evaluate bag_unpack(d) : (a:string, b:long,)") {
        OperatorKind::Evaluate(e) => assert_eq!(e.schema.map(|s| s.len()), Some(2)),
        other => panic!("{other:?}"),
    }
    // A trailing comma closes a column schema (not an argument or parameter list: Kusto
    // rejects `f(a,)` and `(a:string,)` parameters too).
    query(r#"datatable(a:string, b:long,)["x", 1]"#);
    query(r#"externaldata(a:string,)["https://example.invalid/x.csv"]"#);
    query(r#"T | parse-kv a as (k:string,) with (pair_delimiter=",")"#);
    for bad in [
        "T | project a, b,",
        "T | extend y = strcat(a, b,)",
        "T | where x in (1, 2,)",
    ] {
        assert!(parse(bad).is_err(), "{bad} should not parse");
    }
}
