//! The RE2 walker: a parsed RE2 pattern resolved into what RE2 means by it, as a small tree
//! ([`Node`]) that the re-emitting dialects ([`super::lucene`], [`super::java`]) print.
//!
//! Resolved here, once for every dialect:
//! * flags: `(?i)`, `(?s)`, `(?m)`, `(?U)` apply from where they stand to the end of their
//!   group, and (as in RE2) on into the later branches of an alternation; a flag RE2 lacks is
//!   declined;
//! * case folding: under `(?i)` a literal or class becomes the class of its Unicode simple case
//!   folding (as RE2 folds: `(?i)k` also matches U+212A KELVIN SIGN);
//! * classes: `\d \s \w` and `[[:alpha:]]`… are RE2's ASCII sets (`\s` has no `\v`), `\pL`…
//!   `regex-syntax`'s Unicode tables; `.` is any character but `\n` unless `(?s)`;
//! * anchors: `^`/`$` are text anchors unless `(?m)`; `\<` and `\>` are the characters `<` and
//!   `>` (RE2 reads an escaped punctuation character as itself; `regex-syntax` reads them as
//!   word boundaries);
//! * repetition: greediness after `(?U)`.

use super::Declined;
use regex_syntax::ast::{self, Ast};
use regex_syntax::hir::{self, ClassUnicode, ClassUnicodeRange};

/// An RE2 pattern, resolved. Byte ranges (`at`) point into the pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// The empty pattern (an empty alternative, `()`).
    Empty,
    /// A flag group such as `(?i)`; its effect is already applied to what follows it.
    Flags,
    /// A character matched exactly.
    Char(char),
    /// A character class (never used for a lone exact character).
    Class {
        class: ClassUnicode,
        at: (usize, usize),
    },
    /// `.`: any character, `\n` too when `newline`.
    Dot {
        newline: bool,
    },
    /// An anchor or a word boundary.
    Look {
        look: Look,
        at: (usize, usize),
    },
    Repeat {
        sub: Box<Node>,
        op: RepeatOp,
        /// Lazy (`*?`), after `(?U)` swapped greediness.
        lazy: bool,
        at: (usize, usize),
    },
    /// A group, capturing or not (its name, if any, is dropped).
    Group {
        capture: bool,
        sub: Box<Node>,
    },
    Concat(Vec<Node>),
    Alt(Vec<Node>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Look {
    /// Start of the text (`^` without `(?m)`, `\A`).
    Start,
    /// End of the text (`$` without `(?m)`, `\z`).
    End,
    /// `^` under `(?m)`: the start or after a `\n`.
    StartLine,
    /// `$` under `(?m)`: the end or before a `\n`.
    EndLine,
    /// `\b`: ASCII word characters on one side only.
    WordBoundary,
    /// `\B`.
    NotWordBoundary,
    /// A word-boundary form RE2 does not have (`\b{start}` as `regex-syntax` reads it).
    OtherBoundary,
}

/// A repetition operator as written (`?` and `{0,1}` are spelled back as they came).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepeatOp {
    ZeroOrOne,
    ZeroOrMore,
    OneOrMore,
    Exactly(u32),
    AtLeast(u32),
    Bounded(u32, u32),
}

impl RepeatOp {
    pub fn min(self) -> u32 {
        match self {
            RepeatOp::ZeroOrOne | RepeatOp::ZeroOrMore => 0,
            RepeatOp::OneOrMore => 1,
            RepeatOp::Exactly(n) | RepeatOp::AtLeast(n) | RepeatOp::Bounded(n, _) => n,
        }
    }

    /// Can it match its operand more than once?
    pub fn repeats(self) -> bool {
        !matches!(
            self,
            RepeatOp::ZeroOrOne | RepeatOp::Exactly(0 | 1) | RepeatOp::Bounded(_, 0 | 1)
        )
    }

    /// The operator in the shared Perl/Lucene spelling (`*`, `{2,3}`…).
    pub fn text(self) -> String {
        match self {
            RepeatOp::ZeroOrOne => "?".into(),
            RepeatOp::ZeroOrMore => "*".into(),
            RepeatOp::OneOrMore => "+".into(),
            RepeatOp::Exactly(n) => format!("{{{n}}}"),
            RepeatOp::AtLeast(n) => format!("{{{n},}}"),
            RepeatOp::Bounded(a, b) => format!("{{{a},{b}}}"),
        }
    }
}

impl Node {
    /// Whether it can match the empty string.
    pub fn can_be_empty(&self) -> bool {
        match self {
            Node::Empty | Node::Flags | Node::Look { .. } => true,
            Node::Char(_) | Node::Class { .. } | Node::Dot { .. } => false,
            Node::Repeat { sub, op, .. } => op.min() == 0 || sub.can_be_empty(),
            Node::Group { sub, .. } => sub.can_be_empty(),
            Node::Alt(xs) => xs.iter().any(Node::can_be_empty),
            Node::Concat(xs) => xs.iter().all(Node::can_be_empty),
        }
    }

    /// The number of capture groups in it.
    pub fn captures(&self) -> usize {
        match self {
            Node::Group { capture, sub } => usize::from(*capture) + sub.captures(),
            Node::Repeat { sub, .. } => sub.captures(),
            Node::Alt(xs) | Node::Concat(xs) => xs.iter().map(Node::captures).sum(),
            _ => 0,
        }
    }

    /// The items of a sequence (a lone node is a sequence of one).
    pub fn items(&self) -> &[Node] {
        match self {
            Node::Concat(xs) => xs,
            other => std::slice::from_ref(other),
        }
    }
}

/// The flags in force at a point of the pattern.
#[derive(Clone, Copy, Debug, Default)]
struct Flags {
    case_insensitive: bool,
    dot_nl: bool,
    multi_line: bool,
    swap_greed: bool,
}

/// Parses and resolves an RE2 pattern; `case_insensitive` starts it under `(?i)`.
pub fn resolve(pattern: &str, case_insensitive: bool) -> Result<Node, Declined> {
    let parsed = super::parse(pattern)?;
    // Translating checks what the AST alone does not (class names, case folding tables).
    hir::translate::TranslatorBuilder::new()
        .case_insensitive(case_insensitive)
        .build()
        .translate(pattern, &parsed)
        .map_err(|e| {
            Declined::new(
                format!("not a valid RE2 pattern: {}", e.kind()),
                Some(e.span()),
            )
        })?;
    let mut flags = Flags {
        case_insensitive,
        ..Flags::default()
    };
    node(&parsed, &mut flags)
}

fn span(s: &ast::Span) -> (usize, usize) {
    (s.start.offset, s.end.offset)
}

fn apply_flags(flags: &mut Flags, set: &ast::Flags) -> Result<(), Declined> {
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
                    return Err(Declined::new(
                        "this flag is not an RE2 flag (RE2 knows i, m, s, U)",
                        Some(&item.span),
                    ))
                }
            },
        }
    }
    Ok(())
}

/// A class, or the character itself when the class has exactly one member.
fn class_node(class: ClassUnicode, at: &ast::Span) -> Node {
    match class.ranges() {
        [r] if r.start() == r.end() => Node::Char(r.start()),
        _ => Node::Class {
            class,
            at: span(at),
        },
    }
}

fn node(ast: &Ast, flags: &mut Flags) -> Result<Node, Declined> {
    use ast::AssertionKind as K;
    Ok(match ast {
        Ast::Empty(_) => Node::Empty,
        Ast::Flags(f) => {
            apply_flags(flags, &f.flags)?;
            Node::Flags
        }
        Ast::Literal(lit) if flags.case_insensitive => {
            let mut class = ClassUnicode::new([ClassUnicodeRange::new(lit.c, lit.c)]);
            class.case_fold_simple();
            class_node(class, &lit.span)
        }
        Ast::Literal(lit) => Node::Char(lit.c),
        Ast::Dot(_) => Node::Dot {
            newline: flags.dot_nl,
        },
        Ast::Assertion(a) => {
            let look = match a.kind {
                K::WordBoundaryStartAngle => return Ok(Node::Char('<')),
                K::WordBoundaryEndAngle => return Ok(Node::Char('>')),
                K::StartText => Look::Start,
                K::EndText => Look::End,
                K::StartLine if flags.multi_line => Look::StartLine,
                K::EndLine if flags.multi_line => Look::EndLine,
                K::StartLine => Look::Start,
                K::EndLine => Look::End,
                K::WordBoundary => Look::WordBoundary,
                K::NotWordBoundary => Look::NotWordBoundary,
                K::WordBoundaryStart
                | K::WordBoundaryEnd
                | K::WordBoundaryStartHalf
                | K::WordBoundaryEndHalf => Look::OtherBoundary,
            };
            Node::Look {
                look,
                at: span(&a.span),
            }
        }
        Ast::ClassUnicode(c) => class_node(unicode_class(c, *flags)?, &c.span),
        Ast::ClassPerl(c) => class_node(perl_class(c, *flags), &c.span),
        Ast::ClassBracketed(c) => {
            let class = bracketed_class(c, *flags)?;
            if class.ranges().is_empty() {
                return Err(Declined::new(
                    "a class that matches no character",
                    Some(&c.span),
                ));
            }
            class_node(class, &c.span)
        }
        Ast::Repetition(rep) => {
            let mut inner = *flags;
            let sub = node(&rep.ast, &mut inner)?;
            let op = match &rep.op.kind {
                ast::RepetitionKind::ZeroOrOne => RepeatOp::ZeroOrOne,
                ast::RepetitionKind::ZeroOrMore => RepeatOp::ZeroOrMore,
                ast::RepetitionKind::OneOrMore => RepeatOp::OneOrMore,
                ast::RepetitionKind::Range(r) => match *r {
                    ast::RepetitionRange::Exactly(n) => RepeatOp::Exactly(n),
                    ast::RepetitionRange::AtLeast(n) => RepeatOp::AtLeast(n),
                    ast::RepetitionRange::Bounded(a, b) => RepeatOp::Bounded(a, b),
                },
            };
            Node::Repeat {
                sub: Box::new(sub),
                op,
                lazy: rep.greedy == flags.swap_greed,
                at: span(&rep.span),
            }
        }
        Ast::Group(g) => {
            let mut inner = *flags;
            if let ast::GroupKind::NonCapturing(f) = &g.kind {
                apply_flags(&mut inner, f)?;
            }
            Node::Group {
                capture: !matches!(g.kind, ast::GroupKind::NonCapturing(_)),
                sub: Box::new(node(&g.ast, &mut inner)?),
            }
        }
        // As in RE2, a flag set in one alternative stays set for the next ones, until the
        // enclosing group ends.
        Ast::Alternation(alt) => Node::Alt(
            alt.asts
                .iter()
                .map(|a| node(a, flags))
                .collect::<Result<_, _>>()?,
        ),
        Ast::Concat(c) => Node::Concat(
            c.asts
                .iter()
                .map(|a| node(a, flags))
                .collect::<Result<_, _>>()?,
        ),
    })
}

fn ascii_class(ranges: &[(char, char)]) -> ClassUnicode {
    ClassUnicode::new(ranges.iter().map(|&(a, b)| ClassUnicodeRange::new(a, b)))
}

/// RE2's Perl classes are ASCII-only: `\d` = `[0-9]`, `\s` = `[\t\n\f\r ]`, `\w` = `[0-9A-Za-z_]`.
fn perl_class(c: &ast::ClassPerl, flags: Flags) -> ClassUnicode {
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
fn unicode_class(c: &ast::ClassUnicode, flags: Flags) -> Result<ClassUnicode, Declined> {
    let wrapped = Ast::ClassUnicode(Box::new(c.clone()));
    let hir = hir::translate::TranslatorBuilder::new()
        .case_insensitive(flags.case_insensitive)
        .build()
        .translate("", &wrapped)
        .map_err(|e| Declined::new(format!("{}", e.kind()), Some(&c.span)))?;
    match hir.kind() {
        hir::HirKind::Class(hir::Class::Unicode(u)) => Ok(u.clone()),
        hir::HirKind::Literal(hir::Literal(bytes)) => {
            let s = String::from_utf8_lossy(bytes);
            Ok(ClassUnicode::new(
                s.chars().map(|ch| ClassUnicodeRange::new(ch, ch)),
            ))
        }
        _ => Err(Declined::new(
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

fn bracketed_class(c: &ast::ClassBracketed, flags: Flags) -> Result<ClassUnicode, Declined> {
    let mut class = match &c.kind {
        ast::ClassSet::Item(item) => class_item(item, flags)?,
        ast::ClassSet::BinaryOp(op) => {
            return Err(Declined::new(
                "class set operations (&&, --, ~~) are not RE2 syntax",
                Some(&op.span),
            ))
        }
    };
    if flags.case_insensitive {
        class.case_fold_simple();
    }
    if c.negated {
        class.negate();
    }
    Ok(class)
}

fn class_item(item: &ast::ClassSetItem, flags: Flags) -> Result<ClassUnicode, Declined> {
    use ast::ClassSetItem as I;
    // Members are folded once, by the enclosing class.
    let unfolded = Flags {
        case_insensitive: false,
        ..flags
    };
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
        I::Unicode(u) => unicode_class(u, unfolded)?,
        I::Perl(p) => perl_class(p, unfolded),
        I::Bracketed(b) => bracketed_class(b, unfolded)?,
        I::Union(u) => {
            let mut class = ClassUnicode::empty();
            for it in &u.items {
                class.union(&class_item(it, flags)?);
            }
            class
        }
    })
}

/// A class written `[…]`, or `[^…]` when its complement lists fewer ranges (and is not empty),
/// each character written by `push`.
pub fn push_class(out: &mut String, class: &ClassUnicode, push: fn(&mut String, char)) {
    let ranges = class.ranges();
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
        push(out, r.start());
        if r.end() != r.start() {
            out.push('-');
            push(out, r.end());
        }
    }
    out.push(']');
}

// What follows spells RE2's ASCII classes as text, for the dialects that keep the pattern as
// written and rewrite only what they read differently (`pcre`, `sigma`).

/// RE2's Perl class `\d`, `\w` or `\s` as the body of a bracketed class (`0-9`…).
pub fn perl_class_text(kind: &ast::ClassPerlKind) -> &'static str {
    match kind {
        ast::ClassPerlKind::Digit => "0-9",
        ast::ClassPerlKind::Word => "0-9A-Za-z_",
        ast::ClassPerlKind::Space => "\\t\\n\\f\\r ",
    }
}

/// `\d`, `\D`… outside brackets as an explicit ASCII class (`[0-9]`, `[^0-9]`).
pub fn perl_class_bracketed(p: &ast::ClassPerl) -> String {
    let neg = if p.negated { "^" } else { "" };
    format!("[{neg}{}]", perl_class_text(&p.kind))
}

/// `[\S]` / `[^\S]`: a negated Perl class alone in brackets is its ASCII set, complemented
/// (`[^\t\n\f\r ]`, `[\t\n\f\r ]`); `None` for any other bracketed class.
pub fn negated_perl_alone(b: &ast::ClassBracketed) -> Option<String> {
    match &b.kind {
        ast::ClassSet::Item(ast::ClassSetItem::Perl(p)) if p.negated => {
            let caret = if b.negated { "" } else { "^" };
            Some(format!("[{caret}{}]", perl_class_text(&p.kind)))
        }
        _ => None,
    }
}
