//! Regex functions, built on `REPLACE` with a Java regex from [`crate::java`].
//!
//! `extract`, `replace_regex`, `replace_string`, `countof`, `trim*` and `indexof_regex`.

use super::{lit_int, lit_str, or_empty, replace};
use crate::ast::{BinOp, Expr};
use crate::cx::Cx;
use crate::java::{self, JavaRegex};
use kqlport::codes::EsqlCode;
use kqlport::ir::{self, ScalarFn};
use kqlport::source::Span;

/// The number of non-overlapping matches of `pattern` in `text`: each match replaced by two
/// characters instead of one lengthens the result by one (the matches do not depend on the
/// replacement).
pub(super) fn count_matches(text: Expr, pattern: &str) -> Expr {
    Expr::bin(
        Expr::call(
            "LENGTH",
            vec![replace(text.clone(), pattern.to_string(), "xx".into())],
        ),
        BinOp::Sub,
        Expr::call(
            "LENGTH",
            vec![replace(text, pattern.to_string(), "x".into())],
        ),
    )
}

impl Cx {
    /// A literal RE2 pattern as a Java regex, or a B001 refusal naming the construct.
    fn java_regex(&mut self, what: &str, pattern: &str, span: Span) -> Option<JavaRegex> {
        match java::rewrite_re2(pattern) {
            Ok(j) => Some(j),
            Err(u) => {
                let detail = match u.at {
                    Some((a, b)) => format!(
                        " (at `{}` in the pattern)",
                        pattern.get(a..b).unwrap_or_default()
                    ),
                    None => String::new(),
                };
                self.decline(
                    EsqlCode::B001,
                    format!(
                        "the {what} regex cannot be rewritten exactly for ES|QL's Java regex: {}{detail}",
                        u.message
                    ),
                    span,
                );
                None
            }
        }
    }

    /// `extract(re, g, text)` ⇒ `REPLACE(COALESCE(text, ""), "\A(?s:.*?)(?:re)(?s:.*)|(?s:.*)",
    /// "$g")`: the first alternative spans the whole text, its lazy prefix finding the leftmost
    /// match of `re`, and is replaced by group `g`; when `re` does not match, the second
    /// alternative replaces the text by the unset group, i.e. `""` — KQL's value for no match
    /// (group 0 is `re` wrapped in a group of its own). The empty match that `REPLACE` also
    /// finds at the end of the text adds nothing.
    pub(crate) fn extract(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        let [re, g, text] = args else {
            self.decline(
                EsqlCode::B005,
                "extract with a type argument has no ES|QL form here",
                span,
            );
            return Expr::Null;
        };
        let (Some(re_s), Some(g)) = (lit_str(re), lit_int(g)) else {
            return self.need_literal("the extract regex and group number", span);
        };
        let Some(j) = self.java_regex("extract", re_s, re.span) else {
            return Expr::Null;
        };
        if g < 0 || g as usize > j.groups {
            self.decline(
                EsqlCode::B005,
                format!(
                    "extract asks for group {g}, and the regex has {} capture group(s)",
                    j.groups
                ),
                span,
            );
            return Expr::Null;
        }
        let (pattern, rewrite) = if g == 0 {
            (
                format!("\\A(?s:.*?)({})(?s:.*)|(?s:.*)", j.pattern),
                "$1".to_string(),
            )
        } else {
            (
                format!("\\A(?s:.*?)(?:{})(?s:.*)|(?s:.*)", j.pattern),
                format!("${g}"),
            )
        };
        let t = self.expr(text);
        replace(or_empty(t), pattern, rewrite)
    }

    /// `replace_regex(text, re, rewrite)` ⇒ `REPLACE(COALESCE(text, ""), re', rewrite')`: both
    /// replace every non-overlapping match, left to right. The rewrite's `\0`…`\9` become
    /// `$0`…`$9`, `\\` a backslash and `$` is escaped; a pattern that can match the empty
    /// string gets a Values note (RE2 skips an empty match right after a match, Java does not).
    pub(crate) fn replace_regex(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        let [text, re, rw] = args else {
            return Expr::Null;
        };
        let (Some(re_s), Some(rw_s)) = (lit_str(re), lit_str(rw)) else {
            return self.need_literal("the replace_regex pattern and rewrite", span);
        };
        let Some(j) = self.java_regex("replace_regex", re_s, re.span) else {
            return Expr::Null;
        };
        let mut out = String::new();
        let mut chars = rw_s.chars();
        while let Some(c) = chars.next() {
            match c {
                '$' => out.push_str("\\$"),
                '\\' => match chars.next() {
                    Some(d @ '0'..='9') => {
                        if d.to_digit(10).unwrap_or(0) as usize > j.groups {
                            self.decline(
                                EsqlCode::B005,
                                format!("the rewrite refers to group {d}, and the regex has {} capture group(s)", j.groups),
                                rw.span,
                            );
                            return Expr::Null;
                        }
                        out.push('$');
                        out.push(d);
                    }
                    Some('\\') => out.push_str("\\\\"),
                    _ => {
                        self.decline(
                            EsqlCode::B005,
                            "the rewrite uses an escape other than \\0-\\9 or \\\\",
                            rw.span,
                        );
                        return Expr::Null;
                    }
                },
                other => out.push(other),
            }
        }
        if j.matches_empty {
            self.value_note(
                span,
                "the pattern can match the empty string: Java's REPLACE also replaces an empty match right after a previous match (e.g. at the end of the text), which RE2 skips, so the result can differ",
            );
        }
        let t = self.expr(text);
        replace(or_empty(t), j.pattern, out)
    }

    /// `replace_string(text, lookup, rewrite)` ⇒ `REPLACE` with the lookup quoted as a Java
    /// regex and the rewrite escaped: every non-overlapping occurrence, left to right.
    pub(crate) fn replace_string(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        let [text, lookup, rw] = args else {
            return Expr::Null;
        };
        let (Some(l), Some(r)) = (lit_str(lookup), lit_str(rw)) else {
            return self.need_literal("the replace_string lookup and rewrite", span);
        };
        if l.is_empty() {
            self.decline(
                EsqlCode::B005,
                "replace_string with an empty lookup: KQL's result is not documented",
                span,
            );
            return Expr::Null;
        }
        let t = self.expr(text);
        replace(or_empty(t), java::literal(l), java::replacement_literal(r))
    }

    /// `countof(text, search[, kind])`: the number of matches, as the length difference of two
    /// `REPLACE`s (see `count_matches`). A plain search counts overlapping occurrences, as KQL
    /// does, by matching the lookahead `(?=search)` at every position; a regex counts
    /// non-overlapping matches (one that can match the empty string is declined: RE2 and Java
    /// place empty matches differently).
    pub(crate) fn countof(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        let (text, search, kind) = match args {
            [t, s] => (t, s, "normal"),
            [t, s, k] => match lit_str(k) {
                Some(k) => (t, s, k),
                None => return self.need_literal("the countof kind", span),
            },
            _ => return Expr::Null,
        };
        let Some(s) = lit_str(search) else {
            return self.need_literal("the countof search", span);
        };
        if s.is_empty() {
            self.decline(EsqlCode::B005, "countof with an empty search", span);
            return Expr::Null;
        }
        let pattern = match kind.to_ascii_lowercase().as_str() {
            "normal" => format!("(?={})", java::literal(s)),
            "regex" => {
                let Some(j) = self.java_regex("countof", s, search.span) else {
                    return Expr::Null;
                };
                if j.matches_empty {
                    self.decline(
                        EsqlCode::B005,
                        "countof with a regex that can match the empty string: RE2 and Java count empty matches differently",
                        search.span,
                    );
                    return Expr::Null;
                }
                j.pattern
            }
            _ => {
                self.decline(
                    EsqlCode::B005,
                    "countof's kind must be \"normal\" or \"regex\"",
                    span,
                );
                return Expr::Null;
            }
        };
        let t = self.expr(text);
        count_matches(or_empty(t), &pattern)
    }

    /// `trim_start(re, text)` ⇒ `REPLACE(text, "\A(?:re)", "")`, `trim_end` ⇒ `(?:re)\z` (the
    /// leftmost match that reaches the end), `trim` both. One match is removed at each end:
    /// KQL documents removing "the leading match" but not whether a second match right after it
    /// goes too, so unless the regex is one unbounded repetition of a single character class
    /// (where no second match can follow), a Values note says so.
    pub(crate) fn trim(&mut self, func: ScalarFn, args: &[ir::Expr], span: Span) -> Expr {
        let [re, text] = args else {
            return Expr::Null;
        };
        let Some(re_s) = lit_str(re) else {
            return self.need_literal("the trim regex", span);
        };
        let Some(j) = self.java_regex("trim", re_s, re.span) else {
            return Expr::Null;
        };
        if !is_closed_run(re_s) {
            self.value_note(
                span,
                "trim removes one match of the regex at each end; KQL documents removing the leading/trailing match but not whether a further match right after it is removed too, so such values can differ",
            );
        }
        let t = self.expr(text);
        let mut v = or_empty(t);
        if matches!(func, ScalarFn::Trim | ScalarFn::TrimStart) {
            v = replace(v, format!("\\A(?:{})", j.pattern), String::new());
        }
        if matches!(func, ScalarFn::Trim | ScalarFn::TrimEnd) {
            v = replace(v, format!("(?:{})\\z", j.pattern), String::new());
        }
        v
    }

    /// `indexof_regex(text, re)` ⇒ with `P = "\A((?s:.*?))(?:re')(?s:.*)"` (`re'` the Java
    /// form of `re`), `CASE(REPLACE(t, P, "$1x") == REPLACE(t, P, "$1"), -1,
    /// LENGTH(REPLACE(t, P, "$1")))` where `t = COALESCE(text, "")`. `P` spans the whole text
    /// and its lazy group 1 is the text before the leftmost match of `re` (the first position
    /// where `re` matches at all, in Java as in RE2), so both rewrites differ exactly when `re`
    /// matches, and the group's length in characters is KQL's index. Anchors in `re` see the
    /// original text. The start, length and occurrence arguments are declined.
    pub(crate) fn index_of_regex(&mut self, args: &[ir::Expr], span: Span) -> Expr {
        let [text, re] = args else {
            self.decline(
                EsqlCode::B005,
                "indexof_regex with start, length or occurrence arguments has no ES|QL form here",
                span,
            );
            return Expr::Null;
        };
        let Some(re_s) = lit_str(re) else {
            return self.need_literal("the indexof_regex regex", span);
        };
        let Some(j) = self.java_regex("indexof_regex", re_s, re.span) else {
            return Expr::Null;
        };
        let pattern = format!("\\A((?s:.*?))(?:{})(?s:.*)", j.pattern);
        let t = or_empty(self.expr(text));
        let prefix = replace(t.clone(), pattern.clone(), "$1".into());
        Expr::call(
            "CASE",
            vec![
                Expr::bin(replace(t, pattern, "$1x".into()), BinOp::Eq, prefix.clone()),
                Expr::Int(-1),
                Expr::call("LENGTH", vec![prefix]),
            ],
        )
    }
}

/// Whether a regex is a single unbounded greedy repetition of one character or class (`\s+`,
/// `[^\w]*`, `-+`), so removing its match at an end leaves no further match there.
fn is_closed_run(pattern: &str) -> bool {
    use regex_syntax::ast::{self, Ast};
    let Ok(parsed) = ast::parse::Parser::new().parse(pattern) else {
        return false;
    };
    match &parsed {
        Ast::Repetition(rep) => {
            rep.greedy
                && matches!(
                    rep.op.kind,
                    ast::RepetitionKind::ZeroOrMore
                        | ast::RepetitionKind::OneOrMore
                        | ast::RepetitionKind::Range(ast::RepetitionRange::AtLeast(_))
                )
                && matches!(
                    *rep.ast,
                    Ast::Literal(_)
                        | Ast::ClassPerl(_)
                        | Ast::ClassUnicode(_)
                        | Ast::ClassBracketed(_)
                        | Ast::Dot(_)
                )
        }
        _ => false,
    }
}
