//! Values inside EQL conditions: fields (through bindings), literals, arithmetic.
//!
//! With the refusals for values EQL cannot write.

use crate::ast::{self, Call, FieldPart, FieldRef, Value};
use crate::pred::Lowerer;
use kqlport::backend::Effect;
use kqlport::codes::EqlCode;
use kqlport::diag::Diagnostic;
use kqlport::ir::{
    self,
    visit::{self, Visitor},
    ArithOp, Expr, ExprKind, Literal, PathSegment, ScalarFn,
};
use kqlport::source::Span;

impl Lowerer<'_> {
    /// Replaces columns bound by `extend`/`project`/`project-rename` with their definitions.
    pub(crate) fn resolve(&mut self, e: &Expr) -> Option<Expr> {
        let mut out = e.clone();
        self.resolve_in_place(&mut out)?;
        Some(out)
    }

    pub(crate) fn resolve_in_place(&mut self, e: &mut Expr) -> Option<()> {
        match &mut e.kind {
            ExprKind::Field(fp) => {
                if let Some((bound, def_span)) = self.env.get(&fp.column) {
                    if fp.path.is_empty() {
                        *e = bound.clone();
                    } else if let ExprKind::Field(inner) = &bound.kind {
                        let mut inner = inner.clone();
                        inner.path.extend(fp.path.iter().cloned());
                        inner.parsed |= fp.parsed;
                        e.kind = ExprKind::Field(inner);
                    } else {
                        self.diags.push(
                            Diagnostic::error(
                                EqlCode::B065,
                                "a path into a computed column cannot be written in EQL",
                                e.span,
                            )
                            .with_secondary(*def_span, "computed here"),
                        );
                        return None;
                    }
                }
                Some(())
            }
            ExprKind::Call { args, .. } => {
                for a in args {
                    self.resolve_in_place(a)?;
                }
                Some(())
            }
            ExprKind::Arith { lhs, rhs, .. } => {
                self.resolve_in_place(lhs)?;
                self.resolve_in_place(rhs)
            }
            ExprKind::Neg(x) => self.resolve_in_place(x),
            // Predicates inside expressions are resolved when they are translated.
            _ => Some(()),
        }
    }

    /// The field a test is about: the expression must be (or resolve to) a plain field.
    pub(crate) fn field_of(&mut self, e: &Expr, span: Span) -> Option<FieldRef> {
        let e = self.resolve(e)?;
        match &e.kind {
            ExprKind::Field(fp) => self.field_ref(fp, e.span),
            _ => {
                let at = if e.span.is_empty() { span } else { e.span };
                self.unsupported(at, "a test on a computed value")
            }
        }
    }

    /// The single field inside an expression such as `strlen(f) + 1`.
    pub(crate) fn field_of_single(&mut self, e: &Expr, span: Span) -> Option<FieldRef> {
        let fields = fields_in(e);
        match fields.as_slice() {
            [(fp, s)] => self.field_ref(fp, *s),
            _ => self.unsupported(span, "an expression over several fields"),
        }
    }

    pub(crate) fn field_ref(&mut self, fp: &ir::FieldPath, span: Span) -> Option<FieldRef> {
        let mut parts = Vec::with_capacity(1 + fp.path.len());
        let bad = |s: &str| s.is_empty() || s.chars().any(char::is_control);
        if bad(&fp.column) {
            return self.bad_name(span);
        }
        parts.push(FieldPart::Name(fp.column.clone()));
        for seg in &fp.path {
            match seg {
                PathSegment::Key(k) if !bad(k) => parts.push(FieldPart::Name(k.clone())),
                PathSegment::Index(i) if *i >= 0 => parts.push(FieldPart::Index(*i as u64)),
                PathSegment::Key(_) => return self.bad_name(span),
                PathSegment::Index(_) => {
                    return self.unsupported(span, "a negative array index");
                }
            }
        }
        if fp.parsed {
            self.notes.push(
                span,
                Effect::UnderMatch,
                format!(
                    "`{}` holds JSON text in KQL (parse_json); EQL reads the path as an object \
                     field, so events where the column is stored as text will not match",
                    fp.column
                ),
            );
        }
        Some(FieldRef(parts))
    }

    pub(crate) fn bad_name(&mut self, span: Span) -> Option<FieldRef> {
        self.diags.push(
            Diagnostic::error(
                EqlCode::B068,
                "this field name cannot be written in EQL (empty or with control characters)",
                span,
            )
            .with_label("field name"),
        );
        None
    }

    pub(crate) fn value(&mut self, e: &Expr) -> Option<Value> {
        match &e.kind {
            ExprKind::Literal(l) => self.literal(l, e.span),
            ExprKind::Field(fp) => Some(Value::Field(self.field_ref(fp, e.span)?)),
            ExprKind::Call {
                func: ScalarFn::Strlen,
                args,
            } if args.len() == 1 => {
                let arg = self.value(&args[0])?;
                Some(Value::Call(Call {
                    name: "length",
                    insensitive: false,
                    args: vec![arg],
                }))
            }
            ExprKind::Arith { op, lhs, rhs } => {
                let op = match op {
                    ArithOp::Add => ast::ArithOp::Add,
                    ArithOp::Sub | ArithOp::DateSub => ast::ArithOp::Sub,
                    ArithOp::Mul => ast::ArithOp::Mul,
                    ArithOp::Div => ast::ArithOp::Div,
                    ArithOp::Mod => ast::ArithOp::Mod,
                };
                Some(Value::Arith {
                    op,
                    lhs: Box::new(self.value(lhs)?),
                    rhs: Box::new(self.value(rhs)?),
                })
            }
            ExprKind::Neg(x) => Some(Value::Neg(Box::new(self.value(x)?))),
            ExprKind::Now | ExprKind::Ago(_) => {
                self.diags.push(
                    Diagnostic::error(EqlCode::B067, "EQL has no `now()`/`ago()`", e.span)
                        .with_label("relative time")
                        .with_help("only a top-level `TimeGenerated > ago(…)` window can be moved to the search API's range filter"),
                );
                None
            }
            _ => self.unsupported(e.span, "this expression"),
        }
    }

    pub(crate) fn literal(&mut self, l: &Literal, span: Span) -> Option<Value> {
        match l {
            Literal::String(s) => Some(Value::Str(s.clone())),
            Literal::Long(i) => Some(Value::Int(*i)),
            Literal::Real(r) if r.is_finite() => Some(Value::Real(*r)),
            Literal::Bool(b) => Some(Value::Bool(*b)),
            Literal::Null => Some(Value::Null),
            Literal::Real(_) => self.unsupported(span, "a non-finite number"),
            Literal::DateTime(_) | Literal::Timespan(_) => {
                self.diags.push(
                    Diagnostic::error(EqlCode::B067, "EQL has no datetime or timespan literals", span)
                        .with_label("datetime/timespan value")
                        .with_help("a fixed time range belongs in the EQL search API's `filter` (a `range` query on the timestamp)"),
                );
                None
            }
        }
    }

    pub(crate) fn unsupported<T>(&mut self, span: Span, what: &str) -> Option<T> {
        self.diags.push(
            crate::REFUSAL
                .cannot_express(EqlCode::B065, what, span)
                .with_help("EQL conditions compare fields with literals, with a few functions (length, startsWith, cidrMatch…); ES|QL can compute values"),
        );
        None
    }
}

/// The fields an expression reads, with their spans, in order, through calls and arithmetic
/// only (not into a `case`, a predicate or a path).
pub(crate) fn fields_in(e: &Expr) -> Vec<(ir::FieldPath, Span)> {
    struct Fields(Vec<(ir::FieldPath, Span)>);
    impl<'ir> Visitor<'ir> for Fields {
        fn visit_expr(&mut self, e: &'ir Expr) {
            if let ExprKind::Field(_)
            | ExprKind::Call { .. }
            | ExprKind::Arith { .. }
            | ExprKind::Neg(_) = e.kind
            {
                visit::walk_expr(self, e);
            }
        }

        fn visit_field(&mut self, f: &'ir ir::FieldPath, span: Span) {
            self.0.push((f.clone(), span));
        }
    }
    let mut out = Fields(Vec::new());
    out.visit_expr(e);
    out.0
}
