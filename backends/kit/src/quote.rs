//! String literals and quoted identifiers as EQL and ES|QL both write them.

use std::fmt::{self, Write};

/// Writes `text` between double quotes with `\`, `"`, line feed, carriage return and tab
/// escaped as `\\`, `\"`, `\n`, `\r`, `\t` (the escapes both EQL's and ES|QL's lexers know).
/// Every other character goes through `other`, where a target escapes what else it must.
pub fn write_quoted<W: Write>(
    out: &mut W,
    text: &str,
    mut other: impl FnMut(&mut W, char) -> fmt::Result,
) -> fmt::Result {
    out.write_char('"')?;
    for c in text.chars() {
        match c {
            '\\' => out.write_str("\\\\")?,
            '"' => out.write_str("\\\"")?,
            '\n' => out.write_str("\\n")?,
            '\r' => out.write_str("\\r")?,
            '\t' => out.write_str("\\t")?,
            c => other(out, c)?,
        }
    }
    out.write_char('"')
}

/// Writes a name as an identifier: bare when `plain` says the target reads it bare, else
/// between backticks with every backtick doubled (the one quoting EQL and ES|QL both document).
pub fn write_ident<W: Write>(out: &mut W, name: &str, plain: fn(&str) -> bool) -> fmt::Result {
    if plain(name) {
        out.write_str(name)
    } else {
        write!(out, "`{}`", name.replace('`', "``"))
    }
}

#[cfg(test)]
mod tests {
    use super::write_quoted;

    fn quoted(text: &str) -> String {
        let mut out = String::new();
        write_quoted(&mut out, text, |o, c| {
            use std::fmt::Write;
            o.write_char(c)
        })
        .unwrap();
        out
    }

    #[test]
    fn an_identifier_is_bare_or_backquoted_with_backquotes_doubled() {
        let ident = |name: &str| {
            let mut out = String::new();
            super::write_ident(&mut out, name, |n| {
                n.bytes().all(|b| b.is_ascii_lowercase())
            })
            .unwrap();
            out
        };
        assert_eq!(ident("abc"), "abc");
        assert_eq!(ident("a.b"), "`a.b`");
        assert_eq!(ident("a`b"), "`a``b`");
    }

    #[test]
    fn the_five_escapes_and_nothing_else() {
        assert_eq!(quoted(r#"a\b"c"#), r#""a\\b\"c""#);
        assert_eq!(quoted("l1\nl2\r\tx"), r#""l1\nl2\r\tx""#);
        assert_eq!(quoted("é'$"), "\"é'$\"");
    }
}
