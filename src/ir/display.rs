//! A compact, stable text form of the IR for `kqlport explain --ir` and for tests: one stage a
//! line, predicates as s-expressions with every implicit choice spelled out
//! (`(str equals ci any ["a" "b"])`, `(not …)`). Owns presentation only.

use super::*;
use std::fmt::{self, Display, Formatter, Write};

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.source.kind {
            SourceKind::Table(t) => {
                write!(f, "from {t}")?;
                match &self.source.target {
                    Some(t) => writeln!(f, " {t}")?,
                    None => writeln!(f)?,
                }
            }
            SourceKind::Union(u) => {
                match &u.withsource {
                    Some(c) => writeln!(f, "union withsource={c} (")?,
                    None => writeln!(f, "union (")?,
                }
                // Each leg is a whole query, indented one level; legs separated by `,`.
                for (i, leg) in u.legs.iter().enumerate() {
                    if i > 0 {
                        writeln!(f, "  ,")?;
                    }
                    for line in leg.to_string().lines() {
                        writeln!(f, "  {line}")?;
                    }
                }
                writeln!(f, ")")?;
            }
            SourceKind::Lookup(l) => match &l.origin {
                crate::ir::LookupOrigin::Watchlist => writeln!(f, "from watchlist {:?}", l.name)?,
                crate::ir::LookupOrigin::ExternalData { urls, .. } => {
                    writeln!(f, "from lookup {:?} (externaldata {urls:?})", l.name)?
                }
            },
        }
        for s in &self.stages {
            writeln!(f, "{s}")?;
        }
        Ok(())
    }
}

impl Display for TargetSource {
    /// `[pipeline ecs: elastic index logs-x-*; eql process; …]`: each target's part that is set.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(s) = &self.splunk {
            let kv = [
                ("index", &s.index),
                ("sourcetype", &s.sourcetype),
                ("source", &s.source),
            ];
            let terms: Vec<String> = kv
                .iter()
                .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v:?}")))
                .collect();
            parts.push(format!("splunk {}", terms.join(" ")));
        }
        if let Some(i) = &self.elastic_index {
            parts.push(format!("elastic index {i}"));
        }
        if let Some(c) = &self.eql_category {
            parts.push(format!("eql {c}"));
        }
        if let Some(l) = &self.sigma {
            let kv = [
                ("product", &l.product),
                ("category", &l.category),
                ("service", &l.service),
            ];
            let terms: Vec<String> = kv
                .iter()
                .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
                .collect();
            parts.push(format!("sigma {}", terms.join(" ")));
        }
        write!(f, "[pipeline {}: {}]", self.pipeline, parts.join("; "))
    }
}

fn list<T: Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Display for Stage {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            StageKind::Filter(p) => write!(f, "filter {p}"),
            StageKind::Extend(a) => write!(f, "extend {}", list(a)),
            StageKind::Project(a) => write!(f, "project {}", list(a)),
            StageKind::Neighbours { dir, items } => {
                write!(f, "neighbours {} {}", dir.kql_name(), list(items))
            }
            StageKind::ProjectAway(c) => write!(f, "project-away {}", list(c)),
            StageKind::ProjectKeep(c) => write!(f, "project-keep {}", list(c)),
            StageKind::Rename(r) => {
                let pairs: Vec<String> = r.iter().map(|(n, o)| format!("{n}={o}")).collect();
                write!(f, "rename {}", pairs.join(", "))
            }
            StageKind::Reorder(c) => write!(f, "reorder {}", list(c)),
            StageKind::Aggregate { by, aggs } => {
                write!(f, "aggregate {}", list(aggs))?;
                if !by.is_empty() {
                    write!(f, " by {}", list(by))?;
                }
                Ok(())
            }
            StageKind::Totals(aggs) => write!(f, "totals {}", list(aggs)),
            StageKind::Scalar(s) => {
                writeln!(f, "scalar {} = (", s.name)?;
                // The query is a whole query, indented one level.
                for line in s.query.to_string().lines() {
                    writeln!(f, "  {line}")?;
                }
                write!(f, ")")
            }
            StageKind::Sort(keys) => write!(f, "sort {}", list(keys)),
            StageKind::Top { n, key } => write!(f, "top {n} by {key}"),
            StageKind::Limit(n) => write!(f, "limit {n}"),
            StageKind::Distinct(c) => write!(f, "distinct {}", list(c)),
            StageKind::Count => write!(f, "count"),
            StageKind::Ipv4Lookup(l) => write!(
                f,
                "ipv4_lookup {} key={} range={}{}",
                l.table.name,
                l.key,
                l.range,
                if l.keep_unmatched {
                    " return_unmatched"
                } else {
                    ""
                }
            ),
            StageKind::MvExpand(m) => {
                let items: Vec<String> = m
                    .items
                    .iter()
                    .map(|i| {
                        let mut value = match &i.pack {
                            Some(v) => format!("pack_array({})", list(v)),
                            None => i.expr.to_string(),
                        };
                        if let Some(l) = &i.if_empty {
                            value = format!("{value} or [{l}] if empty");
                        }
                        match i.to {
                            Some(t) => format!("{}={value} to {}", i.name, t.kql_name()),
                            None => format!("{}={value}", i.name),
                        }
                    })
                    .collect();
                let bag = match m.bag {
                    BagExpansion::Bag => "bag",
                    BagExpansion::Array => "array",
                };
                write!(f, "mv-expand kind={bag} {}", items.join(", "))?;
                if let Some(i) = &m.index {
                    write!(f, " with_itemindex={i}")?;
                }
                if let Some(n) = m.limit {
                    write!(f, " limit {n}")?;
                }
                if let Some(r) = &m.per_row {
                    write!(f, " per_row={r}")?;
                }
                Ok(())
            }
            StageKind::Parse(p) => {
                let verb = if p.filter { "parse-where" } else { "parse" };
                let kind = match p.kind {
                    ParseKind::Simple => "simple",
                    ParseKind::Regex => "regex",
                };
                let parts: Vec<String> = p
                    .parts
                    .iter()
                    .map(|x| match x {
                        ParsePart::Skip => "*".to_string(),
                        ParsePart::Const(c) => format!("{c:?}"),
                        ParsePart::Capture { name, ty } => format!("{name}:{}", ty.kql_name()),
                    })
                    .collect();
                write!(
                    f,
                    "{verb} kind={kind} {} with {}",
                    p.source,
                    parts.join(" ")
                )
            }
            StageKind::Join { kind, right, on } => {
                let keys: Vec<String> = on
                    .iter()
                    .map(|k| format!("{}=={}", k.left, k.right))
                    .collect();
                writeln!(f, "join {} on {} (", kind.kql_name(), keys.join(", "))?;
                // The right side is a whole query, indented one level.
                for line in right.to_string().lines() {
                    writeln!(f, "  {line}")?;
                }
                f.write_char(')')
            }
        }
    }
}

impl Display for Column {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl Display for ColumnPattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.pattern)
    }
}

impl Display for Assignment {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.expr.kind {
            ExprKind::Field(p) if p.is_plain() && p.column == self.name.name => {
                write!(f, "{}", self.name)
            }
            _ => write!(f, "{}={}", self.name, self.expr),
        }
    }
}

impl Display for GroupKey {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            GroupKeyKind::Expr(e) => write!(f, "{}={e}", self.name),
            GroupKeyKind::Bin { field, size } => {
                write!(f, "{}=(bin {field} ", self.name)?;
                match size {
                    BinSize::Duration(d) => write!(f, "{d})"),
                    BinSize::Number(n) => write!(f, "{n})"),
                }
            }
        }
    }
}

impl Display for Aggregation {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}=", self.name)?;
        match &self.func {
            AggFunc::Count => write!(f, "(count)"),
            AggFunc::CountIf(p) => write!(f, "(countif {p})"),
            AggFunc::DCount(e) => write!(f, "(dcount {e})"),
            AggFunc::DCountIf(e, p) => write!(f, "(dcountif {e} {p})"),
            AggFunc::MakeSet { expr, max } => write!(f, "(make_set {expr}{})", opt(max)),
            AggFunc::MakeList { expr, max } => write!(f, "(make_list {expr}{})", opt(max)),
            AggFunc::ArgMax { by, cols } => write!(f, "(arg_max {by} [{}])", list(cols)),
            AggFunc::ArgMin { by, cols } => write!(f, "(arg_min {by} [{}])", list(cols)),
            AggFunc::Min(e) => write!(f, "(min {e})"),
            AggFunc::Max(e) => write!(f, "(max {e})"),
            AggFunc::Sum(e) => write!(f, "(sum {e})"),
            AggFunc::Avg(e) => write!(f, "(avg {e})"),
            AggFunc::TakeAny(e) => write!(f, "(take_any {e})"),
            AggFunc::Stdev(e) => write!(f, "(stdev {e})"),
            AggFunc::AnyRow => write!(f, "(take_any *)"),
            AggFunc::CountDistinct(e) => write!(f, "(count_distinct {e})"),
        }
    }
}

fn opt(max: &Option<u64>) -> String {
    max.map(|m| format!(" max={m}")).unwrap_or_default()
}

impl Display for SortKey {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let dir = match self.dir {
            SortDir::Asc => "asc",
            SortDir::Desc => "desc",
        };
        let nulls = match self.nulls {
            Nulls::First => "nulls-first",
            Nulls::Last => "nulls-last",
        };
        write!(f, "{} {dir} {nulls}", self.expr)
    }
}

impl Display for Predicate {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            PredicateKind::And(ps) => write!(f, "(and {})", spaced(ps)),
            PredicateKind::Or(ps) => write!(f, "(or {})", spaced(ps)),
            PredicateKind::Not(p) => write!(f, "(not {p})"),
            PredicateKind::StrMatch(m) => {
                let kind = match m.kind {
                    MatchKind::Equals => "equals",
                    MatchKind::Contains => "contains",
                    MatchKind::StartsWith => "startswith",
                    MatchKind::EndsWith => "endswith",
                    MatchKind::Term => "term",
                    MatchKind::TermPrefix => "termprefix",
                    MatchKind::TermSuffix => "termsuffix",
                    MatchKind::Regex => "regex",
                };
                let case = match m.case {
                    Case::Sensitive => "cs",
                    Case::Insensitive => "ci",
                };
                let q = match m.quantifier {
                    Quantifier::Any => "any",
                    Quantifier::All => "all",
                };
                let neg = if m.negated { "!" } else { "" };
                let values: Vec<String> = m.values.iter().map(|v| format!("{v:?}")).collect();
                write!(
                    f,
                    "({neg}str {kind} {case} {q} {} [{}])",
                    m.field,
                    values.join(" ")
                )
            }
            PredicateKind::Compare { lhs, op, rhs, .. } => {
                write!(f, "({} {lhs} {rhs})", op.symbol())
            }
            PredicateKind::InSet {
                expr,
                values,
                negated,
            } => {
                let vals: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                let neg = if *negated { "!" } else { "" };
                write!(f, "({neg}in {expr} [{}])", vals.join(" "))
            }
            PredicateKind::InSubquery {
                expr,
                sub,
                case,
                negated,
                matching,
            } => {
                let neg = if *negated { "!" } else { "" };
                let case = match case {
                    Case::Sensitive => "cs",
                    Case::Insensitive => "ci",
                };
                let test = match matching {
                    SubqueryMatch::Equal => "in-subquery",
                    SubqueryMatch::Term => "has-any-subquery",
                };
                writeln!(f, "({neg}{test} {expr} {case} column {} (", sub.column)?;
                for line in sub.query.to_string().lines() {
                    writeln!(f, "    {line}")?;
                }
                write!(f, "  ))")
            }
            PredicateKind::Between {
                expr,
                low,
                high,
                negated,
            } => {
                let neg = if *negated { "!" } else { "" };
                write!(f, "({neg}between {expr} {low} {high})")
            }
            PredicateKind::IsEmpty { expr, negated } => {
                write!(
                    f,
                    "({} {expr})",
                    if *negated { "isnotempty" } else { "isempty" }
                )
            }
            PredicateKind::IsNull { expr, negated } => {
                write!(
                    f,
                    "({} {expr})",
                    if *negated { "isnotnull" } else { "isnull" }
                )
            }
            PredicateKind::TimeWindow { field, op, ago } => {
                write!(f, "(window {field} {} ago {ago})", op.symbol())
            }
            PredicateKind::Bool(e) => write!(f, "(bool {e})"),
            PredicateKind::Const(b) => write!(f, "{b}"),
        }
    }
}

fn spaced<T: Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Literal(l) => write!(f, "{l}"),
            ExprKind::Field(p) => write!(f, "{p}"),
            ExprKind::Path { base, path } => {
                write!(f, "{base}")?;
                for s in path {
                    write!(f, "{s}")?;
                }
                Ok(())
            }
            ExprKind::Call { func, args } => {
                write!(f, "({func:?}")?;
                for a in args {
                    write!(f, " {a}")?;
                }
                f.write_char(')')
            }
            ExprKind::Arith { op, lhs, rhs } => {
                let o = match op {
                    ArithOp::Add => "+",
                    ArithOp::Sub | ArithOp::DateSub => "-",
                    ArithOp::Mul => "*",
                    ArithOp::Div => "/",
                    ArithOp::Mod => "%",
                };
                write!(f, "({o} {lhs} {rhs})")
            }
            ExprKind::Neg(e) => write!(f, "(- {e})"),
            ExprKind::Case {
                branches,
                otherwise,
            } => {
                f.write_str("(case")?;
                for (p, e) in branches {
                    write!(f, " {p} {e}")?;
                }
                write!(f, " else {otherwise})")
            }
            ExprKind::Predicate(p) => write!(f, "{p}"),
            ExprKind::Now => f.write_str("(now)"),
            ExprKind::Ago(d) => write!(f, "(ago {d})"),
            ExprKind::IngestionTime => f.write_str("(ingestion_time)"),
        }
    }
}

impl Display for FieldPath {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.parsed {
            write!(f, "json:")?;
        }
        f.write_str(&self.column)?;
        for s in &self.path {
            write!(f, "{s}")?;
        }
        Ok(())
    }
}

impl Display for PathSegment {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            PathSegment::Key(k) => write!(f, ".{k}"),
            PathSegment::Index(i) => write!(f, "[{i}]"),
        }
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::String(s) => write!(f, "{s:?}"),
            Literal::Long(n) => write!(f, "{n}"),
            Literal::Real(n) => write!(f, "{n:?}"),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::DateTime(d) => write!(f, "datetime({d})"),
            Literal::Timespan(d) => write!(f, "{d}"),
            Literal::Null => f.write_str("null"),
        }
    }
}

impl Display for Duration {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let (n, unit) = self.whole_unit();
        let u = match unit {
            DurationUnit::Day => "d",
            DurationUnit::Hour => "h",
            DurationUnit::Minute => "m",
            DurationUnit::Second => "s",
            DurationUnit::Millisecond => "ms",
            DurationUnit::Tick => "tick",
        };
        write!(f, "{n}{u}")
    }
}
