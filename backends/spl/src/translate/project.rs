//! The stages that choose and name columns: `extend` (one `eval`), `project` (computed columns
//! evaluated simultaneously, through helper names when one would clobber a column another still
//! reads, then `table`), `project-keep`, `project-reorder` and `project-rename`.

use super::arrays::is_array_function;
use super::columns::{expr_refs, passes_member_on};
use super::fields::{is_json_read, json_path};
use super::{col, Tx, TMP};
use crate::ast::{Command, Eval};
use kqlport::backend::Effect;
use kqlport::codes::SplCode;
use kqlport::ir::{Assignment, Column, ColumnPattern, ExprKind, Literal, PathSegment, ScalarFn};

impl Tx {
    /// `extend`: one `eval`, each assignment seeing the ones before it; records what each new
    /// column holds.
    pub(super) fn extend_stage(&mut self, assigns: &[Assignment], cmds: &mut Vec<Command>) {
        let mut v = Vec::new();
        let mut own_commands = false;
        for a in assigns {
            if let ExprKind::Call {
                func: ScalarFn::ExtractAll,
                args,
            } = &a.expr.kind
            {
                // Commands of its own, after the assignments before it.
                if !v.is_empty() {
                    cmds.push(Command::Eval(std::mem::take(&mut v)));
                }
                self.extract_all_column(&a.name, args, a.expr.span, cmds);
                own_commands = true;
                self.json_valued.retain(|x| *x != a.name.name);
                self.extracted_from.remove(&a.name.name);
                self.cols.assign(&a.name.name, &a.expr);
                continue;
            }
            self.array_ok = self.is_split(&a.expr) || is_array_function(&a.expr);
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
        if !(v.is_empty() && own_commands) {
            cmds.push(Command::Eval(v));
        }
    }

    /// `name = extract_all(re, dynamic([g]), x)` ⇒ `x` (`""` for null, as KQL reads a missing
    /// string) in a helper field, `rex max_match=0` with group `g` alone named as a second
    /// helper (a multivalue field of every match's group, left to right; no field when nothing
    /// matches: KQL's null), copied to `name`. Only a group that takes part in every match
    /// with at least one character is translated (see `kqlport_kit::regex::pcre`).
    fn extract_all_column(
        &mut self,
        name: &Column,
        args: &[kqlport::ir::Expr],
        span: kqlport::source::Span,
        cmds: &mut Vec<Command>,
    ) {
        let [re, g, x] = args else {
            self.unsupported_fn(ScalarFn::ExtractAll, span);
            return;
        };
        let (ExprKind::Literal(Literal::String(pattern)), ExprKind::Literal(Literal::Long(g))) =
            (&re.kind, &g.kind)
        else {
            self.unsupported_fn(ScalarFn::ExtractAll, span);
            return;
        };
        let id = self.next_helper();
        // The group's name as `parse` names its rex groups (no leading underscore).
        let (src, out) = (
            format!("{id}s"),
            format!("{}{}", super::parse::REX_TMP, id.trim_start_matches(TMP)),
        );
        let group = usize::try_from(*g).unwrap_or(0);
        let pcre = match kqlport_kit::regex::pcre::only_group_named(pattern, group, &out) {
            Ok(p) => super::parse::control_escaped(&p),
            Err(e) => {
                self.refuse(
                    SplCode::B019,
                    re.span,
                    &format!("this extract_all pattern cannot be written for Splunk's rex: {e}"),
                    "pattern",
                    "extract a capture group that always matches at least one character",
                );
                return;
            }
        };
        let Some(n) = self.name(&name.name, name.span) else {
            return;
        };
        let Some(value) = self.expr(x) else {
            return;
        };
        // Helpers the text's value reads come first.
        let start = cmds.len();
        self.flush_pre(cmds, start);
        cmds.push(Command::Eval(vec![(
            src.clone(),
            Eval::call("coalesce", vec![value, Eval::str("")]),
        )]));
        cmds.push(Command::Rex {
            field: src.clone(),
            regex: pcre,
            max_match: Some(0),
        });
        cmds.push(Command::Eval(vec![(n, Eval::Field(out.clone()))]));
        self.cleanup.extend([src, out]);
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
                if !self.raw_of(&orig) {
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
                self.array_ok = self.is_split(&a.expr) || is_array_function(&a.expr);
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
