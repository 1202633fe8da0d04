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
                eprintln!("corpus skipped (KQLPORT_SKIP_CORPUS=1): {}: {e}", path.display());
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
                    d.code.0,
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
        let limit = if std::env::var("KQLPORT_CORPUS_ALL").is_ok() { usize::MAX } else { 30 };
        for f in failures.iter().take(limit) {
            println!("{f}");
        }
        panic!(
            "{} of {ok_total} Microsoft-valid queries failed to parse",
            failures.len()
        );
    }
}
