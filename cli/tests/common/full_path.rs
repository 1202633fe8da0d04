//! The contract every input must keep, stage by stage: load, parse, lower, and the four
//! backends each end in a value or in diagnostics that are non-empty, located inside the text
//! they describe and renderable — never a panic or an overflow. One definition, shared by the
//! cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`, via `#[path]`), the fuzz-crash regression test
//! (`fuzz_regressions.rs`) and the function arity sweep (`function_arity.rs`).
#![allow(dead_code)]

use kqlport::backend::{Backend, RuleContext};
use kqlport::diag::SourceFile;
use kqlport::sentinel::{self, FileKind};
use kqlport::{kql, lower, Diagnostic};

pub const BACKENDS: [&dyn Backend; 4] = [
    &kqlport_spl::Spl,
    &kqlport_esql::Esql,
    &kqlport_eql::Eql,
    &kqlport_sigma::Sigma,
];

/// How far a run got: 0 = refused while loading or parsing, 1 = parsed, 2 = lowered, plus the
/// number of backends that translated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reached {
    pub parsed: bool,
    pub lowered: bool,
    pub translated: usize,
}

/// Each diagnostic lies inside `text` (a span of `text.len()..text.len()` marks its end) and
/// renders; an `Err` is never empty.
pub fn assert_located(stage: &str, name: &str, text: &str, diags: &[Diagnostic]) {
    check_located(stage, name, text, diags, true);
}

/// As [`assert_located`], for spans mapped through a query map the loader flagged as
/// approximate (`exact_map: false`, warning `Y005`): inside the text, but maybe not on a
/// character boundary.
fn check_located(stage: &str, name: &str, text: &str, diags: &[Diagnostic], exact: bool) {
    assert!(!diags.is_empty(), "{stage}: an error without diagnostics");
    let file = SourceFile::new(name, text);
    for d in diags {
        for span in std::iter::once(d.span).chain(d.secondary.iter().map(|l| l.span)) {
            assert!(
                span.start <= span.end
                    && span.end <= text.len()
                    && (!exact
                        || text.is_char_boundary(span.start) && text.is_char_boundary(span.end)),
                "{stage}: span {span:?} outside the text ({} bytes) or inside a character: {}",
                text.len(),
                d.message
            );
        }
        assert!(
            !d.message.is_empty(),
            "{stage}: a diagnostic without a message"
        );
        let _ = file.render(d);
        let _ = file.render_short(d);
    }
}

/// The file kind a fuzz input's first byte selects (the rest is the file), `None` to sniff.
pub fn split_kind(data: &[u8]) -> (Option<FileKind>, &str, &[u8]) {
    match data.split_first() {
        Some((b, rest)) => match b % 4 {
            0 => (Some(FileKind::AnalyticRule), "fuzz.yaml", rest),
            1 => (Some(FileKind::Markdown), "fuzz.md", rest),
            2 => (Some(FileKind::Kql), "fuzz.kql", rest),
            _ => (None, "-", rest),
        },
        None => (None, "-", data),
    }
}

/// Loads `bytes` as `kind`: a loaded file's query maps stay inside the file; errors are located.
pub fn load(kind: Option<FileKind>, name: &str, bytes: &[u8]) -> Option<sentinel::LoadedFile> {
    match sentinel::load_as(kind, name, bytes) {
        Ok(f) => {
            for q in &f.queries {
                for at in [0, q.text.len() / 2, q.text.len()] {
                    let mut at = at;
                    while !q.text.is_char_boundary(at) {
                        at -= 1;
                    }
                    assert!(
                        q.map.to_file(at) <= f.text.len(),
                        "query offset {at} maps outside"
                    );
                }
                assert!(q.span.end <= f.text.len(), "query span outside the file");
            }
            for w in &f.warnings {
                assert_located("load warning", name, &f.text, std::slice::from_ref(w));
            }
            Some(f)
        }
        Err(d) => {
            assert_located("load", name, &sentinel::display_text(bytes), &d);
            None
        }
    }
}

/// Parses `text`: an AST or located `P…` errors.
pub fn parse(text: &str) -> Option<kqlport::kql::ast::Query> {
    match kql::parse(text) {
        Ok(q) => Some(q),
        Err(d) => {
            assert_located("parse", "q.kql", text, &d);
            None
        }
    }
}

/// Parses and lowers `text`: IR or located errors.
pub fn lower(text: &str) -> Option<lower::Lowered> {
    let q = parse(text)?;
    match lower::lower(&q) {
        Ok(l) => {
            for w in &l.warnings {
                assert_located("lower warning", "q.kql", text, std::slice::from_ref(w));
            }
            Some(l)
        }
        Err(d) => {
            assert_located("lower", "q.kql", text, &d);
            None
        }
    }
}

/// Parses, lowers and translates `text` to every target.
pub fn convert_query(text: &str, rule: &RuleContext) -> Reached {
    let mut r = Reached::default();
    let Some(q) = parse(text) else {
        return r;
    };
    r.parsed = true;
    let lowered = match lower::lower(&q) {
        Ok(l) => l,
        Err(d) => {
            assert_located("lower", "q.kql", text, &d);
            return r;
        }
    };
    r.lowered = true;
    // `explain --ir` prints it.
    assert!(!lowered.query.to_string().is_empty());
    for w in &lowered.warnings {
        assert_located("lower warning", "q.kql", text, std::slice::from_ref(w));
    }
    for n in &lowered.notes {
        assert!(n.span.end <= text.len(), "lowering note outside the query");
    }
    for b in BACKENDS {
        match b.translate(rule, &lowered.query) {
            Ok(t) => {
                assert!(!t.text.is_empty(), "{}: an empty translation", b.name());
                if let kqlport::backend::Fidelity::Approximate(notes) = &t.fidelity {
                    assert!(!notes.is_empty(), "{}: approximate without notes", b.name());
                    for n in notes {
                        assert!(
                            n.span.end <= text.len(),
                            "{}: note outside the query",
                            b.name()
                        );
                    }
                }
                r.translated += 1;
            }
            Err(d) => assert_located(b.name(), "q.kql", text, &d),
        }
    }
    r
}

/// The whole path for a file: load, then every query through every target, with diagnostics
/// mapped back into the file as the CLI reports them.
pub fn convert_file(kind: Option<FileKind>, name: &str, bytes: &[u8]) -> Vec<Reached> {
    let Some(f) = load(kind, name, bytes) else {
        return Vec::new();
    };
    let mut rule = f
        .rule
        .as_ref()
        .map(RuleContext::from_rule)
        .unwrap_or_default();
    rule.source_name = Some(name.to_string());
    let mut reached = Vec::new();
    for q in &f.queries {
        reached.push(convert_query(&q.text, &rule));
        // The CLI maps each query diagnostic into the file; the result must stay inside it.
        if let Err(d) = kql::parse(&q.text) {
            let mapped: Vec<Diagnostic> = d.into_iter().map(|d| d.mapped(&q.map)).collect();
            check_located("parse (in file)", name, &f.text, &mapped, q.exact_map);
        }
    }
    reached
}
