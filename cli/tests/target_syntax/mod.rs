//! Test-side lexers for the four targets, written from each vendor's syntax reference (not from
//! kqlport's printers), so the inertness tests can ask "what does the target's reader see?":
//! which spans are comments, what each string literal and quoted identifier decodes to, and
//! where commands start.
//!
//! * ES|QL — Elastic's `EsqlBaseLexer.g4`: `//` comments end at CR or LF; `/* */`; strings
//!   `"…"` with `\t \n \r \" \\` and no raw CR/LF, or `"""…"""`; identifiers `` `…` `` with
//!   ```` `` ```` for a backtick.
//! * EQL — Elasticsearch's `EqlBase.g4` and the `eql` package's grammar: `//` comments end at CR
//!   or LF; strings `"…"` with `\b \t \n \f \r \" \' \\ \u{h…}` and no raw CR/LF; identifiers
//!   `` `…` ``.
//! * SPL — Splunk's search reference: ```` ``` ```` comments run to the next ```` ``` ````; eval
//!   strings `"…"` with `\"` and `\\`; `'…'` field names; commands start with `|`.
//! * Sigma — YAML 1.1 as PyYAML reads it (pySigma): line breaks are CR, LF, NEL, U+2028,
//!   U+2029, and C0/C1 controls other than TAB/LF/CR/NEL are refused anywhere in the stream.

#![allow(dead_code)]

/// A token a target's lexer would produce; `Other` is any character outside the other forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok {
    /// A line comment: its text after the marker, and whether it started at a line start
    /// and ended at a line end (LF or end of text).
    Comment {
        text: String,
        whole_line: bool,
    },
    Str(String),
    Ident(String),
    Word(String),
    Other(char),
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '@'
}

fn at_line_start(chars: &[char], i: usize) -> bool {
    i == 0 || chars[i - 1] == '\n'
}

/// ES|QL and EQL share comment and identifier rules; `eql` selects EQL's string escapes.
fn lex_elastic(text: &str, eql: bool) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && chars.get(i + 1) == Some(&'/') {
            let start = i;
            i += 2;
            let body_start = i;
            while i < chars.len() && chars[i] != '\r' && chars[i] != '\n' {
                i += 1;
            }
            let text: String = chars[body_start..i].iter().collect();
            let ended_at_lf = i == chars.len() || chars[i] == '\n';
            out.push(Tok::Comment {
                text,
                whole_line: at_line_start(&chars, start) && ended_at_lf,
            });
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            return Err(format!("block comment at {i}"));
        }
        if c == '"' {
            if chars[i..].starts_with(&['"', '"', '"']) {
                return Err(format!("triple-quoted string at {i}"));
            }
            i += 1;
            let mut s = String::new();
            loop {
                let Some(&d) = chars.get(i) else {
                    return Err("unterminated string".into());
                };
                match d {
                    '"' => {
                        i += 1;
                        break;
                    }
                    '\r' | '\n' => return Err(format!("raw line break in a string at {i}")),
                    '\\' => {
                        let e = chars.get(i + 1).copied().ok_or("dangling backslash")?;
                        i += 2;
                        match e {
                            't' => s.push('\t'),
                            'n' => s.push('\n'),
                            'r' => s.push('\r'),
                            '"' => s.push('"'),
                            '\\' => s.push('\\'),
                            'b' if eql => s.push('\u{8}'),
                            'f' if eql => s.push('\u{c}'),
                            '\'' if eql => s.push('\''),
                            'u' if eql && chars.get(i) == Some(&'{') => {
                                let close = chars[i..]
                                    .iter()
                                    .position(|&x| x == '}')
                                    .ok_or("unclosed \\u{")?;
                                let hex: String = chars[i + 1..i + close].iter().collect();
                                if !(2..=8).contains(&hex.len()) {
                                    return Err(format!("bad \\u{{{hex}}}"));
                                }
                                let v = u32::from_str_radix(&hex, 16).map_err(|e| e.to_string())?;
                                s.push(char::from_u32(v).ok_or("not a char")?);
                                i += close + 1;
                            }
                            other => return Err(format!("unknown escape \\{other}")),
                        }
                    }
                    d => {
                        s.push(d);
                        i += 1;
                    }
                }
            }
            out.push(Tok::Str(s));
            continue;
        }
        if c == '`' {
            i += 1;
            let mut s = String::new();
            loop {
                let Some(&d) = chars.get(i) else {
                    return Err("unterminated quoted identifier".into());
                };
                if d == '`' {
                    if chars.get(i + 1) == Some(&'`') {
                        s.push('`');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                s.push(d);
                i += 1;
            }
            out.push(Tok::Ident(s));
            continue;
        }
        if is_word_char(c) {
            let start = i;
            while i < chars.len() && is_word_char(chars[i]) {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect()));
            continue;
        }
        out.push(Tok::Other(c));
        i += 1;
    }
    Ok(out)
}

pub fn lex_esql(text: &str) -> Result<Vec<Tok>, String> {
    lex_elastic(text, false)
}

pub fn lex_eql(text: &str) -> Result<Vec<Tok>, String> {
    lex_elastic(text, true)
}

/// SPL: ```` ``` ```` comments, eval strings, `'…'` field names. `Str` of an eval string is
/// its decoded text; a `urldecode("%..")` call yields `Str` of the decoded bytes, so a
/// concatenation `"a".urldecode("%0A")."b"` reads back as three `Str` tokens around `.`.
pub fn lex_spl(text: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if chars[i..].starts_with(&['`', '`', '`']) {
            let start = i;
            i += 3;
            let body_start = i;
            loop {
                if i + 3 > chars.len() {
                    return Err("unterminated ``` comment".into());
                }
                if chars[i..].starts_with(&['`', '`', '`']) {
                    break;
                }
                i += 1;
            }
            let body: String = chars[body_start..i].iter().collect();
            i += 3;
            let ended = i == chars.len() || chars[i] == '\n';
            let whole_line = at_line_start(&chars, start) && ended && !body.contains('\n');
            out.push(Tok::Comment {
                text: body,
                whole_line,
            });
            continue;
        }
        if c == '"' {
            i += 1;
            let mut s = String::new();
            loop {
                let Some(&d) = chars.get(i) else {
                    return Err("unterminated string".into());
                };
                match d {
                    '"' => {
                        i += 1;
                        break;
                    }
                    '\\' => {
                        let e = chars.get(i + 1).copied().ok_or("dangling backslash")?;
                        s.push(e);
                        i += 2;
                    }
                    '\n' | '\r' => return Err("raw line break in an SPL string".into()),
                    d => {
                        s.push(d);
                        i += 1;
                    }
                }
            }
            out.push(Tok::Str(s));
            continue;
        }
        if c == '\'' {
            let close = chars[i + 1..]
                .iter()
                .position(|&x| x == '\'')
                .ok_or("unterminated field name")?;
            out.push(Tok::Ident(chars[i + 1..i + 1 + close].iter().collect()));
            i += close + 2;
            continue;
        }
        if is_word_char(c) {
            let start = i;
            while i < chars.len() && is_word_char(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if word == "urldecode" && chars.get(i) == Some(&'(') {
                // urldecode("%HH…") → its decoded text.
                let close = chars[i..]
                    .iter()
                    .position(|&x| x == ')')
                    .ok_or("unclosed urldecode")?;
                let arg: String = chars[i + 1..i + close].iter().collect();
                let hex = arg
                    .strip_prefix('"')
                    .and_then(|a| a.strip_suffix('"'))
                    .ok_or("urldecode of a non-literal")?;
                let mut bytes = Vec::new();
                for part in hex.split('%').skip(1) {
                    bytes.push(u8::from_str_radix(part, 16).map_err(|e| e.to_string())?);
                }
                out.push(Tok::Str(
                    String::from_utf8(bytes).map_err(|e| e.to_string())?,
                ));
                i += close + 1;
                continue;
            }
            out.push(Tok::Word(word));
            continue;
        }
        out.push(Tok::Other(c));
        i += 1;
    }
    Ok(out)
}

/// The concatenated values of every `"…" . urldecode(…) . "…"` run, in order (SPL builds a
/// string with control characters that way).
pub fn spl_strings(toks: &[Tok]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut joining = false;
    for t in toks {
        match t {
            Tok::Str(s) if joining => {
                if let Some(last) = out.last_mut() {
                    last.push_str(s);
                }
                joining = false;
            }
            Tok::Str(s) => out.push(s.clone()),
            Tok::Other('.') if !out.is_empty() => joining = true,
            _ => joining = false,
        }
    }
    out
}

/// Characters PyYAML refuses anywhere in a stream, or reads as a line break (other than LF).
/// kqlport's YAML must hold none of them raw: they are escaped in double-quoted scalars and
/// comments.
pub fn yaml_unsafe_raw(c: char) -> bool {
    (c.is_control() && c != '\n') || matches!(c, '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}')
}
