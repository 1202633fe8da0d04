//! Test kit for the backends (cargo feature `test-support`, a dev-dependency feature only):
//! [`ir_of`] turns KQL into the IR a backend sees, and the builders below make IR by hand for
//! the shapes KQL cannot produce (or not in one line). One copy, shared by every backend's tests.
//!
//! Spans: every builder gives its kind of node its own span, so a test can tell which node a
//! note or a refusal points at: predicate `10..20`, call `30..40`, column name `50..55`, stage
//! `60..70`, aggregation `80..90`, source table `0..len(table)`; other expressions, the query
//! and group keys `0..0`. Set one yourself with [`at`], [`expr_at`] or [`stage_at`].

use crate::backend::{Backend, Effect, Fidelity, RuleContext, Translation};
use crate::diag::{Diagnostic, SourceFile};
use crate::ir::*;
use crate::source::Span;
use crate::{kql, lower};

// ---- KQL in -------------------------------------------------------------------------------------

/// The IR of a KQL query (parse + lower). Panics with the rendered diagnostics if either fails.
pub fn ir_of(kql: &str) -> Query {
    try_ir_of(kql).unwrap_or_else(|ds| {
        let file = SourceFile::new("test.kql", kql);
        let rendered: String = ds.iter().map(|d| file.render(d)).collect();
        panic!("KQL did not lower:\n{rendered}")
    })
}

/// The IR of a KQL query, or the parse/lowering diagnostics (errors) that stopped it.
pub fn try_ir_of(kql: &str) -> Result<Query, Vec<Diagnostic>> {
    let ast = kql::parse(kql)?;
    Ok(lower::lower(&ast)?.query)
}

/// The IR of a KQL query mapped by the built-in field-mapping pipeline `pipeline` (`cim`,
/// `ecs`, …), as the CLI hands it to a backend. Panics if it does not lower or the pipeline
/// refuses it.
pub fn mapped_ir_of(kql: &str, pipeline: &str) -> Query {
    let p = crate::pipeline::Pipeline::builtin(pipeline).expect("a built-in pipeline");
    let m = crate::pipeline::apply(&p, &ir_of(kql));
    assert!(
        m.errors.is_empty(),
        "pipeline `{pipeline}` refused: {:?}",
        m.errors
    );
    m.query
}

/// The IR and everything lowering reports about it: its notes and warnings.
pub fn lowered_of(kql: &str) -> Result<lower::Lowered, Vec<Diagnostic>> {
    lower::lower(&kql::parse(kql)?)
}

// ---- a backend's answer ------------------------------------------------------------------------

/// `kql` translated by `backend` with no rule context. Panics if the KQL does not lower.
pub fn translate(backend: &dyn Backend, kql: &str) -> Result<Translation, Vec<Diagnostic>> {
    backend.translate(&RuleContext::default(), &ir_of(kql))
}

/// A translation's notes as (effect, message) pairs, in order; none when it is exact.
pub fn notes_of(t: &Translation) -> Vec<(Effect, String)> {
    match &t.fidelity {
        Fidelity::Exact => Vec::new(),
        Fidelity::Approximate(notes) => notes
            .iter()
            .map(|n| (n.effect, n.message.clone()))
            .collect(),
    }
}

/// The effects of a translation's notes whose message contains `needle`, in order.
pub fn effects_of(t: &Translation, needle: &str) -> Vec<Effect> {
    notes_of(t)
        .into_iter()
        .filter(|(_, message)| message.contains(needle))
        .map(|(effect, _)| effect)
        .collect()
}

/// The one diagnostic with `code` among `errs`. Panics unless there is exactly one.
pub fn the_one<'a>(errs: &'a [Diagnostic], code: &str) -> &'a Diagnostic {
    let found: Vec<_> = errs.iter().filter(|d| d.code.as_str() == code).collect();
    match found.as_slice() {
        [d] => d,
        _ => panic!("expected one {code}, got {errs:?}"),
    }
}

// ---- spans --------------------------------------------------------------------------------------

pub fn sp(a: usize, b: usize) -> Span {
    Span::new(a, b)
}

/// The span `0..0`.
pub fn s0() -> Span {
    sp(0, 0)
}

// ---- expressions --------------------------------------------------------------------------------

/// An expression of this kind at `0..0`.
pub fn e(kind: ExprKind) -> Expr {
    Expr { kind, span: s0() }
}

/// The same expression at `a..b`.
pub fn expr_at(mut x: Expr, a: usize, b: usize) -> Expr {
    x.span = sp(a, b);
    x
}

/// A column reference.
pub fn field(name: &str) -> Expr {
    e(ExprKind::Field(FieldPath::column(name)))
}

/// `col.k1.k2…`; `parsed`: the column holds JSON already parsed (`parse_json(col).k`).
pub fn path(col: &str, keys: &[&str], parsed: bool) -> Expr {
    path_segs(col, keys.iter().map(|s| k(s)).collect(), parsed)
}

/// `col` followed by any segments (keys and indexes).
pub fn path_segs(col: &str, segs: Vec<PathSegment>, parsed: bool) -> Expr {
    e(ExprKind::Field(FieldPath {
        column: col.into(),
        path: segs,
        parsed,
    }))
}

/// A key segment `.s`.
pub fn k(s: &str) -> PathSegment {
    PathSegment::Key(s.into())
}

/// An index segment `[i]`.
pub fn ix(i: i64) -> PathSegment {
    PathSegment::Index(i)
}

pub fn lit(l: Literal) -> Expr {
    e(ExprKind::Literal(l))
}

pub fn long(n: i64) -> Expr {
    lit(Literal::Long(n))
}

pub fn string(s: &str) -> Expr {
    lit(Literal::String(s.into()))
}

/// A scalar function call at `30..40`.
pub fn call(func: ScalarFn, args: Vec<Expr>) -> Expr {
    expr_at(e(ExprKind::Call { func, args }), 30, 40)
}

// ---- predicates ---------------------------------------------------------------------------------

/// A predicate of this kind at `10..20`.
pub fn p(kind: PredicateKind) -> Predicate {
    Predicate {
        kind,
        span: sp(10, 20),
    }
}

/// The same predicate at `a..b`.
pub fn at(mut pr: Predicate, a: usize, b: usize) -> Predicate {
    pr.span = sp(a, b);
    pr
}

/// A string test on a column that holds for any of `values`.
pub fn sm(f: &str, kind: MatchKind, case: Case, values: &[&str]) -> Predicate {
    sm_q(f, kind, case, values, Quantifier::Any, false)
}

/// A string test with its quantifier and negation.
pub fn sm_q(
    f: &str,
    kind: MatchKind,
    case: Case,
    values: &[&str],
    quantifier: Quantifier,
    negated: bool,
) -> Predicate {
    p(PredicateKind::StrMatch(StrMatch {
        field: field(f),
        kind,
        case,
        values: values.iter().map(|v| v.to_string()).collect(),
        quantifier,
        negated,
    }))
}

/// `sm` negated (`!=`, `!contains`, `!in~`…).
pub fn not_sm(f: &str, kind: MatchKind, case: Case, values: &[&str]) -> Predicate {
    sm_q(f, kind, case, values, Quantifier::Any, true)
}

/// A comparison with no operand types known.
pub fn cmp(lhs: Expr, op: CmpOp, rhs: Expr) -> Predicate {
    p(PredicateKind::Compare {
        lhs,
        op,
        rhs,
        operands: Default::default(),
    })
}

/// A comparison whose operand types lowering found.
pub fn typed_cmp(lhs: Expr, op: CmpOp, rhs: Expr, operands: Operands) -> Predicate {
    p(PredicateKind::Compare {
        lhs,
        op,
        rhs,
        operands,
    })
}

pub fn and(xs: Vec<Predicate>) -> Predicate {
    p(PredicateKind::And(xs))
}

pub fn or(xs: Vec<Predicate>) -> Predicate {
    p(PredicateKind::Or(xs))
}

pub fn not(x: Predicate) -> Predicate {
    p(PredicateKind::Not(Box::new(x)))
}

/// `f op ago(<days>d)`.
pub fn ago(f: &str, op: CmpOp, days: i64) -> Predicate {
    p(PredicateKind::TimeWindow {
        field: field(f),
        op,
        ago: self::days(days),
    })
}

// ---- stages -------------------------------------------------------------------------------------

/// A column name at `50..55`.
pub fn col(name: &str) -> Column {
    Column {
        name: name.into(),
        span: sp(50, 55),
    }
}

/// `name = expr`.
pub fn assign(name: &str, expr: Expr) -> Assignment {
    Assignment {
        name: col(name),
        expr,
    }
}

/// A stage of this kind at `60..70`.
pub fn stage(kind: StageKind) -> Stage {
    stage_at(kind, 60, 70)
}

/// A stage of this kind at `a..b`.
pub fn stage_at(kind: StageKind, a: usize, b: usize) -> Stage {
    Stage {
        kind,
        span: sp(a, b),
    }
}

/// `where pr` (at `60..70`).
pub fn filter(pr: Predicate) -> Stage {
    stage(StageKind::Filter(pr))
}

/// `name = func` in a summarize, at `80..90`.
pub fn agg(name: &str, func: AggFunc) -> Aggregation {
    Aggregation {
        name: col(name),
        func,
        span: sp(80, 90),
    }
}

/// `by name` (a plain column key).
pub fn key(name: &str) -> GroupKey {
    GroupKey {
        name: col(name),
        kind: GroupKeyKind::Expr(field(name)),
        operands: Default::default(),
    }
}

/// `by name = expr`.
pub fn key_expr(name: &str, expr: Expr) -> GroupKey {
    GroupKey {
        name: col(name),
        kind: GroupKeyKind::Expr(expr),
        operands: Default::default(),
    }
}

/// A query over `table` (its name at `0..len`); the query's own span is `0..0`.
pub fn query(table: &str, stages: Vec<Stage>) -> Query {
    Query {
        source: Source::table(table, sp(0, table.len())),
        stages,
        span: s0(),
    }
}

// ---- durations ----------------------------------------------------------------------------------

pub fn days(n: i64) -> Duration {
    Duration::from_ticks(n * 864_000_000_000)
}

pub fn hours(n: i64) -> Duration {
    Duration::from_ticks(n * 36_000_000_000)
}
