"""DynamoDB PartiQL's multi-statement operations through boto3. BatchExecuteStatement: up to 25
statements, all reads or all writes, each answered on its own (Item, no Item, or Error {Code,
Message}) while the others succeed. ExecuteTransaction: all-or-nothing writes,
TransactionCanceledException with CancellationReasons in statement order, EXISTS(SELECT ...) as a
condition check, read transactions returning Responses, ClientRequestToken idempotency for 10
minutes on the test clock, at most 100 statements.

Expected behaviour is DynamoDB's (developer guide: ql-reference.multiplestatements.batching and
.transactions, ql-functions.exists; API reference: API_BatchExecuteStatement,
API_BatchStatementError, API_ExecuteTransaction). Messages the documentation does not spell out
were observed on real DynamoDB; the comments say so.
Run: cd tests/integration/boto3 && AWSLET_BIN=.../awslet python3 -m unittest -v test_ddb_partiql_batch.py
"""

import unittest

from ddb_base import N, S
from test_ddb_partiql import CCF, DUPLICATE, NO_KEY, SYNTAX, PqCase

CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]"


class Batch(PqCase):
    def setUp(self):
        super().setUp()
        self.create_table(self.t)
        self.a = {"pk": S("a"), "n": N(1)}
        self.b = {"pk": S("b"), "n": N(2), "s": S("bee")}
        for item in (self.a, self.b):
            self.c.put_item(TableName=self.t, Item=item)

    def batch(self, *stmts, **kw):
        """stmts: statement texts or (text, parameters) or full request dicts."""
        req = []
        for s in stmts:
            if isinstance(s, dict):
                req.append(s)
            elif isinstance(s, tuple):
                req.append({"Statement": s[0], "Parameters": s[1]})
            else:
                req.append({"Statement": s})
        r = self.c.batch_execute_statement(Statements=req, **kw)
        self.assertEqual(len(r["Responses"]), len(stmts))
        return r

    def get(self, pk, table=None):
        return super().get({"pk": S(pk)}, table)

    def test_reads(self):
        r = self.batch('SELECT * FROM "%s" WHERE pk = \'a\'' % self.t,
                       'SELECT * FROM "%s" WHERE pk = \'zz\'' % self.t,
                       {"Statement": 'SELECT n, s FROM "%s" WHERE pk = ?' % self.t,
                        "Parameters": [S("b")], "ConsistentRead": True})
        out = r["Responses"]
        self.assertEqual(out[0]["Item"], self.a)
        self.assertNotIn("Item", out[1])
        self.assertNotIn("Error", out[1])
        self.assertEqual(out[2]["Item"], {"n": N(2), "s": S("bee")})
        self.assertFalse(any("Error" in x for x in out), out)

    def test_writes(self):
        r = self.batch('INSERT INTO "%s" VALUE {\'pk\': \'c\', \'n\': 3}' % self.t,
                       ('UPDATE "%s" SET n = n + ? WHERE pk = ?' % self.t, [N(10), S("a")]),
                       'DELETE FROM "%s" WHERE pk = \'b\'' % self.t,
                       'DELETE FROM "%s" WHERE pk = \'nobody\'' % self.t)
        self.assertFalse(any("Error" in x for x in r["Responses"]), r["Responses"])
        self.assertEqual(self.get("c"), {"pk": S("c"), "n": N(3)})
        self.assertEqual(self.get("a")["n"], N(11))
        self.assertIsNone(self.get("b"))

    def test_one_duplicate_among_good_inserts(self):
        r = self.batch('INSERT INTO "%s" VALUE {\'pk\': \'c\'}' % self.t,
                       'INSERT INTO "%s" VALUE {\'pk\': \'a\', \'n\': 99}' % self.t,
                       'INSERT INTO "%s" VALUE {\'pk\': \'d\'}' % self.t)
        out = r["Responses"]
        self.assertNotIn("Error", out[0])
        self.assertNotIn("Error", out[2])
        self.assertEqual(out[1]["Error"]["Code"], "DuplicateItem")
        self.assertEqual(out[1]["Error"]["Message"], DUPLICATE)
        self.assertEqual(self.get("c"), {"pk": S("c")})
        self.assertEqual(self.get("d"), {"pk": S("d")})
        self.assertEqual(self.get("a"), self.a)

    def test_failed_conditions_per_statement(self):
        sea = {"pk": S("c"), "s": S("sea")}
        self.c.put_item(TableName=self.t, Item=sea)
        r = self.batch('UPDATE "%s" SET n = 5 WHERE pk = \'nobody\'' % self.t,
                       {"Statement": 'UPDATE "%s" SET n = 5 WHERE pk = \'b\' AND n = 100' % self.t,
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
                       'UPDATE "%s" SET n = 5 WHERE pk = \'a\' AND n = 1' % self.t,
                       'DELETE FROM "%s" WHERE pk = \'c\' AND s = \'wasp\'' % self.t)
        out = r["Responses"]
        self.assertEqual(out[0]["Error"]["Code"], "ConditionalCheckFailed")
        self.assertEqual(out[0]["Error"]["Message"], CCF)
        self.assertEqual(out[1]["Error"]["Code"], "ConditionalCheckFailed")
        self.assertEqual(out[1]["Error"]["Item"], self.b)
        self.assertNotIn("Item", out[0]["Error"])
        self.assertNotIn("Error", out[2])
        self.assertEqual(out[3]["Error"]["Code"], "ConditionalCheckFailed")
        self.assertEqual(self.get("a")["n"], N(5))
        self.assertEqual(self.get("b"), self.b)
        self.assertEqual(self.get("c"), sea)
        self.assertIsNone(self.get("nobody"))

    def test_one_item_twice(self):
        # a batch may not name the same item twice (reads included): refused as a whole
        self.assert_error(self.c.batch_execute_statement, "ValidationException",
                          Statements=[{"Statement": 'UPDATE "%s" SET n = 5 WHERE pk = \'a\''
                                                    % self.t},
                                      {"Statement": 'DELETE FROM "%s" WHERE pk = \'a\'' % self.t}])
        self.assertEqual(self.get("a"), self.a)
        self.assert_error(self.c.batch_execute_statement, "ValidationException",
                          Statements=[{"Statement": 'SELECT * FROM "%s" WHERE pk = \'a\'' % self.t},
                                      {"Statement": 'SELECT n FROM "%s" WHERE pk = \'a\''
                                                    % self.t}])

    def test_one_missing_table_among_good_reads(self):
        r = self.batch('SELECT * FROM "%s" WHERE pk = \'a\'' % self.t,
                       'SELECT * FROM "no-such-table" WHERE pk = \'a\'',
                       'SELECT * FROM "%s" WHERE pk = \'b\'' % self.t)
        out = r["Responses"]
        self.assertEqual(out[0]["Item"], self.a)
        self.assertEqual(out[1]["Error"]["Code"], "ResourceNotFound")
        self.assertNotIn("Item", out[1])
        self.assertEqual(out[2]["Item"], self.b)

    def test_one_missing_table_among_good_writes(self):
        r = self.batch('INSERT INTO "%s" VALUE {\'pk\': \'c\'}' % self.t,
                       'INSERT INTO "no-such-table" VALUE {\'pk\': \'c\'}')
        self.assertNotIn("Error", r["Responses"][0])
        self.assertEqual(r["Responses"][1]["Error"]["Code"], "ResourceNotFound")
        self.assertEqual(self.get("c"), {"pk": S("c")})

    def test_malformed_member(self):
        # observed on DynamoDB: a statement that does not parse fails alone, as ValidationError
        r = self.batch('SLECT * FROM "%s" WHERE pk = \'a\'' % self.t,
                       'SELECT * FROM "%s" WHERE pk = \'a\'' % self.t)
        err = r["Responses"][0]["Error"]
        self.assertEqual(err["Code"], "ValidationError")
        self.assertEqual(err["Message"],
                         SYNTAX + ": Expected data manipulation at line 1, column 1: SLECT")
        self.assertEqual(r["Responses"][1]["Item"], self.a)

    def test_reads_name_the_whole_key(self):
        # "Each read statement in a BatchExecuteStatement must specify an equality condition on
        # all key attributes" (API_BatchExecuteStatement); observed: a per-statement error
        r = self.batch('SELECT * FROM "%s" WHERE n = 1' % self.t,
                       'SELECT * FROM "%s" WHERE pk = \'b\'' % self.t)
        err = r["Responses"][0]["Error"]
        self.assertEqual(err["Code"], "ValidationError")
        self.assertIn("must specify the primary key in the where clause", err["Message"])
        self.assertEqual(r["Responses"][1]["Item"], self.b)

    def test_write_without_the_key(self):
        r = self.batch('UPDATE "%s" SET n = 5 WHERE n = 1' % self.t,
                       'INSERT INTO "%s" VALUE {\'pk\': \'c\'}' % self.t)
        err = r["Responses"][0]["Error"]
        self.assertEqual(err["Code"], "ValidationError")
        self.assertEqual(err["Message"], NO_KEY)
        self.assertEqual(self.get("a"), self.a)
        self.assertEqual(self.get("c"), {"pk": S("c")})

    def test_reads_and_writes_do_not_mix(self):
        # "The entire batch must consist of either read statements or write statements"
        self.assert_error(self.c.batch_execute_statement, "ValidationException",
                          Statements=[{"Statement": 'SELECT * FROM "%s" WHERE pk = \'a\'' % self.t},
                                      {"Statement": 'INSERT INTO "%s" VALUE {\'pk\': \'c\'}'
                                                    % self.t}])
        self.assertIsNone(self.get("c"))

    def test_returning_in_a_batch(self):
        # observed on DynamoDB: a member's RETURNING answers in its Item
        r = self.batch('UPDATE "%s" SET n = 7 WHERE pk = \'a\' RETURNING ALL NEW *' % self.t,
                       'DELETE FROM "%s" WHERE pk = \'b\' RETURNING ALL OLD *' % self.t)
        self.assertEqual(r["Responses"][0]["Item"], {"pk": S("a"), "n": N(7)})
        self.assertEqual(r["Responses"][1]["Item"], self.b)
        self.assertIsNone(self.get("b"))

    def test_at_most_25_statements(self):
        stmts = [{"Statement": 'INSERT INTO "%s" VALUE {\'pk\': \'k%02d\'}' % (self.t, i)}
                 for i in range(26)]
        self.assert_error(self.c.batch_execute_statement, "ValidationException",
                          contains="Member must have length less than or equal to 25",
                          Statements=stmts)
        self.assertEqual(len(self.items(self.t)), 2)
        r = self.c.batch_execute_statement(Statements=stmts[:25])
        self.assertFalse(any("Error" in x for x in r["Responses"]))
        self.assertEqual(len(self.items(self.t)), 27)

    def test_consumed_capacity(self):
        r = self.batch('SELECT * FROM "%s" WHERE pk = \'a\'' % self.t,
                       'SELECT * FROM "%s" WHERE pk = \'b\'' % self.t,
                       ReturnConsumedCapacity="TOTAL")
        cc = r["ConsumedCapacity"]
        self.assertEqual([x["TableName"] for x in cc], [self.t])
        # two small eventually consistent reads: half a unit each
        self.assertEqual(sum(x["CapacityUnits"] for x in cc), 1.0)


    def test_consistent_read_per_member(self):
        def total(*consistent):
            r = self.batch(*[{"Statement": 'SELECT * FROM "%s" WHERE pk = ?' % self.t,
                              "Parameters": [S(k)], "ConsistentRead": c}
                             for k, c in zip("ab", consistent)], ReturnConsumedCapacity="TOTAL")
            return sum(x["CapacityUnits"] for x in r["ConsumedCapacity"])
        self.assertEqual(total(False), 0.5)
        self.assertEqual(total(True), 1.0)
        self.assertEqual(total(True, False), 1.5)


class Transaction(PqCase):
    def setUp(self):
        super().setUp()
        self.t2 = self.t[:190] + "-two"
        self.create_table(self.t)
        self.create_table(self.t2, range_key=("sk", "N"))
        self.a = {"pk": S("a"), "n": N(1)}
        self.b = {"pk": S("b"), "n": N(2)}
        self.c1 = {"pk": S("c"), "sk": N(1), "v": S("x")}
        self.c.put_item(TableName=self.t, Item=self.a)
        self.c.put_item(TableName=self.t, Item=self.b)
        self.c.put_item(TableName=self.t2, Item=self.c1)

    def tx(self, *stmts, **kw):
        req = []
        for s in stmts:
            if isinstance(s, dict):
                req.append(s)
            elif isinstance(s, tuple):
                req.append({"Statement": s[0], "Parameters": s[1]})
            else:
                req.append({"Statement": s})
        return self.c.execute_transaction(TransactStatements=req, **kw)

    def cancelled(self, *stmts, **kw):
        with self.assertRaises(self.c.exceptions.TransactionCanceledException) as cm:
            self.tx(*stmts, **kw)
        e = cm.exception.response
        self.assertEqual(e["ResponseMetadata"]["HTTPStatusCode"], 400)
        return e

    def get(self, pk, table=None, sk=None):
        key = {"pk": S(pk)}
        if sk is not None:
            key["sk"] = N(sk)
        return super().get(key, table)

    def test_writes_all_applied(self):
        self.tx('INSERT INTO "%s" VALUE {\'pk\': \'new\', \'n\': 9}' % self.t,
                ('UPDATE "%s" SET n = n + ? WHERE pk = ?' % self.t, [N(1), S("a")]),
                'DELETE FROM "%s" WHERE pk = \'c\' AND sk = 1' % self.t2,
                'EXISTS(SELECT * FROM "%s" WHERE pk = \'b\' AND n = 2)' % self.t)
        self.assertEqual(self.get("new"), {"pk": S("new"), "n": N(9)})
        self.assertEqual(self.get("a")["n"], N(2))
        self.assertIsNone(self.get("c", self.t2, 1))
        self.assertEqual(self.get("b"), self.b)

    def test_all_or_nothing_with_reasons_in_order(self):
        e = self.cancelled('INSERT INTO "%s" VALUE {\'pk\': \'new\'}' % self.t,
                           'UPDATE "%s" SET n = 50 WHERE pk = \'a\' AND n = 100' % self.t,
                           'DELETE FROM "%s" WHERE pk = \'c\' AND sk = 1' % self.t2,
                           'INSERT INTO "%s" VALUE {\'pk\': \'b\'}' % self.t)
        self.assertEqual(e["Error"]["Code"], "TransactionCanceledException")
        self.assertEqual(e["Error"]["Message"],
                         CANCELLED % "None, ConditionalCheckFailed, None, DuplicateItem")
        reasons = e["CancellationReasons"]
        self.assertEqual([x["Code"] for x in reasons],
                         ["None", "ConditionalCheckFailed", "None", "DuplicateItem"])
        self.assertEqual(reasons[1]["Message"], CCF)
        self.assertNotIn("Message", reasons[0])
        # nothing applied
        self.assertIsNone(self.get("new"))
        self.assertEqual(self.get("a"), self.a)
        self.assertEqual(self.get("c", self.t2, 1), self.c1)
        self.assertEqual(self.get("b"), self.b)

    def test_update_of_a_missing_item_cancels(self):
        e = self.cancelled('UPDATE "%s" SET n = 5 WHERE pk = \'a\'' % self.t,
                           'UPDATE "%s" SET n = 5 WHERE pk = \'nobody\'' % self.t)
        self.assertEqual([x["Code"] for x in e["CancellationReasons"]],
                         ["None", "ConditionalCheckFailed"])
        self.assertEqual(self.get("a"), self.a)
        self.assertIsNone(self.get("nobody"))

    def test_failed_condition_returns_the_item_when_asked(self):
        e = self.cancelled({"Statement": 'UPDATE "%s" SET n = 5 WHERE pk = \'a\' AND n = 7'
                                         % self.t,
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
                           'UPDATE "%s" SET n = 5 WHERE pk = \'b\' AND n = 7' % self.t)
        reasons = e["CancellationReasons"]
        self.assertEqual(reasons[0]["Item"], self.a)
        self.assertNotIn("Item", reasons[1])

    def test_exists_as_a_condition(self):
        e = self.cancelled('EXISTS(SELECT * FROM "%s" WHERE pk = \'a\' AND n = 2)' % self.t,
                           'UPDATE "%s" SET n = 20 WHERE pk = \'b\'' % self.t)
        self.assertEqual([x["Code"] for x in e["CancellationReasons"]],
                         ["ConditionalCheckFailed", "None"])
        self.assertEqual(self.get("b"), self.b)
        # an item that does not exist fails EXISTS
        self.cancelled('EXISTS(SELECT * FROM "%s" WHERE pk = \'zz\' AND n = 1)' % self.t,
                       'UPDATE "%s" SET n = 20 WHERE pk = \'b\'' % self.t)
        self.tx('EXISTS(SELECT * FROM "%s" WHERE pk = \'a\' AND n = 1)' % self.t,
                'UPDATE "%s" SET n = 20 WHERE pk = \'b\'' % self.t)
        self.assertEqual(self.get("b")["n"], N(20))
        # EXISTS belongs to transactions only (ql-functions.exists)
        self.assert_error(self.c.execute_statement, "ValidationException",
                          message="EXISTS can only be used in ExecuteTransaction write requests.",
                          Statement='EXISTS(SELECT * FROM "%s" WHERE pk = \'a\' AND n = 1)'
                                    % self.t)

    def test_read_transaction(self):
        r = self.tx('SELECT * FROM "%s" WHERE pk = \'b\'' % self.t,
                    'SELECT * FROM "%s" WHERE pk = \'missing\'' % self.t,
                    ('SELECT v FROM "%s" WHERE pk = ? AND sk = ?' % self.t2, [S("c"), N(1)]))
        self.assertEqual(r["Responses"], [{"Item": self.b}, {}, {"Item": {"v": S("x")}}])

    def test_reads_need_the_whole_key(self):
        self.assert_error(self.c.execute_transaction, "ValidationException",
                          contains="Select statements within ExecuteTransaction must specify the "
                                   "primary key in the where clause.",
                          TransactStatements=[{"Statement": 'SELECT * FROM "%s" WHERE pk = \'c\''
                                                            % self.t2}])

    def test_reads_and_writes_do_not_mix(self):
        self.assert_error(self.c.execute_transaction, "ValidationException",
                          TransactStatements=[
                              {"Statement": 'SELECT * FROM "%s" WHERE pk = \'a\'' % self.t},
                              {"Statement": 'INSERT INTO "%s" VALUE {\'pk\': \'new\'}' % self.t}])
        self.assertIsNone(self.get("new"))

    def test_reads_of_an_index_are_refused(self):
        # observed on DynamoDB, word for word
        self.create_table(self.t[:180] + "-ix", gsis=[("by-n", ("n", "N"), None, "ALL")])
        self.assert_error(self.c.execute_transaction, "ValidationException",
                          message="Validation failed in TransactStatements[0]: Reads on indices "
                                  "are not supported within transactions.",
                          TransactStatements=[{"Statement": 'SELECT * FROM "%s-ix"."by-n" WHERE '
                                                            'n = 1' % self.t[:180]}])

    def test_returning_is_refused(self):
        # observed on DynamoDB, word for word
        self.assert_error(self.c.execute_transaction, "ValidationException",
                          message="Validation failed in TransactStatements[0]: RETURNING clause "
                                  "is not supported in ExecuteTransaction.",
                          TransactStatements=[{"Statement": 'UPDATE "%s" SET n = 5 WHERE pk = '
                                                            '\'a\' RETURNING ALL NEW *' % self.t}])
        self.assertEqual(self.get("a"), self.a)

    def test_two_statements_on_one_item(self):
        self.assert_error(self.c.execute_transaction, "ValidationException",
                          message="Transaction request cannot include multiple operations on one "
                                  "item",
                          TransactStatements=[
                              {"Statement": 'UPDATE "%s" SET n = 5 WHERE pk = \'a\'' % self.t},
                              {"Statement": 'DELETE FROM "%s" WHERE pk = \'a\'' % self.t}])
        self.assertEqual(self.get("a"), self.a)

    def test_syntax_error_and_missing_table(self):
        e = self.assert_error(self.c.execute_transaction, "ValidationException",
                              TransactStatements=[
                                  {"Statement": 'INSERT INTO "%s" VALUE {\'pk\': \'new\'}' % self.t},
                                  {"Statement": 'UPDATE "%s" SET WHERE pk = \'a\'' % self.t}])
        self.assertIn(SYNTAX, e.response["Error"]["Message"])
        self.assert_error(self.c.execute_transaction, "ResourceNotFoundException",
                          TransactStatements=[
                              {"Statement": 'INSERT INTO "%s" VALUE {\'pk\': \'new\'}' % self.t},
                              {"Statement": 'INSERT INTO "nope-nope" VALUE {\'pk\': \'x\'}'}])
        self.assertIsNone(self.get("new"))

    def test_client_request_token_idempotency(self):
        inc = [{"Statement": 'UPDATE "%s" SET n = n + 1 WHERE pk = \'a\'' % self.t}]
        self.c.execute_transaction(TransactStatements=inc, ClientRequestToken="pq-tok-1")
        self.c.execute_transaction(TransactStatements=inc, ClientRequestToken="pq-tok-1")
        self.assertEqual(self.get("a")["n"], N(2))
        other = [{"Statement": 'UPDATE "%s" SET n = n + 1 WHERE pk = \'b\'' % self.t}]
        self.assert_error(self.c.execute_transaction, "IdempotentParameterMismatchException",
                          TransactStatements=other, ClientRequestToken="pq-tok-1")
        self.assertEqual(self.get("b"), self.b)
        # a different parameter is a different request too
        p1 = [{"Statement": 'UPDATE "%s" SET n = ? WHERE pk = \'b\'' % self.t,
               "Parameters": [N(7)]}]
        p2 = [dict(p1[0], Parameters=[N(8)])]
        self.c.execute_transaction(TransactStatements=p1, ClientRequestToken="pq-tok-2")
        self.assert_error(self.c.execute_transaction, "IdempotentParameterMismatchException",
                          TransactStatements=p2, ClientRequestToken="pq-tok-2")
        self.assertEqual(self.get("b")["n"], N(7))
        # the token is remembered for 10 minutes
        self.advance(9 * 60)
        self.c.execute_transaction(TransactStatements=inc, ClientRequestToken="pq-tok-1")
        self.assertEqual(self.get("a")["n"], N(2))
        self.advance(61)
        self.c.execute_transaction(TransactStatements=inc, ClientRequestToken="pq-tok-1")
        self.assertEqual(self.get("a")["n"], N(3))

    def test_at_most_100_statements(self):
        stmts = [{"Statement": 'INSERT INTO "%s" VALUE {\'pk\': \'p%03d\'}' % (self.t, i)}
                 for i in range(101)]
        self.assert_error(self.c.execute_transaction, "ValidationException",
                          contains="Member must have length less than or equal to 100",
                          TransactStatements=stmts)
        self.assertEqual(len(self.items(self.t)), 2)
        self.c.execute_transaction(TransactStatements=stmts[:100])
        self.assertEqual(len(self.items(self.t)), 102)

    def test_consumed_capacity_is_doubled(self):
        r = self.tx('INSERT INTO "%s" VALUE {\'pk\': \'x\'}' % self.t,
                    ReturnConsumedCapacity="TOTAL")
        self.assertEqual([(x["TableName"], x["CapacityUnits"]) for x in r["ConsumedCapacity"]],
                         [(self.t, 2.0)])
        r = self.tx('SELECT * FROM "%s" WHERE pk = \'x\'' % self.t, ReturnConsumedCapacity="TOTAL")
        self.assertEqual([(x["TableName"], x["CapacityUnits"]) for x in r["ConsumedCapacity"]],
                         [(self.t, 2.0)])


if __name__ == "__main__":
    unittest.main()
