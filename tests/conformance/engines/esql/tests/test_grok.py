"""GROK: each test is an example from commands/grok, esql-process-data-with-dissect-and-grok or
Elastic's grok.csv-spec (the examples those pages include), and Oniguruma's doc/RE for the regex
rules the patterns rely on."""
import unittest

from support import index, run

from grok import to_python
from syntax import Unsupported


class Grok(unittest.TestCase):
    # grok.csv-spec simpleGrok: row a = "foo bar" | grok a "%{WORD:b} .*"
    def test_simple_grok(self):
        rows, res = run('ROW a = "foo bar" | GROK a "%{WORD:b} .*"')
        self.assertEqual(rows, [{"a": "foo bar", "b": "foo"}])
        self.assertEqual(res.columns["b"], "keyword")

    # grok.csv-spec manualPattern / manualPatternNoMatch (esql-custom-patterns: Oniguruma named
    # captures): no match gives null columns and keeps the row
    def test_custom_named_captures_and_no_match(self):
        q = 'ROW a = "{}" | GROK a "(?<b>[0-9a-z]{{4,11}}) (?<c>[0-9a-z]{{1,11}})"'
        rows, _ = run(q.format("asdf bar"))
        self.assertEqual(rows, [{"a": "asdf bar", "b": "asdf", "c": "bar"}])
        rows, _ = run(q.format("foo bar"))
        self.assertEqual(rows, [{"a": "foo bar", "b": None, "c": None}])

    # grok.csv-spec nullInputRow / nullOnePattern: a null input gives null columns
    def test_null_input(self):
        rows, _ = run('ROW n = null | GROK n "%{WORD:abc}"')
        self.assertEqual(rows, [{"n": None, "abc": None}])

    # commands/grok "If a field name conflicts with an existing column, the existing column is
    # discarded" (grok.csv-spec shadowing, shadowingSelf: the new column comes last)
    def test_a_captured_name_replaces_an_existing_column(self):
        rows, res = run('ROW left = "left", name = "Georgi1 Facello", right = "right" '
                        '| GROK name "%{WORD:name} %{WORD}"')
        self.assertEqual(rows, [{"left": "left", "right": "right", "name": "Georgi1"}])
        self.assertEqual(list(res.columns), ["left", "right", "name"])

    # commands/grok "If a field name is used more than once, a multi-valued column will be
    # created" (grok.csv-spec multivalueOutput)
    def test_a_name_used_twice_is_multivalued(self):
        rows, _ = run('ROW a = "foo bar" | GROK a "%{WORD:b} %{WORD:b}"')
        self.assertEqual(rows, [{"a": "foo bar", "b": ["foo", "bar"]}])

    # commands/grok "If the column has multiple values, GROK will process each value"
    # (grok.csv-spec multivalueInput: values that do not match add nothing)
    def test_a_multivalued_input_is_processed_value_by_value(self):
        ix = index("employees", {"job_positions": "keyword"}, [
            {"job_positions": ["Accountant", "Senior Python Developer"]},
            {"job_positions": ["Principal Support Engineer", "Senior Team Lead", "Tech Lead"]},
        ])
        rows, _ = run('FROM employees | GROK job_positions "%{WORD:a} %{WORD:b} %{WORD:c}" | KEEP a, b, c', ix)
        self.assertEqual(rows, [
            {"a": "Senior", "b": "Python", "c": "Developer"},
            {"a": ["Principal", "Senior"], "b": ["Support", "Team"], "c": ["Engineer", "Lead"]},
        ])

    # grok.csv-spec matchInBetween / matchAtTheEnd: the pattern is searched for anywhere in the
    # value, leftmost match first
    def test_the_match_is_searched_for_anywhere(self):
        rows, _ = run('ROW s = "123 Georgi Facello 123 456" | GROK s "(?<n>[0-9]+) (?<w>[A-Za-z]+)"')
        self.assertEqual(rows, [{"s": "123 Georgi Facello 123 456", "n": "123", "w": "Georgi"}])

    # esql-process-data-with-dissect-and-grok, "Regular expressions": special characters are
    # escaped with `\\`, itself doubled in an ES|QL string (grokWithEscape)
    def test_escaped_brackets(self):
        rows, _ = run('ROW a = "1.2.3.4 [2023-01-23T12:15:00.000Z] Connected" '
                      '| GROK a "(?<ip>[0-9.]+) \\\\[(?<ts>[^\\\\]]+)\\\\] (?<status>.*)"')
        self.assertEqual(rows[0]["ts"], "2023-01-23T12:15:00.000Z")
        self.assertEqual(rows[0]["status"], "Connected")

    # Oniguruma doc/RE (Ruby syntax): `.` excludes newline only; `^` is the beginning of any
    # line, `\A` of the string; lazy quantifiers take as little as they can
    def test_oniguruma_line_rules(self):
        rx, _ = to_python(r"(?<x>.*)")
        self.assertEqual(rx.search("ab\r\ncd").group("g0"), "ab\r")
        rx, _ = to_python(r"^(?<x>c.)")
        self.assertEqual(rx.search("ab\ncd").group("g0"), "cd")
        rx, _ = to_python(r"\A(?<x>c.)")
        self.assertIsNone(rx.search("ab\ncd"))
        rx, _ = to_python(r"=(?<x>[^\n]*?);")
        self.assertEqual(rx.search("a=1;b=2;").group("g0"), "1")

    # GrokCaptureConfig: a group that took part gives its text, "" when empty
    def test_an_empty_capture_is_the_empty_string(self):
        rows, _ = run('ROW a = "k=;" | GROK a "k=(?<v>[^;]*);"')
        self.assertEqual(rows, [{"a": "k=;", "v": ""}])

    def test_what_is_not_modelled_is_named(self):
        for p in [r"(?<x>\d+)", r"(?=a)", r"%{NUMBER:n}", r"%{WORD:n:int}", r"[[:alpha:]]"]:
            with self.assertRaises(Unsupported, msg=p):
                to_python(p)


if __name__ == "__main__":
    unittest.main()
