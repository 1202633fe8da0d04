//! Pattern spelling for ES|QL's `REPLACE`, whose regex is a `java.util.regex.Pattern` (and whose
//! replacement follows `Matcher.appendReplacement`): the rewrite of a KQL RE2 regex into a Java
//! regex that matches the same strings at the same places, literal quoting, and replacement
//! escaping. Never produces ES|QL string quoting (that is `ast::StrLit`).
//!
//! The rewrite parses the pattern with `regex-syntax` and re-emits it node by node in a subset
//! of Java syntax whose meaning does not depend on Java's own defaults: every literal ASCII
//! punctuation character is escaped and control characters are written `\x{…}`; `(?i)` becomes
//! explicit classes of RE2's Unicode simple case folding (Java folds only ASCII by default);
//! `.` becomes `[^\n]` (Java's `.` also stops at `\r`, U+0085, U+2028, U+2029) or `(?s:.)`;
//! `\d \s \w` become RE2's ASCII classes (Java's `\s` also holds U+000B); `^`/`$` become `\A`/`\z`
//! (Java's `$` also matches before a final line break), and with `(?m)` lookarounds on `\n`
//! only; RE2's ASCII `\b`/`\B` become lookarounds on `[0-9A-Za-z_]` (Java's are Unicode-aware);
//! lazy repetition stays lazy (`U` swaps it, as in RE2). Capture groups keep their numbers;
//! names are dropped (Java's naming rules differ, and only numbers are referenced).
//! Both engines pick the leftmost match and, among matches starting there, the first in
//! Perl priority order, so a search finds the same match with the same groups.

use crate::lucene::{self, Unsupported};
use regex_syntax::ast::{self, Ast};
use regex_syntax::hir::{self, ClassUnicode, ClassUnicodeRange};

/// A RE2 regex rewritten for Java.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JavaRegex {
    /// The Java pattern; safe to embed as `(?:pattern)` in a larger pattern.
    pub pattern: String,
    /// The number of capture groups (numbered as in the RE2 pattern).
    pub groups: usize,
    /// Whether the regex can match the empty string.
    pub matches_empty: bool,
}

#[derive(Clone, Copy, Debug)]
struct Flags {
    case_insensitive: bool,
    dot_nl: bool,
    multi_line: bool,
    swap_greed: bool,
}

/// ASCII word characters, RE2's `\w` and the sides of its `\b`.
const WORD: &str = "[0-9A-Za-z_]";

/// Rewrites a RE2 regex (KQL's `matches regex`, `extract`, `replace_regex`, …) as a Java regex.
pub fn rewrite_re2(pattern: &str) -> Result<JavaRegex, Unsupported> {
    let parsed = ast::parse::ParserBuilder::new()
        .nest_limit(64)
        .build()
        .parse(pattern)
        .map_err(|e| {
            Unsupported::new(
                format!("not a valid RE2 pattern: {}", e.kind()),
                Some(e.span()),
            )
        })?;
    // Translating checks what the AST alone does not (class names, case folding tables).
    hir::translate::TranslatorBuilder::new()
        .build()
        .translate(pattern, &parsed)
        .map_err(|e| {
            Unsupported::new(
                format!("not a valid RE2 pattern: {}", e.kind()),
                Some(e.span()),
            )
        })?;
    let mut flags = Flags {
        case_insensitive: false,
        dot_nl: false,
        multi_line: false,
        swap_greed: false,
    };
    let mut out = String::new();
    emit(&parsed, &mut flags, &mut out)?;
    // Counted on the AST: `regex-syntax` reads `\<`/`\>` as (empty) assertions.
    Ok(JavaRegex {
        pattern: out,
        groups: count_captures(&parsed),
        matches_empty: can_be_empty(&parsed),
    })
}

/// A Java regex matching exactly `value`.
pub fn literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 2);
    for c in value.chars() {
        push_char(&mut out, c);
    }
    out
}

/// `value` as a Java replacement string that inserts it verbatim (`\` and `$` escaped).
pub fn replacement_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\\' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One character outside or inside a class: ASCII punctuation escaped (a backslash before any
/// non-letter is a literal in Java), control characters as `\x{…}`, everything else itself.
fn push_char(out: &mut String, c: char) {
    if c.is_ascii_punctuation() {
        out.push('\\');
        out.push(c);
    } else if c.is_control() {
        out.push_str(&format!("\\x{{{:x}}}", c as u32));
    } else {
        out.push(c);
    }
}

fn apply_flags(flags: &mut Flags, set: &ast::Flags) -> Result<(), Unsupported> {
    let mut negate = false;
    for item in &set.items {
        match &item.kind {
            ast::FlagsItemKind::Negation => negate = true,
            ast::FlagsItemKind::Flag(flag) => match flag {
                ast::Flag::CaseInsensitive => flags.case_insensitive = !negate,
                ast::Flag::DotMatchesNewLine => flags.dot_nl = !negate,
                ast::Flag::MultiLine => flags.multi_line = !negate,
                ast::Flag::SwapGreed => flags.swap_greed = !negate,
                _ => {
                    return Err(Unsupported::new(
                        "this flag is not an RE2 flag (RE2 knows i, m, s, U)",
                        Some(&item.span),
                    ))
                }
            },
        }
    }
    Ok(())
}

fn lucene_flags(flags: Flags) -> lucene::Flags {
    lucene::Flags {
        case_insensitive: flags.case_insensitive,
        dot_nl: flags.dot_nl,
        multi_line: flags.multi_line,
    }
}

fn emit(node: &Ast, flags: &mut Flags, out: &mut String) -> Result<(), Unsupported> {
    match node {
        Ast::Empty(_) => Ok(()),
        Ast::Flags(f) => apply_flags(flags, &f.flags),
        Ast::Literal(lit) => {
            if flags.case_insensitive {
                let mut class = ClassUnicode::new([ClassUnicodeRange::new(lit.c, lit.c)]);
                class.case_fold_simple();
                emit_class(&class, out, &lit.span)
            } else {
                push_char(out, lit.c);
                Ok(())
            }
        }
        Ast::Dot(_) => {
            out.push_str(if flags.dot_nl { "(?s:.)" } else { "[^\\x{a}]" });
            Ok(())
        }
        Ast::Assertion(a) => {
            use ast::AssertionKind as K;
            let text = match a.kind {
                K::StartText => "\\A".to_string(),
                K::EndText => "\\z".to_string(),
                K::StartLine if !flags.multi_line => "\\A".to_string(),
                K::EndLine if !flags.multi_line => "\\z".to_string(),
                K::StartLine => "(?:\\A|(?<=\\x{a}))".to_string(),
                K::EndLine => "(?:\\z|(?=\\x{a}))".to_string(),
                K::WordBoundary => {
                    format!("(?:(?<={WORD})(?!{WORD})|(?<!{WORD})(?={WORD}))")
                }
                K::NotWordBoundary => {
                    format!("(?:(?<={WORD})(?={WORD})|(?<!{WORD})(?!{WORD}))")
                }
                // `regex-syntax` reads `\<` and `\>` as word boundaries; RE2 reads an escaped
                // punctuation character as itself.
                K::WordBoundaryStartAngle => "\\<".to_string(),
                K::WordBoundaryEndAngle => "\\>".to_string(),
                _ => {
                    return Err(Unsupported::new(
                        "this word-boundary form is not RE2 syntax (RE2 knows \\b and \\B)",
                        Some(&a.span),
                    ))
                }
            };
            out.push_str(&text);
            Ok(())
        }
        Ast::ClassUnicode(c) => {
            let class = lucene::unicode_class_item(c, lucene_flags(*flags))?;
            emit_class(&class, out, &c.span)
        }
        Ast::ClassPerl(c) => {
            let class = lucene::perl_class(c, lucene_flags(*flags));
            emit_class(&class, out, &c.span)
        }
        Ast::ClassBracketed(c) => {
            let class = lucene::bracketed_class(c, lucene_flags(*flags))?;
            emit_class(&class, out, &c.span)
        }
        Ast::Repetition(rep) => {
            let repeats = !matches!(
                rep.op.kind,
                ast::RepetitionKind::ZeroOrOne
                    | ast::RepetitionKind::Range(
                        ast::RepetitionRange::Exactly(0 | 1)
                            | ast::RepetitionRange::Bounded(_, 0 | 1)
                    )
            );
            if repeats && has_capture(&rep.ast) && can_be_empty(&rep.ast) {
                return Err(Unsupported::new(
                    "a repeated group that can match the empty string: RE2 and Java report what its capture group holds differently",
                    Some(&rep.span),
                ));
            }
            out.push_str("(?:");
            let mut inner = *flags;
            emit(&rep.ast, &mut inner, out)?;
            out.push(')');
            match &rep.op.kind {
                ast::RepetitionKind::ZeroOrOne => out.push('?'),
                ast::RepetitionKind::ZeroOrMore => out.push('*'),
                ast::RepetitionKind::OneOrMore => out.push('+'),
                ast::RepetitionKind::Range(r) => match r {
                    ast::RepetitionRange::Exactly(n) => out.push_str(&format!("{{{n}}}")),
                    ast::RepetitionRange::AtLeast(n) => out.push_str(&format!("{{{n},}}")),
                    ast::RepetitionRange::Bounded(a, b) => out.push_str(&format!("{{{a},{b}}}")),
                },
            }
            if rep.greedy == flags.swap_greed {
                out.push('?');
            }
            Ok(())
        }
        Ast::Group(g) => {
            let mut inner = *flags;
            match &g.kind {
                ast::GroupKind::NonCapturing(f) => {
                    apply_flags(&mut inner, f)?;
                    out.push_str("(?:");
                }
                ast::GroupKind::CaptureIndex(_) | ast::GroupKind::CaptureName { .. } => {
                    out.push('(');
                }
            }
            emit(&g.ast, &mut inner, out)?;
            out.push(')');
            Ok(())
        }
        Ast::Alternation(alt) => {
            for (i, a) in alt.asts.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                // As in RE2, a flag set in one alternative stays set for the next ones, until
                // the enclosing group ends.
                emit(a, flags, out)?;
            }
            Ok(())
        }
        Ast::Concat(c) => {
            for a in &c.asts {
                emit(a, flags, out)?;
            }
            Ok(())
        }
    }
}

/// A class as one character when it has one member, else `[…]` or `[^…]`, whichever lists
/// fewer ranges.
fn emit_class(class: &ClassUnicode, out: &mut String, span: &ast::Span) -> Result<(), Unsupported> {
    let ranges = class.ranges();
    if ranges.is_empty() {
        return Err(Unsupported::new(
            "a class that matches no character",
            Some(span),
        ));
    }
    if let [r] = ranges {
        if r.start() == r.end() {
            push_char(out, r.start());
            return Ok(());
        }
    }
    let mut complement = class.clone();
    complement.negate();
    let (negated, shown) =
        if !complement.ranges().is_empty() && complement.ranges().len() < ranges.len() {
            (true, complement.ranges().to_vec())
        } else {
            (false, ranges.to_vec())
        };
    out.push('[');
    if negated {
        out.push('^');
    }
    for r in shown {
        push_char(out, r.start());
        if r.end() != r.start() {
            out.push('-');
            push_char(out, r.end());
        }
    }
    out.push(']');
    Ok(())
}

fn count_captures(node: &Ast) -> usize {
    match node {
        Ast::Group(g) => {
            usize::from(!matches!(g.kind, ast::GroupKind::NonCapturing(_))) + count_captures(&g.ast)
        }
        Ast::Repetition(r) => count_captures(&r.ast),
        Ast::Alternation(a) => a.asts.iter().map(count_captures).sum(),
        Ast::Concat(c) => c.asts.iter().map(count_captures).sum(),
        _ => 0,
    }
}

fn has_capture(node: &Ast) -> bool {
    match node {
        Ast::Group(g) => !matches!(g.kind, ast::GroupKind::NonCapturing(_)) || has_capture(&g.ast),
        Ast::Repetition(r) => has_capture(&r.ast),
        Ast::Alternation(a) => a.asts.iter().any(has_capture),
        Ast::Concat(c) => c.asts.iter().any(has_capture),
        _ => false,
    }
}

/// Whether a (sub-)pattern can match the empty string.
pub(crate) fn can_be_empty(node: &Ast) -> bool {
    match node {
        Ast::Assertion(a) => !matches!(
            a.kind,
            ast::AssertionKind::WordBoundaryStartAngle | ast::AssertionKind::WordBoundaryEndAngle
        ),
        Ast::Empty(_) | Ast::Flags(_) => true,
        Ast::Literal(_)
        | Ast::Dot(_)
        | Ast::ClassUnicode(_)
        | Ast::ClassPerl(_)
        | Ast::ClassBracketed(_) => false,
        Ast::Repetition(r) => {
            let min = match &r.op.kind {
                ast::RepetitionKind::ZeroOrOne | ast::RepetitionKind::ZeroOrMore => 0,
                ast::RepetitionKind::OneOrMore => 1,
                ast::RepetitionKind::Range(
                    ast::RepetitionRange::Exactly(n)
                    | ast::RepetitionRange::AtLeast(n)
                    | ast::RepetitionRange::Bounded(n, _),
                ) => *n,
            };
            min == 0 || can_be_empty(&r.ast)
        }
        Ast::Group(g) => can_be_empty(&g.ast),
        Ast::Alternation(a) => a.asts.iter().any(can_be_empty),
        Ast::Concat(c) => c.asts.iter().all(can_be_empty),
    }
}
