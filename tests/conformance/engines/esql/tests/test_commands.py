"""Commands: each test is an example from the command's documentation page."""
import unittest

from support import employees, index, run

import expressions


class Where(unittest.TestCase):
    # esql-null-values, "WHERE and NULL": ROW x = NULL | WHERE x == NULL returns no rows
    def test_null_comparison_drops_the_row(self):
        rows, _ = run("ROW x = NULL | WHERE x == NULL")
        self.assertEqual(rows, [])

    # esql-null-values: ROW x = NULL | WHERE x IS NULL keeps the row
    def test_is_null_keeps_the_row(self):
        rows, _ = run("ROW x = NULL | WHERE x IS NULL")
        self.assertEqual(rows, [{"x": None}])

    # esql-null-values, "Comparisons and NULL": `process.name != "svchost.exe"` drops null
    # names; `... OR process.name IS NULL` keeps them; `NOT process.name == ...` drops them too
    def test_not_equal_drops_nulls_unless_asked(self):
        logs = index("logs", {"process.name": "keyword"},
                     [{"process.name": "svchost.exe"}, {"process.name": "cmd.exe"}, {}])
        rows, _ = run('FROM logs | WHERE process.name != "svchost.exe"', logs)
        self.assertEqual(rows, [{"process.name": "cmd.exe"}])
        rows, _ = run('FROM logs | WHERE process.name != "svchost.exe" OR process.name IS NULL', logs)
        self.assertEqual(rows, [{"process.name": "cmd.exe"}, {"process.name": None}])
        rows, _ = run('FROM logs | WHERE NOT process.name == "svchost.exe"', logs)
        self.assertEqual(rows, [{"process.name": "cmd.exe"}])


class Eval(unittest.TestCase):
    # commands/eval + esql-null-values: ROW department = NULL | EVAL department = COALESCE(department, "Unknown")
    def test_eval_replaces_a_column(self):
        rows, _ = run('ROW department = NULL | EVAL department = COALESCE(department, "Unknown")')
        self.assertEqual(rows, [{"department": "Unknown"}])

    # esql-null-values: x == NULL, x != NULL are null, x IS NULL is true
    def test_null_comparisons(self):
        rows, _ = run("ROW x = NULL | EVAL eq_null = x == NULL, neq_null = x != NULL, is_null = x IS NULL")
        self.assertEqual(rows, [{"x": None, "eq_null": None, "neq_null": None, "is_null": True}])


class Keep(unittest.TestCase):
    # commands/keep, keepCompleteName: a complete name beats a wildcard: KEEP first_name,
    # last_name, first_name* gives first_name, last_name
    def test_complete_name_has_precedence(self):
        ix = employees([{"first_name": "Georgi", "last_name": "Facello", "emp_no": 10001}])
        _, res = run("FROM employees | KEEP first_name, last_name, first_name*", ix)
        self.assertEqual(list(res.columns), ["first_name", "last_name"])

    # keepWildcardPrecedence: KEEP first_name*, last_name, first_na* -> last_name, first_name
    def test_rightmost_wildcard_wins(self):
        ix = employees([{"first_name": "Georgi", "last_name": "Facello", "emp_no": 10001}])
        _, res = run("FROM employees | KEEP first_name*, last_name, first_na*", ix)
        self.assertEqual(list(res.columns), ["last_name", "first_name"])

    # keepWildcardLowest: KEEP *, first_name puts first_name last
    def test_star_has_the_lowest_precedence(self):
        ix = employees([{"first_name": "Georgi", "last_name": "Facello", "emp_no": 10001}])
        _, res = run("FROM employees | KEEP *, first_name", ix)
        self.assertEqual(list(res.columns)[-1], "first_name")
        self.assertEqual(set(res.columns), set(ix.mapping))

    # An object has no column of its own, only its leaf fields (a dynamic column loaded as a
    # cluster maps it): KEEP of the object fails to verify, KEEP of its leaves works
    def test_keep_of_an_object_column_fails(self):
        ix = engine_index({"AuditLogs": {"TargetResources": "dynamic"}},
                          {"AuditLogs": [{"_id": 1, "TargetResources": [{"displayName": "App1"}]}]})
        with self.assertRaises(expressions.QueryError):
            run("FROM AuditLogs | KEEP TargetResources", ix)
        rows, _ = run("FROM AuditLogs | KEEP TargetResources.*", ix)
        self.assertEqual(rows, [{"TargetResources.displayName": "App1"}])


class Drop(unittest.TestCase):
    # commands/drop: DROP height*, a wildcard removes every matching column
    def test_drop_wildcard(self):
        ix = index("employees", {"height": "double", "height.float": "double", "emp_no": "integer"},
                   [{"height": 2.03, "height.float": 2.03, "emp_no": 1}])
        _, res = run("FROM employees | DROP height*", ix)
        self.assertEqual(list(res.columns), ["emp_no"])


class Rename(unittest.TestCase):
    # commands/rename: RENAME still_hired AS employed
    def test_rename(self):
        ix = employees([{"first_name": "A", "last_name": "B", "still_hired": True}])
        rows, _ = run("FROM employees | KEEP first_name, last_name, still_hired | RENAME still_hired AS employed", ix)
        self.assertEqual(rows, [{"first_name": "A", "last_name": "B", "employed": True}])

    # commands/rename: several renames in one command apply in order (renameMultipleColumns)
    def test_rename_several(self):
        ix = employees([{"first_name": "A", "last_name": "B"}])
        rows, res = run("FROM employees | KEEP first_name, last_name | RENAME first_name AS fn, last_name AS ln", ix)
        self.assertEqual(rows, [{"fn": "A", "ln": "B"}])
        self.assertEqual(list(res.columns), ["fn", "ln"])

    def test_rename_unknown_column_fails(self):
        with self.assertRaises(expressions.QueryError):
            run("ROW a = 1 | RENAME b AS c")


class Sort(unittest.TestCase):
    DOCS = [{"first_name": "a", "languages": 2}, {"first_name": "b"}, {"first_name": "c", "languages": 1}]

    # commands/sort: ascending by default, null is larger than any value (last ascending)
    def test_ascending_nulls_last(self):
        rows, _ = run("FROM employees | KEEP first_name, languages | SORT languages", employees(self.DOCS))
        self.assertEqual([r["first_name"] for r in rows], ["c", "a", "b"])

    # descending puts nulls first
    def test_descending_nulls_first(self):
        rows, _ = run("FROM employees | KEEP first_name, languages | SORT languages DESC", employees(self.DOCS))
        self.assertEqual([r["first_name"] for r in rows], ["b", "a", "c"])

    # sortNullsFirst: ASC NULLS FIRST
    def test_nulls_first(self):
        rows, _ = run("FROM employees | SORT languages ASC NULLS FIRST", employees(self.DOCS))
        self.assertEqual([r["first_name"] for r in rows], ["b", "c", "a"])

    # "Sorting on multivalued columns uses the lowest value when sorting ascending and the
    # highest value when sorting descending."
    def test_multivalue_sorts_by_lowest_or_highest(self):
        ix = index("t", {"k": "keyword", "v": "integer"}, [{"k": "x", "v": [1, 9]}, {"k": "y", "v": 5}])
        asc, _ = run("FROM t | SORT v", ix)
        desc, _ = run("FROM t | SORT v DESC", ix)
        self.assertEqual([r["k"] for r in asc], ["x", "y"])
        self.assertEqual([r["k"] for r in desc], ["x", "y"])


class Limit(unittest.TestCase):
    # commands/limit: LIMIT keeps the first rows
    def test_limit(self):
        rows, _ = run("ROW a = 1 | LIMIT 0")
        self.assertEqual(rows, [])


class MvExpand(unittest.TestCase):
    # commands/mv_expand (mv_expand.csv-spec/simple): ROW a=[1,2,3], b="b", j=["a","b"] | MV_EXPAND a
    def test_expand(self):
        rows, _ = run('ROW a=[1,2,3], b="b", j=["a","b"] | MV_EXPAND a')
        self.assertEqual(rows, [{"a": 1, "b": "b", "j": ["a", "b"]}, {"a": 2, "b": "b", "j": ["a", "b"]},
                                {"a": 3, "b": "b", "j": ["a", "b"]}])


class LookupJoin(unittest.TestCase):
    # esql-lookup-join: firewall_logs joined with threat_list on source.ip; WHERE threat_level
    # IS NOT NULL keeps the three matching rows (left join: unmatched rows get nulls)
    def setUp(self):
        self.threats = index("threat_list", {"source.ip": "keyword", "threat_level": "keyword", "threat_type": "keyword"},
                             [{"source.ip": "203.0.113.5", "threat_level": "high", "threat_type": "C2_SERVER"},
                              {"source.ip": "198.51.100.2", "threat_level": "medium", "threat_type": "SCANNER"}])
        self.logs = index("firewall_logs", {"timestamp": "date", "source.ip": "keyword", "action": "keyword"},
                          [{"timestamp": "2025-04-23T10:00:01Z", "source.ip": "192.0.2.1", "action": "allow"},
                           {"timestamp": "2025-04-23T10:00:05Z", "source.ip": "203.0.113.5", "action": "allow"},
                           {"timestamp": "2025-04-23T10:00:08Z", "source.ip": "198.51.100.2", "action": "block"},
                           {"timestamp": "2025-04-23T10:00:15Z", "source.ip": "203.0.113.5", "action": "allow"},
                           {"timestamp": "2025-04-23T10:00:30Z", "source.ip": "192.0.2.1", "action": "allow"}])

    def test_documented_example(self):
        rows, _ = run("FROM firewall_logs | LOOKUP JOIN threat_list ON source.ip | WHERE threat_level IS NOT NULL "
                      "| SORT timestamp | KEEP source.ip, action, threat_type, threat_level | LIMIT 10",
                      self.logs, self.threats)
        self.assertEqual(rows, [
            {"source.ip": "203.0.113.5", "action": "allow", "threat_type": "C2_SERVER", "threat_level": "high"},
            {"source.ip": "198.51.100.2", "action": "block", "threat_type": "SCANNER", "threat_level": "medium"},
            {"source.ip": "203.0.113.5", "action": "allow", "threat_type": "C2_SERVER", "threat_level": "high"}])

    def test_left_outer(self):
        rows, _ = run("FROM firewall_logs | LOOKUP JOIN threat_list ON source.ip", self.logs, self.threats)
        self.assertEqual(len(rows), 5)
        self.assertEqual(sum(r["threat_level"] is None for r in rows), 2)

    # "If multiple documents in the lookup index match a single row in your results, the output
    # will contain one row for each matching combination."; a name collision: "the new columns
    # override the existing ones"; a null key matches nothing
    def test_one_row_per_match_and_override(self):
        lk = index("lk", {"k": "keyword", "v": "keyword"}, [{"k": "a", "v": "L1"}, {"k": "a", "v": "L2"}])
        left = index("t", {"k": "keyword", "v": "keyword"}, [{"k": "a", "v": "left"}, {"v": "nokey"}])
        rows, _ = run("FROM t | LOOKUP JOIN lk ON k", left, lk)
        self.assertEqual(sorted((r["k"], r["v"]) for r in rows if r["k"]), [("a", "L1"), ("a", "L2")])
        self.assertEqual([r["v"] for r in rows if r["k"] is None], [None])

    # "If the fields contains multi-valued entries, those entries will not match anything"
    def test_multivalued_key_matches_nothing(self):
        lk = index("lk", {"k": "keyword", "v": "keyword"}, [{"k": "a", "v": "L1"}])
        left = index("t", {"k": "keyword"}, [{"k": ["a", "b"]}])
        rows, _ = run("FROM t | LOOKUP JOIN lk ON k", left, lk)
        self.assertEqual([r["v"] for r in rows], [None])


def engine_index(schema, events):
    from engine import load_index
    (table, cols), = schema.items()
    return load_index(table, cols, events[table])


if __name__ == "__main__":
    unittest.main()


class FromSeveralIndices(unittest.TestCase):
    # esql-multi-index ("Query multiple indices"): FROM a, b reads the documents of both; a
    # field one index does not map is null in its rows; METADATA _index names each row's index
    def test_rows_of_every_index_with_missing_fields_null(self):
        a = index("a", {"host": "keyword", "n": "long"}, [{"host": "x", "n": 1}, {"host": "x", "n": 1}])
        b = index("b", {"host": "keyword", "user": "keyword"}, [{"host": "y", "user": "u"}])
        rows, _ = run("FROM a, b METADATA _index | KEEP _index, host, n, user", a, b)
        self.assertEqual(sorted(rows, key=lambda r: (r["_index"], r["host"])), [
            {"_index": "a", "host": "x", "n": 1, "user": None},
            {"_index": "a", "host": "x", "n": 1, "user": None},  # duplicates kept
            {"_index": "b", "host": "y", "n": None, "user": "u"},
        ])

    # esql-multi-index, "Union types": a field mapped as different types in the indices cannot
    # be used without a conversion function
    def test_a_field_of_two_types_is_an_error_when_named(self):
        a = index("a", {"port": "long"}, [{"port": 1}])
        b = index("b", {"port": "keyword"}, [{"port": "1"}])
        with self.assertRaises(expressions.QueryError):
            run("FROM a, b | WHERE port == 1", a, b)

    # commands/from: an index that does not exist is an error
    def test_unknown_index(self):
        a = index("a", {"host": "keyword"}, [{"host": "x"}])
        with self.assertRaises(expressions.QueryError):
            run("FROM a, nope", a)


class Fork(unittest.TestCase):
    # commands/fork, first example: FROM employees | FORK (WHERE emp_no == 10001) (WHERE
    # emp_no == 10002) | KEEP emp_no, _fork | SORT emp_no gives 10001 fork1, 10002 fork2
    def test_each_branch_names_its_rows(self):
        ix = employees([{"emp_no": 10001}, {"emp_no": 10002}, {"emp_no": 10003}])
        rows, _ = run("FROM employees | FORK (WHERE emp_no == 10001) (WHERE emp_no == 10002)"
                      " | KEEP emp_no, _fork | SORT emp_no", ix)
        self.assertEqual(rows, [{"emp_no": 10001, "_fork": "fork1"}, {"emp_no": 10002, "_fork": "fork2"}])

    # "operate on the same input data": a row two branches keep comes out once from each
    def test_branches_read_the_same_rows(self):
        ix = employees([{"emp_no": 10001}, {"emp_no": 10002}])
        rows, _ = run("FROM employees | FORK (WHERE emp_no > 0) (WHERE emp_no == 10002)"
                      " | KEEP emp_no, _fork | SORT emp_no, _fork", ix)
        self.assertEqual([(r["emp_no"], r["_fork"]) for r in rows],
                         [(10001, "fork1"), (10002, "fork1"), (10002, "fork2")])

    # "FORK branches can output different columns … Missing columns are filled with null"
    # (the page's second example: a STATS branch beside a row branch)
    def test_missing_columns_are_null(self):
        ix = employees([{"emp_no": 10001, "salary": 5}, {"emp_no": 10002, "salary": 7}])
        rows, res = run("FROM employees | FORK (STATS total = SUM(salary)) (WHERE emp_no == 10001 | KEEP emp_no)"
                        " | SORT _fork", ix)
        self.assertEqual(rows, [{"total": 12, "emp_no": None, "_fork": "fork1"},
                                {"total": None, "emp_no": 10001, "_fork": "fork2"}])
        self.assertEqual(res.columns["_fork"], "keyword")

    # "Columns with the same name must have the same data type across all branches"
    def test_one_name_one_type(self):
        ix = employees([{"emp_no": 10001}])
        with self.assertRaises(expressions.QueryError):
            run("FROM employees | FORK (EVAL x = 1) (EVAL x = \"a\")", ix)

    # "FORK branches default to LIMIT 1000 if no LIMIT is provided"; an explicit LIMIT is kept
    def test_default_limit_is_1000(self):
        ix = employees([{"emp_no": i} for i in range(1, 1202)])
        rows, res = run("FROM employees | FORK (WHERE emp_no > 0) (WHERE emp_no > 0 | LIMIT 5000)"
                        " | STATS n = COUNT(*) BY _fork | SORT _fork", ix)
        self.assertEqual(rows, [{"n": 1000, "_fork": "fork1"}, {"n": 1201, "_fork": "fork2"}])
        self.assertTrue(any("LIMIT 1000" in c for c in res.caveats))

    # Limitations: "at most 8 execution branches", "more than one FORK command … not supported";
    # the parser needs two branches (elastic/elasticsearch#135825)
    def test_limitations(self):
        ix = employees([{"emp_no": 10001}])
        nine = " ".join("(WHERE emp_no > %d)" % i for i in range(9))
        for q in (f"FROM employees | FORK {nine}",
                  "FROM employees | FORK (WHERE emp_no > 0) (WHERE emp_no > 1) | FORK (LIMIT 1) (LIMIT 2)",
                  "FROM employees | FORK (WHERE emp_no > 0)"):
            with self.assertRaises(expressions.QueryError):
                run(q, ix)
