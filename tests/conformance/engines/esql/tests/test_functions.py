"""Scalar functions and operators: examples from their documentation pages."""
import unittest

from support import employees, index, run


def one(query, *ix, **kw):
    rows, _ = run(query, *ix, **kw)
    return rows


class Math(unittest.TestCase):
    # math-functions/sqrt: ROW d = 100.0 | EVAL s = SQRT(d) -> 10.0; "Square roots of negative
    # numbers and infinities are null"; the result is always a double
    def test_sqrt(self):
        self.assertEqual(one("ROW d = 100.0 | EVAL s = SQRT(d), i = SQRT(4), n = SQRT(-1.0)"),
                         [{"d": 100.0, "s": 10.0, "i": 2.0, "n": None}])


class Logarithm(unittest.TestCase):
    # math-functions/log: LOG(base, value) -> LOG(2.0, 8.0) = 3.0; LOG(100) = 4.605170185988092;
    # "Logs of zero, negative numbers, and base of one return null as well as a warning"
    def test_log(self):
        self.assertEqual(one("ROW base = 2.0, value = 8.0 | EVAL s = LOG(base, value)"),
                         [{"base": 2.0, "value": 8.0, "s": 3.0}])
        self.assertAlmostEqual(one("ROW value = 100 | EVAL s = LOG(value)")[0]["s"], 4.605170185988092)
        self.assertEqual(one("ROW v = 0 | EVAL s = LOG(2, v)")[0]["s"], None)


class Digests(unittest.TestCase):
    # string-functions/sha256: SHA256("Connected to 10.1.0.1") = 6d8372129ad7…d85c; md5 alike
    def test_sha256_md5(self):
        r = one('ROW m = "Connected to 10.1.0.1" | EVAL s = SHA256(m), h = MD5("Hello World")')[0]
        self.assertEqual(r["s"], "6d8372129ad78770f7185554dd39864749a62690216460752d6c075fa38ad85c")
        self.assertEqual(r["h"], "b10a8db164e0754105b7a99be72e3fe5")

    # string-functions/reverse: REVERSE("Some Text") = "txeT emoS"
    def test_reverse(self):
        self.assertEqual(one('ROW message = "Some Text" | EVAL r = REVERSE(message)')[0]["r"], "txeT emoS")


class DateFormat(unittest.TestCase):
    # date-time-functions/date_format: DATE_FORMAT("yyyy-MM-dd", hire_date) of
    # 1991-06-26T00:00:00.000Z is "1991-06-26"
    def test_date_format(self):
        r = one('ROW d = TO_DATETIME("1991-06-26T07:08:09.123Z") | EVAL a = DATE_FORMAT("yyyy-MM-dd", d), '
                'b = DATE_FORMAT("d/M/yy H:m:s.SS", d)')[0]
        self.assertEqual((r["a"], r["b"]), ("1991-06-26", "26/6/91 7:8:9.12"))


class Strings(unittest.TestCase):
    # string-functions/to_lower: ROW message = "Some Text" | EVAL message_lower = TO_LOWER(message)
    def test_to_lower(self):
        self.assertEqual(one('ROW message = "Some Text" | EVAL message_lower = TO_LOWER(message)'),
                         [{"message": "Some Text", "message_lower": "some text"}])

    def test_to_upper(self):
        self.assertEqual(one('ROW message = "Some Text" | EVAL message_upper = TO_UPPER(message)'),
                         [{"message": "Some Text", "message_upper": "SOME TEXT"}])

    # string-functions/locate: LOCATE(a, "ll") on "hello" -> 3 (positions from 1; 0 when absent)
    def test_locate(self):
        self.assertEqual(one('ROW a = "hello" | EVAL a_ll = LOCATE(a, "ll"), none = LOCATE(a, "z")'),
                         [{"a": "hello", "a_ll": 3, "none": 0}])

    # string-functions/substring: (1, 3), (-3, 3), (2) on last names
    def test_substring(self):
        ix = employees([{"last_name": "Awdeh"}, {"last_name": "Bernatsky"}])
        rows = one("FROM employees | KEEP last_name | EVAL a = SUBSTRING(last_name, 1, 3), "
                   "b = SUBSTRING(last_name, -3, 3), c = SUBSTRING(last_name, 2)", ix)
        self.assertEqual(rows, [{"last_name": "Awdeh", "a": "Awd", "b": "deh", "c": "wdeh"},
                                {"last_name": "Bernatsky", "a": "Ber", "b": "sky", "c": "ernatsky"}])

    # string-functions/starts_with: STARTS_WITH(last_name, "B")
    def test_starts_with(self):
        ix = employees([{"last_name": "Awdeh"}, {"last_name": "Baek"}])
        self.assertEqual(one('FROM employees | KEEP last_name | EVAL ln_S = STARTS_WITH(last_name, "B")', ix),
                         [{"last_name": "Awdeh", "ln_S": False}, {"last_name": "Baek", "ln_S": True}])

    # string-functions/ends_with: ENDS_WITH(last_name, "d")
    def test_ends_with(self):
        ix = employees([{"last_name": "Bamford"}, {"last_name": "Baek"}])
        self.assertEqual([r["ln_E"] for r in one('FROM employees | KEEP last_name | EVAL ln_E = ENDS_WITH(last_name, "d")', ix)],
                         [True, False])

    # string-functions/replace: REPLACE(str, "World", "Universe")
    def test_replace(self):
        self.assertEqual(one('ROW str = "Hello World" | EVAL str = REPLACE(str, "World", "Universe") | KEEP str'),
                         [{"str": "Hello Universe"}])

    # REPLACE's regex is Java's, the replacement refers to groups with $n
    def test_replace_groups(self):
        self.assertEqual(one(r'ROW s = "a-b" | EVAL t = REPLACE(s, "(\\w)-(\\w)", "$2-$1")'),
                         [{"s": "a-b", "t": "b-a"}])

    # string-functions/length: character length
    def test_length(self):
        self.assertEqual(one('ROW s = "müller" | EVAL n = LENGTH(s)'), [{"s": "müller", "n": 6}])

    # string-functions/concat: null if any argument is null
    def test_concat(self):
        self.assertEqual(one('ROW a = "x", b = NULL | EVAL c = CONCAT(a, "-", a), d = CONCAT(a, b)'),
                         [{"a": "x", "b": None, "c": "x-x", "d": None}])

    # string-functions/split
    def test_split(self):
        self.assertEqual(one('ROW words="foo;bar;baz;qux;quux;corge" | EVAL word = SPLIT(words, ";")')[0]["word"],
                         ["foo", "bar", "baz", "qux", "quux", "corge"])

    # string-functions/json_extract: the documented examples
    def test_json_extract(self):
        rows = one('ROW log = """{"severity":"ERROR","body":"Payment processing failed"}""" '
                   '| EVAL a = JSON_EXTRACT(log, "severity"), b = JSON_EXTRACT(log, "$.severity") | KEEP a, b')
        self.assertEqual(rows, [{"a": "ERROR", "b": "ERROR"}])
        rows = one('ROW log = """{"spans":[{"name":"auth","duration":12},{"name":"db-query","duration":45}]}""" '
                   '| EVAL span = JSON_EXTRACT(log, "spans[1].name") | KEEP span')
        self.assertEqual(rows, [{"span": "db-query"}])
        rows = one('ROW json = """["a","b","c"]""" | EVAL val = JSON_EXTRACT(json, "$[1]") | KEEP val')
        self.assertEqual(rows, [{"val": "b"}])
        rows = one('ROW log = """{"resource":{"service.name":"api-gateway","host.name":"api-server-03"},"severity":"INFO"}""" '
                   '| EVAL r = JSON_EXTRACT(log, "resource"), s = JSON_EXTRACT(log, "resource[\'service.name\']") | KEEP r, s')
        self.assertEqual(rows, [{"r": '{"service.name":"api-gateway","host.name":"api-server-03"}', "s": "api-gateway"}])

    # "Returns null and emits a warning if the input is not valid JSON ... the path does not exist"
    def test_json_extract_null_with_warning(self):
        rows, res = run('ROW a = "not json {", b = """{"x":1}""" | EVAL p = JSON_EXTRACT(a, "x"), q = JSON_EXTRACT(b, "y")')
        self.assertEqual((rows[0]["p"], rows[0]["q"]), (None, None))
        self.assertEqual(len(res.warnings), 2)


class Conditionals(unittest.TestCase):
    # conditional-functions-and-expressions/coalesce: ROW a=null, b="b" | EVAL COALESCE(a, b)
    def test_coalesce(self):
        self.assertEqual(one('ROW a=null, b="b" | EVAL COALESCE(a, b)'), [{"a": None, "b": "b", "COALESCE(a, b)": "b"}])

    # conditional-functions-and-expressions/case: monolingual / bilingual / polyglot
    def test_case(self):
        ix = employees([{"emp_no": 10001, "languages": 2}, {"emp_no": 10002, "languages": 5},
                        {"emp_no": 10005, "languages": 1}, {"emp_no": 10006}])
        rows = one('FROM employees | EVAL type = CASE(languages <= 1, "monolingual", languages <= 2, "bilingual", '
                   '"polyglot") | KEEP emp_no, languages, type', ix)
        self.assertEqual([r["type"] for r in rows], ["bilingual", "polyglot", "monolingual", "polyglot"])


class Conversions(unittest.TestCase):
    # type-conversion-functions/to_string: ROW a=10 | EVAL j = TO_STRING(a); and on [10, 9, 8]
    def test_to_string(self):
        self.assertEqual(one("ROW a=10 | EVAL j = TO_STRING(a)"), [{"a": 10, "j": "10"}])
        self.assertEqual(one("ROW a=[10, 9, 8] | EVAL j = TO_STRING(a)")[0]["j"], ["10", "9", "8"])

    # TO_STRING of a date is its ISO form with milliseconds; of a double, Java's spelling
    def test_to_string_date_and_double(self):
        rows = one('ROW d = TO_DATETIME("2023-03-08T00:00:00.000Z"), x = 1.0 | EVAL s = TO_STRING(d), t = TO_STRING(x)')
        self.assertEqual((rows[0]["s"], rows[0]["t"]), ("2023-03-08T00:00:00.000Z", "1.0"))

    # type-conversion-functions/to_integer: an unconvertible string is null with a warning
    def test_to_integer(self):
        rows, res = run('ROW long = [5013792, 2147483647, 501379200000] | EVAL int = TO_INTEGER(long)')
        self.assertEqual(rows[0]["int"], [5013792, 2147483647])
        self.assertTrue(res.warnings)
        rows, res = run('ROW s = "abc" | EVAL i = TO_INTEGER(s)')
        self.assertEqual(rows[0]["i"], None)
        self.assertTrue(res.warnings)

    # TO_LONG / TO_INTEGER of a double round (esql-core DataTypeConverter: ToLong.fromDouble ->
    # safeDoubleToLong(x) = Math.round(x) after a range check; ToInteger -> safeToInt(x) =
    # (int) Math.round(x)): Java's Math.round is the closest integer, ties toward positive
    # infinity (Math.round(2.5) = 3, Math.round(-1.5) = -1, Math.round(-1.6) = -2); and a keyword
    # that is not an integer is fromDouble(Double.parseDouble(s)).
    def test_to_long_of_double_rounds(self):
        rows = one("ROW d = [1.5, 1.4, 2.5, -1.5, -1.6, -0.5, 0.6] | EVAL l = TO_LONG(d), i = TO_INTEGER(d)")
        self.assertEqual(rows[0]["l"], [2, 1, 3, -1, -2, 0, 1])
        self.assertEqual(rows[0]["i"], [2, 1, 3, -1, -2, 0, 1])
        rows = one('ROW s = ["5.7", "-5.5", "1e3", "42"] | EVAL l = TO_LONG(s)')
        self.assertEqual(rows[0]["l"], [6, -5, 1000, 42])

    # Math.round(0.49999999999999994) is 0 since Java 7 (not floor(x + 0.5) = 1); safeToInt's
    # range check is on the double: 2147483647.4 is out of [integer] range (null, warning)
    def test_to_integer_round_edges(self):
        self.assertEqual(one("ROW d = 0.49999999999999994 | EVAL l = TO_LONG(d)")[0]["l"], 0)
        rows, res = run("ROW d = 2147483647.4 | EVAL i = TO_INTEGER(d)")
        self.assertEqual(rows[0]["i"], None)
        self.assertTrue(res.warnings)

    # type-conversion-functions/to_datetime: ISO strings convert, "1964-06-02 00:00:00" does not
    def test_to_datetime(self):
        rows, res = run('ROW string = ["1953-09-02T00:00:00.000Z", "1964-06-02T00:00:00.000Z", "1964-06-02 00:00:00"] '
                        '| EVAL datetime = TO_DATETIME(string)')
        self.assertEqual(rows[0]["datetime"], ["1953-09-02T00:00:00.000Z", "1964-06-02T00:00:00.000Z"])
        self.assertTrue(res.warnings)


class Dates(unittest.TestCase):
    # date-time-functions/date_trunc: DATE_TRUNC(1 year, hire_date)
    def test_date_trunc_year(self):
        ix = employees([{"first_name": "Alejandro", "hire_date": "1991-06-26T00:00:00Z"}])
        rows = one("FROM employees | KEEP first_name, hire_date | EVAL year_hired = DATE_TRUNC(1 year, hire_date)", ix)
        self.assertEqual(rows[0]["year_hired"], "1991-01-01T00:00:00.000Z")

    # DATE_TRUNC(1 hour, @timestamp) with the hourly error rate example
    def test_date_trunc_hour(self):
        ix = index("sample_data", {"@timestamp": "date", "message": "keyword"},
                   [{"@timestamp": "2023-10-23T12:15:03.360Z", "message": "Connected to 10.1.0.3"},
                    {"@timestamp": "2023-10-23T13:33:34.937Z", "message": "Connection error"},
                    {"@timestamp": "2023-10-23T13:51:54.732Z", "message": "Connected to 10.1.0.1"}])
        rows = one('FROM sample_data | EVAL error = CASE(message LIKE "*error*", 1, 0) '
                   '| EVAL hour = DATE_TRUNC(1 hour, @timestamp) | STATS error_rate = AVG(error) by hour | SORT hour', ix)
        self.assertEqual(rows, [{"error_rate": 0.0, "hour": "2023-10-23T12:00:00.000Z"},
                                {"error_rate": 0.5, "hour": "2023-10-23T13:00:00.000Z"}])

    # esql-time-spans: date arithmetic with a time span; NOW() is one value for the query
    def test_now_minus_span(self):
        rows = one("ROW a = 1 | EVAL t = NOW() - 7 days, u = NOW() - 1 hour", now="2024-05-08T12:00:00Z")
        self.assertEqual((rows[0]["t"], rows[0]["u"]), ("2024-05-01T12:00:00.000Z", "2024-05-08T11:00:00.000Z"))

    # implicit casting: a string literal compared with a date is a date
    def test_date_compared_with_string(self):
        ix = employees([{"emp_no": 1, "hire_date": "1985-02-01T00:00:00Z"}, {"emp_no": 2, "hire_date": "1990-01-01T00:00:00Z"}])
        self.assertEqual([r["emp_no"] for r in one('FROM employees | WHERE hire_date < "1986-01-01"', ix)], [1])


class Multivalue(unittest.TestCase):
    # esql-multivalued-fields: EVAL b + 2, a + b on a = 1, b = [2, 1] is null (with a warning)
    def test_operators_on_multivalues_are_null(self):
        ix = index("mv", {"a": "long", "b": "long"}, [{"a": 1, "b": [1, 2]}, {"a": 2, "b": 3}])
        rows, res = run("FROM mv | EVAL b + 2, a + b | LIMIT 4", ix)
        self.assertEqual([(r["b + 2"], r["a + b"]) for r in rows], [(None, None), (5, 5)])
        self.assertEqual(len(res.warnings), 2)

    # ... and MV_MIN first makes them single-valued
    def test_mv_min_fixes_it(self):
        ix = index("mv", {"a": "long", "b": "long"}, [{"a": 1, "b": [1, 2]}, {"a": 2, "b": 3}])
        rows = one("FROM mv | EVAL b=MV_MIN(b) | EVAL b + 2, a + b | LIMIT 4", ix)
        self.assertEqual(rows, [{"a": 1, "b": 1, "b + 2": 3, "a + b": 2}, {"a": 2, "b": 3, "b + 2": 5, "a + b": 5}])

    # mv-functions/mv_first: MV_FIRST(SPLIT(a, ";")) -> "foo"
    def test_mv_first(self):
        self.assertEqual(one('ROW a="foo;bar;baz" | EVAL first_a = MV_FIRST(SPLIT(a, ";"))')[0]["first_a"], "foo")

    # mv-functions/mv_slice: the four documented slices of [1, 2, 2, 3]
    def test_mv_slice(self):
        rows = one("row a = [1, 2, 2, 3] | eval a1 = mv_slice(a, 1), a2 = mv_slice(a, 2, 3), "
                   "a3 = mv_slice(a, -2), a4 = mv_slice(a, -3, -1)")
        self.assertEqual((rows[0]["a1"], rows[0]["a2"], rows[0]["a3"], rows[0]["a4"]), (2, [2, 3], 2, [2, 2, 3]))

    # a single-value function (TO_LOWER) on a multivalue is null with a warning
    def test_single_value_function(self):
        rows, res = run('ROW a = ["A", "B"] | EVAL l = TO_LOWER(a)')
        self.assertEqual(rows[0]["l"], None)
        self.assertTrue(res.warnings)

    # IS NULL of a multivalue is false; MV_COUNT counts its values
    def test_is_null_and_count(self):
        rows = one('ROW a = ["A", "B"] | EVAL n = a IS NULL, c = MV_COUNT(a)')
        self.assertEqual((rows[0]["n"], rows[0]["c"]), (False, 2))


class Ip(unittest.TestCase):
    # ip-functions/cidr_match: CIDR_MATCH(ip1, "127.0.0.2/32", "127.0.0.3/32")
    def test_cidr_match(self):
        ix = index("hosts", {"host": "keyword", "ip1": "keyword"},
                   [{"host": "alpha", "ip1": "127.0.0.1"}, {"host": "beta", "ip1": "127.0.0.2"},
                    {"host": "gamma", "ip1": "127.0.0.3"}])
        rows = one('FROM hosts | EVAL ip = TO_IP(ip1) | WHERE CIDR_MATCH(ip, "127.0.0.2/32", "127.0.0.3/32") | KEEP host', ix)
        self.assertEqual(rows, [{"host": "beta"}, {"host": "gamma"}])


class Arithmetic(unittest.TestCase):
    # operators: integer division rounds toward 0; division by zero is null with a warning
    def test_division(self):
        rows, res = run("ROW a = 7, b = -7 | EVAL x = a / 2, y = b / 2, z = a / 0, w = 7.0 / 2")
        self.assertEqual((rows[0]["x"], rows[0]["y"], rows[0]["z"], rows[0]["w"]), (3, -3, None, 3.5))
        self.assertTrue(res.warnings)


if __name__ == "__main__":
    unittest.main()
