//! `kqlport explain`: dump what the library reads from one file — each query's AST, its
//! detection IR, or the rule metadata — so every stage's intermediate form can be inspected
//! and diffed.

use crate::inputs::Input;
use crate::load::{self, Loaded};
use crate::{Format, EXIT_FAILED, EXIT_OK};
use kqlport::codes::LowerCode;
use kqlport::diag::Diagnostic;
use kqlport::diag::SourceFile;
use kqlport::pipeline::Pipeline;
use kqlport::{kql, lower};
use std::io::Write;
use std::path::Path;

/// Which form to print.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum What {
    Ast,
    Ir,
    Rule,
}

/// `mapping`: with `--ir`, the field-mapping pipeline to show the IR after.
pub fn run(
    path: &Path,
    what: What,
    mapping: Option<&Pipeline>,
    format: Format,
    out: &mut impl Write,
) -> std::io::Result<u8> {
    let input = if path.as_os_str() == "-" {
        Input::Stdin
    } else {
        Input::File {
            path: path.to_path_buf(),
            root: path.to_path_buf(),
        }
    };
    let name = input.display_name();
    let file = match load::load(&input) {
        Loaded::Ok(file) => file,
        Loaded::Failed { text, diagnostics } => {
            let source = SourceFile::new(&name, &text);
            for d in &diagnostics {
                write!(out, "{}", source.render(d))?;
            }
            return Ok(EXIT_FAILED);
        }
    };
    let source = SourceFile::new(&name, &file.text);
    if what == What::Rule {
        match format {
            Format::Json => crate::json::write_pretty(out, &file.rule)?,
            Format::Text => match &file.rule {
                Some(r) => write!(out, "{r:#?}")?,
                None => write!(out, "{name}: not a Sentinel rule file (no rule metadata)")?,
            },
        }
        writeln!(out)?;
        return Ok(EXIT_OK);
    }
    let mut code = EXIT_OK;
    let mut json = Vec::new();
    for q in &file.queries {
        let start = source.line_col(q.map.to_file(0));
        match kql::parse(&q.text) {
            Ok(ast) if what == What::Ir => match lower::lower(&ast).and_then(|mut l| {
                if let Some(p) = mapping {
                    let m = kqlport::pipeline::apply(p, &l.query);
                    if !m.errors.is_empty() {
                        return Err(m.errors);
                    }
                    l.query = m.query;
                    l.notes.extend(m.notes);
                }
                Ok(l)
            }) {
                Ok(l) => {
                    let notes: Vec<Diagnostic> = l
                        .notes
                        .iter()
                        .map(|n| crate::convert::note_warning(LowerCode::L101, n).mapped(&q.map))
                        .chain(l.warnings.iter().map(|w| w.clone().mapped(&q.map)))
                        .collect();
                    match format {
                        Format::Text => {
                            writeln!(
                                out,
                                "// query {} of {}, from line {} column {}\n{}",
                                q.index, kqlport::backend::one_line(&name), start.line, start.column, l.query
                            )?;
                            for d in &notes {
                                write!(out, "{}", source.render(d))?;
                            }
                        }
                        Format::Json => json.push(serde_json::json!({
                            "file": name, "index": q.index, "ir": l.query,
                            "ir_text": l.query.to_string(),
                            "notes": notes.iter().map(|d| source.render_short(d)).collect::<Vec<_>>(),
                        })),
                    }
                }
                Err(diags) => {
                    code = EXIT_FAILED;
                    for d in diags {
                        write!(out, "{}", source.render(&d.mapped(&q.map)))?;
                    }
                }
            },
            Ok(ast) => match format {
                Format::Text => writeln!(
                    out,
                    "// query {} of {}, from line {} column {}\n{ast:#?}",
                    q.index,
                    kqlport::backend::one_line(&name),
                    start.line,
                    start.column
                )?,
                Format::Json => json.push(serde_json::json!({
                    "file": name, "index": q.index, "ast": ast,
                })),
            },
            Err(diags) => {
                code = EXIT_FAILED;
                for d in diags {
                    write!(out, "{}", source.render(&d.mapped(&q.map)))?;
                }
            }
        }
    }
    if format == Format::Json {
        crate::json::write_pretty(out, &json)?;
        writeln!(out)?;
    }
    Ok(code)
}

/// `explain --code CODE`: what a diagnostic code means, from the registry in `kqlport::codes`.
/// An unknown code is a usage error (exit 2) with a pointer to the full list.
pub fn run_code(code: &str, format: Format, out: &mut impl Write) -> std::io::Result<u8> {
    let Some(info) = kqlport::codes::lookup(code.trim()) else {
        eprintln!(
            "kqlport: unknown diagnostic code `{}`; codes look like B030 or L060, and \
             docs/codes.md lists them all ({} codes)",
            kqlport::backend::one_line(code),
            kqlport::codes::CODES.len()
        );
        return Ok(crate::EXIT_USAGE);
    };
    match format {
        Format::Json => {
            crate::json::write_pretty(out, info)?;
            writeln!(out)?;
        }
        Format::Text => {
            writeln!(
                out,
                "{}: {} ({})\n",
                info.code,
                info.summary,
                info.family.name()
            )?;
            writeln!(out, "{}", wrap(info.explanation, 80))?;
        }
    }
    Ok(EXIT_OK)
}

/// `text` broken at spaces into lines of at most `width` characters (longer words stay whole).
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        if line > 0 && line + 1 + len > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += len;
    }
    out
}
