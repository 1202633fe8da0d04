//! `kqlport convert`: every query of every input through parse → lower → backend, for each
//! requested target; translations to stdout or to one file per rule under `-o DIR`; each
//! approximation and refusal reported with its location. One bad input never stops the batch.

use crate::inputs::{self, code, Input};
use crate::load::{self, Loaded};
use crate::output::{self, Claim};
use crate::{Format, EXIT_FAILED, EXIT_OK};
use kqlport::backend::{Backend, Caveat, Effect, Fidelity, RuleContext};
use kqlport::diag::{escape_for_terminal, SourceFile};
use kqlport::sentinel::LoadedFile;
use kqlport::{kql, lower, Diagnostic, Severity};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Inputs converted in parallel before their results are written.
const CHUNK: usize = 64;

/// A translation target as the CLI presents it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// Splunk SPL.
    Spl,
    /// Elastic ES|QL.
    Esql,
    /// Elastic EQL.
    Eql,
    /// A Sigma rule (YAML).
    Sigma,
}

impl Target {
    pub fn name(self) -> &'static str {
        self.backend().name()
    }

    fn backend(self) -> &'static dyn Backend {
        match self {
            Target::Spl => &kqlport_spl::Spl,
            Target::Esql => &kqlport_esql::Esql,
            Target::Eql => &kqlport_eql::Eql,
            Target::Sigma => &kqlport_sigma::Sigma,
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Target::Spl => "spl",
            Target::Esql => "esql",
            Target::Eql => "eql",
            Target::Sigma => "yml",
        }
    }

    /// A comment line in the target's own syntax, inert whatever the text holds (file names and
    /// notes come from the input).
    fn comment(self, text: &str) -> String {
        self.backend().comment(text)
    }
}

/// Field-mapping pipelines. Only `none` exists so far: Sentinel table and field names are
/// kept (the table name becomes the index, sourcetype, EQL category or Sigma service).
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Pipeline {
    /// Keep Sentinel table and field names.
    None,
}

pub struct Options<'a> {
    pub targets: &'a [Target],
    pub strict: bool,
    pub format: Format,
    pub out_dir: Option<&'a Path>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    Exact,
    Approximate,
    Declined,
    Error,
}

#[derive(Serialize)]
struct JsonNote {
    line: usize,
    column: usize,
    code: Option<&'static str>,
    severity: Severity,
    effect: Option<Effect>,
    message: String,
}

#[derive(Serialize)]
struct JsonOutcome<'a> {
    file: &'a str,
    index: Option<usize>,
    target: &'static str,
    status: Status,
    notes: Vec<JsonNote>,
    /// Target-wide limits of this translation (`{"code", "message"}`), stated once.
    caveats: &'a [Caveat],
    output: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    written: Option<String>,
}

#[derive(Default)]
struct Tally {
    files: usize,
    exact: usize,
    approximate: usize,
    declined: usize,
    failed: usize,
}

/// One query × target result, with every diagnostic already mapped to file offsets.
pub(crate) struct Outcome {
    index: Option<usize>,
    pub(crate) target: Target,
    pub(crate) status: Status,
    text: Option<String>,
    /// Approximation notes (as warnings), lowering warnings, refusals and errors.
    pub(crate) diagnostics: Vec<(Diagnostic, Option<Effect>)>,
    /// Why a translation was not written to its output file (code, message); the outcome is
    /// then an error.
    output_error: Option<(&'static str, String)>,
    /// The target's limits that hold for this translation as a whole (e.g. ES|QL's row cap).
    caveats: Vec<Caveat>,
}

pub fn run(paths: &[PathBuf], opts: &Options, out: &mut impl Write) -> std::io::Result<u8> {
    let (inputs, input_errors) = inputs::collect(paths);
    let mut tally = Tally::default();
    let mut err = std::io::stderr().lock();
    let many = inputs.len() + input_errors.len() > 1 || opts.targets.len() > 1;
    for e in &input_errors {
        tally.files += 1;
        if opts.format == Format::Text {
            writeln!(
                err,
                "error[{}]: {}: {}",
                code::CANNOT_READ,
                escape_for_terminal(&e.name),
                escape_for_terminal(&e.message)
            )?;
        }
        for target in opts.targets {
            tally.failed += 1;
            match opts.format {
                Format::Text => {}
                Format::Json => {
                    let o = JsonOutcome {
                        file: &e.name,
                        index: None,
                        target: target.name(),
                        status: Status::Error,
                        notes: vec![JsonNote {
                            line: 1,
                            column: 1,
                            code: Some(code::CANNOT_READ),
                            severity: Severity::Error,
                            effect: None,
                            message: e.message.clone(),
                        }],
                        caveats: &[],
                        output: None,
                        written: None,
                    };
                    crate::json::write_line(out, &o)?;
                }
            }
        }
    }
    // Every input is loaded before anything is written: output names are planned for the
    // whole batch at once, so that no translation can take another's file. Loading, like
    // converting below, runs on every core; `collect` keeps the input order.
    let loaded: Vec<Loaded> = inputs.par_iter().map(load::load).collect();
    let plan = opts.out_dir.map(|dir| {
        let claims: Vec<Claim> = inputs
            .iter()
            .zip(&loaded)
            .map(|(input, l)| Claim {
                input,
                queries: match l {
                    Loaded::Ok(f) => f.queries.len(),
                    Loaded::Failed { .. } => 0,
                },
            })
            .collect();
        let extensions: Vec<&str> = opts.targets.iter().map(|t| t.extension()).collect();
        output::plan(dir, &claims, &extensions)
    });
    if let Some(plan) = &plan {
        for dir in plan.directories() {
            for stale in output::remove_stale_temps(dir) {
                writeln!(
                    err,
                    "note: removed {}, a temporary file left by an interrupted kqlport run",
                    escape_for_terminal(&stale.to_string_lossy())
                )?;
            }
        }
    }
    // Converting a file is pure (parse, lower and translate see only that file), so files are
    // converted in parallel a chunk at a time; writing and reporting stay on this thread, in
    // input order, so the output is the same whatever the number of cores. A chunk bounds the
    // translations held in memory before they are written.
    let mut loaded = loaded.into_iter();
    let mut converted = Vec::new();
    for (file_index, input) in inputs.iter().enumerate() {
        if file_index % CHUNK == 0 {
            let chunk = &inputs[file_index..inputs.len().min(file_index + CHUNK)];
            let batch: Vec<Loaded> = loaded.by_ref().take(chunk.len()).collect();
            converted = chunk
                .par_iter()
                .zip(batch)
                .map(|(input, loaded)| convert_input(input, loaded, opts))
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
        }
        let Some((text, mut outcomes)) = converted.pop() else {
            unreachable!("each chunk converts every input in it");
        };
        tally.files += 1;
        let name = input.display_name();
        let source = SourceFile::new(&name, &text);
        let query_count = outcomes
            .iter()
            .filter_map(|o| o.index)
            .max()
            .map_or(1, |m| m + 1);
        let show_headers = many || query_count > 1;
        // A diagnostic shared by every target (a load or parse error, a lowering note) is
        // printed once per input, not once per target.
        let mut printed = HashSet::new();
        for o in &mut outcomes {
            let written = match (&o.text, &plan) {
                (Some(_), Some(plan)) => {
                    let target_index = opts.targets.iter().position(|&t| t == o.target);
                    let planned =
                        plan.path(file_index, o.index.unwrap_or(0), target_index.unwrap_or(0));
                    let result = planned
                        .map_err(|reason| (code::OUTPUT_COLLISION, reason.to_string()))
                        .and_then(|path| {
                            let body = with_header(o, &name, &source, false);
                            output::write_atomic(path, &body)
                                .map(|()| path)
                                .map_err(|e| {
                                    (
                                        code::CANNOT_WRITE,
                                        format!(
                                            "cannot write {}: {}",
                                            path.to_string_lossy().replace('\\', "/"),
                                            inputs::describe_io_error(&e)
                                        ),
                                    )
                                })
                        });
                    match result {
                        Ok(path) => Some(path.to_string_lossy().replace('\\', "/")),
                        Err(e) => {
                            o.status = Status::Error;
                            o.output_error = Some(e);
                            None
                        }
                    }
                }
                _ => None,
            };
            match o.status {
                Status::Exact => tally.exact += 1,
                Status::Approximate => tally.approximate += 1,
                Status::Declined => tally.declined += 1,
                Status::Error => tally.failed += 1,
            }
            match opts.format {
                Format::Json => {
                    let mut notes: Vec<JsonNote> = o
                        .diagnostics
                        .iter()
                        .map(|(d, effect)| {
                            let lc = source.line_col(d.span.start);
                            JsonNote {
                                line: lc.line,
                                column: lc.column,
                                code: Some(d.code.0),
                                severity: d.severity,
                                effect: *effect,
                                message: d.message.clone(),
                            }
                        })
                        .collect();
                    if let Some((code, message)) = &o.output_error {
                        notes.push(JsonNote {
                            line: 1,
                            column: 1,
                            code: Some(code),
                            severity: Severity::Error,
                            effect: None,
                            message: message.clone(),
                        });
                    }
                    let jo = JsonOutcome {
                        file: &name,
                        index: o.index,
                        target: o.target.name(),
                        status: o.status,
                        notes,
                        caveats: &o.caveats,
                        // Kept even when it could not be written: the translation is not lost.
                        output: o.text.as_deref(),
                        written,
                    };
                    crate::json::write_line(out, &jo)?;
                }
                Format::Text => {
                    for (d, _) in &o.diagnostics {
                        let key = (d.code.0, d.span.start, d.span.end, d.message.clone());
                        if printed.insert(key) {
                            write!(err, "{}", source.render(d))?;
                            writeln!(err)?;
                        }
                    }
                    if let Some((code, message)) = &o.output_error {
                        writeln!(err, "error[{code}]: {}", escape_for_terminal(message))?;
                    }
                    match (&written, &o.text, &plan) {
                        (Some(path), _, _) => writeln!(
                            out,
                            "wrote {} ({})",
                            escape_for_terminal(path),
                            status_word(o.status)
                        )?,
                        (None, Some(_), None) => {
                            write!(out, "{}", with_header(o, &name, &source, show_headers))?
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    let total = tally.exact + tally.approximate + tally.declined + tally.failed;
    let targets: Vec<&str> = opts.targets.iter().map(|t| t.name()).collect();
    writeln!(
        err,
        "converted {total} queries in {} files to {}: {} exact, {} approximate, {} declined, {} failed",
        tally.files,
        targets.join(", "),
        tally.exact,
        tally.approximate,
        tally.declined,
        tally.failed
    )?;
    Ok(if tally.declined + tally.failed == 0 {
        EXIT_OK
    } else {
        EXIT_FAILED
    })
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Exact => "exact",
        Status::Approximate => "approximate",
        Status::Declined => "declined",
        Status::Error => "error",
    }
}

/// The translation text, preceded (when asked, or when it is approximate or has a caveat) by
/// comment lines naming its source and listing every approximation, then the target's
/// caveats — the label travels with the output.
fn with_header(o: &Outcome, name: &str, source: &SourceFile, always: bool) -> String {
    let Some(text) = &o.text else {
        return String::new();
    };
    let mut s = String::new();
    let approximations: Vec<&Diagnostic> = o
        .diagnostics
        .iter()
        .filter(|(_, e)| e.is_some())
        .map(|(d, _)| d)
        .collect();
    if always || !approximations.is_empty() || !o.caveats.is_empty() {
        let which = o.index.map(|i| format!(" (query {i})")).unwrap_or_default();
        s.push_str(&o.target.comment(&format!(
            "kqlport: {name}{which} -> {}, {}",
            o.target.name(),
            status_word(o.status)
        )));
        s.push('\n');
        for d in approximations {
            let lc = source.line_col(d.span.start);
            s.push_str(&o.target.comment(&format!(
                "approximate at {}:{}: {}",
                lc.line,
                lc.column,
                d.message.replace('\n', " ")
            )));
            s.push('\n');
        }
        for c in &o.caveats {
            s.push_str(&o.target.comment(&format!(
                "caveat [{}]: {}",
                c.code,
                c.message.replace('\n', " ")
            )));
            s.push('\n');
        }
    }
    s.push_str(text);
    s
}

/// Runs every query of one input through every target. Returns the text to render
/// diagnostics against, and the outcomes in (query, target) order.
pub(crate) fn convert_input(
    input: &Input,
    loaded: Loaded,
    opts: &Options,
) -> (String, Vec<Outcome>) {
    let file: LoadedFile = match loaded {
        Loaded::Ok(f) => *f,
        Loaded::Failed { text, diagnostics } => {
            let outcomes = opts
                .targets
                .iter()
                .map(|&target| Outcome {
                    index: None,
                    target,
                    caveats: Vec::new(),
                    status: Status::Error,
                    text: None,
                    diagnostics: diagnostics.iter().cloned().map(|d| (d, None)).collect(),
                    output_error: None,
                })
                .collect();
            return (text, outcomes);
        }
    };
    let mut context = file
        .rule
        .as_ref()
        .map(RuleContext::from_rule)
        .unwrap_or_default();
    // The name relative to its PATH argument: the same however the path was spelled.
    context.source_name = Some(input.relative_name());
    let mut outcomes = Vec::new();
    if file.queries.is_empty() {
        let d = Diagnostic::error(
            "Y007",
            "no KQL query found in this file",
            kqlport::Span::new(0, 0),
        );
        for &target in opts.targets {
            outcomes.push(Outcome {
                index: None,
                target,
                caveats: Vec::new(),
                status: Status::Error,
                text: None,
                diagnostics: vec![(d.clone(), None)],
                output_error: None,
            });
        }
    }
    for q in &file.queries {
        let parsed = kql::parse(&q.text);
        let lowered = parsed.as_ref().map_err(Clone::clone).map(lower::lower);
        for &target in opts.targets {
            let map = |d: Diagnostic| d.mapped(&q.map);
            let outcome = match &lowered {
                Err(parse_errors) => Outcome {
                    index: Some(q.index),
                    target,
                    caveats: Vec::new(),
                    status: Status::Error,
                    text: None,
                    diagnostics: parse_errors
                        .iter()
                        .cloned()
                        .map(|d| (map(d), None))
                        .collect(),
                    output_error: None,
                },
                Ok(Err(refusals)) => Outcome {
                    index: Some(q.index),
                    target,
                    caveats: Vec::new(),
                    status: Status::Declined,
                    text: None,
                    diagnostics: refusals.iter().cloned().map(|d| (map(d), None)).collect(),
                    output_error: None,
                },
                Ok(Ok(lowered)) => {
                    let mut diagnostics: Vec<(Diagnostic, Option<Effect>)> = lowered
                        .warnings
                        .iter()
                        .cloned()
                        .map(|d| (map(d), None))
                        .collect();
                    match target.backend().translate(&context, &lowered.query) {
                        Err(refusals) => {
                            diagnostics.extend(refusals.into_iter().map(|d| (map(d), None)));
                            Outcome {
                                index: Some(q.index),
                                target,
                                caveats: Vec::new(),
                                status: Status::Declined,
                                text: None,
                                diagnostics,
                                output_error: None,
                            }
                        }
                        Ok(t) => {
                            // Lowering's own approximations apply to every target.
                            let mut notes = lowered.notes.clone();
                            if let Fidelity::Approximate(n) = &t.fidelity {
                                notes.extend(n.iter().cloned());
                            }
                            notes.sort_by_key(|n| (n.span.start, n.span.end));
                            for n in &notes {
                                let mut d = note_warning("B100", n);
                                if opts.strict {
                                    d.severity = Severity::Error;
                                }
                                diagnostics.push((map(d), Some(n.effect)));
                            }
                            let status = if notes.is_empty() {
                                Status::Exact
                            } else {
                                Status::Approximate
                            };
                            if opts.strict && status == Status::Approximate {
                                Outcome {
                                    index: Some(q.index),
                                    target,
                                    caveats: Vec::new(),
                                    status: Status::Declined,
                                    text: None,
                                    diagnostics,
                                    output_error: None,
                                }
                            } else {
                                Outcome {
                                    index: Some(q.index),
                                    target,
                                    caveats: target.backend().caveats(&lowered.query),
                                    status,
                                    text: Some(t.text),
                                    diagnostics,
                                    output_error: None,
                                }
                            }
                        }
                    }
                }
            };
            outcomes.push(outcome);
        }
    }
    (file.text, outcomes)
}

/// An approximation note as a located warning, its effect in words before the message.
pub(crate) fn note_warning(code: &'static str, n: &kqlport::backend::Note) -> Diagnostic {
    let effect = match n.effect {
        Effect::OverMatch => "may over-match",
        Effect::UnderMatch => "may under-match",
        Effect::Values => "same rows, values may differ",
        Effect::Order => "same rows, order not kept",
    };
    Diagnostic::warning(code, format!("{effect}: {}", n.message), n.span)
}
