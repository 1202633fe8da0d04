//! Eval renderings of scalar functions added to the IR after the main table in `translate.rs`
//! (kept apart so each can be reviewed with its KQL and Splunk semantics side by side).

use super::{json_path, json_steps, Tx, NON_ALNUM};
use crate::ast::Eval;
use kqlport::backend::Effect;
use kqlport::ir::{Expr, ExprKind, Literal, PathSegment, ScalarFn};
use kqlport::source::Span;

impl Tx {
    /// `tohex(n [, width])` ⇒ `printf("%x", n)` (`%0<width>x`): Splunk's printf `%x` gives the
    /// lower-case hexadecimal digits without a prefix, as KQL does. Null stays null.
    pub(super) fn hex_digits(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let (n, format) = match args {
            [n] => (n, "%x".to_string()),
            [n, Expr {
                kind: ExprKind::Literal(Literal::Long(w)),
                ..
            }] if *w >= 1 => (n, format!("%0{}x", (*w).min(16))),
            _ => return self.unsupported_fn(ScalarFn::ToHex, span),
        };
        self.notes.push(
            span,
            Effect::Values,
            "tohex() of a negative number is its 64-bit two's complement in KQL \
             (ffffffffffffff00); how Splunk's printf(\"%x\") writes a negative or fractional \
             number is not documented",
        );
        let x = self.expr(n)?;
        Some(Eval::call(
            "if",
            vec![
                Eval::call("isnull", vec![x.clone()]),
                Eval::call("null", vec![]),
                Eval::call("printf", vec![Eval::Str(format), x]),
            ],
        ))
    }

    /// `string_size(s)` ⇒ `len(s)`: Splunk counts characters, KQL UTF-8 bytes.
    pub(super) fn string_size(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let [s] = args else {
            return self.unsupported_fn(ScalarFn::StringSize, span);
        };
        self.notes.push(
            span,
            Effect::Values,
            "string_size() counts UTF-8 bytes, Splunk's len() characters: the sizes (and tests \
             on them) differ for text with non-ASCII characters",
        );
        let x = self.expr(s)?;
        Some(Eval::call(
            "len",
            vec![Eval::call("coalesce", vec![x, Eval::str("")])],
        ))
    }

    /// `unixtime_milliseconds_todatetime(ms)` ⇒ `ms / 1000`: Splunk's time values are epoch
    /// seconds (as `_time` and every datetime constant here), fractions kept.
    pub(super) fn unixtime_ms(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let [ms] = args else {
            return self.unsupported_fn(ScalarFn::UnixtimeMillisecondsToDatetime, span);
        };
        let x = self.expr(ms)?;
        Some(Eval::bin(" / ", x, Eval::Num("1000".into())))
    }

    /// `indexof_regex(text, re)` ⇒ `if(match(t, re), len(replace(t, "(?:re)(?s:.*)", "")), -1)`:
    /// the pattern followed by "the rest" first matches at the leftmost match of `re`, so
    /// removing it leaves exactly the text before that match, whose length is the index.
    pub(super) fn indexof_regex(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let [text, re_e] = args else {
            return self.unsupported_fn(ScalarFn::IndexOfRegex, span);
        };
        let (pcre, _) = self.regex_arg(re_e, "the indexof_regex pattern")?;
        let subject = Eval::call("coalesce", vec![self.expr(text)?, Eval::str("")]);
        Some(Eval::call(
            "if",
            vec![
                Eval::call("match", vec![subject.clone(), Eval::Str(pcre.clone())]),
                Eval::call(
                    "len",
                    vec![Eval::call(
                        "replace",
                        vec![
                            subject,
                            Eval::Str(format!("(?:{pcre})(?s:.*)")),
                            Eval::str(""),
                        ],
                    )],
                ),
                Eval::Num("-1".into()),
            ],
        ))
    }

    /// `X[k]` with a key computed at query time ⇒ `json_extract_exact(<X's JSON>, k)`:
    /// `json_extract_exact` takes the key literally (no path syntax), as KQL's `X[k]` does. Only
    /// string keys (a `tostring(…)`, say) are rendered; a computed array position is refused.
    pub(super) fn dynamic_index(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let [x, k] = args else {
            return self.unsupported_fn(ScalarFn::DynamicIndex, span);
        };
        if !string_valued(k) {
            self.refuse(
                "B013",
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
    pub(super) fn json_computed_path(
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
                let origin = match self.origin.get(&fp.column) {
                    Some(o) => o.clone(),
                    None => Some(fp.column.clone()),
                };
                match origin {
                    Some(orig) if self.raw => {
                        self.name(&orig, e.span)?;
                        let root = Eval::Field("_raw".into());
                        let col = PathSegment::Key(orig);
                        Some(if fp.parsed {
                            json_steps(json_path(root, std::slice::from_ref(&col)), &fp.path)
                        } else {
                            let mut all = vec![col];
                            all.extend(fp.path.iter().cloned());
                            json_path(root, &all)
                        })
                    }
                    Some(_) if !fp.parsed => {
                        self.refuse(
                            "B013",
                            e.span,
                            "this dynamic value cannot be read as JSON in Splunk after the event \
                             was reshaped",
                            "the dynamic column is read from the raw event, which \
                             project/summarize drop",
                            "index into the column before project/summarize",
                        );
                        None
                    }
                    _ => {
                        let root = Eval::Field(column);
                        Some(if fp.parsed {
                            json_steps(root, &fp.path)
                        } else {
                            json_path(root, &fp.path)
                        })
                    }
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
                    "B013",
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
            "B013",
            span,
            "this dynamic path cannot be written in Splunk",
            what,
            "json_extract counts array elements from 0 only and needs non-empty keys; extract \
             the value in the source data or with a field-mapping pipeline",
        );
    }
}

impl Tx {
    /// `text has term` with a term computed at query time ⇒ `match(text, <pattern>)`, the
    /// pattern built at run time: the term with every non-alphanumeric character
    /// backslash-escaped by `replace` (a backslash before a non-alphanumeric is always that
    /// character in PCRE), between lookarounds that forbid an alphanumeric run going on across
    /// either end of the match — `(?<!…)` before it unless the term's first character (the one
    /// matched there) is not alphanumeric, likewise after it. Missing text or term is `""`.
    pub(super) fn has_term_test(
        &mut self,
        func: ScalarFn,
        args: &[Expr],
        span: Span,
    ) -> Option<Eval> {
        let [text, term] = args else {
            return self.unsupported_fn(func, span);
        };
        let text = Eval::call("coalesce", vec![self.expr(text)?, Eval::str("")]);
        let term = Eval::call("coalesce", vec![self.expr(term)?, Eval::str("")]);
        let escaped = Eval::call(
            "replace",
            vec![
                term,
                Eval::str(format!("({NON_ALNUM})")),
                Eval::str("\\\\\\1"),
            ],
        );
        let alnum = NON_ALNUM.replacen('^', "", 1);
        let start = format!("(?:(?<!{alnum})|(?!{alnum}))");
        let end = format!("(?:(?!{alnum})|(?<!{alnum}))");
        let flag = if func == ScalarFn::HasTerm {
            let msg = "has with a term computed at query time: Splunk's (?i) also folds \
                       non-ASCII letters, which KQL does not, so a term with non-ASCII letters \
                       can match text that KQL's has does not (more rows for has, fewer for !has)";
            self.notes.push(span, Effect::OverMatch, msg);
            self.notes.push(span, Effect::UnderMatch, msg);
            "(?i)"
        } else {
            ""
        };
        let pattern = Eval::Concat(vec![
            Eval::Str(format!("{flag}{start}")),
            escaped,
            Eval::Str(end),
        ]);
        Some(Eval::call("match", vec![text, pattern]))
    }
}

impl Tx {
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
