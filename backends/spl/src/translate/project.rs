//! The stages that choose and name columns: `extend` (one `eval`), `project` (computed columns
//! evaluated simultaneously, through helper names when one would clobber a column another still
//! reads, then `table`), `project-keep`, `project-reorder` and `project-rename`.

use super::columns::{expr_refs, passes_member_on};
use super::fields::{is_json_read, json_path};
use super::{col, Tx, TMP};
use crate::ast::{Command, Eval};
use kqlport::backend::Effect;
use kqlport::codes::SplCode;
use kqlport::ir::{Assignment, Column, ColumnPattern, ExprKind, PathSegment};

impl Tx {
    /// `extend`: one `eval`, each assignment seeing the ones before it; records what each new
    /// column holds.
    pub(super) fn extend_stage(&mut self, assigns: &[Assignment], cmds: &mut Vec<Command>) {
        let mut v = Vec::new();
        for a in assigns {
            self.array_ok = self.is_split(&a.expr);
            self.whole_value = is_member_path(&a.expr);
            let seen = self.members_read.len();
            let value = self.expr(&a.expr);
            let members = self.members_read.split_off(seen);
            self.array_ok = false;
            self.whole_value = false;
            match members.into_iter().next() {
                Some(m) if passes_member_on(&a.expr) => {
                    self.extracted_from.insert(a.name.name.clone(), m)
                }
                _ => self.extracted_from.remove(&a.name.name),
            };
            if let (Some(n), Some(e)) = (self.name(&a.name.name, a.name.span), value) {
                if !self.pre.is_empty() {
                    // Helpers read the row as left by the assignments before this one.
                    if !v.is_empty() {
                        cmds.push(Command::Eval(std::mem::take(&mut v)));
                    }
                    let start = cmds.len();
                    self.flush_pre(cmds, start);
                }
                self.json_valued.retain(|x| *x != n);
                if is_json_read(&e) {
                    self.json_valued.push(n.clone());
                }
                v.push((n, e));
            }
            // Later assignments (and stages) see the computed value.
            self.cols.assign(&a.name.name, &a.expr);
        }
        cmds.push(Command::Eval(v));
    }

    /// `project` ([`Tx::project`]), then what the kept and computed columns hold.
    pub(super) fn project_stage(&mut self, assigns: &[Assignment], cmds: &mut Vec<Command>) {
        self.project(assigns, cmds);
        // A column kept as it is keeps its spelling; a computed one is new.
        self.extracted_from.retain(|c, _| {
            assigns.iter().any(|a| {
                a.name.name == *c
                    && matches!(&a.expr.kind, ExprKind::Field(f) if f.is_plain() && f.column == *c)
            })
        });
        self.reshaped(self.keeps_raw());
        self.flat = false;
    }

    /// `project-keep` ⇒ `fields +` (and `_raw` when it is kept for later reads).
    pub(super) fn project_keep(&mut self, pats: &[ColumnPattern], cmds: &mut Vec<Command>) {
        let mut v: Vec<String> = pats.iter().filter_map(|p| self.pattern(p)).collect();
        let keep = self.keeps_raw();
        if keep {
            v.push("_raw".to_string());
        }
        cmds.push(Command::FieldsKeep(v));
        self.reshaped(keep);
        self.flat = false;
    }

    /// `project-rename` ([`Tx::rename`]): each new name takes over what its old column held.
    pub(super) fn rename_stage(&mut self, pairs: &[(Column, Column)], cmds: &mut Vec<Command>) {
        self.rename(pairs, cmds);
    }

    /// `project-reorder` ⇒ `table <columns> *`.
    pub(super) fn reorder(&mut self, pats: &[ColumnPattern], cmds: &mut Vec<Command>) {
        let mut v: Vec<String> = pats.iter().filter_map(|p| self.pattern(p)).collect();
        v.push("*".to_string());
        // `*` does not match internal fields such as `_raw`.
        let keep = self.keeps_raw();
        if keep {
            v.push("_raw".to_string());
        }
        cmds.push(Command::Table(v));
        self.reshaped(keep);
    }

    /// `project`: columns are computed from the input row simultaneously, so computed columns
    /// go through helper names when one would clobber a column another still reads.
    pub(super) fn project(&mut self, assigns: &[Assignment], cmds: &mut Vec<Command>) {
        let mut computed = Vec::new();
        let mut names = Vec::new();
        for a in assigns {
            let Some(n) = self.name(&a.name.name, a.name.span) else {
                continue;
            };
            if let Some(orig) = self.dynamic_event_column(&a.expr) {
                // Splunk's JSON extraction names only an object's leaves (`X.a`, `X{}.b`): the
                // column itself is no field, so it is read from the event as JSON text.
                if !self.raw {
                    self.refuse_reshaped(a.expr.span);
                    continue;
                }
                self.notes.push(
                    a.expr.span,
                    Effect::Values,
                    "a dynamic column is shown as its JSON text (json_extract), whose spacing and \
                     key order can differ from KQL's",
                );
                let value = json_path(Eval::Field("_raw".into()), &[PathSegment::Key(orig)]);
                computed.push((n.clone(), value, Vec::new()));
                names.push(n);
                continue;
            }
            let plain =
                matches!(&a.expr.kind, ExprKind::Field(f) if f.is_plain() && col(&f.column) == n);
            if !plain {
                self.array_ok = self.is_split(&a.expr);
                self.whole_value = is_member_path(&a.expr);
                let value = self.expr(&a.expr);
                self.array_ok = false;
                self.whole_value = false;
                if let Some(e) = value {
                    let mut refs = Vec::new();
                    expr_refs(&a.expr, &mut refs);
                    computed.push((n.clone(), e, refs));
                }
            }
            names.push(n);
        }
        if self.keeps_raw() {
            names.push("_raw".to_string());
        }
        let clobbers = computed.iter().enumerate().any(|(i, (n, _, _))| {
            computed
                .iter()
                .enumerate()
                .any(|(j, (_, _, refs))| j > i && refs.contains(n))
        });
        if clobbers {
            let mut renames = Vec::new();
            let mut evals = Vec::new();
            for (i, (n, e, _)) in computed.into_iter().enumerate() {
                let tmp = format!("{TMP}p{}", i + 1);
                evals.push((tmp.clone(), e));
                renames.push((tmp, n));
            }
            cmds.push(Command::Eval(evals));
            cmds.push(Command::Rename(renames));
        } else if !computed.is_empty() {
            cmds.push(Command::Eval(
                computed.into_iter().map(|(n, e, _)| (n, e)).collect(),
            ));
        }
        cmds.push(Command::Table(names));
    }

    pub(super) fn rename(&mut self, pairs: &[(Column, Column)], cmds: &mut Vec<Command>) {
        let mut v = Vec::new();
        for (new, old) in pairs {
            if pairs
                .iter()
                .any(|(_, o)| o.name == new.name && o.name != old.name)
            {
                self.refuse(
                    SplCode::B018,
                    new.span,
                    "renames that swap or chain column names are not expressible in one SPL rename",
                    "this new name is also renamed away in the same project-rename",
                    "split the project-rename into two steps through a temporary name",
                );
                continue;
            }
            if let (Some(o), Some(n)) = (
                self.name(&old.name, old.span),
                self.name(&new.name, new.span),
            ) {
                v.push((o, n));
            }
        }
        cmds.push(Command::Rename(v));
    }
}

/// A bare member path of a column (`X.a.b`, not parsed): a dynamic value that may be an object
/// or an array, not only a leaf.
fn is_member_path(e: &kqlport::ir::Expr) -> bool {
    matches!(&e.kind, ExprKind::Field(f) if !f.is_plain() && !f.parsed)
}
