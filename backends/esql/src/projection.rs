//! The column stages: `EVAL`, `KEEP`, `DROP` and `RENAME`.
//!
//! `extend` (`EVAL`), `project` (`EVAL` + `KEEP`), `project-away` (`DROP`), `project-keep`
//! (`KEEP`), `project-rename` (`RENAME`) and `project-reorder` (`KEEP cols, *`).

use crate::ast::{Command, Pattern};
use crate::columns::{column_matches, columns_read, is_plain_column};
use crate::cx::Cx;
use kqlport::codes::EsqlCode;
use kqlport::ir::{self, ExprKind};

fn pattern(cx: &mut Cx, p: &ir::ColumnPattern) -> Pattern {
    if p.is_wildcard() {
        let ok = p
            .pattern
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '@' | '*'));
        if !ok {
            cx.decline(
                EsqlCode::B008,
                "a column wildcard with characters ES|QL cannot spell in a pattern",
                p.span,
            );
        }
        Pattern::Wildcard(p.pattern.clone())
    } else {
        Pattern::Name(p.pattern.clone())
    }
}

/// `extend` ⇒ `EVAL`; a column assigned a dynamic path is spelled through it (no `EVAL` for a
/// whole parsed value).
pub(crate) fn extend(cx: &mut Cx, assigns: &[ir::Assignment], out: &mut Vec<Command>) {
    let mut items = Vec::new();
    for a in assigns {
        let spelling = match &a.expr.kind {
            ExprKind::Field(fp) => cx.spelling_for(fp),
            _ => None,
        };
        let virtual_only = spelling.as_ref().is_some_and(|al| al.virtual_only);
        if !virtual_only {
            items.push((a.name.name.clone(), cx.expr(&a.expr)));
        }
        cx.source_gone(&a.name.name);
        match spelling {
            Some(al) => cx.spellings.insert(a.name.name.clone(), al),
            None => cx.spellings.remove(&a.name.name),
        };
        // Later assignments see what it holds (its column facts).
        cx.cols.assign(&a.name.name, &a.expr);
    }
    if !items.is_empty() {
        out.push(Command::Eval(items));
    }
}

/// `project` ⇒ `EVAL` of the computed columns, then `KEEP` in KQL's order.
pub(crate) fn project(cx: &mut Cx, assigns: &[ir::Assignment], out: &mut Vec<Command>) {
    // KQL evaluates every assignment against the input; EVAL goes left to right, so a
    // computed column must not be read by a later assignment.
    let mut evals = Vec::new();
    let mut assigned: Vec<&str> = Vec::new();
    for a in assigns {
        let mut reads = Vec::new();
        columns_read(&a.expr, &mut reads);
        if let Some(r) = reads.iter().find(|r| assigned.contains(&r.as_str())) {
            cx.decline(
                EsqlCode::B009,
                format!("this assignment reads `{r}`, which an earlier assignment of the same project overwrites"),
                a.name.span.to(a.expr.span),
            );
        }
        if let ExprKind::Field(fp) = &a.expr.kind {
            if cx.spelling_for(fp).is_some_and(|al| al.virtual_only) {
                cx.check_real_column(&fp.column, a.expr.span);
                if fp.column != a.name.name || !fp.path.is_empty() {
                    cx.decline(
                        EsqlCode::B003,
                        "a whole parsed JSON value as a column; ES|QL has no object values, only the leaf fields under it",
                        a.expr.span,
                    );
                }
                continue;
            }
        }
        if !is_plain_column(&a.expr, &a.name.name) {
            evals.push((a.name.name.clone(), cx.expr(&a.expr)));
            assigned.push(&a.name.name);
        }
    }
    // Only the projected columns remain; paths into spellings can no longer be read.
    cx.spellings
        .retain(|n, _| assigns.iter().any(|a| &a.name.name == n));
    cx.all_sources_gone();
    cx.id_gone = true;
    if !evals.is_empty() {
        out.push(Command::Eval(evals));
    }
    let keep = assigns
        .iter()
        .map(|a| {
            if is_plain_column(&a.expr, &a.name.name) {
                cx.column_pattern(&a.name.name, a.expr.span, true)
            } else {
                Pattern::Name(a.name.name.clone())
            }
        })
        .collect();
    out.push(Command::Keep(keep));
}

/// `project-away` ⇒ `DROP` (a whole parsed value was never a column: nothing to drop).
pub(crate) fn project_away(cx: &mut Cx, ps: &[ir::ColumnPattern], out: &mut Vec<Command>) {
    let mut kept = Vec::new();
    for p in ps {
        // A whole parsed value was never a column: nothing to drop.
        let virtual_only =
            !p.is_wildcard() && cx.spellings.get(&p.pattern).is_some_and(|a| a.virtual_only);
        let names: Vec<String> = cx.spellings.keys().cloned().collect();
        for n in names {
            if column_matches(&p.pattern, &n) {
                cx.spellings.remove(&n);
            }
        }
        let sources: Vec<String> = cx
            .spellings
            .values()
            .map(|a| a.target.column.clone())
            .collect();
        for c in sources {
            if column_matches(&p.pattern, &c) {
                cx.source_gone(&c);
            }
        }
        if !virtual_only {
            if p.is_wildcard() {
                kept.push(pattern(cx, p));
            } else {
                kept.push(cx.column_pattern(&p.pattern, p.span, false));
            }
        }
        if column_matches(&p.pattern, "_id") {
            cx.id_gone = true;
        }
    }
    if !kept.is_empty() {
        out.push(Command::Drop(kept));
    }
}

/// `project-keep` ⇒ `KEEP`.
pub(crate) fn project_keep(cx: &mut Cx, ps: &[ir::ColumnPattern], out: &mut Vec<Command>) {
    for p in ps {
        if !p.is_wildcard() {
            cx.check_real_column(&p.pattern, p.span);
        }
    }
    let ps = ps
        .iter()
        .map(|p| {
            if p.is_wildcard() {
                pattern(cx, p)
            } else {
                cx.column_pattern(&p.pattern, p.span, true)
            }
        })
        .collect();
    cx.all_sources_gone();
    cx.id_gone = true;
    out.push(Command::Keep(ps));
}

/// `project-rename` ⇒ `RENAME old AS new`, carrying each column's facts to its new name.
pub(crate) fn rename(cx: &mut Cx, pairs: &[(ir::Column, ir::Column)], out: &mut Vec<Command>) {
    let mut renamed: Vec<&str> = Vec::new();
    for (new, old) in pairs {
        cx.check_real_column(&old.name, old.span);
        if old.name == "_id" || new.name == "_id" {
            cx.id_gone = true;
        }
        cx.source_gone(&old.name);
        cx.source_gone(&new.name);
        if let Some(a) = cx.spellings.remove(&old.name) {
            cx.spellings.insert(new.name.clone(), a);
        } else {
            cx.spellings.remove(&new.name);
        }
        if renamed.contains(&old.name.as_str()) {
            cx.decline(
                EsqlCode::B009,
                format!(
                    "`{}` is both renamed and the target of a rename in one project-rename",
                    old.name
                ),
                new.span.to(old.span),
            );
        }
        renamed.push(&new.name);
    }
    out.push(Command::Rename(
        pairs
            .iter()
            .map(|(new, old)| (old.name.clone(), new.name.clone()))
            .collect(),
    ));
}

/// `project-reorder` ⇒ `KEEP cols, *`.
pub(crate) fn reorder(cx: &mut Cx, ps: &[ir::ColumnPattern], out: &mut Vec<Command>) {
    for p in ps {
        if !p.is_wildcard() {
            cx.check_real_column(&p.pattern, p.span);
        }
    }
    let mut ps: Vec<Pattern> = ps
        .iter()
        .map(|p| {
            if p.is_wildcard() {
                pattern(cx, p)
            } else {
                // reordering keeps every column: no values note
                cx.column_pattern(&p.pattern, p.span, false)
            }
        })
        .collect();
    ps.push(Pattern::Wildcard("*".into()));
    cx.id_gone = true;
    out.push(Command::Keep(ps));
}
