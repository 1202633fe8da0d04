//! Whether a translation filters in a way the target's index can serve (issue 16), and which
//! queries could: those whose KQL has a positive field condition (read from the IR).
//!
//! * SPL: the search clause (the text before the first `|`) holds a positive term beyond
//!   `index`, `sourcetype`, `earliest` and `latest` — read from the output text, so any
//!   prefilter the SPL backend writes counts.
//! * ES|QL: the first command after `FROM` is a pushable `WHERE`, and (stricter) some pushed
//!   part of the leading `WHERE`s tests a field beyond the time window — from the ES|QL
//!   backend's own pushdown rules (`kqlport_esql::pushdown`).
//! * EQL: the condition has a top-level conjunct whose every `or` branch compares a field with
//!   constants by an operator Elasticsearch runs as a Lucene query (`==`, `:`, `in`, `like`,
//!   `regex`, ranges), not a function — read from the output text.

use kqlport::ir::{self, Predicate, PredicateKind, StageKind};
use std::collections::HashSet;

/// Whether the KQL filters the source table's rows by at least one positive test of one of
/// its fields against constants, before anything reshapes the rows: a string test (not
/// negated, not only `""`), a comparison other than `!=`, `in`, `between`, a bool column; in
/// an `and` any part, in an `or` every branch. Not: the time window, `isempty`/`isnull`,
/// negations, tests of computed columns.
pub fn has_positive_field_condition(q: &ir::Query) -> bool {
    let mut computed: HashSet<&str> = HashSet::new();
    for s in &q.stages {
        match &s.kind {
            StageKind::Filter(p) => {
                if positive(p, &computed) {
                    return true;
                }
            }
            StageKind::Extend(assigns) | StageKind::Project(assigns) => {
                for a in assigns {
                    let plain = matches!(&a.expr.kind, ir::ExprKind::Field(fp)
                        if fp.is_plain() && fp.column == a.name.name);
                    if !plain {
                        computed.insert(&a.name.name);
                    }
                }
            }
            StageKind::Rename(pairs) => {
                for (new, _) in pairs {
                    computed.insert(&new.name);
                }
            }
            StageKind::ProjectAway(_) | StageKind::ProjectKeep(_) | StageKind::Reorder(_) => {}
            StageKind::Sort(_) => {}
            StageKind::Totals(aggs) => {
                for a in aggs {
                    computed.insert(&a.name.name);
                }
            }
            StageKind::Scalar(sq) => {
                computed.insert(&sq.name.name);
            }
            StageKind::Aggregate { .. }
            | StageKind::Top { .. }
            | StageKind::Limit(_)
            | StageKind::Distinct(_)
            | StageKind::Count
            | StageKind::Join { .. }
            | StageKind::Ipv4Lookup(_)
            | StageKind::MvExpand(_)
            | StageKind::Neighbours { .. }
            | StageKind::Parse(_) => return false,
        }
    }
    false
}

fn source_field(e: &ir::Expr, computed: &HashSet<&str>) -> bool {
    matches!(&e.kind, ir::ExprKind::Field(fp) if !computed.contains(fp.column.as_str()))
}

fn constant(e: &ir::Expr) -> bool {
    matches!(&e.kind, ir::ExprKind::Literal(l) if *l != ir::Literal::Null)
}

fn positive(p: &Predicate, computed: &HashSet<&str>) -> bool {
    match &p.kind {
        PredicateKind::And(parts) => parts.iter().any(|x| positive(x, computed)),
        PredicateKind::Or(parts) => {
            !parts.is_empty() && parts.iter().all(|x| positive(x, computed))
        }
        PredicateKind::StrMatch(m) => {
            !m.negated && source_field(&m.field, computed) && m.values.iter().any(|v| !v.is_empty())
        }
        PredicateKind::Compare { lhs, op, rhs, .. } => {
            *op != ir::CmpOp::Ne
                && ((source_field(lhs, computed) && constant(rhs))
                    || (constant(lhs) && source_field(rhs, computed)))
        }
        PredicateKind::InSet { expr, negated, .. }
        | PredicateKind::Between { expr, negated, .. } => !negated && source_field(expr, computed),
        PredicateKind::Bool(e) => source_field(e, computed),
        // Values known only when the subquery runs: no constant for the index to look up.
        PredicateKind::Not(_)
        | PredicateKind::InSubquery { .. }
        | PredicateKind::IsEmpty { .. }
        | PredicateKind::IsNull { .. }
        | PredicateKind::TimeWindow { .. }
        | PredicateKind::Const(_) => false,
    }
}

/// Tokens of SPL or EQL text: quoted strings whole, parentheses alone, else runs without
/// white space.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '(' || c == ')' {
            out.push(c.to_string());
            chars.next();
        } else {
            let mut t = String::new();
            let mut quoted = false;
            while let Some(&c) = chars.peek() {
                if !quoted && (c.is_whitespace() || c == '(' || c == ')') {
                    break;
                }
                chars.next();
                t.push(c);
                if c == '\\' && quoted {
                    if let Some(n) = chars.next() {
                        t.push(n);
                    }
                } else if c == '"' {
                    quoted = !quoted;
                }
            }
            out.push(t);
        }
    }
    out
}

/// The part of `text` before its first `|` outside quotes (and the SPL comment lines
/// ```` ``` ```` before it).
fn before_first_pipe(text: &str) -> &str {
    let body = text.trim_start();
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '|' if !quoted => return &body[..i],
            _ => {}
        }
    }
    body
}

/// SPL: the search clause holds a positive term beyond index, sourcetype and the time window.
pub fn spl_prefilters(text: &str) -> bool {
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("```"))
        .collect::<Vec<_>>()
        .join("\n");
    let clause = before_first_pipe(&code);
    let toks = tokens(clause);
    let mut i = 0;
    let mut depth_skip: Option<usize> = None;
    let mut depth = 0usize;
    while i < toks.len() {
        let t = toks[i].as_str();
        i += 1;
        match t {
            "(" => depth += 1,
            ")" => {
                depth = depth.saturating_sub(1);
                if depth_skip == Some(depth) {
                    depth_skip = None;
                }
            }
            _ if depth_skip.is_some() => {}
            "NOT" => {
                // Skip the negated operand: one token or a parenthesised group.
                if toks.get(i).map(String::as_str) == Some("(") {
                    depth_skip = Some(depth);
                } else {
                    i += 1;
                }
            }
            "search" | "AND" | "OR" => {}
            _ => {
                let key = t.split(['=', '!', '<', '>']).next().unwrap_or("");
                let builtin = matches!(
                    key.to_ascii_lowercase().as_str(),
                    "index" | "sourcetype" | "earliest" | "latest"
                ) && t.len() > key.len();
                let negated = t[key.len()..].starts_with("!=");
                if !builtin && !negated {
                    return true;
                }
            }
        }
    }
    false
}

/// EQL: a top-level conjunct of the condition that every `or` branch of is a field compared
/// with constants by a Lucene-run operator.
pub fn eql_index_usable(text: &str) -> bool {
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let Some((_, cond)) = code.split_once(" where ") else {
        return false;
    };
    let cond = before_first_pipe(cond);
    let toks = tokens(cond);
    conjuncts(&toks, "and").iter().any(|c| {
        let c = strip_parens(c);
        let branches = conjuncts(c, "or");
        !branches.is_empty() && branches.iter().all(|b| field_test(strip_parens(b)))
    })
}

/// `toks` split at `word` outside parentheses.
fn conjuncts<'a>(toks: &'a [String], word: &str) -> Vec<&'a [String]> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        match t.as_str() {
            "(" => depth += 1,
            ")" => depth = depth.saturating_sub(1),
            w if w == word && depth == 0 => {
                out.push(&toks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&toks[start..]);
    out
}

/// Drops parentheses around the whole of `toks`.
fn strip_parens(mut toks: &[String]) -> &[String] {
    while toks.len() >= 2 && toks[0] == "(" && toks[toks.len() - 1] == ")" {
        // Only when the first `(` closes at the end.
        let mut depth = 0usize;
        let closes_at_end = toks.iter().enumerate().all(|(i, t)| {
            match t.as_str() {
                "(" => depth += 1,
                ")" => depth -= 1,
                _ => {}
            }
            depth > 0 || i == toks.len() - 1
        });
        if !closes_at_end {
            break;
        }
        toks = &toks[1..toks.len() - 1];
    }
    toks
}

/// `field OP constant…` with a Lucene-run operator.
fn field_test(toks: &[String]) -> bool {
    let [field, op, rest @ ..] = toks else {
        return false;
    };
    let is_field = field
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '@' || c == '`');
    let op_ok = matches!(
        op.as_str(),
        "==" | ":" | "in" | "in~" | "like" | "like~" | "regex" | "regex~" | "<" | "<=" | ">" | ">="
    );
    let constants = !rest.is_empty()
        && rest.iter().all(|t| {
            t == "("
                || t == ")"
                || t.starts_with('"')
                || t.trim_end_matches(',').parse::<f64>().is_ok()
                || matches!(t.trim_end_matches(','), "true" | "false")
        });
    is_field && !matches!(field.as_str(), "not" | "true" | "false") && op_ok && constants
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spl_search_clause_terms() {
        assert!(!spl_prefilters(
            "search index=* sourcetype=\"AlertInfo\"\n| where A==\"b\""
        ));
        assert!(!spl_prefilters(
            "search index=* sourcetype=\"T\" earliest=-86400s latest=2147483647\n| where x"
        ));
        assert!(spl_prefilters(
            "search index=* sourcetype=\"T\" RuleName=\"a|b\"\n| stats count"
        ));
        assert!(spl_prefilters(
            "search index=* sourcetype=\"T\" (A=\"x\" OR A=\"y\")"
        ));
        assert!(spl_prefilters(
            "search index=* sourcetype=\"T\" TERM(evil.exe)"
        ));
        assert!(spl_prefilters(
            "```note```\nsearch index=* sourcetype=\"T\" A=\"x*\""
        ));
        // Negations alone do not use the index.
        assert!(!spl_prefilters(
            "search index=* sourcetype=\"T\" NOT A=\"x\""
        ));
        assert!(!spl_prefilters(
            "search index=* sourcetype=\"T\" NOT (A=\"x\" OR B=1)"
        ));
        assert!(!spl_prefilters("search index=* sourcetype=\"T\" A!=\"x\""));
        // A `|` inside a quoted value does not end the clause.
        assert!(spl_prefilters("search index=* sourcetype=\"a|b\" X=1"));
    }

    #[test]
    fn eql_conditions() {
        assert!(eql_index_usable("T where F : \"*.exe\"\n"));
        assert!(eql_index_usable(
            "T where MessageType == 2 and Codename == \"DCShadow\"\n"
        ));
        assert!(eql_index_usable(
            "T where (A in (\"a\", \"b\") or B regex~ \".*x.*\") and length(C) > 3\n"
        ));
        assert!(!eql_index_usable("T where true\n"));
        assert!(!eql_index_usable("T where startsWith~(F, \"x*\")\n"));
        assert!(!eql_index_usable("T where F != \"x\"\n"));
        assert!(!eql_index_usable("T where A == \"a\" or length(C) > 3\n"));
        assert!(!eql_index_usable("T where not (F : \"x\")\n"));
    }
}
