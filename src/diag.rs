//! The one diagnostic model of kqlport — parse errors, load errors, lowering and backend
//! refusals — and its renderers (terminal text with a snippet and caret, and JSON). Owns no
//! policy about *when* something is an error; it only describes and renders.

use crate::source::{LineCol, LineIndex, SourceMap, Span};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

/// A stable, documented diagnostic code. The first letter is the stage: `P` parse, `Y` rule
/// loading (YAML), `L` lowering, `B` backend, `I` input/output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Code(pub &'static str);

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
    pub fn error(code: &'static str, message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            code: Code(code),
            severity: Severity::Error,
            message: message.into(),
            span,
            label: None,
            secondary: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>, span: Span) -> Self {
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
    pub fn render(&self, d: &Diagnostic) -> String {
        let file = SimpleFile::new(self.name, self.text);
        let clamp = |s: Span| {
            let start = floor_boundary(self.text, s.start.min(self.text.len()));
            let end = floor_boundary(self.text, s.end.clamp(start, self.text.len()));
            start..end
        };
        let mut primary = cs::Label::primary((), clamp(d.span));
        if let Some(l) = &d.label {
            primary = primary.with_message(l.clone());
        }
        let mut labels = vec![primary];
        labels.extend(
            d.secondary
                .iter()
                .map(|l| cs::Label::secondary((), clamp(l.span)).with_message(l.message.clone())),
        );
        let mut out = cs::Diagnostic::new(match d.severity {
            Severity::Error => cs::Severity::Error,
            Severity::Warning => cs::Severity::Warning,
            Severity::Note => cs::Severity::Note,
        })
        .with_code(d.code.0)
        .with_message(d.message.clone())
        .with_labels(labels);
        if let Some(h) = &d.help {
            out = out.with_notes(vec![format!("help: {h}")]);
        }
        let mut buf = Vec::new();
        let config = term::Config::default();
        let mut writer = term::termcolor::NoColor::new(&mut buf);
        // Rendering into memory cannot fail for in-range labels; fall back to the short form.
        if term::emit(&mut writer, &config, &file, &out).is_err() {
            return self.render_short(d);
        }
        String::from_utf8_lossy(&buf).into_owned()
    }

    /// One line: `file:line:col: error[P001]: message`.
    pub fn render_short(&self, d: &Diagnostic) -> String {
        let lc = self.line_col(d.span.start);
        let sev = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        format!(
            "{}:{}:{}: {}[{}]: {}",
            self.name, lc.line, lc.column, sev, d.code.0, d.message
        )
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
            "P002",
            "expected a tabular operator after '|'",
            Span::new(4, 8),
        )
        .with_label("unknown operator")
        .mapped(&map);
        assert_eq!(file.line_col(d.span.start), LineCol { line: 4, column: 5 });
        let r = file.render(&d);
        assert!(r.contains("r.yaml:4:5"), "{r}");
        assert!(r.contains("^^^^ unknown operator"), "{r}");
        assert_eq!(
            file.render_short(&d),
            "r.yaml:4:5: error[P002]: expected a tabular operator after '|'"
        );
    }
}
