"""DynamoDB PartiQL through boto3: ExecuteStatement's SELECT (key reads, Query-like reads in
sort-key order with ORDER BY, Scan-like reads, every WHERE operator and function, projections of
nested paths and list elements, indexes, Limit + NextToken paging, ConsistentRead and
ReturnConsumedCapacity), INSERT / UPDATE / DELETE with their conditions, RETURNING and errors,
literals and `?` parameters of every type, and the stream records a PartiQL write leaves.
Errors are in test_ddb_partiql_errors.py, BatchExecuteStatement and ExecuteTransaction in
test_ddb_partiql_batch.py; both share PqCase from here.

Expected behaviour is DynamoDB's (developer guide: ql-reference.select/insert/update/delete,
ql-functions, ql-operators, ql-reference.data-types; API reference: API_ExecuteStatement).
Messages not spelled out by the documentation were observed on real DynamoDB; the comments say so.
Run: cd tests/integration/boto3 && AWSLET_BIN=.../awslet python3 -m unittest -v test_ddb_partiql.py
"""

import shutil
import sys
import unittest

from botocore.exceptions import ClientError

from ddb_base import DdbCase, N, S
from harness import SANITIZER_RE, Awslet

# ValidationException prefix of every PartiQL syntax error (DynamoDB's words).
SYNTAX = "Statement wasn't well formed, can't be processed"
CCF = "The conditional request failed"
DUPLICATE = "Duplicate primary key exists in table"
NO_KEY = "Where clause does not contain a mandatory equality on all key attributes"
PARAM_COUNT = "Number of parameters in request and statement don't match."


def key_of(item, names=("pk", "sk")):
    """Sort key for items: their key attributes as comparable tuples."""
    out = []
    for n in names:
        v = item.get(n, {})
        out.append(float(v["N"]) if "N" in v else v.get("S", ""))
    return tuple(out)


def sets_sorted(item):
    """The item with its set members sorted (DynamoDB sets are unordered)."""
    out = {}
    for k, v in item.items():
        t, val = next(iter(v.items()))
        if t in ("SS", "NS", "BS"):
            out[k] = {t: sorted(val)}
        elif t == "M":
            out[k] = {"M": sets_sorted(val)}
        else:
            out[k] = v
    return out


class PqCase(DdbCase):
    """One daemon per test class (the suites' start-up cost is the daemon, not the tables); every
    test works on tables named after itself, so tests never see each other's items."""

    @classmethod
    def setUpClass(cls):
        cls.daemon = Awslet()
        cls.daemon.start(["--test-clock"])

    @classmethod
    def tearDownClass(cls):
        code = cls.daemon.stop()
        log = cls.daemon.log
        shutil.rmtree(cls.daemon.tmp, ignore_errors=True)
        # the same rule as the per-test harness: a clean exit and no sanitizer report
        if code != 0 or SANITIZER_RE.search(log):
            sys.stderr.write("\n---- awslet log (%s) ----\n%s---- end of log ----\n"
                             % (cls.__name__, log))
            raise AssertionError("awslet exited with %s on SIGTERM or logged a sanitizer report"
                                 % code)

    def setUp(self):
        self.d = self.daemon
        self._clients()
        # table names: 3..255 of [a-zA-Z0-9_.-]
        self.t = ("t-" + self._testMethodName)[:200]

    def run(self, result=None):
        if result is None:
            return super().run(result)
        before = len(result.failures) + len(result.errors)
        try:
            return super().run(result)
        finally:
            if len(result.failures) + len(result.errors) > before:
                sys.stderr.write("\n---- awslet log (%s) ----\n%s---- end of log ----\n"
                                 % (self.id(), self.daemon.log))

    # -- statements -------------------------------------------------------------------------
    def es(self, stmt, params=None, **kw):
        if params is not None:
            kw["Parameters"] = params
        return self.c.execute_statement(Statement=stmt, **kw)

    def rows(self, stmt, params=None, **kw):
        """Items of a statement, following NextToken to the end."""
        out = []
        while True:
            r = self.es(stmt, params, **kw)
            out += r["Items"]
            if "NextToken" not in r:
                return out
            kw["NextToken"] = r["NextToken"]

    def es_error(self, stmt, code, params=None, message=None, contains=None, **kw):
        if params is not None:
            kw["Parameters"] = params
        return self.assert_error(self.c.execute_statement, code, message=message,
                                 contains=contains, Statement=stmt, **kw)

    def syntax_error(self, stmt, params=None, contains=None):
        e = self.es_error(stmt, "ValidationException", params)
        msg = e.response["Error"]["Message"]
        self.assertTrue(msg.startswith(SYNTAX + ": "), msg)
        if contains is not None:
            self.assertIn(contains, msg)
        return msg

    def get(self, key, table=None):
        return self.c.get_item(TableName=table or self.t, Key=key,
                               ConsistentRead=True).get("Item")


class Select(PqCase):
    """SELECT on a table with pk (S) + sk (N) and a GSI on g."""

    def setUp(self):
        super().setUp()
        self.create_table(self.t, range_key=("sk", "N"),
                          gsis=[("by-g", ("g", "S"), ("sk", "N"), "ALL")])
        self.all = []
        for pk, n in (("a", 5), ("b", 3)):
            for i in range(1, n + 1):
                item = {"pk": S(pk), "sk": N(i), "n": N(i * 10), "s": S("ab%d" % i),
                        "ss": {"SS": ["x", "y%d" % i]}, "l": {"L": [N(i), S("e%d" % i)]},
                        "m": {"M": {"x": N(i), "y": S("why")}}}
                if i % 2:
                    item["opt"] = S("here")
                    item["g"] = S("odd")
                self.c.put_item(TableName=self.t, Item=item)
                self.all.append(item)

    def sel(self, where, pk=None, **kw):
        stmt = 'SELECT * FROM "%s" WHERE %s' % (self.t, where)
        return sorted(self.rows(stmt, **kw), key=key_of)

    def want(self, pred):
        return sorted([i for i in self.all if pred(i)], key=key_of)

    def test_full_key_reads_one_item(self):
        r = self.es('SELECT * FROM "%s" WHERE pk = \'a\' AND sk = 2' % self.t)
        self.assertEqual(r["Items"], [self.all[1]])
        self.assertNotIn("NextToken", r)
        r = self.es('SELECT * FROM "%s" WHERE pk = \'a\' AND sk = 99' % self.t)
        self.assertEqual(r["Items"], [])

    def test_partition_read_in_sort_key_order(self):
        got = self.es('SELECT * FROM "%s" WHERE pk = \'a\'' % self.t)["Items"]
        self.assertEqual([i["sk"]["N"] for i in got], ["1", "2", "3", "4", "5"])
        got = self.rows('SELECT sk FROM "%s" WHERE pk = \'a\' ORDER BY sk DESC' % self.t)
        self.assertEqual(got, [{"sk": N(i)} for i in (5, 4, 3, 2, 1)])
        got = self.rows('SELECT sk FROM "%s" WHERE pk = \'a\' ORDER BY sk ASC' % self.t)
        self.assertEqual(got, [{"sk": N(i)} for i in (1, 2, 3, 4, 5)])
        # a sort key condition narrows the partition, ORDER BY still applies
        got = self.rows('SELECT sk FROM "%s" WHERE pk = \'a\' AND sk > 2 ORDER BY sk DESC'
                        % self.t)
        self.assertEqual(got, [{"sk": N(i)} for i in (5, 4, 3)])

    def test_comparison_operators_on_the_sort_key(self):
        sk = lambda i: int(i["sk"]["N"])  # noqa: E731
        pk_a = lambda i: i["pk"]["S"] == "a"  # noqa: E731
        cases = [("sk = 3", lambda i: sk(i) == 3), ("sk <> 3", lambda i: sk(i) != 3),
                 ("sk < 3", lambda i: sk(i) < 3), ("sk <= 3", lambda i: sk(i) <= 3),
                 ("sk > 3", lambda i: sk(i) > 3), ("sk >= 3", lambda i: sk(i) >= 3),
                 ("sk BETWEEN 2 AND 4", lambda i: 2 <= sk(i) <= 4),
                 ("sk IN [1, 3, 5, 7]", lambda i: sk(i) in (1, 3, 5))]
        for cond, pred in cases:
            self.assertEqual(self.sel("pk = 'a' AND " + cond),
                             self.want(lambda i, p=pred: pk_a(i) and p(i)), cond)

    def test_scan_filters_on_other_attributes(self):
        n = lambda i: int(i["n"]["N"])  # noqa: E731
        cases = [("n > 20", lambda i: n(i) > 20),
                 ("n >= 20 AND n <= 40", lambda i: 20 <= n(i) <= 40),
                 ("n = 10 OR n = 50", lambda i: n(i) in (10, 50)),
                 ("NOT n = 10", lambda i: n(i) != 10),
                 ("NOT (n < 30 OR s = 'ab5')", lambda i: not (n(i) < 30 or i["s"]["S"] == "ab5")),
                 ("(n = 10 OR n = 20) AND pk = 'b'",
                  lambda i: n(i) in (10, 20) and i["pk"]["S"] == "b"),
                 ("n IN [20, 30]", lambda i: n(i) in (20, 30)),
                 ("s BETWEEN 'ab2' AND 'ab3'", lambda i: "ab2" <= i["s"]["S"] <= "ab3"),
                 ("m.x = 4", lambda i: i["m"]["M"]["x"] == N(4)),
                 ("l[1] = 'e2'", lambda i: i["l"]["L"][1] == S("e2")),
                 ("\"n\" = 30", lambda i: n(i) == 30)]
        for cond, pred in cases:
            self.assertEqual(self.sel(cond), self.want(pred), cond)

    def test_missing(self):
        self.assertEqual(self.sel("pk = 'a' AND opt IS MISSING"),
                         self.want(lambda i: i["pk"]["S"] == "a" and "opt" not in i))
        self.assertEqual(self.sel("opt IS NOT MISSING"), self.want(lambda i: "opt" in i))
        self.assertEqual(self.sel("nothing IS MISSING"), self.want(lambda i: True))

    def test_functions(self):
        cases = [("begins_with(s, 'ab1')", lambda i: i["s"]["S"].startswith("ab1")),
                 ("contains(ss, 'y2')", lambda i: "y2" in i["ss"]["SS"]),
                 ("contains(s, 'b3')", lambda i: "b3" in i["s"]["S"]),
                 ("contains(l, 'e4')", lambda i: S("e4") in i["l"]["L"]),
                 ("attribute_type(opt, 'S')", lambda i: "opt" in i),
                 ("attribute_type(n, 'S')", lambda i: False),
                 ("size(l) = 2", lambda i: True),
                 ("size(s) > 3", lambda i: False),
                 ("size(ss) >= 2 AND begins_with(pk, 'b')", lambda i: i["pk"]["S"] == "b")]
        for cond, pred in cases:
            self.assertEqual(self.sel(cond), self.want(pred), cond)

    def test_several_partitions_with_in_and_or(self):
        want = self.want(lambda i: i["sk"]["N"] == "1")
        self.assertEqual(self.sel("pk IN ['a', 'b', 'zz'] AND sk = 1"), want)
        self.assertEqual(self.sel("(pk = 'a' OR pk = 'b') AND sk = 1"), want)

    def test_projection_of_attributes(self):
        got = self.rows('SELECT pk, n, "s" FROM "%s" WHERE pk = \'b\'' % self.t)
        self.assertEqual(got, [{"pk": S("b"), "n": N(i * 10), "s": S("ab%d" % i)}
                               for i in (1, 2, 3)])
        # an attribute the item lacks is left out
        got = self.rows('SELECT sk, opt FROM "%s" WHERE pk = \'b\'' % self.t)
        self.assertEqual(got, [{"sk": N(1), "opt": S("here")}, {"sk": N(2)},
                               {"sk": N(3), "opt": S("here")}])

    def test_projection_of_a_nested_path(self):
        # DynamoDB names a projected document path after its last component
        # (observed: SELECT mymap.nested answers {"nested": ...})
        got = self.rows('SELECT m.x FROM "%s" WHERE pk = \'a\' AND sk = 3' % self.t)
        self.assertEqual(got, [{"x": N(3)}])

    def test_projection_of_a_list_element(self):
        # ... and a list element by the path from its last named component (tags[1])
        got = self.rows('SELECT l[1] FROM "%s" WHERE pk = \'a\' AND sk = 3' % self.t)
        self.assertEqual(got, [{"l[1]": S("e3")}])

    def test_index(self):
        got = self.rows('SELECT pk, sk FROM "%s"."by-g" WHERE g = \'odd\'' % self.t)
        self.assertEqual(sorted(got, key=key_of),
                         sorted([{"pk": i["pk"], "sk": i["sk"]} for i in self.all if "g" in i],
                                key=key_of))
        # the index's own sort key orders a read of one index partition
        got = self.rows('SELECT sk FROM "%s"."by-g" WHERE g = \'odd\' ORDER BY sk DESC' % self.t)
        self.assertEqual([int(i["sk"]["N"]) for i in got], [5, 3, 3, 1, 1])
        # a scan of the index sees only the items the index holds (sparse)
        got = self.rows('SELECT pk, sk FROM "%s"."by-g"' % self.t)
        self.assertEqual(len(got), 5)

    def test_unknown_index_and_table(self):
        # observed on DynamoDB: no index name appended to this message
        self.es_error('SELECT * FROM "%s"."nope" WHERE g = \'odd\'' % self.t,
                      "ValidationException", message="The table does not have the specified index")
        self.es_error('SELECT * FROM "no-such-table" WHERE pk = \'a\'',
                      "ResourceNotFoundException", message="Requested resource not found")

    def test_limit_and_next_token_see_every_item_once(self):
        for i in range(6, 26):
            self.c.put_item(TableName=self.t, Item={"pk": S("a"), "sk": N(i), "n": N(i * 10)})
        for stmt, total in (('SELECT pk, sk FROM "%s" WHERE pk = \'a\'' % self.t, 25),
                            ('SELECT pk, sk FROM "%s" WHERE pk = \'a\' ORDER BY sk DESC'
                             % self.t, 25),
                            ('SELECT pk, sk FROM "%s"' % self.t, 28),
                            ('SELECT pk, sk FROM "%s" WHERE n > 100' % self.t, 15)):
            seen, pages, kw = [], 0, {"Limit": 4}
            while True:
                r = self.es(stmt, **kw)
                pages += 1
                self.assertLessEqual(len(r["Items"]), 4, stmt)
                seen += [(i["pk"]["S"], int(i["sk"]["N"])) for i in r["Items"]]
                if "NextToken" not in r:
                    break
                kw["NextToken"] = r["NextToken"]
                self.assertLess(pages, 50, stmt)
            self.assertEqual(len(seen), total, stmt)
            self.assertEqual(len(set(seen)), total, "an item was seen twice: " + stmt)
            self.assertGreaterEqual(pages, 4, stmt)
            if "ORDER BY" in stmt:
                self.assertEqual([s for _, s in seen], list(range(25, 0, -1)))
            elif "WHERE pk" in stmt:
                self.assertEqual([s for _, s in seen], list(range(1, 26)))

    def test_consistent_read_and_consumed_capacity(self):
        stmt = 'SELECT * FROM "%s" WHERE pk = \'a\' AND sk = 1' % self.t
        r = self.es(stmt, ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"]["TableName"], self.t)
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 0.5)
        r = self.es(stmt, ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
        self.assertEqual(r["Items"], [self.all[0]])
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 1.0)
        r = self.es(stmt)
        self.assertNotIn("ConsumedCapacity", r)

    def test_consistent_read_on_a_gsi(self):
        # observed on DynamoDB, in these words (Query words the same rule differently)
        self.es_error('SELECT * FROM "%s"."by-g" WHERE g = \'odd\'' % self.t,
                      "ValidationException", ConsistentRead=True,
                      message="Strongly consistent read is not supported on Global Secondary "
                              "Indexes")

    def test_order_by_names_a_key(self):
        self.es_error('SELECT * FROM "%s" WHERE pk = \'a\' ORDER BY n' % self.t,
                      "ValidationException",
                      message="Variable reference n in ORDER BY clause must be part of the primary "
                              "key")
        self.es_error('SELECT * FROM "%s" WHERE n = 10 ORDER BY sk' % self.t, "ValidationException",
                      message="Must have at least one non-optional hash key condition in WHERE "
                              "clause when using ORDER BY clause.")

    def test_case_and_quoting(self):
        # keywords in any case; identifiers quoted or not
        got = self.rows('select "pk", sk from "%s" where "pk" = \'b\' and SK_missing is missing '
                        'order by "sk" desc' % self.t)
        self.assertEqual(got, [{"pk": S("b"), "sk": N(i)} for i in (3, 2, 1)])


class Writes(PqCase):
    """INSERT, UPDATE, DELETE on a table keyed by pk (S)."""

    def setUp(self):
        super().setUp()
        self.create_table(self.t)
        self.base = {"pk": S("a"), "n": N(1), "m": N(10), "s": S("old"),
                     "l": {"L": [N(1), N(2)]}, "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]},
                     "doc": {"M": {"x": N(1), "y": S("y"), "deep": {"M": {"z": N(0)}}}}}
        self.c.put_item(TableName=self.t, Item=self.base)

    def upd(self, clause, where="pk = 'a'", params=None, **kw):
        return self.es('UPDATE "%s" %s WHERE %s' % (self.t, clause, where), params, **kw)

    def test_insert(self):
        r = self.es('INSERT INTO "%s" VALUE {\'pk\': \'b\', \'n\': 5, \'s\': \'x\'}' % self.t)
        self.assertEqual(r.get("Items", []), [])
        self.assertEqual(self.get({"pk": S("b")}), {"pk": S("b"), "n": N(5), "s": S("x")})

    def test_insert_of_an_existing_key(self):
        self.es_error('INSERT INTO "%s" VALUE {\'pk\': \'a\', \'n\': 99}' % self.t,
                      "DuplicateItemException", message=DUPLICATE)
        self.assertEqual(self.get({"pk": S("a")}), self.base)
        # once deleted, the key can be inserted again
        self.es('DELETE FROM "%s" WHERE pk = \'a\'' % self.t)
        self.es('INSERT INTO "%s" VALUE {\'pk\': \'a\', \'n\': 99}' % self.t)
        self.assertEqual(self.get({"pk": S("a")}), {"pk": S("a"), "n": N(99)})

    def test_insert_without_the_key(self):
        # DynamoDB's PartiQL messages (its ValidationExceptionMessages catalogue)
        self.es_error('INSERT INTO "%s" VALUE {\'n\': 5}' % self.t, "ValidationException",
                      message="Key attribute should be present in the item: Key pk")
        self.es_error('INSERT INTO "%s" VALUE {\'pk\': 5}' % self.t, "ValidationException",
                      message="Key attribute's data type should match its data type in table's "
                              "schema: Key pk")
        self.es_error('INSERT INTO "%s" VALUE {\'pk\': \'r\'} RETURNING ALL NEW *' % self.t,
                      "ValidationException", message="RETURNING is not supported in INSERT")
        self.assertEqual(len(self.items(self.t)), 1)

    def test_update_set_literals_and_arithmetic(self):
        self.upd("SET n = n + 5 SET m = m - 3 SET s = 'new' SET fresh = 7")
        got = self.get({"pk": S("a")})
        self.assertEqual((got["n"], got["m"], got["s"], got["fresh"]),
                         (N(6), N(7), S("new"), N(7)))
        # comma-separated SET clauses, and arithmetic between two attributes
        self.upd("SET n = n + m, s = 'newer'")
        got = self.get({"pk": S("a")})
        self.assertEqual((got["n"], got["s"]), (N(13), S("newer")))

    def test_update_list_and_set_functions(self):
        self.upd("SET l = list_append(l, [3, 'four'])")
        self.assertEqual(self.get({"pk": S("a")})["l"], {"L": [N(1), N(2), N(3), S("four")]})
        self.upd("SET ss = set_add(ss, <<'c', 'a'>>)")
        self.assertEqual(sorted(self.get({"pk": S("a")})["ss"]["SS"]), ["a", "b", "c"])
        self.upd("SET ss = set_delete(ss, <<'a'>>)")
        self.assertEqual(sorted(self.get({"pk": S("a")})["ss"]["SS"]), ["b", "c"])
        self.upd("SET ns = set_add(ns, <<3>>)")
        self.assertEqual(sorted(self.get({"pk": S("a")})["ns"]["NS"]), ["1", "2", "3"])
        self.upd("SET ns = set_delete(ns, <<1, 2>>)")
        self.assertEqual(self.get({"pk": S("a")})["ns"], {"NS": ["3"]})

    def test_update_nested_paths_and_remove(self):
        self.upd("SET doc.x = 5 SET doc.deep.z = doc.deep.z + 1 SET l[0] = 'zero' "
                 "REMOVE doc.y REMOVE l[1]")
        got = self.get({"pk": S("a")})
        self.assertEqual(got["doc"], {"M": {"x": N(5), "deep": {"M": {"z": N(1)}}}})
        self.assertEqual(got["l"], {"L": [S("zero")]})
        self.upd("REMOVE s, m")
        got = self.get({"pk": S("a")})
        self.assertNotIn("s", got)
        self.assertNotIn("m", got)
        self.assertEqual(got["n"], N(1))

    def test_update_of_a_missing_item(self):
        # UPDATE never creates an item: the WHERE clause matched nothing
        self.es_error('UPDATE "%s" SET n = 1 WHERE pk = \'zz\'' % self.t,
                      "ConditionalCheckFailedException", message=CCF)
        self.assertIsNone(self.get({"pk": S("zz")}))

    def test_update_with_a_condition(self):
        self.upd("SET n = 2", "pk = 'a' AND n = 1 AND s = 'old'")
        self.assertEqual(self.get({"pk": S("a")})["n"], N(2))
        self.es_error('UPDATE "%s" SET n = 3 WHERE pk = \'a\' AND n = 1' % self.t,
                      "ConditionalCheckFailedException", message=CCF)
        self.es_error('UPDATE "%s" SET n = 3 WHERE pk = \'a\' AND nothing IS NOT MISSING'
                      % self.t, "ConditionalCheckFailedException", message=CCF)
        self.assertEqual(self.get({"pk": S("a")})["n"], N(2))

    def test_failed_condition_returns_the_old_item(self):
        e = self.es_error('UPDATE "%s" SET n = 3 WHERE pk = \'a\' AND n = 100' % self.t,
                          "ConditionalCheckFailedException",
                          ReturnValuesOnConditionCheckFailure="ALL_OLD")
        self.assertEqual(sets_sorted(e.response["Item"]), sets_sorted(self.base))
        e = self.es_error('DELETE FROM "%s" WHERE pk = \'a\' AND n = 100' % self.t,
                          "ConditionalCheckFailedException",
                          ReturnValuesOnConditionCheckFailure="ALL_OLD")
        self.assertEqual(sets_sorted(e.response["Item"]), sets_sorted(self.base))
        e = self.es_error('UPDATE "%s" SET n = 3 WHERE pk = \'a\' AND n = 100' % self.t,
                          "ConditionalCheckFailedException")
        self.assertNotIn("Item", e.response)

    def test_delete(self):
        r = self.es('DELETE FROM "%s" WHERE pk = \'a\'' % self.t)
        self.assertEqual(r.get("Items", []), [])
        self.assertIsNone(self.get({"pk": S("a")}))
        # no item with that key: success, nothing deleted (ql-reference.delete)
        self.es('DELETE FROM "%s" WHERE pk = \'a\'' % self.t)

    def test_delete_with_a_condition(self):
        self.es_error('DELETE FROM "%s" WHERE pk = \'a\' AND s = \'other\'' % self.t,
                      "ConditionalCheckFailedException", message=CCF)
        self.assertEqual(self.get({"pk": S("a")}), self.base)
        self.es('DELETE FROM "%s" WHERE pk = \'a\' AND s = \'old\'' % self.t)
        self.assertIsNone(self.get({"pk": S("a")}))

    def test_writes_need_the_whole_key(self):
        self.create_table(self.t + "-c", range_key=("sk", "N"))
        self.c.put_item(TableName=self.t + "-c", Item={"pk": S("a"), "sk": N(1), "n": N(1)})
        for stmt in ('UPDATE "%s" SET n = 2 WHERE n = 1' % self.t,
                     'UPDATE "%s" SET n = 2 WHERE pk > \'a\'' % self.t,
                     'UPDATE "%s" SET n = 2 WHERE pk = \'a\' OR pk = \'b\'' % self.t,
                     'DELETE FROM "%s" WHERE n = 1' % self.t,
                     'UPDATE "%s-c" SET n = 2 WHERE pk = \'a\'' % self.t,
                     'DELETE FROM "%s-c" WHERE pk = \'a\'' % self.t,
                     'DELETE FROM "%s-c" WHERE sk = 1' % self.t):
            self.es_error(stmt, "ValidationException", message=NO_KEY)
        self.assertEqual(self.get({"pk": S("a")}), self.base)
        self.assertEqual(len(self.items(self.t + "-c")), 1)
        self.upd("SET n = 2", "pk = 'a'")
        self.es('UPDATE "%s-c" SET n = 2 WHERE pk = \'a\' AND sk = 1' % self.t)
        self.assertEqual(self.get({"pk": S("a"), "sk": N(1)}, self.t + "-c")["n"], N(2))

    def test_returning(self):
        old = self.get({"pk": S("a")})
        r = self.es('UPDATE "%s" SET n = 5 WHERE pk = \'a\' RETURNING ALL OLD *' % self.t)
        self.assertEqual([sets_sorted(i) for i in r["Items"]], [sets_sorted(old)])
        r = self.es('UPDATE "%s" SET n = 6 WHERE pk = \'a\' RETURNING MODIFIED OLD *' % self.t)
        self.assertEqual(r["Items"], [{"n": N(5)}])
        r = self.es('UPDATE "%s" SET n = 7 SET fresh = 1 WHERE pk = \'a\' RETURNING MODIFIED NEW *'
                    % self.t)
        self.assertEqual(r["Items"], [{"n": N(7), "fresh": N(1)}])
        r = self.es('UPDATE "%s" SET n = 8 WHERE pk = \'a\' RETURNING ALL NEW *' % self.t)
        now = self.get({"pk": S("a")})
        self.assertEqual(now["n"], N(8))
        self.assertEqual([sets_sorted(i) for i in r["Items"]], [sets_sorted(now)])
        r = self.es('DELETE FROM "%s" WHERE pk = \'a\' RETURNING ALL OLD *' % self.t)
        self.assertEqual([sets_sorted(i) for i in r["Items"]], [sets_sorted(now)])
        self.assertIsNone(self.get({"pk": S("a")}))

    def test_delete_returns_only_all_old(self):
        # observed on DynamoDB, word for word
        for ret in ("MODIFIED OLD", "ALL NEW", "MODIFIED NEW"):
            self.es_error('DELETE FROM "%s" WHERE pk = \'a\' RETURNING %s *' % (self.t, ret),
                          "ValidationException",
                          message="Invalid returning clause: RETURNING %s *. Only RETURNING ALL "
                                  "OLD * is allowed in DELETE statements." % ret)
        self.assertEqual(self.get({"pk": S("a")}), self.base)

    def test_consumed_capacity_of_writes(self):
        cc = lambda r: (r["ConsumedCapacity"]["TableName"],  # noqa: E731
                        r["ConsumedCapacity"]["CapacityUnits"])
        r = self.es('INSERT INTO "%s" VALUE {\'pk\': \'w\'}' % self.t, ReturnConsumedCapacity="TOTAL")
        self.assertEqual(cc(r), (self.t, 1.0))
        r = self.upd("SET n = 2", ReturnConsumedCapacity="TOTAL")
        self.assertEqual(cc(r), (self.t, 1.0))
        # a 3 KB item costs 3 write units
        r = self.es('INSERT INTO "%s" VALUE {\'pk\': \'w3\', \'d\': ?}' % self.t, [S("x" * 3000)],
                    ReturnConsumedCapacity="TOTAL")
        self.assertEqual(cc(r), (self.t, 3.0))
        r = self.es('DELETE FROM "%s" WHERE pk = \'w3\'' % self.t, ReturnConsumedCapacity="TOTAL")
        self.assertEqual(cc(r), (self.t, 3.0))

    def test_item_over_400_kb(self):
        big = "x" * (400 * 1024)
        self.es_error('INSERT INTO "%s" VALUE {\'pk\': \'big\', \'d\': ?}' % self.t,
                      "ValidationException", params=[S(big)],
                      message="Item size has exceeded the maximum allowed size")
        self.assertIsNone(self.get({"pk": S("big")}))
        self.es_error('UPDATE "%s" SET d = ? WHERE pk = \'a\'' % self.t, "ValidationException",
                      params=[S(big)], contains="exceeded the maximum allowed size")
        self.assertEqual(self.get({"pk": S("a")}), self.base)
        # just under the limit is fine: "pk" + "ok" + "d" + value
        fits = "x" * (400 * 1024 - 5)
        self.es('INSERT INTO "%s" VALUE {\'pk\': \'ok\', \'d\': ?}' % self.t, [S(fits)])
        self.assertEqual(len(self.get({"pk": S("ok")})["d"]["S"]), len(fits))

    def test_invalid_numbers(self):
        self.es_error('INSERT INTO "%s" VALUE {\'pk\': \'x\', \'n\': ?}' % self.t,
                      "ValidationException", params=[{"N": "abc"}], contains="numeric value")
        # a literal's message may go on to say where in the value the number sits
        e = self.es_error('INSERT INTO "%s" VALUE {\'pk\': \'x\', \'n\': 1E+126}' % self.t,
                          "ValidationException")
        self.assertTrue(e.response["Error"]["Message"].startswith(
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range"), e.response["Error"])
        self.es_error('INSERT INTO "%s" VALUE {\'pk\': \'x\', \'n\': ?}' % self.t,
                      "ValidationException", params=[N("1" * 39)],
                      message="Attempting to store more than 38 significant digits in a Number")
        self.es_error('UPDATE "%s" SET n = ? + ? WHERE pk = \'a\'' % self.t,
                      "ValidationException", params=[N("9.9E+125"), N("9.9E+125")],
                      contains="Number overflow")
        self.assertIsNone(self.get({"pk": S("x")}))
        self.assertEqual(self.get({"pk": S("a")})["n"], N(1))


class Values(PqCase):
    """Literals and parameters of every type, round-tripped through GetItem."""

    def setUp(self):
        super().setUp()
        self.create_table(self.t)

    def test_literals_of_every_type(self):
        self.es('INSERT INTO "%s" VALUE {\'pk\': \'lit\', \'s\': \'it\'\'s "quoted"\', '
                '\'n\': -12.50, \'big\': 1.5e3, \'t\': true, \'f\': FALSE, \'z\': NULL, '
                '\'m\': {\'a\': 1, \'b\': {\'c\': \'d\'}}, \'l\': [1, \'two\', [3], {\'k\': true}], '
                '\'ss\': <<\'b\', \'a\'>>, \'ns\': <<1, 2.5>>, \'e\': \'\'}' % self.t)
        got = self.get({"pk": S("lit")})
        self.assertEqual(sets_sorted(got), {
            "pk": S("lit"), "s": S("it's \"quoted\""), "n": N("-12.5"), "big": N(1500),
            "t": {"BOOL": True}, "f": {"BOOL": False}, "z": {"NULL": True},
            "m": {"M": {"a": N(1), "b": {"M": {"c": S("d")}}}},
            "l": {"L": [N(1), S("two"), {"L": [N(3)]}, {"M": {"k": {"BOOL": True}}}]},
            "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5"]}, "e": S("")})

    def test_parameters_of_every_type(self):
        vals = {"s": S("text"), "n": N("-0.125"), "b": {"B": b"\x00\x01\xff"},
                "bool": {"BOOL": False}, "nul": {"NULL": True},
                "m": {"M": {"k": S("v"), "deep": {"L": [N(1)]}}}, "l": {"L": [S("x"), N(2)]},
                "ss": {"SS": ["p", "q"]}, "ns": {"NS": ["1", "10"]},
                "bs": {"BS": [b"\x01", b"\x02"]}}
        names = list(vals)
        stmt = 'INSERT INTO "%s" VALUE {\'pk\': ?, %s}' % (
            self.t, ", ".join("'%s': ?" % n for n in names))
        self.es(stmt, [S("par")] + [vals[n] for n in names])
        want = dict(vals, pk=S("par"))
        self.assertEqual(sets_sorted(self.get({"pk": S("par")})), sets_sorted(want))
        # each parameter type also compares equal in a WHERE clause
        for n in names:
            got = self.rows('SELECT * FROM "%s" WHERE pk = ? AND "%s" = ?' % (self.t, n),
                            [S("par"), vals[n]])
            self.assertEqual(len(got), 1, n)
        got = self.rows('SELECT * FROM "%s" WHERE pk = ? AND n = ?' % self.t,
                        [S("par"), N("-0.12")])
        self.assertEqual(got, [])

    def test_number_parameters_are_normalised(self):
        self.es('INSERT INTO "%s" VALUE {\'pk\': ?, \'a\': ?, \'b\': ?, \'c\': 0012.500}' % self.t,
                [S("num"), N("1E+2"), N("-0.000100")])
        got = self.get({"pk": S("num")})
        self.assertEqual((got["a"], got["b"], got["c"]), (N(100), N("-0.0001"), N("12.5")))

    def test_parameters_in_update_and_delete(self):
        self.es('INSERT INTO "%s" VALUE {\'pk\': ?, \'n\': ?}' % self.t, [S("k"), N(1)])
        self.es('UPDATE "%s" SET n = n + ? SET tags = ? WHERE pk = ? AND n = ?' % self.t,
                [N(4), {"SS": ["t"]}, S("k"), N(1)])
        self.assertEqual(self.get({"pk": S("k")}), {"pk": S("k"), "n": N(5),
                                                    "tags": {"SS": ["t"]}})
        self.es('DELETE FROM "%s" WHERE pk = ?' % self.t, [S("k")])
        self.assertIsNone(self.get({"pk": S("k")}))

    def test_bags_hold_strings_or_numbers(self):
        self.es_error('INSERT INTO "%s" VALUE {\'pk\': \'a\', \'s\': <<>>}' % self.t,
                      "ValidationException", message="Empty bags are not supported")
        for bag in ("<<1, 'a'>>", "<<true>>", "<<[1]>>"):
            self.es_error('INSERT INTO "%s" VALUE {\'pk\': \'a\', \'s\': %s}' % (self.t, bag),
                          "ValidationException", contains="Unsupported data type in Bag. DynamoDB "
                          "only supports either numbers or strings in bags")
        self.assertEqual(self.items(self.t), [])

    def test_wrong_parameter_counts(self):
        self.es_error('SELECT * FROM "%s" WHERE pk = ? AND n = ?' % self.t, "ValidationException",
                      params=[S("a")], message=PARAM_COUNT)
        self.es_error('SELECT * FROM "%s" WHERE pk = ?' % self.t, "ValidationException",
                      params=[S("a"), S("b")], message=PARAM_COUNT)
        self.es_error('SELECT * FROM "%s" WHERE pk = ?' % self.t, "ValidationException",
                      message=PARAM_COUNT)
        self.es_error('INSERT INTO "%s" VALUE {\'pk\': \'a\'}' % self.t, "ValidationException",
                      params=[S("a")], message=PARAM_COUNT)
        self.assertEqual(self.items(self.t), [])

    def test_invalid_parameter_values(self):
        # the same AttributeValue rules as PutItem
        self.es_error('INSERT INTO "%s" VALUE {\'pk\': \'a\', \'s\': ?}' % self.t,
                      "ValidationException", params=[{"SS": ["x", "x"]}], contains="duplicates")
        self.es_error('INSERT INTO "%s" VALUE {\'pk\': \'a\', \'s\': ?}' % self.t,
                      "ValidationException", params=[{"SS": []}])
        self.es_error('INSERT INTO "%s" VALUE {\'pk\': ?}' % self.t, "ValidationException",
                      params=[S("")])
        self.assertEqual(self.items(self.t), [])


class Streams(PqCase):
    """A PartiQL write leaves the stream record the equivalent item operation leaves."""

    def records(self, table):
        arn = self.c.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        out = []
        for sh in self.s.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            it = self.s.get_shard_iterator(StreamArn=arn, ShardId=sh["ShardId"],
                                           ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            for _ in range(100):
                r = self.s.get_records(ShardIterator=it)
                out += r["Records"]
                it = r.get("NextShardIterator")
                if not it or not r["Records"]:
                    break
        return out

    @staticmethod
    def shape(rec):
        d = rec["dynamodb"]
        return (rec["eventName"], d["Keys"], d.get("NewImage"), d.get("OldImage"),
                d["StreamViewType"])

    def test_records_match_the_item_operations(self):
        pq, api = self.t + "-pq", self.t + "-api"
        for t in (pq, api):
            self.create_table(t, range_key=("sk", "N"), stream="NEW_AND_OLD_IMAGES")
        self.es('INSERT INTO "%s" VALUE {\'pk\': \'a\', \'sk\': 1, \'n\': 1, \'l\': [1]}' % pq)
        self.es('UPDATE "%s" SET n = n + 1 SET l = list_append(l, [2]) REMOVE gone '
                'WHERE pk = \'a\' AND sk = 1' % pq)
        self.es('DELETE FROM "%s" WHERE pk = \'a\' AND sk = 1' % pq)
        # writes that change nothing leave no record
        self.es('DELETE FROM "%s" WHERE pk = \'a\' AND sk = 1' % pq)
        with self.assertRaises(ClientError):
            self.es('UPDATE "%s" SET n = 5 WHERE pk = \'a\' AND sk = 1' % pq)

        key = {"pk": S("a"), "sk": N(1)}
        self.c.put_item(TableName=api, Item=dict(key, n=N(1), l={"L": [N(1)]}),
                        ConditionExpression="attribute_not_exists(pk)")
        self.c.update_item(TableName=api, Key=key,
                           UpdateExpression="SET n = n + :one, l = list_append(l, :two) "
                                            "REMOVE gone",
                           ExpressionAttributeValues={":one": N(1), ":two": {"L": [N(2)]}})
        self.c.delete_item(TableName=api, Key=key)

        got = [self.shape(r) for r in self.records(pq)]
        want = [self.shape(r) for r in self.records(api)]
        self.assertEqual([g[0] for g in got], ["INSERT", "MODIFY", "REMOVE"])
        self.assertEqual(got, want)
        self.assertEqual(got[1][2], {"pk": S("a"), "sk": N(1), "n": N(2),
                                     "l": {"L": [N(1), N(2)]}})

    def test_keys_only_record_of_an_update(self):
        self.create_table(self.t, stream="KEYS_ONLY")
        self.es('INSERT INTO "%s" VALUE {\'pk\': \'k\', \'v\': \'1\'}' % self.t)
        self.es('UPDATE "%s" SET v = \'2\' WHERE pk = \'k\'' % self.t)
        recs = [self.shape(r) for r in self.records(self.t)]
        self.assertEqual(recs, [("INSERT", {"pk": S("k")}, None, None, "KEYS_ONLY"),
                                ("MODIFY", {"pk": S("k")}, None, None, "KEYS_ONLY")])


if __name__ == "__main__":
    unittest.main()
