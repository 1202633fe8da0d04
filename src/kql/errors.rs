//! Parse diagnostics in KQL terms: a pre-scan that finds what pest reports badly (empty input,
//! unterminated strings and comments, unbalanced or too deeply nested brackets) before pest
//! runs, and the translation of pest's failure position into a located, human message.
//! Never mentions pest rule names.
//!
//! Codes: P001 empty query, P002 unterminated string, P003 unbalanced bracket, P004 nesting too
//! deep, P005 query too complex, P006 missing/unknown tabular operator after `|`, P007 expected
//! an expression, P008 unclosed call or parenthesis, P009 other syntax errors, P010 missing `;`
//! between statements, P011 unknown string escape, P012 string escape that is not a
//! Unicode character (lone surrogate), P099 internal.

use super::grammar::Rule;
use crate::codes::ParseCode;
use crate::diag::Diagnostic;
use crate::source::Span;

/// Deepest bracket nesting accepted (`(`, `[`, `{` outside strings and comments).
pub const MAX_NESTING: usize = 128;

/// Every tabular operator name, for "did you mean" suggestions.
pub(crate) const OPERATOR_NAMES: &[&str] = &[
    "where",
    "filter",
    "project",
    "project-away",
    "project-keep",
    "project-rename",
    "project-reorder",
    "extend",
    "summarize",
    "sort",
    "order",
    "top",
    "top-nested",
    "top-hitters",
    "take",
    "limit",
    "sample",
    "sample-distinct",
    "distinct",
    "count",
    "join",
    "lookup",
    "union",
    "mv-expand",
    "mvexpand",
    "mv-apply",
    "parse",
    "parse-where",
    "parse-kv",
    "make-series",
    "evaluate",
    "render",
    "invoke",
    "as",
    "serialize",
    "getschema",
    "consume",
    "search",
    "find",
    "fork",
    "facet",
    "partition",
    "reduce",
    "scan",
];

/// One lexical event of the pre-scan.
struct Scan {
    /// Innermost-last stack of open brackets at the point the scan stopped: (char, offset).
    open: Vec<(char, usize)>,
    /// Offset of the last byte of code (not whitespace or comment) before the stop point.
    last_code: Option<usize>,
}

fn is_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\r' | '\n' | '\u{A0}' | '\u{202F}' | '\u{200B}' | '\u{FEFF}'
    )
}

fn is_ascii_blank(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// The ASCII bytes [`lex`] treats as plain code: not a blank, and none of the characters that
/// start a comment, a string or a fence, or open or close a bracket.
const PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 128 {
        t[c] = !matches!(
            c as u8,
            b' ' | b'\t'
                | b'\r'
                | b'\n'
                | b'/'
                | b'`'
                | b'~'
                | b'"'
                | b'\''
                | b'('
                | b'['
                | b'{'
                | b')'
                | b']'
                | b'}'
        );
        c += 1;
    }
    t
};

/// Maximal runs of whitespace and `//` comments outside strings, as sorted `(start, end)` pairs.
pub(crate) type TriviaRuns = Vec<(usize, usize)>;

/// Adds `[s, e)` to `runs`, merged with the last run when they touch.
fn push_trivia(runs: &mut TriviaRuns, s: usize, e: usize) {
    match runs.last_mut() {
        Some(last) if last.1 == s => last.1 = e,
        _ => runs.push((s, e)),
    }
}

/// Lexes `text` up to `stop`, tracking brackets. Returns an error diagnostic for unterminated
/// strings and bracket problems when `check` is set. With `trivia`, also collects the runs of
/// whitespace and comments (complete when the scan succeeds, as the parser's pre-scan does).
#[allow(clippy::result_large_err)] // called once or twice per parse; the error is the product
fn lex(
    text: &str,
    stop: usize,
    check: bool,
    mut trivia: Option<&mut TriviaRuns>,
) -> Result<Scan, Diagnostic> {
    let b = text.as_bytes();
    let end = b.len().min(stop);
    let mut i = 0;
    let mut open: Vec<(char, usize)> = Vec::new();
    let mut last_code = None;
    while i < end {
        let c = b[i];
        // Most bytes are code that opens or closes nothing (names, operators, digits) or ASCII
        // blanks: a run of either is taken at once (the same `last_code` and trivia runs as one
        // byte at a time below).
        if PLAIN[c as usize] {
            let mut j = i + 1;
            while j < end && PLAIN[b[j] as usize] {
                j += 1;
            }
            last_code = Some(j - 1);
            i = j;
            continue;
        }
        if is_ascii_blank(c) {
            let mut j = i + 1;
            while j < end && is_ascii_blank(b[j]) {
                j += 1;
            }
            if let Some(runs) = trivia.as_deref_mut() {
                push_trivia(runs, i, j);
            }
            i = j;
            continue;
        }
        match c {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let start = i;
                i = b[i..]
                    .iter()
                    .position(|&x| x == b'\n')
                    .map_or(b.len(), |p| i + p);
                if let Some(runs) = trivia.as_deref_mut() {
                    push_trivia(runs, start, i);
                }
                continue;
            }
            b'`' | b'~' if b[i..].starts_with(b"```") || b[i..].starts_with(b"~~~") => {
                let fence = &b[i..i + 3];
                let body = &b[i + 3..];
                match body.windows(3).position(|w| w == fence) {
                    Some(p) => {
                        last_code = Some(i + 3 + p + 2);
                        i += 3 + p + 3;
                        continue;
                    }
                    None => {
                        return Err(unterminated(text, i, "the multi-line string"));
                    }
                }
            }
            b'"' | b'\'' => {
                let verbatim = i > 0 && b[i - 1] == b'@';
                let start = if verbatim { i - 1 } else { i };
                let mut j = i + 1;
                let mut closed = false;
                while j < b.len() {
                    let d = b[j];
                    if verbatim {
                        if d == c {
                            if b.get(j + 1) == Some(&c) {
                                j += 2;
                                continue;
                            }
                            closed = true;
                            break;
                        }
                    } else if d == b'\\' {
                        match check_escape(b, j) {
                            Ok(skip) => j += skip,
                            Err((len, why)) if check => {
                                return Err(invalid_escape_error(text, j, len, why))
                            }
                            Err(_) => j += 2,
                        }
                        continue;
                    } else if d == c {
                        closed = true;
                        break;
                    } else if d == b'\n' {
                        break;
                    }
                    j += 1;
                }
                if !closed {
                    if check {
                        return Err(unterminated(text, start, "this string"));
                    }
                    return Ok(Scan { open, last_code });
                }
                last_code = Some(j);
                i = j + 1;
                continue;
            }
            b'(' | b'[' | b'{' => {
                if check && open.len() >= MAX_NESTING {
                    return Err(Diagnostic::error(
                        ParseCode::P004,
                        format!("the query is nested too deeply (more than {MAX_NESTING} levels of brackets)"),
                        Span::new(i, i + 1),
                    )
                    .with_label("nesting limit reached here"));
                }
                open.push((c as char, i));
            }
            b')' | b']' | b'}' => {
                let want = match c {
                    b')' => '(',
                    b']' => '[',
                    _ => '{',
                };
                match open.pop() {
                    Some((o, _)) if o == want => {}
                    Some((o, at)) => {
                        if check {
                            return Err(Diagnostic::error(
                                ParseCode::P003,
                                format!("mismatched bracket: '{}' does not close '{o}'", c as char),
                                Span::new(i, i + 1),
                            )
                            .with_label(format!("expected '{}' here", closer(o)))
                            .with_secondary(Span::new(at, at + 1), format!("'{o}' opened here")));
                        }
                    }
                    None => {
                        if check {
                            return Err(Diagnostic::error(
                                ParseCode::P003,
                                format!(
                                    "unbalanced parenthesis: '{}' has no matching '{want}'",
                                    c as char
                                ),
                                Span::new(i, i + 1),
                            )
                            .with_label("nothing to close here"));
                        }
                    }
                }
            }
            _ => {}
        }
        // ASCII without decoding a character.
        if c.is_ascii() {
            if !is_ascii_blank(c) {
                last_code = Some(i);
            } else if let Some(runs) = trivia.as_deref_mut() {
                push_trivia(runs, i, i + 1);
            }
            i += 1;
            continue;
        }
        let ch = text[i..].chars().next().unwrap_or(' ');
        let w = ch.len_utf8().max(1);
        if !is_space(ch) {
            last_code = Some(i);
        } else if let Some(runs) = trivia.as_deref_mut() {
            push_trivia(runs, i, i + w);
        }
        i += w;
    }
    Ok(Scan { open, last_code })
}

fn closer(o: char) -> char {
    match o {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

fn unterminated(text: &str, start: usize, what: &str) -> Diagnostic {
    let end = text[start..]
        .find('\n')
        .map(|e| start + e)
        .unwrap_or(text.len());
    Diagnostic::error(
        ParseCode::P002,
        "unterminated string literal",
        Span::new(start, end.max(start + 1).min(text.len())),
    )
    .with_label(format!("{what} is never closed"))
    .with_help("close the string with the same quote it opened with; \"…\" and '…' strings end on their line, use @\"…\" or ```…``` for text spanning lines")
}

/// Checks run before pest: empty input, strings, brackets, nesting depth.
/// Why an escape sequence is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BadEscape {
    /// Not an escape KQL knows (P011).
    Unknown,
    /// A `\uD800`–`\uDFFF` code unit that is not half of a high+low pair, or a `\U` value that
    /// is not a Unicode scalar value (P012).
    NotAChar,
}

/// Kusto's escapes in `"…"` / `'…'` strings, as Microsoft's parser (Kusto.Language's
/// `ScanStringEscape` / `DecodeEscapes`) reads them: `\"` `\'` `\\` `\a` `\b` `\f` `\n` `\r`
/// `\t` `\v`, octal `\0`–`\377` (one to three digits, a third only after `0`–`3`), `\xHH`
/// (exactly two hex digits), `\uHHHH` (one UTF-16 code unit: a surrogate must be half of a
/// high+low pair, written as two adjacent `\u` escapes) and `\UHHHHHHHH`. Looks at the escape
/// starting at `b[at]` (a backslash): the bytes to skip, or the bad escape's length and why.
fn check_escape(b: &[u8], at: usize) -> Result<usize, (usize, BadEscape)> {
    let s = &b[at..];
    let unit = |s: &[u8]| -> Option<u32> {
        let h = s.get(2..6)?;
        (s.starts_with(b"\\u") && h.iter().all(u8::is_ascii_hexdigit))
            .then(|| u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok())
            .flatten()
    };
    let hex = |n: usize| s.len() >= 2 + n && s[2..2 + n].iter().all(u8::is_ascii_hexdigit);
    match s.get(1) {
        Some(
            b'"' | b'\'' | b'\\' | b'0'..=b'7' | b'a' | b'b' | b'f' | b'n' | b'r' | b't' | b'v',
        ) => Ok(2),
        Some(b'x') if hex(2) => Ok(2),
        Some(b'u') if hex(4) => match unit(s) {
            Some(0xD800..=0xDBFF) => match s.get(6..).and_then(unit) {
                // The pair is one character: skip both halves.
                Some(0xDC00..=0xDFFF) => Ok(12),
                _ => Err((6, BadEscape::NotAChar)),
            },
            Some(0xDC00..=0xDFFF) => Err((6, BadEscape::NotAChar)),
            _ => Ok(2),
        },
        Some(b'U') if hex(8) => {
            let v = std::str::from_utf8(&s[2..10])
                .ok()
                .and_then(|h| u32::from_str_radix(h, 16).ok());
            match v.and_then(char::from_u32) {
                Some(_) => Ok(2),
                None => Err((10, BadEscape::NotAChar)),
            }
        }
        Some(b'\n') | None => Ok(2), // an unterminated string, reported as such
        Some(c) => Err((if c.is_ascii() { 2 } else { 1 }, BadEscape::Unknown)),
    }
}

fn invalid_escape_error(text: &str, at: usize, len: usize, why: BadEscape) -> Diagnostic {
    let shown = text.get(at..at + len).unwrap_or("\\");
    match why {
        BadEscape::Unknown => Diagnostic::error(
            ParseCode::P011,
            format!("invalid escape sequence '{shown}' in a string literal"),
            Span::new(at, at + len),
        )
        .with_label("not an escape KQL knows")
        .with_help(
            "in \"…\" and '…' strings a backslash starts an escape (\\\\ \\\" \\n \\t \\xHH \\uHHHH …); \
             write a literal backslash as \\\\, or use a verbatim string such as @\"C:\\Temp\"",
        ),
        BadEscape::NotAChar => Diagnostic::error(
            ParseCode::P012,
            format!("the escape '{shown}' is not a Unicode character"),
            Span::new(at, at + len),
        )
        .with_label("half of a UTF-16 surrogate pair, or beyond U+10FFFF")
        .with_help(
            "KQL keeps a lone surrogate as half a character, which no other query language can \
             hold; write the character itself, or both halves of its pair (\\uD83D\\uDE00)",
        ),
    }
}

/// The same pass collects the whitespace and comment runs the AST builder trims spans with.
#[allow(clippy::result_large_err)] // called once per parse; the error is the product
pub(crate) fn prescan(text: &str) -> Result<TriviaRuns, Diagnostic> {
    // About one run per token: sized for a token every six bytes, so most queries never
    // regrow it.
    let mut runs = TriviaRuns::with_capacity(text.len() / 6 + 4);
    let scan = lex(text, text.len(), true, Some(&mut runs))?;
    if scan.last_code.is_none() {
        return Err(Diagnostic::error(
            ParseCode::P001,
            "the query is empty",
            Span::new(0, text.len()),
        )
        .with_label("no KQL statement here")
        .with_help("a query needs at least one statement, e.g. `SecurityEvent | take 10`"));
    }
    if let Some(&(o, at)) = scan.open.last() {
        let what = match o {
            '(' => "parenthesis",
            '[' => "bracket",
            _ => "brace",
        };
        return Err(Diagnostic::error(
            ParseCode::P003,
            format!("unbalanced {what}: '{o}' opened here is never closed"),
            Span::new(at, at + 1),
        )
        .with_label(format!("this '{o}' has no matching '{}'", closer(o))));
    }
    Ok(runs)
}

/// The token starting at `pos`, for messages: a word (with '-'), a string start, one char.
fn token_at(text: &str, pos: usize) -> (String, Span) {
    let rest = &text[pos.min(text.len())..];
    if rest.trim().is_empty() {
        // Point just past the last token, not at trailing blank lines.
        let end = text.trim_end().len();
        return ("end of query".to_string(), Span::new(end, end));
    }
    let Some(c) = rest.chars().next() else {
        return (
            "end of query".to_string(),
            Span::new(text.len(), text.len()),
        );
    };
    if c.is_alphanumeric() || c == '_' || c == '$' {
        let len = rest
            .find(|ch: char| !(ch.is_alphanumeric() || ch == '_' || ch == '-' || ch == '$'))
            .unwrap_or(rest.len());
        let w = rest[..len].trim_end_matches('-');
        return (format!("'{w}'"), Span::new(pos, pos + w.len()));
    }
    if c == '"' || c == '\'' || c == '@' {
        let snippet: String = rest.chars().take(24).take_while(|&c| c != '\n').collect();
        let more = if rest.len() > snippet.len() {
            "…"
        } else {
            ""
        };
        return (
            format!("string literal {snippet}{more}"),
            Span::new(pos, pos + 1),
        );
    }
    let two: String = rest.chars().take(2).collect();
    let sym = if matches!(
        two.as_str(),
        "==" | "!=" | "<=" | ">=" | "=~" | "!~" | "<>" | "=>"
    ) {
        two
    } else {
        c.to_string()
    };
    let len = sym.len();
    (format!("'{sym}'"), Span::new(pos, pos + len))
}

/// KQL's infix string operators (without their `!` forms), for "did you mean" help.
const STRING_OPERATORS: &[&str] = &[
    "has",
    "has_cs",
    "hasprefix",
    "hasprefix_cs",
    "hassuffix",
    "hassuffix_cs",
    "has_any",
    "has_all",
    "contains",
    "contains_cs",
    "startswith",
    "startswith_cs",
    "endswith",
    "endswith_cs",
    "in",
    "between",
    "matches regex",
];

/// Help for a word that sits where an operator between expressions was expected: a misspelt
/// string operator, a negation KQL does not have (`!has_any`), or `matches` without `regex`.
fn operator_help(text: &str, at: Span) -> Option<String> {
    let rest = &text[at.start.min(text.len())..];
    let word: String = rest
        .trim_start_matches('!')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if word.is_empty() {
        return None;
    }
    if rest.starts_with('!') && matches!(word.as_str(), "has_any" | "has_all") {
        return Some(format!(
            "KQL has no '!{word}'; write not(column {word} (…)) instead"
        ));
    }
    if word == "matches" {
        return Some(
            "the operator is written 'matches regex', e.g. x matches regex @\"^a\\d+\"".into(),
        );
    }
    let lower = word.to_ascii_lowercase();
    STRING_OPERATORS
        .iter()
        .map(|op| (strsim::levenshtein(&lower, op), *op))
        .filter(|(d, op)| *d > 0 && *d <= 2 && *d < op.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, op)| format!("did you mean '{op}'?"))
}

/// The closest tabular operator name to `word`, if it is plausibly a typo.
pub(crate) fn suggest_operator(word: &str) -> Option<&'static str> {
    let lower = word.to_ascii_lowercase();
    OPERATOR_NAMES
        .iter()
        .map(|op| (strsim::levenshtein(&lower, op), *op))
        .filter(|(d, op)| *d <= 2.max(op.len() / 4) && *d < op.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, op)| op)
}

fn human(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        expr | paren_expr | dynamic_lit | datetime_lit | timespan_fn | typed_lit | string_lit
        | string_part | timespan_lit | number | bool_lit | star | call | ident | tabular | neg
        | pos | named_expr | named_arg | sort_key | series_agg | mv_item | word_value => {
            "an expression"
        }
        op_or | op_and | op_cmp | op_add | op_sub | op_mul | op_div | op_mod | in_op
        | in_suffix | list_suffix | list_op | between_suffix | between_op | member | index => {
            "an operator"
        }
        name | word_any | bracketed_name | member_name | set_name | name_tuple => "a name",
        col_pattern | wild_name => "a column name",
        type_name | tabular_schema => "a type name",
        column_decl | parameter => "a 'name: type' declaration",
        EOI => "the end of the query",
        kw_by => "'by'",
        kw_on => "'on'",
        kw_with => "'with'",
        kw_of => "'of'",
        kw_to => "'to'",
        kw_from => "'from'",
        kw_step => "'step'",
        kw_where => "'where'",
        kw_as => "'as'",
        kw_in => "'in'",
        kw_default => "'default'",
        kw_query_parameters => "'query_parameters'",
        assign => "'='",
        sort_dir | reorder_dir => "'asc' or 'desc'",
        nulls => "'nulls first' or 'nulls last'",
        op_param | hint_param | param_name | hint_name => "a parameter such as 'kind='",
        let_stmt | set_stmt | declare_stmt | expr_stmt | kw_let => "a statement",
        lambda | lambda_params | view_def | block => "a function body",
        dyn_array | dyn_object | dyn_pair => "a dynamic value",
        parse_star | parse_column => "a parse pattern",
        subquery | sub_ops => "a subquery",
        table_wildcard => "a table name",
        prop => "a 'name = value' property",
        _ => return None,
    })
}

fn is_operator_rule(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        op_where
            | op_project_away
            | op_project_keep
            | op_project_rename
            | op_project_reorder
            | op_project
            | op_extend
            | op_summarize
            | op_sort
            | op_top_nested
            | op_top_hitters
            | op_top
            | op_take
            | op_sample_distinct
            | op_sample
            | op_distinct
            | op_count
            | op_join
            | op_lookup
            | op_union
            | op_mv_expand
            | op_mv_apply
            | op_parse_kv
            | op_parse
            | op_make_series
            | op_evaluate
            | op_render
            | op_invoke
            | op_as
            | op_serialize
            | op_search
            | op_find
            | op_getschema
            | op_fork
            | op_facet
            | op_partition
            | op_scan
            | op_reduce
            | op_consume
            | where_kw
            | sort_kw
            | take_kw
            | mv_expand_kw
            | parse_kw
    )
}

/// Turns pest's failure into one located diagnostic.
pub(crate) fn from_pest(text: &str, err: pest::error::Error<Rule>) -> Diagnostic {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    }
    .min(text.len());
    let positives = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { message } => {
            if message.contains("limit") {
                return Diagnostic::error(
                    ParseCode::P005,
                    "the query is too complex to parse",
                    Span::new(pos, pos),
                )
                .with_label("the parser gave up here")
                .with_help("simplify or split the query");
            }
            Vec::new()
        }
    };
    let (found, fspan) = token_at(text, pos);
    let scan = lex(text, pos, false, None).unwrap_or(Scan {
        open: Vec::new(),
        last_code: None,
    });
    let prev = scan.last_code.and_then(|i| text[i..].chars().next());

    // After '|': a tabular operator is required.
    if prev == Some('|') || positives.iter().any(|r| is_operator_rule(*r)) && prev == Some('|') {
        if found.starts_with('\'')
            && !fspan.is_empty()
            && text[fspan.range()]
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            let word = &text[fspan.range()];
            if !OPERATOR_NAMES.contains(&word) {
                let mut d = Diagnostic::error(
                    ParseCode::P006,
                    format!("unknown tabular operator '{word}'"),
                    fspan,
                )
                .with_label("not a tabular operator");
                if let Some(s) = suggest_operator(word) {
                    d = d.with_help(format!("did you mean '{s}'?"));
                }
                return d;
            }
        } else {
            return Diagnostic::error(
                ParseCode::P006,
                format!("expected a tabular operator after '|', found {found}"),
                fspan,
            )
            .with_label("expected an operator such as 'where', 'extend' or 'summarize' here");
        }
    }

    let mut wants: Vec<&str> = Vec::new();
    for r in &positives {
        if let Some(h) = human(*r) {
            if !wants.contains(&h) {
                wants.push(h);
            }
        }
    }
    if wants.len() > 1 {
        wants.retain(|w| *w != "a parameter such as 'kind='");
    }
    let wants_expr = wants.contains(&"an expression");
    let after_expr = wants.contains(&"an operator") || wants.contains(&"the end of the query");

    if wants_expr && !after_expr {
        return Diagnostic::error(
            ParseCode::P007,
            format!("expected an expression, found {found}"),
            fspan,
        )
        .with_label("expected an expression here");
    }

    // Inside an unclosed '(' after a complete expression: the call or group is not closed.
    if let Some(&(o, at)) = scan.open.last() {
        if o == '(' && (after_expr || wants.is_empty()) {
            let before = text[..at].trim_end_matches(is_space);
            let fname: String = before
                .chars()
                .rev()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let msg =
                if !fname.is_empty() && fname.chars().next().is_some_and(|c| !c.is_ascii_digit()) {
                    format!("expected ')' to close the call of '{fname}', found {found}")
                } else {
                    format!("expected ')' to close the parenthesis, found {found}")
                };
            return Diagnostic::error(ParseCode::P008, msg, fspan)
                .with_label("expected ',' or ')' here")
                .with_secondary(Span::new(at, at + 1), "'(' opened here");
        }
    }

    // A complete statement followed, on a new line, by the start of another one.
    let line_start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let first_on_line = text[line_start..pos].chars().all(is_space);
    if scan.open.is_empty()
        && wants.contains(&"the end of the query")
        && first_on_line
        && pos > 0
        && text[pos..].starts_with(|c: char| c.is_alphabetic() || c == '_')
    {
        return Diagnostic::error(
            ParseCode::P010,
            format!("expected ';' before a new statement, found {found}"),
            fspan,
        )
        .with_label("a new statement seems to start here")
        .with_help(
            "separate statements with ';' (a query may hold several `let`s and expressions)",
        );
    }

    if after_expr && !found.starts_with("end") {
        let help = operator_help(text, fspan).unwrap_or_else(|| {
            "a '|' before a tabular operator, an operator between expressions, or a ';' between statements may be missing".to_string()
        });
        return Diagnostic::error(ParseCode::P009, format!("unexpected {found}"), fspan)
            .with_label("not expected here")
            .with_help(help);
    }

    let expected = match wants.len() {
        0 => "a statement or expression".to_string(),
        1 => wants[0].to_string(),
        n => format!("{} or {}", wants[..n - 1].join(", "), wants[n - 1]),
    };
    Diagnostic::error(
        ParseCode::P009,
        format!("expected {expected}, found {found}"),
        fspan,
    )
    .with_label(format!("expected {expected}"))
}
