//! Parser throughput: the whole public corpus (2,154 queries), parsed once per iteration.
//! Run with `cargo bench --bench parse`; the target is "well under a second" for all of it.

use std::path::Path;

fn corpus_queries() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/queries.jsonl");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("valid jsonl");
            v["query"].as_str().expect("query string").to_string()
        })
        .collect()
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn parse_whole_corpus(bencher: divan::Bencher) {
    let queries = corpus_queries();
    let bytes: usize = queries.iter().map(String::len).sum();
    bencher
        .counter(divan::counter::BytesCount::new(bytes))
        .bench(|| {
            let mut ok = 0usize;
            for q in &queries {
                ok += usize::from(kqlport::kql::parse(divan::black_box(q)).is_ok());
            }
            ok
        });
}

fn main() {
    divan::main();
}
