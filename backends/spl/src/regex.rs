//! Regular expressions for Splunk's PCRE: escaping literal values into patterns, and porting a
//! KQL (RE2) pattern to a PCRE pattern with the same matches. Never emits SPL quoting (the
//! caller wraps the pattern in an eval string literal).
//!
//! RE2 → PCRE: the pattern is parsed with `regex-syntax` (Rust's RE2-like syntax) and only the
//! constructs whose meaning differs are rewritten in place, by span:
//! * `$` outside multi-line mode → `\z` (PCRE's `$` also matches before a final `\n`);
//! * `\d` `\w` `\s` (and negations) → explicit ASCII classes (RE2's are ASCII; PCRE's `\s`
//!   also holds VT and, with UCP, all three are Unicode-aware);
//! * `\v` (RE2: the VT character; PCRE: vertical whitespace class) → `\x0B`.
//!
//! Refused (an error naming the construct): what RE2 itself rejects but Rust accepts (class set
//! operations, nested classes, `\u`/`\U` escapes, `x`/`R`/`u` flags, `\<` and the other
//! extended word boundaries), and `\D`/`\W`/`\S` inside a bracketed class with other items
//! (alone, `[\S]` is `[^\t\n\f\r ]` and `[^\S]` is `[\t\n\f\r ]`).

use regex_syntax::ast::{
    self, AssertionKind, Ast, ClassPerlKind, ClassSet, ClassSetItem, Flag, FlagsItemKind,
    GroupKind, HexLiteralKind, LiteralKind, SpecialLiteralKind,
};

/// Escapes `s` so that PCRE matches it literally. Control characters become `\x{..}`;
/// other characters (including non-ASCII) are kept verbatim, which is right in both UTF and
/// byte mode.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\\' | '^' | '$' | '.' | '|' | '?' | '*' | '+' | '(' | ')' | '[' | ']' | '{' | '}' => {
            out.push('\\');
            out.push(c);
        }
        c if c.is_control() => out.push_str(&format!("\\x{{{:X}}}", c as u32)),
        c => out.push(c),
    }
}

/// Escapes `s` for an ASCII-case-insensitive match without relying on `(?i)`: each ASCII
/// letter becomes `[xX]`, everything else matches itself exactly (KQL folds ASCII only).
pub fn escape_ascii_fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if c.is_ascii_alphabetic() {
            out.push('[');
            out.push(c.to_ascii_lowercase());
            out.push(c.to_ascii_uppercase());
            out.push(']');
        } else {
            push_escaped(&mut out, c);
        }
    }
    out
}

/// Does the RE2 pattern match the empty string? (`None` when it does not parse.)
pub fn matches_empty(re2: &str) -> Option<bool> {
    regex_automata::meta::Regex::new(re2)
        .ok()
        .map(|r| r.is_match(""))
}

/// The shape of every match of an RE2 pattern, for counting matches by length: the number of
/// characters each match has when that is the same for all of them (`None` otherwise or when
/// the pattern does not parse), and whether a match can hold a non-ASCII character.
pub fn fixed_match_chars(re2: &str) -> Option<(usize, bool)> {
    use regex_syntax::hir::{Class, Hir, HirKind};
    fn walk(h: &Hir, non_ascii: &mut bool) -> Option<usize> {
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => Some(0),
            HirKind::Literal(l) => {
                let s = std::str::from_utf8(&l.0).ok()?;
                *non_ascii |= !s.is_ascii();
                Some(s.chars().count())
            }
            HirKind::Class(c) => {
                *non_ascii |= match c {
                    Class::Unicode(u) => u.ranges().last().is_some_and(|r| r.end() > '\x7f'),
                    Class::Bytes(b) => b.ranges().last().is_some_and(|r| r.end() > 0x7f),
                };
                Some(1)
            }
            HirKind::Repetition(r) if r.max == Some(r.min) => {
                Some(walk(&r.sub, non_ascii)? * r.min as usize)
            }
            HirKind::Repetition(_) => None,
            HirKind::Capture(c) => walk(&c.sub, non_ascii),
            HirKind::Concat(v) => v.iter().map(|x| walk(x, non_ascii)).sum(),
            HirKind::Alternation(v) => {
                let lens: Option<Vec<usize>> = v.iter().map(|x| walk(x, non_ascii)).collect();
                let lens = lens?;
                lens.windows(2).all(|w| w[0] == w[1]).then(|| lens[0])
            }
        }
    }
    let hir = ascii_hir(re2)?;
    let mut non_ascii = false;
    let n = walk(&hir, &mut non_ascii)?;
    Some((n, non_ascii))
}

/// The pattern's HIR with RE2's ASCII-only `\d`, `\w`, `\s`, `\b` (and `.` as any byte but
/// `\n`, so it counts as possibly non-ASCII).
fn ascii_hir(re2: &str) -> Option<regex_syntax::hir::Hir> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(re2)
        .ok()
}

/// The longest run of ASCII letters and digits that every match of the RE2 pattern contains:
/// taken from the literals the pattern requires (those of its top-level sequence, through
/// groups and repetitions of at least one). A case-insensitive literal is a class here, never
/// a run. `None` when there is none, the pattern does not parse, or it can match "" (a test
/// that passes a missing field).
pub fn required_run(re2: &str) -> Option<String> {
    use regex_syntax::hir::{Hir, HirKind};
    fn walk(h: &Hir, out: &mut Vec<String>) {
        match h.kind() {
            HirKind::Literal(l) => {
                if let Ok(s) = std::str::from_utf8(&l.0) {
                    out.push(s.to_string());
                }
            }
            HirKind::Capture(c) => walk(&c.sub, out),
            HirKind::Repetition(r) if r.min >= 1 => walk(&r.sub, out),
            HirKind::Concat(v) => v.iter().for_each(|x| walk(x, out)),
            HirKind::Empty
            | HirKind::Look(_)
            | HirKind::Class(_)
            | HirKind::Repetition(_)
            | HirKind::Alternation(_) => {}
        }
    }
    if matches_empty(re2) != Some(false) {
        return None;
    }
    let mut literals = Vec::new();
    walk(&ascii_hir(re2)?, &mut literals);
    literals
        .iter()
        .flat_map(|l| l.split(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|r| !r.is_empty())
        .fold(None, |best: Option<&str>, r| match best {
            Some(b) if b.len() >= r.len() => Some(b),
            _ => Some(r),
        })
        .map(str::to_string)
}

/// Is the whole pattern one greedy unbounded repetition of a single character class or
/// character (`[^\w]+`, `\s*`, `-+`)? Removing its leftmost match at an end of a string then
/// leaves no further match there.
pub fn is_class_run(re2: &str) -> bool {
    use regex_syntax::hir::HirKind;
    let Some(hir) = ascii_hir(re2) else {
        return false;
    };
    match hir.kind() {
        HirKind::Repetition(r) if r.max.is_none() && r.greedy => match r.sub.kind() {
            HirKind::Class(_) => true,
            HirKind::Literal(l) => std::str::from_utf8(&l.0).is_ok_and(|s| s.chars().count() == 1),
            _ => false,
        },
        _ => false,
    }
}

/// A construct of the RE2 pattern that has no faithful PCRE spelling here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unportable {
    /// Byte range in the pattern.
    pub start: usize,
    pub end: usize,
    pub what: String,
}

/// Ports an RE2 pattern to PCRE (see the module docs).
pub fn re2_to_pcre(re2: &str) -> Result<String, Unportable> {
    let parsed = ast::parse::ParserBuilder::new()
        .nest_limit(200)
        .build()
        .parse(re2)
        .map_err(|e| Unportable {
            start: e.span().start.offset,
            end: e.span().end.offset,
            what: format!("pattern not understood: {}", e.kind()),
        })?;
    let mut w = Walker {
        edits: Vec::new(),
        multiline: false,
    };
    w.walk(&parsed)?;
    w.edits.sort_by_key(|e| e.0);
    let mut out = String::with_capacity(re2.len() + 16);
    let mut at = 0;
    for (start, end, text) in w.edits {
        out.push_str(&re2[at..start]);
        out.push_str(&text);
        at = end;
    }
    out.push_str(&re2[at..]);
    Ok(out)
}

struct Walker {
    edits: Vec<(usize, usize, String)>,
    multiline: bool,
}

fn refuse(span: &ast::Span, what: &str) -> Unportable {
    Unportable {
        start: span.start.offset,
        end: span.end.offset,
        what: what.to_string(),
    }
}

fn perl_class(kind: &ClassPerlKind) -> &'static str {
    match kind {
        ClassPerlKind::Digit => "0-9",
        ClassPerlKind::Word => "0-9A-Za-z_",
        ClassPerlKind::Space => "\\t\\n\\f\\r ",
    }
}

impl Walker {
    fn edit(&mut self, span: &ast::Span, text: impl Into<String>) {
        self.edits
            .push((span.start.offset, span.end.offset, text.into()));
    }

    fn flags(&mut self, flags: &ast::Flags) -> Result<(), Unportable> {
        let mut negated = false;
        for item in &flags.items {
            match &item.kind {
                FlagsItemKind::Negation => negated = true,
                FlagsItemKind::Flag(Flag::MultiLine) => self.multiline = !negated,
                FlagsItemKind::Flag(
                    Flag::CaseInsensitive | Flag::DotMatchesNewLine | Flag::SwapGreed,
                ) => {}
                FlagsItemKind::Flag(_) => {
                    return Err(refuse(&item.span, "flag not supported by RE2"));
                }
            }
        }
        Ok(())
    }

    fn literal(&mut self, lit: &ast::Literal) -> Result<(), Unportable> {
        match &lit.kind {
            LiteralKind::Special(SpecialLiteralKind::VerticalTab) => {
                self.edit(&lit.span, "\\x0B");
            }
            LiteralKind::HexFixed(HexLiteralKind::UnicodeShort | HexLiteralKind::UnicodeLong)
            | LiteralKind::HexBrace(HexLiteralKind::UnicodeShort | HexLiteralKind::UnicodeLong) => {
                return Err(refuse(&lit.span, "\\u/\\U escapes are not RE2"));
            }
            LiteralKind::Octal => return Err(refuse(&lit.span, "octal escape")),
            _ => {}
        }
        Ok(())
    }

    fn walk(&mut self, node: &Ast) -> Result<(), Unportable> {
        match node {
            Ast::Empty(_) | Ast::Dot(_) | Ast::ClassUnicode(_) => Ok(()),
            Ast::Flags(f) => self.flags(&f.flags),
            Ast::Literal(l) => self.literal(l),
            Ast::Assertion(a) => match a.kind {
                AssertionKind::EndLine if !self.multiline => {
                    self.edit(&a.span, "\\z");
                    Ok(())
                }
                AssertionKind::StartLine
                | AssertionKind::EndLine
                | AssertionKind::StartText
                | AssertionKind::EndText
                | AssertionKind::WordBoundary
                | AssertionKind::NotWordBoundary => Ok(()),
                _ => Err(refuse(&a.span, "word-boundary form not supported by RE2")),
            },
            Ast::ClassPerl(p) => {
                let neg = if p.negated { "^" } else { "" };
                self.edit(&p.span, format!("[{neg}{}]", perl_class(&p.kind)));
                Ok(())
            }
            Ast::ClassBracketed(b) => match &b.kind {
                // `[\S]` / `[^\S]`: the negated class alone is its ASCII set, complemented.
                ClassSet::Item(ClassSetItem::Perl(p)) if p.negated => {
                    let caret = if b.negated { "" } else { "^" };
                    self.edit(&b.span, format!("[{caret}{}]", perl_class(&p.kind)));
                    Ok(())
                }
                kind => self.class_set(kind),
            },
            Ast::Repetition(r) => self.walk(&r.ast),
            Ast::Group(g) => {
                let saved = self.multiline;
                if let GroupKind::NonCapturing(flags) = &g.kind {
                    self.flags(flags)?;
                }
                let r = self.walk(&g.ast);
                self.multiline = saved;
                r
            }
            Ast::Alternation(a) => a.asts.iter().try_for_each(|x| self.walk(x)),
            Ast::Concat(c) => c.asts.iter().try_for_each(|x| self.walk(x)),
        }
    }

    fn class_set(&mut self, set: &ClassSet) -> Result<(), Unportable> {
        match set {
            ClassSet::BinaryOp(op) => Err(refuse(
                &op.span,
                "character-class set operation (&&, --, ~~) is not RE2",
            )),
            ClassSet::Item(item) => self.class_item(item),
        }
    }

    fn class_item(&mut self, item: &ClassSetItem) -> Result<(), Unportable> {
        match item {
            ClassSetItem::Empty(_)
            | ClassSetItem::Ascii(_)
            | ClassSetItem::Unicode(_)
            | ClassSetItem::Range(_) => Ok(()),
            ClassSetItem::Literal(l) => self.literal(l),
            ClassSetItem::Perl(p) if p.negated => Err(refuse(
                &p.span,
                "negated Perl class inside a bracketed class",
            )),
            ClassSetItem::Perl(p) => {
                self.edit(&p.span, perl_class(&p.kind));
                Ok(())
            }
            ClassSetItem::Bracketed(b) => Err(refuse(&b.span, "nested character class")),
            ClassSetItem::Union(u) => u.items.iter().try_for_each(|i| self.class_item(i)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_only_what_differs() {
        assert_eq!(re2_to_pcre(r"^cmd\.exe$").unwrap(), r"^cmd\.exe\z");
        assert_eq!(re2_to_pcre(r"(?m)^a$").unwrap(), r"(?m)^a$");
        assert_eq!(re2_to_pcre(r"(?m:a$)b$").unwrap(), r"(?m:a$)b\z");
        assert_eq!(
            re2_to_pcre(r"\d+\W[\s_]").unwrap(),
            r"[0-9]+[^0-9A-Za-z_][\t\n\f\r _]"
        );
        assert_eq!(re2_to_pcre(r"a\vb").unwrap(), r"a\x0Bb");
        // A negated Perl class alone in brackets is its complemented ASCII set.
        assert_eq!(
            re2_to_pcre(r"id:([\S]+)[^\D]").unwrap(),
            r"id:([^\t\n\f\r ]+)[0-9]"
        );
        assert_eq!(
            re2_to_pcre(r"(?i)(?P<x>ab)\b\pL").unwrap(),
            r"(?i)(?P<x>ab)\b\pL"
        );
    }

    #[test]
    fn refuses_what_re2_lacks() {
        assert!(re2_to_pcre(r"[a-z&&[^aeiou]]").is_err());
        assert!(re2_to_pcre(r"[\Da]").is_err());
        assert!(re2_to_pcre(r"(?x) a b").is_err());
        assert!(re2_to_pcre(r"\u0041").is_err());
        assert!(re2_to_pcre(r"\<a").is_err());
        assert!(re2_to_pcre(r"(").is_err());
    }

    #[test]
    fn escapes_literals() {
        assert_eq!(
            escape(r"C:\a.b*c?(d)[e]{f}|g^h$+#-/"),
            r"C:\\a\.b\*c\?\(d\)\[e\]\{f\}\|g\^h\$\+#-/"
        );
        assert_eq!(escape("a\nb"), r"a\x{A}b");
        assert_eq!(escape_ascii_fold("Cé1"), "[cC]é1");
        assert_eq!(matches_empty("a*"), Some(true));
        assert_eq!(matches_empty("a"), Some(false));
    }
}
