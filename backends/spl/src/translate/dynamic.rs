//! Paths into computed values (`split(…)[i]`, `parse_url(…).Member`), keys and indexes
//! computed at query time (`X[k]`, `bag_keys(X)[i]`), and `bag_pack` as `json_object`.

use super::fields::{event_json, field_json, json_path};
use super::Tx;
use crate::ast::Eval;
use kqlport::backend::Effect;
use kqlport::codes::SplCode;
use kqlport::ir::{Expr, ExprKind, Literal, PathSegment, ScalarFn};
use kqlport::source::Span;

impl Tx {
    /// `split(x, d)[i]` is `mvindex(split(x, d), i)`: both count from 0 (negative from the end)
    /// and give null out of range. `split(x, d, k)` is the array holding only element `k` (or
    /// none), so its `[0]`/`[-1]` is `mvindex(split(x, d), k)` and other indexes are null.
    /// Other paths into computed values are refused.
    pub(super) fn computed_path(
        &mut self,
        base: &Expr,
        path: &[PathSegment],
        span: Span,
    ) -> Option<Eval> {
        if let ExprKind::Call {
            func: ScalarFn::ParseUrl,
            args,
        } = &base.kind
        {
            return self.parse_url_path(args, path, span);
        }
        if let Some(read) = self.json_computed_path(base, path, span) {
            return read;
        }
        if let Some(read) = base.split_read(path) {
            let split = self.split_eval(read.text, read.delimiter, base.span)?;
            return Some(match read.piece {
                Some(i) => Eval::call("mvindex", vec![split, Eval::Num(i.to_string())]),
                None => Eval::call("null", vec![]),
            });
        }
        self.refuse(
            SplCode::B013,
            span,
            "indexing into a computed value is not supported by the SPL backend",
            "only split(x, \"delimiter\"[, k])[i] and parse_url(x).Member are translated",
            "extract the value with rex or spath first",
        );
        None
    }

    /// `X[k]` with a key computed at query time ⇒ `json_extract_exact(<X's JSON>, k)`:
    /// `json_extract_exact` takes the key literally (no path syntax), as KQL's `X[k]` does. Only
    /// string keys (a `tostring(…)`, say) are rendered; a computed array position is refused.
    pub(super) fn dynamic_index(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let [x, k] = args else {
            return self.unsupported_fn(ScalarFn::DynamicIndex, span);
        };
        if let ExprKind::Field(fp) = &x.kind {
            let integer = matches!(
                self.cols.infer(k),
                Some(kqlport::schema::ColumnType::Long | kqlport::schema::ColumnType::Int)
            );
            if fp.is_plain() && !fp.parsed && integer && self.is_split_col(&fp.column) {
                // `a[i]` of a `split` array (a multivalue field) at a computed integer `i`:
                // `mvindex` counts from 0, negative from the end, and gives null out of range
                // or for a null index, as KQL's index does.
                let column = self.name(&fp.column, x.span)?;
                let i = self.expr(k)?;
                return Some(Eval::call("mvindex", vec![Eval::Field(column), i]));
            }
        }
        if !string_valued(k) {
            self.refuse(
                SplCode::B013,
                k.span,
                "an index computed at query time is only translated when it is a string (a \
                 property name)",
                "not known to be a string",
                "write tostring(…) around the key, or extract the value in the source data",
            );
            return None;
        }
        let json = self.dynamic_json(x)?;
        let key = self.expr(k)?;
        Some(Eval::call("json_extract_exact", vec![json, key]))
    }

    /// Paths into computed values this module renders (`None` when it does not handle the
    /// shape): a constant path into `X[k]` reads on from its JSON, and `bag_keys(X)[i]` is
    /// `mvindex(json_array_to_mv(json_keys(<X's JSON>)), i)`.
    fn json_computed_path(
        &mut self,
        base: &Expr,
        path: &[PathSegment],
        span: Span,
    ) -> Option<Option<Eval>> {
        match (&base.kind, path) {
            (
                ExprKind::Call {
                    func: ScalarFn::DynamicIndex,
                    ..
                },
                _,
            ) => {
                if let Some(bad) = path.iter().find(|s| match s {
                    PathSegment::Index(i) => *i < 0,
                    PathSegment::Key(k) => k.is_empty(),
                }) {
                    self.refuse_path(bad, span);
                    return Some(None);
                }
                Some(self.expr(base).map(|b| json_path(b, path)))
            }
            (
                ExprKind::Call {
                    func: ScalarFn::BagKeys,
                    args,
                },
                [PathSegment::Index(i)],
            ) if *i >= 0 && args.len() == 1 => {
                self.notes.push(
                    span,
                    Effect::Values,
                    "bag_keys(): KQL documents the order of the keys as undetermined, Splunk's \
                     json_keys lists them as the JSON text has them; with more than one key, \
                     the key at this position (and what is read with it) may differ",
                );
                let json = match self.dynamic_json(&args[0]) {
                    Some(j) => j,
                    None => return Some(None),
                };
                let keys = Eval::call(
                    "json_array_to_mv",
                    vec![Eval::call("json_keys", vec![json])],
                );
                Some(Some(Eval::call(
                    "mvindex",
                    vec![keys, Eval::Num(i.to_string())],
                )))
            }
            _ => None,
        }
    }

    /// The JSON text of a dynamic value, for the `json_*` functions: an event column (or a path
    /// into it) read from `_raw`, a computed column (JSON text), or an `X[k]` already read.
    fn dynamic_json(&mut self, e: &Expr) -> Option<Eval> {
        match &e.kind {
            ExprKind::Field(fp) => {
                if let Some(bad) = fp.path.iter().find(|s| match s {
                    PathSegment::Index(i) => *i < 0,
                    PathSegment::Key(k) => k.is_empty(),
                }) {
                    self.refuse_path(bad, e.span);
                    return None;
                }
                let column = self.name(&fp.column, e.span)?;
                let origin = match self.origin_of(&fp.column).as_ref() {
                    Some(o) => o.clone(),
                    None => Some(fp.column.clone()),
                };
                match origin {
                    Some(orig) if self.raw_of(&orig) => {
                        self.name(&orig, e.span)?;
                        Some(event_json(orig, fp))
                    }
                    Some(_) if !fp.parsed => self.refuse_reshaped(e.span),
                    _ => Some(field_json(column, fp)),
                }
            }
            ExprKind::Call {
                func: ScalarFn::DynamicIndex,
                ..
            } => self.expr(e),
            ExprKind::Path { base, .. }
                if matches!(
                    base.kind,
                    ExprKind::Call {
                        func: ScalarFn::DynamicIndex,
                        ..
                    }
                ) =>
            {
                self.expr(e)
            }
            _ => {
                self.refuse(
                    SplCode::B013,
                    e.span,
                    "only a column's dynamic value (or a path into it) can be indexed by a key \
                     computed at query time",
                    "a computed value",
                    "extend the value as a column first",
                );
                None
            }
        }
    }

    fn refuse_path(&mut self, seg: &PathSegment, span: Span) {
        let what = match seg {
            PathSegment::Index(_) => "negative array index",
            PathSegment::Key(_) => "empty key",
        };
        self.refuse(
            SplCode::B013,
            span,
            "this dynamic path cannot be written in Splunk",
            what,
            "json_extract counts array elements from 0 only and needs non-empty keys; extract \
             the value in the source data or with a field-mapping pipeline",
        );
    }

    /// `bag_pack(k1, v1, …)` ⇒ `json_object(k1, v1, …)`: Splunk's JSON object of the same keys
    /// and values. Splunk's value types are not KQL's, noted as a difference in values.
    pub(super) fn bag_pack(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        if !args.len().is_multiple_of(2) {
            return self.unsupported_fn(ScalarFn::BagPack, span);
        }
        self.notes.push(
            span,
            Effect::Values,
            "bag_pack() ⇒ json_object(): the keys and values are the same, but their JSON types \
             can differ — a datetime is epoch seconds, a bool the string \"true\"/\"false\", a \
             number read from the event may be a string, a missing string is null rather than \
             \"\", and an array or object that went \
             through stats (make_list, make_set) is JSON text, so it is nested as strings",
        );
        let mut out = Vec::new();
        for a in args {
            out.push(self.expr(a)?);
        }
        Some(Eval::call("json_object", out))
    }
}

/// A read of a JSON value that `tostring()` leaves as it is, as for a field path: a path into
/// `X[k]`, or `X[k]` itself, or a key from `bag_keys`.
pub(super) fn json_read(e: &Expr) -> bool {
    let dynamic_index = |b: &Expr| {
        matches!(
            b.kind,
            ExprKind::Call {
                func: ScalarFn::DynamicIndex | ScalarFn::BagKeys,
                ..
            }
        )
    };
    match &e.kind {
        ExprKind::Path { base, .. } => dynamic_index(base),
        ExprKind::Call {
            func: ScalarFn::DynamicIndex,
            ..
        } => true,
        _ => false,
    }
}

/// A value KQL types as a string (so `X[k]` names a property).
fn string_valued(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Literal(Literal::String(_)) => true,
        ExprKind::Call { func, .. } => matches!(
            func,
            ScalarFn::ToString
                | ScalarFn::ToLower
                | ScalarFn::ToUpper
                | ScalarFn::StrCat
                | ScalarFn::Substring
                | ScalarFn::Trim
                | ScalarFn::TrimStart
                | ScalarFn::TrimEnd
                | ScalarFn::Replace
                | ScalarFn::ReplaceString
        ),
        _ => false,
    }
}
