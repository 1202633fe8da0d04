//! The typed KQL syntax tree produced by [`super::parse`]. Owns the shape of parsed queries
//! only: no pest types, no semantics (let inlining, normalisation) — those belong to lowering.
//!
//! Every node keeps its kind apart from its [`Span`] (byte offsets into the query text); spans
//! never take part in equality. Where KQL has two spellings for one thing (`where`/`filter`,
//! `sort`/`order`, `take`/`limit`, `mv-expand`/`mvexpand`, `!=`/`<>`), the spelling is kept.

use crate::source::Span;
use serde::Serialize;

/// A whole query: `;`-separated statements. Usually some `let`s and one tabular expression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Query {
    pub statements: Vec<Statement>,
    pub span: Span,
}

/// A name as written: a plain identifier or a bracketed one (`['a b']`), already unquoted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Name {
    pub name: String,
    pub bracketed: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statement {
    pub kind: StatementKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum StatementKind {
    /// `let name = value`
    Let { name: Name, value: LetValue },
    /// `set name [= value]`
    Set { name: Name, value: Option<Expr> },
    /// `declare query_parameters(name: type [= default], ...)`
    DeclareQueryParameters(Vec<Parameter>),
    /// A tabular (or scalar) expression statement.
    Expr(Expr),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum LetValue {
    /// A scalar or tabular expression (tabular ones are [`ExprKind::Pipeline`] or a name).
    Expr(Expr),
    /// `(a: string, b: int = 5) { body }`
    Lambda(Lambda),
    /// `view () { body }`
    View(Lambda),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lambda {
    pub params: Vec<Parameter>,
    /// The body's statements; the last one is normally the result expression.
    pub body: Vec<Statement>,
    pub span: Span,
}

/// A typed parameter of a lambda, `declare query_parameters` or `scan declare`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parameter {
    pub name: Name,
    pub ty: TypeSpec,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TypeSpec {
    /// `string`, `long`, `dynamic`, …
    Scalar(Name),
    /// A tabular parameter: `(col: string, *)`.
    Tabular(Vec<SchemaItem>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum SchemaItem {
    Column(ColumnDecl),
    /// `*` — any further columns.
    Wildcard(Span),
}

/// `name: type` in a schema (datatable, externaldata, parse-kv, tabular parameters).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnDecl {
    pub name: Name,
    pub ty: Name,
    pub span: Span,
}

// ------------------------------------------------------------------------------------------
// Tabular expressions

/// `source | op | op …`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pipeline {
    pub source: Source,
    pub operators: Vec<Operator>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    pub kind: SourceKind,
    pub span: Span,
}

/// What a pipeline starts from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum SourceKind {
    /// A table or let name, a function call, a parenthesised subquery…
    Expr(Expr),
    Union(Union),
    Datatable(Datatable),
    ExternalData(ExternalData),
    Range(RangeSource),
    Print(Vec<NamedExpr>),
    Find(Find),
    Search(Search),
    Evaluate(Evaluate),
}

/// An operator after `|`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operator {
    pub kind: OperatorKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum WhereKeyword {
    Where,
    Filter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SortKeyword {
    Sort,
    Order,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TakeKeyword {
    Take,
    Limit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MvExpandKeyword {
    /// `mv-expand`
    MvExpand,
    /// `mvexpand` (legacy spelling)
    Mvexpand,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum OperatorKind {
    Where {
        keyword: WhereKeyword,
        predicate: Expr,
    },
    Project(Vec<NamedExpr>),
    ProjectAway(Vec<ColumnPattern>),
    ProjectKeep(Vec<ColumnPattern>),
    ProjectRename(Vec<Rename>),
    ProjectReorder(Vec<ReorderItem>),
    Extend(Vec<NamedExpr>),
    Summarize {
        params: Vec<Param>,
        aggregates: Vec<NamedExpr>,
        by: Vec<NamedExpr>,
    },
    Sort {
        keyword: SortKeyword,
        params: Vec<Param>,
        by: Vec<SortKey>,
    },
    Top {
        count: Expr,
        by: SortKey,
    },
    TopNested(Vec<TopNestedLevel>),
    TopHitters {
        count: Expr,
        of: Expr,
        by: Option<Expr>,
    },
    Take {
        keyword: TakeKeyword,
        count: Expr,
    },
    Sample(Expr),
    SampleDistinct {
        count: Expr,
        of: Expr,
    },
    /// `distinct a, b` or `distinct *` (a [`ExprKind::Star`] column).
    Distinct {
        params: Vec<Param>,
        columns: Vec<NamedExpr>,
    },
    Count,
    Join(Join),
    Lookup(Join),
    Union(Union),
    MvExpand(MvExpand),
    MvApply {
        params: Vec<Param>,
        items: Vec<MvItem>,
        limit: Option<Expr>,
        subquery: Subquery,
    },
    /// `parse` and `parse-where` (`filter` is true for `parse-where`).
    Parse {
        filter: bool,
        params: Vec<Param>,
        source: Expr,
        pattern: Vec<ParsePart>,
    },
    ParseKv {
        source: Expr,
        columns: Vec<ColumnDecl>,
        properties: Vec<Property>,
    },
    MakeSeries(MakeSeries),
    Evaluate(Evaluate),
    Render {
        visualization: Name,
        properties: Vec<Property>,
    },
    Invoke(Expr),
    As {
        params: Vec<Param>,
        name: Name,
    },
    Serialize(Vec<NamedExpr>),
    GetSchema,
    Consume(Vec<Param>),
    Search(Search),
    Find(Find),
    Fork(Vec<ForkBranch>),
    Facet {
        by: Vec<Name>,
        with: Option<Subquery>,
    },
    Partition {
        params: Vec<Param>,
        by: Expr,
        subquery: Subquery,
    },
    Reduce {
        params: Vec<Param>,
        by: Expr,
        properties: Vec<Property>,
    },
    Scan(Scan),
}

/// `name = value` operator parameters: `kind=inner`, `hint.strategy=shuffle`, `withsource=T`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    /// As written, e.g. `kind` or `hint.strategy`.
    pub name: String,
    pub value: Expr,
    pub span: Span,
}

/// `name = value` properties in `with (…)` clauses (render, externaldata, parse-kv, reduce).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Property {
    pub name: Name,
    pub value: Expr,
    pub span: Span,
}

/// An optionally named expression: `x`, `n = count()`, `(a, b) = f(x)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedExpr {
    /// Empty when unnamed; several for tuple assignment.
    pub names: Vec<Name>,
    pub expr: Expr,
    pub span: Span,
}

/// A column name that may contain `*` wildcards (`project-away Foo*`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnPattern {
    pub pattern: String,
    pub bracketed: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rename {
    pub new: Name,
    /// Normally a column name ([`ExprKind::Ident`]); Kusto's grammar accepts any expression.
    pub old: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ReorderOrder {
    Asc,
    Desc,
    GrannyAsc,
    GrannyDesc,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReorderItem {
    pub column: ColumnPattern,
    pub order: Option<ReorderOrder>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SortOrder {
    Asc,
    Desc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NullsOrder {
    First,
    Last,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SortKey {
    pub expr: Expr,
    pub order: Option<SortOrder>,
    pub nulls: Option<NullsOrder>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopNestedLevel {
    pub count: Option<Expr>,
    pub of: NamedExpr,
    pub others: Option<Expr>,
    pub by: NamedExpr,
    pub order: Option<SortOrder>,
    pub span: Span,
}

/// `join` and `lookup`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Join {
    pub params: Vec<Param>,
    /// The right side: a table name or a [`ExprKind::Pipeline`].
    pub right: Expr,
    /// `on a, b` or `on $left.a == $right.b and …` conditions, as written.
    pub on: Vec<Expr>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Union {
    pub params: Vec<Param>,
    pub tables: Vec<UnionItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum UnionItem {
    /// A table pattern with `*` wildcards, e.g. `Device*`.
    Wildcard(ColumnPattern),
    /// A table name, a call, or a parenthesised pipeline.
    Expr(Expr),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MvExpand {
    pub keyword: MvExpandKeyword,
    pub params: Vec<Param>,
    pub items: Vec<MvItem>,
    pub limit: Option<Expr>,
}

/// `[name =] expr [to typeof(type)]` in mv-expand / mv-apply.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MvItem {
    pub names: Vec<Name>,
    pub expr: Expr,
    pub to_type: Option<Name>,
    pub span: Span,
}

/// An operator chain applied to an implicit input (mv-apply, partition, fork, facet), or a
/// full tabular expression where one was written instead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subquery {
    pub kind: SubqueryKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum SubqueryKind {
    Operators(Vec<Operator>),
    Expr(Box<Expr>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ParsePart {
    /// `*`
    Wildcard(Span),
    /// A string literal to match (decoded).
    Literal { value: String, span: Span },
    /// `name[:type]`
    Column {
        name: Name,
        ty: Option<Name>,
        span: Span,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MakeSeries {
    pub params: Vec<Param>,
    pub aggregates: Vec<SeriesAggregate>,
    pub on: Expr,
    pub range: Option<SeriesRange>,
    pub by: Vec<NamedExpr>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesAggregate {
    pub names: Vec<Name>,
    pub expr: Expr,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum SeriesRange {
    /// `in range(start, stop, step)`
    InRange { start: Expr, stop: Expr, step: Expr },
    /// `[from start] [to end] step step`
    FromTo {
        from: Option<Expr>,
        to: Option<Expr>,
        step: Expr,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluate {
    pub params: Vec<Param>,
    /// The plugin call, e.g. `bag_unpack(x)`.
    pub plugin: Expr,
    /// An output schema: `evaluate bag_unpack(x) : (a: string, *)`.
    pub schema: Option<Vec<SchemaItem>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Search {
    pub params: Vec<Param>,
    pub tables: Vec<UnionItem>,
    pub predicate: Expr,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Find {
    pub params: Vec<Param>,
    pub tables: Vec<UnionItem>,
    pub predicate: Expr,
    pub project: Option<FindProject>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum FindProject {
    Smart,
    Columns(Vec<ColumnPattern>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForkBranch {
    pub name: Option<Name>,
    pub subquery: Subquery,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scan {
    pub params: Vec<Param>,
    pub declare: Vec<Parameter>,
    pub steps: Vec<ScanStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanStep {
    pub name: Name,
    pub optional: bool,
    /// `output=all|last|none`
    pub output: Option<Name>,
    pub condition: Expr,
    pub assignments: Vec<Property>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Datatable {
    pub columns: Vec<ColumnDecl>,
    /// The values, row-major, as written.
    pub values: Vec<Expr>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExternalData {
    pub columns: Vec<ColumnDecl>,
    pub urls: Vec<Expr>,
    pub properties: Vec<Property>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RangeSource {
    pub column: Name,
    pub from: Expr,
    pub to: Expr,
    pub step: Expr,
}

// ------------------------------------------------------------------------------------------
// Scalar expressions

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ExprKind {
    Literal(Literal),
    /// A column, table or let name; `$left` / `$right` are names too.
    Ident(Name),
    /// `*` as in `count(*)`, `distinct *`, `* has "x"`, `arg_max(T, *)`.
    Star,
    /// `expr.member`
    Member {
        expr: Box<Expr>,
        member: Name,
    },
    /// `expr[index]`
    Index {
        expr: Box<Expr>,
        index: Box<Expr>,
    },
    /// `f(args)`; `not(x)` is a call in KQL.
    Call {
        function: Name,
        args: Vec<Arg>,
    },
    Unary {
        op: UnaryOp,
        expr: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `expr in (…)`, `!in`, `in~`, `!in~`. List items may be tabular.
    In {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
        case_insensitive: bool,
    },
    /// `expr between (low .. high)` / `!between`.
    Between {
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
    },
    /// A parenthesised list, the right side of `has_any` / `has_all`.
    List(Vec<Expr>),
    /// `dynamic(…)`
    Dynamic(DynValue),
    /// A tabular expression used as a value (a subquery, a `let` body, a join's right side).
    Pipeline(Box<Pipeline>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Arg {
    pub name: Option<Name>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum UnaryOp {
    Neg,
    Plus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BinaryOp {
    Or,
    And,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    /// `==`
    Equal,
    /// `!=`
    NotEqual,
    /// `<>` (same meaning as `!=`)
    LessGreater,
    Lt,
    Le,
    Gt,
    Ge,
    /// `=` used as a comparison (accepted by Kusto, same as `==`)
    EqualSingle,
    /// `=~`
    EqualTilde,
    /// `!~`
    NotEqualTilde,
    Has,
    NotHas,
    HasCs,
    NotHasCs,
    HasPrefix,
    NotHasPrefix,
    HasPrefixCs,
    NotHasPrefixCs,
    HasSuffix,
    NotHasSuffix,
    HasSuffixCs,
    NotHasSuffixCs,
    Contains,
    NotContains,
    ContainsCs,
    NotContainsCs,
    /// legacy `containscs`
    ContainsCsLegacy,
    /// legacy `notcontains`
    NotContainsLegacy,
    /// legacy `notcontainscs`
    NotContainsCsLegacy,
    StartsWith,
    NotStartsWith,
    StartsWithCs,
    NotStartsWithCs,
    EndsWith,
    NotEndsWith,
    EndsWithCs,
    NotEndsWithCs,
    MatchesRegex,
    Like,
    NotLike,
    /// `!like`
    NotLikeBang,
    /// `has_any (…)`: the right side is an [`ExprKind::List`].
    HasAny,
    /// `has_all (…)`: the right side is an [`ExprKind::List`].
    HasAll,
    /// `:`, the term search of `search Col:"value"` (Kusto accepts it in any expression).
    Colon,
}

impl BinaryOp {
    /// The KQL spelling.
    pub fn as_str(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Or => "or",
            And => "and",
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
            Equal => "==",
            NotEqual => "!=",
            LessGreater => "<>",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            EqualSingle => "=",
            EqualTilde => "=~",
            NotEqualTilde => "!~",
            Has => "has",
            NotHas => "!has",
            HasCs => "has_cs",
            NotHasCs => "!has_cs",
            HasPrefix => "hasprefix",
            NotHasPrefix => "!hasprefix",
            HasPrefixCs => "hasprefix_cs",
            NotHasPrefixCs => "!hasprefix_cs",
            HasSuffix => "hassuffix",
            NotHasSuffix => "!hassuffix",
            HasSuffixCs => "hassuffix_cs",
            NotHasSuffixCs => "!hassuffix_cs",
            Contains => "contains",
            NotContains => "!contains",
            ContainsCs => "contains_cs",
            NotContainsCs => "!contains_cs",
            ContainsCsLegacy => "containscs",
            NotContainsLegacy => "notcontains",
            NotContainsCsLegacy => "notcontainscs",
            StartsWith => "startswith",
            NotStartsWith => "!startswith",
            StartsWithCs => "startswith_cs",
            NotStartsWithCs => "!startswith_cs",
            EndsWith => "endswith",
            NotEndsWith => "!endswith",
            EndsWithCs => "endswith_cs",
            NotEndsWithCs => "!endswith_cs",
            MatchesRegex => "matches regex",
            Like => "like",
            NotLike => "notlike",
            NotLikeBang => "!like",
            HasAny => "has_any",
            HasAll => "has_all",
            Colon => ":",
        }
    }

    /// Parses a comparison or string operator spelling (`matches regex` with any spacing).
    pub fn from_spelling(s: &str) -> Option<BinaryOp> {
        if s.starts_with("matches") {
            return Some(BinaryOp::MatchesRegex);
        }
        use BinaryOp::*;
        const ALL: &[BinaryOp] = &[
            Or,
            And,
            Add,
            Sub,
            Mul,
            Div,
            Mod,
            Equal,
            NotEqual,
            LessGreater,
            Lt,
            Le,
            Gt,
            Ge,
            EqualSingle,
            EqualTilde,
            NotEqualTilde,
            Has,
            NotHas,
            HasCs,
            NotHasCs,
            HasPrefix,
            NotHasPrefix,
            HasPrefixCs,
            NotHasPrefixCs,
            HasSuffix,
            NotHasSuffix,
            HasSuffixCs,
            NotHasSuffixCs,
            Contains,
            NotContains,
            ContainsCs,
            NotContainsCs,
            ContainsCsLegacy,
            NotContainsLegacy,
            NotContainsCsLegacy,
            StartsWith,
            NotStartsWith,
            StartsWithCs,
            NotStartsWithCs,
            EndsWith,
            NotEndsWith,
            EndsWithCs,
            NotEndsWithCs,
            Like,
            NotLike,
            NotLikeBang,
            HasAny,
            HasAll,
            Colon,
        ];
        ALL.iter().copied().find(|op| op.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Literal {
    Bool(bool),
    /// An integer literal (decimal or hex) that fits in i64.
    Long(i64),
    /// A real literal, or an integer too large for i64; kept as written, except that a
    /// trailing `.` gets a `0` (`1000.` is `1000.0`, `1.e3` is `1.0e3`).
    Real(String),
    /// A string, escapes decoded, adjacent literals concatenated.
    String(String),
    /// `datetime(…)`: the text inside the parentheses, trimmed and unquoted.
    DateTime(String),
    /// `1d`, `30m`, `timespan(…)`: the text as written and, if known, its length in ticks
    /// (100 ns units).
    Timespan {
        text: String,
        ticks: Option<i64>,
    },
    /// `long(5)`, `int(null)`, `real(nan)`, `guid(…)`, `bool(true)`, `decimal(1.5)`: the type
    /// keyword and the raw text inside the parentheses.
    Typed {
        ty: String,
        value: String,
    },
    /// `null`, only inside `dynamic(…)`.
    Null,
}

/// The content of `dynamic(…)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum DynValue {
    Array(Vec<DynValue>),
    Object(Vec<(String, DynValue)>),
    Scalar(Box<Expr>),
}
