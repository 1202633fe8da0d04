//! The small EQL syntax tree this backend emits, and its `Display`: every quoting and escaping
//! rule of EQL text (strings, field names, event categories) lives here. It never decides what
//! a KQL construct means; `pred`, `value` and `query` build the tree, this module only prints it.

use std::fmt::{self, Display, Formatter, Write};

/// EQL writes comparisons as KQL does (`==`, `<=`…): the IR's operator is used as it is.
pub use kqlport::ir::CmpOp;

/// One EQL event query: `<category> where <condition> [| head n]`.
#[derive(Clone, Debug, PartialEq)]
pub struct EqlQuery {
    pub category: Category,
    pub condition: Cond,
    pub head: Option<u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Category {
    /// An event category name (printed as an identifier, or quoted when it is not one).
    Name(String),
}

/// A boolean condition. `And`/`Or` always print with parentheses (except at the top).
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    Bool(bool),
    Cmp {
        lhs: Value,
        op: CmpOp,
        rhs: Value,
    },
    /// `x in (…)`, `x not in~ (…)`.
    In {
        lhs: Value,
        negated: bool,
        insensitive: bool,
        values: Vec<Value>,
    },
    /// `x : "p"`, `x like~ ("p", "q")`, `x regex "p"`: the patterns are already in the
    /// operator's own pattern language (wildcards or Lucene regex); only string-escaped here.
    Pattern {
        lhs: Value,
        op: PatternOp,
        patterns: Vec<String>,
    },
    /// A boolean function such as `startsWith~(f, "x")` or `cidrMatch(ip, "10.0.0.0/8")`.
    Call(Call),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternOp {
    /// `:` — case-insensitive equality with `*`/`?` wildcards.
    Colon,
    Like,
    LikeCi,
    Regex,
    RegexCi,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub name: &'static str,
    /// Print as `name~(…)`: the case-insensitive variant.
    pub insensitive: bool,
    pub args: Vec<Value>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Field(FieldRef),
    Str(String),
    Int(i64),
    Real(f64),
    Bool(bool),
    Null,
    Call(Call),
    Arith {
        op: ArithOp,
        lhs: Box<Value>,
        rhs: Box<Value>,
    },
    Neg(Box<Value>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

/// A field: a dotted name with optional array indexes, e.g. `AdditionalFields.a[0]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldRef(pub Vec<FieldPart>);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldPart {
    Name(String),
    Index(u64),
}

impl Cond {
    pub fn cmp(lhs: Value, op: CmpOp, rhs: Value) -> Cond {
        Cond::Cmp { lhs, op, rhs }
    }

    pub fn is_null(field: &FieldRef) -> Cond {
        Cond::cmp(Value::Field(field.clone()), CmpOp::Eq, Value::Null)
    }

    pub fn not_null(field: &FieldRef) -> Cond {
        Cond::cmp(Value::Field(field.clone()), CmpOp::Ne, Value::Null)
    }

    /// `items` joined by `and`, without a one-element wrapper.
    pub fn all(mut items: Vec<Cond>) -> Cond {
        if items.len() == 1 {
            items.remove(0)
        } else {
            Cond::And(items)
        }
    }

    /// `items` joined by `or`, without a one-element wrapper.
    pub fn any(mut items: Vec<Cond>) -> Cond {
        if items.len() == 1 {
            items.remove(0)
        } else {
            Cond::Or(items)
        }
    }

    /// The logical complement for a *present* value (callers add the null guards): comparisons
    /// and lists flip their operator, `and`/`or` follow De Morgan, the rest get `not`.
    pub fn negate(self) -> Cond {
        match self {
            Cond::Cmp { lhs, op, rhs } => Cond::Cmp {
                lhs,
                op: op.complement(),
                rhs,
            },
            Cond::In {
                lhs,
                negated,
                insensitive,
                values,
            } => Cond::In {
                lhs,
                negated: !negated,
                insensitive,
                values,
            },
            Cond::And(xs) => Cond::Or(xs.into_iter().map(Cond::negate).collect()),
            Cond::Or(xs) => Cond::And(xs.into_iter().map(Cond::negate).collect()),
            Cond::Not(x) => *x,
            Cond::Bool(b) => Cond::Bool(!b),
            other => Cond::Not(Box::new(other)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------------

/// EQL keywords that cannot be bare identifiers (the Elasticsearch grammar plus the `eql`
/// reference implementation's own).
const KEYWORDS: &[&str] = &[
    "and", "any", "by", "const", "false", "fork", "in", "join", "like", "macro", "maxspan", "not",
    "null", "of", "or", "regex", "runs", "sample", "sequence", "true", "until", "where", "with",
];

fn is_plain_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    let first_ok = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_');
    first_ok
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&s.to_ascii_lowercase().as_str())
}

/// A field-name segment: bare when it is a plain identifier, else in backticks with any
/// backtick doubled (EQL's documented escape). `@timestamp` is quoted too: Elasticsearch
/// accepts it bare, the reference `eql` parser does not, and the quoted form is valid in both.
pub struct Ident<'a>(pub &'a str);

impl Display for Ident<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        kqlport_kit::quote::write_ident(f, self.0, is_plain_identifier)
    }
}

/// An EQL double-quoted string literal: `\` `"` and control characters escaped, so the
/// literal reads back as exactly `self.0`.
pub struct Str<'a>(pub &'a str);

impl Display for Str<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        kqlport_kit::quote::write_quoted(f, self.0, |f, c| {
            if c.is_control() {
                write!(f, "\\u{{{:02x}}}", c as u32)
            } else {
                f.write_char(c)
            }
        })
    }
}

impl Display for EqlQuery {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.category {
            Category::Name(name) if is_plain_identifier(name) => f.write_str(name)?,
            // EQL's keyword for every event category (a pipeline's `eql_category: any`).
            Category::Name(name) if name == "any" => f.write_str(name)?,
            Category::Name(name) => write!(f, "{}", Str(name))?,
        }
        f.write_str(" where ")?;
        match &self.condition {
            // The top level needs no parentheses.
            Cond::And(xs) => join(f, xs, " and ")?,
            Cond::Or(xs) => join(f, xs, " or ")?,
            c => write!(f, "{c}")?,
        }
        if let Some(n) = self.head {
            write!(f, " | head {n}")?;
        }
        f.write_char('\n')
    }
}

fn join<T: Display>(f: &mut Formatter<'_>, xs: &[T], sep: &str) -> fmt::Result {
    for (i, x) in xs.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        write!(f, "{x}")?;
    }
    Ok(())
}

impl Display for Cond {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Cond::And(xs) => {
                f.write_char('(')?;
                join(f, xs, " and ")?;
                f.write_char(')')
            }
            Cond::Or(xs) => {
                f.write_char('(')?;
                join(f, xs, " or ")?;
                f.write_char(')')
            }
            Cond::Not(x) => match x.as_ref() {
                Cond::And(_) | Cond::Or(_) => write!(f, "not {x}"),
                _ => write!(f, "not ({x})"),
            },
            Cond::Bool(b) => write!(f, "{b}"),
            Cond::Cmp { lhs, op, rhs } => write!(f, "{lhs} {} {rhs}", op.symbol()),
            Cond::In {
                lhs,
                negated,
                insensitive,
                values,
            } => {
                write!(f, "{lhs} ")?;
                if *negated {
                    f.write_str("not ")?;
                }
                f.write_str(if *insensitive { "in~ (" } else { "in (" })?;
                join(f, values, ", ")?;
                f.write_char(')')
            }
            Cond::Pattern { lhs, op, patterns } => {
                let op = match op {
                    PatternOp::Colon => ":",
                    PatternOp::Like => "like",
                    PatternOp::LikeCi => "like~",
                    PatternOp::Regex => "regex",
                    PatternOp::RegexCi => "regex~",
                };
                write!(f, "{lhs} {op} ")?;
                if let [one] = patterns.as_slice() {
                    write!(f, "{}", Str(one))
                } else {
                    f.write_char('(')?;
                    let strs: Vec<Str<'_>> = patterns.iter().map(|p| Str(p)).collect();
                    join(f, &strs, ", ")?;
                    f.write_char(')')
                }
            }
            Cond::Call(c) => write!(f, "{c}"),
        }
    }
}

impl Display for Call {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)?;
        if self.insensitive {
            f.write_char('~')?;
        }
        f.write_char('(')?;
        join(f, &self.args, ", ")?;
        f.write_char(')')
    }
}

impl Display for FieldRef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, part) in self.0.iter().enumerate() {
            match part {
                FieldPart::Name(n) => {
                    if i > 0 {
                        f.write_char('.')?;
                    }
                    // A field-mapping pipeline's dotted name (`process.name`) is an object
                    // path, as Elasticsearch stores it; Sentinel names have no dots.
                    let plain_path =
                        i == 0 && n.contains('.') && n.split('.').all(is_plain_identifier);
                    if plain_path {
                        f.write_str(n)?;
                    } else {
                        write!(f, "{}", Ident(n))?;
                    }
                }
                FieldPart::Index(ix) => write!(f, "[{ix}]")?,
            }
        }
        Ok(())
    }
}

impl Display for Value {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Value::Field(r) => write!(f, "{r}"),
            Value::Str(s) => write!(f, "{}", Str(s)),
            Value::Int(i) => write!(f, "{i}"),
            Value::Real(r) => {
                // Always a decimal literal (never an integer, never an exponent-less huge int).
                let s = format!("{r:?}");
                f.write_str(&s)
            }
            Value::Bool(b) => write!(f, "{b}"),
            Value::Null => f.write_str("null"),
            Value::Call(c) => write!(f, "{c}"),
            Value::Arith { op, lhs, rhs } => {
                let op = match op {
                    ArithOp::Add => "+",
                    ArithOp::Sub => "-",
                    ArithOp::Mul => "*",
                    ArithOp::Div => "/",
                    ArithOp::Mod => "%",
                };
                write!(f, "({lhs} {op} {rhs})")
            }
            Value::Neg(x) => write!(f, "-({x})"),
        }
    }
}
