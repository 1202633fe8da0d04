//! Column reads: a plain field, a dynamic member as Splunk's extracted field (`X.a.b`), or a
//! path read with `json_extract` from the event (`_raw`) or a computed field; the
//! `json_extract` path builders.

use super::Tx;
use crate::ast::{name_expressible, Eval};
use kqlport::codes::SplCode;
use kqlport::ir::{FieldPath, PathSegment};
use kqlport::source::Span;

impl Tx {
    pub(super) fn field(&mut self, fp: &FieldPath, span: Span) -> Option<Eval> {
        let column = self.name(&fp.column, span)?;
        let origin = match self.origin_of(&fp.column).as_ref() {
            Some(o) => o.clone(),
            None => Some(fp.column.clone()),
        };
        if fp.is_plain() && !self.array_ok {
            self.not_split(&fp.column, span)?;
        }
        if !fp.is_plain() && self.is_matches_col(&fp.column) {
            // Not a split array's `mvindex`: where KQL's array is null the field is missing.
            self.not_split(&fp.column, span)?;
        }
        if self.is_url_col(&fp.column) {
            self.check_url_path(fp, span)?;
        }
        if let ([PathSegment::Index(i)], true) = (fp.path.as_slice(), self.is_split_col(&fp.column))
        {
            // An element of a `split` array (a multivalue field): counted from 0, negative
            // from the end, null out of range — as in KQL.
            return Some(Eval::call(
                "mvindex",
                vec![Eval::Field(column), Eval::Num(i.to_string())],
            ));
        }
        if !fp.is_plain() && self.is_mv_col(&fp.column) {
            return self.mv_element(fp, column, span);
        }
        if !fp.is_plain() && self.is_joined(&fp.column) {
            self.refuse(
                SplCode::B013,
                span,
                "this dynamic path reads a column from the join's right side",
                "Splunk's join passes on the right rows' extracted fields, not this column's JSON",
                "read the path inside the right side (extend it as a column there) before the join",
            );
            return None;
        }
        if fp.is_plain() {
            if let (true, Some(orig)) = (fp.parsed, origin.as_ref().filter(|o| self.raw_of(o))) {
                // `parse_json(X)` of an event column: its JSON from the event, whether X is a
                // dynamic value (an object in the event) or a string holding JSON text.
                self.name(orig, span)?;
                let key = PathSegment::Key(orig.clone());
                return Some(json_path(Eval::Field("_raw".into()), &[key]));
            }
            if !fp.parsed && self.is_member_col(&fp.column) {
                if let Some(m) = self.extracted_from.get(&fp.column) {
                    self.members_read.push(m.clone());
                }
            }
            if let Some(orig) = &origin {
                if !fp.parsed && self.is_dynamic_event_column(orig) {
                    self.members_read.push(column.clone());
                }
            }
            return Some(Eval::Field(column));
        }
        self.check_path(fp, span)?;
        if let (false, Some(orig)) = (fp.parsed, &origin) {
            if !self.is_joined(orig)
                && kqlport::ir::stored_column_type(&self.table, self.target.as_ref(), orig)
                    == Some(kqlport::schema::ColumnType::String)
            {
                // Issue 11 class 4: a string column holding JSON text (LocationDetails in
                // AADNonInteractiveUserSignInLogs) has no members in KQL (Kusto.Language: unknown
                // name) and no extracted leaf fields in Splunk.
                self.refuse(
                    SplCode::B013,
                    span,
                    &format!(
                        "`{orig}` is a string column (JSON text): KQL reads no member of a string, \
                         and Splunk extracts no field from it"
                    ),
                    "a member of a string column",
                    "parse it first: parse_json(column).member",
                );
                return None;
            }
        }
        match origin {
            // The event's own dynamic column (possibly renamed since).
            Some(orig) => {
                let auto_field = !fp.parsed
                    && fp.path.iter().all(|s| match s {
                        PathSegment::Key(k) => {
                            name_expressible(k) && !k.contains(['.', '{', '}', '[', ']', '*', ' '])
                        }
                        PathSegment::Index(_) => false,
                    });
                let orig_name = self.name(&orig, span)?;
                let raw = self.raw_of(&orig);
                // A whole value (not a leaf read as a scalar) comes from the event's JSON
                // while `_raw` is there: the flattened field exists only for a leaf.
                let leaf_only = !(self.whole_value && raw);
                if auto_field && self.flat && leaf_only {
                    // Splunk's JSON extraction flattens an object path to the field `X.a.b`.
                    let name = flat_field(&orig_name, fp);
                    self.members_read.push(name.clone());
                    return Some(Eval::Field(name));
                }
                if raw {
                    // Read the column out of the event's JSON text.
                    if auto_field && self.flat {
                        // What a later `where` on the new column tests, for the prefilter.
                        self.members_read.push(flat_field(&orig_name, fp));
                    }
                    return Some(event_json(orig, fp));
                }
                if fp.parsed {
                    // A string column holding JSON text survives `table`/`stats` as a field.
                    return Some(json_steps(Eval::Field(column), &fp.path));
                }
                self.refuse_reshaped(span)
            }
            // A value computed by this pipeline: JSON text (or a plain value) in a field.
            None => Some(field_json(column, fp)),
        }
    }

    /// Refuses an empty key (which `json_extract` paths cannot name).
    pub(super) fn check_path(&mut self, fp: &FieldPath, span: Span) -> Option<()> {
        if fp
            .path
            .iter()
            .any(|s| matches!(s, PathSegment::Key(k) if k.is_empty()))
        {
            self.refuse(
                SplCode::B013,
                span,
                "this dynamic path cannot be written in Splunk",
                "empty key",
                "json_extract needs non-empty keys; extract the value in the source data or \
                 with a field-mapping pipeline",
            );
            return None;
        }
        Some(())
    }

    /// Refuses reading an event column from `_raw` once `table`/`stats` dropped it; in the
    /// main pipeline this asks the backend for a second attempt that keeps `_raw`.
    pub(super) fn refuse_reshaped(&mut self, span: Span) -> Option<Eval> {
        self.want_raw();
        if self.raw {
            // `raw_of` said no: the column may be a whole right row's (see `right_rows`).
            self.refuse(
                SplCode::B013,
                span,
                "this dynamic path may read a column of the join's right side, whose rows \
                 Splunk's join passes on without their JSON",
                "not a column of the left table's schema, after a join that brings whole right \
                 rows",
                "read the path inside the right side (extend it as a column there) before the \
                 join",
            );
            return None;
        }
        self.refuse(
            SplCode::B013,
            span,
            "this dynamic path cannot be written in Splunk after the event was reshaped",
            "the dynamic column is read from the raw event, which project/summarize drop",
            "index into the column before project/summarize, or extend it as a column first",
        );
        None
    }
}

/// An expression that is a value read with `json_extract`/`json_extract_exact`.
pub(super) fn is_json_read(e: &Eval) -> bool {
    matches!(e, Eval::Call("json_extract" | "json_extract_exact", _))
}

/// A key `json_extract` paths can name: a plain identifier (paths split on `.`, `{`, `}`).
fn json_plain_key(k: &str) -> bool {
    let mut c = k.chars();
    matches!(c.next(), Some(x) if x.is_ascii_alphabetic() || x == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

/// `json_extract` over a whole path in as few calls as its path syntax allows: `a{0}.b`
/// (indexes count from 0); a key that is not a plain identifier is read with
/// `json_extract_exact`, which takes the key literally; an index right after an index starts a
/// new call; a negative index is `mvindex(json_array_to_mv(…), i)`. No JSON text met along the
/// way is parsed again (a dynamic value, not JSON text).
pub(super) fn json_path(root: Eval, segs: &[PathSegment]) -> Eval {
    let mut cur = root;
    let mut run = String::new();
    let mut after_index = false;
    let flush = |cur: Eval, run: &mut String| -> Eval {
        if run.is_empty() {
            cur
        } else {
            let p = std::mem::take(run);
            Eval::call("json_extract", vec![cur, Eval::Str(p)])
        }
    };
    for seg in segs {
        match seg {
            PathSegment::Key(k) if json_plain_key(k) => {
                if !run.is_empty() {
                    run.push('.');
                }
                run.push_str(k);
                after_index = false;
            }
            PathSegment::Key(k) => {
                cur = flush(cur, &mut run);
                cur = Eval::call("json_extract_exact", vec![cur, Eval::Str(k.clone())]);
                after_index = false;
            }
            PathSegment::Index(i) if *i < 0 => {
                // json_extract counts from the start only: the array's elements as a
                // multivalue, indexed from the end by mvindex (null out of range, as in KQL).
                cur = flush(cur, &mut run);
                cur = Eval::call(
                    "mvindex",
                    vec![
                        Eval::call("json_array_to_mv", vec![cur]),
                        Eval::Num(i.to_string()),
                    ],
                );
                after_index = false;
            }
            PathSegment::Index(i) => {
                if after_index {
                    cur = flush(cur, &mut run);
                }
                run.push_str(&format!("{{{i}}}"));
                after_index = true;
            }
        }
    }
    flush(cur, &mut run)
}

/// The value at `fp`'s path into the event's own column `orig`, read from `_raw`: after the
/// column, one `json_extract` per step when KQL parsed the path ([`json_steps`]), else as few
/// as the path allows ([`json_path`]).
pub(super) fn event_json(orig: String, fp: &FieldPath) -> Eval {
    let root = Eval::Field("_raw".into());
    let col = PathSegment::Key(orig);
    if fp.parsed {
        json_steps(json_path(root, std::slice::from_ref(&col)), &fp.path)
    } else {
        let mut all = vec![col];
        all.extend(fp.path.iter().cloned());
        json_path(root, &all)
    }
}

/// The value at `fp`'s path into the JSON text (or plain value) a computed field holds.
pub(super) fn field_json(column: String, fp: &FieldPath) -> Eval {
    let root = Eval::Field(column);
    if fp.parsed {
        json_steps(root, &fp.path)
    } else {
        json_path(root, &fp.path)
    }
}

/// One `json_extract` per path step, so that a string holding JSON text met along the way is
/// parsed, as KQL's `parse_json(tostring(…))` does wherever the query put it (the IR records
/// that the path was parsed, not where).
pub(super) fn json_steps(root: Eval, segs: &[PathSegment]) -> Eval {
    segs.iter()
        .fold(root, |cur, seg| json_path(cur, std::slice::from_ref(seg)))
}

/// The field Splunk's JSON extraction names for a plain key path of `column`: `column.a.b`.
fn flat_field(column: &str, fp: &FieldPath) -> String {
    let keys: Vec<&str> = fp
        .path
        .iter()
        .filter_map(|s| match s {
            PathSegment::Key(k) => Some(k.as_str()),
            PathSegment::Index(_) => None,
        })
        .collect();
    format!("{column}.{}", keys.join("."))
}
