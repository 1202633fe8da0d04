"""SPL commands over a list of results (dicts). DOCS.md keys in []. Each result keeps `__id`
(the case row it came from; not a Splunk field) until an aggregation drops it."""

from __future__ import annotations

import ipaddress
import math
import functools
import re

from . import syntax
from .evalexpr import Ctx, evaluate, is_true, pcre
from .search import run_search
from .values import FieldText, SplError, Unsupported, as_number, compare, fmt_number, is_num, norm_mv, to_text, values_of

HIDDEN = "__id"


class Pipeline:
    def __init__(self, events: list[dict], now: float, lookups: dict | None = None,
                 definitions: dict | None = None):
        self.events = events  # the index: every loaded event, newest first
        self.lookups = lookups or {}  # lookup tables by name: lists of rows (field -> text)
        # lookup definitions by name, as transforms.conf stanzas: {"match_type": "CIDR(f)",
        # "max_matches": "N"} [lookup-matching]
        self.definitions = definitions or {}
        self.ctx = Ctx(now)
        self.columns: list[str] | None = None  # the visible columns once a command fixes them

    def run(self, query: str) -> list[dict]:
        cmds = syntax.split_pipeline(query)
        if not cmds or cmds[0][0] not in ("search", "multisearch", "inputlookup"):
            raise Unsupported("a search that does not start with the search command")
        if cmds[0][0] != "search" and not query.lstrip().startswith("|"):
            raise SplError(f"a generating command such as {cmds[0][0]} must be preceded by `|`")
        rows: list[dict] = []
        for k, (name, args) in enumerate(cmds):
            fn = getattr(self, "cmd_" + name, None)
            if fn is None:
                raise Unsupported(f"command `{name}`")
            rows = fn(args, rows, k == 0)
        return rows

    # -- filtering ------------------------------------------------------------------------

    def cmd_search(self, args, rows, first):
        """[search] the first command retrieves events from the index; later ones filter.
        Subsearches in the arguments run first and are replaced by their formatted results
        [about-subsearches][change-the-format]."""
        args = self.expand_subsearches(args)
        src = [dict(e) for e in self.events] if first else rows
        return run_search(args, src, self.ctx.now, first)

    # Search subsearches stop at `maxout` results, 10,000 by default [subsearch-limits].
    SUBSEARCH_MAXOUT = 10_000

    def expand_subsearches(self, args: str) -> str:
        """Each top-level `[...]` of a search's arguments, run and replaced by the search string
        the implicit `format` makes of its results [about-subsearches][change-the-format]."""
        out, i, n = [], 0, len(args)
        while i < n:
            c = args[i]
            if c == '"':
                j = syntax.skip_string(args, i)
                out.append(args[i:j])
                i = j
                continue
            if c == "[":
                j = _bracket_end(args, i)
                rows = self.subsearch(args[i:j])[: self.SUBSEARCH_MAXOUT]
                out.append(" " + format_results(rows) + " ")
                i = j
                continue
            out.append(c)
            i += 1
        return "".join(out)

    def cmd_inputlookup(self, args, rows, first):
        """[inputlookup] `| inputlookup <name>`: a generating command returning the rows of the
        lookup table (no `_time`, no `_raw`); an unknown lookup is an error."""
        if not first:
            raise SplError("inputlookup (without append=true) must be the first command")
        words = syntax.split_words(args)
        if len(words) != 1:
            raise Unsupported(f"inputlookup options {args!r}")
        name = words[0]
        if name.startswith('"'):
            name = syntax.unquote(name)
        if name not in self.lookups:
            raise SplError(f"the lookup table {name!r} does not exist")
        self.columns = None
        return [{k: FieldText(v) for k, v in r.items()} for r in self.lookups[name]]

    def cmd_where(self, args, rows, first):
        """[where] keeps the results for which the expression is TRUE (null counts as not)."""
        node = syntax.parse_eval(args)
        return [r for r in rows if is_true(self.bool_of(node, r))]

    def bool_of(self, node, r):
        v = evaluate(node, r, self.ctx)
        if v is not None and not isinstance(v, bool):
            raise Unsupported("where with a non-Boolean expression")
        return v

    def cmd_head(self, args, rows, first):
        """[head] the first N results; N defaults to 10."""
        a = args.strip()
        if a and not re.fullmatch(r"\d+", a):
            raise Unsupported(f"head {a}")
        return rows[: int(a) if a else 10]

    def cmd_dedup(self, args, rows, first):
        """[dedup] keeps the first result for each combination of the fields; results missing
        any of the fields are removed (keepempty defaults to false)."""
        opts, rest = syntax.take_options(args, {"keepempty", "consecutive", "keepevents"})
        if opts:
            raise Unsupported(f"dedup options {sorted(opts)}")
        if re.match(r"\d", rest):
            raise Unsupported("dedup with a count")
        if " sortby " in f" {rest} ":
            raise Unsupported("dedup sortby")
        fields = syntax.field_list(rest)
        seen, out = set(), []
        for r in rows:
            vals = [r.get(f) for f in fields]
            if any(v is None for v in vals):
                continue
            if any(isinstance(v, list) for v in vals):
                raise Unsupported("dedup on a multivalue field")
            key = tuple(to_text(v) for v in vals)
            if key in seen:
                continue
            seen.add(key)
            out.append(r)
        return out

    # -- fields ---------------------------------------------------------------------------

    def cmd_eval(self, args, rows, first):
        """[eval] evaluates left to right; a later assignment sees an earlier one; the result
        overwrites a field of the same name. A null result removes the field."""
        assigns = syntax.parse_assignments(args)
        for r in rows:
            for name, node in assigns:
                v = evaluate(node, r, self.ctx)
                if isinstance(v, bool):
                    raise SplError("The result of an eval expression cannot be a Boolean")
                if v is None:
                    r.pop(name, None)
                else:
                    r[name] = v
        if self.columns is not None:
            for name, _ in assigns:
                if name not in self.columns:
                    self.columns.append(name)
        return rows

    def cmd_fillnull(self, args, rows, first):
        """[fillnull] replaces null values of the listed fields with `value` (default 0); a
        listed field that does not exist is created."""
        opts, rest = syntax.take_options(args, {"value"})
        fields = syntax.field_list(rest)
        if not fields:
            raise Unsupported("fillnull without a field list")
        value = opts.get("value", "0")
        for r in rows:
            for f in fields:
                if r.get(f) is None:
                    r[f] = value
        return rows

    def cmd_rename(self, args, rows, first):
        """[rename] `old AS new`; the new name replaces an existing field of that name."""
        pairs = []
        for part in syntax.split_top(args, ","):
            m = re.fullmatch(r"\s*(\"[^\"]*\"|'[^']*'|\S+)\s+[Aa][Ss]\s+(\"[^\"]*\"|'[^']*'|\S+)\s*", part)
            if not m:
                # space-separated pairs: a AS b c AS d
                toks = syntax.field_list(part)
                if len(toks) % 3 or any(t.lower() != "as" for t in toks[1::3]):
                    raise SplError(f"rename needs `old AS new`, got `{part.strip()}`")
                pairs += [(toks[i], toks[i + 2]) for i in range(0, len(toks), 3)]
                continue
            pairs.append((m.group(1).strip("\"'"), m.group(2).strip("\"'")))
        for old, new in pairs:
            if "*" in old or "*" in new:
                raise Unsupported("rename with wildcards")
            for r in rows:
                if old in r:
                    r[new] = r.pop(old)
                elif new in r:
                    raise Unsupported(f"rename {old} AS {new} where {new} exists and {old} does not")
            if self.columns is not None:
                self.columns = [new if c == old else c for c in self.columns]
        return rows

    def cmd_table(self, args, rows, first):
        """[table] only the listed fields, in that order; a name with `*` stands for every field
        it matches, except internal fields (names starting with `_`), which a wildcard does not
        match [fields]. Fields one wildcard matches are taken in name order."""
        fields = self.expand(syntax.field_list(args), rows)
        out = []
        for r in rows:
            n = {f: r[f] for f in fields if f in r}
            if HIDDEN in r:
                n[HIDDEN] = r[HIDDEN]
            out.append(n)
        self.columns = list(fields)
        return out

    @staticmethod
    def expand(patterns: list[str], rows: list[dict]) -> list[str]:
        present = sorted({k for r in rows for k in r if k != HIDDEN})
        out: list[str] = []
        for p in patterns:
            if "*" not in p:
                if p not in out:
                    out.append(p)
                continue
            rx = re.compile("".join(".*" if c == "*" else re.escape(c) for c in p))
            for k in present:
                if not k.startswith("_") and rx.fullmatch(k) and k not in out and k not in patterns:
                    out.append(k)
        return out

    def cmd_fields(self, args, rows, first):
        """[fields] `fields - a b` removes fields; `fields a b` keeps them (and internal fields);
        wildcards as for table."""
        a = args.strip()
        remove = a.startswith("-")
        if a.startswith(("-", "+")):
            a = a[1:]
        fields = self.expand(syntax.field_list(a), rows)
        for r in rows:
            for k in list(r):
                if k == HIDDEN:
                    continue
                if remove and k in fields:
                    del r[k]
                elif not remove and k not in fields and not k.startswith("_"):
                    del r[k]
        if remove and self.columns is not None:
            self.columns = [c for c in self.columns if c not in fields]
        elif not remove:
            self.columns = [f for f in fields]
        return rows

    # -- ordering -------------------------------------------------------------------------

    def cmd_sort(self, args, rows, first):
        """[sort] `sort [N] [+|-]f, ...`: N results (0 = all; default 10,000). Ascending by
        default, `-` descending. Results missing a field sort as the largest value ascending and
        the smallest descending — last either way [sort-spl2]. Values compare numerically
        when both are numbers, else lexicographically [sort][lexicographical-order]."""
        a = args.strip()
        m = re.match(r"(\d+)\s+", a + " ")
        limit = 10000
        if m and not re.match(r"\d+\s*[,]", a):
            limit = int(m.group(1)) or None
            a = a[m.end():] if m.end() <= len(a) else ""
        keys = []
        for part in re.split(r"[,\s]+", a.strip()):
            if not part:
                continue
            desc = part.startswith("-")
            name = part.lstrip("+-")
            if "(" in name:
                raise Unsupported(f"sort function {name}")
            keys.append((name, desc))
        if not keys:
            raise Unsupported("sort without fields")
        if any(k[0] == "d" and k[1] is False for k in []):
            pass

        def cmp(x, y):
            for name, desc in keys:
                a_, b_ = x.get(name), y.get(name)
                if isinstance(a_, list) or isinstance(b_, list):
                    raise Unsupported("sort on a multivalue field")
                if a_ is None and b_ is None:
                    continue
                if a_ is None:
                    return 1
                if b_ is None:
                    return -1
                c = sort_compare(a_, b_)
                if c:
                    return -c if desc else c
            return 0

        out = sorted(rows, key=functools.cmp_to_key(cmp))
        return out[:limit] if limit else out

    # -- aggregation ----------------------------------------------------------------------


    def parse_aggs(self, args: str):
        """`fn(arg) [AS name] ... [BY f1 f2]` [stats]; an unnamed term is named `fn(arg)`."""
        parts = syntax.split_words(args)
        by: list[str] = []
        for k, w in enumerate(parts):
            if w.lower() == "by":
                by = syntax.field_list(" ".join(parts[k + 1:]))
                parts = parts[:k]
                break
        aggs = []
        k = 0
        while k < len(parts):
            w = parts[k].rstrip(",")
            m = re.fullmatch(r"([A-Za-z_]+)(?:\((.*)\))?", w, re.S)
            if not m:
                raise SplError(f"cannot read stats term `{w}`")
            fn, inner = m.group(1), m.group(2)
            name = f"{fn}({inner})" if inner is not None else fn
            k += 1
            if k + 1 < len(parts) and parts[k].lower() == "as":
                name = parts[k + 1].rstrip(",").strip("\"'")
                k += 2
            aggs.append((fn.lower(), inner.strip() if inner is not None else None, name))
        return aggs, by

    def agg_values(self, inner: str | None, rows: list[dict]):
        """The per-result values an aggregation reads: a field's values, or for eval(expr) the
        expression's value (a TRUE condition counts as a value, FALSE and null do not)."""
        if inner is None:
            return None
        m = re.fullmatch(r"eval\((.*)\)", inner, re.S)
        if m:
            node = syntax.parse_eval(m.group(1))
            out = []
            for r in rows:
                v = evaluate(node, r, self.ctx)
                if v is True:
                    out.append([1])
                elif v is False or v is None:
                    out.append([])
                else:
                    out.append(values_of(v))
            return out
        if not re.fullmatch(r"[^\s()]+", inner):
            raise Unsupported(f"stats argument `{inner}`")
        return [values_of(r.get(inner.strip("'\""))) for r in rows]

    def aggregate(self, fn: str, inner, rows: list[dict]):
        """[stats-functions][mv-stats] count, count(X), dc, values, list, min, max, sum, avg,
        first, last, earliest, latest."""
        if fn in ("count", "c") and inner is None:
            return len(rows)
        per = self.agg_values(inner, rows)
        if per is None:
            raise Unsupported(f"{fn} without an argument")
        flat = [v for vs in per for v in vs]
        if fn in ("count", "c"):
            if any(len(vs) > 1 for vs in per):
                raise Unsupported("count() over a multivalue field")
            return len(flat)
        if fn in ("dc", "distinct_count"):
            # "processes field values as literal string values"
            return len({to_text(v) for v in flat})
        if fn == "values":
            # distinct values, in lexicographical order [mv-stats]
            return norm_mv(sorted({to_text(v) for v in flat}, key=lambda s: s.encode("utf-8")))
        if fn == "list":
            return norm_mv([to_text(v) for v in flat][:100])
        if fn in ("min", "max"):
            if not flat:
                return None
            nums = [as_number(v) for v in flat]
            if all(n is not None for n in nums):
                return min(nums) if fn == "min" else max(nums)
            if any(n is not None for n in nums):
                raise Unsupported(f"{fn}() over a mix of numbers and text")
            texts = sorted((to_text(v) for v in flat), key=lambda s: s.encode("utf-8"))
            return texts[0] if fn == "min" else texts[-1]
        if fn in ("sum", "avg", "mean"):
            nums = [as_number(v) for v in flat]
            nums = [n for n in nums if n is not None]  # "any nonnumeric values are ignored"
            if not nums:
                return None
            s = sum(nums)
            return s if fn == "sum" else s / len(nums)
        if fn == "stdev":
            # [stats-functions] stdev: "the sample standard deviation" (stdevp the population
            # one), numeric values only. One value or none (n - 1 = 0) is left undecided here.
            nums = [n for n in (as_number(v) for v in flat) if n is not None]
            if len(nums) < 2:
                raise Unsupported("stdev() of fewer than two values")
            mean = sum(nums) / len(nums)
            return math.sqrt(sum((n - mean) ** 2 for n in nums) / (len(nums) - 1))
        if fn in ("first", "last"):
            if any(len(vs) > 1 for vs in per):
                raise Unsupported(f"{fn}() over a multivalue field")
            vals = [vs[0] for vs in per if vs]
            if not vals:
                return None
            return vals[0] if fn == "first" else vals[-1]
        if fn in ("earliest", "latest"):
            pairs = [(r.get("_time"), vs[0]) for r, vs in zip(rows, per) if vs]
            if any(t is None for t, _ in pairs):
                raise Unsupported(f"{fn}() over results without _time")
            if not pairs:
                return None
            pick = min(pairs, key=lambda p: p[0]) if fn == "earliest" else max(pairs, key=lambda p: p[0])
            return pick[1]
        raise Unsupported(f"stats function {fn}()")

    def groups(self, rows, by):
        """[stats] one group per distinct combination of the BY fields; a result whose BY field
        is null is in no group (SEMANTICS.md §5: "events with null k are dropped")."""
        out: dict[tuple, list] = {}
        keys: dict[tuple, list] = {}
        for r in rows:
            vals = [r.get(f) for f in by]
            if any(v is None for v in vals):
                continue
            if any(isinstance(v, list) for v in vals):
                raise Unsupported("stats BY a multivalue field")
            k = tuple(to_text(v) for v in vals)
            out.setdefault(k, []).append(r)
            keys.setdefault(k, vals)
        return out, keys

    def cmd_stats(self, args, rows, first):
        aggs, by = self.parse_aggs(args)
        if not aggs:
            raise SplError("stats needs an aggregation")
        if not by:
            res = {name: self.aggregate(fn, inner, rows) for fn, inner, name in aggs}
            self.columns = [name for _, _, name in aggs]
            return [{k: v for k, v in res.items() if v is not None}]
        groups, keys = self.groups(rows, by)
        out = []
        for k in sorted(groups, key=functools.cmp_to_key(lambda a, b: self.cmp_keys(keys[a], keys[b]))):
            res = {f: v for f, v in zip(by, keys[k])}
            for fn, inner, name in aggs:
                v = self.aggregate(fn, inner, groups[k])
                if v is not None:
                    res[name] = v
            out.append(res)
        self.columns = list(by) + [name for _, _, name in aggs]
        return out

    @staticmethod
    def cmp_keys(a, b):
        for x, y in zip(a, b):
            c = compare(x, y)
            if c:
                return c
        return 0

    def cmd_eventstats(self, args, rows, first):
        """[eventstats] the stats aggregates added to every result of its group; results with a
        null BY field get none, and are kept."""
        aggs, by = self.parse_aggs(args)
        if not by:
            res = {name: self.aggregate(fn, inner, rows) for fn, inner, name in aggs}
            for r in rows:
                r.update({k: v for k, v in res.items() if v is not None})
            return rows
        groups, _ = self.groups(rows, by)
        for members in groups.values():
            res = {name: self.aggregate(fn, inner, members) for fn, inner, name in aggs}
            for r in members:
                r.update({k: v for k, v in res.items() if v is not None})
        return rows

    def cmd_streamstats(self, args, rows, first):
        """[streamstats] "adds cumulative summary statistics to all search results in a streaming
        manner": `count [AS F]` numbers the results 1, 2, 3 … in the order they arrive.
        `current=f window=1 last(F) AS N, …`: `current` "If true, the search includes the given,
        or current, event in the summary calculations" (false: left out), `window` "the number
        of events to use when computing the statistics" — so the one result right before; the
        statistics skip a result without the field (no value then), and the first result has
        none before it (no field N). Only these two forms (no BY, reset or time window) are
        modelled."""
        m = re.fullmatch(r"\s*count(?:\s+AS\s+(\S+))?\s*", args, re.I)
        if m:
            name = (m.group(1) or "count").strip("\"'")
            for k, r in enumerate(rows, start=1):
                r[name] = k
            return rows
        m = re.fullmatch(r"\s*current=(?:f|false)\s+window=1\s+(.*)", args, re.I | re.S)
        terms = []
        if m:
            # stats-agg-terms one after another (a comma between them is optional)
            term = re.compile(r"\s*,?\s*last\(([^\s()]+)\)\s+AS\s+([^\s,]+)", re.I)
            rest, pos = m.group(1), 0
            while pos < len(rest.rstrip()):
                t = term.match(rest, pos)
                if not t:
                    raise Unsupported(f"streamstats {args.strip()}")
                terms.append((t.group(1).strip("\"'"), t.group(2).strip("\"'")))
                pos = t.end()
        if not terms:
            raise Unsupported(f"streamstats {args.strip()}")
        before = None
        for r in rows:
            current = {f: r.get(f) for f, _ in terms}
            for f, name in terms:
                value = None if before is None else before[f]
                if value is None:
                    r.pop(name, None)
                else:
                    r[name] = value
            before = current
        return rows

    def cmd_reverse(self, args, rows, first):
        """[reverse] "Reverses the order of the results." Takes no arguments."""
        if args.strip():
            raise SplError("reverse takes no arguments")
        return list(reversed(rows))

    # -- combining ------------------------------------------------------------------------

    def subsearch(self, text: str) -> list[dict]:
        t = text.strip()
        if not (t.startswith("[") and t.endswith("]")):
            raise SplError("a subsearch must be in square brackets")
        sub = Pipeline(self.events, self.ctx.now, self.lookups)
        return sub.run(t[1:-1])

    # Commands a multisearch leg may hold: "only purely streaming operations" [multisearch]
    # (the page's examples: search, eval, where, fields, rex; rename, fillnull and regex are
    # distributable streaming [command-types]).
    STREAMING = {"search", "where", "eval", "fields", "rename", "fillnull", "rex", "regex"}

    def cmd_multisearch(self, args, rows, first):
        """[multisearch] `| multisearch [search …] [search …] …`: a generating command (first in
        the search) that runs at least two streaming searches and returns the events of all of
        them. The page gives no order; modelled newest first by _time, like any search."""
        if not first:
            raise SplError("multisearch must be the first command")
        legs = []
        for sub in _bracket_groups(args):
            names = [n for n, _ in syntax.split_pipeline(sub[1:-1])]
            bad = [n for n in names if n not in self.STREAMING]
            if bad:
                raise SplError(f"multisearch subsearches may only contain purely streaming operations, not {bad[0]}")
            legs.append(self.subsearch(sub))
        if len(legs) < 2:
            raise SplError("multisearch needs at least two subsearches")
        out = [r for leg in legs for r in leg]
        out.sort(key=lambda r: -(r.get("_time") or 0))
        self.columns = None
        return out

    def cmd_append(self, args, rows, first):
        """[append] the subsearch's results after the current results."""
        opts, rest = syntax.take_options(args, {"maxout", "maxtime", "extendtimerange", "timeout"})
        if opts:
            raise Unsupported(f"append options {sorted(opts)}")
        self.columns = None
        return rows + self.subsearch(rest)

    def cmd_join(self, args, rows, first):
        """[join] `join [type=inner|left|outer] [max=N] f1 f2 [subsearch]`: each left result is
        joined with the subsearch results whose join fields are equal (exact, case-sensitive);
        max defaults to 1 (the first match), 0 means all. type=inner (default) drops unmatched
        left results, left/outer keeps them. Right values overwrite left ones (overwrite=true)."""
        i = args.index("[") if "[" in args else -1
        if i < 0:
            raise SplError("join needs a subsearch")
        head, sub = args[:i], args[i:]
        opts, rest = syntax.take_options(head, {"type", "max", "overwrite", "usetime", "earlier"})
        if set(opts) - {"type", "max"}:
            raise Unsupported(f"join options {sorted(set(opts) - {'type', 'max'})}")
        typ = opts.get("type", "inner").lower()
        if typ not in ("inner", "left", "outer"):
            raise SplError(f"join type={typ}")
        mx = int(opts.get("max", "1"))
        fields = syntax.field_list(rest)
        if not fields:
            raise Unsupported("join without join fields (joins on all common fields)")
        right = self.subsearch(sub)
        out = []
        for l in rows:
            lv = [l.get(f) for f in fields]
            if any(isinstance(v, list) for v in lv):
                raise Unsupported("join on a multivalue field")
            matches = []
            if all(v is not None for v in lv):
                for r in right:
                    rv = [r.get(f) for f in fields]
                    if any(isinstance(v, list) for v in rv):
                        raise Unsupported("join on a multivalue field")
                    if all(v is not None for v in rv) and all(to_text(a) == to_text(b) for a, b in zip(lv, rv)):
                        matches.append(r)
                        if mx and len(matches) >= mx:
                            break
            if not matches:
                if typ != "inner":
                    out.append(l)
                continue
            for r in matches:
                n = dict(l)
                n.update({k: v for k, v in r.items() if k != HIDDEN})
                out.append(n)
        self.columns = None
        return out

    def cmd_lookup(self, args, rows, first):
        """[lookup] `lookup <name> <lookup-field> [AS <event-field>] OUTPUT <dest>…`: each
        result's event-field value matched against the lookup's field — equal text by default,
        the address inside the range where the lookup's definition says `match_type =
        CIDR(<field>)` ("The lookup command supports IPv4 and IPv6 addresses and subnets that use
        CIDR notation") — up to `max_matches` matching rows (100 by default, the first in file
        order) [lookup-matching]; the OUTPUT fields take the matching rows' values (several: a
        multivalue field) and overwrite the result's. Refused where the pages are silent: a
        result with no match that already has an OUTPUT field, a CIDR value without a prefix
        or an event value with one, repeated output values, OUTPUTNEW, several match fields."""
        words = [w for w in syntax.split_words(args.replace(",", " ")) if w]
        if not words or words[0].split("=")[0] in ("local", "update"):
            raise Unsupported(f"lookup options {args!r}")
        uq = lambda w: syntax.unquote(w) if w.startswith('"') else w
        name = uq(words[0])
        if name not in self.lookups:
            raise SplError(f"the lookup table {name!r} does not exist")
        upper = [w.upper() for w in words]
        if "OUTPUTNEW" in upper:
            raise Unsupported("lookup OUTPUTNEW")
        if "OUTPUT" not in upper:
            raise Unsupported("lookup without OUTPUT (every lookup field but the match field)")
        k = upper.index("OUTPUT")
        match, outs = words[1:k], [uq(w) for w in words[k + 1:]]
        if len(match) == 1:
            lf = ef = uq(match[0])
        elif len(match) == 3 and match[1].upper() == "AS":
            lf, ef = uq(match[0]), uq(match[2])
        else:
            raise Unsupported(f"lookup match fields {match!r}")
        if not outs or any(w.upper() == "AS" for w in outs):
            raise Unsupported(f"lookup OUTPUT fields {outs!r}")
        d = self.definitions.get(name, {})
        mt = str(d.get("match_type", "")).replace(" ", "")
        if mt not in ("", f"CIDR({lf})"):
            raise Unsupported(f"lookup match_type {mt!r}")
        cidr = bool(mt)
        mx = int(d.get("max_matches", 100))

        def matches(v: str, lv: str) -> bool:
            if not cidr:
                return v == lv
            if "/" not in lv or "/" in v:
                raise Unsupported("a CIDR lookup value without a prefix, or an event value with one")
            try:
                net = ipaddress.ip_network(lv, strict=False)
            except ValueError:
                raise Unsupported(f"the CIDR lookup value {lv!r}")
            try:
                return ipaddress.ip_address(v) in net
            except ValueError:
                return False  # not an address: no range contains it

        table = self.lookups[name]
        out = []
        for r in rows:
            v = r.get(ef)
            if isinstance(v, list):
                raise Unsupported("lookup of a multivalue field")
            found = []
            if v is not None:
                found = [row for row in table if lf in row and matches(to_text(v), row[lf])][:mx]
            n = dict(r)
            for f in outs:
                vals = [FieldText(m[f]) for m in found if f in m]
                if not found:
                    if f in n:
                        raise Unsupported("lookup without a match over an existing OUTPUT field")
                    continue
                if len(set(vals)) != len(vals):
                    raise Unsupported("a lookup's matching rows repeat an output value")
                if vals:
                    n[f] = norm_mv(vals)
                else:
                    n.pop(f, None)
            out.append(n)
        return out

    def cmd_mvexpand(self, args, rows, first):
        """[mvexpand] one result per value of the field."""
        opts, rest = syntax.take_options(args, {"limit"})
        if opts:
            raise Unsupported("mvexpand limit")
        f = rest.strip()
        out = []
        for r in rows:
            vals = values_of(r.get(f))
            if not vals:
                raise Unsupported(f"mvexpand of a result without {f}")
            for v in vals:
                n = dict(r)
                n[f] = v
                out.append(n)
        return out

    def cmd_rex(self, args, rows, first):
        """[rex] `rex [field=F] "regex"`: named groups (?<name>…) become fields; a result that
        does not match is left unchanged. field defaults to _raw."""
        opts, rest = syntax.take_options(args, {"field", "max_match", "mode", "offset_field"})
        if set(opts) - {"field", "max_match"}:
            raise Unsupported(f"rex options {sorted(set(opts) - {'field', 'max_match'})}")
        rest = rest.strip()
        if rest.startswith('"'):
            # [rex] syntax: `rex [field=<field>] ( <regex-expression> [max_match=<int>]
            # [offset_field=<string>] )`: options may follow the expression too.
            end = syntax.skip_string(rest, 0, '"')
            more, tail = syntax.take_options(rest[end:], {"max_match", "offset_field"})
            if tail.strip():
                raise SplError("rex: unexpected text after the regular expression")
            if set(more) - {"max_match"}:
                raise Unsupported("rex offset_field")
            opts.update(more)
            rest = rest[:end]
        # [rex] "max_match: Controls the number of times the regex is matched. If greater than
        # 1, the resulting fields are multivalued fields. Use 0 to mean unlimited. Default: 1".
        max_match = int(opts.get("max_match", "1"))
        if max_match < 0:
            raise SplError("rex max_match must be a non-negative integer")
        if not (rest.startswith('"') and rest.endswith('"')):
            raise SplError("rex needs a quoted regular expression")
        pat = syntax.unquote(rest)
        names = re.findall(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>", pat)
        rx = pcre(re.sub(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>", r"(?P<\1>", pat))
        field = opts.get("field", "_raw")
        for r in rows:
            v = r.get(field)
            if v is None:
                continue
            if isinstance(v, list):
                raise Unsupported("rex on a multivalue field")
            if max_match != 1:
                found = list(rx.finditer(to_text(v)))
                if max_match:
                    found = found[:max_match]
                for n in names:
                    vals = [m.group(n) for m in found]
                    if any(x is None or x == "" for x in vals) or any(m.end() == m.start() for m in found):
                        # What an empty or non-participating group adds to the multivalue,
                        # and where the scan resumes after an empty match, is not documented.
                        raise Unsupported("rex max_match with an empty match or group value")
                    if vals:
                        r[n] = vals[0] if len(vals) == 1 else vals
                continue
            m = rx.search(to_text(v))
            if m:
                for n in names:
                    if m.group(n) is not None:
                        r[n] = m.group(n)
        return rows


LEADING_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def sort_compare(a, b) -> int:
    """[sort] "If the field contains numeric values, the collating sequence is numeric … Otherwise,
    the collating sequence is in lexicographical order", decided per pair. For text that starts
    with a digit the page says "sorted numerically based on that number alone" while its own
    example (9.1.a, 10.1.a) is lexicographic; IP addresses have their own order. Where those
    readings disagree on a pair (e.g. two ISO timestamps of the same year: a tie by the leading
    number, ordered as text), the order is undocumented: Unsupported."""
    if as_number(a) is not None and as_number(b) is not None:
        return compare(a, b)
    ta, tb = to_text(a), to_text(b)
    ma, mb = LEADING_NUMBER.match(ta), LEADING_NUMBER.match(tb)
    lex = _lex(ta, tb)
    if ma and mb:
        x, y = float(ma.group(0)), float(mb.group(0))
        num = (x > y) - (x < y)
        if num != lex:
            raise Unsupported(f"sort of text starting with a number ({ta!r}, {tb!r}): by the leading number alone or as "
                              f"text, the sort reference is not consistent")
    return lex


def _lex(ta: str, tb: str) -> int:
    x, y = ta.encode("utf-8"), tb.encode("utf-8")
    return (x > y) - (x < y)


def output_value(v):
    """A result value as Splunk's JSON output shows it: text, numbers as text, a multivalue as
    a list (one value is a plain value)."""
    if v is None:
        return None
    if isinstance(v, list):
        return [output_value(x) for x in v]
    if isinstance(v, FieldText):
        return str(v)
    if is_num(v):
        return v
    return to_text(v)


__all__ = ["Pipeline", "output_value", "fmt_number"]


def _bracket_groups(text: str) -> list[str]:
    """The top-level `[...]` groups of `text` (anything else between them is an error)."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == '"':
            i = syntax.skip_string(text, i)
        elif c == "[":
            end = _bracket_end(text, i)
            out.append(text[i:end])
            i = end
        elif c == "]":
            raise SplError("unbalanced subsearch brackets")
        elif not c.isspace():
            raise SplError(f"multisearch takes only subsearches, found `{text[i:i + 20]}`")
        else:
            i += 1
    return out


def _bracket_end(text: str, start: int) -> int:
    """The index after the `]` closing the `[` at `start` (quotes and nesting respected)."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c == '"':
            i = syntax.skip_string(text, i)
            continue
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise SplError("unbalanced subsearch brackets")


def format_results(rows: list[dict]) -> str:
    """The implicit `format` of a subsearch's results [format][change-the-format]: each result
    is `( f1="v1" AND f2="v2" )`, results joined by OR inside `( … )`; internal fields (a
    leading `_`) are left out; no results gives `NOT( )` (emptystr's default). The fields
    `search`/`query` (rendered raw), multivalue fields (`mvsep`), a result with no field, and
    a value holding `"` or `\\` (its escaping is not documented) are refused."""
    parts = []
    for r in rows:
        cols = []
        for k in sorted(x for x in r if x != HIDDEN and not x.startswith("_")):
            v = r[k]
            if v is None:
                continue
            if k in ("search", "query"):
                raise Unsupported(f"a subsearch returning the field {k!r}")
            if isinstance(v, list):
                raise Unsupported("a multivalue field in a subsearch's results (mvsep)")
            t = to_text(v)
            if '"' in t or "\\" in t:
                raise Unsupported(f"format of a value holding a quote or backslash: {t!r}")
            cols.append(f'{k}="{t}"')
        if not cols:
            raise Unsupported("a subsearch result without fields (its format is not documented)")
        parts.append("( " + " AND ".join(cols) + " )")
    if not parts:
        return "NOT( )"
    return "( " + " OR ".join(parts) + " )"
