//! What a name inside an operator's expressions stands for: Kusto's rule is that a column of
//! the rows entering the operator shadows every `let` of that name — scalar, tabular,
//! `toscalar()` or function (Kusto.Language binds `a` in `let a = T | take 1; T | where a == 1`,
//! `let a = 5; T | where a == 1` and `b in (a)` to the column when `T` has one; checked with
//! its analyzer). Only the operator's input rows count: a column that an earlier assignment of
//! the same `extend`/`project`/`summarize` makes does not shadow (`let a = 5; T | extend a = b,
//! c = a` reads the `let`). A `let`'s own body is bound where it is written, with no rows in
//! scope, so expanding it leaves the rows' columns out ([`Lowerer::with_let`]).
//!
//! Whether the rows have a column is known three ways: the query's own stages made it (an
//! `extend`, a group key, an `mv-expand`ed column — present whatever the table holds), the
//! columns are all known and it is not among them (a `project`, a `summarize`, a table whose
//! full column list the schema has), or it is not known.

use super::{Binding, Lowerer};
use crate::ir;

/// The columns of the rows entering the operator being lowered.
#[derive(Clone, Debug, Default)]
pub(crate) struct RowScope {
    /// Columns the rows certainly have (made by the query's own stages).
    present: Vec<String>,
    /// Every column the rows have, when that is known (`ir::columns_before`).
    all: Option<Vec<String>>,
}

impl RowScope {
    /// The rows entering the stage after `query`'s last.
    pub(crate) fn after(query: &ir::Query) -> Self {
        RowScope {
            present: present(query, query.stages.len()),
            all: ir::columns_before(query, query.stages.len()),
        }
    }

    /// `Some(true)` when the rows have a column `name`, `Some(false)` when they certainly do
    /// not, `None` when that is not known.
    pub(crate) fn has(&self, name: &str) -> Option<bool> {
        if self.present.iter().any(|c| c == name) {
            return Some(true);
        }
        self.all.as_ref().map(|all| all.iter().any(|c| c == name))
    }
}

/// The columns the rows certainly have before stage `upto` of `q`, whatever its table holds.
fn present(q: &ir::Query, upto: usize) -> Vec<String> {
    let mut cols: Vec<String> = match &q.source.kind {
        ir::SourceKind::Table(_) => Vec::new(),
        ir::SourceKind::Lookup(l) => l.declared_columns().unwrap_or_default(),
        ir::SourceKind::Union(u) => {
            // An outer union: each leg's columns are the union's.
            let mut out: Vec<String> = u.withsource.iter().map(|c| c.name.clone()).collect();
            for leg in &u.legs {
                union_into(&mut out, present(leg, leg.stages.len()));
            }
            out
        }
    };
    for s in &q.stages[..upto] {
        cols = match &s.kind {
            ir::StageKind::Join { kind, right, .. } => match kind.keeps_columns() {
                (true, false) => cols,
                (false, true) => present(right, right.stages.len()),
                // A right column whose name the left side has too is renamed (`X1`), but then
                // the left's keeps the name: a column of that name is there either way.
                _ => {
                    union_into(&mut cols, present(right, right.stages.len()));
                    cols
                }
            },
            // A stage whose output columns are not known (`arg_max(…, *)`) leaves none certain.
            kind => ir::columns_of_stage(Some(cols), kind, &|_| None).unwrap_or_default(),
        };
    }
    cols
}

fn union_into(out: &mut Vec<String>, more: Vec<String>) {
    for c in more {
        if !out.contains(&c) {
            out.push(c);
        }
    }
}

impl<'a> Lowerer<'a> {
    /// Whether a column of the rows entering the current operator shadows the `let` `name`.
    pub(crate) fn column_shadows(&self, name: &str) -> bool {
        self.row_scope
            .as_ref()
            .is_some_and(|s| s.has(name) == Some(true))
    }

    /// Whether the rows entering the current operator certainly have no column `name`.
    pub(crate) fn certainly_no_column(&self, name: &str) -> bool {
        self.row_scope
            .as_ref()
            .is_some_and(|s| s.has(name) == Some(false))
    }

    /// The `let` a name used as a value inside an operator stands for: none when a column of
    /// the operator's rows has that name.
    pub(crate) fn let_here(&self, name: &str) -> Option<&Binding<'a>> {
        if self.column_shadows(name) {
            return None;
        }
        self.lets.get(name)
    }
}
