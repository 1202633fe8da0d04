//! String functions with more than a renamed call.
//!
//! `tostring`, `strcat`, `substring`, `indexof`, `has` and `contains`/`startswith`/`endswith`
//! with a computed right side, `tohex`,
//! `url_encode`/`url_decode` and `base64_decode_tostring`.

use super::{lit_int, lit_str, or_empty, replace};
use crate::ast::{BinOp, Expr};
use crate::cx::Cx;
use kqlport::backend::Effect;
use kqlport::codes::EsqlCode;
use kqlport::ir::{self, ExprKind, Literal, ScalarFn};
use kqlport::source::Span;

impl Cx {
    /// `tostring(x)` ⇒ `COALESCE(TO_STRING(x), "")`: KQL's tostring(null) is "", never null.
    pub(super) fn tostring(&mut self, args: &[ir::Expr], a: Vec<Expr>, span: Span) -> Expr {
        if !self.same_text(&args[0]) {
            self.value_note(
                span,
                "tostring of a datetime, real or timespan is formatted differently by TO_STRING (e.g. milliseconds always shown); identical for strings, integers and booleans",
            );
        }
        // KQL's tostring(null) is "", never null.
        Expr::call(
            "COALESCE",
            vec![Expr::call("TO_STRING", a), Expr::Str(String::new())],
        )
    }

    /// Whether TO_STRING writes `x` as KQL's tostring does: a string literal, or a value of a
    /// type both write alike (strings, integers, booleans, `split` elements; not datetimes,
    /// reals, timespans, dynamic values, or a type the schema does not give).
    fn same_text(&self, x: &ir::Expr) -> bool {
        use kqlport::ir::facts::Shape;
        use kqlport::schema::ColumnType as T;
        matches!(x.kind, ExprKind::Literal(Literal::String(_)))
            || matches!(
                self.cols.infer(x),
                Some(T::String | T::Int | T::Long | T::Bool)
            )
            // An element of a `split` array is a string.
            || matches!(&x.kind, ExprKind::Path { base, .. }
                if matches!(self.cols.shape_of(base), Shape::Split { .. }))
    }

    /// `strcat(…)` ⇒ `CONCAT` of the parts, each `COALESCE(TO_STRING(x), "")` unless a string
    /// literal; one part is its own string form.
    pub(super) fn strcat(&mut self, args: &[ir::Expr], a: Vec<Expr>, span: Span) -> Expr {
        if a.len() == 1 {
            return match a.into_iter().next() {
                // CONCAT needs two arguments; one part is its own string form.
                Some(Expr::Str(s)) => Expr::Str(s),
                Some(x) => Expr::call(
                    "COALESCE",
                    vec![Expr::call("TO_STRING", vec![x]), Expr::Str(String::new())],
                ),
                None => Expr::Str(String::new()),
            };
        }
        // CONCAT is null when any argument is, and takes strings only; KQL's strcat
        // reads null as "" and converts other types to their string form.
        if args.iter().any(|x| !self.same_text(x)) {
            self.value_note(
                span,
                "strcat of a datetime, real or timespan is formatted differently by TO_STRING (e.g. milliseconds always shown); identical for strings, integers and booleans",
            );
        }
        let parts = a
            .into_iter()
            .map(|x| match x {
                Expr::Str(_) => x,
                x => Expr::call(
                    "COALESCE",
                    vec![Expr::call("TO_STRING", vec![x]), Expr::Str(String::new())],
                ),
            })
            .collect();
        Expr::call("CONCAT", parts)
    }

    /// `substring(text, start[, length])` ⇒ `COALESCE(SUBSTRING(COALESCE(text, ""), start',
    /// length), "")`: KQL counts from 0, ES|QL from 1, and both count a negative start from the
    /// end. A start that is not provably non-negative becomes `CASE(k < 0, k, k + 1)`, and a
    /// computed length `GREATEST(n, 0)` (ES|QL rejects a negative length): Values notes say
    /// where KQL's behaviour is not documented.
    pub(crate) fn substring(&mut self, args: &[ir::Expr]) -> Expr {
        let (text, start, len) = match args {
            [t, s] => (t, s, None),
            [t, s, l] => (t, s, Some(l)),
            _ => return Expr::Null,
        };
        let start_e = match lit_int(start) {
            Some(k) if k >= 0 => Expr::Int(k.saturating_add(1)),
            Some(k) => {
                self.value_note(
                    start.span,
                    "a negative start counts from the end; when it reaches before the first character ES|QL starts at the first character, where KQL's result is not documented",
                );
                Expr::Int(k)
            }
            None if start.is_non_negative() => {
                Expr::bin(self.expr(start), BinOp::Add, Expr::Int(1))
            }
            None => {
                self.value_note(
                    start.span,
                    "a negative start counts from the end; when it reaches before the first character ES|QL starts at the first character, where KQL's result is not documented",
                );
                let k = self.expr(start);
                Expr::call(
                    "CASE",
                    vec![
                        Expr::bin(k.clone(), BinOp::Lt, Expr::Int(0)),
                        k.clone(),
                        Expr::bin(k, BinOp::Add, Expr::Int(1)),
                    ],
                )
            }
        };
        let t = self.expr(text);
        let mut call_args = vec![or_empty(t), start_e];
        if let Some(l) = len {
            match lit_int(l) {
                Some(n) if n >= 0 => call_args.push(Expr::Int(n)),
                Some(_) => {
                    self.decline(
                        EsqlCode::B005,
                        "substring with a negative length: KQL's result is not documented",
                        l.span,
                    );
                    return Expr::Null;
                }
                None => {
                    if !l.is_non_negative() {
                        self.value_note(
                            l.span,
                            "a negative length gives \"\" here (ES|QL's SUBSTRING rejects it); KQL's result for a negative length is not documented",
                        );
                    }
                    let n = self.expr(l);
                    call_args.push(Expr::call("GREATEST", vec![n, Expr::Int(0)]));
                }
            }
        }
        // SUBSTRING of "" is null in some releases: KQL's result is "".
        or_empty(Expr::call("SUBSTRING", call_args))
    }

    /// `indexof(s, lookup)` ⇒ `LOCATE(COALESCE(s, ""), lookup) - 1`: LOCATE counts from 1 and
    /// gives 0 when the lookup is absent, so KQL's 0-based index and -1 come out.
    pub(crate) fn index_of(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        let [text, lookup] = args else {
            return Expr::Null;
        };
        match lit_str(lookup) {
            Some("") | None => {
                self.decline(
                    EsqlCode::B005,
                    "indexof needs a non-empty literal lookup for the ES|QL backend",
                    span,
                );
                Expr::Null
            }
            Some(l) => {
                let t = self.expr(text);
                Expr::bin(
                    Expr::call("LOCATE", vec![or_empty(t), Expr::Str(l.into())]),
                    BinOp::Sub,
                    Expr::Int(1),
                )
            }
        }
    }

    /// The two values of a two-argument test, or its arity declined.
    fn two_args(&mut self, func: ScalarFn, a: Vec<Expr>, span: Span) -> Option<[Expr; 2]> {
        let two = <[Expr; 2]>::try_from(a).ok();
        if two.is_none() {
            self.decline(
                EsqlCode::B005,
                format!("{func:?} takes two arguments"),
                span,
            );
        }
        two
    }

    /// `text has term` with a term computed at query time. ES|QL regexes are literals, so the
    /// term cannot be placed in a pattern; instead both sides are normalised — missing is `""`,
    /// lower-cased for `has` (not `has_cs`), every run of non-alphanumerics made one space —
    /// and ` <term's words> ` is looked up with `LOCATE` in ` <text> `. For a term of
    /// alphanumerics only this is exactly KQL's whole-term test; punctuation inside or around a
    /// term is compared only as "some separator". A term with no alphanumerics has no edge to
    /// check, so `has` is a substring test there (`""` matches everything).
    pub(super) fn has_term(&mut self, func: ScalarFn, a: Vec<Expr>, span: Span) -> Expr {
        let Some([text, term]) = self.two_args(func, a, span) else {
            return Expr::Null;
        };
        let cs = func == ScalarFn::HasTermCs;
        let text = Expr::call("COALESCE", vec![text, Expr::Str(String::new())]);
        let term = Expr::call("COALESCE", vec![term, Expr::Str(String::new())]);
        let words = |e: Expr| {
            let (e, class) = if cs {
                (e, "[^A-Za-z0-9]+")
            } else {
                (Expr::call("TO_LOWER", vec![e]), "[^a-z0-9]+")
            };
            Expr::call(
                "REPLACE",
                vec![e, Expr::Str(class.into()), Expr::Str(" ".into())],
            )
        };
        let padded = |e: Expr| {
            Expr::call(
                "CONCAT",
                vec![Expr::Str(" ".into()), e, Expr::Str(" ".into())],
            )
        };
        let term_words = Expr::call("TRIM", vec![words(term.clone())]);
        let whole_terms = Expr::bin(
            Expr::call(
                "LOCATE",
                vec![padded(words(text.clone())), padded(term_words.clone())],
            ),
            BinOp::Gt,
            Expr::Int(0),
        );
        let substring = Expr::or(vec![
            Expr::bin(term.clone(), BinOp::Eq, Expr::Str(String::new())),
            Expr::bin(
                Expr::call("LOCATE", vec![text, term]),
                BinOp::Gt,
                Expr::Int(0),
            ),
        ]);
        let msg = "has with a term computed at query time: ES|QL cannot build a regex at run \
                   time, so text and term are compared with every run of non-alphanumerics \
                   (punctuation, non-ASCII letters) as one space: a term with such characters \
                   (a.b) also matches others there (a-b, a..b), and TO_LOWER folds non-ASCII \
                   letters, which KQL does not (more rows for has, fewer for !has); exact for a \
                   term of ASCII letters and digits";
        self.notes.push(span, Effect::OverMatch, msg);
        self.notes.push(span, Effect::UnderMatch, msg);
        Expr::call(
            "CASE",
            vec![
                Expr::bin(term_words, BinOp::Eq, Expr::Str(String::new())),
                substring,
                whole_terms,
            ],
        )
    }

    /// `text contains sub` (`startswith`, `endswith`, their `_cs` forms) with `sub` computed at
    /// query time ⇒ `sub == "" OR LOCATE(text, sub) > 0` (`STARTS_WITH(text, sub)`,
    /// `ENDS_WITH(text, sub)`), both sides `COALESCE(…, "")` as KQL reads a missing string and
    /// lower-cased by `TO_LOWER` for the case-insensitive forms (which also folds non-ASCII
    /// letters: noted). An empty `sub` is true without asking the function, as KQL's
    /// `contains ""` is. A left side that is an array is declined: KQL tests the array's JSON
    /// text, and ES|QL's string functions give null for a multivalue.
    pub(super) fn substring_test(
        &mut self,
        func: ScalarFn,
        args: &[ir::Expr],
        a: Vec<Expr>,
        span: Span,
    ) -> Expr {
        let Some([text, sub]) = self.two_args(func, a, span) else {
            return Expr::Null;
        };
        if args.first().is_some_and(|t| self.is_array(t)) {
            self.decline_help(
                EsqlCode::B005,
                "a substring test of an array: KQL tests the array's JSON text, ES|QL's string \
                 functions give null for a multivalue",
                args[0].span,
                "test a string column instead",
            );
            return Expr::Null;
        }
        let insensitive = matches!(
            func,
            ScalarFn::Contains | ScalarFn::StartsWith | ScalarFn::EndsWith
        );
        let side = |e: Expr| {
            let e = Expr::call("COALESCE", vec![e, Expr::Str(String::new())]);
            if insensitive {
                Expr::call("TO_LOWER", vec![e])
            } else {
                e
            }
        };
        let (text, sub) = (side(text), side(sub));
        let test = match func {
            ScalarFn::StartsWith | ScalarFn::StartsWithCs => {
                Expr::call("STARTS_WITH", vec![text, sub.clone()])
            }
            ScalarFn::EndsWith | ScalarFn::EndsWithCs => {
                Expr::call("ENDS_WITH", vec![text, sub.clone()])
            }
            _ => Expr::bin(
                Expr::call("LOCATE", vec![text, sub.clone()]),
                BinOp::Gt,
                Expr::Int(0),
            ),
        };
        if insensitive {
            let msg = "a case-insensitive substring test of a value computed at query time: \
                       TO_LOWER also folds non-ASCII letters, which KQL does not, so a value \
                       with non-ASCII letters can match text that KQL's does not (more rows \
                       for the test, fewer for its negation)";
            self.notes.push(span, Effect::OverMatch, msg);
            self.notes.push(span, Effect::UnderMatch, msg);
        }
        Expr::or(vec![
            Expr::bin(sub, BinOp::Eq, Expr::Str(String::new())),
            test,
        ])
    }

    /// `hash_sha256(s)`/`hash_md5(s)` of a text ⇒ `SHA256(COALESCE(s, ""))`/`MD5(…)` (ES|QL:
    /// the digest as lower-case hex, `SHA256("Connected to 10.1.0.1")` is `6d837212…d85c`), a
    /// missing text read as `""`; noted for what KQL leaves undocumented. Another type of value
    /// is declined: KQL hashes its own text of it.
    pub(super) fn hash_text(
        &mut self,
        func: ScalarFn,
        args: &[ir::Expr],
        a: Vec<Expr>,
        span: Span,
    ) -> Expr {
        if args.first().and_then(|x| self.cols.infer(x))
            != Some(kqlport::schema::ColumnType::String)
        {
            self.decline_help(
                EsqlCode::B005,
                format!("{func:?} is translated for a text only: KQL hashes its own text of other values"),
                span,
                "hash tostring() of the value only where its text is the same in both",
            );
            return Expr::Null;
        }
        self.value_note(span, kqlport_kit::notes::HASH_TEXT);
        let name = if func == ScalarFn::HashSha256 {
            "SHA256"
        } else {
            "MD5"
        };
        Expr::call(name, a.into_iter().map(or_empty).collect())
    }

    /// `reverse(s)` ⇒ `REVERSE(COALESCE(s, ""))`: KQL's reverse of an empty or missing text is
    /// `""`. ES|QL keeps each grapheme cluster (a letter with its combining marks, an emoji)
    /// together; KQL does not say what it does with them: noted.
    pub(super) fn reverse_text(&mut self, a: Vec<Expr>, span: Span) -> Expr {
        self.value_note(
            span,
            "reverse(): ES|QL's REVERSE keeps grapheme clusters (a letter and its combining \
             marks, an emoji sequence) together; what KQL does with characters beyond ASCII is \
             not documented",
        );
        Expr::call("REVERSE", a.into_iter().map(or_empty).collect())
    }

    /// `max_of(a, b, …)` (`min_of`) of numbers ⇒ `CASE(COALESCE(a, b, …) IS NOT NULL,
    /// GREATEST(COALESCE(a, b, …), COALESCE(b, a, …), …))` (`LEAST`), each argument `TO_LONG`
    /// (`TO_DOUBLE` when one is a real) so all have one type; each argument replaced,
    /// where it is null, by another's value, so GREATEST never sees a null while any argument
    /// has a value (KQL: "non-null values take precedence"); null when all are null.
    pub(super) fn max_min_of(
        &mut self,
        func: ScalarFn,
        args: &[ir::Expr],
        a: Vec<Expr>,
        span: Span,
    ) -> Expr {
        use kqlport::schema::ColumnType as T;
        let types: Vec<Option<T>> = args.iter().map(|x| self.cols.infer(x)).collect();
        let numeric = types
            .iter()
            .all(|t| matches!(t, Some(T::Int | T::Long | T::Real | T::Decimal)));
        if !numeric {
            self.decline_help(
                EsqlCode::B005,
                format!("{func:?} is translated for numbers only"),
                span,
                "convert the arguments to numbers first",
            );
            return Expr::Null;
        }
        let name = if func == ScalarFn::MaxOf {
            "GREATEST"
        } else {
            "LEAST"
        };
        // GREATEST takes arguments of one type, and a KQL long literal may be an ES|QL
        // integer: every argument is converted to a double when any is a real, else to a
        // long, which keeps every value.
        let to = if types
            .iter()
            .any(|t| matches!(t, Some(T::Real | T::Decimal)))
        {
            "TO_DOUBLE"
        } else {
            "TO_LONG"
        };
        let a: Vec<Expr> = a.into_iter().map(|x| Expr::call(to, vec![x])).collect();
        let rotated: Vec<Expr> = (0..a.len())
            .map(|i| {
                let mut v = a.clone();
                v.rotate_left(i);
                match v.len() {
                    1 => v.remove(0),
                    _ => Expr::call("COALESCE", v),
                }
            })
            .collect();
        let any = match a.len() {
            1 => a[0].clone(),
            _ => Expr::call("COALESCE", a),
        };
        Expr::call(
            "CASE",
            vec![Expr::is_not_null(any), Expr::call(name, rotated)],
        )
    }

    /// Whether `e` holds an array: of the dynamic type, or a column collected by
    /// `make_set`/`make_list`, a `split` or `extract_all` result.
    fn is_array(&self, e: &ir::Expr) -> bool {
        use kqlport::ir::facts::Shape;
        let array_shape = |s: Shape| {
            matches!(
                s,
                Shape::Multivalue(_) | Shape::Split { .. } | Shape::Matches
            )
        };
        self.cols.infer(e) == Some(kqlport::schema::ColumnType::Dynamic)
            || array_shape(self.cols.shape_of(e))
            || matches!(&e.kind, ExprKind::Field(f) if f.is_plain() && array_shape(self.cols.shape(&f.column)))
    }

    /// `tohex(n[, w])` ⇒ sixteen hex digits by arithmetic, leading zeros stripped:
    /// `REPLACE(CONCAT(d15, …, d0), "^0{1,K}", "")` with `K = 16 - w` (`w` = 1 by default),
    /// where `dk = SUBSTRING(CASE(n < 0, "fedcba9876543210", "0123456789abcdef"), (m / 16^k) %
    /// 16 + 1, 1)` and `m = CASE(n < 0, -1 - n, n)`: a negative long's two's complement digits
    /// are `15 -` those of `-1 - n` (its bitwise complement, never negative, never overflowing),
    /// so they start with `f` and keep all sixteen, as in KQL. A null `n` gives null, as in KQL.
    /// `w` must be a literal 1…16 (more counts as 16, as in KQL). KQL writes a negative 32-bit
    /// int in eight digits: unless the value is known to be a long (`tolong(…)`, a long
    /// literal, a length), a Values note says so.
    pub(crate) fn hex_digits(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        let (v, width) = match args {
            [v] => (v, 1),
            [v, w] => match lit_int(w) {
                Some(w) if w >= 1 => (v, w.min(16)),
                _ => {
                    self.decline(
                        EsqlCode::B005,
                        "tohex's minimum length must be a literal from 1 to 16 for the ES|QL backend",
                        w.span,
                    );
                    return Expr::Null;
                }
            },
            _ => return Expr::Null,
        };
        let is_long = v.is_non_negative()
            || matches!(
                &v.kind,
                ExprKind::Call {
                    func: ScalarFn::ToLong,
                    ..
                }
            );
        if !is_long {
            self.value_note(
                span,
                "tohex: the value is read as a long (TO_LONG), so a negative 32-bit int gets its 64-bit two's complement (16 hex digits) where KQL writes 8, and a real is rounded (TO_LONG is Java's Math.round) where KQL's tohex takes only int and long",
            );
        }
        let x = self.expr(v);
        let n = match x {
            Expr::Call("TO_LONG", _) | Expr::Int(_) => x,
            x => Expr::call("TO_LONG", vec![x]),
        };
        let negative = || Expr::bin(n.clone(), BinOp::Lt, Expr::Int(0));
        let m = Expr::call(
            "CASE",
            vec![
                negative(),
                Expr::bin(Expr::Int(-1), BinOp::Sub, n.clone()),
                n.clone(),
            ],
        );
        let alphabet = Expr::call(
            "CASE",
            vec![
                negative(),
                Expr::Str("fedcba9876543210".into()),
                Expr::Str("0123456789abcdef".into()),
            ],
        );
        let digits = (0..16u32)
            .rev()
            .map(|k| {
                let shifted = if k == 0 {
                    m.clone()
                } else {
                    Expr::bin(m.clone(), BinOp::Div, Expr::Int(16i64.pow(k)))
                };
                let d = Expr::bin(shifted, BinOp::Mod, Expr::Int(16));
                Expr::call(
                    "SUBSTRING",
                    vec![
                        alphabet.clone(),
                        Expr::bin(d, BinOp::Add, Expr::Int(1)),
                        Expr::Int(1),
                    ],
                )
            })
            .collect();
        let all = Expr::call("CONCAT", digits);
        if width >= 16 {
            all
        } else {
            replace(all, format!("^0{{1,{}}}", 16 - width), String::new())
        }
    }

    /// `url_encode(x)` ⇒ `URL_ENCODE(COALESCE(x, ""))` (a recent ES|QL function), with a note:
    /// the escapes are spelled differently.
    pub(crate) fn url_encode(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        self.value_note(
            span,
            "url_encode ⇒ URL_ENCODE: KQL writes escapes in lower case (%3a) and ES|QL in upper case (%3A), and the two may leave different punctuation unescaped (ES|QL keeps only letters, digits and . - _ ~), so the encoded text and tests on it can differ",
        );
        let x = self.expr(&args[0]);
        Expr::call("URL_ENCODE", vec![or_empty(x)])
    }

    /// `url_decode(x)` ⇒ `COALESCE(URL_DECODE(COALESCE(x, "")), "")` (a recent ES|QL function:
    /// Java's URL decoder), with a note: the two may differ on `+` and on malformed escapes.
    pub(crate) fn url_decode(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        self.value_note(
            span,
            "url_decode ⇒ URL_DECODE (Java's URL decoder): it decodes `+` as a space, and gives \"\" (null) for a malformed escape such as `%zz` or bytes that are not UTF-8, where KQL's handling of `+` and of malformed input is not documented",
        );
        let x = self.expr(&args[0]);
        or_empty(Expr::call("URL_DECODE", vec![or_empty(x)]))
    }

    /// `base64_decode_tostring(s)` ⇒ `COALESCE(FROM_BASE64(COALESCE(s, "")), "")`: bytes that are
    /// not UTF-8 give null in both (KQL's null string reads as ""). Java's decoder also accepts
    /// input without `=` padding and gives null for malformed base64, where KQL's handling is
    /// not documented: a Values note.
    pub(crate) fn base64_decode(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        self.value_note(
            span,
            "base64_decode_tostring ⇒ FROM_BASE64 (Java's decoder): it also decodes input without `=` padding, and gives \"\" for malformed base64, where KQL's result for malformed input is not documented",
        );
        let x = self.expr(&args[0]);
        or_empty(Expr::call("FROM_BASE64", vec![or_empty(x)]))
    }
}
