"""DynamoDB single-item operations through boto3: PutItem, GetItem, UpdateItem, DeleteItem with
ConditionExpression, ReturnValues, ReturnValuesOnConditionCheckFailure, ReturnConsumedCapacity and
ReturnItemCollectionMetrics; every attribute type; exact numbers (38 digits, normalisation,
range); sets; empty strings; item and key size limits; the legacy parameters (Expected,
AttributesToGet, AttributeUpdates); the boto3 resource layer (Decimal, batch_writer).
Run: cd tests/integration/boto3 && AWSLET_BIN=.../awslet python3 -m unittest -v test_ddb_items.py
"""

import unittest
from decimal import Decimal

from boto3.dynamodb.conditions import Attr
from ddb_base import DdbCase, N, S


class Items(DdbCase):
    def setUp(self):
        super().setUp()
        self.create_table("tbl")

    def put(self, item, **kw):
        return self.c.put_item(TableName="tbl", Item=item, **kw)

    def get(self, pk, **kw):
        return self.c.get_item(TableName="tbl", Key={"pk": S(pk)}, **kw).get("Item")


class PutGet(Items):
    def test_every_type_round_trips(self):
        item = {"pk": S("a"), "s": S("héllo ✓"), "n": N("-12.5"), "b": {"B": b"\x00\xff\x10"},
                "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2.5"]},
                "bs": {"BS": [b"\x01", b"\x02"]}, "nul": {"NULL": True},
                "t": {"BOOL": True}, "f": {"BOOL": False},
                "m": {"M": {"inner": {"L": [S("x"), N(1), {"M": {}}]}, "e": {"L": []}}},
                "l": {"L": [{"NULL": True}, {"BOOL": False}, {"SS": ["q"]}]}}
        self.assertEqual(self.put(item).get("Attributes"), None)
        got = self.get("a")
        self.assertEqual(set(got), set(item))
        for k in ("pk", "s", "n", "b", "nul", "t", "f", "m", "l"):
            self.assertEqual(got[k], item[k], k)
        self.assertEqual(sorted(got["ss"]["SS"]), ["x", "y"])
        self.assertEqual(sorted(got["ns"]["NS"]), ["1", "2.5"])
        self.assertEqual(sorted(got["bs"]["BS"]), [b"\x01", b"\x02"])

    def test_get_missing_has_no_item(self):
        r = self.c.get_item(TableName="tbl", Key={"pk": S("none")})
        self.assertNotIn("Item", r)

    def test_put_replaces_whole_item(self):
        self.put({"pk": S("a"), "x": N(1), "y": N(2)})
        self.put({"pk": S("a"), "z": N(3)})
        self.assertEqual(self.get("a"), {"pk": S("a"), "z": N(3)})

    def test_projection_expression(self):
        self.put({"pk": S("a"), "m": {"M": {"x": N(1), "y": {"L": [N(10), N(20), N(30)]}}},
                  "o": S("other"), "name": S("n")})
        got = self.get("a", ProjectionExpression="m.y[1], #n, nothere",
                       ExpressionAttributeNames={"#n": "name"})
        self.assertEqual(got, {"m": {"M": {"y": {"L": [N(20)]}}}, "name": S("n")})

    def test_consistent_read_allowed_on_table(self):
        self.put({"pk": S("a")})
        self.assertEqual(self.get("a", ConsistentRead=True), {"pk": S("a")})

    def test_missing_table(self):
        self.assert_error(self.c.get_item, "ResourceNotFoundException",
                          message="Requested resource not found",
                          TableName="nope", Key={"pk": S("a")})
        self.assert_error(self.c.put_item, "ResourceNotFoundException",
                          message="Requested resource not found",
                          TableName="nope", Item={"pk": S("a")})


class KeyValidation(Items):
    def test_missing_key(self):
        self.assert_validation(self.put, "One or more parameter values were invalid: Missing the "
                               "key pk in the item", item={"x": S("a")})

    def test_key_type_mismatch(self):
        self.assert_validation(self.put, "One or more parameter values were invalid: Type "
                               "mismatch for key pk expected: S actual: N", item={"pk": N(1)})

    def test_get_key_must_match_schema(self):
        for key in ({}, {"pk": N(1)}, {"pk": S("a"), "x": S("b")}, {"x": S("a")}):
            self.assert_validation(self.c.get_item,
                                   "The provided key element does not match the schema",
                                   TableName="tbl", Key=key)

    def test_empty_string_key(self):
        self.assert_validation(self.put, "One or more parameter values are not valid. The "
                               "AttributeValue for a key attribute cannot contain an empty string "
                               "value. Key: pk", item={"pk": S("")})

    def test_empty_strings_and_binaries_allowed_outside_keys(self):
        self.put({"pk": S("a"), "e": S(""), "b": {"B": b""},
                  "m": {"M": {"e": S("")}}, "l": {"L": [S("")]}})
        self.assertEqual(self.get("a")["e"], S(""))
        self.assertEqual(self.get("a")["b"], {"B": b""})
        self.assertEqual(self.get("a")["m"], {"M": {"e": S("")}})

    def test_hash_key_size_limit(self):
        self.put({"pk": S("k" * 2048)})
        self.assertIsNotNone(self.get("k" * 2048))
        self.assert_validation(self.put, "One or more parameter values were invalid: Size of "
                               "hashkey has exceeded the maximum size limit of2048 bytes",
                               item={"pk": S("k" * 2049)})

    def test_range_key_size_limit(self):
        self.create_table("rtbl", range_key=("sk", "S"))
        self.c.put_item(TableName="rtbl", Item={"pk": S("a"), "sk": S("s" * 1024)})
        self.assert_validation(self.c.put_item, "One or more parameter values were invalid: "
                               "Aggregated size of all range keys has exceeded the size limit of "
                               "1024 bytes", TableName="rtbl",
                               Item={"pk": S("a"), "sk": S("s" * 1025)})


class Numbers(Items):
    def test_normalised_on_return(self):
        cases = {"1.50": "1.5", "1e2": "100", "1E+2": "100", "-0": "0", "0.000": "0",
                 "00012": "12", "1.0e-3": "0.001", "-1.230E1": "-12.3",
                 "12345678901234567890123456789012345678": "12345678901234567890123456789012345678",
                 "0.12345678901234567890123456789012345678":
                     "0.12345678901234567890123456789012345678"}
        item = {"pk": S("n")}
        for i, raw in enumerate(cases):
            item["a%d" % i] = {"N": raw}
        self.put(item)
        got = self.get("n")
        for i, (raw, want) in enumerate(cases.items()):
            self.assertEqual(got["a%d" % i], {"N": want}, raw)

    def test_range_limits(self):
        big = "9.9999999999999999999999999999999999999E+125"
        small = "1E-130"
        self.put({"pk": S("r"), "big": {"N": big}, "small": {"N": small},
                  "nbig": {"N": "-" + big}})
        got = self.get("r")
        self.assertEqual(Decimal(got["big"]["N"]), Decimal(big))
        self.assertEqual(Decimal(got["small"]["N"]), Decimal(small))
        self.assertEqual(Decimal(got["nbig"]["N"]), Decimal("-" + big))

    def test_out_of_range(self):
        self.assert_validation(self.put, "Number overflow. Attempting to store a number with "
                               "magnitude larger than supported range",
                               item={"pk": S("x"), "n": {"N": "1E+126"}})
        self.assert_validation(self.put, "Number underflow. Attempting to store a number with "
                               "magnitude smaller than supported range",
                               item={"pk": S("x"), "n": {"N": "1E-131"}})
        self.assert_validation(self.put, "Attempting to store more than 38 significant digits "
                               "in a Number", item={"pk": S("x"), "n": {"N": "1" * 39}})
        self.assertIsNone(self.get("x"))

    def test_not_a_number(self):
        for bad in ("abc", "", "1..2", "0x10", "Infinity", "NaN"):
            self.assert_error(self.put, "ValidationException", contains="numeric value",
                              item={"pk": S("x"), "n": {"N": bad}})

    def test_number_key_normalised(self):
        self.create_table("nktbl", hash_key=("id", "N"))
        self.c.put_item(TableName="nktbl", Item={"id": {"N": "1.50"}, "v": S("a")})
        got = self.c.get_item(TableName="nktbl", Key={"id": {"N": "1.5000"}})["Item"]
        self.assertEqual(got, {"id": N("1.5"), "v": S("a")})

    def test_number_sets(self):
        self.put({"pk": S("ns"), "s": {"NS": ["1.0", "2e1", "-3"]}})
        self.assertEqual(sorted(self.get("ns")["s"]["NS"], key=Decimal), ["-3", "1", "20"])
        # 1.0 and 1 are the same number: a duplicate
        self.assert_error(self.put, "ValidationException", contains="contains duplicates",
                          item={"pk": S("x"), "s": {"NS": ["1", "1.0"]}})


class SetsAndSizes(Items):
    def test_empty_sets_refused(self):
        self.assert_validation(self.put, "One or more parameter values were invalid: An string "
                               "set  may not be empty", item={"pk": S("x"), "s": {"SS": []}})
        self.assert_validation(self.put, "One or more parameter values were invalid: An number "
                               "set  may not be empty", item={"pk": S("x"), "s": {"NS": []}})
        self.assert_validation(self.put, "One or more parameter values were invalid: Binary sets "
                               "should not be empty", item={"pk": S("x"), "s": {"BS": []}})

    def test_duplicates_refused(self):
        self.assert_validation(self.put, "One or more parameter values were invalid: Input "
                               "collection [a, a] contains duplicates.",
                               item={"pk": S("x"), "s": {"SS": ["a", "a"]}})

    def test_null_must_be_true(self):
        self.assert_validation(self.put, "One or more parameter values were invalid: Null "
                               "attribute value types must have the value of true",
                               item={"pk": S("x"), "z": {"NULL": False}})

    def test_nesting_limit(self):
        def nest(depth):
            v = S("leaf")
            for _ in range(depth):
                v = {"M": {"m": v}}
            return v
        self.put({"pk": S("deep"), "d": nest(31)})
        self.assertEqual(self.get("deep")["d"], nest(31))
        self.assert_error(self.put, "ValidationException",
                          contains="Nesting Levels have exceeded supported limits",
                          item={"pk": S("deeper"), "d": nest(40)})

    def test_item_size_limit(self):
        # size = UTF-8 length of every attribute name plus its value: "pk"+"a" = 3, "d" = 1
        limit = 400 * 1024
        self.put({"pk": S("a"), "d": S("x" * (limit - 4))})
        self.assertEqual(len(self.get("a")["d"]["S"]), limit - 4)
        self.assert_validation(self.put, "Item size has exceeded the maximum allowed size",
                               item={"pk": S("b"), "d": S("x" * (limit - 3))})
        self.assertIsNone(self.get("b"))

    def test_update_beyond_size_limit(self):
        limit = 400 * 1024
        self.put({"pk": S("a"), "d": S("x" * (limit - 100))})
        self.assert_validation(self.c.update_item,
                               "Item size to update has exceeded the maximum allowed size",
                               TableName="tbl", Key={"pk": S("a")},
                               UpdateExpression="SET e = :e",
                               ExpressionAttributeValues={":e": S("y" * 200)})


class Conditions(Items):
    def test_put_if_absent(self):
        self.put({"pk": S("a"), "v": N(1)}, ConditionExpression="attribute_not_exists(pk)")
        e = self.assert_error(self.put, "ConditionalCheckFailedException",
                              message="The conditional request failed",
                              item={"pk": S("a"), "v": N(2)},
                              ConditionExpression="attribute_not_exists(pk)")
        self.assertNotIn("Item", e.response)
        self.assertEqual(self.get("a")["v"], N(1))

    def test_return_values_on_condition_check_failure(self):
        self.put({"pk": S("a"), "v": N(1)})
        j = self.raw_error("PutItem", {"TableName": "tbl", "Item": {"pk": S("a"), "v": N(2)},
                                       "ConditionExpression": "v = :two",
                                       "ExpressionAttributeValues": {":two": N(2)},
                                       "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
                           "ConditionalCheckFailedException", "The conditional request failed")
        self.assertEqual(j["Item"], {"pk": S("a"), "v": N(1)})
        j = self.raw_error("UpdateItem", {"TableName": "tbl", "Key": {"pk": S("a")},
                                          "UpdateExpression": "SET v = :two",
                                          "ConditionExpression": "v = :two",
                                          "ExpressionAttributeValues": {":two": N(2)},
                                          "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
                           "ConditionalCheckFailedException")
        self.assertEqual(j["Item"], {"pk": S("a"), "v": N(1)})
        j = self.raw_error("DeleteItem", {"TableName": "tbl", "Key": {"pk": S("a")},
                                          "ConditionExpression": "attribute_not_exists(v)",
                                          "ReturnValuesOnConditionCheckFailure": "NONE"},
                           "ConditionalCheckFailedException")
        self.assertNotIn("Item", j)
        # no item at all: no Item member even with ALL_OLD
        j = self.raw_error("DeleteItem", {"TableName": "tbl", "Key": {"pk": S("zz")},
                                          "ConditionExpression": "attribute_exists(v)",
                                          "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
                           "ConditionalCheckFailedException")
        self.assertNotIn("Item", j)

    def test_delete_with_condition(self):
        self.put({"pk": S("a"), "v": N(1)})
        self.assert_error(self.c.delete_item, "ConditionalCheckFailedException", TableName="tbl",
                          Key={"pk": S("a")}, ConditionExpression="v > :x",
                          ExpressionAttributeValues={":x": N(5)})
        r = self.c.delete_item(TableName="tbl", Key={"pk": S("a")}, ConditionExpression="v < :x",
                               ExpressionAttributeValues={":x": N(5)}, ReturnValues="ALL_OLD")
        self.assertEqual(r["Attributes"], {"pk": S("a"), "v": N(1)})
        self.assertIsNone(self.get("a"))
        # deleting a missing item succeeds and returns nothing
        r = self.c.delete_item(TableName="tbl", Key={"pk": S("a")}, ReturnValues="ALL_OLD")
        self.assertNotIn("Attributes", r)

    def test_update_condition_on_missing_item(self):
        self.assert_error(self.c.update_item, "ConditionalCheckFailedException", TableName="tbl",
                          Key={"pk": S("new")}, UpdateExpression="SET v = :v",
                          ConditionExpression="attribute_exists(pk)",
                          ExpressionAttributeValues={":v": N(1)})
        self.assertIsNone(self.get("new"))


class Races(Items):
    def test_one_winner_for_put_if_absent(self):
        import threading
        wins, losses, errors = [], [], []
        lock = threading.Lock()
        barrier = threading.Barrier(8)

        def worker(w):
            c = self.d.client("dynamodb")
            barrier.wait()
            for k in range(10):
                try:
                    c.put_item(TableName="tbl", Item={"pk": S("k%d" % k), "w": N(w)},
                               ConditionExpression="attribute_not_exists(pk)")
                    with lock:
                        wins.append((k, w))
                except c.exceptions.ConditionalCheckFailedException:
                    with lock:
                        losses.append((k, w))
                except Exception as e:  # noqa: BLE001
                    with lock:
                        errors.append(repr(e))

        threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(sorted(k for k, _ in wins), list(range(10)))
        self.assertEqual(len(losses), 70)
        for k, w in wins:
            self.assertEqual(self.get("k%d" % k)["w"], N(w))

    def test_concurrent_adds_are_not_lost(self):
        import threading

        def worker():
            c = self.d.client("dynamodb")
            for _ in range(25):
                c.update_item(TableName="tbl", Key={"pk": S("ctr")}, UpdateExpression="ADD n :one",
                              ExpressionAttributeValues={":one": N(1)})

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(self.get("ctr")["n"], N(200))


class MoreTypes(DdbCase):
    def test_binary_and_number_hash_keys(self):
        self.create_table("bin", hash_key=("id", "B"), range_key=("n", "N"))
        self.c.put_item(TableName="bin", Item={"id": {"B": b"\x00\xff"}, "n": {"N": "-0.50"}})
        got = self.c.get_item(TableName="bin", Key={"id": {"B": b"\x00\xff"}, "n": N("-0.5")})
        self.assertEqual(got["Item"], {"id": {"B": b"\x00\xff"}, "n": N("-0.5")})
        self.assertNotIn("Item", self.c.get_item(TableName="bin",
                                                 Key={"id": {"B": b"\x00"}, "n": N("-0.5")}))

    def test_empty_string_in_index_key(self):
        self.create_table("gix", gsis=[("gsi", ("g", "S"), None, "ALL")])
        self.assert_error(self.c.put_item, "ValidationException", contains="empty string",
                          TableName="gix", Item={"pk": S("a"), "g": S("")})
        self.assertNotIn("Item", self.c.get_item(TableName="gix", Key={"pk": S("a")}))

    def test_exact_arithmetic(self):
        self.create_table("num")
        cases = [("0.1", "0.2", "+", "0.3"), ("1", "0.9999999999999999999999999999999999999",
                                             "-", "0.0000000000000000000000000000000000001"),
                 ("1E+125", "1E+125", "-", "0"), ("-5", "5", "+", "0"),
                 ("12345678901234567890", "0.00000000000000001", "+",
                  "12345678901234567890.00000000000000001")]
        for a, b, op, want in cases:
            r = self.c.update_item(TableName="num", Key={"pk": S("x")},
                                   UpdateExpression="SET v = :a %s :b" % op,
                                   ExpressionAttributeValues={":a": {"N": a}, ":b": {"N": b}},
                                   ReturnValues="UPDATED_NEW")
            self.assertEqual(r["Attributes"]["v"], {"N": want}, (a, op, b))

    def test_arithmetic_overflow(self):
        self.create_table("num")
        self.assert_validation(self.c.update_item, "Number overflow. Attempting to store a number "
                               "with magnitude larger than supported range", TableName="num",
                               Key={"pk": S("x")}, UpdateExpression="SET v = :a + :a",
                               ExpressionAttributeValues={
                                   ":a": {"N": "9.9999999999999999999999999999999999999E+125"}})


class ReturnValues(Items):
    def test_put_return_values(self):
        r = self.put({"pk": S("a"), "v": N(1)}, ReturnValues="ALL_OLD")
        self.assertNotIn("Attributes", r)
        r = self.put({"pk": S("a"), "v": N(2)}, ReturnValues="ALL_OLD")
        self.assertEqual(r["Attributes"], {"pk": S("a"), "v": N(1)})
        for bad in ("ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"):
            self.assert_validation(self.put, "ReturnValues can only be ALL_OLD or NONE",
                                   item={"pk": S("a")}, ReturnValues=bad)

    def test_update_return_values(self):
        self.put({"pk": S("a"), "x": N(1), "y": N(2), "z": N(3)})
        upd = dict(TableName="tbl", Key={"pk": S("a")}, UpdateExpression="SET x = x + :one REMOVE z",
                   ExpressionAttributeValues={":one": N(1)})
        r = self.c.update_item(ReturnValues="NONE", **upd)
        self.assertNotIn("Attributes", r)
        r = self.c.update_item(ReturnValues="ALL_OLD", **upd)
        self.assertEqual(r["Attributes"], {"pk": S("a"), "x": N(2), "y": N(2)})
        r = self.c.update_item(ReturnValues="UPDATED_OLD", **upd)
        self.assertEqual(r["Attributes"], {"x": N(3)})
        r = self.c.update_item(ReturnValues="ALL_NEW", **upd)
        self.assertEqual(r["Attributes"], {"pk": S("a"), "x": N(5), "y": N(2)})
        r = self.c.update_item(ReturnValues="UPDATED_NEW", **upd)
        self.assertEqual(r["Attributes"], {"x": N(6)})

    def test_updated_new_nested(self):
        self.put({"pk": S("a"), "m": {"M": {"p": N(1), "q": N(2)}}})
        r = self.c.update_item(TableName="tbl", Key={"pk": S("a")}, UpdateExpression="SET m.p = :v",
                               ExpressionAttributeValues={":v": N(9)}, ReturnValues="UPDATED_NEW")
        self.assertEqual(r["Attributes"], {"m": {"M": {"p": N(9)}}})

    def test_updated_old_of_new_attribute_and_missing_item(self):
        r = self.c.update_item(TableName="tbl", Key={"pk": S("fresh")}, UpdateExpression="SET v = :v",
                               ExpressionAttributeValues={":v": N(1)}, ReturnValues="ALL_OLD")
        self.assertNotIn("Attributes", r)
        r = self.c.update_item(TableName="tbl", Key={"pk": S("fresh")}, UpdateExpression="SET w = :v",
                               ExpressionAttributeValues={":v": N(1)}, ReturnValues="UPDATED_OLD")
        self.assertNotIn("Attributes", r)
        r = self.c.update_item(TableName="tbl", Key={"pk": S("fresh")}, UpdateExpression="REMOVE w",
                               ReturnValues="UPDATED_NEW")
        self.assertNotIn("Attributes", r)

    def test_update_creates_item(self):
        r = self.c.update_item(TableName="tbl", Key={"pk": S("n")}, UpdateExpression="SET v = :v",
                               ExpressionAttributeValues={":v": S("x")}, ReturnValues="ALL_NEW")
        self.assertEqual(r["Attributes"], {"pk": S("n"), "v": S("x")})
        # an update with no expression creates an item holding only the key
        self.c.update_item(TableName="tbl", Key={"pk": S("k")})
        self.assertEqual(self.get("k"), {"pk": S("k")})

    def test_delete_return_values_invalid(self):
        self.assert_validation(self.c.delete_item, "ReturnValues can only be ALL_OLD or NONE",
                               TableName="tbl", Key={"pk": S("a")}, ReturnValues="ALL_NEW")


class Capacity(DdbCase):
    def test_consumed_capacity(self):
        self.create_table("ctbl", gsis=[("gsi", ("gk", "S"), None, "ALL")])
        r = self.c.put_item(TableName="ctbl", Item={"pk": S("a"), "gk": S("x")},
                            ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"]["TableName"], "ctbl")
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 2.0)
        r = self.c.get_item(TableName="ctbl", Key={"pk": S("a")}, ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"], {"TableName": "ctbl", "CapacityUnits": 0.5})
        r = self.c.get_item(TableName="ctbl", Key={"pk": S("a")}, ConsistentRead=True,
                            ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 1.0)
        r = self.c.put_item(TableName="ctbl", Item={"pk": S("b")}, ReturnConsumedCapacity="INDEXES")
        cc = r["ConsumedCapacity"]
        self.assertEqual(cc["TableName"], "ctbl")
        self.assertEqual(cc["Table"], {"CapacityUnits": 1.0})
        r = self.c.put_item(TableName="ctbl", Item={"pk": S("d"), "gk": S("y")},
                            ReturnConsumedCapacity="INDEXES")
        cc = r["ConsumedCapacity"]
        self.assertEqual(cc["CapacityUnits"], 2.0)
        self.assertEqual(cc["GlobalSecondaryIndexes"], {"gsi": {"CapacityUnits": 1.0}})
        r = self.c.put_item(TableName="ctbl", Item={"pk": S("e")}, ReturnConsumedCapacity="NONE")
        self.assertNotIn("ConsumedCapacity", r)
        # a 1.5 KB item costs 2 WCU; a 5 KB strongly consistent read costs 2 RCU
        r = self.c.put_item(TableName="ctbl", Item={"pk": S("big"), "d": S("x" * 5000)},
                            ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 5.0)
        r = self.c.get_item(TableName="ctbl", Key={"pk": S("big")}, ConsistentRead=True,
                            ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 2.0)

    def test_update_and_delete_capacity(self):
        self.create_table("cap")
        r = self.c.update_item(TableName="cap", Key={"pk": S("a")}, UpdateExpression="SET v = :v",
                               ExpressionAttributeValues={":v": S("x" * 3000)},
                               ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 3.0)
        # a delete is charged for the item it removes; deleting nothing costs 1
        r = self.c.delete_item(TableName="cap", Key={"pk": S("a")}, ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 3.0)
        r = self.c.delete_item(TableName="cap", Key={"pk": S("a")}, ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 1.0)
        # a failed conditional write still consumes 1 WCU
        self.c.put_item(TableName="cap", Item={"pk": S("b")})
        with self.assertRaises(self.c.exceptions.ConditionalCheckFailedException):
            self.c.put_item(TableName="cap", Item={"pk": S("b")},
                            ConditionExpression="attribute_not_exists(pk)",
                            ReturnConsumedCapacity="TOTAL")

    def test_item_collection_metrics(self):
        self.create_table("ltbl", range_key=("sk", "S"), lsis=[("byX", None, ("x", "S"), "ALL")])
        r = self.c.put_item(TableName="ltbl", Item={"pk": S("a"), "sk": S("1"), "x": S("q")},
                            ReturnItemCollectionMetrics="SIZE")
        m = r["ItemCollectionMetrics"]
        self.assertEqual(m["ItemCollectionKey"], {"pk": S("a")})
        self.assertEqual(len(m["SizeEstimateRangeGB"]), 2)
        self.assertLessEqual(m["SizeEstimateRangeGB"][0], m["SizeEstimateRangeGB"][1])
        # no LSI: no metrics
        self.create_table("nolsi")
        r = self.c.put_item(TableName="nolsi", Item={"pk": S("a")},
                            ReturnItemCollectionMetrics="SIZE")
        self.assertNotIn("ItemCollectionMetrics", r)


class Legacy(Items):
    def test_expected_exists(self):
        self.put({"pk": S("a"), "v": N(1)}, Expected={"pk": {"Exists": False}})
        self.assert_error(self.put, "ConditionalCheckFailedException", item={"pk": S("a")},
                          Expected={"pk": {"Exists": False}})
        self.put({"pk": S("a"), "v": N(2)}, Expected={"v": {"Value": N(1)}})
        self.put({"pk": S("a"), "v": N(3)},
                 Expected={"v": {"ComparisonOperator": "BETWEEN",
                                 "AttributeValueList": [N(1), N(5)]}})
        self.assert_error(self.put, "ConditionalCheckFailedException", item={"pk": S("a")},
                          Expected={"v": {"ComparisonOperator": "GT",
                                          "AttributeValueList": [N(5)]},
                                    "w": {"ComparisonOperator": "NULL"}},
                          ConditionalOperator="AND")
        self.put({"pk": S("a"), "v": N(4)},
                 Expected={"v": {"ComparisonOperator": "GT", "AttributeValueList": [N(5)]},
                           "w": {"ComparisonOperator": "NULL"}}, ConditionalOperator="OR")
        self.assertEqual(self.get("a")["v"], N(4))

    def test_expected_validation(self):
        self.assert_validation(self.put, "One or more parameter values were invalid: Value must "
                               "be provided when Exists is true for Attribute: v",
                               item={"pk": S("a")}, Expected={"v": {"Exists": True}})
        self.assert_validation(self.put, "One or more parameter values were invalid: Value cannot "
                               "be used when Exists is false for Attribute: v",
                               item={"pk": S("a")},
                               Expected={"v": {"Exists": False, "Value": N(1)}})

    def test_attributes_to_get(self):
        self.put({"pk": S("a"), "x": N(1), "y": N(2)})
        self.assertEqual(self.get("a", AttributesToGet=["x", "nope"]), {"x": N(1)})

    def test_attribute_updates(self):
        self.put({"pk": S("a"), "n": N(1), "s": {"SS": ["p", "q"]}, "gone": S("x")})
        r = self.c.update_item(TableName="tbl", Key={"pk": S("a")}, ReturnValues="ALL_NEW",
                               AttributeUpdates={
                                   "n": {"Action": "ADD", "Value": N(5)},
                                   "s": {"Action": "DELETE", "Value": {"SS": ["p"]}},
                                   "gone": {"Action": "DELETE"},
                                   "new": {"Value": S("v")},
                                   "cnt": {"Action": "ADD", "Value": N(2)}})
        self.assertEqual(r["Attributes"], {"pk": S("a"), "n": N(6), "s": {"SS": ["q"]},
                                           "new": S("v"), "cnt": N(2)})

    def test_attribute_updates_type_errors(self):
        self.assert_validation(self.c.update_item, "One or more parameter values were invalid: "
                               "ADD action is not supported for the type S", TableName="tbl",
                               Key={"pk": S("a")},
                               AttributeUpdates={"x": {"Action": "ADD", "Value": S("1")}})
        self.assert_validation(self.c.update_item, "One or more parameter values were invalid: "
                               "Cannot update attribute pk. This attribute is part of the key",
                               TableName="tbl", Key={"pk": S("a")},
                               AttributeUpdates={"pk": {"Value": S("b")}})

    def test_mixing_legacy_and_expressions(self):
        self.assert_validation(self.c.get_item, "Can not use both expression and non-expression "
                               "parameters in the same request: Non-expression parameters: "
                               "{AttributesToGet} Expression parameters: {ProjectionExpression}",
                               TableName="tbl", Key={"pk": S("a")}, AttributesToGet=["x"],
                               ProjectionExpression="x")
        self.assert_validation(self.put, "Can not use both expression and non-expression "
                               "parameters in the same request: Non-expression parameters: "
                               "{Expected} Expression parameters: {ConditionExpression}",
                               item={"pk": S("a")}, Expected={"pk": {"Exists": False}},
                               ConditionExpression="attribute_not_exists(pk)")


class ResourceLayer(DdbCase):
    def test_query_scan_update_and_batch_get(self):
        from boto3.dynamodb.conditions import Key
        self.create_table("rqt", range_key=("sk", "S"))
        t = self.r.Table("rqt")
        for i in range(12):
            t.put_item(Item={"pk": "u1", "sk": "order#%02d" % i, "total": Decimal(i) / 4,
                             "tags": {"a", "b"} if i % 3 == 0 else {"c"}})
        t.put_item(Item={"pk": "u1", "sk": "profile", "name": "Ann"})
        r = t.query(KeyConditionExpression=Key("pk").eq("u1") & Key("sk").begins_with("order#"),
                    FilterExpression=Attr("tags").contains("a") & Attr("total").gte(Decimal("0.75")),
                    ScanIndexForward=False)
        self.assertEqual([i["sk"] for i in r["Items"]], ["order#09", "order#06", "order#03"])
        self.assertEqual(r["Items"][0]["total"], Decimal("2.25"))
        r = t.update_item(Key={"pk": "u1", "sk": "profile"},
                          UpdateExpression="SET #n = :n", ConditionExpression=Attr("name").eq("Ann"),
                          ExpressionAttributeNames={"#n": "name"},
                          ExpressionAttributeValues={":n": "Bo"}, ReturnValues="ALL_NEW")
        self.assertEqual(r["Attributes"], {"pk": "u1", "sk": "profile", "name": "Bo"})
        seen, kw = [], {"Limit": 5}
        while True:
            page = t.scan(**kw)
            seen += page["Items"]
            if "LastEvaluatedKey" not in page:
                break
            kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        self.assertEqual(len(seen), 13)
        got = self.r.batch_get_item(RequestItems={"rqt": {"Keys": [
            {"pk": "u1", "sk": "profile"}, {"pk": "u1", "sk": "order#00"}]}})
        self.assertEqual(sorted(i["sk"] for i in got["Responses"]["rqt"]), ["order#00", "profile"])

    def test_decimal_round_trip_and_add(self):
        self.create_table("res")
        t = self.r.Table("res")
        t.put_item(Item={"pk": "a", "n": Decimal("0.1"), "l": [1, "x", {"k": True}],
                         "s": {"p", "q"}, "b": b"\x01"})
        got = t.get_item(Key={"pk": "a"})["Item"]
        self.assertEqual(got["n"], Decimal("0.1"))
        self.assertEqual(got["l"], [Decimal(1), "x", {"k": True}])
        self.assertEqual(got["s"], {"p", "q"})
        self.assertEqual(got["b"].value, b"\x01")
        r = t.update_item(Key={"pk": "a"}, UpdateExpression="ADD n :d",
                          ExpressionAttributeValues={":d": Decimal("0.2")},
                          ReturnValues="UPDATED_NEW")
        self.assertEqual(r["Attributes"]["n"], Decimal("0.3"))
        self.assertEqual(t.get_item(Key={"pk": "a"})["Item"]["n"], Decimal("0.3"))

    def test_conditions_and_batch_writer(self):
        self.create_table("bwtbl", range_key=("sk", "N"))
        t = self.r.Table("bwtbl")
        with t.batch_writer() as w:
            for i in range(60):
                w.put_item(Item={"pk": "p", "sk": i, "even": i % 2 == 0})
        from boto3.dynamodb.conditions import Key
        r = t.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").between(10, 19),
                    FilterExpression=Attr("even").eq(True))
        self.assertEqual([int(i["sk"]) for i in r["Items"]], [10, 12, 14, 16, 18])
        self.assertEqual(r["ScannedCount"], 10)
        with t.batch_writer() as w:
            for i in range(0, 60, 2):
                w.delete_item(Key={"pk": "p", "sk": i})
        self.assertEqual(t.query(KeyConditionExpression=Key("pk").eq("p"), Select="COUNT")["Count"],
                         30)
        t.put_item(Item={"pk": "q", "sk": 1, "v": "x"},
                   ConditionExpression=Attr("pk").not_exists())
        with self.assertRaises(t.meta.client.exceptions.ConditionalCheckFailedException):
            t.put_item(Item={"pk": "q", "sk": 1, "v": "y"},
                       ConditionExpression=Attr("pk").not_exists())


if __name__ == "__main__":
    unittest.main()
