//! Choosing the field-mapping pipeline for each target from `--pipeline NAME` and `-p FILE`
//! (read here: the CLI owns files), and `kqlport list pipelines`.

use crate::convert::Target;
use crate::inputs::Input;
use crate::{Format, EXIT_OK, EXIT_USAGE};
use kqlport::diag::{escape_for_terminal, SourceFile};
use kqlport::pipeline::{Pipeline, BUILTINS};
use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The pipeline each target gets, made the first time a target asks for it: a run converting
/// to one target makes one, and targets with the same built-in (ES|QL and EQL: `ecs`) share it.
pub struct Pipelines {
    /// The `-p` files, applied in order over the built-in.
    overlays: Vec<Pipeline>,
    /// Each distinct built-in the targets get, and its pipeline with the overlays applied.
    bases: Vec<(String, OnceLock<Pipeline>)>,
    /// Each target and its entry in `bases`.
    per_target: Vec<(Target, usize)>,
}

/// The built-in a target gets when `--pipeline` is not given ([`kqlport::pipeline::default_for`]).
pub fn default_for(target: Target) -> &'static str {
    kqlport::pipeline::default_for(target.name())
}

impl Pipelines {
    /// `--pipeline NAME` (or each target's default) with the `-p` files applied over it, in
    /// order. A file that cannot be read or does not load is reported on stderr with its
    /// location; the result is then `Err(EXIT_USAGE)`.
    pub fn resolve(name: Option<&str>, files: &[PathBuf]) -> Result<Pipelines, u8> {
        let mut overlays = Vec::new();
        let mut failed = false;
        let mut err = std::io::stderr().lock();
        if let Some(n) = name {
            if !names().contains(&n) {
                let _ = writeln!(
                    err,
                    "error: unknown pipeline `{}` (built-ins: {}; a file is given with -p FILE)",
                    escape_for_terminal(n),
                    names().join(", ")
                );
                return Err(EXIT_USAGE);
            }
        }
        for path in files {
            let input = Input::File {
                path: path.clone(),
                root: path.clone(),
            };
            let display = input.display_name();
            let bytes = match input.read() {
                Ok(b) => b,
                Err(e) => {
                    let _ = writeln!(
                        err,
                        "error[{}]: {}: {}",
                        e.code,
                        escape_for_terminal(&display),
                        escape_for_terminal(&e.message)
                    );
                    failed = true;
                    continue;
                }
            };
            let text = kqlport::sentinel::display_text(&bytes);
            match kqlport::pipeline::parse(&display, &text) {
                Ok(p) => overlays.push(p),
                Err(diags) => {
                    let source = SourceFile::new(&display, &text);
                    for d in &diags {
                        let _ = write!(err, "{}", source.render(d));
                    }
                    failed = true;
                }
            }
        }
        if failed {
            return Err(EXIT_USAGE);
        }
        let mut bases: Vec<(String, OnceLock<Pipeline>)> = Vec::new();
        let per_target = [Target::Spl, Target::Esql, Target::Eql, Target::Sigma]
            .into_iter()
            .map(|t| {
                let base = name.unwrap_or(default_for(t));
                let i = match bases.iter().position(|(b, _)| b == base) {
                    Some(i) => i,
                    None => {
                        bases.push((base.to_string(), OnceLock::new()));
                        bases.len() - 1
                    }
                };
                (t, i)
            })
            .collect();
        Ok(Pipelines {
            overlays,
            bases,
            per_target,
        })
    }

    pub fn for_target(&self, target: Target) -> &Pipeline {
        let (_, i) = self
            .per_target
            .iter()
            .find(|(t, _)| *t == target)
            .expect("every target has a pipeline");
        let (base, pipeline) = &self.bases[*i];
        pipeline.get_or_init(|| {
            let base = Pipeline::builtin(base).expect("a built-in (checked by `resolve`)");
            self.overlays.iter().cloned().fold(base, Pipeline::overlay)
        })
    }
}

fn names() -> Vec<&'static str> {
    BUILTINS.iter().map(|(n, _)| *n).collect()
}

#[derive(serde::Serialize)]
struct Listed {
    name: String,
    description: String,
    default_for: Vec<&'static str>,
    tables: Vec<ListedTable>,
}

#[derive(serde::Serialize)]
struct ListedTable {
    table: String,
    fields: usize,
    from: String,
}

/// `kqlport list pipelines`: each built-in, the targets it is the default for, and (text:
/// one line each; json: all) the tables it maps with their field counts and origin.
pub fn list(format: Format, out: &mut impl Write) -> std::io::Result<u8> {
    let listed: Vec<Listed> = names()
        .into_iter()
        .filter_map(Pipeline::builtin)
        .map(|p| Listed {
            default_for: [Target::Spl, Target::Esql, Target::Eql, Target::Sigma]
                .into_iter()
                .filter(|t| default_for(*t) == p.name)
                .map(Target::name)
                .collect(),
            tables: p
                .tables
                .iter()
                .map(|(t, m)| ListedTable {
                    table: t.clone(),
                    fields: m.fields.len(),
                    from: m.origin.split_whitespace().collect::<Vec<_>>().join(" "),
                })
                .collect(),
            name: p.name,
            description: p.description,
        })
        .collect();
    match format {
        Format::Json => crate::json::write_pretty(out, &listed)?,
        Format::Text => {
            for p in &listed {
                let default = match p.default_for.is_empty() {
                    true => String::new(),
                    false => format!(" (default for {})", p.default_for.join(", ")),
                };
                writeln!(out, "{:<6} {}{default}", p.name, p.description)?;
                if !p.tables.is_empty() {
                    let fields: usize = p.tables.iter().map(|t| t.fields).sum();
                    let tables: Vec<&str> = p.tables.iter().map(|t| t.table.as_str()).collect();
                    writeln!(
                        out,
                        "       {} tables, {fields} fields: {}",
                        p.tables.len(),
                        tables.join(", ")
                    )?;
                }
            }
        }
    }
    Ok(EXIT_OK)
}
