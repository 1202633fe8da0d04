//! The ES|QL target AST and its `Display`: commands, expressions, identifier quoting and string
//! escaping. Owns every rule about how ES|QL text is spelled; never looks at the KQL IR.

use std::fmt::{self, Display, Formatter};

/// A whole query: `FROM <index>` then one command per line.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub index: String,
    /// `FROM index METADATA _id`.
    pub metadata_id: bool,
    /// `FROM a, b METADATA _index`: each row's concrete index name.
    pub metadata_index: bool,
    pub commands: Vec<Command>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Where(Expr),
    Eval(Vec<(String, Expr)>),
    Stats {
        aggs: Vec<Agg>,
        by: Vec<(String, Option<Expr>)>,
    },
    /// `INLINE STATS`: STATS whose results are added to every input row (technical preview,
    /// Elasticsearch 9.2+).
    InlineStats {
        aggs: Vec<Agg>,
        by: Vec<(String, Option<Expr>)>,
    },
    Keep(Vec<Pattern>),
    Drop(Vec<Pattern>),
    /// `RENAME old AS new`.
    Rename(Vec<(String, String)>),
    Sort(Vec<SortKey>),
    Limit(u64),
    /// `MV_EXPAND field`: one row per value of a multivalued field.
    MvExpand(String),
    /// `LOOKUP JOIN index ON field, …`: a left outer join with a lookup-mode index.
    LookupJoin {
        index: String,
        on: Vec<String>,
    },
    /// `GROK input "pattern"`: the pattern's named groups as keyword columns (null where it
    /// does not match).
    Grok {
        input: String,
        pattern: String,
    },
    /// `FORK (…) (…)`: each branch's commands run over the same input rows, and the branches'
    /// rows are appended, with a `_fork` column naming the branch (`fork1`, …). Technical
    /// preview (Elasticsearch 9.1+); at most 8 branches, one FORK per query.
    Fork(Vec<Vec<Command>>),
}

/// `name = FUNC(…) [WHERE filter]` inside STATS.
#[derive(Clone, Debug, PartialEq)]
pub struct Agg {
    pub name: String,
    pub expr: Expr,
    pub filter: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SortKey {
    pub expr: Expr,
    pub desc: bool,
    pub nulls_first: bool,
}

/// A column name or a wildcard pattern of plain identifier characters (KEEP, DROP).
#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    Name(String),
    /// Already checked to be made of `[A-Za-z0-9_.@*]` only.
    Wildcard(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl BinOp {
    fn text(self) -> &'static str {
        match self {
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
        }
    }

    fn is_arith(self) -> bool {
        matches!(
            self,
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A column (possibly dotted: `AdditionalFields.a.b`).
    Column(String),
    Str(String),
    Int(i64),
    /// A finite decimal, always printed with a `.` or exponent.
    Dec(f64),
    Bool(bool),
    Null,
    /// A time-span literal: amount and ES|QL unit (`hour`, `minute`, …).
    Span(i64, &'static str),
    /// `COUNT(*)`.
    CountStar,
    Call(&'static str, Vec<Expr>),
    Bin(Box<Expr>, BinOp, Box<Expr>),
    Neg(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    IsNull(Box<Expr>, bool),
    In(Box<Expr>, Vec<Expr>, bool),
    /// `x [NOT] LIKE "pattern"` — the pattern is already escaped for LIKE.
    Like(Box<Expr>, String, bool),
    /// `x [NOT] RLIKE "pattern"` — the pattern is already a Lucene regex.
    RLike(Box<Expr>, String, bool),
}

impl Expr {
    pub fn call(name: &'static str, args: Vec<Expr>) -> Expr {
        Expr::Call(name, args)
    }

    pub fn bin(lhs: Expr, op: BinOp, rhs: Expr) -> Expr {
        Expr::Bin(Box::new(lhs), op, Box::new(rhs))
    }

    pub fn is_null(e: Expr) -> Expr {
        Expr::IsNull(Box::new(e), false)
    }

    pub fn is_not_null(e: Expr) -> Expr {
        Expr::IsNull(Box::new(e), true)
    }

    /// `AND` of the parts, flattening nested ANDs and folding constants.
    pub fn and(parts: Vec<Expr>) -> Expr {
        let mut out = Vec::new();
        for p in parts {
            match p {
                Expr::Bool(true) => {}
                Expr::Bool(false) => return Expr::Bool(false),
                Expr::And(inner) => out.extend(inner),
                p => out.push(p),
            }
        }
        match out.len() {
            0 => Expr::Bool(true),
            1 => out.pop().unwrap_or(Expr::Bool(true)),
            _ => Expr::And(out),
        }
    }

    /// `OR` of the parts, flattening nested ORs and folding constants.
    pub fn or(parts: Vec<Expr>) -> Expr {
        let mut out = Vec::new();
        for p in parts {
            match p {
                Expr::Bool(false) => {}
                Expr::Bool(true) => return Expr::Bool(true),
                Expr::Or(inner) => out.extend(inner),
                p => out.push(p),
            }
        }
        match out.len() {
            0 => Expr::Bool(false),
            1 => out.pop().unwrap_or(Expr::Bool(false)),
            _ => Expr::Or(out),
        }
    }

    /// Logical negation of an expression known to be non-null, using the natural negated
    /// operator where ES|QL has one.
    pub fn not(e: Expr) -> Expr {
        match e {
            Expr::Bool(b) => Expr::Bool(!b),
            Expr::Bin(l, BinOp::Eq, r) => Expr::Bin(l, BinOp::Ne, r),
            Expr::Bin(l, BinOp::Ne, r) => Expr::Bin(l, BinOp::Eq, r),
            Expr::In(x, v, n) => Expr::In(x, v, !n),
            Expr::Like(x, p, n) => Expr::Like(x, p, !n),
            Expr::RLike(x, p, n) => Expr::RLike(x, p, !n),
            Expr::IsNull(x, n) => Expr::IsNull(x, !n),
            Expr::Not(inner) => *inner,
            e => Expr::Not(Box::new(e)),
        }
    }

    fn is_bool_compound(&self) -> bool {
        matches!(self, Expr::And(_) | Expr::Or(_))
    }
}

/// `true` for names ES|QL accepts without back-quotes: dotted runs of `[A-Za-z_][A-Za-z0-9_]*`
/// (a leading `@` is allowed, as in `@timestamp`) that are not keywords.
fn is_plain_identifier(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').enumerate().all(|(i, part)| {
            let body = if i == 0 {
                part.strip_prefix('@').unwrap_or(part)
            } else {
                part
            };
            let mut chars = body.chars();
            matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !is_keyword(part)
        })
}

/// Words the ES|QL lexer reads as keywords in expressions, commands or options (any case).
fn is_keyword(word: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "and",
        "as",
        "asc",
        "by",
        "desc",
        "false",
        "first",
        "from",
        "in",
        "is",
        "last",
        "like",
        "limit",
        "metadata",
        "not",
        "null",
        "nulls",
        "on",
        "or",
        "rlike",
        "true",
        "where",
        "with",
        "eval",
        "stats",
        "keep",
        "drop",
        "rename",
        "sort",
        "row",
        "enrich",
        "dissect",
        "grok",
        "mv_expand",
        "lookup",
        "join",
        "inline",
        "info",
        "show",
        "fork",
        "explain",
    ];
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

/// An identifier as ES|QL text: bare when plain, else back-quoted with inner back-quotes doubled.
pub struct Ident<'a>(pub &'a str);

impl Display for Ident<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        kqlport_kit::quote::write_ident(f, self.0, is_plain_identifier)
    }
}

/// A string literal: `"…"` with `\\`, `\"`, `\n`, `\r`, `\t` escaped (the only escapes the ES|QL
/// lexer knows; every other character stands for itself).
pub struct StrLit<'a>(pub &'a str);

impl Display for StrLit<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        kqlport_kit::quote::write_quoted(f, self.0, |f, c| write!(f, "{c}"))
    }
}

fn comma_separated<T: Display>(f: &mut Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

/// An operand of AND/OR/NOT: parenthesised when itself AND/OR.
struct BoolOperand<'a>(&'a Expr);

impl Display for BoolOperand<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.0.is_bool_compound() {
            write!(f, "({})", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// An operand of a comparison, arithmetic or postfix predicate: parenthesised unless atomic.
struct ValueOperand<'a>(&'a Expr);

impl Display for ValueOperand<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.0 {
            Expr::Column(_)
            | Expr::Str(_)
            | Expr::Int(_)
            | Expr::Dec(_)
            | Expr::Bool(_)
            | Expr::Null
            | Expr::CountStar
            | Expr::Call(..) => write!(f, "{}", self.0),
            e => write!(f, "({e})"),
        }
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Column(c) => write!(f, "{}", Ident(c)),
            Expr::Str(s) => write!(f, "{}", StrLit(s)),
            Expr::Int(i) => write!(f, "{i}"),
            Expr::Dec(d) => {
                let s = format!("{d:?}");
                f.write_str(&s)
            }
            Expr::Bool(true) => f.write_str("TRUE"),
            Expr::Bool(false) => f.write_str("FALSE"),
            Expr::Null => f.write_str("NULL"),
            Expr::Span(n, unit) => {
                let plural = if *n == 1 { "" } else { "s" };
                write!(f, "{n} {unit}{plural}")
            }
            Expr::CountStar => f.write_str("COUNT(*)"),
            Expr::Call(name, args) => {
                write!(f, "{name}(")?;
                comma_separated(f, args)?;
                f.write_str(")")
            }
            Expr::Bin(l, op, r) => {
                // Arithmetic inside arithmetic is parenthesised; comparisons bind looser than
                // arithmetic, so their arithmetic operands need none.
                let side = |e: &Expr, f: &mut Formatter<'_>| match e {
                    Expr::Bin(_, inner, _) if inner.is_arith() && !op.is_arith() => {
                        write!(f, "{e}")
                    }
                    Expr::Span(..) => write!(f, "{e}"),
                    e => write!(f, "{}", ValueOperand(e)),
                };
                side(l, f)?;
                write!(f, " {} ", op.text())?;
                side(r, f)
            }
            Expr::Neg(e) => write!(f, "-{}", ValueOperand(e)),
            Expr::And(parts) | Expr::Or(parts) => {
                let sep = if matches!(self, Expr::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(sep)?;
                    }
                    write!(f, "{}", BoolOperand(p))?;
                }
                Ok(())
            }
            Expr::Not(e) => write!(f, "NOT ({e})"),
            Expr::IsNull(e, negated) => {
                let not = if *negated { " NOT" } else { "" };
                write!(f, "{} IS{not} NULL", ValueOperand(e))
            }
            Expr::In(e, values, negated) => {
                let not = if *negated { " NOT" } else { "" };
                write!(f, "{}{not} IN (", ValueOperand(e))?;
                comma_separated(f, values)?;
                f.write_str(")")
            }
            Expr::Like(e, p, negated) | Expr::RLike(e, p, negated) => {
                let not = if *negated { " NOT" } else { "" };
                let op = if matches!(self, Expr::Like(..)) {
                    "LIKE"
                } else {
                    "RLIKE"
                };
                write!(f, "{}{not} {op} {}", ValueOperand(e), StrLit(p))
            }
        }
    }
}

impl Display for Pattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Pattern::Name(n) => write!(f, "{}", Ident(n)),
            Pattern::Wildcard(w) => f.write_str(w),
        }
    }
}

impl Display for SortKey {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let dir = if self.desc { "DESC" } else { "ASC" };
        let nulls = if self.nulls_first { "FIRST" } else { "LAST" };
        write!(f, "{} {dir} NULLS {nulls}", self.expr)
    }
}

impl Display for Agg {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}", Ident(&self.name), self.expr)?;
        if let Some(w) = &self.filter {
            write!(f, " WHERE {w}")?;
        }
        Ok(())
    }
}

struct Assign<'a>(&'a str, &'a Expr);

impl Display for Assign<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}", Ident(self.0), self.1)
    }
}

impl Display for Command {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Command::Where(e) => write!(f, "WHERE {e}"),
            Command::Eval(assigns) => {
                f.write_str("EVAL ")?;
                let items: Vec<Assign<'_>> = assigns.iter().map(|(n, e)| Assign(n, e)).collect();
                comma_separated(f, &items)
            }
            Command::Stats { aggs, by } | Command::InlineStats { aggs, by } => {
                if matches!(self, Command::InlineStats { .. }) {
                    f.write_str("INLINE ")?;
                }
                f.write_str("STATS")?;
                if !aggs.is_empty() {
                    f.write_str(" ")?;
                    comma_separated(f, aggs)?;
                }
                if !by.is_empty() {
                    f.write_str(" BY ")?;
                    for (i, (name, e)) in by.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        match e {
                            Some(e) => write!(f, "{}", Assign(name, e))?,
                            None => write!(f, "{}", Ident(name))?,
                        }
                    }
                }
                Ok(())
            }
            Command::Keep(p) => {
                f.write_str("KEEP ")?;
                comma_separated(f, p)
            }
            Command::Drop(p) => {
                f.write_str("DROP ")?;
                comma_separated(f, p)
            }
            Command::Rename(pairs) => {
                f.write_str("RENAME ")?;
                for (i, (old, new)) in pairs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{} AS {}", Ident(old), Ident(new))?;
                }
                Ok(())
            }
            Command::Sort(keys) => {
                f.write_str("SORT ")?;
                comma_separated(f, keys)
            }
            Command::Limit(n) => write!(f, "LIMIT {n}"),
            Command::MvExpand(n) => write!(f, "MV_EXPAND {}", Ident(n)),
            Command::LookupJoin { index, on } => {
                write!(f, "LOOKUP JOIN {index} ON ")?;
                let fields: Vec<Ident<'_>> = on.iter().map(|n| Ident(n)).collect();
                comma_separated(f, &fields)
            }
            Command::Grok { input, pattern } => {
                write!(f, "GROK {} {}", Ident(input), StrLit(pattern))
            }
            // One branch a line: `FORK (WHERE … | STATS … | LIMIT n)`, the next under it.
            Command::Fork(branches) => {
                f.write_str("FORK")?;
                for (i, b) in branches.iter().enumerate() {
                    f.write_str(if i == 0 { " (" } else { "\n       (" })?;
                    for (j, c) in b.iter().enumerate() {
                        if j > 0 {
                            f.write_str(" | ")?;
                        }
                        write!(f, "{c}")?;
                    }
                    f.write_str(")")?;
                }
                Ok(())
            }
        }
    }
}

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "FROM {}", self.index)?;
        let metadata: Vec<&str> = [(self.metadata_id, "_id"), (self.metadata_index, "_index")]
            .into_iter()
            .filter_map(|(on, name)| on.then_some(name))
            .collect();
        if !metadata.is_empty() {
            write!(f, " METADATA {}", metadata.join(", "))?;
        }
        writeln!(f)?;
        for c in &self.commands {
            writeln!(f, "| {c}")?;
        }
        Ok(())
    }
}
