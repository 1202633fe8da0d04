//! The regex dialect of Sigma's `re` modifier: the spelling both
//! PCRE (the Sigma specification's reference) and Python's `re` (what pySigma compiles every
//! `re` value with) read with RE2's meaning. Owns pattern text only; lowering has already
//! refused what RE2 itself refuses (`kqlport::re2`).
//!
//! Rewritten in place, by span, where the readers differ:
//! * `\x{…}` → `\xHH` (≤ U+00FF) or the character itself — Python has no `\x{…}`;
//! * `\v` → `\x0b` (PCRE's `\v` is a class of vertical space);
//! * `\d` `\w` `\s` (and negations) → explicit ASCII classes (RE2's are ASCII, Python's
//!   Unicode), `[[:alpha:]]` and the other POSIX classes → their ASCII ranges (Python reads
//!   `[[:` as a nested set);
//! * an inline flag group that is not at the start of the pattern (`a(?i)b`) → a scoped group
//!   over the rest of its sequence (`a(?i:b)`), and over each later branch of its group, where
//!   RE2 applies it too (`(x(?i)y|z)` → `(x(?i:y)|(?i:z))`) — Python refuses global flags after
//!   the start;
//! * `(?<name>…)` → `(?P<name>…)` (Python reads only the `P` form);
//! * `\<` and `\>` (RE2: the characters) stay: Python and PCRE read them so too.
//!
//! Declined (`B044`): `\pL` / `\p{…}` Unicode classes (Python has none), `\z` (Python before
//! 3.14 has none and PCRE's `\Z` also matches before a final newline), `(?U)`, and a negated
//! class inside a bracketed class with other items.

use super::syntax::{self, perl_class_text as perl_class};
use super::{Declined, Edits};
use regex_syntax::ast::{
    self, Ast, ClassAsciiKind, ClassSet, ClassSetItem, GroupKind, HexLiteralKind, LiteralKind,
    SpecialLiteralKind,
};

/// An RE2 pattern ready for Sigma's `re`, with a leading whole-pattern `(?i)` lifted into the
/// `i` sub-modifier.
#[derive(Debug, PartialEq, Eq)]
pub struct SigmaRegex {
    pub pattern: String,
    pub insensitive: bool,
}

/// Ports an RE2 pattern (see the module docs), or says why it cannot.
pub fn port_regex(pattern: &str) -> Result<SigmaRegex, Declined> {
    let (body, insensitive) = match pattern.strip_prefix("(?i)") {
        Some(rest) => (rest, true),
        None => (pattern, false),
    };
    let parsed = super::parse(body)?;
    let mut w = Walker {
        edits: Edits::default(),
    };
    w.walk(&parsed)?;
    Ok(SigmaRegex {
        pattern: w.edits.apply(body),
        insensitive,
    })
}

struct Walker {
    edits: Edits,
}

fn decline(message: &str) -> Declined {
    Declined {
        message: message.into(),
        at: None,
    }
}

fn ascii_class(kind: &ClassAsciiKind) -> &'static str {
    match kind {
        ClassAsciiKind::Alnum => "0-9A-Za-z",
        ClassAsciiKind::Alpha => "A-Za-z",
        ClassAsciiKind::Ascii => "\\x00-\\x7f",
        ClassAsciiKind::Blank => "\\t ",
        ClassAsciiKind::Cntrl => "\\x00-\\x1f\\x7f",
        ClassAsciiKind::Digit => "0-9",
        ClassAsciiKind::Graph => "!-~",
        ClassAsciiKind::Lower => "a-z",
        ClassAsciiKind::Print => " -~",
        ClassAsciiKind::Punct => "!-/:-@\\[-`{-~",
        ClassAsciiKind::Space => "\\t\\n\\x0b\\f\\r ",
        ClassAsciiKind::Upper => "A-Z",
        ClassAsciiKind::Word => "0-9A-Za-z_",
        ClassAsciiKind::Xdigit => "0-9A-Fa-f",
    }
}

/// One character as pattern text outside a class: `\xHH` up to U+00FF, else itself.
fn char_text(c: char) -> String {
    if (c as u32) <= 0xff {
        format!("\\x{:02x}", c as u32)
    } else {
        c.to_string()
    }
}

/// The letters of an inline flag set, when all of them are ones PCRE and Python's `re` share
/// (`i`, `m`, `s`, negation); RE2's `U` (swap greed) has no Python form.
fn flag_letters(flags: &ast::Flags) -> Result<String, Declined> {
    let mut s = String::new();
    for item in &flags.items {
        s.push(match item.kind {
            ast::FlagsItemKind::Negation => '-',
            ast::FlagsItemKind::Flag(ast::Flag::CaseInsensitive) => 'i',
            ast::FlagsItemKind::Flag(ast::Flag::MultiLine) => 'm',
            ast::FlagsItemKind::Flag(ast::Flag::DotMatchesNewLine) => 's',
            _ => {
                return Err(decline(
                    "inline flag `U` has no form in pySigma's regex dialect",
                ))
            }
        });
    }
    Ok(s)
}

impl Walker {
    fn edit(&mut self, span: &ast::Span, text: impl Into<String>) {
        self.edits.replace(span, text);
    }

    fn literal(&mut self, lit: &ast::Literal) {
        match lit.kind {
            LiteralKind::HexBrace(HexLiteralKind::X) => self.edit(&lit.span, char_text(lit.c)),
            LiteralKind::Special(SpecialLiteralKind::VerticalTab) => self.edit(&lit.span, "\\x0b"),
            _ => {}
        }
    }

    fn walk(&mut self, node: &Ast) -> Result<(), Declined> {
        match node {
            Ast::Empty(_) | Ast::Dot(_) => Ok(()),
            // A whole sequence that is only flags (`(?i)`, `a|(?i)|b`): see `sequence`.
            Ast::Flags(_) => self.sequence(node).map(|_| ()),
            Ast::Literal(l) => {
                self.literal(l);
                Ok(())
            }
            Ast::ClassUnicode(_) => Err(decline(
                "Unicode classes (\\p…) have no form in pySigma's regex dialect",
            )),
            Ast::Assertion(a) => match a.kind {
                ast::AssertionKind::EndText => Err(decline(
                    "\\z has no portable Sigma form (Python's re lacks it, PCRE's \\Z differs)",
                )),
                _ => Ok(()),
            },
            Ast::ClassPerl(p) => {
                self.edit(&p.span, syntax::perl_class_bracketed(p));
                Ok(())
            }
            Ast::ClassBracketed(b) if syntax::negated_perl_alone(b).is_some() => {
                self.edit(&b.span, syntax::negated_perl_alone(b).unwrap_or_default());
                Ok(())
            }
            Ast::ClassBracketed(b) => match &b.kind {
                ClassSet::Item(ClassSetItem::Ascii(a)) if a.negated => {
                    let caret = if b.negated { "" } else { "^" };
                    self.edit(&b.span, format!("[{caret}{}]", ascii_class(&a.kind)));
                    Ok(())
                }
                ClassSet::Item(item) => self.class_item(item),
                ClassSet::BinaryOp(_) => Err(decline("character-class set operation")),
            },
            Ast::Repetition(r) => self.walk(&r.ast),
            Ast::Group(g) => {
                match &g.kind {
                    GroupKind::CaptureName {
                        starts_with_p: false,
                        ..
                    } => {
                        let at = g.span.start.offset;
                        self.edits.at(at, at + 3, "(?P<");
                    }
                    GroupKind::NonCapturing(flags) => {
                        flag_letters(flags)?;
                    }
                    _ => {}
                }
                self.walk(&g.ast)
            }
            Ast::Alternation(a) => {
                // RE2 carries a flag set inside a branch on into the later branches of the
                // same group: each later branch is wrapped in the flags set before it.
                let mut pending: Vec<String> = Vec::new();
                for branch in &a.asts {
                    let (start, end) = (branch.span().start.offset, branch.span().end.offset);
                    for f in &pending {
                        self.edits.at(start, start, format!("(?{f}:"));
                    }
                    for _ in &pending {
                        self.edits.at(end, end, ")");
                    }
                    pending.extend(self.sequence(branch)?);
                }
                Ok(())
            }
            Ast::Concat(_) => self.sequence(node).map(|_| ()),
        }
    }

    /// Walks a sequence (a concatenation, or a lone item). An inline flag group in it that is
    /// not at the very start of the pattern (where Python accepts a global flag) becomes a
    /// scoped group over the rest of the sequence: `a(?i)b` → `a(?i:b)`. Returns the flag sets
    /// so set, which RE2 also applies to the later branches of an enclosing alternation.
    fn sequence(&mut self, node: &Ast) -> Result<Vec<String>, Declined> {
        let (items, end) = match node {
            Ast::Concat(c) => (c.asts.as_slice(), c.span.end.offset),
            other => (std::slice::from_ref(other), other.span().end.offset),
        };
        let mut set = Vec::new();
        for item in items {
            match item {
                Ast::Flags(f) if f.span.start.offset == 0 => {
                    flag_letters(&f.flags)?;
                }
                Ast::Flags(f) => {
                    let letters = flag_letters(&f.flags)?;
                    self.edit(&f.span, format!("(?{letters}:"));
                    self.edits.at(end, end, ")");
                    set.push(letters);
                }
                _ => self.walk(item)?,
            }
        }
        Ok(set)
    }

    fn class_item(&mut self, item: &ClassSetItem) -> Result<(), Declined> {
        match item {
            ClassSetItem::Empty(_) => Ok(()),
            ClassSetItem::Range(r) => {
                self.literal(&r.start);
                self.literal(&r.end);
                Ok(())
            }
            ClassSetItem::Literal(l) => {
                self.literal(l);
                Ok(())
            }
            ClassSetItem::Unicode(_) => Err(decline(
                "Unicode classes (\\p…) have no form in pySigma's regex dialect",
            )),
            ClassSetItem::Ascii(a) if a.negated => {
                Err(decline("a negated POSIX class inside a bracketed class"))
            }
            ClassSetItem::Ascii(a) => {
                self.edit(&a.span, ascii_class(&a.kind));
                Ok(())
            }
            ClassSetItem::Perl(p) if p.negated => {
                Err(decline("a negated Perl class inside a bracketed class"))
            }
            ClassSetItem::Perl(p) => {
                self.edit(&p.span, perl_class(&p.kind));
                Ok(())
            }
            ClassSetItem::Bracketed(_) => Err(decline("nested character class")),
            ClassSetItem::Union(u) => u.items.iter().try_for_each(|i| self.class_item(i)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port(p: &str) -> String {
        port_regex(p).unwrap().pattern
    }

    #[test]
    fn rewrites_what_python_or_pcre_read_differently() {
        assert_eq!(
            port_regex("(?i)ab+c").unwrap(),
            SigmaRegex {
                pattern: "ab+c".into(),
                insensitive: true
            }
        );
        assert_eq!(port(r"a\x{a}b\x{263A}"), "a\\x0ab\u{263A}");
        assert_eq!(port(r"[\x{41}-\x{5a}]"), r"[\x41-\x5a]");
        assert_eq!(port(r"a\vb"), r"a\x0bb");
        assert_eq!(port(r"\d+\W[\s_]"), r"[0-9]+[^0-9A-Za-z_][\t\n\f\r _]");
        assert_eq!(port(r"[[:alpha:]_][^\D]"), r"[A-Za-z_][0-9]");
        assert_eq!(port(r"a(?i)bc"), r"a(?i:bc)");
        assert_eq!(port(r"(x(?-s)y.)z"), r"(x(?-s:y.))z");
        assert_eq!(port(r"(?s)a.b"), r"(?s)a.b");
        // RE2 carries a flag into the later branches of its group.
        assert_eq!(
            port(r"\s+-((?i)enc|e)\s"),
            r"[\t\n\f\r ]+-((?i:enc)|(?i:e))[\t\n\f\r ]"
        );
        assert_eq!(port(r"a|b(?i)c|d"), r"a|b(?i:c)|(?i:d)");
        assert_eq!(port(r"x(a|(?s)|b)"), r"x(a|(?s:)|(?s:b))");
        assert_eq!(port(r"(?<n>a)(?P<m>b)"), r"(?P<n>a)(?P<m>b)");
        assert_eq!(port(r"\<a\>"), r"\<a\>");
        assert_eq!(port(r"^cmd\.exe$"), r"^cmd\.exe$");
    }

    #[test]
    fn declines_what_has_no_portable_form() {
        for p in [
            r"\pL",
            r"[\p{Greek}a]",
            r"a\z",
            r"[\Da]",
            r"(?U)a+",
            r"a(?U:b+)",
        ] {
            assert!(port_regex(p).is_err(), "{p}");
        }
        assert!(port_regex("a(").is_err());
    }
}
