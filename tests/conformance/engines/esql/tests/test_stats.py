"""STATS, INLINE STATS and aggregate functions: examples from their documentation pages."""
import unittest

from support import employees, index, run


class Stats(unittest.TestCase):
    # commands/stats-by: "If the grouping key is multivalued then the input row is in all groups":
    # ROW i=1, a=["a", "b"] | STATS MIN(i) BY a | SORT a ASC
    def test_multivalued_key_in_every_group(self):
        rows, res = run('ROW i=1, a=["a", "b"] | STATS MIN(i) BY a | SORT a ASC')
        self.assertEqual(rows, [{"MIN(i)": 1, "a": "a"}, {"MIN(i)": 1, "a": "b"}])
        self.assertEqual(list(res.columns), ["MIN(i)", "a"])

    # ROW i=1, a=["a", "b"], b=[2, 3] | STATS MIN(i) BY a, b: every combination
    def test_several_multivalued_keys(self):
        rows, _ = run('ROW i=1, a=["a", "b"], b=[2, 3] | STATS MIN(i) BY a, b | SORT a ASC, b ASC')
        self.assertEqual([(r["a"], r["b"]) for r in rows], [("a", 2), ("a", 3), ("b", 2), ("b", 3)])

    # STATS count = COUNT(emp_no) BY languages: the rows without languages form a null group
    def test_null_key_is_its_own_group(self):
        ix = employees([{"emp_no": 1, "languages": 1}, {"emp_no": 2, "languages": 1}, {"emp_no": 3}])
        rows, _ = run("FROM employees | STATS count = COUNT(emp_no) BY languages | SORT languages", ix)
        self.assertEqual(rows, [{"count": 2, "languages": 1}, {"count": 1, "languages": None}])

    # "Omitting BY returns one row" (also over no rows: COUNT is 0, other aggregates null)
    def test_without_by_one_row(self):
        rows, _ = run("ROW n=1 | WHERE n < 0 | STATS COUNT(n)")
        self.assertEqual(rows, [{"COUNT(n)": 0}])

    # The filtered aggregates example: COUNT(*) WHERE ... per aggregate
    def test_aggregate_filters(self):
        ix = employees([{"salary": 30000}, {"salary": 50000}, {"salary": 70000}, {"salary": 45000}])
        rows, _ = run("FROM employees | EVAL Ks = salary / 1000 // thousands\n"
                      "| STATS under_40K = COUNT(*) WHERE Ks < 40, inbetween = COUNT(*) WHERE 40 <= Ks AND Ks < 60,"
                      " over_60K = COUNT(*) WHERE 60 <= Ks, total = COUNT(*)", ix)
        self.assertEqual(rows, [{"under_40K": 1, "inbetween": 2, "over_60K": 1, "total": 4}])

    # functions/std_dev: "The population standard deviation of a numeric field", also as part of
    # an expression over aggregates: 2, 4, 4, 4, 5, 5, 7, 9 has mean 5 and variance 32 / 8 = 4
    def test_std_dev_is_the_population_one(self):
        ix = employees([{"salary": s} for s in (2, 4, 4, 4, 5, 5, 7, 9)] + [{}])
        rows, _ = run("FROM employees | STATS s = STD_DEV(salary), t = STD_DEV(salary) * SQRT(COUNT(salary) / 7.0)", ix)
        self.assertEqual(rows[0]["s"], 2.0)
        self.assertAlmostEqual(rows[0]["t"], (32 / 7) ** 0.5)  # 2 * sqrt(8 / 7): the sample one

    # "If multiple columns have the same name, all but the rightmost column with this name will be ignored"
    def test_rightmost_duplicate_name_wins(self):
        rows, res = run("ROW a = 1, b = 2 | STATS x = MIN(a), x = MAX(b)")
        self.assertEqual(rows, [{"x": 2}])

    # An unnamed aggregate is named after its expression (STATS AVG(salary) -> `AVG(salary)`)
    def test_unnamed_aggregate(self):
        ix = employees([{"salary": 1}, {"salary": 2}])
        rows, _ = run("FROM employees | STATS AVG(salary) | EVAL r = ROUND(`AVG(salary)`)", ix)
        self.assertEqual(rows, [{"AVG(salary)": 1.5, "r": 2.0}])


class Aggregates(unittest.TestCase):
    # functions/count: COUNT(SPLIT(words, ";")) counts every value -> 6
    def test_count_counts_values(self):
        rows, _ = run('ROW words="foo;bar;baz;qux;quux;foo" | STATS word_count = COUNT(SPLIT(words, ";"))')
        self.assertEqual(rows, [{"word_count": 6}])

    # COUNT(n > 0 OR NULL), COUNT(n < 0 OR NULL) -> 1, 0 (COUNT(NULL) is 0)
    def test_count_of_three_valued_logic(self):
        rows, _ = run("ROW n=1 | STATS COUNT(n > 0 OR NULL), COUNT(n < 0 OR NULL)")
        self.assertEqual(rows, [{"COUNT(n > 0 OR NULL)": 1, "COUNT(n < 0 OR NULL)": 0}])

    # esql-null-values "Aggregates and NULL": rows = COUNT(*), values = COUNT(x), nulls = COUNT(NULL)
    # -> 1, 0, 0 (`nulls` back-quoted: the bundled 9.5 grammar reads it as the NULLS keyword)
    def test_count_star_and_nulls(self):
        rows, _ = run("ROW x = NULL | STATS rows = COUNT(*), values = COUNT(x), `nulls` = COUNT(NULL)")
        self.assertEqual(rows, [{"rows": 1, "values": 0, "nulls": 0}])

    # ROW x = NULL | STATS sum_x = SUM(TO_INTEGER(x)) -> null
    def test_sum_of_no_values_is_null(self):
        rows, _ = run("ROW x = NULL | STATS sum_x = SUM(TO_INTEGER(x))")
        self.assertEqual(rows, [{"sum_x": None}])

    # functions/count_distinct: COUNT_DISTINCT(SPLIT(words, ";")) -> 5
    def test_count_distinct(self):
        rows, _ = run('ROW words="foo;bar;baz;qux;quux;foo" | STATS distinct_word_count = COUNT_DISTINCT(SPLIT(words, ";"))')
        self.assertEqual(rows, [{"distinct_word_count": 5}])

    # functions/values: MV_SORT(VALUES(first_name)) BY first_letter; one value is a single value,
    # null first names collect nothing (the null group's VALUES is null)
    def test_values(self):
        ix = employees([{"first_name": "Anneke"}, {"first_name": "Alejandro"}, {"first_name": "Florian"}, {}])
        rows, _ = run("FROM employees | EVAL first_letter = SUBSTRING(first_name, 0, 1)"
                      " | STATS first_name=MV_SORT(VALUES(first_name)) BY first_letter | SORT first_letter", ix)
        self.assertEqual(rows, [{"first_name": ["Alejandro", "Anneke"], "first_letter": "A"},
                                {"first_name": "Florian", "first_letter": "F"},
                                {"first_name": None, "first_letter": None}])

    # functions/date_trunc with STATS: hires per year
    def test_date_histogram(self):
        ix = employees([{"emp_no": 1, "hire_date": "1985-02-01T00:00:00Z"}, {"emp_no": 2, "hire_date": "1985-11-21T00:00:00Z"},
                        {"emp_no": 3, "hire_date": "1986-08-28T00:00:00Z"}])
        rows, _ = run("FROM employees | EVAL year = DATE_TRUNC(1 year, hire_date) | STATS hires = COUNT(emp_no) BY year | SORT year", ix)
        self.assertEqual(rows, [{"hires": 2, "year": "1985-01-01T00:00:00.000Z"}, {"hires": 1, "year": "1986-01-01T00:00:00.000Z"}])

    # functions/case + AVG: the connection success rate example (CASE without default is null,
    # and AVG skips nulls)
    def test_avg_skips_nulls(self):
        ix = index("sample_data", {"message": "keyword"},
                   [{"message": "Connected to 10.1.0.1"}, {"message": "Connection error"},
                    {"message": "Connected to 10.1.0.2"}, {"message": "Connection error"}, {"message": "Disconnected"}])
        rows, _ = run('FROM sample_data | EVAL successful = CASE(STARTS_WITH(message, "Connected to"), 1, '
                      'message == "Connection error", 0) | STATS success_rate = AVG(successful)', ix)
        self.assertEqual(rows, [{"success_rate": 0.5}])


class InlineStats(unittest.TestCase):
    # commands/inlinestats-by: the aggregate is appended to every input row of the group, the
    # grouping key moves last
    def test_appends_to_every_row(self):
        ix = employees([{"emp_no": 1, "languages": 1, "salary": 10}, {"emp_no": 2, "languages": 1, "salary": 30},
                        {"emp_no": 3, "languages": 2, "salary": 20}])
        rows, res = run("FROM employees | KEEP emp_no, languages, salary | INLINE STATS max_salary = MAX(salary) BY languages", ix)
        self.assertEqual(list(res.columns), ["emp_no", "salary", "max_salary", "languages"])
        self.assertEqual([(r["emp_no"], r["max_salary"]) for r in rows], [(1, 30), (2, 30), (3, 20)])


if __name__ == "__main__":
    unittest.main()
