//! KQL's regular expressions are RE2 patterns: which patterns RE2 itself refuses. Lowering asks
//! this once per regex literal, so every target gives one verdict on a pattern KQL would reject
//! (never "exact" in one target and "invalid" in another). Owns RE2's acceptance rules only;
//! each backend still decides how to spell an accepted pattern in its own dialect.
//!
//! The pattern is parsed with `regex-syntax` (Rust's RE2-like syntax), then the RE2 rules that
//! `regex-syntax` does not enforce are checked (RE2 `parse.cc`, Perl-compatible mode, the one
//! KQL uses):
//! * a counted repetition above 1,000 (`a{1001}`) — RE2's `kMaxRepeat`;
//! * nested counted repetitions whose counts multiply past 1,000 (`(a{100}){11}`) — RE2's
//!   `RepetitionWalker` divides 1,000 by each count down the nesting and refuses a zero;
//! * stacked repetition operators (`a**`, `a{2}{3}`) — "bad repetition operator";
//! * syntax `regex-syntax` accepts but RE2 does not: class set operations (`&&`, `--`, `~~`),
//!   nested bracketed classes, `\u`/`\U` and octal escapes, the `x`, `R`, `u` flags, and
//!   nothing else (`\<`, `\>` are escaped characters in RE2, `\b{start}` a boundary then text).
//!
//! A `{` that starts no counted repetition is the character itself in RE2 (`{"Name":…`); such
//! braces are escaped before `regex-syntax` reads the pattern.

use regex_syntax::ast::{
    self, visit, AssertionKind, Ast, ClassSet, ClassSetItem, Flag, FlagsItemKind, HexLiteralKind,
    LiteralKind, RepetitionKind, RepetitionRange, Visitor,
};

/// RE2's largest repetition count (`kMaxRepeat`).
pub const MAX_REPEAT: u32 = 1000;

/// Why RE2 refuses a pattern, with the byte range in the pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

/// `Ok` when RE2 accepts `pattern`; else the first construct it refuses. (Where RE2 and
/// `regex-syntax` differ on plain syntax, such as RE2 reading a malformed `{` as a literal, the
/// pattern is refused as one kqlport cannot read: still one verdict for every target.)
pub fn check(pattern: &str) -> Result<(), Invalid> {
    let pattern = &literal_braces(pattern);
    let parsed = ast::parse::ParserBuilder::new()
        .nest_limit(250)
        .build()
        .parse(pattern)
        .map_err(|e| Invalid {
            start: e.span().start.offset,
            end: e.span().end.offset,
            message: format!("not an RE2 pattern kqlport can read: {}", e.kind()),
        })?;
    visit(
        &parsed,
        Rules {
            budget: vec![MAX_REPEAT],
        },
    )?;
    // Everything the AST holds must also translate (e.g. an empty class `[^\x00-\x{10FFFF}]`).
    regex_syntax::hir::translate::TranslatorBuilder::new()
        .build()
        .translate(pattern, &parsed)
        .map_err(|e| Invalid {
            start: e.span().start.offset,
            end: e.span().end.offset,
            message: format!("not an RE2 pattern kqlport can read: {}", e.kind()),
        })?;
    Ok(())
}

/// RE2 reads a `{` that does not start `{n}`, `{n,}` or `{n,m}` as the character itself
/// (`{"Name":…` is a valid RE2 pattern); `regex-syntax` refuses it. Such braces are escaped
/// before parsing, so only what RE2 itself refuses is refused.
fn literal_braces(pattern: &str) -> std::borrow::Cow<'_, str> {
    if !pattern.contains('{') {
        return std::borrow::Cow::Borrowed(pattern);
    }
    let b = pattern.as_bytes();
    let mut out = String::with_capacity(pattern.len() + 4);
    let (mut i, mut in_class) = (0, false);
    while i < b.len() {
        let c = b[i];
        match c {
            b'\\' => {
                // An escape: copy it and the (possibly multi-byte) character it escapes.
                let next = pattern[i + 1..].chars().next().map_or(0, char::len_utf8);
                let mut end = i + 1 + next;
                // `\x{…}`, `\p{…}`, `\P{…}`: the braces belong to the escape.
                if matches!(b.get(i + 1), Some(b'x' | b'p' | b'P')) && b.get(end) == Some(&b'{') {
                    end = pattern[end..].find('}').map_or(b.len(), |j| end + j + 1);
                }
                out.push_str(&pattern[i..end]);
                i = end;
                continue;
            }
            b'[' if !in_class => {
                in_class = true;
                out.push('[');
                i += 1;
                // `[]…]` and `[^]…]`: a leading `]` is a member.
                if b.get(i) == Some(&b'^') {
                    out.push('^');
                    i += 1;
                }
                if b.get(i) == Some(&b']') {
                    out.push(']');
                    i += 1;
                }
                continue;
            }
            b']' if in_class => in_class = false,
            b'{' if !in_class => {
                let rest = &pattern[i + 1..];
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                let after = &rest[digits..];
                let upper = after
                    .strip_prefix(',')
                    .map(|a| a.bytes().take_while(u8::is_ascii_digit).count());
                let close = match upper {
                    Some(n) => after[1 + n..].starts_with('}'),
                    None => after.starts_with('}'),
                };
                if digits == 0 || !close {
                    out.push_str("\\{");
                    i += 1;
                    continue;
                }
            }
            _ => {}
        }
        let ch = pattern[i..].chars().next().unwrap_or('\0');
        out.push(ch);
        i += ch.len_utf8();
    }
    std::borrow::Cow::Owned(out)
}

/// The AST walk. `budget` is RE2's `RepetitionWalker` argument along the current path: 1,000
/// divided by the count of every enclosing counted repetition.
struct Rules {
    budget: Vec<u32>,
}

fn refuse(span: &ast::Span, message: impl Into<String>) -> Invalid {
    Invalid {
        start: span.start.offset,
        end: span.end.offset,
        message: message.into(),
    }
}

impl Rules {
    fn flags(&self, flags: &ast::Flags) -> Result<(), Invalid> {
        for item in &flags.items {
            if let FlagsItemKind::Flag(Flag::IgnoreWhitespace | Flag::CRLF | Flag::Unicode) =
                item.kind
            {
                return Err(refuse(&item.span, "RE2 has no `x`, `R` or `u` flag"));
            }
        }
        Ok(())
    }

    fn literal(&self, lit: &ast::Literal) -> Result<(), Invalid> {
        match lit.kind {
            LiteralKind::HexFixed(HexLiteralKind::UnicodeShort | HexLiteralKind::UnicodeLong)
            | LiteralKind::HexBrace(HexLiteralKind::UnicodeShort | HexLiteralKind::UnicodeLong) => {
                Err(refuse(
                    &lit.span,
                    "RE2 has no `\\u`/`\\U` escape (write `\\x{…}`)",
                ))
            }
            LiteralKind::Octal => Err(refuse(&lit.span, "RE2 has no octal escape")),
            _ => Ok(()),
        }
    }

    fn class_item(&self, item: &ClassSetItem) -> Result<(), Invalid> {
        match item {
            ClassSetItem::Literal(l) => self.literal(l),
            ClassSetItem::Bracketed(b) => Err(refuse(
                &b.span,
                "RE2 has no nested character class (`[` inside a class is a literal there)",
            )),
            ClassSetItem::Union(u) => u.items.iter().try_for_each(|i| self.class_item(i)),
            ClassSetItem::Empty(_)
            | ClassSetItem::Range(_)
            | ClassSetItem::Ascii(_)
            | ClassSetItem::Unicode(_)
            | ClassSetItem::Perl(_) => Ok(()),
        }
    }
}

impl Visitor for Rules {
    type Output = ();
    type Err = Invalid;

    fn finish(self) -> Result<(), Invalid> {
        Ok(())
    }

    fn visit_pre(&mut self, node: &Ast) -> Result<(), Invalid> {
        match node {
            Ast::Flags(f) => self.flags(&f.flags)?,
            Ast::Group(g) => {
                if let Some(flags) = g.flags() {
                    self.flags(flags)?;
                }
            }
            Ast::Literal(l) => self.literal(l)?,
            Ast::Assertion(a)
                if !matches!(
                    a.kind,
                    AssertionKind::StartLine
                        | AssertionKind::EndLine
                        | AssertionKind::StartText
                        | AssertionKind::EndText
                        | AssertionKind::WordBoundary
                        | AssertionKind::NotWordBoundary
                        // `\<` and `\>`: `regex-syntax` reads word boundaries, RE2 the
                        // escaped characters `<` and `>` (each backend spells them so).
                        | AssertionKind::WordBoundaryStartAngle
                        | AssertionKind::WordBoundaryEndAngle
                ) =>
            {
                return Err(refuse(
                    &a.span,
                    "RE2 has only `\\b` and `\\B` word boundaries",
                ));
            }
            Ast::ClassBracketed(b) => match &b.kind {
                ClassSet::BinaryOp(op) => {
                    return Err(refuse(
                        &op.span,
                        "RE2 has no character-class set operation (`&&`, `--`, `~~`)",
                    ))
                }
                ClassSet::Item(item) => self.class_item(item)?,
            },
            Ast::Repetition(r) => {
                if let Ast::Repetition(inner) = &*r.ast {
                    let span = ast::Span::new(inner.op.span.start, r.op.span.end);
                    return Err(refuse(
                        &span,
                        "RE2 does not allow stacked repetition operators (`**`, `{2}{3}`); group the inner one",
                    ));
                }
                let count = match &r.op.kind {
                    RepetitionKind::Range(range) => {
                        let (lo, hi) = match *range {
                            RepetitionRange::Exactly(n) => (n, Some(n)),
                            RepetitionRange::AtLeast(n) => (n, None),
                            RepetitionRange::Bounded(m, n) => (m, Some(n)),
                        };
                        if lo > MAX_REPEAT || hi.is_some_and(|h| h > MAX_REPEAT) {
                            return Err(refuse(
                                &r.op.span,
                                format!("RE2 allows repetition counts up to {MAX_REPEAT}"),
                            ));
                        }
                        Some(hi.unwrap_or(lo))
                    }
                    _ => None,
                };
                let parent = self.budget.last().copied().unwrap_or(MAX_REPEAT);
                let budget = match count {
                    Some(m) if m > 0 => parent / m,
                    _ => parent,
                };
                if budget == 0 {
                    return Err(refuse(
                        &r.op.span,
                        format!(
                            "RE2 refuses nested counted repetitions whose counts multiply past {MAX_REPEAT}"
                        ),
                    ));
                }
                self.budget.push(budget);
            }
            _ => {}
        }
        Ok(())
    }

    fn visit_post(&mut self, node: &Ast) -> Result<(), Invalid> {
        if let Ast::Repetition(_) = node {
            self.budget.pop();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn accepts_re2() {
        for p in [
            r"a{1000}",
            r"(a{10}){100}",
            r"(?i)cmd\.exe$",
            r"[a-z\d]+\b",
            r"\x{41}\x41\pL\p{Greek}",
            r"a*?b+?(?:c|d)??",
            r"(?P<name>x)(?s:.)",
            r"[[:alpha:]]",
            r"\<a\>",
            r#"{"Name":"Entries","Value":"([^"]+)""#,
            r"a{,5}x{b[{]",
            // RE2 has no `\b{start}`: a word boundary, then the text `{start}`.
            r"\b{start}a",
        ] {
            assert_eq!(check(p), Ok(()), "{p}");
        }
    }

    #[test]
    fn refuses_what_re2_refuses() {
        for (p, what) in [
            (r"a{1001}", "up to 1000"),
            (r"a{2,1001}", "up to 1000"),
            (r"a{1000}{1000}{1000}", "stacked"),
            (r"(a{100}){11}", "multiply"),
            (r"((a{10}){10}){11}", "multiply"),
            (r"a**", "stacked"),
            (r"[a-z&&[^aeiou]]", "set operation"),
            (r"[a[b]]", "nested"),
            (r"\u0041", "\\u"),
            (r"(?x) a", "flag"),
            (r"(", "can read"),
        ] {
            let e = check(p).expect_err(p);
            assert!(e.message.contains(what), "{p}: {}", e.message);
        }
    }
}
