//! Every rule in `rules/` × (IR, and every backend) → one snapshot each in `snapshots/`:
//! the lowered IR in its compact form, and each target's output (through the target's default
//! field-mapping pipeline, as `convert` gives it) with its fidelity notes, or
//! its located refusals. Review changes with `cargo insta review`.

use kqlport::backend::{Backend, Fidelity, RuleContext};
use kqlport::diag::SourceFile;
use kqlport::{kql, lower, pipeline, sentinel};
use std::fmt::Write;
use std::path::Path;

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

#[test]
fn rules_through_every_backend() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap();
    let backends: [&dyn Backend; 4] = [
        &kqlport_spl::Spl,
        &kqlport_esql::Esql,
        &kqlport_eql::Eql,
        &kqlport_sigma::Sigma,
    ];
    settings().bind(|| {
        insta::glob!("../../rules", "**/*.{yaml,yml,kql}", |path| {
            let path = path.canonicalize().unwrap();
            let name = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let file = sentinel::load(&name, &std::fs::read(&path).unwrap()).unwrap();
            let src = SourceFile::new(&name, &file.text);
            let mut context = file
                .rule
                .as_ref()
                .map(RuleContext::from_rule)
                .unwrap_or_default();
            context.source_name = Some(name.clone());
            let q = &file.queries[0];
            let ast = kql::parse(&q.text).unwrap();
            let render = |d: kqlport::Diagnostic| src.render_short(&d.mapped(&q.map));
            let lowered = match lower::lower(&ast) {
                Ok(l) => l,
                Err(errs) => {
                    let all: Vec<String> = errs.into_iter().map(render).collect();
                    insta::assert_snapshot!(
                        "ir",
                        format!("declined by lowering:\n{}", all.join("\n"))
                    );
                    return;
                }
            };
            let mut ir = lowered.query.to_string();
            for n in &lowered.notes {
                let lc = src.line_col(q.map.to_file(n.span.start));
                writeln!(
                    ir,
                    "note {}:{} {:?}: {}",
                    lc.line, lc.column, n.effect, n.message
                )
                .unwrap();
            }
            insta::assert_snapshot!("ir", ir);
            for b in backends {
                // Each target through its default field-mapping pipeline, as `convert` does.
                let p = pipeline::Pipeline::builtin(pipeline::default_for(b.name())).unwrap();
                let mapped = pipeline::apply(&p, &lowered.query);
                let translated = if mapped.errors.is_empty() {
                    b.translate(&context, &mapped.query)
                } else {
                    Err(mapped.errors.clone())
                };
                let out = match translated {
                    Ok(t) => {
                        let mut s = String::new();
                        let mut notes = mapped.notes.clone();
                        if let Fidelity::Approximate(n) = &t.fidelity {
                            notes.extend(n.iter().cloned());
                        }
                        notes.sort_by_key(|n| (n.span.start, n.span.end));
                        match notes.is_empty() {
                            true if lowered.notes.is_empty() => s.push_str("exact\n"),
                            true => s.push_str("approximate (see the IR notes)\n"),
                            false => {
                                s.push_str("approximate\n");
                                for n in notes {
                                    let lc = src.line_col(q.map.to_file(n.span.start));
                                    writeln!(
                                        s,
                                        "  {}:{} {:?}: {}",
                                        lc.line, lc.column, n.effect, n.message
                                    )
                                    .unwrap();
                                }
                            }
                        }
                        s.push_str("---\n");
                        s.push_str(&t.text);
                        s
                    }
                    Err(errs) => {
                        let all: Vec<String> = errs.into_iter().map(render).collect();
                        format!("declined\n{}\n", all.join("\n"))
                    }
                };
                insta::assert_snapshot!(b.name(), out);
            }
        });
    });
}
