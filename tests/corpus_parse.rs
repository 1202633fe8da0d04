//! Parses every query of the shared corpus of real Sentinel / Defender KQL. Every query that
//! Microsoft's own parser accepts (`ms_parse_ok`) must parse; the others are only counted.
//! Set `KQLPORT_SKIP_CORPUS=1` to skip when the corpus is not available.

use kqlport::diag::SourceFile;
use kqlport::kql::parse;
use std::path::Path;

#[test]
fn corpus_queries_parse() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/queries.jsonl");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            if std::env::var("KQLPORT_SKIP_CORPUS").as_deref() == Ok("1") {
                eprintln!(
                    "corpus skipped (KQLPORT_SKIP_CORPUS=1): {}: {e}",
                    path.display()
                );
                return;
            }
            panic!(
                "corpus not found at {}: {e} (set KQLPORT_SKIP_CORPUS=1 to skip)",
                path.display()
            );
        }
    };
    let (mut ok_total, mut ok_parsed, mut other_parsed, mut other_failed) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("corpus line is JSON");
        let id = v["id"].as_u64().expect("id");
        let ms_ok = v["ms_parse_ok"].as_bool().expect("ms_parse_ok");
        let query = v["query"].as_str().expect("query");
        let result = parse(query);
        match (ms_ok, result) {
            (true, Ok(_)) => {
                ok_total += 1;
                ok_parsed += 1;
            }
            (true, Err(diags)) => {
                ok_total += 1;
                let file = SourceFile::new("query", query);
                let d = &diags[0];
                let lc = file.line_col(d.span.start);
                let line_text = query.lines().nth(lc.line - 1).unwrap_or("");
                failures.push(format!(
                    "id {id}: {}:{}: [{}] {}\n    | {}",
                    lc.line,
                    lc.column,
                    d.code.as_str(),
                    d.message,
                    line_text.trim_end()
                ));
            }
            (false, Ok(_)) => other_parsed += 1,
            (false, Err(_)) => other_failed += 1,
        }
    }
    println!(
        "ms_parse_ok: {ok_parsed}/{ok_total} parsed; others: {other_parsed} parsed, {other_failed} failed"
    );
    if !failures.is_empty() {
        let limit = if std::env::var("KQLPORT_CORPUS_ALL").is_ok() {
            usize::MAX
        } else {
            30
        };
        for f in failures.iter().take(limit) {
            println!("{f}");
        }
        panic!(
            "{} of {ok_total} Microsoft-valid queries failed to parse",
            failures.len()
        );
    }
}

/// Collects `(start, end)` of every object with a `span` field, checking each lies inside the
/// nearest enclosing node's span and inside the text.
fn check_spans(v: &serde_json::Value, parent: (u64, u64), path: &str, errors: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            let mut here = parent;
            if let Some(s) = map.get("span") {
                let (start, end) = (
                    s["start"].as_u64().unwrap_or(0),
                    s["end"].as_u64().unwrap_or(0),
                );
                if start > end || start < parent.0 || end > parent.1 {
                    errors.push(format!(
                        "{path}: span {start}..{end} not inside parent {}..{}",
                        parent.0, parent.1
                    ));
                }
                here = (start, end);
            }
            for (k, child) in map {
                if k != "span" {
                    check_spans(child, here, &format!("{path}.{k}"), errors);
                }
            }
        }
        serde_json::Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                check_spans(child, parent, &format!("{path}[{i}]"), errors);
            }
        }
        _ => {}
    }
}

#[test]
fn corpus_child_spans_nest_in_parents() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/queries.jsonl");
    let Ok(text) = std::fs::read_to_string(&path) else {
        if std::env::var("KQLPORT_SKIP_CORPUS").as_deref() == Ok("1") {
            return;
        }
        panic!(
            "corpus not found at {} (set KQLPORT_SKIP_CORPUS=1 to skip)",
            path.display()
        );
    };
    let mut bad = Vec::new();
    let mut checked = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("corpus line is JSON");
        let query = v["query"].as_str().expect("query");
        let Ok(ast) = parse(query) else { continue };
        checked += 1;
        let json = serde_json::to_value(&ast).expect("AST serialises");
        let mut errors = Vec::new();
        check_spans(&json, (0, query.len() as u64), "query", &mut errors);
        if let Some(e) = errors.first() {
            bad.push(format!("id {}: {e}", v["id"]));
        }
    }
    println!("span nesting checked on {checked} parsed queries");
    assert!(
        bad.is_empty(),
        "{} queries with bad spans:\n{}",
        bad.len(),
        bad[..bad.len().min(20)].join("\n")
    );
}
