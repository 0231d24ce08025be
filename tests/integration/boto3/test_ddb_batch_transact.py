"""DynamoDB BatchGetItem, BatchWriteItem, TransactWriteItems and TransactGetItems through boto3:
limits (25 writes, 100 reads, 100 actions, 16 MB responses), duplicates, all-or-nothing
transactions with CancellationReasons in request order, ClientRequestToken idempotency for 10
minutes on the test clock, IdempotentParameterMismatchException, the resource layer's
batch_writer.
Run: cd tests/integration/boto3 && AWSLET_BIN=.../awslet python3 -m unittest -v test_ddb_batch_transact.py
"""

import unittest

from ddb_base import DdbCase, N, S


class Batch(DdbCase):
    def setUp(self):
        super().setUp()
        self.create_table("atbl")
        self.create_table("btbl", range_key=("sk", "N"))

    def test_batch_write_put_and_delete(self):
        reqs = {"atbl": [{"PutRequest": {"Item": {"pk": S("k%d" % i), "v": N(i)}}} for i in range(15)],
                "btbl": [{"PutRequest": {"Item": {"pk": S("x"), "sk": N(i)}}} for i in range(10)]}
        r = self.c.batch_write_item(RequestItems=reqs)
        self.assertEqual(r["UnprocessedItems"], {})
        self.assertEqual(len(self.items("atbl")), 15)
        self.assertEqual(len(self.items("btbl")), 10)
        r = self.c.batch_write_item(RequestItems={
            "atbl": [{"DeleteRequest": {"Key": {"pk": S("k%d" % i)}}} for i in range(5)] +
                 [{"PutRequest": {"Item": {"pk": S("new")}}}],
            "btbl": [{"DeleteRequest": {"Key": {"pk": S("x"), "sk": N(0)}}},
                  {"DeleteRequest": {"Key": {"pk": S("nobody"), "sk": N(0)}}}]})
        self.assertEqual(r["UnprocessedItems"], {})
        self.assertEqual(len(self.items("atbl")), 11)
        self.assertEqual(len(self.items("btbl")), 9)

    def test_batch_write_limit_25(self):
        self.assert_error(self.c.batch_write_item, "ValidationException",
                          contains="Member must have length less than or equal to 25",
                          RequestItems={"atbl": [{"PutRequest": {"Item": {"pk": S("k%d" % i)}}}
                                              for i in range(26)]})
        self.assertEqual(self.items("atbl"), [])

    def test_batch_write_duplicates(self):
        for reqs in ([{"PutRequest": {"Item": {"pk": S("d")}}},
                      {"PutRequest": {"Item": {"pk": S("d"), "v": N(1)}}}],
                     [{"PutRequest": {"Item": {"pk": S("d")}}},
                      {"DeleteRequest": {"Key": {"pk": S("d")}}}]):
            self.assert_validation(self.c.batch_write_item,
                                   "Provided list of item keys contains duplicates",
                                   RequestItems={"atbl": reqs})
        self.assertEqual(self.items("atbl"), [])

    def test_batch_write_bad_item_writes_nothing(self):
        self.assert_error(self.c.batch_write_item, "ValidationException",
                          RequestItems={"atbl": [{"PutRequest": {"Item": {"pk": S("ok")}}},
                                              {"PutRequest": {"Item": {"pk": N(1)}}}]})
        self.assertEqual(self.items("atbl"), [])

    def test_batch_write_missing_table(self):
        self.assert_error(self.c.batch_write_item, "ResourceNotFoundException",
                          message="Requested resource not found",
                          RequestItems={"atbl": [{"PutRequest": {"Item": {"pk": S("ok")}}}],
                                        "nope": [{"PutRequest": {"Item": {"pk": S("ok")}}}]})
        self.assertEqual(self.items("atbl"), [])

    def test_batch_get(self):
        for i in range(5):
            self.c.put_item(TableName="atbl", Item={"pk": S("k%d" % i), "v": N(i), "w": S("x")})
        self.c.put_item(TableName="btbl", Item={"pk": S("x"), "sk": N(1), "v": N(1)})
        r = self.c.batch_get_item(RequestItems={
            "atbl": {"Keys": [{"pk": S("k1")}, {"pk": S("k3")}, {"pk": S("missing")}],
                  "ProjectionExpression": "pk, #v", "ExpressionAttributeNames": {"#v": "v"}},
            "btbl": {"Keys": [{"pk": S("x"), "sk": N(1)}], "ConsistentRead": True}})
        self.assertEqual(r["UnprocessedKeys"], {})
        self.assertEqual(sorted(r["Responses"]["atbl"], key=lambda i: i["pk"]["S"]),
                         [{"pk": S("k1"), "v": N(1)}, {"pk": S("k3"), "v": N(3)}])
        self.assertEqual(r["Responses"]["btbl"], [{"pk": S("x"), "sk": N(1), "v": N(1)}])
        # a table none of whose keys exist still appears, empty
        r = self.c.batch_get_item(RequestItems={"atbl": {"Keys": [{"pk": S("zz")}]}})
        self.assertEqual(r["Responses"], {"atbl": []})

    def test_batch_get_limits(self):
        # one table's Keys: the model's length constraint
        self.assert_error(self.c.batch_get_item, "ValidationException",
                          contains="Member must have length less than or equal to 100",
                          RequestItems={"atbl": {"Keys": [{"pk": S("k%d" % i)}
                                                          for i in range(101)]}})
        # more than 100 over all tables
        self.assert_validation(self.c.batch_get_item,
                               "Too many items requested for the BatchGetItem call",
                               RequestItems={"atbl": {"Keys": [{"pk": S("k%d" % i)}
                                                               for i in range(60)]},
                                             "btbl": {"Keys": [{"pk": S("k"), "sk": N(i)}
                                                               for i in range(41)]}})
        self.c.batch_get_item(RequestItems={"atbl": {"Keys": [{"pk": S("k%d" % i)}
                                                           for i in range(100)]}})
        self.assert_validation(self.c.batch_get_item,
                               "Provided list of item keys contains duplicates",
                               RequestItems={"atbl": {"Keys": [{"pk": S("k")}, {"pk": S("k")}]}})
        self.assert_validation(self.c.batch_get_item,
                               "The provided key element does not match the schema",
                               RequestItems={"btbl": {"Keys": [{"pk": S("k")}]}})

    def test_batch_get_16mb_partial_result(self):
        blob = "x" * (390 * 1024)
        for i in range(50):
            self.c.put_item(TableName="atbl", Item={"pk": S("k%02d" % i), "d": S(blob)})
        req = {"atbl": {"Keys": [{"pk": S("k%02d" % i)} for i in range(50)]}}
        r = self.c.batch_get_item(RequestItems=req)
        got = len(r["Responses"]["atbl"])
        self.assertLess(got, 50)
        self.assertGreater(got, 30)
        self.assertLessEqual(got * 390 * 1024, 16 * 1024 * 1024)
        un = r["UnprocessedKeys"]["atbl"]["Keys"]
        self.assertEqual(got + len(un), 50)
        seen = {i["pk"]["S"] for i in r["Responses"]["atbl"]}
        r = self.c.batch_get_item(RequestItems=r["UnprocessedKeys"])
        self.assertEqual(r["UnprocessedKeys"], {})
        seen |= {i["pk"]["S"] for i in r["Responses"]["atbl"]}
        self.assertEqual(seen, {"k%02d" % i for i in range(50)})

    def test_consumed_capacity(self):
        r = self.c.batch_write_item(RequestItems={"atbl": [{"PutRequest": {"Item": {"pk": S("1")}}},
                                                        {"PutRequest": {"Item": {"pk": S("2")}}}]},
                                    ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"], [{"TableName": "atbl", "CapacityUnits": 2.0}])
        r = self.c.batch_get_item(RequestItems={"atbl": {"Keys": [{"pk": S("1")}, {"pk": S("2")}]}},
                                  ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"], [{"TableName": "atbl", "CapacityUnits": 1.0}])


class Transactions(DdbCase):
    def setUp(self):
        super().setUp()
        self.create_table("tbl")
        self.create_table("utbl")
        self.c.put_item(TableName="tbl", Item={"pk": S("a"), "n": N(1)})
        self.c.put_item(TableName="tbl", Item={"pk": S("b"), "n": N(2)})
        self.c.put_item(TableName="utbl", Item={"pk": S("c"), "n": N(3)})

    def get(self, table, pk):
        return self.c.get_item(TableName=table, Key={"pk": S(pk)}).get("Item")

    def test_all_actions_applied(self):
        self.c.transact_write_items(TransactItems=[
            {"Put": {"TableName": "tbl", "Item": {"pk": S("new"), "n": N(9)},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Update": {"TableName": "tbl", "Key": {"pk": S("a")}, "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": N(1)}}},
            {"Delete": {"TableName": "utbl", "Key": {"pk": S("c")}}},
            {"ConditionCheck": {"TableName": "tbl", "Key": {"pk": S("b")},
                                "ConditionExpression": "n = :two",
                                "ExpressionAttributeValues": {":two": N(2)}}},
        ])
        self.assertEqual(self.get("tbl", "new"), {"pk": S("new"), "n": N(9)})
        self.assertEqual(self.get("tbl", "a")["n"], N(2))
        self.assertIsNone(self.get("utbl", "c"))
        self.assertEqual(self.get("tbl", "b")["n"], N(2))

    def test_all_or_nothing_with_reasons_in_order(self):
        with self.assertRaises(self.c.exceptions.TransactionCanceledException) as cm:
            self.c.transact_write_items(TransactItems=[
                {"Put": {"TableName": "tbl", "Item": {"pk": S("new"), "n": N(9)}}},
                {"Update": {"TableName": "tbl", "Key": {"pk": S("a")}, "UpdateExpression": "SET n = :v",
                            "ConditionExpression": "n = :v",
                            "ExpressionAttributeValues": {":v": N(100)},
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
                {"Delete": {"TableName": "utbl", "Key": {"pk": S("c")}}},
                {"ConditionCheck": {"TableName": "tbl", "Key": {"pk": S("b")},
                                    "ConditionExpression": "attribute_not_exists(pk)"}},
            ])
        e = cm.exception.response
        self.assertEqual(e["Error"]["Code"], "TransactionCanceledException")
        self.assertEqual(e["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertEqual(e["Error"]["Message"],
                         "Transaction cancelled, please refer cancellation reasons for specific "
                         "reasons [None, ConditionalCheckFailed, None, ConditionalCheckFailed]")
        reasons = e["CancellationReasons"]
        self.assertEqual([x["Code"] for x in reasons],
                         ["None", "ConditionalCheckFailed", "None", "ConditionalCheckFailed"])
        self.assertEqual(reasons[1]["Message"], "The conditional request failed")
        self.assertEqual(reasons[1]["Item"], {"pk": S("a"), "n": N(1)})
        self.assertNotIn("Item", reasons[3])
        self.assertNotIn("Message", reasons[0])
        # nothing was applied
        self.assertIsNone(self.get("tbl", "new"))
        self.assertEqual(self.get("tbl", "a")["n"], N(1))
        self.assertIsNotNone(self.get("utbl", "c"))

    def test_cancellation_wire_shape(self):
        # as DynamoDB sends it (payload quoted in boto/boto3#2657): capital "Message" at the top
        # and in each reason that has one; {"Code": "None"} for the actions that were fine
        r = self.raw("TransactWriteItems", {"TransactItems": [
            {"Put": {"TableName": "tbl", "Item": {"pk": S("zz")}}},
            {"ConditionCheck": {"TableName": "tbl", "Key": {"pk": S("a")},
                                "ConditionExpression": "attribute_not_exists(pk)",
                                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}]})
        self.assertEqual(r.status, 400, r)
        j = r.json()
        self.assertEqual(j["__type"],
                         "com.amazonaws.dynamodb.v20120810#TransactionCanceledException")
        self.assertEqual(j["Message"], "Transaction cancelled, please refer cancellation reasons "
                                       "for specific reasons [None, ConditionalCheckFailed]")
        self.assertEqual(j["CancellationReasons"], [
            {"Code": "None"},
            {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
             "Item": {"pk": S("a"), "n": N(1)}}])

    def test_runtime_validation_error_is_a_cancellation_reason(self):
        self.c.put_item(TableName="tbl", Item={"pk": S("s"), "s": S("str")})
        with self.assertRaises(self.c.exceptions.TransactionCanceledException) as cm:
            self.c.transact_write_items(TransactItems=[
                {"Put": {"TableName": "tbl", "Item": {"pk": S("new")}}},
                {"Update": {"TableName": "tbl", "Key": {"pk": S("s")}, "UpdateExpression": "ADD s :one",
                            "ExpressionAttributeValues": {":one": N(1)}}},
            ])
        reasons = cm.exception.response["CancellationReasons"]
        self.assertEqual([x["Code"] for x in reasons], ["None", "ValidationError"])
        self.assertIsNone(self.get("tbl", "new"))

    def test_two_actions_on_one_item(self):
        self.assert_validation(
            self.c.transact_write_items,
            "Transaction request cannot include multiple operations on one item",
            TransactItems=[
                {"Put": {"TableName": "tbl", "Item": {"pk": S("a")}}},
                {"ConditionCheck": {"TableName": "tbl", "Key": {"pk": S("a")},
                                    "ConditionExpression": "attribute_exists(pk)"}}])
        # the same key in two different tables is two items
        self.c.transact_write_items(TransactItems=[
            {"Put": {"TableName": "tbl", "Item": {"pk": S("same")}}},
            {"Put": {"TableName": "utbl", "Item": {"pk": S("same")}}}])

    def test_max_100_actions(self):
        items = [{"Put": {"TableName": "tbl", "Item": {"pk": S("p%03d" % i)}}} for i in range(101)]
        self.assert_error(self.c.transact_write_items, "ValidationException",
                          contains="Member must have length less than or equal to 100",
                          TransactItems=items)
        self.c.transact_write_items(TransactItems=items[:100])
        self.assertEqual(len(self.items("tbl")), 102)

    def test_client_request_token_idempotency(self):
        items = [{"Update": {"TableName": "tbl", "Key": {"pk": S("a")}, "UpdateExpression": "ADD n :one",
                             "ExpressionAttributeValues": {":one": N(1)}}}]
        self.c.transact_write_items(TransactItems=items, ClientRequestToken="tok-1")
        self.c.transact_write_items(TransactItems=items, ClientRequestToken="tok-1")
        self.assertEqual(self.get("tbl", "a")["n"], N(2))
        other = [{"Update": {"TableName": "tbl", "Key": {"pk": S("b")}, "UpdateExpression": "ADD n :one",
                             "ExpressionAttributeValues": {":one": N(1)}}}]
        self.assert_error(self.c.transact_write_items, "IdempotentParameterMismatchException",
                          TransactItems=other, ClientRequestToken="tok-1")
        self.assertEqual(self.get("tbl", "b")["n"], N(2))
        self.advance(9 * 60)
        self.c.transact_write_items(TransactItems=items, ClientRequestToken="tok-1")
        self.assertEqual(self.get("tbl", "a")["n"], N(2))
        # after 10 minutes the token is forgotten: the same call applies again
        self.advance(61)
        self.c.transact_write_items(TransactItems=items, ClientRequestToken="tok-1")
        self.assertEqual(self.get("tbl", "a")["n"], N(3))

    def test_consumed_capacity_is_doubled(self):
        r = self.c.transact_write_items(TransactItems=[
            {"Put": {"TableName": "tbl", "Item": {"pk": S("x")}}}], ReturnConsumedCapacity="TOTAL")
        self.assertEqual(len(r["ConsumedCapacity"]), 1)
        self.assertEqual(r["ConsumedCapacity"][0]["TableName"], "tbl")
        self.assertEqual(r["ConsumedCapacity"][0]["CapacityUnits"], 2.0)
        r = self.c.transact_get_items(TransactItems=[
            {"Get": {"TableName": "tbl", "Key": {"pk": S("x")}}}], ReturnConsumedCapacity="TOTAL")
        self.assertEqual(len(r["ConsumedCapacity"]), 1)
        self.assertEqual(r["ConsumedCapacity"][0]["TableName"], "tbl")
        self.assertEqual(r["ConsumedCapacity"][0]["CapacityUnits"], 2.0)

    def test_transact_get(self):
        r = self.c.transact_get_items(TransactItems=[
            {"Get": {"TableName": "tbl", "Key": {"pk": S("b")}}},
            {"Get": {"TableName": "tbl", "Key": {"pk": S("missing")}}},
            {"Get": {"TableName": "utbl", "Key": {"pk": S("c")}, "ProjectionExpression": "#n",
                     "ExpressionAttributeNames": {"#n": "n"}}},
        ])
        self.assertEqual(r["Responses"], [{"Item": {"pk": S("b"), "n": N(2)}}, {},
                                          {"Item": {"n": N(3)}}])

    def test_missing_table(self):
        self.assert_error(self.c.transact_write_items, "ResourceNotFoundException",
                          TransactItems=[{"Put": {"TableName": "nope", "Item": {"pk": S("x")}}}])
        self.assert_error(self.c.transact_get_items, "ResourceNotFoundException",
                          TransactItems=[{"Get": {"TableName": "nope", "Key": {"pk": S("x")}}}])

    def test_static_validation_is_a_validation_exception(self):
        self.assert_error(self.c.transact_write_items, "ValidationException",
                          contains="Syntax error",
                          TransactItems=[{"Put": {"TableName": "tbl", "Item": {"pk": S("x")},
                                                  "ConditionExpression": "foo"}}])
        self.assertIsNone(self.get("tbl", "x"))


if __name__ == "__main__":
    unittest.main()
