//! Lucene regular expressions (the language of EQL `regex`/`regex~`): escaping a literal, the
//! term-boundary patterns for KQL `has*`, and the exact rewrite of an RE2 `matches regex`
//! pattern. Owns Lucene syntax only; it never prints EQL strings (that is `ast::Str`).
//!
//! Lucene regex facts relied on (Elasticsearch `regexp` syntax, all operators enabled):
//! the pattern must match the **whole** value; there are no anchors and no `(?i)`;
//! `. ? + * | { } [ ] ( ) " \` are operators and so are `# @ & < > ~`; `\` before any
//! character makes it literal (also inside `[…]`); `.` matches any character, newline included.

use kqlport::ir::MatchKind;
use regex_syntax::hir::{Class, Hir, HirKind, Look};
use std::fmt::Write;

/// Escapes `s` so that Lucene reads it as the literal text `s`: every ASCII punctuation
/// character gets a backslash (a superset of Lucene's reserved set, always safe); letters,
/// digits, spaces, control and non-ASCII characters stay as they are.
pub fn escape_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    if c.is_ascii_punctuation() {
        out.push('\\');
    }
    out.push(c);
}

/// The whole-value Lucene pattern for a KQL term match (`kind` is `Term`, `TermPrefix` or
/// `TermSuffix`): `(.*W)?v(W.*)?` for `has`, `(.*W)?v.*` for `hasprefix`, `.*v(W.*)?` for
/// `hassuffix`, with `W` = `[^A-Za-z0-9]`. A bound is `.*` where `v` itself starts or ends with
/// a non-alphanumeric, which already separates it from a neighbouring term
/// (`MatchKind::term_edges`).
pub fn term_pattern(kind: MatchKind, v: &str) -> String {
    let (before, after) = kind.term_edges(v).whole_value_bounds();
    format!("{before}{}{after}", escape_literal(v))
}

/// An RE2 pattern rewritten for Lucene.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rewritten {
    pub pattern: String,
    /// Use `regex~`: the whole pattern is case-insensitive.
    pub insensitive: bool,
}

/// Rewrites an unanchored RE2 pattern (KQL `matches regex`) into a whole-value Lucene pattern
/// that matches exactly the same strings, or says why it cannot.
///
/// The pattern is parsed with `regex-syntax` in RE2-compatible mode (ASCII `\d \w \s`, byte
/// classes) and re-emitted from its HIR: `.*` is added on each side unless the branch starts
/// with `^` / ends with `$`; classes become explicit `[…]` sets (`.` is `[^\n]`); groups of any
/// kind become plain groups; lazy quantifiers become greedy (a yes/no match does not depend on
/// greediness). A leading `(?i)` (or `insensitive`) gives `regex~`; any other case folding is
/// spelled out as `[aA]` classes by the parser.
///
/// Declined: word boundaries and anchors that are not at the edge of a top-level branch,
/// multi-line anchors, case-insensitive matching of non-ASCII letters (RE2 folds Unicode,
/// Lucene only ASCII), Unicode classes and anything `regex-syntax` rejects.
pub fn rewrite_re2(pattern: &str, insensitive: bool) -> Result<Rewritten, String> {
    let leading_i = leading_case_insensitive(pattern)?;
    let insensitive = insensitive || leading_i;
    if has_case_folding(pattern)? || insensitive {
        if let Some(c) = pattern
            .chars()
            .find(|c| !c.is_ascii() && (c.is_lowercase() || c.is_uppercase()))
        {
            return Err(format!(
                "case-insensitive matching of the non-ASCII letter '{c}': RE2 folds Unicode \
                 case, Lucene's regex~ folds ASCII only"
            ));
        }
    }
    let pattern = &re2_space_classes(pattern)?;
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .case_insensitive(insensitive)
        .build()
        .parse(pattern)
        .map_err(|e| format!("not a pattern this translator can read: {}", first_line(&e)))?;
    let emitter = Emitter { insensitive };
    let branches: Vec<&Hir> = match hir.kind() {
        HirKind::Alternation(bs) => bs.iter().collect(),
        _ => vec![&hir],
    };
    // Top-level alternatives with the same anchors share one `.*(b1|b2|…).*`: giving each its
    // own `.*…*` multiplies the states of the determinised automaton (Lucene 10 no longer
    // minimises a regex's automaton, and Elasticsearch rejects one whose determinisation
    // exceeds its work limit: TooComplexToDeterminize).
    let mut groups: Vec<((bool, bool), Vec<String>)> = Vec::new();
    for b in branches {
        let (anchors, body) = emitter.branch(b)?;
        match groups.iter_mut().find(|(k, _)| *k == anchors) {
            Some((_, bodies)) => bodies.push(body),
            None => groups.push((anchors, vec![body])),
        }
    }
    let mut rendered: Vec<String> = groups
        .into_iter()
        .map(|((start, end), bodies)| {
            if !start && !end && bodies.iter().any(|b| b.is_empty()) {
                // An unanchored empty alternative matches everything.
                return ".*".to_string();
            }
            let bodies: Vec<&str> = bodies
                .iter()
                .map(|b| if b.is_empty() { "()" } else { b.as_str() })
                .collect();
            let body = if bodies.len() == 1 {
                bodies[0].to_string()
            } else {
                format!("({})", bodies.join("|"))
            };
            format!(
                "{}{body}{}",
                if start { "" } else { ".*" },
                if end { "" } else { ".*" }
            )
        })
        .collect();
    let pattern = if rendered.len() == 1 {
        rendered.remove(0)
    } else {
        rendered
            .iter()
            .map(|b| format!("({b})"))
            .collect::<Vec<_>>()
            .join("|")
    };
    Ok(Rewritten {
        pattern,
        insensitive,
    })
}

fn first_line(e: &dyn std::fmt::Display) -> String {
    let s = e.to_string();
    s.lines().last().unwrap_or_default().trim().to_string()
}

/// RE2's `\s` is `[\t\n\f\r ]`; regex-syntax's also holds `\v`. Spells RE2's out.
fn re2_space_classes(pattern: &str) -> Result<String, String> {
    use regex_syntax::ast::{Ast, ClassPerlKind, ClassSet, ClassSetItem};
    fn in_set(set: &ClassSet, out: &mut Vec<(usize, usize, &'static str)>) -> Result<(), String> {
        match set {
            ClassSet::Item(item) => in_item(item, out),
            ClassSet::BinaryOp(op) => {
                in_set(&op.lhs, out)?;
                in_set(&op.rhs, out)
            }
        }
    }
    fn in_item(
        item: &ClassSetItem,
        out: &mut Vec<(usize, usize, &'static str)>,
    ) -> Result<(), String> {
        match item {
            ClassSetItem::Perl(c) if c.kind == ClassPerlKind::Space => {
                if c.negated {
                    return Err("`\\S` inside a character class".to_string());
                }
                out.push((c.span.start.offset, c.span.end.offset, r"\t\n\f\r "));
                Ok(())
            }
            ClassSetItem::Bracketed(b) => in_set(&b.kind, out),
            ClassSetItem::Union(u) => u.items.iter().try_for_each(|i| in_item(i, out)),
            _ => Ok(()),
        }
    }
    fn walk(ast: &Ast, out: &mut Vec<(usize, usize, &'static str)>) -> Result<(), String> {
        match ast {
            Ast::ClassPerl(c) if c.kind == ClassPerlKind::Space => {
                let text = if c.negated {
                    r"[^\t\n\f\r ]"
                } else {
                    r"[\t\n\f\r ]"
                };
                out.push((c.span.start.offset, c.span.end.offset, text));
                Ok(())
            }
            Ast::ClassBracketed(b) => in_set(&b.kind, out),
            Ast::Group(g) => walk(&g.ast, out),
            Ast::Repetition(r) => walk(&r.ast, out),
            Ast::Alternation(a) => a.asts.iter().try_for_each(|x| walk(x, out)),
            Ast::Concat(c) => c.asts.iter().try_for_each(|x| walk(x, out)),
            _ => Ok(()),
        }
    }
    let ast = regex_syntax::ast::parse::Parser::new()
        .parse(pattern)
        .map_err(|e| format!("not a pattern this translator can read: {}", first_line(&e)))?;
    let mut edits = Vec::new();
    walk(&ast, &mut edits)?;
    let mut out = pattern.to_string();
    for (start, end, text) in edits.into_iter().rev() {
        out.replace_range(start..end, text);
    }
    Ok(out)
}

/// Does the pattern start with a flag group `(?…)` that turns on `i` for the whole pattern?
fn leading_case_insensitive(pattern: &str) -> Result<bool, String> {
    use regex_syntax::ast::{Ast, Flag, FlagsItemKind};
    let ast = regex_syntax::ast::parse::Parser::new()
        .parse(pattern)
        .map_err(|e| format!("not a pattern this translator can read: {}", first_line(&e)))?;
    let first = match &ast {
        Ast::Concat(c) => c.asts.first(),
        other => Some(other),
    };
    let Some(Ast::Flags(set)) = first else {
        return Ok(false);
    };
    let mut negated = false;
    for item in &set.flags.items {
        match item.kind {
            FlagsItemKind::Negation => negated = true,
            FlagsItemKind::Flag(Flag::CaseInsensitive) => return Ok(!negated),
            _ => {}
        }
    }
    Ok(false)
}

/// Does any flag group of the pattern turn `i` on?
fn has_case_folding(pattern: &str) -> Result<bool, String> {
    use regex_syntax::ast::{Ast, Flag, FlagsItemKind, GroupKind};
    fn visit(ast: &Ast) -> bool {
        let flags_on = |flags: &regex_syntax::ast::Flags| {
            let mut negated = false;
            flags.items.iter().any(|item| match item.kind {
                FlagsItemKind::Negation => {
                    negated = true;
                    false
                }
                FlagsItemKind::Flag(Flag::CaseInsensitive) => !negated,
                _ => false,
            })
        };
        match ast {
            Ast::Flags(set) => flags_on(&set.flags),
            Ast::Group(g) => {
                matches!(&g.kind, GroupKind::NonCapturing(flags) if flags_on(flags))
                    || visit(&g.ast)
            }
            Ast::Repetition(r) => visit(&r.ast),
            Ast::Alternation(a) => a.asts.iter().any(visit),
            Ast::Concat(c) => c.asts.iter().any(visit),
            _ => false,
        }
    }
    let ast = regex_syntax::ast::parse::Parser::new()
        .parse(pattern)
        .map_err(|e| format!("not a pattern this translator can read: {}", first_line(&e)))?;
    Ok(visit(&ast))
}

struct Emitter {
    /// The output goes to `regex~`: a class that is just one ASCII letter in both cases can be
    /// written as the bare letter, and a bare ASCII letter must not appear otherwise.
    insensitive: bool,
}

impl Emitter {
    /// One top-level branch: strip `^`/`$` at its edges, wrap the rest in `.*` as needed.
    /// One top-level alternative: whether it is anchored at the start and at the end (the
    /// anchors removed), and its body (`""` for an empty one).
    fn branch(&self, hir: &Hir) -> Result<((bool, bool), String), String> {
        let mut items: Vec<&Hir> = match hir.kind() {
            HirKind::Concat(xs) => xs.iter().collect(),
            _ => vec![hir],
        };
        let start = matches!(
            items.first().map(|h| h.kind()),
            Some(HirKind::Look(Look::Start))
        );
        if start {
            items.remove(0);
        }
        let end = matches!(
            items.last().map(|h| h.kind()),
            Some(HirKind::Look(Look::End))
        );
        if end {
            items.pop();
        }
        let mut body = String::new();
        for item in &items {
            self.concat_item(&mut body, item)?;
        }
        Ok(((start, end), body))
    }

    fn concat_item(&self, out: &mut String, hir: &Hir) -> Result<(), String> {
        match hir.kind() {
            HirKind::Alternation(_) => {
                out.push('(');
                self.emit(out, hir)?;
                out.push(')');
                Ok(())
            }
            _ => self.emit(out, hir),
        }
    }

    fn emit(&self, out: &mut String, hir: &Hir) -> Result<(), String> {
        match hir.kind() {
            HirKind::Empty => out.push_str("()"),
            HirKind::Literal(lit) => {
                let text = std::str::from_utf8(&lit.0)
                    .map_err(|_| "a byte escape that is not a whole UTF-8 character".to_string())?;
                if self.insensitive && text.chars().any(|c| c.is_ascii_alphabetic()) {
                    return Err(
                        "a case-sensitive part inside a case-insensitive pattern".to_string()
                    );
                }
                out.push_str(&escape_literal(text));
            }
            HirKind::Class(class) => self.class(out, class)?,
            HirKind::Look(look) => {
                return Err(match look {
                    Look::Start | Look::End => {
                        "an anchor `^`/`$` that is not at the start/end of the pattern".to_string()
                    }
                    Look::StartLF | Look::EndLF | Look::StartCRLF | Look::EndCRLF => {
                        "a multi-line anchor ((?m) ^/$)".to_string()
                    }
                    _ => "a word-boundary assertion (\\b, \\B)".to_string(),
                })
            }
            HirKind::Repetition(rep) => {
                let atom = matches!(rep.sub.kind(), HirKind::Class(_))
                    || matches!(rep.sub.kind(), HirKind::Literal(l) if std::str::from_utf8(&l.0).map(|s| s.chars().count() == 1).unwrap_or(false))
                    || matches!(rep.sub.kind(), HirKind::Capture(_));
                if atom {
                    self.emit(out, &rep.sub)?;
                } else {
                    out.push('(');
                    self.emit(out, &rep.sub)?;
                    out.push(')');
                }
                match (rep.min, rep.max) {
                    (0, None) => out.push('*'),
                    (1, None) => out.push('+'),
                    (0, Some(1)) => out.push('?'),
                    (n, None) => {
                        let _ = write!(out, "{{{n},}}");
                    }
                    (n, Some(m)) if n == m => {
                        let _ = write!(out, "{{{n}}}");
                    }
                    (n, Some(m)) => {
                        let _ = write!(out, "{{{n},{m}}}");
                    }
                }
            }
            HirKind::Capture(cap) => {
                out.push('(');
                self.emit(out, &cap.sub)?;
                out.push(')');
            }
            HirKind::Concat(xs) => {
                for x in xs {
                    self.concat_item(out, x)?;
                }
            }
            HirKind::Alternation(xs) => {
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        out.push('|');
                    }
                    self.emit(out, x)?;
                }
            }
        }
        Ok(())
    }

    fn class(&self, out: &mut String, class: &Class) -> Result<(), String> {
        // Ranges over ASCII, and whether the class also holds every non-ASCII character.
        let (ascii, non_ascii): (Vec<(u8, u8)>, NonAscii) = match class {
            Class::Bytes(c) => {
                let mut ascii = Vec::new();
                let mut high = Vec::new();
                for r in c.ranges() {
                    if r.start() <= 0x7f {
                        ascii.push((r.start(), r.end().min(0x7f)));
                    }
                    if r.end() >= 0x80 {
                        high.push((r.start().max(0x80), r.end()));
                    }
                }
                let non_ascii = match high.as_slice() {
                    [] => NonAscii::None,
                    [(0x80, 0xff)] => NonAscii::All,
                    _ => NonAscii::Some,
                };
                (ascii, non_ascii)
            }
            Class::Unicode(c) => {
                let mut ascii = Vec::new();
                let mut high = Vec::new();
                for r in c.ranges() {
                    if r.start() <= '\x7f' {
                        ascii.push((r.start() as u8, r.end().min('\x7f') as u8));
                    }
                    if r.end() >= '\u{80}' {
                        high.push((r.start().max('\u{80}'), r.end()));
                    }
                }
                let non_ascii = match high.as_slice() {
                    [] => NonAscii::None,
                    [('\u{80}', '\u{10ffff}')] => NonAscii::All,
                    _ => NonAscii::Some,
                };
                (ascii, non_ascii)
            }
        };
        match non_ascii {
            NonAscii::Some => Err("a character class with some non-ASCII characters".to_string()),
            NonAscii::None if ascii.is_empty() => {
                Err("a character class that matches nothing".to_string())
            }
            NonAscii::None => {
                if let Some(letter) = self.folded_letter(&ascii) {
                    out.push(letter);
                } else {
                    out.push('[');
                    push_ranges(out, &ascii);
                    out.push(']');
                }
                Ok(())
            }
            NonAscii::All => {
                let complement = complement_ascii(&ascii);
                if complement.is_empty() {
                    out.push('.');
                } else {
                    out.push_str("[^");
                    push_ranges(out, &complement);
                    out.push(']');
                }
                Ok(())
            }
        }
    }

    /// Under `regex~`, the class `[Aa]` is just `a`.
    fn folded_letter(&self, ranges: &[(u8, u8)]) -> Option<char> {
        if !self.insensitive {
            return None;
        }
        match ranges {
            [(a, a2), (b, b2)] if a == a2 && b == b2 => {
                let (a, b) = (*a as char, *b as char);
                (a.is_ascii_uppercase() && b == a.to_ascii_lowercase()).then_some(b)
            }
            _ => None,
        }
    }
}

enum NonAscii {
    None,
    All,
    Some,
}

fn complement_ascii(ranges: &[(u8, u8)]) -> Vec<(u8, u8)> {
    let mut out = Vec::new();
    let mut next: u16 = 0;
    for &(lo, hi) in ranges {
        if u16::from(lo) > next {
            out.push((next as u8, lo - 1));
        }
        next = u16::from(hi) + 1;
    }
    if next <= 0x7f {
        out.push((next as u8, 0x7f));
    }
    out
}

fn push_ranges(out: &mut String, ranges: &[(u8, u8)]) {
    for &(lo, hi) in ranges {
        push_escaped(out, lo as char);
        if hi > lo {
            out.push('-');
            push_escaped(out, hi as char);
        }
    }
}
