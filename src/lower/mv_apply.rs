//! `mv-apply items on ([where …] | summarize aggs [| where/extend …])`: an aggregation of each
//! row's own elements. Kusto's mv-apply page: the row is expanded into a subtable, the subquery
//! runs on it, and the row's other columns are added back to what it returns; a `summarize`
//! without `by` returns one row even for an empty subtable, so every input row comes out once.
//!
//! Lowered as: [`ir::MvExpand`] with `per_row` (each input row numbered, and a row with no
//! element kept once with null items and a null index), then `summarize take_any(*), aggs by
//! <row number>` over those rows, each aggregate reading only real elements (a non-null index)
//! where the subquery's `where`s hold, then `project-away` of the row number, the index and the
//! items (KQL's summarize returns neither). The subquery's stages after its `summarize` follow.
//!
//! `make_bag(bag_pack(K, V))` (or `pack`) has no IR value (the IR has no objects): the bag `B`
//! it makes is kept aside, and each later read of it at a constant key (`B["k"]`, `B.k`,
//! `B["k"]["p"]` when `V` is itself a `bag_pack` of constant keys, `bag_has_key(B, "k")`)
//! becomes one more aggregate of that summarize: `take_anyif(V, K == "k")` (and
//! `countif(K == "k") > 0`). Any other use of `B` is refused. Both KQL (make_bag keeps "an
//! arbitrary value" for a key that repeats) and the aggregate pick one value among elements that
//! share the key, so a repeated key is noted (values).

use super::{unsupported, LResult, Lowerer};
use crate::backend::Effect;
use crate::codes::LowerCode;
use crate::ir;
use crate::kql::ast;
use crate::source::Span;

/// A bag made by `make_bag(bag_pack(K, V))` inside an mv-apply, read through constant keys.
#[derive(Clone, Debug)]
pub(crate) struct VirtualBag {
    /// The bag's column name in KQL.
    name: String,
    /// The row-number column that identifies the mv-apply's summarize stage.
    row: String,
    /// `K`, over the element columns.
    key: ir::Expr,
    /// `V`: one value, or the constant-keyed properties of a `bag_pack` value.
    value: BagValue,
    /// A real element where the subquery's `where`s hold.
    guard: ir::Predicate,
    /// Whether `V` can be null (`bag_has_key` is only exact when it cannot: a `tostring`).
    value_never_null: bool,
    /// The aggregates the reads so far need: `(key path, hidden column, aggregate)`.
    reads: Vec<(Vec<ir::PathSegment>, ir::Aggregation)>,
    span: Span,
}

#[derive(Clone, Debug)]
enum BagValue {
    One(ir::Expr),
    Pack(Vec<(String, ir::Expr)>),
}

const HIDDEN: &str = "__kqlport_agg_mv";

impl<'a> Lowerer<'a> {
    fn hidden(&mut self, what: &str) -> String {
        let n = self.agg_temps;
        self.agg_temps += 1;
        format!("{HIDDEN}{what}{n}")
    }

    /// The mv-apply whose subquery summarizes (see the module doc). `items` are lowered
    /// already; the returned stage is the expansion, the rest goes to [`Lowerer::after`].
    pub(crate) fn mv_apply_summarize(
        &mut self,
        items: Vec<ir::MvExpandItem>,
        index: Option<ir::Column>,
        limit: Option<u64>,
        ops: &'a [ast::Operator],
        span: Span,
    ) -> LResult<ir::StageKind> {
        let at = ops
            .iter()
            .position(|o| matches!(o.kind, ast::OperatorKind::Summarize { .. }))
            .unwrap_or(ops.len());
        let Some(summarize) = ops.get(at) else {
            return Err(unsupported(
                LowerCode::L070,
                span,
                "no summarize in mv-apply",
            ));
        };
        let ast::OperatorKind::Summarize { aggregates, by, .. } = &summarize.kind else {
            return Err(unsupported(
                LowerCode::L070,
                span,
                "no summarize in mv-apply",
            ));
        };
        if let Some(k) = by.first() {
            return Err(unsupported(
                LowerCode::L070,
                k.span,
                "`summarize … by` inside mv-apply gives each row one result per group of its \
                 elements; only a `summarize` without `by` (one result per row) is translated",
            ));
        }
        let row_name = self.hidden("row");
        let row = ir::Column {
            name: row_name.clone(),
            span,
        };
        let index = match index {
            Some(ix) => ix,
            None => ir::Column {
                name: self.hidden("index"),
                span,
            },
        };
        // A real element: a non-null index (the padding row of an empty array has none).
        let mut guard = vec![ir::Predicate {
            kind: ir::PredicateKind::IsNull {
                expr: field(&index.name, span),
                negated: true,
            },
            span,
        }];
        for op in &ops[..at] {
            match &op.kind {
                ast::OperatorKind::Where { predicate, .. } => {
                    guard.push(self.predicate(predicate)?)
                }
                other => {
                    let why = match other {
                        ast::OperatorKind::Extend(_) => {
                            "a column it computes could have the name of an input column, \
                             which mv-apply gives back after the summarize; that is not followed"
                        }
                        _ => "it works on the elements as a group (their order or number)",
                    };
                    return Err(unsupported(
                        LowerCode::L070,
                        op.span,
                        format!(
                            "`{}` before the `summarize` inside mv-apply is not translated (only \
                             `where` is): {why}",
                            super::operator_name(other)
                        ),
                    ));
                }
            }
        }
        let guard = if guard.len() == 1 {
            guard.pop().expect("one part")
        } else {
            ir::Predicate {
                kind: ir::PredicateKind::And(guard),
                span,
            }
        };
        let mut aggs = vec![ir::Aggregation {
            name: ir::Column {
                name: "*".to_string(),
                span,
            },
            func: ir::AggFunc::AnyRow,
            span,
        }];
        // Stages the summarize needs after it (an expression over aggregates computed from
        // their hidden columns) follow the grouping back.
        let mut computed = Vec::new();
        for item in aggregates {
            if self.virtual_bag(item, &row_name, &guard)? {
                continue;
            }
            let (_, lowered) = self.summarize(std::slice::from_ref(item), &[])?;
            if !self.before.is_empty() {
                return Err(unsupported(
                    LowerCode::L070,
                    item.span,
                    "this aggregate inside mv-apply needs a stage before the summarize",
                ));
            }
            computed.append(&mut self.after);
            for mut a in lowered {
                guarded(&mut a, &guard)?;
                aggs.push(a);
            }
        }
        let mut after = vec![
            ir::StageKind::Aggregate {
                by: vec![ir::GroupKey {
                    name: row.clone(),
                    kind: ir::GroupKeyKind::Expr(field(&row_name, span)),
                    operands: ir::Operands::NotStrings,
                }],
                aggs,
            },
            ir::StageKind::ProjectAway(
                std::iter::once(&row)
                    .chain(std::iter::once(&index))
                    .chain(items.iter().map(|i| &i.name))
                    .map(|c| ir::ColumnPattern {
                        pattern: c.name.clone(),
                        span: c.span,
                    })
                    .collect(),
            ),
        ]
        .into_iter()
        .map(|kind| ir::Stage { kind, span })
        .collect::<Vec<_>>();
        after.splice(1..1, computed);
        self.element_wise(&ops[at + 1..], &mut after, |op| {
            format!(
                "`{op}` after the `summarize` inside mv-apply is not translated; only `where` \
                 and `extend` are"
            )
        })?;
        self.after.extend(after);
        self.note(
            span,
            Effect::OverMatch,
            "a row whose array is empty ([]) is kept here, once, with the aggregates of no \
             element: Kusto's mv-apply page does not say whether the subquery runs on an empty \
             subtable (a summarize would then return its one row) or the row is dropped",
        );
        Ok(ir::StageKind::MvExpand(ir::MvExpand {
            items,
            bag: ir::BagExpansion::Bag,
            index: Some(index),
            limit,
            per_row: Some(row),
        }))
    }

    /// `B = make_bag(bag_pack(K, V))` (or `pack`): kept aside for its reads. `false` for any
    /// other aggregate.
    fn virtual_bag(
        &mut self,
        item: &'a ast::NamedExpr,
        row: &str,
        guard: &ir::Predicate,
    ) -> LResult<bool> {
        let ast::ExprKind::Call { function, args } = &item.expr.kind else {
            return Ok(false);
        };
        if !matches!(function.name.as_str(), "make_bag" | "make_bag_if") {
            return Ok(false);
        }
        let refuse = |span: Span, why: &str| -> LResult<bool> {
            Err(unsupported(LowerCode::L070, span, why.to_string()))
        };
        let ([arg], "make_bag") = (args.as_slice(), function.name.as_str()) else {
            return refuse(
                item.expr.span,
                "`make_bag` inside mv-apply is translated with one argument (no size limit, not \
                 `make_bag_if`)",
            );
        };
        let [name] = item.names.as_slice() else {
            return refuse(
                item.expr.span,
                "name the bag `make_bag` makes inside mv-apply (`B = make_bag(…)`) so its reads \
                 can be followed",
            );
        };
        let pair =
            match &arg.value.kind {
                ast::ExprKind::Call { function, args }
                    if matches!(function.name.as_str(), "bag_pack" | "pack") && args.len() == 2 =>
                {
                    args
                }
                _ => return refuse(
                    arg.span,
                    "`make_bag` inside mv-apply is translated over `bag_pack(key, value)` of one \
                     key and value per element: a bag of other shape has no per-key reading",
                ),
            };
        let key = self.expr(&pair[0].value)?;
        if !is_tostring(&pair[0].value) {
            return refuse(
                pair[0].span,
                "the bag's key is read as text (`tostring(…)`) so that a read at a constant key \
                 compares strings",
            );
        }
        let value_never_null = is_tostring(&pair[1].value);
        let value = match &pair[1].value.kind {
            ast::ExprKind::Call { function, args }
                if matches!(function.name.as_str(), "bag_pack" | "pack") =>
            {
                let mut props = Vec::new();
                for kv in args.chunks(2) {
                    let [k, v] = kv else {
                        return refuse(pair[1].span, "`bag_pack` needs key/value pairs");
                    };
                    let Some(ir::Literal::String(k)) = self.literal_value(&k.value)? else {
                        return refuse(
                            k.span,
                            "a property of the bag's value with a computed name cannot be read \
                             at a constant key",
                        );
                    };
                    props.push((k, self.expr(&v.value)?));
                }
                BagValue::Pack(props)
            }
            _ => BagValue::One(self.expr(&pair[1].value)?),
        };
        self.note(
            item.span,
            Effect::Values,
            "a key that two elements share: KQL's make_bag keeps an arbitrary one of their values, \
             the translation one of them too (not necessarily the same)",
        );
        self.bags.push(VirtualBag {
            name: name.name.clone(),
            row: row.to_string(),
            key,
            value,
            guard: guard.clone(),
            value_never_null,
            reads: Vec::new(),
            span: item.span,
        });
        Ok(true)
    }

    fn bag_index(&self, name: &str) -> Option<usize> {
        self.bags.iter().rposition(|b| b.name == name)
    }

    /// The refusal for a use of a kept-aside bag other than a read at a constant key.
    pub(crate) fn bag_used_whole(&self, name: &str, span: Span) -> LResult<()> {
        match self.bag_index(name) {
            Some(_) => Err(unsupported(
                LowerCode::L070,
                span,
                format!(
                    "`{name}` is the bag `make_bag` built inside mv-apply: only its reads at \
                     constant keys (`{name}[\"k\"]`, `{name}.k`, `bag_has_key({name}, \"k\")`) \
                     are translated, not the bag itself or a key computed at query time"
                ),
            )),
            None => Ok(()),
        }
    }

    /// `B["k"]…` of a kept-aside bag `B`: the hidden column of `take_anyif(V…, K == "k")`.
    /// `None` when `e`'s root is not such a bag.
    pub(crate) fn bag_read(&mut self, e: &'a ast::Expr) -> LResult<Option<ir::Expr>> {
        let mut segments = Vec::new();
        let mut cur = e;
        let mut computed = false;
        loop {
            match &cur.kind {
                ast::ExprKind::Member { expr, member } => {
                    segments.push(ir::PathSegment::Key(member.name.clone()));
                    cur = expr;
                }
                ast::ExprKind::Index { expr, index } => {
                    match self.literal_value(index).ok().flatten() {
                        Some(ir::Literal::String(s)) => segments.push(ir::PathSegment::Key(s)),
                        Some(ir::Literal::Long(i)) => segments.push(ir::PathSegment::Index(i)),
                        _ => computed = true,
                    }
                    cur = expr;
                }
                _ => break,
            }
        }
        let ast::ExprKind::Ident(root) = &cur.kind else {
            return Ok(None);
        };
        if self.scalar_let(&root.name).is_some() {
            return Ok(None);
        }
        let Some(b) = self.bag_index(&root.name) else {
            return Ok(None);
        };
        segments.reverse();
        let Some(ir::PathSegment::Key(k)) = segments.first().cloned().filter(|_| !computed) else {
            self.bag_used_whole(&root.name, e.span)?;
            return Ok(None);
        };
        let bag = self.bags[b].clone();
        let rest = &segments[1..];
        let value = match &bag.value {
            BagValue::One(v) => with_path(v.clone(), rest, e.span),
            BagValue::Pack(props) => {
                let Some(ir::PathSegment::Key(p)) = rest.first() else {
                    return Err(unsupported(
                        LowerCode::L070,
                        e.span,
                        format!(
                            "`{}[\"{k}\"]` is itself a bag (the `bag_pack` value): read one of its \
                             properties (`[\"{k}\"][\"name\"]`)",
                            bag.name
                        ),
                    ));
                };
                match props.iter().find(|(name, _)| name == p) {
                    Some((_, v)) => with_path(v.clone(), &rest[1..], e.span),
                    None => ir::Expr {
                        kind: ir::ExprKind::Literal(ir::Literal::Null),
                        span: e.span,
                    },
                }
            }
        };
        if let Some((_, a)) = bag.reads.iter().find(|(p, _)| p == &segments) {
            return Ok(Some(field(&a.name.name, e.span)));
        }
        let hidden = self.hidden("bag");
        let when = and(bag.guard.clone(), key_is(&bag.key, &k, bag.span));
        let agg = ir::Aggregation {
            name: ir::Column {
                name: hidden.clone(),
                span: bag.span,
            },
            func: ir::AggFunc::TakeAny(case(when, value, bag.span)),
            span: bag.span,
        };
        self.bags[b].reads.push((segments, agg));
        Ok(Some(field(&hidden, e.span)))
    }

    /// `bag_has_key(B, "k")` of a kept-aside bag: `countif(K == "k") > 0`, exact when `V` is
    /// never null (`tostring(…)`; a null value may or may not leave its key in KQL's bag).
    pub(crate) fn bag_has_key_read(
        &mut self,
        e: &'a ast::Expr,
        args: &'a [ast::Arg],
    ) -> LResult<Option<ir::Expr>> {
        let [bag, key] = args else {
            return Ok(None);
        };
        let ast::ExprKind::Ident(root) = &bag.value.kind else {
            return Ok(None);
        };
        let Some(b) = self.bag_index(&root.name) else {
            return Ok(None);
        };
        let Some(ir::Literal::String(k)) = self.literal_value(&key.value)? else {
            self.bag_used_whole(&root.name, e.span)?;
            return Ok(None);
        };
        let bag = self.bags[b].clone();
        if !bag.value_never_null || !matches!(bag.value, BagValue::One(_)) {
            return Err(unsupported(
                LowerCode::L070,
                e.span,
                "bag_has_key of the bag built inside mv-apply is translated when the bag's value \
                 is `tostring(…)` (never null): whether KQL's bag keeps a key whose value is null \
                 is not documented",
            ));
        }
        let path = vec![ir::PathSegment::Key(format!("\u{0}has:{k}"))];
        let name = match bag.reads.iter().find(|(p, _)| p == &path) {
            Some((_, a)) => a.name.name.clone(),
            None => {
                let hidden = self.hidden("has");
                let when = and(bag.guard.clone(), key_is(&bag.key, &k, bag.span));
                self.bags[b].reads.push((
                    path,
                    ir::Aggregation {
                        name: ir::Column {
                            name: hidden.clone(),
                            span: bag.span,
                        },
                        func: ir::AggFunc::CountIf(when),
                        span: bag.span,
                    },
                ));
                hidden
            }
        };
        Ok(Some(ir::Expr {
            kind: ir::ExprKind::Predicate(Box::new(ir::Predicate {
                kind: ir::PredicateKind::Compare {
                    lhs: field(&name, e.span),
                    op: ir::CmpOp::Gt,
                    rhs: ir::Expr {
                        kind: ir::ExprKind::Literal(ir::Literal::Long(0)),
                        span: e.span,
                    },
                    operands: ir::Operands::NotStrings,
                },
                span: e.span,
            })),
            span: e.span,
        }))
    }

    /// At the end of a pipeline: the reads of each bag its mv-apply kept aside (from `mark` on)
    /// become aggregates of that mv-apply's summarize; their hidden columns are dropped at the
    /// end unless a later stage already chose its columns.
    pub(crate) fn finish_bags(&mut self, mark: usize, stages: &mut Vec<ir::Stage>) {
        if self.bags.len() <= mark {
            return;
        }
        let bags = self.bags.split_off(mark);
        for bag in bags {
            if bag.reads.is_empty() {
                continue;
            }
            let Some(at) = stages.iter().position(|s| match &s.kind {
                ir::StageKind::Aggregate { by, .. } => {
                    by.first().is_some_and(|k| k.name.name == bag.row)
                }
                _ => false,
            }) else {
                continue;
            };
            let names: Vec<String> = bag.reads.iter().map(|(_, a)| a.name.name.clone()).collect();
            if let ir::StageKind::Aggregate { aggs, .. } = &mut stages[at].kind {
                aggs.extend(bag.reads.into_iter().map(|(_, a)| a));
            }
            let chosen = stages[at + 1..].iter().any(|s| {
                matches!(
                    s.kind,
                    ir::StageKind::Project(_)
                        | ir::StageKind::ProjectKeep(_)
                        | ir::StageKind::Aggregate { .. }
                        | ir::StageKind::Distinct(_)
                        | ir::StageKind::Count
                )
            });
            if !chosen {
                stages.push(ir::Stage {
                    kind: ir::StageKind::ProjectAway(
                        names
                            .into_iter()
                            .map(|pattern| ir::ColumnPattern {
                                pattern,
                                span: bag.span,
                            })
                            .collect(),
                    ),
                    span: bag.span,
                });
            }
        }
    }
}

/// The aggregate reads only the elements `guard` keeps.
fn guarded(a: &mut ir::Aggregation, guard: &ir::Predicate) -> LResult<()> {
    use ir::AggFunc as F;
    let span = a.span;
    let only = |e: &mut ir::Expr| {
        let inner = std::mem::replace(
            e,
            ir::Expr {
                kind: ir::ExprKind::Literal(ir::Literal::Null),
                span,
            },
        );
        *e = case(guard.clone(), inner, span);
    };
    match &mut a.func {
        F::Count => a.func = F::CountIf(guard.clone()),
        F::CountIf(p) => *p = and(guard.clone(), p.clone()),
        F::DCount(e)
        | F::DCountIf(e, _)
        | F::CountDistinct(e)
        | F::MakeSet { expr: e, .. }
        | F::MakeList { expr: e, .. }
        | F::Min(e)
        | F::Max(e)
        | F::Sum(e)
        | F::Avg(e)
        | F::Stdev(e)
        | F::TakeAny(e) => only(e),
        F::ArgMax { .. } | F::ArgMin { .. } | F::AnyRow => {
            return Err(unsupported(
                LowerCode::L070,
                span,
                "`arg_max`/`arg_min`/`take_any(*)` inside mv-apply pick one element's whole row; \
                 only aggregates of values are translated there",
            ))
        }
    }
    Ok(())
}

fn is_tostring(e: &ast::Expr) -> bool {
    matches!(&e.kind, ast::ExprKind::Call { function, args } if function.name == "tostring" && args.len() == 1)
}

fn field(name: &str, span: Span) -> ir::Expr {
    ir::Expr {
        kind: ir::ExprKind::Field(ir::FieldPath::column(name.to_string())),
        span,
    }
}

fn case(when: ir::Predicate, value: ir::Expr, span: Span) -> ir::Expr {
    ir::Expr {
        kind: ir::ExprKind::Case {
            branches: vec![(when, value)],
            otherwise: Box::new(ir::Expr {
                kind: ir::ExprKind::Literal(ir::Literal::Null),
                span,
            }),
        },
        span,
    }
}

fn and(a: ir::Predicate, b: ir::Predicate) -> ir::Predicate {
    let span = a.span;
    ir::Predicate {
        kind: ir::PredicateKind::And(vec![a, b]),
        span,
    }
}

/// `K == "k"`, case-sensitive as KQL's bag keys are.
fn key_is(key: &ir::Expr, k: &str, span: Span) -> ir::Predicate {
    ir::Predicate {
        kind: ir::PredicateKind::StrMatch(ir::StrMatch {
            field: key.clone(),
            kind: ir::MatchKind::Equals,
            case: ir::Case::Sensitive,
            values: vec![k.to_string()],
            quantifier: ir::Quantifier::Any,
            negated: false,
        }),
        span,
    }
}

/// `v` followed by the constant path `rest`.
fn with_path(v: ir::Expr, rest: &[ir::PathSegment], span: Span) -> ir::Expr {
    if rest.is_empty() {
        return v;
    }
    match v.kind {
        ir::ExprKind::Field(mut p) => {
            p.path.extend(rest.iter().cloned());
            ir::Expr {
                kind: ir::ExprKind::Field(p),
                span,
            }
        }
        other => ir::Expr {
            kind: ir::ExprKind::Path {
                base: Box::new(ir::Expr { kind: other, span }),
                path: rest.to_vec(),
            },
            span,
        },
    }
}
