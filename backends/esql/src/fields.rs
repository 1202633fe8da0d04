//! Reading a column or a path into one (object fields, array indexes, JSON text).
//!
//! Dotted object fields, array indexes (`MV_FIRST`, `MV_SLICE`), JSON text (`JSON_EXTRACT`),
//! and paths into computed values (`split()[i]`, `parse_url().Part`).

use crate::ast::Expr;
use crate::cx::Cx;
use kqlport::backend::Effect;
use kqlport::codes::EsqlCode;
use kqlport::ir::{self, ExprKind, Literal, PathSegment, ScalarFn};
use kqlport::source::Span;

impl Cx {
    /// A column or a path into a dynamic column. Object paths are dotted fields (the index holds
    /// the dynamic column as an object). JSON text (`parse_json`) is read the same way, with a
    /// note: exact only if the column was ingested as an object. One array index reads the
    /// flattened multi-value with `MV_SLICE`, with a note; several are declined.
    pub fn field(&mut self, fp: &ir::FieldPath, span: Span) -> Expr {
        if let (false, [PathSegment::Key(part)]) = (fp.parsed, fp.path.as_slice()) {
            if self.url_column(&fp.column) && !self.spellings.contains_key(&fp.column) {
                return self.url_part(Expr::Column(fp.column.clone()), part, span);
            }
        }
        if let (false, [PathSegment::Index(i)]) = (fp.parsed, fp.path.as_slice()) {
            if self.split_column(&fp.column) && !self.spellings.contains_key(&fp.column) {
                return Expr::call(
                    "MV_SLICE",
                    vec![Expr::Column(fp.column.clone()), Expr::Int(*i)],
                );
            }
        }
        if fp.is_plain() && !fp.parsed && !self.spellings.contains_key(&fp.column) {
            if let Some(m) = self.member_column(&fp.column) {
                self.members_read.push(m);
            }
        }
        let Some(fp) = self.resolve(fp, span) else {
            return Expr::Null;
        };
        if fp.parsed && fp.path.is_empty() {
            self.decline_help(
                EsqlCode::B003,
                "a whole parsed JSON value; ES|QL has no object values, only the leaf fields under it",
                span,
                "read the properties you need (`parse_json(X).a`) instead of the whole object",
            );
            return Expr::Null;
        }
        if fp.parsed && self.stored_type(&fp.column) == Some(kqlport::schema::ColumnType::String) {
            return self.json_extract(&fp, span);
        }
        if fp.parsed {
            let msg = format!(
                "parse_json: `{}` is read as object fields under `{}`, which is exact when the index holds `{}` as an object (as Elastic integrations ingest JSON payloads); if it holds the JSON text, these fields are missing, so tests on them fail (under-match) and negated tests pass (over-match). Elasticsearch 9.4 has JSON_EXTRACT (preview) for JSON text",
                dotted(&fp), fp.column, fp.column
            );
            self.notes.push(span, Effect::UnderMatch, msg.clone());
            self.notes.push(span, Effect::OverMatch, msg);
        }
        let mut name = fp.column.clone();
        let mut index = None;
        let mut outer = Vec::new();
        for seg in &fp.path {
            match seg {
                PathSegment::Key(k) => {
                    name.push('.');
                    name.push_str(k);
                }
                PathSegment::Index(i) => {
                    if let Some(prev) = index.replace(*i) {
                        outer.push(prev);
                    }
                }
            }
        }
        let Some(i) = index else {
            let dynamic_column = fp.path.is_empty()
                && !fp.parsed
                && kqlport::ir::stored_column_type(&self.table, self.target.as_ref(), &fp.column)
                    == Some(kqlport::schema::ColumnType::Dynamic);
            if !fp.path.is_empty() || dynamic_column {
                self.members_read.push(name.clone());
            }
            return Expr::Column(name);
        };
        if !outer.is_empty() {
            // X[0].a[j].b: the flattened `X.a.b` holds the values of every element of every
            // array on the path; position j is element [0][j]'s only when the outer arrays have
            // one element (and the values keep their order).
            if outer.iter().any(|o| *o != 0) {
                self.decline_help(
                    EsqlCode::B004,
                    "an array index other than [0] before another array index in a dynamic path: Elasticsearch flattens nested arrays into one multi-valued field, so the element's values cannot be located",
                    span,
                    "ingest the array elements as separate documents (or a nested field) and translate by hand",
                );
                return Expr::Null;
            }
            let msg = format!(
                "nested array index {}: Elasticsearch flattens nested arrays (of objects) into one multi-valued field `{name}` holding the values of every element of every array on the path, not kept in element order (keyword doc values are sorted and de-duplicated, and elements missing the key leave no gap), so MV_FIRST/MV_SLICE picks the value at position {i} of that multi-value: that is the indexed element's only when each outer array has one element and the values keep their order; otherwise another element's value is tested (over- and under-match)",
                dotted(&fp)
            );
            self.notes.push(span, Effect::UnderMatch, msg.clone());
            self.notes.push(span, Effect::OverMatch, msg);
            let col = Expr::Column(name);
            return if i == 0 {
                Expr::call("MV_FIRST", vec![col])
            } else {
                Expr::call("MV_SLICE", vec![col, Expr::Int(i)])
            };
        }
        let msg = format!(
            "array index [{i}]: Elasticsearch flattens an array (of objects) into one multi-valued field `{name}` whose values are not kept in element order (keyword doc values are sorted and de-duplicated, and elements missing the key leave no gap), so MV_FIRST/MV_SLICE picks the value at position {i} of that multi-value, not necessarily element {i}'s; exact for a one-element array, otherwise another element's value can be tested (over- and under-match)"
        );
        self.notes.push(span, Effect::UnderMatch, msg.clone());
        self.notes.push(span, Effect::OverMatch, msg);
        let col = Expr::Column(name);
        if i == 0 {
            Expr::call("MV_FIRST", vec![col])
        } else {
            Expr::call("MV_SLICE", vec![col, Expr::Int(i)])
        }
    }

    /// `parse_json(X).path` where the schema types `X` `string`: the index holds JSON text, one
    /// keyword field with no sub-fields, so the path is read from the text with JSON_EXTRACT
    /// (technical preview, Elasticsearch 9.4+), whose JSONPath subset takes `a.b`, `['k.e.y']`
    /// and `[i]`.
    fn json_extract(&mut self, fp: &ir::FieldPath, span: Span) -> Expr {
        let mut path = String::new();
        for seg in &fp.path {
            match seg {
                PathSegment::Key(k) => {
                    let simple = k
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                    if simple {
                        if !path.is_empty() {
                            path.push('.');
                        }
                        path.push_str(k);
                    } else if k.contains(['\'', '\\']) {
                        self.decline(
                            EsqlCode::B005,
                            format!("JSON_EXTRACT cannot spell the key {k:?} (a quote or backslash in a bracketed key is not documented)"),
                            span,
                        );
                        return Expr::Null;
                    } else {
                        path.push_str(&format!("['{k}']"));
                    }
                }
                PathSegment::Index(i) if *i >= 0 => path.push_str(&format!("[{i}]")),
                PathSegment::Index(_) => {
                    self.decline(
                        EsqlCode::B004,
                        "a negative array index into JSON text: JSON_EXTRACT has no negative indices",
                        span,
                    );
                    return Expr::Null;
                }
            }
        }
        self.notes.push(
            span,
            Effect::Values,
            format!(
                "parse_json of the string column `{}`: the index holds its JSON text, read with JSON_EXTRACT (technical preview, Elasticsearch 9.4+), which returns a string value as text and an object or array as compact JSON text (KQL's spelling of a nested value or a real number can differ); invalid JSON or a missing path gives null",
                fp.column
            ),
        );
        Expr::call(
            "JSON_EXTRACT",
            vec![Expr::Column(fp.column.clone()), Expr::Str(path)],
        )
    }

    /// `split(x, d)[i]` is `MV_SLICE(SPLIT(x, d), i)` (both count from 0, negative from the
    /// end, and give null out of range; `split(x, d, k)[0]` is `split(x, d)[k]`). ES|QL's SPLIT
    /// takes a one-byte delimiter: a longer one is read with a regex (`Cx::split_index`, `functions/arrays.rs`).
    /// Other paths into computed values are declined.
    pub(crate) fn computed_path(
        &mut self,
        base: &ir::Expr,
        path: &[PathSegment],
        span: Span,
    ) -> Expr {
        // A position out of `split(x, d, k)`'s one-element array (always null) is declined.
        if let Some(read) = base.split_read(path) {
            if let (ExprKind::Literal(Literal::String(d)), Some(i)) =
                (&read.delimiter.kind, read.piece)
            {
                if d.len() == 1 {
                    let subject = Expr::call(
                        "COALESCE",
                        vec![self.expr(read.text), Expr::Str(String::new())],
                    );
                    let split = Expr::call("SPLIT", vec![subject, Expr::Str(d.clone())]);
                    return Expr::call("MV_SLICE", vec![split, Expr::Int(i)]);
                }
                if !d.is_empty() {
                    return self.split_index(read.text, d, i, span);
                }
            }
        }
        if let (
            ExprKind::Call {
                func: ScalarFn::ParseUrl,
                args,
            },
            [PathSegment::Key(part)],
        ) = (&base.kind, path)
        {
            if let [u] = args.as_slice() {
                let text = self.expr(u);
                return self.url_part(text, part, span);
            }
        }
        self.decline(
            EsqlCode::B004,
            "ES|QL cannot index into this computed value (only split(x, \"delimiter\")[i] and parse_url(u).Part are supported)",
            span,
        );
        Expr::Null
    }
}

/// `X.a[0].b` as text, for notes.
fn dotted(fp: &ir::FieldPath) -> String {
    let mut s = fp.column.clone();
    for seg in &fp.path {
        match seg {
            PathSegment::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
            PathSegment::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}
