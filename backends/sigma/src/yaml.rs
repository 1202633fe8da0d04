//! A tiny deterministic YAML writer for Sigma documents: block style, 4-space indent (SigmaHQ's
//! layout), keys in insertion order, and a conservative quoting function. It owns YAML syntax
//! only; it never decides what a Sigma rule contains.

use std::fmt::{self, Write};

/// A YAML value. Maps keep insertion order (SigmaHQ key order is decided by the caller).
#[derive(Clone, Debug, PartialEq)]
pub enum Yaml {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
    Seq(Vec<Yaml>),
    Map(Vec<(String, Yaml)>),
}

impl Yaml {
    pub fn str(s: impl Into<String>) -> Yaml {
        Yaml::Str(s.into())
    }

    fn is_block(&self) -> bool {
        match self {
            Yaml::Seq(v) => !v.is_empty(),
            Yaml::Map(m) => !m.is_empty(),
            _ => false,
        }
    }
}

/// One YAML document (`---` separates documents in a stream).
pub struct Document(pub Yaml);

impl fmt::Display for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_block(f, &self.0, 0)
    }
}

const INDENT: usize = 4;

/// Writes `value` as the content of a block at `indent`; every line ends with `\n`.
fn write_block(f: &mut fmt::Formatter<'_>, value: &Yaml, indent: usize) -> fmt::Result {
    match value {
        Yaml::Map(entries) if !entries.is_empty() => {
            for (k, v) in entries {
                pad(f, indent)?;
                write_entry(f, k, v, indent)?;
            }
            Ok(())
        }
        Yaml::Seq(items) if !items.is_empty() => {
            for item in items {
                pad(f, indent)?;
                write_item(f, item, indent)?;
            }
            Ok(())
        }
        scalar => {
            pad(f, indent)?;
            writeln!(f, "{}", Scalar(scalar))
        }
    }
}

/// `key: value` with the key already indented.
fn write_entry(f: &mut fmt::Formatter<'_>, key: &str, value: &Yaml, indent: usize) -> fmt::Result {
    write!(f, "{}:", Scalar(&Yaml::Str(key.to_string())))?;
    if value.is_block() {
        f.write_char('\n')?;
        write_block(f, value, indent + INDENT)
    } else {
        writeln!(f, " {}", Scalar(value))
    }
}

/// `- item` with the dash already indented; a map item continues on the dash's line.
fn write_item(f: &mut fmt::Formatter<'_>, item: &Yaml, indent: usize) -> fmt::Result {
    f.write_str("- ")?;
    match item {
        Yaml::Map(entries) if !entries.is_empty() => {
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    pad(f, indent + 2)?;
                }
                write_entry(f, k, v, indent + 2)?;
            }
            Ok(())
        }
        Yaml::Seq(items) if !items.is_empty() => {
            for (i, inner) in items.iter().enumerate() {
                if i > 0 {
                    pad(f, indent + 2)?;
                }
                write_item(f, inner, indent + 2)?;
            }
            Ok(())
        }
        scalar => writeln!(f, "{}", Scalar(scalar)),
    }
}

fn pad(f: &mut fmt::Formatter<'_>, n: usize) -> fmt::Result {
    for _ in 0..n {
        f.write_char(' ')?;
    }
    Ok(())
}

/// A scalar (or an empty collection) in flow form.
struct Scalar<'a>(&'a Yaml);

impl fmt::Display for Scalar<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Yaml::Str(s) => write_str_scalar(f, s),
            Yaml::Int(i) => write!(f, "{i}"),
            // `{:?}` keeps a `.0` on whole floats so the value reads back as a float.
            Yaml::Float(x) => write!(f, "{x:?}"),
            Yaml::Bool(b) => write!(f, "{b}"),
            Yaml::Null => f.write_str("null"),
            Yaml::Seq(_) => f.write_str("[]"),
            Yaml::Map(_) => f.write_str("{}"),
        }
    }
}

/// How a string must be written so that every YAML 1.1 and 1.2 reader reads it back as exactly
/// this string.
#[derive(Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
}

pub fn style(s: &str) -> Style {
    if s.chars().any(needs_escape) {
        return Style::DoubleQuoted;
    }
    if is_plain_safe(s) {
        Style::Plain
    } else {
        Style::SingleQuoted
    }
}

/// Characters a single-quoted scalar cannot carry literally (control characters, line breaks
/// in every YAML sense, the BOM, and the non-characters U+FFFE and U+FFFF, which YAML 1.1
/// readers such as PyYAML refuse anywhere in a stream).
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
}

/// Plain only when it cannot be read as anything but this string: ASCII, starts with a letter
/// or one of a few inert characters, no flow/comment/mapping indicators, not a YAML 1.1
/// boolean/null word.
fn is_plain_safe(s: &str) -> bool {
    if is_timespan(s) || is_uuid(s) {
        return true;
    }
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || matches!(first, '_' | '/' | '\\' | '(' | '$' | '^')) {
        return false;
    }
    if s.ends_with(' ') {
        return false;
    }
    let ok_char = |c: char| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                ' ' | '_'
                    | '-'
                    | '.'
                    | '/'
                    | '\\'
                    | '('
                    | ')'
                    | '$'
                    | '^'
                    | '|'
                    | '+'
                    | '='
                    | '@'
                    | '~'
                    | '*'
                    | '?'
                    | '<'
                    | '>'
                    | '%'
                    | ';'
                    | '&'
                    | '!'
            )
    };
    if !s.chars().all(ok_char) {
        return false;
    }
    const WORDS: [&str; 11] = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf",
    ];
    !WORDS.contains(&s.to_ascii_lowercase().as_str())
}

/// `15m`, `1h`, `14d`: digits then one unit letter, never a number or date in YAML 1.1/1.2.
fn is_timespan(s: &str) -> bool {
    if !s.is_ascii() {
        return false;
    }
    let (digits, unit) = s.split_at(s.len().saturating_sub(1));
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && matches!(unit, "s" | "m" | "h" | "d" | "w" | "y")
}

/// A canonical UUID (8-4-4-4-12 hex digits): no YAML resolver reads it as a number or date.
fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn write_str_scalar(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    match style(s) {
        Style::Plain => f.write_str(s),
        Style::SingleQuoted => {
            f.write_char('\'')?;
            for c in s.chars() {
                if c == '\'' {
                    f.write_str("''")?;
                } else {
                    f.write_char(c)?;
                }
            }
            f.write_char('\'')
        }
        Style::DoubleQuoted => {
            f.write_char('"')?;
            for c in s.chars() {
                match c {
                    '"' => f.write_str("\\\"")?,
                    '\\' => f.write_str("\\\\")?,
                    '\n' => f.write_str("\\n")?,
                    '\t' => f.write_str("\\t")?,
                    '\r' => f.write_str("\\r")?,
                    c if needs_escape(c) => {
                        let n = c as u32;
                        if n <= 0xff {
                            write!(f, "\\x{n:02x}")?;
                        } else {
                            write!(f, "\\u{n:04x}")?;
                        }
                    }
                    c => f.write_char(c)?,
                }
            }
            f.write_char('"')
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> String {
        Scalar(&Yaml::str(x)).to_string()
    }

    #[test]
    fn quoting_styles() {
        assert_eq!(s("SigninLogs"), "SigninLogs");
        assert_eq!(s("Image|endswith"), "Image|endswith");
        assert_eq!(s("attack.t1090.003"), "attack.t1090.003");
        assert_eq!(s("C:\\Windows\\"), "'C:\\Windows\\'");
        assert_eq!(s("it's"), "'it''s'");
        assert_eq!(s("443"), "'443'");
        assert_eq!(s("1h"), "1h");
        assert_eq!(s("1e3"), "'1e3'");
        assert_eq!(
            s("8f475c58-f1b2-52a7-b293-9bea94051116"),
            "8f475c58-f1b2-52a7-b293-9bea94051116"
        );
        assert_eq!(
            s("20240101-f1b2-52a7-b293-9bea9405111"),
            "'20240101-f1b2-52a7-b293-9bea9405111'"
        );
        assert_eq!(s("yes"), "'yes'");
        assert_eq!(s("Null"), "'Null'");
        assert_eq!(s(""), "''");
        assert_eq!(s(" a"), "' a'");
        assert_eq!(s("a #b"), "'a #b'");
        assert_eq!(s("a: b"), "'a: b'");
        assert_eq!(s("*"), "'*'");
        assert_eq!(s("a\nb\"\\"), "\"a\\nb\\\"\\\\\"");
        assert_eq!(s("é"), "'é'");
        assert_eq!(s("\u{7}\u{2028}"), "\"\\x07\\u2028\"");
        assert_eq!(s("a\u{fffe}\u{ffff}"), "\"a\\ufffe\\uffff\"");
    }

    #[test]
    fn block_layout() {
        let doc = Yaml::Map(vec![
            ("title".into(), Yaml::str("t")),
            (
                "detection".into(),
                Yaml::Map(vec![
                    (
                        "sel".into(),
                        Yaml::Seq(vec![
                            Yaml::Map(vec![("a".into(), Yaml::Null), ("b".into(), Yaml::Int(1))]),
                            Yaml::Map(vec![(
                                "c".into(),
                                Yaml::Seq(vec![Yaml::Float(1.0), Yaml::Bool(true)]),
                            )]),
                        ]),
                    ),
                    ("condition".into(), Yaml::str("sel")),
                ]),
            ),
        ]);
        assert_eq!(
            Document(doc).to_string(),
            "title: t\ndetection:\n    sel:\n        - a: null\n          b: 1\n        - c:\n              - 1.0\n              - true\n    condition: sel\n"
        );
    }
}
