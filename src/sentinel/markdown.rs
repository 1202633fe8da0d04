//! Finds the KQL in a Markdown file: every fenced code block (```` ``` ```` or `~~~`) whose info
//! string starts with `kql` or `kusto` (any case), with a line-by-line map back to the file.
//! Owns fence scanning only; it never renders or interprets Markdown otherwise.

use crate::source::{SourceMap, Span};

/// One fenced KQL block.
pub(crate) struct Block {
    pub text: String,
    pub map: SourceMap,
    /// The block's content lines in the file (between the fences).
    pub span: Span,
}

struct Fence {
    ch: u8,
    len: usize,
    indent: usize,
    kql: bool,
}

fn opening_fence(line: &str) -> Option<Fence> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    let ch = *rest.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = rest.bytes().take_while(|&b| b == ch).count();
    if len < 3 {
        return None;
    }
    let info = rest[len..].trim();
    if ch == b'`' && info.contains('`') {
        return None;
    }
    let lang = info
        .split(|c: char| c.is_whitespace() || c == '{' || c == ',')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    Some(Fence {
        ch,
        len,
        indent,
        kql: lang == "kql" || lang == "kusto",
    })
}

fn closes(line: &str, f: &Fence) -> bool {
    let rest = line.trim_start_matches(' ');
    let n = rest.bytes().take_while(|&b| b == f.ch).count();
    n >= f.len && rest[n..].trim().is_empty()
}

type Open = (Fence, Vec<(usize, String)>, usize);

/// Every KQL-tagged fenced block of `text`, in order. An unclosed fence runs to the end.
pub(crate) fn kql_blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    // The open fence, its content lines so far `(file offset, text)`, and where they start.
    let mut open: Option<Open> = None;
    let mut pos = 0;
    while pos < text.len() {
        let rest = &text[pos..];
        let (raw, next) = match rest.find('\n') {
            Some(i) => (&rest[..i], pos + i + 1),
            None => (rest, text.len()),
        };
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        match open.take() {
            None => {
                if let Some(f) = opening_fence(line) {
                    open = Some((f, Vec::new(), next));
                }
            }
            Some((f, mut lines, start)) => {
                if closes(line, &f) {
                    if f.kql {
                        blocks.push(finish(lines, start, pos));
                    }
                } else {
                    if f.kql {
                        let strip = line.len() - line.trim_start_matches(' ').len();
                        let strip = strip.min(f.indent);
                        lines.push((pos + strip, line[strip..].to_string()));
                    }
                    open = Some((f, lines, start));
                }
            }
        }
        pos = next;
    }
    if let Some((f, lines, start)) = open {
        if f.kql {
            blocks.push(finish(lines, start, text.len()));
        }
    }
    blocks
}

fn finish(lines: Vec<(usize, String)>, start: usize, end: usize) -> Block {
    let mut text = String::new();
    let mut segments = Vec::with_capacity(lines.len());
    for (file, line) in &lines {
        segments.push((text.len(), *file));
        text.push_str(line);
        text.push('\n');
    }
    let map = if segments.is_empty() {
        SourceMap::shifted(start)
    } else {
        SourceMap::from_segments(segments)
    };
    Block {
        text,
        map,
        span: Span::new(start.min(end), end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tagged_blocks_only() {
        let md = "# T\r\n```kql\r\nA\r\n| take 1\r\n```\r\n```\r\nnot kql\r\n```\r\n  ~~~~ Kusto\r\n  B\r\n  ~~~~\r\n";
        let b = kql_blocks(md);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].text, "A\n| take 1\n");
        assert_eq!(&md[b[0].map.to_file(2)..b[0].map.to_file(2) + 6], "| take");
        assert_eq!(b[1].text, "B\n");
        assert!(md[b[1].map.to_file(0)..].starts_with("B\r\n"));
    }
}
