//! `kqlport convert`: every query of every input through parse → lower → backend, for each
//! requested target; translations to stdout or to one file per rule under `-o DIR`; each
//! approximation and refusal reported with its location. One bad input never stops the batch.

use crate::inputs::{self, Input};
use crate::load::{self, Loaded};
use crate::output;
use crate::{Format, EXIT_FAILED, EXIT_OK};
use kqlport::backend::{Backend, Effect, Fidelity, RuleContext};
use kqlport::diag::SourceFile;
use kqlport::sentinel::LoadedFile;
use kqlport::{kql, lower, Diagnostic, Severity};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

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
enum Status {
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
struct Outcome {
    index: Option<usize>,
    target: Target,
    status: Status,
    text: Option<String>,
    /// Approximation notes (as warnings), lowering warnings, refusals and errors.
    diagnostics: Vec<(Diagnostic, Option<Effect>)>,
}

pub fn run(paths: &[PathBuf], opts: &Options, out: &mut impl Write) -> std::io::Result<u8> {
    let (inputs, input_errors) = inputs::collect(paths);
    let mut tally = Tally::default();
    let mut err = std::io::stderr().lock();
    let many = inputs.len() + input_errors.len() > 1 || opts.targets.len() > 1;
    for e in &input_errors {
        tally.files += 1;
        for target in opts.targets {
            tally.failed += 1;
            match opts.format {
                Format::Text => writeln!(err, "error[I001]: {}: {}", e.name, e.message)?,
                Format::Json => {
                    let o = JsonOutcome {
                        file: &e.name,
                        index: None,
                        target: target.name(),
                        status: Status::Error,
                        notes: vec![JsonNote {
                            line: 1,
                            column: 1,
                            code: Some("I001"),
                            severity: Severity::Error,
                            effect: None,
                            message: e.message.clone(),
                        }],
                        output: None,
                        written: None,
                    };
                    serde_json::to_writer(&mut *out, &o)?;
                    writeln!(out)?;
                }
            }
        }
    }
    for input in &inputs {
        tally.files += 1;
        let name = input.display_name();
        let (text, outcomes) = convert_input(input, opts);
        let source = SourceFile::new(&name, &text);
        let query_count = outcomes
            .iter()
            .filter_map(|o| o.index)
            .max()
            .map_or(1, |m| m + 1);
        let show_headers = many || query_count > 1;
        for o in &outcomes {
            match o.status {
                Status::Exact => tally.exact += 1,
                Status::Approximate => tally.approximate += 1,
                Status::Declined => tally.declined += 1,
                Status::Error => tally.failed += 1,
            }
            let written = match (&o.text, opts.out_dir) {
                (Some(_), Some(dir)) => {
                    let path = match input {
                        Input::File { path, root } => output::output_path(
                            dir,
                            Some(root),
                            path,
                            o.index.unwrap_or(0),
                            query_count,
                            o.target.extension(),
                        ),
                        Input::Stdin => dir.join(format!("stdin.{}", o.target.extension())),
                    };
                    let body = with_header(o, &name, &source, false);
                    if let Err(e) = output::write_atomic(&path, &body) {
                        writeln!(err, "error[I003]: cannot write {}: {e}", path.display())?;
                        tally.failed += 1;
                        continue;
                    }
                    Some(path.to_string_lossy().replace('\\', "/"))
                }
                _ => None,
            };
            match opts.format {
                Format::Json => {
                    let notes = o
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
                    let jo = JsonOutcome {
                        file: &name,
                        index: o.index,
                        target: o.target.name(),
                        status: o.status,
                        notes,
                        output: o.text.as_deref(),
                        written,
                    };
                    serde_json::to_writer(&mut *out, &jo)?;
                    writeln!(out)?;
                }
                Format::Text => {
                    for (d, _) in &o.diagnostics {
                        write!(err, "{}", source.render(d))?;
                        writeln!(err)?;
                    }
                    match (&written, &o.text) {
                        (Some(path), _) => {
                            writeln!(out, "wrote {path} ({})", status_word(o.status))?
                        }
                        (None, Some(_)) => {
                            write!(out, "{}", with_header(o, &name, &source, show_headers))?
                        }
                        (None, None) => {}
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

/// The translation text, preceded (when asked, or when it is approximate) by comment lines
/// naming its source and listing every approximation — the label travels with the output.
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
    if always || !approximations.is_empty() {
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
    }
    s.push_str(text);
    s
}

/// Runs every query of one input through every target. Returns the text to render
/// diagnostics against, and the outcomes in (query, target) order.
fn convert_input(input: &Input, opts: &Options) -> (String, Vec<Outcome>) {
    let file: LoadedFile = match load::load(input) {
        Loaded::Ok(f) => *f,
        Loaded::Failed { text, diagnostics } => {
            let outcomes = opts
                .targets
                .iter()
                .map(|&target| Outcome {
                    index: None,
                    target,
                    status: Status::Error,
                    text: None,
                    diagnostics: diagnostics.iter().cloned().map(|d| (d, None)).collect(),
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
    context.source_name = Some(input.display_name());
    let mut outcomes = Vec::new();
    if file.queries.is_empty() {
        let d = Diagnostic::error(
            "Y003",
            "no KQL query found in this file",
            kqlport::Span::new(0, 0),
        );
        for &target in opts.targets {
            outcomes.push(Outcome {
                index: None,
                target,
                status: Status::Error,
                text: None,
                diagnostics: vec![(d.clone(), None)],
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
                    status: Status::Error,
                    text: None,
                    diagnostics: parse_errors
                        .iter()
                        .cloned()
                        .map(|d| (map(d), None))
                        .collect(),
                },
                Ok(Err(refusals)) => Outcome {
                    index: Some(q.index),
                    target,
                    status: Status::Declined,
                    text: None,
                    diagnostics: refusals.iter().cloned().map(|d| (map(d), None)).collect(),
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
                                status: Status::Declined,
                                text: None,
                                diagnostics,
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
                                    status: Status::Declined,
                                    text: None,
                                    diagnostics,
                                }
                            } else {
                                Outcome {
                                    index: Some(q.index),
                                    target,
                                    status,
                                    text: Some(t.text),
                                    diagnostics,
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
    };
    Diagnostic::warning(code, format!("{effect}: {}", n.message), n.span)
}
