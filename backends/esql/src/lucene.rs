//! Pattern spelling for ES|QL's `LIKE` (Lucene wildcard) and `RLIKE` (Lucene regular expression,
//! flags `ALL`): literal escaping, and the rewrite of a KQL RE2 regex into an equivalent
//! whole-value Lucene regex. Never produces ES|QL string quoting (that is `ast::StrLit`).
//!
//! The RE2 → Lucene rewrite parses the pattern with `regex-syntax` and re-emits it node by
//! node; whatever has no exact Lucene form (word boundaries, anchors away from the edges,
//! multi-line anchors, class set operations, flags RE2 lacks) is refused with a reason.

use regex_syntax::ast::{self, Ast};
use regex_syntax::hir::{self, ClassUnicode, ClassUnicodeRange};

/// Escapes a literal for a `LIKE` pattern: `*`, `?` and `\` get a backslash (Lucene
/// `WildcardQuery`: a backslash makes the next character literal).
pub fn like_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '*' | '?' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes one character for a Lucene regex outside a class: every ASCII punctuation character
/// gets a backslash (this covers the operators `.?+*|{}[]()"\` and the `ALL`-flag operators
/// `#@&<>~`); letters, digits, space, control and non-ASCII characters stand for themselves
/// (a backslash before a letter could read as a class shorthand such as `\d`).
fn push_literal_char(out: &mut String, c: char) {
    if c.is_ascii_punctuation() {
        out.push('\\');
    }
    out.push(c);
}

/// A literal string as a Lucene regex.
pub fn regex_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 2);
    for c in value.chars() {
        push_literal_char(&mut out, c);
    }
    out
}

/// The most literal text one `RLIKE` alternation of terms holds before the rest goes to
/// another `RLIKE` (ORed). Measured with tests/conformance/lucene (Lucene 10's determinisation
/// effort, limit 100,000 units): 2,000 characters of random alphanumeric values cost at most
/// ~8,000 units between `(.*W)?` and `(W.*)?`, and ~53,000 in the worst case, 3-character
/// values between `.*` and `.*`; the corpus's longest term list (about 1,200 characters) 5,258.
pub const MAX_ALTERNATION_CHARS: usize = 2_000;

/// `alts` split into consecutive runs of at most [`MAX_ALTERNATION_CHARS`] characters (each
/// run at least one value), in order.
pub fn alternation_chunks<'a, 'b>(alts: &'b [&'a str]) -> Vec<&'b [&'a str]> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut size = 0;
    for (i, v) in alts.iter().enumerate() {
        let n = v.chars().count() + 1;
        if i > start && size + n > MAX_ALTERNATION_CHARS {
            chunks.push(&alts[start..i]);
            start = i;
            size = 0;
        }
        size += n;
    }
    if start < alts.len() {
        chunks.push(&alts[start..]);
    }
    chunks
}

/// Why a regex has no exact Lucene form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    pub message: String,
    /// Byte range of the offending construct inside the pattern, when known.
    pub at: Option<(usize, usize)>,
}

impl Unsupported {
    pub(crate) fn new(message: impl Into<String>, span: Option<&ast::Span>) -> Self {
        Unsupported {
            message: message.into(),
            at: span.map(|s| (s.start.offset, s.end.offset)),
        }
    }
}

/// A rewritten regex: the whole-value Lucene pattern and whether the RE2 pattern matches the
/// empty string (then a missing value, which KQL reads as `""`, matches too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewritten {
    pub lucene: String,
    pub matches_empty: bool,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Flags {
    pub(crate) case_insensitive: bool,
    pub(crate) dot_nl: bool,
    pub(crate) multi_line: bool,
}

/// Rewrites an unanchored RE2 search into a whole-value Lucene regex: `.*(r).*`, dropping the
/// `.*` on a side where `r` is anchored; top-level alternatives with the same anchors share
/// one `.*(a|b).*`. `case_insensitive`
/// starts the pattern with RE2's `(?i)` (Unicode simple case folding, as RE2 does).
pub fn rewrite_re2(pattern: &str, case_insensitive: bool) -> Result<Rewritten, Unsupported> {
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
        .case_insensitive(case_insensitive)
        .build()
        .translate(pattern, &parsed)
        .map_err(|e| {
            Unsupported::new(
                format!("not a valid RE2 pattern: {}", e.kind()),
                Some(e.span()),
            )
        })?;
    // Counted on the AST: `regex-syntax` reads `\<`/`\>` as (empty) assertions.
    let matches_empty = crate::java::can_be_empty(&parsed);
    let mut flags = Flags {
        case_insensitive,
        dot_nl: false,
        multi_line: false,
    };
    // Leading flag groups such as `(?i)` apply to everything after them; peel them off so the
    // top level can be split into alternatives.
    let mut items: Vec<&Ast> = match &parsed {
        Ast::Concat(c) => c.asts.iter().collect(),
        other => vec![other],
    };
    while let Some(Ast::Flags(f)) = items.first() {
        apply_flags(&mut flags, &f.flags)?;
        items.remove(0);
    }
    let branches: Vec<Vec<&Ast>> = match items.as_slice() {
        [Ast::Alternation(alt)] => alt
            .asts
            .iter()
            .map(|a| match a {
                Ast::Concat(c) => c.asts.iter().collect(),
                other => vec![other],
            })
            .collect(),
        _ => vec![items],
    };
    // Branches are emitted in order (a flag set in one alternative stays set for the next ones,
    // as in RE2), then grouped by the anchors they have: each group is one `.*(b1|b2|…).*`.
    // `(.*(b1).*)|(.*(b2).*)|…` would match the same values, but each alternative's own `.*`
    // multiplies the states of the determinised automaton (Lucene 10 no longer minimises a
    // regex's automaton, and Elasticsearch rejects one whose determinisation exceeds its work
    // limit: TooComplexToDeterminize).
    let mut groups: Vec<((bool, bool), Vec<String>)> = Vec::new();
    for branch in branches {
        let mut body = branch.as_slice();
        let mut start_anchored = false;
        let mut end_anchored = false;
        if let Some((Ast::Assertion(a), rest)) = body.split_first() {
            if is_start_anchor(a, flags) {
                start_anchored = true;
                body = rest;
            }
        }
        if let Some((Ast::Assertion(a), rest)) = body.split_last() {
            if is_end_anchor(a, flags) {
                end_anchored = true;
                body = rest;
            }
        }
        let mut out = String::new();
        for node in body {
            emit(node, &mut flags, &mut out)?;
        }
        if out.is_empty() {
            // An empty alternative: `()` is Lucene's empty string (a bare `|)` is not).
            out.push_str("()");
        }
        let key = (start_anchored, end_anchored);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, bodies)) => bodies.push(out),
            None => groups.push((key, vec![out])),
        }
    }
    let mut rendered: Vec<String> = groups
        .into_iter()
        .map(|((start_anchored, end_anchored), bodies)| {
            format!(
                "{}({}){}",
                if start_anchored { "" } else { ".*" },
                bodies.join("|"),
                if end_anchored { "" } else { ".*" }
            )
        })
        .collect();
    let lucene = if rendered.len() == 1 {
        rendered.pop().unwrap_or_default()
    } else {
        rendered
            .iter()
            .map(|b| format!("({b})"))
            .collect::<Vec<_>>()
            .join("|")
    };
    Ok(Rewritten {
        lucene,
        matches_empty,
    })
}

fn is_start_anchor(a: &ast::Assertion, flags: Flags) -> bool {
    match a.kind {
        ast::AssertionKind::StartText => true,
        ast::AssertionKind::StartLine => !flags.multi_line,
        _ => false,
    }
}

fn is_end_anchor(a: &ast::Assertion, flags: Flags) -> bool {
    match a.kind {
        ast::AssertionKind::EndText => true,
        ast::AssertionKind::EndLine => !flags.multi_line,
        _ => false,
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
                // Greediness never changes whether a whole value matches.
                ast::Flag::SwapGreed => {}
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

fn emit(node: &Ast, flags: &mut Flags, out: &mut String) -> Result<(), Unsupported> {
    match node {
        Ast::Empty(_) => Ok(()),
        Ast::Flags(f) => apply_flags(flags, &f.flags),
        Ast::Literal(lit) => {
            if flags.case_insensitive {
                let mut class = ClassUnicode::new([ClassUnicodeRange::new(lit.c, lit.c)]);
                class.case_fold_simple();
                emit_class(&class, out);
            } else {
                push_literal_char(out, lit.c);
            }
            Ok(())
        }
        Ast::Dot(_) => {
            if flags.dot_nl {
                out.push('.');
            } else {
                out.push_str("[^\n]");
            }
            Ok(())
        }
        // `regex-syntax` reads `\<` and `\>` as word boundaries; RE2 reads an escaped
        // punctuation character as itself.
        Ast::Assertion(a) if a.kind == ast::AssertionKind::WordBoundaryStartAngle => {
            push_literal_char(out, '<');
            Ok(())
        }
        Ast::Assertion(a) if a.kind == ast::AssertionKind::WordBoundaryEndAngle => {
            push_literal_char(out, '>');
            Ok(())
        }
        Ast::Assertion(a) => Err(Unsupported::new(
            match a.kind {
                ast::AssertionKind::WordBoundary
                | ast::AssertionKind::NotWordBoundary
                | ast::AssertionKind::WordBoundaryStart
                | ast::AssertionKind::WordBoundaryEnd
                | ast::AssertionKind::WordBoundaryStartAngle
                | ast::AssertionKind::WordBoundaryEndAngle
                | ast::AssertionKind::WordBoundaryStartHalf
                | ast::AssertionKind::WordBoundaryEndHalf => {
                    "Lucene regular expressions have no word-boundary assertion"
                }
                _ => "Lucene regular expressions have no anchors; only a `^`/`$` at the very start or end of the pattern (or of a top-level alternative, without the m flag) can be rewritten",
            },
            Some(&a.span),
        )),
        Ast::ClassUnicode(c) => {
            let class = unicode_class_item(c, *flags)?;
            emit_class(&class, out);
            Ok(())
        }
        Ast::ClassPerl(c) => {
            let class = perl_class(c, *flags);
            emit_class(&class, out);
            Ok(())
        }
        Ast::ClassBracketed(c) => {
            let class = bracketed_class(c, *flags)?;
            if class.ranges().is_empty() {
                return Err(Unsupported::new(
                    "a class that matches no character",
                    Some(&c.span),
                ));
            }
            emit_class(&class, out);
            Ok(())
        }
        Ast::Repetition(rep) => {
            out.push('(');
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
            Ok(())
        }
        Ast::Group(g) => {
            let mut inner = *flags;
            if let ast::GroupKind::NonCapturing(f) = &g.kind {
                apply_flags(&mut inner, f)?;
            }
            out.push('(');
            emit(&g.ast, &mut inner, out)?;
            out.push(')');
            Ok(())
        }
        Ast::Alternation(alt) => {
            for (i, a) in alt.asts.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                out.push('(');
                // As in RE2, a flag set in one alternative stays set for the next ones.
                emit(a, flags, out)?;
                out.push(')');
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

fn ascii_class(ranges: &[(char, char)]) -> ClassUnicode {
    ClassUnicode::new(ranges.iter().map(|&(a, b)| ClassUnicodeRange::new(a, b)))
}

/// RE2's Perl classes are ASCII-only: `\d` = `[0-9]`, `\s` = `[\t\n\f\r ]`, `\w` = `[0-9A-Za-z_]`.
pub(crate) fn perl_class(c: &ast::ClassPerl, flags: Flags) -> ClassUnicode {
    let mut class = match c.kind {
        ast::ClassPerlKind::Digit => ascii_class(&[('0', '9')]),
        ast::ClassPerlKind::Space => ascii_class(&[('\t', '\n'), ('\x0C', '\r'), (' ', ' ')]),
        ast::ClassPerlKind::Word => ascii_class(&[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')]),
    };
    if flags.case_insensitive {
        class.case_fold_simple();
    }
    if c.negated {
        class.negate();
    }
    class
}

/// `\pL`, `\p{Greek}`…: resolved by `regex-syntax`'s Unicode tables.
pub(crate) fn unicode_class_item(
    c: &ast::ClassUnicode,
    flags: Flags,
) -> Result<ClassUnicode, Unsupported> {
    let wrapped = Ast::ClassUnicode(Box::new(c.clone()));
    let hir = hir::translate::TranslatorBuilder::new()
        .case_insensitive(flags.case_insensitive)
        .build()
        .translate("", &wrapped)
        .map_err(|e| Unsupported::new(format!("{}", e.kind()), Some(&c.span)))?;
    match hir.kind() {
        hir::HirKind::Class(hir::Class::Unicode(u)) => Ok(u.clone()),
        hir::HirKind::Literal(hir::Literal(bytes)) => {
            let s = String::from_utf8_lossy(bytes);
            Ok(ClassUnicode::new(
                s.chars().map(|ch| ClassUnicodeRange::new(ch, ch)),
            ))
        }
        _ => Err(Unsupported::new(
            "this Unicode class has no character-class form",
            Some(&c.span),
        )),
    }
}

fn ascii_named_class(kind: &ast::ClassAsciiKind) -> ClassUnicode {
    use ast::ClassAsciiKind as K;
    let ranges: &[(char, char)] = match kind {
        K::Alnum => &[('0', '9'), ('A', 'Z'), ('a', 'z')],
        K::Alpha => &[('A', 'Z'), ('a', 'z')],
        K::Ascii => &[('\x00', '\x7F')],
        K::Blank => &[('\t', '\t'), (' ', ' ')],
        K::Cntrl => &[('\x00', '\x1F'), ('\x7F', '\x7F')],
        K::Digit => &[('0', '9')],
        K::Graph => &[('!', '~')],
        K::Lower => &[('a', 'z')],
        K::Print => &[(' ', '~')],
        K::Punct => &[('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
        K::Space => &[('\t', '\r'), (' ', ' ')],
        K::Upper => &[('A', 'Z')],
        K::Word => &[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')],
        K::Xdigit => &[('0', '9'), ('A', 'F'), ('a', 'f')],
    };
    ascii_class(ranges)
}

pub(crate) fn bracketed_class(
    c: &ast::ClassBracketed,
    flags: Flags,
) -> Result<ClassUnicode, Unsupported> {
    let mut class = class_set(&c.kind, flags)?;
    if flags.case_insensitive {
        class.case_fold_simple();
    }
    if c.negated {
        class.negate();
    }
    Ok(class)
}

fn class_set(set: &ast::ClassSet, flags: Flags) -> Result<ClassUnicode, Unsupported> {
    match set {
        ast::ClassSet::Item(item) => class_item(item, flags),
        ast::ClassSet::BinaryOp(op) => Err(Unsupported::new(
            "class set operations (&&, --, ~~) are not RE2 syntax",
            Some(&op.span),
        )),
    }
}

fn class_item(item: &ast::ClassSetItem, flags: Flags) -> Result<ClassUnicode, Unsupported> {
    use ast::ClassSetItem as I;
    Ok(match item {
        I::Empty(_) => ClassUnicode::empty(),
        I::Literal(l) => ClassUnicode::new([ClassUnicodeRange::new(l.c, l.c)]),
        I::Range(r) => ClassUnicode::new([ClassUnicodeRange::new(r.start.c, r.end.c)]),
        I::Ascii(a) => {
            let mut class = ascii_named_class(&a.kind);
            if a.negated {
                class.negate();
            }
            class
        }
        I::Unicode(u) => unicode_class_item(
            u,
            Flags {
                case_insensitive: false,
                ..flags
            },
        )?,
        I::Perl(p) => perl_class(
            p,
            Flags {
                case_insensitive: false,
                ..flags
            },
        ),
        I::Bracketed(b) => bracketed_class(
            b,
            Flags {
                case_insensitive: false,
                ..flags
            },
        )?,
        I::Union(u) => {
            let mut class = ClassUnicode::empty();
            for it in &u.items {
                class.union(&class_item(it, flags)?);
            }
            class
        }
    })
}

/// Emits a class as a single character when it has one member, else as `[…]` or `[^…]`,
/// whichever lists fewer ranges. Inside a class every ASCII punctuation character is escaped.
fn emit_class(class: &ClassUnicode, out: &mut String) {
    let ranges = class.ranges();
    if let [r] = ranges {
        if r.start() == r.end() {
            push_literal_char(out, r.start());
            return;
        }
    }
    let mut complement = class.clone();
    complement.negate();
    let (negated, shown) = if complement.ranges().len() < ranges.len() {
        (true, complement.ranges().to_vec())
    } else {
        (false, ranges.to_vec())
    };
    out.push('[');
    if negated {
        out.push('^');
    }
    for r in shown {
        push_literal_char(out, r.start());
        if r.end() != r.start() {
            out.push('-');
            push_literal_char(out, r.end());
        }
    }
    out.push(']');
}
