"""DynamoDB Query and Scan through boto3: key conditions (=, <, <=, >, >=, BETWEEN, begins_with),
sort order by key type (bytes for S and B, numeric for N), ScanIndexForward, Limit and
ExclusiveStartKey/LastEvaluatedKey paging, the 1 MB page, FilterExpression applied after Limit
(Count vs ScannedCount), Select, ConsistentRead on GSIs, GSI/LSI projections (KEYS_ONLY, INCLUDE,
ALL) and sparse indexes, parallel Scan segments, and the legacy KeyConditions/QueryFilter/
ScanFilter parameters.
Run: cd tests/integration/boto3 && AWSLET_BIN=.../awslet python3 -m unittest -v test_ddb_query_scan.py
"""

import random
import re
import unittest
from decimal import Decimal

from ddb_base import DdbCase, N, S


def sks(items, attr="sk"):
    out = []
    for i in items:
        v = i[attr]
        out.append(Decimal(v["N"]) if "N" in v else v.get("S", v.get("B")))
    return out


class KeyConditions(DdbCase):
    def setUp(self):
        super().setUp()
        self.create_table("qtbl", range_key=("sk", "N"))
        self.nums = [Decimal(x) for x in ("-10", "-2.5", "0", "1", "2", "10", "100", "1E+3",
                                          "0.001")]
        shuffled = list(self.nums)
        random.Random(7).shuffle(shuffled)
        for v in shuffled:
            self.c.put_item(TableName="qtbl", Item={"pk": S("p"), "sk": {"N": str(v)},
                                                 "v": {"N": str(v)}})
        self.c.put_item(TableName="qtbl", Item={"pk": S("other"), "sk": N(1)})

    def q(self, cond, vals, **kw):
        return self.c.query(TableName="qtbl", KeyConditionExpression=cond,
                            ExpressionAttributeValues=vals, **kw)

    def test_numeric_order_and_reverse(self):
        r = self.q("pk = :p", {":p": S("p")})
        self.assertEqual(sks(r["Items"]), sorted(self.nums))
        self.assertEqual(r["Count"], len(self.nums))
        self.assertEqual(r["ScannedCount"], len(self.nums))
        self.assertNotIn("LastEvaluatedKey", r)
        r = self.q("pk = :p", {":p": S("p")}, ScanIndexForward=False)
        self.assertEqual(sks(r["Items"]), sorted(self.nums, reverse=True))

    def test_comparators(self):
        p = S("p")
        cases = [
            ("sk = :v", {":v": N(2)}, [2]),
            ("sk < :v", {":v": N(0)}, [-10, Decimal("-2.5")]),
            ("sk <= :v", {":v": N(0)}, [-10, Decimal("-2.5"), 0]),
            ("sk > :v", {":v": N(10)}, [100, 1000]),
            ("sk >= :v", {":v": N(10)}, [10, 100, 1000]),
            ("sk BETWEEN :a AND :b", {":a": N(0), ":b": N(2)}, [0, Decimal("0.001"), 1, 2]),
            ("sk between :a and :b", {":a": N(3), ":b": N(9)}, []),
        ]
        for cond, vals, want in cases:
            vals = dict(vals, **{":p": p})
            r = self.q("pk = :p AND " + cond, vals)
            self.assertEqual(sks(r["Items"]), [Decimal(x) for x in want], cond)
            # key order written the other way round
            r = self.q(cond + " AND pk = :p", vals)
            self.assertEqual(sks(r["Items"]), [Decimal(x) for x in want], cond)

    def test_names_in_key_condition(self):
        r = self.q("#h = :p AND #r > :v", {":p": S("p"), ":v": N(99)},
                   ExpressionAttributeNames={"#h": "pk", "#r": "sk"})
        self.assertEqual(sks(r["Items"]), [100, 1000])

    def test_no_items(self):
        r = self.q("pk = :p", {":p": S("nobody")})
        self.assertEqual((r["Items"], r["Count"], r["ScannedCount"]), ([], 0, 0))
        self.assertNotIn("LastEvaluatedKey", r)

    def test_limit_paging(self):
        seen = []
        kw = {"Limit": 4}
        pages = 0
        while True:
            r = self.q("pk = :p", {":p": S("p")}, **kw)
            pages += 1
            self.assertLessEqual(r["Count"], 4)
            seen += sks(r["Items"])
            if "LastEvaluatedKey" not in r:
                break
            self.assertEqual(set(r["LastEvaluatedKey"]), {"pk", "sk"})
            last = r["Items"][-1]
            self.assertEqual(r["LastEvaluatedKey"], {"pk": last["pk"], "sk": last["sk"]})
            kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
        self.assertEqual(seen, sorted(self.nums))
        self.assertEqual(pages, 3)

    def test_paging_survives_deleting_the_last_evaluated_item(self):
        r = self.q("pk = :p", {":p": S("p")}, Limit=3)
        lek = r["LastEvaluatedKey"]
        self.c.delete_item(TableName="qtbl", Key=lek)
        r2 = self.q("pk = :p", {":p": S("p")}, ExclusiveStartKey=lek)
        self.assertEqual(sks(r["Items"]) + sks(r2["Items"]),
                         [x for x in sorted(self.nums)])
        self.assertNotIn(Decimal(lek["sk"]["N"]), sks(r2["Items"]))

    def test_limit_equal_to_remaining_items_still_returns_key(self):
        r = self.q("pk = :p", {":p": S("p")}, Limit=len(self.nums))
        self.assertEqual(r["Count"], len(self.nums))
        self.assertIn("LastEvaluatedKey", r)
        r = self.q("pk = :p", {":p": S("p")}, ExclusiveStartKey=r["LastEvaluatedKey"])
        self.assertEqual((r["Count"], r["Items"]), (0, []))
        self.assertNotIn("LastEvaluatedKey", r)

    def test_reverse_paging(self):
        r = self.q("pk = :p", {":p": S("p")}, Limit=3, ScanIndexForward=False)
        r2 = self.q("pk = :p", {":p": S("p")}, Limit=3, ScanIndexForward=False,
                    ExclusiveStartKey=r["LastEvaluatedKey"])
        self.assertEqual(sks(r["Items"]) + sks(r2["Items"]), sorted(self.nums, reverse=True)[:6])

    def test_filter_applies_after_limit(self):
        r = self.q("pk = :p", {":p": S("p"), ":z": N(0)}, Limit=4, FilterExpression="v > :z")
        # the first 4 keys are -10, -2.5, 0, 0.001: only 0.001 passes
        self.assertEqual(r["ScannedCount"], 4)
        self.assertEqual(r["Count"], 1)
        self.assertEqual(sks(r["Items"]), [Decimal("0.001")])
        self.assertIn("LastEvaluatedKey", r)

    def test_filter_on_key_attribute_refused(self):
        self.assert_validation(self.q, "Filter Expression can only contain non-primary key "
                               "attributes: Primary key attribute: sk", cond="pk = :p",
                               vals={":p": S("p"), ":z": N(0)}, FilterExpression="sk > :z")

    def test_select(self):
        r = self.q("pk = :p", {":p": S("p")}, Select="COUNT")
        self.assertEqual(r["Count"], len(self.nums))
        self.assertNotIn("Items", r)
        self.c.put_item(TableName="qtbl", Item={"pk": S("x"), "sk": N(1), "a": S("A"), "b": S("B")})
        r = self.q("pk = :p", {":p": S("x")}, Select="SPECIFIC_ATTRIBUTES",
                   ProjectionExpression="a")
        self.assertEqual(r["Items"], [{"a": S("A")}])
        r = self.q("pk = :p", {":p": S("x")}, ProjectionExpression="b, sk")
        self.assertEqual(r["Items"], [{"b": S("B"), "sk": N(1)}])
        self.assert_error(self.q, "ValidationException",
                          contains="Value 'NOPE' at 'select' failed to satisfy constraint: "
                                   "Member must satisfy enum value set", cond="pk = :p",
                          vals={":p": S("x")}, Select="NOPE")

    def test_consumed_capacity(self):
        r = self.q("pk = :p", {":p": S("p")}, ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"], {"TableName": "qtbl", "CapacityUnits": 0.5})
        r = self.q("pk = :p", {":p": S("p")}, ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 1.0)
        r = self.c.scan(TableName="qtbl", ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"], {"TableName": "qtbl", "CapacityUnits": 0.5})

    def test_missing_table_and_index(self):
        self.assert_error(self.c.query, "ResourceNotFoundException", TableName="nope",
                          KeyConditionExpression="pk = :p",
                          ExpressionAttributeValues={":p": S("p")})
        self.assert_validation(self.q, "The table does not have the specified index: nope",
                               cond="pk = :p", vals={":p": S("p")}, IndexName="nope")

    def test_legacy_key_conditions_and_query_filter(self):
        self.c.put_item(TableName="qtbl", Item={"pk": S("p"), "sk": N(5), "tag": S("t")})
        r = self.c.query(TableName="qtbl", KeyConditions={
            "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("p")]},
            "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(1), N(10)]}})
        self.assertEqual(sks(r["Items"]), [1, 2, 5, 10])
        r = self.c.query(TableName="qtbl", KeyConditions={
            "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("p")]}},
            QueryFilter={"tag": {"ComparisonOperator": "NOT_NULL"}}, AttributesToGet=["sk"])
        self.assertEqual(r["Items"], [{"sk": N(5)}])
        self.assertEqual(r["ScannedCount"], len(self.nums) + 1)


class SortOrder(DdbCase):
    def test_string_sort_is_utf8_bytes(self):
        self.create_table("stbl", range_key=("sk", "S"))
        vals = ["a", "B", "aa", "Z", "é", "~", "ab", "A", "a b", "\u4e2d", "\U0001F600", "ÿ"]
        for v in vals:
            self.c.put_item(TableName="stbl", Item={"pk": S("p"), "sk": S(v)})
        r = self.c.query(TableName="stbl", KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": S("p")})
        self.assertEqual(sks(r["Items"]), sorted(vals, key=lambda x: x.encode("utf-8")))
        r = self.c.query(TableName="stbl", KeyConditionExpression="pk = :p AND begins_with(sk, :a)",
                         ExpressionAttributeValues={":p": S("p"), ":a": S("a")})
        self.assertEqual(sks(r["Items"]), ["a", "a b", "aa", "ab"])
        r = self.c.query(TableName="stbl", KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                         ExpressionAttributeValues={":p": S("p"), ":a": S("Z"), ":b": S("ab")})
        self.assertEqual(sks(r["Items"]), ["Z", "a", "a b", "aa", "ab"])

    def test_binary_sort_is_unsigned(self):
        self.create_table("btbl", range_key=("sk", "B"))
        vals = [b"\x00", b"\x7f", b"\x80", b"\xff", b"\x00\x01", b"\x01", b"\xfe\xff"]
        for v in vals:
            self.c.put_item(TableName="btbl", Item={"pk": S("p"), "sk": {"B": v}})
        r = self.c.query(TableName="btbl", KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": S("p")})
        self.assertEqual(sks(r["Items"]), sorted(vals))
        r = self.c.query(TableName="btbl", KeyConditionExpression="pk = :p AND begins_with(sk, :x)",
                         ExpressionAttributeValues={":p": S("p"), ":x": {"B": b"\x00"}})
        self.assertEqual(sks(r["Items"]), [b"\x00", b"\x00\x01"])
        r = self.c.query(TableName="btbl", KeyConditionExpression="pk = :p AND sk > :x",
                         ExpressionAttributeValues={":p": S("p"), ":x": {"B": b"\x7f"}})
        self.assertEqual(sks(r["Items"]), [b"\x80", b"\xfe\xff", b"\xff"])


class OneMegabytePage(DdbCase):
    def test_query_and_scan_pages_stop_near_1mb(self):
        self.create_table("big", range_key=("sk", "N"))
        blob = "x" * 100000
        for i in range(25):
            self.c.put_item(TableName="big", Item={"pk": S("p"), "sk": N(i), "d": S(blob)})
        r = self.c.query(TableName="big", KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": S("p")})
        self.assertIn("LastEvaluatedKey", r)
        self.assertIn(r["Count"], (10, 11), "1 MB holds about 10.5 items of 100 KB")
        total = r["Count"]
        while "LastEvaluatedKey" in r:
            r = self.c.query(TableName="big", KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": S("p")},
                             ExclusiveStartKey=r["LastEvaluatedKey"])
            total += r["Count"]
        self.assertEqual(total, 25)
        # Select COUNT is limited by the same 1 MB read
        r = self.c.scan(TableName="big", Select="COUNT")
        self.assertIn(r["Count"], (10, 11))
        self.assertIn("LastEvaluatedKey", r)
        # a filter that matches nothing still stops at 1 MB of scanned data
        r = self.c.scan(TableName="big", FilterExpression="attribute_exists(nope)")
        self.assertEqual(r["Count"], 0)
        self.assertIn(r["ScannedCount"], (10, 11))
        self.assertIn("LastEvaluatedKey", r)


class Indexes(DdbCase):
    def setUp(self):
        super().setUp()
        self.create_table("ixtbl", range_key=("sk", "N"),
                          gsis=[("keys", ("g", "S"), ("gr", "N"), "KEYS_ONLY"),
                                ("inc", ("g", "S"), None, ["INCLUDE", ["a"]]),
                                ("all", ("g", "S"), ("gr", "N"), "ALL")],
                          lsis=[("lsi", None, ("lr", "N"), "KEYS_ONLY")])
        self.items = [
            {"pk": S("p1"), "sk": N(1), "g": S("x"), "gr": N(2), "a": S("A1"), "b": S("B1"),
             "lr": N(5)},
            {"pk": S("p1"), "sk": N(2), "g": S("x"), "gr": N(1), "a": S("A2"), "b": S("B2")},
            {"pk": S("p2"), "sk": N(1), "b": S("B3"), "lr": N(1)},
            {"pk": S("p3"), "sk": N(1), "g": S("y"), "gr": N(1)},
        ]
        for it in self.items:
            self.c.put_item(TableName="ixtbl", Item=it)

    def iq(self, index, cond, vals, **kw):
        return self.c.query(TableName="ixtbl", IndexName=index, KeyConditionExpression=cond,
                            ExpressionAttributeValues=vals, **kw)

    def test_keys_only_gsi(self):
        r = self.iq("keys", "g = :g", {":g": S("x")})
        self.assertEqual(r["Items"], [
            {"pk": S("p1"), "sk": N(2), "g": S("x"), "gr": N(1)},
            {"pk": S("p1"), "sk": N(1), "g": S("x"), "gr": N(2)}])
        self.assert_validation(self.iq, "One or more parameter values were invalid: Select type "
                               "ALL_ATTRIBUTES is not supported for global secondary index keys "
                               "because its projection type is not ALL", index="keys",
                               cond="g = :g", vals={":g": S("x")}, Select="ALL_ATTRIBUTES")

    def test_include_gsi(self):
        r = self.iq("inc", "g = :g", {":g": S("x")})
        got = sorted(r["Items"], key=lambda i: i["sk"]["N"])
        self.assertEqual(got, [{"pk": S("p1"), "sk": N(1), "g": S("x"), "a": S("A1")},
                               {"pk": S("p1"), "sk": N(2), "g": S("x"), "a": S("A2")}])

    def test_all_gsi_and_sparse(self):
        r = self.iq("all", "g = :g", {":g": S("x")})
        self.assertEqual(r["Items"], [self.items[1], self.items[0]])
        r = self.iq("all", "g = :g AND gr > :z", {":g": S("x"), ":z": N(1)}, ScanIndexForward=False)
        self.assertEqual(r["Items"], [self.items[0]])
        # the item without g is in no GSI
        s = self.c.scan(TableName="ixtbl", IndexName="all")
        self.assertEqual(s["Count"], 3)
        self.assertNotIn({"pk": S("p2"), "sk": N(1)}, [{"pk": i["pk"], "sk": i["sk"]}
                                                      for i in s["Items"]])

    def test_gsi_paging_key_has_index_and_table_keys(self):
        r = self.iq("all", "g = :g", {":g": S("x")}, Limit=1)
        self.assertEqual(set(r["LastEvaluatedKey"]), {"g", "gr", "pk", "sk"})
        r2 = self.iq("all", "g = :g", {":g": S("x")}, Limit=1,
                     ExclusiveStartKey=r["LastEvaluatedKey"])
        self.assertEqual(r2["Items"], [self.items[0]])

    def test_gsi_follows_updates_and_deletes(self):
        self.c.update_item(TableName="ixtbl", Key={"pk": S("p1"), "sk": N(1)},
                           UpdateExpression="SET g = :y", ExpressionAttributeValues={":y": S("y")})
        self.assertEqual(self.iq("all", "g = :g", {":g": S("x")})["Count"], 1)
        self.assertEqual(self.iq("all", "g = :g", {":g": S("y")})["Count"], 2)
        self.c.update_item(TableName="ixtbl", Key={"pk": S("p1"), "sk": N(2)}, UpdateExpression="REMOVE g")
        self.assertEqual(self.iq("all", "g = :g", {":g": S("x")})["Count"], 0)
        self.c.delete_item(TableName="ixtbl", Key={"pk": S("p3"), "sk": N(1)})
        self.assertEqual(self.iq("all", "g = :g", {":g": S("y")})["Count"], 1)

    def test_gsi_key_type_is_enforced(self):
        with self.assertRaises(self.c.exceptions.ClientError) as cm:
            self.c.put_item(TableName="ixtbl", Item={"pk": S("p9"), "sk": N(1), "g": N(1)})
        e = cm.exception.response["Error"]
        self.assertEqual(e["Code"], "ValidationException")
        self.assertRegex(e["Message"], r"^One or more parameter values were invalid: Type mismatch "
                                       r"for Index Key g Expected: S Actual: N IndexName: "
                                       r"(keys|inc|all)$")

    def test_consistent_read_refused_on_gsi(self):
        self.assert_validation(self.iq, "Consistent reads are not supported on global secondary "
                               "indexes", index="all", cond="g = :g", vals={":g": S("x")},
                               ConsistentRead=True)

    def test_scan_index(self):
        self.assert_validation(self.c.scan, "Consistent reads are not supported on global "
                               "secondary indexes", TableName="ixtbl", IndexName="inc",
                               ConsistentRead=True)
        r = self.c.scan(TableName="ixtbl", IndexName="inc", Select="SPECIFIC_ATTRIBUTES",
                        ProjectionExpression="a")
        # an item holding none of the projected attributes comes back as an empty map
        self.assertEqual(sorted((i.get("a", {}).get("S", "") for i in r["Items"])), ["", "A1", "A2"])
        self.assertIn({}, r["Items"])
        r = self.c.scan(TableName="ixtbl", IndexName="keys", Select="COUNT")
        self.assertEqual((r["Count"], r["ScannedCount"]), (3, 3))

    def test_lsi_sparse_and_fetch(self):
        r = self.c.query(TableName="ixtbl", IndexName="lsi", KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": S("p1")})
        self.assertEqual(r["Items"], [{"pk": S("p1"), "sk": N(1), "lr": N(5)}])
        # an LSI may fetch attributes it does not project from the table
        r = self.c.query(TableName="ixtbl", IndexName="lsi", KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": S("p1")}, Select="ALL_ATTRIBUTES")
        self.assertEqual(r["Items"], [self.items[0]])
        r = self.c.query(TableName="ixtbl", IndexName="lsi", KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": S("p1")}, ConsistentRead=True,
                         ProjectionExpression="b")
        self.assertEqual(r["Items"], [{"b": S("B1")}])
        r = self.c.query(TableName="ixtbl", IndexName="lsi",
                         KeyConditionExpression="pk = :p AND lr < :v",
                         ExpressionAttributeValues={":p": S("p2"), ":v": N(3)})
        self.assertEqual(r["Count"], 1)


class ScanSegments(DdbCase):
    def setUp(self):
        super().setUp()
        self.create_table("sctbl")
        for i in range(60):
            self.c.put_item(TableName="sctbl", Item={"pk": S("k%02d" % i), "i": N(i)})

    def test_empty_table(self):
        self.create_table("empty")
        r = self.c.scan(TableName="empty")
        self.assertEqual((r["Items"], r["Count"], r["ScannedCount"]), ([], 0, 0))
        self.assertNotIn("LastEvaluatedKey", r)

    def test_segments_disjoint_and_complete(self):
        for total in (1, 3, 4, 7):
            seen = []
            for seg in range(total):
                got = self.items("sctbl", Segment=seg, TotalSegments=total, Limit=7)
                seen += [i["pk"]["S"] for i in got]
            self.assertEqual(len(seen), 60, total)
            self.assertEqual(set(seen), {"k%02d" % i for i in range(60)}, total)

    def test_segment_errors(self):
        self.assert_validation(self.c.scan, "The TotalSegments parameter is required but was not "
                               "present in the request when Segment parameter is present",
                               TableName="sctbl", Segment=0)
        self.assert_validation(self.c.scan, "The Segment parameter is required but was not "
                               "present in the request when parameter TotalSegments is present",
                               TableName="sctbl", TotalSegments=2)
        self.assert_validation(self.c.scan, "The Segment parameter is zero-based and must be less "
                               "than parameter TotalSegments: Segment: 2 is not less than "
                               "TotalSegments: 2", TableName="sctbl", Segment=2, TotalSegments=2)

    def test_scan_paging_count_and_filter(self):
        got = self.items("sctbl", Limit=8)
        self.assertEqual(len(got), 60)
        r = self.c.scan(TableName="sctbl", Select="COUNT", FilterExpression="i < :v",
                        ExpressionAttributeValues={":v": N(10)})
        self.assertEqual((r["Count"], r["ScannedCount"]), (10, 60))
        self.assertNotIn("Items", r)
        r = self.c.scan(TableName="sctbl", Limit=5, FilterExpression="i < :v",
                        ExpressionAttributeValues={":v": N(0)})
        self.assertEqual((r["Count"], r["ScannedCount"]), (0, 5))
        self.assertIn("LastEvaluatedKey", r)
        r = self.c.scan(TableName="sctbl", ScanFilter={
            "i": {"ComparisonOperator": "IN", "AttributeValueList": [N(3), N(4), N(99)]}})
        self.assertEqual(sorted(int(i["i"]["N"]) for i in r["Items"]), [3, 4])
        for cond in ({"ComparisonOperator": "NULL", "AttributeValueList": [N(1)]},
                     {"ComparisonOperator": "EQ"},
                     {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(1)]}):
            # wording varies between AWS's generations; both name the argument count
            self.assert_validation(self.c.scan, re.compile("argument"), TableName="sctbl",
                                   ScanFilter={"i": cond})
        r = self.c.scan(TableName="sctbl", ProjectionExpression="i", Limit=1)
        self.assertEqual(set(r["Items"][0]), {"i"})

    def test_scan_order_is_stable_across_pages(self):
        a = [i["pk"]["S"] for i in self.items("sctbl")]
        b = [i["pk"]["S"] for i in self.items("sctbl", Limit=9)]
        self.assertEqual(a, b)


if __name__ == "__main__":
    unittest.main()
