//! What the table's schema says about `isnull`/`isnotnull`: KQL strings are never null (a
//! missing string reads as `""`), so `isnull(<string>)` is false and `isnotnull(<string>)` true
//! on every row. A pass over a lowered pipeline follows each column's type from the source
//! table's schema ([`crate::schema`]) through the stages (extend, project, rename, summarize …
//! replace or retype columns) and
//!
//! * folds `isnull`/`isnotnull` of a value known to be a string to a constant, then simplifies
//!   `and`/`or`/`not` around constants;
//! * notes `isnull`/`isnotnull` of a value whose type is unknown (a table or column not in the
//!   schema, a column after a join …): every target tests for a missing or null value, which is
//!   KQL's meaning only if the value is not a string.
//!
//! * records on each comparison ([`ir::Operands`]) whether its operands are strings, not
//!   strings, or of unknown type, so that a backend can compare two columns with KQL's
//!   treatment of a missing value (`""` for a string, null otherwise); and the same on each
//!   `summarize … by` key, so that a backend can group a missing string with `""`.
//! * makes a bool compared with text or a number a bool comparison
//!   ([`super::bool_compare`]).
//! * marks `datetime - datetime` ([`ir::ArithOp::DateSub`]), a timespan that some targets
//!   cannot compute (ES|QL has no date difference operator).
//!
//! Owns type tracking for these purposes only: the inferred types are exact about string vs
//! not-string, and best-effort beyond that (e.g. `sum` of an `int` is typed `int`).

use super::Lowerer;
use crate::backend::{Effect, Note};
use crate::ir::{self, AggFunc, ExprKind, GroupKeyKind, PredicateKind, StageKind};
use crate::schema::ColumnType;
use crate::source::Span;

/// The columns' types at one point of the pipeline: the type part of the IR's column facts
/// ([`ir::facts`]), which owns the inference.
pub(super) type Columns = ir::facts::Scope;

/// How a predicate's truth reaches the rows.
#[derive(Clone, Copy)]
enum Ctx {
    /// A filter condition; `true` when it is not under an odd number of `not`s.
    Rows(bool),
    /// A value inside a filter condition (e.g. `iff(isnull(x), …) == 1`): rows may differ
    /// either way.
    Both,
    /// A computed value outside any filter (extend, summarize …).
    Values,
}

impl Ctx {
    fn nested(self) -> Ctx {
        match self {
            Ctx::Rows(_) | Ctx::Both => Ctx::Both,
            Ctx::Values => Ctx::Values,
        }
    }

    fn not(self) -> Ctx {
        match self {
            Ctx::Rows(p) => Ctx::Rows(!p),
            other => other,
        }
    }
}

impl Lowerer<'_> {
    /// Folds and notes `isnull`/`isnotnull` by the column types of `query`'s source table. A
    /// join's right side is its own query and was done when it was lowered.
    pub(crate) fn column_types(&mut self, query: &mut ir::Query) {
        Typer {
            notes: &mut self.notes,
            errors: &mut self.errors,
        }
        .query(query);
    }
}

/// The pass over one query, collecting its notes.
struct Typer<'n> {
    notes: &'n mut Vec<Note>,
    /// What the types show cannot be translated (a bool compared with text that is no bool …).
    errors: &'n mut Vec<crate::diag::Diagnostic>,
}

impl Typer<'_> {
    fn note(&mut self, span: Span, effect: Effect, message: String) {
        let note = Note {
            span,
            effect,
            message,
        };
        // A `let` used twice lowers to the same span twice. (Spans never compare in `==`.)
        if !self
            .notes
            .iter()
            .any(|n| n.span.range() == span.range() && *n == note)
        {
            self.notes.push(note);
        }
    }

    /// Notes a difference of a test that, where it decides rows as written (`Ctx::Rows(true)`),
    /// has effect `positive`: the opposite under an odd number of `not`s, both inside a value
    /// that a filter tests, a value difference outside filters.
    fn note_in(&mut self, ctx: Ctx, span: Span, positive: Effect, message: String) {
        let opposite = match positive {
            Effect::OverMatch => Effect::UnderMatch,
            Effect::UnderMatch => Effect::OverMatch,
            Effect::Values => Effect::Values,
            Effect::Order => Effect::Order,
        };
        let effects = match ctx {
            Ctx::Rows(true) => vec![positive],
            Ctx::Rows(false) => vec![opposite],
            Ctx::Both => vec![Effect::OverMatch, Effect::UnderMatch],
            Ctx::Values => vec![Effect::Values],
        };
        for e in effects {
            self.note(span, e, message.clone());
        }
    }

    fn query(&mut self, query: &mut ir::Query) {
        // A union's columns have the types its legs agree on (the legs were typed when lowered).
        let mut cols = Columns::source(query);
        for stage in &mut query.stages {
            match &mut stage.kind {
                StageKind::Filter(p) => self.pred(p, &cols, Ctx::Rows(true)),
                StageKind::Extend(assigns) => {
                    // Left to right: a later assignment sees the earlier ones.
                    for a in assigns.iter_mut() {
                        self.expr(&mut a.expr, &cols, Ctx::Values);
                        cols.assign(&a.name.name, &a.expr);
                    }
                    continue;
                }
                StageKind::Project(assigns) => {
                    let scope = cols.project_scope(assigns);
                    for a in assigns.iter_mut() {
                        self.expr(&mut a.expr, &scope, Ctx::Values);
                    }
                }
                StageKind::Aggregate { by, aggs } => {
                    for k in by.iter_mut() {
                        k.operands = match &mut k.kind {
                            GroupKeyKind::Expr(e) => {
                                self.expr(e, &cols, Ctx::Values);
                                let t = cols.infer(e);
                                operand_types(t, t)
                            }
                            GroupKeyKind::Bin { field, .. } => {
                                self.expr(field, &cols, Ctx::Values);
                                ir::Operands::NotStrings
                            }
                        };
                    }
                    for a in aggs.iter_mut() {
                        self.agg(&mut a.func, &cols);
                    }
                }
                StageKind::Totals(aggs) => {
                    for a in aggs.iter_mut() {
                        self.agg(&mut a.func, &cols);
                    }
                }
                StageKind::Sort(keys) => {
                    for k in keys.iter_mut() {
                        self.expr(&mut k.expr, &cols, Ctx::Values);
                    }
                }
                StageKind::Top { key, .. } => self.expr(&mut key.expr, &cols, Ctx::Values),
                StageKind::MvExpand(m) => {
                    for i in m.items.iter_mut() {
                        for e in i.exprs_mut() {
                            self.expr(e, &cols, Ctx::Values);
                        }
                    }
                }
                StageKind::Parse(p) => self.expr(&mut p.source, &cols, Ctx::Values),
                StageKind::Neighbours { items, .. } => {
                    for a in items.iter_mut() {
                        self.expr(&mut a.expr, &cols, Ctx::Values);
                    }
                }
                StageKind::ProjectAway(_)
                | StageKind::ProjectKeep(_)
                | StageKind::Rename(_)
                | StageKind::Reorder(_)
                | StageKind::Limit(_)
                | StageKind::Distinct(_)
                | StageKind::Count
                | StageKind::Scalar(_)
                | StageKind::Join { .. }
                | StageKind::Ipv4Lookup(_) => {}
            }
            cols.step(&stage.kind);
        }
    }

    fn agg(&mut self, f: &mut AggFunc, cols: &Columns) {
        match f {
            AggFunc::Count => {}
            AggFunc::CountIf(p) => self.pred(p, cols, Ctx::Values),
            AggFunc::DCountIf(e, p) => {
                self.expr(e, cols, Ctx::Values);
                self.pred(p, cols, Ctx::Values);
            }
            AggFunc::DCount(e)
            | AggFunc::CountDistinct(e)
            | AggFunc::MakeSet { expr: e, .. }
            | AggFunc::MakeList { expr: e, .. }
            | AggFunc::Min(e)
            | AggFunc::Max(e)
            | AggFunc::Sum(e)
            | AggFunc::Avg(e)
            | AggFunc::Stdev(e)
            | AggFunc::TakeAny(e) => self.expr(e, cols, Ctx::Values),
            AggFunc::ArgMax { by, cols: out } | AggFunc::ArgMin { by, cols: out } => {
                self.expr(by, cols, Ctx::Values);
                for a in out.iter_mut() {
                    self.expr(&mut a.expr, cols, Ctx::Values);
                }
            }
            AggFunc::AnyRow => {}
        }
    }

    fn pred(&mut self, p: &mut ir::Predicate, cols: &Columns, ctx: Ctx) {
        let inner = ctx.nested();
        match &mut p.kind {
            PredicateKind::And(items) | PredicateKind::Or(items) => {
                for i in items.iter_mut() {
                    self.pred(i, cols, ctx);
                }
            }
            PredicateKind::Not(x) => self.pred(x, cols, ctx.not()),
            PredicateKind::StrMatch(m) => {
                self.expr(&mut m.field, cols, inner);
                text_as_number(p, cols);
                self.bool_operand(p, cols);
            }
            PredicateKind::Compare {
                lhs, rhs, operands, ..
            } => {
                self.expr(lhs, cols, inner);
                self.expr(rhs, cols, inner);
                *operands = operand_types(cols.infer(lhs), cols.infer(rhs));
                self.number_as_text(p, cols, ctx);
                self.bool_operand(p, cols);
            }
            PredicateKind::InSet { expr, .. } => {
                self.expr(expr, cols, inner);
                self.number_as_text(p, cols, ctx);
            }
            PredicateKind::InSubquery { expr, .. } => self.expr(expr, cols, inner),
            PredicateKind::IsEmpty { expr, .. } | PredicateKind::Bool(expr) => {
                self.expr(expr, cols, inner)
            }
            PredicateKind::Between {
                expr, low, high, ..
            } => {
                self.expr(expr, cols, inner);
                self.expr(low, cols, inner);
                self.expr(high, cols, inner);
            }
            PredicateKind::TimeWindow { field, .. } => self.expr(field, cols, inner),
            PredicateKind::IsNull { expr, negated } => {
                self.expr(expr, cols, inner);
                match cols.infer(expr) {
                    Some(ColumnType::String) => p.kind = PredicateKind::Const(*negated),
                    Some(_) => {}
                    None => {
                        let (span, negated) = (p.span, *negated);
                        let what = match &expr.kind {
                            ExprKind::Field(f) if f.is_plain() => {
                                format!("`{}` is a string column", f.column)
                            }
                            _ => "this value is a string".to_string(),
                        };
                        let message = if negated {
                            format!("if {what}, KQL's isnotnull() is always true on it (strings are never null; a missing one is \"\"); this tests for a present, non-null field")
                        } else {
                            format!("if {what}, KQL's isnull() is never true on it (strings are never null; a missing one is \"\"); this tests for a missing or null field")
                        };
                        // The translation is true where the field is missing or null (negated:
                        // false there), where KQL is false (true) for a string.
                        let ctx = if negated { ctx.not() } else { ctx };
                        self.note_in(ctx, span, Effect::OverMatch, message);
                    }
                }
            }
            PredicateKind::Const(_) => {}
        }
        simplify(p);
    }

    /// A bool compared with text or a number, as a bool comparison ([`super::bool_compare`]).
    fn bool_operand(&mut self, p: &mut ir::Predicate, cols: &Columns) {
        if let Err(d) = super::bool_compare::bool_operand(p, cols) {
            // A `let` used twice lowers to the same span twice.
            if !self.errors.iter().any(|e| e.span.range() == d.span.range()) {
                self.errors.push(*d);
            }
        }
    }

    /// `s == 0`, `s != 0`, `s in (0, 50126)` with `s` a string (Kusto.Language accepts these;
    /// `<`/`>` between a string and a number are errors). Kept as numbers, the targets compare
    /// a text field with a number: a type error in ES|QL and EQL on a keyword field. Rewritten
    /// as a case-sensitive test on the numbers' decimal text, with a note: KQL converts one
    /// side to the other's type without documenting which, so values that spell the number
    /// another way (`"00"`, `" 0"`) may differ.
    fn number_as_text(&mut self, p: &mut ir::Predicate, cols: &Columns, ctx: Ctx) {
        use ir::{CmpOp, Literal};
        let text = |l: &Literal| match l {
            Literal::Long(n) => Some(n.to_string()),
            _ => None,
        };
        let (field, values, negated) = match &p.kind {
            PredicateKind::Compare {
                lhs,
                op: op @ (CmpOp::Eq | CmpOp::Ne),
                rhs,
                ..
            } => {
                let (field, lit) = match (&lhs.kind, &rhs.kind) {
                    (_, ExprKind::Literal(l)) => (lhs, l),
                    (ExprKind::Literal(l), _) => (rhs, l),
                    _ => return,
                };
                let Some(t) = text(lit) else { return };
                (field, vec![t], *op == CmpOp::Ne)
            }
            PredicateKind::InSet {
                expr,
                values,
                negated,
            } => {
                let Some(v) = values.iter().map(text).collect::<Option<Vec<_>>>() else {
                    return;
                };
                (expr, v, *negated)
            }
            _ => return,
        };
        if cols.infer(field) != Some(ColumnType::String) {
            return;
        }
        let what = match &field.kind {
            ExprKind::Field(f) if f.is_plain() => format!("`{}`", f.column),
            _ => "this value".to_string(),
        };
        let shown = values
            .iter()
            .map(|v| format!("\"{v}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let message = format!(
            "{what} is a string compared with a number: KQL converts between the two (which way \
             is not documented); this compares the text {shown}, so a value that writes the \
             number another way (e.g. \"00\" or \" 0\") may be treated differently"
        );
        // A positive test on the text can miss such values; a negated one can keep them.
        let ctx = if negated { ctx.not() } else { ctx };
        self.note_in(ctx, p.span, Effect::UnderMatch, message);
        p.kind = PredicateKind::StrMatch(ir::StrMatch {
            field: field.clone(),
            kind: ir::MatchKind::Equals,
            case: ir::Case::Sensitive,
            values,
            quantifier: ir::Quantifier::Any,
            negated,
        });
    }

    fn expr(&mut self, e: &mut ir::Expr, cols: &Columns, ctx: Ctx) {
        match &mut e.kind {
            ExprKind::Literal(_)
            | ExprKind::Field(_)
            | ExprKind::Now
            | ExprKind::Ago(_)
            | ExprKind::IngestionTime => {}
            ExprKind::Path { base, .. } => self.expr(base, cols, ctx),
            ExprKind::Call { args, .. } => {
                for a in args.iter_mut() {
                    self.expr(a, cols, ctx);
                }
            }
            ExprKind::Arith { op, lhs, rhs } => {
                self.expr(lhs, cols, ctx);
                self.expr(rhs, cols, ctx);
                // `datetime - datetime` is a timespan: marked for the targets that have no
                // date difference (ES|QL declines it).
                if *op == ir::ArithOp::Sub
                    && cols.infer(lhs) == Some(ColumnType::DateTime)
                    && cols.infer(rhs) == Some(ColumnType::DateTime)
                {
                    *op = ir::ArithOp::DateSub;
                }
            }
            ExprKind::Neg(x) => self.expr(x, cols, ctx),
            ExprKind::Case {
                branches,
                otherwise,
            } => {
                for (c, v) in branches.iter_mut() {
                    self.pred(c, cols, ctx.nested());
                    self.expr(v, cols, ctx);
                }
                self.expr(otherwise, cols, ctx);
            }
            ExprKind::Predicate(p) => self.pred(p, cols, ctx.nested()),
        }
    }
}

/// `EventID == "4624"`, `LogonType in ("2", "10")` with an `int`/`long` column: Kusto.Language
/// accepts these, and the targets would compare a number field with text (a type error in
/// ES|QL and EQL). When every value is an integer's canonical decimal text, the test becomes
/// the numeric one. That is exact whichever way KQL converts: an integer's text is canonical,
/// so the number equals the value exactly when its text does.
fn text_as_number(p: &mut ir::Predicate, cols: &Columns) {
    let PredicateKind::StrMatch(m) = &p.kind else {
        return;
    };
    if m.kind != ir::MatchKind::Equals || m.quantifier != ir::Quantifier::Any {
        return;
    }
    if !matches!(
        cols.infer(&m.field),
        Some(ColumnType::Int | ColumnType::Long)
    ) {
        return;
    }
    let numbers: Option<Vec<i64>> = m
        .values
        .iter()
        .map(|v| v.parse::<i64>().ok().filter(|n| n.to_string() == *v))
        .collect();
    let Some(numbers) = numbers else { return };
    let (field, negated) = (m.field.clone(), m.negated);
    p.kind = match numbers.as_slice() {
        [n] => PredicateKind::Compare {
            lhs: field,
            op: if negated {
                ir::CmpOp::Ne
            } else {
                ir::CmpOp::Eq
            },
            rhs: ir::Expr {
                kind: ExprKind::Literal(ir::Literal::Long(*n)),
                span: p.span,
            },
            operands: ir::Operands::NotStrings,
        },
        _ => PredicateKind::InSet {
            expr: field,
            values: numbers.into_iter().map(ir::Literal::Long).collect(),
            negated,
        },
    };
}

/// A comparison's operand types from its two sides' inferred types. KQL compares a string only
/// with a string, and a number, datetime, timespan, bool or guid only with a value of such a
/// type: one side's type decides. A dynamic side (compared with a string or a value of unknown
/// type), or two sides of unknown type, leave it unknown.
fn operand_types(l: Option<ColumnType>, r: Option<ColumnType>) -> ir::Operands {
    use ColumnType as T;
    let scalar = |t: Option<ColumnType>| matches!(t, Some(t) if t != T::String && t != T::Dynamic);
    match (l, r) {
        _ if scalar(l) || scalar(r) => ir::Operands::NotStrings,
        (Some(T::Dynamic), _) | (_, Some(T::Dynamic)) => ir::Operands::Unknown,
        (Some(T::String), _) | (_, Some(T::String)) => ir::Operands::Strings,
        _ => ir::Operands::Unknown,
    }
}

/// `and`/`or`/`not` with constant operands, reduced (the children are already reduced).
fn simplify(p: &mut ir::Predicate) {
    let kind = std::mem::replace(&mut p.kind, PredicateKind::Const(false));
    p.kind = match kind {
        PredicateKind::And(items) => junction(items, true, PredicateKind::And, &mut p.span),
        PredicateKind::Or(items) => junction(items, false, PredicateKind::Or, &mut p.span),
        PredicateKind::Not(x) if matches!(x.kind, PredicateKind::Const(_)) => {
            let PredicateKind::Const(b) = x.kind else {
                unreachable!()
            };
            PredicateKind::Const(!b)
        }
        other => other,
    };
}

/// `and` (`unit` = true) or `or` (`unit` = false): drop the unit, stop at its opposite.
fn junction(
    items: Vec<ir::Predicate>,
    unit: bool,
    make: fn(Vec<ir::Predicate>) -> PredicateKind,
    span: &mut Span,
) -> PredicateKind {
    if items
        .iter()
        .any(|i| matches!(i.kind, PredicateKind::Const(b) if b != unit))
    {
        return PredicateKind::Const(!unit);
    }
    let mut rest: Vec<ir::Predicate> = items
        .into_iter()
        .filter(|i| !matches!(i.kind, PredicateKind::Const(_)))
        .collect();
    match rest.len() {
        0 => PredicateKind::Const(unit),
        1 => {
            let only = rest.pop().expect("one item");
            *span = only.span;
            only.kind
        }
        _ => make(rest),
    }
}
