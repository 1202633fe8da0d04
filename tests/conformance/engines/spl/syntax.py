"""SPL text → commands and expression trees (the subset kqlport emits; anything else is
Unsupported, named). Rules cite DOCS.md keys.

- A search is commands separated by `|`; the first is an implied `search` [search].
  `|` inside double quotes, subsearch brackets `[...]` or comments does not split.
- Comments are enclosed in three backticks ``` … ``` [comments].
- String literals are in double quotes; a field name that is not a plain word is in single
  quotes [where][eval]. In a literal, `\\` is one backslash and `\"` a quote; a backslash
  before any other character stays, so regular expressions keep their escapes
  [spl-regex][escape-characters].
"""

from __future__ import annotations

import re

from .values import SplError, Unsupported


# ---------------------------------------------------------------------------------------------
# pipeline
# ---------------------------------------------------------------------------------------------

def strip_comments(q: str) -> str:
    out, i = [], 0
    while i < len(q):
        if q.startswith("```", i):
            j = q.find("```", i + 3)
            if j < 0:
                raise SplError("unterminated ``` comment")
            i = j + 3
            out.append(" ")
            continue
        if q[i] == '"':
            j = skip_string(q, i)
            out.append(q[i:j])
            i = j
            continue
        out.append(q[i])
        i += 1
    return "".join(out)


def skip_string(q: str, i: int, quote: str = '"') -> int:
    """Index after the string literal starting at q[i]."""
    j = i + 1
    while j < len(q):
        if q[j] == "\\" and j + 1 < len(q):
            j += 2
            continue
        if q[j] == quote:
            return j + 1
        j += 1
    raise SplError(f"unterminated string literal starting at offset {i}")


def split_top(q: str, sep: str) -> list[str]:
    """Split on `sep` outside quotes and brackets."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(q):
        c = q[i]
        if c in "\"'":
            i = skip_string(q, i, c)
            continue
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(q[start:i])
            start = i + 1
        i += 1
    parts.append(q[start:])
    return parts


def split_pipeline(q: str) -> list[tuple[str, str]]:
    """[(command name, argument text)], the first command an implied `search` [search]."""
    q = strip_comments(q)
    cmds = []
    for k, part in enumerate(split_top(q, "|")):
        part = part.strip()
        if not part:
            if k == 0:
                continue
            raise SplError("empty command between pipes")
        m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)\b\s*(.*)$", part, re.S)
        if k == 0 and (not m or m.group(1) != "search"):
            cmds.append(("search", part))
            continue
        if not m:
            raise SplError(f"cannot read command `{part[:40]}`")
        cmds.append((m.group(1), m.group(2)))
    return cmds


def unquote(lit: str) -> str:
    """The value of a double-quoted literal: `\\` → `\`, `\"` → `"`, other escapes kept."""
    body = lit[1:-1]
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body) and body[i + 1] in '\\"':
            out.append(body[i + 1])
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# eval expressions [eval][where][boolean-expressions]
# ---------------------------------------------------------------------------------------------

EVAL_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<qfield>'(?:[^'\\]|\\.)*')
  | (?P<num>(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|<|>|=|\+|-|\*|/|%|\.|\(|\)|,)
""", re.X | re.S)

KEYWORDS = {"AND", "OR", "NOT", "XOR", "LIKE", "IN"}


def tokenize_eval(s: str) -> list[tuple[str, str]]:
    toks, i = [], 0
    while i < len(s):
        m = EVAL_TOKEN.match(s, i)
        if not m:
            raise SplError(f"unexpected character {s[i]!r} in expression `{s}`")
        i = m.end()
        kind = m.lastgroup
        if kind == "ws":
            continue
        text = m.group(kind)
        if kind == "ident" and text in KEYWORDS:
            kind = "kw"
        toks.append((kind, text))
    toks.append(("eof", ""))
    return toks


class EvalParser:
    """Precedence, loosest first: OR/XOR, AND, NOT, comparison (= == != < > <= >= LIKE IN),
    + - . (concatenation), * / %, unary minus [eval][boolean-expressions]."""

    def __init__(self, text: str):
        self.text = text
        self.toks = tokenize_eval(text)
        self.i = 0

    def peek(self, k=0):
        return self.toks[self.i + k]

    def take(self):
        t = self.toks[self.i]
        self.i += 1
        return t

    def expect(self, kind, text=None):
        t = self.take()
        if t[0] != kind or (text is not None and t[1] != text):
            raise SplError(f"expected {text or kind} in `{self.text}`, got {t[1]!r}")
        return t

    def parse(self):
        e = self.expr()
        if self.peek()[0] != "eof":
            raise SplError(f"unexpected {self.peek()[1]!r} in `{self.text}`")
        return e

    def expr(self):
        return self.or_()

    def or_(self):
        e = self.and_()
        while self.peek() in (("kw", "OR"), ("kw", "XOR")):
            op = self.take()[1]
            e = (op.lower(), e, self.and_())
        return e

    def and_(self):
        e = self.not_()
        while self.peek() == ("kw", "AND"):
            self.take()
            e = ("and", e, self.not_())
        return e

    def not_(self):
        if self.peek() == ("kw", "NOT"):
            self.take()
            return ("not", self.not_())
        return self.cmp()

    def cmp(self):
        e = self.add()
        t = self.peek()
        if t[0] == "op" and t[1] in ("=", "==", "!=", "<", ">", "<=", ">="):
            self.take()
            op = "==" if t[1] == "=" else t[1]
            return ("cmp", op, e, self.add())
        if t == ("kw", "LIKE"):
            self.take()
            return ("call", "like", [e, self.add()])
        if t == ("kw", "IN"):
            self.take()
            self.expect("op", "(")
            args = [e]
            if self.peek() != ("op", ")"):
                args.append(self.expr())
                while self.peek() == ("op", ","):
                    self.take()
                    args.append(self.expr())
            self.expect("op", ")")
            return ("call", "in", args)
        return e

    def add(self):
        e = self.mul()
        while self.peek()[0] == "op" and self.peek()[1] in ("+", "-", "."):
            op = self.take()[1]
            e = ("arith", op, e, self.mul())
        return e

    def mul(self):
        e = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in ("*", "/", "%"):
            op = self.take()[1]
            e = ("arith", op, e, self.unary())
        return e

    def unary(self):
        if self.peek() == ("op", "-"):
            self.take()
            return ("neg", self.unary())
        if self.peek() == ("op", "+"):
            self.take()
            return self.unary()
        return self.primary()

    def primary(self):
        kind, text = self.take()
        if kind == "num":
            return ("lit", float(text) if any(c in text for c in ".eE") else int(text))
        if kind == "str":
            return ("lit", unquote(text))
        if kind == "qfield":
            return ("field", text[1:-1].replace("\\'", "'").replace("\\\\", "\\"))
        if kind == "ident":
            if self.peek() == ("op", "("):
                self.take()
                args = []
                if self.peek() != ("op", ")"):
                    args.append(self.expr())
                    while self.peek() == ("op", ","):
                        self.take()
                        args.append(self.expr())
                self.expect("op", ")")
                return ("call", text.lower(), args)
            if text in ("null",):
                raise Unsupported("the bare word `null` in an eval expression (use null())")
            return ("field", text)
        if kind == "op" and text == "(":
            e = self.expr()
            self.expect("op", ")")
            return e
        raise SplError(f"unexpected {text!r} in `{self.text}`")


def parse_eval(text: str):
    return EvalParser(text).parse()


def parse_assignments(text: str) -> list[tuple[str, object]]:
    """`eval a=expr, b=expr` [eval]."""
    out = []
    for part in split_top(text, ","):
        m = re.match(r"\s*('(?:[^'\\]|\\.)*'|[^\s=]+)\s*=(?!=)(.*)$", part, re.S)
        if not m:
            raise SplError(f"eval needs field=expression, got `{part.strip()}`")
        name = m.group(1)
        if name.startswith("'"):
            name = name[1:-1]
        out.append((name, parse_eval(m.group(2))))
    return out


# ---------------------------------------------------------------------------------------------
# search expressions [search][boolean-expressions][not-vs-neq]
# ---------------------------------------------------------------------------------------------

SEARCH_CMP = re.compile(r"^((?:'[^']*')|[^\s=!<>()\"']+?)(!=|<=|>=|=|<|>)(.*)$", re.S)


def tokenize_search(s: str) -> list[tuple[str, object]]:
    """Tokens: ("(",) (")",) ("kw", AND/OR/NOT), ("cmp", field, op, value, quoted),
    ("in", field, [(value, quoted)...]), ("term", text, quoted), ("termdir", text) for TERM()."""
    toks: list = []
    i = 0
    n = len(s)

    def read_value(j):
        if j < n and s[j] == '"':
            k = skip_string(s, j)
            return unquote(s[j:k]), True, k
        k = j
        while k < n and not s[k].isspace() and s[k] not in "()":
            if s[k] == '"':
                raise Unsupported(f"a quote inside an unquoted search value at `{s[j:k + 1]}`")
            k += 1
        return s[j:k], False, k

    while i < n:
        c = s[i]
        if c.isspace():
            i += 1
            continue
        if c in "()":
            toks.append((c,))
            i += 1
            continue
        if c == "[":
            raise Unsupported("a subsearch inside a search expression")
        if c == '"':
            v, q, i = read_value(i)
            toks.append(("term", v, True))
            continue
        # a word, possibly field<op>value
        j = i
        if s[j] == "'":
            j = skip_string(s, j, "'")
        while j < n and not s[j].isspace() and s[j] not in '()"':
            j += 1
        word = s[i:j]
        if word in ("TERM", "CASE") and j < n and s[j] == "(":
            # [term-case] TERM(<term>) / CASE(<term>): the directive's argument runs to `)`
            k = s.find(")", j)
            if k < 0:
                raise SplError(f"unterminated {word}(")
            if word == "CASE":
                raise Unsupported("the CASE() directive")
            toks.append(("termdir", s[j + 1:k]))
            i = k + 1
            continue
        m = SEARCH_CMP.match(word)
        if m and j < n and s[j] == '"' and m.group(3) == "":
            field, op = m.group(1), m.group(2)
            v, q, j = read_value(j)
            toks.append(("cmp", field.strip("'"), op, v, True))
            i = j
            continue
        if m and m.group(3) != "":
            field, op, v = m.group(1), m.group(2), m.group(3)
            toks.append(("cmp", field.strip("'"), op, v, False))
            i = j
            continue
        if m:
            raise SplError(f"a search comparison without a value: `{word}`")
        if word in ("AND", "OR", "NOT"):
            toks.append(("kw", word))
            i = j
            continue
        # field IN (v1, v2, ...)
        k = j
        while k < n and s[k].isspace():
            k += 1
        if s[k:k + 2] == "IN" and (k + 2 == n or s[k + 2].isspace() or s[k + 2] == "("):
            k += 2
            while k < n and s[k].isspace():
                k += 1
            if k >= n or s[k] != "(":
                raise SplError(f"IN needs a parenthesised list after `{word}`")
            k += 1
            vals = []
            while True:
                while k < n and (s[k].isspace() or s[k] == ","):
                    k += 1
                if k < n and s[k] == ")":
                    k += 1
                    break
                if k >= n:
                    raise SplError("unterminated IN list")
                if s[k] == '"':
                    e = skip_string(s, k)
                    vals.append((unquote(s[k:e]), True))
                    k = e
                else:
                    e = k
                    while e < n and not s[e].isspace() and s[e] not in ",)":
                        e += 1
                    vals.append((s[k:e], False))
                    k = e
            toks.append(("in", word.strip("'"), vals))
            i = k
            continue
        toks.append(("term", word, False))
        i = j
    return toks


class SearchParser:
    """Search-command Boolean expressions: "parentheses, NOT, OR, AND" is the order of
    evaluation — OR binds tighter than the implied AND [boolean-expressions]."""

    def __init__(self, toks):
        self.toks = toks
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else ("eof",)

    def take(self):
        t = self.peek()
        self.i += 1
        return t

    def parse(self):
        e = self.and_()
        if self.peek()[0] != "eof":
            raise SplError(f"unexpected {self.peek()} in search")
        return e

    def and_(self):
        items = [self.or_()]
        while True:
            t = self.peek()
            if t[0] in ("eof", ")"):
                break
            if t == ("kw", "AND"):
                self.take()
            items.append(self.or_())
        return items[0] if len(items) == 1 else ("and", items)

    def or_(self):
        items = [self.not_()]
        while self.peek() == ("kw", "OR"):
            self.take()
            items.append(self.not_())
        return items[0] if len(items) == 1 else ("or", items)

    def not_(self):
        if self.peek() == ("kw", "NOT"):
            self.take()
            return ("not", self.not_())
        t = self.take()
        if t[0] == "(" and self.peek()[0] == ")":
            # `( )`: an empty group, the empty AND: true for every event. `format` writes a
            # subsearch without results as `NOT( )` (its emptystr), which so matches none
            # [format][correlate-events].
            self.take()
            return ("all",)
        if t[0] == "(":
            e = self.and_()
            if self.take()[0] != ")":
                raise SplError("unbalanced parentheses in search")
            return e
        if t[0] in ("cmp", "in", "term", "termdir"):
            return t
        raise SplError(f"unexpected {t} in search")


def parse_search(text: str):
    toks = tokenize_search(text)
    if not toks:
        return None
    return SearchParser(toks).parse()


# ---------------------------------------------------------------------------------------------
# command arguments
# ---------------------------------------------------------------------------------------------

def take_options(text: str, names: set[str]) -> tuple[dict, str]:
    """Leading `name=value` options of a command; returns (options, rest)."""
    opts = {}
    rest = text.strip()
    while True:
        m = re.match(r"([A-Za-z_]+)\s*=\s*(\"(?:[^\"\\]|\\.)*\"|[^\s\[]+)\s*", rest)
        if not m or m.group(1) not in names:
            return opts, rest
        v = m.group(2)
        opts[m.group(1)] = unquote(v) if v.startswith('"') else v
        rest = rest[m.end():]


def split_words(text: str) -> list[str]:
    """Whitespace-separated words, keeping quoted strings and parenthesised groups whole."""
    words, depth, cur, i = [], 0, [], 0
    while i < len(text):
        c = text[i]
        if c in "\"'":
            j = skip_string(text, i, c)
            cur.append(text[i:j])
            i = j
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        if c.isspace() and depth == 0:
            if cur:
                words.append("".join(cur))
                cur = []
        else:
            cur.append(c)
        i += 1
    if cur:
        words.append("".join(cur))
    return words


def field_list(text: str) -> list[str]:
    """Space- and/or comma-separated field names; single or double quotes allowed."""
    out = []
    for m in re.finditer(r"\"((?:[^\"\\]|\\.)*)\"|'((?:[^'\\]|\\.)*)'|([^\s,]+)", text):
        out.append(m.group(1) if m.group(1) is not None else m.group(2) if m.group(2) is not None else m.group(3))
    return out
