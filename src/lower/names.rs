//! KQL's rules for naming columns nobody named: `project tostring(X.a)` is `X_a`,
//! `count()` is `count_`, `dcount(X)` is `dcount_X`, other expressions are `Column1`, `Column2`…,
//! and a clash gets a numeric suffix (`max_T`, `max_T1`). Verified against Microsoft's
//! Kusto.Language analyzer. Owns naming only.

use crate::kql::ast;
use std::collections::HashSet;

/// Conversion functions that KQL looks through when naming (`tostring(X)` is named `X`).
const TRANSPARENT: &[&str] = &[
    "tostring",
    "toint",
    "tolong",
    "todouble",
    "toreal",
    "tobool",
    "toboolean",
    "todatetime",
    "totimespan",
    "todynamic",
    "toobject",
    "parse_json",
    "parsejson",
    "toguid",
    "todecimal",
];

/// The name KQL infers for an expression, if it infers one: a column, or a dynamic path
/// (`X.a.b`, `X["a"]`, `parse_json(X).a` → `X_a_b`), seen through conversion functions.
pub fn inferred(e: &ast::Expr) -> Option<String> {
    match &e.kind {
        ast::ExprKind::Ident(n) => Some(n.name.clone()),
        ast::ExprKind::Member { expr, member } => {
            Some(format!("{}_{}", inferred(expr)?, member.name))
        }
        ast::ExprKind::Index { expr, index } => match &index.kind {
            ast::ExprKind::Literal(ast::Literal::String(s)) => {
                Some(format!("{}_{s}", inferred(expr)?))
            }
            _ => None,
        },
        ast::ExprKind::Call { function, args }
            if args.len() == 1 && TRANSPARENT.contains(&function.name.as_str()) =>
        {
            inferred(&args[0].value)
        }
        _ => None,
    }
}

/// `e` with KQL's naming-transparent conversions peeled off: `tostring(make_set(X))` →
/// `make_set(X)`.
pub fn through_conversions(mut e: &ast::Expr) -> &ast::Expr {
    while let ast::ExprKind::Call { function, args } = &e.kind {
        if args.len() == 1 && TRANSPARENT.contains(&function.name.as_str()) {
            e = &args[0].value;
        } else {
            break;
        }
    }
    e
}

/// The name KQL gives an unnamed `summarize` item that wraps one aggregate in conversions
/// only: `tostring(make_set(X))` is `set_X`, `todouble(count())` is `count_` (checked with
/// Kusto.Language). `None` for anything else.
pub fn converted_aggregate(e: &ast::Expr) -> Option<String> {
    let core = through_conversions(e);
    if std::ptr::eq(core, e) {
        return None;
    }
    match &core.kind {
        ast::ExprKind::Call { function, args } => {
            aggregate_default(&function.name, args.first().map(|a| &a.value))
        }
        _ => None,
    }
}

/// Hands out names within one query, as KQL would: inferred names where possible, otherwise
/// `ColumnN` with the smallest N not yet used, and numeric suffixes on clashes.
#[derive(Default, Debug, Clone)]
pub struct NameGen {
    used: HashSet<String>,
    next_column: usize,
}

impl NameGen {
    /// Marks a name as present (an explicitly named column).
    pub fn taken(&mut self, name: &str) {
        self.used.insert(name.to_string());
    }

    /// The name for an unnamed `extend`/`project`/`by` expression.
    pub fn for_expr(&mut self, e: &ast::Expr) -> String {
        match inferred(e) {
            Some(n) => n,
            None => self.column_n(),
        }
    }

    fn column_n(&mut self) -> String {
        loop {
            self.next_column += 1;
            let name = format!("Column{}", self.next_column);
            if !self.used.contains(&name) {
                return name;
            }
        }
    }

    /// `base` if unused, else `base1`, `base2`, … (KQL's clash rule within one summarize).
    pub fn unique(&mut self, base: &str) -> String {
        let mut name = base.to_string();
        let mut i = 0;
        while self.used.contains(&name) {
            i += 1;
            name = format!("{base}{i}");
        }
        self.used.insert(name.clone());
        name
    }
}

/// The default output name of an aggregate call, e.g. `count_`, `dcount_X`, `set_X`, or for
/// `take_any(X)` the column itself. `None` for aggregates without a rule here.
pub fn aggregate_default(function: &str, first_arg: Option<&ast::Expr>) -> Option<String> {
    let arg = || first_arg.and_then(inferred).unwrap_or_default();
    Some(match function {
        "count" => "count_".to_string(),
        "countif" => "countif_".to_string(),
        "dcount" | "count_distinct" => format!("dcount_{}", arg()),
        "dcountif" | "count_distinctif" => format!("dcountif_{}", arg()),
        "make_set" | "makeset" | "make_set_if" => format!("set_{}", arg()),
        "make_list" | "makelist" | "make_list_if" => format!("list_{}", arg()),
        "min" => format!("min_{}", arg()),
        "max" => format!("max_{}", arg()),
        "sum" => format!("sum_{}", arg()),
        "avg" => format!("avg_{}", arg()),
        "any" => format!("any_{}", arg()),
        "take_any" => first_arg.and_then(inferred)?,
        _ => return None,
    })
}
