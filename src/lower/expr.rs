//! Scalar expressions: literals with their types, `let` constants inlined, dynamic access as
//! field paths, function aliases normalised to [`ir::ScalarFn`]. Owns no predicate logic beyond
//! handing boolean sub-expressions to `predicate.rs`.

use super::{unsupported, Binding, LResult, Lowerer};
use crate::codes::LowerCode;
use crate::diag::Diagnostic;
use crate::ir;
use crate::kql::ast;
use crate::source::Span;

/// Calls `expr()` lowers itself, each by its own rule (before the tables of rewritten and
/// plain scalar functions are consulted).
pub(crate) const SPECIAL_FORMS: &[&str] = &[
    "ago",
    "now",
    "ingestion_time",
    "iff",
    "iif",
    "case",
    "column_ifexists",
    "columnifexists",
    "dynamic",
];

/// Functions that only parse or convert a dynamic value; around a path they are transparent.
pub(crate) const DYNAMIC_PARSERS: &[&str] = &["parse_json", "parsejson", "todynamic", "toobject"];

/// `x` when `e` (the argument of a [`DYNAMIC_PARSERS`] call) is `dynamic_to_json(x)` and `x`
/// is an array of strings (`extract_all(…)`, `split(…)`): KQL writes the array as JSON text
/// and parses it back, the same array (dynamic_to_json sorts only a property bag's keys, and
/// such an array holds none). Any other `x` is left to `dynamic_to_json`'s own refusal: a bag
/// comes back with its keys sorted, and a datetime or timespan inside a value comes back as a
/// string.
fn json_round_trip(e: &ast::Expr) -> Option<&ast::Expr> {
    let ast::ExprKind::Call { function, args } = &e.kind else {
        return None;
    };
    let [inner] = args.as_slice() else {
        return None;
    };
    if function.name != "dynamic_to_json" || inner.name.is_some() {
        return None;
    }
    match &inner.value.kind {
        ast::ExprKind::Call { function, .. }
            if matches!(function.name.as_str(), "extract_all" | "split") =>
        {
            Some(&inner.value)
        }
        _ => None,
    }
}

impl<'a> Lowerer<'a> {
    pub(crate) fn expr(&mut self, e: &'a ast::Expr) -> LResult<ir::Expr> {
        self.nested(e.span, |cx| cx.expr_here(e))
    }

    fn expr_here(&mut self, e: &'a ast::Expr) -> LResult<ir::Expr> {
        let kind = match &e.kind {
            ast::ExprKind::Literal(l) => ir::ExprKind::Literal(literal(l, e.span)?),
            ast::ExprKind::Ident(n) => {
                if let Some(bound) = self.scalar_let(&n.name) {
                    return self.with_let(&n.name, e.span, |cx| cx.expr(bound));
                }
                match self.let_here(&n.name) {
                    Some(Binding::ToScalar(_, query)) => {
                        let query = *query;
                        return self.toscalar_of(e.span, query, Some(&n.name));
                    }
                    // Kusto takes such a name as a value only when it is a column of the rows
                    // (`row_scope.rs`): one they may have is read as that column.
                    Some(Binding::Tabular(_) | Binding::Other(..) | Binding::Input(_))
                        if self.row_scope.is_none() || self.certainly_no_column(&n.name) =>
                    {
                        return Err(unsupported(
                            LowerCode::L020,
                            e.span,
                            format!(
                                "`{}` is a tabular or function `let` and no column of the rows \
                                 here; it cannot be used as a value",
                                n.name
                            ),
                        ));
                    }
                    _ => {}
                }
                self.bag_used_whole(&n.name, e.span)?;
                ir::ExprKind::Field(ir::FieldPath::column(n.name.clone()))
            }
            ast::ExprKind::Member { .. } | ast::ExprKind::Index { .. } => {
                if let Some(read) = self.bag_read(e)? {
                    return Ok(read);
                }
                match self.path(e) {
                    Ok(p) => ir::ExprKind::Field(p),
                    // A path into a computed value: `split(x, "/")[1]`, `parse_url(u).Host`.
                    Err(d) if d.code == LowerCode::L023 && d.span.range() == e.span.range() => {
                        self.computed_path(e)?
                    }
                    Err(d) => return Err(d),
                }
            }
            ast::ExprKind::Call { function, args } => {
                if function.name == "bag_has_key" {
                    if let Some(read) = self.bag_has_key_read(e, args)? {
                        return Ok(read);
                    }
                }
                return self.call(e, function, args);
            }
            ast::ExprKind::Unary { op, expr } => match op {
                ast::UnaryOp::Plus => return self.expr(expr),
                ast::UnaryOp::Neg => match self.expr(expr)?.kind {
                    ir::ExprKind::Literal(ir::Literal::Long(n)) => {
                        ir::ExprKind::Literal(ir::Literal::Long(-n))
                    }
                    ir::ExprKind::Literal(ir::Literal::Real(n)) => {
                        ir::ExprKind::Literal(ir::Literal::Real(-n))
                    }
                    ir::ExprKind::Literal(ir::Literal::Timespan(d)) => {
                        ir::ExprKind::Literal(ir::Literal::Timespan(ir::Duration::from_ticks(-d.ticks)))
                    }
                    other => ir::ExprKind::Neg(Box::new(ir::Expr {
                        kind: other,
                        span: expr.span,
                    })),
                },
            },
            ast::ExprKind::Binary { op, lhs, rhs } => match arith(*op) {
                Some(op) => {
                    let (l, r) = (self.expr(lhs)?, self.expr(rhs)?);
                    match fold(op, &l.kind, &r.kind) {
                        Some(lit) => ir::ExprKind::Literal(lit),
                        None => ir::ExprKind::Arith {
                            op,
                            lhs: Box::new(l),
                            rhs: Box::new(r),
                        },
                    }
                }
                None => ir::ExprKind::Predicate(Box::new(self.predicate(e)?)),
            },
            ast::ExprKind::In { .. } | ast::ExprKind::Between { .. } => {
                ir::ExprKind::Predicate(Box::new(self.predicate(e)?))
            }
            ast::ExprKind::Star => {
                return Err(unsupported(LowerCode::L021, e.span, "`*` is not supported here"))
            }
            // `dynamic(null)`: the null value (of type dynamic), as `datetime(null)` is.
            ast::ExprKind::Dynamic(ast::DynValue::Scalar(v))
                if matches!(v.kind, ast::ExprKind::Literal(ast::Literal::Null)) =>
            {
                ir::ExprKind::Literal(ir::Literal::Null)
            }
            ast::ExprKind::List(_) | ast::ExprKind::Dynamic(_) => {
                return Err(unsupported(
                    LowerCode::L021,
                    e.span,
                    "a list or dynamic value is only supported as the right side of in / has_any / has_all",
                ))
            }
            ast::ExprKind::Pipeline(_) => {
                return Err(unsupported(
                    LowerCode::L021,
                    e.span,
                    "a tabular expression is not supported as a value",
                ))
            }
        };
        Ok(ir::Expr { kind, span: e.span })
    }

    /// The expression a scalar `let` name stands for, unless it is being expanded already or
    /// a column of the operator's rows shadows it.
    pub(crate) fn scalar_let(&self, name: &str) -> Option<&'a ast::Expr> {
        match self.let_here(name) {
            Some(Binding::Scalar(e)) if !self.expanding.iter().any(|n| n == name) => Some(e),
            _ => None,
        }
    }

    /// Runs `f` with the scalar `let` `name` (used at `span`) being expanded. Each expansion
    /// counts against [`super::MAX_LET_EXPANSIONS`]: lets that use each other twice
    /// (`let b = a + a; let c = b + b; …`) double the expression at every step.
    pub(crate) fn with_let<T>(
        &mut self,
        name: &str,
        span: Span,
        f: impl FnOnce(&mut Self) -> LResult<T>,
    ) -> LResult<T> {
        self.let_expansions += 1;
        if self.let_expansions > super::MAX_LET_EXPANSIONS {
            return Err(super::too_complex(
                span,
                format!(
                    "inlining the `let`s gives an expression too large to translate (over {} uses \
                     of `let` names, here `{name}`)",
                    super::MAX_LET_EXPANSIONS
                ),
            ));
        }
        self.expanding.push(name.to_string());
        // The body is bound where the `let` is written: no rows' columns shadow its names.
        let rows = self.row_scope.take();
        let r = f(self);
        self.row_scope = rows;
        self.expanding.pop();
        r
    }

    /// A constant value, with scalar `let`s resolved; `None` if the expression is not constant.
    pub(crate) fn literal_value(&mut self, e: &'a ast::Expr) -> LResult<Option<ir::Literal>> {
        match self.expr(e) {
            Ok(ir::Expr {
                kind: ir::ExprKind::Literal(l),
                ..
            }) => Ok(Some(l)),
            Ok(_) => Ok(None),
            Err(d) if d.code == LowerCode::L022 => Err(d),
            Err(_) => Ok(None),
        }
    }

    /// `X["a"]` / `X[0]`: a constant key or position, with `let`s resolved; `None` when the
    /// index is computed at query time.
    fn index_segment(&mut self, index: &'a ast::Expr) -> LResult<Option<ir::PathSegment>> {
        Ok(match self.literal_value(index)? {
            Some(ir::Literal::String(s)) => Some(ir::PathSegment::Key(s)),
            Some(ir::Literal::Long(i)) => Some(ir::PathSegment::Index(i)),
            _ => None,
        })
    }

    /// A path applied to a computed base: the base lowered as an expression, then the segments.
    /// An index computed at query time (`X[tostring(k)]`) ends the path there: the indexed value
    /// is [`ir::ScalarFn::DynamicIndex`] of the base and the index, and the constant segments
    /// after it a path into that.
    fn computed_path(&mut self, e: &'a ast::Expr) -> LResult<ir::ExprKind> {
        let mut segments = Vec::new();
        let mut cur = e;
        let mut computed_index = None;
        loop {
            match &cur.kind {
                ast::ExprKind::Member { expr, member } => {
                    segments.push(ir::PathSegment::Key(member.name.clone()));
                    cur = expr;
                }
                ast::ExprKind::Index { expr, index } => match self.index_segment(index)? {
                    Some(seg) => {
                        segments.push(seg);
                        cur = expr;
                    }
                    None => {
                        computed_index = Some((expr, index));
                        break;
                    }
                },
                _ => break,
            }
        }
        segments.reverse();
        let base = match computed_index {
            Some((inner, index)) => ir::Expr {
                kind: ir::ExprKind::Call {
                    func: ir::ScalarFn::DynamicIndex,
                    args: vec![self.expr(inner)?, self.expr(index)?],
                },
                span: cur.span,
            },
            None => self.expr(cur)?,
        };
        if segments.is_empty() {
            return Ok(base.kind);
        }
        Ok(ir::ExprKind::Path {
            base: Box::new(base),
            path: segments,
        })
    }

    /// `X.a.b`, `X["a"][0]`, `parse_json(X).a`, `todynamic(tostring(X)).a` as a field path.
    /// A failure because the base is computed (`L023`) is reported at `e` as a whole, so
    /// `expr()` can fall back to a computed path for the whole expression.
    fn path(&mut self, e: &'a ast::Expr) -> LResult<ir::FieldPath> {
        self.path_inner(e).map_err(|mut d| {
            if d.code == LowerCode::L023 {
                d.span = e.span;
            }
            d
        })
    }

    fn path_inner(&mut self, e: &'a ast::Expr) -> LResult<ir::FieldPath> {
        match &e.kind {
            ast::ExprKind::Ident(n) => {
                if let Some(bound) = self.scalar_let(&n.name) {
                    let bound_expr = self.with_let(&n.name, e.span, |cx| cx.expr(bound))?;
                    return match bound_expr.kind {
                        ir::ExprKind::Field(p) => Ok(p),
                        _ => Err(unsupported(
                            LowerCode::L023,
                            e.span,
                            "member access on a computed value is not supported",
                        )),
                    };
                }
                self.bag_used_whole(&n.name, e.span)?;
                Ok(ir::FieldPath::column(n.name.clone()))
            }
            ast::ExprKind::Member { expr, member } => {
                let mut p = self.path(expr)?;
                p.path.push(ir::PathSegment::Key(member.name.clone()));
                Ok(p)
            }
            ast::ExprKind::Index { expr, index } => {
                if let Some(p) = self.slice_element(expr, index)? {
                    return Ok(p);
                }
                let mut p = self.path(expr)?;
                let Some(seg) = self.index_segment(index)? else {
                    // Lowered by `computed_path` as a `DynamicIndex` call.
                    return Err(unsupported(
                        LowerCode::L023,
                        e.span,
                        "an index computed at query time is not a field path",
                    ));
                };
                p.path.push(seg);
                Ok(p)
            }
            ast::ExprKind::Call { function, args }
                if args.len() == 1 && DYNAMIC_PARSERS.contains(&function.name.as_str()) =>
            {
                if let Some(inner) = json_round_trip(&args[0].value) {
                    // The same array: a path into it is a path into `inner`.
                    return self.path(inner);
                }
                let mut p = self.path(&args[0].value)?;
                // `parse_json(X)` of a plain column reads X as JSON text. Of a path
                // (`parse_json(tostring(X.a))`), X is dynamic (KQL allows member access only on
                // dynamic values): the round trip changes nothing when `X.a` is an object or
                // array, but parses it when `X.a` is a string holding JSON text, which a target
                // reading the nested field `X.a.b` cannot do.
                if p.path.is_empty() {
                    p.parsed = true;
                } else {
                    let msg = format!(
                        "if `{p}` holds JSON text (a string) rather than an object or array, KQL \
                         parses it here, but the translation reads the nested field and finds \
                         nothing: tests on it can miss rows (or keep them, when negated)"
                    );
                    self.note(e.span, crate::backend::Effect::UnderMatch, msg.clone());
                    self.note(e.span, crate::backend::Effect::OverMatch, msg);
                }
                Ok(p)
            }
            ast::ExprKind::Call { function, args }
                if args.len() == 1 && function.name == "tostring" =>
            {
                // `todynamic(tostring(X))`: the string form of X, parsed again — the same path.
                self.path(&args[0].value)
            }
            _ => Err(unsupported(
                LowerCode::L023,
                e.span,
                "member access on a computed value is not supported",
            )),
        }
    }

    /// `array_slice(A, i, j)[k]` (possibly through `parse_json(tostring(…))`, a round trip that
    /// changes no array) is `A[i + k]` for constants `0 <= i` and `0 <= k <= j - i`: the slice
    /// holds `A[i]..=A[j]` (those that exist), so its element `k` is `A[i + k]`, and both are
    /// null when `A` is shorter. `None` for any other shape.
    fn slice_element(
        &mut self,
        base: &'a ast::Expr,
        index: &'a ast::Expr,
    ) -> LResult<Option<ir::FieldPath>> {
        let mut cur = base;
        while let ast::ExprKind::Call { function, args } = &cur.kind {
            let name = function.name.as_str();
            if args.len() == 1 && (DYNAMIC_PARSERS.contains(&name) || name == "tostring") {
                cur = &args[0].value;
            } else {
                break;
            }
        }
        let ast::ExprKind::Call { function, args } = &cur.kind else {
            return Ok(None);
        };
        let [array, start, end] = args.as_slice() else {
            return Ok(None);
        };
        if function.name != "array_slice" {
            return Ok(None);
        }
        let long = |cx: &mut Self, e: &'a ast::Expr| -> LResult<Option<i64>> {
            Ok(match cx.literal_value(e)? {
                Some(ir::Literal::Long(n)) => Some(n),
                _ => None,
            })
        };
        let (Some(i), Some(j), Some(k)) = (
            long(self, &start.value)?,
            long(self, &end.value)?,
            long(self, index)?,
        ) else {
            return Ok(None);
        };
        let within = i >= 0 && k >= 0 && j.checked_sub(i).is_some_and(|len| k <= len);
        let Some(at) = i.checked_add(k).filter(|_| within) else {
            return Ok(None);
        };
        let mut p = self.path(&array.value)?;
        p.path.push(ir::PathSegment::Index(at));
        Ok(Some(p))
    }

    /// Why `ago(e)` cannot be lowered, as precisely as the KQL shows: a name the query never
    /// binds (a column, a parameter of the function the text was cut from, a template value),
    /// a hunting-query template placeholder (`{{StartTimeISO}}`, filled in by Sentinel's
    /// portal) the value is computed from, or a value computed when the query runs.
    fn ago_refusal(&self, e: &'a ast::Expr, span: Span) -> Box<Diagnostic> {
        const NEED: &str = "`ago()` needs a constant timespan (like 7d or 1h)";
        let mut names = Vec::new();
        let mut placeholder = None;
        self.ago_inputs(e, &mut names, &mut placeholder, 0);
        let undefined: Vec<&str> = names
            .iter()
            .filter(|n| !self.lets.contains_key(**n))
            .copied()
            .collect();
        let message = if self.is_datetime(e, 0) {
            format!(
                "{NEED}; this one is a datetime, not a timespan: Kusto rejects the query \
                 (KS107, a value of type timespan expected)"
            )
        } else if let Some(name) = undefined.first() {
            format!(
                "{NEED}; `{name}` is no `let` of this query: a column, or a parameter of the \
                 function this text comes from or a template value that needs a value first"
            )
        } else if let Some(text) = placeholder {
            format!(
                "{NEED}; this one is computed from `{text}`, a hunting-query template \
                 placeholder that Sentinel fills in when the query runs from its portal: put a \
                 time in its place before converting"
            )
        } else if self.is_constant_arith(e, 0) {
            format!(
                "{NEED}; this one is constant arithmetic kqlport does not fold exactly (a real \
                 factor, a division or a remainder): write the span as one literal"
            )
        } else {
            format!("{NEED}; this one is computed when the query runs")
        };
        unsupported(LowerCode::L025, span, message)
    }

    /// The names `e` reads and the first `{{…}}` placeholder text it holds, following scalar
    /// `let`s (a few levels: enough for `let lookback = (endtime - starttime) * 7`).
    pub(crate) fn ago_inputs(
        &self,
        e: &'a ast::Expr,
        names: &mut Vec<&'a str>,
        placeholder: &mut Option<String>,
        depth: usize,
    ) {
        if depth > 8 {
            return;
        }
        let mut go = |x: &'a ast::Expr| self.ago_inputs(x, names, placeholder, depth + 1);
        match &e.kind {
            ast::ExprKind::Literal(ast::Literal::String(t)) => {
                if let (Some(a), Some(b)) = (t.find("{{"), t.find("}}")) {
                    if placeholder.is_none() && a < b {
                        *placeholder = Some(t[a..b + 2].to_string());
                    }
                }
            }
            ast::ExprKind::Ident(n) => match self.lets.get(&n.name) {
                Some(Binding::Scalar(bound)) => go(bound),
                _ => names.push(n.name.as_str()),
            },
            ast::ExprKind::Call { args, .. } => args.iter().for_each(|a| go(&a.value)),
            ast::ExprKind::Unary { expr, .. } => go(expr),
            ast::ExprKind::Binary { lhs, rhs, .. } => {
                go(lhs);
                go(rhs);
            }
            _ => {}
        }
    }

    fn call(
        &mut self,
        e: &'a ast::Expr,
        function: &'a ast::Name,
        args: &'a [ast::Arg],
    ) -> LResult<ir::Expr> {
        let span = e.span;
        if let Some(a) = args.iter().find(|a| a.name.is_some()) {
            return Err(unsupported(
                LowerCode::L024,
                a.span,
                format!(
                    "named arguments to `{}` are not supported: KQL documents no parameter \
                     names for built-in functions, so what `name=value` means here is unknown",
                    function.name
                ),
            ));
        }
        let name = function.name.as_str();
        if self.agg_capture.is_some() && super::aggregate::AGGREGATES.contains(&name) {
            let temp = format!("__kqlport_agg{}", self.agg_temps);
            self.agg_temps += 1;
            if let Some(c) = self.agg_capture.as_mut() {
                c.push((temp.clone(), e));
            }
            return Ok(ir::Expr {
                kind: ir::ExprKind::Field(ir::FieldPath::column(temp)),
                span,
            });
        }
        if name == "toscalar" && self.agg_capture.is_none() {
            return self.toscalar_value(span, args);
        }
        if let (true, [a]) = (DYNAMIC_PARSERS.contains(&name), args) {
            if let Some(inner) = json_round_trip(&a.value) {
                return self.expr(inner);
            }
        }
        let kind = match name {
            "ago" => {
                let [arg] = args else {
                    return Err(arity(span, "ago", 1));
                };
                match self.ago_of(&arg.value)? {
                    Some(kind) => kind,
                    None => return Err(self.ago_refusal(&arg.value, arg.span)),
                }
            }
            "now" if args.is_empty() => ir::ExprKind::Now,
            "ingestion_time" if args.is_empty() => ir::ExprKind::IngestionTime,
            "iff" | "iif" => {
                let [c, t, f] = args else {
                    return Err(arity(span, name, 3));
                };
                ir::ExprKind::Case {
                    branches: vec![(self.predicate(&c.value)?, self.expr(&t.value)?)],
                    otherwise: Box::new(self.expr(&f.value)?),
                }
            }
            "case" => {
                if args.len() < 3 || args.len().is_multiple_of(2) {
                    return Err(unsupported(
                        LowerCode::L026,
                        span,
                        "`case()` needs condition/value pairs and a final else value",
                    ));
                }
                let mut branches = Vec::new();
                for pair in args[..args.len() - 1].chunks(2) {
                    branches.push((self.predicate(&pair[0].value)?, self.expr(&pair[1].value)?));
                }
                ir::ExprKind::Case {
                    branches,
                    otherwise: Box::new(self.expr(&args[args.len() - 1].value)?),
                }
            }
            _ if DYNAMIC_PARSERS.contains(&name) && args.len() == 1 => match self.path(e) {
                Ok(p) => ir::ExprKind::Field(p),
                // `parse_json(<computed>)`: report what inside the argument cannot be lowered
                // (an unknown function, say) before the parse itself.
                Err(d) if d.code == LowerCode::L023 => {
                    self.expr(&args[0].value)?;
                    return Err(unsupported(
                        LowerCode::L023,
                        span,
                        format!("`{name}()` of a value computed at query time is not supported; only a column (or a path into one) can be read as JSON"),
                    ));
                }
                Err(d) => return Err(d),
            },
            _ if super::predicate::PREDICATE_FUNCTIONS.contains(&name) => {
                ir::ExprKind::Predicate(Box::new(self.predicate(e)?))
            }
            "column_ifexists" | "columnifexists" => {
                let [col, _default] = args else {
                    return Err(arity(span, name, 2));
                };
                match self.literal_value(&col.value)? {
                    Some(ir::Literal::String(c)) => {
                        self.ifexists.push(span);
                        self.note(
                            span,
                            crate::backend::Effect::Values,
                            format!("`{name}` is read as the column `{c}`: kqlport assumes the column exists"),
                        );
                        ir::ExprKind::Field(ir::FieldPath::column(c))
                    }
                    _ => {
                        return Err(unsupported(
                            LowerCode::L026,
                            col.span,
                            "the column name must be a constant string",
                        ))
                    }
                }
            }
            "dynamic" => {
                return Err(unsupported(
                    LowerCode::L021,
                    span,
                    "a dynamic value is only supported as the right side of in / has_any / has_all",
                ))
            }
            _ => {
                if let Some(kind) = self.rewritten_call(span, function, args)? {
                    return Ok(ir::Expr { kind, span });
                }
                let Some(func) = scalar_fn(name) else {
                    return Err(Box::new(
                        crate::diag::Diagnostic::error(
                            LowerCode::L027,
                            format!("the function `{name}` is not supported yet"),
                            function.span,
                        )
                        .with_label("not translatable yet"),
                    ));
                };
                // `tostring(path)` keeps the path so backends can read nested values directly.
                let mut args = args
                    .iter()
                    .map(|a| self.expr(&a.value))
                    .collect::<LResult<Vec<_>>>()?;
                // The legacy `replace(regex, rewrite, text)` takes the text last; the IR's
                // `Replace` is always (text, regex, rewrite), as `replace_regex` writes it.
                if name == "replace" && args.len() == 3 {
                    args.rotate_right(1);
                }
                if let Some(pattern) = regex_arg(func, &args) {
                    check_regex(pattern)?;
                }
                // `strcat` of string constants (a pattern split over several literals) is a
                // constant, so it can stand where only a literal is accepted.
                if func == ir::ScalarFn::StrCat {
                    let parts: Option<Vec<&str>> = args
                        .iter()
                        .map(|a| match &a.kind {
                            ir::ExprKind::Literal(ir::Literal::String(s)) => Some(s.as_str()),
                            _ => None,
                        })
                        .collect();
                    if let Some(parts) = parts {
                        return Ok(ir::Expr {
                            kind: ir::ExprKind::Literal(ir::Literal::String(parts.concat())),
                            span,
                        });
                    }
                }
                ir::ExprKind::Call { func, args }
            }
        };
        Ok(ir::Expr { kind, span })
    }
}

pub(crate) fn arity(span: Span, name: &str, n: usize) -> Box<crate::diag::Diagnostic> {
    unsupported(
        LowerCode::L026,
        span,
        format!(
            "`{name}()` takes {n} argument{}",
            if n == 1 { "" } else { "s" }
        ),
    )
}

/// Folds arithmetic on constants that `let`s commonly build (`ago(lookback + wait)`,
/// `2 * 1h`, `n - 1`), so such values stay constants. Overflow is left unfolded.
fn fold(op: ir::ArithOp, l: &ir::ExprKind, r: &ir::ExprKind) -> Option<ir::Literal> {
    use ir::{ArithOp as A, ExprKind::Literal as L, Literal as V};
    let span = |d: Option<i64>| d.map(|t| V::Timespan(ir::Duration::from_ticks(t)));
    match (l, r) {
        (L(V::Timespan(a)), L(V::Timespan(b))) => match op {
            A::Add => span(a.ticks.checked_add(b.ticks)),
            A::Sub => span(a.ticks.checked_sub(b.ticks)),
            _ => None,
        },
        (L(V::Long(n)), L(V::Timespan(d))) | (L(V::Timespan(d)), L(V::Long(n))) if op == A::Mul => {
            span(d.ticks.checked_mul(*n))
        }
        (L(V::Long(a)), L(V::Long(b))) => match op {
            A::Add => a.checked_add(*b).map(V::Long),
            A::Sub => a.checked_sub(*b).map(V::Long),
            A::Mul => a.checked_mul(*b).map(V::Long),
            _ => None,
        },
        _ => None,
    }
}

fn arith(op: ast::BinaryOp) -> Option<ir::ArithOp> {
    Some(match op {
        ast::BinaryOp::Add => ir::ArithOp::Add,
        ast::BinaryOp::Sub => ir::ArithOp::Sub,
        ast::BinaryOp::Mul => ir::ArithOp::Mul,
        ast::BinaryOp::Div => ir::ArithOp::Div,
        ast::BinaryOp::Mod => ir::ArithOp::Mod,
        _ => return None,
    })
}

/// Canonical scalar functions, with KQL's aliases folded in: (KQL name, IR function).
pub(crate) const SCALAR_FUNCTIONS: &[(&str, ir::ScalarFn)] = {
    use ir::ScalarFn as F;
    &[
        ("tostring", F::ToString),
        ("tolower", F::ToLower),
        ("toupper", F::ToUpper),
        ("toint", F::ToInt),
        ("tolong", F::ToLong),
        ("toreal", F::ToReal),
        ("todouble", F::ToReal),
        ("tobool", F::ToBool),
        ("toboolean", F::ToBool),
        ("todatetime", F::ToDateTime),
        ("strcat", F::StrCat),
        ("strlen", F::Strlen),
        ("substring", F::Substring),
        ("trim", F::Trim),
        ("replace", F::Replace),
        ("replace_regex", F::Replace),
        ("replace_string", F::ReplaceString),
        ("extract", F::Extract),
        ("split", F::Split),
        ("coalesce", F::Coalesce),
        ("array_length", F::ArrayLength),
        ("arraylength", F::ArrayLength),
        ("bin", F::Bin),
        ("startofday", F::StartOfDay),
        ("datetime_diff", F::DateTimeDiff),
        ("ipv4_is_private", F::Ipv4IsPrivate),
        ("ipv4_is_in_range", F::Ipv4IsInRange),
        ("abs", F::Abs),
        ("round", F::Round),
        ("floor", F::Floor),
        ("trim_start", F::TrimStart),
        ("trim_end", F::TrimEnd),
        ("indexof", F::IndexOf),
        ("countof", F::CountOf),
        ("startofweek", F::StartOfWeek),
        ("startofmonth", F::StartOfMonth),
        ("startofyear", F::StartOfYear),
        ("endofday", F::EndOfDay),
        ("hourofday", F::HourOfDay),
        ("dayofweek", F::DayOfWeek),
        ("getmonth", F::GetMonth),
        ("monthofyear", F::GetMonth),
        ("getyear", F::GetYear),
        ("base64_decode_tostring", F::Base64DecodeToString),
        ("base64_decodestring", F::Base64DecodeToString),
        ("url_decode", F::UrlDecode),
        ("url_encode", F::UrlEncode),
        ("url_encode_component", F::UrlEncode),
        ("parse_url", F::ParseUrl),
        ("parseurl", F::ParseUrl),
        ("bag_keys", F::BagKeys),
        ("array_sort_asc", F::ArraySortAsc),
        ("array_sort_desc", F::ArraySortDesc),
        ("array_slice", F::ArraySlice),
        ("strcat_array", F::StrcatArray),
        ("array_strcat", F::StrcatArray),
        ("log", F::Log),
        ("totimespan", F::ToTimespan),
        ("totime", F::ToTimespan),
        ("gettype", F::Typeof),
        ("tohex", F::ToHex),
        ("string_size", F::StringSize),
        (
            "unixtime_milliseconds_todatetime",
            F::UnixtimeMillisecondsToDatetime,
        ),
        ("indexof_regex", F::IndexOfRegex),
        ("parse_ipv4", F::ParseIpv4),
        ("hash_sha256", F::HashSha256),
        ("hash_md5", F::HashMd5),
        ("log2", F::Log2),
        ("max_of", F::MaxOf),
        ("min_of", F::MinOf),
        ("reverse", F::Reverse),
        ("format_datetime", F::FormatDatetime),
        ("set_union", F::SetUnion),
        ("set_difference", F::SetDifference),
        ("set_intersect", F::SetIntersect),
        ("array_concat", F::ArrayConcat),
    ]
};

/// The IR function a KQL scalar function (or alias) lowers to.
pub(crate) fn scalar_fn(name: &str) -> Option<ir::ScalarFn> {
    SCALAR_FUNCTIONS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|&(_, f)| f)
}

/// The constant regex argument of a function that takes an RE2 pattern, if there is one.
fn regex_arg(func: ir::ScalarFn, args: &[ir::Expr]) -> Option<&ir::Expr> {
    use ir::ScalarFn as F;
    let string = |e: &ir::Expr| matches!(&e.kind, ir::ExprKind::Literal(ir::Literal::String(_)));
    let at = match func {
        F::Extract | F::Trim | F::TrimStart | F::TrimEnd => 0,
        F::Replace | F::IndexOfRegex => 1,
        F::CountOf => match args.get(2).map(|a| &a.kind) {
            Some(ir::ExprKind::Literal(ir::Literal::String(k))) if k == "regex" => 1,
            _ => return None,
        },
        _ => return None,
    };
    args.get(at).filter(|a| string(a))
}

/// A constant RE2 pattern KQL would refuse is an error in every target alike (`L053`), at the
/// pattern's span.
pub(crate) fn check_regex(pattern: &ir::Expr) -> LResult<()> {
    let ir::ExprKind::Literal(ir::Literal::String(p)) = &pattern.kind else {
        return Ok(());
    };
    crate::re2::check(p).map_err(|e| {
        Box::new(
            crate::diag::Diagnostic::error(
                LowerCode::L053,
                format!("invalid regular expression: {}", e.message),
                pattern.span,
            )
            .with_label("KQL (RE2) refuses this pattern"),
        )
    })
}

/// A typed IR literal from an AST literal.
pub(crate) fn literal(l: &ast::Literal, span: Span) -> LResult<ir::Literal> {
    Ok(match l {
        ast::Literal::Bool(b) => ir::Literal::Bool(*b),
        ast::Literal::Long(n) => ir::Literal::Long(*n),
        ast::Literal::Real(text) => ir::Literal::Real(parse_real(text, span)?),
        ast::Literal::String(s) => ir::Literal::String(s.clone()),
        // `datetime(null)`: the null datetime (Kusto's scalar data types page: every type has a
        // null value, written `T(null)`).
        ast::Literal::DateTime(text) if text.trim() == "null" => ir::Literal::Null,
        ast::Literal::DateTime(text) => ir::Literal::DateTime(normalise_datetime(text, span)?),
        ast::Literal::Timespan { ticks, text } => match ticks {
            Some(t) => ir::Literal::Timespan(ir::Duration::from_ticks(*t)),
            None => {
                return Err(unsupported(
                    LowerCode::L022,
                    span,
                    format!("cannot read the timespan `{text}`"),
                ))
            }
        },
        ast::Literal::Typed { ty, value } => typed(ty, value, span)?,
        ast::Literal::Null => ir::Literal::Null,
    })
}

fn parse_real(text: &str, span: Span) -> LResult<f64> {
    text.trim().parse::<f64>().map_err(|_| {
        unsupported(
            LowerCode::L022,
            span,
            format!("cannot read the number `{text}`"),
        )
    })
}

fn typed(ty: &str, value: &str, span: Span) -> LResult<ir::Literal> {
    let v = value.trim();
    if v == "null" {
        return Ok(ir::Literal::Null);
    }
    Ok(match ty {
        "long" | "int" => ir::Literal::Long(v.parse().map_err(|_| {
            unsupported(
                LowerCode::L022,
                span,
                format!("cannot read `{ty}({value})`"),
            )
        })?),
        "real" | "double" | "decimal" => match v {
            "nan" | "+inf" | "-inf" => {
                return Err(unsupported(
                    LowerCode::L022,
                    span,
                    format!("`{ty}({v})` is not supported"),
                ))
            }
            _ => ir::Literal::Real(parse_real(v, span)?),
        },
        "bool" | "boolean" => match v {
            "true" | "1" => ir::Literal::Bool(true),
            "false" | "0" => ir::Literal::Bool(false),
            _ => {
                return Err(unsupported(
                    LowerCode::L022,
                    span,
                    format!("cannot read `bool({v})`"),
                ))
            }
        },
        "guid" => ir::Literal::String(v.trim_matches(|c| c == '"' || c == '\'').to_string()),
        _ => {
            return Err(unsupported(
                LowerCode::L022,
                span,
                format!("`{ty}(…)` literals are not supported"),
            ))
        }
    })
}

/// `2024-01-02`, `2024-01-02 10:00`, `2024-01-02T10:00:00.5Z` → `2024-01-02T10:00:00.5Z`.
pub(crate) fn normalise_datetime(text: &str, span: Span) -> LResult<String> {
    let t = text.trim().trim_matches(|c| c == '"' || c == '\'');
    let bad = || {
        unsupported(
            LowerCode::L022,
            span,
            format!("cannot read the datetime `{text}`; use ISO 8601 like 2024-01-31T12:00:00Z"),
        )
    };
    let (date, time) = match t.split_once(['T', ' ']) {
        Some((d, rest)) => (d, rest.trim_end_matches('Z')),
        None => (t.trim_end_matches('Z'), "00:00:00"),
    };
    let d: Vec<&str> = date.split('-').collect();
    let ok_date = d.len() == 3
        && d[0].len() == 4
        && d.iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    if !ok_date {
        return Err(bad());
    }
    let mut parts: Vec<String> = time.split(':').map(str::to_string).collect();
    if parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(bad());
    }
    while parts.len() < 3 {
        parts.push("00".to_string());
    }
    let valid_time = parts
        .iter()
        .all(|p| p.chars().all(|c| c.is_ascii_digit() || c == '.'));
    if !valid_time {
        return Err(bad());
    }
    let pad = |s: &str| {
        if s.len() == 1 {
            format!("0{s}")
        } else {
            s.to_string()
        }
    };
    Ok(format!(
        "{}-{}-{}T{}:{}:{}Z",
        d[0],
        pad(d[1]),
        pad(d[2]),
        pad(&parts[0]),
        pad(&parts[1]),
        pad(&parts[2])
    ))
}
