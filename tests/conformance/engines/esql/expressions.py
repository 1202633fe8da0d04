"""ES|QL expressions: operators and scalar functions, compiled against a table's column types.

`compile_expr(e, cx)` returns `(type, fn)`, `fn(row) -> value`. Every rule cites the page it
follows. Common rules:

* Null: "Many scalar functions return NULL when an input is NULL"; comparisons with null are
  null; AND/OR/NOT are three-valued ("Working with NULL values in ES|QL",
  https://www.elastic.co/docs/reference/query-languages/esql/esql-null-values).
* Multivalues: "Unless otherwise documented functions will return null when applied to a
  multivalued field", with a warning ("ES|QL multivalued fields",
  https://www.elastic.co/docs/reference/query-languages/esql/esql-multivalued-fields); operators
  too (`b + 2` on [1, 2] is null there).
* Types are checked as the verifier would; a mismatch the evaluator doesn't model is
  Unsupported.
"""
from __future__ import annotations

import base64
import ipaddress
import json
import math
import re

import syntax as S
from java_regex import java_replacement, java_to_re
from patterns import PatternError, like_to_re, lucene_to_re
from syntax import Unsupported
from values import (NUMERIC, STRING, EvalWarning, add_period, as_list, comparable, from_datetime_obj, norm_mv,
                    parse_iso, single, to_datetime_obj, to_keyword)

FUNCTIONS = "https://www.elastic.co/docs/reference/query-languages/esql/functions-operators/"


class QueryError(Exception):
    """The query is invalid for the cluster (verification error): e.g. an unknown column."""


class Context:
    """What an expression is compiled against: column types, NOW, and where warnings go."""

    def __init__(self, types: dict, now_ms: int, warnings: list, caveats: list):
        self.types = types
        self.now_ms = now_ms
        self.warnings = warnings
        self.caveats = caveats

    def warn(self, text, msg):
        w = f"evaluation of [{text}] failed, treating result as null: {msg}"
        if w not in self.warnings:
            self.warnings.append(w)


def _guard(cx, text, fn):
    """Evaluation failures become null plus a warning."""
    def g(row):
        try:
            return fn(row)
        except EvalWarning as w:
            cx.warn(text, str(w))
            return None
    return g


def compile_expr(e, cx: Context):
    if isinstance(e, S.Lit):
        v = e.value
        if isinstance(v, list):
            v = norm_mv(v)
        return e.type, (lambda row, v=v: v)
    if isinstance(e, S.Col):
        if e.name not in cx.types:
            raise QueryError(f"Unknown column [{e.name}]")
        if cx.types[e.name] == "unsupported":
            # esql-multi-index, "Union types": a field mapped with several types must be cast
            raise QueryError(f"Cannot use field [{e.name}] due to ambiguities being mapped as several incompatible types")
        name = e.name
        return cx.types[name], (lambda row: row.get(name))
    if isinstance(e, S.Not):
        t, f = compile_expr(e.expr, cx)
        _need_bool(t, e)
        return "boolean", _guard(cx, e.text, lambda row: _not(single(f(row))))
    if isinstance(e, S.Bin):
        if e.op in ("AND", "OR"):
            return _logic(e, cx)
        if e.op in ("==", "!=", "<", "<=", ">", ">="):
            return _compare(e, cx)
        return _arith(e, cx)
    if isinstance(e, S.Neg):
        t, f = compile_expr(e.expr, cx)
        if t not in NUMERIC:
            raise Unsupported(f"negation of {t}")
        return t, _guard(cx, e.text, lambda row: None if (v := single(f(row))) is None else -v)
    if isinstance(e, S.IsNull):
        _, f = compile_expr(e.expr, cx)
        neg = e.negated
        # IS NULL is true only for null; a multivalue is a value (esql-null-values, "Test for NULL values")
        return "boolean", (lambda row: (f(row) is not None) if neg else (f(row) is None))
    if isinstance(e, S.In):
        return _in(e, cx)
    if isinstance(e, S.Like):
        return _like(e, cx)
    if isinstance(e, S.Cast):
        return _convert(CAST_TYPES.get(e.type) or _unsupported(f"cast ::{e.type}"), [e.expr], cx, e.text)
    if isinstance(e, S.Call):
        fn = SCALAR.get(e.name)
        if fn is None:
            if e.name in AGGREGATES:
                raise QueryError(f"aggregate function [{e.name}] outside STATS")
            raise Unsupported(f"function {e.name}")
        return fn(e, cx)
    raise Unsupported(f"expression {type(e).__name__}")


def _unsupported(msg):
    raise Unsupported(msg)


def _need_bool(t, e):
    if t not in ("boolean", "null"):
        raise QueryError(f"[{e.text}] must be boolean, found {t}")


def _not(v):
    return None if v is None else (not v)


def _logic(e, cx):
    # esql-null-values, "Boolean logic with NULL": the AND / OR tables
    tl, fl = compile_expr(e.left, cx)
    tr, fr = compile_expr(e.right, cx)
    _need_bool(tl, e.left)
    _need_bool(tr, e.right)

    def val(f, row):
        try:
            return single(f(row))
        except EvalWarning as w:
            cx.warn(e.text, str(w))
            return None

    if e.op == "AND":
        def f(row):
            a = val(fl, row)
            if a is False:
                return False
            b = val(fr, row)
            if b is False:
                return False
            return None if a is None or b is None else True
    else:
        def f(row):
            a = val(fl, row)
            if a is True:
                return True
            b = val(fr, row)
            if b is True:
                return True
            return None if a is None or b is None else False
    return "boolean", f


def _coerce_literal(node, t_node, t_other):
    """Implicit casting of a string literal compared with a date ("Implicit casting",
    https://www.elastic.co/docs/reference/query-languages/esql/esql-implicit-casting)."""
    if isinstance(node, S.Lit) and t_node in STRING and t_other == "date":
        try:
            ms = parse_iso(node.value)
        except EvalWarning as w:
            raise QueryError(f"cannot convert string [{node.value}] to [DATETIME]: {w}") from None
        return "date", (lambda row: ms)
    return None


_OPS = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def _compare(e, cx):
    # operators page, "Binary operators": comparisons of a null are null (esql-null-values)
    tl, fl = compile_expr(e.left, cx)
    tr, fr = compile_expr(e.right, cx)
    c = _coerce_literal(e.left, tl, tr)
    if c:
        tl, fl = c
    c = _coerce_literal(e.right, tr, tl)
    if c:
        tr, fr = c
    if "null" in (tl, tr):
        return "boolean", (lambda row: None)
    try:
        comparable(None, tl, None, tr)
    except Unsupported:
        raise QueryError(f"[{e.text}]: cannot compare [{tl}] with [{tr}]") from None
    op = _OPS[e.op]

    def f(row):
        a, b = single(fl(row)), single(fr(row))
        if a is None or b is None:
            return None
        a, b = comparable(a, tl, b, tr)
        return op(a, b)
    return "boolean", _guard(cx, e.text, f)


def _arith(e, cx):
    # operators page, "Binary operators": + - * / %; integer division rounds towards 0; a date
    # plus/minus a time span ("Use time spans in ES|QL")
    tl, fl = compile_expr(e.left, cx)
    tr, fr = compile_expr(e.right, cx)
    op = e.op
    if tl == "date" and tr in ("date_period", "time_duration") and op in "+-":
        sign = 1 if op == "+" else -1
        if tr == "date_period":
            g = lambda a, b: add_period(a, b, sign)
        else:
            g = lambda a, b: a + sign * b
        rt = "date"
    elif tr == "date" and tl in ("date_period", "time_duration") and op == "+":
        g = (lambda a, b: add_period(b, a, 1)) if tl == "date_period" else (lambda a, b: a + b)
        rt = "date"
    elif tl in NUMERIC and tr in NUMERIC:
        rt = "double" if "double" in (tl, tr) else ("long" if "long" in (tl, tr) else "integer")
        g = _num_op(op, rt)
    elif "null" in (tl, tr):
        return "null", (lambda row: None)
    else:
        raise QueryError(f"[{e.text}]: {op} of [{tl}] and [{tr}]")

    def f(row):
        a, b = single(fl(row)), single(fr(row))
        if a is None or b is None:
            return None
        return g(a, b)
    return rt, _guard(cx, e.text, f)


def _num_op(op, rt):
    def check(v):
        if rt == "integer" and not -2**31 <= v < 2**31 or rt == "long" and not -2**63 <= v < 2**63:
            raise EvalWarning(f"{rt} overflow")
        return v

    if op == "+":
        return lambda a, b: check(a + b)
    if op == "-":
        return lambda a, b: check(a - b)
    if op == "*":
        return lambda a, b: check(a * b)
    if op == "/":
        def div(a, b):
            if b == 0:
                raise EvalWarning("/ by zero")
            if rt == "double":
                return a / b
            q = abs(a) // abs(b)
            return q if (a >= 0) == (b >= 0) else -q
        return div
    if op == "%":
        def mod(a, b):
            if b == 0:
                raise EvalWarning("/ by zero")
            if rt == "double":
                import math
                return math.fmod(a, b)
            r = abs(a) % abs(b)
            return r if a >= 0 else -r
        return mod
    raise Unsupported(f"operator {op}")


def _in(e, cx):
    # operators page, "IN": true if the value equals any item; null semantics as SQL's
    t, f = compile_expr(e.expr, cx)
    items = []
    for it in e.items:
        ti, fi = compile_expr(it, cx)
        c = _coerce_literal(it, ti, t)
        if c:
            ti, fi = c
        if ti != "null":
            try:
                comparable(None, t, None, ti)
            except Unsupported:
                raise QueryError(f"[{e.text}]: IN of [{t}] with [{ti}]") from None
        items.append((ti, fi))
    neg = e.negated

    def g(row):
        v = single(f(row))
        if v is None:
            return None
        saw_null = False
        for ti, fi in items:
            x = single(fi(row))
            if x is None:
                saw_null = True
                continue
            a, b = comparable(v, t, x, ti)
            if a == b:
                return not neg
        return None if saw_null else neg
    return "boolean", _guard(cx, e.text, g)


def _like(e, cx):
    t, f = compile_expr(e.expr, cx)
    if t not in STRING and t != "null":
        raise QueryError(f"[{e.text}]: {'RLIKE' if e.rlike else 'LIKE'} of [{t}]")
    try:
        rx = [re.compile(lucene_to_re(p) if e.rlike else like_to_re(p), re.DOTALL) for p in e.patterns]
    except PatternError as err:
        raise QueryError(f"invalid pattern in [{e.text}]: {err}") from None
    neg = e.negated

    def g(row):
        v = single(f(row))
        if v is None:
            return None
        hit = any(r.fullmatch(v) for r in rx)
        return (not hit) if neg else hit
    return "boolean", _guard(cx, e.text, g)


# ---------------------------------------------------------------------------------------------
# Scalar functions (FUNCTIONS + page): each takes the Call node and the context
# ---------------------------------------------------------------------------------------------

SCALAR = {}
AGGREGATES = {"COUNT", "COUNT_DISTINCT", "MIN", "MAX", "SUM", "AVG", "VALUES", "MEDIAN", "TOP", "PERCENTILE",
              "STD_DEV", "WEIGHTED_AVG", "FIRST", "LAST", "SAMPLE", "MEDIAN_ABSOLUTE_DEVIATION"}


def scalar(*names):
    def deco(fn):
        for n in names:
            SCALAR[n] = fn
        return fn
    return deco


def _args(e, cx, n=None, lo=None, hi=None):
    if n is not None and len(e.args) != n or lo is not None and len(e.args) < lo or hi is not None and len(e.args) > hi:
        raise QueryError(f"wrong number of arguments to {e.name}")
    return [compile_expr(a, cx) for a in e.args]


def _strict(cx, e, rt, fs, body, allow_mv=False):
    """A function null on any null argument; single-valued arguments unless allow_mv."""
    def f(row):
        vals = [fn(row) for fn in fs]
        if not allow_mv:
            vals = [single(v) for v in vals]
        if any(v is None for v in vals):
            return None
        return body(*vals)
    return rt, _guard(cx, e.text, f)


def _need(e, t, allowed, i=0):
    if t not in allowed and t != "null":
        raise QueryError(f"argument {i + 1} of [{e.text}] must be {allowed}, found [{t}]")


@scalar("SHA256", "MD5")
def _digest(e, cx):
    # string-functions/sha256, md5: "Computes the SHA256 (MD5) hash of the input" (keyword or
    # text, result keyword), shown as lower-case hex: SHA256("Connected to 10.1.0.1") is
    # 6d8372129ad78770f7185554dd39864749a62690216460752d6c075fa38ad85c. A null input is null.
    import hashlib
    (t, f), = _args(e, cx, 1)
    _need(e, t, STRING)
    h = hashlib.sha256 if e.name == "SHA256" else hashlib.md5
    return _strict(cx, e, "keyword", [f], lambda s: h(s.encode("utf-8")).hexdigest())


@scalar("REVERSE")
def _reverse(e, cx):
    # string-functions/reverse: "Returns a new string representing the input string in reverse
    # order"; "It keeps unicode grapheme clusters together during reversal" (null -> null).
    # Grapheme clusters are not modelled: a non-ASCII text is not executed.
    (t, f), = _args(e, cx, 1)
    _need(e, t, STRING)

    def body(s):
        if not s.isascii():
            raise Unsupported("REVERSE of a non-ASCII text (grapheme clusters)")
        return s[::-1]
    return _strict(cx, e, "keyword", [f], body)


@scalar("TO_LOWER", "TO_UPPER")
def _case(e, cx):
    # string-functions: TO_LOWER / TO_UPPER "Returns a new string ... converted to lower/upper case"
    # (Java's String.toLowerCase/UpperCase with the root locale: full Unicode case mapping)
    (t, f), = _args(e, cx, 1)
    _need(e, t, STRING)
    up = e.name == "TO_UPPER"
    return "keyword", _strict(cx, e, "keyword", [f], (lambda s: s.upper()) if up else (lambda s: s.lower()))[1]


@scalar("COALESCE")
def _coalesce(e, cx):
    # conditional-functions-and-expressions/coalesce: "Returns the first of its arguments that is
    # not null. If all arguments are null, it returns null." (a multivalue is not null)
    cs = _args(e, cx, lo=1)
    types = {t for t, _ in cs if t != "null"}
    if len(types - set(STRING)) > 0 and len(types) > 1 and not types <= set(NUMERIC):
        raise QueryError(f"[{e.text}]: arguments of different types {sorted(types)}")
    rt = _common(types)

    def f(row):
        for _, fn in cs:
            v = fn(row)
            if v is not None:
                return v
        return None
    return rt, f


def _common(types):
    if not types:
        return "null"
    if types <= set(STRING):
        return "keyword"
    if types <= set(NUMERIC):
        return "double" if "double" in types else ("long" if "long" in types else "integer")
    return next(iter(types))


@scalar("CASE")
def _casefn(e, cx):
    # conditional-functions-and-expressions/case: condition/value pairs, evaluated in order; the
    # first true condition's value; else the trailing default or null. A null (or multivalued)
    # condition is not true.
    cs = _args(e, cx, lo=2)
    pairs = [(cs[i], cs[i + 1]) for i in range(0, len(cs) - 1, 2)]
    default = cs[-1] if len(cs) % 2 == 1 else None
    for (tc, _), _v in pairs:
        _need_bool(tc, e)
    rt = _common({t for _, (t, _) in pairs} | ({default[0]} if default else set()) - {"null"})

    def f(row):
        for (_, fc), (_, fv) in pairs:
            c = fc(row)
            if isinstance(c, list):
                cx.warn(e.text, "single-value function encountered multi-value")
                c = None
            if c is True:
                return fv(row)
        return default[1](row) if default else None
    return rt, f


@scalar("CONCAT")
def _concat(e, cx):
    # string-functions/concat: "Concatenates two or more strings." null if any argument is null
    cs = _args(e, cx, lo=2)
    for i, (t, _) in enumerate(cs):
        _need(e, t, STRING, i)
    return _strict(cx, e, "keyword", [f for _, f in cs], lambda *v: "".join(v))


@scalar("STARTS_WITH", "ENDS_WITH")
def _starts(e, cx):
    # string-functions/starts_with, ends_with: boolean whether the string starts/ends with the prefix/suffix
    (t1, f1), (t2, f2) = _args(e, cx, 2)
    _need(e, t1, STRING)
    _need(e, t2, STRING, 1)
    body = (lambda s, p: s.startswith(p)) if e.name == "STARTS_WITH" else (lambda s, p: s.endswith(p))
    return _strict(cx, e, "boolean", [f1, f2], body)


@scalar("LENGTH")
def _length(e, cx):
    # string-functions/length: "Returns the character length of a string." (code points)
    (t, f), = _args(e, cx, 1)
    _need(e, t, STRING)
    return _strict(cx, e, "integer", [f], len)


@scalar("BYTE_LENGTH")
def _byte_length(e, cx):
    (t, f), = _args(e, cx, 1)
    _need(e, t, STRING)
    return _strict(cx, e, "integer", [f], lambda s: len(s.encode("utf-8")))


@scalar("LOCATE")
def _locate(e, cx):
    # string-functions/locate: "Returns an integer that indicates the position of a keyword
    # substring within another string. Returns 0 if the substring cannot be found. Note that
    # string positions start from 1." Optional start position (1-based).
    cs = _args(e, cx, lo=2, hi=3)
    _need(e, cs[0][0], STRING)
    _need(e, cs[1][0], STRING, 1)

    def body(s, sub, start=1):
        i = s.find(sub, max(start - 1, 0))
        return i + 1
    return _strict(cx, e, "integer", [f for _, f in cs], body)


@scalar("SUBSTRING")
def _substring(e, cx):
    # string-functions/substring: "Returns a substring of a string, specified by a start position
    # and an optional length." Positions from 1; a negative start counts from the end.
    cs = _args(e, cx, lo=2, hi=3)
    _need(e, cs[0][0], STRING)

    def body(s, start, length=None):
        n = len(s)
        if start < 0:
            start = max(n + start + 1, 1)
        elif start == 0:
            start = 1
        i = start - 1
        if i >= n:
            return ""
        if length is None:
            return s[i:]
        if length < 0:
            raise EvalWarning("Length parameter cannot be negative")
        return s[i:i + length]
    return _strict(cx, e, "keyword", [f for _, f in cs], body)


@scalar("LEFT", "RIGHT")
def _leftright(e, cx):
    (t, f), (tn, fn) = _args(e, cx, 2)
    _need(e, t, STRING)
    left = e.name == "LEFT"
    return _strict(cx, e, "keyword", [f, fn], lambda s, n: (s[:max(n, 0)] if left else (s[-n:] if n > 0 else "")))


@scalar("TRIM", "LTRIM", "RTRIM")
def _trim(e, cx):
    # string-functions/trim: removes leading and trailing whitespaces
    (t, f), = _args(e, cx, 1)
    _need(e, t, STRING)
    m = {"TRIM": str.strip, "LTRIM": str.lstrip, "RTRIM": str.rstrip}[e.name]
    return _strict(cx, e, "keyword", [f], lambda s: m(s, " \t\n\r\f\v"))


@scalar("REPLACE")
def _replace(e, cx):
    # string-functions/replace: every match of the (Java) regex replaced (java_regex.py)
    (t1, f1), (t2, f2), (t3, f3) = _args(e, cx, 3)
    _need(e, t1, STRING)
    cache = {}

    def body(s, rx, rep):
        key = (rx, rep)
        if key not in cache:
            try:
                cache[key] = (re.compile(java_to_re(rx)), java_replacement(rep))
            except re.error as err:
                raise EvalWarning(f"invalid regex [{rx}]: {err}") from None
        pat, tmpl = cache[key]
        return pat.sub(tmpl, s)
    return _strict(cx, e, "keyword", [f1, f2, f3], body)


@scalar("SPLIT")
def _split(e, cx):
    # string-functions/split: "Split a single valued string into multiple strings."
    (t1, f1), (t2, f2) = _args(e, cx, 2)
    _need(e, t1, STRING)
    return _strict(cx, e, "keyword", [f1, f2], lambda s, d: norm_mv(s.split(d)) if d else _unsupported("SPLIT with an empty delimiter"))


@scalar("FROM_BASE64")
def _from_b64(e, cx):
    (t, f), = _args(e, cx, 1)

    def body(s):
        try:
            return base64.b64decode(s, validate=False).decode("utf-8", errors="replace")
        except Exception as err:  # noqa: BLE001
            raise EvalWarning(str(err)) from None
    return _strict(cx, e, "keyword", [f], body)


@scalar("JSON_EXTRACT")
def _json_extract(e, cx):
    # string-functions/json_extract: a value from JSON text by a JSONPath subset (dot and
    # bracket notation, optional `$`); strings without quotes, numbers and booleans as text,
    # objects/arrays as JSON; null for a JSON null; null + warning for invalid JSON, a missing
    # path or an index out of bounds.
    (t1, f1), (t2, f2) = _args(e, cx, 2)
    _need(e, t1, STRING)
    _need(e, t2, STRING, 1)

    def body(text, path):
        try:
            doc = json.loads(text)
        except ValueError:
            raise EvalWarning("invalid JSON input") from None
        v = doc
        for step in _json_path(path):
            if isinstance(step, int):
                if not isinstance(v, list) or not 0 <= step < len(v):
                    raise EvalWarning(f"path [{path}] does not exist")
                v = v[step]
            else:
                if not isinstance(v, dict) or step not in v:
                    raise EvalWarning(f"path [{path}] does not exist")
                v = v[step]
        if v is None:
            return None
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (dict, list)):
            # "objects or arrays as JSON strings": compact, as the page's example shows
            return json.dumps(v, separators=(",", ":"), ensure_ascii=False)
        if isinstance(v, float):
            raise Unsupported("JSON_EXTRACT of a JSON real number (its spelling is not documented)")
        return str(v)
    return _strict(cx, e, "keyword", [f1, f2], body)


def _json_path(path: str):
    p = path.strip()
    if p.startswith("$"):
        p = p[1:]
    steps = []
    i = 0
    while i < len(p):
        if p[i] == ".":
            i += 1
            j = i
            while j < len(p) and p[j] not in ".[":
                j += 1
            if j == i:
                raise EvalWarning(f"malformed path [{path}]")
            steps.append(p[i:j])
            i = j
        elif p[i] == "[":
            j = p.index("]", i)
            inner = p[i + 1:j].strip()
            if inner[:1] in ("'", '"'):
                steps.append(inner[1:-1])
            elif inner.isdigit():
                steps.append(int(inner))
            else:
                raise EvalWarning(f"malformed path [{path}]")
            i = j + 1
        else:
            j = i
            while j < len(p) and p[j] not in ".[":
                j += 1
            steps.append(p[i:j])
            i = j
    return steps


@scalar("CIDR_MATCH")
def _cidr(e, cx):
    # ip-functions/cidr_match: "Returns true if the provided IP is contained in one of the
    # provided CIDR blocks." The first argument must be an ip.
    cs = _args(e, cx, lo=2)
    _need(e, cs[0][0], ("ip",))

    def body(ip, *blocks):
        for b in blocks:
            for bb in as_list(b):
                try:
                    net = ipaddress.ip_network(bb, strict=False)
                except ValueError:
                    raise EvalWarning(f"invalid CIDR [{bb}]") from None
                if ip.version == net.version and ip in net:
                    return True
        return False

    fs = [f for _, f in cs]

    def f(row):
        ip = single(fs[0](row))
        if ip is None:
            return None
        blocks = [g(row) for g in fs[1:]]
        if any(b is None for b in blocks):
            return None
        return body(ip, *blocks)
    return "boolean", _guard(cx, e.text, f)


@scalar("NOW")
def _now(e, cx):
    # date-time-functions/now: the current date and time (one value for the whole query)
    _args(e, cx, 0)
    now = cx.now_ms
    return "date", (lambda row: now)


@scalar("DATE_TRUNC")
def _date_trunc(e, cx):
    # date-time-functions/date_trunc: "Rounds down a date to the closest interval since epoch,
    # which starts at 0001-01-01T00:00:00Z." A time_duration rounds down to a multiple of it; a
    # date_period rounds to calendar units (weeks start on Monday).
    (ti, fi), (td, fd) = _args(e, cx, 2)
    if ti not in ("time_duration", "date_period"):
        raise QueryError(f"first argument of [{e.text}] must be a time span")
    _need(e, td, ("date",), 1)
    interval = fi(None)
    if ti == "time_duration":
        span = interval
        # 0001-01-01T00:00:00Z in epoch milliseconds
        origin = -62135596800000
        body = lambda d: d - ((d - origin) % span)
    else:
        months, days = interval
        if months == 0 and days == 1:
            body = lambda d: d - (d % 86_400_000)
        elif months == 0 and days == 7:
            def body(d):
                t = to_datetime_obj(d)
                day0 = t.replace(hour=0, minute=0, second=0, microsecond=0)
                import datetime as dt
                return from_datetime_obj(day0 - dt.timedelta(days=day0.weekday()))
        elif days == 0 and months in (1, 3, 12):
            def body(d):
                t = to_datetime_obj(d)
                m = (t.month - 1) // months * months + 1 if months < 12 else 1
                return from_datetime_obj(t.replace(month=m, day=1, hour=0, minute=0, second=0, microsecond=0))
        else:
            raise Unsupported(f"DATE_TRUNC by {e.args[0].text}")
    return _strict(cx, e, "date", [fd], body)


_EXTRACT = {"year": lambda t: t.year, "month_of_year": lambda t: t.month, "day_of_month": lambda t: t.day,
            "hour_of_day": lambda t: t.hour, "minute_of_hour": lambda t: t.minute,
            "second_of_minute": lambda t: t.second, "day_of_week": lambda t: t.isoweekday(),
            "day_of_year": lambda t: t.timetuple().tm_yday}


@scalar("DATE_FORMAT")
def _date_format(e, cx):
    # date-time-functions/date_format: DATE_FORMAT([dateFormat,] date): "Returns a string
    # representation of a date, in the provided format" (default yyyy-MM-dd'T'HH:mm:ss.SSSZ);
    # the example DATE_FORMAT("yyyy-MM-dd", hire_date) of 1991-06-26T00:00:00.000Z is
    # 1991-06-26 (UTC). The pattern is Java's DateTimeFormatter; modelled: d dd M MM yy yyyy
    # H HH m mm s ss S SS SSS and the characters " /-:,._" as themselves; anything else is
    # not executed.
    cs = _args(e, cx, lo=1, hi=2)
    if len(cs) != 2:
        raise Unsupported("DATE_FORMAT without a format")
    (tp, fp), (td, fd) = cs
    _need(e, td, ("date",), 1)

    def body(pattern, d):
        t = to_datetime_obj(d)
        out, i = [], 0
        while i < len(pattern):
            c = pattern[i]
            n = len(pattern[i:]) - len(pattern[i:].lstrip(c))
            run = pattern[i:i + n]
            if c in " /-:,._":
                out.append(run)
            elif run in ("d", "dd"):
                out.append(f"{t.day:0{n}d}")
            elif run in ("M", "MM"):
                out.append(f"{t.month:0{n}d}")
            elif run == "yy":
                out.append(f"{t.year % 100:02d}")
            elif run == "yyyy":
                out.append(f"{t.year:04d}")
            elif run in ("H", "HH"):
                out.append(f"{t.hour:0{n}d}")
            elif run in ("m", "mm"):
                out.append(f"{t.minute:0{n}d}")
            elif run in ("s", "ss"):
                out.append(f"{t.second:0{n}d}")
            elif run in ("S", "SS", "SSS"):
                out.append(f"{t.microsecond // 1000:03d}"[:n])
            else:
                raise Unsupported(f"DATE_FORMAT pattern element {run!r}")
            i += n
        return "".join(out)
    return _strict(cx, e, "keyword", [fp, fd], body)


@scalar("DATE_EXTRACT")
def _date_extract(e, cx):
    # date-time-functions/date_extract: a part of a date (java.time ChronoField names; day_of_week
    # is ISO: Monday = 1 ... Sunday = 7)
    (tp, fp), (td, fd) = _args(e, cx, 2)

    def body(part, d):
        g = _EXTRACT.get(part.lower())
        if g is None:
            raise Unsupported(f"DATE_EXTRACT part {part}")
        return g(to_datetime_obj(d))
    return _strict(cx, e, "long", [fp, fd], body)


@scalar("MV_COUNT")
def _mv_count(e, cx):
    # mv-functions/mv_count: the number of values
    (t, f), = _args(e, cx, 1)
    return "integer", (lambda row: None if (v := f(row)) is None else len(as_list(v)))


def _order_caveat(cx, e, v):
    if isinstance(v, StoredList) and len(set(map(repr, v))) > 1:
        c = (f"{e.name} of a stored multivalue: \"The order that multivalued fields are read from underlying "
             f"storage is not guaranteed\" (mv-functions/{e.name.lower()}), so its result is not defined")
        if c not in cx.caveats:
            cx.caveats.append(c)


@scalar("MV_FIRST", "MV_LAST")
def _mv_first(e, cx):
    # mv-functions/mv_first, mv_last: the first / last value (storage order is not guaranteed)
    (t, f), = _args(e, cx, 1)
    first = e.name == "MV_FIRST"

    def g(row):
        v = f(row)
        if v is None:
            return None
        _order_caveat(cx, e, v)
        vs = as_list(v)
        return vs[0] if first else vs[-1]
    return t, g


@scalar("MV_SLICE")
def _mv_slice(e, cx):
    # mv-functions/mv_slice: values from start to end (inclusive) positions, negatives from the end
    cs = _args(e, cx, lo=2, hi=3)
    t, f = cs[0]

    def g(row):
        v = f(row)
        if v is None:
            return None
        _order_caveat(cx, e, v)
        vs = as_list(v)
        s = single(cs[1][1](row))
        en = single(cs[2][1](row)) if len(cs) > 2 else s
        if s is None or en is None:
            return None
        n = len(vs)
        s = s + n if s < 0 else s
        en = en + n if en < 0 else en
        return norm_mv(vs[max(s, 0):en + 1])
    return t, _guard(cx, e.text, g)


@scalar("MV_MIN", "MV_MAX")
def _mv_minmax(e, cx):
    (t, f), = _args(e, cx, 1)
    m = min if e.name == "MV_MIN" else max
    return t, (lambda row: None if (v := f(row)) is None else m(as_list(v)))


@scalar("MV_DEDUPE")
def _mv_dedupe(e, cx):
    (t, f), = _args(e, cx, 1)

    def g(row):
        out = []
        for x in as_list(f(row)):
            if x not in out:
                out.append(x)
        return norm_mv(out)
    return t, g


@scalar("MV_CONCAT")
def _mv_concat(e, cx):
    # mv-functions/mv_concat: values joined by a delimiter (in the value's order)
    (t, f), (td, fd) = _args(e, cx, 2)
    _need(e, t, STRING)

    def g(row):
        v, d = f(row), single(fd(row))
        if v is None or d is None:
            return None
        if isinstance(v, list):
            _order_caveat(cx, e, v)
        return d.join(as_list(v))
    return "keyword", _guard(cx, e.text, g)


@scalar("MV_SORT")
def _mv_sort(e, cx):
    cs = _args(e, cx, lo=1, hi=2)
    t, f = cs[0]

    def g(row):
        v = f(row)
        if v is None:
            return None
        desc = len(cs) > 1 and str(single(cs[1][1](row))).upper() == "DESC"
        return norm_mv(sorted(as_list(v), reverse=desc))
    return t, _guard(cx, e.text, g)


@scalar("GREATEST", "LEAST")
def _greatest(e, cx):
    cs = _args(e, cx, lo=1)
    m = max if e.name == "GREATEST" else min
    rt = _common({t for t, _ in cs} - {"null"})
    return _strict(cx, e, rt, [f for _, f in cs], lambda *v: m(v))


@scalar("ABS")
def _abs(e, cx):
    (t, f), = _args(e, cx, 1)
    _need(e, t, NUMERIC)
    return _strict(cx, e, t, [f], abs)


@scalar("SQRT")
def _sqrt(e, cx):
    # math-functions/sqrt: "Returns the square root of a number. The input can be any numeric
    # value, the return value is always a double. Square roots of negative numbers and
    # infinities are null."
    (t, f), = _args(e, cx, 1)
    _need(e, t, NUMERIC)

    def body(x):
        if x < 0 or math.isinf(x):
            return None
        return math.sqrt(x)
    return _strict(cx, e, "double", [f], body)


@scalar("LOG")
def _log(e, cx):
    # math-functions/log: LOG([base,] number): "Returns the logarithm of a value to a base. The
    # input can be any numeric value, the return value is always a double. Logs of zero,
    # negative numbers, and base of one return null as well as a warning." Without a base, the
    # natural logarithm. Examples: LOG(2.0, 8.0) -> 3.0; LOG(100) -> 4.605170185988092.
    cs = _args(e, cx, lo=1, hi=2)
    for i, (t, _) in enumerate(cs):
        _need(e, t, NUMERIC, i)

    def body(*v):
        base, x = (v[0], v[1]) if len(v) == 2 else (math.e, v[0])
        if x <= 0 or base <= 0 or base == 1:
            cx.warn(e.text, "log of zero, a negative number or base one")
            return None
        return math.log(x) / math.log(base) if len(v) == 2 else math.log(x)
    return _strict(cx, e, "double", [f for _, f in cs], body)


@scalar("ROUND")
def _round(e, cx):
    cs = _args(e, cx, lo=1, hi=2)
    t = cs[0][0]
    _need(e, t, NUMERIC)

    def body(x, d=0):
        import decimal
        q = decimal.Decimal(repr(x)).quantize(decimal.Decimal(1).scaleb(-d), rounding=decimal.ROUND_HALF_UP)
        return float(q) if t == "double" else int(q)
    return _strict(cx, e, t, [f for _, f in cs], body)


# -- type conversion functions (type-conversion-functions): element-wise on multivalues ("It
# also works fine on multivalued fields", TO_STRING example); an unconvertible value is null with
# a warning.

def _convert(target, args, cx, text):
    if len(args) != 1:
        raise QueryError(f"wrong number of arguments to [{text}]")
    t, f = compile_expr(args[0], cx)
    conv = _CONVERTERS[target](t)

    def g(row):
        v = f(row)
        if v is None:
            return None
        out = []
        for x in as_list(v):
            try:
                out.append(conv(x))
            except EvalWarning as w:
                cx.warn(text, str(w))
        return norm_mv(out)
    return target, g


def _to_keyword_conv(t):
    return lambda v: to_keyword(v, t)


def _java_round(x, bits):
    """ES|QL's TO_LONG / TO_INTEGER of a double (esql-core DataTypeConverter.safeDoubleToLong /
    safeToInt): a range check on the double itself, then Java's Math.round — the closest integer,
    ties rounding up (toward positive infinity): 2.5 -> 3, -1.5 -> -1, -1.6 -> -2; NaN -> 0."""
    lo, hi = -2**(bits - 1), 2**(bits - 1) - 1
    if math.isnan(x):
        return 0
    if x > hi or x < lo:  # Java compares the double with the bound widened to a double
        raise EvalWarning(f"[{x}] out of [{'integer' if bits == 32 else 'long'}] range")
    f = math.floor(x)
    r = int(f) + (1 if x - f >= 0.5 else 0)  # x - floor(x) is exact for a double
    return max(lo, min(hi, r))  # Math.round saturates (2^63 as a double -> Long.MAX_VALUE)


def _to_int_conv(t, bits):
    lo, hi = -2**(bits - 1), 2**(bits - 1)

    def conv(v):
        if t in STRING:
            s = v.strip() if False else v
            try:
                x = int(s)
            except ValueError:
                # ToLong/ToInteger.fromKeyword: not an integer -> fromDouble(Double.parseDouble(s))
                try:
                    f = float(s)
                except ValueError:
                    raise EvalWarning(f"Cannot parse number [{v}]") from None
                return _java_round(f, bits)
        elif t == "boolean":
            x = int(v)
        elif t == "double":
            return _java_round(v, bits)
        elif t in ("integer", "long", "date"):
            x = v
        else:
            raise Unsupported(f"conversion of {t} to an integer type")
        if not lo <= x < hi:
            raise EvalWarning(f"[{v}] out of range")
        return x
    return conv


def _to_double_conv(t):
    def conv(v):
        if t in STRING:
            try:
                return float(v)
            except ValueError:
                raise EvalWarning(f"Cannot parse number [{v}]") from None
        if t in ("integer", "long", "double", "boolean", "date"):
            return float(v)
        raise Unsupported(f"conversion of {t} to double")
    return conv


def _to_bool_conv(t):
    def conv(v):
        if t in STRING:
            return v.lower() == "true"  # type-conversion-functions/to_boolean: "true" (any case) is true
        if t in NUMERIC:
            return v != 0
        if t == "boolean":
            return v
        raise Unsupported(f"conversion of {t} to boolean")
    return conv


def _to_date_conv(t):
    def conv(v):
        if t in STRING:
            # to_datetime: the page names yyyy-MM-dd'T'HH:mm:ss.SSS'Z'; its example rejects a
            # non-ISO "1964-06-02 00:00:00". Accepted here: ISO-8601 strict_date_optional_time,
            # the date type's documented default format (approximation, README.md).
            return parse_iso(v)
        if t in ("integer", "long"):
            return v  # epoch milliseconds
        if t == "double":
            return int(v)
        if t == "date":
            return v
        raise Unsupported(f"conversion of {t} to date")
    return conv


def _to_ip_conv(t):
    def conv(v):
        if t in STRING:
            try:
                return ipaddress.ip_address(v)
            except ValueError:
                raise EvalWarning(f"'{v}' is not an IP string literal.") from None
        if t == "ip":
            return v
        raise Unsupported(f"conversion of {t} to ip")
    return conv


_CONVERTERS = {
    "keyword": _to_keyword_conv,
    "integer": lambda t: _to_int_conv(t, 32),
    "long": lambda t: _to_int_conv(t, 64),
    "double": _to_double_conv,
    "boolean": _to_bool_conv,
    "date": _to_date_conv,
    "ip": _to_ip_conv,
}
CAST_TYPES = {"keyword": "keyword", "string": "keyword", "text": "keyword", "integer": "integer", "int": "integer",
              "long": "long", "double": "double", "boolean": "boolean", "bool": "boolean", "datetime": "date",
              "date": "date", "ip": "ip"}

for _name, _target in {"TO_STRING": "keyword", "TO_STR": "keyword", "TO_INTEGER": "integer", "TO_INT": "integer",
                       "TO_LONG": "long", "TO_DOUBLE": "double", "TO_DBL": "double", "TO_BOOLEAN": "boolean",
                       "TO_BOOL": "boolean", "TO_DATETIME": "date", "TO_DT": "date", "TO_IP": "ip"}.items():
    SCALAR[_name] = (lambda target: (lambda e, cx: _convert(target, e.args, cx, e.text)))(_target)


class StoredList(list):
    """A multivalue read from storage, whose order the documentation leaves undefined."""
