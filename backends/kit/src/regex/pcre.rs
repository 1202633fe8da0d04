//! Splunk's PCRE: escaping literal values into patterns, and porting a KQL (RE2) pattern to a
//! PCRE pattern with the same matches. Never emits SPL quoting (the caller wraps the pattern in
//! an eval string literal).
//!
//! RE2 → PCRE: the pattern is parsed with `regex-syntax` (Rust's RE2-like syntax) and only the
//! constructs whose meaning differs are rewritten in place, by span:
//! * `$` outside multi-line mode → `\z` (PCRE's `$` also matches before a final `\n`);
//! * `\d` `\w` `\s` (and negations) → explicit ASCII classes (RE2's are ASCII; PCRE's `\s`
//!   also holds VT and, with UCP, all three are Unicode-aware);
//! * `\v` (RE2: the VT character; PCRE: vertical whitespace class) → `\x0B`.
//!
//! `\<` and `\>` (RE2: the characters) stay: PCRE reads them so too.
//!
//! Refused (an error naming the construct): what RE2 itself rejects but Rust accepts (class set
//! operations, nested classes, `\u`/`\U` escapes, `x`/`R`/`u` flags, the extended word
//! boundaries such as `\b{start}`), and `\D`/`\W`/`\S` inside a bracketed class with other items
//! (alone, `[\S]` is `[^\t\n\f\r ]` and `[^\S]` is `[\t\n\f\r ]`).

use super::syntax::{self, perl_class_text as perl_class};
use super::{Declined, Edits};
use regex_syntax::ast::{
    self, AssertionKind, Ast, ClassSet, ClassSetItem, Flag, FlagsItemKind, GroupKind,
    HexLiteralKind, LiteralKind, SpecialLiteralKind,
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

/// Ports an RE2 pattern to PCRE (see the module docs).
pub fn re2_to_pcre(re2: &str) -> Result<String, Declined> {
    let parsed = super::parse(re2)?;
    let mut w = Walker {
        edits: Edits::default(),
        multiline: false,
    };
    w.walk(&parsed)?;
    Ok(w.edits.apply(re2))
}

struct Walker {
    edits: Edits,
    multiline: bool,
}

fn refuse(span: &ast::Span, what: &str) -> Declined {
    Declined::new(what, Some(span))
}

impl Walker {
    fn edit(&mut self, span: &ast::Span, text: impl Into<String>) {
        self.edits.replace(span, text);
    }

    fn flags(&mut self, flags: &ast::Flags) -> Result<(), Declined> {
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

    fn literal(&mut self, lit: &ast::Literal) -> Result<(), Declined> {
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

    fn walk(&mut self, node: &Ast) -> Result<(), Declined> {
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
                // `\<`, `\>`: the characters in RE2 (`regex-syntax` reads word boundaries) and
                // in PCRE (a backslash before a non-alphanumeric is the character).
                AssertionKind::WordBoundaryStartAngle | AssertionKind::WordBoundaryEndAngle => {
                    Ok(())
                }
                _ => Err(refuse(&a.span, "word-boundary form not supported by RE2")),
            },
            Ast::ClassPerl(p) => {
                self.edit(&p.span, syntax::perl_class_bracketed(p));
                Ok(())
            }
            Ast::ClassBracketed(b) if syntax::negated_perl_alone(b).is_some() => {
                self.edit(&b.span, syntax::negated_perl_alone(b).unwrap_or_default());
                Ok(())
            }
            Ast::ClassBracketed(b) => self.class_set(&b.kind),
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

    fn class_set(&mut self, set: &ClassSet) -> Result<(), Declined> {
        match set {
            ClassSet::BinaryOp(op) => Err(refuse(
                &op.span,
                "character-class set operation (&&, --, ~~) is not RE2",
            )),
            ClassSet::Item(item) => self.class_item(item),
        }
    }

    fn class_item(&mut self, item: &ClassSetItem) -> Result<(), Declined> {
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

/// [`re2_to_pcre`] for Splunk's `rex`, keeping only capture group `group` (1-based, counted by
/// opening parenthesis as RE2 counts them) as the named group `name`: every other capturing
/// group (named or not) becomes non-capturing, so `rex` writes no other field. Declined unless
/// the group takes part in every match with at least one character (it is not inside an
/// alternative or a repetition, and cannot match empty): then every match is non-empty, so
/// RE2's and PCRE's scans over successive matches agree, and each match gives the group one
/// value (what an empty or non-participating group adds to a `rex max_match=0` multivalue is
/// not documented).
pub fn only_group_named(re2: &str, group: usize, name: &str) -> Result<String, Declined> {
    let resolved = syntax::resolve(re2, false)?;
    let mut seen = 0;
    match mandatory_nonempty(&resolved, group, &mut seen, true) {
        Some(true) => {}
        Some(false) => {
            return Err(Declined::new(
                format!(
                    "capture group {group} can be empty or can miss a match (inside an \
                     alternative, a repetition or an optional part)"
                ),
                None,
            ))
        }
        None => {
            return Err(Declined::new(
                format!("the pattern has no capture group {group}"),
                None,
            ))
        }
    }
    let parsed = super::parse(re2)?;
    let mut w = Walker {
        edits: Edits::default(),
        multiline: false,
    };
    w.walk(&parsed)?;
    let mut index = 0;
    rename_groups(&parsed, group, name, &mut index, &mut w.edits);
    Ok(w.edits.apply(re2))
}

/// Whether capture group `group` (pre-order) is mandatory and never empty; `None` when the
/// pattern has fewer groups.
fn mandatory_nonempty(
    node: &syntax::Node,
    group: usize,
    seen: &mut usize,
    mandatory: bool,
) -> Option<bool> {
    use syntax::Node;
    match node {
        Node::Group { capture, sub } => {
            if *capture {
                *seen += 1;
                if *seen == group {
                    return Some(mandatory && !sub.can_be_empty());
                }
            }
            mandatory_nonempty(sub, group, seen, mandatory)
        }
        Node::Repeat { sub, .. } => mandatory_nonempty(sub, group, seen, false),
        Node::Alt(xs) => xs
            .iter()
            .find_map(|x| mandatory_nonempty(x, group, seen, false)),
        Node::Concat(xs) => xs
            .iter()
            .find_map(|x| mandatory_nonempty(x, group, seen, mandatory)),
        _ => None,
    }
}

/// Edits each capturing group's opening (`(`, `(?P<n>`, `(?<n>`): group `group` to
/// `(?<name>`, the others to `(?:`.
fn rename_groups(node: &Ast, group: usize, name: &str, index: &mut usize, edits: &mut Edits) {
    match node {
        Ast::Group(g) => {
            if matches!(
                g.kind,
                GroupKind::CaptureIndex(_) | GroupKind::CaptureName { .. }
            ) {
                *index += 1;
                let open = if *index == group {
                    format!("(?<{name}>")
                } else {
                    "(?:".to_string()
                };
                edits.at(g.span.start.offset, g.ast.span().start.offset, open);
            }
            rename_groups(&g.ast, group, name, index, edits);
        }
        Ast::Repetition(r) => rename_groups(&r.ast, group, name, index, edits),
        Ast::Alternation(a) => a
            .asts
            .iter()
            .for_each(|x| rename_groups(x, group, name, index, edits)),
        Ast::Concat(c) => c
            .asts
            .iter()
            .for_each(|x| rename_groups(x, group, name, index, edits)),
        _ => {}
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
        assert!(re2_to_pcre(r"\b{start}a").is_err());
        assert_eq!(re2_to_pcre(r"\<a\>").unwrap(), r"\<a\>");
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
    }
}
