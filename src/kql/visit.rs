//! A read-only visitor over the syntax tree, the twin of [`crate::ir::visit`]: each `visit_*`
//! method's default walks the node's children (through the matching `walk_*` function), so a
//! visitor overrides only the nodes it cares about and calls `walk_*` itself where it still
//! wants the children. Children are visited in the order the query wrote them; nested
//! pipelines (subqueries, join right sides, `let` bodies, lambda bodies) are entered.
//!
//! Lowering uses it for whole-tree questions ("which functions does this query call", "which
//! names does this argument use") instead of matching every node kind by hand.

use super::ast::*;

/// Walks the syntax tree; each method's default visits the node's children.
pub trait Visitor<'a> {
    fn visit_statement(&mut self, s: &'a Statement) {
        walk_statement(self, s)
    }

    fn visit_operator(&mut self, op: &'a Operator) {
        walk_operator(self, op)
    }

    fn visit_expr(&mut self, e: &'a Expr) {
        walk_expr(self, e)
    }
}

pub fn walk_query<'a, V: Visitor<'a> + ?Sized>(v: &mut V, q: &'a Query) {
    for s in &q.statements {
        v.visit_statement(s);
    }
}

pub fn walk_statement<'a, V: Visitor<'a> + ?Sized>(v: &mut V, s: &'a Statement) {
    match &s.kind {
        StatementKind::Let { value, .. } => match value {
            LetValue::Expr(e) => v.visit_expr(e),
            LetValue::Lambda(l) | LetValue::View(l) => {
                parameters(v, &l.params);
                for s in &l.body {
                    v.visit_statement(s);
                }
            }
        },
        StatementKind::Set { value, .. } => value.iter().for_each(|e| v.visit_expr(e)),
        StatementKind::DeclareQueryParameters(ps) => parameters(v, ps),
        StatementKind::Expr(e) => v.visit_expr(e),
    }
}

pub fn walk_pipeline<'a, V: Visitor<'a> + ?Sized>(v: &mut V, p: &'a Pipeline) {
    walk_source(v, &p.source.kind);
    for op in &p.operators {
        v.visit_operator(op);
    }
}

pub fn walk_source<'a, V: Visitor<'a> + ?Sized>(v: &mut V, s: &'a SourceKind) {
    match s {
        SourceKind::Expr(e) => v.visit_expr(e),
        SourceKind::Union(u) => union(v, u),
        SourceKind::Datatable(d) => d.values.iter().for_each(|e| v.visit_expr(e)),
        SourceKind::ExternalData(x) => {
            x.urls.iter().for_each(|e| v.visit_expr(e));
            properties(v, &x.properties);
        }
        SourceKind::Range(r) => [&r.from, &r.to, &r.step]
            .into_iter()
            .for_each(|e| v.visit_expr(e)),
        SourceKind::Print(items) => named(v, items),
        SourceKind::Find(f) => find(v, f),
        SourceKind::Search(s) => search(v, s),
        SourceKind::Evaluate(e) => evaluate(v, e),
    }
}

pub fn walk_operator<'a, V: Visitor<'a> + ?Sized>(v: &mut V, op: &'a Operator) {
    use OperatorKind as K;
    match &op.kind {
        K::Where { predicate, .. } => v.visit_expr(predicate),
        K::Project(items) | K::Extend(items) | K::Serialize(items) => named(v, items),
        K::ProjectAway(_) | K::ProjectKeep(_) | K::ProjectReorder(_) | K::Count | K::GetSchema => {}
        K::ProjectRename(renames) => renames.iter().for_each(|r| v.visit_expr(&r.old)),
        K::Summarize {
            params: ps,
            aggregates,
            by,
        } => {
            params(v, ps);
            named(v, aggregates);
            named(v, by);
        }
        K::Sort { params: ps, by, .. } => {
            params(v, ps);
            by.iter().for_each(|k| v.visit_expr(&k.expr));
        }
        K::Top { count, by } => {
            v.visit_expr(count);
            v.visit_expr(&by.expr);
        }
        K::TopNested(levels) => {
            for l in levels {
                l.count.iter().for_each(|e| v.visit_expr(e));
                v.visit_expr(&l.of.expr);
                l.others.iter().for_each(|e| v.visit_expr(e));
                v.visit_expr(&l.by.expr);
            }
        }
        K::TopHitters { count, of, by } => {
            v.visit_expr(count);
            v.visit_expr(of);
            by.iter().for_each(|e| v.visit_expr(e));
        }
        K::Take { count, .. } | K::Sample(count) => v.visit_expr(count),
        K::SampleDistinct { count, of } => {
            v.visit_expr(count);
            v.visit_expr(of);
        }
        K::Distinct {
            params: ps,
            columns,
        } => {
            params(v, ps);
            named(v, columns);
        }
        K::Join(j) | K::Lookup(j) => {
            params(v, &j.params);
            v.visit_expr(&j.right);
            j.on.iter().for_each(|e| v.visit_expr(e));
        }
        K::Union(u) => union(v, u),
        K::MvExpand(m) => {
            params(v, &m.params);
            m.items.iter().for_each(|i| v.visit_expr(&i.expr));
            m.limit.iter().for_each(|e| v.visit_expr(e));
        }
        K::MvApply {
            params: ps,
            items,
            limit,
            subquery: sub,
        } => {
            params(v, ps);
            items.iter().for_each(|i| v.visit_expr(&i.expr));
            limit.iter().for_each(|e| v.visit_expr(e));
            subquery(v, sub);
        }
        K::Parse {
            params: ps, source, ..
        } => {
            params(v, ps);
            v.visit_expr(source);
        }
        K::ParseKv {
            source,
            properties: props,
            ..
        } => {
            v.visit_expr(source);
            properties(v, props);
        }
        K::MakeSeries(m) => {
            params(v, &m.params);
            for a in &m.aggregates {
                v.visit_expr(&a.expr);
                a.default.iter().for_each(|e| v.visit_expr(e));
            }
            v.visit_expr(&m.on);
            match &m.range {
                Some(SeriesRange::InRange { start, stop, step }) => [start, stop, step]
                    .into_iter()
                    .for_each(|e| v.visit_expr(e)),
                Some(SeriesRange::FromTo { from, to, step }) => {
                    from.iter().for_each(|e| v.visit_expr(e));
                    to.iter().for_each(|e| v.visit_expr(e));
                    v.visit_expr(step);
                }
                None => {}
            }
            named(v, &m.by);
        }
        K::Evaluate(e) => evaluate(v, e),
        K::Render {
            properties: props, ..
        } => properties(v, props),
        K::Invoke(e) => v.visit_expr(e),
        K::As { params: ps, .. } | K::Consume(ps) => params(v, ps),
        K::Search(s) => search(v, s),
        K::Find(f) => find(v, f),
        K::Fork(branches) => branches.iter().for_each(|b| subquery(v, &b.subquery)),
        K::Facet { with, .. } => with.iter().for_each(|s| subquery(v, s)),
        K::Partition {
            params: ps,
            by,
            subquery: sub,
        } => {
            params(v, ps);
            v.visit_expr(by);
            subquery(v, sub);
        }
        K::Reduce {
            params: ps,
            by,
            properties: props,
        } => {
            params(v, ps);
            v.visit_expr(by);
            properties(v, props);
        }
        K::Scan(s) => {
            params(v, &s.params);
            parameters(v, &s.declare);
            for step in &s.steps {
                v.visit_expr(&step.condition);
                properties(v, &step.assignments);
            }
        }
    }
}

pub fn walk_expr<'a, V: Visitor<'a> + ?Sized>(v: &mut V, e: &'a Expr) {
    match &e.kind {
        ExprKind::Literal(_) | ExprKind::Ident(_) | ExprKind::Star => {}
        ExprKind::Member { expr, .. } | ExprKind::Unary { expr, .. } => v.visit_expr(expr),
        ExprKind::Index { expr, index } => {
            v.visit_expr(expr);
            v.visit_expr(index);
        }
        ExprKind::Call { args, .. } => args.iter().for_each(|a| v.visit_expr(&a.value)),
        ExprKind::Binary { lhs, rhs, .. } => {
            v.visit_expr(lhs);
            v.visit_expr(rhs);
        }
        ExprKind::In { expr, list, .. } => {
            v.visit_expr(expr);
            list.iter().for_each(|x| v.visit_expr(x));
        }
        ExprKind::Between {
            expr, low, high, ..
        } => {
            v.visit_expr(expr);
            v.visit_expr(low);
            v.visit_expr(high);
        }
        ExprKind::List(items) => items.iter().for_each(|x| v.visit_expr(x)),
        ExprKind::Dynamic(d) => dynamic(v, d),
        ExprKind::Pipeline(p) => walk_pipeline(v, p),
    }
}

fn dynamic<'a, V: Visitor<'a> + ?Sized>(v: &mut V, d: &'a DynValue) {
    match d {
        DynValue::Array(items) => items.iter().for_each(|x| dynamic(v, x)),
        DynValue::Object(entries) => entries.iter().for_each(|(_, x)| dynamic(v, x)),
        DynValue::Scalar(e) => v.visit_expr(e),
    }
}

fn params<'a, V: Visitor<'a> + ?Sized>(v: &mut V, ps: &'a [Param]) {
    ps.iter().for_each(|p| v.visit_expr(&p.value));
}

fn parameters<'a, V: Visitor<'a> + ?Sized>(v: &mut V, ps: &'a [Parameter]) {
    ps.iter()
        .filter_map(|p| p.default.as_ref())
        .for_each(|e| v.visit_expr(e));
}

fn properties<'a, V: Visitor<'a> + ?Sized>(v: &mut V, ps: &'a [Property]) {
    ps.iter().for_each(|p| v.visit_expr(&p.value));
}

fn named<'a, V: Visitor<'a> + ?Sized>(v: &mut V, items: &'a [NamedExpr]) {
    items.iter().for_each(|i| v.visit_expr(&i.expr));
}

fn union<'a, V: Visitor<'a> + ?Sized>(v: &mut V, u: &'a Union) {
    params(v, &u.params);
    tables(v, &u.tables);
}

fn tables<'a, V: Visitor<'a> + ?Sized>(v: &mut V, items: &'a [UnionItem]) {
    for t in items {
        if let UnionItem::Expr(e) = t {
            v.visit_expr(e);
        }
    }
}

fn subquery<'a, V: Visitor<'a> + ?Sized>(v: &mut V, s: &'a Subquery) {
    match &s.kind {
        SubqueryKind::Operators(ops) => ops.iter().for_each(|op| v.visit_operator(op)),
        SubqueryKind::Expr(e) => v.visit_expr(e),
    }
}

fn find<'a, V: Visitor<'a> + ?Sized>(v: &mut V, f: &'a Find) {
    params(v, &f.params);
    tables(v, &f.tables);
    v.visit_expr(&f.predicate);
}

fn search<'a, V: Visitor<'a> + ?Sized>(v: &mut V, s: &'a Search) {
    params(v, &s.params);
    tables(v, &s.tables);
    v.visit_expr(&s.predicate);
}

fn evaluate<'a, V: Visitor<'a> + ?Sized>(v: &mut V, e: &'a Evaluate) {
    params(v, &e.params);
    v.visit_expr(&e.plugin);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every function called, in the order the visitor meets the calls.
    fn calls(text: &str) -> Vec<String> {
        struct Calls(Vec<String>);
        impl<'a> Visitor<'a> for Calls {
            fn visit_expr(&mut self, e: &'a Expr) {
                if let ExprKind::Call { function, .. } = &e.kind {
                    self.0.push(function.name.clone());
                }
                walk_expr(self, e)
            }
        }
        let q = crate::kql::parse(text).expect("the test query parses");
        let mut c = Calls(Vec::new());
        walk_query(&mut c, &q);
        c.0
    }

    #[test]
    fn calls_are_met_in_source_order_through_nested_pipelines() {
        let q = "let f = (x: long = a()) { T | where b(x) };\n\
                 T\n\
                 | extend d = dynamic([1, 2]), e = c(d)\n\
                 | join kind=inner (U | where g(1)) on k\n\
                 | mv-apply i = h(d) on (where j(i))\n\
                 | make-series n = count() default = m() on TimeGenerated step 1h\n\
                 | render timechart with (title = p())";
        assert_eq!(calls(q), ["a", "b", "c", "g", "h", "j", "count", "m", "p"]);
    }

    #[test]
    fn a_visitor_that_does_not_walk_stops_at_the_node() {
        struct Ops(usize);
        impl<'a> Visitor<'a> for Ops {
            fn visit_operator(&mut self, _: &'a Operator) {
                self.0 += 1;
            }
        }
        let q = crate::kql::parse("T | where a(1) | join (U | where b(2) | take 1) on k").unwrap();
        let mut ops = Ops(0);
        walk_query(&mut ops, &q);
        // The join's right side is reached through the join, which this visitor does not walk.
        assert_eq!(ops.0, 2);
    }
}
