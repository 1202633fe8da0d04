//! Integration tests of the rule loader (`kqlport::sentinel`): the fixtures in
//! `tests/fixtures/loader/` (exact bytes: CRLF, BOM, invalid UTF-8) and the shared corpus of
//! real Sentinel files. Reads files only here, in tests; the loader itself never does.

use kqlport::diag::{Diagnostic, SourceFile};
use kqlport::sentinel::{
    self, EmbeddedQuery, FileKind, LoadedFile, NumberOrString, OneOrMany, QueryStyle, Tag, Value,
};
use kqlport::source::LineCol;
use std::path::{Path, PathBuf};

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/loader")
        .join(name)
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

fn load_ok(name: &str) -> LoadedFile {
    match sentinel::load(name, &bytes(name)) {
        Ok(f) => {
            for q in &f.queries {
                check_map(&f.text, q, name);
            }
            f
        }
        Err(ds) => panic!("{name} failed to load: {ds:?}"),
    }
}

fn load_err(name: &str) -> (String, Diagnostic) {
    let b = bytes(name);
    match sentinel::load(name, &b) {
        Ok(f) => panic!("{name} loaded but should fail: {:?}", f.kind),
        Err(mut ds) => {
            assert_eq!(ds.len(), 1, "{ds:?}");
            (sentinel::display_text(&b), ds.remove(0))
        }
    }
}

fn lc(text: &str, offset: usize) -> LineCol {
    SourceFile::new("f", text).line_col(offset)
}

/// The file line/column of the first occurrence of `needle` in the query's text.
fn query_pos(f: &LoadedFile, q: usize, needle: &str) -> LineCol {
    let query = &f.queries[q];
    let at = query
        .text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in query"));
    let file_at = query.map.to_file(at);
    assert!(
        f.text[file_at..].starts_with(needle),
        "query offset {at} maps to {file_at}: {:?}",
        &f.text[file_at..file_at + 20]
    );
    lc(&f.text, file_at)
}

/// Every query character that is not a space or newline maps to the same character in the file
/// (or, in a double-quoted scalar, to the backslash of the escape that produced it). Returns the
/// number of characters that did not.
fn map_failures(file: &str, q: &EmbeddedQuery) -> Vec<(usize, char, usize)> {
    let mut bad = Vec::new();
    for (off, c) in q.text.char_indices() {
        if c == ' ' || c == '\n' {
            continue;
        }
        let f = q.map.to_file(off);
        let ok = file.get(f..).is_some_and(|rest| {
            rest.starts_with(c) || (q.style == QueryStyle::DoubleQuoted && rest.starts_with('\\'))
        });
        if !ok {
            bad.push((off, c, f));
        }
    }
    bad
}

fn check_map(file: &str, q: &EmbeddedQuery, name: &str) {
    let bad = map_failures(file, q);
    assert!(
        bad.is_empty(),
        "{name} query {}: {:?}",
        q.index,
        &bad[..bad.len().min(5)]
    );
    assert!(q.exact_map, "{name} query {} not exact", q.index);
}

#[test]
fn crlf_bom_rule_reports_yaml_line_and_column() {
    let f = load_ok("crlf_bom.yaml");
    assert_eq!(f.kind, FileKind::AnalyticRule);
    assert!(!f.text.starts_with('\u{feff}'));
    assert_eq!(f.queries.len(), 1);
    let q = &f.queries[0];
    assert_eq!(q.style, QueryStyle::Literal);
    assert!(!q.text.contains('\r'));
    assert!(q.text.contains("where\tResultType != \"0\"\u{a0}//"));
    assert!(q
        .text
        .contains("count()\u{202f}by UserPrincipalName\u{200b}\n"));
    assert_eq!(
        query_pos(&f, 0, "SigninLogs"),
        LineCol {
            line: 19,
            column: 3
        }
    );
    assert_eq!(
        query_pos(&f, 0, "| wher "),
        LineCol {
            line: 22,
            column: 3
        }
    );
    assert_eq!(
        query_pos(&f, 0, "by User"),
        LineCol {
            line: 21,
            column: 23
        }
    );

    // A parse error inside the query renders at the YAML file's own position.
    let at = q.text.find("wher ").expect("wher");
    let d = Diagnostic::error(
        kqlport::codes::ParseCode::P002,
        "unknown operator",
        kqlport::Span::new(at, at + 4),
    )
    .mapped(&q.map);
    let rendered = SourceFile::new("crlf_bom.yaml", &f.text).render_short(&d);
    assert!(
        rendered.starts_with("crlf_bom.yaml:22:5: error[P002]"),
        "{rendered}"
    );

    let rule = f.rule.expect("rule");
    assert_eq!(rule.severity.as_deref(), Some("Medium"));
    assert_eq!(rule.trigger_threshold, Some(NumberOrString::Int(0)));
    assert_eq!(rule.version, Some(NumberOrString::String("1.0.0".into())));
    assert_eq!(rule.kind.as_deref(), Some("Scheduled"));
    assert_eq!(rule.tactics, Some(vec!["CredentialAccess".to_string()]));
    assert_eq!(rule.relevant_techniques, Some(vec!["T1110".to_string()]));
    let em = &rule.entity_mappings.expect("entity mappings")[0];
    assert_eq!(em.entity_type.as_deref(), Some("Account"));
    assert_eq!(
        em.field_mappings[0].column_name.as_deref(),
        Some("UserPrincipalName")
    );
    let dc = &rule.required_data_connectors.expect("connectors")[0];
    assert_eq!(
        dc.connector_id,
        Some(OneOrMany::One("AzureActiveDirectory".into()))
    );
    assert_eq!(rule.query.as_deref(), Some(q.text.as_str()));
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
}

#[test]
fn literal_strip_hunting_query_with_leading_blank_line() {
    let f = load_ok("literal_strip.yaml");
    assert_eq!(f.kind, FileKind::HuntingQuery);
    let q = &f.queries[0];
    assert_eq!(
        q.text,
        "\nSecurityEvent\n\n| where EventID == 4625\n  and Account != ''\n| take 10"
    );
    assert_eq!(
        query_pos(&f, 0, "SecurityEvent"),
        LineCol { line: 9, column: 5 }
    );
    assert_eq!(
        query_pos(&f, 0, "and Account"),
        LineCol {
            line: 12,
            column: 7
        }
    );
    let rule = f.rule.expect("rule");
    assert_eq!(rule.tactics, None, "`tactics:` with no value is absent");
    assert_eq!(
        rule.relevant_techniques,
        Some(vec![]),
        "null items are dropped"
    );
    assert_eq!(rule.version, Some(NumberOrString::Int(2)));
    assert_eq!(rule.required_data_connectors, Some(vec![]));
}

#[test]
fn folded_block_scalar() {
    let f = load_ok("folded.yaml");
    let q = &f.queries[0];
    assert_eq!(q.style, QueryStyle::Folded);
    assert_eq!(
        q.text,
        "SecurityEvent | where EventID == 4625\n| take 10\n   | project A\n"
    );
    assert_eq!(query_pos(&f, 0, "| take"), LineCol { line: 6, column: 3 });
    assert_eq!(
        query_pos(&f, 0, "| project"),
        LineCol { line: 7, column: 6 }
    );
}

#[test]
fn plain_scalars_multi_line_and_inline() {
    let f = load_ok("plain_multiline.yaml");
    assert_eq!(f.kind, FileKind::AnalyticRule, "kind: NRT");
    let q = &f.queries[0];
    assert_eq!(q.style, QueryStyle::Plain);
    assert_eq!(
        q.text,
        "AWSGuardDuty | extend tokens = split(ActivityType,\":\")\n| where x == 1"
    );
    assert_eq!(query_pos(&f, 0, "| where"), LineCol { line: 7, column: 3 });

    let f = load_ok("plain_inline.yaml");
    assert_eq!(f.kind, FileKind::AnalyticRule, "queryFrequency");
    assert_eq!(
        f.queries[0].text,
        "BHEAttackPathsData_CL | where Finding == \"AzureT0AddOwner\""
    );
    assert_eq!(
        query_pos(&f, 0, "| where"),
        LineCol {
            line: 2,
            column: 30
        }
    );
}

#[test]
fn double_quoted_scalar_maps_around_escapes() {
    let f = load_ok("double_quoted.yaml");
    let q = &f.queries[0];
    assert_eq!(q.style, QueryStyle::DoubleQuoted);
    assert_eq!(
        q.text,
        "let a = _GetWatchlist(\"x\"); \nT\t| where a == \"\\d\u{e9}\" | take 1\n"
    );
    assert_eq!(
        query_pos(&f, 0, "| where"),
        LineCol {
            line: 3,
            column: 10
        }
    );
    assert_eq!(query_pos(&f, 0, "| take"), LineCol { line: 4, column: 3 });
    // `"` decoded from `\"` maps to its backslash
    let at = q.text.find("\"x").expect("quote");
    assert!(f.text[q.map.to_file(at)..].starts_with("\\\"x"));
}

#[test]
fn single_quoted_scalar() {
    let f = load_ok("single_quoted.yaml");
    let q = &f.queries[0];
    assert_eq!(q.style, QueryStyle::SingleQuoted);
    assert_eq!(q.text, "T | where Name == 'x'\n| take 1");
    assert_eq!(
        query_pos(&f, 0, "x'"),
        LineCol {
            line: 2,
            column: 29
        }
    );
    assert_eq!(query_pos(&f, 0, "| take"), LineCol { line: 4, column: 3 });
}

#[test]
fn duplicate_key_is_a_located_error() {
    let (text, d) = load_err("duplicate_key.yaml");
    assert_eq!(d.code.as_str(), "Y003");
    assert_eq!(d.message, "duplicate key `query`");
    assert_eq!(lc(&text, d.span.start), LineCol { line: 5, column: 1 });
    assert_eq!(d.secondary.len(), 1);
    assert_eq!(
        lc(&text, d.secondary[0].span.start),
        LineCol { line: 2, column: 1 }
    );
    let r = SourceFile::new("duplicate_key.yaml", &text).render(&d);
    assert!(r.contains("first defined here"), "{r}");
}

#[test]
fn invalid_yaml_is_a_located_error() {
    let (text, d) = load_err("invalid_yaml.yaml");
    assert_eq!(d.code.as_str(), "Y001");
    assert!(d.message.starts_with("invalid YAML: "), "{}", d.message);
    assert!(!d.message.contains(" at line "), "{}", d.message);
    assert_eq!(lc(&text, d.span.start).line, 5, "{d:?}");
}

/// YAML resource limits (deep nesting, alias bombs, too many values) are located errors in
/// words, never the YAML library's debug text (`budget breached: Depth { depth: 65 }`).
#[test]
fn yaml_limits_are_worded_located_errors() {
    let deep_block: String = (0..70)
        .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
        .collect::<String>()
        + &"  ".repeat(70)
        + "v: 1\nquery: T\n";
    let deep_flow = format!("query: T\nx: {}1{}\n", "[".repeat(100), "]".repeat(100));
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        bomb += &format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        );
    }
    bomb += "query: T\n";
    let many = format!("query: T\nx: [{}]\n", vec!["1"; 300_000].join(", "));
    let cases = [
        (deep_block, "nested too deeply"),
        (deep_flow, "nested too deeply"),
        // Each alias use counts as the values it repeats.
        (bomb, "too many values"),
        (many, "too many values"),
    ];
    for (text, want) in &cases {
        let ds = sentinel::load("r.yaml", text.as_bytes()).expect_err("over a limit");
        let d = &ds[0];
        let shown = [Some(&d.message), d.label.as_ref(), d.help.as_ref()]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join("\n");
        assert!(d.message.contains(want), "{want}: {shown}");
        for debug in ["budget", "Depth {", "breach", "{ "] {
            assert!(!shown.contains(debug), "debug text {debug:?} in: {shown}");
        }
        assert!(d.span.end <= text.len(), "{want}: {:?}", d.span);
        let rendered = SourceFile::new("r.yaml", text).render(d);
        assert!(rendered.contains("r.yaml:"), "{rendered}");
    }
}

#[test]
fn valid_yaml_without_a_string_query() {
    let (text, d) = load_err("no_query.yaml");
    assert_eq!(
        (d.code.as_str(), d.message.as_str()),
        ("Y002", "no `query` field")
    );
    assert_eq!(lc(&text, d.span.start), LineCol { line: 3, column: 1 });

    let (text, d) = load_err("query_not_string.yaml");
    assert_eq!(d.code.as_str(), "Y002");
    assert_eq!(d.message, "`query` is a sequence, not a string");
    assert_eq!(lc(&text, d.span.start), LineCol { line: 3, column: 3 });

    let (text, d) = load_err("not_mapping.yaml");
    assert_eq!(d.code.as_str(), "Y002");
    assert!(d.message.contains("a sequence"), "{}", d.message);
    assert_eq!(lc(&text, d.span.start), LineCol { line: 1, column: 1 });

    let (text, d) = load_err("multi_doc.yaml");
    assert_eq!(d.code.as_str(), "Y001");
    assert_eq!(lc(&text, d.span.start).line, 3);
}

#[test]
fn empty_and_whitespace_files() {
    let (_, d) = load_err("empty.kql");
    assert_eq!(
        (d.code.as_str(), d.message.as_str()),
        ("I003", "no query found: the file is empty")
    );
    let (_, d) = load_err("whitespace_only.yaml");
    assert_eq!(d.code.as_str(), "I003");
    for b in [
        &b""[..],
        b"\xEF\xBB\xBF",
        b" \r\n\t",
        "\u{a0}\u{200b}\n".as_bytes(),
    ] {
        let ds = sentinel::load_as(None, "<stdin>", b).expect_err("empty input");
        assert_eq!(ds[0].code.as_str(), "I003");
    }
}

#[test]
fn undecodable_input() {
    let (text, d) = load_err("invalid_utf8.kql");
    assert_eq!(d.code.as_str(), "I001");
    assert_eq!(d.message, "file is not valid UTF-8 (invalid byte 0xE9)");
    assert_eq!(
        lc(&text, d.span.start),
        LineCol {
            line: 2,
            column: 24
        }
    );

    let (_, d) = load_err("binary.kql");
    assert_eq!(d.code.as_str(), "I002");
    assert_eq!(d.span.start, 0);

    let (_, d) = load_err("utf16.kql");
    assert_eq!(d.code.as_str(), "I001");
    assert!(
        d.help.as_deref().is_some_and(|h| h.contains("UTF-16")),
        "{d:?}"
    );

    // BOM then an invalid byte: the span is into the BOM-less display text, where the invalid
    // byte is one U+FFFD (a whole character, so the span can be sliced and rendered).
    let bytes = b"\xEF\xBB\xBFab\xFFc";
    let ds = sentinel::load("x.kql", bytes).expect_err("invalid");
    assert_eq!(ds[0].span.range(), 2..5);
    assert_eq!(
        &sentinel::display_text(bytes)[ds[0].span.range()],
        "\u{FFFD}"
    );
    assert_eq!(ds[0].message, "file is not valid UTF-8 (invalid byte 0xFF)");
}

#[test]
fn bare_kql_with_bom_and_crlf() {
    let f = load_ok("bom_crlf.kql");
    assert_eq!(f.kind, FileKind::Kql);
    assert!(f.text.starts_with("SecurityEvent\r\n"));
    assert_eq!(f.queries[0].text, f.text);
    assert_eq!(f.queries[0].style, QueryStyle::WholeFile);
    assert_eq!(query_pos(&f, 0, "| wher x"), LineCol { line: 3, column: 1 });
    for name in ["a.csl", "a.kusto", "a.txt", "noext", "a.kql -"] {
        let f = sentinel::load(name, b"T | take 1").expect(name);
        assert_eq!(f.kind, FileKind::Kql, "{name}");
    }
}

#[test]
fn markdown_fenced_blocks() {
    let f = load_ok("notes.md");
    assert_eq!(f.kind, FileKind::Markdown);
    assert_eq!(f.queries.len(), 2);
    assert_eq!(f.queries[0].text, "SecurityEvent\n| take 1\n");
    assert_eq!(f.queries[1].text, "DeviceEvents\n  | wher x\n");
    assert_eq!(f.queries[1].index, 1);
    assert_eq!(
        query_pos(&f, 1, "| wher"),
        LineCol {
            line: 18,
            column: 5
        }
    );

    let f = load_ok("no_blocks.md");
    assert!(f.queries.is_empty());
}

#[test]
fn rule_model_keeps_unknown_keys_in_order_and_is_lenient() {
    let f = load_ok("extra_fields.yaml");
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    let rule = f.rule.expect("rule");
    let keys: Vec<&str> = rule.extra.keys().map(String::as_str).collect();
    assert_eq!(keys, ["zeta", "alpha", "omega"]);
    assert_eq!(rule.id.as_deref(), Some("1"), "numeric id spelled as text");
    assert_eq!(
        rule.trigger_threshold,
        Some(NumberOrString::String("3".into()))
    );
    assert_eq!(rule.version, Some(NumberOrString::Float(1.2)));
    let dc = &rule.required_data_connectors.as_ref().expect("dc")[0];
    assert_eq!(
        dc.connector_id,
        Some(OneOrMany::Many(vec!["A".into(), "B".into()]))
    );
    let tags = rule.tags.as_ref().expect("tags");
    assert_eq!(tags[0], Tag::Name("Simple".into()));
    let Tag::Map(m) = &tags[1] else {
        panic!("map tag")
    };
    assert_eq!(m["SchemaVersion"], Value::String("0.1.1".into()));
    let cd: Vec<&str> = rule
        .custom_details
        .as_ref()
        .expect("cd")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(cd, ["User", "Ip"]);
    let ado = rule.alert_details_override.as_ref().expect("ado");
    assert_eq!(
        ado.alert_display_name_format.as_deref(),
        Some("{{Title}} by {{User}}")
    );
    let dp = &ado.alert_dynamic_properties.as_ref().expect("dp")[0];
    assert_eq!(dp.alert_property.as_deref(), Some("ProductName"));
    let ic = rule.incident_configuration.as_ref().expect("ic");
    assert_eq!(ic.create_incident, Some(true));
    let g = ic.grouping_configuration.as_ref().expect("grouping");
    assert_eq!(g.matching_method.as_deref(), Some("Selected"));
    assert_eq!(g.group_by_alert_details, Some(vec![]));
    assert_eq!(g.group_by_custom_details, Some(vec!["User".to_string()]));
    assert_eq!(
        rule.event_grouping_settings
            .as_ref()
            .and_then(|e| e.aggregation_kind.as_deref()),
        Some("AlertPerResult")
    );
    assert_eq!(rule.suppression_duration.as_deref(), Some("PT1H"));
    assert_eq!(rule.suppression_enabled, Some(false));
    assert!(rule.sentinel_entities_mappings.is_some());
    assert!(rule.metadata.is_some());
    assert_eq!(f.kind, FileKind::AnalyticRule);

    // Serializes (for `kqlport explain`) in model order, unknown keys last in file order, and
    // reads back to the same model.
    let json = serde_json::to_string(&rule).expect("serialize");
    let zeta = json.find("\"zeta\"").expect("zeta");
    let omega = json.find("\"omega\"").expect("omega");
    assert!(
        json.find("\"alpha\"")
            .is_some_and(|a| zeta < a && a < omega),
        "{json}"
    );
    let back: sentinel::Rule = serde_json::from_str(&json).expect("deserialize");
    assert_eq!(back, rule);
}

#[test]
fn fields_that_do_not_fit_the_model_are_kept_with_a_warning() {
    let f = load_ok("bad_field.yaml");
    let rule = f.rule.expect("rule");
    assert_eq!(rule.name.as_deref(), Some("Bad field"));
    assert!(rule.alert_details_override.is_none());
    let keys: Vec<&str> = rule.extra.keys().map(String::as_str).collect();
    assert_eq!(keys, ["alertDetailsOverride", "entityMappings"]);
    let Value::Map(ado) = &rule.extra["alertDetailsOverride"] else {
        panic!("map")
    };
    assert_eq!(ado["alertDisplayNameFormat"].to_flow(), "{{Title}}");
    let codes: Vec<_> = f.warnings.iter().map(|w| w.code.as_str()).collect();
    assert_eq!(codes, ["Y004", "Y004"]);
    assert_eq!(
        lc(&f.text, f.warnings[0].span.start),
        LineCol { line: 3, column: 3 }
    );
    assert_eq!(
        lc(&f.text, f.warnings[1].span.start),
        LineCol {
            line: 6,
            column: 17
        }
    );
    assert!(
        f.warnings[1].message.contains("entityMappings"),
        "{}",
        f.warnings[1].message
    );
}

#[test]
fn stdin_sniffing() {
    let f = sentinel::load_as(None, "<stdin>", &bytes("crlf_bom.yaml")).expect("yaml");
    assert_eq!(f.kind, FileKind::AnalyticRule);
    let f = sentinel::load_as(None, "<stdin>", b"name: x\nquery: T\n").expect("yaml");
    assert_eq!(f.kind, FileKind::HuntingQuery);
    let f =
        sentinel::load_as(None, "<stdin>", b"SecurityEvent\n| where a == 'b: c'\n").expect("kql");
    assert_eq!(f.kind, FileKind::Kql);
    let f = sentinel::load_as(None, "<stdin>", b"name: x\n").expect("kql");
    assert_eq!(
        f.kind,
        FileKind::Kql,
        "a mapping without `query` is not a rule"
    );
    let f = sentinel::load_as(Some(FileKind::Markdown), "<stdin>", &bytes("notes.md")).expect("md");
    assert_eq!(f.queries.len(), 2);
    assert_eq!(
        sentinel::kind_for_name("dir.yaml/x.YML"),
        FileKind::AnalyticRule
    );
    assert_eq!(sentinel::kind_for_name("README.md"), FileKind::Markdown);
}

#[test]
fn every_prefix_of_every_fixture_loads_or_fails_cleanly() {
    let mut names: Vec<_> = std::fs::read_dir(fixture_path(""))
        .expect("fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    let mut loads = 0;
    for name in &names {
        let b = bytes(name);
        for cut in 0..=b.len() {
            let prefix = &b[..cut];
            match sentinel::load(name, prefix) {
                Ok(f) => {
                    loads += 1;
                    for q in &f.queries {
                        if q.exact_map {
                            let bad = map_failures(&f.text, q);
                            assert!(bad.is_empty(), "{name}[..{cut}]: {bad:?}");
                        }
                    }
                }
                Err(ds) => {
                    let text = sentinel::display_text(prefix);
                    for d in &ds {
                        assert!(d.span.end <= text.len(), "{name}[..{cut}]: {d:?}");
                        let _ = SourceFile::new(name, &text).render(d);
                    }
                }
            }
        }
    }
    assert!(loads > 500, "{loads}");
}

// ---------------------------------------------------------------------------------------------
// The shared corpus of real files.

fn corpus_dir() -> Option<PathBuf> {
    if std::env::var("KQLPORT_SKIP_CORPUS").is_ok_and(|v| v == "1") {
        return None;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    assert!(
        dir.is_dir(),
        "corpus not found at {} (set KQLPORT_SKIP_CORPUS=1 to skip)",
        dir.display()
    );
    Some(dir)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read corpus dir")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn corpus_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut all = Vec::new();
    walk(dir, &mut all);
    all.into_iter()
        .filter_map(|p| {
            let rel = p
                .strip_prefix(dir)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            let name = p.file_name()?.to_string_lossy().to_string();
            let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
            let wanted = matches!(
                ext.as_deref()
                    .map(|e| e.trim_end_matches(|c: char| !c.is_ascii_alphanumeric())),
                Some("yaml" | "yml" | "kql" | "txt" | "md")
            );
            wanted.then_some((rel, p))
        })
        .collect()
}

#[test]
fn corpus_yaml_query_maps_point_at_the_same_characters() {
    let Some(dir) = corpus_dir() else { return };
    let mut checked = 0;
    let mut failures = Vec::new();
    for (rel, path) in corpus_files(&dir) {
        let is_yaml = rel.ends_with(".yaml") || rel.ends_with(".yml");
        if !(is_yaml || rel.ends_with(".md")) {
            continue;
        }
        let b = std::fs::read(&path).expect("read");
        let Ok(f) = sentinel::load(&rel, &b) else {
            continue;
        };
        for q in &f.queries {
            checked += 1;
            let bad = map_failures(&f.text, q);
            if !bad.is_empty() || !q.exact_map {
                failures.push(format!(
                    "{rel} #{} ({:?}, exact={}): {:?}",
                    q.index,
                    q.style,
                    q.exact_map,
                    &bad[..bad.len().min(3)]
                ));
            }
        }
    }
    eprintln!("source-map property checked on {checked} YAML/Markdown queries");
    assert!(checked > 600, "only {checked} queries checked");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[derive(serde::Deserialize)]
struct JsonlQuery {
    file: String,
    index: usize,
    query: String,
}

#[test]
fn corpus_loads_and_matches_the_reference_extraction() {
    let Some(dir) = corpus_dir() else { return };
    let jsonl = std::fs::read_to_string(dir.join("queries.jsonl")).expect("queries.jsonl");
    let mut reference = std::collections::HashMap::new();
    for line in jsonl.lines().filter(|l| !l.trim().is_empty()) {
        let q: JsonlQuery = serde_json::from_str(line).expect("jsonl line");
        reference.insert((q.file, q.index), q.query);
    }

    let (mut loaded, mut errors, mut yaml_checked, mut md_checked) = (0, Vec::new(), 0, 0);
    let (mut yaml_mismatch, mut md_mismatch) = (Vec::new(), 0);
    let mut warnings = Vec::new();
    for (rel, path) in corpus_files(&dir) {
        let b = std::fs::read(&path).expect("read");
        match sentinel::load(&rel, &b) {
            Ok(f) => {
                loaded += 1;
                for w in &f.warnings {
                    let r = SourceFile::new(&rel, &f.text).render_short(w);
                    warnings.push(r);
                }
                let is_yaml = matches!(f.kind, FileKind::AnalyticRule | FileKind::HuntingQuery);
                for q in &f.queries {
                    let Some(r) = reference.get(&(rel.clone(), q.index)) else {
                        if f.kind == FileKind::Markdown {
                            md_mismatch += 1;
                        }
                        continue;
                    };
                    let same = r.trim_end() == q.text.trim_end();
                    if is_yaml {
                        yaml_checked += 1;
                        if !same {
                            yaml_mismatch.push(rel.clone());
                        }
                    } else if f.kind == FileKind::Markdown {
                        md_checked += 1;
                        md_mismatch += usize::from(!same);
                    }
                }
            }
            Err(ds) => {
                let text = sentinel::display_text(&b);
                for d in &ds {
                    assert!(
                        d.span.start <= text.len() && d.span.end <= text.len(),
                        "{rel}: {d:?}"
                    );
                }
                let rendered: Vec<_> = ds
                    .iter()
                    .map(|d| SourceFile::new(&rel, &text).render_short(d))
                    .collect();
                errors.push(rendered.join("; "));
            }
        }
    }
    eprintln!(
        "corpus: {loaded} files loaded, {} with errors",
        errors.len()
    );
    for e in &errors {
        eprintln!("  {e}");
    }
    eprintln!(
        "reference: {yaml_checked} YAML queries compared, {} differ; {md_checked} Markdown \
         queries compared, {md_mismatch} differ or are absent (the reference also takes \
         unlabelled and C# fences)",
        yaml_mismatch.len()
    );
    eprintln!("{} warnings:", warnings.len());
    for w in &warnings {
        eprintln!("  {w}");
    }
    for m in &yaml_mismatch {
        eprintln!("  YAML mismatch: {m}");
    }
    assert!(loaded > 2000, "{loaded}");
    assert!(yaml_checked >= 690, "{yaml_checked}");
    assert!(
        yaml_mismatch.is_empty(),
        "{} YAML mismatches",
        yaml_mismatch.len()
    );
    // The genuinely broken files (empty ones) are listed above; keep that list short.
    assert!(errors.len() <= 10, "{} files failed to load", errors.len());
}

/// A block scalar at the end of a file without a final newline decodes with one (`clip`), so
/// the query's last offset has no byte in the file: it maps to the file's end, never past it
/// (found by fuzzing the loader).
#[test]
fn query_offsets_never_map_past_the_file() {
    for text in [
        "query: |\n  T | where",
        "query: |\n  T\n  | where x",
        "query: >\n  T",
    ] {
        let f = sentinel::load("r.yaml", text.as_bytes()).expect("loads");
        let q = &f.queries[0];
        assert!(q.text.ends_with('\n'), "{text:?}");
        for at in 0..=q.text.len() {
            assert!(q.map.to_file(at) <= text.len(), "{text:?} offset {at}");
        }
        assert_eq!(q.map.to_file(q.text.len()), text.len());
    }
}

/// YAML reads a lone CR as a line break; the query map follows it, so positions after it stay
/// exact (found by fuzzing the whole path: a span landed inside a character).
#[test]
fn lone_carriage_return_in_a_block_scalar_keeps_the_map_exact() {
    let text = "query: |\n  T\r  | where x == 'ˢэ' and\n  | take 1\n";
    let f = sentinel::load("r.yaml", text.as_bytes()).expect("loads");
    let q = &f.queries[0];
    assert_eq!(q.text, "T\n| where x == 'ˢэ' and\n| take 1\n");
    assert!(q.exact_map);
    assert_eq!(map_failures(text, q), []);
}
