//! A read-only visitor over the IR, in the style of sqlparser-rs's `Visitor` and prqlc's fold:
//! every `visit_*` method has a default that walks the node's children (through the matching
//! `walk_*` function), so a visitor overrides only the nodes it cares about and calls `walk_*`
//! itself where it still wants the children. Children are visited in the order the KQL wrote
//! them (a `case`'s conditions and values alternate, then the `else`).
//!
//! Three kinds of column reference reach a visitor:
//! * [`Visitor::visit_field`]: an expression reads a column (every [`ExprKind::Field`]);
//! * [`Visitor::visit_name`]: a stage names a column it reads without an expression (a
//!   `distinct` column, a rename's old name, a join's left key, a `project-away` name that is
//!   no wildcard);
//! * [`Visitor::visit_written`]: a stage writes a column (assigned, renamed to, aggregated,
//!   expanded, parsed into).
//!
//! The helpers at the end answer the common questions ("which columns does this read / write")
//! with it; backends use them instead of walking the IR by hand.

use super::*;

/// Walks the IR; each method's default visits the node's children.
pub trait Visitor<'ir> {
    /// A whole query: its source (a union's legs), then its stages.
    fn visit_query(&mut self, q: &'ir Query) {
        walk_query(self, q)
    }

    /// One stage of a pipeline. A join's right side is a query of its own, visited through
    /// [`Visitor::visit_query`] (override that to stay within one pipeline).
    fn visit_stage(&mut self, s: &'ir Stage) {
        walk_stage(self, &s.kind, s.span)
    }

    fn visit_predicate(&mut self, p: &'ir Predicate) {
        walk_predicate(self, p)
    }

    fn visit_expr(&mut self, e: &'ir Expr) {
        walk_expr(self, e)
    }

    /// An aggregate's function (its output columns are [`Visitor::visit_written`] by the stage).
    fn visit_aggregation(&mut self, f: &'ir AggFunc) {
        walk_aggregation(self, f)
    }

    /// A column an expression reads, with the path into it; `span` is the expression's.
    fn visit_field(&mut self, _field: &'ir FieldPath, _span: Span) {}

    /// A column a stage names (not through an expression) and reads.
    fn visit_name(&mut self, _name: &'ir str, _span: Span) {}

    /// A column a stage writes.
    fn visit_written(&mut self, _name: &'ir str, _span: Span) {}
}

pub fn walk_query<'ir, V: Visitor<'ir> + ?Sized>(v: &mut V, q: &'ir Query) {
    if let SourceKind::Union(u) = &q.source.kind {
        for leg in &u.legs {
            v.visit_query(leg);
        }
        if let Some(c) = &u.withsource {
            v.visit_written(&c.name, c.span);
        }
    }
    for s in &q.stages {
        v.visit_stage(s);
    }
}

pub fn walk_stage<'ir, V: Visitor<'ir> + ?Sized>(v: &mut V, kind: &'ir StageKind, span: Span) {
    match kind {
        StageKind::Filter(p) => v.visit_predicate(p),
        StageKind::Extend(assigns)
        | StageKind::Project(assigns)
        | StageKind::Neighbours { items: assigns, .. } => {
            for a in assigns {
                v.visit_expr(&a.expr);
                v.visit_written(&a.name.name, a.name.span);
            }
        }
        StageKind::ProjectAway(pats) | StageKind::ProjectKeep(pats) | StageKind::Reorder(pats) => {
            for p in pats.iter().filter(|p| !p.is_wildcard()) {
                v.visit_name(&p.pattern, p.span);
            }
        }
        StageKind::Rename(pairs) => {
            for (new, old) in pairs {
                v.visit_name(&old.name, old.span);
                v.visit_written(&new.name, new.span);
            }
        }
        StageKind::Totals(aggs) => {
            for a in aggs {
                v.visit_aggregation(&a.func);
                v.visit_written(&a.name.name, a.name.span);
            }
        }
        StageKind::Scalar(s) => {
            v.visit_query(&s.query);
            v.visit_written(&s.name.name, s.name.span);
        }
        StageKind::Aggregate { by, aggs } => {
            for k in by {
                match &k.kind {
                    GroupKeyKind::Expr(e) => v.visit_expr(e),
                    GroupKeyKind::Bin { field, .. } => v.visit_expr(field),
                }
                v.visit_written(&k.name.name, k.name.span);
            }
            for a in aggs {
                v.visit_aggregation(&a.func);
                if matches!(a.func, AggFunc::AnyRow) {
                    continue;
                }
                v.visit_written(&a.name.name, a.name.span);
                if let AggFunc::ArgMax { cols, .. } | AggFunc::ArgMin { cols, .. } = &a.func {
                    for c in cols {
                        v.visit_written(&c.name.name, c.name.span);
                    }
                }
            }
        }
        StageKind::Sort(keys) => {
            for k in keys {
                v.visit_expr(&k.expr);
            }
        }
        StageKind::Top { key, .. } => v.visit_expr(&key.expr),
        StageKind::Limit(_) => {}
        StageKind::Distinct(cols) => {
            for c in cols {
                v.visit_name(&c.name, c.span);
            }
        }
        StageKind::Count => v.visit_written("Count", span),
        StageKind::Join { right, on, .. } => {
            v.visit_query(right);
            for k in on {
                v.visit_name(&k.left.name, k.left.span);
            }
        }
        StageKind::MvExpand(m) => {
            for i in &m.items {
                for e in i.exprs() {
                    v.visit_expr(e);
                }
                v.visit_written(&i.name.name, i.name.span);
            }
            for ix in m.index.iter().chain(&m.per_row) {
                v.visit_written(&ix.name, ix.span);
            }
        }
        StageKind::Ipv4Lookup(l) => {
            v.visit_name(&l.key.name, l.key.span);
            for c in &l.table.columns {
                v.visit_written(&c.name, span);
            }
        }
        StageKind::Parse(p) => {
            v.visit_expr(&p.source);
            for c in p.captures() {
                v.visit_written(&c.name, c.span);
            }
        }
    }
}

pub fn walk_predicate<'ir, V: Visitor<'ir> + ?Sized>(v: &mut V, p: &'ir Predicate) {
    match &p.kind {
        PredicateKind::And(items) | PredicateKind::Or(items) => {
            for i in items {
                v.visit_predicate(i);
            }
        }
        PredicateKind::Not(x) => v.visit_predicate(x),
        PredicateKind::StrMatch(m) => v.visit_expr(&m.field),
        PredicateKind::Compare { lhs, rhs, .. } => {
            v.visit_expr(lhs);
            v.visit_expr(rhs);
        }
        // The subquery's own columns are another query's: only `expr` is read here (a visitor
        // that wants the nested query walks `sub.query` itself).
        PredicateKind::InSet { expr, .. }
        | PredicateKind::InSubquery { expr, .. }
        | PredicateKind::IsEmpty { expr, .. }
        | PredicateKind::IsNull { expr, .. }
        | PredicateKind::Bool(expr) => v.visit_expr(expr),
        PredicateKind::Between {
            expr, low, high, ..
        } => {
            v.visit_expr(expr);
            v.visit_expr(low);
            v.visit_expr(high);
        }
        PredicateKind::TimeWindow { field, .. } => v.visit_expr(field),
        PredicateKind::Const(_) => {}
    }
}

pub fn walk_expr<'ir, V: Visitor<'ir> + ?Sized>(v: &mut V, e: &'ir Expr) {
    match &e.kind {
        ExprKind::Field(f) => v.visit_field(f, e.span),
        ExprKind::Literal(_) | ExprKind::Now | ExprKind::Ago(_) | ExprKind::IngestionTime => {}
        ExprKind::Path { base, .. } => v.visit_expr(base),
        ExprKind::Call { args, .. } => {
            for a in args {
                v.visit_expr(a);
            }
        }
        ExprKind::Arith { lhs, rhs, .. } => {
            v.visit_expr(lhs);
            v.visit_expr(rhs);
        }
        ExprKind::Neg(x) => v.visit_expr(x),
        ExprKind::Case {
            branches,
            otherwise,
        } => {
            for (c, x) in branches {
                v.visit_predicate(c);
                v.visit_expr(x);
            }
            v.visit_expr(otherwise);
        }
        ExprKind::Predicate(p) => v.visit_predicate(p),
    }
}

pub fn walk_aggregation<'ir, V: Visitor<'ir> + ?Sized>(v: &mut V, f: &'ir AggFunc) {
    match f {
        AggFunc::Count => {}
        AggFunc::CountIf(p) => v.visit_predicate(p),
        AggFunc::DCountIf(e, p) => {
            v.visit_expr(e);
            v.visit_predicate(p);
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
        | AggFunc::TakeAny(e) => v.visit_expr(e),
        AggFunc::ArgMax { by, cols } | AggFunc::ArgMin { by, cols } => {
            v.visit_expr(by);
            for c in cols {
                v.visit_expr(&c.expr);
            }
        }
        AggFunc::AnyRow => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers: which columns does this read / write
// ---------------------------------------------------------------------------------------------

/// Collects column references within one pipeline (a join's right side is not entered).
#[derive(Default)]
struct Columns<'ir> {
    fields: Vec<(&'ir FieldPath, Span)>,
    read: Vec<&'ir str>,
    written: Vec<&'ir str>,
}

impl<'ir> Visitor<'ir> for Columns<'ir> {
    fn visit_query(&mut self, _: &'ir Query) {}

    fn visit_field(&mut self, field: &'ir FieldPath, span: Span) {
        self.fields.push((field, span));
        self.read.push(&field.column);
    }

    fn visit_name(&mut self, name: &'ir str, _: Span) {
        self.read.push(name);
    }

    fn visit_written(&mut self, name: &'ir str, _: Span) {
        self.written.push(name);
    }
}

/// Every column an expression reads (its [`FieldPath`] columns), in order, repeats kept.
pub fn expr_columns(e: &Expr) -> Vec<&str> {
    let mut c = Columns::default();
    c.visit_expr(e);
    c.read
}

/// Every column a predicate reads, in order, repeats kept.
pub fn predicate_columns(p: &Predicate) -> Vec<&str> {
    let mut c = Columns::default();
    c.visit_predicate(p);
    c.read
}

/// Every column an aggregate function reads (its argument, condition, `arg_max` columns), in
/// order, repeats kept.
pub fn aggregation_columns(f: &AggFunc) -> Vec<&str> {
    let mut c = Columns::default();
    c.visit_aggregation(f);
    c.read
}

/// Every field an expression reads, with the span of its reference, in order.
pub fn expr_fields(e: &Expr) -> Vec<(&FieldPath, Span)> {
    let mut c = Columns::default();
    c.visit_expr(e);
    c.fields
}

/// Every field a predicate reads, with the span of its reference, in order.
pub fn predicate_fields(p: &Predicate) -> Vec<(&FieldPath, Span)> {
    let mut c = Columns::default();
    c.visit_predicate(p);
    c.fields
}

/// Every field an aggregate function reads, with the span of its reference, in order.
pub fn aggregation_fields(f: &AggFunc) -> Vec<(&FieldPath, Span)> {
    let mut c = Columns::default();
    c.visit_aggregation(f);
    c.fields
}

/// Every column of its input a stage reads: through its expressions and by name (a
/// `distinct` column, a rename's old name, a join's left keys, a `project-away`/`project-keep`/
/// `project-reorder` name that is no wildcard). A join's right side reads its own source.
pub fn stage_reads(s: &Stage) -> Vec<&str> {
    let mut c = Columns::default();
    c.visit_stage(s);
    c.read
}

/// Every column a stage writes (assigns, renames to, aggregates into, expands, parses into;
/// `count`'s `Count`), in order. A column a stage keeps or drops is not written.
pub fn stage_writes(s: &Stage) -> Vec<&str> {
    let mut c = Columns::default();
    c.visit_stage(s);
    c.written
}

/// Every column the stages read or write, by expression or by name, in order, repeats kept,
/// the queries nested in them included (a join's right side, a subquery's pipeline, which may
/// read the same tables): where a column is named anywhere after a source.
pub fn stages_columns(stages: &[Stage]) -> Vec<&str> {
    #[derive(Default)]
    struct Named<'ir>(Vec<&'ir str>);
    impl<'ir> Visitor<'ir> for Named<'ir> {
        fn visit_field(&mut self, field: &'ir FieldPath, _: Span) {
            self.0.push(&field.column);
        }
        fn visit_name(&mut self, name: &'ir str, _: Span) {
            self.0.push(name);
        }
        fn visit_written(&mut self, name: &'ir str, _: Span) {
            self.0.push(name);
        }
    }
    let mut named = Named::default();
    for s in stages {
        named.visit_stage(s);
    }
    named.0
}

/// The subqueries (`x in (T | …)`) a stage's predicates hold, outermost first; each is a query
/// of its own (its columns are not the stage's).
pub fn subqueries(stage: &Stage) -> Vec<&Subquery> {
    struct Collect<'ir>(Vec<&'ir Subquery>);
    impl<'ir> Visitor<'ir> for Collect<'ir> {
        fn visit_predicate(&mut self, p: &'ir Predicate) {
            if let PredicateKind::InSubquery { sub, .. } = &p.kind {
                self.0.push(sub);
            }
            walk_predicate(self, p)
        }
    }
    let mut c = Collect(Vec::new());
    // Only this stage's own predicates: a join's right side is a query of its own.
    if !matches!(stage.kind, StageKind::Join { .. } | StageKind::Scalar(_)) {
        walk_stage(&mut c, &stage.kind, stage.span);
    }
    c.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp() -> Span {
        Span::new(0, 0)
    }

    fn field(c: &str) -> Expr {
        Expr {
            kind: ExprKind::Field(FieldPath::column(c)),
            span: sp(),
        }
    }

    fn lit(n: i64) -> Expr {
        Expr {
            kind: ExprKind::Literal(Literal::Long(n)),
            span: sp(),
        }
    }

    fn cmp(l: Expr, r: Expr) -> Predicate {
        Predicate {
            kind: PredicateKind::Compare {
                lhs: l,
                op: CmpOp::Eq,
                rhs: r,
                operands: Operands::Unknown,
            },
            span: sp(),
        }
    }

    fn col(n: &str) -> Column {
        Column {
            name: n.into(),
            span: sp(),
        }
    }

    fn stage(kind: StageKind) -> Stage {
        Stage { kind, span: sp() }
    }

    #[test]
    fn expressions_read_their_fields_in_order_through_every_node() {
        // case(a == 1, b + -c, tostring(d.x)) and a path into split(e, "/")
        let e = Expr {
            kind: ExprKind::Case {
                branches: vec![(
                    cmp(field("a"), lit(1)),
                    Expr {
                        kind: ExprKind::Arith {
                            op: ArithOp::Add,
                            lhs: Box::new(field("b")),
                            rhs: Box::new(Expr {
                                kind: ExprKind::Neg(Box::new(field("c"))),
                                span: sp(),
                            }),
                        },
                        span: sp(),
                    },
                )],
                otherwise: Box::new(Expr {
                    kind: ExprKind::Path {
                        base: Box::new(Expr {
                            kind: ExprKind::Call {
                                func: ScalarFn::Split,
                                args: vec![field("d"), field("a")],
                            },
                            span: sp(),
                        }),
                        path: vec![PathSegment::Index(1)],
                    },
                    span: sp(),
                }),
            },
            span: sp(),
        };
        assert_eq!(expr_columns(&e), ["a", "b", "c", "d", "a"]);
        let p = Predicate {
            kind: PredicateKind::Not(Box::new(Predicate {
                kind: PredicateKind::Bool(e),
                span: sp(),
            })),
            span: sp(),
        };
        assert_eq!(predicate_columns(&p), ["a", "b", "c", "d", "a"]);
    }

    #[test]
    fn stages_read_and_write_named_columns() {
        let extend = stage(StageKind::Extend(vec![Assignment {
            name: col("x"),
            expr: field("y"),
        }]));
        assert_eq!(stage_reads(&extend), ["y"]);
        assert_eq!(stage_writes(&extend), ["x"]);
        let rename = stage(StageKind::Rename(vec![(col("new"), col("old"))]));
        assert_eq!(stage_reads(&rename), ["old"]);
        assert_eq!(stage_writes(&rename), ["new"]);
        let agg = stage(StageKind::Aggregate {
            by: vec![GroupKey {
                name: col("k"),
                kind: GroupKeyKind::Expr(field("k")),
                operands: Operands::Unknown,
            }],
            aggs: vec![Aggregation {
                name: col("t"),
                func: AggFunc::ArgMax {
                    by: field("Time"),
                    cols: vec![Assignment {
                        name: col("u"),
                        expr: field("v"),
                    }],
                },
                span: sp(),
            }],
        });
        assert_eq!(stage_reads(&agg), ["k", "Time", "v"]);
        assert_eq!(stage_writes(&agg), ["k", "t", "u"]);
        let away = stage(StageKind::ProjectAway(vec![
            ColumnPattern {
                pattern: "a*".into(),
                span: sp(),
            },
            ColumnPattern {
                pattern: "b".into(),
                span: sp(),
            },
        ]));
        assert_eq!(stage_reads(&away), ["b"]);
        assert!(stage_writes(&away).is_empty());
        assert_eq!(stage_writes(&stage(StageKind::Count)), ["Count"]);
    }

    #[test]
    fn a_join_reads_its_left_keys_not_its_right_side() {
        let right = Query {
            source: Source::table("R", sp()),
            stages: vec![stage(StageKind::Filter(cmp(field("r"), lit(1))))],
            span: sp(),
        };
        let join = stage(StageKind::Join {
            kind: JoinKind::Inner,
            right: Box::new(right),
            on: vec![JoinKey {
                left: col("l"),
                right: col("rk"),
            }],
        });
        assert_eq!(stage_reads(&join), ["l"]);
        // A visitor that does enter queries sees the right side's reads too.
        struct All(Vec<String>);
        impl<'ir> Visitor<'ir> for All {
            fn visit_field(&mut self, f: &'ir FieldPath, _: Span) {
                self.0.push(f.column.clone());
            }
        }
        let mut all = All(Vec::new());
        all.visit_stage(&join);
        assert_eq!(all.0, ["r"]);
    }

    #[test]
    fn stages_columns_names_every_column_read_or_written_nested_queries_included() {
        let right = Query {
            source: Source::table("R", sp()),
            stages: vec![stage(StageKind::Filter(cmp(field("r"), lit(1))))],
            span: sp(),
        };
        let stages = vec![
            // x = "y": a string literal that spells a column name names no column
            stage(StageKind::Extend(vec![Assignment {
                name: col("x"),
                expr: Expr {
                    kind: ExprKind::Literal(Literal::String("y".into())),
                    span: sp(),
                },
            }])),
            stage(StageKind::Join {
                kind: JoinKind::Inner,
                right: Box::new(right),
                on: vec![JoinKey {
                    left: col("l"),
                    right: col("rk"),
                }],
            }),
        ];
        assert_eq!(stages_columns(&stages), ["x", "r", "l"]);
    }
}
