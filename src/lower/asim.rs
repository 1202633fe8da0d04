//! ASIM unifying parsers called with filtering parameters: `imDns(domain_has_any=L,
//! starttime=ago(1h))` is the parser's table (`imDns`, as the pipeline maps it) followed by a
//! `where` applying each parameter's test on the schema's normalized columns
//! (`DnsQuery has_any (L)`, `TimeGenerated >= ago(1h)`). Which parameters a parser takes, in
//! which order, their defaults, tests and the known differences of source parsers are data,
//! with their sources: `asim_parameters.yaml`.
//!
//! An argument equal to the parameter's default applies no test (ASIM requires it of every
//! parser). A parameter the file does not know, or one it declines, is refused (`L010`) at the
//! argument, naming the parameter.
//!
//! The tests are built before lowering (`collect`), one KQL expression per argument with the
//! argument in the parameter's place and located at the argument, so lowering reads them as
//! the query's own (`let`s, `ago()`, computed lists as subqueries all apply).

use super::{LResult, Lowerer};
use crate::backend::Effect;
use crate::codes::LowerCode;
use crate::diag::Diagnostic;
use crate::ir;
use crate::kql::ast;
use crate::kql::visit::{walk_expr, walk_query, Visitor};
use crate::source::Span;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

const DATA: &str = include_str!("asim_parameters.yaml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    parsers: Vec<RawParser>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParser {
    schema: String,
    names: Vec<String>,
    /// Where the parser's parameters are documented (required, checked non-empty).
    from: String,
    parameters: Vec<RawParameter>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParameter {
    name: String,
    default: String,
    #[serde(default)]
    test: Option<String>,
    #[serde(default)]
    declined: Option<String>,
    /// Where the test is documented and what the parsers apply (required with a test).
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    notes: Vec<RawNote>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNote {
    effect: String,
    text: String,
}

/// One ASIM unifying parser (all names of one schema's parser share it).
pub(crate) struct Parser {
    pub(crate) schema: String,
    names: Vec<String>,
    parameters: Vec<Parameter>,
}

pub(crate) struct Parameter {
    pub(crate) name: String,
    /// The default, parsed.
    default: ast::Expr,
    kind: ParamKind,
    notes: Vec<(Effect, String)>,
}

enum ParamKind {
    /// The test as written in the data file, and parsed (the parameter's name in it is the
    /// placeholder the argument replaces).
    Test(String, ast::Expr),
    Declined(String),
}

/// The parsers of `asim_parameters.yaml`, read once.
fn parsers() -> &'static [Parser] {
    static PARSERS: OnceLock<Vec<Parser>> = OnceLock::new();
    PARSERS.get_or_init(|| load(DATA).expect("src/lower/asim_parameters.yaml is valid"))
}

/// The ASIM parser called `name`, if the data file has it.
pub(crate) fn parser(name: &str) -> Option<&'static Parser> {
    parsers().iter().find(|p| p.names.iter().any(|n| n == name))
}

/// Every parser name the data file has, for messages.
pub(crate) fn known_parsers() -> Vec<&'static str> {
    parsers()
        .iter()
        .flat_map(|p| p.names.iter().map(String::as_str))
        .collect()
}

fn load(text: &str) -> Result<Vec<Parser>, String> {
    let raw: RawFile = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
    raw.parsers
        .into_iter()
        .map(|p| {
            if p.from.trim().is_empty() {
                return Err(format!("{}: `from` names no source", p.schema));
            }
            let parameters = p
                .parameters
                .into_iter()
                .map(|r| {
                    let default = where_expr(&r.default)?;
                    let kind = match (r.test, r.declined) {
                        (Some(_), None)
                            if r.from.as_deref().is_none_or(|f| f.trim().is_empty()) =>
                        {
                            return Err(format!("`{}`: a test needs its source, `from`", r.name))
                        }
                        (Some(t), None) => {
                            let e = where_expr(&t)?;
                            ParamKind::Test(t, e)
                        }
                        (None, Some(d)) => ParamKind::Declined(d),
                        _ => return Err(format!("`{}`: give `test` or `declined`", r.name)),
                    };
                    let notes = r
                        .notes
                        .into_iter()
                        .map(|n| {
                            let effect = match n.effect.as_str() {
                                "over-match" => Effect::OverMatch,
                                "under-match" => Effect::UnderMatch,
                                "values" => Effect::Values,
                                other => return Err(format!("unknown effect `{other}`")),
                            };
                            Ok((effect, n.text))
                        })
                        .collect::<Result<_, String>>()?;
                    Ok(Parameter {
                        name: r.name,
                        default,
                        kind,
                        notes,
                    })
                })
                .collect::<Result<_, String>>()?;
            Ok(Parser {
                schema: p.schema,
                names: p.names,
                parameters,
            })
        })
        .collect()
}

/// `text` parsed as the predicate of `T | where text`.
fn where_expr(text: &str) -> Result<ast::Expr, String> {
    let q = crate::kql::parse(&format!("T | where {text}"))
        .map_err(|d| format!("`{text}`: {}", d[0].message))?;
    let found = q.statements.into_iter().find_map(|s| match s.kind {
        ast::StatementKind::Expr(ast::Expr {
            kind: ast::ExprKind::Pipeline(p),
            ..
        }) => p.operators.into_iter().next().and_then(|o| match o.kind {
            ast::OperatorKind::Where { predicate, .. } => Some(predicate),
            _ => None,
        }),
        _ => None,
    });
    found.ok_or_else(|| format!("`{text}` is not one predicate"))
}

/// One argument of an ASIM parser call, ready to lower.
pub(crate) struct Argument {
    param: &'static Parameter,
    /// The whole argument (`name = value`), where its test and notes are located.
    span: Span,
    value: ast::Expr,
    /// The parameter's test with `value` in the parameter's place, every node of the test
    /// itself located at the argument; or why the parameter is declined.
    test: Result<(&'static str, ast::Expr), &'static str>,
}

/// Every ASIM parser call with arguments in a query, by the call's span: its arguments, or
/// the refusal of the first one kqlport cannot read.
#[derive(Default)]
pub(crate) struct Calls(HashMap<(usize, usize), Result<Vec<Argument>, Box<Diagnostic>>>);

/// Finds the query's ASIM parser calls with arguments and builds their tests.
pub(crate) fn collect(query: &ast::Query) -> Calls {
    struct Finder(Calls);
    impl<'q> Visitor<'q> for Finder {
        fn visit_expr(&mut self, e: &'q ast::Expr) {
            if let ast::ExprKind::Call { function, args } = &e.kind {
                if let Some(p) = parser(&function.name).filter(|_| !args.is_empty()) {
                    let built = arguments(p, &function.name, args);
                    self.0 .0.insert((e.span.start, e.span.end), built);
                }
            }
            walk_expr(self, e)
        }
    }
    let mut f = Finder(Calls::default());
    walk_query(&mut f, query);
    f.0
}

fn arguments(
    parser: &'static Parser,
    name: &str,
    args: &[ast::Arg],
) -> Result<Vec<Argument>, Box<Diagnostic>> {
    let mut out: Vec<Argument> = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let param = match &a.name {
            Some(n) => parser.parameters.iter().find(|p| p.name == n.name),
            None => parser.parameters.get(i),
        };
        let Some(param) = param else {
            let known: Vec<&str> = parser.parameters.iter().map(|p| p.name.as_str()).collect();
            let what = match &a.name {
                Some(n) => format!("has no filtering parameter `{}`", n.name),
                None => format!("takes {} parameters", known.len()),
            };
            return Err(Box::new(
                Diagnostic::error(
                    LowerCode::L010,
                    format!(
                        "the ASIM parser `{name}` {what}; the {} parser's parameters kqlport \
                         knows are: {}",
                        parser.schema,
                        known.join(", ")
                    ),
                    a.span,
                )
                .with_label("unknown ASIM parameter"),
            ));
        };
        if let Some(dup) = out.iter().find(|o| o.param.name == param.name) {
            return Err(Box::new(
                Diagnostic::error(
                    LowerCode::L010,
                    format!("the ASIM parameter `{}` is given twice", param.name),
                    a.span,
                )
                .with_secondary(dup.span, "given here first"),
            ));
        }
        let test = match &param.kind {
            ParamKind::Test(text, t) => {
                let mut t = t.clone();
                substitute(&mut t, &param.name, &a.value, a.span);
                Ok((text.as_str(), t))
            }
            ParamKind::Declined(why) => Err(why.as_str()),
        };
        out.push(Argument {
            param,
            span: a.span,
            value: a.value.clone(),
            test,
        });
    }
    Ok(out)
}

/// Puts `value` in the place of every `name` in `e` (a parameter's test) and locates the
/// test's own nodes at `at`.
fn substitute(e: &mut ast::Expr, name: &str, value: &ast::Expr, at: Span) {
    if matches!(&e.kind, ast::ExprKind::Ident(n) if n.name == name) {
        *e = value.clone();
        return;
    }
    e.span = at;
    let each = |x: &mut ast::Expr| substitute(x, name, value, at);
    match &mut e.kind {
        ast::ExprKind::Literal(_) | ast::ExprKind::Star | ast::ExprKind::Pipeline(_) => {}
        ast::ExprKind::Ident(n) => n.span = at,
        ast::ExprKind::Member { expr, member } => {
            each(expr);
            member.span = at;
        }
        ast::ExprKind::Unary { expr, .. } => each(expr),
        ast::ExprKind::Index { expr, index } => {
            each(expr);
            each(index);
        }
        ast::ExprKind::Call { function, args } => {
            function.span = at;
            for a in args {
                a.span = at;
                each(&mut a.value);
            }
        }
        ast::ExprKind::Binary { lhs, rhs, .. } => {
            each(lhs);
            each(rhs);
        }
        ast::ExprKind::In { expr, list, .. } => {
            each(expr);
            list.iter_mut().for_each(each);
        }
        ast::ExprKind::Between {
            expr, low, high, ..
        } => {
            each(expr);
            each(low);
            each(high);
        }
        ast::ExprKind::List(items) => {
            // `has_any (p)` with the argument itself parenthesised, `(L)`: one list.
            if let [only] = items.as_mut_slice() {
                if matches!(&only.kind, ast::ExprKind::Ident(n) if n.name == name) {
                    if let ast::ExprKind::List(inner) = &value.kind {
                        *items = inner.clone();
                        return;
                    }
                }
            }
            items.iter_mut().for_each(each);
        }
        ast::ExprKind::Dynamic(_) => {}
    }
}

impl<'a> Lowerer<'a> {
    /// `parser(args) | ops`: the parser's table, then a filter per argument that is not the
    /// parameter's default.
    pub(crate) fn asim_source(
        &mut self,
        function: &'a ast::Name,
        span: Span,
        ops: Vec<&'a ast::Operator>,
    ) -> LResult<super::Flat<'a>> {
        let source = ir::Source::table(function.name.clone(), function.span);
        let calls = self.asim;
        let Some(args) = calls.and_then(|c| c.0.get(&(span.start, span.end))) else {
            // No arguments: every parameter at its default, the parser read as its table.
            return Ok((source, Vec::new(), ops));
        };
        let args = args.as_ref().map_err(|d| d.clone())?;
        let mut stages = Vec::new();
        for a in args {
            if self.resolved(&a.value) == &a.param.default {
                continue;
            }
            let (text, test) = match &a.test {
                Ok((text, test)) => (*text, test),
                Err(why) => {
                    return Err(Box::new(
                        Diagnostic::error(
                            LowerCode::L010,
                            format!(
                                "the ASIM parameter `{}` of `{}` is not translated: {why}",
                                a.param.name, function.name
                            ),
                            a.span,
                        )
                        .with_label("ASIM filtering parameter"),
                    ));
                }
            };
            let filter = self.predicate(test).map_err(|d| {
                Box::new(
                    Diagnostic::error(
                        d.code,
                        format!(
                            "the ASIM parameter `{}` filters as `{text}`, which cannot be \
                             translated: {}",
                            a.param.name, d.message
                        ),
                        a.span,
                    )
                    .with_secondary(d.span, "here")
                    .with_label("ASIM filtering parameter"),
                )
            })?;
            if !self.is_constant(&a.value) {
                self.note(
                    a.span,
                    Effect::UnderMatch,
                    format!(
                        "the ASIM parameter `{}` is computed at query time: when its value is \
                         the parameter's default the parser applies no test, and this \
                         translation still tests `{text}`",
                        a.param.name
                    ),
                );
            }
            for (effect, note) in &a.param.notes {
                self.note(a.span, *effect, note.clone());
            }
            stages.push(ir::Stage {
                kind: ir::StageKind::Filter(filter),
                span: a.span,
            });
        }
        Ok((source, stages, ops))
    }

    /// `e` with scalar `let` names followed to what they stand for.
    fn resolved(&self, mut e: &'a ast::Expr) -> &'a ast::Expr {
        for _ in 0..64 {
            match &e.kind {
                ast::ExprKind::Ident(n) => match self.scalar_let(&n.name) {
                    Some(bound) => e = bound,
                    None => break,
                },
                ast::ExprKind::List(items) if items.len() == 1 => e = &items[0],
                _ => break,
            }
        }
        e
    }

    /// Whether `e` is a value written in the query (a literal, a `dynamic` literal, a list of
    /// them, or `ago()`/`now()`/`datetime()`/`int()` of one), following `let`s.
    fn is_constant(&self, e: &'a ast::Expr) -> bool {
        let e = self.resolved(e);
        match &e.kind {
            ast::ExprKind::Literal(_) | ast::ExprKind::Dynamic(_) => true,
            ast::ExprKind::List(items) => items.iter().all(|i| self.is_constant(i)),
            ast::ExprKind::Unary { expr, .. } => self.is_constant(expr),
            ast::ExprKind::Call { function, args }
                if matches!(
                    function.name.as_str(),
                    "ago" | "now" | "datetime" | "todatetime" | "int" | "long" | "timespan"
                ) =>
            {
                args.iter().all(|a| self.is_constant(&a.value))
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_file_loads_and_every_test_names_its_parameter() {
        let ps = load(DATA).unwrap();
        assert!(ps.len() >= 3);
        for p in &ps {
            for param in &p.parameters {
                if let ParamKind::Test(text, _) = &param.kind {
                    assert!(
                        text.contains(&param.name),
                        "{}: the test `{text}` does not use the parameter",
                        param.name
                    );
                }
            }
        }
    }

    #[test]
    fn a_test_takes_the_argument_in_the_parameters_place() {
        let q = crate::kql::parse("imDns(domain_has_any=(L), starttime=ago(1h))").unwrap();
        let calls = collect(&q);
        let (_, args) = calls.0.iter().next().unwrap();
        let args = args.as_ref().map_err(|d| d.message.clone()).unwrap();
        assert_eq!(
            &args[0].test.as_ref().unwrap().1,
            &where_expr("DnsQuery has_any (L)").unwrap()
        );
        assert_eq!(
            &args[1].test.as_ref().unwrap().1,
            &where_expr("TimeGenerated >= ago(1h)").unwrap()
        );
        // Located at the argument.
        let at = args[1].test.as_ref().unwrap().1.span;
        assert_eq!((at.start, at.end), (args[1].span.start, args[1].span.end));
    }
}
