//! `kqlport check`: parse every query of every input, check its column names where the
//! columns are known (lowering's `L060`), and report each failure with its location; never
//! stops at the first bad file.

use crate::inputs::{self, code, Input};
use crate::load::{self, Loaded};
use crate::{Format, EXIT_FAILED, EXIT_OK};
use kqlport::codes::{LowerCode, RuleCode};
use kqlport::diag::{escape_for_terminal, SourceFile};
use kqlport::{kql, Diagnostic, Severity};
use rayon::prelude::*;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

#[derive(Default)]
struct Tally {
    files: usize,
    valid: usize,
    failed: usize,
}

#[derive(Serialize)]
struct JsonOutcome<'a> {
    file: &'a str,
    /// The query's position in its file (0-based); null when the file itself failed to load.
    index: Option<usize>,
    ok: bool,
    /// The first error (kept for readers of the one-error form).
    error: Option<JsonError>,
    /// Every error of the query (or file).
    errors: Vec<JsonError>,
    /// Every warning (`L061`: a column not in kqlport's schema of the table).
    warnings: Vec<JsonError>,
}

#[derive(Clone, Serialize)]
struct JsonError {
    code: &'static str,
    line: usize,
    column: usize,
    message: String,
}

pub fn run(paths: &[PathBuf], format: Format, out: &mut impl Write) -> std::io::Result<u8> {
    let (inputs, input_errors) = inputs::collect(paths);
    let mut tally = Tally::default();
    for e in &input_errors {
        tally.files += 1;
        tally.failed += 1;
        match format {
            Format::Text => writeln!(
                out,
                "error[{}]: {}: {}",
                code::CANNOT_READ,
                escape_for_terminal(&e.name),
                escape_for_terminal(&e.message)
            )?,
            Format::Json => emit_json(
                out,
                &e.name,
                None,
                vec![JsonError {
                    code: code::CANNOT_READ.as_str(),
                    line: 1,
                    column: 1,
                    message: e.message.clone(),
                }],
                Vec::new(),
            )?,
        }
    }
    // Load, parse and check every input on every core; report in input order.
    let checked: Vec<(Input, Loaded, Vec<QueryOutcome>)> = inputs
        .into_par_iter()
        .map(|input| {
            let loaded = load::load(&input);
            let outcomes = check_queries(&loaded);
            (input, loaded, outcomes)
        })
        .collect();
    for (input, loaded, outcomes) in checked {
        tally.files += 1;
        report_input(&input, loaded, outcomes, format, &mut tally, out)?;
    }
    let total = tally.valid + tally.failed;
    let summary = format!(
        "checked {total} queries in {} files: {} valid, {} failed",
        tally.files, tally.valid, tally.failed
    );
    match format {
        Format::Text => writeln!(out, "{summary}")?,
        Format::Json => eprintln!("{summary}"),
    }
    Ok(if tally.failed == 0 {
        EXIT_OK
    } else {
        EXIT_FAILED
    })
}

/// One query's check: `Ok` with its warnings or `Err` with its errors, mapped to the file.
type QueryOutcome = Result<Vec<Diagnostic>, Vec<Diagnostic>>;

/// Parses and checks every query of a loaded file (none when the file failed to load).
fn check_queries(loaded: &Loaded) -> Vec<QueryOutcome> {
    let Loaded::Ok(file) = loaded else {
        return Vec::new();
    };
    file.queries
        .iter()
        .map(|q| {
            let map =
                |diags: Vec<Diagnostic>| diags.into_iter().map(|d| d.mapped(&q.map)).collect();
            kql::parse(&q.text)
                .and_then(|ast| unknown_columns(&ast))
                .map(map)
                .map_err(map)
        })
        .collect()
}

fn report_input(
    input: &Input,
    loaded: Loaded,
    outcomes: Vec<QueryOutcome>,
    format: Format,
    tally: &mut Tally,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let name = input.display_name();
    let file = match loaded {
        Loaded::Ok(file) => file,
        Loaded::Failed { text, diagnostics } => {
            tally.failed += 1;
            let source = SourceFile::new(&name, &text);
            report(out, format, &source, None, &diagnostics)?;
            return Ok(());
        }
    };
    let source = SourceFile::new(&name, &file.text);
    if file.queries.is_empty() {
        tally.failed += 1;
        let d = Diagnostic::error(
            RuleCode::Y007,
            "no KQL query found in this file",
            kqlport::Span::new(0, 0),
        );
        return report(out, format, &source, None, &[d]);
    }
    for (q, outcome) in file.queries.iter().zip(outcomes) {
        match outcome {
            Ok(warnings) => {
                tally.valid += 1;
                report(out, format, &source, Some(q.index), &warnings)?;
            }
            Err(errors) => {
                tally.failed += 1;
                report(out, format, &source, Some(q.index), &errors)?;
            }
        }
    }
    Ok(())
}

/// A parsed query's references to columns that do not exist where they are used, found by
/// lowering it: `L060` errors where the query's own operators fix the columns, `L061`
/// warnings (`Ok`) for a name missing from kqlport's schema of the table. Anything else
/// lowering declines is `convert`'s business, not an error in the KQL; a query lowering
/// declines before reaching the end is not checked for columns.
fn unknown_columns(ast: &kql::ast::Query) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    match kqlport::lower::lower(ast) {
        Ok(lowered) => Ok(lowered
            .warnings
            .into_iter()
            .filter(|d| d.code == LowerCode::L061)
            .collect()),
        Err(diags) => {
            let unknown: Vec<Diagnostic> = diags
                .into_iter()
                .filter(|d| d.code == LowerCode::L060)
                .collect();
            if unknown.is_empty() {
                Ok(Vec::new())
            } else {
                Err(unknown)
            }
        }
    }
}

/// Reports one query (or file): every diagnostic rendered in text mode; in JSON mode every
/// error in `errors` (the first also as `error`) and every warning in `warnings`.
fn report(
    out: &mut impl Write,
    format: Format,
    source: &SourceFile,
    index: Option<usize>,
    diagnostics: &[Diagnostic],
) -> std::io::Result<()> {
    match format {
        Format::Text => {
            for d in diagnostics {
                write!(out, "{}", source.render(d))?;
                writeln!(out)?;
            }
            Ok(())
        }
        Format::Json => {
            let json = |severity: Severity| {
                diagnostics
                    .iter()
                    .filter(move |d| d.severity == severity)
                    .map(|d| {
                        let lc = source.line_col(d.span.start);
                        JsonError {
                            code: d.code.as_str(),
                            line: lc.line,
                            column: lc.column,
                            message: d.message.clone(),
                        }
                    })
            };
            let errors = json(Severity::Error).collect();
            let warnings = json(Severity::Warning).collect();
            emit_json(out, source.name, index, errors, warnings)
        }
    }
}

fn emit_json(
    out: &mut impl Write,
    file: &str,
    index: Option<usize>,
    errors: Vec<JsonError>,
    warnings: Vec<JsonError>,
) -> std::io::Result<()> {
    let error = errors.first().cloned();
    let outcome = JsonOutcome {
        file,
        index,
        ok: error.is_none(),
        error,
        errors,
        warnings,
    };
    crate::json::write_line(out, &outcome)
}
