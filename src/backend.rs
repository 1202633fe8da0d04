//! The contract every target implements: IR in, target text plus an honest fidelity verdict
//! out. Owns the trait, the fidelity model and the rule context handed to backends; never
//! contains target-specific code.

use crate::diag::Diagnostic;
use crate::ir;
use crate::source::Span;
use serde::Serialize;

/// What a backend knows about the rule beyond its query (Sigma needs most of it; query-only
/// targets may ignore it). All optional: a bare `.kql` file has none of it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RuleContext {
    /// The Sentinel rule id (a GUID), the seed of any id a backend derives.
    pub id: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    /// Sentinel severity: Informational, Low, Medium, High.
    pub severity: Option<String>,
    /// Sentinel tactic names, e.g. `CredentialAccess`.
    pub tactics: Vec<String>,
    /// ATT&CK technique ids, e.g. `T1090`, `T1090.003`.
    pub techniques: Vec<String>,
    /// ISO-8601 or KQL-style look-back of a scheduled rule (`queryPeriod`), e.g. `1h`, `PT1H`.
    pub query_period: Option<String>,
    pub query_frequency: Option<String>,
    /// Where the rule came from (file path), for references in the output.
    pub source_name: Option<String>,
    pub references: Vec<String>,
}

impl RuleContext {
    /// The context of a loaded Sentinel rule: identity, severity, ATT&CK mapping and schedule.
    pub fn from_rule(rule: &crate::sentinel::Rule) -> Self {
        let mut techniques: Vec<String> = Vec::new();
        for list in [
            &rule.relevant_techniques,
            &rule.techniques,
            &rule.sub_techniques,
        ] {
            for t in list.iter().flatten() {
                let t = t.trim().to_string();
                if !t.is_empty() && !techniques.contains(&t) {
                    techniques.push(t);
                }
            }
        }
        RuleContext {
            id: rule.id.clone(),
            name: rule.name.clone().or_else(|| rule.display_name.clone()),
            description: rule.description.clone(),
            severity: rule.severity.clone(),
            tactics: rule.tactics.clone().unwrap_or_default(),
            techniques,
            query_period: rule.query_period.clone(),
            query_frequency: rule.query_frequency.clone(),
            source_name: None,
            references: Vec::new(),
        }
    }
}

/// How an approximation changes the rows returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effect {
    /// The translation may return rows the KQL would not (false positives).
    OverMatch,
    /// The translation may miss rows the KQL returns (false negatives).
    UnderMatch,
    /// Rows are the same, but a column's value may differ (e.g. an estimate vs an exact count).
    Values,
    /// The same rows with the same values, possibly in another order (a target that returns
    /// events unordered, for a sort that nothing after it depends on).
    Order,
}

/// One approximation, located at the KQL that caused it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Note {
    pub span: Span,
    pub effect: Effect,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "fidelity", content = "notes", rename_all = "lowercase")]
pub enum Fidelity {
    /// Same rows and values as the KQL.
    Exact,
    /// Translated, with each difference listed.
    Approximate(Vec<Note>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Translation {
    pub text: String,
    pub fidelity: Fidelity,
}

/// Collects approximation notes while a backend walks the IR.
#[derive(Clone, Debug, Default)]
pub struct Notes(Vec<Note>);

impl Notes {
    pub fn push(&mut self, span: Span, effect: Effect, message: impl Into<String>) {
        let note = Note {
            span,
            effect,
            message: message.into(),
        };
        // Spans never compare in `==`, so compare positions explicitly.
        let duplicate = self
            .0
            .iter()
            .any(|n| n.span.range() == span.range() && *n == note);
        if !duplicate {
            self.0.push(note);
        }
    }

    /// Adds every note of `other` (duplicates dropped).
    pub fn merge(&mut self, other: Notes) {
        for n in other.0 {
            self.push(n.span, n.effect, n.message);
        }
    }

    pub fn into_fidelity(mut self) -> Fidelity {
        if self.0.is_empty() {
            Fidelity::Exact
        } else {
            self.0.sort_by_key(|n| (n.span.start, n.span.end));
            Fidelity::Approximate(self.0)
        }
    }
}

/// A limit of the target that applies to a translation as a whole rather than to one place
/// of the KQL (ES|QL returns at most 10,000 rows): stated once per output — in its header and
/// in the JSON report — not as a per-query note, so it neither drowns the located notes nor
/// makes every translation to the target approximate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Caveat {
    /// A stable code (`B2…`).
    pub code: crate::diag::Code,
    pub message: String,
}

/// What a target's outputs are called and how they are stored and commented: everything the CLI
/// needs of a target besides its translations. Each backend states one, as a constant.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// The short name used on the command line: `spl`, `esql`, `eql`, `sigma`.
    pub name: &'static str,
    /// The extension (without the dot) of a file holding one translation as the target's own
    /// text (`--format query`): `spl`, `esql`, `eql`, `yml`.
    pub extension: &'static str,
    /// How a line of the target's text is made a comment.
    pub comment: CommentSyntax,
}

/// A one-line comment: `open`, a space and the text, then, for a comment with a closing
/// delimiter, a space and `close`. The text is made [`one_line`] first, and every `close` inside
/// it is replaced by `close_stand_in`, so the comment can neither end early nor break the line.
#[derive(Clone, Copy, Debug)]
pub struct CommentSyntax {
    pub open: &'static str,
    pub close: &'static str,
    pub close_stand_in: &'static str,
}

impl CommentSyntax {
    /// A comment that runs to the end of the line (`//`, `#`).
    pub const fn to_end_of_line(open: &'static str) -> Self {
        CommentSyntax {
            open,
            close: "",
            close_stand_in: "",
        }
    }

    /// `text` as one comment line in this syntax (no line break at the end).
    pub fn line(&self, text: &str) -> String {
        let text = one_line(text);
        if self.close.is_empty() {
            format!("{} {text}", self.open)
        } else {
            let text = text.replace(self.close, self.close_stand_in);
            format!("{} {text} {}", self.open, self.close)
        }
    }
}

/// A translation, or the diagnostics (each at a KQL span) of why the target declines the query.
pub type Outcome = Result<Translation, Vec<Diagnostic>>;

/// A translation target. Implementations live in `backends/*` and see only the IR.
pub trait Backend {
    /// The target's name, file extension and comment syntax.
    fn target(&self) -> &'static Target;

    /// The target's short name as used on the command line (`spl`, `esql`, `eql`, `sigma`).
    fn name(&self) -> &'static str {
        self.target().name
    }

    /// The extension (without the dot) of a file holding one translation as the target's own
    /// text (`--format query`): `spl`, `esql`, `eql`, `yml`.
    fn extension(&self) -> &'static str {
        self.target().extension
    }

    /// Translates a lowered query. `Err` means declined: each diagnostic names the KQL span the
    /// target cannot express (code `B…`), and nothing is emitted. Runs [`Backend::translate_query`]
    /// on a stack of its own: IR nesting (bounded by lowering) is walked recursively.
    /// A values note on a column a later `where` tests is widened to an over- and under-match
    /// ([`crate::filtered_values`]).
    fn translate(&self, rule: &RuleContext, query: &ir::Query) -> Outcome {
        let mut outcome = crate::stack::with_stack(|| self.translate_query(rule, query));
        if let Ok(t) = &mut outcome {
            crate::filtered_values::widen_filtered_values(query, &mut t.fidelity);
        }
        outcome
    }

    /// The target's translation proper, as [`Backend::translate`] describes it; called by it on
    /// a grown stack, so it may recurse over the IR freely. Callers use `translate`.
    fn translate_query(&self, rule: &RuleContext, query: &ir::Query) -> Outcome;

    /// The target-wide caveats that hold for this query's translation (none by default).
    fn caveats(&self, _query: &ir::Query) -> Vec<Caveat> {
        Vec::new()
    }

    /// `text` as one comment line in the target's syntax (no line break at the end), inert
    /// whatever it holds: it can neither end the comment early nor start a new line. The one
    /// way a header, note or any other input-derived text enters a comment of this target.
    fn comment(&self, text: &str) -> String {
        self.target().comment.line(text)
    }
}

/// `text` made safe for a one-line comment in every target: each character a reader may take
/// as a line break or refuses inside a comment — C0 and C1 controls (CR, LF, VT, FF, NEL, ESC…),
/// U+2028 and U+2029, the non-characters U+FFFE and U+FFFF — and the bidirectional overrides
/// (U+202A–U+202E, U+2066–U+2069, which can make a comment display as code) is written as
/// `\u{…}`. Targets add their own closing-delimiter rule on top (SPL's `` ``` ``).
pub fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(
                c,
                '\u{2028}'
                    | '\u{2029}'
                    | '\u{fffe}'
                    | '\u{ffff}'
                    | '\u{202a}'..='\u{202e}'
                    | '\u{2066}'..='\u{2069}'
            )
    };
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}
