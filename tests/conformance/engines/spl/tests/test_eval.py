"""where/eval expressions and functions, from the evaluation-function pages' examples."""

import unittest

from spl import SplError, Unsupported, run_spl
from spl.tests.helpers import NOW, cond, events, ids, value


class Conditional(unittest.TestCase):
    # [eval-conditional]
    def test_case_example(self):
        # eval description=case(status==200, "OK", status==404, "Not found", status==500, "Internal Server Error")
        expr = 'case(status==200, "OK", status==404, "Not found", status==500, "Internal Server Error")'
        self.assertEqual(value(expr, {"status": 404}), "Not found")
        # "The function defaults to NULL if none of the <condition> arguments are true."
        self.assertIsNone(value(expr, {"status": 302}))
        # true() as the default arm
        self.assertEqual(value('case(status==200, "OK", true(), "Other")', {"status": 302}), "Other")

    def test_cidrmatch_example(self):
        # eval isLocal=if(cidrmatch("123.132.32.0/25",ip), "local", "not local")
        expr = 'if(cidrmatch("123.132.32.0/25",ip), "local", "not local")'
        self.assertEqual(value(expr, {"ip": "123.132.32.5"}), "local")
        self.assertEqual(value(expr, {"ip": "123.132.32.200"}), "not local")

    def test_in_example(self):
        # eval error=if(in(status, "error", "failure", "severe"), "true", "false")
        expr = 'if(in(status, "error", "failure", "severe"), "true", "false")'
        self.assertEqual(value(expr, {"status": "failure"}), "true")
        self.assertEqual(value(expr, {"status": "Failure"}), "false")

    def test_like_percent_and_underscore(self):
        # like(field, "addr%"): % any characters, _ one character, whole value
        self.assertTrue(cond('like(ip, "198.%")', {"ip": "198.51.100.1"}))
        self.assertTrue(cond('like(code, "a_c")', {"code": "abc"}))
        self.assertFalse(cond('like(code, "a_c")', {"code": "abcd"}))
        self.assertTrue(cond('ip LIKE "198.%"', {"ip": "198.51.100.1"}))

    def test_match_is_a_substring_search(self):
        # "Returns TRUE if the regular expression finds a match against any substring"
        self.assertTrue(cond(r'match(ip, "^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")', {"ip": "10.1.2.3"}))
        self.assertTrue(cond('match(cmd, "exe")', {"cmd": "cmd.exe /c"}))
        self.assertFalse(cond('match(cmd, "EXE")', {"cmd": "cmd.exe /c"}))
        self.assertTrue(cond('match(cmd, "(?i)EXE")', {"cmd": "cmd.exe /c"}))

    def test_match_pcre_end_anchors(self):
        # PCRE \z is the very end; \Z also before a final newline
        self.assertTrue(cond(r'match(f, "exe\z")', {"f": "a.exe"}))
        self.assertFalse(cond(r'match(f, "exe\z")', {"f": "a.exe\n"}))
        self.assertTrue(cond(r'match(f, "exe\Z")', {"f": "a.exe\n"}))

    def test_pcre_constructs_re_lacks_are_refused(self):
        with self.assertRaises(Unsupported):
            cond(r'match(f, "a++b")', {"f": "aab"})
        with self.assertRaises(Unsupported):
            cond(r'match(f, "\w+")', {"f": "müller"})

    def test_coalesce_and_nullif(self):
        self.assertEqual(value('coalesce(missing, "", "x")'), "")
        self.assertEqual(value('coalesce(null(), "x")'), "x")
        self.assertIsNone(value('nullif(a, "1")', {"a": "1"}))

    def test_if_with_null_condition_takes_the_false_branch(self):
        self.assertEqual(value('if(missing=="a", "y", "n")'), "n")


class NullLogic(unittest.TestCase):
    # [where][not-vs-neq]: comparisons with a missing field are not TRUE; NOT of that neither
    def test_neq_on_missing_is_not_true(self):
        self.assertFalse(cond('f!="x"'))
        self.assertFalse(cond('NOT f=="x"'))
        self.assertTrue(cond('isnull(f) OR NOT f=="x"'))

    def test_and_or_with_null(self):
        self.assertTrue(cond('f=="x" OR a=="1"', {"a": "1"}))
        self.assertFalse(cond('f=="x" AND a=="1"', {"a": "1"}))

    def test_isnull_isnotnull(self):
        self.assertTrue(cond("isnull(f)"))
        self.assertTrue(cond("isnotnull(f)", {"f": ""}))

    def test_eval_of_a_boolean_is_an_error(self):
        # [eval] "The result of an eval expression cannot be a Boolean."
        with self.assertRaises(SplError):
            value('a=="1"', {"a": "1"})


class Comparison(unittest.TestCase):
    def test_numbers_compare_numerically(self):
        self.assertTrue(cond("p>100", {"p": 443}))
        self.assertTrue(cond("p==443", {"p": "443"}))
        self.assertTrue(cond("s<=1.5", {"s": 1.5}))

    def test_strings_compare_lexicographically(self):
        self.assertTrue(cond('a<"b"', {"a": "B"}))  # uppercase sorts before lowercase

    def test_numeric_text_against_numeric_string_is_refused_when_it_matters(self):
        with self.assertRaises(Unsupported):
            cond('p=="443"', {"p": "0443"})
        self.assertTrue(cond('p=="443"', {"p": "443"}))


class Text(unittest.TestCase):
    # [eval-text]
    def test_substr_examples(self):
        # substr("splunk", 1, 3) returns "spl"; substr("splunk", -3) returns "unk"
        self.assertEqual(value('substr("splunk", 1, 3)'), "spl")
        self.assertEqual(value('substr("splunk", -3)'), "unk")

    def test_replace_example(self):
        # replace(date, "^(\d{1,2})/(\d{1,2})/", "\2/\1/") swaps day and month
        self.assertEqual(value(r'replace(date, "^(\d{1,2})/(\d{1,2})/", "\2/\1/")', {"date": "1/14/2024"}), "14/1/2024")

    def test_lower_upper_len_trim(self):
        self.assertEqual(value("lower(a)", {"a": "TOR.EXE"}), "tor.exe")
        self.assertEqual(value("upper(a)", {"a": "alice"}), "ALICE")
        self.assertEqual(value("len(a)", {"a": "müller"}), 6)
        self.assertEqual(value('trim("  x  ")'), "x")

    def test_concatenation(self):
        # [eval-overview] "." concatenates, reading values as strings
        self.assertEqual(value('a.":".p', {"a": "pc1", "p": 443}), "pc1:443")
        self.assertIsNone(value('a.":".missing', {"a": "pc1"}))

    def test_string_literal_escapes(self):
        # [spl-regex] "\\" is one backslash; other escapes stay for the regex engine
        self.assertEqual(value(r'"C:\\Temp"'), "C:\\Temp")
        self.assertTrue(cond(r'match(p, "\\\\")', {"p": "a\\b"}))


class Conversion(unittest.TestCase):
    # [eval-conversion]
    def test_tonumber_examples(self):
        # tonumber("0A4",16) returns 164
        self.assertEqual(value('tonumber("0A4",16)'), 164)
        self.assertEqual(value('tonumber("12.5")'), 12.5)
        self.assertIsNone(value('tonumber("abc")'))

    def test_tostring_of_a_number(self):
        self.assertEqual(value("tostring(5)"), "5")


class Math(unittest.TestCase):
    def test_arithmetic_and_division_by_zero(self):
        # [eval-usage] "Division by zero results in a null field."
        self.assertEqual(value("floor(7 / 2) * 2"), 6)
        self.assertIsNone(value("1 / 0"))
        self.assertEqual(value("round(2.5)"), 3)
        self.assertEqual(value("abs(-3)"), 3)


def after(assignments: str, expr: str):
    """The value of an eval expression after an eval of `assignments` (None when null)."""
    rows = run_spl(f"search index=* | eval {assignments} | eval x={expr}", events({}), NOW).rows
    return rows[0].get("x")


class Multivalue(unittest.TestCase):
    # [mv-eval]
    def test_mvrange_excludes_the_end(self):
        # the [mv-eval] page's example: mvrange(1,11,2) is 1,3,5,7,9
        self.assertEqual(value("mvrange(1,11,2)"), [1, 3, 5, 7, 9])
        self.assertEqual(value("mvrange(0,1)"), 0)
        self.assertEqual(value("mvindex(mvrange(0,3), 2)"), 2)

    def test_split_mvindex_mvcount_mvjoin(self):
        self.assertEqual(value('mvindex(split("a,b,c,d", ","), 2)'), "c")
        self.assertEqual(value('mvindex(split("a,b,c,d", ","), -1)'), "d")
        self.assertEqual(value('mvindex(split("a,b,c,d", ","), 1, 2)'), ["b", "c"])
        self.assertIsNone(value('mvindex(split("a,b", ","), 5)'))
        self.assertEqual(value('mvcount(split("a,b,c", ","))'), 3)
        self.assertEqual(value('mvjoin(split("a,b,c", ","), ";")'), "a;b;c")
        self.assertIsNone(value("mvcount(missing)"))

    def test_one_value_is_a_single_value(self):
        self.assertEqual(value('split("abc", ",")'), "abc")

    def test_mvmap_reads_each_value_under_the_field_name(self):
        mv = 'a=split("x,y", ","), b=split("y,z", ","), c="one"'
        self.assertEqual(after(mv, 'mvmap(a, "+".a)'), ["+x", "+y"])
        self.assertEqual(after(mv, 'mvmap(a, if(isnull(mvfind(b, "^".a."\\\\z")), "1", "0"))'), ["1", "0"])
        self.assertEqual(after(mv, "mvmap(c, upper(c))"), "ONE")
        self.assertIsNone(value("mvmap(missing, \"x\")"))
        with self.assertRaises(Unsupported):
            after(mv, "mvmap(a, null())")

    def test_mvfilter_keeps_the_values_of_its_one_field(self):
        mv = 'h=split("+a,-b,+c", ","), g="-d"'
        self.assertEqual(after(mv, 'mvfilter(match(h, "^\\\\+"))'), ["+a", "+c"])
        self.assertIsNone(after(mv, 'mvfilter(match(g, "^\\\\+"))'))
        with self.assertRaises(SplError):
            after(mv, "mvfilter(h == g)")

    def test_mvsort_is_lexicographic(self):
        self.assertEqual(value('mvsort(split("10,9,100", ","))'), ["10", "100", "9"])


class Time(unittest.TestCase):
    # [eval-time][time-format], in UTC
    def test_strftime_and_strptime(self):
        self.assertEqual(value('strftime(1717243200, "%Y-%m-%dT%H:%M:%S")'), "2024-06-01T12:00:00")
        self.assertEqual(value('strptime("2024-06-01T12:00:00+0000", "%Y-%m-%dT%H:%M:%S%z")'), 1717243200)
        self.assertEqual(value('strftime(1717243200.25, "%H:%M:%S.%3N")'), "12:00:00.250")

    def test_now_and_relative_time(self):
        self.assertEqual(value("now()"), NOW)
        self.assertEqual(value('relative_time(now(), "-1d@d")'), NOW - 86400 - 12 * 3600)
        # 2024-06-01: one month back is 2024-05-01; snapped to the year, 2024-01-01
        self.assertEqual(value('relative_time(now(), "-1mon@d")'), 1714521600)
        self.assertEqual(value('relative_time(now(), "@y")'), 1704067200)
        self.assertEqual(value('relative_time(now(), "@q")'), 1711929600)


class Json(unittest.TestCase):
    # [json] json_extract: paths with dots and {N}; objects and arrays as JSON text
    def test_paths(self):
        ev = {"cities": [{"name": "London", "Bridges": [{"name": "Tower Bridge", "length": 801}]}]}
        self.assertEqual(value('json_extract(_raw, "cities{0}.name")', ev), "London")
        self.assertEqual(value('json_extract(_raw, "cities{0}.Bridges{0}.length")', ev), 801)
        self.assertEqual(value('json_extract(_raw, "cities{0}.Bridges{0}")', ev), '{"name":"Tower Bridge","length":801}')
        self.assertIsNone(value('json_extract(_raw, "cities{3}.name")', ev))

    def test_json_text_in_a_string_field_and_exact_keys(self):
        ev = {"d": '{"user.name":"dotted","user":{"name":"eve"}}'}
        self.assertEqual(value('json_extract(d, "user.name")', ev), "eve")
        self.assertEqual(value('json_extract_exact(d, "user.name")', ev), "dotted")
        self.assertIsNone(value('json_extract(d, "user")', {"d": "not json {"}))

    def test_json_array_to_mv(self):
        self.assertEqual(value('json_array_to_mv(json_extract(_raw, "a"))', {"a": ["x", "y"]}), ["x", "y"])


class Crypto(unittest.TestCase):
    # [eval-crypto]: md5("Hello World") -> b10a8db164e0754105b7a99be72e3fe5; sha256 likewise
    def test_md5_example_and_sha256(self):
        self.assertEqual(value('md5("Hello World")'), "b10a8db164e0754105b7a99be72e3fe5")
        self.assertEqual(value('sha256("World")'),
                         "78ae647dc5544d227130a0682a51e30bc7777fbb6d8a8f17007463a3ecd1d524")
        self.assertIsNone(value("sha256(missing)"))


class Logarithm(unittest.TestCase):
    # [eval-math]: log(<num>, <base>), base 10 by default: log(100) -> 2
    def test_log_with_and_without_base(self):
        self.assertAlmostEqual(value("log(100)"), 2.0)
        self.assertAlmostEqual(value("log(8, 2)"), 3.0)
        self.assertIsNone(value("log(missing, 2)"))
        with self.assertRaises(Unsupported):
            value("log(0, 2)")


class Unknown(unittest.TestCase):
    def test_unknown_function_and_command(self):
        with self.assertRaises(Unsupported):
            value("searchmatch(\"x\")")
        with self.assertRaises(Unsupported):
            ids("search index=* | transaction a", events({}))


if __name__ == "__main__":
    unittest.main()
