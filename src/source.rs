//! Byte spans, line/column lookup, and the map from a query's own text back to the file it came
//! from. Owns position arithmetic only; it never reads files or renders anything.

use serde::Serialize;
use std::fmt;
use std::ops::Range;

/// A half-open byte range `start..end` into one source text (usually a query's text).
///
/// Spans never take part in equality: two AST nodes that differ only in where they came from
/// compare equal, which keeps structural assertions in tests simple.
#[derive(Clone, Copy, Default, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}
impl Eq for Span {}

impl std::hash::Hash for Span {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

/// A 1-based line and column; the column counts Unicode scalar values, as editors do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Start offsets of every line of a text, for offset → line/column lookups.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The 0-based line containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(l) => l,
            Err(l) => l - 1,
        }
    }

    /// How many lines the text has (a text ending in `\n` has an empty last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts[line.min(self.starts.len() - 1)]
    }

    /// 1-based line and column of `offset` in `text` (the text this index was built from).
    /// Offsets past the end, or inside a multi-byte character, are clamped.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.starts[line];
        let column = text[start..offset].chars().count() + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Maps byte offsets in a query's text to byte offsets in the file that holds it.
///
/// A bare `.kql` file maps one to one (with the BOM skipped); a YAML block scalar maps line by
/// line (each query line sits at its own indentation in the file); a double-quoted YAML scalar
/// maps run by run between escapes. The map is a sorted list of segments: a query offset `q`
/// lies in the last segment whose `query_start <= q`, and maps to `file_start + (q - query_start)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceMap {
    segments: Vec<(usize, usize)>,
    /// The file's length, when known: no offset maps past it (a YAML block scalar's decoded
    /// text can end in a newline the file does not hold).
    end: Option<usize>,
}

impl SourceMap {
    /// The query is the file's text from `file_offset` on, unchanged.
    pub fn shifted(file_offset: usize) -> Self {
        SourceMap {
            segments: vec![(0, file_offset)],
            end: None,
        }
    }

    /// Builds a map from `(query_start, file_start)` segments; they are sorted here.
    pub fn from_segments(mut segments: Vec<(usize, usize)>) -> Self {
        segments.sort_unstable();
        segments.dedup_by_key(|s| s.0);
        if segments.first().map(|s| s.0) != Some(0) {
            let file_start = segments.first().map(|s| s.1).unwrap_or(0);
            segments.insert(0, (0, file_start));
        }
        SourceMap {
            segments,
            end: None,
        }
    }

    /// The same map, never pointing past the end of a file of `file_len` bytes.
    pub fn within(mut self, file_len: usize) -> Self {
        self.end = Some(file_len);
        self
    }

    pub fn segments(&self) -> &[(usize, usize)] {
        &self.segments
    }

    /// The file offset of query offset `q`.
    pub fn to_file(&self, q: usize) -> usize {
        if self.segments.is_empty() {
            return self.end.map_or(q, |end| q.min(end));
        }
        let i = match self.segments.binary_search_by_key(&q, |s| s.0) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let (qs, fs) = self.segments[i];
        let at = fs + q.saturating_sub(qs);
        self.end.map_or(at, |end| at.min(end))
    }

    /// A query span as a file span. A span crossing a segment boundary keeps its start and
    /// extends to the mapped end.
    pub fn span_to_file(&self, span: Span) -> Span {
        let start = self.to_file(span.start);
        let end = self.to_file(span.end).max(start);
        Span::new(start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars_and_lines() {
        let text = "ab\nc\u{a0}d\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(text, 3), LineCol { line: 2, column: 1 });
        // 'd' follows a two-byte no-break space: byte 6, column 3.
        assert_eq!(idx.line_col(text, 6), LineCol { line: 2, column: 3 });
        // past the end clamps to the end
        assert_eq!(idx.line_col(text, 99), LineCol { line: 3, column: 1 });
        // inside a multi-byte char clamps to its start
        assert_eq!(idx.line_col(text, 5), LineCol { line: 2, column: 2 });
    }

    #[test]
    fn source_map_maps_block_scalar_lines() {
        // query "a\nbc" embedded as "query: |\n  a\n  bc\n": line 1 at file 11, line 2 at 15
        let map = SourceMap::from_segments(vec![(0, 11), (2, 15)]);
        assert_eq!(map.to_file(0), 11);
        assert_eq!(map.to_file(1), 12);
        assert_eq!(map.to_file(2), 15);
        assert_eq!(map.to_file(3), 16);
        assert_eq!(map.span_to_file(Span::new(2, 4)).range(), 15..17);
    }

    #[test]
    fn spans_never_affect_equality() {
        assert_eq!(Span::new(1, 2), Span::new(5, 9));
    }
}
