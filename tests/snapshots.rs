//! Fixture-driven snapshots: every rule in `rules/` → its AST, and every broken query in
//! `tests/fixtures/parse-errors/` → its rendered diagnostic. One snapshot per file, kept in
//! `snapshots/`; review changes with `cargo insta review`.

use kqlport::diag::SourceFile;
use kqlport::{kql, sentinel};
use std::fmt::Write;
use std::path::Path;

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

fn relative(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[test]
fn rule_asts() {
    settings().bind(|| {
        insta::glob!("../rules", "**/*.{yaml,yml,kql}", |path| {
            let name = relative(path);
            let bytes = std::fs::read(path).unwrap();
            let file = sentinel::load(&name, &bytes)
                .unwrap_or_else(|e| panic!("{name} does not load: {e:?}"));
            let mut out = String::new();
            for q in &file.queries {
                let ast = kql::parse(&q.text).unwrap_or_else(|e| {
                    let src = SourceFile::new(&name, &file.text);
                    let rendered: Vec<String> = e
                        .into_iter()
                        .map(|d| src.render(&d.mapped(&q.map)))
                        .collect();
                    panic!("{name} does not parse:\n{}", rendered.join("\n"))
                });
                writeln!(out, "// query {}\n{ast:#?}", q.index).unwrap();
            }
            insta::assert_snapshot!("ast", out);
        });
    });
}

#[test]
fn parse_error_diagnostics() {
    settings().bind(|| {
        insta::glob!("fixtures/parse-errors", "*.kql", |path| {
            let name = relative(path);
            let bytes = std::fs::read(path).unwrap();
            let rendered = match sentinel::load(&name, &bytes) {
                Err(diags) => {
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    let src = SourceFile::new(&name, &text);
                    diags.iter().map(|d| src.render(d)).collect::<Vec<_>>()
                }
                Ok(file) => {
                    let src = SourceFile::new(&name, &file.text);
                    let mut all = Vec::new();
                    for q in &file.queries {
                        match kql::parse(&q.text) {
                            Ok(_) => panic!("{name}: query {} parsed, but it is broken", q.index),
                            Err(diags) => {
                                all.extend(diags.into_iter().map(|d| src.render(&d.mapped(&q.map))))
                            }
                        }
                    }
                    all
                }
            };
            assert!(!rendered.is_empty(), "{name}: no diagnostic");
            insta::assert_snapshot!("diag", rendered.join("\n"));
        });
    });
}
