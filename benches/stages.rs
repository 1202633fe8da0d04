//! The front half of the pipeline over the whole public corpus (`../shared/corpus`, every file
//! its manifest lists, read once up front), one benchmark per stage so a regression shows where:
//! `load` (`sentinel::load` of every file's bytes), `parse` (`kql::parse` of every query found),
//! `lower` (`lower::lower` of every query that parsed), `map` (`pipeline::apply` of every lowered
//! query with each built-in pipeline). The backends are measured in `cli/benches/backends.rs`.
//! Start-up: `pipeline_builtin` (making a built-in pipeline, what every `convert` does once per
//! pipeline it uses: compiled in, no YAML read) beside `pipeline_yaml` (parsing the same
//! pipeline's YAML file, what a `-p FILE` costs, and what the built-ins cost before they were
//! compiled in). Run with `cargo bench --bench stages` (or `scripts/bench.sh`).
//! Without the corpus it prints why and measures nothing.

#[path = "support/corpus.rs"]
mod corpus;

/// The allocator the `kqlport` binary uses (cli/src/main.rs), so the stages are measured as the
/// command runs them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use divan::counter::{BytesCount, ItemsCount};
use divan::{black_box, Bencher};
use kqlport::pipeline::{self, Pipeline, BUILTINS};
use kqlport::{ir, kql, lower, sentinel};
use std::path::Path;
use std::sync::OnceLock;

/// The corpus at each stage's input, prepared once for all benchmarks.
struct Stages {
    files: Vec<corpus::CorpusFile>,
    /// The text of every query `load` found.
    queries: Vec<String>,
    /// Every query that parsed.
    parsed: Vec<kqlport::kql::ast::Query>,
    /// Every query that lowered.
    lowered: Vec<ir::Query>,
}

static STAGES: OnceLock<Stages> = OnceLock::new();

fn stages() -> &'static Stages {
    STAGES.get().expect("main prepared the corpus")
}

fn prepare(files: Vec<corpus::CorpusFile>) -> Stages {
    let queries: Vec<String> = files
        .iter()
        .filter_map(|f| sentinel::load(&f.name, &f.bytes).ok())
        .flat_map(|l| l.queries.into_iter().map(|q| q.text))
        .collect();
    let parsed: Vec<_> = queries.iter().filter_map(|q| kql::parse(q).ok()).collect();
    let lowered = parsed
        .iter()
        .filter_map(|q| lower::lower(q).ok())
        .map(|l| l.query)
        .collect();
    Stages {
        files,
        queries,
        parsed,
        lowered,
    }
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn load(bencher: Bencher) {
    let files = &stages().files;
    let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
    bencher
        .counter(BytesCount::new(bytes))
        .counter(ItemsCount::new(files.len()))
        .bench(|| {
            files
                .iter()
                .filter(|f| sentinel::load(black_box(&f.name), black_box(&f.bytes)).is_ok())
                .count()
        });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn parse(bencher: Bencher) {
    let queries = &stages().queries;
    let bytes: usize = queries.iter().map(String::len).sum();
    bencher
        .counter(BytesCount::new(bytes))
        .counter(ItemsCount::new(queries.len()))
        .bench(|| {
            queries
                .iter()
                .filter(|q| kql::parse(black_box(q)).is_ok())
                .count()
        });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn lower(bencher: Bencher) {
    let parsed = &stages().parsed;
    bencher.counter(ItemsCount::new(parsed.len())).bench(|| {
        parsed
            .iter()
            .filter(|q| lower::lower(black_box(q)).is_ok())
            .count()
    });
}

/// The built-in pipelines, as each target's default (`cim` for SPL, `ecs` for ES|QL and EQL,
/// `sigma` for Sigma).
const PIPELINES: &[&str] = &["cim", "ecs", "sigma"];

#[divan::bench(args = PIPELINES, sample_count = 10, sample_size = 1)]
fn map(bencher: Bencher, name: &str) {
    let lowered = &stages().lowered;
    let p = Pipeline::builtin(name).expect("a built-in");
    bencher.counter(ItemsCount::new(lowered.len())).bench(|| {
        lowered
            .iter()
            .map(|q| pipeline::apply(black_box(&p), black_box(q)).notes.len())
            .sum::<usize>()
    });
}

#[divan::bench(args = PIPELINES)]
fn pipeline_builtin(name: &str) -> Option<Pipeline> {
    Pipeline::builtin(black_box(name))
}

#[divan::bench(args = PIPELINES)]
fn pipeline_yaml(bencher: Bencher, name: &str) {
    let (_, text) = BUILTINS
        .iter()
        .find(|(n, _)| *n == name)
        .expect("a built-in");
    bencher
        .counter(BytesCount::new(text.len()))
        .bench(|| pipeline::parse(black_box(name), black_box(text)).is_ok());
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    match corpus::read_corpus(root) {
        Ok(files) => {
            let s = prepare(files);
            eprintln!(
                "corpus: {} files, {} queries, {} parsed",
                s.files.len(),
                s.queries.len(),
                s.parsed.len()
            );
            let _ = STAGES.set(s);
            divan::main();
        }
        Err(why) => eprintln!("skipping the stage benchmarks: {why}"),
    }
}
