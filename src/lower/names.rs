//! KQL's rules for naming columns nobody named: `project tostring(X.a)` is `X_a`,
//! `round(N)` is `N`, `strlen(A)` is `strlen_A`, `D[0]` is `D_0`, `count()` is `count_`,
//! `dcount(X)` is `dcount_X`, other expressions are `Column1`, `Column2`…, and a clash gets a
//! numeric suffix (`max_T`, `max_T1`). Verified against Microsoft's Kusto.Language analyzer
//! (per function: [`FUNCTION_NAMING`]). Owns naming only.

use crate::kql::ast;
use std::collections::HashSet;

/// How KQL names an unnamed column computed by a call of one function. Functions not in
/// [`FUNCTION_NAMING`] give no name: the column becomes `ColumnN`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Naming {
    /// The first argument's name: `round(N)` is `N`, `startofday(todatetime(A))` is `A`;
    /// `ColumnN` when the first argument has none (`startofday(now())`).
    FirstArgument,
    /// `prefix_` and the first argument's name, which may be empty: `strlen(A)` is `strlen_A`,
    /// `strlen(tolower(A))` is `strlen_`.
    Prefix(&'static str),
    /// The first argument's name and `_suffix`: `array_sort_asc(D)` is `D_sorted`. (KQL names
    /// `array_sort_asc(pack_array(A))` `array0_sorted`; an unnamed argument gives `ColumnN` here.)
    Suffix(&'static str),
}

/// KQL's result-name rule per function, each row probed with Microsoft's Kusto.Language
/// analyzer (the reference implementation of KQL's semantics) as `T | project f(…)` and
/// `T | summarize count() by f(…)`, which name alike. Every scalar function the lowering
/// accepts was probed; those absent here (`tolower`, `strcat`, `iff`, `startofweek`,
/// `endofday`, `hourofday`, `datetime_part`, `substring`, `coalesce`, `array_length`, …) are
/// named `ColumnN`. `tests/lowering.rs` (`function_column_names_follow_kusto_language`) pins
/// each row; `tests/conformance/smoke/names_check.py` re-checks that test and this table
/// against Kusto.Language.
pub const FUNCTION_NAMING: &[(&str, Naming)] = &[
    // Conversions.
    ("tostring", Naming::FirstArgument),
    ("toint", Naming::FirstArgument),
    ("tolong", Naming::FirstArgument),
    ("todouble", Naming::FirstArgument),
    ("toreal", Naming::FirstArgument),
    ("tobool", Naming::FirstArgument),
    ("toboolean", Naming::FirstArgument),
    ("todatetime", Naming::FirstArgument),
    ("totimespan", Naming::FirstArgument),
    ("totime", Naming::FirstArgument),
    ("todynamic", Naming::FirstArgument),
    ("toobject", Naming::FirstArgument),
    ("parse_json", Naming::FirstArgument),
    ("parsejson", Naming::FirstArgument),
    ("toguid", Naming::FirstArgument),
    ("todecimal", Naming::FirstArgument),
    // Rounding and binning.
    ("bin", Naming::FirstArgument),
    ("bin_at", Naming::FirstArgument),
    ("bin_auto", Naming::FirstArgument),
    ("floor", Naming::FirstArgument),
    ("round", Naming::FirstArgument),
    ("ceiling", Naming::FirstArgument),
    ("startofday", Naming::FirstArgument),
    ("format_datetime", Naming::FirstArgument),
    // Arithmetic.
    ("abs", Naming::FirstArgument),
    ("sqrt", Naming::FirstArgument),
    ("exp", Naming::FirstArgument),
    ("exp2", Naming::FirstArgument),
    ("exp10", Naming::FirstArgument),
    ("log", Naming::FirstArgument),
    ("log2", Naming::FirstArgument),
    ("log10", Naming::FirstArgument),
    ("pow", Naming::FirstArgument),
    ("tohex", Naming::FirstArgument),
    // Strings and arrays.
    ("split", Naming::FirstArgument),
    ("strlen", Naming::Prefix("strlen")),
    ("string_size", Naming::Prefix("string_size")),
    ("gettype", Naming::Prefix("type")),
    ("array_sort_asc", Naming::Suffix("sorted")),
    ("array_sort_desc", Naming::Suffix("sorted")),
];

/// The naming rule for calls of `function`, if it has one.
pub fn function_naming(function: &str) -> Option<Naming> {
    FUNCTION_NAMING
        .iter()
        .find(|(f, _)| *f == function)
        .map(|(_, k)| *k)
}

/// The name KQL infers for an expression, if it infers one: a column, a dynamic path
/// (`X.a.b`, `X["a"]`, `X[0]`, `parse_json(X).a` → `X_a_b`, `X_a`, `X_0`, `X_a`), or a call
/// named by [`FUNCTION_NAMING`] (`round(N)` → `N`, `strlen(A)` → `strlen_A`). Other
/// expressions (operators, literals, other calls) have none. `column_ifexists("C", d)`
/// is `C`, as the lowering reads it as column `C` (KQL names it so when `C` exists).
pub fn inferred(e: &ast::Expr) -> Option<String> {
    if let ast::ExprKind::Call { function, args } = &e.kind {
        if matches!(function.name.as_str(), "column_ifexists" | "columnifexists") {
            if let Some(ast::ExprKind::Literal(ast::Literal::String(c))) =
                args.first().map(|a| &a.value.kind)
            {
                return Some(c.clone()).filter(|c| !c.is_empty());
            }
        }
    }
    result_name(e).filter(|n| !n.is_empty())
}

/// Kusto.Language's result name of `e`, where `Some("")` is the empty name a prefix can sit
/// on (`strlen(tolower(A))` → `strlen_`) and `None` is no name.
fn result_name(e: &ast::Expr) -> Option<String> {
    match &e.kind {
        ast::ExprKind::Ident(n) => Some(n.name.clone()),
        // A path step on an unnamed value is the step alone: `pack_array(A)[0]` → `0`.
        ast::ExprKind::Member { expr, member } => Some(path_step(expr, &member.name)),
        ast::ExprKind::Index { expr, index } => {
            // A constant key or non-negative position names the step (`D['k']` → `D_k`,
            // `D[01]` → `D_1`); any other index leaves it empty (`D[-1]`, `D[N]` → `D_`).
            let step = match &index.kind {
                ast::ExprKind::Literal(ast::Literal::String(s)) => s.clone(),
                ast::ExprKind::Literal(ast::Literal::Long(i)) if *i >= 0 => i.to_string(),
                _ => String::new(),
            };
            Some(path_step(expr, &step))
        }
        ast::ExprKind::Call { function, args } => {
            let first = args.first().map(|a| &a.value)?;
            match function_naming(&function.name)? {
                Naming::FirstArgument => result_name(first),
                Naming::Prefix(p) => {
                    Some(format!("{p}_{}", result_name(first).unwrap_or_default()))
                }
                Naming::Suffix(s) => inferred(first).map(|n| format!("{n}_{s}")),
            }
        }
        _ => None,
    }
}

fn path_step(base: &ast::Expr, step: &str) -> String {
    match result_name(base) {
        Some(b) => format!("{b}_{step}"),
        None => step.to_string(),
    }
}

/// `e` with the calls KQL names after their first argument peeled off:
/// `tostring(make_set(X))` → `make_set(X)`, `round(avg(N), 2)` → `avg(N)`.
pub fn through_conversions(mut e: &ast::Expr) -> &ast::Expr {
    while let ast::ExprKind::Call { function, args } = &e.kind {
        match (function_naming(&function.name), args.first()) {
            (Some(Naming::FirstArgument), Some(first)) => e = &first.value,
            _ => break,
        }
    }
    e
}

/// The name KQL gives an unnamed `summarize` item that wraps one aggregate in calls named
/// after their first argument only: `tostring(make_set(X))` is `set_X`, `todouble(count())`
/// is `count_`, `round(avg(N), 2)` is `avg_N` (checked with Kusto.Language). `None` for
/// anything else.
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

/// Hands out names within one operator, as KQL would: inferred names where possible, otherwise
/// `ColumnN` counting up, and numeric suffixes on clashes where the operator has them.
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

    /// The next `ColumnN`. KQL counts these per operator without regard to the names the
    /// same operator gives explicitly: `project Column1=1, tolower(A)` is `Column1, Column11`
    /// (the clash rule of [`NameGen::unique`] applies after), `extend Column1=1, tolower(A)`
    /// replaces `Column1` (Kusto.Language).
    fn column_n(&mut self) -> String {
        self.next_column += 1;
        format!("Column{}", self.next_column)
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
        "stdev" => format!("stdev_{}", arg()),
        "take_any" | "take_anyif" => first_arg.and_then(inferred)?,
        _ => return None,
    })
}
