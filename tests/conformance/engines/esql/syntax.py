"""ES|QL text -> this evaluator's small syntax tree, read off the parse tree of Elastic's own
ANTLR grammar (package `detection-rules-esql-py`, the `esql` oracle venv).

The package's own `esql.ast` is lossy for evaluation (SORT keeps no direction, string literals
keep their escapes, a STATS filter is not tied to its aggregate), so this module walks the ANTLR
contexts directly. It knows only the constructs listed in README.md; anything else raises
`Unsupported` naming the construct, never a guess.

Literal rules follow "Basic ES|QL syntax"
(https://www.elastic.co/docs/reference/query-languages/esql/esql-syntax): a `"…"` string
unescapes `\\t \\n \\r \\" \\\\`, a `\"\"\"…\"\"\"` string is raw; identifiers may be back-quoted
(a doubled back-quote is one back-quote); integer literals are `integer`/`long`, decimals `double`;
`<n> <unit>` is a time-span literal; `//` and `/* */` are comments (the lexer's hidden channel).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class Unsupported(Exception):
    """A construct outside what the evaluator models (the message names it)."""


class EsqlParseError(Exception):
    """Elastic's grammar rejected the text."""


# ------------------------------------------------------------------------------------------
# Expressions
# ------------------------------------------------------------------------------------------

@dataclass
class Lit:
    value: Any
    type: str  # keyword, integer, long, double, boolean, null, time_duration, date_period
    text: str = ""


@dataclass
class Col:
    name: str
    text: str = ""


@dataclass
class Call:
    name: str  # upper case
    args: list
    star: bool = False  # COUNT(*)
    text: str = ""


@dataclass
class Bin:
    op: str  # + - * / % == != < <= > >= AND OR
    left: Any
    right: Any
    text: str = ""


@dataclass
class Not:
    expr: Any
    text: str = ""


@dataclass
class Neg:
    expr: Any
    text: str = ""


@dataclass
class IsNull:
    expr: Any
    negated: bool
    text: str = ""


@dataclass
class In:
    expr: Any
    items: list
    negated: bool
    text: str = ""


@dataclass
class Like:
    expr: Any
    patterns: list  # of str
    negated: bool
    rlike: bool
    text: str = ""


@dataclass
class Cast:
    expr: Any
    type: str
    text: str = ""


# ------------------------------------------------------------------------------------------
# Commands
# ------------------------------------------------------------------------------------------

@dataclass
class From:
    indices: list
    metadata: list


@dataclass
class Row:
    fields: list  # [(name, expr)]


@dataclass
class Where:
    expr: Any


@dataclass
class Eval:
    fields: list  # [(name, expr)]


@dataclass
class Stats:
    aggs: list  # [(name, expr, where_expr | None)]
    by: list  # [(name, expr)]
    inline: bool = False


@dataclass
class Keep:
    patterns: list


@dataclass
class Drop:
    patterns: list


@dataclass
class Rename:
    pairs: list  # [(old, new)]


@dataclass
class Sort:
    keys: list  # [(expr, ascending, nulls_first | None)]


@dataclass
class Limit:
    n: int


@dataclass
class MvExpand:
    column: str


@dataclass
class LookupJoin:
    index: str
    on: list  # field names


@dataclass
class Dissect:
    expr: Any
    pattern: str
    append_separator: str = ""


@dataclass
class Grok:
    expr: Any
    pattern: str


@dataclass
class Fork:
    branches: list  # one list of processing commands per branch, in the order written


@dataclass
class Query:
    commands: list = field(default_factory=list)


# ------------------------------------------------------------------------------------------
# Parse tree walking
# ------------------------------------------------------------------------------------------

def _kind(ctx) -> str:
    n = type(ctx).__name__
    return n[:-7] if n.endswith("Context") else n


def _children(ctx) -> list:
    return list(ctx.getChildren()) if ctx.getChildCount() else []


def _is_term(node) -> bool:
    from antlr4.tree.Tree import TerminalNode
    return isinstance(node, TerminalNode)


def _rules(ctx) -> list:
    return [c for c in _children(ctx) if not _is_term(c)]


def _terms(ctx) -> list[str]:
    return [c.getText() for c in _children(ctx) if _is_term(c)]


def unquote_string(tok: str) -> str:
    """A string token's value (esql-syntax: string literals)."""
    if tok.startswith('"""'):
        return tok[3:-3]
    body = tok[1:-1]
    out = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            n = body[i + 1]
            out.append({"t": "\t", "n": "\n", "r": "\r", '"': '"', "\\": "\\"}.get(n, "\\" + n))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def unquote_ident(tok: str) -> str:
    if tok.startswith("`") and tok.endswith("`") and len(tok) >= 2:
        return tok[1:-1].replace("``", "`")
    return tok


class _Builder:
    def __init__(self, text: str, stream):
        self.src = text
        self.stream = stream

    def text(self, ctx) -> str:
        """The source text of a rule, as written (ES names unaliased columns after it)."""
        start, stop = ctx.start.start, ctx.stop.stop
        return self.src[start:stop + 1]

    # -- names -------------------------------------------------------------------------------
    def qualified_name(self, ctx) -> str:
        # qualifiedName: fieldName; fieldName: identifierOrParameter ('.' identifierOrParameter)*
        parts = []
        for node in ctx.getChildren():
            self._collect_ident_parts(node, parts)
        return ".".join(parts)

    def _collect_ident_parts(self, node, parts):
        if _is_term(node):
            t = node.getText()
            if t != ".":
                if t.startswith("?"):
                    raise Unsupported(f"query parameter {t}")
                parts.append(unquote_ident(t))
            return
        for c in node.getChildren():
            self._collect_ident_parts(c, parts)

    def name_pattern(self, ctx) -> str:
        # qualifiedNamePattern: identifierPattern ('.' identifierPattern)* ; back-quotes allowed
        parts = []
        self._collect_ident_parts(ctx, parts)
        return ".".join(parts)

    # -- commands ----------------------------------------------------------------------------
    def query(self, tree) -> Query:
        q = Query()
        self._commands(tree, q.commands)
        return q

    def _commands(self, ctx, out):
        k = _kind(ctx)
        if k in ("Statements", "SingleStatement", "CompositeQuery", "SingleCommandQuery", "Query"):
            for c in _rules(ctx):
                if _kind(c) == "SetCommand":
                    raise Unsupported("SET directive")
                self._commands(c, out)
            return
        if k in ("SourceCommand", "ProcessingCommand"):
            for c in _rules(ctx):
                out.append(self.command(c))
            return
        raise Unsupported(f"query structure {k}")

    def command(self, ctx):
        k = _kind(ctx)
        fn = getattr(self, "cmd_" + k, None)
        if fn is None:
            raise Unsupported(f"command {' '.join(_terms(ctx)[:2]) or k}")
        return fn(ctx)

    def cmd_FromCommand(self, ctx):
        indices, metadata = [], []
        for c in _rules(ctx):
            if _kind(c) != "IndexPatternAndMetadataFields":
                continue
            for d in _rules(c):
                if _kind(d) == "IndexPatternOrSubquery":
                    if any(_kind(e) == "Subquery" for e in _rules(d)):
                        raise Unsupported("FROM subquery")
                    indices.append(self.text(d))
                elif _kind(d) == "Metadata":
                    metadata = [t for t in _terms(d) if t not in ("METADATA", ",")]
        return From(indices, metadata)

    def cmd_RowCommand(self, ctx):
        return Row(self.fields(_rules(ctx)[0]))

    def cmd_WhereCommand(self, ctx):
        return Where(self.expr(_rules(ctx)[0]))

    def cmd_EvalCommand(self, ctx):
        return Eval(self.fields(_rules(ctx)[0]))

    def fields(self, ctx) -> list:
        return [self.named_field(f) for f in _rules(ctx) if _kind(f) == "Field"]

    def named_field(self, f):
        rs = _rules(f)
        if len(rs) == 2 and _kind(rs[0]) == "QualifiedName":
            return (self.qualified_name(rs[0]), self.expr(rs[1]))
        e = self.expr(rs[-1])
        # an unaliased expression is named after its text; a plain column keeps its name
        return (e.name if isinstance(e, Col) else self.text(rs[-1]), e)

    def _stats(self, ctx, inline):
        aggs, by = [], []
        seen_by = False
        for c in _children(ctx):
            if _is_term(c):
                if c.getText().upper() == "BY":
                    seen_by = True
                continue
            if _kind(c) == "AggFields":
                for af in _rules(c):
                    rs = _rules(af)
                    name, e = self.named_field(rs[0])
                    where = self.expr(rs[1]) if len(rs) > 1 else None
                    aggs.append((name, e, where))
            elif _kind(c) == "Fields" and seen_by:
                by = self.fields(c)
        return Stats(aggs, by, inline)

    def cmd_StatsCommand(self, ctx):
        return self._stats(ctx, False)

    def cmd_InlineStatsCommand(self, ctx):
        return self._stats(ctx, True)

    def cmd_KeepCommand(self, ctx):
        return Keep([self.name_pattern(p) for p in _rules(_rules(ctx)[0])])

    def cmd_DropCommand(self, ctx):
        return Drop([self.name_pattern(p) for p in _rules(_rules(ctx)[0])])

    def cmd_RenameCommand(self, ctx):
        pairs = []
        for cl in _rules(ctx):
            pats = [self.name_pattern(p) for p in _rules(cl)]
            terms = [t.upper() for t in _terms(cl)]
            if "AS" in terms:
                pairs.append((pats[0], pats[1]))
            else:  # newName = oldName
                pairs.append((pats[1], pats[0]))
        return Rename(pairs)

    def cmd_SortCommand(self, ctx):
        keys = []
        for o in _rules(ctx):
            terms = [t.upper() for t in _terms(o)]
            asc = "DESC" not in terms
            nulls = None
            if "NULLS" in terms:
                nulls = "FIRST" in terms
            keys.append((self.expr(_rules(o)[0]), asc, nulls))
        return Sort(keys)

    def cmd_LimitCommand(self, ctx):
        rs = _rules(ctx)
        if len(rs) != 1 or _kind(rs[0]) != "IntegerLiteral":
            raise Unsupported("LIMIT with a parameter or BY")
        return Limit(int(self.text(rs[0])))

    def cmd_MvExpandCommand(self, ctx):
        return MvExpand(self.qualified_name(_rules(ctx)[0]))

    def cmd_JoinCommand(self, ctx):
        terms = [t.upper() for t in _terms(ctx)]
        if terms[:2] != ["LOOKUP", "JOIN"]:
            raise Unsupported(f"{' '.join(terms[:2])} join")
        target, cond = _rules(ctx)
        on = []
        for e in _rules(cond):
            x = self.expr(e)
            if not isinstance(x, Col):
                raise Unsupported("LOOKUP JOIN ON an expression")
            on.append(x.name)
        return LookupJoin(self.text(target), on)

    def cmd_DissectCommand(self, ctx):
        rs = _rules(ctx)
        sep = ""
        for r in rs[2:]:
            for opt in _rules(r):
                name = self.text(_rules(opt)[0]).upper()
                if name != "APPEND_SEPARATOR":
                    raise Unsupported(f"DISSECT option {name}")
                sep = unquote_string(self.text(_rules(opt)[1]))
        return Dissect(self.expr(rs[0]), unquote_string(self.text(rs[1])), sep)

    # FORK (commands/fork): `FORK ( <processing_commands> ) ( … ) …`; in the grammar a branch is
    # forkSubQuery -> forkSubQueryCommand, a left-recursive list of
    # forkSubQueryProcessingCommand -> processingCommand.
    def cmd_ForkCommand(self, ctx):
        branches = []

        def walk(node, out):
            k = _kind(node)
            if k == "ForkSubQuery" and out is None:
                cmds: list = []
                for c in _rules(node):
                    walk(c, cmds)
                branches.append(cmds)
            elif k == "ProcessingCommand" and out is not None:
                for c in _rules(node):
                    out.append(self.command(c))
            else:
                for c in _rules(node):
                    walk(c, out)

        walk(ctx, None)
        return Fork(branches)

    def cmd_GrokCommand(self, ctx):
        rs = _rules(ctx)
        if len(rs) != 2:
            raise Unsupported("GROK with several patterns")
        return Grok(self.expr(rs[0]), unquote_string(self.text(rs[1])))

    # -- expressions -------------------------------------------------------------------------
    def expr(self, ctx):
        k = _kind(ctx)
        fn = getattr(self, "ex_" + k, None)
        if fn is None:
            raise Unsupported(f"expression {k}: {self.text(ctx)}")
        e = fn(ctx)
        if hasattr(e, "text") and not e.text:
            e.text = self.text(ctx)
        return e

    def _only(self, ctx):
        rs = _rules(ctx)
        return self.expr(rs[0])

    ex_BooleanDefault = _only
    ex_ValueExpressionDefault = _only
    ex_OperatorExpressionDefault = _only
    ex_ConstantDefault = _only
    ex_Function = _only

    def ex_ParenthesizedExpression(self, ctx):
        return self.expr(_rules(ctx)[0])

    def ex_LogicalNot(self, ctx):
        return Not(self.expr(_rules(ctx)[0]))

    def ex_LogicalBinary(self, ctx):
        l, r = _rules(ctx)
        op = _terms(ctx)[0].upper()
        return Bin(op, self.expr(l), self.expr(r))

    def ex_IsNull(self, ctx):
        terms = [t.upper() for t in _terms(ctx)]
        return IsNull(self.expr(_rules(ctx)[0]), "NOT" in terms)

    def ex_LogicalIn(self, ctx):
        rs = _rules(ctx)
        terms = [t.upper() for t in _terms(ctx)]
        return In(self.expr(rs[0]), [self.expr(r) for r in rs[1:]], "NOT" in terms)

    def ex_RegexExpression(self, ctx):
        return self.expr(_rules(ctx)[0])

    def ex_RegexBooleanExpression(self, ctx):
        return self.expr(_rules(ctx)[0])

    def _like(self, ctx, rlike):
        rs = _rules(ctx)
        terms = [t.upper() for t in _terms(ctx)]
        pats = []
        for r in rs[1:]:
            t = self.text(r)
            if t.startswith("?"):
                raise Unsupported("LIKE/RLIKE pattern parameter")
            pats.append(unquote_string(t))
        return Like(self.expr(rs[0]), pats, "NOT" in terms, rlike)

    def ex_LikeExpression(self, ctx):
        return self._like(ctx, False)

    def ex_LikeListExpression(self, ctx):
        return self._like(ctx, False)

    def ex_RlikeExpression(self, ctx):
        return self._like(ctx, True)

    def ex_RlikeListExpression(self, ctx):
        return self._like(ctx, True)

    def ex_Comparison(self, ctx):
        l, op, r = _rules(ctx)
        return Bin(self.text(op), self.expr(l), self.expr(r))

    def ex_ArithmeticBinary(self, ctx):
        l, r = _rules(ctx)
        return Bin(_terms(ctx)[0], self.expr(l), self.expr(r))

    def ex_ArithmeticUnary(self, ctx):
        op = _terms(ctx)[0]
        e = self.expr(_rules(ctx)[0])
        return e if op == "+" else Neg(e)

    def ex_Dereference(self, ctx):
        return Col(self.qualified_name(_rules(ctx)[0]))

    def ex_InlineCast(self, ctx):
        e, t = _rules(ctx)
        return Cast(self.expr(e), self.text(t).lower())

    def ex_FunctionExpression(self, ctx):
        rs = _rules(ctx)
        name = self.text(rs[0]).upper()
        if any(_kind(r) == "MapExpression" for r in rs):
            raise Unsupported(f"{name} with named parameters")
        star = "*" in _terms(ctx)
        return Call(name, [self.expr(r) for r in rs[1:]], star)

    def ex_NullLiteral(self, ctx):
        return Lit(None, "null")

    def ex_BooleanLiteral(self, ctx):
        return Lit(self.text(ctx).lower() == "true", "boolean")

    def ex_IntegerLiteral(self, ctx):
        v = int(self.text(ctx))
        # esql-syntax: "integer, long or double, whichever can first accommodate the value"
        if -2**31 <= v < 2**31:
            return Lit(v, "integer")
        if -2**63 <= v < 2**63:
            return Lit(v, "long")
        return Lit(float(v), "double")

    def ex_DecimalLiteral(self, ctx):
        return Lit(float(self.text(ctx)), "double")

    def ex_StringLiteral(self, ctx):
        return Lit(unquote_string(self.text(ctx)), "keyword")

    def ex_QualifiedIntegerLiteral(self, ctx):
        n = int(self.text(_rules(ctx)[0]))
        unit = _terms(ctx)[-1].lower()
        return Lit(span(n, unit), span_type(unit))

    def ex_StringArrayLiteral(self, ctx):
        vals = [unquote_string(self.text(r)) for r in _rules(ctx)]
        return Lit(vals, "keyword")

    def ex_NumericArrayLiteral(self, ctx):
        vals = [self.expr(r).value for r in _rules(ctx)]
        t = "double" if any(isinstance(v, float) for v in vals) else "integer"
        if t == "integer" and any(not -2**31 <= v < 2**31 for v in vals):
            t = "long"
        return Lit([float(v) for v in vals] if t == "double" else vals, t)

    def ex_NumericValue(self, ctx):
        return self._only(ctx)

    def ex_IntegerValue(self, ctx):
        return self.ex_IntegerLiteral(ctx)

    def ex_DecimalValue(self, ctx):
        return self.ex_DecimalLiteral(ctx)

    def ex_BooleanArrayLiteral(self, ctx):
        return Lit([self.text(r).lower() == "true" for r in _rules(ctx)], "boolean")

    def ex_InputParameter(self, ctx):
        raise Unsupported(f"query parameter {self.text(ctx)}")


# Time-span units ("Use time spans in ES|QL",
# https://www.elastic.co/docs/reference/query-languages/esql/esql-time-spans): calendar units are a
# date_period, clock units a time_duration.
_PERIOD = {"day": "d", "days": "d", "d": "d", "week": "w", "weeks": "w", "w": "w", "month": "M", "months": "M",
           "mo": "M", "quarter": "q", "quarters": "q", "q": "q", "year": "y", "years": "y", "yr": "y", "y": "y"}
_DURATION_MS = {"millisecond": 1, "milliseconds": 1, "ms": 1, "second": 1000, "seconds": 1000, "sec": 1000,
                "s": 1000, "minute": 60_000, "minutes": 60_000, "min": 60_000, "hour": 3_600_000,
                "hours": 3_600_000, "h": 3_600_000}


def span_type(unit: str) -> str:
    if unit in _PERIOD:
        return "date_period"
    if unit in _DURATION_MS:
        return "time_duration"
    raise Unsupported(f"time-span unit {unit}")


def span(n: int, unit: str):
    """date_period -> (months, days); time_duration -> milliseconds."""
    if unit in _PERIOD:
        u = _PERIOD[unit]
        return {"d": (0, n), "w": (0, 7 * n), "M": (n, 0), "q": (3 * n, 0), "y": (12 * n, 0)}[u]
    if unit in _DURATION_MS:
        return n * _DURATION_MS[unit]
    raise Unsupported(f"time-span unit {unit}")


def parse(text: str) -> Query:
    """Parse with Elastic's grammar (newest bundled release grammar) and build the tree."""
    from antlr4 import CommonTokenStream, InputStream
    from antlr4.error.ErrorListener import ErrorListener
    from esql.grammar_registry import build_esql_config, get_grammar_module

    class _Raise(ErrorListener):
        def syntaxError(self, recognizer, offending, line, column, msg, e):  # noqa: N802
            raise EsqlParseError(f"line {line}:{column}: {msg}")

    module = get_grammar_module(None)
    lexer = module.lexer_cls(InputStream(text))
    lexer.removeErrorListeners()
    lexer.addErrorListener(_Raise())
    cfg = build_esql_config({})
    lexer.setEsqlConfig(cfg)
    stream = CommonTokenStream(lexer)
    parser = module.parser_cls(stream)
    parser.removeErrorListeners()
    parser.addErrorListener(_Raise())
    parser.setEsqlConfig(cfg)
    tree = parser.statements() if hasattr(parser, "statements") else parser.singleStatement()
    return _Builder(text, stream).query(tree)
