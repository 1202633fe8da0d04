//! The timespan of `ago(span)` when it is not written as one literal: timespan arithmetic of
//! literals and scalar `let`s folded to a constant (`query_frequency + max_of(a, b)`,
//! `now() - ago(1h)`), or a timespan computed from datetimes (`totimespan((endtime -
//! starttime) * 7)` over a hunting query's `{{StartTimeISO}}`/`{{EndTimeISO}}`), lowered as
//! `now() - span`. Anything else is refused by `expr.rs`'s `ago_refusal`.

use super::{LResult, Lowerer};
use crate::ir;
use crate::kql::ast;

/// How far `let`s and operators are followed (the corpus needs three levels).
const MAX_DEPTH: usize = 16;

impl<'a> Lowerer<'a> {
    /// `ago(arg)` as an IR expression when `arg` is a timespan this file can see: a constant
    /// (`Ago(d)`) or a computed one (`now() - span`). `None` when `arg` is not provably a
    /// timespan (the caller refuses it).
    pub(crate) fn ago_of(&mut self, arg: &'a ast::Expr) -> LResult<Option<ir::ExprKind>> {
        if let Some(d) = self.const_span(arg, 0)? {
            return Ok(Some(ir::ExprKind::Ago(d)));
        }
        let mut dates = false;
        let Some(span) = self.computed_span(arg, 0, &mut dates)? else {
            return Ok(None);
        };
        if !dates {
            // Only constants, but not foldable exactly here (a real factor, a division): left
            // to the refusal, as targets have no duration arithmetic to run it with.
            return Ok(None);
        }
        if let Some(text) = self.placeholder_in(arg) {
            let msg = format!(
                "this look-back is computed from `{text}`, a hunting-query template placeholder \
                 that Sentinel fills in with the hunting window's ISO time when the query runs; \
                 the translation keeps it as text (as every other use of it): fill it in the \
                 same way before running, or no row passes this test"
            );
            self.note(arg.span, crate::backend::Effect::UnderMatch, msg);
        }
        Ok(Some(ir::ExprKind::Arith {
            op: ir::ArithOp::Sub,
            lhs: Box::new(ir::Expr {
                kind: ir::ExprKind::Now,
                span: arg.span,
            }),
            rhs: Box::new(span),
        }))
    }

    /// A timespan constant: timespan literals and scalar `let`s combined by `+`, `-`, unary `-`,
    /// `*` with an integer, `max_of`/`min_of`, `totimespan` (identity on a timespan), and
    /// `now() - ago(d)` (KQL's `now()` is one value per query, so that is exactly `d`).
    fn const_span(&mut self, e: &'a ast::Expr, depth: usize) -> LResult<Option<ir::Duration>> {
        if depth > MAX_DEPTH {
            return Ok(None);
        }
        let d = depth + 1;
        let ticks = |x: Option<i64>| x.map(ir::Duration::from_ticks);
        Ok(match &e.kind {
            ast::ExprKind::Ident(n) => match self.scalar_let(&n.name) {
                Some(bound) => {
                    let name = n.name.clone();
                    self.with_let(&name, e.span, |cx| cx.const_span(bound, d))?
                }
                None => None,
            },
            ast::ExprKind::Unary {
                op: ast::UnaryOp::Neg,
                expr,
            } => ticks(
                self.const_span(expr, d)?
                    .and_then(|x| x.ticks.checked_neg()),
            ),
            ast::ExprKind::Unary {
                op: ast::UnaryOp::Plus,
                expr,
            } => self.const_span(expr, d)?,
            ast::ExprKind::Call { function, args }
                if matches!(function.name.as_str(), "max_of" | "min_of")
                    && args.len() >= 2
                    && args.iter().all(|a| a.name.is_none()) =>
            {
                let mut all = Vec::new();
                for a in args {
                    match self.const_span(&a.value, d)? {
                        Some(x) => all.push(x),
                        None => return Ok(None),
                    }
                }
                if function.name == "max_of" {
                    all.into_iter().max()
                } else {
                    all.into_iter().min()
                }
            }
            ast::ExprKind::Call { function, args }
                if matches!(function.name.as_str(), "totimespan" | "totime")
                    && args.len() == 1
                    && args[0].name.is_none() =>
            {
                self.const_span(&args[0].value, d)?
            }
            ast::ExprKind::Binary { op, lhs, rhs } => match op {
                ast::BinaryOp::Sub if is_now(lhs) => match &rhs.kind {
                    ast::ExprKind::Call { function, args }
                        if function.name == "ago" && args.len() == 1 =>
                    {
                        self.const_span(&args[0].value, d)?
                    }
                    _ => None,
                },
                ast::BinaryOp::Add | ast::BinaryOp::Sub => {
                    match (self.const_span(lhs, d)?, self.const_span(rhs, d)?) {
                        (Some(a), Some(b)) if *op == ast::BinaryOp::Add => {
                            ticks(a.ticks.checked_add(b.ticks))
                        }
                        (Some(a), Some(b)) => ticks(a.ticks.checked_sub(b.ticks)),
                        _ => None,
                    }
                }
                ast::BinaryOp::Mul => {
                    let (l, r) = (self.const_span(lhs, d)?, self.const_span(rhs, d)?);
                    match (l, r) {
                        (Some(a), None) => match self.literal_value(rhs)? {
                            Some(ir::Literal::Long(n)) => ticks(a.ticks.checked_mul(n)),
                            _ => None,
                        },
                        (None, Some(b)) => match self.literal_value(lhs)? {
                            Some(ir::Literal::Long(n)) => ticks(b.ticks.checked_mul(n)),
                            _ => None,
                        },
                        _ => None,
                    }
                }
                _ => None,
            },
            _ => match self.literal_value(e)? {
                Some(ir::Literal::Timespan(x)) => Some(x),
                _ => None,
            },
        })
    }

    /// A timespan computed at run time, lowered: a difference of two datetimes, scaled by a
    /// number, added to or subtracted from other timespans, `totimespan` of one (the identity).
    /// `None` when `e` is not provably a timespan. Sets `dates` when a datetime difference is
    /// part of it.
    fn computed_span(
        &mut self,
        e: &'a ast::Expr,
        depth: usize,
        dates: &mut bool,
    ) -> LResult<Option<ir::Expr>> {
        if depth > MAX_DEPTH {
            return Ok(None);
        }
        let d = depth + 1;
        if let Some(x) = self.const_span(e, d)? {
            return Ok(Some(ir::Expr {
                kind: ir::ExprKind::Literal(ir::Literal::Timespan(x)),
                span: e.span,
            }));
        }
        let arith = |op, l: ir::Expr, r: ir::Expr| {
            Some(ir::Expr {
                kind: ir::ExprKind::Arith {
                    op,
                    lhs: Box::new(l),
                    rhs: Box::new(r),
                },
                span: e.span,
            })
        };
        Ok(match &e.kind {
            ast::ExprKind::Ident(n) => match self.scalar_let(&n.name) {
                Some(bound) => {
                    let name = n.name.clone();
                    self.with_let(&name, e.span, |cx| cx.computed_span(bound, d, dates))?
                }
                None => None,
            },
            ast::ExprKind::Call { function, args }
                if matches!(function.name.as_str(), "totimespan" | "totime")
                    && args.len() == 1
                    && args[0].name.is_none() =>
            {
                self.computed_span(&args[0].value, d, dates)?
            }
            ast::ExprKind::Binary { op, lhs, rhs } => match op {
                ast::BinaryOp::Sub if self.is_datetime(lhs, d) && self.is_datetime(rhs, d) => {
                    *dates = true;
                    arith(ir::ArithOp::Sub, self.expr(lhs)?, self.expr(rhs)?)
                }
                ast::BinaryOp::Add | ast::BinaryOp::Sub => {
                    match (
                        self.computed_span(lhs, d, dates)?,
                        self.computed_span(rhs, d, dates)?,
                    ) {
                        (Some(l), Some(r)) => {
                            let op = if *op == ast::BinaryOp::Add {
                                ir::ArithOp::Add
                            } else {
                                ir::ArithOp::Sub
                            };
                            arith(op, l, r)
                        }
                        _ => None,
                    }
                }
                ast::BinaryOp::Mul | ast::BinaryOp::Div => {
                    let op = if *op == ast::BinaryOp::Mul {
                        ir::ArithOp::Mul
                    } else {
                        ir::ArithOp::Div
                    };
                    match self.computed_span(lhs, d, dates)? {
                        Some(l) => match self.number(rhs)? {
                            Some(r) => arith(op, l, r),
                            None => None,
                        },
                        // `n * span` (a timespan divided into a number is no timespan).
                        None if op == ir::ArithOp::Mul => match self.number(lhs)? {
                            Some(l) => self
                                .computed_span(rhs, d, dates)?
                                .and_then(|r| arith(op, l, r)),
                            None => None,
                        },
                        None => None,
                    }
                }
                _ => None,
            },
            _ => None,
        })
    }

    /// A numeric literal (through `let`s), lowered.
    fn number(&mut self, e: &'a ast::Expr) -> LResult<Option<ir::Expr>> {
        Ok(match self.literal_value(e)? {
            Some(l @ (ir::Literal::Long(_) | ir::Literal::Real(_))) => Some(ir::Expr {
                kind: ir::ExprKind::Literal(l),
                span: e.span,
            }),
            _ => None,
        })
    }

    /// Whether `e` is plainly a datetime: `datetime(…)`, `todatetime(…)`, `now()`, `ago(…)`,
    /// or a scalar `let` bound to one.
    pub(crate) fn is_datetime(&self, e: &'a ast::Expr, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match &e.kind {
            ast::ExprKind::Literal(ast::Literal::DateTime(_)) => true,
            ast::ExprKind::Ident(n) => self
                .scalar_let(&n.name)
                .is_some_and(|b| self.is_datetime(b, depth + 1)),
            ast::ExprKind::Call { function, args } => match function.name.as_str() {
                "todatetime" | "ago" => args.len() == 1,
                "now" => args.is_empty(),
                _ => false,
            },
            _ => false,
        }
    }

    /// Whether `e` is built from literals only (through scalar `let`s), with arithmetic and
    /// `totimespan`/`max_of`/`min_of`: a constant, even when [`Self::const_span`] does not fold it.
    pub(crate) fn is_constant_arith(&self, e: &'a ast::Expr, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let d = depth + 1;
        match &e.kind {
            ast::ExprKind::Literal(_) => true,
            ast::ExprKind::Ident(n) => self
                .scalar_let(&n.name)
                .is_some_and(|b| self.is_constant_arith(b, d)),
            ast::ExprKind::Unary { expr, .. } => self.is_constant_arith(expr, d),
            ast::ExprKind::Binary { op, lhs, rhs } => {
                matches!(
                    op,
                    ast::BinaryOp::Add
                        | ast::BinaryOp::Sub
                        | ast::BinaryOp::Mul
                        | ast::BinaryOp::Div
                        | ast::BinaryOp::Mod
                ) && self.is_constant_arith(lhs, d)
                    && self.is_constant_arith(rhs, d)
            }
            ast::ExprKind::Call { function, args } => {
                matches!(
                    function.name.as_str(),
                    "totimespan" | "totime" | "max_of" | "min_of"
                ) && args.iter().all(|a| self.is_constant_arith(&a.value, d))
            }
            _ => false,
        }
    }

    /// The first `{{…}}` template placeholder `e` is computed from, following scalar `let`s.
    pub(crate) fn placeholder_in(&self, e: &'a ast::Expr) -> Option<String> {
        let mut names = Vec::new();
        let mut placeholder = None;
        self.ago_inputs(e, &mut names, &mut placeholder, 0);
        placeholder
    }
}

fn is_now(e: &ast::Expr) -> bool {
    matches!(&e.kind, ast::ExprKind::Call { function, args } if function.name == "now" && args.is_empty())
}
