"""GROK's patterns (Oniguruma regular expressions with `%{SYNTAX:SEMANTIC}` references) as Python
`re` patterns, and what one GROK does to one value.

Sources: commands/grok ("GROK input "pattern"": a field name that conflicts with an existing column
discards that column; a name used more than once makes a multi-valued column; a multivalued input
is processed value by value), esql-process-data-with-dissect-and-grok ("Grok uses the Oniguruma
regular expression library"; custom patterns are Oniguruma named captures `(?<name>…)`; columns are
keyword unless `:int`/`:float` suffixes), Elastic's grok.csv-spec examples (no match and a null
input give null columns; the match is searched for anywhere in the value: `matchInBetween`), the
grok library's grok-patterns file (`WORD \\b\\w+\\b`), and Oniguruma's doc/RE with Ruby syntax, which
the grok library compiles with (joni's default syntax):

* `.` matches any character but newline (`\\n` only); `(?m)` is Ruby's dot-all;
* `^` and `$` are line anchors (beginning / end of any line), `\\A` `\\z` the string's, `\\Z` the
  end or before a final newline;
* `\\` before a punctuation character is that character; `\\n \\t \\r \\f \\e \\a` as usual;
* groups `( )` `(?: )` `(?<name> )`, alternation, greedy `* + ? {n,m}` and lazy `…?`
  quantifiers, classes `[…]` with ranges and negation;
* with named groups present, plain `( )` groups do not capture (ONIG_OPTION_CAPTURE_GROUP off).

Search semantics (leftmost match, backtracking, lazy quantifiers) are the same in Python's `re`.
Anything else raises `Unsupported`: `\\d \\w \\s \\h \\b` and other shorthands outside WORD (their
Unicode meaning under UTF-8 is not pinned down here), look-around, back-references, `\\x`/`\\u`
escapes, POSIX brackets, other options, pattern references other than WORD, `:type` suffixes.
"""
from __future__ import annotations

import re

from syntax import Unsupported

# The grok library's pattern bank (libs/grok/src/main/resources/patterns/legacy/grok-patterns).
_BANK = {"WORD": r"\b\w+\b"}
_REF = re.compile(r"%\{(?P<pattern>[A-Za-z0-9]+)(?::(?P<sub>[A-Za-z0-9@\[\]_:.-]+))?\}")


def _expand(pattern: str) -> tuple[str, dict]:
    """`%{SYNTAX:SEMANTIC}` → an Oniguruma named group (Grok.toRegex): the regex text and the
    bank-derived pieces that stay as Python regex (marked by a placeholder)."""
    out, pieces, pos = [], {}, 0
    for m in _REF.finditer(pattern):
        out.append(pattern[pos:m.start()])
        name, sub = m.group("pattern"), m.group("sub")
        if name not in _BANK:
            raise Unsupported(f"grok pattern %{{{name}}} (only WORD is modelled)")
        if sub and ":" in sub:
            raise Unsupported("a grok `:type` conversion suffix")
        key = f"\x00{len(pieces)}\x00"
        pieces[key] = _BANK[name]
        out.append(f"(?<{sub}>{key})" if sub else f"(?:{key})")
        pos = m.end()
    out.append(pattern[pos:])
    return "".join(out), pieces


def to_python(pattern: str) -> tuple[re.Pattern, list]:
    """The compiled Python regex and its groups' column names, in group order (a name may repeat:
    Python group `g<i>` stands for the i-th named group)."""
    text, pieces = _expand(pattern)
    out, names = [], []
    i, n = 0, len(text)
    in_class = False
    while i < n:
        c = text[i]
        if c == "\x00":
            j = text.index("\x00", i + 1)
            out.append(pieces[text[i:j + 1]])
            i = j + 1
            continue
        if c == "\\":
            if i + 1 >= n:
                raise Unsupported("Oniguruma regex ending in a backslash")
            d = text[i + 1]
            i += 2
            if d in "ntrfae":
                out.append({"n": "\\n", "t": "\\t", "r": "\\r", "f": "\\f", "a": "\\a", "e": "\\x1b"}[d])
            elif not in_class and d in "Az":
                out.append("\\A" if d == "A" else "\\Z")
            elif not in_class and d == "Z":
                out.append(r"(?=\n?\Z)")
            elif d.isalnum():
                raise Unsupported(f"Oniguruma escape \\{d}")
            else:
                out.append(re.escape(d))
            continue
        if in_class:
            if c == "]":
                in_class = False
            elif c == "[":
                raise Unsupported("a nested or POSIX bracket class")
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            out.append("[")
            i += 1
            if i < n and text[i] == "^":
                out.append("^")
                i += 1
            if i < n and text[i] == "]":  # a leading `]` is literal
                out.append("\\]")
                i += 1
            continue
        if c == "(":
            if text.startswith("(?<", i) and not text.startswith("(?<=", i) and not text.startswith("(?<!", i):
                j = text.index(">", i)
                name = text[i + 3:j]
                if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                    raise Unsupported(f"group name {name!r}")
                out.append(f"(?P<g{len(names)}>")
                names.append(name)
                i = j + 1
            elif text.startswith("(?:", i):
                out.append("(?:")
                i += 3
            elif text.startswith("(?", i):
                raise Unsupported("Oniguruma group options / look-around")
            else:
                out.append("(?:")  # does not capture when named groups exist
                i += 1
            continue
        if c == ".":
            out.append("[^\\n]")
        elif c == "^":
            out.append("(?m:^)")
        elif c == "$":
            out.append("(?m:$)")
        else:
            out.append(c if c in "|)*+?{},0123456789" or c.isalnum() else re.escape(c))
        i += 1
    if in_class:
        raise Unsupported("an unterminated bracket class")
    return re.compile("".join(out)), names


def grok_value(rx: re.Pattern, names: list, value: str) -> dict | None:
    """One value's captures: name → list of values (a name used twice gives both), or None when
    the pattern does not match. A group that took part gives its text, `""` when empty (the grok
    library's GrokCaptureConfig.extract); one that did not gives nothing."""
    m = rx.search(value)
    if m is None:
        return None
    got: dict = {}
    for k, name in enumerate(names):
        v = m.group(f"g{k}")
        if v is not None:
            got.setdefault(name, []).append(v)
    return got


__all__ = ["to_python", "grok_value"]
