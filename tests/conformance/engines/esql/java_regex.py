"""REPLACE's Java regular expressions (java.util.regex.Pattern) as Python `re` patterns.

REPLACE ("REPLACE", https://www.elastic.co/docs/reference/query-languages/esql/functions-operators/string-functions#esql-replace):
"substitutes in the string str any match of the regular expression regex with the replacement
string newStr" — Java's Matcher.replaceAll, so the pattern is a java.util.regex.Pattern
(https://docs.oracle.com/en/java/javase/21/docs/api/java.base/java/util/regex/Pattern.html) and
the replacement uses `$n` / `${name}` group references with `\\` escaping the next character.

Translated (Java meaning kept): `.` outside `(?s)` excludes every Java line terminator
[\\n\\r\\u0085\\u2028\\u2029]; `\\d \\D \\s \\S \\w \\W` are ASCII (Java's defaults, without
UNICODE_CHARACTER_CLASS); `\\z` is the end of input, `\\Z` and `$` the end or before a final line
terminator; `\\A`, `^` (no MULTILINE) the start; `\\Q…\\E` quotes. Groups, alternation, greedy,
lazy and possessive quantifiers and back-references mean the same in both.
Unsupported (named, never guessed): `\\b \\B` (Java's word definition), `\\p{…}`, `\\R \\h \\X`,
class intersection `&&`, nested classes, inline flags other than `s` (e.g. Java's ASCII-only
`(?i)`), MULTILINE.
"""
from __future__ import annotations

from syntax import Unsupported

_LT = "\\n\\r\\u0085\\u2028\\u2029"
_CLASSES = {"d": "0-9", "s": " \\t\\n\\x0b\\f\\r", "w": "a-zA-Z_0-9"}
_END = f"(?=(?:\\r\\n|[{_LT}])?\\Z)"


def java_to_re(p: str) -> str:
    out = []
    dotall = [False]  # per open group
    i = 0
    n = len(p)
    while i < n:
        c = p[i]
        if c == "\\":
            if i + 1 >= n:
                raise Unsupported("Java regex ending in a backslash")
            d = p[i + 1]
            i += 2
            if d in "dsw":
                out.append(f"[{_CLASSES[d]}]")
            elif d in "DSW":
                out.append(f"[^{_CLASSES[d.lower()]}]")
            elif d == "z":
                out.append("\\Z")
            elif d == "Z":
                out.append(_END)
            elif d == "A":
                out.append("\\A")
            elif d == "Q":
                j = p.find("\\E", i)
                lit = p[i:] if j < 0 else p[i:j]
                out.append("".join("\\" + ch if not ch.isalnum() else ch for ch in lit))
                i = n if j < 0 else j + 2
            elif d.isdigit():
                out.append("\\" + d)
            elif d in "tnrfae":
                out.append({"t": "\\t", "n": "\\n", "r": "\\r", "f": "\\f", "a": "\\a", "e": "\\x1b"}[d])
            elif d == "x" or d == "u" or d == "0":
                raise Unsupported(f"Java regex escape \\{d}")
            elif d.isalpha():
                raise Unsupported(f"Java regex construct \\{d}")
            else:
                out.append("\\" + d)
            continue
        if c == "[":
            j, cls = _java_class(p, i)
            out.append(cls)
            i = j
            continue
        if c == "(":
            if p.startswith("(?", i):
                k = i + 2
                flags = ""
                while k < n and p[k] not in ":)":
                    flags += p[k]
                    k += 1
                if flags in ("", ) and k < n and p[k] == ":":
                    dotall.append(dotall[-1])
                    out.append("(?:")
                    i = k + 1
                    continue
                if flags in ("=", "!", "<=", "<!", ">") or flags.startswith("<") and k < n:
                    # lookaround / atomic / named group: the head is copied as is
                    m = 3 if p[i + 2] in "=!>" else 4
                    if p[i + 2] == "<" and p[i + 3] not in "=!":
                        close = p.index(">", i)
                        out.append("(?P<" + p[i + 3:close] + ">")
                        dotall.append(dotall[-1])
                        i = close + 1
                        continue
                    out.append(p[i:i + m])
                    dotall.append(dotall[-1])
                    i += m
                    continue
                if set(flags.replace("-", "")) <= {"s"}:
                    on = "-" not in flags
                    if k < n and p[k] == ":":
                        dotall.append(on)
                        out.append("(?:")
                    else:  # (?s) applies to the rest of the enclosing group
                        dotall[-1] = on
                    i = k + 1
                    continue
                raise Unsupported(f"Java regex inline flags (?{flags})")
            dotall.append(dotall[-1])
            out.append("(")
            i += 1
            continue
        if c == ")":
            if len(dotall) > 1:
                dotall.pop()
            out.append(")")
            i += 1
            continue
        if c == ".":
            out.append("(?s:.)" if dotall[-1] else f"[^{_LT}]")
            i += 1
            continue
        if c == "$":
            out.append(_END)
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _java_class(p: str, i: int):
    j = i + 1
    body = "["
    if j < len(p) and p[j] == "^":
        body += "^"
        j += 1
    first = True
    while j < len(p):
        c = p[j]
        if c == "]" and not first:
            return j + 1, body + "]"
        first = False
        if c == "[":
            raise Unsupported("nested Java character class")
        if c == "&" and p.startswith("&&", j):
            raise Unsupported("Java character class intersection &&")
        if c == "\\":
            d = p[j + 1]
            if d in "dsw":
                body += _CLASSES[d]
            elif d in "DSW":
                raise Unsupported(f"\\{d} inside a Java character class")
            elif d.isalpha() and d not in "tnrf":
                raise Unsupported(f"Java regex construct \\{d} in a class")
            else:
                body += "\\" + d
            j += 2
            continue
        body += "\\" + c if c in "[]\\^" else c
        j += 1
    raise Unsupported("unterminated Java character class")


def java_replacement(r: str) -> str:
    """Matcher.replaceAll's replacement (`$1`, `${name}`, `\\x`) as a Python re.sub template."""
    out = []
    i = 0
    while i < len(r):
        c = r[i]
        if c == "\\" and i + 1 < len(r):
            ch = r[i + 1]
            out.append("\\\\" if ch == "\\" else ch)
            i += 2
        elif c == "$":
            if r.startswith("${", i):
                j = r.index("}", i)
                out.append(f"\\g<{r[i + 2:j]}>")
                i = j + 1
            elif i + 1 < len(r) and r[i + 1].isdigit():
                out.append(f"\\g<{r[i + 1]}>")
                i += 2
            else:
                raise Unsupported("a `$` not followed by a group reference in a REPLACE replacement")
        else:
            out.append("\\\\" if c == "\\" else c)
            i += 1
    return "".join(out)
