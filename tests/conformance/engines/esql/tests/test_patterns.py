"""LIKE and RLIKE: examples from the operators page, the regexp-syntax page and Lucene's RegExp
grammar; REPLACE's Java regexes."""
import re
import unittest

from support import employees, run

from java_regex import java_replacement, java_to_re
from patterns import PatternError, like_to_re, lucene_to_re
from syntax import Unsupported


def rl(pattern, value):
    return re.fullmatch(lucene_to_re(pattern), value, re.DOTALL) is not None


class Like(unittest.TestCase):
    # operators/like: WHERE first_name LIKE """?b*""" -> Ebbe, Eberhardt
    def test_documented_example(self):
        ix = employees([{"first_name": "Ebbe"}, {"first_name": "Eberhardt"}, {"first_name": "Anneke"}, {"first_name": "b"}])
        rows, _ = run('FROM employees | WHERE first_name LIKE """?b*""" | KEEP first_name', ix)
        self.assertEqual([r["first_name"] for r in rows], ["Ebbe", "Eberhardt"])

    # "Matching the exact characters * and . will require escaping": "foo \\* bar" and """foo \* bar"""
    def test_escaped_star(self):
        rows, _ = run('ROW message = "foo * bar" | WHERE message LIKE "foo \\\\* bar"')
        self.assertEqual(len(rows), 1)
        rows, _ = run('ROW message = "foo * bar" | WHERE message LIKE """foo \\* bar"""')
        self.assertEqual(len(rows), 1)
        rows, _ = run('ROW message = "foo x bar" | WHERE message LIKE """foo \\* bar"""')
        self.assertEqual(rows, [])

    # The same escape makes `?` and the backslash itself literal (Lucene's WildcardQuery: "\\"
    # escapes the next character); the pattern of a case-insensitive startswith/endswith that
    # kqlport writes as `TO_LOWER(f) LIKE` (issue 16).
    def test_escaped_question_mark_and_backslash(self):
        rows, _ = run('ROW m = "a?b" | WHERE m LIKE """a\\?b"""')
        self.assertEqual(len(rows), 1)
        rows, _ = run('ROW m = "axb" | WHERE m LIKE """a\\?b"""')
        self.assertEqual(rows, [])
        rows, _ = run('ROW m = "c:\\\\x" | WHERE m LIKE """c:\\\\x"""')
        self.assertEqual(len(rows), 1)
        rows, _ = run('ROW m = "c:x" | WHERE m LIKE """c:\\\\x"""')
        self.assertEqual(rows, [])
        # TO_LOWER folds the value first (its page: Unicode lower case), then the pattern applies
        rows, _ = run('ROW f = "C:\\\\TEMP\\\\*?\u00c9" | WHERE TO_LOWER(f) LIKE """c:\\\\temp\\\\\\*\\?*"""')
        self.assertEqual(len(rows), 1)
        rows, _ = run('ROW f = "C:\\\\TEMP\\\\ab" | WHERE TO_LOWER(f) LIKE """c:\\\\temp\\\\\\*\\?*"""')
        self.assertEqual(rows, [])

    # a list of patterns: true if any matches
    def test_pattern_list(self):
        rows, _ = run('ROW message = "foobar" | WHERE message like ("foo*", "bar?")')
        self.assertEqual(len(rows), 1)

    # LIKE matches the whole value, case-sensitively
    def test_whole_value(self):
        self.assertIsNone(re.fullmatch(like_to_re("tor"), "tor.exe"))
        self.assertIsNotNone(re.fullmatch(like_to_re("*tor*"), "x tor y"))
        self.assertIsNone(re.fullmatch(like_to_re("*TOR*"), "x tor y"))


class Rlike(unittest.TestCase):
    # operators/rlike: first_name RLIKE """.leja.*""" -> Alejandro
    def test_documented_example(self):
        ix = employees([{"first_name": "Alejandro"}, {"first_name": "Aleja"}, {"first_name": "leja"}])
        rows, _ = run('FROM employees | WHERE first_name RLIKE """.leja.*""" | KEEP first_name', ix)
        self.assertEqual([r["first_name"] for r in rows], ["Alejandro", "Aleja"])

    # "Matching special characters (eg. ., *, (...) will require escaping": "foo \\( bar"
    def test_escaped_paren(self):
        rows, _ = run('ROW message = "foo ( bar" | WHERE message RLIKE "foo \\\\( bar"')
        self.assertEqual(len(rows), 1)

    def test_pattern_list(self):
        rows, _ = run('ROW message = "foobar" | WHERE message RLIKE ("foo.*", "bar.")')
        self.assertEqual(len(rows), 1)

    # regexp-syntax, standard operators: each documented example
    def test_standard_operators(self):
        self.assertTrue(rl("ab.", "abz"))
        self.assertTrue(rl("abc?", "ab") and rl("abc?", "abc"))
        self.assertTrue(rl("ab+", "abbb") and not rl("ab+", "a"))
        self.assertTrue(rl("ab*", "a"))
        self.assertTrue(rl("a{2}", "aa") and not rl("a{2}", "aaa"))
        self.assertTrue(rl("a{2,4}", "aaaa") and not rl("a{2,4}", "aaaaa"))
        self.assertTrue(rl("a{2,}", "aaaaaa"))
        self.assertTrue(rl("abc|xyz", "xyz"))
        self.assertTrue(rl("abc(def)?", "abcdef") and not rl("abc(def)?", "abcd"))
        self.assertTrue(rl("[abc]", "b") and rl("[a-c]", "c") and rl("[-abc]", "-") and rl("[abc\\-]", "-"))
        self.assertTrue(rl("[^abc]", "d") and not rl("[^a-c]", "b") and not rl("[^-abc]", "-"))

    # "To use one of these characters literally, escape it with a preceding backslash or surround
    # it with double quotes": \@, \\, "john@smith.com"
    def test_literals(self):
        self.assertTrue(rl("\\@", "@"))
        self.assertTrue(rl("\\\\", "\\"))
        self.assertTrue(rl('"john@smith.com"', "john@smith.com"))

    # Lucene's RegExp grammar: `()` is the empty string; an alternation branch cannot be empty
    # (`a|)` reads `)` as a character, and the group is then unclosed). kqlport writes an IN of
    # literals, "" among them, as `RLIKE "(a|())"` (issue 16).
    def test_empty_group_and_branch(self):
        self.assertTrue(rl("(a\\.b|())", ""))
        self.assertTrue(rl("(a\\.b|())", "a.b"))
        self.assertFalse(rl("(a\\.b|())", "axb"))
        with self.assertRaises(PatternError):
            lucene_to_re("(a|)")

    # optional operators enabled by ES|QL (ALL): # is the empty language, @ any string
    def test_empty_and_anystring(self):
        self.assertTrue(rl("#|abc", "abc") and not rl("#|abc", ""))
        self.assertTrue(rl("@", "anything at all"))

    # the unmodelled optional operators are named, never guessed
    def test_unmodelled_operators(self):
        for p in ("aaa.+&.+bbb", "a~bc", "foo<1-100>"):
            with self.assertRaises(Unsupported):
                lucene_to_re(p)

    # "Lucene's regular expression engine does not support anchor operators ... the regular
    # expression must match the entire string": no partial match
    def test_whole_value(self):
        self.assertFalse(rl("tor", "x tor y"))
        self.assertTrue(rl(".*tor.*", "x tor y"))

    # Lucene's RegExp grammar: \d \s \w are ASCII classes; reserved characters are literal inside
    # a class; a backslash before another letter is an error; `.` matches a newline
    def test_lucene_grammar_details(self):
        self.assertTrue(rl("\\d+", "123") and not rl("\\d", "٣"))
        self.assertTrue(rl("[.]", ".") and not rl("[.]", "x"))
        self.assertTrue(rl("a.b", "a\nb"))
        with self.assertRaises(PatternError):
            lucene_to_re("\\q")


class JavaRegex(unittest.TestCase):
    # java.util.regex: . excludes line terminators unless (?s); \z is the end of input; $1 refers to a group
    def test_translation(self):
        self.assertIsNone(re.search(java_to_re("a.b"), "a\rb"))
        self.assertIsNotNone(re.search(java_to_re("(?s:a.b)"), "a\rb"))
        self.assertEqual(re.sub(java_to_re("(?: )\\z"), "", "x "), "x")
        self.assertEqual(re.sub(java_to_re("\\A(?: )"), "", " x"), "x")
        self.assertEqual(re.sub(java_to_re("(a)(b)"), java_replacement("$2$1\\$"), "ab"), "ba$")

    def test_unmodelled(self):
        for p in ("\\bword\\b", "\\p{L}", "[a-z&&[^b]]", "(?i)x"):
            with self.assertRaises(Unsupported):
                java_to_re(p)


if __name__ == "__main__":
    unittest.main()
