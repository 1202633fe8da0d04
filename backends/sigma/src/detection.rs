//! Predicates → Sigma `detection`: named selections and a condition string. Owns the predicate
//! mapping (negation normal form, leaf selections, null guards, merging of ANDed maps); never
//! writes YAML text itself (it builds [`Yaml`] values) and never looks at stages.

use crate::value::{escape_wildcards, term_regex};
use crate::yaml::Yaml;
use kqlport::backend::{Effect, Notes};
use kqlport::codes::{Code, SigmaCode};
use kqlport::diag::Diagnostic;
use kqlport::ir::{
    Case, CmpOp, Expr, ExprKind, FieldPath, Literal, MatchKind, Operands, PathSegment, Predicate,
    PredicateKind, Quantifier, ScalarFn, StrMatch,
};
use kqlport::source::Span;
use kqlport_kit::regex::sigma::port_regex;
use std::fmt;

type Errors = Vec<Diagnostic>;

/// A selection's body: a map (entries ANDed) or a list of maps (ORed).
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    Map(Vec<(String, Yaml)>),
    AnyOf(Vec<Vec<(String, Yaml)>>),
}

impl Body {
    fn to_yaml(&self) -> Yaml {
        match self {
            Body::Map(m) => Yaml::Map(m.clone()),
            Body::AnyOf(ms) => Yaml::Seq(ms.iter().map(|m| Yaml::Map(m.clone())).collect()),
        }
    }
}

/// What a selection is for; it only chooses the name prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Selection,
    Filter,
    /// The `field: null` guard of the filter just before it (named `<filter>_null`).
    Guard,
}

/// The condition tree before names are given.
#[derive(Clone, Debug, PartialEq)]
enum Tree {
    Leaf(Body, Role),
    Not(Box<Tree>),
    And(Vec<Tree>),
    Or(Vec<Tree>),
}

/// The condition over named selections, printed with minimal parentheses (Sigma precedence:
/// `or` < `and` < `not`).
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    Sel(String),
    Not(Box<Cond>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
}

impl Cond {
    fn prec(&self) -> u8 {
        match self {
            Cond::Or(_) => 1,
            Cond::And(_) => 2,
            Cond::Not(_) => 3,
            Cond::Sel(_) => 4,
        }
    }

    fn write_child(&self, f: &mut fmt::Formatter<'_>, min: u8) -> fmt::Result {
        if self.prec() < min {
            write!(f, "({self})")
        } else {
            write!(f, "{self}")
        }
    }
}

impl fmt::Display for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cond::Sel(name) => f.write_str(name),
            Cond::Not(inner) => {
                f.write_str("not ")?;
                inner.write_child(f, 3)
            }
            Cond::And(items) | Cond::Or(items) => {
                let (sep, min) = match self {
                    Cond::And(_) => (" and ", 3),
                    _ => (" or ", 2),
                };
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(sep)?;
                    }
                    item.write_child(f, min)?;
                }
                Ok(())
            }
        }
    }
}

/// A finished `detection`: selections in first-use order, then the condition.
#[derive(Clone, Debug, PartialEq)]
pub struct Detection {
    pub selections: Vec<(String, Body)>,
    pub condition: Cond,
}

impl Detection {
    pub fn to_yaml(&self) -> Yaml {
        let mut m: Vec<(String, Yaml)> = self
            .selections
            .iter()
            .map(|(n, b)| (n.clone(), b.to_yaml()))
            .collect();
        m.push(("condition".into(), Yaml::Str(self.condition.to_string())));
        Yaml::Map(m)
    }
}

/// Translates the ANDed filter predicates (time windows already removed) into a detection.
pub fn build(preds: &[&Predicate], notes: &mut Notes) -> Result<Detection, Errors> {
    let mut errors = Vec::new();
    let mut parts = Vec::new();
    for p in preds {
        match nnf(p, false, notes) {
            Ok(t) => parts.push(t),
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let tree = merge(flatten(Tree::And(parts)));
    let mut namer = Namer::default();
    let condition = namer.name(tree);
    Ok(Detection {
        selections: namer.selections,
        condition,
    })
}

#[derive(Default)]
struct Namer {
    selections: Vec<(String, Body)>,
    n_sel: usize,
    n_filter: usize,
}

impl Namer {
    fn name(&mut self, t: Tree) -> Cond {
        match t {
            Tree::Leaf(body, role) => {
                let name = match role {
                    Role::Selection => {
                        self.n_sel += 1;
                        format!("selection_{}", self.n_sel)
                    }
                    Role::Filter => {
                        self.n_filter += 1;
                        format!("filter_{}", self.n_filter)
                    }
                    Role::Guard => format!("filter_{}_null", self.n_filter),
                };
                self.selections.push((name.clone(), body));
                Cond::Sel(name)
            }
            Tree::Not(inner) => Cond::Not(Box::new(self.name(*inner))),
            Tree::And(items) => Cond::And(items.into_iter().map(|i| self.name(i)).collect()),
            Tree::Or(items) => Cond::Or(items.into_iter().map(|i| self.name(i)).collect()),
        }
    }
}

/// Flattens nested and/or and unwraps one-element groups.
fn flatten(t: Tree) -> Tree {
    match t {
        Tree::And(items) | Tree::Or(items) if items.len() == 1 => {
            flatten(items.into_iter().next().unwrap_or(Tree::And(vec![])))
        }
        Tree::And(items) => Tree::And(flat_items(items, true)),
        Tree::Or(items) => Tree::Or(flat_items(items, false)),
        Tree::Not(inner) => Tree::Not(Box::new(flatten(*inner))),
        leaf => leaf,
    }
}

fn flat_items(items: Vec<Tree>, and: bool) -> Vec<Tree> {
    let mut out = Vec::new();
    for item in items.into_iter().map(flatten) {
        match item {
            Tree::And(inner) if and => out.extend(inner),
            Tree::Or(inner) if !and => out.extend(inner),
            other => out.push(other),
        }
    }
    out
}

/// Merges the plain-map selections of one `and` into a single map when their keys differ (a map
/// is the AND of its entries, so this is exact): each selection joins the first earlier map
/// that has none of its keys.
///
/// Linear in the number of selections: `first_free[k]` is the index (among the maps) of the
/// first map without key `k` — every map before it has `k`, and maps only gain keys, so it
/// only moves forward. A one-key selection goes straight there; a selection with several keys
/// starts at the largest of theirs.
fn merge(t: Tree) -> Tree {
    use std::collections::{HashMap, HashSet};
    match t {
        Tree::And(items) => {
            let mut out: Vec<Tree> = Vec::new();
            // Positions in `out` of the map selections, and each one's keys.
            let mut maps: Vec<(usize, HashSet<String>)> = Vec::new();
            let mut first_free: HashMap<String, usize> = HashMap::new();
            for item in items.into_iter().map(merge) {
                let Tree::Leaf(Body::Map(entries), Role::Selection) = item else {
                    out.push(item);
                    continue;
                };
                let keys: Vec<&String> = entries.iter().map(|(k, _)| k).collect();
                let mut at = keys
                    .iter()
                    .map(|k| first_free.get(*k).copied().unwrap_or(0))
                    .max()
                    .unwrap_or(0);
                while at < maps.len() && keys.iter().any(|k| maps[at].1.contains(*k)) {
                    at += 1;
                }
                if at == maps.len() {
                    maps.push((out.len(), HashSet::new()));
                    out.push(Tree::Leaf(Body::Map(Vec::new()), Role::Selection));
                }
                let pos = maps[at].0;
                maps[at].1.extend(keys.iter().map(|k| (*k).clone()));
                for k in &keys {
                    let free = first_free.entry((*k).clone()).or_insert(0);
                    while *free < maps.len() && maps[*free].1.contains(*k) {
                        *free += 1;
                    }
                }
                if let Tree::Leaf(Body::Map(existing), _) = &mut out[pos] {
                    existing.extend(entries);
                }
            }
            if out.len() == 1 {
                out.pop().unwrap_or(Tree::And(vec![]))
            } else {
                Tree::And(out)
            }
        }
        Tree::Or(items) => Tree::Or(items.into_iter().map(merge).collect()),
        Tree::Not(inner) => Tree::Not(Box::new(merge(*inner))),
        leaf => leaf,
    }
}

/// A leaf's positive selection and how its negation must be written.
struct Leaf {
    body: Body,
    /// The IR node is itself negated (`!has`, `!in`, `!=`, `isnotempty`…).
    negated: bool,
    /// Fields whose absence makes the positive selection false; a KQL negation is true for
    /// them, so the negated form adds a `field: null` guard (see the crate docs).
    guard: Vec<String>,
    /// A positive selection for the negation, when KQL's negation is itself false on null
    /// (`not(x > 5)` is `x <= 5`; `not(b)` is `b == false`).
    complement: Option<Body>,
    /// An approximation that applies only to the negated form.
    negation_note: Option<(Span, Effect, &'static str)>,
}

impl Leaf {
    fn new(body: Body, negated: bool, guard: Vec<String>) -> Leaf {
        Leaf {
            body,
            negated,
            guard,
            complement: None,
            negation_note: None,
        }
    }
}

/// Negation normal form: `negate` says the caller wants the predicate's negation.
fn nnf(p: &Predicate, negate: bool, notes: &mut Notes) -> Result<Tree, Errors> {
    match &p.kind {
        PredicateKind::And(items) | PredicateKind::Or(items) => {
            let is_and = matches!(p.kind, PredicateKind::And(_));
            let mut out = Vec::new();
            let mut errors = Vec::new();
            for i in items {
                match nnf(i, negate, notes) {
                    Ok(t) => out.push(t),
                    Err(e) => errors.extend(e),
                }
            }
            if !errors.is_empty() {
                return Err(errors);
            }
            Ok(if is_and != negate {
                Tree::And(out)
            } else {
                Tree::Or(out)
            })
        }
        PredicateKind::Not(inner) => nnf(inner, !negate, notes),
        PredicateKind::StrMatch(m) => str_match(m, p.span, negate, notes),
        PredicateKind::Compare {
            lhs,
            op: op @ (CmpOp::Eq | CmpOp::Ne),
            rhs,
            operands,
        } if literal_of(lhs).is_none() && literal_of(rhs).is_none() => {
            field_compare(p, lhs, *op, rhs, *operands, negate, notes)
        }
        _ => {
            let leaf = leaf(p, notes)?;
            if leaf.negated != negate {
                if let Some((span, effect, msg)) = leaf.negation_note {
                    notes.push(span, effect, msg);
                }
            }
            Ok(finish(leaf, negate))
        }
    }
}

/// `a == b` / `a != b` between two fields: `a|fieldref: b` is false when either is missing.
///
/// * Strings: KQL reads a missing one as `""`, so equality also holds when both are empty or
///   missing: `fieldref or (a empty and b empty)`, and its negation (exact).
/// * Other types: null on either side makes `==` false; `!=` is true when exactly one side is
///   null, and null (row dropped) when both are: the guarded negation, `and not (a null and
///   b null)` (exact).
/// * Unknown type: as for other types, with a note on how string columns differ.
fn field_compare(
    p: &Predicate,
    lhs: &Expr,
    op: CmpOp,
    rhs: &Expr,
    operands: Operands,
    negate: bool,
    notes: &mut Notes,
) -> Result<Tree, Errors> {
    let plain = finish(compare(lhs, op, rhs, p.span, notes)?, negate);
    let (a, b) = (field_name(lhs, notes)?, field_name(rhs, notes)?);
    let ne = (op == CmpOp::Ne) != negate;
    let both = |body: fn(&str) -> Body, role: Role| {
        Tree::And(vec![Tree::Leaf(body(&a), role), Tree::Leaf(body(&b), role)])
    };
    if operands != Operands::NotStrings {
        // Sigma's matching is case-insensitive unless `cased`, and the specification does not
        // say whether `fieldref` follows it (pySigma's SQL backends fold case; sigma-rust does
        // not); KQL's `==`/`!=` are case-sensitive.
        let effect = if ne {
            Effect::UnderMatch
        } else {
            Effect::OverMatch
        };
        notes.push(
            p.span,
            effect,
            "Sigma does not specify whether `fieldref` compares text case-sensitively (Sigma matches case-insensitively by default, and pySigma's SQL backends do so here); KQL's `==`/`!=` are case-sensitive, so two values that differ only in case may be taken as equal",
        );
    }
    if operands == Operands::Strings {
        return Ok(if ne {
            Tree::And(vec![
                plain,
                Tree::Not(Box::new(both(empty_body, Role::Filter))),
            ])
        } else {
            Tree::Or(vec![plain, both(empty_body, Role::Selection)])
        });
    }
    if operands == Operands::Unknown {
        let (effect, message) = if ne {
            (
                Effect::OverMatch,
                "comparing two fields of unknown type: if they are strings, KQL reads a missing one as \"\", so a missing value and an empty one are equal; here such events are selected",
            )
        } else {
            (
                Effect::UnderMatch,
                "comparing two fields of unknown type: if they are strings, KQL reads a missing one as \"\", so two missing values, or a missing and an empty one, are equal; `fieldref` is false on a missing field",
            )
        };
        notes.push(p.span, effect, message);
    }
    Ok(if ne {
        Tree::And(vec![
            plain,
            Tree::Not(Box::new(both(null_body, Role::Filter))),
        ])
    } else {
        plain
    })
}

fn finish(leaf: Leaf, negate: bool) -> Tree {
    if leaf.negated == negate {
        return Tree::Leaf(leaf.body, Role::Selection);
    }
    if let Some(body) = leaf.complement {
        return Tree::Leaf(body, Role::Selection);
    }
    let not = Tree::Not(Box::new(Tree::Leaf(leaf.body, Role::Filter)));
    if leaf.guard.is_empty() {
        return not;
    }
    let guard = Body::AnyOf(
        leaf.guard
            .into_iter()
            .map(|f| vec![(f, Yaml::Null)])
            .collect(),
    );
    let guard = match guard {
        Body::AnyOf(mut ms) if ms.len() == 1 => Body::Map(ms.remove(0)),
        g => g,
    };
    Tree::Or(vec![not, Tree::Leaf(guard, Role::Guard)])
}

fn decline(code: impl Into<Code>, msg: impl Into<String>, span: Span) -> Errors {
    vec![Diagnostic::error(code, msg, span)]
}

/// The Sigma field name for an expression, or a located refusal.
pub fn field_name(e: &Expr, notes: &mut Notes) -> Result<String, Errors> {
    match &e.kind {
        ExprKind::Field(fp) => path_name(fp, e.span, notes),
        ExprKind::Call {
            func: ScalarFn::ToString,
            args,
        } if args.len() == 1 => match &args[0].kind {
            ExprKind::Field(fp) => path_name(fp, e.span, notes),
            _ => Err(computed(e.span)),
        },
        _ => Err(computed(e.span)),
    }
}

fn computed(span: Span) -> Errors {
    vec![Diagnostic::error(
        SigmaCode::B041,
        "Sigma can only test event fields, not computed values",
        span,
    )
    .with_label("computed value")
    .with_help("test the underlying field directly, or translate to SPL or ES|QL")]
}

fn path_name(fp: &FieldPath, span: Span, notes: &mut Notes) -> Result<String, Errors> {
    let ok = |s: &str| !s.is_empty() && !s.contains(['|', '.']) && !s.chars().any(char::is_control);
    if !ok(&fp.column) {
        return Err(decline(
            SigmaCode::B042,
            format!(
                "the column name `{}` cannot be written as a Sigma field",
                fp.column
            ),
            span,
        ));
    }
    let mut name = fp.column.clone();
    for seg in &fp.path {
        match seg {
            PathSegment::Key(k) if ok(k) => {
                name.push('.');
                name.push_str(k);
            }
            PathSegment::Key(k) => {
                return Err(decline(
                    SigmaCode::B042,
                    format!("the key `{k}` cannot be written in a dotted Sigma field name"),
                    span,
                ))
            }
            PathSegment::Index(_) => {
                return Err(decline(
                    SigmaCode::B042,
                    "Sigma field names cannot index into arrays",
                    span,
                )
                .into_iter()
                .map(|d| d.with_label("array index"))
                .collect())
            }
        }
    }
    if fp.parsed {
        notes.push(
            span,
            Effect::UnderMatch,
            format!(
                "`{name}` reads into JSON text; the Sigma backend or pipeline must parse `{}` into an object, or the field is absent and the test fails",
                fp.column
            ),
        );
    }
    Ok(name)
}

fn modifiers(field: &str, mods: &[&str]) -> String {
    let mut key = field.to_string();
    for m in mods {
        key.push('|');
        key.push_str(m);
    }
    key
}

fn one_or_list(mut values: Vec<Yaml>) -> Yaml {
    if values.len() == 1 {
        values.remove(0)
    } else {
        Yaml::Seq(values)
    }
}

/// `isempty(f)` as one selection: `''`, `null` or absent (the three spellings Sigma backends
/// use for "no value").
fn empty_body(field: &str) -> Body {
    Body::AnyOf(vec![
        vec![(field.to_string(), Yaml::Str(String::new()))],
        vec![(field.to_string(), Yaml::Null)],
        vec![(modifiers(field, &["exists"]), Yaml::Bool(false))],
    ])
}

fn null_body(field: &str) -> Body {
    Body::AnyOf(vec![
        vec![(field.to_string(), Yaml::Null)],
        vec![(modifiers(field, &["exists"]), Yaml::Bool(false))],
    ])
}

fn str_match(m: &StrMatch, span: Span, negate: bool, notes: &mut Notes) -> Result<Tree, Errors> {
    let field = field_name(&m.field, notes)?;
    if m.folds_non_ascii() {
        let effect = if negate != m.negated {
            Effect::UnderMatch
        } else {
            Effect::OverMatch
        };
        notes.push(
            span,
            effect,
            kqlport_kit::notes::non_ascii_case("Sigma's case-insensitive matching may fold Unicode (backend-dependent), so differently-cased non-ASCII values can also match"),
        );
    }
    // Several values that must all match, for kinds without a faithful `|all`: one leaf each.
    if m.quantifier == Quantifier::All
        && m.values.len() > 1
        && !matches!(
            m.kind,
            MatchKind::Contains | MatchKind::StartsWith | MatchKind::EndsWith
        )
    {
        let parts = m
            .values
            .iter()
            .map(|v| {
                let single = StrMatch {
                    values: vec![v.clone()],
                    quantifier: Quantifier::Any,
                    negated: false,
                    ..m.clone()
                };
                str_match(&single, span, negate != m.negated, notes)
            })
            .collect::<Result<Vec<_>, _>>()?;
        // all(v) negated is any(not v).
        return Ok(if negate != m.negated {
            Tree::Or(parts)
        } else {
            Tree::And(parts)
        });
    }
    // KQL strings are never null: `f == ""` also matches a missing field.
    if m.kind == MatchKind::Equals && m.values.iter().any(String::is_empty) {
        let rest: Vec<String> = m.values.iter().filter(|v| !v.is_empty()).cloned().collect();
        let empty = finish(
            Leaf::new(empty_body(&field), false, vec![]),
            negate != m.negated,
        );
        if rest.is_empty() {
            return Ok(empty);
        }
        let others = str_match(
            &StrMatch {
                values: rest,
                negated: false,
                ..m.clone()
            },
            span,
            negate != m.negated,
            notes,
        )?;
        return Ok(if negate != m.negated {
            Tree::And(vec![empty, others])
        } else {
            Tree::Or(vec![empty, others])
        });
    }
    if m.kind != MatchKind::Equals && m.values.iter().any(String::is_empty) {
        return Err(decline(
            SigmaCode::B043,
            "an empty pattern matches every value in KQL; Sigma cannot express that",
            span,
        ));
    }
    let cased = m.case == Case::Sensitive;
    let (key, values) = match m.kind {
        MatchKind::Equals | MatchKind::Contains | MatchKind::StartsWith | MatchKind::EndsWith => {
            let mut mods = Vec::new();
            match m.kind {
                MatchKind::Contains => mods.push("contains"),
                MatchKind::StartsWith => mods.push("startswith"),
                MatchKind::EndsWith => mods.push("endswith"),
                _ => {}
            }
            if m.quantifier == Quantifier::All && m.values.len() > 1 {
                mods.push("all");
            }
            if cased {
                mods.push("cased");
            }
            let values = m
                .values
                .iter()
                .map(|v| Yaml::Str(escape_wildcards(v)))
                .collect();
            (modifiers(&field, &mods), values)
        }
        MatchKind::Term | MatchKind::TermPrefix | MatchKind::TermSuffix => {
            let mods: &[&str] = if cased { &["re"] } else { &["re", "i"] };
            let values = m
                .values
                .iter()
                .map(|v| Yaml::Str(term_regex(v, m.kind)))
                .collect();
            (modifiers(&field, mods), values)
        }
        MatchKind::Regex => {
            let mut insensitive = !cased;
            let mut values = Vec::new();
            let mut flags = Vec::new();
            for v in &m.values {
                let r = port_regex(v).map_err(|e| {
                    decline(
                        SigmaCode::B044,
                        format!("this regex cannot be ported to Sigma: {e}"),
                        span,
                    )
                })?;
                flags.push(r.insensitive);
                values.push(Yaml::Str(r.pattern));
            }
            if flags.iter().all(|f| *f) {
                insensitive = true;
            } else if flags.iter().any(|f| *f) {
                // Mixed `(?i)` prefixes: keep them inline (at the start, where Python's `re`
                // accepts a global flag), per value.
                values = values
                    .into_iter()
                    .zip(&flags)
                    .map(|(v, &i)| match v {
                        Yaml::Str(p) if i => Yaml::Str(format!("(?i){p}")),
                        v => v,
                    })
                    .collect();
            }
            let mods: &[&str] = if insensitive { &["re", "i"] } else { &["re"] };
            (modifiers(&field, mods), values)
        }
    };
    let leaf = Leaf::new(
        Body::Map(vec![(key, one_or_list(values))]),
        m.negated,
        vec![field],
    );
    Ok(finish(leaf, negate))
}

fn literal(l: &Literal, span: Span) -> Result<Yaml, Errors> {
    match l {
        Literal::Long(i) => Ok(Yaml::Int(*i)),
        Literal::Real(x) if x.is_finite() => Ok(Yaml::Float(*x)),
        Literal::Bool(b) => Ok(Yaml::Bool(*b)),
        Literal::String(s) => Ok(Yaml::Str(escape_wildcards(s))),
        Literal::Null => Ok(Yaml::Null),
        _ => Err(decline(
            SigmaCode::B045,
            "Sigma detections compare only numbers, booleans and strings",
            span,
        )
        .into_iter()
        .map(|d| d.with_help("datetime and timespan comparisons have no Sigma form"))
        .collect()),
    }
}

fn literal_of(e: &Expr) -> Option<&Literal> {
    match &e.kind {
        ExprKind::Literal(l) => Some(l),
        _ => None,
    }
}

/// Non-string leaves: comparisons, sets, ranges, emptiness, booleans.
fn leaf(p: &Predicate, notes: &mut Notes) -> Result<Leaf, Errors> {
    match &p.kind {
        PredicateKind::InSubquery { .. } => Err(vec![crate::REFUSAL
            .subquery(p.span, crate::SUBQUERY_HELP)]),
        PredicateKind::Compare { lhs, op, rhs, .. } => compare(lhs, *op, rhs, p.span, notes),
        PredicateKind::InSet {
            expr,
            values,
            negated,
        } => {
            let field = field_name(expr, notes)?;
            let values = values
                .iter()
                .map(|v| literal(v, p.span))
                .collect::<Result<Vec<_>, _>>()?;
            let cased = values.iter().any(|v| matches!(v, Yaml::Str(_)));
            let key = if cased {
                modifiers(&field, &["cased"])
            } else {
                field.clone()
            };
            Ok(Leaf::new(Body::Map(vec![(key, one_or_list(values))]), *negated, vec![field]))
        }
        PredicateKind::Between {
            expr,
            low,
            high,
            negated,
        } => {
            let field = field_name(expr, notes)?;
            let number = |e: &Expr| match literal_of(e) {
                Some(l @ (Literal::Long(_) | Literal::Real(_))) => literal(l, e.span),
                _ => Err(decline(
                    SigmaCode::B045,
                    "Sigma ranges need numeric bounds",
                    e.span,
                )),
            };
            let (lo, hi) = (number(low)?, number(high)?);
            let mut leaf = Leaf::new(
                Body::Map(vec![
                    (modifiers(&field, &["gte"]), lo.clone()),
                    (modifiers(&field, &["lte"]), hi.clone()),
                ]),
                *negated,
                vec![],
            );
            // `!between` is null (row dropped) on a null operand, like `<`/`>`.
            leaf.complement = Some(Body::AnyOf(vec![
                vec![(modifiers(&field, &["lt"]), lo)],
                vec![(modifiers(&field, &["gt"]), hi)],
            ]));
            Ok(leaf)
        }
        PredicateKind::IsEmpty { expr, negated } => {
            let field = field_name(expr, notes)?;
            Ok(Leaf::new(empty_body(&field), *negated, vec![]))
        }
        PredicateKind::IsNull { expr, negated } => {
            let field = field_name(expr, notes)?;
            Ok(Leaf::new(null_body(&field), *negated, vec![]))
        }
        PredicateKind::Bool(e) => bool_leaf(e, notes),
        PredicateKind::TimeWindow { .. } => Err(vec![Diagnostic::error(
            SigmaCode::B046,
            "a time window inside `or`/`not` has no Sigma form",
            p.span,
        )
        .with_label("time window")
        .with_help("Sigma leaves the time range to the deployment; only a top-level `and` window can be dropped")]),
        PredicateKind::Const(b) => Err(vec![Diagnostic::error(
            SigmaCode::B047,
            "Sigma has no constant true/false condition",
            p.span,
        )
        .with_label(format!("always {b} in KQL"))
        .with_help(
            "kqlport folds conditions whose value KQL fixes, e.g. isnull() of a string \
             column (KQL strings are never null): as written, the query keeps every row or none",
        )]),
        PredicateKind::And(_)
        | PredicateKind::Or(_)
        | PredicateKind::Not(_)
        | PredicateKind::StrMatch(_) => Err(decline(
            SigmaCode::B040,
            "internal: compound predicate reached the leaf mapper",
            p.span,
        )),
    }
}

fn compare(
    lhs: &Expr,
    op: CmpOp,
    rhs: &Expr,
    span: Span,
    notes: &mut Notes,
) -> Result<Leaf, Errors> {
    // Put the field on the left.
    let (lhs, op, rhs) = if literal_of(lhs).is_some() && literal_of(rhs).is_none() {
        (rhs, op.flipped(), lhs)
    } else {
        (lhs, op, rhs)
    };
    // A column against `ago()`/`now()` is a time window; anything else against them (such as
    // `ingestion_time()`) is a computed comparison, refused below as such.
    let timey = |e: &Expr| matches!(e.kind, ExprKind::Ago(_) | ExprKind::Now);
    let field = |e: &Expr| matches!(e.kind, ExprKind::Field(_));
    if (timey(rhs) && field(lhs)) || (timey(lhs) && field(rhs)) {
        return Err(vec![Diagnostic::error(
            SigmaCode::B046,
            "a time window inside `or`/`not` has no Sigma form",
            span,
        )
        .with_label("time window")]);
    }
    let field = field_name(lhs, notes)?;
    if let Some(lit) = literal_of(rhs) {
        let value = literal(lit, rhs.span)?;
        let is_str = matches!(value, Yaml::Str(_));
        let is_num = matches!(value, Yaml::Int(_) | Yaml::Float(_));
        let ordering = |m: &'static str, complement: &'static str| {
            let mut leaf = Leaf::new(
                Body::Map(vec![(modifiers(&field, &[m]), value.clone())]),
                false,
                vec![],
            );
            // KQL's `<`/`>` are null on a null operand and `not(null)` drops the row, so the
            // negation is the complementary comparison, also false on a missing field.
            leaf.complement = Some(Body::Map(vec![(
                modifiers(&field, &[complement]),
                value.clone(),
            )]));
            leaf
        };
        return match op {
            _ if value == Yaml::Null => {
                // `x == null` / `x != null` are isnull / isnotnull.
                Ok(Leaf::new(null_body(&field), op == CmpOp::Ne, vec![]))
            }
            CmpOp::Eq | CmpOp::Ne => {
                let key = if is_str {
                    modifiers(&field, &["cased"])
                } else {
                    field.clone()
                };
                Ok(Leaf::new(
                    Body::Map(vec![(key, value)]),
                    op == CmpOp::Ne,
                    vec![field],
                ))
            }
            _ if !is_num => Err(decline(
                SigmaCode::B045,
                "Sigma orders only numbers (`gt`, `gte`, `lt`, `lte`)",
                span,
            )),
            CmpOp::Gt => Ok(ordering("gt", "lte")),
            CmpOp::Ge => Ok(ordering("gte", "lt")),
            CmpOp::Lt => Ok(ordering("lt", "gte")),
            CmpOp::Le => Ok(ordering("lte", "gt")),
        };
    }
    // Field against field.
    let other = field_name(rhs, notes)?;
    match op {
        CmpOp::Eq | CmpOp::Ne => Ok(Leaf::new(
            Body::Map(vec![(
                modifiers(&field, &["fieldref"]),
                Yaml::Str(other.clone()),
            )]),
            op == CmpOp::Ne,
            vec![field, other],
        )),
        _ => Err(decline(
            SigmaCode::B048,
            "Sigma's `fieldref` compares fields for equality only",
            span,
        )),
    }
}

fn bool_leaf(e: &Expr, notes: &mut Notes) -> Result<Leaf, Errors> {
    match &e.kind {
        ExprKind::Field(_) => {
            let field = field_name(e, notes)?;
            let mut leaf = Leaf::new(
                Body::Map(vec![(field.clone(), Yaml::Bool(true))]),
                false,
                vec![],
            );
            // `not(b)` is null (row dropped) when `b` is null: only `false` passes.
            leaf.complement = Some(Body::Map(vec![(field, Yaml::Bool(false))]));
            Ok(leaf)
        }
        ExprKind::Call { func, args } => {
            let cidrs: Vec<String> = match (func, args.as_slice()) {
                (ScalarFn::Ipv4IsPrivate, [_]) => vec![
                    "10.0.0.0/8".into(),
                    "172.16.0.0/12".into(),
                    "192.168.0.0/16".into(),
                ],
                (ScalarFn::Ipv4IsInRange, [_, range]) => match literal_of(range) {
                    Some(Literal::String(r)) if valid_ipv4_cidr(r) => {
                        if r.contains('/') {
                            vec![r.clone()]
                        } else {
                            vec![format!("{r}/32")]
                        }
                    }
                    _ => {
                        return Err(decline(
                            SigmaCode::B049,
                            "ipv4_is_in_range needs a literal IPv4 range for Sigma's `cidr`",
                            range.span,
                        ))
                    }
                },
                _ => {
                    return Err(decline(
                        SigmaCode::B049,
                        "this boolean function has no Sigma form",
                        e.span,
                    ))
                }
            };
            let field = field_name(&args[0], notes)?;
            let mut leaf = Leaf::new(
                Body::Map(vec![(
                    modifiers(&field, &["cidr"]),
                    one_or_list(cidrs.into_iter().map(Yaml::Str).collect()),
                )]),
                false,
                vec![],
            );
            leaf.negation_note = Some((
                e.span,
                Effect::OverMatch,
                "KQL's ipv4 functions are null for an empty or non-IPv4 value and the negation drops the row; Sigma's `not … cidr` keeps such events",
            ));
            Ok(leaf)
        }
        _ => Err(decline(
            SigmaCode::B049,
            "this boolean expression has no Sigma form",
            e.span,
        )),
    }
}

fn valid_ipv4_cidr(s: &str) -> bool {
    let (ip, prefix) = match s.split_once('/') {
        Some((ip, p)) => (ip, Some(p)),
        None => (s, None),
    };
    let octets: Vec<&str> = ip.split('.').collect();
    let ip_ok = octets.len() == 4
        && octets
            .iter()
            .all(|o| !o.is_empty() && o.len() <= 3 && o.parse::<u8>().is_ok());
    let prefix_ok = prefix.is_none_or(|p| p.parse::<u8>().is_ok_and(|n| n <= 32));
    ip_ok && prefix_ok
}
