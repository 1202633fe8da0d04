//! The SPL target AST and its printer: every quoting and escaping rule of the emitted text
//! lives here, in `Display` impls. Never decides *what* to emit (that is `translate`), only
//! how a node is spelled so that no value can leave its literal.
//!
//! Quoting rules (Splunk search-time SPL):
//! * eval/where string literal: `"…"` with `\` → `\\` and `"` → `\"` (eval expands `\t`-style
//!   sequences, so every backslash is doubled); a control character is spliced in with
//!   `urldecode("%0A")` instead of trusting an escape sequence.
//! * eval/where field name: bare when `[A-Za-z_][A-Za-z0-9_]*` and not a keyword, else `'…'`
//!   (names holding `'`, `"`, `\`, a backtick or control characters are refused upstream).
//! * command field argument (`table`, `fields`, `stats … by`, `rename`, `sort`, `AS`): bare
//!   when `[A-Za-z_][A-Za-z0-9_.]*` (plus `*` for patterns), else `"…"`.
//! * base-search value: `"…"` built only from [`SearchValue`], whose text parts are checked
//!   by [`search_safe`] (printable ASCII without `"`, `\`, `*`), so nothing needs escaping and
//!   `*` only ever appears as an intended wildcard.

use std::fmt::{self, Display, Formatter, Write};

/// A whole query: the base search (or `multisearch`), then one command per line.
#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    pub search: Head,
    pub commands: Vec<Command>,
}

/// Where a pipeline's events come from.
#[derive(Clone, Debug, PartialEq)]
pub enum Head {
    Search(BaseSearch),
    /// `| multisearch [search …] [search …]`: the events of every leg, each leg holding only
    /// streaming commands (a generating command, so it starts the search).
    Multisearch(Vec<Pipeline>),
    /// `| inputlookup <name>`: the rows of a lookup table (a generating command).
    InputLookup(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct BaseSearch {
    /// Where the events are: `index`, `sourcetype`, `source` terms, in this order. A key with
    /// several values (a union's sourcetypes) is their OR: `(sourcetype="A" OR sourcetype="B")`.
    pub from: Vec<(&'static str, Vec<String>)>,
    /// `earliest=…`: inclusive lower bound of `_time`.
    pub earliest: Option<TimeBound>,
    /// `latest=…`: exclusive upper bound of `_time`. Splunk uses `now` when a search gives
    /// `earliest` without `latest` (Search Reference, "Time modifiers").
    pub latest: Option<TimeBound>,
    /// Implicitly AND-ed terms.
    pub terms: Vec<SearchExpr>,
}

/// A time modifier's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeBound {
    /// Seconds before the search's start time (`-<n>s`; a negative `n` is `+<-n>s`, after it).
    Ago(i64),
    /// UNIX epoch seconds.
    Epoch(i64),
}

impl Display for TimeBound {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match *self {
            TimeBound::Ago(s) if s >= 0 => write!(f, "-{s}s"),
            TimeBound::Ago(s) => write!(f, "+{}s", s.unsigned_abs()),
            TimeBound::Epoch(e) => write!(f, "{e}"),
        }
    }
}

/// A base-search boolean. Inside `search`, OR binds tighter than AND, so every compound child
/// is parenthesised explicitly.
#[derive(Clone, Debug, PartialEq)]
pub enum SearchExpr {
    /// `field="value"`, case-insensitive, `*` = wildcard.
    Match {
        field: String,
        value: SearchValue,
    },
    /// `field IN ("a", "b", …)`: true when one value matches (Search Reference, search:
    /// `IN` is the OR of the `field=value` tests).
    In {
        field: String,
        values: Vec<SearchValue>,
    },
    And(Vec<SearchExpr>),
    Or(Vec<SearchExpr>),
    Not(Box<SearchExpr>),
}

/// A search value: literal text runs and wildcards.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchValue(pub Vec<SearchPart>);

#[derive(Clone, Debug, PartialEq)]
pub enum SearchPart {
    Text(String),
    Wildcard,
}

/// True when `s` can sit inside a quoted base-search value and mean exactly itself: non-empty,
/// printable ASCII, no `"`, `\` or `*`, and no leading/trailing space (which the term lookup
/// ignores). Backslashes and quotes are excluded on purpose: raw JSON events store them
/// escaped, so the index pre-filter would not find them.
pub fn search_safe(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' && b != b'*')
        && !s.starts_with(' ')
        && !s.ends_with(' ')
}

/// A command after the base search.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Where(Eval),
    /// `eval a=…, b=…` (left to right).
    Eval(Vec<(String, Eval)>),
    Table(Vec<String>),
    FieldsKeep(Vec<String>),
    FieldsRemove(Vec<String>),
    /// `(old, new)` pairs.
    Rename(Vec<(String, String)>),
    FillNull(Vec<String>),
    Stats {
        aggs: Vec<StatsAgg>,
        by: Vec<String>,
    },
    /// `eventstats …`: the aggregates of each row's group added to every row.
    EventStats {
        aggs: Vec<StatsAgg>,
        by: Vec<String>,
    },
    Sort(Vec<(SortDir, String)>),
    Head(u64),
    Dedup(Vec<String>),
    /// `rex field=F [max_match=N] "regex"`: the named groups of the first match (of up to N
    /// matches, as a multivalue field; 0 for every match) become fields; a result that does
    /// not match is left unchanged.
    Rex {
        field: String,
        regex: String,
        max_match: Option<u64>,
    },
    /// `streamstats count AS F`: each result numbered 1, 2, 3 … in the order they come.
    StreamCount(String),
    /// `streamstats current=f window=1 last(F) AS N, …`: each result gets the `(F, N)` fields'
    /// values of the result right before it (none on the first).
    StreamLast(Vec<(String, String)>),
    /// `reverse`: the results in the opposite order.
    Reverse,
    /// `mvexpand F [limit=N]`: one result per value of a multivalue field.
    MvExpand {
        field: String,
        limit: Option<u64>,
    },
    /// `append [<subsearch>]`: the subsearch's results after the current ones.
    Append(Box<Pipeline>),
    /// `search [NOT] [<subsearch>]`: the results matching (or not) the search string Splunk's
    /// implicit `format` makes of the subsearch's rows.
    SearchSubsearch {
        negated: bool,
        sub: Box<Pipeline>,
    },
    /// `search <condition>` over subsearches and helper flags (subquery tests under `or`).
    SearchFormula(SearchFormula),
    /// `lookup <name> <match> AS <field> OUTPUT <out>…`: each result's `field` value looked up
    /// in the lookup `name`'s column `match` (as the lookup's definition matches it), the
    /// matching rows' `out` columns added (several matches: multivalue fields).
    Lookup {
        name: String,
        match_field: String,
        field: String,
        outputs: Vec<String>,
    },
    /// `join type=<inner|left> max=<n> <fields> [<subsearch>]`; `max=0` means every match.
    Join {
        kind: JoinType,
        max: u64,
        fields: Vec<String>,
        sub: Box<Pipeline>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinType {
    Inner,
    Left,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortDir {
    Asc,
    Desc,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StatsAgg {
    pub func: &'static str,
    pub arg: Option<StatsArg>,
    pub alias: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StatsArg {
    Field(String),
    Eval(Eval),
}

/// An eval/where expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Eval {
    Field(String),
    Str(String),
    /// A number already in its final spelling (validated finite by the caller).
    Num(String),
    Call(&'static str, Vec<Eval>),
    /// Comparison or arithmetic: `lhs op rhs`.
    Binary(&'static str, Box<Eval>, Box<Eval>),
    /// String concatenation with `.`.
    Concat(Vec<Eval>),
    Neg(Box<Eval>),
    Not(Box<Eval>),
    And(Vec<Eval>),
    Or(Vec<Eval>),
}

impl Eval {
    pub fn call(name: &'static str, args: Vec<Eval>) -> Eval {
        Eval::Call(name, args)
    }
    pub fn bin(op: &'static str, l: Eval, r: Eval) -> Eval {
        Eval::Binary(op, Box::new(l), Box::new(r))
    }
    pub fn str(s: impl Into<String>) -> Eval {
        Eval::Str(s.into())
    }
    pub fn not(e: Eval) -> Eval {
        Eval::Not(Box::new(e))
    }
    pub fn and(mut v: Vec<Eval>) -> Eval {
        if v.len() == 1 {
            v.remove(0)
        } else {
            Eval::And(v)
        }
    }
    pub fn or(mut v: Vec<Eval>) -> Eval {
        if v.len() == 1 {
            v.remove(0)
        } else {
            Eval::Or(v)
        }
    }
    fn is_atom(&self) -> bool {
        // A string with control characters prints as its own parenthesised concatenation.
        matches!(
            self,
            Eval::Field(_) | Eval::Str(_) | Eval::Num(_) | Eval::Call(..)
        )
    }
}

const EVAL_KEYWORDS: [&str; 8] = ["AND", "OR", "NOT", "XOR", "LIKE", "IN", "TRUE", "FALSE"];

/// Words that mean something as bare tokens in SPL (boolean operators, `by`, `as`, literals).
pub fn is_keyword(name: &str) -> bool {
    let up = name.to_ascii_uppercase();
    EVAL_KEYWORDS.contains(&up.as_str()) || matches!(up.as_str(), "BY" | "AS" | "NULL")
}

fn eval_bare(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !EVAL_KEYWORDS.contains(&name.to_ascii_uppercase().as_str())
        && !name.eq_ignore_ascii_case("null")
}

/// Characters no field name may hold in any SPL quoting form.
pub fn name_expressible(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| matches!(c, '\'' | '"' | '\\' | '`') || c.is_control())
}

struct EvalName<'a>(&'a str);
impl Display for EvalName<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if eval_bare(self.0) {
            f.write_str(self.0)
        } else {
            write!(f, "'{}'", self.0)
        }
    }
}

/// A field argument of a command; `*` passes through as the command's own wildcard.
struct CmdName<'a>(&'a str);
impl Display for CmdName<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let mut chars = s.chars();
        let bare = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '*')
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '*'))
            && !EVAL_KEYWORDS.contains(&s.to_ascii_uppercase().as_str())
            && !s.eq_ignore_ascii_case("by")
            && !s.eq_ignore_ascii_case("as");
        if bare {
            f.write_str(s)
        } else {
            write!(f, "\"{s}\"")
        }
    }
}

/// An eval string literal; see the module docs.
struct EvalStr<'a>(&'a str);
impl Display for EvalStr<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if !self.0.chars().any(char::is_control) {
            return write_quoted(f, self.0);
        }
        // Control characters: splice them in with urldecode, parts joined by `.`.
        f.write_char('(')?;
        let mut first = true;
        let mut run = String::new();
        let sep = |f: &mut Formatter<'_>, first: &mut bool| -> fmt::Result {
            if !*first {
                f.write_char('.')?;
            }
            *first = false;
            Ok(())
        };
        for c in self.0.chars() {
            if c.is_control() {
                if !run.is_empty() {
                    sep(f, &mut first)?;
                    write_quoted(f, &run)?;
                    run.clear();
                }
                sep(f, &mut first)?;
                let mut buf = [0u8; 4];
                f.write_str("urldecode(\"")?;
                for b in c.encode_utf8(&mut buf).bytes() {
                    write!(f, "%{b:02X}")?;
                }
                f.write_str("\")")?;
            } else {
                run.push(c);
            }
        }
        if !run.is_empty() {
            sep(f, &mut first)?;
            write_quoted(f, &run)?;
        }
        f.write_char(')')
    }
}

fn write_quoted(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '"' => f.write_str("\\\"")?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

impl Display for Eval {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Eval::Field(n) => write!(f, "{}", EvalName(n)),
            Eval::Str(s) => write!(f, "{}", EvalStr(s)),
            Eval::Num(n) => f.write_str(n),
            Eval::Call(name, args) => {
                write!(f, "{name}(")?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_char(')')
            }
            Eval::Binary(op, l, r) => {
                operand(f, l)?;
                write!(f, "{op}")?;
                operand(f, r)
            }
            Eval::Concat(parts) => {
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        f.write_char('.')?;
                    }
                    operand(f, p)?;
                }
                Ok(())
            }
            Eval::Neg(e) => {
                f.write_char('-')?;
                operand(f, e)
            }
            Eval::Not(e) => {
                if e.is_atom() {
                    write!(f, "NOT {e}")
                } else {
                    write!(f, "NOT ({e})")
                }
            }
            Eval::And(v) => junction(f, v, " AND "),
            Eval::Or(v) => junction(f, v, " OR "),
        }
    }
}

/// Operands of comparisons/arithmetic/concatenation: anything but an atom is parenthesised.
fn operand(f: &mut Formatter<'_>, e: &Eval) -> fmt::Result {
    if e.is_atom() {
        write!(f, "{e}")
    } else {
        write!(f, "({e})")
    }
}

/// AND/OR lists: a nested AND/OR is always parenthesised, whatever the precedence.
fn junction(f: &mut Formatter<'_>, v: &[Eval], sep: &str) -> fmt::Result {
    for (i, e) in v.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        if matches!(e, Eval::And(_) | Eval::Or(_)) {
            write!(f, "({e})")?;
        } else {
            write!(f, "{e}")?;
        }
    }
    Ok(())
}

impl Display for SearchValue {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('"')?;
        for p in &self.0 {
            match p {
                SearchPart::Text(t) => f.write_str(t)?,
                SearchPart::Wildcard => f.write_char('*')?,
            }
        }
        f.write_char('"')
    }
}

impl Display for SearchExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let child = |f: &mut Formatter<'_>, e: &SearchExpr| match e {
            SearchExpr::Match { .. } | SearchExpr::In { .. } => write!(f, "{e}"),
            _ => write!(f, "({e})"),
        };
        match self {
            SearchExpr::Match { field, value } => write!(f, "{}={value}", CmdName(field)),
            SearchExpr::In { field, values } => {
                write!(f, "{} IN (", CmdName(field))?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_char(')')
            }
            SearchExpr::And(v) | SearchExpr::Or(v) => {
                let sep = if matches!(self, SearchExpr::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                for (i, e) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(sep)?;
                    }
                    child(f, e)?;
                }
                Ok(())
            }
            SearchExpr::Not(e) => {
                f.write_str("NOT ")?;
                child(f, e)
            }
        }
    }
}

impl Display for BaseSearch {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("search")?;
        for (key, values) in &self.from {
            match values.as_slice() {
                [one] if *key == "index" && one == "*" => f.write_str(" index=*")?,
                [one] => {
                    write!(f, " {key}=")?;
                    write_quoted(f, one)?;
                }
                many => {
                    f.write_str(" (")?;
                    for (i, v) in many.iter().enumerate() {
                        if i > 0 {
                            f.write_str(" OR ")?;
                        }
                        write!(f, "{key}=")?;
                        write_quoted(f, v)?;
                    }
                    f.write_char(')')?;
                }
            }
        }
        if let Some(b) = self.earliest {
            write!(f, " earliest={b}")?;
        }
        if let Some(b) = self.latest {
            write!(f, " latest={b}")?;
        }
        for t in &self.terms {
            f.write_char(' ')?;
            match t {
                SearchExpr::Match { .. } | SearchExpr::In { .. } | SearchExpr::Not(_) => {
                    write!(f, "{t}")?
                }
                _ => write!(f, "({t})")?,
            }
        }
        Ok(())
    }
}

fn names(f: &mut Formatter<'_>, v: &[String]) -> fmt::Result {
    for (i, n) in v.iter().enumerate() {
        if i > 0 {
            f.write_char(' ')?;
        }
        write!(f, "{}", CmdName(n))?;
    }
    Ok(())
}

impl Display for Command {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Command::Where(e) => write!(f, "where {e}"),
            Command::Eval(v) => {
                f.write_str("eval ")?;
                for (i, (n, e)) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}={e}", EvalName(n))?;
                }
                Ok(())
            }
            Command::Table(v) => {
                f.write_str("table ")?;
                names(f, v)
            }
            Command::FieldsKeep(v) => {
                f.write_str("fields ")?;
                names(f, v)
            }
            Command::FieldsRemove(v) => {
                f.write_str("fields - ")?;
                names(f, v)
            }
            Command::Rename(v) => {
                f.write_str("rename ")?;
                for (i, (old, new)) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{} AS {}", CmdName(old), CmdName(new))?;
                }
                Ok(())
            }
            Command::FillNull(v) => {
                f.write_str("fillnull value=\"\" ")?;
                names(f, v)
            }
            Command::Stats { aggs, by } | Command::EventStats { aggs, by } => {
                f.write_str(match self {
                    Command::Stats { .. } => "stats ",
                    _ => "eventstats ",
                })?;
                for (i, a) in aggs.iter().enumerate() {
                    if i > 0 {
                        f.write_char(' ')?;
                    }
                    f.write_str(a.func)?;
                    match &a.arg {
                        None => {}
                        Some(StatsArg::Field(n)) => write!(f, "({})", CmdName(n))?,
                        Some(StatsArg::Eval(e)) => write!(f, "(eval({e}))")?,
                    }
                    write!(f, " AS {}", CmdName(&a.alias))?;
                }
                if !by.is_empty() {
                    f.write_str(" by ")?;
                    names(f, by)?;
                }
                Ok(())
            }
            Command::Sort(keys) => {
                // The documented form: a count (0 = no cap) then comma-separated signed keys.
                f.write_str("sort 0 ")?;
                for (i, (dir, n)) in keys.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    let sign = match dir {
                        SortDir::Asc => '+',
                        SortDir::Desc => '-',
                    };
                    write!(f, "{sign}{}", CmdName(n))?;
                }
                Ok(())
            }
            Command::Head(n) => write!(f, "head {n}"),
            Command::Rex {
                field,
                regex,
                max_match,
            } => {
                write!(f, "rex field={} ", CmdName(field))?;
                write_quoted(f, regex)?;
                if let Some(n) = max_match {
                    write!(f, " max_match={n}")?;
                }
                Ok(())
            }
            Command::MvExpand { field, limit } => {
                write!(f, "mvexpand {}", CmdName(field))?;
                if let Some(n) = limit {
                    write!(f, " limit={n}")?;
                }
                Ok(())
            }
            Command::StreamCount(n) => write!(f, "streamstats count AS {}", CmdName(n)),
            Command::StreamLast(pairs) => {
                f.write_str("streamstats current=f window=1")?;
                // Aggregation terms one after another, as `stats` writes them.
                for (field, alias) in pairs {
                    write!(f, " last({}) AS {}", CmdName(field), CmdName(alias))?;
                }
                Ok(())
            }
            Command::Reverse => f.write_str("reverse"),
            Command::Dedup(v) => {
                f.write_str("dedup ")?;
                names(f, v)
            }
            Command::Join {
                kind,
                max,
                fields,
                sub,
            } => {
                let kind = match kind {
                    JoinType::Inner => "inner",
                    JoinType::Left => "left",
                };
                write!(f, "join type={kind} max={max} ")?;
                names(f, fields)?;
                subsearch(f, sub)
            }
            Command::Lookup {
                name,
                match_field,
                field,
                outputs,
            } => {
                write!(
                    f,
                    "lookup {} {} AS {} OUTPUT ",
                    CmdName(name),
                    CmdName(match_field),
                    CmdName(field)
                )?;
                names(f, outputs)
            }
            Command::Append(sub) => {
                f.write_str("append")?;
                subsearch(f, sub)
            }
            Command::SearchSubsearch { negated, sub } => {
                f.write_str(if *negated { "search NOT" } else { "search" })?;
                subsearch(f, sub)
            }
            Command::SearchFormula(c) => {
                // A leading subsearch starts on a line of its own.
                let sep = if c.starts_on_new_line() { "" } else { " " };
                write!(f, "search{sep}{c}")
            }
        }
    }
}

/// A `search` condition: subsearches (each formatted by Splunk as an `OR` of its results'
/// field tests) and helper flags combined with `AND`, `OR` and `NOT`, every compound part in
/// parentheses.
#[derive(Clone, Debug, PartialEq)]
pub enum SearchFormula {
    And(Vec<SearchFormula>),
    Or(Vec<SearchFormula>),
    /// `[…]`, or `NOT […]`.
    Sub {
        negated: bool,
        sub: Box<Pipeline>,
    },
    /// `name=1`: a helper field eval'd to 1 where its condition holds, 0 elsewhere.
    Flag(String),
}

impl SearchFormula {
    /// Whether the text starts with a subsearch, which begins on a line of its own.
    fn starts_on_new_line(&self) -> bool {
        match self {
            // Compound parts are in parentheses; a plain first part starts the text.
            SearchFormula::And(v) | SearchFormula::Or(v) => v
                .first()
                .is_some_and(|x| matches!(x, SearchFormula::Sub { negated: false, .. })),
            SearchFormula::Sub { negated, .. } => !negated,
            SearchFormula::Flag(_) => false,
        }
    }
}

impl fmt::Display for SearchFormula {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            SearchFormula::And(v) | SearchFormula::Or(v) => {
                let op = if matches!(self, SearchFormula::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                for (i, x) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(if x.starts_on_new_line() {
                            op.trim_end()
                        } else {
                            op
                        })?;
                    }
                    match x {
                        SearchFormula::And(_) | SearchFormula::Or(_) => write!(f, "({x})")?,
                        _ => write!(f, "{x}")?,
                    }
                }
                Ok(())
            }
            SearchFormula::Sub { negated, sub } => {
                if *negated {
                    f.write_str("NOT")?;
                }
                subsearch(f, sub)
            }
            SearchFormula::Flag(n) => write!(f, "{}=1", CmdName(n)),
        }
    }
}

/// A subsearch on the following lines, indented, one command a line.
fn subsearch(f: &mut Formatter<'_>, sub: &Pipeline) -> fmt::Result {
    let text = sub.to_string();
    f.write_str("\n    [")?;
    f.write_str(&text.trim_end().replace('\n', "\n    "))?;
    f.write_char(']')
}

impl Display for Head {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Head::Search(s) => write!(f, "{s}"),
            Head::Multisearch(legs) => {
                f.write_str("| multisearch")?;
                for leg in legs {
                    subsearch(f, leg)?;
                }
                Ok(())
            }
            Head::InputLookup(name) => write!(f, "| inputlookup {}", CmdName(name)),
        }
    }
}

impl Display for Pipeline {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.search)?;
        for c in &self.commands {
            writeln!(f, "| {c}")?;
        }
        Ok(())
    }
}
