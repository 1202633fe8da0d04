//! Eval renderings of scalar functions added to the IR after the main table in `translate.rs`
//! (kept apart so each can be reviewed with its KQL and Splunk semantics side by side).

use super::Tx;
use crate::ast::Eval;
use kqlport::backend::Effect;
use kqlport::ir::{Expr, ExprKind, Literal, ScalarFn};
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
}
