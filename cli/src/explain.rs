//! `kqlport explain`: dump what the library reads from one file — each query's AST, or the
//! rule metadata — so every stage's intermediate form can be inspected and diffed.

use crate::inputs::Input;
use crate::load::{self, Loaded};
use crate::{Format, EXIT_FAILED, EXIT_OK};
use kqlport::diag::SourceFile;
use kqlport::kql;
use std::io::Write;
use std::path::Path;

pub fn run(path: &Path, rule: bool, format: Format, out: &mut impl Write) -> std::io::Result<u8> {
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
    if rule {
        match format {
            Format::Json => serde_json::to_writer_pretty(&mut *out, &file.rule)?,
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
            Ok(ast) => match format {
                Format::Text => writeln!(
                    out,
                    "// query {} of {name}, from line {} column {}\n{ast:#?}",
                    q.index, start.line, start.column
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
        serde_json::to_writer_pretty(&mut *out, &json)?;
        writeln!(out)?;
    }
    Ok(code)
}
