//! Whole arrays: `split` as Splunk's multivalue `split` (a missing text read as `""`), `split`
//! arrays outside an assignment (JSON text), `array_length` of JSON arrays, `strcat_array` of
//! `split` arrays, and the JSON text of a dynamic value read for them. Splunk's JSON eval
//! functions used here: `json_valid`, `json_array_to_mv` (string elements without their quotes,
//! objects and arrays as JSON text) and `mv_to_json_array` (every value a JSON string).

use super::fields::{event_json, field_json, json_path, json_steps};
use super::text::regex_escaped;
use super::Tx;
use crate::ast::Eval;
use kqlport::backend::Effect;
use kqlport::codes::SplCode;
use kqlport::ir::facts::Shape;
use kqlport::ir::{Expr, ExprKind, FieldPath, Literal, PathSegment, ScalarFn};
use kqlport::schema::ColumnType;
use kqlport::source::Span;

/// How a `split` array written as JSON text can differ.
const SPLIT_JSON_NOTE: &str = "this split() array is written as JSON text by mv_to_json_array (as \
    KQL shows an array); how Splunk escapes characters such as `/` or non-ASCII letters in that \
    text is not documented, so the text can differ where such characters occur";

impl Tx {
    /// `split(x, d)` with a literal non-empty delimiter: Splunk's multivalue `split`, on `""` for
    /// a missing `x` (KQL's missing string).
    pub(super) fn split_eval(&mut self, x: &Expr, d: &Expr, span: Span) -> Option<Eval> {
        let d = self.literal_str(d, "the split delimiter")?;
        if d.is_empty() {
            self.refuse(
                SplCode::B014,
                span,
                "split with an empty delimiter is not supported by the SPL backend",
                "empty delimiter",
                "split on a non-empty literal delimiter",
            );
            return None;
        }
        let d = d.to_string();
        if matches!(&x.kind, ExprKind::Field(f) if f.is_plain() && self.is_mv_col(&f.column)) {
            self.refuse(
                SplCode::B013,
                x.span,
                "split() of a make_set/make_list array is not supported by the SPL backend",
                "a Splunk multivalue field here, where KQL splits text",
                "split the values before summarize",
            );
            return None;
        }
        let subject = Eval::call("coalesce", vec![self.expr(x)?, Eval::str("")]);
        Some(Eval::call("split", vec![subject, Eval::Str(d)]))
    }

    /// `split(x, d)` as a whole value where a multivalue field would not behave like KQL's
    /// array (compared, inside `case`, …): the array's JSON text, as KQL shows an array, by
    /// `mv_to_json_array` (every element a JSON string, as `split`'s are). Paths into a column
    /// holding it then read it with `json_extract`, as for any computed JSON.
    pub(super) fn split_json(&mut self, x: &Expr, d: &Expr, span: Span) -> Option<Eval> {
        let mv = self.split_eval(x, d, span)?;
        self.notes.push(span, Effect::Values, SPLIT_JSON_NOTE);
        Some(Eval::call("mv_to_json_array", vec![mv]))
    }

    /// `split(x, d, k)` (a literal `k >= 0`) as a whole value: KQL's array of the one part at
    /// `k` — `[]` where there is none (Microsoft's page: the array "contains the requested
    /// substring at the index if it exists") — as JSON text, as [`Tx::split_json`] writes a
    /// `split` array: `mv_to_json_array` of `mvindex` of the parts, `"[]"` when out of range.
    pub(super) fn split_at_json(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let [x, d, k] = args else {
            return self.unsupported_fn(ScalarFn::Split, span);
        };
        let k = match k.kind {
            ExprKind::Literal(Literal::Long(k)) if k >= 0 => k,
            _ => {
                self.refuse(
                    SplCode::B014,
                    k.span,
                    "split(x, d, k) as a whole array is supported by the SPL backend for a \
                     literal index k >= 0 only",
                    "an index computed at query time, or negative (what KQL gives for a \
                     negative one is not documented)",
                    "index the array: split(x, d)[k]",
                );
                return None;
            }
        };
        let parts = self.split_eval(x, d, span)?;
        let part = self.helper(Eval::call("mvindex", vec![parts, Eval::Num(k.to_string())]));
        self.notes.push(span, Effect::Values, SPLIT_JSON_NOTE);
        Some(Eval::call(
            "if",
            vec![
                Eval::call("isnull", vec![part.clone()]),
                Eval::str("[]"),
                Eval::call("mv_to_json_array", vec![part]),
            ],
        ))
    }

    /// `array_length(a)`: of a `make_set`/`make_list` multivalue, its count (none is KQL's
    /// `[]`); of a `split` array (never empty in KQL), its count; of a dynamic value read as
    /// JSON (an event column, a path, a parsed or computed value), the count of
    /// `json_array_to_mv` when the text is a valid JSON array, else null (KQL's
    /// `array_length` of a non-array).
    pub(super) fn array_length(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let [a] = args else {
            return self.unsupported_fn(ScalarFn::ArrayLength, span);
        };
        let count = |x: Eval, none: &str| {
            Eval::call(
                "coalesce",
                vec![Eval::call("mvcount", vec![x]), Eval::Num(none.into())],
            )
        };
        match &a.kind {
            ExprKind::Field(f) if f.is_plain() && self.is_mv_col(&f.column) => {
                let name = self.name(&f.column, a.span)?;
                Some(count(Eval::Field(name), "0"))
            }
            ExprKind::Field(f) if f.is_plain() && self.is_split_col(&f.column) => {
                let name = self.name(&f.column, a.span)?;
                Some(count(Eval::Field(name), "1"))
            }
            ExprKind::Call {
                func: ScalarFn::Split,
                args: sargs,
            } if sargs.len() == 2 => {
                let mv = self.split_eval(&sargs[0], &sargs[1], a.span)?;
                Some(count(mv, "1"))
            }
            ExprKind::Field(fp) => {
                let j = match self.json_value(fp, a.span)? {
                    j @ Eval::Field(_) => j,
                    j => self.helper(j),
                };
                if !fp.parsed {
                    self.notes.push(
                        span,
                        Effect::Values,
                        "array_length() reads the value's JSON text: a dynamic value that is a \
                         string holding array text (\"[1,2]\") counts as that array here, where \
                         KQL's array_length of a non-array is null",
                    );
                }
                let is_array = Eval::and(vec![
                    Eval::call("json_valid", vec![j.clone()]),
                    Eval::call("match", vec![j.clone(), Eval::str("^\\s*\\[")]),
                ]);
                Some(Eval::call(
                    "if",
                    vec![
                        is_array,
                        count(Eval::call("json_array_to_mv", vec![j]), "0"),
                        Eval::call("null", vec![]),
                    ],
                ))
            }
            _ => self.unsupported_fn(ScalarFn::ArrayLength, span),
        }
    }

    /// `strcat_array(a, sep)` of a `make_list`/`make_set` column of strings, of a `split` array, or of `array_slice(split(…), k, -1)` with a
    /// literal `k >= 0` (the elements from `k` on, none when `k` is past the end — exactly
    /// `mvindex`'s range, null when out of range): `mvjoin`, with `""` (null here) for no
    /// elements.
    pub(super) fn strcat_array(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let [arr, sep] = args else {
            return self.unsupported_fn(ScalarFn::StrcatArray, span);
        };
        let mv = match &arr.kind {
            ExprKind::Call {
                func: ScalarFn::Split,
                args: sargs,
            } if sargs.len() == 2 => self.split_eval(&sargs[0], &sargs[1], arr.span)?,
            // An extract_all() column: no field (KQL: null) joins to null, KQL's "".
            ExprKind::Field(f)
                if f.is_plain()
                    && (self.is_split_col(&f.column) || self.is_matches_col(&f.column)) =>
            {
                Eval::Field(self.name(&f.column, arr.span)?)
            }
            // A make_list/make_set of strings (`list()`/`values()`, no field for none): its
            // values joined in the order Splunk collected them.
            ExprKind::Field(f)
                if f.is_plain()
                    && self.is_mv_col(&f.column)
                    && matches!(
                        self.cols.shape(&f.column),
                        Shape::Multivalue(c) if c.element == Some(ColumnType::String)
                    ) =>
            {
                self.value_note(
                    span,
                    "strcat_array of a make_list/make_set result joins its values in the order \
                     Splunk collected them (list(): arrival order, values(): sorted), where \
                     KQL's order is undefined",
                );
                Eval::Field(self.name(&f.column, arr.span)?)
            }
            ExprKind::Call {
                func: ScalarFn::ArraySlice,
                args: slice,
            } => match slice.as_slice() {
                [Expr {
                    kind:
                        ExprKind::Call {
                            func: ScalarFn::Split,
                            args: sargs,
                        },
                    span: sspan,
                }, Expr {
                    kind: ExprKind::Literal(Literal::Long(k)),
                    ..
                }, Expr {
                    kind: ExprKind::Literal(Literal::Long(-1)),
                    ..
                }] if sargs.len() == 2 && *k >= 0 => {
                    let mv = self.split_eval(&sargs[0], &sargs[1], *sspan)?;
                    Eval::call(
                        "mvindex",
                        vec![mv, Eval::Num(k.to_string()), Eval::Num("-1".into())],
                    )
                }
                _ => return self.unsupported_fn(ScalarFn::StrcatArray, span),
            },
            _ => return self.unsupported_fn(ScalarFn::StrcatArray, span),
        };
        let sep = self
            .literal_str(sep, "the strcat_array delimiter")?
            .to_string();
        Some(Eval::call("mvjoin", vec![mv, Eval::Str(sep)]))
    }

    /// `make_set(x)` where `x` is a `split` array (possibly as a `case` value): KQL adds the
    /// array's elements to the set, as Splunk's `values()` does with a multivalue field, so
    /// the array is computed as a multivalue in a helper field. `None` when `x` holds no
    /// `split` array.
    pub(super) fn set_of_arrays(&mut self, x: &Expr) -> Option<Option<String>> {
        if !self.holds_split(x) {
            return Some(None);
        }
        self.array_ok = true;
        let v = self.expr(x);
        self.array_ok = false;
        match v? {
            Eval::Field(f) => Some(Some(f)),
            v => match self.helper(v) {
                Eval::Field(f) => Some(Some(f)),
                _ => unreachable!("a helper is a field"),
            },
        }
    }

    /// `s[i]…` of a `make_set`/`make_list` result (a multivalue field): element `i` by
    /// `mvindex` (from 0, negative from the end, null out of range), then the rest of the path
    /// into its JSON text. Noted: the elements' order differs (KQL's is undefined; `values()`
    /// sorts, `list()` keeps arrival order).
    pub(super) fn mv_element(
        &mut self,
        fp: &FieldPath,
        column: String,
        span: Span,
    ) -> Option<Eval> {
        let Some((PathSegment::Index(i), rest)) = fp.path.split_first() else {
            self.refuse(
                SplCode::B013,
                span,
                "a key into a make_set/make_list array is not supported by the SPL backend",
                "the array's elements are indexed, not keyed",
                "index the array first: s[0].key",
            );
            return None;
        };
        self.check_path(fp, span)?;
        self.notes.push(
            span,
            Effect::Values,
            "an element of a make_set/make_list array by position: Splunk's values() sorts the \
             values and list() keeps their arrival order, while KQL's order is undefined, so \
             another element may be at this position",
        );
        let elem = Eval::call(
            "mvindex",
            vec![Eval::Field(column), Eval::Num(i.to_string())],
        );
        Some(if fp.parsed {
            json_steps(elem, rest)
        } else {
            json_path(elem, rest)
        })
    }

    /// `set_union`, `set_difference`, `set_intersect`, `array_concat` of arrays of strings that
    /// are Splunk multivalue fields here (`split` arrays, `make_set`/`make_list` columns of
    /// strings, results of these functions), as the whole value of an assignment or of an
    /// mv-expand: `mvappend` puts the arrays' values one after the other (a missing field,
    /// KQL's `[]`, adds none), `mvdedup` keeps each distinct value once (Splunk's values are
    /// text, compared case-sensitively, as KQL compares strings). A difference or intersection
    /// keeps the values of the first array found (or not) in the others by `mvfind` of the
    /// value escaped at run time between `^` and `\z` (see [`Tx::keep_found`]). KQL leaves the
    /// order of a set function's elements open; reading one by position is noted where it is
    /// read ([`Tx::mv_element`]).
    pub(super) fn array_function(
        &mut self,
        func: ScalarFn,
        args: &[Expr],
        span: Span,
    ) -> Option<Eval> {
        let least = if func == ScalarFn::ArrayConcat { 1 } else { 2 };
        if args.len() < least {
            return self.unsupported_fn(func, span);
        }
        let mut arrays = Vec::new();
        for a in args {
            arrays.push(self.array_operand(func, a)?);
        }
        match func {
            ScalarFn::ArrayConcat => Some(Eval::call("mvappend", arrays)),
            ScalarFn::SetUnion => Some(Eval::call("mvdedup", vec![Eval::call("mvappend", arrays)])),
            ScalarFn::SetDifference | ScalarFn::SetIntersect => {
                let mut rest = arrays.split_off(1);
                let mut kept = arrays.remove(0);
                if func == ScalarFn::SetDifference {
                    // Out if in any of the others: one test against all their values.
                    let others = match rest.len() {
                        1 => rest.remove(0),
                        _ => Eval::call("mvappend", rest),
                    };
                    kept = self.keep_found(kept, others, false);
                } else {
                    for other in rest {
                        kept = self.keep_found(kept, other, true);
                    }
                }
                Some(Eval::call("mvdedup", vec![kept]))
            }
            _ => self.unsupported_fn(func, span),
        }
    }

    /// The values of multivalue `values` found (`found`) or not found in multivalue `others`,
    /// in their order, with duplicates: `mvmap` marks each value `+` (kept) or `-` after
    /// testing it with `mvfind(others, "^" . <value escaped at run time> . "\z")` (no match,
    /// or no `others`: null), `mvfilter` keeps the marked `+`, and `mvmap` takes the mark off.
    /// `mvmap` iterates over a field (whose name stands for each value in its expression) and
    /// `mvfilter` tests one field only, so each step reads a helper field.
    fn keep_found(&mut self, values: Eval, others: Eval, found: bool) -> Eval {
        let field = |tx: &mut Tx, v: Eval| match v {
            f @ Eval::Field(_) => f,
            v => tx.helper(v),
        };
        let values = field(self, values);
        let others = field(self, others);
        let pattern = Eval::Concat(vec![
            Eval::str("^"),
            regex_escaped(values.clone()),
            Eval::str("\\z"),
        ]);
        let absent = Eval::call("isnull", vec![Eval::call("mvfind", vec![others, pattern])]);
        let (when_absent, when_found) = if found { ("-", "+") } else { ("+", "-") };
        let mark = |m: &str| Eval::Concat(vec![Eval::str(m), values.clone()]);
        let marked = self.helper(Eval::call(
            "mvmap",
            vec![
                values.clone(),
                Eval::call("if", vec![absent, mark(when_absent), mark(when_found)]),
            ],
        ));
        let kept = self.helper(Eval::call(
            "mvfilter",
            vec![Eval::call("match", vec![marked, Eval::str("^\\+")])],
        ));
        Eval::call(
            "mvmap",
            vec![
                kept.clone(),
                Eval::call("substr", vec![kept, Eval::Num("2".into())]),
            ],
        )
    }

    /// One array argument of [`Tx::array_function`] as a multivalue: a `split` array, a
    /// `split` or `make_set`/`make_list` column, or a nested array function, its values
    /// strings. Anything else is refused, an `extract_all` column too: KQL's array is null
    /// where nothing matched, and what the array functions do with a null is not documented.
    fn array_operand(&mut self, func: ScalarFn, a: &Expr) -> Option<Eval> {
        let strings = match self.cols.shape_of(a) {
            Shape::Split { .. } => true,
            Shape::Multivalue(c) => c.element == Some(ColumnType::String),
            _ => false,
        };
        let multivalue = match &a.kind {
            ExprKind::Call {
                func: ScalarFn::Split,
                args,
            } => args.len() == 2,
            ExprKind::Call {
                func:
                    ScalarFn::SetUnion
                    | ScalarFn::SetDifference
                    | ScalarFn::SetIntersect
                    | ScalarFn::ArrayConcat,
                ..
            } => true,
            ExprKind::Field(f) => {
                f.is_plain() && (self.is_split_col(&f.column) || self.is_mv_col(&f.column))
            }
            _ => false,
        };
        if !(strings && multivalue) {
            let name = array_fn_name(func);
            self.refuse(
                SplCode::B014,
                a.span,
                &format!(
                    "this argument of {name}() is not an array the SPL backend holds as a \
                     multivalue field of strings"
                ),
                "not a split array, a make_set/make_list column of strings or a set function \
                 of those",
                "compute the array with split() or make_set() of a string first",
            );
            return None;
        }
        self.array_ok = true;
        let v = self.expr(a);
        self.array_ok = false;
        v
    }

    /// A `split` array, a column holding one, or a `case` with one among its values.
    fn holds_split(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Case {
                branches,
                otherwise,
            } => branches
                .iter()
                .map(|(_, v)| v)
                .chain([&**otherwise])
                .any(|v| self.holds_split(v)),
            _ => self.is_split(e),
        }
    }

    /// The JSON text (or plain value) of a dynamic value, never Splunk's flattened `X.a.b`
    /// field: an event column from `_raw` (asking for it to be kept when it is gone), a
    /// computed column from its field; then the path, one `json_extract` per step when parsed.
    pub(super) fn json_value(&mut self, fp: &FieldPath, span: Span) -> Option<Eval> {
        let column = self.name(&fp.column, span)?;
        if fp.is_plain() {
            self.not_split(&fp.column, span)?;
        }
        self.check_path(fp, span)?;
        let origin = match self.origin_of(&fp.column).as_ref() {
            Some(o) => o.clone(),
            None => Some(fp.column.clone()),
        };
        match origin {
            Some(orig) => {
                self.name(&orig, span)?;
                if !self.raw_of(&orig) {
                    return self.refuse_reshaped(span);
                }
                Some(event_json(orig, fp))
            }
            None => Some(field_json(column, fp)),
        }
    }
}

/// The KQL name of a function on whole arrays ([`Tx::array_function`]).
pub(super) fn array_fn_name(func: ScalarFn) -> &'static str {
    match func {
        ScalarFn::SetUnion => "set_union",
        ScalarFn::SetDifference => "set_difference",
        ScalarFn::SetIntersect => "set_intersect",
        _ => "array_concat",
    }
}

/// Is `e` a call of a function on whole arrays ([`Tx::array_function`])?
pub(super) fn is_array_function(e: &Expr) -> bool {
    matches!(
        &e.kind,
        ExprKind::Call {
            func: ScalarFn::SetUnion
                | ScalarFn::SetDifference
                | ScalarFn::SetIntersect
                | ScalarFn::ArrayConcat,
            ..
        }
    )
}
