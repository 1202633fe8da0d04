"""The search command: field=value matching, NOT vs !=, Boolean order, wildcards, time."""

import unittest

from spl import Unsupported
from spl.tests.helpers import NOW, events, ids

# [not-vs-neq] "Difference between != and NOT": the ponies example, as its table gives it.
PONIES = events(
    {"ID": "101M3", "Name": "McIntosh", "Color": "Chestnut", "Location": "Marin Meadows"},
    {"ID": "104F5", "Name": "Lyra", "Color": "Bay"},
    {"ID": "104M6", "Name": "Rutherford", "Color": "Dun", "Location": "Placer Pastures"},
    {"ID": "101F2", "Name": "Rarity", "Location": "Marin Meadows"},
    {"ID": "102M7", "Name": "Dash", "Color": "Black", "Location": "Calaveras Farms"},
    {"ID": "102M1", "Name": "Roan"},
    {"ID": "101F6", "Name": "Chestnut", "Location": "Marin Meadows"},
    {"ID": "104F4", "Name": "Pinkie", "Color": "Sorrel", "Location": "Placer Pastures"},
    {"ID": "102M8", "Name": "Spike", "Color": "Grey", "Location": "Calaveras Farms"},
    table="Ponies",
)


class NotVersusNotEqual(unittest.TestCase):
    def test_neq_drops_events_without_the_field(self):
        # "Events that do not have a value in the field are not included in the results."
        self.assertEqual(sorted(ids('search Location!="Calaveras Farms"', PONIES)), [1, 3, 4, 7, 8])

    def test_not_keeps_events_without_the_field(self):
        # "This includes events that do not have a value in the field."
        self.assertEqual(sorted(ids('search NOT Location="Calaveras Farms"', PONIES)), [1, 2, 3, 4, 6, 7, 8])

    def test_neq_of_a_value_nobody_has_returns_every_event_with_the_field(self):
        # "If you search for a Location that does not exist using the != expression, all of the
        # events that have a Location value are returned."
        self.assertEqual(sorted(ids('search Location!="Nowhere"', PONIES)), [1, 3, 4, 5, 7, 8, 9])


class FieldValues(unittest.TestCase):
    EV = events({"name": "maria", "status": "404"}, {"name": "Maria", "status": "500"}, {"name": "mario", "status": "403"})

    def test_values_are_case_insensitive(self):
        # [case-sensitivity] field values in the search command are not case-sensitive
        self.assertEqual(ids("search name=MARIA", self.EV), [1, 2])

    def test_field_names_are_case_sensitive(self):
        self.assertEqual(ids("search Name=maria", self.EV), [])

    def test_where_is_case_sensitive(self):
        # [where] "The <eval-expression> is case-sensitive."
        self.assertEqual(ids('search index=* | where name=="maria"', self.EV), [1])

    def test_wildcard_matches_the_whole_value(self):
        # [wildcards] status=4* : 400, 404, ...; the value must match whole
        self.assertEqual(ids("search status=4*", self.EV), [1, 3])
        self.assertEqual(ids("search name=mari", self.EV), [])
        self.assertEqual(ids('search name="*ri*"', self.EV), [1, 2, 3])

    def test_in_is_or_of_values(self):
        self.assertEqual(ids("search status IN (404, 403)", self.EV), [1, 3])

    def test_comparison_operators_compare_numbers(self):
        self.assertEqual(ids("search status>=404", self.EV), [1, 2])

    def test_multivalue_matches_any_value(self):
        ev = events({"tags": ["a", "b"]}, {"tags": ["c"]})
        self.assertEqual(ids("search tags{}=b", ev), [1])

    def test_escaped_star_is_refused(self):
        # [spl-regex] "The backslash cannot be used to escape the asterisk in search strings."
        with self.assertRaises(Unsupported):
            ids(r'search name="a\*b"', self.EV)

    def test_bare_keyword_searches_raw(self):
        # [search-primer] keywords are matched against _raw: "404" is in the first event's JSON
        self.assertEqual(ids("search 404", self.EV), [1])
        self.assertEqual(ids("search error", self.EV), [])


class BooleanOrder(unittest.TestCase):
    # [boolean-expressions] search: parentheses, NOT, OR, AND — so `a b OR c` is a AND (b OR c)
    EV = events({"a": "1", "b": "0", "c": "1"}, {"a": "0", "b": "0", "c": "1"}, {"a": "1", "b": "1", "c": "0"})

    def test_or_binds_tighter_than_implied_and(self):
        self.assertEqual(ids("search a=1 b=1 OR c=1", self.EV), [1, 3])

    def test_not_binds_tightest(self):
        self.assertEqual(ids("search NOT a=1 OR b=1", self.EV), [2, 3])

    def test_where_and_binds_tighter_than_or(self):
        # in eval/where expressions NOT, then AND, then OR
        self.assertEqual(ids('search index=* | where a=="1" AND b=="1" OR c=="1"', self.EV), [1, 2, 3])
        self.assertEqual(ids('search index=* | where a=="1" AND (b=="1" OR c=="1")', self.EV), [1, 3])


class TimeModifiers(unittest.TestCase):
    # [time-modifiers] "finds every event with a timestamp greater than or equal to earliest and
    # less than latest"; [specify-time-modifiers] "If you omit latest, the current time (now) is used".
    EV = {"T": [{"_id": 1, "TimeGenerated": "2024-06-01T10:00:00Z"},
                {"_id": 2, "TimeGenerated": "2024-06-01T11:00:00Z"},
                {"_id": 3, "TimeGenerated": "2024-06-01T12:00:00Z"},
                {"_id": 4, "TimeGenerated": "2024-06-01T13:00:00Z"}]}

    def test_earliest_is_inclusive_and_latest_defaults_to_now(self):
        # now = 12:00: 11:00 is included (>= earliest), 12:00 and the future are not (< now)
        self.assertEqual(sorted(ids("search index=* earliest=-3600s", self.EV, NOW)), [2])

    def test_latest_is_exclusive(self):
        # "if latest=02:00:00 … The search does not return events with the exact timestamp"
        self.assertEqual(sorted(ids("search index=* earliest=-2h latest=-1h", self.EV, NOW)), [1])

    def test_snap_to_the_hour(self):
        self.assertEqual(sorted(ids("search index=* earliest=-1h@h latest=now", self.EV, NOW + 1800)), [2, 3])

    def test_exact_times_and_calendar_units(self):
        # earliest="10/5/2021:20:00:00" style exact times; mon/y units and snaps
        self.assertEqual(sorted(ids('search index=* earliest="06/01/2024:11:00:00" latest="06/01/2024:13:00:00"',
                                    self.EV, NOW)), [2, 3])
        self.assertEqual(sorted(ids("search index=* earliest=-1mon@mon latest=+1y", self.EV, NOW)), [1, 2, 3, 4])
        # latest is exclusive: 12:00 is not before @h = 12:00
        self.assertEqual(sorted(ids("search index=* earliest=@d latest=@h", self.EV, NOW + 1800)), [1, 2])

    def test_no_time_modifier_is_all_time(self):
        self.assertEqual(sorted(ids("search index=*", self.EV, NOW)), [1, 2, 3, 4])

    def test_events_come_newest_first(self):
        self.assertEqual(ids("search index=* | head 2", self.EV, NOW), [4, 3])


class Comments(unittest.TestCase):
    def test_triple_backtick_comment(self):
        # [comments] "enclose the comment in three backtick characters"
        ev = events({"a": "1"}, {"a": "2"})
        self.assertEqual(ids('search a=1 ```only ones | head 0``` | head 5', ev), [1])


class Segmentation(unittest.TestCase):
    """[event-segmentation] "Data is segmented by separating terms into smaller pieces, first
    with major breakers and then with minor breakers"; [segmenters] the default lists and which
    tokens are indexed; [term-case] TERM(); [search-primer] keywords search _raw."""

    # the page's own example line, held in a field of a JSON event
    EV = events({"msg": "91.205.189.15 - - [13/Aug/2022:18:22:16]"}, {"msg": "ip=127.0.0.1"},
                {"msg": "x~tor"}, {"msg": "TOR"})

    def test_minor_segments_are_terms(self):
        # "the IP address is broken into minor segments such as 91, 205, 189, and 15"
        self.assertEqual(ids("search 205", self.EV), [1])
        self.assertEqual(ids("search 15", self.EV), [1])
        self.assertEqual(ids("search 20", self.EV), [])

    def test_keywords_are_case_insensitive(self):
        # [term-case] "By default, searches are case-insensitive"
        self.assertEqual(ids("search tor", self.EV), [4])

    def test_a_non_breaker_does_not_split(self):
        # `~` is in neither list [segmenters]: `x~tor` is one term, so `tor` is not found
        # there, while the field value contains it
        self.assertEqual(ids("search tor", self.EV), [4])
        self.assertEqual(ids('search msg="*tor*"', self.EV), [3, 4])

    def test_term_matches_a_token_with_minor_breakers(self):
        # [term-case] "Match whatever is inside the parentheses as a single term in the index,
        # even if it contains characters that are usually recognized as minor breakers"
        self.assertEqual(ids("search TERM(91.205.189.15)", self.EV), [1])

    def test_term_needs_an_indexed_token(self):
        # [segmenters] tokens are indexed from the last *major* breaker: after `ip=` (a minor
        # breaker) the address alone is no token, `ip=127.0.0.1` and its prefixes are
        self.assertEqual(ids("search TERM(127.0.0.1)", self.EV), [])
        self.assertEqual(ids("search TERM(ip=127.0.0.1)", self.EV), [2])
        self.assertEqual(ids("search TERM(ip=127.0)", self.EV), [2])
        self.assertEqual(ids("search 127", self.EV), [2])

    def test_phrases_and_case_are_refused(self):
        with self.assertRaises(Unsupported):
            ids("search 127.0.0.1", self.EV)
        with self.assertRaises(Unsupported):
            ids("search CASE(tor)", self.EV)


class WildcardsAndPunctuation(unittest.TestCase):
    EV = events({"productID": "SC-MG-G01"}, {"productID": "SF-BVS-G01"}, {"productID": "sc-mg-g02"})

    def test_middle_wildcard_with_punctuation_is_refused(self):
        # [wildcards-8] productID="S*G01" … "That search will fail"; [event-segmentation]
        # "might return inconsistent results if the term contains punctuation"
        with self.assertRaises(Unsupported):
            ids('search productID="S*G01"', self.EV)

    def test_wildcards_at_the_ends(self):
        # [wildcards] "The best way to use a wildcard is at the end of a term"; values are
        # case-insensitive [case-sensitivity]
        self.assertEqual(ids('search productID="sc-*"', self.EV), [1, 3])
        self.assertEqual(ids('search productID="*G01"', self.EV), [1, 2])
        self.assertEqual(ids('search productID="*mg*"', self.EV), [1, 3])

    def test_exact_values_with_punctuation(self):
        # [event-segmentation] "To match a punctuation symbol … Specify the actual symbol."
        self.assertEqual(ids('search productID="sc-mg-g01"', self.EV), [1])


class FieldValueEdges(unittest.TestCase):
    def test_missing_field_never_matches(self):
        # [not-vs-neq]: only NOT keeps events without the field
        ev = events({"a": "x"}, {"b": "x"})
        self.assertEqual(ids('search a="x"', ev), [1])
        self.assertEqual(ids('search a="*"', ev), [1])
        self.assertEqual(ids('search NOT a="x"', ev), [2])

    def test_value_with_spaces_matches_the_whole_value(self):
        # [search] quote a value that holds spaces; the whole value must match
        ev = events({"L": "Marin Meadows"}, {"L": "Marin"}, {"L": "marin meadows east"})
        self.assertEqual(ids('search L="Marin Meadows"', ev), [1])
        self.assertEqual(ids('search L="marin*"', ev), [1, 2, 3])
        # a wildcard value spanning a major breaker: lookup undocumented, refused
        with self.assertRaises(Unsupported):
            ids('search L="marin meadows*"', ev)

    def test_multivalue_any_value_and_in(self):
        # [search] a multivalue field matches when one value does; IN is the OR of the values
        ev = events({"t": ["Alpha", "beta"]}, {"t": ["gamma"]}, {})
        self.assertEqual(ids('search t{}="BETA"', ev), [1])
        self.assertEqual(ids('search t{} IN ("*amm*", "alpha")', ev), [1, 2])


if __name__ == "__main__":
    unittest.main()
