//! AST → detection IR. Owns KQL *meaning*: `let`s inlined, operator aliases normalised
//! (filter→where, order→sort, limit→take, makeset→make_set, iif→iff, `<>`→`!=`,
//! parsejson→parse_json …), every string operator made one explicit [`ir::StrMatch`], `ago()` as
//! time windows, dynamic access as field paths, KQL's default column names resolved.
//!
//! Never renders target text. What it cannot model yet is a located `L…` diagnostic — never an
//! opaque node, never silently dropped.

mod aggregate;
mod ago_span;
mod asim;
mod bool_compare;
mod datatable;
mod datatable_join;
mod evaluate;
mod expr;
mod externaldata;
mod functions;
mod invoke;
mod ipv4_lookup;
mod join;
mod known_columns;
mod make_series;
mod mv_apply;
mod mvexpand;
mod names;
mod neighbours;
mod parse;
mod predicate;
mod row_scope;
mod subquery;
mod toscalar;
mod types;
mod union;

use crate::codes::{Code, LowerCode};
use crate::diag::Diagnostic;
use crate::ir;
use crate::kql::ast;
use crate::source::Span;
use std::collections::HashMap;

pub use names::NameGen;

/// Every function name lowering knows, sorted: the special forms, predicates, rewritten and
/// refused functions, plain scalar functions, dynamic parsers, aggregates and the names KQL's
/// column-naming table covers. Read from the lowering's own tables (tests and the fuzzing
/// dictionary enumerate it); a name outside it is "not supported yet" (`L027`).
pub fn known_functions() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = expr::SPECIAL_FORMS
        .iter()
        .chain(expr::DYNAMIC_PARSERS)
        .chain(predicate::PREDICATE_FUNCTIONS)
        .chain(functions::REWRITTEN_FUNCTIONS)
        .chain(aggregate::AGGREGATES)
        .copied()
        .chain(expr::SCALAR_FUNCTIONS.iter().map(|&(n, _)| n))
        .chain(names::FUNCTION_NAMING.iter().map(|&(n, _)| n))
        .chain(["materialize", "toscalar", "pack_array", "typeof"])
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The result of lowering: the IR, plus warnings about KQL that was dropped because it has no
/// effect on the rows (e.g. `render`).
#[derive(Clone, Debug, PartialEq)]
pub struct Lowered {
    pub query: ir::Query,
    /// Where lowering itself had to approximate (every backend inherits these).
    pub notes: Vec<crate::backend::Note>,
    pub warnings: Vec<Diagnostic>,
}

/// Lowers a parsed query. Every diagnostic in `Err` is located at the KQL that could not be
/// modelled (codes `L…`).
pub fn lower(query: &ast::Query) -> Result<Lowered, Vec<Diagnostic>> {
    crate::stack::with_stack(|| lower_here(query))
}

fn lower_here(query: &ast::Query) -> Result<Lowered, Vec<Diagnostic>> {
    let asim_calls = asim::collect(query);
    let mut cx = Lowerer {
        whole: Some(query),
        asim: Some(&asim_calls),
        ..Lowerer::default()
    };
    match cx.query(query) {
        Ok(q) => {
            let found = known_columns::check(&q, &cx.ifexists);
            cx.errors.extend(found.errors);
            cx.warnings.extend(found.warnings);
            if cx.errors.is_empty() {
                // Lowering's values notes, like a backend's, on a column a later `where` tests.
                crate::filtered_values::widen_notes(&q, &mut cx.notes);
                Ok(Lowered {
                    query: q,
                    notes: cx.notes,
                    warnings: cx.warnings,
                })
            } else {
                Err(cx.errors)
            }
        }
        Err(d) => {
            cx.errors.push(*d);
            Err(cx.errors)
        }
    }
}

pub(crate) type LResult<T> = Result<T, Box<Diagnostic>>;

pub(crate) fn unsupported(
    code: impl Into<Code>,
    span: Span,
    message: impl Into<String>,
) -> Box<Diagnostic> {
    Box::new(Diagnostic::error(code, message, span))
}

/// What a `let` name stands for.
#[derive(Clone, Debug)]
pub(crate) enum Binding<'a> {
    /// A scalar expression (inlined at each use).
    Scalar(&'a ast::Expr),
    /// A tabular expression (inlined when it is the source of the query).
    Tabular(&'a ast::Expr),
    /// `toscalar(<tabular>)`: a value computed by a query (the argument), usable as the list of
    /// an `in` when the query ends in `summarize make_list(x)` / `make_set(x)`.
    ToScalar(Span, &'a ast::Expr),
    /// A function, view or anything else lowering cannot inline.
    Other(Span, &'static str),
    /// The rows piped into `invoke f()`, bound to `f`'s first (tabular) parameter: already
    /// lowered in the caller's scope.
    Input(Box<(ir::Source, Vec<ir::Stage>)>),
}

#[derive(Default)]
pub(crate) struct Lowerer<'a> {
    pub(crate) lets: HashMap<String, Binding<'a>>,
    /// Guards against self-referencing lets (`let a = a + 1;` refers to an outer `a` in KQL,
    /// which lowering cannot see): a name being expanded is not expanded again.
    pub(crate) expanding: Vec<String>,
    pub(crate) warnings: Vec<Diagnostic>,
    pub(crate) notes: Vec<crate::backend::Note>,
    pub(crate) errors: Vec<Diagnostic>,
    /// Stages an operator needs before / after its own (e.g. the `extend` that computes an
    /// expression over aggregates after a `summarize`).
    pub(crate) before: Vec<ir::Stage>,
    pub(crate) after: Vec<ir::Stage>,
    /// While lowering an expression over aggregates: each aggregate call met, with the hidden
    /// column it is computed into.
    pub(crate) agg_capture: Option<Vec<(String, &'a ast::Expr)>>,
    /// Function `let`s (`let f = (t: string) { … }`), inlined where a call is a tabular source.
    pub(crate) functions: HashMap<String, &'a ast::Lambda>,
    /// Hidden columns handed out so far in this query (their names must not repeat).
    pub(crate) agg_temps: usize,
    /// The names `as` gave to rows of this query so far: no table a `toscalar()` may read.
    pub(crate) as_names: Vec<String>,
    /// Where `column_ifexists` read a column (which may be missing: never an unknown column).
    pub(crate) ifexists: Vec<Span>,
    /// How deep `expr()` / `predicate()` are nested right now ([`MAX_DEPTH`]).
    pub(crate) depth: usize,
    /// Scalar `let` uses inlined so far ([`MAX_LET_EXPANSIONS`]).
    pub(crate) let_expansions: usize,
    /// The whole query, for refusals that name what a later part does with a stage's output.
    pub(crate) whole: Option<&'a ast::Query>,
    /// Bags `make_bag` built inside an mv-apply, read at constant keys (`mv_apply.rs`).
    pub(crate) bags: Vec<mv_apply::VirtualBag>,
    /// The name the rows entering the operator being lowered go by (`toscalar.rs`).
    pub(crate) rows_name: Option<toscalar::RowsName>,
    /// The query's ASIM parser calls with filtering parameters, their tests built
    /// (`asim.rs`).
    pub(crate) asim: Option<&'a asim::Calls>,
    /// The columns of the rows entering the operator being lowered, which shadow `let`s of
    /// their names (`row_scope.rs`); `None` outside an operator and inside a `let`'s body.
    pub(crate) row_scope: Option<row_scope::RowScope>,
}

/// The deepest nesting of expressions lowering follows (and so of the IR the backends walk).
/// The parser bounds brackets (128) and operator chains (1,000), but inlined `let`s nest
/// without limit (`let a1 = a0 + 1; let a2 = a1 + 1; …`); past this depth lowering refuses
/// instead of overflowing the stack. Lowering and the backends run on a stack segment sized
/// for it ([`crate::stack`]).
pub(crate) const MAX_DEPTH: usize = 1_500;

/// The most scalar `let` uses one query may inline (real rules use a few hundred); bounds the
/// work and the IR's size when lets use each other more than once.
pub(crate) const MAX_LET_EXPANSIONS: usize = 100_000;

pub(crate) fn too_complex(span: Span, message: impl Into<String>) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(LowerCode::L004, message, span)
            .with_label("too complex to translate")
            .with_help("simplify the query, or split it"),
    )
}

const SUPPORTED: &str = "kqlport translates queries built from: where, extend, project, \
project-away, project-keep, project-rename, project-reorder, summarize, sort/order, top, \
take/limit, distinct, count, join, union, mv-expand, mv-apply (with where/extend), parse, parse-where";

impl<'a> Lowerer<'a> {
    /// Runs one level of expression lowering at `span`, within [`MAX_DEPTH`].
    pub(crate) fn nested<T>(
        &mut self,
        span: Span,
        f: impl FnOnce(&mut Self) -> LResult<T>,
    ) -> LResult<T> {
        if self.depth >= MAX_DEPTH {
            return Err(too_complex(
                span,
                format!(
                    "the expression is nested too deeply to translate (over {MAX_DEPTH} levels \
                     once `let`s are inlined)"
                ),
            ));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn query(&mut self, query: &'a ast::Query) -> LResult<ir::Query> {
        let mut result: Option<&'a ast::Expr> = None;
        for stmt in &query.statements {
            match &stmt.kind {
                ast::StatementKind::Let { name, value } => self.bind(name, value),
                ast::StatementKind::Set { .. } => {
                    // Request options (`set query_now = …`, `set notruncation;`) tune execution.
                    // Those that change results are not modelled; say so rather than guess.
                    return Err(unsupported(
                        LowerCode::L001,
                        stmt.span,
                        "`set` request options are not supported",
                    ));
                }
                ast::StatementKind::DeclareQueryParameters(_) => {
                    return Err(unsupported(
                        LowerCode::L001,
                        stmt.span,
                        "`declare query_parameters` is not supported: parameters have no value at translation time",
                    ));
                }
                ast::StatementKind::Expr(e) => {
                    if let Some(prev) = result {
                        return Err(Box::new(
                            Diagnostic::error(
                                LowerCode::L002,
                                "the query has more than one result statement",
                                e.span,
                            )
                            .with_secondary(prev.span, "first result statement")
                            .with_help("translate each query separately"),
                        ));
                    }
                    result = Some(e);
                }
            }
        }
        let Some(body) = result else {
            return Err(unsupported(
                LowerCode::L003,
                query.span,
                "the query has no result statement (only `let`s)",
            ));
        };
        self.pipeline(body)
    }

    /// A tabular expression (the result statement, or a join's right side) as one IR query.
    fn pipeline(&mut self, body: &'a ast::Expr) -> LResult<ir::Query> {
        let bags = self.bags.len();
        // `let R = T | …; R | extend … toscalar(R | …)`: the first operator after `R`'s own
        // reads rows named `R`.
        let named_let = match &body.kind {
            ast::ExprKind::Pipeline(p) => match &p.source.kind {
                ast::SourceKind::Expr(e) => match &e.kind {
                    ast::ExprKind::Ident(n)
                        if matches!(self.lets.get(&n.name), Some(Binding::Tabular(_))) =>
                    {
                        Some((n.name.clone(), p.operators.len()))
                    }
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        let (mut source, mut stages, ops, named_let) = match self.datatable_left_join(body)? {
            // The rows are the join's right side's: no `let` names them.
            Some((source, stages, ops)) => (source, stages, ops, None),
            None => {
                let (source, stages, ops) = self.flatten(body)?;
                (source, stages, ops, named_let)
            }
        };
        let let_at = named_let.map(|(n, outer)| (n, ops.len().saturating_sub(outer)));
        let mut as_name: Option<String> = None;
        let saved_rows_name = self.rows_name.take();
        let saved_row_scope = self.row_scope.take();
        for (i, op) in ops.into_iter().enumerate() {
            let name = as_name.take().or_else(|| {
                let_at
                    .as_ref()
                    .filter(|(_, at)| *at == i)
                    .map(|(n, _)| n.clone())
            });
            if let ast::OperatorKind::As { name, .. } = &op.kind {
                as_name = Some(name.name.clone());
                self.as_names.push(name.name.clone());
            }
            self.rows_name = name
                .filter(|_| {
                    matches!(
                        op.kind,
                        ast::OperatorKind::Extend(_) | ast::OperatorKind::Where { .. }
                    )
                })
                .map(|name| toscalar::RowsName {
                    name,
                    unstable: toscalar::unstable(&stages),
                });
            if let ast::OperatorKind::Union(u) = &op.kind {
                // `T | … | union U`: the rows so far are the union's first leg.
                let span = stages
                    .last()
                    .map_or(source.span, |s: &ir::Stage| source.span.to(s.span));
                let mut input = ir::Query {
                    source,
                    stages: std::mem::take(&mut stages),
                    span,
                };
                self.column_types(&mut input);
                source = self.union(u, op.span, Some(input))?;
                continue;
            }
            if let ast::OperatorKind::Invoke(call) = &op.kind {
                // `T | … | invoke f(args)`: `f`'s body with the rows so far as its first
                // parameter.
                let q = self.invoke(call, op.span, (source, std::mem::take(&mut stages)))?;
                source = q.source;
                stages = q.stages;
                continue;
            }
            // The rows entering the operator: their columns shadow `let`s of their names.
            let rows = ir::Query {
                source,
                stages: std::mem::take(&mut stages),
                span: body.span,
            };
            self.row_scope = Some(row_scope::RowScope::after(&rows));
            (source, stages) = (rows.source, rows.stages);
            // `as R` names the rows entering this operator only (`toscalar(R | …)`).
            let lowered = self.operator_into(op, &mut stages);
            self.rows_name = None;
            lowered?;
        }
        self.rows_name = saved_rows_name;
        self.row_scope = saved_row_scope;
        self.finish_bags(bags, &mut stages);
        let mut query = ir::Query {
            source,
            stages,
            span: body.span,
        };
        join::narrow_outer_joins(&mut query);
        self.column_types(&mut query);
        self.union_column_types(&query)?;
        Ok(query)
    }

    fn bind(&mut self, name: &'a ast::Name, value: &'a ast::LetValue) {
        let binding = match value {
            ast::LetValue::Expr(e) if is_tabular(e) => Binding::Tabular(e),
            ast::LetValue::Expr(e) => match &e.kind {
                // `materialize(T)` caches T's rows for reuse: the same rows as T.
                ast::ExprKind::Call { function, args }
                    if function.name == "materialize"
                        && matches!(args.as_slice(), [a] if a.name.is_none() && is_tabular(&a.value)) =>
                {
                    Binding::Tabular(&args[0].value)
                }
                ast::ExprKind::Call { function, args }
                    if function.name == "toscalar"
                        && matches!(args.as_slice(), [a] if a.name.is_none() && is_tabular(&a.value)) =>
                {
                    Binding::ToScalar(e.span, &args[0].value)
                }
                ast::ExprKind::Call { function, .. }
                    if matches!(function.name.as_str(), "materialize" | "toscalar") =>
                {
                    Binding::Other(e.span, "a materialized or toscalar() value")
                }
                _ => Binding::Scalar(e),
            },
            ast::LetValue::Lambda(l) => {
                self.functions.insert(name.name.clone(), l);
                self.lets
                    .insert(name.name.clone(), Binding::Other(l.span, "a function"));
                return;
            }
            // A view is a function that `union *` and `search *` also read; called by name
            // it is the function.
            ast::LetValue::View(l) => {
                self.functions.insert(name.name.clone(), l);
                self.lets
                    .insert(name.name.clone(), Binding::Other(l.span, "a view"));
                return;
            }
        };
        self.functions.remove(&name.name);
        self.lets.insert(name.name.clone(), binding);
    }

    /// The source table and the operators applied to it, with tabular `let`s used as the source
    /// inlined (`let T = X | where …; T | take 5` is `X | where … | take 5`).
    fn flatten(&mut self, body: &'a ast::Expr) -> LResult<Flat<'a>> {
        match &body.kind {
            ast::ExprKind::Ident(name) => self.table_or_let(name, body.span, Vec::new()),
            ast::ExprKind::Call { function, args } if self.is_tabular_call(function) => {
                self.call_source(function, args, body.span, Vec::new())
            }
            ast::ExprKind::Pipeline(p) => {
                let ops: Vec<&ast::Operator> = p.operators.iter().collect();
                match &p.source.kind {
                    ast::SourceKind::Expr(e) => match &e.kind {
                        ast::ExprKind::Ident(name) => self.table_or_let(name, e.span, ops),
                        ast::ExprKind::Pipeline(_) => {
                            let (source, pre, mut inner) = self.flatten(e)?;
                            inner.extend(ops);
                            Ok((source, pre, inner))
                        }
                        ast::ExprKind::Call { function, args }
                            if self.is_tabular_call(function) =>
                        {
                            self.call_source(function, args, e.span, ops)
                        }
                        ast::ExprKind::Call { function, args }
                            if function.name == "_GetWatchlist" =>
                        {
                            Ok((self.watchlist(args, e.span)?, Vec::new(), ops))
                        }
                        ast::ExprKind::Call { function, .. } => Err(unsupported(
                            LowerCode::L010,
                            e.span,
                            call_source_refusal(&function.name),
                        )),
                        // `arg("").Resources`, `workspace("w").T`, `cluster("c").database("d").T`
                        ast::ExprKind::Member { expr, .. }
                            if matches!(&expr.kind, ast::ExprKind::Call { .. }) =>
                        {
                            Err(unsupported(
                                LowerCode::L010,
                                e.span,
                                "the query reads a table of another workspace, cluster or service \
                                 (`arg(\"\")` is Azure Resource Graph); only a table of the rule's \
                                 own workspace can be translated",
                            ))
                        }
                        _ => Err(unsupported(
                            LowerCode::L010,
                            e.span,
                            "this query source is not a table",
                        )),
                    },
                    ast::SourceKind::Union(u) => {
                        Ok((self.union(u, p.source.span, None)?, Vec::new(), ops))
                    }
                    ast::SourceKind::ExternalData(x) => {
                        Ok((self.externaldata(x, p.source.span)?, Vec::new(), ops))
                    }
                    other => Err(unsupported(
                        LowerCode::L010,
                        p.source.span,
                        format!(
                            "`{}` as a query source is not supported yet; {SUPPORTED}",
                            source_name(other)
                        ),
                    )),
                }
            }
            ast::ExprKind::Call { function, args } if function.name == "_GetWatchlist" => {
                Ok((self.watchlist(args, body.span)?, Vec::new(), Vec::new()))
            }
            ast::ExprKind::Call { function, .. } => Err(unsupported(
                LowerCode::L010,
                body.span,
                call_source_refusal(&function.name),
            )),
            _ => Err(unsupported(
                LowerCode::L003,
                body.span,
                "the result statement is not a tabular expression",
            )),
        }
    }

    fn table_or_let(
        &mut self,
        name: &'a ast::Name,
        span: Span,
        ops: Vec<&'a ast::Operator>,
    ) -> LResult<Flat<'a>> {
        match self.lets.get(&name.name).cloned() {
            None => Ok((ir::Source::table(name.name.clone(), span), Vec::new(), ops)),
            Some(Binding::Tabular(e)) if !self.expanding.contains(&name.name) => {
                self.expanding.push(name.name.clone());
                // Tabular lets chain without the parser's nesting bound (`let t2 = t1 | …`).
                let r = self.nested(span, |cx| cx.flatten(e));
                self.expanding.pop();
                let (source, pre, mut inner) = r?;
                inner.extend(ops);
                Ok((source, pre, inner))
            }
            Some(Binding::Input(rows)) => {
                let (source, stages) = *rows;
                Ok((source, stages, ops))
            }
            // `let f = () { T | … }; f | …`: a function without parameters is called by its
            // name alone.
            Some(Binding::Other(..))
                if self
                    .functions
                    .get(&name.name)
                    .is_some_and(|l| l.params.is_empty()) =>
            {
                self.call_source(name, &[], span, ops)
            }
            Some(Binding::ToScalar(def, _)) => Err(Box::new(
                Diagnostic::error(
                    LowerCode::L011,
                    format!(
                        "`{}` is a materialized or toscalar() value; only a table or a tabular `let` can be the source",
                        name.name
                    ),
                    span,
                )
                .with_secondary(def, "defined here"),
            )),
            Some(Binding::Other(def, what)) => Err(Box::new(
                Diagnostic::error(
                    LowerCode::L011,
                    format!(
                        "`{}` is {what}; only a table or a tabular `let` can be the source",
                        name.name
                    ),
                    span,
                )
                .with_secondary(def, "defined here"),
            )),
            // `let s = f("T");` with `f` a function of this query: a table after all.
            Some(Binding::Scalar(e)) if !self.expanding.contains(&name.name) => match &e.kind {
                ast::ExprKind::Call { function, args } if self.is_tabular_call(function) => {
                    self.expanding.push(name.name.clone());
                    let r = self.call_source(function, args, e.span, ops);
                    self.expanding.pop();
                    r
                }
                // `let W = _GetWatchlist('w');` read as the rows it names.
                ast::ExprKind::Call { function, args }
                    if function.name == "_GetWatchlist" =>
                {
                    Ok((self.watchlist(args, e.span)?, Vec::new(), ops))
                }
                _ => Err(unsupported(
                    LowerCode::L011,
                    span,
                    format!("`{}` is a scalar `let`, not a table", name.name),
                )),
            },
            Some(_) => Err(unsupported(
                LowerCode::L011,
                span,
                format!("`{}` is a scalar `let`, not a table", name.name),
            )),
        }
    }

    /// Lowers one operator onto `stages`, with the helper stages it asked for before and
    /// after it.
    pub(crate) fn operator_into(
        &mut self,
        op: &'a ast::Operator,
        stages: &mut Vec<ir::Stage>,
    ) -> LResult<()> {
        if let ast::OperatorKind::Extend(items) = &op.kind {
            if neighbours::has_neighbour(items) {
                let new = self.extend_with_neighbours(items, op.span, stages)?;
                stages.append(&mut self.before);
                stages.extend(new);
                stages.append(&mut self.after);
                return Ok(());
            }
        }
        let stage = self.operator(op)?;
        if let Some(s) = &stage {
            // A `toscalar()` value an operator that fixes its columns read is gone after it.
            let gone = |c: &str| match &s.kind {
                ir::StageKind::Project(_)
                | ir::StageKind::Aggregate { .. }
                | ir::StageKind::Distinct(_)
                | ir::StageKind::Count => true,
                ir::StageKind::ProjectKeep(pats) => !pats.iter().any(|p| ir::glob(&p.pattern, c)),
                _ => false,
            };
            self.after.retain(|a| match &a.kind {
                ir::StageKind::ProjectAway(pats) => !pats
                    .iter()
                    .all(|p| p.pattern.starts_with(toscalar::VALUE_PREFIX) && gone(&p.pattern)),
                _ => true,
            });
        }
        stages.append(&mut self.before);
        stages.extend(stage);
        stages.append(&mut self.after);
        Ok(())
    }

    fn operator(&mut self, op: &'a ast::Operator) -> LResult<Option<ir::Stage>> {
        use ast::OperatorKind as K;
        let stage = |kind| {
            Ok(Some(ir::Stage {
                kind,
                span: op.span,
            }))
        };
        match &op.kind {
            K::Where { predicate, .. } => stage(ir::StageKind::Filter(self.predicate(predicate)?)),
            K::Extend(items) => stage(ir::StageKind::Extend(self.assignments(items, "extend")?)),
            K::Project(items) => stage(ir::StageKind::Project(self.assignments(items, "project")?)),
            K::ProjectAway(cols) => stage(ir::StageKind::ProjectAway(patterns(cols))),
            K::ProjectKeep(cols) => stage(ir::StageKind::ProjectKeep(patterns(cols))),
            K::ProjectRename(renames) => {
                let mut pairs = Vec::new();
                for r in renames {
                    let ast::ExprKind::Ident(old) = &r.old.kind else {
                        return Err(unsupported(
                            LowerCode::L012,
                            r.old.span,
                            "project-rename of an expression is not supported; name a column",
                        ));
                    };
                    pairs.push((column(&r.new), column(old)));
                }
                stage(ir::StageKind::Rename(pairs))
            }
            K::ProjectReorder(items) => {
                if let Some(i) = items.iter().find(|i| i.order.is_some()) {
                    return Err(unsupported(
                        LowerCode::L012,
                        i.span,
                        "project-reorder with a sort order (asc/desc/granny) is not supported",
                    ));
                }
                stage(ir::StageKind::Reorder(
                    items.iter().map(|i| pattern(&i.column)).collect(),
                ))
            }
            K::Summarize { aggregates, by, .. } => {
                // Hints (`hint.strategy=shuffle`, `hint.shufflekey`) tune execution only.
                let (by, aggs) = self.summarize(aggregates, by)?;
                stage(ir::StageKind::Aggregate { by, aggs })
            }
            K::Sort { by, .. } => stage(ir::StageKind::Sort(
                by.iter()
                    .map(|k| self.sort_key(k))
                    .collect::<LResult<_>>()?,
            )),
            K::Top { count, by } => {
                let n = self.count(count)?;
                stage(ir::StageKind::Top {
                    n,
                    key: self.sort_key(by)?,
                })
            }
            K::Take { count, .. } => stage(ir::StageKind::Limit(self.count(count)?)),
            K::Distinct { columns, .. } => {
                let mut cols = Vec::new();
                let mut computed = Vec::new();
                let mut names = NameGen::default();
                for item in columns {
                    let c = &item.expr;
                    match (&c.kind, item.names.as_slice()) {
                        (ast::ExprKind::Ident(n), []) if self.scalar_let(&n.name).is_none() => {
                            cols.push(column(n))
                        }
                        (ast::ExprKind::Star, _) => {
                            return Err(unsupported(
                                LowerCode::L012,
                                c.span,
                                "`distinct *` needs the table's full schema, which kqlport does not have",
                            ))
                        }
                        (_, names_written) if names_written.len() <= 1 => {
                            // `distinct tostring(x)`: compute the column first, as KQL names it.
                            let name = match names_written.first() {
                                Some(n) => n.name.clone(),
                                None => names.for_expr(c),
                            };
                            names.taken(&name);
                            let col = ir::Column {
                                name,
                                span: item.span,
                            };
                            computed.push(ir::Assignment {
                                name: col.clone(),
                                expr: self.expr(c)?,
                            });
                            cols.push(col);
                        }
                        _ => {
                            return Err(unsupported(
                                LowerCode::L012,
                                item.span,
                                "tuple names in `distinct` are not supported",
                            ))
                        }
                    }
                }
                if !computed.is_empty() {
                    self.before.push(ir::Stage {
                        kind: ir::StageKind::Extend(computed),
                        span: op.span,
                    });
                }
                stage(ir::StageKind::Distinct(cols))
            }
            K::Count => stage(ir::StageKind::Count),
            // An anti-join with a datatable of no rows keeps every row as it is.
            K::Join(j) if self.anti_join_of_empty_datatable(j) => Ok(None),
            K::Join(j) => stage(self.join(j, op.span)?),
            K::Lookup(j) => stage(self.lookup(j, op.span)?),
            K::MakeSeries(_) => self.make_series_refusal(op.span),
            K::Evaluate(ast::Evaluate {
                params,
                plugin:
                    ast::Expr {
                        kind: ast::ExprKind::Call { function, args },
                        ..
                    },
                schema: None,
            }) if function.name == "ipv4_lookup" && params.is_empty() => {
                stage(self.ipv4_lookup(args, op.span)?)
            }
            K::Evaluate(ev) => self.evaluate_refusal(ev, op.span),
            K::MvExpand(m) => stage(self.mv_expand(m)?),
            K::MvApply {
                params,
                items,
                limit,
                subquery,
            } => stage(self.mv_apply(params, items, limit, subquery)?),
            K::Parse {
                filter,
                params,
                source,
                pattern,
            } => stage(self.parse(*filter, params, source, pattern)?),
            K::Serialize(items) if items.is_empty() => Ok(None),
            K::As { .. } => Ok(None),
            K::Render { .. } => {
                self.warnings.push(Diagnostic::warning(
                    LowerCode::L100,
                    "`render` only chooses a chart; it was dropped (rows are unchanged)",
                    op.span,
                ));
                Ok(None)
            }
            other => Err(unsupported(
                LowerCode::L013,
                op.span,
                format!(
                    "`{}` is not supported yet; {SUPPORTED}",
                    operator_name(other)
                ),
            )),
        }
    }

    fn count(&mut self, e: &'a ast::Expr) -> LResult<u64> {
        match self.literal_value(e)? {
            Some(ir::Literal::Long(n)) if n >= 0 => Ok(n as u64),
            _ => Err(unsupported(
                LowerCode::L014,
                e.span,
                "the row count must be a non-negative whole-number constant",
            )),
        }
    }

    fn sort_key(&mut self, k: &'a ast::SortKey) -> LResult<ir::SortKey> {
        let dir = match k.order {
            Some(ast::SortOrder::Asc) => ir::SortDir::Asc,
            Some(ast::SortOrder::Desc) | None => ir::SortDir::Desc,
        };
        let nulls = match k.nulls {
            Some(ast::NullsOrder::First) => ir::Nulls::First,
            Some(ast::NullsOrder::Last) => ir::Nulls::Last,
            None => ir::Nulls::default_for(dir),
        };
        Ok(ir::SortKey {
            expr: self.expr(&k.expr)?,
            dir,
            nulls,
        })
    }

    /// `extend`/`project` items: `name = expr`, or an unnamed expression named as KQL names it.
    fn assignments(
        &mut self,
        items: &'a [ast::NamedExpr],
        operator: &str,
    ) -> LResult<Vec<ir::Assignment>> {
        Ok(self
            .named_items(items, operator, |this, e| this.expr(e))?
            .into_iter()
            .map(|(name, expr)| ir::Assignment { name, expr })
            .collect())
    }

    /// The items of an `extend`/`project`, each with the name KQL gives it and its value as
    /// `value` lowers it.
    fn named_items<T>(
        &mut self,
        items: &'a [ast::NamedExpr],
        operator: &str,
        mut value: impl FnMut(&mut Self, &'a ast::Expr) -> LResult<T>,
    ) -> LResult<Vec<(ir::Column, T)>> {
        let mut names = NameGen::default();
        let mut out = Vec::new();
        for item in items {
            let name = match item.names.as_slice() {
                [] => names.for_expr(&item.expr),
                [one] => one.name.clone(),
                _ => {
                    return Err(unsupported(
                        LowerCode::L015,
                        item.span,
                        format!("tuple assignment in `{operator}` is not supported"),
                    ))
                }
            };
            // In `project`, a name already given by an earlier item gets a numeric suffix
            // (`project N, round(N)` is `N, N1`; `project N, N1=2, abs(N)`… likewise); in
            // `extend` the later item replaces the column (Kusto.Language).
            let name = if operator == "project" {
                names.unique(&name)
            } else {
                names.taken(&name);
                name
            };
            out.push((
                ir::Column {
                    name,
                    span: item.names.first().map_or(item.span, |n| n.span),
                },
                value(self, &item.expr)?,
            ));
        }
        Ok(out)
    }
}

/// A tabular source as flattening finds it: the source, stages already lowered (a function
/// body), then the operators still to lower.
type Flat<'a> = (ir::Source, Vec<ir::Stage>, Vec<&'a ast::Operator>);

fn is_tabular(e: &ast::Expr) -> bool {
    matches!(e.kind, ast::ExprKind::Pipeline(_))
}

impl Lowerer<'_> {
    pub(crate) fn note(
        &mut self,
        span: Span,
        effect: crate::backend::Effect,
        message: impl Into<String>,
    ) {
        self.notes.push(crate::backend::Note {
            span,
            effect,
            message: message.into(),
        });
    }
}

pub(crate) fn column(n: &ast::Name) -> ir::Column {
    ir::Column {
        name: n.name.clone(),
        span: n.span,
    }
}

fn pattern(p: &ast::ColumnPattern) -> ir::ColumnPattern {
    ir::ColumnPattern {
        pattern: p.pattern.clone(),
        span: p.span,
    }
}

fn patterns(ps: &[ast::ColumnPattern]) -> Vec<ir::ColumnPattern> {
    ps.iter().map(pattern).collect()
}

/// Why a call that is no function of the query cannot be the source: an ASIM parser (its
/// filtering parameters work inside the parser) or another stored function or watchlist.
fn call_source_refusal(name: &str) -> String {
    let asim = ["im", "_Im_", "_ASim_", "ASim"].iter().any(|p| {
        name.strip_prefix(p)
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| c.is_ascii_uppercase())
    });
    if asim {
        format!(
            "`{name}(…)` calls an ASIM parser function whose filtering parameters kqlport \
             does not know (it knows those of {known}); it reads `{name}` only as a table name \
             (mapped by the pipeline where it says so): write the parameters as `where` tests \
             after `{name}`",
            known = asim::known_parsers().join(", ")
        )
    } else {
        format!(
            "the query reads from `{name}(…)`, a function stored in the workspace or a \
             watchlist, whose definition kqlport does not have; only a table or a function \
             the query defines can be translated"
        )
    }
}

fn source_name(kind: &ast::SourceKind) -> &'static str {
    match kind {
        ast::SourceKind::Expr(_) => "expression",
        ast::SourceKind::Union(_) => "union",
        ast::SourceKind::Datatable(_) => "datatable",
        ast::SourceKind::ExternalData(_) => "externaldata",
        ast::SourceKind::Range(_) => "range",
        ast::SourceKind::Print(_) => "print",
        ast::SourceKind::Find(_) => "find",
        ast::SourceKind::Search(_) => "search",
        ast::SourceKind::Evaluate(_) => "evaluate",
    }
}

/// The operator's KQL name, for messages.
pub fn operator_name(kind: &ast::OperatorKind) -> &'static str {
    use ast::OperatorKind as K;
    match kind {
        K::Where { keyword, .. } => match keyword {
            ast::WhereKeyword::Where => "where",
            ast::WhereKeyword::Filter => "filter",
        },
        K::Project(_) => "project",
        K::ProjectAway(_) => "project-away",
        K::ProjectKeep(_) => "project-keep",
        K::ProjectRename(_) => "project-rename",
        K::ProjectReorder(_) => "project-reorder",
        K::Extend(_) => "extend",
        K::Summarize { .. } => "summarize",
        K::Sort { .. } => "sort",
        K::Top { .. } => "top",
        K::TopNested(_) => "top-nested",
        K::TopHitters { .. } => "top-hitters",
        K::Take { .. } => "take",
        K::Sample(_) => "sample",
        K::SampleDistinct { .. } => "sample-distinct",
        K::Distinct { .. } => "distinct",
        K::Count => "count",
        K::Join(_) => "join",
        K::Lookup(_) => "lookup",
        K::Union(_) => "union",
        K::MvExpand(_) => "mv-expand",
        K::MvApply { .. } => "mv-apply",
        K::Parse { filter: false, .. } => "parse",
        K::Parse { filter: true, .. } => "parse-where",
        K::ParseKv { .. } => "parse-kv",
        K::MakeSeries(_) => "make-series",
        K::Evaluate(_) => "evaluate",
        K::Render { .. } => "render",
        K::Invoke(_) => "invoke",
        K::As { .. } => "as",
        K::Serialize(_) => "serialize",
        K::GetSchema => "getschema",
        K::Consume(_) => "consume",
        K::Search(_) => "search",
        K::Find(_) => "find",
        K::Fork(_) => "fork",
        K::Facet { .. } => "facet",
        K::Partition { .. } => "partition",
        K::Reduce { .. } => "reduce",
        K::Scan(_) => "scan",
    }
}
