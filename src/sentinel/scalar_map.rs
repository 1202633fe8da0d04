//! Builds the [`SourceMap`] of a YAML scalar: from where the scalar starts in the raw file text,
//! re-scans its source (block, plain, single- or double-quoted) into pieces and aligns them with
//! the decoded value. Owns position arithmetic only; it never decodes the value it maps (the
//! YAML parser did) and never reports errors (a failed alignment is returned as `exact: false`).

use crate::source::SourceMap;
use serde::Serialize;

/// How the query was written in its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum QueryStyle {
    /// The whole file is the query (`.kql`, `.txt`, stdin).
    WholeFile,
    /// A fenced code block in Markdown.
    Fenced,
    /// `query: |` (also `|-`, `|+`, `|2`).
    Literal,
    /// `query: >` — lines folded into spaces.
    Folded,
    /// `query: T | where x` or a multi-line plain scalar.
    Plain,
    /// `query: '...'`
    SingleQuoted,
    /// `query: "..."` with escapes.
    DoubleQuoted,
}

/// A run of the decoded value and the file offset where its source starts.
struct Piece {
    file: usize,
    text: String,
}

/// The result of mapping one scalar.
pub(crate) struct ScalarMap {
    pub style: QueryStyle,
    pub map: SourceMap,
    /// Whether every non-separator character of the value was aligned with the file.
    pub exact: bool,
}

/// Maps `value`, the decoded scalar whose source starts at byte `start` of `text` (the
/// position serde-saphyr reports: the opening quote, or the first content character) and ends
/// near `end`.
pub(crate) fn map_scalar(text: &str, start: usize, end: usize, value: &str) -> ScalarMap {
    let start = start.min(text.len());
    let end = if end > start && end <= text.len() {
        end
    } else {
        text.len()
    };
    let (style, pieces) = match text[start..].chars().next() {
        Some('"') => (QueryStyle::DoubleQuoted, double_quoted(text, start + 1)),
        Some('\'') => (QueryStyle::SingleQuoted, single_quoted(text, start + 1)),
        _ => match block_header(text, start) {
            Some(h) => {
                let style = if h.folded {
                    QueryStyle::Folded
                } else {
                    QueryStyle::Literal
                };
                (style, block(text, &h))
            }
            None => (QueryStyle::Plain, plain(text, start, end)),
        },
    };
    let (segments, exact) = align(value, &pieces);
    let map = if segments.is_empty() {
        SourceMap::shifted(start)
    } else {
        SourceMap::from_segments(segments)
    };
    ScalarMap { style, map, exact }
}

/// Walks `value`, matching each piece in order; between pieces only line-folding separators
/// (space, tab, newline) of the value may be skipped.
fn align(value: &str, pieces: &[Piece]) -> (Vec<(usize, usize)>, bool) {
    let mut segments = Vec::new();
    let mut cursor = 0;
    for piece in pieces {
        if cursor >= value.len() {
            break;
        }
        if piece.text.is_empty() {
            continue;
        }
        loop {
            let rest = &value[cursor..];
            if rest.starts_with(piece.text.as_str()) {
                segments.push((cursor, piece.file));
                cursor += piece.text.len();
                break;
            }
            match rest.chars().next() {
                Some(c @ (' ' | '\t' | '\n')) => cursor += c.len_utf8(),
                _ => return (segments, false),
            }
        }
    }
    let exact = value[cursor.min(value.len())..]
        .chars()
        .all(|c| matches!(c, ' ' | '\t' | '\n'));
    (segments, exact)
}

/// The lines of `text` from byte `from`: `(line_start, line_without_break)`. A line ends at
/// YAML's line breaks: `\r\n`, `\n`, or a lone `\r`.
fn lines_from(text: &str, from: usize) -> impl Iterator<Item = (usize, &str)> {
    let mut pos = from;
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        let rest = &text[pos..];
        let (line, next) = match rest.find(['\n', '\r']) {
            Some(i) if rest[i..].starts_with("\r\n") => (&rest[..i], pos + i + 2),
            Some(i) => (&rest[..i], pos + i + 1),
            None => (rest, text.len()),
        };
        let start = pos;
        pos = next;
        Some((start, line))
    })
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

fn is_blank(s: &str) -> bool {
    s.chars().all(|c| matches!(c, ' ' | '\t' | '\r'))
}

fn trim_yaml_ws(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\r'])
}

fn trim_yaml_ws_end(s: &str) -> &str {
    s.trim_end_matches([' ', '\t', '\r'])
}

struct BlockHeader {
    folded: bool,
    /// Byte offset of the first line after the header.
    body: usize,
    /// Explicit content indentation, if the header has an indentation indicator.
    indent: Option<usize>,
}

/// If the scalar starting at `start` is a block scalar, its header. The scalar's reported start
/// is its first content character; the header is the nearest non-blank line above it.
fn block_header(text: &str, start: usize) -> Option<BlockHeader> {
    let ls = line_start(text, start);
    if !is_blank(&text[ls..start]) || ls == 0 {
        return None;
    }
    // Walk back over blank lines to the header line.
    let mut end = ls - 1; // the '\n' ending the previous line
    loop {
        let hs = line_start(text, end);
        let line = &text[hs..end];
        if is_blank(line) {
            if hs == 0 {
                return None;
            }
            end = hs - 1;
            continue;
        }
        let code = match line.find(" #").or_else(|| line.find("\t#")) {
            Some(i) => &line[..i],
            None => line,
        };
        let code = trim_yaml_ws_end(code);
        let token = code.rsplit([' ', '\t', ':']).next().unwrap_or("");
        let mut chars = token.chars();
        let folded = match chars.next() {
            Some('|') => false,
            Some('>') => true,
            _ => return None,
        };
        let rest: Vec<char> = chars.collect();
        if rest.len() > 2 || !rest.iter().all(|c| matches!(c, '+' | '-' | '1'..='9')) {
            return None;
        }
        let parent = line.len() - line.trim_start_matches(' ').len();
        let indent = rest
            .iter()
            .find_map(|c| c.to_digit(10))
            .map(|d| parent + d as usize);
        return Some(BlockHeader {
            folded,
            body: end + 1,
            indent,
        });
    }
}

/// One piece per content line, after the block's indentation.
fn block(text: &str, h: &BlockHeader) -> Vec<Piece> {
    let mut indent = h.indent;
    let mut pieces = Vec::new();
    for (ls, line) in lines_from(text, h.body) {
        let leading = line.len() - line.trim_start_matches(' ').len();
        let n = match indent {
            Some(n) => n,
            None if line.len() == leading => continue, // leading empty line
            None => {
                indent = Some(leading);
                leading
            }
        };
        if leading < n {
            if is_blank(line) {
                continue;
            }
            break;
        }
        pieces.push(Piece {
            file: ls + n,
            text: line[n..].to_string(),
        });
    }
    pieces
}

/// One piece per line of a plain scalar, trimmed as line folding trims them.
fn plain(text: &str, start: usize, end: usize) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for (ls, line) in lines_from(&text[..end], start) {
        let trimmed_start = line.trim_start_matches([' ', '\t']);
        let file = ls + (line.len() - trimmed_start.len());
        let t = trim_yaml_ws(line);
        if !t.is_empty() {
            pieces.push(Piece {
                file,
                text: t.to_string(),
            });
        }
    }
    pieces
}

/// Pieces of a single-quoted scalar whose content starts at `from`: literal runs, with each
/// `''` a one-character piece at its first quote.
fn single_quoted(text: &str, from: usize) -> Vec<Piece> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut run = from;
    let mut i = from;
    let push = |pieces: &mut Vec<Piece>, a: usize, b: usize, trim_end: bool| {
        let s = &text[a..b];
        let s = if trim_end { trim_yaml_ws_end(s) } else { s };
        if !s.is_empty() {
            pieces.push(Piece {
                file: a,
                text: s.to_string(),
            });
        }
    };
    while i < bytes.len() {
        match bytes[i] {
            b'\'' if bytes.get(i + 1) == Some(&b'\'') => {
                push(&mut pieces, run, i, false);
                pieces.push(Piece {
                    file: i,
                    text: "'".to_string(),
                });
                i += 2;
                run = i;
            }
            b'\'' => {
                push(&mut pieces, run, i, false);
                return pieces;
            }
            b'\n' => {
                push(&mut pieces, run, i, true);
                i = skip_indent(bytes, i + 1);
                run = i;
            }
            _ => i += 1,
        }
    }
    push(&mut pieces, run, i, false);
    pieces
}

fn skip_indent(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
        i += 1;
    }
    i
}

/// Pieces of a double-quoted scalar whose content starts at `from`: literal runs, and one piece
/// per escape (its decoded text, at the backslash).
fn double_quoted(text: &str, from: usize) -> Vec<Piece> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut run = from;
    let mut i = from;
    let push = |pieces: &mut Vec<Piece>, a: usize, b: usize, trim_end: bool| {
        let s = &text[a..b];
        let s = if trim_end { trim_yaml_ws_end(s) } else { s };
        if !s.is_empty() {
            pieces.push(Piece {
                file: a,
                text: s.to_string(),
            });
        }
    };
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                push(&mut pieces, run, i, false);
                let (decoded, len) = escape(&text[i + 1..]);
                match decoded {
                    Escape::LineBreak => {
                        i = skip_indent(bytes, i + 1 + len);
                    }
                    Escape::Text(s) => {
                        pieces.push(Piece { file: i, text: s });
                        i += 1 + len;
                    }
                }
                run = i;
            }
            b'"' => {
                push(&mut pieces, run, i, false);
                return pieces;
            }
            b'\n' => {
                push(&mut pieces, run, i, true);
                i = skip_indent(bytes, i + 1);
                run = i;
            }
            _ => i += 1,
        }
    }
    push(&mut pieces, run, i, false);
    pieces
}

enum Escape {
    LineBreak,
    Text(String),
}

/// Decodes the escape after a backslash: what it stands for and how many bytes it spans.
fn escape(after: &str) -> (Escape, usize) {
    let Some(c) = after.chars().next() else {
        return (Escape::Text(String::new()), 0);
    };
    let simple = |s: &str| (Escape::Text(s.to_string()), c.len_utf8());
    let hex = |n: usize| {
        let digits = after.get(1..1 + n).unwrap_or("");
        let ch = u32::from_str_radix(digits, 16)
            .ok()
            .and_then(char::from_u32);
        match ch {
            Some(ch) if digits.len() == n => (Escape::Text(ch.to_string()), 1 + n),
            _ => (Escape::Text(String::new()), 1),
        }
    };
    match c {
        '\n' => (Escape::LineBreak, 1),
        '\r' => (
            Escape::LineBreak,
            if after[1..].starts_with('\n') { 2 } else { 1 },
        ),
        '0' => simple("\0"),
        'a' => simple("\x07"),
        'b' => simple("\x08"),
        't' | '\t' => simple("\t"),
        'n' => simple("\n"),
        'v' => simple("\x0b"),
        'f' => simple("\x0c"),
        'r' => simple("\r"),
        'e' => simple("\x1b"),
        ' ' => simple(" "),
        '"' => simple("\""),
        '/' => simple("/"),
        '\\' => simple("\\"),
        'N' => simple("\u{85}"),
        '_' => simple("\u{a0}"),
        'L' => simple("\u{2028}"),
        'P' => simple("\u{2029}"),
        'x' => hex(2),
        'u' => hex(4),
        'U' => hex(8),
        other => (Escape::Text(other.to_string()), other.len_utf8()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, start: usize, value: &str) -> ScalarMap {
        let m = map_scalar(text, start, text.len(), value);
        for (q, c) in value.char_indices() {
            if c == ' ' || c == '\n' {
                continue;
            }
            let f = m.map.to_file(q);
            assert!(
                text[f..].starts_with(c) || text[f..].starts_with('\\'),
                "query offset {q} ({c:?}) maps to {f}: {:?}",
                &text[f..]
            );
        }
        m
    }

    #[test]
    fn literal_block_maps_line_by_line() {
        let text = "query: |\n  T\n\n    | where x\nname: a\n";
        let m = check(text, 11, "T\n\n  | where x\n");
        assert_eq!(m.style, QueryStyle::Literal);
        assert!(m.exact);
    }

    #[test]
    fn lone_carriage_return_breaks_a_block_line() {
        // YAML reads a lone CR as a line break: the map follows it, found by fuzzing.
        let text = "query: |\n  T\r  | where x == 'ab'\n";
        let m = check(text, 11, "T\n| where x == 'ab'\n");
        assert!(m.exact);
        assert_eq!(m.map.to_file(2), text.find("| where").unwrap());
    }

    #[test]
    fn folded_block_and_crlf() {
        let text = "query: >-\r\n  T\r\n  | where x\r\n";
        let m = check(text, 13, "T | where x");
        assert_eq!(m.style, QueryStyle::Folded);
        assert!(m.exact);
    }

    #[test]
    fn plain_multi_line() {
        let text = "query:\n  T\n  | where x  \n\n  | y\nk: v\n";
        let m = check(text, 9, "T | where x\n| y");
        assert_eq!(m.style, QueryStyle::Plain);
        assert!(m.exact);
    }

    #[test]
    fn double_quoted_escapes_and_folding() {
        let text = "query: \"a\\\"b\\n  c\\\n  \\ d\n  e\"\n";
        let m = check(text, 7, "a\"b\n  c d e");
        assert_eq!(m.style, QueryStyle::DoubleQuoted);
        assert!(m.exact);
    }

    #[test]
    fn single_quoted_doubles() {
        let text = "query: 'it''s\n\n  x'\n";
        let m = check(text, 7, "it's\nx");
        assert!(m.exact);
    }
}
