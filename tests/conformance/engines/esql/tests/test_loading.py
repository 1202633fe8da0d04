"""How a case's events load into an index: as Elasticsearch maps JSON documents ("Arrays",
"Dynamic field mapping", "coerce" mapping pages) and as "ES|QL multivalued fields" reads them."""
import unittest

from support import run

import case_runner
from engine import load_index
from expressions import QueryError
from syntax import Unsupported


class Loading(unittest.TestCase):
    SCHEMA = {"T": {"S": "string", "N": "long", "D": "dynamic", "J": "string"}}

    def events(self):
        return {"T": [
            {"_id": 1, "S": "x", "N": "7", "D": {"a": "v1", "arr": [{"k": "b"}, {"k": "a"}, {"k": "a"}]}, "J": '{"a": 1}'},
            {"_id": 2, "N": 3, "D": {"n": 5}},
        ]}

    def test_dynamic_is_leaf_fields_only(self):
        ix = load_index("T", self.SCHEMA["T"], self.events()["T"])
        self.assertNotIn("D", ix.mapping)
        self.assertEqual({k: v for k, v in ix.mapping.items() if k.startswith("D.")},
                         {"D.a": "keyword", "D.arr.k": "keyword", "D.n": "long"})
        # an array of objects flattens into one multivalued leaf; keyword values de-duplicated
        self.assertEqual(list(ix.docs[0]["D.arr.k"]), ["a", "b"])

    def test_json_text_stays_text(self):
        ix = load_index("T", self.SCHEMA["T"], self.events()["T"])
        self.assertEqual(ix.mapping["J"], "keyword")
        self.assertNotIn("J.a", ix.mapping)

    def test_numeric_string_is_coerced(self):
        ix = load_index("T", self.SCHEMA["T"], self.events()["T"])
        self.assertEqual(ix.docs[0]["N"], 7)

    def test_unindexable_value_is_unsupported(self):
        with self.assertRaises(Unsupported):
            load_index("T", {"N": "long"}, [{"_id": 1, "N": "seven"}])

    def test_object_and_json_path_fail_as_on_a_cluster(self):
        ix = load_index("T", self.SCHEMA["T"], self.events()["T"])
        for q in ("FROM T | KEEP D", "FROM T | WHERE J.a == \"1\"", "FROM T | EVAL x = D"):
            with self.assertRaises(QueryError, msg=q):
                run(q, ix)
        rows, _ = run('FROM T | EVAL a = JSON_EXTRACT(J, "a") | KEEP a', ix)
        self.assertEqual([r["a"] for r in rows], ["1", None])


class CaseRunner(unittest.TestCase):
    def test_materialisation_query_fills_the_lookup_index(self):
        q = ("// kqlport: the `join` below reads its right side from the lookup index `kqlport_lookup_1`: create it\n"
             "//   FROM R\n"
             "//   | EVAL K = RK\n"
             "//   | KEEP K, V\n"
             "//   | LIMIT 10000\n"
             "FROM L\n| LOOKUP JOIN kqlport_lookup_1 ON K\n| LIMIT 10000\n")
        schema = {"L": {"K": "string"}, "R": {"RK": "string", "V": "string"}}
        events = {"L": [{"_id": 1, "K": "a"}, {"_id": 2, "K": "b"}], "R": [{"_id": 9, "RK": "a", "V": "va"}]}
        out = case_runner.run_case(q, schema, events)
        self.assertTrue(out.get("ok"), out)
        self.assertEqual(sorted((r["K"], r["V"]) for r in out["table"]), [("a", "va"), ("b", None)])
        self.assertEqual(sorted(out["ids"]), [1, 2])

    def test_order_dependence_is_detected(self):
        schema = {"L": {"K": "string"}}
        events = {"L": [{"_id": i, "K": str(i)} for i in range(1, 6)]}
        self.assertTrue(case_runner.run_case("FROM L | LIMIT 2", schema, events)["order_dependent"])
        self.assertFalse(case_runner.run_case("FROM L | SORT K | LIMIT 2", schema, events)["order_dependent"])
        self.assertFalse(case_runner.run_case("FROM L | LIMIT 2 | STATS c = COUNT(*)", schema, events)["order_dependent"])


if __name__ == "__main__":
    unittest.main()
