//! A union source → `FROM a, b`: one ES|QL query reads several indices, and every row then
//! runs the same commands. So a union translates here only when every leg runs the same
//! row-by-row stages and those lower to the same commands for each leg's table (a column
//! stored differently in two tables would need different commands); `withsource=C` is
//! `EVAL C = _index` with `METADATA _index`. Legs that differ, or run the same operator that
//! is not row by row (each leg's `summarize` groups its own rows), go to `union_legs` (one
//! `FROM`, a test per leg) or `union_fork` (a FORK branch per leg).

use crate::ast;
use crate::cx::Cx;
use kqlport::backend::Effect;
use kqlport::codes::BackendCode;
use kqlport::ir::{self, Assignment, Expr, ExprKind, FieldPath, Source, Stage, StageKind};

pub(crate) fn lower_union(cx: &mut Cx, query: &ir::Query, u: &ir::Union) -> ast::Query {
    let empty = ast::Query {
        index: String::new(),
        metadata_id: false,
        metadata_index: false,
        commands: Vec::new(),
    };
    // Legs that differ: one `FROM` with a test per leg, when their operators fold. Legs that
    // run the same operator that is not row by row (summarize, take…) run it each on its own
    // rows, which one pipeline over `FROM a, b` would run over all of them.
    let shared = u
        .shared_stages()
        .filter(|stages| u.legs.len() < 2 || stages.iter().all(|s| s.kind.merges_across_legs()));
    let Some(shared) = shared else {
        return crate::union_legs::lower(cx, query, u).unwrap_or(empty);
    };
    let tables = u.tables();
    if let Some(why) = union_type(&tables, &[shared, &query.stages]) {
        decline(cx, query, &why);
        return empty;
    }
    let mut first: Option<(Cx, ast::Query)> = None;
    let mut notes = Vec::new();
    let mut indices: Vec<String> = Vec::new();
    for leg in &u.legs {
        let table = leg.table().unwrap_or_default();
        let mut stages = Vec::new();
        if let Some(c) = &u.withsource {
            stages.push(Stage {
                kind: StageKind::Extend(vec![Assignment {
                    name: c.clone(),
                    expr: Expr {
                        kind: ExprKind::Field(FieldPath::column("_index")),
                        span: c.span,
                    },
                }]),
                span: c.span,
            });
        }
        stages.extend(shared.iter().cloned());
        stages.extend(query.stages.iter().cloned());
        // The leg's own source: its table, or the index a field-mapping pipeline names.
        let one = ir::Query {
            source: Source {
                span: query.source.span,
                ..leg.source.clone()
            },
            stages,
            span: query.span,
        };
        let mut c = Cx::default();
        let mut q = crate::query::lower_query(&mut c, &one);
        let index = std::mem::take(&mut q.index);
        if !indices.contains(&index) {
            indices.push(index);
        }
        if !c.errors.is_empty() {
            cx.errors.extend(c.errors);
            return empty;
        }
        match &first {
            None => first = Some((c, q)),
            Some((_, q0)) if *q0 == q => notes.push(c.notes),
            Some(_) => {
                let why = format!(
                    "the same operators need different ES|QL for `{}` and `{table}` (their columns are stored differently)",
                    tables[0]
                );
                decline(cx, query, &why);
                return empty;
            }
        }
    }
    let Some((c, mut q)) = first else {
        return empty;
    };
    cx.adopt(c, notes);
    q.index = indices.join(", ");
    if let Some(c) = &u.withsource {
        q.metadata_index = true;
        cx.notes.push(
            c.span,
            Effect::Values,
            format!(
                "`{}` is ES|QL's `_index`, the concrete index a row was read from: the table name only when each table is an index of that name (for a data stream or an alias it is the backing index, `.ds-…`)",
                c.name
            ),
        );
    }
    q
}

fn decline(cx: &mut Cx, query: &ir::Query, why: &str) {
    cx.errors.push(
        crate::REFUSAL
            .cannot_express(
                BackendCode::B031,
                format_args!("this union: {why}"),
                query.source.span,
            )
            .with_help(
                "ES|QL translates `union` when every leg applies the same operators to its table \
             (`FROM a, b`); move the legs' differing operators after the union, or translate \
             each leg as its own rule",
            ),
    );
}

/// Why one `FROM` over `tables` cannot run `stages`: a column two of the tables type
/// differently (kqlport's schema) that the stages name.
pub(crate) fn union_type(tables: &[&str], stages: &[&[Stage]]) -> Option<String> {
    let (name, a, b) = named_union_type(tables, stages)?;
    Some(format!(
        "`{name}` is typed differently in `{a}` and `{b}`, and ES|QL refuses to read a field \
         mapped with several types in the indices of one `FROM` (a \"union type\") unless a \
         conversion function resolves it"
    ))
}

/// A column that two of `tables` type differently (kqlport's schema) and that the stages name:
/// (column, one table, another table).
fn named_union_type<'t>(
    tables: &[&'t str],
    stage_lists: &[&[Stage]],
) -> Option<(String, &'t str, &'t str)> {
    let named = stage_lists
        .iter()
        .flat_map(|stages| kqlport::ir::visit::stages_columns(stages));
    for name in named {
        let mut typed: Option<(&str, kqlport::schema::ColumnType)> = None;
        for t in tables {
            let Some(ty) = kqlport::schema::column_type(t, name) else {
                continue;
            };
            match typed {
                None => typed = Some((t, ty)),
                Some((other, oty)) if oty != ty => return Some((name.to_string(), other, t)),
                Some(_) => {}
            }
        }
    }
    None
}
