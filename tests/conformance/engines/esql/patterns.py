"""LIKE and RLIKE patterns as Python regexes matched against the whole value.

LIKE ("LIKE" operator, https://www.elastic.co/docs/reference/query-languages/esql/functions-operators/operators#esql-like):
`*` is zero or more characters, `?` one character, `\\` escapes the next character; the pattern
matches the whole string.

RLIKE ("RLIKE" operator, same page, #esql-rlike): Lucene's regular expression syntax
("Regular expression syntax", https://www.elastic.co/docs/reference/query-languages/query-dsl/regexp-syntax),
always matching the whole value ("Lucene's regular expression engine does not support anchor
operators ... the regular expression must match the entire string"). ES|QL builds the automaton
with every optional operator enabled (`RegExp.ALL`, the documented default "ALL ... Enables all
optional operators"). The grammar below is the one Lucene's RegExp javadoc gives
(https://lucene.apache.org/core/9_0_0/core/org/apache/lucene/util/automaton/RegExp.html):

    union    ::= inter ('|' union)?
    inter    ::= concat ('&' inter)?            [INTERSECTION]
    concat   ::= repeat concat?
    repeat   ::= compl ('?' | '*' | '+' | '{n}' | '{n,}' | '{n,m}')*
    compl    ::= '~' compl | charclassexp       [COMPLEMENT]
    charclassexp ::= '[' '^'? charclass+ ']' | simple
    charclass ::= charexp '-' charexp | charexp | \\d \\D \\s \\S \\w \\W
    simple   ::= charexp | '.' | '#' [EMPTY] | '@' [ANYSTRING] | '"' string '"' | '(' ')'
               | '(' union ')' | '<' n '-' m '>' [INTERVAL] | '<' identifier '>' [AUTOMATON]
    charexp  ::= a character, or '\\' followed by any character (literal)

Reserved characters outside classes: `. ? + * | { } [ ] ( ) " \\ # @ & < > ~`; inside a class
only `]`, `-`, `^` (first) and `\\` are special (a reserved character there is literal, as in
the javadoc's parseCharExp). `\\d \\s \\w` are ASCII (`[0-9]`, `[ \\t\\n\\r]`, `[a-zA-Z_0-9]`). A
backslash before a letter that is not one of dDsSwW is an error in Lucene (it raises here too).
`.` matches any character including a newline. Repetition is a language operator (no greedy /
lazy distinction: a whole-value match of the same language).

Not modelled (Unsupported, never guessed): intersection `&`, complement `~`, named automata
`<id>`, numeric intervals `<n-m>`. Case-insensitive matching is not used by ES|QL's RLIKE.
"""
from __future__ import annotations

import re

from syntax import Unsupported


class PatternError(Exception):
    """The pattern is invalid for the engine (a query error on a cluster)."""


def like_to_re(p: str) -> str:
    out = []
    i = 0
    while i < len(p):
        c = p[i]
        if c == "\\" and i + 1 < len(p):
            out.append(re.escape(p[i + 1]))
            i += 2
            continue
        if c == "*":
            out.append("(?s:.*)")
        elif c == "?":
            out.append("(?s:.)")
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


_PRE = {"d": "0-9", "s": " \\t\\n\\r", "w": "a-zA-Z_0-9"}


class _Lucene:
    def __init__(self, s: str):
        self.s = s
        self.i = 0

    def more(self):
        return self.i < len(self.s)

    def peek(self, chars):
        return self.more() and self.s[self.i] in chars

    def match(self, c):
        if self.more() and self.s[self.i] == c:
            self.i += 1
            return True
        return False

    def next(self):
        if not self.more():
            raise PatternError("unexpected end-of-string")
        c = self.s[self.i]
        self.i += 1
        return c

    def union(self):
        e = self.inter()
        if self.match("|"):
            return f"(?:{e}|{self.union()})"
        return e

    def inter(self):
        e = self.concat()
        if self.peek("&"):
            raise Unsupported("Lucene regexp intersection `&`")
        return e

    def concat(self):
        # as Lucene's parseConcatExp: at least one repeat (an empty alternative is an error, and
        # a character the productions above do not start with is read as a literal)
        parts = [self.repeat()]
        while self.more() and not self.peek(")|&"):
            parts.append(self.repeat())
        return "".join(parts)

    def repeat(self):
        e = self.compl()
        while self.peek("?*+{"):
            c = self.next()
            if c in "?*+":
                e = f"(?:{e}){c}"
            else:
                start = self.i
                while self.peek("0123456789"):
                    self.next()
                if start == self.i:
                    raise PatternError(f"integer expected at position {self.i}")
                n = self.s[start:self.i]
                m = n
                if self.match(","):
                    start = self.i
                    while self.peek("0123456789"):
                        self.next()
                    m = self.s[start:self.i]
                if not self.match("}"):
                    raise PatternError(f"expected '}}' at position {self.i}")
                e = f"(?:{e}){{{n},{m}}}" if m != n else f"(?:{e}){{{n}}}"
        return e

    def compl(self):
        if self.peek("~"):
            raise Unsupported("Lucene regexp complement `~`")
        return self.charclassexp()

    def charclassexp(self):
        if self.match("["):
            neg = self.match("^")
            items = [self.charclass()]
            while self.more() and not self.peek("]"):
                items.append(self.charclass())
            if not self.match("]"):
                raise PatternError(f"expected ']' at position {self.i}")
            return "[" + ("^" if neg else "") + "".join(items) + "]"
        return self.simple()

    def predefined(self):
        """After a consumed backslash: a \\d-style class, an escaped backslash, or None."""
        if self.peek("dDsSwW"):
            c = self.next()
            body = _PRE[c.lower()]
            return ("neg", body) if c.isupper() else ("pos", body)
        if self.peek("\\"):
            self.next()
            return ("char", "\\")
        if self.more() and self.s[self.i].isascii() and self.s[self.i].isalpha():
            raise PatternError(f"invalid character class \\{self.s[self.i]}")
        return None

    def charexp(self):
        self.match("\\")
        return self.next()

    def charclass(self):
        if self.peek("\\"):
            self.next()
            p = self.predefined()
            if p is not None:
                kind, body = p
                if kind == "char":
                    return re.escape("\\")
                if kind == "pos":
                    return body
                else:
                    # a negated predefined class inside a class: not expressible as a range list
                    raise Unsupported("negated \\D/\\S/\\W inside a Lucene character class")
            else:
                c = self.next()
        else:
            c = self.next()
        if self.match("-"):
            d = self.charexp()
            if ord(d) < ord(c):
                raise PatternError(f"invalid range: from ({ord(c)}) cannot be > to ({ord(d)})")
            return re.escape(c) + "-" + re.escape(d)
        return re.escape(c)

    def simple(self):
        if self.match("."):
            return "(?s:.)"
        if self.match("#"):
            return "(?!)"
        if self.match("@"):
            return "(?s:.*)"
        if self.match('"'):
            start = self.i
            while self.more() and not self.peek('"'):
                self.next()
            if not self.match('"'):
                raise PatternError(f"expected '\"' at position {self.i}")
            return re.escape(self.s[start:self.i - 1])
        if self.match("("):
            if self.match(")"):
                return ""
            e = self.union()
            if not self.match(")"):
                raise PatternError(f"expected ')' at position {self.i}")
            return f"(?:{e})"
        if self.peek("<"):
            raise Unsupported("Lucene regexp interval or named automaton `<...>`")
        if self.match("\\"):
            p = self.predefined()
            if p is not None:
                kind, body = p
                if kind == "char":
                    return re.escape("\\")
                return f"[{'^' if kind == 'neg' else ''}{body}]"
            return re.escape(self.next())
        return re.escape(self.next())  # any other character is a literal (parseCharExp)


def lucene_to_re(p: str) -> str:
    """A Lucene regexp as a Python regex for re.fullmatch (raises PatternError / Unsupported)."""
    if p == "":
        return ""
    parser = _Lucene(p)
    e = parser.union()
    if parser.more():
        raise PatternError(f"end-of-string expected at position {parser.i}")
    return e
