//! The one diagnostic model of kqlport — parse errors, load errors, lowering and backend
//! refusals — and its renderers (terminal text with a snippet and caret, and JSON). Owns no
//! policy about *when* something is an error; it only describes and renders.

use crate::source::{LineCol, LineIndex, SourceMap, Span};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{self, Files};
use codespan_reporting::term;
use serde::Serialize;
use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

/// A stable, documented diagnostic code (one enum per family in [`crate::codes`], each code
/// with its meaning). The first letter is the stage: `P` parse, `Y` rule loading (YAML), `L`
/// lowering, `B` backend, `I` input/output.
pub use crate::codes::Code;

/// A secondary location with its own short message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One problem, located by a span in the text it was found in (a query's own text, or for
/// loading errors the whole file). `render_*` maps it back to the file through a [`SourceMap`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// The primary location; its label (if any) is printed under the caret.
    pub span: Span,
    pub label: Option<String>,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: impl Into<Code>, message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            code: code.into(),
            severity: Severity::Error,
            message: message.into(),
            span,
            label: None,
            secondary: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: impl Into<Code>, message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message, span)
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Re-bases every span of this diagnostic from query offsets to file offsets.
    pub fn mapped(mut self, map: &SourceMap) -> Self {
        self.span = map.span_to_file(self.span);
        for l in &mut self.secondary {
            l.span = map.span_to_file(l.span);
        }
        self
    }
}

/// A file's name and text, with a line index, for locating and rendering diagnostics.
pub struct SourceFile<'a> {
    pub name: &'a str,
    pub text: &'a str,
    index: LineIndex,
}

impl<'a> SourceFile<'a> {
    pub fn new(name: &'a str, text: &'a str) -> Self {
        SourceFile {
            name,
            text,
            index: LineIndex::new(text),
        }
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        self.index.line_col(self.text, offset)
    }

    /// Renders a diagnostic whose spans are already file offsets, rustc-style: header,
    /// `--> file:line:col`, the source line(s) with carets, and help. No colour.
    ///
    /// Safe to print on a terminal whatever the input holds: control characters (C0, DEL, C1),
    /// line and paragraph separators and bidirectional-text overrides in the file name, the
    /// snippet and the messages are shown escaped (`\u{1b}`), so input text can neither
    /// send terminal escape sequences nor reorder what is shown. A source line longer than
    /// [`SNIPPET_WIDTH`] characters is shown as a window of that width around the location,
    /// `...` marking what is cut; messages are cut at [`MESSAGE_LIMIT`] characters. The line and
    /// column in the header are always those of the file itself.
    pub fn render(&self, d: &Diagnostic) -> String {
        if self.text.is_empty() {
            // Nothing to show (a file that could not be read): the header and location only.
            let mut s = format!(
                "{}[{}]: {}\n  --> {}:1:1\n",
                severity_word(d.severity),
                d.code.as_str(),
                terminal_text(&d.message),
                escape_for_terminal(self.name)
            );
            if let Some(h) = &d.help {
                s.push_str(&format!("  = help: {}\n", terminal_text(h)));
            }
            return s;
        }
        let clamp = |s: Span| {
            let start = floor_boundary(self.text, s.start.min(self.text.len()));
            let end = floor_boundary(self.text, s.end.clamp(start, self.text.len()));
            (start, end)
        };
        let spans: Vec<(usize, usize)> = std::iter::once(d.span)
            .chain(d.secondary.iter().map(|l| l.span))
            .map(clamp)
            .collect();
        let excerpt = Excerpt::new(self, &spans);
        let range = |(start, end): (usize, usize)| excerpt.offset(start)..excerpt.offset(end);
        let mut primary = cs::Label::primary((), range(spans[0]));
        if let Some(l) = &d.label {
            primary = primary.with_message(terminal_text(l));
        }
        let mut labels = vec![primary];
        labels.extend(d.secondary.iter().zip(&spans[1..]).map(|(l, &span)| {
            cs::Label::secondary((), range(span)).with_message(terminal_text(&l.message))
        }));
        let mut out = cs::Diagnostic::new(match d.severity {
            Severity::Error => cs::Severity::Error,
            Severity::Warning => cs::Severity::Warning,
            Severity::Note => cs::Severity::Note,
        })
        .with_code(d.code.as_str())
        .with_message(terminal_text(&d.message))
        .with_labels(labels);
        if let Some(h) = &d.help {
            out = out.with_notes(vec![format!("help: {}", terminal_text(h))]);
        }
        // Rendering into memory cannot fail for in-range labels; fall back to the short form.
        let config = term::Config {
            chars: term::Chars::ascii(),
            ..term::Config::default()
        };
        term::emit_into_string(&config, &excerpt, &out).unwrap_or_else(|_| self.render_short(d))
    }

    /// One line: `file:line:col: error[P001]: message` (escaped as in [`Self::render`]).
    pub fn render_short(&self, d: &Diagnostic) -> String {
        let lc = self.line_col(d.span.start);
        format!(
            "{}:{}:{}: {}[{}]: {}",
            escape_for_terminal(self.name),
            lc.line,
            lc.column,
            severity_word(d.severity),
            d.code.as_str(),
            terminal_text(&d.message)
        )
    }
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// Source lines longer than this many characters are shown as a window of this width.
pub const SNIPPET_WIDTH: usize = 160;
/// How many characters of a long line are shown before the location.
const WINDOW_LEAD: usize = 60;
/// Messages, labels and help longer than this many characters are cut.
pub const MESSAGE_LIMIT: usize = 1000;

/// Whether a character is shown escaped on a terminal: C0 controls but tab and line feed,
/// DEL, C1 controls (NEL among them), the line and paragraph separators, and the
/// bidirectional-text controls (which can make a line display in an order other than its own).
pub fn is_unsafe_on_terminal(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every [`is_unsafe_on_terminal`] character written as `\u{..}`; borrowed when
/// there is none. For file names and other input text printed outside [`SourceFile::render`].
pub fn escape_for_terminal(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c == '\n' || is_unsafe_on_terminal(c)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_escaped(&mut out, c, true);
    }
    std::borrow::Cow::Owned(out)
}

fn push_escaped(out: &mut String, c: char, escape_newline: bool) {
    if is_unsafe_on_terminal(c) || (escape_newline && c == '\n') {
        out.push_str(&format!("\\u{{{:x}}}", c as u32));
    } else {
        out.push(c);
    }
}

/// A message, label or help text for the terminal: escaped (line feeds kept, they are ours)
/// and cut at [`MESSAGE_LIMIT`] characters.
fn terminal_text(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == MESSAGE_LIMIT {
            out.push_str("...");
            break;
        }
        push_escaped(&mut out, c, false);
    }
    out
}

/// What codespan renders: the file's name, and a display copy of its text in which only the
/// lines the labels touch are filled in — escaped, and cut to a window when long — every
/// other line left empty (so line numbers stay right and rendering costs what the shown lines
/// cost, not the file size).
struct Excerpt {
    name: String,
    text: String,
    line_starts: Vec<usize>,
    /// File offset → display offset, for each label end.
    offsets: Vec<(usize, usize)>,
    /// Display offset → the file's 1-based column, for the header location.
    columns: Vec<(usize, usize)>,
}

impl Excerpt {
    fn new(file: &SourceFile, spans: &[(usize, usize)]) -> Excerpt {
        let text = file.text;
        let line_of = |o: usize| file.index.line_of(o);
        // codespan shows a multi-line label's first lines and its last two.
        let mut shown = std::collections::BTreeSet::new();
        for &(start, end) in spans {
            let (first, last) = (line_of(start), line_of(end));
            shown.extend(first..=last.min(first + 3));
            shown.extend(last.saturating_sub(1).max(first)..=last);
        }
        let line_count = file.index.line_count();
        let last_line = shown.last().map_or(0, |&l| (l + 1).min(line_count - 1));
        let points: Vec<usize> = spans.iter().flat_map(|&(s, e)| [s, e]).collect();
        let mut out = String::new();
        let mut offsets = Vec::new();
        let mut columns = Vec::new();
        for line in 0..=last_line {
            let start = file.index.line_start(line);
            let next = (line + 1 < line_count).then(|| file.index.line_start(line + 1));
            let end = next.map_or(text.len(), |n| n - 1);
            if shown.contains(&line) {
                let content = text[start..end]
                    .strip_suffix('\r')
                    .unwrap_or(&text[start..end]);
                let on_line: Vec<usize> = points
                    .iter()
                    .copied()
                    .filter(|&p| line_of(p) == line)
                    .collect();
                let marks = push_line(&mut out, content, on_line.first().map(|p| p - start));
                for p in on_line {
                    let at = marks.display_offset(p - start);
                    offsets.push((p, at));
                    columns.push((at, file.line_col(p).column));
                }
            }
            if next.is_some() {
                out.push('\n');
            }
        }
        offsets.sort_unstable();
        columns.sort_unstable();
        Excerpt {
            name: escape_for_terminal(file.name).into_owned(),
            line_starts: codespan_reporting::files::line_starts(&out).collect(),
            text: out,
            offsets,
            columns,
        }
    }

    /// The display offset of a label end given as a file offset.
    fn offset(&self, file_offset: usize) -> usize {
        match self.offsets.binary_search_by_key(&file_offset, |o| o.0) {
            Ok(i) => self.offsets[i].1,
            Err(_) => 0,
        }
    }
}

/// Where the shown part of one line went in the display text.
struct LineMarks {
    /// (byte offset in the line, display offset) at each shown character, then at the end.
    marks: Vec<(usize, usize)>,
}

impl LineMarks {
    fn display_offset(&self, line_offset: usize) -> usize {
        let i = self.marks.partition_point(|m| m.0 <= line_offset);
        self.marks[i.saturating_sub(1)].1
    }
}

/// Appends one source line, escaped; a line over [`SNIPPET_WIDTH`] characters is cut to a
/// window around `anchor` (a byte offset in the line).
fn push_line(out: &mut String, content: &str, anchor: Option<usize>) -> LineMarks {
    let chars = content.chars().count();
    let (from, to) = if chars <= SNIPPET_WIDTH {
        (0, chars)
    } else {
        let anchor = anchor.unwrap_or(0).min(content.len());
        let at = content[..floor_boundary(content, anchor)].chars().count();
        let from = at.saturating_sub(WINDOW_LEAD).min(chars - SNIPPET_WIDTH);
        (from, from + SNIPPET_WIDTH)
    };
    if from > 0 {
        out.push_str("...");
    }
    let mut marks = vec![(0, out.len())];
    let mut end = content.len();
    for (i, (byte, c)) in content.char_indices().enumerate().skip(from) {
        if i == to {
            end = byte;
            break;
        }
        marks.push((byte, out.len()));
        push_escaped(out, c, true);
    }
    // Offsets before the window map to its start (the first mark), those after it to its end.
    marks.push((end, out.len()));
    if to < chars {
        out.push_str("...");
    }
    LineMarks { marks }
}

impl<'a> Files<'a> for Excerpt {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, _: ()) -> Result<&'a str, files::Error> {
        Ok(&self.name)
    }

    fn source(&'a self, _: ()) -> Result<&'a str, files::Error> {
        Ok(&self.text)
    }

    fn line_index(&'a self, _: (), byte_index: usize) -> Result<usize, files::Error> {
        Ok(self
            .line_starts
            .binary_search(&byte_index)
            .unwrap_or_else(|next| next - 1))
    }

    fn line_range(&'a self, _: (), line_index: usize) -> Result<Range<usize>, files::Error> {
        let start = *self
            .line_starts
            .get(line_index)
            .ok_or(files::Error::LineTooLarge {
                given: line_index,
                max: self.line_starts.len() - 1,
            })?;
        let end = self
            .line_starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(self.text.len());
        Ok(start..end)
    }

    fn column_number(
        &'a self,
        _: (),
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, files::Error> {
        if let Ok(i) = self.columns.binary_search_by_key(&byte_index, |c| c.0) {
            return Ok(self.columns[i].1);
        }
        let range = self.line_range((), line_index)?;
        Ok(files::column_index(&self.text, range, byte_index) + 1)
    }
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_points_at_the_mapped_location() {
        let text = "name: x\nquery: |\n  T\n  | wher x\n";
        let file = SourceFile::new("r.yaml", text);
        // "| wher" is query offset 2.. in "T\n| wher x"; the file puts line 2 at offset 22.
        let map = SourceMap::from_segments(vec![(0, 19), (2, 23)]);
        let d = Diagnostic::error(
            crate::codes::ParseCode::P002,
            "expected a tabular operator after '|'",
            Span::new(4, 8),
        )
        .with_label("unknown operator")
        .mapped(&map);
        assert_eq!(file.line_col(d.span.start), LineCol { line: 4, column: 5 });
        let r = file.render(&d);
        assert!(r.contains("--> r.yaml:4:5"), "{r}");
        assert!(r.contains("^^^^ unknown operator"), "{r}");
        assert_eq!(
            file.render_short(&d),
            "r.yaml:4:5: error[P002]: expected a tabular operator after '|'"
        );
    }

    #[test]
    fn control_characters_and_bidi_overrides_are_shown_escaped() {
        let text = "T\n| wher \u{1b}[2J\u{7}x\u{9b}1m\u{202e}cba\r\n";
        let file = SourceFile::new("r\u{1b}]0;pwned\u{7}.kql", text);
        let d = Diagnostic::error(
            crate::codes::ParseCode::P006,
            "unknown tabular operator 'wher\u{1b}'",
            Span::new(4, 8),
        )
        .with_label("label \u{2066}x");
        let r = file.render(&d);
        assert!(
            !r.chars().any(|c| is_unsafe_on_terminal(c) || c == '\r'),
            "{r:?}"
        );
        assert!(r.contains("--> r\\u{1b}]0;pwned\\u{7}.kql:2:3"), "{r}");
        assert!(
            r.contains("| wher \\u{1b}[2J\\u{7}x\\u{9b}1m\\u{202e}cba\n"),
            "{r}"
        );
        assert!(r.contains("unknown tabular operator 'wher\\u{1b}'"), "{r}");
        assert!(r.contains("^^^^ label \\u{2066}x"), "{r}");
        assert!(file
            .render_short(&d)
            .starts_with("r\\u{1b}]0;pwned\\u{7}.kql:2:3: "));
        // the caret stays under the located text after the escapes widen the line
        let d = Diagnostic::error(crate::codes::ParseCode::P003, "x", Span::new(14, 15));
        let r = file.render(&d);
        let lines: Vec<&str> = r.lines().collect();
        let src = lines.iter().position(|l| l.starts_with("2 |")).unwrap();
        let caret = lines[src + 1].find('^').unwrap();
        assert_eq!(&lines[src][caret..caret + 2], "x\\", "{r}");
        assert!(r.contains("--> r\\u{1b}]0;pwned\\u{7}.kql:2:13"), "{r}");
    }

    #[test]
    fn a_long_line_is_shown_as_a_window_around_the_location() {
        let line = format!("T | where x == \"{}\" | wher y", "a".repeat(1_000_000));
        let text = format!("{line}\nT\n");
        let at = line.find("wher y").unwrap();
        let file = SourceFile::new("long.kql", &text);
        let d = Diagnostic::error(
            crate::codes::ParseCode::P006,
            "unknown",
            Span::new(at, at + 4),
        )
        .with_label("here");
        let r = file.render(&d);
        assert!(r.len() < 1_000, "{} bytes", r.len());
        assert!(r.contains(&format!("--> long.kql:1:{}", at + 1)), "{r}");
        let lines: Vec<&str> = r.lines().collect();
        let src = lines.iter().position(|l| l.starts_with("1 |")).unwrap();
        assert!(lines[src].starts_with("1 | ...aaa"), "{r}");
        assert!(lines[src].ends_with("\" | wher y"), "{r}");
        let caret = lines[src + 1].find('^').unwrap();
        assert_eq!(&lines[src][caret..caret + 4], "wher", "{r}");
        // cut at both ends when the location is in the middle
        let d = Diagnostic::error(
            crate::codes::ParseCode::P001,
            "x",
            Span::new(500_000, 500_001),
        );
        let r = file.render(&d);
        assert!(r.contains("--> long.kql:1:500001"), "{r}");
        assert!(r.contains("| ...aaa") && r.contains("aaa...\n"), "{r}");
        assert!(r.len() < 1_000, "{} bytes", r.len());
    }
}
