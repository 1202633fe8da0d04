r"""Evaluating where/eval expressions over one result (a dict field → value). DOCS.md keys in [].

Null model [eval][where][not-vs-neq]: a missing field is null. An operator or comparison with
a null operand gives null, and `where` keeps only results whose expression is TRUE — so
`where f!="x"` drops results without `f`, exactly as the search command's `f!=x` does
("Events that do not have a value in the field are not included"). NOT of null is null.
AND is FALSE if either side is FALSE, OR is TRUE if either side is TRUE (otherwise null
propagates). Functions that are documented to handle null (isnull, isnotnull, coalesce, if,
case, mvappend, null) do so as documented; other functions given null return null.

Regular expressions are PCRE [spl-regex], run with Python's `re` (the same everywhere, unlike
the optional `regex` module) after two rewrites: PCRE's `\z` (very end) is `re`'s `\Z`, and
PCRE's `\Z` (end or before a final newline) is `(?=\n?\Z)`. Constructs where the engines
differ are refused, not guessed: possessive quantifiers, atomic groups, \h \R \K \G \X,
\Q…\E, \x{…}, \p{…}, recursion and (?|…) raise Unsupported; so do \d \w \s \b on
non-ASCII text and (?i) with non-ASCII letters (see Pcre). `$` (end or before a final
newline) and `.` (not a newline) mean the same in both.
"""

from __future__ import annotations

import calendar
import datetime as dt
import ipaddress
import json
import math
import hashlib
import re

from .values import SplError, Unsupported, as_number, compare, equal, fmt_number, norm_mv, to_text, values_of

PCRE_ONLY = re.compile(r"\\[hHRKQEGX]|\\x\{|\(\?[>|R]|\(\?\d|[*+?}]\+|\(\?P?>|\\[pP]\{")
CLASS_ESC = re.compile(r"\\[dDwWsSbB]")


class Pcre:
    """A PCRE pattern run by Python's `re`. Where the two could differ on the text at hand, it
    refuses: \\d \\w \\s \\b (ASCII-only in PCRE without UCP, Unicode in `re`) on non-ASCII
    text, and (?i) with a non-ASCII letter in the pattern (case folding beyond ASCII)."""

    def __init__(self, pattern: str):
        if PCRE_ONLY.search(pattern):
            raise Unsupported(f"PCRE construct not modelled in regex {pattern!r}")
        self.pattern = pattern
        self.classes = CLASS_ESC.search(pattern) is not None
        if "(?i" in pattern and any(ord(c) > 127 and c.isalpha() for c in pattern):
            raise Unsupported(f"(?i) with a non-ASCII letter in regex {pattern!r} (PCRE's Unicode case folding)")
        out, i = [], 0
        while i < len(pattern):
            c = pattern[i]
            if c == "\\" and i + 1 < len(pattern):
                nxt = pattern[i + 1]
                out.append("\\Z" if nxt == "z" else "(?=\\n?\\Z)" if nxt == "Z" else c + nxt)
                i += 2
                continue
            out.append(c)
            i += 1
        try:
            self.rx = re.compile("".join(out))
        except re.error as e:
            raise Unsupported(f"regex {pattern!r} does not compile in Python ({e})")

    def check(self, s: str):
        if self.classes and not s.isascii():
            raise Unsupported(f"\\d/\\w/\\s/\\b in regex {self.pattern!r} on non-ASCII text {s!r} (PCRE UCP mode)")

    def search(self, s: str):
        self.check(s)
        return self.rx.search(s)

    def finditer(self, s: str):
        self.check(s)
        return self.rx.finditer(s)

    def sub(self, repl, s: str):
        self.check(s)
        return self.rx.sub(repl, s)


def pcre(pattern: str) -> Pcre:
    return Pcre(pattern)


class Ctx:
    """Per-search state: the search's `now()` (fixed for the whole search [eval-time])."""

    def __init__(self, now: float):
        self.now = now


def truth(v) -> bool | None:
    if v is None or isinstance(v, bool):
        return v
    raise Unsupported("a non-Boolean value used as a condition")


def is_true(v) -> bool:
    return truth(v) is True


def single(v, what: str):
    if isinstance(v, list):
        raise Unsupported(f"a multivalue field as the operand of {what}")
    return v


def evaluate(node, row: dict, ctx: Ctx):
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "field":
        return row.get(node[1])
    if kind == "not":
        v = truth(evaluate(node[1], row, ctx))
        return None if v is None else not v
    if kind == "and":
        a = truth(evaluate(node[1], row, ctx))
        if a is False:
            return False
        b = truth(evaluate(node[2], row, ctx))
        if b is False:
            return False
        return None if a is None or b is None else True
    if kind == "or":
        a = truth(evaluate(node[1], row, ctx))
        if a is True:
            return True
        b = truth(evaluate(node[2], row, ctx))
        if b is True:
            return True
        return None if a is None or b is None else False
    if kind == "xor":
        a, b = truth(evaluate(node[1], row, ctx)), truth(evaluate(node[2], row, ctx))
        return None if a is None or b is None else a != b
    if kind == "cmp":
        _, op, l, r = node
        a = single(evaluate(l, row, ctx), f"`{op}`")
        b = single(evaluate(r, row, ctx), f"`{op}`")
        if a is None or b is None:
            return None
        if isinstance(a, bool) or isinstance(b, bool):
            raise Unsupported("comparing a Boolean")
        if op == "==":
            return equal(a, b)
        if op == "!=":
            return not equal(a, b)
        c = compare(a, b)
        return {"<": c < 0, ">": c > 0, "<=": c <= 0, ">=": c >= 0}[op]
    if kind == "neg":
        v = evaluate(node[1], row, ctx)
        n = as_number(single(v, "unary -"))
        return None if n is None else -n
    if kind == "arith":
        return arith(node[1], evaluate(node[2], row, ctx), evaluate(node[3], row, ctx))
    if kind == "call":
        return call(node[1], node[2], row, ctx)
    raise Unsupported(f"expression node {kind}")


def fields_read(node) -> list:
    """The names of the fields an expression node reads."""
    if not isinstance(node, (tuple, list)) or not node:
        return []
    if node[0] == "field":
        return [node[1]]
    if node[0] == "lit":
        return []
    out = []
    for part in node[1:]:
        if isinstance(part, (tuple, list)):
            if part and isinstance(part[0], str):
                out.extend(fields_read(part))
            else:
                for p in part:
                    out.extend(fields_read(p))
    return out


def arith(op, a, b):
    """[eval-overview] "+" adds two numbers, or concatenates when a value is a string; "."
    concatenates, reading values as strings; -, *, /, % need numbers. "Division by zero
    results in a null field" [eval-usage]. Null operands give null."""
    a, b = single(a, f"`{op}`"), single(b, f"`{op}`")
    if a is None or b is None:
        return None
    if op == ".":
        return to_text(a) + to_text(b)
    na, nb = as_number(a), as_number(b)
    if op == "+" and (na is None or nb is None):
        if isinstance(a, str) and isinstance(b, str):
            return a + b
        return None
    if na is None or nb is None:
        return None
    if op == "+":
        return na + nb
    if op == "-":
        return na - nb
    if op == "*":
        return na * nb
    if op == "/":
        if nb == 0:
            return None
        r = na / nb
        return int(r) if isinstance(na, int) and isinstance(nb, int) and r.is_integer() else r
    if op == "%":
        if nb == 0:
            return None
        return math.fmod(na, nb) if isinstance(na, float) or isinstance(nb, float) else int(math.fmod(na, nb))
    raise Unsupported(f"operator {op}")


# ---------------------------------------------------------------------------------------------
# functions
# ---------------------------------------------------------------------------------------------

def like_re(pattern: str):
    """like(): "%" matches any characters, "_" one character; the whole value [eval-conditional]."""
    out = []
    for c in pattern:
        out.append(".*" if c == "%" else "." if c == "_" else re.escape(c))
    return re.compile("".join(out), re.S)


def call(name: str, args: list, row: dict, ctx: Ctx):
    ev = lambda n: evaluate(n, row, ctx)  # noqa: E731

    def arity(lo, hi=None):
        hi = lo if hi is None else hi
        if not (lo <= len(args) <= hi):
            raise SplError(f"{name}() takes {lo}..{hi} arguments, got {len(args)}")

    # -- comparison and conditional [eval-conditional] --
    if name == "true":
        arity(0)
        return True
    if name == "false":
        arity(0)
        return False
    if name == "null":
        arity(0)
        return None
    if name == "if":
        arity(3)
        return ev(args[1]) if is_true(ev(args[0])) else ev(args[2])
    if name == "case":
        if len(args) % 2:
            raise SplError("case() takes condition/value pairs")
        for k in range(0, len(args), 2):
            if is_true(ev(args[k])):
                return ev(args[k + 1])
        return None  # "The function defaults to NULL if none of the <condition> arguments are true"
    if name == "coalesce":
        for a in args:
            v = ev(a)
            if v is not None:
                return v
        return None
    if name == "nullif":
        arity(2)
        a, b = ev(args[0]), ev(args[1])
        return None if a is not None and b is not None and equal(single(a, "nullif"), single(b, "nullif")) else a
    if name == "in":
        if len(args) < 2:
            raise SplError("in() needs a value and a list")
        v = single(ev(args[0]), "in()")
        if v is None:
            return None
        return any(x is not None and equal(v, x) for x in (single(ev(a), "in()") for a in args[1:]))
    if name == "like":
        arity(2)
        s, p = single(ev(args[0]), "like()"), ev(args[1])
        if s is None or p is None:
            return None
        return like_re(to_text(p)).fullmatch(to_text(s)) is not None
    if name == "match":
        arity(2)
        s, p = single(ev(args[0]), "match()"), ev(args[1])
        if s is None or p is None:
            return None
        # "Returns TRUE if the regular expression finds a match against any substring"
        return pcre(to_text(p)).search(to_text(s)) is not None
    if name == "cidrmatch":
        arity(2)
        c, ip = ev(args[0]), single(ev(args[1]), "cidrmatch()")
        if c is None or ip is None:
            return None
        try:
            net = ipaddress.ip_network(to_text(c), strict=False)
            return ipaddress.ip_address(to_text(ip)) in net
        except ValueError:
            return False
    if name == "searchmatch":
        raise Unsupported("searchmatch()")

    # -- informational [eval-informational] --
    if name == "isnull":
        arity(1)
        return ev(args[0]) is None
    if name == "isnotnull":
        arity(1)
        return ev(args[0]) is not None
    if name in ("isnum", "isint", "isstr"):
        arity(1)
        v = ev(args[0])
        if name == "isstr":
            return isinstance(v, str) and as_number(v) is None
        n = as_number(v)
        return n is not None and (name == "isnum" or float(n).is_integer())

    # -- conversion [eval-conversion] --
    if name == "tonumber":
        arity(1, 2)
        v = single(ev(args[0]), "tonumber()")
        if v is None:
            return None
        if len(args) == 2:
            base = as_number(ev(args[1]))
            try:
                return int(to_text(v).strip(), int(base))
            except (ValueError, TypeError):
                return None
        return as_number(v)
    if name == "tostring":
        arity(1, 2)
        if len(args) == 2:
            raise Unsupported("tostring() with a format argument")
        v = ev(args[0])
        if v is None:
            return None
        if isinstance(v, bool):
            return "True" if v else "False"
        if isinstance(v, list):
            return [to_text(x) for x in v]
        return to_text(v)

    # -- text [eval-text] --
    if name in ("lower", "upper"):
        arity(1)
        v = ev(args[0])
        if v is None:
            return None
        f = (lambda s: to_text(s).lower()) if name == "lower" else (lambda s: to_text(s).upper())
        return [f(x) for x in v] if isinstance(v, list) else f(v)
    # -- cryptographic [eval-crypto]: md5(<str>) "computes the md5 hash for the string value";
    # the digest is written as 32 hex digits (lowercase here: the page does not say, and the
    # emitted SPL only compares two digests made the same way, case-insensitively).
    # sha256(<str>) likewise (Splunk's cryptographic functions page lists md5, sha1, sha256,
    # sha512; md5("Hello World") is shown as b10a8db164e0754105b7a99be72e3fe5, lower case).
    if name in ("md5", "sha256"):
        arity(1)
        v = ev(args[0])
        if v is None:
            return None
        if isinstance(v, list):
            raise Unsupported(f"{name}() of a multivalue field")
        h = hashlib.md5 if name == "md5" else hashlib.sha256
        return h(to_text(v).encode("utf-8")).hexdigest()
    if name == "len":
        arity(1)
        v = single(ev(args[0]), "len()")
        return None if v is None else len(to_text(v))
    if name in ("trim", "ltrim", "rtrim"):
        arity(1, 2)
        v = single(ev(args[0]), f"{name}()")
        chars = to_text(ev(args[1])) if len(args) == 2 else " \t"
        if v is None:
            return None
        s = to_text(v)
        return s.strip(chars) if name == "trim" else s.lstrip(chars) if name == "ltrim" else s.rstrip(chars)
    if name == "substr":
        arity(2, 3)
        v = single(ev(args[0]), "substr()")
        if v is None:
            return None
        s = to_text(v)
        start = as_number(ev(args[1]))
        if start is None:
            return None
        start = int(start)
        # 1-based; a negative start counts from the end [eval-text]
        i = start - 1 if start > 0 else max(len(s) + start, 0) if start < 0 else 0
        if len(args) == 3:
            ln = as_number(ev(args[2]))
            if ln is None:
                return None
            return s[i:i + int(ln)]
        return s[i:]
    if name == "replace":
        arity(3)
        v, p, r = single(ev(args[0]), "replace()"), ev(args[1]), ev(args[2])
        if v is None or p is None or r is None:
            return None
        rep = to_text(r)
        if re.search(r"\\[^\d\\]|\$", rep):
            raise Unsupported(f"replace() replacement {rep!r} beyond \\N back-references")
        return pcre(to_text(p)).sub(lambda m: re.sub(r"\\(\d)", lambda g: m.group(int(g.group(1))) or "", rep).replace("\\\\", "\\"),
                                    to_text(v))
    if name == "urldecode":
        raise Unsupported("urldecode()")

    # -- multivalue [mv-eval] --
    if name == "split":
        arity(2)
        v, d = single(ev(args[0]), "split()"), ev(args[1])
        if v is None or d is None:
            return None
        s, sep = to_text(v), to_text(d)
        parts = list(s) if sep == "" else s.split(sep)
        return norm_mv(parts)
    if name == "mvcount":
        arity(1)
        v = ev(args[0])
        return None if v is None else len(values_of(v))
    if name == "mvindex":
        arity(2, 3)
        vals = values_of(ev(args[0]))
        if not vals:
            return None
        st = as_number(ev(args[1]))
        if st is None:
            return None
        n = len(vals)
        st = int(st) + n if int(st) < 0 else int(st)
        if len(args) == 2:
            return vals[st] if 0 <= st < n else None
        en = as_number(ev(args[2]))
        if en is None:
            return None
        en = int(en) + n if int(en) < 0 else int(en)
        if st < 0 or st >= n or en < st:
            return None
        return norm_mv(vals[st:min(en, n - 1) + 1])
    if name == "mvrange":
        # [mv-eval] mvrange(X,Y[,Z]): "a multivalue field based on a range of specified numbers"
        # from X up to but not including Y, in steps of Z (default 1); its example:
        # mvrange(1,11,2) is 1,3,5,7,9. A range with no number in it is not documented.
        arity(2, 3)
        nums = [as_number(ev(a)) for a in args]
        if any(n is None for n in nums):
            return None
        start, end = nums[0], nums[1]
        step = nums[2] if len(nums) == 3 else 1
        if step <= 0 or start >= end:
            raise Unsupported(f"mvrange({start}, {end}, {step}) holds no number (not documented)")
        out, x = [], start
        while x < end:
            out.append(int(x) if float(x).is_integer() else x)
            x += step
        return norm_mv(out)
    if name == "mvjoin":
        arity(2)
        v, d = ev(args[0]), ev(args[1])
        if v is None or d is None:
            return None
        return to_text(d).join(to_text(x) for x in values_of(v))
    if name == "mvappend":
        out = []
        for a in args:
            out.extend(values_of(ev(a)))
        return norm_mv(out)
    if name == "mvdedup":
        arity(1)
        seen, out = set(), []
        for x in values_of(ev(args[0])):
            k = to_text(x)
            if k not in seen:
                seen.add(k)
                out.append(x)
        return norm_mv(out)
    if name == "mvsort":
        arity(1)
        # "The values are sorted lexicographically" [mv-eval]
        return norm_mv(sorted(values_of(ev(args[0])), key=lambda x: to_text(x).encode("utf-8")))
    if name == "mvmap":
        # [mv-eval] mvmap(<mv>,<expression>): iterates over the values of the multivalue field
        # <mv>, the expression reading each value under the field's name, and returns the
        # results as a multivalue. A result that is null or itself a multivalue is not
        # described: not executed.
        arity(2)
        if args[0][0] != "field":
            raise Unsupported("mvmap() of an expression (the page maps a field)")
        fname, out = args[0][1], []
        for x in values_of(ev(args[0])):
            r = evaluate(args[1], {**row, fname: x}, ctx)
            if r is None or isinstance(r, list):
                raise Unsupported("mvmap() giving null or a multivalue for a value (not documented)")
            out.append(r)
        return norm_mv(out)
    if name == "mvfilter":
        # [mv-eval] mvfilter(<predicate>): the values of the one field the predicate reads
        # ("can reference ONLY ONE field at a time") for which it is TRUE, in order; none
        # left is null, as every empty multivalue.
        arity(1)
        fields = set(fields_read(args[0]))
        if len(fields) != 1:
            raise SplError("mvfilter() predicate must reference exactly one field")
        (fname,) = fields
        out = [x for x in values_of(row.get(fname))
               if is_true(evaluate(args[0], {**row, fname: x}, ctx))]
        return norm_mv(out)
    if name == "mvfind":
        arity(2)
        vals, p = values_of(ev(args[0])), ev(args[1])
        if not vals or p is None:
            return None
        rx = pcre(to_text(p))
        for k, x in enumerate(vals):
            if rx.search(to_text(x)):
                return k
        return None

    # -- math [eval-math] --
    # log(<num>, <base>): "the logarithm of <num> using <base> as the base" (the base defaults
    # to 10). What it gives for 0 or a negative number is not documented: not executed.
    if name == "log":
        arity(1, 2)
        n = as_number(single(ev(args[0]), "log()"))
        b = as_number(single(ev(args[1]), "log()")) if len(args) == 2 else 10
        if n is None or b is None:
            return None
        if n <= 0 or b <= 0 or b == 1:
            raise Unsupported("log() of a number <= 0 or with base <= 0 or 1 (not documented)")
        return math.log(n) / math.log(b)
    if name in ("abs", "floor", "ceil", "ceiling", "round", "sqrt", "exp", "ln"):
        arity(1, 2 if name == "round" else 1)
        n = as_number(single(ev(args[0]), f"{name}()"))
        if n is None:
            return None
        if name == "abs":
            return abs(n)
        if name == "floor":
            return math.floor(n)
        if name in ("ceil", "ceiling"):
            return math.ceil(n)
        if name == "round":
            d = int(as_number(ev(args[1])) or 0) if len(args) == 2 else 0
            # half away from zero
            q = 10 ** d
            r = math.floor(abs(n) * q + 0.5) / q
            r = math.copysign(r, n)
            return int(r) if d == 0 else r
        if name == "sqrt":
            return math.sqrt(n) if n >= 0 else None
        if name == "exp":
            return math.exp(n)
        return math.log(n) if n > 0 else None
    if name in ("max", "min"):
        vals = [x for a in args for x in values_of(ev(a))]
        if not vals:
            return None
        best = vals[0]
        for x in vals[1:]:
            c = compare(x, best)
            if (name == "max" and c > 0) or (name == "min" and c < 0):
                best = x
        return best

    # -- date and time [eval-time] --
    if name == "now":
        arity(0)
        return ctx.now
    if name == "time":
        raise Unsupported("time() (wall-clock time differs per event)")
    if name == "strptime":
        arity(2)
        v, f = single(ev(args[0]), "strptime()"), ev(args[1])
        if v is None or f is None:
            return None
        return strptime(to_text(v), to_text(f))
    if name == "strftime":
        arity(2)
        v, f = single(ev(args[0]), "strftime()"), ev(args[1])
        n = as_number(v)
        if n is None or f is None:
            return None
        return strftime(n, to_text(f))
    if name == "relative_time":
        arity(2)
        n, spec = as_number(single(ev(args[0]), "relative_time()")), ev(args[1])
        if n is None or spec is None:
            return None
        return relative(n, to_text(spec))

    # -- JSON [json] --
    if name in ("json_extract", "json_extract_exact"):
        if not args:
            raise SplError(f"{name}() needs a JSON value")
        src = single(ev(args[0]), f"{name}()")
        if src is None:
            return None
        try:
            doc = json.loads(to_text(src))
        except ValueError:
            return None
        paths = [ev(a) for a in args[1:]]
        if not paths:
            return json_native(doc)
        got = []
        for p in paths:
            if p is None:
                return None
            got.append(json_path(doc, to_text(p)) if name == "json_extract" else json_exact(doc, to_text(p)))
        if len(got) == 1:
            return json_native(got[0]) if got[0] is not MISSING else None
        # "If more than one path is given, the values are returned in a JSON array"
        return json.dumps([None if g is MISSING else g for g in got], separators=(",", ":"), ensure_ascii=False)
    if name == "json_array_to_mv":
        arity(1, 2)
        src = single(ev(args[0]), "json_array_to_mv()")
        if src is None:
            return None
        try:
            doc = json.loads(to_text(src))
        except ValueError:
            return None
        if not isinstance(doc, list):
            return None
        out = []
        for x in doc:
            if isinstance(x, str):
                out.append(x)
            elif x is None:
                continue
            else:
                out.append(json.dumps(x, separators=(",", ":"), ensure_ascii=False) if isinstance(x, (dict, list, bool)) else fmt_number(x))
        return norm_mv(out)
    if name == "json_valid":
        arity(1)
        v = single(ev(args[0]), "json_valid()")
        if v is None:
            return None
        try:
            json.loads(to_text(v))
            return True
        except ValueError:
            return False

    raise Unsupported(f"eval function {name}()")


# ---------------------------------------------------------------------------------------------
# JSON paths [json]: "a.b{0}.c"; `{}` all elements of an array; `{N}` an element
# ---------------------------------------------------------------------------------------------

MISSING = object()


def json_native(v):
    """A JSON value as json_extract returns it: strings and numbers natively, objects and
    arrays as JSON text ("Returns either a JSON array or a Splunk software native type value")."""
    if v is MISSING or v is None:
        return None  # a missing path, or JSON null: no native value
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return v
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


PATH_STEP = re.compile(r"([^.{}]+)|\{(\d*)\}|\.")


def json_path(doc, path: str):
    steps = []
    for m in PATH_STEP.finditer(path):
        if m.group(1) is not None:
            steps.append(("key", m.group(1)))
        elif m.group(2) is not None:
            steps.append(("idx", m.group(2)))
    if "".join(m.group(0) for m in PATH_STEP.finditer(path)) != path:
        raise Unsupported(f"json path {path!r}")
    cur = [doc]
    fanned = False
    for kind, arg in steps:
        nxt = []
        for c in cur:
            if kind == "key":
                if isinstance(c, dict) and arg in c:
                    nxt.append(c[arg])
            elif arg == "":
                if isinstance(c, list):
                    nxt.extend(c)
                    fanned = True
            else:
                if isinstance(c, list) and int(arg) < len(c):
                    nxt.append(c[int(arg)])
        cur = nxt
    if fanned:
        raise Unsupported(f"json_extract() path with {{}} ({path!r})")
    return cur[0] if cur else MISSING


def json_exact(doc, key: str):
    if isinstance(doc, dict) and key in doc:
        return doc[key]
    return MISSING


# ---------------------------------------------------------------------------------------------
# time [eval-time][time-format][time-modifiers]; the search user's time zone is UTC here
# ---------------------------------------------------------------------------------------------

STRF = {"%Y": "%Y", "%m": "%m", "%d": "%d", "%H": "%H", "%M": "%M", "%S": "%S", "%y": "%y", "%b": "%b",
        "%B": "%B", "%a": "%a", "%A": "%A", "%j": "%j", "%p": "%p", "%I": "%I", "%%": "%%", "%F": "%Y-%m-%d",
        "%T": "%H:%M:%S", "%e": "%d"}


def strftime(t: float, fmt: str) -> str:
    d = dt.datetime.fromtimestamp(0, dt.timezone.utc) + dt.timedelta(seconds=t)
    out, i = [], 0
    while i < len(fmt):
        if fmt[i] == "%":
            m = re.match(r"%(\d*)N", fmt[i:])
            if m:
                digits = int(m.group(1) or 6)
                frac = f"{d.microsecond:06d}" + "000"
                out.append(frac[:digits])
                i += m.end()
                continue
            tok = fmt[i:i + 2]
            if tok in ("%z", "%Z"):
                out.append("+0000" if tok == "%z" else "UTC")
            elif tok == "%s":
                out.append(str(int(t)))
            elif tok in STRF:
                out.append(d.strftime(STRF[tok]))
            else:
                raise Unsupported(f"strftime variable {tok}")
            i += 2
            continue
        out.append(fmt[i])
        i += 1
    return "".join(out)


def strptime(s: str, fmt: str):
    rx, names, i = [], [], 0
    while i < len(fmt):
        c = fmt[i]
        if c == "%":
            m = re.match(r"%(\d*)N", fmt[i:])
            if m:
                rx.append(r"(?P<frac>\d{1,9})")
                i += m.end()
                continue
            tok = fmt[i:i + 2]
            pat = {"%Y": r"(?P<Y>\d{4})", "%m": r"(?P<m>\d{1,2})", "%d": r"(?P<d>\d{1,2})", "%H": r"(?P<H>\d{1,2})",
                   "%M": r"(?P<M>\d{1,2})", "%S": r"(?P<S>\d{1,2})", "%z": r"(?P<z>Z|[+-]\d{2}:?\d{2})", "%Z": r"(?P<Z>[A-Za-z]+)",
                   "%%": "%"}.get(tok)
            if pat is None:
                raise Unsupported(f"strptime variable {tok}")
            rx.append(pat)
            i += 2
            continue
        rx.append(re.escape(c))
        i += 1
    m = re.match("".join(rx), s)
    if not m:
        return None
    g = m.groupdict()
    try:
        d = dt.datetime(int(g.get("Y") or 1970), int(g.get("m") or 1), int(g.get("d") or 1), int(g.get("H") or 0),
                        int(g.get("M") or 0), int(g.get("S") or 0), tzinfo=dt.timezone.utc)
    except ValueError:
        return None
    t = calendar.timegm(d.timetuple())
    if g.get("z") and g["z"] != "Z":
        z = g["z"].replace(":", "")
        off = (int(z[1:3]) * 3600 + int(z[3:5]) * 60) * (1 if z[0] == "+" else -1)
        t -= off
    if g.get("Z") and g["Z"].upper() not in ("UTC", "GMT", "Z"):
        raise Unsupported(f"strptime time zone name {g['Z']}")
    if g.get("frac"):
        return t + int(g["frac"]) / 10 ** len(g["frac"])
    return t


UNITS = {"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "m": 60, "min": 60, "mins": 60, "minute": 60,
         "minutes": 60, "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600, "d": 86400, "day": 86400,
         "days": 86400, "w": 604800, "week": 604800, "weeks": 604800}
MONTHS = {"mon": 1, "month": 1, "months": 1, "q": 3, "qtr": 3, "qtrs": 3, "quarter": 3, "quarters": 3,
          "y": 12, "yr": 12, "yrs": 12, "year": 12, "years": 12}


def add_months(t: float, months: int) -> float:
    """Calendar months from t (UTC), the day clamped to the month's length."""
    d = dt.datetime.fromtimestamp(0, dt.timezone.utc) + dt.timedelta(seconds=t)
    y, m = divmod(d.month - 1 + months, 12)
    y += d.year
    day = min(d.day, calendar.monthrange(y, m + 1)[1])
    return calendar.timegm(d.replace(year=y, month=m + 1, day=day).utctimetuple()) + d.microsecond / 1e6


def relative(base: float, spec: str) -> float:
    """Relative time modifiers [time-modifiers]: [+|-]<int><unit> (s, m, h, d, w, mon, q, y and
    their long forms), then an optional @<unit> snap down to the start of that unit (s, m, h, d,
    mon, q, y). Week-day snaps (@w0…@w6) are not modelled. The time zone is UTC."""
    if spec == "now":
        return base
    m = re.fullmatch(r"(?:([+-])(\d*)([A-Za-z]+))?(?:@([A-Za-z]+))?", spec)
    if not m or not spec:
        raise Unsupported(f"time modifier {spec!r}")
    t = base
    if m.group(1):
        n = int(m.group(2) or 1) * (1 if m.group(1) == "+" else -1)
        unit = m.group(3)
        if unit in UNITS:
            t += n * UNITS[unit]
        elif unit in MONTHS:
            t = add_months(t, n * MONTHS[unit])
        else:
            raise Unsupported(f"time unit {unit!r}")
    if m.group(4):
        snap = m.group(4)
        if snap in UNITS and UNITS[snap] < 604800:
            t = math.floor(t / UNITS[snap]) * UNITS[snap]
        elif snap in MONTHS:
            d = dt.datetime.fromtimestamp(0, dt.timezone.utc) + dt.timedelta(seconds=t)
            months = MONTHS[snap]
            month = 1 if months == 12 else d.month - (d.month - 1) % months
            t = calendar.timegm(dt.datetime(d.year, month, 1, tzinfo=dt.timezone.utc).utctimetuple())
        else:
            raise Unsupported(f"snap to {snap!r}")
    return t
