"""Transforming and ordering commands, from their reference pages' examples."""

import unittest

from spl import SplError, Unsupported, run_spl
from spl.tests.helpers import NOW, events, ids, rows


class Stats(unittest.TestCase):
    # [stats][stats-functions][mv-stats]
    EV = events({"host": "a", "bytes": "10", "user": "x"}, {"host": "a", "bytes": "5", "user": "y"},
                {"host": "b", "bytes": "7", "user": "x"}, {"bytes": "1", "user": "z"}, {"host": "b", "user": ""})

    def test_count_by_drops_null_groups(self):
        self.assertEqual(rows("search index=* | stats count by host", self.EV),
                         [{"host": "a", "count": 2}, {"host": "b", "count": 2}])

    def test_fillnull_keeps_them(self):
        # [fillnull] value defaults to 0; a listed field that does not exist is created
        self.assertEqual(rows('search index=* | fillnull value="" host | stats count AS n by host', self.EV)[0],
                         {"host": "", "n": 1})
        self.assertEqual(rows("search index=* | fillnull host | stats count AS n by host", self.EV)[0],
                         {"host": "0", "n": 1})

    def test_aggregates(self):
        r = rows("search index=* | stats count count(bytes) AS nb dc(user) AS users sum(bytes) AS total "
                 "avg(bytes) AS mean min(bytes) AS lo max(bytes) AS hi", self.EV)
        self.assertEqual(r, [{"count": 5, "nb": 4, "users": 4, "total": 23, "mean": 5.75, "lo": 1, "hi": 10}])

    def test_values_are_distinct_and_lexicographic(self):
        # "The order of the values is lexicographical": 1, 10, 100, 2 …
        ev = events(*({"n": str(k)} for k in (2, 10, 1, 100, 10)))
        self.assertEqual(rows("search index=* | stats values(n) AS v", ev), [{"v": ["1", "10", "100", "2"]}])

    def test_values_skip_null_and_one_value_is_single(self):
        r = rows("search index=* | stats values(user) AS u by host", self.EV)
        self.assertEqual(r, [{"host": "a", "u": ["x", "y"]}, {"host": "b", "u": ["", "x"]}])
        ev = events({"u": "only"}, {})
        self.assertEqual(rows("search index=* | stats values(u) AS v", ev), [{"v": "only"}])

    def test_list_keeps_order_and_duplicates(self):
        ev = events({"n": "b"}, {"n": "a"}, {"n": "b"}, start="2024-06-01T10:00:00Z")
        # events come newest first; equal times keep their order
        self.assertEqual(rows("search index=* | stats list(n) AS l", ev), [{"l": ["b", "a", "b"]}])

    def test_values_and_dc_of_eval(self):
        # "The function can be applied to an eval expression" [stats]: coalesce() makes the
        # missing value "" a value; if(…, x, null()) leaves it out
        r = rows('search index=* | stats values(eval(coalesce(host, ""))) AS h dc(eval(coalesce(host, ""))) AS n '
                 'dc(eval(if(user!="", user, null()))) AS u', self.EV)
        self.assertEqual(r, [{"h": ["", "a", "b"], "n": 3, "u": 3}])

    def test_stdev_is_the_sample_one(self):
        # [stats-functions] stdev "Returns the sample standard deviation", stdevp the population one:
        # 2, 4, 4, 4, 5, 5, 7, 9 has mean 5 and squared deviations summing to 32, so 32 / 7
        ev = events(*({"n": str(k)} for k in (2, 4, 4, 4, 5, 5, 7, 9)), {"n": "x"}, {})
        (r,) = rows("search index=* | stats stdev(n) AS s", ev)
        self.assertAlmostEqual(r["s"], (32 / 7) ** 0.5)
        with self.assertRaises(Unsupported):  # one value: n - 1 = 0, not modelled
            rows("search index=* | stats stdev(n) AS s", events({"n": "3"}))

    def test_count_of_eval(self):
        r = rows('search index=* | stats count(eval(user=="x")) AS xs', self.EV)
        self.assertEqual(r, [{"xs": 2}])

    def test_no_events_gives_one_row(self):
        self.assertEqual(rows("search index=* | where 1==2 | stats count", self.EV), [{"count": 0}])

    def test_streamstats_count_numbers_results(self):
        # [streamstats] `streamstats count` is a running count: 1, 2, 3 … in result order
        r = rows("search index=* | streamstats count AS n | table host n", self.EV)
        self.assertEqual([x["n"] for x in r], [1, 2, 3, 4, 5])
        with self.assertRaises(Unsupported):
            rows("search index=* | streamstats sum(bytes) AS s", self.EV)

    def test_streamstats_last_of_the_result_before(self):
        # [streamstats] current=f leaves the current result out, window=1 keeps one: the value
        # of the result right before; none on the first, none where that result lacks the field
        r = rows("search index=* | streamstats current=f window=1 last(host) AS ph, last(user) AS pu"
                 " | table host ph pu", self.EV)
        self.assertEqual([x.get("ph") for x in r], [None, "a", "a", "b", None])
        self.assertNotIn("ph", r[0])
        self.assertEqual(r, rows("search index=* | streamstats current=f window=1 last(host) AS ph"
                                 " last(user) AS pu | table host ph pu", self.EV))
        with self.assertRaises(Unsupported):
            rows("search index=* | streamstats current=f window=2 last(host) AS ph", self.EV)
        with self.assertRaises(Unsupported):
            rows("search index=* | streamstats window=1 last(host) AS ph", self.EV)

    def test_reverse_turns_the_results_around(self):
        # [reverse] "Reverses the order of the results"
        fwd = rows("search index=* | table host bytes", self.EV)
        back = rows("search index=* | reverse | table host bytes", self.EV)
        self.assertEqual(back, list(reversed(fwd)))
        prev_of_reversed = rows("search index=* | reverse | streamstats current=f window=1"
                                " last(bytes) AS nb | reverse | table bytes nb", self.EV)
        self.assertEqual([x.get("nb") for x in prev_of_reversed],
                         [x.get("bytes") for x in fwd[1:]] + [None])

    def test_eventstats_adds_to_every_event(self):
        r = rows("search index=* | eventstats count AS n by host | table host n", self.EV)
        self.assertEqual(r, [{"host": "a", "n": 2}, {"host": "a", "n": 2}, {"host": "b", "n": 2}, {}, {"host": "b", "n": 2}])


class Sort(unittest.TestCase):
    # [sort][sort-spl2][lexicographical-order]
    def test_numbers_then_missing_last_both_ways(self):
        ev = events({"p": "80"}, {}, {"p": "443"}, {"p": "8080"})
        self.assertEqual(ids("search index=* | sort 0 p", ev), [1, 3, 4, 2])
        self.assertEqual(ids("search index=* | sort 0 -p", ev), [4, 3, 1, 2])

    def test_text_is_lexicographic_uppercase_first(self):
        ev = events(*({"id": x} for x in ("SF-01", "pz-05", "BS-09", "MB-07", "DC-02", "PZ-05", "mb-07")))
        got = [r["id"] for r in rows("search index=* | sort 0 id", ev)]
        self.assertEqual(got, ["BS-09", "DC-02", "MB-07", "PZ-05", "SF-01", "mb-07", "pz-05"])

    def test_text_starting_with_a_number_is_refused_when_the_readings_differ(self):
        # ISO timestamps of one year tie on their leading number but differ as text; so do
        # IP addresses (their own collating sequence)
        ev = events({"t": "2024-05-01T12:00:00Z"}, {"t": "2024-05-01T13:00:00Z"})
        with self.assertRaises(Unsupported):
            ids("search index=* | sort 0 t", ev)
        ev = events({"ip": "10.0.0.2"}, {"ip": "10.0.0.10"})
        with self.assertRaises(Unsupported):
            ids("search index=* | sort 0 ip", ev)
        # where both readings agree, it sorts
        ev = events({"v": "2b"}, {"v": "1a"}, {"v": "x"})
        self.assertEqual(ids("search index=* | sort 0 v", ev), [2, 1, 3])

    def test_default_limit_is_10000(self):
        ev = events(*({"n": str(k)} for k in range(10001)))
        self.assertEqual(len(run_spl("search index=* | sort n", ev, NOW).rows), 10000)
        self.assertEqual(len(run_spl("search index=* | sort 0 n", ev, NOW).rows), 10001)

    def test_head_default_10(self):
        ev = events(*({} for _ in range(12)))
        self.assertEqual(len(ids("search index=* | head", ev)), 10)


class Dedup(unittest.TestCase):
    # [dedup] first result per value; results without the field are removed (keepempty=false)
    def test_keeps_first_and_drops_missing(self):
        ev = events({"u": "a", "n": "1"}, {"u": "a", "n": "2"}, {"n": "3"}, {"u": "b", "n": "4"})
        self.assertEqual(ids("search index=* | sort 0 -n | dedup u", ev), [4, 2])


class Fields(unittest.TestCase):
    EV = events({"a": "1", "b": "2", "c": "3"})

    def test_table_keeps_listed_fields_in_order(self):
        r = run_spl("search index=* | table c a", self.EV, NOW)
        self.assertEqual(r.columns, ["c", "a"])
        self.assertEqual({k: v for k, v in r.rows[0].items() if k != "__id"}, {"c": "3", "a": "1"})

    def test_table_wildcard_takes_the_other_fields_not_internal_ones(self):
        r = run_spl("search index=* | table c *", self.EV, NOW)
        self.assertEqual(r.columns, ["c", "TimeGenerated", "a", "b", "index", "sourcetype"])
        self.assertNotIn("_raw", r.rows[0])

    def test_fields_wildcards(self):
        self.assertEqual(rows("search index=* | fields - a* | table a b c", self.EV), [{"b": "2", "c": "3"}])

    def test_fields_minus_and_rename(self):
        self.assertEqual(rows("search index=* | fields - b | rename a AS x | table x c", self.EV), [{"x": "1", "c": "3"}])


class Combining(unittest.TestCase):
    # [join][append][mvexpand][rex]
    EV = {"L": [{"_id": 1, "TimeGenerated": "2024-06-01T10:00:00Z", "k": "a", "v": "l1"},
                {"_id": 2, "TimeGenerated": "2024-06-01T10:00:01Z", "k": "b", "v": "l2"},
                {"_id": 3, "TimeGenerated": "2024-06-01T10:00:02Z", "v": "l3"}],
          "R": [{"_id": 11, "TimeGenerated": "2024-06-01T09:00:00Z", "k": "a", "w": "r1"},
                {"_id": 12, "TimeGenerated": "2024-06-01T09:00:01Z", "k": "a", "w": "r2"}]}

    def test_join_default_is_inner_first_match(self):
        # "By default, only the first row of the right-side dataset that matches … is returned"
        r = rows('search sourcetype="L" | join k [search sourcetype="R"] | table k v w', self.EV)
        self.assertEqual(r, [{"k": "a", "v": "l1", "w": "r2"}])

    def test_join_max_0_returns_all_and_left_keeps_unmatched(self):
        r = rows('search sourcetype="L" | join type=left max=0 k [search sourcetype="R"] | table k v w', self.EV)
        self.assertEqual(r, [{"v": "l3"}, {"k": "b", "v": "l2"}, {"k": "a", "v": "l1", "w": "r2"},
                             {"k": "a", "v": "l1", "w": "r1"}])

    def test_append(self):
        self.assertEqual(ids('search sourcetype="L" | head 1 | append [search sourcetype="R" | head 1]', self.EV), [3, 12])

    def test_search_over_several_sourcetypes(self):
        # [search] `(sourcetype=L OR sourcetype=R)`: the events of both
        self.assertEqual(sorted(ids('search index=* (sourcetype="L" OR sourcetype="R")', self.EV)), [1, 2, 3, 11, 12])

    def test_multisearch_returns_every_legs_events(self):
        # [multisearch] | multisearch [search …] [search …]: both streaming searches' events
        q = '| multisearch [search index=* sourcetype="L" | where k=="a"] [search index=* sourcetype="R" | eval x=1]'
        self.assertEqual(sorted(ids(q, self.EV)), [1, 11, 12])

    def test_multisearch_rules(self):
        # at least two subsearches; only streaming commands; a generating command comes first
        with self.assertRaises(SplError):
            ids('| multisearch [search index=* sourcetype="L"]', self.EV)
        with self.assertRaises(SplError):
            ids('| multisearch [search sourcetype="L" | table k] [search sourcetype="R"]', self.EV)
        with self.assertRaises(SplError):
            ids('search sourcetype="L" | multisearch [search sourcetype="L"] [search sourcetype="R"]', self.EV)

    def test_mvexpand(self):
        ev = events({"t": ["x", "y"]})
        self.assertEqual(rows("search index=* | mvexpand t{} | table t{}", ev), [{"t{}": "x"}, {"t{}": "y"}])

    def test_mvexpand_repeats_the_other_fields(self):
        # the [mvexpand] page's example: a=1, b=x, c=V1,V2,V3 and a=2, b=y, c=V4,V5; `mvexpand c`
        # gives one row per value of c, a and b repeated (5 rows)
        ev = events({"a": "1", "b": "x", "c": ["V1", "V2", "V3"]}, {"a": "2", "b": "y", "c": ["V4", "V5"]})
        r = rows("search index=* | eval c='c{}' | mvexpand c | table a b c", ev)
        self.assertEqual(sorted((x["a"], x["b"], x["c"]) for x in r),
                         [("1", "x", "V1"), ("1", "x", "V2"), ("1", "x", "V3"), ("2", "y", "V4"), ("2", "y", "V5")])

    def test_rex_leaves_a_result_that_does_not_match_unchanged(self):
        # [rex]: the named groups of a match become fields; no match sets nothing
        ev = events({"msg": "user=alice", "u": "old"}, {"msg": "nothing", "u": "old"})
        r = rows('search index=* | rex field=msg "user=(?<u>\\w+)" | table u', ev)
        self.assertEqual(sorted(x["u"] for x in r), ["alice", "old"])

    def test_rex_max_match_zero_gives_every_match(self):
        # [rex] max_match: "If greater than 1, the resulting fields are multivalued fields. Use 0
        # to mean unlimited."; a result that does not match is left unchanged (no field).
        ev = events({"msg": "a1 b22 c333"}, {"msg": "none"}, {"msg": "x9"})
        r = rows('search index=* | rex field=msg "(?<d>\\d+)" max_match=0 | table msg d', ev)
        self.assertEqual(r, [{"msg": "a1 b22 c333", "d": ["1", "22", "333"]},
                             {"msg": "none"}, {"msg": "x9", "d": "9"}])
        two = rows('search index=* | rex field=msg max_match=2 "(?<d>\\d+)" | table d', events({"msg": "a1 b22 c333"}))
        self.assertEqual(two, [{"d": ["1", "22"]}])

    def test_rex_named_groups(self):
        # rex field=_raw "From: <(?<from>.*)> To: <(?<to>.*)>"
        ev = events({"msg": "From: <a@x> To: <b@y>"})
        self.assertEqual(rows('search index=* | rex field=msg "From: <(?<from>.*)> To: <(?<to>.*)>" | table from to', ev),
                         [{"from": "a@x", "to": "b@y"}])


class EventModel(unittest.TestCase):
    # [spath] JSON extraction names leaves only: X.a, X{}, X{}.b — never X for an object
    def test_leaves_only(self):
        ev = events({"X": {"a": {"b": "v"}, "arr": [1, 2], "objs": [{"n": "p"}, {"n": "q"}]}, "S": '{"a":1}'})
        r = run_spl("search index=*", ev, NOW).rows[0]
        self.assertEqual(r["X.a.b"], "v")
        self.assertEqual(r["X.arr{}"], ["1", "2"])
        self.assertEqual(r["X.objs{}.n"], ["p", "q"])
        self.assertNotIn("X", r)
        self.assertNotIn("X.a", r)
        self.assertEqual(r["S"], '{"a":1}')

    def test_null_is_absent_and_empty_is_a_value(self):
        r = run_spl("search index=*", events({"a": None, "b": ""}), NOW).rows[0]
        self.assertNotIn("a", r)
        self.assertEqual(r["b"], "")

    def test_unmodelled_command_is_named(self):
        with self.assertRaises(Unsupported) as cm:
            ids("search index=* | transaction u", events({}))
        self.assertIn("transaction", str(cm.exception))


if __name__ == "__main__":
    unittest.main()


class Subsearches(unittest.TestCase):
    # [about-subsearches][change-the-format][format][correlate-events][inputlookup]
    EV = {"L": [{"_id": 1, "TimeGenerated": "2024-06-01T10:00:00Z", "host": "crashy", "v": "l1"},
                {"_id": 2, "TimeGenerated": "2024-06-01T10:00:01Z", "host": "web", "v": "l2"},
                {"_id": 3, "TimeGenerated": "2024-06-01T10:00:02Z", "v": "l3"}],
          "R": [{"_id": 11, "TimeGenerated": "2024-06-01T10:00:00Z", "host": "crashy", "n": "9"},
                {"_id": 12, "TimeGenerated": "2024-06-01T10:00:01Z", "host": "other", "n": "1"}],
          "watchlist:hosts": [{"_id": 21, "host": "WEB", "kind": "dc"}, {"_id": 22, "host": "x", "kind": "pc"}]}

    def test_subsearch_parameterises_the_search(self):
        # the About subsearches example: `sourcetype=syslog [search … | top limit=1 host |
        # fields + host]` searches the events of the host the subsearch returns
        q = 'search sourcetype="L" [search sourcetype="R" n="9" | fields host]'
        self.assertEqual(ids(q, self.EV), [1])

    def test_not_subsearch_is_not_in(self):
        # [correlate-events] `NOT [search … | fields field_val]` is SQL's NOT IN: events
        # lacking the field are kept ([not-vs-neq])
        q = 'search sourcetype="L" NOT [search sourcetype="R" | fields host]'
        self.assertEqual(sorted(ids(q, self.EV)), [2, 3])

    def test_empty_subsearch_matches_nothing_and_its_negation_everything(self):
        # [format] emptystr: `NOT( )` when the results are empty
        self.assertEqual(ids('search sourcetype="L" [search sourcetype="R" n="0" | fields host]', self.EV), [])
        self.assertEqual(sorted(ids('search sourcetype="L" NOT [search sourcetype="R" n="0" | fields host]', self.EV)),
                         [1, 2, 3])

    def test_search_values_fold_case(self):
        # the formatted `host="WEB"` is a search comparison: values match in any case [case-sensitivity]
        self.assertEqual(ids('search sourcetype="L" [| inputlookup hosts | where kind=="dc" | fields host]', self.EV), [2])

    def test_format_output(self):
        from spl.commands import format_results
        from spl.values import FieldText
        self.assertEqual(format_results([]), "NOT( )")
        r = [{"a": FieldText("1"), "_time": 5.0, "b": FieldText("x")}, {"a": FieldText("2")}]
        self.assertEqual(format_results(r), '( ( a="1" AND b="x" ) OR ( a="2" ) )')
        with self.assertRaises(Unsupported):
            format_results([{"a": FieldText('say "hi"')}])

    def test_inputlookup_is_a_generating_command(self):
        r = rows("| inputlookup hosts | table host kind", self.EV)
        self.assertEqual(r, [{"host": "WEB", "kind": "dc"}, {"host": "x", "kind": "pc"}])
        with self.assertRaises(SplError):
            rows("| inputlookup nosuch", self.EV)
        with self.assertRaises(SplError):
            rows('search sourcetype="L" | inputlookup hosts', self.EV)

    def test_md5(self):
        from spl.tests.helpers import value
        self.assertEqual(value('md5("")'), "d41d8cd98f00b204e9800998ecf8427e")
        self.assertIsNone(value("md5(nosuch)"))


class ValueOfAnotherSearch(unittest.TestCase):
    # [join] type=left keeps a main result with no match, its fields unchanged; the join copies
    # the subsearch result's field values onto the main result as they are (no search text is
    # made of them, unlike a subsearch's implicit `format`, which the Subsearches tests show
    # quoting values). [eval-conditional] match(<str>, <regex>): the regex is an eval value.
    EV = {"L": [{"_id": 1, "TimeGenerated": "2024-06-01T10:00:00Z", "u": 'C:\\x "y"'},
                {"_id": 2, "TimeGenerated": "2024-06-01T10:00:01Z", "u": "adm-1"},
                {"_id": 3, "TimeGenerated": "2024-06-01T10:00:02Z"}],
          "watchlist:p": [{"_id": 21, "pat": "adm-.*", "kind": "a"}, {"_id": 22, "pat": 'C:\\\\x "y"', "kind": "a"},
                          {"_id": 23, "pat": "zzz", "kind": "b"}]}
    JOIN = ('search sourcetype="L" | eval k=1 | join type=left max=1 k [| inputlookup p | where kind=="{kind}" '
            '| stats list(pat) AS v | eval v="^(".coalesce(mvjoin(v, "|"), "").")$" | eval k=1 | table k v] '
            '| fields - k')

    def test_the_value_is_copied_onto_every_row_as_it_is(self):
        r = rows(self.JOIN.format(kind="a") + " | table u v", self.EV)
        self.assertEqual({x["v"] for x in r}, {'^(adm-.*|C:\\\\x "y")$'})
        self.assertEqual(len(r), 3)

    def test_a_regex_from_a_field_is_matched(self):
        q = self.JOIN.format(kind="a") + ' | where match(coalesce(u, ""), v)'
        self.assertEqual(sorted(ids(q, self.EV)), [1, 2])

    def test_no_lookup_row_gives_an_empty_list(self):
        # stats over no result still gives one result; list() of nothing is no field, so the
        # regex is ^()$, which only "" matches
        q = self.JOIN.format(kind="none") + ' | where match(coalesce(u, ""), v)'
        self.assertEqual(ids(q, self.EV), [3])

    def test_a_subsearch_with_no_result_leaves_the_field_null(self):
        q = ('search sourcetype="L" | eval k=1 | join type=left max=1 k [| inputlookup p | where kind=="none" '
             '| eval k=1 | table k pat] | where isnull(pat)')
        self.assertEqual(sorted(ids(q, self.EV)), [1, 2, 3])


class Lookups(unittest.TestCase):
    # [lookup] [lookup-matching]
    EV = {"T": [{"_id": 1, "TimeGenerated": "2024-06-01T10:00:00Z", "ip": "10.1.2.3"},
                {"_id": 2, "TimeGenerated": "2024-06-01T10:00:01Z", "ip": "10.9.9.9"},
                {"_id": 3, "TimeGenerated": "2024-06-01T10:00:02Z", "ip": "8.8.8.8"},
                {"_id": 4, "TimeGenerated": "2024-06-01T10:00:03Z", "ip": "not an address"},
                {"_id": 5, "TimeGenerated": "2024-06-01T10:00:04Z"}],
          "watchlist:nets": [{"_id": 21, "net": "10.1.0.0/16", "tag": "a"},
                             {"_id": 22, "net": "10.0.0.0/8", "tag": "b"}]}
    CIDR = {"nets": {"match_type": "CIDR(net)"}}

    def run_(self, q, defs=None):
        from spl import run_spl
        from spl.tests.helpers import NOW
        out = run_spl(q, self.EV, NOW, defs).rows
        return [(r["__id"], r.get("net"), r.get("tag")) for r in out]

    def test_cidr_match_gives_every_range_in_file_order(self):
        q = 'search sourcetype="T" | lookup nets net AS ip OUTPUT net tag'
        got = sorted(self.run_(q, self.CIDR))
        self.assertEqual(got, [(1, ["10.1.0.0/16", "10.0.0.0/8"], ["a", "b"]), (2, "10.0.0.0/8", "b"),
                               (3, None, None), (4, None, None), (5, None, None)])

    def test_max_matches_keeps_the_first_rows(self):
        defs = {"nets": {"match_type": "CIDR(net)", "max_matches": "1"}}
        got = sorted(self.run_('search sourcetype="T" | lookup nets net AS ip OUTPUT net', defs))
        self.assertEqual(got[0], (1, "10.1.0.0/16", None))

    def test_without_a_cidr_definition_only_equal_text_matches(self):
        got = sorted(self.run_('search sourcetype="T" | lookup nets net AS ip OUTPUT net'))
        self.assertTrue(all(n is None for _, n, _ in got))

    def test_mvexpand_gives_one_row_per_range(self):
        q = 'search sourcetype="T" | lookup nets net AS ip OUTPUT net | where isnotnull(net) | mvexpand net'
        self.assertEqual(sorted(self.run_(q, self.CIDR)),
                         [(1, "10.0.0.0/8", None), (1, "10.1.0.0/16", None), (2, "10.0.0.0/8", None)])

    def test_undocumented_corners_are_refused(self):
        with self.assertRaises(Unsupported):
            self.run_('search sourcetype="T" | lookup nets net AS ip OUTPUTNEW net', self.CIDR)
        with self.assertRaises(Unsupported):
            self.run_('search sourcetype="T" | eval net="x" | lookup nets net AS ip OUTPUT net', self.CIDR)
        with self.assertRaises(SplError):
            self.run_('search sourcetype="T" | lookup nosuch net AS ip OUTPUT net', self.CIDR)
