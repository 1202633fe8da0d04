//! Builds the typed AST from pest's parse tree: one small `build_<rule>` function per rule.
//! Owns the decoding of literals (string escapes, timespans, numbers). Never reports syntax
//! errors of its own except the recursion guard: the grammar has already accepted the input.

use super::ast::*;
use super::grammar::Rule;
use crate::codes::ParseCode;
use crate::diag::Diagnostic;
use crate::source::Span;
use pest::iterators::{Pair, Pairs};
use std::cell::Cell;
use std::iter::Peekable;

type P<'i> = Pair<'i, Rule>;
pub(crate) type BResult<T> = Result<T, Box<Diagnostic>>;

/// Deepest nesting of expressions / pipelines the builder follows before giving up.
const MAX_BUILD_DEPTH: u32 = 400;
/// Most operators along one path of nested expressions. An expression tree is about as deep
/// as its operator chain, and deep trees overflow the stack when they are dropped, printed or
/// compared, so the builder refuses them.
const MAX_EXPR_WEIGHT: usize = 1000;
/// Longest run of unary signs (`- - - x`) accepted: each one is a recursion in the Pratt parser.
const MAX_PREFIX_RUN: usize = 64;

/// Parameters, items, `limit` and (mv-apply) subquery of mv-expand / mv-apply.
type MvParts = (Vec<Param>, Vec<MvItem>, Option<Expr>, Option<Subquery>);

pub(crate) struct Builder {
    depth: Cell<u32>,
    /// Sum of operator counts of the expressions being built on the current path.
    weight: Cell<usize>,
}

/// The whitespace and comments of the text being built (see [`span`]).
#[derive(Default)]
struct Trivia {
    /// Maximal runs of whitespace and comments, sorted.
    runs: Vec<(usize, usize)>,
    /// Whether each byte of the text is in one of `runs`: most spans end on a token, and this
    /// answers them without a search.
    inside: Vec<bool>,
}

thread_local! {
    static TRIVIA: std::cell::RefCell<Trivia> = std::cell::RefCell::new(Trivia::default());
}

/// Installs the trivia runs of `text` (from the pre-scan) for [`span`] (and clears them when
/// dropped).
pub(crate) struct TriviaScope;
impl TriviaScope {
    pub(crate) fn new(text: &str, runs: super::errors::TriviaRuns) -> Self {
        let mut inside = vec![false; text.len()];
        for &(s, e) in &runs {
            inside[s..e].fill(true);
        }
        TRIVIA.with(|t| *t.borrow_mut() = Trivia { runs, inside });
        TriviaScope
    }
}
impl Drop for TriviaScope {
    fn drop(&mut self) {
        TRIVIA.with(|t| *t.borrow_mut() = Trivia::default());
    }
}

/// The span of a pair without the whitespace and comments pest skips after its last token.
fn span(p: &P) -> Span {
    let s = p.as_span();
    let (start, mut end) = (s.start(), s.end());
    if end > start {
        TRIVIA.with(|t| {
            let t = t.borrow();
            // `end` is inside a run exactly when the byte before it is.
            if !t.inside.get(end - 1).copied().unwrap_or(false) {
                return;
            }
            let i = t.runs.partition_point(|r| r.1 < end);
            if let Some(&(rs, re)) = t.runs.get(i) {
                if rs < end && end <= re {
                    end = rs.max(start);
                }
            }
        });
    }
    Span::new(start, end)
}

/// An internal error: the tree lacks a node the grammar guarantees.
fn missing(what: &str, sp: Span) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            ParseCode::P099,
            format!("internal parser error: {what}"),
            sp,
        )
        .with_label("the parser could not build this part of the query"),
    )
}

fn bug(p: &P, what: &str) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            ParseCode::P099,
            format!(
                "internal parser error: unexpected {what} ({:?})",
                p.as_rule()
            ),
            span(p),
        )
        .with_label("the parser could not build this part of the query"),
    )
}

struct WeightGuard<'a>(&'a Cell<usize>, usize);
impl Drop for WeightGuard<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() - self.1);
    }
}

fn is_primary(r: Rule) -> bool {
    matches!(
        r,
        Rule::paren_expr
            | Rule::dynamic_lit
            | Rule::datetime_lit
            | Rule::timespan_fn
            | Rule::typed_lit
            | Rule::string_lit
            | Rule::timespan_lit
            | Rule::number
            | Rule::bool_lit
            | Rule::star
            | Rule::call
            | Rule::bracketed_name
            | Rule::ident
    )
}

/// Where an operator sits in an expression.
#[derive(Clone, Copy)]
enum Fixity {
    Prefix,
    Infix,
    Postfix,
}

/// KQL precedence, loosest first: `or`, `and`, comparisons and string operators (incl. `in`,
/// `has_any`, `between`), `+ -`, `* / %`, unary sign, then member access and indexing. All
/// binary operators associate to the left. `None` for an operand.
fn binding(r: Rule) -> Option<(Fixity, u32)> {
    use Fixity::*;
    Some(match r {
        Rule::op_or => (Infix, 20),
        Rule::op_and => (Infix, 30),
        Rule::op_cmp => (Infix, 40),
        Rule::in_suffix | Rule::list_suffix | Rule::between_suffix => (Postfix, 40),
        Rule::op_add | Rule::op_sub => (Infix, 50),
        Rule::op_mul | Rule::op_div | Rule::op_mod => (Infix, 60),
        Rule::neg | Rule::pos => (Prefix, 70),
        Rule::member | Rule::index | Rule::dot_index => (Postfix, 80),
        _ => return None,
    })
}

struct DepthGuard<'a>(&'a Cell<u32>);
impl Drop for DepthGuard<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

impl Builder {
    pub(crate) fn new() -> Self {
        Builder {
            depth: Cell::new(0),
            weight: Cell::new(0),
        }
    }

    fn enter(&self, p: &P) -> BResult<DepthGuard<'_>> {
        let d = self.depth.get() + 1;
        if d > MAX_BUILD_DEPTH {
            return Err(Box::new(
                Diagnostic::error(
                    ParseCode::P004,
                    "the query is nested too deeply",
                    Span::new(span(p).start, span(p).start),
                )
                .with_label("nesting limit reached here"),
            ));
        }
        self.depth.set(d);
        Ok(DepthGuard(&self.depth))
    }

    // -------------------------------------------------------------------- statements

    pub(crate) fn build_query(&self, p: P) -> BResult<Query> {
        let sp = span(&p);
        let children = p.into_inner();
        let mut statements = Vec::with_capacity(children.len());
        for c in children {
            if c.as_rule() != Rule::EOI {
                statements.push(self.build_statement(c)?);
            }
        }
        Ok(Query {
            statements,
            span: sp,
        })
    }

    fn build_statement(&self, p: P) -> BResult<Statement> {
        let sp = span(&p);
        let kind = match p.as_rule() {
            Rule::let_stmt => self.build_let(p)?,
            Rule::set_stmt => self.build_set(p)?,
            Rule::declare_stmt => {
                let params = p
                    .into_inner()
                    .filter(|c| c.as_rule() == Rule::parameter)
                    .map(|c| self.build_parameter(c))
                    .collect::<BResult<_>>()?;
                StatementKind::DeclareQueryParameters(params)
            }
            Rule::expr_stmt => {
                let t = first(p.clone())?;
                StatementKind::Expr(self.build_tabular(t)?)
            }
            _ => return Err(bug(&p, "statement")),
        };
        Ok(Statement { kind, span: sp })
    }

    fn build_let(&self, p: P) -> BResult<StatementKind> {
        let mut it = p.into_inner().skip(1); // kw_let
        let name = build_name(next(&mut it)?)?;
        let v = next(&mut it)?;
        let value = match v.as_rule() {
            Rule::lambda => LetValue::Lambda(self.build_lambda(v)?),
            Rule::view_def => LetValue::View(self.build_lambda(v)?),
            _ => LetValue::Expr(self.build_tabular(v)?),
        };
        Ok(StatementKind::Let { name, value })
    }

    fn build_lambda(&self, p: P) -> BResult<Lambda> {
        let _g = self.enter(&p)?;
        let sp = span(&p);
        let mut params = Vec::new();
        let mut body = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::lambda_params => {
                    for q in c.into_inner() {
                        params.push(self.build_parameter(q)?);
                    }
                }
                Rule::block => {
                    for s in c.into_inner() {
                        body.push(self.build_statement(s)?);
                    }
                }
                _ => {}
            }
        }
        Ok(Lambda {
            params,
            body,
            span: sp,
        })
    }

    fn build_parameter(&self, p: P) -> BResult<Parameter> {
        let sp = span(&p);
        let mut it = p.into_inner();
        let name = build_name(next(&mut it)?)?;
        let t = next(&mut it)?;
        let ty = match t.as_rule() {
            Rule::tabular_schema => TypeSpec::Tabular(build_schema(t)?),
            _ => TypeSpec::Scalar(build_word(&t)),
        };
        let default = it.next().map(|e| self.build_expr(e)).transpose()?;
        Ok(Parameter {
            name,
            ty,
            default,
            span: sp,
        })
    }

    fn build_set(&self, p: P) -> BResult<StatementKind> {
        let mut it = p.into_inner().skip(1);
        let name = build_word(&next(&mut it)?);
        let value = it.next().map(|e| self.build_expr(e)).transpose()?;
        Ok(StatementKind::Set { name, value })
    }

    // -------------------------------------------------------------------- tabular

    /// A `tabular` pair: a bare expression stays an expression; anything with operators or a
    /// tabular-only source becomes an [`ExprKind::Pipeline`].
    fn build_tabular(&self, p: P) -> BResult<Expr> {
        let _g = self.enter(&p)?;
        let sp = span(&p);
        let mut it = p.into_inner();
        let src = next(&mut it)?;
        let ssp = span(&src);
        let source_kind = match src.as_rule() {
            Rule::expr => {
                let e = self.build_expr(src)?;
                if it.peek().is_none() {
                    return Ok(e);
                }
                SourceKind::Expr(e)
            }
            Rule::op_union => SourceKind::Union(self.build_union(src)?),
            Rule::src_datatable => SourceKind::Datatable(self.build_datatable(src)?),
            Rule::src_externaldata => SourceKind::ExternalData(self.build_externaldata(src)?),
            Rule::src_range => SourceKind::Range(self.build_range(src)?),
            Rule::src_print => SourceKind::Print(self.build_named_list(src.into_inner().skip(1))?),
            Rule::op_find => SourceKind::Find(self.build_find(src)?),
            Rule::op_search => SourceKind::Search(self.build_search(src)?),
            Rule::op_evaluate => SourceKind::Evaluate(self.build_evaluate(src)?),
            _ => return Err(bug(&src, "pipeline source")),
        };
        let operators = it.map(|o| self.build_operator(o)).collect::<BResult<_>>()?;
        Ok(Expr {
            kind: ExprKind::Pipeline(Box::new(Pipeline {
                source: Source {
                    kind: source_kind,
                    span: ssp,
                },
                operators,
                span: sp,
            })),
            span: sp,
        })
    }

    fn build_operator(&self, p: P) -> BResult<Operator> {
        let _g = self.enter(&p)?;
        let sp = span(&p);
        let rule = p.as_rule();
        let kind = match rule {
            Rule::op_where => self.build_where(p)?,
            Rule::op_project => {
                OperatorKind::Project(self.build_named_list(p.into_inner().skip(1))?)
            }
            Rule::op_extend => OperatorKind::Extend(self.build_named_list(p.into_inner().skip(1))?),
            Rule::op_project_away => {
                OperatorKind::ProjectAway(build_patterns(p.into_inner().skip(1))?)
            }
            Rule::op_project_keep => {
                OperatorKind::ProjectKeep(build_patterns(p.into_inner().skip(1))?)
            }
            Rule::op_project_rename => OperatorKind::ProjectRename(
                p.into_inner()
                    .skip(1)
                    .map(|r| self.build_rename(r))
                    .collect::<BResult<_>>()?,
            ),
            Rule::op_project_reorder => OperatorKind::ProjectReorder(
                p.into_inner()
                    .skip(1)
                    .map(build_reorder_item)
                    .collect::<BResult<_>>()?,
            ),
            Rule::op_summarize => self.build_summarize(p)?,
            Rule::op_sort => self.build_sort(p)?,
            Rule::op_top => self.build_top(p)?,
            Rule::op_top_nested => OperatorKind::TopNested(
                p.into_inner()
                    .map(|l| self.build_top_nested_level(l))
                    .collect::<BResult<_>>()?,
            ),
            Rule::op_top_hitters => self.build_top_hitters(p)?,
            Rule::op_take => self.build_take(p)?,
            Rule::op_sample => OperatorKind::Sample(self.build_expr(nth(p, 1)?)?),
            Rule::op_sample_distinct => {
                let mut it = p.into_inner().filter(|c| c.as_rule() == Rule::expr);
                let count = self.build_expr(next(&mut it)?)?;
                let of = self.build_expr(next(&mut it)?)?;
                OperatorKind::SampleDistinct { count, of }
            }
            Rule::op_distinct => self.build_distinct(p)?,
            Rule::op_count => OperatorKind::Count,
            Rule::op_join => OperatorKind::Join(self.build_join(p)?),
            Rule::op_lookup => OperatorKind::Lookup(self.build_join(p)?),
            Rule::op_union => OperatorKind::Union(self.build_union(p)?),
            Rule::op_mv_expand => self.build_mv_expand(p)?,
            Rule::op_mv_apply => self.build_mv_apply(p)?,
            Rule::op_parse => self.build_parse(p)?,
            Rule::op_parse_kv => self.build_parse_kv(p)?,
            Rule::op_make_series => self.build_make_series(p)?,
            Rule::op_evaluate => OperatorKind::Evaluate(self.build_evaluate(p)?),
            Rule::op_render => self.build_render(p)?,
            Rule::op_invoke => OperatorKind::Invoke(self.build_expr(nth(p, 1)?)?),
            Rule::op_as => {
                let mut params = Vec::new();
                let mut name = None;
                for c in p.into_inner().skip(1) {
                    match c.as_rule() {
                        Rule::op_param => params.push(self.build_param(c)?),
                        _ => name = Some(build_name(c)?),
                    }
                }
                let name = name.ok_or_else(|| missing("missing name", sp))?;
                OperatorKind::As { params, name }
            }
            Rule::op_serialize => {
                OperatorKind::Serialize(self.build_named_list(p.into_inner().skip(1))?)
            }
            Rule::op_getschema => OperatorKind::GetSchema,
            Rule::op_consume => OperatorKind::Consume(self.build_params(p.into_inner())?),
            Rule::op_search => OperatorKind::Search(self.build_search(p)?),
            Rule::op_find => OperatorKind::Find(self.build_find(p)?),
            Rule::op_fork => OperatorKind::Fork(
                p.into_inner()
                    .skip(1)
                    .map(|b| self.build_fork_branch(b))
                    .collect::<BResult<_>>()?,
            ),
            Rule::op_facet => self.build_facet(p)?,
            Rule::op_partition => self.build_partition(p)?,
            Rule::op_reduce => self.build_reduce(p)?,
            Rule::op_scan => OperatorKind::Scan(self.build_scan(p)?),
            _ => return Err(bug(&p, "operator")),
        };
        Ok(Operator { kind, span: sp })
    }

    fn build_rename(&self, p: P) -> BResult<Rename> {
        let sp = span(&p);
        let mut it = p.into_inner();
        let new = build_name(next(&mut it)?)?;
        let old = self.build_expr(next(&mut it)?)?;
        Ok(Rename { new, old, span: sp })
    }

    fn build_where(&self, p: P) -> BResult<OperatorKind> {
        let mut it = p.into_inner();
        let kw = next(&mut it)?;
        let keyword = if kw.as_str().starts_with("filter") {
            WhereKeyword::Filter
        } else {
            WhereKeyword::Where
        };
        let predicate = self.build_expr(next(&mut it)?)?;
        Ok(OperatorKind::Where { keyword, predicate })
    }

    fn build_named_list<'i>(&self, pairs: impl Iterator<Item = P<'i>>) -> BResult<Vec<NamedExpr>> {
        // Sized up front (the children are nearly all items): no regrowth on long lists.
        let mut out = Vec::with_capacity(pairs.size_hint().0);
        for c in pairs.filter(|c| c.as_rule() == Rule::named_expr) {
            out.push(self.build_named_expr(c)?);
        }
        Ok(out)
    }

    fn build_named_expr(&self, p: P) -> BResult<NamedExpr> {
        let sp = span(&p);
        let children = p.into_inner();
        if children.len() == 1 {
            if let Some(c) = children.peek().filter(|c| c.as_rule() == Rule::name) {
                // A lone name (the grammar's shortcut): the tree its `expr` would have built.
                return Ok(NamedExpr {
                    names: Vec::new(),
                    expr: self.build_lone_name(c)?,
                    span: sp,
                });
            }
        }
        let mut names = Vec::new();
        let mut expr = None;
        for c in children {
            match c.as_rule() {
                Rule::name => names.push(build_name(c)?),
                Rule::name_tuple => {
                    for n in c.into_inner() {
                        names.push(build_name(n)?);
                    }
                }
                Rule::assign => {}
                Rule::expr => expr = Some(self.build_expr(c)?),
                _ => return Err(bug(&c, "named expression part")),
            }
        }
        let expr = expr.ok_or_else(|| missing("missing expression", sp))?;
        Ok(NamedExpr {
            names,
            expr,
            span: sp,
        })
    }

    fn build_param(&self, p: P) -> BResult<Param> {
        let sp = span(&p);
        let mut it = p.into_inner();
        let name = next(&mut it)?.as_str().to_string();
        let v = next(&mut it)?;
        let value = self.build_param_value(v)?;
        Ok(Param {
            name,
            value,
            span: sp,
        })
    }

    fn build_param_value(&self, v: P) -> BResult<Expr> {
        let vsp = span(&v);
        match v.as_rule() {
            Rule::word_value => Ok(Expr {
                kind: ExprKind::Ident(build_word(&v)),
                span: vsp,
            }),
            _ => self.build_primary(v),
        }
    }

    fn build_params<'i>(&self, pairs: Pairs<'i, Rule>) -> BResult<Vec<Param>> {
        pairs
            .filter(|c| matches!(c.as_rule(), Rule::op_param | Rule::hint_param))
            .map(|c| self.build_param(c))
            .collect()
    }

    fn build_summarize(&self, p: P) -> BResult<OperatorKind> {
        let mut params = Vec::new();
        let mut aggregates = Vec::new();
        let mut by = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::hint_param => params.push(self.build_param(c)?),
                Rule::summarize_aggs => aggregates = self.build_named_list(c.into_inner())?,
                Rule::summarize_by => by = self.build_named_list(c.into_inner())?,
                _ => {}
            }
        }
        Ok(OperatorKind::Summarize {
            params,
            aggregates,
            by,
        })
    }

    fn build_sort(&self, p: P) -> BResult<OperatorKind> {
        let mut keyword = SortKeyword::Sort;
        let mut params = Vec::new();
        let mut by = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::sort_kw if c.as_str().starts_with("order") => keyword = SortKeyword::Order,
                Rule::hint_param => params.push(self.build_param(c)?),
                Rule::sort_key => by.push(self.build_sort_key(c)?),
                _ => {}
            }
        }
        Ok(OperatorKind::Sort {
            keyword,
            params,
            by,
        })
    }

    fn build_sort_key(&self, p: P) -> BResult<SortKey> {
        let sp = span(&p);
        let mut expr = None;
        let mut order = None;
        let mut nulls = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::expr => expr = Some(self.build_expr(c)?),
                Rule::sort_dir => order = Some(build_sort_dir(&c)),
                Rule::nulls => {
                    nulls = Some(if c.as_str().trim_end().ends_with("first") {
                        NullsOrder::First
                    } else {
                        NullsOrder::Last
                    })
                }
                _ => {}
            }
        }
        let expr = expr.ok_or_else(|| missing("missing sort key", sp))?;
        Ok(SortKey {
            expr,
            order,
            nulls,
            span: sp,
        })
    }

    fn build_top(&self, p: P) -> BResult<OperatorKind> {
        let mut count = None;
        let mut by = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::expr => count = Some(self.build_expr(c)?),
                Rule::sort_key => by = Some(self.build_sort_key(c)?),
                _ => {}
            }
        }
        match (count, by) {
            (Some(count), Some(by)) => Ok(OperatorKind::Top { count, by }),
            _ => Err(missing("malformed top", Span::default())),
        }
    }

    fn build_top_nested_level(&self, p: P) -> BResult<TopNestedLevel> {
        let sp = span(&p);
        let mut count = None;
        let mut named = Vec::new();
        let mut others = None;
        let mut order = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::expr => count = Some(self.build_expr(c)?),
                Rule::named_expr => named.push(self.build_named_expr(c)?),
                Rule::top_nested_others => {
                    let e = c.into_inner().find(|x| x.as_rule() == Rule::expr);
                    others = e.map(|e| self.build_expr(e)).transpose()?;
                }
                Rule::sort_dir => order = Some(build_sort_dir(&c)),
                _ => {}
            }
        }
        let mut named = named.into_iter();
        match (named.next(), named.next()) {
            (Some(of), Some(by)) => Ok(TopNestedLevel {
                count,
                of,
                others,
                by,
                order,
                span: sp,
            }),
            _ => Err(missing("malformed top-nested", sp)),
        }
    }

    fn build_top_hitters(&self, p: P) -> BResult<OperatorKind> {
        let sp = span(&p);
        let mut exprs = p
            .into_inner()
            .filter(|c| c.as_rule() == Rule::expr)
            .map(|c| self.build_expr(c))
            .collect::<BResult<Vec<_>>>()?
            .into_iter();
        match (exprs.next(), exprs.next()) {
            (Some(count), Some(of)) => Ok(OperatorKind::TopHitters {
                count,
                of,
                by: exprs.next(),
            }),
            _ => Err(missing("malformed top-hitters", sp)),
        }
    }

    fn build_take(&self, p: P) -> BResult<OperatorKind> {
        let mut it = p.into_inner();
        let kw = next(&mut it)?;
        let keyword = if kw.as_str().starts_with("limit") {
            TakeKeyword::Limit
        } else {
            TakeKeyword::Take
        };
        let count = self.build_expr(next(&mut it)?)?;
        Ok(OperatorKind::Take { keyword, count })
    }

    fn build_distinct(&self, p: P) -> BResult<OperatorKind> {
        let mut params = Vec::new();
        let mut columns = Vec::new();
        for c in p.into_inner().skip(1) {
            match c.as_rule() {
                Rule::hint_param => params.push(self.build_param(c)?),
                Rule::named_expr => columns.push(self.build_named_expr(c)?),
                _ => {}
            }
        }
        Ok(OperatorKind::Distinct { params, columns })
    }

    fn build_join(&self, p: P) -> BResult<Join> {
        let sp = span(&p);
        let mut params = Vec::new();
        let mut right = None;
        let mut on = Vec::new();
        for c in p.into_inner().skip(1) {
            match c.as_rule() {
                Rule::op_param => params.push(self.build_param(c)?),
                Rule::expr => right = Some(self.build_expr(c)?),
                Rule::join_on => {
                    for e in c.into_inner().skip(1) {
                        on.push(self.build_expr(e)?);
                    }
                }
                _ => {}
            }
        }
        let right = right.ok_or_else(|| missing("missing join side", sp))?;
        Ok(Join { params, right, on })
    }

    fn build_union(&self, p: P) -> BResult<Union> {
        let mut params = Vec::new();
        let mut tables = Vec::new();
        for c in p.into_inner().skip(1) {
            match c.as_rule() {
                Rule::op_param => params.push(self.build_param(c)?),
                _ => tables.push(self.build_union_item(c)?),
            }
        }
        Ok(Union { params, tables })
    }

    fn build_union_item(&self, c: P) -> BResult<UnionItem> {
        Ok(match c.as_rule() {
            Rule::table_wildcard => UnionItem::Wildcard(ColumnPattern {
                pattern: c.as_str().to_string(),
                bracketed: false,
                span: span(&c),
            }),
            _ => UnionItem::Expr(self.build_expr(c)?),
        })
    }

    fn build_mv_items<'i>(&self, pairs: Pairs<'i, Rule>) -> BResult<MvParts> {
        let mut params = Vec::new();
        let mut items = Vec::new();
        let mut limit = None;
        let mut sub = None;
        for c in pairs {
            match c.as_rule() {
                Rule::op_param => params.push(self.build_param(c)?),
                Rule::mv_item => items.push(self.build_mv_item(c)?),
                Rule::mv_limit => limit = Some(self.build_expr(nth(c, 1)?)?),
                Rule::subquery => sub = Some(self.build_subquery(c)?),
                _ => {}
            }
        }
        Ok((params, items, limit, sub))
    }

    fn build_mv_expand(&self, p: P) -> BResult<OperatorKind> {
        let mut it = p.into_inner();
        let kw = next(&mut it)?;
        let keyword = if kw.as_str().starts_with("mvexpand") {
            MvExpandKeyword::Mvexpand
        } else {
            MvExpandKeyword::MvExpand
        };
        let (params, items, limit, _) = self.build_mv_items(it)?;
        Ok(OperatorKind::MvExpand(MvExpand {
            keyword,
            params,
            items,
            limit,
        }))
    }

    fn build_mv_apply(&self, p: P) -> BResult<OperatorKind> {
        let sp = span(&p);
        let (params, items, limit, sub) = self.build_mv_items(p.into_inner())?;
        let subquery = sub.ok_or_else(|| missing("missing subquery", sp))?;
        Ok(OperatorKind::MvApply {
            params,
            items,
            limit,
            subquery,
        })
    }

    fn build_mv_item(&self, p: P) -> BResult<MvItem> {
        let sp = span(&p);
        let mut names = Vec::new();
        let mut expr = None;
        let mut to_type = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::name => names.push(build_name(c)?),
                Rule::name_tuple => {
                    for n in c.into_inner() {
                        names.push(build_name(n)?);
                    }
                }
                Rule::expr => expr = Some(self.build_expr(c)?),
                Rule::mv_to_type => {
                    let t = c.into_inner().find(|x| x.as_rule() == Rule::type_name);
                    to_type = t.map(|t| build_word(&t));
                }
                _ => {}
            }
        }
        let expr = expr.ok_or_else(|| missing("missing expression", sp))?;
        Ok(MvItem {
            names,
            expr,
            to_type,
            span: sp,
        })
    }

    fn build_subquery(&self, p: P) -> BResult<Subquery> {
        let _g = self.enter(&p)?;
        let sp = span(&p);
        let inner = first(p)?;
        let kind = match inner.as_rule() {
            Rule::sub_ops => SubqueryKind::Operators(
                inner
                    .into_inner()
                    .map(|o| self.build_operator(o))
                    .collect::<BResult<_>>()?,
            ),
            Rule::tabular => SubqueryKind::Expr(Box::new(self.build_tabular(inner)?)),
            _ => return Err(bug(&inner, "subquery")),
        };
        Ok(Subquery { kind, span: sp })
    }

    fn build_parse(&self, p: P) -> BResult<OperatorKind> {
        let sp = span(&p);
        let mut filter = false;
        let mut params = Vec::new();
        let mut source = None;
        let mut pattern = Vec::new();
        for c in p.into_inner() {
            let csp = span(&c);
            match c.as_rule() {
                Rule::parse_kw => filter = c.as_str().starts_with("parse-where"),
                Rule::op_param => params.push(self.build_param(c)?),
                Rule::expr => source = Some(self.build_expr(c)?),
                Rule::parse_star => pattern.push(ParsePart::Wildcard(csp)),
                Rule::string_lit => pattern.push(ParsePart::Literal {
                    value: build_string(&c),
                    span: csp,
                }),
                Rule::parse_column => {
                    let mut it = c.into_inner();
                    let name = build_name(next(&mut it)?)?;
                    let ty = it.next().map(|t| build_word(&t));
                    pattern.push(ParsePart::Column {
                        name,
                        ty,
                        span: csp,
                    });
                }
                _ => {}
            }
        }
        let source = source.ok_or_else(|| missing("missing source", sp))?;
        Ok(OperatorKind::Parse {
            filter,
            params,
            source,
            pattern,
        })
    }

    fn build_parse_kv(&self, p: P) -> BResult<OperatorKind> {
        let sp = span(&p);
        let mut source = None;
        let mut columns = Vec::new();
        let mut properties = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::expr => source = Some(self.build_expr(c)?),
                Rule::column_decl => columns.push(build_column_decl(c)?),
                Rule::prop => properties.push(self.build_prop(c)?),
                _ => {}
            }
        }
        let source = source.ok_or_else(|| missing("missing source", sp))?;
        Ok(OperatorKind::ParseKv {
            source,
            columns,
            properties,
        })
    }

    fn build_prop(&self, p: P) -> BResult<Property> {
        let sp = span(&p);
        let mut it = p.into_inner();
        let name = build_name(next(&mut it)?)?;
        let value = self.build_expr(next(&mut it)?)?;
        Ok(Property {
            name,
            value,
            span: sp,
        })
    }

    fn build_props<'i>(&self, pairs: Pairs<'i, Rule>) -> BResult<Vec<Property>> {
        pairs
            .filter(|c| c.as_rule() == Rule::prop)
            .map(|c| self.build_prop(c))
            .collect()
    }

    fn build_make_series(&self, p: P) -> BResult<OperatorKind> {
        let sp = span(&p);
        let mut params = Vec::new();
        let mut aggregates = Vec::new();
        let mut on = None;
        let mut range = None;
        let mut by = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::op_param => params.push(self.build_param(c)?),
                Rule::series_agg => aggregates.push(self.build_series_agg(c)?),
                Rule::expr => on = Some(self.build_expr(c)?),
                Rule::series_range => range = Some(self.build_series_range(c)?),
                Rule::summarize_by => by = self.build_named_list(c.into_inner())?,
                _ => {}
            }
        }
        let on = on.ok_or_else(|| missing("missing on", sp))?;
        Ok(OperatorKind::MakeSeries(MakeSeries {
            params,
            aggregates,
            on,
            range,
            by,
        }))
    }

    fn build_series_agg(&self, p: P) -> BResult<SeriesAggregate> {
        let sp = span(&p);
        let mut names = Vec::new();
        let mut exprs = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::name => names.push(build_name(c)?),
                Rule::name_tuple => {
                    for n in c.into_inner() {
                        names.push(build_name(n)?);
                    }
                }
                Rule::expr => exprs.push(self.build_expr(c)?),
                _ => {}
            }
        }
        let mut exprs = exprs.into_iter();
        let expr = exprs
            .next()
            .ok_or_else(|| missing("missing aggregate", sp))?;
        Ok(SeriesAggregate {
            names,
            expr,
            default: exprs.next(),
            span: sp,
        })
    }

    fn build_series_range(&self, p: P) -> BResult<SeriesRange> {
        let sp = span(&p);
        let inner = first(p)?;
        let rule = inner.as_rule();
        let mut from = None;
        let mut to = None;
        let mut exprs = Vec::new();
        let mut last_kw = "";
        for c in inner.into_inner() {
            match c.as_rule() {
                Rule::kw_from => last_kw = "from",
                Rule::kw_to => last_kw = "to",
                Rule::kw_step => last_kw = "step",
                Rule::expr => {
                    let e = self.build_expr(c)?;
                    match last_kw {
                        "from" => from = Some(e),
                        "to" => to = Some(e),
                        _ => exprs.push(e),
                    }
                }
                _ => {}
            }
        }
        let mut exprs = exprs.into_iter();
        let missing = || missing("malformed make-series range", sp);
        if rule == Rule::series_in_range {
            let start = exprs.next().ok_or_else(missing)?;
            let stop = exprs.next().ok_or_else(missing)?;
            let step = exprs.next().ok_or_else(missing)?;
            Ok(SeriesRange::InRange { start, stop, step })
        } else {
            let step = exprs.next().ok_or_else(missing)?;
            Ok(SeriesRange::FromTo { from, to, step })
        }
    }

    fn build_evaluate(&self, p: P) -> BResult<Evaluate> {
        let sp = span(&p);
        let mut params = Vec::new();
        let mut plugin = None;
        let mut schema = None;
        for c in p.into_inner().skip(1) {
            match c.as_rule() {
                Rule::op_param => params.push(self.build_param(c)?),
                Rule::tabular_schema => schema = Some(build_schema(c)?),
                _ => plugin = Some(self.build_expr(c)?),
            }
        }
        let plugin = plugin.ok_or_else(|| missing("missing plugin", sp))?;
        Ok(Evaluate {
            params,
            plugin,
            schema,
        })
    }

    fn build_render(&self, p: P) -> BResult<OperatorKind> {
        let mut it = p.clone().into_inner().skip(1);
        let visualization = build_name(next(&mut it)?)?;
        let properties = self.build_props(p.into_inner())?;
        Ok(OperatorKind::Render {
            visualization,
            properties,
        })
    }

    fn build_search_parts(&self, p: P) -> BResult<(Vec<Param>, Vec<UnionItem>, Option<Expr>)> {
        let mut params = Vec::new();
        let mut tables = Vec::new();
        let mut predicate = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::op_param => params.push(self.build_param(c)?),
                Rule::search_in => {
                    for t in c.into_inner().skip(1) {
                        tables.push(self.build_union_item(t)?);
                    }
                }
                Rule::expr => predicate = Some(self.build_expr(c)?),
                _ => {}
            }
        }
        Ok((params, tables, predicate))
    }

    fn build_search(&self, p: P) -> BResult<Search> {
        let sp = span(&p);
        let (params, tables, predicate) = self.build_search_parts(p)?;
        let predicate = predicate.ok_or_else(|| missing("missing predicate", sp))?;
        Ok(Search {
            params,
            tables,
            predicate,
        })
    }

    fn build_find(&self, p: P) -> BResult<Find> {
        let sp = span(&p);
        let project = match p
            .clone()
            .into_inner()
            .find(|c| c.as_rule() == Rule::find_project)
        {
            Some(fp) => {
                let mut it = fp.into_inner();
                let kw = next(&mut it)?;
                Some(if kw.as_rule() == Rule::kw_project_smart {
                    FindProject::Smart
                } else {
                    FindProject::Columns(build_patterns(it)?)
                })
            }
            None => None,
        };
        let (params, tables, predicate) = self.build_search_parts(p)?;
        let predicate = predicate.ok_or_else(|| missing("missing predicate", sp))?;
        Ok(Find {
            params,
            tables,
            predicate,
            project,
        })
    }

    fn build_fork_branch(&self, p: P) -> BResult<ForkBranch> {
        let sp = span(&p);
        let mut name = None;
        let mut sub = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::name => name = Some(build_name(c)?),
                Rule::subquery => sub = Some(self.build_subquery(c)?),
                _ => {}
            }
        }
        let subquery = sub.ok_or_else(|| missing("missing subquery", sp))?;
        Ok(ForkBranch {
            name,
            subquery,
            span: sp,
        })
    }

    fn build_facet(&self, p: P) -> BResult<OperatorKind> {
        let mut by = Vec::new();
        let mut with = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::name => by.push(build_name(c)?),
                Rule::subquery => with = Some(self.build_subquery(c)?),
                _ => {}
            }
        }
        Ok(OperatorKind::Facet { by, with })
    }

    fn build_partition(&self, p: P) -> BResult<OperatorKind> {
        let sp = span(&p);
        let mut params = Vec::new();
        let mut by = None;
        let mut sub = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::op_param => params.push(self.build_param(c)?),
                Rule::expr => by = Some(self.build_expr(c)?),
                Rule::subquery => sub = Some(self.build_subquery(c)?),
                Rule::partition_block => {
                    let bsp = span(&c);
                    let t = first(c)?;
                    sub = Some(Subquery {
                        kind: SubqueryKind::Expr(Box::new(self.build_tabular(t)?)),
                        span: bsp,
                    });
                }
                _ => {}
            }
        }
        match (by, sub) {
            (Some(by), Some(subquery)) => Ok(OperatorKind::Partition {
                params,
                by,
                subquery,
            }),
            _ => Err(missing("malformed partition", sp)),
        }
    }

    fn build_reduce(&self, p: P) -> BResult<OperatorKind> {
        let sp = span(&p);
        let params = self.build_params(p.clone().into_inner())?;
        let by = p.clone().into_inner().find(|c| c.as_rule() == Rule::expr);
        let by = by.ok_or_else(|| missing("missing by", sp))?;
        let by = self.build_expr(by)?;
        let properties = self.build_props(p.into_inner())?;
        Ok(OperatorKind::Reduce {
            params,
            by,
            properties,
        })
    }

    fn build_scan(&self, p: P) -> BResult<Scan> {
        let mut params = Vec::new();
        let mut declare = Vec::new();
        let mut steps = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::op_param => params.push(self.build_param(c)?),
                Rule::scan_declare => {
                    for q in c.into_inner().filter(|q| q.as_rule() == Rule::parameter) {
                        declare.push(self.build_parameter(q)?);
                    }
                }
                Rule::scan_step => steps.push(self.build_scan_step(c)?),
                _ => {}
            }
        }
        Ok(Scan {
            params,
            declare,
            steps,
        })
    }

    fn build_scan_step(&self, p: P) -> BResult<ScanStep> {
        let sp = span(&p);
        let mut name = None;
        let mut optional = false;
        let mut output = None;
        let mut condition = None;
        let mut assignments = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::name => name = Some(build_name(c)?),
                Rule::scan_optional => optional = true,
                Rule::scan_output => output = Some(build_word(&first(c)?)),
                Rule::expr => condition = Some(self.build_expr(c)?),
                Rule::scan_assign => assignments.push(self.build_prop(c)?),
                _ => {}
            }
        }
        match (name, condition) {
            (Some(name), Some(condition)) => Ok(ScanStep {
                name,
                optional,
                output,
                condition,
                assignments,
                span: sp,
            }),
            _ => Err(missing("malformed scan step", sp)),
        }
    }

    fn build_datatable(&self, p: P) -> BResult<Datatable> {
        let mut columns = Vec::new();
        let mut values = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::column_decl => columns.push(build_column_decl(c)?),
                Rule::expr => values.push(self.build_expr(c)?),
                _ => {}
            }
        }
        Ok(Datatable { columns, values })
    }

    fn build_externaldata(&self, p: P) -> BResult<ExternalData> {
        let mut columns = Vec::new();
        let mut urls = Vec::new();
        let mut properties = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::column_decl => columns.push(build_column_decl(c)?),
                Rule::expr => urls.push(self.build_expr(c)?),
                Rule::prop => properties.push(self.build_prop(c)?),
                _ => {}
            }
        }
        Ok(ExternalData {
            columns,
            urls,
            properties,
        })
    }

    fn build_range(&self, p: P) -> BResult<RangeSource> {
        let sp = span(&p);
        let mut column = None;
        let mut exprs = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::name => column = Some(build_name(c)?),
                Rule::expr => exprs.push(self.build_expr(c)?),
                _ => {}
            }
        }
        let mut exprs = exprs.into_iter();
        match (column, exprs.next(), exprs.next(), exprs.next()) {
            (Some(column), Some(from), Some(to), Some(step)) => Ok(RangeSource {
                column,
                from,
                to,
                step,
            }),
            _ => Err(missing("malformed range", sp)),
        }
    }

    // -------------------------------------------------------------------- expressions

    pub(crate) fn build_expr(&self, p: P) -> BResult<Expr> {
        let _g = self.enter(&p)?;
        let mut run = 0usize;
        let mut ops = 0usize;
        let children = p.clone().into_inner();
        // A lone operand (most expressions: a column, a string in a list) needs no
        // precedence climbing: it is what the Pratt parser would map it to.
        if children.len() == 1 {
            if let Some(only) = children.peek() {
                if is_primary(only.as_rule()) {
                    return self.build_primary(only);
                }
            }
        }
        for c in children {
            if !is_primary(c.as_rule()) {
                ops += 1;
            }
            if matches!(c.as_rule(), Rule::neg | Rule::pos) {
                run += 1;
                if run > MAX_PREFIX_RUN {
                    return Err(Box::new(
                        Diagnostic::error(
                            ParseCode::P004,
                            "too many consecutive unary signs",
                            span(&c),
                        )
                        .with_label("nesting limit reached here"),
                    ));
                }
            } else {
                run = 0;
            }
        }
        let weight = self.weight.get() + ops;
        if weight > MAX_EXPR_WEIGHT {
            return Err(Box::new(
                Diagnostic::error(
                    ParseCode::P004,
                    format!(
                        "the expression is too long or too deeply nested (more than {MAX_EXPR_WEIGHT} operators)"
                    ),
                    span(&p),
                )
                .with_label("this expression is too complex")
                .with_help("split it into several `let` statements or `where` operators"),
            ));
        }
        self.weight.set(weight);
        let _w = WeightGuard(&self.weight, ops);
        self.climb(&mut p.into_inner().peekable(), 0)
    }

    /// Precedence climbing over an `expr`'s children (operands, signs and operators, in source
    /// order), loosest binding first: the algorithm of pest's Pratt parser with the table of
    /// [`binding`], written out so each step is a `match` instead of a map lookup and a boxed
    /// closure. Operands and operators are built in source order, and the first error wins.
    fn climb<'i>(&self, it: &mut Peekable<Pairs<'i, Rule>>, rbp: u32) -> BResult<Expr> {
        let first = next(it)?;
        let mut lhs = match binding(first.as_rule()) {
            Some((Fixity::Prefix, prec)) => {
                let rhs = self.climb(it, prec - 1)?;
                let sp = span(&first).to(rhs.span);
                let op = if first.as_rule() == Rule::neg {
                    UnaryOp::Neg
                } else {
                    UnaryOp::Plus
                };
                Expr {
                    kind: ExprKind::Unary {
                        op,
                        expr: Box::new(rhs),
                    },
                    span: sp,
                }
            }
            None => self.build_primary(first)?,
            Some(_) => return Err(bug(&first, "operand")),
        };
        loop {
            let lbp = match it.peek() {
                None => 0,
                Some(op) => match binding(op.as_rule()) {
                    Some((_, prec)) => prec,
                    None => return Err(bug(op, "operator")),
                },
            };
            if rbp >= lbp {
                return Ok(lhs);
            }
            let op = next(it)?;
            lhs = match binding(op.as_rule()) {
                Some((Fixity::Infix, prec)) => {
                    let rhs = self.climb(it, prec)?;
                    let sp = lhs.span.to(rhs.span);
                    let bop = match op.as_rule() {
                        Rule::op_or => BinaryOp::Or,
                        Rule::op_and => BinaryOp::And,
                        Rule::op_add => BinaryOp::Add,
                        Rule::op_sub => BinaryOp::Sub,
                        Rule::op_mul => BinaryOp::Mul,
                        Rule::op_div => BinaryOp::Div,
                        Rule::op_mod => BinaryOp::Mod,
                        _ => BinaryOp::from_spelling(op.as_str())
                            .ok_or_else(|| bug(&op, "binary operator"))?,
                    };
                    Expr {
                        kind: ExprKind::Binary {
                            op: bop,
                            lhs: Box::new(lhs),
                            rhs: Box::new(rhs),
                        },
                        span: sp,
                    }
                }
                Some((Fixity::Postfix, _)) => self.build_postfix(lhs, op)?,
                _ => return Err(bug(&op, "operator")),
            };
        }
    }

    fn build_postfix(&self, lhs: Expr, op: P) -> BResult<Expr> {
        let sp = lhs.span.to(span(&op));
        let rule = op.as_rule();
        let kind = match rule {
            Rule::member => {
                let n = first(op)?; // member_name
                let member = build_name(n)?;
                ExprKind::Member {
                    expr: Box::new(lhs),
                    member,
                }
            }
            Rule::index | Rule::dot_index => ExprKind::Index {
                expr: Box::new(lhs),
                index: Box::new(self.build_expr(first(op)?)?),
            },
            Rule::in_suffix | Rule::list_suffix => {
                let osp = span(&op);
                let mut it = op.into_inner();
                let kw = next(&mut it)?.as_str().to_string();
                let list = it
                    .map(|t| self.build_tabular(t))
                    .collect::<BResult<Vec<_>>>()?;
                if rule == Rule::in_suffix {
                    ExprKind::In {
                        expr: Box::new(lhs),
                        list,
                        negated: kw.starts_with('!'),
                        case_insensitive: kw.ends_with('~'),
                    }
                } else {
                    let bop = if kw == "has_all" {
                        BinaryOp::HasAll
                    } else {
                        BinaryOp::HasAny
                    };
                    let lstart = list.first().map(|e| e.span.start).unwrap_or(osp.end);
                    let lend = list.last().map(|e| e.span.end).unwrap_or(osp.end);
                    ExprKind::Binary {
                        op: bop,
                        lhs: Box::new(lhs),
                        rhs: Box::new(Expr {
                            kind: ExprKind::List(list),
                            span: Span::new(lstart, lend),
                        }),
                    }
                }
            }
            Rule::between_suffix => {
                let mut it = op.into_inner();
                let kw = next(&mut it)?;
                let low = self.build_expr(next(&mut it)?)?;
                let high = self.build_expr(next(&mut it)?)?;
                ExprKind::Between {
                    expr: Box::new(lhs),
                    low: Box::new(low),
                    high: Box::new(high),
                    negated: kw.as_str().starts_with('!'),
                }
            }
            _ => return Err(bug(&op, "postfix operator")),
        };
        Ok(Expr { kind, span: sp })
    }

    fn build_primary(&self, p: P) -> BResult<Expr> {
        let sp = span(&p);
        let kind = match p.as_rule() {
            Rule::paren_expr => {
                let mut e = self.build_tabular(first(p)?)?;
                if matches!(e.kind, ExprKind::Pipeline(_)) {
                    e.span = sp;
                }
                return Ok(e);
            }
            Rule::dynamic_lit => {
                let v = nth(p, 1)?;
                ExprKind::Dynamic(self.build_dyn_value(v)?)
            }
            Rule::datetime_lit => {
                let v = nth(p, 1)?;
                let text = if v.as_rule() == Rule::string_lit {
                    build_string(&v)
                } else {
                    v.as_str().trim().to_string()
                };
                ExprKind::Literal(Literal::DateTime(text))
            }
            Rule::timespan_fn => {
                let v = nth(p, 1)?;
                let text = if v.as_rule() == Rule::string_lit {
                    build_string(&v)
                } else {
                    v.as_str().trim().to_string()
                };
                let ticks = timespan_ticks(&text);
                ExprKind::Literal(Literal::Timespan { text, ticks })
            }
            Rule::typed_lit => {
                let mut it = p.into_inner();
                let ty = next(&mut it)?.as_str().to_string();
                let value = next(&mut it)?.as_str().trim().to_string();
                ExprKind::Literal(Literal::Typed { ty, value })
            }
            Rule::string_lit => ExprKind::Literal(Literal::String(build_string(&p))),
            Rule::timespan_lit => {
                let text = p.as_str().to_string();
                let ticks = timespan_ticks(&text);
                ExprKind::Literal(Literal::Timespan { text, ticks })
            }
            Rule::number => ExprKind::Literal(build_number(p.as_str())),
            Rule::bool_lit => {
                ExprKind::Literal(Literal::Bool(p.as_str().eq_ignore_ascii_case("true")))
            }
            Rule::star => ExprKind::Star,
            Rule::call => self.build_call(p)?,
            Rule::bracketed_name | Rule::ident => ExprKind::Ident(build_name(p)?),
            _ => return Err(bug(&p, "expression")),
        };
        Ok(Expr { kind, span: sp })
    }

    fn build_call(&self, p: P) -> BResult<ExprKind> {
        let mut it = p.into_inner();
        let function = build_word(&next(&mut it)?);
        let mut args = Vec::with_capacity(it.len());
        for a in it {
            let asp = span(&a);
            if a.as_rule() == Rule::named_arg {
                let mut ai = a.into_inner();
                let name = build_name(next(&mut ai)?)?;
                let _assign = next(&mut ai)?;
                let value = self.build_tabular(next(&mut ai)?)?;
                args.push(Arg {
                    name: Some(name),
                    value,
                    span: asp,
                });
            } else {
                args.push(Arg {
                    name: None,
                    value: self.build_tabular(a)?,
                    span: asp,
                });
            }
        }
        Ok(ExprKind::Call { function, args })
    }

    /// A `name` the grammar took on its own as a list item (followed by `,` or a closing
    /// bracket): the `Ident` the expression builder makes of it, at the same nesting depth.
    fn build_lone_name(&self, p: P) -> BResult<Expr> {
        let _g = self.enter(&p)?;
        let sp = span(&p);
        Ok(Expr {
            kind: ExprKind::Ident(build_name(p)?),
            span: sp,
        })
    }

    fn build_dyn_value(&self, p: P) -> BResult<DynValue> {
        let _g = self.enter(&p)?;
        Ok(match p.as_rule() {
            Rule::dyn_array => DynValue::Array(
                p.into_inner()
                    .map(|c| self.build_dyn_value(c))
                    .collect::<BResult<_>>()?,
            ),
            Rule::dyn_object => {
                let mut fields = Vec::new();
                for pair in p.into_inner() {
                    let mut it = pair.into_inner();
                    let key = build_string(&next(&mut it)?);
                    let value = self.build_dyn_value(next(&mut it)?)?;
                    fields.push((key, value));
                }
                DynValue::Object(fields)
            }
            _ => {
                let e = self.build_expr(p)?;
                let e = match &e.kind {
                    ExprKind::Ident(n) if !n.bracketed && n.name == "null" => Expr {
                        kind: ExprKind::Literal(Literal::Null),
                        span: e.span,
                    },
                    _ => e,
                };
                DynValue::Scalar(Box::new(e))
            }
        })
    }
}

// ------------------------------------------------------------------------ helpers

fn next<'i>(it: &mut impl Iterator<Item = P<'i>>) -> BResult<P<'i>> {
    it.next()
        .ok_or_else(|| missing("missing syntax node", Span::default()))
}

fn first(p: P) -> BResult<P> {
    let sp = span(&p);
    p.into_inner()
        .next()
        .ok_or_else(|| missing("missing syntax node", sp))
}

fn nth(p: P, n: usize) -> BResult<P> {
    let sp = span(&p);
    p.into_inner()
        .nth(n)
        .ok_or_else(|| missing("missing syntax node", sp))
}

fn build_word(p: &P) -> Name {
    Name {
        name: p.as_str().to_string(),
        bracketed: false,
        span: span(p),
    }
}

/// `name`, `ident`, `member_name`, `bracketed_name` or `word_any`.
fn build_name(p: P) -> BResult<Name> {
    let sp = span(&p);
    match p.as_rule() {
        Rule::name | Rule::member_name => {
            let inner = p.clone().into_inner().next();
            match inner {
                Some(i) => build_name(i),
                None => Ok(build_word(&p)),
            }
        }
        Rule::bracketed_name => {
            let s = first(p)?;
            Ok(Name {
                name: build_string(&s),
                bracketed: true,
                span: sp,
            })
        }
        _ => Ok(build_word(&p)),
    }
}

fn build_schema(p: P) -> BResult<Vec<SchemaItem>> {
    p.into_inner()
        .map(|c| match c.as_rule() {
            Rule::star => Ok(SchemaItem::Wildcard(span(&c))),
            _ => Ok(SchemaItem::Column(build_column_decl(c)?)),
        })
        .collect()
}

fn build_column_decl(p: P) -> BResult<ColumnDecl> {
    let sp = span(&p);
    let mut it = p.into_inner();
    let name = build_name(next(&mut it)?)?;
    let ty = build_word(&next(&mut it)?);
    Ok(ColumnDecl { name, ty, span: sp })
}

fn build_pattern(p: P) -> BResult<ColumnPattern> {
    let sp = span(&p);
    let inner = first(p)?;
    Ok(match inner.as_rule() {
        Rule::bracketed_name => ColumnPattern {
            pattern: build_name(inner)?.name,
            bracketed: true,
            span: sp,
        },
        _ => ColumnPattern {
            pattern: inner.as_str().to_string(),
            bracketed: false,
            span: sp,
        },
    })
}

fn build_patterns<'i>(pairs: impl Iterator<Item = P<'i>>) -> BResult<Vec<ColumnPattern>> {
    pairs
        .filter(|c| c.as_rule() == Rule::col_pattern)
        .map(build_pattern)
        .collect()
}

fn build_reorder_item(p: P) -> BResult<ReorderItem> {
    let sp = span(&p);
    let mut it = p.into_inner();
    let column = build_pattern(next(&mut it)?)?;
    let order = it.next().map(|d| match d.as_str() {
        "asc" => ReorderOrder::Asc,
        "desc" => ReorderOrder::Desc,
        "granny-asc" => ReorderOrder::GrannyAsc,
        _ => ReorderOrder::GrannyDesc,
    });
    Ok(ReorderItem {
        column,
        order,
        span: sp,
    })
}

fn build_sort_dir(p: &P) -> SortOrder {
    if p.as_str() == "asc" {
        SortOrder::Asc
    } else {
        SortOrder::Desc
    }
}

/// Decodes a `string_lit` (one or more adjacent parts, concatenated).
pub(crate) fn build_string(p: &P) -> String {
    let mut out = String::with_capacity(p.as_str().len());
    for part in p.clone().into_inner() {
        decode_string_part(part.as_str(), &mut out);
    }
    out
}

/// Decodes one string token: `"…"`, `'…'` (with escapes), `@"…"`/`@'…'` (verbatim, doubled
/// quotes), an `h`/`H` obfuscation prefix on any of those, and ```` ```…``` ```` / `~~~…~~~`.
pub(crate) fn decode_string_part(raw: &str, out: &mut String) {
    if let Some(inner) = raw
        .strip_prefix("```")
        .and_then(|r| r.strip_suffix("```"))
        .or_else(|| raw.strip_prefix("~~~").and_then(|r| r.strip_suffix("~~~")))
    {
        out.push_str(inner);
        return;
    }
    let raw = raw.strip_prefix(['h', 'H']).unwrap_or(raw);
    if let Some(v) = raw.strip_prefix('@') {
        let q = v.chars().next().unwrap_or('"');
        let inner = &v[q.len_utf8().min(v.len())..v.len().saturating_sub(1).max(1)];
        let doubled: String = [q, q].iter().collect();
        out.push_str(&inner.replace(&doubled, &q.to_string()));
        return;
    }
    if raw.len() < 2 {
        return;
    }
    let inner = &raw[1..raw.len() - 1];
    if !inner.contains('\\') {
        out.push_str(inner);
        return;
    }
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\u{7}'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some(d @ '0'..='7') => {
                // Octal: one to three digits, a third only after `0`–`3` (so at most `\377`).
                let mut v = d.to_digit(8).unwrap_or(0);
                let mut digits = 1;
                while let Some(x) = chars.clone().next().and_then(|c| c.to_digit(8)) {
                    if digits == 3 || (digits == 2 && d > '3') {
                        break;
                    }
                    v = v * 8 + x;
                    digits += 1;
                    chars.next();
                }
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
            }
            Some(k @ ('x' | 'u' | 'U')) => {
                let n = match k {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex = |chars: &mut std::str::Chars| -> Option<u32> {
                    let h: String = chars.clone().take(n).collect();
                    let v = (h.len() == n && h.bytes().all(|b| b.is_ascii_hexdigit()))
                        .then(|| u32::from_str_radix(&h, 16).ok())
                        .flatten()?;
                    for _ in 0..n {
                        chars.next();
                    }
                    Some(v)
                };
                let Some(v) = hex(&mut chars) else {
                    // Refused by the pre-scan; kept as text if it ever gets here.
                    out.push(k);
                    continue;
                };
                // `\u` is one UTF-16 code unit: a high surrogate takes the next `\uDC00`–`\uDFFF`
                // as its other half (the pre-scan refuses a lone half).
                let v = if k == 'u' && (0xD800..0xDC00).contains(&v) {
                    let mut rest = chars.clone();
                    let low = (rest.next() == Some('\\') && rest.next() == Some('u'))
                        .then(|| hex(&mut rest))
                        .flatten()
                        .filter(|lo| (0xDC00..0xE000).contains(lo));
                    match low {
                        Some(lo) => {
                            chars = rest;
                            0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                        }
                        None => v,
                    }
                } else {
                    v
                };
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
}

fn build_number(s: &str) -> Literal {
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        return match i64::from_str_radix(hex, 16) {
            Ok(v) => Literal::Long(v),
            Err(_) => Literal::Real(s.to_string()),
        };
    }
    if !s.contains(['.', 'e', 'E']) {
        if let Ok(v) = s.parse::<i64>() {
            return Literal::Long(v);
        }
    }
    // `1000.` and `1.e3` are reals in KQL; spell them with a digit after the point, which
    // every target reads.
    match s.split_once('.') {
        Some((int, frac)) if !frac.starts_with(|c: char| c.is_ascii_digit()) => {
            Literal::Real(format!("{int}.0{frac}"))
        }
        _ => Literal::Real(s.to_string()),
    }
}

/// Ticks (100 ns) of a timespan literal such as `1d`, `1.5h`, `100ms`, `2.00:00:00`, `00:05:00`.
pub(crate) fn timespan_ticks(text: &str) -> Option<i64> {
    let t = text.trim();
    const SEC: f64 = 10_000_000.0;
    if t.contains(':') {
        // [d.]hh:mm[:ss[.fffffff]]
        let (days, rest) = match t.split_once('.') {
            Some((d, r)) if r.contains(':') && !d.contains(':') => (d.parse::<f64>().ok()?, r),
            _ => (0.0, t),
        };
        let mut parts = rest.split(':');
        let h: f64 = parts.next()?.parse().ok()?;
        let m: f64 = parts.next()?.parse().ok()?;
        let s: f64 = parts.next().map(|x| x.parse().ok()).unwrap_or(Some(0.0))?;
        let total = ((days * 24.0 + h) * 60.0 + m) * 60.0 + s;
        return Some((total * SEC).round() as i64);
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().ok()?;
    let per: f64 = match unit {
        "d" | "day" | "days" => 86_400.0 * SEC,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600.0 * SEC,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0 * SEC,
        "s" | "sec" | "secs" | "second" | "seconds" => SEC,
        "ms" | "milli" | "millis" | "millisecond" | "milliseconds" => 10_000.0,
        "micro" | "micros" | "microsecond" | "microseconds" => 10.0,
        "nano" | "nanos" | "nanosecond" | "nanoseconds" => 0.01,
        "tick" | "ticks" => 1.0,
        "" => 86_400.0 * SEC, // timespan(2) means days
        _ => return None,
    };
    Some((n * per).round() as i64)
}
