//! Functions defined in the query, called where a table is expected: `let f = (t: string) {
//! table(t) | where … }; f("SigninLogs")` lowers the body with each parameter bound to its
//! argument (a scalar `let` in the body's scope) and `table("T")` read as the table `T`; a
//! function without parameters is also called by its name alone (`f | where …`), and
//! `T | invoke f(args)` is `f(T, args)`, the rows so far bound to the first (tabular) parameter.
//! Owns the refusals (`L081`): a call with arguments the parameters do not take, a function
//! calling itself, an argument that names something the function's own names hide, a body
//! with no result, `table()` of a value that is not a constant string, `invoke` of a function
//! the query does not define (stored in the workspace, or an ASIM parser).

use super::{unsupported, Binding, Flat, LResult, Lowerer};
use crate::codes::LowerCode;
use crate::ir;
use crate::kql::ast;
use crate::kql::visit::{walk_expr, Visitor};
use crate::source::Span;

impl<'a> Lowerer<'a> {
    /// Whether a call at the head of a tabular expression is one this module inlines.
    pub(crate) fn is_tabular_call(&self, function: &ast::Name) -> bool {
        function.name == "table"
            || self.functions.contains_key(&function.name)
            || super::asim::parser(&function.name).is_some()
    }

    /// `f(args) | ops` or `table("T") | ops` as a source.
    pub(crate) fn call_source(
        &mut self,
        function: &'a ast::Name,
        args: &'a [ast::Arg],
        span: Span,
        ops: Vec<&'a ast::Operator>,
    ) -> LResult<Flat<'a>> {
        if function.name == "table" && !self.functions.contains_key("table") {
            let name = match args {
                [one] if one.name.is_none() => match self.literal_value(&one.value)? {
                    Some(ir::Literal::String(s)) => Some(s),
                    _ => None,
                },
                _ => None,
            };
            let Some(name) = name else {
                return Err(unsupported(
                    LowerCode::L081,
                    span,
                    "`table()` needs a constant table name to be translated",
                ));
            };
            return Ok((ir::Source::table(name, span), Vec::new(), ops));
        }
        if !self.functions.contains_key(&function.name)
            && super::asim::parser(&function.name).is_some()
        {
            return self.asim_source(function, span, ops);
        }
        let q = self.inline_call(function, args, span, None)?;
        match q.source.kind {
            ir::SourceKind::Table(_) | ir::SourceKind::Union(_) | ir::SourceKind::Lookup(_) => {
                Ok((q.source, q.stages, ops))
            }
        }
    }

    /// `… | invoke f(args)`: `f(input, args)`, the rows piped in (`input`, lowered in the
    /// caller's scope) bound to `f`'s first parameter, which must be tabular.
    pub(crate) fn invoke(
        &mut self,
        call: &'a ast::Expr,
        span: Span,
        input: (ir::Source, Vec<ir::Stage>),
    ) -> LResult<ir::Query> {
        let ast::ExprKind::Call { function, args } = &call.kind else {
            return Err(unsupported(
                LowerCode::L081,
                call.span,
                "`invoke` needs a call of a function, `invoke f(…)`",
            ));
        };
        let Some(l) = self.functions.get(&function.name).copied() else {
            return Err(unsupported(
                LowerCode::L081,
                call.span,
                format!(
                    "`{}` is not a function this query defines: a function stored in the \
                     workspace (or an ASIM parser) has no definition kqlport can inline",
                    function.name
                ),
            ));
        };
        if !matches!(
            l.params.first().map(|p| &p.ty),
            Some(ast::TypeSpec::Tabular(_))
        ) {
            return Err(unsupported(
                LowerCode::L081,
                call.span,
                format!(
                    "`invoke` passes the rows as the first argument, and `{}`'s first parameter is \
                     not a table",
                    function.name
                ),
            ));
        }
        self.inline_call(function, args, span, Some(input))
    }

    /// The body of the function `function` lowered with its parameters bound to `args` (after
    /// `input`, the rows `invoke` pipes in, when there are some).
    fn inline_call(
        &mut self,
        function: &'a ast::Name,
        args: &'a [ast::Arg],
        span: Span,
        input: Option<(ir::Source, Vec<ir::Stage>)>,
    ) -> LResult<ir::Query> {
        let Some(l) = self.functions.get(&function.name).copied() else {
            return Err(unsupported(
                LowerCode::L081,
                span,
                "not a function of this query",
            ));
        };
        if self.expanding.contains(&function.name) {
            return Err(unsupported(
                LowerCode::L081,
                span,
                format!(
                    "`{}` calls itself; recursion cannot be inlined",
                    function.name
                ),
            ));
        }
        let skip = usize::from(input.is_some());
        let params = &l.params[skip.min(l.params.len())..];
        if args.len() > params.len() {
            return Err(unsupported(
                LowerCode::L081,
                span,
                format!(
                    "`{}` takes {} argument(s), the call passes {}",
                    function.name,
                    params.len(),
                    args.len()
                ),
            ));
        }
        let mut bound: Vec<(String, &'a ast::Expr)> = Vec::new();
        for (i, p) in params.iter().enumerate() {
            let by_name = args
                .iter()
                .find(|a| a.name.as_ref().is_some_and(|n| n.name == p.name.name));
            let by_position = args.get(i).filter(|a| a.name.is_none());
            let value = match (by_name.or(by_position), &p.default) {
                (Some(a), _) => &a.value,
                (None, Some(d)) => d,
                (None, None) => {
                    return Err(unsupported(
                        LowerCode::L081,
                        span,
                        format!("the call of `{}` gives no `{}`", function.name, p.name.name),
                    ))
                }
            };
            bound.push((p.name.name.clone(), value));
        }
        // The arguments are read in the function's scope: a name they use that a parameter or
        // a `let` of the body hides would change meaning.
        let mut hidden: Vec<&str> = l.params.iter().map(|p| p.name.name.as_str()).collect();
        for stmt in &l.body {
            if let ast::StatementKind::Let { name, .. } = &stmt.kind {
                hidden.push(&name.name);
            }
        }
        for a in args {
            let mut names = Idents::default();
            names.visit_expr(&a.value);
            if let Some(n) = names.0.iter().find(|n| hidden.contains(n)) {
                return Err(unsupported(
                    LowerCode::L081,
                    a.span,
                    format!(
                        "the argument uses `{n}`, a name `{}` defines for itself; inlining it would change its meaning",
                        function.name
                    ),
                ));
            }
        }
        let saved = (self.lets.clone(), self.functions.clone());
        for (n, v) in bound {
            self.functions.remove(&n);
            self.lets.insert(n, Binding::Scalar(v));
        }
        if let (Some(rows), Some(p)) = (input, l.params.first()) {
            self.functions.remove(&p.name.name);
            self.lets
                .insert(p.name.name.clone(), Binding::Input(Box::new(rows)));
        }
        self.expanding.push(function.name.clone());
        let r = self.nested(span, |cx| {
            let mut result = None;
            for stmt in &l.body {
                match &stmt.kind {
                    ast::StatementKind::Let { name, value } => cx.bind(name, value),
                    ast::StatementKind::Expr(e) => result = Some(e),
                    _ => {
                        return Err(unsupported(
                            LowerCode::L081,
                            stmt.span,
                            "only `let`s and one result can be inlined from a function body",
                        ))
                    }
                }
            }
            let Some(body) = result else {
                return Err(unsupported(
                    LowerCode::L081,
                    l.span,
                    "the function has no result",
                ));
            };
            cx.pipeline(body)
        });
        self.expanding.pop();
        (self.lets, self.functions) = saved;
        r
    }
}

/// Every name an expression reads (its `Ident`s, nested pipelines included), in order.
#[derive(Default)]
struct Idents<'a>(Vec<&'a str>);

impl<'a> Visitor<'a> for Idents<'a> {
    fn visit_expr(&mut self, e: &'a ast::Expr) {
        if let ast::ExprKind::Ident(n) = &e.kind {
            self.0.push(&n.name);
        }
        walk_expr(self, e)
    }
}
