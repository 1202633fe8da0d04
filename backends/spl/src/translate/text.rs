//! Text functions: `strcat`, `substring`, `replace_string`, `indexof`, and those built on
//! regexes (`replace_regex`, `extract`, `trim`, `countof`, `indexof_regex`, `has` with a term
//! computed at query time) or `printf` (`tohex`); `string_size`.

use super::Tx;
use crate::ast::Eval;
use kqlport::backend::Effect;
use kqlport::codes::SplCode;
use kqlport::ir::{Expr, ExprKind, Literal, ScalarFn};
use kqlport::source::Span;
use kqlport_kit::regex::{facts, pcre as re};

/// A term boundary: KQL terms are maximal runs of ASCII alphanumerics.
const NON_ALNUM: &str = "[^A-Za-z0-9]";

impl Tx {
    /// `strcat(a, …)` ⇒ `a . …`, a missing value read as KQL's `""`.
    pub(super) fn strcat(&mut self, args: &[Expr]) -> Option<Eval> {
        let mut parts = Vec::new();
        for a in args {
            parts.push(match &a.kind {
                ExprKind::Literal(Literal::String(s)) => Eval::Str(s.clone()),
                _ => Eval::call("coalesce", vec![self.expr(a)?, Eval::str("")]),
            });
        }
        Some(match parts.len() {
            0 => Eval::str(""),
            1 => parts.remove(0),
            _ => Eval::Concat(parts),
        })
    }

    /// `substring(s, start[, length])` ⇒ `substr(s, start + 1[, length])`.
    pub(super) fn substring(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let func = ScalarFn::Substring;
        let s = self.str_arg(func, args, 0, span)?;
        // KQL's start is 0-based and Splunk's 1-based; a negative start counts from
        // the end in both (`substring("123456", -2)` and `substr("123456", -2)` are
        // "56"), so only a non-negative start is shifted.
        const BEFORE_FIRST: &str = "a negative start counts from the end; when it reaches before the first character, neither KQL nor Splunk documents the result";
        let start = match args.get(1) {
            Some(a) => match &a.kind {
                ExprKind::Literal(Literal::Long(n)) if *n >= 0 => Eval::Num((n + 1).to_string()),
                ExprKind::Literal(Literal::Long(n)) => {
                    self.value_note(a.span, BEFORE_FIRST);
                    Eval::Num(n.to_string())
                }
                _ if a.is_non_negative() => {
                    Eval::bin(" + ", self.arg(func, args, 1, span)?, Eval::Num("1".into()))
                }
                _ => {
                    self.value_note(a.span, BEFORE_FIRST);
                    let k = self.arg(func, args, 1, span)?;
                    Eval::call(
                        "if",
                        vec![
                            Eval::bin("<", k.clone(), Eval::Num("0".into())),
                            k.clone(),
                            Eval::bin(" + ", k, Eval::Num("1".into())),
                        ],
                    )
                }
            },
            None => return self.unsupported_fn(func, span),
        };
        let mut v = vec![s, start];
        if args.len() > 2 {
            v.push(self.arg(func, args, 2, span)?);
        }
        Some(Eval::call("substr", v))
    }

    /// `replace_string(text, lookup, rewrite)` ⇒ `replace` with the lookup regex-escaped.
    pub(super) fn replace_string(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let func = ScalarFn::ReplaceString;
        let text = self.str_arg(func, args, 0, span)?;
        let lookup = self.literal_str(args.get(1)?, "the replace_string lookup")?;
        let rewrite = self.literal_str(args.get(2)?, "the replace_string rewrite")?;
        if lookup.is_empty() {
            return self.unsupported_fn(func, span);
        }
        Some(Eval::call(
            "replace",
            vec![
                text,
                Eval::str(re::escape(lookup)),
                Eval::str(rewrite.replace('\\', "\\\\")),
            ],
        ))
    }

    /// `indexof(t, s)` with a literal `s`.
    pub(super) fn index_of(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let func = ScalarFn::IndexOf;
        // The characters before the first occurrence, or -1 (KQL's "not found").
        let t = self.str_arg(func, args, 0, span)?;
        let look = self.literal_str(&args[1], "the indexof lookup")?;
        if look.is_empty() {
            return self.unsupported_fn(func, span);
        }
        let esc = re::escape(look);
        Some(Eval::call(
            "if",
            vec![
                Eval::call("match", vec![t.clone(), Eval::Str(esc.clone())]),
                Eval::call(
                    "len",
                    vec![Eval::call(
                        "replace",
                        vec![t, Eval::Str(format!("^(?s)(.*?){esc}.*")), Eval::str("\\1")],
                    )],
                ),
                Eval::Num("-1".into()),
            ],
        ))
    }

    fn regex_arg(&mut self, e: &Expr, what: &str) -> Option<(String, bool)> {
        let pat = self.literal_str(e, what)?;
        match re::re2_to_pcre(pat) {
            Ok(p) => Some((p, facts::matches_empty(pat).unwrap_or(true))),
            Err(u) => {
                self.refuse(
                    SplCode::B016,
                    e.span,
                    &format!("regular expression cannot be ported to PCRE: {}", u.message),
                    &format!("pattern bytes {:?}", u.range()),
                    "rewrite the pattern in the common RE2/PCRE subset",
                );
                None
            }
        }
    }

    /// `replace_regex(text, re, rewrite)` (and the older `replace(re, rewrite, text)`, which
    /// lowering folds into the same function: told apart by which argument is not a literal)
    /// ⇒ `replace(text, pcre, rewrite)`. Both substitute every non-overlapping match, and both
    /// rewrites spell group `n` as `\n`.
    pub(super) fn replace_regex(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let is_lit = |e: &Expr| matches!(e.kind, ExprKind::Literal(Literal::String(_)));
        let (text, re_e, rw_e) = match args {
            // The IR's order is (text, regex, rewrite) for both KQL spellings.
            [t, r, w] if is_lit(r) && is_lit(w) => (t, r, w),
            _ => {
                self.refuse(
                    SplCode::B019,
                    span,
                    "replace_regex needs a literal pattern and rewrite and a non-literal text \
                     for the SPL backend",
                    "arguments",
                    "use literal pattern and rewrite strings",
                );
                return None;
            }
        };
        let (pcre, empty) = self.regex_arg(re_e, "the replace_regex pattern")?;
        let rewrite = self.literal_str(rw_e, "the replace_regex rewrite")?;
        let Some(rewrite) = spl_rewrite(rewrite) else {
            self.refuse(
                SplCode::B019,
                rw_e.span,
                "this replace_regex rewrite cannot be written for Splunk's replace",
                "\\0, `$` or an unknown escape",
                "use plain text and the group references \\1 to \\9",
            );
            return None;
        };
        if empty {
            self.value_note(
                span,
                "the pattern can match the empty string; where RE2 and PCRE place empty \
                 matches next to other matches can differ",
            );
        }
        let subject = Eval::call("coalesce", vec![self.expr(text)?, Eval::str("")]);
        Some(Eval::call(
            "replace",
            vec![subject, Eval::Str(pcre), Eval::Str(rewrite)],
        ))
    }

    /// `extract(re, g, text)` ⇒ the first match's group `g` through `replace` on a pattern that
    /// spans the whole text (`^(?s:.*?)(?:re)(?s:.*)`, the lazy prefix finds the leftmost
    /// match), or null — KQL's "" — when `re` does not match.
    pub(super) fn extract(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let [re_e, g_e, text] = args else {
            return self.unsupported_fn(ScalarFn::Extract, span);
        };
        let g = match g_e.kind {
            ExprKind::Literal(Literal::Long(g)) if (0..=9).contains(&g) => g,
            _ => {
                self.refuse(
                    SplCode::B019,
                    g_e.span,
                    "the extract capture group must be a literal from 0 to 9 for the SPL backend",
                    "capture group",
                    "use a literal group number",
                );
                return None;
            }
        };
        let (pcre, _) = self.regex_arg(re_e, "the extract pattern")?;
        let subject = Eval::call("coalesce", vec![self.expr(text)?, Eval::str("")]);
        let (whole, group) = if g == 0 {
            (format!("^(?s:.*?)({pcre})(?s:.*)"), "\\1".to_string())
        } else {
            (format!("^(?s:.*?)(?:{pcre})(?s:.*)"), format!("\\{g}"))
        };
        Some(Eval::call(
            "if",
            vec![
                Eval::call("match", vec![subject.clone(), Eval::Str(pcre)]),
                Eval::call("replace", vec![subject, Eval::Str(whole), Eval::Str(group)]),
                Eval::call("null", vec![]),
            ],
        ))
    }

    /// `trim(re, t)`, `trim_start`, `trim_end`: the leftmost match anchored at the start
    /// (`^(?:re)`) and/or the end (`(?:re)\z`) removed with `replace`.
    pub(super) fn trim(&mut self, func: ScalarFn, args: &[Expr], span: Span) -> Option<Eval> {
        let (pcre, _) = self.regex_arg(&args[0], "the trim pattern")?;
        let run = match &args[0].kind {
            ExprKind::Literal(Literal::String(p)) => facts::is_class_run(p),
            _ => false,
        };
        if !run {
            self.value_note(
                span,
                "trim(): one match of the pattern is removed at each end; KQL documents removing \
                 \"the\" leading/trailing match, and whether it removes a further match that the \
                 first one uncovers is not documented",
            );
        }
        let mut t = Eval::call("coalesce", vec![self.expr(&args[1])?, Eval::str("")]);
        if func != ScalarFn::TrimEnd {
            t = Eval::call(
                "replace",
                vec![t, Eval::Str(format!("^(?:{pcre})")), Eval::str("")],
            );
        }
        if func != ScalarFn::TrimStart {
            t = Eval::call(
                "replace",
                vec![t, Eval::Str(format!("(?:{pcre})\\z")), Eval::str("")],
            );
        }
        Some(t)
    }

    /// `countof(t, s)`: KQL counts overlapping occurrences of plain text, so only a search
    /// text that cannot overlap itself is counted, as the characters `replace` removes over
    /// its length; `countof(t, re, "regex")` counts non-overlapping matches, likewise when
    /// every match has the same length.
    pub(super) fn count_of(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let regex = match args.get(2).map(|a| &a.kind) {
            None => false,
            Some(ExprKind::Literal(Literal::String(k))) if k == "normal" => false,
            Some(ExprKind::Literal(Literal::String(k))) if k == "regex" => true,
            _ => return self.unsupported_fn(ScalarFn::CountOf, span),
        };
        let [text, search, ..] = args else {
            return self.unsupported_fn(ScalarFn::CountOf, span);
        };
        let s = self.literal_str(search, "the countof search")?.to_string();
        let (pattern, len) = if regex {
            let (pcre, _) = self.regex_arg(search, "the countof pattern")?;
            match facts::fixed_match_chars(&s) {
                Some((n, non_ascii)) if n > 0 => {
                    if non_ascii {
                        self.value_note(
                            span,
                            "countof(): matches are counted by the characters they remove; if \
                             Splunk's PCRE runs without UTF-8 mode, a non-ASCII character is \
                             matched byte by byte and the count differs",
                        );
                    }
                    (pcre, n)
                }
                _ => {
                    self.refuse(
                        SplCode::B014,
                        search.span,
                        "countof with a regex whose matches differ in length is not supported \
                         by the SPL backend",
                        "matches of different lengths",
                        "count with a pattern whose every match has the same length",
                    );
                    return None;
                }
            }
        } else {
            let chars: Vec<char> = s.chars().collect();
            let overlaps = (1..chars.len()).any(|k| chars[..k] == chars[chars.len() - k..]);
            if chars.is_empty() || overlaps {
                self.refuse(
                    SplCode::B014,
                    search.span,
                    "countof of a search text that can overlap itself is not supported by the \
                     SPL backend",
                    "KQL counts overlapping occurrences",
                    "count a text that cannot overlap itself",
                );
                return None;
            }
            (re::escape(&s), chars.len())
        };
        let t = Eval::call("coalesce", vec![self.expr(text)?, Eval::str("")]);
        let removed = Eval::bin(
            " - ",
            Eval::call("len", vec![t.clone()]),
            Eval::call(
                "len",
                vec![Eval::call(
                    "replace",
                    vec![t, Eval::Str(pattern), Eval::str("")],
                )],
            ),
        );
        Some(if len == 1 {
            removed
        } else {
            Eval::bin(" / ", removed, Eval::Num(len.to_string()))
        })
    }

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
        let escaped = regex_escaped(term);
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

    /// `text contains sub` (`startswith`, `endswith`, their `_cs` forms) with `sub` computed at
    /// query time ⇒ `match(text, <pattern>)`, the pattern `sub` escaped at run time (see
    /// [`regex_escaped`]), anchored by `^` (start) or `\z` (the very end; `$` would also match
    /// before a final newline) and prefixed by `(?i)` for the case-insensitive forms. Missing
    /// text or `sub` is `""`; an empty `sub` is an empty pattern, which matches every text, as
    /// KQL's `contains ""` does. A left side that is an array (a `make_set`/`make_list`
    /// multivalue) is refused: KQL tests the array's JSON text, `match` each value.
    pub(super) fn substring_test(
        &mut self,
        func: ScalarFn,
        args: &[Expr],
        span: Span,
    ) -> Option<Eval> {
        use kqlport::schema::ColumnType as T;
        let [text, sub] = args else {
            return self.unsupported_fn(func, span);
        };
        let array_shape = |s: kqlport::ir::facts::Shape| {
            use kqlport::ir::facts::Shape;
            matches!(
                s,
                Shape::Multivalue(_) | Shape::Split { .. } | Shape::Matches
            )
        };
        let array = match &text.kind {
            ExprKind::Field(f) => f.is_plain() && array_shape(self.cols.shape(&f.column)),
            _ => false,
        } || array_shape(self.cols.shape_of(text))
            || self.cols.infer(text) == Some(T::Dynamic);
        if array {
            self.refuse(
                SplCode::B014,
                text.span,
                "a substring test of an array is not supported by the SPL backend",
                "an array",
                "KQL tests the array's JSON text; Splunk's match() tests each value of a \
                 multivalue field: test a string column instead",
            );
            return None;
        }
        let text = Eval::call("coalesce", vec![self.expr(text)?, Eval::str("")]);
        let sub = Eval::call("coalesce", vec![self.expr(sub)?, Eval::str("")]);
        let (before, after) = match func {
            ScalarFn::StartsWith | ScalarFn::StartsWithCs => ("^", ""),
            ScalarFn::EndsWith | ScalarFn::EndsWithCs => ("", "\\z"),
            _ => ("", ""),
        };
        let flag = if matches!(
            func,
            ScalarFn::Contains | ScalarFn::StartsWith | ScalarFn::EndsWith
        ) {
            let msg = "a case-insensitive substring test of a value computed at query time: \
                       Splunk's (?i) also folds non-ASCII letters, which KQL does not, so a \
                       value with non-ASCII letters can match text that KQL's does not (more \
                       rows for the test, fewer for its negation)";
            self.notes.push(span, Effect::OverMatch, msg);
            self.notes.push(span, Effect::UnderMatch, msg);
            "(?i)"
        } else {
            ""
        };
        let mut pattern = vec![regex_escaped(sub)];
        if !flag.is_empty() || !before.is_empty() {
            pattern.insert(0, Eval::Str(format!("{flag}{before}")));
        }
        if !after.is_empty() {
            pattern.push(Eval::Str(after.into()));
        }
        let pattern = match pattern.len() {
            1 => pattern.remove(0),
            _ => Eval::Concat(pattern),
        };
        Some(Eval::call("match", vec![text, pattern]))
    }
}

/// A text computed at query time as a PCRE pattern matching exactly that text: every
/// non-alphanumeric character backslash-escaped by `replace` at run time (PCRE: a backslash
/// before a character that is not a letter or digit takes away any special meaning it has).
pub(super) fn regex_escaped(text: Eval) -> Eval {
    Eval::call(
        "replace",
        vec![
            text,
            Eval::str(format!("({NON_ALNUM})")),
            Eval::str("\\\\\\1"),
        ],
    )
}

/// A KQL (RE2) rewrite as a Splunk `replace` rewrite: text and `\1`-`\9` group references;
/// `\\` is a literal backslash. `None` for `\0`, other escapes and `$`, whose meaning in
/// Splunk's rewrite is not documented.
fn spl_rewrite(kql: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = kql.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                d @ '1'..='9' => {
                    out.push('\\');
                    out.push(d);
                }
                '\\' => out.push_str("\\\\"),
                _ => return None,
            },
            '$' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}
