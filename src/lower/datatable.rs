//! `datatable` rows read as constants: `x in (D)` with `D` a datatable (directly or through a
//! tabular `let`) tests `x` against the datatable's first column, the same as `in` over a list
//! of those values; `lookup D on k` computes `D`'s other columns from the key (a `case` per
//! column); `has_any (D)` reads the first column's strings; an anti-join with a datatable of no
//! rows keeps every row; a semi- or anti-join with a datatable (after `project`/`extend` of
//! strings computed from its columns) is a filter on the keys' constant rows. Owns the refusals (`L010`) of a datatable whose values are not
//! constants of their column's type, whose value count is not a whole number of rows, or whose
//! lookup key repeats.

use super::{unsupported, Binding, LResult, Lowerer};
use crate::codes::LowerCode;
use crate::ir;
use crate::kql::ast;
use crate::source::Span;
use std::collections::BTreeMap;

/// A datatable's rows as constants, after the `project`/`extend`s that follow it.
pub(crate) struct Folded {
    /// The columns, in KQL's order.
    pub(crate) names: Vec<String>,
    /// Each row's value of each column.
    pub(crate) rows: Vec<BTreeMap<String, ir::Literal>>,
}

/// How many tabular `let`s deep a datatable is looked for (`let a = b; let b = datatable(…)`).
const MAX_LET_HOPS: usize = 64;

impl<'a> Lowerer<'a> {
    /// The datatable the one item of an `in`/`has_any` list is (see [`Self::datatable_of`]);
    /// none when the item names a column of the rows, which shadows a `let` (`row_scope.rs`).
    pub(crate) fn listed_datatable(
        &self,
        item: &'a ast::Expr,
    ) -> Option<(&'a ast::Datatable, Span)> {
        match &item.kind {
            ast::ExprKind::Ident(n) if self.column_shadows(&n.name) => None,
            _ => self.datatable_of(item),
        }
    }

    /// The datatable `item` is when it has no operators after it, read directly or through
    /// tabular `let`s.
    pub(crate) fn datatable_of(&self, item: &'a ast::Expr) -> Option<(&'a ast::Datatable, Span)> {
        match self.datatable_with_operators(item)? {
            (table, span, operators) if operators.is_empty() => Some((table, span)),
            _ => None,
        }
    }

    /// The values of a datatable's first column, row by row (duplicates kept: `in` does not
    /// care), each checked to be a constant of the column's declared type.
    pub(crate) fn datatable_first_column(
        &mut self,
        table: &'a ast::Datatable,
        span: Span,
    ) -> LResult<Vec<ir::Literal>> {
        let width = row_width(table, span)?;
        let column = &table.columns[0];
        let mut out = Vec::new();
        for value in table.values.iter().step_by(width) {
            let literal = self.literal_value(value)?;
            match literal {
                Some(l) if of_type(&l, &column.ty.name) => out.push(l),
                _ => return Err(not_constant(value.span, column)),
            }
        }
        Ok(out)
    }
}

impl<'a> Lowerer<'a> {
    /// `join kind=leftsemi|leftanti (D | project …) on …` with `D` a datatable (read directly
    /// or through tabular `let`s) and after it only `project`/`extend` of strings computed
    /// from its columns (`tolower`, `toupper`, `strcat` of them and constants): the left rows
    /// whose keys equal those of some row of `D` — `(a == "v1" and b == "w1") or …`, strings
    /// compared exactly, as join keys are — or, for `leftanti`, the other rows. A semi-join
    /// keeps each left row once and only its columns, as the filter does. `None` when the
    /// right side is anything else (the join path then translates or refuses it).
    pub(crate) fn datatable_semi_join(
        &mut self,
        j: &'a ast::Join,
        anti: bool,
        span: Span,
    ) -> LResult<Option<ir::Predicate>> {
        let Some((table, at, operators)) = self.datatable_with_operators(&j.right) else {
            return Ok(None);
        };
        let Ok(Folded { rows, .. }) = self.folded_rows(table, at, &operators)? else {
            return Ok(None);
        };
        let mut keys = Vec::new();
        for cond in &j.on {
            self.join_condition(cond, &mut keys)?;
        }
        if keys.is_empty() || rows.is_empty() {
            return Ok(None);
        }
        let tested: Vec<(ir::Column, String)> =
            keys.into_iter().map(|k| (k.left, k.right.name)).collect();
        let Some(matches) = key_tuples(&rows, &tested, at) else {
            return Ok(None);
        };
        let any = any_tuple(matches, span);
        Ok(Some(if anti {
            ir::Predicate {
                kind: ir::PredicateKind::Not(Box::new(any)),
                span,
            }
        } else {
            any
        }))
    }

    /// A datatable's rows after `project`/`extend` operators that compute, per row, one of its
    /// columns or a string folded from them ([`Self::row_value`]): the columns in order and
    /// each row's values by name. `Err` holds the expression (or operator) that is anything
    /// else.
    pub(crate) fn folded_rows(
        &mut self,
        table: &'a ast::Datatable,
        at: Span,
        operators: &[&'a ast::Operator],
    ) -> LResult<Result<Folded, Span>> {
        let mut names: Vec<String> = table.columns.iter().map(|c| c.name.name.clone()).collect();
        let mut rows: Vec<BTreeMap<String, ir::Literal>> = Vec::new();
        for row in self.datatable_rows(table, at)? {
            rows.push(names.iter().cloned().zip(row).collect());
        }
        for op in operators {
            let (items, keep) = match &op.kind {
                ast::OperatorKind::Project(items) => (items, false),
                ast::OperatorKind::Extend(items) => (items, true),
                _ => return Ok(Err(op.span)),
            };
            let mut item_names = Vec::new();
            for item in items {
                match (item.names.as_slice(), &item.expr.kind) {
                    ([n], _) => item_names.push(n.name.clone()),
                    ([], ast::ExprKind::Ident(n)) => item_names.push(n.name.clone()),
                    _ => return Ok(Err(item.expr.span)),
                }
            }
            for row in rows.iter_mut() {
                let mut next = if keep { row.clone() } else { BTreeMap::new() };
                for (item, name) in items.iter().zip(&item_names) {
                    let Some(v) = self.row_value(&item.expr, row)? else {
                        return Ok(Err(item.expr.span));
                    };
                    next.insert(name.clone(), v);
                }
                *row = next;
            }
            let mut next_names = if keep { names } else { Vec::new() };
            for name in item_names {
                if !next_names.contains(&name) {
                    next_names.push(name);
                }
            }
            names = next_names;
        }
        Ok(Ok(Folded { names, rows }))
    }

    /// A datatable (read directly or through tabular `let`s) and the operators after it, in
    /// order.
    pub(crate) fn datatable_with_operators(
        &self,
        item: &'a ast::Expr,
    ) -> Option<(&'a ast::Datatable, Span, Vec<&'a ast::Operator>)> {
        let mut cur = item;
        let mut after: Vec<&'a ast::Operator> = Vec::new();
        for _ in 0..MAX_LET_HOPS {
            match &cur.kind {
                ast::ExprKind::Pipeline(p) => {
                    let mut ops: Vec<&'a ast::Operator> = p.operators.iter().collect();
                    ops.append(&mut after);
                    after = ops;
                    match &p.source.kind {
                        ast::SourceKind::Datatable(d) => return Some((d, p.source.span, after)),
                        ast::SourceKind::Expr(e) => cur = e,
                        _ => return None,
                    }
                }
                ast::ExprKind::Ident(n) if !self.expanding.contains(&n.name) => {
                    match self.lets.get(&n.name) {
                        Some(Binding::Tabular(e) | Binding::Scalar(e)) => cur = e,
                        _ => return None,
                    }
                }
                _ => return None,
            }
        }
        None
    }

    /// The value of a `project`/`extend` expression over one constant datatable row: a column
    /// of the row, or a string the lowering folds from constants and the row's string columns
    /// ([`Lowerer::const_string_over`]: `tolower`/`toupper` of ASCII text, `strcat`, …).
    /// `None` for anything else.
    fn row_value(
        &mut self,
        e: &'a ast::Expr,
        row: &BTreeMap<String, ir::Literal>,
    ) -> LResult<Option<ir::Literal>> {
        if let ast::ExprKind::Ident(n) = &e.kind {
            if let Some(v) = row.get(&n.name) {
                return Ok(Some(v.clone()));
            }
        }
        Ok(self
            .const_string_over(e, Some(row))?
            .map(ir::Literal::String))
    }

    /// `join kind=leftanti D on …` (or `anti`, `leftantisemi`) with `D` a datatable of no rows:
    /// no right row matches, so every left row is kept, with its own columns only.
    pub(crate) fn anti_join_of_empty_datatable(&self, j: &'a ast::Join) -> bool {
        let anti = j.params.iter().any(|p| {
            p.name == "kind"
                && matches!(&p.value.kind, ast::ExprKind::Ident(n)
                    if matches!(n.name.as_str(), "leftanti" | "anti" | "leftantisemi"))
        });
        anti && self
            .datatable_of(&j.right)
            .is_some_and(|(t, _)| t.values.is_empty() && !t.columns.is_empty())
    }
}

/// For each distinct key tuple of the datatable's rows, the tests "`column == value`" of its
/// keys, `tested` pairing each tested column with the datatable column holding its values (a
/// join compares its keys exactly: strings case-sensitively). A row with a null key matches
/// nothing and gives no tuple. `None` when the rows have no such datatable column.
pub(crate) fn key_tuples(
    rows: &[BTreeMap<String, ir::Literal>],
    tested: &[(ir::Column, String)],
    at: Span,
) -> Option<Vec<Vec<ir::Predicate>>> {
    let mut matches = Vec::new();
    for row in rows {
        let mut tests = Vec::new();
        for (column, from) in tested {
            let field = ir::Expr {
                kind: ir::ExprKind::Field(ir::FieldPath::column(column.name.clone())),
                span: column.span,
            };
            match row.get(from)? {
                ir::Literal::Null => break,
                v => tests.push(key_equals(&field, v, column.span, at)),
            }
        }
        if tests.len() == tested.len() && !matches.contains(&tests) {
            matches.push(tests);
        }
    }
    Some(matches)
}

/// "The row's keys are one of these tuples": an `or` of each tuple's `and`.
pub(crate) fn any_tuple(tuples: Vec<Vec<ir::Predicate>>, span: Span) -> ir::Predicate {
    ir::Predicate {
        kind: ir::PredicateKind::Or(
            tuples
                .into_iter()
                .map(|tests| ir::Predicate {
                    kind: ir::PredicateKind::And(tests),
                    span,
                })
                .collect(),
        ),
        span,
    }
}

/// `key == v` for a datatable's key value `v`: a string compared exactly (case-sensitive, as
/// a join or lookup matches keys), other constants with `==`.
fn key_equals(field: &ir::Expr, v: &ir::Literal, span: Span, at: Span) -> ir::Predicate {
    ir::Predicate {
        kind: match v {
            ir::Literal::String(s) => ir::PredicateKind::StrMatch(ir::StrMatch {
                field: field.clone(),
                kind: ir::MatchKind::Equals,
                case: ir::Case::Sensitive,
                values: vec![s.clone()],
                quantifier: ir::Quantifier::Any,
                negated: false,
            }),
            other => ir::PredicateKind::Compare {
                lhs: field.clone(),
                op: ir::CmpOp::Eq,
                rhs: ir::Expr {
                    kind: ir::ExprKind::Literal(other.clone()),
                    span: at,
                },
                operands: ir::Operands::Unknown,
            },
        },
        span,
    }
}

/// Whether a constant is a value of the declared datatable column type (KQL's type names and
/// their synonyms); `dynamic`, `guid`, `decimal` and nulls are never read as constants here.
fn of_type(l: &ir::Literal, ty: &str) -> bool {
    match l {
        ir::Literal::String(_) => ty == "string",
        ir::Literal::Long(_) => matches!(ty, "int" | "long" | "int64" | "int32"),
        ir::Literal::Real(_) => matches!(ty, "real" | "double"),
        ir::Literal::Bool(_) => matches!(ty, "bool" | "boolean"),
        ir::Literal::DateTime(_) => matches!(ty, "datetime" | "date"),
        ir::Literal::Timespan(_) => matches!(ty, "timespan" | "time"),
        ir::Literal::Null => false,
    }
}

impl<'a> Lowerer<'a> {
    /// `lookup [kind=leftouter|inner] D on k` with `D` a datatable whose key values are
    /// distinct constants: each of `D`'s other columns computed from the row's key (`case(k ==
    /// v1, c1, …, <missing>)`), and for `inner` the rows whose key is none of them dropped first.
    /// `None` when the right side is no datatable or the keys are not `on k` (the join path
    /// then says why).
    pub(crate) fn datatable_lookup(
        &mut self,
        j: &'a ast::Join,
        inner: bool,
        span: Span,
    ) -> LResult<Option<ir::StageKind>> {
        let Some((table, at)) = self.datatable_of(&j.right) else {
            return Ok(None);
        };
        let [key] = j.on.as_slice() else {
            return Ok(None);
        };
        let ast::ExprKind::Ident(key_name) = &key.kind else {
            return Ok(None);
        };
        let width = table.columns.len();
        let Some(k) = table
            .columns
            .iter()
            .position(|c| c.name.name == key_name.name)
        else {
            return Err(unsupported(
                LowerCode::L010,
                key.span,
                format!("the datatable has no column `{}`", key_name.name),
            ));
        };
        let rows = self.datatable_rows(table, at)?;
        let mut keys: Vec<&ir::Literal> = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            if keys.contains(&&row[k]) {
                return Err(unsupported(
                    LowerCode::L010,
                    table.values[r * width + k].span,
                    "the datatable repeats this key: `lookup` gives a row for each match, which \
                     computing the columns from the key cannot",
                ));
            }
            keys.push(&row[k]);
        }
        let field = ir::Expr {
            kind: ir::ExprKind::Field(ir::FieldPath::column(key_name.name.clone())),
            span: key.span,
        };
        let is_key = |v: &ir::Literal| key_equals(&field, v, key.span, at);
        if inner {
            let kind = match keys.first() {
                None => ir::PredicateKind::Const(false),
                Some(ir::Literal::String(_)) => ir::PredicateKind::StrMatch(ir::StrMatch {
                    field: field.clone(),
                    kind: ir::MatchKind::Equals,
                    case: ir::Case::Sensitive,
                    values: keys
                        .iter()
                        .filter_map(|l| match l {
                            ir::Literal::String(s) => Some(s.clone()),
                            _ => None,
                        })
                        .collect(),
                    quantifier: ir::Quantifier::Any,
                    negated: false,
                }),
                Some(_) => ir::PredicateKind::InSet {
                    expr: field.clone(),
                    values: keys.iter().map(|l| (*l).clone()).collect(),
                    negated: false,
                },
            };
            self.before.push(ir::Stage {
                kind: ir::StageKind::Filter(ir::Predicate { kind, span }),
                span,
            });
        }
        let mut assignments = Vec::new();
        for (c, column) in table.columns.iter().enumerate() {
            if c == k {
                continue;
            }
            // A left row without a match gets the column's empty value: "" for a string (KQL
            // has no null strings), null otherwise.
            let missing = if column.ty.name == "string" {
                ir::Literal::String(String::new())
            } else {
                ir::Literal::Null
            };
            let missing = ir::Expr {
                kind: ir::ExprKind::Literal(missing),
                span: at,
            };
            let kind = if rows.is_empty() {
                missing.kind
            } else {
                ir::ExprKind::Case {
                    branches: rows
                        .iter()
                        .map(|row| {
                            (
                                is_key(&row[k]),
                                ir::Expr {
                                    kind: ir::ExprKind::Literal(row[c].clone()),
                                    span: at,
                                },
                            )
                        })
                        .collect(),
                    otherwise: Box::new(missing),
                }
            };
            assignments.push(ir::Assignment {
                name: ir::Column {
                    name: column.name.name.clone(),
                    span: column.name.span,
                },
                expr: ir::Expr { kind, span },
            });
        }
        self.notes.push(crate::backend::Note {
            span,
            effect: crate::backend::Effect::Values,
            message: format!(
                "the datatable's rows are computed from the key `{}`; if the rows already have \
                 a column of the same name as one of the datatable's others ({}), KQL keeps \
                 both and names the datatable's with a `1` suffix, here the datatable's value \
                 replaces it",
                key_name.name,
                table
                    .columns
                    .iter()
                    .enumerate()
                    .filter(|(c, _)| *c != k)
                    .map(|(_, col)| format!("`{}`", col.name.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
        Ok(Some(ir::StageKind::Extend(assignments)))
    }

    /// Every row of a datatable as constants of their columns' types.
    fn datatable_rows(
        &mut self,
        table: &'a ast::Datatable,
        span: Span,
    ) -> LResult<Vec<Vec<ir::Literal>>> {
        let width = row_width(table, span)?;
        let mut rows = Vec::new();
        for chunk in table.values.chunks(width) {
            let mut row = Vec::new();
            for (value, column) in chunk.iter().zip(&table.columns) {
                match self.literal_value(value)? {
                    Some(l) if of_type(&l, &column.ty.name) => row.push(l),
                    _ => return Err(not_constant(value.span, column)),
                }
            }
            rows.push(row);
        }
        Ok(rows)
    }
}

fn not_constant(span: Span, column: &ast::ColumnDecl) -> Box<crate::diag::Diagnostic> {
    unsupported(
        LowerCode::L010,
        span,
        format!(
            "this datatable value is not a constant of its column's type (`{}:{}`); only such \
             values are read as constants",
            column.name.name, column.ty.name
        ),
    )
}

/// A datatable's number of columns, once its values are known to fill whole rows.
fn row_width(table: &ast::Datatable, span: Span) -> LResult<usize> {
    let width = table.columns.len();
    if width == 0 || !table.values.len().is_multiple_of(width) {
        return Err(unsupported(
            LowerCode::L010,
            span,
            format!(
                "the datatable has {} value(s) for {width} column(s), not a whole number of rows",
                table.values.len()
            ),
        ));
    }
    Ok(width)
}
