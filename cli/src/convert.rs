//! `kqlport convert`: every query of every input through parse → lower → backend, for each
//! requested target; translations to stdout or to one file per rule under `-o DIR`; each
//! approximation and refusal reported with its location. One bad input never stops the batch.

use crate::check_mode::{self, Planned};
use crate::inputs::{self, code, Input};
use crate::load::{self, Loaded};
use crate::output::{self, Claim};
use crate::rulefile::{self, RuleFileInput, RuleFormat};
use crate::{Format, EXIT_FAILED, EXIT_OK};
use kqlport::backend::{Backend, Caveat, Effect, Fidelity, RuleContext};
use kqlport::codes::{BackendCode, Code, RuleCode};
use kqlport::diag::{escape_for_terminal, SourceFile};
use kqlport::sentinel::{LoadedFile, Rule};
use kqlport::{kql, lower, pipeline, Diagnostic, Severity};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Inputs converted in parallel before their results are written.
const CHUNK: usize = 64;

/// A translation target as the CLI presents it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
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

    pub const ALL: [Target; 4] = [Target::Spl, Target::Esql, Target::Eql, Target::Sigma];

    /// What the target is, in a few words.
    pub fn description(self) -> &'static str {
        match self {
            Target::Spl => "Splunk SPL",
            Target::Esql => "Elastic ES|QL",
            Target::Eql => "Elastic EQL",
            Target::Sigma => "a Sigma rule (YAML)",
        }
    }

    /// The extension of a translation file (`--format query`).
    pub fn extension(self) -> &'static str {
        self.backend().extension()
    }

    /// A comment line in the target's own syntax, inert whatever the text holds (file names and
    /// notes come from the input).
    fn comment(self, text: &str) -> String {
        self.backend().comment(text)
    }
}

pub struct Options<'a> {
    pub targets: &'a [Target],
    /// The field-mapping pipeline of each target.
    pub pipelines: &'a crate::pipelines::Pipelines,
    pub strict: bool,
    /// How results are reported (`--report`).
    pub format: Format,
    /// What is written for each translation (`--format`).
    pub rule_format: RuleFormat,
    pub out_dir: Option<&'a Path>,
    /// With `out_dir`: compare with DIR instead of writing (`--check`).
    pub check: bool,
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
    /// With `--check`: the planned file and how it compares with DIR's.
    #[serde(skip_serializing_if = "Option::is_none")]
    check: Option<JsonCheck>,
}

#[derive(Serialize)]
struct JsonCheck {
    path: String,
    state: check_mode::State,
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
    pub(crate) text: Option<String>,
    /// Approximation notes (as warnings), lowering warnings, refusals and errors.
    pub(crate) diagnostics: Vec<(Diagnostic, Option<Effect>)>,
    /// Why a translation was not written to its output file (code, message); the outcome is
    /// then an error.
    output_error: Option<(kqlport::codes::InputCode, String)>,
    /// The target's limits that hold for this translation as a whole (e.g. ES|QL's row cap).
    caveats: Vec<Caveat>,
    /// Tables and columns the target's pipeline does not map (for `check --coverage`).
    pub(crate) unmapped: Vec<kqlport::pipeline::Unmapped>,
    /// The rule the query came from, for rule-file formats.
    meta: Option<Arc<Meta>>,
}

/// What a rule file says besides the query: the Sentinel rule (none for bare KQL), its
/// context, and how many queries its file holds.
pub(crate) struct Meta {
    rule: Option<Rule>,
    context: RuleContext,
    query_count: usize,
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
                            code: Some(code::CANNOT_READ.as_str()),
                            severity: Severity::Error,
                            effect: None,
                            message: e.message.clone(),
                        }],
                        caveats: &[],
                        output: None,
                        written: None,
                        check: None,
                    };
                    crate::json::write_line(out, &o)?;
                }
            }
        }
    }
    // Every input is loaded before anything is written: output names are planned for the
    // whole batch at once, so that no translation can take another's file. Loading, like
    // converting below, runs on every core; `collect` keeps the input order. A single file is
    // loaded and converted on this thread: handing it to the pool and waiting for a worker to
    // pick it up would only add a wait (a one-rule run is otherwise about 2 ms of work).
    let loaded: Vec<Loaded> = match inputs.as_slice() {
        [one] => vec![load::load(one)],
        _ => inputs.par_iter().map(load::load).collect(),
    };
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
        output::plan(dir, &claims, &extensions(opts))
    });
    let mut planned = Planned::default();
    // Each rule file's identity (stanza name, rule_id) per target, and whose it is first.
    let mut identities: HashMap<(Target, String), String> = HashMap::new();
    if let (Some(plan), false) = (&plan, opts.check) {
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
            let done: Vec<_> = match chunk {
                [one] => batch
                    .into_iter()
                    .map(|loaded| convert_input(one, loaded, opts))
                    .collect(),
                _ => chunk
                    .par_iter()
                    .zip(batch)
                    .map(|(input, loaded)| convert_input(input, loaded, opts))
                    .collect(),
            };
            converted = done.into_iter().rev().collect();
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
            // What is written for this translation, in the chosen format.
            let mut shared_identity = None;
            let body = match o.text.is_some().then(|| render(o, &name, &source, opts)) {
                Some(Ok((b, identity))) => {
                    if let Some(identity) = identity {
                        let owner = match o.index {
                            Some(i) if query_count > 1 => format!("{name} (query {i})"),
                            _ => name.clone(),
                        };
                        match identities.get(&(o.target, identity.clone())) {
                            Some(first) => {
                                shared_identity = Some(format!(
                                    "{owner} is written as {} `{identity}`, as {first} is: \
                                     deployed together, one replaces or merges into the other",
                                    match opts.rule_format {
                                        RuleFormat::Splunk => "stanza",
                                        _ => "rule_id",
                                    }
                                ));
                            }
                            None => {
                                identities.insert((o.target, identity), owner);
                            }
                        }
                    }
                    Some(b)
                }
                Some(Err(reason)) => {
                    o.status = Status::Error;
                    o.output_error = Some((code::CANNOT_RENDER, reason));
                    None
                }
                None => None,
            };
            let mut check = None;
            let written = match (&body, &plan) {
                (Some(_), Some(plan)) if opts.check => {
                    let target_index = opts.targets.iter().position(|&t| t == o.target);
                    match plan.path(file_index, o.index.unwrap_or(0), target_index.unwrap_or(0)) {
                        Ok(path) => {
                            let body = body.clone().unwrap_or_default();
                            let state = planned.add(path, body);
                            check = Some(JsonCheck {
                                path: path.to_string_lossy().replace('\\', "/"),
                                state,
                            });
                        }
                        Err(reason) => {
                            o.status = Status::Error;
                            o.output_error = Some((code::OUTPUT_COLLISION, reason.to_string()));
                        }
                    }
                    None
                }
                (Some(body), Some(plan)) => {
                    let target_index = opts.targets.iter().position(|&t| t == o.target);
                    let planned =
                        plan.path(file_index, o.index.unwrap_or(0), target_index.unwrap_or(0));
                    let result = planned
                        .map_err(|reason| (code::OUTPUT_COLLISION, reason.to_string()))
                        .and_then(|path| {
                            output::write_atomic(path, body)
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
                                code: Some(d.code.as_str()),
                                severity: d.severity,
                                effect: *effect,
                                message: d.message.clone(),
                            }
                        })
                        .collect();
                    if let Some(message) = &shared_identity {
                        notes.push(JsonNote {
                            line: 1,
                            column: 1,
                            code: None,
                            severity: Severity::Warning,
                            effect: None,
                            message: message.clone(),
                        });
                    }
                    if let Some((code, message)) = &o.output_error {
                        notes.push(JsonNote {
                            line: 1,
                            column: 1,
                            code: Some(code.as_str()),
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
                        output: match opts.rule_format {
                            RuleFormat::Query | RuleFormat::Sigma => o.text.as_deref(),
                            RuleFormat::Splunk | RuleFormat::Elastic => body.as_deref(),
                        },
                        written,
                        check,
                    };
                    crate::json::write_line(out, &jo)?;
                }
                Format::Text => {
                    for (d, _) in &o.diagnostics {
                        let key = (d.code.as_str(), d.span.start, d.span.end, d.message.clone());
                        if printed.insert(key) {
                            write!(err, "{}", source.render(d))?;
                            writeln!(err)?;
                        }
                    }
                    if let Some((code, message)) = &o.output_error {
                        writeln!(err, "error[{code}]: {}", escape_for_terminal(message))?;
                    }
                    if let Some(message) = &shared_identity {
                        writeln!(err, "warning: {}", escape_for_terminal(message))?;
                    }
                    match (&written, &body, &plan) {
                        (Some(path), _, _) => writeln!(
                            out,
                            "wrote {} ({})",
                            escape_for_terminal(path),
                            status_word(o.status)
                        )?,
                        (None, Some(body), None) => match opts.rule_format {
                            RuleFormat::Query | RuleFormat::Sigma if show_headers => {
                                write!(out, "{}", with_header(o, &name, &source, true))?
                            }
                            _ => write!(out, "{body}")?,
                        },
                        _ => {}
                    }
                }
            }
        }
    }
    let mut differs = false;
    if let (Some(dir), true) = (opts.out_dir, opts.check) {
        let inputs_canonical: HashSet<PathBuf> = inputs
            .iter()
            .filter_map(|i| match i {
                Input::File { path, .. } => std::fs::canonicalize(path).ok(),
                Input::Stdin => None,
            })
            .collect();
        let mut diffs = Vec::new();
        let (check, states) =
            planned.report(dir, &extensions(opts), &inputs_canonical, &mut diffs)?;
        match opts.format {
            Format::Text => out.write_all(&diffs)?,
            Format::Json => {
                for (path, state) in states {
                    if state == check_mode::State::Orphaned {
                        crate::json::write_line(
                            out,
                            &JsonCheck {
                                path: path.to_string_lossy().replace('\\', "/"),
                                state,
                            },
                        )?;
                    }
                }
            }
        }
        writeln!(
            err,
            "check {}: {} unchanged, {} changed, {} new, {} orphaned",
            escape_for_terminal(&dir.to_string_lossy()),
            check.unchanged,
            check.changed,
            check.new,
            check.orphaned
        )?;
        differs = check.differs();
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
    if opts.check {
        // --check answers one question: would this run change DIR? A query that is declined
        // or fails has no output either way; when it had one before, that file is an orphan.
        return Ok(if differs { EXIT_FAILED } else { EXIT_OK });
    }
    Ok(if tally.declined + tally.failed == 0 {
        EXIT_OK
    } else {
        EXIT_FAILED
    })
}

/// The output file extension of each target, in `--to` order.
fn extensions(opts: &Options) -> Vec<&'static str> {
    opts.targets
        .iter()
        .map(|&t| opts.rule_format.extension(t))
        .collect()
}

/// What is written for one translation: the query with its header, or the rule file.
/// What is written for one translation, and for a rule file the identity the target keeps it
/// under.
fn render(
    o: &Outcome,
    name: &str,
    source: &SourceFile,
    opts: &Options,
) -> Result<(String, Option<String>), String> {
    let (Some(text), Some(meta)) = (&o.text, &o.meta) else {
        return Ok((with_header(o, name, source, false), None));
    };
    match opts.rule_format {
        RuleFormat::Query | RuleFormat::Sigma => Ok((with_header(o, name, source, false), None)),
        format @ (RuleFormat::Splunk | RuleFormat::Elastic) => {
            let approximations = o
                .diagnostics
                .iter()
                .filter(|(_, e)| e.is_some())
                .map(|(d, _)| {
                    let lc = source.line_col(d.span.start);
                    format!(
                        "{}:{}: {}",
                        lc.line,
                        lc.column,
                        d.message.replace('\n', " ")
                    )
                })
                .collect();
            let caveats = o
                .caveats
                .iter()
                .map(|c| format!("[{}]: {}", c.code, c.message.replace('\n', " ")))
                .collect();
            rulefile::render(
                format,
                &RuleFileInput {
                    rule: meta.rule.as_ref(),
                    context: &meta.context,
                    source_name: name,
                    query_index: o.index,
                    query_count: meta.query_count,
                    target: o.target,
                    status: status_word(o.status),
                    query: text,
                    approximations,
                    caveats,
                },
            )
            .map(|r| (r.text, Some(r.identity)))
        }
    }
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
                    unmapped: Vec::new(),
                    status: Status::Error,
                    text: None,
                    diagnostics: diagnostics.iter().cloned().map(|d| (d, None)).collect(),
                    output_error: None,
                    meta: None,
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
    let meta = Arc::new(Meta {
        rule: file.rule.clone(),
        context: context.clone(),
        query_count: file.queries.len(),
    });
    let mut outcomes = Vec::new();
    if file.queries.is_empty() {
        let d = Diagnostic::error(
            RuleCode::Y007,
            "no KQL query found in this file",
            kqlport::Span::new(0, 0),
        );
        for &target in opts.targets {
            outcomes.push(Outcome {
                index: None,
                target,
                caveats: Vec::new(),
                unmapped: Vec::new(),
                status: Status::Error,
                text: None,
                diagnostics: vec![(d.clone(), None)],
                output_error: None,
                meta: None,
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
                    unmapped: Vec::new(),
                    status: Status::Error,
                    text: None,
                    diagnostics: parse_errors
                        .iter()
                        .cloned()
                        .map(|d| (map(d), None))
                        .collect(),
                    output_error: None,
                    meta: None,
                },
                Ok(Err(refusals)) => Outcome {
                    index: Some(q.index),
                    target,
                    caveats: Vec::new(),
                    unmapped: Vec::new(),
                    status: Status::Declined,
                    text: None,
                    diagnostics: refusals.iter().cloned().map(|d| (map(d), None)).collect(),
                    output_error: None,
                    meta: None,
                },
                Ok(Ok(lowered)) => {
                    let mut diagnostics: Vec<(Diagnostic, Option<Effect>)> = lowered
                        .warnings
                        .iter()
                        .cloned()
                        .map(|d| (map(d), None))
                        .collect();
                    // Field mapping: between lowering and the backend, per target.
                    let mapped = pipeline::apply(opts.pipelines.for_target(target), &lowered.query);
                    let translated = if mapped.errors.is_empty() {
                        target.backend().translate(&context, &mapped.query)
                    } else {
                        Err(mapped.errors.clone())
                    };
                    let mut outcome = match translated {
                        Err(refusals) => {
                            diagnostics.extend(refusals.into_iter().map(|d| (map(d), None)));
                            Outcome {
                                index: Some(q.index),
                                target,
                                caveats: Vec::new(),
                                unmapped: Vec::new(),
                                status: Status::Declined,
                                text: None,
                                diagnostics,
                                output_error: None,
                                meta: Some(meta.clone()),
                            }
                        }
                        Ok(t) => {
                            // Lowering's own approximations apply to every target, the
                            // pipeline's to this one.
                            let mut notes = lowered.notes.clone();
                            notes.extend(mapped.notes.iter().cloned());
                            if let Fidelity::Approximate(n) = &t.fidelity {
                                notes.extend(n.iter().cloned());
                            }
                            notes.sort_by_key(|n| (n.span.start, n.span.end));
                            for n in &notes {
                                let mut d = note_warning(BackendCode::B100, n);
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
                                    unmapped: Vec::new(),
                                    status: Status::Declined,
                                    text: None,
                                    diagnostics,
                                    output_error: None,
                                    meta: Some(meta.clone()),
                                }
                            } else {
                                Outcome {
                                    index: Some(q.index),
                                    target,
                                    caveats: target.backend().caveats(&mapped.query),
                                    status,
                                    text: Some(t.text),
                                    diagnostics,
                                    output_error: None,
                                    meta: Some(meta.clone()),
                                    unmapped: Vec::new(),
                                }
                            }
                        }
                    };
                    outcome.unmapped = mapped.unmapped;
                    outcome
                }
            };
            outcomes.push(outcome);
        }
    }
    (file.text, outcomes)
}

/// An approximation note as a located warning, its effect in words before the message.
pub(crate) fn note_warning(code: impl Into<Code>, n: &kqlport::backend::Note) -> Diagnostic {
    let effect = match n.effect {
        Effect::OverMatch => "may over-match",
        Effect::UnderMatch => "may under-match",
        Effect::Values => "same rows, values may differ",
        Effect::Order => "same rows, order not kept",
    };
    Diagnostic::warning(code, format!("{effect}: {}", n.message), n.span)
}
