//! A values note on a column that a later `where` tests is also a row difference.
//!
//! Backends label a difference in a computed value by where they meet it: inside a `where` it
//! decides rows (over- and under-match), inside `extend`/`project` only the value differs
//! ([`Effect::Values`]). But `extend d = f(x) | where d == "v"` tests that value: where it can
//! differ, so can the rows. This pass, run on every translation (on the backend's notes, and on
//! lowering's own when lowering ends), finds each such note — one whose
//! span lies in the expression of an `extend`/`project` column that a later `where` of the same
//! pipeline reads while the column still holds that expression — and makes it an over- and an
//! under-match note, naming the column and the `where`. Likewise a note inside the query of a
//! `toscalar()` value ([`StageKind::Scalar`]) whose column a later `where` reads.

use crate::backend::{Effect, Fidelity, Note};
use crate::ir::visit::{predicate_columns, stage_writes};
use crate::ir::{ExprKind, Query, StageKind};
use crate::source::Span;

/// Rewrites `fidelity`'s values notes as described in the module text.
pub fn widen_filtered_values(query: &Query, fidelity: &mut Fidelity) {
    if let Fidelity::Approximate(notes) = fidelity {
        widen_notes(query, notes);
    }
}

/// Rewrites the values notes among `notes` (a backend's, or lowering's own) as described in the
/// module text.
pub fn widen_notes(query: &Query, notes: &mut Vec<Note>) {
    if !notes.iter().any(|n| n.effect == Effect::Values) {
        return;
    }
    // (the assignment's expression span, its column, how the note names it, the `where` that
    // tests it)
    let mut tested: Vec<(Span, &str, String, Span)> = Vec::new();
    for (i, stage) in query.stages.iter().enumerate() {
        // Another query's value (`toscalar()`): a values note anywhere in that query is one
        // on the column it fills.
        let assigned: Vec<(Span, &str, String)> = match &stage.kind {
            StageKind::Extend(assignments)
            | StageKind::Project(assignments)
            | StageKind::Neighbours {
                items: assignments, ..
            } => assignments
                .iter()
                .map(|a| {
                    let name = a.name.name.as_str();
                    (a.expr.span, name, format!("`{name}`"))
                })
                .collect(),
            StageKind::Scalar(sq) => vec![(
                sq.query.span,
                sq.name.name.as_str(),
                "this `toscalar()` value".to_string(),
            )],
            _ => continue,
        };
        for (expr_span, column, what) in assigned {
            for later in &query.stages[i + 1..] {
                if let StageKind::Filter(p) = &later.kind {
                    if predicate_columns(p).contains(&column) {
                        tested.push((expr_span, column, what.clone(), later.span));
                        break;
                    }
                }
                if stage_writes(later).contains(&column) && !keeps(&later.kind, column) {
                    break;
                }
            }
        }
    }
    if tested.is_empty() {
        return;
    }
    let mut out = Vec::with_capacity(notes.len());
    for note in notes.drain(..) {
        let within = |s: &Span| s.start <= note.span.start && note.span.end <= s.end;
        match tested
            .iter()
            .find(|(s, ..)| note.effect == Effect::Values && within(s))
        {
            Some((_, _, what, _)) => {
                let message = format!(
                    "{} (the rows may differ too: a later `where` tests {what})",
                    note.message
                );
                for effect in [Effect::OverMatch, Effect::UnderMatch] {
                    out.push(Note {
                        span: note.span,
                        effect,
                        message: message.clone(),
                    });
                }
            }
            None => out.push(note),
        }
    }
    *notes = out;
}

/// Whether a `project` keeps `column` as it is (`project c`), so it still holds its value.
fn keeps(kind: &StageKind, column: &str) -> bool {
    let StageKind::Project(assignments) = kind else {
        return false;
    };
    assignments.iter().any(|a| {
        a.name.name == column
            && matches!(&a.expr.kind, ExprKind::Field(f) if f.is_plain() && f.column == column)
    })
}
