//! What the pipeline has made of each column so far, and which columns an expression reads.
//!
//! Whether a column holds a `split()` result, a `parse_url()` text or a dynamic member as it
//! is comes from the core's column facts (`ir::facts`, in `Cx::cols`, set per stage by
//! `query.rs`; STATS keeps none of these shapes). What is ES|QL's own is kept here: how a
//! column standing for a dynamic path is spelled in ES|QL (an [`Spelling`], target state).

use crate::cx::{Cx, Spelling};
use kqlport::codes::EsqlCode;
use kqlport::ir::facts::Shape;
use kqlport::ir::{self, ExprKind, PathSegment};
use kqlport::source::Span;

impl Cx {
    /// The multivalued field a dynamic path `X.a.b` (no index) reads; not JSON text read with
    /// JSON_EXTRACT, which is one keyword value, never a multivalue.
    fn member_path(&self, fp: &ir::FieldPath) -> Option<String> {
        if self.json_text_path(fp) || fp.path.is_empty() {
            return None;
        }
        let mut name = fp.column.clone();
        for seg in &fp.path {
            match seg {
                PathSegment::Key(k) => {
                    name.push('.');
                    name.push_str(k);
                }
                PathSegment::Index(_) => return None,
            }
        }
        Some(name)
    }

    /// The dynamic member column `name` holds as it is, from the column facts
    /// ([`Shape::Member`]: `extend c = tostring(X.a)` holds `X.a`, `extend c = X` of a
    /// `dynamic` column `X`): it holds the same multivalued field, so a test on it is noted
    /// like one on the member. Not a join's right-side column: that is read from the lookup
    /// index.
    pub fn member_column(&self, name: &str) -> Option<String> {
        let f = self.cols.fact(name);
        if f.origin.is_joined() {
            return None;
        }
        match f.shape {
            // A copy of a `dynamic` event field.
            Shape::Member(fp) if fp.is_plain() && !fp.parsed => Some(fp.column),
            Shape::Member(fp) => self.member_path(&fp),
            _ => None,
        }
    }

    /// The column a dynamic path resolves to through [`Cx::spellings`], or `None` (declined) when
    /// the source field it is spelled through is no longer readable.
    pub fn resolve(&mut self, fp: &ir::FieldPath, span: Span) -> Option<ir::FieldPath> {
        let Some(spelling) = self.spellings.get(&fp.column) else {
            return Some(fp.clone());
        };
        if fp.path.is_empty() && !spelling.virtual_only {
            return Some(fp.clone());
        }
        if fp.path.is_empty() {
            self.decline_help(
                EsqlCode::B003,
                format!("`{}` is a whole parsed JSON value; ES|QL has no object values, only the leaf fields under it", fp.column),
                span,
                "read the properties you need (`x.a`) instead of the whole object",
            );
            return None;
        }
        if !spelling.live {
            self.decline(
                EsqlCode::B003,
                format!("`{}` stands for a dynamic value whose source field is no longer in the ES|QL pipeline at this point", fp.column),
                span,
            );
            return None;
        }
        let mut target = spelling.target.clone();
        target.path.extend(fp.path.iter().cloned());
        target.parsed |= fp.parsed;
        Some(target)
    }

    /// How ES|QL spells a column assigned `fp`: a path into the same source (`None` when `fp`
    /// is not a dynamic path, or the source it is spelled through is gone).
    pub fn spelling_for(&self, fp: &ir::FieldPath) -> Option<Spelling> {
        match self.spellings.get(&fp.column) {
            Some(a) if fp.path.is_empty() => Some(a.clone()),
            Some(a) if a.live => {
                let mut target = a.target.clone();
                target.path.extend(fp.path.iter().cloned());
                target.parsed |= fp.parsed;
                Some(Spelling {
                    target,
                    virtual_only: false,
                    live: true,
                })
            }
            Some(_) => None,
            None if fp.path.is_empty() && !fp.parsed => None,
            None => Some(Spelling {
                target: fp.clone(),
                virtual_only: fp.parsed && fp.path.is_empty(),
                live: true,
            }),
        }
    }

    /// Declines a bare reference to a column that exists only as a spelling of a whole parsed
    /// JSON value (KEEP, BY, RENAME of it).
    pub fn check_real_column(&mut self, name: &str, span: Span) -> bool {
        if self.spellings.get(name).is_some_and(|a| a.virtual_only) {
            self.decline_help(
                EsqlCode::B003,
                format!("`{name}` is a whole parsed JSON value; ES|QL has no object values, only the leaf fields under it"),
                span,
                "read the properties you need (`x.a`) instead of the whole object",
            );
            return false;
        }
        true
    }

    /// The source field of spellings whose source column `column` is overwritten or dropped is
    /// gone: paths into them can no longer be read.
    pub fn source_gone(&mut self, column: &str) {
        for a in self.spellings.values_mut() {
            if a.target.column == column {
                a.live = false;
            }
        }
    }

    /// Every spelling's source field may be gone (after KEEP/STATS).
    pub fn all_sources_gone(&mut self) {
        for a in self.spellings.values_mut() {
            a.live = false;
        }
    }

    /// A stage that regroups or reselects the rows (STATS, `count`, `distinct`): no column is
    /// spelled through another field any more, and the document `_id` is gone (nor a split, a
    /// URL or a member: see `lower_query`'s reading of the facts).
    pub(crate) fn regrouped(&mut self) {
        self.spellings.clear();
        self.id_gone = true;
    }

    /// Whether column `name` holds a `split()` result with a one-byte literal delimiter,
    /// computed in this pipeline: an ordered multi-value, so `c[i]` is exactly
    /// `MV_SLICE(c, i)` (no flattening of indexed arrays involved). A right-side column of a
    /// join is read from the lookup index, where it is no such value.
    pub fn split_column(&self, name: &str) -> bool {
        let f = self.cols.fact(name);
        !f.origin.is_joined()
            && matches!(&f.shape, Shape::Split { delimiter: Some(d) } if d.len() == 1)
    }

    /// Whether column `name` was assigned `parse_url(u)` in this pipeline: ES|QL has no object
    /// values, so it holds the URL text and `c.Part` is read from it.
    pub fn url_column(&self, name: &str) -> bool {
        let f = self.cols.fact(name);
        !f.origin.is_joined() && f.shape == Shape::Url
    }
}

/// Whether `e` is the column `name` itself, as it is (`X = X`).
pub(crate) fn is_plain_column(e: &ir::Expr, name: &str) -> bool {
    matches!(&e.kind, ExprKind::Field(fp) if fp.is_plain() && !fp.parsed && fp.column == name)
}

/// The columns a KQL expression reads.
pub(crate) fn columns_read(e: &ir::Expr, out: &mut Vec<String>) {
    out.extend(ir::visit::expr_columns(e).into_iter().map(String::from));
}

/// Whether a KQL column pattern (`*` wildcards) matches a name.
pub(crate) fn column_matches(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if name.len() < first.len() + last.len() || !name.starts_with(first) || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}
