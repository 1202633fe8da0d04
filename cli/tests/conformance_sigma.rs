//! Differential conformance, Sigma half: translates every case under
//! `tests/conformance/cases/` to Sigma through the library (load → parse → lower →
//! `kqlport_sigma::Sigma`), evaluates the emitted detection rule with sigma-rust over the
//! case's events, and records which event `_id`s match.
//!
//! This test does not judge: expected rows, verdicts and the summary are the job of
//! `tests/conformance/run/run.sh`, which reads the JSON lines this test writes to
//! `$KQLPORT_CONFORMANCE_OUT` (one object per case). Without that variable it only checks
//! that the harness itself works (cases load, emitted rules that sigma-rust should take are
//! taken) and prints a one-line tally, so `cargo test` stays green while backends have bugs.
//!
//! sigma-rust 0.7 has no `re|i` sub-modifier: `|re|i` is rewritten to `|re` with an inline
//! `(?i)` (the same meaning), as the Sigma backend's own tests do. Correlation rules
//! (summarize thresholds) are not evaluated: sigma-rust has no correlation engine.

use kqlport::backend::{Backend, RuleContext};
use kqlport::{kql, lower, sentinel};
use kqlport_sigma::Sigma;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance/cases")
}

/// `|re|i` → `|re` with `(?i)` prepended to each pattern.
fn rewrite_re_i(doc: &mut Value) {
    let Some(det) = doc.get_mut("detection").and_then(Value::as_object_mut) else {
        return;
    };
    for (_, sel) in det.iter_mut() {
        let maps: Vec<&mut Map<String, Value>> = match sel {
            Value::Object(m) => vec![m],
            Value::Array(items) => items.iter_mut().filter_map(Value::as_object_mut).collect(),
            _ => vec![],
        };
        for m in maps {
            let keys: Vec<String> = m.keys().filter(|k| k.ends_with("|re|i")).cloned().collect();
            for k in keys {
                let v = m.remove(&k).unwrap();
                let add = |v: Value| match v {
                    Value::String(s) => Value::String(format!("(?i){s}")),
                    other => other,
                };
                let v = match v {
                    Value::Array(items) => Value::Array(items.into_iter().map(add).collect()),
                    v => add(v),
                };
                m.insert(k.trim_end_matches("|i").to_string(), v);
            }
        }
    }
}

/// One case: translate, then evaluate. Never panics on a backend problem; reports it.
fn run_case(dir: &Path) -> Value {
    let case = dir.file_name().unwrap().to_string_lossy().to_string();
    let rel = format!("tests/conformance/cases/{case}/rule.yaml");
    let mut out = json!({"case": case});
    let bytes = std::fs::read(dir.join("rule.yaml")).expect("rule.yaml");
    let file = match sentinel::load(&rel, &bytes) {
        Ok(f) => f,
        Err(d) => {
            out["status"] = json!("error");
            out["error"] = json!(format!("load: {d:?}"));
            return out;
        }
    };
    let mut context = file
        .rule
        .as_ref()
        .map(RuleContext::from_rule)
        .unwrap_or_default();
    context.source_name = Some(rel.clone());
    let q = &file.queries[0];
    let lowered = match kql::parse(&q.text).map(|a| lower::lower(&a)) {
        Err(d) => {
            out["status"] = json!("error");
            out["error"] = json!(format!("parse: {d:?}"));
            return out;
        }
        Ok(Err(d)) => {
            out["status"] = json!("declined");
            out["reasons"] = json!(d.iter().map(|d| d.message.clone()).collect::<Vec<_>>());
            return out;
        }
        Ok(Ok(l)) => l,
    };
    let t = match Sigma.translate(&context, &lowered.query) {
        Err(d) => {
            out["status"] = json!("declined");
            out["reasons"] = json!(d.iter().map(|d| d.message.clone()).collect::<Vec<_>>());
            return out;
        }
        Ok(t) => t,
    };
    out["status"] = json!("translated");
    out["text"] = json!(t.text);
    let docs: Vec<Value> = match t
        .text
        .split("\n---\n")
        .map(serde_saphyr::from_str::<Value>)
        .collect()
    {
        Ok(d) => d,
        Err(e) => {
            out["engine_error"] = json!(format!("emitted YAML does not parse: {e}"));
            return out;
        }
    };
    if docs.iter().any(|d| d.get("correlation").is_some()) {
        out["correlation"] = json!(true);
        return out;
    }
    let mut doc = docs.into_iter().next().unwrap();
    rewrite_re_i(&mut doc);
    let rule = match sigma_rust::rule_from_yaml(&serde_json::to_string(&doc).unwrap()) {
        Ok(r) => r,
        Err(e) => {
            out["engine_error"] = json!(format!("sigma-rust rejects the rule: {e}"));
            return out;
        }
    };
    let events: Map<String, Value> =
        serde_json::from_slice(&std::fs::read(dir.join("events.json")).expect("events.json"))
            .expect("events.json is a JSON object");
    // The rule's logsource service names the table; the cases have one table each.
    let service = doc
        .pointer("/logsource/service")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut ids = Vec::new();
    for (table, evs) in &events {
        if service.as_deref().is_some_and(|s| s != table) {
            continue;
        }
        for ev in evs.as_array().expect("events list") {
            let mut ev = ev.as_object().expect("event object").clone();
            let id = ev.remove("_id").expect("event _id");
            let event = match sigma_rust::event_from_json(&Value::Object(ev).to_string()) {
                Ok(e) => e,
                Err(e) => {
                    out["engine_error"] = json!(format!("sigma-rust rejects event {id}: {e}"));
                    return out;
                }
            };
            if rule.is_match(&event) {
                ids.push(id);
            }
        }
    }
    out["ids"] = Value::Array(ids);
    out
}

#[test]
fn conformance_cases_through_sigma_rust() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("tests/conformance/cases")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("rule.yaml").is_file())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no conformance cases found");
    let results: Vec<Value> = dirs.iter().map(|d| run_case(d)).collect();
    let count = |f: &dyn Fn(&Value) -> bool| results.iter().filter(|r| f(r)).count();
    let evaluated = count(&|r| r.get("ids").is_some());
    let engine_errors = count(&|r| r.get("engine_error").is_some());
    let correlations = count(&|r| r.get("correlation").is_some());
    let declined = count(&|r| r["status"] == "declined");
    let errors = count(&|r| r["status"] == "error");
    println!(
        "sigma-rust: {} cases, {evaluated} evaluated, {correlations} correlation (not evaluated), \
         {declined} declined, {engine_errors} rejected by sigma-rust, {errors} load/parse errors",
        results.len()
    );
    if let Ok(path) = std::env::var("KQLPORT_CONFORMANCE_OUT") {
        let mut s = String::new();
        for r in &results {
            s.push_str(&r.to_string());
            s.push('\n');
        }
        std::fs::write(&path, s).unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
    }
    // The cases are valid Sentinel rules whose KQL Kusto.Language accepts: a load or parse
    // error here is a harness (or parser) fault, not a backend verdict.
    assert_eq!(errors, 0, "cases failed to load or parse: {results:#?}");
}
