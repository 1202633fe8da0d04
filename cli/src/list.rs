//! `kqlport list`: what kqlport offers, short and scriptable — one `NAME<TAB>DESCRIPTION` line
//! per item, or one JSON array.

use crate::convert::Target;
use crate::rulefile::RuleFormat;
use crate::{Format, EXIT_OK};
use serde::Serialize;
use std::io::Write;

/// What `kqlport list` lists. Each kind is one variant and one arm in [`run`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    /// Translation targets (`convert --to`).
    Targets,
    /// What `convert --format` writes.
    Formats,
    /// The built-in field-mapping pipelines, the targets each is the default for, and the
    /// tables each maps.
    Pipelines,
}

/// One listed item: its name and description, and what else a script may want to know.
#[derive(Serialize)]
struct Item {
    name: &'static str,
    description: &'static str,
    #[serde(flatten)]
    extra: serde_json::Value,
}

pub fn run(what: What, format: Format, out: &mut impl Write) -> std::io::Result<u8> {
    let items: Vec<Item> = match what {
        What::Targets => Target::ALL
            .iter()
            .map(|&t| Item {
                name: t.name(),
                description: t.description(),
                extra: serde_json::json!({
                    "extension": t.extension(),
                    "formats": RuleFormat::ALL
                        .iter()
                        .filter(|f| f.targets().contains(&t))
                        .map(|f| f.name())
                        .collect::<Vec<_>>(),
                }),
            })
            .collect(),
        What::Formats => RuleFormat::ALL
            .iter()
            .map(|&f| Item {
                name: f.name(),
                description: f.description(),
                extra: serde_json::json!({
                    "targets": f.targets().iter().map(|t| t.name()).collect::<Vec<_>>(),
                    "extensions": f.targets().iter().map(|&t| f.extension(t)).collect::<Vec<_>>(),
                }),
            })
            .collect(),
        What::Pipelines => return crate::pipelines::list(format, out),
    };
    match format {
        Format::Text => {
            for i in &items {
                writeln!(out, "{}\t{}", i.name, i.description)?;
            }
        }
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &items).map_err(std::io::Error::other)?;
            writeln!(out)?;
        }
    }
    Ok(EXIT_OK)
}
