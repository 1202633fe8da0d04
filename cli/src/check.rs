//! `kqlport check`: parse every query of every input and report each failure with its
//! location; never stops at the first bad file.

use crate::inputs::{self, code, Input};
use crate::load::{self, Loaded};
use crate::{Format, EXIT_FAILED, EXIT_OK};
use kqlport::diag::{escape_for_terminal, SourceFile};
use kqlport::{kql, Diagnostic};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

#[derive(Default)]
struct Tally {
    files: usize,
    parsed: usize,
    failed: usize,
}

#[derive(Serialize)]
struct JsonOutcome<'a> {
    file: &'a str,
    /// The query's position in its file (0-based); null when the file itself failed to load.
    index: Option<usize>,
    ok: bool,
    error: Option<JsonError>,
}

#[derive(Serialize)]
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
                Some(JsonError {
                    code: code::CANNOT_READ,
                    line: 1,
                    column: 1,
                    message: e.message.clone(),
                }),
            )?,
        }
    }
    for input in &inputs {
        tally.files += 1;
        check_input(input, format, &mut tally, out)?;
    }
    let total = tally.parsed + tally.failed;
    let summary = format!(
        "checked {total} queries in {} files: {} parsed, {} failed",
        tally.files, tally.parsed, tally.failed
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

fn check_input(
    input: &Input,
    format: Format,
    tally: &mut Tally,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let name = input.display_name();
    let file = match load::load(input) {
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
            "Y003",
            "no KQL query found in this file",
            kqlport::Span::new(0, 0),
        );
        return report(out, format, &source, None, &[d]);
    }
    for q in &file.queries {
        match kql::parse(&q.text) {
            Ok(_) => {
                tally.parsed += 1;
                if format == Format::Json {
                    emit_json(out, &name, Some(q.index), None)?;
                }
            }
            Err(diags) => {
                tally.failed += 1;
                let mapped: Vec<Diagnostic> = diags.into_iter().map(|d| d.mapped(&q.map)).collect();
                report(out, format, &source, Some(q.index), &mapped)?;
            }
        }
    }
    Ok(())
}

/// Reports one failed query (or file): every diagnostic rendered in text mode, the first one
/// as the JSON object's error in JSON mode.
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
            let error = diagnostics.first().map(|d| {
                let lc = source.line_col(d.span.start);
                JsonError {
                    code: d.code.0,
                    line: lc.line,
                    column: lc.column,
                    message: d.message.clone(),
                }
            });
            emit_json(out, source.name, index, error)
        }
    }
}

fn emit_json(
    out: &mut impl Write,
    file: &str,
    index: Option<usize>,
    error: Option<JsonError>,
) -> std::io::Result<()> {
    let outcome = JsonOutcome {
        file,
        index,
        ok: error.is_none(),
        error,
    };
    crate::json::write_line(out, &outcome)
}
