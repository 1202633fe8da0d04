//! A named lookup as a source ([`SourceKind::Lookup`]: `_GetWatchlist('name')`,
//! `externaldata(…)[urls]`): ES|QL reads it from an Elasticsearch index the user creates under
//! the lookup's name (lower-cased: index names are), as the SPL backend reads it with
//! `| inputlookup name`: the query's own source, or that of a materialisation query (a list,
//! a join's right side: `join.rs`). A note names the index, its columns and where its rows
//! come from.
//!
//! [`SourceKind::Lookup`]: kqlport::ir::SourceKind::Lookup

use crate::cx::Cx;
use kqlport::backend::Effect;
use kqlport::codes::BackendCode;
use kqlport::ir::{Lookup, LookupOrigin};
use kqlport::schema::ColumnType;
use kqlport::source::Span;

/// The index holding `l`'s rows, with its note; `None` after a refusal (a name no index can
/// have, a `dynamic` column no index field holds as KQL does).
pub(crate) fn index(cx: &mut Cx, l: &Lookup, span: Span) -> Option<String> {
    let index = l.name.to_ascii_lowercase();
    let valid = !index.is_empty()
        && index != "."
        && index != ".."
        && !index.starts_with(['-', '_', '+', '.'])
        && index
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.'));
    if !valid {
        cx.errors.push(
            crate::REFUSAL
                .cannot_express(
                    BackendCode::B032,
                    format_args!(
                        "the lookup `{}` as an Elasticsearch index: its name is not a valid index name",
                        l.name
                    ),
                    span,
                )
                .with_help(
                    "an index name is lower-case letters, digits, `_`, `-` and `.`, not starting with `-`, `_`, `+` or `.`; rename the watchlist",
                ),
        );
        return None;
    }
    if let Some(c) = l.columns.iter().find(|c| field_type(c.ty).is_none()) {
        cx.errors.push(
            crate::REFUSAL
                .cannot_express(
                    BackendCode::B032,
                    format_args!(
                        "the externaldata column `{}` declared `{}`: no index field type holds its values as KQL reads them",
                        c.name,
                        c.ty.kql_name()
                    ),
                    span,
                )
                .with_help("declare the column `string` if the query only compares its text"),
        );
        return None;
    }
    match &l.origin {
        LookupOrigin::Watchlist => cx.notes.push(
            span,
            Effect::Values,
            format!(
                "the watchlist `{}` is read from the Elasticsearch index `{index}`: create it and fill it with the watchlist's rows, under the same column names (text columns as `keyword`)",
                l.name
            ),
        ),
        LookupOrigin::ExternalData {
            urls,
            format,
            ignore_first_record,
        } => {
            let fields: Vec<String> = l
                .columns
                .iter()
                .map(|c| format!("`{}` ({})", c.name, field_type(c.ty).unwrap_or("keyword")))
                .collect();
            let what = format!(
                "the externaldata is read from the Elasticsearch index `{index}`: create it with the fields {} and fill it from {} (format {format}{})",
                fields.join(", "),
                urls.join(", "),
                if *ignore_first_record {
                    ", its first record skipped"
                } else {
                    ""
                },
            );
            cx.notes.push(span, Effect::Values, what);
            kqlport_kit::notes::stale_externaldata(&mut cx.notes, span, "index");
        }
    }
    Some(index)
}

/// The Elasticsearch field type holding a declared externaldata column's values as KQL reads
/// them; `None` for a type none holds (a JSON value, a timespan, a 128-bit decimal).
fn field_type(ty: ColumnType) -> Option<&'static str> {
    Some(match ty {
        ColumnType::Bool => "boolean",
        ColumnType::DateTime => "date",
        ColumnType::Int => "integer",
        ColumnType::Long => "long",
        ColumnType::Real => "double",
        ColumnType::String | ColumnType::Guid => "keyword",
        ColumnType::Dynamic | ColumnType::TimeSpan | ColumnType::Decimal => return None,
    })
}
