//! Translation coverage over the public corpus' single-table slice
//! (`../shared/corpus/single_table_ids.txt`: 767 Microsoft-valid queries reading one table, with
//! no join/union/lookup/mv-expand/parse/make-series/evaluate and at most scalar or list `let`s).
//! Prints, per target, how many translate (exactly or approximately) and the most common
//! reasons for declining; asserts the bar of 95% for SPL and ES|QL.

use kqlport::backend::{Backend, Fidelity, RuleContext};
use kqlport::{kql, lower};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

struct Tally {
    exact: usize,
    approximate: usize,
    declined: usize,
    reasons: BTreeMap<String, usize>,
}

fn corpus() -> Option<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    if dir.exists() {
        return Some(dir);
    }
    assert_eq!(
        std::env::var("KQLPORT_SKIP_CORPUS").as_deref(),
        Ok("1"),
        "../shared/corpus is missing (set KQLPORT_SKIP_CORPUS=1 to skip)"
    );
    None
}

/// A decline reason with the varying parts (names, values) cut, so reasons group.
fn reason_key(code: &str, message: &str) -> String {
    let mut m: String = message.chars().take(70).collect();
    if let Some(i) = m.find('`') {
        if let Some(j) = m[i + 1..].find('`') {
            m.replace_range(i..i + j + 2, "`…`");
        }
    }
    format!("{code} {m}")
}

#[test]
fn single_table_slice_translates() {
    let Some(dir) = corpus() else { return };
    let ids: HashSet<u64> = std::fs::read_to_string(dir.join("single_table_ids.txt"))
        .expect("single_table_ids.txt")
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    let backends: Vec<&dyn Backend> = vec![
        &kqlport_spl::Spl,
        &kqlport_esql::Esql,
        &kqlport_eql::Eql,
        &kqlport_sigma::Sigma,
    ];
    let mut tallies: Vec<Tally> = backends
        .iter()
        .map(|_| Tally {
            exact: 0,
            approximate: 0,
            declined: 0,
            reasons: BTreeMap::new(),
        })
        .collect();
    let mut total = 0;
    // `KQLPORT_DECLINES=FILE` writes every decline (id, target, code, message) for triage.
    let mut dump = std::env::var_os("KQLPORT_DECLINES")
        .map(|p| std::fs::File::create(p).expect("KQLPORT_DECLINES file"));
    let text = std::fs::read_to_string(dir.join("queries.jsonl")).expect("queries.jsonl");
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if !ids.contains(&v["id"].as_u64().unwrap()) {
            continue;
        }
        total += 1;
        let q = v["query"].as_str().unwrap();
        let ast = kql::parse(q).unwrap_or_else(|e| panic!("id {} does not parse: {e:?}", v["id"]));
        let lowered = lower::lower(&ast);
        for (b, t) in backends.iter().zip(tallies.iter_mut()) {
            let result = match &lowered {
                Err(e) => Err(e.clone()),
                Ok(l) => b
                    .translate(&RuleContext::default(), &l.query)
                    .map(|tr| (tr, l.notes.is_empty())),
            };
            match result {
                Ok((tr, no_lowering_notes)) => {
                    if matches!(tr.fidelity, Fidelity::Exact) && no_lowering_notes {
                        t.exact += 1
                    } else {
                        t.approximate += 1
                    }
                    assert!(tr.text.ends_with('\n') && !tr.text.ends_with("\n\n"));
                }
                Err(diags) => {
                    t.declined += 1;
                    let d = &diags[0];
                    if let Some(f) = dump.as_mut() {
                        use std::io::Write;
                        writeln!(
                            f,
                            "{}\t{}\t{}\t{}",
                            v["id"],
                            b.name(),
                            d.code.as_str(),
                            d.message
                        )
                        .unwrap();
                    }
                    *t.reasons
                        .entry(reason_key(d.code.as_str(), &d.message))
                        .or_default() += 1;
                }
            }
        }
    }
    assert!(total >= 700, "expected the 767-query slice, found {total}");
    let mut rates = Vec::new();
    for (b, t) in backends.iter().zip(&tallies) {
        let translated = t.exact + t.approximate;
        let pct = 100.0 * translated as f64 / total as f64;
        eprintln!(
            "{:5}: {translated}/{total} translated ({pct:.1}%): {} exact, {} approximate, {} declined",
            b.name(),
            t.exact,
            t.approximate,
            t.declined
        );
        let mut reasons: Vec<_> = t.reasons.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (r, n) in reasons.iter().take(8) {
            eprintln!("         {n:4}  {r}");
        }
        rates.push((b.name(), pct));
    }
    // A ratchet at the measured coverage, so a change that translates less fails. The issue's
    // bar is 95% for SPL and ES|QL; raise these floors as coverage grows.
    for (name, pct) in rates {
        let floor = match name {
            "spl" => 96.4,
            // `datetime - datetime` is declined (B012) since the typed ES|QL check showed
            // Elastic rejects `date - date`; it used to be emitted as `-`.
            "esql" => 95.2,
            // 53.6% and 53.7%: a final sort is dropped with an `order` note in EQL and Sigma.
            "eql" => 53.7,
            _ => 58.6,
        };
        assert!(
            pct >= floor,
            "{name} translates only {pct:.1}% of the single-table slice (floor {floor}%)"
        );
    }
}
