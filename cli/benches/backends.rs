//! Each backend's `translate` over the whole public corpus (`../shared/corpus`): every query
//! that loads, parses and lowers is lowered once up front, then each benchmark hands all of
//! them to one backend, so a regression shows in the backend it belongs to. The front stages
//! (load, parse, lower) are measured in the root crate's `benches/stages.rs`. Run with
//! `cargo bench -p kqlport-cli --bench backends` (or `scripts/bench.sh`). Without the corpus it
//! prints why and measures nothing.

#[path = "../../benches/support/corpus.rs"]
mod corpus;

/// The allocator the `kqlport` binary uses (src/main.rs), so the backends are measured as the
/// command runs them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use divan::counter::ItemsCount;
use divan::{black_box, Bencher};
use kqlport::backend::{Backend, RuleContext};
use kqlport::{ir, kql, lower, sentinel};
use std::path::Path;
use std::sync::OnceLock;

/// Every lowered corpus query with the rule context `convert` would hand a backend.
static LOWERED: OnceLock<Vec<(RuleContext, ir::Query)>> = OnceLock::new();

fn prepare(files: &[corpus::CorpusFile]) -> Vec<(RuleContext, ir::Query)> {
    let mut out = Vec::new();
    for f in files {
        let Ok(loaded) = sentinel::load(&f.name, &f.bytes) else {
            continue;
        };
        let mut context = loaded
            .rule
            .as_ref()
            .map(RuleContext::from_rule)
            .unwrap_or_default();
        context.source_name = Some(f.name.clone());
        for q in &loaded.queries {
            if let Ok(Ok(l)) = kql::parse(&q.text).map(|ast| lower::lower(&ast)) {
                out.push((context.clone(), l.query));
            }
        }
    }
    out
}

fn translate_all(bencher: Bencher, backend: &(dyn Backend + Sync)) {
    let lowered = LOWERED.get().expect("main prepared the corpus");
    bencher.counter(ItemsCount::new(lowered.len())).bench(|| {
        lowered
            .iter()
            .filter(|(cx, q)| backend.translate(black_box(cx), black_box(q)).is_ok())
            .count()
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn spl(bencher: Bencher) {
    translate_all(bencher, &kqlport_spl::Spl);
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn esql(bencher: Bencher) {
    translate_all(bencher, &kqlport_esql::Esql);
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn eql(bencher: Bencher) {
    translate_all(bencher, &kqlport_eql::Eql);
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn sigma(bencher: Bencher) {
    translate_all(bencher, &kqlport_sigma::Sigma);
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    match corpus::read_corpus(&root) {
        Ok(files) => {
            let lowered = prepare(&files);
            eprintln!(
                "corpus: {} files, {} lowered queries",
                files.len(),
                lowered.len()
            );
            let _ = LOWERED.set(lowered);
            divan::main();
        }
        Err(why) => eprintln!("skipping the backend benchmarks: {why}"),
    }
}
